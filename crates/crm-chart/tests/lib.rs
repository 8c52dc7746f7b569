//! Integration tests of crm-chart: each chart's structure on small
//! hand-made inputs, exact determinism, and well-formed documents for any
//! input (property tests).

use crm_chart::{
    Bar, Bars, Bin, Grid, GridCell, HeatCell, Heatmap, Histogram, Line, LineChart, Mark, Meta,
    NumberFormat, PyramidChart, PyramidPanel, Scale, Stack, StackedBars, Tier, Tone, Waterfall,
    WaterfallStep, palette,
};
use proptest::prelude::*;

/// Checks that `svg` is one well-formed element tree (tags balanced,
/// attributes quoted, entities known) and returns the start tags in order.
fn tags(svg: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        for (k, _) in text.match_indices('&') {
            let ent = &text[k..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bad entity in {text:?}"
            );
        }
        let j = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..j];
        assert!(!tag.contains('<'), "< inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else {
            let name = tag
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            seen.push(name.clone());
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &rest[j + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(seen.first().map(String::as_str), Some("svg"));
    seen
}

fn count(svg: &str, tag: &str) -> usize {
    tags(svg).iter().filter(|t| *t == tag).count()
}

fn accessible(svg: &str, id: &str) {
    assert!(svg.contains(&format!(
        r#"role="img" aria-labelledby="{id}-title {id}-desc""#
    )));
    assert!(svg.contains(&format!(r#"<title id="{id}-title">"#)));
    assert!(svg.contains(&format!(r#"<desc id="{id}-desc">"#)));
    assert!(!svg.contains("<script"));
    assert!(!svg.contains("http://") || svg.matches("http://").count() == 1);
}

fn pyramid() -> PyramidChart {
    let mut c = PyramidChart::new(Meta::new("pyr", "Customer pyramid", "Levels by customers."));
    for (heading, scale) in [("2024", 1.0), ("2025", 2.0)] {
        let mut p = PyramidPanel::new(heading);
        for (name, k, colour) in [
            ("Top", 1.0, palette::BLUE),
            ("Big", 4.0, palette::SKY_BLUE),
            ("Medium", 15.0, palette::GREEN),
            ("Small", 80.0, palette::ORANGE),
        ] {
            let n = k * scale;
            p.active.push(Tier::new(
                name,
                n,
                &format!("{n}"),
                "€1,000 · 10% of value",
                colour,
            ));
        }
        p.beneath
            .push(Tier::new("Inactive", 50.0, "50", "€0", palette::GREY));
        p.beneath
            .push(Tier::new("Prospect", 20.0, "20", "", palette::PURPLE));
        c.panels.push(p);
    }
    c
}

#[test]
fn pyramid_slices_labels_and_bars() {
    let svg = pyramid().to_svg();
    accessible(&svg, "pyr");
    assert_eq!(count(&svg, "polygon"), 8, "four slices per panel");
    assert!(svg.contains("Top · 1<") && svg.contains("Small · 160<"));
    assert!(svg.contains(">2024<") && svg.contains(">2025<"));
    assert!(svg.contains("Inactive · 50"));
    // Area true: the Top slice of a 1% level is 10% of the height.
    let first = svg.split("<polygon points=\"").nth(1).unwrap();
    let ys: Vec<f64> = first
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    // The smaller panel's triangle is 230 × √(100/200) high.
    let height = 230.0 * 0.5f64.sqrt();
    assert!((ys[2] - ys[0] - height * 0.1).abs() < 0.2, "{ys:?}");
}

#[test]
fn pyramid_without_active_customers_says_so() {
    let mut c = PyramidChart::new(Meta::new("p", "P", "D"));
    c.panels.push(PyramidPanel::new("2025"));
    let svg = c.to_svg();
    assert!(svg.contains("no active customers"));
    assert_eq!(count(&svg, "polygon"), 0);
}

#[test]
fn heatmap_two_tones_and_text() {
    let mut h = Heatmap::new(
        Meta::new("mig", "Migration", "Who moved where."),
        "from 2024",
        "to 2025",
        vec!["top".into(), "small".into()],
        vec!["top".into(), "small".into()],
    );
    h.cells = vec![
        vec![
            Some(HeatCell::new(5.0, Tone::Neutral, vec!["5".into()])),
            Some(HeatCell::new(
                1.0,
                Tone::Down,
                vec!["1".into(), "€10".into()],
            )),
        ],
        vec![
            Some(HeatCell::new(2.0, Tone::Up, vec!["2".into(), "€20".into()])),
            None,
        ],
    ];
    let svg = h.to_svg();
    accessible(&svg, "mig");
    assert!(svg.contains(palette::GREEN) && svg.contains(palette::VERMILLION));
    assert!(svg.contains("top → small: 1, €10"));
    assert!(svg.contains(">€20<"));
    // Direction in text as well as colour.
    assert!(svg.contains(">▲ 2<") && svg.contains(">▼ 1<") && svg.contains(">5<"));
    // 4 backgrounds, 3 filled cells, 3 legend keys, the page.
    assert_eq!(count(&svg, "rect"), 1 + 4 + 3 + 3);
}

#[test]
fn waterfall_runs_from_total_to_total() {
    let mut w = Waterfall::new(Meta::new("bridge", "Value bridge", "From 100 to 130."));
    w.steps.push(WaterfallStep::total("2024", 100.0, "100"));
    w.steps.push(WaterfallStep::change("new", 50.0, "+50"));
    w.steps.push(WaterfallStep::change("lost", -20.0, "-20"));
    w.steps.push(WaterfallStep::total("2025", 130.0, "130"));
    let svg = w.to_svg();
    accessible(&svg, "bridge");
    assert_eq!(svg.matches(palette::BLUE).count(), 2);
    assert_eq!(svg.matches(palette::GREEN).count(), 1);
    assert_eq!(svg.matches(palette::VERMILLION).count(), 1);
    for t in [">+50<", ">-20<", ">130<", ">new<", ">lost<"] {
        assert!(svg.contains(t), "{t}");
    }
    assert_eq!(svg.matches("stroke-dasharray=\"3 2\"").count(), 3);
}

#[test]
fn stacked_bars_mark_projections() {
    let mut s = StackedBars::new(
        Meta::new("proj", "Projection", "Customers per level."),
        vec!["2024".into(), "2025".into(), "2026".into()],
    );
    s.stacks
        .push(Stack::new("small", palette::ORANGE, vec![80.0, 90.0, 95.5]));
    s.stacks
        .push(Stack::new("top", palette::BLUE, vec![20.0, 10.0, 12.0]));
    s.first_projected = Some(2);
    let svg = s.to_svg();
    accessible(&svg, "proj");
    assert_eq!(svg.matches(">projected<").count(), 1);
    assert_eq!(svg.matches("fill-opacity=\"0.55\"").count(), 2);
    assert!(
        svg.contains(">100<") && svg.contains(">108<"),
        "totals on top"
    );
    assert!(svg.contains("2026 small: 96"));
}

#[test]
fn histogram_and_bars_have_one_mark_per_value() {
    let mut h = Histogram::new(Meta::new("h", "P(alive)", "Distribution."), "P(alive)");
    for (i, c) in [3.0, 0.0, 7.0, 1.0].iter().enumerate() {
        h.bins.push(Bin::new(&format!("{i}"), *c, &format!("{c}")));
    }
    let svg = h.to_svg();
    accessible(&svg, "h");
    assert_eq!(count(&svg, "rect"), 1 + 4);
    assert!(svg.contains("3: 1<"));

    let mut b = Bars::new(Meta::new("b", "Room", "Room per level."));
    b.bars.push(Bar::new("Small", 200.0, "€200"));
    b.bars.push(Bar::new("Medium", 100.0, "€100"));
    let svg = b.to_svg();
    assert_eq!(count(&svg, "rect"), 1 + 2);
    assert!(svg.contains(">€200<") && svg.contains(">Medium<"));
}

#[test]
fn bars_take_their_own_colour_and_an_interval() {
    let mut b = Bars::new(Meta::new("c", "Response", "Response per group."));
    b.bars
        .push(Bar::new("treated", 0.2, "20%").interval(0.15, 0.25));
    b.bars
        .push(Bar::new("control", 0.1, "10%").colour(palette::GREY));
    let svg = b.to_svg();
    accessible(&svg, "c");
    assert!(svg.contains(&format!(r#"fill="{}""#, palette::GREY)));
    // The whisker: one line across and two end caps, besides the axis.
    assert_eq!(count(&svg, "line"), 3 + 1);
    // The scale reaches the interval's end: the bar of 0.2 is short of
    // the 0.25 whisker, whose end is the longest mark.
    let width = |v: &str| {
        svg.lines()
            .find(|l| l.contains(&format!("<title>{v}")))
            .and_then(|l| l.split("width=\"").nth(1))
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse::<f64>().ok())
            .unwrap()
    };
    let (t, c) = (width("treated: 20%"), width("control: 10%"));
    assert!((t / c - 2.0).abs() < 0.05, "{t} {c}");
    assert_eq!(svg, b.to_svg());
}

#[test]
fn line_chart_labels_lines_rules_and_marks() {
    let mut c = LineChart::new(
        Meta::new("whale", "Whale curve", "Cumulative profit."),
        "customers",
        "profit",
    );
    c.x_scale = Scale::Percent;
    c.y_scale = Scale::Percent;
    c.lines.push(Line::new(
        "profit",
        vec![(0.0, 0.0), (0.5, 1.4), (1.0, 1.0)],
    ));
    c.lines
        .push(Line::new("model", vec![(0.0, 0.0), (1.0, 0.9)]).dashed());
    c.y_rules.push((1.0, "100%".into()));
    c.marks.push(Mark::new(0.5, 1.4, "peak 140%"));
    let svg = c.to_svg();
    accessible(&svg, "whale");
    assert_eq!(count(&svg, "polyline"), 2);
    assert_eq!(count(&svg, "circle"), 3 + 2 + 1);
    assert!(svg.contains(">peak 140%<") && svg.contains(">50%<"));
    assert!(svg.contains("stroke-dasharray=\"7 4\""));
}

#[test]
fn grid_names_each_group_once() {
    let mut g = Grid::new(
        Meta::new("rfm", "RFM", "R by F."),
        "R",
        "F",
        vec!["2".into(), "1".into()],
        vec!["1".into(), "2".into()],
    );
    g.groups = vec!["champions".into(), "lost".into()];
    g.cells = vec![
        vec![GridCell::new(0, 4.0, "4"), GridCell::new(0, 3.0, "3")],
        vec![GridCell::new(1, 1.0, "1"), GridCell::new(0, 0.0, "0")],
    ];
    let svg = g.to_svg();
    accessible(&svg, "rfm");
    assert_eq!(svg.matches(">champions<").count(), 1);
    assert_eq!(svg.matches(">lost<").count(), 1);
    // Heavy lines: between the lost cell and both its neighbours.
    assert_eq!(svg.matches("stroke-width=\"2.5\"/>").count(), 2 + 1);
}

#[test]
fn dutch_axis_numbers() {
    let mut w = Waterfall::new(Meta::new("w", "W", "D").numbers(NumberFormat::NL));
    w.steps.push(WaterfallStep::total("a", 25_000.0, "25.000"));
    let svg = w.to_svg();
    assert!(svg.contains(">25k<") || svg.contains(">25.000<"));
    let mut h = Histogram::new(Meta::new("h", "H", "D").numbers(NumberFormat::NL), "x");
    h.bins.push(Bin::new("a", 2.5, "2,5"));
    assert!(h.to_svg().contains(">0,5<"));
}

#[test]
fn text_is_escaped() {
    let mut b = Bars::new(Meta::new("x\"><script>", "A & <B>", "\"quoted\""));
    b.bars.push(Bar::new("<i>", 1.0, "&"));
    let svg = b.to_svg();
    tags(&svg);
    assert!(svg.contains("A &amp; &lt;B&gt;"));
    assert!(!svg.contains("<script>") && !svg.contains("<i>"));
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e9..1e9f64,
        Just(0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1e300),
    ]
}

proptest! {
    #[test]
    fn prop_every_chart_is_well_formed_and_deterministic(
        values in proptest::collection::vec(number(), 0..12),
        label in ".{0,20}",
    ) {
        let meta = || Meta::new(&label, &label, &label);
        let mut charts: Vec<String> = Vec::new();
        let mut p = PyramidChart::new(meta());
        let mut panel = PyramidPanel::new(&label);
        for v in &values {
            panel.active.push(Tier::new(&label, *v, &label, &label, palette::BLUE));
            panel.beneath.push(Tier::new(&label, *v, &label, &label, palette::GREY));
        }
        p.panels.push(panel);
        charts.push(p.to_svg());
        let mut w = Waterfall::new(meta());
        for (i, v) in values.iter().enumerate() {
            w.steps.push(if i % 3 == 0 { WaterfallStep::total(&label, *v, &label) } else { WaterfallStep::change(&label, *v, &label) });
        }
        charts.push(w.to_svg());
        let mut s = StackedBars::new(meta(), values.iter().map(|_| label.clone()).collect());
        s.stacks.push(Stack::new(&label, palette::BLUE, values.clone()));
        s.first_projected = Some(values.len() / 2);
        charts.push(s.to_svg());
        let mut h = Histogram::new(meta(), &label);
        let mut b = Bars::new(meta());
        for v in &values {
            h.bins.push(Bin::new(&label, *v, &label));
            b.bars.push(Bar::new(&label, *v, &label));
        }
        charts.push(h.to_svg());
        charts.push(b.to_svg());
        let mut l = LineChart::new(meta(), &label, &label);
        l.lines.push(Line::new(&label, values.windows(2).map(|w| (w[0], w[1])).collect()));
        l.marks.push(Mark::new(values.first().copied().unwrap_or(0.0), 1.0, &label));
        charts.push(l.to_svg());
        let k = values.len().min(4);
        let mut m = Heatmap::new(meta(), &label, &label, vec![label.clone(); k], vec![label.clone(); k]);
        m.cells = (0..k).map(|i| (0..k).map(|j| Some(HeatCell::new(values[(i + j) % values.len()], Tone::Up, vec![label.clone()]))).collect()).collect();
        charts.push(m.to_svg());
        let mut g = Grid::new(meta(), &label, &label, vec![label.clone(); k], vec![label.clone(); k]);
        g.groups = vec![label.clone(); 2];
        g.cells = (0..k).map(|i| (0..k).map(|j| GridCell::new((i + j) % 3, values[(i * j) % values.len()], &label)).collect()).collect();
        charts.push(g.to_svg());
        for svg in &charts {
            tags(svg);
            prop_assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
        // Same input, same bytes.
        prop_assert_eq!(&charts[5], &l.to_svg());
        prop_assert_eq!(&charts[0], &p.to_svg());
    }
}

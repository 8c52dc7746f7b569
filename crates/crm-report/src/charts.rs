//! The report's charts: each section's data as a `crm-chart` chart, with
//! labels in the report's language.

use crm_chart::{
    Bar, Bars, Bin, Grid, GridCell, HeatCell, Heatmap, Histogram, Line, LineChart, Mark, Meta,
    PyramidChart, PyramidPanel, Scale, Stack, StackedBars, Tier, Tone, Waterfall, WaterfallStep,
    palette,
};
use crm_core::{Decimal, Money};
use crm_migration::{Migration, Source};
use crm_pyramid::Level;

use crate::lang::{Lang, fill, period_label};
use crate::report::{Actions, HoldoutCheck, Lifetime, Projection, Report, STATES};

/// The colour of each level, high to low: the Okabe-Ito palette, dark to
/// light for the active levels, greys and purple beneath.
pub(crate) const LEVEL_COLOURS: [&str; 7] = [
    palette::BLUE,
    palette::SKY_BLUE,
    palette::GREEN,
    palette::ORANGE,
    "#9A9A9A",
    palette::PURPLE,
    "#D0D0D0",
];

fn f64_of(m: Money) -> f64 {
    m.as_decimal().to_string().parse().unwrap_or(0.0)
}

/// The sum of `values`, or `None` when it is beyond `Decimal`'s range.
pub(crate) fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

/// A sum of amounts for a chart: its length and its label (with `money`,
/// such as `Lang::money_short`). A sum beyond `Decimal`'s range is drawn
/// from its `f64` sum and labelled as more than the largest amount.
pub(crate) fn total_label(
    values: impl IntoIterator<Item = Decimal> + Clone,
    money: impl Fn(Money) -> String,
) -> (f64, String) {
    match checked_sum(values.clone()) {
        Some(d) => (f64_of(Money::new(d)), money(Money::new(d))),
        None => (
            values.into_iter().map(|v| f64_of(Money::new(v))).sum(),
            format!("> {}", money(Money::new(Decimal::MAX))),
        ),
    }
}

/// `part`'s share of `whole` (the sum of `parts`), `None` when the whole
/// is zero. Exact in `Decimal` when the sum and the quotient are in its
/// range, else in `f64`, so that extreme amounts draw instead of failing.
pub(crate) fn share_of(part: Decimal, parts: &[Decimal]) -> Option<f64> {
    match checked_sum(parts.iter().copied()) {
        Some(whole) if whole.is_zero() => None,
        Some(whole) => Some(part.checked_div(whole).map_or_else(
            || f64_of(Money::new(part)) / f64_of(Money::new(whole)),
            |q| f64_of(Money::new(q)),
        )),
        None => {
            let whole: f64 = parts.iter().map(|p| f64_of(Money::new(*p))).sum();
            (whole != 0.0).then(|| f64_of(Money::new(part)) / whole)
        }
    }
}

fn meta(lang: Lang, id: &str, title: &str, desc: usize) -> Meta {
    Meta::new(id, title, lang.texts().descriptions[desc]).numbers(lang.numbers())
}

/// The pyramid, the previous period's panel first.
pub(crate) fn pyramid(r: &Report, lang: Lang) -> PyramidChart {
    let t = lang.texts();
    let mut chart = PyramidChart::new(meta(lang, "chart-pyramid", t.sections[0].title, 0));
    let p = &r.pyramid;
    let level_name = |l: Level| t.levels[l.index()];
    if let Some(prev) = r.previous {
        // Shares of the previous period from its own figures.
        let active_values: Vec<Decimal> = p
            .levels
            .iter()
            .filter(|l| l.level.is_active())
            .filter_map(|l| l.previous.map(|f| f.value.as_decimal()))
            .collect();
        let mut panel = PyramidPanel::new(&period_label(&prev));
        panel.empty = no_active(lang).into();
        for l in &p.levels {
            let Some(f) = l.previous else { continue };
            let share = if l.level.is_active() {
                share_of(f.value.as_decimal(), &active_values)
            } else {
                None
            };
            let tier = tier(
                lang,
                level_name(l.level),
                l.level,
                f.customers,
                f.value,
                share,
            );
            if l.level.is_active() {
                panel.active.push(tier);
            } else {
                panel.beneath.push(tier);
            }
        }
        chart.panels.push(panel);
    }
    let mut panel = PyramidPanel::new(&period_label(&p.period));
    panel.empty = no_active(lang).into();
    for l in &p.levels {
        let tier = tier(
            lang,
            level_name(l.level),
            l.level,
            l.customers,
            l.value,
            l.share_of_value,
        );
        if l.level.is_active() {
            panel.active.push(tier);
        } else {
            panel.beneath.push(tier);
        }
    }
    chart.panels.push(panel);
    chart
}

fn no_active(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "geen actieve klanten",
        _ => "no active customers",
    }
}

fn tier(
    lang: Lang,
    name: &str,
    level: Level,
    customers: u64,
    value: Money,
    share: Option<f64>,
) -> Tier {
    let detail = match share {
        Some(s) => format!(
            "{} · {}",
            lang.money(value),
            fill(lang.texts().of_value, &[("share", lang.percent(s))])
        ),
        // Outside the active levels a value is only credit notes: noise.
        None => String::new(),
    };
    Tier::new(
        name,
        customers as f64,
        &lang.count(customers),
        &detail,
        LEVEL_COLOURS[level.index()],
    )
}

/// Up, down or neither, from the levels alone: up into a higher active
/// level or into the active levels from outside; down to a lower active
/// level or from active to inactive.
pub(crate) fn tone(from: Source, to: Level) -> Tone {
    match from {
        Source::Level(f) if f == to => Tone::Neutral,
        Source::Level(f) if f.is_active() && to.is_active() => {
            if to < f {
                Tone::Up
            } else {
                Tone::Down
            }
        }
        Source::Level(f) if f.is_active() => Tone::Down,
        _ if to.is_active() => Tone::Up,
        _ => Tone::Neutral,
    }
}

fn source_name(lang: Lang, s: Source) -> String {
    lang.level(s.as_str()).to_string()
}

/// The migration matrix as a heatmap: rows and columns without customers
/// are left out.
pub(crate) fn heatmap(m: &Migration, lang: Lang) -> Heatmap {
    let t = lang.texts();
    let rows: Vec<Source> = Source::ALL
        .into_iter()
        .filter(|s| m.row_total(*s).customers > 0)
        .collect();
    let cols: Vec<Level> = Level::ALL
        .into_iter()
        .filter(|l| m.column_total(*l).customers > 0)
        .collect();
    let mut h = Heatmap::new(
        meta(lang, "chart-migration", t.sections[1].title, 1),
        &fill(t.level_in, &[("period", period_label(&m.from))]),
        &fill(t.level_in, &[("period", period_label(&m.to))]),
        rows.iter().map(|s| source_name(lang, *s)).collect(),
        cols.iter()
            .map(|l| t.levels[l.index()].to_string())
            .collect(),
    );
    h.legend = [t.legend[0].into(), t.legend[1].into(), t.legend[2].into()];
    h.cells = rows
        .iter()
        .map(|&from| {
            cols.iter()
                .map(|&to| {
                    let c = m.cell(from, to);
                    (c.customers > 0).then(|| {
                        // The value that counts: the later period's for
                        // moves into active levels, else the earlier's.
                        let v = if to.is_active() {
                            c.value_to
                        } else {
                            c.value_from
                        };
                        HeatCell::new(
                            c.customers as f64,
                            tone(from, to),
                            vec![lang.count(c.customers), lang.money_short(v)],
                        )
                    })
                })
                .collect()
        })
        .collect();
    h
}

/// The value bridge as a waterfall.
pub(crate) fn waterfall(m: &Migration, lang: Lang) -> Waterfall {
    let t = lang.texts();
    let mut w = Waterfall::new(meta(lang, "chart-bridge", t.sections[2].title, 2));
    let b = &m.bridge;
    w.steps.push(WaterfallStep::total(
        &period_label(&m.from),
        f64_of(b.from_total),
        &lang.money_short(b.from_total),
    ));
    for (mv, v) in &b.steps {
        if v.is_zero() {
            continue;
        }
        w.steps.push(WaterfallStep::change(
            lang.movement(mv.as_str()),
            f64_of(*v),
            &signed_short(lang, *v),
        ));
    }
    if !b.lost.is_zero() {
        w.steps.push(WaterfallStep::change(
            t.left,
            f64_of(b.lost),
            &signed_short(lang, b.lost),
        ));
    }
    w.steps.push(WaterfallStep::total(
        &period_label(&m.to),
        f64_of(b.to_total),
        &lang.money_short(b.to_total),
    ));
    w
}

fn signed_short(lang: Lang, m: Money) -> String {
    let s = lang.money_short(m);
    if m.is_positive() { format!("+{s}") } else { s }
}

/// The observed and projected customers per state as stacked bars.
pub(crate) fn projection(p: &Projection, lang: Lang) -> StackedBars {
    let t = lang.texts();
    let mut cats: Vec<String> = p.periods.iter().map(period_label).collect();
    let last = p.periods.last().copied();
    let mut next = last;
    for k in 0..p.projected.len() {
        next = next.and_then(|x| x.next());
        cats.push(next.map_or_else(|| format!("+{}", k + 1), |x| period_label(&x)));
    }
    let mut s = StackedBars::new(meta(lang, "chart-projection", t.sections[3].title, 3), cats);
    s.first_projected = Some(p.periods.len());
    s.projected_label = t.projected.into();
    // Inactive at the bottom, Top on top.
    for i in (0..STATES.len()).rev() {
        let level = STATES[i];
        let mut values: Vec<f64> = p.counts.iter().map(|c| c[i] as f64).collect();
        values.extend(p.projected.iter().map(|c| c[i]));
        s.stacks.push(Stack::new(
            t.levels[level.index()],
            LEVEL_COLOURS[level.index()],
            values,
        ));
    }
    s
}

/// The whale curve.
pub(crate) fn whale(w: &crm_value::WhaleCurve, lang: Lang) -> LineChart {
    let t = lang.texts();
    let mut c = LineChart::new(
        meta(lang, "chart-whale", t.sections[4].title, 4),
        t.whale_axes[0],
        t.whale_axes[1],
    );
    c.x_scale = Scale::Percent;
    c.y_scale = Scale::Percent;
    c.lines.push(Line::new(t.whale_axes[2], w.points.clone()));
    c.y_rules.push((1.0, "100%".into()));
    let peak_x = w.points.iter().find(|p| p.1 >= w.peak).map_or(0.0, |p| p.0);
    c.marks.push(Mark::new(
        peak_x,
        w.peak,
        &fill(t.whale_axes[3], &[("share", lang.percent(w.peak))]),
    ));
    c
}

/// The profit pyramid: active levels cut on profit, the rest beneath.
pub(crate) fn profit_pyramid(p: &crm_value::Profitability, lang: Lang) -> PyramidChart {
    let t = lang.texts();
    let mut chart = PyramidChart::new(meta(lang, "chart-profit-pyramid", t.sections[5].title, 5));
    let active: Vec<Decimal> = p
        .pyramid
        .iter()
        .filter(|(l, _, _)| l.is_active())
        .map(|(_, _, v)| v.as_decimal())
        .collect();
    let mut panel = PyramidPanel::new(&period_label(&p.period));
    panel.empty = no_active(lang).into();
    for (level, n, v) in &p.pyramid {
        if level.is_active() {
            let share = share_of(v.as_decimal(), &active);
            panel
                .active
                .push(tier(lang, t.levels[level.index()], *level, *n, *v, share));
        } else {
            panel.beneath.push(Tier::new(
                t.unprofitable,
                *n as f64,
                &lang.count(*n),
                &lang.money(*v),
                palette::VERMILLION,
            ));
        }
    }
    chart.panels.push(panel);
    chart
}

/// RFM's R × F grid: R from 5 (top) to 1, F from 1 to 5, segment names.
pub(crate) fn rfm_grid(r: &crm_value::RfmGrid, lang: Lang) -> Grid {
    let t = lang.texts();
    let mut groups: Vec<String> = Vec::new();
    let mut grid = Grid::new(
        meta(lang, "chart-rfm", t.sections[6].title, 6),
        t.rfm_axes[0],
        t.rfm_axes[1],
        (1..=5).rev().map(|r| r.to_string()).collect(),
        (1..=5).map(|f| f.to_string()).collect(),
    );
    for i in 0..5 {
        let mut row = Vec::new();
        for j in 0..5 {
            // Row 0 is R score 5.
            let (ri, fi) = (4 - i, j);
            let n = r.counts[ri][fi];
            let shown = lang.segment(&r.cell_segments[ri][fi]).to_string();
            let g = groups.iter().position(|x| *x == shown).unwrap_or_else(|| {
                groups.push(shown.clone());
                groups.len() - 1
            });
            row.push(GridCell::new(g, n as f64, &lang.count(n)));
        }
        grid.cells.push(row);
    }
    grid.groups = groups;
    grid
}

/// Growth room per level (Small and Medium first: the ones to develop).
pub(crate) fn wallet_bars(w: &crm_value::Wallet, lang: Lang) -> Bars {
    let t = lang.texts();
    let mut b = Bars::new(meta(lang, "chart-wallet", t.sections[7].title, 7));
    for level in [Level::Small, Level::Medium, Level::Big, Level::Top] {
        let rooms = w
            .shares
            .iter()
            .filter(|s| s.level == level && s.room.is_positive())
            .map(|s| s.room.as_decimal());
        let (length, label) = total_label(rooms, |m| lang.money_short(m));
        let n = w
            .shares
            .iter()
            .filter(|s| s.level == level && s.room.is_positive())
            .count() as u64;
        b.bars.push(Bar::new(
            t.levels[level.index()],
            length,
            &format!("{} ({} {})", label, lang.count(n), t.customers),
        ));
    }
    b.colour = palette::GREEN.into();
    b
}

/// A histogram of `values` over `bins` equal bins from `lo` to `hi`
/// (values outside go to the end bins).
fn histogram(
    meta: Meta,
    x_label: &str,
    values: &[f64],
    (lo, hi, bins): (f64, f64, usize),
    label: impl Fn(f64, f64) -> String,
    lang: Lang,
) -> Histogram {
    let mut counts = vec![0u64; bins];
    let width = (hi - lo) / bins as f64;
    for v in values.iter().filter(|v| v.is_finite()) {
        let k = if width > 0.0 {
            (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1)
        } else {
            0
        };
        counts[k] += 1;
    }
    let mut h = Histogram::new(meta, x_label);
    for (k, c) in counts.iter().enumerate() {
        let a = lo + k as f64 * width;
        h.bins
            .push(Bin::new(&label(a, a + width), *c as f64, &lang.count(*c)));
    }
    h
}

/// The distribution of P(alive).
pub(crate) fn p_alive(l: &Lifetime, lang: Lang) -> Histogram {
    let t = lang.texts();
    let f = lang.numbers();
    histogram(
        meta(lang, "chart-p-alive", "P(alive)", 8),
        t.clv_axes[0],
        &l.p_alive,
        (0.0, 1.0, 10),
        |a, b| format!("{}–{}", f.format(a, 1), f.format(b, 1)),
        lang,
    )
}

/// The distribution of the expected value per customer, up to the 99th
/// percentile (the last bin holds the rest).
pub(crate) fn value_histogram(l: &Lifetime, lang: Lang) -> Histogram {
    let t = lang.texts();
    let mut sorted: Vec<f64> = l.value.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted
        .get((sorted.len() as f64 * 0.99) as usize)
        .or(sorted.last())
        .copied()
        .unwrap_or(1.0)
        .max(1.0);
    let step = nice(p99 / 12.0);
    let bins = ((p99 / step).ceil() as usize).clamp(1, 12);
    let hi = step * bins as f64;
    histogram(
        meta(lang, "chart-clv-value", t.clv_axes[1], 9),
        t.clv_axes[1],
        &l.value,
        (0.0, hi, bins),
        |a, _| lang.short(a),
        lang,
    )
}

fn nice(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    let f = v / mag;
    let n = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * mag
}

/// Holdout purchases, actual and predicted, by calibration frequency.
pub(crate) fn holdout(h: &HoldoutCheck, model: &str, lang: Lang) -> LineChart {
    let t = lang.texts();
    let mut c = LineChart::new(
        meta(lang, "chart-holdout", t.sections[9].title, 10),
        t.holdout_axes[0],
        t.holdout_axes[1],
    );
    let pts = |g: fn(&crm_clv::checks::FrequencyCheck) -> f64| {
        h.rows
            .iter()
            .map(|r| (f64::from(r.frequency), g(r)))
            .collect::<Vec<_>>()
    };
    c.lines.push(Line::new(t.clv_axes[3], pts(|r| r.actual)));
    c.lines.push(
        Line::new(
            &format!("{} ({model})", t.clv_axes[2]),
            pts(|r| r.predicted),
        )
        .dashed(),
    );
    c
}

/// Cumulative repeat purchases, actual and predicted, by week since the
/// cohort's first purchase, with the calibration end marked.
pub(crate) fn tracking(h: &HoldoutCheck, model: &str, lang: Lang) -> LineChart {
    let t = lang.texts();
    let start = h.tracking.first().map(|p| p.date);
    let weeks = |d: crm_core::NaiveDate| start.map_or(0.0, |s| (d - s).num_days() as f64 / 7.0);
    let mut c = LineChart::new(
        meta(lang, "chart-tracking", t.tracking_axes[2], 11),
        &fill(
            t.tracking_axes[0],
            &[("start", start.map(|s| s.to_string()).unwrap_or_default())],
        ),
        t.tracking_axes[1],
    );
    c.lines.push(Line::new(
        t.clv_axes[3],
        h.tracking
            .iter()
            .map(|p| (weeks(p.date), p.actual))
            .collect(),
    ));
    c.lines.push(
        Line::new(
            &format!("{} ({model})", t.clv_axes[2]),
            h.tracking
                .iter()
                .map(|p| (weeks(p.date), p.predicted))
                .collect(),
        )
        .dashed(),
    );
    c.x_rules
        .push((weeks(h.calibration_end), h.calibration_end.to_string()));
    c
}

/// The first letter in upper case (the terminal tables' labels are lower
/// case).
pub(crate) fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The `f64` of an exact share.
pub(crate) fn share_f64(d: Decimal) -> f64 {
    f64_of(Money::new(d))
}

/// The leads created in the period that reached each stage, with the
/// conversion from the stage before.
pub(crate) fn funnel(f: &crm_ops::Funnel, lang: Lang) -> Bars {
    let t = lang.texts();
    let mut b = Bars::new(meta(lang, "chart-funnel", t.sections[11].title, 12));
    for s in &f.total.stages {
        let name = capital(lang.lead_stage(s.stage.as_str()));
        let text = match s.conversion {
            Some(c) => fill(
                t.ops.funnel_bar,
                &[
                    ("reached", lang.count(s.reached)),
                    ("conversion", lang.percent(c)),
                ],
            ),
            None => lang.count(s.reached),
        };
        b.bars.push(Bar::new(&name, s.reached as f64, &text));
    }
    b
}

/// Complaints received, resolved within the service level and open at the
/// period's end.
pub(crate) fn complaint_handling(r: &crm_ops::ComplaintReport, lang: Lang) -> Bars {
    let t = lang.texts();
    let mut b = Bars::new(meta(lang, "chart-complaints", t.sections[12].title, 13));
    let sla = [("sla", lang.count(u64::from(r.sla_days)))];
    let [received, within, open] = t.ops.complaint_bars;
    for (label, n, colour) in [
        (received.to_string(), r.received, palette::BLUE),
        (fill(within, &sla), r.within_sla, palette::GREEN),
        (open.to_string(), r.open_at_end, palette::VERMILLION),
    ] {
        b.bars
            .push(Bar::new(&label, n as f64, &lang.count(n)).colour(colour));
    }
    b
}

/// Retention in this period of the previous period's active customers by
/// complaint status, each with its 95% interval.
pub(crate) fn complaint_retention(
    r: &crm_ops::ComplaintReport,
    period: &crm_core::Period,
    lang: Lang,
) -> Bars {
    let t = lang.texts();
    let title = fill(
        t.ops.retention_title,
        &[
            ("previous", period_label(&r.period)),
            ("period", period_label(period)),
        ],
    );
    let mut b = Bars::new(meta(lang, "chart-complaint-retention", &title, 14));
    let colours = [palette::BLUE, palette::GREEN, palette::VERMILLION];
    for (g, colour) in r.retention.iter().zip(colours) {
        let k = crm_ops::ComplaintGroup::ALL
            .iter()
            .position(|x| *x == g.group)
            .unwrap_or(0);
        let name = capital(t.complaints_table.groups[k]);
        let Some(rate) = g.rate else {
            b.bars.push(Bar::new(&name, 0.0, "–").colour(colour));
            continue;
        };
        let rate = share_f64(rate);
        let text = format!(
            "{} ({} {})",
            lang.percent(rate),
            lang.count(g.customers),
            t.customers
        );
        let mut bar = Bar::new(&name, rate, &text).colour(colour);
        if let Some((lo, hi)) = crm_ops::wilson(g.retained, g.customers) {
            bar = bar.interval(lo, hi);
        }
        b.bars.push(bar);
    }
    b
}

/// The response rate of the treated and the control group, with their
/// 95% intervals.
pub(crate) fn campaign(c: &crm_ops::CampaignResult, lang: Lang) -> Bars {
    let t = lang.texts();
    let title = fill(t.ops.campaign_title, &[("campaign", c.campaign.clone())]);
    let mut b = Bars::new(meta(lang, "chart-campaign", &title, 15));
    let names = &t.campaign_table.columns;
    for (name, g, colour) in [
        (names[1], &c.treated, palette::BLUE),
        (names[2], &c.control, palette::GREY),
    ] {
        let rate = g.response_rate.map_or(0.0, share_f64);
        let text = format!(
            "{} ({} / {})",
            g.response_rate
                .map_or_else(|| "–".to_string(), |_| lang.percent(rate)),
            lang.count(g.responders),
            lang.count(g.customers)
        );
        let mut bar = Bar::new(&capital(name), rate, &text).colour(colour);
        if let Some((lo, hi)) = crm_ops::wilson(g.responders, g.customers) {
            bar = bar.interval(lo, hi);
        }
        b.bars.push(bar);
    }
    b
}

/// Each share of the scorecard with a value, a benchmark or a target:
/// the value, then the benchmark and the target beneath it.
pub(crate) fn scorecard(s: &crm_ops::Scorecard, lang: Lang) -> Bars {
    use crm_ops::Unit;
    let t = lang.texts();
    let mut b = Bars::new(meta(lang, "chart-scorecard", t.sections[14].title, 16));
    let [value, benchmark, target] = t.ops.scorecard_series;
    for (k, f) in s.figures.iter().enumerate() {
        if f.unit != Unit::Share
            || (f.value.is_none() && f.benchmark.is_none() && f.target.is_none())
        {
            continue;
        }
        let name = t.scorecard_table.figures.get(k).copied().unwrap_or("");
        let v = f.value.map(share_f64);
        b.bars.push(
            Bar::new(
                &format!("{} ({value})", capital(name)),
                v.unwrap_or(0.0),
                &v.map_or_else(|| t.ops.not_measured.to_string(), |v| lang.percent(v)),
            )
            .colour(palette::BLUE),
        );
        if let Some(bm) = f.benchmark {
            let v = share_f64(bm.value);
            let dir = match bm.direction {
                crm_ops::Direction::Above => t.scorecard_table.directions[1],
                _ => t.scorecard_table.directions[0],
            };
            b.bars.push(
                Bar::new(
                    &format!("  {benchmark}"),
                    v,
                    &format!("{dir}{}", lang.percent(v)),
                )
                .colour(palette::GREY),
            );
        }
        if let Some(tg) = f.target {
            let v = share_f64(tg);
            b.bars.push(
                Bar::new(&format!("  {target}"), v, &lang.percent(v)).colour(palette::ORANGE),
            );
        }
    }
    b
}

/// The strategies in the method's order (target, acquire, retain,
/// develop, phase out) with their action counts, zero included, then any
/// other name the summary holds.
pub(crate) fn strategy_counts(a: &Actions) -> Vec<(&str, u64)> {
    let known: Vec<&str> = crm_strategy::Strategy::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let mut out: Vec<(&str, u64)> = known
        .iter()
        .map(|k| (*k, a.summary.by_strategy.get(*k).copied().unwrap_or(0)))
        .collect();
    out.extend(
        a.summary
            .by_strategy
            .iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, n)| (k.as_str(), *n)),
    );
    out
}

/// The owners with their action counts, most actions first (ties by
/// name).
pub(crate) fn owner_counts(a: &Actions) -> Vec<(&str, u64)> {
    let mut out: Vec<(&str, u64)> = a
        .summary
        .by_owner
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    out.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(y.0)));
    out
}

/// `n` of `total` actions as a count with its share.
fn count_share(lang: Lang, n: u64, total: u64) -> String {
    if total == 0 {
        return lang.count(n);
    }
    format!(
        "{} ({})",
        lang.count(n),
        lang.percent(n as f64 / total as f64)
    )
}

/// Actions per strategy, in the method's order.
pub(crate) fn actions_by_strategy(a: &Actions, lang: Lang) -> Bars {
    let t = lang.texts();
    let mut b = Bars::new(meta(
        lang,
        "chart-actions-strategy",
        t.actions.charts[0],
        17,
    ));
    for (name, n) in strategy_counts(a) {
        b.bars.push(Bar::new(
            &capital(lang.strategy(name)),
            n as f64,
            &count_share(lang, n, a.actions),
        ));
    }
    b
}

/// Actions per owner, most first.
pub(crate) fn actions_by_owner(a: &Actions, lang: Lang) -> Bars {
    let t = lang.texts();
    let mut b = Bars::new(meta(lang, "chart-actions-owner", t.actions.charts[1], 18));
    for (name, n) in owner_counts(a) {
        b.bars.push(Bar::new(
            &capital(lang.owner(name)),
            n as f64,
            &count_share(lang, n, a.actions),
        ));
    }
    b.colour = palette::GREEN.into();
    b
}

//! The line chart: the whale curve, the lifetime-value model checks.

use crate::bars::Axis;
use crate::svg::{Doc, Meta, escape, n, palette, text_width, tick_decimals, ticks};

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Line {
    /// The legend entry, also written at the line's end.
    pub name: String,
    /// The points in x order; non-finite points are left out.
    pub points: Vec<(f64, f64)>,
    /// Dashed (for a model's prediction against the actual, say).
    pub dashed: bool,
}

impl Line {
    /// A solid line.
    pub fn new(name: &str, points: Vec<(f64, f64)>) -> Line {
        Line {
            name: name.into(),
            points,
            dashed: false,
        }
    }

    /// The same line, dashed.
    pub fn dashed(mut self) -> Line {
        self.dashed = true;
        self
    }
}

/// A labelled point on a [`LineChart`] (the whale curve's peak, say).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Mark {
    /// Where.
    pub x: f64,
    /// Where.
    pub y: f64,
    /// What it says.
    pub text: String,
}

impl Mark {
    /// A mark.
    pub fn new(x: f64, y: f64, text: &str) -> Mark {
        Mark {
            x,
            y,
            text: text.into(),
        }
    }
}

/// How an axis writes its ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scale {
    /// Plain numbers.
    #[default]
    Number,
    /// Shares written as percentages (0.5 is `50%`).
    Percent,
}

/// A line chart with axes from zero (or below, when the data is),
/// gridlines, lines in the palette's colours, a legend, the name of each
/// line at its end (when there are several), reference lines and marks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LineChart {
    /// Id, title and description.
    pub meta: Meta,
    /// Under the x axis.
    pub x_label: String,
    /// Beside the y axis.
    pub y_label: String,
    /// Ticks of the x axis.
    pub x_scale: Scale,
    /// Ticks of the y axis.
    pub y_scale: Scale,
    /// The lines.
    pub lines: Vec<Line>,
    /// Horizontal reference lines: `(y, label)`.
    pub y_rules: Vec<(f64, String)>,
    /// Vertical reference lines: `(x, label)`.
    pub x_rules: Vec<(f64, String)>,
    /// Labelled points.
    pub marks: Vec<Mark>,
}

impl LineChart {
    /// A chart with axis labels and no lines yet.
    pub fn new(meta: Meta, x_label: &str, y_label: &str) -> LineChart {
        LineChart {
            meta,
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_scale: Scale::Number,
            y_scale: Scale::Number,
            lines: Vec::new(),
            y_rules: Vec::new(),
            x_rules: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const W: f64 = 720.0;
        const H: f64 = 420.0;
        const L: f64 = 76.0;
        const R: f64 = 110.0;
        const T: f64 = 50.0;
        const B: f64 = 58.0;
        let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
        let pts = || {
            self.lines
                .iter()
                .flat_map(|s| s.points.iter().filter(finite))
        };
        let mut xs: Vec<f64> = pts().map(|p| p.0).collect();
        let mut ys: Vec<f64> = pts().map(|p| p.1).collect();
        xs.extend(self.x_rules.iter().map(|r| r.0).filter(|v| v.is_finite()));
        ys.extend(self.y_rules.iter().map(|r| r.0).filter(|v| v.is_finite()));
        let xmin = xs.iter().copied().fold(0.0f64, f64::min);
        let xmax = xs.iter().copied().fold(0.0f64, f64::max);
        let ymin = ys.iter().copied().fold(0.0f64, f64::min);
        let ymax = ys.iter().copied().fold(0.0f64, f64::max);
        let xt = ticks(xmin, xmax, 6.0);
        let (x_lo, x_hi) = (
            xt.first().copied().unwrap_or(0.0),
            xt.last().copied().unwrap_or(1.0),
        );
        let x_span = if x_hi > x_lo { x_hi - x_lo } else { 1.0 };
        let sx = |x: f64| L + (x - x_lo) / x_span * (W - L - R);
        let axis = Axis::new(ymin, ymax, T + 10.0, H - B);
        let f = self.meta.numbers;
        let mut d = Doc::open(&self.meta, W, H);
        axis.draw(&mut d, L, W - R, f, self.y_scale == Scale::Percent);
        let xstep = if xt.len() > 1 { xt[1] - xt[0] } else { 1.0 };
        for &x in &xt {
            let label = match self.x_scale {
                Scale::Percent => f.percent(x, tick_decimals(xstep * 100.0)),
                Scale::Number => f.format(x, tick_decimals(xstep)),
            };
            d.line(sx(x), H - B, sx(x), H - B + 4.0, r##"stroke="#555555""##);
            d.text(
                sx(x),
                H - B + 17.0,
                "middle",
                r##"fill="#555555" font-size="11""##,
                &label,
            );
        }
        d.line(L, T + 10.0, L, H - B, r##"stroke="#555555""##);
        d.text(
            (L + W - R) / 2.0,
            H - 14.0,
            "middle",
            r##"fill="#444444""##,
            &self.x_label,
        );
        let cy = (T + H - B) / 2.0;
        d.text(
            18.0,
            cy,
            "middle",
            &format!(r##"fill="#444444" transform="rotate(-90 18 {})""##, n(cy)),
            &self.y_label,
        );
        for (y, label) in &self.y_rules {
            let yy = axis.y(*y);
            d.line(
                L,
                yy,
                W - R,
                yy,
                r##"stroke="#555555" stroke-dasharray="5 4""##,
            );
            d.text(
                W - R - 4.0,
                yy - 5.0,
                "end",
                r##"font-size="11" fill="#444444""##,
                label,
            );
        }
        for (x, label) in &self.x_rules {
            let xx = sx(*x);
            d.line(
                xx,
                T + 10.0,
                xx,
                H - B,
                r##"stroke="#555555" stroke-dasharray="5 4""##,
            );
            d.text(
                xx + 4.0,
                T + 22.0,
                "start",
                r##"font-size="11" fill="#444444""##,
                label,
            );
        }
        let mut end_labels: Vec<(f64, f64, String, &str)> = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let colour = palette::SERIES[i % palette::SERIES.len()];
            let path: Vec<String> = line
                .points
                .iter()
                .filter(finite)
                .map(|p| format!("{},{}", n(sx(p.0)), n(axis.y(p.1))))
                .collect();
            let dash = if line.dashed {
                r#" stroke-dasharray="7 4""#
            } else {
                ""
            };
            d.raw(&format!(
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash} points="{}"><title>{}</title></polyline>"#,
                path.join(" "),
                escape(&line.name)
            ));
            // Few points: draw them, so that each value is a visible mark.
            let shown: Vec<&(f64, f64)> = line.points.iter().filter(finite).collect();
            if shown.len() <= 30 {
                for p in &shown {
                    d.raw(&format!(
                        r##"<circle cx="{}" cy="{}" r="3" fill="{colour}" stroke="#FFFFFF" stroke-width="1"/>"##,
                        n(sx(p.0)),
                        n(axis.y(p.1))
                    ));
                }
            }
            // Names at the line ends tell several lines apart; one line
            // has its legend.
            if let (Some(last), true) = (shown.last(), self.lines.len() > 1) {
                end_labels.push((sx(last.0), axis.y(last.1), line.name.clone(), colour));
            }
            let ly = T + 16.0 + 18.0 * i as f64;
            let style = if line.dashed {
                r#"stroke-width="2.5" stroke-dasharray="7 4""#
            } else {
                r#"stroke-width="2.5""#
            };
            d.line(
                L + 12.0,
                ly,
                L + 40.0,
                ly,
                &format!(r#"stroke="{colour}" {style}"#),
            );
            d.text(L + 46.0, ly + 4.0, "start", "", &line.name);
        }
        // End labels, kept 14 px apart.
        end_labels.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut last_y = f64::NEG_INFINITY;
        for (x, y, name, colour) in end_labels {
            let y = y.max(last_y + 14.0);
            last_y = y;
            let text = crate::svg::fit(&name, R - 12.0, 11.0).unwrap_or_default();
            d.text(
                x + 6.0,
                y + 4.0,
                "start",
                &format!(r#"font-size="11" font-weight="600" fill="{colour}""#),
                &text,
            );
        }
        for m in &self.marks {
            if !(m.x.is_finite() && m.y.is_finite()) {
                continue;
            }
            let (x, y) = (sx(m.x), axis.y(m.y));
            d.raw(&format!(
                r##"<circle cx="{}" cy="{}" r="5" fill="none" stroke="#1A1A1A" stroke-width="1.5"/>"##,
                n(x),
                n(y)
            ));
            let anchor = if x + text_width(&m.text, 11.0) + 10.0 > W - R {
                "end"
            } else {
                "start"
            };
            let dx = if anchor == "end" { -8.0 } else { 8.0 };
            d.text(
                x + dx,
                y - 8.0,
                anchor,
                r#"font-size="11" font-weight="600""#,
                &m.text,
            );
        }
        d.finish()
    }
}

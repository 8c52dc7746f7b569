//! Bar charts: the waterfall (value bridge), stacked bars (projection),
//! the histogram and horizontal bars.

use crate::svg::{Doc, Meta, NumberFormat, fit, ink_on, palette, text_width, tick_decimals, ticks};

/// A vertical value axis from `lo` to `hi` with gridlines, over the plot
/// area `x0..x1`, `y_top..y_bottom`; returns the value-to-y mapping.
pub(crate) struct Axis {
    lo: f64,
    hi: f64,
    y_top: f64,
    y_bottom: f64,
}

impl Axis {
    pub(crate) fn new(lo: f64, hi: f64, y_top: f64, y_bottom: f64) -> Axis {
        let t = ticks(lo, hi, 5.0);
        let lo = t.first().copied().unwrap_or(0.0);
        let hi = t.last().copied().unwrap_or(1.0);
        Axis {
            lo,
            hi: if hi > lo { hi } else { lo + 1.0 },
            y_top,
            y_bottom,
        }
    }

    pub(crate) fn y(&self, v: f64) -> f64 {
        let v = if v.is_finite() { v } else { 0.0 };
        self.y_bottom - (v - self.lo) / (self.hi - self.lo) * (self.y_bottom - self.y_top)
    }

    /// Gridlines and tick labels (`percent`: values are shares).
    pub(crate) fn draw(&self, d: &mut Doc, x0: f64, x1: f64, f: NumberFormat, percent: bool) {
        let t = ticks(self.lo, self.hi, 5.0);
        let step = if t.len() > 1 { t[1] - t[0] } else { 1.0 };
        let dec = if percent {
            tick_decimals(step * 100.0)
        } else {
            tick_decimals(step)
        };
        for v in t {
            let y = self.y(v);
            let style = if v == 0.0 {
                r##"stroke="#555555""##
            } else {
                r##"stroke="#E5E5E5""##
            };
            d.line(x0, y, x1, y, style);
            let label = if percent {
                f.percent(v, dec)
            } else {
                short(f, v, dec)
            };
            d.text(
                x0 - 6.0,
                y + 4.0,
                "end",
                r##"fill="#555555" font-size="11""##,
                &label,
            );
        }
    }
}

/// Large axis values with k and M (Dutch: mln) so that labels stay short.
fn short(f: NumberFormat, v: f64, dec: usize) -> String {
    let a = v.abs();
    if a >= 1e6 {
        let m = if f.decimal == ',' { " mln" } else { "M" };
        format!("{}{m}", f.format(v / 1e6, tick_decimals(v / 1e6).min(2)))
    } else if a >= 1e4 {
        format!("{}k", f.format(v / 1e3, tick_decimals(v / 1e3).min(2)))
    } else {
        f.format(v, dec)
    }
}

/// One bar of a [`Waterfall`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WaterfallStep {
    /// The category under the bar.
    pub label: String,
    /// A total (drawn from zero, resets the running value) or a change
    /// (drawn from the running value).
    pub total: bool,
    /// The amount.
    pub value: f64,
    /// The amount as written on the bar.
    pub text: String,
}

impl WaterfallStep {
    /// A total bar.
    pub fn total(label: &str, value: f64, text: &str) -> WaterfallStep {
        WaterfallStep {
            label: label.into(),
            total: true,
            value,
            text: text.into(),
        }
    }

    /// A change.
    pub fn change(label: &str, value: f64, text: &str) -> WaterfallStep {
        WaterfallStep {
            label: label.into(),
            total: false,
            value,
            text: text.into(),
        }
    }
}

/// A waterfall: a starting total, the changes that lead to the final
/// total, and that total. Totals are blue, gains green, losses vermillion.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Waterfall {
    /// Id, title and description.
    pub meta: Meta,
    /// The bars, left to right.
    pub steps: Vec<WaterfallStep>,
}

impl Waterfall {
    /// A waterfall without steps yet.
    pub fn new(meta: Meta) -> Waterfall {
        Waterfall {
            meta,
            steps: Vec::new(),
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const LEFT: f64 = 70.0;
        const TOP: f64 = 50.0;
        const PLOT_H: f64 = 260.0;
        let bw = 84.0;
        let w = (LEFT + self.steps.len() as f64 * bw + 20.0).max(400.0);
        let h = TOP + PLOT_H + 56.0;
        let mut run = 0.0f64;
        let mut spans = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            let v = if s.value.is_finite() { s.value } else { 0.0 };
            let (a, b) = if s.total {
                run = v;
                (0.0, v)
            } else {
                let a = run;
                run += v;
                (a, run)
            };
            spans.push((a, b));
        }
        let lo = spans.iter().map(|s| s.0.min(s.1)).fold(0.0f64, f64::min);
        let hi = spans.iter().map(|s| s.0.max(s.1)).fold(0.0f64, f64::max);
        let mut d = Doc::open(&self.meta, w, h);
        let axis = Axis::new(lo, hi, TOP + 14.0, TOP + PLOT_H);
        axis.draw(&mut d, LEFT, w - 12.0, self.meta.numbers, false);
        for (i, (s, &(a, b))) in self.steps.iter().zip(&spans).enumerate() {
            let x = LEFT + i as f64 * bw + 10.0;
            let colour = if s.total {
                palette::BLUE
            } else if b >= a {
                palette::GREEN
            } else {
                palette::VERMILLION
            };
            let (y0, y1) = (axis.y(a.max(b)), axis.y(a.min(b)));
            d.rect(
                x,
                y0,
                bw - 20.0,
                (y1 - y0).max(1.0),
                colour,
                "",
                Some(&format!("{}: {}", s.label, s.text)),
            );
            // The amount above a rising bar, below a falling one.
            let ty = if b >= a { y0 - 5.0 } else { y1 + 13.0 };
            d.text(
                x + (bw - 20.0) / 2.0,
                ty,
                "middle",
                r#"font-size="11" font-weight="600""#,
                &s.text,
            );
            if i + 1 < self.steps.len() {
                let yb = axis.y(b);
                d.line(
                    x + bw - 20.0,
                    yb,
                    x + bw,
                    yb,
                    r##"stroke="#777777" stroke-dasharray="3 2""##,
                );
            }
            let label = fit(&s.label, bw - 4.0, 11.0).unwrap_or_default();
            d.text(
                x + (bw - 20.0) / 2.0,
                TOP + PLOT_H + 18.0,
                "middle",
                r#"font-size="11""#,
                &label,
            );
        }
        d.finish()
    }
}

/// One layer of [`StackedBars`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Stack {
    /// The legend entry.
    pub name: String,
    /// Fill colour.
    pub colour: String,
    /// One value per category.
    pub values: Vec<f64>,
}

impl Stack {
    /// A layer.
    pub fn new(name: &str, colour: &str, values: Vec<f64>) -> Stack {
        Stack {
            name: name.into(),
            colour: colour.into(),
            values,
        }
    }
}

/// Stacked vertical bars: one bar per category, one layer per stack
/// (bottom first). Categories from `first_projected` on are drawn lighter
/// with a dashed outline and marked.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StackedBars {
    /// Id, title and description.
    pub meta: Meta,
    /// The categories (periods), left to right.
    pub categories: Vec<String>,
    /// The layers, bottom first.
    pub stacks: Vec<Stack>,
    /// The first category that is a projection, if any.
    pub first_projected: Option<usize>,
    /// Written under projected categories (`projected`).
    pub projected_label: String,
    /// Decimals of the numbers written on the segments.
    pub decimals: usize,
}

impl StackedBars {
    /// Bars with categories, no layers yet.
    pub fn new(meta: Meta, categories: Vec<String>) -> StackedBars {
        StackedBars {
            meta,
            categories,
            stacks: Vec::new(),
            first_projected: None,
            projected_label: "projected".into(),
            decimals: 0,
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const LEFT: f64 = 64.0;
        const TOP: f64 = 50.0;
        const PLOT_H: f64 = 280.0;
        const LEGEND: f64 = 150.0;
        let bw = 76.0;
        let nc = self.categories.len();
        let w = LEFT + nc as f64 * bw + LEGEND;
        let h = TOP + PLOT_H + 52.0;
        let val = |s: &Stack, i: usize| {
            s.values
                .get(i)
                .copied()
                .filter(|v| v.is_finite())
                .unwrap_or(0.0)
                .max(0.0)
        };
        let totals: Vec<f64> = (0..nc)
            .map(|i| self.stacks.iter().map(|s| val(s, i)).sum())
            .collect();
        let hi = totals.iter().copied().fold(0.0f64, f64::max);
        let mut d = Doc::open(&self.meta, w, h);
        let axis = Axis::new(0.0, hi, TOP + 14.0, TOP + PLOT_H);
        let f = self.meta.numbers;
        axis.draw(&mut d, LEFT, LEFT + nc as f64 * bw, f, false);
        for (i, &total) in totals.iter().enumerate() {
            let x = LEFT + i as f64 * bw + 12.0;
            let projected = self.first_projected.is_some_and(|p| i >= p);
            let extra = if projected {
                r##"fill-opacity="0.55" stroke="#333333" stroke-dasharray="3 2""##
            } else {
                ""
            };
            let mut base = 0.0;
            for s in &self.stacks {
                let v = val(s, i);
                if v <= 0.0 {
                    continue;
                }
                let (y0, y1) = (axis.y(base + v), axis.y(base));
                let text = f.format(v, self.decimals);
                d.rect(
                    x,
                    y0,
                    bw - 24.0,
                    y1 - y0,
                    &s.colour,
                    extra,
                    Some(&format!("{} {}: {}", self.categories[i], s.name, text)),
                );
                if y1 - y0 >= 13.0 && text_width(&text, 10.5) < bw - 26.0 {
                    let ink = ink_on(&s.colour, if projected { 0.55 } else { 1.0 });
                    d.text(
                        x + (bw - 24.0) / 2.0,
                        (y0 + y1) / 2.0 + 4.0,
                        "middle",
                        &format!(r#"font-size="10.5" fill="{ink}""#),
                        &text,
                    );
                }
                base += v;
            }
            d.text(
                x + (bw - 24.0) / 2.0,
                axis.y(total) - 5.0,
                "middle",
                r#"font-size="11" font-weight="600""#,
                &f.format(total, self.decimals),
            );
            let label = fit(&self.categories[i], bw - 4.0, 11.0).unwrap_or_default();
            d.text(
                x + (bw - 24.0) / 2.0,
                TOP + PLOT_H + 17.0,
                "middle",
                r#"font-size="11""#,
                &label,
            );
            if projected {
                d.text(
                    x + (bw - 24.0) / 2.0,
                    TOP + PLOT_H + 31.0,
                    "middle",
                    r##"font-size="10" font-style="italic" fill="#555555""##,
                    &self.projected_label,
                );
            }
        }
        // Legend, top layer first so that it reads like the bars.
        let lx = LEFT + nc as f64 * bw + 14.0;
        for (k, s) in self.stacks.iter().rev().enumerate() {
            let y = TOP + 20.0 + k as f64 * 20.0;
            d.rect(lx, y - 11.0, 14.0, 14.0, &s.colour, "", None);
            let name = fit(&s.name, LEGEND - 30.0, 12.0).unwrap_or_default();
            d.text(lx + 20.0, y, "start", "", &name);
        }
        d.finish()
    }
}

/// One bin of a [`Histogram`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Bin {
    /// The range under the bar (`0.2–0.3`).
    pub label: String,
    /// The height (customers).
    pub count: f64,
    /// The height as written above the bar.
    pub text: String,
}

impl Bin {
    /// A bin.
    pub fn new(label: &str, count: f64, text: &str) -> Bin {
        Bin {
            label: label.into(),
            count,
            text: text.into(),
        }
    }
}

/// A histogram: adjacent vertical bars, a count on each.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Histogram {
    /// Id, title and description.
    pub meta: Meta,
    /// The bins, left to right.
    pub bins: Vec<Bin>,
    /// Under the bins (`P(alive)`).
    pub x_label: String,
    /// Fill colour. Default blue.
    pub colour: String,
}

impl Histogram {
    /// A histogram without bins yet.
    pub fn new(meta: Meta, x_label: &str) -> Histogram {
        Histogram {
            meta,
            bins: Vec::new(),
            x_label: x_label.into(),
            colour: palette::BLUE.into(),
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const LEFT: f64 = 64.0;
        const TOP: f64 = 50.0;
        const PLOT_H: f64 = 230.0;
        let nb = self.bins.len();
        let bw = (560.0 / nb.max(1) as f64).clamp(24.0, 90.0);
        let w = (LEFT + nb as f64 * bw + 20.0).max(420.0);
        let h = TOP + PLOT_H + 62.0;
        let hi = self
            .bins
            .iter()
            .map(|b| b.count)
            .filter(|c| c.is_finite())
            .fold(0.0f64, f64::max);
        let mut d = Doc::open(&self.meta, w, h);
        let axis = Axis::new(0.0, hi, TOP + 14.0, TOP + PLOT_H);
        axis.draw(
            &mut d,
            LEFT,
            LEFT + nb as f64 * bw,
            self.meta.numbers,
            false,
        );
        // Label every k-th bin when the labels would collide.
        let widest = self
            .bins
            .iter()
            .map(|b| text_width(&b.label, 10.5))
            .fold(0.0f64, f64::max);
        let every = ((widest + 6.0) / bw).ceil().max(1.0) as usize;
        for (i, b) in self.bins.iter().enumerate() {
            let x = LEFT + i as f64 * bw;
            let c = if b.count.is_finite() {
                b.count.max(0.0)
            } else {
                0.0
            };
            let y = axis.y(c);
            d.rect(
                x + 1.0,
                y,
                bw - 2.0,
                axis.y(0.0) - y,
                &self.colour,
                "",
                Some(&format!("{}: {}", b.label, b.text)),
            );
            if c > 0.0 && text_width(&b.text, 10.0) <= bw + 8.0 {
                d.text(
                    x + bw / 2.0,
                    y - 4.0,
                    "middle",
                    r#"font-size="10""#,
                    &b.text,
                );
            }
            if i % every == 0 {
                d.text(
                    x + bw / 2.0,
                    TOP + PLOT_H + 16.0,
                    "middle",
                    r#"font-size="10.5""#,
                    &b.label,
                );
            }
        }
        d.text(
            LEFT + nb as f64 * bw / 2.0,
            TOP + PLOT_H + 42.0,
            "middle",
            r##"fill="#444444""##,
            &self.x_label,
        );
        d.finish()
    }
}

/// One bar of [`Bars`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Bar {
    /// The name left of the bar.
    pub label: String,
    /// The length.
    pub value: f64,
    /// The value as written after the bar.
    pub text: String,
    /// Its own fill colour; `None` for the chart's.
    pub colour: Option<String>,
    /// An interval drawn as a whisker across the bar's end (such as a 95%
    /// interval), low and high on the bars' scale.
    pub interval: Option<(f64, f64)>,
}

impl Bar {
    /// A bar.
    pub fn new(label: &str, value: f64, text: &str) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: text.into(),
            colour: None,
            interval: None,
        }
    }

    /// The same bar in `colour` (a `#rrggbb` colour, such as one of the
    /// [`palette`]).
    pub fn colour(mut self, colour: &str) -> Bar {
        self.colour = Some(colour.into());
        self
    }

    /// The same bar with an interval from `low` to `high` drawn across it.
    pub fn interval(mut self, low: f64, high: f64) -> Bar {
        self.interval = Some((low, high));
        self
    }
}

/// Horizontal bars, one per row, the value written after each.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Bars {
    /// Id, title and description.
    pub meta: Meta,
    /// The bars, top first.
    pub bars: Vec<Bar>,
    /// Fill colour. Default blue.
    pub colour: String,
}

impl Bars {
    /// Bars without rows yet.
    pub fn new(meta: Meta) -> Bars {
        Bars {
            meta,
            bars: Vec::new(),
            colour: palette::BLUE.into(),
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const TOP: f64 = 46.0;
        const ROW: f64 = 34.0;
        const W: f64 = 640.0;
        let left = self
            .bars
            .iter()
            .map(|b| text_width(&b.label, 12.0))
            .fold(60.0f64, f64::max)
            .min(200.0)
            + 20.0;
        let right = self
            .bars
            .iter()
            // Bold text runs wider than the estimate.
            .map(|b| text_width(&b.text, 11.0) * 1.1)
            .fold(40.0f64, f64::max)
            .min(220.0)
            + 24.0;
        let h = TOP + self.bars.len() as f64 * ROW + 12.0;
        let max = self
            .bars
            .iter()
            .flat_map(|b| {
                let (lo, hi) = b.interval.unwrap_or((0.0, 0.0));
                [b.value.abs(), lo.abs(), hi.abs()]
            })
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let span = W - left - right;
        let at = |v: f64| {
            if max > 0.0 && v.is_finite() {
                v.max(0.0) / max * span
            } else {
                0.0
            }
        };
        let mut d = Doc::open(&self.meta, W, h);
        for (i, b) in self.bars.iter().enumerate() {
            let y = TOP + i as f64 * ROW;
            let label = fit(&b.label, left - 20.0, 12.0).unwrap_or_default();
            d.text(left - 8.0, y + 18.0, "end", "", &label);
            let len = at(b.value);
            d.rect(
                left,
                y + 4.0,
                len,
                ROW - 10.0,
                b.colour.as_deref().unwrap_or(&self.colour),
                "",
                Some(&format!("{}: {}", b.label, b.text)),
            );
            let mut end = len;
            if let Some((lo, hi)) = b.interval {
                let (x0, x1) = (left + at(lo.min(hi)), left + at(lo.max(hi)));
                let mid = y + 4.0 + (ROW - 10.0) / 2.0;
                let style = r##"stroke="#1A1A1A" stroke-width="1.5""##;
                d.line(x0, mid, x1, mid, style);
                d.line(x0, mid - 6.0, x0, mid + 6.0, style);
                d.line(x1, mid - 6.0, x1, mid + 6.0, style);
                end = end.max(x1 - left);
            }
            d.text(
                left + end + 6.0,
                y + 18.0,
                "start",
                r#"font-size="11" font-weight="600""#,
                &b.text,
            );
        }
        d.line(left, TOP, left, h - 12.0, r##"stroke="#555555""##);
        d.finish()
    }
}

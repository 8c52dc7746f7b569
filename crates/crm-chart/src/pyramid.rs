//! The customer pyramid: active levels as horizontal slices of a triangle
//! whose areas are proportional to the customers, the levels that are not
//! active as bars beneath; one panel per period, side by side.

use crate::svg::{Doc, Meta, fit, ink_on, n, text_width};

/// One level of a pyramid panel.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Tier {
    /// The level's name, drawn in bold (`Top`).
    pub label: String,
    /// Customers at the level: the slice's area (a bar's length beneath).
    pub customers: f64,
    /// The customers as written next to the name (`1,234`).
    pub count: String,
    /// The second line of the label: value and share of value.
    pub detail: String,
    /// Fill colour (`#rrggbb`).
    pub colour: String,
}

impl Tier {
    /// A level with its name, customers (as a number and as written),
    /// detail line and colour.
    pub fn new(label: &str, customers: f64, count: &str, detail: &str, colour: &str) -> Tier {
        Tier {
            label: label.into(),
            customers: if customers.is_finite() {
                customers.max(0.0)
            } else {
                0.0
            },
            count: count.into(),
            detail: detail.into(),
            colour: colour.into(),
        }
    }
}

/// One period's pyramid.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PyramidPanel {
    /// Drawn above the panel (`2025`).
    pub heading: String,
    /// The active levels, top first: slices of the triangle.
    pub active: Vec<Tier>,
    /// The levels beneath (inactive, prospect, suspect): bars.
    pub beneath: Vec<Tier>,
    /// Written in place of the triangle when no customer is active.
    pub empty: String,
}

impl PyramidPanel {
    /// A panel with its heading and no levels yet.
    pub fn new(heading: &str) -> PyramidPanel {
        PyramidPanel {
            heading: heading.into(),
            active: Vec::new(),
            beneath: Vec::new(),
            empty: "no active customers".into(),
        }
    }
}

/// The customer pyramid of one or more periods.
///
/// Within a panel the area of each slice is proportional to its
/// customers (the triangle is cut at depths `√(cumulative share)`), and
/// across panels the triangles share one scale, so a pyramid with fewer
/// active customers is drawn smaller. The bars beneath share one scale
/// across panels too (length proportional to customers).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PyramidChart {
    /// Id, title and description.
    pub meta: Meta,
    /// The panels, left to right (previous period first reads naturally).
    pub panels: Vec<PyramidPanel>,
}

const PANEL_W: f64 = 500.0;
const TRI_H: f64 = 230.0;
const TRI_B: f64 = 250.0;
const BAR_H: f64 = 24.0;
const TOP: f64 = 62.0;

impl PyramidChart {
    /// A chart with no panels yet.
    pub fn new(meta: Meta) -> PyramidChart {
        PyramidChart {
            meta,
            panels: Vec::new(),
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        let panels = self.panels.len().max(1) as f64;
        let rows = self
            .panels
            .iter()
            .map(|p| p.beneath.len())
            .max()
            .unwrap_or(0) as f64;
        let w = PANEL_W * panels;
        let h = TOP + TRI_H + 24.0 + rows * (BAR_H + 8.0) + 12.0;
        let mut d = Doc::open(&self.meta, w, h);
        let total = |p: &PyramidPanel| p.active.iter().map(|t| t.customers).sum::<f64>();
        let max_active = self.panels.iter().map(total).fold(0.0f64, f64::max);
        let max_bar = self
            .panels
            .iter()
            .flat_map(|p| p.beneath.iter().map(|t| t.customers))
            .fold(0.0f64, f64::max);
        for (i, p) in self.panels.iter().enumerate() {
            let x0 = i as f64 * PANEL_W;
            if i > 0 {
                d.line(x0, TOP - 20.0, x0, h - 10.0, r##"stroke="#DDDDDD""##);
            }
            d.text(
                x0 + 16.0,
                TOP - 16.0,
                "start",
                r#"font-size="14" font-weight="600""#,
                &p.heading,
            );
            panel(&mut d, p, x0, total(p), max_active, max_bar);
        }
        d.finish()
    }
}

fn panel(d: &mut Doc, p: &PyramidPanel, x0: f64, total: f64, max_active: f64, max_bar: f64) {
    let apex_x = x0 + 16.0 + TRI_B / 2.0;
    if total <= 0.0 {
        d.text(
            apex_x,
            TOP + TRI_H / 2.0,
            "middle",
            r##"fill="#555555""##,
            &p.empty,
        );
    } else {
        // Similar triangles: area ∝ total means each side ∝ √total.
        let scale = (total / max_active).sqrt();
        let (th, tb) = (TRI_H * scale, TRI_B * scale);
        let top = TOP + (TRI_H - th);
        let half = |depth: f64| depth / th * tb / 2.0;
        let mut cum = 0.0;
        let mut label_y = f64::NEG_INFINITY;
        for t in &p.active {
            let d0 = (cum / total).sqrt() * th;
            cum += t.customers;
            let d1 = (cum / total).sqrt() * th;
            let (y0, y1) = (top + d0, top + d1);
            let pts = format!(
                "{},{} {},{} {},{} {},{}",
                n(apex_x - half(d0)),
                n(y0),
                n(apex_x + half(d0)),
                n(y0),
                n(apex_x + half(d1)),
                n(y1),
                n(apex_x - half(d1)),
                n(y1)
            );
            d.raw(&format!(
                r##"<polygon points="{pts}" fill="{}" stroke="#FFFFFF" stroke-width="1"><title>{}</title></polygon>"##,
                t.colour,
                crate::svg::escape(&format!("{} {}: {}", t.label, t.count, t.detail))
            ));
            // Labels right of the triangle, at the slice's middle, pushed
            // down so that thin slices do not overlap.
            let mid = (y0 + y1) / 2.0;
            let ly = (mid + 4.0).max(label_y + 30.0);
            label_y = ly;
            let lx = x0 + 16.0 + TRI_B + 14.0;
            let edge = apex_x + half((d0 + d1) / 2.0);
            d.line(
                edge + 2.0,
                mid,
                lx - 4.0,
                ly - 4.0,
                r##"stroke="#999999" stroke-width="0.8""##,
            );
            d.text(
                lx,
                ly,
                "start",
                r#"font-weight="600""#,
                &format!("{} · {}", t.label, t.count),
            );
            let room = PANEL_W - (lx - x0) - 8.0;
            if let Some(s) = fit(&t.detail, room, 11.0) {
                d.text(
                    lx,
                    ly + 14.0,
                    "start",
                    r##"font-size="11" fill="#444444""##,
                    &s,
                );
            }
        }
    }
    let mut y = TOP + TRI_H + 24.0;
    for t in &p.beneath {
        let full = PANEL_W - 32.0;
        let len = if max_bar > 0.0 {
            (t.customers / max_bar * full * 0.55).max(if t.customers > 0.0 { 2.0 } else { 0.0 })
        } else {
            0.0
        };
        d.rect(
            x0 + 16.0,
            y,
            len,
            BAR_H,
            &t.colour,
            "",
            Some(&format!("{} {}: {}", t.label, t.count, t.detail)),
        );
        let label = format!("{} · {}", t.label, t.count);
        let text = format!("{label}   {}", t.detail);
        // Inside the bar when it fits, else after it.
        if text_width(&text, 12.0) + 12.0 < len {
            let ink = ink_on(&t.colour, 1.0);
            d.text(
                x0 + 22.0,
                y + 16.0,
                "start",
                &format!(r#"fill="{ink}""#),
                &text,
            );
        } else {
            let x = x0 + 16.0 + len + 6.0;
            let room = PANEL_W - (x - x0) - 8.0;
            if let Some(s) = fit(&text, room, 12.0) {
                d.text(x, y + 16.0, "start", "", &s);
            }
        }
        y += BAR_H + 8.0;
    }
}

//! Charts of a matrix of cells: the heatmap (migration matrix) and the
//! grid of named groups (RFM's R × F grid).

use crate::svg::{Doc, Meta, fit, ink_on, n, palette};

/// Which way a heatmap cell points: up and down are drawn in two colours
/// (bluish green and vermillion), the rest in grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// A gain (up-migration, new, reactivated).
    Up,
    /// A loss (down-migration, lost).
    Down,
    /// Neither (stayed, other).
    Neutral,
}

impl Tone {
    fn colour(self) -> &'static str {
        match self {
            Tone::Up => palette::GREEN,
            Tone::Down => palette::VERMILLION,
            Tone::Neutral => palette::GREY,
        }
    }
}

/// One cell of a [`Heatmap`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HeatCell {
    /// The intensity (customers, say): the cell's opacity grows with its
    /// square root against the largest cell.
    pub weight: f64,
    /// The colour family.
    pub tone: Tone,
    /// Lines of text in the cell (count, value), first in bold.
    pub lines: Vec<String>,
}

impl HeatCell {
    /// A cell.
    pub fn new(weight: f64, tone: Tone, lines: Vec<String>) -> HeatCell {
        HeatCell {
            weight,
            tone,
            lines,
        }
    }
}

/// A heatmap: rows × columns of cells, empty cells blank.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Heatmap {
    /// Id, title and description.
    pub meta: Meta,
    /// What the rows are (`from 2024`).
    pub row_header: String,
    /// What the columns are (`to 2025`).
    pub column_header: String,
    /// The row names.
    pub rows: Vec<String>,
    /// The column names.
    pub columns: Vec<String>,
    /// `cells[row][column]`; `None` or a missing entry is an empty cell.
    pub cells: Vec<Vec<Option<HeatCell>>>,
    /// Legend entries for up, down and neutral, in that order; empty
    /// strings leave an entry out.
    pub legend: [String; 3],
    /// Mark up cells with ▲ and down cells with ▼ before their first line,
    /// so that the direction does not rest on colour alone. Default on.
    pub markers: bool,
}

impl Heatmap {
    /// A heatmap with its headers and names, no cells yet.
    pub fn new(
        meta: Meta,
        row_header: &str,
        column_header: &str,
        rows: Vec<String>,
        columns: Vec<String>,
    ) -> Heatmap {
        Heatmap {
            meta,
            row_header: row_header.into(),
            column_header: column_header.into(),
            rows,
            columns,
            cells: Vec::new(),
            legend: ["up".into(), "down".into(), "same".into()],
            markers: true,
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const CW: f64 = 92.0;
        const CH: f64 = 46.0;
        const LEFT: f64 = 110.0;
        const TOP: f64 = 78.0;
        let (nr, nc) = (self.rows.len() as f64, self.columns.len() as f64);
        let w = (LEFT + nc * CW + 16.0).max(420.0);
        let h = TOP + nr * CH + 48.0;
        let mut d = Doc::open(&self.meta, w, h);
        d.text(
            LEFT + nc * CW / 2.0,
            TOP - 30.0,
            "middle",
            r##"font-weight="600" fill="#444444""##,
            &self.column_header,
        );
        d.text(
            12.0,
            TOP - 8.0,
            "start",
            r##"font-weight="600" fill="#444444""##,
            &self.row_header,
        );
        for (j, c) in self.columns.iter().enumerate() {
            let s = fit(c, CW - 4.0, 12.0).unwrap_or_default();
            d.text(LEFT + (j as f64 + 0.5) * CW, TOP - 8.0, "middle", "", &s);
        }
        let max = self
            .cells
            .iter()
            .flatten()
            .flatten()
            .map(|c| c.weight)
            .filter(|w| w.is_finite())
            .fold(0.0f64, f64::max);
        for (i, r) in self.rows.iter().enumerate() {
            let y = TOP + i as f64 * CH;
            let s = fit(r, LEFT - 16.0, 12.0).unwrap_or_default();
            d.text(12.0, y + CH / 2.0 + 4.0, "start", "", &s);
            for j in 0..self.columns.len() {
                let x = LEFT + j as f64 * CW;
                d.rect(x, y, CW, CH, "#FFFFFF", r##"stroke="#E3E3E3""##, None);
                let Some(Some(cell)) = self.cells.get(i).and_then(|row| row.get(j)) else {
                    continue;
                };
                let op = opacity(cell.weight, max);
                let colour = cell.tone.colour();
                d.rect(
                    x + 1.0,
                    y + 1.0,
                    CW - 2.0,
                    CH - 2.0,
                    colour,
                    &format!(r#"fill-opacity="{}""#, n2(op)),
                    Some(&format!(
                        "{} → {}: {}",
                        r,
                        self.columns[j],
                        cell.lines.join(", ")
                    )),
                );
                let ink = ink_on(colour, op);
                let mut text = cell.lines.clone();
                if let (true, Some(first)) = (self.markers, text.first_mut()) {
                    match cell.tone {
                        Tone::Up => *first = format!("▲ {first}"),
                        Tone::Down => *first = format!("▼ {first}"),
                        Tone::Neutral => {}
                    }
                }
                lines(&mut d, x + CW / 2.0, y, CH, CW - 6.0, ink, &text);
            }
        }
        let ly = TOP + nr * CH + 26.0;
        let mut lx = LEFT;
        for (text, tone) in self
            .legend
            .iter()
            .zip([Tone::Up, Tone::Down, Tone::Neutral])
        {
            if text.is_empty() {
                continue;
            }
            d.rect(lx, ly - 11.0, 14.0, 14.0, tone.colour(), "", None);
            d.text(lx + 20.0, ly, "start", "", text);
            lx += 40.0 + crate::svg::text_width(text, 12.0);
        }
        d.finish()
    }
}

/// Opacity 0.12 to 1 by the square root of the weight against `max`.
fn opacity(weight: f64, max: f64) -> f64 {
    if !(weight.is_finite() && weight > 0.0 && max > 0.0) {
        return 0.12;
    }
    0.12 + 0.88 * (weight / max).sqrt().min(1.0)
}

/// Two decimals for opacities.
fn n2(v: f64) -> String {
    format!("{:.2}", v.clamp(0.0, 1.0))
}

/// Up to three lines of text centred in a cell, the first in bold.
fn lines(d: &mut Doc, cx: f64, y: f64, ch: f64, room: f64, ink: &str, lines: &[String]) {
    let k = lines.len().min(3);
    let start = y + ch / 2.0 - (k as f64 - 1.0) * 7.0 + 4.0;
    for (i, l) in lines.iter().take(k).enumerate() {
        let size = if i == 0 { 12.0 } else { 10.5 };
        let Some(s) = fit(l, room, size) else {
            continue;
        };
        let weight = if i == 0 { r#" font-weight="600""# } else { "" };
        d.text(
            cx,
            start + i as f64 * 14.0,
            "middle",
            &format!(r#"font-size="{}" fill="{ink}"{weight}"#, n(size)),
            &s,
        );
    }
}

/// One cell of a [`Grid`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GridCell {
    /// The group (index into [`Grid::groups`]) the cell belongs to; cells
    /// of different groups are separated by a heavy line.
    pub group: usize,
    /// The intensity (customers): the blue's opacity grows with its square
    /// root against the largest cell.
    pub weight: f64,
    /// The text in the cell (the count).
    pub text: String,
}

impl GridCell {
    /// A cell.
    pub fn new(group: usize, weight: f64, text: &str) -> GridCell {
        GridCell {
            group,
            weight,
            text: text.into(),
        }
    }
}

/// A grid of cells in named groups, such as RFM's R × F grid with its
/// segments: each group's name is written in its first cell.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Grid {
    /// Id, title and description.
    pub meta: Meta,
    /// What the rows are (`recency score`).
    pub row_header: String,
    /// What the columns are (`frequency score`).
    pub column_header: String,
    /// The row names, top first.
    pub rows: Vec<String>,
    /// The column names, left first.
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<GridCell>>,
    /// The group names.
    pub groups: Vec<String>,
}

impl Grid {
    /// A grid with its headers and names, no cells yet.
    pub fn new(
        meta: Meta,
        row_header: &str,
        column_header: &str,
        rows: Vec<String>,
        columns: Vec<String>,
    ) -> Grid {
        Grid {
            meta,
            row_header: row_header.into(),
            column_header: column_header.into(),
            rows,
            columns,
            cells: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const CW: f64 = 118.0;
        const CH: f64 = 54.0;
        const LEFT: f64 = 96.0;
        const TOP: f64 = 78.0;
        let (nr, nc) = (self.rows.len(), self.columns.len());
        let w = LEFT + nc as f64 * CW + 16.0;
        let h = TOP + nr as f64 * CH + 20.0;
        let mut d = Doc::open(&self.meta, w, h);
        d.text(
            LEFT + nc as f64 * CW / 2.0,
            TOP - 30.0,
            "middle",
            r##"font-weight="600" fill="#444444""##,
            &self.column_header,
        );
        d.text(
            12.0,
            TOP - 30.0,
            "start",
            r##"font-weight="600" fill="#444444""##,
            &self.row_header,
        );
        for (j, c) in self.columns.iter().enumerate() {
            d.text(LEFT + (j as f64 + 0.5) * CW, TOP - 8.0, "middle", "", c);
        }
        let max = self
            .cells
            .iter()
            .flatten()
            .map(|c| c.weight)
            .filter(|w| w.is_finite())
            .fold(0.0f64, f64::max);
        let cell = |i: usize, j: usize| self.cells.get(i).and_then(|r| r.get(j));
        let mut named = vec![false; self.groups.len()];
        for i in 0..nr {
            let y = TOP + i as f64 * CH;
            d.text(12.0, y + CH / 2.0 + 4.0, "start", "", &self.rows[i]);
            for j in 0..nc {
                let x = LEFT + j as f64 * CW;
                let Some(c) = cell(i, j) else { continue };
                let op = opacity(c.weight, max);
                let name = self.groups.get(c.group).cloned().unwrap_or_default();
                d.rect(
                    x,
                    y,
                    CW,
                    CH,
                    palette::BLUE,
                    &format!(r#"fill-opacity="{}""#, n2(op)),
                    Some(&format!("{name}: {}", c.text)),
                );
                let ink = ink_on(palette::BLUE, op);
                let mut text = vec![c.text.clone()];
                if let Some(first) = named.get_mut(c.group)
                    && !*first
                {
                    *first = true;
                    text.insert(0, name);
                }
                lines(&mut d, x + CW / 2.0, y, CH, CW - 6.0, ink, &text);
            }
        }
        // Group boundaries: a heavy line wherever neighbours differ.
        let heavy = r##"stroke="#1A1A1A" stroke-width="2.5""##;
        let thin = r##"stroke="#FFFFFF" stroke-width="1""##;
        for i in 0..nr {
            for j in 0..nc {
                let (x, y) = (LEFT + j as f64 * CW, TOP + i as f64 * CH);
                let g = cell(i, j).map(|c| c.group);
                let right = cell(i, j + 1).map(|c| c.group);
                let below = cell(i + 1, j).map(|c| c.group);
                if j + 1 < nc {
                    d.line(
                        x + CW,
                        y,
                        x + CW,
                        y + CH,
                        if g == right { thin } else { heavy },
                    );
                }
                if i + 1 < nr {
                    d.line(
                        x,
                        y + CH,
                        x + CW,
                        y + CH,
                        if g == below { thin } else { heavy },
                    );
                }
            }
        }
        d.raw(&format!(
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#1A1A1A" stroke-width="2.5"/>"##,
            n(LEFT),
            n(TOP),
            n(nc as f64 * CW),
            n(nr as f64 * CH)
        ));
        d.finish()
    }
}

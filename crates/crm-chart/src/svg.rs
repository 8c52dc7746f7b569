//! The SVG writer every chart shares: the document frame with its title
//! and description, escaping, coordinates, text measurement, ticks.

use std::fmt::Write;

/// The Okabe-Ito palette (Okabe & Ito 2008): eight colours that people
/// with any common colour-vision deficiency can tell apart.
pub mod palette {
    /// Black.
    pub const BLACK: &str = "#000000";
    /// Orange.
    pub const ORANGE: &str = "#E69F00";
    /// Sky blue.
    pub const SKY_BLUE: &str = "#56B4E9";
    /// Bluish green: used for "up" and "gain".
    pub const GREEN: &str = "#009E73";
    /// Yellow.
    pub const YELLOW: &str = "#F0E442";
    /// Blue: used for totals and the first series.
    pub const BLUE: &str = "#0072B2";
    /// Vermillion: used for "down" and "loss".
    pub const VERMILLION: &str = "#D55E00";
    /// Reddish purple.
    pub const PURPLE: &str = "#CC79A7";
    /// A neutral grey for marks that are neither up nor down.
    pub const GREY: &str = "#8C8C8C";
    /// The series colours in order: blue, orange, green, vermillion, sky
    /// blue, purple, yellow, black.
    pub const SERIES: [&str; 8] = [
        BLUE, ORANGE, GREEN, VERMILLION, SKY_BLUE, PURPLE, YELLOW, BLACK,
    ];
}

/// How numbers on axes are written: the decimal mark and the thousands
/// separator (`1,234.5` in English, `1.234,5` in Dutch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NumberFormat {
    /// The decimal mark.
    pub decimal: char,
    /// The thousands separator.
    pub thousands: char,
}

impl NumberFormat {
    /// `1,234.5`.
    pub const EN: NumberFormat = NumberFormat {
        decimal: '.',
        thousands: ',',
    };
    /// `1.234,5`.
    pub const NL: NumberFormat = NumberFormat {
        decimal: ',',
        thousands: '.',
    };

    /// `v` with `decimals` decimals, thousands grouped; non-finite values
    /// are written as `–`.
    pub fn format(&self, v: f64, decimals: usize) -> String {
        if !v.is_finite() {
            return "–".into();
        }
        let s = format!("{:.*}", decimals, v.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mut out = String::new();
        // "-0.0" reads as zero.
        if v < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
            out.push('-');
        }
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(self.thousands);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(self.decimal);
            out.push_str(frac);
        }
        out
    }

    /// `v` (a share, 0.25) as a percentage with `decimals` decimals (`25%`).
    pub fn percent(&self, v: f64, decimals: usize) -> String {
        format!("{}%", self.format(v * 100.0, decimals))
    }
}

impl Default for NumberFormat {
    /// English.
    fn default() -> NumberFormat {
        NumberFormat::EN
    }
}

/// What every chart carries: an id (unique within a page, so that the
/// title and description can be referenced), the title, a description for
/// screen readers, and the number format of its axes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Meta {
    /// Prefix of the element ids (`{id}-title`, `{id}-desc`); letters,
    /// digits and `-` are kept, anything else becomes `-`.
    pub id: String,
    /// The chart's title, also drawn at its top.
    pub title: String,
    /// A sentence or two saying what the chart shows, for screen readers
    /// (the `<desc>` element).
    pub description: String,
    /// How axis ticks are written. Default English.
    pub numbers: NumberFormat,
}

impl Meta {
    /// A chart's id, title and description, English number format.
    pub fn new(id: &str, title: &str, description: &str) -> Meta {
        Meta {
            id: id.to_string(),
            title: title.to_string(),
            description: description.to_string(),
            numbers: NumberFormat::EN,
        }
    }

    /// The same, with `numbers` for the axes.
    pub fn numbers(mut self, numbers: NumberFormat) -> Meta {
        self.numbers = numbers;
        self
    }

    fn clean_id(&self) -> String {
        let id: String = self
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if id.is_empty() { "chart".into() } else { id }
    }
}

/// Escapes text for SVG/XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal; non-finite values become 0 so that the
/// document stays valid whatever the data.
pub(crate) fn n(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    if s == "-0" { "0".into() } else { s }
}

/// The width of `text` at `size` pixels, estimated (no font metrics: the
/// average glyph of a sans-serif font such as DejaVu Sans is about 0.6 em wide).
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// `text` cut to fit `width` pixels at `size`, with an ellipsis.
pub(crate) fn fit(text: &str, width: f64, size: f64) -> Option<String> {
    if text_width(text, size) <= width {
        return Some(text.to_string());
    }
    let max = (width / (size * 0.6)).floor() as usize;
    if max < 2 {
        return None;
    }
    let cut: String = text.chars().take(max - 1).collect();
    Some(format!("{cut}…"))
}

/// Black or white, whichever reads better on `fill` (a `#rrggbb` colour).
pub(crate) fn ink_on(fill: &str, opacity: f64) -> &'static str {
    let hex = fill.trim_start_matches('#');
    let c = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(1.0, |v| f64::from(v) / 255.0)
    };
    let lin = |v: f64| {
        // Blend with the white page first.
        let v = 1.0 - opacity.clamp(0.0, 1.0) * (1.0 - v);
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c(0)) + 0.7152 * lin(c(2)) + 0.0722 * lin(c(4));
    // Contrast with black (l + 0.05) / 0.05 against white 1.05 / (l + 0.05).
    if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
        "#000000"
    } else {
        "#FFFFFF"
    }
}

/// A "nice" tick step for a range of `span` with about `count` ticks.
pub(crate) fn nice_step(span: f64, count: f64) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / count.max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Ticks from a nice floor of `lo` to a nice ceiling of `hi`.
pub(crate) fn ticks(lo: f64, hi: f64, count: f64) -> Vec<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let step = nice_step(hi - lo, count);
    let start = (lo / step).floor();
    let end = (hi / step).ceil();
    let k = ((end - start) as usize).min(50);
    (0..=k).map(|i| (start + i as f64) * step).collect()
}

/// Decimals needed to write ticks `step` apart.
pub(crate) fn tick_decimals(step: f64) -> usize {
    let mut d = 0;
    let mut s = step.abs();
    while d < 6 && s.is_finite() && s > 0.0 && (s - s.round()).abs() > 1e-9 {
        s *= 10.0;
        d += 1;
    }
    d
}

/// A document under construction.
pub(crate) struct Doc {
    pub(crate) s: String,
}

impl Doc {
    /// Opens a document of `w` × `h` with the frame of `meta`: `role="img"`,
    /// the title and description referenced by `aria-labelledby`, a white
    /// background and the title drawn at the top (class `chart-title`, so
    /// that a page with its own headings can hide it).
    pub(crate) fn open(meta: &Meta, w: f64, h: f64) -> Doc {
        let id = meta.clean_id();
        let mut s = String::new();
        let _ = writeln!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="crm-chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif" font-size="12" fill="#1A1A1A">"##,
            w = n(w),
            h = n(h),
        );
        let _ = writeln!(
            s,
            r#"<title id="{id}-title">{}</title>"#,
            escape(&meta.title)
        );
        let _ = writeln!(
            s,
            r#"<desc id="{id}-desc">{}</desc>"#,
            escape(&meta.description)
        );
        let _ = writeln!(
            s,
            r##"<rect width="{}" height="{}" fill="#FFFFFF"/>"##,
            n(w),
            n(h)
        );
        let _ = writeln!(
            s,
            r#"<text class="chart-title" x="{}" y="22" font-size="15" font-weight="600">{}</text>"#,
            n(12.0),
            escape(&meta.title)
        );
        Doc { s }
    }

    pub(crate) fn raw(&mut self, line: &str) {
        self.s.push_str(line);
        self.s.push('\n');
    }

    /// Text at `(x, y)`; `anchor` is `start`, `middle` or `end`.
    pub(crate) fn text(&mut self, x: f64, y: f64, anchor: &str, extra: &str, text: &str) {
        let anchor = if anchor == "start" {
            String::new()
        } else {
            format!(r#" text-anchor="{anchor}""#)
        };
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" {extra}")
        };
        let _ = writeln!(
            self.s,
            r#"<text x="{}" y="{}"{anchor}{extra}>{}</text>"#,
            n(x),
            n(y),
            escape(text)
        );
    }

    /// A rectangle with a fill and an optional tooltip (`<title>`).
    #[allow(clippy::too_many_arguments)] // the geometry of one rectangle
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        extra: &str,
        tip: Option<&str>,
    ) {
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" {extra}")
        };
        let (w, h) = (w.max(0.0), h.max(0.0));
        match tip {
            Some(t) => {
                let _ = writeln!(
                    self.s,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{extra}><title>{}</title></rect>"#,
                    n(x),
                    n(y),
                    n(w),
                    n(h),
                    escape(t)
                );
            }
            None => {
                let _ = writeln!(
                    self.s,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{extra}/>"#,
                    n(x),
                    n(y),
                    n(w),
                    n(h)
                );
            }
        }
    }

    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
        let _ = writeln!(
            self.s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {style}/>"#,
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    pub(crate) fn finish(mut self) -> String {
        self.s.push_str("</svg>\n");
        self.s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_language() {
        assert_eq!(NumberFormat::EN.format(1234567.891, 2), "1,234,567.89");
        assert_eq!(NumberFormat::NL.format(1234567.891, 2), "1.234.567,89");
        assert_eq!(NumberFormat::NL.format(-0.04, 1), "0,0");
        assert_eq!(NumberFormat::EN.format(-12.0, 0), "-12");
        assert_eq!(NumberFormat::EN.format(f64::NAN, 0), "–");
        assert_eq!(NumberFormat::NL.percent(0.256, 1), "25,6%");
    }

    #[test]
    fn coordinates_are_short_and_finite() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.04), "12");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(f64::INFINITY), "0");
        assert_eq!(n(3.25), "3.2");
    }

    #[test]
    fn ink_contrasts() {
        assert_eq!(ink_on("#000000", 1.0), "#FFFFFF");
        assert_eq!(ink_on("#F0E442", 1.0), "#000000");
        assert_eq!(ink_on("#0072B2", 1.0), "#FFFFFF");
        assert_eq!(ink_on("#0072B2", 0.1), "#000000");
    }

    #[test]
    fn nice_ticks() {
        assert_eq!(
            ticks(0.0, 1.0, 5.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(
            ticks(0.0, 97.0, 5.0),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(tick_decimals(0.25), 2);
        assert_eq!(tick_decimals(20.0), 0);
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}

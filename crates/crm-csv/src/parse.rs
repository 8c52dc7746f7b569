//! Field parsers: dates, money and yes/no flags from raw bytes, without
//! allocating on the common path.

use crm_core::{Decimal, Money, NaiveDate};

use crate::Problem;

/// Which character separates the integer part of amounts from the
/// fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DecimalSeparator {
    /// `.` when the delimiter is `,` or tab, `,` when it is `;` (the usual
    /// pairing of spreadsheet exports in decimal-comma locales). Default.
    #[default]
    Auto,
    /// `1234.56`.
    Point,
    /// `1234,56`.
    Comma,
}

impl DecimalSeparator {
    /// The separator byte for a file with delimiter `delimiter`.
    pub(crate) fn resolve(self, delimiter: u8) -> u8 {
        match self {
            DecimalSeparator::Point => b'.',
            DecimalSeparator::Comma => b',',
            DecimalSeparator::Auto if delimiter == b';' => b',',
            DecimalSeparator::Auto => b'.',
        }
    }
}

/// Trims ASCII white space and byte-order marks (U+FEFF, which exports
/// and concatenations leave behind and no one sees) from both ends.
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    use crate::reader::BOM;
    // The common case: neither end is white space (every ASCII white
    // space byte is at most 0x20) nor a byte of a mark.
    if let (Some(&first), Some(&last)) = (b.first(), b.last())
        && first > b' '
        && last > b' '
        && first != 0xEF
        && last != 0xBF
    {
        return b;
    }
    let mut b = b.trim_ascii();
    // The common case: no mark at either end (its first byte is 0xEF, its
    // last 0xBF).
    while b.first() == Some(&0xEF) || b.last() == Some(&0xBF) {
        if let Some(rest) = b.strip_prefix(BOM) {
            b = rest.trim_ascii();
        } else if let Some(rest) = b.strip_suffix(BOM) {
            b = rest.trim_ascii();
        } else {
            break;
        }
    }
    b
}

pub(crate) fn cut(b: &[u8]) -> String {
    String::from_utf8_lossy(b).chars().take(80).collect()
}

/// The dates a CSV file may hold, as error messages name them.
pub const DATE_EXPECTED: &str =
    "a date like 2024-03-01, 01-03-2024, 1/3/2024 (day first) or 20240301";

/// Parses a date field as every CSV input of the toolkit reads it:
/// `2024-03-01` (optionally followed by `T` or a space and a time, which
/// is ignored), `2024/03/01`, `01-03-2024`, `1/3/2024`, `01.03.2024` (day
/// first), or `20240301`. Surrounding blanks are ignored.
///
/// ```
/// use crm_csv::parse_date_field;
/// let d = parse_date_field("01.03.2024").unwrap();
/// assert_eq!(d, parse_date_field("2024-03-01T10:00").unwrap());
/// assert!(parse_date_field("March 1st").is_err());
/// ```
///
/// # Errors
///
/// [`Problem::Missing`] for an empty field, [`Problem::BadValue`] (with
/// [`DATE_EXPECTED`]) for anything else that is not a date.
pub fn parse_date_field(s: &str) -> Result<NaiveDate, Problem> {
    parse_date(s.as_bytes())
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Parses a date: `2024-03-01` (optionally followed by `T` or a space and
/// a time, which is ignored: the model counts days), `2024/03/01`,
/// `01-03-2024`, `1/3/2024`, `01.03.2024` (day first), or `20240301`.
pub(crate) fn parse_date(raw: &[u8]) -> Result<NaiveDate, Problem> {
    let b = trim(raw);
    if b.is_empty() {
        return Err(Problem::Missing);
    }
    let bad = || Problem::BadValue {
        value: cut(raw),
        expected: DATE_EXPECTED,
    };
    let ymd = |y: u32, m: u32, d: u32| {
        i32::try_from(y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
            .ok_or_else(bad)
    };
    // ISO, possibly with a time part.
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        if b.len() > 10 && !matches!(b[10], b'T' | b' ') {
            return Err(bad());
        }
        let (y, m, d) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]));
        return match (y, m, d) {
            (Some(y), Some(m), Some(d)) => ymd(y, m, d),
            _ => Err(bad()),
        };
    }
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let (y, m, d) = (digits(&b[0..4]), digits(&b[4..6]), digits(&b[6..8]));
        return match (y, m, d) {
            (Some(y), Some(m), Some(d)) => ymd(y, m, d),
            _ => Err(bad()),
        };
    }
    let sep = *b
        .iter()
        .find(|c| matches!(c, b'-' | b'/' | b'.'))
        .ok_or_else(bad)?;
    let mut parts = b.split(|&c| c == sep);
    let (p1, p2, p3) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => (a, b, c),
        _ => return Err(bad()),
    };
    let (a, m, c) = match (digits(p1), digits(p2), digits(p3)) {
        (Some(a), Some(m), Some(c)) => (a, m, c),
        _ => return Err(bad()),
    };
    if p1.len() == 4 && p2.len() <= 2 && p3.len() <= 2 {
        ymd(a, m, c) // 2024/03/01
    } else if p1.len() <= 2 && p2.len() <= 2 && p3.len() == 4 {
        ymd(c, m, a) // day first
    } else {
        Err(bad())
    }
}

const MONEY_POINT: &str = "an amount like -1234.56 (decimal point, no thousands separators)";
const MONEY_COMMA: &str = "an amount like -1234,56 (decimal comma, no thousands separators)";

/// Parses an amount with decimal separator `sep` (`.` or `,`): an optional
/// sign, digits, optionally the separator and more digits. Thousands
/// separators, currency signs and exponents are refused: a wrong guess of
/// the locale must fail loudly, never read `1.234` as 1234.
pub(crate) fn parse_money(raw: &[u8], sep: u8) -> Result<Money, Problem> {
    money_trimmed(raw, trim(raw), sep)
}

/// [`parse_money`] of `b`, the field `raw` trimmed (`raw` is quoted in
/// errors).
fn money_trimmed(raw: &[u8], b: &[u8], sep: u8) -> Result<Money, Problem> {
    if b.is_empty() {
        return Err(Problem::Missing);
    }
    let bad = || Problem::BadValue {
        value: cut(raw),
        expected: if sep == b',' {
            MONEY_COMMA
        } else {
            MONEY_POINT
        },
    };
    let (neg, body) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if body.len() <= 18
        && let Some((m, scale)) = short_amount(body, sep)
    {
        return Ok(Money::new(Decimal::new(if neg { -m } else { m }, scale)));
    }
    if body.is_empty() {
        return Err(bad());
    }
    // One pass checks every byte; up to 18 digits the mantissa fits an
    // `i64` and no allocation is needed.
    let mut mantissa: u64 = 0;
    let mut point: Option<usize> = None;
    for (i, &c) in body.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            // Wraps only past 19 digits, which take the exact path below.
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        } else if c == sep && point.is_none() {
            point = Some(i);
        } else {
            return Err(bad());
        }
    }
    let digits = body.len() - usize::from(point.is_some());
    if digits == 0 {
        return Err(bad());
    }
    if digits > 18 {
        return parse_money_slow(body, neg, sep).ok_or_else(bad);
    }
    let scale = point.map_or(0, |p| body.len() - 1 - p);
    // At most 18 digits: the mantissa fits an `i64`, the scale 18.
    let m = i64::try_from(mantissa).map_err(|_| bad())?;
    let scale = u32::try_from(scale).map_err(|_| bad())?;
    Ok(Money::new(Decimal::new(if neg { -m } else { m }, scale)))
}

/// The common amount: at most 18 bytes (so the mantissa fits an `i64`),
/// digits, optionally `sep` and more digits, at least one digit. Returns
/// the mantissa and the scale, or `None` for anything else (which the
/// general path refuses or reads).
#[inline]
fn short_amount(body: &[u8], sep: u8) -> Option<(i64, u32)> {
    let mut m: i64 = 0;
    let mut rest = body;
    while let [c, tail @ ..] = rest {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            break;
        }
        m = m * 10 + i64::from(d);
        rest = tail;
    }
    let int_digits = body.len() - rest.len();
    let [first, frac @ ..] = rest else {
        return (int_digits > 0).then_some((m, 0));
    };
    if *first != sep || (int_digits == 0 && frac.is_empty()) {
        return None;
    }
    for c in frac {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            return None;
        }
        m = m * 10 + i64::from(d);
    }
    // At most 17 fraction digits.
    Some((m, frac.len() as u32))
}

fn parse_money_slow(body: &[u8], neg: bool, sep: u8) -> Option<Money> {
    let mut s = String::with_capacity(body.len() + 1);
    if neg {
        s.push('-');
    }
    for &c in body {
        s.push(if c == sep { '.' } else { char::from(c) });
    }
    Decimal::from_str_exact(&s).ok().map(Money::new)
}

/// Parses an optional amount: empty is `None`.
pub(crate) fn parse_money_opt(raw: &[u8], sep: u8) -> Result<Option<Money>, Problem> {
    let b = trim(raw);
    if b.is_empty() {
        Ok(None)
    } else {
        money_trimmed(raw, b, sep).map(Some)
    }
}

/// Parses an optional yes/no: `yes/no`, `y/n`, `true/false`, `1/0`,
/// `ja/nee`, `oui/non`, ignoring case; empty is `None` (unknown).
pub(crate) fn parse_flag(raw: &[u8]) -> Result<Option<bool>, Problem> {
    let b = trim(raw);
    if b.is_empty() {
        return Ok(None);
    }
    let lower = b.to_ascii_lowercase();
    match lower.as_slice() {
        b"yes" | b"y" | b"true" | b"1" | b"ja" | b"j" | b"oui" => Ok(Some(true)),
        b"no" | b"n" | b"false" | b"0" | b"nee" | b"non" => Ok(Some(false)),
        _ => Err(Problem::BadValue {
            value: cut(raw),
            expected: "yes or no (also y/n, true/false, 1/0, ja/nee), or empty for unknown",
        }),
    }
}

/// The field as trimmed UTF-8.
pub(crate) fn text(raw: &[u8]) -> Result<&str, Problem> {
    std::str::from_utf8(trim(raw)).map_err(|_| Problem::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        parse_date(s.as_bytes())
            .map(|d| d.to_string())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn dates() {
        assert_eq!(d("2024-03-01"), "2024-03-01");
        assert_eq!(d(" 2024-03-01 "), "2024-03-01");
        assert_eq!(d("2024-03-01T10:11:12Z"), "2024-03-01");
        assert_eq!(d("2024-03-01 10:11"), "2024-03-01");
        assert_eq!(d("01-03-2024"), "2024-03-01");
        assert_eq!(d("1/3/2024"), "2024-03-01");
        assert_eq!(d("31/12/2024"), "2024-12-31");
        assert_eq!(d("01.03.2024"), "2024-03-01");
        assert_eq!(d("2024/3/1"), "2024-03-01");
        assert_eq!(d("20240301"), "2024-03-01");
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "2024-03-01x",
            "32/1/2024",
            "1/13/2024",
            "2024031",
            "1/3/24",
            "yesterday",
            "2024-3-1-1",
            "1/3",
            "-1/3/2024",
            "2024-03-0a",
        ] {
            assert!(d(bad).starts_with("ERR"), "{bad} -> {}", d(bad));
        }
        assert_eq!(parse_date(b""), Err(Problem::Missing));
    }

    fn m(s: &str, sep: u8) -> String {
        parse_money(s.as_bytes(), sep)
            .map(|d| d.to_string())
            .unwrap_or_else(|_| "ERR".into())
    }

    #[test]
    fn money() {
        assert_eq!(m("12.50", b'.'), "12.50");
        assert_eq!(m("-12.5", b'.'), "-12.5");
        assert_eq!(m("+7", b'.'), "7");
        assert_eq!(m(" 3 ", b'.'), "3");
        assert_eq!(m("12,50", b','), "12.50");
        assert_eq!(m(".5", b'.'), "0.5");
        assert_eq!(m("5.", b'.'), "5");
        assert_eq!(
            m("1234567890123456789012.25", b'.'),
            "1234567890123456789012.25"
        );
        assert_eq!(
            m("-1234567890123456789012,25", b','),
            "-1234567890123456789012.25"
        );
        for bad in [
            "1,234.50", "1.234", "€5", "1e3", "-", "", ".", "1 000", "--1", "1.2.3", "0x10",
        ] {
            let sep = if bad == "1.234" { b',' } else { b'.' };
            assert_eq!(m(bad, sep), "ERR", "{bad}");
        }
        assert_eq!(m("12,50", b'.'), "ERR");
        assert_eq!(m("99999999999999999999999999999999", b'.'), "ERR");
        // Long amounts are checked byte by byte before the exact path.
        for bad in [
            "1234567890123456789_0",
            "12345678901234567890,5",
            "1_000_000_000_000_000_000",
        ] {
            assert_eq!(m(bad, b'.'), "ERR", "{bad}");
        }
    }

    proptest::proptest! {
        /// Any sign, digits and decimal point read as the exact decimal
        /// of that text, scale included, on both paths (up to 18 digits
        /// and beyond).
        #[test]
        fn money_is_the_exact_decimal(
            sign in proptest::sample::select(vec!["", "-", "+"]),
            int in "[0-9]{0,22}",
            frac in proptest::option::of("[0-9]{0,12}"),
        ) {
            let text = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            let expected = Decimal::from_str_exact(&text.replace('+', ""))
                .ok()
                .filter(|_| !int.is_empty() || frac.as_ref().is_some_and(|f| !f.is_empty()));
            let got = parse_money(text.as_bytes(), b'.').ok().map(Money::as_decimal);
            proptest::prop_assert_eq!(got.map(|d| (d, d.scale())), expected.map(|d| (d, d.scale())), "{}", text);
            let comma = text.replace('.', ",");
            let got = parse_money(comma.as_bytes(), b',').ok().map(Money::as_decimal);
            proptest::prop_assert_eq!(got.map(|d| (d, d.scale())), expected.map(|d| (d, d.scale())), "{}", comma);
        }
    }

    /// `trim` as it was before its shortcut for fields with no blank and
    /// no mark at either end.
    fn trim_reference(b: &[u8]) -> &[u8] {
        use crate::reader::BOM;
        let mut b = b.trim_ascii();
        loop {
            if let Some(rest) = b.strip_prefix(BOM) {
                b = rest.trim_ascii();
            } else if let Some(rest) = b.strip_suffix(BOM) {
                b = rest.trim_ascii();
            } else {
                return b;
            }
        }
    }

    proptest::proptest! {
        /// Fields of blanks, marks, their bytes alone and letters trim as
        /// the general loop trims them.
        #[test]
        fn trim_shortcut_changes_nothing(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                &b" "[..], b"\t", b"\r", b"\n", b"\x0c", b"\xef\xbb\xbf", b"\xef", b"\xbf", b"\xbb", b"a", b"Z9", b"\x7f", b"!",
            ]), 0..8),
        ) {
            let field: Vec<u8> = parts.concat();
            proptest::prop_assert_eq!(trim(&field), trim_reference(&field));
        }
    }

    #[test]
    fn trims_spaces_and_byte_order_marks() {
        let t = |s: &str| String::from_utf8(trim(s.as_bytes()).to_vec()).unwrap();
        assert_eq!(t(" \u{feff} C1\u{feff}\t"), "C1");
        assert_eq!(t("\u{feff}\u{feff}"), "");
        assert_eq!(t("a\u{feff}b"), "a\u{feff}b");
        // Other characters ending in the mark's bytes are kept.
        assert_eq!(t("\u{ef}x\u{bf}"), "\u{ef}x\u{bf}");
        assert_eq!(t("\u{fefe}"), "\u{fefe}");
    }

    #[test]
    fn flags() {
        assert_eq!(parse_flag(b"Yes"), Ok(Some(true)));
        assert_eq!(parse_flag(b"0"), Ok(Some(false)));
        assert_eq!(parse_flag(b" "), Ok(None));
        assert!(parse_flag(b"maybe").is_err());
    }
}

//! Typed access to one Arrow column per field: which Arrow types each
//! field accepts, and each row's value converted exactly.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::{DataType, TimeUnit};
use crm_core::{Decimal, Money, NaiveDate};
use crm_csv::{DecimalSeparator, Problem};

/// What a field holds, for the types it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The customer key: strings or integers.
    Key,
    /// The date: dates, timestamps, strings.
    Date,
    /// Money: decimals, integers, strings; floats with the opt-in.
    Money,
}

impl Role {
    /// What the field accepts, for errors.
    pub fn expected(self, floats: bool) -> String {
        match self {
            Role::Key => "a string (UTF8, dictionary-encoded or not) or an integer".into(),
            Role::Date => "a DATE, a TIMESTAMP (any unit; UTC, a fixed offset or no time zone) or a string".into(),
            Role::Money if floats => "a DECIMAL, an integer, a string or a float".into(),
            Role::Money => "a DECIMAL, an integer or a string (floats only with the opt-in for float money: money is never read from binary floating point silently)".into(),
        }
    }
}

/// Whether a column of type `dt` can hold the field; `Err` says why not
/// when the type is close (a named time zone).
pub(crate) fn accepts(role: Role, dt: &DataType, floats: bool) -> Result<(), String> {
    let text = is_text(dt);
    let int = is_int(dt);
    let ok = match role {
        Role::Key => text || int,
        Role::Date => match dt {
            DataType::Timestamp(_, Some(tz)) => {
                offset_seconds(tz).map_err(|()| {
                    format!("the time zone {tz:?} is a named zone, whose offset changes over the year: write the column as a DATE, as a TIMESTAMP in UTC or without time zone (local time), or as a string")
                })?;
                true
            }
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, None) => true,
            _ => text,
        },
        Role::Money => match dt {
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..) => true,
            DataType::Float32 | DataType::Float64 => floats,
            _ => text || int,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(role.expected(floats))
    }
}

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(k, v) => is_int(k) && is_text(v),
        _ => false,
    }
}

fn is_int(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// The offset from UTC in seconds of an Arrow time zone that has one
/// fixed offset: `UTC` (and its aliases) or `+hh:mm`, `-hhmm`, `+hh`.
pub(crate) fn offset_seconds(tz: &str) -> Result<i64, ()> {
    let t = tz.trim();
    if ["utc", "etc/utc", "z", "gmt", "etc/gmt", "zulu", "universal"]
        .iter()
        .any(|u| t.eq_ignore_ascii_case(u))
    {
        return Ok(0);
    }
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(());
    }
    let h: i64 = digits[..2].parse().map_err(drop)?;
    let m: i64 = if digits.len() == 4 {
        digits[2..].parse().map_err(drop)?
    } else {
        0
    };
    if h > 23 || m > 59 {
        return Err(());
    }
    Ok(sign * (h * 3600 + m * 60))
}

/// A string column.
pub(crate) enum Text<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    /// A dictionary: each row's index into the values.
    Dict(Vec<usize>, Box<Text<'a>>),
}

impl<'a> Text<'a> {
    fn new(a: &'a dyn Array) -> Option<Text<'a>> {
        Some(match a.data_type() {
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Dictionary(..) => {
                let d = a.as_any_dictionary();
                Text::Dict(
                    d.normalized_keys(),
                    Box::new(Text::new(d.values().as_ref())?),
                )
            }
            _ => return None,
        })
    }

    /// The row's string; the caller checked that it is not null.
    pub(crate) fn get(&self, i: usize) -> &'a str {
        match self {
            Text::Utf8(a) => a.value(i),
            Text::Large(a) => a.value(i),
            Text::View(a) => a.value(i),
            Text::Dict(keys, values) => values.get(keys[i]),
        }
    }
}

/// Integer values of any width, widened.
pub(crate) enum Ints<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

impl Ints<'_> {
    fn new(a: &dyn Array) -> Option<Ints<'_>> {
        Some(match a.data_type() {
            DataType::Int8 => Ints::I8(a.as_primitive::<Int8Type>().values()),
            DataType::Int16 => Ints::I16(a.as_primitive::<Int16Type>().values()),
            DataType::Int32 => Ints::I32(a.as_primitive::<Int32Type>().values()),
            DataType::Int64 => Ints::I64(a.as_primitive::<Int64Type>().values()),
            DataType::UInt8 => Ints::U8(a.as_primitive::<UInt8Type>().values()),
            DataType::UInt16 => Ints::U16(a.as_primitive::<UInt16Type>().values()),
            DataType::UInt32 => Ints::U32(a.as_primitive::<UInt32Type>().values()),
            DataType::UInt64 => Ints::U64(a.as_primitive::<UInt64Type>().values()),
            _ => return None,
        })
    }

    fn get(&self, i: usize) -> i128 {
        match self {
            Ints::I8(v) => v[i].into(),
            Ints::I16(v) => v[i].into(),
            Ints::I32(v) => v[i].into(),
            Ints::I64(v) => v[i].into(),
            Ints::U8(v) => v[i].into(),
            Ints::U16(v) => v[i].into(),
            Ints::U32(v) => v[i].into(),
            Ints::U64(v) => v[i].into(),
        }
    }
}

/// Unscaled decimal values of any width.
pub(crate) enum Decimals<'a> {
    D32(&'a [i32]),
    D64(&'a [i64]),
    D128(&'a [i128]),
    D256(&'a [<Decimal256Type as ArrowPrimitiveType>::Native]),
}

/// One field's column in a record batch, typed.
pub(crate) enum Col<'a> {
    Text(Text<'a>),
    Int(Ints<'a>),
    Decimal(Decimals<'a>, i8),
    Float32(&'a [f32]),
    Float64(&'a [f64]),
    Date32(&'a [i32]),
    Date64(&'a [i64]),
    /// Values in `per_second` units since the epoch, shifted by `offset`
    /// units to the date's time zone.
    Timestamp {
        values: &'a [i64],
        per_day: i64,
        offset: i64,
    },
}

/// The days between 0001-01-01 (day 1 of the common era) and 1970-01-01.
const EPOCH_FROM_CE: i64 = 719_163;

/// The date `days` after 1970-01-01.
pub(crate) fn epoch_day(days: i64) -> Option<NaiveDate> {
    let ce = i32::try_from(days.checked_add(EPOCH_FROM_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

const DATE_RANGE: &str = "a date within the years -262143..262142";
const MONEY_RANGE: &str =
    "an amount that fits a 96-bit decimal with at most 28 decimals, exactly (no rounding)";
const FINITE: &str = "a finite number";

impl<'a> Col<'a> {
    /// The typed view of `a`; `None` for a type no field accepts (checked
    /// before reading, with the file's schema).
    pub fn new(a: &'a dyn Array) -> Option<Col<'a>> {
        if let Some(t) = Text::new(a) {
            return Some(Col::Text(t));
        }
        if let Some(i) = Ints::new(a) {
            return Some(Col::Int(i));
        }
        let per = |unit: &TimeUnit| match unit {
            TimeUnit::Second => 1,
            TimeUnit::Millisecond => 1_000,
            TimeUnit::Microsecond => 1_000_000,
            TimeUnit::Nanosecond => 1_000_000_000,
        };
        Some(match a.data_type() {
            DataType::Decimal32(_, s) => Col::Decimal(
                Decimals::D32(a.as_primitive::<Decimal32Type>().values()),
                *s,
            ),
            DataType::Decimal64(_, s) => Col::Decimal(
                Decimals::D64(a.as_primitive::<Decimal64Type>().values()),
                *s,
            ),
            DataType::Decimal128(_, s) => Col::Decimal(
                Decimals::D128(a.as_primitive::<Decimal128Type>().values()),
                *s,
            ),
            DataType::Decimal256(_, s) => Col::Decimal(
                Decimals::D256(a.as_primitive::<Decimal256Type>().values()),
                *s,
            ),
            DataType::Float32 => Col::Float32(a.as_primitive::<Float32Type>().values()),
            DataType::Float64 => Col::Float64(a.as_primitive::<Float64Type>().values()),
            DataType::Date32 => Col::Date32(a.as_primitive::<Date32Type>().values()),
            DataType::Date64 => Col::Date64(a.as_primitive::<Date64Type>().values()),
            DataType::Timestamp(unit, tz) => {
                let per_second: i64 = per(unit);
                let offset = match tz {
                    Some(tz) => offset_seconds(tz).ok()? * per_second,
                    None => 0,
                };
                let values = match unit {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().values(),
                    TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().values(),
                    TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().values(),
                    TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().values(),
                };
                Col::Timestamp {
                    values,
                    per_day: per_second * 86_400,
                    offset,
                }
            }
            _ => return None,
        })
    }

    /// The customer key of row `i` (not null), trimmed and checked as the
    /// CSV reader does; integers are written in decimal into `buf`.
    pub fn key<'b>(&'b self, i: usize, buf: &'b mut String) -> Result<&'b str, Problem> {
        match self {
            Col::Text(t) => crm_csv::value::key(t.get(i)),
            Col::Int(n) => {
                buf.clear();
                let _ = write!(buf, "{}", n.get(i));
                crm_csv::value::key(buf)
            }
            _ => Err(unexpected()),
        }
    }

    /// The date of row `i` (not null).
    pub fn date(&self, i: usize) -> Result<NaiveDate, Problem> {
        let out = |v: String| Problem::BadValue {
            value: v,
            expected: DATE_RANGE,
        };
        match self {
            Col::Text(t) => crm_csv::value::date(t.get(i)),
            Col::Date32(v) => epoch_day(v[i].into()).ok_or_else(|| out(format!("day {}", v[i]))),
            Col::Date64(v) => {
                epoch_day(v[i].div_euclid(86_400_000)).ok_or_else(|| out(format!("{} ms", v[i])))
            }
            Col::Timestamp {
                values,
                per_day,
                offset,
            } => values[i]
                .checked_add(*offset)
                .and_then(|t| epoch_day(t.div_euclid(*per_day)))
                .ok_or_else(|| out(format!("timestamp {}", values[i]))),
            _ => Err(unexpected()),
        }
    }

    /// The amount of row `i` (not null); `None` for an empty string, which
    /// is a missing revenue or an unknown margin as in CSV.
    pub fn money(&self, i: usize, decimal: DecimalSeparator) -> Result<Option<Money>, Problem> {
        let exact = |v: i128, scale: i32| {
            decimal_of(v, scale)
                .map(Money::new)
                .ok_or_else(|| Problem::BadValue {
                    value: unscaled_text(v, scale),
                    expected: MONEY_RANGE,
                })
        };
        match self {
            Col::Text(t) => {
                let s = t.get(i);
                if s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}')
                    .is_empty()
                {
                    return Ok(None);
                }
                crm_csv::value::money(s, decimal).map(Some)
            }
            Col::Int(n) => exact(n.get(i), 0).map(Some),
            Col::Decimal(d, scale) => {
                let scale = i32::from(*scale);
                let v = match d {
                    Decimals::D32(v) => i128::from(v[i]),
                    Decimals::D64(v) => i128::from(v[i]),
                    Decimals::D128(v) => v[i],
                    Decimals::D256(v) => match v[i].to_i128() {
                        Some(x) => x,
                        None => {
                            return Err(Problem::BadValue {
                                value: format!("{}e{}", v[i], -scale),
                                expected: MONEY_RANGE,
                            });
                        }
                    },
                };
                exact(v, scale).map(Some)
            }
            Col::Float32(v) => float(f64::from(v[i]), &v[i].to_string()).map(Some),
            Col::Float64(v) => float(v[i], &v[i].to_string()).map(Some),
            _ => Err(unexpected()),
        }
    }
}

impl Col<'_> {
    /// The scale of a money column held as whole numbers of one scale
    /// (integers: 0; `DECIMAL(p, s)` up to 16 bytes with `0 <= s <= 28`),
    /// whose rows [`Col::unscaled`] gives; `None` for other columns.
    pub fn unscaled_scale(&self) -> Option<u32> {
        match self {
            Col::Int(_) => Some(0),
            Col::Decimal(Decimals::D32(_) | Decimals::D64(_) | Decimals::D128(_), s) => {
                u32::try_from(*s).ok().filter(|s| *s <= 28)
            }
            _ => None,
        }
    }

    /// The unscaled value of row `i` of a column with an
    /// [`unscaled_scale`](Col::unscaled_scale) (0 for other columns).
    pub fn unscaled(&self, i: usize) -> i128 {
        match self {
            Col::Int(n) => n.get(i),
            Col::Decimal(Decimals::D32(v), _) => v[i].into(),
            Col::Decimal(Decimals::D64(v), _) => v[i].into(),
            Col::Decimal(Decimals::D128(v), _) => v[i],
            _ => 0,
        }
    }
}

impl Col<'_> {
    /// Row `i` (not null) as text, for rejects: strings as they are,
    /// numbers and dates as written, out-of-range values as raw numbers.
    pub fn text(&self, i: usize) -> String {
        match self {
            Col::Text(t) => t.get(i).chars().take(80).collect(),
            Col::Int(n) => n.get(i).to_string(),
            Col::Decimal(d, scale) => {
                let scale = i32::from(*scale);
                match d {
                    Decimals::D32(v) => unscaled_text(v[i].into(), scale),
                    Decimals::D64(v) => unscaled_text(v[i].into(), scale),
                    Decimals::D128(v) => unscaled_text(v[i], scale),
                    Decimals::D256(v) => format!("{}e{}", v[i], -scale),
                }
            }
            Col::Float32(v) => v[i].to_string(),
            Col::Float64(v) => v[i].to_string(),
            Col::Date32(_) | Col::Date64(_) | Col::Timestamp { .. } => match self.date(i) {
                Ok(d) => d.to_string(),
                Err(Problem::BadValue { value, .. }) => value,
                Err(e) => e.to_string(),
            },
        }
    }
}

/// A float as the decimal its shortest text shows (`0.1`, never
/// `0.1000000000000000055511151231257827`): what the writer of the file
/// meant, when it meant a decimal.
fn float(x: f64, text: &str) -> Result<Money, Problem> {
    if !x.is_finite() {
        return Err(Problem::BadValue {
            value: text.to_string(),
            expected: FINITE,
        });
    }
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map(Money::new)
        .map_err(|_| Problem::BadValue {
            value: text.to_string(),
            expected: MONEY_RANGE,
        })
}

/// The decimal `v × 10^-scale`, exactly; `None` when it does not fit
/// [`Decimal`] without rounding. Trailing zeros are dropped as needed, so
/// `1.50` at scale 30 fits.
pub(crate) fn decimal_of(mut v: i128, mut scale: i32) -> Option<Decimal> {
    if scale < 0 {
        v = v.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?;
        scale = 0;
    }
    const MAX_MANTISSA: u128 = (1 << 96) - 1;
    while (scale > 28 || v.unsigned_abs() > MAX_MANTISSA) && scale > 0 && v % 10 == 0 {
        v /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(v, u32::try_from(scale).ok()?).ok()
}

/// `v × 10^-scale` written out, for errors.
fn unscaled_text(v: i128, scale: i32) -> String {
    if scale <= 0 {
        return format!("{v}e{}", -scale);
    }
    let digits = v.unsigned_abs().to_string();
    let scale = scale as usize;
    let sign = if v < 0 { "-" } else { "" };
    if digits.len() > scale {
        let (a, b) = digits.split_at(digits.len() - scale);
        format!("{sign}{a}.{b}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
    }
}

/// A type the schema check let through but the field cannot read: never
/// happens, reported rather than panicking.
fn unexpected() -> Problem {
    Problem::BadValue {
        value: String::new(),
        expected: "a value of the column's checked type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(offset_seconds("UTC"), Ok(0));
        assert_eq!(offset_seconds("+00:00"), Ok(0));
        assert_eq!(offset_seconds("+02:00"), Ok(7200));
        assert_eq!(offset_seconds("-0530"), Ok(-19800));
        assert_eq!(offset_seconds("+01"), Ok(3600));
        assert_eq!(offset_seconds("Europe/Amsterdam"), Err(()));
        assert_eq!(offset_seconds("+25:00"), Err(()));
    }

    #[test]
    fn decimals_exact_or_refused() {
        assert_eq!(decimal_of(1250, 2).unwrap().to_string(), "12.50");
        assert_eq!(decimal_of(-5, -3).unwrap().to_string(), "-5000");
        // Scale 30 with trailing zeros: exact at scale 28.
        assert_eq!(
            decimal_of(15 * 10i128.pow(29), 30).unwrap().to_string(),
            "1.5000000000000000000000000000"
        );
        // Scale 30 without them: would round, refused.
        assert_eq!(decimal_of(1, 30), None);
        // Past 96 bits: refused.
        assert_eq!(decimal_of(1 << 96, 0), None);
        assert_eq!(decimal_of((1 << 96) - 1, 0).unwrap(), Decimal::MAX);
        assert_eq!(unscaled_text(-5, 3), "-0.005");
        assert_eq!(unscaled_text(12345, 2), "123.45");
    }

    #[test]
    fn floats_as_their_shortest_text() {
        assert_eq!(float(0.1, &0.1f64.to_string()).unwrap().to_string(), "0.1");
        assert_eq!(
            float(0.1f32.into(), &0.1f32.to_string())
                .unwrap()
                .to_string(),
            "0.1"
        );
        assert!(float(f64::NAN, "NaN").is_err());
        assert_eq!(
            float(1e20, &1e20f64.to_string()).unwrap().to_string(),
            "100000000000000000000"
        );
    }
}

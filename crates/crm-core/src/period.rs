use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};

use crate::{Error, Result};

/// A half-open date range `[start, end)`: `start` is in it, `end` is not.
///
/// Parses from `2024-01-01..2025-01-01` and the shorthands `2024` (a
/// calendar year), `2024-Q3` (a quarter) and `2024-07` (a month), and prints
/// as `start..end`.
///
/// ```
/// use crm_core::Period;
///
/// let q3: Period = "2024-Q3".parse()?;
/// assert_eq!(q3.to_string(), "2024-07-01..2024-10-01");
/// assert_eq!(q3.days(), 92);
/// let before = q3.previous().unwrap();
/// assert_eq!(before.to_string(), "2024-03-31..2024-07-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// The period `[start, end)`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPeriod`] when `start` is not before `end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period> {
        if start < end {
            Ok(Period { start, end })
        } else {
            Err(Error::InvalidPeriod {
                input: format!("{start}..{end}"),
                reason: "the start must be before the end".into(),
            })
        }
    }

    /// The calendar year `year`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPeriod`] when the year is outside the supported dates.
    pub fn year(year: i32) -> Result<Period> {
        let start = ymd(year, 1, 1)?;
        let end = ymd(year.checked_add(1).ok_or_else(|| out_of_range(year))?, 1, 1)?;
        Period::new(start, end)
    }

    /// Quarter `quarter` (1..=4) of `year`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPeriod`] for a quarter outside 1..=4 or an
    /// unsupported year.
    pub fn quarter(year: i32, quarter: u32) -> Result<Period> {
        if !(1..=4).contains(&quarter) {
            return Err(Error::InvalidPeriod {
                input: format!("{year}-Q{quarter}"),
                reason: "the quarter must be 1 to 4".into(),
            });
        }
        let start = ymd(year, 3 * quarter - 2, 1)?;
        let end = if quarter == 4 {
            ymd(year.checked_add(1).ok_or_else(|| out_of_range(year))?, 1, 1)?
        } else {
            ymd(year, 3 * quarter + 1, 1)?
        };
        Period::new(start, end)
    }

    /// Month `month` (1..=12) of `year`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPeriod`] for a month outside 1..=12 or an
    /// unsupported year.
    pub fn month(year: i32, month: u32) -> Result<Period> {
        if !(1..=12).contains(&month) {
            return Err(Error::InvalidPeriod {
                input: format!("{year}-{month:02}"),
                reason: "the month must be 1 to 12".into(),
            });
        }
        let start = ymd(year, month, 1)?;
        let end = if month == 12 {
            ymd(year.checked_add(1).ok_or_else(|| out_of_range(year))?, 1, 1)?
        } else {
            ymd(year, month + 1, 1)?
        };
        Period::new(start, end)
    }

    /// The rolling window of `days` days that ends just before `end`
    /// (`[end - days, end)`): "the last 365 days as of `end`".
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPeriod`] when `days` is zero or the start falls
    /// outside the supported dates.
    pub fn rolling(end: NaiveDate, days: u32) -> Result<Period> {
        let start = end
            .checked_sub_days(Days::new(u64::from(days)))
            .ok_or_else(|| out_of_range(end.year()))?;
        Period::new(start, end)
    }

    /// The first day in the period.
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// The first day after the period.
    pub const fn end(&self) -> NaiveDate {
        self.end
    }

    /// The number of days in the period.
    pub fn days(&self) -> u64 {
        // start < end is an invariant, so the difference is positive.
        (self.end - self.start).num_days().unsigned_abs()
    }

    /// Whether `date` is in `[start, end)`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// The period of equal length that ends where this one starts, or
    /// `None` when it would start before the earliest supported date.
    ///
    /// For calendar units this is the previous unit when lengths agree
    /// (2024 → 2023 is not: 2024 has 366 days, so the previous period is
    /// `2022-12-31..2024-01-01`). Use [`Period::previous_calendar`] for the
    /// previous calendar year, quarter or month.
    pub fn previous(&self) -> Option<Period> {
        let start = self.start.checked_sub_days(Days::new(self.days()))?;
        Some(Period {
            start,
            end: self.start,
        })
    }

    /// The period of equal length that starts where this one ends.
    pub fn next(&self) -> Option<Period> {
        let end = self.end.checked_add_days(Days::new(self.days()))?;
        Some(Period {
            start: self.end,
            end,
        })
    }

    /// The previous calendar unit when this period is exactly a calendar
    /// year, quarter or month; otherwise the previous period of equal
    /// length, as [`Period::previous`].
    pub fn previous_calendar(&self) -> Option<Period> {
        let (y, m, d) = (self.start.year(), self.start.month(), self.start.day());
        if d == 1 {
            let months = month_span(self);
            match months {
                Some(12) if m == 1 => return Period::year(y.checked_sub(1)?).ok(),
                Some(3) if (m - 1) % 3 == 0 => {
                    let (py, pq) = if m == 1 {
                        (y.checked_sub(1)?, 4)
                    } else {
                        (y, (m - 1) / 3)
                    };
                    return Period::quarter(py, pq).ok();
                }
                Some(1) => {
                    let (py, pm) = if m == 1 {
                        (y.checked_sub(1)?, 12)
                    } else {
                        (y, m - 1)
                    };
                    return Period::month(py, pm).ok();
                }
                _ => {}
            }
        }
        self.previous()
    }

    /// This period and, when there is one, its
    /// [`previous_calendar`](Period::previous_calendar) period: what a
    /// ledger must track for a pyramid compared with the one before.
    ///
    /// ```
    /// use crm_core::{Ledger, Period};
    ///
    /// let year: Period = "2025".parse()?;
    /// let ledger = Ledger::new(year.with_previous());
    /// assert_eq!(ledger.periods(), ["2025".parse()?, "2024".parse::<Period>()?]);
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn with_previous(&self) -> Vec<Period> {
        std::iter::once(*self)
            .chain(self.previous_calendar())
            .collect()
    }
}

impl Period {
    /// The next calendar unit when this period is whole months (a year, a
    /// quarter, a month, or any run of months from a first day to a first
    /// day): the same number of months from this period's end; otherwise
    /// the next period of equal length, as [`Period::next`]. After 2024
    /// (366 days) comes 2025, not `2025-01-01..2026-01-02`.
    pub fn next_calendar(&self) -> Option<Period> {
        if self.start.day() == 1
            && let Some(months) = month_span(self).and_then(|m| u32::try_from(m).ok())
            && months > 0
        {
            let end = self.end.checked_add_months(chrono::Months::new(months))?;
            return Some(Period {
                start: self.end,
                end,
            });
        }
        self.next()
    }
}

/// Number of whole months from start to end when both are first days.
fn month_span(p: &Period) -> Option<i64> {
    if p.end.day() != 1 {
        return None;
    }
    let a = i64::from(p.start.year()) * 12 + i64::from(p.start.month());
    let b = i64::from(p.end.year()) * 12 + i64::from(p.end.month());
    Some(b - a)
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| out_of_range(y))
}

fn out_of_range(year: i32) -> Error {
    Error::InvalidPeriod {
        input: year.to_string(),
        reason: "outside the supported dates".into(),
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl FromStr for Period {
    type Err = Error;

    /// Parses `START..END` (ISO dates, END excluded), `YYYY`, `YYYY-QN` or
    /// `YYYY-MM`.
    fn from_str(s: &str) -> Result<Period> {
        let bad = |reason: &str| Error::InvalidPeriod {
            input: s.into(),
            reason: reason.into(),
        };
        let t = s.trim();
        if let Some((a, b)) = t.split_once("..") {
            let start = NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d")
                .map_err(|_| bad("the start is not a date like 2024-01-01"))?;
            let end = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d")
                .map_err(|_| bad("the end is not a date like 2025-01-01"))?;
            return Period::new(start, end).map_err(|_| bad("the start must be before the end"));
        }
        let year_of = |y: &str| -> Result<i32> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                y.parse().map_err(|_| bad("bad year"))
            } else {
                Err(bad(
                    "expected START..END, YYYY, YYYY-QN or YYYY-MM (e.g. 2024-01-01..2025-01-01, 2024, 2024-Q3, 2024-07)",
                ))
            }
        };
        match t.split_once('-') {
            None => Period::year(year_of(t)?),
            Some((y, rest)) => {
                let year = year_of(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let q: u32 = q.parse().map_err(|_| bad("the quarter must be 1 to 4"))?;
                    Period::quarter(year, q).map_err(|_| bad("the quarter must be 1 to 4"))
                } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                    let m: u32 = rest.parse().map_err(|_| bad("bad month"))?;
                    Period::month(year, m).map_err(|_| bad("the month must be 01 to 12"))
                } else {
                    Err(bad(
                        "expected START..END, YYYY, YYYY-QN or YYYY-MM (e.g. 2024-01-01..2025-01-01, 2024, 2024-Q3, 2024-07)",
                    ))
                }
            }
        }
    }
}

/// Reads `{"start": "2024-01-01", "end": "2025-01-01"}` (the serialised
/// form) or any text [`Period`] parses: `"2024"`, `"2024-Q3"`,
/// `"2024-07"`, `"2024-01-01..2025-01-01"`.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Range { start: NaiveDate, end: NaiveDate },
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Range { start, end } => Period::new(start, end),
            Raw::Text(s) => s.parse(),
        }
        .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_calendar_units() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert_eq!(p("2024").next_calendar(), Some(p("2025")));
        assert_eq!(p("2024-Q4").next_calendar(), Some(p("2025-Q1")));
        assert_eq!(p("2024-02").next_calendar(), Some(p("2024-03")));
        assert_eq!(
            p("2024-01-01..2024-07-01").next_calendar(),
            Some(p("2024-07-01..2025-01-01"))
        );
        // Not whole months: equal length.
        assert_eq!(
            p("2024-01-05..2024-01-15").next_calendar(),
            Some(p("2024-01-15..2024-01-25"))
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn deserialises_from_range_and_text() {
        let year: Period = serde_json::from_str(r#""2024""#).unwrap();
        assert_eq!(year, p("2024"));
        let q: Period = serde_json::from_str(r#""2024-Q3""#).unwrap();
        assert_eq!(q, p("2024-Q3"));
        let range: Period =
            serde_json::from_str(r#"{"start":"2024-01-01","end":"2025-01-01"}"#).unwrap();
        assert_eq!(range, year);
        let back: Period = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        assert_eq!(back, q);
        assert!(serde_json::from_str::<Period>(r#""2024-13""#).is_err());
        assert!(
            serde_json::from_str::<Period>(r#"{"start":"2025-01-01","end":"2024-01-01"}"#).is_err()
        );
    }

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn shorthands() {
        assert_eq!(p("2024").to_string(), "2024-01-01..2025-01-01");
        assert_eq!(p("2024-Q4").to_string(), "2024-10-01..2025-01-01");
        assert_eq!(p("2024-q1").to_string(), "2024-01-01..2024-04-01");
        assert_eq!(p("2024-12").to_string(), "2024-12-01..2025-01-01");
        assert_eq!(p("2024-02").days(), 29);
        assert_eq!(p(" 2024-01-01..2024-01-02 ").days(), 1);
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "24",
            "2024-13",
            "2024-Q5",
            "2024-Q0",
            "2024-1",
            "x..y",
            "2024-01-02..2024-01-01",
            "2024-01-01..2024-01-01",
            "2024-07-01",
            "2024..2025",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn previous_and_next() {
        let y = p("2023");
        assert_eq!(y.previous().unwrap().to_string(), "2022-01-01..2023-01-01");
        assert_eq!(y.next().unwrap().to_string(), "2024-01-01..2024-12-31");
        assert_eq!(
            p("2024").previous().unwrap().to_string(),
            "2022-12-31..2024-01-01"
        );
        assert_eq!(p("2024").previous_calendar().unwrap(), p("2023"));
        assert_eq!(p("2024-Q1").previous_calendar().unwrap(), p("2023-Q4"));
        assert_eq!(p("2024-03").previous_calendar().unwrap(), p("2024-02"));
        assert_eq!(p("2024-01").previous_calendar().unwrap(), p("2023-12"));
        assert!(
            Period::new(NaiveDate::MIN, NaiveDate::MIN.succ_opt().unwrap())
                .unwrap()
                .previous()
                .is_none()
        );
    }

    #[test]
    fn contains_is_half_open() {
        let q = p("2024-Q1");
        assert!(q.contains(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()));
        assert!(q.contains(NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()));
        assert!(!q.contains(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap()));
    }
}

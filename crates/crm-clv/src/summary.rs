//! Per-customer summaries (frequency, recency, age, mean repeat spend) from
//! transactions, with the definitions of the Python `lifetimes` package.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crm_core::{Datelike, Decimal, Interner, NaiveDate, Transaction};
use rust_decimal::prelude::ToPrimitive;

use crate::error::{Error, Result};

/// Days in a month: a year of 365.25 days over 12.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// The unit in which recency, age and horizons are measured, as a number
/// of days.
///
/// Parses from `day`, `week`, `month` (365.25/12 days, not 30), their
/// plurals, or a positive number of days such as `14` or `14 days`; prints
/// as `day`, `week`, `month` or `14 days`, which parses back to the same
/// unit. With the `serde` feature it is written and read as that text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnit {
    days: f64,
}

impl TimeUnit {
    /// One day.
    pub const DAY: TimeUnit = TimeUnit { days: 1.0 };
    /// One week: 7 days.
    pub const WEEK: TimeUnit = TimeUnit { days: 7.0 };
    /// One month: 365.25/12 days.
    pub const MONTH: TimeUnit = TimeUnit {
        days: DAYS_PER_MONTH,
    };

    /// A unit of `days` days.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] unless `days` is positive and finite.
    pub fn of_days(days: f64) -> Result<TimeUnit> {
        if days.is_finite() && days > 0.0 {
            Ok(TimeUnit { days })
        } else {
            Err(Error::InvalidArgument(format!(
                "a time unit must be a positive number of days, not {days}"
            )))
        }
    }

    /// The unit's length in days.
    pub fn days(self) -> f64 {
        self.days
    }

    /// A duration of `days` days in this unit.
    pub fn from_days(self, days: f64) -> f64 {
        days / self.days
    }
}

impl FromStr for TimeUnit {
    type Err = Error;

    fn from_str(s: &str) -> Result<TimeUnit> {
        match s.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "days" => Ok(TimeUnit::DAY),
            "w" | "week" | "weeks" => Ok(TimeUnit::WEEK),
            "m" | "month" | "months" => Ok(TimeUnit::MONTH),
            other => match other
                .strip_suffix("days")
                .or_else(|| other.strip_suffix("day"))
                .unwrap_or(other)
                .trim()
                .parse::<f64>()
            {
                Ok(days) => TimeUnit::of_days(days),
                Err(_) => Err(Error::InvalidArgument(format!(
                    "{s:?} is not a time unit: day, week, month or a number of days"
                ))),
            },
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.days == 1.0 {
            f.write_str("day")
        } else if self.days == 7.0 {
            f.write_str("week")
        } else if self.days == DAYS_PER_MONTH {
            f.write_str("month")
        } else {
            write!(f, "{} days", self.days)
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for TimeUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for TimeUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Purchases after the calibration end, up to the observation end.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Holdout {
    /// Distinct purchase days in the holdout window.
    pub frequency: u32,
    /// Mean value of the holdout purchases, per transaction (not per day,
    /// as `lifetimes`' `monetary_value_holdout`); 0 without any.
    pub monetary: f64,
    /// Length of the holdout window in the time unit.
    pub duration: f64,
}

/// One customer's (or, with a weight, a group of identical customers')
/// purchase history as the models see it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Summary {
    /// The customer's key (empty in a summary file without one).
    pub key: String,
    /// `x`: repeat purchases, the distinct purchase days (or, for BG/BB,
    /// opportunities with a transaction) after the first.
    pub frequency: u32,
    /// `t_x`: time from the first to the last purchase, in the time unit.
    pub recency: f64,
    /// `T`: time from the first purchase to the end of calibration (for
    /// BG/BB the number of opportunities `n`).
    pub t: f64,
    /// Mean spend of the repeat purchase days (the first excluded), 0 when
    /// `frequency` is 0.
    pub monetary: f64,
    /// How many identical customers the row stands for (1 unless a summary
    /// file says otherwise).
    pub weight: f64,
    /// The holdout figures, when an observation end was given.
    pub holdout: Option<Holdout>,
}

impl Summary {
    /// A single customer's summary without key, spend or holdout.
    pub fn new(frequency: u32, recency: f64, t: f64) -> Summary {
        Summary {
            key: String::new(),
            frequency,
            recency,
            t,
            monetary: 0.0,
            weight: 1.0,
            holdout: None,
        }
    }

    /// Checks the summary's internal consistency: finite, `0 <= recency <=
    /// T`, recency 0 when frequency is 0, positive finite weight.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSummary`] naming the field, with `row` as the
    /// place.
    pub fn check(&self, row: &str) -> Result<()> {
        self.check_at(|| row.to_owned())
    }

    /// As [`Summary::check`], naming the row only when there is an error.
    pub(crate) fn check_at(&self, row: impl Fn() -> String) -> Result<()> {
        let bad = |field: &str, message: String| {
            Err(Error::InvalidSummary {
                row: row(),
                field: field.to_owned(),
                message,
            })
        };
        if !(self.t.is_finite() && self.t >= 0.0) {
            return bad("T", format!("{} is not a non-negative number", self.t));
        }
        if !(self.recency.is_finite() && self.recency >= 0.0 && self.recency <= self.t) {
            return bad(
                "recency",
                format!("{} is not between 0 and T = {}", self.recency, self.t),
            );
        }
        if self.frequency == 0 && self.recency != 0.0 {
            return bad(
                "recency",
                format!("{} with no repeat purchase (must be 0)", self.recency),
            );
        }
        if !self.monetary.is_finite() {
            return bad(
                "monetary_value",
                format!("{} is not a number", self.monetary),
            );
        }
        if !(self.weight.is_finite() && self.weight > 0.0) {
            return bad(
                "weights",
                format!("{} is not a positive number", self.weight),
            );
        }
        Ok(())
    }
}

/// Summaries made from transactions, with what was left out.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Summaries {
    /// One summary per customer with a purchase by the calibration end, in
    /// key order.
    pub customers: Vec<Summary>,
    /// The time unit.
    pub unit: TimeUnit,
    /// The calibration end (inclusive).
    pub calibration_end: NaiveDate,
    /// The observation end (inclusive), when holdout figures were made.
    pub observation_end: Option<NaiveDate>,
    /// Transactions read.
    pub transactions: u64,
    /// Transactions that are not purchases (negative revenue: credit
    /// notes): counted in no frequency and no spend.
    pub not_purchases: u64,
    /// Purchases after the observation end (or, without one, after the
    /// calibration end): outside every window.
    pub after_end: u64,
    /// Customers whose first purchase falls after the calibration end:
    /// they have no calibration history and no summary.
    pub first_after_calibration: u64,
    /// Purchases over time of the summarised customers, for
    /// [`checks::tracking`](crate::checks::tracking).
    pub timeline: Timeline,
}

/// When the summarised customers made their first purchase and their
/// repeat purchases (calibration and holdout), per day.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Timeline {
    /// (day, customers whose first purchase was that day), ascending.
    pub first_purchases: Vec<(NaiveDate, u64)>,
    /// (day, repeat purchase days falling on it), ascending.
    pub repeat_purchases: Vec<(NaiveDate, u64)>,
}

/// Builds [`Summaries`] from transactions in one pass, in any order.
///
/// Definitions (those of `lifetimes`' `summary_data_from_transaction_data`
/// with `freq="D"` and `freq_multiplier` the unit in days, and of its
/// `calibration_and_holdout_data`): a purchase day is a day with a
/// transaction of zero or positive revenue (a free order is a purchase; a
/// credit note is not, and is counted apart); frequency is the number of distinct
/// purchase days up to the calibration end (inclusive) minus one; recency
/// the days from the first to the last of them, T the days from the first
/// to the calibration end, both divided by the unit; monetary the mean of
/// the revenue totals of the repeat purchase days. Holdout: distinct
/// purchase days after the calibration end up to the observation end
/// (inclusive), the mean value of those purchases per transaction, and the
/// window's length.
///
/// Memory: 24 bytes per purchase plus the keys, until
/// [`SummaryBuilder::finish`].
#[derive(Debug)]
pub struct SummaryBuilder {
    calibration_end: NaiveDate,
    observation_end: Option<NaiveDate>,
    unit: TimeUnit,
    keys: Interner,
    purchases: Vec<(u32, i32, Decimal)>,
    transactions: u64,
    not_purchases: u64,
    after_end: u64,
}

impl SummaryBuilder {
    /// A builder for `calibration_end` (inclusive) in `unit`.
    pub fn new(calibration_end: NaiveDate, unit: TimeUnit) -> SummaryBuilder {
        SummaryBuilder {
            calibration_end,
            observation_end: None,
            unit,
            keys: Interner::new(),
            purchases: Vec::new(),
            transactions: 0,
            not_purchases: 0,
            after_end: 0,
        }
    }

    /// Also make holdout figures up to `end` (inclusive).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when `end` is before the calibration
    /// end.
    pub fn observation_end(mut self, end: NaiveDate) -> Result<SummaryBuilder> {
        if end < self.calibration_end {
            return Err(Error::InvalidArgument(format!(
                "the observation end {end} is before the calibration end {}",
                self.calibration_end
            )));
        }
        self.observation_end = Some(end);
        Ok(self)
    }

    /// Adds one transaction.
    ///
    /// # Errors
    ///
    /// [`Error::Model`] for a key the interner refuses (too long).
    pub fn add(&mut self, t: &Transaction) -> Result<()> {
        self.add_sale(t.customer.as_str(), t.date, t.revenue.as_decimal())
    }

    /// Adds a sale of `revenue` to `customer` on `date`.
    ///
    /// # Errors
    ///
    /// As [`SummaryBuilder::add`].
    pub fn add_sale(&mut self, customer: &str, date: NaiveDate, revenue: Decimal) -> Result<()> {
        self.transactions += 1;
        if revenue < Decimal::ZERO {
            self.not_purchases += 1;
            return Ok(());
        }
        let end = self.observation_end.unwrap_or(self.calibration_end);
        if date > end {
            self.after_end += 1;
            return Ok(());
        }
        let (id, _) = self.keys.intern(customer)?;
        self.purchases
            .push((id.index() as u32, date.num_days_from_ce(), revenue));
        Ok(())
    }

    /// The summaries, one per customer with a purchase by the calibration
    /// end, in key order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when a day's total leaves the decimal
    /// range.
    pub fn finish(mut self) -> Result<Summaries> {
        self.purchases
            .sort_unstable_by_key(|&(id, day, _)| (id, day));
        let cal = self.calibration_end.num_days_from_ce();
        let holdout_len = self
            .observation_end
            .map(|o| self.unit.from_days(f64::from(o.num_days_from_ce() - cal)));
        let mut customers = Vec::with_capacity(self.keys.len());
        let mut first_after_calibration = 0;
        let mut firsts: Vec<i32> = Vec::new();
        let mut repeats: Vec<i32> = Vec::new();
        let keys: Vec<&str> = self.keys.iter().map(|(_, k)| k).collect();
        let mut rest = &self.purchases[..];
        while let Some(&(id, _, _)) = rest.first() {
            let n = rest.iter().take_while(|p| p.0 == id).count();
            let (mine, tail) = rest.split_at(n);
            rest = tail;
            let days = day_totals(mine, keys[id as usize])?;
            let first = days[0].0;
            if first > cal {
                first_after_calibration += 1;
                continue;
            }
            let split = days.partition_point(|d| d.0 <= cal);
            let (calib, hold) = days.split_at(split);
            firsts.push(first);
            repeats.extend(days[1..].iter().map(|d| d.0));
            let last = calib[calib.len() - 1].0;
            let frequency = (calib.len() - 1) as u32;
            let key = keys[id as usize].to_owned();
            customers.push(Summary {
                key,
                frequency,
                recency: self.unit.from_days(f64::from(last - first)),
                t: self.unit.from_days(f64::from(cal - first)),
                monetary: mean(&calib[1..]),
                weight: 1.0,
                holdout: holdout_len.map(|duration| Holdout {
                    frequency: hold.len() as u32,
                    monetary: mean_per_transaction(hold),
                    duration,
                }),
            });
        }
        customers.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(Summaries {
            customers,
            unit: self.unit,
            calibration_end: self.calibration_end,
            observation_end: self.observation_end,
            transactions: self.transactions,
            not_purchases: self.not_purchases,
            after_end: self.after_end,
            first_after_calibration,
            timeline: Timeline {
                first_purchases: histogram(firsts),
                repeat_purchases: histogram(repeats),
            },
        })
    }
}

/// Days counted, ascending.
fn histogram(mut days: Vec<i32>) -> Vec<(NaiveDate, u64)> {
    days.sort_unstable();
    let mut out: Vec<(NaiveDate, u64)> = Vec::new();
    for d in days {
        let Some(date) = NaiveDate::from_num_days_from_ce_opt(d) else {
            continue;
        };
        match out.last_mut() {
            Some((last, n)) if *last == date => *n += 1,
            _ => out.push((date, 1)),
        }
    }
    out
}

/// One customer's purchases (sorted by day) as (day, total, transactions)
/// per distinct day.
fn day_totals(purchases: &[(u32, i32, Decimal)], key: &str) -> Result<Vec<(i32, Decimal, u32)>> {
    let mut days: Vec<(i32, Decimal, u32)> = Vec::new();
    for &(_, day, amount) in purchases {
        match days.last_mut() {
            Some((d, total, n)) if *d == day => {
                *total = total.checked_add(amount).ok_or_else(|| {
                    let date = NaiveDate::from_num_days_from_ce_opt(day)
                        .map_or_else(|| day.to_string(), |d| d.to_string());
                    Error::InvalidArgument(format!(
                        "amount overflow: the purchases of customer {key:?} on {date} sum beyond the range of an amount (about ±7.9e28)"
                    ))
                })?;
                *n = n.saturating_add(1);
            }
            _ => days.push((day, amount, 1)),
        }
    }
    Ok(days)
}

/// The mean of the day totals.
fn mean(days: &[(i32, Decimal, u32)]) -> f64 {
    if days.is_empty() {
        return 0.0;
    }
    let total: f64 = days.iter().map(|d| decimal_f64(d.1)).sum();
    total / days.len() as f64
}

/// The mean value of the transactions (not days) in `days`.
fn mean_per_transaction(days: &[(i32, Decimal, u32)]) -> f64 {
    let n: u32 = days.iter().map(|d| d.2).sum();
    if n == 0 {
        return 0.0;
    }
    let total: f64 = days.iter().map(|d| decimal_f64(d.1)).sum();
    total / f64::from(n)
}

fn decimal_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// Frequency, recency and T of every customer of `ledger` with a purchase
/// day by `calibration_end` (inclusive), in key order, from the ledger's
/// purchase days (days with a transaction of positive revenue; the ledger
/// must be made with
/// [`LedgerOptions::purchase_days`](crm_core::LedgerOptions::purchase_days)).
/// Monetary values are 0: the ledger keeps no per-day spend (use
/// [`SummaryBuilder`] for spend models).
///
/// # Errors
///
/// [`Error::InvalidArgument`] when the ledger keeps no purchase days.
pub fn from_ledger(
    ledger: &crm_core::Ledger,
    calibration_end: NaiveDate,
    unit: TimeUnit,
) -> Result<Vec<Summary>> {
    if !ledger.options().purchase_days {
        return Err(Error::InvalidArgument(
            "the ledger keeps no purchase days: make it with LedgerOptions::purchase_days".into(),
        ));
    }
    let end = calibration_end.num_days_from_ce();
    let mut out = Vec::new();
    for id in ledger.ids() {
        let days = ledger.purchase_day_numbers(id)?;
        let days = &days[..days.partition_point(|&d| d <= end)];
        let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
            continue;
        };
        out.push(Summary {
            key: ledger.key(id)?.to_owned(),
            frequency: u32::try_from(days.len() - 1).unwrap_or(u32::MAX),
            recency: unit.from_days(f64::from(last - first)),
            t: unit.from_days(f64::from(end - first)),
            monetary: 0.0,
            weight: 1.0,
            holdout: None,
        });
    }
    out.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Reads ready summaries from a CSV file with a header.
///
/// Columns (case-insensitive, any order): `frequency` (or `x`), `recency`
/// (or `t_x`), `T` (or `periods`, `n_periods`, `n` for BG/BB data),
/// optionally `monetary_value` (or `monetary`, `zbar`), `weights` (or
/// `weight`, `count`), and a key column `customer_id` (or `id`). Other
/// columns are ignored. Every row is checked ([`Summary::check`]).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Csv`] naming
/// file, line and column for a missing column or a bad value.
pub fn read_summaries(path: impl AsRef<Path>) -> Result<Vec<Summary>> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    read_summaries_from(file, path)
}

/// As [`read_summaries`], from any reader; `name` is used in errors.
///
/// # Errors
///
/// As [`read_summaries`].
pub fn read_summaries_from(reader: impl std::io::Read, name: &Path) -> Result<Vec<Summary>> {
    let file = name.display().to_string();
    let csv_err = |line: u64, field: &str, message: String| Error::Csv {
        file: file.clone(),
        line,
        field: field.to_owned(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header = rdr
        .headers()
        .map_err(|e| csv_err(1, "header", e.to_string()))?
        .clone();
    let find = |names: &[&str]| {
        header.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}');
            names.iter().any(|n| h.eq_ignore_ascii_case(n))
        })
    };
    let need = |names: &[&str]| {
        find(names).ok_or_else(|| {
            csv_err(
                1,
                names[0],
                format!("no column {} (or {})", names[0], names[1..].join(", ")),
            )
        })
    };
    let f_col = need(&["frequency", "x"])?;
    let r_col = need(&["recency", "t_x"])?;
    // `T` is case-sensitive in spirit; "t" alone is accepted too.
    let t_col = need(&["T", "periods", "n_periods", "n"])?;
    let m_col = find(&["monetary_value", "monetary", "zbar"]);
    let w_col = find(&["weights", "weight", "count"]);
    let k_col = find(&["customer_id", "id"]);
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(line, "record", e.to_string())),
        }
        let num = |col: usize, name: &str| -> Result<f64> {
            let raw = rec.get(col).unwrap_or("").trim();
            raw.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| csv_err(line, name, format!("{raw:?} is not a number")))
        };
        let fr = num(f_col, &header[f_col])?;
        if fr < 0.0 || fr.fract() != 0.0 || fr > f64::from(u32::MAX) {
            return Err(csv_err(
                line,
                &header[f_col],
                format!("{fr} is not a whole number of repeat purchases"),
            ));
        }
        let s = Summary {
            key: k_col
                .and_then(|c| rec.get(c))
                .unwrap_or("")
                .trim()
                .to_owned(),
            frequency: fr as u32,
            recency: num(r_col, &header[r_col])?,
            t: num(t_col, &header[t_col])?,
            monetary: m_col
                .map(|c| num(c, &header[c]))
                .transpose()?
                .unwrap_or(0.0),
            weight: w_col
                .map(|c| num(c, &header[c]))
                .transpose()?
                .unwrap_or(1.0),
            holdout: None,
        };
        s.check(&format!("{file}:{line}"))?;
        out.push(s);
    }
    if out.is_empty() {
        return Err(csv_err(1, "rows", "the file has no summaries".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_unit_text_round_trips() {
        for days in [1.0, 7.0, DAYS_PER_MONTH, 14.0, 0.5, 3.25] {
            let unit = TimeUnit::of_days(days).unwrap();
            let text = unit.to_string();
            assert_eq!(text.parse::<TimeUnit>().unwrap(), unit, "{text}");
        }
        assert_eq!("14 days".parse::<TimeUnit>().unwrap().days(), 14.0);
        assert_eq!("1 day".parse::<TimeUnit>().unwrap(), TimeUnit::DAY);
        assert!("-3 days".parse::<TimeUnit>().is_err());
        assert!("many days".parse::<TimeUnit>().is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn time_unit_serialises_as_its_text() {
        let unit = TimeUnit::of_days(14.0).unwrap();
        let json = serde_json::to_string(&unit).unwrap();
        assert_eq!(json, r#""14 days""#);
        assert_eq!(serde_json::from_str::<TimeUnit>(&json).unwrap(), unit);
        assert_eq!(
            serde_json::from_str::<TimeUnit>(r#""month""#).unwrap(),
            TimeUnit::MONTH
        );
    }
}

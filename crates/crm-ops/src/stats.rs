//! Small summaries shared by the measures: shares and day counts.

use crm_core::Decimal;

/// `part / whole` as a share by the toolkit's one rule
/// ([`crm_core::share`]: 6 decimals, half to even); `None` when `whole`
/// is 0.
pub(crate) fn share(part: u64, whole: u64) -> Option<Decimal> {
    crm_core::share(Decimal::from(part), Decimal::from(whole))
}

/// Mean, median and 90th percentile of a list of day counts.
///
/// The mean is rounded to two decimals (trailing zeros dropped); the median of an even count is
/// the mean of the two middle values; the 90th percentile is the
/// nearest-rank one (the smallest value with at least 90% of the values at
/// or below it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DaysSummary {
    /// How many values.
    pub count: u64,
    /// The mean, rounded to two decimals. In JSON a number, as every
    /// statistic of days (`8.25`).
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "days_number", deserialize_with = "days_from_number")
    )]
    pub mean: Decimal,
    /// The median. In JSON a number.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "days_number", deserialize_with = "days_from_number")
    )]
    pub median: Decimal,
    /// The 90th percentile (nearest rank).
    pub p90: u32,
}

/// Writes a statistic of days as a JSON number: days are not money, and a
/// mean of days is a statistic like the funnel's median days.
#[cfg(feature = "serde")]
fn days_number<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    use rust_decimal::prelude::ToPrimitive;
    // Two decimals of a day count: exact enough in an f64.
    match d.to_f64() {
        Some(x) => s.serialize_f64(x),
        None => s.serialize_none(),
    }
}

/// Reads a statistic of days written by [`days_number`] back as the
/// decimal it was (its shortest text is the decimal's).
#[cfg(feature = "serde")]
fn days_from_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let x = <f64 as serde::Deserialize>::deserialize(d)?;
    x.to_string()
        .parse::<Decimal>()
        .map(|d| d.normalize())
        .map_err(serde::de::Error::custom)
}

impl DaysSummary {
    /// The summary of `days` (sorted in place); `None` when empty.
    pub fn of(days: &mut [u32]) -> Option<DaysSummary> {
        days.sort_unstable();
        let n = days.len();
        let sum: u64 = days.iter().map(|&d| u64::from(d)).sum();
        let mean = Decimal::from(sum)
            .checked_div(Decimal::from(n as u64))?
            .round_dp(2)
            .normalize();
        let median = if n % 2 == 1 {
            Decimal::from(*days.get(n / 2)?)
        } else {
            ((Decimal::from(*days.get(n / 2 - 1)?) + Decimal::from(*days.get(n / 2)?))
                / Decimal::TWO)
                .normalize()
        };
        // Nearest rank: ceil(0.9 n), 1-based.
        let rank = (9 * n).div_ceil(10).max(1);
        Some(DaysSummary {
            count: n as u64,
            mean,
            median,
            p90: *days.get(rank - 1)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_by_hand() {
        assert_eq!(DaysSummary::of(&mut []), None);
        let s = DaysSummary::of(&mut [10, 1, 3, 2]).unwrap();
        assert_eq!(s.count, 4);
        assert_eq!(s.mean, Decimal::new(4, 0));
        assert_eq!(s.median, Decimal::new(25, 1));
        // ceil(0.9 × 4) = 4th smallest.
        assert_eq!(s.p90, 10);
        let mut ten: Vec<u32> = (1..=10).collect();
        let s = DaysSummary::of(&mut ten).unwrap();
        assert_eq!((s.p90, s.median), (9, Decimal::new(55, 1)));
        let s = DaysSummary::of(&mut [1, 2, 2]).unwrap();
        assert_eq!(
            (s.mean, s.median, s.p90),
            (Decimal::new(167, 2), Decimal::TWO, 2)
        );
    }

    #[test]
    fn shares() {
        assert_eq!(share(1, 0), None);
        assert_eq!(share(1, 4), Some(Decimal::new(25, 2)));
    }
}

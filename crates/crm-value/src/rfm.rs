use std::collections::BTreeMap;

use crm_core::{Basis, Datelike, Ledger, Money, NaiveDate, Period};

use crate::{Error, Result};

/// One named segment of the R × F grid: customers whose recency score is in
/// `r` and frequency score in `f` (both inclusive, 1 to 5).
///
/// In JSON (feature `serde`) each range is an object,
/// `{"name": "champions", "r": {"min": 4, "max": 5}, "f": {"min": 4,
/// "max": 5}}` (in TOML `r = { min = 4, max = 5 }`). Reading also takes
/// the two-element list of 0.1 (`"r": [4, 5]`), and refuses a score
/// outside 1 to 5 or a `min` above `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SegmentRule {
    /// The segment's name.
    pub name: String,
    /// Lowest and highest recency score.
    #[cfg_attr(feature = "serde", serde(with = "score_range"))]
    pub r: (u8, u8),
    /// Lowest and highest frequency score.
    #[cfg_attr(feature = "serde", serde(with = "score_range"))]
    pub f: (u8, u8),
}

/// serde for an inclusive score range: `{"min": 4, "max": 5}`.
#[cfg(feature = "serde")]
mod score_range {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize)]
    struct Range {
        min: u8,
        max: u8,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Object {
        min: u8,
        max: u8,
    }

    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a score range such as {\"min\": 4, \"max\": 5}")]
    enum Either {
        Object(Object),
        Pair(u8, u8),
    }

    pub(super) fn serialize<S: serde::Serializer>(r: &(u8, u8), s: S) -> Result<S::Ok, S::Error> {
        Range { min: r.0, max: r.1 }.serialize(s)
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<(u8, u8), D::Error> {
        let (min, max) = match Either::deserialize(d)? {
            Either::Object(Object { min, max }) => (min, max),
            Either::Pair(min, max) => (min, max),
        };
        if !(1..=5).contains(&min) || !(1..=5).contains(&max) || min > max {
            return Err(serde::de::Error::custom(format!(
                "the score range {min} to {max} is not one: scores run from 1 to 5, min at most max"
            )));
        }
        Ok((min, max))
    }
}

impl SegmentRule {
    /// A rule; `r` and `f` are inclusive score ranges.
    pub fn new(name: &str, r: (u8, u8), f: (u8, u8)) -> SegmentRule {
        SegmentRule {
            name: name.to_string(),
            r,
            f,
        }
    }

    fn matches(&self, r: u8, f: u8) -> bool {
        (self.r.0..=self.r.1).contains(&r) && (self.f.0..=self.f.1).contains(&f)
    }
}

/// The eleven usual named segments on the R × F grid. Every one of
/// the 25 cells belongs to exactly one segment:
///
/// ```text
///          F=1           F=2           F=3            F=4         F=5
/// R=5      new           potential loyalist           champions
/// R=4      promising     potential loyalist           loyal
/// R=3      about to sleep              needs attention loyal
/// R=2      hibernating                 at risk                    can't lose them
/// R=1      lost                        at risk                    can't lose them
/// ```
///
/// The segment names are the RFM convention's: its `lost` (lowest recency
/// and frequency scores) is a segment of buyers, not the pyramid's *lost*
/// (beyond the inactivity horizon) nor the migration matrix's *lapsed*
/// (active to inactive).
pub fn default_segments() -> Vec<SegmentRule> {
    vec![
        SegmentRule::new("champions", (5, 5), (4, 5)),
        SegmentRule::new("loyal", (3, 4), (4, 5)),
        SegmentRule::new("potential loyalist", (4, 5), (2, 3)),
        SegmentRule::new("new", (5, 5), (1, 1)),
        SegmentRule::new("promising", (4, 4), (1, 1)),
        SegmentRule::new("needs attention", (3, 3), (3, 3)),
        SegmentRule::new("about to sleep", (3, 3), (1, 2)),
        SegmentRule::new("at risk", (1, 2), (3, 4)),
        SegmentRule::new("can't lose them", (1, 2), (5, 5)),
        SegmentRule::new("hibernating", (2, 2), (1, 2)),
        SegmentRule::new("lost", (1, 1), (1, 2)),
    ]
}

/// The options of an RFM analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct RfmOptions {
    /// The value summed for M. Default: revenue.
    pub basis: Basis,
    /// The segment rules, first match wins. Default: [`default_segments`].
    pub segments: Vec<SegmentRule>,
}

impl Default for RfmOptions {
    fn default() -> RfmOptions {
        RfmOptions {
            basis: Basis::Revenue,
            segments: default_segments(),
        }
    }
}

impl RfmOptions {
    /// The defaults.
    pub fn new() -> RfmOptions {
        RfmOptions::default()
    }

    /// Sets the basis.
    #[must_use]
    pub fn basis(mut self, basis: Basis) -> RfmOptions {
        self.basis = basis;
        self
    }

    /// Sets the segment rules.
    #[must_use]
    pub fn segments(mut self, segments: Vec<SegmentRule>) -> RfmOptions {
        self.segments = segments;
        self
    }
}

/// One customer's RFM figures and scores.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RfmScore {
    /// The customer.
    pub customer: String,
    /// Days from the last purchase to the reference date.
    pub recency_days: u32,
    /// Purchase days before the reference date.
    pub frequency: u32,
    /// Value before the reference date.
    pub monetary: Money,
    /// Recency score, 1 to 5 (5: most recent).
    pub r: u8,
    /// Frequency score, 1 to 5 (5: most frequent).
    pub f: u8,
    /// Monetary score, 1 to 5 (5: most valuable).
    pub m: u8,
    /// The segment of (r, f), or `other` when no rule matches.
    pub segment: String,
}

/// The RFM analysis as of a date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Rfm {
    /// The reference date (purchases before it count).
    pub as_of: NaiveDate,
    /// Every customer with a purchase before `as_of`, by key.
    pub scores: Vec<RfmScore>,
    /// Customers per segment, in rule order (`other` last when used). In
    /// JSON a list of `{"segment": "champions", "customers": 120}`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "segment_counts"))]
    pub segments: Vec<(String, u64)>,
}

#[cfg(feature = "serde")]
fn segment_counts<S: serde::Serializer>(
    segments: &[(String, u64)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(serde::Serialize)]
    struct Segment<'a> {
        segment: &'a str,
        customers: u64,
    }
    s.collect_seq(segments.iter().map(|(segment, customers)| Segment {
        segment,
        customers: *customers,
    }))
}

/// The period an RFM analysis as of `as_of` needs the ledger to track:
/// everything before `as_of`.
///
/// # Errors
///
/// [`Error::Core`] for a date in year 1.
pub fn rfm_period(as_of: NaiveDate) -> Result<Period> {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    Ok(Period::new(first, as_of)?)
}

/// Scores 1 to 5 by quintile: `1 + ⌊5 × k / n⌋` with `k` the number of
/// values strictly worse than this one (smaller when `higher_is_better`,
/// larger otherwise). Tied values always share a score, and the scores do
/// not depend on the order of `values`; without ties each score has
/// `n / 5` values, give or take one.
pub fn quintile_scores<T: Ord + Copy>(values: &[T], higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    // One sort of (value, position); each run of equal values then knows
    // how many values lie below it (its start) and above it (after its
    // end), without a search per value.
    let mut sorted: Vec<(T, usize)> = values.iter().copied().zip(0..).collect();
    sorted.sort_unstable();
    let mut scores = vec![1u8; n];
    let mut start = 0;
    for run in sorted.chunk_by(|a, b| a.0 == b.0) {
        let end = start + run.len();
        let worse = if higher_is_better { start } else { n - end };
        // worse < n, so the score is at most 5.
        let score = (1 + 5 * worse / n) as u8;
        for (_, i) in run {
            if let Some(s) = scores.get_mut(*i) {
                *s = score;
            }
        }
        start = end;
    }
    scores
}

/// The [`quintile_scores`] of `values` by value: the score of every
/// number from 0 to the largest of `values`, from a count of each (no
/// sort); `None` when `values` is empty or its numbers spread too far for
/// a table (beyond four per value and 65,536).
fn score_table(values: &[u32], higher_is_better: bool) -> Option<Vec<u8>> {
    let max = *values.iter().max()? as usize;
    if max > values.len().saturating_mul(4).max(1 << 16) {
        return None;
    }
    let mut count = vec![0usize; max + 1];
    for &v in values {
        count[v as usize] += 1;
    }
    let n = values.len();
    let mut below = 0;
    let table = count
        .iter()
        .map(|&c| {
            // As `quintile_scores`: the values strictly worse, below this
            // one or above it; `worse < n`, so the score is at most 5.
            let worse = if higher_is_better {
                below
            } else {
                n - below - c
            };
            below += c;
            (1 + 5 * worse / n) as u8
        })
        .collect();
    Some(table)
}

/// RFM as of `as_of`: recency in days since the last
/// purchase (a day with positive revenue), frequency in purchase days,
/// monetary as the value on `options.basis` of all transactions before
/// `as_of`; scores by [`quintile_scores`]; segments by the first matching
/// rule.
///
/// The ledger must track [`rfm_period`]`(as_of)` and keep purchase days
/// ([`LedgerOptions::purchase_days`](crm_core::LedgerOptions::purchase_days)).
///
/// # Differences with a peer
///
/// The Python package `rfm` (1.0.9) scores with
/// `pd.qcut(x.rank(method='first'), 5)`: without ties the same quintiles
/// as here, but tied customers are split by their order in the input, so
/// the same data in another order scores differently; here ties share a
/// score. It counts transactions (credit notes included) as frequency and
/// takes the latest date in the data as reference; here frequency counts
/// purchase days and the reference date is given. Its ten segments use R,
/// F and M; these eleven use R and F, with M reported beside.
///
/// `benches/compare/rfm_vs_peer.py` applies the peer's scoring to the
/// values computed here: on the shipped example data (2,000 customers as of
/// 2026-01-01) 1,997 R, 1,822 F and 2,000 M scores agree, and every
/// difference is on a tied value.
///
/// # Errors
///
/// [`Error::NeedsPurchaseDays`] when the ledger lacks purchase days,
/// [`Error::Core`] ([`crm_core::Error::UntrackedPeriod`]) when it does not
/// track the period ([`rfm_period`]).
pub fn rfm(ledger: &Ledger, as_of: NaiveDate, options: &RfmOptions) -> Result<Rfm> {
    if !ledger.options().purchase_days {
        return Err(Error::NeedsPurchaseDays { analysis: "RFM" });
    }
    let period = rfm_period(as_of)?;
    let pi = ledger.period_index(&period)?;
    let day = as_of.num_days_from_ce();
    let mut rows: Vec<(String, u32, u32, Money)> = Vec::new();
    for id in ledger.ids() {
        let days = ledger.purchase_day_numbers(id)?;
        let before = &days[..days.partition_point(|&d| d < day)];
        let Some(&last) = before.last() else { continue };
        let recency = u32::try_from(day - last).unwrap_or(u32::MAX);
        let frequency = u32::try_from(before.len()).unwrap_or(u32::MAX);
        let monetary = ledger.period_totals(id, pi)?.value(options.basis);
        rows.push((ledger.key(id)?.to_string(), recency, frequency, monetary));
    }
    rows.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let r = quintile_scores(&rows.iter().map(|x| x.1).collect::<Vec<_>>(), false);
    let f = quintile_scores(&rows.iter().map(|x| x.2).collect::<Vec<_>>(), true);
    let m = quintile_scores(&rows.iter().map(|x| x.3).collect::<Vec<_>>(), true);
    let mut counts: BTreeMap<usize, u64> = BTreeMap::new();
    let scores: Vec<RfmScore> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (customer, recency_days, frequency, monetary))| {
            let rule = options.segments.iter().position(|s| s.matches(r[i], f[i]));
            *counts.entry(rule.unwrap_or(usize::MAX)).or_default() += 1;
            RfmScore {
                customer,
                recency_days,
                frequency,
                monetary,
                r: r[i],
                f: f[i],
                m: m[i],
                segment: rule
                    .map_or_else(|| "other".to_string(), |k| options.segments[k].name.clone()),
            }
        })
        .collect();
    let mut segments: Vec<(String, u64)> = options
        .segments
        .iter()
        .enumerate()
        .map(|(k, s)| (s.name.clone(), counts.get(&k).copied().unwrap_or(0)))
        .collect();
    if let Some(&n) = counts.get(&usize::MAX) {
        segments.push(("other".to_string(), n));
    }
    Ok(Rfm {
        as_of,
        scores,
        segments,
    })
}

/// RFM's R × F grid as of a date: how many customers have each recency
/// and frequency score, and each segment's count, without a row per
/// customer. The same counts as [`rfm`] gives (its scores do not depend
/// on the order of the customers), in a fraction of the time and memory on
/// a large ledger: no key, no monetary value and no segment name is kept
/// per customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RfmGrid {
    /// The reference date (exclusive).
    pub as_of: NaiveDate,
    /// Customers with a purchase before `as_of`.
    pub customers: u64,
    /// Customers per cell: `counts[r - 1][f - 1]` has R score `r` and F
    /// score `f`.
    pub counts: [[u64; 5]; 5],
    /// The segment of each cell (by the first matching rule, `other` when
    /// none matches), indexed as `counts`.
    pub cell_segments: [[String; 5]; 5],
    /// Customers per segment, in rule order, `other` last when any
    /// customer matched no rule: as [`Rfm::segments`].
    pub segments: Vec<(String, u64)>,
}

/// RFM's R × F grid as of `as_of` ([`RfmGrid`]): the scores of [`rfm`]
/// counted per cell and per segment, without a row per customer.
///
/// The ledger must keep purchase days; unlike [`rfm`] it needs no tracked
/// period (monetary is not scored).
///
/// # Errors
///
/// [`Error::NeedsPurchaseDays`] when the ledger lacks purchase days.
///
/// ```
/// use crm_core::{Ledger, LedgerOptions, Money, NaiveDate};
/// use crm_value::{RfmOptions, rfm, rfm_grid, rfm_period};
///
/// let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
/// let mut ledger = Ledger::with_options([rfm_period(as_of)?], LedgerOptions::new().purchase_days(true));
/// for (k, m) in [("a", 1), ("a", 3), ("b", 6), ("c", 2), ("c", 5), ("c", 9)] {
///     let day = NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
///     ledger.record_sale(k, day, Money::from(10), None)?;
/// }
/// let grid = rfm_grid(&ledger, as_of, &RfmOptions::new())?;
/// let full = rfm(&ledger, as_of, &RfmOptions::new())?;
/// assert_eq!(grid.customers, 3);
/// assert_eq!(grid.segments, full.segments);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rfm_grid(ledger: &Ledger, as_of: NaiveDate, options: &RfmOptions) -> Result<RfmGrid> {
    if !ledger.options().purchase_days {
        return Err(Error::NeedsPurchaseDays { analysis: "RFM" });
    }
    let day = as_of.num_days_from_ce();
    let mut recency: Vec<u32> = Vec::new();
    let mut frequency: Vec<u32> = Vec::new();
    for id in ledger.ids() {
        let days = ledger.purchase_day_numbers(id)?;
        let before = &days[..days.partition_point(|&d| d < day)];
        let Some(&last) = before.last() else { continue };
        recency.push(u32::try_from(day - last).unwrap_or(u32::MAX));
        frequency.push(u32::try_from(before.len()).unwrap_or(u32::MAX));
    }
    let customers = recency.len() as u64;
    let mut counts = [[0u64; 5]; 5];
    let cell = |r: u8, f: u8| {
        (
            usize::from(r.clamp(1, 5) - 1),
            usize::from(f.clamp(1, 5) - 1),
        )
    };
    match (score_table(&recency, false), score_table(&frequency, true)) {
        // Days and purchase days are small numbers: their scores are
        // counted, not sorted.
        (Some(rt), Some(ft)) => {
            for (r, f) in recency.iter().zip(&frequency) {
                let (i, j) = cell(rt[*r as usize], ft[*f as usize]);
                counts[i][j] += 1;
            }
        }
        _ => {
            let r = quintile_scores(&recency, false);
            drop(recency);
            let f = quintile_scores(&frequency, true);
            drop(frequency);
            for (r, f) in r.iter().zip(&f) {
                let (i, j) = cell(*r, *f);
                counts[i][j] += 1;
            }
        }
    }
    let rule_of = |r: u8, f: u8| options.segments.iter().position(|s| s.matches(r, f));
    let mut per_rule: BTreeMap<usize, u64> = BTreeMap::new();
    let mut cell_segments: [[String; 5]; 5] = Default::default();
    for (i, row) in counts.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            let rule = rule_of(i as u8 + 1, j as u8 + 1);
            cell_segments[i][j] =
                rule.map_or_else(|| "other".to_string(), |k| options.segments[k].name.clone());
            if n > 0 {
                *per_rule.entry(rule.unwrap_or(usize::MAX)).or_default() += n;
            }
        }
    }
    let mut segments: Vec<(String, u64)> = options
        .segments
        .iter()
        .enumerate()
        .map(|(k, s)| (s.name.clone(), per_rule.get(&k).copied().unwrap_or(0)))
        .collect();
    if let Some(&n) = per_rule.get(&usize::MAX) {
        segments.push(("other".to_string(), n));
    }
    Ok(RfmGrid {
        as_of,
        customers,
        counts,
        cell_segments,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The counted table scores every value as `quintile_scores` does;
        /// numbers spread too far for a table give none.
        #[test]
        fn score_table_is_quintile_scores(
            values in proptest::collection::vec(0u32..400, 0..300),
            far in proptest::option::of(1u32 << 20..u32::MAX),
            higher in proptest::bool::ANY,
        ) {
            let mut values = values;
            values.extend(far);
            match score_table(&values, higher) {
                Some(table) => {
                    proptest::prop_assert!(far.is_none());
                    let scores = quintile_scores(&values, higher);
                    for (v, s) in values.iter().zip(&scores) {
                        proptest::prop_assert_eq!(table[*v as usize], *s);
                    }
                }
                None => proptest::prop_assert!(values.is_empty() || far.is_some()),
            }
        }
    }
}

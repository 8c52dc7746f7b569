//! The fast path for rows of one customer that come together (a file
//! sorted or clustered by customer, as `crm convert` writes it): a run of
//! consecutive rows with the same key is added up here, in whole numbers
//! of the money columns' scale, and reaches the ledger as one
//! [`CustomerFacts`] row: one key lookup and one update of the customer's
//! record per run instead of per row.
//!
//! The result is the ledger's result for the same rows one by one, to the
//! last digit and scale: the sums are exact integers; a run is taken only
//! when every row is clean (no null, no bad value, a valid key) and when
//! adding it cannot round or overflow in the ledger (the customer's
//! totals plus the run's absolute amounts stay within the 96 bits of a
//! [`Decimal`](crm_core::Decimal)); anything else declines, and the caller
//! reads the run row by row, with the row path's errors and rejects.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_schema::DataType;
use crm_core::{Basis, CustomerFacts, Decimal, Ledger, Money, NaiveDate, PeriodFacts};

use crate::columns::{Col, Text, decimal_of, epoch_day};

/// The largest mantissa of a [`Decimal`](crm_core::Decimal).
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The days between 0001-01-01 (day 1 of the common era) and 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

/// The columns of a record batch the fast path can read: string keys,
/// `DATE` days, money as whole numbers of one scale, no nulls but in the
/// margin.
pub(crate) struct Fast<'a> {
    key: &'a Text<'a>,
    days: &'a [i32],
    revenue: &'a Col<'a>,
    revenue_scale: u32,
    /// The margin column, its scale and its nulls.
    margin: Option<(&'a Col<'a>, u32, Option<&'a dyn Array>)>,
}

impl<'a> Fast<'a> {
    /// The fast view of a batch's columns (key, date, revenue, margin), or
    /// `None` when a column has another type or the required ones have
    /// nulls.
    pub fn new(
        arrays: &[Option<&'a dyn Array>; 4],
        cols: &'a [Option<Col<'a>>; 4],
    ) -> Option<Fast<'a>> {
        if (0..3).any(|k| arrays[k].is_none_or(|a| a.null_count() > 0)) {
            return None;
        }
        let Some(Col::Text(key)) = &cols[0] else {
            return None;
        };
        let date = arrays[1]?;
        if date.data_type() != &DataType::Date32 {
            return None;
        }
        let days = date
            .as_primitive_opt::<arrow_array::types::Date32Type>()?
            .values();
        let revenue = cols[2].as_ref()?;
        let revenue_scale = revenue.unscaled_scale()?;
        let margin = match (&cols[3], arrays[3]) {
            (Some(c), Some(a)) => Some((c, c.unscaled_scale()?, (a.null_count() > 0).then_some(a))),
            (None, None) => None,
            _ => return None,
        };
        Some(Fast {
            key,
            days: days.as_ref(),
            revenue,
            revenue_scale,
            margin,
        })
    }

    /// Row `i`'s key as stored (untrimmed).
    pub fn raw_key(&self, i: usize) -> &'a str {
        self.key.get(i)
    }

    /// Whether the rows come in runs worth adding up: at least two rows
    /// per key change on average. A file in date order (customers
    /// scattered) reads row by row, as before.
    pub fn clustered(&self, rows: usize) -> bool {
        let mut changes = 0usize;
        for i in 1..rows {
            if self.key.get(i) != self.key.get(i - 1) {
                changes += 1;
            }
        }
        changes * 2 < rows
    }
}

/// One period's part of a run.
#[derive(Debug, Clone, Copy, Default)]
struct PeriodAcc {
    /// Sums per basis, in units of the column's scale.
    sum: [i128; 2],
    /// Sums of the absolute values per basis: the bound of every partial
    /// sum, for the exactness check.
    abs: [i128; 2],
    transactions: u64,
    /// Whether a row in the period had a margin (else the margin sum is the
    /// ledger's zero, of scale 0, as the row path leaves it).
    margins: bool,
    /// The last purchase before the period's start, per basis (days).
    before: [Option<i32>; 2],
}

/// The reusable state of the fast path of one reading thread.
pub(crate) struct Runs {
    /// Each period's first day and first day after it, as days since
    /// 1970-01-01.
    bounds: Vec<(i32, i32)>,
    acc: Vec<PeriodAcc>,
    purchase_days: bool,
    /// The days a date can be (those of `NaiveDate`).
    days: (i32, i32),
    facts: CustomerFacts,
    /// A key no smaller than any customer's key in the ledger (byte
    /// order), when known: a run of a greater key is a new customer, whose
    /// totals need not be looked up (in a sorted file, every run's).
    above: Option<String>,
}

fn day(d: NaiveDate) -> i32 {
    use crm_core::Datelike;
    d.num_days_from_ce() - EPOCH_FROM_CE
}

impl Runs {
    /// The state for reading into `ledger`.
    pub fn new(ledger: &Ledger) -> Runs {
        let bounds = ledger
            .periods()
            .iter()
            .map(|p| (day(p.start()), day(p.end())))
            .collect::<Vec<_>>();
        let mut facts = CustomerFacts::new(String::new());
        facts.periods = vec![PeriodFacts::new(); bounds.len()];
        Runs {
            acc: vec![PeriodAcc::default(); bounds.len()],
            bounds,
            purchase_days: ledger.options().purchase_days,
            days: (day(NaiveDate::MIN), day(NaiveDate::MAX)),
            facts,
            above: ledger.is_empty().then(String::new),
        }
    }

    /// Notes that a customer `key` may be in the ledger now: called for
    /// every row read row by row.
    pub fn saw(&mut self, key: &str) {
        if let Some(above) = &mut self.above
            && key > above.as_str()
        {
            above.clear();
            above.push_str(key);
        }
    }

    /// Adds up rows `rows` of `fast`, all of the customer `key` (trimmed
    /// and checked), and records them into `ledger` as one facts row.
    /// Returns `false`, with the ledger untouched, when the run must be
    /// read row by row instead (see the module's documentation).
    pub fn record(
        &mut self,
        fast: &Fast<'_>,
        key: &str,
        rows: std::ops::Range<usize>,
        ledger: &mut Ledger,
    ) -> bool {
        let Some(()) = self.add_up(fast, rows) else {
            return false;
        };
        let scales = [fast.revenue_scale, fast.margin.as_ref().map_or(0, |m| m.1)];
        // The customer's totals so far: the run must add to them exactly.
        // A key above every key of the ledger has none.
        let new = self.above.as_deref().is_some_and(|a| key > a);
        let existing = if new { None } else { ledger.id(key) };
        if let Some(id) = existing {
            for (p, acc) in self.acc.iter().enumerate() {
                if acc.transactions == 0 {
                    continue;
                }
                let Ok(totals) = ledger.period_totals(id, p) else {
                    return false;
                };
                for (b, basis) in [Basis::Revenue, Basis::Margin].into_iter().enumerate() {
                    let x = totals.value(basis).as_decimal();
                    if !adds_exactly(x, acc.abs[b], scales[b]) {
                        return false;
                    }
                }
            }
        }
        let money = |v: i128, scale: u32| decimal_of(v, scale as i32).map(Money::new);
        let f = &mut self.facts;
        f.key.clear();
        f.key.push_str(key);
        for (pf, acc) in f.periods.iter_mut().zip(&self.acc) {
            pf.transactions = acc.transactions;
            pf.value = [Money::ZERO; 2];
            if acc.transactions > 0 {
                let Some(r) = money(acc.sum[0], scales[0]) else {
                    return false;
                };
                pf.value[0] = r;
                if acc.margins {
                    let Some(m) = money(acc.sum[1], scales[1]) else {
                        return false;
                    };
                    pf.value[1] = m;
                }
            }
            pf.last_purchase_before = acc.before.map(|d| d.and_then(|d| epoch_day(d.into())));
        }
        if ledger.record_facts(f).is_err() {
            return false;
        }
        self.saw(key);
        true
    }

    /// Adds up the run into `self.acc` and `self.facts` (all but the key
    /// and the periods' values); `None` when a row is out of the fast
    /// path's reach.
    fn add_up(&mut self, fast: &Fast<'_>, rows: std::ops::Range<usize>) -> Option<()> {
        for a in &mut self.acc {
            *a = PeriodAcc::default();
        }
        let mut n = 0u64;
        let mut without_margin = 0u64;
        let mut first = i32::MAX;
        let mut last = i32::MIN;
        let mut first_purchase = [i32::MAX; 2];
        let mut last_purchase = [i32::MIN; 2];
        self.facts.purchase_days.clear();
        for i in rows {
            let d = *fast.days.get(i)?;
            if d < self.days.0 || d > self.days.1 {
                return None;
            }
            let r = fast.revenue.unscaled(i);
            if r.unsigned_abs() > MAX_MANTISSA {
                return None;
            }
            let m = match &fast.margin {
                Some((c, _, nulls)) if !nulls.is_some_and(|a| a.is_null(i)) => {
                    let m = c.unscaled(i);
                    if m.unsigned_abs() > MAX_MANTISSA {
                        return None;
                    }
                    Some(m)
                }
                _ => None,
            };
            n += 1;
            without_margin += u64::from(m.is_none());
            first = first.min(d);
            last = last.max(d);
            let positive = [r > 0, m.is_some_and(|m| m > 0)];
            for b in 0..2 {
                if positive[b] {
                    first_purchase[b] = first_purchase[b].min(d);
                    last_purchase[b] = last_purchase[b].max(d);
                }
            }
            if self.purchase_days && positive[0] {
                self.facts.purchase_days.push(epoch_day(d.into())?);
            }
            for (acc, &(start, end)) in self.acc.iter_mut().zip(&self.bounds) {
                if d < start {
                    for (before, &pos) in acc.before.iter_mut().zip(&positive) {
                        if pos {
                            *before = (*before).max(Some(d));
                        }
                    }
                } else if d < end {
                    acc.transactions += 1;
                    acc.sum[0] = acc.sum[0].checked_add(r)?;
                    acc.abs[0] = acc.abs[0].checked_add(r.abs())?;
                    if let Some(m) = m {
                        acc.sum[1] = acc.sum[1].checked_add(m)?;
                        acc.abs[1] = acc.abs[1].checked_add(m.abs())?;
                        acc.margins = true;
                    }
                }
            }
        }
        if self
            .acc
            .iter()
            .any(|a| a.abs.iter().any(|&x| x.unsigned_abs() > MAX_MANTISSA))
        {
            return None;
        }
        let date = |d: i32| epoch_day(d.into());
        let f = &mut self.facts;
        f.transactions = n;
        f.transactions_without_margin = without_margin;
        f.first_transaction = Some(date(first)?);
        f.last_transaction = Some(date(last)?);
        for b in 0..2 {
            (f.first_purchase[b], f.last_purchase[b]) = if first_purchase[b] == i32::MAX {
                (None, None)
            } else {
                (
                    Some(date(first_purchase[b])?),
                    Some(date(last_purchase[b])?),
                )
            };
        }
        Some(())
    }
}

/// Whether adding amounts of scale `scale` whose absolute values sum to
/// `abs` to `x`, one by one, stays exact: every partial sum then fits the
/// 96-bit mantissa at the larger of the two scales, so no addition
/// rounds or overflows, and the sum of the run added at once is the same
/// number with the same scale.
fn adds_exactly(x: Decimal, abs: i128, scale: u32) -> bool {
    let s = x.scale().max(scale);
    let up = |v: i128, from: u32| 10i128.checked_pow(s - from).and_then(|f| v.checked_mul(f));
    let (Some(xs), Some(a)) = (up(x.mantissa().abs(), x.scale()), up(abs, scale)) else {
        return false;
    };
    xs.checked_add(a)
        .is_some_and(|t| t.unsigned_abs() <= MAX_MANTISSA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactness_bound() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(adds_exactly(d("0"), 1000, 2));
        assert!(adds_exactly(d("12.345"), 1000, 2));
        // 2^96 - 1 at scale 0 is the largest mantissa.
        let max = MAX_MANTISSA as i128;
        assert!(adds_exactly(d("0"), max, 0));
        assert!(!adds_exactly(d("1"), max, 0));
        // The run's amounts at scale 2 meet a total of scale 0: rescaled.
        assert!(!adds_exactly(d("1"), max - 99, 2));
        assert!(adds_exactly(d("1"), max - 100, 2));
        // A total of a larger scale rescales the run's bound.
        assert!(!adds_exactly(d("0.0000000000000000000000000001"), max, 0));
    }
}

//! Win-back: how often former customers come back, estimated from the
//! history itself, and who is worth winning back first.

use std::collections::BTreeMap;
use std::fmt;

use crm_core::{Basis, CustomerId, Decimal, Ledger, Money, Period};
use crm_pyramid::{Level, Pyramid};

use crate::{Error, Result};

/// The reactivation rate of one cell: customers Inactive in a period with
/// this best former level and this many periods lapsed, and how many of
/// them were active again in the next period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ReactivationRate {
    /// The best active level in the history up to then; `None` for
    /// customers who bought only before the first period of the history.
    pub best_level: Option<Level>,
    /// Consecutive periods Inactive, up to and including that period
    /// (counted from the first period of the history for customers who
    /// lapsed before it, so a lower bound for them).
    pub lapsed: u32,
    /// Customers in the cell, over all pairs of consecutive periods.
    pub customers: u64,
    /// Of them, active in the next period.
    pub reactivated: u64,
    /// `reactivated / customers`, a share ([`crm_core::share`]: six
    /// decimals, half to even).
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str"))]
    pub rate: Decimal,
    /// Whether fewer than [`MIN_CELL_CUSTOMERS`] former customers are
    /// behind the rate: a few more or fewer comebacks would move it a lot.
    pub small_cell: bool,
}

/// Below this many former customers in a cell, its reactivation rate is
/// flagged as resting on a small cell ([`ReactivationRate::small_cell`],
/// [`FormerCustomer::small_cell`]): with 30 customers, one comeback more or
/// less moves the rate by over three points.
pub const MIN_CELL_CUSTOMERS: u64 = 30;

/// `big, 2 periods lapsed: 12 of 80 reactivated (15%)`, with `small
/// cell` after a rate from fewer than [`MIN_CELL_CUSTOMERS`].
impl fmt::Display for ReactivationRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} period{} lapsed: {} of {} reactivated ({}%)",
            self.best_level.map_or("before history", Level::as_str),
            self.lapsed,
            if self.lapsed == 1 { "" } else { "s" },
            self.reactivated,
            self.customers,
            (self.rate * Decimal::ONE_HUNDRED).round_dp(1).normalize()
        )?;
        if self.small_cell {
            f.write_str(", small cell")?;
        }
        Ok(())
    }
}

/// A former customer (Inactive in the last period) and what winning them
/// back is expected to bring.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FormerCustomer {
    /// The customer.
    pub customer: String,
    /// The best active level in the history.
    pub best_level: Option<Level>,
    /// Consecutive periods Inactive up to the last.
    pub lapsed: u32,
    /// Margin in the last period the customer was active (`None` when not
    /// active in the history or no transaction had a margin).
    pub margin_then: Option<Money>,
    /// Whether a complaint was open at the end of that period.
    pub complaint_before_lapsing: bool,
    /// The reactivation rate of the customer's cell, `None` when the
    /// history has no one in it.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str::option"))]
    pub rate: Option<Decimal>,
    /// How many former customers the rate rests on (the cell's size; 0
    /// when the history has no one in the cell).
    pub cell_customers: u64,
    /// Whether there is a rate and it rests on fewer than
    /// [`MIN_CELL_CUSTOMERS`].
    pub small_cell: bool,
    /// `margin_then × rate`, rounded to cents.
    pub expected_margin: Option<Money>,
}

/// `C1 (best big, 2 periods lapsed): margin then 1200, rate 15% of 80,
/// expected margin 180`.
impl fmt::Display for FormerCustomer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (best {}, {} period{} lapsed",
            self.customer,
            self.best_level.map_or("before history", Level::as_str),
            self.lapsed,
            if self.lapsed == 1 { "" } else { "s" }
        )?;
        if self.complaint_before_lapsing {
            f.write_str(", complaint open when lapsing")?;
        }
        f.write_str("): margin then ")?;
        match self.margin_then {
            Some(m) => write!(f, "{m}")?,
            None => f.write_str("unknown")?,
        }
        match self.rate {
            Some(r) => write!(
                f,
                ", rate {}% of {}",
                (r * Decimal::ONE_HUNDRED).round_dp(1).normalize(),
                self.cell_customers
            )?,
            None => f.write_str(", no rate")?,
        }
        if self.small_cell {
            f.write_str(" (small cell)")?;
        }
        if let Some(m) = self.expected_margin {
            write!(f, ", expected margin {m}")?;
        }
        Ok(())
    }
}

/// The win-back analysis over consecutive periods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct WinBack {
    /// The periods, oldest first.
    pub periods: Vec<Period>,
    /// The rates per cell, by best level (high to low, `None` last) and
    /// periods lapsed.
    pub rates: Vec<ReactivationRate>,
    /// The former customers of the last period, by expected margin
    /// (highest first, unknown last), then key.
    pub former: Vec<FormerCustomer>,
}

fn level_key(l: Option<Level>) -> usize {
    l.map_or(usize::MAX, Level::index)
}

/// Reactivation rates and former customers ranked by expected margin, from
/// the pyramids of consecutive periods (oldest first) built from `ledger`.
///
/// For each pair of consecutive periods, every customer Inactive in the
/// first falls in the cell (best former level, periods lapsed); the rate
/// of a cell is the share of its customers active again in the second.
/// A former customer of the last period gets the rate of the cell they are
/// in now: expected margin = margin then × rate.
///
/// # Errors
///
/// [`Error::Input`] when fewer than two pyramids are given or their
/// periods do not follow each other; a ledger error when it does not track
/// them.
pub fn winback(ledger: &Ledger, pyramids: &[Pyramid]) -> Result<WinBack> {
    if pyramids.len() < 2 {
        return Err(Error::Input(
            "win-back needs at least two consecutive periods".into(),
        ));
    }
    for w in pyramids.windows(2) {
        if w[0].period().end() != w[1].period().start() {
            return Err(Error::Input(format!(
                "periods {} and {} do not follow each other",
                w[0].period(),
                w[1].period()
            )));
        }
    }
    let index: Vec<usize> = pyramids
        .iter()
        .map(|p| ledger.period_index(p.period()))
        .collect::<std::result::Result<_, _>>()?;
    for p in pyramids {
        p.check_ledger(ledger)?;
    }
    let stats = ledger.stats();
    let margins_known = stats.transactions > stats.transactions_without_margin;
    let n = pyramids.len();
    let mut cells: BTreeMap<(usize, u32), (Option<Level>, u64, u64)> = BTreeMap::new();
    let mut former = Vec::new();
    for id in ledger.ids() {
        // Walk the history once: best level so far, periods lapsed.
        let mut best: Option<Level> = None;
        let mut lapsed = 0u32;
        let mut last_active: Option<usize> = None;
        for (t, p) in pyramids.iter().enumerate() {
            let level = p.level_of(id)?;
            if let Some(l) = level.filter(|l| l.is_active()) {
                best = Some(best.map_or(l, |b| b.min(l)));
                last_active = Some(t);
            }
            lapsed = if level == Some(Level::Inactive) {
                lapsed + 1
            } else {
                0
            };
            if lapsed == 0 {
                continue;
            }
            if t + 1 < n {
                let back = pyramids[t + 1].level_of(id)?.is_some_and(|l| l.is_active());
                let cell = cells
                    .entry((level_key(best), lapsed))
                    .or_insert((best, 0, 0));
                cell.1 += 1;
                cell.2 += u64::from(back);
            } else {
                former.push((id, best, lapsed, last_active));
            }
        }
    }
    let rates: Vec<ReactivationRate> = cells
        .values()
        .map(|&(best_level, customers, reactivated)| ReactivationRate {
            best_level,
            lapsed: 0,
            customers,
            reactivated,
            rate: crm_core::share(Decimal::from(reactivated), Decimal::from(customers))
                .unwrap_or_default(),
            small_cell: customers < MIN_CELL_CUSTOMERS,
        })
        .zip(cells.keys())
        .map(|(mut r, &(_, lapsed))| {
            r.lapsed = lapsed;
            r
        })
        .collect();
    let rate_of = |best: Option<Level>, lapsed: u32| {
        cells.get(&(level_key(best), lapsed)).map(|&(_, c, r)| {
            let rate = crm_core::share(Decimal::from(r), Decimal::from(c)).unwrap_or_default();
            (rate, c)
        })
    };
    let mut out: Vec<FormerCustomer> = former
        .into_iter()
        .map(|(id, best, lapsed, last_active): (CustomerId, _, _, _)| {
            let then = last_active.map(|t| &pyramids[t]);
            let margin_then = match (then, margins_known) {
                (Some(_), true) => last_active
                    .map(|t| ledger.period_totals(id, index[t]))
                    .transpose()?
                    .map(|pt| pt.value(Basis::Margin)),
                _ => None,
            };
            let complaint_before_lapsing = match then {
                Some(p) => ledger.open_complaints(id, p.period().end())?.count > 0,
                None => false,
            };
            let cell = rate_of(best, lapsed);
            let rate = cell.map(|(r, _)| r);
            let cell_customers = cell.map_or(0, |(_, c)| c);
            let expected_margin = match (margin_then, rate) {
                (Some(m), Some(r)) => m
                    .as_decimal()
                    .checked_mul(r)
                    .map(|x| Money::new(x.round_dp(2))),
                _ => None,
            };
            Ok(FormerCustomer {
                customer: ledger.key(id)?.to_string(),
                best_level: best,
                lapsed,
                margin_then,
                complaint_before_lapsing,
                rate,
                cell_customers,
                small_cell: rate.is_some() && cell_customers < MIN_CELL_CUSTOMERS,
                expected_margin,
            })
        })
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| {
        b.expected_margin
            .is_some()
            .cmp(&a.expected_margin.is_some())
            .then(b.expected_margin.cmp(&a.expected_margin))
            .then(a.customer.cmp(&b.customer))
    });
    Ok(WinBack {
        periods: pyramids.iter().map(|p| *p.period()).collect(),
        rates,
        former: out,
    })
}

use std::collections::BTreeMap;

use crm_core::{Basis, Decimal, Interaction, InteractionKind, Interner, Ledger, Money, Period};
use crm_pyramid::{Cuts, Level};

use crate::{Result, overflow};

/// What serving a customer costs: a handling cost per transaction (order
/// or credit note) and a cost per interaction.
///
/// An interaction's recorded cost (the `cost` column of an interactions
/// file) is a fact and is used when present; the table's cost per kind
/// fills in the interactions without one (kinds not listed cost nothing).
/// `use_recorded_cost = false` ignores recorded costs and costs every
/// interaction by its kind, as earlier versions did by default.
///
/// Read from TOML or JSON with the `serde` feature (every field optional):
///
/// ```toml
/// handling_per_order = "4.50"
/// use_recorded_cost = true
/// [interactions]
/// visit = "120"
/// call = "12.50"
/// complaint = "40"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct CostTable {
    /// Cost of handling one transaction. Default zero.
    pub handling_per_order: Money,
    /// Cost per interaction, by kind, for interactions without a recorded
    /// cost (or all of them when `use_recorded_cost` is off); kinds not
    /// listed cost nothing.
    pub interactions: BTreeMap<InteractionKind, Money>,
    /// Use an interaction's own recorded cost when it has one, instead of
    /// its kind's. Default `true`.
    pub use_recorded_cost: bool,
}

impl CostTable {
    /// Refuses negative costs: `handling_per_order` or a kind's cost below
    /// zero would turn serving a customer into a gain.
    ///
    /// # Errors
    ///
    /// [`Error::NegativeCost`](crate::Error::NegativeCost) naming the cost.
    pub fn check(&self) -> Result<()> {
        if self.handling_per_order < Money::ZERO {
            return Err(crate::Error::NegativeCost {
                cost: "handling_per_order".into(),
                amount: self.handling_per_order,
            });
        }
        for (kind, cost) in &self.interactions {
            if *cost < Money::ZERO {
                return Err(crate::Error::NegativeCost {
                    cost: kind.to_string(),
                    amount: *cost,
                });
            }
        }
        Ok(())
    }
}

impl Default for CostTable {
    /// No handling cost, no costs per kind, recorded costs used.
    fn default() -> CostTable {
        CostTable {
            handling_per_order: Money::ZERO,
            interactions: BTreeMap::new(),
            use_recorded_cost: true,
        }
    }
}

/// Where an interaction's cost came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum CostSource {
    /// The interaction's own recorded cost.
    Recorded,
    /// The cost table's cost for its kind.
    Table,
    /// Neither: it costs nothing.
    None,
}

impl CostTable {
    /// The cost of one interaction.
    pub fn cost_of(&self, i: &Interaction) -> Money {
        self.cost_and_source(i).0
    }

    /// The cost of one interaction and where it came from.
    pub fn cost_and_source(&self, i: &Interaction) -> (Money, CostSource) {
        match (self.use_recorded_cost, i.cost) {
            (true, Some(c)) => (c, CostSource::Recorded),
            _ => match self.interactions.get(&i.kind) {
                Some(c) => (*c, CostSource::Table),
                None => (Money::ZERO, CostSource::None),
            },
        }
    }
}

/// One customer's profit in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CustomerProfit {
    /// The customer.
    pub customer: String,
    /// Margin in the period.
    pub margin: Money,
    /// Transactions in the period.
    pub orders: u32,
    /// Interactions in the period.
    pub interactions: u32,
    /// Handling plus interaction costs.
    pub cost_to_serve: Money,
    /// Margin minus cost to serve.
    pub profit: Money,
}

/// The whale curve: cumulative profit against customers ranked by profit.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct WhaleCurve {
    /// `(share of customers, cumulative share of total profit)`, from
    /// `(0, 0)` to `(1, 1)`, at most about 500 points, each a share
    /// ([`crm_core::share`]: six decimals, half to even). In JSON a list of
    /// `{"customers": "0.25", "profit": "1.12"}`, shares as decimal strings.
    #[cfg_attr(feature = "serde", serde(serialize_with = "whale_points"))]
    pub points: Vec<(f64, f64)>,
    /// The peak of the curve: the most cumulative profit, as a share of the
    /// total (often far above 1), a share by the same rule. In JSON a
    /// decimal string.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str"))]
    pub peak: f64,
    /// Customers up to the peak.
    pub peak_customers: u64,
    /// Customers with negative profit.
    pub unprofitable: u64,
    /// The profit they destroy (their summed negative profit).
    pub destroyed: Money,
    /// Total profit.
    pub total: Money,
}

#[cfg(feature = "serde")]
fn whale_points<S: serde::Serializer>(
    points: &[(f64, f64)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(serde::Serialize)]
    struct Point {
        #[serde(with = "crm_core::share_str")]
        customers: f64,
        #[serde(with = "crm_core::share_str")]
        profit: f64,
    }
    s.collect_seq(
        points
            .iter()
            .map(|&(customers, profit)| Point { customers, profit }),
    )
}

#[cfg(feature = "serde")]
fn profit_levels<S: serde::Serializer>(
    levels: &[(Level, u64, Money)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(serde::Serialize)]
    struct ProfitLevel {
        level: Level,
        customers: u64,
        profit: Money,
    }
    s.collect_seq(
        levels
            .iter()
            .map(|&(level, customers, profit)| ProfitLevel {
                level,
                customers,
                profit,
            }),
    )
}

/// How the interactions of the period were costed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CostsUsed {
    /// Interactions costed at their recorded cost.
    pub recorded: u64,
    /// Interactions costed by the table's cost for their kind.
    pub table: u64,
    /// Interactions that cost nothing (no recorded cost used, kind not in
    /// the table).
    pub none: u64,
}

/// Profitability of every customer served in the period, the whale curve,
/// and the profit pyramid.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Profitability {
    /// The period.
    pub period: Period,
    /// Customers by profit, highest first (ties by key).
    pub customers: Vec<CustomerProfit>,
    /// The whale curve; `None` when total profit is zero.
    pub whale: Option<WhaleCurve>,
    /// Customers per level of the pyramid cut on profit (customers with
    /// profit > 0 are the active ones; the rest are counted as inactive).
    /// In JSON a list of `{"level", "customers", "profit"}`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "profit_levels"))]
    pub pyramid: Vec<(Level, u64, Money)>,
    /// Where the interaction costs came from.
    pub costs: CostsUsed,
}

/// Margin minus cost to serve, per customer, in `period`: margin from the
/// ledger (transactions without margin add nothing), a handling cost per
/// transaction in the period, and the cost of each interaction dated in the
/// period (its recorded cost, else its kind's in the table; see
/// [`CostTable`]). Customers with a transaction or an interaction in the
/// period are listed; those known only from interactions have no margin.
///
/// # Errors
///
/// [`Error::Core`](crate::Error::Core) when the ledger does not track
/// `period`, or ([`AmountOverflow`](crm_core::Error::AmountOverflow)) when
/// a cost, a profit or a total leaves the range of an amount (the message
/// names it); [`Error::Pyramid`](crate::Error::Pyramid) for invalid cuts;
/// [`Error::NegativeCost`](crate::Error::NegativeCost) for a negative cost in the
/// table (a cost to serve is never a gain).
pub fn profitability(
    ledger: &Ledger,
    period: &Period,
    costs: &CostTable,
    interactions: impl IntoIterator<Item = Interaction>,
    cuts: &Cuts,
) -> Result<Profitability> {
    cuts.validate()?;
    let mut served = CostToServe::new(*period, costs)?;
    for i in interactions {
        served.add(&i)?;
    }
    profitability_of(ledger, &served, cuts)
}

/// The cost to serve per customer in one period, gathered from
/// interactions one at a time: memory grows with the customers served, not
/// with the interactions. [`profitability_of`] turns it into the
/// profitability; [`profitability`] does both for an iterator.
///
/// ```
/// use crm_core::{Interaction, InteractionKind, Ledger, NaiveDate, Period};
/// use crm_value::{CostTable, CostToServe, profitability_of};
///
/// let year: Period = "2025".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// ledger.record_sale("A", d, "100".parse()?, Some("40".parse()?))?;
/// let mut visit = Interaction::new("A".parse()?, d, InteractionKind::Visit);
/// visit.cost = Some("15".parse()?);
/// let mut served = CostToServe::new(year, &CostTable::default())?;
/// served.add(&visit)?;
/// let p = profitability_of(&ledger, &served, &crm_pyramid::Cuts::curry())?;
/// assert_eq!(p.customers[0].profit.to_string(), "25");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CostToServe {
    period: Period,
    costs: CostTable,
    /// The customers served, by key: looked up once per interaction, so
    /// kept as the ledger keeps its keys (short keys inside the table's
    /// slots, no allocation per key).
    keys: Interner,
    /// Per customer (by its index in `keys`): the costs and the number of
    /// interactions.
    served: Vec<(Money, u32)>,
    used: CostsUsed,
}

/// Equal when of the same period, cost table and counts, with the same
/// costs for the same customers (in whatever order they were served).
impl PartialEq for CostToServe {
    fn eq(&self, other: &CostToServe) -> bool {
        self.period == other.period
            && self.costs == other.costs
            && self.used == other.used
            && self.served.len() == other.served.len()
            && self.iter().all(|(key, mine)| other.get(key) == Some(mine))
    }
}

impl CostToServe {
    /// Nothing served yet in `period`, with `costs` for the interactions
    /// and the handling per order.
    ///
    /// # Errors
    ///
    /// [`Error::NegativeCost`](crate::Error::NegativeCost) for a negative cost in the
    /// table.
    pub fn new(period: Period, costs: &CostTable) -> Result<CostToServe> {
        costs.check()?;
        Ok(CostToServe {
            period,
            costs: costs.clone(),
            keys: Interner::new(),
            served: Vec::new(),
            used: CostsUsed::default(),
        })
    }

    /// Counts `i` when it is dated in the period (others are ignored):
    /// its cost (recorded, else its kind's in the table) goes to its
    /// customer.
    ///
    /// # Errors
    ///
    /// [`Error::Core`](crate::Error::Core)
    /// ([`AmountOverflow`](crm_core::Error::AmountOverflow)) when the
    /// customer's costs leave the range of an amount.
    pub fn add(&mut self, i: &Interaction) -> Result<()> {
        if !self.period.contains(i.date) {
            return Ok(());
        }
        let (cost, source) = self.costs.cost_and_source(i);
        match source {
            CostSource::Recorded => self.used.recorded += 1,
            CostSource::Table => self.used.table += 1,
            CostSource::None => self.used.none += 1,
        }
        let key = i.customer.as_str();
        let period = self.period;
        let e = self.entry(key)?;
        let sum = e.0.checked_add(cost).ok_or_else(|| {
            overflow(format!(
                "the interaction costs of customer {key:?} in {period}"
            ))
        })?;
        *e = (sum, e.1.saturating_add(1));
        Ok(())
    }

    /// The costs and count of `key`, zero when it is new.
    fn entry(&mut self, key: &str) -> Result<&mut (Money, u32)> {
        let (id, _) = self.keys.intern(key)?;
        let i = id.index();
        if i >= self.served.len() {
            self.served.resize(i + 1, (Money::ZERO, 0));
        }
        self.served.get_mut(i).ok_or_else(|| {
            crate::Error::Core(crm_core::Error::Capacity {
                max: u64::from(u32::MAX),
            })
        })
    }

    /// The costs and the number of interactions of `key` in the period,
    /// `None` when it was not served.
    fn get(&self, key: &str) -> Option<(Money, u32)> {
        let id = self.keys.get(key)?;
        self.served.get(id.index()).copied()
    }

    /// Every customer served, in the order first served, with its costs
    /// and number of interactions.
    fn iter(&self) -> impl Iterator<Item = (&str, (Money, u32))> + '_ {
        self.keys
            .iter()
            .zip(&self.served)
            .map(|((_, k), v)| (k, *v))
    }

    /// Adds what `other` counted, as if its interactions had been added
    /// here: for input read in parts (on several threads), each part
    /// counted on its own. All or nothing: on an error this one is
    /// unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::Core`](crate::Error::Core) with `PeriodMismatch` when
    /// `other` is of another period or cost table; with `AmountOverflow`
    /// (naming the customer) when a customer's sum leaves the range of
    /// [`Money`].
    pub fn merge(&mut self, other: CostToServe) -> Result<()> {
        let sums = self.merged_sums(&other)?;
        self.used.recorded += other.used.recorded;
        self.used.table += other.used.table;
        self.used.none += other.used.none;
        for ((key, (_, n)), (mine, sum)) in other.iter().zip(sums) {
            let i = match mine {
                Some(i) => i,
                None => {
                    let (id, _) = self.keys.intern(key)?;
                    id.index()
                }
            };
            if i >= self.served.len() {
                self.served.resize(i + 1, (Money::ZERO, 0));
            }
            if let Some(e) = self.served.get_mut(i) {
                *e = (sum, e.1.saturating_add(n));
            }
        }
        Ok(())
    }

    /// Whether [`CostToServe::merge`] of `other` would succeed, changing
    /// nothing: for a reader that must know before it merges anything
    /// else.
    ///
    /// # Errors
    ///
    /// As [`CostToServe::merge`].
    pub fn check_merge(&self, other: &CostToServe) -> Result<()> {
        self.merged_sums(other).map(|_| ())
    }

    /// For each customer of `other`, in its order: its index here (`None`
    /// when new) and its merged costs; the first error of a merge.
    fn merged_sums(&self, other: &CostToServe) -> Result<Vec<(Option<usize>, Money)>> {
        if self.period != other.period {
            return Err(crate::Error::Core(crm_core::Error::PeriodMismatch {
                reason: format!(
                    "these costs to serve are of period {}, the other of {}",
                    self.period, other.period
                ),
            }));
        }
        if self.costs != other.costs {
            return Err(crate::Error::Core(crm_core::Error::PeriodMismatch {
                reason: "the two costs to serve use different cost tables".to_string(),
            }));
        }
        other
            .iter()
            .map(|(key, (cost, _))| {
                let mine = self.keys.get(key).map(|id| id.index());
                let before = mine
                    .and_then(|i| self.served.get(i))
                    .map_or(Money::ZERO, |e| e.0);
                let sum = before.checked_add(cost).ok_or_else(|| {
                    overflow(format!(
                        "the interaction costs of customer {key:?} in {}",
                        self.period
                    ))
                })?;
                Ok((mine, sum))
            })
            .collect()
    }

    /// The period.
    pub fn period(&self) -> &Period {
        &self.period
    }

    /// How the interactions counted so far were costed.
    pub fn costs_used(&self) -> CostsUsed {
        self.used
    }
}

/// [`profitability`] from interaction costs already gathered in a
/// [`CostToServe`] (its period and cost table).
///
/// # Errors
///
/// As [`profitability`].
pub fn profitability_of(
    ledger: &Ledger,
    served: &CostToServe,
    cuts: &Cuts,
) -> Result<Profitability> {
    profitability_inner(ledger, served, cuts, None)
}

/// [`profitability_of`] and [`profit_by_id`] from one pass over the
/// ledger: the analysis, and each customer's profit by customer id
/// (`Ledger::ids` order, `None` for a customer with neither a transaction
/// nor an interaction in the period), for a caller that needs both (the
/// facts of the actions read the profit by id, where looking each row's
/// key up again costs a search per customer).
///
/// # Errors
///
/// As [`profitability_of`].
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_value::{CostTable, CostToServe, profit_by_id, profitability_with_ids};
///
/// let year: Period = "2025".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// ledger.record_sale("A", d, "100".parse()?, Some("40".parse()?))?;
/// let served = CostToServe::new(year, &CostTable::default())?;
/// let (rows, by_id) = profitability_with_ids(&ledger, &served, &crm_pyramid::Cuts::curry())?;
/// assert_eq!(by_id, profit_by_id(&ledger, &served)?);
/// assert_eq!(by_id, vec![Some(rows.customers[0].profit)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn profitability_with_ids(
    ledger: &Ledger,
    served: &CostToServe,
    cuts: &Cuts,
) -> Result<(Profitability, Vec<Option<Money>>)> {
    let mut by_id = vec![None; ledger.len()];
    let p = profitability_inner(ledger, served, cuts, Some(&mut by_id))?;
    Ok((p, by_id))
}

/// [`profitability_of`], writing each customer's profit to `by_id` (sized
/// to the ledger) when given.
fn profitability_inner(
    ledger: &Ledger,
    served: &CostToServe,
    cuts: &Cuts,
    mut by_id: Option<&mut Vec<Option<Money>>>,
) -> Result<Profitability> {
    cuts.validate()?;
    let period = &served.period;
    let costs = &served.costs;
    let pi = ledger.period_index(period)?;
    let mut rows = Vec::new();
    for id in ledger.ids() {
        let pt = ledger.period_totals(id, pi)?;
        let key = ledger.key(id)?;
        let (icost, n) = if served.served.is_empty() {
            (Money::ZERO, 0)
        } else {
            served.get(key).unwrap_or((Money::ZERO, 0))
        };
        if pt.transactions() == 0 && n == 0 {
            continue;
        }
        let r = row(
            key,
            pt.value(Basis::Margin),
            pt.transactions(),
            icost,
            n,
            costs,
        )?;
        if let Some(slot) = by_id.as_deref_mut().and_then(|b| b.get_mut(id.index())) {
            *slot = Some(r.profit);
        }
        rows.push(r);
    }
    // Customers served but unknown to the ledger, in key order.
    let mut strangers: Vec<(&str, (Money, u32))> = served
        .iter()
        .filter(|(k, _)| ledger.id(k).is_none())
        .collect();
    strangers.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, (icost, n)) in strangers {
        rows.push(row(key, Money::ZERO, 0, icost, n, costs)?);
    }
    let rows = by_profit(rows);
    let whale = whale_curve(&rows.iter().map(|r| r.profit).collect::<Vec<_>>())?;
    let pyramid = profit_pyramid(&rows, cuts)?;
    Ok(Profitability {
        period: *period,
        customers: rows,
        whale,
        pyramid,
        costs: served.used,
    })
}

/// The profit after cost to serve of each customer of `ledger` in the
/// period of `served`, by customer id (`Ledger::ids` order, `None` for a
/// customer with neither a transaction nor an interaction in it): the
/// `profit` of [`profitability_of`]'s rows, without the rows, their
/// sorting, the whale curve and the profit pyramid, for a caller that
/// needs the number per customer only.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_value::{CostTable, CostToServe, profit_by_id, profitability_of};
///
/// let year: Period = "2025".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// ledger.record_sale("A", d, "100".parse()?, Some("40".parse()?))?;
/// let served = CostToServe::new(year, &CostTable::default())?;
/// let by_id = profit_by_id(&ledger, &served)?;
/// let rows = profitability_of(&ledger, &served, &crm_pyramid::Cuts::curry())?;
/// assert_eq!(by_id, vec![Some(rows.customers[0].profit)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`profitability_of`]: a period the ledger does not track, or an
/// amount out of range.
pub fn profit_by_id(ledger: &Ledger, served: &CostToServe) -> Result<Vec<Option<Money>>> {
    let pi = ledger.period_index(&served.period)?;
    let mut out = Vec::with_capacity(ledger.len());
    for id in ledger.ids() {
        let pt = ledger.period_totals(id, pi)?;
        let key = ledger.key(id)?;
        let (icost, n) = if served.served.is_empty() {
            (Money::ZERO, 0)
        } else {
            served.get(key).unwrap_or((Money::ZERO, 0))
        };
        if pt.transactions() == 0 && n == 0 {
            out.push(None);
            continue;
        }
        let r = row(
            key,
            pt.value(Basis::Margin),
            pt.transactions(),
            icost,
            n,
            &served.costs,
        )?;
        out.push(Some(r.profit));
    }
    Ok(out)
}

/// `rows` by profit, highest first, ties by key (then by position, as a
/// stable sort): the (profit, position) pairs are sorted, and the rows
/// are put in that order in place.
///
/// Profits are compared as integers at their common scale when they fit
/// (the usual case: a few decimals), keys by their first eight bytes
/// first: several times faster than comparing decimals and strings.
fn by_profit(rows: Vec<CustomerProfit>) -> Vec<CustomerProfit> {
    let key = |i: usize| rows.get(i).map(|r| r.customer.as_bytes());
    let scale = rows
        .iter()
        .map(|r| r.profit.as_decimal().scale())
        .max()
        .unwrap_or(0);
    let scaled: Option<Vec<(i128, u64, usize)>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let d = r.profit.as_decimal();
            d.mantissa()
                .checked_mul(10i128.checked_pow(scale - d.scale())?)
                .map(|m| (m, key_prefix(r.customer.as_bytes()), i))
        })
        .collect();
    let order: Vec<usize> = match scaled {
        Some(mut s) => {
            s.sort_unstable_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(a.1.cmp(&b.1))
                    .then_with(|| key(a.2).cmp(&key(b.2)))
                    .then(a.2.cmp(&b.2))
            });
            s.into_iter().map(|(_, _, i)| i).collect()
        }
        None => {
            let mut order: Vec<(Money, usize)> = rows.iter().map(|r| r.profit).zip(0..).collect();
            order.sort_unstable_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| key(a.1).cmp(&key(b.1)))
                    .then(a.1.cmp(&b.1))
            });
            order.into_iter().map(|(_, i)| i).collect()
        }
    };
    // Each row moved into its place, in place: row `k` of the result is
    // row `order[k]` of the input (a permutation, applied cycle by cycle).
    let mut rows = rows;
    let mut order = order;
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = std::mem::replace(&mut order[at], usize::MAX);
            if from == usize::MAX || from == start {
                break;
            }
            rows.swap(at, from);
            at = from;
        }
    }
    rows
}

/// The first eight bytes of `key` as a big-endian number, zero-padded:
/// when two keys' prefixes differ, they order as the keys' bytes do.
fn key_prefix(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = key.len().min(8);
    b[..n].copy_from_slice(&key[..n]);
    u64::from_be_bytes(b)
}

fn row(
    key: &str,
    margin: Money,
    orders: u32,
    icost: Money,
    n: u32,
    costs: &CostTable,
) -> Result<CustomerProfit> {
    let handling = costs
        .handling_per_order
        .checked_mul_count(u64::from(orders))
        .ok_or_else(|| {
            overflow(format!(
                "the handling cost of customer {key:?} ({orders} orders at {} each)",
                costs.handling_per_order
            ))
        })?;
    let cost_to_serve = handling
        .checked_add(icost)
        .ok_or_else(|| overflow(format!("the cost to serve customer {key:?}")))?;
    Ok(CustomerProfit {
        customer: key.to_string(),
        margin,
        orders,
        interactions: n,
        cost_to_serve,
        profit: margin
            .checked_sub(cost_to_serve)
            .ok_or_else(|| overflow(format!("the profit of customer {key:?}")))?,
    })
}

/// The whale curve of profits sorted highest first; `None` when they sum
/// to zero (shares of zero are undefined).
pub fn whale_curve(sorted_profits: &[Money]) -> Result<Option<WhaleCurve>> {
    let total = sorted_profits
        .iter()
        .try_fold(Money::ZERO, |a, p| a.checked_add(*p))
        .ok_or_else(|| overflow("the total profit"))?;
    if total.is_zero() {
        return Ok(None);
    }
    let n = sorted_profits.len();
    // Every point is a share by the toolkit's one rule (crm_core::share:
    // six decimals, half to even), computed exactly and kept as f64.
    let ratio = |part: Decimal, whole: Decimal| -> f64 {
        crm_core::share(part, whole).map_or(0.0, crm_core::share_to_f64)
    };
    let step = (n / 500).max(1);
    let mut points = vec![(0.0, 0.0)];
    let (mut cum, mut peak, mut peak_customers) = (Money::ZERO, Money::ZERO, 0u64);
    let (mut unprofitable, mut destroyed) = (0u64, Money::ZERO);
    for (i, p) in sorted_profits.iter().enumerate() {
        cum = cum
            .checked_add(*p)
            .ok_or_else(|| overflow("the cumulative profit of the whale curve"))?;
        if cum > peak {
            peak = cum;
            peak_customers = i as u64 + 1;
        }
        if !p.is_positive() && !p.is_zero() {
            unprofitable += 1;
            destroyed = destroyed
                .checked_add(*p)
                .ok_or_else(|| overflow("the profit destroyed by unprofitable customers"))?;
        }
        if (i + 1) % step == 0 || i + 1 == n {
            points.push((
                ratio(Decimal::from(i + 1), Decimal::from(n)),
                ratio(cum.as_decimal(), total.as_decimal()),
            ));
        }
    }
    Ok(Some(WhaleCurve {
        points,
        peak: ratio(peak.as_decimal(), total.as_decimal()),
        peak_customers,
        unprofitable,
        destroyed,
        total,
    }))
}

fn profit_pyramid(rows: &[CustomerProfit], cuts: &Cuts) -> Result<Vec<(Level, u64, Money)>> {
    let positive: Vec<Money> = rows
        .iter()
        .map(|r| r.profit)
        .filter(|p| p.is_positive())
        .collect();
    let bounds = crm_pyramid::cut_points(cuts, &positive)?;
    let mut out: Vec<(Level, u64, Money)> =
        Level::ACTIVE.iter().map(|l| (*l, 0, Money::ZERO)).collect();
    for (i, p) in positive.iter().enumerate() {
        let k = bounds.iter().position(|&b| i < b).unwrap_or(3);
        out[k].1 += 1;
        out[k].2 = out[k].2.checked_add(*p).ok_or_else(|| {
            overflow(format!(
                "the profit of level {} of the profit pyramid",
                out[k].0
            ))
        })?;
    }
    let rest: Vec<Money> = rows
        .iter()
        .map(|r| r.profit)
        .filter(|p| !p.is_positive())
        .collect();
    let rest_sum = rest
        .iter()
        .try_fold(Money::ZERO, |a, p| a.checked_add(*p))
        .ok_or_else(|| overflow("the profit of the unprofitable customers"))?;
    out.push((Level::Inactive, rest.len() as u64, rest_sum));
    Ok(out)
}

/// Writes the whale curve as an SVG line chart (drawn with `crm-chart`):
/// cumulative profit share against the share of customers ranked by
/// profit, the 100% line, and the peak marked.
pub fn whale_svg(curve: &WhaleCurve) -> String {
    whale_chart(curve).to_svg()
}

/// The whale curve as a [`crm_chart::LineChart`], to restyle or to
/// translate before drawing; [`whale_svg`] draws it as it is.
pub fn whale_chart(curve: &WhaleCurve) -> crm_chart::LineChart {
    use crm_chart::{Line, LineChart, Mark, Meta, Scale};
    let peak_x = curve
        .points
        .iter()
        .find(|p| p.1 >= curve.peak)
        .map_or(0.0, |p| p.0);
    let mut c = LineChart::new(
        Meta::new(
            "whale-curve",
            "Whale curve",
            &format!(
                "Cumulative profit as a share of the total against customers ranked by profit; the curve peaks at {:.0}% of total profit, and {} unprofitable customers bring it down to 100%.",
                curve.peak * 100.0,
                curve.unprofitable
            ),
        ),
        "customers ranked by profit (share)",
        "cumulative profit, share of total",
    );
    c.x_scale = Scale::Percent;
    c.y_scale = Scale::Percent;
    c.lines
        .push(Line::new("cumulative profit", curve.points.clone()));
    c.y_rules.push((1.0, "100%".into()));
    c.marks.push(Mark::new(
        peak_x,
        curve.peak,
        &format!("peak {:.0}%", curve.peak * 100.0),
    ));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The sort by profit is the plain sort: highest profit first, ties
        /// by key (then input order); with equal amounts of other scales,
        /// keys sharing their first eight bytes, and amounts too large to
        /// compare as integers at a common scale.
        #[test]
        fn by_profit_is_the_plain_sort(
            rows in proptest::collection::vec(
                (0u8..20, -5i64..5, 0u32..3, 0u32..4, proptest::bool::weighted(0.3), proptest::bool::weighted(0.05)),
                0..60),
        ) {
            let rows: Vec<CustomerProfit> = rows
                .iter()
                .map(|(k, p, o, scale, long, huge)| CustomerProfit {
                    customer: if *long { format!("Customer-{k}") } else { format!("C{k}") },
                    margin: Money::ZERO,
                    orders: *o,
                    interactions: 0,
                    cost_to_serve: Money::ZERO,
                    profit: if *huge {
                        Money::new(crm_core::Decimal::from_i128_with_scale((1i128 << 95) + i128::from(*p), 28))
                    } else {
                        // The same amount at several scales: 3, 3.0, 3.00.
                        Money::new(crm_core::Decimal::from_i128_with_scale(i128::from(*p) * 10i128.pow(*scale), *scale))
                    },
                })
                .collect();
            let mut expected = rows.clone();
            expected.sort_by(|a, b| {
                b.profit
                    .cmp(&a.profit)
                    .then_with(|| a.customer.as_bytes().cmp(b.customer.as_bytes()))
            });
            // As text: equal amounts of other scales are told apart.
            let shown = |rows: &[CustomerProfit]| -> Vec<(String, String, u32)> {
                rows.iter().map(|r| (r.customer.clone(), r.profit.to_string(), r.orders)).collect()
            };
            proptest::prop_assert_eq!(shown(&by_profit(rows)), shown(&expected));
        }

        /// Counting the interactions in two parts and merging counts them
        /// as one pass does, wherever the cut.
        #[test]
        fn merged_parts_count_as_one_pass(
            rows in proptest::collection::vec((0u8..6, 0u32..500, proptest::option::of(0i64..1000), 0u8..3), 0..40),
            cut in 0usize..40,
        ) {
            let year: Period = "2025".parse().unwrap();
            let day0 = crm_core::NaiveDate::from_ymd_opt(2024, 10, 1).unwrap();
            let mut costs = CostTable::default();
            costs.interactions.insert(InteractionKind::Call, Money::new(3.into()));
            let interactions: Vec<Interaction> = rows
                .iter()
                .map(|(k, d, c, kind)| {
                    let kind = [InteractionKind::Visit, InteractionKind::Call, InteractionKind::Email][usize::from(*kind)];
                    let mut i = Interaction::new(
                        format!("C{k}").parse().unwrap(),
                        day0 + crm_core::Days::new(u64::from(*d)),
                        kind,
                    );
                    i.cost = c.map(|c| Money::new(crm_core::Decimal::new(c, 2)));
                    i
                })
                .collect();
            let cut = cut.min(interactions.len());
            let mut once = CostToServe::new(year, &costs).unwrap();
            let mut first = once.clone();
            let mut second = once.clone();
            for i in &interactions {
                once.add(i).unwrap();
            }
            for i in &interactions[..cut] {
                first.add(i).unwrap();
            }
            for i in &interactions[cut..] {
                second.add(i).unwrap();
            }
            first.merge(second).unwrap();
            proptest::prop_assert_eq!(first, once);
        }
    }

    /// A visit of `key` on 1 March 2025 that cost `cost`.
    fn visit(key: &str, cost: impl Into<Decimal>) -> Interaction {
        let day = crm_core::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut i = Interaction::new(key.parse().unwrap(), day, InteractionKind::Visit);
        i.cost = Some(Money::new(cost.into()));
        i
    }

    #[test]
    fn equal_costs_to_serve_whatever_the_order_served() {
        let year: Period = "2025".parse().unwrap();
        let costs = CostTable::default();
        let mut ab = CostToServe::new(year, &costs).unwrap();
        let mut ba = ab.clone();
        ab.add(&visit("A", 1)).unwrap();
        ab.add(&visit("B", 2)).unwrap();
        ba.add(&visit("B", 2)).unwrap();
        ba.add(&visit("A", 1)).unwrap();
        assert_eq!(ab, ba);
        let mut other = CostToServe::new(year, &costs).unwrap();
        other.add(&visit("A", 1)).unwrap();
        other.add(&visit("B", 3)).unwrap();
        assert_ne!(ab, other);
        assert_eq!(ab.get("B"), Some((Money::new(Decimal::new(2, 0)), 1)));
        assert_eq!(ab.get("C"), None);
    }

    #[test]
    fn a_merge_that_overflows_changes_nothing() {
        let year: Period = "2025".parse().unwrap();
        let costs = CostTable::default();
        let mut a = CostToServe::new(year, &costs).unwrap();
        a.add(&visit("A", Decimal::MAX)).unwrap();
        a.add(&visit("B", Decimal::ONE)).unwrap();
        let before = a.clone();
        let mut b = CostToServe::new(year, &costs).unwrap();
        b.add(&visit("C", Decimal::ONE)).unwrap();
        b.add(&visit("B", Decimal::ONE)).unwrap();
        b.add(&visit("A", Decimal::ONE)).unwrap();
        let err = a.check_merge(&b).unwrap_err().to_string();
        assert!(err.contains("\"A\""), "{err}");
        assert!(a.merge(b.clone()).is_err());
        assert_eq!(a, before);
        assert_eq!(a.get("C"), None);
        // Without the overflowing customer the merge goes through.
        let mut b2 = CostToServe::new(year, &costs).unwrap();
        b2.add(&visit("C", Decimal::ONE)).unwrap();
        b2.add(&visit("B", Decimal::ONE)).unwrap();
        a.check_merge(&b2).unwrap();
        a.merge(b2).unwrap();
        assert_eq!(a.get("B"), Some((Money::new(Decimal::TWO), 2)));
        assert_eq!(a.get("C"), Some((Money::new(Decimal::ONE), 1)));
    }

    #[test]
    fn counts_of_another_period_are_not_merged() {
        let costs = CostTable::default();
        let mut a = CostToServe::new("2025".parse().unwrap(), &costs).unwrap();
        let b = CostToServe::new("2024".parse().unwrap(), &costs).unwrap();
        assert!(a.merge(b).is_err());
    }
}

use std::collections::{BTreeMap, HashMap};

use crm_core::{Basis, Interaction, InteractionKind, Ledger, Money, Period};
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    /// `(0, 0)` to `(1, 1)`, at most about 500 points.
    pub points: Vec<(f64, f64)>,
    /// The peak of the curve: the most cumulative profit, as a share of the
    /// total (often far above 1).
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

/// How the interactions of the period were costed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    costs.check()?;
    let pi = ledger.period_index(period)?;
    let mut served: HashMap<String, (Money, u32)> = HashMap::new();
    let mut used = CostsUsed::default();
    for i in interactions {
        if period.contains(i.date) {
            let (cost, source) = costs.cost_and_source(&i);
            match source {
                CostSource::Recorded => used.recorded += 1,
                CostSource::Table => used.table += 1,
                CostSource::None => used.none += 1,
            }
            let e = served
                .entry(i.customer.as_str().to_string())
                .or_insert((Money::ZERO, 0));
            e.0 = e.0.checked_add(cost).ok_or_else(|| {
                overflow(format!(
                    "the interaction costs of customer {:?} in {period}",
                    i.customer.as_str()
                ))
            })?;
            e.1 = e.1.saturating_add(1);
        }
    }
    let mut rows = Vec::new();
    for id in ledger.ids() {
        let pt = ledger.period_totals(id, pi)?;
        let key = ledger.key(id)?;
        let (icost, n) = served.remove(key).unwrap_or((Money::ZERO, 0));
        if pt.transactions() == 0 && n == 0 {
            continue;
        }
        rows.push(row(
            key,
            pt.value(Basis::Margin),
            pt.transactions(),
            icost,
            n,
            costs,
        )?);
    }
    for (key, (icost, n)) in served {
        rows.push(row(&key, Money::ZERO, 0, icost, n, costs)?);
    }
    rows.sort_by(|a, b| {
        b.profit
            .cmp(&a.profit)
            .then_with(|| a.customer.as_bytes().cmp(b.customer.as_bytes()))
    });
    let whale = whale_curve(&rows.iter().map(|r| r.profit).collect::<Vec<_>>())?;
    let pyramid = profit_pyramid(&rows, cuts)?;
    Ok(Profitability {
        period: *period,
        customers: rows,
        whale,
        pyramid,
        costs: used,
    })
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
    let to_f = |m: Money| -> f64 { m.as_decimal().to_string().parse().unwrap_or(0.0) };
    let total_f = to_f(total);
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
            points.push(((i + 1) as f64 / n as f64, to_f(cum) / total_f));
        }
    }
    Ok(Some(WhaleCurve {
        points,
        peak: to_f(peak) / total_f,
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

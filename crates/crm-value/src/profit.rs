use std::collections::{BTreeMap, HashMap};

use crm_core::{Basis, Interaction, InteractionKind, Ledger, Money, Period};
use crm_pyramid::{Cuts, Level};

use crate::{Result, overflow};

/// What serving a customer costs: a handling cost per transaction (order
/// or credit note) and a cost per interaction kind.
///
/// Read from TOML or JSON with the `serde` feature:
///
/// ```toml
/// handling_per_order = "4.50"
/// use_recorded_cost = true
/// [interactions]
/// visit = "120"
/// call = "12.50"
/// complaint = "40"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct CostTable {
    /// Cost of handling one transaction. Default zero.
    pub handling_per_order: Money,
    /// Cost per interaction, by kind; kinds not listed cost nothing.
    pub interactions: BTreeMap<InteractionKind, Money>,
    /// Use an interaction's own recorded cost when it has one, instead of
    /// its kind's. Default `false`.
    pub use_recorded_cost: bool,
}

impl CostTable {
    /// The cost of one interaction.
    pub fn cost_of(&self, i: &Interaction) -> Money {
        match (self.use_recorded_cost, i.cost) {
            (true, Some(c)) => c,
            _ => self
                .interactions
                .get(&i.kind)
                .copied()
                .unwrap_or(Money::ZERO),
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
}

/// Margin minus cost to serve, per customer, in `period`: margin from the
/// ledger (transactions without margin add nothing), a handling cost per
/// transaction in the period, and the cost of each interaction dated in the
/// period. Customers with a transaction or an interaction in the period
/// are listed; those known only from interactions have no margin.
///
/// # Errors
///
/// [`Error::Core`](crate::Error::Core) when the ledger does not track `period` or a sum
/// overflows; [`Error::Pyramid`](crate::Error::Pyramid) for invalid cuts.
pub fn profitability(
    ledger: &Ledger,
    period: &Period,
    costs: &CostTable,
    interactions: impl IntoIterator<Item = Interaction>,
    cuts: &Cuts,
) -> Result<Profitability> {
    cuts.validate()?;
    let pi = ledger.period_index(period)?;
    let mut served: HashMap<String, (Money, u32)> = HashMap::new();
    for i in interactions {
        if period.contains(i.date) {
            let e = served
                .entry(i.customer.as_str().to_string())
                .or_insert((Money::ZERO, 0));
            e.0 = e.0.checked_add(costs.cost_of(&i)).ok_or_else(overflow)?;
            e.1 += 1;
        }
    }
    let mut rows = Vec::new();
    for id in ledger.ids() {
        let pt = ledger.period_totals(id, pi);
        let key = ledger.key(id);
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
    let handling =
        Money::new(costs.handling_per_order.as_decimal() * crm_core::Decimal::from(orders));
    let cost_to_serve = handling.checked_add(icost).ok_or_else(overflow)?;
    Ok(CustomerProfit {
        customer: key.to_string(),
        margin,
        orders,
        interactions: n,
        cost_to_serve,
        profit: margin.checked_sub(cost_to_serve).ok_or_else(overflow)?,
    })
}

/// The whale curve of profits sorted highest first; `None` when they sum
/// to zero (shares of zero are undefined).
pub fn whale_curve(sorted_profits: &[Money]) -> Result<Option<WhaleCurve>> {
    let total = sorted_profits
        .iter()
        .try_fold(Money::ZERO, |a, p| a.checked_add(*p))
        .ok_or_else(overflow)?;
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
        cum = cum.checked_add(*p).ok_or_else(overflow)?;
        if cum > peak {
            peak = cum;
            peak_customers = i as u64 + 1;
        }
        if !p.is_positive() && !p.is_zero() {
            unprofitable += 1;
            destroyed = destroyed.checked_add(*p).ok_or_else(overflow)?;
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
    let bounds = crm_pyramid::cut_points(cuts, &positive);
    let mut out: Vec<(Level, u64, Money)> =
        Level::ACTIVE.iter().map(|l| (*l, 0, Money::ZERO)).collect();
    for (i, p) in positive.iter().enumerate() {
        let k = bounds.iter().position(|&b| i < b).unwrap_or(3);
        out[k].1 += 1;
        out[k].2 = out[k].2.checked_add(*p).ok_or_else(overflow)?;
    }
    let rest: Vec<Money> = rows
        .iter()
        .map(|r| r.profit)
        .filter(|p| !p.is_positive())
        .collect();
    let rest_sum = rest
        .iter()
        .try_fold(Money::ZERO, |a, p| a.checked_add(*p))
        .ok_or_else(overflow)?;
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

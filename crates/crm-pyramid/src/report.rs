use crm_core::{Basis, Decimal, Money, Period};

use crate::{Figures, Level, Pyramid};

/// One row of a [`PyramidReport`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LevelReport {
    /// The level.
    pub level: Level,
    /// Customers at the level.
    pub customers: u64,
    /// Share of the active customers (0 to 1); `None` for non-active levels.
    /// In JSON a decimal string (`"0.010167"`), as every share.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub share_of_customers: Option<f64>,
    /// Summed value in the period.
    pub value: Money,
    /// Share of the active customers' value (0 to 1); `None` for
    /// non-active levels or when the active value is zero. In JSON a
    /// decimal string.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub share_of_value: Option<f64>,
    /// Average value per customer, rounded to cents; `None` when the level
    /// is empty.
    pub average_value: Option<Money>,
    /// The same level in the previous period, when there is one.
    pub previous: Option<Figures>,
    /// Change against the previous period, when there is one.
    pub change: Option<Change>,
}

/// A change of a level's figures between two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Change {
    /// Customers now minus customers then.
    pub customers: i64,
    /// Value now minus value then.
    pub value: Money,
}

/// The pyramid report: per level customers, shares,
/// value, average, and the previous period with the change; the Pareto
/// figure.
///
/// This is plain data for renderers (table, JSON, CSV); with the `serde`
/// feature it serialises with money as decimal strings.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PyramidReport {
    /// The period.
    pub period: Period,
    /// The previous period, when compared.
    pub previous_period: Option<Period>,
    /// The value basis.
    pub basis: Basis,
    /// The cuts, as text (`customers 1,5,20%`).
    pub cuts: String,
    /// All seven levels, high to low.
    pub levels: Vec<LevelReport>,
    /// Active customers.
    pub active: u64,
    /// Value of the active customers.
    pub active_value: Money,
    /// Value of every customer in the period (credit notes of non-active
    /// customers included).
    pub total_value: Money,
    /// Lost: former buyers beyond the inactivity horizon, outside the
    /// pyramid. (Not the customers who lapsed from active to inactive: the
    /// migration matrix counts those.)
    pub lost: Figures,
    /// Prospects whom the register calls customers but whose history has no
    /// purchase by the period's end ("register says customer, no purchase
    /// found"); see [`Pyramid::register_customers_without_purchase`].
    pub register_customers_without_purchase: u64,
    /// Share of the active value held by the top 20% of active customers.
    /// In JSON a decimal string.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub pareto: Option<f64>,
}

/// A ratio as `f64` by the toolkit's one rule for shares
/// ([`crm_core::share`]: 6 decimals, half to even): shares are for
/// reading, the exact figures stay in the counts and money.
fn share(num: Decimal, den: Decimal) -> Option<f64> {
    crm_core::share(num, den).map(crm_core::share_to_f64)
}

impl PyramidReport {
    /// The report of `current`, compared with `previous` when given.
    pub fn new(current: &Pyramid, previous: Option<&Pyramid>) -> PyramidReport {
        let active = current.active();
        let active_value = current.active_value();
        let levels = Level::ALL
            .iter()
            .map(|&level| {
                let f = current.figures(level);
                let (share_of_customers, share_of_value) = if level.is_active() {
                    (
                        share(Decimal::from(f.customers), Decimal::from(active)),
                        share(f.value.as_decimal(), active_value.as_decimal()),
                    )
                } else {
                    (None, None)
                };
                let average_value = crm_core::average(f.value, f.customers);
                let prev = previous.map(|p| p.figures(level));
                let change = prev.map(|p| Change {
                    customers: i64::try_from(f.customers).unwrap_or(i64::MAX)
                        - i64::try_from(p.customers).unwrap_or(i64::MAX),
                    value: f.value.checked_sub(p.value).unwrap_or(Money::ZERO),
                });
                LevelReport {
                    level,
                    customers: f.customers,
                    share_of_customers,
                    value: f.value,
                    share_of_value,
                    average_value,
                    previous: prev,
                    change,
                }
            })
            .collect();
        PyramidReport {
            period: *current.period(),
            previous_period: previous.map(|p| *p.period()),
            basis: current.basis(),
            cuts: current.options().cuts.to_string(),
            levels,
            active,
            active_value,
            total_value: current.total_value(),
            lost: current.lost(),
            register_customers_without_purchase: current.register_customers_without_purchase(),
            pareto: current.pareto().map(crm_core::share_to_f64),
        }
    }

    /// The row of `level`.
    pub fn level(&self, level: Level) -> &LevelReport {
        &self.levels[level.index()]
    }
}

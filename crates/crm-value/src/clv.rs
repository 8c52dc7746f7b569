//! Simple lifetime value and the economics of retention.

/// The lifetime value of a customer with margin `margin` per period,
/// retention `retention` (the chance to stay another period) and discount
/// rate `discount` per period: `margin × r / (1 + d − r)`, the sum of
/// `margin × rᵗ / (1 + d)ᵗ` for t = 1, 2, ... `None` for a retention outside
/// [0, 1) or a discount below 0.
///
/// ```
/// // 100 a year, 80% retention, 10% discount: 100 × 0.8 / 0.3.
/// let v = crm_value::simple_clv(100.0, 0.8, 0.1).unwrap();
/// assert!((v - 266.666_666).abs() < 1e-3);
/// ```
pub fn simple_clv(margin: f64, retention: f64, discount: f64) -> Option<f64> {
    if !(0.0..1.0).contains(&retention)
        || !(0.0..=f64::MAX).contains(&discount)
        || !margin.is_finite()
    {
        return None;
    }
    Some(margin * retention / (1.0 + discount - retention))
}

/// What raising retention is worth (Reichheld's argument in numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RetentionEconomics {
    /// Discounted margin over the horizon at the current retention.
    pub profit_now: f64,
    /// The same at the improved retention.
    pub profit_improved: f64,
    /// `profit_improved - profit_now`.
    pub gain: f64,
    /// Customers still there at the horizon's end that would otherwise
    /// have left.
    pub customers_kept: f64,
    /// What acquiring that many new customers would cost instead.
    pub acquisition_cost: f64,
}

/// The inputs of [`retention_economics`]: a customer base, its margin and
/// retention, the retention it could reach, and what acquiring a customer
/// costs.
///
/// [`Default`] is the classic illustration: 1,000 customers with a margin
/// of 100 a period, retention 80% raised to 85%, 10% discount a period,
/// five periods, 250 to acquire a customer. Set the fields that differ:
///
/// ```
/// use crm_value::{RetentionInputs, retention_economics};
///
/// let inputs = RetentionInputs { customers: 5000.0, periods: 3, ..RetentionInputs::default() };
/// let e = retention_economics(&inputs).unwrap();
/// assert!(e.gain > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct RetentionInputs {
    /// Customers at the start.
    pub customers: f64,
    /// Margin per customer per period.
    pub margin: f64,
    /// Retention now: the chance that a customer stays another period, in
    /// [0, 1].
    pub retention: f64,
    /// The improved retention, in [0, 1].
    pub improved: f64,
    /// Discount rate per period, at least 0.
    pub discount: f64,
    /// Periods of the horizon.
    pub periods: u32,
    /// What acquiring one new customer costs.
    pub cost_per_customer: f64,
}

impl Default for RetentionInputs {
    fn default() -> RetentionInputs {
        RetentionInputs {
            customers: 1000.0,
            margin: 100.0,
            retention: 0.80,
            improved: 0.85,
            discount: 0.1,
            periods: 5,
            cost_per_customer: 250.0,
        }
    }
}

/// The profit over `periods` periods of `customers` customers with margin
/// `margin` per period each, at retention `retention` and at `improved`,
/// discounted at `discount` per period, next to the cost of acquiring (at
/// `cost_per_customer`) the customers the improvement keeps (see
/// [`RetentionInputs`]). `None` for rates outside [0, 1] or a negative
/// discount.
///
/// ```
/// use crm_value::{RetentionInputs, retention_economics};
///
/// let e = retention_economics(&RetentionInputs::default()).unwrap();
/// assert!(e.gain > 0.0);
/// assert!((e.customers_kept - 1000.0 * (0.85f64.powi(5) - 0.80f64.powi(5))).abs() < 1e-9);
/// ```
pub fn retention_economics(inputs: &RetentionInputs) -> Option<RetentionEconomics> {
    let RetentionInputs {
        customers,
        margin,
        retention,
        improved,
        discount,
        periods,
        cost_per_customer,
    } = *inputs;
    let ok = |r: f64| (0.0..=1.0).contains(&r);
    if !ok(retention) || !ok(improved) || !(0.0..=f64::MAX).contains(&discount) {
        return None;
    }
    let profit = |r: f64| -> f64 {
        (1..=periods)
            .map(|t| customers * margin * r.powi(t as i32) / (1.0 + discount).powi(t as i32))
            .sum()
    };
    let (now, better) = (profit(retention), profit(improved));
    let kept = customers * (improved.powi(periods as i32) - retention.powi(periods as i32));
    Some(RetentionEconomics {
        profit_now: now,
        profit_improved: better,
        gain: better - now,
        customers_kept: kept,
        acquisition_cost: kept * cost_per_customer,
    })
}

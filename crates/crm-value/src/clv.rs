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

/// The profit over `periods` periods of `customers` customers with margin
/// `margin` per period each, at retention `retention` and at `improved`,
/// discounted at `discount` per period, next to the cost of acquiring (at
/// `cost_per_customer`) the customers the improvement keeps. `None` for
/// rates outside [0, 1] or a negative discount.
///
/// ```
/// let e = crm_value::retention_economics(1000.0, 100.0, 0.80, 0.85, 0.1, 5, 250.0).unwrap();
/// assert!(e.gain > 0.0);
/// assert!((e.customers_kept - 1000.0 * (0.85f64.powi(5) - 0.80f64.powi(5))).abs() < 1e-9);
/// ```
pub fn retention_economics(
    customers: f64,
    margin: f64,
    retention: f64,
    improved: f64,
    discount: f64,
    periods: u32,
    cost_per_customer: f64,
) -> Option<RetentionEconomics> {
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

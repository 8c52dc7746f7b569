//! Simple lifetime value and the economics of retention.

use crm_core::{Decimal, Money};

use crate::{Error, Result, overflow};

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
///
/// In JSON (feature `serde`) the money (`profit_now`, `profit_improved`,
/// `gain`, `acquisition_cost`) is decimal strings; `customers_kept`, an
/// expected number of customers (a statistic, fractional), is a number.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RetentionEconomics {
    /// Discounted margin over the horizon at the current retention,
    /// rounded to cents.
    pub profit_now: Money,
    /// The same at the improved retention.
    pub profit_improved: Money,
    /// `profit_improved - profit_now`.
    pub gain: Money,
    /// The expected number of customers still there at the horizon's end
    /// that would otherwise have left: `customers × (improvedᵖ −
    /// retentionᵖ)`, a statistic.
    pub customers_kept: f64,
    /// What acquiring that many new customers would cost instead, rounded
    /// to cents.
    pub acquisition_cost: Money,
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
/// let inputs = RetentionInputs { customers: 5000, periods: 3, ..RetentionInputs::default() };
/// let e = retention_economics(&inputs)?;
/// assert!(e.gain.is_positive());
/// # Ok::<(), crm_value::Error>(())
/// ```
///
/// In JSON (feature `serde`): `customers` and `periods` are integers,
/// `margin` and `cost_per_customer` decimal strings (money), `retention`,
/// `improved` and `discount` numbers (the assumptions of a model); a field
/// left out takes its [`Default`]. Reading checks what
/// [`RetentionInputs::check`] checks, so `{"retention": 1.5}` is an error
/// naming `retention`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "RawInputs"))]
pub struct RetentionInputs {
    /// Customers at the start.
    pub customers: u64,
    /// Margin per customer per period.
    pub margin: Money,
    /// Retention now: the chance that a customer stays another period, in
    /// [0, 1].
    pub retention: f64,
    /// The improved retention, in [0, 1].
    pub improved: f64,
    /// Discount rate per period, at least 0 and finite.
    pub discount: f64,
    /// Periods of the horizon.
    pub periods: u32,
    /// What acquiring one new customer costs.
    pub cost_per_customer: Money,
}

impl Default for RetentionInputs {
    fn default() -> RetentionInputs {
        RetentionInputs {
            customers: 1000,
            margin: Money::from(100),
            retention: 0.80,
            improved: 0.85,
            discount: 0.1,
            periods: 5,
            cost_per_customer: Money::from(250),
        }
    }
}

impl RetentionInputs {
    /// Checks the ranges: `retention` and `improved` in [0, 1],
    /// `discount` at least 0 and finite.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfRange`] naming the first input out of range.
    ///
    /// ```
    /// use crm_value::{Error, RetentionInputs};
    ///
    /// let bad = RetentionInputs { retention: 1.5, ..RetentionInputs::default() };
    /// assert!(matches!(bad.check(), Err(Error::OutOfRange { input: "retention", .. })));
    /// ```
    pub fn check(&self) -> Result<()> {
        let rate = |input: &'static str, x: f64| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(Error::OutOfRange {
                    input,
                    value: x.to_string(),
                    expected: "between 0 and 1",
                })
            }
        };
        rate("retention", self.retention)?;
        rate("improved", self.improved)?;
        if !(0.0..=f64::MAX).contains(&self.discount) {
            return Err(Error::OutOfRange {
                input: "discount",
                value: self.discount.to_string(),
                expected: "0 or more, finite",
            });
        }
        Ok(())
    }
}

/// What [`RetentionInputs`] reads before its ranges are checked.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawInputs {
    customers: u64,
    margin: Money,
    retention: f64,
    improved: f64,
    discount: f64,
    periods: u32,
    cost_per_customer: Money,
}

#[cfg(feature = "serde")]
impl Default for RawInputs {
    fn default() -> RawInputs {
        let d = RetentionInputs::default();
        RawInputs {
            customers: d.customers,
            margin: d.margin,
            retention: d.retention,
            improved: d.improved,
            discount: d.discount,
            periods: d.periods,
            cost_per_customer: d.cost_per_customer,
        }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<RawInputs> for RetentionInputs {
    type Error = Error;
    fn try_from(r: RawInputs) -> Result<RetentionInputs> {
        let inputs = RetentionInputs {
            customers: r.customers,
            margin: r.margin,
            retention: r.retention,
            improved: r.improved,
            discount: r.discount,
            periods: r.periods,
            cost_per_customer: r.cost_per_customer,
        };
        inputs.check()?;
        Ok(inputs)
    }
}

/// The profit over `periods` periods of `customers` customers with margin
/// `margin` per period each, at retention `retention` and at `improved`,
/// discounted at `discount` per period, next to the cost of acquiring (at
/// `cost_per_customer`) the customers the improvement keeps (see
/// [`RetentionInputs`]). The discount factors are computed in floating
/// point; the money is `customers × margin × factor`, rounded to cents.
///
/// # Errors
///
/// [`Error::OutOfRange`] for a rate outside [0, 1] or a negative or
/// infinite discount ([`RetentionInputs::check`]);
/// [`Error::Core`] with an amount overflow when the money leaves
/// [`Decimal`]'s range.
///
/// ```
/// use crm_value::{RetentionInputs, retention_economics};
///
/// let e = retention_economics(&RetentionInputs::default())?;
/// assert!(e.gain.is_positive());
/// assert!((e.customers_kept - 1000.0 * (0.85f64.powi(5) - 0.80f64.powi(5))).abs() < 1e-9);
/// assert_eq!(e.gain, e.profit_improved.checked_sub(e.profit_now).unwrap());
/// # Ok::<(), crm_value::Error>(())
/// ```
pub fn retention_economics(inputs: &RetentionInputs) -> Result<RetentionEconomics> {
    inputs.check()?;
    let RetentionInputs {
        customers,
        margin,
        retention,
        improved,
        discount,
        periods,
        cost_per_customer,
    } = *inputs;
    // Σ rᵗ / (1 + d)ᵗ for t = 1..=periods: the discounted periods a
    // customer is expected to stay.
    let factor = |r: f64| -> f64 {
        (1..=periods)
            .map(|t| {
                let t = i32::try_from(t).unwrap_or(i32::MAX);
                r.powi(t) / (1.0 + discount).powi(t)
            })
            .sum()
    };
    let base = margin
        .checked_mul_count(customers)
        .ok_or_else(|| overflow("the margin of all customers in a period"))?;
    let times = |m: Money, x: f64, what: &str| -> Result<Money> {
        Decimal::try_from(x)
            .ok()
            .and_then(|x| m.as_decimal().checked_mul(x))
            .map(|d| Money::new(d).round_dp(crm_core::MONEY_AVERAGE_DECIMALS))
            .ok_or_else(|| overflow(what))
    };
    let now = times(
        base,
        factor(retention),
        "the profit at the current retention",
    )?;
    let better = times(
        base,
        factor(improved),
        "the profit at the improved retention",
    )?;
    let p = i32::try_from(periods).unwrap_or(i32::MAX);
    let kept = customers as f64 * (improved.powi(p) - retention.powi(p));
    Ok(RetentionEconomics {
        profit_now: now,
        profit_improved: better,
        gain: better
            .checked_sub(now)
            .ok_or_else(|| overflow("the gain of the improved retention"))?,
        customers_kept: kept,
        acquisition_cost: times(cost_per_customer, kept, "the acquisition cost")?,
    })
}

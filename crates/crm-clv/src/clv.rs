//! Discounted lifetime value from a purchase model and a spend estimate.

use crate::PurchaseModel;
use crate::error::{Error, Result};
use crate::summary::{DAYS_PER_MONTH, Summary, TimeUnit};

/// How [`lifetime_value`] discounts and how far it looks: the horizon in
/// months, the discount rate per month, and the time unit the model was
/// fitted in.
///
/// ```
/// use crm_clv::{LifetimeOptions, TimeUnit};
///
/// let o = LifetimeOptions::new(TimeUnit::WEEK).months(24).discount(0.01)?;
/// assert_eq!((o.horizon(), o.discount_rate()), (24, 0.01));
/// assert!(LifetimeOptions::new(TimeUnit::WEEK).discount(-1.0).is_err());
/// # Ok::<(), crm_clv::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "RawLifetimeOptions"))]
pub struct LifetimeOptions {
    months: u32,
    discount: f64,
    unit: TimeUnit,
}

/// [`LifetimeOptions`] as read, checked by its setters: `unit` is
/// required, `months` and `discount` default to 12 and 0.01.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLifetimeOptions {
    months: Option<u32>,
    discount: Option<f64>,
    unit: TimeUnit,
}

#[cfg(feature = "serde")]
impl TryFrom<RawLifetimeOptions> for LifetimeOptions {
    type Error = Error;
    fn try_from(raw: RawLifetimeOptions) -> Result<LifetimeOptions> {
        let mut o = LifetimeOptions::new(raw.unit);
        if let Some(months) = raw.months {
            o = o.months(months);
        }
        if let Some(rate) = raw.discount {
            o = o.discount(rate)?;
        }
        Ok(o)
    }
}

impl LifetimeOptions {
    /// Twelve months at 1% a month (the defaults of `lifetimes`'
    /// `customer_lifetime_value`), for a model fitted in `unit`.
    pub fn new(unit: TimeUnit) -> LifetimeOptions {
        LifetimeOptions {
            months: 12,
            discount: 0.01,
            unit,
        }
    }

    /// The horizon in months.
    pub fn months(mut self, months: u32) -> LifetimeOptions {
        self.months = months;
        self
    }

    /// The discount rate per month.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a rate that is not a number above -1.
    pub fn discount(mut self, rate: f64) -> Result<LifetimeOptions> {
        if !(rate.is_finite() && rate > -1.0) {
            return Err(Error::InvalidArgument(format!(
                "the discount rate must be a number above -1, not {rate}"
            )));
        }
        self.discount = rate;
        Ok(self)
    }

    /// The horizon in months.
    pub fn horizon(&self) -> u32 {
        self.months
    }

    /// The discount rate per month.
    pub fn discount_rate(&self) -> f64 {
        self.discount
    }

    /// The time unit of the model.
    pub fn unit(&self) -> TimeUnit {
        self.unit
    }
}

/// The discounted value of a customer's expected purchases over the next
/// `months` months (see [`LifetimeOptions`]): `sum_{i=1..months} spend *
/// (E[Y(i f)] - E[Y((i-1) f)]) / (1 + discount)^i`, with `f` the time units
/// in a month (365.25/12 days), as `lifetimes`' `customer_lifetime_value`
/// (which takes 30 days or 4.345 weeks for a month).
///
/// The cost is linear in `months`: the model's
/// [`PurchaseModel::expected_purchases_along`] takes the months in order.
///
/// `spend` is the expected value of one purchase (for example
/// [`GammaGamma::expected_spend`](crate::GammaGamma::expected_spend)).
///
/// # Errors
///
/// [`Error::InvalidArgument`] for a non-finite spend; the model's errors.
pub fn lifetime_value(
    model: &(impl PurchaseModel + ?Sized),
    customer: &Summary,
    spend: f64,
    options: &LifetimeOptions,
) -> Result<f64> {
    let LifetimeOptions {
        months,
        discount,
        unit,
    } = *options;
    if !spend.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "the spend {spend} is not a number"
        )));
    }
    let f = unit.from_days(DAYS_PER_MONTH);
    let mut value = 0.0;
    let mut before = 0.0;
    let mut factor = 1.0;
    // Months in chunks, so that memory stays small for any `months` while
    // the model shares work along each chunk's increasing horizons.
    const CHUNK: u32 = 256;
    let mut first = 1u32;
    while first <= months {
        let last = first.saturating_add(CHUNK - 1).min(months);
        let horizons: Vec<f64> = (first..=last).map(|i| f64::from(i) * f).collect();
        for now in model.expected_purchases_along(customer, &horizons)? {
            factor /= 1.0 + discount;
            value += spend * (now - before) * factor;
            before = now;
        }
        match last.checked_add(1) {
            Some(next) => first = next,
            None => break,
        }
    }
    Ok(value)
}

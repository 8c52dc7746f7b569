//! Discounted lifetime value from a purchase model and a spend estimate.

use crate::PurchaseModel;
use crate::error::{Error, Result};
use crate::summary::{DAYS_PER_MONTH, Summary, TimeUnit};

/// The discounted value of a customer's expected purchases over the next
/// `months` months: `sum_{i=1..months} spend * (E[Y(i f)] - E[Y((i-1) f)])
/// / (1 + discount)^i`, with `f` the time units in a month (365.25/12 days),
/// as `lifetimes`' `customer_lifetime_value` (which takes 30 days or 4.345
/// weeks for a month).
///
/// The cost is linear in `months`: the model's
/// [`PurchaseModel::expected_purchases_along`] takes the months in order.
///
/// `discount` is the rate per month; `spend` the expected value of one
/// purchase (for example [`GammaGamma::expected_spend`](crate::GammaGamma::expected_spend)).
///
/// # Errors
///
/// [`Error::InvalidArgument`] for a discount rate not above -1 or a
/// non-finite spend; the model's errors.
pub fn lifetime_value(
    model: &(impl PurchaseModel + ?Sized),
    customer: &Summary,
    spend: f64,
    months: u32,
    discount: f64,
    unit: TimeUnit,
) -> Result<f64> {
    if !(discount.is_finite() && discount > -1.0) {
        return Err(Error::InvalidArgument(format!(
            "the discount rate must be a number above -1, not {discount}"
        )));
    }
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

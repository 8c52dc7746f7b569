//! One precision rule for shares and averages of money.
//!
//! A share is a part of a whole (share of customers or value, conversion,
//! win rate, retention rate, response rate, share of wallet, the Pareto
//! figure). Every share the toolkit computes as a quotient is rounded to
//! [`SHARE_DECIMALS`] (6) decimal places, half to even, here and only
//! here: [`share`] for `part / whole`, [`round_share`] for a quotient
//! computed elsewhere, [`share_f64`] for a share kept as `f64`. So one
//! share has one text whichever type carries it (the pyramid's Pareto
//! figure, the pyramid report's and the scorecard's are all `"0.558425"`),
//! and a share kept as `f64` prints the same digits as one kept as
//! [`Decimal`].
//!
//! An average of money (value per customer, revenue per customer, cost per
//! response, a value per migration state) is money: it is rounded to
//! [`MONEY_AVERAGE_DECIMALS`] (2, cents) decimal places, half away from
//! zero, by [`average`] (the rule of [`Money::round_dp`]).

use rust_decimal::Decimal;

use crate::Money;

/// Decimal places of every computed share (6: `"0.558425"`).
pub const SHARE_DECIMALS: u32 = 6;

/// Decimal places of every computed average of money (2: cents).
pub const MONEY_AVERAGE_DECIMALS: u32 = 2;

/// `part / whole` as a share, rounded to [`SHARE_DECIMALS`] places half
/// to even; `None` when `whole` is zero (nothing to divide by) or the
/// quotient leaves [`Decimal`]'s range.
///
/// ```
/// use crm_core::{share, Decimal};
///
/// assert_eq!(share(Decimal::from(1), Decimal::from(3)), Some(Decimal::new(333333, 6)));
/// assert_eq!(share(Decimal::from(1), Decimal::ZERO), None);
/// ```
pub fn share(part: Decimal, whole: Decimal) -> Option<Decimal> {
    part.checked_div(whole).map(round_share)
}

/// A quotient rounded to [`SHARE_DECIMALS`] places half to even, with no
/// trailing zeros (`0.5`, never `0.500000`).
pub fn round_share(x: Decimal) -> Decimal {
    x.round_dp(SHARE_DECIMALS).normalize()
}

/// A share kept as `f64`, rounded by the same rule: the `f64` nearest to
/// the 6-place decimal, whose shortest text is those digits (`1.0 / 3.0`
/// becomes `0.333333`). A value that is not finite is returned as it is.
///
/// ```
/// assert_eq!(crm_core::share_f64(1.0 / 3.0), 0.333333);
/// assert_eq!(crm_core::share_f64(0.25), 0.25);
/// ```
pub fn share_f64(x: f64) -> f64 {
    match Decimal::try_from(x) {
        Ok(d) => share_to_f64(round_share(d)),
        Err(_) => x,
    }
}

/// A share kept as [`Decimal`] as the `f64` with the same shortest text,
/// for the types that keep shares as `f64`.
///
/// ```
/// use crm_core::{share, share_to_f64, Decimal};
///
/// let s = share(Decimal::from(2), Decimal::from(3)).unwrap();
/// assert_eq!(share_to_f64(s).to_string(), "0.666667");
/// ```
pub fn share_to_f64(d: Decimal) -> f64 {
    // The shortest text of the nearest f64 is the decimal's own text (it
    // has at most 28 significant digits, and a share has at most 6
    // decimals past a small integer part).
    d.to_string().parse().unwrap_or(0.0)
}

/// `total / n` as an average of money, rounded to
/// [`MONEY_AVERAGE_DECIMALS`] places half away from zero; `None` for
/// `n == 0`.
///
/// ```
/// use crm_core::{average, Money};
///
/// let total: Money = "10".parse()?;
/// assert_eq!(average(total, 3), Some("3.33".parse()?));
/// assert_eq!(average(total, 0), None);
/// # Ok::<(), crm_core::Error>(())
/// ```
pub fn average(total: Money, n: u64) -> Option<Money> {
    let q = total.as_decimal().checked_div(Decimal::from(n))?;
    Some(Money::new(q).round_dp(MONEY_AVERAGE_DECIMALS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn half_to_even_at_six_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(round_share(d("0.0000005")), d("0"));
        assert_eq!(round_share(d("0.0000015")), d("0.000002"));
        assert_eq!(round_share(d("0.5584246858665690")).to_string(), "0.558425");
        assert_eq!(round_share(d("0.250000")).to_string(), "0.25");
    }

    proptest! {
        /// A share kept as `f64` prints the digits of the same share kept
        /// as a decimal, and rounding it again changes nothing.
        #[test]
        fn f64_and_decimal_shares_have_one_text(part in 0u64..1_000_000, whole in 1u64..1_000_000) {
            let d = share(Decimal::from(part), Decimal::from(whole)).unwrap();
            let f = share_to_f64(d);
            prop_assert_eq!(f.to_string(), d.to_string());
            prop_assert_eq!(share_f64(f).to_string(), d.to_string());
        }

        /// `share_f64` is the decimal rule applied to the float.
        #[test]
        fn share_f64_rounds_like_a_decimal(x in -10.0f64..10.0) {
            let d = round_share(Decimal::try_from(x).unwrap());
            prop_assert_eq!(share_f64(x).to_string(), d.to_string());
        }
    }
}

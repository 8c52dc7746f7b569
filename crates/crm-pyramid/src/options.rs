use std::fmt;

use crm_core::{Basis, Money};
use rust_decimal::Decimal;

use crate::{Error, Result};

/// How the active customers are cut into Top, Big, Medium and Small.
///
/// Each variant holds one to three cuts; the levels are filled from the
/// top (`Top`, then `Big`, then `Medium`) and whoever is below the last
/// cut is `Small`. So ABC analysis is `Cuts::abc()`: A is Top, B is Big, C
/// is Small, and Medium stays empty.
///
/// "ABC" here is ABC by share of value (the Pareto classification of
/// customers by what they bring in). The courses on the method also use
/// A/B/C for *mutual benefit*: how valuable the relationship is for both
/// sides (strategic partner, supplier of choice, transactional). That is a
/// judgement the data does not hold, and no cut computes it; record it in
/// the register as an attribute (a `relationship` column) when you use it.
///
/// In JSON (feature `serde`): `{"by": "customer_shares", "cuts": ["0.01",
/// "0.05", "0.2"]}` (shares as decimal strings), `value_shares`, or
/// `{"by": "bands", "cuts": ["100000", ..]}`; reading checks them as
/// [`Cuts::validate`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        rename_all = "snake_case",
        tag = "by",
        content = "cuts",
        try_from = "RawCuts"
    )
)]
#[non_exhaustive]
pub enum Cuts {
    /// Cumulative shares of the active customers, by rank: with `n` active
    /// customers the k-th boundary is `ceil(n × share_k)`, computed
    /// exactly. The default is 1%, 5%, 20%.
    CustomerShares(#[cfg_attr(feature = "serde", serde(with = "decimals"))] Vec<Decimal>),
    /// Cumulative shares of the active customers' value: the k-th level
    /// ends with the smallest set of top-ranked customers holding at least
    /// `share_k` of the value.
    ValueShares(#[cfg_attr(feature = "serde", serde(with = "decimals"))] Vec<Decimal>),
    /// Fixed value bands, highest first: value `>= band_1` is Top, `>=
    /// band_2` Big, `>= band_3` Medium.
    Bands(Vec<Money>),
}

impl Default for Cuts {
    fn default() -> Cuts {
        Cuts::CustomerShares(vec![
            Decimal::new(1, 2),
            Decimal::new(5, 2),
            Decimal::new(20, 2),
        ])
    }
}

/// Cuts as read, before [`Cuts::validate`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "cuts")]
enum RawCuts {
    CustomerShares(#[serde(with = "decimals")] Vec<Decimal>),
    ValueShares(#[serde(with = "decimals")] Vec<Decimal>),
    Bands(Vec<Money>),
}

#[cfg(feature = "serde")]
impl TryFrom<RawCuts> for Cuts {
    type Error = Error;
    fn try_from(raw: RawCuts) -> Result<Cuts> {
        let cuts = match raw {
            RawCuts::CustomerShares(s) => Cuts::CustomerShares(s),
            RawCuts::ValueShares(s) => Cuts::ValueShares(s),
            RawCuts::Bands(b) => Cuts::Bands(b),
        };
        cuts.validate()?;
        Ok(cuts)
    }
}

/// serde for a list of shares as decimal strings, whatever features of
/// `rust_decimal` the build has.
#[cfg(feature = "serde")]
mod decimals {
    use crm_core::Money;
    use rust_decimal::Decimal;

    pub(super) fn serialize<S: serde::Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|d| Money::new(*d)))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<Decimal>, D::Error> {
        let v: Vec<Money> = serde::Deserialize::deserialize(d)?;
        Ok(v.into_iter().map(Money::as_decimal).collect())
    }
}

impl Cuts {
    /// Curry's cuts: Top 1%, Big 4%, Medium 15%, Small 80% of the active
    /// customers.
    pub fn curry() -> Cuts {
        Cuts::default()
    }

    /// ABC analysis by share of value (not the A/B/C of mutual benefit; see
    /// [`Cuts`]): A (Top) is the smallest set of top customers holding 80%
    /// of the value, B (Big) the next 15%, C (Small) the rest.
    ///
    /// Reports name it by what it cuts, so that nobody reads it as the
    /// A/B/C of mutual benefit, nor as Curry's cuts by share of customers:
    ///
    /// ```
    /// use crm_pyramid::Cuts;
    /// assert_eq!(Cuts::abc().to_string(), "value 80,95%");
    /// assert_eq!(Cuts::curry().to_string(), "customers 1,5,20%");
    /// ```
    pub fn abc() -> Cuts {
        Cuts::ValueShares(vec![Decimal::new(80, 2), Decimal::new(95, 2)])
    }

    /// Cumulative shares of customers given in percent, as on the command
    /// line: `Cuts::customer_percent(&[1, 5, 20])`.
    ///
    /// # Errors
    ///
    /// As [`Cuts::validate`].
    pub fn customer_percent(percent: &[Decimal]) -> Result<Cuts> {
        let c = Cuts::CustomerShares(percent.iter().map(|p| p / Decimal::ONE_HUNDRED).collect());
        c.validate()?;
        Ok(c)
    }

    /// Cumulative shares of value given in percent: `&[80, 95]` is ABC.
    ///
    /// # Errors
    ///
    /// As [`Cuts::validate`].
    pub fn value_percent(percent: &[Decimal]) -> Result<Cuts> {
        let c = Cuts::ValueShares(percent.iter().map(|p| p / Decimal::ONE_HUNDRED).collect());
        c.validate()?;
        Ok(c)
    }

    /// Checks the cuts: one to three of them; shares strictly increasing in
    /// (0, 1]; bands strictly decreasing.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCuts`] saying what is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason| {
            Err(Error::InvalidCuts {
                cuts: self.to_string(),
                reason,
            })
        };
        let n = match self {
            Cuts::CustomerShares(s) | Cuts::ValueShares(s) => s.len(),
            Cuts::Bands(b) => b.len(),
        };
        if !(1..=3).contains(&n) {
            return bad("give one to three cuts");
        }
        match self {
            Cuts::CustomerShares(s) | Cuts::ValueShares(s) => {
                if s.iter().any(|x| *x <= Decimal::ZERO || *x > Decimal::ONE) {
                    return bad("each share must be above 0% and at most 100%");
                }
                if s.windows(2).any(|w| w[0] >= w[1]) {
                    return bad("cumulative shares must increase");
                }
            }
            Cuts::Bands(b) => {
                if b.windows(2).any(|w| w[0] <= w[1]) {
                    return bad("value bands must decrease, highest first");
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Cuts {
    /// Shares in percent (`customers 1,5,20`), bands as amounts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let percent = |s: &[Decimal]| {
            s.iter()
                .map(|x| match x.checked_mul(Decimal::ONE_HUNDRED) {
                    Some(p) => p.normalize().to_string(),
                    None => format!("{x}×100"),
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            Cuts::CustomerShares(s) => write!(f, "customers {}%", percent(s)),
            Cuts::ValueShares(s) => write!(f, "value {}%", percent(s)),
            Cuts::Bands(b) => {
                let b: Vec<String> = b.iter().map(ToString::to_string).collect();
                write!(f, "bands {}", b.join(","))
            }
        }
    }
}

/// The options of one pyramid: value basis, cuts and inactivity horizon.
///
/// ```
/// use crm_pyramid::{Cuts, PyramidOptions};
/// use crm_core::Basis;
///
/// let options = PyramidOptions::new()
///     .basis(Basis::Margin)
///     .cuts(Cuts::abc())
///     .inactivity_horizon_days(Some(3 * 365));
/// assert_eq!(options.basis, Basis::Margin);
/// ```
///
/// With the `serde` feature it serialises and deserialises (a field left
/// out takes its default): `{"basis": "margin", "cuts": {"by":
/// "value_shares", "cuts": ["0.8", "0.95"]}, "inactivity_horizon_days":
/// 1095}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct PyramidOptions {
    /// Which money counts as value. Default: revenue.
    pub basis: Basis,
    /// How active customers are cut. Default: [`Cuts::curry`].
    pub cuts: Cuts,
    /// Customers whose last purchase before the period is more than this
    /// many days before its start are *lost*: they leave the pyramid
    /// (counted apart) instead of being Inactive. Default: `None`, every
    /// former buyer is Inactive.
    pub inactivity_horizon_days: Option<u32>,
}

impl PyramidOptions {
    /// The defaults: revenue, Curry's cuts, no horizon.
    pub fn new() -> PyramidOptions {
        PyramidOptions::default()
    }

    /// Sets the value basis.
    #[must_use]
    pub fn basis(mut self, basis: Basis) -> PyramidOptions {
        self.basis = basis;
        self
    }

    /// Sets the cuts.
    #[must_use]
    pub fn cuts(mut self, cuts: Cuts) -> PyramidOptions {
        self.cuts = cuts;
        self
    }

    /// Sets the inactivity horizon in days.
    #[must_use]
    pub fn inactivity_horizon_days(mut self, days: Option<u32>) -> PyramidOptions {
        self.inactivity_horizon_days = days;
        self
    }
}

impl From<Basis> for PyramidOptions {
    fn from(basis: Basis) -> PyramidOptions {
        PyramidOptions::new().basis(basis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn validates() {
        assert!(Cuts::default().validate().is_ok());
        assert!(Cuts::abc().validate().is_ok());
        assert!(Cuts::customer_percent(&[d("20")]).is_ok());
        for bad in [
            vec![],
            vec![d("5"), d("1")],
            vec![d("0")],
            vec![d("101")],
            vec![d("1"), d("2"), d("3"), d("4")],
        ] {
            assert!(Cuts::customer_percent(&bad).is_err(), "{bad:?}");
        }
        assert!(
            Cuts::Bands(vec![Money::from(10), Money::from(10)])
                .validate()
                .is_err()
        );
        assert_eq!(Cuts::default().to_string(), "customers 1,5,20%");
    }
}

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{Error, Result};

/// An exact amount of money in the data set's one currency.
///
/// A thin wrapper around [`rust_decimal::Decimal`]: sums are exact, so a
/// total does not depend on the order rows arrive in, and values print as
/// they were written (`12.50` stays `12.50`). Never `f64`.
///
/// ```
/// use crm_core::Money;
///
/// let total: Money = ["12.50", "-2.5", "0.10"]
///     .iter()
///     .map(|s| s.parse::<Money>())
///     .sum::<Result<Money, _>>()?;
/// assert_eq!(total.to_string(), "10.10");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wraps a decimal amount.
    pub const fn new(amount: Decimal) -> Money {
        Money(amount)
    }

    /// An amount given as an integer number of minor units with `scale`
    /// decimals: `Money::from_minor(1250, 2)` is `12.50`.
    ///
    /// # Panics
    ///
    /// When `scale` exceeds 28, the most [`Decimal`] holds.
    pub fn from_minor(units: i64, scale: u32) -> Money {
        Money(Decimal::new(units, scale))
    }

    /// The amount as a decimal.
    pub const fn as_decimal(self) -> Decimal {
        self.0
    }

    /// Whether the amount is greater than zero.
    pub fn is_positive(self) -> bool {
        self.0.is_sign_positive() && !self.0.is_zero()
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Adds, or `None` when the sum leaves [`Decimal`]'s range (about 7.9e28).
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Subtracts, or `None` when the difference leaves [`Decimal`]'s range.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Multiplies by a count (orders, interactions), or `None` when the
    /// product leaves [`Decimal`]'s range.
    pub fn checked_mul_count(self, n: u64) -> Option<Money> {
        self.0.checked_mul(Decimal::from(n)).map(Money)
    }

    /// This amount as a share of `total` (`self / total`), or `None` when
    /// `total` is zero.
    pub fn ratio_to(self, total: Money) -> Option<Decimal> {
        self.0.checked_div(total.0)
    }

    /// Rounds half away from zero to `decimals` places, for display.
    pub fn round_dp(self, decimals: u32) -> Money {
        Money(self.0.round_dp_with_strategy(
            decimals,
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        ))
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Money {
        Money(d)
    }
}

impl From<Money> for Decimal {
    fn from(m: Money) -> Decimal {
        m.0
    }
}

impl From<i64> for Money {
    fn from(v: i64) -> Money {
        Money(Decimal::from(v))
    }
}

impl FromStr for Money {
    type Err = Error;
    /// Parses a plain decimal number with a `.` decimal point (`-12.50`,
    /// `1e3` is rejected). Locale forms (decimal comma, grouping) are the
    /// CSV adapter's business.
    fn from_str(s: &str) -> Result<Money> {
        let bytes = s.as_bytes();
        let ok = !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
        if !ok {
            return Err(Error::InvalidMoney { input: s.into() });
        }
        Decimal::from_str_exact(s)
            .map(Money)
            .map_err(|_| Error::InvalidMoney { input: s.into() })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Add for Money {
    type Output = Money;
    /// # Panics
    ///
    /// On overflow past about 7.9e28; use [`Money::checked_add`] where
    /// amounts are untrusted.
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Money {
    /// Money is written as a normalised decimal string (`"12.5"` for
    /// 12.50: no trailing zeros, so that one value has one text whatever
    /// path computed it), never a float.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0.normalize())
    }
}

#[cfg(feature = "serde")]
/// Reads an amount written as a decimal string (`"12.50"`, exact) or as
/// a whole number (`5`, as a TOML or JSON file may have it); a number with
/// a fraction (`5.5`) is refused, since a binary float is not exact.
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Amount;
        impl serde::de::Visitor<'_> for Amount {
            type Value = Money;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an amount as a decimal string such as \"12.50\", or a whole number")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<Money, E> {
                s.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Money, E> {
                Ok(Money::new(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Money, E> {
                Ok(Money::new(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Money, E> {
                Err(E::custom(format!(
                    "write the amount {v} as a string (\"{v}\"): a number with a fraction is not exact"
                )))
            }
        }
        // Formats that are not self-describing (bincode, postcard) only
        // ever hold the string that `Serialize` wrote.
        if d.is_human_readable() {
            d.deserialize_any(Amount)
        } else {
            d.deserialize_str(Amount)
        }
    }
}

/// serde for a plain [`Decimal`] field as a normalised decimal string
/// (`"0.3125"`; `"0.5"` for 0.50),
/// whatever features of `rust_decimal` other crates of a build turn on
/// (its `serde-float` would write a float): `#[serde(with =
/// "crm_core::decimal_str")]`, or [`decimal_str::option`] for an
/// `Option<Decimal>`. Reads what [`Money`] reads: a decimal string or a
/// whole number.
#[cfg(feature = "serde")]
pub mod decimal_str {
    use super::{Decimal, Money};

    /// Writes `d` as a normalised decimal string (no trailing zeros).
    ///
    /// # Errors
    ///
    /// The serializer's.
    pub fn serialize<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&d.normalize())
    }

    /// Reads a decimal string or a whole number.
    ///
    /// # Errors
    ///
    /// Anything else, a number with a fraction included.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        <Money as serde::Deserialize>::deserialize(d).map(Money::as_decimal)
    }

    /// The same for an `Option<Decimal>` (`null` for `None`).
    pub mod option {
        use super::{Decimal, Money};

        /// Writes `d` as a normalised decimal string, or `null`.
        ///
        /// # Errors
        ///
        /// The serializer's.
        pub fn serialize<S: serde::Serializer>(
            d: &Option<Decimal>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.collect_str(&d.normalize()),
                None => s.serialize_none(),
            }
        }

        /// Reads a decimal string, a whole number or `null`.
        ///
        /// # Errors
        ///
        /// Anything else.
        pub fn deserialize<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Decimal>, D::Error> {
            <Option<Money> as serde::Deserialize>::deserialize(d).map(|m| m.map(Money::as_decimal))
        }
    }
}

/// serde for a share computed in floating point (`f64`, a part of a whole
/// such as 0.2398) as a decimal string (`"0.2398"`), so that every share
/// in the JSON is a string, whether the library keeps it as a [`Decimal`]
/// or as an `f64`: `#[serde(with = "crm_core::share_str")]`, or
/// [`share_str::option`] for an `Option<f64>` (`null` for `None`). The
/// text is the shortest that reads back to the same `f64` (Rust's
/// `Display`, never an exponent). A value that is not finite is written as
/// `null`.
#[cfg(feature = "serde")]
pub mod share_str {
    /// Writes `x` as a decimal string (`null` when it is not finite).
    ///
    /// # Errors
    ///
    /// The serializer's.
    pub fn serialize<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            // `+ 0.0` writes -0 as "0".
            s.collect_str(&(x + 0.0))
        } else {
            s.serialize_none()
        }
    }

    /// Reads a decimal string or a JSON number.
    ///
    /// # Errors
    ///
    /// Anything else, or text that is not a number.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        option::deserialize(d)?.ok_or_else(|| serde::de::Error::custom("a share, not null"))
    }

    /// The same for an `Option<f64>`.
    pub mod option {
        /// Writes `x` as a decimal string, or `null`.
        ///
        /// # Errors
        ///
        /// The serializer's.
        pub fn serialize<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            match x {
                Some(x) => super::serialize(x, s),
                None => s.serialize_none(),
            }
        }

        /// Reads a decimal string, a JSON number or `null`.
        ///
        /// # Errors
        ///
        /// Anything else, or text that is not a number.
        pub fn deserialize<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<f64>, D::Error> {
            struct Share;
            impl<'a> serde::de::Visitor<'a> for Share {
                type Value = Option<f64>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a share as a decimal string such as \"0.25\", or null")
                }
                fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Option<f64>, E> {
                    match s.parse::<f64>() {
                        Ok(x) if x.is_finite() => Ok(Some(x)),
                        _ => Err(E::custom(format!("not a share: {s:?}"))),
                    }
                }
                fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Option<f64>, E> {
                    Ok(Some(v))
                }
                fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Option<f64>, E> {
                    Ok(Some(v as f64))
                }
                fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Option<f64>, E> {
                    Ok(Some(v as f64))
                }
                fn visit_unit<E: serde::de::Error>(self) -> Result<Option<f64>, E> {
                    Ok(None)
                }
                fn visit_none<E: serde::de::Error>(self) -> Result<Option<f64>, E> {
                    Ok(None)
                }
                fn visit_some<D: serde::Deserializer<'a>>(
                    self,
                    d: D,
                ) -> Result<Option<f64>, D::Error> {
                    d.deserialize_any(Share)
                }
            }
            if d.is_human_readable() {
                d.deserialize_any(Share)
            } else {
                // Formats that are not self-describing only hold what
                // `serialize` wrote: an optional string.
                match <Option<String> as serde::Deserialize>::deserialize(d)? {
                    Some(text) => serde::de::Visitor::visit_str(Share, &text),
                    None => Ok(None),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "serde")]
    #[test]
    fn reads_strings_and_whole_numbers_not_fractions() {
        let m: Money = serde_json::from_str(r#""12.50""#).unwrap();
        assert_eq!(m.to_string(), "12.50");
        let m: Money = serde_json::from_str("5").unwrap();
        assert_eq!(m.to_string(), "5");
        let m: Money = serde_json::from_str("-7").unwrap();
        assert_eq!(m.to_string(), "-7");
        let e = serde_json::from_str::<Money>("5.5")
            .unwrap_err()
            .to_string();
        assert!(e.contains("as a string"), "{e}");
    }

    #[test]
    fn parses_and_prints_exactly() {
        for s in ["0", "12.50", "-3.1", "123456789012345678.99"] {
            assert_eq!(s.parse::<Money>().unwrap().to_string(), s);
        }
        for bad in ["", "1,5", "1e3", "abc", "--1", "1.2.3"] {
            assert!(bad.parse::<Money>().is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_multiply_with_a_check() {
        let m: Money = "2.50".parse().unwrap();
        assert_eq!(m.checked_mul_count(3), Some("7.50".parse().unwrap()));
        assert_eq!(Money::new(Decimal::MAX).checked_mul_count(2), None);
        assert_eq!(
            Money::new(Decimal::MAX).checked_mul_count(0),
            Some(Money::ZERO)
        );
    }

    #[test]
    fn sign_tests() {
        assert!(Money::from(1).is_positive());
        assert!(!Money::ZERO.is_positive());
        assert!(!Money::from(-1).is_positive());
        assert!(!"-0.00".parse::<Money>().unwrap().is_positive());
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_contract {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// One value has one text: money and decimal fields are written
        /// normalised (no trailing zeros), whatever scale computed them,
        /// and read back to the same value.
        #[test]
        fn money_is_a_normalised_decimal_string(units in -10_000_000i64..10_000_000, scale in 0u32..6, extra in 0u32..4) {
            let m = Money::from_minor(units, scale);
            // The same value at a larger scale (trailing zeros).
            let wide = Money::new(m.as_decimal() * Decimal::new(10i64.pow(extra), 0) / Decimal::new(10i64.pow(extra), 0));
            let (a, b) = (serde_json::to_string(&m).unwrap(), serde_json::to_string(&wide).unwrap());
            prop_assert_eq!(&a, &b);
            let text = a.trim_matches('"');
            prop_assert!(!(text.contains('.') && text.ends_with('0')), "{text}");
            prop_assert!(text != "-0", "{text}");
            let back: Money = serde_json::from_str(&a).unwrap();
            prop_assert_eq!(back, m);
        }

        /// A share kept as an f64 is written as a decimal string that reads
        /// back to the same f64.
        #[test]
        fn a_share_is_a_decimal_string(x in 0.0f64..=1.0) {
            #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
            struct S {
                #[serde(with = "crate::share_str")]
                a: f64,
                #[serde(with = "crate::share_str::option")]
                b: Option<f64>,
            }
            let s = S { a: x, b: Some(x) };
            let json = serde_json::to_value(&s).unwrap();
            prop_assert!(json["a"].is_string() && json["b"].is_string(), "{json}");
            prop_assert!(!json["a"].as_str().unwrap().contains('e'), "{json}");
            let back: S = serde_json::from_value(json).unwrap();
            prop_assert_eq!(back, s);
        }
    }

    #[test]
    fn a_missing_share_is_null_and_negative_zero_is_zero() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct S {
            #[serde(with = "crate::share_str::option")]
            b: Option<f64>,
            #[serde(with = "crate::share_str")]
            z: f64,
        }
        let json = serde_json::to_string(&S { b: None, z: -0.0 }).unwrap();
        assert_eq!(json, r#"{"b":null,"z":"0"}"#);
        let back: S = serde_json::from_str(r#"{"b":"0.25","z":0.5}"#).unwrap();
        assert_eq!(
            back,
            S {
                b: Some(0.25),
                z: 0.5
            }
        );
        assert!(serde_json::from_str::<S>(r#"{"b":"abc","z":"1"}"#).is_err());
        assert_eq!(
            serde_json::to_string(&Money::new(Decimal::from_parts(0, 0, 0, true, 2))).unwrap(),
            r#""0""#
        );
        assert_eq!(
            serde_json::to_string(&Money::new(Decimal::new(1250, 2))).unwrap(),
            r#""12.5""#
        );
    }
}

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The longest customer key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 1024;

/// A customer's external key: the integrator's own id, as a string.
///
/// Keys are compared and ordered by their bytes, which is the tie-break
/// order of every ranking in the toolkit. A key is non-empty, at most
/// [`MAX_KEY_LEN`] bytes, has no leading or trailing white space and no
/// control characters (they would corrupt reports and exports).
///
/// ```
/// use crm_core::CustomerKey;
///
/// let key = CustomerKey::new("C-1001")?;
/// assert_eq!(key.as_str(), "C-1001");
/// assert!(CustomerKey::new(" C-1001").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerKey(Box<str>);

impl CustomerKey {
    /// Validates and wraps a key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] when [`check_key`] rejects it.
    pub fn new(key: impl AsRef<str>) -> Result<Self> {
        let key = key.as_ref();
        check_key(key)?;
        Ok(CustomerKey(key.into()))
    }

    /// The key as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's bytes, in the order used for tie-breaks.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Checks that `key` is a valid customer key without allocating.
///
/// # Errors
///
/// [`Error::InvalidKey`] when the key is empty, longer than [`MAX_KEY_LEN`]
/// bytes, starts or ends with white space, or holds a control character.
pub fn check_key(key: &str) -> Result<()> {
    // The common case, settled without decoding a character: a printable
    // ASCII byte at both ends (so no white space there) and no control
    // byte anywhere (the check of every byte, without a branch per byte).
    let b = key.as_bytes();
    if let (Some(first), Some(last)) = (b.first(), b.last())
        && b.len() <= MAX_KEY_LEN
        && first.is_ascii_graphic()
        && last.is_ascii_graphic()
        && !b
            .iter()
            .fold(false, |bad, &c| bad | (c < 0x20) | (c == 0x7f))
    {
        return Ok(());
    }
    let reason = if key.is_empty() {
        "empty"
    } else if key.len() > MAX_KEY_LEN {
        "longer than 1024 bytes"
    } else if key.starts_with(char::is_whitespace) || key.ends_with(char::is_whitespace) {
        "leading or trailing white space"
    } else if key.bytes().any(|b| b < 0x20 || b == 0x7f) {
        "control character"
    } else {
        return Ok(());
    };
    Err(Error::InvalidKey {
        key: key.chars().take(80).collect(),
        reason,
    })
}

impl fmt::Display for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl FromStr for CustomerKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        CustomerKey::new(s)
    }
}

/// A key equals the text it holds: `key == "C-1"`.
impl PartialEq<str> for CustomerKey {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

/// A key equals the text it holds: `key == "C-1"`.
impl PartialEq<&str> for CustomerKey {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl AsRef<str> for CustomerKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for CustomerKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for CustomerKey {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        CustomerKey::new(s)
    }
}

impl TryFrom<String> for CustomerKey {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        check_key(&s)?;
        Ok(CustomerKey(s.into_boxed_str()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CustomerKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CustomerKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CustomerKey::try_from(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_keys() {
        for bad in ["", " a", "a ", "a\nb", "a\tb", &"x".repeat(1025)] {
            assert!(CustomerKey::new(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "C 1", "klant-é-1", &"x".repeat(1024)] {
            assert!(CustomerKey::new(good).is_ok(), "{good:?}");
        }
    }

    /// The rule as written, character by character: what the fast path
    /// must agree with.
    fn slow(key: &str) -> bool {
        !key.is_empty()
            && key.len() <= MAX_KEY_LEN
            && !key.starts_with(char::is_whitespace)
            && !key.ends_with(char::is_whitespace)
            && !key.bytes().any(|b| b < 0x20 || b == 0x7f)
    }

    proptest::proptest! {
        /// The ASCII fast path accepts exactly the keys the rule accepts.
        #[test]
        fn the_fast_path_agrees_with_the_rule(
            key in proptest::string::string_regex("[ -~\t\n\x7f\u{85}\u{a0}\u{2003}é]{0,12}").unwrap(),
        ) {
            proptest::prop_assert_eq!(check_key(&key).is_ok(), slow(&key), "{:?}", key);
        }
    }

    #[test]
    fn orders_by_bytes() {
        let a = CustomerKey::new("B").unwrap();
        let b = CustomerKey::new("a").unwrap();
        assert!(a < b);
    }
}

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

/// Whether `key` is a valid customer key made of ASCII only: then it is
/// valid UTF-8 and [`check_key`] accepts it. A reader that meets keys as
/// raw bytes settles the common case with this one pass, without a UTF-8
/// validation and a [`check_key`] of its own; `false` says only that the
/// general checks must decide (the key may still be valid).
///
/// ```
/// assert!(crm_core::is_plain_ascii_key(b"C-1001"));
/// assert!(!crm_core::is_plain_ascii_key("Zoë".as_bytes())); // valid, not ASCII
/// assert!(!crm_core::is_plain_ascii_key(b" C-1001"));
/// ```
pub fn is_plain_ascii_key(key: &[u8]) -> bool {
    if let (Some(first), Some(last)) = (key.first(), key.last()) {
        key.len() <= MAX_KEY_LEN
            && first.is_ascii_graphic()
            && last.is_ascii_graphic()
            && scan_bytes(key) & (CONTROL | NON_ASCII) == 0
    } else {
        false
    }
}

/// [`scan_bytes`] found a byte below `0x20` or `0x7f` (a control byte).
const CONTROL: u8 = 1;
/// [`scan_bytes`] found a byte of `0x80` or above (not ASCII).
const NON_ASCII: u8 = 2;

/// Which kinds of bytes `b` holds ([`CONTROL`], [`NON_ASCII`]), eight
/// bytes at a time: keys are short, and a branch per byte costs more than
/// the test. Exact per byte: no carry crosses a byte.
fn scan_bytes(b: &[u8]) -> u8 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Adding 0x60 to a byte's low seven bits sets its high bit exactly
    // when they are 0x20 or more.
    const UP_0X20: u64 = 0x6060_6060_6060_6060;
    let mut control = 0u64;
    let mut high = 0u64;
    let mut word = |w: u64| {
        // A byte below 0x20: high bit clear, low bits below 0x20.
        control |= !(w | ((w & LOW7) + UP_0X20)) & HIGH;
        // 0x7f: the byte of `w ^ LOW7` is zero.
        let t = w ^ LOW7;
        control |= !(((t & LOW7) + LOW7) | t | LOW7);
        high |= w & HIGH;
    };
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(w);
        word(u64::from_le_bytes(bytes));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        // Padded with a byte that is neither.
        let mut bytes = [b'A'; 8];
        bytes[..rest.len()].copy_from_slice(rest);
        word(u64::from_le_bytes(bytes));
    }
    (u8::from(control != 0) * CONTROL) | (u8::from(high != 0) * NON_ASCII)
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
        && scan_bytes(b) & CONTROL == 0
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

    proptest::proptest! {
        /// The word-at-a-time scan finds exactly the control and non-ASCII
        /// bytes a byte-by-byte test finds, at every length and offset.
        #[test]
        fn scan_bytes_is_exact(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let control = b.iter().any(|&c| c < 0x20 || c == 0x7f);
            let high = b.iter().any(|&c| c >= 0x80);
            let got = scan_bytes(&b);
            proptest::prop_assert_eq!(got & CONTROL != 0, control);
            proptest::prop_assert_eq!(got & NON_ASCII != 0, high);
            // A plain ASCII key is valid UTF-8 and a valid key.
            if is_plain_ascii_key(&b) {
                let s = std::str::from_utf8(&b);
                proptest::prop_assert!(s.is_ok());
                proptest::prop_assert!(s.is_ok_and(|s| check_key(s).is_ok()));
            }
        }

        /// Keys of printable ASCII with spaces inside, and one byte changed
        /// to anything: `check_key` agrees with its rules spelled out.
        #[test]
        fn check_key_follows_its_rules(
            s in "[ -~]{0,30}",
            at in 0usize..30,
            c in proptest::prelude::any::<char>(),
        ) {
            let mut s: String = s;
            if at < s.len() {
                s.replace_range(at..=at, c.encode_utf8(&mut [0; 4]));
            }
            let expected = !s.is_empty()
                && s.len() <= MAX_KEY_LEN
                && !s.starts_with(char::is_whitespace)
                && !s.ends_with(char::is_whitespace)
                && !s.bytes().any(|b| b < 0x20 || b == 0x7f);
            proptest::prop_assert_eq!(check_key(&s).is_ok(), expected, "{:?}", s);
            if is_plain_ascii_key(s.as_bytes()) {
                proptest::prop_assert!(expected);
            } else if expected {
                proptest::prop_assert!(!s.is_ascii() || s.len() > MAX_KEY_LEN);
            }
        }
    }

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

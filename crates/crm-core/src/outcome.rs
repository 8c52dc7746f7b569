//! Outcomes of actions: what became of an action a rulebook proposed,
//! recorded by the CRM and read back (from a file or a store).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::CustomerKey;

/// What became of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutcomeStatus {
    /// Carried out and accepted by the customer.
    Done,
    /// The customer declined.
    Declined,
    /// Tried, no answer.
    NoAnswer,
}

impl OutcomeStatus {
    /// The name used in files: `done`, `declined`, `no-answer`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OutcomeStatus::Done => "done",
            OutcomeStatus::Declined => "declined",
            OutcomeStatus::NoAnswer => "no-answer",
        }
    }
}

impl fmt::Display for OutcomeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for OutcomeStatus {
    type Err = String;
    /// Parses `done`, `declined` or `no-answer` (also `no_answer`),
    /// ignoring ASCII case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "done" => Ok(OutcomeStatus::Done),
            "declined" => Ok(OutcomeStatus::Declined),
            "no-answer" => Ok(OutcomeStatus::NoAnswer),
            _ => Err(format!(
                "unknown outcome `{}`: done, declined or no-answer",
                s.chars().take(40).collect::<String>()
            )),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for OutcomeStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for OutcomeStatus {
    /// Reads the names [`OutcomeStatus::from_str`] reads.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The record of what became of one action.
///
/// In JSON (feature `serde`): `id` (a UUID or `null`), `customer` (the
/// key), `rule`, `owner` (or `null`), `status` (`done`, `declined`,
/// `no-answer`) and `date`; it reads back what it writes, and refuses a
/// customer key that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Outcome {
    /// The action's id, when the CRM kept it.
    pub id: Option<Uuid>,
    /// The customer: a valid key ([`CustomerKey`]: non-empty, at most
    /// [`MAX_KEY_LEN`](crate::MAX_KEY_LEN) bytes, no surrounding white
    /// space or control characters), as every other record names one.
    pub customer: CustomerKey,
    /// The rule that proposed the action.
    pub rule: String,
    /// Who acted, when recorded (else the rule's owner is assumed).
    pub owner: Option<String>,
    /// What became of it.
    pub status: OutcomeStatus,
    /// When.
    pub date: NaiveDate,
}

impl Outcome {
    /// An outcome without id or owner.
    ///
    /// ```
    /// use crm_core::{CustomerKey, NaiveDate, Outcome, OutcomeStatus};
    ///
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    /// let o = Outcome::new(CustomerKey::new("C-1")?, "win-back", OutcomeStatus::Done, day);
    /// assert_eq!(o.customer.as_str(), "C-1");
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn new(
        customer: CustomerKey,
        rule: &str,
        status: OutcomeStatus,
        date: NaiveDate,
    ) -> Outcome {
        Outcome {
            id: None,
            customer,
            rule: rule.to_string(),
            owner: None,
            status,
            date,
        }
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::MAX_KEY_LEN;

    #[test]
    fn an_outcome_reads_back_and_names_a_valid_key() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut o = Outcome::new(
            CustomerKey::new("C-1").unwrap(),
            "win-back",
            OutcomeStatus::NoAnswer,
            day,
        );
        o.owner = Some("sales".into());
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(
            json,
            r#"{"id":null,"customer":"C-1","rule":"win-back","owner":"sales","status":"no-answer","date":"2025-03-01"}"#
        );
        assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), o);
        let long = "k".repeat(MAX_KEY_LEN + 1);
        for bad in ["", " C-1", "C\u{7}1", long.as_str()] {
            let text = json.replace(r#""C-1""#, &serde_json::to_string(bad).unwrap());
            assert!(serde_json::from_str::<Outcome>(&text).is_err(), "{bad:?}");
        }
        let at_most = "k".repeat(MAX_KEY_LEN);
        let text = json.replace(r#""C-1""#, &format!("\"{at_most}\""));
        assert!(serde_json::from_str::<Outcome>(&text).is_ok());
    }
}

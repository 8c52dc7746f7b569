//! Outcomes of actions: what became of an action a rulebook proposed,
//! recorded by the CRM and read back (from a file or a store).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use uuid::Uuid;

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

/// The record of what became of one action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Outcome {
    /// The action's id, when the CRM kept it.
    pub id: Option<Uuid>,
    /// The customer.
    pub customer: String,
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
    pub fn new(customer: &str, rule: &str, status: OutcomeStatus, date: NaiveDate) -> Outcome {
        Outcome {
            id: None,
            customer: customer.to_string(),
            rule: rule.to_string(),
            owner: None,
            status,
            date,
        }
    }
}

//! The records of the core model: transactions, customers, interactions
//! and leads, and the small closed sets of names they use.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{CustomerKey, Error, Money, Result};

/// Defines a fieldless enum with a canonical lowercase name per variant,
/// `as_str`, `ALL`, `Display`, `FromStr` and serde as that name.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical lowercase name, as used in files and reports.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            /// Parses the canonical name, ignoring ASCII case, surrounding
            /// spaces, and `_` or ` ` in place of `-`.
            fn from_str(s: &str) -> Result<Self> {
                let norm: String = s
                    .trim()
                    .chars()
                    .map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() })
                    .collect();
                $( if norm == $text { return Ok($name::$variant); } )+
                Err(Error::InvalidName {
                    what: $what,
                    input: s.chars().take(80).collect(),
                    expected: concat!($($text, " "),+),
                })
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

named_enum! {
    /// Which money a value analysis adds up: revenue (the default) or margin
    /// (gross profit).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub enum Basis: "basis" {
        /// Revenue, net of credit notes.
        #[default]
        Revenue = "revenue",
        /// Gross margin, net of credit notes.
        Margin = "margin",
    }
}

impl Basis {
    /// A dense index (revenue 0, margin 1) for per-basis arrays.
    pub const fn index(self) -> usize {
        self as usize
    }
}

named_enum! {
    /// Where a party stands in the register: never contacted, contacted
    /// but never bought, or has bought.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub enum Stage: "lifecycle stage" {
        /// In the target market, never contacted.
        #[default]
        Suspect = "suspect",
        /// Contacted, never bought.
        Prospect = "prospect",
        /// Has bought.
        Customer = "customer",
    }
}

named_enum! {
    /// A contact channel that needs the customer's consent.
    ///
    /// Open for more channels (SMS, messaging): match it with a wildcard
    /// arm.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum Channel: "channel" {
        /// E-mail.
        Email = "email",
        /// Telephone.
        Phone = "phone",
        /// Post.
        Post = "post",
    }
}

named_enum! {
    /// The kind of a contact moment.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum InteractionKind: "interaction kind" {
        /// A visit, at the customer's or ours.
        Visit = "visit",
        /// A telephone call.
        Call = "call",
        /// An e-mail.
        Email = "email",
        /// A meeting.
        Meeting = "meeting",
        /// A quote sent.
        Quote = "quote",
        /// A complaint received.
        Complaint = "complaint",
        /// A complaint resolved.
        ComplaintResolved = "complaint-resolved",
        /// A response to a campaign.
        CampaignResponse = "campaign-response",
        /// Anything else.
        Other = "other",
    }
}

named_enum! {
    /// A stage on the road from lead to order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum LeadStage: "lead stage" {
        /// A name with a possible need.
        Lead = "lead",
        /// Need, budget and decision maker confirmed.
        Qualified = "qualified",
        /// A quote was sent.
        Quote = "quote",
        /// Won: an order.
        Won = "won",
        /// Lost.
        Lost = "lost",
    }
}

/// Consent to be contacted, per channel: `Some(true)` given, `Some(false)`
/// refused, `None` unknown.
///
/// It grows a field with each [`Channel`]: build it with
/// `Consent::default()` and [`Consent::set`] (or [`Consent::with`]), read it
/// with [`Consent::get`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Consent {
    /// Consent for e-mail.
    pub email: Option<bool>,
    /// Consent for telephone.
    pub phone: Option<bool>,
    /// Consent for post.
    pub post: Option<bool>,
}

impl Consent {
    /// The consent recorded for `channel`.
    pub fn get(&self, channel: Channel) -> Option<bool> {
        match channel {
            Channel::Email => self.email,
            Channel::Phone => self.phone,
            Channel::Post => self.post,
        }
    }

    /// `self` with the consent for `channel` set to `value`.
    ///
    /// ```
    /// use crm_core::{Channel, Consent};
    ///
    /// let c = Consent::default().with(Channel::Email, Some(true)).with(Channel::Post, Some(false));
    /// assert_eq!(c.get(Channel::Email), Some(true));
    /// assert_eq!(c.get(Channel::Phone), None);
    /// assert_eq!(c.get(Channel::Post), Some(false));
    /// ```
    pub fn with(mut self, channel: Channel, value: Option<bool>) -> Consent {
        self.set(channel, value);
        self
    }

    /// Records the consent for `channel`.
    pub fn set(&mut self, channel: Channel, value: Option<bool>) {
        match channel {
            Channel::Email => self.email = value,
            Channel::Phone => self.phone = value,
            Channel::Post => self.post = value,
        }
    }

    /// Whether `channel` may be used: only when consent was given.
    pub fn allows(&self, channel: Channel) -> bool {
        self.get(channel) == Some(true)
    }
}

/// One sale or credit note.
///
/// Revenue may be negative (returns, credit notes). Margin is optional; an
/// analysis on the margin basis counts transactions without one.
///
/// ```
/// use crm_core::{CustomerKey, Money, Transaction};
/// use chrono::NaiveDate;
///
/// let t = Transaction::new(
///     CustomerKey::new("C1")?,
///     NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
///     "120.00".parse()?,
/// )
/// .with_margin("36.00".parse()?);
/// assert_eq!(t.margin, Some("36.00".parse::<Money>()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Transaction {
    /// The buying customer.
    pub customer: CustomerKey,
    /// The date of the sale or credit note.
    pub date: NaiveDate,
    /// Revenue, negative for a credit note.
    pub revenue: Money,
    /// Gross margin, if known.
    pub margin: Option<Money>,
    /// Quantity, if known.
    #[cfg_attr(feature = "serde", serde(with = "crate::decimal_str::option"))]
    pub quantity: Option<Decimal>,
    /// The source system's id, for idempotent re-import.
    pub id: Option<String>,
    /// Product or category, if known.
    pub product: Option<String>,
}

impl Transaction {
    /// A transaction with the required fields; the optional ones are empty.
    pub fn new(customer: CustomerKey, date: NaiveDate, revenue: Money) -> Transaction {
        Transaction {
            customer,
            date,
            revenue,
            margin: None,
            quantity: None,
            id: None,
            product: None,
        }
    }

    /// Sets the margin.
    #[must_use]
    pub fn with_margin(mut self, margin: Money) -> Transaction {
        self.margin = Some(margin);
        self
    }

    /// Sets the transaction id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Transaction {
        self.id = Some(id.into());
        self
    }

    /// The value on `basis`: revenue, or margin (`None` when unknown).
    pub fn value(&self, basis: Basis) -> Option<Money> {
        match basis {
            Basis::Revenue => Some(self.revenue),
            Basis::Margin => self.margin,
        }
    }
}

/// A party in the register: a customer, prospect or suspect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Customer {
    /// The key.
    pub key: CustomerKey,
    /// The lifecycle stage as recorded in the register.
    pub stage: Stage,
    /// Name, if known.
    pub name: Option<String>,
    /// Segment or industry.
    pub segment: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Date the party became a customer.
    pub acquired: Option<NaiveDate>,
    /// Estimated yearly spend in our category, for share of wallet.
    pub potential: Option<Money>,
    /// Contact consent per channel.
    pub consent: Consent,
    /// Any other attributes, by column name.
    pub attributes: BTreeMap<String, String>,
}

impl Customer {
    /// A register entry with only a key and a stage.
    pub fn new(key: CustomerKey, stage: Stage) -> Customer {
        Customer {
            key,
            stage,
            name: None,
            segment: None,
            region: None,
            acquired: None,
            potential: None,
            consent: Consent::default(),
            attributes: BTreeMap::new(),
        }
    }
}

/// A contact moment with a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Interaction {
    /// The customer contacted.
    pub customer: CustomerKey,
    /// The date of the contact.
    pub date: NaiveDate,
    /// What kind of contact.
    pub kind: InteractionKind,
    /// What it cost, if known.
    pub cost: Option<Money>,
    /// A free note.
    pub note: Option<String>,
    /// The source system's id, for idempotent re-import. Interactions are
    /// told apart by this id only: two identical visits on one day without
    /// ids are two visits.
    #[cfg_attr(feature = "serde", serde(default))]
    pub id: Option<String>,
}

impl Interaction {
    /// An interaction without cost, note or id.
    pub fn new(customer: CustomerKey, date: NaiveDate, kind: InteractionKind) -> Interaction {
        Interaction {
            customer,
            date,
            kind,
            cost: None,
            note: None,
            id: None,
        }
    }

    /// Sets the interaction id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Interaction {
        self.id = Some(id.into());
        self
    }
}

/// A lead or opportunity on its way to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Lead {
    /// The customer or prospect.
    pub customer: CustomerKey,
    /// The current stage.
    pub stage: LeadStage,
    /// The expected order value.
    pub value: Money,
    /// The date each stage was entered.
    pub entered: BTreeMap<LeadStage, NaiveDate>,
}

impl Lead {
    /// A lead in `stage`, with no stage dates yet.
    pub fn new(customer: CustomerKey, stage: LeadStage, value: Money) -> Lead {
        Lead {
            customer,
            stage,
            value,
            entered: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in InteractionKind::ALL {
            assert_eq!(k.as_str().parse::<InteractionKind>().unwrap(), *k);
        }
        assert_eq!(
            "Complaint_Resolved".parse::<InteractionKind>().unwrap(),
            InteractionKind::ComplaintResolved
        );
        let err = "refund".parse::<InteractionKind>().unwrap_err().to_string();
        assert!(
            err.contains("refund") && err.contains("complaint-resolved"),
            "{err}"
        );
        assert_eq!(" MARGIN ".parse::<Basis>().unwrap(), Basis::Margin);
        assert_eq!(Basis::Margin.index(), 1);
    }

    #[test]
    fn consent_defaults_to_unknown() {
        let mut c = Consent::default();
        assert!(!c.allows(Channel::Email));
        c.set(Channel::Email, Some(true));
        assert!(c.allows(Channel::Email));
        assert_eq!(c.get(Channel::Post), None);
    }
}

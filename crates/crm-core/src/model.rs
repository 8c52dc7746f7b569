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
                // The canonical name as written (the common case in a
                // file), without building the normalised text.
                $( if s == $text { return Ok($name::$variant); } )+
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
        /// A campaign sent to the customer (the campaign in
        /// [`Interaction::campaign`]).
        CampaignSent = "campaign-sent",
        /// Anything else.
        Other = "other",
    }
}

impl InteractionKind {
    /// Whether this is a contact the company made, one that counts toward
    /// contact pressure and the days since the last contact. A complaint is
    /// the customer contacting the company, so it is not; everything else
    /// is (a complaint's resolution is the company answering, a campaign
    /// response answers a send the company made).
    pub fn is_contact_made(self) -> bool {
        !matches!(self, Self::Complaint)
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
    /// The campaign a `campaign-sent` or `campaign-response` belongs to.
    #[cfg_attr(feature = "serde", serde(default))]
    pub campaign: Option<String>,
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
            campaign: None,
        }
    }

    /// Sets the campaign.
    #[must_use]
    pub fn with_campaign(mut self, campaign: impl Into<String>) -> Interaction {
        self.campaign = Some(campaign.into());
        self
    }

    /// Sets the interaction id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Interaction {
        self.id = Some(id.into());
        self
    }
}

/// A lead or opportunity on its way to an order.
///
/// A lead moves through the stages `lead`, `qualified`, `quote` and ends
/// `won` or `lost`. [`Lead::entered`] is its stage history: the date each
/// stage was entered (a stage entered twice, when a lead moved back, keeps
/// the date of its last row). Rows of one lead (one row per stage change,
/// or snapshots re-imported later) fold into one with [`Lead::merge`], and
/// a list of rows into leads with [`merge_leads`].
///
/// A lead is identified by its [`Lead::id`]. Leads of the older files
/// without an id are identified by their whole content: two identical rows
/// are one lead, and a changed row is another lead.
///
/// ```
/// use crm_core::{CustomerKey, Lead, LeadStage, NaiveDate};
///
/// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
/// let key = CustomerKey::new("P1")?;
/// let mut lead = Lead::new(key.clone(), LeadStage::Lead, "1000".parse()?)
///     .with_id("L-1")
///     .entered_on(LeadStage::Lead, d(1, 6));
/// lead.merge(Lead::new(key, LeadStage::Quote, "1200".parse()?)
///     .with_id("L-1")
///     .entered_on(LeadStage::Quote, d(2, 3)));
/// assert_eq!(lead.stage, LeadStage::Quote);
/// assert_eq!(lead.value, "1200".parse()?);
/// assert_eq!(lead.created(), Some(d(1, 6)));
/// assert_eq!(lead.last_change(), Some(d(2, 3)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Lead {
    /// The source system's id: rows with the same id are one lead.
    #[cfg_attr(feature = "serde", serde(default))]
    pub id: Option<String>,
    /// The customer or prospect.
    pub customer: CustomerKey,
    /// The current stage.
    pub stage: LeadStage,
    /// The expected order value.
    pub value: Money,
    /// The date each stage was entered.
    pub entered: BTreeMap<LeadStage, NaiveDate>,
    /// Who works the lead (a salesperson, a team).
    #[cfg_attr(feature = "serde", serde(default))]
    pub owner: Option<String>,
    /// Where the lead came from (a fair, the website, a referral, ...).
    #[cfg_attr(feature = "serde", serde(default))]
    pub source: Option<String>,
    /// Why a lost lead was lost.
    #[cfg_attr(feature = "serde", serde(default))]
    pub lost_reason: Option<String>,
}

impl Lead {
    /// A lead in `stage`, with no id, stage dates, owner, source or lost
    /// reason yet.
    pub fn new(customer: CustomerKey, stage: LeadStage, value: Money) -> Lead {
        Lead {
            id: None,
            customer,
            stage,
            value,
            entered: BTreeMap::new(),
            owner: None,
            source: None,
            lost_reason: None,
        }
    }

    /// Sets the id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Lead {
        self.id = Some(id.into());
        self
    }

    /// Records that `stage` was entered on `date`.
    #[must_use]
    pub fn entered_on(mut self, stage: LeadStage, date: NaiveDate) -> Lead {
        self.entered.insert(stage, date);
        self
    }

    /// The day the lead was created: the date it entered the `lead` stage,
    /// or its earliest stage date when that one is missing; `None` when the
    /// lead has no dates.
    pub fn created(&self) -> Option<NaiveDate> {
        self.entered
            .get(&LeadStage::Lead)
            .copied()
            .or_else(|| self.entered.values().min().copied())
    }

    /// The day of the last stage change: the latest stage date.
    pub fn last_change(&self) -> Option<NaiveDate> {
        self.entered.values().max().copied()
    }

    /// Whether the lead is closed (won or lost).
    pub fn is_closed(&self) -> bool {
        self.stage.is_closed()
    }

    /// Folds a later row of the same lead into this one (a stage change,
    /// or the same lead imported again).
    ///
    /// The row's stage dates are added, replacing the date of a stage that
    /// was already there. The row is *newer* when its latest date and stage
    /// are at least this lead's (a row without dates is always newer): a
    /// newer row sets the customer, the value and, when it has them, owner,
    /// source and lost reason; an older row only fills those that are
    /// missing. The current stage is then the stage with the latest date
    /// (a later stage first on the same day), unless the current stage has
    /// no date (a snapshot that says where the lead stands without saying
    /// since when), which a newer row's stage replaces. Rows with distinct
    /// stages fold to the same lead in any order.
    pub fn merge(&mut self, row: Lead) {
        let newer = match (row.last_change(), self.last_change()) {
            (Some(a), Some(b)) => (a, row.stage) >= (b, self.stage),
            (None, _) | (Some(_), None) => true,
        };
        let row_dated = row.entered.contains_key(&row.stage);
        self.entered.extend(row.entered);
        if newer {
            self.customer = row.customer;
            self.value = row.value;
            self.stage = row.stage;
            self.id = row.id.or(self.id.take());
            self.owner = row.owner.or(self.owner.take());
            self.source = row.source.or(self.source.take());
            self.lost_reason = row.lost_reason.or(self.lost_reason.take());
        } else {
            self.id = self.id.take().or(row.id);
            self.owner = self.owner.take().or(row.owner);
            self.source = self.source.take().or(row.source);
            self.lost_reason = self.lost_reason.take().or(row.lost_reason);
        }
        if (row_dated || !newer)
            && self.entered.contains_key(&self.stage)
            && let Some((&s, _)) = self.entered.iter().max_by_key(|&(s, d)| (*d, *s))
        {
            self.stage = s;
        }
    }

    /// Where the lead stood at the end of `day`: the stages entered on or
    /// before it, and the stage it was in then. `None` when it was created
    /// after `day` or has no dates. A current stage without a date counts
    /// from the lead's last dated change on.
    pub fn as_of(&self, day: NaiveDate) -> Option<Lead> {
        let created = self.created()?;
        if created > day {
            return None;
        }
        let mut l = self.clone();
        l.entered.retain(|_, d| *d <= day);
        if self.last_change().is_some_and(|last| last > day) {
            if let Some((&s, _)) = l.entered.iter().max_by_key(|&(s, d)| (*d, *s)) {
                l.stage = s;
            }
            if !l.stage.is_closed() {
                l.lost_reason = None;
            }
        }
        Some(l)
    }
}

impl LeadStage {
    /// The open stages, in funnel order.
    pub const OPEN: [LeadStage; 3] = [LeadStage::Lead, LeadStage::Qualified, LeadStage::Quote];

    /// The stages of the funnel a lead passes on its way to an order, in
    /// order: `lead`, `qualified`, `quote`, `won` (`lost` ends the road
    /// anywhere and is not one of them).
    pub const FUNNEL: [LeadStage; 4] = [
        LeadStage::Lead,
        LeadStage::Qualified,
        LeadStage::Quote,
        LeadStage::Won,
    ];

    /// Whether the stage ends the lead (won or lost).
    pub const fn is_closed(self) -> bool {
        matches!(self, LeadStage::Won | LeadStage::Lost)
    }
}

/// Folds rows of leads into leads: rows with the same [`Lead::id`] merge
/// with [`Lead::merge`], oldest row first (by latest date, then stage; rows
/// without dates last; rows that tie keep their order, so the later of two
/// rows for the same stage and day wins); rows without an id are leads of
/// their own, identical ones counted once. Leads with an id come first, by
/// id; the others follow in a fixed order of their content. The result does
/// not depend on the order of rows that differ in stage or date.
pub fn merge_leads(rows: impl IntoIterator<Item = Lead>) -> Vec<Lead> {
    let rows = rows.into_iter();
    // Each row with its place among the rows of its id, oldest first
    // (computed once, not at every comparison).
    type Age = (bool, Option<NaiveDate>, LeadStage);
    let mut with_id: Vec<(Age, Lead)> = Vec::with_capacity(rows.size_hint().0);
    let mut anonymous: Vec<Lead> = Vec::new();
    for r in rows {
        if r.id.is_some() {
            let last = r.last_change();
            with_id.push(((last.is_none(), last, r.stage), r));
        } else {
            anonymous.push(r);
        }
    }
    // One stable sort instead of a map of lists: rows of one id become a
    // run, oldest first; rows that tie keep their order.
    with_id.sort_by(|(x, a), (y, b)| a.id.cmp(&b.id).then_with(|| x.cmp(y)));
    anonymous.sort_by(|a, b| lead_order(a).cmp(&lead_order(b)));
    anonymous.dedup();
    let mut out: Vec<Lead> = Vec::with_capacity(with_id.len() + anonymous.len());
    for (_, row) in with_id {
        match out.last_mut() {
            Some(last) if last.id == row.id => last.merge(row),
            _ => out.push(row),
        }
    }
    out.extend(anonymous);
    out
}

type LeadOrder<'a> = (
    &'a CustomerKey,
    Option<NaiveDate>,
    LeadStage,
    Money,
    &'a BTreeMap<LeadStage, NaiveDate>,
    (&'a Option<String>, &'a Option<String>, &'a Option<String>),
);

fn lead_order(l: &Lead) -> LeadOrder<'_> {
    (
        &l.customer,
        l.created(),
        l.stage,
        l.value,
        &l.entered,
        (&l.owner, &l.source, &l.lost_reason),
    )
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

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    fn row(id: &str, stage: LeadStage, date: NaiveDate, value: i64) -> Lead {
        Lead::new(CustomerKey::new("P1").unwrap(), stage, Money::from(value))
            .with_id(id)
            .entered_on(stage, date)
    }

    #[test]
    fn rows_of_one_lead_fold_in_any_order() {
        let mut lost = row("L1", LeadStage::Lost, day(3, 1), 90);
        lost.lost_reason = Some("price".into());
        let mut first = row("L1", LeadStage::Lead, day(1, 2), 100);
        first.owner = Some("ann".into());
        let rows = [first, row("L1", LeadStage::Qualified, day(2, 1), 120), lost];
        let forward = merge_leads(rows.clone());
        let backward = merge_leads(rows.into_iter().rev());
        assert_eq!(forward, backward);
        let l = &forward[0];
        assert_eq!((l.stage, l.value), (LeadStage::Lost, Money::from(90)));
        assert_eq!(
            l.owner.as_deref(),
            Some("ann"),
            "an older row fills what is missing"
        );
        assert_eq!(l.lost_reason.as_deref(), Some("price"));
        assert_eq!(
            (l.created(), l.last_change()),
            (Some(day(1, 2)), Some(day(3, 1)))
        );
        let then = l.as_of(day(2, 15)).unwrap();
        assert_eq!(then.stage, LeadStage::Qualified);
        assert_eq!(then.lost_reason, None);
        assert!(l.as_of(day(1, 1)).is_none(), "not created yet");
    }

    #[test]
    fn an_undated_snapshot_says_where_the_lead_stands() {
        let mut l = row("L1", LeadStage::Lead, day(1, 2), 100);
        l.merge(
            Lead::new(
                CustomerKey::new("P1").unwrap(),
                LeadStage::Won,
                Money::from(80),
            )
            .with_id("L1"),
        );
        assert_eq!(l.stage, LeadStage::Won);
        assert_eq!(l.as_of(day(5, 1)).unwrap().stage, LeadStage::Won);
        let anonymous = Lead::new(
            CustomerKey::new("P2").unwrap(),
            LeadStage::Quote,
            Money::from(5),
        );
        assert_eq!(merge_leads([anonymous.clone(), anonymous]).len(), 1);
    }
}

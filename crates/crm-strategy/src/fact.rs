//! The facts a rule can read, per customer, and how they are assembled
//! from the ledger, the pyramids and the value analyses.

use std::fmt;

use crm_core::{
    Basis, Channel, Customer, CustomerId, CustomerKey, Decimal, Lead, LeadStage, Ledger, Money,
    NaiveDate, Period,
};
use crm_migration::{Movement, Source};
use crm_pyramid::{Level, Pyramid};
use crm_value::{Profitability, Wallet};

use crate::{Error, Result};

/// The type of a fact: what a condition on it may compare it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum FactKind {
    /// A plain number (a count, a share in percent, a ratio).
    Number,
    /// An amount of money.
    Money,
    /// A number of days.
    Days,
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A pyramid level (`top` ... `suspect`, and `new` for a customer not
    /// yet known then).
    Level,
    /// A movement between two periods (`up`, `new`, `reactivated`, `down`,
    /// `lapsed`, `stayed`, `other`).
    Movement,
    /// True or false.
    Bool,
    /// A free text (a segment, a region, an attribute).
    Text,
    /// A set of channels (`email`, `phone`, `post`).
    Set,
}

impl FactKind {
    /// Whether facts of this kind are compared as numbers.
    pub const fn is_numeric(self) -> bool {
        matches!(self, FactKind::Number | FactKind::Money | FactKind::Days)
    }

    /// The name used in messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            FactKind::Number => "number",
            FactKind::Money => "money",
            FactKind::Days => "days",
            FactKind::Date => "date",
            FactKind::Level => "level",
            FactKind::Movement => "movement",
            FactKind::Bool => "boolean",
            FactKind::Text => "text",
            FactKind::Set => "set",
        }
    }
}

impl fmt::Display for FactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

macro_rules! facts {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal : $kind:ident [$slot:expr] ),+ $(,)?) => {
        /// A fact a rule can read. Each has a name (as written in a
        /// rulebook) and a [`FactKind`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Fact {
            $( $(#[$doc])* $variant ),+
        }

        impl Fact {
            /// Every fact, in documentation order.
            pub const ALL: &'static [Fact] = &[$(Fact::$variant),+];

            /// The name used in rulebooks and reports.
            pub const fn name(self) -> &'static str {
                match self { $(Fact::$variant => $name),+ }
            }

            /// The type.
            pub const fn kind(self) -> FactKind {
                match self { $(Fact::$variant => FactKind::$kind),+ }
            }

            /// The index of the fact's storage among those of its kind.
            pub(crate) const fn slot(self) -> usize {
                match self { $(Fact::$variant => $slot),+ }
            }
        }
    };
}

facts! {
    /// Value in the period, on the pyramid's basis.
    Value = "value": Money[0],
    /// Value in the previous period (unknown without one).
    ValueBefore = "value_before": Money[1],
    /// `value - value_before`.
    ValueChange = "value_change": Money[2],
    /// The change as a percentage of `value_before` (unknown when that is
    /// not positive): -30 means the value fell by 30%.
    ValueChangePercent = "value_change_percent": Number[3],
    /// Gross margin in the period (unknown when no transaction had one).
    Margin = "margin": Money[4],
    /// Gross margin in the previous period.
    MarginBefore = "margin_before": Money[5],
    /// Margin minus cost to serve in the period (known when a
    /// profitability analysis was given).
    Profit = "profit": Money[6],
    /// Share of wallet in percent: value / potential scaled to the period
    /// (active customers with a positive potential).
    ShareOfWallet = "share_of_wallet": Number[7],
    /// Potential minus value in the period.
    GrowthRoom = "growth_room": Money[8],
    /// Percentage of active customers with a known growth room at most
    /// this one's (above 50: more room than the median).
    GrowthRoomPercentile = "growth_room_percentile": Number[9],
    /// Yearly potential from the register.
    Potential = "potential": Money[10],
    /// Percentage of the register's customers with a potential at most
    /// this one's (above 75: the top quartile).
    PotentialPercentile = "potential_percentile": Number[11],
    /// Days from the last purchase to the as-of date (the period's end).
    RecencyDays = "recency_days": Days[12],
    /// Days from the first purchase to the as-of date.
    DaysSinceFirstPurchase = "days_since_first_purchase": Days[13],
    /// Mean days between distinct purchase days (needs the ledger's
    /// purchase days and two of them).
    UsualGapDays = "usual_gap_days": Number[14],
    /// `recency_days / usual_gap_days`: above 1, the next purchase is late.
    OverdueRatio = "overdue_ratio": Number[15],
    /// Days from the last contact made before the as-of date to it; for a
    /// customer never contacted, from the first transaction (known only
    /// when interactions were recorded at all). A complaint is the customer
    /// contacting the company, not a contact made: it does not count.
    DaysSinceContact = "days_since_contact": Days[16],
    /// Contacts made dated in the period, every interaction but
    /// complaints (known when interactions were recorded).
    ContactsInPeriod = "contacts_in_period": Number[17],
    /// Complaints open at the as-of date.
    OpenComplaints = "open_complaints": Number[18],
    /// Age in days of the oldest open complaint at the as-of date; 0 when
    /// none is open.
    OldestComplaintDays = "oldest_complaint_days": Days[19],
    /// Years (of 365.25 days, one decimal) from the start of the period of
    /// the best former level to the start of this period.
    YearsSinceBestLevel = "years_since_best_level": Number[20],
    /// Consecutive periods, up to this one, in which the customer was
    /// Inactive (0 when not Inactive now).
    PeriodsLapsed = "periods_lapsed": Number[21],
    /// Margin in the period of the best former level.
    FormerMargin = "former_margin": Money[22],
    /// Consecutive periods, up to this one, at the current level.
    PeriodsAtLevel = "periods_at_level": Number[23],
    /// Probability of being alive from a fitted lifetime-value model.
    PAlive = "p_alive": Number[24],
    /// Lifetime value from a fitted model.
    Clv = "clv": Money[25],
    /// Open leads (not won or lost), when leads were given.
    OpenLeads = "open_leads": Number[26],
    /// Rank among the active customers (1 is the most valuable).
    Rank = "rank": Number[27],
    /// Level in the period.
    Level = "level": Level[0],
    /// Level in the previous period, `new` when not known then.
    LevelBefore = "level_before": Level[1],
    /// The highest active level in the history before this period (the
    /// latest period when tied).
    BestFormerLevel = "best_former_level": Level[2],
    /// Movement from the previous period to this one.
    Movement = "movement": Movement[0],
    /// Consent for e-mail (unknown when the register does not say).
    ConsentEmail = "consent_email": Bool[0],
    /// Consent for telephone.
    ConsentPhone = "consent_phone": Bool[1],
    /// Consent for post.
    ConsentPost = "consent_post": Bool[2],
    /// Lifecycle stage from the register (`suspect`, `prospect`,
    /// `customer`).
    Stage = "stage": Text[0],
    /// Segment or industry from the register.
    Segment = "segment": Text[1],
    /// Region from the register.
    Region = "region": Text[2],
    /// Date of the first purchase.
    FirstPurchase = "first_purchase": Date[0],
    /// Date of the last purchase before the as-of date.
    LastPurchase = "last_purchase": Date[1],
    /// Date of the last contact made (any interaction but a complaint)
    /// before the as-of date.
    LastContact = "last_contact": Date[2],
    /// The channels the customer consented to.
    Consent = "consent": Set[0],
}

const NUM: usize = 28;

impl Fact {
    /// The fact named `name`.
    pub fn from_name(name: &str) -> Option<Fact> {
        Fact::ALL.iter().copied().find(|f| f.name() == name)
    }

    fn bit(self) -> u64 {
        1u64 << (self as u8)
    }
}

// The known-mask is one u64.
const _: () = assert!(Fact::ALL.len() <= 64);

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A level fact's value: a pyramid level, or `New` (not known then).
pub(crate) fn level_code(name: &str) -> Option<u8> {
    Source::ALL
        .iter()
        .find(|s| s.as_str() == name)
        .map(|s| s.index() as u8)
}

fn level_name(code: u8) -> &'static str {
    Source::ALL
        .get(usize::from(code))
        .map_or("unknown", |s| s.as_str())
}

pub(crate) fn movement_code(name: &str) -> Option<u8> {
    Movement::ALL
        .iter()
        .find(|m| m.as_str() == name)
        .map(|m| m.index() as u8)
}

fn movement_name(code: u8) -> &'static str {
    Movement::ALL
        .iter()
        .find(|m| m.index() == usize::from(code))
        .map_or("unknown", |m| m.as_str())
}

/// The value of one fact, for explanations and messages.
///
/// With the `serde` feature it serialises as its own type: an amount of
/// money as a normalised decimal string (`"148.7"`, as all money in the
/// JSON), a number as a number (a whole number exactly; other numbers as
/// the nearest double, exact for the up to 15 significant digits facts
/// have: percentages, ratios and days are statistics), a date as
/// `"YYYY-MM-DD"`, a bool as a bool, a text as a string, a set as an array
/// of strings; an unknown fact (`Option::None`) is `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FactValue {
    /// A number or a number of days.
    Number(Decimal),
    /// An amount of money (a fact of kind [`FactKind::Money`]).
    Money(Money),
    /// A date.
    Date(NaiveDate),
    /// A level, movement, stage or text.
    Text(String),
    /// True or false.
    Bool(bool),
    /// A set of names.
    Set(Vec<String>),
}

#[cfg(feature = "serde")]
impl serde::Serialize for FactValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use rust_decimal::prelude::ToPrimitive;
        match self {
            FactValue::Number(d) => {
                let d = d.normalize();
                match (d.scale(), d.to_i64(), d.to_f64()) {
                    (0, Some(i), _) => s.serialize_i64(i),
                    (_, _, Some(f)) => s.serialize_f64(f),
                    _ => s.collect_str(&d),
                }
            }
            FactValue::Money(m) => serde::Serialize::serialize(m, s),
            FactValue::Date(d) => s.collect_str(&d.format("%Y-%m-%d")),
            FactValue::Text(t) => s.serialize_str(t),
            FactValue::Bool(b) => s.serialize_bool(*b),
            FactValue::Set(v) => s.collect_seq(v),
        }
    }
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::Number(d) => write!(f, "{}", d.normalize()),
            FactValue::Money(m) => write!(f, "{}", m.as_decimal().normalize()),
            FactValue::Date(d) => write!(f, "{d}"),
            FactValue::Text(s) => f.write_str(s),
            FactValue::Bool(b) => write!(f, "{b}"),
            FactValue::Set(s) => write!(f, "[{}]", s.join(", ")),
        }
    }
}

/// The facts of one customer. Unknown facts stay unknown: a condition on
/// one is neither true nor false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    pub(crate) id: CustomerId,
    pub(crate) key: &'a str,
    pub(crate) known: u64,
    pub(crate) num: [Decimal; NUM],
    pub(crate) levels: [u8; 3],
    pub(crate) movement: u8,
    pub(crate) bools: [bool; 3],
    pub(crate) texts: [Option<&'a str>; 3],
    pub(crate) dates: [NaiveDate; 3],
    pub(crate) consent: u8,
    pub(crate) attrs: Vec<Option<&'a str>>,
}

impl<'a> Facts<'a> {
    /// Facts of `key` with every fact unknown, to be filled with the
    /// setters (for tests and for integrators with their own data).
    pub fn new(key: &'a str) -> Facts<'a> {
        Facts {
            id: CustomerId::default(),
            key,
            known: 0,
            num: [Decimal::ZERO; NUM],
            levels: [0; 3],
            movement: 0,
            bools: [false; 3],
            texts: [None; 3],
            dates: [NaiveDate::MIN; 3],
            consent: 0,
            attrs: Vec::new(),
        }
    }

    fn reset(&mut self, id: CustomerId, key: &'a str) {
        self.id = id;
        self.key = key;
        self.known = 0;
        self.consent = 0;
        self.texts = [None; 3];
        for a in &mut self.attrs {
            *a = None;
        }
    }

    /// The customer's key.
    pub fn key(&self) -> &'a str {
        self.key
    }

    /// The customer's id in the ledger the facts came from.
    pub fn id(&self) -> CustomerId {
        self.id
    }

    /// Whether `fact` is known.
    pub fn is_known(&self, fact: Fact) -> bool {
        self.known & fact.bit() != 0
    }

    /// Sets a numeric fact (number, money or days).
    ///
    /// # Panics
    ///
    /// When `fact` is not numeric.
    pub fn set_number(&mut self, fact: Fact, value: Decimal) -> &mut Self {
        assert!(fact.kind().is_numeric(), "{fact} is not numeric");
        self.num[fact.slot()] = value;
        self.known |= fact.bit();
        self
    }

    /// Sets a level fact; `None` means `new` (not known then).
    ///
    /// # Panics
    ///
    /// When `fact` is not a level fact.
    pub fn set_level(&mut self, fact: Fact, level: Option<Level>) -> &mut Self {
        assert!(fact.kind() == FactKind::Level, "{fact} is not a level");
        self.levels[fact.slot()] = level.map_or(Source::New, Source::Level).index() as u8;
        self.known |= fact.bit();
        self
    }

    /// Sets the movement.
    pub fn set_movement(&mut self, movement: Movement) -> &mut Self {
        self.movement = movement.index() as u8;
        self.known |= Fact::Movement.bit();
        self
    }

    /// Sets a boolean fact.
    ///
    /// # Panics
    ///
    /// When `fact` is not boolean.
    pub fn set_bool(&mut self, fact: Fact, value: bool) -> &mut Self {
        assert!(fact.kind() == FactKind::Bool, "{fact} is not boolean");
        self.bools[fact.slot()] = value;
        self.known |= fact.bit();
        self
    }

    /// Sets a text fact.
    ///
    /// # Panics
    ///
    /// When `fact` is not a text.
    pub fn set_text(&mut self, fact: Fact, value: &'a str) -> &mut Self {
        assert!(fact.kind() == FactKind::Text, "{fact} is not a text");
        self.texts[fact.slot()] = Some(value);
        self.known |= fact.bit();
        self
    }

    /// Sets a date fact.
    ///
    /// # Panics
    ///
    /// When `fact` is not a date.
    pub fn set_date(&mut self, fact: Fact, value: NaiveDate) -> &mut Self {
        assert!(fact.kind() == FactKind::Date, "{fact} is not a date");
        self.dates[fact.slot()] = value;
        self.known |= fact.bit();
        self
    }

    /// Sets the consent of one channel (also `consent_email` and so on):
    /// `None` unknown, `Some(true)` given, `Some(false)` refused.
    pub fn set_consent(&mut self, channel: Channel, value: Option<bool>) -> &mut Self {
        let (fact, bit) = match channel {
            Channel::Email => (Fact::ConsentEmail, 1),
            Channel::Phone => (Fact::ConsentPhone, 2),
            Channel::Post => (Fact::ConsentPost, 4),
            // A channel the rulebook has no fact for: nothing to record.
            _ => return self,
        };
        self.known |= Fact::Consent.bit();
        self.consent &= !bit;
        match value {
            Some(v) => {
                self.set_bool(fact, v);
                if v {
                    self.consent |= bit;
                }
            }
            None => self.known &= !fact.bit(),
        }
        self
    }

    /// Sets the free attribute in `slot` of the rulebook's
    /// [`Rulebook::attributes`](crate::Rulebook::attributes).
    pub fn set_attribute(&mut self, slot: usize, value: &'a str) -> &mut Self {
        if self.attrs.len() <= slot {
            self.attrs.resize(slot + 1, None);
        }
        self.attrs[slot] = Some(value);
        self
    }

    /// Whether the customer consented to `channel` (unknown is no).
    pub fn consents(&self, channel: Channel) -> Option<bool> {
        let fact = match channel {
            Channel::Email => Fact::ConsentEmail,
            Channel::Phone => Fact::ConsentPhone,
            Channel::Post => Fact::ConsentPost,
            _ => return None,
        };
        self.is_known(fact).then(|| self.bools[fact.slot()])
    }

    pub(crate) fn number(&self, fact: Fact) -> Option<Decimal> {
        self.is_known(fact).then(|| self.num[fact.slot()])
    }

    /// The value of `fact`, or `None` when it is unknown.
    pub fn get(&self, fact: Fact) -> Option<FactValue> {
        if !self.is_known(fact) {
            return None;
        }
        let s = fact.slot();
        Some(match fact.kind() {
            FactKind::Money => FactValue::Money(Money::new(self.num[s])),
            FactKind::Number | FactKind::Days => FactValue::Number(self.num[s]),
            FactKind::Date => FactValue::Date(self.dates[s]),
            FactKind::Level => FactValue::Text(level_name(self.levels[s]).to_string()),
            FactKind::Movement => FactValue::Text(movement_name(self.movement).to_string()),
            FactKind::Bool => FactValue::Bool(self.bools[s]),
            FactKind::Text => FactValue::Text(self.texts[s].unwrap_or_default().to_string()),
            FactKind::Set => FactValue::Set(
                Channel::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| self.consent & (1 << i) != 0)
                    .map(|(_, c)| c.as_str().to_string())
                    .collect(),
            ),
        })
    }

    /// The free attribute in `slot`, if the customer has it.
    pub fn attribute(&self, slot: usize) -> Option<&'a str> {
        self.attrs.get(slot).copied().flatten()
    }
}

/// Where the facts come from, per customer: the ledger, the pyramid of
/// the period and optionally more.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_pyramid::{pyramid, PyramidOptions};
/// use crm_strategy::{Fact, FactsBuilder, FactValue};
///
/// let (y24, y25): (Period, Period) = ("2024".parse()?, "2025".parse()?);
/// let mut ledger = Ledger::new([y24, y25]);
/// ledger.record_sale("A", NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(), "100".parse()?, None)?;
/// let now = pyramid(&ledger, &y25, &PyramidOptions::new())?;
/// let before = pyramid(&ledger, &y24, &PyramidOptions::new())?;
/// let table = FactsBuilder::new(&ledger, &now).history([&before]).build()?;
/// let facts = table.facts(ledger.id("A").unwrap())?;
/// assert_eq!(facts.get(Fact::Level), Some(FactValue::Text("inactive".into())));
/// assert_eq!(facts.get(Fact::BestFormerLevel), Some(FactValue::Text("top".into())));
/// assert_eq!(facts.get(Fact::Profit), None); // no profitability given: unknown
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FactsBuilder<'a> {
    ledger: &'a Ledger,
    now: &'a Pyramid,
    history: Vec<&'a Pyramid>,
    register: &'a [Customer],
    register_ids: Option<Vec<Option<CustomerId>>>,
    profit: Option<&'a Profitability>,
    profit_by_id: Option<(Period, Vec<Option<Money>>)>,
    wallet: Option<&'a Wallet>,
    lifetime: Vec<(String, f64, Option<Money>)>,
    leads: Option<&'a [Lead]>,
    attributes: Vec<String>,
    contacts_recorded: Option<bool>,
    purchase_days: bool,
}

impl<'a> FactsBuilder<'a> {
    /// Facts from `ledger` for the customers of the pyramid `now`.
    pub fn new(ledger: &'a Ledger, now: &'a Pyramid) -> FactsBuilder<'a> {
        FactsBuilder {
            ledger,
            now,
            history: Vec::new(),
            register: &[],
            register_ids: None,
            profit: None,
            profit_by_id: None,
            wallet: None,
            lifetime: Vec::new(),
            leads: None,
            attributes: Vec::new(),
            contacts_recorded: None,
            purchase_days: true,
        }
    }

    /// Pyramids of earlier periods, in any order: the one ending where
    /// `now` starts gives the previous level, the movement and the value
    /// before; all of them give the best former level, the periods lapsed
    /// and at the level. Default none (those facts unknown).
    #[must_use]
    pub fn history(mut self, pyramids: impl IntoIterator<Item = &'a Pyramid>) -> Self {
        self.history.extend(pyramids);
        self
    }

    /// The register: stage, segment, region, potential, consent and free
    /// attributes. Default empty (those facts unknown).
    ///
    /// The customers the facts are about are the ledger's: a register entry
    /// must also have been recorded in the ledger (`Ledger::add_customer`
    /// or `record_register`, as the CSV and store readers do). Entries the
    /// ledger does not know are not dropped silently: their keys are listed
    /// by [`FactTable::register_not_in_ledger`].
    #[must_use]
    pub fn register(mut self, customers: &'a [Customer]) -> Self {
        self.register = customers;
        self
    }

    /// The ledger's id of each entry of the [register](FactsBuilder::register),
    /// in the register's order (`ledger.id(&entry.key)`), as a caller that
    /// already looked them up has them: the facts then look no key up
    /// again (they check that each id names its entry's key, which costs
    /// less than a lookup).
    ///
    /// [`FactsBuilder::build`] refuses ids that do not match the register
    /// one for one (another length, an id of another ledger, an id of
    /// another key, `None` for a key the ledger knows) with
    /// [`Error::Input`].
    #[must_use]
    pub fn register_ids(mut self, ids: Vec<Option<CustomerId>>) -> Self {
        self.register_ids = Some(ids);
        self
    }

    /// The share of wallet of `now`'s active customers as the caller
    /// already computed it with [`crm_value::share_of_wallet`] from the
    /// register's potentials (a later entry of a key replacing an earlier
    /// one's, as [`FactsBuilder::register`] reads them): the facts
    /// `share_of_wallet`, `growth_room` and `growth_room_percentile` are
    /// read from it instead of computing it again. Default none: computed
    /// from the register when an entry has a potential.
    #[must_use]
    pub fn share_of_wallet(mut self, wallet: &'a Wallet) -> Self {
        self.wallet = Some(wallet);
        self
    }

    /// Profit after cost to serve, per customer, for `now`'s period.
    /// Default none (`profit` unknown).
    #[must_use]
    pub fn profitability(mut self, profit: &'a Profitability) -> Self {
        self.profit = Some(profit);
        self
    }

    /// Profit after cost to serve by customer id, for `now`'s period
    /// `period`, as `crm_value::profit_by_id` gives it: the same facts as
    /// [`FactsBuilder::profitability`] without a whole profitability
    /// analysis. Replaces that one when both are given.
    #[must_use]
    pub fn profits(mut self, period: Period, by_id: Vec<Option<Money>>) -> Self {
        self.profit_by_id = Some((period, by_id));
        self
    }

    /// P(alive) and lifetime value per customer key, from a fitted model.
    /// Default none.
    #[must_use]
    pub fn lifetime(
        mut self,
        values: impl IntoIterator<Item = (String, f64, Option<Money>)>,
    ) -> Self {
        self.lifetime.extend(values);
        self
    }

    /// The leads, for `open_leads`. Default none (unknown).
    #[must_use]
    pub fn leads(mut self, leads: &'a [Lead]) -> Self {
        self.leads = Some(leads);
        self
    }

    /// The free register attributes the rules read, in slot order (see
    /// [`Rulebook::attributes`](crate::Rulebook::attributes)).
    #[must_use]
    pub fn attributes(mut self, names: &[String]) -> Self {
        self.attributes = names.to_vec();
        self
    }

    /// Whether the facts read the ledger's purchase days (when it keeps
    /// them): the last purchase and the recency exact to the day, the usual
    /// gap and the overdue ratio. Without, they are what a ledger without
    /// purchase days gives (the last purchase from the totals; no usual gap
    /// or overdue ratio), and filling the facts is cheaper: for a rulebook
    /// that reads none of those four facts the decisions are the same.
    /// Default true.
    #[must_use]
    pub fn purchase_days(mut self, yes: bool) -> Self {
        self.purchase_days = yes;
        self
    }

    /// Whether interactions were recorded, so that a customer without one
    /// was not contacted (rather than unknown). Default: whether the
    /// ledger recorded any interaction.
    #[must_use]
    pub fn contacts_recorded(mut self, yes: bool) -> Self {
        self.contacts_recorded = Some(yes);
        self
    }

    /// Checks the inputs and precomputes what is shared by all customers.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] when a history pyramid does not end before `now`
    /// starts or the profitability is for another period; a ledger error
    /// when the ledger does not track a period the facts need.
    ///
    /// A pyramid (of `now` or of the history) built from another ledger is
    /// an error, [`crm_pyramid::Error::OtherLedger`].
    pub fn build(self) -> Result<FactTable<'a>> {
        let ledger = self.ledger;
        self.now.check_ledger(ledger)?;
        for p in &self.history {
            p.check_ledger(ledger)?;
        }
        let n = ledger.len();
        let now_p = *self.now.period();
        let mut history = self.history;
        history.sort_by_key(|p| p.period().start());
        history.dedup_by_key(|p| *p.period());
        for p in &history {
            if p.period().end() > now_p.start() {
                return Err(Error::Input(format!(
                    "history period {} does not end before {} starts",
                    p.period(),
                    now_p
                )));
            }
        }
        let previous = history
            .last()
            .filter(|p| p.period().end() == now_p.start())
            .copied();
        let now_index = ledger.period_index(&now_p)?;
        let before_index = match previous {
            Some(p) => Some(ledger.period_index(p.period())?),
            None => None,
        };
        let history_index = history
            .iter()
            .map(|p| ledger.period_index(p.period()).ok())
            .collect();
        let stats = ledger.stats();
        let margins_known = stats.transactions > stats.transactions_without_margin;

        let mut register = vec![u32::MAX; n];
        let mut register_not_in_ledger = Vec::new();
        // Each entry's id, looked up once (or as the caller gave them).
        let register_ids: Vec<Option<CustomerId>> = match self.register_ids {
            Some(ids) => {
                check_register_ids(ledger, self.register, &ids)?;
                ids
            }
            None => self
                .register
                .iter()
                .map(|c| ledger.id(c.key.as_str()))
                .collect(),
        };
        for (i, id) in register_ids.iter().enumerate() {
            if let Some(id) = id {
                register[id.index()] = u32::try_from(i).unwrap_or(u32::MAX);
            } else {
                register_not_in_ledger.push(i);
            }
        }
        let potential_pct = percentiles(
            n,
            self.register
                .iter()
                .zip(&register_ids)
                .filter_map(|(c, id)| Some(((*id)?, c.potential?.as_decimal()))),
        );
        drop(register_ids);
        // Share of wallet over the active customers of `now`, from
        // `crm_value` itself so that the two never disagree (a copy of its
        // formula here went stale once already); the potential is found by
        // id, not through a map of keys.
        // Empty when no one has a share of wallet (a table of a million
        // `None`s is 40 MB).
        let mut wallet_by_id: Vec<Option<(Option<Decimal>, Money)>> = Vec::new();
        // Without a potential in the register no one has a share of
        // wallet: skip the analysis, which would list (and sort) every
        // active customer as undefined.
        let computed;
        let wallet = match self.wallet {
            Some(w) => Some(w),
            None if self.register.iter().any(|c| c.potential.is_some()) => {
                computed = crm_value::share_of_wallet_by_id(
                    ledger,
                    self.now,
                    |id| {
                        let i = *register.get(id.index())?;
                        self.register.get(i as usize)?.potential
                    },
                    &crm_value::WalletOptions::new(),
                )?;
                Some(&computed)
            }
            None => None,
        };
        if let Some(wallet) = wallet {
            wallet_by_id = vec![None; n];
            for w in &wallet.shares {
                if let Some(id) = ledger.id(&w.customer) {
                    // A share beyond `Decimal`'s range as a percentage (a
                    // potential of 0.5 against sales of 10^27) leaves the
                    // fact unknown instead of overflowing.
                    let pct = w.share.checked_mul(Decimal::ONE_HUNDRED);
                    wallet_by_id[id.index()] = Some((pct, w.room));
                }
            }
        }
        let room_pct = percentiles(
            n,
            ledger
                .ids()
                .zip(&wallet_by_id)
                .filter_map(|(id, w)| w.map(|(_, room)| (id, room.as_decimal()))),
        );
        let mut profit = Vec::new();
        if let Some((period, by_id)) = self.profit_by_id {
            if period != now_p {
                return Err(Error::Input(format!(
                    "the profits are for {period}, the facts for {now_p}"
                )));
            }
            if by_id.len() != n {
                return Err(Error::Input(format!(
                    "{} profits for a ledger of {n} customers",
                    by_id.len()
                )));
            }
            profit = by_id;
        } else if let Some(p) = self.profit {
            if p.period != now_p {
                return Err(Error::Input(format!(
                    "the profitability is for {}, the facts for {}",
                    p.period, now_p
                )));
            }
            profit = vec![None; n];
            for c in &p.customers {
                if let Some(id) = ledger.id(&c.customer) {
                    profit[id.index()] = Some(c.profit);
                }
            }
        }
        let mut lifetime = Vec::new();
        if !self.lifetime.is_empty() {
            lifetime = vec![None; n];
            for (key, p, clv) in &self.lifetime {
                if let Some(id) = ledger.id(key) {
                    let p = Decimal::from_f64_retain(*p).map(|d| d.round_dp(4));
                    lifetime[id.index()] = Some((p, *clv));
                }
            }
        }
        let mut open_leads = Vec::new();
        if let Some(leads) = self.leads {
            open_leads = vec![0u32; n];
            for l in leads {
                if matches!(l.stage, LeadStage::Won | LeadStage::Lost) {
                    continue;
                }
                if let Some(id) = ledger.id(l.customer.as_str()) {
                    open_leads[id.index()] += 1;
                }
            }
        }
        // In the ledger's order: sorting a million keys costs more than
        // the rest of the facts, and every result built from them is
        // sorted on its own terms.
        let customers: Vec<CustomerId> = ledger
            .ids()
            .filter(|&id| self.now.level_of(id).is_ok_and(|l| l.is_some()))
            .collect();
        let years_since = history
            .iter()
            .map(|h| {
                let since = (self.now.period().start() - h.period().start()).num_days();
                (Decimal::from(since) / Decimal::new(36525, 2)).round_dp(1)
            })
            .collect();
        Ok(FactTable {
            ledger,
            now: self.now,
            now_index,
            before: previous,
            before_index,
            history,
            history_index,
            years_since,
            margins_known,
            purchase_days: self.purchase_days,
            contacts_recorded: self
                .contacts_recorded
                .unwrap_or(ledger.stats().interactions > 0),
            register_rows: self.register,
            register,
            register_not_in_ledger,
            potential_pct,
            wallet: wallet_by_id,
            room_pct,
            profit,
            lifetime,
            open_leads,
            leads_known: self.leads.is_some(),
            attributes: self.attributes,
            customers,
        })
    }
}

/// Whether `ids` are the ledger's ids of `register`'s entries, one for
/// one: an id must name its entry's key, and `None` only a key the ledger
/// does not know.
fn check_register_ids(
    ledger: &Ledger,
    register: &[Customer],
    ids: &[Option<CustomerId>],
) -> Result<()> {
    if ids.len() != register.len() {
        return Err(Error::Input(format!(
            "{} register ids for {} register entries",
            ids.len(),
            register.len()
        )));
    }
    for (i, (c, id)) in register.iter().zip(ids).enumerate() {
        let fits = match id {
            Some(id) => ledger.key(*id).is_ok_and(|k| k == c.key.as_str()),
            None => ledger.id(c.key.as_str()).is_none(),
        };
        if !fits {
            return Err(Error::Input(format!(
                "register entry {} ({:?}): the id given is not the ledger's id of its key",
                i + 1,
                c.key.as_str()
            )));
        }
    }
    Ok(())
}

/// Per id: the percentage of the given values at most this one's; empty
/// when no value is given.
fn percentiles(
    n: usize,
    values: impl Iterator<Item = (CustomerId, Decimal)>,
) -> Vec<Option<Decimal>> {
    let mut vals: Vec<(CustomerId, Decimal)> = values.collect();
    // Empty (every customer without one) when no one has a value.
    if vals.is_empty() {
        return Vec::new();
    }
    let mut out = vec![None; n];
    vals.sort_by_key(|a| a.1);
    let total = Decimal::from(vals.len());
    let mut i = 0;
    while i < vals.len() {
        let mut j = i;
        while j < vals.len() && vals[j].1 == vals[i].1 {
            j += 1;
        }
        // Everyone tied shares the count of values at most theirs.
        let pct = (Decimal::from(j) * Decimal::ONE_HUNDRED / total).round_dp(2);
        for (id, _) in &vals[i..j] {
            out[id.index()] = Some(pct);
        }
        i = j;
    }
    out
}

/// The facts of every customer of a period, computed on demand from the
/// inputs of a [`FactsBuilder`]: memory grows with the customers, not with
/// the facts.
#[derive(Debug, Clone)]
pub struct FactTable<'a> {
    ledger: &'a Ledger,
    now: &'a Pyramid,
    now_index: usize,
    before: Option<&'a Pyramid>,
    before_index: Option<usize>,
    history: Vec<&'a Pyramid>,
    history_index: Vec<Option<usize>>,
    /// Per history pyramid: the years from its start to `now`'s, to one
    /// decimal (the same for every customer whose best level it holds).
    years_since: Vec<Decimal>,
    margins_known: bool,
    contacts_recorded: bool,
    purchase_days: bool,
    register_rows: &'a [Customer],
    register: Vec<u32>,
    /// Rows of the register whose key the ledger does not know.
    register_not_in_ledger: Vec<usize>,
    /// Per id, or empty when no one has one (as the three below).
    potential_pct: Vec<Option<Decimal>>,
    wallet: Vec<Option<(Option<Decimal>, Money)>>,
    room_pct: Vec<Option<Decimal>>,
    profit: Vec<Option<Money>>,
    lifetime: Vec<Option<(Option<Decimal>, Option<Money>)>>,
    open_leads: Vec<u32>,
    leads_known: bool,
    attributes: Vec<String>,
    customers: Vec<CustomerId>,
}

impl<'a> FactTable<'a> {
    /// The keys of register entries that the ledger does not know, in the
    /// register's order: no facts are made for them (record them in the
    /// ledger too, see [`FactsBuilder::register`]).
    pub fn register_not_in_ledger(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.register_not_in_ledger
            .iter()
            .map(|&i| self.register_rows[i].key.as_str())
    }

    /// The customers of the period (everyone in its pyramid), in the
    /// ledger's order (of first appearance).
    pub fn customers(&self) -> &[CustomerId] {
        &self.customers
    }

    /// The ledger.
    pub fn ledger(&self) -> &'a Ledger {
        self.ledger
    }

    /// The period the facts describe.
    pub fn period(&self) -> &Period {
        self.now.period()
    }

    /// The date the facts are taken on: the period's end (the first day
    /// after it).
    pub fn as_of(&self) -> NaiveDate {
        self.now.period().end()
    }

    /// The register entry of `id`, if any.
    ///
    /// # Errors
    ///
    /// [`Error::Core`] ([`crm_core::Error::ForeignId`]) when `id` is not
    /// from the table's ledger.
    pub fn customer(&self, id: CustomerId) -> Result<Option<&'a Customer>> {
        self.ledger.key(id)?;
        Ok(self
            .register
            .get(id.index())
            .and_then(|&i| self.register_rows.get(i as usize)))
    }

    /// The facts of the customer with `key`, or `None` when the ledger
    /// does not know the key or the customer is not in the period's
    /// pyramid.
    ///
    /// ```
    /// use crm_core::{CustomerKey, Ledger, NaiveDate, Period};
    /// use crm_pyramid::{pyramid, PyramidOptions};
    /// use crm_strategy::{Fact, FactValue, FactsBuilder};
    ///
    /// let y25: Period = "2025".parse()?;
    /// let mut ledger = Ledger::new([y25]);
    /// ledger.record_sale("A", NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(), "100".parse()?, None)?;
    /// let now = pyramid(&ledger, &y25, &PyramidOptions::new())?;
    /// let table = FactsBuilder::new(&ledger, &now).build()?;
    /// let a = table.get(&CustomerKey::new("A")?).unwrap();
    /// assert_eq!(a.get(Fact::Value), Some(FactValue::Money(100.into())));
    /// assert!(table.get(&CustomerKey::new("B")?).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, key: &CustomerKey) -> Option<Facts<'a>> {
        let id = self.ledger.id(key.as_str())?;
        self.now.level_of(id).ok()??;
        self.facts(id).ok()
    }

    /// The facts of `id`.
    ///
    /// # Errors
    ///
    /// As [`FactTable::fill`].
    pub fn facts(&self, id: CustomerId) -> Result<Facts<'a>> {
        let mut f = Facts::new(self.ledger.key(id)?);
        self.fill(id, &mut f)?;
        Ok(f)
    }

    /// Fills `f` with the facts of `id`, reusing its memory.
    ///
    /// # Errors
    ///
    /// [`Error::Core`] ([`crm_core::Error::ForeignId`]) when `id` is not
    /// from the table's ledger.
    pub fn fill(&self, id: CustomerId, f: &mut Facts<'a>) -> Result<()> {
        let ledger = self.ledger;
        // Checked once: every table below is sized to this ledger.
        let key = ledger.key(id)?;
        let i = id.index();
        f.reset(id, key);
        let as_of = self.as_of();
        let basis = self.now.basis();
        let days = |d: NaiveDate| Decimal::from((as_of - d).num_days());
        let Some(level) = self.now.level_of(id)? else {
            return Ok(());
        };
        f.set_level(Fact::Level, Some(level));
        let value = self.now.value_of(id)?;
        f.set_number(Fact::Value, value.as_decimal());
        if let Some(r) = self.now.rank_of(id)? {
            f.set_number(Fact::Rank, Decimal::from(r));
        }
        let pt = ledger.period_totals(id, self.now_index)?;
        if self.margins_known {
            f.set_number(Fact::Margin, pt.value(Basis::Margin).as_decimal());
        }
        if let (Some(before), Some(bi)) = (self.before, self.before_index) {
            let lb = before.level_of(id)?;
            f.set_level(Fact::LevelBefore, lb);
            f.set_movement(Movement::of(lb.map_or(Source::New, Source::Level), level));
            let vb = before.value_of(id)?;
            f.set_number(Fact::ValueBefore, vb.as_decimal());
            // A change beyond `Decimal`'s range (a value of 1e-28 before and
            // 1000 now) leaves the fact unknown instead of overflowing.
            let change = value.as_decimal().checked_sub(vb.as_decimal());
            if let Some(change) = change {
                f.set_number(Fact::ValueChange, change);
            }
            if vb.is_positive()
                && let Some(pct) = change
                    .and_then(|c| c.checked_mul(Decimal::ONE_HUNDRED))
                    .and_then(|c| c.checked_div(vb.as_decimal()))
            {
                f.set_number(Fact::ValueChangePercent, pct.round_dp(2));
            }
            if self.margins_known {
                let mb = ledger.period_totals(id, bi)?.value(Basis::Margin);
                f.set_number(Fact::MarginBefore, mb.as_decimal());
            }
        }
        // History: best former level, lapsed periods, periods at level.
        let mut best: Option<(Level, usize)> = None;
        for (h, p) in self.history.iter().enumerate() {
            if let Some(l) = p.level_of(id)?.filter(|l| l.is_active())
                && best.is_none_or(|(b, _)| l <= b)
            {
                best = Some((l, h));
            }
        }
        if let Some((l, h)) = best {
            f.set_level(Fact::BestFormerLevel, Some(l));
            if let Some(years) = self.years_since.get(h) {
                f.set_number(Fact::YearsSinceBestLevel, *years);
            }
            if self.margins_known
                && let Some(hi) = self.history_index[h]
            {
                let m = ledger.period_totals(id, hi)?.value(Basis::Margin);
                f.set_number(Fact::FormerMargin, m.as_decimal());
            }
        }
        let mut at_level = 1u32;
        let mut next_start = self.now.period().start();
        for p in self.history.iter().rev() {
            // Only an unbroken chain of periods counts.
            if p.period().end() != next_start || p.level_of(id)? != Some(level) {
                break;
            }
            at_level += 1;
            next_start = p.period().start();
        }
        f.set_number(Fact::PeriodsAtLevel, Decimal::from(at_level));
        let lapsed = if level == Level::Inactive {
            at_level
        } else {
            0
        };
        f.set_number(Fact::PeriodsLapsed, Decimal::from(lapsed));

        // Purchases.
        let t = ledger.totals(id)?;
        if let Some(first) = t.first_purchase(basis).filter(|&d| d < as_of) {
            f.set_date(Fact::FirstPurchase, first);
            f.set_number(Fact::DaysSinceFirstPurchase, days(first));
        }
        // The last purchase before the as-of date: exact from the purchase
        // days when the ledger keeps them; else the ledger's last purchase
        // when it is before, or the last one before the period when the
        // period itself had none.
        let days_of = |id| {
            if self.purchase_days {
                ledger.purchase_days(id)
            } else {
                Ok(None)
            }
        };
        let last = match days_of(id)? {
            Some(ds) => ds.take_while(|&d| d < as_of).last(),
            None => t.last_purchase(basis).filter(|&d| d < as_of).or_else(|| {
                if pt.value(basis).is_positive() {
                    None
                } else {
                    pt.last_purchase_before(basis)
                }
            }),
        };
        if let Some(last) = last {
            f.set_date(Fact::LastPurchase, last);
            f.set_number(Fact::RecencyDays, days(last));
        }
        if let Some(ds) = days_of(id)? {
            let (mut n, mut first, mut lastd) = (0u32, None, None);
            for d in ds.take_while(|&d| d < as_of) {
                n += 1;
                first = first.or(Some(d));
                lastd = Some(d);
            }
            if let (true, Some(a), Some(b)) = (n >= 2, first, lastd) {
                let gap = Decimal::from((b - a).num_days()) / Decimal::from(n - 1);
                f.set_number(Fact::UsualGapDays, gap.round_dp(1));
                if let Some(r) = f.number(Fact::RecencyDays)
                    && !gap.is_zero()
                {
                    f.set_number(Fact::OverdueRatio, (r / gap).round_dp(2));
                }
            }
        }

        // Contacts and complaints.
        if self.contacts_recorded {
            let pc = ledger.period_contacts(id, self.now_index)?;
            f.set_number(Fact::ContactsInPeriod, Decimal::from(pc.contacts()));
            match pc.last_contact_before_end() {
                Some(d) => {
                    f.set_date(Fact::LastContact, d);
                    f.set_number(Fact::DaysSinceContact, days(d));
                }
                None => {
                    if let Some(first) = t.first_transaction().filter(|&d| d < as_of) {
                        f.set_number(Fact::DaysSinceContact, days(first));
                    }
                }
            }
            let open = ledger.open_complaints(id, as_of)?;
            f.set_number(Fact::OpenComplaints, Decimal::from(open.count));
            f.set_number(
                Fact::OldestComplaintDays,
                open.oldest.map_or(Decimal::ZERO, days),
            );
        }

        // Register.
        if let Some(c) = self.customer(id)? {
            f.set_text(Fact::Stage, c.stage.as_str());
            if let Some(s) = &c.segment {
                f.set_text(Fact::Segment, s);
            }
            if let Some(r) = &c.region {
                f.set_text(Fact::Region, r);
            }
            if let Some(p) = c.potential {
                f.set_number(Fact::Potential, p.as_decimal());
            }
            for ch in Channel::ALL {
                f.set_consent(*ch, c.consent.get(*ch));
            }
            for (slot, name) in self.attributes.iter().enumerate() {
                if let Some(v) = c.attributes.get(name) {
                    f.set_attribute(slot, v);
                }
            }
        }
        if let Some(&Some(p)) = self.potential_pct.get(i) {
            f.set_number(Fact::PotentialPercentile, p);
        }
        if let Some(&Some((share, room))) = self.wallet.get(i) {
            if let Some(share) = share {
                f.set_number(Fact::ShareOfWallet, share.round_dp(2));
            }
            f.set_number(Fact::GrowthRoom, room.as_decimal());
        }
        if let Some(&Some(p)) = self.room_pct.get(i) {
            f.set_number(Fact::GrowthRoomPercentile, p);
        }
        if let Some(Some(p)) = self.profit.get(i) {
            f.set_number(Fact::Profit, p.as_decimal());
        }
        if let Some(Some((p, clv))) = self.lifetime.get(i) {
            if let Some(p) = p {
                f.set_number(Fact::PAlive, *p);
            }
            if let Some(c) = clv {
                f.set_number(Fact::Clv, c.as_decimal());
            }
        }
        if self.leads_known {
            f.set_number(Fact::OpenLeads, Decimal::from(self.open_leads[i]));
        }
        Ok(())
    }
}

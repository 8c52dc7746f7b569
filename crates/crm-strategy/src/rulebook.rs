//! Rulebooks: reading, validating and compiling them.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crm_core::{Channel, Decimal, NaiveDate};

use crate::error::{Problem, ProblemKind, suggest};
use crate::eval::{Cond, Leaf, Piece, Template, Test};
use crate::fact::{Fact, FactKind, level_code, movement_code};
use crate::node::{Kind, Node, parse_json, parse_toml, position};
use crate::{Error, Result};

macro_rules! names {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in rulebooks and reports.
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
            type Err = String;
            /// Parses the name exactly as written in rulebooks.
            fn from_str(s: &str) -> std::result::Result<Self, String> {
                $( if s == $text { return Ok($name::$variant); } )+
                Err(s.to_string())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Reads the name as written in rulebooks.
        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(|bad: String| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    serde::de::Error::custom(format!("{bad:?} is not one of {}", names.join(", ")))
                })
            }
        }
    };
}

names! {
    /// Curry's five strategies, by pyramid position.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Strategy {
        /// Choose the market: suspects in the target segments get an
        /// introduction.
        Target = "target",
        /// Convert prospects into first orders.
        Acquire = "acquire",
        /// Keep the customers one has, Top and Big first.
        Retain = "retain",
        /// Move customers up: up-sell, cross-sell, reactivate, win back.
        Develop = "develop",
        /// Serve unprofitable customers more cheaply, or stop.
        PhaseOut = "phase-out",
    }
}

names! {
    /// A way to reach a customer. E-mail, phone and post need the
    /// customer's consent; visits and meetings do not, but count as
    /// contacts all the same.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum ActionChannel {
        /// E-mail.
        Email = "email",
        /// Telephone.
        Phone = "phone",
        /// Post.
        Post = "post",
        /// A visit.
        Visit = "visit",
        /// A meeting with the account manager.
        Meeting = "meeting",
    }
}

impl ActionChannel {
    /// The consent channel this one needs, if any.
    pub const fn consent(self) -> Option<Channel> {
        match self {
            ActionChannel::Email => Some(Channel::Email),
            ActionChannel::Phone => Some(Channel::Phone),
            ActionChannel::Post => Some(Channel::Post),
            ActionChannel::Visit | ActionChannel::Meeting => None,
        }
    }
}

names! {
    /// How a rulebook settles several rules firing for one customer.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Policy {
        /// The first rule in file order that fires, only.
        FirstMatch = "first-match",
        /// Every rule that fires.
        AllMatches = "all-matches",
        /// The rule with the best (lowest) priority that fires; the
        /// earlier in file order among equals.
        BestPriority = "best-priority",
    }
}

/// What a rule proposes when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionSpec {
    /// The strategy.
    pub strategy: Strategy,
    /// 1 is the most urgent.
    pub priority: u8,
    /// Who acts (account-manager, sales, back-office, marketing, ...).
    pub owner: String,
    /// Channels in order of preference; the first allowed one is used.
    pub channels: Vec<ActionChannel>,
    pub(crate) template: Template,
    /// The message template as written.
    pub message: String,
}

/// One rule of a rulebook, compiled.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Rule {
    /// The name, unique in the rulebook.
    pub name: String,
    /// What it proposes.
    pub action: ActionSpec,
    /// An optional description.
    pub description: Option<String>,
    pub(crate) when: Cond,
}

/// A validated, compiled rulebook: rules as data (TOML or JSON), each a
/// condition over the [`Fact`]s and an action, with a conflict
/// [`Policy`] and a cap on contacts per customer per period.
///
/// The format, in TOML (JSON has the same shape):
///
/// ```toml
/// name = "my-rules"
/// policy = "best-priority"        # or first-match, all-matches
/// max_contacts_per_period = 4     # optional: no cap when absent
///
/// [[rules]]
/// name = "retain-top-big"
/// when = { all = [
///   { fact = "level", in = ["top", "big"] },
///   { fact = "days_since_contact", gt = 30 },
/// ] }
/// strategy = "retain"             # target, acquire, retain, develop, phase-out
/// priority = 1                    # 1 is the most urgent
/// owner = "account-manager"
/// channels = ["visit", "phone"]   # at least one: email, phone, post, visit, meeting
/// message = "{customer}: {level}, no contact for {days_since_contact} days"
/// ```
///
/// A condition is a test `{ fact = "NAME", OP = VALUE }` with `OP` one of
/// `eq`, `ne`, `lt`, `le`, `gt`, `ge` (numbers, days, money, dates), `in`,
/// `not_in` (levels, movements, texts), `contains` (the consent set); or
/// `{ all = [...] }`, `{ any = [...] }`, `{ not = {...} }`. A rule without
/// `when` always fires. Free register attributes are facts named
/// `attr.NAME` (text). Message placeholders are fact names, `customer` and
/// `rule`; `{{` and `}}` stand for braces.
///
/// Loading checks the whole file in one pass and reports every problem
/// with its line and column: unknown facts, strategies, channels, keys and
/// placeholders (with the closest name), comparisons of the wrong type, an
/// action without a channel, duplicate rule names, and under first match
/// the rules that an earlier one always beats. A file that is not UTF-8
/// ([`Rulebook::parse_bytes`]) is refused at its first invalid byte.
#[derive(Debug, Clone, PartialEq)]
pub struct Rulebook {
    name: String,
    policy: Policy,
    max_contacts: Option<u32>,
    rules: Vec<Rule>,
    attributes: Vec<String>,
}

/// The format of a rulebook file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// The format a file name's extension says (`.json` is JSON, anything
    /// else TOML).
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// The default rulebook, Curry's method as data: print it, copy it, edit
/// the copy.
pub const DEFAULT_RULES: &str = include_str!("default_rules.toml");

impl Rulebook {
    /// Reads, validates and compiles a rulebook from `src`; `source_name`
    /// (a file name) is used in the error.
    ///
    /// # Errors
    ///
    /// [`Error::Rulebook`] with every problem found, each with its line
    /// and column.
    ///
    /// ```
    /// use crm_strategy::{Format, Rulebook};
    ///
    /// let src = "name = 'x'\npolicy = 'first-match'\n[[rules]]\nname = 'a'\n\
    ///            when = { fact = 'days_since_contcat', gt = 30 }\n\
    ///            strategy = 'retain'\npriority = 1\nowner = 'sales'\nchannels = ['fax']\n";
    /// let err = Rulebook::parse(src, Format::Toml, "rules.toml").unwrap_err();
    /// let text = err.to_string();
    /// assert!(text.contains("rules.toml:5:17: unknown fact `days_since_contcat` (did you mean `days_since_contact`?)"), "{text}");
    /// assert!(text.contains("rules.toml:9:13: unknown channel `fax`"), "{text}");
    /// ```
    pub fn parse(src: &str, format: Format, source_name: &str) -> Result<Rulebook> {
        let fail = |problems: Vec<Problem>| Error::Rulebook {
            source_name: source_name.to_string(),
            problems,
        };
        let doc = match format {
            Format::Toml => parse_toml(src),
            Format::Json => parse_json(src),
        }
        .map_err(|p| fail(vec![p]))?;
        let mut r = Reader {
            src,
            problems: Vec::new(),
            attributes: Vec::new(),
        };
        let book = r.rulebook(&doc);
        let mut problems = r.problems;
        problems.sort_by_key(|p| p.position);
        match book {
            Some(b) if problems.is_empty() => Ok(b),
            _ => Err(fail(problems)),
        }
    }

    /// Reads, validates and compiles a rulebook from the bytes of a file:
    /// as [`Rulebook::parse`], after checking that they are UTF-8 text.
    ///
    /// # Errors
    ///
    /// As [`Rulebook::parse`]; bytes that are not UTF-8 give one
    /// [`ProblemKind::NotUtf8`] at the line and column of the first
    /// invalid byte.
    ///
    /// ```
    /// use crm_strategy::{Format, Rulebook};
    ///
    /// let err = Rulebook::parse_bytes(b"name = 'x'\npolicy = 'caf\xE9'\n", Format::Toml, "r.toml")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("r.toml:2:14: not UTF-8 text: byte 0xE9 at offset 24"), "{err}");
    /// ```
    pub fn parse_bytes(bytes: &[u8], format: Format, source_name: &str) -> Result<Rulebook> {
        match std::str::from_utf8(bytes) {
            Ok(src) => Rulebook::parse(src, format, source_name),
            Err(e) => {
                let offset = e.valid_up_to();
                let valid = String::from_utf8_lossy(bytes.get(..offset).unwrap_or_default());
                Err(Error::Rulebook {
                    source_name: source_name.to_string(),
                    problems: vec![Problem::new(
                        position(&valid, offset),
                        ProblemKind::NotUtf8 {
                            offset,
                            byte: bytes.get(offset).copied().unwrap_or_default(),
                        },
                    )],
                })
            }
        }
    }

    /// Reads a TOML rulebook; see [`Rulebook::parse`].
    ///
    /// # Errors
    ///
    /// As [`Rulebook::parse`].
    pub fn from_toml(src: &str) -> Result<Rulebook> {
        Rulebook::parse(src, Format::Toml, "<toml>")
    }

    /// Reads a JSON rulebook; see [`Rulebook::parse`].
    ///
    /// # Errors
    ///
    /// As [`Rulebook::parse`].
    pub fn from_json(src: &str) -> Result<Rulebook> {
        Rulebook::parse(src, Format::Json, "<json>")
    }

    /// The default rulebook ([`DEFAULT_RULES`]).
    pub fn curry() -> Rulebook {
        Rulebook::parse(DEFAULT_RULES, Format::Toml, "<default>")
            .unwrap_or_else(|e| unreachable!("the shipped rulebook is tested: {e}"))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The conflict policy.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The cap on contacts per customer per period (past interactions in
    /// the period plus planned actions), if any.
    pub fn max_contacts_per_period(&self) -> Option<u32> {
        self.max_contacts
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether any rule's condition or message reads `fact`, so that a
    /// caller can skip the work of facts nobody reads (the purchase days
    /// behind `recency_days` and `usual_gap_days`, for example).
    pub fn reads(&self, fact: Fact) -> bool {
        self.rules
            .iter()
            .any(|r| r.when.reads(fact) || r.action.template.reads(fact))
    }

    /// Whether any rule reads a fact built on the ledger's purchase days
    /// (`recency_days`, `last_purchase`, `usual_gap_days`,
    /// `overdue_ratio`): a caller can leave the purchase days out of the
    /// ledger and the facts otherwise
    /// ([`FactsBuilder::purchase_days`](crate::FactsBuilder::purchase_days)).
    pub fn reads_purchase_days(&self) -> bool {
        [
            Fact::RecencyDays,
            Fact::LastPurchase,
            Fact::UsualGapDays,
            Fact::OverdueRatio,
        ]
        .into_iter()
        .any(|f| self.reads(f))
    }

    /// The free register attributes the rules read (`attr.NAME`), in slot
    /// order, for [`FactsBuilder::attributes`](crate::FactsBuilder::attributes).
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }
}

struct Reader<'s> {
    src: &'s str,
    problems: Vec<Problem>,
    attributes: Vec<String>,
}

type Entries<'n> = &'n [(String, Range<usize>, Node)];

const TOP_KEYS: &[&str] = &[
    "name",
    "policy",
    "max_contacts_per_period",
    "description",
    "rules",
];
const RULE_KEYS: &[&str] = &[
    "name",
    "description",
    "when",
    "strategy",
    "priority",
    "owner",
    "channels",
    "message",
];
const OPS: &[&str] = &[
    "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains",
];

/// The most rules a rulebook may hold: far more than a team writes by
/// hand, and few enough that checking which rules can never fire (every
/// pair under first-match) stays quick.
pub const MAX_RULES: usize = 10_000;

impl Reader<'_> {
    fn problem(&mut self, at: usize, kind: ProblemKind) {
        self.problems
            .push(Problem::new(position(self.src, at), kind));
    }

    fn invalid(&mut self, at: usize, message: impl Into<String>) {
        self.problem(
            at,
            ProblemKind::InvalidValue {
                message: message.into(),
            },
        );
    }

    fn table<'n>(&mut self, node: &'n Node, what: &str) -> Option<Entries<'n>> {
        match &node.kind {
            Kind::Table(t) => Some(t),
            other => {
                self.invalid(
                    node.span.start,
                    format!("{what} must be a table, found {}", other.type_name()),
                );
                None
            }
        }
    }

    fn check_keys(&mut self, t: Entries<'_>, allowed: &[&str]) {
        for (k, span, _) in t {
            if !allowed.contains(&k.as_str()) {
                let suggestion = suggest(k, allowed.iter().copied());
                self.problem(
                    span.start,
                    ProblemKind::UnknownField {
                        name: k.clone(),
                        suggestion,
                    },
                );
            }
        }
    }

    fn get<'n>(t: Entries<'n>, key: &str) -> Option<&'n Node> {
        t.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v)
    }

    fn required<'n>(&mut self, t: Entries<'n>, at: usize, key: &str) -> Option<&'n Node> {
        let v = Reader::get(t, key);
        if v.is_none() {
            self.problem(
                at,
                ProblemKind::MissingField {
                    name: key.to_string(),
                },
            );
        }
        v
    }

    fn string<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        match &node.kind {
            Kind::Str(s) => Some(s),
            other => {
                self.invalid(
                    node.span.start,
                    format!("{what} must be a string, found {}", other.type_name()),
                );
                None
            }
        }
    }

    fn integer(
        &mut self,
        node: &Node,
        what: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Option<u64> {
        let n = match &node.kind {
            Kind::Num(s) => s.parse::<u64>().ok(),
            _ => None,
        };
        match n.filter(|n| range.contains(n)) {
            Some(n) => Some(n),
            None => {
                self.invalid(
                    node.span.start,
                    format!(
                        "{what} must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }

    fn rulebook(&mut self, doc: &Node) -> Option<Rulebook> {
        let t = self.table(doc, "the rulebook")?;
        self.check_keys(t, TOP_KEYS);
        let name = self
            .required(t, 0, "name")
            .and_then(|n| self.string(n, "`name`"))
            .map(str::to_string);
        let policy = self.required(t, 0, "policy").and_then(|n| {
            let s = self.string(n, "`policy`")?;
            match s.parse::<Policy>() {
                Ok(p) => Some(p),
                Err(_) => {
                    let names = Policy::ALL.iter().map(|p| p.as_str());
                    let hint = suggest(s, names)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    self.invalid(
                        n.span.start,
                        format!(
                            "unknown policy `{s}`: first-match, all-matches or best-priority{hint}"
                        ),
                    );
                    None
                }
            }
        });
        // A bad cap is reported with the rules' problems: reading goes on,
        // and the rulebook is refused at the end (`None` here is "bad").
        let max_contacts = match Reader::get(t, "max_contacts_per_period") {
            Some(n) => self
                .integer(n, "`max_contacts_per_period`", 0..=u64::from(u32::MAX))
                .and_then(|n| u32::try_from(n).ok())
                .map(Some),
            None => Some(None),
        };
        if let Some(d) = Reader::get(t, "description") {
            self.string(d, "`description`");
        }
        let mut rules = Vec::new();
        let mut spans = Vec::new();
        if let Some(list) = self.required(t, 0, "rules") {
            match &list.kind {
                Kind::Array(items) if items.len() > MAX_RULES => self.invalid(
                    list.span.start,
                    format!(
                        "{} rules: a rulebook holds at most {MAX_RULES}",
                        items.len()
                    ),
                ),
                Kind::Array(items) => {
                    // Duplicate names are found from the names alone, so
                    // that they are reported with the rules' other
                    // problems, not once those are fixed.
                    let mut names = std::collections::HashSet::new();
                    for item in items {
                        if let Kind::Table(t) = &item.kind
                            && let Some(Node {
                                kind: Kind::Str(name),
                                ..
                            }) = Reader::get(t, "name")
                            && !name.is_empty()
                            && !names.insert(name.as_str())
                        {
                            self.problem(
                                item.span.start,
                                ProblemKind::DuplicateRule { name: name.clone() },
                            );
                        }
                        if let Some(rule) = self.rule(item) {
                            spans.push(item.span.start);
                            rules.push(rule);
                        }
                    }
                }
                other => self.invalid(
                    list.span.start,
                    format!(
                        "`rules` must be an array of tables, found {}",
                        other.type_name()
                    ),
                ),
            }
        }
        if policy == Some(Policy::FirstMatch) {
            for (j, later) in rules.iter().enumerate() {
                if let Some(earlier) = rules[..j].iter().find(|e| e.when.always_beats(&later.when))
                {
                    self.problem(
                        spans[j],
                        ProblemKind::Unreachable {
                            rule: later.name.clone(),
                            shadowed_by: earlier.name.clone(),
                        },
                    );
                }
            }
        }
        Some(Rulebook {
            name: name?,
            policy: policy?,
            max_contacts: max_contacts?,
            rules,
            attributes: std::mem::take(&mut self.attributes),
        })
    }

    fn rule(&mut self, node: &Node) -> Option<Rule> {
        let at = node.span.start;
        let t = self.table(node, "a rule")?;
        self.check_keys(t, RULE_KEYS);
        let name = self
            .required(t, at, "name")
            .and_then(|n| self.string(n, "`name`"))
            .map(str::to_string);
        if name.as_deref() == Some("") {
            self.invalid(at, "a rule's name must not be empty");
        }
        let description = Reader::get(t, "description")
            .and_then(|n| self.string(n, "`description`"))
            .map(str::to_string);
        let when = match Reader::get(t, "when") {
            Some(w) => self.condition(w),
            None => Some(Cond::All(Box::new([]))),
        };
        let strategy = self.required(t, at, "strategy").and_then(|n| {
            let s = self.string(n, "`strategy`")?;
            s.parse::<Strategy>()
                .map_err(|_| {
                    let suggestion = suggest(s, Strategy::ALL.iter().map(|x| x.as_str()));
                    self.problem(
                        n.span.start,
                        ProblemKind::UnknownStrategy {
                            name: s.to_string(),
                            suggestion,
                        },
                    );
                })
                .ok()
        });
        let priority = self
            .required(t, at, "priority")
            .and_then(|n| self.integer(n, "`priority`", 1..=255))
            .and_then(|p| u8::try_from(p).ok());
        let owner = self
            .required(t, at, "owner")
            .and_then(|n| {
                let s = self.string(n, "`owner`")?;
                if s.trim().is_empty() {
                    self.invalid(n.span.start, "`owner` must not be empty");
                    return None;
                }
                Some(s)
            })
            .map(str::to_string);
        let mut channels = Some(Vec::new());
        if let Some(n) = self.required(t, at, "channels") {
            match &n.kind {
                Kind::Array(items) if items.is_empty() => {
                    self.invalid(
                        n.span.start,
                        "`channels` must name at least one channel (email, phone, post, visit, meeting)",
                    );
                    channels = None;
                }
                Kind::Array(items) => {
                    for item in items {
                        let Some(s) = self.string(item, "a channel") else {
                            channels = None;
                            continue;
                        };
                        match s.parse::<ActionChannel>() {
                            Ok(c) => {
                                if let Some(cs) = &mut channels
                                    && !cs.contains(&c)
                                {
                                    cs.push(c);
                                }
                            }
                            Err(_) => {
                                let suggestion =
                                    suggest(s, ActionChannel::ALL.iter().map(|x| x.as_str()));
                                self.problem(
                                    item.span.start,
                                    ProblemKind::UnknownChannel {
                                        name: s.to_string(),
                                        suggestion,
                                    },
                                );
                                channels = None;
                            }
                        }
                    }
                }
                other => {
                    self.invalid(
                        n.span.start,
                        format!("`channels` must be an array, found {}", other.type_name()),
                    );
                    channels = None;
                }
            }
        }
        let (message, template) = match Reader::get(t, "message") {
            Some(n) => {
                let s = self.string(n, "`message`")?;
                (s.to_string(), self.template(s, n)?)
            }
            None => (String::new(), Template::default()),
        };
        Some(Rule {
            name: name?,
            description,
            when: when?,
            action: ActionSpec {
                strategy: strategy?,
                priority: priority?,
                owner: owner?,
                channels: channels?,
                template,
                message,
            },
        })
    }

    /// The offset of `inner` (a byte offset into a string's content) in
    /// the file: exact for strings without escapes, else the string's
    /// start.
    fn offset_in_string(&self, node: &Node, content: &str, inner: usize) -> usize {
        let raw = &self.src[node.span.clone()];
        match raw.find(content) {
            Some(i) if !content.is_empty() => node.span.start + i + inner,
            _ => node.span.start,
        }
    }

    fn template(&mut self, s: &str, node: &Node) -> Option<Template> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut ok = true;
        let mut rest = s.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|p| p.1) == Some('{') => {
                    rest.next();
                    lit.push('{');
                }
                '}' if rest.peek().map(|p| p.1) == Some('}') => {
                    rest.next();
                    lit.push('}');
                }
                '{' => {
                    let Some(close) = s[i..].find('}') else {
                        let at = self.offset_in_string(node, s, i);
                        self.invalid(at, "unclosed `{` in the message (write `{{` for a brace)");
                        return None;
                    };
                    let name = &s[i + 1..i + close];
                    while rest.peek().is_some_and(|p| p.0 <= i + close) {
                        rest.next();
                    }
                    if !lit.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut lit)));
                    }
                    let name = name.trim();
                    let piece = match name {
                        "customer" => Some(Piece::Customer),
                        "rule" => Some(Piece::Rule),
                        _ => {
                            if let Some(attr) = name.strip_prefix("attr.") {
                                Some(Piece::Attr(self.attribute(attr)))
                            } else {
                                Fact::from_name(name).map(Piece::Fact)
                            }
                        }
                    };
                    match piece {
                        Some(p) => pieces.push(p),
                        None => {
                            let names = Fact::ALL
                                .iter()
                                .map(|f| f.name())
                                .chain(["customer", "rule"]);
                            let suggestion = suggest(name, names);
                            let at = self.offset_in_string(node, s, i);
                            self.problem(
                                at,
                                ProblemKind::UnknownPlaceholder {
                                    name: name.to_string(),
                                    suggestion,
                                },
                            );
                            ok = false;
                        }
                    }
                }
                '}' => {
                    let at = self.offset_in_string(node, s, i);
                    self.invalid(at, "unmatched `}` in the message (write `}}` for a brace)");
                    return None;
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        ok.then_some(Template { pieces })
    }

    fn attribute(&mut self, name: &str) -> usize {
        match self.attributes.iter().position(|a| a == name) {
            Some(i) => i,
            None => {
                self.attributes.push(name.to_string());
                self.attributes.len() - 1
            }
        }
    }

    fn condition(&mut self, node: &Node) -> Option<Cond> {
        let t = self.table(node, "a condition")?;
        let has = |k: &str| t.iter().any(|(key, _, _)| key == k);
        for combinator in ["all", "any"] {
            if has(combinator) {
                self.check_keys(t, &[combinator]);
                let list = Reader::get(t, combinator)?;
                let Kind::Array(items) = &list.kind else {
                    self.invalid(
                        list.span.start,
                        format!("`{combinator}` must be an array of conditions"),
                    );
                    return None;
                };
                let mut conds = Vec::new();
                let mut ok = true;
                for item in items {
                    match self.condition(item) {
                        Some(c) => conds.push(c),
                        None => ok = false,
                    }
                }
                let conds = conds.into_boxed_slice();
                return ok.then(|| {
                    if combinator == "all" {
                        Cond::All(conds)
                    } else {
                        Cond::Any(conds)
                    }
                });
            }
        }
        if has("not") {
            self.check_keys(t, &["not"]);
            let inner = self.condition(Reader::get(t, "not")?)?;
            return Some(Cond::Not(Box::new(inner)));
        }
        let mut allowed = vec!["fact"];
        allowed.extend_from_slice(OPS);
        self.check_keys(t, &allowed);
        let Some(fact_node) = Reader::get(t, "fact") else {
            self.invalid(
                node.span.start,
                "a condition needs `fact` and a test, or `all`, `any` or `not`",
            );
            return None;
        };
        let ops: Vec<_> = t
            .iter()
            .filter(|(k, _, _)| OPS.contains(&k.as_str()))
            .collect();
        let name = self.string(fact_node, "`fact`")?;
        let (fact, kind) = if let Some(attr) = name.strip_prefix("attr.") {
            (FactRef::Attr(self.attribute(attr)), FactKind::Text)
        } else {
            match Fact::from_name(name) {
                Some(f) => (FactRef::Fact(f), f.kind()),
                None => {
                    let suggestion = suggest(name, Fact::ALL.iter().map(|f| f.name()));
                    self.problem(
                        fact_node.span.start,
                        ProblemKind::UnknownFact {
                            name: name.to_string(),
                            suggestion,
                        },
                    );
                    return None;
                }
            }
        };
        let [(op, op_span, value)] = ops.as_slice() else {
            self.invalid(
                node.span.start,
                format!("a test on `{name}` needs exactly one of {}", OPS.join(", ")),
            );
            return None;
        };
        let _ = op_span;
        self.test(name, fact, kind, op, value)
            .map(|test| Cond::Leaf(Box::new(Leaf::new(name, fact, test))))
    }

    fn wrong_type(&mut self, node: &Node, fact: &str, expected: &str) {
        self.problem(
            node.span.start,
            ProblemKind::WrongType {
                fact: fact.to_string(),
                expected: expected.to_string(),
                found: match &node.kind {
                    Kind::Str(s) => format!("\"{s}\""),
                    Kind::Num(n) => n.clone(),
                    other => other.type_name().to_string(),
                },
            },
        );
    }

    fn names<'n>(&mut self, node: &'n Node, list: bool) -> Option<Vec<(&'n str, &'n Node)>> {
        match (&node.kind, list) {
            (Kind::Str(s), false) => Some(vec![(s.as_str(), node)]),
            (Kind::Array(items), true) => {
                let mut out = Vec::new();
                for i in items {
                    match &i.kind {
                        Kind::Str(s) => out.push((s.as_str(), i)),
                        _ => return None,
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    fn test(
        &mut self,
        name: &str,
        fact: FactRef,
        kind: FactKind,
        op: &str,
        value: &Node,
    ) -> Option<Test> {
        let ordered = ["lt", "le", "gt", "ge"].contains(&op);
        match kind {
            FactKind::Number | FactKind::Money | FactKind::Days => {
                let n = match &value.kind {
                    Kind::Num(s) => Decimal::from_str(s)
                        .or_else(|_| Decimal::from_scientific(s))
                        .ok(),
                    Kind::Str(s) => Decimal::from_str(s.trim()).ok(),
                    _ => None,
                };
                let (Some(n), true) = (n, ordered || op == "eq" || op == "ne") else {
                    let expected = format!("a {kind} with eq, ne, lt, le, gt or ge");
                    self.wrong_type(value, name, &expected);
                    return None;
                };
                Some(Test::Num(op_of(op), n))
            }
            FactKind::Date => {
                let d = match &value.kind {
                    Kind::Str(s) | Kind::Datetime(s) => NaiveDate::from_str(s).ok(),
                    _ => None,
                };
                let (Some(d), true) = (d, ordered || op == "eq" || op == "ne") else {
                    self.wrong_type(
                        value,
                        name,
                        "a date YYYY-MM-DD with eq, ne, lt, le, gt or ge",
                    );
                    return None;
                };
                Some(Test::Date(op_of(op), d))
            }
            FactKind::Level | FactKind::Movement => {
                let list = op == "in" || op == "not_in";
                let valid: Vec<&str> = if kind == FactKind::Level {
                    crm_migration::Source::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect()
                } else {
                    crm_migration::Movement::ALL
                        .iter()
                        .map(|m| m.as_str())
                        .collect()
                };
                let expected = format!("a {kind} ({}) with eq, ne, in or not_in", valid.join(", "));
                let names = if list || op == "eq" || op == "ne" {
                    self.names(value, list)
                } else {
                    None
                };
                let Some(names) = names else {
                    self.wrong_type(value, name, &expected);
                    return None;
                };
                let mut mask = 0u16;
                let mut ok = true;
                for (n, at) in names {
                    let code = if kind == FactKind::Level {
                        level_code(n)
                    } else {
                        movement_code(n)
                    };
                    match code {
                        Some(c) => mask |= 1 << c,
                        None => {
                            self.wrong_type(at, name, &expected);
                            ok = false;
                        }
                    }
                }
                let negate = op == "ne" || op == "not_in";
                ok.then_some(Test::Code { mask, negate })
            }
            FactKind::Bool => match (&value.kind, op) {
                (Kind::Bool(b), "eq") => Some(Test::Bool(*b)),
                (Kind::Bool(b), "ne") => Some(Test::Bool(!*b)),
                _ => {
                    self.wrong_type(value, name, "true or false with eq or ne");
                    None
                }
            },
            FactKind::Text => {
                let list = op == "in" || op == "not_in";
                let names = if list || op == "eq" || op == "ne" {
                    self.names(value, list)
                } else {
                    None
                };
                let Some(names) = names else {
                    self.wrong_type(value, name, "a text with eq, ne, in or not_in");
                    return None;
                };
                let _ = fact;
                Some(Test::Text {
                    values: names.into_iter().map(|(s, _)| Box::from(s)).collect(),
                    negate: op == "ne" || op == "not_in",
                })
            }
            FactKind::Set => {
                let ch = match (&value.kind, op) {
                    (Kind::Str(s), "contains") => s.parse::<Channel>().ok(),
                    _ => None,
                };
                let Some(ch) = ch else {
                    self.wrong_type(value, name, "a channel (email, phone, post) with contains");
                    return None;
                };
                let bit = Channel::ALL.iter().position(|c| *c == ch).unwrap_or(0);
                Some(Test::Contains(1 << bit))
            }
        }
    }
}

/// What a test reads: a fact, or a free register attribute by slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FactRef {
    Fact(Fact),
    Attr(usize),
}

/// A numeric or date comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn op_of(s: &str) -> Op {
    match s {
        "ne" => Op::Ne,
        "lt" => Op::Lt,
        "le" => Op::Le,
        "gt" => Op::Gt,
        "ge" => Op::Ge,
        _ => Op::Eq,
    }
}

//! From facts and a rulebook to actions: conflict policy, consent,
//! contact pressure, stable ids and explanations.

use std::collections::BTreeMap;
use std::fmt;

use crm_core::Period;
use uuid::Uuid;

use crate::eval::{Check, Trace, Tri};
use crate::fact::{Fact, FactTable, Facts};
use crate::rulebook::{ActionChannel, Policy, Rule, Rulebook, Strategy};

/// Why a channel could not be used for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BlockReason {
    /// The customer refused consent for the channel.
    NoConsent,
    /// The register does not say; unknown consent is no consent.
    ConsentUnknown,
    /// The customer already has the most contacts allowed in the period.
    ContactPressure,
}

impl BlockReason {
    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            BlockReason::NoConsent => "no consent",
            BlockReason::ConsentUnknown => "consent unknown",
            BlockReason::ContactPressure => "contact pressure",
        }
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for BlockReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Writes checks as `a = 1 (> 0); b unknown (in [x])`.
fn write_checks(f: &mut fmt::Formatter<'_>, checks: &[Check]) -> fmt::Result {
    for (i, c) in checks.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{c}")?;
    }
    Ok(())
}

/// A channel an action could not use, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Blocked {
    /// The channel.
    pub channel: ActionChannel,
    /// Why.
    pub reason: BlockReason,
}

/// `phone: no consent`.
impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.channel, self.reason)
    }
}

/// What to do about one customer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Action {
    /// The customer's key.
    pub customer: String,
    /// The rule that proposed it.
    pub rule: String,
    /// The strategy.
    pub strategy: Strategy,
    /// 1 is the most urgent.
    pub priority: u8,
    /// A stable id: UUID v5 of rulebook name, period, customer and rule,
    /// so that a CRM can record what became of the action.
    pub id: Uuid,
    /// Who acts.
    pub owner: String,
    /// The channel to use: the first of the rule's channels that is
    /// allowed; `None` when every one is blocked (see `blocked`).
    pub channel: Option<ActionChannel>,
    /// The rule's message with the customer's facts filled in.
    pub message: String,
    /// The tests that made the rule fire, with the facts' values.
    pub because: Vec<Check>,
    /// Channels of the rule that could not be used, with the reason.
    pub blocked: Vec<Blocked>,
}

/// One line: `C1: retain-top-big (retain, priority 1, account-manager, by
/// visit): the message; because level = top (in [top, big])`, with the
/// blocked channels after the reasons.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}, priority {}, {}, ",
            self.customer, self.rule, self.strategy, self.priority, self.owner
        )?;
        match self.channel {
            Some(c) => write!(f, "by {c})")?,
            None => f.write_str("no usable channel)")?,
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if !self.because.is_empty() {
            f.write_str("; because ")?;
            write_checks(f, &self.because)?;
        }
        for (i, b) in self.blocked.iter().enumerate() {
            f.write_str(if i == 0 { "; blocked " } else { ", " })?;
            write!(f, "{b}")?;
        }
        Ok(())
    }
}

/// The namespace of action ids (a UUID v5 of the URL
/// `urn:crm-toolkit:action`), fixed so that ids are stable across runs,
/// versions and machines.
pub const ACTION_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2e0a_8b53_5d7e_9a41_2c3d_4e5f_6071);

/// The id of the action of `rule` for `customer` in `period` under the
/// rulebook `rulebook`: a UUID v5 in [`ACTION_NAMESPACE`] of the four
/// joined by a unit separator (U+001F).
pub fn action_id(rulebook: &str, period: &Period, customer: &str, rule: &str) -> Uuid {
    let mut buf = String::new();
    action_id_with(&mut buf, rulebook, period, customer, rule)
}

/// [`action_id`] reusing `buf` for the name, so that planning a million
/// actions does not allocate a million names.
fn action_id_with(
    buf: &mut String,
    rulebook: &str,
    period: &Period,
    customer: &str,
    rule: &str,
) -> Uuid {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{rulebook}\u{1f}{period}\u{1f}{customer}\u{1f}{rule}");
    Uuid::new_v5(&ACTION_NAMESPACE, buf.as_bytes())
}

#[cfg(feature = "serde")]
impl serde::Serialize for RuleVerdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let status = match self.verdict {
            Verdict::Fired { .. } => "fired",
            Verdict::NotFired => "not_fired",
            Verdict::Undecided => "undecided",
            Verdict::Suppressed { .. } => "suppressed",
        };
        /// The decline that suppresses a rule.
        #[derive(serde::Serialize)]
        struct Decline {
            outcome: Option<Uuid>,
            declined: crm_core::NaiveDate,
            until: crm_core::NaiveDate,
        }
        let suppressed = match self.verdict {
            Verdict::Suppressed {
                outcome,
                declined,
                until,
            } => Some(Decline {
                outcome,
                declined,
                until,
            }),
            _ => None,
        };
        let mut st = s.serialize_struct("RuleVerdict", 9)?;
        st.serialize_field("rule", &self.rule)?;
        st.serialize_field("strategy", &self.strategy)?;
        st.serialize_field("priority", &self.priority)?;
        st.serialize_field("status", status)?;
        st.serialize_field(
            "acts",
            &matches!(self.verdict, Verdict::Fired { acts: true }),
        )?;
        st.serialize_field("because", &self.support)?;
        st.serialize_field("failed", &self.failed)?;
        st.serialize_field("unknown", &self.unknown)?;
        st.serialize_field("suppressed", &suppressed)?;
        st.end()
    }
}

/// Counts over a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PlanSummary {
    /// Customers whose facts were evaluated.
    pub customers: u64,
    /// Actions per strategy.
    pub by_strategy: BTreeMap<String, u64>,
    /// Actions per owner.
    pub by_owner: BTreeMap<String, u64>,
    /// Actions kept without a channel (every channel blocked).
    pub no_channel: u64,
    /// Actions left out, by reason (for example an outcome that declined
    /// the same rule recently).
    pub left_out: BTreeMap<String, u64>,
}

/// The actions for every customer of a period under a rulebook.
///
/// In JSON (feature `serde`): `period` (`{"start", "end"}`), `rulebook`
/// as an object (`{"name": "curry-default", "policy": "best-priority"}`),
/// `actions` and `summary`.
///
/// A plan is output only (`Serialize`, not `Deserialize`): it is the
/// result of a rulebook applied to one period's facts, its actions' ids,
/// messages and reasons are derived from them, and a plan read back from
/// JSON could not be checked against the rulebook that made it. To act on
/// a plan in another system, read its JSON there (the schema is
/// `docs/schema/actions.schema.json`); to get it again, plan again: the
/// same facts and rulebook give the same plan, ids included.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// The period of the facts.
    pub period: Period,
    /// The rulebook's name.
    pub rulebook: String,
    /// The rulebook's policy.
    pub policy: &'static str,
    /// The actions, most urgent first (then by customer key, then by rule
    /// order).
    pub actions: Vec<Action>,
    /// Counts.
    pub summary: PlanSummary,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(serde::Serialize)]
        struct RulebookRef<'a> {
            name: &'a str,
            policy: &'a str,
        }
        let mut st = s.serialize_struct("Plan", 4)?;
        st.serialize_field("period", &self.period)?;
        st.serialize_field(
            "rulebook",
            &RulebookRef {
                name: &self.rulebook,
                policy: self.policy,
            },
        )?;
        st.serialize_field("actions", &self.actions)?;
        st.serialize_field("summary", &self.summary)?;
        st.end()
    }
}

impl Plan {
    /// Recounts the summary after actions were removed or changed,
    /// keeping `customers` and `left_out`.
    pub fn recount(&mut self) {
        let s = &mut self.summary;
        s.by_strategy.clear();
        s.by_owner.clear();
        s.no_channel = 0;
        // Counted by index and by runs of one owner: no key is built, and
        // few are compared, per action.
        let mut by_strategy = [0u64; Strategy::ALL.len()];
        let mut run: Option<(&str, u64)> = None;
        for a in &self.actions {
            if let Some(n) = Strategy::ALL
                .iter()
                .position(|x| *x == a.strategy)
                .and_then(|i| by_strategy.get_mut(i))
            {
                *n += 1;
            }
            match &mut run {
                Some((o, n)) if *o == a.owner => *n += 1,
                _ => {
                    if let Some((o, n)) = run.replace((a.owner.as_str(), 1)) {
                        add_owner(&mut s.by_owner, o, n);
                    }
                }
            }
            if a.channel.is_none() {
                s.no_channel += 1;
            }
        }
        if let Some((o, n)) = run {
            add_owner(&mut s.by_owner, o, n);
        }
        for (st, n) in Strategy::ALL.iter().zip(by_strategy) {
            if n > 0 {
                s.by_strategy.insert(st.as_str().to_string(), n);
            }
        }
    }
}

fn add_owner(map: &mut BTreeMap<String, u64>, owner: &str, n: u64) {
    match map.get_mut(owner) {
        Some(m) => *m += n,
        None => {
            map.insert(owner.to_string(), n);
        }
    }
}

impl Rulebook {
    /// The indices of the rules that act for `facts` under the policy, in
    /// the order their actions are planned (best priority first, then file
    /// order). Rules whose condition is unknown do not fire.
    pub fn fired(&self, facts: &Facts<'_>) -> Vec<usize> {
        let mut out = Vec::new();
        self.fire_into(facts, &mut out);
        out
    }

    pub(crate) fn fire_into(&self, facts: &Facts<'_>, out: &mut Vec<usize>) {
        out.clear();
        match self.policy() {
            Policy::FirstMatch => {
                if let Some(i) = self
                    .rules()
                    .iter()
                    .position(|r| r.when.eval(facts) == Tri::True)
                {
                    out.push(i);
                }
            }
            Policy::BestPriority => {
                let mut best: Option<(u8, usize)> = None;
                for (i, r) in self.rules().iter().enumerate() {
                    if best.is_some_and(|(p, _)| r.action.priority >= p) {
                        continue;
                    }
                    if r.when.eval(facts) == Tri::True {
                        best = Some((r.action.priority, i));
                    }
                }
                out.extend(best.map(|(_, i)| i));
            }
            Policy::AllMatches => {
                out.extend(
                    self.rules()
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.when.eval(facts) == Tri::True)
                        .map(|(i, _)| i),
                );
                out.sort_by_key(|&i| (self.rules()[i].action.priority, i));
            }
        }
    }

    /// What every rule makes of one customer: fired, not fired (with the
    /// tests that failed) or undecided (with the unknown facts), whatever
    /// the policy.
    pub fn explain(&self, facts: &Facts<'_>) -> Vec<RuleVerdict> {
        let chosen = self.fired(facts);
        self.rules()
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut trace = Trace::default();
                r.when.trace(facts, true, &mut trace);
                let status = match r.when.eval(facts) {
                    Tri::True => Verdict::Fired {
                        acts: chosen.contains(&i),
                    },
                    Tri::False => Verdict::NotFired,
                    Tri::Unknown => Verdict::Undecided,
                };
                RuleVerdict {
                    rule: r.name.clone(),
                    strategy: r.action.strategy,
                    priority: r.action.priority,
                    verdict: status,
                    support: trace.support,
                    failed: if status == Verdict::NotFired {
                        trace.against
                    } else {
                        Vec::new()
                    },
                    unknown: trace.unknown,
                }
            })
            .collect()
    }
}

/// What a rule made of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "status", rename_all = "snake_case"))]
pub enum Verdict {
    /// Its condition holds; `acts` says whether the policy let it act.
    Fired {
        /// Whether the policy chose it.
        acts: bool,
    },
    /// Its condition is false.
    NotFired,
    /// Its condition is unknown: a fact it needs is unknown.
    Undecided,
    /// It fired and the policy chose it, but the customer declined an
    /// action of the same rule recently: it is not proposed again until
    /// the decline is older than the window (see [`explain_declined`]).
    ///
    /// [`explain_declined`]: crate::explain_declined
    Suppressed {
        /// The declined outcome's id, when it was recorded with one.
        outcome: Option<Uuid>,
        /// The day it was declined.
        declined: crm_core::NaiveDate,
        /// The last as-of day (a period's end) on which the decline still
        /// keeps the rule from acting.
        until: crm_core::NaiveDate,
    },
}

/// `fired`, `fired, not acting` (another rule won under the policy),
/// `not fired`, `undecided`, or `fired, suppressed: declined on D (outcome
/// ID) until U`.
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Fired { acts: true } => f.pad("fired"),
            Verdict::Fired { acts: false } => f.pad("fired, not acting"),
            Verdict::NotFired => f.pad("not fired"),
            Verdict::Undecided => f.pad("undecided"),
            Verdict::Suppressed {
                outcome,
                declined,
                until,
            } => {
                let by = match outcome {
                    Some(id) => format!(" (outcome {id})"),
                    None => String::new(),
                };
                f.pad(&format!(
                    "fired, suppressed: declined on {declined}{by} until {until}"
                ))
            }
        }
    }
}

/// One rule's verdict on one customer, for `--explain`.
///
/// In JSON (feature `serde`), as `crm actions --explain` prints it:
/// `{"rule", "strategy", "priority", "status": "fired" | "not_fired" |
/// "undecided" | "suppressed", "acts": bool, "because": [checks], "failed":
/// [..], "unknown": [..], "suppressed": {"outcome", "declined", "until"} or
/// null}` (`because` is `support`, as in an [`Action`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleVerdict {
    /// The rule.
    pub rule: String,
    /// Its strategy.
    pub strategy: Strategy,
    /// Its priority.
    pub priority: u8,
    /// Fired, not fired or undecided.
    pub verdict: Verdict,
    /// The tests that held (as the rule needs them).
    pub support: Vec<Check>,
    /// For a rule that did not fire: the tests that failed.
    pub failed: Vec<Check>,
    /// Tests on unknown facts.
    pub unknown: Vec<Check>,
}

/// One line: `retain-top-big (retain, priority 1): not fired; failed
/// days_since_contact = 12 (> 30); held level = top (in [top, big])`, with
/// the unknown facts last.
impl fmt::Display for RuleVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, priority {}): {}",
            self.rule, self.strategy, self.priority, self.verdict
        )?;
        for (label, checks) in [
            ("failed", &self.failed),
            ("held", &self.support),
            ("unknown", &self.unknown),
        ] {
            if !checks.is_empty() {
                write!(f, "; {label} ")?;
                write_checks(f, checks)?;
            }
        }
        Ok(())
    }
}

/// Plans the actions of every customer of `table` under `rulebook`.
///
/// For each customer the policy picks the rules that act; each action
/// takes the first of its channels that is allowed: e-mail, phone and post
/// only with the customer's consent (unknown is no), and no channel at all
/// once the customer's contacts in the period (past interactions plus the
/// actions planned before this one) reach the rulebook's cap. An action
/// whose every channel is blocked is kept, without a channel, with the
/// reasons.
///
/// The result does not depend on the order of customers or rows, nor on
/// the number of threads (customers are planned in chunks on all cores):
/// actions are sorted by priority, customer key and rule order.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_pyramid::{pyramid, PyramidOptions};
/// use crm_strategy::{plan, ActionChannel, FactsBuilder, Rulebook};
///
/// let (y24, y25): (Period, Period) = ("2024".parse()?, "2025".parse()?);
/// let mut ledger = Ledger::new([y24, y25]);
/// let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
/// ledger.record_sale("A", d(2024, 3), "100".parse()?, Some("40".parse()?))?;
/// ledger.record_sale("B", d(2025, 3), "80".parse()?, Some("20".parse()?))?;
/// let now = pyramid(&ledger, &y25, &PyramidOptions::new())?;
/// let before = pyramid(&ledger, &y24, &PyramidOptions::new())?;
/// let facts = FactsBuilder::new(&ledger, &now).history([&before]).build()?;
/// let plan = plan(&facts, &Rulebook::curry());
/// let a = plan.actions.iter().find(|a| a.customer == "A").unwrap();
/// assert_eq!(a.rule, "win-back"); // Top last year, margin 40 then
/// assert_eq!(a.channel, Some(ActionChannel::Visit)); // a visit needs no consent
/// assert_eq!(a.id, crm_strategy::action_id("curry-default", &y25, "A", "win-back"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(table: &FactTable<'_>, rulebook: &Rulebook) -> Plan {
    let ids = table.customers();
    // Customers are independent: plan them in chunks on all cores. The
    // final sort makes the result the same for any number of threads.
    const MIN_CHUNK: usize = 16_384;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(ids.len() / MIN_CHUNK + 1);
    let chunk = ids.len().div_ceil(threads).max(1);
    let run = |part: &[crm_core::CustomerId]| {
        let mut actions = Vec::new();
        let mut facts = Facts::new("");
        let mut fired = Vec::new();
        for &id in part {
            // The table's own ids: filling cannot fail.
            if table.fill(id, &mut facts).is_err() {
                continue;
            }
            rulebook.fire_into(&facts, &mut fired);
            plan_customer(rulebook, table.period(), &facts, &fired, &mut actions);
        }
        actions
    };
    let actions = if threads <= 1 {
        run(ids)
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|part| s.spawn(move || run(part)))
                .collect();
            let mut all = Vec::new();
            for h in handles {
                all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            all
        })
    };
    finish(table.period(), rulebook, actions, ids.len() as u64)
}

pub(crate) fn finish(
    period: &Period,
    rulebook: &Rulebook,
    actions: Vec<Action>,
    customers: u64,
) -> Plan {
    let order = |name: &str| rulebook.rules().iter().position(|r| r.name == name);
    // Priority and key first: the rule's place is looked up only for the
    // rare actions of one customer with equal priority. The three make a
    // total order (a customer has one action per rule), so an unstable
    // sort gives one result; it sorts small indices, and the large actions
    // move once.
    let mut by: Vec<(u8, usize)> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.priority, i))
        .collect();
    let at = |i: usize| actions.get(i);
    by.sort_unstable_by(|&(pa, ia), &(pb, ib)| {
        pa.cmp(&pb).then_with(|| match (at(ia), at(ib)) {
            (Some(a), Some(b)) => a
                .customer
                .cmp(&b.customer)
                .then_with(|| order(&a.rule).cmp(&order(&b.rule))),
            _ => ia.cmp(&ib),
        })
    });
    let mut slots: Vec<Option<Action>> = actions.into_iter().map(Some).collect();
    let actions: Vec<Action> = by
        .iter()
        .filter_map(|&(_, i)| slots.get_mut(i).and_then(Option::take))
        .collect();
    let mut plan = Plan {
        period: *period,
        rulebook: rulebook.name().to_string(),
        policy: rulebook.policy().as_str(),
        actions,
        summary: PlanSummary {
            customers,
            ..PlanSummary::default()
        },
    };
    plan.recount();
    plan
}

/// Appends the actions of the rules `fired` (in planning order) for one
/// customer.
pub(crate) fn plan_customer(
    rulebook: &Rulebook,
    period: &Period,
    facts: &Facts<'_>,
    fired: &[usize],
    out: &mut Vec<Action>,
) {
    let past = facts
        .number(Fact::ContactsInPeriod)
        .and_then(|d| u64::try_from(d).ok())
        .unwrap_or(0);
    let mut planned = 0u64;
    let mut name = String::new();
    for &i in fired {
        let rule: &Rule = &rulebook.rules()[i];
        let pressure = rulebook
            .max_contacts_per_period()
            .is_some_and(|cap| past + planned >= u64::from(cap));
        let mut blocked = Vec::new();
        let channel = choose_channel(rule, facts, pressure, |b| blocked.push(b));
        if channel.is_some() {
            planned += 1;
        }
        let mut trace = Trace::default();
        rule.when.trace(facts, true, &mut trace);
        out.push(Action {
            customer: facts.key().to_string(),
            rule: rule.name.clone(),
            strategy: rule.action.strategy,
            priority: rule.action.priority,
            id: action_id_with(&mut name, rulebook.name(), period, facts.key(), &rule.name),
            owner: rule.action.owner.clone(),
            channel,
            message: rule.action.template.render(facts, &rule.name),
            because: trace.support,
            blocked,
        });
    }
}

/// The first of `rule`'s channels that `facts` allow, telling `blocked`
/// about each one that is not allowed and why: e-mail, phone and post need
/// the customer's consent (unknown is no); with `pressure` (the contact cap
/// reached) no channel is allowed.
fn choose_channel(
    rule: &Rule,
    facts: &Facts<'_>,
    pressure: bool,
    mut blocked: impl FnMut(Blocked),
) -> Option<ActionChannel> {
    let mut channel = None;
    for &c in &rule.action.channels {
        let consent = c.consent().map(|ch| facts.consents(ch));
        let reason = match consent {
            Some(Some(false)) => Some(BlockReason::NoConsent),
            Some(None) => Some(BlockReason::ConsentUnknown),
            _ if pressure => Some(BlockReason::ContactPressure),
            _ => None,
        };
        match reason {
            Some(reason) => blocked(Blocked { channel: c, reason }),
            None if channel.is_none() => channel = Some(c),
            None => {}
        }
    }
    channel
}

/// The counts of a plan and its most urgent actions, without the rest.
///
/// What [`plan`] followed by a filter and [`Plan::recount`] gives, but with
/// only the first `limit` actions built: a table shows the counts and a
/// screenful of actions, and building a message, an explanation and an id
/// for each of a million actions costs more than deciding them.
///
/// In JSON (feature `serde`) `{"plan": .., "actions": 1234}`. Output only,
/// like [`Plan`]: see there why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Overview {
    /// The plan, with only the most urgent actions (at most `limit`, in
    /// the order of [`Plan::actions`]) and the summary of all of them.
    pub plan: Plan,
    /// How many actions the whole plan has (after the filter).
    pub actions: u64,
}

/// The most urgent actions so far: `(priority, customer key, rule index,
/// customer)`, largest first, so that the worst is popped.
type Urgent<'a> = std::collections::BinaryHeap<(u8, &'a str, usize, crm_core::CustomerId)>;

/// Plans every customer of `table` under `rulebook` as [`plan`] does,
/// keeping the actions that `keep` accepts (by strategy and owner), and
/// builds only the `limit` most urgent of them; the summary counts all.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_pyramid::{pyramid, PyramidOptions};
/// use crm_strategy::{overview, plan, FactsBuilder, Rulebook};
///
/// let (y24, y25): (Period, Period) = ("2024".parse()?, "2025".parse()?);
/// let mut ledger = Ledger::new([y24, y25]);
/// let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
/// ledger.record_sale("A", d(2024, 3), "100".parse()?, Some("40".parse()?))?;
/// ledger.record_sale("B", d(2025, 3), "80".parse()?, Some("20".parse()?))?;
/// let now = pyramid(&ledger, &y25, &PyramidOptions::new())?;
/// let before = pyramid(&ledger, &y24, &PyramidOptions::new())?;
/// let facts = FactsBuilder::new(&ledger, &now).history([&before]).build()?;
/// let full = plan(&facts, &Rulebook::curry());
/// let top = overview(&facts, &Rulebook::curry(), 1, |_, _| true);
/// assert_eq!(top.actions, full.actions.len() as u64);
/// assert_eq!(top.plan.summary, full.summary);
/// assert_eq!(top.plan.actions[..], full.actions[..1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn overview(
    table: &FactTable<'_>,
    rulebook: &Rulebook,
    limit: usize,
    keep: impl Fn(Strategy, &str) -> bool + Sync,
) -> Overview {
    let ids = table.customers();
    let rules = rulebook.rules();
    const MIN_CHUNK: usize = 16_384;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(ids.len() / MIN_CHUNK + 1);
    let chunk = ids.len().div_ceil(threads).max(1);
    let keep = &keep;
    // Per chunk: actions per rule, those without a channel, and the most
    // urgent ones.
    let run = |part: &[crm_core::CustomerId]| {
        let mut per_rule = vec![0u64; rules.len()];
        let mut no_channel = 0u64;
        let mut urgent = Urgent::new();
        let mut facts = Facts::new("");
        let mut fired = Vec::new();
        for &id in part {
            if table.fill(id, &mut facts).is_err() {
                continue;
            }
            rulebook.fire_into(&facts, &mut fired);
            let past = facts
                .number(Fact::ContactsInPeriod)
                .and_then(|d| u64::try_from(d).ok())
                .unwrap_or(0);
            let mut planned = 0u64;
            for &i in &fired {
                let Some(rule) = rules.get(i) else { continue };
                let pressure = rulebook
                    .max_contacts_per_period()
                    .is_some_and(|cap| past + planned >= u64::from(cap));
                let channel = choose_channel(rule, &facts, pressure, |_| {});
                if channel.is_some() {
                    planned += 1;
                }
                if !keep(rule.action.strategy, &rule.action.owner) {
                    continue;
                }
                if let Some(n) = per_rule.get_mut(i) {
                    *n += 1;
                }
                if channel.is_none() {
                    no_channel += 1;
                }
                if limit > 0 {
                    let k = (rule.action.priority, facts.key(), i, id);
                    if urgent.len() < limit {
                        urgent.push(k);
                    } else if urgent.peek().is_some_and(|w| k < *w) {
                        urgent.pop();
                        urgent.push(k);
                    }
                }
            }
        }
        (per_rule, no_channel, urgent)
    };
    let parts: Vec<_> = if threads <= 1 {
        vec![run(ids)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|part| s.spawn(move || run(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let mut per_rule = vec![0u64; rules.len()];
    let mut no_channel = 0;
    let mut urgent = Vec::new();
    for (n, nc, u) in parts {
        for (a, b) in per_rule.iter_mut().zip(n) {
            *a += b;
        }
        no_channel += nc;
        urgent.extend(u.into_vec());
    }
    urgent.sort_unstable();
    urgent.truncate(limit);
    // Build the chosen actions as `plan` does: the customer's whole plan,
    // then the chosen rule's action out of it.
    let mut actions = Vec::with_capacity(urgent.len());
    let mut facts = Facts::new("");
    let mut fired = Vec::new();
    let mut theirs = Vec::new();
    for &(_, _, i, id) in &urgent {
        if table.fill(id, &mut facts).is_err() {
            continue;
        }
        rulebook.fire_into(&facts, &mut fired);
        theirs.clear();
        plan_customer(rulebook, table.period(), &facts, &fired, &mut theirs);
        let at = fired.iter().position(|&r| r == i);
        if let Some(a) = at.and_then(|k| theirs.get(k)) {
            actions.push(a.clone());
        }
    }
    let mut summary = PlanSummary {
        customers: ids.len() as u64,
        no_channel,
        ..PlanSummary::default()
    };
    for (rule, n) in rules.iter().zip(&per_rule) {
        if *n == 0 {
            continue;
        }
        *summary
            .by_strategy
            .entry(rule.action.strategy.as_str().to_string())
            .or_default() += n;
        *summary
            .by_owner
            .entry(rule.action.owner.clone())
            .or_default() += n;
    }
    Overview {
        plan: Plan {
            period: *table.period(),
            rulebook: rulebook.name().to_string(),
            policy: rulebook.policy().as_str(),
            actions,
            summary,
        },
        actions: per_rule.iter().sum(),
    }
}

/// Evaluates every rule on every customer without building actions: the
/// rules that act per customer, for benchmarks and for integrators who
/// only want the decisions.
pub fn decide(table: &FactTable<'_>, rulebook: &Rulebook, mut f: impl FnMut(&Facts<'_>, &[usize])) {
    let mut facts = Facts::new("");
    let mut fired = Vec::new();
    for &id in table.customers() {
        // The table's own ids: filling cannot fail.
        if table.fill(id, &mut facts).is_err() {
            continue;
        }
        rulebook.fire_into(&facts, &mut fired);
        f(&facts, &fired);
    }
}

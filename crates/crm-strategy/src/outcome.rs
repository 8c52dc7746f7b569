//! Outcomes of actions, read back: what became of each, so that declined
//! actions are not proposed again and the rulebook itself can be judged.

use std::collections::BTreeMap;

use crm_core::{Days, Decimal, NaiveDate, Outcome, OutcomeStatus, Period};

use crate::plan::{Plan, RuleVerdict, Verdict};
use crate::rulebook::Rulebook;

/// Removes from `plan` every action whose customer declined an action of
/// the same rule within `days` days before the plan's as-of date (the
/// period's end) or since; counts them in the summary's `left_out` as
/// `declined recently`. Returns how many were removed.
pub fn suppress_declined(plan: &mut Plan, outcomes: &[Outcome], days: u32) -> u64 {
    let from = window_start(plan.period.end(), days);
    let declined: std::collections::HashSet<(&str, &str)> = outcomes
        .iter()
        .filter(|o| o.status == OutcomeStatus::Declined && o.date >= from)
        .map(|o| (o.customer.as_str(), o.rule.as_str()))
        .collect();
    let before = plan.actions.len();
    plan.actions
        .retain(|a| !declined.contains(&(a.customer.as_str(), a.rule.as_str())));
    let removed = (before - plan.actions.len()) as u64;
    if removed > 0 {
        *plan
            .summary
            .left_out
            .entry("declined recently".into())
            .or_default() += removed;
    }
    plan.recount();
    removed
}

/// The first day a decline must fall on (or after) to keep a rule from
/// acting on `as_of`: `days` days before. A window reaching before the
/// calendar's start reaches back to it.
fn window_start(as_of: NaiveDate, days: u32) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// The declined outcome that keeps `rule` from `customer` on `as_of` (a
/// period's end) under a window of `days` days, as [`suppress_declined`]
/// decides: the latest such decline, the one that keeps it longest.
pub fn declined_recently<'o>(
    outcomes: &'o [Outcome],
    customer: &str,
    rule: &str,
    as_of: NaiveDate,
    days: u32,
) -> Option<&'o Outcome> {
    let from = window_start(as_of, days);
    outcomes
        .iter()
        .filter(|o| {
            o.status == OutcomeStatus::Declined
                && o.date >= from
                && o.customer.as_str() == customer
                && o.rule == rule
        })
        .max_by_key(|o| (o.date, o.id))
}

/// Marks, in one customer's `verdicts` (from [`Rulebook::explain`] for the
/// facts of `period`), every rule the policy chose whose action
/// [`suppress_declined`] would remove: its verdict becomes
/// [`Verdict::Suppressed`] with the outcome, the day it was declined and
/// the last as-of day the decline still counts (`days` days after it).
/// Returns how many were marked.
pub fn explain_declined(
    verdicts: &mut [RuleVerdict],
    customer: &str,
    outcomes: &[Outcome],
    period: &Period,
    days: u32,
) -> usize {
    let mut marked = 0;
    for v in verdicts {
        if v.verdict != (Verdict::Fired { acts: true }) {
            continue;
        }
        if let Some(o) = declined_recently(outcomes, customer, &v.rule, period.end(), days) {
            v.verdict = Verdict::Suppressed {
                outcome: o.id,
                declined: o.date,
                until: o
                    .date
                    .checked_add_days(Days::new(u64::from(days)))
                    .unwrap_or(NaiveDate::MAX),
            };
            marked += 1;
        }
    }
    marked
}

/// Counts of outcomes and the acceptance rate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Acceptance {
    /// Outcomes recorded.
    pub outcomes: u64,
    /// Done.
    pub done: u64,
    /// Declined.
    pub declined: u64,
    /// No answer.
    pub no_answer: u64,
    /// `done / outcomes`, a share ([`crm_core::share`]: six decimals,
    /// half to even); `None` without outcomes.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str::option"))]
    pub rate: Option<Decimal>,
}

impl Acceptance {
    fn add(&mut self, s: OutcomeStatus) {
        self.outcomes += 1;
        match s {
            OutcomeStatus::Done => self.done += 1,
            OutcomeStatus::Declined => self.declined += 1,
            OutcomeStatus::NoAnswer => self.no_answer += 1,
        }
        self.rate = crm_core::share(Decimal::from(self.done), Decimal::from(self.outcomes));
    }
}

/// Acceptance per rule and per owner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AcceptanceReport {
    /// Per rule.
    pub by_rule: BTreeMap<String, Acceptance>,
    /// Per owner (the outcome's, else the rule's in `rulebook`, else
    /// `unknown`).
    pub by_owner: BTreeMap<String, Acceptance>,
}

/// The acceptance rate per rule and per owner, so that the rulebook itself
/// can be judged.
pub fn acceptance(outcomes: &[Outcome], rulebook: &Rulebook) -> AcceptanceReport {
    let mut r = AcceptanceReport::default();
    for o in outcomes {
        r.by_rule.entry(o.rule.clone()).or_default().add(o.status);
        let owner = o
            .owner
            .clone()
            .or_else(|| {
                rulebook
                    .rules()
                    .iter()
                    .find(|x| x.name == o.rule)
                    .map(|x| x.action.owner.clone())
            })
            .unwrap_or_else(|| "unknown".into());
        r.by_owner.entry(owner).or_default().add(o.status);
    }
    r
}

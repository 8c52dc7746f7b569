//! Rendering actions, explanations, target lists and win-back.

use std::io::Write;

use crm::Period;
use crm::strategy::{
    AcceptanceReport, Action, Check, Fact, FactValue, Facts, MIN_CELL_CUSTOMERS, Placement, Plan,
    RuleVerdict, Rulebook, TargetList, Verdict, WinBack,
};
use serde_json::Value;

use crate::output::{csv_table, grid, human, right, write_json};

/// A fact's value for JSON, as the library serialises it: a number as a
/// number, a date as `YYYY-MM-DD`, a bool as a bool, unknown as null.
fn value_json(v: Option<&FactValue>) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The JSON contract of `crm actions`: the library's [`Plan`] (written
/// as it goes, no tree), with `acceptance` first when given.
pub(crate) fn plan_json(
    out: &mut impl Write,
    plan: &Plan,
    accepted: Option<&AcceptanceReport>,
) -> anyhow::Result<()> {
    #[derive(serde::Serialize)]
    struct PlanJson<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        acceptance: Option<&'a AcceptanceReport>,
        #[serde(flatten)]
        plan: &'a Plan,
    }
    write_json(
        out,
        &PlanJson {
            acceptance: accepted,
            plan,
        },
    )
}

/// Counts per strategy and owner, then the most urgent actions.
///
/// `total` is the number of actions of the whole plan: `plan.actions` may
/// hold only the most urgent of them (see `crm::strategy::overview`).
pub(crate) fn plan_table(
    out: &mut impl Write,
    plan: &Plan,
    total: usize,
    accepted: Option<&AcceptanceReport>,
    limit: usize,
) -> anyhow::Result<()> {
    let s = &plan.summary;
    writeln!(
        out,
        "Actions for {} under {} ({}): {} for {} customers, {} without a usable channel",
        plan.period, plan.rulebook, plan.policy, total, s.customers, s.no_channel
    )?;
    let mut t = grid();
    t.set_header(["strategy", "actions"]);
    for (k, n) in &s.by_strategy {
        t.add_row(vec![k.into(), right(n)]);
    }
    writeln!(out, "{t}")?;
    let mut t = grid();
    t.set_header(["owner", "actions"]);
    for (k, n) in &s.by_owner {
        t.add_row(vec![k.into(), right(n)]);
    }
    writeln!(out, "{t}")?;
    for (r, n) in &s.left_out {
        writeln!(out, "left out: {n} ({r})")?;
    }
    if let Some(a) = accepted {
        let mut t = grid();
        t.set_header([
            "rule / owner",
            "outcomes",
            "done",
            "declined",
            "no answer",
            "acceptance",
        ]);
        for (name, x) in a.by_rule.iter().chain(&a.by_owner) {
            t.add_row(vec![
                name.into(),
                right(x.outcomes),
                right(x.done),
                right(x.declined),
                right(x.no_answer),
                right(x.rate.map_or("-".into(), |r| {
                    format!("{}%", (r * crm::Decimal::ONE_HUNDRED).round_dp(1))
                })),
            ]);
        }
        writeln!(out, "Acceptance per rule, then per owner:\n{t}")?;
    }
    actions_list(out, &plan.actions, total, limit)
}

/// The first `limit` actions as a table.
/// `total` is the number of actions `actions` was taken from.
pub(crate) fn actions_list(
    out: &mut impl Write,
    actions: &[Action],
    total: usize,
    limit: usize,
) -> anyhow::Result<()> {
    let mut t = grid();
    t.set_header(["prio", "customer", "rule", "owner", "channel", "message"]);
    for a in actions.iter().take(limit) {
        t.add_row(vec![
            right(a.priority),
            a.customer.as_str().into(),
            a.rule.as_str().into(),
            a.owner.as_str().into(),
            a.channel.map_or("-", |c| c.as_str()).into(),
            a.message.as_str().into(),
        ]);
    }
    writeln!(
        out,
        "Most urgent {} of {}:\n{t}",
        actions.len().min(limit),
        total
    )?;
    Ok(())
}

/// One row per action, for a mailing tool or a CRM import (formula
/// protection on).
pub(crate) fn actions_csv(out: &mut impl Write, actions: &[Action]) -> anyhow::Result<()> {
    csv_table(
        out,
        [
            "id", "customer", "rule", "strategy", "priority", "owner", "channel", "message",
            "blocked",
        ],
        actions.iter().map(|a| {
            [
                a.id.to_string(),
                a.customer.clone(),
                a.rule.clone(),
                a.strategy.as_str().to_string(),
                a.priority.to_string(),
                a.owner.clone(),
                a.channel.map_or("", |c| c.as_str()).to_string(),
                a.message.clone(),
                a.blocked
                    .iter()
                    .map(|b| format!("{}: {}", b.channel, b.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        }),
    )
}

/// The campaign of a list, `None` without `--campaign` (the list is then
/// made under an empty name, which only seeds a control group and there is
/// none without `--control`).
fn campaign_name(list: &TargetList) -> Option<&str> {
    Some(list.campaign.as_str()).filter(|c| !c.is_empty())
}

/// A target list as JSON: the library's [`TargetList`].
pub(crate) fn target_json(out: &mut impl Write, list: &TargetList) -> anyhow::Result<()> {
    write_json(out, list)
}

fn verdict_text(v: &Verdict) -> &'static str {
    match v {
        Verdict::Fired { acts: true } => "fired, acts",
        Verdict::Fired { acts: false } => "fired (another rule acts)",
        Verdict::NotFired => "not fired",
        Verdict::Undecided => "undecided",
        Verdict::Suppressed { .. } => "fired, suppressed (declined)",
    }
}

fn checks_text(checks: &[Check]) -> String {
    checks
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where one customer stands on a campaign's list, for `--explain` with
/// `--channel`.
pub(crate) struct ListPlace<'a> {
    pub list: &'a TargetList,
    pub placement: Placement,
}

/// Every rule's verdict on one customer, and the customer's facts.
pub(crate) fn explain_table(
    out: &mut impl Write,
    book: &Rulebook,
    facts: &Facts<'_>,
    verdicts: &[RuleVerdict],
    place: Option<&ListPlace<'_>>,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "Customer {} under {} ({}):",
        facts.key(),
        book.name(),
        book.policy()
    )?;
    if let Some(p) = place {
        match campaign_name(p.list) {
            Some(c) => writeln!(
                out,
                "On the {} list of campaign {c}: {}",
                p.list.channel, p.placement
            )?,
            None => writeln!(out, "On the {} list: {}", p.list.channel, p.placement)?,
        }
    }
    let mut t = grid();
    t.set_header(["rule", "prio", "verdict", "why"]);
    for v in verdicts {
        let why = match v.verdict {
            Verdict::Fired { .. } => checks_text(&v.support),
            Verdict::NotFired => format!("failed: {}", checks_text(&v.failed)),
            Verdict::Undecided => format!("unknown: {}", checks_text(&v.unknown)),
            Verdict::Suppressed { .. } => {
                format!(
                    "{}; {}",
                    checks_text(&v.support),
                    suppressed_text(&v.verdict)
                )
            }
        };
        t.add_row(vec![
            v.rule.as_str().into(),
            right(v.priority),
            verdict_text(&v.verdict).into(),
            why.into(),
        ]);
    }
    writeln!(out, "{t}")?;
    let mut t = grid();
    t.set_header(["fact", "value"]);
    for f in Fact::ALL {
        let v = facts.get(*f).map_or("unknown".into(), |v| match v {
            FactValue::Money(m) => human(m),
            v => v.to_string(),
        });
        t.add_row(vec![f.name().to_string(), v]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// Every rule's verdict on one customer, and the facts, as JSON: the
/// library's [`RuleVerdict`]s and fact values, with the customer, period
/// and rulebook, and the customer's place on a target list when asked
/// for.
pub(crate) fn explain_json(
    out: &mut impl Write,
    book: &Rulebook,
    period: &Period,
    facts: &Facts<'_>,
    verdicts: &[RuleVerdict],
    place: Option<&ListPlace<'_>>,
) -> anyhow::Result<()> {
    #[derive(serde::Serialize)]
    struct RulebookRef<'a> {
        name: &'a str,
        policy: &'a str,
    }
    #[derive(serde::Serialize)]
    struct Target<'a> {
        campaign: Option<&'a str>,
        channel: &'a str,
        placement: &'static str,
        reason: Option<&'static str>,
    }
    #[derive(serde::Serialize)]
    struct Explain<'a> {
        customer: &'a str,
        period: &'a Period,
        rulebook: RulebookRef<'a>,
        rules: &'a [RuleVerdict],
        facts: serde_json::Map<String, Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<Target<'a>>,
    }
    let facts_json: serde_json::Map<String, Value> = Fact::ALL
        .iter()
        .map(|f| (f.name().to_string(), value_json(facts.get(*f).as_ref())))
        .collect();
    let target = place.map(|p| {
        let (placement, reason) = placement_fields(p.placement);
        Target {
            campaign: campaign_name(p.list),
            channel: p.list.channel.as_str(),
            placement,
            reason,
        }
    });
    write_json(
        out,
        &Explain {
            customer: facts.key(),
            period,
            rulebook: RulebookRef {
                name: book.name(),
                policy: book.policy().as_str(),
            },
            rules: verdicts,
            facts: facts_json,
            target,
        },
    )
}

/// A placement as `(placement, reason)` for JSON and CSV.
fn placement_fields(p: Placement) -> (&'static str, Option<&'static str>) {
    match p {
        Placement::Selected => ("selected", None),
        Placement::Control => ("control", None),
        Placement::LeftOut(r) => ("left_out", Some(r.as_str())),
        _ => ("no_action", None),
    }
}

/// Every rule's verdict on one customer as CSV: one row a rule, the
/// tests as text; with a list, its placement in two more columns.
pub(crate) fn explain_csv(
    out: &mut impl Write,
    facts: &Facts<'_>,
    verdicts: &[RuleVerdict],
    place: Option<&ListPlace<'_>>,
) -> anyhow::Result<()> {
    let (placement, reason) = place.map_or(("", None), |p| placement_fields(p.placement));
    csv_table(
        out,
        [
            "customer",
            "rule",
            "strategy",
            "priority",
            "status",
            "acts",
            "because",
            "failed",
            "unknown",
            "placement",
            "reason",
            "suppressed",
        ],
        verdicts.iter().map(|v| {
            [
                facts.key().to_string(),
                v.rule.clone(),
                v.strategy.as_str().to_string(),
                v.priority.to_string(),
                status_name(&v.verdict).to_string(),
                matches!(v.verdict, Verdict::Fired { acts: true }).to_string(),
                checks_text(&v.support),
                checks_text(&v.failed),
                checks_text(&v.unknown),
                placement.to_string(),
                reason.unwrap_or_default().to_string(),
                suppressed_text(&v.verdict),
            ]
        }),
    )
}

fn status_name(v: &Verdict) -> &'static str {
    match v {
        Verdict::Fired { .. } => "fired",
        Verdict::NotFired => "not_fired",
        Verdict::Undecided => "undecided",
        Verdict::Suppressed { .. } => "suppressed",
    }
}

/// `declined on D (outcome ID); not proposed again until U`, or empty
/// for a rule that is not suppressed.
fn suppressed_text(v: &Verdict) -> String {
    match v {
        Verdict::Suppressed {
            outcome,
            declined,
            until,
        } => {
            let by = outcome.map_or(String::new(), |id| format!(" (outcome {id})"));
            format!("declined on {declined}{by}; not proposed again until {until}")
        }
        _ => String::new(),
    }
}

/// Rates per cell, then the most valuable former customers.
pub(crate) fn winback_table(out: &mut impl Write, w: &WinBack, limit: usize) -> anyhow::Result<()> {
    let first = w
        .periods
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    let last = w
        .periods
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    writeln!(
        out,
        "Reactivation from {first} to {last}: of the Inactive in a period, the share active in the next"
    )?;
    let mut t = grid();
    t.set_header([
        "best former level",
        "periods lapsed",
        "customers",
        "reactivated",
        "rate",
    ]);
    for r in &w.rates {
        t.add_row(vec![
            r.best_level.map_or("before history", |l| l.as_str()).into(),
            right(r.lapsed),
            right(r.customers),
            right(r.reactivated),
            right(rate_cell(r.rate, r.small_cell)),
        ]);
    }
    writeln!(out, "{t}")?;
    let small = w.rates.iter().any(|r| r.small_cell);
    if small {
        writeln!(
            out,
            "* fewer than {MIN_CELL_CUSTOMERS} former customers behind the rate: read it with care"
        )?;
    }
    let mut t = grid();
    t.set_header([
        "customer",
        "best level",
        "lapsed",
        "margin then",
        "complaint",
        "rate",
        "cell",
        "expected margin",
    ]);
    for f in w.former.iter().take(limit) {
        t.add_row(vec![
            f.customer.as_str().into(),
            f.best_level.map_or("-", |l| l.as_str()).into(),
            right(f.lapsed),
            right(f.margin_then.map_or("-".into(), human)),
            (if f.complaint_before_lapsing {
                "open"
            } else {
                ""
            })
            .into(),
            right(f.rate.map_or("-".into(), |r| rate_cell(r, f.small_cell))),
            right(f.cell_customers),
            right(f.expected_margin.map_or("-".into(), human)),
        ]);
    }
    writeln!(
        out,
        "Former customers of {last} by expected margin ({} of {}):\n{t}",
        w.former.len().min(limit),
        w.former.len()
    )?;
    Ok(())
}

/// A rate in per cent, marked `*` when it rests on a small cell.
fn rate_cell(rate: crm::Decimal, small: bool) -> String {
    let pct = (rate * crm::Decimal::ONE_HUNDRED).round_dp(1);
    if small {
        format!("{pct}%*")
    } else {
        format!("{pct}%")
    }
}

/// The former customers as CSV.
pub(crate) fn winback_csv(out: &mut impl Write, w: &WinBack) -> anyhow::Result<()> {
    csv_table(
        out,
        [
            "customer",
            "best_level",
            "periods_lapsed",
            "margin_then",
            "complaint_before_lapsing",
            "rate",
            "cell_customers",
            "small_cell",
            "expected_margin",
        ],
        w.former.iter().map(|f| {
            [
                f.customer.clone(),
                f.best_level.map_or("", |l| l.as_str()).to_string(),
                f.lapsed.to_string(),
                f.margin_then.map(|m| m.to_string()).unwrap_or_default(),
                f.complaint_before_lapsing.to_string(),
                f.rate.map(|r| r.to_string()).unwrap_or_default(),
                f.cell_customers.to_string(),
                f.small_cell.to_string(),
                f.expected_margin.map(|m| m.to_string()).unwrap_or_default(),
            ]
        }),
    )
}

/// Says on stderr how many a target list selected, held out and left out,
/// and why.
pub(crate) fn target_note(list: &TargetList) {
    let left: u64 = list.left_out.values().sum();
    let reasons: Vec<String> = list
        .left_out
        .iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect();
    eprintln!(
        "crm: {} selected for {}, {} held out as control, {left} left out{}",
        list.selected.len(),
        list.channel,
        list.control.len(),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        }
    );
}

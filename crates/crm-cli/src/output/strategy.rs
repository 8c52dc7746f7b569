//! Rendering actions, explanations, target lists and win-back.

use std::io::Write;

use crm::Period;
use crm::strategy::{
    AcceptanceReport, Action, Check, Fact, FactValue, Facts, MIN_CELL_CUSTOMERS, Placement, Plan,
    RuleVerdict, Rulebook, TargetList, Verdict, WinBack,
};
use serde_json::Value;

use crate::output::{csv_table, grid, human, human_in, local, right, write_json};
use crm::report::Lang;

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

/// `name` as the rulebook or the library writes it in English (the names
/// `--strategy`, `--owner` and `--channel` take), `translated` in other
/// languages.
fn named<'a>(lang: Lang, name: &'a str, translated: &'a str) -> &'a str {
    match lang {
        Lang::En => name,
        _ => translated,
    }
}

/// `template` with its `{placeholders}` filled.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let v: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    super::fill(template, &v)
}

/// A count in `lang` (digits as in English: counts are not grouped).
fn count(lang: Lang, n: impl ToString) -> String {
    local(lang, n.to_string())
}

/// Counts per strategy and owner, then the most urgent actions, in
/// `lang`.
///
/// `total` is the number of actions of the whole plan: `plan.actions` may
/// hold only the most urgent of them (see `crm::strategy::overview`).
pub(crate) fn plan_table(
    out: &mut impl Write,
    plan: &Plan,
    total: usize,
    accepted: Option<&AcceptanceReport>,
    limit: usize,
    lang: Lang,
) -> anyhow::Result<()> {
    let s = &plan.summary;
    let t = &lang.texts().actions;
    writeln!(
        out,
        "{}",
        fill(
            t.heading,
            &[
                ("period", plan.period.to_string()),
                ("rulebook", plan.rulebook.clone()),
                ("policy", plan.policy.to_string()),
                ("actions", count(lang, total)),
                ("customers", count(lang, s.customers)),
                ("no_channel", count(lang, s.no_channel)),
            ],
        )
    )?;
    let mut g = grid();
    g.set_header([t.columns[0], t.columns[2]]);
    for (k, n) in &s.by_strategy {
        g.add_row(vec![
            named(lang, k, lang.strategy(k)).into(),
            right(count(lang, n)),
        ]);
    }
    writeln!(out, "{g}")?;
    let mut g = grid();
    g.set_header([t.columns[1], t.columns[2]]);
    for (k, n) in &s.by_owner {
        g.add_row(vec![
            named(lang, k, lang.owner(k)).into(),
            right(count(lang, n)),
        ]);
    }
    writeln!(out, "{g}")?;
    for (r, n) in &s.left_out {
        writeln!(
            out,
            "{}",
            fill(
                t.left_out,
                &[("count", count(lang, n)), ("reason", r.clone())]
            )
        )?;
    }
    if let Some(a) = accepted {
        let mut g = grid();
        g.set_header(t.acceptance_columns);
        for (name, x) in a.by_rule.iter().chain(&a.by_owner) {
            g.add_row(vec![
                named(lang, name, lang.owner(name)).into(),
                right(count(lang, x.outcomes)),
                right(count(lang, x.done)),
                right(count(lang, x.declined)),
                right(count(lang, x.no_answer)),
                right(x.rate.map_or("-".into(), |r| {
                    local(
                        lang,
                        format!("{}%", (r * crm::Decimal::ONE_HUNDRED).round_dp(1)),
                    )
                })),
            ]);
        }
        writeln!(out, "{}\n{g}", t.acceptance)?;
    }
    actions_list(out, &plan.actions, total, limit, lang)
}

/// The first `limit` actions as a table, in `lang` (the messages are the
/// rulebook's, as it writes them).
/// `total` is the number of actions `actions` was taken from.
pub(crate) fn actions_list(
    out: &mut impl Write,
    actions: &[Action],
    total: usize,
    limit: usize,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = &lang.texts().actions;
    let mut g = grid();
    g.set_header(t.list_columns);
    for a in actions.iter().take(limit) {
        let channel = a.channel.map_or("-", |c| c.as_str());
        g.add_row(vec![
            right(a.priority),
            a.customer.as_str().into(),
            a.rule.as_str().into(),
            named(lang, &a.owner, lang.owner(&a.owner)).into(),
            named(lang, channel, lang.channel(channel)).into(),
            a.message.as_str().into(),
        ]);
    }
    writeln!(
        out,
        "{}\n{g}",
        fill(
            t.list,
            &[
                ("shown", count(lang, actions.len().min(limit))),
                ("total", count(lang, total)),
            ],
        )
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

/// Rates per cell, then the most valuable former customers, in `lang`.
pub(crate) fn winback_table(
    out: &mut impl Write,
    w: &WinBack,
    limit: usize,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = &lang.texts().winback_table;
    let level = |l: Option<crm::pyramid::Level>, none: &'static str| -> String {
        l.map_or(none.to_string(), |l| {
            named(lang, l.as_str(), lang.level(l.as_str())).to_string()
        })
    };
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
        "{}",
        fill(
            t.heading,
            &[("first", first.clone()), ("last", last.clone())]
        )
    )?;
    let mut g = grid();
    g.set_header(t.rate_columns);
    for r in &w.rates {
        g.add_row(vec![
            level(r.best_level, t.before_history).into(),
            right(count(lang, r.lapsed)),
            right(count(lang, r.customers)),
            right(count(lang, r.reactivated)),
            right(local(lang, rate_cell(r.rate, r.small_cell))),
        ]);
    }
    writeln!(out, "{g}")?;
    let small = w.rates.iter().any(|r| r.small_cell);
    if small {
        writeln!(
            out,
            "{}",
            fill(t.small_cell, &[("min", count(lang, MIN_CELL_CUSTOMERS))])
        )?;
    }
    let mut g = grid();
    g.set_header(t.former_columns);
    for f in w.former.iter().take(limit) {
        g.add_row(vec![
            f.customer.as_str().into(),
            level(f.best_level, "-").into(),
            right(count(lang, f.lapsed)),
            right(f.margin_then.map_or("-".into(), |m| human_in(lang, m))),
            (if f.complaint_before_lapsing {
                t.open
            } else {
                ""
            })
            .into(),
            right(
                f.rate
                    .map_or("-".into(), |r| local(lang, rate_cell(r, f.small_cell))),
            ),
            right(count(lang, f.cell_customers)),
            right(f.expected_margin.map_or("-".into(), |m| human_in(lang, m))),
        ]);
    }
    writeln!(
        out,
        "{}\n{g}",
        fill(
            t.former,
            &[
                ("last", last),
                ("shown", count(lang, w.former.len().min(limit))),
                ("total", count(lang, w.former.len())),
            ],
        )
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
    note!(
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

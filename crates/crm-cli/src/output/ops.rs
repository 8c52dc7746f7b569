//! Renderers of the operational measures: complaints, campaigns and the
//! scorecard (table, CSV; JSON is the serialised result).

use std::io::Write;

use comfy_table::Cell;
use crm::ops::ComplaintReport;
use crm::ops::{CampaignResult, GroupResult, Uplift};
use crm::ops::{Direction, Scorecard, Unit};
use crm::report::Lang;
use crm::{Decimal, Period};

use crate::output::pyramid::{level, percent};
use crate::output::{count_in, csv_table, grid, human_in, local, right};

/// A share (0.25) as a percentage for people (`25.0%`); empty without one.
fn share(lang: Lang, x: Option<Decimal>) -> String {
    percent(lang, x.and_then(|d| d.to_string().parse::<f64>().ok()))
}

/// A share as a plain decimal for CSV; empty without one.
fn plain(x: Option<Decimal>) -> String {
    x.map_or_else(String::new, |d| d.round_dp(6).normalize().to_string())
}

pub(crate) fn complaints_table(
    out: &mut impl Write,
    r: &ComplaintReport,
    next: Period,
    lang: Lang,
) -> anyhow::Result<()> {
    let tt = &lang.texts().complaints_table;
    writeln!(
        out,
        "{}\n",
        tt.heading
            .replace("{period}", &r.period.to_string())
            .replace("{sla}", &r.sla_days.to_string())
    )?;
    let days = r.days_to_resolve.map_or_else(String::new, |d| {
        local(lang, format!("{} / {} / {}", d.mean, d.median, d.p90))
    });
    let sla = format!(
        "{} ({})",
        count_in(lang, r.within_sla),
        share(lang, r.within_sla_share)
    );
    let values = [
        count_in(lang, r.received),
        count_in(lang, r.complainers),
        count_in(lang, r.resolved),
        count_in(lang, r.unmatched_resolutions),
        count_in(lang, r.open_at_start),
        count_in(lang, r.open_at_end),
        count_in(lang, r.received_resolved),
        days,
        sla,
        count_in(lang, r.complainers_not_active),
    ];
    let mut t = grid();
    for (label, value) in tt.figures.iter().zip(values) {
        t.add_row([Cell::new(label), right(value)]);
    }
    writeln!(out, "{t}\n")?;
    if !r.by_level.is_empty() {
        let mut t = grid();
        t.set_header(tt.level_columns);
        for b in &r.by_level {
            t.add_row([
                Cell::new(b.level.map_or(tt.outside, |l| level(lang, l))),
                right(count_in(lang, b.complaints)),
                right(count_in(lang, b.complainers)),
                right(human_in(lang, b.value)),
            ]);
        }
        writeln!(out, "{t}\n")?;
    }
    let next = next.to_string();
    if r.retention.is_empty() {
        writeln!(out, "{}", tt.no_next.replace("{next}", &next))?;
        return Ok(());
    }
    writeln!(out, "{}", tt.retention.replace("{next}", &next))?;
    let mut t = grid();
    t.set_header(tt.retention_columns);
    for (g, name) in r.retention.iter().zip(tt.groups) {
        t.add_row([
            Cell::new(name),
            right(count_in(lang, g.customers)),
            right(count_in(lang, g.retained)),
            right(share(lang, g.rate)),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// The report as `measure,value` rows: the figures by name, then
/// `level.<level>.<figure>` and `retention.<group>.<figure>`.
pub(crate) fn complaints_csv(out: &mut impl Write, r: &ComplaintReport) -> anyhow::Result<()> {
    let mut rows: Vec<[String; 2]> = Vec::new();
    let mut add = |k: String, v: String| rows.push([k, v]);
    add("period".into(), r.period.to_string());
    add("sla_days".into(), r.sla_days.to_string());
    for (k, v) in [
        ("received", r.received),
        ("complainers", r.complainers),
        ("resolved", r.resolved),
        ("unmatched_resolutions", r.unmatched_resolutions),
        ("open_at_start", r.open_at_start),
        ("open_at_end", r.open_at_end),
        ("received_resolved", r.received_resolved),
        ("within_sla", r.within_sla),
        ("complainers_not_active", r.complainers_not_active),
    ] {
        add(k.into(), v.to_string());
    }
    add("within_sla_share".into(), plain(r.within_sla_share));
    let d = r.days_to_resolve;
    add("days_to_resolve.mean".into(), plain(d.map(|d| d.mean)));
    add("days_to_resolve.median".into(), plain(d.map(|d| d.median)));
    add(
        "days_to_resolve.p90".into(),
        d.map_or_else(String::new, |d| d.p90.to_string()),
    );
    for b in &r.by_level {
        let l = b.level.map_or("lost", |l| l.as_str());
        add(format!("level.{l}.complaints"), b.complaints.to_string());
        add(format!("level.{l}.complainers"), b.complainers.to_string());
        add(format!("level.{l}.value"), b.value.to_string());
    }
    for g in &r.retention {
        let n = g.group.as_str();
        add(format!("retention.{n}.customers"), g.customers.to_string());
        add(format!("retention.{n}.retained"), g.retained.to_string());
        add(format!("retention.{n}.rate"), plain(g.rate));
    }
    csv_table(out, ["measure", "value"], rows)
}

/// A figure's value for people, in its unit; `signed` puts a `+` before
/// positive values (gaps).
fn in_unit(lang: Lang, unit: Unit, v: Decimal, signed: bool) -> String {
    let plus = if signed && v.is_sign_positive() && !v.is_zero() {
        "+"
    } else {
        ""
    };
    let s = match unit {
        Unit::Share => share(lang, Some(v)),
        Unit::Money => human_in(lang, crm::Money::new(v)),
        _ => local(lang, v.normalize().to_string()),
    };
    format!("{plus}{s}")
}

pub(crate) fn scorecard_table(
    out: &mut impl Write,
    card: &Scorecard,
    lang: Lang,
) -> anyhow::Result<()> {
    let texts = lang.texts();
    let tt = &texts.scorecard_table;
    let prev = card.previous.map_or_else(String::new, |p| {
        texts
            .pyramid_table
            .previous
            .replace("{period}", &p.to_string())
    });
    writeln!(
        out,
        "{}\n",
        tt.heading
            .replace("{period}", &card.period.to_string())
            .replace("{previous}", &prev)
    )?;
    let mut t = grid();
    t.set_header(tt.columns);
    for (f, label) in card.figures.iter().zip(tt.figures) {
        let value = match (f.value, &f.missing) {
            (Some(v), _) => in_unit(lang, f.unit, v, false),
            (None, Some(m)) => format!("({} {m})", tt.needs),
            (None, None) => String::new(),
        };
        let bench = f.benchmark.map_or_else(String::new, |b| {
            let d = match b.direction {
                Direction::About => tt.directions[0],
                _ => tt.directions[1],
            };
            format!("{d}{}", in_unit(lang, Unit::Share, b.value, false))
        });
        t.add_row([
            Cell::new(label),
            if f.value.is_some() {
                right(value)
            } else {
                Cell::new(value)
            },
            right(f.of.map_or_else(String::new, |n| count_in(lang, n))),
            right(bench),
            right(
                f.target
                    .map_or_else(String::new, |v| in_unit(lang, f.unit, v, false)),
            ),
            right(
                f.gap
                    .map_or_else(String::new, |v| in_unit(lang, f.unit, v, true)),
            ),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// One row per figure: name, unit, value, of, benchmark, direction,
/// target, gap, missing.
pub(crate) fn scorecard_csv(out: &mut impl Write, card: &Scorecard) -> anyhow::Result<()> {
    let dec = |d: Option<Decimal>| d.map_or_else(String::new, |d| d.normalize().to_string());
    csv_table(
        out,
        [
            "figure",
            "unit",
            "value",
            "of",
            "benchmark",
            "benchmark_direction",
            "target",
            "gap",
            "missing",
        ],
        card.figures.iter().map(|f| {
            [
                f.name.as_str().to_string(),
                match f.unit {
                    Unit::Share => "share",
                    Unit::Money => "money",
                    _ => "count",
                }
                .to_string(),
                dec(f.value.map(|v| v.round_dp(6))),
                f.of.map_or_else(String::new, |n| n.to_string()),
                dec(f.benchmark.map(|b| b.value)),
                f.benchmark
                    .map_or("", |b| match b.direction {
                        Direction::About => "about",
                        _ => "above",
                    })
                    .to_string(),
                dec(f.target),
                dec(f.gap.map(|v| v.round_dp(6))),
                f.missing.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// A float share as a percentage with one decimal (`12.3%`).
fn pct(lang: Lang, x: f64) -> String {
    local(lang, format!("{:.1}%", x * 100.0))
}

/// An amount given as a float, rounded to cents.
fn money_f(lang: Lang, x: f64) -> String {
    local(lang, format!("{x:.2}"))
}

/// The order of the movements in tables and CSV.
const MOVEMENTS: [&str; 8] = [
    "new",
    "reactivated",
    "up",
    "stayed",
    "down",
    "lapsed",
    "other",
    "left",
];

pub(crate) fn campaign_table(
    out: &mut impl Write,
    r: &CampaignResult,
    periods: Option<(Period, Period)>,
    lang: Lang,
) -> anyhow::Result<()> {
    let tt = &lang.texts().campaign_table;
    let date = |d: Option<crm::NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
    writeln!(
        out,
        "{}\n",
        tt.heading
            .replace("{campaign}", &r.campaign)
            .replace("{sends}", &count_in(lang, r.sends))
            .replace("{first}", &date(r.first_send))
            .replace("{last}", &date(r.last_send))
            .replace("{days}", &r.window_days.to_string())
    )?;
    let (t, c) = (&r.treated, &r.control);
    let interval = |u: Option<Uplift>, f: &dyn Fn(f64) -> String| {
        u.map_or((String::new(), String::new()), |u| {
            (f(u.estimate), format!("{} .. {}", f(u.low), f(u.high)))
        })
    };
    let (ru, ri) = interval(r.response_uplift, &|x| pct(lang, x));
    let (vu, vi) = interval(r.revenue_uplift, &|x| money_f(lang, x));
    let money = |m: Option<crm::Money>| m.map_or_else(String::new, |m| human_in(lang, m));
    let rows: [[String; 4]; 6] = [
        [
            count_in(lang, t.customers),
            count_in(lang, c.customers),
            String::new(),
            String::new(),
        ],
        [
            count_in(lang, t.responders),
            count_in(lang, c.responders),
            String::new(),
            String::new(),
        ],
        [
            share(lang, t.response_rate),
            share(lang, c.response_rate),
            ru,
            ri,
        ],
        [
            count_in(lang, t.buyers),
            count_in(lang, c.buyers),
            String::new(),
            String::new(),
        ],
        [
            human_in(lang, t.revenue),
            human_in(lang, c.revenue),
            String::new(),
            String::new(),
        ],
        [
            money(t.revenue_per_customer),
            money(c.revenue_per_customer),
            vu,
            vi,
        ],
    ];
    let mut table = grid();
    table.set_header(tt.columns);
    for (label, row) in tt.rows.iter().zip(rows) {
        let mut cells = vec![Cell::new(label)];
        cells.extend(row.into_iter().map(right));
        table.add_row(cells);
    }
    writeln!(out, "{table}")?;
    if let Some(cost) = r.cost {
        writeln!(
            out,
            "{}",
            tt.cost
                .replace("{cost}", &human_in(lang, cost))
                .replace("{per_response}", &money(r.cost_per_response))
                .replace("{per_extra}", &money(r.cost_per_extra_response))
        )?;
    }
    if r.control_with_send > 0 {
        writeln!(
            out,
            "{}",
            tt.control_with_send
                .replace("{customers}", &count_in(lang, r.control_with_send))
        )?;
    }
    if !r.control_matches_campaign {
        writeln!(out, "{}", tt.control_mismatch)?;
    }
    if let Some((from, to)) = periods.filter(|_| !t.movement.is_empty() || !c.movement.is_empty()) {
        writeln!(
            out,
            "\n{}",
            tt.movement
                .replace("{from}", &from.to_string())
                .replace("{to}", &to.to_string())
        )?;
        let texts = lang.texts();
        let mut table = grid();
        table.set_header(tt.movement_columns);
        for name in MOVEMENTS {
            let (a, b) = (
                t.movement.get(name).copied().unwrap_or(0),
                c.movement.get(name).copied().unwrap_or(0),
            );
            if a + b == 0 {
                continue;
            }
            let label = match name {
                "left" => tt.left,
                n if lang == Lang::En => n,
                n => texts
                    .movements
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map_or(n, |(_, v)| *v),
            };
            let of = |n: u64, g: &GroupResult| {
                format!(
                    "{} ({})",
                    count_in(lang, n),
                    share(lang, ratio(n, g.customers))
                )
            };
            table.add_row([Cell::new(label), right(of(a, t)), right(of(b, c))]);
        }
        writeln!(out, "{table}")?;
    }
    Ok(())
}

/// `n / of` as a decimal share; `None` when `of` is 0.
fn ratio(n: u64, of: u64) -> Option<Decimal> {
    (of > 0).then(|| Decimal::from(n) / Decimal::from(of))
}

/// The result as `measure,value` rows: `treated.<figure>`,
/// `control.<figure>`, `<group>.movement.<movement>`, the uplifts with
/// their intervals and the costs.
pub(crate) fn campaign_csv(out: &mut impl Write, r: &CampaignResult) -> anyhow::Result<()> {
    let mut rows: Vec<[String; 2]> = Vec::new();
    let mut add = |k: String, v: String| rows.push([k, v]);
    let date = |d: Option<crm::NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
    add("campaign".into(), r.campaign.clone());
    add("window_days".into(), r.window_days.to_string());
    add("first_send".into(), date(r.first_send));
    add("last_send".into(), date(r.last_send));
    add("sends".into(), r.sends.to_string());
    let money = |m: Option<crm::Money>| m.map_or_else(String::new, |m| m.to_string());
    for (g, res) in [("treated", &r.treated), ("control", &r.control)] {
        add(format!("{g}.customers"), res.customers.to_string());
        add(format!("{g}.responders"), res.responders.to_string());
        add(format!("{g}.buyers"), res.buyers.to_string());
        add(format!("{g}.response_rate"), plain(res.response_rate));
        add(format!("{g}.revenue"), res.revenue.to_string());
        add(
            format!("{g}.revenue_per_customer"),
            money(res.revenue_per_customer),
        );
        for name in MOVEMENTS {
            if let Some(n) = res.movement.get(name) {
                add(format!("{g}.movement.{name}"), n.to_string());
            }
        }
    }
    for (name, u) in [
        ("response_uplift", r.response_uplift),
        ("revenue_uplift", r.revenue_uplift),
    ] {
        let f = |x: Option<f64>| x.map_or_else(String::new, |x| format!("{x:.6}"));
        add(name.into(), f(u.map(|u| u.estimate)));
        add(format!("{name}.low"), f(u.map(|u| u.low)));
        add(format!("{name}.high"), f(u.map(|u| u.high)));
    }
    add("control_with_send".into(), r.control_with_send.to_string());
    add(
        "control_matches_campaign".into(),
        r.control_matches_campaign.to_string(),
    );
    add("cost".into(), money(r.cost));
    add("cost_per_response".into(), money(r.cost_per_response));
    add(
        "cost_per_extra_response".into(),
        money(r.cost_per_extra_response),
    );
    csv_table(out, ["measure", "value"], rows)
}

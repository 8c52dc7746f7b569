//! Renderers of the operational measures: complaints and the scorecard
//! (table, CSV; JSON is the serialised result).

use std::io::Write;

use comfy_table::Cell;
use crm::ops::complaints::ComplaintReport;
use crm::ops::scorecard::{Direction, Scorecard, Unit};
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

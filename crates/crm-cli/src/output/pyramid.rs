//! Renderers of the pyramid report: table, JSON, CSV.

use std::io::Write;

use anyhow::Context;
use comfy_table::{Cell, CellAlignment, Table, presets};
use crm::Money;
use crm::pyramid::{Assignment, Level, PyramidReport};
use serde::Serialize;

use crm::report::Lang;

use crate::output::{
    count_in, human_in, level_in, local, signed_count_in as signed, signed_money_in as signed_money,
};

pub(crate) fn percent(lang: Lang, x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| local(lang, format!("{:.1}%", x * 100.0)))
}

/// A level's name in `lang`.
pub(crate) fn level(lang: Lang, l: Level) -> &'static str {
    level_in(lang, l.as_str())
}

/// The cuts (`customers 1,5,20%`) in `lang`: in Dutch the kind
/// translated and the list separated by `;`, since `,` is the decimal
/// separator there (`klanten 1; 2,5; 20%`).
fn cuts(lang: Lang, english: &str) -> String {
    if lang == Lang::En {
        return english.to_string();
    }
    let (kind, list) = english.split_once(' ').unwrap_or(("", english));
    let kind = match kind {
        "customers" => "klanten",
        "value" => "waarde",
        "bands" => "bedragen",
        other => other,
    };
    let list: Vec<String> = list
        .split(',')
        .map(|x| local(lang, x.to_string()))
        .collect();
    format!("{kind} {}", list.join("; "))
}

/// The pyramid drawn with its active levels as tiers, widest at the base.
fn drawing(report: &PyramidReport, lang: Lang) -> String {
    const WIDTHS: [usize; 4] = [3, 9, 17, 27];
    let total = WIDTHS[3];
    let mut s = String::new();
    for (i, l) in Level::ACTIVE.iter().enumerate() {
        let row = report.level(*l);
        let w = WIDTHS[i];
        let pad = (total - w) / 2;
        s.push_str(&format!(
            "  {}{}{}  {:<7} {:>10}  {:>6}\n",
            " ".repeat(pad),
            "█".repeat(w),
            " ".repeat(total - w - pad),
            level(lang, *l),
            count_in(lang, row.customers),
            percent(lang, row.share_of_customers)
        ));
    }
    s.push_str(&format!("  {}\n", "▔".repeat(total)));
    s.push_str(&format!(
        "  {} {}  ·  {} {}  ·  {} {}\n",
        level(lang, Level::Inactive),
        count_in(lang, report.level(Level::Inactive).customers),
        level(lang, Level::Prospect),
        count_in(lang, report.level(Level::Prospect).customers),
        level(lang, Level::Suspect),
        count_in(lang, report.level(Level::Suspect).customers)
    ));
    s
}

pub(crate) fn table<'a>(
    out: &mut impl Write,
    report: &PyramidReport,
    assignments: Option<impl Iterator<Item = Assignment<'a>>>,
    without_purchase: &[&str],
    lang: Lang,
) -> anyhow::Result<()> {
    let texts = lang.texts();
    let tt = &texts.pyramid_table;
    let prev = report.previous_period.map_or_else(String::new, |p| {
        tt.previous.replace("{period}", &p.to_string())
    });
    let basis = match lang {
        Lang::En => report.basis.to_string(),
        _ => texts.bases[usize::from(report.basis == crm::Basis::Margin)].to_string(),
    };
    let heading = tt
        .heading
        .replace("{period}", &report.period.to_string())
        .replace("{previous}", &prev)
        .replace("{basis}", &basis)
        .replace("{cuts}", &cuts(lang, &report.cuts.to_string()));
    writeln!(out, "{heading}\n")?;
    write!(out, "{}", drawing(report, lang))?;
    writeln!(out)?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = tt.columns[..6].to_vec();
    if report.previous_period.is_some() {
        header.extend(&tt.columns[6..]);
    }
    t.set_header(header);
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    for row in &report.levels {
        let mut cells = vec![
            Cell::new(level(lang, row.level)),
            right(count_in(lang, row.customers)),
            right(percent(lang, row.share_of_customers)),
            right(human_in(lang, row.value)),
            right(percent(lang, row.share_of_value)),
            right(
                row.average_value
                    .map(|m| human_in(lang, m))
                    .unwrap_or_default(),
            ),
        ];
        if let (Some(p), Some(c)) = (row.previous, row.change) {
            cells.extend([
                right(count_in(lang, p.customers)),
                right(signed(lang, c.customers)),
                right(human_in(lang, p.value)),
                right(signed_money(lang, c.value)),
            ]);
        }
        t.add_row(cells);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "\n{}",
        tt.totals
            .replace("{active}", &count_in(lang, report.active))
            .replace("{active_value}", &human_in(lang, report.active_value))
            .replace("{total}", &human_in(lang, report.total_value))
    )?;
    if let Some(p) = report.pareto {
        writeln!(
            out,
            "{}",
            tt.pareto.replace("{share}", &percent(lang, Some(p)))
        )?;
    }
    if report.lost.customers > 0 {
        writeln!(
            out,
            "{}",
            tt.lost
                .replace("{customers}", &count_in(lang, report.lost.customers))
        )?;
    }
    if report.register_customers_without_purchase > 0 {
        const SHOWN: usize = 5;
        let mut keys = without_purchase
            .iter()
            .take(SHOWN)
            .map(|k| format!("{k:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        if without_purchase.len() > SHOWN {
            keys.push_str(", ...");
        }
        writeln!(
            out,
            "register says customer, no purchase found: {} ({keys}); counted as prospects: check the sales data or the register's stage",
            report.register_customers_without_purchase
        )?;
    }
    if let Some(list) = assignments {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        t.set_header(tt.assignment_columns);
        for a in list {
            t.add_row([
                Cell::new(a.customer),
                Cell::new(level(lang, a.level)),
                right(a.rank.map(|r| count_in(lang, r)).unwrap_or_default()),
                right(human_in(lang, a.value)),
            ]);
        }
        writeln!(out, "\n{t}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonOut<'a> {
    #[serde(flatten)]
    report: &'a PyramidReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignments: Option<Vec<Assignment<'a>>>,
}

pub(crate) fn json<'a>(
    out: &mut impl Write,
    report: &'a PyramidReport,
    assignments: Option<impl Iterator<Item = Assignment<'a>>>,
) -> anyhow::Result<()> {
    let doc = JsonOut {
        report,
        assignments: assignments.map(Iterator::collect),
    };
    serde_json::to_writer(&mut *out, &doc).context("cannot write the output")?;
    writeln!(out)?;
    Ok(())
}

pub(crate) fn csv<'a>(
    out: &mut impl Write,
    report: &PyramidReport,
    assignments: Option<impl Iterator<Item = Assignment<'a>>>,
) -> anyhow::Result<()> {
    let mut w = crate::output::csv_writer(out);
    let opt = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
    let share = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    if let Some(list) = assignments {
        w.write_row(["customer", "level", "rank", "value"])?;
        for a in list {
            w.write_row([
                a.customer.to_string(),
                a.level.as_str().to_string(),
                a.rank.map(|r| r.to_string()).unwrap_or_default(),
                a.value.to_string(),
            ])?;
        }
    } else {
        w.write_row([
            "period_start",
            "period_end",
            "basis",
            "level",
            "customers",
            "share_of_customers",
            "value",
            "share_of_value",
            "average_value",
            "previous_customers",
            "previous_value",
            "change_customers",
            "change_value",
        ])?;
        for row in &report.levels {
            w.write_row([
                report.period.start().to_string(),
                report.period.end().to_string(),
                report.basis.to_string(),
                row.level.as_str().to_string(),
                row.customers.to_string(),
                share(row.share_of_customers),
                row.value.to_string(),
                share(row.share_of_value),
                opt(row.average_value),
                row.previous
                    .map(|p| p.customers.to_string())
                    .unwrap_or_default(),
                opt(row.previous.map(|p| p.value)),
                row.change
                    .map(|c| c.customers.to_string())
                    .unwrap_or_default(),
                opt(row.change.map(|c| c.value)),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

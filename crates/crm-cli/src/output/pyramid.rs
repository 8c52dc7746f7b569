//! Renderers of the pyramid report: table, JSON, CSV.

use std::io::Write;

use anyhow::Context;
use comfy_table::{Cell, CellAlignment, Table, presets};
use crm::Money;
use crm::pyramid::{Assignment, Level, PyramidReport};
use serde::Serialize;

use crate::output::human;

fn percent(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| format!("{:.1}%", x * 100.0))
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn signed_money(m: Money) -> String {
    if m.is_positive() {
        format!("+{}", human(m))
    } else {
        human(m)
    }
}

/// The pyramid drawn with its active levels as tiers, widest at the base.
fn drawing(report: &PyramidReport) -> String {
    const WIDTHS: [usize; 4] = [3, 9, 17, 27];
    let total = WIDTHS[3];
    let mut s = String::new();
    for (i, level) in Level::ACTIVE.iter().enumerate() {
        let row = report.level(*level);
        let w = WIDTHS[i];
        let pad = (total - w) / 2;
        s.push_str(&format!(
            "  {}{}{}  {:<7} {:>10}  {:>6}\n",
            " ".repeat(pad),
            "█".repeat(w),
            " ".repeat(total - w - pad),
            level.as_str(),
            row.customers,
            percent(row.share_of_customers)
        ));
    }
    s.push_str(&format!("  {}\n", "▔".repeat(total)));
    s.push_str(&format!(
        "  inactive {}  ·  prospect {}  ·  suspect {}\n",
        report.level(Level::Inactive).customers,
        report.level(Level::Prospect).customers,
        report.level(Level::Suspect).customers
    ));
    s
}

pub(crate) fn table<'a>(
    out: &mut impl Write,
    report: &PyramidReport,
    assignments: Option<impl Iterator<Item = Assignment<'a>>>,
    without_purchase: &[&str],
) -> anyhow::Result<()> {
    let prev = report
        .previous_period
        .map_or_else(String::new, |p| format!(" (previous: {p})"));
    writeln!(
        out,
        "Customer pyramid {}{prev}, basis {}, cuts {}\n",
        report.period, report.basis, report.cuts
    )?;
    write!(out, "{}", drawing(report))?;
    writeln!(out)?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec![
        "level",
        "customers",
        "% active",
        "value",
        "% value",
        "average",
    ];
    if report.previous_period.is_some() {
        header.extend(["previous", "change", "previous value", "value change"]);
    }
    t.set_header(header);
    for row in &report.levels {
        let mut cells = vec![
            Cell::new(row.level.as_str()),
            Cell::new(row.customers).set_alignment(CellAlignment::Right),
            Cell::new(percent(row.share_of_customers)).set_alignment(CellAlignment::Right),
            Cell::new(human(row.value)).set_alignment(CellAlignment::Right),
            Cell::new(percent(row.share_of_value)).set_alignment(CellAlignment::Right),
            Cell::new(row.average_value.map(human).unwrap_or_default())
                .set_alignment(CellAlignment::Right),
        ];
        if let (Some(p), Some(c)) = (row.previous, row.change) {
            cells.extend([
                Cell::new(p.customers).set_alignment(CellAlignment::Right),
                Cell::new(signed(c.customers)).set_alignment(CellAlignment::Right),
                Cell::new(human(p.value)).set_alignment(CellAlignment::Right),
                Cell::new(signed_money(c.value)).set_alignment(CellAlignment::Right),
            ]);
        }
        t.add_row(cells);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "\nactive customers {}, active value {}, total value {}",
        report.active,
        human(report.active_value),
        human(report.total_value)
    )?;
    if let Some(p) = report.pareto {
        writeln!(
            out,
            "Pareto: the top 20% of active customers hold {:.1}% of the value",
            p * 100.0
        )?;
    }
    if report.lost.customers > 0 {
        writeln!(
            out,
            "lost (beyond the inactivity horizon): {} customers",
            report.lost.customers
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
        t.set_header(["customer", "level", "rank", "value"]);
        for a in list {
            t.add_row([
                Cell::new(a.customer),
                Cell::new(a.level.as_str()),
                Cell::new(a.rank.map(|r| r.to_string()).unwrap_or_default())
                    .set_alignment(CellAlignment::Right),
                Cell::new(human(a.value)).set_alignment(CellAlignment::Right),
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
    let mut w = crm::csv::Writer::new(out);
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

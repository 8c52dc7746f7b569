//! Renderers of the migration matrix and the Markov view: table, JSON, CSV.

use std::io::Write;

use anyhow::Context;
use comfy_table::{Cell, CellAlignment, Table, presets};
use crm::Period;
use crm::migration::{
    Estimator, Markov, Migration, MigrationSeries, Movement, Risk, STATES, Source,
};
use crm::pyramid::Level;
use serde::Serialize;

use crm::report::Lang;

use crate::output::{count_in, human_in};

fn marker(from: Source, to: Level) -> &'static str {
    match Movement::of(from, to) {
        Movement::Up | Movement::New | Movement::Reactivated => " ▲",
        Movement::Down | Movement::Lapsed => " ▼",
        _ => "",
    }
}

/// A level or source name in `lang`: the library's in English, the
/// catalogue's otherwise.
fn name(lang: Lang, english: &'static str) -> &'static str {
    match lang {
        Lang::En => english,
        _ => lang.level(english),
    }
}

/// A signed count (`+12`, `-3`, `0`) in `lang`.
fn signed_count(lang: Lang, n: i64) -> String {
    let s = count_in(lang, n.unsigned_abs());
    match n.signum() {
        1 => format!("+{s}"),
        -1 => format!("-{s}"),
        _ => s,
    }
}

/// The matrix (and the risk list) as terminal tables, in `lang`.
pub(crate) fn table(
    out: &mut impl Write,
    m: &Migration,
    risk: Option<&[Risk<'_>]>,
    lang: Lang,
) -> anyhow::Result<()> {
    let tt = &lang.texts().migration_table;
    let (from, to) = (m.from.to_string(), m.to.to_string());
    let periods = |t: &str| t.replace("{from}", &from).replace("{to}", &to);
    writeln!(out, "{}\n", periods(tt.heading))?;
    writeln!(out, "{}", periods(tt.caption))?;
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec![tt.corner.to_string()];
    header.extend(
        Level::ALL
            .iter()
            .map(|l| name(lang, l.as_str()).to_string()),
    );
    header.push(tt.total.into());
    t.set_header(header);
    for source in Source::ALL {
        let total = m.row_total(source);
        if total.customers == 0 {
            continue;
        }
        let mut row = vec![Cell::new(name(lang, source.as_str()))];
        for level in Level::ALL {
            let n = m.cell(source, level).customers;
            let text = if n == 0 {
                String::new()
            } else {
                format!("{}{}", count_in(lang, n), marker(source, level))
            };
            row.push(right(text));
        }
        row.push(right(count_in(lang, total.customers)));
        t.add_row(row);
    }
    let mut row = vec![Cell::new(tt.total)];
    let mut all = 0;
    for level in Level::ALL {
        let n = m.column_total(level).customers;
        all += n;
        row.push(right(count_in(lang, n)));
    }
    row.push(right(count_in(lang, all)));
    t.add_row(row);
    writeln!(out, "{t}\n")?;

    let s = &m.summary;
    let c = |n: u64| count_in(lang, n);
    writeln!(
        out,
        "{}",
        tt.counts
            .replace("{up}", &c(s.up))
            .replace("{new}", &c(s.new))
            .replace("{reactivated}", &c(s.reactivated))
            .replace("{down}", &c(s.down))
            .replace("{lapsed}", &c(s.lapsed))
            .replace("{stayed}", &c(s.stayed))
            .replace("{other}", &c(s.other))
    )?;
    writeln!(
        out,
        "{}",
        tt.net
            .replace("{inflow}", &signed_count(lang, s.net_inflow))
            .replace("{movement}", &signed_count(lang, s.net_movement))
    )?;
    if s.lost > 0 {
        writeln!(out, "{}", tt.lost.replace("{lost}", &c(s.lost)))?;
    }
    writeln!(out, "\n{}", tt.bridge)?;
    let mut b = Table::new();
    b.load_preset(presets::NOTHING);
    b.add_row([
        Cell::new(tt.value_in.replace("{period}", &from)),
        right(human_in(lang, m.bridge.from_total)),
    ]);
    for (mv, v) in &m.bridge.steps {
        let mv = match lang {
            Lang::En => mv.as_str(),
            _ => lang.movement(mv.as_str()),
        };
        b.add_row([Cell::new(format!("  {mv}")), right(signed(lang, *v))]);
    }
    if !m.bridge.lost.is_zero() {
        b.add_row([
            Cell::new(format!("  {}", tt.bridge_lost)),
            right(signed(lang, m.bridge.lost)),
        ]);
    }
    b.add_row([
        Cell::new(tt.value_in.replace("{period}", &to)),
        right(human_in(lang, m.bridge.to_total)),
    ]);
    writeln!(out, "{b}")?;
    if let Some(risk) = risk {
        writeln!(
            out,
            "\n{}",
            tt.risk.replace("{customers}", &c(risk.len() as u64))
        )?;
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        t.set_header(tt.risk_columns);
        for r in risk.iter().take(20) {
            t.add_row([
                Cell::new(r.customer),
                Cell::new(name(lang, r.from.as_str())),
                Cell::new(name(lang, r.to.as_str())),
                right(human_in(lang, r.value_from)),
                right(human_in(lang, r.value_to)),
                right(human_in(lang, r.value_lost)),
            ]);
        }
        writeln!(out, "{t}")?;
        if risk.len() > 20 {
            writeln!(
                out,
                "{}",
                tt.risk_more.replace("{more}", &c((risk.len() - 20) as u64))
            )?;
        }
    }
    Ok(())
}

fn signed(lang: Lang, m: crm::Money) -> String {
    if m.is_positive() {
        format!("+{}", human_in(lang, m))
    } else {
        human_in(lang, m)
    }
}

#[derive(Serialize)]
struct JsonCell {
    from: Source,
    to: Level,
    movement: Movement,
    customers: u64,
    value_from: crm::Money,
    value_to: crm::Money,
}

#[derive(Serialize)]
struct JsonBridge {
    from_total: crm::Money,
    to_total: crm::Money,
    steps: Vec<JsonStep>,
    lost: crm::Money,
}

#[derive(Serialize)]
struct JsonStep {
    movement: Movement,
    value: crm::Money,
}

#[derive(Serialize)]
struct JsonMigration<'a> {
    from: Period,
    to: Period,
    levels: Vec<&'static str>,
    cells: Vec<JsonCell>,
    summary: crm::migration::MigrationSummary,
    bridge: JsonBridge,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<&'a [Risk<'a>]>,
}

/// The matrix (and the risk list) as one line of JSON.
pub(crate) fn json(
    out: &mut impl Write,
    m: &Migration,
    risk: Option<&[Risk<'_>]>,
) -> anyhow::Result<()> {
    let doc = JsonMigration {
        from: m.from,
        to: m.to,
        levels: Source::ALL.iter().map(|s| s.as_str()).collect(),
        cells: m
            .cells()
            .map(|c| JsonCell {
                from: c.from,
                to: c.to,
                movement: c.movement(),
                customers: c.customers,
                value_from: c.value_from,
                value_to: c.value_to,
            })
            .collect(),
        summary: m.summary,
        bridge: JsonBridge {
            from_total: m.bridge.from_total,
            to_total: m.bridge.to_total,
            steps: m
                .bridge
                .steps
                .iter()
                .map(|(movement, value)| JsonStep {
                    movement: *movement,
                    value: *value,
                })
                .collect(),
            lost: m.bridge.lost,
        },
        risk,
    };
    serde_json::to_writer(&mut *out, &doc).context("cannot write the output")?;
    writeln!(out)?;
    Ok(())
}

/// The matrix (and the risk list) as CSV.
pub(crate) fn csv(
    out: &mut impl Write,
    m: &Migration,
    risk: Option<&[Risk<'_>]>,
) -> anyhow::Result<()> {
    let mut w = crm::csv::Writer::new(out);
    if let Some(risk) = risk {
        w.write_row([
            "customer",
            "from",
            "to",
            "movement",
            "value_from",
            "value_to",
            "value_lost",
        ])?;
        for r in risk {
            w.write_row([
                r.customer.to_string(),
                r.from.to_string(),
                r.to.to_string(),
                r.movement.to_string(),
                r.value_from.to_string(),
                r.value_to.to_string(),
                r.value_lost.to_string(),
            ])?;
        }
    } else {
        w.write_row([
            "from_period",
            "to_period",
            "from",
            "to",
            "movement",
            "customers",
            "value_from",
            "value_to",
        ])?;
        for c in m.cells() {
            w.write_row([
                m.from.to_string(),
                m.to.to_string(),
                c.from.to_string(),
                c.to.to_string(),
                c.movement().to_string(),
                c.customers.to_string(),
                c.value_from.to_string(),
                c.value_to.to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The Markov view as data, for every renderer.
#[derive(Serialize)]
pub(crate) struct MarkovView {
    periods: Vec<Period>,
    pairs: Vec<Pair>,
    states: Vec<&'static str>,
    estimator: Estimator,
    transition: Vec<Vec<f64>>,
    transition_counts: Vec<Vec<u64>>,
    row_customers: Vec<u64>,
    inflow: Vec<f64>,
    counts: Vec<u64>,
    projection: Vec<Vec<f64>>,
    stationary: Option<Vec<f64>>,
    steady_state: Option<Vec<f64>>,
    value_basis: crm::Basis,
    value: Vec<f64>,
    discount: f64,
    lifetime_value: Option<Vec<f64>>,
    periods_until_inactive: Option<Vec<f64>>,
}

#[derive(Serialize)]
struct Pair {
    from: Period,
    to: Period,
    summary: crm::migration::MigrationSummary,
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl MarkovView {
    /// The view of `s`, projected `project` periods ahead, discounted at `discount`.
    pub(crate) fn new(s: &MigrationSeries, project: usize, discount: f64) -> MarkovView {
        let m: &Markov = &s.markov;
        let counts = s.counts.last().copied().unwrap_or_default();
        let start = counts.map(|c| c as f64);
        MarkovView {
            periods: s.periods.clone(),
            pairs: s
                .migrations
                .iter()
                .map(|x| Pair {
                    from: x.from,
                    to: x.to,
                    summary: x.summary,
                })
                .collect(),
            states: STATES.iter().map(|l| l.as_str()).collect(),
            estimator: s.estimator,
            transition_counts: s.transitions.iter().map(|r| r.to_vec()).collect(),
            row_customers: s.row_customers.to_vec(),
            transition: m
                .p
                .iter()
                .map(|r| r.iter().copied().map(round).collect())
                .collect(),
            inflow: m.inflow.iter().copied().map(round).collect(),
            counts: counts.to_vec(),
            projection: m
                .project(start, project)
                .iter()
                .map(|c| c.iter().copied().map(round).collect())
                .collect(),
            stationary: m
                .stationary()
                .map(|v| v.iter().copied().map(round).collect()),
            steady_state: m
                .steady_counts()
                .map(|v| v.iter().copied().map(round).collect()),
            value_basis: s.value_basis,
            value: s
                .value
                .iter()
                .copied()
                .map(|v| (v * 100.0).round() / 100.0)
                .collect(),
            discount,
            lifetime_value: m
                .lifetime_values(s.value, discount)
                .map(|v| v.iter().map(|x| (x * 100.0).round() / 100.0).collect()),
            periods_until_inactive: m
                .periods_until_inactive()
                .map(|v| v.iter().copied().map(round).collect()),
        }
    }
}

/// The Markov view as terminal tables.
pub(crate) fn markov_table(
    out: &mut impl Write,
    s: &MigrationSeries,
    v: &MarkovView,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "Migration over {} periods, {} to {}\n",
        s.periods.len(),
        s.periods[0],
        s.periods[s.periods.len() - 1]
    )?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header([
        "from",
        "to",
        "up",
        "new",
        "reactivated",
        "down",
        "lapsed",
        "lost",
        "stayed",
        "net inflow",
        "net movement",
    ]);
    for p in &v.pairs {
        let x = &p.summary;
        t.add_row([
            p.from.to_string(),
            p.to.to_string(),
            x.up.to_string(),
            x.new.to_string(),
            x.reactivated.to_string(),
            x.down.to_string(),
            x.lapsed.to_string(),
            x.lost.to_string(),
            x.stayed.to_string(),
            format!("{:+}", x.net_inflow),
            format!("{:+}", x.net_movement),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "lapsed: active to inactive; lost: out of the pyramid (beyond the inactivity horizon); net inflow: new + reactivated - lapsed; net movement: up - down - lapsed\n"
    )?;
    let how = match v.estimator {
        Estimator::AverageOfShares => "the average of each pair's row shares",
        _ => "the pooled counts over all pairs",
    };
    writeln!(
        out,
        "Transition probabilities per period from {how} (rows: from, columns: to; in brackets the customers who moved, of the customers observed in the row), and inflow of new customers"
    )?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec!["from \\ to".to_string()];
    header.extend(v.states.iter().map(|s| s.to_string()));
    header.push("observed".into());
    header.push("customers now".into());
    t.set_header(header);
    for (i, state) in v.states.iter().enumerate() {
        let mut row = vec![Cell::new(state)];
        row.extend(
            v.transition[i]
                .iter()
                .zip(&v.transition_counts[i])
                .map(|(p, n)| {
                    Cell::new(format!("{p:.3} ({n})")).set_alignment(CellAlignment::Right)
                }),
        );
        row.push(Cell::new(v.row_customers[i]).set_alignment(CellAlignment::Right));
        row.push(Cell::new(v.counts[i]).set_alignment(CellAlignment::Right));
        t.add_row(row);
    }
    let mut row = vec![Cell::new("inflow")];
    row.extend(
        v.inflow
            .iter()
            .map(|x| Cell::new(format!("{x:.1}")).set_alignment(CellAlignment::Right)),
    );
    row.push(Cell::new(""));
    row.push(Cell::new(""));
    t.add_row(row);
    writeln!(out, "{t}\n")?;

    writeln!(out, "Projection (expected customers per level)")?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec!["periods ahead".to_string()];
    header.extend(v.states.iter().map(|s| s.to_string()));
    t.set_header(header);
    for (k, c) in v.projection.iter().enumerate() {
        let mut row = vec![Cell::new(k + 1)];
        row.extend(
            c.iter()
                .map(|x| Cell::new(format!("{x:.0}")).set_alignment(CellAlignment::Right)),
        );
        t.add_row(row);
    }
    if let Some(ss) = &v.steady_state {
        let mut row = vec![Cell::new("steady state")];
        row.extend(
            ss.iter()
                .map(|x| Cell::new(format!("{x:.0}")).set_alignment(CellAlignment::Right)),
        );
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    if v.steady_state.is_none() {
        writeln!(
            out,
            "no steady state: no customer ever leaves the pyramid, so the counts keep growing with the inflow"
        )?;
    }
    if let Some(pi) = &v.stationary {
        let shares: Vec<String> = v
            .states
            .iter()
            .zip(pi)
            .map(|(s, p)| format!("{s} {:.1}%", p * 100.0))
            .collect();
        writeln!(
            out,
            "long-run shares of the customers: {}",
            shares.join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Lifetime value per level ({} per period, discount {} per period)",
        v.value_basis, v.discount
    )?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header([
        "level",
        "value per period",
        "lifetime value",
        "periods until inactive",
    ]);
    for (i, state) in v.states.iter().enumerate() {
        let ltv = v
            .lifetime_value
            .as_ref()
            // Adding 0.0 turns a rounded -0 into 0 (an inactive customer's
            // value printed "-0.00").
            .map(|l| format!("{:.2}", (l[i] * 100.0).round() / 100.0 + 0.0))
            .unwrap_or_default();
        let until = v
            .periods_until_inactive
            .as_ref()
            .and_then(|t| t.get(i))
            .map(|x| format!("{x:.2}"))
            .unwrap_or_default();
        t.add_row([
            Cell::new(state),
            // Adding 0.0 turns a rounded -0 into 0.
            Cell::new(format!("{:.2}", (v.value[i] * 100.0).round() / 100.0 + 0.0))
                .set_alignment(CellAlignment::Right),
            Cell::new(ltv).set_alignment(CellAlignment::Right),
            Cell::new(until).set_alignment(CellAlignment::Right),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// The Markov view as CSV.
pub(crate) fn markov_csv(out: &mut impl Write, v: &MarkovView) -> anyhow::Result<()> {
    let mut w = crm::csv::Writer::new(out);
    let mut header: Vec<String> = vec!["level".into()];
    header.extend(v.states.iter().map(|s| format!("p_to_{s}")));
    header.extend(v.states.iter().map(|s| format!("n_to_{s}")));
    header.extend(
        [
            "observed",
            "inflow",
            "customers",
            "value_per_period",
            "lifetime_value",
            "periods_until_inactive",
        ]
        .map(String::from),
    );
    header.extend((1..=v.projection.len()).map(|k| format!("projected_{k}")));
    w.write_row(&header)?;
    for (i, state) in v.states.iter().enumerate() {
        let mut row: Vec<String> = vec![state.to_string()];
        row.extend(v.transition[i].iter().map(f64::to_string));
        row.extend(v.transition_counts[i].iter().map(u64::to_string));
        row.push(v.row_customers[i].to_string());
        row.push(v.inflow[i].to_string());
        row.push(v.counts[i].to_string());
        row.push(v.value[i].to_string());
        row.push(
            v.lifetime_value
                .as_ref()
                .map(|l| l[i].to_string())
                .unwrap_or_default(),
        );
        row.push(
            v.periods_until_inactive
                .as_ref()
                .and_then(|t| t.get(i))
                .map(f64::to_string)
                .unwrap_or_default(),
        );
        row.extend(v.projection.iter().map(|c| c[i].to_string()));
        w.write_row(&row)?;
    }
    w.flush()?;
    Ok(())
}

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

use crate::output::{
    count_in, fill, fixed, human_in, level_in as name, local, percent_in,
    signed_count_in as signed_count, signed_money_in as signed,
};

fn marker(from: Source, to: Level) -> &'static str {
    match Movement::of(from, to) {
        Movement::Up | Movement::New | Movement::Reactivated => " ▲",
        Movement::Down | Movement::Lapsed => " ▼",
        _ => "",
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

#[derive(Serialize)]
struct JsonMigration<'a> {
    #[serde(flatten)]
    migration: &'a Migration,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<&'a [Risk<'a>]>,
}

/// The matrix (and the risk list) as one line of JSON: the library's
/// [`Migration`], with `risk` when asked for.
pub(crate) fn json(
    out: &mut impl Write,
    m: &Migration,
    risk: Option<&[Risk<'_>]>,
) -> anyhow::Result<()> {
    let doc = JsonMigration { migration: m, risk };
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
    let mut w = crate::output::csv_writer(out);
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

/// `crm migration --periods --format json`: the library's
/// [`MigrationSeries`], with the projection and the lifetime values of
/// this run's `--project` and `--discount` beside it.
pub(crate) fn markov_json(
    out: &mut impl Write,
    s: &MigrationSeries,
    v: &MarkovView,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct SeriesJson<'a> {
        #[serde(flatten)]
        series: &'a MigrationSeries,
        projection: &'a [Vec<f64>],
        stationary: &'a Option<Vec<f64>>,
        steady_state: &'a Option<Vec<f64>>,
        discount: f64,
        lifetime_value: &'a Option<Vec<f64>>,
        periods_until_inactive: &'a Option<Vec<f64>>,
    }
    let doc = SeriesJson {
        series: s,
        projection: &v.projection,
        stationary: &v.stationary,
        steady_state: &v.steady_state,
        discount: v.discount,
        lifetime_value: &v.lifetime_value,
        periods_until_inactive: &v.periods_until_inactive,
    };
    serde_json::to_writer(&mut *out, &doc).context("cannot write the output")?;
    writeln!(out)?;
    Ok(())
}

/// The Markov view as data, for the table and CSV renderers.
pub(crate) struct MarkovView {
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

/// The Markov view as terminal tables, in `lang`.
pub(crate) fn markov_table(
    out: &mut impl Write,
    s: &MigrationSeries,
    v: &MarkovView,
    lang: Lang,
) -> anyhow::Result<()> {
    let tt = &lang.texts().markov_table;
    let first = s.periods.first().map(Period::to_string).unwrap_or_default();
    let last = s.periods.last().map(Period::to_string).unwrap_or_default();
    let n = count_in(lang, s.periods.len() as u64);
    writeln!(
        out,
        "{}\n",
        fill(
            tt.heading,
            &[("periods", &n), ("first", &first), ("last", &last)]
        )
    )?;
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    let c = |n: u64| count_in(lang, n);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header(tt.pair_columns);
    for p in &v.pairs {
        let x = &p.summary;
        t.add_row([
            Cell::new(p.from),
            Cell::new(p.to),
            right(c(x.up)),
            right(c(x.new)),
            right(c(x.reactivated)),
            right(c(x.down)),
            right(c(x.lapsed)),
            right(c(x.lost)),
            right(c(x.stayed)),
            right(signed_count(lang, x.net_inflow)),
            right(signed_count(lang, x.net_movement)),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}\n", tt.pair_note)?;
    let how = match v.estimator {
        Estimator::AverageOfShares => tt.estimators[1],
        _ => tt.estimators[0],
    };
    writeln!(out, "{}", fill(tt.transitions, &[("how", how)]))?;
    let states: Vec<&str> = v.states.iter().map(|s| name(lang, s)).collect();
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec![tt.corner];
    header.extend(&states);
    header.extend(tt.observed);
    t.set_header(header);
    for (i, state) in states.iter().enumerate() {
        let mut row = vec![Cell::new(state)];
        row.extend(
            v.transition[i]
                .iter()
                .zip(&v.transition_counts[i])
                .map(|(p, n)| right(format!("{} ({})", fixed(lang, *p, 3), c(*n)))),
        );
        row.push(right(c(v.row_customers[i])));
        row.push(right(c(v.counts[i])));
        t.add_row(row);
    }
    let mut row = vec![Cell::new(tt.inflow)];
    row.extend(v.inflow.iter().map(|x| right(fixed(lang, *x, 1))));
    row.push(Cell::new(""));
    row.push(Cell::new(""));
    t.add_row(row);
    writeln!(out, "{t}\n")?;

    writeln!(out, "{}", tt.projection)?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec![tt.periods_ahead];
    header.extend(&states);
    t.set_header(header);
    let whole = |x: f64| fixed(lang, x, 0);
    for (k, counts) in v.projection.iter().enumerate() {
        let mut row = vec![right(c(k as u64 + 1))];
        row.extend(counts.iter().map(|x| right(whole(*x))));
        t.add_row(row);
    }
    if let Some(ss) = &v.steady_state {
        let mut row = vec![Cell::new(tt.steady_state)];
        row.extend(ss.iter().map(|x| right(whole(*x))));
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    if v.steady_state.is_none() {
        writeln!(out, "{}", tt.no_steady_state)?;
    }
    if let Some(pi) = &v.stationary {
        let shares: Vec<String> = states
            .iter()
            .zip(pi)
            .map(|(s, p)| format!("{s} {}", percent_in(lang, *p)))
            .collect();
        writeln!(
            out,
            "{}",
            fill(
                tt.long_run,
                &[("shares", &shares.join(lang.texts().list_separator))]
            )
        )?;
    }
    writeln!(out)?;
    let basis = match lang {
        Lang::En => v.value_basis.to_string(),
        _ => lang.texts().bases[usize::from(v.value_basis == crm::Basis::Margin)].to_string(),
    };
    writeln!(
        out,
        "{}",
        fill(
            tt.lifetime,
            &[
                ("basis", &basis),
                ("discount", &local(lang, v.discount.to_string()))
            ]
        )
    )?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header(tt.lifetime_columns);
    // Adding 0.0 turns a rounded -0 into 0 (an inactive customer's value
    // printed "-0.00").
    let money = |x: f64| fixed(lang, (x * 100.0).round() / 100.0 + 0.0, 2);
    for (i, state) in states.iter().enumerate() {
        let ltv = v
            .lifetime_value
            .as_ref()
            .map(|l| money(l[i]))
            .unwrap_or_default();
        let until = v
            .periods_until_inactive
            .as_ref()
            .and_then(|t| t.get(i))
            .map(|x| fixed(lang, *x, 2))
            .unwrap_or_default();
        t.add_row([
            Cell::new(state),
            right(money(v.value[i])),
            right(ltv),
            right(until),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// The Markov view as CSV.
pub(crate) fn markov_csv(out: &mut impl Write, v: &MarkovView) -> anyhow::Result<()> {
    let mut w = crate::output::csv_writer(out);
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

//! `crm value`: RFM, profitability, share of wallet, risk.

use std::io::Write;

use anyhow::Context;
use comfy_table::Cell;
use crm::pyramid::{Cuts, pyramid};
use crm::value::{
    CostTable, DevelopBy, RfmOptions, RiskOptions, SegmentRule, Signal, WalletOptions,
};
use crm::{Decimal, Ledger, LedgerOptions, NaiveDate, Period};

use crate::args::{DevelopByArg, Format, ProfitArgs, RfmArgs, RiskArgs, ValueCommand, WalletArgs};
use crate::cmd::pyramids;
use crate::input::{load, potentials_of, read_config, spool_stdin, with_interactions};
use crate::options::{basis, period, pyramid_options};
use crate::output::{
    count_in, csv_table, fill, fixed, grid as table, human_in, level_in, local, percent_in, right,
    write_json as json,
};
use crate::{Failure, Outcome, UsageMarker};
use crm::report::Lang;

pub(crate) fn run(c: ValueCommand) -> Outcome {
    let format = match &c {
        ValueCommand::Rfm(a) => a.format,
        ValueCommand::Profit(a) => a.format,
        ValueCommand::Wallet(a) => a.format,
        ValueCommand::Risk(a) => a.format,
    };
    let mut out = crate::output::stdout_for(format)?;
    match c {
        ValueCommand::Rfm(a) => rfm(*a, &mut out)?,
        ValueCommand::Profit(a) => profit(*a, &mut out)?,
        ValueCommand::Wallet(a) => wallet(*a, &mut out)?,
        ValueCommand::Risk(a) => risk(*a, &mut out)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}

/// `--p-alive-below` when not given.
const DEFAULT_P_ALIVE_BELOW: f64 = 0.3;

fn rfm(a: RfmArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let as_of: NaiveDate = a
        .as_of
        .parse()
        .map_err(|_| {
            anyhow::Error::msg(format!(
                "--as-of: {:?} is not a date like 2026-01-01",
                a.as_of
            ))
        })
        .map_err(usage_err)?;
    // Purchases before the date count, and the calendar starts at 0001-01-01.
    if as_of <= NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(usage_err(anyhow::anyhow!(
            "--as-of: {as_of} leaves no day before it; give a date after 0001-01-01"
        )));
    }
    let mut options = RfmOptions::new().basis(basis(a.basis));
    if let Some(path) = &a.segments {
        /// `{"segment": [...]}` (TOML's `[[segment]]` tables) or, in JSON,
        /// the list itself.
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Rules {
            Table { segment: Vec<SegmentRule> },
            List(Vec<SegmentRule>),
        }
        let rules = match read_config(path, "segment rules").map_err(failure_err)? {
            Rules::Table { segment } | Rules::List(segment) => segment,
        };
        options = options.segments(rules);
    }
    let mut ledger = Ledger::with_options(
        [crm::value::rfm_period(as_of)?],
        LedgerOptions::new().purchase_days(true),
    );
    load(&a.input, &mut ledger).map_err(failure_err)?;
    let r = crm::value::rfm(&ledger, as_of, &options)?;
    match a.format {
        Format::Json => json(out, &r)?,
        Format::Csv | Format::Parquet => csv_table(
            out,
            [
                "customer",
                "recency_days",
                "frequency",
                "monetary",
                "r",
                "f",
                "m",
                "segment",
            ],
            r.scores.iter().map(|s| {
                [
                    s.customer.clone(),
                    s.recency_days.to_string(),
                    s.frequency.to_string(),
                    s.monetary.to_string(),
                    s.r.to_string(),
                    s.f.to_string(),
                    s.m.to_string(),
                    s.segment.clone(),
                ]
            }),
        )?,
        Format::Table => {
            let lang = crate::options::lang(a.lang.lang.as_deref()).map_err(failure_err)?;
            let tt = &lang.texts().value_table;
            let c = |n: u64| count_in(lang, n);
            writeln!(
                out,
                "{}\n",
                fill(
                    tt.rfm_heading,
                    &[
                        ("as_of", &as_of.to_string()),
                        ("customers", &c(r.scores.len() as u64))
                    ]
                )
            )?;
            let mut t = table();
            t.set_header(tt.rfm_columns);
            let n = r.scores.len().max(1) as f64;
            for (name, count) in &r.segments {
                t.add_row([
                    Cell::new(segment(lang, name)),
                    right(c(*count)),
                    right(percent_in(lang, *count as f64 / n)),
                ]);
            }
            writeln!(out, "{t}")?;
            // The R × F grid with customer counts.
            let mut grid = [[0u64; 5]; 5];
            for s in &r.scores {
                grid[5 - s.r as usize][s.f as usize - 1] += 1;
            }
            let mut t = table();
            t.set_header([tt.rfm_corner, "1", "2", "3", "4", "5"]);
            for (i, row) in grid.iter().enumerate() {
                let mut cells = vec![Cell::new(5 - i)];
                cells.extend(row.iter().map(|n| right(c(*n))));
                t.add_row(cells);
            }
            writeln!(out, "\n{t}")?;
        }
    }
    Ok(())
}

/// A share as a percentage with one decimal, in `lang`; shares too large
/// to scale (a potential far below the value) print as a multiple.
fn percent(lang: Lang, share: Decimal) -> String {
    match share.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => local(lang, format!("{p:.1}%")),
        None => local(lang, format!("{share}×")),
    }
}

/// An RFM segment's name in `lang`: as the rules name it in English, the
/// catalogue's for the default segments in other languages.
fn segment(lang: Lang, name: &str) -> &str {
    match lang {
        Lang::En => name,
        _ => lang.segment(name),
    }
}

fn usage_err(e: anyhow::Error) -> anyhow::Error {
    e.context(UsageMarker)
}

fn failure_err(f: Failure) -> anyhow::Error {
    match f {
        Failure::Usage(m) => anyhow::Error::msg(m).context(UsageMarker),
        Failure::Data(e) => e,
    }
}

/// The whale curve drawn with characters: cumulative profit share (rows)
/// against the share of customers (columns).
fn whale_text(w: &crm::value::WhaleCurve, lang: Lang) -> String {
    const COLS: usize = 60;
    const ROWS: usize = 12;
    let top = w.points.iter().map(|p| p.1).fold(1.0f64, f64::max);
    let bottom = w.points.iter().map(|p| p.1).fold(0.0f64, f64::min);
    let span = (top - bottom).max(1e-9);
    let mut grid = vec![vec![' '; COLS]; ROWS];
    for &(x, y) in &w.points {
        let c = ((x * (COLS - 1) as f64).round() as usize).min(COLS - 1);
        let r = (((top - y) / span) * (ROWS - 1) as f64).round() as usize;
        grid[r.min(ROWS - 1)][c] = '•';
    }
    let hundred = (((top - 1.0) / span) * (ROWS - 1) as f64).round() as usize;
    let mut s = String::new();
    for (i, row) in grid.iter().enumerate() {
        let label = if i == 0 {
            format!("{:>5}%", fixed(lang, top * 100.0, 0))
        } else if i == hundred {
            "  100%".to_string()
        } else if i == ROWS - 1 {
            format!("{:>5}%", fixed(lang, bottom * 100.0, 0))
        } else {
            "      ".to_string()
        };
        s.push_str(&label);
        s.push_str(" │");
        s.extend(row.iter());
        s.push('\n');
    }
    s.push_str(&format!(
        "       └{}\n        0%{:>width$}\n",
        "─".repeat(COLS),
        lang.texts().value_table.whale_axis,
        width = COLS - 2
    ));
    s
}

fn profit(mut a: ProfitArgs, out: &mut impl Write) -> anyhow::Result<()> {
    // The interactions are read twice: standard input is kept for the second.
    let _spool = spool_stdin(&mut a.input.interactions).map_err(failure_err)?;
    let p: Period = period("period", &a.period).map_err(failure_err)?;
    let mut costs: CostTable = match &a.costs {
        Some(path) => read_config(path, "cost table").map_err(failure_err)?,
        None => CostTable::default(),
    };
    if a.ignore_recorded_costs {
        costs.use_recorded_cost = false;
    }
    let percents: Vec<Decimal> = a
        .cuts
        .split(',')
        .map(|x| x.trim().parse::<Decimal>())
        .collect::<Result<_, _>>()
        .map_err(|_| usage_err(anyhow::anyhow!("--cuts: expected numbers such as 1,5,20")))?;
    let cuts = Cuts::customer_percent(&percents).map_err(|e| usage_err(e.into()))?;
    let mut ledger = Ledger::new([p]);
    load(&a.input, &mut ledger).map_err(failure_err)?;
    if ledger.stats().transactions_without_margin > 0 {
        note!(
            "crm: warning: {} of {} transactions have no margin; they count as zero margin",
            ledger.stats().transactions_without_margin,
            ledger.stats().transactions
        );
    }
    let r = with_interactions(&a.input, &p, |interactions| {
        Ok(crm::value::profitability(
            &ledger,
            &p,
            &costs,
            interactions,
            &cuts,
        )?)
    })
    .map_err(failure_err)?;
    if let (Some(path), Some(w)) = (&a.svg, &r.whale) {
        std::fs::write(path, crm::value::whale_svg(w))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match a.format {
        Format::Json => json(out, &r)?,
        Format::Csv | Format::Parquet => csv_table(
            out,
            [
                "customer",
                "margin",
                "orders",
                "interactions",
                "cost_to_serve",
                "profit",
            ],
            r.customers.iter().map(|c| {
                [
                    c.customer.clone(),
                    c.margin.to_string(),
                    c.orders.to_string(),
                    c.interactions.to_string(),
                    c.cost_to_serve.to_string(),
                    c.profit.to_string(),
                ]
            }),
        )?,
        Format::Table => {
            let lang = crate::options::lang(a.lang.lang.as_deref()).map_err(failure_err)?;
            let tt = &lang.texts().value_table;
            let c = |n: u64| count_in(lang, n);
            writeln!(
                out,
                "{}",
                fill(
                    tt.profit_heading,
                    &[
                        ("period", &p.to_string()),
                        ("customers", &c(r.customers.len() as u64))
                    ]
                )
            )?;
            let ignored = if costs.use_recorded_cost {
                ""
            } else {
                tt.profit_ignored
            };
            writeln!(
                out,
                "{}\n",
                fill(
                    tt.profit_costs,
                    &[
                        ("recorded", &c(r.costs.recorded)),
                        ("table", &c(r.costs.table)),
                        ("none", &c(r.costs.none)),
                        ("ignored", ignored)
                    ]
                )
            )?;
            match &r.whale {
                Some(w) => {
                    write!(out, "{}", whale_text(w, lang))?;
                    let share = w.peak_customers as f64 / r.customers.len().max(1) as f64;
                    writeln!(
                        out,
                        "\n{}",
                        fill(
                            tt.profit_summary,
                            &[
                                ("total", &human_in(lang, w.total)),
                                ("top", &c(w.peak_customers)),
                                ("top_share", &percent_in(lang, share)),
                                ("peak", &format!("{}%", fixed(lang, w.peak * 100.0, 0))),
                                ("unprofitable", &c(w.unprofitable)),
                                ("destroyed", &human_in(lang, -w.destroyed)),
                            ]
                        )
                    )?;
                }
                None => writeln!(out, "{}", tt.profit_zero)?,
            }
            let mut t = table();
            t.set_header(tt.profit_columns);
            for (level, n, v) in &r.pyramid {
                let name = if level.is_active() {
                    level_in(lang, level.as_str())
                } else {
                    tt.unprofitable
                };
                t.add_row([Cell::new(name), right(c(*n)), right(human_in(lang, *v))]);
            }
            writeln!(out, "\n{t}")?;
        }
    }
    Ok(())
}

fn wallet(mut a: WalletArgs, out: &mut impl Write) -> anyhow::Result<()> {
    // The register is read twice: standard input is kept for the second.
    let _spool = spool_stdin(&mut a.input.customers).map_err(failure_err)?;
    let p: Period = period("period", &a.period).map_err(failure_err)?;
    let options = pyramid_options(&a.levels).map_err(failure_err)?;
    let potentials = potentials_of(&a.input).map_err(failure_err)?;
    let mut ledger = Ledger::new([p]);
    load(&a.input, &mut ledger).map_err(failure_err)?;
    let py = pyramid(&ledger, &p, &options)?;
    let by = match a.develop_by {
        DevelopByArg::Share => DevelopBy::Share,
        DevelopByArg::Room => DevelopBy::Room,
    };
    let w = crm::value::share_of_wallet_with(
        &ledger,
        &py,
        |k| potentials.get(k).copied(),
        &WalletOptions::new().develop_by(by),
    )?;
    match a.format {
        Format::Json => json(out, &w)?,
        Format::Csv | Format::Parquet => {
            let mut wr = crate::output::csv_writer(out);
            wr.write_row(["customer", "level", "value", "potential", "share", "room"])?;
            for s in &w.shares {
                wr.write_row([
                    s.customer.clone(),
                    s.level.to_string(),
                    s.value.to_string(),
                    s.potential.to_string(),
                    s.share.to_string(),
                    s.room.to_string(),
                ])?;
            }
            for u in &w.undefined {
                wr.write_row([u.as_str(), "", "", "", "", ""])?;
            }
            wr.flush()?;
        }
        Format::Table => {
            let lang = crate::options::lang(a.lang.lang.as_deref()).map_err(failure_err)?;
            let tt = &lang.texts().value_table;
            let c = |n: usize| count_in(lang, n as u64);
            writeln!(
                out,
                "{}",
                fill(
                    tt.wallet_heading,
                    &[
                        ("period", &p.to_string()),
                        ("with", &c(w.shares.len())),
                        ("without", &c(w.undefined.len()))
                    ]
                )
            )?;
            writeln!(
                out,
                "{}",
                fill(
                    tt.wallet_months,
                    &[(
                        "months",
                        &local(lang, w.months.round_dp(4).normalize().to_string())
                    )]
                )
            )?;
            let order = match w.develop_by {
                DevelopBy::Room => tt.wallet_orders[1],
                _ => tt.wallet_orders[0],
            };
            writeln!(
                out,
                "{}\n",
                fill(
                    tt.wallet_develop,
                    &[("customers", &c(w.develop.len())), ("order", order)]
                )
            )?;
            let mut t = table();
            t.set_header(tt.wallet_columns);
            for s in w.develop.iter().take(a.top) {
                t.add_row([
                    Cell::new(&s.customer),
                    Cell::new(level_in(lang, s.level.as_str())),
                    right(human_in(lang, s.value)),
                    right(human_in(lang, s.potential)),
                    right(percent(lang, s.share)),
                    right(human_in(lang, s.room)),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(())
}

fn risk(a: RiskArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let p: Period = period("period", &a.period).map_err(failure_err)?;
    let before = p
        .previous_calendar()
        .ok_or_else(|| usage_err(anyhow::anyhow!("--period: no previous period")))?;
    let options = pyramid_options(&a.levels).map_err(failure_err)?;
    let drop = Decimal::try_from(a.value_drop)
        .ok()
        .filter(|d| *d > Decimal::ZERO && *d < Decimal::ONE)
        .ok_or_else(|| {
            usage_err(anyhow::anyhow!(
                "--value-drop: give a share between 0 and 1"
            ))
        })?;
    if !(a.overdue > 0.0 && a.overdue.is_finite()) {
        return Err(usage_err(anyhow::anyhow!(
            "--overdue: give a factor above 0"
        )));
    }
    let mut ledger = Ledger::with_options([p, before], LedgerOptions::new().purchase_days(true));
    load(&a.input, &mut ledger).map_err(failure_err)?;
    let built = pyramids(&ledger, &[p, before], &options)?;
    let mut ro = RiskOptions::default();
    ro.value_drop = drop;
    ro.overdue_factor = a.overdue;
    if a.lifetime.p_alive_model.is_some() {
        let below = a.p_alive_below.unwrap_or(DEFAULT_P_ALIVE_BELOW);
        if !(below > 0.0 && below < 1.0) {
            return Err(usage_err(anyhow::anyhow!(
                "--p-alive-below: give a probability between 0 and 1"
            )));
        }
        ro.p_alive_below = below;
    }
    let p_alive = crate::cmd::clv::lifetime_by_key(&a.lifetime, &ledger, p.end(), None)
        .map_err(failure_err)?;
    let list = crm::value::risk(&ledger, &built[1], &built[0], &ro, |k| {
        p_alive.as_ref().and_then(|m| m.get(k).map(|v| v.0))
    })?;
    match a.format {
        Format::Json => json(out, &list)?,
        Format::Csv | Format::Parquet => {
            let mut w = crate::output::csv_writer(out);
            w.write_row([
                "customer",
                "level",
                "value",
                "value_drop",
                "dropped_level",
                "overdue",
                "low_p_alive",
            ])?;
            for r in &list {
                let has = |f: fn(&Signal) -> bool| if r.signals.iter().any(f) { "yes" } else { "" };
                w.write_row([
                    r.customer.as_str(),
                    r.level.as_str(),
                    &r.value.to_string(),
                    has(|s| matches!(s, Signal::ValueDrop { .. })),
                    has(|s| matches!(s, Signal::DroppedLevel { .. })),
                    has(|s| matches!(s, Signal::Overdue { .. })),
                    has(|s| matches!(s, Signal::LowPAlive { .. })),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            let lang = crate::options::lang(a.lang.lang.as_deref()).map_err(failure_err)?;
            let tt = &lang.texts().value_table;
            let c = |n: usize| count_in(lang, n as u64);
            let count =
                |f: fn(&Signal) -> bool| c(list.iter().filter(|r| r.signals.iter().any(f)).count());
            let low = match a.lifetime.p_alive_model {
                Some(_) => fill(
                    tt.risk_below,
                    &[
                        ("n", &count(|s| matches!(s, Signal::LowPAlive { .. }))),
                        ("below", &local(lang, ro.p_alive_below.to_string())),
                    ],
                ),
                None => tt.risk_no_model.to_string(),
            };
            let drop_share = format!("{}%", fixed(lang, a.value_drop * 100.0, 0));
            let factor = local(lang, a.overdue.to_string());
            let lines = [
                fill(
                    tt.risk_counts[0],
                    &[
                        ("drop", &drop_share),
                        ("n", &count(|s| matches!(s, Signal::ValueDrop { .. }))),
                    ],
                ),
                fill(
                    tt.risk_counts[1],
                    &[("n", &count(|s| matches!(s, Signal::DroppedLevel { .. })))],
                ),
                fill(
                    tt.risk_counts[2],
                    &[
                        ("factor", &factor),
                        ("n", &count(|s| matches!(s, Signal::Overdue { .. }))),
                    ],
                ),
                fill(tt.risk_counts[3], &[("n", &low)]),
            ];
            writeln!(
                out,
                "{}",
                fill(
                    tt.risk_heading,
                    &[
                        ("period", &p.to_string()),
                        ("before", &before.to_string()),
                        ("customers", &c(list.len()))
                    ]
                )
            )?;
            for line in &lines {
                writeln!(out, "  {line}")?;
            }
            writeln!(out)?;
            let mut t = table();
            t.set_header(tt.risk_columns);
            for r in list.iter().take(20) {
                let signals: Vec<String> = r
                    .signals
                    .iter()
                    .map(|s| match s {
                        Signal::ValueDrop { drop, .. } => fill(
                            tt.signals[0],
                            &[(
                                "drop",
                                &local(lang, format!("{:.0}%", drop * Decimal::ONE_HUNDRED)),
                            )],
                        ),
                        Signal::DroppedLevel { from, to } => fill(
                            tt.signals[1],
                            &[
                                ("from", level_in(lang, from.as_str())),
                                ("to", level_in(lang, to.as_str())),
                            ],
                        ),
                        Signal::Overdue {
                            days_since,
                            usual_gap,
                        } => fill(
                            tt.signals[2],
                            &[
                                ("days", &count_in(lang, u64::from(*days_since))),
                                ("gap", &fixed(lang, *usual_gap, 0)),
                            ],
                        ),
                        Signal::LowPAlive { p_alive } => {
                            fill(tt.signals[3], &[("p", &fixed(lang, *p_alive, 2))])
                        }
                        _ => tt.signals[4].into(),
                    })
                    .collect();
                t.add_row([
                    Cell::new(&r.customer),
                    Cell::new(level_in(lang, r.level.as_str())),
                    right(human_in(lang, r.value)),
                    Cell::new(signals.join(lang.texts().list_separator)),
                ]);
            }
            writeln!(out, "{t}")?;
            if list.len() > 20 {
                writeln!(out, "{}", fill(tt.more, &[("more", &c(list.len() - 20))]))?;
            }
        }
    }
    Ok(())
}

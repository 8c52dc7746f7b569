//! `crm report`: every analysis the inputs allow, on one HTML page.

use anyhow::Context;
use crm::report::{Inputs, Report, ReportOptions, Section};
use crm::{Ledger, NaiveDate};

use crate::args::ReportArgs;
use crate::{Failure, Outcome};
use std::io::Read;
use std::path::Path;

use crm::csv::{ImportOptions, ImportReport};

use crate::input::{
    import_options, name_of, open_input, open_read_only, read_transactions, report_rejects,
    warn_margin,
};
use crate::options::{period, pyramid_options, usage};

pub(crate) fn run(mut a: ReportArgs) -> Outcome {
    // A campaign reads the interactions and the transactions a second
    // time: standard input is kept for it.
    let campaign = a.campaign.is_some();
    let _spool_i = if campaign {
        crate::input::spool_stdin(&mut a.input.interactions)?
    } else {
        None
    };
    let _spool_t = if campaign {
        crate::input::spool_stdin(&mut a.input.transactions)?
    } else {
        None
    };
    let p = period("period", &a.period)?;
    let mut options = ReportOptions::new(p);
    options.pyramid = pyramid_options(&a.levels)?;
    if let Some(from) = &a.from {
        let from = period("from", from)?;
        if from.end() > p.start() {
            return Err(usage(format!("--from {from} must end by the start of {p}")));
        }
        options.previous = Some(from);
    }
    if let Some(spec) = &a.periods {
        let periods = crate::options::periods("periods", spec)?;
        if periods.len() < 2 {
            return Err(usage("--periods: give at least two periods"));
        }
        options.series = periods;
    }
    if !(a.discount > 0.0 && a.discount.is_finite()) {
        return Err(usage(
            "--discount: give a rate above 0, such as 0.1 for 10%",
        ));
    }
    options.project = usize::from(a.project);
    options.discount = a.discount;
    options.sla_days = a.sla_days;
    if let Some(d) = &a.calibration_end {
        let d: NaiveDate = d.parse().map_err(|_| {
            usage(format!(
                "--calibration-end: {d:?} is not a date like 2024-06-30"
            ))
        })?;
        options.calibration_end = Some(d);
    }
    let lang = crate::options::lang(a.lang.as_deref())?;
    let tracked = options
        .tracked_periods()
        .map_err(|e| usage(format!("--period: {e}")))?;
    // One pass over every input feeds every section.
    let mut ledger = Ledger::with_options(tracked, options.ledger_options());
    let plan = a
        .plan
        .as_deref()
        .map(crate::cmd::scorecard::read_plan)
        .transpose()
        .context("invalid plan")?;
    let mut inputs = read_once(&a, &options, &mut ledger)?;
    warn_margin(&ledger, options.pyramid.basis);
    inputs.leads = match (&a.leads, &a.input.db) {
        (Some(path), _) => Some(crate::input::leads_of(path, &a.input.csv)?),
        (None, Some(db)) => Some(crate::input::leads_of_db(db)?),
        (None, None) => None,
    };
    inputs.plan = plan;
    if let (Some(name), Some(control)) = (&a.campaign, &a.campaign_control) {
        inputs.campaign = Some(crate::cmd::campaign::fed(
            &a.input,
            name,
            control,
            a.window_days,
        )?);
    }
    let (report, html) = {
        let _step = crate::progress::step("building the report");
        let report = Report::build(&ledger, &options, inputs).context("cannot build the report")?;
        let html = report.to_html(lang);
        (report, html)
    };
    std::fs::write(&a.out, html).with_context(|| format!("cannot write {}", a.out.display()))?;
    let present = Section::ALL
        .iter()
        .filter(|s| report.availability(**s) == crm::report::Availability::Present)
        .count();
    eprintln!(
        "crm: wrote {} ({present} of {} sections; the others say which input would add them)",
        a.out.display(),
        Section::ALL.len()
    );
    Ok(())
}

/// Reads every input once: the register into the ledger and the
/// potentials, the interactions into the ledger and the cost to serve
/// (per customer: memory follows the customers, not the rows), the
/// transactions into the ledger (on every core from a regular file).
fn read_once(
    a: &ReportArgs,
    options: &ReportOptions,
    ledger: &mut Ledger,
) -> Result<Inputs, Failure> {
    let mut served = options.cost_to_serve().context("cannot build the report")?;
    let mut potentials = std::collections::HashMap::new();
    let mut with_register = false;
    if let Some(db) = &a.input.db {
        read_db(db, ledger, &mut served, &mut potentials)?;
        with_register = true;
    } else {
        let csv = import_options(&a.input.csv)?;
        let mut reports = Vec::new();
        if let Some(path) = &a.input.customers {
            with_register = true;
            reports.push(stream(
                path,
                "customers",
                &csv,
                |r, n, o| crm::csv::customers(r, n, o),
                |c| {
                    if let Some(p) = c.potential {
                        potentials.insert(c.key.as_str().to_string(), p);
                    }
                    ledger
                        .add_customer(&c)
                        .map(drop)
                        .map_err(anyhow::Error::from)
                },
            )?);
        }
        if let Some(path) = &a.input.interactions {
            reports.push(stream(
                path,
                "interactions",
                &csv,
                |r, n, o| crm::csv::interactions(r, n, o),
                |i| {
                    ledger.add_interaction(&i)?;
                    served.add(&i)?;
                    Ok(())
                },
            )?);
        }
        if let Some(path) = &a.input.transactions {
            reports.push(read_transactions(
                path,
                &csv,
                a.input.csv.float_money,
                ledger,
            )?);
        }
        report_rejects(&a.input.csv, &reports)?;
    }
    let mut inputs = Inputs::default();
    inputs.cost_to_serve = Some(served);
    if with_register && !potentials.is_empty() {
        inputs.potentials = Some(potentials);
    }
    Ok(inputs)
}

/// Streams the records of one CSV input through `take`, on this thread;
/// the rows read and skipped as an import report.
fn stream<T, R>(
    path: &Path,
    what: &str,
    csv: &ImportOptions,
    records: impl FnOnce(
        Box<dyn Read + Send>,
        &Path,
        &ImportOptions,
    ) -> crm::csv::Result<crm::csv::Records<Box<dyn Read + Send>, T>>,
    mut take: impl FnMut(T) -> anyhow::Result<R>,
) -> Result<ImportReport, Failure> {
    let name = name_of(path);
    let progress = crate::progress::bytes(
        format!("reading {}", name.display()),
        crate::progress::size_of(path),
    );
    let cannot = || format!("cannot import the {what}");
    let reader: Box<dyn Read + Send> = Box::new(progress.reader(open_input(path)?));
    let mut rows = records(reader, name, csv).with_context(cannot)?;
    let mut imported = 0u64;
    for r in rows.by_ref() {
        let r = r.with_context(cannot)?;
        take(r)
            .with_context(|| format!("{}: row {}", name.display(), imported + 1))
            .with_context(cannot)?;
        imported += 1;
    }
    let mut report = ImportReport::empty(name);
    report.rows = rows.rows();
    report.imported = imported;
    report.rejects = rows.rejects().to_vec();
    Ok(report)
}

/// Reads the database once: the register (with the potentials), the
/// interactions (into the ledger and the cost to serve) and the sales up to
/// the last tracked period's end.
fn read_db(
    db: &Path,
    ledger: &mut Ledger,
    served: &mut crm::value::CostToServe,
    potentials: &mut std::collections::HashMap<String, crm::Money>,
) -> Result<(), Failure> {
    let store = open_read_only(db)?;
    let _step = crate::progress::step(format!("reading {}", crate::input::shown(db)));
    let before = ledger.periods().iter().map(|p| p.end()).max();
    let cannot = || format!("cannot read {}", crate::input::shown(db));
    let mut failure: Option<anyhow::Error> = None;
    store
        .customers(&mut |c| {
            if failure.is_some() {
                return;
            }
            if let Some(p) = c.potential {
                potentials.insert(c.key.as_str().to_string(), p);
            }
            failure = ledger.add_customer(&c).err().map(anyhow::Error::from);
        })
        .with_context(cannot)?;
    store
        .interactions(before, &mut |i| {
            if failure.is_some() {
                return;
            }
            let added = ledger
                .add_interaction(&i)
                .map(drop)
                .map_err(anyhow::Error::from)
                .and_then(|()| served.add(&i).map_err(anyhow::Error::from));
            failure = added.err();
        })
        .with_context(cannot)?;
    store
        .sales(before, &mut |batch| {
            if failure.is_none() {
                failure = ledger
                    .record_sales(batch)
                    .into_iter()
                    .next()
                    .map(|(_, e)| anyhow::Error::from(e));
            }
        })
        .with_context(cannot)?;
    match failure {
        Some(e) => Err(e.context(cannot()).into()),
        None => Ok(()),
    }
}

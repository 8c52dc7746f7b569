//! `crm report`: every analysis the inputs allow, on one HTML page.

use anyhow::Context;
use crm::migration::parse_periods;
use crm::report::{Inputs, Report, ReportOptions, Section};
use crm::{Ledger, NaiveDate};

use crate::Outcome;
use crate::args::ReportArgs;
use crate::input::{import_options, load, potentials_of, warn_margin, with_interactions};
use crate::options::{period, pyramid_options, usage};

pub(crate) fn run(mut a: ReportArgs) -> Outcome {
    // The register and the interactions are read twice: standard input is
    // kept for the second reading.
    let _spool_customers = crate::input::spool_stdin(&mut a.input.customers)?;
    let _spool_interactions = crate::input::spool_stdin(&mut a.input.interactions)?;
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
        let periods = parse_periods(spec).map_err(|e| usage(format!("--periods: {e}")))?;
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
    // One pass over the transactions feeds every section.
    let mut ledger = Ledger::with_options(tracked, options.ledger_options());
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.pyramid.basis);
    let mut inputs = Inputs::default();
    if a.input.interactions.is_some() || a.input.db.is_some() {
        inputs.interactions = with_interactions(&a.input, &p, |i| Ok(i.collect()))?;
    }
    if a.input.customers.is_some() || a.input.db.is_some() {
        let map = potentials_of(&a.input)?;
        if !map.is_empty() {
            inputs.potentials = Some(map);
        }
    }
    if let Some(path) = &a.leads {
        let csv = import_options(&a.input.csv)?;
        let f = crate::input::open_input(path)?;
        let mut n = 0u64;
        for lead in crm::csv::leads(f, crate::input::name_of(path), &csv)
            .context("cannot read the leads")?
        {
            lead.context("cannot read the leads")?;
            n += 1;
        }
        inputs.leads = Some(n);
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

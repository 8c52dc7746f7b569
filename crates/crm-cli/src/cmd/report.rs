//! `crm report`: every analysis the inputs allow, on one HTML page.

use anyhow::Context;
use crm::report::{Inputs, Report, ReportOptions, Section};
use crm::{Ledger, NaiveDate};

use crate::args::ReportArgs;
use crate::{Failure, Outcome};
use std::io::Read;
use std::path::Path;

use crm::csv::{Gather, ImportOptions, ImportReport};
use crm::value::CostToServe;

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
    options.history = usize::from(a.history);
    let book = crate::input::rulebook(a.rules.as_deref())?;
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
    // With a database, the campaign is measured from the same snapshot as
    // every other section.
    let mut feed = match (&a.input.db, &a.campaign, &a.campaign_control) {
        (Some(_), Some(name), Some(control)) => Some(crate::cmd::campaign::Feed::new(
            name,
            control,
            a.window_days,
        )),
        _ => None,
    };
    let mut inputs = read_once(&a, &options, book.attributes(), &mut ledger, feed.as_mut())?;
    inputs.rulebook = Some(book);
    warn_margin(&ledger, options.pyramid.basis);
    if let Some(path) = &a.leads {
        inputs.leads = Some(crate::input::leads_of(path, &a.input.csv)?);
    }
    inputs.plan = plan;
    if let Some(feed) = feed {
        inputs.campaign = Some(feed.finish());
    } else if let (Some(name), Some(control)) = (&a.campaign, &a.campaign_control) {
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
    note!(
        "crm: wrote {} ({present} of {} sections; the others say which input would add them)",
        a.out.display(),
        Section::ALL.len()
    );
    // The process ends here: the report's rows (a key string per
    // profitable customer) and the ledger are hundreds of thousands of
    // allocations, and freeing them one by one takes a tenth of a second
    // on a million customers. The system takes the memory back at exit.
    std::mem::forget(report);
    std::mem::forget(ledger);
    Ok(())
}

/// Reads every input once: the register into the ledger and the
/// register's entries (without names, regions and the attributes no rule
/// reads), the interactions into the ledger and the cost to serve
/// (per customer: memory follows the customers, not the rows), the
/// transactions into the ledger (on every core from a regular file); from
/// a database, also the campaign's interactions and sales into `feed`.
fn read_once(
    a: &ReportArgs,
    options: &ReportOptions,
    attributes: &[String],
    ledger: &mut Ledger,
    feed: Option<&mut crate::cmd::campaign::Feed>,
) -> Result<Inputs, Failure> {
    let mut served = options.cost_to_serve().context("cannot build the report")?;
    let mut register = Register {
        entries: Vec::new(),
        attributes: attributes.to_vec(),
    };
    let mut with_register = false;
    let mut db_leads = None;
    if let Some(db) = &a.input.db {
        // The leads of the database in the same snapshot, unless a file
        // gives them.
        let mut leads = a.leads.is_none().then(Vec::new);
        read_db(db, ledger, &mut served, &mut register, leads.as_mut(), feed)?;
        db_leads = leads;
        with_register = true;
    } else {
        let csv = import_options(&a.input.csv)?;
        let mut reports = Vec::new();
        if let Some(path) = &a.input.customers {
            with_register = true;
            let (report, gathered) = gather(
                path,
                &csv,
                register.fresh(),
                |p, o, l, g| crm::csv::read_customers_gathering(p, o, l, g),
                |r, n, o, l, g| crm::csv::read_customers_from_gathering(r, n, o, l, g),
                ledger,
            )
            .context("cannot import the customers")?;
            register = gathered;
            reports.push(report);
        }
        if let Some(path) = &a.input.interactions {
            let (report, gathered) = gather(
                path,
                &csv,
                Served {
                    empty: served.clone(),
                    counted: served,
                },
                |p, o, l, g| crm::csv::read_interactions_gathering(p, o, l, g),
                |r, n, o, l, g| crm::csv::read_interactions_from_gathering(r, n, o, l, g),
                ledger,
            )
            .context("cannot import the interactions")?;
            served = gathered.counted;
            reports.push(report);
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
    inputs.leads = db_leads;
    inputs.cost_to_serve = Some(served);
    if with_register {
        // The slack of the growing list is a quarter of its size on
        // average: give it back before the analyses allocate theirs.
        register.entries.shrink_to_fit();
        inputs.register = Some(register.entries);
    }
    Ok(inputs)
}

/// The register's entries in file order, gathered while the register is
/// read, with only what the report reads: no name or region, and only the
/// attributes the rulebook reads.
struct Register {
    entries: Vec<crm::Customer>,
    /// The attributes the rulebook reads.
    attributes: Vec<String>,
}

impl Register {
    fn push(&mut self, c: &crm::Customer) {
        let mut c = c.clone();
        c.name = None;
        c.region = None;
        c.attributes.retain(|k, _| self.attributes.contains(k));
        self.entries.push(c);
    }
}

impl Gather<crm::Customer> for Register {
    fn take(&mut self, c: &crm::Customer) -> Result<(), crm::ModelError> {
        self.push(c);
        Ok(())
    }

    fn fresh(&self) -> Register {
        Register {
            entries: Vec::new(),
            attributes: self.attributes.clone(),
        }
    }

    fn absorb(&mut self, later: Register) -> Result<(), crm::ModelError> {
        self.entries.extend(later.entries);
        Ok(())
    }
}

/// The cost to serve, counted while the interactions are read.
struct Served {
    counted: CostToServe,
    /// Nothing counted yet: the start of another part of the file.
    empty: CostToServe,
}

impl Gather<crm::Interaction> for Served {
    fn take(&mut self, i: &crm::Interaction) -> Result<(), crm::ModelError> {
        self.counted.add(i).map_err(model_error)
    }

    fn fresh(&self) -> Served {
        Served {
            counted: self.empty.clone(),
            empty: self.empty.clone(),
        }
    }

    fn absorb(&mut self, later: Served) -> Result<(), crm::ModelError> {
        self.counted.merge(later.counted).map_err(model_error)
    }

    fn check_absorb(&self, later: &Served) -> Result<(), crm::ModelError> {
        self.counted
            .check_merge(&later.counted)
            .map_err(model_error)
    }
}

/// A value analysis's error as the model's (the cost to serve fails only
/// on an overflowing sum).
fn model_error(e: crm::value::Error) -> crm::ModelError {
    match e {
        crm::value::Error::Core(e) => e,
        other => crm::ModelError::AmountOverflow {
            what: other.to_string(),
        },
    }
}

/// A `crm::csv::read_*_gathering` function.
type GatherPath<G> =
    fn(&Path, &ImportOptions, &mut Ledger, G) -> crm::csv::Result<(ImportReport, G)>;

/// A `crm::csv::read_*_from_gathering` function over a counting reader.
type GatherFrom<G> = fn(
    crate::progress::Counting<Box<dyn Read + Send>>,
    &Path,
    &ImportOptions,
    &mut Ledger,
    G,
) -> crm::csv::Result<(ImportReport, G)>;

/// Reads one CSV input into `ledger`, gathering with `g` beside it, with a
/// progress bar by bytes: a regular file on every core, anything else
/// (standard input, a FIFO) in one pass.
fn gather<G>(
    path: &Path,
    csv: &ImportOptions,
    g: G,
    from_path: GatherPath<G>,
    from_reader: GatherFrom<G>,
    ledger: &mut Ledger,
) -> anyhow::Result<(ImportReport, G)> {
    let size = crate::progress::size_of(path);
    let progress = crate::progress::bytes(format!("reading {}", name_of(path).display()), size);
    Ok(match size {
        Some(_) => {
            let _progress = progress.follow_process_reads();
            from_path(path, csv, ledger, g)?
        }
        None => from_reader(
            progress.reader(open_input(path)?),
            name_of(path),
            csv,
            ledger,
            g,
        )?,
    })
}

/// Reads the database once, in one snapshot (what an import commits
/// meanwhile is not seen): the register (with the potentials), the
/// interactions (into the ledger and the cost to serve), the sales up to
/// the last tracked period's end, and the leads when `leads` is given;
/// with a campaign `feed`, every interaction and every sale also go to
/// it (the ledger still takes only those before the periods' end).
fn read_db(
    db: &Path,
    ledger: &mut Ledger,
    served: &mut crm::value::CostToServe,
    register: &mut Register,
    mut leads: Option<&mut Vec<crm::Lead>>,
    mut feed: Option<&mut crate::cmd::campaign::Feed>,
) -> Result<(), Failure> {
    let store = open_read_only(db)?;
    let _step = crate::progress::step(format!("reading {}", crate::input::shown(db)));
    let before = ledger.periods().iter().map(|p| p.end()).max();
    // What the ledger takes: dated before the periods' end.
    let kept = |d: NaiveDate| before.is_none_or(|b| d < b);
    // A campaign reads every date.
    let read_before = if feed.is_some() { None } else { before };
    let cannot = || format!("cannot read {}", crate::input::shown(db));
    let mut failure: Option<anyhow::Error> = None;
    // The campaign's own failure (no send, a bad control file): the
    // database is read on for the ledger, the campaign is fed no more.
    let mut campaign_failure: Option<Failure> = None;
    store
        .read_snapshot(&mut || {
            store.customers(&mut |c| {
                if failure.is_some() {
                    return;
                }
                register.push(&c);
                failure = ledger.add_customer(&c).err().map(anyhow::Error::from);
            })?;
            store.interactions(read_before, &mut |i| {
                if failure.is_some() {
                    return;
                }
                if campaign_failure.is_none()
                    && let Some(feed) = feed.as_deref_mut()
                    && let Err(e) = feed.interaction(&i)
                {
                    campaign_failure = Some(Failure::from(e));
                }
                if !kept(i.date) {
                    return;
                }
                let added = ledger
                    .add_interaction(&i)
                    .map(drop)
                    .map_err(anyhow::Error::from)
                    .and_then(|()| served.add(&i).map_err(anyhow::Error::from));
                failure = added.err();
            })?;
            if campaign_failure.is_none()
                && let Some(f) = feed.as_deref_mut()
                && let Err(e) = f.control()
            {
                campaign_failure = Some(e);
            }
            store.sales(read_before, &mut |batch| {
                if failure.is_some() {
                    return;
                }
                if campaign_failure.is_none()
                    && let Some(feed) = feed.as_deref_mut()
                {
                    for s in batch {
                        if let Err(e) = feed.sale(s.key, s.date, s.revenue) {
                            campaign_failure = Some(Failure::from(e));
                            break;
                        }
                    }
                }
                // The later sales a campaign read are not the ledger's.
                let own: Vec<crm::Sale<'_>>;
                let batch = if batch.iter().all(|s| kept(s.date)) {
                    batch
                } else {
                    own = batch.iter().copied().filter(|s| kept(s.date)).collect();
                    &own
                };
                failure = ledger
                    .record_sales(batch)
                    .into_iter()
                    .next()
                    .map(|(_, e)| anyhow::Error::from(e));
            })?;
            if let Some(leads) = leads.as_deref_mut() {
                store.leads(&mut |l| leads.push(l))?;
            }
            Ok(())
        })
        .with_context(cannot)?;
    match (failure, campaign_failure) {
        (Some(e), _) => Err(e.context(cannot()).into()),
        (None, Some(e)) => Err(e),
        (None, None) => Ok(()),
    }
}

use std::io::{BufWriter, Write};

use anyhow::Context;
use crm::csv::{DecimalSeparator, ImportOptions, ImportReport, Mode};
use crm::pyramid::{Cuts, PyramidOptions, PyramidReport, pyramid};
use crm::{Basis, Decimal, Ledger, Money, Period};

use crate::args::{BasisArg, CsvArgs, DecimalArg, Format, InputArgs, LevelArgs, PyramidArgs};
use crate::render;
use crate::{Failure, Outcome};

pub(crate) fn usage(msg: impl std::fmt::Display) -> Failure {
    Failure::Usage(msg.to_string())
}

fn numbers(flag: &str, s: &str) -> Result<Vec<Decimal>, Failure> {
    s.split(',')
        .map(|p| {
            p.trim().parse::<Decimal>().map_err(|_| {
                usage(format!(
                    "--{flag}: {p:?} is not a number (expected e.g. 1,5,20)"
                ))
            })
        })
        .collect()
}

fn cuts(a: &LevelArgs) -> Result<Cuts, Failure> {
    let cuts = if let Some(v) = &a.value_cuts {
        Cuts::value_percent(&numbers("value-cuts", v)?)
    } else if let Some(b) = &a.bands {
        let bands = numbers("bands", b)?.into_iter().map(Money::new).collect();
        let c = Cuts::Bands(bands);
        c.validate().map(|()| c)
    } else {
        Cuts::customer_percent(&numbers("cuts", &a.cuts)?)
    };
    cuts.map_err(usage)
}

/// The import options the input flags ask for.
pub(crate) fn import_options(input: &CsvArgs) -> Result<ImportOptions, Failure> {
    let mut o = ImportOptions::new().threads(input.threads);
    if input.lenient {
        o = o.mode(Mode::Lenient);
    }
    if let Some(d) = &input.delimiter {
        let byte = match d.as_str() {
            "\\t" | "tab" | "\t" => b'\t',
            s if s.len() == 1 => s.as_bytes()[0],
            _ => {
                return Err(usage(format!(
                    "--delimiter: {d:?} is not one character (or `tab`)"
                )));
            }
        };
        o = o.delimiter(byte);
    }
    o = o.decimal(match input.decimal {
        DecimalArg::Auto => DecimalSeparator::Auto,
        DecimalArg::Point => DecimalSeparator::Point,
        DecimalArg::Comma => DecimalSeparator::Comma,
    });
    if let Some(c) = &input.columns {
        o = o.columns_from_str(c).map_err(usage)?;
    }
    Ok(o)
}

/// Reports skipped rows on stderr, or writes them to the rejects file.
pub(crate) fn report_rejects(csv: &CsvArgs, reports: &[ImportReport]) -> Result<(), Failure> {
    let rejects: Vec<_> = reports
        .iter()
        .flat_map(|r| r.rejects.iter().cloned())
        .collect();
    if rejects.is_empty() {
        return Ok(());
    }
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if let Some(path) = &csv.rejects {
        crm::csv::write_rejects(path, &rejects).context("cannot write the rejects file")?;
        for r in reports.iter().filter(|r| !r.rejects.is_empty()) {
            let _ = writeln!(
                err,
                "crm: warning: skipped {} of {} rows in {} (see {})",
                r.rejects.len(),
                r.rows,
                r.file.display(),
                path.display()
            );
        }
    } else {
        for r in &rejects {
            let _ = writeln!(err, "crm: skipped: {r}");
        }
        let _ = writeln!(err, "crm: warning: skipped {} rows in all", rejects.len());
    }
    Ok(())
}

/// Reads the input (CSV files or a database) into `ledger`, reporting
/// skipped rows.
pub(crate) fn load(input: &InputArgs, ledger: &mut Ledger) -> Result<(), Failure> {
    if let Some(db) = &input.db {
        let store = crate::store::open_existing(db)?;
        crm::store::load_ledger(&store, ledger)
            .with_context(|| format!("cannot read {}", db.display()))?;
        return Ok(());
    }
    let options = import_options(&input.csv)?;
    let mut reports = Vec::new();
    if let Some(path) = &input.customers {
        reports.push(
            crm::csv::read_customers(path, &options, ledger)
                .context("cannot import the customers")?,
        );
    }
    if let Some(path) = &input.interactions {
        reports.push(
            crm::csv::read_interactions(path, &options, ledger)
                .context("cannot import the interactions")?,
        );
    }
    if let Some(path) = &input.transactions {
        reports.push(
            crm::csv::read_transactions(path, &options, ledger)
                .context("cannot import the transactions")?,
        );
    }
    report_rejects(&input.csv, &reports)
}

/// The pyramid options the level flags ask for.
pub(crate) fn pyramid_options(a: &LevelArgs) -> Result<PyramidOptions, Failure> {
    let basis = match a.basis {
        BasisArg::Revenue => Basis::Revenue,
        BasisArg::Margin => Basis::Margin,
    };
    Ok(PyramidOptions::new()
        .basis(basis)
        .cuts(cuts(a)?)
        .inactivity_horizon_days(a.horizon_days))
}

/// Warns when the margin basis meets transactions without margin.
pub(crate) fn warn_margin(ledger: &Ledger, basis: Basis) {
    if basis == Basis::Margin && ledger.stats().transactions_without_margin > 0 {
        eprintln!(
            "crm: warning: {} of {} transactions have no margin; they add nothing on the margin basis",
            ledger.stats().transactions_without_margin,
            ledger.stats().transactions
        );
    }
}

/// Parses a period flag.
pub(crate) fn period(flag: &str, s: &str) -> Result<Period, Failure> {
    s.parse().map_err(|e| usage(format!("--{flag}: {e}")))
}

/// Builds the pyramids of `periods` from `ledger`, side by side on
/// separate threads (they are independent reads of the ledger).
pub(crate) fn pyramids(
    ledger: &Ledger,
    periods: &[Period],
    options: &PyramidOptions,
) -> anyhow::Result<Vec<crm::pyramid::Pyramid>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = periods
            .iter()
            .map(|p| s.spawn(move || pyramid(ledger, p, options)))
            .collect();
        handles
            .into_iter()
            .zip(periods)
            .map(|(h, p)| {
                h.join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
                    .with_context(|| format!("cannot build the pyramid of {p}"))
            })
            .collect()
    })
}

pub(crate) fn run(a: PyramidArgs) -> Outcome {
    let period = period("period", &a.period)?;
    let options = pyramid_options(&a.levels)?;
    let periods: Vec<Period> = [Some(period), period.previous_calendar()]
        .into_iter()
        .flatten()
        .collect();
    let mut ledger = Ledger::new(periods.iter().copied());
    load(&a.input, &mut ledger)?;
    warn_margin(&ledger, options.basis);
    let mut built = pyramids(&ledger, &periods, &options)?.into_iter();
    let now = built.next().context("no pyramid")?;
    let before = built.next();
    let report = PyramidReport::new(&now, before.as_ref());

    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let assignments = a.assignments.then(|| now.assignments(&ledger));
    match a.format {
        Format::Table => render::table(&mut out, &report, assignments)?,
        Format::Json => render::json(&mut out, &report, assignments)?,
        Format::Csv => render::csv(&mut out, &report, assignments)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}

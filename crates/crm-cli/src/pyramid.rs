use std::io::{BufWriter, Write};

use anyhow::Context;
use crm::csv::{DecimalSeparator, ImportOptions, ImportReport, Mode};
use crm::pyramid::{Cuts, PyramidOptions, PyramidReport, pyramid};
use crm::{Basis, Decimal, Ledger, Money, Period};

use crate::args::{BasisArg, DecimalArg, Format, InputArgs, PyramidArgs};
use crate::render;
use crate::{Failure, Outcome};

fn usage(msg: impl std::fmt::Display) -> Failure {
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

fn cuts(a: &PyramidArgs) -> Result<Cuts, Failure> {
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
pub(crate) fn import_options(input: &InputArgs) -> Result<ImportOptions, Failure> {
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

/// Reads the input files into `ledger`, reporting skipped rows on stderr
/// (and to the rejects file).
pub(crate) fn load(input: &InputArgs, ledger: &mut Ledger) -> Result<Vec<ImportReport>, Failure> {
    let options = import_options(input)?;
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
    reports.push(
        crm::csv::read_transactions(&input.transactions, &options, ledger)
            .context("cannot import the transactions")?,
    );
    let rejects: Vec<_> = reports
        .iter()
        .flat_map(|r| r.rejects.iter().cloned())
        .collect();
    if !rejects.is_empty() {
        let stderr = std::io::stderr();
        let mut err = stderr.lock();
        if let Some(path) = &input.rejects {
            crm::csv::write_rejects(path, &rejects).context("cannot write the rejects file")?;
            for r in &reports {
                if !r.rejects.is_empty() {
                    let _ = writeln!(
                        err,
                        "crm: warning: skipped {} of {} rows in {} (see {})",
                        r.rejects.len(),
                        r.rows,
                        r.file.display(),
                        path.display()
                    );
                }
            }
        } else {
            for r in &rejects {
                let _ = writeln!(err, "crm: skipped: {r}");
            }
            let _ = writeln!(err, "crm: warning: skipped {} rows in all", rejects.len());
        }
    }
    Ok(reports)
}

pub(crate) fn run(a: PyramidArgs) -> Outcome {
    let period: Period = a
        .period
        .parse()
        .map_err(|e| usage(format!("--period: {e}")))?;
    let cuts = cuts(&a)?;
    let basis = match a.basis {
        BasisArg::Revenue => Basis::Revenue,
        BasisArg::Margin => Basis::Margin,
    };
    let previous = period.previous_calendar();
    let mut ledger = Ledger::new([Some(period), previous].into_iter().flatten());
    load(&a.input, &mut ledger)?;
    if basis == Basis::Margin && ledger.stats().transactions_without_margin > 0 {
        eprintln!(
            "crm: warning: {} of {} transactions have no margin; they add nothing on the margin basis",
            ledger.stats().transactions_without_margin,
            ledger.stats().transactions
        );
    }
    let options = PyramidOptions::new()
        .basis(basis)
        .cuts(cuts)
        .inactivity_horizon_days(a.horizon_days);
    let now = pyramid(&ledger, &period, &options).context("cannot build the pyramid")?;
    let before = match previous {
        Some(p) => {
            Some(pyramid(&ledger, &p, &options).context("cannot build the previous pyramid")?)
        }
        None => None,
    };
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

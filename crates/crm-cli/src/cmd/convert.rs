//! `crm convert`: a transactions CSV as Parquet.

use std::io::Write;

use anyhow::Context;

use crate::Outcome;
use crate::args::ConvertArgs;
use crate::input::{import_options, name_of, open_input, report_rejects, spool_stdin};

/// Reads the CSV twice: once for the largest scale and size of its amounts
/// (the DECIMAL columns' scale, so that every amount is kept exactly, and
/// precision: 18 when they fit, stored as 64-bit integers),
/// once to write the rows. Standard input is spooled to a temporary file
/// for that.
pub(crate) fn run(a: ConvertArgs) -> Outcome {
    let options = import_options(&a.csv)?;
    let mut path = Some(a.transactions.clone());
    let _spool = spool_stdin(&mut path)?;
    let path = path.unwrap_or_default();
    let name = name_of(&a.transactions).to_path_buf();

    let mut scale = 0;
    // Digits before the point of the largest amount.
    let mut whole = 1;
    {
        let _step = crate::progress::step(format!("scanning {}", name.display()));
        let mut records = crm::csv::transactions(open_input(&path)?, &name, &options)
            .context("cannot read the transactions")?;
        for t in records.by_ref() {
            let t = t.context("cannot read the transactions")?;
            for m in std::iter::once(t.revenue).chain(t.margin) {
                let d = m.as_decimal();
                scale = scale.max(d.scale());
                whole = whole.max(crm::parquet::digits(d, 0));
            }
        }
    }
    // 64-bit integers (precision 18) when the amounts fit them: they read
    // faster than the 16-byte values of DECIMAL(38, s).
    let precision: u8 = if whole + scale <= 18 { 18 } else { 38 };

    let _step = crate::progress::step(format!("writing {}", a.out.display()));
    let file = std::fs::File::create(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let written = (|| -> anyhow::Result<crm::csv::ImportReport> {
        let mut w = crm::parquet::TransactionWriter::new(
            std::io::BufWriter::with_capacity(1 << 20, file),
            scale,
        )?;
        let mut records = crm::csv::transactions(open_input(&path)?, &name, &options)?;
        let mut report = crm::csv::ImportReport::empty(&name);
        for t in records.by_ref() {
            let t = t?;
            w.push(
                t.id.as_deref(),
                t.customer.as_str(),
                t.date,
                t.revenue,
                t.margin,
            )?;
            report.imported += 1;
        }
        report.rows = records.rows();
        report.rejects = records.rejects().to_vec();
        w.finish()?.flush()?;
        Ok(report)
    })();
    let report = match written {
        Ok(r) => r,
        Err(e) => {
            // No half-written file is left to be read as data.
            let _ = std::fs::remove_file(&a.out);
            return Err(e
                .context(format!("cannot write {}", a.out.display()))
                .into());
        }
    };
    report_rejects(&a.csv, std::slice::from_ref(&report))?;
    eprintln!(
        "crm: wrote {} transactions to {} (money as DECIMAL({precision}, {scale}))",
        report.imported,
        a.out.display()
    );
    Ok(())
}

//! `crm convert`: a transactions CSV as Parquet.

use std::io::Write;

use anyhow::Context;

use crate::Outcome;
use crate::args::ConvertArgs;
use crate::input::{import_options, name_of, open_input, report_rejects, spool_stdin};

/// Converts: sorted by customer and date (the default) or, with
/// `--keep-order`, streamed in the CSV's order.
///
/// Money is `DECIMAL(p, s)` with `s` the largest scale of the amounts, so
/// that every amount is kept exactly, and `p` 18 when they fit (stored as
/// 64-bit integers, which decode faster), 38 otherwise.
///
/// Why sort: the analyses add each row to its customer's totals, and with
/// a million customers that work waits on memory (the customer's slot and
/// totals are nowhere near the cache) when rows come in date order, as
/// exports do. Rows of a customer together touch each customer's memory
/// once; that layout is what a warehouse's clustering by customer gives,
/// and the conversion is the one place to choose it.
pub(crate) fn run(a: ConvertArgs) -> Outcome {
    if a.keep_order {
        return streamed(a);
    }
    let options = import_options(&a.csv)?;
    let name = name_of(&a.transactions).to_path_buf();
    let _step = crate::progress::step(format!("reading {}", name.display()));
    let mut keys: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut ids = String::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut size = Size::default();
    let mut records = crm::csv::transactions(open_input(&a.transactions)?, &name, &options)
        .context("cannot read the transactions")?;
    for t in records.by_ref() {
        let t = t.context("cannot read the transactions")?;
        let key = match keys.get(t.customer.as_str()) {
            Some(&k) => k,
            None => {
                let k = u32::try_from(names.len()).context("more than 4 billion customers")?;
                keys.insert(t.customer.as_str().to_string(), k);
                names.push(t.customer.as_str().to_string());
                k
            }
        };
        let id = t.id.as_deref().map(|id| {
            let start = ids.len();
            ids.push_str(id);
            (start, id.len())
        });
        size.add(t.revenue);
        if let Some(m) = t.margin {
            size.add(m);
        }
        rows.push(Row {
            key,
            date: t.date,
            revenue: t.revenue,
            margin: t.margin,
            id,
        });
    }
    let mut report = crm::csv::ImportReport::empty(&name);
    report.rows = records.rows();
    report.rejects = records.rejects().to_vec();
    report.imported = rows.len() as u64;
    drop(keys);
    // Customers in key order, each one's rows by date (and in file order
    // on one date): the same file for the same rows.
    let mut rank: Vec<u32> = (0..names.len() as u32).collect();
    rank.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    let mut position = vec![0u32; names.len()];
    for (r, &k) in rank.iter().enumerate() {
        position[k as usize] = r as u32;
    }
    rows.sort_by_key(|r| (position[r.key as usize], r.date));

    let (precision, scale) = size.decimal();
    let written = write(&a.out, precision, scale, true, |w| {
        for r in &rows {
            let id = r.id.map(|(start, len)| &ids[start..start + len]);
            w.push(id, &names[r.key as usize], r.date, r.revenue, r.margin)?;
        }
        Ok(())
    });
    finish(&a, written.map(|()| report), precision, scale)
}

/// One transaction held for sorting: its customer's number, and its id as
/// a range of one string of all ids.
struct Row {
    key: u32,
    date: crm::NaiveDate,
    revenue: crm::Money,
    margin: Option<crm::Money>,
    id: Option<(usize, usize)>,
}

/// The largest scale and number of whole digits among the amounts.
#[derive(Debug, Default)]
struct Size {
    scale: u32,
    whole: u32,
}

impl Size {
    fn add(&mut self, m: crm::Money) {
        let d = m.as_decimal();
        self.scale = self.scale.max(d.scale());
        self.whole = self.whole.max(crm::parquet::digits(d, 0));
    }

    /// Precision and scale of a DECIMAL that holds every amount.
    fn decimal(&self) -> (u8, u32) {
        let precision = if self.whole + self.scale <= 18 {
            18
        } else {
            38
        };
        (precision, self.scale)
    }
}

/// Writes `out` through `fill` (rows sorted by customer and date when
/// `sorted`, which the file then declares); a file that could not be
/// written whole is removed, never left to be read as data.
fn write(
    out: &std::path::Path,
    precision: u8,
    scale: u32,
    sorted: bool,
    fill: impl FnOnce(
        &mut crm::parquet::TransactionWriter<std::io::BufWriter<std::fs::File>>,
    ) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let _step = crate::progress::step(format!("writing {}", out.display()));
    let written = |file: std::fs::File| -> anyhow::Result<()> {
        let mut w = crm::parquet::TransactionWriter::with_layout(
            std::io::BufWriter::with_capacity(1 << 20, file),
            precision,
            scale,
            sorted,
        )?;
        fill(&mut w)?;
        w.finish()?.flush()?;
        Ok(())
    };
    // A regular file (or none yet) is written beside it under a temporary
    // name and renamed over it when whole: a failed or killed conversion
    // leaves the old file as it was, and nothing half written. Anything
    // else (a device, a pipe, a link) is written in place and never
    // removed: it is not ours.
    let regular = match std::fs::symlink_metadata(out) {
        Ok(m) => m.file_type().is_file(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    };
    if !regular {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(out)
            .with_context(|| format!("cannot open {}", out.display()))?;
        return written(file).map_err(|e| e.context(format!("cannot write {}", out.display())));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".crm-convert-").suffix(".parquet.tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As `File::create` makes a file: 0o666 less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create {}", out.display()))?;
    let file = tmp
        .as_file()
        .try_clone()
        .with_context(|| format!("cannot create {}", out.display()))?;
    written(file).map_err(|e| e.context(format!("cannot write {}", out.display())))?;
    tmp.persist(out)
        .map_err(|e| anyhow::Error::new(e.error))
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

/// Reports what was written, and the rows skipped.
fn finish(
    a: &ConvertArgs,
    written: anyhow::Result<crm::csv::ImportReport>,
    precision: u8,
    scale: u32,
) -> Outcome {
    let report = written?;
    report_rejects(&a.csv, std::slice::from_ref(&report))?;
    note!(
        "crm: wrote {} transactions to {} (money as DECIMAL({precision}, {scale}))",
        report.imported,
        a.out.display()
    );
    Ok(())
}

/// Converts in the CSV's order, reading it twice: once for the size of
/// the amounts, once to write the rows. An input that can be read once
/// only (standard input, a FIFO, a process substitution such as `<(...)`)
/// is spooled to a temporary file for that.
fn streamed(a: ConvertArgs) -> Outcome {
    let options = import_options(&a.csv)?;
    let mut path = Some(a.transactions.clone());
    let _spool = spool_stdin(&mut path)?;
    let path = path.unwrap_or_default();
    let name = name_of(&a.transactions).to_path_buf();
    let mut size = Size::default();
    {
        let _step = crate::progress::step(format!("scanning {}", name.display()));
        let mut records = crm::csv::transactions(open_input(&path)?, &name, &options)
            .context("cannot read the transactions")?;
        for t in records.by_ref() {
            let t = t.context("cannot read the transactions")?;
            size.add(t.revenue);
            if let Some(m) = t.margin {
                size.add(m);
            }
        }
    }
    let (precision, scale) = size.decimal();
    let mut report = crm::csv::ImportReport::empty(&name);
    let written = write(&a.out, precision, scale, false, |w| {
        let mut records = crm::csv::transactions(open_input(&path)?, &name, &options)?;
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
        Ok(())
    });
    finish(&a, written.map(|()| report), precision, scale)
}

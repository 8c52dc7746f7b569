//! Rendering results for people and programs: terminal tables, JSON, CSV.
//! One module per result; the helpers here are shared by all of them.

pub(crate) mod funnel;
pub(crate) mod migration;
pub(crate) mod ops;
pub(crate) mod pyramid;
pub(crate) mod strategy;
pub(crate) mod terminal;

use std::io::Write;

use anyhow::Context;
use comfy_table::{Cell, CellAlignment};
use crm::Money;
use crm::report::Lang;

pub(crate) use terminal::sanitize;

/// Standard output, buffered: for text meant for people (`people`: tables
/// and reports), sanitized for a terminal (see [`terminal`]); for JSON and
/// CSV, exact.
pub(crate) fn stdout(people: bool) -> Box<dyn Write> {
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if people {
        Box::new(terminal::Sanitizing::new(out))
    } else {
        Box::new(out)
    }
}

/// Standard output for `format`: as [`stdout`] for tables (for people),
/// JSON and CSV; for Parquet, a [`ParquetOut`] that takes the CSV the
/// command writes and writes it as Parquet when flushed. Parquet from a
/// `crm` built without the `parquet` feature is a usage error here, before
/// the command reads anything.
pub(crate) fn stdout_for(format: crate::args::Format) -> Result<Box<dyn Write>, crate::Failure> {
    use crate::args::Format;
    match format {
        Format::Parquet if !cfg!(feature = "parquet") => Err(crate::options::usage(
            "--format parquet needs crm built with the parquet feature \
             (cargo install crm-cli --features parquet)",
        )),
        Format::Parquet => Ok(Box::new(ParquetOut::default())),
        f => Ok(stdout(f == Format::Table)),
    }
}

/// Standard output as Parquet: collects the CSV table a command writes
/// (its one CSV renderer defines the columns) and, when flushed, writes the
/// same table as Parquet, each column typed from its values (see
/// `crm::parquet::Column::infer`): decimals as DECIMAL with the scale of
/// the data, whole numbers as INT64, dates as DATE, text as UTF8, empty
/// cells as nulls. The formula protection of the CSV (a leading `'`) is
/// taken off again: Parquet is not opened by spreadsheets as text.
///
/// Parquet is binary: a terminal is refused, standard output must go to a
/// file or a pipe.
#[derive(Debug, Default)]
pub(crate) struct ParquetOut {
    csv: Vec<u8>,
}

impl Write for ParquetOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.csv.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.csv.is_empty() {
            return Ok(());
        }
        let csv = std::mem::take(&mut self.csv);
        parquet_of_csv(&csv)
    }
}

/// Writes the CSV table `csv` to standard output as Parquet.
#[cfg(feature = "parquet")]
fn parquet_of_csv(csv: &[u8]) -> std::io::Result<()> {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        return Err(std::io::Error::other(
            "Parquet is binary: redirect standard output to a file (> result.parquet)",
        ));
    }
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(csv);
    let header: Vec<String> = r
        .headers()
        .map_err(std::io::Error::other)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            std::io::Error::other(format!(
                "this output is not one table, Parquet cannot hold it: {e}"
            ))
        })?;
        for (col, cell) in cells.iter_mut().zip(rec.iter()) {
            col.push(unprotected(cell).to_string());
        }
    }
    let columns: Vec<crm::parquet::Column> = header
        .into_iter()
        .zip(&cells)
        .map(|(name, values)| crm::parquet::Column::infer(name, values.iter().map(String::as_str)))
        .collect();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    crm::parquet::write_table(&mut out, &columns).map_err(std::io::Error::other)?;
    out.flush()
}

/// A cell without the `'` the CSV writer puts before what looks like a
/// formula.
#[cfg(feature = "parquet")]
fn unprotected(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if crm::csv::is_formula_like(rest) => rest,
        _ => cell,
    }
}

#[cfg(not(feature = "parquet"))]
fn parquet_of_csv(_csv: &[u8]) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "--format parquet needs crm built with the parquet feature (cargo install crm-cli --features parquet)",
    ))
}

/// Money for people: rounded to cents, thousands grouped with `,`.
pub(crate) fn human(m: Money) -> String {
    grouped(&m.round_dp(2).to_string())
}

/// A decimal number's text (`-1234567.891`) with its thousands grouped
/// with `,` (`-1,234,567.891`).
fn grouped(s: &str) -> String {
    let (sign, digits) = s.strip_prefix('-').map_or(("", s), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Money with every recorded decimal: as is in English (`1234.5`),
/// grouped in Dutch (`1.234,5`).
pub(crate) fn exact_in(lang: Lang, m: Money) -> String {
    match lang {
        Lang::En => m.to_string(),
        _ => lang.local(&grouped(&m.to_string())),
    }
}

/// Money for people in `lang`: as [`human`], with the separators swapped
/// in Dutch (`1.234,56`).
pub(crate) fn human_in(lang: Lang, m: Money) -> String {
    local(lang, human(m))
}

/// A number written the English way (`1,234.5`) in `lang`'s way.
pub(crate) fn local(lang: Lang, s: String) -> String {
    match lang {
        Lang::En => s,
        _ => lang.local(&s),
    }
}

/// `x` with `decimals` decimals in `lang`: plain in English (`1234.50`),
/// thousands grouped in Dutch (`1.234,50`).
pub(crate) fn fixed(lang: Lang, x: f64, decimals: usize) -> String {
    match lang {
        Lang::En => format!("{x:.decimals$}"),
        _ => lang.numbers().format(x, decimals),
    }
}

/// A weighted count (a whole number in practice) in `lang`: whole
/// numbers as [`fixed`] writes them, fractions with every digit.
pub(crate) fn weight_in(lang: Lang, x: f64) -> String {
    if x.fract() == 0.0 {
        fixed(lang, x, 0)
    } else {
        local(lang, x.to_string())
    }
}

/// A share (0.256) as a percentage with one decimal (`25.6%`, `25,6%`).
pub(crate) fn percent_in(lang: Lang, share: f64) -> String {
    local(lang, format!("{:.1}%", share * 100.0))
}

/// Replaces the `{name}` placeholders of a catalogue template.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A level's name in `lang`: the library's name in English (`top`), the
/// catalogue's in other languages (`Groot`).
pub(crate) fn level_in(lang: Lang, english: &'static str) -> &'static str {
    match lang {
        Lang::En => english,
        _ => lang.level(english),
    }
}

/// A count in `lang`: plain in English (`12345`), thousands grouped in
/// Dutch (`12.345`).
pub(crate) fn count_in(lang: Lang, n: u64) -> String {
    match lang {
        Lang::Nl => lang.count(n),
        _ => n.to_string(),
    }
}

/// A signed count (`+12`, `-3`, `0`) in `lang`.
pub(crate) fn signed_count_in(lang: Lang, n: i64) -> String {
    let s = count_in(lang, n.unsigned_abs());
    match n.signum() {
        1 => format!("+{s}"),
        -1 => format!("-{s}"),
        _ => s,
    }
}

/// Money with a sign when positive (`+1,234.50`), in `lang`.
pub(crate) fn signed_money_in(lang: Lang, m: Money) -> String {
    if m.is_positive() {
        format!("+{}", human_in(lang, m))
    } else {
        human_in(lang, m)
    }
}

/// A CSV writer (formula protection on) onto standard output, whose write
/// errors say "standard output".
pub(crate) fn csv_writer<W: Write>(out: W) -> crm::csv::Writer<W> {
    let mut w = crm::csv::Writer::new(out);
    w.name("standard output");
    w
}

/// Writes a CSV table (with formula protection) of `N` columns.
pub(crate) fn csv_table<const N: usize>(
    out: &mut impl Write,
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> anyhow::Result<()> {
    let mut w = crate::output::csv_writer(out);
    w.write_row(header)?;
    for row in rows {
        w.write_row(row)?;
    }
    w.flush()?;
    Ok(())
}

/// `value` as one line of JSON.
pub(crate) fn write_json(
    out: &mut impl Write,
    value: &impl serde::Serialize,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, value).context("cannot write the output")?;
    writeln!(out).context("cannot write the output")?;
    Ok(())
}

/// An empty terminal table in the house style.
pub(crate) fn grid() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}

/// A right-aligned table cell.
pub(crate) fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

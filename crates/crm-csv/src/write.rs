use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Whether a cell could be read as a formula by a spreadsheet: it starts
/// with `=`, `+`, `-`, `@`, tab or carriage return, and is not a plain
/// number (`-12.50` is data, not a formula, and must stay numeric).
pub fn is_formula_like(cell: &str) -> bool {
    let Some(first) = cell.bytes().next() else {
        return false;
    };
    if !matches!(first, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') {
        return false;
    }
    !is_plain_number(cell)
}

fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut seen_digit = false;
    let mut seen_point = false;
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_point => seen_point = true,
            _ => return false,
        }
    }
    seen_digit
}

/// A CSV writer for exports, with spreadsheet formula-injection protection
/// on by default: a cell that [looks like a formula](is_formula_like) is
/// written with a leading `'`, so that a spreadsheet shows it as text.
///
/// ```
/// use crm_csv::Writer;
///
/// let mut out = Vec::new();
/// let mut w = Writer::new(&mut out);
/// w.write_row(["customer", "value"])?;
/// w.write_row(["=HYPERLINK(\"x\")", "-12.50"])?;
/// w.flush()?;
/// drop(w);
/// assert_eq!(String::from_utf8(out)?, "customer,value\n\"'=HYPERLINK(\"\"x\"\")\",-12.50\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Writer<W: Write> {
    inner: csv::Writer<W>,
    file: PathBuf,
    sanitize: bool,
    scratch: Vec<String>,
}

impl Writer<File> {
    /// Creates (or truncates) `path` and writes to it.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be created.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Writer<File>> {
        let path = path.as_ref();
        let f = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut w = Writer::new(f);
        w.file = path.to_path_buf();
        Ok(w)
    }
}

impl<W: Write> Writer<W> {
    /// A writer with `,` delimiter and formula protection on.
    pub fn new(w: W) -> Writer<W> {
        Writer::with_delimiter(w, b',')
    }

    /// A writer with another delimiter (`;` for decimal-comma locales).
    /// Rows may differ in length.
    pub fn with_delimiter(w: W, delimiter: u8) -> Writer<W> {
        Writer {
            inner: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_writer(w),
            file: PathBuf::from("<output>"),
            sanitize: true,
            scratch: Vec::new(),
        }
    }

    /// Names the destination in this writer's errors (`Error::Io`'s
    /// `file`): a writer made by [`Writer::new`] or
    /// [`Writer::with_delimiter`] does not know where its bytes go and
    /// says `<output>`; [`Writer::from_path`] names its file.
    pub fn name(&mut self, destination: impl Into<PathBuf>) -> &mut Self {
        self.file = destination.into();
        self
    }

    /// Turns formula protection on (default) or off. Off is for files
    /// read by programs only, never by spreadsheets.
    pub fn sanitize(&mut self, on: bool) -> &mut Self {
        self.sanitize = on;
        self
    }

    /// Writes one row.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] on a write error.
    pub fn write_row<I, S>(&mut self, row: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let result = if self.sanitize {
            self.scratch.clear();
            for cell in row {
                let c = cell.as_ref();
                self.scratch.push(if is_formula_like(c) {
                    format!("'{c}")
                } else {
                    c.to_string()
                });
            }
            self.inner.write_record(&self.scratch)
        } else {
            self.inner
                .write_record(row.into_iter().map(|c| c.as_ref().to_string()))
        };
        result.map_err(|e| self.error(e))
    }

    /// Flushes buffered rows.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] on a write error.
    pub fn flush(&mut self) -> Result<()> {
        self.inner.flush().map_err(|e| Error::io(&self.file, e))
    }

    fn error(&self, e: csv::Error) -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(&self.file, io),
            other => Error::io(&self.file, std::io::Error::other(format!("{other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells() {
        for f in [
            "=1+1", "+A1", "-A1", "@SUM(A1)", "\tx", "\rx", "-", "+", "-1e3", "=-1",
        ] {
            assert!(is_formula_like(f), "{f:?}");
        }
        for ok in ["", "abc", "12.50", "-12.50", "+3", "-0.5", "a=b", "'=x"] {
            assert!(!is_formula_like(ok), "{ok:?}");
        }
    }
}

//! The header row: BOM, delimiter detection, column lookup.

use std::io::Read;
use std::path::Path;

use crate::options::ImportOptions;
use crate::parse::trim;
use crate::reader::{BOM, RecordReader};
use crate::{Error, Location, Problem, Result};

/// The most bytes read to find the header row.
pub(crate) const PREFIX: usize = 64 * 1024;

/// The most characters of the header quoted in a missing-column error.
const FOUND_MAX: usize = 200;

/// The header of a file and where its data starts.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub names: Vec<String>,
    pub delimiter: u8,
    /// Byte offset of the line after the header (after BOM and header).
    pub data_start: u64,
    /// The 1-based line number of that line.
    pub data_line: u64,
}

/// Picks the delimiter of a CSV file from its first bytes, as the readers
/// of this crate do: among `,`, `;` and tab, the one that occurs most
/// often in the first line outside quotes; `,` on a tie or when none
/// occurs. For CSV files of one's own that should read like the others
/// (`;` where a decimal comma is used).
///
/// ```
/// assert_eq!(crm_csv::sniff_delimiter(b"customer;rule;status\nC1;r;done\n"), b';');
/// assert_eq!(crm_csv::sniff_delimiter(b"\"a;b\",c\n"), b',');
/// ```
pub fn sniff_delimiter(prefix: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in prefix {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let cands = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    cands[best]
}

pub(crate) fn bom_len(prefix: &[u8]) -> usize {
    if prefix.starts_with(BOM) {
        BOM.len()
    } else {
        0
    }
}

/// Reads the first bytes of `r` (up to 64 KiB) for sniffing.
pub(crate) fn read_prefix(r: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(PREFIX);
    r.by_ref().take(PREFIX as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Parses the header from `bytes`, the first bytes of the file (BOM
/// included, as [`read_prefix`] reads them): they hold the whole header
/// row, or the whole file when shorter.
///
/// # Errors
///
/// [`Error::Empty`], an unusable delimiter, or a header row longer than
/// the prefix.
pub(crate) fn parse_header(file: &Path, bytes: &[u8], options: &ImportOptions) -> Result<Header> {
    let bom = bom_len(bytes);
    let body = &bytes[bom..];
    if trim(body).is_empty() {
        return Err(Error::Empty {
            file: file.to_path_buf(),
        });
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(body));
    if matches!(delimiter, b'"' | b'\n' | b'\r') {
        return Err(Error::Option(format!(
            "delimiter {:?} is not usable",
            char::from(delimiter)
        )));
    }
    let mut rdr = RecordReader::new(std::io::empty(), delimiter, body.to_vec(), 1);
    let mut rec = csv::ByteRecord::new();
    // The reader reads from memory: no I/O error can come.
    let got = rdr.read(&mut rec).ok().flatten();
    if got.is_none() {
        return Err(Error::Empty {
            file: file.to_path_buf(),
        });
    }
    rdr.finish_line();
    let data_start = bom as u64 + rdr.consumed();
    // The header must end inside the prefix, with room to see that a `\r`
    // is not followed by a `\n`; else it is longer than the prefix.
    if bytes.len() == PREFIX && data_start + 1 >= PREFIX as u64 {
        return Err(Error::from(crate::BadRow {
            location: Location {
                file: file.to_path_buf(),
                line: 1,
                column: None,
                field: None,
            },
            problem: Problem::Syntax("the header row is longer than 64 KiB".into()),
        }));
    }
    let names: Vec<String> = rec
        .iter()
        .map(|f| String::from_utf8_lossy(trim(f)).into_owned())
        .collect();
    Ok(Header {
        names,
        delimiter,
        data_start,
        data_line: rdr.line(),
    })
}

impl Header {
    /// The index of the column for `field`, honouring the mapping.
    pub fn find(&self, options: &ImportOptions, field: &str) -> Option<usize> {
        let want = options.header_for(field);
        self.names.iter().position(|n| n.eq_ignore_ascii_case(want))
    }

    /// Like [`Header::find`] but the column must exist.
    pub fn require(&self, file: &Path, options: &ImportOptions, field: &str) -> Result<usize> {
        self.find(options, field)
            .ok_or_else(|| Error::MissingColumn {
                file: file.to_path_buf(),
                column: options.header_for(field).to_string(),
                found: self.found(),
            })
    }

    /// The header's columns for a message, comma separated, cut after
    /// [`FOUND_MAX`] characters: a binary file (a gzipped export, say) has
    /// a "header" of up to 64 KiB.
    fn found(&self) -> String {
        let all = self.names.join(", ");
        if all.chars().count() <= FOUND_MAX {
            return all;
        }
        let mut cut: String = all.chars().take(FOUND_MAX).collect();
        cut.push_str("...");
        cut
    }

    /// Fails when two columns have the same name (ignoring case).
    pub fn check_unique(&self, file: &Path) -> Result<()> {
        for (i, a) in self.names.iter().enumerate() {
            if !a.is_empty() && self.names[..i].iter().any(|b| b.eq_ignore_ascii_case(a)) {
                return Err(Error::DuplicateColumn {
                    file: file.to_path_buf(),
                    column: a.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c"), b',');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }
}

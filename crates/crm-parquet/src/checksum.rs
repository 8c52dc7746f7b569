//! Checksums of the column chunks written by
//! [`TransactionWriter`](crate::TransactionWriter), kept in the file's
//! key-value metadata and checked before a chunk is decoded.
//!
//! The Parquet format has an optional CRC in each page header, but the
//! writer of the `parquet` crate does not fill it in (its reader checks it
//! when present, and ours does: feature `crc`). So that a flipped byte
//! inside a data page of our files is an error rather than a wrong amount,
//! the writer also records a CRC-32 (the IEEE polynomial of Parquet's page
//! checksums, and of zip and PNG) of every column chunk under the key
//! [`KEY`]: row groups separated by `;`, their columns by `,`, each as
//! eight hexadecimal digits. Files of other writers simply do not have it.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData};

use crate::{Error, Result};

/// The key of the checksums in the file's key-value metadata.
pub(crate) const KEY: &str = "crm.column_chunk_crc32";

/// A writer that keeps the bytes of the row group being written, so that
/// the checksums of its column chunks can be computed once its layout is
/// known.
#[derive(Debug)]
pub(crate) struct Keeping<W> {
    pub inner: W,
    /// Bytes written to `inner` so far.
    pub position: u64,
    /// The bytes from `kept_from` on.
    pub kept: Vec<u8>,
    pub kept_from: u64,
}

impl<W> Keeping<W> {
    pub fn new(inner: W) -> Keeping<W> {
        Keeping {
            inner,
            position: 0,
            kept: Vec::new(),
            kept_from: 0,
        }
    }

    /// Forgets what was kept: keeping starts again at the position.
    pub fn restart(&mut self) {
        self.kept.clear();
        self.kept_from = self.position;
    }

    /// The checksum of one column chunk, all of whose bytes were kept.
    pub fn chunk(&self, column: &ColumnChunkMetaData) -> Option<u32> {
        let (start, len) = range(column)?;
        let from = usize::try_from(start.checked_sub(self.kept_from)?).ok()?;
        let bytes = self.kept.get(from..from.checked_add(len)?)?;
        Some(crc32fast::hash(bytes))
    }
}

impl<W: Write> Write for Keeping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        self.position += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Where a column chunk's bytes are: its first page (the dictionary's,
/// when it has one) and its compressed size.
fn range(column: &ColumnChunkMetaData) -> Option<(u64, usize)> {
    let start = column
        .dictionary_page_offset()
        .unwrap_or_else(|| column.data_page_offset());
    Some((
        u64::try_from(start).ok()?,
        usize::try_from(column.compressed_size()).ok()?,
    ))
}

/// The metadata value of the checksums of every row group.
pub(crate) fn value(groups: &[Vec<u32>]) -> String {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|c| format!("{c:08x}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The checksums a file carries, by row group and column: `None` for a
/// file without them (another writer's); an error when the value is there
/// but does not match the file's layout (itself damaged).
pub(crate) fn of(file: &Path, meta: &ParquetMetaData) -> Result<Option<Vec<Vec<u32>>>> {
    let Some(v) = meta
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == KEY))
        .and_then(|kv| kv.value.as_deref())
    else {
        return Ok(None);
    };
    let damaged = || {
        Error::format(
            file,
            format!("its column checksums ({KEY}) do not match its layout"),
        )
    };
    let groups: Vec<Vec<u32>> = if v.is_empty() {
        Vec::new()
    } else {
        v.split(';')
            .map(|g| {
                g.split(',')
                    .map(|c| u32::from_str_radix(c, 16).map_err(|_| damaged()))
                    .collect()
            })
            .collect::<Result<_>>()?
    };
    let fits = groups.len() == meta.num_row_groups()
        && groups
            .iter()
            .zip(meta.row_groups())
            .all(|(g, rg)| g.len() == rg.num_columns());
    if !fits {
        return Err(damaged());
    }
    Ok(Some(groups))
}

/// Checks the chunks of `columns` in row group `group` against `sums`,
/// reading them from `f`.
pub(crate) fn verify(
    file: &Path,
    f: &mut std::fs::File,
    meta: &ParquetMetaData,
    sums: &[Vec<u32>],
    group: usize,
    columns: impl IntoIterator<Item = usize>,
) -> Result<()> {
    let rg = meta.row_group(group);
    let mut buf = Vec::new();
    for c in columns {
        let chunk = rg.column(c);
        let damaged = |what: &str| Error::Checksum {
            file: file.to_path_buf(),
            row_group: group,
            column: chunk.column_path().string(),
            what: what.to_string(),
        };
        let (start, len) = range(chunk).ok_or_else(|| damaged("its position is not valid"))?;
        buf.clear();
        buf.try_reserve(len).map_err(|e| Error::format(file, e))?;
        f.seek(SeekFrom::Start(start))
            .map_err(|e| Error::io(file, e))?;
        let got = Read::by_ref(f)
            .take(len as u64)
            .read_to_end(&mut buf)
            .map_err(|e| Error::io(file, e))?;
        if got != len {
            return Err(damaged("the file ends inside it"));
        }
        let want = sums[group][c];
        let found = crc32fast::hash(&buf);
        if found != want {
            return Err(damaged(&format!(
                "its checksum is {found:08x}, the file says {want:08x}"
            )));
        }
    }
    Ok(())
}

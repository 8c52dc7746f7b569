//! The parallel record scanner.
//!
//! A file is cut into byte ranges, one per thread, at line starts; each
//! thread parses its range with its own csv reader and its own sink. A cut
//! that falls inside a quoted field (one holding a newline) would make the
//! next range start mid-record, so every range is *verified*: the thread
//! before it, which starts at a true record start, must see a record start
//! exactly at the cut. When one does not, the work after the first bad cut
//! is thrown away and the rest of the file is read on one thread from the
//! true record start. The result is therefore exactly that of one
//! sequential read, whatever the file holds.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::header::Header;
use crate::{Error, Location, Mode, Problem, Reject, Result};

/// A problem with one field (0-based column) or the whole row.
pub(crate) type RowError = (Option<usize>, Problem);

/// A row error found after the row was taken (a batch is recorded
/// later): its line (relative to the range), the error, the row.
pub(crate) type LateError = (u64, RowError, Vec<String>);

/// What consumes the records of one range.
pub(crate) trait Sink: Send + Sized {
    /// Takes one record (already checked to have the header's length) at
    /// `line`. Errors found at once are returned; errors found when a
    /// batch is recorded go to [`Sink::late`].
    fn row(&mut self, rec: &csv::ByteRecord, line: u64) -> std::result::Result<(), RowError>;
    /// Records whatever is batched.
    fn flush(&mut self) {}
    /// Errors found while recording batches, oldest first.
    fn late(&mut self) -> Option<&mut Vec<LateError>> {
        None
    }
    /// A new, empty sink like this one, for another range.
    fn fresh(&self) -> Self;
    /// Adds what `later` (a following range) consumed.
    fn absorb(&mut self, later: Self) -> std::result::Result<(), Problem>;
}

/// Below this many bytes per thread, one thread reads the file.
const MIN_CHUNK: u64 = 4 << 20;
/// The csv reader's buffer.
const BUFFER: usize = 256 << 10;

/// Counts of a finished scan.
#[derive(Debug, Default)]
pub(crate) struct Scanned {
    pub rows: u64,
    pub rejects: Vec<Reject>,
    pub threads: usize,
}

struct Part<S> {
    sink: S,
    rows: u64,
    /// Rejects with lines relative to the range start (1-based).
    rejects: Vec<Reject>,
    /// The first error in strict mode, line relative.
    error: Option<(u64, RowError, Vec<String>)>,
    /// Byte offset of the first record at or after the range end, or the
    /// file length when the reader ran out.
    next_start: u64,
}

fn record_strings(rec: &csv::ByteRecord) -> Vec<String> {
    rec.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// Parses records starting in `[start, end)` of `reader` (positioned at
/// `start`).
fn run<S: Sink, R: Read>(
    reader: R,
    start: u64,
    end: u64,
    header: &Header,
    mode: Mode,
    mut sink: S,
) -> Part<S> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(header.delimiter)
        .buffer_capacity(BUFFER)
        .from_reader(reader);
    let mut rec = csv::ByteRecord::new();
    let width = header.names.len();
    let mut rows = 0;
    let mut rejects = Vec::new();
    let mut error = None;
    let mut next_start = end;
    loop {
        let line_before = rdr.position().line();
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => {
                next_start = start + rdr.position().byte();
                break;
            }
            Ok(true) => {}
            Err(e) => {
                // Byte records have no UTF-8 check, so this is I/O.
                let line = e.position().map_or(line_before, csv::Position::line);
                error = Some((line, (None, Problem::Syntax(e.to_string())), Vec::new()));
                break;
            }
        }
        let pos = rec.position().map_or(0, csv::Position::byte);
        let line = rec.position().map_or(line_before, csv::Position::line);
        if start + pos >= end {
            next_start = start + pos;
            break;
        }
        rows += 1;
        let outcome = if rec.len() == width {
            sink.row(&rec, line)
        } else {
            Err((
                None,
                Problem::RowLength {
                    expected: width,
                    found: rec.len(),
                },
            ))
        };
        if mode == Mode::Strict && sink.late().is_some_and(|l| !l.is_empty()) {
            error = sink.late().and_then(|l| l.drain(..).next());
            break;
        }
        if let Err(err) = outcome {
            match mode {
                Mode::Strict => {
                    // A row before this one may fail when its batch is
                    // recorded: that error comes first.
                    sink.flush();
                    error = sink.late().and_then(|l| l.drain(..).next());
                    error.get_or_insert((line, err, record_strings(&rec)));
                    break;
                }
                Mode::Lenient => rejects.push(Reject {
                    location: Location {
                        file: Default::default(),
                        line,
                        column: err.0.map(|c| c + 1),
                        field: err.0.and_then(|c| header.names.get(c).cloned()),
                    },
                    problem: err.1,
                    record: record_strings(&rec),
                }),
            }
        }
    }
    if error.is_none() {
        sink.flush();
        if let Some(late) = sink.late() {
            match mode {
                Mode::Strict => error = late.drain(..).next(),
                Mode::Lenient => {
                    for (line, (col, problem), record) in late.drain(..) {
                        rejects.push(Reject {
                            location: Location {
                                file: Default::default(),
                                line,
                                column: col.map(|c| c + 1),
                                field: col.and_then(|c| header.names.get(c).cloned()),
                            },
                            problem,
                            record,
                        });
                    }
                    rejects.sort_by_key(|r| r.location.line);
                }
            }
        }
    }
    Part {
        sink,
        rows,
        rejects,
        error,
        next_start,
    }
}

fn open_at(path: &Path, offset: u64) -> std::io::Result<File> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    Ok(f)
}

/// 1-based line number of byte `offset`: one plus the newlines before it.
fn line_at(path: &Path, offset: u64) -> Result<u64> {
    let mut f =
        BufReader::with_capacity(1 << 20, File::open(path).map_err(|e| Error::io(path, e))?)
            .take(offset);
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 1u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(lines);
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}

/// Cut points: line starts near equal shares of `[start, len)`, not on a
/// blank line.
fn cuts(path: &Path, start: u64, len: u64, threads: usize) -> Result<Vec<u64>> {
    let mut out = vec![start];
    let share = (len - start) / threads as u64;
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    for k in 1..threads {
        let raw = start + share * k as u64;
        if raw <= *out.last().unwrap_or(&start) {
            continue;
        }
        f.seek(SeekFrom::Start(raw))
            .map_err(|e| Error::io(path, e))?;
        let mut at = raw;
        let mut seen_newline = false;
        'scan: loop {
            let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
            if n == 0 {
                at = len;
                break;
            }
            for &b in &buf[..n] {
                if seen_newline && b != b'\n' && b != b'\r' {
                    break 'scan;
                }
                if b == b'\n' {
                    seen_newline = true;
                }
                at += 1;
            }
        }
        if at < len {
            out.push(at);
        }
    }
    Ok(out)
}

fn threads_for(requested: usize, bytes: u64) -> usize {
    let cores = if requested == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    } else {
        requested
    };
    let by_size = usize::try_from(bytes / MIN_CHUNK)
        .unwrap_or(usize::MAX)
        .max(1);
    cores.min(by_size).max(1)
}

/// Reads every data record of `path` into `sink`, on several threads when
/// the file is large, with the result of a sequential read.
pub(crate) fn scan_file<S: Sink>(
    path: &Path,
    header: &Header,
    mode: Mode,
    threads: usize,
    sink: &mut S,
) -> Result<Scanned> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let start = header.data_start.min(len);
    let threads = threads_for(threads, len - start);
    let cuts = if threads > 1 {
        cuts(path, start, len, threads)?
    } else {
        vec![start]
    };
    let ends: Vec<u64> = cuts.iter().skip(1).copied().chain([len]).collect();

    let main = std::mem::replace(sink, sink.fresh());
    let mut parts: Vec<Result<Part<S>>> = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        let mut first = Some(main);
        for (i, (&a, &b)) in cuts.iter().zip(&ends).enumerate() {
            let s = if i == 0 { first.take() } else { None };
            let fresh = s.unwrap_or_else(|| sink.fresh());
            handles.push(scope.spawn(move || {
                let file = open_at(path, a).map_err(|e| Error::io(path, e))?;
                Ok(run(file, a, b, header, mode, fresh))
            }));
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });

    let mut out = Scanned {
        threads: cuts.len(),
        ..Scanned::default()
    };
    let mut parts_iter = parts.drain(..).enumerate();
    let (_, first) = parts_iter.next().expect("at least one range");
    let mut acc = first?;
    let mut acc_start = cuts[0];
    loop {
        finish_part(path, header, acc_start, &mut acc, &mut out)?;
        match parts_iter.next() {
            Some((i, next)) if acc.next_start == cuts[i] => {
                let mut next = next?;
                let sink_next = std::mem::replace(&mut next.sink, sink.fresh());
                acc.sink.absorb(sink_next).map_err(|problem| {
                    Error::from(crate::BadRow {
                        location: Location {
                            file: path.to_path_buf(),
                            line: 0,
                            column: None,
                            field: None,
                        },
                        problem,
                    })
                })?;
                acc.rows = 0;
                acc.rejects.clear();
                acc.rows = next.rows;
                acc.rejects = std::mem::take(&mut next.rejects);
                acc.error = next.error.take();
                acc.next_start = next.next_start;
                acc_start = cuts[i];
            }
            Some(_) if acc.next_start < len => {
                // A misaligned cut: read the rest on this thread.
                let resume = acc.next_start;
                let file = open_at(path, resume).map_err(|e| Error::io(path, e))?;
                let rest = run(
                    file,
                    resume,
                    u64::MAX,
                    header,
                    mode,
                    std::mem::replace(&mut acc.sink, sink.fresh()),
                );
                let Part {
                    sink: s,
                    rows,
                    rejects,
                    error,
                    next_start,
                } = rest;
                acc.sink = s;
                acc.rows = rows;
                acc.rejects = rejects;
                acc.error = error;
                acc.next_start = next_start;
                acc_start = resume;
                finish_part(path, header, acc_start, &mut acc, &mut out)?;
                break;
            }
            _ => break,
        }
    }
    *sink = acc.sink;
    Ok(out)
}

/// Moves a verified part's counts and rejects into `out`, making lines
/// absolute; turns a strict-mode error into the import's error.
fn finish_part<S: Sink>(
    path: &Path,
    header: &Header,
    start: u64,
    part: &mut Part<S>,
    out: &mut Scanned,
) -> Result<()> {
    out.rows += part.rows;
    let needs_lines = part.error.is_some() || !part.rejects.is_empty();
    let base = if needs_lines {
        line_at(path, start)? - 1
    } else {
        0
    };
    if let Some((line, (col, problem), _)) = part.error.take() {
        return Err(Error::from(crate::BadRow {
            location: Location {
                file: path.to_path_buf(),
                line: base + line,
                column: col.map(|c| c + 1),
                field: col.and_then(|c| header.names.get(c).cloned()),
            },
            problem,
        }));
    }
    for mut r in part.rejects.drain(..) {
        r.location.file = path.to_path_buf();
        r.location.line += base;
        out.rejects.push(r);
    }
    part.rows = 0;
    Ok(())
}

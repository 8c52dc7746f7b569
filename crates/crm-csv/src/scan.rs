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
//!
//! Inputs that can be read only once (pipes, FIFOs, standard input) are
//! read by the same code on one thread, in one pass: the header's bytes
//! are not read again, and nothing seeks.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::header::Header;
use crate::reader::{BOM, LineCounter, RecordReader};
use crate::{Error, Location, Mode, Problem, Reject, Result};

/// A problem with one field (0-based column) or the whole row.
pub(crate) type RowError = (Option<usize>, Problem);

/// A row error found after the row was taken (a batch is recorded
/// later): its line (relative to the range), the error, the row.
pub(crate) type LateError = (u64, RowError, Vec<String>);

/// The fields of one record, however it was split: by the csv reader (a
/// `csv::ByteRecord`) or, for a line without quotes, in place
/// ([`Split`]).
pub(crate) trait Fields {
    /// The number of fields.
    fn len(&self) -> usize;
    /// Field `i`, if there is one.
    fn get(&self, i: usize) -> Option<&[u8]>;
    /// Every field as text (invalid UTF-8 replaced), for a reject.
    fn strings(&self) -> Vec<String> {
        (0..self.len())
            .filter_map(|i| self.get(i))
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }
}

impl Fields for csv::ByteRecord {
    fn len(&self) -> usize {
        csv::ByteRecord::len(self)
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        csv::ByteRecord::get(self, i)
    }
}

/// A line without quotes, split at the delimiter without copying: field
/// `i` ends at `ends[i]` and starts one byte after the end of field
/// `i - 1` (at 0 for the first).
pub(crate) struct Split<'a> {
    row: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Split<'a> {
    /// Splits `row` at `delimiter`, keeping the field ends in `ends`.
    ///
    /// Rows are short (tens of bytes), where a search call per field
    /// costs more than the search: the row is read eight bytes at a time,
    /// each word's delimiters found at once (SWAR).
    pub(crate) fn new(row: &'a [u8], delimiter: u8, ends: &'a mut Vec<usize>) -> Split<'a> {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        let splat = u64::from_ne_bytes([delimiter; 8]);
        ends.clear();
        let mut words = row.chunks_exact(8);
        let mut base = 0;
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            let t = u64::from_le_bytes(word) ^ splat;
            // The high bit of each byte that was the delimiter (exact per
            // byte: no carry crosses a byte).
            let mut hits = !(((t & LOW7) + LOW7) | t | LOW7);
            while hits != 0 {
                ends.push(base + (hits.trailing_zeros() / 8) as usize);
                hits &= hits - 1;
            }
            base += 8;
        }
        for (i, &b) in words.remainder().iter().enumerate() {
            if b == delimiter {
                ends.push(base + i);
            }
        }
        ends.push(row.len());
        Split { row, ends }
    }
}

impl Fields for Split<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).map_or(0, |&e| e + 1),
            None => 0,
        };
        self.row.get(start..end)
    }
}

impl<T: Fields + ?Sized> Fields for &T {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        (**self).get(i)
    }
}

/// What consumes the records of one range.
pub(crate) trait Sink: Send + Sized {
    /// Takes one record (already checked to have the header's length) at
    /// `line`. Errors found at once are returned; errors found when a
    /// batch is recorded go to [`Sink::late`].
    fn row<F: Fields>(&mut self, rec: &F, line: u64) -> std::result::Result<(), RowError>;
    /// Records whatever is batched.
    fn flush(&mut self) {}
    /// Errors found while recording batches, oldest first.
    fn late(&mut self) -> Option<&mut Vec<LateError>> {
        None
    }
    /// A new, empty sink like this one, for another range.
    fn fresh(&self) -> Self;
    /// Adds what `later` (a following range) consumed.
    fn absorb(&mut self, later: Self) -> std::result::Result<(), Refused>;
}

/// Why [`Sink::absorb`] failed.
pub(crate) struct Refused {
    /// What went wrong.
    pub(crate) problem: Problem,
    /// The sink is as it was before the call (a sum that would overflow
    /// was found before anything was added): the later range can be read
    /// into it row by row instead, which finds the row at fault.
    pub(crate) intact: bool,
}

impl Refused {
    /// A refusal of the ledger's merge: intact when it is an overflow,
    /// which [`crm_core::Ledger::merge`] finds before changing anything.
    pub(crate) fn merge(e: crm_core::Error) -> Refused {
        Refused {
            intact: matches!(e, crm_core::Error::Overflow { .. }),
            problem: Problem::Model(e),
        }
    }
}

/// Below this many bytes per thread, one thread reads the file.
pub(crate) const MIN_CHUNK: u64 = 4 << 20;
/// The csv reader's buffer.
const BUFFER: usize = 256 << 10;

/// Counts of a finished scan.
#[derive(Debug, Default)]
pub(crate) struct Scanned {
    pub rows: u64,
    pub rejects: Vec<Reject>,
    pub threads: usize,
}

pub(crate) struct Part<S> {
    pub(crate) sink: S,
    pub(crate) rows: u64,
    /// Rejects with lines relative to the range start (1-based).
    pub(crate) rejects: Vec<Reject>,
    /// The first error in strict mode, line relative.
    pub(crate) error: Option<(u64, RowError, Vec<String>)>,
    /// Byte offset of the first record at or after the range end, or the
    /// file length when the reader ran out.
    pub(crate) next_start: u64,
    /// An I/O error that stopped the range.
    pub(crate) fatal: Option<Error>,
}

/// The consumer side of a range: the sink, and what it has taken.
struct Ctx<'h, S> {
    sink: S,
    header: &'h Header,
    mode: Mode,
    rows: u64,
    rejects: Vec<Reject>,
    error: Option<(u64, RowError, Vec<String>)>,
}

impl<'h, S: Sink> Ctx<'h, S> {
    fn new(sink: S, header: &'h Header, mode: Mode) -> Self {
        Ctx {
            sink,
            header,
            mode,
            rows: 0,
            rejects: Vec::new(),
            error: None,
        }
    }

    fn reject(&self, line: u64, (col, problem): RowError, record: Vec<String>) -> Reject {
        Reject {
            location: Location {
                file: Default::default(),
                line,
                column: col.map(|c| c + 1),
                field: col.and_then(|c| self.header.names.get(c).cloned()),
            },
            problem,
            record,
        }
    }

    /// Takes one record; `false` when strict mode must stop.
    fn take<F: Fields>(&mut self, rec: &F, line: u64) -> bool {
        self.take_unless(rec, line, None)
    }

    /// Takes one record, or counts it as bad with `refused` (found by the
    /// reader) without giving it to the sink; `false` when strict mode
    /// must stop.
    fn take_unless<F: Fields>(&mut self, rec: &F, line: u64, refused: Option<RowError>) -> bool {
        self.rows += 1;
        let width = self.header.names.len();
        let outcome = if let Some(err) = refused {
            Err(err)
        } else if rec.len() == width {
            self.sink.row(rec, line)
        } else {
            Err((
                None,
                Problem::RowLength {
                    expected: width,
                    found: rec.len(),
                },
            ))
        };
        if self.mode == Mode::Strict && self.sink.late().is_some_and(|l| !l.is_empty()) {
            self.error = self.sink.late().and_then(|l| l.drain(..).next());
            return false;
        }
        if let Err(err) = outcome {
            match self.mode {
                Mode::Strict => {
                    // A row before this one may fail when its batch is
                    // recorded: that error comes first.
                    self.sink.flush();
                    self.error = self.sink.late().and_then(|l| l.drain(..).next());
                    self.error.get_or_insert((line, err, rec.strings()));
                    return false;
                }
                Mode::Lenient => {
                    let r = self.reject(line, err, rec.strings());
                    self.rejects.push(r);
                }
            }
        }
        true
    }

    fn stopped(&self) -> bool {
        self.error.is_some()
    }

    fn finish(mut self, next_start: u64) -> Part<S> {
        if self.error.is_none() {
            self.sink.flush();
            let late: Vec<_> = self.sink.late().map(std::mem::take).unwrap_or_default();
            match self.mode {
                Mode::Strict => self.error = late.into_iter().next(),
                Mode::Lenient => {
                    for (line, err, record) in late {
                        let r = self.reject(line, err, record);
                        self.rejects.push(r);
                    }
                    self.rejects.sort_by_key(|r| r.location.line);
                }
            }
        }
        Part {
            sink: self.sink,
            rows: self.rows,
            rejects: self.rejects,
            error: self.error,
            next_start,
            fatal: None,
        }
    }
}

/// How the fast reader ended.
enum Fast {
    /// The range is read; the next record starts here.
    Done(u64),
    /// A quote or a lone carriage return: the csv reader takes over at
    /// this line start (byte offset, relative line), with the bytes
    /// already read from there on.
    Handover(u64, u64, Vec<u8>),
}

/// Reads from `src`, retrying when interrupted.
fn read_some(src: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match src.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Reads records of `[start, end)` from `initial` then `src` while the
/// bytes hold no quote and no lone `\r`: then every line is one record and
/// fields are split at the delimiter, exactly as the csv reader would, at
/// about twice its speed.
fn fast<S: Sink>(
    src: &mut impl Read,
    initial: Vec<u8>,
    start: u64,
    end: u64,
    ctx: &mut Ctx<'_, S>,
) -> std::io::Result<Fast> {
    let delimiter = ctx.header.delimiter;
    let mut filled = initial.len();
    let mut buf = initial;
    // Small first, larger while reads fill it (small inputs allocate
    // little), with room to read into whatever `initial` holds.
    buf.resize(filled + crate::reader::START, 0);
    let mut base = start;
    let mut line = 1u64;
    let mut ends: Vec<usize> = Vec::new();
    loop {
        let space = buf.len() - filled;
        let n = read_some(src, &mut buf[filled..])?;
        filled += n;
        let eof = n == 0;
        if n == space && buf.len() < BUFFER * 4 {
            buf.resize(buf.len() * 2, 0);
        }
        let quote = memchr::memchr(b'"', &buf[..filled]);
        // Rows are searched for a carriage return only when the buffer
        // holds one at or before their end.
        let cr = memchr::memchr(b'\r', &buf[..filled]);
        let mut i = 0;
        loop {
            let (content_end, next) = match memchr::memchr(b'\n', &buf[i..filled]) {
                Some(k) => (i + k, i + k + 1),
                None if eof && i < filled => (filled, filled),
                None => break,
            };
            let mut row = &buf[i..content_end];
            if let Some(stripped) = row.strip_suffix(b"\r") {
                row = stripped;
            }
            if quote.is_some_and(|q| q < next)
                || (cr.is_some_and(|c| c < next) && memchr::memchr(b'\r', row).is_some())
            {
                buf.truncate(filled);
                buf.drain(..i);
                return Ok(Fast::Handover(base + i as u64, line, buf));
            }
            // A byte-order mark at a line start is dropped, as the csv
            // reader does.
            while let Some(rest) = row.strip_prefix(BOM) {
                row = rest;
            }
            if !row.is_empty() {
                let at = base + i as u64;
                if at >= end {
                    return Ok(Fast::Done(at));
                }
                let rec = Split::new(row, delimiter, &mut ends);
                if !ctx.take(&rec, line) {
                    return Ok(Fast::Done(at));
                }
            }
            line += 1;
            i = next;
        }
        if eof {
            return Ok(Fast::Done(base + filled as u64));
        }
        buf.copy_within(i..filled, 0);
        base += i as u64;
        filled -= i;
        if filled == buf.len() {
            // One line longer than the buffer.
            if memchr::memchr(b'\r', &buf).is_some() {
                buf.truncate(filled);
                return Ok(Fast::Handover(base, line, buf));
            }
            buf.resize(buf.len() * 2, 0);
        }
    }
}

/// Reads records of `[start, end)` with the csv reader from `initial`
/// then `src`, which start at a line start whose relative line is
/// `line0`; returns the next record's start.
fn slow<S: Sink>(
    src: impl Read,
    initial: Vec<u8>,
    start: u64,
    end: u64,
    line0: u64,
    ctx: &mut Ctx<'_, S>,
) -> std::io::Result<u64> {
    let mut rdr = RecordReader::new(src, ctx.header.delimiter, initial, line0);
    let mut rec = csv::ByteRecord::new();
    loop {
        let Some(at) = rdr.read(&mut rec)? else {
            return Ok(start + rdr.consumed());
        };
        if start + at.byte >= end {
            return Ok(start + at.byte);
        }
        let swallowed = swallowed_rows(&rec, ctx.header.delimiter, ctx.header.names.len())
            .or_else(|| rdr.open_quote().then(|| open_quote_at_end(&rec)));
        if !ctx.take_unless(&rec, at.line, swallowed) {
            return Ok(end);
        }
    }
}

/// The error for a record whose last field opened a quote that the file
/// never closes: CSV would read the rest of the file into that field.
pub(crate) fn open_quote_at_end(rec: &csv::ByteRecord) -> RowError {
    (
        Some(rec.len().saturating_sub(1)),
        Problem::Syntax(
            "a quote opened in this field is never closed before the end of the file \
             (close it, or double a quote meant as text: \"\")"
                .to_string(),
        ),
    )
}

/// A field that holds a line break followed by a line with at least as
/// many delimiters as a row has (one fewer than its fields): rows
/// swallowed by a quote that was opened and never closed, as in
/// `C1,2024-01-01,visit,1,"hello` followed by more rows. CSV would read
/// them as one multi-line field, silently losing those rows, so the
/// record is refused, naming the field where the quote opened. A
/// multi-line note whose later lines hold fewer delimiters is kept.
pub(crate) fn swallowed_rows(
    rec: &csv::ByteRecord,
    delimiter: u8,
    width: usize,
) -> Option<RowError> {
    if width < 2 || memchr::memchr(b'\n', rec.as_slice()).is_none() {
        return None;
    }
    rec.iter().enumerate().find_map(|(col, field)| {
        let mut lines = field.split(|&b| b == b'\n');
        lines.next();
        let rows = lines
            .filter(|l| memchr::memchr_iter(delimiter, l).count() >= width - 1)
            .count();
        (rows > 0).then_some((Some(col), Problem::Swallowed { rows: rows as u64 }))
    })
}

/// Reads the records starting in `[start, end)` from `initial` then
/// `src`, which start at line start `start`; returns the next record's
/// start. Lines are relative: `start`'s is 1.
fn read_range<S: Sink>(
    mut src: impl Read,
    initial: Vec<u8>,
    start: u64,
    end: u64,
    ctx: &mut Ctx<'_, S>,
) -> std::io::Result<u64> {
    Ok(match fast(&mut src, initial, start, end, ctx)? {
        Fast::Done(next) => next,
        Fast::Handover(..) if ctx.stopped() => end,
        Fast::Handover(at, line, rest) => slow(src, rest, at, end, line, ctx)?,
    })
}

/// Parses the records starting in `[start, end)` of the regular file
/// `path`. An I/O error is kept in the part, with the sink, so that the
/// caller's data is never lost.
pub(crate) fn run<S: Sink>(
    path: &Path,
    start: u64,
    end: u64,
    header: &Header,
    mode: Mode,
    sink: S,
) -> Part<S> {
    let mut ctx = Ctx::new(sink, header, mode);
    let read = |ctx: &mut Ctx<'_, S>| -> std::io::Result<u64> {
        let file = open_at(path, start)?;
        read_range(file, Vec::new(), start, end, ctx)
    };
    match read(&mut ctx) {
        Ok(next) => ctx.finish(next),
        Err(e) => {
            let mut part = ctx.finish(end);
            part.fatal = Some(Error::io(path, e));
            part
        }
    }
}

fn open_at(path: &Path, offset: u64) -> std::io::Result<File> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    Ok(f)
}

/// 1-based line number of byte `offset`, a line start: one plus the line
/// ends (`\n`, `\r\n`, lone `\r`) before it.
pub(crate) fn line_at(path: &Path, offset: u64) -> Result<u64> {
    let mut f =
        BufReader::with_capacity(1 << 20, File::open(path).map_err(|e| Error::io(path, e))?)
            .take(offset);
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = LineCounter::default();
    loop {
        let n = read_some(&mut f, &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(1 + lines.ends);
        }
        lines.count(&buf[..n]);
    }
}

/// Cut points: line starts near equal shares of `[start, len)`, not on a
/// blank line. Lines end at `\n`, `\r\n` or a lone `\r`.
pub(crate) fn cuts(path: &Path, start: u64, len: u64, threads: usize) -> Result<Vec<u64>> {
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
        let mut seen_end = false;
        'scan: loop {
            let n = read_some(&mut f, &mut buf).map_err(|e| Error::io(path, e))?;
            if n == 0 {
                at = len;
                break;
            }
            for &b in &buf[..n] {
                let end = b == b'\n' || b == b'\r';
                if seen_end && !end {
                    break 'scan;
                }
                seen_end |= end;
                at += 1;
            }
        }
        if at < len {
            out.push(at);
        }
    }
    Ok(out)
}

pub(crate) fn threads_for(requested: usize, bytes: u64) -> usize {
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

/// Reads every data record of the regular file `path`, `len` bytes long,
/// into `sink`, on several threads when the file is large, with the result
/// of a sequential read.
pub(crate) fn scan_file<S: Sink>(
    path: &Path,
    len: u64,
    header: &Header,
    mode: Mode,
    threads: usize,
    sink: &mut S,
) -> Result<Scanned> {
    let start = header.data_start.min(len);
    let threads = threads_for(threads, len - start);
    let cuts = if threads > 1 {
        cuts(path, start, len, threads)?
    } else {
        vec![start]
    };
    let ends: Vec<u64> = cuts.iter().skip(1).copied().chain([len]).collect();

    let main = std::mem::replace(sink, sink.fresh());
    let parts: Vec<Part<S>> = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        let mut first = Some(main);
        for (i, (&a, &b)) in cuts.iter().zip(&ends).enumerate() {
            let s = if i == 0 { first.take() } else { None };
            let fresh = s.unwrap_or_else(|| sink.fresh());
            handles.push(scope.spawn(move || run(path, a, b, header, mode, fresh)));
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
    let mut parts = parts.into_iter();
    let mut acc = parts.next().expect("at least one range");
    let result = combine(
        path, header, mode, len, &cuts, &mut acc, parts, sink, &mut out,
    );
    // The first range's sink holds the caller's data: give it back, also
    // after an error.
    *sink = acc.sink;
    result.map(|()| out)
}

/// Reads every data record of a stream (a pipe, a FIFO, standard input)
/// into `sink` in one pass on this thread: `initial` holds the bytes
/// already read after the header, `src` the rest; `name` names it in
/// errors.
pub(crate) fn scan_stream<S: Sink>(
    src: impl Read,
    name: &Path,
    initial: Vec<u8>,
    header: &Header,
    mode: Mode,
    sink: &mut S,
) -> Result<Scanned> {
    let mut ctx = Ctx::new(std::mem::replace(sink, sink.fresh()), header, mode);
    let mut part = match read_range(src, initial, header.data_start, u64::MAX, &mut ctx) {
        Ok(next) => ctx.finish(next),
        Err(e) => {
            let mut part = ctx.finish(u64::MAX);
            part.fatal = Some(Error::io(name, e));
            part
        }
    };
    let mut out = Scanned {
        threads: 1,
        ..Scanned::default()
    };
    let result = match part.fatal.take() {
        Some(e) => Err(e),
        None => finish_part(name, header, header.data_line, &mut part, &mut out),
    };
    *sink = part.sink;
    result.map(|()| out)
}

/// Folds the verified ranges into `acc` in file order; after a misaligned
/// cut, reads the rest of the file on this thread.
#[allow(clippy::too_many_arguments)] // one private step of scan_file
fn combine<S: Sink>(
    path: &Path,
    header: &Header,
    mode: Mode,
    len: u64,
    cuts: &[u64],
    acc: &mut Part<S>,
    mut rest: impl Iterator<Item = Part<S>>,
    sink: &S,
    out: &mut Scanned,
) -> Result<()> {
    let mut acc_start = cuts[0];
    let mut i = 0;
    loop {
        if let Some(e) = acc.fatal.take() {
            return Err(e);
        }
        let first_line = start_line(path, header, acc_start, acc)?;
        finish_part(path, header, first_line, acc, out)?;
        i += 1;
        let next = rest.next();
        match next {
            Some(mut next) if acc.next_start == cuts[i] => {
                let later = std::mem::replace(&mut next.sink, sink.fresh());
                match acc.sink.absorb(later) {
                    Ok(()) => {}
                    // A sum of the two ranges overflows (a row of the
                    // later range overflows the sums before it): read that
                    // range and the rest on this thread, as after a
                    // misaligned cut, so the row is met in order.
                    Err(Refused { intact: true, .. }) => {
                        return read_rest(path, header, mode, cuts[i], acc, sink, out);
                    }
                    // Not the row's fault alone (a gatherer's merged
                    // totals): no line to name.
                    Err(Refused { problem, .. }) => {
                        return Err(Error::from(crate::BadRow {
                            location: Location {
                                file: path.to_path_buf(),
                                line: 0,
                                column: None,
                                field: None,
                            },
                            problem,
                        }));
                    }
                }
                acc.rows = next.rows;
                acc.rejects = std::mem::take(&mut next.rejects);
                acc.error = next.error.take();
                acc.fatal = next.fatal.take();
                acc.next_start = next.next_start;
                acc_start = cuts[i];
            }
            Some(_) if acc.next_start < len => {
                // A misaligned cut: read the rest on this thread.
                return read_rest(path, header, mode, acc.next_start, acc, sink, out);
            }
            _ => return Ok(()),
        }
    }
}

/// Reads the records from `resume`, a record start, to the end of the
/// file on this thread into `acc`'s sink (whose rows are all counted in
/// `out`), and counts them.
fn read_rest<S: Sink>(
    path: &Path,
    header: &Header,
    mode: Mode,
    resume: u64,
    acc: &mut Part<S>,
    sink: &S,
    out: &mut Scanned,
) -> Result<()> {
    let taken = std::mem::replace(&mut acc.sink, sink.fresh());
    *acc = run(path, resume, u64::MAX, header, mode, taken);
    if let Some(e) = acc.fatal.take() {
        return Err(e);
    }
    let first_line = start_line(path, header, resume, acc)?;
    finish_part(path, header, first_line, acc, out)
}

/// The line of `start`, where `part` starts, when the part needs it (it
/// has an error or rejects); the header's line count gives the first.
fn start_line<S>(path: &Path, header: &Header, start: u64, part: &Part<S>) -> Result<u64> {
    if part.error.is_none() && part.rejects.is_empty() {
        Ok(1)
    } else if start == header.data_start {
        Ok(header.data_line)
    } else {
        line_at(path, start)
    }
}

/// Moves a verified part's counts and rejects into `out`, making lines
/// absolute (the part's first line is `first_line`); turns a strict-mode
/// error into the import's error.
fn finish_part<S: Sink>(
    path: &Path,
    header: &Header,
    first_line: u64,
    part: &mut Part<S>,
    out: &mut Scanned,
) -> Result<()> {
    out.rows += part.rows;
    let base = first_line - 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The in-place split gives the fields of a plain split at the
        /// delimiter, for any bytes and any delimiter.
        #[test]
        fn split_equals_a_plain_split(
            row in proptest::collection::vec(proptest::sample::select(vec![b',', b';', b'\t', b'a', b'0', 0x2c ^ 1, 0xac, 0x00, 0xff]), 0..80),
            delimiter in proptest::sample::select(vec![b',', b';', b'\t']),
        ) {
            let mut ends = Vec::new();
            let split = Split::new(&row, delimiter, &mut ends);
            let expected: Vec<&[u8]> = row.split(|&b| b == delimiter).collect();
            proptest::prop_assert_eq!(split.len(), expected.len());
            for (i, e) in expected.iter().enumerate() {
                proptest::prop_assert_eq!(split.get(i), Some(*e));
            }
            proptest::prop_assert_eq!(split.get(expected.len()), None);
        }
    }
}

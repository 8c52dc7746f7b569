//! The record reader under every path that meets quotes: csv-core's parser
//! fed from our own buffer, so that each record's first line is counted
//! the way an editor shows it.
//!
//! A line ends at `\n`, at `\r\n` or at a lone `\r`, inside quoted fields
//! too. Blank lines between records are skipped, and a record's line is
//! that of its first character, not of the blank lines before it. A
//! byte-order mark at the start of a line is dropped, as at the start of
//! the file (see the crate docs).

use std::io::{self, Read};

/// The UTF-8 byte-order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The buffer's first size: small inputs (and fuzzing) allocate little.
pub(crate) const START: usize = 16 << 10;
/// The size the buffer grows to while reads fill it (a long record can
/// make it larger).
const CHUNK: usize = 256 << 10;

/// Counts line ends across buffers: `\n`, `\r\n` and a lone `\r` each end
/// one line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LineCounter {
    /// Line ends counted.
    pub ends: u64,
    /// The last byte counted was `\r`: a `\n` next ends no new line.
    after_cr: bool,
}

impl LineCounter {
    /// Counts the line ends in `bytes`, which follow the bytes counted so
    /// far.
    pub fn count(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else {
            return;
        };
        for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            let after_cr = if i == 0 {
                self.after_cr
            } else {
                bytes[i - 1] == b'\r'
            };
            if bytes[i] == b'\r' || !after_cr {
                self.ends += 1;
            }
        }
        self.after_cr = last == b'\r';
    }
}

/// Where a record starts: the byte offset of its line's start (relative
/// to where the reader started) and its 1-based line, counted from the
/// reader's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    pub byte: u64,
    pub line: u64,
}

/// Reads CSV records from `src`, counting lines.
pub(crate) struct RecordReader<R> {
    src: R,
    core: csv_core::Reader,
    buf: Vec<u8>,
    /// The next unread byte of `buf`.
    pos: usize,
    /// The end of the data in `buf`.
    filled: usize,
    eof: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Bytes consumed before `buf[pos]`.
    consumed: u64,
    lines: LineCounter,
    /// The line the reader started on.
    first_line: u64,
    /// The last record read ended at the end of the input inside a
    /// quoted field (a quote opened and never closed).
    open_quote: bool,
}

impl<R> std::fmt::Debug for RecordReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordReader")
            .field("consumed", &self.consumed)
            .field("line", &(self.first_line + self.lines.ends))
            .finish_non_exhaustive()
    }
}

impl<R: Read> RecordReader<R> {
    /// A reader of `initial` followed by what `src` holds, starting at the
    /// start of line `line`.
    pub fn new(src: R, delimiter: u8, initial: Vec<u8>, line: u64) -> Self {
        let filled = initial.len();
        let mut buf = initial;
        if buf.len() < START {
            buf.resize(START, 0);
        }
        RecordReader {
            src,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            buf,
            pos: 0,
            filled,
            eof: false,
            out: vec![0; 1024],
            ends: vec![0; 32],
            consumed: 0,
            lines: LineCounter::default(),
            first_line: line,
            open_quote: false,
        }
    }

    /// The line of the next unread byte.
    pub fn line(&self) -> u64 {
        self.first_line + self.lines.ends
    }

    /// Whether the record read last ended at the end of the input inside
    /// a quoted field: its last field opened a quote that was never
    /// closed, so it runs to the end of the file. CSV readers accept such
    /// a field; callers refuse it.
    pub fn open_quote(&self) -> bool {
        self.open_quote
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Consumes a `\n` that completes a `\r\n` read last, when it is in
    /// the buffer, so that the reader stands at a line start.
    pub fn finish_line(&mut self) {
        if self.lines.after_cr && self.pos < self.filled && self.buf[self.pos] == b'\n' {
            self.advance(1);
        }
    }

    /// Reads more bytes; `false` at the end of the source.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.pos = 0;
        }
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            let space = self.buf.len() - self.filled;
            match self.src.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.filled += n;
                    // A large input: read larger pieces.
                    if n == space && self.buf.len() < CHUNK {
                        let grown = self.buf.len() * 2;
                        self.buf.resize(grown, 0);
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes at least `n` bytes available when the source has them.
    fn available(&mut self, n: usize) -> io::Result<usize> {
        while self.filled - self.pos < n && self.fill()? {}
        Ok(self.filled - self.pos)
    }

    fn advance(&mut self, n: usize) {
        self.lines.count(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        self.consumed += n as u64;
    }

    /// Reads the next record into `rec`; `None` at the end.
    pub fn read(&mut self, rec: &mut csv::ByteRecord) -> io::Result<Option<Start>> {
        // Blank lines and byte-order marks before the record.
        let mut start = Start {
            byte: self.consumed,
            line: self.line(),
        };
        loop {
            if self.available(1)? == 0 {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            match b {
                b'\r' | b'\n' => {
                    self.advance(1);
                    start = Start {
                        byte: self.consumed,
                        line: self.line(),
                    };
                }
                0xEF if self.available(3)? >= 3 && self.buf[self.pos..self.pos + 3] == *BOM => {
                    self.advance(3);
                }
                _ => break,
            }
        }
        rec.clear();
        self.open_quote = false;
        let (mut nout, mut nend) = (0, 0);
        // At the end of the input inside a record, a line break is fed to
        // the parser: it ends the record unless a quoted field is open,
        // which is how a quote never closed is told from a record that
        // merely lacks its last line break.
        let (mut feed_break, mut fed_break) = (false, false);
        loop {
            let input: &[u8] = if feed_break {
                b"\n"
            } else {
                &self.buf[self.pos..self.filled]
            };
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            if feed_break {
                if nin == 1 {
                    (feed_break, fed_break) = (false, true);
                }
            } else {
                self.advance(nin);
            }
            nout += o;
            nend += e;
            match res {
                csv_core::ReadRecordResult::InputEmpty => {
                    if fed_break {
                        // The line break went into a quoted field.
                        self.open_quote = true;
                    } else if !self.fill()? && self.pos == self.filled {
                        feed_break = true;
                    }
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    if self.open_quote && nend > 0 && nout > 0 {
                        // Leave out the line break fed at the end.
                        self.ends[nend - 1] -= 1;
                    }
                    let mut from = 0;
                    for &end in &self.ends[..nend] {
                        rec.push_field(&self.out[from..end]);
                        from = end;
                    }
                    return Ok(Some(start));
                }
                csv_core::ReadRecordResult::End => return Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that gives `chunk` bytes at a time.
    struct Slow<'a>(&'a [u8], usize);

    impl Read for Slow<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn records(bytes: &[u8], chunk: usize) -> Vec<(u64, u64, Vec<String>)> {
        let mut r = RecordReader::new(Slow(bytes, chunk), b',', Vec::new(), 1);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while let Some(s) = r.read(&mut rec).unwrap() {
            let fields = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((s.byte, s.line, fields));
        }
        out
    }

    #[test]
    fn lines_and_starts() {
        let text = b"a,b\r\n\"c\r\nd\",e\r\n\r\nf\rg\n\n\xEF\xBB\xBF\"h\"\n\xEF\xBB\xBF\n\ri";
        for chunk in [1, 2, 3, 1000] {
            let got = records(text, chunk);
            let lines: Vec<u64> = got.iter().map(|r| r.1).collect();
            assert_eq!(lines, [1, 2, 5, 6, 8, 11], "chunk {chunk}");
            let starts: Vec<u64> = got.iter().map(|r| r.0).collect();
            assert_eq!(starts, [0, 5, 17, 19, 22, 34], "chunk {chunk}");
            assert_eq!(got[1].2, ["c\r\nd", "e"]);
            assert_eq!(got[4].2, ["h"]);
        }
    }

    #[test]
    fn counter_across_buffers() {
        let mut c = LineCounter::default();
        for part in [&b"a\r"[..], b"\nb\r", b"\r\n", b"\n"] {
            c.count(part);
        }
        assert_eq!(c.ends, 4);
    }

    /// Whether each record of `bytes` ended inside an open quote.
    fn open(bytes: &[u8], chunk: usize) -> Vec<bool> {
        let mut r = RecordReader::new(Slow(bytes, chunk), b',', Vec::new(), 1);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read(&mut rec).unwrap().is_some() {
            out.push(r.open_quote());
        }
        out
    }

    #[test]
    fn a_quote_left_open_at_the_end_of_the_input_is_seen() {
        for chunk in [1, 2, 5, 1000] {
            assert_eq!(open(b"a,b\nc,\"d\n", chunk), [false, true], "chunk {chunk}");
            assert_eq!(open(b"a,b\nc,\"d", chunk), [false, true], "chunk {chunk}");
            assert_eq!(open(b"a,\"b\nc,d\n", chunk), [true], "chunk {chunk}");
            assert_eq!(
                open(b"a,b\nc,\"d\"", chunk),
                [false, false],
                "chunk {chunk}"
            );
            assert_eq!(open(b"a,b\nc,\"d\"\"\"\n", chunk), [false, false]);
            assert_eq!(open(b"a,b\nc,d\"e", chunk), [false, false], "chunk {chunk}");
            assert_eq!(
                open(b"a,b\nc,\"d\"\"", chunk),
                [false, true],
                "chunk {chunk}"
            );
        }
    }
}

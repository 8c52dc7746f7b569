//! Text for a terminal: data from outside (keys, names, header bytes,
//! whole binary files) must not drive the terminal. Control characters
//! (C0, DEL, C1, so ESC and every escape sequence), bidirectional controls
//! and zero-width characters are shown as `\u{..}` escapes, and bytes that
//! are not UTF-8 as `\x..`. JSON and CSV outputs keep the data exact: only
//! what is printed for people passes here.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal as itself.
fn hidden(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero width space, joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061C}' // Arabic letter mark
            | '\u{FEFF}' // zero width no-break space, BOM
        )
}

fn escape(c: char, out: &mut String) {
    out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
}

/// `s` with every control, bidirectional and zero-width character
/// escaped, line breaks and tabs included (for one-line messages and
/// table cells).
pub(crate) fn sanitize(s: &str) -> Cow<'_, str> {
    sanitize_keeping(s, false)
}

/// As [`sanitize`]; with `lines`, `\n` passes (for whole tables and
/// reports, whose lines are ours).
fn sanitize_keeping(s: &str, lines: bool) -> Cow<'_, str> {
    let keep = |c: char| !hidden(c) || (lines && c == '\n');
    if s.chars().all(keep) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            escape(c, &mut out);
        }
    }
    Cow::Owned(out)
}

/// A writer for terminal output: what passes through it is sanitized
/// (line breaks kept), even when a character or an invalid byte sequence
/// is split between writes.
pub(crate) struct Sanitizing<W: Write> {
    inner: W,
    /// The incomplete UTF-8 sequence at the end of the last write.
    pending: Vec<u8>,
}

impl<W: Write> Sanitizing<W> {
    pub(crate) fn new(inner: W) -> Self {
        Sanitizing {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes `bytes` (after what is pending), keeping an incomplete
    /// sequence at the end unless `last`.
    fn emit(&mut self, bytes: &[u8], last: bool) -> io::Result<()> {
        let mut rest = bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.inner.write_all(sanitize_keeping(s, true).as_bytes())?;
                    return Ok(());
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // The prefix is valid UTF-8.
                    let s = std::str::from_utf8(good).unwrap_or_default();
                    self.inner.write_all(sanitize_keeping(s, true).as_bytes())?;
                    match e.error_len() {
                        Some(n) => {
                            for b in &bad[..n] {
                                write!(self.inner, "\\x{b:02x}")?;
                            }
                            rest = &bad[n..];
                        }
                        None if !last => {
                            self.pending.extend_from_slice(bad);
                            return Ok(());
                        }
                        None => {
                            for b in bad {
                                write!(self.inner, "\\x{b:02x}")?;
                            }
                            return Ok(());
                        }
                    }
                }
            }
        }
    }
}

impl<W: Write> Write for Sanitizing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        self.emit(&bytes, false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.emit(&pending, true)?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_drive_a_terminal() {
        assert_eq!(sanitize("C1"), "C1");
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(sanitize("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        assert_eq!(sanitize("a\u{200b}\u{feff}"), "a\\u{200b}\\u{feff}");
        assert_eq!(sanitize("two\nlines\t"), "two\\u{a}lines\\u{9}");
        assert_eq!(sanitize("é ü 北京 €"), "é ü 北京 €");
    }

    #[test]
    fn the_writer_keeps_lines_and_handles_split_and_bad_bytes() {
        let mut w = Sanitizing::new(Vec::new());
        let text = "é\u{1b}[31m\n\u{202e}".as_bytes();
        // Split inside the two-byte é and inside U+202E.
        w.write_all(&text[..1]).unwrap();
        w.write_all(&text[1..text.len() - 1]).unwrap();
        w.write_all(&text[text.len() - 1..]).unwrap();
        w.write_all(b"\x1f\x8b\x08\xff").unwrap();
        w.write_all(b"\xe2\x80").unwrap();
        w.flush().unwrap();
        assert_eq!(
            String::from_utf8(w.inner).unwrap(),
            "é\\u{1b}[31m\n\\u{202e}\\u{1f}\\x8b\\u{8}\\xff\\xe2\\x80"
        );
    }
}

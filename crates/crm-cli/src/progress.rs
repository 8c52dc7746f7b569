//! Progress on long steps, on standard error, only when standard error is
//! a terminal and `--quiet` is not given; never on standard output, so
//! piped results stay exact.
//!
//! - Reading a file: a bar by bytes against the file's size. The CLI
//!   counts the bytes itself where it holds the reader ([`Progress::reader`]:
//!   standard input, FIFOs, the streamed inputs, `crm import`); a regular
//!   file that `crm-csv` reads on every core is followed through the bytes
//!   the process has read (`/proc/self/io` on Linux; a spinner elsewhere).
//!   Without a size (standard input, a FIFO) it is a spinner with the bytes
//!   so far.
//! - Counting items (customers predicted): a bar by items.
//! - Other steps (fitting a model, building the report): a spinner with
//!   the step and the time so far.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Turns progress off (`--quiet`).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether progress is drawn at all.
fn shown() -> bool {
    !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// A bar on standard error with `template`, or a hidden one.
fn bar(len: Option<u64>, template: &str, fallback: fn() -> ProgressStyle) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| fallback()));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A spinner showing `step` until the returned guard is dropped; hidden
/// when standard error is not a terminal or with `--quiet`.
pub(crate) fn step(step: impl Into<String>) -> Progress {
    let bar = bar(
        None,
        "{spinner} {msg} ({elapsed})",
        ProgressStyle::default_spinner,
    );
    bar.set_message(crate::output::sanitize(&step.into()).into_owned());
    Progress::new(bar)
}

/// A bar by bytes for `step` against `total` bytes, or a spinner with the
/// bytes so far when the size is unknown.
pub(crate) fn bytes(step: impl Into<String>, total: Option<u64>) -> Progress {
    let bar = match total {
        Some(n) => bar(
            Some(n),
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} left)",
            ProgressStyle::default_bar,
        ),
        None => bar(
            None,
            "{spinner} {msg}: {bytes} ({elapsed})",
            ProgressStyle::default_spinner,
        ),
    };
    bar.set_message(crate::output::sanitize(&step.into()).into_owned());
    Progress::new(bar)
}

/// A bar by `total` items (`customers`, say) for `step`.
pub(crate) fn items(step: impl Into<String>, total: u64) -> Progress {
    let bar = bar(
        Some(total),
        "{msg} [{bar:30}] {human_pos}/{human_len} ({eta} left)",
        ProgressStyle::default_bar,
    );
    bar.set_message(crate::output::sanitize(&step.into()).into_owned());
    Progress::new(bar)
}

/// The size of `path` when it is a regular file (a bar can be drawn
/// against it); `None` for standard input, FIFOs and devices.
pub(crate) fn size_of(path: &Path) -> Option<u64> {
    if crate::input::is_stdin(path) {
        return None;
    }
    std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
}

/// A running step; its bar disappears when it is dropped.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: ProgressBar,
    /// Set to stop the thread following the process's reads.
    stop: Arc<AtomicBool>,
    follower: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn new(bar: ProgressBar) -> Progress {
        Progress {
            bar,
            stop: Arc::new(AtomicBool::new(false)),
            follower: None,
        }
    }

    /// `inner`, counting the bytes read from it on this bar.
    pub(crate) fn reader<R: Read>(&self, inner: R) -> Counting<R> {
        Counting {
            inner,
            bar: self.bar.clone(),
        }
    }

    /// Moves the bar on by `n` (bytes or items).
    pub(crate) fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Moves the bar with the bytes the whole process reads from now on
    /// (for a file that another part of the program reads on several
    /// threads). Only where the system says how many bytes a process has
    /// read (Linux); elsewhere the bar stays where it is.
    pub(crate) fn follow_process_reads(mut self) -> Progress {
        if self.bar.is_hidden() {
            return self;
        }
        let Some(start) = process_reads() else {
            return self;
        };
        let (bar, stop) = (self.bar.clone(), Arc::clone(&self.stop));
        self.follower = Some(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(now) = process_reads() {
                    bar.set_position(now.saturating_sub(start));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }));
        self
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(f) = self.follower.take() {
            let _ = f.join();
        }
        self.bar.finish_and_clear();
    }
}

/// The bytes this process has read so far (`rchar` of `/proc/self/io`),
/// where the system tells.
fn process_reads() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .and_then(|n| n.trim().parse().ok())
}

/// A reader that moves a progress bar by the bytes read through it.
#[derive(Debug)]
pub(crate) struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counting_reader_passes_every_byte_and_counts_them() {
        let p = Progress::new(ProgressBar::hidden());
        let mut r = p.reader(&b"abcdefghij"[..]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abcdefghij");
        assert_eq!(p.bar.position(), 10);
    }

    #[test]
    fn only_regular_files_have_a_size() {
        assert_eq!(size_of(Path::new("-")), None);
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), b"12345").unwrap();
        assert_eq!(size_of(f.path()), Some(5));
        assert_eq!(size_of(f.path().parent().unwrap()), None);
    }
}

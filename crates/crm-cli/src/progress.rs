//! Progress on long steps (reading a large file, importing into a
//! database, fitting a model, building the report): a spinner with the
//! step and the time so far on standard error, only when standard error is
//! a terminal and `--quiet` is not given. Never on standard output, so
//! piped results stay exact.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Turns progress off (`--quiet`).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A spinner showing `step` until the returned guard is dropped; hidden
/// when standard error is not a terminal or with `--quiet`.
pub(crate) fn step(step: impl Into<String>) -> Step {
    if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return Step(ProgressBar::hidden());
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(crate::output::sanitize(&step.into()).into_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    Step(bar)
}

/// A running step; the spinner disappears when it is dropped.
#[derive(Debug)]
pub(crate) struct Step(ProgressBar);

impl Drop for Step {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

//! The `crm` command: the customer pyramid and the migration matrix of a
//! transactions file or database, the database commands, and deterministic
//! example data.

/// Writes a line to standard error as `eprintln!` does, but never panics:
/// a note or warning that cannot be written (standard error closed, or a
/// full disk behind it) is dropped, since the command's outcome and exit
/// code do not depend on it.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod cmd;
mod input;
mod options;
mod output;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// How a command failed: the exit code tells a script which.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// The data or a file is bad (exit 1).
    Data(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    /// Data errors, unless marked as usage errors on the way.
    fn from(e: anyhow::Error) -> Failure {
        if e.downcast_ref::<UsageMarker>().is_some() {
            // The marker is the outermost context; the message is below it.
            let msg: Vec<String> = e.chain().skip(1).map(ToString::to_string).collect();
            Failure::Usage(msg.join(": "))
        } else {
            Failure::Data(e)
        }
    }
}

/// Marks an error as bad usage (exit 2) through anyhow.
#[derive(Debug)]
pub(crate) struct UsageMarker;

impl std::fmt::Display for UsageMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("usage")
    }
}

pub(crate) type Outcome = Result<(), Failure>;

/// Whether the error is a closed output pipe (`crm ... | head`): then the
/// reader has all it wants, and `crm` exits quietly.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
            || c.downcast_ref::<crm::csv::Error>().is_some_and(
                |e| matches!(e, crm::csv::Error::Io { source, .. } if source.kind() == BrokenPipe),
            )
    })
}

/// The error and its causes joined by ": ", leaving out a cause whose text
/// ends the message already (library errors often print their source, as
/// in "file.csv: Permission denied (os error 13)", and report it as their
/// cause too).
fn message(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.ends_with(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

/// A rulebook that did not load: a heading line, then one line per
/// problem, `file:line:column: message`, as compilers print them.
fn rulebook_problems(e: &anyhow::Error) -> Option<Vec<String>> {
    let crm::strategy::Error::Rulebook {
        source_name,
        problems,
    } = e.downcast_ref::<crm::strategy::Error>()?
    else {
        return None;
    };
    let n = problems.len();
    let mut lines = vec![format!(
        "crm: error: {source_name}: {n} problem{} in the rulebook",
        if n == 1 { "" } else { "s" }
    )];
    lines.extend(problems.iter().map(|p| format!("{source_name}:{p}")));
    Some(lines)
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let checked = input::stdin_at_most_once(&cli.command.inputs())
        .and_then(|()| input::refuse_overwriting(&cli.command.outputs(), &cli.command.reads()));
    if let Err(Failure::Usage(msg)) = checked {
        let _ = writeln!(std::io::stderr(), "crm: error: {}", output::sanitize(&msg));
        return ExitCode::from(2);
    }
    progress::set_quiet(cli.quiet);
    let outcome = match cli.command {
        args::Command::Pyramid(a) => cmd::pyramid::run(*a),
        args::Command::Migration(a) => cmd::migration::run(*a),
        args::Command::Value(c) => cmd::value::run(c),
        args::Command::Clv(c) => cmd::clv::run(c),
        args::Command::Actions(a) => cmd::actions::run(*a),
        args::Command::Winback(a) => cmd::winback::run(*a),
        args::Command::Funnel(a) => cmd::funnel::run(*a),
        args::Command::Import(a) => cmd::import::run(a),
        args::Command::Customer(a) => cmd::customer::run(a),
        args::Command::Erase(a) => cmd::erase::run(a),
        args::Command::ExportCustomer(a) => cmd::customer::export(a),
        args::Command::Generate(a) => cmd::generate::run(a),
        args::Command::Report(a) => cmd::report::run(*a),
        args::Command::Complaints(a) => cmd::complaints::run(*a),
        args::Command::Scorecard(a) => cmd::scorecard::run(*a),
        args::Command::Campaign(args::CampaignCommand::Measure(a)) => cmd::campaign::measure(*a),
        #[cfg(feature = "parquet")]
        args::Command::Convert(a) => cmd::convert::run(a),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Data(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            let _ = writeln!(std::io::stderr(), "crm: error: {}", output::sanitize(&msg));
            ExitCode::from(2)
        }
        Err(Failure::Data(e)) if rulebook_problems(&e).is_some() => {
            let mut err = std::io::stderr().lock();
            for line in rulebook_problems(&e).unwrap_or_default() {
                let _ = writeln!(err, "{}", output::sanitize(&line.replace('\n', " ")));
            }
            ExitCode::from(1)
        }
        Err(Failure::Data(e)) => {
            // One line, whatever the data put in the message.
            let msg = message(&e).replace('\n', " ");
            let _ = writeln!(std::io::stderr(), "crm: error: {}", output::sanitize(&msg));
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn an_io_cause_is_shown_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = anyhow::Error::new(crm::csv::Error::Io {
            file: "x.csv".into(),
            source: io,
        })
        .context("cannot import the transactions");
        let line = message(&e);
        assert_eq!(line.matches("not found").count(), 1, "{line}");
        assert!(
            line.starts_with("cannot import the transactions: x.csv: "),
            "{line}"
        );
    }

    #[test]
    fn distinct_causes_are_all_shown() {
        let e = anyhow::anyhow!("inner\nsecond line").context("outer");
        assert_eq!(message(&e), "outer: inner\nsecond line");
    }
}

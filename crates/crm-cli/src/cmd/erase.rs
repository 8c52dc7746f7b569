//! `crm erase`: every row of one customer, gone from the database file,
//! and the key on the suppression list so that a later import of an old
//! export does not bring the customer back.

use std::io::Write;

use anyhow::Context;

use crate::args::CustomerArgs;
use crate::input::open_existing;
use crate::{Failure, Outcome};

pub(crate) fn run(a: CustomerArgs) -> Outcome {
    let mut store = open_existing(&a.db)?;
    let erased = store.erase(&a.key).context("cannot erase the customer")?;
    let line = if erased.total() > 0 {
        let parts: Vec<String> = erased
            .rows
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        format!("erased {:?}: {}", a.key, parts.join(", "))
    } else if erased.before {
        format!(
            "erased {:?} before; its old content is now gone from the file",
            a.key
        )
    } else {
        return Err(Failure::Data(anyhow::anyhow!(
            "{}: no customer with key {:?}",
            crate::input::shown(&a.db),
            a.key
        )));
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // The key comes from the command line: it is shown, not obeyed.
    writeln!(out, "{}", crate::output::sanitize(&line))
        .and_then(|()| out.flush())
        .context("cannot write the output")?;
    Ok(())
}

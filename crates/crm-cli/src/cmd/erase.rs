//! `crm erase`: every row of one customer, gone from the database file.

use anyhow::Context;
use crm::store::Store;

use crate::args::CustomerArgs;
use crate::input::open_existing;
use crate::{Failure, Outcome};

pub(crate) fn run(a: CustomerArgs) -> Outcome {
    let mut store = open_existing(&a.db)?;
    let erased = store.erase(&a.key).context("cannot erase the customer")?;
    if erased.total() == 0 {
        return Err(Failure::Data(anyhow::anyhow!(
            "{}: no customer with key {:?}",
            a.db.display(),
            a.key
        )));
    }
    let parts: Vec<String> = erased
        .rows
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    println!("erased {:?}: {}", a.key, parts.join(", "));
    Ok(())
}

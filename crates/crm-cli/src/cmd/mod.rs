//! One module per command: each reads its inputs (`crate::input`), calls
//! the library, and hands the result to a renderer (`crate::output`).

pub(crate) mod actions;
pub(crate) mod clv;
pub(crate) mod customer;
pub(crate) mod erase;
pub(crate) mod generate;
pub(crate) mod import;
pub(crate) mod migration;
pub(crate) mod pyramid;
pub(crate) mod report;
pub(crate) mod value;
pub(crate) mod winback;

use anyhow::Context;
use crm::pyramid::{PyramidOptions, pyramid};
use crm::{Ledger, Period};

/// Builds the pyramids of `periods` from `ledger`, side by side on
/// separate threads (they are independent reads of the ledger).
pub(crate) fn pyramids(
    ledger: &Ledger,
    periods: &[Period],
    options: &PyramidOptions,
) -> anyhow::Result<Vec<crm::pyramid::Pyramid>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = periods
            .iter()
            .map(|p| s.spawn(move || pyramid(ledger, p, options)))
            .collect();
        handles
            .into_iter()
            .zip(periods)
            .map(|(h, p)| {
                h.join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
                    .with_context(|| format!("cannot build the pyramid of {p}"))
            })
            .collect()
    })
}

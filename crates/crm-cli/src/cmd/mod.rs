//! One module per command: each reads its inputs (`crate::input`), calls
//! the library, and hands the result to a renderer (`crate::output`).

pub(crate) mod actions;
pub(crate) mod campaign;
pub(crate) mod clv;
pub(crate) mod complaints;
#[cfg(feature = "parquet")]
pub(crate) mod convert;
pub(crate) mod customer;
pub(crate) mod erase;
pub(crate) mod funnel;
pub(crate) mod generate;
pub(crate) mod import;
pub(crate) mod migration;
pub(crate) mod pyramid;
pub(crate) mod report;
pub(crate) mod scorecard;
pub(crate) mod value;
pub(crate) mod winback;

use anyhow::Context;
use crm::pyramid::{PyramidOptions, pyramid};
use crm::{Ledger, Period};

/// Builds the pyramids of `periods` from `ledger`, side by side on as many
/// threads as there are cores (they are independent reads of the ledger),
/// in the order of `periods`.
pub(crate) fn pyramids(
    ledger: &Ledger,
    periods: &[Period],
    options: &PyramidOptions,
) -> anyhow::Result<Vec<crm::pyramid::Pyramid>> {
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let chunk = periods.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = periods
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|p| {
                            pyramid(ledger, p, options)
                                .with_context(|| format!("cannot build the pyramid of {p}"))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(periods.len());
        for h in handles {
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))?);
        }
        Ok(all)
    })
}

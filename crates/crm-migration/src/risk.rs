use crm_core::{Ledger, Money};
use crm_pyramid::{Level, Pyramid};

use crate::{Movement, Result, Source};

/// A customer who dropped a level or lapsed (active to Inactive) between
/// two periods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Risk<'a> {
    /// The customer's key.
    pub customer: &'a str,
    /// The level before.
    pub from: Level,
    /// The level after.
    pub to: Level,
    /// Down or lapsed.
    pub movement: Movement,
    /// Value in the earlier period.
    pub value_from: Money,
    /// Value in the later period.
    pub value_to: Money,
    /// `value_from - value_to`: what the move cost.
    pub value_lost: Money,
}

/// The customers who moved down or lapsed from `earlier` to `later`,
/// the most value lost first (ties by key).
///
/// # Errors
///
/// [`Error::OtherLedger`](crate::Error::OtherLedger) when the pyramids are not from `ledger`;
/// [`Error::SamePeriod`](crate::Error::SamePeriod) when both pyramids are of the same period;
/// [`Error::PeriodOrder`](crate::Error::PeriodOrder) when `later` does not end after `earlier`
/// (pyramids given in the wrong order).
pub fn risk_list<'a>(
    ledger: &'a Ledger,
    earlier: &Pyramid,
    later: &Pyramid,
) -> Result<Vec<Risk<'a>>> {
    crate::matrix::check_ledger(ledger, earlier, later)?;
    crate::matrix::check_order(earlier.period(), later.period())?;
    let mut out = Vec::new();
    for id in ledger.ids() {
        let (Some(from), Some(to)) = (earlier.level_of(id)?, later.level_of(id)?) else {
            continue;
        };
        let movement = Movement::of(Source::Level(from), to);
        if !matches!(movement, Movement::Down | Movement::Lapsed) {
            continue;
        }
        let (value_from, value_to) = (earlier.value_of(id)?, later.value_of(id)?);
        let customer = ledger.key(id)?;
        let value_lost =
            value_from
                .checked_sub(value_to)
                .ok_or_else(|| crm_core::Error::AmountOverflow {
                    what: format!("the value lost by customer {customer:?}"),
                })?;
        out.push(Risk {
            customer,
            from,
            to,
            movement,
            value_from,
            value_to,
            value_lost,
        });
    }
    out.sort_by(|a, b| {
        b.value_lost
            .cmp(&a.value_lost)
            .then_with(|| a.customer.as_bytes().cmp(b.customer.as_bytes()))
    });
    Ok(out)
}

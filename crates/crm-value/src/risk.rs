use crm_core::{Datelike, Decimal, Ledger, Money};
use crm_pyramid::{Level, Pyramid};

use crate::{Error, Result};

/// A reason to think a customer may be leaving.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "signal", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Signal {
    /// Value fell by more than the threshold against the previous period.
    ValueDrop {
        /// Value in the previous period.
        before: Money,
        /// Value now.
        now: Money,
        /// The fall as a share of `before` ([`crm_core::share`]: six
        /// decimals, half to even).
        #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str"))]
        drop: Decimal,
    },
    /// Dropped to a lower level.
    DroppedLevel {
        /// The level before.
        from: Level,
        /// The level now.
        to: Level,
    },
    /// No purchase for longer than a multiple of the customer's own usual
    /// time between purchases.
    Overdue {
        /// Days since the last purchase, at the period's end.
        days_since: u32,
        /// The customer's mean days between purchases.
        usual_gap: f64,
    },
    /// The probability of being alive (from a lifetime-value model) is low.
    LowPAlive {
        /// The probability.
        p_alive: f64,
    },
}

/// Thresholds of the risk signals.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct RiskOptions {
    /// A fall of value beyond this share of the previous period's value.
    /// Default 0.3 (30%).
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str"))]
    pub value_drop: Decimal,
    /// Overdue beyond this many times the usual gap. Default 2.
    pub overdue_factor: f64,
    /// P(alive) below this. Default 0.3.
    pub p_alive_below: f64,
}

impl Default for RiskOptions {
    fn default() -> RiskOptions {
        RiskOptions {
            value_drop: Decimal::new(3, 1),
            overdue_factor: 2.0,
            p_alive_below: 0.3,
        }
    }
}

/// An active customer with at least one risk signal.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AtRisk {
    /// The customer.
    pub customer: String,
    /// The level now.
    pub level: Level,
    /// Value now.
    pub value: Money,
    /// Every signal that fired, each on its own.
    pub signals: Vec<Signal>,
}

/// The active customers of `now` with risk signals: value
/// fell by more than a share against `before` (the earlier pyramid, first,
/// as in every function of two periods), dropped a level, overdue
/// against their own usual time between purchases, or a low P(alive) as
/// `p_alive(key)` says (pass `|_| None` until a lifetime-value model is
/// fitted). Sorted by value now, highest first.
///
/// The overdue signal needs purchase days in the ledger
/// ([`LedgerOptions::purchase_days`](crm_core::LedgerOptions::purchase_days))
/// and at least two purchases.
///
/// # Errors
///
/// [`Error::NeedsPurchaseDays`] without purchase days; [`Error::Pyramid`]
/// when a pyramid was built from another ledger; [`Error::BasisDiffers`]
/// when the pyramids come from different bases, [`Error::PeriodOrder`]
/// when `now` does not end after `before` (the periods may overlap, as rolling windows do).
pub fn risk(
    ledger: &Ledger,
    before: &Pyramid,
    now: &Pyramid,
    options: &RiskOptions,
    mut p_alive: impl FnMut(&str) -> Option<f64>,
) -> Result<Vec<AtRisk>> {
    if !ledger.options().purchase_days {
        return Err(Error::NeedsPurchaseDays {
            analysis: "the overdue signal",
        });
    }
    if now.basis() != before.basis() {
        return Err(Error::BasisDiffers {
            before: before.basis(),
            now: now.basis(),
        });
    }
    if now.period().end() <= before.period().end() {
        return Err(Error::PeriodOrder {
            before: *before.period(),
            now: *now.period(),
        });
    }
    before.check_ledger(ledger)?;
    now.check_ledger(ledger)?;
    let end = now.period().end().num_days_from_ce();
    let mut out = Vec::new();
    for &id in now.ranking() {
        let mut signals = Vec::new();
        let (v_now, v_before) = (now.value_of(id)?, before.value_of(id)?);
        if v_before.is_positive() && v_now < v_before {
            // Both are positive and v_now < v_before: the difference fits.
            let drop = v_before
                .checked_sub(v_now)
                .and_then(|fall| fall.ratio_to(v_before))
                .unwrap_or(Decimal::ZERO);
            if drop > options.value_drop {
                signals.push(Signal::ValueDrop {
                    before: v_before,
                    now: v_now,
                    drop: crm_core::round_share(drop),
                });
            }
        }
        let level = now.level_of(id)?;
        if let (Some(from), Some(to)) = (before.level_of(id)?, level)
            && from.is_active()
            && to > from
        {
            signals.push(Signal::DroppedLevel { from, to });
        }
        let days: Vec<i32> = ledger
            .purchase_days(id)?
            .map(|d| {
                d.map(|x| x.num_days_from_ce())
                    .take_while(|&x| x < end)
                    .collect()
            })
            .unwrap_or_default();
        if let (Some(&first), Some(&last)) = (days.first(), days.last())
            && days.len() >= 2
        {
            let usual_gap = f64::from(last - first) / (days.len() - 1) as f64;
            let since = end - last;
            if f64::from(since) > options.overdue_factor * usual_gap {
                signals.push(Signal::Overdue {
                    days_since: u32::try_from(since).unwrap_or(0),
                    usual_gap: (usual_gap * 10.0).round() / 10.0,
                });
            }
        }
        let key = ledger.key(id)?;
        if let Some(p) = p_alive(key)
            && p < options.p_alive_below
        {
            signals.push(Signal::LowPAlive { p_alive: p });
        }
        if !signals.is_empty() {
            out.push(AtRisk {
                customer: key.to_string(),
                level: level.unwrap_or(Level::Small),
                value: v_now,
                signals,
            });
        }
    }
    Ok(out)
}

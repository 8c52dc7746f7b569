use crm_core::{Decimal, Ledger, Money};
use crm_pyramid::{Level, Pyramid};

use crate::{Result, overflow};

/// One customer's share of wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct WalletShare {
    /// The customer.
    pub customer: String,
    /// The level in the pyramid.
    pub level: Level,
    /// Value in the period.
    pub value: Money,
    /// Potential for the period: the yearly potential scaled to the
    /// period's length.
    pub potential: Money,
    /// `value / potential`, at least 0 (active customers have value > 0).
    pub share: Decimal,
    /// `potential - value`: what the customer spends elsewhere (negative
    /// when the potential is an underestimate).
    pub room: Money,
}

/// Share of wallet of the active customers of a pyramid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Wallet {
    /// Active customers with a known potential, by key.
    pub shares: Vec<WalletShare>,
    /// Active customers without a usable potential (unknown, zero or
    /// negative): their share is undefined, not guessed.
    pub undefined: Vec<String>,
    /// Small and Medium customers by growth room, most room first: the
    /// ones worth developing.
    pub develop: Vec<WalletShare>,
}

/// Share of wallet (value / potential, and the growth room potential −
/// value) of the active customers of `pyramid`,
/// with `potential(key)` giving a customer's yearly potential from the
/// register.
///
/// # Errors
///
/// [`Error::Core`](crate::Error::Core) when a sum overflows.
pub fn share_of_wallet(
    ledger: &Ledger,
    pyramid: &Pyramid,
    mut potential: impl FnMut(&str) -> Option<Money>,
) -> Result<Wallet> {
    let days = Decimal::from(pyramid.period().days());
    let year = Decimal::new(36525, 2);
    let mut shares = Vec::new();
    let mut undefined = Vec::new();
    for &id in pyramid.ranking() {
        let key = ledger.key(id);
        let level = pyramid.level_of(id).unwrap_or(Level::Small);
        let value = pyramid.value_of(id);
        let yearly = potential(key).filter(|p| p.is_positive());
        let Some(yearly) = yearly else {
            undefined.push(key.to_string());
            continue;
        };
        let scaled = yearly
            .as_decimal()
            .checked_mul(days)
            .and_then(|x| x.checked_div(year))
            .ok_or_else(overflow)?;
        let potential = Money::new(scaled.round_dp(2));
        if !potential.is_positive() {
            undefined.push(key.to_string());
            continue;
        }
        shares.push(WalletShare {
            customer: key.to_string(),
            level,
            value,
            potential,
            share: value.ratio_to(potential).ok_or_else(overflow)?.round_dp(6),
            room: potential.checked_sub(value).ok_or_else(overflow)?,
        });
    }
    shares.sort_by(|a, b| a.customer.as_bytes().cmp(b.customer.as_bytes()));
    undefined.sort();
    let mut develop: Vec<WalletShare> = shares
        .iter()
        .filter(|s| matches!(s.level, Level::Small | Level::Medium) && s.room.is_positive())
        .cloned()
        .collect();
    develop.sort_by(|a, b| {
        b.room
            .cmp(&a.room)
            .then_with(|| a.customer.as_bytes().cmp(b.customer.as_bytes()))
    });
    Ok(Wallet {
        shares,
        undefined,
        develop,
    })
}

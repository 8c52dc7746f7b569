use crm_core::{CustomerId, Datelike, Decimal, Ledger, Money, NaiveDate, Period};
use crm_pyramid::{Level, Pyramid};

use crate::{Result, overflow};

/// One customer's share of wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct WalletShare {
    /// The customer.
    pub customer: String,
    /// The level in the pyramid.
    pub level: Level,
    /// Value in the period.
    pub value: Money,
    /// Potential for the period: the yearly potential times the period's
    /// share of a year ([`year_fraction`]), rounded to the cent.
    pub potential: Money,
    /// `value / potential`, at least 0 (active customers have value > 0).
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str"))]
    pub share: Decimal,
    /// `potential - value`: what the customer spends elsewhere (negative
    /// when the potential is an underestimate).
    pub room: Money,
}

/// How [`Wallet::develop`] ranks the Small and Medium customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum DevelopBy {
    /// Lowest share of wallet first, the most room first among equal
    /// shares: the customers who buy most of their needs elsewhere, which
    /// is whom the method says to develop. The default.
    #[default]
    Share,
    /// Most growth room (potential − value) first, lowest share first
    /// among equal rooms: the largest absolute amounts to win, which
    /// favours large accounts whatever their share. The ranking of
    /// earlier versions.
    Room,
}

impl DevelopBy {
    /// The name used in reports and on the command line: `share`, `room`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DevelopBy::Share => "share",
            DevelopBy::Room => "room",
        }
    }
}

/// Options of [`share_of_wallet_with`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WalletOptions {
    /// How the customers to develop are ranked. Default
    /// [`DevelopBy::Share`].
    pub develop_by: DevelopBy,
}

impl WalletOptions {
    /// The defaults.
    pub fn new() -> WalletOptions {
        WalletOptions::default()
    }

    /// Sets the ranking of the customers to develop.
    #[must_use]
    pub fn develop_by(mut self, by: DevelopBy) -> WalletOptions {
        self.develop_by = by;
        self
    }
}

/// Share of wallet of the active customers of a pyramid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Wallet {
    /// The period's share of a year, in twelfths ([`year_fraction`] × 12):
    /// 12 for a calendar year, 3 for a quarter, 1 for a month.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str"))]
    pub months: Decimal,
    /// Active customers with a known potential, by key.
    pub shares: Vec<WalletShare>,
    /// Active customers without a usable potential (unknown, zero or
    /// negative): their share is undefined, not guessed.
    pub undefined: Vec<String>,
    /// How `develop` is ranked.
    pub develop_by: DevelopBy,
    /// The Small and Medium customers with room to grow (room > 0), ranked
    /// by `develop_by`: the ones worth developing.
    pub develop: Vec<WalletShare>,
}

/// The days of `date`'s month.
fn days_in_month(date: NaiveDate) -> i64 {
    let (y, m) = (date.year(), date.month());
    let first = date.with_day(1).unwrap_or(date);
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y.saturating_add(1), 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    // The month after December of the last representable year does not
    // exist; December has 31 days.
    next.map_or(31, |n| (n - first).num_days())
}

/// The share of a year that `period` spans, as a number of months: each
/// day counts as `1 / (days in its month)` of a month. So any whole
/// number of calendar months is exactly that many (a calendar year is 12,
/// a quarter 3, leap years included), and a part of a month counts by its
/// days (`2024-02-01..2024-02-15` is 14/29 of a month). Periods add up:
/// the months of two adjacent periods are the months of their union (to
/// the 28 digits of a decimal).
///
/// ```
/// use crm_value::year_fraction;
/// let months = |s: &str| year_fraction(&s.parse().unwrap());
/// assert_eq!(months("2024"), 12.into());
/// assert_eq!(months("2024-Q1"), 3.into());
/// assert_eq!(months("2024-02"), 1.into());
/// assert_eq!(months("2024-01-01..2026-01-01"), 24.into());
/// assert_eq!(months("2024-01-16..2024-02-01"), "0.5161290322580645161290322581".parse().unwrap()); // 16/31
/// ```
pub fn year_fraction(period: &Period) -> Decimal {
    let (s, e) = (period.start(), period.end());
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let part = |days: i64, of: NaiveDate| Decimal::from(days) / Decimal::from(days_in_month(of));
    if index(s) == index(e) {
        return part((e - s).num_days(), s);
    }
    // From s to the end of its month, whole months, then e's month up to e.
    let first = part(days_in_month(s) - i64::from(s.day0()), s);
    let whole = index(e) - index(s) - 1;
    let last = part(i64::from(e.day0()), e);
    first + Decimal::from(whole) + last
}

/// `yearly × months / 12`, exact when the product fits (every whole
/// number of years, quarters or months of an amount with few decimals),
/// else as `yearly × (months / 12)`; `None` when the result does not fit.
fn scale(yearly: Decimal, months: Decimal) -> Option<Decimal> {
    let twelve = Decimal::from(12);
    yearly
        .checked_mul(months)
        .and_then(|x| x.checked_div(twelve))
        .or_else(|| yearly.checked_mul(months.checked_div(twelve)?))
}

/// Share of wallet of the active customers of `pyramid`, with
/// `potential(key)` giving a customer's yearly potential from the
/// register, and the customers to develop ranked by share; see
/// [`share_of_wallet_with`].
///
/// # Errors
///
/// As [`share_of_wallet_with`].
pub fn share_of_wallet(
    ledger: &Ledger,
    pyramid: &Pyramid,
    potential: impl FnMut(&str) -> Option<Money>,
) -> Result<Wallet> {
    share_of_wallet_with(ledger, pyramid, potential, &WalletOptions::new())
}

/// Share of wallet of the active customers of `pyramid`: value in the
/// period over the potential for the period, and the growth room
/// (potential − value).
///
/// The register's potential is yearly spend in our category; the
/// potential for the period is the yearly potential times the period's
/// [`year_fraction`] (months / 12), rounded to the cent. A calendar year is
/// exactly one year's potential, any whole number of calendar years,
/// quarters or months exactly that fraction of it (a quarter is a quarter,
/// in a leap year too); other periods count each day as a share of its
/// month.
///
/// The customers to develop are the Small and Medium ones with room to
/// grow: the method picks those with a low share of wallet (the few small
/// customers who buy most of their needs elsewhere and can grow), so by
/// default they are ranked by share, lowest first, with room as the
/// tie-break ([`DevelopBy::Share`]); [`DevelopBy::Room`] ranks by absolute
/// room. Both figures are in every [`WalletShare`].
///
/// # Errors
///
/// [`Error::Core`](crate::Error::Core)
/// ([`AmountOverflow`](crm_core::Error::AmountOverflow)) when a scaled
/// potential, a share or a room leaves the range of an amount (the message
/// names the customer).
pub fn share_of_wallet_with(
    ledger: &Ledger,
    pyramid: &Pyramid,
    mut potential: impl FnMut(&str) -> Option<Money>,
    options: &WalletOptions,
) -> Result<Wallet> {
    wallet_of(ledger, pyramid, |_, key| potential(key), options)
}

/// [`share_of_wallet_with`] with `potential(id)` giving a customer's
/// yearly potential by its id in `ledger`: for a caller that holds the
/// potentials by id (read from the register into the ledger's order),
/// which saves looking each active customer's key up again.
///
/// # Errors
///
/// As [`share_of_wallet_with`].
///
/// ```
/// use crm_core::{Ledger, Money, NaiveDate, Period};
/// use crm_pyramid::{pyramid, PyramidOptions};
/// use crm_value::{share_of_wallet, share_of_wallet_by_id, WalletOptions};
///
/// let year: Period = "2025".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// ledger.record_sale("A", d, "100".parse()?, None)?;
/// let p = pyramid(&ledger, &year, &PyramidOptions::new())?;
/// let by_id: Vec<Option<Money>> = vec![Some("400".parse()?)];
/// let w = share_of_wallet_by_id(&ledger, &p, |id| by_id[id.index()], &WalletOptions::new())?;
/// assert_eq!(w, share_of_wallet(&ledger, &p, |_| Some("400".parse().unwrap()))?);
/// assert_eq!(w.shares[0].share.to_string(), "0.25");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn share_of_wallet_by_id(
    ledger: &Ledger,
    pyramid: &Pyramid,
    mut potential: impl FnMut(CustomerId) -> Option<Money>,
    options: &WalletOptions,
) -> Result<Wallet> {
    wallet_of(ledger, pyramid, |id, _| potential(id), options)
}

/// [`share_of_wallet_with`] with the potential asked by id and key.
fn wallet_of(
    ledger: &Ledger,
    pyramid: &Pyramid,
    mut potential: impl FnMut(CustomerId, &str) -> Option<Money>,
    options: &WalletOptions,
) -> Result<Wallet> {
    let months = year_fraction(pyramid.period());
    let mut shares = Vec::new();
    let mut undefined = Vec::new();
    pyramid.check_ledger(ledger)?;
    for &id in pyramid.ranking() {
        let key = ledger.key(id)?;
        let level = pyramid.level_of(id)?.unwrap_or(Level::Small);
        let value = pyramid.value_of(id)?;
        let yearly = potential(id, key).filter(|p| p.is_positive());
        let Some(yearly) = yearly else {
            undefined.push(key.to_string());
            continue;
        };
        let scaled = scale(yearly.as_decimal(), months).ok_or_else(|| {
            overflow(format!(
                "the potential of customer {key:?} for {} ({yearly} a year)",
                pyramid.period()
            ))
        })?;
        let potential = Money::new(scaled).round_dp(2);
        if !potential.is_positive() {
            undefined.push(key.to_string());
            continue;
        }
        shares.push(WalletShare {
            customer: key.to_string(),
            level,
            value,
            potential,
            share: crm_core::share(value.as_decimal(), potential.as_decimal()).ok_or_else(
                || {
                    overflow(format!(
                        "the share of wallet of customer {key:?} ({value} of {potential})"
                    ))
                },
            )?,
            room: potential
                .checked_sub(value)
                .ok_or_else(|| overflow(format!("the growth room of customer {key:?}")))?,
        });
    }
    shares.sort_by(|a, b| a.customer.as_bytes().cmp(b.customer.as_bytes()));
    undefined.sort();
    let mut develop: Vec<WalletShare> = shares
        .iter()
        .filter(|s| matches!(s.level, Level::Small | Level::Medium) && s.room.is_positive())
        .cloned()
        .collect();
    let by_key =
        |a: &WalletShare, b: &WalletShare| a.customer.as_bytes().cmp(b.customer.as_bytes());
    match options.develop_by {
        DevelopBy::Share => develop.sort_by(|a, b| {
            a.share
                .cmp(&b.share)
                .then_with(|| b.room.cmp(&a.room))
                .then_with(|| by_key(a, b))
        }),
        DevelopBy::Room => develop.sort_by(|a, b| {
            b.room
                .cmp(&a.room)
                .then_with(|| a.share.cmp(&b.share))
                .then_with(|| by_key(a, b))
        }),
    }
    Ok(Wallet {
        months,
        shares,
        undefined,
        develop_by: options.develop_by,
        develop,
    })
}

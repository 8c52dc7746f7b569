// Complaint handling (documented in the crate's docs).

use crm_core::{CustomerId, Decimal, Ledger, Money, NaiveDate, Period};
use crm_pyramid::{Level, Pyramid};

use crate::stats::{DaysSummary, share};
use crate::{Error, Result};

/// Options of [`complaints`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct ComplaintOptions {
    /// The service level: a complaint resolved at most this many days
    /// after it was received is resolved within it (default 14).
    pub sla_days: u32,
}

impl Default for ComplaintOptions {
    fn default() -> Self {
        ComplaintOptions { sla_days: 14 }
    }
}

impl ComplaintOptions {
    /// The defaults: a service level of 14 days.
    pub fn new() -> ComplaintOptions {
        ComplaintOptions::default()
    }

    /// Sets the service level in days.
    #[must_use]
    pub fn sla_days(mut self, days: u32) -> ComplaintOptions {
        self.sla_days = days;
        self
    }
}

/// The three groups whose retention is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum ComplaintGroup {
    /// Active in the period, no complaint received in it.
    NoComplaint,
    /// Active, complained in the period, and every complaint received in
    /// it was resolved by the period's end.
    Resolved,
    /// Active, complained in the period, and at least one complaint
    /// received in it was still open at the period's end.
    Unresolved,
}

impl ComplaintGroup {
    /// The three groups in report order.
    pub const ALL: [ComplaintGroup; 3] = [
        ComplaintGroup::NoComplaint,
        ComplaintGroup::Resolved,
        ComplaintGroup::Unresolved,
    ];

    /// The name used in files: `no-complaint`, `resolved`, `unresolved`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ComplaintGroup::NoComplaint => "no-complaint",
            ComplaintGroup::Resolved => "resolved",
            ComplaintGroup::Unresolved => "unresolved",
        }
    }
}

/// The retention of one group: of its customers (active in the period),
/// how many were active again in the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GroupRetention {
    /// The group.
    pub group: ComplaintGroup,
    /// Customers active in the period, in the group.
    pub customers: u64,
    /// Of those, the ones active in the next period.
    pub retained: u64,
    /// `retained / customers`; `None` for an empty group.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str::option"))]
    pub rate: Option<Decimal>,
}

/// The complaints by the complainer's pyramid level in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LevelComplaints {
    /// The level in the period's pyramid; `None` for a customer outside it
    /// (lost beyond the inactivity horizon).
    pub level: Option<Level>,
    /// Complaints received in the period from customers at this level.
    pub complaints: u64,
    /// Customers at this level who complained in the period.
    pub complainers: u64,
    /// Their value in the period (the pyramid's basis).
    pub value: Money,
}

/// Complaint handling in one period.
///
/// A complaint is received on its date; a `complaint-resolved` interaction
/// closes the oldest complaint of the same customer still open on its date
/// (the same day counts), and one that finds nothing open closes nothing
/// (counted in `unmatched_resolutions`). Days to resolve are the days
/// from the complaint to the resolution that closed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ComplaintReport {
    /// The period.
    pub period: Period,
    /// The service level in days.
    pub sla_days: u32,
    /// Complaints received in the period.
    pub received: u64,
    /// Customers with a complaint received in the period.
    pub complainers: u64,
    /// Resolutions dated in the period that closed a complaint (of this
    /// period or an earlier one).
    pub resolved: u64,
    /// Resolutions dated in the period that found no complaint open.
    pub unmatched_resolutions: u64,
    /// Complaints open at the period's start.
    pub open_at_start: u64,
    /// Complaints open at the period's end (received before it, not
    /// resolved before it).
    pub open_at_end: u64,
    /// Of the complaints received in the period, those resolved at all
    /// (resolutions after the period's end count, up to the end of the
    /// ledger's latest period).
    pub received_resolved: u64,
    /// Days to resolve the complaints received in the period that were
    /// resolved; `None` when none was.
    pub days_to_resolve: Option<DaysSummary>,
    /// Of the complaints received in the period, those resolved at most
    /// `sla_days` days after they were received.
    pub within_sla: u64,
    /// `within_sla / received`; `None` without complaints.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str::option"))]
    pub within_sla_share: Option<Decimal>,
    /// Complaints and complainers per level of the period's pyramid, high
    /// to low, levels without complainers left out; customers outside the
    /// pyramid last.
    pub by_level: Vec<LevelComplaints>,
    /// Complainers who were not active in the period (not in a retention
    /// group).
    pub complainers_not_active: u64,
    /// Retention in the next period of the customers active in this one,
    /// by group; empty without the next period's pyramid.
    pub retention: Vec<GroupRetention>,
    /// The next period, when its pyramid was given.
    pub next_period: Option<Period>,
}

impl ComplaintReport {
    /// The retention of `group`, when the next period was given.
    pub fn group(&self, group: ComplaintGroup) -> Option<&GroupRetention> {
        self.retention.iter().find(|g| g.group == group)
    }

    /// The share of complainers active in the period who were active in
    /// the next (resolved and unresolved together).
    pub fn complainer_retention(&self) -> Option<Decimal> {
        let (mut n, mut kept) = (0u64, 0u64);
        for g in self
            .retention
            .iter()
            .filter(|g| g.group != ComplaintGroup::NoComplaint)
        {
            n += g.customers;
            kept += g.retained;
        }
        share(kept, n)
    }
}

/// Checks that a pyramid was built from this ledger as it is now.
pub(crate) fn check_pyramid(ledger: &Ledger, p: &Pyramid) -> Result<()> {
    if p.len() != ledger.len() {
        return Err(Error::Mismatch {
            what: "pyramid",
            detail: format!(
                "the pyramid of {} covers {} customers, the ledger has {}",
                p.period(),
                p.len(),
                ledger.len()
            ),
        });
    }
    Ok(())
}

fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

/// Measures complaint handling in the period of `now`, and with `next`
/// (the pyramid of the following period) the retention of the three
/// groups.
///
/// Both pyramids must be built from `ledger` as it is (same customers);
/// the complaints and resolutions are those the ledger recorded from its
/// interactions (see [`Ledger::complaint_history`]), so memory grows with
/// the customers and their complaints, never with the other interactions.
///
/// # Errors
///
/// [`Error::Mismatch`] when a pyramid is not of this ledger, or `next`
/// does not start where `now` ends.
///
/// # Example
///
/// ```
/// use crm_core::{InteractionKind, Ledger, Money, NaiveDate, Period};
/// use crm_ops::{ComplaintOptions, complaints};
/// use crm_pyramid::{PyramidOptions, pyramid};
///
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let (h1, h2) = (
///     Period::new(d(1, 1), d(7, 1)).unwrap(),
///     Period::new(d(7, 1), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap(),
/// );
/// let mut ledger = Ledger::new([h1, h2]);
/// for key in ["a", "b"] {
///     ledger.record_sale(key, d(2, 1), Money::from(100), None).unwrap();
/// }
/// ledger.record_sale("a", d(9, 1), Money::from(50), None).unwrap();
/// ledger.record_contact("a", d(3, 1), InteractionKind::Complaint).unwrap();
/// ledger.record_contact("a", d(3, 11), InteractionKind::ComplaintResolved).unwrap();
/// ledger.record_contact("b", d(5, 1), InteractionKind::Complaint).unwrap();
///
/// let o = PyramidOptions::new();
/// let (now, next) = (pyramid(&ledger, &h1, &o).unwrap(), pyramid(&ledger, &h2, &o).unwrap());
/// let r = complaints(&ledger, &now, Some(&next), &ComplaintOptions::new()).unwrap();
/// assert_eq!((r.received, r.resolved, r.open_at_end, r.within_sla), (2, 1, 1, 1));
/// // The heard complainer stayed, the unheard one left.
/// let kept: Vec<u64> = r.retention.iter().map(|g| g.retained).collect();
/// assert_eq!(kept, [0, 1, 0]);
/// ```
pub fn complaints(
    ledger: &Ledger,
    now: &Pyramid,
    next: Option<&Pyramid>,
    options: &ComplaintOptions,
) -> Result<ComplaintReport> {
    check_pyramid(ledger, now)?;
    let period = *now.period();
    if let Some(n) = next {
        check_pyramid(ledger, n)?;
        if n.period().start() != period.end() {
            return Err(Error::Mismatch {
                what: "next period",
                detail: format!("{} does not start where {} ends", n.period(), period),
            });
        }
    }
    let mut r = ComplaintReport {
        period,
        sla_days: options.sla_days,
        received: 0,
        complainers: 0,
        resolved: 0,
        unmatched_resolutions: 0,
        open_at_start: 0,
        open_at_end: 0,
        received_resolved: 0,
        days_to_resolve: None,
        within_sla: 0,
        within_sla_share: None,
        by_level: Vec::new(),
        complainers_not_active: 0,
        retention: Vec::new(),
        next_period: next.map(|n| *n.period()),
    };
    // Per level index (0..7), and 7 for outside the pyramid.
    let mut levels = [(0u64, 0u64, Money::ZERO); 8];
    let mut groups = [(0u64, 0u64); 3];
    let mut days = Vec::new();
    let is_open = |received: NaiveDate, resolved: Option<NaiveDate>, at: NaiveDate| {
        received < at && resolved.is_none_or(|d| d >= at)
    };
    // Resolutions count up to the end of the ledger's latest period: what
    // a store loads into it (a file may hold later rows; they are not
    // read from a database, and must not change the answer).
    let horizon = ledger
        .periods()
        .iter()
        .map(|p| p.end())
        .max()
        .unwrap_or(period.end());
    for id in ledger.ids() {
        let mut h = ledger.complaint_history(id);
        for c in &mut h.cases {
            c.resolved = c.resolved.filter(|&d| d < horizon);
        }
        let mut received = 0u64;
        let mut open_from_period = false;
        for c in &h.cases {
            if is_open(c.received, c.resolved, period.start()) {
                r.open_at_start += 1;
            }
            if is_open(c.received, c.resolved, period.end()) {
                r.open_at_end += 1;
            }
            if c.resolved.is_some_and(|d| period.contains(d)) {
                r.resolved += 1;
            }
            if !period.contains(c.received) {
                continue;
            }
            received += 1;
            match c.resolved {
                Some(d) => {
                    let n = days_between(c.received, d);
                    days.push(n);
                    r.received_resolved += 1;
                    if n <= options.sla_days {
                        r.within_sla += 1;
                    }
                    if d >= period.end() {
                        open_from_period = true;
                    }
                }
                None => open_from_period = true,
            }
        }
        r.unmatched_resolutions += h
            .unmatched_resolutions
            .iter()
            .filter(|d| period.contains(**d))
            .count() as u64;
        r.received += received;
        let level = now.level_of(id)?;
        let active = level.is_some_and(Level::is_active);
        if received > 0 {
            r.complainers += 1;
            let slot = level.map_or(7, Level::index);
            if let Some(l) = levels.get_mut(slot) {
                l.0 += received;
                l.1 += 1;
                l.2 = l.2.checked_add(now.value_of(id)?).ok_or(Error::Overflow {
                    what: "value of the complainers",
                })?;
            }
            if !active {
                r.complainers_not_active += 1;
            }
        }
        if let (Some(n), true) = (next, active) {
            let g = classify(received > 0, open_from_period) as usize;
            let kept = n.level_of(id)?.is_some_and(Level::is_active);
            if let Some(slot) = groups.get_mut(g) {
                slot.0 += 1;
                slot.1 += u64::from(kept);
            }
        }
    }
    r.days_to_resolve = DaysSummary::of(&mut days);
    r.within_sla_share = share(r.within_sla, r.received);
    r.by_level = levels
        .iter()
        .enumerate()
        .filter(|(_, l)| l.1 > 0)
        .map(|(i, l)| LevelComplaints {
            level: Level::ALL.get(i).copied(),
            complaints: l.0,
            complainers: l.1,
            value: l.2,
        })
        .collect();
    if next.is_some() {
        r.retention = ComplaintGroup::ALL
            .iter()
            .zip(groups)
            .map(|(&group, (customers, retained))| GroupRetention {
                group,
                customers,
                retained,
                rate: share(retained, customers),
            })
            .collect();
    }
    Ok(r)
}

/// Which customer is in which retention group: for property tests and the
/// per-customer views (`None`: not active in the period).
pub fn group_of(ledger: &Ledger, now: &Pyramid, id: CustomerId) -> Option<ComplaintGroup> {
    if !now.level_of(id).ok()?.is_some_and(Level::is_active) {
        return None;
    }
    let period = now.period();
    let mut complained = false;
    let mut open = false;
    for c in ledger
        .complaint_history(id)
        .cases
        .iter()
        .filter(|c| period.contains(c.received))
    {
        complained = true;
        open |= c.resolved.is_none_or(|d| d >= period.end());
    }
    Some(classify(complained, open))
}

fn classify(complained: bool, open: bool) -> ComplaintGroup {
    match (complained, open) {
        (false, _) => ComplaintGroup::NoComplaint,
        (true, false) => ComplaintGroup::Resolved,
        (true, true) => ComplaintGroup::Unresolved,
    }
}

//! Contact and complaint aggregates of the ledger's interaction pass.
//!
//! Kept beside the per-customer records rather than inside them: the sale
//! path touches one 96-byte record per customer, and most customers of a
//! large history have no interaction at all, so these tables grow only
//! when an interaction arrives.

use chrono::NaiveDate;

use crate::{InteractionKind, Period};

/// A customer's contacts in one tracked period: the interactions the
/// company made ([`InteractionKind::is_contact_made`]), so complaints are
/// left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodContacts {
    contacts: u32,
    last_before_end: Option<NaiveDate>,
}

impl PeriodContacts {
    /// Contacts made dated in the period (saturating).
    pub fn contacts(&self) -> u32 {
        self.contacts
    }

    /// Date of the last contact made dated before the period's end.
    pub fn last_contact_before_end(&self) -> Option<NaiveDate> {
        self.last_before_end
    }

    fn add(&mut self, period: &Period, date: NaiveDate) {
        if date < period.end() {
            self.last_before_end = self.last_before_end.max(Some(date));
            if date >= period.start() {
                self.contacts = self.contacts.saturating_add(1);
            }
        }
    }

    fn merge(&mut self, o: &PeriodContacts) {
        self.contacts = self.contacts.saturating_add(o.contacts);
        self.last_before_end = self.last_before_end.max(o.last_before_end);
    }
}

/// The complaints of a customer still open on a date, with the oldest.
///
/// A complaint is open until a `complaint-resolved` interaction of the same
/// customer dated on or after it; each resolution closes the oldest
/// complaint open at its date, and a resolution with nothing open closes
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenComplaints {
    /// How many are open.
    pub count: u32,
    /// The date of the oldest open one.
    pub oldest: Option<NaiveDate>,
}

/// One complaint of a customer and the resolution that closed it.
///
/// Resolutions are matched to complaints by the rule of
/// [`OpenComplaints`]: a `complaint-resolved` interaction closes the oldest
/// complaint of the same customer still open on its date (a complaint and
/// a resolution on the same day count as resolved that day); a resolution
/// with nothing open closes nothing and is counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ComplaintCase {
    /// The date the complaint was received.
    pub received: NaiveDate,
    /// The date of the resolution that closed it, if any.
    pub resolved: Option<NaiveDate>,
}

/// A customer's complaints with their resolutions, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ComplaintHistory {
    /// Every complaint, in date order, with the resolution that closed it.
    pub cases: Vec<ComplaintCase>,
    /// The dates of resolutions that found no complaint open, in order.
    pub unmatched_resolutions: Vec<NaiveDate>,
}

/// Complaint and resolution days of one customer, each sorted. Memory
/// grows with the complaints, which are few, not with the interactions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ComplaintLog {
    opened: Vec<i32>,
    resolved: Vec<i32>,
}

impl ComplaintLog {
    /// Pairs each complaint with the resolution that closed it, by the
    /// same walk as [`ComplaintLog::open_before`].
    fn history(&self) -> ComplaintHistory {
        let day = NaiveDate::from_num_days_from_ce_opt;
        let mut cases: Vec<ComplaintCase> = self
            .opened
            .iter()
            .filter_map(|&d| day(d))
            .map(|received| ComplaintCase {
                received,
                resolved: None,
            })
            .collect();
        let mut unmatched = Vec::new();
        let (mut next_open, mut closed) = (0usize, 0usize);
        for &r in &self.resolved {
            while next_open < self.opened.len()
                && self.opened.get(next_open).is_some_and(|&o| o <= r)
            {
                next_open += 1;
            }
            if closed < next_open {
                if let Some(c) = cases.get_mut(closed) {
                    c.resolved = day(r);
                }
                closed += 1;
            } else if let Some(d) = day(r) {
                unmatched.push(d);
            }
        }
        ComplaintHistory {
            cases,
            unmatched_resolutions: unmatched,
        }
    }

    fn open_before(&self, before: i32) -> OpenComplaints {
        // Walk both sorted lists in date order; on equal dates the
        // complaint comes first, so a same-day resolution closes it. The
        // open complaints are always a suffix of `opened` seen so far.
        let (mut next_open, mut closed) = (0usize, 0usize);
        let mut resolved = self.resolved.iter().copied().filter(|&d| d < before);
        let opened: Vec<i32> = self
            .opened
            .iter()
            .copied()
            .take_while(|&d| d < before)
            .collect();
        for r in &mut resolved {
            while next_open < opened.len() && opened[next_open] <= r {
                next_open += 1;
            }
            if closed < next_open {
                closed += 1;
            }
        }
        let count = opened.len() - closed;
        OpenComplaints {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            oldest: opened
                .get(closed)
                .and_then(|&d| NaiveDate::from_num_days_from_ce_opt(d)),
        }
    }
}

fn insert_sorted(v: &mut Vec<i32>, d: i32) {
    let pos = v.partition_point(|&x| x <= d);
    v.insert(pos, d);
}

/// One customer's contact aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Contacts {
    last: Option<NaiveDate>,
    complaints: Option<Box<ComplaintLog>>,
}

/// Per-customer contact aggregates for a ledger, grown on demand.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactTable {
    customers: Vec<Contacts>,
    /// `customers.len() × periods` entries, customer by customer.
    periods: Vec<PeriodContacts>,
}

impl ContactTable {
    fn grow(&mut self, idx: usize, np: usize) {
        if self.customers.len() <= idx {
            self.customers.resize(idx + 1, Contacts::default());
            self.periods
                .resize((idx + 1) * np, PeriodContacts::default());
        }
    }

    pub(crate) fn record(
        &mut self,
        idx: usize,
        periods: &[Period],
        date: NaiveDate,
        kind: InteractionKind,
    ) {
        let np = periods.len();
        self.grow(idx, np);
        let c = &mut self.customers[idx];
        c.last = c.last.max(Some(date));
        let day = chrono::Datelike::num_days_from_ce(&date);
        match kind {
            InteractionKind::Complaint => {
                insert_sorted(&mut c.complaints.get_or_insert_default().opened, day);
            }
            InteractionKind::ComplaintResolved => {
                insert_sorted(&mut c.complaints.get_or_insert_default().resolved, day);
            }
            _ => {}
        }
        if !kind.is_contact_made() {
            return;
        }
        for (pc, p) in self.periods[idx * np..(idx + 1) * np]
            .iter_mut()
            .zip(periods)
        {
            pc.add(p, date);
        }
    }

    pub(crate) fn merge_customer(
        &mut self,
        idx: usize,
        np: usize,
        other: &ContactTable,
        oidx: usize,
    ) {
        let Some(o) = other.customers.get(oidx) else {
            return;
        };
        self.grow(idx, np);
        let c = &mut self.customers[idx];
        c.last = c.last.max(o.last);
        if let Some(ol) = &o.complaints {
            let log = c.complaints.get_or_insert_default();
            for &d in &ol.opened {
                insert_sorted(&mut log.opened, d);
            }
            for &d in &ol.resolved {
                insert_sorted(&mut log.resolved, d);
            }
        }
        for p in 0..np {
            let op = other.periods[oidx * np + p];
            self.periods[idx * np + p].merge(&op);
        }
    }

    pub(crate) fn last(&self, idx: usize) -> Option<NaiveDate> {
        self.customers.get(idx).and_then(|c| c.last)
    }

    pub(crate) fn period(&self, idx: usize, np: usize, p: usize) -> PeriodContacts {
        if idx < self.customers.len() {
            self.periods[idx * np + p]
        } else {
            PeriodContacts::default()
        }
    }

    pub(crate) fn complaint_history(&self, idx: usize) -> ComplaintHistory {
        self.customers
            .get(idx)
            .and_then(|c| c.complaints.as_deref())
            .map(ComplaintLog::history)
            .unwrap_or_default()
    }

    pub(crate) fn open_complaints(&self, idx: usize, before: NaiveDate) -> OpenComplaints {
        let day = chrono::Datelike::num_days_from_ce(&before);
        self.customers
            .get(idx)
            .and_then(|c| c.complaints.as_deref())
            .map(|log| log.open_before(day))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(opened: &[i32], resolved: &[i32]) -> ComplaintLog {
        let mut l = ComplaintLog::default();
        for &d in opened {
            insert_sorted(&mut l.opened, d);
        }
        for &d in resolved {
            insert_sorted(&mut l.resolved, d);
        }
        l
    }

    fn day(d: i32) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(d)
    }

    #[test]
    fn one_resolution_closes_the_oldest_open_complaint() {
        let l = log(&[10, 20, 30], &[25]);
        assert_eq!(
            l.open_before(100),
            OpenComplaints {
                count: 2,
                oldest: day(20)
            }
        );
        // Before the resolution, both complaints dated before it are open;
        // the day after, the older one is closed.
        assert_eq!(l.open_before(25).count, 2);
        assert_eq!(
            l.open_before(26),
            OpenComplaints {
                count: 1,
                oldest: day(20)
            }
        );
        assert_eq!(l.open_before(21).oldest, day(10));
    }

    #[test]
    fn a_resolution_before_any_complaint_closes_nothing() {
        let l = log(&[10], &[5]);
        assert_eq!(
            l.open_before(100),
            OpenComplaints {
                count: 1,
                oldest: day(10)
            }
        );
    }

    #[test]
    fn a_same_day_resolution_closes_the_complaint() {
        let l = log(&[10], &[10]);
        assert_eq!(l.open_before(100), OpenComplaints::default());
    }

    #[test]
    fn history_pairs_each_resolution_with_the_oldest_open_complaint() {
        let l = log(&[10, 20, 30], &[5, 25, 26, 40, 41]);
        let h = l.history();
        let pairs: Vec<_> = h.cases.iter().map(|c| (c.received, c.resolved)).collect();
        assert_eq!(
            pairs,
            vec![
                (day(10).unwrap(), day(25)),
                (day(20).unwrap(), day(26)),
                (day(30).unwrap(), day(40))
            ]
        );
        assert_eq!(
            h.unmatched_resolutions,
            vec![day(5).unwrap(), day(41).unwrap()]
        );
        // The open count agrees with the pairs on every date.
        for before in 0..50 {
            let open = h
                .cases
                .iter()
                .filter(|c| {
                    let b = day(before).unwrap();
                    c.received < b && c.resolved.is_none_or(|r| r >= b)
                })
                .count();
            assert_eq!(
                l.open_before(before).count as usize,
                open,
                "before day {before}"
            );
        }
    }

    #[test]
    fn extra_resolutions_are_not_banked() {
        // Two resolutions with one complaint open, then a new complaint:
        // the spare resolution does not close the later one.
        let l = log(&[10, 30], &[15, 16]);
        assert_eq!(
            l.open_before(100),
            OpenComplaints {
                count: 1,
                oldest: day(30)
            }
        );
    }
}

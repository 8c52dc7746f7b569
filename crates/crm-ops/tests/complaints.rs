//! Complaint handling on hand-made histories, counted by hand, and its
//! laws on random ones.

use crm_core::{InteractionKind, Ledger, Money, NaiveDate, Period};
use crm_ops::{ComplaintGroup, ComplaintOptions, complaints, group_of};
use crm_pyramid::{Level, PyramidOptions, pyramid};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn report(ledger: &Ledger, sla: u32) -> crm_ops::ComplaintReport {
    let o = PyramidOptions::new();
    let now = pyramid(ledger, &Period::year(2024).unwrap(), &o).unwrap();
    let next = pyramid(ledger, &Period::year(2025).unwrap(), &o).unwrap();
    complaints(
        ledger,
        &now,
        Some(&next),
        &ComplaintOptions::new().sla_days(sla),
    )
    .unwrap()
}

fn years() -> Ledger {
    Ledger::new([Period::year(2024).unwrap(), Period::year(2025).unwrap()])
}

fn sale(l: &mut Ledger, key: &str, date: NaiveDate, amount: i64) {
    l.record_sale(key, date, Money::from(amount), None).unwrap();
}

fn contact(l: &mut Ledger, key: &str, date: NaiveDate, kind: InteractionKind) {
    l.record_contact(key, date, kind).unwrap();
}

#[test]
fn service_level_of_exactly_n_days_is_within_and_n_plus_one_is_not() {
    let mut l = years();
    for k in ["a", "b"] {
        sale(&mut l, k, d(2024, 1, 5), 10);
    }
    contact(&mut l, "a", d(2024, 3, 1), InteractionKind::Complaint);
    contact(
        &mut l,
        "a",
        d(2024, 3, 15),
        InteractionKind::ComplaintResolved,
    ); // 14 days
    contact(&mut l, "b", d(2024, 3, 1), InteractionKind::Complaint);
    contact(
        &mut l,
        "b",
        d(2024, 3, 16),
        InteractionKind::ComplaintResolved,
    ); // 15 days
    let r = report(&l, 14);
    assert_eq!((r.received, r.resolved, r.within_sla), (2, 2, 1));
    assert_eq!(r.within_sla_share, Some(Decimal::new(5, 1)));
    let days = r.days_to_resolve.unwrap();
    assert_eq!(
        (days.mean, days.median, days.p90),
        (Decimal::new(145, 1), Decimal::new(145, 1), 15)
    );
    assert_eq!(report(&l, 15).within_sla, 2);
    assert_eq!(report(&l, 13).within_sla, 0);
}

#[test]
fn a_complaint_resolved_in_the_next_period() {
    let mut l = years();
    sale(&mut l, "a", d(2024, 6, 1), 100);
    sale(&mut l, "a", d(2025, 6, 1), 100);
    contact(&mut l, "a", d(2024, 12, 25), InteractionKind::Complaint);
    contact(
        &mut l,
        "a",
        d(2025, 1, 3),
        InteractionKind::ComplaintResolved,
    ); // 9 days
    let r = report(&l, 14);
    // Received in 2024, resolved in 2025: open at 2024's end, not resolved
    // in 2024, but resolved (within the service level) as a 2024 complaint.
    assert_eq!((r.received, r.resolved, r.open_at_end), (1, 0, 1));
    assert_eq!((r.received_resolved, r.within_sla), (1, 1));
    assert_eq!(r.days_to_resolve.unwrap().p90, 9);
    // Not heard by the period's end: the unresolved group, and retained.
    let g = r.group(ComplaintGroup::Unresolved).unwrap();
    assert_eq!((g.customers, g.retained), (1, 1));
    // The next year counts the resolution and nothing received.
    let o = PyramidOptions::new();
    let y25 = pyramid(&l, &Period::year(2025).unwrap(), &o).unwrap();
    let r25 = complaints(&l, &y25, None, &ComplaintOptions::new()).unwrap();
    assert_eq!(
        (
            r25.received,
            r25.resolved,
            r25.open_at_start,
            r25.open_at_end
        ),
        (0, 1, 1, 0)
    );
    assert!(r25.retention.is_empty());
    // A ledger that tracks only 2024 sees no resolution after it (a store
    // loads nothing later): the complaint is not resolved yet.
    let mut only = Ledger::new([Period::year(2024).unwrap()]);
    sale(&mut only, "a", d(2024, 6, 1), 100);
    contact(&mut only, "a", d(2024, 12, 25), InteractionKind::Complaint);
    contact(
        &mut only,
        "a",
        d(2025, 1, 3),
        InteractionKind::ComplaintResolved,
    );
    let y24 = pyramid(&only, &Period::year(2024).unwrap(), &o).unwrap();
    let r = complaints(&only, &y24, None, &ComplaintOptions::new()).unwrap();
    assert_eq!(
        (r.received, r.received_resolved, r.days_to_resolve),
        (1, 0, None)
    );
}

#[test]
fn retention_by_group_levels_and_values_by_hand() {
    let mut l = years();
    // Ten customers active in 2024: c0 spends most (Top with the default
    // cuts of 10 customers: ceil(0.1)=1 Top, ceil(0.5)=1 so no Big...).
    for i in 0..10 {
        sale(&mut l, &format!("c{i}"), d(2024, 2, 1), 100 + i * 10);
    }
    // c9 (the Top) complains and is heard; c8 complains, unheard; c7
    // complains twice, one heard, one not; c6 resolution with nothing open.
    contact(&mut l, "c9", d(2024, 4, 1), InteractionKind::Complaint);
    contact(
        &mut l,
        "c9",
        d(2024, 4, 3),
        InteractionKind::ComplaintResolved,
    );
    contact(&mut l, "c8", d(2024, 5, 1), InteractionKind::Complaint);
    contact(&mut l, "c7", d(2024, 5, 1), InteractionKind::Complaint);
    contact(&mut l, "c7", d(2024, 6, 1), InteractionKind::Complaint);
    contact(
        &mut l,
        "c7",
        d(2024, 5, 11),
        InteractionKind::ComplaintResolved,
    );
    contact(
        &mut l,
        "c6",
        d(2024, 5, 11),
        InteractionKind::ComplaintResolved,
    );
    // A complaint of an inactive customer (bought in 2023 only).
    sale(&mut l, "old", d(2023, 2, 1), 50);
    contact(&mut l, "old", d(2024, 8, 1), InteractionKind::Complaint);
    // 2025: c9 and c0..c4 stay; c8, c7 and c5, c6 leave.
    for k in ["c9", "c0", "c1", "c2", "c3", "c4"] {
        sale(&mut l, k, d(2025, 3, 1), 10);
    }
    let r = report(&l, 14);
    assert_eq!(
        (
            r.received,
            r.complainers,
            r.resolved,
            r.unmatched_resolutions
        ),
        (5, 4, 2, 1)
    );
    assert_eq!(
        (r.open_at_start, r.open_at_end, r.complainers_not_active),
        (0, 3, 1)
    );
    let groups: Vec<(ComplaintGroup, u64, u64)> = r
        .retention
        .iter()
        .map(|g| (g.group, g.customers, g.retained))
        .collect();
    assert_eq!(
        groups,
        vec![
            (ComplaintGroup::NoComplaint, 7, 5),
            (ComplaintGroup::Resolved, 1, 1),
            (ComplaintGroup::Unresolved, 2, 0),
        ]
    );
    assert_eq!(
        r.complainer_retention(),
        Some("0.333333".parse().unwrap()),
        "1 of 3, a share to six decimals"
    );
    // Levels with 10 active customers and cuts 1/5/20%: Top 1, Big 0
    // (ceil(0.5) = 1 = Top's bound), Medium 1, Small 8.
    let by: Vec<(Option<Level>, u64, u64, Money)> = r
        .by_level
        .iter()
        .map(|b| (b.level, b.complaints, b.complainers, b.value))
        .collect();
    assert_eq!(
        by,
        vec![
            (Some(Level::Top), 1, 1, Money::from(190)),
            (Some(Level::Medium), 1, 1, Money::from(180)),
            (Some(Level::Small), 2, 1, Money::from(170)),
            (Some(Level::Inactive), 1, 1, Money::ZERO),
        ]
    );
}

#[test]
fn a_pyramid_of_another_ledger_is_an_error() {
    let mut l = years();
    sale(&mut l, "a", d(2024, 1, 1), 1);
    let p = pyramid(&l, &Period::year(2024).unwrap(), &PyramidOptions::new()).unwrap();
    sale(&mut l, "b", d(2024, 1, 1), 1);
    assert!(complaints(&l, &p, None, &ComplaintOptions::new()).is_err());
    let mut m = years();
    sale(&mut m, "a", d(2024, 1, 1), 1);
    let p24 = pyramid(&m, &Period::year(2024).unwrap(), &PyramidOptions::new()).unwrap();
    // The "next" pyramid must follow.
    assert!(complaints(&m, &p24, Some(&p24), &ComplaintOptions::new()).is_err());
}

#[derive(Debug, Clone)]
enum Row {
    Sale(usize, NaiveDate, i64),
    Contact(usize, NaiveDate, InteractionKind),
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    let date = (0u64..1100).prop_map(|n| d(2023, 1, 1) + crm_core::Days::new(n));
    let kind = prop_oneof![
        Just(InteractionKind::Complaint),
        Just(InteractionKind::ComplaintResolved),
        Just(InteractionKind::Call),
    ];
    prop::collection::vec(
        prop_oneof![
            (0usize..12, date.clone(), 1i64..500).prop_map(|(k, d, v)| Row::Sale(k, d, v)),
            (0usize..12, date, kind).prop_map(|(k, d, kind)| Row::Contact(k, d, kind)),
        ],
        0..80,
    )
}

fn ledger_of(rows: &[Row]) -> Ledger {
    let mut l = years();
    for r in rows {
        match r {
            Row::Sale(k, d, v) => sale(&mut l, &format!("k{k}"), *d, *v),
            Row::Contact(k, d, kind) => contact(&mut l, &format!("k{k}"), *d, *kind),
        }
    }
    l
}

proptest! {
    #[test]
    fn groups_partition_the_active_customers_and_the_complainers(rows in rows()) {
        let l = ledger_of(&rows);
        let r = report(&l, 14);
        let o = PyramidOptions::new();
        let now = pyramid(&l, &Period::year(2024).unwrap(), &o).unwrap();
        let total: u64 = r.retention.iter().map(|g| g.customers).sum();
        prop_assert_eq!(total, now.active());
        let complainers: u64 = r.retention.iter()
            .filter(|g| g.group != ComplaintGroup::NoComplaint)
            .map(|g| g.customers).sum();
        prop_assert_eq!(complainers + r.complainers_not_active, r.complainers);
        // Each customer is in exactly the group the report counts it in.
        let mut counted = [0u64; 3];
        for id in l.ids() {
            if let Some(g) = group_of(&l, &now, id) {
                counted[g as usize] += 1;
            }
        }
        let reported: Vec<u64> = r.retention.iter().map(|g| g.customers).collect();
        prop_assert_eq!(counted.to_vec(), reported);
        let by_level: u64 = r.by_level.iter().map(|b| b.complaints).sum();
        prop_assert_eq!(by_level, r.received);
        prop_assert!(r.within_sla <= r.received_resolved && r.received_resolved <= r.received);
        // Open at the end = open at the start + received - resolved.
        prop_assert_eq!(r.open_at_end + r.resolved, r.open_at_start + r.received);
    }

    #[test]
    fn the_report_does_not_depend_on_row_order(rows in rows(), seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        // Keys are interned in first-seen order; compare reports, which
        // hold no ids.
        prop_assert_eq!(report(&ledger_of(&rows), 14), report(&ledger_of(&shuffled), 14));
    }
}

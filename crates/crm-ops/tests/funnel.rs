//! The funnel, counted by hand on small sets of leads, and its laws.

use crm_core::{CustomerKey, Lead, LeadStage, Ledger, Money, NaiveDate, Period};
use crm_ops::{FunnelOptions, GroupBy, funnel};
use crm_pyramid::{Level, PyramidOptions, pyramid};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn row(id: &str, stage: LeadStage, date: NaiveDate, value: i64) -> Lead {
    Lead::new(
        CustomerKey::new(format!("P-{id}")).unwrap(),
        stage,
        Money::from(value),
    )
    .with_id(id)
    .entered_on(stage, date)
}

fn lead(id: &str, stages: &[(LeadStage, NaiveDate)], value: i64) -> Vec<Lead> {
    stages
        .iter()
        .map(|&(s, day)| row(id, s, day, value))
        .collect()
}

fn year() -> Period {
    "2025".parse().unwrap()
}

fn run(leads: &[Lead], options: &FunnelOptions) -> crm_ops::Funnel {
    funnel(leads, &Ledger::new([year()]), &[], &year(), options).unwrap()
}

use LeadStage::{Lead as L, Lost, Qualified as Q, Quote, Won};

#[test]
fn hand_counted_funnel() {
    let mut rows = Vec::new();
    // A: every stage, won. Days in lead 10, qualified 20, quote 5.
    rows.extend(lead(
        "A",
        &[
            (L, d(2025, 1, 1)),
            (Q, d(2025, 1, 11)),
            (Quote, d(2025, 1, 31)),
            (Won, d(2025, 2, 5)),
        ],
        100,
    ));
    // B: straight from lead to quote (qualified skipped, counted as passed), lost.
    rows.extend(lead(
        "B",
        &[
            (L, d(2025, 2, 1)),
            (Quote, d(2025, 2, 21)),
            (Lost, d(2025, 3, 1)),
        ],
        200,
    ));
    // C: lost in lead.
    rows.extend(lead("C", &[(L, d(2025, 3, 1)), (Lost, d(2025, 3, 3))], 50));
    // D: open in qualified.
    rows.extend(lead("D", &[(L, d(2025, 4, 1)), (Q, d(2025, 4, 5))], 400));
    // E: created in 2024, open in quote: in the pipeline, not in the funnel.
    rows.extend(lead(
        "E",
        &[(L, d(2024, 11, 1)), (Quote, d(2024, 12, 1))],
        1000,
    ));
    // F: won in 2026: open at the end of 2025.
    rows.extend(lead("F", &[(L, d(2025, 12, 1)), (Won, d(2026, 1, 10))], 10));
    let mut with_reason = row("C", Lost, d(2025, 3, 3), 50);
    with_reason.lost_reason = Some("price".into());
    rows.push(with_reason);

    let f = run(&rows, &FunnelOptions::new());
    assert_eq!((f.leads, f.undated), (6, 0));
    let t = &f.total;
    assert_eq!(t.created, 5);
    let reached: Vec<u64> = t.stages.iter().map(|s| s.reached).collect();
    assert_eq!(reached, [5, 3, 2, 1]);
    assert_eq!(t.stages[1].conversion, Some(3.0 / 5.0));
    assert_eq!(t.stages[3].conversion, Some(0.5));
    // Days in lead: A 10, B 20, C 2, D 4, F open -> median of 2,4,10,20 = 7.
    assert_eq!((t.stages[0].median_days, t.stages[0].timed), (Some(7.0), 4));
    // Qualified: A 20 (D still in it; B skipped it).
    assert_eq!(
        (t.stages[1].median_days, t.stages[1].timed),
        (Some(20.0), 1)
    );
    // Quote: A 5, B 8 (to lost).
    assert_eq!(t.stages[2].median_days, Some(6.5));
    assert_eq!((t.won, t.lost, t.open), (1, 2, 2));
    // 1 of 3, a share to six decimals.
    assert_eq!(t.win_rate, Some(0.333333));
    assert_eq!(t.lost_reasons.len(), 2);
    assert_eq!(t.lost_reasons[0].leads, 1);
    assert!(
        t.lost_reasons
            .iter()
            .any(|r| r.reason.as_deref() == Some("price"))
    );

    // P(win | stage) from the closed leads A (won), B, C (lost):
    // reached lead 3, won 1; qualified: A, B -> 1 of 2; quote: A, B -> 1 of 2.
    let p: Vec<(u64, u64)> = f
        .win_probability
        .iter()
        .map(|w| (w.closed, w.won))
        .collect();
    assert_eq!(p, [(3, 1), (2, 1), (2, 1)]);
    // Open at the end of 2025: D (qualified, 400), E (quote, 1000), F (lead, 10).
    let pl = &t.pipeline;
    assert_eq!((pl.open, pl.value), (3, Money::from(1410)));
    // 400 × 1/2 + 1000 × 1/2 + 10 × 1/3 = 703.33.
    assert_eq!(pl.weighted, "703.33".parse().unwrap());
    // Stale after 30 days at 2025-12-31: D (270 days), E (395); F (30) is not.
    assert_eq!(pl.stale, 2);
    assert_eq!(
        f.stale
            .iter()
            .map(|s| s.id.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["E", "D"]
    );
}

#[test]
fn stale_after_exactly_n_days_is_not_stale_n_plus_one_is() {
    let rows = [
        lead("N", &[(L, d(2025, 12, 1))], 1),   // 30 days before 12-31
        lead("N1", &[(L, d(2025, 11, 30))], 1), // 31 days
    ]
    .concat();
    let f = run(&rows, &FunnelOptions::new().stale_days(30));
    assert_eq!(f.stale.len(), 1);
    assert_eq!(
        (f.stale[0].id.as_deref(), f.stale[0].days),
        (Some("N1"), 31)
    );
    assert_eq!(
        run(&rows, &FunnelOptions::new().stale_days(31)).stale.len(),
        0
    );
    assert_eq!(
        run(&rows, &FunnelOptions::new().stale_days(29)).stale.len(),
        2
    );
}

#[test]
fn a_lead_imported_twice_counts_once() {
    let once = lead("A", &[(L, d(2025, 1, 1)), (Won, d(2025, 2, 1))], 5);
    let twice = [once.clone(), once.clone()].concat();
    assert_eq!(
        run(&once, &FunnelOptions::new()),
        run(&twice, &FunnelOptions::new())
    );
    // A later snapshot of the same lead updates it.
    let mut update = row("A", Lost, d(2025, 3, 1), 5);
    update.lost_reason = Some("budget".into());
    let f = run(&[twice, vec![update]].concat(), &FunnelOptions::new());
    assert_eq!(
        (f.leads, f.total.created, f.total.won, f.total.lost),
        (1, 1, 0, 1)
    );
}

#[test]
fn leads_without_dates_are_counted_apart() {
    let old = Lead::new(CustomerKey::new("P1").unwrap(), Quote, Money::from(3));
    let f = run(&[old.clone(), old], &FunnelOptions::new());
    assert_eq!((f.leads, f.undated, f.total.created), (1, 1, 0));
}

#[test]
fn groups_by_source_add_up_to_the_total() {
    let mut rows = Vec::new();
    for (i, src) in ["fair", "web", "web"].iter().enumerate() {
        for mut r in lead(
            &format!("L{i}"),
            &[(L, d(2025, 1, 1)), (Q, d(2025, 2, 1))],
            10,
        ) {
            r.source = Some((*src).to_string());
            rows.push(r);
        }
    }
    rows.extend(lead("X", &[(L, d(2025, 1, 1))], 10));
    let f = run(&rows, &FunnelOptions::new().by(GroupBy::Source));
    let names: Vec<Option<&str>> = f.groups.iter().map(|g| g.name.as_deref()).collect();
    assert_eq!(names, [None, Some("fair"), Some("web")]);
    let created: Vec<u64> = f.groups.iter().map(|g| g.created).collect();
    assert_eq!(created, [1, 1, 2]);
}

#[test]
fn quality_of_acquisition_is_the_level_a_period_after_the_first_order() {
    let (y24, y25): (Period, Period) = ("2024".parse().unwrap(), "2025".parse().unwrap());
    let mut ledger = Ledger::new([y24, y25]);
    // W1 first buys in 2024 and is active in 2025; W2 buys once in 2024.
    ledger
        .record_sale("P-W1", d(2024, 3, 1), Money::from(100), None)
        .unwrap();
    ledger
        .record_sale("P-W1", d(2025, 3, 1), Money::from(100), None)
        .unwrap();
    ledger
        .record_sale("P-W2", d(2024, 4, 1), Money::from(100), None)
        .unwrap();
    // W3 already bought before its lead: not acquired by it.
    ledger
        .record_sale("P-W3", d(2023, 4, 1), Money::from(100), None)
        .unwrap();
    let mut rows = Vec::new();
    for (id, src) in [("W1", "fair"), ("W2", "fair"), ("W3", "web"), ("W4", "web")] {
        for mut r in lead(id, &[(L, d(2024, 1, 1)), (Won, d(2024, 2, 1))], 10) {
            r.source = Some(src.to_string());
            rows.push(r);
        }
    }
    let o = PyramidOptions::new();
    let p = [
        pyramid(&ledger, &y25, &o).unwrap(),
        pyramid(&ledger, &y24, &o).unwrap(),
    ];
    let f = funnel(&rows, &ledger, &p, &y25, &FunnelOptions::new()).unwrap();
    let fair = f
        .quality
        .iter()
        .find(|q| q.by == GroupBy::Source && q.name.as_deref() == Some("fair"))
        .unwrap();
    assert_eq!((fair.customers, fair.active, fair.pending), (2, 1, 0));
    assert_eq!(fair.levels, [(Level::Top, 1), (Level::Inactive, 1)]);
    let web = f
        .quality
        .iter()
        .find(|q| q.by == GroupBy::Source && q.name.as_deref() == Some("web"))
        .unwrap();
    assert_eq!(
        (web.customers, web.no_order),
        (0, 1),
        "W3 was a customer already, W4 never ordered"
    );
}

#[test]
fn an_order_after_the_period_is_not_there_yet() {
    // The lead is won in 2024 and its customer first orders in 2025: as the
    // funnel of 2024 stood at its end, there is no order, whether the
    // ledger saw the later sale (a file read whole) or not (a database
    // read up to the period's end).
    let y24: Period = "2024".parse().unwrap();
    let rows = lead("W1", &[(L, d(2024, 1, 1)), (Won, d(2024, 2, 1))], 10);
    let quality = |ledger: &Ledger| {
        let p = [pyramid(ledger, &y24, &PyramidOptions::new()).unwrap()];
        let f = funnel(&rows, ledger, &p, &y24, &FunnelOptions::new()).unwrap();
        let q = f
            .quality
            .iter()
            .find(|q| q.by == GroupBy::Source)
            .unwrap()
            .clone();
        (q.customers, q.pending, q.no_order)
    };
    let mut saw_it = Ledger::new([y24]);
    saw_it
        .record_sale("P-W1", d(2025, 1, 1), Money::from(100), None)
        .unwrap();
    let did_not = Ledger::new([y24]);
    assert_eq!(quality(&saw_it), (0, 0, 1));
    assert_eq!(quality(&saw_it), quality(&did_not));
}

#[test]
fn a_pyramid_of_another_ledger_is_an_error_not_a_panic() {
    let y25: Period = "2025".parse().unwrap();
    let mut other = Ledger::new([y25]);
    other
        .record_sale("X", d(2025, 1, 1), Money::from(1), None)
        .unwrap();
    let p = pyramid(&other, &y25, &PyramidOptions::new()).unwrap();
    let rows = lead("A", &[(L, d(2025, 1, 1)), (Won, d(2025, 2, 1))], 1);
    let e = funnel(
        &rows,
        &Ledger::new([y25]),
        &[p],
        &y25,
        &FunnelOptions::new(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("another ledger"), "{e}");
}

/// Leads as rows of stage changes: each lead a path through the stages.
fn leads_strategy() -> impl Strategy<Value = Vec<Lead>> {
    let one = (
        0u32..400,                                   // created, days into 2025
        proptest::collection::vec(1u32..60, 4),      // days between steps
        proptest::collection::vec(any::<bool>(), 3), // which open stages after lead were recorded
        0u8..3,                                      // open, won, lost
        1i64..10_000,
        0u8..3,
    );
    proptest::collection::vec(one, 0..25).prop_map(|v| {
        let mut rows = Vec::new();
        for (i, (start, gaps, keep, end, value, src)) in v.into_iter().enumerate() {
            let id = format!("L{i}");
            let mut day = d(2024, 10, 1) + chrono_days(start);
            let mut path = vec![(L, day)];
            for (k, s) in [Q, Quote].iter().enumerate() {
                day = day + chrono_days(gaps[k]);
                if keep[k] {
                    path.push((*s, day));
                }
            }
            day = day + chrono_days(gaps[3]);
            match end {
                1 => path.push((Won, day)),
                2 => path.push((Lost, day)),
                _ => {}
            }
            for mut r in lead(&id, &path, value) {
                r.source = Some(["fair", "web", "referral"][usize::from(src)].to_string());
                rows.push(r);
            }
        }
        rows
    })
}

fn chrono_days(n: u32) -> crm_core::Days {
    crm_core::Days::new(u64::from(n))
}

proptest! {
    #[test]
    fn prop_reached_never_grows_along_the_stages(rows in leads_strategy()) {
        let f = run(&rows, &FunnelOptions::new().by(GroupBy::Source));
        for g in std::iter::once(&f.total).chain(&f.groups) {
            for w in g.stages.windows(2) {
                prop_assert!(w[1].reached <= w[0].reached);
            }
            prop_assert_eq!(g.stages[0].reached, g.created);
            prop_assert_eq!(g.won + g.lost + g.open, g.created);
        }
        let sum: u64 = f.groups.iter().map(|g| g.created).sum();
        prop_assert_eq!(sum, f.total.created);
    }

    #[test]
    fn prop_the_order_of_rows_does_not_matter(rows in leads_strategy(), seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let o = FunnelOptions::new().by(GroupBy::Source);
        prop_assert_eq!(run(&rows, &o), run(&shuffled, &o));
    }

    #[test]
    fn prop_importing_again_changes_nothing(rows in leads_strategy()) {
        let again = [rows.clone(), rows.clone()].concat();
        let o = FunnelOptions::new().by(GroupBy::Source);
        prop_assert_eq!(run(&rows, &o), run(&again, &o));
    }
}

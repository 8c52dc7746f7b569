//! Win-back rates equal hand counts on a small history.

use crm_core::{InteractionKind, Ledger, Money, NaiveDate, Period};
use crm_pyramid::{Level, PyramidOptions, pyramid};
use crm_strategy::{MIN_CELL_CUSTOMERS, winback};

fn d(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

#[test]
fn rates_are_the_hand_counts() {
    let years: Vec<Period> = (2021..=2024).map(|y| Period::year(y).unwrap()).collect();
    let mut l = Ledger::new(years.clone());
    // Ranks 1 are Top, the others Small (with at most five active
    // customers every cut above Top holds one customer at most).
    let sales = [
        ("A", 2021, "1000"),
        ("B", 2021, "500"),
        ("D", 2021, "100"),
        ("C", 2022, "50"),
        ("D", 2022, "300"),
        ("A", 2023, "200"),
        ("E", 2023, "100"),
        ("A", 2024, "10"),
        ("C", 2024, "20"),
    ];
    for (k, y, v) in sales {
        let v = m(v);
        let margin = Money::new(v.as_decimal() * rust_decimal::Decimal::new(4, 1));
        l.record_sale(k, d(y, 3), v, Some(margin)).unwrap();
    }
    l.record_contact("D", d(2022, 11), InteractionKind::Complaint)
        .unwrap();
    let pyramids: Vec<_> = years
        .iter()
        .map(|p| pyramid(&l, p, &PyramidOptions::new()).unwrap())
        .collect();
    let w = winback(&l, &pyramids).unwrap();
    let rates: Vec<(Option<Level>, u32, u64, u64, String)> = w
        .rates
        .iter()
        .map(|r| {
            (
                r.best_level,
                r.lapsed,
                r.customers,
                r.reactivated,
                r.rate.to_string(),
            )
        })
        .collect();
    assert_eq!(
        rates,
        vec![
            // A (2022, back in 2023) and D (2023, not back).
            (Some(Level::Top), 1, 2, 1, "0.5".to_string()),
            // B (2022, not back) and C (2023, back in 2024).
            (Some(Level::Small), 1, 2, 1, "0.5".to_string()),
            // B again in 2023.
            (Some(Level::Small), 2, 1, 0, "0".to_string()),
        ]
    );
    type Row<'a> = (&'a str, Option<Level>, u32, Option<String>, bool);
    let former: Vec<Row<'_>> = w
        .former
        .iter()
        .map(|f| {
            (
                f.customer.as_str(),
                f.best_level,
                f.lapsed,
                f.expected_margin.map(|m| m.to_string()),
                f.complaint_before_lapsing,
            )
        })
        .collect();
    assert_eq!(
        former,
        vec![
            // Small in 2023 with margin 40, lapsed one period: × 0.5.
            ("E", Some(Level::Small), 1, Some("20.00".to_string()), false),
            // Lapsed three and two periods: nobody was in those cells
            // before, so no rate; then by key.
            ("B", Some(Level::Small), 3, None, false),
            // The complaint of 2022-11 was open when D lapsed.
            ("D", Some(Level::Top), 2, None, true),
        ]
    );
    assert_eq!(w.former[1].margin_then, Some(m("200.0")));
    assert_eq!(w.former[2].margin_then, Some(m("120")));
    // Every rate says how many former customers are behind it, and these
    // cells are all small.
    assert!(w.rates.iter().all(|r| r.small_cell));
    assert_eq!(
        (w.former[0].cell_customers, w.former[0].small_cell),
        (2, true)
    );
    assert_eq!(
        (w.former[1].cell_customers, w.former[1].small_cell),
        (0, false)
    );
    assert_eq!(
        w.rates[0].to_string(),
        "top, 1 period lapsed: 1 of 2 reactivated (50%), small cell"
    );
    assert_eq!(
        w.former[0].to_string(),
        "E (best small, 1 period lapsed): margin then 40.0, rate 50% of 2 (small cell), expected margin 20.00"
    );
    assert_eq!(
        w.former[2].to_string(),
        "D (best top, 2 periods lapsed, complaint open when lapsing): margin then 120.0, no rate"
    );
}

#[test]
fn a_cell_of_thirty_is_not_small() {
    let years: Vec<Period> = (2021..=2023).map(|y| Period::year(y).unwrap()).collect();
    let mut l = Ledger::new(years.clone());
    for i in 0..60 {
        let k = format!("K{i:02}");
        // The 30 smallest of 2021 (all Small) lapse in 2022, every second
        // one comes back in 2023; the others buy again in 2022.
        let v = if i < 30 { m("5") } else { m("10") };
        l.record_sale(&k, d(2021, 3), v, Some(m("1"))).unwrap();
        if i >= 30 {
            l.record_sale(&k, d(2022, 3), v, Some(m("1"))).unwrap();
        } else if i % 2 == 0 {
            l.record_sale(&k, d(2023, 3), v, Some(m("1"))).unwrap();
        }
    }
    let pyramids: Vec<_> = years
        .iter()
        .map(|p| pyramid(&l, p, &PyramidOptions::new()).unwrap())
        .collect();
    let w = winback(&l, &pyramids).unwrap();
    let cell = &w.rates[0];
    assert_eq!(
        (
            cell.best_level,
            cell.lapsed,
            cell.customers,
            cell.reactivated
        ),
        (Some(Level::Small), 1, MIN_CELL_CUSTOMERS, 15),
        "{:?}",
        w.rates
    );
    assert!(!cell.small_cell);
    assert_eq!(w.rates.len(), 1);
}

#[test]
fn needs_consecutive_periods() {
    let l = Ledger::new([Period::year(2021).unwrap(), Period::year(2023).unwrap()]);
    let p: Vec<_> = [2021, 2023]
        .iter()
        .map(|&y| pyramid(&l, &Period::year(y).unwrap(), &PyramidOptions::new()).unwrap())
        .collect();
    assert!(winback(&l, &p).is_err());
    assert!(winback(&l, &p[..1]).is_err());
}

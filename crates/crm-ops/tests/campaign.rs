//! Campaign measurement on hand-made sends, counted by hand; the interval
//! methods against published values; laws on random campaigns.

use crm_core::{CustomerKey, Interaction, InteractionKind, Ledger, Money, NaiveDate, Period};
use crm_ops::{CampaignMeasure, CampaignOptions, newcombe, t_quantile, welch, wilson};
use crm_pyramid::{PyramidOptions, pyramid};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn send(key: &str, date: NaiveDate, campaign: &str) -> Interaction {
    let mut i = Interaction::new(
        CustomerKey::new(key).unwrap(),
        date,
        InteractionKind::CampaignSent,
    )
    .with_campaign(campaign);
    i.cost = Some(Money::from(2));
    i
}

fn response(key: &str, date: NaiveDate, campaign: Option<&str>) -> Interaction {
    let mut i = Interaction::new(
        CustomerKey::new(key).unwrap(),
        date,
        InteractionKind::CampaignResponse,
    );
    i.campaign = campaign.map(str::to_string);
    i
}

#[test]
fn window_edges_responses_costs_and_movement_by_hand() {
    let day0 = d(2025, 3, 1);
    let mut m = CampaignMeasure::new("spring", CampaignOptions::new().window_days(30));
    for k in ["t1", "t2", "t3", "t4"] {
        m.add_interaction(&send(k, day0, "spring")).unwrap();
    }
    // Another campaign's send and response are not ours.
    m.add_interaction(&send("x", day0, "autumn")).unwrap();
    m.add_interaction(&response("t3", d(2025, 3, 5), Some("autumn")))
        .unwrap();
    // t4 responds without buying, on day 30; c2 responds on day 31.
    m.add_interaction(&response("t4", d(2025, 3, 31), Some("spring")))
        .unwrap();
    m.add_interaction(&response("c2", d(2025, 4, 1), None))
        .unwrap();
    // c3 is on the control list but was sent to: treated.
    m.add_interaction(&send("c3", d(2025, 3, 2), "spring"))
        .unwrap();
    m.set_control(["c1", "c2", "c3", "c4"]);
    m.add_sale("t1", d(2025, 3, 31), Money::from(100)).unwrap(); // day 30
    m.add_sale("t2", d(2025, 4, 1), Money::from(500)).unwrap(); // day 31
    m.add_sale("t2", d(2025, 2, 28), Money::from(500)).unwrap(); // before
    m.add_sale("c1", d(2025, 3, 10), Money::from(60)).unwrap();
    m.add_sale("c3", d(2025, 4, 1), Money::from(10)).unwrap(); // its day 30
    m.add_sale("nobody", d(2025, 3, 10), Money::from(1))
        .unwrap();
    let mut ledger = Ledger::new([Period::year(2024).unwrap(), Period::year(2025).unwrap()]);
    for (k, y24, y25) in [
        ("t1", 10, 100),
        ("t2", 10, 0),
        ("c1", 100, 60),
        ("c3", 0, 10),
    ] {
        if y24 > 0 {
            ledger
                .record_sale(k, d(2024, 5, 1), Money::from(y24), None)
                .unwrap();
        }
        if y25 > 0 {
            ledger
                .record_sale(k, d(2025, 5, 1), Money::from(y25), None)
                .unwrap();
        }
    }
    let o = PyramidOptions::new();
    let before = pyramid(&ledger, &Period::year(2024).unwrap(), &o).unwrap();
    let after = pyramid(&ledger, &Period::year(2025).unwrap(), &o).unwrap();
    let r = m.finish(&ledger, Some(&before), Some(&after)).unwrap();
    assert_eq!(r.sends, 5);
    assert_eq!(
        (r.first_send, r.last_send),
        (Some(day0), Some(d(2025, 3, 2)))
    );
    // Treated: t1..t4 and c3; responders t1 (bought), t4 (response), c3 (bought on its day 30).
    assert_eq!(
        (r.treated.customers, r.treated.responders, r.treated.buyers),
        (5, 3, 2)
    );
    assert_eq!(r.treated.revenue, Money::from(110));
    assert_eq!(r.treated.revenue_per_customer, Some(Money::from(22)));
    // Control: c1, c2, c4; c1 bought; c2's response is on day 31.
    assert_eq!(
        (r.control.customers, r.control.responders, r.control.buyers),
        (3, 1, 1)
    );
    assert_eq!(r.control.revenue_per_customer, Some(Money::from(20)));
    assert_eq!(r.control_with_send, 1);
    // Costs: 5 sends of ours at 2 = 10, over 3 responders.
    assert_eq!(r.cost, Some(Money::from(10)));
    assert_eq!(r.cost_per_response, Some("3.33".parse().unwrap()));
    // Uplift 3/5 - 1/3 = 0.2667: 5 × 0.2667 = 1.333 extra responses.
    let u = r.response_uplift.unwrap();
    assert!((u.estimate - (0.6 - 1.0 / 3.0)).abs() < 1e-12);
    assert_eq!(r.cost_per_extra_response, Some("7.50".parse().unwrap()));
    // Movement 2024 → 2025: t1 active both years, t2 lapsed, c3 new; t3,
    // t4 (treated) and c2, c4 (control) are in neither pyramid (other);
    // c1 is active both years.
    assert_eq!(r.treated.movement.get("lapsed"), Some(&1));
    assert_eq!(r.treated.movement.get("new"), Some(&1));
    assert_eq!(r.treated.movement.get("other"), Some(&2));
    assert_eq!(r.treated.movement.get("left"), None);
    assert_eq!(r.control.movement.get("other"), Some(&2));
    let moved: u64 = r.treated.movement.values().sum();
    assert_eq!(moved, r.treated.customers);
}

#[test]
fn the_control_group_is_checked_against_the_campaign_hash() {
    // Hold out the two smallest hashes of six, as `crm actions --control 2`
    // does.
    let keys = ["a", "b", "c", "e", "f", "g"];
    let mut by_hash: Vec<(u128, &str)> = keys
        .iter()
        .map(|k| (crm_strategy::control_hash("spring", k), *k))
        .collect();
    by_hash.sort_unstable();
    let (held, sent) = by_hash.split_at(2);
    let run = |control: Vec<&str>| {
        let mut m = CampaignMeasure::new("spring", CampaignOptions::new());
        for (_, k) in sent {
            m.add_interaction(&send(k, d(2025, 3, 1), "spring"))
                .unwrap();
        }
        m.set_control(control);
        m.finish(&Ledger::new([]), None, None).unwrap()
    };
    assert!(run(held.iter().map(|(_, k)| *k).collect()).control_matches_campaign);
    // A list that is not the campaign's: the largest hash held out.
    let wrong = by_hash.last().unwrap().1;
    let mut m = CampaignMeasure::new("spring", CampaignOptions::new());
    for (_, k) in &by_hash[..5] {
        m.add_interaction(&send(k, d(2025, 3, 1), "spring"))
            .unwrap();
    }
    m.set_control([wrong]);
    assert!(
        !m.finish(&Ledger::new([]), None, None)
            .unwrap()
            .control_matches_campaign
    );
}

#[test]
fn intervals_match_published_values() {
    // Newcombe (1998), table II, example (a): 56/70 − 48/80 = 0.2, method
    // 10: 0.0524 to 0.3339.
    let u = newcombe(56, 70, 48, 80).unwrap();
    assert!((u.estimate - 0.2).abs() < 1e-12, "{u:?}");
    assert!(
        (u.low - 0.0524).abs() < 1e-4 && (u.high - 0.3339).abs() < 1e-4,
        "{u:?}"
    );
    // Wilson (Newcombe 1998, single proportion): 81/263 → 0.2553 to 0.3662.
    let (l, h) = wilson(81, 263).unwrap();
    assert!(
        (l - 0.2553).abs() < 1e-4 && (h - 0.3662).abs() < 1e-4,
        "{l} {h}"
    );
    assert_eq!(wilson(0, 0), None);
    // t quantiles (97.5%) from the tables.
    for (df, t) in [
        (1.0, 12.7062),
        (2.0, 4.3027),
        (3.0, 3.1824),
        (10.0, 2.2281),
        (30.0, 2.0423),
        (1e9, 1.9600),
    ] {
        assert!(
            (t_quantile(df) - t).abs() / t < 0.002,
            "{df}: {}",
            t_quantile(df)
        );
    }
    // Welch by hand: means 3 and 1, variances 1 and 1, n 3 and 3: se
    // sqrt(2/3), df 4, t 2.7764.
    let w = welch(&[2.0, 3.0, 4.0], &[0.0, 1.0, 2.0]).unwrap();
    let half = 2.7764 * (2.0f64 / 3.0).sqrt();
    assert!((w.estimate - 2.0).abs() < 1e-12);
    assert!(
        (w.high - (2.0 + half)).abs() < 0.005 && (w.low - (2.0 - half)).abs() < 0.005,
        "{w:?}"
    );
    assert_eq!(welch(&[1.0], &[1.0, 2.0]), None);
}

#[derive(Debug, Clone)]
enum Row {
    Send(u8, u16, bool),
    Response(u8, u16),
}

proptest! {
    #[test]
    fn groups_are_disjoint_cover_the_sends_and_ignore_row_order(
        rows in prop::collection::vec(
            prop_oneof![
                (0u8..30, 0u16..90, any::<bool>()).prop_map(|(k, d, o)| Row::Send(k, d, o)),
                (0u8..30, 0u16..90).prop_map(|(k, d)| Row::Response(k, d)),
            ],
            0..60,
        ),
        control in prop::collection::btree_set(0u8..30, 0..12),
        sales in prop::collection::vec((0u8..30, 0u16..120, 1i64..100), 0..60),
        seed in any::<u64>(),
    ) {
        let base = d(2025, 1, 1);
        let day = |n: u16| base + crm_core::Days::new(u64::from(n));
        let interaction = |r: &Row| match r {
            Row::Send(k, n, ours) => send(&format!("k{k}"), day(*n), if *ours { "spring" } else { "autumn" }),
            Row::Response(k, n) => response(&format!("k{k}"), day(*n), Some("spring")),
        };
        let control_keys: Vec<String> = control.iter().map(|k| format!("k{k}")).collect();
        let measure = |rows: &[Row], sales: &[(u8, u16, i64)]| {
            let mut m = CampaignMeasure::new("spring", CampaignOptions::new());
            for r in rows {
                m.add_interaction(&interaction(r)).unwrap();
            }
            m.set_control(control_keys.iter().map(String::as_str));
            for (k, n, v) in sales {
                m.add_sale(&format!("k{k}"), day(*n), Money::from(*v)).unwrap();
            }
            m.finish(&Ledger::new([]), None, None).unwrap()
        };
        let r = measure(&rows, &sales);
        let sent: std::collections::BTreeSet<u8> = rows.iter().filter_map(|r| match r {
            Row::Send(k, _, true) => Some(*k),
            _ => None,
        }).collect();
        prop_assert_eq!(r.treated.customers, sent.len() as u64);
        let control_only = control.iter().filter(|k| !sent.contains(k)).count() as u64;
        let expected_control = if sent.is_empty() { 0 } else { control_only };
        prop_assert_eq!(r.control.customers, expected_control);
        prop_assert_eq!(r.control_with_send, control.iter().filter(|k| sent.contains(k)).count() as u64);
        prop_assert!(r.treated.buyers <= r.treated.responders && r.treated.responders <= r.treated.customers);
        prop_assert!(r.control.buyers <= r.control.responders && r.control.responders <= r.control.customers);
        // Row order does not matter.
        let mut shuffled = rows.clone();
        let mut sales2 = sales.clone();
        let mut s = seed | 1;
        let mut next = |n: usize| { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s % n as u64) as usize };
        for i in (1..shuffled.len()).rev() { let j = next(i + 1); shuffled.swap(i, j); }
        for i in (1..sales2.len()).rev() { let j = next(i + 1); sales2.swap(i, j); }
        prop_assert_eq!(measure(&shuffled, &sales2), r);
    }
}

//! Target lists with a control group, outcomes and acceptance, messages.

use crm_core::{
    Channel, Customer, CustomerKey, InteractionKind, Ledger, Money, NaiveDate, Period, Stage,
};
use crm_pyramid::{PyramidOptions, pyramid};
use crm_strategy::{
    ActionChannel, Control, Fact, Facts, FactsBuilder, Outcome, OutcomeStatus, Rulebook, Strategy,
    acceptance, plan, suppress_declined, target_list,
};

const RULES: &str = r#"
name = "lists"
policy = "best-priority"
[[rules]]
name = "mail-everyone"
when = { fact = "level", in = ["top", "big", "medium", "small"] }
strategy = "develop"
priority = 3
owner = "marketing"
channels = ["email", "post"]
message = "Hi {customer} {{not a placeholder}}: {value} in {rule}"
"#;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, day).unwrap()
}

/// 40 active customers: consent for e-mail given (0..20), refused
/// (20..30) or unknown (30..40); customer 5 has an open complaint.
fn setup() -> (Ledger, Vec<Customer>) {
    let y: Period = "2025".parse().unwrap();
    let mut l = Ledger::new([y]);
    let mut reg = Vec::new();
    for i in 0..40u32 {
        let key = format!("K{i:02}");
        l.record_sale(
            &key,
            d(3, 1),
            Money::from_minor(i64::from(i + 1) * 100, 0),
            None,
        )
        .unwrap();
        let mut c = Customer::new(CustomerKey::new(key.clone()).unwrap(), Stage::Customer);
        c.consent.set(
            Channel::Email,
            match i {
                0..20 => Some(true),
                20..30 => Some(false),
                _ => None,
            },
        );
        c.consent.set(Channel::Post, Some(false));
        reg.push(c);
    }
    l.record_contact("K05", d(11, 1), InteractionKind::Complaint)
        .unwrap();
    (l, reg)
}

#[test]
fn a_target_list_counts_who_is_left_out_and_holds_out_exactly_k() {
    let (l, reg) = setup();
    let y: Period = "2025".parse().unwrap();
    let p = pyramid(&l, &y, &PyramidOptions::new()).unwrap();
    let table = FactsBuilder::new(&l, &p).register(&reg).build().unwrap();
    let book = Rulebook::from_toml(RULES).unwrap();
    let planned = plan(&table, &book);
    assert_eq!(planned.actions.len(), 40);
    let list = |control| {
        target_list(
            &planned,
            &table,
            Some(Strategy::Develop),
            ActionChannel::Email,
            "spring",
            control,
        )
    };
    let none = list(Control::None);
    // 20 consented, one of them with an open complaint.
    assert_eq!(none.selected.len(), 19);
    assert_eq!(none.left_out.get("open complaint"), Some(&1));
    assert_eq!(none.left_out.get("no consent"), Some(&10));
    assert_eq!(none.left_out.get("consent unknown"), Some(&10));
    let k = list(Control::Count(5));
    assert_eq!((k.selected.len(), k.control.len()), (14, 5));
    let pct = list(Control::Percent("10".parse().unwrap()));
    // 10% of 19 is 1.9: two held out.
    assert_eq!(pct.control.len(), 2);
    // The same campaign gives the same groups; the groups partition.
    assert_eq!(list(Control::Count(5)), k);
    let mut all: Vec<&str> = k
        .selected
        .iter()
        .chain(&k.control)
        .map(|a| a.customer.as_str())
        .collect();
    all.sort_unstable();
    let mut expect: Vec<&str> = none.selected.iter().map(|a| a.customer.as_str()).collect();
    expect.sort_unstable();
    assert_eq!(all, expect);
    let other = target_list(
        &planned,
        &table,
        None,
        ActionChannel::Email,
        "autumn",
        Control::Count(5),
    );
    assert_ne!(other.control, k.control);
    // Every action without a channel says why for each channel.
    for a in &planned.actions {
        if a.channel.is_none() {
            assert_eq!(a.blocked.len(), 2, "{a:?}");
        }
    }
}

#[test]
fn declined_actions_stay_away_for_the_given_days_and_acceptance_is_counted() {
    let (l, reg) = setup();
    let y: Period = "2025".parse().unwrap();
    let p = pyramid(&l, &y, &PyramidOptions::new()).unwrap();
    let table = FactsBuilder::new(&l, &p).register(&reg).build().unwrap();
    let book = Rulebook::from_toml(RULES).unwrap();
    let mut planned = plan(&table, &book);
    let day = NaiveDate::from_ymd_opt(2025, 12, 2).unwrap();
    let outcomes = vec![
        Outcome::new(
            crm_core::CustomerKey::new("K01").unwrap(),
            "mail-everyone",
            OutcomeStatus::Declined,
            day,
        ),
        Outcome::new(
            crm_core::CustomerKey::new("K02").unwrap(),
            "mail-everyone",
            OutcomeStatus::Done,
            day,
        ),
        Outcome::new(
            crm_core::CustomerKey::new("K03").unwrap(),
            "mail-everyone",
            OutcomeStatus::NoAnswer,
            day,
        ),
        Outcome::new(
            crm_core::CustomerKey::new("K04").unwrap(),
            "other-rule",
            OutcomeStatus::Declined,
            day,
        ),
    ];
    // 2026-01-01 minus 30 days is 2025-12-02: the decline counts.
    assert_eq!(suppress_declined(&mut planned.clone(), &outcomes, 30), 1);
    // Minus 29 days is 2025-12-03: it is too old.
    assert_eq!(suppress_declined(&mut planned.clone(), &outcomes, 29), 0);
    // A window longer than the calendar reaches back to its start.
    assert_eq!(
        suppress_declined(&mut planned.clone(), &outcomes, u32::MAX),
        1
    );
    suppress_declined(&mut planned, &outcomes, 30);
    assert!(planned.actions.iter().all(|a| a.customer != "K01"));
    assert_eq!(planned.summary.left_out.get("declined recently"), Some(&1));
    assert_eq!(planned.summary.by_strategy.get("develop"), Some(&39));
    let r = acceptance(&outcomes, &book);
    let rule = &r.by_rule["mail-everyone"];
    assert_eq!(
        (rule.outcomes, rule.done, rule.declined, rule.no_answer),
        (3, 1, 1, 1)
    );
    assert_eq!(rule.rate.unwrap().to_string(), "0.333333");
    assert_eq!(r.by_owner["marketing"].outcomes, 3);
    assert_eq!(r.by_owner["unknown"].outcomes, 1);
}

#[test]
fn messages_fill_placeholders_and_keep_escaped_braces() {
    let book = Rulebook::from_toml(RULES).unwrap();
    let (l, reg) = setup();
    let y: Period = "2025".parse().unwrap();
    let p = pyramid(&l, &y, &PyramidOptions::new()).unwrap();
    let table = FactsBuilder::new(&l, &p).register(&reg).build().unwrap();
    let planned = plan(&table, &book);
    let a = planned
        .actions
        .iter()
        .find(|a| a.customer == "K39")
        .unwrap();
    assert_eq!(
        a.message,
        "Hi K39 {not a placeholder}: 4000.00 in mail-everyone"
    );
    let mut f = Facts::new("X");
    f.set_level(Fact::Level, Some(crm_pyramid::Level::Top));
    assert_eq!(book.fired(&f), vec![0]);
}

//! A complaint is the customer contacting the company: it neither uses up
//! the contact cap nor resets the days since the last contact.

use crm_core::{InteractionKind, Ledger, Money, NaiveDate, Period};
use crm_pyramid::{PyramidOptions, pyramid};
use crm_strategy::{DEFAULT_RULES, Fact, FactValue, FactsBuilder, Rulebook, plan};
use rust_decimal::Decimal;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, day).unwrap()
}

/// One big customer called on 2025-11-20, with one more interaction of
/// `complaint`'s kind on 2025-12-30.
fn ledger(complaint: InteractionKind) -> Ledger {
    let y: Period = "2025".parse().unwrap();
    let mut l = Ledger::new([y]);
    l.record_sale("BIG", d(3, 1), Money::from_minor(900_000, 2), None)
        .unwrap();
    l.record_contact("BIG", d(11, 20), InteractionKind::Call)
        .unwrap();
    l.record_contact("BIG", d(12, 30), complaint).unwrap();
    l
}

fn year(l: &Ledger) -> crm_pyramid::Pyramid {
    pyramid(
        l,
        &"2025".parse::<Period>().unwrap(),
        &PyramidOptions::new(),
    )
    .unwrap()
}

fn number(v: Option<FactValue>) -> Option<Decimal> {
    match v {
        Some(FactValue::Number(n)) => Some(n),
        Some(FactValue::Money(m)) => Some(m.as_decimal()),
        _ => None,
    }
}

#[test]
fn a_complaint_is_not_a_contact_made() {
    let y: Period = "2025".parse().unwrap();
    // Before: a complaint counted as a contact. Treating the complaint as a
    // call reproduces that: 2 contacts, the last 2 days before the end.
    let as_call = ledger(InteractionKind::Call);
    let p = pyramid(&as_call, &y, &PyramidOptions::new()).unwrap();
    let t = FactsBuilder::new(&as_call, &p).build().unwrap();
    let f = t.facts(as_call.id("BIG").unwrap()).unwrap();
    assert_eq!(
        number(f.get(Fact::ContactsInPeriod)),
        Some(Decimal::from(2))
    );
    assert_eq!(
        number(f.get(Fact::DaysSinceContact)),
        Some(Decimal::from(2))
    );

    // Now: the complaint is the customer's, the call 42 days ago is the
    // last contact made, and it is the only one in the period.
    let l = ledger(InteractionKind::Complaint);
    let p = pyramid(&l, &y, &PyramidOptions::new()).unwrap();
    let t = FactsBuilder::new(&l, &p).build().unwrap();
    let f = t.facts(l.id("BIG").unwrap()).unwrap();
    assert_eq!(number(f.get(Fact::ContactsInPeriod)), Some(Decimal::ONE));
    assert_eq!(
        number(f.get(Fact::DaysSinceContact)),
        Some(Decimal::from(42))
    );
    assert_eq!(number(f.get(Fact::OpenComplaints)), Some(Decimal::ONE));

    // With a cap of 2 contacts, the old count blocked every channel; the
    // retain call for the big customer (no contact for 30+ days) now goes
    // out on a channel.
    let book = Rulebook::from_toml(&DEFAULT_RULES.replace(
        "max_contacts_per_period = 12",
        "max_contacts_per_period = 2",
    ))
    .unwrap();
    let planned = plan(&t, &book);
    let a = planned
        .actions
        .iter()
        .find(|a| a.rule == "retain-top-big")
        .expect("retain-top-big fires: no contact made for 42 days");
    assert!(a.channel.is_some(), "{a:?}");

    let p = pyramid(&as_call, &y, &PyramidOptions::new()).unwrap();
    let t = FactsBuilder::new(&as_call, &p).build().unwrap();
    let planned = plan(&t, &book);
    assert!(planned.actions.iter().all(|a| a.rule != "retain-top-big"));
}

#[cfg(feature = "serde")]
#[test]
fn facts_serialise_as_their_types() {
    let l = ledger(InteractionKind::Complaint);
    let p = year(&l);
    let t = FactsBuilder::new(&l, &p).build().unwrap();
    let f = t.get(&crm_core::CustomerKey::new("BIG").unwrap()).unwrap();
    let json = |fact| serde_json::to_value(f.get(fact)).unwrap();
    assert_eq!(json(Fact::DaysSinceContact), serde_json::json!(42));
    // Money is a decimal string, as everywhere in the JSON (was 9000).
    assert_eq!(json(Fact::Value), serde_json::json!("9000"));
    assert_eq!(json(Fact::LastContact), serde_json::json!("2025-11-20"));
    assert_eq!(json(Fact::Level), serde_json::json!("top"));
    assert_eq!(json(Fact::Profit), serde_json::Value::Null);
    assert_eq!(
        serde_json::to_value(FactValue::Number("12.25".parse().unwrap())).unwrap(),
        serde_json::json!(12.25)
    );
    assert_eq!(
        serde_json::to_value(FactValue::Bool(true)).unwrap(),
        serde_json::json!(true)
    );
    let planned = plan(&t, &Rulebook::curry());
    let v = serde_json::to_value(&planned.actions[0]).unwrap();
    assert_eq!(v["because"][0]["value"], serde_json::json!("top"));
    assert_eq!(v["because"][1]["value"], serde_json::json!(42));
}

#[test]
fn facts_by_key_and_results_that_print() {
    let l = ledger(InteractionKind::Complaint);
    let p = year(&l);
    let t = FactsBuilder::new(&l, &p).build().unwrap();
    let key = crm_core::CustomerKey::new("BIG").unwrap();
    let f = t.get(&key).expect("BIG is in the period");
    assert!(
        t.get(&crm_core::CustomerKey::new("NOBODY").unwrap())
            .is_none()
    );
    let planned = plan(&t, &Rulebook::curry());
    let a = &planned.actions[0];
    let line = a.to_string();
    assert!(
        line.starts_with("BIG: retain-top-big (retain, priority 1, account-manager, by visit): "),
        "{line}"
    );
    assert!(
        line.contains("because level = top (in [top, big]); days_since_contact = 42 (> 30)"),
        "{line}"
    );
    let verdicts = Rulebook::curry().explain(&f);
    let v = verdicts.iter().find(|v| v.rule == "keep-in-touch").unwrap();
    assert_eq!(
        v.to_string(),
        "keep-in-touch (retain, priority 5): not fired; failed days_since_contact = 42 (> 90); held level = top (in [top, big, medium, small])"
    );
}

#[test]
fn facts_refuse_a_pyramid_of_another_ledger() {
    let mine = ledger(InteractionKind::Complaint);
    let other = ledger(InteractionKind::Complaint);
    let theirs = year(&other);
    let e = FactsBuilder::new(&mine, &theirs).build().unwrap_err();
    assert!(
        matches!(
            e,
            crm_strategy::Error::Pyramid(crm_pyramid::Error::OtherLedger { .. })
        ),
        "{e:?}"
    );
    // Its own pyramid is fine.
    let own = year(&mine);
    assert!(FactsBuilder::new(&mine, &own).build().is_ok());
}

/// Without the purchase days (`FactsBuilder::purchase_days(false)`) the
/// facts of a ledger that keeps them are those of one that does not: the
/// last purchase from the totals, no usual gap or overdue ratio.
#[test]
fn facts_without_purchase_days_are_those_of_a_ledger_without_them() {
    use crm_core::{LedgerOptions, Money};
    let y = Period::year(2025).unwrap();
    let feed = |days: bool| {
        let mut l = Ledger::with_options([y], LedgerOptions::new().purchase_days(days));
        for (k, m, day) in [("A", 2, 1), ("A", 5, 9), ("A", 9, 30), ("B", 3, 3)] {
            l.record_sale(k, d(m, day), Money::new(Decimal::from(100)), None)
                .unwrap();
        }
        l
    };
    let (with, without) = (feed(true), feed(false));
    let (pw, po) = (
        pyramid(&with, &y, &PyramidOptions::new()).unwrap(),
        pyramid(&without, &y, &PyramidOptions::new()).unwrap(),
    );
    let off = FactsBuilder::new(&with, &pw)
        .purchase_days(false)
        .build()
        .unwrap();
    let on = FactsBuilder::new(&with, &pw).build().unwrap();
    let plain = FactsBuilder::new(&without, &po).build().unwrap();
    for key in ["A", "B"] {
        let a = off.facts(with.id(key).unwrap()).unwrap();
        let b = plain.facts(without.id(key).unwrap()).unwrap();
        let c = on.facts(with.id(key).unwrap()).unwrap();
        for f in Fact::ALL {
            assert_eq!(a.get(*f), b.get(*f), "{key} {f:?}");
        }
        assert_eq!(a.get(Fact::UsualGapDays), None);
        if key == "A" {
            assert!(c.get(Fact::UsualGapDays).is_some());
        }
    }
}

//! The laws of planning: consent is never overridden, the result does not
//! depend on the order of customers or rows, the policies nest, and the
//! contact cap holds.

use std::collections::{BTreeMap, BTreeSet};

use crm_core::{
    Channel, Customer, CustomerKey, Days, InteractionKind, Ledger, LedgerOptions, Money, NaiveDate,
    Period, Stage,
};
use crm_pyramid::{PyramidOptions, pyramid};
use crm_strategy::{DEFAULT_RULES, FactsBuilder, Plan, Rulebook, plan};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Sale(u8, u16, i64, Option<i64>);
#[derive(Debug, Clone)]
struct Contact(u8, u16, u8);
#[derive(Debug, Clone)]
struct Entry(u8, [Option<bool>; 3], u8, Option<i64>);

const KINDS: [InteractionKind; 4] = [
    InteractionKind::Call,
    InteractionKind::Visit,
    InteractionKind::Complaint,
    InteractionKind::ComplaintResolved,
];
const SEGMENTS: [&str; 3] = ["retail", "wholesale", "industry"];

fn key(k: u8) -> String {
    format!("C{k}")
}

fn day(off: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + Days::new(u64::from(off))
}

fn data() -> impl Strategy<Value = (Vec<Sale>, Vec<Contact>, Vec<Entry>)> {
    (
        prop::collection::vec(
            (
                0u8..12,
                0u16..1095,
                -5_000i64..200_000,
                prop::option::of(-2_000i64..80_000),
            )
                .prop_map(|(k, d, v, m)| Sale(k, d, v, m)),
            0..80,
        ),
        prop::collection::vec(
            (0u8..12, 0u16..1095, 0u8..4).prop_map(|(k, d, kind)| Contact(k, d, kind)),
            0..40,
        ),
        prop::collection::vec(
            (
                0u8..14,
                prop::array::uniform3(prop::option::of(any::<bool>())),
                0u8..3,
                prop::option::of(0i64..5_000_000),
            )
                .prop_map(|(k, c, s, p)| Entry(k, c, s, p)),
            0..14,
        ),
    )
}

fn years() -> [Period; 3] {
    [2023, 2024, 2025].map(|y| Period::year(y).unwrap())
}

fn ledger(sales: &[Sale], contacts: &[Contact], register: &[Customer]) -> Ledger {
    let mut l = Ledger::with_options(years(), LedgerOptions::new().purchase_days(true));
    for c in register {
        l.add_customer(c).unwrap();
    }
    for c in contacts {
        l.record_contact(&key(c.0), day(c.1), KINDS[usize::from(c.2)])
            .unwrap();
    }
    for s in sales {
        l.record_sale(
            &key(s.0),
            day(s.1),
            Money::from_minor(s.2, 2),
            s.3.map(|m| Money::from_minor(m, 2)),
        )
        .unwrap();
    }
    l
}

fn register(entries: &[Entry]) -> Vec<Customer> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for e in entries {
        if !seen.insert(e.0) {
            continue; // one register entry per key
        }
        let mut c = Customer::new(CustomerKey::new(key(e.0)).unwrap(), Stage::Prospect);
        for (ch, v) in Channel::ALL.iter().zip(e.1) {
            c.consent.set(*ch, v);
        }
        c.segment = Some(SEGMENTS[usize::from(e.2)].to_string());
        c.potential = e.3.map(|p| Money::from_minor(p, 2));
        out.push(c);
    }
    out
}

fn run(ledger: &Ledger, register: &[Customer], book: &Rulebook) -> Plan {
    let [y23, y24, y25] = years();
    let opts = PyramidOptions::new();
    let p23 = pyramid(ledger, &y23, &opts).unwrap();
    let p24 = pyramid(ledger, &y24, &opts).unwrap();
    let p25 = pyramid(ledger, &y25, &opts).unwrap();
    let table = FactsBuilder::new(ledger, &p25)
        .history([&p24, &p23])
        .register(register)
        .build()
        .unwrap();
    plan(&table, book)
}

fn table_of<'a>(
    ledger: &'a Ledger,
    register: &'a [Customer],
    pyramids: &'a [crm_pyramid::Pyramid; 3],
) -> crm_strategy::FactTable<'a> {
    FactsBuilder::new(ledger, &pyramids[2])
        .history([&pyramids[1], &pyramids[0]])
        .register(register)
        .build()
        .unwrap()
}

fn with_policy(policy: &str) -> Rulebook {
    Rulebook::from_toml(&DEFAULT_RULES.replace(
        "policy = \"best-priority\"",
        &format!("policy = \"{policy}\""),
    ))
    .unwrap()
}

fn pairs(p: &Plan) -> BTreeSet<(String, String)> {
    p.actions
        .iter()
        .map(|a| (a.customer.clone(), a.rule.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_no_action_uses_a_channel_without_consent((sales, contacts, entries) in data()) {
        let reg = register(&entries);
        let l = ledger(&sales, &contacts, &reg);
        let consent: BTreeMap<&str, _> = reg.iter().map(|c| (c.key.as_str(), c.consent)).collect();
        for book in [Rulebook::curry(), with_policy("all-matches")] {
            for a in run(&l, &reg, &book).actions {
                if let Some(ch) = a.channel.and_then(|c| c.consent()) {
                    let given = consent.get(a.customer.as_str()).and_then(|c| c.get(ch));
                    prop_assert_eq!(given, Some(true), "{:?}", a);
                }
                for b in &a.blocked {
                    prop_assert!(Some(b.channel) != a.channel);
                }
            }
        }
    }

    #[test]
    fn prop_order_of_rows_and_customers_does_not_matter((sales, contacts, entries) in data(), rot in 0usize..80) {
        let reg = register(&entries);
        let book = with_policy("all-matches");
        let once = run(&ledger(&sales, &contacts, &reg), &reg, &book);
        let mut s2 = sales.clone();
        s2.reverse();
        let r = rot % s2.len().max(1);
        s2.rotate_left(r);
        let mut c2 = contacts.clone();
        c2.reverse();
        let mut reg2 = reg.clone();
        reg2.reverse();
        let again = run(&ledger(&s2, &c2, &reg2), &reg2, &book);
        prop_assert_eq!(once, again);
    }

    #[test]
    fn prop_first_match_is_at_most_one_and_all_matches_a_superset((sales, contacts, entries) in data()) {
        let reg = register(&entries);
        let l = ledger(&sales, &contacts, &reg);
        let first = run(&l, &reg, &with_policy("first-match"));
        let best = run(&l, &reg, &Rulebook::curry());
        let all = run(&l, &reg, &with_policy("all-matches"));
        for p in [&first, &best] {
            let mut per: BTreeMap<&str, u32> = BTreeMap::new();
            for a in &p.actions {
                *per.entry(&a.customer).or_default() += 1;
            }
            prop_assert!(per.values().all(|&n| n == 1));
            prop_assert!(pairs(p).is_subset(&pairs(&all)));
        }
        // Everyone with an action under all-matches has one under the
        // others.
        let who = |p: &Plan| p.actions.iter().map(|a| a.customer.clone()).collect::<BTreeSet<_>>();
        prop_assert_eq!(who(&first), who(&all));
        prop_assert_eq!(who(&best), who(&all));
    }

    #[test]
    fn prop_the_overview_is_the_plan_cut_short(
        (sales, contacts, entries) in data(),
        limit in 0usize..12,
        policy in 0usize..3,
        only in 0usize..3,
    ) {
        let reg = register(&entries);
        let l = ledger(&sales, &contacts, &reg);
        let opts = PyramidOptions::new();
        let pyramids = years().map(|y| pyramid(&l, &y, &opts).unwrap());
        let table = table_of(&l, &reg, &pyramids);
        let book = with_policy(["first-match", "best-priority", "all-matches"][policy]);
        // No filter, one strategy, one owner.
        let keep = |s: crm_strategy::Strategy, o: &str| match only {
            0 => true,
            1 => s == crm_strategy::Strategy::Retain,
            _ => o == "marketing",
        };
        let mut full = plan(&table, &book);
        full.actions.retain(|a| keep(a.strategy, &a.owner));
        full.recount();
        let top = crm_strategy::overview(&table, &book, limit, keep);
        prop_assert_eq!(top.actions, full.actions.len() as u64);
        prop_assert_eq!(&top.plan.summary, &full.summary);
        let n = limit.min(full.actions.len());
        prop_assert_eq!(&top.plan.actions[..], &full.actions[..n]);
    }

    #[test]
    fn prop_profits_by_id_give_the_facts_of_the_profitability((sales, contacts, entries) in data()) {
        let reg = register(&entries);
        let l = ledger(&sales, &contacts, &reg);
        let opts = PyramidOptions::new();
        let [y23, y24, y25] = years();
        let pyramids = [y23, y24, y25].map(|y| pyramid(&l, &y, &opts).unwrap());
        let mut costs = crm_value::CostTable::default();
        costs.handling_per_order = Money::from_minor(150, 2);
        let served = crm_value::CostToServe::new(y25, &costs).unwrap();
        let whole = crm_value::profitability_of(&l, &served, &crm_pyramid::Cuts::curry()).unwrap();
        let by_id = crm_value::profit_by_id(&l, &served).unwrap();
        let base = || {
            FactsBuilder::new(&l, &pyramids[2])
                .history([&pyramids[1], &pyramids[0]])
                .register(&reg)
        };
        let a = base().profitability(&whole).build().unwrap();
        let b = base().profits(y25, by_id).build().unwrap();
        let book = Rulebook::curry();
        prop_assert_eq!(plan(&a, &book), plan(&b, &book));
        for &id in a.customers() {
            let (fa, fb) = (a.facts(id).unwrap(), b.facts(id).unwrap());
            prop_assert_eq!(
                fa.get(crm_strategy::Fact::Profit),
                fb.get(crm_strategy::Fact::Profit)
            );
        }
    }

    #[test]
    fn prop_the_contact_cap_holds((sales, contacts, entries) in data(), cap in 0u32..4) {
        let reg = register(&entries);
        let l = ledger(&sales, &contacts, &reg);
        let book = Rulebook::from_toml(
            &DEFAULT_RULES
                .replace("policy = \"best-priority\"", "policy = \"all-matches\"")
                .replace("max_contacts_per_period = 12", &format!("max_contacts_per_period = {cap}")),
        )
        .unwrap();
        let p = run(&l, &reg, &book);
        let mut planned: BTreeMap<&str, u32> = BTreeMap::new();
        for a in &p.actions {
            if a.channel.is_some() {
                *planned.entry(&a.customer).or_default() += 1;
            }
        }
        for (k, n) in planned {
            let id = l.id(k).unwrap();
            let past = l.period_contacts(id, 2).unwrap().contacts();
            prop_assert!(past + n <= cap.max(past), "{} past {} planned {} cap {}", k, past, n, cap);
            prop_assert!(past < cap);
        }
    }
}

#[test]
fn action_ids_are_stable_and_distinct() {
    let y: Period = "2025".parse().unwrap();
    let a = crm_strategy::action_id("curry-default", &y, "C1", "win-back");
    assert_eq!(
        a,
        crm_strategy::action_id("curry-default", &y, "C1", "win-back")
    );
    assert_eq!(a.get_version_num(), 5);
    assert_ne!(
        a,
        crm_strategy::action_id("curry-default", &y, "C1", "reactivate")
    );
    assert_ne!(
        a,
        crm_strategy::action_id("curry-default", &y, "C2", "win-back")
    );
    // Fixed for all time: a CRM keeps these ids.
    assert_eq!(a.to_string(), "a3f727d1-9797-57eb-b371-24395143f624");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn prop_share_of_wallet_is_crm_values((sales, contacts, entries) in data()) {
        let reg = register(&entries);
        let l = ledger(&sales, &contacts, &reg);
        let y25 = years()[2];
        let now = pyramid(&l, &y25, &PyramidOptions::new()).unwrap();
        let table = FactsBuilder::new(&l, &now).register(&reg).build().unwrap();
        let potential: BTreeMap<&str, Option<Money>> =
            reg.iter().map(|c| (c.key.as_str(), c.potential)).collect();
        let w = crm_value::share_of_wallet(&l, &now, |k| potential.get(k).copied().flatten()).unwrap();
        let mut with_share = 0;
        for &id in table.customers() {
            let f = table.facts(id).unwrap();
            let want = w.shares.iter().find(|s| s.customer == l.key(id).unwrap());
            let got = f.get(crm_strategy::Fact::ShareOfWallet);
            match want {
                Some(s) => {
                    with_share += 1;
                    prop_assert_eq!(got, Some(crm_strategy::FactValue::Number((s.share * crm_core::Decimal::ONE_HUNDRED).round_dp(2))));
                    prop_assert_eq!(f.get(crm_strategy::Fact::GrowthRoom), Some(crm_strategy::FactValue::Money(s.room)));
                }
                None => prop_assert_eq!(got, None),
            }
        }
        prop_assert_eq!(with_share, w.shares.len());
        // Given the same share of wallet, the facts read it and are the
        // same.
        let given = FactsBuilder::new(&l, &now).register(&reg).share_of_wallet(&w).build().unwrap();
        prop_assert_eq!(given.customers(), table.customers());
        for &id in table.customers() {
            prop_assert_eq!(table.facts(id).unwrap(), given.facts(id).unwrap());
        }
        // Given the register's ids, the facts are the same; ids that do
        // not match the register one for one are refused.
        let ids: Vec<_> = reg.iter().map(|c| l.id(c.key.as_str())).collect();
        let with_ids = FactsBuilder::new(&l, &now).register(&reg).register_ids(ids.clone()).build().unwrap();
        prop_assert_eq!(
            with_ids.register_not_in_ledger().collect::<Vec<_>>(),
            table.register_not_in_ledger().collect::<Vec<_>>()
        );
        for &id in table.customers() {
            prop_assert_eq!(table.facts(id).unwrap(), with_ids.facts(id).unwrap());
        }
        let mut wrong = vec![ids[..ids.len().saturating_sub(1)].to_vec(), vec![None; ids.len()]];
        let first_other = ids.iter().position(|id| id.is_some() && *id != ids[0]);
        if let Some(j) = first_other {
            let mut swapped = ids.clone();
            swapped.swap(0, j);
            if reg[0].key != reg[j].key {
                wrong.push(swapped);
            }
        }
        let known = ids.iter().any(Option::is_some);
        for (k, bad) in wrong.into_iter().enumerate() {
            if k == 1 && !known {
                continue; // every key unknown: all None is right
            }
            if k == 0 && ids.is_empty() {
                continue;
            }
            let r = FactsBuilder::new(&l, &now).register(&reg).register_ids(bad).build();
            prop_assert!(r.is_err(), "wrong ids #{} accepted", k);
        }
    }
}

#[test]
fn register_entries_the_ledger_does_not_know_are_listed_not_dropped() {
    let y25 = years()[2];
    let mut l = Ledger::new([y25]);
    l.record_sale(
        "A",
        crm_core::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        "100".parse().unwrap(),
        None,
    )
    .unwrap();
    let reg = vec![
        Customer::new(CustomerKey::new("A").unwrap(), Stage::Customer),
        Customer::new(CustomerKey::new("Zed").unwrap(), Stage::Prospect),
    ];
    let now = pyramid(&l, &y25, &PyramidOptions::new()).unwrap();
    let table = FactsBuilder::new(&l, &now).register(&reg).build().unwrap();
    assert_eq!(table.register_not_in_ledger().collect::<Vec<_>>(), ["Zed"]);
}

//! The invariants of the pyramid's definition, as property tests.

use std::collections::BTreeMap;

use crm_core::arbitrary;
use crm_core::{CustomerKey, Decimal, Ledger, Money, NaiveDate, Period, Stage};
use crm_pyramid::{Cuts, Level, PyramidOptions, pyramid};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Row {
    Sale(CustomerKey, NaiveDate, Money),
    Contact(CustomerKey, NaiveDate),
    Register(CustomerKey, Stage),
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        8 => (arbitrary::key(), arbitrary::date(), arbitrary::money()).prop_map(|(k, d, v)| Row::Sale(k, d, v)),
        1 => (arbitrary::key(), arbitrary::date()).prop_map(|(k, d)| Row::Contact(k, d)),
        1 => (arbitrary::key(), prop_oneof![Just(Stage::Suspect), Just(Stage::Prospect), Just(Stage::Customer)])
            .prop_map(|(k, s)| Row::Register(k, s)),
    ]
}

pub(crate) fn cuts() -> impl Strategy<Value = Cuts> {
    prop_oneof![
        Just(Cuts::curry()),
        Just(Cuts::abc()),
        (1u32..34, 1u32..34, 1u32..34).prop_map(|(a, b, c)| {
            let (a, b, c) = (a, a + b, a + b + c);
            Cuts::CustomerShares(vec![
                Decimal::new(a.into(), 2),
                Decimal::new(b.into(), 2),
                Decimal::new(c.into(), 2),
            ])
        }),
    ]
}

fn build(period: Period, rows: &[Row]) -> Ledger {
    let mut l = Ledger::new([period]);
    for r in rows {
        match r {
            Row::Sale(k, d, v) => drop(l.record_sale(k.as_str(), *d, *v, None).unwrap()),
            Row::Contact(k, d) => drop(l.record_interaction(k.as_str(), *d).unwrap()),
            Row::Register(k, s) => drop(l.record_register(k.as_str(), *s).unwrap()),
        }
    }
    l
}

/// Level, rank and value per key: the pyramid as data independent of ids.
fn by_key(
    l: &Ledger,
    p: &crm_pyramid::Pyramid,
) -> BTreeMap<String, (Option<Level>, Option<u64>, Money)> {
    l.ids()
        .map(|id| {
            (
                l.key(id).unwrap().to_string(),
                (
                    p.level_of(id).unwrap(),
                    p.rank_of(id).unwrap(),
                    p.value_of(id).unwrap(),
                ),
            )
        })
        .collect()
}

fn ceil(n: u64, share: Decimal) -> u64 {
    let c = (Decimal::from(n) * share).ceil();
    u64::try_from(c).unwrap().min(n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every known party is in exactly one level, lost, or (first seen
    /// after the period, not registered) outside; the level counts add up.
    #[test]
    fn prop_levels_partition_the_customers(rows in prop::collection::vec(row(), 0..200), y in arbitrary::year(), c in cuts()) {
        let l = build(y, &rows);
        let p = pyramid(&l, &y, &PyramidOptions::new().cuts(c)).unwrap();
        let mut counts = [0u64; 7];
        let mut outside = 0u64;
        for id in l.ids() {
            match p.level_of(id).unwrap() {
                Some(level) => counts[level.index()] += 1,
                None => {
                    outside += 1;
                    let t = l.totals(id).unwrap();
                    // Outside: not registered and first seen after the end, as
                    // there is no horizon.
                    prop_assert!(t.register_stage().is_none());
                    prop_assert!(t.first_transaction().is_none_or(|d| d >= y.end()));
                    prop_assert!(t.first_interaction().is_none_or(|d| d >= y.end()));
                }
            }
        }
        for level in Level::ALL {
            prop_assert_eq!(p.figures(level).customers, counts[level.index()]);
        }
        prop_assert_eq!(counts.iter().sum::<u64>() + outside, l.len() as u64);
        // A party the register calls a customer is never a suspect (no
        // acquisition date here, so the register's word holds for every
        // period); those without a purchase are counted as data gaps.
        let mut gaps = 0u64;
        for id in l.ids() {
            if l.totals(id).unwrap().register_stage() == Some(Stage::Customer) {
                prop_assert_ne!(p.level_of(id).unwrap(), Some(Level::Suspect));
                if p.level_of(id).unwrap() == Some(Level::Prospect) {
                    gaps += 1;
                }
            }
        }
        prop_assert_eq!(p.register_customers_without_purchase(), gaps);
        prop_assert_eq!(p.active(), counts[..4].iter().sum::<u64>());
        // Active means value > 0, and only active customers have a rank.
        for id in l.ids() {
            let active = p.level_of(id).unwrap().is_some_and(Level::is_active);
            prop_assert_eq!(active, p.value_of(id).unwrap().is_positive());
            prop_assert_eq!(active, p.rank_of(id).unwrap().is_some());
        }
    }

    /// With customer-share cuts, level sizes follow ceil(n × share)
    /// exactly, and ranks follow value descending, then key.
    #[test]
    fn prop_level_sizes_follow_the_ceil_rule(rows in prop::collection::vec(row(), 0..300), y in arbitrary::year(), c in cuts()) {
        let l = build(y, &rows);
        let p = pyramid(&l, &y, &PyramidOptions::new().cuts(c.clone())).unwrap();
        let n = p.active();
        if let Cuts::CustomerShares(shares) = &c {
            let b: Vec<u64> = shares.iter().map(|s| ceil(n, *s)).collect();
            prop_assert_eq!(p.figures(Level::Top).customers, b[0]);
            prop_assert_eq!(p.figures(Level::Big).customers, b[1] - b[0]);
            prop_assert_eq!(p.figures(Level::Medium).customers, b[2] - b[1]);
            prop_assert_eq!(p.figures(Level::Small).customers, n - b[2]);
        }
        let ranking = p.ranking();
        for w in ranking.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (va, vb) = (p.value_of(a).unwrap(), p.value_of(b).unwrap());
            prop_assert!(va > vb || (va == vb && l.key(a).unwrap().as_bytes() < l.key(b).unwrap().as_bytes()));
            prop_assert!(p.level_of(a).unwrap() <= p.level_of(b).unwrap());
        }
    }

    /// The value over all levels (plus lost customers) is the period's
    /// total over every transaction dated in it.
    #[test]
    fn prop_value_is_conserved(rows in prop::collection::vec(row(), 0..200), y in arbitrary::year(), horizon in prop::option::of(0u32..2000)) {
        let l = build(y, &rows);
        let p = pyramid(&l, &y, &PyramidOptions::new().inactivity_horizon_days(horizon)).unwrap();
        let in_period: Money = rows.iter().filter_map(|r| match r {
            Row::Sale(_, d, v) if y.contains(*d) => Some(*v),
            _ => None,
        }).sum();
        let levels: Money = Level::ALL.iter().map(|&lv| p.figures(lv).value).sum();
        prop_assert_eq!(levels + p.lost().value, in_period);
        prop_assert_eq!(p.total_value(), in_period);
    }

    /// The result does not depend on the order of the rows.
    #[test]
    fn prop_row_order_does_not_matter(rows in prop::collection::vec(row(), 0..150), y in arbitrary::year(), seed in any::<u64>()) {
        let l1 = build(y, &rows);
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed (Fisher-Yates with an LCG).
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        // Register entries are "last one wins": keep them in place relative
        // to each other by only shuffling when none repeats a key.
        let mut seen = std::collections::HashSet::new();
        let unique_register = rows.iter().all(|r| match r {
            Row::Register(k, _) => seen.insert(k.clone()),
            _ => true,
        });
        prop_assume!(unique_register);
        let l2 = build(y, &shuffled);
        let o = PyramidOptions::new();
        let (p1, p2) = (pyramid(&l1, &y, &o).unwrap(), pyramid(&l2, &y, &o).unwrap());
        prop_assert_eq!(by_key(&l1, &p1), by_key(&l2, &p2));
        for level in Level::ALL {
            prop_assert_eq!(p1.figures(level), p2.figures(level));
        }
    }

    /// A ledger built in two halves and merged gives the same pyramid as
    /// one built in one pass (the CSV reader's parallel path).
    #[test]
    fn prop_merged_ledgers_give_the_same_pyramid(rows in prop::collection::vec(row(), 0..150), y in arbitrary::year(), cut in 0usize..150) {
        let cut = cut.min(rows.len());
        let whole = build(y, &rows);
        let mut left = build(y, &rows[..cut]);
        left.merge(&build(y, &rows[cut..])).unwrap();
        let o = PyramidOptions::new();
        let (a, b) = (pyramid(&whole, &y, &o).unwrap(), pyramid(&left, &y, &o).unwrap());
        prop_assert_eq!(by_key(&whole, &a), by_key(&left, &b));
    }

    /// An id of another ledger (even one built from the same rows) is an
    /// error, never another customer's level; so is another ledger. A
    /// customer the ledger learnt after the pyramid was built is outside
    /// it.
    #[test]
    fn prop_ids_and_ledgers_of_others_are_refused(rows in prop::collection::vec(row(), 0..100), y in arbitrary::year()) {
        let mine = build(y, &rows);
        let theirs = build(y, &rows);
        let p = pyramid(&mine, &y, &PyramidOptions::new()).unwrap();
        for id in theirs.ids() {
            prop_assert!(p.level_of(id).is_err());
            prop_assert!(p.rank_of(id).is_err());
            prop_assert!(p.value_of(id).is_err());
        }
        prop_assert!(p.assignments(&theirs).is_err());
        prop_assert!(p.register_customers_without_purchase_keys(&theirs).is_err());
        let mut grown = mine;
        let new = grown.record_register("a-key-no-row-has-since-rows-are-short", Stage::Suspect).unwrap();
        prop_assert_eq!(p.level_of(new).unwrap(), None);
        prop_assert_eq!(p.rank_of(new).unwrap(), None);
        prop_assert!(p.assignments(&grown).is_ok());
    }

    /// Batches record exactly what single sales record.
    #[test]
    fn prop_batches_equal_single_sales(rows in prop::collection::vec((arbitrary::key(), arbitrary::date(), arbitrary::money()), 0..200), y in arbitrary::year()) {
        let mut single = Ledger::new([y]);
        for (k, d, v) in &rows {
            single.record_sale(k.as_str(), *d, *v, Some(*v)).unwrap();
        }
        let mut batched = Ledger::new([y]);
        let sales: Vec<crm_core::Sale<'_>> = rows.iter().map(|(k, d, v)| crm_core::Sale { key: k.as_str(), date: *d, revenue: *v, margin: Some(*v) }).collect();
        prop_assert!(batched.record_sales(&sales).is_empty());
        prop_assert_eq!(single.len(), batched.len());
        for id in single.ids() {
            let other = batched.id(single.key(id).unwrap()).unwrap();
            prop_assert_eq!(single.totals(id).unwrap(), batched.totals(other).unwrap());
            prop_assert_eq!(single.period_totals(id, 0).unwrap(), batched.period_totals(other, 0).unwrap());
        }
    }
}

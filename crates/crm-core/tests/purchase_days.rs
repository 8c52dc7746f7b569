//! Purchase days through the public API (`record_sale`, `record_sales`,
//! `merge`, `merge_from`, reads between writes) against a sorted set of
//! days per customer, with days from the first to the last representable
//! date and ledgers of every size around the sort's bucket widths.

use std::collections::{BTreeMap, BTreeSet};

use crm_core::{Datelike, Ledger, LedgerOptions, Money, NaiveDate, Period, Sale};
use proptest::prelude::*;

/// Each customer's distinct days with a positive revenue.
type Expected = BTreeMap<String, BTreeSet<i32>>;

fn options() -> LedgerOptions {
    LedgerOptions::new().purchase_days(true)
}

fn periods() -> Vec<Period> {
    vec!["2024".parse().unwrap(), "2023".parse().unwrap()]
}

fn date(d: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(d).unwrap()
}

fn key(i: u32) -> String {
    match i % 4 {
        0 => format!("C{i}"),
        1 => format!("PREFIX00{i:05}"),
        2 => format!("é{i}日本"),
        _ => format!("PREFIX00{i:05}-{}", "x".repeat((i % 40) as usize)),
    }
}

fn check(l: &Ledger, expected: &Expected) -> Result<(), TestCaseError> {
    prop_assert_eq!(l.len(), expected.len());
    for (key, days) in expected {
        let id = l.id(key).unwrap();
        let want: Vec<i32> = days.iter().copied().collect();
        prop_assert_eq!(l.purchase_day_numbers(id).unwrap(), &want[..], "{}", key);
        let dates: Vec<NaiveDate> = l.purchase_days(id).unwrap().unwrap().collect();
        let want: Vec<NaiveDate> = want.into_iter().map(date).collect();
        prop_assert_eq!(dates, want, "{}", key);
    }
    Ok(())
}

/// Days clustered in 2021, near year 1 and year 9999, before the common
/// era, and at chrono's extremes.
fn day() -> impl Strategy<Value = i32> {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap().num_days_from_ce();
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap()
        .num_days_from_ce();
    let (min, max) = (
        NaiveDate::MIN.num_days_from_ce(),
        NaiveDate::MAX.num_days_from_ce(),
    );
    prop_oneof![
        4 => 738_000i32..738_010,
        2 => first..first + 3,
        2 => last - 3..=last,
        1 => first..=last,
        1 => -1000i32..2,
        1 => prop_oneof![Just(min), Just(max), Just(min + 1), Just(max - 1)],
    ]
}

/// Purchases, zeros of both signs, credit notes.
fn revenue() -> impl Strategy<Value = Money> {
    prop_oneof![
        6 => (1i64..100_000, 0u32..4).prop_map(|(m, s)| Money::from_minor(m, s)),
        1 => Just("0.00".parse().unwrap()),
        1 => Just("-0.00".parse().unwrap()),
        1 => (1i64..100_000, 0u32..4).prop_map(|(m, s)| Money::from_minor(-m, s)),
        1 => Just("0.0000000000000000000000000001".parse().unwrap()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Sale(usize, u32, i32, Money),
    Batch(usize, Vec<(u32, i32, Money)>),
    Read(usize, u32),
    Merge(usize, usize),
    MergeFrom(usize, usize),
}

fn ops(customers: u32) -> impl Strategy<Value = Vec<Op>> {
    let c = 0..customers;
    let op = prop_oneof![
        8 => (0usize..3, c.clone(), day(), revenue()).prop_map(|(l, c, d, r)| Op::Sale(l, c, d, r)),
        3 => (0usize..3, prop::collection::vec((c.clone(), day(), revenue()), 0..200))
            .prop_map(|(l, v)| Op::Batch(l, v)),
        2 => (0usize..3, c).prop_map(|(l, c)| Op::Read(l, c)),
        1 => (0usize..3, 0usize..3).prop_map(|(a, b)| Op::Merge(a, b)),
        1 => (0usize..3, 0usize..3).prop_map(|(a, b)| Op::MergeFrom(a, b)),
    ];
    prop::collection::vec(op, 0..120)
}

fn note(e: &mut Expected, key: &str, day: i32, revenue: Money) {
    let days = e.entry(key.to_string()).or_default();
    if revenue.is_positive() {
        days.insert(day);
    }
}

fn absorb(into: &mut Expected, from: Expected) {
    for (k, days) in from {
        into.entry(k).or_default().extend(days);
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut ledgers: Vec<Ledger> = (0..3)
        .map(|_| Ledger::with_options(periods(), options()))
        .collect();
    let mut expected = vec![Expected::new(); 3];
    for op in ops {
        match op {
            Op::Sale(l, c, d, r) => {
                ledgers[l].record_sale(&key(c), date(d), r, None).unwrap();
                note(&mut expected[l], &key(c), d, r);
            }
            Op::Batch(l, v) => {
                let keys: Vec<String> = v.iter().map(|&(c, _, _)| key(c)).collect();
                let sales: Vec<Sale> = v
                    .iter()
                    .zip(&keys)
                    .map(|(&(_, d, r), k)| Sale {
                        key: k,
                        date: date(d),
                        revenue: r,
                        margin: None,
                    })
                    .collect();
                let errors = ledgers[l].record_sales(&sales);
                prop_assert!(errors.is_empty(), "{:?}", errors);
                for (&(_, d, r), k) in v.iter().zip(&keys) {
                    note(&mut expected[l], k, d, r);
                }
            }
            Op::Read(l, c) => {
                if let Some(id) = ledgers[l].id(&key(c)) {
                    let want: Vec<i32> = expected[l][&key(c)].iter().copied().collect();
                    prop_assert_eq!(ledgers[l].purchase_day_numbers(id).unwrap(), &want[..]);
                }
            }
            Op::Merge(a, b) if a != b => {
                let other = ledgers[b].clone();
                ledgers[a].merge(&other).unwrap();
                let from = expected[b].clone();
                absorb(&mut expected[a], from);
            }
            Op::MergeFrom(a, b) if a != b => {
                let empty = Ledger::with_options(periods(), options());
                let other = std::mem::replace(&mut ledgers[b], empty);
                ledgers[a].merge_from(other).unwrap();
                let from = std::mem::take(&mut expected[b]);
                absorb(&mut expected[a], from);
            }
            Op::Merge(..) | Op::MergeFrom(..) => {}
        }
    }
    for (l, e) in ledgers.iter().zip(&expected) {
        check(l, e)?;
    }
    Ok(())
}

proptest! {
    /// A few customers with many days each, built in any order through
    /// every way of recording and merging, read between the writes.
    #[test]
    fn purchase_days_of_few_customers(ops in ops(8)) {
        run(ops)?;
    }

    /// The same over thousands of customers (several buckets of the sort).
    #[test]
    fn purchase_days_of_many_customers(ops in ops(3000)) {
        run(ops)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Ledgers of exactly `n` customers around the bucket widths (1,024
    /// customers, and 65,536 where a customer's place in its bucket takes
    /// all 16 bits), created in a shuffled order, a third by a credit note
    /// only, with more days added in any order.
    #[test]
    fn purchase_days_at_bucket_edges(
        n in prop_oneof![
            Just(1023u32), Just(1024), Just(1025), Just(2048), Just(2049),
            Just(65_535), Just(65_536), Just(65_537), 1u32..5000,
        ],
        seed in any::<u64>(),
        per in 0u32..3,
    ) {
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut l = Ledger::with_options(periods(), options());
        let mut expected = Expected::new();
        let mut order: Vec<u32> = (0..n).collect();
        for i in (1..order.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &c in &order {
            let d = 738_000 + (next() % 400) as i32;
            let r = Money::from_minor(if next() % 3 == 0 { -5 } else { 5 }, 2);
            l.record_sale(&key(c), date(d), r, None).unwrap();
            note(&mut expected, &key(c), d, r);
        }
        let mut sales: Vec<(String, i32)> = Vec::new();
        for _ in 0..u64::from(n) * u64::from(per) {
            let c = (next() % u64::from(n)) as u32;
            let d = match next() % 4 {
                0 => 1,
                1 => 3_652_059,
                _ => 738_000 + (next() % 50) as i32,
            };
            sales.push((key(c), d));
        }
        let batch: Vec<Sale> = sales
            .iter()
            .map(|(k, d)| Sale { key: k, date: date(*d), revenue: Money::from_minor(1, 0), margin: None })
            .collect();
        for chunk in batch.chunks(97) {
            prop_assert!(l.record_sales(chunk).is_empty());
        }
        for (k, d) in &sales {
            note(&mut expected, k, *d, Money::from_minor(1, 0));
        }
        check(&l, &expected)?;
    }
}

/// Hundreds of purchases of one customer on one day, among thousands of
/// customers with one.
#[test]
fn hundreds_of_purchases_on_one_day() {
    let mut l = Ledger::with_options(periods(), options());
    let mut expected = Expected::new();
    for c in 0..3000u32 {
        let reps = if c % 500 == 7 { 700 } else { 1 };
        for r in 0..reps {
            let d = 738_100 + if c % 2 == 0 { r % 3 } else { 0 };
            l.record_sale(&key(c), date(d), Money::from_minor(1, 0), None)
                .unwrap();
            note(&mut expected, &key(c), d, Money::from_minor(1, 0));
        }
    }
    check(&l, &expected).unwrap();
}

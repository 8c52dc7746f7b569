//! The ranking and the figures over values of every size and scale
//! (integers at the common scale in 64 bits, in 128 bits, or in neither),
//! equal values at different scales, keys sharing their first eight bytes,
//! against a direct computation: sort by value descending then key bytes,
//! cut, and sum in ranking order.

use std::collections::BTreeMap;

use crm_core::{Basis, Decimal, Ledger, Money, NaiveDate, Period};
use crm_pyramid::{Cuts, Level, PyramidOptions, cut_points, pyramid};
use proptest::prelude::*;

fn dec(m: i128, s: u32) -> Decimal {
    Decimal::from_i128_with_scale(m, s)
}

/// Amounts of every regime: a few decimals (i64 at the common scale), big
/// integers with some decimals (i128), 28 decimals beside big integers (no
/// integer), negative zero, credit notes.
fn amount() -> impl Strategy<Value = Decimal> {
    let max96: i128 = (1i128 << 96) - 1;
    prop_oneof![
        6 => (1i128..10_000_000, 0u32..5).prop_map(|(m, s)| dec(m, s)),
        2 => (1i128..1000, 0u32..4).prop_map(|(m, s)| dec(m * 10i128.pow(s), s)), // 10, 10.0, 10.000
        2 => (1_000_000_000_000_000i128..9_300_000_000_000_000, 0u32..2).prop_map(|(m, s)| dec(m, s)),
        1 => (1i128..100, 20u32..29).prop_map(|(m, s)| dec(m, s)),
        1 => (1i128..1_000_000_000_000, 7u32..8).prop_map(|(m, s)| dec(m, s)),
        1 => (10i128.pow(19)..10i128.pow(20), 0u32..1).prop_map(|(m, s)| dec(m, s)),
        1 => (max96 / 8..max96 / 4, 0u32..29).prop_map(|(m, s)| dec(m, s)),
        1 => Just(Decimal::from_str_exact("-0.00").unwrap()),
        1 => Just(Decimal::ZERO),
        2 => (1i128..10_000_000, 0u32..5).prop_map(|(m, s)| -dec(m, s)),
        1 => (1i128..100, 20u32..29).prop_map(|(m, s)| -dec(m, s)),
    ]
}

fn key() -> impl Strategy<Value = String> {
    let prefix = prop_oneof![
        Just(""),
        Just("AAAAAAAA"),
        Just("AAAAAAA"),
        Just("AAAAAAAAA"),
        Just("é"),
        Just("日本語"),
        Just("ÿÿÿÿÿÿÿÿ"),
        Just("Z"),
    ];
    (prefix, "[aAzZ0é~!]{0,4}").prop_filter_map("valid key", |(p, s)| {
        let k = format!("{p}{s}");
        crm_core::check_key(&k).ok().map(|_| k)
    })
}

fn cuts() -> impl Strategy<Value = Cuts> {
    prop_oneof![
        Just(Cuts::curry()),
        Just(Cuts::abc()),
        Just(Cuts::customer_percent(&[dec(50, 0)]).unwrap()),
        Just(Cuts::customer_percent(&[dec(333, 1), dec(666, 1), dec(100, 0)]).unwrap()),
        Just(Cuts::value_percent(&[dec(50, 0), dec(90, 0), dec(100, 0)]).unwrap()),
        Just(Cuts::value_percent(&[dec(1, 1)]).unwrap()),
        Just(Cuts::Bands(vec![
            Money::new(dec(1_000_000_000_000_000, 0)),
            Money::new(dec(10, 0)),
            Money::new(dec(1, 28)),
        ])),
        Just(Cuts::Bands(vec![
            Money::new(dec(1000, 2)),
            Money::new(dec(999, 2))
        ])),
        Just(Cuts::Bands(vec![Money::new(dec(5_000_000, 3))])),
    ]
}

type Sales = Vec<(String, bool, Decimal, Option<Decimal>)>;

fn sales() -> impl Strategy<Value = Sales> {
    proptest::collection::vec(
        (
            key(),
            any::<bool>(),
            amount(),
            proptest::option::of(amount()),
        ),
        1..80,
    )
}

fn direct_boundaries(cuts: &Cuts, sorted: &[Money]) -> Vec<usize> {
    match cuts {
        Cuts::CustomerShares(shares) => shares
            .iter()
            .map(|s| {
                let x = Decimal::from(sorted.len()) * s;
                let c = x.ceil();
                (c.mantissa() / 10i128.pow(c.scale())) as usize
            })
            .map(|c| c.min(sorted.len()))
            .collect(),
        _ => cut_points(cuts, sorted).unwrap(),
    }
}

fn run(sales: Sales, cuts: Cuts, basis: Basis) -> Result<(), TestCaseError> {
    let year: Period = "2024".parse().unwrap();
    let prev: Period = "2023".parse().unwrap();
    let d_in = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    let d_out = NaiveDate::from_ymd_opt(2023, 5, 1).unwrap();
    let mut l = Ledger::new([year, prev]);
    let mut order: Vec<String> = Vec::new();
    let mut value: BTreeMap<String, Decimal> = BTreeMap::new();
    for (k, inside, rev, margin) in &sales {
        let ok = l
            .record_sale(
                k,
                if *inside { d_in } else { d_out },
                Money::new(*rev),
                margin.map(Money::new),
            )
            .is_ok();
        if ok {
            if !order.contains(k) {
                order.push(k.clone());
            }
            let e = value.entry(k.clone()).or_insert(Decimal::ZERO);
            if *inside {
                let v = match basis {
                    Basis::Revenue => *rev,
                    _ => margin.unwrap_or(Decimal::ZERO),
                };
                *e = e.checked_add(v).unwrap();
            }
        }
    }
    let options = PyramidOptions::new().cuts(cuts.clone()).basis(basis);
    let p = match pyramid(&l, &year, &options) {
        Ok(p) => p,
        Err(e) => {
            // Only an overflow of a sum is an error.
            prop_assert!(
                e.to_string().contains("overflow") || e.to_string().contains("range"),
                "{e}"
            );
            return Ok(());
        }
    };
    // The ledger's value equals the direct one in number (the scale may differ
    // when the ledger rounded); from here on use the ledger's.
    let mut active: Vec<(Money, String)> = Vec::new();
    for k in &order {
        let id = l.id(k).unwrap();
        let v = p.value_of(id).unwrap();
        prop_assert_eq!(v.as_decimal(), value[k], "value of {}", k);
        if v.is_positive() {
            active.push((v, k.clone()));
        }
    }
    active.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.as_bytes().cmp(b.1.as_bytes())));
    let ranking: Vec<String> = p
        .ranking()
        .iter()
        .map(|&id| l.key(id).unwrap().to_string())
        .collect();
    let want: Vec<String> = active.iter().map(|a| a.1.clone()).collect();
    prop_assert_eq!(&ranking, &want);
    // Values as the pyramid reports them per customer, in ranking order.
    let sorted: Vec<Money> = active.iter().map(|a| a.0).collect();
    for (i, &id) in p.ranking().iter().enumerate() {
        prop_assert_eq!(p.value_of(id).unwrap().to_string(), sorted[i].to_string());
        prop_assert_eq!(p.rank_of(id).unwrap(), Some(i as u64 + 1));
    }
    let mut total = Money::ZERO;
    for v in &sorted {
        match total.checked_add(*v) {
            Some(t) => total = t,
            None => return Ok(()),
        }
    }
    let bounds = direct_boundaries(&cuts, &sorted);
    let mut sums = [(0u64, Money::ZERO); 4];
    for (i, v) in sorted.iter().enumerate() {
        let r = i + 1;
        let lvl = bounds.iter().position(|&b| r <= b).unwrap_or(3);
        sums[lvl].0 += 1;
        sums[lvl].1 = sums[lvl].1.checked_add(*v).unwrap();
        let id = l.id(&active[i].1).unwrap();
        prop_assert_eq!(p.level_of(id).unwrap(), Some(Level::ACTIVE[lvl]));
    }
    for (lvl, level) in Level::ACTIVE.iter().enumerate() {
        let f = p.figures(*level);
        prop_assert_eq!(f.customers, sums[lvl].0, "{:?}", level);
        prop_assert_eq!(f.value.to_string(), sums[lvl].1.to_string(), "{:?}", level);
    }
    prop_assert_eq!(p.active(), sorted.len() as u64);
    // active_value() sums the level figures (another order than the
    // ranking's: rounding past 28 digits may differ), so it is not compared.
    let pareto = if sorted.is_empty() {
        None
    } else {
        let top20 = direct_boundaries(&Cuts::customer_percent(&[dec(20, 0)]).unwrap(), &sorted)[0];
        let v: Money = sorted[..top20].iter().copied().sum();
        crm_core::share(v.as_decimal(), total.as_decimal())
    };
    prop_assert_eq!(
        p.pareto().map(|d| d.to_string()),
        pareto.map(|d| d.to_string())
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Ranking, levels, figures (scale included) and the Pareto share
    /// are those of the direct computation.
    #[test]
    fn pyramid_matches_direct_computation(sales in sales(), cuts in cuts(), margin in any::<bool>()) {
        run(sales, cuts, if margin { Basis::Margin } else { Basis::Revenue })?;
    }
}

/// Values that fit i64 at the common scale, that need i128, and that fit
/// neither, with equal values at different scales and keys sharing
/// their first eight bytes.
#[test]
fn regimes_by_hand() {
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("AAAAAAAA1", "10"),
            ("AAAAAAAA0", "10.0"),
            ("AAAAAAAA", "10.000"),
            ("B", "0.0000001"),
        ],
        vec![
            ("AAAAAAAA1", "10"),
            ("AAAAAAAA0", "10.0"),
            ("x", "92233720368547758.07"),
        ],
        vec![
            ("a", "92233720368547758.08"),
            ("b", "0.01"),
            ("c", "92233720368547758.07"),
        ],
        vec![
            ("a", "9223372036854775807"),
            ("b", "9223372036854775808"),
            ("c", "1"),
        ],
        vec![
            ("a", "100000000000000000000"),
            ("b", "0.0000000000000000000000000001"),
            ("c", "1.0"),
        ],
        vec![("a", "79228162514264337593543950335"), ("b", "1")],
        vec![("a", "7922816251426433759354395033.5"), ("b", "0.1")],
        vec![
            ("a", "1.000000000000000000000000000"),
            ("b", "1"),
            ("c", "1.0"),
        ],
        vec![("日本", "5"), ("é", "5.0"), ("e", "5.00"), ("ÿ", "5.000")],
    ];
    for sales in cases {
        for cuts in [
            Cuts::curry(),
            Cuts::abc(),
            Cuts::Bands(vec![Money::new(dec(10, 0)), Money::new(dec(1, 0))]),
        ] {
            for basis in [Basis::Revenue, Basis::Margin] {
                let s: Sales = sales
                    .iter()
                    .map(|(k, v)| {
                        let d: Decimal = v.parse().unwrap();
                        (k.to_string(), true, d, Some(d))
                    })
                    .collect();
                run(s, cuts.clone(), basis).unwrap();
            }
        }
    }
}

//! The scorecard on hand-made histories, counted by hand; plan files with
//! their errors.

use crm_core::{InteractionKind, Ledger, Money, NaiveDate, Period};
use crm_ops::{ComplaintOptions, complaints};
use crm_ops::{FigureName, Plan, ScorecardInputs, scorecard};
use crm_pyramid::{Cuts, PyramidOptions, pyramid};
use crm_value::{CostTable, profitability, share_of_wallet};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn years(ys: &[i32]) -> Ledger {
    Ledger::new(ys.iter().map(|&y| Period::year(y).unwrap()))
}

#[test]
fn every_figure_by_hand() {
    let mut l = years(&[2019, 2023, 2024]);
    let sale = |l: &mut Ledger, k: &str, date, rev: i64, margin: i64| {
        l.record_sale(k, date, Money::from(rev), Some(Money::from(margin)))
            .unwrap();
    };
    // 2019: a, b, c, d active. 2023: a, b, e active. 2024: a, e, f (new)
    // and c (reactivated after 2019).
    for k in ["a", "b", "c", "d"] {
        sale(&mut l, k, d(2019, 5, 1), 10, 5);
    }
    for k in ["a", "b", "e"] {
        sale(&mut l, k, d(2023, 5, 1), 10, 5);
    }
    sale(&mut l, "a", d(2024, 2, 1), 400, 200);
    sale(&mut l, "e", d(2024, 2, 1), 300, -50);
    sale(&mut l, "f", d(2024, 2, 1), 200, 100);
    sale(&mut l, "c", d(2024, 2, 1), 100, 50);
    // b complained in 2023 and was heard; e complained, unheard.
    let c = |l: &mut Ledger, k: &str, date, kind| {
        l.record_contact(k, date, kind).unwrap();
    };
    c(&mut l, "b", d(2023, 6, 1), InteractionKind::Complaint);
    c(
        &mut l,
        "b",
        d(2023, 6, 2),
        InteractionKind::ComplaintResolved,
    );
    c(&mut l, "e", d(2023, 6, 1), InteractionKind::Complaint);

    let o = PyramidOptions::new();
    let p = |y| pyramid(&l, &Period::year(y).unwrap(), &o).unwrap();
    let (old, prev, now) = (p(2019), p(2023), p(2024));
    let prof = profitability(
        &l,
        &Period::year(2024).unwrap(),
        &CostTable::default(),
        Vec::new(),
        &Cuts::curry(),
    )
    .unwrap();
    // Potentials: a 4000 (10%), e 1000 (30%: not low), f 1000 (20%), c unknown.
    let wallet = share_of_wallet(&l, &now, |k| match k {
        "a" => Some(Money::from(4000)),
        "e" | "f" => Some(Money::from(1000)),
        _ => None,
    })
    .unwrap();
    let compl = complaints(&l, &prev, Some(&now), &ComplaintOptions::new()).unwrap();
    let mut inputs = ScorecardInputs::new(&now);
    inputs.previous = Some(&prev);
    inputs.five_years_before = Some(&old);
    inputs.profitability = Some(&prof);
    inputs.wallet = Some(&wallet);
    inputs.complaints = Some(&compl);
    inputs.campaign_response = Some(dec("0.12"));
    let plan = Plan::parse(
        "[targets]\nretention-rate = 0.75\ncustomers-lost = 0\naverage-value-new = \"150.5\"\n",
        "plan.toml",
    )
    .unwrap();
    let card = scorecard(&l, &inputs, Some(&plan)).unwrap();
    let v = |f: FigureName| card.figure(f).unwrap().value;
    let of = |f: FigureName| card.figure(f).unwrap().of;
    // Existing: a (400) and e (300) and c (100, bought in 2019) of 1000.
    assert_eq!(v(FigureName::ExistingRevenueShare), Some(dec("0.8")));
    // 4 active: the top ceil(0.8) = 1 customer (a: 400) of 1000.
    assert_eq!(v(FigureName::Top20RevenueShare), Some(dec("0.4")));
    // Profits 200, 100, 50, -50 (total 300): the top ceil(0.8) = 1 makes 200.
    assert_eq!(
        v(FigureName::Top20ProfitShare),
        Some(dec("200") / dec("300"))
    );
    // Lost: b (active in 2023, not 2024), of 3.
    assert_eq!(
        (v(FigureName::CustomersLost), of(FigureName::CustomersLost)),
        (Some(1.into()), Some(3))
    );
    // New f, reactivated c, lost b: 1 + 1 - 1.
    assert_eq!(v(FigureName::NetInflow), Some(1.into()));
    assert_eq!(v(FigureName::RetentionRate), Some(dec("2") / dec("3")));
    // Of a, b, c, d in 2019, only a is active in 2024 (c too): 2 of 4 lost.
    assert_eq!(v(FigureName::LostWithin5Years), Some(dec("0.5")));
    // Small customers with a potential: a is Top; e (30%) and f (20%):
    // one below 30%.
    assert_eq!(
        (
            v(FigureName::SmallLowWallet),
            of(FigureName::SmallLowWallet)
        ),
        (Some(1.into()), Some(2))
    );
    assert_eq!(v(FigureName::HeardComplainerRetention), Some(Decimal::ZERO));
    assert_eq!(
        v(FigureName::UnheardComplainerRetention),
        Some(Decimal::ONE)
    );
    assert_eq!(v(FigureName::CampaignResponse), Some(dec("0.12")));
    // New: f 200. Loyal (active in both): a 400, e 300.
    assert_eq!(v(FigureName::AverageValueNew), Some(dec("200")));
    assert_eq!(v(FigureName::AverageValueLoyal), Some(dec("350")));
    let f = card.figure(FigureName::AverageValueNew).unwrap();
    assert_eq!((f.target, f.gap), (Some(dec("150.5")), Some(dec("49.5"))));
    let f = card.figure(FigureName::CustomersLost).unwrap();
    assert_eq!(f.gap, Some(Decimal::ONE));
    assert!(card.figures.iter().all(|f| f.missing.is_none()));
    let names: Vec<FigureName> = card.figures.iter().map(|f| f.name).collect();
    assert_eq!(names, FigureName::ALL.to_vec());

    // Alone, every figure that needs more says which input.
    let card = scorecard(&l, &ScorecardInputs::new(&now), None).unwrap();
    let missing: Vec<&str> = card
        .figures
        .iter()
        .filter(|f| f.value.is_none())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(missing.len(), 11, "{missing:?}");
    assert!(
        card.figures
            .iter()
            .all(|f| f.value.is_some() != f.missing.is_some())
    );

    // A complaint report of the wrong period is refused.
    let compl_now = complaints(&l, &now, None, &ComplaintOptions::new()).unwrap();
    let mut bad = ScorecardInputs::new(&now);
    bad.complaints = Some(&compl_now);
    assert!(scorecard(&l, &bad, None).is_err());
}

#[test]
fn plan_errors_name_line_and_column() {
    let src = "# plan\n[targets]\nretention-rate = \"high\"\nlost = 3\n\n[other]\n";
    let e = Plan::parse(src, "plan.toml").unwrap_err().to_string();
    assert!(
        e.contains("plan.toml: line 3, column 18: the target of retention-rate must be a number"),
        "{e}"
    );
    assert!(
        e.contains("plan.toml: line 4, column 1: unknown figure \"lost\""),
        "{e}"
    );
    assert!(
        e.contains("plan.toml: line 6, column 2: unknown table \"other\""),
        "{e}"
    );
    let e = Plan::parse("[targets\n", "p.toml").unwrap_err().to_string();
    assert!(e.starts_with("p.toml: line 1, column"), "{e}");
    let ok = Plan::parse(
        "[targets]\nnet-inflow = -20\ntop20-profit-share = 1.5e0\n",
        "p",
    )
    .unwrap();
    assert_eq!(ok.targets[&FigureName::NetInflow], dec("-20"));
    assert_eq!(ok.targets[&FigureName::Top20ProfitShare], dec("1.5"));
}

proptest! {
    #[test]
    fn plan_parsing_never_panics(src in "\\PC{0,200}") {
        let _ = Plan::parse(&src, "fuzz");
    }

    #[test]
    fn targets_round_trip(t in 0i64..1_000_000, scale in 0u32..4, share in 0i64..=1_000_000) {
        let value = Decimal::new(t, scale);
        let plan = Plan::parse(&format!("[targets]\naverage-value-new = \"{value}\"\n"), "p").unwrap();
        prop_assert_eq!(plan.targets[&FigureName::AverageValueNew], value);
        let value = Decimal::new(share, 6);
        let plan = Plan::parse(&format!("[targets]\nretention-rate = \"{value}\"\n"), "p").unwrap();
        prop_assert_eq!(plan.targets[&FigureName::RetentionRate], value);
    }
}

#[test]
fn plan_targets_must_fit_their_figure() {
    let bad = |line: &str| {
        Plan::parse(&format!("[targets]\n{line}\n"), "p.toml")
            .unwrap_err()
            .to_string()
    };
    // A share is from 0 to 1: 80 is not 80%.
    let e = bad("retention-rate = 80");
    assert!(
        e.contains("is a share from 0 to 1 (0.9 for 90%), not 80"),
        "{e}"
    );
    assert!(bad("retention-rate = -3").contains("share from 0 to 1"));
    // Counts are whole and, but for the net inflow, not negative.
    assert!(bad("customers-lost = 1.5").contains("a whole number, not 1.5"));
    assert!(bad("customers-lost = -2").contains("not negative"));
    // Amounts are not negative; too large is out of range, not "not a number".
    assert!(bad("average-value-new = -1").contains("an amount, not negative"));
    let e = bad("average-value-new = 1e30");
    assert!(e.contains("out of range"), "{e}");
    // Not a number is named as such, not as a number out of range.
    let e = bad("retention-rate = nan");
    assert!(e.contains("is nan: a target must be a number"), "{e}");
    let e = bad("net-inflow = -inf");
    assert!(e.contains("between about -7.9e28 and 7.9e28"), "{e}");
    // At the edges: a share of exactly 1 and 0, a profit share above 1.
    let ok = Plan::parse(
        "[targets]\nretention-rate = 1\nexisting-revenue-share = 0\ntop20-profit-share = 1.2\nnet-inflow = -5\n",
        "p",
    );
    assert!(ok.is_ok(), "{ok:?}");
}

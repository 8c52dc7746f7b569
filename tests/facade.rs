use crm::pyramid::{Level, PyramidOptions, pyramid};
use crm::synth::{SynthConfig, generate};
use crm::{Ledger, Period};

#[test]
fn example_pyramid_from_csv_runs() {
    crate::pyramid_from_csv::main().unwrap();
}

#[test]
fn example_clv_from_csv_runs() {
    crate::clv_from_csv::main().unwrap();
}

#[test]
fn example_actions_from_csv_runs() {
    crate::actions_from_csv::main().unwrap();
    let plan = crate::actions_from_csv::actions().unwrap();
    // Most urgent first, and the shipped data has priority-1 actions.
    assert!(
        plan.actions
            .windows(2)
            .all(|w| w[0].priority <= w[1].priority)
    );
    assert_eq!(plan.actions[0].priority, 1);
    assert_eq!(plan.summary.customers, 3000);
}

#[test]
fn example_migration_from_csv_runs() {
    crate::migration_from_csv::main().unwrap();
}

#[cfg(feature = "serde")]
#[test]
fn example_pyramid_from_own_rows_reports_its_rows() {
    crate::pyramid_from_own_rows::main().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&crate::pyramid_from_own_rows::report().unwrap()).unwrap();
    // Five of the six accounts bought in 2025; the best of them is Top.
    assert_eq!(json["active"], 5);
    let top = json["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "top")
        .unwrap();
    assert_eq!(top["customers"], 1);
}

#[cfg(feature = "sqlite")]
#[test]
fn example_store_round_trip_runs() {
    crate::store_round_trip::main().unwrap();
}

#[test]
fn generated_data_through_csv_equals_in_memory() {
    // Write a data set, read it back through the CSV adapter, and compare
    // with feeding the same generated rows to the ledger directly.
    let dir = tempfile::tempdir().unwrap();
    let config = SynthConfig::new(500).years(3).seed(3);
    crm::synth::write_dataset(&config, dir.path()).unwrap();
    let year: Period = "2025".parse().unwrap();

    let mut from_csv = Ledger::new([year]);
    crm::csv::read_transactions(
        dir.path().join("transactions.csv"),
        &Default::default(),
        &mut from_csv,
    )
    .unwrap();

    let data = generate(&config).unwrap();
    let keys = data.customer_keys();
    let sales = data.sales(&keys);
    let mut direct = Ledger::new([year]);
    assert!(direct.record_sales(&sales).is_empty());

    let o = PyramidOptions::new();
    let (a, b) = (
        pyramid(&from_csv, &year, &o).unwrap(),
        pyramid(&direct, &year, &o).unwrap(),
    );
    for level in Level::ALL {
        assert_eq!(a.figures(level), b.figures(level), "{level}");
    }
    let top_a: Vec<&str> = a
        .ranking()
        .iter()
        .take(10)
        .map(|&id| from_csv.key(id).unwrap())
        .collect();
    let top_b: Vec<&str> = b
        .ranking()
        .iter()
        .take(10)
        .map(|&id| direct.key(id).unwrap())
        .collect();
    assert_eq!(top_a, top_b);
}

#[cfg(feature = "serde")]
#[test]
fn example_value_from_own_rows_scores_every_buyer() {
    crate::value_from_own_rows::main().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&crate::value_from_own_rows::scores().unwrap()).unwrap();
    let scores = json["scores"].as_array().unwrap();
    // Five accounts bought before the date, listed by key.
    let keys: Vec<&str> = scores
        .iter()
        .map(|s| s["customer"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["ACME", "Bolt", "Cobra", "Delta", "Echo"]);
    // ACME bought most often: the top frequency score.
    assert_eq!(scores[0]["frequency"], 3);
    assert_eq!(scores[0]["f"], 5);
    // Every score is a quintile, 1 to 5.
    for s in scores {
        for k in ["r", "f", "m"] {
            let v = s[k].as_u64().unwrap();
            assert!((1..=5).contains(&v), "{s}");
        }
    }
}

#[test]
fn example_pyramid_chart_svg_writes_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pyramid.svg");
    crate::pyramid_chart_svg::write_chart(&out).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
    assert!(svg.contains("Customer pyramid 2025"));
    // 200 accounts: ceil(1%) = 2 at the top, 8 big, 30 medium, 160 small.
    for count in ["top · 2<", "big · 8<", "medium · 30<", "small · 160<"] {
        assert!(svg.contains(count), "{count} missing");
    }
    assert!(svg.trim_end().ends_with("</svg>"));
}

/// An engine's rows (one per customer) feed the ledger through the
/// facade alone: the facts types are re-exported.
#[test]
fn customer_facts_feed_the_ledger_through_the_facade() {
    use crm::{Basis, CustomerFacts, Money, NaiveDate, PeriodFacts};
    let period: Period = "2024".parse().unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let mut by_facts = Ledger::new([period]);
    let mut f = CustomerFacts::new("C1");
    f.transactions = 1;
    f.first_transaction = Some(day);
    f.last_transaction = Some(day);
    f.first_purchase = [Some(day), None];
    f.last_purchase = [Some(day), None];
    f.transactions_without_margin = 1;
    let mut p = PeriodFacts::new();
    p.value = [Money::from(25), Money::ZERO];
    p.transactions = 1;
    f.periods = vec![p];
    let id = by_facts.record_facts(&f).unwrap();
    let mut by_rows = Ledger::new([period]);
    let row = by_rows
        .record_sale("C1", day, Money::from(25), None)
        .unwrap();
    assert_eq!(
        by_facts.period_totals(id, 0).unwrap(),
        by_rows.period_totals(row, 0).unwrap()
    );
    assert_eq!(
        by_facts.period_totals(id, 0).unwrap().value(Basis::Revenue),
        Money::from(25)
    );
}

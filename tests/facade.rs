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
        .map(|&id| from_csv.key(id))
        .collect();
    let top_b: Vec<&str> = b
        .ranking()
        .iter()
        .take(10)
        .map(|&id| direct.key(id))
        .collect();
    assert_eq!(top_a, top_b);
}

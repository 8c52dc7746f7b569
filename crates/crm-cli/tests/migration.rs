use serde_json::Value;

use crate::util::{crm, data, stderr, stdout};

fn run(extra: &[&str]) -> std::process::Output {
    let t = data("transactions.csv").display().to_string();
    let c = data("customers.csv").display().to_string();
    let mut args = vec!["migration", "--transactions", &t, "--customers", &c];
    args.extend_from_slice(extra);
    crm(&args)
}

#[test]
fn two_periods_json_contract() {
    let o = run(&[
        "--from", "2024", "--to", "2025", "--format", "json", "--risk",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["from"]["start"], "2024-01-01");
    assert_eq!(v["to"]["end"], "2026-01-01");
    let levels: Vec<&str> = v["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        [
            "top", "big", "medium", "small", "inactive", "prospect", "suspect", "new"
        ]
    );
    let cells = v["cells"].as_array().unwrap();
    assert!(cells.iter().all(|c| c["customers"].as_u64().unwrap() > 0));
    assert!(
        cells
            .iter()
            .all(|c| c["value_from"].is_string() && c["value_to"].is_string())
    );
    for key in ["up", "down", "lost", "new", "reactivated", "stayed"] {
        assert!(v["summary"][key].is_u64(), "{key}");
    }
    // The pyramid of 2025 is the column sums.
    let p = crm(&[
        "pyramid",
        "--transactions",
        &data("transactions.csv").display().to_string(),
        "--customers",
        &data("customers.csv").display().to_string(),
        "--period",
        "2025",
        "--format",
        "json",
    ]);
    let p: Value = serde_json::from_str(&stdout(&p)).unwrap();
    for level in p["levels"].as_array().unwrap() {
        let name = level["level"].as_str().unwrap();
        let col: u64 = cells
            .iter()
            .filter(|c| c["to"] == name)
            .map(|c| c["customers"].as_u64().unwrap())
            .sum();
        assert_eq!(col, level["customers"].as_u64().unwrap(), "{name}");
    }
    let risk = v["risk"].as_array().unwrap();
    assert!(!risk.is_empty());
    assert!(risk.windows(2).all(|w| {
        let a: f64 = w[0]["value_lost"].as_str().unwrap().parse().unwrap();
        let b: f64 = w[1]["value_lost"].as_str().unwrap().parse().unwrap();
        a >= b
    }));
}

#[test]
fn two_periods_table_and_csv() {
    let o = run(&["--from", "2024", "--to", "2025"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Value bridge") && out.contains("▲") && out.contains("▼"),
        "{out}"
    );
    let o = run(&["--from", "2024-Q4", "--to", "2025-Q1", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .starts_with("from_period,to_period,from,to,movement,customers,value_from,value_to\n")
    );
    let o = run(&[
        "--from", "2024", "--to", "2025", "--format", "csv", "--risk",
    ]);
    assert!(stdout(&o).starts_with("customer,from,to,movement,value_from,value_to,value_lost\n"));
}

#[test]
fn series_outputs() {
    let o = run(&[
        "--periods",
        "2021..2025",
        "--project",
        "2",
        "--discount",
        "0.1",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["pairs"].as_array().unwrap().len(), 4);
    assert_eq!(v["projection"].as_array().unwrap().len(), 2);
    for row in v["transition"].as_array().unwrap() {
        let s: f64 = row
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_f64().unwrap())
            .sum();
        assert!((s - 1.0).abs() < 1e-5, "{row}");
    }
    assert_eq!(v["value_basis"], "margin");
    assert!(v["lifetime_value"].is_array());
    for format in ["table", "csv"] {
        let o = run(&["--periods", "2023,2024,2025", "--format", format]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
    }
}

#[test]
fn bad_usage() {
    for extra in [
        &["--from", "2025", "--to", "2024"][..],
        &["--from", "2024"],
        &["--periods", "2025..2021"],
        &["--periods", "2025"],
        &["--periods", "2021..2025", "--discount", "0"],
        &[],
    ] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
    }
}

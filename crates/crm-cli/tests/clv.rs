use serde_json::Value;

use crate::util::{assert_contains_all, crm, data, stderr, stdout};

fn cdnow() -> String {
    data("cdnow_transactions.csv").display().to_string()
}

fn run(extra: &[&str]) -> std::process::Output {
    let t = cdnow();
    let mut args = vec!["clv"];
    args.extend_from_slice(&extra[..1]);
    args.extend(["--transactions", &t, "--calibration-end", "1997-09-30"]);
    if !extra.contains(&"--unit") {
        args.extend(["--unit", "week"]);
    }
    args.extend_from_slice(&extra[1..]);
    crm(&args)
}

#[test]
fn fit_json_contract() {
    let o = run(&["fit", "--model", "bg-nbd", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["model"], "bg-nbd");
    assert_eq!(v["customers"], 2357.0);
    let p = &v["params"];
    assert!((p["r"].as_f64().unwrap() - 0.2426).abs() < 5e-4);
    assert!((p["alpha"].as_f64().unwrap() - 4.414).abs() < 5e-3);
    assert!((p["a"].as_f64().unwrap() - 0.793).abs() < 5e-3);
    assert!((p["b"].as_f64().unwrap() - 2.426).abs() < 5e-3);
    assert!((v["log_likelihood"].as_f64().unwrap() + 9582.4).abs() < 1.0);
    assert!(v["std_errors"]["b"].as_f64().unwrap() > 0.0);
    // Parameters in the model's order.
    assert!(stdout(&o).contains(r#""params":{"r":"#), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(r#""std_errors":{"r":"#),
        "{}",
        stdout(&o)
    );
    // Purchases after the calibration end are said to be left out.
    assert!(
        stderr(&o).contains("1959 purchases after the last window end"),
        "{}",
        stderr(&o)
    );

    let donations = data("donations.csv").display().to_string();
    let o = crm(&[
        "clv",
        "fit",
        "--model",
        "bg-bb",
        "--summary",
        &donations,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["customers"], 11104.0);
    assert!((v["params"]["alpha"].as_f64().unwrap() - 1.204).abs() < 1e-3);

    let o = run(&["fit", "--model", "gamma-gamma", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["left_out"]["no_repeat"], 1411.0);
    assert!((v["params"]["q"].as_f64().unwrap() - 3.74).abs() < 0.01);

    for model in ["mbg-nbd", "pareto-nbd"] {
        let o = run(&["fit", "--model", model]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("log-likelihood -95"), "{}", stdout(&o));
    }
}

#[test]
fn predict_outputs() {
    let o = run(&[
        "predict",
        "--model",
        "bg-nbd",
        "--horizon",
        "39",
        "--months",
        "12",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "customer_id,frequency,recency,T,p_alive,expected_purchases,expected_spend,clv"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first[0], "1");
    // Customer 1: x = 2, t_x = 30.43, T = 38.86 (FHL 2005): P(alive) 0.7266, E[Y(39)] 1.226.
    assert!((first[4].parse::<f64>().unwrap() - 0.7266).abs() < 1e-3);
    assert!((first[5].parse::<f64>().unwrap() - 1.226).abs() < 1e-3);
    assert_eq!(text.lines().count(), 2358);

    let o = run(&["predict", "--model", "pareto-nbd", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!((v["horizon"].as_f64().unwrap() - 365.25 / 7.0).abs() < 1e-12);
    let c = v["customers"].as_array().unwrap();
    assert_eq!(c.len(), 2357);
    assert!(
        c.iter()
            .all(|r| (0.0..=1.0).contains(&r["p_alive"].as_f64().unwrap()))
    );
    assert!(c[0].get("clv").is_none());

    let o = run(&["predict", "--model", "mbg-nbd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("P(alive)"));
}

#[test]
fn check_tables_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("charts");
    let svg_s = svg.display().to_string();
    let o = run(&[
        "check",
        "--model",
        "bg-nbd",
        "--observation-end",
        "1998-06-30",
        "--svg",
        &svg_s,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("7+"), "{}", stdout(&o));
    for f in ["holdout.svg", "tracking.svg"] {
        let text = std::fs::read_to_string(svg.join(f)).unwrap();
        assert!(text.starts_with("<svg") && text.contains("<polyline"));
    }
    let o = run(&[
        "check",
        "--model",
        "pareto-nbd",
        "--observation-end",
        "1998-06-30",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v["holdout_by_frequency"].as_array().unwrap();
    let actual: f64 = rows
        .iter()
        .map(|r| r["actual"].as_f64().unwrap() * r["customers"].as_f64().unwrap())
        .sum();
    assert!((actual - 1882.0).abs() < 1e-9);
    assert_eq!(
        v["tracking"].as_array().unwrap().last().unwrap()["date"],
        "1998-06-30"
    );
}

#[test]
fn bad_usage_and_data() {
    // Usage: exit 2, one line.
    for extra in [
        &["fit", "--model", "bg-bb"][..],
        &["fit", "--model", "bg-nbd", "--unit", "fortnight"],
        &["fit", "--model", "bg-nbd", "--penalizer=-1"],
        &["predict", "--model", "gamma-gamma"],
        &["check", "--model", "bg-nbd"],
        &["fit", "--model", "bg-nbd", "--format", "csv"],
    ] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o)
                .lines()
                .filter(|l| l.starts_with("crm: error"))
                .count(),
            1,
            "{extra:?}: {}",
            stderr(&o)
        );
    }
    let o = crm(&[
        "clv",
        "fit",
        "--model",
        "bg-nbd",
        "--transactions",
        &cdnow(),
        "--calibration-end",
        "1997-13-01",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // Data: exit 1 naming file, line and field.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("s.csv");
    std::fs::write(&bad, "frequency,recency,T\n1,2,3\n2,5,4\n").unwrap();
    let o = crm(&[
        "clv",
        "fit",
        "--model",
        "bg-nbd",
        "--summary",
        &bad.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("s.csv:3: recency:"), "{}", stderr(&o));
    // Degenerate: nobody repeats.
    std::fs::write(&bad, "frequency,recency,T\n0,0,3\n0,0,4\n").unwrap();
    let o = crm(&[
        "clv",
        "fit",
        "--model",
        "pareto-nbd",
        "--summary",
        &bad.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no customer has a repeat purchase"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn risk_with_p_alive() {
    let t = data("transactions.csv").display().to_string();
    let base = ["value", "risk", "--transactions", &t, "--period", "2025"];
    let o = crm(&base);
    assert!(
        stdout(&o).contains("low P(alive): not computed"),
        "{}",
        stdout(&o)
    );
    let mut args = base.to_vec();
    args.extend([
        "--p-alive-model",
        "bg-nbd",
        "--p-alive-below",
        "0.5",
        "--format",
        "json",
    ]);
    let o = crm(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let low: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["signals"].as_array().unwrap().iter())
        .filter(|s| s["signal"] == "low_p_alive")
        .map(|s| s["p_alive"].as_f64().unwrap())
        .collect();
    assert!(!low.is_empty(), "{}", stdout(&o));
    assert!(low.iter().all(|p| *p < 0.5));
    let mut args = base.to_vec();
    args.extend(["--p-alive-model", "bg-bb"]);
    assert_eq!(crm(&args).status.code(), Some(2));
}

#[test]
fn from_a_database_as_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db").display().to_string();
    let o = crm(&["import", "--db", &db, "--transactions", &cdnow()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let args = |input: &[&str]| {
        let mut a = vec![
            "clv",
            "fit",
            "--model",
            "bg-nbd",
            "--calibration-end",
            "1997-09-30",
            "--format",
            "json",
        ];
        a.extend_from_slice(input);
        crm(&a)
    };
    let from_db = args(&["--db", &db]);
    assert!(from_db.status.success(), "{}", stderr(&from_db));
    let t = cdnow();
    let from_csv = args(&["--transactions", &t]);
    assert_eq!(stdout(&from_db), stdout(&from_csv));
    let o = args(&["--db", &dir.path().join("none.db").display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn bg_bb_names_the_opportunity() {
    let donations = data("donations.csv").display().to_string();
    let base = [
        "clv",
        "predict",
        "--model",
        "bg-bb",
        "--summary",
        &donations,
    ];
    let mut args = base.to_vec();
    args.extend(["--format", "json"]);
    let o = crm(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let c = &v["customers"][0];
    assert_eq!(c["t"], 6.0);
    assert_eq!(c["p_alive_at"], 7.0);
    // x = 0 of 6: alive at opportunity 7 with probability 0.1081 (lifetimes, m = 1).
    assert!((c["p_alive"].as_f64().unwrap() - 0.10813).abs() < 1e-4);
    let mut args = base.to_vec();
    args.extend(["--format", "csv"]);
    let o = crm(&args);
    assert!(
        stdout(&o)
            .lines()
            .next()
            .unwrap()
            .contains("p_alive_next_opportunity")
    );
    let mut args = base.to_vec();
    args.extend(["--months", "12"]);
    assert_eq!(crm(&args).status.code(), Some(2));
}

#[test]
fn tables_in_dutch() {
    let nl = |extra: &[&str]| {
        let o = run(&[extra, &["--lang", "nl"]].concat());
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        stdout(&o)
    };
    let fit = nl(&["fit", "--model", "bg-nbd"]);
    assert_contains_all(
        &fit,
        &[
            "bg-nbd op 2.357 klanten (1.016 verschillende histories), tijd in weken",
            "log-likelihood -9.582,43 na",
            "schatting",
            "standaardfout",
            "0,2426",
        ],
    );
    let predict = nl(&["predict", "--model", "bg-nbd", "--months", "12"]);
    assert_contains_all(
        &predict,
        &[
            "verwachte aankopen in de komende",
            "weken",
            "besteding",
            "0,7266",
            "36,30",
        ],
    );
    let check = nl(&[
        "check",
        "--model",
        "bg-nbd",
        "--observation-end",
        "1998-06-30",
    ]);
    assert_contains_all(
        &check,
        &[
            "werkelijk",
            "voorspeld",
            "1.411",
            "0,237",
            "einde kalibratie 1997-09-30",
        ],
    );
    let en = run(&["fit", "--model", "bg-nbd", "--lang", "en"]);
    assert!(
        stdout(&en).contains("bg-nbd on 2357 customers"),
        "{}",
        stdout(&en)
    );
}

use serde_json::Value;

use crate::util::{assert_contains_all, crm, data, stderr, stdout};

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
    for key in [
        "up",
        "down",
        "lapsed",
        "lost",
        "new",
        "reactivated",
        "stayed",
    ] {
        assert!(v["summary"][key].is_u64(), "{key}");
    }
    // Lapsed (active to inactive) and lost (beyond the horizon) are two
    // fields; the old ambiguous `net` is gone, both nets are named.
    let n = |k: &str| v["summary"][k].as_i64().unwrap();
    assert_eq!(n("net_inflow"), n("new") + n("reactivated") - n("lapsed"));
    assert_eq!(n("net_movement"), n("up") - n("down") - n("lapsed"));
    assert!(v["summary"].get("net").is_none() && v["summary"].get("left").is_none());
    assert!(v["bridge"]["lost"].is_string() && v["bridge"].get("left").is_none());
    let lapsed: u64 = cells
        .iter()
        .filter(|c| c["movement"] == "lapsed")
        .map(|c| c["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(lapsed, v["summary"]["lapsed"].as_u64().unwrap());
    assert!(lapsed > 0);
    assert!(cells.iter().all(|c| c["movement"] != "lost"));
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
    assert!(
        out.contains("lapsed (active to inactive)")
            && out.contains("net inflow (new + reactivated - lapsed)"),
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
    // The pooled estimate: each probability is the row's count over the
    // customers observed in the row, and the counts are reported.
    assert_eq!(v["estimator"], "pooled");
    let counts = v["transition_counts"].as_array().unwrap();
    let observed = v["row_customers"].as_array().unwrap();
    for (i, row) in v["transition"].as_array().unwrap().iter().enumerate() {
        let n = observed[i].as_u64().unwrap() as f64;
        for (j, p) in row.as_array().unwrap().iter().enumerate() {
            let c = counts[i][j].as_u64().unwrap() as f64;
            assert!((p.as_f64().unwrap() - c / n).abs() < 1e-6, "{i} {j}");
        }
    }
    let o = run(&[
        "--periods",
        "2021..2025",
        "--transitions",
        "average-of-shares",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let w: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(w["estimator"], "average-of-shares");
    assert_eq!(w["transition_counts"], v["transition_counts"]);
    assert_ne!(w["transition"], v["transition"]);
    let o = run(&["--periods", "2021..2025", "--format", "csv"]);
    let header = stdout(&o).lines().next().unwrap().to_string();
    assert!(header.contains(",n_to_inactive,observed,"), "{header}");
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

#[test]
fn the_matrix_in_dutch() {
    let o = run(&["--from", "2024", "--to", "2025", "--risk", "--lang", "nl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Migratie van 2024"), "{out}");
    assert_contains_all(
        &out,
        &[
            "Groot",
            "Middel",
            "Klein",
            "Inactief",
            "Prospect",
            "totaal",
            "Waardebrug",
            "teruggewonnen",
            "Risico",
            "waardeverlies",
        ],
    );
    // 3.000 customers in all; money with a decimal comma.
    assert!(out.contains("3.000"), "{out}");
    assert!(out.contains("2.221.706,04"), "{out}");
    assert!(
        !out.contains("Value bridge") && !out.contains(" big "),
        "{out}"
    );
    let en = run(&["--from", "2024", "--to", "2025", "--lang", "en"]);
    assert!(stdout(&en).starts_with("Migration from 2024"));
}

#[test]
fn json_and_csv_do_not_depend_on_the_language() {
    for format in ["json", "csv"] {
        let args = [
            "--from", "2024", "--to", "2025", "--risk", "--format", format,
        ];
        let en = run(&[&args[..], &["--lang", "en"]].concat());
        let nl = run(&[&args[..], &["--lang", "nl"]].concat());
        assert!(en.status.success() && nl.status.success());
        assert_eq!(en.stdout, nl.stdout, "{format}");
    }
}

#[test]
fn the_markov_view_in_dutch() {
    let o = run(&["--periods", "2022..2025", "--lang", "nl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Migratie over 4 perioden"), "{out}");
    assert_contains_all(
        &out,
        &[
            "teruggewonnen",
            "netto instroom",
            "Overgangskansen",
            "Groot",
            "Inactief",
            "instroom",
            "Prognose",
            "perioden vooruit",
            "Klantwaarde per niveau",
            "perioden tot inactief",
            // Dutch numbers: grouped thousands, decimal commas.
            "2.348",
            "0,600 (18)",
            "0,722 (1.665)",
            "20.264,67",
            "Klein 24,6%; Inactief 67,5%",
        ],
    );
    assert!(
        !out.contains("Transition") && !out.contains("periods ahead"),
        "{out}"
    );
    let en = stdout(&run(&["--periods", "2022..2025", "--lang", "en"]));
    assert!(en.starts_with("Migration over 4 periods"), "{en}");
    assert!(en.contains("0.600 (18)") && en.contains("20264.67"), "{en}");
}

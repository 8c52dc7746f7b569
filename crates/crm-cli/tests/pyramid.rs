use serde_json::Value;

use crate::util::{crm, data, stderr, stdout};

fn example_args() -> Vec<String> {
    vec![
        "pyramid".into(),
        "--transactions".into(),
        data("transactions.csv").display().to_string(),
        "--customers".into(),
        data("customers.csv").display().to_string(),
        "--interactions".into(),
        data("interactions.csv").display().to_string(),
        "--period".into(),
        "2025".into(),
    ]
}

fn run(extra: &[&str]) -> std::process::Output {
    let mut args = example_args();
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crm(&args)
}

#[test]
fn table_on_the_example_data() {
    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "Customer pyramid 2025-01-01..2026-01-01 (previous: 2024-01-01..2025-01-01)"
        ),
        "{out}"
    );
    for level in [
        "top", "big", "medium", "small", "inactive", "prospect", "suspect",
    ] {
        assert!(
            out.contains(&format!("│ {level:<8} ┆")),
            "{level} missing:\n{out}"
        );
    }
    assert!(
        out.contains("Pareto: the top 20% of active customers hold"),
        "{out}"
    );
    assert!(out.contains('█'));
    assert_eq!(stderr(&o), "");
}

#[test]
fn json_contract() {
    let o = run(&["--format", "json", "--assignments"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["period"]["start"], "2025-01-01");
    assert_eq!(v["period"]["end"], "2026-01-01");
    assert_eq!(v["basis"], "revenue");
    let levels = v["levels"].as_array().unwrap();
    let names: Vec<&str> = levels
        .iter()
        .map(|l| l["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "top", "big", "medium", "small", "inactive", "prospect", "suspect"
        ]
    );
    let mut total = rust_decimal_sum(levels.iter().map(|l| l["value"].as_str().unwrap()));
    // Money is a decimal string, counts are integers.
    assert!(levels[0]["value"].is_string() && levels[0]["customers"].is_u64());
    let active: u64 = levels[..4]
        .iter()
        .map(|l| l["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(v["active"].as_u64().unwrap(), active);
    let assignments = v["assignments"].as_array().unwrap();
    let counted: u64 = levels
        .iter()
        .map(|l| l["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(assignments.len() as u64, counted);
    assert_eq!(assignments[0]["rank"], 1);
    assert_eq!(assignments[0]["level"], "top");
    let first_inactive = assignments
        .iter()
        .find(|a| a["level"] == "inactive")
        .unwrap();
    assert!(first_inactive["rank"].is_null());
    total -= rust_decimal_sum(assignments.iter().map(|a| a["value"].as_str().unwrap()));
    assert_eq!(total, 0.0);

    let o = run(&["--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v.get("assignments").is_none());
}

/// Sums decimal strings exactly enough for the test (cents).
fn rust_decimal_sum<'a>(values: impl Iterator<Item = &'a str>) -> f64 {
    let cents: i64 = values
        .map(|s| {
            let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
            let neg = int.starts_with('-');
            let frac: i64 = format!("{frac:0<2}")[..2].parse().unwrap();
            let int: i64 = int.parse().unwrap();
            int * 100 + if neg { -frac } else { frac }
        })
        .sum();
    cents as f64
}

#[test]
fn csv_output_and_assignments() {
    let o = run(&["--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8);
    assert!(lines[0].starts_with("period_start,period_end,basis,level,customers"));
    assert!(lines[1].starts_with("2025-01-01,2026-01-01,revenue,top,"));

    let o = run(&[
        "--format",
        "csv",
        "--assignments",
        "--basis",
        "margin",
        "--cuts",
        "2,10,30",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("customer,level,rank,value\n"));
    assert!(out.lines().nth(1).unwrap().contains(",top,1,"));
}

#[test]
fn alternative_cuts() {
    for extra in [
        &["--value-cuts", "80,95"][..],
        &["--bands", "20000,5000,1000"],
        &["--horizon-days", "365"],
    ] {
        let o = run(extra);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
    }
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    for extra in [
        &["--cuts", "5,1"][..],
        &["--cuts", "a"],
        &["--basis", "profit"],
        &["--format", "xml"],
        &["--cuts", "1", "--bands", "5"],
    ] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(!stderr(&o).is_empty());
    }
    let o = crm(&["pyramid", "--period", "2025"]);
    assert_eq!(o.status.code(), Some(2));
    let t = data("transactions.csv").display().to_string();
    let o = crm(&["pyramid", "--transactions", &t, "--period", "2025-13"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("crm: error: --period: invalid period"),
        "{err}"
    );
}

#[test]
fn bad_data_exits_1_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    std::fs::write(
        &t,
        "customer_id,date,revenue\nC1,2025-01-01,10\nC2,2025-01-01,ten\n",
    )
    .unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        t.to_str().unwrap(),
        "--period",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("t.csv:3: column 3 (revenue): bad value \"ten\""),
        "{err}"
    );
    assert!(stdout(&o).is_empty());

    let o = crm(&[
        "pyramid",
        "--transactions",
        "/nonexistent.csv",
        "--period",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn lenient_reports_each_skip_and_writes_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    std::fs::write(
        &t,
        "customer_id,date,revenue\nC1,2025-01-01,10\nC2,2025-01-01,ten\nC3,x,1\n",
    )
    .unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        t.to_str().unwrap(),
        "--period",
        "2025",
        "--lenient",
        "--format",
        "json",
    ]);
    assert!(o.status.success());
    let err = stderr(&o);
    assert_eq!(err.matches("crm: skipped: ").count(), 2, "{err}");
    assert!(err.contains("skipped 2 rows"), "{err}");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["active"], 1);

    let rejects = dir.path().join("rejects.csv");
    let o = crm(&[
        "pyramid",
        "--transactions",
        t.to_str().unwrap(),
        "--period",
        "2025",
        "--lenient",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap().lines().count(),
        3
    );
    assert!(stderr(&o).contains("skipped 2 of 3 rows"));
}

#[test]
fn decimal_comma_and_column_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    std::fs::write(&t, "klant;datum;omzet\nK1;01-03-2025;12,50\n").unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        t.to_str().unwrap(),
        "--period",
        "2025",
        "--columns",
        "customer_id=klant,date=datum,revenue=omzet",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Normalised: 12,50 is "12.5".
    assert_eq!(v["levels"][0]["value"], "12.5");
}

#[test]
fn closed_output_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut args = example_args();
    args.extend(["--format".into(), "json".into(), "--assignments".into()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}

#[test]
fn register_customers_without_purchase_are_prospects_and_reported() {
    // Before, "GAP" (stage customer, no sale on file) was a suspect, as if
    // never contacted; "LATER" (acquired after 2024) still is one in 2024.
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    let c = dir.path().join("c.csv");
    std::fs::write(&t, "customer_id,date,revenue\nA,2024-03-01,100\n").unwrap();
    std::fs::write(
        &c,
        "customer_id,stage,acquired\nA,customer,2024-03-01\nGAP,customer,2023-06-01\nLATER,customer,2025-02-01\nS,suspect,\n",
    )
    .unwrap();
    let (t, c) = (t.display().to_string(), c.display().to_string());
    let args = [
        "pyramid",
        "--transactions",
        &t,
        "--customers",
        &c,
        "--period",
        "2024",
    ];
    let o = crm(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("register says customer, no purchase found: 1 (\"GAP\")"),
        "{out}"
    );
    let mut json = args.to_vec();
    json.extend(["--format", "json", "--assignments"]);
    let v: Value = serde_json::from_str(&stdout(&crm(&json))).unwrap();
    assert_eq!(v["register_customers_without_purchase"], 1);
    let level = |k: &str| {
        v["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["customer"] == k)
            .map(|a| a["level"].as_str().unwrap().to_string())
    };
    assert_eq!(level("GAP").as_deref(), Some("prospect"));
    assert_eq!(level("LATER").as_deref(), Some("suspect"));
    assert_eq!(level("S").as_deref(), Some("suspect"));
}

#[test]
fn the_table_in_dutch() {
    let o = run(&["--lang", "nl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Klantenpiramide 2025"), "{out}");
    for word in [
        "Top",
        "Groot",
        "Middel",
        "Klein",
        "Inactief",
        "Prospect",
        "Suspect",
        "klanten",
        "gemiddeld",
    ] {
        assert!(out.contains(word), "{word} missing in\n{out}");
    }
    // Numbers the Dutch way: 1.101 customers, 24,0% of the value, money
    // with a decimal comma.
    assert!(out.contains("1.101") && out.contains("24,0%"), "{out}");
    assert!(out.contains("641.333,86"), "{out}");
    assert!(
        !out.contains(" big ") && !out.contains("customers"),
        "{out}"
    );
}

#[test]
fn the_table_language_defaults_from_the_environment() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(example_args())
        .env_remove("LC_ALL")
        .env("LC_MESSAGES", "nl_NL.UTF-8")
        .env("LANG", "en_GB.UTF-8")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Klantenpiramide"), "{}", stdout(&o));
    assert!(stdout(&run(&["--lang", "en"])).starts_with("Customer pyramid"));
    let bad = run(&["--lang", "fr"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--lang"), "{}", stderr(&bad));
}

#[test]
fn json_and_csv_do_not_depend_on_the_language() {
    for format in ["json", "csv"] {
        let en = run(&["--format", format, "--lang", "en"]);
        let nl = run(&["--format", format, "--lang", "nl"]);
        assert!(en.status.success() && nl.status.success());
        assert_eq!(en.stdout, nl.stdout, "{format}");
    }
}

//! Every `--format json` output, run on the shipped example data, is valid
//! against its JSON Schema in `docs/schema/`, the contract for other tools.

use std::path::PathBuf;

use crate::util::{crm, data, stderr, stdout};

/// The committed schema `docs/schema/{name}.schema.json`.
fn schema(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema")
        .join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `crm args` (file arguments named `@file` are the shipped data),
/// and validates its JSON against the schema `name`.
fn check(name: &str, args: &[&str]) {
    let args: Vec<String> = args
        .iter()
        .map(|a| match a.strip_prefix('@') {
            Some(file) => data(file).display().to_string(),
            None => (*a).to_string(),
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crm(&args);
    assert!(out.status.success(), "crm {args:?}: {}", stderr(&out));
    validate(name, &stdout(&out));
}

fn validate(name: &str, text: &str) {
    let schema = schema(name);
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{name}.schema.json is not a valid schema: {e}"));
    let doc: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    // Money, shares and counts are never JSON floats.
    let floats = crate::library_json::floats_outside_statistics(&doc);
    assert!(
        floats.is_empty(),
        "{name}: numbers with a fraction outside the statistic keys of docs/json.md:\n{}",
        floats
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const T: &str = "--transactions";

#[test]
fn pyramid() {
    let base = [
        "pyramid",
        T,
        "@transactions.csv",
        "--customers",
        "@customers.csv",
        "--interactions",
        "@interactions.csv",
        "--period",
        "2025",
        "--format",
        "json",
    ];
    check("pyramid", &base);
    check("pyramid", &[&base[..], &["--assignments"]].concat());
}

#[test]
fn migration() {
    let base = [
        "migration",
        T,
        "@transactions.csv",
        "--customers",
        "@customers.csv",
        "--from",
        "2024",
        "--to",
        "2025",
        "--format",
        "json",
    ];
    check("migration", &base);
    check("migration", &[&base[..], &["--risk"]].concat());
}

#[test]
fn migration_series() {
    check(
        "migration-series",
        &[
            "migration",
            T,
            "@transactions.csv",
            "--periods",
            "2021..2025",
            "--project",
            "3",
            "--format",
            "json",
        ],
    );
}

#[test]
fn value() {
    check(
        "value-rfm",
        &[
            "value",
            "rfm",
            T,
            "@transactions.csv",
            "--as-of",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
    check(
        "value-profit",
        &[
            "value",
            "profit",
            T,
            "@transactions.csv",
            "--interactions",
            "@interactions.csv",
            "--period",
            "2025",
            "--format",
            "json",
        ],
    );
    check(
        "value-wallet",
        &[
            "value",
            "wallet",
            T,
            "@transactions.csv",
            "--customers",
            "@customers.csv",
            "--period",
            "2025",
            "--format",
            "json",
        ],
    );
    let risk = [
        "value",
        "risk",
        T,
        "@transactions.csv",
        "--period",
        "2025",
        "--format",
        "json",
    ];
    check("value-risk", &risk);
    check(
        "value-risk",
        &[&risk[..], &["--p-alive-model", "bg-nbd"]].concat(),
    );
}

#[test]
fn clv() {
    let fit = |model| {
        [
            "clv",
            "fit",
            "--model",
            model,
            T,
            "@transactions.csv",
            "--calibration-end",
            "2025-01-01",
            "--format",
            "json",
        ]
    };
    check("clv-fit", &fit("bg-nbd"));
    check("clv-fit", &fit("gamma-gamma"));
    // Pareto/NBD needs a little penalty to converge on the shipped data.
    check(
        "clv-fit",
        &[&fit("pareto-nbd")[..], &["--penalizer", "0.01"]].concat(),
    );
    let predict = |model| {
        [
            "clv",
            "predict",
            "--model",
            model,
            T,
            "@transactions.csv",
            "--calibration-end",
            "2025-01-01",
            "--format",
            "json",
        ]
    };
    check("clv-predict", &predict("bg-nbd"));
    check("clv-predict", &predict("mbg-nbd"));
    // With lifetime values (the CDNOW sample's spend fits Gamma-Gamma).
    check(
        "clv-predict",
        &[
            "clv",
            "predict",
            "--model",
            "bg-nbd",
            T,
            "@cdnow_transactions.csv",
            "--calibration-end",
            "1997-10-01",
            "--months",
            "12",
            "--discount",
            "0.01",
            "--format",
            "json",
        ],
    );
    // BG/BB from a summary file: P(alive) at the next opportunity.
    let bg_bb = |what| {
        [
            "clv",
            what,
            "--model",
            "bg-bb",
            "--summary",
            "@donations.csv",
            "--format",
            "json",
        ]
    };
    check("clv-fit", &bg_bb("fit"));
    check("clv-predict", &bg_bb("predict"));
    check(
        "clv-check",
        &[
            "clv",
            "check",
            "--model",
            "bg-nbd",
            T,
            "@transactions.csv",
            "--calibration-end",
            "2024-07-01",
            "--observation-end",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
}

#[test]
fn actions_and_winback() {
    check(
        "actions",
        &[
            "actions",
            T,
            "@transactions.csv",
            "--customers",
            "@customers.csv",
            "--interactions",
            "@interactions.csv",
            "--period",
            "2025",
            "--format",
            "json",
        ],
    );
    let actions = [
        "actions",
        T,
        "@transactions.csv",
        "--customers",
        "@customers.csv",
        "--interactions",
        "@interactions.csv",
        "--period",
        "2025",
        "--format",
        "json",
    ];
    let dir = tempfile::tempdir().unwrap();
    let control = dir.path().join("control.csv").display().to_string();
    let target = [
        "--channel",
        "phone",
        "--campaign",
        "summer",
        "--control",
        "10%",
        "--control-out",
        &control,
    ];
    check(
        "actions-target-list",
        &[&actions[..], &["--channel", "email"]].concat(),
    );
    check("actions-target-list", &[&actions[..], &target[..]].concat());
    check(
        "actions-explain",
        &[&actions[..], &["--explain", "C0000026"]].concat(),
    );
    check(
        "actions-explain",
        &[&actions[..], &["--explain", "C0000026"], &target[..]].concat(),
    );
    check(
        "winback",
        &[
            "winback",
            T,
            "@transactions.csv",
            "--periods",
            "2021..2025",
            "--format",
            "json",
        ],
    );
}

#[test]
fn operational_measures() {
    let funnel = [
        "funnel",
        T,
        "@transactions.csv",
        "--customers",
        "@customers.csv",
        "--leads",
        "@leads.csv",
        "--period",
        "2025",
        "--format",
        "json",
    ];
    check("funnel", &funnel);
    check("funnel", &[&funnel[..], &["--by", "source"]].concat());
    check(
        "complaints",
        &[
            "complaints",
            T,
            "@transactions.csv",
            "--interactions",
            "@interactions.csv",
            "--period",
            "2024",
            "--format",
            "json",
        ],
    );
    check(
        "campaign-measure",
        &[
            "campaign",
            "measure",
            T,
            "@transactions.csv",
            "--interactions",
            "@interactions.csv",
            "--campaign",
            "spring-2025",
            "--control-file",
            "@campaign_control.csv",
            "--format",
            "json",
        ],
    );
    check(
        "scorecard",
        &[
            "scorecard",
            T,
            "@transactions.csv",
            "--customers",
            "@customers.csv",
            "--interactions",
            "@interactions.csv",
            "--period",
            "2025",
            "--format",
            "json",
        ],
    );
}

#[test]
fn export_customer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db");
    let db = db.to_str().unwrap();
    check_ok(&[
        "import",
        "--db",
        db,
        "--customers",
        &data("customers.csv").display().to_string(),
        "--interactions",
        &data("interactions.csv").display().to_string(),
        "--leads",
        &data("leads.csv").display().to_string(),
        "--transactions",
        &data("transactions.csv").display().to_string(),
    ]);
    // A customer with purchases, complaints and consent, and a prospect
    // with leads.
    for key in ["C0000026", "P0000528"] {
        let out = crm(&["export-customer", "--db", db, key]);
        assert!(out.status.success(), "{}", stderr(&out));
        validate("export-customer", &stdout(&out));
    }
}

fn check_ok(args: &[&str]) {
    let out = crm(args);
    assert!(out.status.success(), "crm {args:?}: {}", stderr(&out));
}

/// The schemas are strict: an output with a field the schema does not
/// know, or a decimal written with a trailing zero, is refused.
#[test]
fn the_schemas_refuse_what_the_contract_does_not_allow() {
    let out = crm(&[
        "complaints",
        T,
        &data("transactions.csv").display().to_string(),
        "--interactions",
        &data("interactions.csv").display().to_string(),
        "--period",
        "2024",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let validator = jsonschema::validator_for(&schema("complaints")).unwrap();
    assert!(validator.is_valid(&doc));
    let mut extra = doc.clone();
    extra["surprise"] = serde_json::json!(1);
    assert!(!validator.is_valid(&extra));
    let mut unnormalised = doc.clone();
    unnormalised["by_level"][0]["value"] = serde_json::json!("39713.10");
    assert!(!validator.is_valid(&unnormalised));
    let mut float_count = doc;
    float_count["received"] = serde_json::json!(55.5);
    assert!(!validator.is_valid(&float_count));
}

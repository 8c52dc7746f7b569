//! The JSON rule, checked mechanically on what an integrator gets: every
//! result type built through the library from the shipped example data is
//! serialised and walked, and a number with a fraction is allowed only
//! under a key that `docs/json.md` lists as a statistic (money, shares
//! and counts never are). The library types that the funnel and
//! migration-series schemas describe validate against those schemas'
//! `$defs`, and the types that read JSON read back what they wrote. The
//! same walk runs on every command's output (`schema.rs`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use crm::csv::{ImportOptions, read_customers, read_interactions, read_transactions};
use crm::pyramid::{Pyramid, PyramidOptions, PyramidReport, pyramid};
use crm::{Ledger, LedgerOptions, NaiveDate, Period};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::util::data;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The keys listed under `## Statistic keys` in `docs/json.md`.
pub fn statistic_keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("docs/json.md")).unwrap();
    let section = text
        .split("## Statistic keys")
        .nth(1)
        .expect("docs/json.md has a section `## Statistic keys`");
    let section = section.split("\n## ").next().unwrap_or(section);
    // The list's items, after the paragraph that introduces them.
    let list: String = section
        .lines()
        .skip_while(|l| !l.starts_with("- "))
        .collect::<Vec<_>>()
        .join("\n");
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The paths of the numbers with a fraction (or written as floats) that
/// are not under a statistic key. A fact's value is judged by the fact's
/// name (`{"fact": "overdue_ratio", "value": 16.42}`).
pub fn floats_outside_statistics(doc: &Value) -> Vec<String> {
    let stats = statistic_keys();
    let mut out = Vec::new();
    walk(doc, None, "$".into(), &stats, &mut out);
    out
}

fn walk(
    v: &Value,
    key: Option<&str>,
    path: String,
    stats: &BTreeSet<String>,
    out: &mut Vec<String>,
) {
    match v {
        Value::Object(map) => {
            let fact = map.get("fact").and_then(Value::as_str);
            for (k, x) in map {
                let key = match (k.as_str(), fact) {
                    ("value", Some(f)) => f,
                    _ => k.as_str(),
                };
                walk(x, Some(key), format!("{path}.{k}"), stats, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                walk(x, key, format!("{path}[{i}]"), stats, out);
            }
        }
        Value::Number(n) if n.is_f64() && !key.is_some_and(|k| stats.contains(k)) => {
            out.push(format!("{path} = {n}"));
        }
        _ => {}
    }
}

fn assert_no_float_money<T: Serialize>(what: &str, x: &T) -> Value {
    let v = serde_json::to_value(x).unwrap_or_else(|e| panic!("{what}: {e}"));
    let bad = floats_outside_statistics(&v);
    assert!(
        bad.is_empty(),
        "{what}: numbers with a fraction outside the statistic keys of docs/json.md:\n{}",
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    v
}

fn round_trips<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(what: &str, x: &T) {
    let json = serde_json::to_string(x).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(&back, x, "{what}");
}

/// Validates `doc` against `$defs/{def}` of `docs/schema/{name}.schema.json`.
fn validate_def(name: &str, def: &str, doc: &Value) {
    let path = root().join(format!("docs/schema/{name}.schema.json"));
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        schema["$defs"][def].is_object(),
        "{name}.schema.json has no $defs/{def}"
    );
    // The same document with its root replaced by a reference to the
    // library type's definition.
    let defs = schema["$defs"].take();
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{def}"),
        "$defs": defs,
    });
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}#/$defs/{def}: {}",
        errors.join("\n")
    );
}

struct Data {
    ledger: Ledger,
    years: Vec<Period>,
    pyramids: Vec<Pyramid>,
    register: Vec<crm::Customer>,
}

/// The shipped example data, 2021 to 2025, newest pyramid last.
fn load() -> Data {
    let years: Vec<Period> = (2021..=2025).map(|y| Period::year(y).unwrap()).collect();
    let mut ledger = Ledger::with_options(
        years
            .iter()
            .copied()
            .chain([crm::value::rfm_period(as_of()).unwrap()]),
        LedgerOptions::new().purchase_days(true),
    );
    let o = ImportOptions::new();
    read_customers(data("customers.csv"), &o, &mut ledger).unwrap();
    read_interactions(data("interactions.csv"), &o, &mut ledger).unwrap();
    read_transactions(data("transactions.csv"), &o, &mut ledger).unwrap();
    let path = data("customers.csv");
    let register = crm::csv::customers(std::fs::File::open(&path).unwrap(), &path, &o)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let pyramids = years
        .iter()
        .map(|y| pyramid(&ledger, y, &PyramidOptions::new()).unwrap())
        .collect();
    Data {
        ledger,
        years,
        pyramids,
        register,
    }
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

#[test]
fn library_results_follow_the_json_rule() {
    let d = load();
    let (before, now) = (&d.pyramids[3], &d.pyramids[4]);
    let l = &d.ledger;

    // The pyramid, its report and the customers' places.
    let py = assert_no_float_money("Pyramid", now);
    let report = PyramidReport::new(now, Some(before));
    let rep = assert_no_float_money("PyramidReport", &report);
    round_trips("PyramidReport", &report);
    assert_no_float_money(
        "assignments",
        &now.assignments(l).unwrap().collect::<Vec<_>>(),
    );
    // One share, one text: the Pareto figure through three types.
    let card = crm::ops::scorecard(l, &crm::ops::ScorecardInputs::new(now), None).unwrap();
    let sc = assert_no_float_money("Scorecard", &card);
    let top20 = sc["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "top20-revenue-share")
        .unwrap()["value"]
        .clone();
    assert!(py["pareto"].is_string(), "{}", py["pareto"]);
    assert_eq!(py["pareto"], rep["pareto"]);
    assert_eq!(py["pareto"], top20);

    // Migration, its series (with the library schema) and the risk list.
    let m = crm::migration::Migration::between(l, before, now).unwrap();
    assert_no_float_money("Migration", &m);
    let series = crm::migration::series(l, &d.years, &PyramidOptions::new()).unwrap();
    let s = assert_no_float_money("MigrationSeries", &series);
    assert!(
        s["value"].as_array().unwrap().iter().all(Value::is_string),
        "{}",
        s["value"]
    );
    validate_def("migration-series", "migration_series", &s);
    let risk = crm::migration::risk_list(l, before, now).unwrap();
    assert_no_float_money("risk list", &risk);

    // Value.
    let rfm = crm::value::rfm(l, as_of(), &crm::value::RfmOptions::new()).unwrap();
    assert_no_float_money("Rfm", &rfm);
    round_trips("RfmOptions", &crm::value::RfmOptions::new());
    let interactions: Vec<crm::Interaction> = {
        let path = data("interactions.csv");
        crm::csv::interactions(
            std::fs::File::open(&path).unwrap(),
            &path,
            &ImportOptions::new(),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let profit = crm::value::profitability(
        l,
        now.period(),
        &crm::value::CostTable::default(),
        interactions,
        &now.options().cuts,
    )
    .unwrap();
    assert_no_float_money("Profitability", &profit);
    let potentials: std::collections::HashMap<String, crm::Money> = d
        .register
        .iter()
        .filter_map(|c| Some((c.key.as_str().to_string(), c.potential?)))
        .collect();
    let wallet = crm::value::share_of_wallet(l, now, |k| potentials.get(k).copied()).unwrap();
    assert_no_float_money("Wallet", &wallet);
    round_trips("Wallet", &wallet);
    let at_risk = crm::value::risk(l, before, now, &crm::value::RiskOptions::default(), |_| {
        None
    })
    .unwrap();
    assert_no_float_money("value risk", &at_risk);
    round_trips("value risk", &at_risk);
    let e = crm::value::retention_economics(&crm::value::RetentionInputs::default()).unwrap();
    assert_no_float_money("RetentionEconomics", &e);
    round_trips("RetentionEconomics", &e);
    round_trips("RetentionInputs", &crm::value::RetentionInputs::default());

    // Operations: the funnel and the acquisition rates with their library
    // schemas, complaints.
    let leads: Vec<crm::Lead> = {
        let path = data("leads.csv");
        crm::csv::leads(
            std::fs::File::open(&path).unwrap(),
            &path,
            &ImportOptions::new(),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let f = crm::ops::funnel(
        &leads,
        l,
        &d.pyramids,
        now.period(),
        &crm::ops::FunnelOptions::default(),
    )
    .unwrap();
    let fj = assert_no_float_money("Funnel", &f);
    validate_def("funnel", "funnel", &fj);
    let rates = crm::ops::acquisition_rates(&m);
    let rj = assert_no_float_money("AcquisitionRates", &rates);
    validate_def("funnel", "acquisition_rates", &rj);
    round_trips("AcquisitionRates", &rates);
    let c = crm::ops::complaints(l, before, Some(now), &crm::ops::ComplaintOptions::new()).unwrap();
    assert_no_float_money("ComplaintReport", &c);
    round_trips("ComplaintReport", &c);

    // Strategy: the plan, an explanation's facts, win-back.
    let facts = crm::strategy::FactsBuilder::new(l, now)
        .history(&d.pyramids[..4])
        .register(&d.register)
        .build()
        .unwrap();
    let planned = crm::strategy::plan(&facts, &crm::strategy::Rulebook::curry());
    assert_no_float_money("strategy Plan", &planned);
    let wb = crm::strategy::winback(l, &d.pyramids).unwrap();
    assert_no_float_money("WinBack", &wb);
    round_trips("WinBack", &wb);
    for key in ["C0000026", "C0000001", "C0000100"] {
        let Ok(k) = crm::CustomerKey::new(key) else {
            continue;
        };
        if let Some(fs) = facts.get(&k) {
            for fact in crm::strategy::Fact::ALL {
                let v = serde_json::json!({ "fact": fact.name(), "value": fs.get(*fact) });
                let bad = floats_outside_statistics(&v);
                assert!(bad.is_empty(), "fact {}: {bad:?}", fact.name());
            }
        }
    }
}

/// The walk catches what it is for: money or a share as a float, a count
/// written as a float.
#[test]
fn the_walk_refuses_float_money_and_shares() {
    let ok = serde_json::json!({"value": "12.5", "customers": 3, "p_alive": 0.25,
        "because": [{"fact": "overdue_ratio", "value": 1.5}]});
    assert!(floats_outside_statistics(&ok).is_empty());
    for bad in [
        serde_json::json!({"value": 12.5}),
        serde_json::json!({"levels": [{"share_of_customers": 0.25}]}),
        serde_json::json!({"received": 55.0}),
        serde_json::json!({"because": [{"fact": "former_margin", "value": 148.7}]}),
    ] {
        assert_eq!(floats_outside_statistics(&bad).len(), 1, "{bad}");
    }
    assert!(statistic_keys().contains("p_alive"));
    assert!(!statistic_keys().contains("value"));
}

use serde_json::Value;

use crate::util::{assert_contains_all, crm, data, stderr, stdout};

fn s(p: std::path::PathBuf) -> String {
    p.display().to_string()
}

#[test]
fn rfm_outputs() {
    let t = s(data("transactions.csv"));
    let o = crm(&[
        "value",
        "rfm",
        "--transactions",
        &t,
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let scores = v["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 2000);
    assert!(
        scores
            .iter()
            .all(|x| (1..=5).contains(&x["r"].as_u64().unwrap()))
    );
    assert_eq!(v["segments"].as_array().unwrap().len(), 11);
    for format in ["table", "csv"] {
        let o = crm(&[
            "value",
            "rfm",
            "--transactions",
            &t,
            "--as-of",
            "2026-01-01",
            "--format",
            format,
        ]);
        assert!(o.status.success(), "{format}");
    }
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("segments.toml");
    std::fs::write(
        &rules,
        "[[segment]]\nname = \"recent\"\nr = [4, 5]\nf = [1, 5]\n",
    )
    .unwrap();
    let o = crm(&[
        "value",
        "rfm",
        "--transactions",
        &t,
        "--as-of",
        "2026-01-01",
        "--segments",
        &s(rules),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["segment"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["recent", "other"]);
}

#[test]
fn profit_with_costs_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let costs = dir.path().join("costs.json");
    std::fs::write(
        &costs,
        r#"{"handling_per_order": "15", "interactions": {"visit": "150", "call": "20"}}"#,
    )
    .unwrap();
    let svg = dir.path().join("whale.svg");
    let (t, i) = (s(data("transactions.csv")), s(data("interactions.csv")));
    let o = crm(&[
        "value",
        "profit",
        "--transactions",
        &t,
        "--interactions",
        &i,
        "--period",
        "2025",
        "--costs",
        &s(costs.clone()),
        "--svg",
        &s(svg.clone()),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let points = v["whale"]["points"].as_array().unwrap();
    let last = points.last().unwrap();
    // Shares are decimal strings.
    let share = |v: &Value| -> f64 { v.as_str().unwrap().parse().unwrap() };
    assert_eq!(last["customers"], "1");
    assert!((share(&last["profit"]) - 1.0).abs() < 1e-9);
    assert!(share(&v["whale"]["peak"]) >= 1.0);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let o = crm(&[
        "value",
        "profit",
        "--transactions",
        &t,
        "--interactions",
        &i,
        "--period",
        "2025",
    ]);
    assert!(stdout(&o).contains("100% of customers"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("interaction costs: ") && stdout(&o).contains(" recorded, "),
        "{}",
        stdout(&o)
    );
    // Without a cost table the recorded costs are the cost to serve; with
    // --ignore-recorded-costs (the former default) profit is the margin.
    let totals = |extra: &[&str]| {
        let mut args = vec![
            "value",
            "profit",
            "--transactions",
            &t,
            "--interactions",
            &i,
            "--period",
            "2025",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = crm(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let sum = |k: &str| -> f64 {
            v["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c[k].as_str().unwrap().parse::<f64>().unwrap())
                .sum()
        };
        (
            sum("cost_to_serve"),
            sum("margin"),
            sum("profit"),
            v["costs"].clone(),
        )
    };
    let (cost, margin, profit, used) = totals(&[]);
    assert!(
        cost > 0.0 && used["recorded"].as_u64().unwrap() > 0,
        "{used}"
    );
    assert!((margin - cost - profit).abs() < 0.01);
    let (cost, margin, profit, used) = totals(&["--ignore-recorded-costs"]);
    assert_eq!(cost, 0.0);
    assert_eq!(used["recorded"], 0);
    assert!((margin - profit).abs() < 0.01);
    // Regression: a handling cost at the top of the range on several
    // orders panicked with exit 101; it is a data error naming the figure.
    std::fs::write(
        &costs,
        r#"{"handling_per_order": "79228162514264337593543950335"}"#,
    )
    .unwrap();
    let o = crm(&[
        "value",
        "profit",
        "--transactions",
        &t,
        "--period",
        "2025",
        "--costs",
        &s(costs.clone()),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("amount overflow: the handling cost of customer"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&costs, r#"{"handling": "15"}"#).unwrap();
    let o = crm(&[
        "value",
        "profit",
        "--transactions",
        &t,
        "--period",
        "2025",
        "--costs",
        &s(costs),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown field `handling`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn wallet_and_risk() {
    let (t, c) = (s(data("transactions.csv")), s(data("customers.csv")));
    let o = crm(&[
        "value",
        "wallet",
        "--transactions",
        &t,
        "--customers",
        &c,
        "--period",
        "2025",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["shares"].as_array().unwrap().iter().all(|x| x["share"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            >= 0.0)
    );
    let develop = v["develop"].as_array().unwrap();
    assert!(
        develop
            .iter()
            .all(|x| x["level"] == "small" || x["level"] == "medium")
    );
    // Ranked by share of wallet, lowest first, by default; by room with
    // --develop-by room. A calendar year is twelve months of potential.
    let num = |x: &Value, k: &str| x[k].as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(v["develop_by"], "share");
    assert_eq!(v["months"], "12");
    assert!(develop.len() > 10);
    assert!(
        develop
            .windows(2)
            .all(|w| num(&w[0], "share") <= num(&w[1], "share"))
    );
    let by_room = crm(&[
        "value",
        "wallet",
        "--transactions",
        &t,
        "--customers",
        &c,
        "--period",
        "2025",
        "--develop-by",
        "room",
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_str(&stdout(&by_room)).unwrap();
    let develop_r = r["develop"].as_array().unwrap();
    assert_eq!(r["develop_by"], "room");
    assert!(
        develop_r
            .windows(2)
            .all(|w| num(&w[0], "room") >= num(&w[1], "room"))
    );
    assert_eq!(develop_r.len(), develop.len());
    assert_ne!(develop_r[0]["customer"], develop[0]["customer"]);
    let o = crm(&["value", "wallet", "--transactions", &t, "--period", "2025"]);
    assert_eq!(o.status.code(), Some(2));

    let o = crm(&[
        "value",
        "risk",
        "--transactions",
        &t,
        "--period",
        "2025",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let list = v.as_array().unwrap();
    assert!(!list.is_empty());
    assert!(
        list.iter()
            .all(|x| !x["signals"].as_array().unwrap().is_empty())
    );
    let o = crm(&[
        "value",
        "risk",
        "--transactions",
        &t,
        "--period",
        "2025",
        "--value-drop",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// `crm value` with the given subcommand and arguments on the shipped
/// data, in `lang`.
fn value_in(lang: &str, args: &[&str]) -> String {
    let args = [&["value"][..], args, &["--lang", lang]].concat();
    let o = crm(&args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn value_tables_in_dutch() {
    let t = s(data("transactions.csv"));
    let c = s(data("customers.csv"));
    let i = s(data("interactions.csv"));
    let rfm = value_in(
        "nl",
        &["rfm", "--transactions", &t, "--as-of", "2026-01-01"],
    );
    assert!(rfm.starts_with("RFM op 2026-01-01: 2.000 klanten"), "{rfm}");
    assert_contains_all(&rfm, &["kampioenen", "aandeel", "11,0%"]);
    let profit = value_in(
        "nl",
        &[
            "profit",
            "--transactions",
            &t,
            "--interactions",
            &i,
            "--period",
            "2025",
        ],
    );
    assert!(profit.starts_with("Winstgevendheid 2025"), "{profit}");
    assert_contains_all(
        &profit,
        &[
            "1.744 klanten bediend",
            "winstpiramide",
            "Groot",
            "geen winst",
            "totale winst 638.896,19",
            "184.655,79",
            "100% van de klanten",
        ],
    );
    let wallet = value_in(
        "nl",
        &[
            "wallet",
            "--transactions",
            &t,
            "--customers",
            &c,
            "--period",
            "2025",
        ],
    );
    assert_contains_all(
        &wallet,
        &[
            "1.377 actieve klanten met een potentieel",
            "opbouwen: klant",
            "Klein",
            "7.254,40",
            "1,3%",
        ],
    );
    let risk = value_in(
        "nl",
        &[
            "risk",
            "--transactions",
            &t,
            "--period",
            "2025",
            "--p-alive-model",
            "bg-nbd",
        ],
    );
    assert_contains_all(
        &risk,
        &[
            "Risico 2025",
            "actieve klanten met een signaal",
            "niveau gezakt",
            "(onder 0,3)",
            "146.649,56",
            "dagen (gewoonlijk",
        ],
    );
    // No English left in the Dutch tables; the English ones unchanged.
    for (dutch, english) in [
        (&rfm, "customers with a purchase"),
        (&profit, "total profit"),
    ] {
        assert!(!dutch.contains(english), "{dutch}");
    }
    let en = value_in(
        "en",
        &["rfm", "--transactions", &t, "--as-of", "2026-01-01"],
    );
    assert!(
        en.starts_with("RFM as of 2026-01-01: 2000 customers"),
        "{en}"
    );
    assert!(en.contains("champions") && en.contains("11.0%"), "{en}");
}

#[test]
fn value_json_and_csv_do_not_depend_on_the_language() {
    let t = s(data("transactions.csv"));
    for format in ["json", "csv"] {
        let args = [
            "rfm",
            "--transactions",
            &t,
            "--as-of",
            "2026-01-01",
            "--format",
            format,
        ];
        assert_eq!(value_in("en", &args), value_in("nl", &args), "{format}");
    }
}

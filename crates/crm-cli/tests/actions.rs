//! `crm actions` and `crm winback` on the shipped example data.

use serde_json::Value;

use crate::util::{assert_contains_all, crm, data, stderr, stdout};

fn inputs() -> Vec<String> {
    vec![
        "--transactions".into(),
        data("transactions.csv").display().to_string(),
        "--customers".into(),
        data("customers.csv").display().to_string(),
        "--interactions".into(),
        data("interactions.csv").display().to_string(),
    ]
}

fn run(cmd: &str, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec![cmd.into()];
    args.extend(inputs());
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    crm(&refs)
}

fn json(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

#[test]
fn json_contract_and_the_database_gives_the_same_answer() {
    let v = json(&run("actions", &["--period", "2025", "--format", "json"]));
    assert_eq!(v["rulebook"]["name"], "curry-default");
    assert_eq!(v["rulebook"]["policy"], "best-priority");
    let actions = v["actions"].as_array().unwrap();
    assert!(!actions.is_empty());
    let first = &actions[0];
    for field in [
        "customer", "rule", "strategy", "priority", "id", "owner", "channel", "message", "because",
        "blocked",
    ] {
        assert!(first.get(field).is_some(), "no {field} in {first}");
    }
    assert_eq!(first["priority"], 1);
    // Days are whole numbers in JSON.
    let checks = first["because"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["value"].is_i64()), "{first}");
    // One action per customer under best priority; ids are unique.
    let mut ids: Vec<&str> = actions.iter().map(|a| a["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), actions.len());
    let by_strategy: u64 = v["summary"]["by_strategy"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_strategy, actions.len() as u64);
    // No action goes through a channel the register refuses.
    for a in actions {
        for b in a["blocked"].as_array().unwrap() {
            assert_ne!(b["channel"], a["channel"]);
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db").display().to_string();
    let mut args = vec!["import".to_string(), "--db".into(), db.clone()];
    args.extend(inputs());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = crm(&refs);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_db = json(&crm(&[
        "actions", "--db", &db, "--period", "2025", "--format", "json",
    ]));
    assert_eq!(from_db, v);
}

#[test]
fn explain_names_every_rule_with_its_verdict() {
    let v = json(&run(
        "actions",
        &[
            "--period",
            "2025",
            "--explain",
            "C0000229",
            "--format",
            "json",
        ],
    ));
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 12);
    let statuses: Vec<&str> = rules
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"fired"));
    assert!(statuses.contains(&"not_fired"));
    for r in rules {
        match r["status"].as_str().unwrap() {
            "not_fired" => assert!(!r["failed"].as_array().unwrap().is_empty(), "{r}"),
            "undecided" => assert!(!r["unknown"].as_array().unwrap().is_empty(), "{r}"),
            _ => assert!(!r["because"].as_array().unwrap().is_empty(), "{r}"),
        }
    }
    assert_eq!(rules.iter().filter(|r| r["acts"] == true).count(), 1);
    let o = run("actions", &["--period", "2025", "--explain", "nobody"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nobody"));
}

#[test]
fn a_target_list_with_a_control_group() {
    let dir = tempfile::tempdir().unwrap();
    let control = dir.path().join("control.csv");
    let args = [
        "--period",
        "2025",
        "--strategy",
        "develop",
        "--channel",
        "email",
        "--format",
        "csv",
        "--campaign",
        "spring",
        "--control",
        "10%",
        "--control-out",
        control.to_str().unwrap(),
    ];
    let o = run("actions", &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = stdout(&o);
    let held = std::fs::read_to_string(&control).unwrap();
    let rows = |s: &str| s.lines().skip(1).count();
    let (n, k) = (rows(&list), rows(&held));
    // Exactly 10% of the selected, rounded half up.
    assert_eq!(k, ((n + k) * 10 + 50) / 100, "{n} {k}");
    assert!(list.lines().skip(1).all(|l| l.contains(",email,")));
    let err = stderr(&o);
    assert!(
        err.contains("left out") && err.contains("no consent"),
        "{err}"
    );
    // The same campaign gives the same groups; another campaign others.
    let again = run("actions", &args);
    assert_eq!(stdout(&again), list);
    assert_eq!(std::fs::read_to_string(&control).unwrap(), held);
    let mut other = args.to_vec();
    other[9] = "autumn";
    let o = run("actions", &other);
    assert_ne!(std::fs::read_to_string(&control).unwrap(), held);
    assert!(o.status.success());
}

#[test]
fn declined_actions_are_not_proposed_again() {
    let v = json(&run("actions", &["--period", "2025", "--format", "json"]));
    let a = &v["actions"][0];
    let (customer, rule) = (a["customer"].as_str().unwrap(), a["rule"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outcomes.csv");
    std::fs::write(
        &file,
        format!("id,customer,rule,owner,status,date\n{},{customer},{rule},,declined,2025-12-01\n,C0000001,reactivate,,done,2025-11-01\n", a["id"].as_str().unwrap()),
    )
    .unwrap();
    let w = json(&run(
        "actions",
        &[
            "--period",
            "2025",
            "--format",
            "json",
            "--outcomes",
            file.to_str().unwrap(),
        ],
    ));
    assert_eq!(w["summary"]["left_out"]["declined recently"], 1);
    assert!(
        w["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| !(x["customer"] == customer && x["rule"] == rule))
    );
    assert_eq!(w["acceptance"]["by_rule"][rule]["declined"], 1);
    assert_eq!(w["acceptance"]["by_rule"]["reactivate"]["rate"], "1");
    // Stored by `crm import --outcomes`, the same outcomes give the same
    // answer from the database; importing them again adds nothing.
    let db = dir.path().join("crm.db").display().to_string();
    let mut args = vec!["import".to_string(), "--db".into(), db.clone()];
    args.extend(inputs());
    args.extend(["--outcomes".into(), file.display().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = crm(&refs);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("outcomes.csv: 2 rows: 2 new, 0 duplicate"),
        "{}",
        stdout(&o)
    );
    let o = crm(&["import", "--db", &db, "--outcomes", file.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("2 rows: 0 new, 2 duplicate"),
        "{}",
        stdout(&o)
    );
    let from_db = json(&crm(&[
        "actions", "--db", &db, "--period", "2025", "--format", "json",
    ]));
    assert_eq!(from_db, w);
    // --decline-days applies to the stored outcomes too.
    let short = json(&crm(&[
        "actions",
        "--db",
        &db,
        "--period",
        "2025",
        "--format",
        "json",
        "--decline-days",
        "10",
    ]));
    assert!(
        short["summary"]["left_out"]
            .get("declined recently")
            .is_none()
    );
    // An earlier period does not see outcomes dated after it.
    let earlier = json(&crm(&[
        "actions", "--db", &db, "--period", "2024", "--format", "json",
    ]));
    assert!(
        earlier.get("acceptance").is_none(),
        "{}",
        earlier["acceptance"]
    );
    // The customer's export holds their outcomes.
    let e = crm(&["export-customer", "--db", &db, customer]);
    let e: Value = serde_json::from_str(&stdout(&e)).unwrap();
    assert_eq!(e["outcomes"][0]["rule"], rule, "{e}");
    // A decline older than --decline-days no longer counts.
    let w = json(&run(
        "actions",
        &[
            "--period",
            "2025",
            "--format",
            "json",
            "--outcomes",
            file.to_str().unwrap(),
            "--decline-days",
            "10",
        ],
    ));
    assert!(w["summary"]["left_out"].get("declined recently").is_none());
    std::fs::write(&file, "customer,rule,status,date\nC1,r,maybe,2025-01-01\n").unwrap();
    let o = run(
        "actions",
        &["--period", "2025", "--outcomes", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("outcomes.csv:2: column 3 (status): bad value \"maybe\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_default_rules_print_and_a_bad_rulebook_lists_every_problem() {
    let o = crm(&["actions", "--print-default-rules"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("name = \"retain-top-big\""));
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        text.replace(
            "\"days_since_contact\", gt = 30",
            "\"days_since_contcat\", gt = 30",
        )
        .replace("channels = [\"email\"]", "channels = [\"mail\"]"),
    )
    .unwrap();
    let o = run(
        "actions",
        &["--period", "2025", "--rules", rules.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    // A heading, then one problem a line as `file:line:column: message`.
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("crm: error: ") && lines[0].ends_with("2 problems in the rulebook"),
        "{err}"
    );
    let name = rules.display().to_string();
    assert_eq!(
        lines[1],
        format!(
            "{name}:27:12: unknown fact `days_since_contcat` (did you mean `days_since_contact`?)"
        )
    );
    assert!(
        lines[2].starts_with(&format!("{name}:163:13: unknown channel `mail`")),
        "{err}"
    );
    // A file that is not UTF-8 is refused at its first invalid byte.
    let mut bytes = b"name = \"x\"\npolicy = \"caf".to_vec();
    bytes.extend_from_slice(&[0xE9, b'"', b'\n']);
    std::fs::write(&rules, bytes).unwrap();
    let o = run(
        "actions",
        &["--period", "2025", "--rules", rules.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "\n{name}:2:14: not UTF-8 text: byte 0xE9 at offset 24"
        )),
        "{err}"
    );
    // The printed rules read back as the default.
    std::fs::write(&rules, stdout(&crm(&["actions", "--print-default-rules"]))).unwrap();
    let a = run(
        "actions",
        &[
            "--period",
            "2025",
            "--format",
            "json",
            "--rules",
            rules.to_str().unwrap(),
        ],
    );
    let b = run("actions", &["--period", "2025", "--format", "json"]);
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn winback_ranks_former_customers() {
    let v = json(&run(
        "winback",
        &["--periods", "2021..2025", "--format", "json"],
    ));
    let rates = v["rates"].as_array().unwrap();
    assert!(!rates.is_empty());
    for r in rates {
        let n = r["customers"].as_u64().unwrap();
        assert!(r["reactivated"].as_u64().unwrap() <= n);
        assert_eq!(r["small_cell"], n < 30);
    }
    let former = v["former"].as_array().unwrap();
    // Every rate comes with the count of former customers behind it.
    for f in former {
        let cell = f["cell_customers"].as_u64().unwrap();
        let rate = rates
            .iter()
            .find(|r| r["best_level"] == f["best_level"] && r["lapsed"] == f["lapsed"]);
        assert_eq!(cell, rate.map_or(0, |r| r["customers"].as_u64().unwrap()));
        assert_eq!(f["small_cell"], f["rate"].is_string() && cell < 30);
    }
    let table = stdout(&run("winback", &["--periods", "2021..2025"]));
    assert!(table.contains("cell"), "{table}");
    if rates.iter().any(|r| r["small_cell"] == true) {
        assert!(table.contains("%*"), "{table}");
        assert!(
            table.contains("* fewer than 30 former customers"),
            "{table}"
        );
    }
    let margins: Vec<f64> = former
        .iter()
        .filter_map(|f| f["expected_margin"].as_str())
        .map(|m| m.parse().unwrap())
        .collect();
    assert!(margins.windows(2).all(|w| w[0] >= w[1]));
    let o = run("winback", &["--periods", "2025"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unbounded_numbers_are_usage_errors() {
    for extra in [["--decline-days", "4294967295"], ["--history", "50000"]] {
        let mut args = vec!["--period", "2025"];
        args.extend(extra);
        let o = run("actions", &args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
    }
}

#[test]
fn explain_honours_the_format_and_the_channel() {
    let explain = |extra: &[&str]| {
        let mut args = vec!["--period", "2025", "--explain", "C0000229"];
        args.extend_from_slice(extra);
        run("actions", &args)
    };
    // CSV: one row a rule.
    let o = explain(&["--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "customer,rule,strategy,priority,status,acts,because,failed,unknown,placement,reason,suppressed"
        )
    );
    assert_eq!(lines.count(), 12, "{text}");
    // With a channel: where the customer stands on that list, in every
    // format.
    let v = json(&explain(&["--format", "json", "--channel", "email"]));
    assert_eq!(v["rules"].as_array().unwrap().len(), 12);
    assert_eq!(v["target"]["channel"], "email");
    let placement = v["target"]["placement"].as_str().unwrap().to_string();
    assert!(
        ["selected", "control", "left_out", "no_action"].contains(&placement.as_str()),
        "{v}"
    );
    assert_eq!(v["target"]["reason"].is_string(), placement == "left_out");
    // The list itself agrees.
    let list = json(&run(
        "actions",
        &["--period", "2025", "--format", "json", "--channel", "email"],
    ));
    let on = list["selected"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["customer"] == "C0000229");
    assert_eq!(on, placement == "selected");
    // Without --campaign the list has no campaign name (none leaks in).
    let o = explain(&["--channel", "email"]);
    assert!(stdout(&o).contains("On the email list: "), "{}", stdout(&o));
    assert!(!stdout(&o).contains("campaign"), "{}", stdout(&o));
    assert!(v["target"]["campaign"].is_null(), "{v}");
    let o = explain(&["--format", "csv", "--channel", "email"]);
    let text = stdout(&o);
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.contains(&format!(",{placement},"))),
        "{text}"
    );
}

#[test]
fn outcome_and_period_edges() {
    let dir = tempfile::tempdir().unwrap();
    // --decline-days means nothing without --outcomes.
    let o = run("actions", &["--period", "2025", "--decline-days", "10"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--outcomes"), "{}", stderr(&o));
    // An outcome dated after the period's end has not happened yet.
    let file = dir.path().join("outcomes.csv");
    std::fs::write(
        &file,
        "customer,rule,status,date\nC0000001,reactivate,done,2025-12-31\nC0000002,reactivate,declined,2026-01-01\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = run("actions", &["--period", "2025", "--outcomes", f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("outcomes.csv:3: column 4 (date): 2026-01-01 is after the end of the analysed period (the last day is 2025-12-31)"),
        "{}",
        stderr(&o)
    );
    // Lenient: skipped, reported and counted.
    let o = run(
        "actions",
        &[
            "--period",
            "2025",
            "--outcomes",
            f,
            "--lenient",
            "--format",
            "json",
        ],
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("crm: skipped: "), "{err}");
    assert!(err.contains("outcomes.csv:3: column 4 (date)"), "{err}");
    assert!(err.contains("skipped 1 rows in all"), "{err}");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["acceptance"]["by_rule"]["reactivate"]["outcomes"], 1);
    // With --rejects the skipped row goes to that file, as for every input.
    let rejects = dir.path().join("rejects.csv");
    let r = rejects.display().to_string();
    let o = run(
        "actions",
        &[
            "--period",
            "2025",
            "--outcomes",
            f,
            "--lenient",
            "--rejects",
            &r,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped 1 of 2 rows"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.contains("2026-01-01"), "{text}");
    // crm import counts a rejected outcome in its summary and writes it to
    // --rejects.
    let bad = dir.path().join("bad-outcomes.csv");
    std::fs::write(
        &bad,
        "customer,rule,status,date\nC0000001,reactivate,done,2025-12-31\nC0000002,reactivate,maybe,2025-12-01\n",
    )
    .unwrap();
    let db = dir.path().join("o.db").display().to_string();
    let r2 = dir.path().join("rejects2.csv").display().to_string();
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--outcomes",
        bad.to_str().unwrap(),
        "--lenient",
        "--rejects",
        &r2,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 rows: 1 new, 0 duplicate, 1 rejected"),
        "{}",
        stdout(&o)
    );
    assert!(std::fs::read_to_string(&r2).unwrap().contains("maybe"));
    // No date past 9999-12-31 is ever printed: such a period is refused.
    for period in ["9999", "9999-Q4", "9999-12"] {
        let o = run("actions", &["--period", period]);
        assert_eq!(o.status.code(), Some(2), "{period}");
        let err = stderr(&o);
        assert!(
            err.contains("9999-12-31") && !err.contains("10000"),
            "{err}"
        );
    }
    let o = run("actions", &["--period", "9998", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(r#""period":{"start":"9998-01-01","end":"9999-01-01"}"#),
        "{}",
        stdout(&o)
    );
    let o = run("winback", &["--periods", "9998..9999"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn p_alive_and_clv_facts_come_from_a_fitted_model() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("alive.toml");
    std::fs::write(
        &rules,
        r#"name = "alive"
policy = "all-matches"
[[rules]]
name = "fading"
when = { fact = "p_alive", lt = 0.5 }
strategy = "retain"
priority = 2
owner = "sales"
channels = ["phone"]
[[rules]]
name = "valuable"
when = { fact = "clv", gt = 0 }
strategy = "develop"
priority = 3
owner = "sales"
channels = ["visit"]
"#,
    )
    .unwrap();
    let r = rules.to_str().unwrap();
    let count = |v: &Value, rule: &str| {
        v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == rule)
            .count()
    };
    // Without a model the facts are unknown: nothing fires.
    let shipped = |extra: &[&str]| {
        let mut args = vec!["--period", "2025", "--rules", r, "--format", "json"];
        args.extend_from_slice(extra);
        run("actions", &args)
    };
    let v = json(&shipped(&[]));
    assert_eq!((count(&v, "fading"), count(&v, "valuable")), (0, 0));
    // With one, P(alive) is known; the value only with --clv-months.
    let v = json(&shipped(&["--p-alive-model", "bg-nbd"]));
    assert!(count(&v, "fading") > 0, "{}", v["summary"]);
    // Only the models that give P(alive) are offered.
    for model in ["bg-bb", "gamma-gamma"] {
        let o = shipped(&["--p-alive-model", model]);
        assert!(!o.status.success());
        assert!(
            stderr(&o).contains("possible values: bg-nbd, mbg-nbd, pareto-nbd"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(count(&v, "valuable"), 0);
    for a in v["actions"].as_array().unwrap() {
        assert!(a["because"][0]["value"].as_f64().unwrap() < 0.5, "{a}");
    }
    // On the shipped data Gamma-Gamma has no finite mean spend: the value
    // stays unknown, and stderr says for how many.
    let o = shipped(&["--p-alive-model", "mbg-nbd", "--clv-months", "12"]);
    assert!(stderr(&o).contains("clv unknown for "), "{}", stderr(&o));
    assert_eq!(count(&json(&o), "valuable"), 0);
    // On the CDNOW sample it has one: the value is known and rules on it
    // fire.
    let cdnow = data("cdnow_transactions.csv").display().to_string();
    let lifetime = |extra: &[&str]| {
        let mut args = vec![
            "actions",
            "--transactions",
            &cdnow,
            "--period",
            "1997",
            "--format",
            "json",
            "--p-alive-model",
            "bg-nbd",
            "--clv-months",
            "12",
        ];
        args.extend_from_slice(extra);
        json(&crm(&args))
    };
    let v = lifetime(&["--rules", r]);
    assert!(count(&v, "valuable") > 0, "{}", v["summary"]);
    let key = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "valuable")
        .map(|a| a["customer"].as_str().unwrap().to_string())
        .unwrap();
    let e = lifetime(&["--explain", &key]);
    assert!(e["facts"]["p_alive"].as_f64().is_some(), "{e}");
    // Money: a decimal string.
    let clv: f64 = e["facts"]["clv"].as_str().unwrap().parse().unwrap();
    assert!(clv > 0.0, "{e}");
    // --clv-months needs a model.
    let o = run("actions", &["--period", "2025", "--clv-months", "12"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_says_a_declined_rule_is_suppressed_by_which_outcome_and_until_when() {
    let v = json(&run("actions", &["--period", "2025", "--format", "json"]));
    let a = &v["actions"][0];
    let (customer, rule, id) = (
        a["customer"].as_str().unwrap(),
        a["rule"].as_str().unwrap(),
        a["id"].as_str().unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outcomes.csv");
    std::fs::write(
        &file,
        format!("id,customer,rule,status,date\n{id},{customer},{rule},declined,2025-12-01\n"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = run(
        "actions",
        &["--period", "2025", "--outcomes", f, "--explain", customer],
    );
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = out.lines().find(|l| l.contains(rule)).unwrap();
    assert!(line.contains("suppressed"), "{line}");
    assert!(!line.contains("fired, acts"), "{line}");
    // 90 days (the default window) after the decline.
    assert!(
        line.contains(&format!(
            "declined on 2025-12-01 (outcome {id}); not proposed again until 2026-03-01"
        )),
        "{line}"
    );
    let e = json(&run(
        "actions",
        &[
            "--period",
            "2025",
            "--outcomes",
            f,
            "--explain",
            customer,
            "--format",
            "json",
            "--decline-days",
            "31",
        ],
    ));
    let r = e["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap();
    assert_eq!(r["status"], "suppressed", "{r}");
    assert_eq!(r["acts"], false, "{r}");
    assert_eq!(r["suppressed"]["outcome"], id, "{r}");
    assert_eq!(r["suppressed"]["declined"], "2025-12-01", "{r}");
    assert_eq!(r["suppressed"]["until"], "2026-01-01", "{r}");
    // A decline outside the window suppresses nothing: the rule acts.
    let e = json(&run(
        "actions",
        &[
            "--period",
            "2025",
            "--outcomes",
            f,
            "--explain",
            customer,
            "--format",
            "json",
            "--decline-days",
            "30",
        ],
    ));
    let r = e["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap();
    assert_eq!(r["status"], "fired", "{r}");
    assert_eq!(r["acts"], true, "{r}");
}

#[test]
fn outcomes_naming_an_unknown_customer_or_rule_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outcomes.csv");
    std::fs::write(
        &file,
        "customer,rule,status,date\nC0000001,reactivate,done,2025-11-01\nNOBODY,reactivate,done,2025-11-01\nC0000001,no-such-rule,declined,2025-11-02\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    // Strict (the default): an error with the count and the lines.
    let o = run("actions", &["--period", "2025", "--outcomes", f]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("2 of 3 outcomes name a customer or a rule this run does not know"),
        "{err}"
    );
    assert!(
        err.contains("outcomes.csv:3: field customer: customer \"NOBODY\" is not in the data"),
        "{err}"
    );
    assert!(
        err.contains(
            "outcomes.csv:4: field rule: rule \"no-such-rule\" is not in the rulebook curry-default"
        ),
        "{err}"
    );
    // Lenient: skipped, each named, and counted; the rest is used.
    let o = run(
        "actions",
        &[
            "--period",
            "2025",
            "--outcomes",
            f,
            "--lenient",
            "--format",
            "json",
        ],
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("outcomes.csv:3: column 1 (customer)"), "{err}");
    assert!(err.contains("outcomes.csv:4: column 2 (rule)"), "{err}");
    assert!(err.contains("skipped 2 rows in all"), "{err}");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["acceptance"]["by_rule"]["reactivate"]["outcomes"], 1);

    // Stored in a database (which may hold outcomes of other rulebooks):
    // the strangers are not applied, and a warning counts them.
    let db = dir.path().join("o.db").display().to_string();
    let t = data("transactions.csv").display().to_string();
    let o = crm(&["import", "--db", &db, "--transactions", &t, "--outcomes", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = crm(&[
        "actions", "--db", &db, "--period", "2025", "--format", "json",
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: 2 of 3 stored outcomes name a customer not in the data or a rule not in the rulebook curry-default; they are not applied"),
        "{err}"
    );
    let stored: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(stored["acceptance"]["by_rule"]["reactivate"]["outcomes"], 1);
}

#[test]
fn outcome_dates_are_read_as_the_transactions_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outcomes.csv");
    let f = file.to_str().unwrap();
    let acceptance = |body: &str| {
        std::fs::write(&file, format!("customer,rule,status,date\n{body}")).unwrap();
        run(
            "actions",
            &["--period", "2025", "--outcomes", f, "--format", "json"],
        )
    };
    let iso = json(&acceptance("C0000001,reactivate,declined,2025-11-01\n"));
    for other in [
        "01.11.2025",
        "1/11/2025",
        "2025/11/01",
        "20251101",
        "2025-11-01T09:30",
    ] {
        let v = json(&acceptance(&format!(
            "C0000001,reactivate,declined,{other}\n"
        )));
        assert_eq!(v, iso, "{other}");
    }
    // A file with `;` between fields (as where a decimal comma is used) is
    // read as the other inputs are.
    std::fs::write(
        &file,
        "customer;rule;status;date\nC0000001;reactivate;declined;01-11-2025\n",
    )
    .unwrap();
    let semicolons = run(
        "actions",
        &["--period", "2025", "--outcomes", f, "--format", "json"],
    );
    assert_eq!(json(&semicolons), iso, "{}", stderr(&semicolons));
    let o = acceptance("C0000001,reactivate,declined,Nov 1 2025\n");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("outcomes.csv:2: column 4 (date): bad value \"Nov 1 2025\": expected a date like 2024-03-01, 01-03-2024, 1/3/2024 (day first) or 20240301"),
        "{err}"
    );
}

#[test]
fn periods_past_the_year_9999_are_refused_by_every_command() {
    let tx = data("transactions.csv").display().to_string();
    let cases: [&[&str]; 8] = [
        &["actions", "--period", "9999"],
        &["pyramid", "--period", "9999"],
        &["migration", "--from", "9998", "--to", "9999"],
        &["migration", "--periods", "9997..9999"],
        &["winback", "--periods", "9998..9999"],
        &["report", "--period", "9999-Q4", "--out", "/dev/null"],
        &["value", "profit", "--period", "9999-12"],
        &["value", "wallet", "--period", "9999"],
    ];
    for args in cases {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--transactions", &tx]);
        let o = crm(&all);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(
                "runs past 9999-12-31, the last date crm can handle; the last such period is"
            ),
            "{args:?}: {err}"
        );
        assert!(!err.contains("10000"), "{args:?}: {err}");
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    let o = crm(&["pyramid", "--period", "9999-Q4", "--transactions", &tx]);
    assert!(
        stderr(&o).contains("the last such period is 9999-07-01..9999-10-01"),
        "{}",
        stderr(&o)
    );
    // The last representable year is accepted.
    let o = crm(&["pyramid", "--period", "9998", "--transactions", &tx]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_campaign_without_a_list_is_refused() {
    let o = run("actions", &["--period", "2025", "--campaign", "spring"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--channel"), "{}", stderr(&o));
    let help = stdout(&crm(&["actions", "--help"]));
    assert!(
        help.contains("Without --channel there is no list"),
        "{help}"
    );
}

#[test]
fn a_control_file_that_cannot_be_written_is_named() {
    let o = run(
        "actions",
        &[
            "--period",
            "2025",
            "--channel",
            "email",
            "--campaign",
            "spring",
            "--control",
            "50%",
            "--control-out",
            "/dev/full",
            "--format",
            "csv",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write /dev/full"),
        "{}",
        stderr(&o)
    );
}

/// Outcomes files are read by the reader of the other inputs: a quote never
/// closed (at the end of the file, or swallowing the rows after it) is an
/// error naming the file, line and field, and `--lenient` skips and reports
/// such rows as it does in transactions.
#[test]
fn outcomes_with_a_quote_never_closed_are_refused_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outcomes.csv");
    let f = file.to_str().unwrap();
    let good = "C0000001,reactivate,done,2025-11-01\n";
    // At the end of the file.
    std::fs::write(
        &file,
        format!(
            "customer,rule,status,date,owner\n{}",
            good.replace('\n', ",ann\n")
        ) + "C0000001,reactivate,declined,2025-11-02,\"bob\n",
    )
    .unwrap();
    let o = run("actions", &["--period", "2025", "--outcomes", f]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains_all(
        &stderr(&o),
        &["outcomes.csv:3: column 5 (owner)", "never closed"],
    );
    // In the middle: the rows after it would be read into one field.
    std::fs::write(
        &file,
        "customer,rule,status,date,owner\nC0000001,reactivate,declined,2025-11-02,\"bob\n"
            .to_string()
            + &good.replace('\n', ",ann\n").repeat(3),
    )
    .unwrap();
    let o = run("actions", &["--period", "2025", "--outcomes", f]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert_contains_all(&err, &["outcomes.csv:2: column 5 (owner)", "never closed"]);
    assert!(!err.contains("CSV error"), "{err}");
    // Lenient: the row is skipped and reported, the command goes on.
    let o = run(
        "actions",
        &[
            "--period",
            "2025",
            "--outcomes",
            f,
            "--lenient",
            "--format",
            "json",
        ],
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert_contains_all(
        &err,
        &["crm: skipped: ", "outcomes.csv:2: column 5 (owner)"],
    );
    // crm import reads them the same way.
    let db = dir.path().join("crm.db");
    let o = crm(&[
        "import",
        "--db",
        db.to_str().unwrap(),
        "--transactions",
        &data("transactions.csv").display().to_string(),
        "--outcomes",
        f,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains_all(
        &stderr(&o),
        &["outcomes.csv:2: column 5 (owner)", "never closed"],
    );
}

/// The history of a calendar year is the calendar years before it: a
/// purchase on 1 January 2024 makes its customer Top in 2024 for a 2025
/// plan (2024 is a day longer than 2025; a 365-day window left that day
/// out and pushed the purchase into the year before).
#[test]
fn the_history_of_a_year_is_the_years_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.csv");
    std::fs::write(
        &file,
        "transaction_id,customer_id,date,revenue,margin\n\
         T1,A,2024-01-01,1000,300\n\
         T2,B,2024-06-01,10,3\n\
         T3,B,2025-03-01,10,3\n",
    )
    .unwrap();
    let o = crm(&[
        "actions",
        "--transactions",
        file.to_str().unwrap(),
        "--period",
        "2025",
        "--explain",
        "A",
        "--format",
        "json",
    ]);
    let v = json(&o);
    let years: Vec<&Value> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| ["because", "failed", "unknown"].map(|k| &r[k]))
        .filter_map(Value::as_array)
        .flatten()
        .filter(|f| f["fact"] == "years_since_best_level")
        .map(|f| &f["value"])
        .collect();
    assert!(!years.is_empty(), "{v}");
    for y in years {
        assert_eq!(y.as_f64(), Some(1.0), "{v}");
    }
}

/// `crm actions` and `crm winback` write their tables in Dutch with
/// `--lang nl` or a Dutch environment: headings, strategy, owner, channel
/// and level names, `1.234,56`; English by default, JSON the same in both.
#[test]
fn actions_and_winback_speak_dutch() {
    let nl = run(
        "actions",
        &["--period", "2025", "--limit", "5", "--lang", "nl"],
    );
    assert!(nl.status.success(), "{}", stderr(&nl));
    let text = stdout(&nl);
    for w in [
        "Acties voor",
        "strategie",
        "eigenaar",
        "Bouw op",
        "accountmanager",
        "Meest dringende 5 van",
    ] {
        assert!(text.contains(w), "{w}: {text}");
    }
    let en = run("actions", &["--period", "2025", "--limit", "5"]);
    let text = stdout(&en);
    for w in [
        "Actions for",
        "strategy",
        "owner",
        "develop",
        "account-manager",
        "Most urgent 5 of",
    ] {
        assert!(text.contains(w), "{w}: {text}");
    }
    // From the environment, as the other commands.
    let mut args: Vec<String> = vec!["actions".into()];
    args.extend(inputs());
    args.extend(["--period", "2025", "--limit", "1"].map(String::from));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(&args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "nl_NL.UTF-8")
        .output()
        .unwrap();
    assert!(stdout(&o).contains("Acties voor"), "{}", stdout(&o));
    let json_of = |lang: &str| {
        stdout(&run(
            "actions",
            &["--period", "2025", "--format", "json", "--lang", lang],
        ))
    };
    assert_eq!(json_of("nl"), json_of("en"));

    let w = run(
        "winback",
        &["--periods", "2021..2025", "--limit", "3", "--lang", "nl"],
    );
    assert!(w.status.success(), "{}", stderr(&w));
    let text = stdout(&w);
    for w in [
        "Heractivering van",
        "beste vroegere niveau",
        "Groot",
        "verwachte marge",
    ] {
        assert!(text.contains(w), "{w}: {text}");
    }
    // Money and rates the Dutch way: a decimal comma, thousands with a dot.
    assert!(text.contains("%") && text.contains(','), "{text}");
    assert!(!text.contains("22.2%"), "{text}");
    let en = stdout(&run(
        "winback",
        &["--periods", "2021..2025", "--limit", "3"],
    ));
    assert!(
        en.contains("Reactivation from") && en.contains("big"),
        "{en}"
    );
    let bad = run("winback", &["--periods", "2021..2025", "--lang", "fr"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

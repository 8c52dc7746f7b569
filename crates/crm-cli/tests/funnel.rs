//! `crm funnel` on the shipped data, from CSV and from a database.

use serde_json::Value;

use crate::util::{crm, data, stderr, stdout};

fn s(p: &std::path::Path) -> String {
    p.to_str().unwrap().to_string()
}

fn csv_inputs() -> Vec<String> {
    vec![
        "--transactions".into(),
        s(&data("transactions.csv")),
        "--customers".into(),
        s(&data("customers.csv")),
        "--interactions".into(),
        s(&data("interactions.csv")),
    ]
}

fn run(args: &[String]) -> String {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = crm(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

fn funnel_json(inputs: &[String], extra: &[&str]) -> Value {
    let mut a: Vec<String> = vec!["funnel".into()];
    a.extend(inputs.iter().cloned());
    a.extend(["--period", "2025", "--format", "json"].map(String::from));
    a.extend(extra.iter().map(|x| x.to_string()));
    serde_json::from_str(&run(&a)).unwrap()
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

#[test]
fn the_shipped_leads_show_sources_that_differ() {
    let mut inputs = csv_inputs();
    inputs.extend(["--leads".to_string(), s(&data("leads.csv"))]);
    let v = funnel_json(&inputs, &["--by", "source"]);
    let f = &v["funnel"];
    let total = &f["total"];
    let reached: Vec<u64> = total["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| n(&s["reached"]))
        .collect();
    assert!(reached.windows(2).all(|w| w[1] <= w[0]), "{reached:?}");
    assert_eq!(reached[0], n(&total["created"]));
    assert!(n(&total["created"]) > 100);
    let groups = f["groups"].as_array().unwrap();
    let created: u64 = groups.iter().map(|g| n(&g["created"])).sum();
    assert_eq!(created, n(&total["created"]));
    // Shares are decimal strings.
    let share = |v: &serde_json::Value| -> f64 { v.as_str().unwrap().parse().unwrap() };
    let rate = |name: &str| share(&groups.iter().find(|g| g["name"] == name).unwrap()["win_rate"]);
    assert!(rate("referral") > rate("call"), "{groups:?}");
    // P(win | stage) grows along the road, with its counts.
    let p: Vec<f64> = f["win_probability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| share(&w["probability"]))
        .collect();
    assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
    // Referral customers reach the higher levels more often than web ones.
    let high = |name: &str| {
        let q = f["quality"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["by"] == "source" && q["name"] == name)
            .unwrap();
        // Customers per level, as an object from level to count.
        let levels = q["levels"].as_object().unwrap();
        let up: u64 = levels
            .iter()
            .filter(|(level, _)| ["top", "big", "medium"].contains(&level.as_str()))
            .map(|(_, count)| n(count))
            .sum();
        up as f64 / n(&q["customers"]) as f64
    };
    assert!(high("referral") > 2.0 * high("web"), "{}", f["quality"]);
    assert!(v["acquisition_rates"]["suspects"].as_u64().is_some());

    let mut a = vec!["funnel".to_string()];
    a.extend(inputs.iter().cloned());
    a.extend(["--period", "2025", "--by", "owner", "--lang", "nl"].map(String::from));
    let table = run(&a);
    assert!(table.contains("Van lead tot order"), "{table}");
    assert!(
        table.contains("eigenaar") && table.contains("anna"),
        "{table}"
    );
    let mut a = vec!["funnel".to_string()];
    a.extend(inputs.iter().cloned());
    a.extend(["--period", "2025", "--format", "csv"].map(String::from));
    let csv = run(&a);
    assert!(
        csv.starts_with("by,group,stage,reached,conversion,median_days"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1 + 4);
}

#[test]
fn without_leads_it_says_so_and_shows_the_migration_rates() {
    let mut a = vec!["funnel".to_string()];
    a.extend(csv_inputs());
    a.extend(["--period", "2025"].map(String::from));
    let out = run(&a);
    assert!(out.starts_with("No lead data"), "{out}");
    assert!(
        out.contains("suspects ") && out.contains("prospects "),
        "{out}"
    );
    let v = funnel_json(&csv_inputs(), &[]);
    assert!(v["funnel"].is_null());
    assert!(n(&v["acquisition_rates"]["prospects"]) > 0);
}

#[test]
fn the_database_gives_the_same_funnel_as_the_files_and_a_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = s(&dir.path().join("crm.db"));
    let mut import = vec!["import".to_string(), "--db".into(), db.clone()];
    import.extend(csv_inputs());
    import.extend(["--leads".to_string(), s(&data("leads.csv"))]);
    run(&import);
    let rows = std::fs::read_to_string(data("leads.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let again = run(&[
        "import".to_string(),
        "--db".into(),
        db.clone(),
        "--leads".into(),
        s(&data("leads.csv")),
    ]);
    assert!(
        again.contains(&format!("{rows} rows: 0 new, {rows} duplicate")),
        "{again}"
    );
    let mut inputs = csv_inputs();
    inputs.extend(["--leads".to_string(), s(&data("leads.csv"))]);
    for by in ["source", "owner"] {
        let from_csv = funnel_json(&inputs, &["--by", by, "--stale-days", "45"]);
        let from_db = funnel_json(
            &["--db".to_string(), db.clone()],
            &["--by", by, "--stale-days", "45"],
        );
        assert_eq!(from_csv, from_db, "--by {by}");
    }
}

#[test]
fn a_hand_made_leads_file_in_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let tx = dir.path().join("t.csv");
    std::fs::write(&tx, "customer_id,date,revenue\nC1,2025-03-01,100\n").unwrap();
    let history = dir.path().join("history.csv");
    std::fs::write(
        &history,
        "lead_id,customer_id,stage,date,value,owner,source,lost_reason\n\
         L1,C1,lead,2025-01-05,100,ann,fair,\n\
         L1,C1,won,2025-03-01,100,ann,fair,\n\
         L2,P1,lead,2025-02-01,50,bob,web,\n\
         L2,P1,quote,2025-02-11,50,bob,web,\n\
         L2,P1,lost,2025-02-21,50,bob,web,price\n\
         L1,C1,lead,2025-01-05,100,ann,fair,\n",
    )
    .unwrap();
    let snapshot = dir.path().join("snapshot.csv");
    std::fs::write(
        &snapshot,
        "lead_id,customer_id,stage,value,lead_date,quote_date,won_date,lost_date,owner,source,lost_reason\n\
         L1,C1,won,100,2025-01-05,,2025-03-01,,ann,fair,\n\
         L2,P1,lost,50,2025-02-01,2025-02-11,,2025-02-21,bob,web,price\n",
    )
    .unwrap();
    let mut results = Vec::new();
    for leads in [&history, &snapshot] {
        let v = funnel_json(
            &["--transactions".into(), s(&tx), "--leads".into(), s(leads)],
            &["--by", "source"],
        );
        let t = &v["funnel"]["total"];
        let reached: Vec<u64> = t["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| n(&s["reached"]))
            .collect();
        // L1 skipped qualified and quote, L2 skipped qualified: both passed it.
        assert_eq!(reached, [2, 2, 2, 1]);
        assert_eq!((n(&t["won"]), n(&t["lost"])), (1, 1));
        assert_eq!(t["lost_reasons"][0]["reason"], "price");
        assert_eq!(n(&v["funnel"]["leads"]), 2, "L1's repeated row is one lead");
        results.push(v);
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn actions_count_a_lead_of_several_stage_rows_once() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        s(&p)
    };
    let t = w("t.csv", "customer_id,date,revenue\nC1,2025-03-01,100\n");
    let c = w(
        "c.csv",
        "customer_id,stage,potential\nP1,prospect,100000\nC1,customer,10\n",
    );
    let l = w(
        "l.csv",
        "lead_id,customer_id,stage,date,value\nL1,P1,lead,2025-01-05,100\nL1,P1,qualified,2025-02-05,100\nL1,P1,quote,2025-03-05,100\n",
    );
    let out = run(&[
        "actions",
        "--transactions",
        &t,
        "--customers",
        &c,
        "--leads",
        &l,
        "--period",
        "2025",
        "--explain",
        "P1",
    ]
    .map(String::from));
    assert!(out.contains("open_leads = 1 (== 0)"), "{out}");
}

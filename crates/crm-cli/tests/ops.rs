//! `crm complaints` on the shipped data and on hand-made files.

use crate::util::{crm, data, stderr, stdout};

fn shipped(args: &[&str]) -> std::process::Output {
    let (t, i) = (data("transactions.csv"), data("interactions.csv"));
    let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    v.extend([
        "--transactions".into(),
        t.display().to_string(),
        "--interactions".into(),
        i.display().to_string(),
    ]);
    crm(&v.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn complaints_on_the_shipped_data_show_that_heard_complainers_stay() {
    let o = shipped(&["complaints", "--period", "2024", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["received"].as_u64().unwrap() > 20, "{v}");
    assert_eq!(v["next_period"]["start"], "2025-01-01");
    assert_eq!(v["next_period"]["end"], "2026-01-01");
    let rate = |g: usize| -> f64 { v["retention"][g]["rate"].as_str().unwrap().parse().unwrap() };
    assert_eq!(v["retention"][1]["group"], "resolved");
    // The generator halves a heard complainer's hazard and sends most
    // unheard ones away: the data must show it.
    assert!(rate(1) > rate(2) + 0.3, "{v}");
    assert!(rate(1) > rate(0), "{v}");
    // Open at the end = open at the start + received - resolved.
    let n = |k: &str| v[k].as_u64().unwrap();
    assert_eq!(
        n("open_at_end") + n("resolved"),
        n("open_at_start") + n("received")
    );
}

#[test]
fn complaints_table_csv_and_dutch() {
    let o = shipped(&["complaints", "--period", "2024"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(
        t.contains("Complaints 2024-01-01..2025-01-01, service level 14 days"),
        "{t}"
    );
    assert!(t.contains("complaint resolved"), "{t}");
    let o = shipped(&[
        "complaints",
        "--period",
        "2024",
        "--lang",
        "nl",
        "--sla-days",
        "7",
    ]);
    let t = stdout(&o);
    assert!(
        t.contains("servicenorm 7 dagen") && t.contains("klacht opgelost"),
        "{t}"
    );
    let o = shipped(&["complaints", "--period", "2024", "--format", "csv"]);
    let c = stdout(&o);
    assert!(c.starts_with("measure,value\n"), "{c}");
    assert!(c.contains("\nretention.unresolved.rate,"), "{c}");
}

#[test]
fn complaints_by_hand_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    let i = dir.path().join("i.csv");
    std::fs::write(
        &t,
        "customer_id,date,revenue\na,2024-02-01,100\nb,2024-02-01,100\na,2025-02-01,100\n",
    )
    .unwrap();
    std::fs::write(
        &i,
        "customer_id,date,kind\na,2024-03-01,complaint\na,2024-03-15,complaint-resolved\n\
         b,2024-03-01,complaint\nb,2024-03-16,complaint-resolved\n",
    )
    .unwrap();
    let (t, i) = (t.display().to_string(), i.display().to_string());
    let o = crm(&[
        "complaints",
        "--period",
        "2024",
        "--format",
        "csv",
        "--transactions",
        &t,
        "--interactions",
        &i,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c = stdout(&o);
    for line in [
        "received,2",
        "within_sla,1",
        "within_sla_share,0.5",
        "days_to_resolve.mean,14.5",
        "days_to_resolve.p90,15",
        "retention.resolved.customers,2",
        "retention.resolved.retained,1",
    ] {
        assert!(c.contains(&format!("\n{line}\n")), "{line} in {c}");
    }
    // Without interactions there is nothing to measure: a usage error.
    let o = crm(&["complaints", "--period", "2024", "--transactions", &t]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("give --interactions"), "{}", stderr(&o));
    // Without a purchase in the next period, retention is left out.
    let o = crm(&[
        "complaints",
        "--period",
        "2025",
        "--transactions",
        &t,
        "--interactions",
        &i,
    ]);
    assert!(
        stdout(&o).contains("no purchases in 2026"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn scorecard_on_the_shipped_data_with_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[targets]\nretention-rate = 0.8\ncustomers-lost = 200\n",
    )
    .unwrap();
    let c = data("customers.csv").display().to_string();
    let p = plan.display().to_string();
    let o = shipped(&[
        "scorecard",
        "--period",
        "2025",
        "--customers",
        &c,
        "--plan",
        &p,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fig = |name: &str| {
        v["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    let num = |f: &serde_json::Value, k: &str| -> f64 { f[k].as_str().unwrap().parse().unwrap() };
    let top = fig("top20-revenue-share");
    assert!((num(&top, "value") - 0.8).abs() < 0.1, "{top}");
    // Decimals are normalised: 0.80 is written "0.8".
    assert_eq!(top["benchmark"]["value"], "0.8");
    let r = fig("retention-rate");
    assert_eq!(r["target"], "0.8");
    assert!(
        (num(&r, "gap") - (num(&r, "value") - 0.8)).abs() < 1e-9,
        "{r}"
    );
    // Heard complainers stay more than unheard ones on the example data.
    assert!(
        num(&fig("heard-complainer-retention"), "value")
            > num(&fig("unheard-complainer-retention"), "value")
    );
    // The profit figure needs the margins; the shipped data has them.
    assert!(fig("top20-profit-share")["value"].is_string());
    // The history starts in 2021: five years before 2025 is missing, and
    // says so.
    let lost5 = fig("lost-within-5-years");
    assert!(lost5["value"].is_null());
    assert!(
        lost5["missing"].as_str().unwrap().contains("five years"),
        "{lost5}"
    );

    let o = shipped(&["scorecard", "--period", "2025", "--plan", &p]);
    let t = stdout(&o);
    assert!(
        t.contains("Scorecard 2025-01-01..2026-01-01") && t.contains("retention rate"),
        "{t}"
    );
    assert!(
        t.contains("(needs a customer register with a potential column)"),
        "{t}"
    );
    let o = shipped(&["scorecard", "--period", "2025", "--format", "csv"]);
    let c = stdout(&o);
    assert!(
        c.starts_with("figure,unit,value,of,benchmark,benchmark_direction,target,gap,missing\n"),
        "{c}"
    );
    assert!(c.contains("\ntop20-profit-share,share,"), "{c}");
}

#[test]
fn a_bad_plan_is_a_positioned_error() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, "[targets]\nretention = 0.8\n").unwrap();
    let p = plan.display().to_string();
    let o = shipped(&["scorecard", "--period", "2025", "--plan", &p]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("plan.toml: line 2, column 1: unknown figure \"retention\""),
        "{e}"
    );
}

#[test]
fn every_ops_command_from_a_database_equals_the_csv_one() {
    let control = data("campaign_control.csv").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db").display().to_string();
    let (t, i, c) = (
        data("transactions.csv").display().to_string(),
        data("interactions.csv").display().to_string(),
        data("customers.csv").display().to_string(),
    );
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--transactions",
        &t,
        "--interactions",
        &i,
        "--customers",
        &c,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for args in [
        vec!["scorecard", "--period", "2025", "--format", "json"],
        vec!["complaints", "--period", "2024", "--format", "json"],
        vec![
            "campaign",
            "measure",
            "--campaign",
            "spring-2025",
            "--control-file",
            &control,
            "--format",
            "json",
        ],
    ] {
        let mut csv = args.clone();
        csv.extend([
            "--transactions",
            &t,
            "--interactions",
            &i,
            "--customers",
            &c,
        ]);
        let mut from_db = args.clone();
        from_db.extend(["--db", &db]);
        let (a, b) = (crm(&csv), crm(&from_db));
        assert!(
            a.status.success() && b.status.success(),
            "{}{}",
            stderr(&a),
            stderr(&b)
        );
        assert_eq!(stdout(&a), stdout(&b), "{args:?}");
    }
}

#[test]
fn campaign_on_the_shipped_data_shows_a_real_uplift() {
    let control = data("campaign_control.csv").display().to_string();
    let o = shipped(&[
        "campaign",
        "measure",
        "--campaign",
        "spring-2025",
        "--control-file",
        &control,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["treated"]["customers"].as_u64().unwrap() > 500, "{v}");
    assert!(v["control"]["customers"].as_u64().unwrap() > 100, "{v}");
    assert_eq!(v["control_with_send"], 0);
    assert_eq!(v["control_matches_campaign"], true);
    // The generator's uplift is real: the interval excludes zero.
    assert!(v["response_uplift"]["low"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["cost_per_response"].is_string());
    assert!(v["treated"]["movement"]["stayed"].as_u64().unwrap() > 0);
    let o = shipped(&[
        "campaign",
        "measure",
        "--campaign",
        "spring-2025",
        "--control-file",
        &control,
        "--lang",
        "nl",
    ]);
    let t = stdout(&o);
    assert!(
        t.contains("Campagne spring-2025") && t.contains("95%-interval"),
        "{t}"
    );
    // Another campaign name: no sends, nothing to measure.
    let o = shipped(&[
        "campaign",
        "measure",
        "--campaign",
        "autumn",
        "--control-file",
        &control,
        "--format",
        "csv",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no campaign-sent interactions for campaign \"autumn\""),
        "{}",
        stderr(&o)
    );
    // A control file holding another campaign's rows too: only this
    // campaign's rows count, the others are reported.
    let dir = tempfile::tempdir().unwrap();
    let mixed = dir.path().join("mixed.csv");
    let mut text = std::fs::read_to_string(data("campaign_control.csv")).unwrap();
    for i in 1500..1600 {
        text.push_str(&format!("autumn-2025,C000{i}\n"));
    }
    std::fs::write(&mixed, text).unwrap();
    let json = |control: &str| {
        let o = shipped(&[
            "campaign",
            "measure",
            "--campaign",
            "spring-2025",
            "--control-file",
            control,
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    let (alone, _) = json(&control);
    let (with_other, note) = json(&mixed.display().to_string());
    assert_eq!(alone, with_other);
    assert!(
        note.contains("100 rows of other campaigns left out"),
        "{note}"
    );
    // Control keys the data does not know are counted and named.
    let strangers = dir.path().join("strangers.csv");
    std::fs::write(&strangers, "customer\nNOBODY1\nNOBODY2\n").unwrap();
    let (_, note) = json(&strangers.display().to_string());
    assert!(
        note.contains("2 of 2 control customers have no transaction at all"),
        "{note}"
    );
    // --to must end after --from, as for the migration.
    let o = shipped(&[
        "campaign",
        "measure",
        "--campaign",
        "spring-2025",
        "--control-file",
        &control,
        "--from",
        "2025",
        "--to",
        "2024",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("must end after --from"),
        "{}",
        stderr(&o)
    );
    // The scorecard takes the campaign's response rate.
    let o = shipped(&[
        "scorecard",
        "--period",
        "2025",
        "--campaign",
        "spring-2025",
        "--campaign-control",
        &control,
        "--format",
        "csv",
    ]);
    let c = stdout(&o);
    let line = c
        .lines()
        .find(|l| l.starts_with("campaign-response,"))
        .unwrap();
    assert!(line.starts_with("campaign-response,share,0.39"), "{line}");
}

#[test]
fn campaign_window_day_30_counts_and_day_31_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let t = w(
        "t.csv",
        "customer_id,date,revenue\na,2025-03-31,100\nb,2025-04-01,100\nc,2025-03-02,30\n",
    );
    let i = w(
        "i.csv",
        "customer_id,date,kind,campaign,cost\na,2025-03-01,campaign-sent,x,1.50\n\
         b,2025-03-01,campaign-sent,x,1.50\n",
    );
    let c = w("c.csv", "customer\nc\nd\n");
    let o = crm(&[
        "campaign",
        "measure",
        "--campaign",
        "x",
        "--control-file",
        &c,
        "--transactions",
        &t,
        "--interactions",
        &i,
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for line in [
        "treated.customers,2",
        "treated.buyers,1",
        "treated.revenue_per_customer,50",
        "control.customers,2",
        "control.buyers,1",
        "control.revenue_per_customer,15",
        "cost,3.00",
        "cost_per_response,3",
    ] {
        assert!(out.contains(&format!("\n{line}\n")), "{line} in {out}");
    }
    let o = crm(&[
        "campaign",
        "measure",
        "--campaign",
        "x",
        "--control-file",
        &c,
        "--transactions",
        &t,
        "--interactions",
        &i,
        "--window-days",
        "31",
        "--format",
        "csv",
    ]);
    assert!(
        stdout(&o).contains("\ntreated.buyers,2\n"),
        "{}",
        stdout(&o)
    );
    // A control file without a customer column is a clear error.
    let bad = w("bad.csv", "key\nc\n");
    let o = crm(&[
        "campaign",
        "measure",
        "--campaign",
        "x",
        "--control-file",
        &bad,
        "--transactions",
        &t,
        "--interactions",
        &i,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no column \"customer\""),
        "{}",
        stderr(&o)
    );
}

//! Hostile command lines: unbounded numbers, usage errors that must exit 2,
//! and messages that must read well.

use crate::util::{crm, data, stderr};

fn tx() -> String {
    data("transactions.csv").display().to_string()
}

/// Runs `crm` and returns the exit code and stderr.
fn run(args: &[&str]) -> (Option<i32>, String) {
    let o = crm(args);
    (o.status.code(), stderr(&o))
}

#[test]
fn usage_errors_exit_2() {
    let t = tx();
    for (args, says) in [
        (
            vec![
                "pyramid",
                "--transactions",
                &t,
                "--period",
                "2024",
                "--delimiter",
                "\"",
            ],
            "cannot separate fields",
        ),
        (
            vec![
                "pyramid",
                "--transactions",
                &t,
                "--period",
                "2024",
                "--columns",
                "customer_id=",
            ],
            "needs a field and a header",
        ),
        (
            vec!["migration", "--transactions", &t, "--periods", "2021,2021"],
            "must end after the one before",
        ),
        (
            vec![
                "value",
                "rfm",
                "--transactions",
                &t,
                "--as-of",
                "0000-01-01",
            ],
            "give a date after 0001-01-01",
        ),
        (
            vec![
                "value",
                "risk",
                "--transactions",
                &t,
                "--period",
                "2024",
                "--p-alive-below",
                "0.5",
            ],
            "--p-alive-model",
        ),
        (
            vec![
                "migration",
                "--transactions",
                &t,
                "--periods",
                "2021..2025",
                "--project",
                "18446744073709551615",
            ],
            "--project",
        ),
        (
            vec![
                "clv",
                "predict",
                "--model",
                "bg-nbd",
                "--transactions",
                &t,
                "--calibration-end",
                "2024-12-31",
                "--months",
                "100000",
            ],
            "--months",
        ),
        (
            vec![
                "clv",
                "fit",
                "--model",
                "bg-nbd",
                "--transactions",
                &t,
                "--calibration-end",
                "2024-12-31",
                "--penalizer",
                "1e200",
            ],
            "--penalizer: 1e200 is not a number from 0 to 1000",
        ),
    ] {
        let (code, err) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        // A usage error names the flag, not a reversed period.
        assert!(!err.contains("..0000"), "{err}");
    }
}

#[test]
fn a_delimiter_outside_ascii_is_named_as_such() {
    let t = tx();
    let (code, err) = run(&[
        "pyramid",
        "--transactions",
        &t,
        "--period",
        "2024",
        "--delimiter",
        "é",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not an ASCII character"), "{err}");
}

#[test]
fn fit_errors_say_cannot_fit_once() {
    let t = tx();
    let (code, err) = run(&[
        "clv",
        "fit",
        "--model",
        "bg-nbd",
        "--transactions",
        &t,
        "--calibration-end",
        "1990-12-31",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(err.matches("cannot fit").count(), 1, "{err}");
    assert!(err.contains("no customers"), "{err}");
    assert!(!err.contains("-0"), "{err}");
}

/// Long horizons were "2F1(...) did not converge in 2000000 terms".
#[test]
fn long_horizons_predict_without_internal_messages() {
    let t = tx();
    let o = crm(&[
        "clv",
        "predict",
        "--model",
        "bg-nbd",
        "--transactions",
        &t,
        "--calibration-end",
        "2024-12-31",
        "--horizon",
        "1e7",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (code, err) = run(&[
        "clv",
        "predict",
        "--model",
        "bg-nbd",
        "--transactions",
        &t,
        "--calibration-end",
        "2024-12-31",
        "--horizon",
        "1e300",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains("2F1"), "{err}");
}

#[test]
fn huge_numbers_are_cheap_or_refused() {
    let t = tx();
    // Rows only for the frequencies present; tracking points bounded.
    let o = crm(&[
        "clv",
        "check",
        "--model",
        "bg-nbd",
        "--transactions",
        &t,
        "--calibration-end",
        "2023-12-31",
        "--observation-end",
        "9999-12-31",
        "--max-frequency",
        "4294967295",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A huge penalty within the bound fits or fails clearly, and ends.
    let (code, err) = run(&[
        "clv",
        "fit",
        "--model",
        "bg-nbd",
        "--transactions",
        &t,
        "--calibration-end",
        "2024-12-31",
        "--penalizer",
        "1000",
    ]);
    assert!(
        code == Some(0) || (code == Some(1) && err.contains("bg-nbd")),
        "{err}"
    );
}

/// `value risk --p-alive-model pareto-nbd` needs a penalty on the shipped
/// data, and now has the flag.
#[test]
fn risk_takes_a_penalizer() {
    let t = tx();
    let o = crm(&[
        "value",
        "risk",
        "--transactions",
        &t,
        "--period",
        "2024",
        "--p-alive-model",
        "pareto-nbd",
        "--penalizer",
        "0.01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// An I/O error said its cause twice ("No such file or directory (os error
/// 2): No such file or directory (os error 2)").
#[test]
fn io_errors_say_their_cause_once() {
    let (code, err) = run(&[
        "pyramid",
        "--transactions",
        "/nonexistent/t.csv",
        "--period",
        "2024",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}

/// The help says a JSON file holds a list of rules: a bare list works.
#[test]
fn segments_take_a_json_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("segments.json");
    std::fs::write(
        &path,
        r#"[{"name": "champions", "r": [4, 5], "f": [4, 5]}]"#,
    )
    .unwrap();
    let t = tx();
    let p = path.display().to_string();
    let o = crm(&[
        "value",
        "rfm",
        "--transactions",
        &t,
        "--as-of",
        "2025-01-01",
        "--segments",
        &p,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(crate::util::stdout(&o).contains("champions"));
}

/// A cut too small for a share was reported as "0".
#[test]
fn a_tiny_cut_is_named_not_zero() {
    let t = tx();
    let (code, err) = run(&[
        "pyramid",
        "--transactions",
        &t,
        "--period",
        "2024",
        "--cuts",
        "0.0000000000000000000000000001,5,20",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("0.0000000000000000000000000001 is too small"),
        "{err}"
    );
}

/// The inactive level's lifetime value printed "-0.00".
#[test]
fn no_negative_zero_in_the_markov_view() {
    let t = tx();
    let o = crm(&["migration", "--transactions", &t, "--periods", "2021..2025"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!crate::util::stdout(&o).contains("-0.00"));
}

/// `crm customer` once tracked every year of the customer's span for every
/// customer of the database (a date mistyped as 0202-01-01 on 50,000
/// customers: 3.9 GB). Levels are the same as from one ledger of all years.
#[test]
fn customer_levels_over_a_long_span() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    std::fs::write(
        &t,
        "customer_id,date,revenue\nA,2021-03-01,100\nA,2023-05-01,50\nB,2021-04-01,10\nB,2022-04-01,20\nC,2022-06-01,5\nC,0202-01-01,1\n",
    )
    .unwrap();
    let db = dir.path().join("crm.db").display().to_string();
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--transactions",
        &t.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = crm(&["customer", "--db", &db, "A"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = crate::util::stdout(&o);
    assert!(
        out.contains("2021  top       value 100 (rank 1 of 2)"),
        "{out}"
    );
    assert!(out.contains("2022  inactive  value 0\n"), "{out}");
    assert!(
        out.contains("2023  top       value 50 (rank 1 of 1)"),
        "{out}"
    );

    let o = crm(&["customer", "--db", &db, "C"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = crate::util::stdout(&o);
    let years: Vec<&str> = out.lines().filter(|l| l.contains(" value ")).collect();
    assert_eq!(years.len(), 2022 - 202 + 1, "{out}");
    assert!(
        out.contains("    202  top       value 1 (rank 1 of 1)"),
        "{out}"
    );
    assert!(out.contains("    203  inactive  value 0\n"), "{out}");
    assert!(
        out.contains("2022  small     value 5 (rank 2 of 2)"),
        "{out}"
    );
}

/// `generate` makes its data set in memory: its size is bounded.
#[test]
fn generate_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let (code, err) = run(&["generate", "--customers", "4294967295", "--out", &out]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--customers"), "{err}");
}

/// Service levels and campaign windows are days: at most a century, and a
/// window of at least one day; larger values are usage errors, not figures
/// computed over billions of days.
#[test]
fn day_counts_are_bounded() {
    let t = tx();
    let i = data("interactions.csv").display().to_string();
    for (cmd, flag, value) in [
        ("complaints", "--sla-days", "36601"),
        ("scorecard", "--sla-days", "4294967295"),
        ("report", "--sla-days", "36601"),
        ("report", "--window-days", "0"),
        ("report", "--window-days", "36601"),
    ] {
        let mut args = vec![
            cmd,
            "--transactions",
            &t,
            "--interactions",
            &i,
            "--period",
            "2025",
        ];
        if cmd == "report" {
            args.extend(["--out", "/dev/null"]);
        }
        args.extend([flag, value]);
        let (code, err) = run(&args);
        assert_eq!(code, Some(2), "{cmd} {flag} {value}: {err}");
        assert!(err.contains(flag), "{err}");
    }
}

#[test]
fn report_projection_is_bounded() {
    let t = tx();
    let (code, err) = run(&[
        "report",
        "--transactions",
        &t,
        "--period",
        "2025",
        "--periods",
        "2021..2025",
        "--project",
        "1001",
        "--out",
        "/dev/null",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--project"), "{err}");
}

#[test]
fn an_output_file_that_is_also_an_input_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rj.csv");
    let text = "customer_id,date,revenue\nA,2024-01-01,1\nB,2024-01-01,x\n";
    std::fs::write(&csv, text).unwrap();
    let f = csv.display().to_string();
    // The same file under another name is the same file.
    let alias = dir.path().join(".").join("rj.csv").display().to_string();
    let db = dir.path().join("r.db").display().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "pyramid",
            "--transactions",
            &f,
            "--period",
            "2024",
            "--lenient",
            "--rejects",
            &alias,
        ],
        vec![
            "report",
            "--transactions",
            &f,
            "--period",
            "2024",
            "--out",
            &f,
        ],
        vec![
            "import",
            "--db",
            &db,
            "--transactions",
            &f,
            "--lenient",
            "--rejects",
            &f,
        ],
    ];
    for args in cases {
        let (code, err) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot also be written"), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), text, "{args:?}");
    }
    assert!(!dir.path().join("r.db").exists(), "nothing was imported");
}

/// A value that grows by a ratio beyond `Decimal`'s range between the two
/// periods (from 1 to 10^27, or from 10^-28 to 1000): the change in percent
/// is unknown, not an overflow panic, in `actions` (table, JSON, explain)
/// and in the report's key figures, on either basis.
#[test]
fn value_changes_beyond_the_range_of_a_decimal_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (name, before, now) in [
        ("up.csv", "1", "1000000000000000000000000000"),
        ("tiny.csv", "0.0000000000000000000000000001", "1000"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "customer_id,date,revenue,margin\nA,2024-03-01,{before},{before}\nA,2025-03-01,{now},{now}\n"
            ),
        )
        .unwrap();
        let t = path.display().to_string();
        let out = dir.path().join("r.html").display().to_string();
        for basis in ["revenue", "margin"] {
            for args in [
                vec![
                    "actions",
                    "--transactions",
                    &t,
                    "--period",
                    "2025",
                    "--basis",
                    basis,
                ],
                vec![
                    "actions",
                    "--transactions",
                    &t,
                    "--period",
                    "2025",
                    "--basis",
                    basis,
                    "--format",
                    "json",
                ],
                vec![
                    "actions",
                    "--transactions",
                    &t,
                    "--period",
                    "2025",
                    "--basis",
                    basis,
                    "--explain",
                    "A",
                ],
                vec![
                    "report",
                    "--transactions",
                    &t,
                    "--period",
                    "2025",
                    "--basis",
                    basis,
                    "--out",
                    &out,
                    "-q",
                ],
            ] {
                let (code, err) = run(&args);
                assert_eq!(code, Some(0), "{name} {args:?}: {err}");
                assert!(!err.contains("panicked"), "{name} {args:?}: {err}");
            }
        }
    }
}

/// `--window-days` only means something for `--campaign` (scorecard,
/// report): alone it is a usage error, as `--control-out` without
/// `--control` is, rather than silently ignored.
#[test]
fn window_days_without_a_campaign_is_a_usage_error() {
    let t = tx();
    for cmd in ["scorecard", "report"] {
        let mut args = vec![cmd, "--transactions", &t, "--period", "2025"];
        if cmd == "report" {
            args.extend(["--out", "/dev/null"]);
        }
        args.extend(["--window-days", "10"]);
        let (code, err) = run(&args);
        assert_eq!(code, Some(2), "{cmd}: {err}");
        assert!(err.contains("--campaign"), "{cmd}: {err}");
    }
}

/// A quote never closed that swallows the rows after it is one skipped
/// record, but the summary says how many lines that look like rows were
/// lost with it, on the terminal and beside a rejects file.
#[test]
fn lenient_summaries_count_the_rows_lost_in_an_unclosed_quote() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "customer_id,date,revenue,product\n\
         C1,2024-01-01,1.00,ok\n\
         C2,2024-01-02,2.00,\"broken\n\
         C3,2024-01-03,3.00,a\n\
         C4,2024-01-04,4.00,b\n\
         C5,2024-01-05,5.00,c\n",
    )
    .unwrap();
    let c = csv.display().to_string();
    let args = [
        "pyramid",
        "--transactions",
        &c,
        "--period",
        "2024",
        "--lenient",
    ];
    let (code, err) = run(&args);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("runs over 3 following line(s)"), "{err}");
    assert!(
        err.contains(
            "skipped 1 rows in all, and with them 3 more line(s) that look like rows, inside a quote never closed"
        ),
        "{err}"
    );
    let rejects = dir.path().join("rejects.csv").display().to_string();
    let mut with_file = args.to_vec();
    with_file.extend(["--rejects", &rejects]);
    let (code, err) = run(&with_file);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("skipped 1 of 2 rows in ")
            && err.contains(", and with them 3 more line(s) that look like rows"),
        "{err}"
    );
}

/// A share of wallet beyond `Decimal`'s range as a percentage (sales of
/// 10^27 against a potential of 0.5) leaves the actions' `share_of_wallet`
/// fact unknown: `crm actions` and `crm report` exited 101 on it.
#[test]
fn a_share_of_wallet_too_large_for_a_percentage_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("transactions.csv");
    let c = dir.path().join("customers.csv");
    std::fs::write(
        &t,
        "customer_id,date,revenue\nA,2024-05-01,1000000000000000000000000000\n",
    )
    .unwrap();
    std::fs::write(&c, "customer_id,stage,potential\nA,customer,0.5\n").unwrap();
    let (t, c) = (t.display().to_string(), c.display().to_string());
    let out = dir.path().join("r.html").display().to_string();
    for args in [
        vec![
            "actions",
            "--transactions",
            &t,
            "--customers",
            &c,
            "--period",
            "2024",
            "--format",
            "json",
        ],
        vec![
            "report",
            "--transactions",
            &t,
            "--customers",
            &c,
            "--period",
            "2024",
            "--out",
            &out,
        ],
    ] {
        let (code, err) = run(&args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
    }
}

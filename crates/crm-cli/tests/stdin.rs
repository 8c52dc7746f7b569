//! Every input flag reads standard input when given `-`
//! (`zcat orders.csv.gz | crm pyramid --transactions - ...`), with the
//! result of reading the file; at most one input may be `-`.

use std::path::Path;

use crate::util::{crm, crm_with_stdin, data, stderr, stdout};

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Runs `args` once with the file named and once with `-` in its place
/// and the file on standard input; the outputs must agree.
fn same_from_stdin(args: &[&str], file: &Path) {
    let name = s(file);
    let direct: Vec<&str> = args
        .iter()
        .map(|a| if *a == "@" { name.as_str() } else { a })
        .collect();
    let piped: Vec<&str> = args
        .iter()
        .map(|a| if *a == "@" { "-" } else { a })
        .collect();
    let a = crm(&direct);
    assert!(a.status.success(), "{direct:?}: {}", stderr(&a));
    let b = crm_with_stdin(&piped, &std::fs::read(file).unwrap());
    assert!(b.status.success(), "{piped:?}: {}", stderr(&b));
    assert_eq!(stdout(&a), stdout(&b), "{piped:?}");
    assert!(!stdout(&a).is_empty());
}

#[test]
fn every_csv_input_reads_standard_input() {
    let donations = data("donations.csv");
    let (t, c, i) = (
        data("transactions.csv"),
        data("customers.csv"),
        data("interactions.csv"),
    );
    let (ts, cs, is) = (s(&t), s(&c), s(&i));
    let json = ["--format", "json"];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter().chain(&json).map(|x| x.to_string()).collect()
    };
    let cases: Vec<(Vec<String>, &Path)> = vec![
        (
            with(&["pyramid", "--transactions", "@", "--period", "2025"]),
            &t,
        ),
        (
            with(&[
                "pyramid",
                "--transactions",
                &ts,
                "--customers",
                "@",
                "--period",
                "2025",
            ]),
            &c,
        ),
        (
            with(&[
                "pyramid",
                "--transactions",
                &ts,
                "--interactions",
                "@",
                "--period",
                "2025",
            ]),
            &i,
        ),
        (
            with(&[
                "migration",
                "--transactions",
                "@",
                "--from",
                "2024",
                "--to",
                "2025",
            ]),
            &t,
        ),
        (
            with(&[
                "value",
                "rfm",
                "--transactions",
                "@",
                "--as-of",
                "2026-01-01",
            ]),
            &t,
        ),
        (
            with(&[
                "value",
                "profit",
                "--transactions",
                &ts,
                "--interactions",
                "@",
                "--period",
                "2025",
            ]),
            &i,
        ),
        (
            with(&[
                "value",
                "wallet",
                "--transactions",
                &ts,
                "--customers",
                "@",
                "--period",
                "2025",
            ]),
            &c,
        ),
        (
            with(&[
                "value",
                "wallet",
                "--transactions",
                "@",
                "--customers",
                &cs,
                "--period",
                "2025",
            ]),
            &t,
        ),
        (
            with(&[
                "value",
                "risk",
                "--transactions",
                "@",
                "--interactions",
                &is,
                "--period",
                "2025",
            ]),
            &t,
        ),
        (
            with(&[
                "clv",
                "fit",
                "--model",
                "bg-nbd",
                "--transactions",
                "@",
                "--calibration-end",
                "2025-01-01",
            ]),
            &t,
        ),
        (
            with(&["clv", "fit", "--model", "bg-bb", "--summary", "@"]),
            &donations,
        ),
    ];
    for (args, file) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        same_from_stdin(&args, file);
    }
}

#[test]
fn configuration_files_read_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let costs = dir.path().join("costs.toml");
    std::fs::write(
        &costs,
        "handling_per_order = \"15\"\n[interactions]\nvisit = \"150\"\n",
    )
    .unwrap();
    let (t, i) = (s(&data("transactions.csv")), s(&data("interactions.csv")));
    same_from_stdin(
        &[
            "value",
            "profit",
            "--transactions",
            &t,
            "--interactions",
            &i,
            "--period",
            "2025",
            "--costs",
            "@",
            "--format",
            "json",
        ],
        &costs,
    );
}

#[test]
fn import_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let t = std::fs::read(data("transactions.csv")).unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let o = crm(&[
        "import",
        "--db",
        &s(&a),
        "--transactions",
        &s(&data("transactions.csv")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = crm_with_stdin(&["import", "--db", &s(&b), "--transactions", "-"], &t);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("<stdin>: "), "{}", stdout(&o));
    let p = |db: &Path| {
        stdout(&crm(&[
            "pyramid",
            "--db",
            &s(db),
            "--period",
            "2025",
            "--format",
            "json",
        ]))
    };
    assert_eq!(p(&a), p(&b));
}

#[test]
fn errors_name_standard_input() {
    let o = crm_with_stdin(
        &["pyramid", "--transactions", "-", "--period", "2024"],
        b"customer_id,date,revenue\r\n\"C1\",2024-01-01,1\r\nC2,2024-01-01,x\r\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("<stdin>:3: column 3 (revenue)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn at_most_one_input_from_standard_input() {
    let o = crm(&[
        "pyramid",
        "--transactions",
        "-",
        "--customers",
        "-",
        "--period",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("only one input"), "{}", stderr(&o));
    let o = crm(&[
        "import",
        "--db",
        "x.db",
        "--transactions",
        "-",
        "--leads",
        "-",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn import_rejects_have_the_lines_an_editor_shows() {
    // CRLF after a quoted field, a blank line after a quoted field, and a
    // CR-only file: the rejects file names the line of each bad row.
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "customer_id,date,revenue\r\n\"C1\",2024-01-01,1\r\nC2,2024-01-01,x\r\n",
            3,
        ),
        (
            "customer_id,date,revenue\n\"C1\",2024-01-01,1\n\nC2,2024-01-01,x\n",
            4,
        ),
        (
            "customer_id,date,revenue\rC1,2024-01-01,1\rC2,2024-01-01,x\r",
            3,
        ),
    ];
    for (i, (content, line)) in cases.iter().enumerate() {
        let t = dir.path().join(format!("t{i}.csv"));
        std::fs::write(&t, content).unwrap();
        let rejects = dir.path().join(format!("r{i}.csv"));
        let db = dir.path().join(format!("d{i}.db"));
        let o = crm(&[
            "import",
            "--db",
            &s(&db),
            "--transactions",
            &s(&t),
            "--lenient",
            "--rejects",
            &s(&rejects),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&rejects).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(
            row.contains(&format!(".csv,{line},3,revenue,")),
            "{content:?}: {row}"
        );
    }
}

#[test]
fn the_report_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let (t, c) = (s(&data("transactions.csv")), s(&data("customers.csv")));
    let (a, b) = (dir.path().join("a.html"), dir.path().join("b.html"));
    let args = |register: &str, out: &Path| -> Vec<String> {
        [
            "report",
            "--transactions",
            &t,
            "--customers",
            register,
            "--period",
            "2025",
            "--out",
        ]
        .iter()
        .map(|x| x.to_string())
        .chain([s(out)])
        .collect()
    };
    let direct = args(&c, &a);
    let o = crm(&direct.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let piped = args("-", &b);
    let o = crm_with_stdin(
        &piped.iter().map(String::as_str).collect::<Vec<_>>(),
        &std::fs::read(data("customers.csv")).unwrap(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

//! Progress: shown only on a terminal's standard error, and `--quiet`
//! everywhere.

use crate::util::{crm, data, stderr};

/// The subcommands listed in `crm [path] --help`.
fn subcommands(path: &[&str]) -> Vec<String> {
    let mut args = path.to_vec();
    args.push("--help");
    let help = String::from_utf8(crm(&args).stdout).unwrap();
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn quiet_is_accepted_by_every_command() {
    let top = subcommands(&[]);
    assert!(top.len() >= 10, "{top:?}");
    let mut paths: Vec<Vec<String>> = Vec::new();
    for c in &top {
        let nested = subcommands(&[c]);
        if nested.is_empty() {
            paths.push(vec![c.clone()]);
        }
        for n in nested {
            paths.push(vec![c.clone(), n]);
        }
    }
    for path in &paths {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        for args in [
            [&["--quiet"][..], &path[..], &["--help"][..]].concat(),
            [&path[..], &["--quiet", "--help"][..]].concat(),
            [&path[..], &["-q", "--help"][..]].concat(),
        ] {
            let o = crm(&args);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        }
    }
}

/// `crm report` on every shipped input, writing `out`.
fn report_args(out: &std::path::Path) -> Vec<String> {
    let file = |name: &str| data(name).display().to_string();
    [
        "report".to_string(),
        "--transactions".into(),
        file("transactions.csv"),
        "--customers".into(),
        file("customers.csv"),
        "--interactions".into(),
        file("interactions.csv"),
        "--period".into(),
        "2025".into(),
        "--out".into(),
        out.display().to_string(),
    ]
    .to_vec()
}

#[test]
fn no_progress_when_standard_error_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let args = report_args(&out);
    let report = crm(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let t = data("transactions.csv").display().to_string();
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(report.stdout.is_empty());
    let err = stderr(&report);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("crm: wrote "), "{err}");
    for o in [
        crm(&["pyramid", "--transactions", &t, "--period", "2025"]),
        crm(&[
            "pyramid",
            "--quiet",
            "--transactions",
            &t,
            "--period",
            "2025",
        ]),
        crm(&[
            "migration",
            "--transactions",
            &t,
            "--from",
            "2024",
            "--to",
            "2025",
        ]),
    ] {
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(o.stderr.is_empty(), "{}", stderr(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(!out.contains('\r') && !out.contains('\u{1b}'), "{out}");
    }
}

/// Runs `crm args` with its standard error (and output) on a terminal:
/// `script` gives it a pseudo-terminal and prints what the terminal got.
/// `stdout_to`, when given, takes standard output away from the terminal
/// into that file. Returns the terminal's text and whether crm succeeded.
fn on_terminal(args: &[&str], stdout_to: Option<&std::path::Path>) -> (String, bool) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut cmd = std::iter::once(env!("CARGO_BIN_EXE_crm"))
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(f) = stdout_to {
        cmd.push_str(&format!(" > {}", quote(&f.display().to_string())));
    }
    let o = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("COLUMNS", "160")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script (bsdutils)");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.success(),
    )
}

#[test]
fn a_terminal_gets_bars_by_bytes_and_quiet_silences_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let args = report_args(&out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (screen, ok) = on_terminal(&args, None);
    assert!(ok, "{screen}");
    // The streamed inputs draw a bar against the file's size.
    let size = std::fs::metadata(data("customers.csv")).unwrap().len();
    assert!(screen.contains("reading "), "{screen}");
    assert!(screen.contains('['), "{screen}");
    assert!(
        screen.contains(&format!("{:.2} KiB", size as f64 / 1024.0)),
        "no bar against {size} bytes in {screen}"
    );
    assert!(screen.contains("crm: wrote "), "{screen}");
    let page = std::fs::read(&out).unwrap();
    // --quiet: only the closing line reaches the terminal, and the page is
    // the same.
    let (quiet, ok) = on_terminal(&[&["--quiet"][..], &args[..]].concat(), None);
    assert!(ok, "{quiet}");
    assert!(
        !quiet.contains("reading") && !quiet.contains('\u{1b}'),
        "{quiet}"
    );
    assert!(quiet.trim_start().starts_with("crm: wrote "), "{quiet}");
    assert_eq!(std::fs::read(&out).unwrap(), page);
}

#[test]
fn results_on_standard_output_stay_exact_beside_a_bar() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("p.json");
    let t = data("transactions.csv").display().to_string();
    let (screen, ok) = on_terminal(
        &[
            "clv",
            "predict",
            "--model",
            "bg-nbd",
            "--transactions",
            &t,
            "--calibration-end",
            "2024-12-31",
            "--format",
            "json",
        ],
        Some(&json),
    );
    assert!(ok, "{screen}");
    // Reading, fitting and predicting showed on the terminal...
    for step in ["reading ", "predicting "] {
        assert!(screen.contains(step), "{step} missing in {screen}");
    }
    // ... and none of it in the results.
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\r'));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["customers"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn an_import_shows_one_bar_over_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db").display().to_string();
    let t = data("transactions.csv").display().to_string();
    let c = data("customers.csv").display().to_string();
    let total = ["transactions.csv", "customers.csv"]
        .iter()
        .map(|f| std::fs::metadata(data(f)).unwrap().len())
        .sum::<u64>();
    let (screen, ok) = on_terminal(
        &[
            "import",
            "--db",
            &db,
            "--customers",
            &c,
            "--transactions",
            &t,
        ],
        None,
    );
    assert!(ok, "{screen}");
    assert!(screen.contains("importing into"), "{screen}");
    let mib = total as f64 / 1024.0 / 1024.0;
    assert!(
        screen.contains(&format!("{mib:.2} MiB")),
        "no bar against {total} bytes in {screen}"
    );
}

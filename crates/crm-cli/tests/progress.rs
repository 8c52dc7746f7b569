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

#[test]
fn no_progress_when_standard_error_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let t = data("transactions.csv").display().to_string();
    let c = data("customers.csv").display().to_string();
    let i = data("interactions.csv").display().to_string();
    let report = crm(&[
        "report",
        "--transactions",
        &t,
        "--customers",
        &c,
        "--interactions",
        &i,
        "--period",
        "2025",
        "--out",
        out.to_str().unwrap(),
    ]);
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

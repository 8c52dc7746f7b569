//! Parquet input (a file or a folder) gives what the CSV gives; results
//! written as Parquet hold the CSV's table, typed.

use std::path::{Path, PathBuf};

use crm::parquet::{ColumnData, read_table};

use crate::util::{crm, data, stderr, stdout};

/// The example transactions converted to Parquet in `dir`.
fn converted(dir: &Path) -> PathBuf {
    let out = dir.join("transactions.parquet");
    let o = crm(&[
        "convert",
        "--transactions",
        &data("transactions.csv").display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wrote 21185 transactions"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("DECIMAL(18, 2)"), "{}", stderr(&o));
    out
}

/// `crm args` with `--transactions` set to `transactions`: its output.
fn with(transactions: &Path, args: &[&str]) -> String {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.push("--transactions".into());
    all.push(transactions.display().to_string());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let o = crm(&all);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn parquet_file_and_folder_give_the_csv_results() {
    let dir = tempfile::tempdir().unwrap();
    let pq = converted(dir.path());
    let folder = dir.path().join("parts");
    std::fs::create_dir(&folder).unwrap();
    // The folder holds the CSV's rows in their own order (the file above is
    // sorted by customer): both give the CSV's results.
    let o = crm(&[
        "convert",
        "--keep-order",
        "--transactions",
        &data("transactions.csv").display().to_string(),
        "--out",
        &folder.join("part-0.parquet").display().to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = data("transactions.csv");
    let customers = data("customers.csv").display().to_string();
    for args in [
        vec![
            "pyramid",
            "--period",
            "2025",
            "--format",
            "json",
            "--assignments",
        ],
        vec!["migration", "--periods", "2022..2025", "--format", "json"],
        vec!["value", "rfm", "--as-of", "2025-06-30", "--format", "csv"],
        vec![
            "actions",
            "--period",
            "2025",
            "--format",
            "csv",
            "--customers",
            &customers,
        ],
    ] {
        let expected = with(&csv, &args);
        assert_eq!(with(&pq, &args), expected, "{args:?}");
        assert_eq!(with(&folder, &args), expected, "{args:?} on a folder");
    }
}

#[test]
fn results_as_parquet_are_the_csv_table_typed() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data("transactions.csv").display().to_string();
    let out = dir.path().join("assignments.parquet");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args([
            "pyramid",
            "--transactions",
            &csv,
            "--period",
            "2025",
            "--assignments",
            "--format",
            "parquet",
        ])
        .stdout(std::fs::File::create(&out).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let table = read_table(&out).unwrap();
    let names: Vec<_> = table.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["customer", "level", "rank", "value"]);
    assert!(matches!(table[2].data, ColumnData::Int(_)));
    let ColumnData::Decimal(values) = &table[3].data else {
        panic!("value is {:?}", table[3].data);
    };
    // The same rows as the CSV, values exactly.
    let text = with(
        &data("transactions.csv"),
        &[
            "pyramid",
            "--period",
            "2025",
            "--assignments",
            "--format",
            "csv",
        ],
    );
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), values.len());
    for (row, v) in rows.iter().zip(values) {
        let csv_value: crm::Decimal = row.rsplit(',').next().unwrap().parse().unwrap();
        assert_eq!(Some(csv_value), *v, "{row}");
    }
    // A summary table too: the pyramid's levels, and the actions.
    for args in [
        vec!["pyramid", "--period", "2025", "--format", "parquet"],
        vec!["actions", "--period", "2025", "--format", "parquet"],
    ] {
        let mut all = args.clone();
        all.insert(1, "--transactions");
        all.insert(2, &csv);
        let path = dir.path().join("t.parquet");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
            .args(&all)
            .stdout(std::fs::File::create(&path).unwrap())
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let t = read_table(&path).unwrap();
        assert!(
            !t.is_empty()
                && t.iter()
                    .all(|c| !matches!(&c.data, ColumnData::Text(v) if v.is_empty())),
            "{args:?}"
        );
    }
}

#[test]
fn parquet_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.parquet");
    std::fs::write(&bad, "customer_id,date,revenue\n").unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        &bad.display().to_string(),
        "--period",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bad.parquet: not a readable Parquet file"),
        "{e}"
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        &empty.display().to_string(),
        "--period",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no *.parquet file in the folder"),
        "{}",
        stderr(&o)
    );
}

/// A conversion that fails while writing (here: a file size limit, as a
/// full disk would) leaves what was at `--out` as it was: a regular file is
/// replaced only when the new one is whole, and a link (as to a device or
/// to standard output) is written through and never removed.
#[test]
fn a_failed_conversion_keeps_what_was_there() {
    let dir = tempfile::tempdir().unwrap();
    let good = converted(dir.path());
    let before = std::fs::read(&good).unwrap();
    // Writes beyond 20 KiB fail with "file too large" (the signal that
    // would end the process instead is ignored).
    let limited = |out: &Path| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 40; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_crm"))
            .args([
                "convert",
                "--transactions",
                &data("transactions.csv").display().to_string(),
                "--out",
                &out.display().to_string(),
            ])
            .output()
            .unwrap()
    };
    let o = limited(&good);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&good).unwrap(), before);
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("crm-convert")),
        "{names:?}"
    );
    let link = dir.path().join("link.parquet");
    std::os::unix::fs::symlink(&good, &link).unwrap();
    let o = limited(&link);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// `convert --keep-order` reads its input twice: an input that can be read
/// once only (a FIFO, as `<(...)` gives, or `/dev/stdin` on a pipe) is
/// copied first, and converts as the file itself does; nothing hangs.
#[test]
fn keep_order_converts_a_fifo_and_a_pipe_as_the_file() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let csv = data("transactions.csv");
    let bytes = std::fs::read(&csv).unwrap();
    let convert = |input: &Path, out: &Path| {
        vec![
            "convert".to_string(),
            "--keep-order".into(),
            "--transactions".into(),
            input.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    let expected = dir.path().join("expected.parquet");
    let args = convert(&csv, &expected);
    let o = crm(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = read_table(&expected).unwrap();

    let fifo = dir.path().join("transactions.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let got = dir.path().join("fifo.parquet");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(convert(&fifo, &got))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let writer = {
        let (fifo, bytes) = (fifo.clone(), bytes.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let _ = f.write_all(&bytes);
        })
    };
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("crm convert --keep-order hangs on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().unwrap();
    let mut e = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut e).unwrap();
    assert!(status.success(), "{e}");
    assert!(e.contains("wrote 21185 transactions"), "{e}");
    assert_eq!(read_table(&got).unwrap(), expected);

    let got = dir.path().join("pipe.parquet");
    let args = convert(Path::new("/dev/stdin"), &got);
    let o =
        crate::util::crm_with_stdin(&args.iter().map(String::as_str).collect::<Vec<_>>(), &bytes);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wrote 21185 transactions"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read_table(&got).unwrap(), expected);
}

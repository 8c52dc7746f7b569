//! Nothing from the data drives the terminal: control characters (C0, C1,
//! ESC), bidirectional controls and zero-width characters are escaped in
//! everything printed for people; JSON and CSV keep the data exact.

use crate::util::{crm, crm_with_stdin, stderr, stdout};

/// Characters that must not reach a terminal as themselves.
fn hostile(c: char) -> bool {
    c.is_control() && c != '\n'
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}' | '\u{feff}')
}

fn clean(text: &str) -> bool {
    !text.chars().any(hostile)
}

/// Keys refuse C0 controls (ESC among them); these pass.
const KEYS: [&str; 4] = ["A\u{9b}2JB", "C\u{9b}31mD", "E\u{202e}F", "G\u{200b}H"];

fn transactions() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("customer_id,date,revenue,product\n");
    for (i, k) in KEYS.iter().enumerate() {
        text.push_str(&format!(
            "\"{k}\",2024-01-0{},{},\"x\u{1b}]0;title\u{7}\"\n",
            i + 1,
            i + 1
        ));
    }
    let path = dir.path().join("t.csv");
    std::fs::write(&path, text).unwrap();
    let p = path.display().to_string();
    (dir, p)
}

#[test]
fn tables_escape_keys_json_and_csv_keep_them() {
    let (_dir, t) = transactions();
    let base = [
        "pyramid",
        "--transactions",
        &t,
        "--period",
        "2024",
        "--assignments",
    ];
    let table = crm(&base);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(clean(&text), "{text:?}");
    assert!(
        text.contains("A\\u{9b}2JB") && text.contains("E\\u{202e}F"),
        "{text}"
    );

    for format in ["json", "csv"] {
        let mut args = base.to_vec();
        args.extend(["--format", format]);
        let out = stdout(&crm(&args));
        for k in KEYS {
            let exact = if format == "json" {
                serde_json::to_string(k).unwrap()
            } else {
                k.to_string()
            };
            assert!(out.contains(&exact), "{format}: {k:?} in {out:?}");
        }
    }
    let rfm = crm(&[
        "value",
        "rfm",
        "--transactions",
        &t,
        "--as-of",
        "2025-01-01",
    ]);
    assert!(rfm.status.success(), "{}", stderr(&rfm));
    assert!(clean(&stdout(&rfm)));
}

#[test]
fn header_bytes_in_missing_column_errors_are_escaped() {
    let o = crm_with_stdin(
        &["pyramid", "--transactions", "-", "--period", "2024"],
        b"cust\x1b[2J\xc2\x9b,date\xe2\x80\xae,revenue\nC1,2024-01-01,1\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("missing column") && e.contains("cust\\u{1b}[2J"),
        "{e}"
    );
    assert!(clean(&e), "{e:?}");
}

#[test]
fn binary_input_is_escaped() {
    // The start of a gzip file, as `crm pyramid --transactions x.csv.gz`
    // reads it.
    let mut gz = vec![
        0x1f, 0x8b, 0x08, 0x00, 0x1b, b'[', b'2', b'J', 0x9b, 0x07, 0x00,
    ];
    gz.extend((0u8..=255).collect::<Vec<_>>());
    let o = crm_with_stdin(&["pyramid", "--transactions", "-", "--period", "2024"], &gz);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(clean(&e), "{e:?}");
    assert_eq!(e.matches('\n').count(), 1, "{e:?}");
}

#[test]
fn lenient_reports_and_the_customer_command_are_escaped() {
    let (dir, t) = transactions();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "customer_id,date,revenue\nK1,2024-01-01,\u{1b}[31mx\u{202e}\n",
    )
    .unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        &bad.display().to_string(),
        "--period",
        "2024",
        "--lenient",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped"), "{}", stderr(&o));
    assert!(clean(&stderr(&o)), "{:?}", stderr(&o));

    let db = dir.path().join("x.db").display().to_string();
    let c = dir.path().join("c.csv");
    std::fs::write(
        &c,
        "customer_id,stage,name\n\"A\u{9b}2JB\",customer,\"\u{1b}]0;pwned\u{7}\u{202e}\"\n",
    )
    .unwrap();
    let o = crm(&[
        "import",
        "--db",
        &db,
        "--customers",
        &c.display().to_string(),
        "--transactions",
        &t,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = crm(&["customer", "--db", &db, KEYS[0]]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("\\u{1b}]0;pwned"), "{}", stdout(&o));
    assert!(clean(&stdout(&o)), "{:?}", stdout(&o));
}

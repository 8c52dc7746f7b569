//! A byte-order mark is not data: wherever an export or a concatenation of
//! exports leaves one (the start of the file, the start of a line, either
//! end of a field, quoted or not), it is dropped, so that `\u{feff}C1` is
//! never a second, invisible customer beside `C1`.

use crm_core::Ledger;
use crm_csv::{ImportOptions, customers, read_customers, read_transactions, transactions};

use crate::util::{Fixture, year};

const ROWS: [&str; 6] = [
    "C1,2024-01-01,1\n",
    "\u{feff}C1,2024-01-02,1\n",
    "\u{feff}\"C1\",2024-01-03,1\n",
    "\"\u{feff}C1\",2024-01-04,1\n",
    "\" C1\u{feff}\",2024-01-05,1\n",
    "C1,\u{feff}2024-01-06\u{feff},1\n",
];

/// Every order of the rows: the first data line, a line after a quoted
/// field, a line read by either reader.
fn contents() -> Vec<String> {
    (0..ROWS.len())
        .map(|k| {
            let mut s = String::from("\u{feff}customer_id,date,revenue\n");
            for i in 0..ROWS.len() {
                s.push_str(ROWS[(i + k) % ROWS.len()]);
            }
            s
        })
        .collect()
}

#[test]
fn a_bom_at_a_line_start_or_around_a_field_is_dropped() {
    let f = Fixture::new();
    for content in contents() {
        let path = f.file("t.csv", &content);
        let mut l = Ledger::new([year()]);
        let r = read_transactions(&path, &ImportOptions::new(), &mut l).unwrap();
        assert_eq!(r.imported, 6);
        assert_eq!(l.len(), 1, "{content:?}");
        assert!(l.id("C1").is_some());

        let keys: Vec<String> = transactions(content.as_bytes(), "t.csv", &ImportOptions::new())
            .unwrap()
            .map(|t| t.unwrap().customer.to_string())
            .collect();
        assert_eq!(keys, ["C1"; 6], "{content:?}");
    }
}

#[test]
fn a_bom_inside_a_value_is_kept() {
    // Only the ends are trimmed: a mark between characters is data.
    let content = "customer_id,name\nC1,\"a\u{feff}b\"\n";
    let names: Vec<Option<String>> = customers(content.as_bytes(), "c.csv", &ImportOptions::new())
        .unwrap()
        .map(|c| c.unwrap().name)
        .collect();
    assert_eq!(names, [Some("a\u{feff}b".to_string())]);
    let f = Fixture::new();
    let path = f.file("c.csv", "customer_id\nC1\n\u{feff}C1\n\"\u{feff}C1\"\n");
    let mut l = Ledger::new([]);
    read_customers(&path, &ImportOptions::new(), &mut l).unwrap();
    assert_eq!(l.len(), 1);
}

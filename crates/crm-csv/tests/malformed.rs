//! Strict mode: each malformed input stops the import with an error
//! naming file, line, column and value. Lenient mode: each is skipped,
//! counted and reported.

use crm_csv::{Error, ImportOptions, Mode, Problem};

use crate::util::{Fixture, error, import, revenue};

#[test]
fn bad_date() {
    let e = error("customer_id,date,revenue\nC1,2024-01-01,10\nC2,2024-02-30,5\n");
    assert_eq!(
        e,
        "t.csv:3: column 2 (date): bad value \"2024-02-30\": expected a date like 2024-03-01, 01-03-2024, 1/3/2024 (day first) or 20240301"
    );
}

#[test]
fn bad_number() {
    let e = error("customer_id,date,revenue\nC1,2024-01-01,12.5x\n");
    assert!(
        e.starts_with("t.csv:2: column 3 (revenue): bad value \"12.5x\""),
        "{e}"
    );
}

#[test]
fn thousands_separators_are_refused_not_misread() {
    let e = error("customer_id;date;revenue\nC1;2024-01-01;1.234,50\n");
    assert!(
        e.contains("column 3 (revenue)") && e.contains("decimal comma"),
        "{e}"
    );
}

#[test]
fn missing_value() {
    let e = error("customer_id,date,revenue\nC1,,10\n");
    assert_eq!(
        e,
        "t.csv:2: column 2 (date): missing value: the field is empty"
    );
    let e = error("customer_id,date,revenue\n,2024-01-01,10\n");
    assert_eq!(
        e,
        "t.csv:2: column 1 (customer_id): missing value: the field is empty"
    );
}

#[test]
fn missing_column() {
    let e = error("customer_id,day,revenue\nC1,2024-01-01,10\n");
    assert_eq!(
        e,
        "t.csv:1: missing column \"date\" (the header has: customer_id, day, revenue)"
    );
}

#[test]
fn a_missing_column_quotes_at_most_200_characters_of_the_header() {
    // A binary file read as CSV: its "header" is whatever precedes the
    // first newline, up to 64 KiB.
    let header: String = (0..5000).map(|i| format!("c{i},")).collect();
    let e = error(&format!("{header}\nx\n"));
    let found = e.split_once("(the header has: ").unwrap().1;
    assert_eq!(found.chars().count(), 200 + "...)".len(), "{e}");
    assert!(found.starts_with("c0, c1, c2"), "{e}");
}

#[test]
fn duplicate_column() {
    let e = error("customer_id,date,revenue,Date\nC1,2024-01-01,10,x\n");
    assert_eq!(e, "t.csv:1: column \"Date\" appears twice in the header");
}

#[test]
fn short_row() {
    let e = error("customer_id,date,revenue\nC1,2024-01-01,10\nC2,2024-01-01\n");
    assert_eq!(e, "t.csv:3: row has 2 fields, the header has 3");
}

#[test]
fn long_row() {
    let e = error("customer_id,date,revenue\nC1,2024-01-01,10,extra\n");
    assert_eq!(e, "t.csv:2: row has 4 fields, the header has 3");
}

#[test]
fn empty_file_and_blank_file() {
    for content in ["", "\n\n", "\u{feff}", "   \n"] {
        let (r, _) = import(content, &ImportOptions::new());
        assert!(matches!(r, Err(Error::Empty { .. })), "{content:?}: {r:?}");
    }
}

#[test]
fn header_only_is_an_empty_import() {
    let (r, l) = import("customer_id,date,revenue\n", &ImportOptions::new());
    let r = r.unwrap();
    assert_eq!((r.rows, r.imported), (0, 0));
    assert!(l.is_empty());
}

#[test]
fn invalid_utf8_key() {
    let (r, _) = import(
        b"customer_id,date,revenue\nC\xff1,2024-01-01,10\n",
        &ImportOptions::new(),
    );
    let e = r.unwrap_err();
    assert_eq!(e.location().unwrap().line, 2);
    assert_eq!(e.location().unwrap().column, Some(1));
    assert_eq!(e.problem(), Some(&Problem::Utf8));
}

#[test]
fn bad_key() {
    let e = error("customer_id,date,revenue\n\"C\n1\",2024-01-01,10\n");
    assert!(
        e.starts_with("t.csv:2: column 1 (customer_id): invalid customer key"),
        "{e}"
    );
}

#[test]
fn line_numbers_count_quoted_newlines() {
    let e =
        error("customer_id,date,revenue,product\nC1,2024-01-01,10,\"two\nlines\"\nC2,bad,1,x\n");
    assert!(e.starts_with("t.csv:4: column 2 (date)"), "{e}");
}

#[test]
fn overflow_is_a_row_error() {
    let big = "79228162514264337593543950335";
    let (r, _) = import(
        format!("customer_id,date,revenue\nC1,2024-01-01,{big}\nC1,2024-01-02,{big}\n"),
        &ImportOptions::new(),
    );
    let e = r.unwrap_err().to_string();
    assert!(e.contains(":3") && e.contains("overflow"), "{e}");
}

#[test]
fn lenient_mode_skips_counts_and_reports_every_bad_row() {
    let content = "customer_id,date,revenue\n\
                   C1,2024-01-01,10\n\
                   C2,2024-13-01,5\n\
                   C3,2024-01-01,abc\n\
                   C4,2024-01-01\n\
                   C5,2024-01-01,7\n";
    let (r, l) = import(content, &ImportOptions::new().mode(Mode::Lenient));
    let r = r.unwrap();
    assert_eq!((r.rows, r.imported, r.rejects.len()), (5, 2, 3));
    let lines: Vec<u64> = r.rejects.iter().map(|x| x.location.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert_eq!(r.rejects[0].location.field.as_deref(), Some("date"));
    assert_eq!(r.rejects[1].record, ["C3", "2024-01-01", "abc"]);
    assert_eq!(revenue(&l, "C5").to_string(), "7");
    assert!(l.id("C2").is_none());
}

#[test]
fn rejects_file_lists_every_skipped_row() {
    let f = Fixture::new();
    let (r, _) = import(
        "customer_id,date,revenue\nC1,x,1\n=cmd,2024-01-01,y\n",
        &ImportOptions::new().mode(Mode::Lenient),
    );
    let path = f.dir.path().join("rejects.csv");
    crm_csv::write_rejects(&path, &r.unwrap().rejects).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("file,line,column,field,problem,record"));
    assert!(lines[1].contains(",2,2,date,"), "{text}");
    // The rejected key is protected against formula injection.
    assert!(lines[2].contains(",'=cmd,"), "{text}");
}

#[test]
fn missing_file_is_an_io_error() {
    let mut l = crm_core::Ledger::new([]);
    let e = crm_csv::read_transactions("/nonexistent/t.csv", &ImportOptions::new(), &mut l)
        .unwrap_err();
    assert!(e.is_io());
    assert!(e.to_string().starts_with("/nonexistent/t.csv: "), "{e}");
}

#[test]
fn bad_register_and_interaction_rows() {
    let f = Fixture::new();
    let mut l = crm_core::Ledger::new([]);
    let c = f.file(
        "c.csv",
        "customer_id,stage,potential\nP1,prospect,100\nP2,lead,5\n",
    );
    let e = crm_csv::read_customers(&c, &ImportOptions::new(), &mut l)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("c.csv:3: column 2 (stage): invalid lifecycle stage \"lead\": expected one of suspect prospect customer "), "{e}");
    let i = f.file(
        "i.csv",
        "customer_id,date,kind\nP1,2024-01-01,call\nP1,2024-01-02,fax\n",
    );
    let e = crm_csv::read_interactions(&i, &ImportOptions::new(), &mut l)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("i.csv:3: column 3 (kind): bad value \"fax\""),
        "{e}"
    );
    let c = f.file("c2.csv", "customer_id,consent_email\nP1,maybe\n");
    let e = crm_csv::read_customers(&c, &ImportOptions::new(), &mut l)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("c2.csv:2: column 2 (consent_email): bad value \"maybe\""),
        "{e}"
    );
}

#[test]
fn the_ledger_survives_a_failed_import() {
    // A register read first, then a transactions file with a bad row: the
    // ledger still holds the register.
    let f = Fixture::new();
    let c = f.file("c.csv", "customer_id,stage\nP1,prospect\n");
    let t = f.file(
        "t.csv",
        "customer_id,date,revenue\nC1,2024-01-01,1\nC2,2024-01-02,x\n",
    );
    let mut l = crm_core::Ledger::new([crate::util::year()]);
    crm_csv::read_customers(&c, &ImportOptions::new(), &mut l).unwrap();
    assert!(crm_csv::read_transactions(&t, &ImportOptions::new(), &mut l).is_err());
    assert!(l.id("P1").is_some());
    assert_eq!(l.periods(), &[crate::util::year()]);
}

/// A quote opened in the last column and never closed would make CSV read
/// the following rows as part of that field, losing them silently: the
/// record is refused, naming the field where the quote opened, by the
/// ledger importer and by the record iterators alike.
#[test]
fn an_unclosed_quote_does_not_swallow_the_rows_after_it() {
    let data = "customer_id,date,kind,cost,note\n\
                C1,2024-01-01,visit,1,\"hello\n\
                C2,2024-01-02,visit,1,fine\n\
                C3,2024-01-03,visit,1,ok\n";
    let f = Fixture::new();
    let path = f.file("i.csv", data);
    let mut ledger = crm_core::Ledger::new([crate::util::year()]);
    let e = crm_csv::read_interactions(&path, &ImportOptions::new(), &mut ledger)
        .unwrap_err()
        .to_string();
    assert!(e.contains("i.csv:2: column 5 (note)"), "{e}");
    assert!(e.contains("never closed"), "{e}");

    let lenient = ImportOptions::new().mode(Mode::Lenient);
    let mut ledger = crm_core::Ledger::new([crate::util::year()]);
    let report = crm_csv::read_interactions(&path, &lenient, &mut ledger).unwrap();
    assert_eq!(report.rejects.len(), 1, "{report:?}");

    let e = first_error(crm_csv::interactions(
        data.as_bytes(),
        "i.csv",
        &ImportOptions::new(),
    ));
    assert!(e.contains("i.csv:2: column 5 (note)"), "{e}");

    let leads = "lead_id,customer_id,stage,date,value,owner\n\
                 L1,C1,lead,2024-01-01,1,\"ann\n\
                 L2,C2,lead,2024-01-01,1,bob\n";
    let e = first_error(crm_csv::leads(
        leads.as_bytes(),
        "l.csv",
        &ImportOptions::new(),
    ));
    assert!(e.contains("l.csv:2: column 6 (owner)"), "{e}");
}

/// A quote opened in the last row's field and never closed runs to the end
/// of the file; CSV readers accept it as if it were closed. It is refused,
/// naming the row and the field, with or without a final line break, by
/// the ledger importer and by the record iterators alike; a quote closed
/// at the very end is fine.
#[test]
fn a_quote_left_open_at_the_end_of_the_file_is_refused() {
    for tail in ["", "\n", "\r\n", "\n\n"] {
        let data = format!("customer_id,date,revenue\nC1,2024-01-01,10\nC2,2024-01-02,\"20{tail}");
        let e = error(&data);
        assert!(
            e.starts_with("t.csv:3: column 3 (revenue)"),
            "{tail:?}: {e}"
        );
        assert!(e.contains("never closed"), "{e}");
        let e = first_error(crm_csv::transactions(
            data.as_bytes(),
            "t.csv",
            &ImportOptions::new(),
        ));
        assert!(
            e.starts_with("t.csv:3: column 3 (revenue)"),
            "{tail:?}: {e}"
        );
    }
    let f = Fixture::new();
    let path = f.file(
        "t.csv",
        "customer_id,date,revenue\nC1,2024-01-01,10\nC2,2024-01-02,\"2\n0",
    );
    let lenient = ImportOptions::new().mode(Mode::Lenient);
    let mut ledger = crm_core::Ledger::new([crate::util::year()]);
    let report = crm_csv::read_transactions(&path, &lenient, &mut ledger).unwrap();
    assert_eq!(report.rejects.len(), 1, "{report:?}");
    assert_eq!(report.rejects[0].record[2], "2\n0");
    for closed in ["\"20\"", "\"20\"\n", "\"20\"\r\n"] {
        let data = format!("customer_id,date,revenue\nC1,2024-01-01,10\nC2,2024-01-02,{closed}");
        let (r, ledger) = import(&data, &ImportOptions::new());
        r.unwrap_or_else(|e| panic!("{closed}: {e}"));
        assert_eq!(
            revenue(&ledger, "C2"),
            revenue(&ledger, "C1") + revenue(&ledger, "C1")
        );
    }
}

/// A note that truly spans lines, with fewer delimiters on its later lines
/// than a row has, is kept whole.
#[test]
fn a_quoted_note_over_several_lines_is_kept() {
    let data = "customer_id,date,kind,cost,note\n\
                C1,2024-01-01,visit,1,\"called back,\nleft a message\"\n\
                C3,2024-01-03,visit,1,ok\n";
    let rows: Vec<_> = crm_csv::interactions(data.as_bytes(), "i.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].note.as_deref(),
        Some("called back,\nleft a message")
    );
}

/// Ids and labels (transaction, interaction and lead ids, campaign, owner,
/// source, lost reason) follow a customer key's rules: a runaway field or
/// a control character is refused, naming the field.
#[test]
fn ids_and_labels_are_bounded_and_printable() {
    let long = "x".repeat(100_000);
    // The ledger does not read ids; the records a store imports do.
    let data = format!("transaction_id,customer_id,date,revenue\n{long},C1,2024-01-01,10\n");
    let e = first_error(crm_csv::transactions(
        data.as_bytes(),
        "t.csv",
        &ImportOptions::new(),
    ));
    assert!(
        e.starts_with("t.csv:2: column 1 (transaction_id): bad value"),
        "{e}"
    );
    assert!(e.contains("at most 1024 bytes"), "{e}");

    let leads = "lead_id,customer_id,stage,date,value,owner\nL1,C1,lead,2024-01-01,1,an\0n\n";
    let e = first_error(crm_csv::leads(
        leads.as_bytes(),
        "l.csv",
        &ImportOptions::new(),
    ));
    assert!(e.contains("l.csv:2: column 6 (owner): bad value"), "{e}");

    let lead_id = format!("lead_id,customer_id,stage,date,value\n{long},C1,lead,2024-01-01,1\n");
    let e = first_error(crm_csv::leads(
        lead_id.as_bytes(),
        "l.csv",
        &ImportOptions::new(),
    ));
    assert!(e.contains("l.csv:2: column 1 (lead_id): bad value"), "{e}");

    let interactions = "customer_id,date,kind,campaign\nC1,2024-01-01,campaign-sent,spring\x07\n";
    let e = first_error(crm_csv::interactions(
        interactions.as_bytes(),
        "i.csv",
        &ImportOptions::new(),
    ));
    assert!(e.contains("i.csv:2: column 4 (campaign): bad value"), "{e}");
}

/// The first row error of a record iterator, as text.
fn first_error<T>(records: crm_csv::Result<impl Iterator<Item = crm_csv::Result<T>>>) -> String {
    records
        .expect("the header is good")
        .find_map(Result::err)
        .expect("an error")
        .to_string()
}

/// Keys take one of two paths in the reader (plain ASCII checked in one
/// pass, anything else checked as UTF-8 and by the key rules), and their
/// text is made once per batch: valid keys of both kinds are recorded
/// under their own key, bad ones are refused at their own line and column
/// with the reason, in both modes.
#[test]
fn keys_on_both_paths_are_checked_at_their_line() {
    let mut csv = b"customer_id,date,revenue\n".to_vec();
    let rows: [&[u8]; 9] = [
        b"C1,2024-01-02,1\n",
        "Zo\u{eb},2024-01-02,2\n".as_bytes(),
        b"C\x01X,2024-01-02,3\n",
        b"\xff\xfeA,2024-01-02,4\n",
        b"C\x7f,2024-01-02,5\n",
        b" C2 ,2024-01-02,6\n",
        b"a-long-key-of-more-than-sixteen-bytes,2024-01-02,7\n",
        "\u{feff}C3,2024-01-02,8\n".as_bytes(),
        b",2024-01-02,9\n",
    ];
    for r in rows {
        csv.extend_from_slice(r);
    }
    let (r, ledger) = import(&csv, &ImportOptions::new().mode(Mode::Lenient));
    let report = r.unwrap();
    let refused: Vec<(u64, Option<usize>, String)> = report
        .rejects
        .iter()
        .map(|r| (r.location.line, r.location.column, r.problem.to_string()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                4,
                Some(1),
                "invalid customer key \"C\\u{1}X\": control character".to_string()
            ),
            (5, Some(1), "field is not valid UTF-8".to_string()),
            (
                6,
                Some(1),
                "invalid customer key \"C\\u{7f}\": control character".to_string()
            ),
            (10, Some(1), "missing value: the field is empty".to_string()),
        ]
    );
    let keys: Vec<&str> = ledger.ids().map(|id| ledger.key(id).unwrap()).collect();
    assert_eq!(
        keys,
        [
            "C1",
            "Zo\u{eb}",
            "C2",
            "a-long-key-of-more-than-sixteen-bytes",
            "C3"
        ]
    );
    assert_eq!(revenue(&ledger, "Zo\u{eb}"), "2".parse().unwrap());
    assert_eq!(revenue(&ledger, "C3"), "8".parse().unwrap());
    // Strict mode stops at the first.
    let (r, _) = import(&csv, &ImportOptions::new());
    let e = r.unwrap_err().to_string();
    assert!(
        e.ends_with(
            "t.csv:4: column 1 (customer_id): invalid customer key \"C\\u{1}X\": control character"
        ),
        "{e}"
    );
}

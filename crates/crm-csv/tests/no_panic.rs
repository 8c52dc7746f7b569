//! On any input: a clear error or a reported skip, never a panic.

use crm_core::Ledger;
use crm_csv::{
    ImportOptions, Mode, read_customers, read_interactions, read_transactions, transactions,
};
use proptest::prelude::*;

use crate::util::{Fixture, year};

/// Bytes that look a little like CSV, so that parsing gets past the header.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(b"customer_id,date,revenue,margin\n".to_vec()),
        Just(b"customer_id;date;kind;cost\n".to_vec()),
        Just(b"customer_id,stage,potential,consent_email\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    let body = prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(vec![b'C', b'1', b'2', b'-', b'.', b',', b';', b'"', b'\n', b'\r', b' ', b'\t', b'0', b'9', b'/', b'e']),
            1 => any::<u8>(),
        ],
        0..400,
    );
    (header, body).prop_map(|(mut h, b)| {
        h.extend(b);
        h
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn prop_no_panic_on_any_input(bytes in csvish(), lenient in any::<bool>(), threads in 1usize..3) {
        let f = Fixture::new();
        let path = f.file("any.csv", &bytes);
        let mode = if lenient { Mode::Lenient } else { Mode::Strict };
        let o = ImportOptions::new().mode(mode).threads(threads);
        let mut l = Ledger::new([year()]);
        let _ = read_transactions(&path, &o, &mut l);
        let _ = read_customers(&path, &o, &mut l);
        let _ = read_interactions(&path, &o, &mut l);
        if let Ok(it) = transactions(bytes.as_slice(), "any.csv", &o) {
            for r in it {
                let _ = r;
            }
        }
    }

    /// In lenient mode every data row is either imported or reported.
    #[test]
    fn prop_lenient_accounts_for_every_row(rows in prop::collection::vec(("[A-C][0-9]?", "(2024-0[1-9]-1[0-9]|bad|)", "(-?[0-9]{1,4}(\\.[0-9]{1,2})?|x|)"), 0..60)) {
        let mut text = String::from("customer_id,date,revenue\n");
        for (k, d, v) in &rows {
            text.push_str(&format!("{k},{d},{v}\n"));
        }
        let f = Fixture::new();
        let path = f.file("t.csv", &text);
        let mut l = Ledger::new([year()]);
        let r = read_transactions(&path, &ImportOptions::new().mode(Mode::Lenient), &mut l).unwrap();
        prop_assert_eq!(r.rows, rows.len() as u64);
        prop_assert_eq!(r.imported + r.rejects.len() as u64, r.rows);
        prop_assert_eq!(l.stats().transactions, r.imported);
    }
}

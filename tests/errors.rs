//! The facade's error: every crate's error converts into it, and a cause
//! is matched at one level, whichever crate met it.

use crm::pyramid::{PyramidOptions, pyramid};
use crm::{Ledger, ModelError, NaiveDate, Period};
use proptest::prelude::*;

fn untracked(e: &crm::Error) -> bool {
    matches!(e, crm::Error::Model(ModelError::UntrackedPeriod { .. }))
}

/// A ledger tracking 2024 only, with one sale.
fn ledger() -> Ledger {
    let mut l = Ledger::new(["2024".parse().unwrap()]);
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    l.record_sale("A", day, "10".parse().unwrap(), None)
        .unwrap();
    l
}

proptest! {
    /// An untracked period is one variant through every crate: the
    /// pyramid, a migration series, the value analyses, a strategy and the
    /// report meet it inside, and the facade error says it flat.
    #[test]
    fn an_untracked_period_is_matched_at_one_level(year in 1990i32..2100) {
        prop_assume!(year != 2024);
        let l = ledger();
        let y = Period::year(year).unwrap();
        let known: Period = "2024".parse().unwrap();
        let e: crm::Error = pyramid(&l, &y, &PyramidOptions::new()).unwrap_err().into();
        prop_assert!(untracked(&e), "{e:?}");
        let e = crm::migration::series(&l, &[known, y], &PyramidOptions::new()).unwrap_err();
        prop_assert!(matches!(e, crm::migration::Error::Core(ModelError::UntrackedPeriod { .. }) | crm::migration::Error::PeriodOrder { .. }), "{e:?}");
        let e: crm::Error = e.into();
        prop_assert!(untracked(&e) || matches!(e, crm::Error::Migration(crm::migration::Error::PeriodOrder { .. })), "{e:?}");
    }
}

#[test]
fn a_strategy_meeting_an_untracked_period_says_it_flat() {
    let l = ledger();
    let (y24, y25): (Period, Period) = ("2024".parse().unwrap(), "2025".parse().unwrap());
    let both = Ledger::new([y24, y25]);
    let o = PyramidOptions::new();
    let ps = [
        pyramid(&both, &y24, &o).unwrap(),
        pyramid(&both, &y25, &o).unwrap(),
    ];
    let e = crm::strategy::winback(&l, &ps).unwrap_err();
    assert!(
        matches!(
            e,
            crm::strategy::Error::Core(ModelError::UntrackedPeriod { .. })
        ),
        "{e:?}"
    );
    assert!(untracked(&e.into()));
}

#[test]
fn question_mark_works_across_crates() {
    fn run(l: &Ledger) -> crm::Result<u64> {
        let y: Period = "2024".parse()?;
        let p = pyramid(l, &y, &PyramidOptions::new())?;
        let m = crm::migration::Migration::between(l, &p, &p);
        assert!(matches!(m, Err(crm::migration::Error::SamePeriod { .. })));
        let _ = crm::value::rfm(l, y.end(), &crm::value::RfmOptions::default())?;
        Ok(p.active())
    }
    let e = run(&ledger()).unwrap_err();
    assert!(
        matches!(
            e,
            crm::Error::Value(crm::value::Error::NeedsPurchaseDays { .. })
        ),
        "{e:?}"
    );
}

#[test]
fn an_unreadable_file_keeps_its_io_error_as_the_source() {
    use std::error::Error as _;
    let e = crm::clv::read_summaries("/nonexistent/summaries.csv").unwrap_err();
    let io = e
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("an io::Error source");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    let e: crm::Error = e.into();
    assert!(matches!(e, crm::Error::Clv(_)));
}

#[test]
fn question_mark_on_an_io_error_keeps_it_as_the_source() {
    use std::error::Error as _;
    fn read(path: &str) -> crm::Result<String> {
        let text = std::fs::read_to_string(path)?;
        Ok(text)
    }
    let e = read("/nonexistent/rows.txt").unwrap_err();
    assert!(matches!(e, crm::Error::Io(_)), "{e:?}");
    // The message says what the I/O error says, not only "input/output".
    let shown = e.to_string();
    assert!(
        shown.starts_with("input/output error: ") && shown.len() > "input/output error: ".len(),
        "{shown}"
    );
    let io = e
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("an io::Error source");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

/// `?` on the Parquet crate's error in a function returning `crm::Result`.
#[cfg(feature = "parquet")]
#[test]
fn question_mark_on_a_parquet_error() {
    fn read(path: &std::path::Path) -> crm::Result<u64> {
        let mut ledger = crm::Ledger::new(["2024".parse::<crm::Period>()?]);
        let report = crm::parquet::read_transactions(
            path,
            &crm::parquet::ReadOptions::default(),
            &mut ledger,
        )?;
        Ok(report.rows)
    }
    let e = read(std::path::Path::new("/nonexistent/rows.parquet")).unwrap_err();
    assert!(matches!(e, crm::Error::Parquet(_)), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/rows.parquet"), "{e}");
}

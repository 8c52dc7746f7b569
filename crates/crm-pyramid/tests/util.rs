use crm_core::{Ledger, Money, NaiveDate, Period, Stage};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn m(s: &str) -> Money {
    s.parse().unwrap()
}

pub fn year(y: i32) -> Period {
    Period::year(y).unwrap()
}

/// A ledger over `periods` fed with sales `(key, date, revenue)`.
pub fn ledger(periods: &[Period], sales: &[(&str, NaiveDate, &str)]) -> Ledger {
    let mut l = Ledger::new(periods.iter().copied());
    for (k, date, v) in sales {
        l.record_sale(k, *date, m(v), None).unwrap();
    }
    l
}

#[allow(dead_code)] // used by some test modules only
pub fn register(l: &mut Ledger, key: &str, stage: Stage) {
    l.record_register(key, stage).unwrap();
}

//! Summaries from transactions: the CDNOW sample summarised equals the
//! shipped summary file up to its rounding; holdout figures; bad input.

use crm_clv::{Error, Summary, SummaryBuilder, TimeUnit, read_summaries_from};
use crm_core::{Decimal, NaiveDate};

use crate::common::{cdnow, data};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y%m%d").unwrap()
}

/// The CDNOW purchases (sample id, date, value).
fn cdnow_purchases() -> Vec<(String, NaiveDate, Decimal)> {
    let text = std::fs::read_to_string(data("CDNOW_sample.txt")).unwrap();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[1].trim_start_matches('0').to_owned(),
                date(f[2]),
                f[4].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn cdnow_summary_matches_the_published_file() {
    let cal = date("19970930");
    let mut b = SummaryBuilder::new(cal, TimeUnit::WEEK)
        .observation_end(date("19980630"))
        .unwrap();
    for (k, d, v) in cdnow_purchases() {
        b.add_sale(&k, d, v).unwrap();
    }
    let s = b.finish().unwrap();
    assert_eq!(s.transactions, 6919);
    assert_eq!(s.customers.len(), 2357);
    let want = cdnow();
    let by_key: std::collections::HashMap<&str, &Summary> =
        s.customers.iter().map(|c| (c.key.as_str(), c)).collect();
    let mut holdout = 0;
    let mut holdout_spend = 0.0;
    for w in &want {
        let got = by_key[w.key.as_str()];
        assert_eq!(got.frequency, w.frequency, "{}", w.key);
        assert!((got.recency - w.recency).abs() <= 0.005 + 1e-9, "{}", w.key);
        assert!((got.t - w.t).abs() <= 0.005 + 1e-9, "{}", w.key);
        assert!(
            (got.monetary - w.monetary).abs() <= 0.005 + 1e-9,
            "{}: {}",
            w.key,
            got.monetary
        );
        let h = got.holdout.unwrap();
        assert!((h.duration - 273.0 / 7.0).abs() < 1e-12);
        holdout += h.frequency;
        holdout_spend += h.monetary;
    }
    // lifetimes' calibration_and_holdout_data (freq="D", freq_multiplier=7)
    // on the same file: 1,882 holdout purchase days, mean spends summing to
    // 24,901.080244.
    assert_eq!(holdout, 1882);
    assert!(
        (holdout_spend - 24901.080244160927).abs() < 1e-6,
        "{holdout_spend}"
    );
}

#[test]
fn definitions_on_a_small_history() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut b = SummaryBuilder::new(d("2024-01-31"), TimeUnit::DAY)
        .observation_end(d("2024-02-29"))
        .unwrap();
    let m = |v: i64| Decimal::new(v, 0);
    // Two sales on the first day count once; a credit note is no purchase.
    b.add_sale("a", d("2024-01-01"), m(10)).unwrap();
    b.add_sale("a", d("2024-01-01"), m(5)).unwrap();
    b.add_sale("a", d("2024-01-11"), m(20)).unwrap();
    b.add_sale("a", d("2024-01-11"), m(-20)).unwrap();
    b.add_sale("a", d("2024-01-21"), m(40)).unwrap();
    b.add_sale("a", d("2024-02-10"), m(7)).unwrap();
    b.add_sale("a", d("2024-03-10"), m(7)).unwrap();
    b.add_sale("b", d("2024-01-31"), m(3)).unwrap();
    b.add_sale("c", d("2024-02-02"), m(3)).unwrap();
    let s = b.finish().unwrap();
    assert_eq!(
        (
            s.transactions,
            s.not_purchases,
            s.after_end,
            s.first_after_calibration
        ),
        (9, 1, 1, 1)
    );
    let a = &s.customers[0];
    assert_eq!(
        (a.key.as_str(), a.frequency, a.recency, a.t),
        ("a", 2, 20.0, 30.0)
    );
    assert_eq!(a.monetary, 30.0);
    let h = a.holdout.unwrap();
    assert_eq!((h.frequency, h.monetary, h.duration), (1, 7.0, 29.0));
    let b = &s.customers[1];
    assert_eq!(
        (b.frequency, b.recency, b.t, b.monetary),
        (0, 0.0, 0.0, 0.0)
    );
    assert_eq!(s.customers.len(), 2);
}

#[test]
fn summary_files_report_file_line_and_field() {
    let read = |text: &str| read_summaries_from(text.as_bytes(), "s.csv".as_ref());
    let ok = read("frequency,recency,T,monetary_value,weights\n1,2,3,4.5,2\n0,0,3,0,1\n").unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].weight, 2.0);
    let e = read("frequency,recency,T\n1,2,3\n1.5,2,3\n").unwrap_err();
    assert!(
        matches!(&e, Error::Csv { line: 3, field, .. } if field == "frequency"),
        "{e}"
    );
    let e = read("frequency,recency,T\n1,4,3\n").unwrap_err();
    assert!(e.to_string().starts_with("s.csv:2: recency:"), "{e}");
    let e = read("frequency,recency,T\n0,1,3\n").unwrap_err();
    assert!(e.to_string().contains("recency"), "{e}");
    let e = read("frequency,T\n0,3\n").unwrap_err();
    assert!(e.to_string().contains("no column recency"), "{e}");
    let e = read("frequency,recency,T\n0,0,abc\n").unwrap_err();
    assert!(e.to_string().contains("\"abc\" is not a number"), "{e}");
    let e = read("frequency,recency,T,weights\n0,0,1,-1\n").unwrap_err();
    assert!(e.to_string().contains("weights"), "{e}");
    assert!(read("frequency,recency,T\n").is_err());
}

#[test]
fn units_parse() {
    assert_eq!("week".parse::<TimeUnit>().unwrap(), TimeUnit::WEEK);
    assert_eq!("days".parse::<TimeUnit>().unwrap(), TimeUnit::DAY);
    assert_eq!("month".parse::<TimeUnit>().unwrap().days(), 365.25 / 12.0);
    assert_eq!("14".parse::<TimeUnit>().unwrap().days(), 14.0);
    assert!("0".parse::<TimeUnit>().is_err());
    assert!("fortnight".parse::<TimeUnit>().is_err());
}

#[test]
fn from_the_ledger_equals_from_transactions() {
    use crm_core::{Ledger, LedgerOptions, Money, Period};
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y%m%d").unwrap();
    let year: Period = "1997".parse().unwrap();
    let mut ledger = Ledger::with_options([year], LedgerOptions::new().purchase_days(true));
    let mut b = SummaryBuilder::new(d("19970930"), TimeUnit::WEEK);
    for (k, date, v) in cdnow_purchases() {
        if v > Decimal::ZERO {
            ledger.record_sale(&k, date, Money::new(v), None).unwrap();
            b.add_sale(&k, date, v).unwrap();
        }
    }
    let from_ledger = crm_clv::from_ledger(&ledger, d("19970930"), TimeUnit::WEEK).unwrap();
    let from_tx = b.finish().unwrap().customers;
    assert_eq!(from_ledger.len(), from_tx.len());
    for (a, b) in from_ledger.iter().zip(&from_tx) {
        assert_eq!(
            (&a.key, a.frequency, a.recency, a.t),
            (&b.key, b.frequency, b.recency, b.t)
        );
    }
    let plain = Ledger::new([year]);
    assert!(crm_clv::from_ledger(&plain, d("19970930"), TimeUnit::WEEK).is_err());
}

#[test]
fn a_day_total_beyond_range_names_the_customer_and_day() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut b = SummaryBuilder::new(d("2024-01-31"), TimeUnit::DAY);
    b.add_sale("big", d("2024-01-05"), Decimal::MAX).unwrap();
    b.add_sale("big", d("2024-01-05"), Decimal::MAX).unwrap();
    let err = b.finish().unwrap_err().to_string();
    assert!(
        err.contains("amount overflow") && err.contains("\"big\" on 2024-01-05"),
        "{err}"
    );
}

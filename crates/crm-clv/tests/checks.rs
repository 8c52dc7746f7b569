//! Model checks on CDNOW: holdout purchases by calibration frequency and
//! cumulative tracking, with the BG/NBD fit of the paper.

use crm_clv::checks::{Series, holdout_by_frequency, svg_chart, tracking};
use crm_clv::{BgNbd, FitOptions, Summaries, SummaryBuilder, TimeUnit};
use crm_core::{Decimal, NaiveDate};

use crate::common::data;

fn summaries() -> Summaries {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y%m%d").unwrap();
    let mut b = SummaryBuilder::new(d("19970930"), TimeUnit::WEEK)
        .observation_end(d("19980630"))
        .unwrap();
    for l in std::fs::read_to_string(data("CDNOW_sample.txt"))
        .unwrap()
        .lines()
    {
        let f: Vec<&str> = l.split_whitespace().collect();
        b.add_sale(f[1], d(f[2]), f[4].parse::<Decimal>().unwrap())
            .unwrap();
    }
    b.finish().unwrap()
}

#[test]
fn holdout_and_tracking() {
    let s = summaries();
    let fit = BgNbd::fit(&s.customers, &FitOptions::new()).unwrap();
    let rows = holdout_by_frequency(&fit.model, &s.customers, 7).unwrap();
    assert_eq!(rows.iter().map(|r| r.customers).sum::<f64>(), 2357.0);
    assert!(rows.last().unwrap().open);
    // Conditional expectations rise with calibration frequency, and the
    // model tracks the actual means (FHL 2005, figure 4).
    for w in rows.windows(2) {
        assert!(w[1].predicted > w[0].predicted);
    }
    let total_actual: f64 = rows.iter().map(|r| r.actual * r.customers).sum();
    let total_pred: f64 = rows.iter().map(|r| r.predicted * r.customers).sum();
    assert_eq!(total_actual, 1882.0);
    assert!(
        (total_pred / total_actual - 1.0).abs() < 0.15,
        "{total_pred} vs {total_actual}"
    );

    let end = NaiveDate::from_ymd_opt(1998, 6, 30).unwrap();
    let track = tracking(&fit.model, &s.timeline, TimeUnit::WEEK, 1.0, end).unwrap();
    assert_eq!(track.last().unwrap().date, end);
    assert_eq!(track.last().unwrap().actual, 2457.0 + 1882.0);
    for w in track.windows(2) {
        assert!(w[1].actual >= w[0].actual && w[1].predicted >= w[0].predicted);
    }
    // At the end of calibration the fitted model matches the cumulative
    // repeat purchases closely (the paper's figure 2).
    let cal = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    let at = track.iter().rev().find(|p| p.date <= cal).unwrap();
    assert!((at.predicted / at.actual - 1.0).abs() < 0.05, "{at:?}");

    let svg = svg_chart(
        "Tracking <CDNOW>",
        "week",
        "repeat purchases",
        &[
            Series {
                name: "actual".into(),
                points: track
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i as f64, p.actual))
                    .collect(),
            },
            Series {
                name: "BG/NBD".into(),
                points: track
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i as f64, p.predicted))
                    .collect(),
            },
        ],
    );
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Tracking &lt;CDNOW&gt;"));
    assert_eq!(svg.matches("<polyline").count(), 2);
}

/// `max_frequency` once sized a row per frequency up to it: u32::MAX rows
/// (137 GB) before the first customer was read.
#[test]
fn a_huge_max_frequency_costs_nothing() {
    let s = summaries();
    let fit = BgNbd::fit(&s.customers, &FitOptions::new()).unwrap();
    let capped = holdout_by_frequency(&fit.model, &s.customers, u32::MAX).unwrap();
    let highest = s.customers.iter().map(|c| c.frequency).max().unwrap();
    let present: std::collections::BTreeSet<u32> =
        s.customers.iter().map(|c| c.frequency).collect();
    assert_eq!(capped.len(), present.len());
    assert_eq!(capped.last().unwrap().frequency, highest);
    assert!(capped.iter().all(|r| !r.open));
    assert_eq!(capped.iter().map(|r| r.customers).sum::<f64>(), 2357.0);
}

/// A far observation end once meant a point per week up to it (and a
/// prediction per cohort at each): 417,000 points to year 9999.
#[test]
fn tracking_to_a_far_end_is_bounded() {
    let s = summaries();
    let fit = BgNbd::fit(&s.customers, &FitOptions::new()).unwrap();
    let end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let track = tracking(&fit.model, &s.timeline, TimeUnit::WEEK, 1.0, end).unwrap();
    assert!(track.len() as u64 <= crm_clv::checks::MAX_TRACKING_POINTS);
    assert_eq!(track.last().unwrap().date, end);
    for w in track.windows(2) {
        assert!(w[1].predicted >= w[0].predicted, "{w:?}");
    }
}

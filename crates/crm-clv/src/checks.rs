//! Model checks: predicted against actual holdout purchases by calibration
//! frequency, and the cumulative repeat purchases over time; as tables and
//! as SVG charts.
use crm_core::{Days, NaiveDate};

use crate::PurchaseModel;
use crate::error::{Error, Result};
use crate::summary::{Summary, TimeUnit, Timeline};

/// Actual and predicted holdout purchases of the customers with one
/// calibration frequency.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FrequencyCheck {
    /// The calibration frequency; the last row holds all frequencies from
    /// this one up (`open` is then true).
    pub frequency: u32,
    /// Whether the row holds this frequency and all higher ones.
    pub open: bool,
    /// Customers (sum of weights) in the row.
    pub customers: f64,
    /// Mean actual purchases in the holdout window.
    pub actual: f64,
    /// Mean purchases the model expects in the holdout window.
    pub predicted: f64,
}

/// Predicted against actual holdout purchases, grouped by calibration
/// frequency `0..max_frequency` with a last group for `max_frequency` and
/// above (the classic check of Fader, Hardie & Lee 2005, figure 4).
/// Frequencies without customers have no row, so memory follows the
/// frequencies present, whatever `max_frequency` is.
///
/// # Errors
///
/// [`Error::InvalidArgument`] when a customer has no holdout figures;
/// the model's errors.
pub fn holdout_by_frequency(
    model: &(impl PurchaseModel + ?Sized),
    customers: &[Summary],
    max_frequency: u32,
) -> Result<Vec<FrequencyCheck>> {
    // Rows above the highest frequency present would stay empty.
    let highest = customers.iter().map(|c| c.frequency).max().unwrap_or(0);
    let mut rows: Vec<FrequencyCheck> = (0..=max_frequency.min(highest))
        .map(|f| FrequencyCheck {
            frequency: f,
            open: f == max_frequency,
            customers: 0.0,
            actual: 0.0,
            predicted: 0.0,
        })
        .collect();
    for c in customers {
        let h = c.holdout.ok_or_else(|| {
            Error::InvalidArgument(format!(
                "customer {} has no holdout figures: give an observation end",
                c.key
            ))
        })?;
        let row = &mut rows[c.frequency.min(max_frequency).min(highest) as usize];
        row.customers += c.weight;
        row.actual += c.weight * f64::from(h.frequency);
        row.predicted += c.weight * model.expected_purchases(c, h.duration)?;
    }
    for r in &mut rows {
        if r.customers > 0.0 {
            r.actual /= r.customers;
            r.predicted /= r.customers;
        }
    }
    rows.retain(|r| r.customers > 0.0);
    Ok(rows)
}

/// Cumulative repeat purchases up to one day, actual and predicted.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TrackingPoint {
    /// The day (inclusive).
    pub date: NaiveDate,
    /// Repeat purchase days of the cohort up to `date`.
    pub actual: f64,
    /// Repeat purchases the model expects up to `date`: for each customer
    /// the unconditional expectation over the time since the first
    /// purchase.
    pub predicted: f64,
}

/// The most points [`tracking`] returns: a longer span takes a longer step.
pub const MAX_TRACKING_POINTS: u64 = 1_000;

/// The cumulative repeat purchases of the summarised customers, actual
/// and predicted, every `step` time units from their earliest first
/// purchase to `end` (Fader, Hardie & Lee 2005, figure 2); when that
/// would give more than [`MAX_TRACKING_POINTS`] points, the step is
/// lengthened to a whole number of days that keeps within them (each
/// point costs a prediction per first-purchase day).
///
/// # Errors
///
/// [`Error::InvalidArgument`] for a step that is not positive or a
/// timeline without customers; the model's errors.
pub fn tracking(
    model: &(impl PurchaseModel + ?Sized),
    timeline: &Timeline,
    unit: TimeUnit,
    step: f64,
    end: NaiveDate,
) -> Result<Vec<TrackingPoint>> {
    if !(step.is_finite() && step > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "a step must be positive, not {step}"
        )));
    }
    let Some(&(start, _)) = timeline.first_purchases.first() else {
        return Err(Error::InvalidArgument(
            "the timeline has no customers".into(),
        ));
    };
    let span = u64::try_from((end - start).num_days()).unwrap_or(0);
    let step_days =
        ((unit.days() * step).round().max(1.0) as u64).max(span.div_ceil(MAX_TRACKING_POINTS - 1));
    let mut out = Vec::new();
    let mut day = start;
    let mut repeats = timeline.repeat_purchases.iter().peekable();
    let mut actual = 0.0;
    loop {
        while let Some(&&(d, n)) = repeats.peek() {
            if d > day {
                break;
            }
            actual += n as f64;
            repeats.next();
        }
        let mut predicted = 0.0;
        for &(first, n) in timeline.first_purchases.iter().take_while(|f| f.0 <= day) {
            let t = unit.from_days((day - first).num_days() as f64);
            predicted += n as f64 * model.expected_purchases_new(t)?;
        }
        out.push(TrackingPoint {
            date: day,
            actual,
            predicted,
        });
        if day >= end {
            break;
        }
        day = day
            .checked_add_days(Days::new(step_days))
            .unwrap_or(end)
            .min(end);
    }
    Ok(out)
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend entry.
    pub name: String,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
}

/// A line chart as a standalone SVG document (drawn with `crm-chart`):
/// axes from 0 with gridlines, one coloured line per series (the second
/// and later dashed, as predictions against the first), a legend and each
/// line's name at its end. Non-finite points are left out of the lines.
pub fn svg_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    line_chart(title, x_label, y_label, series).to_svg()
}

/// The chart of [`svg_chart`] as a [`crm_chart::LineChart`], to add
/// reference lines or translate before drawing.
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> crm_chart::LineChart {
    use crm_chart::{Line, LineChart, Meta};
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let id: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut c = LineChart::new(
        Meta::new(
            &id,
            title,
            &format!("{y_label} against {x_label}: {}.", names.join(", ")),
        ),
        x_label,
        y_label,
    );
    for (i, s) in series.iter().enumerate() {
        let line = Line::new(&s.name, s.points.clone());
        c.lines.push(if i == 0 { line } else { line.dashed() });
    }
    c
}

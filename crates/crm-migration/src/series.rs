use crm_core::{Basis, Datelike, Ledger, Money, Period};
use crm_pyramid::{Level, Pyramid, PyramidOptions, pyramid};

use crate::markov::{Markov, N, STATES};
use crate::{Error, Migration, Result, Source};

/// Migrations over consecutive periods and the Markov chain they estimate.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Series {
    /// The periods, in order.
    pub periods: Vec<Period>,
    /// The matrix of each consecutive pair.
    pub migrations: Vec<Migration>,
    /// The average row-normalised transition matrix over Top, Big, Medium,
    /// Small and Inactive, with the average inflow per period.
    pub markov: Markov,
    /// Customers per state ([`STATES`](crate::STATES)) in each period.
    pub counts: Vec<[u64; N]>,
    /// Average value of a customer per state and period, over the periods
    /// where the state has customers: the `v` of the lifetime value.
    pub value: [f64; N],
    /// The basis of `value`: margin when the transactions carry margins,
    /// else the pyramid's basis.
    pub value_basis: Basis,
}

/// The migration series over `periods` (at least two, each ending after
/// the one before), from one ledger tracking them all.
///
/// Transition probabilities are the customers of a cell divided by the
/// customers of the row's level in the earlier pyramid (so customers who
/// leave the pyramid beyond an inactivity horizon make a row sum to less
/// than one), averaged over the pairs where the row has customers; a row
/// without customers in any pair stays put (probability one on the
/// diagonal). The inflow of a state is the customers entering it from
/// outside the five states (new, prospect, suspect), averaged over the
/// pairs.
///
/// # Errors
///
/// [`Error::Periods`] for fewer than two periods or periods out of order;
/// [`Error::Pyramid`] when a period is not tracked by the ledger.
pub fn series(ledger: &Ledger, periods: &[Period], options: &PyramidOptions) -> Result<Series> {
    if periods.len() < 2 {
        return Err(Error::Periods("a series needs at least two periods".into()));
    }
    if periods.windows(2).any(|w| w[1].end() <= w[0].end()) {
        return Err(Error::Periods(
            "the periods must be in order, each ending after the one before".into(),
        ));
    }
    let pyramids: Vec<Pyramid> = periods
        .iter()
        .map(|p| pyramid(ledger, p, options))
        .collect::<std::result::Result<_, _>>()?;
    let migrations: Vec<Migration> = pyramids
        .windows(2)
        .map(|w| Migration::between(ledger, &w[0], &w[1]))
        .collect::<Result<_>>()?;

    let mut sum = [[0.0; N]; N];
    let mut rows_seen = [0usize; N];
    let mut inflow = [0.0; N];
    for (m, earlier) in migrations.iter().zip(&pyramids) {
        for (i, &from) in STATES.iter().enumerate() {
            let n = earlier.figures(from).customers;
            if n == 0 {
                continue;
            }
            rows_seen[i] += 1;
            for (j, &to) in STATES.iter().enumerate() {
                sum[i][j] += m.cell(Source::Level(from), to).customers as f64 / n as f64;
            }
        }
        for (j, &to) in STATES.iter().enumerate() {
            for from in [
                Source::New,
                Source::Level(Level::Prospect),
                Source::Level(Level::Suspect),
            ] {
                inflow[j] += m.cell(from, to).customers as f64;
            }
        }
    }
    let pairs = migrations.len() as f64;
    let mut p = [[0.0; N]; N];
    for i in 0..N {
        if rows_seen[i] == 0 {
            p[i][i] = 1.0;
        } else {
            for j in 0..N {
                p[i][j] = sum[i][j] / rows_seen[i] as f64;
            }
        }
    }
    let inflow = inflow.map(|x| x / pairs);

    let has_margins = ledger.stats().transactions_without_margin < ledger.stats().transactions;
    let value_basis = if has_margins {
        Basis::Margin
    } else {
        options.basis
    };
    let mut value_sum = [0.0; N];
    let mut value_seen = [0usize; N];
    let mut counts = Vec::with_capacity(periods.len());
    for (period, py) in periods.iter().zip(&pyramids) {
        let pi = ledger.period_index(period)?;
        let mut totals = [Money::ZERO; N];
        for id in ledger.ids() {
            if let Some(i) = py
                .level_of(id)
                .and_then(|l| STATES.iter().position(|s| *s == l))
            {
                totals[i] = totals[i]
                    .checked_add(ledger.period_totals(id, pi).value(value_basis))
                    .ok_or(crm_core::Error::Overflow {
                        key: "(level total)".into(),
                    })?;
            }
        }
        let mut c = [0u64; N];
        for (i, &s) in STATES.iter().enumerate() {
            c[i] = py.figures(s).customers;
            if c[i] > 0 {
                let avg = totals[i].as_decimal() / crm_core::Decimal::from(c[i]);
                value_sum[i] += avg.to_string().parse::<f64>().unwrap_or(0.0);
                value_seen[i] += 1;
            }
        }
        counts.push(c);
    }
    let mut value = [0.0; N];
    for i in 0..N {
        if value_seen[i] > 0 {
            value[i] = value_sum[i] / value_seen[i] as f64;
        }
    }
    Ok(Series {
        periods: periods.to_vec(),
        migrations,
        markov: Markov::new(p, inflow),
        counts,
        value,
        value_basis,
    })
}

/// The calendar unit of a period: 12 (a year), 3 (a quarter), 1 (a month).
fn unit(p: &Period) -> Option<u32> {
    let (s, e) = (p.start(), p.end());
    if s.day() != 1 || e.day() != 1 {
        return None;
    }
    let months = (e.year() - s.year()) * 12 + e.month() as i32 - s.month() as i32;
    match months {
        12 if s.month() == 1 => Some(12),
        3 if (s.month() - 1) % 3 == 0 => Some(3),
        1 => Some(1),
        _ => None,
    }
}

fn next(p: &Period, unit: u32) -> Option<Period> {
    let (y, m) = (p.end().year(), p.end().month());
    match unit {
        12 => Period::year(y).ok(),
        3 => Period::quarter(y, (m - 1) / 3 + 1).ok(),
        _ => Period::month(y, m).ok(),
    }
}

/// The most periods [`parse_periods`] accepts.
pub const MAX_PERIODS: usize = 1_000;

/// Parses a list of periods: a range of calendar units with both ends
/// included (`2021..2025` is five years, `2024-Q1..2024-Q4` four quarters,
/// `2024-01..2024-06` six months), or periods separated by commas
/// (`2023,2024,2025`, or `2024-01-01..2024-07-01,2024-07-01..2025-01-01`).
///
/// # Errors
///
/// [`Error::Periods`] for a malformed list, ends of different units, an
/// end before the start, a listed period that does not end after the one
/// before it, or more than [`MAX_PERIODS`] periods (checked before the
/// rest of a long list is read).
///
/// ```
/// let years = crm_migration::parse_periods("2021..2025")?;
/// assert_eq!(years.len(), 5);
/// assert_eq!(years[4].to_string(), "2025-01-01..2026-01-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_periods(spec: &str) -> Result<Vec<Period>> {
    let bad = |why: String| Error::Periods(format!("{spec:?}: {why}"));
    let spec = spec.trim();
    if spec.contains(',') {
        let mut out: Vec<Period> = Vec::new();
        for p in spec.split(',') {
            if out.len() == MAX_PERIODS {
                return Err(bad(format!("more than {MAX_PERIODS} periods")));
            }
            let p = p.trim().parse::<Period>().map_err(|e| bad(e.to_string()))?;
            if let Some(before) = out.last()
                && p.end() <= before.end()
            {
                return Err(bad(format!(
                    "{p} does not end after {before}: each period must end after the one before"
                )));
            }
            out.push(p);
        }
        return Ok(out);
    }
    let Some((a, b)) = spec.split_once("..") else {
        return Ok(vec![
            spec.parse::<Period>().map_err(|e| bad(e.to_string()))?,
        ]);
    };
    let (Ok(first), Ok(last)) = (a.trim().parse::<Period>(), b.trim().parse::<Period>()) else {
        return Err(bad(
            "expected a range of years, quarters or months such as 2021..2025, or a comma-separated list".into(),
        ));
    };
    let u = unit(&first)
        .filter(|u| unit(&last) == Some(*u))
        .ok_or_else(|| {
            bad("both ends must be years, quarters or months of the same kind".into())
        })?;
    if last < first {
        return Err(bad("the range ends before it starts".into()));
    }
    let mut out = vec![first];
    while let Some(p) = out
        .last()
        .and_then(|p| if *p == last { None } else { next(p, u) })
    {
        out.push(p);
        if out.len() > MAX_PERIODS {
            return Err(bad(format!("more than {MAX_PERIODS} periods")));
        }
    }
    Ok(out)
}

use crm_core::{Basis, Datelike, Ledger, Money, Period};
use crm_pyramid::{Level, Pyramid, PyramidOptions, pyramid};

use crate::markov::{Markov, N, STATES};
use crate::{Error, Migration, Result, Source};

/// How a [`MigrationSeries`] estimates its transition matrix from the pairs of
/// consecutive periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[non_exhaustive]
pub enum Estimator {
    /// Pooled counts: the moves from state `i` to `j` summed over all
    /// pairs, divided by the customers in state `i` summed over all pairs.
    /// The maximum-likelihood estimate of one chain observed over several
    /// periods (Pfeifer & Carraway 2000 use one matrix): a pair with 40
    /// Top customers weighs ten times a pair with 4. The default.
    #[default]
    Pooled,
    /// The average over the pairs of each pair's row shares (a pair
    /// counts only for the rows it has customers in): every pair weighs
    /// the same, however many customers it holds. The estimate of earlier
    /// versions.
    AverageOfShares,
}

impl Estimator {
    /// The name used in reports and on the command line: `pooled`,
    /// `average-of-shares`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Estimator::Pooled => "pooled",
            Estimator::AverageOfShares => "average-of-shares",
        }
    }
}

impl std::fmt::Display for Estimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Estimator {
    type Err = Error;
    fn from_str(s: &str) -> Result<Estimator> {
        match s {
            "pooled" => Ok(Estimator::Pooled),
            "average-of-shares" | "average" => Ok(Estimator::AverageOfShares),
            _ => Err(Error::UnknownEstimator { input: s.into() }),
        }
    }
}

/// Migrations over consecutive periods and the Markov chain they estimate.
///
/// In JSON (feature `serde`): `periods`; `pairs`, the summary of each
/// consecutive pair (`{"from", "to", "summary"}`); `states` (the Markov
/// states, [`STATES`](crate::STATES)); `estimator`; `transition` (rows and
/// columns in `states` order) with `transition_counts` and
/// `row_customers`; `inflow`; `counts` (customers per state in each
/// period); `value` (average value per state and period) and
/// `value_basis`. The matrix and the inflow are estimates: JSON numbers;
/// the values are money: decimal strings. `crm migration --periods --format json` prints it with
/// the projection and lifetime values beside it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MigrationSeries {
    /// The periods, in order.
    pub periods: Vec<Period>,
    /// The matrix of each consecutive pair.
    pub migrations: Vec<Migration>,
    /// The transition matrix over Top, Big, Medium, Small and Inactive
    /// (estimated as [`MigrationSeries::estimator`] says), with the average inflow
    /// per period.
    pub markov: Markov,
    /// How `markov`'s matrix was estimated.
    pub estimator: Estimator,
    /// The counts behind the matrix: `transitions[i][j]` customers moved
    /// from state `i` to state `j`, summed over all pairs.
    pub transitions: [[u64; N]; N],
    /// Customers in state `i` at the start of a pair, summed over all
    /// pairs: the denominator of the pooled row (it includes those who
    /// left the pyramid, so a row's transitions may sum to less).
    pub row_customers: [u64; N],
    /// Customers per state ([`STATES`](crate::STATES)) in each period.
    pub counts: Vec<[u64; N]>,
    /// Average value of a customer per state and period, over the periods
    /// where the state has customers: the `v` of the lifetime value. An
    /// average of money, rounded to cents ([`crm_core::average`]); zero
    /// for a state that never had customers. In JSON decimal strings.
    pub value: [Money; N],
    /// The basis of `value`: margin when the transactions carry margins,
    /// else the pyramid's basis.
    pub value_basis: Basis,
}

impl MigrationSeries {
    /// The lifetime value of a customer per starting state
    /// ([`Markov::lifetime_values`] of [`MigrationSeries::markov`] with
    /// [`MigrationSeries::value`] as the value per period): a prediction,
    /// so `f64`. `None` for a discount of zero or less.
    pub fn lifetime_values(&self, discount: f64) -> Option<[f64; N]> {
        let v = self
            .value
            .map(|m| m.as_decimal().to_string().parse::<f64>().unwrap_or(0.0));
        self.markov.lifetime_values(v, discount)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MigrationSeries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(serde::Serialize)]
        struct Pair<'a> {
            from: Period,
            to: Period,
            summary: &'a crate::MigrationSummary,
        }
        struct Pairs<'a>(&'a [Migration]);
        impl serde::Serialize for Pairs<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|m| Pair {
                    from: m.from,
                    to: m.to,
                    summary: &m.summary,
                }))
            }
        }
        let states: [&str; N] = STATES.map(Level::as_str);
        let mut st = s.serialize_struct("MigrationSeries", 11)?;
        st.serialize_field("periods", &self.periods)?;
        st.serialize_field("pairs", &Pairs(&self.migrations))?;
        st.serialize_field("states", &states)?;
        st.serialize_field("estimator", &self.estimator)?;
        st.serialize_field("transition", &self.markov.p)?;
        st.serialize_field("transition_counts", &self.transitions)?;
        st.serialize_field("row_customers", &self.row_customers)?;
        st.serialize_field("inflow", &self.markov.inflow)?;
        st.serialize_field("counts", &self.counts)?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("value_basis", &self.value_basis)?;
        st.end()
    }
}

/// The migration series over `periods` (at least two, each ending after
/// the one before), from one ledger tracking them all, with the pooled
/// (maximum-likelihood) transition matrix; see [`series_with`].
///
/// # Errors
///
/// As [`series_with`].
pub fn series(
    ledger: &Ledger,
    periods: &[Period],
    options: &PyramidOptions,
) -> Result<MigrationSeries> {
    series_with(ledger, periods, options, Estimator::Pooled)
}

/// The migration series over `periods` (at least two, each ending after
/// the one before), from one ledger tracking them all, with the transition
/// matrix estimated as `estimator` says.
///
/// [`Estimator::Pooled`] (the default of [`series`]): `p[i][j]` is the
/// customers who moved from `i` to `j`, summed over the pairs, divided by
/// the customers in `i` at the start of a pair, summed over the pairs.
/// [`Estimator::AverageOfShares`]: each pair's row shares, averaged over
/// the pairs where the row has customers. Either way customers who leave
/// the pyramid (beyond an inactivity horizon) make a row sum to less than
/// one, and a row without customers in any pair stays put (probability one
/// on the diagonal). The counts behind each row are in
/// [`MigrationSeries::transitions`] and [`MigrationSeries::row_customers`]. The inflow of a
/// state is the customers entering it from outside the five states (new,
/// prospect, suspect), averaged over the pairs.
///
/// # Errors
///
/// [`Error::TooFewPeriods`]; [`Error::SamePeriod`] for a period given twice
/// in a row, [`Error::PeriodOrder`] for periods out of order;
/// [`Error::Pyramid`] when a period is not tracked by the ledger.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_migration::{series_with, Estimator};
/// use crm_pyramid::PyramidOptions;
///
/// let periods = crm_migration::parse_periods("2022..2024")?;
/// let mut ledger = Ledger::new(periods.clone());
/// let d = |y| NaiveDate::from_ymd_opt(y, 6, 1).unwrap();
/// let mut sale = |k, y, v: &str| ledger.record_sale(k, d(y), v.parse().unwrap(), None).map(drop);
/// for y in 2022..=2024 {
///     sale("A", y, "20")?; // always Top
/// }
/// sale("B", 2022, "10")?; // the one Small customer of 2022 lapses
/// for k in ["C", "D", "E", "F"] {
///     sale(k, 2023, "10")?; // four Small customers in 2023 ...
///     if k != "F" {
///         sale(k, 2024, "10")?; // ... of whom one lapses
///     }
/// }
/// let o = PyramidOptions::new();
/// let pooled = series_with(&ledger, &periods, &o, Estimator::Pooled)?;
/// let average = series_with(&ledger, &periods, &o, Estimator::AverageOfShares)?;
/// let (small, inactive) = (3, 4);
/// assert_eq!(pooled.row_customers[small], 5);
/// assert_eq!(pooled.transitions[small][inactive], 2);
/// assert_eq!(pooled.markov.p[small][inactive], 2.0 / 5.0);
/// assert_eq!(average.markov.p[small][inactive], (1.0 / 1.0 + 1.0 / 4.0) / 2.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn series_with(
    ledger: &Ledger,
    periods: &[Period],
    options: &PyramidOptions,
    estimator: Estimator,
) -> Result<MigrationSeries> {
    if periods.len() < 2 {
        return Err(Error::TooFewPeriods {
            given: periods.len(),
        });
    }
    if let Some(w) = periods.windows(2).find(|w| w[1].end() <= w[0].end()) {
        crate::matrix::check_order(&w[0], &w[1])?;
    }
    let pyramids: Vec<Pyramid> = periods
        .iter()
        .map(|p| pyramid(ledger, p, options))
        .collect::<std::result::Result<_, _>>()?;
    let migrations: Vec<Migration> = pyramids
        .windows(2)
        .map(|w| Migration::between(ledger, &w[0], &w[1]))
        .collect::<Result<_>>()?;

    let mut share_sum = [[0.0; N]; N];
    let mut rows_seen = [0usize; N];
    let mut transitions = [[0u64; N]; N];
    let mut row_customers = [0u64; N];
    let mut inflow = [0.0; N];
    for (m, earlier) in migrations.iter().zip(&pyramids) {
        for (i, &from) in STATES.iter().enumerate() {
            let n = earlier.figures(from).customers;
            if n == 0 {
                continue;
            }
            rows_seen[i] += 1;
            row_customers[i] = row_customers[i].saturating_add(n);
            for (j, &to) in STATES.iter().enumerate() {
                let moved = m.cell(Source::Level(from), to).customers;
                transitions[i][j] = transitions[i][j].saturating_add(moved);
                share_sum[i][j] += moved as f64 / n as f64;
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
            continue;
        }
        for j in 0..N {
            p[i][j] = match estimator {
                Estimator::Pooled => transitions[i][j] as f64 / row_customers[i] as f64,
                Estimator::AverageOfShares => share_sum[i][j] / rows_seen[i] as f64,
            };
        }
    }
    let inflow = inflow.map(|x| x / pairs);

    let has_margins = ledger.stats().transactions_without_margin < ledger.stats().transactions;
    let value_basis = if has_margins {
        Basis::Margin
    } else {
        options.basis
    };
    let mut value_sum = [Money::ZERO; N];
    let mut value_seen = [0u64; N];
    let mut counts = Vec::with_capacity(periods.len());
    for (period, py) in periods.iter().zip(&pyramids) {
        let pi = ledger.period_index(period)?;
        let mut totals = [Money::ZERO; N];
        for id in ledger.ids() {
            if let Some(i) = py
                .level_of(id)?
                .and_then(|l| STATES.iter().position(|s| *s == l))
            {
                totals[i] = totals[i]
                    .checked_add(ledger.period_totals(id, pi)?.value(value_basis))
                    .ok_or_else(|| crm_core::Error::AmountOverflow {
                        what: format!("the {value_basis} of level {} in {period}", STATES[i]),
                    })?;
            }
        }
        let mut c = [0u64; N];
        for (i, &s) in STATES.iter().enumerate() {
            c[i] = py.figures(s).customers;
            if c[i] > 0 {
                let avg = totals[i].as_decimal() / crm_core::Decimal::from(c[i]);
                value_sum[i] = value_sum[i].checked_add(Money::new(avg)).ok_or_else(|| {
                    crm_core::Error::AmountOverflow {
                        what: format!("the summed average value of level {}", STATES[i]),
                    }
                })?;
                value_seen[i] += 1;
            }
        }
        counts.push(c);
    }
    let mut value = [Money::ZERO; N];
    for i in 0..N {
        value[i] = crm_core::average(value_sum[i], value_seen[i]).unwrap_or(Money::ZERO);
    }
    Ok(MigrationSeries {
        periods: periods.to_vec(),
        migrations,
        markov: Markov::new(p, inflow),
        estimator,
        transitions,
        row_customers,
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
/// [`Error::PeriodList`] for a malformed list, ends of different units, an
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
    let bad = |reason: String| Error::PeriodList {
        spec: spec.into(),
        reason,
    };
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

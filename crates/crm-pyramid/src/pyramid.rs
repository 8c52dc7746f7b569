use crm_core::{
    Basis, CustomerId, CustomerTotals, Decimal, Ledger, LedgerTag, Money, NaiveDate, Period,
    PeriodTotals, Stage,
};

use crate::{Cuts, Error, Level, PyramidOptions, Result};

/// The number of customers and their value, for one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Figures {
    /// Customers at the level.
    pub customers: u64,
    /// Their summed value in the period (negative possible outside the
    /// active levels: credit notes).
    pub value: Money,
}

impl Figures {
    fn add(&mut self, value: Money, what: impl FnOnce() -> String) -> Result<()> {
        self.customers += 1;
        self.value = self
            .value
            .checked_add(value)
            .ok_or_else(|| overflow(what()))?;
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Pyramid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(serde::Serialize)]
        struct LevelFigures {
            level: Level,
            customers: u64,
            value: Money,
        }
        let levels: Vec<LevelFigures> = Level::ALL
            .into_iter()
            .map(|level| {
                let f = self.figures(level);
                LevelFigures {
                    level,
                    customers: f.customers,
                    value: f.value,
                }
            })
            .collect();
        let mut st = s.serialize_struct("Pyramid", 9)?;
        st.serialize_field("period", &self.period)?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("levels", &levels)?;
        st.serialize_field("active", &self.active())?;
        st.serialize_field("active_value", &self.active_value())?;
        st.serialize_field("total_value", &self.total_value)?;
        st.serialize_field("lost", &self.lost)?;
        st.serialize_field("register_customers_without_purchase", &self.unconfirmed)?;
        st.serialize_field("pareto", &self.pareto.map(Money::new))?;
        st.end()
    }
}

/// One customer's place in a [`Pyramid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Assignment<'a> {
    /// The customer's key.
    pub customer: &'a str,
    /// The level.
    pub level: Level,
    /// 1-based rank among the active customers; `None` outside the active
    /// levels.
    pub rank: Option<u64>,
    /// The customer's value in the period.
    pub value: Money,
}

/// The customer pyramid of one period: every known party's level, the
/// figures per level, and the ranking of the active customers.
///
/// Built by [`pyramid`] from a [`Ledger`]; per-customer results are looked
/// up by the ledger's [`CustomerId`]s or listed with
/// [`Pyramid::assignments`]. The pyramid keeps the ledger's [`LedgerTag`]:
/// an id or a ledger other than its own is refused with an error.
///
/// In JSON (feature `serde`) as its figures: `period`, `options`, `levels`
/// (each level's name, customers and value, high to low), `active`,
/// `active_value`, `total_value`, `lost`,
/// `register_customers_without_purchase` and `pareto` (a decimal string or
/// `null`). The customers' places need the ledger's keys: serialise
/// [`Pyramid::assignments`] for them, or [`PyramidReport`](crate::PyramidReport)
/// for shares and the comparison with another period.
#[derive(Debug, Clone)]
pub struct Pyramid {
    ledger: LedgerTag,
    period: Period,
    options: PyramidOptions,
    figures: [Figures; 7],
    lost: Figures,
    unconfirmed: u64,
    total_value: Money,
    pareto: Option<Decimal>,
    /// Level per customer id; `None` when outside the pyramid.
    levels: Vec<Option<Level>>,
    /// Active customers in rank order.
    ranking: Vec<CustomerId>,
    /// Rank per customer id (0 = not active), 1-based.
    ranks: Vec<u32>,
    values: Vec<Money>,
}

/// Why a customer is not active, before the levels are cut.
fn classify_inactive(
    pt: &PeriodTotals,
    t: &CustomerTotals,
    period: &Period,
    basis: Basis,
    horizon_start: Option<NaiveDate>,
) -> Option<Result<Level, ()>> {
    if let Some(last) = pt.last_purchase_before(basis) {
        return Some(match horizon_start {
            Some(h) if last < h => Err(()), // lost
            _ => Ok(Level::Inactive),
        });
    }
    let before_end = |d: Option<NaiveDate>| d.is_some_and(|d| d < period.end());
    if before_end(t.first_transaction())
        || before_end(t.first_interaction())
        || t.register_stage() == Some(Stage::Prospect)
        || says_customer(t, period)
    {
        return Some(Ok(Level::Prospect));
    }
    if t.register_stage().is_some() {
        return Some(Ok(Level::Suspect));
    }
    None
}

/// Whether the register says the party is a customer by `period`'s end:
/// stage `customer`, acquired before the end (or on an unknown date).
fn says_customer(t: &CustomerTotals, period: &Period) -> bool {
    t.register_stage() == Some(Stage::Customer) && t.acquired().is_none_or(|a| a < period.end())
}

/// Builds the pyramid of `period` from `ledger`, as the [crate documentation](crate#definitions) defines it.
///
/// 1. A customer's value is the sum of the basis over its transactions in
///    the period; those with value > 0 are active.
/// 2. Active customers are ranked by value descending, ties by key bytes
///    ascending, and cut into Top, Big, Medium and Small by
///    [`PyramidOptions::cuts`] (by default at `ceil(n × 1%)`, `ceil(n × 5%)`
///    and `ceil(n × 20%)`, exactly).
/// 3. Others who bought (positive value) before the period's start are
///    Inactive, or lost beyond the inactivity horizon; others with a
///    transaction or interaction before the end, register stage
///    `prospect`, or register stage `customer` acquired before the end
///    (or on an unknown date) are Prospects; the rest of the register are
///    Suspects (in the target market, never contacted). Parties first seen
///    after the end and not in the register are left out.
///
/// A party the register says has bought is at least a prospect: a suspect
/// is someone never contacted. When the history shows no purchase of it by
/// the period's end, the data has a gap (a missing sale, a wrong stage),
/// so the pyramid counts those prospects apart:
/// [`Pyramid::register_customers_without_purchase`]. The register is a
/// snapshot of today, so an entry acquired after the period's end is a
/// Suspect of that period, unless its history says otherwise.
///
/// # Errors
///
/// [`Error::InvalidCuts`], or [`Error::Core`] when the ledger does not
/// track `period` or a level's total overflows.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_pyramid::{pyramid, Level, PyramidOptions};
///
/// let year: Period = "2024".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let day = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
/// for (key, revenue) in [("A", "500"), ("B", "90"), ("C", "10")] {
///     ledger.record_sale(key, day, revenue.parse()?, None)?;
/// }
/// let p = pyramid(&ledger, &year, &PyramidOptions::new())?;
/// assert_eq!(p.level_of(ledger.id("A").unwrap())?, Some(Level::Top));
/// assert_eq!(p.figures(Level::Small).customers, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pyramid(ledger: &Ledger, period: &Period, options: &PyramidOptions) -> Result<Pyramid> {
    options.cuts.validate()?;
    let pi = ledger.period_index(period)?;
    let basis = options.basis;
    let horizon_start = options.inactivity_horizon_days.map(|d| {
        period
            .start()
            .checked_sub_days(chrono_days(d))
            .unwrap_or(NaiveDate::MIN)
    });

    let n = ledger.len();
    let mut levels: Vec<Option<Level>> = vec![None; n];
    let mut values: Vec<Money> = Vec::with_capacity(n);
    let mut ranking: Vec<CustomerId> = Vec::new();
    let mut figures = [Figures::default(); 7];
    let mut lost = Figures::default();
    let mut unconfirmed = 0u64;
    let mut total_value = Money::ZERO;

    for id in ledger.ids() {
        let pt = ledger.period_totals(id, pi)?;
        let v = pt.value(basis);
        values.push(v);
        total_value = total_value
            .checked_add(v)
            .ok_or_else(|| overflow(format!("the total value of {period}")))?;
        if v.is_positive() {
            ranking.push(id);
            continue;
        }
        let t = ledger.totals(id)?;
        match classify_inactive(&pt, t, period, basis, horizon_start) {
            Some(Ok(level)) => {
                if level == Level::Prospect && says_customer(t, period) {
                    unconfirmed += 1;
                }
                levels[id.index()] = Some(level);
                figures[level.index()].add(v, || level_total(level, period))?;
            }
            Some(Err(())) => {
                lost.add(v, || format!("the value of the lost customers in {period}"))?
            }
            None => {}
        }
    }

    // The values in ranking order, read one after the other below rather
    // than gathered from `values` customer by customer.
    let ranked = rank(&mut ranking, &values, ledger);
    let ranked = |i: usize| ranked.value(i, &ranking, &values);

    let active_value = (0..ranking.len())
        .try_fold(Money::ZERO, |acc, i| acc.checked_add(ranked(i)))
        .ok_or_else(|| overflow(format!("the active value of {period}")))?;
    let bounds = boundaries_of(&options.cuts, ranking.len(), ranked, active_value);
    let mut ranks = vec![0u32; n];
    for (i, id) in ranking.iter().enumerate() {
        let v = ranked(i);
        let r = i + 1;
        let level = match bounds.iter().position(|&b| r <= b) {
            Some(0) => Level::Top,
            Some(1) => Level::Big,
            Some(2) => Level::Medium,
            _ => Level::Small,
        };
        levels[id.index()] = Some(level);
        ranks[id.index()] = u32::try_from(r).unwrap_or(u32::MAX);
        figures[level.index()].add(v, || level_total(level, period))?;
    }

    let pareto = if ranking.is_empty() {
        None
    } else {
        let top20 = ceil_share(ranking.len(), Decimal::new(20, 2));
        let v: Money = (0..top20).map(ranked).sum();
        crm_core::share(v.as_decimal(), active_value.as_decimal())
    };

    Ok(Pyramid {
        ledger: ledger.tag(),
        period: *period,
        options: options.clone(),
        figures,
        lost,
        unconfirmed,
        total_value,
        pareto,
        levels,
        ranking,
        ranks,
        values,
    })
}

/// The pyramid of `period` and, when the ledger tracks it, of its
/// [previous calendar period](Period::previous_calendar): the two a
/// [`PyramidReport`](crate::PyramidReport) compares. Make the ledger with
/// [`Period::with_previous`] to track both.
///
/// # Errors
///
/// As [`pyramid`].
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_pyramid::{pyramid_with_previous, PyramidOptions, PyramidReport};
///
/// let year: Period = "2025".parse()?;
/// let mut ledger = Ledger::new(year.with_previous());
/// ledger.record_sale("A", NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(), "10".parse()?, None)?;
/// let (now, before) = pyramid_with_previous(&ledger, &year, &PyramidOptions::new())?;
/// let report = PyramidReport::new(&now, before.as_ref());
/// assert_eq!((report.active, before.map(|b| b.active())), (0, Some(1)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pyramid_with_previous(
    ledger: &Ledger,
    period: &Period,
    options: &PyramidOptions,
) -> Result<(Pyramid, Option<Pyramid>)> {
    let now = pyramid(ledger, period, options)?;
    let before = match period.previous_calendar() {
        Some(p) if ledger.periods().contains(&p) => Some(pyramid(ledger, &p, options)?),
        _ => None,
    };
    Ok((now, before))
}

fn overflow(what: String) -> Error {
    Error::Core(crm_core::Error::AmountOverflow { what })
}

fn level_total(level: Level, period: &Period) -> String {
    format!("the value of level {level} in {period}")
}

fn chrono_days(d: u32) -> chrono::Days {
    chrono::Days::new(u64::from(d))
}

/// `ceil(n × share)` in exact decimal arithmetic, at most `n`.
pub(crate) fn ceil_share(n: usize, share: Decimal) -> usize {
    let exact = Decimal::from(n as u64) * share;
    let c = exact.ceil();
    usize::try_from(c.mantissa() / 10i128.pow(c.scale())).map_or(n, |c| c.min(n))
}

/// A sort tuple: the value at the common scale, the key's first eight
/// bytes, the id, and the value's own scale (in the tuple's padding), so
/// that the value comes back exactly, with its scale, from the tuple.
type Tuple<T> = (T, u64, CustomerId, u8);

/// The active customers' values in ranking order, read one after the
/// other from the sorted tuples rather than gathered from the values
/// customer by customer (a cache miss each on a million customers).
enum Ranked {
    /// The values at the common scale as `i64`, in ranking order; each
    /// value's own scale (empty when every value has the common scale);
    /// the common scale. Eight bytes a customer (nine with mixed
    /// scales), so that the ranking holds no more memory than its sort.
    Narrow {
        /// The values at the common scale.
        scaled: Vec<i64>,
        /// Each value's own scale, or empty when all are `scale`.
        own: Vec<u8>,
        /// The common scale.
        scale: u32,
    },
    /// The sorted tuples with `i128` values, and the common scale.
    Wide(Vec<Tuple<i128>>, u32),
    /// The values did not fit one scale: read through the ranking.
    Gathered,
}

impl Ranked {
    /// The value of the customer ranked `i`-th (from 0), exactly as
    /// recorded, scale included.
    fn value(&self, i: usize, ranking: &[CustomerId], values: &[Money]) -> Money {
        match self {
            Ranked::Narrow { scaled, own, scale } => {
                let own = own.get(i).map_or(*scale, |o| u32::from(*o));
                unscaled(i128::from(scaled[i]), own, *scale)
            }
            Ranked::Wide(sorted, scale) => {
                let (m, _, _, own) = sorted[i];
                unscaled(m, u32::from(own), *scale)
            }
            Ranked::Gathered => None,
        }
        .unwrap_or_else(|| values[ranking[i].index()])
    }
}

/// The value whose mantissa at the common `scale` is `m` and whose own
/// scale is `own`.
fn unscaled(m: i128, own: u32, scale: u32) -> Option<Money> {
    // Exact: `m` is the mantissa times 10^(scale - own).
    let mantissa = match scale.checked_sub(own)? {
        0 => m,
        up => m / 10i128.checked_pow(up)?,
    };
    Decimal::try_from_i128_with_scale(mantissa, own)
        .ok()
        .map(Money::new)
}

/// Sorts active ids by value descending, then key bytes ascending, and
/// returns their values in that order.
///
/// Values are compared as integers at a common scale when they fit (the
/// usual case: a few decimals), which is several times faster than
/// comparing `Decimal`s; otherwise as decimals.
fn rank(ranking: &mut [CustomerId], values: &[Money], ledger: &Ledger) -> Ranked {
    // The ids are the ledger's own: the lookup cannot fail.
    let key = |id: CustomerId| ledger.key(id).unwrap_or_default().as_bytes();
    let scale = ranking
        .iter()
        .map(|id| values[id.index()].as_decimal().scale())
        .max()
        .unwrap_or(0);
    if let Some(s) = sort_scaled::<i64>(ranking, values, ledger, scale) {
        let scaled = s.iter().map(|t| t.0).collect();
        let own = if s.iter().all(|t| u32::from(t.3) == scale) {
            Vec::new()
        } else {
            s.iter().map(|t| t.3).collect()
        };
        return Ranked::Narrow { scaled, own, scale };
    }
    if let Some(s) = sort_scaled::<i128>(ranking, values, ledger, scale) {
        return Ranked::Wide(s, scale);
    }
    ranking.sort_unstable_by(|&a, &b| {
        values[b.index()]
            .cmp(&values[a.index()])
            .then_with(|| key(a).cmp(key(b)))
    });
    Ranked::Gathered
}

/// [`rank`] on values as `T` at `scale`: sort keys are the value
/// (descending), then the key's first eight bytes big-endian (so that
/// integer order is byte order), and only when those tie, the whole key.
/// `None`, having changed nothing, when a value does not fit.
fn sort_scaled<T: Ord + Copy + TryFrom<i128>>(
    ranking: &mut [CustomerId],
    values: &[Money],
    ledger: &Ledger,
    scale: u32,
) -> Option<Vec<Tuple<T>>> {
    let key = |id: CustomerId| ledger.key(id).unwrap_or_default().as_bytes();
    let prefix = |id: CustomerId| {
        let mut b = [0u8; 8];
        let k = key(id);
        let n = k.len().min(8);
        b[..n].copy_from_slice(&k[..n]);
        u64::from_be_bytes(b)
    };
    // Sized once: collecting through `Option` gives no exact size, and the
    // doubling left up to half of a million-customer vector unused (and
    // both copies alive while it moved).
    let mut s: Vec<Tuple<T>> = Vec::with_capacity(ranking.len());
    for &id in ranking.iter() {
        let d = values[id.index()].as_decimal();
        let m = d
            .mantissa()
            .checked_mul(10i128.checked_pow(scale - d.scale())?)?;
        // A decimal's scale is at most 28.
        s.push((T::try_from(m).ok()?, prefix(id), id, d.scale() as u8));
    }
    s.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| key(a.2).cmp(key(b.2)))
    });
    for (slot, t) in ranking.iter_mut().zip(&s) {
        *slot = t.2;
    }
    Some(s)
}

/// Where `cuts` cut values sorted highest first: the number of values in
/// Top, in Top and Big, and in Top, Big and Medium (as many numbers as
/// cuts; the rest are Small). For analyses that rank something other than
/// a ledger basis, such as profit.
///
/// # Errors
///
/// [`Error::InvalidCuts`]; [`Error::Core`]
/// ([`AmountOverflow`](crm_core::Error::AmountOverflow)) when the positive
/// values sum beyond the range of an amount.
///
/// ```
/// use crm_pyramid::{cut_points, Cuts};
/// let values: Vec<crm_core::Money> = (1..=200).rev().map(crm_core::Money::from).collect();
/// assert_eq!(cut_points(&Cuts::curry(), &values)?, vec![2, 10, 40]);
/// # Ok::<(), crm_pyramid::Error>(())
/// ```
pub fn cut_points(cuts: &Cuts, sorted_desc: &[Money]) -> Result<Vec<usize>> {
    cuts.validate()?;
    let total = sorted_desc
        .iter()
        .copied()
        .filter(|v| v.is_positive())
        .try_fold(Money::ZERO, Money::checked_add)
        .ok_or_else(|| overflow("the sum of the values to cut".into()))?;
    Ok(boundaries_of(
        cuts,
        sorted_desc.len(),
        |i| sorted_desc[i],
        total,
    ))
}

/// Cumulative rank boundaries (inclusive, 1-based) of Top, Big, Medium,
/// over `n` values given by rank (0-based) in descending order.
fn boundaries_of(
    cuts: &Cuts,
    n: usize,
    value: impl Fn(usize) -> Money,
    total: Money,
) -> Vec<usize> {
    match cuts {
        Cuts::CustomerShares(shares) => shares.iter().map(|&s| ceil_share(n, s)).collect(),
        Cuts::ValueShares(shares) => {
            // Smallest prefix whose cumulative value reaches share × total.
            let mut out = Vec::with_capacity(shares.len());
            let mut cum = Money::ZERO;
            let mut i = 0;
            for &s in shares {
                let target = total.as_decimal() * s;
                while i < n && cum.as_decimal() < target {
                    // The prefix holds positive values only while below
                    // the total of the positive values: no overflow.
                    cum = cum.checked_add(value(i)).unwrap_or(total);
                    i += 1;
                }
                out.push(i);
            }
            out
        }
        Cuts::Bands(bands) => {
            let mut out = Vec::with_capacity(bands.len());
            for b in bands {
                // Values are descending: count those at or above the band.
                let (mut lo, mut hi) = (0, n);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if value(mid) >= *b {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                out.push(lo);
            }
            out
        }
    }
}

impl Pyramid {
    /// The period.
    pub fn period(&self) -> &Period {
        &self.period
    }

    /// The options it was built with.
    pub fn options(&self) -> &PyramidOptions {
        &self.options
    }

    /// The value basis.
    pub fn basis(&self) -> Basis {
        self.options.basis
    }

    /// Customers and value at `level`.
    pub fn figures(&self, level: Level) -> Figures {
        self.figures[level.index()]
    }

    /// Lost: former buyers beyond the inactivity horizon, out of the
    /// pyramid but counted (their value in the period is that of credit
    /// notes, if any). Customers who merely lapsed (active before, inactive
    /// now) are Inactive, not lost.
    pub fn lost(&self) -> Figures {
        self.lost
    }

    /// Prospects whom the register calls customers (stage `customer`,
    /// acquired before the period's end or on an unknown date) but whose
    /// history has no purchase by the period's end: "register says
    /// customer, no purchase found". A data gap for the user to fix (a
    /// missing sales file, a wrong stage), not a property of the customers.
    pub fn register_customers_without_purchase(&self) -> u64 {
        self.unconfirmed
    }

    /// The keys of those prospects, in byte order, for the user to look up
    /// (see [`Pyramid::register_customers_without_purchase`]).
    ///
    /// # Errors
    ///
    /// [`Error::OtherLedger`] when `ledger` is not the one the pyramid was
    /// built from.
    pub fn register_customers_without_purchase_keys<'a>(
        &self,
        ledger: &'a Ledger,
    ) -> Result<Vec<&'a str>> {
        self.check_ledger(ledger)?;
        let mut keys: Vec<&str> = Vec::new();
        for id in ledger.ids().take(self.levels.len()) {
            if self.levels[id.index()] == Some(Level::Prospect)
                && says_customer(ledger.totals(id)?, &self.period)
            {
                keys.push(ledger.key(id)?);
            }
        }
        keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        Ok(keys)
    }

    /// The tag of the ledger the pyramid was built from.
    pub fn ledger(&self) -> LedgerTag {
        self.ledger
    }

    /// Checks that `ledger` is the one the pyramid was built from (it may
    /// have grown since).
    ///
    /// # Errors
    ///
    /// [`Error::OtherLedger`] otherwise.
    pub fn check_ledger(&self, ledger: &Ledger) -> Result<()> {
        if ledger.tag() == self.ledger && ledger.len() >= self.levels.len() {
            Ok(())
        } else {
            Err(Error::OtherLedger {
                period: self.period,
            })
        }
    }

    /// The index of `id` in the per-customer tables; `None` for a customer
    /// the ledger learnt after the pyramid was built.
    fn slot(&self, id: CustomerId) -> Result<Option<usize>> {
        if id.ledger() != self.ledger {
            return Err(Error::Core(crm_core::Error::ForeignId {
                index: id.index() as u64,
            }));
        }
        Ok(Some(id.index()).filter(|&i| i < self.levels.len()))
    }

    /// The number of ledger customers the pyramid covers (in it or not):
    /// the ledger's size when it was built.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Whether the ledger had no customers.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// The number of active customers.
    pub fn active(&self) -> u64 {
        self.ranking.len() as u64
    }

    /// The summed value of the active customers.
    pub fn active_value(&self) -> Money {
        Level::ACTIVE
            .iter()
            .map(|l| self.figures[l.index()].value)
            .sum()
    }

    /// The period's value over every customer in the ledger, credit notes
    /// of non-active customers included: the sum over the seven levels plus
    /// [`Pyramid::lost`].
    pub fn total_value(&self) -> Money {
        self.total_value
    }

    /// The Pareto figure: the share of the active value held by the top
    /// `ceil(20% × n)` active customers, rounded by the toolkit's rule for
    /// shares ([`crm_core::share`]: 6 decimals, half to even); `None`
    /// without active customers or when their value is zero.
    pub fn pareto(&self) -> Option<Decimal> {
        self.pareto
    }

    /// The level of `id`, or `None` when the customer is outside this
    /// period's pyramid (first seen after it, or lost).
    ///
    /// # Errors
    ///
    /// [`crm_core::Error::ForeignId`] (as [`Error::Core`]) when `id` is not
    /// from the ledger the pyramid was built from.
    pub fn level_of(&self, id: CustomerId) -> Result<Option<Level>> {
        Ok(self.slot(id)?.and_then(|i| self.levels[i]))
    }

    /// The 1-based rank of `id` among the active customers.
    ///
    /// # Errors
    ///
    /// As [`Pyramid::level_of`].
    pub fn rank_of(&self, id: CustomerId) -> Result<Option<u64>> {
        Ok(match self.slot(id)?.map(|i| self.ranks[i]) {
            None | Some(0) => None,
            Some(r) => Some(u64::from(r)),
        })
    }

    /// The value of `id` in the period (zero for a customer the ledger
    /// learnt after the pyramid was built).
    ///
    /// # Errors
    ///
    /// As [`Pyramid::level_of`].
    pub fn value_of(&self, id: CustomerId) -> Result<Money> {
        Ok(self.slot(id)?.map_or(Money::ZERO, |i| self.values[i]))
    }

    /// The active customers in rank order.
    pub fn ranking(&self) -> &[CustomerId] {
        &self.ranking
    }

    /// Every customer in the pyramid with level, rank and value: the active
    /// ones by rank, then Inactive, Prospect and Suspect each by key.
    ///
    /// # Errors
    ///
    /// [`Error::OtherLedger`] when `ledger` is not the one the pyramid was
    /// built from.
    pub fn assignments<'a>(
        &'a self,
        ledger: &'a Ledger,
    ) -> Result<impl Iterator<Item = Assignment<'a>> + 'a> {
        self.check_ledger(ledger)?;
        // The ids below are the ledger's own (checked above): key lookups
        // cannot fail.
        let key = |id: CustomerId| ledger.key(id).unwrap_or_default();
        let mut rest: Vec<CustomerId> = ledger
            .ids()
            .take(self.levels.len())
            .filter(|id| matches!(self.levels[id.index()], Some(l) if !l.is_active()))
            .collect();
        rest.sort_unstable_by(|&a, &b| {
            self.levels[a.index()]
                .cmp(&self.levels[b.index()])
                .then_with(|| key(a).as_bytes().cmp(key(b).as_bytes()))
        });
        Ok(self
            .ranking
            .iter()
            .copied()
            .chain(rest)
            .filter_map(move |id| {
                let i = id.index();
                Some(Assignment {
                    customer: key(id),
                    level: self.levels[i]?,
                    rank: Some(u64::from(self.ranks[i])).filter(|&r| r > 0),
                    value: self.values[i],
                })
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_share_is_exact() {
        let pct = |p: i64| Decimal::new(p, 2);
        assert_eq!(ceil_share(2000, pct(1)), 20);
        assert_eq!(ceil_share(2000, pct(5)), 100);
        assert_eq!(ceil_share(2000, pct(20)), 400);
        assert_eq!(ceil_share(101, pct(1)), 2);
        assert_eq!(ceil_share(100, pct(1)), 1);
        assert_eq!(ceil_share(1, pct(1)), 1);
        assert_eq!(ceil_share(0, pct(1)), 0);
        // 0.07 × 100 is exactly 7 in decimal (7.000000000000001 in f64).
        assert_eq!(ceil_share(100, pct(7)), 7);
    }

    /// The ranking path the values take: `i64` at the common scale, `i128`,
    /// or gathered through the ranking when no integer holds them.
    fn regime() -> impl proptest::strategy::Strategy<Value = Vec<(i64, u32)>> {
        use proptest::prelude::*;
        prop_oneof![
            // Narrow: a few decimals.
            proptest::collection::vec((1i64..10_000_000, 0u32..5), 1..60),
            // Wide: 10^18 at a scale of 6 needs 128 bits.
            proptest::collection::vec(
                prop_oneof![
                    (1i64..1000, 0u32..7),
                    (1_000_000_000_000_000i64..2_000_000_000_000_000, 0u32..1)
                ],
                1..60
            ),
            // Gathered: 10^18 at a scale of 28 fits no integer.
            proptest::collection::vec(
                prop_oneof![
                    (1i64..1000, 20u32..29),
                    (1_000_000_000_000_000i64..2_000_000_000_000_000, 0u32..1)
                ],
                1..60
            ),
        ]
    }

    proptest::proptest! {
        /// The figures of each level are the sums, in ranking order, of
        /// the values of its customers exactly as recorded (scale
        /// included), whichever integer the ranking sorted them as.
        #[test]
        fn figures_sum_the_recorded_values(values in regime()) {
            let year: Period = "2024".parse().unwrap();
            let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
            let mut ledger = Ledger::new([year]);
            for (i, &(m, scale)) in values.iter().enumerate() {
                ledger
                    .record_sale(&format!("C{i:03}"), day, Money::from_minor(m, scale), None)
                    .unwrap();
            }
            let p = pyramid(&ledger, &year, &PyramidOptions::new()).unwrap();
            let mut sums = [Money::ZERO; 7];
            for &id in p.ranking() {
                let level = p.level_of(id).unwrap().unwrap();
                sums[level.index()] = sums[level.index()].checked_add(p.value_of(id).unwrap()).unwrap();
            }
            for level in Level::ALL {
                proptest::prop_assert_eq!(
                    p.figures(level).value.to_string(),
                    sums[level.index()].to_string()
                );
            }
            // Ranked by value descending.
            for w in p.ranking().windows(2) {
                proptest::prop_assert!(p.value_of(w[0]).unwrap() >= p.value_of(w[1]).unwrap());
            }
        }
    }
}

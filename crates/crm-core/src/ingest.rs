//! Bulk recording of sales from several threads: rows are scattered by a
//! hash of their key into partitions, each partition aggregates its own
//! customers, and the partitions are appended to the ledger at the end.

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::NaiveDate;

use crate::{CustomerId, Error, Ledger, Money, Result, Sale};

/// Rows a thread gathers per partition before it records them.
const BATCH: usize = 512;

/// Sales recorded from several threads at once, into partitions chosen by
/// a fixed hash of the customer key, then appended to a [`Ledger`].
///
/// Each thread fills its own [`IngestBuffer`]; when a partition's share of
/// a buffer is full, the buffer locks that partition (one of hundreds, so
/// threads rarely wait) and records the rows with
/// [`Ledger::record_sales`]. A partition holds a small ledger of its own
/// customers, so a batch touches a few hundred kilobytes instead of
/// records scattered over the whole ledger, and no customer is held
/// twice: there is nothing to merge between threads.
/// [`SalesIngest::finish_into`] appends the partitions to a ledger, one
/// after the other.
///
/// The result is that of recording every sale with
/// [`Ledger::record_sales`], except for the order of the customer ids of
/// new customers: they come partition after partition (partitions in a
/// fixed order, by a hash with a fixed seed), and within a partition in
/// order of first appearance (the smallest `position` given with their
/// sales). That order depends on the keys and the positions only: not on
/// the number of threads, the order in which they run, or the order of
/// the rows. (The hash that chooses a partition is fixed, so keys crafted
/// to share a partition can make one partition hold them all: that costs
/// speed, never correctness, and each partition's own table is seeded at
/// random.)
///
/// ```
/// use std::sync::Arc;
/// use crm_core::{Basis, Ledger, NaiveDate, Period, SalesIngest};
///
/// let year: Period = "2024".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let ingest = Arc::new(SalesIngest::new(&ledger));
/// std::thread::scope(|s| {
///     for t in 0..2u64 {
///         let mut buffer = SalesIngest::buffer(&ingest);
///         s.spawn(move || {
///             for i in 0..100u64 {
///                 let key = format!("C{}", i % 10);
///                 let date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
///                 buffer.push(&key, date, "1.50".parse().unwrap(), None, t * 100 + i, 0);
///             }
///         }); // the buffer is flushed when dropped
///     }
/// });
/// ingest.finish_into(&mut ledger)?;
/// assert_eq!(ledger.len(), 10);
/// let c1 = ledger.id("C1").unwrap();
/// assert_eq!(ledger.period_totals(c1, 0).value(Basis::Revenue).to_string(), "30.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SalesIngest {
    like: Ledger,
    parts: Vec<Mutex<Option<Part>>>,
    failures: Mutex<Vec<IngestFailure>>,
}

/// One partition: a ledger of its customers and, by its ids, the smallest
/// position each was seen at.
#[derive(Debug)]
struct Part {
    ledger: Ledger,
    seen: Vec<u64>,
}

/// A sale that [`SalesIngest`] could not record, with what was given
/// with it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IngestFailure {
    /// The position given with the sale.
    pub position: u64,
    /// The tag given with the sale.
    pub tag: u64,
    /// Why it was not recorded (as [`Ledger::record_sale`] says it).
    pub error: Error,
    /// The customer's key.
    pub key: String,
    /// The date.
    pub date: NaiveDate,
    /// Revenue.
    pub revenue: Money,
    /// Margin.
    pub margin: Option<Money>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a partition leaves its data consistent (every
    // sale is all or nothing), so a poisoned lock is used as is.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The partition of `key` among `n`: a fixed hash, so that the order of
/// new customers is the same in every process.
fn partition(key: &str, n: usize) -> usize {
    let h = foldhash::fast::FixedState::default().hash_one(key.as_bytes());
    (((h >> 32) * n as u64) >> 32) as usize
}

impl SalesIngest {
    /// Partitions of [`SalesIngest::new`]: about 4,000 customers each at a
    /// million customers, so that a partition's aggregates (some 700 KB)
    /// stay near the cache while a batch is recorded into it.
    pub const DEFAULT_PARTITIONS: usize = 256;

    /// An ingest for ledgers like `like` (same periods and options), with
    /// [`SalesIngest::DEFAULT_PARTITIONS`] partitions.
    pub fn new(like: &Ledger) -> SalesIngest {
        SalesIngest::with_partitions(like, SalesIngest::DEFAULT_PARTITIONS)
    }

    /// An ingest with `partitions` partitions (at least one).
    pub fn with_partitions(like: &Ledger, partitions: usize) -> SalesIngest {
        let empty = || Ledger::with_options(like.periods().iter().copied(), like.options());
        SalesIngest {
            like: empty(),
            parts: (0..partitions.max(1))
                .map(|_| {
                    Mutex::new(Some(Part {
                        ledger: empty(),
                        seen: Vec::new(),
                    }))
                })
                .collect(),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// The number of partitions.
    pub fn partitions(&self) -> usize {
        self.parts.len()
    }

    /// A buffer for one thread to push sales through.
    pub fn buffer(this: &Arc<SalesIngest>) -> IngestBuffer {
        IngestBuffer {
            ingest: Arc::clone(this),
            parts: (0..this.parts.len()).map(|_| PartBuf::default()).collect(),
            scratch: Vec::new(),
        }
    }

    /// The sales that could not be recorded so far, by position, taken
    /// out of the ingest.
    pub fn take_failures(&self) -> Vec<IngestFailure> {
        let mut f = std::mem::take(&mut *lock(&self.failures));
        f.sort_by_key(|f| (f.position, f.tag));
        f
    }

    /// Appends every partition to `ledger` (customers it knows are merged
    /// as by [`Ledger::merge`]) and empties the ingest. Sales still in a
    /// buffer that was not flushed or dropped are not included.
    ///
    /// # Errors
    ///
    /// [`Error::PeriodMismatch`] when `ledger` tracks other periods or
    /// options than the ingest; [`Error::Overflow`], naming the customer,
    /// when a sum with what `ledger` already held leaves the range of
    /// [`Money`] (the ledger is then partly merged and should be dropped);
    /// [`Error::Capacity`].
    pub fn finish_into(&self, ledger: &mut Ledger) -> Result<()> {
        if ledger.periods() != self.like.periods() || ledger.options() != self.like.options() {
            return Err(Error::PeriodMismatch);
        }
        for part in &self.parts {
            let Some(part) = lock(part).take() else {
                continue;
            };
            let mut order: Vec<CustomerId> = part.ledger.ids().collect();
            order.sort_unstable_by_key(|id| (part.seen.get(id.index()).copied(), *id));
            ledger.merge_ordered(&part.ledger, &order)?;
        }
        Ok(())
    }
}

/// Sales in a buffer: keys back to back, and per sale its key's end.
#[derive(Debug, Default)]
struct PartBuf {
    keys: String,
    rows: Vec<Row>,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    end: usize,
    date: NaiveDate,
    revenue: Money,
    margin: Option<Money>,
    position: u64,
    tag: u64,
}

/// One thread's buffer of sales for a [`SalesIngest`], made by
/// [`SalesIngest::buffer`]. Dropping it flushes it.
#[derive(Debug)]
pub struct IngestBuffer {
    ingest: Arc<SalesIngest>,
    parts: Vec<PartBuf>,
    /// Indexes of the sales of a batch that were recorded, reused.
    scratch: Vec<(usize, CustomerId)>,
}

impl IngestBuffer {
    /// Adds a sale, copying its key. `position` orders first appearances
    /// (a row's byte offset in its file, say: any numbers that follow the
    /// input's order); `tag` is handed back with a failure (a line
    /// number, say). The sale is recorded when its partition's share of
    /// the buffer is full, or at [`IngestBuffer::flush`].
    pub fn push(
        &mut self,
        key: &str,
        date: NaiveDate,
        revenue: Money,
        margin: Option<Money>,
        position: u64,
        tag: u64,
    ) {
        let p = partition(key, self.parts.len());
        let Some(buf) = self.parts.get_mut(p) else {
            return;
        };
        buf.keys.push_str(key);
        buf.rows.push(Row {
            end: buf.keys.len(),
            date,
            revenue,
            margin,
            position,
            tag,
        });
        if buf.rows.len() >= BATCH {
            self.flush_part(p);
        }
    }

    /// Records every sale in the buffer.
    pub fn flush(&mut self) {
        for p in 0..self.parts.len() {
            self.flush_part(p);
        }
    }

    fn flush_part(&mut self, p: usize) {
        let (Some(buf), Some(slot)) = (self.parts.get_mut(p), self.ingest.parts.get(p)) else {
            return;
        };
        if buf.rows.is_empty() {
            return;
        }
        let mut start = 0;
        let sales: Vec<Sale<'_>> = buf
            .rows
            .iter()
            .map(|r| {
                let key = buf.keys.get(start..r.end).unwrap_or_default();
                start = r.end;
                Sale {
                    key,
                    date: r.date,
                    revenue: r.revenue,
                    margin: r.margin,
                }
            })
            .collect();
        let scratch = &mut self.scratch;
        scratch.clear();
        let errors = {
            let mut guard = lock(slot);
            match guard.as_mut() {
                Some(part) => {
                    let errors = part
                        .ledger
                        .record_sales_with(&sales, |i, id| scratch.push((i, id)));
                    for &(i, id) in scratch.iter() {
                        let pos = buf.rows.get(i).map_or(u64::MAX, |r| r.position);
                        match part.seen.get_mut(id.index()) {
                            Some(s) => *s = (*s).min(pos),
                            None => part.seen.push(pos),
                        }
                    }
                    errors
                }
                // Finished: the ingest takes no more sales.
                None => Vec::new(),
            }
        };
        if !errors.is_empty() {
            let failed = errors.into_iter().filter_map(|(i, error)| {
                let (row, sale) = (buf.rows.get(i)?, sales.get(i)?);
                Some(IngestFailure {
                    position: row.position,
                    tag: row.tag,
                    error,
                    key: sale.key.to_string(),
                    date: sale.date,
                    revenue: sale.revenue,
                    margin: sale.margin,
                })
            });
            lock(&self.ingest.failures).extend(failed);
        }
        drop(sales);
        buf.rows.clear();
        buf.keys.clear();
    }
}

impl Drop for IngestBuffer {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Basis, LedgerOptions, Period};

    fn d(off: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 6, 1).unwrap() + chrono::TimeDelta::days(off)
    }

    type Row = (u8, i64, i64, Option<i64>);

    /// The reference: every sale recorded one by one, in order.
    fn reference(periods: &[Period], options: LedgerOptions, rows: &[Row]) -> Ledger {
        let mut l = Ledger::with_options(periods.iter().copied(), options);
        for &(k, off, rev, margin) in rows {
            let _ = l.record_sale(
                &format!("K{k}"),
                d(off),
                Money::from_minor(rev, 2),
                margin.map(|m| Money::from_minor(m, 1)),
            );
        }
        l
    }

    fn ingested(
        periods: &[Period],
        options: LedgerOptions,
        rows: &[Row],
        partitions: usize,
        threads: usize,
    ) -> Ledger {
        let mut l = Ledger::with_options(periods.iter().copied(), options);
        let ingest = Arc::new(SalesIngest::with_partitions(&l, partitions));
        let chunk = rows.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|s| {
            for (c, part) in rows.chunks(chunk).enumerate() {
                let mut buffer = SalesIngest::buffer(&ingest);
                s.spawn(move || {
                    for (i, &(k, off, rev, margin)) in part.iter().enumerate() {
                        buffer.push(
                            &format!("K{k}"),
                            d(off),
                            Money::from_minor(rev, 2),
                            margin.map(|m| Money::from_minor(m, 1)),
                            (c * chunk + i) as u64,
                            0,
                        );
                    }
                });
            }
        });
        ingest.finish_into(&mut l).unwrap();
        l
    }

    fn same(
        a: &Ledger,
        b: &Ledger,
    ) -> std::result::Result<(), proptest::test_runner::TestCaseError> {
        proptest::prop_assert_eq!(a.len(), b.len());
        proptest::prop_assert_eq!(a.stats(), b.stats());
        for id in a.ids() {
            let other = b.id(a.key(id)).unwrap();
            proptest::prop_assert_eq!(a.totals(id), b.totals(other));
            for p in 0..a.periods().len() {
                proptest::prop_assert_eq!(a.period_totals(id, p), b.period_totals(other, p));
            }
            let days: Vec<i32> = a.purchase_day_numbers(id).to_vec();
            proptest::prop_assert_eq!(days, b.purchase_day_numbers(other).to_vec());
        }
        Ok(())
    }

    fn rows() -> impl proptest::strategy::Strategy<Value = Vec<Row>> {
        proptest::collection::vec(
            (
                0u8..40,
                -300i64..500,
                -5_000i64..50_000,
                proptest::option::of(-500i64..5_000),
            ),
            0..400,
        )
    }

    proptest::proptest! {
        /// The partitioned path equals recording every sale in order, for
        /// any number of partitions and threads.
        #[test]
        fn equals_the_reference(rows in rows(), partitions in 1usize..40, threads in 1usize..4, days: bool) {
            let periods: [Period; 3] = ["2024".parse().unwrap(), "2023".parse().unwrap(), "2024-Q2".parse().unwrap()];
            let options = LedgerOptions::new().purchase_days(days);
            let want = reference(&periods, options, &rows);
            let got = ingested(&periods, options, &rows, partitions, threads);
            same(&want, &got)?;
        }

        /// The order of the customers depends on the keys and positions
        /// only: not on threads or on the order the rows come in.
        #[test]
        fn order_is_deterministic(rows in rows(), partitions in 1usize..40, threads in 2usize..4) {
            let periods: [Period; 1] = ["2024".parse().unwrap()];
            let one = ingested(&periods, LedgerOptions::new(), &rows, partitions, 1);
            let many = ingested(&periods, LedgerOptions::new(), &rows, partitions, threads);
            let keys = |l: &Ledger| l.ids().map(|id| l.key(id).to_string()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(keys(&one), keys(&many));
            // Within a partition, new customers come in order of first
            // appearance; with one partition that is the input's order.
            let single = ingested(&periods, LedgerOptions::new(), &rows, 1, threads);
            let reference = reference(&periods, LedgerOptions::new(), &rows);
            proptest::prop_assert_eq!(keys(&single), keys(&reference));
        }
    }

    #[test]
    fn overflow_is_a_failure_naming_the_sale() {
        let mut l = Ledger::new(["2024".parse::<Period>().unwrap()]);
        let ingest = Arc::new(SalesIngest::with_partitions(&l, 3));
        let big = Money::new(rust_decimal::Decimal::MAX);
        let date = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        {
            let mut b = SalesIngest::buffer(&ingest);
            b.push("A", date, big, None, 10, 1);
            b.push("A", date, big, None, 20, 2);
            b.push("B", date, Money::from(1), None, 30, 3);
        }
        let failures = ingest.take_failures();
        assert_eq!(failures.len(), 1);
        assert_eq!((failures[0].position, failures[0].tag), (20, 2));
        assert!(matches!(failures[0].error, Error::Overflow { ref key } if key == "A"));
        ingest.finish_into(&mut l).unwrap();
        assert_eq!(l.stats().transactions, 2);
        let a = l.id("A").unwrap();
        assert_eq!(l.period_totals(a, 0).value(Basis::Revenue), big);
        // Into a ledger of other periods: refused.
        assert!(ingest.finish_into(&mut Ledger::new([])).is_err());
    }

    #[test]
    fn merges_into_a_ledger_that_holds_customers() {
        let year: Period = "2024".parse().unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        let mut l = Ledger::new([year]);
        l.record_sale("B", date, Money::from(5), None).unwrap();
        let ingest = Arc::new(SalesIngest::new(&l));
        {
            let mut b = SalesIngest::buffer(&ingest);
            b.push("A", date, Money::from(1), None, 0, 0);
            b.push("B", date, Money::from(2), None, 1, 0);
        }
        ingest.finish_into(&mut l).unwrap();
        assert_eq!(l.key(CustomerId::default()), "B");
        let b = l.id("B").unwrap();
        assert_eq!(l.period_totals(b, 0).value(Basis::Revenue), Money::from(7));
        assert_eq!(l.len(), 2);
    }
}

//! The ledger's load on several connections: the sales of consecutive
//! ranges of customer ids are read on connections of their own, each into
//! a ledger of its own, while the first connection reads the register and
//! the contacts; the parts are then merged in customer-id order with
//! [`Ledger::merge_disjoint`], which gives the ledger the sequential read
//! gives (the same customers, numbered in the same order, with the same
//! figures).
//!
//! All the connections read one state of the database. Each begins its
//! read transaction (in WAL mode, its snapshot) between two readings of
//! `PRAGMA data_version` on the first connection, the second one inside
//! that connection's own read transaction: equal values mean that no other
//! connection committed in between, so every snapshot is that one state.
//! When they differ (an import committed meanwhile) the load begins again,
//! and after [`ATTEMPTS`] tries it reads on the first connection alone, in
//! one read transaction.
//!
//! The connections open the file the first one opened: its path made
//! absolute when the store was opened (a later change of the working
//! directory does not matter), and, once they have begun, checked to be
//! the same file (device and inode) as the first connection's, so that a
//! database renamed over the path meanwhile (a backup put back) is never
//! read in part. When that cannot be made sure (a file replaced while the
//! store was opened, a platform without inodes, connections that cannot
//! be opened), the load reads on the first connection alone.

use std::path::{Path, PathBuf};

use crm_core::{Ledger, LedgerOptions, Money, NaiveDate, Period};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::{
    DEFAULT_BUSY, READ_CACHE, SqliteStore, before_text, corrupt, date, money, open_reader,
    short_money, sql,
};
use crm_store::Result;

/// The most connections a load reads on.
const MAX_THREADS: usize = 8;

/// Transactions sampled to cut the customers into ranges of equal work.
const SAMPLES: usize = 1024;

/// Sales handed to the ledger at a time (whole runs: a little more).
const BATCH: usize = 4096;

/// How many times a load tries to begin its read transactions on one
/// state of the database before reading on one connection.
pub(super) const ATTEMPTS: usize = 3;

/// The threads a load reads on by default: the available parallelism, at
/// most [`MAX_THREADS`].
pub(super) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS))
}

#[cfg(test)]
thread_local! {
    /// Called once the readers have begun their read transactions and
    /// before the first connection begins its own: a test commits there.
    pub(super) static BETWEEN_SNAPSHOTS: std::cell::RefCell<Option<Box<dyn FnMut()>>> =
        std::cell::RefCell::new(None);
}

/// The file a store's connection opened: its absolute path and its
/// identity (device and inode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileId {
    path: PathBuf,
    id: (u64, u64),
}

impl FileId {
    /// The file at `path` now; `None` when it cannot be told (no such
    /// file yet, a platform without inodes).
    pub(super) fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let path = std::fs::canonicalize(path).ok()?;
            let m = std::fs::metadata(&path).ok()?;
            Some(FileId {
                id: (m.dev(), m.ino()),
                path,
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// The file a connection opened at `path`, found the same before the
    /// connection opened it (`before`) and after: else `None`.
    pub(super) fn confirmed(before: Option<FileId>, path: &Path) -> Option<FileId> {
        let after = FileId::of(path)?;
        (before.as_ref() == Some(&after)).then_some(after)
    }

    /// Whether its path still names the same file.
    fn unchanged(&self) -> bool {
        FileId::of(&self.path).as_ref() == Some(self)
    }
}

/// How one try of the parallel load ended.
enum Try {
    /// The ledger is fed.
    Done,
    /// An import committed while the connections began: try again.
    Again,
    /// The connections do not read the same file: read on one.
    Alone,
}

impl SqliteStore {
    /// Feeds `ledger` as [`Store::load`] does, reading the sales on up to
    /// `threads` connections (at most 8), each over a range of customer
    /// ids, and merging what they read in customer order: the same ledger
    /// (customers, their order and their figures) as one connection
    /// reads. Every connection reads the same state of the same file,
    /// whatever imports commit meanwhile (and whatever file is renamed
    /// over the path, or working directory is set, after the store was
    /// opened).
    ///
    /// `threads` of 0 reads on as many threads as the machine runs at once
    /// (at most 8), as `crm_csv::ImportOptions::threads` of 0 does. One
    /// thread reads on the store's one connection, and so do a store in
    /// memory, a ledger that holds sales already, a file that was
    /// replaced while the store was opened or whose identity the platform
    /// does not tell, and connections that cannot be opened (too many
    /// open files): the result is the same, on one core. [`Store::load`]
    /// reads on as many threads as the machine runs at once.
    ///
    /// # Errors
    ///
    /// As [`Store::load`]. After an error the ledger holds part of the
    /// data (which part depends on the number of threads): drop it.
    ///
    /// [`Store::load`]: crm_store::Store::load
    pub fn load_with_threads(&self, ledger: &mut Ledger, threads: usize) -> Result<()> {
        // Inside a read transaction already open on this connection (a
        // `Store::read_snapshot`), read in it, on this connection: other
        // connections could not share its snapshot.
        if !self.conn.is_autocommit() {
            return crm_store::load_sequentially(self, ledger);
        }
        let threads = match threads {
            0 => default_threads(),
            n => n.min(MAX_THREADS),
        };
        // A ledger that holds sales already is fed on one connection: a
        // sum could then overflow in the merge, where the sequential read
        // names the sale. The register and contacts hold no sums.
        if let Some(file) = self.file.as_ref().filter(|_| threads > 1)
            && ledger.stats().transactions == 0
            && let Some(mut readers) = readers(&file.path, threads)
        {
            for _ in 0..ATTEMPTS {
                match self.load_parallel(&mut readers, ledger, file)? {
                    Try::Done => return Ok(()),
                    Try::Again => {}
                    Try::Alone => break,
                }
            }
        }
        let read = self.conn.unchecked_transaction().map_err(sql)?;
        crm_store::load_sequentially(self, ledger)?;
        read.commit().map_err(sql)
    }

    /// One try of the parallel load; having read nothing into `ledger`
    /// unless it is done.
    fn load_parallel(
        &self,
        readers: &mut [Connection],
        ledger: &mut Ledger,
        file: &FileId,
    ) -> Result<Try> {
        let version = |conn: &Connection| -> Result<i64> {
            conn.query_row("PRAGMA data_version", [], |r| r.get(0))
                .map_err(sql)
        };
        let before = version(&self.conn)?;
        for conn in readers.iter() {
            // `BEGIN` is deferred: the snapshot is taken by the first read.
            conn.execute_batch("BEGIN").map_err(sql)?;
            conn.query_row("SELECT count(*) FROM crm_meta", [], |_| Ok(()))
                .map_err(sql)?;
        }
        #[cfg(test)]
        BETWEEN_SNAPSHOTS.with(|hook| {
            if let Some(f) = hook.borrow_mut().as_mut() {
                f();
            }
        });
        let read = self.conn.unchecked_transaction().map_err(sql)?;
        let same = version(&self.conn)? == before;
        // The readers hold their files now: the path must still name the
        // first connection's.
        let result = if !file.unchanged() {
            Ok(Try::Alone)
        } else if same {
            self.read_parts(readers, ledger).map(|()| Try::Done)
        } else {
            Ok(Try::Again)
        };
        for conn in readers.iter() {
            conn.execute_batch("COMMIT").map_err(sql)?;
        }
        read.commit().map_err(sql)?;
        result
    }

    /// The parallel load, every connection in its read transaction.
    fn read_parts(&self, readers: &mut [Connection], ledger: &mut Ledger) -> Result<()> {
        // Open at both ends, so that a sale whose customer is below or
        // above every customer's id (or not a number: those sort after
        // numbers) is read, and refused as the sequential read refuses it.
        let mut ranges = self.ranges(readers.len())?;
        if ranges.is_empty() {
            ranges.push((i64::MIN, i64::MAX));
        }
        if let Some(first) = ranges.first_mut() {
            first.0 = i64::MIN;
        }
        if let Some(last) = ranges.last_mut() {
            last.1 = i64::MAX;
        }
        let latest = ledger.periods().iter().map(|p| p.end()).max();
        let before = before_text(latest);
        let (periods, options) = (ledger.periods().to_vec(), ledger.options());
        let (head, parts) = std::thread::scope(|s| {
            let handles: Vec<_> = readers
                .iter_mut()
                .zip(&ranges)
                .map(|(conn, &range)| {
                    let (before, periods) = (&before, &periods);
                    s.spawn(move || read_part(conn, range, before, periods, options))
                })
                .collect();
            let head = crm_store::load_register_and_contacts(self, ledger);
            let parts: Vec<_> = handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect();
            (head, parts)
        });
        // The errors in the order a sequential read meets them: a failed
        // read ends it, a ledger error is reported at the end.
        let failure = head?;
        let mut ledgers = Vec::with_capacity(parts.len());
        let mut failures = vec![failure];
        for part in parts {
            let (l, f) = part?;
            ledgers.push(l);
            failures.push(f);
        }
        if let Some(e) = failures.into_iter().flatten().next() {
            return Err(e.into());
        }
        // Part by part, in customer order (new customers are numbered in
        // the order merged), each dropped once merged, so that the parts
        // and the whole are not all alive at once.
        for part in ledgers {
            let order: Vec<(u32, u32)> = (0..part.len()).map(|i| (0, i as u32)).collect();
            ledger.merge_disjoint(std::slice::from_ref(&part), &order)?;
        }
        Ok(())
    }

    /// At most `n` consecutive ranges of customer ids that cover every
    /// customer, with about as many transactions each: cut at quantiles
    /// of the customers of [`SAMPLES`] transactions at evenly spaced row
    /// ids (customers imported early have longer histories, so ranges of
    /// equal width are not of equal work); by width when there are no
    /// transactions.
    fn ranges(&self, n: usize) -> Result<Vec<(i64, i64)>> {
        let bounds = |table: &str| -> Result<Option<(i64, i64)>> {
            let (low, high): (Option<i64>, Option<i64>) = self
                .conn
                .query_row(
                    // Two subqueries: SQLite reads a lone min() or max() off
                    // the end of the table, but scans it for both at once.
                    &format!("SELECT (SELECT min(id) FROM {table}), (SELECT max(id) FROM {table})"),
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(sql)?;
            Ok(low.zip(high))
        };
        let Some((low, high)) = bounds("customers")? else {
            return Ok(Vec::new());
        };
        let Some((first, last)) = bounds("transactions")? else {
            return Ok(split(low, high, n));
        };
        let mut stmt = self
            .conn
            .prepare("SELECT customer FROM transactions WHERE id >= ?1 ORDER BY id LIMIT 1")
            .map_err(sql)?;
        let mut sample = Vec::with_capacity(SAMPLES);
        let span = i128::from(last) - i128::from(first);
        for k in 0..SAMPLES as i128 {
            let at = i64::try_from(i128::from(first) + span * k / SAMPLES as i128).unwrap_or(last);
            let mut rows = stmt.query([at]).map_err(sql)?;
            // A customer that is not a row id is the parts' error to report.
            if let Some(r) = rows.next().map_err(sql)?
                && let Ok(ValueRef::Integer(c)) = r.get_ref(0)
            {
                sample.push(c);
            }
        }
        sample.sort_unstable();
        let mut ranges = Vec::with_capacity(n);
        let mut start = low;
        for j in 1..n.max(1) {
            let Some(&cut) = sample.get(sample.len() * j / n) else {
                break;
            };
            if cut > start && cut <= high {
                ranges.push((start, cut - 1));
                start = cut;
            }
        }
        ranges.push((start, high));
        Ok(ranges)
    }
}

/// `threads` read-only connections to `path`, each set for reading;
/// `None` when one cannot be opened (too many open files, say): the load
/// then reads on the store's connection.
fn readers(path: &Path, threads: usize) -> Option<Vec<Connection>> {
    (0..threads)
        .map(|_| {
            let conn = open_reader(path).ok()?;
            conn.busy_timeout(DEFAULT_BUSY).ok()?;
            for (name, value) in [("query_only", "ON"), ("cache_size", READ_CACHE)] {
                conn.pragma_update(None, name, value).ok()?;
            }
            Some(conn)
        })
        .collect()
}

/// `low..=high` cut into at most `n` consecutive ranges of nearly equal
/// width, in order.
fn split(low: i64, high: i64, n: usize) -> Vec<(i64, i64)> {
    let n = i128::try_from(n.max(1)).unwrap_or(1);
    let width = i128::from(high) - i128::from(low) + 1;
    // Below `high + 1` for `k < n`, so within `i64`.
    let bound = |k: i128| i64::try_from(i128::from(low) + width * k / n).unwrap_or(high);
    (0..n)
        .filter_map(|k| {
            let end = if k + 1 == n {
                high
            } else {
                bound(k + 1).checked_sub(1)?
            };
            (bound(k) <= end).then_some((bound(k), end))
        })
        .collect()
}

/// The sales of the customers whose ids lie in `range`, dated before
/// `before`, read into a new ledger of `periods` and `options`: the
/// ledger, with the first sale it refused (the sequential read reports
/// it), or the failed read.
fn read_part(
    conn: &Connection,
    (low, high): (i64, i64),
    before: &str,
    periods: &[Period],
    options: LedgerOptions,
) -> Result<(Ledger, Option<crm_core::Error>)> {
    let mut ledger = Ledger::with_options(periods.iter().copied(), options);
    // The range's keys, in one string, by id.
    let (mut ids, mut ends, mut keys) = (Vec::new(), Vec::new(), String::new());
    let mut stmt = conn
        .prepare("SELECT id, key FROM customers WHERE id BETWEEN ?1 AND ?2 ORDER BY id")
        .map_err(sql)?;
    let mut rows = stmt.query([low, high]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        let id = r.get::<_, i64>(0).map_err(sql)?;
        let key = match r.get_ref(1).map_err(sql)? {
            ValueRef::Text(t) => std::str::from_utf8(t).map_err(|e| {
                corrupt(
                    "customers",
                    format!("the key of customer {id} is not UTF-8 ({e})"),
                )
            })?,
            other => {
                return Err(corrupt(
                    "customers",
                    format!(
                        "the key of customer {id} is {}, not text",
                        other.data_type()
                    ),
                ));
            }
        };
        ids.push(id);
        keys.push_str(key);
        ends.push(keys.len());
    }
    ledger.reserve(ids.len());
    let key_at = |k: usize| &keys[if k == 0 { 0 } else { ends[k - 1] }..ends[k]];
    // The last range takes everything from its start on: values that are
    // not numbers sort after every number.
    let mut stmt = conn
        .prepare(if high == i64::MAX {
            "SELECT customer, date, revenue, margin FROM transactions
             INDEXED BY transactions_by_customer
             WHERE customer >= ?1"
        } else {
            "SELECT customer, date, revenue, margin FROM transactions
             INDEXED BY transactions_by_customer
             WHERE customer BETWEEN ?1 AND ?2"
        })
        .map_err(sql)?;
    let mut rows = if high == i64::MAX {
        stmt.query([low])
    } else {
        stmt.query([low, high])
    }
    .map_err(sql)?;
    // The sales of consecutive customers, each customer's a run (index of
    // its key, first sale), handed to the ledger some thousands at a
    // time: one key lookup per customer, the lookups of a group of runs
    // overlapping.
    let mut sales: Vec<(NaiveDate, Money, Option<Money>)> = Vec::with_capacity(BATCH + 64);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut failure = None;
    let mut record = |sales: &mut Vec<_>, runs: &mut Vec<(usize, usize)>, ledger: &mut Ledger| {
        let borrowed: Vec<(&str, &[_])> = runs
            .iter()
            .enumerate()
            .map(|(n, &(k, start))| {
                let end = runs.get(n + 1).map_or(sales.len(), |r| r.1);
                (key_at(k), &sales[start..end])
            })
            .collect();
        let errors = ledger.record_runs(&borrowed);
        if failure.is_none() {
            failure = errors.into_iter().next().map(|(_, _, e)| e);
        }
        sales.clear();
        runs.clear();
    };
    let mut next = 0;
    while let Some(r) = rows.next().map_err(sql)? {
        let value = |i: usize| r.get_ref(i).map_err(|e| corrupt("transactions", e));
        // `date < before` as SQLite compares (text by its bytes; NULL
        // compares to nothing, numbers sort before text, blobs after), here
        // rather than in the query: one comparison of ten bytes.
        let date = value(1)?;
        let dated_before = match date {
            ValueRef::Text(t) => t < before.as_bytes(),
            ValueRef::Integer(_) | ValueRef::Real(_) => true,
            ValueRef::Null | ValueRef::Blob(_) => false,
        };
        if !dated_before {
            continue;
        }
        let ValueRef::Integer(id) = value(0)? else {
            return Err(corrupt("transactions", "a customer that is not a row id"));
        };
        // Rows come by ascending customer: walk the keys alongside.
        if runs.is_empty() || ids.get(next) != Some(&id) {
            if sales.len() >= BATCH {
                record(&mut sales, &mut runs, &mut ledger);
            }
            while ids.get(next).is_some_and(|&k| k < id) {
                next += 1;
            }
            if ids.get(next) != Some(&id) {
                return Err(corrupt("transactions", format!("no customer {id}")));
            }
            runs.push((next, sales.len()));
        }
        let date = date_of(date)?;
        let revenue = money_of(value(2)?)?;
        let margin = match value(3)? {
            ValueRef::Null => None,
            v => Some(money_of(v)?),
        };
        sales.push((date, revenue, margin));
    }
    record(&mut sales, &mut runs, &mut ledger);
    Ok((ledger, failure))
}

/// The text of a column of `transactions`, or why it is not text.
fn text_of(v: ValueRef<'_>) -> Result<&str> {
    v.as_str().map_err(|e| corrupt("transactions", e))
}

/// A stored date: the bytes of `YYYY-MM-DD`, read as [`date`] reads them.
fn date_of(v: ValueRef<'_>) -> Result<NaiveDate> {
    if let ValueRef::Text(b) = v
        && let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b
    {
        let n = |ds: &[u8]| {
            ds.iter().try_fold(0u32, |acc, &c| {
                let d = c.wrapping_sub(b'0');
                (d < 10).then_some(acc * 10 + u32::from(d))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (n(&[y0, y1, y2, y3]), n(&[m0, m1]), n(&[d0, d1]))
            && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
        {
            return Ok(date);
        }
    }
    date("transactions", text_of(v)?)
}

/// A stored amount, read as [`money`] reads it.
fn money_of(v: ValueRef<'_>) -> Result<Money> {
    if let ValueRef::Text(b) = v
        && let Some(m) = short_money(b)
    {
        return Ok(m);
    }
    money("transactions", text_of(v)?)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use crm_core::{CustomerKey, Ledger, Money, NaiveDate, Period, Transaction};
    use crm_store::{Store, load_sequentially};

    use super::{ATTEMPTS, BETWEEN_SNAPSHOTS, SqliteStore};

    /// Sales whose customer no customer row has (written around the
    /// store, as a tool with its checks of foreign keys off could): below
    /// and above every customer's id, not a number, or with no customer
    /// at all. Read on two connections or one, each is an error, never a
    /// sale left out.
    #[test]
    fn sales_of_no_customer_are_errors_on_every_connection_count() {
        let year: Period = "2024".parse().unwrap();
        for (name, edit) in [
            (
                "above",
                "INSERT INTO transactions (customer, date, revenue) VALUES (99, '2024-03-02', '7')",
            ),
            (
                "below",
                "INSERT INTO transactions (customer, date, revenue) VALUES (0, '2024-03-02', '7')",
            ),
            (
                "text",
                "UPDATE transactions SET customer = 'x' WHERE id = (SELECT max(id) FROM transactions)",
            ),
            ("none", "DELETE FROM customers"),
            (
                "blob key",
                "UPDATE customers SET key = x'00ff' WHERE id = 1",
            ),
            (
                "key not UTF-8",
                "UPDATE customers SET key = CAST(x'ff' AS TEXT) WHERE id = 1",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("crm.db");
            import(&path, vec![sale("A", 1, 100), sale("B", 2, 50)]);
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {edit}"))
                .unwrap();
            drop(conn);
            let store = SqliteStore::open_read_only(&path).unwrap();
            for threads in [1, 2, 4] {
                let mut l = Ledger::new([year]);
                let r = store.load_with_threads(&mut l, threads);
                assert!(
                    r.is_err(),
                    "{name}, {threads} threads: {:?}",
                    keys_and_totals(&l)
                );
            }
        }
    }

    /// A database renamed over the path after the store was opened (a
    /// backup put back): the load reads the file the store opened, on one
    /// connection, never part of each.
    #[cfg(unix)]
    #[test]
    fn a_file_renamed_over_the_path_is_not_read() {
        let year: Period = "2024".parse().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
        import(
            &a,
            (0..50).map(|i| sale(&format!("K{i}"), 1, 100)).collect(),
        );
        import(
            &b,
            (0..80).map(|i| sale(&format!("K{i}"), 2, 200)).collect(),
        );
        let want = sequential(&a, year);
        let store = SqliteStore::open_read_only(&a).unwrap();
        std::fs::rename(&b, &a).unwrap();
        for threads in [1, 2, 4] {
            let mut l = Ledger::new([year]);
            store.load_with_threads(&mut l, threads).unwrap();
            assert_eq!(keys_and_totals(&l), want, "{threads} threads");
        }
    }

    fn sale(key: &str, day: u32, cents: i64) -> Transaction {
        Transaction::new(
            CustomerKey::new(key).unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, day).unwrap(),
            Money::from_minor(cents, 2),
        )
    }

    fn import(path: &std::path::Path, rows: Vec<Transaction>) {
        let mut store = SqliteStore::open(path).unwrap();
        store
            .import_transactions(&mut rows.into_iter().map(Ok))
            .unwrap();
    }

    fn keys_and_totals(l: &Ledger) -> Vec<String> {
        l.ids()
            .map(|id| format!("{} {:?}", l.key(id).unwrap(), l.period_totals(id, 0)))
            .collect()
    }

    /// The sequential ledger of the database at `path` as it is now.
    fn sequential(path: &std::path::Path, year: Period) -> Vec<String> {
        let store = SqliteStore::open_read_only(path).unwrap();
        let mut l = Ledger::new([year]);
        load_sequentially(&store, &mut l).unwrap();
        keys_and_totals(&l)
    }

    /// Imports that commit after the readers began their read transactions
    /// and before the first connection began its own, `commits` times in a
    /// row: the load reads one state of the database, never the readers'
    /// state for some customers and the later one for others.
    fn load_across_commits(commits: usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        let year: Period = "2024".parse().unwrap();
        import(
            &path,
            (0..40)
                .map(|i| sale(&format!("K{i}"), 1 + i % 20, 100))
                .collect(),
        );
        let before = sequential(&path, year);
        let calls = Rc::new(Cell::new(0));
        let (hook_path, hook_calls) = (path.clone(), Rc::clone(&calls));
        BETWEEN_SNAPSHOTS.with(|h| {
            *h.borrow_mut() = Some(Box::new(move || {
                let n = hook_calls.get();
                hook_calls.set(n + 1);
                if n < commits {
                    // Sales of customers old and new, at both ends of the ids.
                    import(
                        &hook_path,
                        vec![
                            sale("K0", 21, 7 + n as i64),
                            sale("K39", 22, 9),
                            sale(&format!("New{n}"), 23, 11),
                        ],
                    );
                }
            }));
        });
        let store = SqliteStore::open_read_only(&path).unwrap();
        let mut parallel = Ledger::new([year]);
        store.load_with_threads(&mut parallel, 2).unwrap();
        BETWEEN_SNAPSHOTS.with(|h| h.borrow_mut().take());
        let after = sequential(&path, year);
        assert_ne!(before, after);
        assert_eq!(keys_and_totals(&parallel), after);
        assert_eq!(calls.get(), (commits + 1).min(ATTEMPTS));
    }

    #[test]
    fn an_import_between_the_snapshots_makes_the_load_begin_again() {
        load_across_commits(1);
    }

    #[test]
    fn imports_at_every_attempt_make_the_load_read_on_one_connection() {
        load_across_commits(ATTEMPTS);
    }

    proptest::proptest! {
        #[test]
        fn prop_amounts_read_as_the_general_parser_reads_them(
            m in proptest::prelude::any::<i64>(),
            scale in 0u32..24,
            neg_zero in proptest::prelude::any::<bool>(),
        ) {
            let text = if neg_zero && scale > 0 {
                format!("-0.{}", "0".repeat(scale as usize))
            } else {
                Money::from_minor(m, scale).to_string()
            };
            let general: Money = text.parse().unwrap();
            let read = super::money("transactions", &text).unwrap();
            proptest::prop_assert_eq!(read.to_string(), general.to_string());
            proptest::prop_assert_eq!(read.as_decimal().scale(), general.as_decimal().scale());
            proptest::prop_assert_eq!(
                read.as_decimal().is_sign_negative(),
                general.as_decimal().is_sign_negative()
            );
            let fast = super::money_of(rusqlite::types::ValueRef::Text(text.as_bytes())).unwrap();
            proptest::prop_assert_eq!(fast.to_string(), general.to_string());
        }
    }

    #[test]
    fn amounts_and_dates_out_of_the_common_form() {
        use rusqlite::types::ValueRef::{Integer, Text};
        for s in [
            "+5",
            ".5",
            "5.",
            "1e3",
            "1,5",
            "",
            "-",
            "12345678901234567890.5",
        ] {
            let general = s.parse::<Money>().map(|m| m.to_string()).ok();
            let read = super::money_of(Text(s.as_bytes()))
                .ok()
                .map(|m| m.to_string());
            assert_eq!(read, general, "{s:?}");
        }
        assert!(super::money_of(Integer(5)).is_err());
        for s in [
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "abcd-ef-gh",
            "0000-01-01",
        ] {
            let general = super::date("transactions", s).ok();
            assert_eq!(super::date_of(Text(s.as_bytes())).ok(), general, "{s:?}");
        }
    }

    #[test]
    fn ranges_hold_about_as_many_transactions_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        // Ten customers with 100 sales each, then ninety with one.
        let mut rows = Vec::new();
        for i in 0..100 {
            let n = if i < 10 { 100 } else { 1 };
            rows.extend((0..n).map(|d| sale(&format!("K{i}"), 1 + d % 28, 100)));
        }
        import(&path, rows);
        let store = SqliteStore::open_read_only(&path).unwrap();
        let ranges = store.ranges(2).unwrap();
        assert_eq!(ranges.len(), 2);
        assert_eq!(ranges[0].0, 1);
        assert_eq!(ranges[1].1, 100);
        assert_eq!(ranges[0].1 + 1, ranges[1].0);
        // Half of the 1090 transactions lie among the first ten customers.
        assert!((5..=7).contains(&ranges[1].0), "{ranges:?}");
        assert_eq!(store.ranges(1).unwrap(), [(1, 100)]);
    }

    #[test]
    fn ranges_cover_the_ids_once_in_order() {
        for (low, high) in [(1, 1), (1, 2), (1, 100), (-5, 7), (i64::MIN, i64::MAX)] {
            for n in 1..10 {
                let r = super::split(low, high, n);
                assert!(!r.is_empty() && r.len() <= n);
                assert_eq!(r[0].0, low);
                assert_eq!(r[r.len() - 1].1, high);
                for w in r.windows(2) {
                    assert_eq!(w[0].1.checked_add(1), Some(w[1].0));
                }
            }
        }
    }
}

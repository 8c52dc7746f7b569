use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crm_core::{
    Channel, Consent, Customer, CustomerKey, Datelike, Decimal, Interaction, InteractionKind, Lead,
    Ledger, Money, NaiveDate, Outcome, OutcomeStatus, Sale, SaleBatch, Stage, Transaction,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::schema::{APPLICATION_ID, LATEST, MIGRATIONS};
use crm_store::{Erased, History, ImportSummary, Imported, Record, Rows, Store};
use crm_store::{
    Error, MAX_DATE, MIN_DATE, Result, keyed_hash, stage_dates_from_text, stage_dates_to_text,
};

mod read;

/// The SQLite store: one database file (or memory), bundled SQLite.
///
/// The file is opened in WAL mode (a reader never waits for an import and
/// sees either none or all of it), with foreign keys on and
/// `secure_delete` on (an erased customer's bytes are overwritten, not
/// left in free pages). Money is stored as exact decimal text, dates as
/// ISO text (hence the four-digit years of [`MIN_DATE`] to [`MAX_DATE`]).
/// Each import is one write transaction, whatever kinds of records it
/// holds: a failed or interrupted import leaves the file as it was, and a
/// second import waits for the first (up to the busy timeout, 30 s). Into
/// an empty table of transactions or interactions, an import inserts the
/// rows first and builds the table's indexes after, in the same
/// transaction (sorting once instead of updating them at random row by
/// row); ids repeated within the import are then removed and counted as
/// duplicates, the first inserted kept, as when the indexes are there.
///
/// The ledger of an analysis ([`Store::load`]) is read on as many
/// read-only connections as the machine runs threads, each over a range
/// of customers, all on one state of the file; the parts are merged in
/// customer order, so the ledger is the one a single connection reads
/// (see [`SqliteStore::load_with_threads`]).
///
/// Files carry an application id and a schema version: [`SqliteStore::open`]
/// upgrades an older file in place and refuses another program's database;
/// [`SqliteStore::open_read_only`] writes nothing at all.
///
/// Erased keys are kept on a suppression list as HMAC-SHA-256 digests under
/// a random secret of the database (never the key itself), so that an
/// import refuses their rows.
///
/// ```
/// use crm_sqlite::{SqliteStore, Store};
/// use crm_core::{CustomerKey, NaiveDate, Transaction};
///
/// let mut store = SqliteStore::open_in_memory()?;
/// let t = Transaction::new(CustomerKey::new("C1")?, NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(), "9.95".parse()?)
///     .with_id("T1");
/// let added = store.import_transactions(&mut std::iter::repeat_n(t, 2).map(Ok))?;
/// assert_eq!((added.new, added.duplicate), (1, 1));
/// assert_eq!(store.history("C1")?.unwrap().transactions.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// The file the connection opened, when it can be told for sure:
    /// more connections (the parallel load) open this path and check that
    /// they read the same file.
    file: Option<read::FileId>,
    /// How long a write waits for another writer.
    busy: std::time::Duration,
}

/// The busy timeout: how long a write waits for another connection.
const DEFAULT_BUSY: std::time::Duration = std::time::Duration::from_secs(30);

/// Page cache for reads: 16 MiB (negative values are KiB).
const READ_CACHE: &str = "-16384";
/// Page cache during an import: 256 MiB.
const IMPORT_CACHE: &str = "-262144";
/// Page cache while an import builds an index: 4 MiB. SQLite's sorter
/// sorts runs of keys as large as the page cache in memory, then merges
/// them from temporary files; runs that fit the processor's caches sort
/// about twice as fast as runs of 256 MiB (building the unique index on the
/// ids of ten million transactions took 4.9 s of CPU instead of 10 s).
const SORT_CACHE: &str = "-4096";
/// Where SQLite keeps temporary data (the sorts that build indexes)
/// during an import: in files, so that memory stays bounded however large
/// the import (in memory, building the indexes of ten million
/// transactions took a gigabyte); `MEMORY` otherwise.
const IMPORT_TEMP_STORE: &str = "FILE";

fn sql(e: rusqlite::Error) -> Error {
    Error::backend(e)
}

fn corrupt(table: &'static str, reason: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        table,
        reason: reason.to_string(),
    }
}

fn date(table: &'static str, s: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let parsed = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| Some((num(0..4)?, num(5..7)?, num(8..10)?)))
        .flatten()
        .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d));
    parsed.ok_or_else(|| corrupt(table, format!("bad date {s:?}")))
}

/// An amount as the store writes it (`Money`'s text: `-12.50`, `3`).
/// The common form, an optional `-`, at most 18 digits with at least one
/// before and one after an optional `.`, is read without the general
/// decimal parser, into the same value and scale; anything else (and
/// `-0`, whose sign the general parser keeps) takes the general parser.
fn money(table: &'static str, s: &str) -> Result<Money> {
    if let Some(m) = short_money(s.as_bytes()) {
        return Ok(m);
    }
    s.parse()
        .map_err(|_| corrupt(table, format!("bad amount {s:?}")))
}

/// [`money`]'s common form, or `None`.
fn short_money(b: &[u8]) -> Option<Money> {
    let (neg, body) = match b {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    if body.is_empty() || body.len() > 19 {
        return None;
    }
    // Wrapping: past 18 digits the value is refused below.
    let digit = |m: u64, c: u8| {
        let d = c.wrapping_sub(b'0');
        (d < 10).then(|| m.wrapping_mul(10).wrapping_add(u64::from(d)))
    };
    let mut m = 0u64;
    let mut int = 0;
    while let Some(&c) = body.get(int) {
        match digit(m, c) {
            Some(next) => m = next,
            None => break,
        }
        int += 1;
    }
    let mut scale = 0;
    if int < body.len() {
        // A point between digits, then only digits.
        if body[int] != b'.' || int == 0 || int + 1 == body.len() {
            return None;
        }
        for &c in &body[int + 1..] {
            m = digit(m, c)?;
        }
        scale = body.len() - int - 1;
    }
    if int + scale > 18 || (neg && m == 0) {
        return None;
    }
    // At most 18 digits: within `i64`.
    let m = m as i64;
    Some(Money::from_minor(if neg { -m } else { m }, scale as u32))
}

fn opt_money(table: &'static str, s: Option<String>) -> Result<Option<Money>> {
    s.map(|s| money(table, &s)).transpose()
}

/// The columns [`lead_row`] reads, from `leads l` joined to its customer.
const LEAD_SELECT: &str =
    "SELECT c.key, l.stage, l.value, l.entered, l.source_id, l.owner, l.source, l.lost_reason
     FROM leads l JOIN customers c ON c.id = l.customer";

/// A lead from a row of [`LEAD_SELECT`].
fn lead_row(r: &rusqlite::Row<'_>) -> Result<Lead> {
    let text = |i: usize| -> Result<String> { r.get(i).map_err(|e| corrupt("leads", e)) };
    let opt = |i: usize| -> Result<Option<String>> { r.get(i).map_err(|e| corrupt("leads", e)) };
    let mut l = Lead::new(
        CustomerKey::new(text(0)?)?,
        text(1)?.parse().map_err(|e| corrupt("leads", e))?,
        money("leads", &text(2)?)?,
    );
    l.entered = stage_dates_from_text(&text(3)?)?;
    l.id = opt(4)?;
    l.owner = opt(5)?;
    l.source = opt(6)?;
    l.lost_reason = opt(7)?;
    Ok(l)
}

/// What a file holds, before anything is written to it.
enum Found {
    /// No tables at all: a new database.
    Empty,
    /// Ours, at this schema version.
    Ours(i64),
}

/// Tables of schema version 1, whose files carry no application id.
const V1_TABLES: [&str; 5] = [
    "customers",
    "customer_attributes",
    "transactions",
    "interactions",
    "leads",
];

/// Whether an SQLite error says that the file is not a database.
fn not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` for reading and writing,
    /// and brings its schema up to date (an older file is upgraded in
    /// place, in one transaction).
    ///
    /// A missing file, or an empty one, becomes a new database; a file of
    /// another program (an SQLite database with other tables, or another
    /// application id) is refused before anything is written to it.
    ///
    /// # Errors
    ///
    /// [`Error::NewerSchema`] for a file written by a newer version;
    /// [`Error::NotOurs`] for a file that is not ours; [`Error::Busy`]
    /// when another program holds the file locked past the busy timeout;
    /// [`Error::Backend`] when the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref();
        let before = read::FileId::of(path);
        let conn = Connection::open(path).map_err(sql)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            file: read::FileId::confirmed(before, path),
            busy: DEFAULT_BUSY,
        };
        store.conn.busy_timeout(store.busy).map_err(sql)?;
        let found = store.identify()?;
        if let Found::Ours(v) = found {
            store.refuse_newer(v)?;
        }
        store.setup(true)?;
        Ok(store)
    }

    /// Opens the database at `path` to read it only: nothing is written to
    /// the file (no schema, no upgrade, no journal mode), which may itself
    /// be read-only. Analyses open databases this way.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for a missing file; [`Error::NotOurs`] for an
    /// empty file, another program's database or a file that is not a
    /// database; [`Error::OlderSchema`] for a file that needs an upgrade
    /// ([`SqliteStore::open`] does it); [`Error::NewerSchema`];
    /// [`Error::UnreadableWal`] for a copy whose write-ahead log holds
    /// changes, in a place where SQLite cannot make the shared-memory file
    /// that reading them needs (a read-only directory or medium; an empty
    /// log is no obstacle: the file is then read as it is);
    /// [`Error::Backend`] when the file cannot be read.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotFound { path: shown });
            }
            Err(e) => return Err(Error::backend(e)),
            Ok(m) if m.is_dir() => {
                return Err(Error::NotOurs {
                    path: shown,
                    reason: "it is a directory".into(),
                });
            }
            Ok(m) if m.len() == 0 => {
                return Err(Error::NotOurs {
                    path: shown,
                    reason: "the file is empty".into(),
                });
            }
            Ok(_) => {}
        }
        let before = read::FileId::of(path);
        let conn = open_reader(path)?;
        let store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            file: read::FileId::confirmed(before, path),
            busy: DEFAULT_BUSY,
        };
        store.conn.busy_timeout(store.busy).map_err(sql)?;
        match store.identify()? {
            Found::Empty => Err(Error::NotOurs {
                path: shown,
                reason: "an empty SQLite database".into(),
            }),
            Found::Ours(v) if v < LATEST => Err(Error::OlderSchema {
                path: shown,
                found: v,
                supported: LATEST,
            }),
            Found::Ours(v) => {
                store.refuse_newer(v)?;
                for (name, value) in [("query_only", "ON"), ("cache_size", READ_CACHE)] {
                    store.conn.pragma_update(None, name, value).map_err(sql)?;
                }
                Ok(store)
            }
        }
    }

    /// A store in memory, for tests and one-off analyses.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] if SQLite cannot start.
    pub fn open_in_memory() -> Result<SqliteStore> {
        let conn = Connection::open_in_memory().map_err(sql)?;
        let mut store = SqliteStore {
            conn,
            path: PathBuf::from(":memory:"),
            file: None,
            busy: DEFAULT_BUSY,
        };
        store.setup(false)?;
        Ok(store)
    }

    /// Sets how long an import or an erasure waits for another connection
    /// that holds the database (30 s by default) before it fails with
    /// [`Error::Busy`] or [`Error::EraseIncomplete`].
    ///
    /// # Errors
    ///
    /// [`Error::Backend`].
    pub fn set_busy_timeout(&mut self, timeout: std::time::Duration) -> Result<()> {
        self.busy = timeout;
        self.conn.busy_timeout(timeout).map_err(sql)
    }

    /// Tells an empty database, one of ours (with its version) and another
    /// program's file apart, writing nothing: its reads are one read
    /// transaction, so that they see one state of the file even while
    /// another process creates or upgrades the schema (read one by one, the
    /// application id of before and the version of after made a new file
    /// look like another program's).
    fn identify(&self) -> Result<Found> {
        let read = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.busy_or(e))?;
        let found = self.identify_within()?;
        read.commit().map_err(|e| self.busy_or(e))?;
        Ok(found)
    }

    /// [`SqliteStore::identify`] within the caller's transaction.
    fn identify_within(&self) -> Result<Found> {
        let not_ours = |reason: &str| Error::NotOurs {
            path: self.path.display().to_string(),
            reason: reason.to_string(),
        };
        let read = |q: &str| -> Result<i64> {
            self.conn.query_row(q, [], |r| r.get(0)).map_err(|e| {
                if not_a_database(&e) {
                    not_ours("not an SQLite database")
                } else {
                    self.busy_or(e)
                }
            })
        };
        let app = read("PRAGMA application_id")?;
        let version = read("PRAGMA user_version")?;
        let objects = read("SELECT count(*) FROM sqlite_master")?;
        if app == APPLICATION_ID {
            return Ok(Found::Ours(version));
        }
        if app != 0 {
            return Err(not_ours(&format!(
                "its application id {app:#x} is another program's"
            )));
        }
        if objects == 0 && version == 0 {
            return Ok(Found::Empty);
        }
        // Version 1 set no application id: recognise it by its tables.
        let mut ours = version == 1;
        for t in V1_TABLES {
            let n = self
                .conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [t],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(sql)?;
            ours &= n == 1;
        }
        if ours {
            Ok(Found::Ours(1))
        } else {
            Err(not_ours("another program's SQLite database"))
        }
    }

    fn refuse_newer(&self, found: i64) -> Result<()> {
        if found > LATEST {
            return Err(Error::NewerSchema {
                path: self.path.display().to_string(),
                found,
                supported: LATEST,
            });
        }
        Ok(())
    }

    /// A lock held past the busy timeout as [`Error::Busy`]; other errors
    /// as [`Error::Backend`].
    fn busy_or(&self, e: rusqlite::Error) -> Error {
        busy_error(e, self.busy)
    }

    fn setup(&mut self, file: bool) -> Result<()> {
        self.conn.busy_timeout(self.busy).map_err(sql)?;
        if file {
            self.use_wal()?;
        }
        // One statement each, checked: a batch of pragmas is easy to get
        // silently wrong. Reads scan in order and need little page cache;
        // imports raise it for their duration (see `import`).
        for (name, value) in [
            ("synchronous", "NORMAL"),
            ("foreign_keys", "ON"),
            ("secure_delete", "ON"),
            ("cache_size", READ_CACHE),
            ("temp_store", "MEMORY"),
        ] {
            self.conn.pragma_update(None, name, value).map_err(sql)?;
        }
        let fk: bool = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .map_err(sql)?;
        if !fk {
            return Err(corrupt("(database)", "foreign keys cannot be enabled"));
        }
        self.migrate()
    }

    /// Puts the file in WAL mode (it stays so). Switching a file that is
    /// not yet in WAL mode needs it to itself for a moment, and SQLite
    /// reports another connection in the way at once, without waiting (as
    /// when several processes open one new file together): the switch is
    /// tried again, with short pauses, up to the busy timeout.
    fn use_wal(&self) -> Result<()> {
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(1);
        loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
                Ok(mode) => {
                    return Err(corrupt(
                        "(database)",
                        format!("cannot use WAL mode (got {mode})"),
                    ));
                }
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && started.elapsed() < self.busy =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(50));
                }
                Err(e) => return Err(self.busy_or(e)),
            }
        }
    }

    /// The schema version of the open file.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`].
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)
    }

    /// Creates or upgrades the schema. Under the write lock (taken first,
    /// waiting up to the busy timeout), the file is identified again: other
    /// processes opening the same new file at once wait for the first to
    /// create the schema, then find it there and write nothing.
    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        self.refuse_newer(found)?;
        if found == LATEST {
            // Up to date: no write lock to take.
            return Ok(());
        }
        // A writer from the start: a deferred transaction that reads and
        // then writes cannot wait for another writer.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| busy_error(e, self.busy))?;
        // Identify again under the lock: another process may have created
        // or migrated the schema meanwhile (or, in principle, put another
        // program's tables there).
        let found = match self.identify_within()? {
            Found::Empty => 0,
            Found::Ours(v) => v,
        };
        self.refuse_newer(found)?;
        for (i, m) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            tx.execute_batch(m).map_err(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(sql)?;
        }
        if found < LATEST {
            tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))
                .map_err(sql)?;
        }
        tx.commit().map_err(|e| busy_error(e, self.busy))
    }

    /// Runs `PRAGMA integrity_check`: `Ok(())` when the file is sound.
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`] with SQLite's findings, or [`Error::Backend`].
    pub fn integrity_check(&self) -> Result<()> {
        let r: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sql)?;
        if r == "ok" {
            Ok(())
        } else {
            Err(corrupt("(database)", r))
        }
    }

    /// Counts the rows of each table, for reports and tests: the data
    /// tables, then `erased_keys` (the suppression list).
    ///
    /// # Errors
    ///
    /// [`Error::Backend`].
    pub fn counts(&self) -> Result<Vec<(&'static str, u64)>> {
        V1_TABLES
            .into_iter()
            .chain(["erased_keys"])
            .map(|t| {
                let n: i64 = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    .map_err(sql)?;
                Ok((t, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    /// Takes `key` off the suppression list, so that it can be imported
    /// again (a customer who comes back after an erasure, with consent).
    /// Returns whether it was on the list.
    ///
    /// # Errors
    ///
    /// [`Error::Busy`], [`Error::Backend`].
    pub fn lift_suppression(&mut self, key: &str) -> Result<bool> {
        let hash = self.key_hash(key)?;
        let n = self
            .conn
            .execute("DELETE FROM erased_keys WHERE hash = ?1", [hash])
            .map_err(|e| self.busy_or(e))?;
        Ok(n > 0)
    }

    /// The keyed hash of `key` on the suppression list: HMAC-SHA-256 with
    /// the database's own random secret.
    fn key_hash(&self, key: &str) -> Result<Vec<u8>> {
        let secret: Vec<u8> = self
            .conn
            .query_row(
                "SELECT value FROM crm_meta WHERE name = 'suppression_key'",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        keyed_hash(&secret, key)
    }
}

/// Whether the write-ahead log of `path` is missing or empty.
/// A read-only connection to the database at `path` (which exists), with
/// no mutex (each connection is used by one thread at a time).
fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    // A WAL file in a directory we cannot write to: SQLite cannot make
    // the shared-memory file that readers of a WAL database use. When
    // the write-ahead log is empty (the last writer closed cleanly), the
    // database file holds everything: read it as immutable. When it is
    // not, its changes cannot be read here: say so, and what to do.
    if let Err(e) = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        && matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
        )
    {
        if !wal_is_empty(path) {
            return Err(Error::UnreadableWal {
                path: path.display().to_string(),
            });
        }
        drop(conn);
        conn = Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
            .map_err(sql)?;
    }
    Ok(conn)
}

fn wal_is_empty(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(true, |m| m.len() == 0)
}

/// The `file:` URI of `path`, opened immutable (no locks, no shared
/// memory), with every byte outside the unreserved set percent-encoded.
fn immutable_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// A failure to start a write transaction: [`Error::Busy`] when the lock
/// was held past the busy timeout.
fn busy_error(e: rusqlite::Error, waited: std::time::Duration) -> Error {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
        Error::Busy { waited }
    } else {
        sql(e)
    }
}

/// The bound of a read by date, as text: stored dates (four-digit years,
/// which keep their order as text) before it. A bound past the last date a
/// store keeps reads every date (`+10000-01-01` as text would sort before
/// every date), one before the first reads none.
fn before_text(before: Option<NaiveDate>) -> String {
    match before {
        Some(d) if d <= MIN_DATE => MIN_DATE.to_string(),
        Some(d) if d <= MAX_DATE => d.to_string(),
        _ => "9999-12-31~".to_string(),
    }
}

/// Calls `f` with batches of the sales dated before `before`, customer by
/// customer, by scanning the covering index; `keys_by_id` are every
/// customer's row id and key, by id.
fn scan_sales(
    conn: &Connection,
    keys_by_id: &[(i64, String)],
    before: &str,
    f: &mut dyn FnMut(&[Sale<'_>]),
) -> Result<()> {
    const BATCH: usize = 4096;
    let mut next_key = 0;
    let mut stmt = conn
        .prepare(
            "SELECT customer, date, revenue, margin FROM transactions
             INDEXED BY transactions_by_customer WHERE date < ?1",
        )
        .map_err(sql)?;
    let mut rows = stmt.query([before]).map_err(sql)?;
    let mut batch = SaleBatch::new();
    let flush = |batch: &mut SaleBatch, f: &mut dyn FnMut(&[Sale<'_>])| {
        f(&batch.sales());
        batch.clear();
    };
    while let Some(r) = rows.next().map_err(sql)? {
        let text = |i: usize, table: &'static str| -> Result<&str> {
            let v = r.get_ref(i).map_err(|e| corrupt(table, e))?;
            v.as_str().map_err(|e| corrupt(table, e))
        };
        let id: i64 = r.get(0).map_err(|e| corrupt("transactions", e))?;
        // Rows come by ascending customer: walk the keys alongside.
        while keys_by_id.get(next_key).is_some_and(|(k, _)| *k < id) {
            next_key += 1;
        }
        let key = match keys_by_id.get(next_key) {
            Some((k, key)) if *k == id => key,
            _ => return Err(corrupt("transactions", format!("no customer {id}"))),
        };
        let d = date("transactions", text(1, "transactions")?)?;
        let revenue = money("transactions", text(2, "transactions")?)?;
        let margin = match r
            .get_ref(3)
            .map_err(|e| corrupt("transactions", e))?
            .as_str_or_null()
        {
            Ok(Some(s)) => Some(money("transactions", s)?),
            Ok(None) => None,
            Err(e) => return Err(corrupt("transactions", e)),
        };
        batch.push(key, d, revenue, margin);
        if batch.len() == BATCH {
            flush(&mut batch, f);
        }
    }
    flush(&mut batch, f);
    Ok(())
}

/// The keys an import has seen, with what it knows of each. A key of up to
/// [`ShortKey::MAX`] bytes (nearly every key) is held in the table's own
/// slot, so that a lookup reads one place in memory rather than following a
/// pointer to the key's text: among a million customers, those two reads
/// at random were a tenth of an import's time, mostly waiting for memory.
/// (foldhash: SipHash's resistance to chosen keys buys nothing here, and it
/// was a visible share of an import's time.)
#[derive(Default)]
struct Keys {
    short: foldhash::HashMap<ShortKey, KeyState>,
    long: foldhash::HashMap<String, KeyState>,
}

/// A key of up to [`ShortKey::MAX`] bytes, held inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortKey {
    len: u8,
    bytes: [u8; ShortKey::MAX],
}

impl ShortKey {
    /// The longest key held inline.
    const MAX: usize = 23;

    fn new(key: &str) -> Option<ShortKey> {
        let b = key.as_bytes();
        let mut bytes = [0; ShortKey::MAX];
        bytes.get_mut(..b.len())?.copy_from_slice(b);
        Some(ShortKey {
            len: u8::try_from(b.len()).ok()?,
            bytes,
        })
    }
}

impl Keys {
    fn get(&self, key: &str) -> Option<KeyState> {
        match ShortKey::new(key) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(key).copied(),
        }
    }

    fn insert(&mut self, key: &str, state: KeyState) {
        match ShortKey::new(key) {
            Some(k) => self.short.insert(k, state),
            None => self.long.insert(key.to_string(), state),
        };
    }
}

/// What an import knows of a key.
#[derive(Debug, Clone, Copy)]
enum KeyState {
    /// The customers row.
    Row(i64),
    /// On the suppression list: its rows are skipped.
    Suppressed,
}

/// A table keyed by source id whose indexes an import into it, when it is
/// empty, drops and builds again after loading the rows: building an index
/// sorts its keys once, where updating it row by row writes its pages at
/// random (customers and ids come in no useful order in an export), which
/// made the page cache thrash and the import read and write many times the
/// file's size.
struct Deferrable {
    table: &'static str,
    /// Its indexes, the unique one on `source_id` first, each with the
    /// statement that makes it (as the schema's migrations do).
    indexes: &'static [(&'static str, &'static str)],
}

const TRANSACTIONS: Deferrable = Deferrable {
    table: "transactions",
    indexes: &[
        (
            "transactions_by_source_id",
            "CREATE UNIQUE INDEX transactions_by_source_id ON transactions(source_id)",
        ),
        (
            "transactions_by_customer",
            "CREATE INDEX transactions_by_customer ON transactions(customer, date, revenue, margin)",
        ),
    ],
};

const INTERACTIONS: Deferrable = Deferrable {
    table: "interactions",
    indexes: &[(
        "interactions_by_source_id",
        "CREATE UNIQUE INDEX interactions_by_source_id ON interactions(source_id)",
    )],
};

/// How an import writes the rows of a [`Deferrable`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    /// No row written yet: not decided.
    Undecided,
    /// The table held rows: each insert updates its indexes and checks its
    /// id against them.
    Indexed,
    /// The table was empty: its indexes are dropped until the end of the
    /// import, duplicate ids are removed then.
    Deferred,
}

impl Deferrable {
    /// Decides how to load the table: drops its indexes when it is empty.
    fn start(&self, tx: &rusqlite::Transaction<'_>) -> Result<Load> {
        let empty: bool = tx
            .query_row(
                &format!("SELECT NOT EXISTS (SELECT 1 FROM {})", self.table),
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if !empty {
            return Ok(Load::Indexed);
        }
        for (name, _) in self.indexes {
            tx.execute_batch(&format!("DROP INDEX {name}"))
                .map_err(sql)?;
        }
        Ok(Load::Deferred)
    }

    /// Builds the indexes again after a deferred load. Of rows sharing a
    /// source id, the first inserted is kept, as the unique index keeps it
    /// when rows are inserted one by one; returns how many were removed.
    fn finish(&self, tx: &rusqlite::Transaction<'_>) -> Result<u64> {
        let Some(((_, unique), others)) = self.indexes.split_first() else {
            return Ok(0);
        };
        tx.pragma_update(None, "cache_size", SORT_CACHE)
            .map_err(sql)?;
        let removed = self.build(tx, unique, others);
        tx.pragma_update(None, "cache_size", IMPORT_CACHE)
            .map_err(sql)?;
        removed
    }

    /// [`Deferrable::finish`] with the small page cache that suits sorts.
    fn build(
        &self,
        tx: &rusqlite::Transaction<'_>,
        unique: &str,
        others: &[(&'static str, &'static str)],
    ) -> Result<u64> {
        // Ids are nearly always unique within a file: try the index first,
        // and remove duplicates (one more sort) only when it fails.
        tx.execute_batch("SAVEPOINT unique_ids").map_err(sql)?;
        let mut removed = 0;
        if let Err(e) = tx.execute_batch(unique) {
            if e.sqlite_error_code() != Some(rusqlite::ErrorCode::ConstraintViolation) {
                return Err(sql(e));
            }
            tx.execute_batch("ROLLBACK TO unique_ids").map_err(sql)?;
            let n = tx
                .execute(
                    &format!(
                        "DELETE FROM {t} WHERE id IN (
                             SELECT id FROM (
                                 SELECT id, row_number() OVER (PARTITION BY source_id ORDER BY id) AS n
                                 FROM {t} WHERE source_id IS NOT NULL)
                             WHERE n > 1)",
                        t = self.table
                    ),
                    [],
                )
                .map_err(sql)?;
            removed = n as u64;
            tx.execute_batch(unique).map_err(sql)?;
        }
        tx.execute_batch("RELEASE unique_ids").map_err(sql)?;
        for (_, create) in others {
            tx.execute_batch(create).map_err(sql)?;
        }
        Ok(removed)
    }
}

/// One import: the write transaction, and what it learnt of keys.
struct Importer<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    secret: Vec<u8>,
    /// Keys seen by this import, looked up once per row.
    keys: Keys,
    /// The customers table was empty when the import began: every row in
    /// it is then in `keys`, and a key missing there is new.
    new_customers: bool,
    /// The suppression list was empty when the import began (an import
    /// adds nothing to it): no key needs its keyed hash computed.
    no_suppression: bool,
    /// The statements inserting [`ROWS_PER_INSERT`] transactions, then
    /// one, into the table without and with its indexes.
    inserts: [[String; 2]; 2],
    /// Text of the transactions of one `INSERT` (dates and amounts), kept
    /// between statements so as not to allocate per row.
    text: String,
    /// Transactions whose keys are not looked up yet.
    pending: Vec<Transaction>,
    /// What the lookups of `pending` found.
    found: Vec<Option<KeyState>>,
    /// Transactions waiting to be inserted in customer and date order.
    buffer: Vec<(i64, Transaction)>,
    /// How the transactions are loaded.
    transactions: Load,
    /// How the interactions are loaded.
    interactions: Load,
    summary: ImportSummary,
}

/// Transactions whose keys are looked up together.
const LOOKUPS: usize = 256;

/// Transactions inserted at a time, in customer and date order.
const BUFFER: usize = 1 << 16;

impl Importer<'_> {
    /// The customers row of `key`, `None` when it is on the suppression
    /// list; a row outside the register is created for a new key when
    /// `create` is set.
    fn resolve(&mut self, key: &str, create: bool) -> Result<Option<Option<i64>>> {
        if let Some(state) = self.keys.get(key) {
            return Ok(match state {
                KeyState::Row(id) => Some(Some(id)),
                KeyState::Suppressed => None,
            });
        }
        if !self.new_customers {
            let existing: Option<i64> = self
                .tx
                .prepare_cached("SELECT id FROM customers WHERE key = ?1")
                .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
                .map_err(sql)?;
            if let Some(id) = existing {
                self.keys.insert(key, KeyState::Row(id));
                return Ok(Some(Some(id)));
            }
        }
        if !self.no_suppression && self.suppressed(key)? {
            self.keys.insert(key, KeyState::Suppressed);
            return Ok(None);
        }
        if !create {
            return Ok(Some(None));
        }
        self.tx
            .prepare_cached(
                "INSERT INTO customers (key, in_register, stage) VALUES (?1, 0, 'suspect')",
            )
            .and_then(|mut s| s.execute([key]))
            .map_err(sql)?;
        let id = self.tx.last_insert_rowid();
        self.keys.insert(key, KeyState::Row(id));
        Ok(Some(Some(id)))
    }

    /// Whether `key` is on the suppression list.
    fn suppressed(&self, key: &str) -> Result<bool> {
        let hash = keyed_hash(&self.secret, key)?;
        self.tx
            .prepare_cached("SELECT 1 FROM erased_keys WHERE hash = ?1")
            .and_then(|mut s| s.exists([hash]))
            .map_err(sql)
    }

    /// Buffers a transaction of customer row `id`.
    fn push(&mut self, id: i64, t: Transaction) -> Result<()> {
        self.buffer.push((id, t));
        if self.buffer.len() == BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// Looks the keys of the pending transactions up, then buffers them
    /// (or counts them as suppressed) in their order. The lookups come
    /// first, in a loop of their own: they do not depend on one another,
    /// so the processor waits for the memory of several at once (in a
    /// table of a million keys, nearly every lookup misses the caches),
    /// where one lookup per row, among the rest of the row's work, waited
    /// for each in turn. A key not found is resolved in order, as
    /// [`Importer::resolve`] does for every kind, so new customers get
    /// their rows in the order of the input.
    fn resolve_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut pending = std::mem::take(&mut self.pending);
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        found.extend(pending.iter().map(|t| self.keys.get(t.customer.as_str())));
        for (t, state) in pending.drain(..).zip(found.iter()) {
            let id = match state {
                Some(KeyState::Row(id)) => Some(*id),
                Some(KeyState::Suppressed) => None,
                None => match self.resolve(t.customer.as_str(), true)? {
                    Some(Some(id)) => Some(id),
                    Some(None) => return Err(corrupt("customers", "a row was not created")),
                    None => None,
                },
            };
            match id {
                Some(id) => self.push(id, t)?,
                None => self.summary.transactions.suppressed += 1,
            }
        }
        self.pending = pending;
        self.found = found;
        Ok(())
    }

    fn add(&mut self, record: Record) -> Result<()> {
        record.check_dates()?;
        if let Record::Transaction(t) = record {
            self.pending.push(t);
            if self.pending.len() == LOOKUPS {
                self.resolve_pending()?;
            }
            return Ok(());
        }
        self.resolve_pending()?;
        let create = !matches!(record, Record::Customer(_));
        let Some(id) = self.resolve(record.key(), create)? else {
            self.summary.of_mut(&record).suppressed += 1;
            return Ok(());
        };
        // `resolve` created a row for every kind but customers.
        let row = || id.ok_or_else(|| corrupt("customers", "a row was not created"));
        match record {
            Record::Customer(c) => {
                let new = self.customer(&c)?;
                count(&mut self.summary.customers, new);
            }
            Record::Transaction(t) => self.push(row()?, t)?,
            Record::Interaction(i) => {
                let cid = row()?;
                if self.interactions == Load::Undecided {
                    self.interactions = INTERACTIONS.start(self.tx)?;
                }
                let n = self
                    .tx
                    .prepare_cached(if self.interactions == Load::Deferred {
                        "INSERT INTO interactions (customer, date, kind, cost, note, source_id, campaign)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    } else {
                        "INSERT INTO interactions (customer, date, kind, cost, note, source_id, campaign)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (source_id) DO NOTHING"
                    })
                    .and_then(|mut s| {
                        s.execute(params![
                            cid,
                            i.date.to_string(),
                            i.kind.as_str(),
                            i.cost.map(|m| m.to_string()),
                            i.note,
                            i.id,
                            i.campaign
                        ])
                    })
                    .map_err(sql)?;
                count(&mut self.summary.interactions, n == 1);
            }
            Record::Lead(l) => {
                let cid = row()?;
                let new = self.lead(cid, l)?;
                count(&mut self.summary.leads, new);
            }
            Record::Outcome(o) => {
                let cid = row()?;
                let n = self
                    .tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO outcomes (customer, rule, status, date, owner, action_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            cid,
                            o.rule,
                            o.status.as_str(),
                            o.date.to_string(),
                            o.owner,
                            o.id.map(|u| u.to_string())
                        ])
                    })
                    .map_err(sql)?;
                count(&mut self.summary.outcomes, n == 1);
            }
            // `Record` may grow: a kind this store does not keep yet.
            _ => {
                return Err(Error::Input(
                    "a kind of record this store does not keep".into(),
                ));
            }
        }
        Ok(())
    }

    /// Adds a lead, or folds it into the stored lead of its id; returns
    /// whether it is new.
    fn lead(&mut self, cid: i64, l: Lead) -> Result<bool> {
        let Some(id) = l.id.clone() else {
            let n = self
                .tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO leads (customer, stage, value, entered, owner, source, lost_reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        cid,
                        l.stage.as_str(),
                        l.value.to_string(),
                        stage_dates_to_text(&l.entered),
                        l.owner,
                        l.source,
                        l.lost_reason
                    ])
                })
                .map_err(sql)?;
            return Ok(n == 1);
        };
        let stored = self
            .tx
            .prepare_cached(&format!("{LEAD_SELECT} WHERE l.source_id = ?1"))
            .and_then(|mut s| s.query_row([&id], |r| Ok(lead_row(r))).optional())
            .map_err(sql)?
            .transpose()?;
        let Some(mut lead) = stored else {
            self.tx
                .prepare_cached(
                    "INSERT INTO leads (customer, stage, value, entered, owner, source, lost_reason, source_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        cid,
                        l.stage.as_str(),
                        l.value.to_string(),
                        stage_dates_to_text(&l.entered),
                        l.owner,
                        l.source,
                        l.lost_reason,
                        id
                    ])
                })
                .map_err(sql)?;
            return Ok(true);
        };
        let before = lead.customer.clone();
        lead.merge(l);
        let key_changed = lead.customer != before;
        // The lead may have moved to another customer (a newer row says so).
        let cid = if key_changed {
            match self.resolve(lead.customer.as_str(), true)? {
                Some(Some(c)) => c,
                _ => cid,
            }
        } else {
            self.tx
                .prepare_cached("SELECT customer FROM leads WHERE source_id = ?1")
                .and_then(|mut s| s.query_row([&id], |r| r.get(0)))
                .map_err(sql)?
        };
        self.tx
            .prepare_cached(
                "UPDATE leads SET customer = ?1, stage = ?2, value = ?3, entered = ?4,
                     owner = ?5, source = ?6, lost_reason = ?7 WHERE source_id = ?8",
            )
            .and_then(|mut s| {
                s.execute(params![
                    cid,
                    lead.stage.as_str(),
                    lead.value.to_string(),
                    stage_dates_to_text(&lead.entered),
                    lead.owner,
                    lead.source,
                    lead.lost_reason,
                    id
                ])
            })
            .map_err(sql)?;
        Ok(false)
    }

    /// Adds or updates a register entry; returns whether it is new to the
    /// register.
    fn customer(&mut self, c: &Customer) -> Result<bool> {
        let key = c.key.as_str();
        let before: Option<bool> = self
            .tx
            .prepare_cached("SELECT in_register FROM customers WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(sql)?;
        self.tx
            .prepare_cached(
                "INSERT INTO customers (key, in_register, stage, name, segment, region, acquired, potential,
                                        consent_email, consent_phone, consent_post)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (key) DO UPDATE SET in_register = 1, stage = excluded.stage, name = excluded.name,
                    segment = excluded.segment, region = excluded.region, acquired = excluded.acquired,
                    potential = excluded.potential, consent_email = excluded.consent_email,
                    consent_phone = excluded.consent_phone, consent_post = excluded.consent_post",
            )
            .and_then(|mut s| {
                s.execute(params![
                    key,
                    c.stage.as_str(),
                    c.name,
                    c.segment,
                    c.region,
                    c.acquired.map(|d| d.to_string()),
                    c.potential.map(|m| m.to_string()),
                    flag(c.consent.email),
                    flag(c.consent.phone),
                    flag(c.consent.post),
                ])
            })
            .map_err(sql)?;
        let id: i64 = self
            .tx
            .prepare_cached("SELECT id FROM customers WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)))
            .map_err(sql)?;
        self.keys.insert(key, KeyState::Row(id));
        self.tx
            .prepare_cached("DELETE FROM customer_attributes WHERE customer = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(sql)?;
        for (name, value) in &c.attributes {
            self.tx
                .prepare_cached(
                    "INSERT INTO customer_attributes (customer, name, value) VALUES (?1, ?2, ?3)",
                )
                .and_then(|mut s| s.execute(params![id, name, value]))
                .map_err(sql)?;
        }
        Ok(before != Some(true))
    }

    /// Inserts the buffered transactions by customer and date, so that the
    /// index by customer, when it is kept up to date row by row, is updated
    /// in runs rather than at random. Of rows sharing a transaction id, the
    /// first inserted is kept: the first of the earliest buffer (of
    /// [`BUFFER`] rows of the input) that holds one, and in it the first by
    /// customer and date.
    ///
    /// Rows go [`ROWS_PER_INSERT`] to a statement: one `INSERT` of many
    /// rows runs SQLite's virtual machine, opens its cursors and resets
    /// once for all of them.
    fn flush(&mut self) -> Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        if self.transactions == Load::Undecided {
            self.transactions = TRANSACTIONS.start(self.tx)?;
        }
        let deferred = self.transactions == Load::Deferred;
        self.buffer.sort_by_key(|(id, t)| (*id, t.date));
        let buffer = std::mem::take(&mut self.buffer);
        let (full, rest) = buffer.split_at(buffer.len() - buffer.len() % ROWS_PER_INSERT);
        let [many, one] = &self.inserts[usize::from(deferred)];
        for (chunk, insert) in full
            .chunks(ROWS_PER_INSERT)
            .map(|c| (c, many))
            .chain(rest.chunks(1).map(|c| (c, one)))
        {
            let mut stmt = self.tx.prepare_cached(insert).map_err(sql)?;
            // The text of every row first (the statement borrows it).
            self.text.clear();
            let mut ends = [[0usize; 4]; ROWS_PER_INSERT];
            for ((_, t), ends) in chunk.iter().zip(&mut ends) {
                push_date(&mut self.text, t.date);
                ends[0] = self.text.len();
                push_display(&mut self.text, &t.revenue);
                ends[1] = self.text.len();
                if let Some(m) = &t.margin {
                    push_display(&mut self.text, m);
                }
                ends[2] = self.text.len();
                if let Some(q) = &t.quantity {
                    push_display(&mut self.text, q);
                }
                ends[3] = self.text.len();
            }
            let mut start = 0;
            for (row, ((id, t), ends)) in chunk.iter().zip(&ends).enumerate() {
                let p = row * 7;
                let text = |i: usize, from: usize| self.text.get(from..ends[i]).unwrap_or("");
                let bind = |stmt: &mut rusqlite::CachedStatement<'_>,
                            n: usize,
                            v: &dyn rusqlite::ToSql| {
                    stmt.raw_bind_parameter(p + n, v).map_err(sql)
                };
                bind(&mut stmt, 1, id)?;
                bind(&mut stmt, 2, &text(0, start))?;
                bind(&mut stmt, 3, &text(1, ends[0]))?;
                bind(&mut stmt, 4, &t.margin.map(|_| text(2, ends[1])))?;
                bind(&mut stmt, 5, &t.quantity.map(|_| text(3, ends[2])))?;
                bind(&mut stmt, 6, &t.id)?;
                bind(&mut stmt, 7, &t.product)?;
                start = ends[3];
            }
            let new = stmt.raw_execute().map_err(sql)? as u64;
            let rows = chunk.len() as u64;
            self.summary.transactions.new += new;
            self.summary.transactions.duplicate += rows.saturating_sub(new);
        }
        self.buffer = buffer;
        self.buffer.clear();
        Ok(())
    }

    /// Writes what is buffered and builds the indexes of the tables loaded
    /// without them, counting the duplicates that removes.
    fn finish(mut self) -> Result<ImportSummary> {
        self.resolve_pending()?;
        self.flush()?;
        for (load, table, counts) in [
            (
                self.transactions,
                &TRANSACTIONS,
                &mut self.summary.transactions,
            ),
            (
                self.interactions,
                &INTERACTIONS,
                &mut self.summary.interactions,
            ),
        ] {
            if load == Load::Deferred {
                let removed = table.finish(self.tx)?;
                counts.new = counts.new.saturating_sub(removed);
                counts.duplicate += removed;
            }
        }
        Ok(self.summary)
    }
}

/// Transactions inserted by one statement (7 parameters each, far below
/// SQLite's limit of 32,766).
const ROWS_PER_INSERT: usize = 64;

/// The statement that inserts `rows` transactions; into a table with its
/// indexes, rows whose id is there already are skipped.
fn insert_transactions(rows: usize, deferred: bool) -> String {
    let mut s = String::from(
        "INSERT INTO transactions (customer, date, revenue, margin, quantity, source_id, product) VALUES ",
    );
    for row in 0..rows {
        let p = row * 7;
        if row > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "(?{},?{},?{},?{},?{},?{},?{})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7
        ));
    }
    if !deferred {
        s.push_str(" ON CONFLICT (source_id) DO NOTHING");
    }
    s
}

/// Appends `d` as ISO text (`YYYY-MM-DD`), as its `Display` writes it,
/// without going through the formatter for the years a store keeps.
fn push_date(s: &mut String, d: NaiveDate) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match u32::try_from(y) {
        Ok(y) if y <= 9999 => {
            for v in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
                s.push(digit(v));
            }
            s.push('-');
            s.push(digit(m / 10));
            s.push(digit(m % 10));
            s.push('-');
            s.push(digit(day / 10));
            s.push(digit(day % 10));
        }
        _ => push_display(s, &d),
    }
}

/// The decimal digit `v` (0 to 9).
fn digit(v: u32) -> char {
    char::from_digit(v, 10).unwrap_or('0')
}

/// Appends `v` as its `Display` writes it.
fn push_display(s: &mut String, v: &dyn std::fmt::Display) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = write!(s, "{v}");
}

fn count(counts: &mut Imported, new: bool) {
    if new {
        counts.new += 1;
    } else {
        counts.duplicate += 1;
    }
}

fn flag(b: Option<bool>) -> Option<i64> {
    b.map(i64::from)
}

/// Whether `table` holds no row.
fn is_empty(tx: &rusqlite::Transaction<'_>, table: &str) -> Result<bool> {
    tx.query_row(
        &format!("SELECT NOT EXISTS (SELECT 1 FROM {table})"),
        [],
        |r| r.get(0),
    )
    .map_err(sql)
}

impl SqliteStore {
    /// [`Store::import`], with the checks of foreign keys already off.
    fn import_unchecked(&mut self, rows: Rows<'_, Record>) -> Result<ImportSummary> {
        self.write(|tx| {
            let secret: Vec<u8> = tx
                .query_row(
                    "SELECT value FROM crm_meta WHERE name = 'suppression_key'",
                    [],
                    |r| r.get(0),
                )
                .map_err(sql)?;
            let mut importer = Importer {
                tx,
                secret,
                keys: Keys::default(),
                new_customers: is_empty(tx, "customers")?,
                no_suppression: is_empty(tx, "erased_keys")?,
                text: String::new(),
                inserts: [false, true].map(|deferred| {
                    [ROWS_PER_INSERT, 1].map(|rows| insert_transactions(rows, deferred))
                }),
                pending: Vec::with_capacity(LOOKUPS),
                found: Vec::with_capacity(LOOKUPS),
                buffer: Vec::with_capacity(BUFFER),
                transactions: Load::Undecided,
                interactions: Load::Undecided,
                summary: ImportSummary::new(),
            };
            for row in rows {
                importer.add(row.map_err(Error::Input)?)?;
            }
            importer.finish()
        })
    }

    /// Every customer's key with its row id, by id, for reads that walk a
    /// table in customer order instead of joining row by row.
    fn keys(&self) -> Result<Vec<(i64, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, key FROM customers ORDER BY id")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(sql)?;
        rows.map(|r| r.map_err(sql)).collect()
    }

    /// Runs `body` in one write transaction (begun as a writer, so that it
    /// waits for another writer up to the busy timeout) with the large page
    /// cache: an import updates indexes on random keys, and with a small
    /// cache nearly every insert reads a page back. Committed when `body`
    /// succeeds, rolled back otherwise.
    fn write<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        for (name, value) in [
            ("cache_size", IMPORT_CACHE),
            ("temp_store", IMPORT_TEMP_STORE),
        ] {
            self.conn.pragma_update(None, name, value).map_err(sql)?;
        }
        let busy = self.busy;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| busy_error(e, busy))?;
            let value = body(&tx)?;
            tx.commit().map_err(|e| busy_error(e, busy))?;
            Ok(value)
        })();
        for (name, value) in [("cache_size", READ_CACHE), ("temp_store", "MEMORY")] {
            self.conn.pragma_update(None, name, value).map_err(sql)?;
        }
        result
    }
}

impl Store for SqliteStore {
    /// One write transaction for the whole import, whatever the kinds of
    /// its records; begun as a writer, so that a second import waits for
    /// the first (up to the busy timeout, then [`Error::Busy`]).
    ///
    /// SQLite's checks of foreign keys are off meanwhile: every row the
    /// import writes refers to a customer it found or created in the same
    /// transaction (and it deletes no customer), so the check, a lookup in
    /// the customers table per row, could only pass.
    fn import(&mut self, rows: Rows<'_, Record>) -> Result<ImportSummary> {
        self.conn
            .pragma_update(None, "foreign_keys", "OFF")
            .map_err(sql)?;
        let summary = self.import_unchecked(rows);
        // On again whatever happened; the import's own error comes first.
        let restored = self
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(sql);
        let summary = summary?;
        restored?;
        Ok(summary)
    }

    fn sales(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&[Sale<'_>])) -> Result<()> {
        scan_sales(&self.conn, &self.keys()?, &before_text(before), f)
    }

    /// Feeds `ledger` like [`load_ledger`](crm_store::load_ledger), from
    /// one state of the database whatever imports commit meanwhile, with
    /// [`SqliteStore::load_with_threads`] on as many threads as the
    /// machine runs at once: the sales of ranges of customers are read on
    /// connections of their own and merged in customer order.
    fn load(&self, ledger: &mut Ledger) -> Result<()> {
        SqliteStore::load_with_threads(self, ledger, 0)
    }

    /// [`SqliteStore::load_with_threads`].
    fn load_with_threads(&self, ledger: &mut Ledger, threads: usize) -> Result<()> {
        SqliteStore::load_with_threads(self, ledger, threads)
    }

    /// Runs `body` in one read transaction on this store's connection: in
    /// WAL mode its reads see the database as it was at the first of
    /// them, whatever imports commit meanwhile (and they do not wait for
    /// it). Within a transaction already open, `body` runs in it.
    fn read_snapshot(&self, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        if !self.conn.is_autocommit() {
            return body();
        }
        // Deferred: the snapshot is taken by the first read. Nothing is
        // written, so ending it either way keeps the database as it is.
        let read = self.conn.unchecked_transaction().map_err(sql)?;
        let result = body();
        let ended = read.rollback().map_err(sql);
        result?;
        ended
    }

    fn contacts(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(&str, NaiveDate, InteractionKind),
    ) -> Result<()> {
        let before = before_text(before);
        // Every key, read at the first interaction: a store without any
        // reads none.
        let mut keys_by_id: Option<HashMap<i64, String>> = None;
        let mut stmt = self
            .conn
            .prepare("SELECT customer, date, kind FROM interactions WHERE date < ?1")
            .map_err(sql)?;
        let mut rows = stmt.query([before]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let id: i64 = r.get(0).map_err(sql)?;
            let keys_by_id = match &mut keys_by_id {
                Some(keys) => keys,
                None => keys_by_id.insert(self.keys()?.into_iter().collect()),
            };
            let key = keys_by_id
                .get(&id)
                .ok_or_else(|| corrupt("interactions", format!("no customer {id}")))?;
            let d: String = r.get(1).map_err(sql)?;
            let kind: String = r.get(2).map_err(sql)?;
            let kind: InteractionKind = kind.parse().map_err(|e| corrupt("interactions", e))?;
            f(key, date("interactions", &d)?, kind);
        }
        Ok(())
    }

    fn register(&self, f: &mut dyn FnMut(&str, Stage, Option<NaiveDate>)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, stage, acquired FROM customers WHERE in_register = 1")
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let key: String = r.get(0).map_err(sql)?;
            let stage: String = r.get(1).map_err(sql)?;
            let acquired: Option<String> = r.get(2).map_err(sql)?;
            f(
                &key,
                stage.parse().map_err(|e| corrupt("customers", e))?,
                acquired.map(|d| date("customers", &d)).transpose()?,
            );
        }
        Ok(())
    }

    fn interactions(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(Interaction),
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.key, i.date, i.kind, i.cost, i.note, i.source_id, i.campaign FROM interactions i
                 JOIN customers c ON c.id = i.customer WHERE i.date < ?1 ORDER BY i.id",
            )
            .map_err(sql)?;
        let mut rows = stmt.query([before_text(before)]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let key: String = r.get(0).map_err(sql)?;
            let d: String = r.get(1).map_err(sql)?;
            let kind: String = r.get(2).map_err(sql)?;
            let kind: InteractionKind = kind.parse().map_err(|e| corrupt("interactions", e))?;
            let mut i = Interaction::new(CustomerKey::new(&key)?, date("interactions", &d)?, kind);
            i.cost = opt_money("interactions", r.get(3).map_err(sql)?)?;
            i.note = r.get(4).map_err(sql)?;
            i.id = r.get(5).map_err(sql)?;
            i.campaign = r.get(6).map_err(sql)?;
            f(i);
        }
        Ok(())
    }

    fn leads(&self, f: &mut dyn FnMut(Lead)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("{LEAD_SELECT} ORDER BY l.id"))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            f(lead_row(r)?);
        }
        Ok(())
    }

    fn customers(&self, f: &mut dyn FnMut(Customer)) -> Result<()> {
        let mut attributes: HashMap<i64, std::collections::BTreeMap<String, String>> =
            HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT customer, name, value FROM customer_attributes")
                .map_err(sql)?;
            let mut rows = stmt.query([]).map_err(sql)?;
            while let Some(r) = rows.next().map_err(sql)? {
                attributes
                    .entry(r.get(0).map_err(sql)?)
                    .or_default()
                    .insert(r.get(1).map_err(sql)?, r.get(2).map_err(sql)?);
            }
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, key, stage, name, segment, region, acquired, potential,
                        consent_email, consent_phone, consent_post
                 FROM customers WHERE in_register = 1 ORDER BY id",
            )
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let id: i64 = r.get(0).map_err(sql)?;
            let key: String = r.get(1).map_err(sql)?;
            let stage: String = r.get(2).map_err(sql)?;
            let mut c = Customer::new(
                CustomerKey::new(&key)?,
                stage.parse().map_err(|e| corrupt("customers", e))?,
            );
            c.name = r.get(3).map_err(sql)?;
            c.segment = r.get(4).map_err(sql)?;
            c.region = r.get(5).map_err(sql)?;
            c.acquired = r
                .get::<_, Option<String>>(6)
                .map_err(sql)?
                .map(|d| date("customers", &d))
                .transpose()?;
            c.potential = opt_money("customers", r.get(7).map_err(sql)?)?;
            c.consent = Consent::default()
                .with(Channel::Email, r.get(8).map_err(sql)?)
                .with(Channel::Phone, r.get(9).map_err(sql)?)
                .with(Channel::Post, r.get(10).map_err(sql)?);
            c.attributes = attributes.remove(&id).unwrap_or_default();
            f(c);
        }
        Ok(())
    }

    fn outcomes(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(Outcome)) -> Result<()> {
        self.outcomes_where("o.date < ?1", &before_text(before), f)
    }

    fn holds_data(&self) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM customers) OR EXISTS(SELECT 1 FROM transactions)
                 OR EXISTS(SELECT 1 FROM interactions) OR EXISTS(SELECT 1 FROM leads)
                 OR EXISTS(SELECT 1 FROM outcomes)",
                [],
                |r| r.get(0),
            )
            .map_err(sql)
    }

    /// The keys on the suppression list (a lifted one is no longer
    /// counted).
    fn erased_count(&self) -> Result<Option<u64>> {
        self.conn
            .query_row("SELECT count(*) FROM erased_keys", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| Some(u64::try_from(n).unwrap_or(0)))
            .map_err(sql)
    }

    fn history(&self, key: &str) -> Result<Option<History>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, in_register, stage, name, segment, region, acquired, potential,
                        consent_email, consent_phone, consent_post FROM customers WHERE key = ?1",
                [key],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, String>(2)?,
                        [r.get::<_, Option<String>>(3)?, r.get(4)?, r.get(5)?],
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        [r.get::<_, Option<bool>>(8)?, r.get(9)?, r.get(10)?],
                    ))
                },
            )
            .optional()
            .map_err(sql)?;
        let Some((id, in_register, stage, [name, segment, region], acquired, potential, consent)) =
            row
        else {
            return Ok(None);
        };
        let ckey = CustomerKey::new(key)?;
        let customer = if in_register {
            let mut c = Customer::new(
                ckey.clone(),
                stage.parse().map_err(|e| corrupt("customers", e))?,
            );
            c.name = name;
            c.segment = segment;
            c.region = region;
            c.acquired = acquired.map(|d| date("customers", &d)).transpose()?;
            c.potential = opt_money("customers", potential)?;
            c.consent = Consent::default()
                .with(Channel::Email, consent[0])
                .with(Channel::Phone, consent[1])
                .with(Channel::Post, consent[2]);
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT name, value FROM customer_attributes WHERE customer = ?1 ORDER BY name",
                )
                .map_err(sql)?;
            let attrs = stmt
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(sql)?;
            for a in attrs {
                let (n, v) = a.map_err(sql)?;
                c.attributes.insert(n, v);
            }
            Some(c)
        } else {
            None
        };

        let mut transactions = Vec::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT date, revenue, margin, quantity, source_id, product FROM transactions
                 WHERE customer = ?1 ORDER BY date, id",
            )
            .map_err(sql)?;
        let mut rows = stmt.query([id]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let d: String = r.get(0).map_err(sql)?;
            let revenue: String = r.get(1).map_err(sql)?;
            let mut t = Transaction::new(
                ckey.clone(),
                date("transactions", &d)?,
                money("transactions", &revenue)?,
            );
            t.margin = opt_money("transactions", r.get(2).map_err(sql)?)?;
            t.quantity = r
                .get::<_, Option<String>>(3)
                .map_err(sql)?
                .map(|q| q.parse::<Decimal>().map_err(|e| corrupt("transactions", e)))
                .transpose()?;
            t.id = r.get(4).map_err(sql)?;
            t.product = r.get(5).map_err(sql)?;
            transactions.push(t);
        }

        let mut interactions = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT date, kind, cost, note, source_id, campaign FROM interactions WHERE customer = ?1 ORDER BY date, id")
            .map_err(sql)?;
        let mut rows = stmt.query([id]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let d: String = r.get(0).map_err(sql)?;
            let kind: String = r.get(1).map_err(sql)?;
            let kind: InteractionKind = kind.parse().map_err(|e| corrupt("interactions", e))?;
            let mut i = Interaction::new(ckey.clone(), date("interactions", &d)?, kind);
            i.cost = opt_money("interactions", r.get(2).map_err(sql)?)?;
            i.note = r.get(3).map_err(sql)?;
            i.id = r.get(4).map_err(sql)?;
            i.campaign = r.get(5).map_err(sql)?;
            interactions.push(i);
        }

        let mut leads = Vec::new();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{LEAD_SELECT} WHERE l.customer = ?1 ORDER BY l.id"
            ))
            .map_err(sql)?;
        let mut rows = stmt.query([id]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            leads.push(lead_row(r)?);
        }
        let mut outcomes = Vec::new();
        self.outcomes_where("o.customer = ?1", &id, &mut |o| outcomes.push(o))?;
        Ok(Some(
            History::new(customer, transactions, interactions, leads).with_outcomes(outcomes),
        ))
    }

    /// Deletes the rows and puts the key's keyed hash on the suppression
    /// list in one write transaction, then checkpoints the write-ahead log
    /// into the file and truncates it (waiting for readers up to the busy
    /// timeout), so that the overwritten pages replace the old ones. `Ok`
    /// only when the checkpoint completed and the log is empty.
    fn erase(&mut self, key: &str) -> Result<Erased> {
        let hash = self.key_hash(key)?;
        let erased = self.write(|tx| {
            let mut erased = Erased::new();
            erased.before = tx
                .query_row("SELECT 1 FROM erased_keys WHERE hash = ?1", [&hash], |_| {
                    Ok(())
                })
                .optional()
                .map_err(sql)?
                .is_some();
            let id: Option<i64> = tx
                .query_row("SELECT id FROM customers WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(sql)?;
            if let Some(id) = id {
                for table in [
                    "customer_attributes",
                    "transactions",
                    "interactions",
                    "leads",
                    "outcomes",
                ] {
                    let n = tx
                        .execute(&format!("DELETE FROM {table} WHERE customer = ?1"), [id])
                        .map_err(sql)?;
                    erased.rows.insert(table, n as u64);
                }
                let n = tx
                    .execute("DELETE FROM customers WHERE id = ?1", [id])
                    .map_err(sql)?;
                erased.rows.insert("customers", n as u64);
                tx.execute(
                    "INSERT OR IGNORE INTO erased_keys (hash, erased) VALUES (?1, date('now'))",
                    [&hash],
                )
                .map_err(sql)?;
            }
            Ok(erased)
        })?;
        self.checkpoint()?;
        Ok(erased)
    }
}

impl SqliteStore {
    /// Calls `f` with the outcomes matching `filter` (on `outcomes o`,
    /// with `arg` as `?1`), in the order they were stored.
    fn outcomes_where(
        &self,
        filter: &str,
        arg: &dyn rusqlite::ToSql,
        f: &mut dyn FnMut(Outcome),
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT c.key, o.rule, o.status, o.date, o.owner, o.action_id FROM outcomes o
                 JOIN customers c ON c.id = o.customer WHERE {filter} ORDER BY o.id"
            ))
            .map_err(sql)?;
        let mut rows = stmt.query([arg]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let key: String = r.get(0).map_err(sql)?;
            let rule: String = r.get(1).map_err(sql)?;
            let status: String = r.get(2).map_err(sql)?;
            let d: String = r.get(3).map_err(sql)?;
            let status: OutcomeStatus = status.parse().map_err(|e| corrupt("outcomes", e))?;
            let key = CustomerKey::new(&key).map_err(|e| corrupt("outcomes", e))?;
            let mut o = Outcome::new(key, &rule, status, date("outcomes", &d)?);
            o.owner = r.get(4).map_err(sql)?;
            o.id = r
                .get::<_, Option<String>>(5)
                .map_err(sql)?
                .map(|u| {
                    u.parse()
                        .map_err(|e| corrupt("outcomes", format!("action id: {e}")))
                })
                .transpose()?;
            f(o);
        }
        Ok(())
    }

    /// Moves every change out of the write-ahead log into the file and
    /// truncates the log, so that pages overwritten by an erasure replace
    /// the old ones on disk; then checks that the log is empty.
    ///
    /// # Errors
    ///
    /// [`Error::EraseIncomplete`] when a reader kept the checkpoint from
    /// completing within the busy timeout, or the log is not empty after.
    pub fn checkpoint(&mut self) -> Result<()> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(());
        }
        let (busy, log, done): (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(sql)?;
        if busy != 0 || log != done {
            return Err(Error::EraseIncomplete {
                reason: format!(
                    "another connection is reading the database ({done} of {log} pages of the write-ahead log written back after waiting {} s)",
                    self.busy.as_secs_f64()
                ),
            });
        }
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        match std::fs::metadata(&wal) {
            Ok(m) if m.len() > 0 => Err(Error::EraseIncomplete {
                reason: format!(
                    "the write-ahead log {} still holds {} bytes",
                    std::path::Path::new(&wal).display(),
                    m.len()
                ),
            }),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::backend(e)),
        }
    }
}

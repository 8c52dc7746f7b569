use std::cell::{RefCell, RefMut};
use std::collections::{BTreeMap, HashMap};
use std::io::{Seek, Write};
use std::time::Duration;

use crm_core::{
    Channel, Consent, Customer, CustomerFacts, CustomerKey, Decimal, Interaction, InteractionKind,
    Lead, Ledger, Money, NaiveDate, Outcome, OutcomeStatus, PeriodFacts, Sale, SaleBatch, Stage,
    Transaction,
};
use crm_store::{
    Erased, Error, History, ImportSummary, Imported, MAX_DATE, MIN_DATE, Record, Result, Rows,
    Store, keyed_hash, stage_dates_from_text, stage_dates_to_text,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, Row};

use crate::binary;
use crate::connect::{Target, connect};
use crate::schema::{LATEST, LOCK, MIGRATIONS, TABLES};

/// The PostgreSQL store: one database on a PostgreSQL server (version 13
/// or later), reached by a `postgres://` URL.
///
/// - Versioned schema, upgraded in place by [`PostgresStore::open`] (under
///   an advisory lock, so that two programs opening a new database at once
///   do not both create it); [`PostgresStore::open_read_only`] writes
///   nothing and reads in read-only transactions.
/// - Imports stream every record through one `COPY` into a temporary
///   table, then merge it into the tables in the same transaction: all or
///   nothing, idempotent by transaction and interaction id, one lead per
///   lead id, with new, duplicate and suppressed counts. Importers copy at the same time; the
///   merges take turns (an advisory lock), so that two importers never
///   lose or double a row and their counts add up. An import into an
///   empty transactions table (the first load of a database) takes the
///   lock first and copies its transactions straight into their table in
///   `COPY`'s binary format, with the customer ids given in the client
///   and the indexes built after the rows.
/// - [`PostgresStore::load`](Store::load) reads the register and the
///   contacts, and the sales as [`CustomerFacts`]: the per-customer
///   aggregation runs in the server (`GROUP BY` with a filter per period),
///   so a pyramid moves one row per customer, not one per transaction. All
///   three in one snapshot.
/// - Erasure deletes every row of the key and puts an HMAC-SHA-256 digest
///   of the key (under a random secret of the database) on the suppression
///   list, as the SQLite store does.
///
/// Money is `numeric` (exact), dates are `date`: the dates a store keeps
/// ([`MIN_DATE`] to [`MAX_DATE`]) are all representable.
pub struct PostgresStore {
    client: RefCell<Client>,
    /// Whether a snapshot (a read transaction of `snapshot`) is open.
    in_snapshot: std::cell::Cell<bool>,
    /// The URL without its password, for messages.
    shown: String,
    /// How long an import, an erasure or a migration waits for another.
    busy: Duration,
    read_only: bool,
}

/// A snapshot's transaction while its body runs: dropped only when the
/// body panics (it is forgotten otherwise), it rolls the transaction back,
/// so that a store that outlives the panic does not read an old snapshot
/// forever.
struct OpenSnapshot<'a>(&'a PostgresStore);

impl Drop for OpenSnapshot<'_> {
    fn drop(&mut self) {
        self.0.in_snapshot.set(false);
        if let Ok(mut c) = self.0.client.try_borrow_mut() {
            // Nothing more can be done about a failure while unwinding.
            let _ = c.batch_execute("ROLLBACK");
        }
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.shown)
            .field("busy", &self.busy)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

/// How long a write waits for another by default.
const DEFAULT_BUSY: Duration = Duration::from_secs(30);

fn pg(e: postgres::Error) -> Error {
    Error::backend(Described(e))
}

/// A client error shown with what the server said (severity, SQLSTATE,
/// message, detail, hint) or, for an error of the client or the
/// connection, the chain of its causes: the client's own `Display` is
/// only "db error" or "error connecting to server".
#[derive(Debug)]
pub(crate) struct Described(pub(crate) postgres::Error);

impl std::fmt::Display for Described {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(&self.0))
    }
}

impl std::error::Error for Described {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// See [`Described`].
pub(crate) fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut out = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(detail) = db.detail() {
            out.push_str(&format!(" ({detail})"));
        }
        if let Some(hint) = db.hint() {
            out.push_str(&format!("; hint: {hint}"));
        }
        return out;
    }
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

fn corrupt(table: &'static str, reason: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        table,
        reason: reason.to_string(),
    }
}

fn money(table: &'static str, s: &str) -> Result<Money> {
    s.parse()
        .map_err(|_| corrupt(table, format!("bad amount {s:?}")))
}

/// A customer's sum as the server computed it: exact, so it can have more
/// significant digits than an amount holds (28 or 29). It is then rounded
/// to the amount's precision, as adding the rows one by one on the CSV
/// path rounds; a sum past the range of an amount is that customer's
/// overflow, as on the other paths.
fn sum_money(key: &str, s: &str) -> Result<Money> {
    if let Ok(m) = s.parse::<Money>() {
        return Ok(m);
    }
    match s.parse::<crm_core::Decimal>() {
        Ok(d) => Ok(Money::new(d)),
        Err(_) if is_decimal_text(s) => Err(crm_core::Error::Overflow {
            key: key.chars().take(80).collect(),
        }
        .into()),
        Err(_) => Err(corrupt("transactions", format!("bad sum {s:?}"))),
    }
}

/// Whether `s` is a plain decimal number as the server writes one.
fn is_decimal_text(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
}

fn opt_money(table: &'static str, s: Option<String>) -> Result<Option<Money>> {
    s.map(|s| money(table, &s)).transpose()
}

/// A date bound of a read, clamped to the stored range: a bound past the
/// last date a store keeps reads every date, one before the first none.
/// (PostgreSQL's dates end in 5874897 and begin in 4714 BC; chrono's go
/// further.)
fn bound(d: NaiveDate) -> NaiveDate {
    let after_last = MAX_DATE.succ_opt().unwrap_or(MAX_DATE);
    d.clamp(MIN_DATE, after_last)
}

fn before_bound(before: Option<NaiveDate>) -> NaiveDate {
    bound(before.unwrap_or(NaiveDate::MAX))
}

/// Whether a server error has this SQLSTATE.
fn has_code(e: &postgres::Error, code: &postgres::error::SqlState) -> bool {
    e.code() == Some(code)
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`,
    /// with libpq's parameters such as `sslmode=require`; see the crate
    /// documentation for TLS) for reading and writing, and brings its
    /// schema up to date (a new database gets the tables; an older schema
    /// is upgraded in place, in one transaction).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the server has no such database;
    /// [`Error::NewerSchema`]; [`Error::NotOurs`] when the database holds
    /// tables of our names without our schema table; [`Error::Busy`] when
    /// another program migrates for longer than the busy timeout;
    /// [`Error::Backend`] when the server cannot be reached.
    pub fn open(url: &str) -> Result<PostgresStore> {
        let mut store = PostgresStore::connect(url, false)?;
        store.migrate()?;
        Ok(store)
    }

    /// Connects to the database at `url` to read it only: nothing is
    /// written (no schema, no upgrade), every read runs in a read-only
    /// transaction. Analyses open databases this way.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::NotOurs`] for a database without our
    /// schema; [`Error::OlderSchema`] for one that needs an upgrade
    /// ([`PostgresStore::open`] does it); [`Error::NewerSchema`];
    /// [`Error::Backend`].
    pub fn open_read_only(url: &str) -> Result<PostgresStore> {
        let store = PostgresStore::connect(url, true)?;
        match store.version()? {
            None => Err(Error::NotOurs {
                path: store.shown.clone(),
                reason: "no crm schema in the database (import into it once)".into(),
            }),
            Some(v) if v < LATEST => Err(Error::OlderSchema {
                path: store.shown.clone(),
                found: v.into(),
                supported: LATEST.into(),
            }),
            Some(v) if v > LATEST => Err(Error::NewerSchema {
                path: store.shown.clone(),
                found: v.into(),
                supported: LATEST.into(),
            }),
            Some(_) => Ok(store),
        }
    }

    fn connect(url: &str, read_only: bool) -> Result<PostgresStore> {
        let target = Target::parse(url)?;
        let shown = target.shown.clone();
        let mut client = connect(&target)?;
        if read_only {
            client
                .batch_execute("SET default_transaction_read_only = on")
                .map_err(pg)?;
        }
        Ok(PostgresStore {
            client: RefCell::new(client),
            in_snapshot: std::cell::Cell::new(false),
            shown,
            busy: DEFAULT_BUSY,
            read_only,
        })
    }

    /// Sets how long an import, an erasure or a migration waits for
    /// another one (30 s by default) before it fails with [`Error::Busy`].
    pub fn set_busy_timeout(&mut self, wait: Duration) {
        self.busy = wait;
    }

    /// `url` without its password, for messages: a URL's
    /// `user:password@` becomes `user:***@`, a `password=` parameter
    /// `password=***`.
    pub fn redact(url: &str) -> String {
        crate::connect::redact(url)
    }

    /// The URL of the database, without its password.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// The client, or an error when a callback of this store's own read
    /// calls the store again.
    fn client(&self) -> Result<RefMut<'_, Client>> {
        self.client.try_borrow_mut().map_err(|_| {
            Error::backend(std::io::Error::other(
                "the store was called from within one of its own reads",
            ))
        })
    }

    /// The schema version, `None` when the database has no crm schema.
    fn version(&self) -> Result<Option<i32>> {
        let mut c = self.client()?;
        let ours: bool = c
            .query_one("SELECT to_regclass('crm_schema') IS NOT NULL", &[])
            .map_err(pg)?
            .get(0);
        if !ours {
            return Ok(None);
        }
        let v: i32 = c
            .query_one("SELECT max(version) FROM crm_schema", &[])
            .map_err(pg)?
            .try_get::<_, Option<i32>>(0)
            .map_err(pg)?
            .unwrap_or(0);
        Ok(Some(v))
    }

    /// Takes the store's advisory lock in the current transaction, waiting
    /// up to the busy timeout.
    fn lock(&self, tx: &mut postgres::Transaction<'_>) -> Result<()> {
        tx.batch_execute(&format!(
            "SET LOCAL lock_timeout = {}",
            self.busy.as_millis().max(1)
        ))
        .map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
            .map_err(|e| self.busy_or(e))?;
        tx.batch_execute("SET LOCAL lock_timeout = 0").map_err(pg)
    }

    fn busy_or(&self, e: postgres::Error) -> Error {
        if has_code(&e, &postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
            Error::Busy { waited: self.busy }
        } else {
            pg(e)
        }
    }

    fn migrate(&mut self) -> Result<()> {
        let shown = self.shown.clone();
        let this = &*self;
        let mut c = this.client()?;
        let mut tx = c.transaction().map_err(pg)?;
        this.lock(&mut tx)?;
        let ours: bool = tx
            .query_one("SELECT to_regclass('crm_schema') IS NOT NULL", &[])
            .map_err(pg)?
            .get(0);
        let found = if ours {
            tx.query_one("SELECT max(version) FROM crm_schema", &[])
                .map_err(pg)?
                .try_get::<_, Option<i32>>(0)
                .map_err(pg)?
                .unwrap_or(0)
        } else {
            for t in TABLES {
                let taken: bool = tx
                    .query_one("SELECT to_regclass($1) IS NOT NULL", &[&t])
                    .map_err(pg)?
                    .get(0);
                if taken {
                    return Err(Error::NotOurs {
                        path: shown,
                        reason: format!(
                            "it has a table {t} but no crm schema (use another database or schema)"
                        ),
                    });
                }
            }
            0
        };
        if found > LATEST {
            return Err(Error::NewerSchema {
                path: shown,
                found: found.into(),
                supported: LATEST.into(),
            });
        }
        for (i, m) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            tx.batch_execute(m).map_err(pg)?;
            let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
            tx.execute("UPDATE crm_schema SET version = $1", &[&v])
                .map_err(pg)?;
        }
        tx.commit().map_err(pg)
    }

    /// Counts the rows of each table, for reports and tests: the data
    /// tables, then `erased_keys` (the suppression list).
    ///
    /// # Errors
    ///
    /// [`Error::Backend`].
    pub fn counts(&self) -> Result<Vec<(&'static str, u64)>> {
        let mut c = self.client()?;
        TABLES
            .into_iter()
            .map(|t| {
                let n: i64 = c
                    .query_one(&format!("SELECT count(*) FROM {t}"), &[])
                    .map_err(pg)?
                    .get(0);
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
    /// [`Error::Backend`].
    pub fn lift_suppression(&mut self, key: &str) -> Result<bool> {
        let mut c = self.client()?;
        let secret = secret(&mut *c)?;
        let hash = keyed_hash(&secret, key)?;
        let n = c
            .execute("DELETE FROM erased_keys WHERE hash = $1", &[&hash])
            .map_err(pg)?;
        Ok(n > 0)
    }

    /// Runs `body` in one read transaction: one snapshot of the database
    /// (repeatable read), read-only. Within a snapshot already open on
    /// this store, `body` runs in it (the inner call neither begins nor
    /// ends a transaction); when `body` panics, the transaction is rolled
    /// back as the panic unwinds, so that the store reads afresh after it.
    fn snapshot<T>(&self, body: impl FnOnce() -> Result<T>) -> Result<T> {
        if self.in_snapshot.get() {
            return body();
        }
        self.client()?
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(pg)?;
        let open = OpenSnapshot(self);
        self.in_snapshot.set(true);
        let result = body();
        std::mem::forget(open);
        self.in_snapshot.set(false);
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.client()?.batch_execute(end).map_err(pg);
        let value = result?;
        ended?;
        Ok(value)
    }

    /// Feeds `ledger` with the sales as customer facts, aggregated in the
    /// server: one row per customer.
    fn facts(&self, ledger: &mut Ledger) -> Result<()> {
        let periods = ledger.periods().to_vec();
        let before = periods.iter().map(|p| p.end()).max();
        let days = ledger.options().purchase_days;
        // PostgreSQL allows 1664 columns: aggregate the periods in chunks,
        // each chunk a row per customer that adds to the previous ones.
        const CHUNK: usize = 200;
        let chunks: Vec<std::ops::Range<usize>> = if periods.is_empty() {
            std::iter::once(0..0).collect()
        } else {
            (0..periods.len())
                .step_by(CHUNK)
                .map(|s| s..(s + CHUNK).min(periods.len()))
                .collect()
        };
        let mut failure = None;
        for (n, chunk) in chunks.into_iter().enumerate() {
            let first = n == 0;
            let mut params: Vec<NaiveDate> = vec![before_bound(before)];
            let mut cols = String::new();
            if first {
                cols.push_str(
                    "count(*), count(*) FILTER (WHERE margin IS NULL), min(date), max(date),
                     min(date) FILTER (WHERE revenue > 0), max(date) FILTER (WHERE revenue > 0),
                     min(date) FILTER (WHERE margin > 0), max(date) FILTER (WHERE margin > 0)",
                );
                if days {
                    cols.push_str(", array_agg(DISTINCT date) FILTER (WHERE revenue > 0)");
                }
            } else {
                cols.push_str("0::bigint");
            }
            for p in &periods[chunk.clone()] {
                params.push(bound(p.start()));
                params.push(bound(p.end()));
                let (s, e) = (params.len() - 1, params.len());
                cols.push_str(&format!(
                    ", coalesce(sum(revenue) FILTER (WHERE date >= ${s} AND date < ${e}), 0)::text
                     , coalesce(sum(coalesce(margin, 0)) FILTER (WHERE date >= ${s} AND date < ${e}), 0)::text
                     , count(*) FILTER (WHERE date >= ${s} AND date < ${e})
                     , max(date) FILTER (WHERE date < ${s} AND revenue > 0)
                     , max(date) FILTER (WHERE date < ${s} AND margin > 0)"
                ));
            }
            let sql = format!(
                "SELECT c.key, f.* FROM (SELECT customer, {cols} FROM transactions
                 WHERE date < $1 GROUP BY customer) f JOIN customers c ON c.id = f.customer"
            );
            let mut client = self.client()?;
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let mut rows = client.query_raw(&sql, refs).map_err(pg)?;
            while let Some(row) = rows.next().map_err(pg)? {
                let facts = facts_of(&row, &periods, chunk.clone(), first, days)?;
                if failure.is_none() {
                    failure = ledger.record_facts(&facts).err();
                }
            }
        }
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// One row of the facts query as customer facts: the all-time columns
/// when `first`, then the periods of `chunk`.
fn facts_of(
    row: &Row,
    periods: &[crm_core::Period],
    chunk: std::ops::Range<usize>,
    first: bool,
    days: bool,
) -> Result<CustomerFacts> {
    const T: &str = "transactions";
    let get_date = |i: usize| -> Result<Option<NaiveDate>> { row.try_get(i).map_err(pg) };
    let count = |i: usize| -> Result<u64> {
        let n: i64 = row.try_get(i).map_err(pg)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    let key: String = row.try_get(0).map_err(pg)?;
    let mut f = CustomerFacts::new(key.clone());
    f.periods = vec![PeriodFacts::new(); periods.len()];
    let mut col = 2;
    if first {
        f.transactions = count(2)?;
        f.transactions_without_margin = count(3)?;
        f.first_transaction = get_date(4)?;
        f.last_transaction = get_date(5)?;
        f.first_purchase = [get_date(6)?, get_date(8)?];
        f.last_purchase = [get_date(7)?, get_date(9)?];
        col = 10;
        if days {
            f.purchase_days = row
                .try_get::<_, Option<Vec<NaiveDate>>>(col)
                .map_err(pg)?
                .unwrap_or_default();
            col += 1;
        }
    } else {
        col += 1;
    }
    for i in chunk {
        let p = f
            .periods
            .get_mut(i)
            .ok_or_else(|| corrupt(T, "period out of range"))?;
        p.value = [
            sum_money(&key, row.try_get(col).map_err(pg)?)?,
            sum_money(&key, row.try_get(col + 1).map_err(pg)?)?,
        ];
        p.transactions = count(col + 2)?;
        p.last_purchase_before = [get_date(col + 3)?, get_date(col + 4)?];
        col += 5;
    }
    Ok(f)
}

/// The secret of the suppression list's keyed hashes.
fn secret(c: &mut impl postgres::GenericClient) -> Result<Vec<u8>> {
    c.query_one(
        "SELECT value FROM crm_meta WHERE name = 'suppression_key'",
        &[],
    )
    .map_err(pg)?
    .try_get(0)
    .map_err(pg)
}

/// Writes `s` as a field of COPY's text format.
fn field<W: Write + ?Sized>(out: &mut W, s: &str) -> std::io::Result<()> {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => continue,
        };
        out.write_all(&b[start..i])?;
        out.write_all(esc)?;
        start = i + 1;
    }
    out.write_all(&b[start..])
}

/// Writes an optional text field (`\N` for none) and a tab.
fn opt_field(out: &mut impl Write, s: Option<&str>) -> std::io::Result<()> {
    match s {
        Some(s) => field(out, s)?,
        None => out.write_all(b"\\N")?,
    }
    out.write_all(b"\t")
}

/// Writes a date as PostgreSQL reads it: years up to 0 are years BC (year
/// 0 is 1 BC).
fn date_field(out: &mut impl Write, d: Option<NaiveDate>) -> std::io::Result<()> {
    use crm_core::Datelike;
    match d {
        None => out.write_all(b"\\N\t"),
        Some(d) if d.year() >= 1 => write!(out, "{d}\t"),
        Some(d) => write!(
            out,
            "{:04}-{:02}-{:02} BC\t",
            1 - d.year(),
            d.month(),
            d.day()
        ),
    }
}

fn num_field(out: &mut impl Write, m: Option<Decimal>) -> std::io::Result<()> {
    match m {
        None => out.write_all(b"\\N\t"),
        Some(m) => write!(out, "{m}\t"),
    }
}

fn bool_field(out: &mut impl Write, b: Option<bool>) -> std::io::Result<()> {
    out.write_all(match b {
        None => b"\\N",
        Some(true) => b"t",
        Some(false) => b"f",
    })
}

/// The staging table of an import: every record of every kind but
/// transactions (see [`STAGE_T`]) as one row of generic columns, in input
/// order (`ord`); a customer's attributes are
/// rows of kind `a` with their customer's `ord`. A lead's id is `sid`, its
/// stage, stage dates, owner, source and lost reason `s1` to `s5`; an
/// interaction's kind, note and campaign `s1` to `s3`; an outcome's date
/// is `d`, its action id `sid`, its rule, status and owner `s1` to `s3`.
const STAGE: &str = "CREATE TEMP TABLE crm_stage (
    ord bigint NOT NULL, kind char(1) NOT NULL, key text NOT NULL, d date,
    n1 numeric, n2 numeric, n3 numeric, sid text, s1 text, s2 text, s3 text, s4 text, s5 text,
    b1 boolean, b2 boolean, b3 boolean) ON COMMIT DROP";

/// The `COPY` into the staging table, in its text format.
const STAGE_COPY: &str = "COPY crm_stage (ord, kind, key, d, n1, n2, n3, sid, s1, s2, s3, s4, s5, b1, b2, b3) FROM STDIN";

/// Writes one record as rows of the staging table.
fn stage(out: &mut impl Write, ord: u64, record: &Record) -> std::io::Result<()> {
    let head = |out: &mut dyn Write, kind: &str, key: &str| -> std::io::Result<()> {
        write!(out, "{ord}\t{kind}\t")?;
        field(out, key)?;
        out.write_all(b"\t")
    };
    let nulls = |out: &mut dyn Write, n: usize| out.write_all(&b"\\N\t".repeat(n));
    match record {
        Record::Transaction(t) => {
            head(out, "t", t.customer.as_str())?;
            date_field(out, Some(t.date))?;
            num_field(out, Some(t.revenue.as_decimal()))?;
            num_field(out, t.margin.map(|m| m.as_decimal()))?;
            num_field(out, t.quantity)?;
            opt_field(out, t.id.as_deref())?;
            opt_field(out, t.product.as_deref())?;
            nulls(out, 4)?;
            out.write_all(b"\\N\t\\N\t\\N\n")
        }
        Record::Interaction(i) => {
            head(out, "i", i.customer.as_str())?;
            date_field(out, Some(i.date))?;
            num_field(out, i.cost.map(|m| m.as_decimal()))?;
            nulls(out, 2)?;
            opt_field(out, i.id.as_deref())?;
            opt_field(out, Some(i.kind.as_str()))?;
            opt_field(out, i.note.as_deref())?;
            opt_field(out, i.campaign.as_deref())?;
            nulls(out, 2)?;
            out.write_all(b"\\N\t\\N\t\\N\n")
        }
        Record::Lead(l) => {
            head(out, "l", l.customer.as_str())?;
            nulls(out, 1)?;
            num_field(out, Some(l.value.as_decimal()))?;
            nulls(out, 2)?;
            opt_field(out, l.id.as_deref())?;
            opt_field(out, Some(l.stage.as_str()))?;
            opt_field(out, Some(&stage_dates_to_text(&l.entered)))?;
            opt_field(out, l.owner.as_deref())?;
            opt_field(out, l.source.as_deref())?;
            opt_field(out, l.lost_reason.as_deref())?;
            out.write_all(b"\\N\t\\N\t\\N\n")
        }
        Record::Customer(c) => {
            head(out, "c", c.key.as_str())?;
            date_field(out, c.acquired)?;
            num_field(out, c.potential.map(|m| m.as_decimal()))?;
            nulls(out, 3)?;
            opt_field(out, Some(c.stage.as_str()))?;
            opt_field(out, c.name.as_deref())?;
            opt_field(out, c.segment.as_deref())?;
            opt_field(out, c.region.as_deref())?;
            nulls(out, 1)?;
            bool_field(out, c.consent.email)?;
            out.write_all(b"\t")?;
            bool_field(out, c.consent.phone)?;
            out.write_all(b"\t")?;
            bool_field(out, c.consent.post)?;
            out.write_all(b"\n")?;
            for (name, value) in &c.attributes {
                head(out, "a", c.key.as_str())?;
                nulls(out, 5)?;
                opt_field(out, Some(name))?;
                opt_field(out, Some(value))?;
                nulls(out, 3)?;
                out.write_all(b"\\N\t\\N\t\\N\n")?;
            }
            Ok(())
        }
        Record::Outcome(o) => {
            head(out, "o", o.customer.as_str())?;
            date_field(out, Some(o.date))?;
            nulls(out, 3)?;
            opt_field(out, o.id.map(|u| u.to_string()).as_deref())?;
            opt_field(out, Some(&o.rule))?;
            opt_field(out, Some(o.status.as_str()))?;
            opt_field(out, o.owner.as_deref())?;
            nulls(out, 2)?;
            out.write_all(b"\\N\t\\N\t\\N\n")
        }
        // `Record` may grow: a kind this store does not keep yet.
        _ => Err(std::io::Error::other(
            "a kind of record this store does not keep",
        )),
    }
}

/// A table keyed by source id whose secondary indexes an import into it,
/// when it is empty, drops and builds again after inserting the rows:
/// building an index sorts its keys once, where updating it row by row
/// writes its pages at random (ids and customers come in no useful order
/// in an export).
struct Deferrable {
    table: &'static str,
    /// Its indexes, the unique one on `source_id` first, each with the
    /// statement that makes it (as the schema's migrations do).
    indexes: &'static [(&'static str, &'static str)],
    /// How rows sharing an id are ordered when all but the first are
    /// removed: as the import inserts them into the indexed table.
    first: &'static str,
}

const TRANSACTIONS: Deferrable = Deferrable {
    table: "transactions",
    indexes: &[
        (
            "transactions_by_source_id",
            "CREATE UNIQUE INDEX transactions_by_source_id ON transactions(source_id)
                 WHERE source_id IS NOT NULL",
        ),
        (
            "transactions_by_customer",
            "CREATE INDEX transactions_by_customer ON transactions(customer, date)",
        ),
    ],
    first: "customer, date, id",
};

const INTERACTIONS: Deferrable = Deferrable {
    table: "interactions",
    indexes: &[
        (
            "interactions_by_source_id",
            "CREATE UNIQUE INDEX interactions_by_source_id ON interactions(source_id)
                 WHERE source_id IS NOT NULL",
        ),
        (
            "interactions_by_customer",
            "CREATE INDEX interactions_by_customer ON interactions(customer, date)",
        ),
    ],
    first: "id",
};

impl Deferrable {
    /// Drops the indexes when the table is empty; returns whether it did.
    /// (Under the store's lock: another importer waits, and then finds the
    /// table filled. Readers of the table wait for the import's end.)
    fn start(&self, tx: &mut postgres::Transaction<'_>) -> Result<bool> {
        let empty: bool = tx
            .query_one(
                &format!("SELECT NOT EXISTS (SELECT 1 FROM {})", self.table),
                &[],
            )
            .map_err(pg)?
            .get(0);
        if empty {
            for (name, _) in self.indexes {
                tx.batch_execute(&format!("DROP INDEX {name}"))
                    .map_err(pg)?;
            }
        }
        Ok(empty)
    }

    /// Builds the indexes again; of rows sharing an id, keeps the first
    /// (in the order [`Deferrable::first`]); returns how many it removed.
    fn finish(&self, tx: &mut postgres::Transaction<'_>) -> Result<u64> {
        let Some(((_, unique), others)) = self.indexes.split_first() else {
            return Ok(0);
        };
        // Ids are nearly always unique within an import: try the index
        // first, and remove duplicates (one more sort) only when it fails.
        tx.batch_execute("SAVEPOINT unique_ids").map_err(pg)?;
        let mut removed = 0;
        if let Err(e) = tx.batch_execute(unique) {
            if !has_code(&e, &postgres::error::SqlState::UNIQUE_VIOLATION) {
                return Err(pg(e));
            }
            tx.batch_execute("ROLLBACK TO unique_ids").map_err(pg)?;
            removed = tx
                .execute(
                    &format!(
                        "DELETE FROM {t} WHERE id IN (
                             SELECT id FROM (
                                 SELECT id, row_number() OVER (PARTITION BY source_id ORDER BY {first}) AS n
                                 FROM {t} WHERE source_id IS NOT NULL) d
                             WHERE n > 1)",
                        t = self.table,
                        first = self.first
                    ),
                    &[],
                )
                .map_err(pg)?;
            tx.batch_execute(unique).map_err(pg)?;
        }
        tx.batch_execute("RELEASE unique_ids").map_err(pg)?;
        for (_, create) in others {
            tx.batch_execute(create).map_err(pg)?;
        }
        Ok(removed)
    }
}

/// Counts of one kind in the staging table, by the kind's letter.
fn kind_counts(tx: &mut postgres::Transaction<'_>, sql: &str) -> Result<HashMap<String, u64>> {
    let rows = tx.query(sql, &[]).map_err(pg)?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.try_get(1).map_err(pg)?;
            Ok((r.try_get(0).map_err(pg)?, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}

impl PostgresStore {
    /// Merges the staging table into the tables, under the store's lock.
    /// `staged` transactions are in `crm_stage_t` (and their keys in
    /// `crm_keys`); the other records in `crm_stage`.
    fn merge(&self, tx: &mut postgres::Transaction<'_>, staged: u64) -> Result<ImportSummary> {
        let mut summary = ImportSummary::new();
        // The staging tables are analysed so that the merge's joins are
        // planned on their real sizes (a temporary table has no statistics).
        tx.batch_execute("SET LOCAL work_mem = '256MB'; ANALYZE crm_stage")
            .map_err(pg)?;
        if staged > 0 {
            tx.batch_execute("ANALYZE crm_stage_t; ANALYZE crm_keys")
                .map_err(pg)?;
        }
        self.lock(tx)?;
        let mut totals = kind_counts(
            tx,
            "SELECT kind::text, count(*) FROM crm_stage WHERE kind <> 'a' GROUP BY kind",
        )?;
        totals.insert("t".into(), staged);
        // Keys on the suppression list: only keys without a customers row
        // can be (a key that was imported again after its suppression was
        // lifted has one).
        let listed: i64 = tx
            .query_one("SELECT count(*) FROM erased_keys", &[])
            .map_err(pg)?
            .get(0);
        let mut suppressed = HashMap::new();
        if listed > 0 {
            let secret = secret(tx)?;
            let keys: Vec<String> = tx
                .query(
                    if staged > 0 {
                        "SELECT s.key FROM (SELECT key FROM crm_stage UNION SELECT key FROM crm_keys) s
                         WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.key = s.key)"
                    } else {
                        "SELECT DISTINCT s.key FROM crm_stage s
                         WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.key = s.key)"
                    },
                    &[],
                )
                .map_err(pg)?
                .iter()
                .map(|r| r.try_get(0).map_err(pg))
                .collect::<Result<_>>()?;
            tx.batch_execute("CREATE TEMP TABLE crm_hashes (key text, hash bytea) ON COMMIT DROP")
                .map_err(pg)?;
            let hashes: Vec<Vec<u8>> = keys
                .iter()
                .map(|k| keyed_hash(&secret, k))
                .collect::<Result<_>>()?;
            tx.execute(
                "INSERT INTO crm_hashes SELECT * FROM unnest($1::text[], $2::bytea[])",
                &[&keys, &hashes],
            )
            .map_err(pg)?;
            tx.batch_execute(
                "CREATE TEMP TABLE crm_suppressed ON COMMIT DROP AS
                 SELECT h.key FROM crm_hashes h JOIN erased_keys e ON e.hash = h.hash",
            )
            .map_err(pg)?;
            suppressed = kind_counts(
                tx,
                "SELECT kind::text, count(*) FROM crm_stage
                 WHERE kind <> 'a' AND key IN (SELECT key FROM crm_suppressed) GROUP BY kind",
            )?;
            tx.batch_execute("DELETE FROM crm_stage WHERE key IN (SELECT key FROM crm_suppressed)")
                .map_err(pg)?;
            if staged > 0 {
                let n: i64 = tx
                    .query_one(
                        "WITH gone AS (
                             DELETE FROM crm_stage_t WHERE ck IN
                                 (SELECT k.ck FROM crm_keys k JOIN crm_suppressed s ON s.key = k.key)
                             RETURNING 1)
                         SELECT count(*) FROM gone",
                        &[],
                    )
                    .map_err(pg)?
                    .try_get(0)
                    .map_err(pg)?;
                suppressed.insert("t".into(), u64::try_from(n).unwrap_or(0));
                tx.batch_execute(
                    "DELETE FROM crm_keys WHERE key IN (SELECT key FROM crm_suppressed)",
                )
                .map_err(pg)?;
            }
        }
        let of = |m: &HashMap<String, u64>, k: &str| m.get(k).copied().unwrap_or(0);
        // Each statement scans the staging table: one whose kind is not in
        // the import is not run.
        let mut new_customers: i64 = 0;
        if of(&totals, "c") > 0 {
            new_customers = tx
                .query_one(
                    "SELECT count(DISTINCT s.key) FROM crm_stage s WHERE s.kind = 'c' AND NOT EXISTS
                     (SELECT 1 FROM customers c WHERE c.key = s.key AND c.in_register)",
                    &[],
                )
                .map_err(pg)?
                .get(0);
            tx.batch_execute(
                "INSERT INTO customers (key, in_register, stage, name, segment, region, acquired,
                                        potential, consent_email, consent_phone, consent_post)
                 SELECT DISTINCT ON (key) key, true, s1, s2, s3, s4, d, n1, b1, b2, b3
                 FROM crm_stage WHERE kind = 'c' ORDER BY key, ord DESC
                 ON CONFLICT (key) DO UPDATE SET in_register = true, stage = excluded.stage,
                    name = excluded.name, segment = excluded.segment, region = excluded.region,
                    acquired = excluded.acquired, potential = excluded.potential,
                    consent_email = excluded.consent_email, consent_phone = excluded.consent_phone,
                    consent_post = excluded.consent_post",
            )
            .map_err(pg)?;
        }
        if staged > 0 {
            // The keys of the transactions, once each, in order of first
            // appearance.
            tx.batch_execute(
                "INSERT INTO customers (key, in_register, stage)
                 SELECT key, false, 'suspect' FROM crm_keys k
                 WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.key = k.key)
                 ORDER BY ck
                 ON CONFLICT (key) DO NOTHING",
            )
            .map_err(pg)?;
        }
        if ["i", "l", "o"].iter().any(|k| of(&totals, k) > 0) {
            tx.batch_execute(
                "INSERT INTO customers (key, in_register, stage)
                 SELECT DISTINCT key, false, 'suspect' FROM crm_stage
                 WHERE kind IN ('i', 'l', 'o')
                   AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.key = crm_stage.key)
                 ON CONFLICT (key) DO NOTHING",
            )
            .map_err(pg)?;
        }
        if of(&totals, "c") > 0 {
            tx.batch_execute(
                "DELETE FROM customer_attributes a USING customers c
                 WHERE a.customer = c.id AND c.key IN (SELECT key FROM crm_stage WHERE kind = 'c');
                 INSERT INTO customer_attributes (customer, name, value)
                 SELECT c.id, s.s1, s.s2 FROM crm_stage s JOIN customers c ON c.key = s.key
                 WHERE s.kind = 'a'
                   AND (s.key, s.ord) IN (SELECT key, max(ord) FROM crm_stage WHERE kind = 'c' GROUP BY key)
                 ON CONFLICT (customer, name) DO UPDATE SET value = excluded.value",
            )
            .map_err(pg)?;
        }
        tx.batch_execute("ANALYZE customers").map_err(pg)?;
        tx.batch_execute("SET LOCAL maintenance_work_mem = '512MB'")
            .map_err(pg)?;
        // Of rows sharing an id, the first of the same customer and date in
        // the input is kept (as in the SQLite store); inserting by customer
        // and date keeps the index by customer local. Into an empty table,
        // the rows go in without the indexes, built after. Into a filled
        // one, rows whose id is stored are left out first by an anti-join
        // (one hash of the stored ids, planned on the sizes), not found by
        // `ON CONFLICT` one probe of the index and its row at a time (ten
        // times slower for an import of duplicates): `ON CONFLICT` is left
        // with the ids repeated within the import.
        let deferred = of(&totals, "t") > 0 && TRANSACTIONS.start(tx)?;
        let mut new_transactions = if of(&totals, "t") == 0 {
            0
        } else {
            tx.execute(
                if deferred {
                    "INSERT INTO transactions (customer, date, revenue, margin, quantity, source_id, product)
                     SELECT c.id, s.d, s.n1, s.n2, s.n3, s.sid, s.s1
                     FROM crm_stage_t s JOIN crm_keys k ON k.ck = s.ck
                     JOIN customers c ON c.key = k.key
                     ORDER BY s.ord"
                } else {
                    "INSERT INTO transactions (customer, date, revenue, margin, quantity, source_id, product)
                     SELECT c.id, s.d, s.n1, s.n2, s.n3, s.sid, s.s1
                     FROM crm_stage_t s JOIN crm_keys k ON k.ck = s.ck
                     JOIN customers c ON c.key = k.key
                     WHERE NOT EXISTS
                         (SELECT 1 FROM transactions t WHERE t.source_id = s.sid)
                     ORDER BY c.id, s.d, s.ord
                     ON CONFLICT (source_id) WHERE source_id IS NOT NULL DO NOTHING"
                },
                &[],
            )
            .map_err(pg)?
        };
        if deferred {
            new_transactions -= TRANSACTIONS.finish(tx)?.min(new_transactions);
        }
        // Of interactions sharing an id, the first in the input.
        let deferred = of(&totals, "i") > 0 && INTERACTIONS.start(tx)?;
        let mut new_interactions = if of(&totals, "i") == 0 {
            0
        } else {
            tx.execute(
                if deferred {
                    "INSERT INTO interactions (customer, date, kind, cost, note, source_id, campaign)
                     SELECT c.id, s.d, s.s1, s.n1, s.s2, s.sid, s.s3
                     FROM crm_stage s JOIN customers c ON c.key = s.key
                     WHERE s.kind = 'i' ORDER BY s.ord"
                } else {
                    "INSERT INTO interactions (customer, date, kind, cost, note, source_id, campaign)
                     SELECT c.id, s.d, s.s1, s.n1, s.s2, s.sid, s.s3
                     FROM crm_stage s JOIN customers c ON c.key = s.key
                     WHERE s.kind = 'i' AND NOT EXISTS
                         (SELECT 1 FROM interactions i WHERE i.source_id = s.sid)
                     ORDER BY s.ord
                     ON CONFLICT (source_id) WHERE source_id IS NOT NULL DO NOTHING"
                },
                &[],
            )
            .map_err(pg)?
        };
        if deferred {
            new_interactions -= INTERACTIONS.finish(tx)?.min(new_interactions);
        }
        let new_leads = if of(&totals, "l") > 0 {
            merge_leads(tx)?
        } else {
            0
        };
        // Without a conflict target: an outcome with an action id is one
        // per (action id, status, date), one without one per content.
        let mut new_outcomes = 0;
        if of(&totals, "o") > 0 {
            new_outcomes = tx
                .execute(
                    "INSERT INTO outcomes (customer, rule, status, date, owner, action_id)
                     SELECT c.id, s.s1, s.s2, s.d, s.s3, s.sid::uuid
                     FROM crm_stage s JOIN customers c ON c.key = s.key
                     WHERE s.kind = 'o' ORDER BY s.ord
                     ON CONFLICT DO NOTHING",
                    &[],
                )
                .map_err(pg)?;
        }
        let fill = |counts: &mut Imported, kind: &str, new: u64| {
            counts.suppressed = of(&suppressed, kind);
            counts.new = new;
            counts.duplicate = of(&totals, kind)
                .saturating_sub(counts.suppressed)
                .saturating_sub(new);
        };
        fill(
            &mut summary.customers,
            "c",
            u64::try_from(new_customers).unwrap_or(0),
        );
        fill(&mut summary.transactions, "t", new_transactions);
        fill(&mut summary.interactions, "i", new_interactions);
        fill(&mut summary.leads, "l", new_leads);
        fill(&mut summary.outcomes, "o", new_outcomes);
        Ok(summary)
    }
}

/// Whether a query's single boolean is true.
fn holds(tx: &mut postgres::Transaction<'_>, sql: &str) -> Result<bool> {
    tx.query_one(sql, &[]).map_err(pg)?.try_get(0).map_err(pg)
}

/// The transactions table and the suppression list are empty: the
/// condition of a direct import.
const DIRECT: &str = "SELECT NOT EXISTS (SELECT 1 FROM transactions)
    AND NOT EXISTS (SELECT 1 FROM erased_keys)";

impl PostgresStore {
    /// Whether this import can copy its transactions straight into their
    /// table: the table is empty (so no stored row can be a duplicate and
    /// its indexes can be built after the rows) and no key is suppressed.
    /// Called when it looked so before the transaction began: takes the
    /// store's lock (for the whole import) and looks again under it, as
    /// another importer may have filled the table meanwhile. Otherwise the
    /// import stages its rows.
    fn direct(&self, tx: &mut postgres::Transaction<'_>) -> Result<bool> {
        self.lock(tx)?;
        holds(tx, DIRECT)
    }

    /// The import into an empty transactions table, under the store's
    /// lock: the customer keys are given their ids here, in the client
    /// (the stored customers first, then new ids after the largest), and
    /// the transactions go in one binary `COPY` into their table with its
    /// indexes dropped, the rows' ids and customer ids in them: no staging
    /// table, no join and no text for the server to parse. The new
    /// customers follow in one `COPY`, the indexes are built again, rows
    /// sharing a transaction id but the first removed. Records of other
    /// kinds are written to a temporary file meanwhile, then staged and
    /// merged as in any import.
    fn import_direct(
        &self,
        tx: &mut postgres::Transaction<'_>,
        rows: Rows<'_, Record>,
    ) -> Result<ImportSummary> {
        let none: [&(dyn ToSql + Sync); 0] = [];
        // The customer keys, the stored ones first (their ids in `stored`),
        // then the new ones in order of appearance: the interner of the
        // ledger, which keeps short keys in its table (one cache miss a
        // lookup).
        let mut keys = crm_core::Interner::new();
        let mut stored: Vec<i64> = Vec::new();
        {
            let mut rows = tx
                .query_raw("SELECT id, key FROM customers ORDER BY id", none)
                .map_err(pg)?;
            while let Some(r) = rows.next().map_err(pg)? {
                let key: &str = r.try_get(1).map_err(pg)?;
                if keys.intern(key)?.1 {
                    stored.push(r.try_get(0).map_err(pg)?);
                }
            }
        }
        // Ids from the sequences, so that rows inserted later by the
        // sequences do not collide; the sequences are moved past the ids
        // given (`setval`) below. Ids after the largest stored one are
        // free: only this import, under the lock, inserts customers now.
        let first_customer: i64 = tx
            .query_one(
                "SELECT greatest(coalesce(max(id), 0) + 1,
                                 nextval(pg_get_serial_sequence('customers', 'id')))
                 FROM customers",
                &[],
            )
            .map_err(pg)?
            .try_get(0)
            .map_err(pg)?;
        let first_transaction: i64 = tx
            .query_one(
                "SELECT nextval(pg_get_serial_sequence('transactions', 'id'))",
                &[],
            )
            .map_err(pg)?
            .try_get(0)
            .map_err(pg)?;
        if !TRANSACTIONS.start(tx)? {
            return Err(corrupt(
                "transactions",
                "the table filled during an import that holds the lock",
            ));
        }
        let mut next_transaction = first_transaction;
        let file = tempfile::tempfile().map_err(Error::backend)?;
        let mut others = std::io::BufWriter::with_capacity(1 << 16, file);
        let spilled = copy_transactions(
            tx,
            "COPY transactions (id, customer, date, revenue, margin, quantity, source_id, product)
             FROM STDIN (FORMAT binary)",
            rows,
            &mut others,
            |_, t| {
                let index = keys.intern(t.customer.as_str())?.0.index();
                let customer = match stored.get(index) {
                    Some(&id) => id,
                    // Below the number of keys: fits.
                    None => first_customer + (index - stored.len()) as i64,
                };
                next_transaction += 1;
                Ok((next_transaction - 1, customer))
            },
        )?;
        let copied = u64::try_from(next_transaction - first_transaction).unwrap_or(0);
        let next_customer = first_customer + (keys.len() - stored.len()) as i64;
        if next_customer > first_customer {
            // In key order: the index on the keys grows at its end.
            let mut new: Vec<(&str, i64)> = keys
                .iter()
                .skip(stored.len())
                .map(|(id, key)| (key, first_customer + (id.index() - stored.len()) as i64))
                .collect();
            new.sort_unstable();
            let writer = tx
                .copy_in("COPY customers (id, key, in_register, stage) FROM STDIN")
                .map_err(pg)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, writer);
            for (key, id) in new {
                write!(out, "{id}\t")
                    .and_then(|()| field(&mut out, key))
                    .and_then(|()| out.write_all(b"\tf\tsuspect\n"))
                    .map_err(Error::backend)?;
            }
            let writer = out
                .into_inner()
                .map_err(|e| Error::backend(e.into_error()))?;
            writer.finish().map_err(pg)?;
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('customers', 'id'), $1)",
                &[&(next_customer - 1)],
            )
            .map_err(pg)?;
        }
        drop(keys);
        if copied > 0 {
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('transactions', 'id'), $1)",
                &[&(next_transaction - 1)],
            )
            .map_err(pg)?;
        }
        tx.batch_execute("SET LOCAL maintenance_work_mem = '512MB'")
            .map_err(pg)?;
        let removed = TRANSACTIONS.finish(tx)?.min(copied);
        let mut summary = if spilled {
            tx.batch_execute(STAGE).map_err(pg)?;
            copy_others(tx, others)?;
            self.merge(tx, 0)?
        } else {
            tx.batch_execute("ANALYZE customers").map_err(pg)?;
            ImportSummary::new()
        };
        summary.transactions.new = copied - removed;
        summary.transactions.duplicate = removed;
        Ok(summary)
    }
}

impl PostgresStore {
    /// The import into a filled transactions table (or with suppressed
    /// keys), without the store's lock until the merge, so that importers
    /// copy in parallel. The transactions go in one binary `COPY` into
    /// their own staging table with their customer as a number given in
    /// the client (`crm_stage_t`), the distinct keys once into `crm_keys`;
    /// records of other kinds wait in a temporary file, then go into the
    /// generic staging table. The server joins ten million rows on a
    /// number and meets each key once, not once a row.
    fn import_staged(
        &self,
        tx: &mut postgres::Transaction<'_>,
        rows: Rows<'_, Record>,
    ) -> Result<ImportSummary> {
        tx.batch_execute(STAGE).map_err(pg)?;
        tx.batch_execute(STAGE_T).map_err(pg)?;
        let mut keys = crm_core::Interner::new();
        let file = tempfile::tempfile().map_err(Error::backend)?;
        let mut others = std::io::BufWriter::with_capacity(1 << 16, file);
        let mut staged: u64 = 0;
        let spilled = copy_transactions(
            tx,
            "COPY crm_stage_t (ord, ck, d, n1, n2, n3, sid, s1) FROM STDIN (FORMAT binary)",
            rows,
            &mut others,
            |ord, t| {
                let ck = keys.intern(t.customer.as_str())?.0.index();
                staged += 1;
                Ok((ord as i64, ck as i64))
            },
        )?;
        if !keys.is_empty() {
            let writer = tx
                .copy_in("COPY crm_keys (ck, key) FROM STDIN")
                .map_err(pg)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, writer);
            for (id, key) in keys.iter() {
                write!(out, "{}\t", id.index())
                    .and_then(|()| field(&mut out, key))
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(Error::backend)?;
            }
            let writer = out
                .into_inner()
                .map_err(|e| Error::backend(e.into_error()))?;
            writer.finish().map_err(pg)?;
        }
        drop(keys);
        if spilled {
            copy_others(tx, others)?;
        }
        self.merge(tx, staged)
    }
}

/// The staging tables of the transactions of an import: the rows with
/// their customer as a number (`ck`, given in the client), and the keys of
/// those numbers.
const STAGE_T: &str = "CREATE TEMP TABLE crm_stage_t (
        ord bigint NOT NULL, ck bigint NOT NULL, d date NOT NULL, n1 numeric NOT NULL,
        n2 numeric, n3 numeric, sid text, s1 text) ON COMMIT DROP;
    CREATE TEMP TABLE crm_keys (ck bigint NOT NULL, key text NOT NULL) ON COMMIT DROP";

/// Copies the records written to a temporary file (in the staging table's
/// text format) into the staging table.
fn copy_others(
    tx: &mut postgres::Transaction<'_>,
    others: std::io::BufWriter<std::fs::File>,
) -> Result<()> {
    let mut file = others
        .into_inner()
        .map_err(|e| Error::backend(e.into_error()))?;
    file.seek(std::io::SeekFrom::Start(0))
        .map_err(Error::backend)?;
    let mut writer = tx.copy_in(STAGE_COPY).map_err(pg)?;
    std::io::copy(&mut file, &mut writer).map_err(Error::backend)?;
    writer.finish().map_err(pg)?;
    Ok(())
}

/// Streams the transactions of `rows` through `copy` (a binary `COPY` of
/// [`transaction_row`]s, whose two numbers `numbers` gives from the
/// record's position and the transaction) and the records of other kinds
/// into `others`, to be staged after. Returns whether any record went
/// there.
fn copy_transactions(
    tx: &mut postgres::Transaction<'_>,
    copy: &str,
    rows: Rows<'_, Record>,
    others: &mut impl Write,
    mut numbers: impl FnMut(u64, &Transaction) -> Result<(i64, i64)>,
) -> Result<bool> {
    let mut spilled = false;
    let writer = tx.copy_in(copy).map_err(pg)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, writer);
    out.write_all(binary::HEADER).map_err(Error::backend)?;
    for (ord, row) in rows.enumerate() {
        let record = row.map_err(Error::Input)?;
        record.check_dates()?;
        let Record::Transaction(t) = &record else {
            stage(others, ord as u64, &record).map_err(Error::backend)?;
            spilled = true;
            continue;
        };
        let (first, second) = numbers(ord as u64, t)?;
        transaction_row(&mut out, first, second, t).map_err(Error::backend)?;
    }
    out.write_all(binary::TRAILER).map_err(Error::backend)?;
    let writer = out
        .into_inner()
        .map_err(|e| Error::backend(e.into_error()))?;
    writer.finish().map_err(pg)?;
    Ok(spilled)
}

/// Writes a transaction as a row of eight columns in the binary format:
/// two numbers, then date, revenue, margin, quantity, source id and
/// product. The numbers are the id and the customer for `COPY
/// transactions`, the position and the client's customer number for `COPY
/// crm_stage_t`.
fn transaction_row(
    out: &mut impl Write,
    id: i64,
    customer: i64,
    t: &Transaction,
) -> std::io::Result<()> {
    binary::row(out, 8)?;
    binary::int8(out, id)?;
    binary::int8(out, customer)?;
    binary::date(out, t.date)?;
    binary::numeric(out, t.revenue.as_decimal())?;
    binary::opt_numeric(out, t.margin.map(|m| m.as_decimal()))?;
    binary::opt_numeric(out, t.quantity)?;
    binary::opt_text(out, t.id.as_deref())?;
    binary::opt_text(out, t.product.as_deref())
}

impl Store for PostgresStore {
    /// One transaction for the whole import: every record is streamed
    /// through one `COPY` into a temporary table (importers do this at the
    /// same time), then merged into the tables under the store's advisory
    /// lock (importers take turns, waiting up to the busy timeout, then
    /// [`Error::Busy`]). When the transactions table is empty and no key
    /// is suppressed, the import holds the lock from the start and copies
    /// the transactions straight into their table in `COPY`'s binary
    /// format; the other records are staged and merged after them, in the
    /// same transaction.
    fn import(&mut self, rows: Rows<'_, Record>) -> Result<ImportSummary> {
        let this = &*self;
        let mut c = this.client()?;
        // A first look outside the transaction: a look inside it would
        // hold a lock on the transactions table while waiting for the
        // store's lock, which a direct importer holding the store's lock
        // waits for to drop the table's indexes (a deadlock).
        let looks: bool = c
            .query_one(DIRECT, &[])
            .map_err(pg)?
            .try_get(0)
            .map_err(pg)?;
        let mut tx = c.transaction().map_err(pg)?;
        if looks && this.direct(&mut tx)? {
            let summary = this.import_direct(&mut tx, rows)?;
            tx.commit().map_err(pg)?;
            return Ok(summary);
        }
        let summary = this.import_staged(&mut tx, rows)?;
        tx.commit().map_err(pg)?;
        Ok(summary)
    }

    fn sales(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&[Sale<'_>])) -> Result<()> {
        const BATCH: usize = 4096;
        let mut c = self.client()?;
        let before = before_bound(before);
        let mut rows = c
            .query_raw(
                "SELECT c.key, t.date, t.revenue::text, t.margin::text
                 FROM transactions t JOIN customers c ON c.id = t.customer WHERE t.date < $1",
                [&before as &(dyn ToSql + Sync)],
            )
            .map_err(pg)?;
        let mut batch = SaleBatch::new();
        while let Some(r) = rows.next().map_err(pg)? {
            const T: &str = "transactions";
            let key: &str = r.try_get(0).map_err(pg)?;
            let date: NaiveDate = r.try_get(1).map_err(pg)?;
            let revenue = money(T, r.try_get(2).map_err(pg)?)?;
            let margin = r
                .try_get::<_, Option<&str>>(3)
                .map_err(pg)?
                .map(|m| money(T, m))
                .transpose()?;
            batch.push(key, date, revenue, margin);
            if batch.len() == BATCH {
                f(&batch.sales());
                batch.clear();
            }
        }
        f(&batch.sales());
        Ok(())
    }

    /// Runs `body` in one read-only transaction at repeatable read: every
    /// read in it sees one snapshot of the database. Nested in another
    /// snapshot (or around a [`Store::load`]), it reads in the outer one;
    /// a body that panics ends the transaction as it unwinds.
    fn read_snapshot(&self, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.snapshot(body)
    }

    /// Feeds `ledger` in one snapshot: the register and the contacts row
    /// by row, the sales as customer facts aggregated in the server (one
    /// row per customer).
    fn load(&self, ledger: &mut Ledger) -> Result<()> {
        self.snapshot(|| {
            let before = ledger.periods().iter().map(|p| p.end()).max();
            let mut failure = None;
            self.register(&mut |key, stage, acquired| {
                if failure.is_none() {
                    failure = ledger.record_register_entry(key, stage, acquired).err();
                }
            })?;
            self.contacts(before, &mut |key, date, kind| {
                if failure.is_none() {
                    failure = ledger.record_contact(key, date, kind).err();
                }
            })?;
            if let Some(e) = failure {
                return Err(e.into());
            }
            self.facts(ledger)
        })
    }

    fn contacts(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(&str, NaiveDate, InteractionKind),
    ) -> Result<()> {
        let mut c = self.client()?;
        let before = before_bound(before);
        let mut rows = c
            .query_raw(
                "SELECT c.key, i.date, i.kind FROM interactions i
                 JOIN customers c ON c.id = i.customer WHERE i.date < $1",
                [&before as &(dyn ToSql + Sync)],
            )
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            let kind: &str = r.try_get(2).map_err(pg)?;
            let kind: InteractionKind = kind.parse().map_err(|e| corrupt("interactions", e))?;
            f(r.try_get(0).map_err(pg)?, r.try_get(1).map_err(pg)?, kind);
        }
        Ok(())
    }

    fn register(&self, f: &mut dyn FnMut(&str, Stage, Option<NaiveDate>)) -> Result<()> {
        let mut c = self.client()?;
        let none: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = c
            .query_raw(
                "SELECT key, stage, acquired FROM customers WHERE in_register",
                none,
            )
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            let stage: &str = r.try_get(1).map_err(pg)?;
            f(
                r.try_get(0).map_err(pg)?,
                stage.parse().map_err(|e| corrupt("customers", e))?,
                r.try_get(2).map_err(pg)?,
            );
        }
        Ok(())
    }

    fn interactions(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(Interaction),
    ) -> Result<()> {
        let mut c = self.client()?;
        let before = before_bound(before);
        let mut rows = c
            .query_raw(
                "SELECT c.key, i.date, i.kind, i.cost::text, i.note, i.source_id, i.campaign
                 FROM interactions i
                 JOIN customers c ON c.id = i.customer WHERE i.date < $1 ORDER BY i.id",
                [&before as &(dyn ToSql + Sync)],
            )
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            let key: &str = r.try_get(0).map_err(pg)?;
            f(interaction(CustomerKey::new(key)?, &r, 1)?);
        }
        Ok(())
    }

    fn outcomes(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(Outcome)) -> Result<()> {
        let mut c = self.client()?;
        let before = before_bound(before);
        let mut rows = c
            .query_raw(
                &format!("{OUTCOME_SELECT} WHERE o.date < $1 ORDER BY o.id"),
                [&before as &(dyn ToSql + Sync)],
            )
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            f(outcome_row(&r)?);
        }
        Ok(())
    }

    fn holds_data(&self) -> Result<bool> {
        let mut c = self.client()?;
        let row = c
            .query_one(
                "SELECT EXISTS(SELECT 1 FROM customers) OR EXISTS(SELECT 1 FROM transactions)
                 OR EXISTS(SELECT 1 FROM interactions) OR EXISTS(SELECT 1 FROM leads)
                 OR EXISTS(SELECT 1 FROM outcomes)",
                &[],
            )
            .map_err(pg)?;
        row.try_get(0).map_err(pg)
    }

    /// Every lead, in the order they were first stored (as the SQLite
    /// store: a lead updated by a later import keeps its place).
    fn leads(&self, f: &mut dyn FnMut(Lead)) -> Result<()> {
        let mut c = self.client()?;
        let none: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = c
            .query_raw(&format!("{LEAD_SELECT} ORDER BY l.id"), none)
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            f(lead_row(&r)?);
        }
        Ok(())
    }

    fn customers(&self, f: &mut dyn FnMut(Customer)) -> Result<()> {
        let mut c = self.client()?;
        let mut attributes: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
        for r in c
            .query("SELECT customer, name, value FROM customer_attributes", &[])
            .map_err(pg)?
        {
            attributes
                .entry(r.try_get(0).map_err(pg)?)
                .or_default()
                .insert(r.try_get(1).map_err(pg)?, r.try_get(2).map_err(pg)?);
        }
        let none: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = c
            .query_raw(
                &format!("SELECT {CUSTOMER} FROM customers WHERE in_register ORDER BY id"),
                none,
            )
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            let id: i64 = r.try_get(0).map_err(pg)?;
            let key: &str = r.try_get(1).map_err(pg)?;
            let mut customer = customer(CustomerKey::new(key)?, &r)?;
            customer.attributes = attributes.remove(&id).unwrap_or_default();
            f(customer);
        }
        Ok(())
    }

    fn erased_count(&self) -> Result<Option<u64>> {
        if self.version()?.is_none() {
            return Ok(None);
        }
        let n: i64 = self
            .client()?
            .query_one("SELECT count(*) FROM erased_keys", &[])
            .map_err(pg)?
            .get(0);
        Ok(Some(u64::try_from(n).unwrap_or(0)))
    }

    fn history(&self, key: &str) -> Result<Option<History>> {
        let mut c = self.client()?;
        let Some(r) = c
            .query_opt(
                &format!("SELECT {CUSTOMER}, in_register FROM customers WHERE key = $1"),
                &[&key],
            )
            .map_err(pg)?
        else {
            return Ok(None);
        };
        let id: i64 = r.try_get(0).map_err(pg)?;
        let ckey = CustomerKey::new(key)?;
        let in_register: bool = r.try_get(11).map_err(pg)?;
        let register = if in_register {
            let mut entry = customer(ckey.clone(), &r)?;
            for a in c
                .query(
                    "SELECT name, value FROM customer_attributes WHERE customer = $1 ORDER BY name",
                    &[&id],
                )
                .map_err(pg)?
            {
                entry
                    .attributes
                    .insert(a.try_get(0).map_err(pg)?, a.try_get(1).map_err(pg)?);
            }
            Some(entry)
        } else {
            None
        };
        let mut transactions = Vec::new();
        for r in c
            .query(
                "SELECT date, revenue::text, margin::text, quantity::text, source_id, product
                 FROM transactions WHERE customer = $1 ORDER BY date, id",
                &[&id],
            )
            .map_err(pg)?
        {
            const T: &str = "transactions";
            let mut t = Transaction::new(
                ckey.clone(),
                r.try_get(0).map_err(pg)?,
                money(T, r.try_get(1).map_err(pg)?)?,
            );
            t.margin = opt_money(T, r.try_get(2).map_err(pg)?)?;
            t.quantity = r
                .try_get::<_, Option<&str>>(3)
                .map_err(pg)?
                .map(|q| q.parse::<Decimal>().map_err(|e| corrupt(T, e)))
                .transpose()?;
            t.id = r.try_get(4).map_err(pg)?;
            t.product = r.try_get(5).map_err(pg)?;
            transactions.push(t);
        }
        let mut interactions = Vec::new();
        for r in c
            .query(
                "SELECT NULL, date, kind, cost::text, note, source_id, campaign FROM interactions
                 WHERE customer = $1 ORDER BY date, id",
                &[&id],
            )
            .map_err(pg)?
        {
            interactions.push(interaction(ckey.clone(), &r, 1)?);
        }
        let leads = c
            .query(
                &format!("{LEAD_SELECT} WHERE l.customer = $1 ORDER BY l.id"),
                &[&id],
            )
            .map_err(pg)?
            .iter()
            .map(lead_row)
            .collect::<Result<Vec<_>>>()?;
        let outcomes = c
            .query(
                &format!("{OUTCOME_SELECT} WHERE o.customer = $1 ORDER BY o.id"),
                &[&id],
            )
            .map_err(pg)?
            .iter()
            .map(outcome_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(
            History::new(register, transactions, interactions, leads).with_outcomes(outcomes),
        ))
    }

    /// Deletes the rows and puts the key's keyed hash on the suppression
    /// list in one transaction, under the store's lock, then vacuums the
    /// tables so that the deleted rows' space is reclaimed. PostgreSQL
    /// keeps old row versions in its write-ahead log, in backups and on
    /// replicas until those are recycled: that is the operator's to
    /// manage (see the crate documentation).
    fn erase(&mut self, key: &str) -> Result<Erased> {
        let this = &*self;
        let mut c = this.client()?;
        let mut tx = c.transaction().map_err(pg)?;
        this.lock(&mut tx)?;
        let secret = secret(&mut tx)?;
        let hash = keyed_hash(&secret, key)?;
        let mut erased = Erased::new();
        erased.before = tx
            .query_opt("SELECT 1 FROM erased_keys WHERE hash = $1", &[&hash])
            .map_err(pg)?
            .is_some();
        let id: Option<i64> = tx
            .query_opt("SELECT id FROM customers WHERE key = $1", &[&key])
            .map_err(pg)?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(pg)?;
        if let Some(id) = id {
            for table in [
                "customer_attributes",
                "transactions",
                "interactions",
                "leads",
                "outcomes",
            ] {
                let n = tx
                    .execute(&format!("DELETE FROM {table} WHERE customer = $1"), &[&id])
                    .map_err(pg)?;
                erased.rows.insert(table, n);
            }
            let n = tx
                .execute("DELETE FROM customers WHERE id = $1", &[&id])
                .map_err(pg)?;
            erased.rows.insert("customers", n);
            tx.execute(
                "INSERT INTO erased_keys (hash, erased) VALUES ($1, current_date)
                 ON CONFLICT (hash) DO NOTHING",
                &[&hash],
            )
            .map_err(pg)?;
        }
        tx.commit().map_err(pg)?;
        if erased.total() > 0 {
            c.batch_execute(
                "VACUUM customers, customer_attributes, transactions, interactions, leads, outcomes",
            )
            .map_err(|e| Error::EraseIncomplete {
                reason: format!("the rows are deleted, but VACUUM failed: {}", describe(&e)),
            })?;
        }
        Ok(erased)
    }
}

/// The register columns of `customers`, as read by [`customer`].
const CUSTOMER: &str = "id, key, stage, name, segment, region, acquired, potential::text,
    consent_email, consent_phone, consent_post";

fn customer(key: CustomerKey, r: &Row) -> Result<Customer> {
    const C: &str = "customers";
    let stage: &str = r.try_get(2).map_err(pg)?;
    let mut c = Customer::new(key, stage.parse().map_err(|e| corrupt(C, e))?);
    c.name = r.try_get(3).map_err(pg)?;
    c.segment = r.try_get(4).map_err(pg)?;
    c.region = r.try_get(5).map_err(pg)?;
    c.acquired = r.try_get(6).map_err(pg)?;
    c.potential = opt_money(C, r.try_get(7).map_err(pg)?)?;
    c.consent = Consent::default()
        .with(Channel::Email, r.try_get(8).map_err(pg)?)
        .with(Channel::Phone, r.try_get(9).map_err(pg)?)
        .with(Channel::Post, r.try_get(10).map_err(pg)?);
    Ok(c)
}

/// An interaction from columns date, kind, cost, note, id and campaign at
/// `at`.
fn interaction(key: CustomerKey, r: &Row, at: usize) -> Result<Interaction> {
    const I: &str = "interactions";
    let kind: &str = r.try_get(at + 1).map_err(pg)?;
    let kind: InteractionKind = kind.parse().map_err(|e| corrupt(I, e))?;
    let mut i = Interaction::new(key, r.try_get(at).map_err(pg)?, kind);
    i.cost = opt_money(I, r.try_get(at + 2).map_err(pg)?)?;
    i.note = r.try_get(at + 3).map_err(pg)?;
    i.id = r.try_get(at + 4).map_err(pg)?;
    i.campaign = r.try_get(at + 5).map_err(pg)?;
    Ok(i)
}

/// The columns [`outcome_row`] reads, from `outcomes o` joined to its
/// customer.
const OUTCOME_SELECT: &str = "SELECT c.key, o.rule, o.status, o.date, o.owner, o.action_id::text
     FROM outcomes o JOIN customers c ON c.id = o.customer";

/// An outcome from a row of [`OUTCOME_SELECT`].
fn outcome_row(r: &Row) -> Result<Outcome> {
    const O: &str = "outcomes";
    let key: &str = r.try_get(0).map_err(pg)?;
    let rule: &str = r.try_get(1).map_err(pg)?;
    let status: &str = r.try_get(2).map_err(pg)?;
    let status: OutcomeStatus = status.parse().map_err(|e| corrupt(O, e))?;
    let key = CustomerKey::new(key).map_err(|e| corrupt(O, e))?;
    let mut o = Outcome::new(key, rule, status, r.try_get(3).map_err(pg)?);
    o.owner = r.try_get(4).map_err(pg)?;
    o.id = r
        .try_get::<_, Option<&str>>(5)
        .map_err(pg)?
        .map(|u| {
            u.parse()
                .map_err(|e| corrupt(O, format!("action id {u:?}: {e}")))
        })
        .transpose()?;
    Ok(o)
}

/// The columns [`lead_row`] reads, from `leads l` joined to its customer.
const LEAD_SELECT: &str = "SELECT c.key, l.stage, l.value::text, l.entered, l.source_id,
        l.owner, l.source, l.lost_reason
     FROM leads l JOIN customers c ON c.id = l.customer";

/// A lead from a row of [`LEAD_SELECT`] (or of the same columns).
fn lead_row(r: &Row) -> Result<Lead> {
    const L: &str = "leads";
    let key: &str = r.try_get(0).map_err(pg)?;
    let stage: &str = r.try_get(1).map_err(pg)?;
    let mut l = Lead::new(
        CustomerKey::new(key)?,
        stage.parse().map_err(|e| corrupt(L, e))?,
        money(L, r.try_get(2).map_err(pg)?)?,
    );
    l.entered = stage_dates_from_text(r.try_get(3).map_err(pg)?)?;
    l.id = r.try_get(4).map_err(pg)?;
    l.owner = r.try_get(5).map_err(pg)?;
    l.source = r.try_get(6).map_err(pg)?;
    l.lost_reason = r.try_get(7).map_err(pg)?;
    Ok(l)
}

/// A lead of an id after an import: the stored lead (if any) with the
/// import's rows of that id folded into it by [`Lead::merge`], in input
/// order.
struct Folded {
    lead: Lead,
    /// The input position of the id's first row.
    ord: i64,
    /// Whether the id was stored before the import.
    stored: bool,
}

/// Merges the staged leads into `leads` (the customers rows of their keys
/// exist): a lead without an id is new unless a stored lead has the same
/// content; the rows of an id are folded into the stored lead of that id
/// (updated in place, keeping its place in the order of leads) or make a
/// new one, as the SQLite store does. New leads are inserted in input
/// order. Returns how many are new.
fn merge_leads(tx: &mut postgres::Transaction<'_>) -> Result<u64> {
    let mut folded: BTreeMap<String, Folded> = BTreeMap::new();
    let none: [&(dyn ToSql + Sync); 0] = [];
    // The stored leads of the staged ids, then the staged rows in input
    // order, both streamed.
    let mut stored = tx
        .query_raw(
            &format!(
                "{LEAD_SELECT} WHERE l.source_id IN
                 (SELECT sid FROM crm_stage WHERE kind = 'l' AND sid IS NOT NULL)"
            ),
            none,
        )
        .map_err(pg)?;
    while let Some(r) = stored.next().map_err(pg)? {
        let lead = lead_row(&r)?;
        let id = lead
            .id
            .clone()
            .ok_or_else(|| corrupt("leads", "a lead read by its id has none"))?;
        folded.insert(
            id,
            Folded {
                lead,
                ord: -1,
                stored: true,
            },
        );
    }
    drop(stored);
    let mut staged = tx
        .query_raw(
            "SELECT s.key, s.s1, s.n1::text, s.s2, s.sid, s.s3, s.s4, s.s5, s.ord
             FROM crm_stage s WHERE s.kind = 'l' AND s.sid IS NOT NULL ORDER BY s.ord",
            none,
        )
        .map_err(pg)?;
    while let Some(r) = staged.next().map_err(pg)? {
        let row = lead_row(&r)?;
        let ord: i64 = r.try_get(8).map_err(pg)?;
        let id = row
            .id
            .clone()
            .ok_or_else(|| corrupt("staged leads", "a lead read by its id has none"))?;
        match folded.get_mut(&id) {
            Some(f) => f.lead.merge(row),
            None => {
                folded.insert(
                    id,
                    Folded {
                        lead: row,
                        ord,
                        stored: false,
                    },
                );
            }
        }
    }
    drop(staged);
    tx.batch_execute(
        "CREATE TEMP TABLE crm_folded (
            ord bigint NOT NULL, sid text NOT NULL, key text NOT NULL, stage text NOT NULL,
            value numeric NOT NULL, entered text NOT NULL, owner text, source text,
            lost_reason text, stored boolean NOT NULL) ON COMMIT DROP",
    )
    .map_err(pg)?;
    if !folded.is_empty() {
        let mut cols: [Vec<Option<String>>; 8] = Default::default();
        let (mut ords, mut stored) = (Vec::new(), Vec::new());
        for (id, f) in &folded {
            let l = &f.lead;
            let values = [
                Some(id.clone()),
                Some(l.customer.as_str().to_string()),
                Some(l.stage.as_str().to_string()),
                Some(l.value.to_string()),
                Some(stage_dates_to_text(&l.entered)),
                l.owner.clone(),
                l.source.clone(),
                l.lost_reason.clone(),
            ];
            for (col, v) in cols.iter_mut().zip(values) {
                col.push(v);
            }
            ords.push(f.ord);
            stored.push(f.stored);
        }
        let [sid, key, stage, value, entered, owner, source, lost] = &cols;
        tx.execute(
            "INSERT INTO crm_folded
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
                                  $5::text[]::numeric[], $6::text[], $7::text[], $8::text[],
                                  $9::text[], $10::boolean[])",
            &[
                &ords, sid, key, stage, value, entered, owner, source, lost, &stored,
            ],
        )
        .map_err(pg)?;
        tx.execute(
            "UPDATE leads l SET customer = c.id, stage = f.stage, value = f.value,
                entered = f.entered, owner = f.owner, source = f.source,
                lost_reason = f.lost_reason
             FROM crm_folded f JOIN customers c ON c.key = f.key
             WHERE f.stored AND l.source_id = f.sid",
            &[],
        )
        .map_err(pg)?;
    }
    tx.execute(
        "INSERT INTO leads (customer, stage, value, entered, owner, source, lost_reason, source_id)
         SELECT customer, stage, value, entered, owner, source, lost_reason, sid FROM (
             SELECT s.ord, c.id AS customer, s.s1 AS stage, s.n1 AS value, s.s2 AS entered,
                    s.s3 AS owner, s.s4 AS source, s.s5 AS lost_reason, NULL::text AS sid
             FROM crm_stage s JOIN customers c ON c.key = s.key
             WHERE s.kind = 'l' AND s.sid IS NULL
             UNION ALL
             SELECT f.ord, c.id, f.stage, f.value, f.entered, f.owner, f.source,
                    f.lost_reason, f.sid
             FROM crm_folded f JOIN customers c ON c.key = f.key WHERE NOT f.stored
         ) n ORDER BY ord
         ON CONFLICT (customer, stage, (value::text), entered,
                      coalesce(owner, ''), coalesce(source, ''), coalesce(lost_reason, ''))
             WHERE source_id IS NULL DO NOTHING",
        &[],
    )
    .map_err(pg)
}

impl PostgresStore {
    /// Whether this store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_text(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn copy_fields_are_escaped() {
        assert_eq!(
            copy_text(|o| field(o, "a\\b\tc\nd\re")),
            "a\\\\b\\tc\\nd\\re"
        );
        assert_eq!(copy_text(|o| opt_field(o, None)), "\\N\t");
    }

    #[test]
    fn dates_up_to_year_zero_are_written_bc() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(copy_text(|o| date_field(o, d(0, 1, 1))), "0001-01-01 BC\t");
        assert_eq!(copy_text(|o| date_field(o, d(1, 2, 3))), "0001-02-03\t");
        assert_eq!(
            copy_text(|o| date_field(o, d(9999, 12, 31))),
            "9999-12-31\t"
        );
    }

    #[test]
    fn read_bounds_are_clamped_to_the_stored_dates() {
        let far = NaiveDate::from_ymd_opt(200_000, 1, 1).unwrap();
        assert_eq!(
            before_bound(Some(far)),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()
        );
        assert_eq!(
            before_bound(None),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()
        );
        let early = NaiveDate::from_ymd_opt(-5000, 1, 1).unwrap();
        assert_eq!(before_bound(Some(early)), MIN_DATE);
    }
}

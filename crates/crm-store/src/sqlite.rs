use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crm_core::{
    Consent, Customer, CustomerKey, Decimal, Interaction, InteractionKind, Lead, LeadStage, Ledger,
    Money, NaiveDate, Sale, SaleBatch, Stage, Transaction,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::schema::{LATEST, MIGRATIONS};
use crate::store::{Erased, History, Imported, Store};
use crate::{Error, Result};

type Rows<'a, T> =
    &'a mut dyn Iterator<Item = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>>;

/// The SQLite store: one database file (or memory), bundled SQLite.
///
/// The file is opened in WAL mode (a reader never waits for an import and
/// sees either none or all of it), with foreign keys on and
/// `secure_delete` on (an erased customer's bytes are overwritten, not
/// left in free pages). Money is stored as exact decimal text. Each import
/// is one transaction: a failed or interrupted import leaves the file as
/// it was.
///
/// ```
/// use crm_store::{SqliteStore, Store};
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
}

/// Page cache for reads: 16 MiB (negative values are KiB).
const READ_CACHE: &str = "-16384";
/// Page cache during an import: 256 MiB.
const IMPORT_CACHE: &str = "-262144";

fn sql(e: rusqlite::Error) -> Error {
    Error::sqlite(e)
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

fn money(table: &'static str, s: &str) -> Result<Money> {
    s.parse()
        .map_err(|_| corrupt(table, format!("bad amount {s:?}")))
}

fn opt_money(table: &'static str, s: Option<String>) -> Result<Option<Money>> {
    s.map(|s| money(table, &s)).transpose()
}

fn entered_to_text(entered: &std::collections::BTreeMap<LeadStage, NaiveDate>) -> String {
    entered
        .iter()
        .map(|(s, d)| format!("{s}={d}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn entered_from_text(s: &str) -> Result<std::collections::BTreeMap<LeadStage, NaiveDate>> {
    let mut out = std::collections::BTreeMap::new();
    for part in s.split(';').filter(|p| !p.is_empty()) {
        let (stage, d) = part
            .split_once('=')
            .ok_or_else(|| corrupt("leads", format!("bad stage dates {s:?}")))?;
        let stage: LeadStage = stage.parse().map_err(|e| corrupt("leads", e))?;
        out.insert(stage, date("leads", d)?);
    }
    Ok(out)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and brings its schema up
    /// to date.
    ///
    /// # Errors
    ///
    /// [`Error::NewerSchema`] for a file written by a newer version;
    /// [`Error::Backend`] when the file cannot be opened or is not a
    /// database.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(sql)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
        };
        store.setup(true)?;
        Ok(store)
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
        };
        store.setup(false)?;
        Ok(store)
    }

    fn setup(&mut self, file: bool) -> Result<()> {
        self.conn
            .busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql)?;
        if file {
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(sql)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(corrupt(
                    "(database)",
                    format!("cannot use WAL mode (got {mode})"),
                ));
            }
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

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if found > LATEST {
            return Err(Error::NewerSchema {
                path: self.path.display().to_string(),
                found,
                supported: LATEST,
            });
        }
        let tx = self.conn.transaction().map_err(sql)?;
        // Read again inside the transaction: another process may have
        // migrated meanwhile.
        let found: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        for (i, m) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            tx.execute_batch(m).map_err(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)
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

    /// Counts the rows of each table, for reports and tests.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`].
    pub fn counts(&self) -> Result<Vec<(&'static str, u64)>> {
        [
            "customers",
            "customer_attributes",
            "transactions",
            "interactions",
            "leads",
        ]
        .into_iter()
        .map(|t| {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .map_err(sql)?;
            Ok((t, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
    }
}

/// The bound of a read by date: dates before it, or every date.
fn before_text(before: Option<NaiveDate>) -> String {
    before.map_or_else(|| "9999-12-31~".to_string(), |d| d.to_string())
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

/// Finds or creates the customers row of `key` (outside the register when
/// created here), remembering ids for the rest of the import.
fn customer_id(
    tx: &rusqlite::Transaction<'_>,
    ids: &mut HashMap<String, i64>,
    key: &str,
) -> Result<i64> {
    if let Some(&id) = ids.get(key) {
        return Ok(id);
    }
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM customers WHERE key = ?1")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .map_err(sql)?;
    let id = match existing {
        Some(id) => id,
        None => {
            tx.prepare_cached(
                "INSERT INTO customers (key, in_register, stage) VALUES (?1, 0, 'suspect')",
            )
            .and_then(|mut s| s.execute([key]))
            .map_err(sql)?;
            tx.last_insert_rowid()
        }
    };
    ids.insert(key.to_string(), id);
    Ok(id)
}

impl SqliteStore {
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

    /// Runs `body` in one transaction with the large page cache: an
    /// import updates indexes on random keys, and with a small cache nearly
    /// every insert reads a page back. Committed when `body` succeeds,
    /// rolled back otherwise.
    fn in_import<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE)
            .map_err(sql)?;
        let result = (|| {
            let tx = self.conn.transaction().map_err(sql)?;
            let value = body(&tx)?;
            tx.commit().map_err(sql)?;
            Ok(value)
        })();
        self.conn
            .pragma_update(None, "cache_size", READ_CACHE)
            .map_err(sql)?;
        result
    }

    /// Imports row by row: `insert` says whether a row was new.
    fn import<T>(
        &mut self,
        rows: Rows<'_, T>,
        mut insert: impl FnMut(&rusqlite::Transaction<'_>, &mut HashMap<String, i64>, T) -> Result<bool>,
    ) -> Result<Imported> {
        self.in_import(|tx| {
            let mut ids = HashMap::new();
            let mut out = Imported::default();
            for row in rows {
                let row = row.map_err(Error::Input)?;
                if insert(tx, &mut ids, row)? {
                    out.new += 1;
                } else {
                    out.duplicate += 1;
                }
            }
            Ok(out)
        })
    }
}

fn flag(b: Option<bool>) -> Option<i64> {
    b.map(i64::from)
}

impl Store for SqliteStore {
    fn import_customers(&mut self, rows: Rows<'_, Customer>) -> Result<Imported> {
        self.import(rows, |tx, ids, c| {
            let key = c.key.as_str();
            let before: Option<(i64, bool)> = tx
                .prepare_cached("SELECT id, in_register FROM customers WHERE key = ?1")
                .and_then(|mut s| s.query_row([key], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                .map_err(sql)?;
            tx.prepare_cached(
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
            let id: i64 = tx
                .prepare_cached("SELECT id FROM customers WHERE key = ?1")
                .and_then(|mut s| s.query_row([key], |r| r.get(0)))
                .map_err(sql)?;
            ids.insert(key.to_string(), id);
            tx.prepare_cached("DELETE FROM customer_attributes WHERE customer = ?1")
                .and_then(|mut s| s.execute([id]))
                .map_err(sql)?;
            for (name, value) in &c.attributes {
                tx.prepare_cached("INSERT INTO customer_attributes (customer, name, value) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| s.execute(params![id, name, value]))
                    .map_err(sql)?;
            }
            Ok(!matches!(before, Some((_, true))))
        })
    }

    /// Rows are buffered and inserted by customer and date, 64 Ki at a
    /// time, so that the index by customer is updated page after page
    /// rather than at random (about twice as fast on large files). Of rows
    /// sharing a transaction id, the first of the same customer and date
    /// in the input is kept.
    fn import_transactions(&mut self, rows: Rows<'_, Transaction>) -> Result<Imported> {
        const BUFFER: usize = 1 << 16;
        let insert = |tx: &rusqlite::Transaction<'_>,
                      buf: &mut Vec<(i64, Transaction)>,
                      out: &mut Imported|
         -> Result<()> {
            buf.sort_by_key(|(id, t)| (*id, t.date));
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO transactions (customer, date, revenue, margin, quantity, source_id, product)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (source_id) DO NOTHING",
                )
                .map_err(sql)?;
            for (id, t) in buf.drain(..) {
                let n = stmt
                    .execute(params![
                        id,
                        t.date.to_string(),
                        t.revenue.to_string(),
                        t.margin.map(|m| m.to_string()),
                        t.quantity.map(|q| q.to_string()),
                        t.id,
                        t.product,
                    ])
                    .map_err(sql)?;
                if n == 1 {
                    out.new += 1;
                } else {
                    out.duplicate += 1;
                }
            }
            Ok(())
        };
        self.in_import(|tx| {
            let mut ids = HashMap::new();
            let mut out = Imported::default();
            let mut buf = Vec::with_capacity(BUFFER);
            for row in rows {
                let t = row.map_err(Error::Input)?;
                let id = customer_id(tx, &mut ids, t.customer.as_str())?;
                buf.push((id, t));
                if buf.len() == BUFFER {
                    insert(tx, &mut buf, &mut out)?;
                }
            }
            insert(tx, &mut buf, &mut out)?;
            Ok(out)
        })
    }

    fn import_interactions(&mut self, rows: Rows<'_, Interaction>) -> Result<Imported> {
        self.import(rows, |tx, ids, i| {
            let id = customer_id(tx, ids, i.customer.as_str())?;
            let n = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO interactions (customer, date, kind, cost, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut s| {
                    s.execute(params![id, i.date.to_string(), i.kind.as_str(), i.cost.map(|m| m.to_string()), i.note])
                })
                .map_err(sql)?;
            Ok(n == 1)
        })
    }

    fn import_leads(&mut self, rows: Rows<'_, Lead>) -> Result<Imported> {
        self.import(rows, |tx, ids, l| {
            let id = customer_id(tx, ids, l.customer.as_str())?;
            let n = tx
                .prepare_cached("INSERT OR IGNORE INTO leads (customer, stage, value, entered) VALUES (?1, ?2, ?3, ?4)")
                .and_then(|mut s| s.execute(params![id, l.stage.as_str(), l.value.to_string(), entered_to_text(&l.entered)]))
                .map_err(sql)?;
            Ok(n == 1)
        })
    }

    fn sales(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&[Sale<'_>])) -> Result<()> {
        scan_sales(&self.conn, &self.keys()?, &before_text(before), f)
    }

    /// Feeds `ledger` like [`load_ledger`](crate::load_ledger), in one
    /// read transaction: one state of the database, whatever imports commit
    /// meanwhile. (Reading halves of the customers on two connections was
    /// measured slower: merging the halves costs what the second core
    /// saves.)
    fn load(&self, ledger: &mut Ledger) -> Result<()> {
        let read = self.conn.unchecked_transaction().map_err(sql)?;
        crate::store::load_sequentially(self, ledger)?;
        read.commit().map_err(sql)
    }

    fn contacts(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(&str, NaiveDate),
    ) -> Result<()> {
        let before = before_text(before);
        let keys_by_id: HashMap<i64, String> = self.keys()?.into_iter().collect();
        let mut stmt = self
            .conn
            .prepare("SELECT customer, date FROM interactions WHERE date < ?1")
            .map_err(sql)?;
        let mut rows = stmt.query([before]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let id: i64 = r.get(0).map_err(sql)?;
            let key = keys_by_id
                .get(&id)
                .ok_or_else(|| corrupt("interactions", format!("no customer {id}")))?;
            let d: String = r.get(1).map_err(sql)?;
            f(key, date("interactions", &d)?);
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
                "SELECT c.key, i.date, i.kind, i.cost, i.note FROM interactions i
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
            f(i);
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
            c.consent = Consent {
                email: r.get(8).map_err(sql)?,
                phone: r.get(9).map_err(sql)?,
                post: r.get(10).map_err(sql)?,
            };
            c.attributes = attributes.remove(&id).unwrap_or_default();
            f(c);
        }
        Ok(())
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
            c.consent = Consent {
                email: consent[0],
                phone: consent[1],
                post: consent[2],
            };
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
            .prepare("SELECT date, kind, cost, note FROM interactions WHERE customer = ?1 ORDER BY date, id")
            .map_err(sql)?;
        let mut rows = stmt.query([id]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let d: String = r.get(0).map_err(sql)?;
            let kind: String = r.get(1).map_err(sql)?;
            let kind: InteractionKind = kind.parse().map_err(|e| corrupt("interactions", e))?;
            let mut i = Interaction::new(ckey.clone(), date("interactions", &d)?, kind);
            i.cost = opt_money("interactions", r.get(2).map_err(sql)?)?;
            i.note = r.get(3).map_err(sql)?;
            interactions.push(i);
        }

        let mut leads = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT stage, value, entered FROM leads WHERE customer = ?1 ORDER BY id")
            .map_err(sql)?;
        let mut rows = stmt.query([id]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let stage: String = r.get(0).map_err(sql)?;
            let value: String = r.get(1).map_err(sql)?;
            let entered: String = r.get(2).map_err(sql)?;
            let mut l = Lead::new(
                ckey.clone(),
                stage.parse().map_err(|e| corrupt("leads", e))?,
                money("leads", &value)?,
            );
            l.entered = entered_from_text(&entered)?;
            leads.push(l);
        }
        Ok(Some(History {
            customer,
            transactions,
            interactions,
            leads,
        }))
    }

    fn erase(&mut self, key: &str) -> Result<Erased> {
        let tx = self.conn.transaction().map_err(sql)?;
        let id: Option<i64> = tx
            .query_row("SELECT id FROM customers WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        let mut erased = Erased::default();
        if let Some(id) = id {
            for table in [
                "customer_attributes",
                "transactions",
                "interactions",
                "leads",
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
        }
        tx.commit().map_err(sql)?;
        // Move the change out of the write-ahead log, so that the old pages
        // (which still hold the customer's data) are overwritten too.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(sql)?;
        Ok(erased)
    }
}

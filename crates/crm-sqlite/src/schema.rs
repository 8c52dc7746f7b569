//! The schema and its migrations. Each migration moves the schema one
//! version up; `PRAGMA user_version` holds the version of a file.

/// Migrations, version 1 first. Append, never edit: files in the field
/// were made by the old ones.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        in_register INTEGER NOT NULL,
        stage TEXT NOT NULL,
        name TEXT,
        segment TEXT,
        region TEXT,
        acquired TEXT,
        potential TEXT,
        consent_email INTEGER,
        consent_phone INTEGER,
        consent_post INTEGER
    );
    CREATE TABLE customer_attributes (
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (customer, name)
    ) WITHOUT ROWID;
    CREATE TABLE transactions (
        id INTEGER PRIMARY KEY,
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        revenue TEXT NOT NULL,
        margin TEXT,
        quantity TEXT,
        source_id TEXT UNIQUE,
        product TEXT
    );
    -- Covering: the ledger is fed by scanning this index alone, customer
    -- by customer, which keeps its key lookups and updates sequential; a
    -- customer's history is read from it too. No index by date: reads by
    -- period scan this one (an extra index would slow every import).
    CREATE INDEX transactions_by_customer ON transactions(customer, date, revenue, margin);
    CREATE TABLE interactions (
        id INTEGER PRIMARY KEY,
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        cost TEXT,
        note TEXT
    );
    CREATE UNIQUE INDEX interactions_identity
        ON interactions(customer, date, kind, coalesce(cost, ''), coalesce(note, ''));
    CREATE TABLE leads (
        id INTEGER PRIMARY KEY,
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        value TEXT NOT NULL,
        entered TEXT NOT NULL
    );
    CREATE UNIQUE INDEX leads_identity ON leads(customer, stage, value, entered);
    ",
    // 2: interactions are told apart by their source id only (two
    // identical visits on one day are two visits); the suppression list of
    // erased keys, as keyed hashes under a random secret of the database.
    "
    ALTER TABLE interactions ADD COLUMN source_id TEXT;
    DROP INDEX interactions_identity;
    CREATE UNIQUE INDEX interactions_by_source_id ON interactions(source_id);
    CREATE TABLE crm_meta (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO crm_meta (name, value) VALUES ('suppression_key', randomblob(32));
    CREATE TABLE erased_keys (
        hash BLOB PRIMARY KEY,
        erased TEXT NOT NULL
    ) WITHOUT ROWID;
    ",
    // 3: leads with an id, owner, source and lost reason: rows of one id are
    // one lead (updated in place); leads without an id keep the identity of
    // their whole content, now with the new columns in it.
    "
    ALTER TABLE leads ADD COLUMN source_id TEXT;
    ALTER TABLE leads ADD COLUMN owner TEXT;
    ALTER TABLE leads ADD COLUMN source TEXT;
    ALTER TABLE leads ADD COLUMN lost_reason TEXT;
    DROP INDEX leads_identity;
    CREATE UNIQUE INDEX leads_without_id ON leads(
        customer, stage, value, entered,
        coalesce(owner, ''), coalesce(source, ''), coalesce(lost_reason, '')
    ) WHERE source_id IS NULL;
    CREATE UNIQUE INDEX leads_by_source_id ON leads(source_id);
    ",
    // 4: the campaign of an interaction (`campaign-sent`,
    // `campaign-response`); NULL for the interactions of older files.
    "
    ALTER TABLE interactions ADD COLUMN campaign TEXT;
    ",
    // 6: the uniqueness of transaction ids is a named index, no longer a
    // column constraint (whose index cannot be dropped), so that an import
    // into an empty table can load the rows first and build both indexes
    // after, by sorting, instead of updating them at random row by row.
    // The rows keep their ids.
    "
    CREATE TABLE transactions_v6 (
        id INTEGER PRIMARY KEY,
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        revenue TEXT NOT NULL,
        margin TEXT,
        quantity TEXT,
        source_id TEXT,
        product TEXT
    );
    INSERT INTO transactions_v6 (id, customer, date, revenue, margin, quantity, source_id, product)
        SELECT id, customer, date, revenue, margin, quantity, source_id, product
        FROM transactions ORDER BY id;
    DROP TABLE transactions;
    ALTER TABLE transactions_v6 RENAME TO transactions;
    CREATE UNIQUE INDEX transactions_by_source_id ON transactions(source_id);
    CREATE INDEX transactions_by_customer ON transactions(customer, date, revenue, margin);
    ",
    // 5: outcomes of actions: what became of an action a rulebook proposed.
    // One per (action id, status, date); without an action id, identical
    // outcomes are one. Self-contained: it only adds a table.
    "
    CREATE TABLE outcomes (
        id INTEGER PRIMARY KEY,
        customer INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        date TEXT NOT NULL,
        owner TEXT,
        action_id TEXT
    );
    CREATE UNIQUE INDEX outcomes_by_action ON outcomes(action_id, status, date)
        WHERE action_id IS NOT NULL;
    CREATE UNIQUE INDEX outcomes_identity
        ON outcomes(customer, rule, status, date, coalesce(owner, ''))
        WHERE action_id IS NULL;
    ",
];

/// `PRAGMA application_id` of our files ("CRMS"), set from version 2 on:
/// a file with another id is another program's.
pub(crate) const APPLICATION_ID: i64 = 0x4352_4D53;

/// The newest schema version this build knows.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

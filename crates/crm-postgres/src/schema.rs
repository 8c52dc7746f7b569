//! The schema and its migrations. Each migration moves the schema one
//! version up; the table `crm_schema` holds the version of a database.

/// Migrations, version 1 first. Append, never edit: databases in the field
/// were made by the old ones.
///
/// Version 1 is the SQLite store's schema version 2 in PostgreSQL's
/// types: money is `numeric` (exact, keeps its scale: `12.50` reads back
/// as `12.50`), dates are `date`, flags `boolean`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE crm_schema (version integer NOT NULL);
    INSERT INTO crm_schema (version) VALUES (0);
    CREATE TABLE crm_meta (
        name text PRIMARY KEY,
        value bytea NOT NULL
    );
    -- The secret of the suppression list's keyed hashes: 32 random bytes
    -- (two v4 UUIDs, from the server's strong random source, less their
    -- fixed version and variant bits: 244 random bits).
    INSERT INTO crm_meta (name, value) VALUES ('suppression_key',
        decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
    CREATE TABLE customers (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key text NOT NULL UNIQUE,
        in_register boolean NOT NULL,
        stage text NOT NULL,
        name text,
        segment text,
        region text,
        acquired date,
        potential numeric,
        consent_email boolean,
        consent_phone boolean,
        consent_post boolean
    );
    CREATE TABLE customer_attributes (
        customer bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        name text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (customer, name)
    );
    -- No foreign key from transactions and interactions to customers: its
    -- check, a lookup per inserted row, took most of an import's time.
    -- The store inserts only customer ids it has just joined from
    -- customers, under its lock, and erasure deletes these rows first;
    -- every read joins customers.
    CREATE TABLE transactions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer bigint NOT NULL,
        date date NOT NULL,
        revenue numeric NOT NULL,
        margin numeric,
        quantity numeric,
        source_id text,
        product text
    );
    -- One row per transaction id; rows without one are all kept.
    CREATE UNIQUE INDEX transactions_by_source_id ON transactions(source_id)
        WHERE source_id IS NOT NULL;
    -- A customer's history, and erasure.
    CREATE INDEX transactions_by_customer ON transactions(customer, date);
    CREATE TABLE interactions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer bigint NOT NULL,
        date date NOT NULL,
        kind text NOT NULL,
        cost numeric,
        note text,
        source_id text
    );
    CREATE UNIQUE INDEX interactions_by_source_id ON interactions(source_id)
        WHERE source_id IS NOT NULL;
    CREATE INDEX interactions_by_customer ON interactions(customer, date);
    CREATE TABLE leads (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        stage text NOT NULL,
        value numeric NOT NULL,
        entered text NOT NULL,
        UNIQUE (customer, stage, value, entered)
    );
    CREATE TABLE erased_keys (
        hash bytea PRIMARY KEY,
        erased date NOT NULL
    );
    ",
];

/// The newest schema version this build knows.
pub(crate) const LATEST: i32 = MIGRATIONS.len() as i32;

/// The tables of the schema, for counts and for telling our database from
/// another program's.
pub(crate) const TABLES: [&str; 6] = [
    "customers",
    "customer_attributes",
    "transactions",
    "interactions",
    "leads",
    "erased_keys",
];

/// The advisory lock that serialises migrations, the merge step of
/// imports, and erasures ("CRMS" as a number, as the SQLite files'
/// application id).
pub(crate) const LOCK: i64 = 0x4352_4D53;

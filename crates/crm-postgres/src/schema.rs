//! The schema and its migrations. Each migration moves the schema one
//! version up; the table `crm_schema` holds the version of a database.

/// Migrations, version 1 first. Append, never edit: databases in the field
/// were made by the old ones.
///
/// Version 1 is the SQLite store's schema version 2 in PostgreSQL's
/// types, version 2 its versions 3 and 4, version 3 its version 5 (version 4
/// makes leads without an id compare their value as written, as SQLite
/// does): money is `numeric` (exact, keeps its scale: `12.50` reads back
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
    // 2: the SQLite store's versions 3 and 4. Leads with an id, owner,
    // source and lost reason: rows of one id are one lead (updated in
    // place); leads without an id keep the identity of their whole
    // content, now with the new columns in it. The campaign of an
    // interaction (`campaign-sent`, `campaign-response`), NULL for the
    // interactions of older databases.
    "
    ALTER TABLE leads
        ADD COLUMN source_id text,
        ADD COLUMN owner text,
        ADD COLUMN source text,
        ADD COLUMN lost_reason text;
    ALTER TABLE leads DROP CONSTRAINT leads_customer_stage_value_entered_key;
    CREATE UNIQUE INDEX leads_without_id ON leads(
        customer, stage, value, entered,
        coalesce(owner, ''), coalesce(source, ''), coalesce(lost_reason, '')
    ) WHERE source_id IS NULL;
    CREATE UNIQUE INDEX leads_by_source_id ON leads(source_id)
        WHERE source_id IS NOT NULL;
    ALTER TABLE interactions ADD COLUMN campaign text;
    ",
    // 3: the SQLite store's version 5, outcomes of actions: what became of
    // an action a rulebook proposed. One per (action id, status, date);
    // without an action id, identical outcomes are one.
    "
    CREATE TABLE outcomes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        rule text NOT NULL,
        status text NOT NULL,
        date date NOT NULL,
        owner text,
        action_id uuid
    );
    CREATE UNIQUE INDEX outcomes_by_action ON outcomes(action_id, status, date)
        WHERE action_id IS NOT NULL;
    CREATE UNIQUE INDEX outcomes_identity
        ON outcomes(customer, rule, status, date, coalesce(owner, ''))
        WHERE action_id IS NULL;
    -- A customer's history, and erasure.
    CREATE INDEX outcomes_by_customer ON outcomes(customer);
    ",
    // 4: leads without an id are told apart by their value as written, as
    // in SQLite (which stores it as text): `numeric` equality made 12.5 and
    // 12.50 one lead here and two there. The new index is finer than the
    // old, so building it cannot fail on data the old one admitted.
    "
    DROP INDEX leads_without_id;
    CREATE UNIQUE INDEX leads_without_id ON leads(
        customer, stage, (value::text), entered,
        coalesce(owner, ''), coalesce(source, ''), coalesce(lost_reason, '')
    ) WHERE source_id IS NULL;
    ",
];

/// The newest schema version this build knows.
pub(crate) const LATEST: i32 = MIGRATIONS.len() as i32;

/// The tables of the schema, for counts and for telling our database from
/// another program's.
pub(crate) const TABLES: [&str; 7] = [
    "customers",
    "customer_attributes",
    "transactions",
    "interactions",
    "leads",
    "outcomes",
    "erased_keys",
];

/// The advisory lock that serialises migrations, the merge step of
/// imports, and erasures ("CRMS" as a number, as the SQLite files'
/// application id).
pub(crate) const LOCK: i64 = 0x4352_4D53;

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::PostgresStore;
    use crate::testing::TestServer;
    use crm_core::{
        CustomerKey, Interaction, InteractionKind, Lead, LeadStage, NaiveDate, Outcome,
        OutcomeStatus,
    };
    use crm_store::{Error, Record, Store};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A database of version 1 with a lead and an interaction is upgraded
    /// in place: its rows read back with no lead id and no campaign, the
    /// same rows imported again are duplicates, and the new columns and the
    /// outcomes work (and are erased).
    #[test]
    fn a_version_1_database_with_data_is_upgraded_in_place() {
        let server = TestServer::shared();
        let db = server.database();
        let mut c = postgres::Client::connect(db.url(), postgres::NoTls).unwrap();
        c.batch_execute(MIGRATIONS[0]).unwrap();
        c.batch_execute(
            "UPDATE crm_schema SET version = 1;
             INSERT INTO customers (key, in_register, stage) VALUES ('A', false, 'suspect');
             INSERT INTO leads (customer, stage, value, entered)
                 SELECT id, 'quote', 12.50, 'lead=2024-01-02;quote=2024-02-03' FROM customers;
             INSERT INTO interactions (customer, date, kind, cost, note, source_id)
                 SELECT id, '2024-03-01', 'visit', 3.5, 'at the fair', 'I1' FROM customers;",
        )
        .unwrap();
        let e = PostgresStore::open_read_only(db.url()).unwrap_err();
        assert!(
            matches!(e, Error::OlderSchema { found: 1, .. }),
            "an old schema needs an upgrade: {e}"
        );

        let mut store = PostgresStore::open(db.url()).unwrap();
        let version: i32 = c
            .query_one("SELECT version FROM crm_schema", &[])
            .unwrap()
            .get(0);
        assert_eq!(version, LATEST);
        let key = CustomerKey::new("A").unwrap();
        let mut old = Lead::new(key.clone(), LeadStage::Quote, "12.50".parse().unwrap())
            .entered_on(LeadStage::Lead, d(2024, 1, 2))
            .entered_on(LeadStage::Quote, d(2024, 2, 3));
        let mut leads = Vec::new();
        store.leads(&mut |l| leads.push(l)).unwrap();
        assert_eq!(leads, vec![old.clone()]);
        let mut visit = Interaction::new(key.clone(), d(2024, 3, 1), InteractionKind::Visit);
        visit.cost = Some("3.5".parse().unwrap());
        visit.note = Some("at the fair".into());
        visit.id = Some("I1".into());
        let mut interactions = Vec::new();
        store
            .interactions(None, &mut |i| interactions.push(i))
            .unwrap();
        assert_eq!(interactions, vec![visit.clone()]);

        let again = store
            .import_leads(&mut [old.clone()].into_iter().map(Ok))
            .unwrap();
        assert_eq!((again.new, again.duplicate), (0, 1));
        let again = store
            .import_interactions(&mut [visit].into_iter().map(Ok))
            .unwrap();
        assert_eq!((again.new, again.duplicate), (0, 1));

        old.owner = Some("ann".into());
        let with_id = old.clone().with_id("L1");
        let added = store
            .import_leads(&mut [old, with_id].into_iter().map(Ok))
            .unwrap();
        assert_eq!((added.new, added.duplicate), (2, 0));
        let sent = Interaction::new(key, d(2024, 4, 1), InteractionKind::CampaignSent)
            .with_campaign("spring");
        store
            .import_interactions(&mut [sent.clone()].into_iter().map(Ok))
            .unwrap();
        let history = store.history("A").unwrap().unwrap();
        assert_eq!(history.leads.len(), 3);
        assert_eq!(history.leads[2].id.as_deref(), Some("L1"));
        assert_eq!(history.interactions.last(), Some(&sent));

        let outcome = Outcome::new(
            crm_core::CustomerKey::new("A").unwrap(),
            "win-back",
            OutcomeStatus::Done,
            d(2024, 5, 1),
        );
        let added = store
            .import(&mut [Record::Outcome(outcome.clone())].into_iter().map(Ok))
            .unwrap();
        assert_eq!((added.outcomes.new, added.outcomes.duplicate), (1, 0));
        assert_eq!(store.history("A").unwrap().unwrap().outcomes, vec![outcome]);
        let erased = store.erase("A").unwrap();
        assert_eq!(erased.rows.get("outcomes"), Some(&1));
        assert_eq!(erased.rows.get("leads"), Some(&3));
    }
}

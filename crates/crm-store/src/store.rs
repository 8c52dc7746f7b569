use std::collections::BTreeMap;

use crm_core::{Customer, Interaction, Lead, Ledger, NaiveDate, Outcome, Sale, Transaction};

use crate::{Error, Result};

/// The error an import's input may yield: any error, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The rows of an import: an iterator of records or input errors.
pub type Rows<'a, T> = &'a mut dyn Iterator<Item = std::result::Result<T, BoxError>>;

/// The first date a store keeps: 0000-01-01.
///
/// Stores keep the dates of the four-digit ISO years, 0000-01-01 to
/// 9999-12-31: every date the CSV reader accepts, and the dates that keep
/// their order as text (`+10000-01-01` sorts before `1999-01-01`). A record
/// with a date outside is refused with [`Error::DateOutOfRange`]; bounds of
/// reads ([`Store::sales`]'s `before`) may be any date.
pub const MIN_DATE: NaiveDate = match NaiveDate::from_ymd_opt(0, 1, 1) {
    Some(d) => d,
    None => panic!("0000-01-01 is a date"),
};

/// The last date a store keeps: 9999-12-31 (see [`MIN_DATE`]).
pub const MAX_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => panic!("9999-12-31 is a date"),
};

/// Checks that `date` lies in [`MIN_DATE`]`..=`[`MAX_DATE`].
///
/// # Errors
///
/// [`Error::DateOutOfRange`], naming `what` the date is of.
pub fn check_date(date: NaiveDate, what: &'static str) -> Result<()> {
    if (MIN_DATE..=MAX_DATE).contains(&date) {
        Ok(())
    } else {
        Err(Error::DateOutOfRange { date, what })
    }
}

/// One record of an import, of any kind: an import of several files is
/// one iterator of records, and so one transaction.
///
/// The enum is `#[non_exhaustive]`: a kind of record added later (a
/// complaint register, a campaign) must not break every store. A `Store`
/// implementation matches the kinds it keeps and refuses the rest with a
/// catch-all arm, for example `_ => return Err(Error::Input("unsupported
/// record".into()))`, which the conformance suite does not reach today.
///
/// Each model type converts into it, so that an integrator's rows become
/// records with `.into()`:
///
/// ```
/// use crm_core::{Customer, CustomerKey, NaiveDate, Stage, Transaction};
/// use crm_store::Record;
///
/// let key = CustomerKey::new("C1")?;
/// let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// let records: Vec<Record> = vec![
///     Customer::new(key.clone(), Stage::Customer).into(),
///     Transaction::new(key, day, "120.00".parse()?).into(),
/// ];
/// assert!(matches!(records[1], Record::Transaction(_)));
/// assert_eq!(records[0].key(), "C1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Record {
    /// A register entry.
    Customer(Customer),
    /// A contact.
    Interaction(Interaction),
    /// A lead.
    Lead(Lead),
    /// A sale or credit note.
    Transaction(Transaction),
    /// What became of an action a rulebook proposed.
    Outcome(Outcome),
}

impl From<Customer> for Record {
    fn from(c: Customer) -> Record {
        Record::Customer(c)
    }
}

impl From<Interaction> for Record {
    fn from(i: Interaction) -> Record {
        Record::Interaction(i)
    }
}

impl From<Lead> for Record {
    fn from(l: Lead) -> Record {
        Record::Lead(l)
    }
}

impl From<Outcome> for Record {
    fn from(o: Outcome) -> Record {
        Record::Outcome(o)
    }
}

impl From<Transaction> for Record {
    fn from(t: Transaction) -> Record {
        Record::Transaction(t)
    }
}

impl Record {
    /// The customer the record is about.
    pub fn key(&self) -> &str {
        match self {
            Record::Customer(c) => c.key.as_str(),
            Record::Interaction(i) => i.customer.as_str(),
            Record::Lead(l) => l.customer.as_str(),
            Record::Transaction(t) => t.customer.as_str(),
            Record::Outcome(o) => o.customer.as_str(),
        }
    }

    /// Checks every date of the record against [`MIN_DATE`]`..=`[`MAX_DATE`].
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] for the first date outside.
    pub fn check_dates(&self) -> Result<()> {
        match self {
            Record::Customer(c) => c
                .acquired
                .map_or(Ok(()), |d| check_date(d, "customer's acquisition")),
            Record::Interaction(i) => check_date(i.date, "interaction"),
            Record::Lead(l) => l
                .entered
                .values()
                .try_for_each(|&d| check_date(d, "lead's stage")),
            Record::Transaction(t) => check_date(t.date, "transaction"),
            Record::Outcome(o) => check_date(o.date, "outcome"),
        }
    }
}

/// What an import did with the rows of one kind: new rows, rows the store
/// already had, and rows refused because their customer was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Imported {
    /// Rows stored.
    pub new: u64,
    /// Rows the store already held (same transaction or interaction id;
    /// same customer key, whose register entry is then updated; identical
    /// lead).
    pub duplicate: u64,
    /// Rows refused because their customer key was erased
    /// ([`Store::erase`]): an old export imported again does not bring an
    /// erased customer back.
    pub suppressed: u64,
}

impl Imported {
    /// Counts that are all zero.
    pub fn new() -> Imported {
        Imported::default()
    }

    /// Rows read: new, duplicate and suppressed.
    pub fn total(&self) -> u64 {
        self.new + self.duplicate + self.suppressed
    }
}

/// What one [`Store::import`] did, per kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ImportSummary {
    /// Register entries.
    pub customers: Imported,
    /// Interactions.
    pub interactions: Imported,
    /// Leads.
    pub leads: Imported,
    /// Transactions.
    pub transactions: Imported,
    /// Outcomes of actions.
    pub outcomes: Imported,
}

impl ImportSummary {
    /// A summary with every count zero.
    pub fn new() -> ImportSummary {
        ImportSummary::default()
    }

    /// The counts of the kind of `record`, to update.
    pub fn of_mut(&mut self, record: &Record) -> &mut Imported {
        match record {
            Record::Customer(_) => &mut self.customers,
            Record::Interaction(_) => &mut self.interactions,
            Record::Lead(_) => &mut self.leads,
            Record::Transaction(_) => &mut self.transactions,
            Record::Outcome(_) => &mut self.outcomes,
        }
    }
}

/// One customer's complete record: what the right of access returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct History {
    /// The register entry, if the customer is in the register.
    pub customer: Option<Customer>,
    /// Every transaction, by date.
    pub transactions: Vec<Transaction>,
    /// Every interaction, by date.
    pub interactions: Vec<Interaction>,
    /// Every lead.
    pub leads: Vec<Lead>,
    /// Every outcome of an action, by date.
    pub outcomes: Vec<Outcome>,
}

impl History {
    /// A history of the given parts, for a store to return. Transactions
    /// and interactions are put in date order (stable: rows of one date keep
    /// their order).
    pub fn new(
        customer: Option<Customer>,
        mut transactions: Vec<Transaction>,
        mut interactions: Vec<Interaction>,
        leads: Vec<Lead>,
    ) -> History {
        transactions.sort_by_key(|t| t.date);
        interactions.sort_by_key(|i| i.date);
        History {
            customer,
            transactions,
            interactions,
            leads,
            outcomes: Vec::new(),
        }
    }

    /// The history with these outcomes, put in date order (stable).
    #[must_use]
    pub fn with_outcomes(mut self, mut outcomes: Vec<Outcome>) -> History {
        outcomes.sort_by_key(|o| o.date);
        self.outcomes = outcomes;
        self
    }
}

/// Rows removed by an erasure, per table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Erased {
    /// Rows deleted, by table (or kind of record).
    pub rows: BTreeMap<&'static str, u64>,
    /// The key had been erased before (it is on the suppression list): an
    /// erasure run again after one that could not finish.
    pub before: bool,
}

impl Erased {
    /// Nothing erased.
    pub fn new() -> Erased {
        Erased::default()
    }

    /// Rows deleted in all tables.
    pub fn total(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// The interface the analyses read through, and that an integrator with
/// their own database implements.
///
/// The contract, checked for any implementation by the `conformance`
/// module (feature `conformance`):
///
/// - [`Store::import`] is atomic: when the iterator yields an error, or the
///   store fails, nothing of that import is kept, of any kind of record.
/// - Transactions and interactions with an id are stored once per id;
///   without an id every row is a new row (two identical visits on one day
///   are two visits). Customers are one per key (a later row updates the
///   entry). Leads are one per [`Lead::id`]: a row with a stored id is
///   folded into that lead with [`Lead::merge`] (a stage change, or an
///   update) and counted as a duplicate; leads without an id (older files)
///   are told apart by their whole content, identical ones are one.
///   Outcomes with an action id are one per (action id, status, date);
///   without, identical outcomes are one.
/// - Dates are kept from [`MIN_DATE`] to [`MAX_DATE`]; a record dated
///   outside is refused ([`Error::DateOutOfRange`]), and reads by date take
///   any bound.
/// - [`Store::erase`] removes every row of a key and puts the key on a
///   suppression list: later imports skip its rows and count them as
///   [`Imported::suppressed`].
pub trait Store {
    /// Imports records of any kind in one transaction: all or nothing.
    ///
    /// # Errors
    ///
    /// The iterator's first error ([`Error::Input`], nothing kept), a
    /// record dated outside the store's range, or a storage error.
    fn import(&mut self, rows: Rows<'_, Record>) -> Result<ImportSummary>;

    /// Adds or updates register entries: [`Store::import`] of customers.
    ///
    /// # Errors
    ///
    /// As [`Store::import`].
    fn import_customers(&mut self, rows: Rows<'_, Customer>) -> Result<Imported> {
        let mut rows = rows.map(|r| r.map(Record::Customer));
        Ok(self.import(&mut rows)?.customers)
    }

    /// Adds transactions: [`Store::import`] of transactions.
    ///
    /// # Errors
    ///
    /// As [`Store::import`].
    fn import_transactions(&mut self, rows: Rows<'_, Transaction>) -> Result<Imported> {
        let mut rows = rows.map(|r| r.map(Record::Transaction));
        Ok(self.import(&mut rows)?.transactions)
    }

    /// Adds interactions: [`Store::import`] of interactions.
    ///
    /// # Errors
    ///
    /// As [`Store::import`].
    fn import_interactions(&mut self, rows: Rows<'_, Interaction>) -> Result<Imported> {
        let mut rows = rows.map(|r| r.map(Record::Interaction));
        Ok(self.import(&mut rows)?.interactions)
    }

    /// Adds leads: [`Store::import`] of leads.
    ///
    /// # Errors
    ///
    /// As [`Store::import`].
    fn import_leads(&mut self, rows: Rows<'_, Lead>) -> Result<Imported> {
        let mut rows = rows.map(|r| r.map(Record::Lead));
        Ok(self.import(&mut rows)?.leads)
    }

    /// Calls `f` with batches of the transactions dated before `before`
    /// (all when `None`), in the ledger's input form.
    ///
    /// # Errors
    ///
    /// A storage error, or a stored value that does not read back.
    fn sales(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&[Sale<'_>])) -> Result<()>;

    /// Calls `f` with the key, date and kind of every interaction dated
    /// before `before` (all when `None`).
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn contacts(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(&str, NaiveDate, crm_core::InteractionKind),
    ) -> Result<()>;

    /// Calls `f` with every register entry's key, stage and acquisition
    /// date (when the register has one).
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn register(&self, f: &mut dyn FnMut(&str, crm_core::Stage, Option<NaiveDate>)) -> Result<()>;

    /// Calls `f` with every interaction dated before `before` (all when
    /// `None`), with kind, cost, note and id.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn interactions(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(Interaction))
    -> Result<()>;

    /// Calls `f` with every lead, rows of one id folded into one (see
    /// [`Store::import`]), in any order.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn leads(&self, f: &mut dyn FnMut(Lead)) -> Result<()>;

    /// Calls `f` with every register entry, with all its fields.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn customers(&self, f: &mut dyn FnMut(Customer)) -> Result<()>;

    /// Calls `f` with every outcome of an action dated before `before`
    /// (all when `None`), in no particular order.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn outcomes(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(Outcome)) -> Result<()>;

    /// One customer's complete history, or `None` when the store does not
    /// know the key.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn history(&self, key: &str) -> Result<Option<History>>;

    /// Whether the store holds any data: a customer, transaction,
    /// interaction, lead or outcome. A database that was created but into
    /// which nothing was imported (or whose only import was interrupted,
    /// which keeps nothing) holds none, and analysing it would only give
    /// empty results that look like an empty business.
    ///
    /// The default reads the register and the sales through
    /// [`Store::register`], [`Store::sales`], [`Store::interactions`],
    /// [`Store::leads`] and [`Store::outcomes`] (all of them when the store
    /// is empty); a store should answer with one cheap query.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn holds_data(&self) -> Result<bool> {
        let mut any = false;
        self.register(&mut |_, _, _| any = true)?;
        if !any {
            self.sales(None, &mut |batch| any |= !batch.is_empty())?;
        }
        if !any {
            self.interactions(None, &mut |_| any = true)?;
        }
        if !any {
            self.leads(&mut |_| any = true)?;
        }
        if !any {
            self.outcomes(None, &mut |_| any = true)?;
        }
        Ok(any)
    }

    /// How many customers were erased from the store (the keys on its
    /// suppression list), when it keeps count: `None` otherwise (the
    /// default). Lets a command on a store that holds nothing say that
    /// its customers were erased rather than never imported.
    ///
    /// # Errors
    ///
    /// A storage error.
    fn erased_count(&self) -> Result<Option<u64>> {
        Ok(None)
    }

    /// Feeds `ledger` with everything that can change its periods' results:
    /// the register, the interactions and the transactions up to the end
    /// of its latest period. The default reads through [`Store::register`],
    /// [`Store::contacts`] and [`Store::sales`]; a store may do it faster.
    ///
    /// # Errors
    ///
    /// The store's errors; a ledger error (an overflowing total) as
    /// [`Error::Model`](crate::Error::Model).
    fn load(&self, ledger: &mut Ledger) -> Result<()> {
        load_sequentially(self, ledger)
    }

    /// [`Store::load`] on at most `threads` threads (0: as many as the
    /// machine runs at once), for a caller that limits the threads it
    /// uses: the same ledger whatever the number. The default reads as
    /// [`Store::load`] does (on one thread, unless the store's `load`
    /// does otherwise).
    ///
    /// # Errors
    ///
    /// As [`Store::load`]. After an error the ledger holds part of the
    /// data: drop it.
    fn load_with_threads(&self, ledger: &mut Ledger, threads: usize) -> Result<()> {
        let _ = threads;
        self.load(ledger)
    }

    /// Runs `body`, which reads this store through its read methods
    /// ([`Store::customers`], [`Store::interactions`], [`Store::sales`],
    /// [`Store::leads`], ...), on one state of the data: what an import
    /// commits meanwhile is not seen by any of its reads, so that a caller
    /// reading several tables gets tables that agree (no sale of a
    /// customer the register read before did not hold). Returns `body`'s
    /// result.
    ///
    /// The default runs `body` as it is, for a store whose data does not
    /// change while it is read (an in-memory store borrowed for the read).
    /// A store that overrides it runs a nested `read_snapshot`, and a
    /// [`Store::load`] called in `body`, in the outer snapshot, and ends
    /// the snapshot when `body` panics, so that the store reads afresh
    /// afterwards. `body` reads only: the store's writes take `&mut self`.
    ///
    /// # Errors
    ///
    /// `body`'s error; the store's, when the snapshot cannot be taken or
    /// ended.
    fn read_snapshot(&self, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        body()
    }

    /// Erases every row about the customer, in every table, and puts the
    /// key on the suppression list, so that importing an old export again
    /// does not bring the customer back (its rows are counted as
    /// [`Imported::suppressed`]). A key the store does not know erases
    /// nothing and is not suppressed ([`Erased::total`] is 0): a typo must
    /// not block a future customer.
    ///
    /// Nothing derived is stored (pyramids, matrices and scores are
    /// computed from the store when asked), so the customer is gone from
    /// every later result too. Files written earlier (exports, rejects
    /// files) are the caller's to delete. A store returns `Ok` only once
    /// the data is gone from its files; erasing a key again (an erasure
    /// that could not finish) completes it and says so in
    /// [`Erased::before`].
    ///
    /// # Errors
    ///
    /// A storage error; [`Error::EraseIncomplete`] when the rows are
    /// deleted but their old content could not yet be overwritten.
    fn erase(&mut self, key: &str) -> Result<Erased>;
}

/// Feeds `ledger` from `store`: the register, the interactions and the
/// transactions up to the end of the ledger's latest period (later ones
/// cannot change its periods' results). Calls [`Store::load`].
///
/// # Errors
///
/// The store's errors; a ledger error (an overflowing total) as
/// [`Error::Model`](crate::Error::Model).
pub fn load_ledger(store: &dyn Store, ledger: &mut Ledger) -> Result<()> {
    store.load(ledger)
}

/// [`Store::load`]'s default: register, contacts, then sales, in order.
/// Public so that a store overriding [`Store::load`] (to read in one
/// snapshot, say) can still call it.
///
/// # Errors
///
/// As [`load_ledger`].
pub fn load_sequentially<S: Store + ?Sized>(store: &S, ledger: &mut Ledger) -> Result<()> {
    let before = ledger.periods().iter().map(|p| p.end()).max();
    let mut failure = load_register_and_contacts(store, ledger)?;
    store.sales(before, &mut |batch| {
        if failure.is_none() {
            failure = ledger
                .record_sales(batch)
                .into_iter()
                .next()
                .map(|(_, e)| e);
        }
    })?;
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The first part of [`load_sequentially`]: the register, then the
/// contacts up to the end of the ledger's latest period, into `ledger`.
/// A store that reads its sales otherwise (on connections of its own)
/// feeds the rest of the ledger with this. A failed read is the error; the
/// first ledger error (a key the ledger refuses) is the value, for the
/// caller to report after its own reading, as `load_sequentially` does.
///
/// # Errors
///
/// The store's errors.
pub fn load_register_and_contacts<S: Store + ?Sized>(
    store: &S,
    ledger: &mut Ledger,
) -> Result<Option<crm_core::Error>> {
    let before = ledger.periods().iter().map(|p| p.end()).max();
    let mut failure = None;
    store.register(&mut |key, stage, acquired| {
        if failure.is_none() {
            failure = ledger.record_register_entry(key, stage, acquired).err();
        }
    })?;
    store.contacts(before, &mut |key, date, kind| {
        if failure.is_none() {
            failure = ledger.record_contact(key, date, kind).err();
        }
    })?;
    Ok(failure)
}

/// Whether a date lies before an optional bound: what [`Store::sales`],
/// [`Store::contacts`] and [`Store::interactions`] filter by.
pub fn is_before(date: NaiveDate, before: Option<NaiveDate>) -> bool {
    before.is_none_or(|b| date < b)
}

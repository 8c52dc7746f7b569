use std::collections::BTreeMap;

use crm_core::{Customer, Interaction, Lead, Ledger, NaiveDate, Sale, Transaction};

use crate::Result;

/// What an import added: rows new to the store, and rows it already had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Imported {
    /// Rows stored.
    pub new: u64,
    /// Rows the store already held (same transaction id; same customer
    /// key, whose register entry is then updated; identical interaction
    /// or lead).
    pub duplicate: u64,
}

/// One customer's complete record: what the right of access returns.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// Rows removed by an erasure, per table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Erased {
    /// Rows deleted, by table name.
    pub rows: BTreeMap<&'static str, u64>,
}

impl Erased {
    /// Rows deleted in all tables.
    pub fn total(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// The interface the analyses read through, and that an integrator with
/// their own database implements.
///
/// Imports take an iterator of records and are atomic: when the iterator
/// yields an error, or the store fails, nothing of that import is kept.
pub trait Store {
    /// Adds or updates register entries.
    ///
    /// # Errors
    ///
    /// The iterator's first error (nothing kept), or a storage error.
    fn import_customers(
        &mut self,
        rows: &mut dyn Iterator<
            Item = std::result::Result<Customer, Box<dyn std::error::Error + Send + Sync>>,
        >,
    ) -> Result<Imported>;

    /// Adds transactions; one whose id the store holds already is a
    /// duplicate and adds nothing.
    ///
    /// # Errors
    ///
    /// The iterator's first error (nothing kept), or a storage error.
    fn import_transactions(
        &mut self,
        rows: &mut dyn Iterator<
            Item = std::result::Result<Transaction, Box<dyn std::error::Error + Send + Sync>>,
        >,
    ) -> Result<Imported>;

    /// Adds interactions; an identical one is a duplicate.
    ///
    /// # Errors
    ///
    /// The iterator's first error (nothing kept), or a storage error.
    fn import_interactions(
        &mut self,
        rows: &mut dyn Iterator<
            Item = std::result::Result<Interaction, Box<dyn std::error::Error + Send + Sync>>,
        >,
    ) -> Result<Imported>;

    /// Adds leads; an identical one is a duplicate.
    ///
    /// # Errors
    ///
    /// The iterator's first error (nothing kept), or a storage error.
    fn import_leads(
        &mut self,
        rows: &mut dyn Iterator<
            Item = std::result::Result<Lead, Box<dyn std::error::Error + Send + Sync>>,
        >,
    ) -> Result<Imported>;

    /// Calls `f` with batches of the transactions dated before `before`
    /// (all when `None`), in the ledger's input form.
    ///
    /// # Errors
    ///
    /// A storage error, or a stored value that does not read back.
    fn sales(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&[Sale<'_>])) -> Result<()>;

    /// Calls `f` with the key and date of every interaction dated before
    /// `before` (all when `None`).
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn contacts(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&str, NaiveDate))
    -> Result<()>;

    /// Calls `f` with every register entry's key, stage and acquisition
    /// date (when the register has one).
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn register(&self, f: &mut dyn FnMut(&str, crm_core::Stage, Option<NaiveDate>)) -> Result<()>;

    /// Calls `f` with every interaction dated before `before` (all when
    /// `None`), with kind, cost and note.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn interactions(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(Interaction))
    -> Result<()>;

    /// Calls `f` with every register entry, with all its fields.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn customers(&self, f: &mut dyn FnMut(Customer)) -> Result<()>;

    /// One customer's complete history, or `None` when the store does not
    /// know the key.
    ///
    /// # Errors
    ///
    /// As [`Store::sales`].
    fn history(&self, key: &str) -> Result<Option<History>>;

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

    /// Erases every row about the customer, in every table.
    ///
    /// Nothing derived is stored (pyramids, matrices and scores are
    /// computed from the store when asked), so the customer is gone from
    /// every later result too. Files written earlier (exports, rejects
    /// files) are the caller's to delete.
    ///
    /// # Errors
    ///
    /// A storage error (nothing erased then).
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
pub(crate) fn load_sequentially<S: Store + ?Sized>(store: &S, ledger: &mut Ledger) -> Result<()> {
    let before = ledger.periods().iter().map(|p| p.end()).max();
    let mut failure = None;
    store.register(&mut |key, stage, acquired| {
        if failure.is_none() {
            failure = ledger.record_register_entry(key, stage, acquired).err();
        }
    })?;
    store.contacts(before, &mut |key, date| {
        if failure.is_none() {
            failure = ledger.record_interaction(key, date).err();
        }
    })?;
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

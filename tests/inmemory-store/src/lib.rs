//! The `crm-store` interface implemented in memory, as an integrator would
//! implement it for their own database, with no dependency on SQLite. It
//! passes the same conformance suite as the SQLite store (see
//! `tests/conformance.rs`), which proves that the interface can be
//! implemented outside the library.
//!
//! Imports are atomic by working on a copy and swapping it in when the
//! whole import succeeded. The suppression list holds the erased keys
//! themselves: it lives in memory only, so nothing is written anywhere.

#![deny(missing_docs)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crm_core::{
    Customer, Interaction, Lead, NaiveDate, Outcome, Sale, SaleBatch, Stage, Transaction,
};
use crm_store::{
    Erased, Error, History, ImportSummary, Imported, Record, Result, Rows, Store, is_before,
};

/// A store in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    /// Register entries, by key.
    register: BTreeMap<String, Customer>,
    /// Every key with a row of any kind (register entry or not).
    known: BTreeSet<String>,
    transactions: Vec<Transaction>,
    interactions: Vec<Interaction>,
    leads: Vec<Lead>,
    outcomes: Vec<Outcome>,
    transaction_ids: HashSet<String>,
    interaction_ids: HashSet<String>,
    suppressed: HashSet<String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn add(&mut self, record: Record, summary: &mut ImportSummary) -> Result<()> {
        record.check_dates()?;
        let key = record.key().to_string();
        if !self.known.contains(&key) && self.suppressed.contains(&key) {
            summary.of_mut(&record).suppressed += 1;
            return Ok(());
        }
        self.known.insert(key.clone());
        match record {
            Record::Customer(c) => {
                let new = self.register.insert(key, c).is_none();
                tally(&mut summary.customers, new);
            }
            Record::Transaction(t) => {
                let new =
                    t.id.as_ref()
                        .is_none_or(|id| self.transaction_ids.insert(id.clone()));
                if new {
                    self.transactions.push(t);
                }
                tally(&mut summary.transactions, new);
            }
            Record::Interaction(i) => {
                let new =
                    i.id.as_ref()
                        .is_none_or(|id| self.interaction_ids.insert(id.clone()));
                if new {
                    self.interactions.push(i);
                }
                tally(&mut summary.interactions, new);
            }
            Record::Lead(l) => {
                let stored =
                    l.id.as_ref()
                        .and_then(|id| self.leads.iter().position(|s| s.id.as_ref() == Some(id)));
                let new = if let Some(s) = stored.and_then(|i| self.leads.get_mut(i)) {
                    s.merge(l);
                    false
                } else if l.id.is_none() && self.leads.iter().any(|s| same_content(s, &l)) {
                    false
                } else {
                    self.leads.push(l);
                    true
                };
                tally(&mut summary.leads, new);
            }
            Record::Outcome(o) => {
                // One per (action id, status, date); without an id,
                // identical outcomes are one.
                let new = !self.outcomes.iter().any(|x| match (o.id, x.id) {
                    (Some(a), Some(b)) => a == b && o.status == x.status && o.date == x.date,
                    (None, None) => *x == o,
                    _ => false,
                });
                if new {
                    self.outcomes.push(o);
                }
                tally(&mut summary.outcomes, new);
            }
            // `Record` may grow: a kind this store does not know is refused.
            _ => {
                return Err(Error::Input(
                    "a kind of record this store does not keep".into(),
                ));
            }
        }
        Ok(())
    }
}

fn tally(counts: &mut Imported, new: bool) {
    if new {
        counts.new += 1;
    } else {
        counts.duplicate += 1;
    }
}

impl Store for MemoryStore {
    fn import(&mut self, rows: Rows<'_, Record>) -> Result<ImportSummary> {
        // All or nothing: work on a copy, keep it only when every row went in.
        let mut next = self.clone();
        let mut summary = ImportSummary::new();
        for row in rows {
            next.add(row.map_err(Error::Input)?, &mut summary)?;
        }
        *self = next;
        Ok(summary)
    }

    fn sales(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(&[Sale<'_>])) -> Result<()> {
        let mut batch = SaleBatch::new();
        for t in self
            .transactions
            .iter()
            .filter(|t| is_before(t.date, before))
        {
            batch.push(t.customer.as_str(), t.date, t.revenue, t.margin);
        }
        f(&batch.sales());
        Ok(())
    }

    fn contacts(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(&str, NaiveDate, crm_core::InteractionKind),
    ) -> Result<()> {
        for i in self
            .interactions
            .iter()
            .filter(|i| is_before(i.date, before))
        {
            f(i.customer.as_str(), i.date, i.kind);
        }
        Ok(())
    }

    fn register(&self, f: &mut dyn FnMut(&str, Stage, Option<NaiveDate>)) -> Result<()> {
        for (key, c) in &self.register {
            f(key, c.stage, c.acquired);
        }
        Ok(())
    }

    fn interactions(
        &self,
        before: Option<NaiveDate>,
        f: &mut dyn FnMut(Interaction),
    ) -> Result<()> {
        for i in self
            .interactions
            .iter()
            .filter(|i| is_before(i.date, before))
        {
            f(i.clone());
        }
        Ok(())
    }

    fn leads(&self, f: &mut dyn FnMut(Lead)) -> Result<()> {
        for l in &self.leads {
            f(l.clone());
        }
        Ok(())
    }

    fn customers(&self, f: &mut dyn FnMut(Customer)) -> Result<()> {
        for c in self.register.values() {
            f(c.clone());
        }
        Ok(())
    }

    fn outcomes(&self, before: Option<NaiveDate>, f: &mut dyn FnMut(Outcome)) -> Result<()> {
        for o in self.outcomes.iter().filter(|o| is_before(o.date, before)) {
            f(o.clone());
        }
        Ok(())
    }

    fn history(&self, key: &str) -> Result<Option<History>> {
        if !self.known.contains(key) {
            return Ok(None);
        }
        let of = |k: &crm_core::CustomerKey| k.as_str() == key;
        Ok(Some(
            History::new(
                self.register.get(key).cloned(),
                self.transactions
                    .iter()
                    .filter(|t| of(&t.customer))
                    .cloned()
                    .collect(),
                self.interactions
                    .iter()
                    .filter(|i| of(&i.customer))
                    .cloned()
                    .collect(),
                self.leads
                    .iter()
                    .filter(|l| of(&l.customer))
                    .cloned()
                    .collect(),
            )
            .with_outcomes(
                self.outcomes
                    .iter()
                    .filter(|o| o.customer == key)
                    .cloned()
                    .collect(),
            ),
        ))
    }

    fn erase(&mut self, key: &str) -> Result<Erased> {
        let mut erased = Erased::new();
        erased.before = self.suppressed.contains(key);
        if !self.known.remove(key) {
            return Ok(erased);
        }
        let of = |k: &crm_core::CustomerKey| k.as_str() == key;
        let before = self.transactions.len();
        self.transactions.retain(|t| !of(&t.customer));
        erased
            .rows
            .insert("transactions", (before - self.transactions.len()) as u64);
        let before = self.interactions.len();
        self.interactions.retain(|i| !of(&i.customer));
        erased
            .rows
            .insert("interactions", (before - self.interactions.len()) as u64);
        let before = self.leads.len();
        self.leads.retain(|l| !of(&l.customer));
        erased
            .rows
            .insert("leads", (before - self.leads.len()) as u64);
        let before = self.outcomes.len();
        self.outcomes.retain(|o| o.customer != key);
        erased
            .rows
            .insert("outcomes", (before - self.outcomes.len()) as u64);
        // One row for the customer, in the register or not.
        erased.rows.insert("customers", 1);
        self.register.remove(key);
        self.suppressed.insert(key.to_string());
        Ok(erased)
    }
}

/// Whether two leads without an id are the same lead: every field equal,
/// the value as written (`12.5` and `12.50` are two leads, as in the other
/// stores: `Decimal`'s own equality ignores the scale).
fn same_content(a: &Lead, b: &Lead) -> bool {
    a == b && a.value.as_decimal().scale() == b.value.as_decimal().scale()
}

//! Column resolution and row parsing per kind of file, shared by the fast
//! ledger import and the record iterators.

use std::path::Path;

use crm_core::{
    Consent, Customer, CustomerKey, Decimal, Interaction, InteractionKind, Lead, LeadStage, Money,
    NaiveDate, Stage, Transaction,
};

use crate::header::Header;
use crate::options::{CUSTOMER_FIELDS, ImportOptions};
use crate::parse::{cut, parse_date, parse_flag, parse_money, parse_money_opt, text, trim};
use crate::scan::{Fields, RowError};
use crate::{Problem, Result};

fn field<F: Fields + ?Sized>(rec: &F, col: usize) -> &[u8] {
    rec.get(col).unwrap_or(b"")
}

fn at<T>(col: usize, r: std::result::Result<T, Problem>) -> std::result::Result<T, RowError> {
    r.map_err(|p| (Some(col), p))
}

fn opt_text<F: Fields + ?Sized>(
    rec: &F,
    col: Option<usize>,
) -> std::result::Result<Option<&str>, RowError> {
    match col {
        None => Ok(None),
        Some(c) => {
            let t = at(c, text(field(rec, c)))?;
            Ok((!t.is_empty()).then_some(t))
        }
    }
}

/// What an id or a label (transaction, interaction and lead ids, campaign,
/// owner, source, lost reason; not free text such as a note, a name or a
/// product) may be: the rules of a customer key.
const LABEL: &str = "an id or label of at most 1024 bytes, without control characters";

/// An optional id or label: as [`opt_text`], checked by the rules of a
/// customer key (at most 1024 bytes, no control characters), so that a
/// runaway field or a NUL byte never reaches a store, a report or an
/// export.
fn opt_label<F: Fields + ?Sized>(
    rec: &F,
    col: Option<usize>,
) -> std::result::Result<Option<&str>, RowError> {
    let t = opt_text(rec, col)?;
    if let (Some(c), Some(v)) = (col, t)
        && crm_core::check_key(v).is_err()
    {
        return Err((
            Some(c),
            Problem::BadValue {
                value: crate::parse::cut(v.as_bytes()),
                expected: LABEL,
            },
        ));
    }
    Ok(t)
}

/// The key of a record as an owned, validated [`CustomerKey`].
fn owned_key_at<F: Fields + ?Sized>(
    rec: &F,
    col: usize,
) -> std::result::Result<CustomerKey, RowError> {
    // `key_at` validated it: building the key cannot fail again.
    key_at(rec, col).and_then(|k| at(col, CustomerKey::new(k).map_err(Problem::Model)))
}

fn key_at<F: Fields + ?Sized>(rec: &F, col: usize) -> std::result::Result<&str, RowError> {
    let raw = trim(field(rec, col));
    if crm_core::is_plain_ascii_key(raw) {
        // Valid UTF-8 and a valid key: the common case, in one pass. The
        // conversion's own check of ASCII is the short one.
        if let Ok(k) = std::str::from_utf8(raw) {
            return Ok(k);
        }
    }
    let k = at(col, text(raw))?;
    if k.is_empty() {
        return Err((Some(col), Problem::Missing));
    }
    at(
        col,
        crm_core::check_key(k).map(|()| k).map_err(Problem::Model),
    )
}

/// Remembers the last date field parsed: exports are usually sorted by
/// date, so consecutive rows repeat it.
///
/// A field of 8 to 16 bytes is known by its length and its first and last
/// eight bytes (overlapping when shorter than 16), compared as two
/// integers without a copy; other fields are parsed each time.
#[derive(Debug, Clone, Default)]
pub(crate) struct DateCache {
    head: u64,
    tail: u64,
    len: usize,
    date: Option<NaiveDate>,
}

impl DateCache {
    pub fn parse(&mut self, raw: &[u8]) -> std::result::Result<NaiveDate, Problem> {
        let len = raw.len();
        let (Some(head), Some(tail)) = (
            raw.first_chunk::<8>(),
            raw.last_chunk::<8>().filter(|_| len <= 16),
        ) else {
            return parse_date(raw);
        };
        let (head, tail) = (u64::from_le_bytes(*head), u64::from_le_bytes(*tail));
        if let Some(d) = self.date
            && self.head == head
            && self.tail == tail
            && self.len == len
        {
            return Ok(d);
        }
        let d = parse_date(raw)?;
        *self = DateCache {
            head,
            tail,
            len,
            date: Some(d),
        };
        Ok(d)
    }
}

#[cfg(test)]
mod date_cache_tests {
    use super::*;

    proptest::proptest! {
        /// A sequence of date fields (repeated, of every length from 0 to
        /// 20 bytes, differing in one byte, valid or not) reads through
        /// the cache as `parse_date` reads each.
        #[test]
        fn cache_reads_as_parse_date(
            fields in proptest::collection::vec(proptest::sample::select(vec![
                "2024-03-01", "2024-03-02", "2024-03-01 ", " 2024-03-01", "2024-03-01T10:00",
                "2024-03-01T10:01", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00.5Z", "20240301",
                "20240302", "1/3/2024", "01.03.2024", "01-03-2024", "2024/3/1", "1/3/24", "",
                "x", "2024-02-30", "2024-03-0a", "12345678901234567", "2024-03-01x",
            ]), 0..40),
        ) {
            let mut cache = DateCache::default();
            for f in fields {
                proptest::prop_assert_eq!(cache.parse(f.as_bytes()), parse_date(f.as_bytes()), "{:?}", f);
            }
        }
    }
}

/// Columns of a transactions file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxCols {
    key: usize,
    date: usize,
    revenue: usize,
    margin: Option<usize>,
    id: Option<usize>,
    quantity: Option<usize>,
    product: Option<usize>,
    sep: u8,
}

/// A transaction row, borrowed from its record.
pub(crate) struct TxRow<'a> {
    pub key: &'a str,
    pub date: NaiveDate,
    pub revenue: Money,
    pub margin: Option<Money>,
    pub id: Option<&'a str>,
    pub quantity: Option<Decimal>,
    pub product: Option<&'a str>,
}

impl TxCols {
    pub fn resolve(file: &Path, header: &Header, options: &ImportOptions) -> Result<TxCols> {
        header.check_unique(file)?;
        Ok(TxCols {
            key: header.require(file, options, "customer_id")?,
            date: header.require(file, options, "date")?,
            revenue: header.require(file, options, "revenue")?,
            margin: header.find(options, "margin"),
            id: header.find(options, "transaction_id"),
            quantity: header.find(options, "quantity"),
            product: header.find(options, "product"),
            sep: options.decimal.resolve(header.delimiter),
        })
    }

    /// Parses what the ledger records: key, date, revenue and margin.
    /// Other columns are not read.
    #[allow(clippy::type_complexity)] // a private tuple, named at its one use
    pub fn parse_sale<'a, F: Fields + ?Sized>(
        &self,
        rec: &'a F,
        dates: &mut DateCache,
    ) -> std::result::Result<(&'a str, NaiveDate, Money, Option<Money>), RowError> {
        let key = key_at(rec, self.key)?;
        let (date, revenue, margin) = self.parse_date_and_amounts(rec, dates)?;
        Ok((key, date, revenue, margin))
    }

    /// [`TxCols::parse_sale`] with the key as bytes, for a reader that
    /// batches keys and checks their UTF-8 once per batch: the bytes are
    /// a valid key and valid UTF-8 (plain ASCII is settled in one pass,
    /// anything else checked as [`TxCols::parse_sale`] checks it).
    #[allow(clippy::type_complexity)] // a private tuple, named at its one use
    pub fn parse_sale_bytes<'a, F: Fields + ?Sized>(
        &self,
        rec: &'a F,
        dates: &mut DateCache,
    ) -> std::result::Result<(&'a [u8], NaiveDate, Money, Option<Money>), RowError> {
        let raw = trim(field(rec, self.key));
        let key = if crm_core::is_plain_ascii_key(raw) {
            raw
        } else {
            key_at(rec, self.key)?.as_bytes()
        };
        let (date, revenue, margin) = self.parse_date_and_amounts(rec, dates)?;
        Ok((key, date, revenue, margin))
    }

    /// The date, revenue and margin of a sale, for both key forms.
    #[inline]
    fn parse_date_and_amounts<F: Fields + ?Sized>(
        &self,
        rec: &F,
        dates: &mut DateCache,
    ) -> std::result::Result<(NaiveDate, Money, Option<Money>), RowError> {
        let date = at(self.date, dates.parse(field(rec, self.date)))?;
        let revenue = at(
            self.revenue,
            parse_money(field(rec, self.revenue), self.sep),
        )?;
        let margin = match self.margin {
            Some(c) => at(c, parse_money_opt(field(rec, c), self.sep))?,
            None => None,
        };
        Ok((date, revenue, margin))
    }

    /// Parses every column of a transaction.
    pub fn parse<'a, F: Fields + ?Sized>(
        &self,
        rec: &'a F,
        dates: &mut DateCache,
    ) -> std::result::Result<TxRow<'a>, RowError> {
        let (key, date, revenue, margin) = self.parse_sale(rec, dates)?;
        let quantity = match self.quantity {
            Some(c) => at(c, parse_money_opt(field(rec, c), self.sep))?.map(Money::as_decimal),
            None => None,
        };
        Ok(TxRow {
            key,
            date,
            revenue,
            margin,
            id: opt_label(rec, self.id)?,
            quantity,
            product: opt_text(rec, self.product)?,
        })
    }

    pub fn key_col(&self) -> usize {
        self.key
    }
}

impl TxRow<'_> {
    /// The owned transaction; `key_col` names the key's column in errors.
    pub fn to_transaction(&self, key_col: usize) -> std::result::Result<Transaction, RowError> {
        let key = at(key_col, CustomerKey::new(self.key).map_err(Problem::Model))?;
        let mut t = Transaction::new(key, self.date, self.revenue);
        t.margin = self.margin;
        t.quantity = self.quantity;
        t.id = self.id.map(str::to_string);
        t.product = self.product.map(str::to_string);
        Ok(t)
    }
}

/// Columns of a customers (register) file.
#[derive(Debug, Clone)]
pub(crate) struct CustomerCols {
    key: usize,
    stage: Option<usize>,
    name: Option<usize>,
    segment: Option<usize>,
    region: Option<usize>,
    acquired: Option<usize>,
    potential: Option<usize>,
    consent: [Option<usize>; 3],
    /// Other columns: attributes.
    extra: Vec<(usize, String)>,
    sep: u8,
}

impl CustomerCols {
    pub fn resolve(file: &Path, header: &Header, options: &ImportOptions) -> Result<CustomerCols> {
        header.check_unique(file)?;
        let find = |f| header.find(options, f);
        let known: Vec<usize> = CUSTOMER_FIELDS.iter().filter_map(|f| find(f)).collect();
        let extra = header
            .names
            .iter()
            .enumerate()
            .filter(|(i, n)| !known.contains(i) && !n.is_empty())
            .map(|(i, n)| (i, n.clone()))
            .collect();
        Ok(CustomerCols {
            key: header.require(file, options, "customer_id")?,
            stage: find("stage"),
            name: find("name"),
            segment: find("segment"),
            region: find("region"),
            acquired: find("acquired"),
            potential: find("potential"),
            consent: [
                find("consent_email"),
                find("consent_phone"),
                find("consent_post"),
            ],
            extra,
            sep: options.decimal.resolve(header.delimiter),
        })
    }

    /// Parses a register row. A missing or empty stage is `suspect`: in
    /// the register, nothing known of contact; transactions and
    /// interactions decide the rest.
    pub fn parse<F: Fields + ?Sized>(&self, rec: &F) -> std::result::Result<Customer, RowError> {
        let key = owned_key_at(rec, self.key)?;
        let stage = match self.stage {
            Some(c) => {
                let t = at(c, text(field(rec, c)))?;
                if t.is_empty() {
                    Stage::Suspect
                } else {
                    at(c, t.parse::<Stage>().map_err(Problem::Model))?
                }
            }
            None => Stage::Suspect,
        };
        let mut c = Customer::new(key, stage);
        c.name = opt_text(rec, self.name)?.map(str::to_string);
        c.segment = opt_text(rec, self.segment)?.map(str::to_string);
        c.region = opt_text(rec, self.region)?.map(str::to_string);
        if let Some(col) = self.acquired
            && !trim(field(rec, col)).is_empty()
        {
            c.acquired = Some(at(col, parse_date(field(rec, col)))?);
        }
        if let Some(col) = self.potential {
            c.potential = at(col, parse_money_opt(field(rec, col), self.sep))?;
        }
        let mut consent = Consent::default();
        for (i, ch) in crm_core::Channel::ALL.iter().enumerate() {
            if let Some(col) = self.consent[i] {
                consent.set(*ch, at(col, parse_flag(field(rec, col)))?);
            }
        }
        c.consent = consent;
        for (col, name) in &self.extra {
            let v = at(*col, text(field(rec, *col)))?;
            if !v.is_empty() {
                c.attributes.insert(name.clone(), v.to_string());
            }
        }
        Ok(c)
    }
}

/// Columns of an interactions file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InteractionCols {
    key: usize,
    date: usize,
    kind: usize,
    cost: Option<usize>,
    note: Option<usize>,
    id: Option<usize>,
    campaign: Option<usize>,
    sep: u8,
}

impl InteractionCols {
    pub fn resolve(
        file: &Path,
        header: &Header,
        options: &ImportOptions,
    ) -> Result<InteractionCols> {
        header.check_unique(file)?;
        Ok(InteractionCols {
            key: header.require(file, options, "customer_id")?,
            date: header.require(file, options, "date")?,
            kind: header.require(file, options, "kind")?,
            cost: header.find(options, "cost"),
            note: header.find(options, "note"),
            id: header.find(options, "interaction_id"),
            campaign: header.find(options, "campaign"),
            sep: options.decimal.resolve(header.delimiter),
        })
    }

    pub fn parse<F: Fields + ?Sized>(
        &self,
        rec: &F,
        dates: &mut DateCache,
    ) -> std::result::Result<Interaction, RowError> {
        let key = owned_key_at(rec, self.key)?;
        let date = at(self.date, dates.parse(field(rec, self.date)))?;
        let kind_raw = field(rec, self.kind);
        let kind_text = at(self.kind, text(kind_raw))?;
        if kind_text.is_empty() {
            return Err((Some(self.kind), Problem::Missing));
        }
        let kind: InteractionKind = kind_text.parse().map_err(|_| {
            (
                Some(self.kind),
                Problem::BadValue {
                    value: cut(kind_raw),
                    expected: "an interaction kind: visit, call, email, meeting, quote, complaint, complaint-resolved, campaign-response, campaign-sent or other",
                },
            )
        })?;
        let mut i = Interaction::new(key, date, kind);
        if let Some(c) = self.cost {
            i.cost = at(c, parse_money_opt(field(rec, c), self.sep))?;
        }
        i.note = opt_text(rec, self.note)?.map(str::to_string);
        i.id = opt_label(rec, self.id)?.map(str::to_string);
        i.campaign = opt_label(rec, self.campaign)?.map(str::to_string);
        Ok(i)
    }
}

/// Columns of a leads file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeadCols {
    key: usize,
    stage: usize,
    value: usize,
    dates: [Option<usize>; 5],
    /// `date`: the day the row's stage was entered (one row per stage
    /// change).
    date: Option<usize>,
    id: Option<usize>,
    owner: Option<usize>,
    source: Option<usize>,
    lost_reason: Option<usize>,
    sep: u8,
}

impl LeadCols {
    pub fn resolve(file: &Path, header: &Header, options: &ImportOptions) -> Result<LeadCols> {
        header.check_unique(file)?;
        Ok(LeadCols {
            key: header.require(file, options, "customer_id")?,
            stage: header.require(file, options, "stage")?,
            value: header.require(file, options, "value")?,
            dates: [
                header.find(options, "lead_date"),
                header.find(options, "qualified_date"),
                header.find(options, "quote_date"),
                header.find(options, "won_date"),
                header.find(options, "lost_date"),
            ],
            date: header.find(options, "date"),
            id: header.find(options, "lead_id"),
            owner: header.find(options, "owner"),
            source: header.find(options, "source"),
            lost_reason: header.find(options, "lost_reason"),
            sep: options.decimal.resolve(header.delimiter),
        })
    }

    pub fn parse<F: Fields + ?Sized>(&self, rec: &F) -> std::result::Result<Lead, RowError> {
        let key = owned_key_at(rec, self.key)?;
        let stage_raw = field(rec, self.stage);
        let stage: LeadStage = at(self.stage, text(stage_raw))?.parse().map_err(|_| {
            (
                Some(self.stage),
                Problem::BadValue {
                    value: cut(stage_raw),
                    expected: "a lead stage: lead, qualified, quote, won or lost",
                },
            )
        })?;
        let value = at(self.value, parse_money(field(rec, self.value), self.sep))?;
        let mut lead = Lead::new(key, stage, value);
        for (col, s) in self.dates.iter().zip(LeadStage::ALL) {
            if let Some(c) = *col
                && !trim(field(rec, c)).is_empty()
            {
                lead.entered.insert(*s, at(c, parse_date(field(rec, c)))?);
            }
        }
        if let Some(c) = self.date
            && !trim(field(rec, c)).is_empty()
        {
            lead.entered
                .insert(stage, at(c, parse_date(field(rec, c)))?);
        }
        lead.id = opt_label(rec, self.id)?.map(str::to_string);
        lead.owner = opt_label(rec, self.owner)?.map(str::to_string);
        lead.source = opt_label(rec, self.source)?.map(str::to_string);
        lead.lost_reason = opt_label(rec, self.lost_reason)?.map(str::to_string);
        Ok(lead)
    }
}

//! Customer facts: the ledger's input as one row per customer, for engines
//! that aggregate where the data lives (see [`CustomerFacts`]).

use chrono::NaiveDate;

use crate::{CustomerId, Error, Ledger, Money, Result};

/// One row of the customer facts table: one customer's sales, aggregated
/// for a ledger's periods.
///
/// Every analysis reads per-customer aggregates, never rows. An engine that
/// holds the transactions (a database, a query engine over files) can
/// compute those aggregates itself, with one `GROUP BY` customer, and hand
/// the ledger one row per customer instead of every row: the **customer
/// facts** table. It is the seam between an engine and the domain: what a
/// row holds is defined here, the engine only has to compute it, and
/// [`Ledger::record_facts`] gives the same ledger as recording the rows one
/// by one (a property test checks it against a reference aggregation).
///
/// # The table
///
/// One row per customer, over the transactions the ledger would be fed
/// (for a store: those dated before the end of the ledger's latest
/// period). A *purchase* on a basis is a transaction whose value on that
/// basis (revenue, or margin) is positive; a transaction without a margin
/// has margin zero.
///
/// | column | meaning |
/// | --- | --- |
/// | `key` | the customer's key |
/// | `transactions` | transactions of any sign |
/// | `transactions_without_margin` | of those, transactions without a margin |
/// | `first_transaction`, `last_transaction` | dates of the first and last transaction of any sign |
/// | `first_purchase[b]`, `last_purchase[b]` | dates of the first and last purchase on basis `b` |
/// | `periods[p].value[b]` | the sum of basis `b` over the transactions dated in period `p` (credit notes net out) |
/// | `periods[p].transactions` | transactions dated in period `p` |
/// | `periods[p].last_purchase_before[b]` | date of the last purchase on basis `b` dated before period `p`'s start |
/// | `purchase_days` | the distinct days with a transaction of positive revenue (only when the ledger keeps purchase days) |
///
/// Bases are indexed by [`Basis::index`](crate::Basis::index) (revenue 0,
/// margin 1); periods are the ledger's, in its order
/// ([`Ledger::periods`]). In SQL, with `d` the date, `r` the revenue and
/// `m` the margin, the row of one customer is
///
/// ```text
/// SELECT key, count(*), count(*) FILTER (WHERE m IS NULL), min(d), max(d),
///        min(d) FILTER (WHERE r > 0), max(d) FILTER (WHERE r > 0),
///        min(d) FILTER (WHERE m > 0), max(d) FILTER (WHERE m > 0),
///        -- for each period [s, e):
///        sum(r) FILTER (WHERE d >= s AND d < e), sum(coalesce(m, 0)) FILTER (...),
///        count(*) FILTER (WHERE d >= s AND d < e),
///        max(d) FILTER (WHERE d < s AND r > 0), max(d) FILTER (WHERE d < s AND m > 0)
/// FROM transactions WHERE d < (the latest period's end) GROUP BY key
/// ```
///
/// (an empty sum is zero). Rows are additive: two rows of one customer,
/// each over part of its transactions, give what one row over all of them
/// gives, so an engine that aggregates partitions apart may hand over
/// every partition's rows.
///
/// Only sales are aggregated this way. Interactions and register entries
/// are still recorded one by one ([`Ledger::record_contact`],
/// [`Ledger::record_register_entry`]): they are few, and a register has a
/// row per customer anyway.
///
/// ```
/// use crm_core::{Basis, CustomerFacts, Ledger, NaiveDate, Period, PeriodFacts};
///
/// let year: Period = "2024".parse()?;
/// let mut ledger = Ledger::new([year]);
/// let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
/// let mut facts = CustomerFacts::new("C1");
/// facts.transactions = 2;
/// facts.transactions_without_margin = 2;
/// facts.first_transaction = Some(day);
/// facts.last_transaction = Some(day);
/// facts.first_purchase[Basis::Revenue.index()] = Some(day);
/// facts.last_purchase[Basis::Revenue.index()] = Some(day);
/// let mut p = PeriodFacts::new();
/// p.value[Basis::Revenue.index()] = "80.00".parse()?;
/// p.transactions = 2;
/// facts.periods.push(p);
/// let id = ledger.record_facts(&facts)?;
/// assert_eq!(ledger.period_totals(id, 0)?.value(Basis::Revenue).to_string(), "80.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With the `serde` feature it serialises and deserialises; a value per
/// basis is an object `{"revenue": .., "margin": ..}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CustomerFacts {
    /// The customer's key.
    pub key: String,
    /// Transactions of any sign.
    pub transactions: u64,
    /// Transactions without a margin.
    pub transactions_without_margin: u64,
    /// Date of the first transaction of any sign.
    pub first_transaction: Option<NaiveDate>,
    /// Date of the last transaction of any sign.
    pub last_transaction: Option<NaiveDate>,
    /// Date of the first purchase, per basis.
    #[cfg_attr(feature = "serde", serde(with = "per_basis"))]
    pub first_purchase: [Option<NaiveDate>; 2],
    /// Date of the last purchase, per basis.
    #[cfg_attr(feature = "serde", serde(with = "per_basis"))]
    pub last_purchase: [Option<NaiveDate>; 2],
    /// The ledger's periods, in its order.
    pub periods: Vec<PeriodFacts>,
    /// Distinct days with a purchase on revenue, when the ledger keeps
    /// purchase days (in any order; empty otherwise).
    pub purchase_days: Vec<NaiveDate>,
}

impl CustomerFacts {
    /// A row for `key` with no transactions and no periods yet.
    pub fn new(key: impl Into<String>) -> CustomerFacts {
        CustomerFacts {
            key: key.into(),
            ..CustomerFacts::default()
        }
    }
}

/// One customer's sales in one period: part of a [`CustomerFacts`] row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PeriodFacts {
    /// The sum of each basis over the transactions dated in the period.
    #[cfg_attr(feature = "serde", serde(with = "per_basis"))]
    pub value: [Money; 2],
    /// Transactions dated in the period.
    pub transactions: u64,
    /// Date of the last purchase dated before the period's start, per
    /// basis.
    #[cfg_attr(feature = "serde", serde(with = "per_basis"))]
    pub last_purchase_before: [Option<NaiveDate>; 2],
}

impl PeriodFacts {
    /// A period without transactions.
    pub fn new() -> PeriodFacts {
        PeriodFacts::default()
    }
}

impl Ledger {
    /// Records one row of customer facts: the same as recording the
    /// customer's sales one by one with [`Ledger::record_sale`] (the row's
    /// counts go to [`Ledger::stats`] too). A second row of the same
    /// customer adds to the first.
    ///
    /// # Errors
    ///
    /// [`Error::FactsMismatch`] when the row has another number of periods
    /// than the ledger tracks, or when the ledger keeps purchase days and
    /// a row with purchases has none; [`Error::InvalidKey`];
    /// [`Error::Overflow`] when a period's sum leaves the range of
    /// [`Money`] (nothing of the row is recorded then);
    /// [`Error::Capacity`].
    pub fn record_facts(&mut self, facts: &CustomerFacts) -> Result<CustomerId> {
        let mismatch = |reason: String| Error::FactsMismatch {
            key: facts.key.chars().take(80).collect(),
            reason,
        };
        if facts.periods.len() != self.periods().len() {
            return Err(mismatch(format!(
                "{} periods, the ledger tracks {}",
                facts.periods.len(),
                self.periods().len()
            )));
        }
        if self.options().purchase_days
            && facts.first_purchase[0].is_some()
            && facts.purchase_days.is_empty()
        {
            return Err(mismatch(
                "purchases but no purchase days, and the ledger keeps them".into(),
            ));
        }
        self.merge_facts(facts)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::{Basis, LedgerOptions, Period};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    type Row = (String, NaiveDate, Money, Option<Money>);

    /// The reference aggregation: the facts of each customer, straight
    /// from the definitions.
    fn aggregate(rows: &[Row], periods: &[Period], days: bool) -> Vec<CustomerFacts> {
        let mut by_key: BTreeMap<&str, CustomerFacts> = BTreeMap::new();
        for (key, date, revenue, margin) in rows {
            let f = by_key.entry(key).or_insert_with(|| {
                let mut f = CustomerFacts::new(key.clone());
                f.periods = vec![PeriodFacts::new(); periods.len()];
                f
            });
            let values = [*revenue, margin.unwrap_or(Money::ZERO)];
            f.transactions += 1;
            f.transactions_without_margin += u64::from(margin.is_none());
            f.first_transaction = Some(f.first_transaction.map_or(*date, |x| x.min(*date)));
            f.last_transaction = Some(f.last_transaction.map_or(*date, |x| x.max(*date)));
            for (b, v) in values.iter().enumerate() {
                if v.is_positive() {
                    f.first_purchase[b] = Some(f.first_purchase[b].map_or(*date, |x| x.min(*date)));
                    f.last_purchase[b] = Some(f.last_purchase[b].map_or(*date, |x| x.max(*date)));
                }
            }
            for (p, pf) in periods.iter().zip(&mut f.periods) {
                if p.contains(*date) {
                    pf.transactions += 1;
                    for (sum, v) in pf.value.iter_mut().zip(values) {
                        *sum = sum.checked_add(v).unwrap();
                    }
                } else if *date < p.start() {
                    for (last, v) in pf.last_purchase_before.iter_mut().zip(values) {
                        if v.is_positive() {
                            *last = (*last).max(Some(*date));
                        }
                    }
                }
            }
            if days && revenue.is_positive() && !f.purchase_days.contains(date) {
                f.purchase_days.push(*date);
            }
        }
        by_key.into_values().collect()
    }

    /// Every customer's aggregates and the stats of two ledgers are equal,
    /// customer by key.
    fn assert_same(a: &Ledger, b: &Ledger) -> std::result::Result<(), TestCaseError> {
        prop_assert_eq!(a.len(), b.len());
        prop_assert_eq!(a.stats(), b.stats());
        for id in a.ids() {
            let key = a.key(id).unwrap();
            let other = b.id(key).unwrap();
            prop_assert_eq!(a.totals(id), b.totals(other), "{}", key);
            for p in 0..a.periods().len() {
                prop_assert_eq!(a.period_totals(id, p), b.period_totals(other, p), "{}", key);
            }
            prop_assert_eq!(a.purchase_day_numbers(id), b.purchase_day_numbers(other));
        }
        Ok(())
    }

    fn rows() -> impl Strategy<Value = Vec<Row>> {
        let row = (
            0u8..8,
            0u64..1500,
            -2_000i64..10_000,
            proptest::option::of(-500i64..3_000),
        )
            .prop_map(|(k, day, r, m)| {
                (
                    format!("K{k}"),
                    d(2021, 1, 1) + chrono::Days::new(day),
                    Money::from_minor(r, 2),
                    m.map(|m| Money::from_minor(m, 1)),
                )
            });
        proptest::collection::vec(row, 0..80)
    }

    fn periods() -> impl Strategy<Value = Vec<Period>> {
        let period = prop_oneof![
            (2021i32..2025).prop_map(|y| Period::year(y).unwrap()),
            (2021i32..2025, 1u32..5).prop_map(|(y, q)| Period::quarter(y, q).unwrap()),
            (2021i32..2025, 1u32..13).prop_map(|(y, m)| Period::month(y, m).unwrap()),
        ];
        proptest::collection::vec(period, 0..5)
    }

    proptest! {
        /// Facts of random rows, by the reference aggregation, give the
        /// ledger that streaming the rows gives; facts of two parts of the
        /// rows, fed one after the other, give it too.
        #[test]
        fn facts_give_the_ledger_of_the_rows(
            rows in rows(),
            periods in periods(),
            days in any::<bool>(),
            split in 0usize..80,
        ) {
            let options = LedgerOptions::new().purchase_days(days);
            let mut streamed = Ledger::with_options(periods.clone(), options);
            for (key, date, revenue, margin) in &rows {
                streamed.record_sale(key, *date, *revenue, *margin).unwrap();
            }
            let tracked = streamed.periods().to_vec();
            let mut fed = Ledger::with_options(periods.clone(), options);
            for f in aggregate(&rows, &tracked, days) {
                fed.record_facts(&f).unwrap();
            }
            assert_same(&streamed, &fed)?;

            let cut = split.min(rows.len());
            let mut parts = Ledger::with_options(periods, options);
            for part in [&rows[..cut], &rows[cut..]] {
                for f in aggregate(part, &tracked, days) {
                    parts.record_facts(&f).unwrap();
                }
            }
            assert_same(&streamed, &parts)?;
        }
    }

    #[test]
    fn facts_mix_with_recorded_rows_and_contacts() {
        let year: Period = "2024".parse().unwrap();
        let mut l = Ledger::new([year]);
        l.record_register("A", crate::Stage::Customer).unwrap();
        l.record_contact("A", d(2024, 2, 1), crate::InteractionKind::Call)
            .unwrap();
        let rows = vec![("A".to_string(), d(2024, 3, 1), Money::from(5), None)];
        let id = l
            .record_facts(&aggregate(&rows, &[year], false)[0])
            .unwrap();
        l.record_sale("A", d(2024, 4, 1), Money::from(7), None)
            .unwrap();
        assert_eq!(
            l.period_totals(id, 0).unwrap().value(Basis::Revenue),
            Money::from(12)
        );
        assert_eq!(
            l.totals(id).unwrap().register_stage(),
            Some(crate::Stage::Customer)
        );
        assert_eq!(
            l.totals(id).unwrap().first_interaction(),
            Some(d(2024, 2, 1))
        );
        assert_eq!(l.stats().transactions, 2);
    }

    #[test]
    fn rows_that_do_not_fit_the_ledger_are_refused() {
        let year: Period = "2024".parse().unwrap();
        let mut l = Ledger::with_options([year], LedgerOptions::new().purchase_days(true));
        let e = l.record_facts(&CustomerFacts::new("A")).unwrap_err();
        assert!(
            e.to_string().contains("0 periods, the ledger tracks 1"),
            "{e}"
        );
        let mut f = CustomerFacts::new("A");
        f.periods.push(PeriodFacts::new());
        f.first_purchase[0] = Some(d(2024, 1, 1));
        let e = l.record_facts(&f).unwrap_err();
        assert!(e.to_string().contains("no purchase days"), "{e}");
        f.purchase_days.push(d(2024, 1, 1));
        let mut bad = f.clone();
        bad.key = String::new();
        assert!(matches!(
            l.record_facts(&bad),
            Err(Error::InvalidKey { .. })
        ));
        let mut big = f.clone();
        big.periods[0].value[0] = Money::new(rust_decimal::Decimal::MAX);
        l.record_facts(&big).unwrap();
        let e = l.record_facts(&big).unwrap_err();
        assert!(matches!(e, Error::Overflow { .. }), "{e}");
        // Nothing of the refused row was recorded.
        assert_eq!(l.stats().transactions, 0);
        assert_eq!(l.len(), 1);
    }
}

/// serde for a value per basis (`[revenue, margin]`, indexed by
/// [`Basis::index`](crate::Basis::index)) as `{"revenue": .., "margin": ..}`.
#[cfg(feature = "serde")]
mod per_basis {
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PerBasis<T> {
        revenue: T,
        margin: T,
    }

    pub(super) fn serialize<S: serde::Serializer, T: serde::Serialize + Copy>(
        v: &[T; 2],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let [revenue, margin] = *v;
        serde::Serialize::serialize(&PerBasis { revenue, margin }, s)
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
        d: D,
    ) -> Result<[T; 2], D::Error> {
        let p: PerBasis<T> = serde::Deserialize::deserialize(d)?;
        Ok([p.revenue, p.margin])
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::*;
    use proptest::prelude::*;

    fn money() -> impl Strategy<Value = Money> {
        (-100_000i64..10_000_000, 0u32..4).prop_map(|(m, scale)| Money::from_minor(m, scale))
    }

    fn date() -> impl Strategy<Value = Option<NaiveDate>> {
        let base = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
        proptest::option::of((0u64..2192).prop_map(move |d| base + chrono::Days::new(d)))
    }

    fn period() -> impl Strategy<Value = PeriodFacts> {
        (money(), money(), 0u64..1000, date(), date()).prop_map(|(r, m, n, a, b)| PeriodFacts {
            value: [r, m],
            transactions: n,
            last_purchase_before: [a, b],
        })
    }

    proptest! {
        /// deserialize(serialize(x)) == x, and a value per basis is an
        /// object with `revenue` and `margin`.
        #[test]
        fn customer_facts_round_trip(
            key in "[A-Za-z0-9]{1,8}",
            n in 0u64..1000,
            dates in proptest::collection::vec(date(), 6),
            periods in proptest::collection::vec(period(), 0..4),
        ) {
            let mut f = CustomerFacts::new(key);
            f.transactions = n;
            f.transactions_without_margin = n / 2;
            f.first_transaction = dates[0];
            f.last_transaction = dates[1];
            f.first_purchase = [dates[2], dates[3]];
            f.last_purchase = [dates[4], dates[5]];
            f.periods = periods;
            f.purchase_days = dates.iter().flatten().copied().collect();
            let json = serde_json::to_value(&f).unwrap();
            prop_assert!(json["first_purchase"].get("revenue").is_some(), "{json}");
            prop_assert!(json["first_purchase"].get("margin").is_some(), "{json}");
            let back: CustomerFacts = serde_json::from_value(json).unwrap();
            prop_assert_eq!(back, f);
        }
    }
}

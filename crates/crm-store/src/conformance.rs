//! The conformance suite: the [`Store`] contract as tests that any
//! implementation runs (feature `conformance`).
//!
//! In the implementation's tests:
//!
//! ```text
//! #[test]
//! fn my_store_conforms() {
//!     crm_store::conformance::run(|| MyStore::new());
//! }
//! ```
//!
//! Each case gets a fresh, empty store from the factory and panics (with
//! the case's name) when the store breaks the contract; [`cases`] lists
//! them for a harness that runs them one by one.

use std::collections::BTreeMap;

use crm_core::{
    Channel, Customer, CustomerKey, Interaction, InteractionKind, Lead, LeadStage, Ledger, Money,
    NaiveDate, Outcome, OutcomeStatus, Period, Stage, Transaction,
};

use crate::{BoxError, Error, MAX_DATE, MIN_DATE, Record, Store, load_ledger};

/// One case of the suite: its name and the check, given an empty store.
pub type Case<S> = (&'static str, fn(&mut S));

/// Every case of the suite.
pub fn cases<S: Store>() -> Vec<Case<S>> {
    vec![
        ("round_trip_of_every_field", round_trip_of_every_field::<S>),
        (
            "ids_make_imports_idempotent",
            ids_make_imports_idempotent::<S>,
        ),
        (
            "rows_without_ids_are_all_kept",
            rows_without_ids_are_all_kept::<S>,
        ),
        ("one_import_of_every_kind", one_import_of_every_kind::<S>),
        (
            "a_failed_import_keeps_nothing",
            a_failed_import_keeps_nothing::<S>,
        ),
        ("dates_at_the_edges", dates_at_the_edges::<S>),
        ("dates_outside_are_refused", dates_outside_are_refused::<S>),
        ("erasure_and_suppression", erasure_and_suppression::<S>),
        ("erasing_an_unknown_key", erasing_an_unknown_key::<S>),
        (
            "erased_count_follows_erasures",
            erased_count_follows_erasures::<S>,
        ),
        (
            "the_ledger_reads_through_the_store",
            the_ledger_reads_through_the_store::<S>,
        ),
        ("leads_are_one_per_id", leads_are_one_per_id::<S>),
        ("reads_in_a_snapshot", reads_in_a_snapshot::<S>),
        ("outcomes_are_kept_once", outcomes_are_kept_once::<S>),
        (
            "holds_data_after_any_import",
            holds_data_after_any_import::<S>,
        ),
    ]
}

/// Runs every case, each on a fresh store made by `make`.
///
/// # Panics
///
/// When a case fails, naming it.
pub fn run<S: Store>(mut make: impl FnMut() -> S) {
    for (name, case) in cases::<S>() {
        let mut store = make();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut store)));
        if let Err(e) = outcome {
            let msg = e
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| e.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("conformance case {name} failed: {msg}");
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

fn m(s: &str) -> Money {
    s.parse().expect("an amount")
}

fn k(s: &str) -> CustomerKey {
    CustomerKey::new(s).expect("a key")
}

fn ok<T>(v: Vec<T>) -> impl Iterator<Item = Result<T, BoxError>> {
    v.into_iter().map(Ok)
}

fn customers<S: Store>(s: &S) -> Vec<Customer> {
    let mut out = Vec::new();
    s.customers(&mut |c| out.push(c)).expect("customers");
    out
}

fn interactions<S: Store>(s: &S, before: Option<NaiveDate>) -> Vec<Interaction> {
    let mut out = Vec::new();
    s.interactions(before, &mut |i| out.push(i))
        .expect("interactions");
    out
}

/// Every sale as (key, date, revenue, margin), sorted.
fn sales<S: Store>(
    s: &S,
    before: Option<NaiveDate>,
) -> Vec<(String, NaiveDate, Money, Option<Money>)> {
    let mut out = Vec::new();
    s.sales(before, &mut |batch| {
        out.extend(
            batch
                .iter()
                .map(|x| (x.key.to_string(), x.date, x.revenue, x.margin)),
        );
    })
    .expect("sales");
    out.sort();
    out
}

fn contacts<S: Store>(
    s: &S,
    before: Option<NaiveDate>,
) -> Vec<(String, NaiveDate, crm_core::InteractionKind)> {
    let mut out = Vec::new();
    s.contacts(before, &mut |key, date, kind| {
        out.push((key.to_string(), date, kind))
    })
    .expect("contacts");
    out.sort();
    out
}

fn full_customer(key: &str) -> Customer {
    let mut c = Customer::new(k(key), Stage::Customer);
    c.name = Some("Zoë & Søn, \"quoted\"".into());
    c.segment = Some("industrie".into());
    c.region = Some("Vlaanderen".into());
    c.acquired = Some(d(2020, 2, 29));
    c.potential = Some(m("123456789012345678.0001"));
    c.consent.set(Channel::Email, Some(true));
    c.consent.set(Channel::Phone, Some(false));
    c.attributes = BTreeMap::from([
        ("vat".to_string(), "BE0123".to_string()),
        ("tier".to_string(), "gold".to_string()),
    ]);
    c
}

fn is_empty<S: Store>(s: &S) -> bool {
    customers(s).is_empty()
        && sales(s, None).is_empty()
        && contacts(s, None).is_empty()
        && interactions(s, None).is_empty()
}

/// Every field of every kind of record reads back as it was written.
pub fn round_trip_of_every_field<S: Store>(s: &mut S) {
    let key = "klant-Ω-東京-1";
    let c = full_customer(key);
    s.import_customers(&mut ok(vec![c.clone()]))
        .expect("import");
    let mut t = Transaction::new(k(key), d(2024, 1, 31), m("-0.10"))
        .with_margin(m("0.0300"))
        .with_id("T-ü-1");
    t.quantity = Some("2.5".parse().expect("a quantity"));
    t.product = Some("widget, large".into());
    let t2 = Transaction::new(k(key), d(2023, 12, 1), m("79228162514264337593543950335"));
    s.import_transactions(&mut ok(vec![t.clone(), t2.clone()]))
        .expect("import");
    let mut i =
        Interaction::new(k(key), d(2024, 2, 1), InteractionKind::ComplaintResolved).with_id("I-1");
    i.cost = Some(m("12.345"));
    i.note = Some("line one\nline two".into());
    // A campaign send keeps its campaign.
    let sent = Interaction::new(k(key), d(2024, 2, 2), InteractionKind::CampaignSent)
        .with_campaign("spring, ü");
    s.import_interactions(&mut ok(vec![i.clone(), sent.clone()]))
        .expect("import");
    let mut l = Lead::new(k(key), LeadStage::Won, m("5000.00"));
    l.entered = BTreeMap::from([
        (LeadStage::Lead, d(2023, 1, 1)),
        (LeadStage::Won, d(2023, 3, 1)),
    ]);
    s.import_leads(&mut ok(vec![l.clone()])).expect("import");

    assert_eq!(customers(s), vec![c.clone()]);
    assert_eq!(interactions(s, None), vec![i.clone(), sent.clone()]);
    let h = s.history(key).expect("history").expect("a history");
    assert_eq!(h.customer, Some(c));
    assert_eq!(h.transactions, vec![t2, t]);
    assert_eq!(h.interactions, vec![i, sent]);
    assert_eq!(h.leads, vec![l]);
    assert!(s.history("nobody").expect("history").is_none());
}

/// Rows with an id are stored once per id; customers once per key (a later
/// row updates the entry); identical leads once.
pub fn ids_make_imports_idempotent<S: Store>(s: &mut S) {
    let rows: Vec<Transaction> = (0..100)
        .map(|n| {
            Transaction::new(
                k(&format!("C{}", n % 7)),
                d(2024, 1, 1 + n % 28),
                Money::from(i64::from(n)),
            )
            .with_id(format!("T{n}"))
        })
        .collect();
    let first = s
        .import_transactions(&mut ok(rows.clone()))
        .expect("import");
    assert_eq!((first.new, first.duplicate), (100, 0));
    let again = s.import_transactions(&mut ok(rows)).expect("import");
    assert_eq!((again.new, again.duplicate), (0, 100));
    assert_eq!(sales(s, None).len(), 100);

    let i = Interaction::new(k("C1"), d(2024, 1, 1), InteractionKind::Call).with_id("I1");
    let r = s
        .import_interactions(&mut ok(vec![i.clone(), i]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (1, 1));

    let c = Customer::new(k("C1"), Stage::Customer);
    // C1 was known from transactions only: entering the register is new.
    let r = s
        .import_customers(&mut ok(vec![c.clone()]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (1, 0));
    let mut later = c;
    later.stage = Stage::Prospect;
    let r = s
        .import_customers(&mut ok(vec![later.clone()]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (0, 1));
    assert_eq!(customers(s), vec![later]);

    let l = Lead::new(k("P1"), LeadStage::Lead, m("100"));
    let r = s.import_leads(&mut ok(vec![l.clone(), l])).expect("import");
    assert_eq!((r.new, r.duplicate), (1, 1));
}

/// Without ids, every row is a row: two identical visits on one day are two
/// visits, and two identical sales are two sales.
pub fn rows_without_ids_are_all_kept<S: Store>(s: &mut S) {
    let visit = Interaction::new(k("V"), d(2024, 3, 1), InteractionKind::Visit);
    let r = s
        .import_interactions(&mut ok(vec![visit.clone(), visit.clone()]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (2, 0));
    assert_eq!(interactions(s, None), vec![visit.clone(), visit]);
    assert_eq!(contacts(s, None).len(), 2);
    let sale = Transaction::new(k("V"), d(2024, 3, 1), m("10"));
    let r = s
        .import_transactions(&mut ok(vec![sale.clone(), sale]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (2, 0));
    assert_eq!(sales(s, None).len(), 2);
}

/// One import of records of every kind reports each kind apart.
pub fn one_import_of_every_kind<S: Store>(s: &mut S) {
    let rows = vec![
        Record::Customer(Customer::new(k("A"), Stage::Customer)),
        Record::Transaction(Transaction::new(k("A"), d(2024, 1, 1), m("1")).with_id("T1")),
        Record::Transaction(Transaction::new(k("B"), d(2024, 1, 2), m("2")).with_id("T1")),
        Record::Interaction(Interaction::new(
            k("B"),
            d(2024, 1, 3),
            InteractionKind::Email,
        )),
        Record::Lead(Lead::new(k("C"), LeadStage::Quote, m("3"))),
    ];
    let summary = s.import(&mut ok(rows)).expect("import");
    assert_eq!((summary.customers.new, summary.customers.duplicate), (1, 0));
    assert_eq!(
        (summary.transactions.new, summary.transactions.duplicate),
        (1, 1)
    );
    assert_eq!(summary.interactions.new, 1);
    assert_eq!(summary.leads.new, 1);
    assert_eq!(sales(s, None).len(), 1);
    assert!(s.history("C").expect("history").is_some());
}

/// An input error anywhere in an import keeps nothing of it, of any kind.
pub fn a_failed_import_keeps_nothing<S: Store>(s: &mut S) {
    let rows: Vec<Result<Record, BoxError>> = vec![
        Ok(Record::Customer(full_customer("A"))),
        Ok(Record::Interaction(Interaction::new(
            k("A"),
            d(2024, 1, 1),
            InteractionKind::Visit,
        ))),
        Ok(Record::Transaction(Transaction::new(
            k("A"),
            d(2024, 1, 1),
            m("1"),
        ))),
        Ok(Record::Lead(Lead::new(k("L"), LeadStage::Lead, m("1")))),
        Err("bad row at line 3".into()),
    ];
    let e = s
        .import(&mut rows.into_iter())
        .expect_err("a failed import");
    assert!(matches!(e, Error::Input(_)), "{e}");
    assert!(e.to_string().contains("bad row at line 3"), "{e}");
    assert!(is_empty(s));
    assert!(!s.holds_data().expect("holds_data"));
    assert!(s.history("A").expect("history").is_none());
    assert!(s.history("L").expect("history").is_none());
}

/// A new store holds no data; one import of any kind of record makes it
/// hold some, and erasing the only customer empties it again.
pub fn holds_data_after_any_import<S: Store>(s: &mut S) {
    assert!(!s.holds_data().expect("holds_data of a new store"));
    // An erased key is suppressed: each kind gets a key of its own.
    let kinds: Vec<(&str, Record)> = vec![
        ("A", Record::Customer(full_customer("A"))),
        (
            "B",
            Record::Transaction(Transaction::new(k("B"), d(2024, 1, 1), m("1"))),
        ),
        (
            "C",
            Record::Interaction(Interaction::new(
                k("C"),
                d(2024, 1, 1),
                InteractionKind::Visit,
            )),
        ),
        (
            "D",
            Record::Lead(Lead::new(k("D"), LeadStage::Lead, m("1"))),
        ),
        (
            "E",
            Record::Outcome(Outcome::new(
                k("E"),
                "win-back",
                OutcomeStatus::Done,
                d(2024, 1, 1),
            )),
        ),
    ];
    for (key, record) in kinds {
        let shown = format!("{record:?}");
        s.import(&mut ok(vec![record])).expect("an import");
        assert!(
            s.holds_data().expect("holds_data"),
            "after importing {shown}"
        );
        s.erase(key).expect("erasing");
        assert!(
            !s.holds_data().expect("holds_data"),
            "after erasing the only key, imported as {shown}"
        );
    }
}

/// The first and last dates a store keeps are kept, and reads take any
/// bound, beyond them too.
pub fn dates_at_the_edges<S: Store>(s: &mut S) {
    let first = Transaction::new(k("F"), MIN_DATE, m("1"));
    let last = Transaction::new(k("L"), MAX_DATE, m("2"));
    s.import_transactions(&mut ok(vec![first, last]))
        .expect("import");
    s.import_interactions(&mut ok(vec![
        Interaction::new(k("F"), MIN_DATE, InteractionKind::Visit),
        Interaction::new(k("L"), MAX_DATE, InteractionKind::Visit),
    ]))
    .expect("import");
    let far = d(10000, 1, 1);
    let count = |s: &S, before| {
        (
            sales(s, before).len(),
            contacts(s, before).len(),
            interactions(s, before).len(),
        )
    };
    assert_eq!(count(s, None), (2, 2, 2));
    assert_eq!(count(s, Some(far)), (2, 2, 2));
    assert_eq!(count(s, Some(d(200_000, 6, 30))), (2, 2, 2));
    assert_eq!(count(s, Some(MAX_DATE)), (1, 1, 1));
    assert_eq!(count(s, Some(d(1, 1, 1))), (1, 1, 1));
    assert_eq!(count(s, Some(MIN_DATE)), (0, 0, 0));
    assert_eq!(count(s, Some(d(-1, 12, 31))), (0, 0, 0));
    // A year that ends past the last date reads every sale up to its end.
    let year: Period = "9999".parse().expect("a year");
    let mut ledger = Ledger::new([year]);
    load_ledger(s, &mut ledger).expect("load");
    assert_eq!(ledger.stats().transactions, 2);
}

/// A record dated outside the range is refused with a clear error, and the
/// import keeps nothing.
pub fn dates_outside_are_refused<S: Store>(s: &mut S) {
    for date in [d(10000, 1, 1), d(-1, 12, 31)] {
        let rows = vec![
            Record::Transaction(Transaction::new(k("A"), d(2024, 1, 1), m("1"))),
            Record::Transaction(Transaction::new(k("A"), date, m("1"))),
        ];
        let e = s.import(&mut ok(rows)).expect_err("refused");
        assert!(
            matches!(e, Error::DateOutOfRange { date: got, .. } if got == date),
            "{e}"
        );
        assert!(e.to_string().contains("0000-01-01 to 9999-12-31"), "{e}");
        let mut c = Customer::new(k("B"), Stage::Customer);
        c.acquired = Some(date);
        let e = s.import_customers(&mut ok(vec![c])).expect_err("refused");
        assert!(matches!(e, Error::DateOutOfRange { .. }), "{e}");
        let e = s
            .import_interactions(&mut ok(vec![Interaction::new(
                k("B"),
                date,
                InteractionKind::Call,
            )]))
            .expect_err("refused");
        assert!(matches!(e, Error::DateOutOfRange { .. }), "{e}");
        let mut l = Lead::new(k("B"), LeadStage::Won, m("1"));
        l.entered.insert(LeadStage::Won, date);
        let e = s.import_leads(&mut ok(vec![l])).expect_err("refused");
        assert!(matches!(e, Error::DateOutOfRange { .. }), "{e}");
        assert!(is_empty(s));
    }
}

/// An erasure removes every row of the key; importing its rows again (an
/// old export) adds nothing and counts them as suppressed; other keys are
/// untouched.
pub fn erasure_and_suppression<S: Store>(s: &mut S) {
    let secret = "ERASE-ME-7f3a9";
    let mut c = full_customer(secret);
    c.name = Some(format!("{secret} name"));
    let t = |key: &str, id: &str| Transaction::new(k(key), d(2024, 1, 1), m("5")).with_id(id);
    let mut i = Interaction::new(k(secret), d(2024, 1, 2), InteractionKind::Complaint);
    i.note = Some(format!("{secret} complained"));
    let export = vec![
        Record::Customer(c),
        Record::Customer(full_customer("KEEP")),
        Record::Transaction(t(secret, "S-T1")),
        Record::Transaction(t("KEEP", "K-T1")),
        Record::Interaction(i),
        Record::Lead(Lead::new(k(secret), LeadStage::Quote, m("1"))),
    ];
    s.import(&mut ok(export.clone())).expect("import");

    let erased = s.erase(secret).expect("erase");
    assert!(!erased.before);
    assert!(erased.total() >= 4, "{erased:?}");
    assert!(s.history(secret).expect("history").is_none());
    assert!(s.history("KEEP").expect("history").is_some());
    assert_eq!(customers(s).len(), 1);
    assert_eq!(sales(s, None).len(), 1);
    assert!(contacts(s, None).is_empty());

    let again = s.erase(secret).expect("erase again");
    assert_eq!(again.total(), 0);
    assert!(again.before);

    let summary = s.import(&mut ok(export)).expect("import again");
    assert_eq!(summary.customers.suppressed, 1);
    assert_eq!(summary.transactions.suppressed, 1);
    assert_eq!(summary.interactions.suppressed, 1);
    assert_eq!(summary.leads.suppressed, 1);
    assert_eq!(summary.customers.duplicate, 1);
    assert_eq!(summary.transactions.duplicate, 1);
    assert!(s.history(secret).expect("history").is_none());
    assert_eq!(sales(s, None).len(), 1);
}

/// Erasing a key the store does not know erases nothing and suppresses
/// nothing.
pub fn erasing_an_unknown_key<S: Store>(s: &mut S) {
    let erased = s.erase("NOBODY").expect("erase");
    assert_eq!(erased.total(), 0, "an unknown key erases no rows");
    assert!(!erased.before, "an unknown key was not erased before");
    let r = s
        .import_transactions(&mut ok(vec![Transaction::new(
            k("NOBODY"),
            d(2024, 1, 1),
            m("1"),
        )]))
        .expect("import");
    assert_eq!(
        (r.new, r.suppressed),
        (1, 0),
        "an unknown key must not be suppressed by erasing it: (new, suppressed)"
    );
}

/// [`Store::erased_count`], when the store keeps one, counts each erased
/// customer once: an unknown key and a second erasure of the same key add
/// nothing. A store that keeps no count says `None` throughout.
pub fn erased_count_follows_erasures<S: Store>(s: &mut S) {
    let before = s.erased_count().expect("erased_count");
    s.import_transactions(&mut ok(vec![
        Transaction::new(k("E1"), d(2024, 1, 1), m("1")),
        Transaction::new(k("E2"), d(2024, 1, 2), m("2")),
    ]))
    .expect("import");
    s.erase("E1").expect("erase");
    s.erase("NOBODY").expect("erase");
    s.erase("E1").expect("erase");
    let after = s.erased_count().expect("erased_count");
    match before {
        None => assert_eq!(after, None, "a store that keeps no count keeps none"),
        Some(n) => assert_eq!(
            after,
            Some(n + 1),
            "one customer erased, counted once (an unknown key and a second erasure add nothing)"
        ),
    }
}

/// Reads in [`Store::read_snapshot`] see what reads outside see (no
/// import runs meanwhile here); the body's error comes back as it is, and
/// the store reads as before after it.
pub fn reads_in_a_snapshot<S: Store>(s: &mut S) {
    s.import_customers(&mut ok(vec![full_customer("C")]))
        .expect("import");
    s.import_transactions(&mut ok(vec![
        Transaction::new(k("A"), d(2024, 3, 1), m("10")),
        Transaction::new(k("C"), d(2025, 3, 1), m("99")),
    ]))
    .expect("import");
    let count = |s: &S| -> crate::Result<(usize, usize)> {
        let mut sales = 0;
        s.sales(None, &mut |b| sales += b.len())?;
        let mut customers = 0;
        s.customers(&mut |_| customers += 1)?;
        Ok((sales, customers))
    };
    let outside = count(s).expect("read");
    assert_eq!(outside, (2, 1));
    let mut inside = (0, 0);
    s.read_snapshot(&mut || {
        inside = count(s)?;
        Ok(())
    })
    .expect("a snapshot");
    assert_eq!(inside, outside);
    let refused = s.read_snapshot(&mut || {
        count(s)?;
        Err(Error::Input("stop here".into()))
    });
    assert!(
        matches!(&refused, Err(Error::Input(why)) if why.to_string() == "stop here"),
        "{refused:?}"
    );
    assert_eq!(count(s).expect("read after"), outside);
}

/// [`load_ledger`] feeds the register, the contacts and the sales up to the
/// end of the ledger's periods.
pub fn the_ledger_reads_through_the_store<S: Store>(s: &mut S) {
    s.import_customers(&mut ok(vec![
        Customer::new(k("P"), Stage::Prospect),
        full_customer("C"),
    ]))
    .expect("import");
    s.import_transactions(&mut ok(vec![
        Transaction::new(k("A"), d(2024, 3, 1), m("10")),
        Transaction::new(k("A"), d(2025, 3, 1), m("99")),
    ]))
    .expect("import");
    s.import_interactions(&mut ok(vec![Interaction::new(
        k("B"),
        d(2024, 5, 5),
        InteractionKind::Call,
    )]))
    .expect("import");
    let year: Period = "2024".parse().expect("a year");
    let mut l = Ledger::new([year]);
    load_ledger(s, &mut l).expect("load");
    assert_eq!(l.len(), 4);
    let id = |key: &str| l.id(key).expect("a known key");
    // The register's acquisition date reaches the ledger (it places a
    // register customer without history in the pyramid).
    assert_eq!(
        l.totals(id("C")).expect("the ledger's own id").acquired(),
        Some(d(2020, 2, 29))
    );
    assert_eq!(
        l.totals(id("P")).expect("the ledger's own id").acquired(),
        None
    );
    // The 2025 sale lies after the ledger's periods: not read.
    assert_eq!(l.stats().transactions, 1);
    assert_eq!(
        l.totals(id("P"))
            .expect("the ledger's own id")
            .register_stage(),
        Some(Stage::Prospect)
    );
    assert!(
        l.totals(id("A"))
            .expect("the ledger's own id")
            .register_stage()
            .is_none()
    );
}

fn leads<S: Store>(s: &S) -> Vec<Lead> {
    let mut out = Vec::new();
    s.leads(&mut |l| out.push(l)).expect("leads");
    out.sort_by(|a, b| (&a.id, &a.customer).cmp(&(&b.id, &b.customer)));
    out
}

/// Leads are one per id: importing the same rows again adds nothing, a
/// stage change of a stored lead updates it; every field reads back; leads
/// without an id are told apart by their whole content.
pub fn leads_are_one_per_id<S: Store>(s: &mut S) {
    let row = |stage: LeadStage, date: NaiveDate, value: &str| {
        let mut l = Lead::new(k("P1"), stage, m(value))
            .with_id("L-1")
            .entered_on(stage, date);
        l.owner = Some("ann".into());
        l.source = Some("fair, autumn".into());
        l
    };
    let first = vec![row(LeadStage::Lead, d(2025, 1, 6), "1000")];
    let r = s.import_leads(&mut ok(first.clone())).expect("import");
    assert_eq!((r.new, r.duplicate), (1, 0), "a new id is a new lead");
    let r = s.import_leads(&mut ok(first.clone())).expect("import");
    assert_eq!(
        (r.new, r.duplicate),
        (0, 1),
        "the same row again is the same lead"
    );
    let mut lost = row(LeadStage::Lost, d(2025, 3, 1), "900");
    lost.lost_reason = Some("price".into());
    let r = s.import_leads(&mut ok(vec![lost])).expect("import");
    assert_eq!(
        (r.new, r.duplicate),
        (0, 1),
        "a stage change updates the lead"
    );
    let stored = leads(s);
    assert_eq!(stored.len(), 1, "one lead, not two: {stored:?}");
    let l = &stored[0];
    assert_eq!((l.stage, l.value), (LeadStage::Lost, m("900")));
    assert_eq!(l.entered.len(), 2, "both stage dates are kept");
    assert_eq!(
        (
            l.owner.as_deref(),
            l.source.as_deref(),
            l.lost_reason.as_deref()
        ),
        (Some("ann"), Some("fair, autumn"), Some("price"))
    );
    assert_eq!(
        s.history("P1").expect("history").expect("a history").leads,
        stored
    );
    // Without an id: identical rows are one lead, a changed one is another.
    let old = Lead::new(k("P2"), LeadStage::Quote, m("5"));
    let mut other = old.clone();
    other.owner = Some("bob".into());
    let r = s
        .import_leads(&mut ok(vec![old.clone(), old, other]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (2, 1));
    assert_eq!(leads(s).len(), 3);
    // The content is compared as written: a value of another scale
    // (12.5 against 12.50) is another lead, in every store, and reads
    // back with its own scale.
    let scale = |v: &str| Lead::new(k("P3"), LeadStage::Quote, m(v));
    let r = s
        .import_leads(&mut ok(vec![scale("12.5"), scale("12.50"), scale("12.50")]))
        .expect("import");
    assert_eq!((r.new, r.duplicate), (2, 1));
    let mut values: Vec<String> = leads(s)
        .iter()
        .filter(|l| l.customer.as_str() == "P3")
        .map(|l| l.value.to_string())
        .collect();
    values.sort();
    assert_eq!(values, ["12.5", "12.50"]);
}

/// Every outcome as (customer, rule, status, date, owner, id), sorted.
type OutcomeRow = (
    String,
    String,
    &'static str,
    NaiveDate,
    Option<String>,
    Option<String>,
);

fn outcomes<S: Store>(s: &S, before: Option<NaiveDate>) -> Vec<OutcomeRow> {
    let mut out = Vec::new();
    s.outcomes(before, &mut |o| {
        out.push((
            o.customer.as_str().to_string(),
            o.rule,
            o.status.as_str(),
            o.date,
            o.owner,
            o.id.map(|u| u.to_string()),
        ));
    })
    .expect("outcomes");
    out.sort();
    out
}

/// Outcomes round-trip every field; one with an action id is kept once
/// per (id, status, date), identical ones without an id once; reads by
/// date, the history and erasure include them.
fn outcomes_are_kept_once<S: Store>(s: &mut S) {
    let id = "6f1c2e0a-8b53-5d7e-9a41-2c3d4e5f6071";
    let mut with_id = Outcome::new(k("A"), "win-back", OutcomeStatus::Declined, d(2025, 3, 1));
    with_id.id = Some(id.parse().expect("a uuid"));
    with_id.owner = Some("account-manager".into());
    let plain = Outcome::new(k("A"), "reactivate", OutcomeStatus::Done, d(2024, 5, 1));
    let other = Outcome::new(k("B"), "reactivate", OutcomeStatus::NoAnswer, d(2025, 1, 2));
    let rows = vec![
        Record::Outcome(with_id.clone()),
        Record::Outcome(plain.clone()),
        Record::Outcome(other.clone()),
        // Duplicates of both kinds.
        Record::Outcome(with_id.clone()),
        Record::Outcome(plain.clone()),
    ];
    let summary = s.import(&mut ok(rows)).expect("import outcomes");
    assert_eq!(
        (summary.outcomes.new, summary.outcomes.duplicate),
        (3, 2),
        "outcomes: three new, two duplicates"
    );
    let all = outcomes(s, None);
    assert_eq!(all.len(), 3, "three outcomes kept: {all:?}");
    assert_eq!(
        all[1],
        (
            "A".into(),
            "win-back".into(),
            "declined",
            d(2025, 3, 1),
            Some("account-manager".into()),
            Some(id.into())
        ),
        "every field of an outcome round-trips"
    );
    assert_eq!(
        outcomes(s, Some(d(2025, 1, 2))).len(),
        1,
        "`before` excludes its own date"
    );
    let h = s.history("A").expect("history").expect("A is known");
    assert_eq!(h.outcomes.len(), 2, "the history holds A's outcomes");
    assert_eq!(h.outcomes[0], plain, "by date");
    let erased = s.erase("A").expect("erase");
    assert_eq!(erased.rows.get("outcomes"), Some(&2), "both erased");
    assert_eq!(outcomes(s, None).len(), 1, "only B's outcome is left");
    let again = s
        .import(&mut ok(vec![Record::Outcome(plain)]))
        .expect("import again");
    assert_eq!(
        again.outcomes.suppressed, 1,
        "an erased customer's outcome is refused"
    );
    let late = Outcome::new(
        k("B"),
        "r",
        OutcomeStatus::Done,
        d(2025, 1, 1) + crm_core::Days::new(3_000_000),
    );
    assert!(
        matches!(
            s.import(&mut ok(vec![Record::Outcome(late)])),
            Err(Error::DateOutOfRange { .. })
        ),
        "an outcome after {MAX_DATE} is refused"
    );
}

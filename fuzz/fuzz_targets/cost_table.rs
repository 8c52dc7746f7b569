//! Any text as a cost table (TOML or JSON, as `crm value profit --costs`
//! reads it): a table or an error; a table that parses is applied to a
//! small ledger without a panic.
#![no_main]

use crm::pyramid::Cuts;
use crm::value::{CostTable, profitability};
use crm::{Decimal, Interaction, InteractionKind, Ledger, Money, NaiveDate, Period, Transaction};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tables = [
        toml::from_str::<CostTable>(text).ok(),
        serde_json::from_str::<CostTable>(text).ok(),
    ];
    let year: Period = "2024".parse().expect("a period");
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).expect("a date");
    let mut ledger = Ledger::new([year]);
    let mut interactions = Vec::new();
    for i in 0..4u32 {
        let key: crm::CustomerKey = format!("C{i}").parse().expect("a key");
        let t = Transaction::new(
            key.clone(),
            day(i + 1),
            Money::new(Decimal::from(10 * i + 1)),
        );
        let _ = ledger.add_transaction(&t);
        let mut it = Interaction::new(key, day(i + 2), InteractionKind::Visit);
        it.cost = Some(Money::new(Decimal::from(i)));
        let _ = ledger.add_interaction(&it);
        interactions.push(it);
    }
    for costs in tables.into_iter().flatten() {
        let cuts = Cuts::customer_percent(&[Decimal::from(1), Decimal::from(5), Decimal::from(20)])
            .expect("the default cuts");
        let _ = profitability(&ledger, &year, &costs, interactions.clone(), &cuts);
    }
});

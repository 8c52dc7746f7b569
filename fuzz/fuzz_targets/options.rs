//! Any text as the values of the command line's `--period`, `--periods`,
//! `--columns` and `--cuts` (the library calls the CLI makes for them):
//! a value or an error, never a panic; cuts that parse build a pyramid.
#![no_main]

use crm::pyramid::{Cuts, PyramidOptions, pyramid};
use crm::{Decimal, Ledger, Money, NaiveDate, Period, Transaction};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = text
        .parse::<Period>()
        .map(|p| (p.to_string(), p.previous_calendar()));
    let _ = crm::migration::parse_periods(text);
    let _ = crm::csv::ImportOptions::new().columns_from_str(text);
    let numbers: Result<Vec<Decimal>, _> = text
        .split(',')
        .map(|p| p.trim().parse::<Decimal>())
        .collect();
    if let Ok(numbers) = numbers {
        let year: Period = "2024".parse().expect("a period");
        let mut ledger = Ledger::new([year]);
        for (i, v) in [5, 120, 3, 40, 7, 900].iter().enumerate() {
            let day = NaiveDate::from_ymd_opt(2024, 1, 1 + i as u32).expect("a date");
            let t = Transaction::new(
                format!("C{i}").parse().expect("a key"),
                day,
                Money::new(Decimal::from(*v)),
            );
            let _ = ledger.add_transaction(&t);
        }
        for cuts in [
            Cuts::customer_percent(&numbers),
            Cuts::value_percent(&numbers),
            Ok(Cuts::Bands(
                numbers.iter().copied().map(Money::new).collect(),
            )),
        ]
        .into_iter()
        .flatten()
        {
            let _ = pyramid(&ledger, &year, &PyramidOptions::new().cuts(cuts));
        }
    }
});

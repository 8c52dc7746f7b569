//! The generated data shows what the method claims: contact and complaint
//! handling change churn. (Before, churn was an exponential lifetime that
//! nothing influenced: contacted and uncontacted customers, heard and
//! unheard complainers, all stayed at the same rate.)

use std::collections::{BTreeMap, BTreeSet};

use crm_core::{Datelike, InteractionKind};
use crm_synth::{SynthConfig, generate};

#[derive(Default)]
struct Group {
    customers: u32,
    kept: u32,
}

impl Group {
    fn add(&mut self, kept: bool) {
        self.customers += 1;
        self.kept += u32::from(kept);
    }

    fn retention(&self) -> f64 {
        f64::from(self.kept) / f64::from(self.customers.max(1))
    }
}

/// Of the customers active (positive revenue) in a year, the share active
/// the next year, per group.
fn retention(config: &SynthConfig) -> BTreeMap<&'static str, Group> {
    let data = generate(config).unwrap();
    let keys = data.customer_keys();
    let mut revenue: BTreeMap<(&str, i32), i64> = BTreeMap::new();
    for t in &data.transactions {
        *revenue
            .entry((keys[t.customer as usize].as_str(), t.date.year()))
            .or_default() += t.revenue_cents;
    }
    let mut kinds: BTreeMap<(&str, i32), BTreeSet<InteractionKind>> = BTreeMap::new();
    for i in &data.interactions {
        kinds
            .entry((i.key.as_str(), i.date.year()))
            .or_default()
            .insert(i.kind);
    }
    let mut groups: BTreeMap<&'static str, Group> = BTreeMap::new();
    let last = config.last_year;
    for (&(key, year), &cents) in &revenue {
        if cents <= 0 || year >= last {
            continue;
        }
        let kept = revenue.get(&(key, year + 1)).is_some_and(|&c| c > 0);
        let k = kinds.get(&(key, year)).cloned().unwrap_or_default();
        let contacted = k.iter().any(|k| {
            !matches!(
                k,
                InteractionKind::Complaint | InteractionKind::ComplaintResolved
            )
        });
        let contact = if contacted {
            "contacted"
        } else {
            "not contacted"
        };
        groups.entry(contact).or_default().add(kept);
        let complaint = match (
            k.contains(&InteractionKind::Complaint),
            k.contains(&InteractionKind::ComplaintResolved),
        ) {
            (false, _) => "no complaint",
            (true, true) => "heard",
            (true, false) => "unheard",
        };
        groups.entry(complaint).or_default().add(kept);
    }
    groups
}

#[test]
fn contact_and_complaint_handling_change_retention() {
    let g = retention(&SynthConfig::new(20_000).years(5).seed(7));
    let r = |k: &str| g[k].retention();
    // Customers without contact drift away.
    assert!(
        r("contacted") > r("not contacted") + 0.10,
        "contacted {:.3}, not contacted {:.3}",
        r("contacted"),
        r("not contacted")
    );
    // Heard complainers mostly stay, at least as well as the rest.
    assert!(r("heard") > 0.8, "heard {:.3}", r("heard"));
    assert!(r("heard") >= r("no complaint"), "heard {:.3}", r("heard"));
    // Unheard ones leave.
    assert!(r("unheard") < 0.5, "unheard {:.3}", r("unheard"));
    assert!(g["unheard"].customers > 100 && g["heard"].customers > 300);
}

#[test]
fn the_shipped_configuration_shows_the_effects_too() {
    // `crm generate --customers 2000 --years 5 --seed 42`, the example data.
    let g = retention(&SynthConfig::new(2_000).years(5).seed(42));
    let r = |k: &str| g[k].retention();
    assert!(r("contacted") > r("not contacted") + 0.10);
    assert!(r("heard") > r("unheard") + 0.3);
}

#[test]
fn every_customer_buys_on_its_acquisition_day() {
    // The register's acquisition date is the first purchase, so no
    // generated customer is a "register says customer, no purchase" gap.
    let data = generate(&SynthConfig::new(3_000).years(3).seed(5)).unwrap();
    let mut first: BTreeMap<u32, crm_core::NaiveDate> = BTreeMap::new();
    for t in &data.transactions {
        first.entry(t.customer).or_insert(t.date);
    }
    let customers: Vec<_> = data
        .parties
        .iter()
        .filter(|p| p.stage == crm_core::Stage::Customer)
        .collect();
    assert_eq!(first.len(), customers.len());
    for (i, p) in customers.iter().enumerate() {
        assert_eq!(Some(&first[&(i as u32)]), p.acquired.as_ref(), "{}", p.key);
    }
}

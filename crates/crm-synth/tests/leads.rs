//! The generated leads show what the funnel is for: sources differ in win
//! rate and in the customers they bring.

use std::collections::BTreeMap;

use crm_core::{LeadStage, Stage};
use crm_synth::{SynthConfig, generate, generate_leads};

#[test]
fn sources_differ_in_win_rate_and_in_the_customers_they_bring() {
    let config = SynthConfig::new(3000).years(5).seed(11);
    let data = generate(&config).unwrap();
    let leads = generate_leads(&config, &data).unwrap();
    assert_eq!(
        leads,
        generate_leads(&config, &data).unwrap(),
        "deterministic"
    );
    // (won, closed) per source.
    let mut rate: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for l in &leads {
        let end = l.stages.last().map(|(s, _)| *s);
        let e = rate.entry(l.source).or_default();
        e.0 += u32::from(end == Some(LeadStage::Won));
        e.1 += u32::from(matches!(end, Some(LeadStage::Won | LeadStage::Lost)));
        // Stages are in order, dates never go back, ids are unique below.
        assert!(
            l.stages
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
            "{l:?}"
        );
        assert_eq!(
            l.lost_reason.is_some(),
            end == Some(LeadStage::Lost),
            "{l:?}"
        );
    }
    let win = |s: &str| {
        let (w, c) = rate[s];
        f64::from(w) / f64::from(c.max(1))
    };
    assert!(
        win("referral") > win("fair") && win("fair") > win("call"),
        "{rate:?}"
    );
    let mut ids: Vec<String> = leads.iter().map(|l| l.id()).collect();
    ids.dedup();
    assert_eq!(ids.len(), leads.len());

    // First-year revenue of the customers won per source.
    let keys: Vec<&str> = data
        .parties
        .iter()
        .filter(|p| p.stage == Stage::Customer)
        .map(|p| p.key.as_str())
        .collect();
    let mut spend: BTreeMap<&str, i64> = BTreeMap::new();
    for t in &data.transactions {
        *spend.entry(keys[t.customer as usize]).or_default() += t.revenue_cents;
    }
    let mut by_source: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for l in leads
        .iter()
        .filter(|l| l.stages.last().is_some_and(|(s, _)| *s == LeadStage::Won))
    {
        by_source
            .entry(l.source)
            .or_default()
            .push(spend[l.key.as_str()]);
    }
    let median = |s: &str| {
        let mut v = by_source[s].clone();
        v.sort_unstable();
        v[v.len() / 2]
    };
    assert!(median("referral") > 2 * median("web"), "{by_source:?}");
}

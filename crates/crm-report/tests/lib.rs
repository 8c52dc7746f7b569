//! Integration tests of crm-report: each section present exactly when its
//! data is, the page well-formed and the same bytes for the same data, in
//! both languages; property tests over random ledgers.

use std::collections::HashMap;

use crm_core::{
    CustomerKey, Interaction, InteractionKind, Lead, LeadStage, Ledger, Money, NaiveDate, Period,
};
use crm_ops::ScorecardPlan;
use crm_ops::{CampaignMeasure, CampaignOptions};
use crm_report::{Availability, Inputs, Lang, Report, ReportOptions, Section};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn m(s: &str) -> Money {
    Money::new(s.parse().unwrap())
}

const VOID: [&str; 6] = ["meta", "br", "img", "input", "link", "hr"];

/// Checks that `html` is well-formed: a doctype, then balanced tags (void
/// elements excepted, the content of `style` and `script` taken as raw
/// text), quoted attributes, known entities. Returns the start tags with
/// their attributes.
fn check_html(html: &str) -> Vec<String> {
    let rest = html
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("a doctype first");
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut rest = rest;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        for (k, _) in text.match_indices('&') {
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| text[k..].starts_with(e)),
                "bad entity near {:?}",
                &text[k..text.len().min(k + 20)]
            );
        }
        let j = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..j];
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        rest = &rest[j + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            continue;
        }
        let name = tag
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_ascii_lowercase();
        tags.push(tag.to_string());
        if VOID.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        if name == "style" || name == "script" {
            let close = format!("</{name}>");
            let k = rest.find(&close).expect("raw text element closed");
            assert!(!rest[..k].contains("</"), "no end tag inside {name}");
            rest = &rest[k + close.len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    tags
}

/// Two customers buying in 2023-2025, with margins when `margin`.
fn ledger(options: &ReportOptions, margin: bool) -> Ledger {
    let mut l = Ledger::with_options(options.tracked_periods().unwrap(), options.ledger_options());
    let mg = |v: &str| margin.then(|| m(v));
    for (k, date, v, g) in [
        ("A", d(2023, 2, 1), "500", "100"),
        ("A", d(2024, 3, 1), "900", "200"),
        ("A", d(2024, 9, 1), "100", "30"),
        ("A", d(2025, 3, 1), "1000", "250"),
        ("A", d(2025, 6, 1), "400", "80"),
        ("B", d(2024, 5, 1), "50", "10"),
        ("B", d(2025, 2, 1), "80", "-20"),
        ("C", d(2025, 8, 1), "20", "5"),
        ("C", d(2025, 9, 1), "30", "6"),
        ("D", d(2024, 1, 5), "70", "14"),
        ("D", d(2024, 7, 5), "60", "12"),
    ] {
        l.record_sale(k, date, m(v), mg(g)).unwrap();
    }
    // Forty more with 1 to 6 purchase days between 2023 and 2025, so that
    // the lifetime-value model has repeat purchases to learn from.
    for c in 0..40u32 {
        let first = d(2023, 1 + c % 12, 1 + c % 28);
        for k in 0..(1 + c % 6) {
            let date = first + crm_core::Days::new(u64::from(k * (30 + 7 * (c % 9))));
            let v = m(&format!("{}", 20 + 13 * c + 5 * k));
            l.record_sale(&format!("R{c:02}"), date, v, mg("3"))
                .unwrap();
        }
    }
    l.record_interaction("P", d(2025, 4, 1)).unwrap();
    l
}

fn year(y: i32) -> Period {
    Period::year(y).unwrap()
}

fn present(r: &Report) -> Vec<Section> {
    Section::ALL
        .into_iter()
        .filter(|s| r.availability(*s) == Availability::Present)
        .collect()
}

#[test]
fn sections_follow_the_data() {
    // The minimum: one period, no margins, no register, no series.
    let mut o = ReportOptions::new(year(2025));
    o.previous = None;
    let r = Report::build(&ledger(&o, false), &o, Inputs::default()).unwrap();
    assert_eq!(
        present(&r),
        [
            Section::Pyramid,
            Section::Rfm,
            Section::Lifetime,
            Section::Actions,
            Section::Scorecard
        ]
    );
    assert_eq!(r.availability(Section::Holdout), Availability::Missing);

    // Everything: the previous year, margins, potentials, a series, a
    // calibration end.
    let mut o = ReportOptions::new(year(2025));
    o.series = vec![year(2023), year(2024), year(2025)];
    o.calibration_end = Some(d(2025, 4, 30));
    let mut inputs = Inputs::default();
    inputs.potentials = Some(HashMap::from([
        ("A".to_string(), m("5000")),
        ("C".to_string(), m("1000")),
    ]));
    // No leads in the list: no funnel.
    inputs.leads = Some(Vec::new());
    let r = Report::build(&ledger(&o, true), &o, inputs).unwrap();
    let mut want = Section::ALL[..11].to_vec();
    want.push(Section::Scorecard);
    assert_eq!(present(&r), want, "all but the operations");
    for s in [Section::Funnel, Section::Complaints, Section::Campaign] {
        assert_eq!(r.availability(s), Availability::Missing);
    }
    assert_eq!(r.previous, Some(year(2024)));
    let l = ledger(&o, true);
    let pi = l.period_index(&year(2025)).unwrap();
    let active = l
        .ids()
        .filter(|id| {
            l.period_totals(*id, pi)
                .unwrap()
                .value(crm_core::Basis::Revenue)
                .is_positive()
        })
        .count();
    assert_eq!(r.pyramid.active, active as u64);
    assert_eq!(r.projection.as_ref().unwrap().projected.len(), 3);
}

/// Leads created in 2025: one won, one lost, one open in quote.
fn leads() -> Vec<Lead> {
    let lead = |id: &str, key: &str, stages: &[(LeadStage, NaiveDate)]| {
        let last = stages[stages.len() - 1].0;
        let mut l = Lead::new(CustomerKey::new(key).unwrap(), last, m("1000")).with_id(id);
        for (s, day) in stages {
            l = l.entered_on(*s, *day);
        }
        l
    };
    vec![
        lead(
            "L1",
            "C",
            &[
                (LeadStage::Lead, d(2025, 1, 6)),
                (LeadStage::Won, d(2025, 2, 1)),
            ],
        ),
        lead(
            "L2",
            "P",
            &[
                (LeadStage::Lead, d(2025, 2, 6)),
                (LeadStage::Lost, d(2025, 3, 1)),
            ],
        ),
        lead(
            "L3",
            "Q",
            &[
                (LeadStage::Lead, d(2025, 3, 6)),
                (LeadStage::Quote, d(2025, 4, 1)),
            ],
        ),
    ]
}

/// Complaints: A's in 2024 resolved, D's in 2024 left open (D lapses in
/// 2025), A's in 2025 resolved in five days.
fn complain(l: &mut Ledger) {
    for (k, date, kind) in [
        ("A", d(2024, 4, 1), InteractionKind::Complaint),
        ("A", d(2024, 4, 8), InteractionKind::ComplaintResolved),
        ("D", d(2024, 8, 1), InteractionKind::Complaint),
        ("A", d(2025, 4, 1), InteractionKind::Complaint),
        ("A", d(2025, 4, 6), InteractionKind::ComplaintResolved),
    ] {
        l.record_contact(k, date, kind).unwrap();
    }
}

/// The spring campaign sent to A and C, with B and D held out.
fn spring() -> CampaignMeasure {
    let mut c = CampaignMeasure::new("spring", CampaignOptions::new());
    for key in ["A", "C"] {
        let send = Interaction::new(
            CustomerKey::new(key).unwrap(),
            d(2025, 2, 20),
            InteractionKind::CampaignSent,
        )
        .with_campaign("spring");
        c.add_interaction(&send).unwrap();
    }
    c.set_control(["B", "D"]);
    c.add_sale("A", d(2025, 3, 1), m("1000")).unwrap();
    c.add_sale("B", d(2025, 2, 1), m("80")).unwrap();
    c
}

fn operational(plan: bool) -> Report {
    let o = ReportOptions::new(year(2025));
    let mut l = ledger(&o, true);
    complain(&mut l);
    let mut inputs = Inputs::default();
    inputs.leads = Some(leads());
    inputs.campaign = Some(spring());
    if plan {
        inputs.plan = Some(
            ScorecardPlan::parse(
                "[targets]\nretention-rate = 0.9\ntop20-revenue-share = 0.5\n",
                "plan.toml",
            )
            .unwrap(),
        );
    }
    Report::build(&l, &o, inputs).unwrap()
}

#[test]
fn the_operational_sections_follow_their_inputs() {
    let r = operational(true);
    for s in [
        Section::Funnel,
        Section::Complaints,
        Section::Campaign,
        Section::Scorecard,
    ] {
        assert_eq!(r.availability(s), Availability::Present, "{s:?}");
    }
    let f = r.funnel.as_ref().unwrap();
    assert_eq!((f.total.created, f.total.won, f.total.lost), (3, 1, 1));
    let c = r.complaints.as_ref().unwrap();
    // D's complaint of 2024 is still open.
    assert_eq!((c.received, c.within_sla, c.open_at_end), (1, 1, 1));
    let before = r.complaint_retention.as_ref().unwrap();
    assert_eq!(before.received, 2);
    assert_eq!(before.retention.len(), 3);
    let campaign = r.campaign.as_ref().unwrap();
    assert_eq!(
        (campaign.treated.customers, campaign.control.customers),
        (2, 2)
    );
    assert!(r.with_plan);
    let card = &r.scorecard;
    let target = |n: crm_ops::FigureName| card.figure(n).unwrap().target;
    assert_eq!(
        target(crm_ops::FigureName::RetentionRate),
        Some("0.9".parse().unwrap())
    );
    // The campaign's response feeds the scorecard; the complaints of 2024
    // feed the complainer retention.
    use crm_ops::FigureName;
    assert!(
        card.figure(FigureName::CampaignResponse)
            .unwrap()
            .value
            .is_some()
    );
    assert!(
        card.figure(FigureName::HeardComplainerRetention)
            .unwrap()
            .value
            .is_some()
    );

    // Without the complaints, the leads and the campaign: only the
    // scorecard, and it says what is missing.
    let o = ReportOptions::new(year(2025));
    let r = Report::build(&ledger(&o, true), &o, Inputs::default()).unwrap();
    for s in [Section::Funnel, Section::Complaints, Section::Campaign] {
        assert_eq!(r.availability(s), Availability::Missing, "{s:?}");
    }
    assert_eq!(r.availability(Section::Scorecard), Availability::Present);
    assert!(!r.with_plan);
    assert!(
        card.figures.len() == r.scorecard.figures.len()
            && r.scorecard
                .figure(FigureName::CampaignResponse)
                .unwrap()
                .missing
                .is_some()
    );
}

#[test]
fn complaints_outside_the_two_periods_add_no_section() {
    let o = ReportOptions::new(year(2025));
    let mut l = ledger(&o, false);
    // A complaint of 2023 resolved in 2023, and another interaction.
    l.record_contact("A", d(2023, 3, 1), InteractionKind::Complaint)
        .unwrap();
    l.record_contact("A", d(2023, 3, 9), InteractionKind::ComplaintResolved)
        .unwrap();
    let r = Report::build(&l, &o, Inputs::default()).unwrap();
    assert_eq!(r.availability(Section::Complaints), Availability::Missing);
    // One still open from 2023 is there at the end of 2025.
    l.record_contact("C", d(2023, 5, 1), InteractionKind::Complaint)
        .unwrap();
    let r = Report::build(&l, &o, Inputs::default()).unwrap();
    assert_eq!(r.availability(Section::Complaints), Availability::Present);
    assert_eq!(r.complaints.as_ref().unwrap().open_at_end, 1);
    // A complaint received in 2024 and resolved in 2025 is enough.
    let mut l = ledger(&o, false);
    l.record_contact("B", d(2024, 12, 20), InteractionKind::Complaint)
        .unwrap();
    l.record_contact("B", d(2025, 1, 5), InteractionKind::ComplaintResolved)
        .unwrap();
    let r = Report::build(&l, &o, Inputs::default()).unwrap();
    assert_eq!(r.availability(Section::Complaints), Availability::Present);
}

#[test]
fn every_operational_section_draws_its_chart_in_both_languages() {
    for plan in [false, true] {
        let r = operational(plan);
        for lang in Lang::ALL {
            let page = r.to_html(lang);
            check_html(&page);
            for id in [
                "chart-funnel",
                "chart-complaints",
                "chart-complaint-retention",
                "chart-campaign",
                "chart-scorecard",
            ] {
                let start = page
                    .find(&format!("id=\"{id}\""))
                    .unwrap_or_else(|| panic!("{id} in {lang:?}"));
                let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
                assert!(svg.contains("<rect"), "{id} has bars");
            }
            let note = lang.texts().ops.plan_missing;
            assert_eq!(page.contains(crate_escape(note).as_str()), !plan);
        }
    }
    let nl = operational(true).to_html(Lang::Nl);
    for word in [
        "Van lead tot order",
        "Klachten",
        "Campagne tegen de controlegroep",
        "Ontvangen",
        "Gewonnen",
        "doel",
    ] {
        assert!(nl.contains(word), "nl: {word}");
    }
}

fn crate_escape(s: &str) -> String {
    crm_chart::escape(s)
}

#[test]
fn a_previous_period_outside_the_data_leaves_out_the_migration() {
    // No transaction before 2023's end: comparing 2024 with 2023 would be
    // comparing with nothing.
    let o = ReportOptions::new(year(2023));
    let mut l = Ledger::with_options(o.tracked_periods().unwrap(), o.ledger_options());
    l.record_sale("A", d(2023, 5, 1), m("10"), None).unwrap();
    let r = Report::build(&l, &o, Inputs::default()).unwrap();
    assert_eq!(r.previous, None);
    assert_eq!(r.availability(Section::Migration), Availability::Missing);
    assert_eq!(r.availability(Section::Bridge), Availability::Missing);
    // One purchase each: the model has nothing to learn from, and says so.
    assert!(matches!(
        r.availability(Section::Lifetime),
        Availability::Failed(_)
    ));
    let page = r.to_html(Lang::En);
    check_html(&page);
    assert!(page.contains(
        "The lifetime-value model could not be fitted: no customer has a repeat purchase"
    ));
}

#[test]
fn a_ledger_without_the_periods_is_an_error() {
    let o = ReportOptions::new(year(2025));
    let l = Ledger::new([year(2025)]);
    assert!(Report::build(&l, &o, Inputs::default()).is_err());
}

#[test]
fn a_ledger_without_purchase_days_is_named_as_the_problem() {
    let o = ReportOptions::new(year(2025));
    let l = Ledger::new(o.tracked_periods().unwrap());
    let e = Report::build(&l, &o, Inputs::default()).unwrap_err();
    assert_eq!(e, crm_report::Error::NoPurchaseDays);
    let text = e.to_string();
    assert!(
        text.starts_with("the ledger keeps no purchase days"),
        "{text}"
    );
    assert!(!text.contains("invalid report options"), "{text}");
    assert!(
        text.contains("LedgerOptions::purchase_days(true)"),
        "{text}"
    );
    assert!(text.contains("ReportOptions::ledger_options"), "{text}");
    let l = Ledger::with_options(o.tracked_periods().unwrap(), o.ledger_options());
    assert!(Report::build(&l, &o, Inputs::default()).is_ok());
}

fn full() -> Report {
    let mut o = ReportOptions::new(year(2025));
    o.series = vec![year(2023), year(2024), year(2025)];
    o.calibration_end = Some(d(2025, 4, 30));
    let mut inputs = Inputs::default();
    inputs.potentials = Some(HashMap::from([("A".to_string(), m("5000"))]));
    Report::build(&ledger(&o, true), &o, inputs).unwrap()
}

/// The `data-section` of every `<section>`, with its `data-present`.
fn sections(page: &str) -> Vec<(String, bool)> {
    check_html(page)
        .iter()
        .filter(|t| t.starts_with("section "))
        .map(|t| {
            let attr = |name: &str| {
                let k = t.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                t[k..].split('"').next().unwrap().to_string()
            };
            (attr("data-section"), attr("data-present") == "yes")
        })
        .collect()
}

#[test]
fn every_section_is_on_the_page_with_its_state() {
    let r = full();
    for lang in Lang::ALL {
        let page = r.to_html(lang);
        let found = sections(&page);
        assert_eq!(found.len(), Section::ALL.len());
        for s in Section::ALL {
            let want = r.availability(s) == Availability::Present;
            assert!(
                found.contains(&(s.id().to_string(), want)),
                "{} {want} in {found:?}",
                s.id()
            );
            assert!(page.contains(&format!("href=\"#{}\"", s.id())));
        }
        // One chart per present section (the scorecard's included), two
        // for lifetime value, two for the model check and two for the
        // actions.
        let charts = page.matches("<svg ").count();
        assert_eq!(charts, 12 + 3);
        assert_eq!(page.matches("role=\"img\"").count(), charts);
        assert!(!page.contains("http://") || page.matches("http://").count() == charts);
        assert!(!page.contains("https://"));
        assert!(!page.contains("<link") && !page.contains(" src="));
    }
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let (a, b) = (full(), full());
    for lang in Lang::ALL {
        assert_eq!(a.to_html(lang), b.to_html(lang));
    }
}

#[test]
fn dutch_and_english_labels() {
    let r = full();
    let nl = r.to_html(Lang::Nl);
    let en = r.to_html(Lang::En);
    assert!(nl.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">"));
    for word in [
        "Klantenrapport 2025",
        "De klantenpiramide",
        "Groot",
        "Middel",
        "Klein",
        "Inactief",
        "Toon de cijfers",
        "Actieve klanten",
        "niveau in 2024",
        "Nog niet in dit rapport",
    ] {
        assert!(nl.contains(word), "nl: {word}");
    }
    for word in [
        "Customer report 2025",
        "The customer pyramid",
        ">Big",
        "Medium",
        "Small",
        "Inactive",
        "Show the figures",
        "level in 2024",
    ] {
        assert!(en.contains(word), "en: {word}");
        assert!(!nl.contains(word), "not in nl: {word}");
    }
    // Money per language: A's 1,400 in 2025.
    assert!(en.contains(">1,400<") || en.contains("1,400 "));
    assert!(nl.contains(">1.400<") || nl.contains("1.400 "));
}

#[test]
fn the_pyramid_chart_shows_both_periods() {
    let page = full().to_html(Lang::En);
    let start = page.find("id=\"chart-pyramid\"").unwrap();
    let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
    // Four slices per period, and labels with value and share of value.
    assert_eq!(svg.matches("<polygon").count(), 8);
    assert!(svg.contains(">2024<") && svg.contains(">2025<"));
    assert!(svg.contains("Top · 1<") && svg.contains("Small · "));
    assert!(svg.contains("of value"));
    assert!(svg.contains("Prospect · 1"));
}

#[test]
fn the_heatmap_has_one_cell_per_move() {
    let r = full();
    let mig = r.migration.as_ref().unwrap();
    let cells = mig.cells().filter(|c| c.customers > 0).count();
    let page = r.to_html(Lang::En);
    let start = page.find("id=\"chart-migration\"").unwrap();
    let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
    assert_eq!(svg.matches("fill-opacity=").count(), cells);
    assert_eq!(svg.matches(" → ").count(), cells);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn prop_any_data_gives_a_well_formed_deterministic_page(
        sales in proptest::collection::vec(
            (0u8..12, 0i64..1100, -500i64..5000, proptest::option::of(-100i64..800)),
            0..60,
        ),
        lang in prop_oneof![Just(Lang::En), Just(Lang::Nl)],
    ) {
        let mut o = ReportOptions::new(year(2025));
        o.series = vec![year(2023), year(2024), year(2025)];
        let mut l = Ledger::with_options(o.tracked_periods().unwrap(), o.ledger_options());
        for (k, day, v, g) in &sales {
            let date = d(2023, 1, 1) + chrono_days(*day);
            let key = format!("K{k}<&>");
            l.record_sale(&key, date, Money::new((*v).into()), g.map(|g| Money::new(g.into()))).unwrap();
        }
        let r = Report::build(&l, &o, Inputs::default()).unwrap();
        let page = r.to_html(lang);
        let found = sections(&page);
        prop_assert_eq!(found.len(), Section::ALL.len());
        prop_assert!(!page.contains("NaN") && !page.contains("inf<"));
        prop_assert_eq!(page, Report::build(&l, &o, Inputs::default()).unwrap().to_html(lang));
    }
}

fn chrono_days(n: i64) -> crm_core::Days {
    crm_core::Days::new(u64::try_from(n).unwrap())
}

/// The actions section decides every customer as `crm_strategy` does on
/// the same facts (the history pyramids, the register, the profit), with
/// the default rulebook and with one given; the page shows the counts in
/// both languages.
#[test]
fn actions_are_counted_as_the_rulebook_decides() {
    use crm_pyramid::{PyramidOptions, pyramid};
    use crm_strategy::{FactsBuilder, Rulebook, overview};
    let o = ReportOptions::new(year(2025));
    assert_eq!(o.history_periods(), vec![year(2024), year(2023)]);
    let l = ledger(&o, true);
    // A register: A and C may be e-mailed and called, the rest unknown.
    let mut register = Vec::new();
    for k in ["A", "B", "C"] {
        let mut c =
            crm_core::Customer::new(CustomerKey::new(k).unwrap(), crm_core::Stage::Customer);
        c.consent.email = Some(k != "B");
        c.consent.phone = Some(k != "B");
        c.potential = Some(m("3000"));
        register.push(c);
    }
    let custom = Rulebook::parse_bytes(
        crm_strategy::DEFAULT_RULES
            .replace("owner = \"sales\"", "owner = \"field-team\"")
            .as_bytes(),
        crm_strategy::Format::Toml,
        "custom.toml",
    )
    .unwrap();
    for book in [None, Some(custom)] {
        let mut inputs = Inputs::default();
        inputs.register = Some(register.clone());
        inputs.rulebook = book.clone();
        let r = Report::build(&l, &o, inputs).unwrap();
        let a = r.actions.as_ref().expect("actions");
        // The same decisions made by hand.
        let po = PyramidOptions::new();
        let now = pyramid(&l, &year(2025), &po).unwrap();
        let history = [
            pyramid(&l, &year(2024), &po).unwrap(),
            pyramid(&l, &year(2023), &po).unwrap(),
        ];
        let profit = r.profit.as_ref().unwrap();
        let table = FactsBuilder::new(&l, &now)
            .history(history.iter())
            .register(&register)
            .profitability(profit)
            .build()
            .unwrap();
        let book = book.unwrap_or_else(Rulebook::curry);
        let want = overview(&table, &book, 0, |_, _| true);
        assert_eq!(a.summary, want.plan.summary);
        assert_eq!(a.actions, want.actions);
        assert_eq!(a.rulebook, book.name());
        assert!(a.actions > 0);
        let total: u64 = a.summary.by_strategy.values().sum();
        assert_eq!(total, a.actions);
        for (lang, title) in [
            (Lang::En, "Actions per owner"),
            (Lang::Nl, "Acties per eigenaar"),
        ] {
            let page = r.to_html(lang);
            check_html(&page);
            assert!(page.contains("id=\"chart-actions-strategy\""));
            assert!(page.contains(title));
            for (owner, n) in &a.summary.by_owner {
                let shown = lang.owner(owner);
                assert!(
                    page.contains(&format!(": {} (", lang.count(*n))),
                    "{owner} {shown} {n}"
                );
            }
        }
    }
    // Without a register the consents are unknown: no e-mail, phone or
    // post, so more actions lack a channel; the decisions are the same
    // where no register fact is read.
    let r = Report::build(&l, &o, Inputs::default()).unwrap();
    let mut inputs = Inputs::default();
    inputs.register = Some(register.clone());
    let with = Report::build(&l, &o, inputs).unwrap();
    assert!(
        r.actions.as_ref().unwrap().summary.no_channel
            >= with.actions.as_ref().unwrap().summary.no_channel
    );
}

#[test]
fn no_customer_no_actions() {
    let o = ReportOptions::new(year(2025));
    let l = Ledger::with_options(o.tracked_periods().unwrap(), o.ledger_options());
    let r = Report::build(&l, &o, Inputs::default()).unwrap();
    assert_eq!(r.availability(Section::Actions), Availability::Missing);
    assert!(
        r.to_html(Lang::En)
            .contains("Give transactions for the period: the rulebook decides")
    );
}

/// Potentials at `Decimal`'s limit: the room to grow summed over the
/// customers passes its range, and the page is drawn all the same, saying
/// the total is more than the largest amount (it panicked with "Addition
/// overflowed").
#[test]
fn room_beyond_the_decimal_range_draws_instead_of_failing() {
    let mut o = ReportOptions::new(year(2025));
    o.series = vec![year(2024), year(2025)];
    let mut inputs = Inputs::default();
    let l = ledger(&o, true);
    let max = Money::new(crm_core::Decimal::MAX);
    let keys = l.ids().map(|id| l.key(id).unwrap().to_string());
    inputs.potentials = Some(keys.map(|k| (k, max)).collect());
    let r = Report::build(&l, &o, inputs).unwrap();
    for lang in [Lang::En, Lang::Nl] {
        let page = r.to_html(lang);
        check_html(&page);
        assert!(page.contains("&gt; 79"), "a total past the range says so");
    }
}

//! Each rule of the default rulebook fires on a hand-made customer and not
//! on its near miss.

use crm_core::{Decimal, NaiveDate};
use crm_migration::Movement;
use crm_pyramid::Level;
use crm_strategy::{DEFAULT_RULES, Fact, Facts, Format, Rulebook, Verdict};

fn n(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn verdict(book: &Rulebook, facts: &Facts<'_>, rule: &str) -> Verdict {
    book.explain(facts)
        .into_iter()
        .find(|v| v.rule == rule)
        .unwrap_or_else(|| panic!("no rule {rule}"))
        .verdict
}

fn fires(book: &Rulebook, facts: &Facts<'_>, rule: &str) -> bool {
    match verdict(book, facts, rule) {
        Verdict::Fired { .. } => true,
        Verdict::NotFired => false,
        Verdict::Undecided => panic!("{rule} undecided on {facts:?}"),
        v => panic!("{rule}: {v} without outcomes"),
    }
}

/// A customer with every fact the default rules read known and harmless.
fn base(key: &str, level: Level) -> Facts<'_> {
    let mut f = Facts::new(key);
    f.set_level(Fact::Level, Some(level))
        .set_level(Fact::LevelBefore, Some(level))
        .set_movement(Movement::Stayed)
        .set_number(Fact::DaysSinceContact, n("5"))
        .set_number(Fact::OldestComplaintDays, n("0"))
        .set_number(Fact::OpenComplaints, n("0"))
        .set_number(Fact::ValueChangePercent, n("0"))
        .set_number(Fact::ShareOfWallet, n("80"))
        .set_number(Fact::GrowthRoomPercentile, n("10"))
        .set_number(Fact::DaysSinceFirstPurchase, n("400"))
        .set_number(Fact::Profit, n("100"))
        .set_number(Fact::PotentialPercentile, n("10"))
        .set_number(Fact::OpenLeads, n("0"))
        .set_number(Fact::PeriodsAtLevel, n("1"))
        .set_number(Fact::YearsSinceBestLevel, n("1"))
        .set_number(Fact::FormerMargin, n("10"))
        .set_level(Fact::BestFormerLevel, Some(Level::Small))
        .set_text(Fact::Segment, "retail");
    f
}

/// Runs `hit` and `miss` edits on the base customer and checks that
/// `rule` fires on the first and not on the second.
fn case(rule: &str, level: Level, hit: impl Fn(&mut Facts<'_>), miss: impl Fn(&mut Facts<'_>)) {
    let book = Rulebook::curry();
    let mut f = base("C1", level);
    assert!(!fires(&book, &f, rule), "{rule} fires on the base customer");
    hit(&mut f);
    assert!(fires(&book, &f, rule), "{rule} does not fire");
    let mut f = base("C1", level);
    miss(&mut f);
    assert!(!fires(&book, &f, rule), "{rule} fires on the near miss");
}

#[test]
fn retain_top_big() {
    for level in [Level::Top, Level::Big] {
        case(
            "retain-top-big",
            level,
            |f| {
                f.set_number(Fact::DaysSinceContact, n("31"));
            },
            |f| {
                f.set_number(Fact::DaysSinceContact, n("30"));
            },
        );
    }
    // Medium customers are not the account manager's first call.
    let mut f = base("C1", Level::Medium);
    f.set_number(Fact::DaysSinceContact, n("31"));
    assert!(!fires(&Rulebook::curry(), &f, "retain-top-big"));
}

#[test]
fn complaint_escalate() {
    case(
        "complaint-escalate",
        Level::Small,
        |f| {
            f.set_number(Fact::OldestComplaintDays, n("8"));
        },
        |f| {
            f.set_number(Fact::OldestComplaintDays, n("7"));
        },
    );
}

#[test]
fn risk_dropped() {
    case(
        "risk-dropped",
        Level::Medium,
        |f| {
            f.set_movement(Movement::Down);
        },
        |f| {
            f.set_number(Fact::ValueChangePercent, n("-30"));
        },
    );
    case(
        "risk-dropped",
        Level::Medium,
        |f| {
            f.set_number(Fact::ValueChangePercent, n("-30.01"));
        },
        |f| {
            f.set_movement(Movement::Up);
        },
    );
}

#[test]
fn win_back() {
    let hit = |f: &mut Facts<'_>| {
        f.set_level(Fact::BestFormerLevel, Some(Level::Big))
            .set_number(Fact::YearsSinceBestLevel, n("2"));
    };
    case("win-back", Level::Inactive, hit, |f| {
        hit(f);
        f.set_number(Fact::YearsSinceBestLevel, n("2.1"));
    });
    case("win-back", Level::Inactive, hit, |f| {
        hit(f);
        f.set_number(Fact::FormerMargin, n("0"));
    });
    case("win-back", Level::Inactive, hit, |f| {
        hit(f);
        f.set_level(Fact::BestFormerLevel, Some(Level::Medium));
    });
}

#[test]
fn reactivate() {
    let book = Rulebook::curry();
    assert!(fires(&book, &base("C1", Level::Inactive), "reactivate"));
    assert!(!fires(&book, &base("C1", Level::Small), "reactivate"));
}

#[test]
fn develop_room() {
    case(
        "develop-room",
        Level::Small,
        |f| {
            f.set_number(Fact::ShareOfWallet, n("29.99"));
        },
        |f| {
            f.set_number(Fact::ShareOfWallet, n("30"));
        },
    );
    case(
        "develop-room",
        Level::Medium,
        |f| {
            f.set_number(Fact::GrowthRoomPercentile, n("50.01"));
        },
        |f| {
            f.set_number(Fact::GrowthRoomPercentile, n("50"));
        },
    );
    let mut f = base("C1", Level::Big);
    f.set_number(Fact::ShareOfWallet, n("1"));
    assert!(!fires(&Rulebook::curry(), &f, "develop-room"));
}

#[test]
fn aftercare_new() {
    case(
        "aftercare-new",
        Level::Small,
        |f| {
            f.set_movement(Movement::New)
                .set_number(Fact::DaysSinceFirstPurchase, n("29"));
        },
        |f| {
            f.set_movement(Movement::New)
                .set_number(Fact::DaysSinceFirstPurchase, n("30"));
        },
    );
}

#[test]
fn phase_out() {
    case(
        "phase-out",
        Level::Small,
        |f| {
            f.set_number(Fact::Profit, n("-0.01"));
        },
        |f| {
            f.set_number(Fact::Profit, n("0"));
        },
    );
}

#[test]
fn acquire_prospect() {
    case(
        "acquire-prospect",
        Level::Prospect,
        |f| {
            f.set_number(Fact::PotentialPercentile, n("75.01"));
        },
        |f| {
            f.set_number(Fact::PotentialPercentile, n("75"));
        },
    );
    case(
        "acquire-prospect",
        Level::Prospect,
        |f| {
            f.set_number(Fact::PotentialPercentile, n("100"));
        },
        |f| {
            f.set_number(Fact::PotentialPercentile, n("100"))
                .set_number(Fact::OpenLeads, n("1"));
        },
    );
}

#[test]
fn target_suspect() {
    case(
        "target-suspect",
        Level::Suspect,
        |f| {
            f.set_text(Fact::Segment, "wholesale");
        },
        |f| {
            f.set_text(Fact::Segment, "Wholesale");
        },
    );
}

#[test]
fn keep_in_touch() {
    case(
        "keep-in-touch",
        Level::Small,
        |f| {
            f.set_number(Fact::DaysSinceContact, n("91"));
        },
        |f| {
            f.set_number(Fact::DaysSinceContact, n("90"));
        },
    );
}

#[test]
fn referral() {
    case(
        "referral",
        Level::Top,
        |f| {
            f.set_number(Fact::PeriodsAtLevel, n("2"));
        },
        |f| {
            f.set_number(Fact::PeriodsAtLevel, n("2"))
                .set_number(Fact::OpenComplaints, n("1"));
        },
    );
}

#[test]
fn every_default_rule_is_covered() {
    let tested = [
        "retain-top-big",
        "complaint-escalate",
        "risk-dropped",
        "win-back",
        "reactivate",
        "develop-room",
        "aftercare-new",
        "phase-out",
        "acquire-prospect",
        "target-suspect",
        "keep-in-touch",
        "referral",
    ];
    let book = Rulebook::curry();
    let names: Vec<&str> = book.rules().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, tested);
}

#[test]
fn an_unknown_fact_leaves_the_rule_undecided_and_says_which() {
    let book = Rulebook::curry();
    let mut f = Facts::new("C9");
    f.set_level(Fact::Level, Some(Level::Top));
    let v = book
        .explain(&f)
        .into_iter()
        .find(|v| v.rule == "retain-top-big")
        .unwrap();
    assert_eq!(v.verdict, Verdict::Undecided);
    assert_eq!(v.unknown.len(), 1);
    assert_eq!(v.unknown[0].fact, "days_since_contact");
    assert_eq!(v.support[0].fact, "level");
    // Not fired names the failing test with the value.
    f.set_number(Fact::DaysSinceContact, n("12"));
    let v = book
        .explain(&f)
        .into_iter()
        .find(|v| v.rule == "retain-top-big")
        .unwrap();
    assert_eq!(v.verdict, Verdict::NotFired);
    assert_eq!(v.failed[0].test, "> 30");
    assert_eq!(v.failed[0].value.as_ref().unwrap().to_string(), "12");
    assert!(book.fired(&f).is_empty());
}

#[test]
fn the_json_form_reads_the_same_rulebook() {
    let value: serde_json::Value = toml::from_str(DEFAULT_RULES).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let from_json = Rulebook::parse(&json, Format::Json, "default.json").unwrap();
    assert_eq!(from_json, Rulebook::curry());
}

#[test]
fn dates_compare_as_dates() {
    let src = r#"
name = "d"
policy = "all-matches"
[[rules]]
name = "old"
when = { fact = "last_purchase", lt = 2024-01-01 }
strategy = "develop"
priority = 3
owner = "sales"
channels = ["phone"]
"#;
    let book = Rulebook::from_toml(src).unwrap();
    let mut f = Facts::new("X");
    f.set_date(
        Fact::LastPurchase,
        NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(),
    );
    assert_eq!(book.fired(&f), vec![0]);
    f.set_date(
        Fact::LastPurchase,
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    );
    assert!(book.fired(&f).is_empty());
}

#[test]
fn the_rulebook_says_which_facts_it_reads() {
    let book = Rulebook::curry();
    assert!(book.reads(Fact::DaysSinceContact)); // in conditions
    assert!(book.reads(Fact::PeriodsLapsed)); // in a message only
    assert!(!book.reads(Fact::RecencyDays));
    assert!(!book.reads(Fact::UsualGapDays));
}

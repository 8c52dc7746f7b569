//! Every kind of rulebook problem, with its position; all are reported at
//! once.

use crm_strategy::{DEFAULT_RULES, Error, Format, Position, Problem, ProblemKind, Rulebook};

fn problems(src: &str, format: Format) -> Vec<Problem> {
    match Rulebook::parse(src, format, "rules") {
        Err(Error::Rulebook { problems, .. }) => problems,
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("accepted:\n{src}"),
    }
}

fn at(line: usize, column: usize) -> Position {
    Position { line, column }
}

const HEAD: &str = "name = \"t\"\npolicy = \"first-match\"\n";

#[test]
fn every_problem_of_a_file_with_its_place() {
    let src = format!(
        "{HEAD}{}",
        r#"colour = "red"
[[rules]]
name = "a"
when = { all = [{ fact = "levle", in = ["top"] }, { fact = "recency_days", gt = "soon" }] }
strategy = "retian"
priority = 1
owner = "sales"
channels = ["phone", "fxa"]
message = "Hello {customer}, {levl}"
"#
    );
    let got = problems(&src, Format::Toml);
    let want = vec![
        (
            at(3, 1),
            ProblemKind::UnknownField {
                name: "colour".into(),
                suggestion: None,
            },
        ),
        (
            at(6, 26),
            ProblemKind::UnknownFact {
                name: "levle".into(),
                suggestion: Some("level".into()),
            },
        ),
        (
            at(6, 81),
            ProblemKind::WrongType {
                fact: "recency_days".into(),
                expected: "a days with eq, ne, lt, le, gt or ge".into(),
                found: "\"soon\"".into(),
            },
        ),
        (
            at(7, 12),
            ProblemKind::UnknownStrategy {
                name: "retian".into(),
                suggestion: Some("retain".into()),
            },
        ),
        (
            at(10, 22),
            ProblemKind::UnknownChannel {
                name: "fxa".into(),
                suggestion: None,
            },
        ),
        (
            at(11, 30),
            ProblemKind::UnknownPlaceholder {
                name: "levl".into(),
                suggestion: Some("level".into()),
            },
        ),
    ];
    let got: Vec<(Position, ProblemKind)> = got.into_iter().map(|p| (p.position, p.kind)).collect();
    assert_eq!(got, want);
}

#[test]
fn unreachable_under_first_match_only() {
    let rules = r#"
[[rules]]
name = "broad"
when = { fact = "days_since_contact", gt = 30 }
strategy = "retain"
priority = 2
owner = "sales"
channels = ["phone"]

[[rules]]
name = "narrow"
when = { all = [{ fact = "level", eq = "top" }, { fact = "days_since_contact", gt = 60 }] }
strategy = "retain"
priority = 1
owner = "account-manager"
channels = ["visit"]
"#;
    let got = problems(&format!("{HEAD}{rules}"), Format::Toml);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].position, at(12, 1));
    assert_eq!(
        got[0].kind,
        ProblemKind::Unreachable {
            rule: "narrow".into(),
            shadowed_by: "broad".into()
        }
    );
    // Under best priority the narrow rule wins where it applies.
    let best = format!("name = \"t\"\npolicy = \"best-priority\"\n{rules}");
    assert!(Rulebook::from_toml(&best).is_ok());
    // A threshold that does not imply the earlier one is reachable.
    let reachable = rules.replace("gt = 60", "ge = 30");
    assert!(Rulebook::from_toml(&format!("{HEAD}{reachable}")).is_ok());
}

#[test]
fn a_rule_without_conditions_shadows_everything_after_it() {
    let src = format!(
        "{HEAD}{}",
        r#"[[rules]]
name = "always"
strategy = "retain"
priority = 5
owner = "marketing"
channels = ["email"]
[[rules]]
name = "never"
when = { fact = "level", eq = "top" }
strategy = "retain"
priority = 1
owner = "sales"
channels = ["phone"]
"#
    );
    let got = problems(&src, Format::Toml);
    assert!(matches!(&got[0].kind, ProblemKind::Unreachable { rule, .. } if rule == "never"));
}

#[test]
fn missing_fields_duplicates_and_bad_values() {
    let src = format!(
        "{HEAD}{}",
        r#"[[rules]]
name = "a"
strategy = "retain"
priority = 0
owner = "sales"
channels = ["phone"]
[[rules]]
name = "a"
when = { fact = "level", gt = "top" }
strategy = "retain"
priority = 2
owner = "sales"
channels = []
[[rules]]
name = "b"
strategy = "develop"
"#
    );
    let got = problems(&src, Format::Toml);
    let kinds: Vec<(Position, &ProblemKind)> = got.iter().map(|p| (p.position, &p.kind)).collect();
    assert!(
        matches!(kinds[0], (p, ProblemKind::InvalidValue { message }) if p == at(6, 12) && message.contains("priority")),
        "{kinds:?}"
    );
    // The duplicate name is reported in the same pass as the other
    // problems, though neither rule named `a` compiles.
    assert_eq!(
        kinds[1],
        (at(9, 1), &ProblemKind::DuplicateRule { name: "a".into() })
    );
    assert!(
        matches!(kinds[2], (p, ProblemKind::WrongType { fact, .. }) if p == at(11, 31) && fact == "level"),
        "{kinds:?}"
    );
    // An action with no channel to use is refused where the list is.
    assert!(
        matches!(kinds[3], (p, ProblemKind::InvalidValue { message }) if p == at(15, 12) && message.contains("at least one channel")),
        "{kinds:?}"
    );
    // The third rule lacks priority, owner and channels; problems are
    // sorted by position, so all sit at the rule's start.
    let missing: Vec<(Position, &str)> = got
        .iter()
        .filter_map(|p| match &p.kind {
            ProblemKind::MissingField { name } => Some((p.position, name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        missing,
        [
            (at(16, 1), "priority"),
            (at(16, 1), "owner"),
            (at(16, 1), "channels")
        ]
    );
    assert_eq!(got.len(), 7, "{kinds:?}");
    // A clean duplicate is caught too.
    let dup = format!(
        "{HEAD}[[rules]]\nname = \"a\"\nstrategy = \"retain\"\npriority = 1\nowner = \"x\"\nchannels = [\"post\"]\n[[rules]]\nname = \"a\"\nstrategy = \"retain\"\npriority = 1\nowner = \"x\"\nchannels = [\"post\"]\n"
    );
    let got = problems(&dup.replace("first-match", "all-matches"), Format::Toml);
    assert_eq!(got[0].kind, ProblemKind::DuplicateRule { name: "a".into() });
    assert_eq!(got[0].position, at(9, 1));
}

#[test]
fn a_file_that_is_not_utf8_is_refused_at_the_first_invalid_byte() {
    let mut bytes = format!("{HEAD}[[rules]]\nname = \"caf").into_bytes();
    bytes.extend_from_slice(&[0xE9, b'"', b'\n']);
    let err = Rulebook::parse_bytes(&bytes, Format::Toml, "rules.toml").unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].position, at(4, 12));
    assert_eq!(
        problems[0].kind,
        ProblemKind::NotUtf8 {
            offset: HEAD.len() + 21,
            byte: 0xE9
        }
    );
    // Multi-byte characters before it count as one column each.
    let mut bytes = "name = \"é\" ".as_bytes().to_vec();
    bytes.push(0xFF);
    let err = Rulebook::parse_bytes(&bytes, Format::Toml, "r").unwrap_err();
    assert_eq!(err.problems()[0].position, at(1, 12));
    // Valid UTF-8 reads as `parse` does.
    assert!(Rulebook::parse_bytes(DEFAULT_RULES.as_bytes(), Format::Toml, "d").is_ok());
}

#[test]
fn syntax_errors_have_positions() {
    let got = problems("name = \"t\"\npolicy = \n", Format::Toml);
    assert!(matches!(&got[0].kind, ProblemKind::Syntax { .. }));
    assert_eq!(got[0].position.line, 2);
    let got = problems(
        "{\n  \"name\": \"t\",\n  \"policy\": first\n}",
        Format::Json,
    );
    assert!(matches!(&got[0].kind, ProblemKind::Syntax { .. }));
    assert_eq!(got[0].position, at(3, 13));
}

#[test]
fn json_problems_have_positions_too() {
    let src = r#"{
  "name": "t",
  "policy": "all-matches",
  "rules": [
    {
      "name": "a",
      "when": { "fact": "open_complaint", "gt": 0 },
      "strategy": "retain",
      "priority": 1,
      "owner": "account-manager",
      "channels": ["phone", "sms"]
    }
  ]
}"#;
    let got = problems(src, Format::Json);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].position, at(7, 25));
    assert_eq!(
        got[0].kind,
        ProblemKind::UnknownFact {
            name: "open_complaint".into(),
            suggestion: Some("open_complaints".into())
        }
    );
    assert_eq!(got[1].position, at(11, 29));
    assert!(matches!(&got[1].kind, ProblemKind::UnknownChannel { name, .. } if name == "sms"));
    let message = Rulebook::parse(src, Format::Json, "rules.json")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(
            "rules.json:7:25: unknown fact `open_complaint` (did you mean `open_complaints`?)"
        ),
        "{message}"
    );
}

#[test]
fn unknown_policy_and_wrong_shapes() {
    let got = problems(
        "name = \"t\"\npolicy = \"first-macth\"\nrules = 3\n",
        Format::Toml,
    );
    assert!(
        matches!(&got[0].kind, ProblemKind::InvalidValue { message } if message.contains("did you mean `first-match`"))
    );
    assert_eq!(got[0].position, at(2, 10));
    assert!(
        matches!(&got[1].kind, ProblemKind::InvalidValue { message } if message.contains("`rules` must be an array"))
    );
}

#[test]
fn a_rulebook_of_more_than_max_rules_is_refused_quickly() {
    let mut src = String::from(HEAD);
    for i in 0..=crm_strategy::MAX_RULES {
        src.push_str(&format!(
            "[[rules]]\nname = \"r{i}\"\nstrategy = \"retain\"\npriority = 1\nowner = \"sales\"\nwhen = {{ fact = \"value\", gt = {i} }}\n"
        ));
    }
    let p = problems(&src, Format::Toml);
    assert!(p.iter().any(|p| p.to_string().contains("at most")), "{p:?}");
}

#[test]
fn bad_top_level_keys_do_not_hide_the_rules_problems() {
    // A bad policy and a bad cap are reported together with every problem
    // of the rules after them, not instead of them.
    let src = r#"name = "t"
policy = "best"
max_contacts_per_period = -3
[[rules]]
name = "a"
when = { fact = "levle", eq = "top" }
strategy = "retian"
priority = 1
owner = "sales"
channels = ["fax"]
"#;
    let got: Vec<Position> = problems(src, Format::Toml)
        .iter()
        .map(|p| p.position)
        .collect();
    assert_eq!(
        got,
        vec![at(2, 10), at(3, 27), at(6, 17), at(7, 12), at(10, 13)],
        "{:?}",
        problems(src, Format::Toml)
    );
}

//! Compiled conditions and templates, and their three-valued evaluation.

use std::fmt::Write as _;

use crm_core::{Decimal, NaiveDate};

use crate::fact::{Fact, FactValue, Facts};
use crate::rulebook::{FactRef, Op};

/// The result of a condition: true, false, or unknown because a fact it
/// needs is unknown (Kleene's three-valued logic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tri {
    False,
    True,
    Unknown,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::True => Tri::False,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// A compiled test of one fact.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Num(Op, Decimal),
    Date(Op, NaiveDate),
    /// Level or movement codes as a bit mask; `negate` for `ne`/`not_in`.
    Code {
        mask: u16,
        negate: bool,
    },
    Bool(bool),
    Text {
        values: Box<[Box<str>]>,
        negate: bool,
    },
    /// Consent-set bit mask.
    Contains(u8),
}

/// A leaf of a condition: a fact, where it is stored, and the test.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Leaf {
    pub fact: FactRef,
    /// The fact's name as written, for explanations.
    pub name: Box<str>,
    /// The test as text (`> 30`, `in [top, big]`), for explanations.
    pub text: Box<str>,
    pub test: Test,
    bit: u64,
    slot: usize,
}

impl Leaf {
    pub(crate) fn new(name: &str, fact: FactRef, test: Test) -> Leaf {
        let (bit, slot) = match fact {
            FactRef::Fact(f) => (1u64 << (f as u8), f.slot()),
            FactRef::Attr(a) => (0, a),
        };
        let text = describe(&fact, &test);
        Leaf {
            fact,
            name: name.into(),
            text: text.into(),
            test,
            bit,
            slot,
        }
    }

    #[inline]
    fn eval(&self, f: &Facts<'_>) -> Tri {
        let known = |b: bool| if b { Tri::True } else { Tri::False };
        if let FactRef::Attr(a) = self.fact {
            let Some(v) = f.attribute(a) else {
                return Tri::Unknown;
            };
            return match &self.test {
                Test::Text { values, negate } => known(values.iter().any(|x| **x == *v) != *negate),
                _ => Tri::Unknown,
            };
        }
        if f.known & self.bit == 0 {
            return Tri::Unknown;
        }
        match &self.test {
            Test::Num(op, rhs) => known(cmp(*op, f.num[self.slot].cmp(rhs))),
            Test::Date(op, rhs) => known(cmp(*op, f.dates[self.slot].cmp(rhs))),
            Test::Code { mask, negate } => {
                let code = match self.fact {
                    FactRef::Fact(Fact::Movement) => f.movement,
                    _ => f.levels[self.slot],
                };
                known((mask & (1 << code) != 0) != *negate)
            }
            Test::Bool(b) => known(f.bools[self.slot] == *b),
            Test::Text { values, negate } => {
                let v = f.texts[self.slot].unwrap_or_default();
                known(values.iter().any(|x| **x == *v) != *negate)
            }
            Test::Contains(bit) => known(f.consent & bit != 0),
        }
    }

    /// Whether this test holding means `other` holds (same fact).
    fn implies(&self, other: &Leaf) -> bool {
        if self.fact != other.fact {
            return false;
        }
        if self.test == other.test {
            return true;
        }
        match (&self.test, &other.test) {
            (Test::Num(a_op, a), Test::Num(b_op, b)) => num_implies(*a_op, *a, *b_op, *b),
            (
                Test::Code {
                    mask: a,
                    negate: false,
                },
                Test::Code {
                    mask: b,
                    negate: false,
                },
            ) => a & !b == 0,
            (
                Test::Text {
                    values: a,
                    negate: false,
                },
                Test::Text {
                    values: b,
                    negate: false,
                },
            ) => a.iter().all(|x| b.contains(x)),
            _ => false,
        }
    }
}

/// `x op_a a` implies `x op_b b` for every number `x`.
fn num_implies(op_a: Op, a: Decimal, op_b: Op, b: Decimal) -> bool {
    use Op::*;
    match (op_a, op_b) {
        (Eq, _) => cmp(op_b, a.cmp(&b)),
        (Gt, Gt) | (Gt, Ge) | (Ge, Ge) => a >= b,
        (Ge, Gt) => a > b,
        (Lt, Lt) | (Lt, Le) | (Le, Le) => a <= b,
        (Le, Lt) => a < b,
        (Gt, Ne) => a >= b,
        (Ge, Ne) => a > b,
        (Lt, Ne) => a <= b,
        (Le, Ne) => a < b,
        (Ne, Ne) => a == b,
        _ => false,
    }
}

#[inline]
fn cmp(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => o == Equal,
        Op::Ne => o != Equal,
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
    }
}

fn describe(fact: &FactRef, test: &Test) -> String {
    let op = |o: &Op| match o {
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
    };
    match test {
        Test::Num(o, n) => format!("{} {}", op(o), n.normalize()),
        Test::Date(o, d) => format!("{} {d}", op(o)),
        Test::Code { mask, negate } => {
            let names: Vec<&str> = match fact {
                FactRef::Fact(Fact::Movement) => crm_migration::Movement::ALL
                    .iter()
                    .filter(|m| mask & (1 << m.index()) != 0)
                    .map(|m| m.as_str())
                    .collect(),
                _ => crm_migration::Source::ALL
                    .iter()
                    .filter(|s| mask & (1 << s.index()) != 0)
                    .map(|s| s.as_str())
                    .collect(),
            };
            set_text(&names, *negate)
        }
        Test::Bool(b) => format!("== {b}"),
        Test::Text { values, negate } => {
            let names: Vec<&str> = values.iter().map(|v| &**v).collect();
            set_text(&names, *negate)
        }
        Test::Contains(bit) => {
            let ch = crm_core::Channel::ALL
                .iter()
                .enumerate()
                .find(|(i, _)| bit & (1 << i) != 0)
                .map_or("?", |(_, c)| c.as_str());
            format!("contains {ch}")
        }
    }
}

fn set_text(names: &[&str], negate: bool) -> String {
    match (names, negate) {
        ([one], false) => format!("== {one}"),
        ([one], true) => format!("!= {one}"),
        (many, false) => format!("in [{}]", many.join(", ")),
        (many, true) => format!("not in [{}]", many.join(", ")),
    }
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Leaf(Box<Leaf>),
    All(Box<[Cond]>),
    Any(Box<[Cond]>),
    Not(Box<Cond>),
}

/// One test as seen while explaining a rule for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Check {
    /// The fact's name.
    pub fact: String,
    /// Its value, `None` when unknown.
    pub value: Option<FactValue>,
    /// The test (`> 30`, `in [top, big]`).
    pub test: String,
}

/// `days_since_contact = 42 (> 30)`; an unknown fact reads
/// `days_since_contact unknown (> 30)`.
impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{} = {v} ({})", self.fact, self.test),
            None => write!(f, "{} unknown ({})", self.fact, self.test),
        }
    }
}

/// The leaves seen while evaluating, by their part in the result.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    /// Tests that held where they had to (or failed under a `not`).
    pub support: Vec<Check>,
    /// Tests that failed where they had to hold.
    pub against: Vec<Check>,
    /// Tests on unknown facts.
    pub unknown: Vec<Check>,
}

impl Cond {
    #[inline]
    pub(crate) fn eval(&self, f: &Facts<'_>) -> Tri {
        match self {
            Cond::Leaf(l) => l.eval(f),
            Cond::All(cs) => {
                let mut r = Tri::True;
                for c in cs.iter() {
                    match c.eval(f) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => r = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                r
            }
            Cond::Any(cs) => {
                let mut r = Tri::False;
                for c in cs.iter() {
                    match c.eval(f) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => r = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                r
            }
            Cond::Not(c) => c.eval(f).not(),
        }
    }

    /// Evaluates every leaf (no short cut) and sorts them into `trace` by
    /// `polarity` (true: the leaf should hold for the rule to fire).
    pub(crate) fn trace(&self, f: &Facts<'_>, polarity: bool, trace: &mut Trace) {
        match self {
            Cond::Leaf(l) => {
                let value = match l.fact {
                    FactRef::Fact(fact) => f.get(fact),
                    FactRef::Attr(a) => f.attribute(a).map(|s| FactValue::Text(s.to_string())),
                };
                let check = Check {
                    fact: l.name.to_string(),
                    value,
                    test: l.text.to_string(),
                };
                match (l.eval(f), polarity) {
                    (Tri::Unknown, _) => trace.unknown.push(check),
                    (Tri::True, true) | (Tri::False, false) => trace.support.push(check),
                    _ => trace.against.push(check),
                }
            }
            Cond::All(cs) | Cond::Any(cs) => {
                for c in cs.iter() {
                    // Under `any`, only the branches that hold support the
                    // result; the others are noise unless it failed.
                    let mut sub = Trace::default();
                    c.trace(f, polarity, &mut sub);
                    let is_any = matches!(self, Cond::Any(_));
                    let branch = c.eval(f);
                    if is_any && polarity && branch != Tri::True && self.eval(f) == Tri::True {
                        continue;
                    }
                    trace.support.extend(sub.support);
                    trace.against.extend(sub.against);
                    trace.unknown.extend(sub.unknown);
                }
            }
            Cond::Not(c) => c.trace(f, !polarity, trace),
        }
    }

    /// The leaves of a conjunction, or `None` for anything else.
    fn conjunction(&self) -> Option<Vec<&Leaf>> {
        match self {
            Cond::Leaf(l) => Some(vec![l]),
            Cond::All(cs) => {
                let mut out = Vec::new();
                for c in cs.iter() {
                    out.extend(c.conjunction()?);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// Whether this condition holds whenever `later` holds, so that under
    /// first match a rule with it placed earlier always wins. Checked on
    /// conjunctions of tests (the usual rule); anything else is assumed
    /// reachable.
    pub(crate) fn always_beats(&self, later: &Cond) -> bool {
        let (Some(mine), Some(theirs)) = (self.conjunction(), later.conjunction()) else {
            return false;
        };
        mine.iter().all(|m| theirs.iter().any(|t| t.implies(m)))
    }
}

impl Cond {
    /// Whether this condition reads `fact`.
    pub(crate) fn reads(&self, fact: Fact) -> bool {
        match self {
            Cond::Leaf(l) => l.fact == FactRef::Fact(fact),
            Cond::All(cs) | Cond::Any(cs) => cs.iter().any(|c| c.reads(fact)),
            Cond::Not(c) => c.reads(fact),
        }
    }
}

/// A piece of a message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Fact(Fact),
    Attr(usize),
    Customer,
    Rule,
}

/// A compiled message template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Template {
    pub pieces: Vec<Piece>,
}

impl Template {
    /// Whether the template shows `fact`.
    pub(crate) fn reads(&self, fact: Fact) -> bool {
        self.pieces.contains(&Piece::Fact(fact))
    }

    pub(crate) fn render(&self, f: &Facts<'_>, rule: &str) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Customer => out.push_str(f.key()),
                Piece::Rule => out.push_str(rule),
                Piece::Attr(a) => out.push_str(f.attribute(*a).unwrap_or("unknown")),
                Piece::Fact(fact) => match f.get(*fact) {
                    Some(FactValue::Money(m)) => {
                        let n = m.as_decimal();
                        let _ = write!(out, "{:.2}", n.round_dp(2));
                    }
                    Some(v) => {
                        let _ = write!(out, "{v}");
                    }
                    None => out.push_str("unknown"),
                },
            }
        }
        out
    }
}

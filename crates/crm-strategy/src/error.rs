use std::fmt;

/// A line and column in a rulebook file, both counted from 1 (columns in
/// characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Position {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What is wrong at one place of a rulebook.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is not valid TOML or JSON.
    Syntax {
        /// The parser's message.
        message: String,
    },
    /// A condition or placeholder names a fact that does not exist.
    UnknownFact {
        /// The name found.
        name: String,
        /// The closest fact name, if one is close.
        suggestion: Option<String>,
    },
    /// A comparison does not fit the fact's type.
    WrongType {
        /// The fact.
        fact: String,
        /// What the fact's type accepts here.
        expected: String,
        /// What was found.
        found: String,
    },
    /// An action names a strategy that is not one of the five.
    UnknownStrategy {
        /// The name found.
        name: String,
        /// The closest strategy, if one is close.
        suggestion: Option<String>,
    },
    /// An action names an unknown channel.
    UnknownChannel {
        /// The name found.
        name: String,
        /// The closest channel, if one is close.
        suggestion: Option<String>,
    },
    /// Under first match, an earlier rule always wins over this one.
    Unreachable {
        /// This rule.
        rule: String,
        /// The earlier rule that fires whenever this one would.
        shadowed_by: String,
    },
    /// A message template names a placeholder that is not a fact.
    UnknownPlaceholder {
        /// The placeholder.
        name: String,
        /// The closest fact name, if one is close.
        suggestion: Option<String>,
    },
    /// A key the rulebook format does not have.
    UnknownField {
        /// The key.
        name: String,
        /// The closest key allowed here, if one is close.
        suggestion: Option<String>,
    },
    /// A required key is missing.
    MissingField {
        /// The key.
        name: String,
    },
    /// A value of the wrong shape or out of range.
    InvalidValue {
        /// What is wrong.
        message: String,
    },
    /// Two rules have the same name.
    DuplicateRule {
        /// The name.
        name: String,
    },
    /// The file is not UTF-8 text; the position is the first invalid
    /// byte's.
    NotUtf8 {
        /// The byte offset of the first invalid byte in the file.
        offset: usize,
        /// That byte.
        byte: u8,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn mean(f: &mut fmt::Formatter<'_>, s: &Option<String>) -> fmt::Result {
            match s {
                Some(s) => write!(f, " (did you mean `{s}`?)"),
                None => Ok(()),
            }
        }
        match self {
            ProblemKind::Syntax { message } => write!(f, "syntax: {message}"),
            ProblemKind::UnknownFact { name, suggestion } => {
                write!(f, "unknown fact `{name}`")?;
                mean(f, suggestion)
            }
            ProblemKind::WrongType {
                fact,
                expected,
                found,
            } => write!(f, "fact `{fact}` expects {expected}, found {found}"),
            ProblemKind::UnknownStrategy { name, suggestion } => {
                write!(
                    f,
                    "unknown strategy `{name}` (target, acquire, retain, develop, phase-out)"
                )?;
                mean(f, suggestion)
            }
            ProblemKind::UnknownChannel { name, suggestion } => {
                write!(
                    f,
                    "unknown channel `{name}` (email, phone, post, visit, meeting)"
                )?;
                mean(f, suggestion)
            }
            ProblemKind::Unreachable { rule, shadowed_by } => write!(
                f,
                "rule `{rule}` can never fire under first match: `{shadowed_by}` comes first and fires whenever it would"
            ),
            ProblemKind::UnknownPlaceholder { name, suggestion } => {
                write!(f, "placeholder `{{{name}}}` is not a fact")?;
                mean(f, suggestion)
            }
            ProblemKind::UnknownField { name, suggestion } => {
                write!(f, "unknown key `{name}`")?;
                mean(f, suggestion)
            }
            ProblemKind::MissingField { name } => write!(f, "missing key `{name}`"),
            ProblemKind::InvalidValue { message } => write!(f, "{message}"),
            ProblemKind::DuplicateRule { name } => write!(f, "a second rule named `{name}`"),
            ProblemKind::NotUtf8 { offset, byte } => write!(
                f,
                "not UTF-8 text: byte 0x{byte:02X} at offset {offset} (save the file as UTF-8)"
            ),
        }
    }
}

/// One problem of a rulebook, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Problem {
    /// Where.
    pub position: Position,
    /// What.
    pub kind: ProblemKind,
}

impl Problem {
    pub(crate) fn new(position: Position, kind: ProblemKind) -> Problem {
        Problem { position, kind }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.kind)
    }
}

/// The errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rulebook did not load; every problem found is listed, in file
    /// order.
    #[error("{}", render_problems(.source_name, .problems))]
    Rulebook {
        /// The file name (or `<default>`, `<string>`).
        source_name: String,
        /// Every problem, in file order.
        problems: Vec<Problem>,
    },
    /// A pyramid, ledger or value computation failed.
    #[error(transparent)]
    Pyramid(#[from] crm_pyramid::Error),
    /// A migration computation failed.
    #[error(transparent)]
    Migration(#[from] crm_migration::Error),
    /// A value computation failed.
    #[error(transparent)]
    Value(#[from] crm_value::Error),
    /// A core model error.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
    /// The inputs of an analysis do not fit together.
    #[error("{0}")]
    Input(String),
}

fn render_problems(source: &str, problems: &[Problem]) -> String {
    let mut out = format!(
        "{source}: {} problem{} in the rulebook",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str(&format!("\n  {source}:{p}"));
    }
    out
}

impl Error {
    /// The problems of a rulebook that did not load; empty for other
    /// errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Rulebook { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The closest of `candidates` to `name` by edit distance, when close
/// enough to be a likely typo.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = name.chars().count().div_ceil(3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|c| (levenshtein(&name.to_ascii_lowercase(), c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c.to_string())
}

/// Edit distance counting a swap of two neighbours as one edit (optimal
/// string alignment), so that `levle` is one edit from `level`.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, x) in d.iter_mut().enumerate().take(w) {
        *x = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j - 1] + cost)
                .min(d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("levle", "level"), 1);
        assert_eq!(
            suggest("days_since_contcat", ["days_since_contact", "recency_days"]),
            Some("days_since_contact".into())
        );
        assert_eq!(suggest("zzz", ["level"]), None);
    }
}

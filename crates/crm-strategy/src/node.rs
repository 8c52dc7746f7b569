//! A document tree that remembers where each value stood, read from TOML
//! or JSON, so that every problem of a rulebook can be reported with its
//! line and column.

use std::ops::Range;

use crate::error::{Position, Problem, ProblemKind};

/// A value of the document and its byte range in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Str(String),
    /// A number as written (TOML integer or float, JSON number).
    Num(String),
    Bool(bool),
    Null,
    Array(Vec<Node>),
    /// Keys with their spans, in document order.
    Table(Vec<(String, Range<usize>, Node)>),
    /// A TOML date or date-time, as written.
    Datetime(String),
}

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Str(_) => "a string",
            Kind::Num(_) => "a number",
            Kind::Bool(_) => "a boolean",
            Kind::Null => "null",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
            Kind::Datetime(_) => "a date",
        }
    }
}

/// Line and column (both from 1, columns in characters) of byte `offset`.
pub(crate) fn position(src: &str, offset: usize) -> Position {
    let offset = offset.min(src.len());
    let before = &src[..floor_char(src, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    Position { line, column: col }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads a TOML document.
pub(crate) fn parse_toml(src: &str) -> Result<Node, Problem> {
    use toml::de::{DeTable, DeValue};
    fn convert(v: &toml::Spanned<DeValue<'_>>) -> Node {
        let span = v.span();
        let kind = match v.get_ref() {
            DeValue::String(s) => Kind::Str(s.to_string()),
            DeValue::Integer(i) => {
                let text = if i.radix() == 10 {
                    i.as_str().to_string()
                } else {
                    i64::from_str_radix(i.as_str(), i.radix())
                        .map_or_else(|_| i.as_str().to_string(), |n| n.to_string())
                };
                Kind::Num(text)
            }
            DeValue::Float(f) => Kind::Num(f.as_str().to_string()),
            DeValue::Boolean(b) => Kind::Bool(*b),
            DeValue::Datetime(d) => Kind::Datetime(d.to_string()),
            DeValue::Array(a) => Kind::Array(a.iter().map(convert).collect()),
            DeValue::Table(t) => Kind::Table(table(t)),
        };
        Node { span, kind }
    }
    fn table(t: &DeTable<'_>) -> Vec<(String, Range<usize>, Node)> {
        let mut out: Vec<_> = t
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), k.span(), convert(v)))
            .collect();
        // toml keeps keys sorted by name; the document order is the order
        // of their positions, which makes reports read top to bottom.
        out.sort_by_key(|(_, span, _)| span.start);
        out
    }
    match DeTable::parse(src) {
        Ok(doc) => Ok(Node {
            span: 0..src.len(),
            kind: Kind::Table(table(doc.get_ref())),
        }),
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let message = e.message().trim().to_string();
            Err(Problem::new(
                position(src, at),
                ProblemKind::Syntax { message },
            ))
        }
    }
}

/// Reads a JSON document.
pub(crate) fn parse_json(src: &str) -> Result<Node, Problem> {
    let mut p = Json {
        src: src.as_bytes(),
        text: src,
        i: 0,
        depth: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.src.len() {
        return Err(p.err("trailing characters after the document"));
    }
    Ok(v)
}

struct Json<'a> {
    src: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

/// Nesting beyond this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

impl Json<'_> {
    fn err(&self, message: &str) -> Problem {
        Problem::new(
            position(self.text, self.i),
            ProblemKind::Syntax {
                message: message.to_string(),
            },
        )
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.src.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.src.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Node, Problem> {
        let start = self.i;
        let kind = match self.src.get(self.i) {
            None => return Err(self.err("unexpected end of the document")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Kind::Str(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err("expected a value")),
        };
        Ok(Node {
            span: start..self.i,
            kind,
        })
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, Problem> {
        if self.src[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(kind)
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Kind, Problem> {
        let start = self.i;
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let s = p.i;
            while let Some(b'0'..=b'9') = p.src.get(p.i) {
                p.i += 1;
            }
            p.i > s
        };
        if !digits(self) {
            return Err(self.err("expected digits"));
        }
        if self.eat(b'.') && !digits(self) {
            return Err(self.err("expected digits after the decimal point"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !digits(self) {
                return Err(self.err("expected digits in the exponent"));
            }
        }
        Ok(Kind::Num(self.text[start..self.i].to_string()))
    }

    fn hex4(&mut self) -> Result<u32, Problem> {
        let h = self
            .text
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("expected four hex digits"))?;
        self.i += 4;
        Ok(h)
    }

    fn string(&mut self) -> Result<String, Problem> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.src.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.src.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(&e) = self.src.get(self.i) else {
                        return Err(self.err("unterminated string"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if !(self.eat(b'\\') && self.eat(b'u')) {
                                    return Err(self.err("expected a low surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("expected a low surrogate"));
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.ok_or_else(|| self.err("invalid \\u escape"))?);
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    }
                }
                Some(_) => return Err(self.err("control character in a string")),
            }
        }
    }

    fn enter(&mut self) -> Result<(), Problem> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Kind, Problem> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if !self.eat(b']') {
            loop {
                self.ws();
                items.push(self.value()?);
                self.ws();
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.err("expected ',' or ']'"));
                }
            }
        }
        self.depth -= 1;
        Ok(Kind::Array(items))
    }

    fn object(&mut self) -> Result<Kind, Problem> {
        self.enter()?;
        self.i += 1;
        let mut items: Vec<(String, Range<usize>, Node)> = Vec::new();
        self.ws();
        if !self.eat(b'}') {
            loop {
                self.ws();
                if self.src.get(self.i) != Some(&b'"') {
                    return Err(self.err("expected a key in double quotes"));
                }
                let kstart = self.i;
                let key = self.string()?;
                let kspan = kstart..self.i;
                if items.iter().any(|(k, _, _)| *k == key) {
                    self.i = kstart;
                    return Err(self.err(&format!("duplicate key `{key}`")));
                }
                self.ws();
                if !self.eat(b':') {
                    return Err(self.err("expected ':'"));
                }
                self.ws();
                let v = self.value()?;
                items.push((key, kspan, v));
                self.ws();
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.err("expected ',' or '}'"));
                }
            }
        }
        self.depth -= 1;
        Ok(Kind::Table(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_spans_and_unescapes() {
        let src = "{\n  \"a\": [1, -2.5e3, \"x\\u00e9\\n\"],\n  \"b\": true\n}";
        let n = parse_json(src).unwrap();
        let Kind::Table(t) = &n.kind else { panic!() };
        assert_eq!(t[0].0, "a");
        let Kind::Array(a) = &t[0].2.kind else {
            panic!()
        };
        assert_eq!(a[1].kind, Kind::Num("-2.5e3".into()));
        assert_eq!(a[2].kind, Kind::Str("xé\n".into()));
        let p = position(src, t[1].2.span.start);
        assert_eq!((p.line, p.column), (3, 8));
    }

    #[test]
    fn json_errors_have_positions() {
        let e = parse_json("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!((e.position.line, e.position.column), (2, 2));
        assert!(parse_json("[1,]").is_err());
        assert!(parse_json(&"[".repeat(1000)).is_err());
        assert!(parse_json("\"\\ud800\"").is_err());
    }

    #[test]
    fn toml_keys_in_document_order() {
        let n = parse_toml("z = 1\na = \"x\"\n").unwrap();
        let Kind::Table(t) = &n.kind else { panic!() };
        assert_eq!(t[0].0, "z");
        let e = parse_toml("a = \n").unwrap_err();
        assert_eq!(e.position.line, 1);
    }
}

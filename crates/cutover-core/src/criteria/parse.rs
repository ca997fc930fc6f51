//! Parser of criteria: a tokenizer and a precedence-climbing parser that
//! keep the byte offset of every token, so errors point at the exact column.
//!
//! ```text
//! expr   := or
//! or     := and ("or" and)*          ("||" also accepted)
//! and    := not ("and" not)*         ("&&" also accepted)
//! not    := ("not" | "!") not | cmp
//! cmp    := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
//! sum    := prod (("+" | "-") prod)*
//! prod   := unary (("*" | "/") unary)*
//! unary  := "-" unary | atom
//! atom   := NUMBER "%"? | "true" | "false" | "(" expr ")"
//!         | ("legacy" | "dagger") "." METRIC | METRIC | FUNCTION "(" args ")"
//! ```
//!
//! Limits: parentheses, `not` and unary minus nest at most [`MAX_NESTING`]
//! levels, and a criterion has at most [`MAX_TOKENS`] tokens. Together they
//! bound the depth of the tree, so neither this parser nor anything that
//! walks the tree (type checks, evaluation, drop) can overflow the stack on
//! hostile input.

use super::ast::{BinaryOp, Expr, Metric, MetricName, Scope};
use crate::text::suggestion;

/// A syntax or name error at a byte offset of the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the expression.
    pub offset: usize,
    /// Length of the offending text.
    pub len: usize,
    /// How to fix it.
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Ident(String),
    Op(&'static str),
    Percent,
    LParen,
    RParen,
    Comma,
    Dot,
}

struct Spanned {
    token: Token,
    offset: usize,
    len: usize,
}

/// Deepest nesting of parentheses, `not` and unary minus a criterion may use.
pub const MAX_NESTING: usize = 64;
/// Most tokens one criterion may have.
pub const MAX_TOKENS: usize = 2_000;

const OPERATORS: [&str; 14] = [
    ">=", "<=", "==", "!=", "&&", "||", ">", "<", "+", "-", "*", "/", "!", "=",
];

fn tokenize(text: &str) -> Result<Vec<Spanned>, ParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut open = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let token = if c.is_ascii_digit()
            || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b'_')
            {
                i += 1;
            }
            let literal: String = text[start..i].chars().filter(|c| *c != '_').collect();
            Token::Number(literal.parse().map_err(|_| {
                error(
                    format!("invalid number `{}`", &text[start..i]),
                    start,
                    i - start,
                )
            })?)
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Token::Ident(text[start..i].to_owned())
        } else {
            let (token, end) = symbol(text, start, &mut open)?;
            i = end;
            token
        };
        if tokens.len() == MAX_TOKENS {
            return Err(too_long(start, i - start));
        }
        tokens.push(Spanned {
            token,
            offset: start,
            len: i - start,
        });
    }
    Ok(tokens)
}

/// The punctuation or operator token at `start` (counting open
/// parentheses in `open`), and where it ends.
fn symbol(text: &str, start: usize, open: &mut usize) -> Result<(Token, usize), ParseError> {
    let token = match text.as_bytes()[start] {
        b'(' => {
            *open += 1;
            if *open > MAX_NESTING {
                return Err(too_deep(start, 1));
            }
            Token::LParen
        }
        b')' => {
            *open = open.saturating_sub(1);
            Token::RParen
        }
        b',' => Token::Comma,
        b'.' => Token::Dot,
        b'%' => Token::Percent,
        _ => {
            let rest = &text[start..];
            let op = OPERATORS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| {
                    let len = rest.chars().next().map_or(1, char::len_utf8);
                    error(
                        format!("unexpected character `{}`", &rest[..len]),
                        start,
                        len,
                    )
                })?;
            if *op == "=" {
                return Err(ParseError {
                    help: Some("compare with `==`".into()),
                    ..error("`=` is not an operator", start, 1)
                });
            }
            return Ok((Token::Op(op), start + op.len()));
        }
    };
    Ok((token, start + 1))
}

fn too_long(offset: usize, len: usize) -> ParseError {
    ParseError {
        help: Some("split the condition into several criteria".into()),
        ..error(
            format!("criterion too long: more than {MAX_TOKENS} tokens"),
            offset,
            len,
        )
    }
}

fn too_deep(offset: usize, len: usize) -> ParseError {
    ParseError {
        help: Some("simplify the condition or split it into several criteria".into()),
        ..error(
            format!("criterion nested too deeply: more than {MAX_NESTING} levels"),
            offset,
            len,
        )
    }
}

fn error(message: impl Into<String>, offset: usize, len: usize) -> ParseError {
    ParseError {
        message: message.into(),
        offset,
        len,
        help: None,
    }
}

struct Parser<'a> {
    tokens: Vec<Spanned>,
    position: usize,
    text: &'a str,
    /// Current nesting of parentheses, `not` and unary minus.
    depth: usize,
}

/// Parses a criterion.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(ParseError {
            help: Some("write a condition such as `dagger.success_rate >= 0.99`".into()),
            ..error("empty criterion", 0, 0)
        });
    }
    let mut parser = Parser {
        tokens,
        position: 0,
        text,
        depth: 0,
    };
    let expr = parser.or()?;
    if let Some(extra) = parser.tokens.get(parser.position) {
        return Err(ParseError {
            help: Some("join conditions with `and` / `or`".into()),
            ..error(
                format!(
                    "unexpected `{}`",
                    &text[extra.offset..extra.offset + extra.len]
                ),
                extra.offset,
                extra.len,
            )
        });
    }
    if kind(&expr) != Some(Kind::Truth) {
        return Err(ParseError {
            help: Some("compare a metric with a threshold, e.g. `parity >= 0.99`".into()),
            ..error(
                "a criterion must be a condition (true or false), not a number",
                0,
                text.len(),
            )
        });
    }
    Ok(expr)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Truth,
}

/// The type of an expression, or `None` when its parts do not fit together.
fn kind(expr: &Expr) -> Option<Kind> {
    match expr {
        Expr::Number(_) | Expr::Metric(_) => Some(Kind::Number),
        Expr::Bool(_) | Expr::NotSlower { .. } => Some(Kind::Truth),
        Expr::Not(inner) => (kind(inner)? == Kind::Truth).then_some(Kind::Truth),
        Expr::Negate(inner) => (kind(inner)? == Kind::Number).then_some(Kind::Number),
        Expr::Binary(op, left, right) => {
            let (left, right) = (kind(left)?, kind(right)?);
            match op {
                BinaryOp::And | BinaryOp::Or => {
                    (left == Kind::Truth && right == Kind::Truth).then_some(Kind::Truth)
                }
                BinaryOp::Eq | BinaryOp::Ne => (left == right).then_some(Kind::Truth),
                op if op.is_comparison() => {
                    (left == Kind::Number && right == Kind::Number).then_some(Kind::Truth)
                }
                _ => (left == Kind::Number && right == Kind::Number).then_some(Kind::Number),
            }
        }
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position).map(|t| &t.token)
    }

    fn next(&mut self) -> Option<&Spanned> {
        let token = self.tokens.get(self.position);
        self.position += 1;
        token
    }

    fn end_offset(&self) -> usize {
        self.text.len()
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(w)) if w == word)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token::Op(o)) if *o == op)
    }

    /// Parses one nested level with `inner`, refusing to go deeper than
    /// [`MAX_NESTING`] (the token just consumed is blamed).
    fn nested(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        if self.depth >= MAX_NESTING {
            let (offset, len) = self
                .tokens
                .get(self.position.saturating_sub(1))
                .map_or((0, 0), |t| (t.offset, t.len));
            return Err(too_deep(offset, len));
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.is_word("or") || self.is_op("||") {
            self.position += 1;
            left = Expr::Binary(BinaryOp::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.not()?;
        while self.is_word("and") || self.is_op("&&") {
            self.position += 1;
            left = Expr::Binary(BinaryOp::And, Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.is_word("not") || self.is_op("!") {
            self.position += 1;
            return Ok(Expr::Not(Box::new(self.nested(Self::not)?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let left = self.sum()?;
        let op = match self.peek() {
            Some(Token::Op(">=")) => BinaryOp::Ge,
            Some(Token::Op("<=")) => BinaryOp::Le,
            Some(Token::Op(">")) => BinaryOp::Gt,
            Some(Token::Op("<")) => BinaryOp::Lt,
            Some(Token::Op("==")) => BinaryOp::Eq,
            Some(Token::Op("!=")) => BinaryOp::Ne,
            _ => return Ok(left),
        };
        self.position += 1;
        Ok(Expr::Binary(op, Box::new(left), Box::new(self.sum()?)))
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek() {
                Some(Token::Op("+")) => BinaryOp::Add,
                Some(Token::Op("-")) => BinaryOp::Sub,
                _ => return Ok(left),
            };
            self.position += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Token::Op("*")) => BinaryOp::Mul,
                Some(Token::Op("/")) => BinaryOp::Div,
                _ => return Ok(left),
            };
            self.position += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is_op("-") {
            self.position += 1;
            return Ok(Expr::Negate(Box::new(self.nested(Self::unary)?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let end = self.end_offset();
        let Some(Spanned { token, offset, len }) = self.next().map(|t| Spanned {
            token: t.token.clone(),
            offset: t.offset,
            len: t.len,
        }) else {
            return Err(ParseError {
                help: Some("the expression ends too early".into()),
                ..error("expected a value", end, 0)
            });
        };
        match token {
            Token::Number(value) => {
                if self.peek() == Some(&Token::Percent) {
                    self.position += 1;
                    return Ok(Expr::Number(value / 100.0));
                }
                Ok(Expr::Number(value))
            }
            Token::LParen => {
                let inner = self.nested(Self::or)?;
                match self.next() {
                    Some(Spanned {
                        token: Token::RParen,
                        ..
                    }) => Ok(inner),
                    _ => Err(error("unclosed `(`", offset, len)),
                }
            }
            Token::Ident(word) => self.identifier(&word, offset, len),
            _ => Err(error(
                format!(
                    "expected a value, found `{}`",
                    &self.text[offset..offset + len]
                ),
                offset,
                len,
            )),
        }
    }

    fn identifier(&mut self, word: &str, offset: usize, len: usize) -> Result<Expr, ParseError> {
        match word {
            "true" => return Ok(Expr::Bool(true)),
            "false" => return Ok(Expr::Bool(false)),
            "legacy" | "dagger" => {
                let scope = if word == "legacy" {
                    Scope::Legacy
                } else {
                    Scope::Dagger
                };
                if self.peek() != Some(&Token::Dot) {
                    return Err(ParseError {
                        help: Some(format!("name a metric, e.g. `{word}.success_rate`")),
                        ..error(format!("`{word}` needs a metric"), offset, len)
                    });
                }
                self.position += 1;
                let Some(Spanned {
                    token: Token::Ident(name),
                    offset,
                    len,
                }) = self.next().map(|t| Spanned {
                    token: t.token.clone(),
                    offset: t.offset,
                    len: t.len,
                })
                else {
                    return Err(error(
                        format!("expected a metric name after `{word}.`"),
                        offset + len,
                        0,
                    ));
                };
                return metric(&name, offset, len).map(|name| Expr::Metric(Metric { scope, name }));
            }
            _ => {}
        }
        if self.peek() == Some(&Token::LParen) {
            return self.function(word, offset, len);
        }
        let name = metric(word, offset, len)?;
        let component_wide = matches!(
            name,
            MetricName::Runs
                | MetricName::Parity
                | MetricName::Mismatches
                | MetricName::Drift
                | MetricName::TestsPassed
                | MetricName::TestsTotal
                | MetricName::DrillsPassed
        );
        if !component_wide {
            return Err(ParseError {
                help: Some(format!("write `dagger.{word}` or `legacy.{word}`")),
                ..error(format!("`{word}` belongs to a side"), offset, len)
            });
        }
        Ok(Expr::Metric(Metric {
            scope: Scope::Component,
            name,
        }))
    }

    fn function(&mut self, name: &str, offset: usize, len: usize) -> Result<Expr, ParseError> {
        if name != "not_slower" {
            let help = suggestion(name, ["not_slower"])
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    "the only function is `not_slower(margin[, confidence])`".into()
                });
            return Err(ParseError {
                help: Some(help),
                ..error(format!("unknown function `{name}`"), offset, len)
            });
        }
        self.position += 1;
        let mut arguments = Vec::new();
        loop {
            if self.peek() == Some(&Token::RParen) {
                self.position += 1;
                break;
            }
            match self.unary()? {
                Expr::Number(value) => arguments.push(value),
                _ => {
                    return Err(error(
                        "`not_slower` takes numbers: a margin like `10%` and an optional confidence like `95%`",
                        offset,
                        len,
                    ));
                }
            }
            match self.next().map(|t| t.token.clone()) {
                Some(Token::Comma) => continue,
                Some(Token::RParen) => break,
                _ => return Err(error("unclosed `(` of `not_slower`", offset, len)),
            }
        }
        let (margin, confidence) = match arguments[..] {
            [margin] => (margin, 0.95),
            [margin, confidence] => (margin, confidence),
            _ => {
                return Err(error(
                    format!(
                        "`not_slower` takes 1 or 2 arguments, got {}",
                        arguments.len()
                    ),
                    offset,
                    len,
                ));
            }
        };
        if !(0.0..=10.0).contains(&margin) || !(0.5..1.0).contains(&confidence) {
            return Err(error(
                "`not_slower(margin, confidence)` needs a margin of 0%–1000% and a confidence between 50% and 100% (exclusive)",
                offset,
                len,
            ));
        }
        Ok(Expr::NotSlower { margin, confidence })
    }
}

fn metric(name: &str, offset: usize, len: usize) -> Result<MetricName, ParseError> {
    MetricName::ALL.iter().find(|(_, spelling)| *spelling == name).map(|(metric, _)| *metric).ok_or_else(|| {
        let names = MetricName::ALL.iter().map(|(_, s)| *s);
        let help = match suggestion(name, names) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "metrics: runs, success_rate, error_rate, p50/p90/p95/p99/mean/max_duration, parity, mismatches, tests_passed, tests_total, drift, drills_passed".into(),
        };
        ParseError { help: Some(help), ..error(format!("unknown metric `{name}`"), offset, len) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_examples() {
        for text in [
            "dagger.runs >= 20",
            "dagger.success_rate >= legacy.success_rate",
            "dagger.p95_duration <= 1.10 * legacy.p95_duration",
            "parity >= 0.99",
            "dagger.error_rate > legacy.error_rate + 0.10",
            "not_slower(10%) and not drift == 1",
            "(mismatches == 0 || parity >= 99.5%) && tests_passed == tests_total",
        ] {
            assert!(parse(text).is_ok(), "{text}: {:?}", parse(text));
        }
    }

    #[test]
    fn precedence_is_conventional() {
        let expr = parse("1 + 2 * 3 >= 7 and true").expect("parse");
        let Expr::Binary(BinaryOp::And, left, _) = expr else {
            panic!("and at the top")
        };
        let Expr::Binary(BinaryOp::Ge, sum, _) = *left else {
            panic!("comparison")
        };
        assert!(matches!(*sum, Expr::Binary(BinaryOp::Add, _, _)));
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let e = parse("dagger.sucess_rate >= 0.9").expect_err("typo");
        assert_eq!(
            (e.offset, e.len, e.message.as_str()),
            (7, 11, "unknown metric `sucess_rate`")
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `success_rate`?"));
        let e = parse("dagger.runs >= ").expect_err("truncated");
        assert_eq!(e.offset, 15);
        let e = parse("parity = 1").expect_err("single equals");
        assert_eq!(e.offset, 7);
        let e = parse("parity >= 1 1").expect_err("trailing");
        assert_eq!(e.offset, 12);
        let e = parse("(parity >= 1").expect_err("unclosed");
        assert_eq!(e.offset, 0);
        let e = parse("slowest(1)").expect_err("function");
        assert_eq!(e.message, "unknown function `slowest`");
        let e = parse("p95_duration < 3").expect_err("needs a side");
        assert_eq!(e.message, "`p95_duration` belongs to a side");
        let e = parse("parity + 1").expect_err("not a condition");
        assert!(e.message.starts_with("a criterion must be a condition"));
        assert!(parse("parity >= 1 and true").is_ok());
        assert!(parse("(parity >= 1) + 2 > 1").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let ok = format!(
            "{}parity >= 1{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert!(parse(&ok).is_ok());
        for depth in [MAX_NESTING + 1, 6_800, 100_000] {
            let deep = format!("{}parity >= 1{}", "(".repeat(depth), ")".repeat(depth));
            let e = parse(&deep).expect_err("too deep");
            assert!(
                e.message.starts_with("criterion nested too deeply"),
                "{e:?}"
            );
            assert_eq!(e.offset, MAX_NESTING);
            let nots = format!("{}parity >= 1", "not ".repeat(depth));
            assert!(parse(&nots).is_err());
            let minus = format!("{}1 < 2", "-".repeat(depth));
            assert!(parse(&minus).is_err());
        }
        let chain = format!("parity >= 1{}", " and true".repeat(100_000));
        let e = parse(&chain).expect_err("too long");
        assert!(e.message.starts_with("criterion too long"), "{e:?}");
    }
}

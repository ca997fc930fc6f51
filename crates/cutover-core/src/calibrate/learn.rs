//! [`Learner`]: learns `normalize` rules from texts that should have been
//! identical — two runs of the same legacy command — the way shadow-traffic
//! differs do: whatever differs between two runs of the same thing is noise.
//!
//! Differing lines are paired, split into whitespace-separated tokens, and
//! each differing token is explained either by a well-known shape found at
//! the same place in both tokens (a timestamp, a UUID, a temporary path),
//! which gives a rule without context, or by the span that varies, whose
//! character class and length are learned from every value observed and
//! anchored by the literal text just before it (`build id ` + `[0-9a-f]{8}`).
//! Lines that appear in one run only, or differ in their number of tokens,
//! cannot be explained by a rewrite and are reported as they are. Pure: no
//! I/O.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::exec::Normalizer;

/// A learned `normalize` rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoiseRule {
    /// The regex, as `normalize[].pattern` takes it.
    pub pattern: String,
    /// Its replacement, as `normalize[].replace` takes it.
    pub replace: String,
    /// Up to three values it was learned from.
    pub examples: Vec<String>,
}

/// Two lines that differed and that no learned rule explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unexplained {
    /// `stdout`, or `output <path>`.
    pub stream: String,
    /// The line in the first run (empty: absent).
    pub first: String,
    /// The line in the other run (empty: absent).
    pub second: String,
}

/// What calibration learned.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Learned {
    /// Rules, in the order they must be applied.
    pub rules: Vec<NoiseRule>,
    /// Streams (`stdout`, `output <path>`) that varied, each with how many
    /// lines differed in all.
    pub varying: BTreeMap<String, u64>,
    /// Differences left after applying the rules.
    pub unexplained: Vec<Unexplained>,
}

/// Well-known shapes of noise, tried in order: the regex and its placeholder.
const SHAPES: &[(&str, &str)] = &[
    (
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?",
        "<time>",
    ),
    (
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "<uuid>",
    ),
    ("/(?:tmp|var/tmp|var/folders)/[A-Za-z0-9._/-]+", "<tmp>"),
    ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "<date>"),
    ("[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?", "<clock>"),
];

/// Where a learned span is anchored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Anchor {
    /// A well-known shape (index into [`SHAPES`]): no anchor needed.
    Shape(usize),
    /// The literal text just before the span.
    After(String),
    /// The start of a line.
    LineStart,
}

/// Collects differences of text pairs, then turns them into rules.
#[derive(Debug, Default)]
pub struct Learner {
    /// Varying values seen per anchor.
    spans: BTreeMap<Anchor, BTreeSet<String>>,
    /// Every observed pair, to check the rules against.
    pairs: Vec<(String, String, String)>,
    varying: BTreeMap<String, u64>,
}

impl Learner {
    /// Records two versions of `stream` that should have been identical.
    pub fn observe(&mut self, stream: &str, first: &str, second: &str) {
        if first == second {
            return;
        }
        let mut differing = 0;
        for (a, b) in paired_lines(first, second) {
            differing += 1;
            if let (Some(a), Some(b)) = (a, b) {
                self.observe_line(&a, &b);
            }
        }
        *self.varying.entry(stream.to_owned()).or_default() += differing;
        self.pairs
            .push((stream.to_owned(), first.to_owned(), second.to_owned()));
    }

    fn observe_line(&mut self, a: &str, b: &str) {
        let (tokens_a, tokens_b) = (tokens(a), tokens(b));
        if tokens_a.len() != tokens_b.len() {
            return;
        }
        for (index, (x, y)) in tokens_a.iter().zip(&tokens_b).enumerate() {
            if x.text == y.text {
                continue;
            }
            let before = (index > 0 && tokens_a[index - 1].text == tokens_b[index - 1].text)
                .then(|| format!("{}{}", tokens_a[index - 1].text, tokens_a[index - 1].gap));
            if let Some((anchor, values)) = explain(x.text, y.text, before) {
                self.spans.entry(anchor).or_default().extend(values);
            }
        }
    }

    /// The rules (shapes first, then learned spans), and what they leave
    /// unexplained once applied after `base` (the spec's own rules).
    pub fn finish(self, base: &[(String, String)]) -> Learned {
        let rules: Vec<NoiseRule> = self
            .spans
            .iter()
            .map(|(anchor, values)| rule(anchor, values))
            .collect();
        let mut all = base.to_vec();
        all.extend(rules.iter().map(|r| (r.pattern.clone(), r.replace.clone())));
        let normalizer = Normalizer::new(&all).unwrap_or_default();
        let mut unexplained = Vec::new();
        for (stream, first, second) in &self.pairs {
            let (a, b) = (normalizer.apply(first, &[]), normalizer.apply(second, &[]));
            for (x, y) in paired_lines(&a, &b).into_iter().take(5) {
                let entry = Unexplained {
                    stream: stream.clone(),
                    first: x.unwrap_or_default(),
                    second: y.unwrap_or_default(),
                };
                if !unexplained.contains(&entry) {
                    unexplained.push(entry);
                }
            }
        }
        Learned {
            rules,
            varying: self.varying,
            unexplained,
        }
    }
}

/// Lines that differ, paired in order within each changed block; a line
/// with no counterpart is paired with `None`.
fn paired_lines(first: &str, second: &str) -> Vec<(Option<String>, Option<String>)> {
    let diff = TextDiff::from_lines(first, second);
    let mut pairs = Vec::new();
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let mut flush = |removed: &mut Vec<String>, added: &mut Vec<String>| {
        let count = removed.len().max(added.len());
        let (mut r, mut a) = (removed.drain(..), added.drain(..));
        for _ in 0..count {
            pairs.push((r.next(), a.next()));
        }
    };
    for change in diff.iter_all_changes() {
        let line = change.value().trim_end_matches('\n').to_owned();
        match change.tag() {
            ChangeTag::Delete => removed.push(line),
            ChangeTag::Insert => added.push(line),
            ChangeTag::Equal => flush(&mut removed, &mut added),
        }
    }
    flush(&mut removed, &mut added);
    pairs
}

/// A whitespace-separated token and the whitespace after it.
struct Token<'a> {
    text: &'a str,
    gap: &'a str,
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let after = &rest[end..];
        let next = after.len() - after.trim_start().len();
        out.push(Token {
            text: &rest[..end],
            gap: &after[..next],
        });
        rest = &after[next..];
    }
    out
}

/// Why two tokens differ: a shape found at the same place in both, or the
/// varying span anchored by the text before it (`before`: the previous
/// token and the whitespace after it, when both lines share it).
fn explain(a: &str, b: &str, before: Option<String>) -> Option<(Anchor, Vec<String>)> {
    for (index, (pattern, _)) in SHAPES.iter().enumerate() {
        let regex = Regex::new(pattern).ok()?;
        if let (Some(x), Some(y)) = (regex.find(a), regex.find(b))
            && a[..x.start()] == b[..y.start()]
            && a[x.end()..] == b[y.end()..]
        {
            return Some((
                Anchor::Shape(index),
                vec![x.as_str().to_owned(), y.as_str().to_owned()],
            ));
        }
    }
    let (prefix, suffix) = varying_span(a, b);
    let values = vec![
        a[prefix..a.len() - suffix].to_owned(),
        b[prefix..b.len() - suffix].to_owned(),
    ];
    let literal = &a[..prefix];
    let anchor = if literal.chars().any(char::is_alphabetic) {
        Anchor::After(literal.to_owned())
    } else {
        match before {
            Some(before) => Anchor::After(format!("{before}{literal}")),
            None if literal.is_empty() => Anchor::LineStart,
            None => Anchor::After(literal.to_owned()),
        }
    };
    Some((anchor, values))
}

/// Byte lengths of the common prefix and suffix around the varying span,
/// widened so the span never starts or ends inside a word (a number right
/// after a word, as in `v12`, stays apart from it).
fn varying_span(a: &str, b: &str) -> (usize, usize) {
    let mut prefix = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let mut suffix = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>()
        .min(a.len() - prefix)
        .min(b.len() - prefix);
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    loop {
        let (x, y) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
        let both_digits = digits(x) && digits(y);
        let joined = |c: char| c.is_alphanumeric() && !(both_digits && c.is_alphabetic());
        match (
            a[..prefix].chars().last(),
            a[a.len() - suffix..].chars().next(),
        ) {
            (Some(c), _) if joined(c) => prefix -= c.len_utf8(),
            (_, Some(c)) if joined(c) => suffix -= c.len_utf8(),
            _ => return (prefix, suffix),
        }
    }
}

/// The rule for one anchor, from every value seen there.
fn rule(anchor: &Anchor, values: &BTreeSet<String>) -> NoiseRule {
    let examples = values.iter().take(3).cloned().collect();
    let (pattern, replace) = match anchor {
        Anchor::Shape(index) => (SHAPES[*index].0.to_owned(), SHAPES[*index].1.to_owned()),
        Anchor::After(literal) => {
            let (class, placeholder) = generalize(values);
            (
                format!("{}{class}", regex::escape(literal)),
                format!("{}{placeholder}", literal.replace('$', "$$")),
            )
        }
        Anchor::LineStart => {
            let (class, placeholder) = generalize(values);
            (format!("(?m)^{class}"), placeholder.to_owned())
        }
    };
    NoiseRule {
        pattern,
        replace,
        examples,
    }
}

/// A regex matching every value (its character class and length range)
/// and the placeholder naming what they look like.
fn generalize(values: &BTreeSet<String>) -> (String, &'static str) {
    let chars: BTreeSet<char> = values.iter().flat_map(|v| v.chars()).collect();
    let has = |f: fn(&char) -> bool| chars.iter().any(f);
    let all_digits = !chars.is_empty() && chars.iter().all(char::is_ascii_digit);
    let mut class = String::new();
    if has(char::is_ascii_digit) {
        class.push_str("0-9");
    }
    let hex_lower = chars
        .iter()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(c));
    let hex_upper = chars
        .iter()
        .all(|c| c.is_ascii_digit() || ('A'..='F').contains(c));
    if has(char::is_ascii_lowercase) {
        class.push_str(if hex_lower { "a-f" } else { "a-z" });
    }
    if has(char::is_ascii_uppercase) {
        class.push_str(if hex_upper { "A-F" } else { "A-Z" });
    }
    for c in chars.iter().filter(|c| !c.is_ascii_alphanumeric()) {
        match c {
            '-' => class.push_str("\\-"),
            '\\' | ']' | '[' | '^' => {
                class.push('\\');
                class.push(*c);
            }
            _ => class.push(*c),
        }
    }
    let lengths: BTreeSet<usize> = values.iter().map(|v| v.chars().count()).collect();
    let (min, max) = (
        lengths.first().copied().unwrap_or(1),
        lengths.last().copied().unwrap_or(1),
    );
    let repeat = if all_digits {
        "+".to_owned()
    } else if min == max {
        format!("{{{min}}}")
    } else {
        format!("{{{min},{max}}}")
    };
    let placeholder = if all_digits {
        "<n>"
    } else if hex_lower || hex_upper {
        "<id>"
    } else {
        "<var>"
    };
    (format!("[{class}]{repeat}"), placeholder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn(pairs: &[(&str, &str)]) -> Learned {
        let mut learner = Learner::default();
        for (a, b) in pairs {
            learner.observe("stdout", a, b);
        }
        learner.finish(&[])
    }

    #[test]
    fn a_timestamp_and_a_build_id_become_two_rules() {
        let learned = learn(&[
            (
                "built at 2026-11-25T01:31:15.123456789Z\nbuild id: 3fa2c1d0\nok\n",
                "built at 2026-11-25T01:31:16.987654321Z\nbuild id: 88ab0e17\nok\n",
            ),
            (
                "built at 2026-11-25T01:31:15.123456789Z\nbuild id: 3fa2c1d0\nok\n",
                "built at 2026-11-25T01:31:17.000000001Z\nbuild id: 0a9b8c7d\nok\n",
            ),
        ]);
        let rules: Vec<(&str, &str)> = learned
            .rules
            .iter()
            .map(|r| (r.pattern.as_str(), r.replace.as_str()))
            .collect();
        assert_eq!(rules[0].1, "<time>");
        assert_eq!(rules[1], ("id: [0-9a-f]{8}", "id: <id>"));
        assert!(learned.unexplained.is_empty(), "{:?}", learned.unexplained);
        assert_eq!(learned.varying["stdout"], 4);
        // Learned rules generalise: values never seen are rewritten too.
        let all: Vec<(String, String)> = learned
            .rules
            .iter()
            .map(|r| (r.pattern.clone(), r.replace.clone()))
            .collect();
        let normalizer = Normalizer::new(&all).expect("valid");
        assert_eq!(
            normalizer.apply("built at 2031-01-01T00:00:00Z\nbuild id: ffffffff\n", &[]),
            "built at <time>\nbuild id: <id>\n"
        );
    }

    #[test]
    fn numbers_keep_their_units_and_words_their_context() {
        let learned = learn(&[("took 13ms (v12) pid=4411\n", "took 9ms (v13) pid=38\n")]);
        let rules: Vec<&str> = learned.rules.iter().map(|r| r.pattern.as_str()).collect();
        assert_eq!(rules, ["\\(v[0-9]+", "pid=[0-9]+", "took [0-9]+"]);
        assert!(learned.unexplained.is_empty());
    }

    #[test]
    fn a_temp_path_and_a_line_start_token() {
        let learned = learn(&[(
            "wrote /tmp/tmp.Ab3xY9/out.txt\nk7Qz2 started\n",
            "wrote /tmp/tmp.Zz81qw/out.txt\nP0aa9 started\n",
        )]);
        let rules: Vec<(&str, &str)> = learned
            .rules
            .iter()
            .map(|r| (r.pattern.as_str(), r.replace.as_str()))
            .collect();
        assert_eq!(rules[0].1, "<tmp>");
        assert_eq!(rules[1], ("(?m)^[0-9a-zA-Z]{5}", "<var>"));
        assert!(learned.unexplained.is_empty());
    }

    #[test]
    fn lines_that_come_and_go_stay_unexplained() {
        let learned = learn(&[("a\nb\n", "a\nb\nwarning: cache miss\n")]);
        assert!(learned.rules.is_empty());
        assert_eq!(
            learned.unexplained,
            [Unexplained {
                stream: "stdout".into(),
                first: String::new(),
                second: "warning: cache miss".into(),
            }]
        );
    }
}

//! Parity: do both sides give the same result? Compared are the exit codes,
//! stdout after normalization (the spec's regex rules, then the run's own
//! paths replaced by placeholders), and the digest of every declared output.
//! A mismatch gets a readable summary naming what differs and where.

use std::path::{Path, PathBuf};

use regex::Regex;

use super::digest::OutputDigest;
use crate::lifecycle::Side;

/// Rewrites stdout before comparing, so timestamps and temp paths do not
/// count as differences.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    rules: Vec<(Regex, String)>,
}

impl Normalizer {
    /// Compiles `(pattern, replacement)` rules; patterns were checked by `cutover check`.
    pub fn new(rules: &[(String, String)]) -> Result<Self, regex::Error> {
        let rules = rules
            .iter()
            .map(|(pattern, replace)| Ok((Regex::new(pattern)?, replace.clone())))
            .collect::<Result<_, regex::Error>>()?;
        Ok(Normalizer { rules })
    }

    /// Applies every rule in order, then replaces `paths` by their placeholders.
    pub fn apply(&self, text: &str, paths: &[(String, &str)]) -> String {
        let mut text = text.to_owned();
        for (pattern, replace) in &self.rules {
            text = pattern.replace_all(&text, replace.as_str()).into_owned();
        }
        for (path, placeholder) in paths.iter().filter(|(p, _)| !p.is_empty()) {
            text = text.replace(path.as_str(), placeholder);
        }
        text
    }
}

/// What one side produced, ready to compare.
#[derive(Debug, Clone)]
pub struct SideResult {
    /// Which side.
    pub side: Side,
    /// Its exit code.
    pub exit_code: i32,
    /// Normalized stdout.
    pub stdout: String,
    /// Digests of the declared outputs.
    pub outputs: Vec<OutputDigest>,
    /// Where its outputs are (for the first differing lines).
    pub out_dir: PathBuf,
}

/// The verdict of one comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parity {
    /// Same exit code, stdout and outputs.
    Match,
    /// Something differs.
    Mismatch {
        /// What differs, readably.
        summary: String,
    },
}

/// Compares two sides.
pub fn compare(a: &SideResult, b: &SideResult) -> Parity {
    let mut differences = Vec::new();
    if a.exit_code != b.exit_code {
        differences.push(format!(
            "exit code: {} {}, {} {}",
            a.side, a.exit_code, b.side, b.exit_code
        ));
    }
    if a.stdout != b.stdout {
        differences.push(format!(
            "stdout differs{}",
            first_difference(&a.stdout, &b.stdout, a.side, b.side)
        ));
    }
    for (x, y) in a.outputs.iter().zip(&b.outputs) {
        match (&x.digest, &y.digest) {
            (Some(dx), Some(dy)) if dx != dy => {
                let detail = text_difference(
                    &a.out_dir.join(&x.path),
                    &b.out_dir.join(&y.path),
                    a.side,
                    b.side,
                );
                differences.push(format!("output `{}` differs{detail}", x.path));
            }
            (Some(_), None) => {
                differences.push(format!("output `{}` missing on {}", x.path, b.side))
            }
            (None, Some(_)) => {
                differences.push(format!("output `{}` missing on {}", x.path, a.side))
            }
            (None, None) => differences.push(format!("output `{}` missing on both sides", x.path)),
            _ => {}
        }
    }
    if differences.is_empty() {
        Parity::Match
    } else {
        Parity::Mismatch {
            summary: differences.join("; "),
        }
    }
}

fn text_difference(a: &Path, b: &Path, side_a: Side, side_b: Side) -> String {
    const LIMIT: u64 = 4 * 1024 * 1024;
    let small = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= LIMIT);
    if !small(a) || !small(b) {
        return String::new();
    }
    match (std::fs::read_to_string(a), std::fs::read_to_string(b)) {
        (Ok(x), Ok(y)) => first_difference(&x, &y, side_a, side_b),
        _ => " (binary content)".to_owned(),
    }
}

/// ` at line N: legacy `…` / dagger `…``, lines shortened.
fn first_difference(a: &str, b: &str, side_a: Side, side_b: Side) -> String {
    let mut left = a.lines();
    let mut right = b.lines();
    let mut number = 0;
    loop {
        number += 1;
        match (left.next(), right.next()) {
            (None, None) => return String::new(),
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    " at line {number}: {side_a} `{}` / {side_b} `{}`",
                    shorten(x.unwrap_or("<end>")),
                    shorten(y.unwrap_or("<end>"))
                );
            }
        }
    }
}

fn shorten(line: &str) -> String {
    const MAX: usize = 80;
    if line.chars().count() <= MAX {
        line.to_owned()
    } else {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(side: Side, exit_code: i32, stdout: &str, digest: Option<&str>) -> SideResult {
        SideResult {
            side,
            exit_code,
            stdout: stdout.into(),
            outputs: vec![OutputDigest {
                path: "report.txt".into(),
                digest: digest.map(Into::into),
            }],
            out_dir: PathBuf::from("/nonexistent"),
        }
    }

    #[test]
    fn normalization_removes_noise() {
        let normalizer =
            Normalizer::new(&[("built at [0-9:T-]+".into(), "built at <time>".into())])
                .expect("regex");
        let text = normalizer.apply(
            "built at 2027-01-04T10:00:00 in /tmp/run1/out\n",
            &[("/tmp/run1/out".into(), "<out>")],
        );
        assert_eq!(text, "built at <time> in <out>\n");
    }

    #[test]
    fn names_what_differs() {
        let same = compare(
            &result(Side::Legacy, 0, "a\nb\n", Some("1")),
            &result(Side::Dagger, 0, "a\nb\n", Some("1")),
        );
        assert_eq!(same, Parity::Match);
        let differ = compare(
            &result(Side::Legacy, 0, "a\nb\n", Some("1")),
            &result(Side::Dagger, 2, "a\nc\n", None),
        );
        let Parity::Mismatch { summary } = differ else {
            panic!("expected a mismatch")
        };
        assert_eq!(
            summary,
            "exit code: legacy 0, dagger 2; stdout differs at line 2: legacy `b` / dagger `c`; output `report.txt` missing on dagger"
        );
    }
}

//! `junit`: JUnit XML test reports compared by what they say — the same
//! tests (by class name and name) with the same outcomes — not by timings,
//! hostnames, order or captured output. Differing tests are named.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{CompareContext, Verdict, read};
use crate::text::count;

/// Most differing tests listed.
const MAX_LISTED: usize = 20;

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Errored,
    Skipped,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "errored",
            Outcome::Skipped => "skipped",
        }
    }
}

/// Compares two JUnit XML reports.
pub fn compare(a: &Path, b: &Path, context: &CompareContext<'_>) -> Verdict {
    let (side_a, side_b) = context.sides;
    let parsed = |path: &Path, side| {
        read(path, side).and_then(|data| outcomes(&data).map_err(|e| format!("{side}: {e}")))
    };
    let (left, right) = match (parsed(a, side_a), parsed(b, side_b)) {
        (Ok(left), Ok(right)) => (left, right),
        (Err(error), _) | (_, Err(error)) => return Verdict::Differs(error),
    };
    let mut differing = Vec::new();
    for (name, x) in &left {
        match right.get(name) {
            None => differing.push(format!("`{name}` only in {side_a} ({})", x.as_str())),
            Some(y) if x != y => differing.push(format!(
                "`{name}`: {side_a} {}, {side_b} {}",
                x.as_str(),
                y.as_str()
            )),
            Some(_) => {}
        }
    }
    for (name, y) in right.iter().filter(|(n, _)| !left.contains_key(*n)) {
        differing.push(format!("`{name}` only in {side_b} ({})", y.as_str()));
    }
    if differing.is_empty() {
        return Verdict::Equivalent;
    }
    let total = differing.len();
    differing.truncate(MAX_LISTED);
    let verb = if total == 1 { "differs" } else { "differ" };
    let mut lines = vec![format!("{} {verb}", count(total, "test"))];
    lines.extend(differing);
    Verdict::Differs(lines.join("\n"))
}

/// `classname.name` → outcome, for every `<testcase>`.
fn outcomes(data: &[u8]) -> Result<BTreeMap<String, Outcome>, String> {
    let mut reader = Reader::from_reader(data);
    let mut buffer = Vec::new();
    let mut found = BTreeMap::new();
    let mut current: Option<(String, Outcome)> = None;
    let mut seen_root = false;
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| format!("not valid XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(tag) => {
                seen_root = true;
                match tag.local_name().as_ref() {
                    b"testcase" => current = Some((test_name(&tag)?, Outcome::Passed)),
                    other => mark(&mut current, other),
                }
            }
            Event::Empty(tag) => {
                seen_root = true;
                match tag.local_name().as_ref() {
                    b"testcase" => {
                        found.insert(test_name(&tag)?, Outcome::Passed);
                    }
                    other => mark(&mut current, other),
                }
            }
            Event::End(tag) if tag.local_name().as_ref() == b"testcase" => {
                if let Some((name, outcome)) = current.take() {
                    found.insert(name, outcome);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if !seen_root {
        return Err("not a JUnit XML report (no elements)".to_owned());
    }
    Ok(found)
}

/// A `<failure>`, `<error>` or `<skipped>` inside a test case sets its outcome.
fn mark(current: &mut Option<(String, Outcome)>, tag: &[u8]) {
    if let Some((_, outcome)) = current {
        match tag {
            b"failure" => *outcome = Outcome::Failed,
            b"error" => *outcome = Outcome::Errored,
            b"skipped" if *outcome == Outcome::Passed => *outcome = Outcome::Skipped,
            _ => {}
        }
    }
}

fn test_name(tag: &BytesStart<'_>) -> Result<String, String> {
    let mut class = String::new();
    let mut name = String::new();
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|e| format!("bad attribute: {e}"))?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value: {e}"))?
            .into_owned();
        match attribute.key.local_name().as_ref() {
            b"classname" => class = value,
            b"name" => name = value,
            _ => {}
        }
    }
    Ok(if class.is_empty() {
        name
    } else {
        format!("{class}.{name}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_ignore_timings_and_order() {
        let a = br#"<?xml version="1.0"?><testsuites><testsuite name="s" time="1.2">
            <testcase classname="m" name="adds" time="0.1"/>
            <testcase classname="m" name="divides" time="0.3"><failure message="x">boom</failure></testcase>
            <testcase classname="m" name="later"><skipped/></testcase>
            </testsuite></testsuites>"#;
        let found = outcomes(a).expect("parse");
        assert_eq!(found["m.adds"], Outcome::Passed);
        assert_eq!(found["m.divides"], Outcome::Failed);
        assert_eq!(found["m.later"], Outcome::Skipped);
        assert!(outcomes(b"not xml <<<").is_err() || outcomes(b"not xml").is_err());
    }
}

//! A YAML document as a tree that keeps what CI files rely on: the line of
//! every value, custom tags (GitLab's `!reference`), and anchors, aliases and
//! merge keys already expanded by serde-saphyr. Importers read CI files
//! through this tree; it never decides what a key means.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Spanned, Tagged};

/// One YAML value with its line and tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line where the value is used (for an alias, where the alias is).
    pub line: usize,
    /// Explicit tag (`!reference`), if any.
    pub tag: Option<String>,
    /// The value.
    pub value: Value,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    Text(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order (merge keys already applied).
    Map(Vec<(Node, Node)>),
}

/// A YAML file that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong, with the line when known.
    pub message: String,
}

impl Node {
    /// A node without a source line (built by an importer, e.g. after `extends`).
    pub fn synthetic(value: Value) -> Node {
        Node {
            line: 0,
            tag: None,
            value,
        }
    }

    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_key().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// The entries when this is a mapping, else none.
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items when this is a sequence, else none.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// A scalar as text (`true`, `3`, `abc`); `None` for null and collections.
    pub fn as_scalar(&self) -> Option<String> {
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) | Value::Text(n) => Some(n.clone()),
            _ => None,
        }
    }

    /// A mapping key as text. YAML 1.1 reads a bare `on` key as `true`;
    /// workflow files mean the word, so booleans read back as `on`/`off`.
    pub fn as_key(&self) -> Option<String> {
        match &self.value {
            Value::Bool(true) => Some("on".into()),
            Value::Bool(false) => Some("off".into()),
            _ => self.as_scalar(),
        }
    }

    /// A scalar, or each scalar of a sequence (nested sequences flattened,
    /// as GitLab flattens `script` and `needs`).
    pub fn strings(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_strings(&mut out);
        out
    }

    fn collect_strings(&self, out: &mut Vec<String>) {
        match &self.value {
            Value::Seq(items) => items.iter().for_each(|item| item.collect_strings(out)),
            _ => out.extend(self.as_scalar()),
        }
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
}

/// Parses `text` into a [`Node`] tree. Duplicate keys keep the last value, as
/// GitHub and GitLab do; alias bombs are refused by a budget scaled to the input.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let scaled = text.len().saturating_mul(4);
    let mut budget = Budget::default();
    budget.max_events = budget.max_events.max(scaled);
    budget.max_nodes = budget.max_nodes.max(scaled);
    let options = serde_saphyr::options! {
        budget: Some(budget),
        with_snippet: false,
        duplicate_keys: DuplicateKeyPolicy::LastWins,
        strict_booleans: true,
    };
    if text.trim().is_empty() {
        return Ok(Node::synthetic(Value::Null));
    }
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|error| YamlError {
        message: describe(&error),
    })
}

fn describe(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    match error.location().filter(|l| l.line() > 0) {
        Some(location) if !first.contains("line ") => {
            format!("line {}: {first}", location.line())
        }
        _ => first.to_owned(),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Tagged<Value>>::deserialize(deserializer)?;
        let Tagged(value, tag) = spanned.value;
        Ok(Node {
            line: spanned.referenced.line() as usize,
            tag: tag.map(|t| t.to_string()),
            value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_i128<E>(self, n: i128) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_u128<E>(self, n: u128) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Text(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Text(s))
    }
    fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::Text(String::from_utf8_lossy(b).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Node, Node>()? {
            entries.push(entry);
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_tags_and_merges() {
        let text =
            ".base: &b\n  image: x\njob:\n  <<: *b\n  script:\n    - !reference [.base, image]\n";
        let doc = parse(text).expect("test input");
        let job = doc.get("job").expect("test input");
        assert_eq!(
            job.get("image").expect("test input").as_scalar().as_deref(),
            Some("x")
        );
        let reference = &job.get("script").expect("test input").items()[0];
        assert_eq!(reference.tag.as_deref(), Some("!reference"));
        assert_eq!(reference.line, 6);
        assert_eq!(reference.strings(), vec![".base", "image"]);
    }

    #[test]
    fn reads_on_as_a_word_and_reports_syntax_errors_with_a_line() {
        let doc = parse("on: push\nn: 1\n").expect("test input");
        assert_eq!(
            doc.get("on").expect("test input").as_scalar().as_deref(),
            Some("push")
        );
        assert!(doc.get("n").is_some());
        let error = parse("a: [1,\nb: 2\n").expect_err("test input");
        assert!(error.message.contains("line"), "{}", error.message);
    }
}

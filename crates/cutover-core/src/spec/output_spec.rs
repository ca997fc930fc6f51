//! `outputs:` entries as written: a plain path, or a mapping naming how the
//! output is compared (`{ path: dist/lib.a, compare: symbols, allow: [...] }`).
//!
//! The string-or-mapping choice is made by a hand-written visitor rather than
//! `serde(untagged)`, so a wrong key inside the mapping is still reported at
//! its line and column with a "did you mean" hint.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};

/// One entry of `outputs:`.
#[derive(Debug)]
pub enum OutputEntry {
    /// `- dist/report.txt`: compared byte for byte.
    Path(String),
    /// `- { path: ..., compare: ... }`.
    Detailed(OutputMapping),
}

impl OutputEntry {
    /// The output's path, relative to the side's output directory.
    pub fn path(&self) -> &str {
        match self {
            OutputEntry::Path(path) => path,
            OutputEntry::Detailed(mapping) => &mapping.path,
        }
    }
}

/// An output with its comparison settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputMapping {
    /// File or directory, relative to the side's output directory.
    pub path: String,
    /// How the two sides' copies are compared (default `bytes`).
    #[serde(default)]
    pub compare: Option<CompareSpec>,
    /// `symbols`: symbol names allowed to differ (`*` matches any text).
    #[serde(default)]
    pub allow: Vec<String>,
    /// `json`: JSON Pointers (`/build/time`) whose values are not compared.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// `command`: a shell command line given both paths as `$1` and `$2`;
    /// exit 0 means equivalent, its stdout explains a difference.
    #[serde(default)]
    pub run: Option<String>,
    /// `archive`: how matching members are compared (default `bytes`).
    #[serde(default)]
    pub members: Vec<MemberSpec>,
}

/// `members:` of an `archive` output: a comparison for matching members.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    /// Member paths this applies to (`*` matches any text, `/` included).
    #[serde(rename = "match")]
    pub pattern: String,
    /// How matching members are compared: `bytes`, `text`, `symbols`, `junit` or `json`.
    pub compare: CompareSpec,
    /// `symbols`: names allowed to differ.
    #[serde(default)]
    pub allow: Vec<String>,
    /// `json`: ignored JSON Pointers.
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// The comparators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompareSpec {
    /// Byte for byte (directories: file by file, with modes and symlinks).
    Bytes,
    /// Content after the component's `normalize` rules.
    Text,
    /// tar, tar.gz, gzip or zip members by path, content and mode.
    Archive,
    /// Exported symbols of an object file, shared library or static archive.
    Symbols,
    /// JUnit XML: the same tests with the same outcomes.
    Junit,
    /// Semantic JSON equality.
    Json,
    /// A comparator command of your own.
    Command,
}

/// `stdout:` — whether stdout is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StdoutSpec {
    /// Compared after `normalize` (the default).
    Compare,
    /// Not compared: parity rests on the exit code and the outputs.
    Ignore,
}

impl<'de> Deserialize<'de> for OutputEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = OutputEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a path or a mapping with `path:` and `compare:`")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<OutputEntry, E> {
        Ok(OutputEntry::Path(value.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OutputEntry, A::Error> {
        OutputMapping::deserialize(MapAccessDeserializer::new(map)).map(OutputEntry::Detailed)
    }
}

impl JsonSchema for OutputEntry {
    fn schema_name() -> Cow<'static, str> {
        "OutputEntry".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mapping = generator.subschema_for::<OutputMapping>();
        json_schema!({
            "description": "A path compared byte for byte, or a mapping naming its comparator.",
            "anyOf": [{ "type": "string" }, mapping]
        })
    }
}

//! The parse pass: file → [`MigrationSpec`] → (via [`super::validate`]) [`Migration`].
//!
//! Owns YAML syntax errors, wrong types, unknown keys (with a "did you mean"
//! hint) and missing required fields. serde stops at the first such
//! problem; after an unknown key or a wrong value this pass blanks the
//! entry out and parses again, so those come all at once and together with
//! the validate pass's problems (`kind`, `owner` and `effort` of a
//! component are checked there for the same reason).

use std::path::{Path, PathBuf};

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, DefaultMessageFormatter, Error as YamlError, MessageFormatter};

use super::diagnostic::{SourcePosition, SpecDiagnostic, SpecErrors};
use super::model::Migration;
use super::validate::validate;
use super::wire::MigrationSpec;
use crate::text::{backtick_list, suggestion};

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("failed to read spec `{}`", path.display())]
    Read {
        /// The spec path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The spec has problems; each points into the file.
    #[error("invalid spec `{}`", .0.file_name())]
    Invalid(SpecErrors),
}

/// Reads and validates the spec at `path`.
pub fn load_spec(path: &Path) -> Result<Migration, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|error| {
        LoadError::Invalid(not_utf8(&file, error.as_bytes(), error.utf8_error()))
    })?;
    let base = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    parse_spec_in(&file, &text, Some(base)).map_err(LoadError::Invalid)
}

/// A spec that is not UTF-8 is a spec problem, pointed at its first bad byte.
fn not_utf8(file: &str, bytes: &[u8], error: std::str::Utf8Error) -> SpecErrors {
    let valid = &bytes[..error.valid_up_to()];
    let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&valid[line_start..])
        .chars()
        .count()
        + 1;
    let text = String::from_utf8_lossy(bytes).into_owned();
    let position = SourcePosition {
        line,
        column,
        offset: error.valid_up_to(),
        len: 0,
    };
    let diagnostic = SpecDiagnostic::new("the spec is not valid UTF-8 text", position)
        .with_label("invalid byte")
        .with_help("save the file as UTF-8 (YAML files must be UTF-8)");
    SpecErrors::new(file, &text, vec![diagnostic])
}

/// Parses and validates spec text; `file` names it in diagnostics.
/// Path fields are checked lexically only: there is no project directory.
pub fn parse_spec(file: &str, text: &str) -> Result<Migration, SpecErrors> {
    parse_spec_in(file, text, None)
}

/// Parses and validates spec text whose project directory is `base`, so
/// path fields are also resolved through the symlinks that exist there.
pub fn parse_spec_in(file: &str, text: &str, base: Option<&Path>) -> Result<Migration, SpecErrors> {
    let parsed = parse_recovering(text);
    let mut diagnostics = parsed.diagnostics;
    let Some(wire) = parsed.wire else {
        return Err(SpecErrors::new(file, text, diagnostics));
    };
    match validate(&wire, text, base) {
        Ok(migration) if diagnostics.is_empty() => Ok(migration),
        Ok(_) => Err(SpecErrors::new(file, text, diagnostics)),
        Err(more) => {
            diagnostics.extend(
                more.into_iter()
                    .filter(|d| !already_reported(d, &parsed.blanked, text)),
            );
            Err(SpecErrors::new(file, text, diagnostics))
        }
    }
}

/// Most parse errors recovered from in one spec before giving up.
const MAX_RECOVERED: usize = 50;

/// The outcome of the parse pass: the wire spec when one could be read
/// (possibly with entries blanked out), every problem met on the way, and
/// the blanked entries as (line, key).
struct Parsed {
    wire: Option<MigrationSpec>,
    diagnostics: Vec<SpecDiagnostic>,
    blanked: Vec<(usize, String)>,
}

/// Parses, and after an unknown key or a wrong value blanks that entry out
/// and parses again (see [`super::recover`]), so that one round reports
/// them all together with the validate pass's problems.
fn parse_recovering(text: &str) -> Parsed {
    let mut patched = text.to_owned();
    let mut parsed = Parsed {
        wire: None,
        diagnostics: Vec::new(),
        blanked: Vec::new(),
    };
    for _ in 0..MAX_RECOVERED {
        let error = match parse_wire(&patched) {
            Ok(wire) => {
                parsed.wire = Some(wire);
                return parsed;
            }
            Err(error) => error,
        };
        let diagnostic = yaml_diagnostic(&error, text);
        let offset = diagnostic.position.offset;
        let line = diagnostic.position.line;
        parsed.diagnostics.push(diagnostic);
        let Some(at_key) = recoverable(&error) else {
            return parsed;
        };
        let Some(start) = super::recover::blank_entry(&mut patched, offset, at_key) else {
            return parsed;
        };
        let key = text[start..]
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        parsed.blanked.push((line, key));
    }
    parsed
}

/// Whether parsing can go on after `error` by blanking its entry out, and
/// if so whether the error points at the key (rather than the value).
fn recoverable(error: &YamlError) -> Option<bool> {
    let mut error = error;
    while let YamlError::AliasError { error: inner, .. }
    | YamlError::WithSnippet { error: inner, .. } = error
    {
        error = inner;
    }
    match error {
        YamlError::SerdeUnknownField { .. } | YamlError::DuplicateMappingKey { .. } => Some(true),
        YamlError::SerdeUnknownVariant { .. }
        | YamlError::InvalidScalar { .. }
        | YamlError::SerdeInvalidType { .. }
        | YamlError::SerdeInvalidValue { .. } => Some(false),
        _ => None,
    }
}

/// A "missing required key" the parse pass caused by blanking out the very
/// key it had already reported (a wrong `kind:` value, say).
fn already_reported(diagnostic: &SpecDiagnostic, blanked: &[(usize, String)], text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let start = diagnostic.position;
    blanked.iter().any(|(line, key)| {
        diagnostic.message == format!("missing required key `{key}`")
            && *line >= start.line
            && (*line == start.line
                || (start.line..*line).all(|n| {
                    let content = lines.get(n).copied().unwrap_or("");
                    let indent = content.len() - content.trim_start().len();
                    content.trim().is_empty() || indent + 1 >= start.column
                }))
    })
}

/// Deserializes the wire types, with limits scaled to the input so that
/// large generated specs parse while alias bombs are still refused.
fn parse_wire(text: &str) -> Result<MigrationSpec, YamlError> {
    let scaled = text.len().saturating_mul(2);
    let mut budget = Budget::default();
    budget.max_events = budget.max_events.max(scaled);
    budget.max_nodes = budget.max_nodes.max(scaled);
    let options = serde_saphyr::options! {
        budget: Some(budget),
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<MigrationSpec>(text, options)
}

/// Turns a serde-saphyr error into a diagnostic, adding hints for the
/// mistakes people make most: misspelt keys and values.
fn yaml_diagnostic(error: &YamlError, text: &str) -> SpecDiagnostic {
    let mut error = error;
    while let YamlError::AliasError { error: inner, .. }
    | YamlError::WithSnippet { error: inner, .. } = error
    {
        error = inner;
    }
    let position = error
        .location()
        .filter(|l| l.line() > 0)
        .map_or_else(SourcePosition::start, |l| {
            SourcePosition::from_location(&l, text)
        });
    match error {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => unknown_name("key", field, expected, position),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => unknown_name("value", variant, expected, position),
        YamlError::SerdeMissingField { field, .. } => SpecDiagnostic::new(
            format!("missing required key `{field}`"),
            mapping_start(text, position),
        )
        .with_label(format!("this mapping needs `{field}`"))
        .with_help(format!("add `{field}:` to this mapping")),
        YamlError::InvalidScalar { ty, .. } => {
            let found = text
                .get(position.offset..)
                .and_then(|rest| rest.lines().next())
                .unwrap_or("");
            SpecDiagnostic::new(
                format!(
                    "invalid value `{}`: expected {}",
                    found.trim(),
                    describe_type(ty)
                ),
                position,
            )
            .with_label(format!("not {}", describe_type(ty)))
        }
        YamlError::DuplicateMappingKey { key, .. } => {
            let name = key.as_deref().map_or(String::new(), |k| format!(" `{k}`"));
            SpecDiagnostic::new(format!("duplicate key{name}"), position)
                .with_label("defined again here")
                .with_help(
                    "a key may appear only once in a mapping; remove or merge the repeated entry",
                )
        }
        YamlError::Budget { breach, .. } => SpecDiagnostic::new(budget_message(breach), position)
            .with_label("here")
            .with_help(
                "a migration spec needs no deep nesting or alias expansion; write it out plainly",
            ),
        other => {
            let message = DefaultMessageFormatter.format_message(other);
            match message
                .contains("tab")
                .then(|| tab_at_or_after(text, position))
            {
                Some(Some(tab)) => SpecDiagnostic::new(lowercase_first(&message), tab)
                    .with_label("a tab")
                    .with_help("YAML indents with spaces only: replace the tab with spaces"),
                _ => SpecDiagnostic::new(lowercase_first(&message), position).with_label("here"),
            }
        }
    }
}

/// The first tab at or after `from`: the parser reports a tab where the
/// token it was scanning began (often the line before), not at the tab.
fn tab_at_or_after(text: &str, from: SourcePosition) -> Option<SourcePosition> {
    let offset = from.offset + text.get(from.offset..)?.find('\t')?;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    Some(SourcePosition {
        line: text[..offset].matches('\n').count() + 1,
        column: text[line_start..offset].chars().count() + 1,
        offset,
        len: 1,
    })
}

/// Says which parser limit a spec exceeded, in the spec's own terms.
fn budget_message(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Depth { depth } => {
            format!("the spec is nested too deeply ({depth} levels of lists and mappings)")
        }
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => {
            "the spec uses too many anchors or aliases".to_owned()
        }
        _ => "the spec is too large to read (too many YAML nodes or alias expansions)".to_owned(),
    }
}

fn describe_type(ty: &str) -> &'static str {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
            "a whole number"
        }
        "f32" | "f64" => "a number",
        "bool" => "`true` or `false`",
        _ => "a value of another type",
    }
}

/// serde reports a missing key where the mapping *ends*; walk back to the
/// mapping's first key so the frame shows the mapping that needs it.
fn mapping_start(text: &str, end: SourcePosition) -> SourcePosition {
    let indent = end.column.saturating_sub(1);
    let lines: Vec<&str> = text.lines().collect();
    let mut first = end.line;
    for number in (1..end.line).rev() {
        let Some(line) = lines.get(number - 1) else {
            break;
        };
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let leading = line.len() - content.len();
        if leading == indent {
            first = number;
        } else if content.starts_with("- ") && leading + 2 == indent {
            first = number;
            break;
        } else if leading < indent {
            break;
        }
    }
    if first == end.line {
        return end;
    }
    let offset: usize = text
        .split_inclusive('\n')
        .take(first - 1)
        .map(str::len)
        .sum::<usize>()
        + indent;
    let key_len = lines
        .get(first - 1)
        .and_then(|l| l.get(indent..))
        .map_or(0, |rest| rest.find(':').unwrap_or(0));
    SourcePosition {
        line: first,
        column: end.column,
        offset,
        len: key_len,
    }
}

fn unknown_name(
    what: &str,
    name: &str,
    expected: &[&'static str],
    position: SourcePosition,
) -> SpecDiagnostic {
    let diagnostic = SpecDiagnostic::new(format!("unknown {what} `{name}`"), position)
        .with_label(format!("unknown {what}"));
    match suggestion(name, expected.iter().copied()) {
        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
        None if expected.is_empty() => diagnostic,
        None => diagnostic.with_help(format!("expected one of {}", backtick_list(expected))),
    }
}

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

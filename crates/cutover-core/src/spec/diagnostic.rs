//! Spec problems with their place in the YAML.
//!
//! Every pass over the spec collects [`SpecDiagnostic`]s instead of stopping
//! at the first problem; [`SpecErrors`] carries them with the source text so
//! the binary can render code frames (through miette) without rereading the
//! file.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde_saphyr::Location;

/// A position in the spec source: 1-based line and column plus the byte
/// range that the code frame underlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePosition {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes (0 for a point).
    pub len: usize,
}

impl SourcePosition {
    /// Converts a serde-saphyr location; the byte offset is recomputed from
    /// line and column when the parser did not record one.
    pub fn from_location(location: &Location, source: &str) -> Self {
        let line = usize::try_from(location.line())
            .unwrap_or(usize::MAX)
            .max(1);
        let column = usize::try_from(location.column())
            .unwrap_or(usize::MAX)
            .max(1);
        let span = location.span();
        let offset = span
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
            .filter(|o| *o <= source.len())
            .unwrap_or_else(|| offset_of(source, line, column));
        let len = span
            .byte_len()
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(0)
            .min(source.len().saturating_sub(offset));
        SourcePosition {
            line,
            column,
            offset,
            len,
        }
    }

    /// A position at the very start of the file, for problems with no better place.
    pub fn start() -> Self {
        SourcePosition {
            line: 1,
            column: 1,
            offset: 0,
            len: 0,
        }
    }
}

/// Byte offset of a 1-based line and (character) column, clamped to the source.
fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = source.get(line_start..).unwrap_or("");
    let within: usize = rest
        .chars()
        .take_while(|c| *c != '\n')
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    (line_start + within).min(source.len())
}

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecDiagnostic {
    /// Lowercase message fragment: "unknown dependency `x`".
    pub message: String,
    /// Where the problem is.
    pub position: SourcePosition,
    /// Key path of the offending value: `components[3].depends_on[0]`.
    pub path: Option<String>,
    /// Short text under the underlined span.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places worth showing (the first definition of a duplicate, …).
    pub related: Vec<(SourcePosition, String)>,
    /// Whether the value at `position` may be a secret (a password written
    /// where the name of its variable belongs): the code frame masks it, so
    /// a CI log of `cutover check` never shows it.
    pub secret: bool,
}

impl SpecDiagnostic {
    /// A diagnostic with a message and a position; refine with the `with_*` methods.
    pub fn new(message: impl Into<String>, position: SourcePosition) -> Self {
        SpecDiagnostic {
            message: message.into(),
            position,
            path: None,
            label: None,
            help: None,
            related: Vec::new(),
            secret: false,
        }
    }

    /// Marks the value at the position as possibly secret (masked in the frame).
    pub fn with_secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// Sets the key path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the label under the span.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the fix hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary labelled place.
    pub fn with_related(mut self, position: SourcePosition, label: impl Into<String>) -> Self {
        self.related.push((position, label.into()));
        self
    }
}

/// Every problem found in one spec, with the source they point into.
#[derive(Debug, Clone)]
pub struct SpecErrors {
    /// The spec as read, named by its path, shared by all rendered reports.
    pub source: Arc<NamedSource<String>>,
    /// The problems, in source order.
    pub diagnostics: Vec<SpecDiagnostic>,
}

impl SpecErrors {
    /// Collects diagnostics for a source, sorted by position.
    /// Values marked [`SpecDiagnostic::with_secret`] are masked in the source kept.
    pub fn new(file: &str, text: &str, mut diagnostics: Vec<SpecDiagnostic>) -> Self {
        diagnostics.sort_by_key(|d| (d.position.offset, d.message.clone()));
        let mut kept = text.to_owned();
        for diagnostic in diagnostics.iter().filter(|d| d.secret) {
            mask_value(&mut kept, diagnostic.position);
        }
        SpecErrors {
            source: Arc::new(NamedSource::new(file, kept)),
            diagnostics,
        }
    }

    /// The file name the diagnostics point into.
    pub fn file_name(&self) -> &str {
        self.source.name()
    }

    /// Each diagnostic as a miette report bound to the source.
    pub fn reports(&self) -> impl Iterator<Item = SpecReport<'_>> {
        self.diagnostics.iter().map(|diagnostic| SpecReport {
            diagnostic,
            source: &self.source,
        })
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for report in self.reports() {
            writeln!(f, "{report}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// Replaces the scalar at `at` (to the end of its span, or else to the
/// next `,`, `}`, `]` or line end) with `*`, byte for byte, so every other
/// offset stays valid.
fn mask_value(text: &mut String, at: SourcePosition) {
    let Some(rest) = text.get(at.offset..) else {
        return;
    };
    let end = if at.len > 0 {
        at.len
    } else {
        rest.find([',', '}', ']', '\n']).unwrap_or(rest.len())
    };
    let end = end.min(rest.len());
    if !rest.is_char_boundary(end) {
        return;
    }
    let masked: String = "*".repeat(end);
    text.replace_range(at.offset..at.offset + masked.len(), &masked);
}

/// A [`SpecDiagnostic`] bound to its source text, renderable by miette.
#[derive(Debug)]
pub struct SpecReport<'a> {
    diagnostic: &'a SpecDiagnostic,
    source: &'a NamedSource<String>,
}

impl fmt::Display for SpecReport<'_> {
    /// One line: `file:line:column: message (path)`, the form CI logs and editors link.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        write!(
            f,
            "{}:{}:{}: {}",
            self.source.name(),
            d.position.line,
            d.position.column,
            d.message
        )?;
        if let Some(path) = &d.path {
            write!(f, " (at `{path}`)")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecReport<'_> {}

impl Diagnostic for SpecReport<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            d.label.clone(),
            SourceSpan::new(d.position.offset.into(), d.position.len),
        );
        let related = d.related.iter().map(|(position, label)| {
            LabeledSpan::new_with_span(
                Some(label.clone()),
                SourceSpan::new(position.offset.into(), position.len),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_masked_in_the_kept_source() {
        let text = "a: { url_env: \"https://h/é\", b: 1 }\n";
        let position = SourcePosition {
            line: 1,
            column: 15,
            offset: 14,
            len: 0,
        };
        let errors = SpecErrors::new(
            "m.yaml",
            text,
            vec![SpecDiagnostic::new("x", position).with_secret()],
        );
        let kept = errors.source.inner();
        assert_eq!(kept.len(), text.len());
        assert!(!kept.contains("https"), "{kept}");
        assert!(kept.ends_with(", b: 1 }\n"), "{kept}");
    }

    #[test]
    fn offsets_follow_lines_and_columns() {
        let text = "a: 1\nbé: 2\n";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 1), 5);
        assert_eq!(offset_of(text, 2, 3), 8);
        assert_eq!(offset_of(text, 9, 9), text.len());
    }
}

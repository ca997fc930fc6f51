//! The mode file: each component's mode, committed with the code.
//!
//! `migration.modes` beside the spec, one line per component in spec
//! order, so a change reads as a one-line diff in a pull request:
//! ```text
//! # cutover modes: written by `cutover advance`, `rollback` and `sync`; commit it.
//! base-image: dagger
//! build-api: canary 25
//! deploy: legacy
//! ```
//! The file is the source of truth for modes: a fresh clone routes as it
//! says, with no network. A component it does not list is in legacy. Blank
//! lines and `#` comments are allowed; cutover rewrites the whole file (in
//! spec order) whenever it changes a mode.
//!
//! Two passes, like the spec's: [`ModeFile::parse`] owns syntax and what a
//! mode file must mean on its own against the spec (known component, known
//! mode, a canary share 1–100 exactly when canary, no duplicates) and runs
//! whenever a workspace opens; [`ModeFile::consistency`] owns the rules
//! across components (a retired component's dependents no longer run
//! legacy) and is reported by `cutover check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::lifecycle::{Mode, ModeState};
use crate::spec::diagnostic::SourcePosition;
use crate::spec::{Migration, SpecDiagnostic, SpecErrors};

/// The mode file's name, in the spec's directory.
pub const MODE_FILE_NAME: &str = "migration.modes";

/// The first line cutover writes.
const HEADER: &str = "# cutover modes: written by `cutover advance`, `rollback` and `sync`; commit it.\n\
# One line per component: `id: mode`, canary with its share (`canary 25`).\n";

/// The committed modes: component id → mode, with where each was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModeFile {
    entries: BTreeMap<String, Entry>,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    state: ModeState,
    /// Where the component id starts (none for entries set in memory).
    position: Option<SourcePosition>,
}

/// Why a mode file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModeFileError {
    /// The file exists but could not be read.
    #[error("failed to read mode file `{}`", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file has problems; each points at its line and column.
    #[error("invalid mode file `{}`", .0.file_name())]
    Invalid(SpecErrors),
}

impl ModeFile {
    /// Reads the mode file at `path`: `None` when there is none yet (modes
    /// then come from the store, as before mode files existed).
    pub fn load(path: &Path, migration: &Migration) -> Result<Option<ModeFile>, ModeFileError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ModeFileError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let file = path.display().to_string();
        ModeFile::parse(&file, &text, migration)
            .map(Some)
            .map_err(ModeFileError::Invalid)
    }

    /// [`ModeFile::load`] plus the rules across components
    /// ([`ModeFile::consistency`]): what `cutover check` reports.
    pub fn check(path: &Path, migration: &Migration) -> Result<Option<ModeFile>, ModeFileError> {
        let Some(modes) = ModeFile::load(path, migration)? else {
            return Ok(None);
        };
        let problems = modes.consistency(migration);
        if problems.is_empty() {
            return Ok(Some(modes));
        }
        let text = std::fs::read_to_string(path).map_err(|source| ModeFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        let file = path.display().to_string();
        Err(ModeFileError::Invalid(SpecErrors::new(
            &file, &text, problems,
        )))
    }

    /// How many components the file lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file lists no component.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses mode file text against the spec, reporting every problem.
    pub fn parse(file: &str, text: &str, migration: &Migration) -> Result<ModeFile, SpecErrors> {
        let mut modes = ModeFile::default();
        let mut problems = Vec::new();
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let at = LineAt {
                text: line.trim_end_matches(['\n', '\r']),
                number: index + 1,
                offset,
            };
            offset += line.len();
            match parse_line(&at, migration) {
                Ok(None) => {}
                Ok(Some((id, state, position))) => {
                    if let Some(first) = modes.entries.get(&id).and_then(|e| e.position) {
                        problems.push(
                            SpecDiagnostic::new(format!("`{id}` is listed twice"), position)
                                .with_label("again here")
                                .with_related(first, "first listed here")
                                .with_help("keep one line per component"),
                        );
                        continue;
                    }
                    let position = Some(position);
                    modes.entries.insert(id, Entry { state, position });
                }
                Err(problem) => problems.push(*problem),
            }
        }
        if problems.is_empty() {
            Ok(modes)
        } else {
            Err(SpecErrors::new(file, text, problems))
        }
    }

    /// Problems across components: a retired component whose dependents
    /// still run legacy (its legacy side, which they may need, is gone).
    pub fn consistency(&self, migration: &Migration) -> Vec<SpecDiagnostic> {
        let mut problems = Vec::new();
        for (index, component) in migration.components.iter().enumerate() {
            let Some(entry) = self.entries.get(&component.id) else {
                continue;
            };
            if entry.state.mode != Mode::Retired {
                continue;
            }
            let behind: Vec<String> = migration
                .components
                .iter()
                .filter(|d| d.depends_on.contains(&index))
                .map(|d| (d, self.get(&d.id)))
                .filter(|(_, state)| state.mode < Mode::Dagger)
                .map(|(d, state)| format!("`{}` ({})", d.id, state.mode))
                .collect();
            if behind.is_empty() {
                continue;
            }
            let position = entry.position.unwrap_or_else(SourcePosition::start);
            problems.push(
                SpecDiagnostic::new(
                    format!(
                        "`{}` is retired but components that depend on it still run legacy: {}",
                        component.id,
                        behind.join(", ")
                    ),
                    position,
                )
                .with_label("retired here")
                .with_help("move its dependents to dagger first, or put it back in dagger"),
            );
        }
        problems
    }

    /// The committed mode of a component (legacy when not listed).
    pub fn get(&self, component: &str) -> ModeState {
        self.entries
            .get(component)
            .map_or_else(ModeState::default, |e| e.state)
    }

    /// Sets a component's mode (in memory; [`ModeFile::render`] to write).
    pub fn set(&mut self, component: &str, state: ModeState) {
        self.entries.insert(
            component.to_owned(),
            Entry {
                state,
                position: None,
            },
        );
    }

    /// A file holding `state_of` every component of the spec.
    pub fn from_states(migration: &Migration, state_of: impl Fn(&str) -> ModeState) -> ModeFile {
        let mut modes = ModeFile::default();
        for component in &migration.components {
            modes.set(&component.id, state_of(&component.id));
        }
        modes
    }

    /// The file's text: the header, then every component of the spec in
    /// spec order (unlisted ones as legacy), so diffs stay one line each.
    pub fn render(&self, migration: &Migration) -> String {
        let mut text = String::from(HEADER);
        for component in &migration.components {
            text.push_str(&format!(
                "{}: {}\n",
                component.id,
                spelling(self.get(&component.id))
            ));
        }
        text
    }
}

/// `canary 25`, `shadow`: how a mode is written in the file.
pub fn spelling(state: ModeState) -> String {
    match state.mode {
        Mode::Canary => format!("canary {}", state.canary_percent),
        mode => mode.as_str().to_owned(),
    }
}

/// One line and where it starts.
struct LineAt<'a> {
    text: &'a str,
    number: usize,
    offset: usize,
}

impl LineAt<'_> {
    /// The position of `token` (a subslice of the line's text).
    fn position_of(&self, token: &str) -> SourcePosition {
        let start = (token.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        SourcePosition {
            line: self.number,
            column: self.text[..start].chars().count() + 1,
            offset: self.offset + start,
            len: token.len(),
        }
    }
}

type Parsed = Option<(String, ModeState, SourcePosition)>;

/// One line: nothing (blank, comment), a component's mode, or a problem.
fn parse_line(at: &LineAt<'_>, migration: &Migration) -> Result<Parsed, Box<SpecDiagnostic>> {
    let content = at.text.split('#').next().unwrap_or("");
    if content.trim().is_empty() {
        return Ok(None);
    }
    let Some((id, rest)) = content.split_once(':') else {
        let token = content.trim();
        return Err(Box::new(
            SpecDiagnostic::new("expected `component: mode`", at.position_of(token))
                .with_label("no `:` on this line")
                .with_help("write one component per line, e.g. `build-api: canary 25`"),
        ));
    };
    let id = id.trim();
    let id_position = at.position_of(id);
    if migration.component_ref(id).is_none() {
        let known = migration.components.iter().map(|c| c.id.as_str());
        let mut problem =
            SpecDiagnostic::new(format!("no component `{id}` in the spec"), id_position)
                .with_label("unknown component");
        if let Some(close) = crate::text::suggestion(id, known) {
            problem = problem.with_help(format!("did you mean `{close}`?"));
        }
        return Err(Box::new(problem));
    }
    let state = parse_state(at, rest)?;
    Ok(Some((id.to_owned(), state, id_position)))
}

/// `mode` or `canary P` after the colon.
fn parse_state(at: &LineAt<'_>, rest: &str) -> Result<ModeState, Box<SpecDiagnostic>> {
    let mut words = rest.split_whitespace();
    let Some(word) = words.next() else {
        return Err(Box::new(
            SpecDiagnostic::new("missing mode", at.position_of(rest))
                .with_help("one of legacy, shadow, canary P, dagger, retired"),
        ));
    };
    let mode: Mode = word.parse().map_err(|e: crate::lifecycle::UnknownMode| {
        Box::new(
            SpecDiagnostic::new(e.to_string(), at.position_of(word)).with_label("unknown mode"),
        )
    })?;
    let percent = words.next();
    if let Some(extra) = words.next() {
        return Err(Box::new(
            SpecDiagnostic::new(format!("unexpected `{extra}`"), at.position_of(extra))
                .with_help("a line is `id: mode`, or `id: canary P`"),
        ));
    }
    let canary_percent = match (mode, percent) {
        (Mode::Canary, None) => {
            return Err(Box::new(
                SpecDiagnostic::new("canary needs its share", at.position_of(word))
                    .with_label("no percent")
                    .with_help("write the share of runs Dagger decides, e.g. `canary 25`"),
            ));
        }
        (Mode::Canary, Some(text)) => canary_share(at, text)?,
        (_, Some(text)) => {
            return Err(Box::new(
                SpecDiagnostic::new(
                    format!("a share only goes with canary, not {mode}"),
                    at.position_of(text),
                )
                .with_label("unexpected percent"),
            ));
        }
        (_, None) => 0,
    };
    Ok(ModeState {
        mode,
        canary_percent,
    })
}

/// A canary share: 1 to 100, `%` allowed.
fn canary_share(at: &LineAt<'_>, text: &str) -> Result<u8, Box<SpecDiagnostic>> {
    match text.trim_end_matches('%').parse::<u8>() {
        Ok(p) if (1..=100).contains(&p) => Ok(p),
        _ => Err(Box::new(
            SpecDiagnostic::new(
                format!("canary share `{text}` is not a percent from 1 to 100"),
                at.position_of(text),
            )
            .with_label("out of range"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_spec;

    fn migration() -> Migration {
        let spec = "version: 1\nmigration: { name: m, start: 2027-01-04 }\ncomponents:\n  \
            - { id: base, name: B, kind: job, owner: o, effort: 1d, risk: low, legacy: { run: 'true' }, dagger: { run: 'true' } }\n  \
            - { id: api, name: A, kind: job, owner: o, effort: 1d, risk: low, depends_on: [base], legacy: { run: 'true' }, dagger: { run: 'true' } }\n";
        match parse_spec("m.yaml", spec) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    fn problems(text: &str) -> Vec<String> {
        match ModeFile::parse("migration.modes", text, &migration()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.reports().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn reads_what_it_writes() {
        let m = migration();
        let mut modes = ModeFile::default();
        let canary = ModeState {
            mode: Mode::Canary,
            canary_percent: 25,
        };
        modes.set("api", canary);
        let text = modes.render(&m);
        assert!(text.ends_with("base: legacy\napi: canary 25\n"), "{text}");
        let read = ModeFile::parse("f", &text, &m).unwrap_or_default();
        assert_eq!(read.get("api"), canary);
        assert_eq!(read.get("base"), ModeState::default());
    }

    #[test]
    fn unlisted_components_are_legacy_and_comments_are_ignored() {
        let read = ModeFile::parse("f", "# hi\n\nbase: dagger  # done\n", &migration());
        let read = read.unwrap_or_default();
        assert_eq!(read.get("base").mode, Mode::Dagger);
        assert_eq!(read.get("api").mode, Mode::Legacy);
    }

    #[test]
    fn every_problem_points_at_its_line_and_column() {
        let found = problems("bsae: dagger\napi: canary\nbase: shadow 20\n  api: canary 150\n");
        assert_eq!(
            found,
            vec![
                "migration.modes:1:1: no component `bsae` in the spec",
                "migration.modes:2:6: canary needs its share",
                "migration.modes:3:14: a share only goes with canary, not shadow",
                "migration.modes:4:15: canary share `150` is not a percent from 1 to 100",
            ]
        );
        assert_eq!(
            problems("base: dagr\nbase dagger\n"),
            vec![
                "migration.modes:1:7: unknown mode `dagr`: expected legacy, shadow, canary, dagger or retired",
                "migration.modes:2:1: expected `component: mode`",
            ]
        );
        assert_eq!(
            problems("base: shadow\nbase: dagger\n"),
            vec!["migration.modes:2:1: `base` is listed twice"]
        );
    }

    #[test]
    fn a_retired_component_needs_its_dependents_off_legacy() {
        let m = migration();
        let read = ModeFile::parse("f", "base: retired\napi: shadow\n", &m).unwrap_or_default();
        let found = read.consistency(&m);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].position.line, 1);
        assert!(found[0].message.contains("`api` (shadow)"), "{found:?}");
        let fine = ModeFile::parse("f", "base: retired\napi: dagger\n", &m).unwrap_or_default();
        assert!(fine.consistency(&m).is_empty());
    }
}

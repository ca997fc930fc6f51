//! [`calibrate`]: runs a component's legacy side against itself to learn
//! what varies on its own, the way shadow-traffic differs learn noise.
//!
//! Each round runs the legacy command twice at the same time (as shadow
//! runs both sides), each in its own directory under
//! `<state dir>/calibrate/`, which is removed afterwards. Every run is
//! compared with the very first one, so what drifts between rounds (the
//! clock) shows as well as what differs between simultaneous runs (ids,
//! temp paths). A side-effecting component's legacy side is never run for
//! real: its dry run (`legacy.shadow_run`) is, or calibration refuses.
//! The result is recorded as an event, so `runs` and `gate` can count
//! mismatches that only this noise explains apart.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::calibrate::{Learned, Learner, NoiseRule};
use crate::event::{Event, NewEvent, NoiseRuleRecord};
use crate::exec::{Normalizer, SideCommand, SideOutcome, random_hex, run_side, secret_values};
use crate::spec::{Component, ComponentRef};
use crate::store::{Durability, StoreError};
use crate::workspace::Workspace;

/// Time limit of one legacy run when the spec sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// What to calibrate.
#[derive(Debug, Clone, Copy)]
pub struct CalibrateRequest {
    /// The component.
    pub component: ComponentRef,
    /// Rounds of two runs each.
    pub rounds: u32,
    /// Whether the caller writes the rules into the spec (recorded).
    pub write: bool,
}

/// What calibration found.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Component.
    pub component: String,
    /// The command run.
    pub command: String,
    /// Whether it was the legacy side's dry run.
    pub dry_run: bool,
    /// Rounds run.
    pub rounds: u32,
    /// What was learned: rules, varying streams, unexplained differences.
    #[serde(flatten)]
    pub learned: Learned,
    /// Runs whose exit code differed from the first run's: `(run, code, first code)`.
    pub exit_codes: Vec<(u32, i32, i32)>,
    /// Outputs that varied but are not text, so no rule can cover them.
    pub binary_outputs: Vec<String>,
}

impl Calibration {
    /// Whether every difference seen is explained by a rule.
    pub fn explained(&self) -> bool {
        self.learned.unexplained.is_empty()
            && self.exit_codes.is_empty()
            && self.binary_outputs.is_empty()
    }
}

/// Why calibration could not run.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The component has no legacy side.
    #[error("`{0}` has no legacy side to calibrate")]
    NoLegacy(String),
    /// Side effects and no dry run.
    #[error(
        "`{0}` has side effects and no `legacy.shadow_run`: calibrating would deploy again and again; declare the legacy side's dry run"
    )]
    SideEffects(String),
    /// Zero rounds.
    #[error("--runs must be at least 1")]
    NoRounds,
    /// A capture directory could not be prepared or read.
    #[error("failed to prepare `{}`", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The spec's own normalize rules do not compile.
    #[error("invalid normalize pattern")]
    Pattern(#[from] regex::Error),
    /// Recording failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One legacy run's results.
struct Capture {
    exit_code: i32,
    stdout: String,
    /// Declared output files (relative path under the output directory) and content.
    files: Vec<(String, Vec<u8>)>,
}

/// Runs the legacy side `2 × rounds` times, learns the noise and records it.
pub fn calibrate(
    workspace: &mut Workspace,
    request: CalibrateRequest,
    actor: &str,
) -> Result<Calibration, CalibrateError> {
    if request.rounds == 0 {
        return Err(CalibrateError::NoRounds);
    }
    let component = workspace.spec(request.component).clone();
    let (command, dry_run) = legacy_command(&component)?;
    let dir =
        workspace
            .state_dir
            .join("calibrate")
            .join(format!("{}-{}", component.id, random_hex(4)));
    let captures = run_rounds(
        &workspace.base_dir,
        &component,
        &command,
        &dir,
        request.rounds,
    );
    // Captures are only needed for learning; remove them whatever happened.
    let _ = std::fs::remove_dir_all(&dir);
    let captures = captures?;
    let calibration = learn(&component, command, dry_run, request.rounds, &captures)?;
    record(workspace, &calibration, request.write, actor)?;
    Ok(calibration)
}

/// The legacy command to run: its dry run when the component has side effects.
fn legacy_command(component: &Component) -> Result<(String, bool), CalibrateError> {
    let legacy = component
        .legacy
        .as_ref()
        .ok_or_else(|| CalibrateError::NoLegacy(component.id.clone()))?;
    match (component.side_effects, &legacy.shadow_run) {
        (false, _) => Ok((legacy.run.clone(), false)),
        (true, Some(dry_run)) => Ok((dry_run.clone(), true)),
        (true, None) => Err(CalibrateError::SideEffects(component.id.clone())),
    }
}

fn run_rounds(
    base_dir: &Path,
    component: &Component,
    command: &str,
    dir: &Path,
    rounds: u32,
) -> Result<Vec<Capture>, CalibrateError> {
    let mut captures = Vec::new();
    for round in 1..=rounds {
        let pair = std::thread::scope(|scope| {
            let second = scope
                .spawn(|| run_once(base_dir, component, command, &dir.join(format!("{round}b"))));
            let first = run_once(base_dir, component, command, &dir.join(format!("{round}a")));
            let second = second.join().unwrap_or_else(|_| {
                Err(CalibrateError::Io {
                    path: dir.to_owned(),
                    source: std::io::Error::other("calibration thread panicked"),
                })
            });
            (first, second)
        });
        captures.push(pair.0?);
        captures.push(pair.1?);
    }
    Ok(captures)
}

/// One run of the legacy command in `dir`, normalized by the spec's rules.
fn run_once(
    base_dir: &Path,
    component: &Component,
    command: &str,
    dir: &Path,
) -> Result<Capture, CalibrateError> {
    let out = dir.join("out");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CalibrateError::Io { path, source }
    };
    std::fs::create_dir_all(&out).map_err(io(&out))?;
    let execution = run_side(&SideCommand {
        line: command.to_owned(),
        working_dir: base_dir.to_owned(),
        env: vec![
            ("CUTOVER_COMPONENT".into(), component.id.clone()),
            ("CUTOVER_SIDE".into(), "legacy".into()),
            ("CUTOVER_RUN_ID".into(), "calibrate".into()),
            ("CUTOVER_OUT".into(), out.display().to_string()),
        ],
        stdout_file: Some(dir.join("stdout")),
        stderr_file: Some(dir.join("stderr")),
        live: false,
        timeout: Some(
            component
                .timeout
                .map_or(DEFAULT_TIMEOUT, |t| Duration::from_secs(t.seconds)),
        ),
        redact: secret_values([component]),
    });
    let stdout = match execution.outcome {
        SideOutcome::SpawnFailed { .. } => Vec::new(),
        _ => std::fs::read(dir.join("stdout")).map_err(io(&dir.join("stdout")))?,
    };
    let normalizer = Normalizer::new(&component.normalize)?;
    let placeholders = [
        (out.display().to_string(), "<out>"),
        (dir.display().to_string(), "<run>"),
    ];
    let mut files = Vec::new();
    for output in &component.outputs {
        collect_files(&out, Path::new(output), &mut files);
    }
    Ok(Capture {
        exit_code: execution.outcome.exit_code(),
        stdout: normalizer.apply(&String::from_utf8_lossy(&stdout), &placeholders),
        files,
    })
}

/// Every file at or under `relative` in `base`, with its content.
fn collect_files(base: &Path, relative: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    let path = base.join(relative);
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(&path)
            .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        entries.sort();
        for name in entries {
            collect_files(base, &relative.join(name), files);
        }
    } else if let Ok(bytes) = std::fs::read(&path) {
        files.push((relative.display().to_string(), bytes));
    }
}

/// Compares every run with the first and learns from the differences.
fn learn(
    component: &Component,
    command: String,
    dry_run: bool,
    rounds: u32,
    captures: &[Capture],
) -> Result<Calibration, CalibrateError> {
    let mut learner = Learner::default();
    let (mut exit_codes, mut binary) = (Vec::new(), BTreeSet::new());
    let Some((first, rest)) = captures.split_first() else {
        return Err(CalibrateError::NoRounds);
    };
    for (index, other) in rest.iter().enumerate() {
        if other.exit_code != first.exit_code {
            exit_codes.push((index as u32 + 2, other.exit_code, first.exit_code));
        }
        learner.observe("stdout", &first.stdout, &other.stdout);
        let names: BTreeSet<&String> = first
            .files
            .iter()
            .chain(&other.files)
            .map(|(name, _)| name)
            .collect();
        for name in names {
            let find = |c: &Capture| {
                c.files
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, b)| b.clone())
            };
            match (find(first), find(other)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => match (String::from_utf8(a), String::from_utf8(b)) {
                    (Ok(a), Ok(b)) => learner.observe(&format!("output {name}"), &a, &b),
                    _ => {
                        binary.insert(name.clone());
                    }
                },
                _ => learner.observe(&format!("output {name}"), "present\n", "missing\n"),
            }
        }
    }
    Ok(Calibration {
        component: component.id.clone(),
        command,
        dry_run,
        rounds,
        learned: learner.finish(&[]),
        exit_codes,
        binary_outputs: binary.into_iter().collect(),
    })
}

fn record(
    workspace: &mut Workspace,
    calibration: &Calibration,
    written: bool,
    actor: &str,
) -> Result<(), StoreError> {
    let event = NewEvent {
        component: Some(calibration.component.clone()),
        actor: actor.to_owned(),
        reason: None,
        event: Event::NoiseCalibrated {
            rounds: calibration.rounds,
            dry_run: calibration.dry_run,
            rules: calibration
                .learned
                .rules
                .iter()
                .map(|r| NoiseRuleRecord {
                    pattern: r.pattern.clone(),
                    replace: r.replace.clone(),
                })
                .collect(),
            unexplained: (calibration.learned.unexplained.len()
                + calibration.exit_codes.len()
                + calibration.binary_outputs.len()) as u64,
            written,
        },
        messages: Vec::new(),
    };
    workspace.store.append_event(&event, Durability::Relaxed)?;
    Ok(())
}

/// The rules of the last calibration of `component`, if any.
pub fn calibrated_noise(
    workspace: &Workspace,
    component: &str,
) -> Result<Option<Vec<NoiseRule>>, StoreError> {
    let events = workspace.store.events(Some(component), u32::MAX)?;
    Ok(events.into_iter().rev().find_map(|e| match e.event {
        Event::NoiseCalibrated { rules, .. } => Some(
            rules
                .into_iter()
                .map(|r| NoiseRule {
                    pattern: r.pattern,
                    replace: r.replace,
                    examples: Vec::new(),
                })
                .collect(),
        ),
        _ => None,
    }))
}

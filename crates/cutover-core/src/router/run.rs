//! [`execute_run`]: one `cutover run`, from routing to the recorded result.
//!
//! When both sides run (shadow, canary), `<state dir>/runs/<run id>/<side>/`
//! holds each side's `stdout`, `stderr` and `out/` (given to the side as
//! `CUTOVER_OUT`): they run concurrently in their own directories, so they
//! never clobber each other, and afterwards the authoritative side's declared
//! outputs are copied to where CI expects them (relative to the spec's
//! directory). A side that runs alone (legacy, dagger, retired) behaves
//! exactly as the CI job did before: `CUTOVER_OUT` is the spec's directory,
//! its output is streamed, and no run directory is created.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::routing::{RouteError, Routing, route};
use crate::exec::{
    Execution, Normalizer, Parity, Redactor, SideCommand, SideOutcome, SideResult, TraceContext,
    compare, digest_bytes, digest_outputs, random_hex, run_side,
};
use crate::lifecycle::{ModeState, Side};
use crate::spec::Component;
use crate::store::{RunFinish, RunStart, SideRecord, Store, StoreError};

/// Default time limit of a shadowing side when the spec sets none, so a
/// hanging shadow cannot hold a CI job for long.
pub const DEFAULT_SHADOW_TIMEOUT: Duration = Duration::from_secs(600);

/// Inputs of one run.
#[derive(Debug, Clone)]
pub struct RunContext<'a> {
    /// The component.
    pub component: &'a Component,
    /// Directory the sides run in and outputs land in (the spec's).
    pub base_dir: &'a Path,
    /// cutover's state directory (`.cutover`).
    pub state_dir: &'a Path,
    /// Extra arguments appended to the command line.
    pub extra_args: &'a [String],
    /// Canary routing key.
    pub key: String,
    /// The component's mode.
    pub mode: ModeState,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Run id.
    pub run_id: String,
    /// The exit code to pass to CI.
    pub exit_code: i32,
    /// Which sides ran.
    pub routing: Routing,
    /// `match`, `mismatch`, `flaky`, or `None` when only one side ran.
    pub parity: Option<&'static str>,
    /// Mismatch summary.
    pub summary: Option<String>,
    /// The run's directory.
    pub run_dir: PathBuf,
    /// Things cutover refused to do, for the operator (the run still counts).
    pub warnings: Vec<String>,
}

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Routing failed (a spec problem).
    #[error(transparent)]
    Route(#[from] RouteError),
    /// Recording failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The run directory could not be prepared.
    #[error("failed to prepare `{}`", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A normalize pattern failed to compile.
    #[error("invalid normalize pattern")]
    Pattern(#[from] regex::Error),
}

struct SideRun {
    side: Side,
    role: &'static str,
    attempt: u32,
    /// Capture files (two-sided runs only).
    dir: PathBuf,
    /// What the side got as `CUTOVER_OUT`.
    out: PathBuf,
    /// Whether stdout and stderr were captured to files.
    captured: bool,
    execution: Execution,
}

/// Runs a component per its mode and records everything.
pub fn execute_run(store: &mut Store, context: &RunContext<'_>) -> Result<RunReport, RunError> {
    let component = context.component;
    let routing = route(component, context.mode, &context.key)?;
    let normalizer = Normalizer::new(&component.normalize)?;
    let run_id = new_run_id();
    let run_dir = context.state_dir.join("runs").join(&run_id);
    let trace = TraceContext::new();
    store.begin_run(&RunStart {
        id: run_id.clone(),
        component: component.id.clone(),
        mode: context.mode,
        authoritative: routing.authoritative,
        pid: crate::process_identity::ProcessIdentity::current().encode(),
        run_key: Some(context.key.clone()),
        trace_id: trace.trace_id.clone(),
        source: "run",
    })?;
    let redact = secret_values(component);
    let single = routing.shadow.is_none();
    // The shadow side and all its rechecks share one time limit.
    let shadow_deadline = std::time::Instant::now()
        + component
            .timeout
            .map_or(DEFAULT_SHADOW_TIMEOUT, |t| Duration::from_secs(t.seconds));
    let launch =
        |side: Side, line: &str, role: &'static str, attempt: u32| -> Result<SideRun, RunError> {
            let name = if attempt == 0 {
                side.as_str().to_owned()
            } else {
                format!("{side}-recheck-{attempt}")
            };
            let dir = run_dir.join(name);
            // A side running alone writes where CI expects, exactly as the job
            // did before cutover, and its output is only streamed; sides that
            // run together each get their own directory and capture files.
            let out = if single {
                context.base_dir.to_owned()
            } else {
                dir.join("out")
            };
            if !single {
                std::fs::create_dir_all(&out).map_err(|source| RunError::Io {
                    path: out.clone(),
                    source,
                })?;
            }
            let capture = |name: &str| (!single).then(|| dir.join(name));
            let command = SideCommand {
                line: with_args(line, context.extra_args),
                working_dir: context.base_dir.to_owned(),
                env: side_env(component, side, &run_id, &out, &trace),
                stdout_file: capture("stdout"),
                stderr_file: capture("stderr"),
                live: role == "authoritative",
                timeout: match role {
                    "authoritative" => component.timeout.map(|t| Duration::from_secs(t.seconds)),
                    _ => Some(shadow_deadline.saturating_duration_since(std::time::Instant::now())),
                },
                redact: redact.clone(),
            };
            Ok(SideRun {
                side,
                role,
                attempt,
                execution: run_side(&command),
                dir,
                out,
                captured: !single,
            })
        };
    let (authoritative, shadow) = std::thread::scope(|scope| {
        let shadow = routing
            .shadow
            .as_ref()
            .map(|(side, line)| scope.spawn(|| launch(*side, line, "shadow", 0)));
        let authoritative = launch(
            routing.authoritative,
            &routing.authoritative_command,
            "authoritative",
            0,
        );
        let shadow = shadow.map(|handle| {
            handle.join().unwrap_or_else(|_| {
                Err(RunError::Io {
                    path: run_dir.clone(),
                    source: std::io::Error::other("shadow side thread panicked"),
                })
            })
        });
        (authoritative, shadow.transpose())
    });
    let authoritative = authoritative?;
    let shadow = shadow?;
    // CI gets the authoritative outputs as written; the copies kept under
    // the run directory are then scrubbed of secrets before anything is
    // compared or quoted.
    let warnings = if single {
        Vec::new()
    } else {
        copy_outputs(&authoritative.out, context.base_dir, &component.outputs)?
    };
    let redactor = Redactor::new(&redact);
    let scrub = |run: &SideRun| scrub_outputs(&redactor, run);
    if !single {
        scrub(&authoritative)?;
        shadow.as_ref().map(scrub).transpose()?;
    }
    let mut runs = vec![];
    let outputs_of = |run: &SideRun| side_result(run, component, &normalizer, &redact);
    let auth_result = outputs_of(&authoritative);
    let (mut parity, mut summary) = (None, None);
    if let Some(shadow_run) = &shadow {
        let shadow_result = outputs_of(shadow_run);
        if let Parity::Mismatch { summary: text } = compare(&auth_result, &shadow_result) {
            parity = Some("mismatch");
            summary = Some(text);
            for attempt in 1..=component.recheck {
                if std::time::Instant::now() >= shadow_deadline {
                    break;
                }
                let (side, line) = routing
                    .shadow
                    .as_ref()
                    .map(|(s, l)| (*s, l.as_str()))
                    .unwrap_or((shadow_run.side, ""));
                let recheck = launch(side, line, "recheck", attempt)?;
                scrub(&recheck)?;
                let matched = compare(&auth_result, &outputs_of(&recheck)) == Parity::Match;
                runs.push(recheck);
                if matched {
                    parity = Some("flaky");
                    break;
                }
            }
        } else {
            parity = Some("match");
        }
    }
    let summary = summary.map(|text| redactor.redact_str(&text));
    let trace_url = [Some(&authoritative), shadow.as_ref()]
        .into_iter()
        .flatten()
        .filter(|run| run.side == Side::Dagger)
        .find_map(|run| run.execution.trace_url.clone());
    let exit_code = authoritative.execution.outcome.exit_code();
    let mut all = vec![authoritative];
    all.extend(shadow);
    all.extend(runs);
    let sides = all
        .iter()
        .map(|run| side_record(run, &outputs_of(run)))
        .collect();
    store.finish_run(&RunFinish {
        id: run_id.clone(),
        exit_code,
        parity,
        parity_summary: summary.clone(),
        trace_url,
        sides,
    })?;
    Ok(RunReport {
        run_id,
        exit_code,
        routing,
        parity,
        summary,
        run_dir,
        warnings,
    })
}

/// Sortable, unique: `20270104T101500123-1a2b3c4d`.
fn new_run_id() -> String {
    let now = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%3f")
        .to_string();
    format!("{now}-{}", random_hex(4))
}

fn secret_values(component: &Component) -> Vec<String> {
    component
        .secrets
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .filter(|value| !value.is_empty())
        .collect()
}

/// The `CUTOVER_*` layer and `TRACEPARENT`, applied over cutover's own environment.
fn side_env(
    component: &Component,
    side: Side,
    run_id: &str,
    out: &Path,
    trace: &TraceContext,
) -> Vec<(String, String)> {
    vec![
        ("CUTOVER_COMPONENT".into(), component.id.clone()),
        ("CUTOVER_SIDE".into(), side.as_str().into()),
        ("CUTOVER_RUN_ID".into(), run_id.into()),
        ("CUTOVER_OUT".into(), out.display().to_string()),
        ("TRACEPARENT".into(), trace.traceparent()),
    ]
}

/// Appends extra arguments, each single-quoted for the shell.
fn with_args(line: &str, args: &[String]) -> String {
    let mut full = line.to_owned();
    for arg in args {
        full.push(' ');
        full.push('\'');
        full.push_str(&arg.replace('\'', "'\\''"));
        full.push('\'');
    }
    full
}

/// Replaces secrets in the files a side wrote to its own output directory.
fn scrub_outputs(redactor: &Redactor, run: &SideRun) -> Result<(), RunError> {
    redactor
        .scrub_tree(&run.out)
        .map_err(|source| RunError::Io {
            path: run.out.clone(),
            source,
        })
}

fn side_result(
    run: &SideRun,
    component: &Component,
    normalizer: &Normalizer,
    redact: &[String],
) -> SideResult {
    let out = run.out.clone();
    let stdout = if run.captured {
        std::fs::read(run.dir.join("stdout")).unwrap_or_default()
    } else {
        Vec::new()
    };
    let stdout = String::from_utf8_lossy(&stdout);
    let placeholders = [
        (out.display().to_string(), "<out>"),
        (run.dir.display().to_string(), "<run>"),
    ];
    let normalized = Redactor::new(redact).redact_str(&normalizer.apply(&stdout, &placeholders));
    SideResult {
        side: run.side,
        exit_code: run.execution.outcome.exit_code(),
        stdout: normalized,
        outputs: digest_outputs(&out, &component.outputs),
        out_dir: out,
    }
}

fn side_record(run: &SideRun, result: &SideResult) -> SideRecord {
    let outputs: String = result
        .outputs
        .iter()
        .map(|o| format!("{}\t{}\n", o.path, o.digest.as_deref().unwrap_or("missing")))
        .collect();
    SideRecord {
        side: run.side,
        role: run.role,
        attempt: run.attempt,
        outcome: run.execution.outcome.clone(),
        duration_ms: run.execution.duration.as_secs_f64() * 1000.0,
        // Compared sides record their normalized stdout; a side that ran
        // alone records the digest of its stream as it was.
        stdout_digest: match (&run.execution.outcome, run.captured) {
            (SideOutcome::SpawnFailed { .. }, _) => None,
            (_, true) => Some(digest_bytes(result.stdout.as_bytes())),
            (_, false) => run.execution.stdout_digest.clone(),
        },
        outputs_digest: (!result.outputs.is_empty()).then(|| digest_bytes(outputs.as_bytes())),
    }
}

/// Copies the authoritative side's declared outputs into the workspace,
/// never outside it and never through a symlink (see
/// [`crate::fs::confine::copy_output`]); an output that would leave the
/// project is skipped with a warning, so the run is still recorded and CI
/// still gets the side's exit code. Outputs a side wrote straight into the
/// workspace (ignoring `CUTOVER_OUT`) are simply left where they are.
fn copy_outputs(from: &Path, to: &Path, outputs: &[String]) -> Result<Vec<String>, RunError> {
    let mut warnings = Vec::new();
    for output in outputs {
        match crate::fs::confine::copy_output(from, to, output) {
            Ok(_) => {}
            Err(error) if crate::fs::confine::is_refusal(&error) => {
                warnings.push(format!("output `{output}` was not copied: {error}"));
            }
            Err(source) => {
                return Err(RunError::Io {
                    path: to.join(output),
                    source,
                });
            }
        }
    }
    Ok(warnings)
}

/// Records one execution of one side measured outside `run` — an outcome a
/// service reported itself (`record`) or a benchmark run (`bench`) — so
/// gates count it like any other execution of that side, with no parity.
pub fn record_execution(
    store: &mut Store,
    component: &str,
    mode: ModeState,
    side: Side,
    exit_code: i32,
    duration: Duration,
    source: &'static str,
) -> Result<String, StoreError> {
    let run_id = new_run_id();
    store.begin_run(&RunStart {
        id: run_id.clone(),
        component: component.to_owned(),
        mode,
        authoritative: side,
        pid: crate::process_identity::ProcessIdentity::current().encode(),
        run_key: None,
        trace_id: TraceContext::new().trace_id,
        source,
    })?;
    let outcome = if exit_code == 0 {
        SideOutcome::Succeeded
    } else {
        SideOutcome::Failed { code: exit_code }
    };
    store.finish_run(&RunFinish {
        id: run_id.clone(),
        exit_code,
        parity: None,
        parity_summary: None,
        trace_url: None,
        sides: vec![SideRecord {
            side,
            role: "authoritative",
            attempt: 0,
            outcome,
            duration_ms: duration.as_secs_f64() * 1000.0,
            stdout_digest: None,
            outputs_digest: None,
        }],
    })?;
    Ok(run_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_arguments_are_quoted() {
        assert_eq!(
            with_args("make test", &["a b".into(), "it's".into()]),
            "make test 'a b' 'it'\\''s'"
        );
    }
}

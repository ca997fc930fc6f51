//! [`execute_run`]: one `cutover run`, from routing to the recorded result.
//!
//! When both sides run (shadow, canary), `<state dir>/runs/<run id>/<side>/`
//! holds each side's `stdout`, `stderr` and `out/` (given to the side as
//! `CUTOVER_OUT`): they run concurrently in their own directories (the
//! shadow at lowered priority, or after the authoritative side with
//! `shadow: after`; with `workspace: isolated` the shadow works in its own
//! copy of the project, `work/`), so they never clobber each other, and
//! afterwards the authoritative side's declared outputs are copied to where
//! CI expects them (relative to the spec's directory). A side that runs
//! alone (legacy, dagger, retired) behaves exactly as the CI job did
//! before: `CUTOVER_OUT` is the spec's directory, its output is streamed,
//! and no run directory is created.
//!
//! A side-effecting component's shadow runs its dry run; when the
//! authoritative side declares one too, that dry run runs beside the real
//! one (role [`SideRole::AuthoritativeDryRun`], at lowered priority, in
//! `<run id>/<side>-dry-run/`) and parity compares the two dry runs fully.
//! The real run alone is what CI sees, and it runs once.
//!
//! The run's record goes to the spool first (`<state dir>/spool/`), then to
//! the store through a [`Courier`] on its own thread: the run waits for the
//! store at most `delivery_timeout` after its sides are done, and exits as
//! its authoritative side did whatever the store does. A legacy-mode run on
//! a local store leaves its record in the spool for the next command that
//! opens the store (see [`defers`]); when the committed mode file keeps the
//! component in legacy, such a run never opens the store at all (see
//! [`crate::workspace::Workspace::open_for_run`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::routing::{RouteError, Routing, route};
use crate::exec::{
    Execution, Lowering, Normalizer, Parity, ParityComparison, ParityPlan, ParityVerdict, Redactor,
    SideCommand, SideOutcome, SideResult, SideRole, SideWorkspace, TraceContext, compare,
    digest_bytes, digest_outputs, random_hex, run_side, run_side_lowered, secret_values,
};
use crate::lifecycle::{Mode, ModeState, Side};
use crate::spec::{Component, ComponentRef, ShadowTiming, WorkspaceMode};
use crate::spool::worker::{Courier, DeliveryOutcome};
use crate::spool::{Spool, SpoolError, SpoolRecord};
use crate::store::{RunFinish, RunSource, RunStart, SideRecord, Store, StoreError};
use crate::workspace::Workspace;

/// Default time limit of a shadowing side when the spec sets none, so a
/// hanging shadow cannot hold a CI job for long.
pub const DEFAULT_SHADOW_TIMEOUT: Duration = Duration::from_secs(600);

/// The least time rechecks get together, however fast the job was.
pub const MIN_RECHECK_BUDGET: Duration = Duration::from_secs(5);

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest<'a> {
    /// The component.
    pub component: ComponentRef,
    /// Extra arguments appended to the command line.
    pub extra_args: &'a [String],
    /// Canary routing key.
    pub key: String,
    /// Whether and how long to wait for the store.
    pub delivery: Delivery,
}

/// What a run does with its record besides spooling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Deliver it to the store, waiting at most `timeout` after the sides
    /// are done (see [`crate::spool::worker::DEFAULT_DELIVERY_TIMEOUT`]).
    Store {
        /// The bound.
        timeout: Duration,
    },
    /// Keep it in the spool only, for CI to upload as an artifact and
    /// `cutover ingest` to import (teams without a shared store).
    SpoolOnly,
}

/// What a run did.
#[derive(Debug)]
pub struct RunReport {
    /// Run id.
    pub run_id: String,
    /// The mode it ran in.
    pub mode: ModeState,
    /// The exit code to pass to CI.
    pub exit_code: i32,
    /// Which sides ran.
    pub routing: Routing,
    /// The parity verdict, or `None` when only one side ran.
    pub parity: Option<ParityVerdict>,
    /// What the parity compared, when a shadow ran.
    pub comparison: Option<ParityComparison>,
    /// Mismatch summary.
    pub summary: Option<String>,
    /// The run's directory.
    pub run_dir: PathBuf,
    /// Things cutover refused to do, for the operator (the run still counts).
    pub warnings: Vec<String>,
    /// Whether the store has the run, or the spool keeps it.
    pub delivery: DeliveryOutcome,
}

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Routing failed (a spec problem).
    #[error(transparent)]
    Route(#[from] RouteError),
    /// Reading the mode failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The run's record could not be written to the spool.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// The run directory could not be prepared or read.
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

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One execution of one side.
struct SideRun {
    side: Side,
    role: SideRole,
    attempt: u32,
    /// Capture files (two-sided runs only).
    dir: PathBuf,
    /// What the side got as `CUTOVER_OUT`.
    out: PathBuf,
    /// Whether stdout and stderr were captured to files.
    captured: bool,
    execution: Execution,
    /// When it started and ended, to tell whether sides overlapped.
    span: (Instant, Instant),
    /// What lowered its priority, if it ran lowered.
    lowered: Option<Lowering>,
}

/// Everything the sides of one run share.
struct Runner<'a> {
    component: &'a Component,
    base_dir: &'a Path,
    extra_args: &'a [String],
    run_id: String,
    run_dir: PathBuf,
    trace: TraceContext,
    /// The secret values, for the sides' streams and captures.
    redact: Vec<String>,
    /// The same values, for what cutover itself compares, keeps and quotes.
    redactor: Redactor,
    normalizer: Normalizer,
    /// Only one side runs: it writes straight to the workspace.
    single: bool,
    /// When the shadow side and all its rechecks must be done: they share
    /// one time limit, counted from the start of the run.
    shadow_deadline: Instant,
}

/// Runs a component per its mode and records everything.
pub fn execute_run(
    workspace: &mut Workspace,
    request: &RunRequest<'_>,
) -> Result<RunReport, RunError> {
    let component = workspace.migration.component(request.component);
    let mode = workspace.mode(&component.id)?.state;
    let routing = route(component, mode, &request.key)?;
    let run_id = new_run_id();
    let redact = secret_values([component]);
    let runner = Runner {
        component,
        base_dir: &workspace.base_dir,
        extra_args: request.extra_args,
        run_dir: workspace.state_dir.join("runs").join(&run_id),
        run_id,
        trace: TraceContext::new(),
        redactor: Redactor::new(&redact),
        redact,
        normalizer: Normalizer::new(&component.normalize)?,
        single: routing.shadow.is_none(),
        shadow_deadline: Instant::now()
            + component
                .timeout
                .map_or(DEFAULT_SHADOW_TIMEOUT, |t| Duration::from_secs(t.seconds)),
    };
    let spool = Spool::in_state_dir(&workspace.state_dir);
    let start = RunStart {
        id: runner.run_id.clone(),
        component: component.id.clone(),
        mode,
        authoritative: routing.authoritative,
        pid: crate::process_identity::ProcessIdentity::current().encode(),
        run_key: Some(request.key.clone()),
        trace_id: runner.trace.trace_id.clone(),
        source: RunSource::Run,
        implementation: crate::exec::implementation_digest(&workspace.base_dir, component),
    };
    let mut begun = SpoolRecord::begun(start, jiff::Timestamp::now());
    begun.spool_only = request.delivery == Delivery::SpoolOnly;
    let pending = start_delivery(workspace, &spool, &begun, request.delivery)?;
    let Compared {
        sides,
        parity,
        comparison,
        summary,
        mut warnings,
    } = runner.run_and_compare(&routing)?;
    let exit_code = sides[0].0.execution.outcome.exit_code();
    let finish = RunFinish {
        id: runner.run_id.clone(),
        exit_code,
        parity,
        comparison: parity.and(comparison),
        parity_summary: summary.clone(),
        trace_url: trace_url(&sides),
        sides: sides
            .iter()
            .map(|(run, result)| side_record(run, result, &sides))
            .collect(),
    };
    let finished = begun.finished(finish, jiff::Timestamp::now());
    let delivery = finish_delivery(&spool, pending, finished, &mut warnings);
    Ok(RunReport {
        run_id: runner.run_id,
        mode,
        exit_code,
        routing,
        parity,
        comparison: parity.and(comparison),
        summary,
        run_dir: runner.run_dir,
        warnings,
        delivery,
    })
}

/// Where a run's record goes after the spool.
enum Pending {
    /// Delivered to the store in the background, waited for at most this long.
    Courier(Courier, Duration),
    /// Left for the next command to deliver (see [`defers`]).
    Deferred,
    /// Kept for `cutover ingest` (`--spool-only`).
    SpoolOnly,
}

/// Whether a run leaves its record in the spool for the next command that
/// opens the store ([`crate::spool::deliver::absorb`]) instead of
/// delivering it: a legacy-mode run on a local SQLite store. Such a run is
/// the CI job as it was before cutover, plus a record nothing reads before
/// the next command does (legacy runs have no parity and no triggers); not
/// opening the store spares it the store's start-up, and never writing it
/// spares it every fsync and checkpoint (see `store/connection.rs`). A
/// store elsewhere is shared by many runners, so its runs deliver their
/// own records, within the delivery bound.
fn defers(workspace: &Workspace, mode: ModeState) -> bool {
    mode.mode == Mode::Legacy && workspace.location.file().is_some()
}

/// Spools the start of a run before anything runs and, when the record
/// goes to the store now, starts delivering it in the background.
fn start_delivery(
    workspace: &Workspace,
    spool: &Spool,
    begun: &SpoolRecord,
    delivery: Delivery,
) -> Result<Pending, RunError> {
    spool.write(begun)?;
    Ok(match delivery {
        Delivery::Store { .. } if defers(workspace, begun.start.mode) => Pending::Deferred,
        Delivery::Store { timeout } => Pending::Courier(
            Courier::start(workspace.location.clone(), spool.clone(), begun.clone()),
            timeout,
        ),
        Delivery::SpoolOnly => Pending::SpoolOnly,
    })
}

/// Spools the end of a run, then waits, at most the delivery bound, for
/// the store to confirm it. A spool that cannot take the end is a warning:
/// the job's result never depends on it.
fn finish_delivery(
    spool: &Spool,
    pending: Pending,
    finished: SpoolRecord,
    warnings: &mut Vec<String>,
) -> DeliveryOutcome {
    if let Err(error) = spool.append_end(&finished) {
        warnings.push(format!(
            "the end of run {} could not be spooled ({error}); if the store does not confirm it, it counts as incomplete",
            finished.start.id
        ));
    }
    match pending {
        Pending::Courier(courier, timeout) => courier.finish(finished, timeout),
        Pending::Deferred => DeliveryOutcome::Deferred,
        Pending::SpoolOnly => DeliveryOutcome::SpoolOnly,
    }
}

/// The sides of a run with their results (authoritative first), the
/// verdict, and what cutover refused to do.
struct Compared {
    sides: Vec<(SideRun, SideResult)>,
    parity: Option<ParityVerdict>,
    /// What was compared, when a shadow ran.
    comparison: Option<ParityComparison>,
    /// Mismatch summary, secrets redacted.
    summary: Option<String>,
    warnings: Vec<String>,
}

impl Runner<'_> {
    /// Runs the authoritative side (and the shadow, concurrently), puts the
    /// authoritative outputs in place, then compares them with rechecks:
    /// the shadow with the authoritative side's dry run when one ran (a
    /// side-effecting component), else with the authoritative side.
    fn run_and_compare(&self, routing: &Routing) -> Result<Compared, RunError> {
        let Launched {
            authoritative,
            shadow,
            reference,
        } = self.run_sides(routing)?;
        // CI gets the authoritative outputs as written; the copies kept under
        // the run directory are then scrubbed of secrets before anything is
        // compared or quoted.
        let warnings = if self.single {
            Vec::new()
        } else {
            copy_outputs(&authoritative.out, self.base_dir, &self.component.outputs)?
        };
        let authoritative = self.with_result(authoritative)?;
        let reference = reference.map(|run| self.with_result(run)).transpose()?;
        let comparison = routing.comparison(self.component);
        let (mut parity, mut summary, mut rechecks) = (None, None, Vec::new());
        // Rechecks together take no longer than the job itself did (or a
        // few seconds, for a job that takes less).
        let budget = authoritative.0.execution.duration.max(MIN_RECHECK_BUDGET);
        let shadow = match (shadow, &routing.shadow, comparison) {
            (Some(shadow), Some((side, line)), Some(comparison)) => {
                let shadow = self.with_result(shadow)?;
                let recheck = Recheck {
                    side: *side,
                    line,
                    // The shadow's own limit, counted from its start (the
                    // run's start, or the job's end with `shadow: after`).
                    deadline: (shadow.0.span.0 + self.shadow_limit()).min(Instant::now() + budget),
                    comparison,
                };
                let baseline = reference.as_ref().unwrap_or(&authoritative);
                (parity, summary) =
                    self.compare(&baseline.1, &shadow.1, &recheck, &mut rechecks)?;
                Some(shadow)
            }
            _ => None,
        };
        let mut sides = vec![authoritative];
        sides.extend(shadow);
        sides.extend(reference);
        sides.extend(rechecks);
        Ok(Compared {
            sides,
            parity,
            comparison,
            summary,
            warnings,
        })
    }

    /// Runs the authoritative side on this thread and the shadow, if any,
    /// on another, at the same time (at lowered priority), or after it when
    /// the component says `shadow: after`. The authoritative side's dry
    /// run, when routed, runs on a third thread beside them, lowered.
    fn run_sides(&self, routing: &Routing) -> Result<Launched, RunError> {
        let authoritative = || {
            self.launch(
                routing.authoritative,
                &routing.authoritative_command,
                SideRole::Authoritative,
                0,
            )
        };
        // The copies are made before either side starts, so they never
        // hold anything the authoritative side writes.
        let shadow = routing.shadow.as_ref().map(|(side, line)| {
            let workspace = self.side_workspace(SideRole::Shadow, *side, 0);
            (*side, line.as_str(), SideRole::Shadow, workspace)
        });
        let reference = routing.reference.as_ref().map(|line| {
            let (side, role) = (routing.authoritative, SideRole::AuthoritativeDryRun);
            (
                side,
                line.as_str(),
                role,
                self.side_workspace(role, side, 0),
            )
        });
        let after = self.component.shadow == ShadowTiming::After;
        let (authoritative, shadow, reference) = if after {
            let authoritative = authoritative()?;
            // The shadow's time limit counts from its own start here.
            let deadline = Instant::now() + self.shadow_limit();
            let ((), shadow, reference) = self.beside(shadow, reference, deadline, || Ok(()))?;
            (authoritative, shadow, reference)
        } else {
            self.beside(shadow, reference, self.shadow_deadline, authoritative)?
        };
        Ok(Launched {
            authoritative,
            shadow,
            reference,
        })
    }

    /// Runs the shadow and the reference dry run (when given), each on its
    /// own thread, while `main` runs on this one; their results.
    fn beside<'a, T>(
        &'a self,
        shadow: Option<Planned<'a>>,
        reference: Option<Planned<'a>>,
        deadline: Instant,
        main: impl FnOnce() -> Result<T, RunError>,
    ) -> Result<(T, Option<SideRun>, Option<SideRun>), RunError> {
        std::thread::scope(|scope| {
            let spawn = |(side, line, role, workspace): Planned<'a>| {
                scope.spawn(move || self.launch_in(side, line, role, 0, deadline, workspace))
            };
            let (shadow, reference) = (shadow.map(spawn), reference.map(spawn));
            let main = main();
            let join =
                |handle: Option<std::thread::ScopedJoinHandle<'_, Result<SideRun, RunError>>>| {
                    handle
                        .map(|handle| {
                            handle.join().unwrap_or_else(|_| {
                                Err(RunError::Io {
                                    path: self.run_dir.clone(),
                                    source: std::io::Error::other("a side's thread panicked"),
                                })
                            })
                        })
                        .transpose()
                };
            let (shadow, reference) = (join(shadow), join(reference));
            Ok((main?, shadow?, reference?))
        })
    }

    /// Compares the shadow with the authoritative result; on a mismatch
    /// reruns the shadow up to `recheck` times (a match then is flaky),
    /// until the recheck deadline. Rechecks are appended to `rechecks`.
    fn compare(
        &self,
        authoritative: &SideResult,
        shadow: &SideResult,
        recheck: &Recheck<'_>,
        rechecks: &mut Vec<(SideRun, SideResult)>,
    ) -> Result<(Option<ParityVerdict>, Option<String>), RunError> {
        let plan = self.plan(recheck.comparison);
        let Parity::Mismatch { summary } = compare(authoritative, shadow, &plan) else {
            return Ok((Some(ParityVerdict::Match), None));
        };
        // Diffs of output files may quote a secret the side wrote there.
        let summary = self.redactor.redact_str(&summary);
        for attempt in 1..=self.component.recheck {
            if Instant::now() >= recheck.deadline {
                break;
            }
            let run = self.launch_in(
                recheck.side,
                recheck.line,
                SideRole::Recheck,
                attempt,
                recheck.deadline,
                self.side_workspace(SideRole::Recheck, recheck.side, attempt),
            )?;
            let run = self.with_result(run)?;
            let matched = compare(authoritative, &run.1, &plan) == Parity::Match;
            rechecks.push(run);
            if matched {
                return Ok((Some(ParityVerdict::Flaky), Some(summary)));
            }
        }
        Ok((Some(ParityVerdict::Mismatch), Some(summary)))
    }

    /// How this component's sides are compared: a real side effect and a
    /// dry run share only their exit code.
    fn plan(&self, comparison: ParityComparison) -> ParityPlan<'_> {
        ParityPlan {
            settings: &self.component.parity,
            normalizer: &self.normalizer,
            working_dir: self.base_dir,
            exit_code_only: comparison == ParityComparison::ExitCode,
        }
    }

    fn launch(
        &self,
        side: Side,
        line: &str,
        role: SideRole,
        attempt: u32,
    ) -> Result<SideRun, RunError> {
        let workspace = self.side_workspace(role, side, attempt);
        self.launch_in(side, line, role, attempt, self.shadow_deadline, workspace)
    }

    /// Runs one side, in its own copy of the project if it has one; a side
    /// that is not authoritative is cut off at `deadline`, and a shadow
    /// running beside the authoritative side runs at lowered priority. A
    /// copy that could not be made is recorded as a side that could not
    /// start (the authoritative side never has one).
    fn launch_in(
        &self,
        side: Side,
        line: &str,
        role: SideRole,
        attempt: u32,
        deadline: Instant,
        workspace: Result<Option<SideWorkspace>, String>,
    ) -> Result<SideRun, RunError> {
        let dir = self.side_dir(side, role, attempt);
        // A side running alone writes where CI expects, exactly as the job
        // did before cutover, and its output is only streamed; sides that
        // run together each get their own directory and capture files.
        let out = if self.single {
            self.base_dir.to_owned()
        } else {
            dir.join("out")
        };
        if !self.single {
            std::fs::create_dir_all(&out).map_err(io_error(&out))?;
        }
        let capture = |name: &str| (!self.single).then(|| dir.join(name));
        let authoritative = role == SideRole::Authoritative;
        let (workspace, copy_failed) = match workspace {
            Ok(workspace) => (workspace, None),
            Err(message) => (None, Some(message)),
        };
        let command = SideCommand {
            line: with_args(line, self.extra_args),
            working_dir: workspace
                .as_ref()
                .map_or_else(|| self.base_dir.to_owned(), |w| w.working_dir.clone()),
            env: side_env(self.component, side, &self.run_id, &out, &self.trace),
            stdout_file: capture("stdout"),
            stderr_file: capture("stderr"),
            live: authoritative,
            timeout: if authoritative {
                self.component
                    .timeout
                    .map(|t| Duration::from_secs(t.seconds))
            } else {
                Some(deadline.saturating_duration_since(Instant::now()))
            },
            redact: self.redact.clone(),
        };
        let started = Instant::now();
        let (execution, lowered) = match copy_failed {
            Some(message) => (not_started(message), None),
            None => self.execute(&command, role),
        };
        let span = (started, Instant::now());
        if let Some(workspace) = workspace {
            workspace
                .finish(&out, &self.component.outputs)
                .map_err(io_error(&dir))?;
        }
        Ok(SideRun {
            side,
            role,
            attempt,
            execution,
            dir,
            out,
            captured: !self.single,
            span,
            lowered,
        })
    }

    /// Runs a command, lowered when it is a shadow beside the job or the
    /// authoritative side's dry run (always beside a real run or the shadow).
    fn execute(&self, command: &SideCommand, role: SideRole) -> (Execution, Option<Lowering>) {
        let beside = self.component.shadow == ShadowTiming::Concurrent;
        if role == SideRole::Shadow && beside || role == SideRole::AuthoritativeDryRun {
            let (execution, lowering) = run_side_lowered(command);
            (execution, Some(lowering))
        } else {
            (run_side(command), None)
        }
    }

    /// The time limit of the shadowing side and its rechecks together.
    fn shadow_limit(&self) -> Duration {
        self.component
            .timeout
            .map_or(DEFAULT_SHADOW_TIMEOUT, |t| Duration::from_secs(t.seconds))
    }

    /// Where one execution's captures, outputs and copy live.
    fn side_dir(&self, side: Side, role: SideRole, attempt: u32) -> PathBuf {
        self.run_dir.join(role.directory(side, attempt))
    }

    /// A clean copy of the project for the shadowing side of a two-sided
    /// run (see [`SideWorkspace`]), unless the component says `workspace:
    /// shared`. The authoritative side is the CI job itself: it always
    /// works in the project, so everything it writes stays where the job's
    /// later steps expect it.
    fn side_workspace(
        &self,
        role: SideRole,
        side: Side,
        attempt: u32,
    ) -> Result<Option<SideWorkspace>, String> {
        let shared = self.component.workspace == WorkspaceMode::Shared;
        if self.single || shared || role == SideRole::Authoritative {
            return Ok(None);
        }
        let dir = self.side_dir(side, role, attempt);
        // The state directory (`<state>/runs/<run id>`) is never copied.
        let state_dir = self.run_dir.parent().and_then(Path::parent);
        let exclude: Vec<String> = state_dir
            .and_then(|state| state.strip_prefix(self.base_dir).ok())
            .map(|state| state.display().to_string())
            .into_iter()
            .chain(self.component.outputs.iter().cloned())
            .collect();
        let root = dir.join("work");
        SideWorkspace::create(self.base_dir, &root, &exclude)
            .map(Some)
            .map_err(|error| {
                format!(
                    "failed to copy the project to `{}`: {error}",
                    root.display()
                )
            })
    }

    /// Pairs an execution with what it produced, normalized for comparing.
    /// The files a compared side wrote to its own output directory are
    /// scrubbed of secrets first.
    fn with_result(&self, run: SideRun) -> Result<(SideRun, SideResult), RunError> {
        if run.captured {
            self.redactor
                .scrub_tree(&run.out)
                .map_err(io_error(&run.out))?;
        }
        // A side that never started has no capture file: its stdout is empty.
        let started = !matches!(run.execution.outcome, SideOutcome::SpawnFailed { .. });
        let stdout = if run.captured && started {
            let path = run.dir.join("stdout");
            std::fs::read(&path).map_err(io_error(&path))?
        } else {
            Vec::new()
        };
        let stdout = String::from_utf8_lossy(&stdout);
        let placeholders = [
            (run.out.display().to_string(), "<out>"),
            (run.dir.display().to_string(), "<run>"),
        ];
        let normalized = self
            .redactor
            .redact_str(&self.normalizer.apply(&stdout, &placeholders));
        let result = SideResult {
            side: run.side,
            exit_code: run.execution.outcome.exit_code(),
            stdout: normalized,
            outputs: digest_outputs(&run.out, &self.component.outputs),
            out_dir: run.out.clone(),
        };
        Ok((run, result))
    }
}

/// A trace URL printed by a Dagger side (the first execution that printed one).
fn trace_url(sides: &[(SideRun, SideResult)]) -> Option<String> {
    sides
        .iter()
        .filter(|(run, _)| run.side == Side::Dagger && run.attempt == 0)
        .find_map(|(run, _)| run.execution.trace_url.clone())
}

/// Sortable, unique: `20270104T101500123-1a2b3c4d`.
fn new_run_id() -> String {
    let now = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%3f")
        .to_string();
    format!("{now}-{}", random_hex(4))
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

/// Where rechecks run, until when, and how they are compared.
struct Recheck<'a> {
    side: Side,
    line: &'a str,
    deadline: Instant,
    comparison: ParityComparison,
}

/// The executions of one run before they are compared.
struct Launched {
    authoritative: SideRun,
    shadow: Option<SideRun>,
    /// The authoritative side's dry run, when routed.
    reference: Option<SideRun>,
}

/// An execution to start: side, command line, role and its copy of the project.
type Planned<'a> = (
    Side,
    &'a str,
    SideRole,
    Result<Option<SideWorkspace>, String>,
);

/// An execution that never started, saying why.
fn not_started(message: String) -> Execution {
    Execution {
        outcome: SideOutcome::SpawnFailed { message },
        duration: Duration::ZERO,
        stdout_digest: None,
        trace_url: None,
    }
}

/// Whether two executions ran at the same time.
fn overlap(a: &SideRun, b: &SideRun) -> bool {
    a.span.0 < b.span.1 && b.span.0 < a.span.1
}

/// Whether an execution overlapped another of its run, and whether its
/// duration is contended: one it overlapped ran at normal priority.
fn overlaps(run: &SideRun, sides: &[(SideRun, SideResult)]) -> (bool, bool) {
    let others = sides
        .iter()
        .map(|(other, _)| other)
        .filter(|other| !std::ptr::eq(*other, run) && overlap(run, other));
    let (mut overlapped, mut contended) = (false, false);
    for other in others {
        overlapped = true;
        contended |= !other.lowered.as_ref().is_some_and(Lowering::any);
    }
    (overlapped, contended)
}

fn side_record(run: &SideRun, result: &SideResult, sides: &[(SideRun, SideResult)]) -> SideRecord {
    let (overlapped, contended) = overlaps(run, sides);
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
        overlapped,
        contended,
        lowered: run.lowered.as_ref().map(Lowering::describe),
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
    source: RunSource,
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
        implementation: None,
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
        comparison: None,
        parity_summary: None,
        trace_url: None,
        sides: vec![SideRecord {
            side,
            role: SideRole::Authoritative,
            attempt: 0,
            outcome,
            duration_ms: duration.as_secs_f64() * 1000.0,
            stdout_digest: None,
            outputs_digest: None,
            overlapped: false,
            contended: false,
            lowered: None,
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

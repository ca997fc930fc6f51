//! Command-line arguments (clap). `*Args` structs hold what the user typed;
//! commands resolve them into settings.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cutover_core::lifecycle::{Mode, Side};

/// Move CI/CD orchestration onto Dagger one component at a time.
#[derive(Debug, Parser)]
#[command(name = "cutover", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses a command line (program name first). `cutover run` is on the
    /// path of every CI job, and building the whole command tree (thirty
    /// commands and their options) costs it half a million instructions,
    /// more than routing the run: a line that starts with `run` is parsed
    /// by a tree holding only `run` and the global options, built from the
    /// same definitions. Anything that tree does not accept as it is (help,
    /// `--version`, a mistake) goes to the whole tree, so every message and
    /// every result is the one the whole tree gives.
    pub fn parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        if args.get(1).is_some_and(|first| first == "run")
            && let Ok(cli) = Cli::parse_run(&args)
        {
            return Ok(cli);
        }
        Cli::parse_whole(args)
    }

    /// Parses a line with the whole tree.
    fn parse_whole(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().try_get_matches_from(args)?;
        Ok(Cli::with_spec_given(
            Cli::from_arg_matches(&matches)?,
            &matches,
        ))
    }

    /// Parses `cutover run …` with a tree of `run` alone.
    fn parse_run(args: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
        use clap::FromArgMatches;
        let run = RunArgs::augment_args(clap::Command::new("run"));
        let command = GlobalArgs::augment_args(clap::Command::new("cutover"))
            .subcommand(run)
            .subcommand_required(true);
        let matches = command.try_get_matches_from(args)?;
        Ok(Cli::with_spec_given(
            Cli::from_arg_matches(&matches)?,
            &matches,
        ))
    }

    /// `cli` with [`GlobalArgs::spec_given`] set: whether `--spec` or
    /// `CUTOVER_SPEC`, before or after the subcommand, named the spec.
    fn with_spec_given(mut cli: Cli, matches: &clap::ArgMatches) -> Cli {
        let given = |m: &clap::ArgMatches| {
            m.value_source("spec")
                .is_some_and(|source| source != clap::parser::ValueSource::DefaultValue)
        };
        cli.global.spec_given =
            given(matches) || matches.subcommand().is_some_and(|(_, sub)| given(sub));
        cli
    }
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The migration spec.
    #[arg(
        long,
        global = true,
        env = "CUTOVER_SPEC",
        default_value = "migration.yaml",
        value_name = "PATH"
    )]
    pub spec: PathBuf,
    /// Whether `--spec` or `CUTOVER_SPEC` named the spec (not the default):
    /// a command for which the spec is optional (`serve`) then requires it.
    #[arg(skip)]
    pub spec_given: bool,
    /// The state store: a SQLite file (default: `.cutover/state.db` beside
    /// the spec), a `postgres://` URL, or a `cutover serve` `https://` URL.
    #[arg(long, global = true, env = "CUTOVER_STATE", value_name = "PATH|URL")]
    pub state: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the spec: schema, references, cycles, pins, durations.
    Check(CheckArgs),
    /// Phases, schedule, critical path and Gantt chart.
    Plan(PlanArgs),
    /// Print the JSON Schema of migration.yaml (for editor completion).
    Schema(SchemaArgs),
    /// Run a component per its mode; exits with the authoritative side's code.
    Run(RunArgs),
    /// Modes, run counts, parity and drift of every component.
    Status(StatusArgs),
    /// Recent runs of a component, with parity.
    Runs(RunsArgs),
    /// The audit trail: every mode change and who made it.
    Log(LogArgs),
    /// Move a component or phase forward (legacy → shadow → canary → dagger → retired).
    Advance(AdvanceArgs),
    /// Move a component or phase back to an earlier mode.
    Rollback(RollbackArgs),
    /// Write the store's overrides into the mode file (to commit), then clear them.
    Sync(SyncArgs),
    /// Record an outcome reported by a service (instead of `run`).
    Record(RecordArgs),
    /// Deliver the run records waiting in `.cutover/spool/` to the store.
    Push(PushArgs),
    /// Import a directory of spooled run records (e.g. CI artifacts); idempotent.
    Ingest(IngestArgs),
    /// Evaluate a component's or phase's gate; non-zero exit unless it passes.
    Gate(GateArgs),
    /// Run acceptance and integration tests; non-zero exit if any fails.
    Test(TestArgs),
    /// Interleaved legacy-vs-Dagger benchmark with statistics and a report.
    Bench(BenchArgs),
    /// Write the migration documents (plan, success criteria, testing strategy, rollback procedures, training, development impact).
    Docs(DocsArgs),
    /// Evaluate rollback triggers of every component (loop, or --once).
    Watch(WatchArgs),
    /// Decide a held component's decision point: rollback or continue.
    Decide(DecideArgs),
    /// Draft components from legacy CI files (GitHub Actions, GitLab CI, …).
    Import(ImportArgs),
    /// Map every component's legacy features to Dagger capabilities.
    Audit(AuditArgs),
    /// Draft a Dagger module (one function per imported job) and set `dagger.run`.
    Scaffold(ScaffoldArgs),
    /// The CI change that routes imported jobs through `cutover run`, as a diff.
    Ci(CiArgs),
    /// Report the dagger CLI, engine, container runtime and store; never pretends.
    Doctor(DoctorArgs),
    /// Prune captured run files and snapshot contents per `retention:`; report what was freed.
    Gc(GcArgs),
    /// What changed in a component's legacy definition; `drift ack` accepts it.
    #[command(subcommand)]
    Drift(DriftCommand),
    /// Snapshots (restore points and the safety copies rollbacks take), newest first.
    Snapshots(SnapshotsArgs),
    /// Run the legacy side against itself; propose `normalize` rules for what varies.
    Calibrate(CalibrateArgs),
    /// Bring a snapshot's files back (the current content is saved first).
    Restore(RestoreArgs),
    /// Serve the state store over HTTP to CI runners and operators (bearer tokens with roles).
    Serve(ServeArgs),
    /// Stakeholder messages: the outbox, sending, acknowledging, escalating, the calendar.
    #[command(subcommand)]
    Comms(CommsCommand),
}

/// `cutover comms …`.
#[derive(Debug, Subcommand)]
pub enum CommsCommand {
    /// Messages of the outbox: pending (with the next attempt), sent, failed.
    Outbox(OutboxArgs),
    /// Deliver what is due (status updates first); retries with backoff.
    Send(SendArgs),
    /// Acknowledge a message (its id or key): it stops escalating.
    Ack(AckArgs),
    /// Record what became overdue, and escalate unacknowledged messages one level (cron-safe).
    Escalate,
    /// Announce the plan to every stakeholder.
    Announce,
    /// Status updates, phase starts, gates, retirement dates and training
    /// sessions; as iCalendar with `--ics FILE`, else as a table.
    Schedule(ScheduleArgs),
    /// Invite each team to its training sessions (again only when one moves).
    Invite,
}

/// `cutover comms schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Write the schedule as an iCalendar file (`.ics`); a second export
    /// keeps every event's UID, so calendars update instead of duplicating.
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

/// `cutover comms outbox`.
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Only messages with this status.
    #[arg(long, value_enum)]
    pub status: Option<MessageStatusChoice>,
    /// At most this many, the newest.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// A message status on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageStatusChoice {
    /// Not delivered yet.
    Pending,
    /// Delivered.
    Sent,
    /// Given up on.
    Failed,
}

/// `cutover comms send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Show what would be sent; send and record nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `cutover comms ack`.
#[derive(Debug, Args)]
pub struct AckArgs {
    /// The message: its id, or its key (or the key's first characters) as messages print it.
    pub message: String,
}

/// `cutover restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The snapshot id (`cutover snapshots` lists them).
    pub snapshot: i64,
    /// Why, recorded in the audit log.
    #[arg(long)]
    pub reason: Option<String>,
}

/// `cutover calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The component.
    pub component: String,
    /// Rounds of two legacy runs each.
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// Add the rules to the component's `normalize:` in the spec.
    #[arg(long)]
    pub write: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `cutover serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(
        long,
        env = "CUTOVER_SERVE_LISTEN",
        default_value = "127.0.0.1:7700",
        value_name = "HOST:PORT"
    )]
    pub listen: String,
    /// Tokens file: one `ROLE NAME TOKEN` per line (roles: viewer, runner, operator).
    #[arg(long, env = "CUTOVER_SERVE_TOKENS_FILE", value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// Async worker threads (default: one per core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub workers: usize,
    /// Serve HTTPS: PEM certificate chain, leaf first (needs `--tls-key`).
    #[arg(
        long,
        env = "CUTOVER_SERVE_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert` (needs `--tls-cert`).
    #[arg(
        long,
        env = "CUTOVER_SERVE_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
}

/// `cutover snapshots`.
#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    /// Only this component's snapshots.
    pub component: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `cutover doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// How long to wait for the engine to answer.
    #[arg(long, value_parser = humantime_secs, default_value = "30s")]
    pub engine_timeout: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// Parses `30s`, `2m` or a number of seconds.
fn humantime_secs(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.trim().split_at(
        text.trim()
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.trim().len()),
    );
    let value: u64 = number
        .parse()
        .map_err(|_| format!("invalid duration `{text}`: expected e.g. `30s` or `2m`"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(value)),
        "m" => Ok(Duration::from_secs(value * 60)),
        _ => Err(format!(
            "invalid duration `{text}`: expected e.g. `30s` or `2m`"
        )),
    }
}

/// The CI systems `cutover ci` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiChoice {
    /// GitHub Actions workflows.
    GithubActions,
    /// GitLab CI.
    Gitlab,
}

/// `cutover ci`.
#[derive(Debug, Args)]
pub struct CiArgs {
    /// Which CI system's files to change.
    #[arg(value_enum)]
    pub system: CiChoice,
    /// Write the changed files under this directory (same relative paths)
    /// instead of printing a diff.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The SDKs `cutover scaffold` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SdkChoice {
    /// Python (`dagger-io`).
    Python,
    /// TypeScript (`@dagger.io/dagger`).
    Typescript,
}

/// The Dagger CLI generations `cutover scaffold` lays a module out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DaggerCliChoice {
    /// The stable 0.x CLI: `dagger.json`, `dagger call`.
    #[value(name = "0.2x", alias = "stable")]
    Stable,
    /// The 1.0 beta: `dagger.toml` workspace, `dagger-module.toml` module, `dagger api call`.
    #[value(name = "1.0-beta")]
    Beta,
}

/// `cutover scaffold`.
#[derive(Debug, Args)]
pub struct ScaffoldArgs {
    /// Components to scaffold (one function per job behind each).
    #[arg(value_name = "COMPONENT", required_unless_present = "all")]
    pub components: Vec<String>,
    /// Scaffold every component.
    #[arg(long, conflicts_with = "components")]
    pub all: bool,
    /// The SDK.
    #[arg(long, value_enum)]
    pub sdk: SdkChoice,
    /// The module directory (default `.dagger` beside the spec; with
    /// `--dagger-cli 1.0-beta`, `.dagger/modules/NAME`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The Dagger CLI generation to lay the module out for.
    #[arg(long, value_enum, default_value = "0.2x")]
    pub dagger_cli: DaggerCliChoice,
    /// The module's name (default: the migration's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Overwrite a module already in the directory.
    #[arg(long)]
    pub force: bool,
}

/// The legacy systems `cutover import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LegacyFrom {
    /// GitHub Actions workflows.
    GithubActions,
    /// GitLab CI (`.gitlab-ci.yml`).
    Gitlab,
    /// Makefiles.
    Make,
    /// Justfiles.
    Just,
    /// Taskfiles.
    Taskfile,
    /// docker compose files.
    Compose,
}

/// `cutover import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Which legacy system the files belong to.
    #[arg(long = "from", value_enum)]
    pub from: LegacyFrom,
    /// The files to import.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Add to this existing spec instead of printing a new one.
    #[arg(long, value_name = "SPEC")]
    pub merge: Option<PathBuf>,
    /// With --merge: report what would change, write nothing.
    #[arg(long, requires = "merge")]
    pub dry_run: bool,
    /// The migration's name (default: the current directory's name).
    #[arg(long)]
    pub name: Option<String>,
    /// The migration's first work day, YYYY-MM-DD (default: today).
    #[arg(long)]
    pub start: Option<String>,
}

/// `cutover audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The spec (default: --spec).
    pub spec: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,
}

/// Output formats of `cutover audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Aligned text.
    Table,
    /// Markdown (the capability-mapping document).
    Md,
    /// Machine-readable JSON (documented in the README).
    Json,
}

/// `cutover gc`.
#[derive(Debug, Args)]
pub struct GcArgs {
    /// Only report what would be freed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `cutover docs`.
#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Directory to write to (default: `migration-docs` beside the spec).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `cutover bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The component.
    pub component: String,
    /// Measured runs per side.
    #[arg(long, default_value_t = 10)]
    pub runs: u32,
    /// Discarded warm-up runs per side.
    #[arg(long, default_value_t = 1)]
    pub warmup: u32,
    /// Directory for the Markdown report and SVG plot (default `.cutover/bench/COMPONENT`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// Which side(s) a command acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SideChoice {
    /// The legacy implementation.
    Legacy,
    /// The Dagger implementation.
    Dagger,
    /// Both.
    Both,
}

/// `cutover test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// A component id or phase number (default: every test).
    pub target: Option<String>,
    /// Which side to test.
    #[arg(long, value_enum, default_value = "both")]
    pub side: SideChoice,
    /// Also write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// `cutover gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// A component id, or a phase number.
    pub target: String,
    /// Judge only runs started at or after this time (RFC 3339, or a date
    /// YYYY-MM-DD meaning its midnight UTC), instead of each criterion's window.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// Table or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text.
    Table,
    /// Machine-readable JSON.
    Json,
}

/// `cutover run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The component.
    pub component: String,
    /// Canary routing key (default: the CI's commit SHA, else random).
    #[arg(long)]
    pub key: Option<String>,
    /// How long to wait for the store once the sides are done: `2s`,
    /// `500ms`. The job's exit code never depends on it; a run the store has
    /// not confirmed by then stays in `.cutover/spool/` for `cutover push`.
    #[arg(
        long,
        env = "CUTOVER_DELIVERY_TIMEOUT",
        value_parser = parse_duration,
        default_value = "2s"
    )]
    pub delivery_timeout: Duration,
    /// Keep the run's record in `.cutover/spool/` only, not delivering it:
    /// CI uploads the spool as an artifact and `cutover ingest` imports it.
    #[arg(
        long,
        env = "CUTOVER_SPOOL_ONLY",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub spool_only: bool,
    /// Extra arguments appended to the side's command line.
    #[arg(last = true)]
    pub args: Vec<String>,
}

/// `cutover push`.
#[derive(Debug, Args)]
pub struct PushArgs {}

/// `cutover ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// A directory of spooled run records (`.cutover/spool/` of one or many
    /// runners, e.g. downloaded CI artifacts); searched recursively.
    pub dir: PathBuf,
}

/// `cutover status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `cutover runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// The component.
    pub component: String,
    /// How many recent runs.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `cutover log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this component's events.
    #[arg(long)]
    pub component: Option<String>,
    /// How many recent events.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// `cutover advance`.
#[derive(Debug, Args)]
pub struct AdvanceArgs {
    /// A component id, or a phase number.
    pub target: String,
    /// Target mode (default: the next one).
    #[arg(long, value_parser = parse_mode)]
    pub to: Option<Mode>,
    /// Canary share in percent (canary only; default 10).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub percent: Option<u8>,
    /// Allow skipping steps (needs --reason).
    #[arg(long)]
    pub force: bool,
    /// Why, recorded in the audit log.
    #[arg(long)]
    pub reason: Option<String>,
    /// Confirm retiring (no way back); needed for `--to retired`, even with --force.
    #[arg(long)]
    pub confirm_retire: bool,
    /// Retire although dependencies are not at dagger yet (needs --reason).
    #[arg(long)]
    pub override_dependencies: bool,
}

/// `cutover sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {}

/// `cutover rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// A component id, or a phase number.
    #[arg(required_unless_present = "resume")]
    pub target: Option<String>,
    /// Go back to the restore point left in this mode (default: the previous one).
    #[arg(long, value_parser = parse_mode)]
    pub to: Option<Mode>,
    /// Why, recorded in the audit log.
    #[arg(long)]
    pub reason: Option<String>,
    /// Also roll back dependents outside the target that are further along.
    #[arg(long)]
    pub cascade: bool,
    /// Rehearse on a copy: live state untouched; legacy acceptance tests run; time measured.
    #[arg(long, conflicts_with = "resume")]
    pub drill: bool,
    /// Complete an interrupted rollback.
    #[arg(long)]
    pub resume: bool,
    /// Restore preserved paths even if they were edited since their snapshot
    /// (the edit is kept in a safety snapshot either way).
    #[arg(long)]
    pub overwrite: bool,
}

/// `cutover watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Evaluate once and exit (for cron or a CI schedule).
    #[arg(long)]
    pub once: bool,
    /// Time between passes: `30s`, `5m`.
    #[arg(long, value_parser = parse_duration, default_value = "60s")]
    pub interval: Duration,
}

/// The outcome of a decision point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Decision {
    /// Roll back to the previous restore point.
    Rollback,
    /// Keep going; the component may advance again.
    Continue,
}

/// `cutover schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of `cutover log --format json` (the typed events) instead.
    #[arg(long)]
    pub events: bool,
}

/// `cutover drift`.
#[derive(Debug, Subcommand)]
pub enum DriftCommand {
    /// Show what changed since the baseline: files and digests.
    Show {
        /// The component.
        component: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Accept the current legacy definition as the new baseline (an event).
    Ack {
        /// The component.
        component: String,
        /// Why, recorded in the audit log.
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `cutover decide`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The held component.
    pub component: String,
    /// What to do.
    #[arg(value_enum)]
    pub decision: Decision,
    /// Why, recorded in the audit log.
    #[arg(long)]
    pub reason: String,
}

/// `cutover record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The component.
    pub component: String,
    /// Which side ran.
    #[arg(long, value_parser = parse_side)]
    pub side: Side,
    /// Its exit code (0 is success).
    #[arg(long = "exit", allow_negative_numbers = true)]
    pub exit_code: i32,
    /// How long it took: `850ms`, `1.5s`, `2m`.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Duration,
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    text.parse::<Mode>().map_err(|e| e.to_string())
}

fn parse_side(text: &str) -> Result<Side, String> {
    text.parse::<Side>()
}

/// Parses `850ms`, `1.5s`, `2m`, `1h` or bare seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration `{text}`: expected e.g. `850ms`, `1.5s`, `2m`"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("invalid duration unit `{unit}`: use ms, s, m or h")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("invalid duration `{text}`"))
}

/// `cutover check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Spec to check (overrides --spec).
    #[arg(id = "spec_file", value_name = "SPEC")]
    pub spec: Option<PathBuf>,
}

/// Output formats of `cutover plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Aligned text tables.
    Table,
    /// The phased migration plan document in Markdown.
    Md,
    /// A self-contained HTML page with an SVG Gantt chart.
    Html,
    /// Machine-readable JSON.
    Json,
}

/// `cutover plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Spec to plan (overrides --spec).
    #[arg(id = "spec_file", value_name = "SPEC")]
    pub spec: Option<PathBuf>,
    /// Output format; defaults to the --out file's extension (.md, .html, .json,
    /// .txt; any other is refused), else `table`.
    #[arg(long, value_enum)]
    pub format: Option<PlanFormat>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Plan again with a change and show it beside the baseline:
    /// `capacity=4`, `team.backend=3`, `soak.shadow=3d`, `without=ID`
    /// (repeatable; applied in order).
    #[arg(long = "what-if", value_name = "KEY=VALUE")]
    pub what_if: Vec<String>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn line(text: &str) -> Vec<std::ffi::OsString> {
        text.split(' ').map(Into::into).collect()
    }

    #[test]
    fn a_run_line_parses_alone_exactly_as_the_whole_tree_parses_it() {
        for text in [
            "cutover run job",
            "cutover run job --key abc --delivery-timeout 500ms",
            "cutover run job --spool-only -- make test",
            "cutover run job --state other.db --spec spec/migration.yaml",
            "cutover run --key k job -- --help",
        ] {
            let alone = Cli::parse_run(&line(text)).expect(text);
            let whole = Cli::parse_whole(line(text)).expect(text);
            assert_eq!(format!("{alone:?}"), format!("{whole:?}"), "{text}");
        }
    }

    #[test]
    fn what_the_run_tree_refuses_goes_to_the_whole_tree() {
        for text in [
            "cutover run --help",
            "cutover run --version",
            "cutover run",
            "cutover run job --frobnicate",
            "cutover run job --delivery-timeout soon",
        ] {
            assert!(Cli::parse_run(&line(text)).is_err(), "{text}");
            let whole = Cli::try_parse_from(line(text)).expect_err(text);
            let through = Cli::parse_args(line(text)).expect_err(text);
            assert_eq!(through.kind(), whole.kind(), "{text}");
            assert_eq!(through.to_string(), whole.to_string(), "{text}");
        }
        let status = Cli::parse_args(line("cutover status")).expect("status");
        assert!(matches!(status.command, Command::Status(_)));
    }
}

//! Command-line arguments (clap). `*Args` structs hold what the user typed;
//! commands resolve them into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the spec: schema, references, cycles, pins, durations.
    Check(CheckArgs),
    /// Phases, schedule, critical path and Gantt chart.
    Plan(PlanArgs),
    /// Print the JSON Schema of migration.yaml (for editor completion).
    Schema,
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
    /// Output format; defaults to the --out file's extension, else `table`.
    #[arg(long, value_enum)]
    pub format: Option<PlanFormat>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

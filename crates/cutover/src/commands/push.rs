//! `cutover push` and `cutover ingest DIR`: deliver spooled run records to
//! the store — this runner's waiting records, or a directory of records
//! gathered from many runners. Progress goes to stderr, the summary to
//! stdout.

use cutover_core::spool::Spool;
use cutover_core::spool::deliver::{self, Delivered, Progress, PushSummary};

use super::{open_workspace, open_workspace_only};
use crate::args::{GlobalArgs, IngestArgs, PushArgs};
use crate::error::{CliError, note, one_line};
use crate::exit_codes;
use crate::printer::Printer;

/// Delivers every waiting record; exit 0 when the spool is empty after, 1 when some remain.
pub fn push(global: &GlobalArgs, _args: PushArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let mut workspace = open_workspace_only(global)?;
    let spool = Spool::in_state_dir(&workspace.state_dir);
    spool.sweep()?;
    let summary = deliver::push(&mut workspace.store, &spool, usize::MAX, None, progress)?;
    for problem in &summary.unreadable {
        note(&format!("cutover: warning: {}", one_line(problem)));
    }
    if let Some(error) = &summary.failed {
        note(&format!(
            "cutover: the store at {} failed, delivery stopped: {}",
            workspace.location,
            one_line(error)
        ));
    }
    printer
        .write(&render_push(&summary))
        .map_err(CliError::Stdout)?;
    Ok(if summary.remaining == 0 {
        exit_codes::OK
    } else {
        exit_codes::NOT_MET
    })
}

fn render_push(summary: &PushSummary) -> String {
    let count = cutover_core::text::count;
    let mut text = format!(
        "delivered {} ({} finished, {} incomplete); {} still spooled",
        count(summary.finished + summary.incomplete, "run"),
        summary.finished,
        summary.incomplete,
        summary.remaining
    );
    if summary.in_progress > 0 {
        text.push_str(&format!(
            " ({} still in progress here)",
            summary.in_progress
        ));
    }
    text.push('\n');
    text
}

/// Imports a directory of records; refuses (exit 2, nothing written) one
/// that holds anything else.
pub fn ingest(
    global: &GlobalArgs,
    args: IngestArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    if !args.dir.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is not a directory of spooled run records",
            args.dir.display()
        )));
    }
    let records = deliver::read_records(&args.dir)?;
    let mut workspace = open_workspace(global)?;
    let summary = deliver::ingest(&mut workspace.store, &records, progress)?;
    printer
        .write(&format!(
            "ingested {} from {} ({} finished, {} incomplete); runs already in the store were left as they were\n",
            cutover_core::text::count(records.len(), "record"),
            args.dir.display(),
            summary.finished,
            summary.incomplete
        ))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn progress(step: &Progress<'_>) {
    let what = match step.delivered {
        Delivered::Finished => "finished",
        Delivered::Incomplete => "incomplete: its process ended before the run did",
    };
    note(&format!(
        "cutover: [{}/{}] {} ({what})",
        step.index, step.total, step.run_id
    ));
}

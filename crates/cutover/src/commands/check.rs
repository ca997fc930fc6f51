//! `cutover check`: validate the spec and say what it holds.

use cutover_core::mode_file::{MODE_FILE_NAME, ModeFile};
use cutover_core::text::count;

use super::{load, plan_failure, spec_path};
use crate::args::{CheckArgs, GlobalArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Validates the spec; problems are reported as errors (exit 2).
pub fn run(global: &GlobalArgs, args: CheckArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let CheckArgs { spec } = args;
    let path = spec_path(global, spec);
    let migration = load(&path)?;
    let edges: usize = migration
        .components
        .iter()
        .map(|c| c.depends_on.len())
        .sum();
    // Planning catches what only a plan can reveal (pins that empty a phase).
    cutover_core::plan::build_plan(&migration)
        .map_err(|source| plan_failure(&path, &migration, source))?;
    let modes_path = path
        .parent()
        .map_or_else(|| MODE_FILE_NAME.into(), |p| p.join(MODE_FILE_NAME));
    let modes = ModeFile::check(&modes_path, &migration)?;
    let mut text = format!(
        "ok: `{}` is valid: {}, {}\n",
        path.display(),
        count(migration.components.len(), "component"),
        count(edges, "dependency"),
    );
    text.push_str(&communication_summary(&migration.communication));
    let base_dir = path.parent().unwrap_or(std::path::Path::new("."));
    let problems = cutover_core::comms::Templates::of_project(base_dir)
        .problems(&cutover_core::comms::context::MessageContext::sample());
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(CliError::Usage(format!(
            "{}; messages would fall back to the shipped wording",
            list.join("; ")
        )));
    }
    text.push_str(&match modes {
        Some(modes) => format!(
            "ok: mode file `{}` is valid: {} listed\n",
            modes_path.display(),
            count(modes.len(), "component")
        ),
        None => format!(
            "no mode file `{}` yet: modes come from the store until the first advance, rollback or `cutover sync`\n",
            modes_path.display()
        ),
    });
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// What the communication sections hold, when the spec has stakeholders.
fn communication_summary(communication: &cutover_core::spec::Communication) -> String {
    if communication.stakeholders.is_empty() {
        return String::new();
    }
    format!(
        "ok: communication: {} in {}, {}, {}, {}\n",
        count(communication.stakeholders.len(), "stakeholder"),
        count(communication.groups().len(), "group"),
        count(communication.channels.len(), "channel"),
        count(communication.schedule.len(), "status-update cadence"),
        count(communication.escalation.len(), "escalation level"),
    )
}

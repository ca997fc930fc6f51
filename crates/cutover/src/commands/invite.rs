//! `cutover comms invite`: each team's training sessions into the outbox,
//! for the stakeholders they are for; sessions announced before are left
//! alone unless the plan moved them.

use cutover_core::ops::comms::invite;
use cutover_core::text::count;

use super::{actor, open_workspace};
use crate::args::GlobalArgs;
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Invites, then says what went into the outbox.
pub fn run(global: &GlobalArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let mut workspace = open_workspace(global)?;
    let report = invite(&mut workspace, &actor())?;
    let mut text = String::new();
    for (session, event, messages) in &report.invited {
        text.push_str(&format!(
            "invited `{}` to session {} ({}, by {}; event #{event}): {}\n",
            session.team,
            session.number,
            session.title,
            session.by,
            count(*messages, "message")
        ));
    }
    if !report.unchanged.is_empty() {
        text.push_str(&format!(
            "{} already announced as planned\n",
            count(report.unchanged.len(), "session")
        ));
    }
    for team in &report.uninvited {
        text.push_str(&format!(
            "`{team}`: no stakeholder covers its components (group developers, administrators or custom); nothing sent\n"
        ));
    }
    if !report.invited.is_empty() {
        text.push_str("`cutover comms send` delivers them\n");
    }
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

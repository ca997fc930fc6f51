//! `cutover decide COMPONENT rollback|continue`: close the decision point an
//! escalated trigger opened.

use cutover_core::lifecycle::Target;
use cutover_core::rollback::{RollbackContext, RollbackRequest, execute_rollback, plan_rollback};
use cutover_core::store::NewEvent;

use super::{Workspace, actor};
use crate::args::{DecideArgs, Decision, GlobalArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Records the decision and acts on it.
pub fn run(global: &GlobalArgs, args: DecideArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let DecideArgs {
        component,
        decision,
        reason,
    } = args;
    let workspace = Workspace::open(global)?;
    let component = workspace.component(&component)?;
    let index = workspace
        .migration
        .component_index(&component.id)
        .unwrap_or_default();
    let mut store = workspace.store()?;
    let Some(open) = store.open_decision_for(&component.id)? else {
        return Err(CliError::Usage(format!(
            "`{}` has no open decision point",
            component.id
        )));
    };
    let actor = actor();
    let word = match decision {
        Decision::Rollback => "rollback",
        Decision::Continue => "continue",
    };
    let mut text = String::new();
    if decision == Decision::Rollback {
        let context = RollbackContext {
            migration: &workspace.migration,
            base_dir: &workspace.base_dir,
            state_dir: &workspace.state_dir,
        };
        let target = Target::Component(index);
        let why = format!("decision on trigger `{}`: {}", open.trigger, reason);
        let request = RollbackRequest {
            name: &component.id,
            target: &target,
            to: None,
            cascade: false,
            actor: &actor,
            reason: Some(&why),
        };
        let steps = plan_rollback(&store, &context, &request)
            .map_err(|source| CliError::Rollback { source })?;
        execute_rollback(&mut store, &context, &request, &steps)
            .map_err(|source| CliError::Rollback { source })?;
        for step in &steps {
            text.push_str(&format!(
                "`{}`: {} -> {}\n",
                step.component, step.from.mode, step.to.mode
            ));
        }
    }
    store.decide(open.id, word, &actor, Some(&reason))?;
    store.append_event(&NewEvent {
        kind: "decision".into(),
        component: Some(component.id.clone()),
        actor,
        reason: Some(reason),
        detail: serde_json::json!({ "decision": word, "trigger": open.trigger, "evidence": open.evidence }),
    })?;
    text.push_str(&format!(
        "decision recorded: {word}; `{}` is no longer held\n",
        component.id
    ));
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

//! Triggers: criteria watched continuously. After every `cutover run` of a
//! component in one of the trigger's `modes` (default canary and dagger,
//! where Dagger is authoritative for some runs; shadow when listed) (and on each `cutover watch`
//! pass), each trigger whose condition holds over the runs since the current
//! mode began — with at least `min_runs` runs, and not within `cooldown` of
//! its last firing — fires: an event with its evidence, then either an
//! automatic rollback or a decision point that holds the component until
//! someone runs `cutover decide`.

use serde::Serialize;

use super::procedure::{RollbackError, RollbackRequest, execute_rollback, plan_rollback};
use crate::criteria::{Verdict, evaluate};
use crate::event::{Event, NewEvent};
use crate::gate::window_metrics;
use crate::lifecycle::{Mode, Target};
use crate::spec::{ComponentRef, Trigger, TriggerAction, TriggerMode};
use crate::status::drift;
use crate::store::Durability;
use crate::workspace::Workspace;

/// Who acts when a trigger rolls back.
pub const TRIGGER_ACTOR: &str = "cutover (trigger)";

/// What a trigger did.
#[derive(Debug, Clone, Serialize)]
pub struct Firing {
    /// Component.
    pub component: String,
    /// The trigger's condition.
    pub trigger: String,
    /// What it does.
    pub action: TriggerAction,
    /// What the metrics were.
    pub evidence: String,
    /// What happened: "rolled back to shadow", "decision point opened", …
    pub outcome: String,
}

/// Evaluates every trigger of one component and acts on those that fire.
pub fn check_triggers(
    workspace: &mut Workspace,
    reference: ComponentRef,
) -> Result<Vec<Firing>, RollbackError> {
    let component = workspace.spec(reference);
    let record = workspace.mode(&component.id)?.record();
    if !matches!(
        record.state.mode,
        Mode::Shadow | Mode::Canary | Mode::Dagger
    ) {
        return Ok(Vec::new());
    }
    let watching: Vec<Trigger> = workspace
        .migration
        .rollback
        .triggers
        .iter()
        .filter(|t| watches(t, record.state.mode))
        .cloned()
        .collect();
    if watching.is_empty() {
        return Ok(Vec::new());
    }
    // Hashing the legacy sources only pays when some trigger watches this mode.
    let drifted = drift(component, &record, &workspace.base_dir);
    let mut firings = Vec::new();
    for trigger in watching {
        let Some(evidence) = fired(workspace, reference, &trigger, record.since, drifted)? else {
            continue;
        };
        let outcome = act(workspace, reference, &trigger, &evidence)?;
        firings.push(Firing {
            component: workspace.spec(reference).id.clone(),
            trigger: trigger.when.text.clone(),
            action: trigger.action,
            evidence,
            outcome,
        });
        if trigger.action == TriggerAction::Rollback {
            break;
        }
    }
    Ok(firings)
}

/// Whether `trigger` is evaluated in `mode` (its `modes:` scope).
fn watches(trigger: &Trigger, mode: Mode) -> bool {
    let mode = match mode {
        Mode::Shadow => TriggerMode::Shadow,
        Mode::Canary => TriggerMode::Canary,
        Mode::Dagger => TriggerMode::Dagger,
        Mode::Legacy | Mode::Retired => return false,
    };
    trigger.modes.contains(&mode)
}

/// Whether `trigger` fires now; if so records the event and returns its evidence.
fn fired(
    workspace: &mut Workspace,
    reference: ComponentRef,
    trigger: &Trigger,
    mode_since: Option<jiff::Timestamp>,
    drifted: bool,
) -> Result<Option<String>, RollbackError> {
    let id = workspace.spec(reference).id.clone();
    let store = &mut workspace.store;
    let since = store.window_start(&id, trigger.when.window, mode_since)?;
    let metrics = window_metrics(store, &id, since, drifted)?;
    let cooldown = trigger.cooldown.map(|c| c.seconds);
    if metrics.runs < u64::from(trigger.min_runs)
        || !cooled_down(store, &id, &trigger.when.text, cooldown)?
    {
        return Ok(None);
    }
    let result = evaluate(&trigger.when.expr, &metrics);
    if result.verdict != Verdict::Pass {
        return Ok(None);
    }
    let evidence = evidence(&result.metrics, metrics.runs);
    store.append_event(
        &NewEvent {
            component: Some(id),
            actor: TRIGGER_ACTOR.into(),
            reason: Some(trigger.when.text.clone()),
            event: Event::TriggerFired {
                trigger: trigger.when.text.clone(),
                action: trigger.action,
                metrics: result.metrics,
                runs: metrics.runs,
            },
            messages: Vec::new(),
        },
        Durability::Synced,
    )?;
    Ok(Some(evidence))
}

/// Rolls back, or opens a decision point; says what happened.
fn act(
    workspace: &mut Workspace,
    reference: ComponentRef,
    trigger: &Trigger,
    evidence: &str,
) -> Result<String, RollbackError> {
    let id = workspace.spec(reference).id.clone();
    match trigger.action {
        TriggerAction::Rollback => roll_back(workspace, reference, &trigger.when.text),
        TriggerAction::Escalate => {
            let opened =
                workspace
                    .store
                    .open_decision(&id, &trigger.when.text, evidence, TRIGGER_ACTOR)?;
            Ok(match opened {
                Some(_) => format!(
                    "decision point opened: `{id}` is held until `cutover decide {id} rollback|continue`"
                ),
                None => "a decision point is already open".into(),
            })
        }
    }
}

fn roll_back(
    workspace: &mut Workspace,
    reference: ComponentRef,
    trigger: &str,
) -> Result<String, RollbackError> {
    let id = workspace.spec(reference).id.clone();
    let target = Target::Component(reference);
    let reason = format!("trigger fired: {trigger}");
    let request = RollbackRequest {
        name: &id,
        target: &target,
        to: None,
        cascade: true,
        actor: TRIGGER_ACTOR,
        reason: Some(&reason),
        // An emergency brake: an edit is kept in the safety snapshot.
        overwrite: true,
    };
    let steps = plan_rollback(workspace, &request)?;
    execute_rollback(workspace, &request, &steps)?;
    let to = steps.last().map_or(Mode::Legacy, |s| s.to.mode);
    Ok(format!("rolled back `{id}` to {to}"))
}

fn cooled_down(
    store: &crate::store::Store,
    component: &str,
    trigger: &str,
    cooldown_seconds: Option<u64>,
) -> Result<bool, RollbackError> {
    let Some(seconds) = cooldown_seconds else {
        return Ok(true);
    };
    let Some(last) = store.last_trigger_firing(component, trigger)? else {
        return Ok(true);
    };
    let elapsed = jiff::Timestamp::now().duration_since(last);
    Ok(elapsed.as_secs() >= seconds as i64)
}

fn evidence(metrics: &std::collections::BTreeMap<String, Option<f64>>, runs: u64) -> String {
    let values: Vec<String> = metrics
        .iter()
        .map(|(name, value)| {
            format!(
                "{name} = {}",
                value.map_or_else(
                    || "no data".to_owned(),
                    |v| format!("{v:.4}")
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_owned()
                )
            )
        })
        .collect();
    format!("{} over {runs} runs", values.join(", "))
}

/// Checks every component (for `cutover watch`).
pub fn check_all(workspace: &mut Workspace) -> Result<Vec<Firing>, RollbackError> {
    let mut firings = Vec::new();
    for component in workspace.migration.component_refs() {
        firings.extend(check_triggers(workspace, component)?);
    }
    Ok(firings)
}

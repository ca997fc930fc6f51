//! Triggers: criteria watched continuously. After every `cutover run` of a
//! component in shadow, canary or dagger mode (and on each `cutover watch`
//! pass), each trigger whose condition holds over the runs since the current
//! mode began — with at least `min_runs` runs, and not within `cooldown` of
//! its last firing — fires: an event with its evidence, then either an
//! automatic rollback or a decision point that holds the component until
//! someone runs `cutover decide`.

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use super::procedure::{
    RollbackContext, RollbackError, RollbackRequest, execute_rollback, plan_rollback,
};
use crate::criteria::{Verdict, evaluate};
use crate::gate::window_metrics;
use crate::lifecycle::{Mode, Target};
use crate::spec::{Migration, TriggerAction};
use crate::status::drift;
use crate::store::{NewEvent, Store};

/// Who acts when a trigger rolls back.
pub const TRIGGER_ACTOR: &str = "cutover (trigger)";

/// What a trigger did.
#[derive(Debug, Clone, Serialize)]
pub struct Firing {
    /// Component.
    pub component: String,
    /// The trigger's condition.
    pub trigger: String,
    /// `rollback` or `escalate`.
    pub action: &'static str,
    /// What the metrics were.
    pub evidence: String,
    /// What happened: "rolled back to shadow", "decision point opened", …
    pub outcome: String,
}

/// Evaluates every trigger of one component and acts on those that fire.
pub fn check_triggers(
    store: &mut Store,
    context: &RollbackContext<'_>,
    index: usize,
) -> Result<Vec<Firing>, RollbackError> {
    let migration: &Migration = context.migration;
    let component = &migration.components[index];
    let record = store.mode(&component.id)?;
    if !matches!(
        record.state.mode,
        Mode::Shadow | Mode::Canary | Mode::Dagger
    ) {
        return Ok(Vec::new());
    }
    let drifted = drift(component, &record, context.base_dir);
    let mut firings = Vec::new();
    for trigger in &migration.rollback.triggers {
        let since =
            store.window_start(&component.id, trigger.when.window, record.since.as_deref())?;
        let metrics = window_metrics(store, &component.id, since.as_deref(), drifted)?;
        if metrics.runs < u64::from(trigger.min_runs)
            || !cooled_down(
                store,
                &component.id,
                &trigger.when.text,
                trigger.cooldown.map(|c| c.seconds),
            )?
        {
            continue;
        }
        let result = evaluate(&trigger.when.expr, &metrics);
        if result.verdict != Verdict::Pass {
            continue;
        }
        let evidence = evidence(&result.metrics, metrics.runs);
        store.append_event(&NewEvent {
            kind: "trigger_fired".into(),
            component: Some(component.id.clone()),
            actor: TRIGGER_ACTOR.into(),
            reason: Some(trigger.when.text.clone()),
            detail: json!({ "trigger": trigger.when.text, "action": trigger.action_name(), "metrics": result.metrics, "runs": metrics.runs }),
        })?;
        let outcome = match trigger.action {
            TriggerAction::Rollback => roll_back(store, context, index, &trigger.when.text)?,
            TriggerAction::Escalate => {
                match store.open_decision(&component.id, &trigger.when.text, &evidence)? {
                    Some(_) => format!(
                        "decision point opened: `{}` is held until `cutover decide {} rollback|continue`",
                        component.id, component.id
                    ),
                    None => "a decision point is already open".into(),
                }
            }
        };
        firings.push(Firing {
            component: component.id.clone(),
            trigger: trigger.when.text.clone(),
            action: trigger.action_name(),
            evidence,
            outcome,
        });
        if trigger.action == TriggerAction::Rollback {
            break;
        }
    }
    Ok(firings)
}

fn roll_back(
    store: &mut Store,
    context: &RollbackContext<'_>,
    index: usize,
    trigger: &str,
) -> Result<String, RollbackError> {
    let component = &context.migration.components[index];
    let target = Target::Component(index);
    let reason = format!("trigger fired: {trigger}");
    let request = RollbackRequest {
        name: &component.id,
        target: &target,
        to: None,
        cascade: true,
        actor: TRIGGER_ACTOR,
        reason: Some(&reason),
    };
    let steps = plan_rollback(store, context, &request)?;
    execute_rollback(store, context, &request, &steps)?;
    let to = steps.last().map_or(Mode::Legacy, |s| s.to.mode);
    Ok(format!("rolled back `{}` to {to}", component.id))
}

fn cooled_down(
    store: &Store,
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
    let last = last
        .parse::<jiff::Timestamp>()
        .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
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
pub fn check_all(
    store: &mut Store,
    migration: &Migration,
    base_dir: &Path,
    state_dir: &Path,
) -> Result<Vec<Firing>, RollbackError> {
    let context = RollbackContext {
        migration,
        base_dir,
        state_dir,
    };
    let mut firings = Vec::new();
    for index in 0..migration.components.len() {
        firings.extend(check_triggers(store, &context, index)?);
    }
    Ok(firings)
}

//! [`Event::summary`]: what an event changed, in a few words — one line of
//! `cutover log` and of a status update's digest.

use super::record::Event;
use crate::criteria::Verdict;
use crate::spec::TriggerAction;
use crate::text::count;

impl Event {
    /// What changed, in a few words (a forced advance says so, with the
    /// evidence it overrode).
    pub fn summary(&self) -> String {
        match self {
            Event::ModeAdvanced {
                from,
                to,
                forced,
                gate,
                ..
            } => {
                let overridden = gate
                    .as_ref()
                    .filter(|g| !g.blocking.is_empty() || g.verdict != Verdict::Pass);
                match (forced, overridden) {
                    (true, Some(g)) => format!(
                        "{from} -> {to} FORCED over gate {}: {}",
                        g.verdict.as_str(),
                        g.blocking.join("; ")
                    ),
                    (true, None) => format!("{from} -> {to} FORCED"),
                    (false, _) => format!("{from} -> {to}"),
                }
            }
            Event::RolledBack { from, to, .. } => format!("{from} -> {to}"),
            Event::OverrideSet { to, .. } => format!("override: at most {to}"),
            Event::OverrideCleared { to, file } => format!("override {to} cleared (file: {file})"),
            Event::GateEvaluated { verdict, .. } => format!("verdict: {}", verdict.as_str()),
            Event::DecisionMade { decision, .. } => format!("decision: {decision}"),
            Event::DrillFinished {
                passed,
                time_to_rollback_ms,
                failure,
            } => match (passed, failure) {
                (true, _) => format!("drill passed ({time_to_rollback_ms:.0} ms)"),
                (false, Some(why)) => format!("drill FAILED: {why}"),
                (false, None) => "drill FAILED".into(),
            },
            Event::TriggerFired {
                trigger, action, ..
            } => {
                let action = match action {
                    TriggerAction::Rollback => "rollback",
                    TriggerAction::Escalate => "escalate",
                };
                format!("trigger `{trigger}` fired: {action}")
            }
            Event::DecisionOpened { trigger, .. } => format!("held by trigger `{trigger}`"),
            Event::DriftAcknowledged { files, .. } => {
                format!(
                    "legacy definition acknowledged ({})",
                    count(files.len(), "source")
                )
            }
            Event::SnapshotRestored {
                snapshot,
                safety,
                restored,
            } => format!(
                "restored {} from snapshot {snapshot} (replaced content in snapshot {safety})",
                restored.join(", ")
            ),
            Event::NoiseCalibrated {
                rounds,
                rules,
                unexplained,
                written,
                ..
            } => format!(
                "noise calibrated over {}: {} learned{}, {} unexplained",
                count(*rounds as usize, "round"),
                count(rules.len(), "rule"),
                if *written { " and written" } else { "" },
                unexplained
            ),
            other => other.communication_summary(),
        }
    }

    /// [`Event::summary`] of the events the communication plan added.
    fn communication_summary(&self) -> String {
        match self {
            Event::PlanAnnounced { phases, end } => {
                format!(
                    "plan announced: {}, ending {end}",
                    count(phases.len(), "phase")
                )
            }
            Event::PhaseStarted { phase, components } => format!(
                "phase {phase} started ({})",
                count(components.len(), "component")
            ),
            Event::PhaseCompleted { phase, .. } => format!("phase {phase} runs on Dagger"),
            Event::RollbackCompleted { target, steps, .. } => format!(
                "rollback of `{target}` complete ({})",
                count(steps.len(), "component")
            ),
            Event::TestsFailed { failed, total, .. } => {
                format!("{} of {total} tests failed", failed.len())
            }
            Event::DecisionExpired { trigger, due, .. } => {
                format!("decision on `{trigger}` was due {due}")
            }
            Event::GateDateMissed { phase, planned, .. } => {
                format!("phase {phase} missed its gate date {planned}")
            }
            Event::DriftSeen { files, .. } => format!(
                "legacy definition changed ({})",
                count(files.len(), "source")
            ),
            Event::StatusUpdate { group, .. } => format!("status update to {group}"),
            Event::MessageEscalated { message, level } => {
                format!("message {message} escalated to level {level}")
            }
            Event::MessageAcknowledged { message } => format!("message {message} acknowledged"),
            Event::TrainingScheduled {
                team, title, by, ..
            } => format!("`{team}` invited to training ({title}) by {by}"),
            _ => String::new(),
        }
    }
}

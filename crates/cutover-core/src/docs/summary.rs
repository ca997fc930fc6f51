//! [`ExecutiveSummary`]: the four lines every document opens with, for the
//! person who reads only those — where the migration stands, what is next,
//! what needs a decision, and the risks. Taken from the plan and, when a
//! store exists, from the live modes, gates and decision points.

use serde::Serialize;

use super::model::PhaseDoc;
use crate::lifecycle::Mode;
use crate::report::PlanContext;
use crate::spec::Migration;
use crate::store::StoreError;
use crate::workspace::Workspace;

/// How many plan risks the summary names.
const RISKS: usize = 3;

/// The opening of every document.
#[derive(Debug, Clone, Serialize)]
pub struct ExecutiveSummary {
    /// Where the migration stands.
    pub stands: String,
    /// What is next.
    pub next: String,
    /// What needs a decision (empty: nothing).
    pub decisions: Vec<String>,
    /// The main risks.
    pub risks: Vec<String>,
}

/// Summarises the migration for the documents.
pub fn executive_summary(
    migration: &Migration,
    plan: &PlanContext,
    phases: &[PhaseDoc],
    live: Option<&Workspace>,
    untested_critical: &[String],
) -> Result<ExecutiveSummary, StoreError> {
    let modes = match live {
        Some(workspace) => migration
            .components
            .iter()
            .map(|c| Ok((c.id.clone(), workspace.store.mode(&c.id)?.state.mode)))
            .collect::<Result<Vec<_>, StoreError>>()?,
        None => migration
            .components
            .iter()
            .map(|c| (c.id.clone(), Mode::Legacy))
            .collect(),
    };
    let mut decisions = Vec::new();
    if let Some(workspace) = live {
        for component in &migration.components {
            if let Some(decision) = workspace.store.open_decision_for(&component.id)? {
                decisions.push(format!(
                    "`{}` is held by trigger `{}`: roll back or continue (`cutover decide {}`)",
                    component.id, decision.trigger, component.id
                ));
            }
        }
    }
    if !untested_critical.is_empty() {
        decisions.push(format!(
            "{} {} no acceptance tests although business-critical, user-facing or high-risk: define them or accept the risk",
            crate::text::backtick_list(untested_critical),
            if untested_critical.len() == 1 { "has" } else { "have" }
        ));
    }
    Ok(ExecutiveSummary {
        stands: stands(plan, &modes),
        next: next(phases, &modes),
        decisions,
        risks: plan
            .risks
            .iter()
            .take(RISKS)
            .map(|r| format!("`{}`: {}", r.component, r.note))
            .collect(),
    })
}

/// `3 of 24 components in shadow, 1 in canary, 20 still on legacy; …`.
fn stands(plan: &PlanContext, modes: &[(String, Mode)]) -> String {
    let total = modes.len();
    let parts: Vec<String> = Mode::ALL
        .iter()
        .rev()
        .filter_map(|mode| {
            let count = modes.iter().filter(|(_, m)| m == mode).count();
            (count > 0).then(|| match mode {
                Mode::Legacy if count == total => format!("all {total} components still on legacy"),
                Mode::Legacy => format!("{count} still on legacy"),
                _ => format!("{count} in {mode}"),
            })
        })
        .collect();
    let all_legacy = modes.iter().all(|(_, m)| *m == Mode::Legacy);
    format!(
        "{}{}; the plan runs {} → {} ({} work days in {}).",
        if all_legacy {
            String::new()
        } else {
            format!("of {}, ", crate::text::count(total, "component"))
        },
        parts.join(", "),
        plan.start,
        plan.end,
        plan.span_days,
        crate::text::count(plan.phases.len(), "phase")
    )
}

/// The first phase not yet fully on Dagger, its gate, and what in it is not there yet.
fn next(phases: &[PhaseDoc], modes: &[(String, Mode)]) -> String {
    let mode_of = |id: &str| {
        modes
            .iter()
            .find(|(c, _)| c == id)
            .map_or(Mode::Legacy, |(_, m)| *m)
    };
    let Some(phase) = phases
        .iter()
        .find(|p| p.components.iter().any(|c| mode_of(&c.id) < Mode::Dagger))
    else {
        return "every component is on Dagger: retire the legacy sides as planned.".to_owned();
    };
    let behind: Vec<String> = phase
        .components
        .iter()
        .filter(|c| mode_of(&c.id) < Mode::Dagger)
        .map(|c| match c.verdict {
            Some(verdict) => format!("{} (gate: {verdict})", c.id),
            None => c.id.clone(),
        })
        .collect();
    format!(
        "phase {} ({}), gate review on {}: {} to move.",
        phase.number,
        phase.name,
        phase.gate,
        behind.join(", ")
    )
}

/// The summary as a Markdown section.
pub fn summary_markdown(summary: &ExecutiveSummary) -> String {
    let mut text = String::from("## Executive summary\n\n");
    text.push_str(&format!("- **Where we stand:** {}\n", summary.stands));
    text.push_str(&format!("- **Next:** {}\n", summary.next));
    if summary.decisions.is_empty() {
        text.push_str("- **Needs a decision:** nothing at the moment.\n");
    } else {
        text.push_str("- **Needs a decision:**\n");
        for decision in &summary.decisions {
            text.push_str(&format!("  - {decision}\n"));
        }
    }
    if summary.risks.is_empty() {
        text.push_str("- **Risks:** none flagged by the plan.\n");
    } else {
        text.push_str("- **Risks:**\n");
        for risk in &summary.risks {
            text.push_str(&format!("  - {risk}\n"));
        }
    }
    text.push('\n');
    text
}

/// `document` with the summary after its title line.
pub fn with_summary(document: &str, summary: &str) -> String {
    match document.split_once('\n') {
        Some((title, rest)) => format!("{title}\n\n{summary}{}", rest.trim_start_matches('\n')),
        None => format!("{document}\n\n{summary}"),
    }
}

//! The stakeholder communication plan (`communication-plan.md`): who the
//! stakeholders are, what each hears and when (the [`matrix`] the outbox
//! routes by), the status-update schedule with its first dates, the
//! channels, the escalation procedure — and every message template,
//! rendered for this migration by the same composer that writes the
//! outbox, from sample events built from the plan.
//!
//! [`matrix`]: crate::comms::matrix

use std::path::Path;

use jiff::ToSpan;
use minijinja::{Environment, context};
use serde::Serialize;

use super::communication_samples::samples;
use super::context::{DocsContext, Document};
use super::summary::{summary_markdown, with_summary};
use crate::comms::Composer;
use crate::comms::matrix;
use crate::event::MessageKind;
use crate::plan::Plan;
use crate::report::ReportError;
use crate::spec::{ChannelKind, Migration, Stakeholder};

const COMMUNICATION_PLAN: &str = include_str!("../../templates/communication-plan.md.j2");

/// What the communication plan shows.
#[derive(Debug, Serialize)]
struct CommunicationDoc {
    name: String,
    start: String,
    end: String,
    stakeholders: Vec<StakeholderRow>,
    columns: Vec<String>,
    matrix: Vec<MatrixRow>,
    schedule: Vec<ScheduleRow>,
    unscheduled: Vec<String>,
    channels: Vec<ChannelRow>,
    escalation: Vec<LevelRow>,
    acknowledged: Vec<String>,
    server_url: Option<String>,
    secret_env: String,
    valid_for: String,
    deciders: Vec<String>,
    samples: Vec<super::communication_samples::Sample>,
}

#[derive(Debug, Serialize)]
struct StakeholderRow {
    id: String,
    name: String,
    group: String,
    raci: String,
    cares_about: String,
    channels: String,
}

#[derive(Debug, Serialize)]
struct MatrixRow {
    kind: String,
    when: &'static str,
    needs_ack: bool,
    cells: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct ScheduleRow {
    group: String,
    cadence: String,
    audience: String,
    first: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ChannelRow {
    id: String,
    kind: &'static str,
    settings: String,
    used_by: String,
}

#[derive(Debug, Serialize)]
struct LevelRow {
    level: usize,
    who: String,
    within: String,
}

/// The communication plan of `migration` (its project at `base_dir`).
pub fn communication_plan(
    migration: &Migration,
    plan: &Plan,
    base_dir: &Path,
    context: &DocsContext,
) -> Result<Document, ReportError> {
    let doc = communication_doc(migration, plan, base_dir);
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("cell", |text: String| -> String {
        text.replace('|', "\\|").replace('\n', " ")
    });
    let text = env
        .render_str(COMMUNICATION_PLAN, context! { doc => doc })
        .map_err(|source| ReportError::Template {
            name: "communication-plan.md",
            source,
        })?;
    Ok(Document {
        file_name: "communication-plan.md".to_owned(),
        text: with_summary(&text, &summary_markdown(&context.summary)),
    })
}

fn communication_doc(migration: &Migration, plan: &Plan, base_dir: &Path) -> CommunicationDoc {
    let communication = &migration.communication;
    let composer = Composer::new(migration.clone(), base_dir).for_documents();
    let schedule = schedule_rows(migration, plan);
    let scheduled: Vec<String> = schedule.iter().map(|s| s.group.clone()).collect();
    CommunicationDoc {
        name: migration.name.clone(),
        start: plan.start.to_string(),
        end: plan.end.to_string(),
        stakeholders: communication
            .stakeholders
            .iter()
            .map(stakeholder_row)
            .collect(),
        columns: communication
            .stakeholders
            .iter()
            .map(|s| s.name.clone())
            .collect(),
        matrix: {
            let invited = invited(migration, plan);
            MessageKind::ALL
                .iter()
                .map(|&kind| matrix_row(migration, kind, &invited))
                .collect()
        },
        unscheduled: communication
            .groups()
            .iter()
            .map(|g| g.name().to_owned())
            .filter(|g| !scheduled.contains(g))
            .collect(),
        schedule,
        channels: communication
            .channels
            .iter()
            .map(|c| channel_row(migration, c))
            .collect(),
        escalation: communication
            .escalation
            .iter()
            .enumerate()
            .map(|(i, level)| LevelRow {
                level: i + 1,
                who: names(migration, &level.who),
                within: crate::comms::words::wall_text(level.within.seconds),
            })
            .collect(),
        acknowledged: MessageKind::ALL
            .iter()
            .filter(|&&kind| matrix::row(kind).needs_ack)
            .map(ToString::to_string)
            .collect(),
        server_url: communication.links.server_url.clone(),
        secret_env: communication.links.secret_env.clone(),
        valid_for: crate::comms::words::wall_text(communication.links.valid_for.seconds),
        deciders: deciders(migration),
        samples: samples(&composer, plan),
    }
}

fn names(migration: &Migration, ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            migration
                .communication
                .stakeholder(id)
                .map_or_else(|| id.clone(), |s| s.name.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn stakeholder_row(stakeholder: &Stakeholder) -> StakeholderRow {
    let interests = &stakeholder.interests;
    let mut cares = Vec::new();
    if !interests.components.is_empty() {
        cares.push(format!("components {}", interests.components.join(", ")));
    }
    if !interests.phases.is_empty() {
        let phases: Vec<String> = interests.phases.iter().map(u32::to_string).collect();
        cares.push(format!("phases {}", phases.join(", ")));
    }
    if !interests.owners.is_empty() {
        cares.push(format!(
            "components owned by {}",
            interests.owners.join(", ")
        ));
    }
    StakeholderRow {
        id: stakeholder.id.clone(),
        name: stakeholder.name.clone(),
        group: stakeholder.group.name().to_owned(),
        raci: format!(
            "{} ({})",
            stakeholder.raci.letter(),
            stakeholder.raci.as_str()
        ),
        cares_about: if cares.is_empty() {
            "the whole migration".to_owned()
        } else {
            cares.join("; ")
        },
        channels: stakeholder.channels.join(", "),
    }
}

/// Ids of the stakeholders some team's training sessions are for.
fn invited(migration: &Migration, plan: &crate::plan::Plan) -> Vec<String> {
    crate::training::training_plan(migration, plan)
        .teams
        .iter()
        .flat_map(|t| t.invitees.iter().map(|i| i.id.clone()))
        .collect()
}

/// One row of who hears what: per stakeholder, ✔ when their role hears it
/// (training invitations: when a team's sessions are for them), `1` when
/// they are escalation level 1 of a message that needs an acknowledgement,
/// `D` when they decide.
fn matrix_row(migration: &Migration, kind: MessageKind, invited: &[String]) -> MatrixRow {
    let row = matrix::row(kind);
    let communication = &migration.communication;
    let first_level = communication
        .escalation
        .first()
        .map(|l| l.who.clone())
        .unwrap_or_default();
    let deciders = deciders(migration);
    let cells = communication
        .stakeholders
        .iter()
        .map(|s| match kind {
            MessageKind::Escalation
                if communication
                    .escalation
                    .iter()
                    .skip(1)
                    .any(|l| l.who.contains(&s.id)) =>
            {
                "✔"
            }
            MessageKind::Escalation => "",
            MessageKind::StatusUpdate => communication.schedule_of(&s.group).map_or("", |_| "✔"),
            MessageKind::TrainingInvitation if invited.contains(&s.id) => "✔",
            _ if matrix::hears(kind, s.raci) => "✔",
            MessageKind::DecisionNeeded | MessageKind::DecisionExpired
                if deciders.contains(&s.name) =>
            {
                "D"
            }
            _ if row.needs_ack && first_level.contains(&s.id) => "1",
            _ => "",
        })
        .collect();
    MatrixRow {
        kind: kind.to_string(),
        when: row.when,
        needs_ack: row.needs_ack,
        cells,
    }
}

/// Names of the stakeholders who decide escalated triggers (a trigger's
/// `decider`, or those who care about the owner team of a component).
fn deciders(migration: &Migration) -> Vec<String> {
    let communication = &migration.communication;
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    };
    let escalating = |t: &&crate::spec::Trigger| t.action == crate::spec::TriggerAction::Escalate;
    for trigger in migration.rollback.triggers.iter().filter(escalating) {
        match trigger
            .decider
            .as_deref()
            .and_then(|d| communication.stakeholder(d))
        {
            Some(stakeholder) => add(&stakeholder.name),
            None => {
                for s in communication.stakeholders.iter().filter(|s| {
                    s.interests
                        .owners
                        .iter()
                        .any(|owner| migration.components.iter().any(|c| &c.owner == owner))
                }) {
                    add(&s.name);
                }
            }
        }
    }
    names
}

fn schedule_rows(migration: &Migration, plan: &Plan) -> Vec<ScheduleRow> {
    let communication = &migration.communication;
    let until = plan.start.checked_add(30.days()).unwrap_or(plan.start);
    communication
        .schedule
        .iter()
        .map(|schedule| {
            let audience: Vec<&str> = communication
                .stakeholders
                .iter()
                .filter(|s| s.group == schedule.group)
                .map(|s| s.name.as_str())
                .collect();
            let first = schedule
                .occurrences(plan.start, until, migration.start, &migration.calendar)
                .into_iter()
                .take(4)
                .map(|slot| slot.strftime("%a %Y-%m-%d %H:%M %Z").to_string())
                .collect();
            ScheduleRow {
                group: schedule.group.name().to_owned(),
                cadence: schedule.describe(),
                audience: audience.join(", "),
                first,
            }
        })
        .collect()
}

fn channel_row(migration: &Migration, channel: &crate::spec::Channel) -> ChannelRow {
    let settings = match &channel.kind {
        ChannelKind::Email(email) => {
            let mut text = format!(
                "SMTP server from `${}`, {:?} (from {})",
                email.host_env, email.tls, email.from
            );
            if let (Some(user), Some(password)) = (&email.username_env, &email.password_env) {
                text.push_str(&format!(", login `${user}` / `${password}`"));
            }
            text.replace("Starttls", "STARTTLS required")
                .replace("Tls", "TLS")
        }
        ChannelKind::Webhook(hook) => format!(
            "{} payload to the URL in `${}`{}",
            hook.format.as_str(),
            hook.url_env,
            hook.secret_env
                .as_ref()
                .map(|s| format!(", signed with HMAC-SHA256 (key in `${s}`)"))
                .unwrap_or_default()
        ),
        ChannelKind::File(file) => format!("one file per message in `{}/`", file.dir),
    };
    let used_by: Vec<&str> = migration
        .communication
        .stakeholders
        .iter()
        .filter(|s| s.channels.contains(&channel.id))
        .map(|s| s.name.as_str())
        .collect();
    ChannelRow {
        id: channel.id.clone(),
        kind: channel.kind.name(),
        settings,
        used_by: used_by.join(", "),
    }
}

//! `cutover comms outbox|send|ack|escalate|announce`: the stakeholder
//! outbox. Each subcommand calls one core operation and renders its result.
//! (`comms schedule`, the calendar, is in `schedule.rs`.)

use cutover_core::comms::clock;
use cutover_core::event::MessageAction;
use cutover_core::ops::comms::{
    self as operations, Attempt, EscalateReport, SendOptions, SendReport,
};
use cutover_core::report::TextTable;
use cutover_core::store::{DeliveryAttempt, MessageStatus, OutboxFilter, OutboxMessage};
use cutover_core::text::count;
use serde::Serialize;

use super::{actor, open_workspace, time};
use crate::args::{
    AckArgs, CommsCommand, GlobalArgs, MessageStatusChoice, OutboxArgs, OutputFormat, SendArgs,
};
use crate::error::{CliError, note};
use crate::exit_codes;
use crate::printer::Printer;

/// Runs one `cutover comms` subcommand.
pub fn run(
    global: &GlobalArgs,
    command: CommsCommand,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    match command {
        CommsCommand::Outbox(args) => outbox(global, args, printer),
        CommsCommand::Send(args) => send(global, args, printer),
        CommsCommand::Ack(args) => acknowledge(global, args, printer),
        CommsCommand::Escalate => escalate(global, printer),
        CommsCommand::Announce => announce(global, printer),
        CommsCommand::Schedule(args) => super::schedule::run(global, args, printer),
        CommsCommand::Invite => super::invite::run(global, printer),
    }
}

fn outbox(global: &GlobalArgs, args: OutboxArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let OutboxArgs {
        status,
        limit,
        format,
    } = args;
    let workspace = open_workspace(global)?;
    let filter = OutboxFilter {
        status: status.map(|s| match s {
            MessageStatusChoice::Pending => MessageStatus::Pending,
            MessageStatusChoice::Sent => MessageStatus::Sent,
            MessageStatusChoice::Failed => MessageStatus::Failed,
        }),
        limit,
        ..OutboxFilter::default()
    };
    let messages = operations::outbox(&workspace, &filter)?;
    let text = match format {
        OutputFormat::Json => crate::printer::json(&OutboxJson::new(&messages))?,
        OutputFormat::Table => outbox_table(&messages, &workspace.migration.timezone),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn outbox_table(messages: &[OutboxMessage], zone: &jiff::tz::TimeZone) -> String {
    if messages.is_empty() {
        return "the outbox is empty\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "#",
        "created",
        "kind",
        "channel",
        "to",
        "status",
        "tries",
        "next attempt",
        "ack",
        "subject",
    ]);
    for m in messages {
        let next = (m.status == MessageStatus::Pending).then(|| time(m.next_attempt_at, zone));
        let ack = match (&m.acknowledged_by, m.message.needs_ack) {
            (Some(who), _) => format!("by {who}"),
            (None, true) => format!("waiting (level {})", m.message.level),
            (None, false) => String::new(),
        };
        table.row(vec![
            m.id.to_string(),
            time(m.created_at, zone),
            m.message.kind.to_string(),
            m.message.channel.clone(),
            m.message.recipients.join(", "),
            m.status.to_string(),
            m.attempts.to_string(),
            next.unwrap_or_default(),
            ack,
            m.message.subject.clone(),
        ]);
    }
    table.render()
}

/// `comms outbox --format json`.
#[derive(Serialize)]
struct OutboxJson<'a> {
    format_version: u32,
    messages: Vec<MessageJson<'a>>,
}

#[derive(Serialize)]
struct MessageJson<'a> {
    id: i64,
    event_id: i64,
    key: &'a str,
    kind: String,
    channel: &'a str,
    group: &'a str,
    recipients: &'a [String],
    addresses: &'a [String],
    subject: &'a str,
    status: MessageStatus,
    attempts: u32,
    next_attempt_at: Option<jiff::Timestamp>,
    last_error: Option<&'a str>,
    created_at: jiff::Timestamp,
    sent_at: Option<jiff::Timestamp>,
    needs_ack: bool,
    level: u32,
    thread: Option<i64>,
    acknowledged_at: Option<jiff::Timestamp>,
    acknowledged_by: Option<&'a str>,
    /// What the reader can do: the command, and the signed link when links are on.
    actions: &'a [MessageAction],
}

impl<'a> OutboxJson<'a> {
    fn new(messages: &'a [OutboxMessage]) -> Self {
        let messages = messages
            .iter()
            .map(|m| MessageJson {
                id: m.id,
                event_id: m.event_id,
                key: &m.message.key,
                kind: m.message.kind.to_string(),
                channel: &m.message.channel,
                group: &m.message.group,
                recipients: &m.message.recipients,
                addresses: &m.message.addresses,
                subject: &m.message.subject,
                status: m.status,
                attempts: m.attempts,
                next_attempt_at: (m.status == MessageStatus::Pending).then_some(m.next_attempt_at),
                last_error: m.last_error.as_deref(),
                created_at: m.created_at,
                sent_at: m.sent_at,
                needs_ack: m.message.needs_ack,
                level: m.message.level,
                thread: m.message.thread,
                acknowledged_at: m.acknowledged_at,
                acknowledged_by: m.acknowledged_by.as_deref(),
                actions: &m.message.actions,
            })
            .collect();
        OutboxJson {
            format_version: 1,
            messages,
        }
    }
}

fn send(global: &GlobalArgs, args: SendArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let SendArgs { dry_run } = args;
    let mut workspace = open_workspace(global)?;
    let options = SendOptions {
        dry_run,
        now: clock::now().map_err(operations::CommsError::from)?,
    };
    let report = operations::send(&mut workspace, options)?;
    printer
        .write(&send_text(&report, dry_run, &workspace.migration.timezone))
        .map_err(CliError::Stdout)?;
    let failed = report
        .attempts
        .iter()
        .any(|a| !matches!(a.outcome, DeliveryAttempt::Delivered));
    if failed {
        note(
            "some messages were not delivered: they are retried by the next `cutover comms send` (see `cutover comms outbox`)",
        );
    }
    Ok(if failed && !dry_run {
        exit_codes::FAILURE
    } else {
        exit_codes::OK
    })
}

fn send_text(report: &SendReport, dry_run: bool, zone: &jiff::tz::TimeZone) -> String {
    let mut text = String::new();
    for (group, messages) in &report.status_updates {
        text.push_str(&format!(
            "status update for {group}: {}\n",
            count(*messages, "message")
        ));
    }
    for attempt in &report.attempts {
        text.push_str(&attempt_line(attempt, zone));
        if let Some(preview) = &attempt.preview {
            text.push_str(&format!("{}\n{}\n", "-".repeat(72), preview.trim_end()));
            text.push_str(&format!("{}\n", "-".repeat(72)));
        }
    }
    let delivered = report
        .attempts
        .iter()
        .filter(|a| matches!(a.outcome, DeliveryAttempt::Delivered))
        .count();
    let given_up = report
        .attempts
        .iter()
        .filter(|a| matches!(a.outcome, DeliveryAttempt::GaveUp { .. }))
        .count();
    let retried = report.attempts.len() - delivered - given_up;
    if dry_run {
        text.push_str(&format!(
            "dry run: {} due, nothing sent or recorded; {} not due yet\n",
            count(report.attempts.len(), "message"),
            report.waiting
        ));
    } else {
        text.push_str(&format!(
            "{delivered} delivered, {retried} to retry, {given_up} given up; {} not due yet\n",
            report.waiting
        ));
        if report.claimed_elsewhere > 0 {
            text.push_str(&format!(
                "{} being delivered by another `cutover comms send`\n",
                count(report.claimed_elsewhere, "message")
            ));
        }
    }
    text
}

fn attempt_line(attempt: &Attempt, zone: &jiff::tz::TimeZone) -> String {
    let m = &attempt.message;
    let what = format!(
        "#{} {} via {} to {}",
        m.id,
        m.message.kind,
        m.message.channel,
        m.message.recipients.join(", ")
    );
    match &attempt.outcome {
        _ if attempt.preview.is_some() => format!("would send {what}\n"),
        DeliveryAttempt::Delivered => format!("delivered {what}\n"),
        DeliveryAttempt::Retry {
            error,
            next_attempt,
        }
        | DeliveryAttempt::Deferred {
            error,
            next_attempt,
        } => format!(
            "pending {what}: {error}; next attempt {}\n",
            time(*next_attempt, zone)
        ),
        DeliveryAttempt::GaveUp { error } => format!("FAILED {what}: {error}\n"),
    }
}

fn acknowledge(global: &GlobalArgs, args: AckArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let AckArgs { message } = args;
    let mut workspace = open_workspace(global)?;
    let done = operations::acknowledge(&mut workspace, &message, &actor())?;
    printer
        .write(&format!("{}\n", done.summary()))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn escalate(global: &GlobalArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let mut workspace = open_workspace(global)?;
    let now = clock::now().map_err(operations::CommsError::from)?;
    let report = operations::escalate(&mut workspace, now)?;
    printer
        .write(&escalate_text(&report))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn escalate_text(report: &EscalateReport) -> String {
    let mut text = String::new();
    for component in &report.expired {
        text.push_str(&format!(
            "decision on `{component}` is overdue: recorded, its people told\n"
        ));
    }
    for phase in &report.missed {
        text.push_str(&format!(
            "phase {phase} missed its gate date: recorded, its people told\n"
        ));
    }
    for component in &report.drifted {
        text.push_str(&format!(
            "legacy definition of `{component}` changed after its port: recorded, its owners told\n"
        ));
    }
    for (thread, level, subject) in &report.escalated {
        text.push_str(&format!(
            "escalated #{thread} to level {level}: {subject}\n"
        ));
    }
    if text.is_empty() {
        text.push_str("nothing overdue\n");
    }
    text
}

fn announce(global: &GlobalArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let mut workspace = open_workspace(global)?;
    let (event, messages) = operations::announce(&mut workspace, &actor())?;
    printer
        .write(&format!(
            "plan announced (event #{event}): {} in the outbox; `cutover comms send` delivers them\n",
            count(messages, "message")
        ))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

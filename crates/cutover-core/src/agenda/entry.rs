//! [`Agenda`]: the dated entries of a migration, built from the plan, the
//! training plan and the status-update schedule.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::plan::{Phase, Plan};
use crate::spec::model::WEEKDAYS;
use crate::spec::{Cadence, Migration, StatusSchedule};

/// How long a status update's calendar slot lasts: time to read it.
const STATUS_MINUTES: i64 = 30;
use crate::training::{Session, TrainingPlan, training_plan};

/// Every dated entry of a migration.
#[derive(Debug, Clone)]
pub struct Agenda {
    /// The migration's name (the calendar's name).
    pub name: String,
    /// Entries: status updates first, then by date.
    pub entries: Vec<AgendaEntry>,
}

/// One calendar entry.
#[derive(Debug, Clone)]
pub struct AgendaEntry {
    /// Stable identifier, derived from what the entry is.
    pub uid: String,
    /// What it is.
    pub kind: EntryKind,
    /// One line.
    pub summary: String,
    /// The details.
    pub description: String,
    /// When.
    pub when: When,
}

/// The kinds of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A recurring status update to one group.
    StatusUpdate,
    /// A phase begins.
    PhaseStart,
    /// A phase's gate review.
    Gate,
    /// The legacy side of a phase may be retired.
    Retirement,
    /// A suggested training session is due.
    Training,
}

impl EntryKind {
    /// In words (the calendar's `CATEGORIES`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::StatusUpdate => "status update",
            EntryKind::PhaseStart => "phase start",
            EntryKind::Gate => "gate",
            EntryKind::Retirement => "retirement",
            EntryKind::Training => "training",
        }
    }
}

/// When an entry happens.
#[derive(Debug, Clone)]
pub enum When {
    /// All day (a milestone or a deadline).
    Day(Date),
    /// A slot repeating in a time zone.
    Series(Series),
}

/// A recurring slot: every `interval` weeks on `weekdays`, at the time of
/// `first`, in `time_zone`, up to `last`, except on `except`.
#[derive(Debug, Clone)]
pub struct Series {
    /// The first slot, local time.
    pub first: DateTime,
    /// The IANA name of its time zone.
    pub time_zone_name: String,
    /// Its time zone.
    pub time_zone: TimeZone,
    /// Length of each slot in minutes.
    pub minutes: i64,
    /// Week days it falls on, Monday first.
    pub weekdays: Vec<Weekday>,
    /// Every how many weeks.
    pub interval: u32,
    /// The last slot, as an instant.
    pub last: Timestamp,
    /// Local slots skipped (holidays).
    pub except: Vec<DateTime>,
    /// How many slots there are.
    pub occurrences: usize,
}

/// The agenda of `migration` as `plan` schedules it, with the sessions of
/// its training plan.
pub fn agenda(migration: &Migration, plan: &Plan) -> Agenda {
    agenda_with(migration, plan, &training_plan(migration, plan))
}

/// [`agenda`] with the training plan already built.
pub fn agenda_with(migration: &Migration, plan: &Plan, training: &TrainingPlan) -> Agenda {
    let domain = uid_domain(&migration.name);
    let mut dated: Vec<AgendaEntry> = Vec::new();
    let first = plan.phases.iter().map(|p| p.start).min();
    let last = plan.phases.iter().map(|p| p.retirement).max();
    if let (Some(first), Some(last)) = (first, last) {
        for schedule in &migration.communication.schedule {
            dated.extend(status_entry(migration, schedule, (first, last), &domain));
        }
    }
    for phase in &plan.phases {
        dated.extend(phase_entries(migration, phase, &domain));
    }
    for session in &training.sessions {
        dated.push(training_entry(&migration.name, session, &domain));
    }
    // Stable: entries of one day keep the order above.
    dated.sort_by_key(|entry| match &entry.when {
        When::Day(date) => *date,
        When::Series(series) => series.first.date(),
    });
    Agenda {
        name: migration.name.clone(),
        entries: dated,
    }
}

/// A group's status updates from the plan's first day to its last
/// retirement date, as one recurring entry (`None` when no slot falls in
/// that span).
fn status_entry(
    migration: &Migration,
    schedule: &StatusSchedule,
    (from, until): (Date, Date),
    domain: &str,
) -> Option<AgendaEntry> {
    let calendar = &migration.calendar;
    let slots = schedule.occurrences(from, until, migration.start, calendar);
    let (first, last) = (slots.first()?, slots.last()?);
    let (weekdays, interval, except) = match schedule.cadence {
        Cadence::Weekly(day) => (vec![day], 1, Vec::new()),
        Cadence::Fortnightly(day) => (vec![day], 2, Vec::new()),
        Cadence::Daily => {
            let worked: Vec<Weekday> = WEEKDAYS
                .iter()
                .zip(calendar.workdays)
                .filter(|(_, worked)| *worked)
                .map(|((_, day), _)| *day)
                .collect();
            // Holidays fall on worked week days but get no update.
            let holidays = calendar
                .holidays
                .iter()
                .filter(|d| (from..=until).contains(*d) && worked.contains(&d.weekday()))
                .map(|d| d.to_datetime(schedule.at))
                .collect();
            (worked, 1, holidays)
        }
    };
    let group = schedule.group.name();
    let audience: Vec<&str> = migration
        .communication
        .stakeholders
        .iter()
        .filter(|s| s.group == schedule.group)
        .map(|s| s.name.as_str())
        .collect();
    Some(AgendaEntry {
        uid: format!("status-update-{group}@{domain}"),
        kind: EntryKind::StatusUpdate,
        summary: format!("{}: status update to {group}", migration.name),
        description: format!(
            "{}: `cutover comms send` delivers the {group} digest of what happened since the last one to {}.",
            schedule.describe(),
            if audience.is_empty() {
                "the group".to_owned()
            } else {
                audience.join(", ")
            }
        ),
        when: When::Series(Series {
            first: first.datetime(),
            time_zone_name: schedule.time_zone_name.clone(),
            time_zone: schedule.time_zone.clone(),
            minutes: STATUS_MINUTES,
            weekdays,
            interval,
            last: last.timestamp(),
            except,
            occurrences: slots.len(),
        }),
    })
}

/// A phase's start, gate review and retirement.
fn phase_entries(migration: &Migration, phase: &Phase, domain: &str) -> [AgendaEntry; 3] {
    let members: Vec<&str> = phase
        .components
        .iter()
        .map(|&i| migration.components[i].id.as_str())
        .collect();
    let listed = crate::text::backtick_list(&members);
    let title = format!("phase {} ({})", phase.number, phase.name);
    let name = &migration.name;
    let number = phase.number;
    [
        day_entry(
            format!("phase-{number}-start@{domain}"),
            EntryKind::PhaseStart,
            format!("{name}: {title} starts"),
            format!(
                "Porting of {listed} begins; each enters shadow once ported. Plan: `cutover plan`."
            ),
            phase.start,
        ),
        day_entry(
            format!("phase-{number}-gate@{domain}"),
            EntryKind::Gate,
            format!("{name}: {title} gate review"),
            format!(
                "Every component of the phase ({listed}) must pass its gate before the phase is complete: `cutover gate {number}`."
            ),
            phase.end,
        ),
        day_entry(
            format!("phase-{number}-retirement@{domain}"),
            EntryKind::Retirement,
            format!("{name}: legacy side of {title} may be retired"),
            format!(
                "The legacy definitions of {listed} may be removed once they have run on Dagger alone since the gate; there is no rollback afterwards: `cutover advance {number} --to retired --confirm-retire`."
            ),
            phase.retirement,
        ),
    ]
}

/// A training session's due day.
fn training_entry(name: &str, session: &Session, domain: &str) -> AgendaEntry {
    day_entry(
        format!("training-{}@{domain}", session.id),
        EntryKind::Training,
        format!(
            "{name}: Dagger training for {} — {}",
            session.team, session.title
        ),
        format!(
            "Suggested session {} for the `{}` team ({} h), due by this day: {}. See training-plan.md (`cutover docs`).",
            session.number,
            session.team,
            session.hours,
            session.topics.join(", ")
        ),
        session.by,
    )
}

fn day_entry(
    uid: String,
    kind: EntryKind,
    summary: String,
    description: String,
    date: Date,
) -> AgendaEntry {
    AgendaEntry {
        uid,
        kind,
        summary,
        description,
        when: When::Day(date),
    }
}

/// The right-hand side of every UID: the migration's name as a host-like
/// label (`orchestrator-to-dagger.cutover`).
fn uid_domain(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for character in name.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    format!(
        "{}.cutover",
        if slug.is_empty() { "migration" } else { slug }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_domains_are_host_like_labels() {
        assert_eq!(
            uid_domain("orchestrator-to-dagger"),
            "orchestrator-to-dagger.cutover"
        );
        assert_eq!(
            uid_domain("Platform → Dagger 2027"),
            "platform-dagger-2027.cutover"
        );
        assert_eq!(uid_domain("→"), "migration.cutover");
    }
}

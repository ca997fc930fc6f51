//! The validated communication settings: who the stakeholders are, which
//! channels reach them, when status updates go out, who hears of an
//! unacknowledged message, and where action links point.
//!
//! Built only by the validate pass, so references are resolved (a
//! stakeholder's channels are indices into [`Communication::channels`]),
//! durations are durations and time zones exist. Secrets are never held:
//! only the names of the environment variables that hold them.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use serde::Serialize;

use crate::spec::duration::WallDuration;
use crate::spec::model::{Calendar, Component};

/// Everything `stakeholders:`, `channels:`, `schedule:`, `escalation:` and
/// `links:` say; empty when the spec has none of them.
#[derive(Debug, Clone, Default)]
pub struct Communication {
    /// Stakeholders in spec order.
    pub stakeholders: Vec<Stakeholder>,
    /// Channels in spec order.
    pub channels: Vec<Channel>,
    /// Status-update cadences, one per group at most.
    pub schedule: Vec<StatusSchedule>,
    /// Escalation levels in order (level 1 first).
    pub escalation: Vec<EscalationLevel>,
    /// Where action links point, and how they are signed.
    pub links: Links,
}

impl Communication {
    /// The stakeholder with this id.
    pub fn stakeholder(&self, id: &str) -> Option<&Stakeholder> {
        self.stakeholders.iter().find(|s| s.id == id)
    }

    /// The channel with this id.
    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// Every group some stakeholder is in, in order of first appearance.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for stakeholder in &self.stakeholders {
            if !groups.contains(&stakeholder.group) {
                groups.push(stakeholder.group.clone());
            }
        }
        groups
    }

    /// The status-update cadence of a group, if it has one.
    pub fn schedule_of(&self, group: &Group) -> Option<&StatusSchedule> {
        self.schedule.iter().find(|s| &s.group == group)
    }
}

/// A person or group who hears about the migration.
#[derive(Debug, Clone, Serialize)]
pub struct Stakeholder {
    /// Unique id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Which wording their messages get.
    pub group: Group,
    /// Their part in the migration.
    pub raci: Raci,
    /// What they hear about.
    pub interests: Interests,
    /// Ids of their channels, in the order written.
    pub channels: Vec<String>,
    /// Email addresses (for email channels).
    pub email: Vec<String>,
}

/// A stakeholder group; messages are worded per group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// What changes in their CI and when.
    Developers,
    /// What to watch and how to roll back.
    Operations,
    /// Administrators of CI and the Dagger engines.
    Administrators,
    /// Impact and timing.
    EndUsers,
    /// Progress, risks, decisions.
    Management,
    /// A group of the project's own.
    Custom(String),
}

impl Group {
    /// The five groups the shipped templates are worded for.
    pub const BUILT_IN: [Group; 5] = [
        Group::Developers,
        Group::Operations,
        Group::Administrators,
        Group::EndUsers,
        Group::Management,
    ];

    /// The name templates and documents use: `developers`, …, or the custom name.
    pub fn name(&self) -> &str {
        match self {
            Group::Developers => "developers",
            Group::Operations => "operations",
            Group::Administrators => "administrators",
            Group::EndUsers => "end_users",
            Group::Management => "management",
            Group::Custom(name) => name,
        }
    }

    /// Whether the shipped templates have a wording of their own for it.
    pub fn is_built_in(&self) -> bool {
        !matches!(self, Group::Custom(_))
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Group {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A stakeholder's part in the migration (RACI): it decides which events
/// they hear of (see the communication plan's matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Raci {
    /// Does the work.
    Responsible,
    /// Answers for the outcome.
    Accountable,
    /// Asked before decisions.
    Consulted,
    /// Kept informed.
    Informed,
}

impl Raci {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Raci::Responsible => "responsible",
            Raci::Accountable => "accountable",
            Raci::Consulted => "consulted",
            Raci::Informed => "informed",
        }
    }

    /// The letter of the RACI matrix.
    pub fn letter(self) -> &'static str {
        match self {
            Raci::Responsible => "R",
            Raci::Accountable => "A",
            Raci::Consulted => "C",
            Raci::Informed => "I",
        }
    }
}

/// The parts of the migration a stakeholder hears about. A list left empty
/// does not narrow; all empty means the whole migration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interests {
    /// Component ids.
    pub components: Vec<String>,
    /// Phase numbers.
    pub phases: Vec<u32>,
    /// Owner teams.
    pub owners: Vec<String>,
}

impl Interests {
    /// Whether nothing narrows them: they hear about the whole migration.
    pub fn is_everything(&self) -> bool {
        self.components.is_empty() && self.phases.is_empty() && self.owners.is_empty()
    }

    /// Whether `component`, planned in `phase`, concerns them.
    pub fn covers(&self, component: &Component, phase: Option<u32>) -> bool {
        self.is_everything()
            || self.components.contains(&component.id)
            || self.owners.contains(&component.owner)
            || phase.is_some_and(|p| self.phases.contains(&p))
    }

    /// Whether phase `phase` concerns them (a phase of theirs, or one
    /// holding a component they care about, given as `members`).
    pub fn covers_phase(&self, phase: u32, members: &[&Component]) -> bool {
        self.is_everything()
            || self.phases.contains(&phase)
            || members.iter().any(|c| self.covers(c, None))
    }
}

/// A way messages reach people.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    /// Unique id.
    pub id: String,
    /// What it is, with its settings.
    pub kind: ChannelKind,
}

/// The kinds of channel, each with its settings.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Mail through an SMTP server.
    Email(EmailChannel),
    /// An HTTP POST to a webhook.
    Webhook(WebhookChannel),
    /// Files in a local inbox directory.
    File(FileChannel),
}

impl ChannelKind {
    /// `email`, `webhook` or `file`.
    pub fn name(&self) -> &'static str {
        match self {
            ChannelKind::Email(_) => "email",
            ChannelKind::Webhook(_) => "webhook",
            ChannelKind::File(_) => "file",
        }
    }
}

/// An SMTP server; every secret is an environment variable's name.
#[derive(Debug, Clone, Serialize)]
pub struct EmailChannel {
    /// The sender mailbox.
    pub from: String,
    /// Variable holding `host` or `host:port`.
    pub host_env: String,
    /// How the connection is protected.
    pub tls: SmtpTls,
    /// Variable holding the user name.
    pub username_env: Option<String>,
    /// Variable holding the password.
    pub password_env: Option<String>,
    /// Variable naming a PEM file of trusted CA certificates.
    pub ca_file_env: Option<String>,
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Upgraded with STARTTLS (required); port 587 by default.
    Starttls,
    /// TLS from the start; port 465 by default.
    Tls,
    /// None; port 25 by default.
    None,
}

impl SmtpTls {
    /// The port used when the host names none.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        }
    }
}

/// A webhook; the URL and the signing secret are environment variables' names.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookChannel {
    /// Variable holding the URL.
    pub url_env: String,
    /// Variable holding the HMAC-SHA256 signing secret.
    pub secret_env: Option<String>,
    /// The payload shape.
    pub format: WebhookFormat,
}

/// The payload shape a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// cutover's own JSON.
    Generic,
    /// Slack incoming webhook.
    Slack,
    /// Microsoft Teams incoming webhook.
    Teams,
    /// Mattermost incoming webhook.
    Mattermost,
}

impl WebhookFormat {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Generic => "generic",
            WebhookFormat::Slack => "slack",
            WebhookFormat::Teams => "teams",
            WebhookFormat::Mattermost => "mattermost",
        }
    }
}

/// A local inbox directory: one file per message.
#[derive(Debug, Clone, Serialize)]
pub struct FileChannel {
    /// Directory relative to the spec, confined to the project.
    pub dir: String,
}

/// One group's status-update cadence.
#[derive(Debug, Clone)]
pub struct StatusSchedule {
    /// The group it goes to.
    pub group: Group,
    /// How often.
    pub cadence: Cadence,
    /// Local time of day.
    pub at: Time,
    /// The IANA name of its time zone.
    pub time_zone_name: String,
    /// Its time zone.
    pub time_zone: TimeZone,
}

/// How often a status update goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Every work day of the calendar.
    Daily,
    /// Every week on this day.
    Weekly(Weekday),
    /// Every other week on this day, counted from the migration's start week.
    Fortnightly(Weekday),
}

impl StatusSchedule {
    /// In words: "every Monday at 09:00 (Europe/Berlin)".
    pub fn describe(&self) -> String {
        let at = self.at.strftime("%H:%M");
        let zone = &self.time_zone_name;
        match self.cadence {
            Cadence::Daily => format!("every work day at {at} ({zone})"),
            Cadence::Weekly(day) => format!("every {} at {at} ({zone})", weekday_name(day)),
            Cadence::Fortnightly(day) => {
                format!("every other {} at {at} ({zone})", weekday_name(day))
            }
        }
    }

    /// Every slot from `from` up to and including `until` (local dates), in
    /// order, as instants in the schedule's time zone. `start` anchors the
    /// fortnightly rhythm; `calendar` says which days are work days.
    pub fn occurrences(
        &self,
        from: Date,
        until: Date,
        start: Date,
        calendar: &Calendar,
    ) -> Vec<Zoned> {
        let mut slots = Vec::new();
        let mut day = from;
        while day <= until {
            if self.falls_on(day, start, calendar)
                && let Ok(zoned) = day.to_datetime(self.at).to_zoned(self.time_zone.clone())
            {
                slots.push(zoned);
            }
            match day.checked_add(1.day()) {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        slots
    }

    /// The latest slot at or before `now`, within the last 15 days.
    pub fn latest_slot(&self, now: Timestamp, start: Date, calendar: &Calendar) -> Option<Zoned> {
        let today = now.to_zoned(self.time_zone.clone()).date();
        let from = today.checked_sub(15.days()).ok()?;
        self.occurrences(from, today, start, calendar)
            .into_iter()
            .rev()
            .find(|slot| slot.timestamp() <= now)
    }

    fn falls_on(&self, day: Date, start: Date, calendar: &Calendar) -> bool {
        match self.cadence {
            Cadence::Daily => calendar.is_workday(day),
            Cadence::Weekly(weekday) => day.weekday() == weekday,
            Cadence::Fortnightly(weekday) => {
                let monday = |d: Date| {
                    d.checked_sub(i64::from(d.weekday().to_monday_zero_offset()).days())
                        .unwrap_or(d)
                };
                let weeks = (monday(day) - monday(start)).get_days().div_euclid(7);
                day.weekday() == weekday && weeks.rem_euclid(2) == 0
            }
        }
    }
}

/// A week day's English name.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// One escalation level.
#[derive(Debug, Clone, Serialize)]
pub struct EscalationLevel {
    /// Stakeholder ids.
    pub who: Vec<String>,
    /// How long they have to acknowledge.
    pub within: WallDuration,
}

/// Where action links point and how they are signed.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    /// The dashboard's base URL from the spec (`CUTOVER_SERVER_URL` overrides).
    pub server_url: Option<String>,
    /// Variable holding the signing key.
    pub secret_env: String,
    /// How long a link stays valid.
    pub valid_for: WallDuration,
}

/// The variable read for the signing key when `links.secret_env` is not given.
pub const DEFAULT_LINK_SECRET_ENV: &str = "CUTOVER_LINK_SECRET";

impl Default for Links {
    fn default() -> Self {
        Links {
            server_url: None,
            secret_env: DEFAULT_LINK_SECRET_ENV.to_owned(),
            valid_for: WallDuration {
                seconds: 3 * 86_400,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(cadence: Cadence) -> StatusSchedule {
        StatusSchedule {
            group: Group::Management,
            cadence,
            at: Time::constant(9, 0, 0, 0),
            time_zone_name: "Europe/Berlin".into(),
            time_zone: TimeZone::get("Europe/Berlin").expect("bundled tzdb"),
        }
    }

    #[test]
    fn weekly_slots_fall_on_the_day_at_the_local_time() {
        let start = Date::constant(2027, 1, 4);
        let slots = schedule(Cadence::Weekly(Weekday::Monday)).occurrences(
            start,
            Date::constant(2027, 1, 31),
            start,
            &Calendar::default(),
        );
        let shown: Vec<String> = slots.iter().map(|z| z.timestamp().to_string()).collect();
        // 09:00 in Berlin is 08:00 UTC in winter.
        assert_eq!(
            shown,
            [
                "2027-01-04T08:00:00Z",
                "2027-01-11T08:00:00Z",
                "2027-01-18T08:00:00Z",
                "2027-01-25T08:00:00Z"
            ]
        );
    }

    #[test]
    fn fortnightly_slots_skip_every_other_week_from_the_start() {
        let start = Date::constant(2027, 1, 6);
        let slots = schedule(Cadence::Fortnightly(Weekday::Monday)).occurrences(
            Date::constant(2027, 1, 1),
            Date::constant(2027, 2, 1),
            start,
            &Calendar::default(),
        );
        let days: Vec<String> = slots.iter().map(|z| z.date().to_string()).collect();
        assert_eq!(days, ["2027-01-04", "2027-01-18", "2027-02-01"]);
    }

    #[test]
    fn daily_slots_follow_the_work_days_and_the_latest_is_found() {
        let calendar = Calendar::default();
        let plan = schedule(Cadence::Daily);
        let start = Date::constant(2027, 1, 4);
        let now: Timestamp = "2027-01-11T07:59:00Z".parse().expect("time");
        let latest = plan.latest_slot(now, start, &calendar).expect("a slot");
        // Monday 08:59 local: the latest slot is Friday's (the weekend is not worked).
        assert_eq!(latest.date(), Date::constant(2027, 1, 8));
    }
}

//! The communication sections as written: `stakeholders:`, `channels:`,
//! `schedule:`, `escalation:` and `links:`, key for key.
//!
//! Like the rest of the wire format every struct denies unknown keys, and
//! values later checks point at are [`Spanned`]. A channel is one mapping
//! with an `id` and exactly one of `email:`, `webhook:` or `file:` (checked
//! by the validate pass), not a tagged enum, so a misspelt key inside it is
//! still reported at its line and column. Secrets are never written here:
//! the SMTP password, the webhook URL and the signing secrets are *named*
//! (`…_env`) and read from the environment when a message is sent.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// One entry of `stakeholders:` — a person or group who hears about the migration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StakeholderSpec {
    /// Unique id: `[a-z0-9][a-z0-9_-]*`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Human name (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    // `group` and `every` are required, but an absent one is reported by
    // the validate pass, so that a misspelt value (blanked out by the parse
    // pass to go on) does not stop every other report.
    /// Which wording they get: `developers`, `operations`, `administrators`,
    /// `end_users`, `management`, or `{ custom: name }`.
    #[serde(default)]
    #[schemars(required, with = "GroupSpec")]
    pub group: Option<Spanned<GroupSpec>>,
    /// Their part in the migration (RACI): `responsible`, `accountable`,
    /// `consulted` or `informed` (default).
    #[serde(default)]
    pub raci: Option<RaciSpec>,
    /// What they care about; absent: the whole migration.
    #[serde(default)]
    pub cares_about: Option<InterestSpec>,
    /// Ids of the channels (`channels:`) their messages go through.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub channels: Vec<Spanned<String>>,
    /// Their email addresses, for `email` channels.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub email: Vec<Spanned<String>>,
}

/// A stakeholder group: the five the templates are worded for, or a custom one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupSpec {
    /// Developers: what changes in their CI and when.
    Developers,
    /// Operations: what to watch and how to roll back.
    Operations,
    /// Administrators of the CI and the Dagger engines.
    Administrators,
    /// End users of the pipelines: impact and timing.
    EndUsers,
    /// Management: progress, risks, decisions.
    Management,
    /// A group of your own (`{ custom: security }`): the generic wording,
    /// unless the project's templates have its own.
    Custom(String),
}

/// A stakeholder's part in the migration (RACI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaciSpec {
    /// Does the work: hears everything that concerns them, acts on it.
    Responsible,
    /// Answers for the outcome: decisions, escalations, progress.
    Accountable,
    /// Asked before decisions: phase events, decisions, risks.
    Consulted,
    /// Kept informed: announcements, phases, status updates.
    Informed,
}

/// `cares_about:` — the parts of the migration a stakeholder hears about.
/// An event concerns them when it touches one of these (any list left empty
/// does not narrow).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestSpec {
    /// Component ids.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub components: Vec<Spanned<String>>,
    /// Phase numbers of the plan.
    #[serde(default)]
    #[schemars(with = "Vec<u32>")]
    pub phases: Vec<Spanned<u32>>,
    /// Owner teams (`owner:` of components).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub owners: Vec<Spanned<String>>,
}

/// One entry of `channels:` — exactly one of `email`, `webhook` or `file`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// Unique id, referred to by stakeholders.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Mail through an SMTP server.
    #[serde(default)]
    pub email: Option<EmailChannelSpec>,
    /// An HTTP POST to a webhook (Slack, Teams, Mattermost or your own).
    #[serde(default)]
    pub webhook: Option<WebhookChannelSpec>,
    /// Files in a local inbox directory inside the project.
    #[serde(default)]
    pub file: Option<FileChannelSpec>,
}

/// `email:` — an SMTP server, its address and credentials read from the environment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChannelSpec {
    /// The sender: `cutover@example.com` or `Migration desk <cutover@example.com>`.
    #[schemars(with = "String")]
    pub from: Spanned<String>,
    /// Environment variable holding the server: `host` or `host:port`.
    #[schemars(with = "String")]
    pub host_env: Spanned<String>,
    /// How the connection is protected: `starttls` (default, port 587),
    /// `tls` (port 465) or `none` (port 25; only for a relay on the same host).
    #[serde(default)]
    pub tls: Option<SmtpTlsSpec>,
    /// Environment variable holding the user name, when the server needs one.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub username_env: Option<Spanned<String>>,
    /// Environment variable holding the password.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub password_env: Option<Spanned<String>>,
    /// Environment variable naming a PEM file of CA certificates trusted
    /// instead of the Mozilla roots (a server with a private CA).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ca_file_env: Option<Spanned<String>>,
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTlsSpec {
    /// Plain connection upgraded with STARTTLS; refused if the server cannot.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption.
    None,
}

/// `webhook:` — a URL and a signing secret, both read from the environment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChannelSpec {
    /// Environment variable holding the URL (webhook URLs are secrets).
    #[schemars(with = "String")]
    pub url_env: Spanned<String>,
    /// Environment variable holding the HMAC-SHA256 secret the payload is
    /// signed with (`X-Cutover-Signature`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub secret_env: Option<Spanned<String>>,
    /// Payload shape: `generic` (default), `slack`, `teams` or `mattermost`.
    #[serde(default)]
    pub format: Option<WebhookFormatSpec>,
}

/// The payload shape a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormatSpec {
    /// cutover's own JSON: the message with its event and actions.
    Generic,
    /// A Slack incoming webhook (text and Block Kit blocks).
    Slack,
    /// A Microsoft Teams incoming webhook (an Adaptive Card).
    Teams,
    /// A Mattermost incoming webhook (Markdown text).
    Mattermost,
}

/// `file:` — a local inbox: one file per message.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileChannelSpec {
    /// Directory inside the project, relative to the spec.
    #[schemars(with = "String")]
    pub dir: Spanned<String>,
}

/// `schedule:` — when status updates go out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSection {
    /// IANA time zone of every entry that names none (`Europe/Berlin`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub time_zone: Option<Spanned<String>>,
    /// One cadence per group.
    #[serde(default)]
    pub status_updates: Vec<StatusUpdateSpec>,
}

/// One status-update cadence: a digest of what happened since the last one.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdateSpec {
    /// The group it goes to.
    #[serde(default)]
    #[schemars(required, with = "GroupSpec")]
    pub group: Option<Spanned<GroupSpec>>,
    /// `day` (every work day of the calendar), `week` or `two_weeks`.
    #[serde(default)]
    #[schemars(required, with = "CadenceSpec")]
    pub every: Option<CadenceSpec>,
    /// Day of the week for `week` and `two_weeks`: `mon` … `sun` (default `mon`).
    #[serde(default, rename = "on")]
    #[schemars(with = "Option<String>")]
    pub weekday: Option<Spanned<String>>,
    /// Local time of day, `HH:MM` (24 h).
    #[schemars(with = "String")]
    pub at: Spanned<String>,
    /// IANA time zone, overriding `schedule.time_zone`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub time_zone: Option<Spanned<String>>,
}

/// How often a status update goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CadenceSpec {
    /// Every work day of the migration's calendar.
    Day,
    /// Once a week.
    Week,
    /// Every other week, counted from the week the migration starts.
    TwoWeeks,
}

/// `escalation:` — who hears of an unacknowledged message, and when.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationSection {
    /// Levels in order: level 1 hears of every message someone must act on;
    /// when it is not acknowledged within level 1's `within`, level 2 hears
    /// of it, and so on.
    pub levels: Vec<EscalationLevelSpec>,
}

/// One escalation level.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationLevelSpec {
    /// Stakeholder ids.
    #[schemars(with = "Vec<String>")]
    pub who: Vec<Spanned<String>>,
    /// How long they have to acknowledge: `30m`, `2h`, `1d`.
    #[schemars(with = "String")]
    pub within: Spanned<String>,
}

/// `links:` — signed links to act on a message from the `cutover serve` dashboard.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinksSection {
    /// Base URL of the `cutover serve` dashboard people open
    /// (`https://cutover.example.com`); `CUTOVER_SERVER_URL` overrides it.
    /// Without one, messages carry the `cutover` command to run instead.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub server_url: Option<Spanned<String>>,
    /// Environment variable holding the key links are signed with
    /// (HMAC-SHA256); the server verifies with the same key.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub secret_env: Option<Spanned<String>>,
    /// How long a link stays valid: `2d`, `12h` (default `3d`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub valid_for: Option<Spanned<String>>,
}

//! The validate pass of the communication sections: ids and references
//! (stakeholders → channels, components, owners, phases; escalation levels
//! → stakeholders; schedules → groups), environment variable names (a
//! secret's *value* written where its name belongs is refused), addresses,
//! paths, times of day and IANA time zones. Every problem is reported, with
//! its line, column and key path.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde_saphyr::Spanned;

use super::model::{
    Cadence, Channel, ChannelKind, Communication, EmailChannel, EscalationLevel, FileChannel,
    Group, Interests, Links, Raci, SmtpTls, Stakeholder, StatusSchedule, WebhookChannel,
    WebhookFormat,
};
use super::wire::{
    CadenceSpec, ChannelSpec, EmailChannelSpec, EscalationSection, GroupSpec, InterestSpec,
    LinksSection, RaciSpec, ScheduleSection, SmtpTlsSpec, StakeholderSpec, StatusUpdateSpec,
    WebhookChannelSpec, WebhookFormatSpec,
};
use crate::spec::diagnostic::SpecDiagnostic;
use crate::spec::model::{Component, WEEKDAYS};
use crate::spec::validate::{Validator, is_valid_id, key_position, suggested_id};
use crate::spec::wire::MigrationSpec;
use crate::text::suggestion;

/// Checks the communication sections and builds their model.
pub(in crate::spec) fn communication(
    v: &mut Validator<'_>,
    spec: &MigrationSpec,
    components: &[Component],
) -> Communication {
    let channels = channels(v, &spec.channels);
    let stakeholders = stakeholders(v, &spec.stakeholders, &channels, components);
    let groups: Vec<Group> = stakeholders.iter().map(|s| s.group.clone()).collect();
    let schedule = spec
        .schedule
        .as_ref()
        .map_or_else(Vec::new, |section| schedule(v, section, &groups));
    let escalation = spec
        .escalation
        .as_ref()
        .map_or_else(Vec::new, |section| escalation(v, section, &stakeholders));
    let links = spec
        .links
        .as_ref()
        .map_or_else(Links::default, |section| links(v, section));
    Communication {
        stakeholders,
        channels,
        schedule,
        escalation,
        links,
    }
}

/// Reports an id that is malformed or used twice; true when it is new.
fn unique_id(
    v: &mut Validator<'_>,
    id: &Spanned<String>,
    seen: &mut HashMap<String, Spanned<String>>,
    what: &str,
    path: String,
) -> bool {
    let name = id.value.as_str();
    if !is_valid_id(name) {
        let d = SpecDiagnostic::new(format!("invalid {what} id `{name}`"), v.at(id))
            .with_path(path.clone())
            .with_label("ids are lowercase letters, digits, `-` and `_`")
            .with_help(format!("for example `{}`", suggested_id(name)));
        v.report(d);
    }
    if let Some(first) = seen.get(name) {
        let related = v.at(first);
        let d = SpecDiagnostic::new(format!("duplicate {what} id `{name}`"), v.at(id))
            .with_path(path)
            .with_label("defined again here")
            .with_related(related, "first defined here")
            .with_help(format!("give every {what} a unique id"));
        v.report(d);
        return false;
    }
    seen.insert(name.to_owned(), id.clone());
    true
}

/// Reports a reference to a name that is not among `known`.
fn known_name<'k>(
    v: &mut Validator<'_>,
    name: &Spanned<String>,
    known: impl Iterator<Item = &'k str> + Clone,
    message: String,
    path: String,
) -> bool {
    if known.clone().any(|k| k == name.value) {
        return true;
    }
    let help = match suggestion(&name.value, known.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let listed: Vec<&str> = known.collect();
            if listed.is_empty() {
                "nothing of that kind is defined in the spec".to_owned()
            } else {
                format!("expected one of {}", crate::text::backtick_list(&listed))
            }
        }
    };
    let d = SpecDiagnostic::new(message, v.at(name))
        .with_path(path)
        .with_label("not defined")
        .with_help(help);
    v.report(d);
    false
}

/// The name of an environment variable; a value written where a name
/// belongs (a URL, a password) is refused, since the spec is committed.
fn env_name(v: &mut Validator<'_>, raw: &Spanned<String>, path: &str) -> String {
    let name = raw.value.trim();
    let mut chars = name.chars();
    let well_formed = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !well_formed {
        let looks_secret = name.contains("://") || name.contains('@') || name.len() > 64;
        let help = if looks_secret {
            "this looks like the value itself: the spec is committed, so keep the value in the environment and write the name of the variable that holds it"
        } else {
            "name an environment variable: letters, digits and `_`, not starting with a digit"
        };
        // The text may be a secret: the message never repeats it.
        let d = SpecDiagnostic::new("not the name of an environment variable", v.at(raw))
            .with_path(path)
            .with_label("expected a variable name")
            .with_help(help);
        v.report(if looks_secret { d.with_secret() } else { d });
    }
    name.to_owned()
}

/// An optional [`env_name`].
fn optional_env_name(
    v: &mut Validator<'_>,
    raw: Option<&Spanned<String>>,
    path: &str,
) -> Option<String> {
    raw.map(|raw| env_name(v, raw, path))
}

/// Whether `text` is a plain address `local@domain` (no spaces, one `@`).
fn is_address(text: &str) -> bool {
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || "<>,;\"".contains(c))
        }
        _ => false,
    }
}

/// A mailbox: an address, or `Name <address>`.
fn is_mailbox(text: &str) -> bool {
    let text = text.trim();
    match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => is_address(&inner[open + 1..]),
        _ => is_address(text),
    }
}

fn channels(v: &mut Validator<'_>, specs: &[ChannelSpec]) -> Vec<Channel> {
    let mut seen = HashMap::new();
    let mut channels = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("channels[{i}]");
        unique_id(v, &spec.id, &mut seen, "channel", format!("{path}.id"));
        if let Some(kind) = channel_kind(v, spec, &path) {
            channels.push(Channel {
                id: spec.id.value.clone(),
                kind,
            });
        }
    }
    channels
}

/// Exactly one of `email`, `webhook` or `file`, each checked.
fn channel_kind(v: &mut Validator<'_>, spec: &ChannelSpec, path: &str) -> Option<ChannelKind> {
    let given = [
        spec.email.is_some(),
        spec.webhook.is_some(),
        spec.file.is_some(),
    ];
    let count = given.iter().filter(|g| **g).count();
    if count != 1 {
        let message = if count == 0 {
            format!(
                "channel `{}` says neither `email`, `webhook` nor `file`",
                spec.id.value
            )
        } else {
            format!(
                "channel `{}` is more than one kind of channel",
                spec.id.value
            )
        };
        let d = SpecDiagnostic::new(message, v.at(&spec.id))
            .with_path(path)
            .with_label("a channel is exactly one of `email`, `webhook` or `file`")
            .with_help("write one channel entry per kind, each with its own id");
        v.report(d);
        return None;
    }
    if let Some(email) = &spec.email {
        return Some(ChannelKind::Email(email_channel(
            v,
            email,
            &format!("{path}.email"),
        )));
    }
    if let Some(webhook) = &spec.webhook {
        return Some(ChannelKind::Webhook(webhook_channel(
            v,
            webhook,
            &format!("{path}.webhook"),
        )));
    }
    let file = spec.file.as_ref()?;
    let here = format!("{path}.file.dir");
    v.path(&file.dir.value, v.at(&file.dir), here);
    Some(ChannelKind::File(FileChannel {
        dir: file.dir.value.clone(),
    }))
}

fn email_channel(v: &mut Validator<'_>, spec: &EmailChannelSpec, path: &str) -> EmailChannel {
    if !is_mailbox(&spec.from.value) {
        let d = SpecDiagnostic::new(
            format!("`{}` is not a mail address", spec.from.value),
            v.at(&spec.from),
        )
        .with_path(format!("{path}.from"))
        .with_label("not an address")
        .with_help("write `cutover@example.com` or `Migration desk <cutover@example.com>`");
        v.report(d);
    }
    EmailChannel {
        from: spec.from.value.trim().to_owned(),
        host_env: env_name(v, &spec.host_env, &format!("{path}.host_env")),
        tls: match spec.tls {
            Some(SmtpTlsSpec::Starttls) | None => SmtpTls::Starttls,
            Some(SmtpTlsSpec::Tls) => SmtpTls::Tls,
            Some(SmtpTlsSpec::None) => SmtpTls::None,
        },
        username_env: optional_env_name(
            v,
            spec.username_env.as_ref(),
            &format!("{path}.username_env"),
        ),
        password_env: optional_env_name(
            v,
            spec.password_env.as_ref(),
            &format!("{path}.password_env"),
        ),
        ca_file_env: optional_env_name(
            v,
            spec.ca_file_env.as_ref(),
            &format!("{path}.ca_file_env"),
        ),
    }
}

fn webhook_channel(v: &mut Validator<'_>, spec: &WebhookChannelSpec, path: &str) -> WebhookChannel {
    WebhookChannel {
        url_env: env_name(v, &spec.url_env, &format!("{path}.url_env")),
        secret_env: optional_env_name(v, spec.secret_env.as_ref(), &format!("{path}.secret_env")),
        format: match spec.format {
            Some(WebhookFormatSpec::Generic) | None => WebhookFormat::Generic,
            Some(WebhookFormatSpec::Slack) => WebhookFormat::Slack,
            Some(WebhookFormatSpec::Teams) => WebhookFormat::Teams,
            Some(WebhookFormatSpec::Mattermost) => WebhookFormat::Mattermost,
        },
    }
}

fn stakeholders(
    v: &mut Validator<'_>,
    specs: &[StakeholderSpec],
    channels: &[Channel],
    components: &[Component],
) -> Vec<Stakeholder> {
    let mut seen = HashMap::new();
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let path = format!("stakeholders[{i}]");
            unique_id(v, &spec.id, &mut seen, "stakeholder", format!("{path}.id"));
            let channel_ids = stakeholder_channels(v, spec, channels, &path);
            let email = addresses(v, spec, channels, &path);
            Stakeholder {
                id: spec.id.value.clone(),
                name: spec.name.clone().unwrap_or_else(|| spec.id.value.clone()),
                group: match &spec.group {
                    Some(raw) => group(v, raw, &format!("{path}.group")),
                    None => missing(v, ("id", &spec.id), "group", "group: developers"),
                },
                raci: raci(spec.raci),
                interests: spec
                    .cares_about
                    .as_ref()
                    .map_or_else(Interests::default, |i| {
                        interests(v, i, components, &format!("{path}.cares_about"))
                    }),
                channels: channel_ids,
                email,
            }
        })
        .collect()
}

fn stakeholder_channels(
    v: &mut Validator<'_>,
    spec: &StakeholderSpec,
    channels: &[Channel],
    path: &str,
) -> Vec<String> {
    let mut ids = Vec::new();
    for (j, channel) in spec.channels.iter().enumerate() {
        let known = channels.iter().map(|c| c.id.as_str());
        let message = format!("unknown channel `{}`", channel.value);
        if known_name(v, channel, known, message, format!("{path}.channels[{j}]"))
            && !ids.contains(&channel.value)
        {
            ids.push(channel.value.clone());
        }
    }
    ids
}

/// Email addresses: each well formed, and needed exactly when the
/// stakeholder has an email channel.
fn addresses(
    v: &mut Validator<'_>,
    spec: &StakeholderSpec,
    channels: &[Channel],
    path: &str,
) -> Vec<String> {
    for (j, address) in spec.email.iter().enumerate() {
        if !is_address(address.value.trim()) {
            let d = SpecDiagnostic::new(
                format!("`{}` is not a mail address", address.value),
                v.at(address),
            )
            .with_path(format!("{path}.email[{j}]"))
            .with_label("not an address")
            .with_help("write a plain address such as `ops@example.com`");
            v.report(d);
        }
    }
    let has_email_channel = spec.channels.iter().any(|id| {
        channels
            .iter()
            .any(|c| c.id == id.value && matches!(c.kind, ChannelKind::Email(_)))
    });
    if has_email_channel && spec.email.is_empty() {
        let d = SpecDiagnostic::new(
            format!(
                "stakeholder `{}` has an email channel but no address",
                spec.id.value
            ),
            v.at(&spec.id),
        )
        .with_path(format!("{path}.email"))
        .with_label("no `email:` addresses")
        .with_help("add `email: [name@example.com]`, or remove the email channel");
        v.report(d);
    }
    spec.email
        .iter()
        .map(|a| a.value.trim().to_owned())
        .collect()
}

fn group(v: &mut Validator<'_>, spec: &Spanned<GroupSpec>, path: &str) -> Group {
    match &spec.value {
        GroupSpec::Developers => Group::Developers,
        GroupSpec::Operations => Group::Operations,
        GroupSpec::Administrators => Group::Administrators,
        GroupSpec::EndUsers => Group::EndUsers,
        GroupSpec::Management => Group::Management,
        GroupSpec::Custom(name) => {
            let clashes = Group::BUILT_IN.iter().any(|g| g.name() == name);
            if !is_valid_id(name) || clashes {
                let d = SpecDiagnostic::new(format!("invalid custom group `{name}`"), v.at(spec))
                    .with_path(path)
                    .with_label(if clashes {
                        "the name of a built-in group"
                    } else {
                        "group names are lowercase letters, digits, `-` and `_`"
                    })
                    .with_help(if clashes {
                        format!("write `group: {name}` for the built-in group")
                    } else {
                        format!("for example `{}`", suggested_id(name))
                    });
                v.report(d);
            }
            Group::Custom(name.clone())
        }
    }
}

/// Reports a required key its mapping lacks, at the key `beside` of the
/// same mapping (whose value is `value`); returns a placeholder group.
fn missing<T>(
    v: &mut Validator<'_>,
    (beside, value): (&str, &Spanned<T>),
    key: &str,
    example: &str,
) -> Group {
    let at = key_position(v.text, v.at(value), beside);
    let d = SpecDiagnostic::new(format!("missing required key `{key}`"), at)
        .with_label(format!("this mapping needs `{key}`"))
        .with_help(format!("add `{example}` to this mapping"));
    v.report(d);
    Group::Custom(String::new())
}

fn raci(spec: Option<RaciSpec>) -> Raci {
    match spec {
        Some(RaciSpec::Responsible) => Raci::Responsible,
        Some(RaciSpec::Accountable) => Raci::Accountable,
        Some(RaciSpec::Consulted) => Raci::Consulted,
        Some(RaciSpec::Informed) | None => Raci::Informed,
    }
}

fn interests(
    v: &mut Validator<'_>,
    spec: &InterestSpec,
    components: &[Component],
    path: &str,
) -> Interests {
    let ids = || components.iter().map(|c| c.id.as_str());
    let owners: BTreeSet<&str> = components.iter().map(|c| c.owner.as_str()).collect();
    let mut interests = Interests::default();
    for (j, id) in spec.components.iter().enumerate() {
        let message = format!("unknown component `{}`", id.value);
        if known_name(v, id, ids(), message, format!("{path}.components[{j}]")) {
            interests.components.push(id.value.clone());
        }
    }
    for (j, owner) in spec.owners.iter().enumerate() {
        let message = format!("no component is owned by `{}`", owner.value);
        let known = owners.iter().copied();
        if known_name(v, owner, known, message, format!("{path}.owners[{j}]")) {
            interests.owners.push(owner.value.clone());
        }
    }
    for (j, phase) in spec.phases.iter().enumerate() {
        let most = components.len();
        if phase.value == 0 || usize::try_from(phase.value).map_or(true, |p| p > most) {
            let d = SpecDiagnostic::new(
                format!(
                    "phase {} does not exist: {} make at most {most} phases",
                    phase.value,
                    crate::text::count(most, "component")
                ),
                v.at(phase),
            )
            .with_path(format!("{path}.phases[{j}]"))
            .with_label("not a phase of the plan")
            .with_help("name a phase number shown by `cutover plan` (phases start at 1)");
            v.report(d);
        } else {
            interests.phases.push(phase.value);
        }
    }
    interests
}

fn schedule(
    v: &mut Validator<'_>,
    section: &ScheduleSection,
    groups: &[Group],
) -> Vec<StatusSchedule> {
    let default_zone = section
        .time_zone
        .as_ref()
        .and_then(|raw| time_zone(v, raw, "schedule.time_zone"));
    let mut scheduled: Vec<Group> = Vec::new();
    let mut schedules = Vec::new();
    for (i, entry) in section.status_updates.iter().enumerate() {
        let path = format!("schedule.status_updates[{i}]");
        let group = match &entry.group {
            Some(raw) => {
                let group = group(v, raw, &format!("{path}.group"));
                check_scheduled_group(v, raw, &group, groups, &scheduled, &path);
                group
            }
            None => missing(v, ("at", &entry.at), "group", "group: management"),
        };
        scheduled.push(group.clone());
        let zone = match &entry.time_zone {
            Some(raw) => time_zone(v, raw, &format!("{path}.time_zone")),
            None => default_zone.clone().or_else(|| {
                missing_zone(v, entry, &path);
                None
            }),
        };
        let at = time_of_day(v, &entry.at, &format!("{path}.at"));
        let cadence = cadence(v, entry, &path);
        if let (Some((name, zone)), Some(at)) = (zone, at) {
            schedules.push(StatusSchedule {
                group,
                cadence,
                at,
                time_zone_name: name,
                time_zone: zone,
            });
        }
    }
    schedules
}

/// A scheduled group must have stakeholders, and only one cadence.
fn check_scheduled_group(
    v: &mut Validator<'_>,
    raw: &Spanned<GroupSpec>,
    group: &Group,
    groups: &[Group],
    scheduled: &[Group],
    path: &str,
) {
    if !groups.contains(group) {
        let names: Vec<&str> = groups.iter().map(Group::name).collect();
        let help = match suggestion(group.name(), names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => {
                "schedule a group that stakeholders are in (`group:` of `stakeholders:`)".to_owned()
            }
        };
        let d = SpecDiagnostic::new(format!("no stakeholder is in group `{group}`"), v.at(raw))
            .with_path(format!("{path}.group"))
            .with_label("nobody would receive these updates")
            .with_help(help);
        v.report(d);
    } else if scheduled.contains(group) {
        let d = SpecDiagnostic::new(
            format!("group `{group}` has two status-update cadences"),
            v.at(raw),
        )
        .with_path(format!("{path}.group"))
        .with_label("scheduled again here")
        .with_help("keep one entry per group");
        v.report(d);
    }
}

fn missing_zone(v: &mut Validator<'_>, entry: &StatusUpdateSpec, path: &str) {
    let d = SpecDiagnostic::new("the status update names no time zone", v.at(&entry.at))
        .with_path(format!("{path}.time_zone"))
        .with_label("09:00 where?")
        .with_help("add `time_zone: Europe/Berlin` here or to `schedule:` (an IANA name)");
    v.report(d);
}

/// An IANA time zone, from the tzdb bundled in the binary.
fn time_zone(
    v: &mut Validator<'_>,
    raw: &Spanned<String>,
    path: &str,
) -> Option<(String, TimeZone)> {
    let name = raw.value.trim();
    match TimeZone::get(name) {
        Ok(zone) => Some((name.to_owned(), zone)),
        Err(_) => {
            let available: Vec<String> = jiff::tz::db()
                .available()
                .map(|n| n.as_str().to_owned())
                .collect();
            let help = match suggestion(name, available.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`"
                    .to_owned(),
            };
            let d = SpecDiagnostic::new(format!("unknown time zone `{name}`"), v.at(raw))
                .with_path(path)
                .with_label("not an IANA time zone")
                .with_help(help);
            v.report(d);
            None
        }
    }
}

fn time_of_day(v: &mut Validator<'_>, raw: &Spanned<String>, path: &str) -> Option<Time> {
    let text = raw.value.trim();
    let parsed = text.split_once(':').and_then(|(hour, minute)| {
        let well_formed = hour.len() == 2 && minute.len() == 2;
        let hour: i8 = hour.parse().ok()?;
        let minute: i8 = minute.parse().ok()?;
        well_formed
            .then(|| Time::new(hour, minute, 0, 0).ok())
            .flatten()
    });
    if parsed.is_none() {
        let d = SpecDiagnostic::new(format!("invalid time of day `{text}`"), v.at(raw))
            .with_path(path)
            .with_label("not HH:MM")
            .with_help("write a 24-hour local time in quotes, e.g. `at: \"09:00\"`");
        v.report(d);
    }
    parsed
}

fn cadence(v: &mut Validator<'_>, entry: &StatusUpdateSpec, path: &str) -> Cadence {
    let weekday = entry.weekday.as_ref().map(|raw| {
        let name = raw.value.trim().to_ascii_lowercase();
        WEEKDAYS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, day)| *day)
            .unwrap_or_else(|| {
                let help = match suggestion(&name, WEEKDAYS.iter().map(|(n, _)| *n)) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "use `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`".into(),
                };
                let d = SpecDiagnostic::new(format!("unknown day name `{}`", raw.value), v.at(raw))
                    .with_path(format!("{path}.on"))
                    .with_label("not a day of the week")
                    .with_help(help);
                v.report(d);
                Weekday::Monday
            })
    });
    let Some(every) = entry.every else {
        missing(v, ("at", &entry.at), "every", "every: week");
        return Cadence::Weekly(weekday.unwrap_or(Weekday::Monday));
    };
    match every {
        CadenceSpec::Day => {
            if let Some(raw) = &entry.weekday {
                let d = SpecDiagnostic::new("`on` does not apply to daily updates", v.at(raw))
                    .with_path(format!("{path}.on"))
                    .with_label("daily updates go out every work day")
                    .with_help("remove `on:`, or set `every: week`");
                v.report(d);
            }
            Cadence::Daily
        }
        CadenceSpec::Week => Cadence::Weekly(weekday.unwrap_or(Weekday::Monday)),
        CadenceSpec::TwoWeeks => Cadence::Fortnightly(weekday.unwrap_or(Weekday::Monday)),
    }
}

fn escalation(
    v: &mut Validator<'_>,
    section: &EscalationSection,
    stakeholders: &[Stakeholder],
) -> Vec<EscalationLevel> {
    if section.levels.is_empty() {
        let d = SpecDiagnostic::new(
            "escalation has no levels",
            crate::spec::diagnostic::SourcePosition::start(),
        )
        .with_path("escalation.levels")
        .with_help("list at least one level: `- { who: [ops-oncall], within: 30m }`");
        v.report(d);
    }
    let mut levels = Vec::with_capacity(section.levels.len());
    for (i, level) in section.levels.iter().enumerate() {
        let path = format!("escalation.levels[{i}]");
        let mut who = Vec::new();
        for (j, id) in level.who.iter().enumerate() {
            let known = stakeholders.iter().map(|s| s.id.as_str());
            let message = format!("unknown stakeholder `{}`", id.value);
            if known_name(v, id, known, message, format!("{path}.who[{j}]")) {
                who.push(id.value.clone());
            }
        }
        if level.who.is_empty() {
            let d = SpecDiagnostic::new("an escalation level reaches nobody", v.at(&level.within))
                .with_path(format!("{path}.who"))
                .with_help("name the stakeholders of this level: `who: [platform-lead]`");
            v.report(d);
        }
        let within = v.wall(Some(&level.within), &format!("{path}.within"));
        if let Some(within) = within {
            if within.seconds == 0 {
                let d = SpecDiagnostic::new("`within` is zero", v.at(&level.within))
                    .with_path(format!("{path}.within"))
                    .with_label("nobody could acknowledge in time")
                    .with_help("give people time to answer: `30m`, `2h`, `1d`");
                v.report(d);
            }
            levels.push(EscalationLevel { who, within });
        }
    }
    levels
}

fn links(v: &mut Validator<'_>, section: &LinksSection) -> Links {
    let mut links = Links::default();
    if let Some(url) = &section.server_url {
        let text = url.value.trim().trim_end_matches('/');
        if !(text.starts_with("https://") || text.starts_with("http://")) || text.contains(' ') {
            let d =
                SpecDiagnostic::new(format!("`{}` is not an http(s) URL", url.value), v.at(url))
                    .with_path("links.server_url")
                    .with_label("not a URL")
                    .with_help(
                        "write the dashboard's base URL, e.g. `https://cutover.example.com`",
                    );
            v.report(d);
        }
        links.server_url = Some(text.to_owned());
    }
    if let Some(secret) = &section.secret_env {
        links.secret_env = env_name(v, secret, "links.secret_env");
    }
    if let Some(valid_for) = v.wall(section.valid_for.as_ref(), "links.valid_for") {
        links.valid_for = valid_for;
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_mailboxes() {
        assert!(is_address("ops@example.com"));
        assert!(is_mailbox("Migration desk <cutover@example.com>"));
        for bad in [
            "",
            "ops",
            "@example.com",
            "ops@",
            "a b@c.d",
            "a@b@c",
            "ops@.com",
        ] {
            assert!(!is_address(bad), "{bad}");
        }
    }
}

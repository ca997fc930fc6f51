//! The validate pass: [`MigrationSpec`] → [`Migration`].
//!
//! Owns every check that needs more than one value at a time or a value's
//! meaning: the spec version, dates, calendar names, durations, component
//! ids (format and uniqueness), dependency references and cycles, phase pins
//! against `depends_on`; the communication sections are checked by
//! [`super::communication`] with the same [`Validator`].
//! It reports every problem it finds, not only the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use jiff::civil::Date;
use serde_saphyr::Spanned;

use super::comparison::{Comparison, MemberComparison, ParitySettings};
use super::criterion_spec::CriterionSpec;
use super::diagnostic::{SourcePosition, SpecDiagnostic};
use super::duration::{RawDuration, WallDuration, WorkDays};
use super::model::{
    AcceptanceTest, Calendar, Component, ComponentKind, Criterion, DEFAULT_TRIGGER_MODES, Defaults,
    Implementation, Migration, PhaseSettings, Planning, PortingAfter, Retention, Risk,
    RollbackSettings, Trigger, TriggerAction, TriggerMode, WEEKDAYS, Window,
};
use super::output_spec::{CompareSpec, MemberSpec, OutputEntry, OutputMapping, StdoutSpec};
use super::wire::{
    AcceptanceSpec, CalendarSection, ComponentSpec, KindSpec, MigrationSpec, PortingAfterSpec,
    RiskSpec, TriggerActionSpec, TriggerModeSpec,
};
use crate::fs::confine;
use crate::graph::DependencyGraph;
use crate::text::suggestion;

/// Collects diagnostics while values are converted.
pub(in crate::spec) struct Validator<'a> {
    pub(in crate::spec) text: &'a str,
    /// The project (the spec's directory), when the spec is a file: path
    /// fields are then also resolved through the symlinks that exist.
    base: Option<&'a Path>,
    diagnostics: Vec<SpecDiagnostic>,
}

impl<'a> Validator<'a> {
    pub(in crate::spec) fn at<T>(&self, spanned: &Spanned<T>) -> SourcePosition {
        SourcePosition::from_location(&spanned.referenced, self.text)
    }

    pub(in crate::spec) fn report(&mut self, diagnostic: SpecDiagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn work_days(&mut self, raw: &Spanned<RawDuration>, path: &str) -> WorkDays {
        WorkDays::parse(&raw.value.0).unwrap_or_else(|error| {
            let d = SpecDiagnostic::new(error.to_string(), self.at(raw))
                .with_path(path)
                .with_label("not a duration in work days")
                .with_help("write work days as `3d`, weeks as `2w`, or a bare number of days");
            self.report(d);
            WorkDays(0)
        })
    }

    fn optional_work_days(
        &mut self,
        raw: Option<&Spanned<RawDuration>>,
        path: &str,
        default: WorkDays,
    ) -> WorkDays {
        raw.map_or(default, |raw| self.work_days(raw, path))
    }

    pub(in crate::spec) fn wall(
        &mut self,
        raw: Option<&Spanned<String>>,
        path: &str,
    ) -> Option<WallDuration> {
        let raw = raw?;
        match WallDuration::parse(&raw.value) {
            Ok(duration) => Some(duration),
            Err(error) => {
                let d = SpecDiagnostic::new(error.to_string(), self.at(raw))
                    .with_path(path)
                    .with_label("not a time")
                    .with_help("use seconds, minutes or hours: `90s`, `30m`, `2h`");
                self.report(d);
                None
            }
        }
    }

    /// A time limit: like [`Validator::wall`], but zero is refused, since a
    /// limit of nothing would kill every run at once.
    fn time_limit(&mut self, raw: Option<&Spanned<String>>, path: &str) -> Option<WallDuration> {
        let limit = self.wall(raw, path)?;
        if limit.seconds == 0
            && let Some(raw) = raw
        {
            let d = SpecDiagnostic::new(
                format!("time limit `{}` is zero", raw.value),
                self.at(raw),
            )
            .with_path(path)
            .with_label("every run would time out at once")
            .with_help(
                "give a positive limit such as `90s` or `30m`, or remove the key for the default",
            );
            self.report(d);
            return None;
        }
        Some(limit)
    }

    /// Checks path fields: relative, inside the project after following
    /// symlinks, never in `.cutover` or `.git` (see [`crate::fs::confine`]).
    fn paths(&mut self, raw: &[Spanned<String>], path: &str) -> Vec<String> {
        for (i, entry) in raw.iter().enumerate() {
            self.path(&entry.value, self.at(entry), format!("{path}[{i}]"));
        }
        raw.iter().map(|entry| entry.value.clone()).collect()
    }

    /// [`Self::paths`] for `outputs:` entries, a path or a mapping with a
    /// `path:` (checked the same way, reported at `[i].path`).
    fn output_paths(&mut self, raw: &[Spanned<OutputEntry>], path: &str) -> Vec<String> {
        for (i, entry) in raw.iter().enumerate() {
            let here = match &entry.value {
                OutputEntry::Path(_) => format!("{path}[{i}]"),
                OutputEntry::Detailed(_) => format!("{path}[{i}].path"),
            };
            self.path(entry.value.path(), self.at(entry), here);
        }
        raw.iter().map(|o| o.value.path().to_owned()).collect()
    }

    /// Reports one path field that is not confined to the project.
    pub(in crate::spec) fn path(&mut self, value: &str, at: SourcePosition, path: String) {
        let checked = match self.base {
            Some(base) => confine::resolve(base, value).map(|_| ()),
            None => confine::ProjectPath::parse(value).map(|_| ()),
        };
        if let Err(problem) = checked {
            let d = SpecDiagnostic::new(problem.to_string(), at)
                .with_path(path)
                .with_label(problem.label())
                .with_help(problem.help());
            self.report(d);
        }
    }

    /// Reports a pattern that is not a valid regular expression.
    fn regex(&mut self, pattern: &Spanned<String>, path: &str) {
        if let Err(error) = regex::Regex::new(&pattern.value) {
            let text = error.to_string();
            let last = text.lines().last().unwrap_or("").trim();
            let detail = last.strip_prefix("error: ").unwrap_or(last).to_owned();
            let d = SpecDiagnostic::new(
                format!("invalid regular expression `{}`: {detail}", pattern.value),
                self.at(pattern),
            )
            .with_path(path)
            .with_label("not a valid pattern")
            .with_help("patterns use Rust regex syntax; escape literal characters such as `(` or `.` with `\\`");
            self.report(d);
        }
    }

    fn date(&mut self, raw: &Spanned<String>, path: &str) -> Option<Date> {
        match raw.value.trim().parse::<Date>() {
            Ok(date) if raw.value.trim().len() == 10 => Some(date),
            _ => {
                let d = SpecDiagnostic::new(format!("invalid date `{}`", raw.value), self.at(raw))
                    .with_path(path)
                    .with_label("not a calendar date")
                    .with_help("write dates as YYYY-MM-DD, e.g. `2027-01-04`");
                self.report(d);
                None
            }
        }
    }
}

/// Checks the wire spec and builds the validated [`Migration`], or returns
/// every problem found.
/// `base` is the spec's directory when the spec is a file on disk.
pub fn validate(
    spec: &MigrationSpec,
    text: &str,
    base: Option<&Path>,
) -> Result<Migration, Vec<SpecDiagnostic>> {
    let mut v = Validator {
        text,
        base,
        diagnostics: Vec::new(),
    };
    check_version(&mut v, spec);
    let start = v.date(&spec.migration.start, "migration.start");
    let calendar = spec
        .migration
        .calendar
        .as_ref()
        .map_or_else(Calendar::default, |c| calendar(&mut v, c));
    let capacity = capacity(&mut v, spec);
    let teams = teams(&mut v, spec);
    let defaults = defaults(&mut v, spec);
    let planning = planning(&mut v, spec);
    let components = components(&mut v, spec, &planning);
    check_team_owners(&mut v, spec, &components);
    let rollback = rollback(&mut v, spec);
    let phases = phase_settings(&mut v, spec);
    let retention = retention(&mut v, spec);
    let communication = super::communication::communication(&mut v, spec, &components);
    match (v.diagnostics.is_empty(), start) {
        (true, Some(start)) => Ok(Migration {
            name: spec.migration.name.clone(),
            start,
            calendar,
            capacity,
            teams,
            defaults,
            planning,
            components,
            rollback,
            phases,
            retention,
            communication,
        }),
        _ => Err(v.diagnostics),
    }
}

fn check_version(v: &mut Validator<'_>, spec: &MigrationSpec) {
    if spec.version.value != 1 {
        let d = SpecDiagnostic::new(
            format!("unsupported spec version {}", spec.version.value),
            v.at(&spec.version),
        )
        .with_path("version")
        .with_label("only version 1 exists")
        .with_help("set `version: 1`");
        v.report(d);
    }
}

fn calendar(v: &mut Validator<'_>, section: &CalendarSection) -> Calendar {
    let mut calendar = Calendar::default();
    if let Some(workdays) = &section.workdays {
        calendar.workdays = [false; 7];
        for (i, day) in workdays.iter().enumerate() {
            let name = day.value.trim().to_ascii_lowercase();
            match WEEKDAYS.iter().position(|(n, _)| *n == name) {
                Some(index) => calendar.workdays[index] = true,
                None => {
                    let names = WEEKDAYS.iter().map(|(n, _)| *n);
                    let help = match suggestion(&name, names) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => "use `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`".into(),
                    };
                    let d =
                        SpecDiagnostic::new(format!("unknown day name `{}`", day.value), v.at(day))
                            .with_path(format!("migration.calendar.workdays[{i}]"))
                            .with_label("not a day of the week")
                            .with_help(help);
                    v.report(d);
                }
            }
        }
        if workdays.is_empty() {
            let d = SpecDiagnostic::new("the calendar has no work days", SourcePosition::start())
                .with_path("migration.calendar.workdays")
                .with_help("list at least one day, e.g. `workdays: [mon, tue, wed, thu, fri]`");
            v.report(d);
        }
    }
    for (i, holiday) in section.holidays.iter().enumerate() {
        if let Some(date) = v.date(holiday, &format!("migration.calendar.holidays[{i}]")) {
            calendar.holidays.insert(date);
        }
    }
    calendar
}

fn capacity(v: &mut Validator<'_>, spec: &MigrationSpec) -> u32 {
    match &spec.migration.capacity {
        None => 1,
        Some(capacity) if capacity.value == 0 => {
            let d = SpecDiagnostic::new("capacity must be at least 1", v.at(capacity))
                .with_path("migration.capacity")
                .with_label("nobody to port components")
                .with_help("set the number of people porting components in parallel");
            v.report(d);
            1
        }
        Some(capacity) => capacity.value,
    }
}

fn teams(v: &mut Validator<'_>, spec: &MigrationSpec) -> BTreeMap<String, u32> {
    let mut teams = BTreeMap::new();
    for (name, people) in spec.migration.teams.iter().flatten() {
        if people.value == 0 {
            let d = SpecDiagnostic::new(
                format!("team `{name}` must have at least 1 person"),
                v.at(people),
            )
            .with_path(format!("migration.teams.{name}"))
            .with_label("nobody to port this team's components")
            .with_help("set the number of people of this team porting components");
            v.report(d);
        }
        teams.insert(name.clone(), people.value.max(1));
    }
    teams
}

/// A team no component is owned by is almost always a misspelt owner.
fn check_team_owners(v: &mut Validator<'_>, spec: &MigrationSpec, components: &[Component]) {
    let owners: BTreeSet<&str> = components.iter().map(|c| c.owner.as_str()).collect();
    for (name, people) in spec.migration.teams.iter().flatten() {
        if owners.contains(name.as_str()) {
            continue;
        }
        let help = match suggestion(name, owners.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "name a team that owns components (their `owner:`), or remove it".into(),
        };
        let d = SpecDiagnostic::new(format!("team `{name}` owns no component"), v.at(people))
            .with_path(format!("migration.teams.{name}"))
            .with_label("no component has this owner")
            .with_help(help);
        v.report(d);
    }
}

fn defaults(v: &mut Validator<'_>, spec: &MigrationSpec) -> Defaults {
    let section = spec.defaults.as_ref();
    let soak = section.and_then(|d| d.soak.as_ref());
    Defaults {
        soak_shadow: v.optional_work_days(
            soak.and_then(|s| s.shadow.as_ref()),
            "defaults.soak.shadow",
            WorkDays(5),
        ),
        soak_canary: v.optional_work_days(
            soak.and_then(|s| s.canary.as_ref()),
            "defaults.soak.canary",
            WorkDays(3),
        ),
        soak_dagger: v.optional_work_days(
            soak.and_then(|s| s.dagger.as_ref()),
            "defaults.soak.dagger",
            WorkDays(5),
        ),
        gate: section.map_or_else(Vec::new, |d| criteria(v, &d.gate, "defaults.gate")),
    }
}

/// Parses gate criteria; syntax errors and unknown metrics point at the
/// exact column inside the YAML scalar.
fn criteria(
    v: &mut Validator<'_>,
    entries: &[Spanned<CriterionSpec>],
    path: &str,
) -> Vec<Criterion> {
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| criterion(v, entry, &format!("{path}[{i}]")))
        .collect()
}

fn criterion(v: &mut Validator<'_>, entry: &Spanned<CriterionSpec>, path: &str) -> Criterion {
    let spec = &entry.value;
    let location = spec.expr_at.as_ref().unwrap_or(&entry.referenced);
    let mut start = SourcePosition::from_location(location, v.text);
    if matches!(v.text.as_bytes().get(start.offset), Some(b'"' | b'\'')) {
        start.offset += 1;
        start.column += 1;
    }
    let expr = match crate::criteria::parse(&spec.expr) {
        Ok(expr) => expr,
        Err(error) => {
            let prefix = spec.expr.get(..error.offset).unwrap_or("");
            let position = SourcePosition {
                line: start.line,
                column: start.column + prefix.chars().count(),
                offset: (start.offset + error.offset).min(v.text.len()),
                len: error
                    .len
                    .min(v.text.len().saturating_sub(start.offset + error.offset)),
            };
            let mut d =
                SpecDiagnostic::new(format!("invalid criterion: {}", error.message), position)
                    .with_path(path)
                    .with_label(error.message.clone());
            if let Some(help) = error.help {
                d = d.with_help(help);
            }
            v.report(d);
            crate::criteria::Expr::Bool(false)
        }
    };
    let window = spec
        .window
        .as_ref()
        .map_or(Window::SinceMode, |w| window(v, w, path));
    Criterion {
        text: spec.expr.trim().to_owned(),
        expr,
        enforce: spec.enforce.unwrap_or(true) && !spec.dry_run.unwrap_or(false),
        window,
    }
}

fn window(v: &mut Validator<'_>, raw: &Spanned<String>, path: &str) -> Window {
    let text = raw.value.trim();
    let parsed = if let Some(runs) = text
        .strip_suffix("runs")
        .or_else(|| text.strip_suffix("run"))
    {
        runs.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Window::Runs)
    } else if let Some(days) = text.strip_suffix('d') {
        days.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Window::Days)
    } else if text == "mode" || text == "since_mode" {
        Some(Window::SinceMode)
    } else {
        None
    };
    parsed.unwrap_or_else(|| {
        let d = SpecDiagnostic::new(format!("invalid window `{}`", raw.value), v.at(raw))
            .with_path(format!("{path}.window"))
            .with_label("not a window")
            .with_help("write `7d` (the last 7 days), `50 runs` (the last 50 runs) or `mode` (since the current mode began)");
        v.report(d);
        Window::SinceMode
    })
}

fn acceptance_tests(
    v: &mut Validator<'_>,
    specs: &[AcceptanceSpec],
    path: &str,
) -> Vec<AcceptanceTest> {
    specs
        .iter()
        .enumerate()
        .map(|(i, test)| {
            if let Some(pattern) = &test.stdout {
                v.regex(pattern, &format!("{path}[{i}].stdout"));
            }
            AcceptanceTest {
                name: test.name.clone(),
                run: test.run.clone(),
                expect_exit: test.expect_exit.unwrap_or(0),
                stdout: test.stdout.as_ref().map(|s| s.value.clone()),
                files: v.paths(&test.files, &format!("{path}[{i}].files")),
                timeout: v.time_limit(test.timeout.as_ref(), &format!("{path}[{i}].timeout")),
            }
        })
        .collect()
}

fn phase_settings(v: &mut Validator<'_>, spec: &MigrationSpec) -> Vec<PhaseSettings> {
    let mut seen = BTreeSet::new();
    spec.phases
        .iter()
        .enumerate()
        .map(|(i, phase)| {
            let path = format!("phases[{i}]");
            if phase.phase.value == 0 {
                let d = SpecDiagnostic::new("phase numbers start at 1", v.at(&phase.phase))
                    .with_path(format!("{path}.phase"));
                v.report(d);
            } else if usize::try_from(phase.phase.value).map_or(true, |p| p > spec.components.len())
            {
                let most = spec.components.len();
                let d = SpecDiagnostic::new(
                    format!(
                        "phase {} does not exist: {} make at most {most} phases",
                        phase.phase.value,
                        crate::text::count(most, "component")
                    ),
                    v.at(&phase.phase),
                )
                .with_path(format!("{path}.phase"))
                .with_label("beyond the last possible phase")
                .with_help("configure a phase of the plan (see `cutover plan`)");
                v.report(d);
            } else if !seen.insert(phase.phase.value) {
                let d = SpecDiagnostic::new(
                    format!("phase {} is configured twice", phase.phase.value),
                    v.at(&phase.phase),
                )
                .with_path(format!("{path}.phase"))
                .with_help("merge the two entries");
                v.report(d);
            }
            PhaseSettings {
                number: phase.phase.value,
                position: v.at(&phase.phase),
                gate: criteria(v, &phase.gate, &format!("{path}.gate")),
                integration: acceptance_tests(
                    v,
                    &phase.integration,
                    &format!("{path}.integration"),
                ),
            }
        })
        .collect()
}

fn planning(v: &mut Validator<'_>, spec: &MigrationSpec) -> Planning {
    let Some(section) = &spec.planning else {
        return Planning::default();
    };
    let max_phase_effort = section
        .max_phase_effort
        .as_ref()
        .map(|raw| v.work_days(raw, "planning.max_phase_effort"));
    if let Some(max) = &section.max_phase_components
        && max.value == 0
    {
        let d = SpecDiagnostic::new("max_phase_components must be at least 1", v.at(max))
            .with_path("planning.max_phase_components");
        v.report(d);
    }
    Planning {
        max_phase_effort,
        max_phase_components: section
            .max_phase_components
            .as_ref()
            .map(|m| m.value.max(1)),
        pilot_size: section.pilot_size.unwrap_or(3),
        porting_after: match section.porting_after {
            Some(PortingAfterSpec::Cutover) => PortingAfter::Cutover,
            Some(PortingAfterSpec::Ported) | None => PortingAfter::Ported,
        },
        overlap: section.overlap.unwrap_or(true),
    }
}

fn components(v: &mut Validator<'_>, spec: &MigrationSpec, planning: &Planning) -> Vec<Component> {
    if spec.components.is_empty() {
        let d = SpecDiagnostic::new("the spec has no components", SourcePosition::start())
            .with_path("components")
            .with_help("list at least one component under `components:`");
        v.report(d);
    }
    let index = component_ids(v, &spec.components);
    let mut components: Vec<Component> = spec
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| component(v, c, i, &index, planning))
        .collect();
    check_pin_range(v, spec);
    let graph = DependencyGraph::new(components.iter().map(|c| c.depends_on.clone()).collect());
    let cycles = graph.cycles();
    for cycle in &cycles {
        report_cycle(v, spec, &components, cycle);
    }
    if cycles.is_empty() {
        check_pins(v, spec, &mut components, &graph);
    }
    components
}

/// Every phase holds at least one component, so no plan has more phases
/// than components: a pin beyond that can never be met.
fn check_pin_range(v: &mut Validator<'_>, spec: &MigrationSpec) {
    let most = spec.components.len();
    for (i, component) in spec.components.iter().enumerate() {
        let Some(pin) = &component.phase else {
            continue;
        };
        if usize::try_from(pin.value).map_or(true, |p| p > most) {
            let d = SpecDiagnostic::new(
                format!(
                    "phase {} does not exist: {} make at most {most} phases",
                    pin.value,
                    crate::text::count(most, "component")
                ),
                v.at(pin),
            )
            .with_path(format!("components[{i}].phase"))
            .with_label("beyond the last possible phase")
            .with_help("pin to an earlier phase (see `cutover plan`), or remove the pin");
            v.report(d);
        }
    }
}

/// Whether `id` has the form of an id: `[a-z0-9][a-z0-9_-]*`.
pub(in crate::spec) fn is_valid_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

/// Checks id format and uniqueness; returns id → first index.
fn component_ids<'s>(v: &mut Validator<'_>, specs: &'s [ComponentSpec]) -> HashMap<&'s str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(specs.len());
    for (i, c) in specs.iter().enumerate() {
        let id = c.id.value.as_str();
        if !is_valid_id(id) {
            let d = SpecDiagnostic::new(format!("invalid component id `{id}`"), v.at(&c.id))
                .with_path(format!("components[{i}].id"))
                .with_label("ids are lowercase letters, digits, `-` and `_`")
                .with_help(format!(
                    "start with a letter or digit and use only [a-z0-9_-], e.g. `{}`",
                    suggested_id(id)
                ));
            v.report(d);
        }
        if let Some(&first) = index.get(id) {
            let d = SpecDiagnostic::new(format!("duplicate component id `{id}`"), v.at(&c.id))
                .with_path(format!("components[{i}].id"))
                .with_label("defined again here")
                .with_related(v.at(&specs[first].id), "first defined here")
                .with_help("give every component a unique id");
            v.report(d);
        } else {
            index.insert(id, i);
        }
    }
    index
}

pub(in crate::spec) fn suggested_id(id: &str) -> String {
    let cleaned: String = id
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches(['-', '_']);
    if trimmed.is_empty() {
        "my-component".into()
    } else {
        trimmed.into()
    }
}

fn component(
    v: &mut Validator<'_>,
    spec: &ComponentSpec,
    i: usize,
    index: &HashMap<&str, usize>,
    planning: &Planning,
) -> Component {
    let path = format!("components[{i}]");
    let depends_on = dependencies(v, spec, i, index);
    missing_keys(v, spec);
    let effort = match &spec.effort {
        Some(raw) => v.work_days(raw, &format!("{path}.effort")),
        None => WorkDays(crate::capability::estimate_days(&estimated_features(spec))),
    };
    if let Some(max) = planning.max_phase_effort
        && effort > max
    {
        let at = spec
            .effort
            .as_ref()
            .map_or_else(|| v.at(&spec.id), |raw| v.at(raw));
        let d = SpecDiagnostic::new(
            format!("effort {effort} exceeds planning.max_phase_effort ({max})"),
            at,
        )
        .with_path(format!("{path}.effort"))
        .with_label("no phase can hold this component")
        .with_help("split the component, or raise `planning.max_phase_effort`");
        v.report(d);
    }
    let phase_pin = spec.phase.as_ref().and_then(|pin| {
        if pin.value == 0 {
            let d = SpecDiagnostic::new("phase numbers start at 1", v.at(pin))
                .with_path(format!("{path}.phase"))
                .with_help("pin to phase 1 or later, or remove the pin");
            v.report(d);
            None
        } else {
            Some(pin.value)
        }
    });
    let timeout = v.time_limit(spec.timeout.as_ref(), &format!("{path}.timeout"));
    let gate = criteria(v, &spec.gate, &format!("{path}.gate"));
    Component {
        id: spec.id.value.clone(),
        name: spec.name.clone().unwrap_or_else(|| spec.id.value.clone()),
        kind: kind(spec.kind.unwrap_or(KindSpec::Job)),
        owner: spec.owner.clone().unwrap_or_default(),
        depends_on,
        effort,
        risk: risk(spec.risk),
        user_facing: spec.user_facing,
        critical: spec.critical,
        phase_pin,
        phase_pin_at: spec.phase.as_ref().map(|pin| v.at(pin)),
        legacy: spec
            .legacy
            .as_ref()
            .map(|i| implementation(v, i, &format!("{path}.legacy"))),
        dagger: spec
            .dagger
            .as_ref()
            .map(|i| implementation(v, i, &format!("{path}.dagger"))),
        side_effects: spec.side_effects,
        outputs: v.output_paths(&spec.outputs, &format!("{path}.outputs")),
        parity: parity_settings(v, spec, &path),
        normalize: normalize_rules(v, spec, &path),
        recheck: recheck(v, spec, &path),
        shadow: spec.shadow.unwrap_or_default(),
        workspace: spec.workspace.unwrap_or_default(),
        secrets: spec.secrets.clone(),
        timeout,
        preserve: v.paths(&spec.preserve, &format!("{path}.preserve")),
        acceptance: acceptance_tests(v, &spec.acceptance, &format!("{path}.acceptance")),
        gate,
    }
}

/// Most rechecks a component may ask for: each re-runs the shadow side, and
/// all of them share the one time limit of the run's shadow work.
pub const MAX_RECHECK: u32 = 10;

fn recheck(v: &mut Validator<'_>, spec: &ComponentSpec, path: &str) -> u32 {
    let Some(recheck) = &spec.recheck else {
        return 0;
    };
    if recheck.value > MAX_RECHECK {
        let d = SpecDiagnostic::new(
            format!("recheck {} is more than {MAX_RECHECK}", recheck.value),
            v.at(recheck),
        )
        .with_path(format!("{path}.recheck"))
        .with_label("too many re-runs")
        .with_help(format!(
            "a few rechecks tell flaky from mismatch; use at most {MAX_RECHECK}"
        ));
        v.report(d);
        return MAX_RECHECK;
    }
    recheck.value
}

/// Reports every required key a component lacks, each at the start of the
/// component's mapping (where its `id` key is).
fn missing_keys(v: &mut Validator<'_>, spec: &ComponentSpec) {
    let missing = [
        ("kind", spec.kind.is_none()),
        ("owner", spec.owner.is_none()),
    ];
    for (key, _) in missing.iter().filter(|(_, absent)| *absent) {
        let d = SpecDiagnostic::new(
            format!("missing required key `{key}`"),
            key_position(v.text, v.at(&spec.id), "id"),
        )
        .with_label(format!("this mapping needs `{key}`"))
        .with_help(format!("add `{key}:` to this mapping"));
        v.report(d);
    }
}

/// The position of `key` whose value is at `value`: the key written on
/// the same line just before it (`id: x`, `{ id: x`).
pub(in crate::spec) fn key_position(
    text: &str,
    value: SourcePosition,
    key: &str,
) -> SourcePosition {
    let before = text.get(..value.offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let Some(at) = before[line_start..].rfind(key).map(|i| line_start + i) else {
        return value;
    };
    SourcePosition {
        line: value.line,
        column: before[line_start..at].chars().count() + 1,
        offset: at,
        len: key.len(),
    }
}

fn normalize_rules(
    v: &mut Validator<'_>,
    spec: &ComponentSpec,
    path: &str,
) -> Vec<(String, String)> {
    let mut rules = Vec::with_capacity(spec.normalize.len());
    for (i, rule) in spec.normalize.iter().enumerate() {
        v.regex(&rule.pattern, &format!("{path}.normalize[{i}].pattern"));
        rules.push((rule.pattern.value.clone(), rule.replace.clone()));
    }
    rules
}

/// `stdout:` and the comparator of each output, with their options checked.
fn parity_settings(v: &mut Validator<'_>, spec: &ComponentSpec, path: &str) -> ParitySettings {
    let outputs = spec
        .outputs
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let at = v.at(entry);
            let here = format!("{path}.outputs[{i}]");
            match &entry.value {
                OutputEntry::Path(_) => Comparison::Bytes,
                OutputEntry::Detailed(mapping) => output_comparison(v, mapping, at, &here),
            }
        })
        .collect();
    ParitySettings {
        stdout: spec.stdout != Some(StdoutSpec::Ignore),
        outputs,
    }
}

/// One output's comparator; options that do not belong to it are errors.
fn output_comparison(
    v: &mut Validator<'_>,
    mapping: &OutputMapping,
    at: SourcePosition,
    path: &str,
) -> Comparison {
    let compare = mapping.compare.unwrap_or(CompareSpec::Bytes);
    let mut misplaced = |option: &str, set: bool, owner: &str| {
        if set {
            let d =
                SpecDiagnostic::new(format!("`{option}` only applies to `compare: {owner}`"), at)
                    .with_path(format!("{path}.{option}"))
                    .with_label("option of another comparator")
                    .with_help(format!("remove `{option}:` or set `compare: {owner}`"));
            v.report(d);
        }
    };
    misplaced(
        "allow",
        !mapping.allow.is_empty() && compare != CompareSpec::Symbols,
        "symbols",
    );
    misplaced(
        "ignore",
        !mapping.ignore.is_empty() && compare != CompareSpec::Json,
        "json",
    );
    misplaced(
        "run",
        mapping.run.is_some() && compare != CompareSpec::Command,
        "command",
    );
    misplaced(
        "members",
        !mapping.members.is_empty() && compare != CompareSpec::Archive,
        "archive",
    );
    pointers(v, &mapping.ignore, at, path);
    match compare {
        CompareSpec::Archive => Comparison::Archive {
            members: mapping
                .members
                .iter()
                .enumerate()
                .map(|(j, member)| {
                    member_comparison(v, member, at, &format!("{path}.members[{j}]"))
                })
                .collect(),
        },
        CompareSpec::Command => {
            let run = mapping.run.clone().unwrap_or_default();
            if run.trim().is_empty() {
                let d = SpecDiagnostic::new("`compare: command` needs `run:`", at)
                    .with_path(format!("{path}.run"))
                    .with_label("no comparator command")
                    .with_help("add `run: ./compare.sh` — it gets both paths as `$1` and `$2`");
                v.report(d);
            }
            Comparison::Command { run }
        }
        other => simple_comparison(other, &mapping.allow, &mapping.ignore),
    }
}

/// An archive member's comparator: archives and commands do not nest.
fn member_comparison(
    v: &mut Validator<'_>,
    member: &MemberSpec,
    at: SourcePosition,
    path: &str,
) -> MemberComparison {
    if matches!(member.compare, CompareSpec::Archive | CompareSpec::Command) {
        let d = SpecDiagnostic::new(
            "archive members cannot be compared as `archive` or `command`",
            at,
        )
        .with_path(format!("{path}.compare"))
        .with_label("not a member comparator")
        .with_help("use `bytes`, `text`, `symbols`, `junit` or `json`");
        v.report(d);
    }
    pointers(v, &member.ignore, at, path);
    MemberComparison {
        pattern: member.pattern.clone(),
        comparison: simple_comparison(member.compare, &member.allow, &member.ignore),
    }
}

fn simple_comparison(compare: CompareSpec, allow: &[String], ignore: &[String]) -> Comparison {
    match compare {
        CompareSpec::Text => Comparison::Text,
        CompareSpec::Symbols => Comparison::Symbols {
            allow: allow.to_vec(),
        },
        CompareSpec::Junit => Comparison::Junit,
        CompareSpec::Json => Comparison::Json {
            ignore: ignore.to_vec(),
        },
        _ => Comparison::Bytes,
    }
}

/// Reports `ignore:` entries that are not JSON Pointers.
fn pointers(v: &mut Validator<'_>, ignore: &[String], at: SourcePosition, path: &str) {
    for (k, pointer) in ignore.iter().enumerate() {
        if !pointer.is_empty() && !pointer.starts_with('/') {
            let d = SpecDiagnostic::new(format!("`{pointer}` is not a JSON Pointer"), at)
                .with_path(format!("{path}.ignore[{k}]"))
                .with_label("not a JSON Pointer")
                .with_help(format!("JSON Pointers start with `/`: `/{pointer}`"));
            v.report(d);
        }
    }
}

fn dependencies(
    v: &mut Validator<'_>,
    spec: &ComponentSpec,
    i: usize,
    index: &HashMap<&str, usize>,
) -> Vec<usize> {
    let mut resolved = Vec::with_capacity(spec.depends_on.len());
    let mut seen = BTreeSet::new();
    for (j, dependency) in spec.depends_on.iter().enumerate() {
        let path = format!("components[{i}].depends_on[{j}]");
        let name = dependency.value.as_str();
        match index.get(name) {
            Some(&target) if !seen.insert(target) => {
                let d = SpecDiagnostic::new(
                    format!("`{name}` is listed twice in depends_on"),
                    v.at(dependency),
                )
                .with_path(path)
                .with_label("repeated dependency")
                .with_help("remove the repeated entry");
                v.report(d);
            }
            Some(&target) => resolved.push(target),
            None => {
                let help = match suggestion(name, index.keys().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "depend only on ids defined under `components:`".into(),
                };
                let d = SpecDiagnostic::new(
                    format!("unknown dependency `{name}` of `{}`", spec.id.value),
                    v.at(dependency),
                )
                .with_path(path)
                .with_label("no component has this id")
                .with_help(help);
                v.report(d);
            }
        }
    }
    resolved
}

fn report_cycle(
    v: &mut Validator<'_>,
    spec: &MigrationSpec,
    components: &[Component],
    cycle: &[usize],
) {
    let first = cycle[0];
    let second = cycle.get(1).copied().unwrap_or(first);
    let mut names: Vec<&str> = cycle.iter().map(|&c| components[c].id.as_str()).collect();
    names.push(&components[first].id);
    let entry = spec.components[first]
        .depends_on
        .iter()
        .position(|d| d.value == components[second].id)
        .unwrap_or(0);
    let position = spec.components[first]
        .depends_on
        .get(entry)
        .map_or_else(|| v.at(&spec.components[first].id), |d| v.at(d));
    let d = SpecDiagnostic::new(
        format!("dependency cycle: {}", names.join(" -> ")),
        position,
    )
    .with_path(format!("components[{first}].depends_on[{entry}]"))
    .with_label("this dependency closes the cycle")
    .with_help("a component cannot depend on itself, directly or through others; remove one edge");
    v.report(d);
}

/// A pinned component may not sit in an earlier phase than anything it
/// depends on, directly or transitively (pinned or forced by pins).
fn check_pins(
    v: &mut Validator<'_>,
    spec: &MigrationSpec,
    components: &mut [Component],
    graph: &DependencyGraph,
) {
    let Some(order) = graph.topological_order() else {
        return;
    };
    // For each component: the highest pin among itself and its dependencies, and who set it.
    let mut floor: Vec<Option<(u32, usize)>> = vec![None; components.len()];
    for &c in &order {
        let inherited = graph
            .dependencies(c)
            .iter()
            .filter_map(|&d| floor[d])
            .max_by_key(|(phase, who)| (*phase, std::cmp::Reverse(*who)));
        let own = components[c].phase_pin;
        if let (Some(pin), Some((needed, who))) = (own, inherited)
            && needed > pin
        {
            let Some(pin_span) = spec.components[c].phase.as_ref() else {
                continue;
            };
            let blocker = &components[who].id;
            let d = SpecDiagnostic::new(
                format!(
                    "`{}` is pinned to phase {pin}, but it depends on `{blocker}`, which is pinned to phase {needed}",
                    components[c].id
                ),
                v.at(pin_span),
            )
            .with_path(format!("components[{c}].phase"))
            .with_label("a component cannot move before its dependencies")
            .with_help(format!(
                "pin `{}` to phase {needed} or later, or move `{blocker}` earlier",
                components[c].id
            ));
            if let Some(blocker_pin) = spec.components[who].phase.as_ref() {
                let related = v.at(blocker_pin);
                v.report(d.with_related(related, "pinned here"));
            } else {
                v.report(d);
            }
        }
        floor[c] = match own {
            Some(pin) => Some(inherited.filter(|(p, _)| *p > pin).unwrap_or((pin, c))),
            None => inherited,
        };
    }
}

/// The features an effort estimate is made from: those `cutover import`
/// recorded, else a shell command when there is a legacy side.
fn estimated_features(spec: &ComponentSpec) -> Vec<String> {
    match &spec.legacy {
        Some(legacy) if !legacy.features.is_empty() => legacy.features.clone(),
        Some(_) => vec!["shell".to_owned()],
        None => Vec::new(),
    }
}

fn implementation(
    v: &mut Validator<'_>,
    spec: &super::wire::ImplementationSpec,
    path: &str,
) -> Implementation {
    Implementation {
        run: spec.run.value.clone(),
        shadow_run: spec.shadow_run.clone(),
        sources: v.paths(&spec.sources, &format!("{path}.sources")),
        features: spec.features.clone(),
        origin: spec.origin.clone(),
    }
}

fn kind(spec: KindSpec) -> ComponentKind {
    match spec {
        KindSpec::Pipeline => ComponentKind::Pipeline,
        KindSpec::Job => ComponentKind::Job,
        KindSpec::Service => ComponentKind::Service,
        KindSpec::Library => ComponentKind::Library,
        KindSpec::Infra => ComponentKind::Infra,
    }
}

fn risk(spec: Option<RiskSpec>) -> Risk {
    match spec {
        Some(RiskSpec::Low) => Risk::Low,
        Some(RiskSpec::Medium) | None => Risk::Medium,
        Some(RiskSpec::High) => Risk::High,
    }
}

fn rollback(v: &mut Validator<'_>, spec: &MigrationSpec) -> RollbackSettings {
    let Some(section) = &spec.rollback else {
        return RollbackSettings::default();
    };
    let triggers = section
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| Trigger {
            when: criterion(v, &t.when, &format!("rollback.triggers[{i}].when")),
            action: match t.action {
                TriggerActionSpec::Rollback => TriggerAction::Rollback,
                TriggerActionSpec::Escalate => TriggerAction::Escalate,
            },
            min_runs: t.min_runs.unwrap_or(1),
            cooldown: v.wall(
                t.cooldown.as_ref(),
                &format!("rollback.triggers[{i}].cooldown"),
            ),
            decider: t.decider.clone(),
            decide_within: v
                .wall(
                    t.decide_within.as_ref(),
                    &format!("rollback.triggers[{i}].decide_within"),
                )
                .unwrap_or(WallDuration { seconds: 4 * 3600 }),
            modes: trigger_modes(t.modes.as_deref()),
        })
        .collect();
    RollbackSettings {
        triggers,
        preserve: v.paths(&section.preserve, "rollback.preserve"),
    }
}

/// `retention:`: counts and ages, each located when wrong.
fn retention(v: &mut Validator<'_>, spec: &MigrationSpec) -> Retention {
    let mut retention = Retention::default();
    let Some(section) = &spec.retention else {
        return retention;
    };
    if let Some(runs) = &section.runs {
        if let Some(keep) = &runs.keep {
            retention.runs_keep = keep.value;
        }
        if let Some(age) = runs.max_age.as_ref() {
            retention.runs_max_age = v.wall(Some(age), "retention.runs.max_age");
        }
    }
    if let Some(keep) = section
        .snapshots
        .as_ref()
        .and_then(|s| s.keep_safety.as_ref())
    {
        if keep.value == 0 {
            let d = SpecDiagnostic::new("keep_safety must be at least 1", v.at(keep))
                .with_path("retention.snapshots.keep_safety")
                .with_label("the latest safety snapshot is what undoes a rollback")
                .with_help("keep at least the latest one: `keep_safety: 1`");
            v.report(d);
        }
        retention.keep_safety = keep.value.max(1);
    }
    retention
}

/// A trigger's modes: as written, else the default.
fn trigger_modes(spec: Option<&[TriggerModeSpec]>) -> Vec<TriggerMode> {
    let Some(modes) = spec else {
        return DEFAULT_TRIGGER_MODES.to_vec();
    };
    modes
        .iter()
        .map(|m| match m {
            TriggerModeSpec::Shadow => TriggerMode::Shadow,
            TriggerModeSpec::Canary => TriggerMode::Canary,
            TriggerModeSpec::Dagger => TriggerMode::Dagger,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_documented_pattern() {
        for good in ["a", "build-api", "0day", "x_y-z9"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "-a", "_a", "Build", "a b", "a.b", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
        assert_eq!(suggested_id("Build API"), "build-api");
    }
}

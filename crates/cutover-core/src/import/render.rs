//! Writes imported jobs as `migration.yaml` text that passes `cutover check`:
//! the core fields of every component, `legacy.run`, `legacy.sources`,
//! `legacy.features` and `legacy.origin`, effort estimated from the
//! capability table. Serialized by serde-saphyr so every value is quoted
//! correctly.

use serde::Serialize;

use crate::capability;
use crate::legacy::job::{ImportedJob, LegacySystem};

#[derive(Serialize)]
struct SpecOut<'a> {
    version: u32,
    migration: MigrationOut<'a>,
    components: Vec<ComponentOut<'a>>,
}

#[derive(Serialize)]
struct MigrationOut<'a> {
    name: &'a str,
    start: String,
}

/// One component as written by the importer.
#[derive(Serialize)]
pub struct ComponentOut<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'static str,
    owner: &'static str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    depends_on: &'a [String],
    effort: String,
    risk: &'static str,
    #[serde(skip_serializing_if = "is_false")]
    side_effects: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    secrets: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    legacy: Option<LegacyOut<'a>>,
}

#[derive(Serialize)]
struct LegacyOut<'a> {
    run: &'a str,
    sources: &'a [String],
    features: &'a [String],
    origin: OriginOut<'a>,
}

#[derive(Serialize)]
struct OriginOut<'a> {
    from: &'static str,
    file: &'a str,
    job: &'a str,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if signature"
)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// The component the importer writes for `job`.
pub fn component(job: &ImportedJob) -> ComponentOut<'_> {
    let kind = if job.system == LegacySystem::Compose {
        "service"
    } else if job.run.is_none() {
        "pipeline"
    } else {
        "job"
    };
    let risk = match capability::overall(&job.features) {
        capability::Support::Manual => "high",
        capability::Support::Partial => "medium",
        _ if job.side_effects => "medium",
        _ => "low",
    };
    ComponentOut {
        id: &job.id,
        name: &job.name,
        kind,
        owner: "unassigned",
        depends_on: &job.depends_on,
        effort: format!("{}d", capability::estimate_days(&job.features)),
        risk,
        side_effects: job.side_effects,
        secrets: &job.secrets,
        legacy: Some(LegacyOut {
            // A job that only calls others runs nothing of its own; `true`
            // keeps it runnable so its callers' order still holds.
            run: job.run.as_deref().unwrap_or("true"),
            sources: &job.sources,
            features: &job.features,
            origin: OriginOut {
                from: job.system.name(),
                file: &job.file,
                job: &job.job,
            },
        }),
    }
}

/// A whole spec for `jobs`, named `name`, starting on `start` (YYYY-MM-DD).
pub fn spec(name: &str, start: &str, jobs: &[ImportedJob]) -> String {
    let spec = SpecOut {
        version: 1,
        migration: MigrationOut {
            name,
            start: start.to_owned(),
        },
        components: jobs.iter().map(component).collect(),
    };
    let body = serde_saphyr::to_string(&spec).unwrap_or_default();
    format!("# Drafted by `cutover import`: review owners, effort and risk.\n{body}")
}

/// The YAML text of some components, as items of a `components:` list
/// indented by two spaces (for appending to an existing spec).
pub fn components(jobs: &[&ImportedJob]) -> String {
    let list: Vec<ComponentOut<'_>> = jobs.iter().map(|j| component(j)).collect();
    let text = serde_saphyr::to_string(&list).unwrap_or_default();
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("  {line}\n")
            }
        })
        .collect()
}

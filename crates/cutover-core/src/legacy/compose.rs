//! docker compose files → one component (kind `service`) per service:
//! `depends_on` in short and long form (conditions kept as features),
//! anchors and merge keys (expanded by the YAML layer), `profiles`,
//! healthchecks, volumes and build contexts. A component's `legacy.run`
//! is `docker compose -f FILE up --wait SERVICE`.

use super::error::ImportError;
use super::github::container_port;
use super::job::{ImportedJob, LegacySystem, ServiceUse, key};
use super::source::{SourceFile, Sources};
use super::yaml::Node;

/// Imports a compose file.
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let doc = sources.parse(file)?;
    let Some(services) = doc.get("services") else {
        return Err(ImportError::Refused {
            file: file.shown.clone(),
            line: 1,
            construct: "no `services:` mapping".into(),
            hint: "pass a compose file (compose.yaml, docker-compose.yml)".into(),
        });
    };
    let mut jobs = Vec::new();
    for (name, body) in services.entries() {
        let Some(name) = name.as_key() else { continue };
        let mut job = ImportedJob::new(LegacySystem::Compose, &file.shown, &name, body.line);
        job.feature("compose-service");
        read_dependencies(file, body, &mut job);
        for (field, feature) in [
            ("healthcheck", "healthcheck"),
            ("profiles", "profiles"),
            ("volumes", "volumes"),
            ("build", "build-context"),
            ("secrets", "secrets"),
        ] {
            if body.get(field).is_some() {
                job.feature(feature);
            }
        }
        let image = body.get("image").and_then(Node::as_scalar);
        job.image.clone_from(&image);
        job.services.push(ServiceUse {
            name: name.clone(),
            image: image.unwrap_or_default(),
            ports: body
                .get("ports")
                .map(Node::strings)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| container_port(p))
                .collect(),
            env: Default::default(),
        });
        job.run = Some(format!("docker compose -f {} up --wait {name}", file.shown));
        jobs.push(job);
    }
    Ok(jobs)
}

fn read_dependencies(file: &SourceFile, body: &Node, job: &mut ImportedJob) {
    let Some(depends_on) = body.get("depends_on") else {
        return;
    };
    let names: Vec<String> = if depends_on.is_map() {
        for (_, condition) in depends_on.entries() {
            match condition
                .get("condition")
                .and_then(Node::as_scalar)
                .as_deref()
            {
                Some("service_healthy") => job.feature("healthcheck"),
                Some("service_completed_successfully") => job.feature("needs"),
                _ => {}
            }
        }
        depends_on
            .entries()
            .iter()
            .filter_map(|(k, _)| k.as_key())
            .collect()
    } else {
        depends_on.strings()
    };
    job.feature("needs");
    for name in names {
        job.depends_on.push(key(&file.shown, &name));
    }
}

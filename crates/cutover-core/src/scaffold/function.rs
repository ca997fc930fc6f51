//! One Dagger function planned from one imported job, independent of the
//! SDK: base image, source mount, environment, caches, secrets, services,
//! matrix arguments, the scripts in order, unconverted steps kept in place
//! as wraps, and what it returns. The SDK renderers only spell this out.

use crate::capability;
use crate::legacy::expression::shell_expressions;
use crate::legacy::{ImportedJob, Step};

/// Where the source directory is mounted in the container.
pub const WORKDIR: &str = "/src";

/// An SDK-neutral function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionPlan {
    /// Component id.
    pub component: String,
    /// Words of the function name (`["unit", "tests"]`), rendered per SDK.
    pub words: Vec<String>,
    /// One-line description.
    pub doc: String,
    /// Base image; `{arg}` stands for the matrix argument named in `image_arg`.
    pub image: String,
    /// The matrix argument the image depends on, if any.
    pub image_arg: Option<String>,
    /// Matrix arguments: `(words, environment variable, default)`.
    pub args: Vec<(Vec<String>, String, String)>,
    /// Secrets: `(words, environment variable)`.
    pub secrets: Vec<(Vec<String>, String)>,
    /// Literal environment.
    pub env: Vec<(String, String)>,
    /// Cache volumes: `(volume name, mount path)`.
    pub caches: Vec<(String, String)>,
    /// Services bound into the container.
    pub services: Vec<PlannedService>,
    /// Steps in order.
    pub steps: Vec<PlannedStep>,
    /// Directories the function returns (relative to the source).
    pub exports: Vec<String>,
    /// Whether it is a check (`dagger check` runs it).
    pub check: bool,
    /// Whether some step is wrapped rather than converted.
    pub wrapped: bool,
}

/// A service container a function starts and binds.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedService {
    /// Host name the job reaches it by.
    pub host: String,
    /// Image.
    pub image: String,
    /// Ports exposed.
    pub ports: Vec<u16>,
    /// Literal environment.
    pub env: Vec<(String, String)>,
}

/// A step of a planned function.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedStep {
    /// A shell script run with `sh -c`.
    Exec(String),
    /// A step with no Dagger counterpart, kept as a marked comment in place.
    Wrap(String),
}

/// Plans the function for `job`.
pub fn plan(job: &ImportedJob) -> FunctionPlan {
    let args: Vec<(Vec<String>, String, String)> = job
        .matrix
        .iter()
        .filter(|(axis, _)| axis.as_str() != "matrix")
        .map(|(axis, values)| {
            let variable = crate::legacy::expression::variable_name("matrix", axis);
            (
                words(axis),
                variable,
                values.first().cloned().unwrap_or_default(),
            )
        })
        .collect();
    let (image, image_arg) = base_image(job, &args);
    let wrap_features: Vec<&String> = job
        .features
        .iter()
        .filter(|f| capability::lookup(f).wrap)
        .collect();
    let mut steps = Vec::new();
    for step in &job.steps {
        match step {
            Step::Run { script, .. } => {
                steps.push(PlannedStep::Exec(shell_expressions(script.trim_end())))
            }
            Step::Uses { action, .. } => {
                if let Some(note) = unconverted(action) {
                    steps.push(PlannedStep::Wrap(note));
                }
            }
        }
    }
    let wrapped =
        steps.iter().any(|s| matches!(s, PlannedStep::Wrap(_))) || !wrap_features.is_empty();
    FunctionPlan {
        component: job.id.clone(),
        words: words(&job.id),
        doc: format!("Job `{}` of {} (imported by cutover).", job.job, job.file),
        image,
        image_arg,
        args,
        secrets: job.secrets.iter().map(|s| (words(s), s.clone())).collect(),
        env: job
            .env
            .iter()
            .filter(|(k, v)| !v.contains("${{") && !v.contains('$') && valid_env(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        caches: caches(job),
        services: job
            .services
            .iter()
            .filter(|s| !s.image.is_empty() && !s.image.contains("${{"))
            .map(|s| {
                let env = s
                    .env
                    .iter()
                    .filter(|(k, v)| !v.contains("${{") && valid_env(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                PlannedService {
                    host: s.name.clone(),
                    image: s.image.clone(),
                    ports: s.ports.clone(),
                    env,
                }
            })
            .collect(),
        steps,
        exports: exports(&job.artifacts),
        check: job.is_test,
        wrapped,
    }
}

fn valid_env(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Steps handled elsewhere (checkout → source mount, caches, toolchains →
/// base image, artifacts → exports) need nothing; anything else is a wrap.
fn unconverted(action: &str) -> Option<String> {
    let name = action.split('@').next().unwrap_or(action).to_lowercase();
    let handled = matches!(
        name.as_str(),
        "actions/checkout"
            | "actions/cache"
            | "actions/cache/restore"
            | "actions/cache/save"
            | "swatinem/rust-cache"
            | "actions/upload-artifact"
    ) || name.contains("setup-")
        || name.contains("toolchain")
        || name.starts_with("dtolnay/");
    if handled {
        return None;
    }
    if name == "actions/download-artifact" {
        return Some(format!(
            "`uses: {action}`: pass the producing function's result as an argument instead"
        ));
    }
    Some(format!(
        "`uses: {action}` has no Dagger counterpart here: it stays a CI step until ported"
    ))
}

/// Splits a name into lowercase words: `python-version` → `["python", "version"]`.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out
        .first()
        .is_none_or(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    {
        out.insert(0, "job".into());
    }
    out
}

fn base_image(
    job: &ImportedJob,
    args: &[(Vec<String>, String, String)],
) -> (String, Option<String>) {
    if let Some(image) = job
        .image
        .as_deref()
        .filter(|i| !i.contains("${{") && !i.contains('$'))
    {
        return (image.to_owned(), None);
    }
    for step in &job.steps {
        let Step::Uses { action, with } = step else {
            continue;
        };
        let name = action.split('@').next().unwrap_or(action).to_lowercase();
        let (repository, suffix, key, default) = match name.as_str() {
            "actions/setup-python" | "astral-sh/setup-uv" => {
                ("python", "-slim", "python-version", "3.12")
            }
            "actions/setup-node" => ("node", "", "node-version", "22"),
            "actions/setup-go" => ("golang", "", "go-version", "1"),
            "actions/setup-java" => ("eclipse-temurin", "", "java-version", "21"),
            n if n.starts_with("dtolnay/")
                || n.contains("rust-toolchain")
                || n == "actions-rs/toolchain" =>
            {
                ("rust", "", "toolchain", "1")
            }
            _ => continue,
        };
        let version = with.get(key).map(String::as_str).unwrap_or(default);
        if let Some(axis) = version
            .trim()
            .strip_prefix("${{")
            .and_then(|v| v.strip_suffix("}}"))
            .map(str::trim)
            .and_then(|v| v.strip_prefix("matrix."))
        {
            let variable = crate::legacy::expression::variable_name("matrix", axis);
            if let Some((w, _, _)) = args.iter().find(|(_, v, _)| *v == variable) {
                return (format!("{repository}:{{arg}}{suffix}"), Some(w.join("_")));
            }
        }
        let tag = image_tag(version).unwrap_or_else(|| default.to_owned());
        let tag = if repository == "rust" && !tag.starts_with(|c: char| c.is_ascii_digit()) {
            "1".to_owned()
        } else {
            tag
        };
        return (format!("{repository}:{tag}{suffix}"), None);
    }
    ("ubuntu:24.04".into(), None)
}

/// A usable image tag from a version as CI writes it (`3.x` → `3`), else none.
fn image_tag(version: &str) -> Option<String> {
    let tag = version.trim().trim_end_matches(".x").trim_end_matches(".*");
    let valid = !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
    valid.then(|| tag.to_owned())
}

fn caches(job: &ImportedJob) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for cache in &job.caches {
        for path in &cache.paths {
            let path = path.trim();
            if path.is_empty()
                || path.starts_with('!')
                || path.contains("${{")
                || path.contains('*')
                || path.contains('$')
            {
                continue;
            }
            let mount = if let Some(rest) = path.strip_prefix("~/") {
                format!("/root/{rest}")
            } else if path.starts_with('/') {
                path.to_owned()
            } else {
                format!("{WORKDIR}/{}", path.trim_start_matches("./"))
            };
            let name = format!("{}-{}", job.id, crate::legacy::job::component_id(path));
            if !out.iter().any(|(_, m)| *m == mount) {
                out.push((name, mount));
            }
        }
    }
    out
}

fn exports(artifacts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for artifact in artifacts {
        let trimmed = artifact
            .trim()
            .trim_start_matches("./")
            .trim_end_matches('/');
        let literal: Vec<&str> = trimmed
            .split('/')
            .take_while(|part| !part.contains(['*', '?', '[', '$', '{']))
            .collect();
        let mut path = literal.join("/");
        if path.contains('.')
            && literal.len() == artifact.trim().trim_start_matches("./").split('/').count()
        {
            // A single file: export the directory holding it.
            path = literal[..literal.len().saturating_sub(1)].join("/");
        }
        let path = if path.is_empty() {
            ".".to_owned()
        } else {
            path
        };
        if !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// The secret and matrix arguments of a call line, each with its leading space:
/// secrets from the environment (`--token env://TOKEN`), matrix values from
/// the variables `legacy.run` reads, with the first value as default.
pub fn call_arguments(function: &FunctionPlan) -> String {
    let mut line = String::new();
    for (words, variable) in &function.secrets {
        line.push_str(&format!(" --{} env://{variable}", words.join("-")));
    }
    for (words, variable, default) in &function.args {
        line.push_str(&format!(
            " --{} \"${{{variable}:-{default}}}\"",
            words.join("-")
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_names_for_every_sdk() {
        assert_eq!(words("python-version"), vec!["python", "version"]);
        assert_eq!(words("unitTests"), vec!["unit", "tests"]);
        assert_eq!(words("OPENAI_API_KEY"), vec!["openai", "api", "key"]);
        assert_eq!(words("3rd"), vec!["job", "3rd"]);
    }

    #[test]
    fn tags_and_exports() {
        assert_eq!(image_tag("3.x").as_deref(), Some("3"));
        assert_eq!(image_tag("lts/*"), None);
        assert_eq!(
            exports(&[
                "dist/*.tar.gz".into(),
                "coverage.xml".into(),
                "logs/".into()
            ]),
            vec!["dist", ".", "logs"]
        );
    }
}

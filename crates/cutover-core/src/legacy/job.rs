//! What every importer produces: [`ImportedJob`]s, one per legacy job,
//! target, recipe, task or service, with everything the spec, the audit and
//! the scaffolds need. Importers fill it; nothing here reads files.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which legacy system a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegacySystem {
    /// `.github/workflows/*.yml`.
    GithubActions,
    /// `.gitlab-ci.yml`.
    Gitlab,
    /// Makefiles.
    Make,
    /// Justfiles.
    Just,
    /// Taskfiles (go-task).
    Taskfile,
    /// docker compose files.
    Compose,
}

impl LegacySystem {
    /// The name used on the command line and in `legacy.origin.from`.
    pub fn name(self) -> &'static str {
        match self {
            LegacySystem::GithubActions => "github-actions",
            LegacySystem::Gitlab => "gitlab",
            LegacySystem::Make => "make",
            LegacySystem::Just => "just",
            LegacySystem::Taskfile => "taskfile",
            LegacySystem::Compose => "compose",
        }
    }

    /// What the system calls its units, for messages.
    pub fn units(self) -> &'static str {
        match self {
            LegacySystem::GithubActions | LegacySystem::Gitlab => "jobs",
            LegacySystem::Make => "targets",
            LegacySystem::Just => "recipes",
            LegacySystem::Taskfile => "tasks",
            LegacySystem::Compose => "services",
        }
    }

    /// The system with this command-line name.
    pub fn from_name(name: &str) -> Option<LegacySystem> {
        [
            LegacySystem::GithubActions,
            LegacySystem::Gitlab,
            LegacySystem::Make,
            LegacySystem::Just,
            LegacySystem::Taskfile,
            LegacySystem::Compose,
        ]
        .into_iter()
        .find(|system| system.name() == name)
    }
}

/// One step of a job, as far as a scaffold needs to know it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// A shell script.
    Run {
        /// Step name, if any.
        name: Option<String>,
        /// The script.
        script: String,
    },
    /// An action or other reusable unit (`uses:`), with its inputs.
    Uses {
        /// `actions/checkout@v4`, `./.github/actions/setup`, …
        action: String,
        /// `with:` inputs.
        with: BTreeMap<String, String>,
    },
}

/// A service container the job talks to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceUse {
    /// Host name the job reaches it by.
    pub name: String,
    /// Image.
    pub image: String,
    /// Container ports exposed.
    pub ports: Vec<u16>,
    /// Environment of the service.
    pub env: BTreeMap<String, String>,
}

/// A cache the job restores and saves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheUse {
    /// Cache key as written.
    pub key: String,
    /// Paths cached.
    pub paths: Vec<String>,
}

/// One imported legacy job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedJob {
    /// Component id (`[a-z0-9][a-z0-9_-]*`, unique in the import).
    pub id: String,
    /// The job's name as the legacy system knows it.
    pub job: String,
    /// Human name.
    pub name: String,
    /// Which system.
    pub system: LegacySystem,
    /// The definition file, as given or resolved.
    pub file: String,
    /// 1-based line where the job is defined.
    pub line: usize,
    /// Where `needs` names resolve: the file, plus the calling job for a
    /// reusable workflow's jobs (one file may be called twice).
    #[serde(skip)]
    pub scope: String,
    /// Ids of the jobs this one waits for.
    pub depends_on: Vec<String>,
    /// The command line that reproduces the job (`None` for a job that only
    /// calls others, such as a reusable-workflow call).
    pub run: Option<String>,
    /// Every file that defines the job.
    pub sources: Vec<String>,
    /// Legacy features used (see `audit`'s capability table).
    pub features: Vec<String>,
    /// Container image the job runs in, if declared.
    pub image: Option<String>,
    /// The runner or platform label (`ubuntu-latest`, `macos-14`).
    pub runner: Option<String>,
    /// Environment.
    pub env: BTreeMap<String, String>,
    /// Secrets the job reads.
    pub secrets: Vec<String>,
    /// Services.
    pub services: Vec<ServiceUse>,
    /// Caches.
    pub caches: Vec<CacheUse>,
    /// Files or directories the job hands on (artifacts).
    pub artifacts: Vec<String>,
    /// Matrix axes and their values.
    pub matrix: BTreeMap<String, Vec<String>>,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// The job's run condition (`if:`, `rules:`), as written.
    pub condition: Option<String>,
    /// Whether the job tests (its function becomes a check).
    pub is_test: bool,
    /// Whether the job deploys or publishes.
    pub side_effects: bool,
}

impl ImportedJob {
    /// A job with the given identity and nothing else yet.
    pub fn new(system: LegacySystem, file: &str, job: &str, line: usize) -> ImportedJob {
        ImportedJob {
            id: String::new(),
            job: job.to_owned(),
            name: job.to_owned(),
            system,
            file: file.to_owned(),
            line,
            scope: file.to_owned(),
            depends_on: Vec::new(),
            run: None,
            sources: vec![file.to_owned()],
            features: Vec::new(),
            image: None,
            runner: None,
            env: BTreeMap::new(),
            secrets: Vec::new(),
            services: Vec::new(),
            caches: Vec::new(),
            artifacts: Vec::new(),
            matrix: BTreeMap::new(),
            steps: Vec::new(),
            condition: None,
            is_test: false,
            side_effects: false,
        }
    }

    /// Records a feature once.
    pub fn feature(&mut self, name: &str) {
        if !self.features.iter().any(|f| f == name) {
            self.features.push(name.to_owned());
        }
    }

    /// Records a secret once.
    pub fn secret(&mut self, name: &str) {
        if !self.secrets.iter().any(|s| s == name) {
            self.secrets.push(name.to_owned());
        }
    }

    /// Adds a source file once.
    pub fn source(&mut self, file: &str) {
        if !self.sources.iter().any(|s| s == file) {
            self.sources.push(file.to_owned());
        }
    }

    /// Guesses from the name and commands whether the job tests or deploys.
    pub fn classify(&mut self) {
        let words = format!(
            "{} {} {}",
            self.job,
            self.name,
            self.run.as_deref().unwrap_or("")
        )
        .to_lowercase();
        let name = format!("{} {}", self.job, self.name).to_lowercase();
        self.is_test = ["test", "check", "lint", "verify", "clippy", "fmt"]
            .iter()
            .any(|w| name.contains(w));
        self.side_effects = ["deploy", "publish", "release", "push"]
            .iter()
            .any(|w| name.contains(w))
            || words.contains("docker push")
            || words.contains("cargo publish");
    }
}

/// Something an importer saw but could not follow (a remote include, a
/// cross-project need); listed for the user, never fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// The file that refers to it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What it is, as written.
    pub what: String,
}

/// The result of importing some files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Import {
    /// The jobs, in file order.
    pub jobs: Vec<ImportedJob>,
    /// References not followed.
    pub unresolved: Vec<Unresolved>,
    /// How files were read, where there was a choice (`just --dump` or the parser).
    pub notes: Vec<String>,
}

/// Turns a legacy name into a component id: lowercase, `[a-z0-9_-]`, starting
/// with a letter or digit.
pub fn component_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches(|c| c == '-' || c == '_').to_owned();
    if id.is_empty() { "job".into() } else { id }
}

/// Gives every job a unique id, rewriting dependencies to match. Jobs refer
/// to each other by `(file, job)` keys in `depends_on` until this runs.
pub fn assign_ids(jobs: &mut [ImportedJob]) {
    let mut taken = std::collections::BTreeSet::new();
    let mut ids = BTreeMap::new();
    for job in jobs.iter_mut() {
        let base = component_id(&job.id_hint());
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(key(&job.scope, &job.job), id.clone());
        job.id = id;
    }
    for job in jobs.iter_mut() {
        let mut resolved: Vec<String> = Vec::new();
        for dependency in &job.depends_on {
            if let Some(id) = ids.get(dependency)
                && *id != job.id
                && !resolved.contains(id)
            {
                resolved.push(id.clone());
            }
        }
        job.depends_on = resolved;
    }
}

/// The key a dependency is written as before ids exist.
pub fn key(file: &str, job: &str) -> String {
    format!("{file}\u{0}{job}")
}

impl ImportedJob {
    fn id_hint(&self) -> String {
        if self.id.is_empty() {
            self.job.clone()
        } else {
            self.id.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_unique() {
        assert_eq!(component_id("build:debian 12"), "build-debian-12");
        assert_eq!(component_id(".Hidden"), "hidden");
        assert_eq!(component_id("!!!"), "job");
        let mut jobs = vec![
            ImportedJob::new(LegacySystem::Gitlab, "a", "x y", 1),
            ImportedJob::new(LegacySystem::Gitlab, "a", "x-y", 2),
        ];
        jobs[1].depends_on.push(key("a", "x y"));
        assign_ids(&mut jobs);
        assert_eq!(jobs[0].id, "x-y");
        assert_eq!(jobs[1].id, "x-y-2");
        assert_eq!(jobs[1].depends_on, vec!["x-y"]);
    }
}

//! [`Test`]: writes a spec into a temporary directory, runs the real binary
//! there, and checks exit code, stdout and stderr.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// One CLI invocation in its own directory (or in another test's).
pub struct Test {
    dir: Dir,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

enum Dir {
    Owned(tempfile::TempDir),
    Borrowed(PathBuf),
}

/// What a finished invocation produced.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Test {
    pub fn new() -> Self {
        Test {
            dir: Dir::Owned(tempfile::tempdir().expect("temp dir")),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Another invocation in an existing directory (kept alive by its owner).
    pub fn at(path: &Path) -> Self {
        Test {
            dir: Dir::Borrowed(path.to_owned()),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Writes `migration.yaml` (the default spec path).
    pub fn spec(self, text: &str) -> Self {
        self.file("migration.yaml", text)
    }

    pub fn file(self, name: &str, text: &str) -> Self {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        match &self.dir {
            Dir::Owned(dir) => dir.path(),
            Dir::Borrowed(path) => path,
        }
    }

    pub fn run(&self) -> Outcome {
        let output = Command::cargo_bin("cutover")
            .expect("binary")
            .current_dir(self.path())
            .env_remove("CUTOVER_SPEC")
            .env_remove("CUTOVER_STATE")
            .env_remove("CUTOVER_DELIVERY_TIMEOUT")
            .env_remove("CUTOVER_SPOOL_ONLY")
            .env_remove("CUTOVER_CA_FILE")
            .env_remove("CUTOVER_SERVE_TLS_CERT")
            .env_remove("CUTOVER_SERVE_TLS_KEY")
            .env_remove("GITHUB_SHA")
            .env_remove("CUTOVER_TEST_NOW")
            .env_remove("CUTOVER_SERVER_URL")
            .env("NO_COLOR", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(&self.args)
            .output()
            .expect("run cutover");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Files in the directory, for "nothing was written" checks.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.path())
            .expect("read dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files
    }
}

impl Outcome {
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stdout.contains(needle),
            "stdout has {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }
}

/// A small valid spec the error tests start from.
pub const VALID: &str = "\
version: 1
migration:
  name: demo
  start: 2027-01-04
  capacity: 2
components:
  - id: base-image
    kind: infra
    owner: platform
    effort: 2d
  - id: build-api
    kind: pipeline
    owner: backend
    depends_on: [base-image]
    effort: 3d
    risk: high
";

/// The bundled example spec's directory.
pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/platform")
}

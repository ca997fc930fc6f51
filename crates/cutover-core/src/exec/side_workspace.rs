//! A side's own clean copy of the project (`workspace: isolated`, the
//! default for two-sided runs), so that what one side leaves behind — an
//! incremental build directory, a generated file — neither speeds up nor
//! changes the other side, nor the next run.
//!
//! What is copied:
//! - in a git repository: the repository's tracked files (`git ls-files`)
//!   as they are in the working tree (uncommitted edits included, deleted
//!   files left out), from the repository's top level, so a build may
//!   reach files above the spec's directory; the side works in the copy's
//!   counterpart of the spec's directory;
//! - elsewhere: the spec's directory tree, without `.git`;
//! - either way without the state directory (`.cutover`) and the
//!   component's declared outputs (a stale copy of an output must never
//!   stand in for one the side did not produce).
//!
//! Files are copied with [`std::fs::copy`] (on Linux `copy_file_range`,
//! which shares the blocks on file systems that can, e.g. XFS and Btrfs)
//! keeping their modes; symlinks stay symlinks. Hard links would be faster
//! but let a side that appends to a tracked file change the original.
//!
//! After the side ends, each declared output it left in its copy rather
//! than in `CUTOVER_OUT` is moved into `CUTOVER_OUT`, where cutover reads
//! outputs from, then the copy is removed. Never touches the project.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::fs::confine::ProjectPath;

/// How a side's copy was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopySource {
    /// The tracked files of a git repository.
    GitTracked,
    /// The project directory tree.
    DirectoryTree,
}

/// A side's copy of the project.
#[derive(Debug)]
pub struct SideWorkspace {
    /// The copy's root (the repository's top level, or the project directory).
    root: PathBuf,
    /// Where the side works: the copy's counterpart of the project directory.
    pub working_dir: PathBuf,
    /// How it was made.
    pub source: CopySource,
}

impl SideWorkspace {
    /// Copies the project at `project` into `root` (which must not exist
    /// yet), leaving out `exclude` (paths relative to `project`: the state
    /// directory and the declared outputs).
    pub fn create(project: &Path, root: &Path, exclude: &[String]) -> io::Result<SideWorkspace> {
        std::fs::create_dir_all(root)?;
        if let Some((top, inside, files)) = tracked_files(project) {
            // A tracked output left out too: a stale committed copy must
            // never stand in for one the side did not produce.
            let skip: Vec<PathBuf> = exclude.iter().map(|e| inside.join(e)).collect();
            let kept = files
                .iter()
                .filter(|f| !skip.iter().any(|s| f.starts_with(s)));
            for file in kept {
                copy_entry(&top.join(file), &root.join(file))?;
            }
            let working_dir = root.join(inside);
            std::fs::create_dir_all(&working_dir)?;
            return Ok(SideWorkspace {
                root: root.to_owned(),
                working_dir,
                source: CopySource::GitTracked,
            });
        }
        let mut skip: Vec<PathBuf> = exclude.iter().map(|e| project.join(e)).collect();
        skip.push(project.join(".git"));
        skip.push(root.to_owned());
        copy_tree(project, root, &skip)?;
        Ok(SideWorkspace {
            root: root.to_owned(),
            working_dir: root.to_owned(),
            source: CopySource::DirectoryTree,
        })
    }

    /// Moves each declared output found in the copy but not in `out` into
    /// `out`, then removes the copy.
    pub fn finish(self, out: &Path, outputs: &[String]) -> io::Result<()> {
        for output in outputs {
            let Ok(path) = ProjectPath::parse(output) else {
                continue;
            };
            let (from, to) = (path.under(&self.working_dir), path.under(out));
            if std::fs::symlink_metadata(&to).is_ok() || std::fs::symlink_metadata(&from).is_err() {
                continue;
            }
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&from, &to)?;
        }
        crate::fs::confine::remove(&self.root)
    }
}

/// The repository's top level, the project's place in it and the tracked
/// files present in the working tree, if `project` is inside a git
/// repository where it has tracked files (an ignored directory of a
/// repository is copied as a plain tree), and git runs.
fn tracked_files(project: &Path) -> Option<(PathBuf, PathBuf, Vec<PathBuf>)> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(project)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim_end());
    let prefix = git(&["rev-parse", "--show-prefix"])?.trim_end().to_owned();
    let listed = git(&["ls-files", "-z", "--full-name", ":/"])?;
    let files: Vec<PathBuf> = listed
        .split('\0')
        .filter(|name| !name.is_empty())
        .map(PathBuf::from)
        .filter(|name| std::fs::symlink_metadata(top.join(name)).is_ok())
        .collect();
    let inside = PathBuf::from(&prefix);
    files
        .iter()
        .any(|file| file.starts_with(&inside))
        .then_some((top, inside, files))
}

/// Copies a directory tree, leaving out the paths in `skip`.
fn copy_tree(from: &Path, to: &Path, skip: &[PathBuf]) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let source = entry.path();
        if skip.contains(&source) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&source, &target, skip)?;
        } else {
            copy_entry(&source, &target)?;
        }
    }
    Ok(())
}

/// Copies a file (keeping its mode) or a symlink (as a link); anything
/// else is left out. A tracked directory (a submodule) is copied whole.
fn copy_entry(source: &Path, target: &Path) -> io::Result<()> {
    let metadata = std::fs::symlink_metadata(source)?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let kind = metadata.file_type();
    if kind.is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(source)?, target)
    } else if kind.is_file() {
        std::fs::copy(source, target).map(|_| ())
    } else if kind.is_dir() {
        copy_tree(source, target, &[])
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn a_plain_directory_is_copied_without_state_and_outputs() {
        let dir = tempfile::tempdir().expect("tmp");
        let project = dir.path().join("project");
        write(&project.join("src/a.c"), "int a;");
        write(&project.join(".cutover/state.db"), "db");
        write(&project.join("dist/old.tar"), "stale");
        std::os::unix::fs::symlink("src/a.c", project.join("link")).expect("symlink");
        let root = project.join(".cutover/runs/r1/legacy/work");
        let workspace =
            SideWorkspace::create(&project, &root, &[".cutover".into(), "dist/old.tar".into()])
                .expect("copy");
        assert_eq!(workspace.source, CopySource::DirectoryTree);
        let copied = |p: &str| workspace.working_dir.join(p);
        assert_eq!(
            std::fs::read_to_string(copied("src/a.c")).expect("a"),
            "int a;"
        );
        assert!(!copied(".cutover").exists());
        assert!(!copied("dist/old.tar").exists());
        assert_eq!(
            std::fs::read_link(copied("link")).expect("link"),
            Path::new("src/a.c")
        );
        // An output left in the copy is moved to the output directory.
        write(&copied("dist/new.tar"), "new");
        let out = dir.path().join("out");
        workspace
            .finish(&out, &["dist/new.tar".into()])
            .expect("finish");
        assert_eq!(
            std::fs::read_to_string(out.join("dist/new.tar")).expect("moved"),
            "new"
        );
        assert!(!root.exists());
    }

    #[test]
    fn a_git_repository_gives_its_tracked_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let top = dir.path().join("repo");
        write(&top.join("Makefile"), "all:");
        write(&top.join("app/migration.yaml"), "version: 1");
        write(&top.join("app/untracked.o"), "junk");
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(&top)
                .args(["-c", "user.email=t@t", "-c", "user.name=t"])
                .args(args)
                .stdout(Stdio::null())
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        };
        write(&top.join("app/dist/report.txt"), "committed");
        git(&["init", "-q"]);
        git(&[
            "add",
            "Makefile",
            "app/migration.yaml",
            "app/dist/report.txt",
        ]);
        git(&["commit", "-q", "-m", "init"]);
        write(&top.join("Makefile"), "all: edited");
        let root = dir.path().join("copy");
        let outputs = ["dist/report.txt".to_owned()];
        let workspace = SideWorkspace::create(&top.join("app"), &root, &outputs).expect("copy");
        assert_eq!(workspace.source, CopySource::GitTracked);
        assert_eq!(workspace.working_dir, root.join("app"));
        assert_eq!(
            std::fs::read_to_string(root.join("Makefile")).expect("tracked"),
            "all: edited"
        );
        assert!(root.join("app/migration.yaml").exists());
        assert!(!root.join("app/untracked.o").exists());
        assert!(
            !root.join("app/dist/report.txt").exists(),
            "a tracked output"
        );
        assert!(!root.join(".git").exists());
    }
}

//! Paths that stay inside the project.
//!
//! Every path a spec names (outputs, preserved paths, legacy sources,
//! acceptance and integration files) is relative to the spec's directory,
//! the *project*. A [`ProjectPath`] is such a path, checked lexically: not
//! absolute, no `..`, not inside cutover's state directory or `.git`.
//! [`resolve`] adds the check that needs the file system: following the
//! symlinks that exist on the way, the path must still land inside the
//! project. `cutover check` reports both kinds of problem with their place
//! in the spec; the functions below apply the same rules at run time, when
//! a side may have created symlinks since:
//! - writes go only to paths that [`resolve`] inside the project;
//! - walks ([`list_files`], [`copy_output`]) never follow a symlink: a link
//!   is never entered, so a loop cannot trap them and a link out of the
//!   project cannot lead them outside;
//! - [`remove`] removes a link itself, never what it points to;
//! - `.cutover` and `.git` directories are never listed, copied or removed
//!   by a walk.
//!
//! The checks happen just before each operation; a process racing cutover
//! to swap a directory for a symlink in between is out of scope.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Directory names a walk never enters: cutover's state and Git's.
pub const EXCLUDED_DIRECTORIES: [&str; 2] = [".cutover", ".git"];

/// A path relative to the project, lexically safe (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectPath {
    parts: Vec<String>,
}

/// Why a path may not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    /// The path is empty.
    #[error("the path is empty")]
    Empty,
    /// The path is absolute.
    #[error("path `{0}` is absolute")]
    Absolute(String),
    /// The path climbs out with `..`.
    #[error("path `{0}` leaves the project with `..`")]
    Parent(String),
    /// The path lies in `.cutover` or `.git`.
    #[error("path `{0}` is inside `{1}`, which cutover never touches")]
    Excluded(String, &'static str),
    /// Following symlinks, the path leads outside the project.
    #[error("path `{0}` resolves to `{1}`, outside the project")]
    Outside(String, PathBuf),
    /// A symlink on the way cannot be resolved (a loop, or too deep).
    #[error("path `{0}` goes through a symlink that cannot be resolved")]
    Unresolvable(String),
}

impl PathProblem {
    /// A short label for the offending value, for diagnostics.
    pub fn label(&self) -> &'static str {
        match self {
            PathProblem::Empty => "no path",
            PathProblem::Excluded(..) => "cutover's own territory",
            PathProblem::Unresolvable(_) => "unresolvable symlink",
            _ => "outside the project",
        }
    }

    /// How to fix it, for diagnostics.
    pub fn help(&self) -> &'static str {
        match self {
            PathProblem::Empty => "name a file or directory relative to the spec's directory",
            PathProblem::Absolute(_) | PathProblem::Parent(_) => {
                "write paths relative to the spec's directory, inside the project"
            }
            PathProblem::Excluded(..) => {
                "cutover's state and the Git repository are never preserved, compared or written"
            }
            PathProblem::Outside(..) | PathProblem::Unresolvable(_) => {
                "replace the symlink by a real file or directory inside the project, or name another path"
            }
        }
    }
}

impl ProjectPath {
    /// Checks `raw` lexically. `.` and empty components are dropped, so
    /// `.` names the project itself.
    pub fn parse(raw: &str) -> Result<ProjectPath, PathProblem> {
        if raw.trim().is_empty() {
            return Err(PathProblem::Empty);
        }
        let path = Path::new(raw);
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                Component::Prefix(_) | Component::RootDir => {
                    return Err(PathProblem::Absolute(raw.to_owned()));
                }
                Component::ParentDir => return Err(PathProblem::Parent(raw.to_owned())),
                Component::CurDir => {}
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            }
        }
        if let Some(first) = parts.first()
            && let Some(excluded) = EXCLUDED_DIRECTORIES.iter().find(|e| *e == first)
        {
            return Err(PathProblem::Excluded(raw.to_owned(), excluded));
        }
        Ok(ProjectPath { parts })
    }

    /// The path under `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        self.parts
            .iter()
            .fold(root.to_owned(), |p, part| p.join(part))
    }
}

/// Checks `raw` and resolves it under `root`: every symlink that exists on
/// the way must lead to a place inside `root`. Returns the path under
/// `root` (not the resolved one), safe to read, write or remove.
pub fn resolve(root: &Path, raw: &str) -> Result<PathBuf, PathProblem> {
    let path = ProjectPath::parse(raw)?;
    let root_real = root
        .canonicalize()
        .map_err(|_| PathProblem::Unresolvable(raw.to_owned()))?;
    let mut current = root.to_owned();
    for part in &path.parts {
        current.push(part);
        let Ok(metadata) = std::fs::symlink_metadata(&current) else {
            // Nothing exists from here on, so no symlink can redirect it.
            break;
        };
        if metadata.file_type().is_symlink() {
            let real = current
                .canonicalize()
                .map_err(|_| PathProblem::Unresolvable(raw.to_owned()))?;
            if !real.starts_with(&root_real) {
                return Err(PathProblem::Outside(raw.to_owned(), real));
            }
            let inner = real.strip_prefix(&root_real).unwrap_or(Path::new(""));
            if let Some(std::path::Component::Normal(first)) = inner.components().next()
                && let Some(excluded) = EXCLUDED_DIRECTORIES.iter().find(|e| first == **e)
            {
                return Err(PathProblem::Excluded(raw.to_owned(), excluded));
            }
        }
    }
    Ok(path.under(root))
}

/// [`resolve`] as an I/O error, for code that reports I/O errors.
pub fn resolve_io(root: &Path, raw: &str) -> io::Result<PathBuf> {
    resolve(root, raw).map_err(|problem| io::Error::new(io::ErrorKind::PermissionDenied, problem))
}

/// Whether an I/O error is this module refusing a path (rather than the
/// file system failing).
pub fn is_refusal(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.is::<PathProblem>())
}

/// Files under `directory` (relative, `/`-separated, unsorted), found
/// without following symlinks: links are not listed, `.cutover` and `.git`
/// are not entered. A missing directory has no files.
pub fn list_files(directory: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let listing = match std::fs::read_dir(directory.join(&relative)) {
            Ok(listing) => listing,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        for entry in listing {
            let entry = entry?;
            let kind = entry.file_type()?;
            let name = entry.file_name();
            let path = relative.join(&name);
            if kind.is_dir() {
                if !EXCLUDED_DIRECTORIES.iter().any(|e| name == *e) {
                    pending.push(path);
                }
            } else if kind.is_file() {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    Ok(files)
}

/// Removes a file, a directory tree or a symlink (the link itself), never
/// following a link. A missing path is not an error.
pub fn remove(path: &Path) -> io::Result<()> {
    let result = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(error) => Err(error),
    };
    match result {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Copies the output `raw` from `from` (a side's output directory) into the
/// project at `root`. The source is walked without following symlinks: a
/// symlink is copied as a link (its target unchanged, so a `.so → .so.1`
/// chain stays one file and two links), files and directories keep their
/// modes, and `.cutover` and `.git` are not entered. Every file or
/// directory written must [`resolve`] inside the project, and so must the
/// directory a link is written in. Returns whether anything was there to
/// copy.
pub fn copy_output(from: &Path, root: &Path, raw: &str) -> io::Result<bool> {
    let source = ProjectPath::parse(raw)
        .map_err(|problem| io::Error::new(io::ErrorKind::PermissionDenied, problem))?
        .under(from);
    let Ok(metadata) = std::fs::symlink_metadata(&source) else {
        return Ok(false);
    };
    copy_entry(&source, &metadata, root, raw)?;
    Ok(true)
}

/// Copies one entry of an output (see [`copy_output`]); special files are
/// skipped.
fn copy_entry(
    source: &Path,
    metadata: &std::fs::Metadata,
    root: &Path,
    raw: &str,
) -> io::Result<()> {
    let kind = metadata.file_type();
    if kind.is_symlink() {
        return copy_link(source, root, raw);
    }
    if kind.is_file() {
        return copy_file(source, root, raw);
    }
    if !kind.is_dir() {
        return Ok(());
    }
    let target = resolve_io(root, raw)?;
    if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(&target)?;
    }
    std::fs::create_dir_all(&target)?;
    resolve_io(root, raw)?;
    for entry in std::fs::read_dir(source)? {
        let entry = entry?;
        let name = entry.file_name();
        if EXCLUDED_DIRECTORIES.iter().any(|e| name == *e) {
            continue;
        }
        let child = format!("{}/{}", raw.trim_end_matches('/'), name.to_string_lossy());
        let child_metadata = std::fs::symlink_metadata(entry.path())?;
        copy_entry(&entry.path(), &child_metadata, root, &child)?;
    }
    std::fs::set_permissions(&target, metadata.permissions())
}

/// Copies one file beside its target, then renames it in place, so CI never
/// sees a half-written file. `fs::copy` keeps the permission bits.
fn copy_file(source: &Path, root: &Path, raw: &str) -> io::Result<()> {
    let target = resolve_io(root, raw)?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
        // Creating the parents may not have gone through a symlink out.
        resolve_io(root, raw)?;
    }
    let temporary = target.with_extension(format!("cutover-{}.tmp", std::process::id()));
    std::fs::copy(source, &temporary)?;
    replace(&temporary, &target)
}

/// Recreates the symlink `source` at `raw` (its target unchanged, never
/// followed); the directory it is written in must resolve inside the
/// project, and an existing link or file there is replaced.
fn copy_link(source: &Path, root: &Path, raw: &str) -> io::Result<()> {
    let link = std::fs::read_link(source)?;
    let trimmed = raw.trim_end_matches('/');
    let parent = match trimmed.rsplit_once('/') {
        Some((parent, _)) => resolve_io(root, parent)?,
        None => root.to_owned(),
    };
    let target = ProjectPath::parse(trimmed)
        .map_err(|problem| io::Error::new(io::ErrorKind::PermissionDenied, problem))?
        .under(root);
    std::fs::create_dir_all(&parent)?;
    if let Some((parent_raw, _)) = trimmed.rsplit_once('/') {
        // Creating the parents may not have gone through a symlink out.
        resolve_io(root, parent_raw)?;
    }
    let temporary = target.with_extension(format!("cutover-{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    std::os::unix::fs::symlink(link, &temporary)?;
    replace(&temporary, &target)
}

/// Renames `temporary` over `target` (a file or link there is replaced, not
/// followed; a directory in the way is an error).
fn replace(temporary: &Path, target: &Path) -> io::Result<()> {
    std::fs::rename(temporary, target).inspect_err(|_| {
        let _ = std::fs::remove_file(temporary);
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn lexical_rules() {
        assert!(ProjectPath::parse("dist/api.tar").is_ok());
        assert!(ProjectPath::parse("./config/").is_ok());
        assert!(ProjectPath::parse(".").is_ok());
        assert!(matches!(ProjectPath::parse(""), Err(PathProblem::Empty)));
        assert!(matches!(
            ProjectPath::parse("/etc/passwd"),
            Err(PathProblem::Absolute(_))
        ));
        assert!(matches!(
            ProjectPath::parse("a/../../b"),
            Err(PathProblem::Parent(_))
        ));
        assert!(matches!(
            ProjectPath::parse("./.cutover/state.db"),
            Err(PathProblem::Excluded(..))
        ));
        assert!(matches!(
            ProjectPath::parse(".git"),
            Err(PathProblem::Excluded(..))
        ));
    }

    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let outside = tempfile::tempdir().expect("tmp");
        let project = tempfile::tempdir().expect("tmp");
        let root = project.path();
        std::fs::create_dir_all(root.join("config")).expect("mkdir");
        symlink(outside.path(), root.join("config/shared")).expect("link");
        symlink(root.join("config"), root.join("inner")).expect("link");
        symlink("loop", root.join("loop")).expect("link");
        assert!(resolve(root, "config/new.yaml").is_ok());
        assert!(resolve(root, "inner/x").is_ok(), "a link inside is fine");
        assert!(matches!(
            resolve(root, "config/shared/x"),
            Err(PathProblem::Outside(..))
        ));
        assert!(matches!(
            resolve(root, "config/shared"),
            Err(PathProblem::Outside(..))
        ));
        assert!(matches!(
            resolve(root, "loop/x"),
            Err(PathProblem::Unresolvable(_))
        ));
    }

    #[test]
    fn walks_never_follow_links() {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("victim"), "keep").expect("write");
        let project = tempfile::tempdir().expect("tmp");
        let root = project.path();
        std::fs::create_dir_all(root.join("d/.git")).expect("mkdir");
        std::fs::write(root.join("d/file"), "x").expect("write");
        std::fs::write(root.join("d/.git/HEAD"), "x").expect("write");
        symlink(outside.path(), root.join("d/out")).expect("link");
        symlink(".", root.join("d/loop")).expect("link");
        assert_eq!(
            list_files(&root.join("d")).expect("list"),
            vec!["file".to_owned()]
        );
        remove(&root.join("d/out")).expect("remove link");
        assert!(outside.path().join("victim").exists());
        let target = tempfile::tempdir().expect("tmp");
        assert!(copy_output(root, target.path(), "d").expect("copy"));
        assert_eq!(
            list_files(&target.path().join("d")).expect("list"),
            vec!["file".to_owned()]
        );
        symlink(outside.path(), target.path().join("dist")).expect("link");
        std::fs::write(root.join("dist"), "payload").expect("write");
        assert!(copy_output(root, target.path(), "dist").is_err());
        assert!(!outside.path().join("dist").exists());
        assert_eq!(std::fs::read_dir(outside.path()).expect("ls").count(), 1);
    }

    #[test]
    fn copies_keep_symlinks_and_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let from = dir.path().join("out");
        let lib = from.join("lib");
        std::fs::create_dir_all(&lib).expect("mkdir");
        std::fs::write(lib.join("libx.so.1.2"), "elf").expect("write");
        std::fs::set_permissions(
            lib.join("libx.so.1.2"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod");
        symlink("libx.so.1.2", lib.join("libx.so.1")).expect("symlink");
        symlink("libx.so.1", lib.join("libx.so")).expect("symlink");
        let project = tempfile::tempdir().expect("tmp");
        let to = project.path();
        assert!(copy_output(&from, to, "lib").expect("copy"));
        assert!(copy_output(&from, to, "lib").expect("copy again over the first copy"));
        assert_eq!(
            std::fs::read_link(to.join("lib/libx.so")).expect("a link"),
            Path::new("libx.so.1")
        );
        assert_eq!(
            std::fs::read_link(to.join("lib/libx.so.1")).expect("a link"),
            Path::new("libx.so.1.2")
        );
        let mode = std::fs::metadata(to.join("lib/libx.so.1.2"))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

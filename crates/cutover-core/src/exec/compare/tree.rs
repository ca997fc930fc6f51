//! Directory outputs compared entry by entry: which paths exist on one side
//! only, which differ in kind, mode or symlink target, and which files differ
//! in content (by the comparator given). Names every differing path.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{CompareContext, Verdict, differ_line};

/// Most differing paths explained in detail; the rest are only named.
const MAX_EXPLAINED: usize = 5;

/// One entry of a tree, by relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Entry {
    /// A regular file with its permission bits.
    File(u32),
    /// A directory with its permission bits.
    Directory(u32),
    /// A symbolic link and its target.
    Link(PathBuf),
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entry::File(mode) => write!(f, "file mode {mode:o}"),
            Entry::Directory(mode) => write!(f, "directory mode {mode:o}"),
            Entry::Link(target) => write!(f, "symlink to `{}`", target.display()),
        }
    }
}

/// Every entry under `root` (symlinks not followed), by relative path.
pub(super) fn entries(root: &Path) -> BTreeMap<String, Entry> {
    let mut found = BTreeMap::new();
    walk(root, root, &mut found);
    found
}

fn walk(root: &Path, directory: &Path, found: &mut BTreeMap<String, Entry>) {
    let Ok(listing) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in listing.flatten() {
        let path = entry.path();
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let relative = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mode = metadata.permissions().mode() & 0o7777;
        if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap_or_default();
            found.insert(relative, Entry::Link(target));
        } else if metadata.is_dir() {
            found.insert(relative, Entry::Directory(mode));
            walk(root, &path, found);
        } else if metadata.is_file() {
            found.insert(relative, Entry::File(mode));
        }
    }
}

/// Whether `path` is a directory itself (a symlink to one is not followed).
fn is_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Compares two files with `files`, or two directories entry by entry
/// with `files` for the content of each regular file present on both sides.
pub(super) fn files_or_tree(
    a: &Path,
    b: &Path,
    context: &CompareContext<'_>,
    files: &dyn Fn(&Path, &Path, &CompareContext<'_>) -> Verdict,
) -> Verdict {
    if is_dir(a) || is_dir(b) {
        compare(a, b, context, files)
    } else {
        files(a, b, context)
    }
}

/// Compares two directories; `files` compares two regular files' content.
fn compare(
    a: &Path,
    b: &Path,
    context: &CompareContext<'_>,
    files: &dyn Fn(&Path, &Path, &CompareContext<'_>) -> Verdict,
) -> Verdict {
    let (side_a, side_b) = context.sides;
    if !is_dir(a) || !is_dir(b) {
        let kind = |p: &Path| if is_dir(p) { "a directory" } else { "a file" };
        return Verdict::Differs(format!(
            "{side_a} has {}, {side_b} has {}",
            kind(a),
            kind(b)
        ));
    }
    let (left, right) = (entries(a), entries(b));
    let mut differing: Vec<(String, String)> = Vec::new();
    for (path, entry) in &left {
        match right.get(path) {
            None => differing.push((path.clone(), format!("only on {side_a}"))),
            Some(Entry::File(mode_b)) if matches!(entry, Entry::File(_)) => {
                let mut why = Vec::new();
                if entry != &Entry::File(*mode_b) {
                    why.push(format!("{side_a} {entry}, {side_b} file mode {mode_b:o}"));
                }
                if let Verdict::Differs(detail) = files(&a.join(path), &b.join(path), context) {
                    why.push(detail);
                }
                if !why.is_empty() {
                    differing.push((path.clone(), why.join("\n")));
                }
            }
            Some(other) if other != entry => {
                differing.push((path.clone(), format!("{side_a} {entry}, {side_b} {other}")))
            }
            Some(_) => {}
        }
    }
    for path in right.keys().filter(|p| !left.contains_key(*p)) {
        differing.push((path.clone(), format!("only on {side_b}")));
    }
    report(differing)
}

/// `2 paths differ: `a` and `b`` followed by the first explanations.
fn report(differing: Vec<(String, String)>) -> Verdict {
    if differing.is_empty() {
        return Verdict::Equivalent;
    }
    let names: Vec<String> = differing.iter().map(|(p, _)| p.clone()).collect();
    let mut lines = vec![differ_line("path", &names)];
    for (path, why) in differing.iter().take(MAX_EXPLAINED) {
        lines.push(format!("`{path}`: {why}"));
    }
    Verdict::from_differences(lines)
}

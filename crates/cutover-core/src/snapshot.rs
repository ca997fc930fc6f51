//! Snapshots of preserved paths, stored content-addressed under
//! `.cutover/snapshots/objects/` (deduplicated by digest), with a manifest in
//! the store. Shared by advance (the restore point taken before each change)
//! and rollback (the safety copy taken before restoring, then the restore).

use std::path::{Path, PathBuf};

use crate::exec::digest_bytes;
use crate::failpoint::failpoint;
use crate::fs::{confine, is_stale_temporary, remove_stale_temporaries, write_atomically};
use crate::lifecycle::ModeState;
use crate::spec::{Component, Migration};
use crate::store::{PreservedKind, PreservedPath, SnapshotKind, Store, StoreError};

/// Content-addressed file contents: `objects/<sha256>`, written once.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    directory: PathBuf,
}

impl ObjectStore {
    /// The object store of a state directory.
    pub fn new(state_dir: &Path) -> Self {
        ObjectStore {
            directory: state_dir.join("snapshots").join("objects"),
        }
    }

    /// Where the objects live.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Stores content; returns its digest. Existing objects are not rewritten.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let digest = digest_bytes(bytes);
        let path = self.directory.join(&digest);
        if path.exists() {
            // Fresh again: `cutover gc` never removes an object this recent,
            // so one about to be referenced by a new snapshot survives.
            std::fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(std::time::SystemTime::now())?;
        } else {
            std::fs::create_dir_all(&self.directory)?;
            write_atomically(&path, bytes)?;
        }
        Ok(digest)
    }

    /// Reads an object.
    pub fn get(&self, digest: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.directory.join(digest))
    }
}

/// A component's preserved paths: its own `preserve:` then `rollback.preserve:`.
pub fn preserved_paths(migration: &Migration, component: &Component) -> Vec<String> {
    let mut paths: Vec<String> = component
        .preserve
        .iter()
        .chain(&migration.rollback.preserve)
        .cloned()
        .collect();
    paths.dedup();
    paths
}

/// Every path any component preserves, once each.
pub fn all_preserved_paths(migration: &Migration) -> Vec<String> {
    let mut paths: Vec<String> = migration
        .components
        .iter()
        .flat_map(|component| preserved_paths(migration, component))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Why a snapshot could not be taken or restored.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Reading or writing a file failed.
    #[error("failed to preserve `{}`", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Files and bytes removed by a clean-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Freed {
    /// Files removed.
    pub files: u64,
    /// Their size in bytes.
    pub bytes: u64,
}

impl Freed {
    /// Adds another clean-up's figures.
    pub fn add(&mut self, (files, bytes): (u64, u64)) {
        self.files += files;
        self.bytes += bytes;
    }
}

/// Removes the temporaries of killed writers (see
/// [`crate::fs::remove_stale_temporaries`]) wherever a snapshot or a
/// restore writes: the object store, next to each preserved path, and
/// anywhere inside a preserved directory. With `dry_run`, only counts them.
pub fn remove_interrupted_writes(
    objects: &ObjectStore,
    base_dir: &Path,
    paths: &[String],
    dry_run: bool,
) -> Result<Freed, SnapshotError> {
    let mut freed = Freed::default();
    let clean = |dir: &Path| remove_stale_temporaries(dir, dry_run).map_err(io(dir));
    freed.add(clean(objects.directory())?);
    for path in paths {
        // A path the spec check lets through always resolves; one that
        // does not is skipped here and refused by the snapshot itself.
        let Ok(full) = confine::resolve(base_dir, path) else {
            continue;
        };
        if let Some(parent) = full.parent() {
            freed.add(clean(parent)?);
        }
        if full.is_dir() {
            let below = clean_tree(&full, dry_run)?;
            freed.add((below.files, below.bytes));
        }
    }
    Ok(freed)
}

/// The stale temporaries anywhere below `directory` (links not followed).
fn clean_tree(directory: &Path, dry_run: bool) -> Result<Freed, SnapshotError> {
    let mut freed = Freed::default();
    let files = confine::list_files(directory).map_err(io(directory))?;
    for relative in files {
        let full = directory.join(&relative);
        let name = full
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if is_stale_temporary(name) {
            let bytes = full.metadata().map(|m| m.len()).unwrap_or(0);
            if !dry_run {
                std::fs::remove_file(&full).map_err(io(&full))?;
            }
            freed.add((1, bytes));
        }
    }
    Ok(freed)
}

/// Saves the content of the preserved paths as objects and describes them;
/// the caller records the snapshot (alone, or with a mode change).
pub fn save_paths(
    objects: &ObjectStore,
    base_dir: &Path,
    paths: &[String],
) -> Result<Vec<PreservedPath>, SnapshotError> {
    paths
        .iter()
        .map(|path| preserve(objects, base_dir, path))
        .collect()
}

/// Saves the preserved paths and records a snapshot of `state`.
pub fn take_snapshot(
    store: &mut Store,
    objects: &ObjectStore,
    base_dir: &Path,
    component: &str,
    paths: &[String],
    state: ModeState,
    kind: SnapshotKind,
) -> Result<i64, SnapshotError> {
    let files = save_paths(objects, base_dir, paths)?;
    Ok(store.insert_snapshot(component, kind, state, &files)?)
}

fn preserve(
    objects: &ObjectStore,
    base_dir: &Path,
    path: &str,
) -> Result<PreservedPath, SnapshotError> {
    let full = confine::resolve_io(base_dir, path).map_err(io(&base_dir.join(path)))?;
    let metadata = std::fs::metadata(&full);
    match metadata {
        Err(_) => Ok(PreservedPath {
            path: path.to_owned(),
            kind: PreservedKind::Missing,
            digest: None,
            entries: Vec::new(),
        }),
        Ok(m) if m.is_file() => {
            let bytes = std::fs::read(&full).map_err(io(&full))?;
            let digest = objects.put(&bytes).map_err(io(&full))?;
            Ok(PreservedPath {
                path: path.to_owned(),
                kind: PreservedKind::File,
                digest: Some(digest),
                entries: Vec::new(),
            })
        }
        Ok(_) => {
            let mut entries = Vec::new();
            collect(objects, &full, &full, &mut entries)?;
            entries.sort();
            Ok(PreservedPath {
                path: path.to_owned(),
                kind: PreservedKind::Dir,
                digest: None,
                entries,
            })
        }
    }
}

fn collect(
    objects: &ObjectStore,
    root: &Path,
    directory: &Path,
    entries: &mut Vec<(String, String)>,
) -> Result<(), SnapshotError> {
    // Symlinks are neither followed nor saved, and `.cutover`/`.git` are
    // never entered: see `crate::fs::confine`.
    for relative in confine::list_files(directory).map_err(io(directory))? {
        let path = directory.join(&relative);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let relative = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        entries.push((relative, objects.put(&bytes).map_err(io(&path))?));
    }
    Ok(())
}

/// Makes every preserved path exactly as in the snapshot: files rewritten,
/// directories made to hold exactly the saved files, missing paths removed.
pub fn restore(
    objects: &ObjectStore,
    base_dir: &Path,
    files: &[PreservedPath],
) -> Result<(), SnapshotError> {
    for (index, preserved) in files.iter().enumerate() {
        let full = confine::resolve_io(base_dir, &preserved.path)
            .map_err(io(&base_dir.join(&preserved.path)))?;
        match preserved.kind {
            PreservedKind::File => {
                let digest = preserved.digest.as_deref().unwrap_or_default();
                let bytes = objects.get(digest).map_err(io(&full))?;
                if full.is_dir() {
                    std::fs::remove_dir_all(&full).map_err(io(&full))?;
                }
                write_atomically(&full, &bytes).map_err(io(&full))?;
            }
            PreservedKind::Dir => restore_dir(objects, &full, &preserved.entries)?,
            PreservedKind::Missing => remove(&full)?,
        }
        if index == 0 {
            failpoint("rollback-mid-restore");
        }
    }
    Ok(())
}

fn restore_dir(
    objects: &ObjectStore,
    full: &Path,
    entries: &[(String, String)],
) -> Result<(), SnapshotError> {
    if full.is_file() {
        std::fs::remove_file(full).map_err(io(full))?;
    }
    std::fs::create_dir_all(full).map_err(io(full))?;
    let mut present = Vec::new();
    list_files(full, full, &mut present);
    for extra in present
        .iter()
        .filter(|p| !entries.iter().any(|(e, _)| e == *p))
    {
        remove(&full.join(extra))?;
    }
    for (relative, digest) in entries {
        let target = confine::resolve_io(full, relative).map_err(io(&full.join(relative)))?;
        let current = std::fs::read(&target).ok().map(|b| digest_bytes(&b));
        if current.as_deref() != Some(digest.as_str()) {
            let bytes = objects.get(digest).map_err(io(&target))?;
            write_atomically(&target, &bytes).map_err(io(&target))?;
        }
    }
    Ok(())
}

fn list_files(root: &Path, directory: &Path, out: &mut Vec<String>) {
    debug_assert_eq!(root, directory);
    out.extend(confine::list_files(directory).unwrap_or_default());
}

fn remove(path: &Path) -> Result<(), SnapshotError> {
    confine::remove(path).map_err(io(path))
}

/// Paths whose content differs from the snapshot (empty: verified).
pub fn verify(base_dir: &Path, files: &[PreservedPath]) -> Vec<String> {
    let mut wrong = Vec::new();
    for preserved in files {
        let full = base_dir.join(&preserved.path);
        let ok = match preserved.kind {
            PreservedKind::File => {
                std::fs::read(&full).ok().map(|b| digest_bytes(&b)) == preserved.digest
            }
            PreservedKind::Dir => {
                let mut present = Vec::new();
                list_files(&full, &full, &mut present);
                present.sort();
                let expected: Vec<&String> = preserved.entries.iter().map(|(p, _)| p).collect();
                present.iter().collect::<Vec<_>>() == expected
                    && preserved.entries.iter().all(|(p, d)| {
                        std::fs::read(full.join(p))
                            .ok()
                            .map(|b| digest_bytes(&b))
                            .as_deref()
                            == Some(d.as_str())
                    })
            }
            PreservedKind::Missing => !full.exists(),
        };
        if !ok {
            wrong.push(preserved.path.clone());
        }
    }
    wrong
}

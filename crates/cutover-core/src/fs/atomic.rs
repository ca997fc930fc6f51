//! [`write_atomically`]: a file is either the old one or the new one; and
//! [`remove_stale_temporaries`]: the leftovers of writers that were killed.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use crate::process_identity::ProcessIdentity;

/// Suffix of every temporary file name: `.NAME.cutover-PID[-TICKS].tmp`.
const SUFFIX: &str = ".tmp";
/// Marker before the writer's identity in a temporary file name.
const MARKER: &str = ".cutover-";

/// This process's part of a temporary name: `PID-TICKS` (the start time
/// tells a dead writer from a later process that reuses its pid).
fn writer_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let me = ProcessIdentity::current();
        match me.start_ticks {
            Some(ticks) => format!("{}-{ticks}", me.pid),
            None => me.pid.to_string(),
        }
    })
}

/// The writer of a temporary file, if `file_name` is one of ours.
fn temporary_writer(file_name: &str) -> Option<ProcessIdentity> {
    let stem = file_name.strip_prefix('.')?.strip_suffix(SUFFIX)?;
    let tag = &stem[stem.rfind(MARKER)? + MARKER.len()..];
    let (pid, ticks) = match tag.split_once('-') {
        Some((pid, ticks)) => (pid, Some(ticks.parse().ok()?)),
        None => (tag, None),
    };
    Some(ProcessIdentity {
        pid: pid.parse().ok()?,
        start_ticks: ticks,
    })
}

/// Whether `file_name` is a temporary left by a writer that is gone.
pub fn is_stale_temporary(file_name: &str) -> bool {
    temporary_writer(file_name).is_some_and(|writer| !writer.is_running())
}

/// Removes, directly in `directory` (not below), the temporaries of
/// writers that died before their rename; a live writer's are left alone.
/// Returns the files removed (or, with `dry_run`, found) and their bytes.
/// A missing directory has none.
pub fn remove_stale_temporaries(directory: &Path, dry_run: bool) -> std::io::Result<(u64, u64)> {
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(error) => return Err(error),
    };
    let (mut files, mut bytes) = (0, 0);
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_stale_temporary) {
            continue;
        }
        let metadata = entry.metadata()?;
        if metadata.is_file() {
            if !dry_run {
                std::fs::remove_file(entry.path())?;
            }
            files += 1;
            bytes += metadata.len();
        }
    }
    Ok((files, bytes))
}

/// Writes `bytes` to `path` through a synced temporary file in the same
/// directory and a rename, creating the directory if needed: readers never
/// see a half-written file, and a crash leaves the old one in place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temporary(path, bytes, true)
}

/// Like [`write_atomically`] without the sync: readers still never see a
/// half-written file and a crash of any process leaves the old one or the
/// new one, but a power loss may lose the write. For evidence written on
/// every run (the spool), with the durability the store gives run records.
pub fn write_atomically_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temporary(path, bytes, false)
}

fn write_through_temporary(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(directory)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = directory.join(format!(".{name}{MARKER}{}{SUFFIX}", writer_tag()));
    let result = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            if sync {
                file.sync_all()?;
            }
            crate::failpoint::failpoint_at("atomic-write-before-rename", &name);
            Ok(())
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        // The temporary file is ours; the write's own error is what matters.
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub").join("a.txt");
        write_atomically(&path, b"one").expect("write");
        write_atomically(&path, b"two").expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let entries = std::fs::read_dir(dir.path().join("sub"))
            .expect("list")
            .count();
        assert_eq!(entries, 1);
    }

    #[test]
    fn removes_only_the_temporaries_of_dead_writers() {
        let dir = tempfile::tempdir().expect("tmp");
        let mine = format!(".a{MARKER}{}{SUFFIX}", writer_tag());
        let bare_live = format!(".b{MARKER}{}{SUFFIX}", std::process::id());
        // Same pid, another start time: a dead writer whose pid was reused.
        let reused = format!(".c{MARKER}{}-1{SUFFIX}", std::process::id());
        // Pids stop below 2^22: this one cannot be running.
        let dead = format!(".d.txt{MARKER}4194399{SUFFIX}");
        for name in [&mine, &bare_live, &reused, &dead, &"e.cutover-1.tmp".into()] {
            std::fs::write(dir.path().join(name), b"12345").expect("write");
        }
        assert_eq!(
            remove_stale_temporaries(dir.path(), false).expect("clean"),
            (2, 10)
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec![mine, bare_live, "e.cutover-1.tmp".to_owned()]);
        assert_eq!(
            remove_stale_temporaries(&dir.path().join("missing"), false).expect("none"),
            (0, 0)
        );
    }
}

//! Content digests (SHA-256) of bytes, files and directories. A directory's
//! digest is independent of the order its entries are listed in.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::spec::Component;

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// SHA-256 of bytes, as hex.
pub fn digest_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The digest of one declared output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputDigest {
    /// The output as declared.
    pub path: String,
    /// Digest, or `None` when the output is missing.
    pub digest: Option<String>,
}

/// Digests every declared output under `base`.
pub fn digest_outputs(base: &Path, outputs: &[String]) -> Vec<OutputDigest> {
    outputs
        .iter()
        .map(|output| OutputDigest {
            path: output.clone(),
            digest: digest_path(&base.join(output)),
        })
        .collect()
}

/// One digest over several paths (missing ones included as missing), e.g.
/// a component's legacy definition files for drift detection.
pub fn digest_paths(base: &Path, paths: &[String]) -> String {
    let mut hasher = Sha256::new();
    for output in digest_outputs(base, paths) {
        hasher.update(output.path.as_bytes());
        hasher.update(b"\t");
        hasher.update(output.digest.as_deref().unwrap_or("missing").as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

/// Prefix of [`definition_digest`]s; digests recorded without it are of
/// `legacy.sources` alone (written before run lines counted as drift).
const DEFINITION_V2: &str = "v2:";

/// The digest of how a component is defined — the content of
/// `legacy.sources` and both sides' command lines — recorded on entering
/// shadow so that `status` can flag drift.
pub fn definition_digest(base: &Path, component: &Component) -> Option<String> {
    let legacy = component.legacy.as_ref()?;
    let mut hasher = Sha256::new();
    hasher.update(digest_paths(base, &legacy.sources).as_bytes());
    for side in [Some(legacy), component.dagger.as_ref()] {
        let (run, shadow_run) = side.map_or(("", ""), |s| {
            (s.run.as_str(), s.shadow_run.as_deref().unwrap_or(""))
        });
        for line in [run, shadow_run] {
            hasher.update(b"\n");
            hasher.update(digest_bytes(line.as_bytes()).as_bytes());
        }
    }
    Some(format!("{DEFINITION_V2}{}", hex(&hasher.finalize())))
}

/// The digest of the Dagger side's implementation — the content of
/// `dagger.sources` and its command lines — recorded with every run so that
/// gates count only runs of the current implementation. `None` without a
/// Dagger side.
pub fn implementation_digest(base: &Path, component: &Component) -> Option<String> {
    let dagger = component.dagger.as_ref()?;
    let mut hasher = Sha256::new();
    hasher.update(digest_paths(base, &dagger.sources).as_bytes());
    for line in [
        dagger.run.as_str(),
        dagger.shadow_run.as_deref().unwrap_or(""),
    ] {
        hasher.update(b"\n");
        hasher.update(digest_bytes(line.as_bytes()).as_bytes());
    }
    Some(hex(&hasher.finalize()))
}

/// Whether the definition changed since `recorded` was taken (by this
/// version, or by an older one that digested `legacy.sources` only).
pub fn definition_changed(base: &Path, component: &Component, recorded: &str) -> bool {
    match (recorded.strip_prefix(DEFINITION_V2), &component.legacy) {
        (Some(_), _) => definition_digest(base, component).as_deref() != Some(recorded),
        (None, Some(legacy)) => recorded != digest_paths(base, &legacy.sources),
        (None, None) => false,
    }
}

/// Digest of a file's content, or of a directory tree (relative paths with
/// each file's mode and content digest, or a symlink's target, sorted);
/// `None` if the path does not exist. Symlinks are never followed: a link
/// counts as its target's name, so a loop cannot trap the walk and two
/// sides linking to one outside file do not match by reading it.
fn digest_path(path: &Path) -> Option<String> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if !metadata.is_dir() {
        return entry_digest(path, &metadata);
    }
    let mut entries = Vec::new();
    collect_entries(path, path, &mut entries);
    entries.sort();
    let mut hasher = Sha256::new();
    for (relative, digest) in entries {
        hasher.update(relative.as_bytes());
        hasher.update(b"\t");
        hasher.update(digest.as_bytes());
        hasher.update(b"\n");
    }
    Some(hex(&hasher.finalize()))
}

/// A file's content digest, or a symlink's digest of its target's name.
fn entry_digest(path: &Path, metadata: &std::fs::Metadata) -> Option<String> {
    if metadata.file_type().is_symlink() {
        let target = std::fs::read_link(path).ok()?;
        let mut named = b"symlink\0".to_vec();
        named.extend_from_slice(target.as_os_str().as_encoded_bytes());
        return Some(digest_bytes(&named));
    }
    std::fs::read(path).ok().map(|bytes| digest_bytes(&bytes))
}

/// `(relative path, "mode <octal> <digest>" or "link <target>")` for every
/// file and symlink under `directory`; symlinks are not followed.
fn collect_entries(root: &Path, directory: &Path, entries: &mut Vec<(String, String)>) {
    let Ok(listing) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in listing.flatten() {
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap_or_default();
            entries.push((relative, format!("link {}", target.display())));
        } else if metadata.is_dir() {
            collect_entries(root, &path, entries);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let mode = metadata.permissions().mode() & 0o7777;
            entries.push((relative, format!("mode {mode:o} {}", digest_bytes(&bytes))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sha256() {
        assert_eq!(
            digest_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn directories_digest_by_content_not_order() {
        let a = tempfile::tempdir().expect("tmp");
        let b = tempfile::tempdir().expect("tmp");
        for (dir, order) in [(&a, ["x", "y"]), (&b, ["y", "x"])] {
            std::fs::create_dir_all(dir.path().join("out/sub")).expect("mkdir");
            for name in order {
                std::fs::write(dir.path().join("out/sub").join(name), name).expect("write");
            }
        }
        let outputs = vec!["out".to_string(), "absent".to_string()];
        let da = digest_outputs(a.path(), &outputs);
        let db = digest_outputs(b.path(), &outputs);
        assert_eq!(da, db);
        assert!(da[1].digest.is_none());
        std::fs::write(b.path().join("out/sub/x"), "changed").expect("write");
        assert_ne!(digest_outputs(b.path(), &outputs)[0], da[0]);
    }

    #[test]
    fn symlinks_are_not_followed() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("out")).expect("mkdir");
        std::os::unix::fs::symlink(".", dir.path().join("out/loop")).expect("link");
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link")).expect("link");
        let digests = digest_outputs(dir.path(), &["out".into(), "link".into()]);
        assert!(digests.iter().all(|d| d.digest.is_some()));
        let content = std::fs::read("/etc/hostname").unwrap_or_default();
        assert_ne!(digests[1].digest, Some(digest_bytes(&content)));
    }

    #[test]
    fn digests_recorded_before_run_lines_counted_still_compare() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("ci.sh"), "make\n").expect("write");
        let spec = "version: 1\nmigration: { name: m, start: 2027-01-04 }\ncomponents:\n  - { id: c, kind: job, owner: o, effort: 1d, legacy: { run: sh ci.sh, sources: [ci.sh] }, dagger: { run: 'true' } }\n";
        let migration = crate::spec::parse_spec("m.yaml", spec).expect("spec");
        let component = &migration.components[0];
        let old = digest_paths(dir.path(), &["ci.sh".to_string()]);
        let new = definition_digest(dir.path(), component).expect("a legacy side");
        assert!(!definition_changed(dir.path(), component, &old));
        assert!(!definition_changed(dir.path(), component, &new));
        std::fs::write(dir.path().join("ci.sh"), "make all\n").expect("write");
        assert!(definition_changed(dir.path(), component, &old));
        assert!(definition_changed(dir.path(), component, &new));
    }

    #[test]
    fn directory_digests_see_modes_and_symlink_targets() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::write(out.join("a"), "a").expect("write");
        std::fs::write(out.join("b"), "b").expect("write");
        std::os::unix::fs::symlink("a", out.join("link")).expect("symlink");
        let outputs = vec!["out".to_string()];
        let before = digest_outputs(dir.path(), &outputs);
        std::fs::remove_file(out.join("link")).expect("rm");
        std::os::unix::fs::symlink("b", out.join("link")).expect("symlink");
        let relinked = digest_outputs(dir.path(), &outputs);
        assert_ne!(before, relinked);
        std::fs::set_permissions(out.join("a"), std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        assert_ne!(digest_outputs(dir.path(), &outputs), relinked);
    }
}

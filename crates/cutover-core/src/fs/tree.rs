//! Copying files and directory trees.

use std::path::Path;

/// Copies the directory `from` into `to`, skipping entries named in `skip`
/// at any depth; symbolic links and special files are not copied.
pub fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            copy_tree(&source, &target, skip)?;
        } else if file_type.is_file() {
            std::fs::copy(&source, &target)?;
        }
    }
    Ok(())
}

/// Copies a file or a directory to `target`, each file through a temporary
/// copy beside it and a rename, so readers never see a half-written file.
/// Symbolic links are copied as links (their target unchanged) and file
/// modes are kept, so a `.so → .so.1` chain stays one file and two links.
pub fn copy_path(source: &Path, target: &Path) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let metadata = std::fs::symlink_metadata(source)?;
    let temporary = target.with_extension(format!("cutover-{}.tmp", std::process::id()));
    if metadata.file_type().is_symlink() {
        let link = std::fs::read_link(source)?;
        let _ = std::fs::remove_file(&temporary);
        std::os::unix::fs::symlink(link, &temporary)?;
        return replace(&temporary, target);
    }
    if metadata.is_dir() {
        if std::fs::symlink_metadata(target).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(target)?;
        }
        std::fs::create_dir_all(target)?;
        for entry in std::fs::read_dir(source)? {
            let entry = entry?;
            copy_path(&entry.path(), &target.join(entry.file_name()))?;
        }
        return std::fs::set_permissions(target, metadata.permissions());
    }
    // `fs::copy` copies the permission bits too.
    std::fs::copy(source, &temporary)?;
    replace(&temporary, target)
}

/// Renames `temporary` over `target`; a directory in the way is an error.
fn replace(temporary: &Path, target: &Path) -> std::io::Result<()> {
    let result = std::fs::rename(temporary, target);
    if result.is_err() {
        let _ = std::fs::remove_file(temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_a_tree_without_the_skipped_names() {
        let dir = tempfile::tempdir().expect("tmp");
        let from = dir.path().join("from");
        std::fs::create_dir_all(from.join("a/.git")).expect("mkdir");
        std::fs::write(from.join("a/x.txt"), "x").expect("write");
        std::fs::write(from.join("a/.git/config"), "c").expect("write");
        let to = dir.path().join("to");
        copy_tree(&from, &to, &[".git"]).expect("copy");
        assert_eq!(
            std::fs::read_to_string(to.join("a/x.txt")).expect("read"),
            "x"
        );
        assert!(!to.join("a/.git").exists());
    }

    #[test]
    fn copies_keep_symlinks_and_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let from = dir.path().join("lib");
        std::fs::create_dir_all(&from).expect("mkdir");
        std::fs::write(from.join("libx.so.1.2"), "elf").expect("write");
        std::fs::set_permissions(
            from.join("libx.so.1.2"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod");
        std::os::unix::fs::symlink("libx.so.1.2", from.join("libx.so.1")).expect("symlink");
        std::os::unix::fs::symlink("libx.so.1", from.join("libx.so")).expect("symlink");
        let to = dir.path().join("copy/lib");
        copy_path(&from, &to).expect("copy");
        copy_path(&from, &to).expect("copy again over the first copy");
        assert_eq!(
            std::fs::read_link(to.join("libx.so")).expect("a link"),
            Path::new("libx.so.1")
        );
        assert_eq!(
            std::fs::read_link(to.join("libx.so.1")).expect("a link"),
            Path::new("libx.so.1.2")
        );
        let mode = std::fs::metadata(to.join("libx.so.1.2"))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

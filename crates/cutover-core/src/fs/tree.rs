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
}

//! `bytes`: byte-for-byte equality, the default. Directories are compared
//! entry by entry (modes and symlink targets included) and every differing
//! path is named; a differing text file is shown as a diff hunk.

use std::path::Path;

use super::{CompareContext, Verdict, read, tree, unified_hunk};

/// Files larger than this are not diffed, only said to differ.
const DIFF_LIMIT: usize = 4 * 1024 * 1024;

/// Compares two files or two directories byte for byte.
pub fn compare(a: &Path, b: &Path, context: &CompareContext<'_>) -> Verdict {
    tree::files_or_tree(a, b, context, &compare_files)
}

fn compare_files(a: &Path, b: &Path, context: &CompareContext<'_>) -> Verdict {
    let (left, right) = match (read(a, context.sides.0), read(b, context.sides.1)) {
        (Ok(left), Ok(right)) => (left, right),
        (Err(error), _) | (_, Err(error)) => return Verdict::Differs(error),
    };
    if left == right {
        return Verdict::Equivalent;
    }
    Verdict::Differs(explain(&left, &right, context))
}

/// A diff hunk for small text, sizes for anything else.
pub(super) fn explain(left: &[u8], right: &[u8], context: &CompareContext<'_>) -> String {
    let (side_a, side_b) = context.sides;
    match (std::str::from_utf8(left), std::str::from_utf8(right)) {
        (Ok(x), Ok(y)) if x.len() <= DIFF_LIMIT && y.len() <= DIFF_LIMIT => {
            unified_hunk(x, y, side_a.as_str(), side_b.as_str())
        }
        _ => format!(
            "binary content differs ({side_a} {} bytes, {side_b} {} bytes)",
            left.len(),
            right.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn tree_at(root: &Path, report: &str) {
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("sub/report.txt"), report).expect("write");
        std::fs::write(root.join("same.bin"), [0u8, 159, 146, 150]).expect("write");
        std::fs::set_permissions(
            root.join("same.bin"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        std::os::unix::fs::symlink("sub/report.txt", root.join("link")).expect("symlink");
    }

    #[test]
    fn a_directory_mismatch_names_the_file_and_shows_a_hunk() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        tree_at(&a, "x\ny\nz\n");
        tree_at(&b, "x\ny\nz\n");
        let context = super::super::test_context(dir.path());
        assert_eq!(compare(&a, &b, &context), Verdict::Equivalent);
        std::fs::write(b.join("sub/report.txt"), "x\nY\nz\n").expect("write");
        std::fs::set_permissions(b.join("same.bin"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::remove_file(b.join("link")).expect("rm");
        std::os::unix::fs::symlink("same.bin", b.join("link")).expect("symlink");
        let Verdict::Differs(why) = compare(&a, &b, &context) else {
            panic!("expected a difference")
        };
        assert!(
            why.starts_with("3 paths differ: `link`, `same.bin`, and `sub/report.txt`\n"),
            "{why}"
        );
        assert!(
            why.contains(
                "`link`: legacy symlink to `sub/report.txt`, dagger symlink to `same.bin`"
            ),
            "{why}"
        );
        assert!(
            why.contains("`same.bin`: legacy file mode 644, dagger file mode 755"),
            "{why}"
        );
        assert!(
            why.contains(
                "`sub/report.txt`: --- legacy\n+++ dagger\n@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z"
            ),
            "{why}"
        );
    }

    #[test]
    fn a_symlinked_output_is_named_not_followed() {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("secret.txt"), "outside content\n").expect("write");
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "inside\n").expect("write");
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), &b).expect("symlink");
        let context = super::super::test_context(dir.path());
        let verdict = compare(&a, &b, &context);
        assert!(
            !format!("{verdict:?}").contains("outside content"),
            "{verdict:?}"
        );
        assert!(
            format!("{verdict:?}").contains("not followed"),
            "{verdict:?}"
        );
    }
}

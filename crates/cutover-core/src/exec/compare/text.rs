//! `text`: file content compared after the component's `normalize` rules
//! (and each side's output directory replaced by `<out>`); a difference is
//! shown as a unified diff hunk. Directories are compared file by file.

use std::path::Path;

use similar::TextDiff;

use super::{CompareContext, Verdict, read, tree};

/// Most lines of diff shown for one file.
const MAX_DIFF_LINES: usize = 40;

/// Compares two files (or trees) as normalized text.
pub fn compare(a: &Path, b: &Path, context: &CompareContext<'_>) -> Verdict {
    tree::files_or_tree(a, b, context, &compare_files)
}

fn compare_files(a: &Path, b: &Path, context: &CompareContext<'_>) -> Verdict {
    let (left, right) = match (read(a, context.sides.0), read(b, context.sides.1)) {
        (Ok(left), Ok(right)) => (left, right),
        (Err(error), _) | (_, Err(error)) => return Verdict::Differs(error),
    };
    let normalize = |bytes: &[u8], out: &Path| {
        let placeholders = [(out.display().to_string(), "<out>")];
        context
            .normalizer
            .apply(&String::from_utf8_lossy(bytes), &placeholders)
    };
    let left = normalize(&left, context.out_dirs.0);
    let right = normalize(&right, context.out_dirs.1);
    if left == right {
        Verdict::Equivalent
    } else {
        Verdict::Differs(unified_hunk(
            &left,
            &right,
            context.sides.0.as_str(),
            context.sides.1.as_str(),
        ))
    }
}

/// A unified diff of two texts (3 lines of context), cut at 40 lines.
pub fn unified_hunk(a: &str, b: &str, name_a: &str, name_b: &str) -> String {
    let diff = TextDiff::from_lines(a, b);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(name_a, name_b)
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    lines.truncate(MAX_DIFF_LINES);
    let mut shown = lines.join("\n");
    if total > MAX_DIFF_LINES {
        shown.push_str(&format!("\n… {} more diff lines", total - MAX_DIFF_LINES));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::Normalizer;
    use crate::lifecycle::Side;

    #[test]
    fn normalized_content_is_compared_and_a_difference_is_a_hunk() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        std::fs::write(&a, "one\nbuilt 10:00\nthree\nfour\n").expect("write");
        std::fs::write(&b, "one\nbuilt 11:30\nthree\nfour\n").expect("write");
        let normalizer =
            Normalizer::new(&[("built [0-9:]+".into(), "built <t>".into())]).expect("regex");
        let context = CompareContext {
            sides: (Side::Legacy, Side::Dagger),
            normalizer: &normalizer,
            out_dirs: (dir.path(), dir.path()),
            working_dir: dir.path(),
        };
        assert_eq!(compare(&a, &b, &context), Verdict::Equivalent);
        std::fs::write(&b, "one\nbuilt 11:30\nTHREE\nfour\n").expect("write");
        let Verdict::Differs(hunk) = compare(&a, &b, &context) else {
            panic!("expected a difference")
        };
        assert_eq!(
            hunk,
            "--- legacy\n+++ dagger\n@@ -1,4 +1,4 @@\n one\n built <t>\n-three\n+THREE\n four"
        );
    }
}

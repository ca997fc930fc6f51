//! Parity: do both sides give the same result? Compared are the exit codes,
//! stdout after normalization (the spec's regex rules, then the run's own
//! paths replaced by placeholders) unless `stdout: ignore`, and every
//! declared output by its comparator (see `compare`). A mismatch gets a
//! readable summary naming what differs and where.

use std::path::{Path, PathBuf};

use super::compare::{CompareContext, Verdict, compare_output, unified_hunk};
use super::digest::OutputDigest;
use super::normalize::Normalizer;
use crate::lifecycle::Side;
use crate::spec::{Comparison, ParitySettings};

/// What one side produced, ready to compare.
#[derive(Debug, Clone)]
pub struct SideResult {
    /// Which side.
    pub side: Side,
    /// Its exit code.
    pub exit_code: i32,
    /// Normalized stdout.
    pub stdout: String,
    /// Digests of the declared outputs.
    pub outputs: Vec<OutputDigest>,
    /// Where its outputs are (for the first differing lines).
    pub out_dir: PathBuf,
}

/// The verdict of one comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parity {
    /// Same exit code, stdout and outputs.
    Match,
    /// Something differs.
    Mismatch {
        /// What differs, readably.
        summary: String,
    },
}

/// What a comparison needs besides the two results.
#[derive(Debug, Clone, Copy)]
pub struct ParityPlan<'a> {
    /// Whether stdout counts and each output's comparator.
    pub settings: &'a ParitySettings,
    /// The component's `normalize` rules (for `text` outputs).
    pub normalizer: &'a Normalizer,
    /// Where `command` comparators run.
    pub working_dir: &'a Path,
    /// Compare exit codes only: one side performed a real side effect and
    /// the other a dry run, so only their exit codes mean the same thing.
    pub exit_code_only: bool,
}

/// Compares two sides: exit codes, stdout (unless ignored) and every
/// declared output by its comparator (equal digests need no comparator).
pub fn compare(a: &SideResult, b: &SideResult, plan: &ParityPlan<'_>) -> Parity {
    let mut differences = Vec::new();
    if a.exit_code != b.exit_code {
        differences.push(format!(
            "exit code: {} {}, {} {}",
            a.side, a.exit_code, b.side, b.exit_code
        ));
    }
    if plan.exit_code_only {
        return verdict(differences);
    }
    if plan.settings.stdout && a.stdout != b.stdout {
        differences.push(format!(
            "stdout differs:\n{}",
            unified_hunk(&a.stdout, &b.stdout, a.side.as_str(), b.side.as_str())
        ));
    }
    let context = CompareContext {
        sides: (a.side, b.side),
        normalizer: plan.normalizer,
        out_dirs: (&a.out_dir, &b.out_dir),
        working_dir: plan.working_dir,
    };
    for (index, (x, y)) in a.outputs.iter().zip(&b.outputs).enumerate() {
        let comparison = plan
            .settings
            .outputs
            .get(index)
            .unwrap_or(&Comparison::Bytes);
        match (&x.digest, &y.digest) {
            (Some(dx), Some(dy)) if dx != dy => {
                let verdict = compare_output(
                    comparison,
                    &a.out_dir.join(&x.path),
                    &b.out_dir.join(&y.path),
                    &context,
                );
                if let Verdict::Differs(why) = verdict {
                    differences.push(format!(
                        "output `{}` differs ({}):\n{why}",
                        x.path,
                        comparison.name()
                    ));
                }
            }
            (Some(_), None) => {
                differences.push(format!("output `{}` missing on {}", x.path, b.side))
            }
            (None, Some(_)) => {
                differences.push(format!("output `{}` missing on {}", x.path, a.side))
            }
            (None, None) => differences.push(format!("output `{}` missing on both sides", x.path)),
            _ => {}
        }
    }
    verdict(differences)
}

/// A match when nothing differs, else a mismatch naming every difference.
fn verdict(differences: Vec<String>) -> Parity {
    if differences.is_empty() {
        Parity::Match
    } else {
        Parity::Mismatch {
            summary: differences.join("; "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(side: Side, exit_code: i32, stdout: &str, digest: Option<&str>) -> SideResult {
        SideResult {
            side,
            exit_code,
            stdout: stdout.into(),
            outputs: vec![OutputDigest {
                path: "report.txt".into(),
                digest: digest.map(Into::into),
            }],
            out_dir: PathBuf::from("/nonexistent"),
        }
    }

    #[test]
    fn names_what_differs() {
        let settings = ParitySettings::default();
        let normalizer = Normalizer::default();
        let plan = ParityPlan {
            settings: &settings,
            normalizer: &normalizer,
            working_dir: Path::new("."),
            exit_code_only: false,
        };
        let same = compare(
            &result(Side::Legacy, 0, "a\nb\n", Some("1")),
            &result(Side::Dagger, 0, "a\nb\n", Some("1")),
            &plan,
        );
        assert_eq!(same, Parity::Match);
        let differ = compare(
            &result(Side::Legacy, 0, "a\nb\n", Some("1")),
            &result(Side::Dagger, 2, "a\nc\n", None),
            &plan,
        );
        let Parity::Mismatch { summary } = differ else {
            panic!("expected a mismatch")
        };
        assert_eq!(
            summary,
            "exit code: legacy 0, dagger 2; stdout differs:\n--- legacy\n+++ dagger\n@@ -1,2 +1,2 @@\n a\n-b\n+c; output `report.txt` missing on dagger"
        );
    }
}

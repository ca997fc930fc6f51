//! `command`: a comparator of the user's own. It runs in the spec's
//! directory with both paths appended as arguments; exit 0 means
//! equivalent, otherwise its stdout (shortened) is the explanation.

use std::path::Path;
use std::time::Duration;

use super::{CompareContext, Verdict};
use crate::exec::{SideCommand, SideOutcome, run_side};

/// A comparator gets this long before it is stopped.
const TIMEOUT: Duration = Duration::from_secs(300);
/// Most bytes of its stdout kept as the explanation.
const MAX_EXPLANATION: usize = 4000;

/// Runs the user's comparator on both paths.
pub fn compare(a: &Path, b: &Path, run: &str, context: &CompareContext<'_>) -> Verdict {
    let scratch = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => return Verdict::Differs(format!("cannot run the comparator: {error}")),
    };
    let stdout = scratch.path().join("stdout");
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
    let command = SideCommand {
        line: format!("{run} {} {}", quote(a), quote(b)),
        working_dir: context.working_dir.to_owned(),
        env: Vec::new(),
        stdout_file: Some(stdout.clone()),
        stderr_file: Some(scratch.path().join("stderr")),
        live: false,
        timeout: Some(TIMEOUT),
        redact: Vec::new(),
    };
    let execution = run_side(&command);
    let said = std::fs::read(&stdout).unwrap_or_default();
    let mut said = String::from_utf8_lossy(&said).trim_end().to_owned();
    if said.len() > MAX_EXPLANATION {
        let cut = (0..=MAX_EXPLANATION)
            .rev()
            .find(|i| said.is_char_boundary(*i))
            .unwrap_or(0);
        said.truncate(cut);
        said.push('…');
    }
    match execution.outcome {
        SideOutcome::Succeeded => Verdict::Equivalent,
        SideOutcome::Failed { code } if said.is_empty() => {
            Verdict::Differs(format!("comparator `{run}` exited with {code}"))
        }
        SideOutcome::Failed { .. } => Verdict::Differs(said),
        other => Verdict::Differs(format!(
            "comparator `{run}` did not finish: {}",
            other.detail().unwrap_or_else(|| other.as_str().to_owned())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_zero_is_equivalent_and_stdout_explains() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "1\n").expect("write");
        std::fs::write(&b, "2\n").expect("write");
        let context = super::super::test_context(dir.path());
        let run = "sh -c 'test \"$(wc -l < \"$1\")\" = \"$(wc -l < \"$2\")\" && exit 0; echo line counts differ; exit 3' x";
        assert_eq!(compare(&a, &b, run, &context), Verdict::Equivalent);
        assert_eq!(
            compare(&a, &b, "cmp -s", &context),
            Verdict::Differs("comparator `cmp -s` exited with 1".into())
        );
        let said = "sh -c 'echo \"$1 and $2 differ\"; exit 1' x";
        let Verdict::Differs(why) = compare(&a, &b, said, &context) else {
            panic!("expected a difference")
        };
        assert!(why.ends_with("/b differ"), "{why}");
    }
}

//! Fuzz-style robustness: truncated and mutated versions of the bundled
//! example never panic; every rejection is a clean error with exit code 2.

use crate::util::{Test, example_dir};

/// Deterministic mutations of `text`, seeded so failures reproduce.
pub fn mutations(text: &str, count: usize) -> Vec<String> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let tokens = [
        ":", "- ", "[", "]", "{", "}", "&a ", "*a", "\t", "\"", "'", "? ", "!!int ", "\u{feff}",
        "é", "0", "-1", "~", "|", ">", "#", "\n  ", "<<: *a",
    ];
    let lines: Vec<&str> = text.lines().collect();
    (0..count)
        .map(|i| match i % 5 {
            0 => {
                let cut = (next() as usize) % text.len();
                text[..text.floor_char_boundary(cut)].to_owned()
            }
            1 => {
                let mut l = lines.clone();
                let at = (next() as usize) % l.len();
                l.remove(at);
                l.join("\n")
            }
            2 => {
                let mut l = lines.clone();
                let at = (next() as usize) % l.len();
                l.insert(at, lines[(next() as usize) % lines.len()]);
                l.join("\n")
            }
            _ => {
                let at = text.floor_char_boundary((next() as usize) % text.len());
                let token = tokens[(next() as usize) % tokens.len()];
                format!("{}{}{}", &text[..at], token, &text[at..])
            }
        })
        .collect()
}

#[test]
fn mutated_specs_fail_cleanly() {
    let text = std::fs::read_to_string(example_dir().join("migration.yaml")).expect("example");
    let mut rejected = 0;
    for (i, spec) in mutations(&text, 120).into_iter().enumerate() {
        let outcome = Test::new()
            .spec(&spec)
            .args(&["plan", "--format", "json"])
            .run();
        assert!(
            outcome.code == 0 || outcome.code == 2,
            "mutation {i} exited {}:\n{}",
            outcome.code,
            outcome.stderr
        );
        assert!(
            !outcome.stderr.contains("panicked"),
            "mutation {i} panicked:\n{}",
            outcome.stderr
        );
        if outcome.code == 2 {
            rejected += 1;
            assert!(
                outcome.stderr.starts_with("error:"),
                "mutation {i}: {}",
                outcome.stderr
            );
            assert!(
                outcome.stdout.is_empty(),
                "mutation {i} printed a plan and failed"
            );
        } else {
            serde_json::from_str::<serde_json::Value>(&outcome.stdout)
                .expect("accepted mutation gives a valid plan");
        }
    }
    assert!(
        rejected > 40,
        "mutations should mostly be rejected, got {rejected}"
    );
}

//! Secrets, single- and multi-line, never leave the sides: both sides print
//! them and write them into their outputs, differently enough to mismatch;
//! afterwards nothing under `.cutover/`, no command's output and no
//! generated document holds a secret value or any line of the key.

use std::path::{Path, PathBuf};

use crate::util::Test;

const TOKEN: &str = "tok-S3CR3T-4f9a1c";
const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ
-----END PRIVATE KEY-----";

/// Both sides print the secrets (stdout and stderr) and write them to
/// their outputs; Dagger's lines differ, so parity quotes them.
const SPEC: &str = r#"version: 1
migration: { name: secrets, start: 2027-01-04 }
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    secrets: [API_TOKEN, TLS_KEY]
    recheck: 1
    outputs: [report.txt, key.pem]
    legacy:
      run: 'echo "token=$API_TOKEN"; printf "%s\n" "$TLS_KEY"; echo "err $API_TOKEN" >&2; printf "file has %s\n" "$API_TOKEN" > $CUTOVER_OUT/report.txt; printf "%s\n" "$TLS_KEY" > $CUTOVER_OUT/key.pem'
    dagger:
      run: 'echo "token:$API_TOKEN"; printf "%s\n" "$TLS_KEY" | tac; echo "err $API_TOKEN" >&2; printf "file holds %s\n" "$API_TOKEN" > $CUTOVER_OUT/report.txt; printf "%s\n" "$TLS_KEY" | tac > $CUTOVER_OUT/key.pem'
"#;

/// Every secret fragment worth finding: the token and each line of the key.
fn needles() -> Vec<String> {
    std::iter::once(TOKEN.to_owned())
        .chain(KEY.lines().skip(1).take(3).map(str::to_owned))
        .collect()
}

#[track_caller]
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for needle in needles() {
        assert!(!text.contains(&needle), "{what} holds `{needle}`:\n{text}");
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn secrets_reach_no_record_no_output_and_no_document() {
    let test = Test::new().spec(SPEC);
    let command = |args: &[&str]| {
        Test::at(test.path())
            .env("API_TOKEN", TOKEN)
            .env("TLS_KEY", KEY)
            .args(args)
            .run()
    };
    command(&["advance", "job", "--to", "shadow"]).code(0);
    let run = command(&["run", "job"]);
    run.code(0).stderr_has("parity: mismatch");
    assert!(run.stdout.contains("token=***"), "{}", run.stdout);
    let mut outputs = vec![("run".to_owned(), run.stdout, run.stderr)];
    for args in [
        &["status"][..],
        &["status", "--format", "json"],
        &["runs", "job"],
        &["runs", "job", "--format", "json"],
        &["log"],
        &["gate", "job"],
        &["docs", "--out", "docs"],
    ] {
        let outcome = command(args);
        outputs.push((args.join(" "), outcome.stdout, outcome.stderr));
    }
    let runs = &outputs[3].1;
    assert!(runs.contains("differs"), "the summary is kept: {runs}");
    for (what, stdout, stderr) in &outputs {
        assert_clean(&format!("`{what}` stdout"), stdout.as_bytes());
        assert_clean(&format!("`{what}` stderr"), stderr.as_bytes());
    }
    let state = files(&test.path().join(".cutover"));
    assert!(
        state.iter().any(|p| p.ends_with("out/key.pem")),
        "the sides' outputs are kept: {state:?}"
    );
    for path in state.iter().chain(&files(&test.path().join("docs"))) {
        assert_clean(
            &path.display().to_string(),
            &std::fs::read(path).expect("read"),
        );
    }
    // CI still gets the authoritative side's outputs exactly as written.
    let delivered = std::fs::read_to_string(test.path().join("key.pem")).expect("output");
    assert_eq!(delivered, format!("{KEY}\n"));
}

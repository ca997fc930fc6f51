//! Parity on a real build: the small C library `mathx` (tests/fixtures/mathx)
//! built by its Makefile (legacy side) and by CMake (new side) — equivalent
//! results, never identical bytes — compared with `compare:` settings alone.

use std::path::Path;

use crate::util::Test;

const MATHX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mathx");

/// The mathx spec; `dagger` is the new side's command line.
fn mathx_spec(dagger: &str, outputs: &str) -> String {
    format!(
        "version: 1
migration:
  name: mathx
  start: 2027-01-04
components:
  - id: mathx
    kind: library
    owner: me
    effort: 1d
    legacy:
      run: make check dist OUT=\"$CUTOVER_OUT\"
    dagger:
      run: {dagger}
    stdout: ignore
    outputs:
{outputs}"
    )
}

const COMPARED: &str = "      - { path: libmathx.a, compare: symbols, allow: [\"mathx_build_*\"] }
      - { path: results.xml, compare: junit }
      - path: install
        compare: archive
        members: [{ match: \"lib/*.a\", compare: symbols, allow: [\"mathx_build_*\"] }]
      - path: mathx.tar.gz
        compare: archive
        members: [{ match: \"lib/*.a\", compare: symbols, allow: [\"mathx_build_*\"] }]
";

/// A test directory holding a copy of mathx and `spec`, in shadow mode.
fn mathx_in_shadow(spec: &str) -> Test {
    let test = Test::new().spec(spec);
    copy_dir(Path::new(MATHX), test.path());
    Test::at(test.path())
        .args(&["advance", "mathx", "--to", "shadow"])
        .run()
        .code(0);
    test
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn json(test: &Test, args: &[&str]) -> serde_json::Value {
    let outcome = Test::at(test.path()).args(args).run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("JSON")
}

#[test]
fn make_and_cmake_builds_reach_parity_through_their_comparators() {
    let test = mathx_in_shadow(&mathx_spec("./dagger.sh", COMPARED));
    for _ in 0..10 {
        let outcome = Test::at(test.path()).args(&["run", "mathx"]).run();
        outcome.code(0).stderr_has("parity: match");
    }
    let status = json(&test, &["status", "--format", "json"]);
    let mathx = &status["components"][0];
    assert_eq!(mathx["runs"]["dagger"], 10);
    assert_eq!(mathx["runs"]["mismatches"], 0);
    assert_eq!(mathx["parity"], 1.0);
    let runs = json(&test, &["runs", "mathx", "--format", "json"]);
    assert_eq!(
        runs["parity_basis"],
        "exit code, libmathx.a (symbols), results.xml (junit), install (archive), mathx.tar.gz (archive)"
    );
    // The bytes really differ: compared as plain paths, nothing matches.
    let plain = "      - libmathx.a\n      - results.xml\n      - install\n      - mathx.tar.gz\n";
    let bytes = mathx_in_shadow(&mathx_spec("./dagger.sh", plain));
    let outcome = Test::at(bytes.path()).args(&["run", "mathx"]).run();
    outcome.code(0).stderr_has("parity: mismatch");
    for output in ["libmathx.a", "results.xml", "install", "mathx.tar.gz"] {
        outcome.stderr_has(&format!("output `{output}` differs (bytes)"));
    }
}

#[test]
fn a_broken_test_is_a_mismatch_naming_that_test() {
    let test = mathx_in_shadow(&mathx_spec("MATHX_BREAK=test_mul ./dagger.sh", COMPARED));
    let outcome = Test::at(test.path()).args(&["run", "mathx"]).run();
    outcome.code(0).stderr_has(
        "parity: mismatch: output `results.xml` differs (junit):\n1 test differs\n`mathx.test_mul`: legacy passed, dagger failed",
    );
    assert!(
        !outcome.stderr.contains("libmathx.a") && !outcome.stderr.contains("install"),
        "only the test results differ: {}",
        outcome.stderr
    );
}

#[test]
fn a_directory_output_with_one_changed_file_names_it_with_a_hunk() {
    let write = |line: &str| {
        format!(
            "\"mkdir -p $CUTOVER_OUT/site/docs; printf 'title\\\\n{line}\\\\nfooter\\\\n' > $CUTOVER_OUT/site/docs/index.txt; echo same > $CUTOVER_OUT/site/other.txt\""
        )
    };
    let spec = format!(
        "version: 1
migration:
  name: site
  start: 2027-01-04
components:
  - id: site
    kind: job
    owner: me
    effort: 1d
    legacy:
      run: {}
    dagger:
      run: {}
    outputs: [site]
",
        write("old body"),
        write("new body")
    );
    let test = Test::new().spec(&spec);
    Test::at(test.path())
        .args(&["advance", "site", "--to", "shadow"])
        .run()
        .code(0);
    let outcome = Test::at(test.path()).args(&["run", "site"]).run();
    outcome.code(0).stderr_has(
        "output `site` differs (bytes):\n1 path differs: `docs/index.txt`\n`docs/index.txt`: --- legacy\n+++ dagger\n@@ -1,3 +1,3 @@\n title\n-old body\n+new body\n footer",
    );
}

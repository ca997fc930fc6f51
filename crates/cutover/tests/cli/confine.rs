//! Nothing escapes the project: `..`, absolute paths and symlinks out of
//! the project in every path field are reported by `check` with their
//! line and column; and when symlinks appear after `check` (created by a
//! side, or by hand), runs and rollbacks refuse to follow them. A tree
//! outside the project is compared byte for byte before and after.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::util::Test;

/// Every file, directory and link under `root`, with contents: the
/// byte-identical fingerprint of a tree.
fn fingerprint(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_owned()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).expect("read dir").flatten() {
            let path = entry.path();
            let name = path
                .strip_prefix(root)
                .expect("under root")
                .display()
                .to_string();
            let kind = entry.file_type().expect("type");
            if kind.is_dir() {
                found.insert(format!("{name}/"), Vec::new());
                pending.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                found.insert(
                    format!("{name}@"),
                    target.display().to_string().into_bytes(),
                );
            } else {
                found.insert(name, std::fs::read(&path).expect("read"));
            }
        }
    }
    found
}

/// An outside tree worth protecting: files and a subdirectory.
fn outside_tree() -> tempfile::TempDir {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(outside.path().join("sub")).expect("mkdir");
    std::fs::write(outside.path().join("victim.txt"), "precious\n").expect("write");
    std::fs::write(outside.path().join("sub/victim2"), "also precious\n").expect("write");
    outside
}

#[test]
fn check_reports_every_path_that_leaves_the_project() {
    let outside = outside_tree();
    let out = outside.path().display().to_string();
    let spec = format!(
        "version: 1
migration: {{ name: paths, start: 2027-01-04 }}
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: {{ run: 'true', sources: [/etc/passwd] }}
    dagger: {{ run: 'true', sources: [../up.txt] }}
    outputs: [../../../../../victim.txt, {out}/victim.txt, dist/escape/file]
    preserve: [../victim2, config/shared]
    acceptance:
      - {{ name: t, run: 'true', files: [.cutover/state.db] }}
phases:
  - phase: 1
    integration:
      - {{ name: i, run: 'true', files: [loop/x] }}
rollback:
  preserve: [.git/config, ok/fine.txt]
"
    );
    let test = Test::new().spec(&spec);
    std::fs::create_dir_all(test.path().join("config")).expect("mkdir");
    std::fs::create_dir_all(test.path().join("dist")).expect("mkdir");
    symlink(outside.path(), test.path().join("config/shared")).expect("link");
    symlink(outside.path(), test.path().join("dist/escape")).expect("link");
    symlink("loop", test.path().join("loop")).expect("link");
    let before = fingerprint(outside.path());
    let outcome = Test::at(test.path()).args(&["check"]).run();
    outcome
        .code(2)
        .stderr_has("migration.yaml:8:38: path `/etc/passwd` is absolute (at `components[0].legacy.sources[0]`)")
        .stderr_has("migration.yaml:9:38: path `../up.txt` leaves the project with `..` (at `components[0].dagger.sources[0]`)")
        .stderr_has("migration.yaml:10:15: path `../../../../../victim.txt` leaves the project")
        .stderr_has(&format!("migration.yaml:10:42: path `{out}/victim.txt` is absolute"))
        .stderr_has("path `dist/escape/file` resolves to")
        .stderr_has("(at `components[0].outputs[2]`)")
        .stderr_has("migration.yaml:11:16: path `../victim2` leaves the project")
        .stderr_has("path `config/shared` resolves to")
        .stderr_has("migration.yaml:13:41: path `.cutover/state.db` is inside `.cutover`")
        .stderr_has("migration.yaml:17:41: path `loop/x` goes through a symlink that cannot be resolved")
        .stderr_has("migration.yaml:19:14: path `.git/config` is inside `.git`")
        .stderr_has("has 10 problems");
    assert!(
        !outcome.stderr.contains("path `ok/fine.txt`"),
        "{}",
        outcome.stderr
    );
    assert_eq!(fingerprint(outside.path()), before);
}

/// A valid spec whose symlinks out of the project appear only at run time.
fn spec(legacy: &str) -> String {
    format!(
        "version: 1
migration: {{ name: paths, start: 2027-01-04 }}
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: {{ run: '{legacy}' }}
    dagger: {{ run: 'mkdir -p $CUTOVER_OUT/dist && echo b > $CUTOVER_OUT/dist/a.txt' }}
    outputs: [dist, report.txt]
    preserve: [config]
"
    )
}

#[test]
fn runs_never_write_through_symlinks_out_of_the_project() {
    let outside = outside_tree();
    // The authoritative side writes its outputs, plants a symlink loop in
    // them, and points the workspace's `report.txt` and `dist` outside.
    let legacy = format!(
        "mkdir -p $CUTOVER_OUT/dist && echo a > $CUTOVER_OUT/dist/a.txt && ln -s . $CUTOVER_OUT/dist/loop && echo r > $CUTOVER_OUT/report.txt && ln -s {0} dist && ln -s {0}/victim.txt report.txt; exit 0",
        outside.path().display()
    );
    let test = Test::new().spec(&spec(&legacy));
    Test::at(test.path())
        .args(&["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    let before = fingerprint(outside.path());
    let outcome = Test::at(test.path()).args(&["run", "job"]).run();
    outcome
        .code(0)
        .stderr_has("warning: output `dist` was not copied")
        .stderr_has("warning: output `report.txt` was not copied");
    assert_eq!(
        fingerprint(outside.path()),
        before,
        "the outside tree changed"
    );
    // From now on every command names the links the side left behind.
    Test::at(test.path())
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("path `dist` resolves to");
    std::fs::remove_file(test.path().join("dist")).expect("rm link");
    std::fs::remove_file(test.path().join("report.txt")).expect("rm link");
    let status = Test::at(test.path())
        .args(&["status", "--format", "json"])
        .run();
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    assert_eq!(
        status["components"][0]["runs"]["incomplete"], 0,
        "the run was recorded"
    );
}

#[test]
fn rollbacks_never_follow_symlinks_out_of_the_project() {
    let outside = outside_tree();
    let test = Test::new().spec(&spec("true"));
    std::fs::create_dir_all(test.path().join("config")).expect("mkdir");
    std::fs::write(test.path().join("config/app.yaml"), "v1\n").expect("write");
    Test::at(test.path())
        .args(&["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    // After the snapshot: a link out of the project inside the preserved
    // directory, and a change rollback must undo.
    symlink(outside.path(), test.path().join("config/shared")).expect("link");
    std::fs::write(test.path().join("config/app.yaml"), "v2\n").expect("write");
    let before = fingerprint(outside.path());
    Test::at(test.path())
        .args(&["rollback", "--overwrite", "job", "--reason", "test"])
        .run()
        .code(0);
    assert_eq!(
        fingerprint(outside.path()),
        before,
        "the outside tree changed"
    );
    assert_eq!(
        std::fs::read_to_string(test.path().join("config/app.yaml")).expect("restored"),
        "v1\n"
    );
    // The preserved directory itself replaced by a link out: refused.
    Test::at(test.path())
        .args(&["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    std::fs::remove_dir_all(test.path().join("config")).expect("rm");
    symlink(outside.path(), test.path().join("config")).expect("link");
    let outcome = Test::at(test.path())
        .args(&["rollback", "--overwrite", "job", "--reason", "test"])
        .run();
    assert_ne!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("outside the project"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        fingerprint(outside.path()),
        before,
        "the outside tree changed"
    );
}

#[test]
fn preserving_the_whole_project_never_touches_the_state() {
    let test = Test::new().spec(&spec("true").replace("preserve: [config]", "preserve: [.]"));
    Test::at(test.path())
        .args(&["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    std::fs::write(test.path().join("notes.txt"), "work\n").expect("write");
    Test::at(test.path())
        .args(&["rollback", "--overwrite", "job", "--reason", "test"])
        .run()
        .code(0);
    assert!(test.path().join(".cutover/state.db").exists());
    // The work done since is gone from the tree but kept in the safety snapshot.
    let objects = test.path().join(".cutover/snapshots/objects");
    let kept = std::fs::read_dir(&objects)
        .expect("objects")
        .flatten()
        .any(|o| std::fs::read(o.path()).is_ok_and(|b| b == b"work\n"));
    assert!(kept, "the safety snapshot lost notes.txt");
    Test::at(test.path())
        .args(&["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    Test::at(test.path())
        .args(&["rollback", "--overwrite", "job", "--reason", "again"])
        .run()
        .code(0);
    Test::at(test.path()).args(&["status"]).run().code(0);
}

#[test]
fn output_mappings_are_confined_like_output_paths() {
    let spec = "version: 1
migration: { name: paths, start: 2027-01-04 }
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: { run: 'true' }
    dagger: { run: 'true' }
    outputs:
      - { path: ../report.xml, compare: junit }
      - { path: dist/lib, compare: bytes }
";
    let test = Test::new().spec(spec);
    Test::at(test.path())
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("path `../report.xml` leaves the project")
        .stderr_has("(at `components[0].outputs[0].path`)")
        .stderr_has("has 1 problem");
}

//! Snapshots and restores at run time, when symlinks out of the project
//! appear after the spec was checked: restore neither writes nor deletes
//! through them, and the state directory is never part of a snapshot.

use std::os::unix::fs::symlink;

use cutover_core::snapshot::{ObjectStore, restore, save_paths};

#[test]
fn restore_never_follows_a_link_planted_after_the_snapshot() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("victim"), "precious").expect("write");
    let project = tempfile::tempdir().expect("tmp");
    let root = project.path();
    std::fs::create_dir_all(root.join("config/sub")).expect("mkdir");
    std::fs::write(root.join("config/sub/app.yaml"), "v1").expect("write");
    std::fs::create_dir_all(root.join(".cutover")).expect("mkdir");
    std::fs::write(root.join(".cutover/state.db"), "state").expect("write");
    let objects = ObjectStore::new(&root.join(".cutover"));
    let saved = save_paths(&objects, root, &["config".into(), ".".into()]).expect("save");
    assert!(
        saved[1]
            .entries
            .iter()
            .all(|(path, _)| !path.starts_with(".cutover")),
        "the state directory was saved: {:?}",
        saved[1].entries
    );
    // A directory the snapshot holds is now a link out of the project.
    std::fs::remove_dir_all(root.join("config/sub")).expect("rm");
    symlink(outside.path(), root.join("config/sub")).expect("link");
    let error = restore(&objects, root, &saved[..1]).expect_err("refused");
    assert!(format!("{error:?}").contains("Outside"), "{error:?}");
    assert_eq!(
        std::fs::read_to_string(outside.path().join("victim")).expect("kept"),
        "precious"
    );
    assert_eq!(std::fs::read_dir(outside.path()).expect("ls").count(), 1);
    // Restoring the whole project leaves the state alone.
    std::fs::remove_file(root.join("config/sub")).expect("rm link");
    std::fs::write(root.join(".cutover/state.db"), "newer state").expect("write");
    restore(&objects, root, &saved[1..]).expect("restore");
    assert_eq!(
        std::fs::read_to_string(root.join(".cutover/state.db")).expect("state"),
        "newer state"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("config/sub/app.yaml")).expect("restored"),
        "v1"
    );
}

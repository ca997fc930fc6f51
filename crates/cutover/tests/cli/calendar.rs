//! `cutover comms schedule --ics`: the agenda read back by an independent
//! parser (Python's icalendar, `data/ics_read.py`), stable UIDs across
//! exports, and bad input refused with nothing written.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{Test, VALID, example_dir};

const ICS_READ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/data/ics_read.py");

fn example_spec() -> String {
    example_dir()
        .join("migration.yaml")
        .to_string_lossy()
        .into_owned()
}

/// The events of an `.ics` file as Python's icalendar reads them.
#[track_caller]
pub fn read_ics(path: &Path) -> Value {
    let output = Command::new("python3")
        .arg(ICS_READ)
        .arg(path)
        .output()
        .expect("python3 runs (scripts/test.sh installs icalendar)");
    assert!(
        output.status.success(),
        "icalendar could not read {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("ics_read.py prints JSON")
}

fn events(calendar: &Value) -> &Vec<Value> {
    calendar["events"].as_array().expect("events")
}

fn uids(calendar: &Value) -> Vec<String> {
    events(calendar)
        .iter()
        .map(|e| e["uid"].as_str().expect("uid").to_owned())
        .collect()
}

/// The example's plan as `cutover plan --format json` gives it.
fn example_plan() -> Value {
    let outcome = Test::new()
        .args(&["plan", &example_spec(), "--format", "json"])
        .run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("plan JSON")
}

#[test]
fn the_example_schedule_reads_back_with_every_milestone_and_the_same_uids_twice() {
    let test = Test::new();
    let first = test.path().join("first.ics");
    let second = test.path().join("second.ics");
    for path in [&first, &second] {
        let path = path.to_string_lossy();
        Test::at(test.path())
            .args(&[
                "--spec",
                &example_spec(),
                "comms",
                "schedule",
                "--ics",
                &path,
            ])
            .run()
            .code(0)
            .stdout_has("9 phase starts, 9 gates, 9 retirement dates");
    }
    let (first, second) = (read_ics(&first), read_ics(&second));
    assert_eq!(first["name"], "orchestrator-to-dagger");
    let first_uids = uids(&first);
    assert_eq!(first_uids, uids(&second), "a re-export must keep every UID");
    let distinct: BTreeSet<&String> = first_uids.iter().collect();
    assert_eq!(distinct.len(), first_uids.len(), "UIDs must be unique");

    let plan = example_plan();
    let on = |category: &str, date: &str, words: &str| {
        events(&first).iter().any(|e| {
            e["categories"][0] == category
                && e["date"] == date
                && e["summary"].as_str().is_some_and(|s| s.contains(words))
        })
    };
    for phase in plan["phases"].as_array().expect("phases") {
        let title = format!(
            "phase {} ({})",
            phase["number"],
            phase["name"].as_str().expect("name")
        );
        let date = |key: &str| phase[key].as_str().expect("date").to_owned();
        assert!(on("phase start", &date("start"), &title), "{title} start");
        assert!(on("gate", &date("gate"), &title), "{title} gate");
        assert!(
            on("retirement", &date("retirement"), &title),
            "{title} retirement"
        );
    }
    // Every owner team has its training due before its first component
    // enters shadow.
    let components = plan["components"].as_array().expect("components");
    let teams: BTreeSet<&str> = components
        .iter()
        .map(|c| c["owner"].as_str().expect("owner"))
        .collect();
    for team in teams {
        let first_shadow = components
            .iter()
            .filter(|c| c["owner"] == team)
            .map(|c| c["shadow_start"].as_str().expect("date"))
            .min()
            .expect("a component");
        let sessions: Vec<&str> = events(&first)
            .iter()
            .filter(|e| e["categories"][0] == "training")
            .filter(|e| {
                e["summary"]
                    .as_str()
                    .is_some_and(|s| s.contains(&format!("training for {team} —")))
            })
            .map(|e| e["date"].as_str().expect("all-day"))
            .collect();
        assert!(!sessions.is_empty(), "no training for {team}");
        assert!(
            sessions.iter().min().is_some_and(|d| *d < first_shadow),
            "{team}'s first session must come before {first_shadow}"
        );
    }
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let test = Test::new().spec(VALID).file("old.ics", "old calendar\n");
    // A spec that does not validate: the existing file is left as it was.
    let broken = test.path().join("broken.yaml");
    std::fs::write(&broken, VALID.replace("effort: 2d", "effort: soon")).expect("write");
    Test::at(test.path())
        .args(&[
            "--spec",
            "broken.yaml",
            "comms",
            "schedule",
            "--ics",
            "old.ics",
        ])
        .run()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(test.path().join("old.ics")).expect("read"),
        "old calendar\n"
    );
    std::fs::create_dir(test.path().join("folder.ics")).expect("mkdir");
    for (target, message) in [
        ("agenda.txt", "must end in `.ics`"),
        ("missing/agenda.ics", "its directory does not exist"),
        ("folder.ics", "is a directory"),
    ] {
        Test::at(test.path())
            .args(&["comms", "schedule", "--ics", target])
            .run()
            .code(2)
            .stderr_has(message);
    }
    let names: Vec<String> = test
        .files()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        names,
        ["broken.yaml", "folder.ics", "migration.yaml", "old.ics"]
    );
    // A good export replaces the old file whole.
    Test::at(test.path())
        .args(&["comms", "schedule", "--ics", "old.ics"])
        .run()
        .code(0);
    let calendar = read_ics(&test.path().join("old.ics"));
    assert!(uids(&calendar).contains(&"phase-1-start@demo.cutover".to_owned()));
}

#[test]
fn status_updates_recur_per_group_in_the_schedules_time_zone_across_daylight_saving() {
    let test = Test::new();
    let path = test.path().join("agenda.ics");
    Test::at(test.path())
        .args(&[
            "--spec",
            &example_spec(),
            "comms",
            "schedule",
            "--ics",
            "agenda.ics",
        ])
        .run()
        .code(0)
        .stdout_has("4 recurring status updates");
    let calendar = read_ics(&path);
    let series = |group: &str| -> (String, Vec<String>) {
        let event = events(&calendar)
            .iter()
            .find(|e| e["uid"] == format!("status-update-{group}@orchestrator-to-dagger.cutover"))
            .unwrap_or_else(|| panic!("no status updates to {group}"));
        assert_eq!(event["tzid"], "Europe/Berlin");
        let slots = event["occurrences"].as_array().expect("timed");
        (
            event["local_time"].as_str().expect("time").to_owned(),
            slots
                .iter()
                .map(|s| s.as_str().expect("instant").to_owned())
                .collect(),
        )
    };
    // The example: management every Monday 09:00, developers every Tuesday
    // 10:00, operations every work day 08:30, end users every other
    // Thursday 14:00 — from the plan's first day (Monday 2027-01-04) to its
    // last retirement date (2027-04-13). Berlin moves to summer time on
    // 2027-03-28, so 09:00 is 08:00Z before and 07:00Z after.
    let (at, management) = series("management");
    assert_eq!(at, "09:00");
    assert_eq!(management.len(), 15);
    assert_eq!(management[0], "2027-01-04T08:00:00Z");
    assert!(management.contains(&"2027-03-22T08:00:00Z".to_owned()));
    assert!(management.contains(&"2027-03-29T07:00:00Z".to_owned()));
    assert_eq!(management[14], "2027-04-12T07:00:00Z");
    let (at, developers) = series("developers");
    assert_eq!((at.as_str(), developers.len()), ("10:00", 15));
    assert_eq!(developers[0], "2027-01-05T09:00:00Z");
    // Every work day: weekends and the two holidays in range have none.
    let (at, operations) = series("operations");
    assert_eq!((at.as_str(), operations.len()), ("08:30", 70));
    for holiday in ["2027-01-18", "2027-02-15", "2027-01-09", "2027-01-10"] {
        assert!(
            !operations.iter().any(|slot| slot.starts_with(holiday)),
            "an update on {holiday}"
        );
    }
    assert!(operations.contains(&"2027-01-19T07:30:00Z".to_owned()));
    assert_eq!(operations[69], "2027-04-13T06:30:00Z");
    let (at, end_users) = series("end_users");
    assert_eq!(at, "14:00");
    assert_eq!(
        end_users,
        [
            "2027-01-07T13:00:00Z",
            "2027-01-21T13:00:00Z",
            "2027-02-04T13:00:00Z",
            "2027-02-18T13:00:00Z",
            "2027-03-04T13:00:00Z",
            "2027-03-18T13:00:00Z",
            "2027-04-01T12:00:00Z"
        ]
    );
}

//! Tests of the store as a whole: old files migrate, the log is append-only.

use rusqlite::Connection;

use super::schema::{MIGRATIONS, current_version};
use super::{Durability, Store};
use crate::event::{Event, EventKind, NewEvent};
use crate::lifecycle::{Mode, ModeState};

#[test]
fn opens_a_database_from_schema_version_1() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("state.db");
    {
        let connection = Connection::open(&path).expect("open");
        connection.execute_batch(MIGRATIONS[0]).expect("v1 schema");
        connection
            .pragma_update(None, "user_version", 1)
            .expect("version");
        connection
            .execute_batch(
                "INSERT INTO runs (id, component, mode, authoritative, status, started_at, parity)
                     VALUES ('r1', 'job', 'shadow', 'legacy', 'complete', '2027-01-04T10:00:00.000Z', 'mismatch');
                 INSERT INTO run_sides (run_id, side, role, outcome, exit_code, duration_ms)
                     VALUES ('r1', 'legacy', 'authoritative', 'succeeded', 0, 1500),
                            ('r1', 'dagger', 'shadow', 'failed', 1, 2500);
                 INSERT INTO events (at, kind, component, actor, detail) VALUES ('2027-01-04T09:00:00.000Z', 'advance', 'job', 'ada',
                     '{\"from\":{\"mode\":\"legacy\",\"canary_percent\":0},\"to\":{\"mode\":\"shadow\",\"canary_percent\":0},\"forced\":false,\"gate\":null}');",
            )
            .expect("v1 data");
    }
    let store = Store::open(&path).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), current_version());
    let window = store.window_samples("job", None).expect("samples");
    assert_eq!((window.runs, window.mismatches, window.compared), (1, 1, 1));
    assert_eq!((window.legacy.executions, window.legacy.successes), (1, 1));
    assert_eq!((window.dagger.executions, window.dagger.successes), (1, 0));
    assert_eq!(window.dagger.durations, vec![2.5]);
    let events = store.events(None, 10).expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.kind(), EventKind::ModeAdvanced);
    assert_eq!(
        events[0].event.mode_change().map(|(_, to)| to.mode),
        Some(Mode::Shadow)
    );
    assert_eq!(store.run_counts().expect("counts")["job"].total, 1);
    // A run recorded before implementations were digested is of no known
    // implementation: it never marks where the current one begins.
    assert_eq!(
        store.implementation_start("job", "d1").expect("start"),
        None
    );
}

#[test]
fn the_current_implementation_begins_after_the_last_run_of_another() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("state.db")).expect("store");
    let begin = |store: &mut Store, id: &str, implementation: Option<&str>| {
        store
            .begin_run(&super::RunStart {
                id: id.into(),
                component: "job".into(),
                mode: ModeState {
                    mode: Mode::Shadow,
                    canary_percent: 0,
                },
                authoritative: crate::lifecycle::Side::Legacy,
                pid: 0,
                run_key: None,
                trace_id: "t".into(),
                source: super::RunSource::Run,
                implementation: implementation.map(str::to_owned),
            })
            .expect("begin");
    };
    begin(&mut store, "r1", Some("old"));
    std::thread::sleep(std::time::Duration::from_millis(5));
    begin(&mut store, "r2", Some("new"));
    std::thread::sleep(std::time::Duration::from_millis(5));
    begin(&mut store, "r3", None);
    let new = store.implementation_start("job", "new").expect("start");
    let old = store.implementation_start("job", "old").expect("start");
    // "new" begins after r1 (the last "old" run); "old" after r2; r3 counts for neither.
    assert!(new.is_some() && old.is_some());
    assert!(new < old, "{new:?} {old:?}");
    assert!(
        store
            .implementation_start("job", "none-ran")
            .expect("s")
            .is_some()
    );
}

#[test]
fn events_are_append_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("state.db");
    let mut store = Store::open(&path).expect("store");
    let event = NewEvent {
        component: None,
        actor: "ada".into(),
        reason: None,
        event: Event::DrillFinished {
            passed: true,
            time_to_rollback_ms: 1.0,
            failure: None,
        },
    };
    store
        .append_event(&event, Durability::Relaxed)
        .expect("append");
    drop(store);
    let connection = Connection::open(&path).expect("open");
    assert!(
        connection
            .execute("UPDATE events SET actor = 'eve'", [])
            .is_err()
    );
    assert!(connection.execute("DELETE FROM events", []).is_err());
}

#[test]
fn a_concurrent_mode_change_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("state.db")).expect("store");
    let shadow = ModeState {
        mode: Mode::Shadow,
        canary_percent: 0,
    };
    let update = super::ModeUpdate {
        component: "job",
        expected: shadow,
        new: shadow,
        sources_digest: None,
        restore_point: &[],
    };
    let event = NewEvent {
        component: Some("job".into()),
        actor: "ada".into(),
        reason: None,
        event: Event::ModeAdvanced {
            from: shadow,
            to: shadow,
            forced: false,
            gate: None,
            snapshot: None,
            sources: None,
        },
    };
    assert_eq!(store.change_mode(&update, event).expect("change"), None);
    assert!(store.events(None, 10).expect("events").is_empty());
    assert!(store.snapshots("job").expect("snapshots").is_empty());
}

#[test]
fn contended_durations_and_bench_executions_stay_out_of_run_evidence() {
    use crate::exec::{SideOutcome, SideRole};
    use crate::lifecycle::Side;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("state.db")).expect("store");
    let side = |side, role, duration_ms, contended| super::SideRecord {
        side,
        role,
        attempt: 0,
        outcome: SideOutcome::Succeeded,
        duration_ms,
        stdout_digest: None,
        outputs_digest: None,
        overlapped: true,
        contended,
        lowered: contended.then(|| "nice 19, io idle".to_owned()),
    };
    let mut record = |id: &str, source, sides: Vec<super::SideRecord>| {
        store
            .begin_run(&super::RunStart {
                id: id.into(),
                component: "job".into(),
                mode: ModeState {
                    mode: Mode::Shadow,
                    canary_percent: 0,
                },
                authoritative: Side::Legacy,
                pid: 0,
                run_key: None,
                trace_id: "t".into(),
                source,
                implementation: None,
            })
            .expect("begin");
        store
            .finish_run(&super::RunFinish {
                id: id.into(),
                exit_code: 0,
                parity: None,
                parity_summary: None,
                trace_url: None,
                sides,
            })
            .expect("finish");
    };
    // A shadow run: the job's duration counts, the lowered shadow's does not.
    record(
        "r1",
        super::RunSource::Run,
        vec![
            side(Side::Legacy, SideRole::Authoritative, 1000.0, false),
            side(Side::Dagger, SideRole::Shadow, 3000.0, true),
        ],
    );
    // A benchmark execution: a duration, not a run.
    record(
        "b1",
        super::RunSource::Bench,
        vec![side(Side::Dagger, SideRole::Authoritative, 1200.0, false)],
    );
    let window = store.window_samples("job", None).expect("samples");
    assert_eq!(window.runs, 1);
    assert_eq!(window.contended_left_out, 1);
    assert_eq!(window.bench_durations, 1);
    assert_eq!(window.legacy.durations, vec![1.0]);
    assert_eq!(window.dagger.durations, vec![1.2]);
    assert_eq!(window.dagger.executions, 1, "the shadow's, not the bench's");
    let counts = &store.run_counts().expect("counts")["job"];
    assert_eq!((counts.total, counts.dagger), (1, 1));
}

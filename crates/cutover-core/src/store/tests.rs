//! Tests of the store as a whole: old files migrate, the log is
//! append-only, concurrent changes are refused. Tests written against a
//! [`Subject`] run on both backends (SQLite and PostgreSQL).

use rusqlite::Connection;

use super::StoreLocation;
use super::postgres::testing::TestDatabase;

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

/// A store under test, with a way to run SQL behind its back.
pub(super) struct Subject {
    pub(super) store: Store,
    /// Runs one statement directly; whether the database accepted it.
    pub(super) raw: Box<dyn Fn(&str) -> bool>,
    /// Opens a second, independent connection to the same store.
    pub(super) reopen: Box<dyn Fn() -> Store + Send + Sync>,
    _keep: Box<dyn std::any::Any>,
}

pub(super) fn sqlite_subject() -> Subject {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("state.db");
    let store = Store::open(&path).expect("store");
    let raw_path = path.clone();
    Subject {
        store,
        raw: Box::new(move |sql| {
            let connection = Connection::open(&raw_path).expect("open");
            connection.execute(sql, []).is_ok()
        }),
        reopen: Box::new(move || Store::open(&path).expect("reopen")),
        _keep: Box::new(dir),
    }
}

pub(super) fn postgres_subject() -> Subject {
    let database = TestDatabase::create();
    let location = StoreLocation::Postgres(database.url.clone());
    let store = Store::open_location(&location).expect("store");
    let url = database.url.clone();
    Subject {
        store,
        raw: Box::new(move |sql| {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
            client.batch_execute(sql).is_ok()
        }),
        reopen: Box::new(move || Store::open_location(&location).expect("reopen")),
        _keep: Box::new(database),
    }
}

/// Runs a `fn(Subject)` test once per backend: `NAME::sqlite`, `NAME::postgres`
/// (the calling module imports `sqlite_subject` and `postgres_subject`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(super::sqlite_subject());
            }
            #[test]
            fn postgres() {
                super::$name(super::postgres_subject());
            }
        }
    )*};
}
pub(super) use on_both_backends;

on_both_backends!(
    the_current_implementation_begins_after_the_last_run_of_another,
    events_are_append_only,
    a_concurrent_mode_change_writes_nothing,
    two_concurrent_advances_cannot_both_win,
    a_copy_holds_every_record,
    triggers_tests_and_imports_read_back,
    a_drift_baseline_needs_recorded_state,
    overrides_only_tighten_and_clear_only_what_was_read,
    a_run_delivered_twice_is_stored_once,
    an_import_repeated_is_stored_once,
    a_batch_of_run_writes_is_all_or_none,
    contended_durations_and_bench_executions_stay_out_of_run_evidence,
    a_dry_run_beside_the_real_run_is_kept_but_counted_nowhere,
    the_latest_benchmark_reads_back,
);

fn the_current_implementation_begins_after_the_last_run_of_another(subject: Subject) {
    let mut store = subject.store;
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

fn events_are_append_only(subject: Subject) {
    let mut store = subject.store;
    let event = NewEvent {
        component: None,
        actor: "ada".into(),
        reason: None,
        event: Event::DrillFinished {
            passed: true,
            time_to_rollback_ms: 1.0,
            failure: None,
        },
        messages: Vec::new(),
    };
    store
        .append_event(&event, Durability::Relaxed)
        .expect("append");
    drop(store);
    assert!(!(subject.raw)("UPDATE events SET actor = 'eve'"));
    assert!(!(subject.raw)("DELETE FROM events"));
    assert!(
        (subject.raw)("UPDATE runs SET status = status"),
        "the raw connection works"
    );
}

fn a_concurrent_mode_change_writes_nothing(subject: Subject) {
    let mut store = subject.store;
    let shadow = ModeState {
        mode: Mode::Shadow,
        canary_percent: 0,
    };
    let update = super::ModeUpdate {
        component: "job",
        expected: shadow,
        from: shadow,
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
        messages: Vec::new(),
    };
    assert_eq!(store.change_mode(&update, event).expect("change"), None);
    assert!(store.events(None, 10).expect("events").is_empty());
    assert!(store.snapshots("job").expect("snapshots").is_empty());
}

fn overrides_only_tighten_and_clear_only_what_was_read(subject: Subject) {
    let mut store = subject.store;
    let state = |mode, canary_percent| ModeState {
        mode,
        canary_percent,
    };
    let brake = |to: ModeState| super::ModeOverride {
        component: "api".into(),
        state: to,
        set_at: jiff::Timestamp::now(),
        actor: "ops".into(),
        reason: Some("outage".into()),
    };
    assert!(store.overrides().expect("list").is_empty());
    assert!(
        store
            .set_override(&brake(state(Mode::Canary, 10)))
            .expect("set")
    );
    // A looser override never replaces a tighter one.
    assert!(
        !store
            .set_override(&brake(state(Mode::Canary, 50)))
            .expect("looser")
    );
    assert!(
        !store
            .set_override(&brake(state(Mode::Canary, 10)))
            .expect("same")
    );
    assert!(
        store
            .set_override(&brake(state(Mode::Shadow, 0)))
            .expect("tighter")
    );
    let active = store.overrides().expect("list");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].state, state(Mode::Shadow, 0));
    assert_eq!(active[0].reason.as_deref(), Some("outage"));
    // Clearing what was read as canary 10 leaves the shadow brake in place.
    let file = state(Mode::Shadow, 0);
    assert!(
        !store
            .clear_override("api", state(Mode::Canary, 10), file, "ops")
            .expect("stale")
    );
    assert!(
        store
            .clear_override("api", state(Mode::Shadow, 0), file, "ops")
            .expect("clear")
    );
    assert!(store.overrides().expect("list").is_empty());
    let kinds: Vec<EventKind> = store
        .events(Some("api"), 10)
        .expect("events")
        .iter()
        .map(|e| e.event.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::OverrideSet,
            EventKind::OverrideSet,
            EventKind::OverrideCleared
        ]
    );
    let replaced = store.events(Some("api"), 10).expect("events")[1]
        .event
        .clone();
    assert!(
        matches!(replaced, Event::OverrideSet { replaced: Some(r), .. } if r == state(Mode::Canary, 10)),
        "{replaced:?}"
    );
}

fn shadow_advance() -> (ModeState, ModeState, NewEvent) {
    let legacy = ModeState::default();
    let shadow = ModeState {
        mode: Mode::Shadow,
        canary_percent: 0,
    };
    let event = NewEvent {
        component: Some("job".into()),
        actor: "ada".into(),
        reason: None,
        event: Event::ModeAdvanced {
            from: legacy,
            to: shadow,
            forced: false,
            gate: None,
            snapshot: None,
            sources: None,
        },
        messages: Vec::new(),
    };
    (legacy, shadow, event)
}

fn two_concurrent_advances_cannot_both_win(subject: Subject) {
    let reopen = std::sync::Arc::new(subject.reopen);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (reopen, barrier) = (reopen.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut store = reopen();
                let (legacy, shadow, event) = shadow_advance();
                let update = super::ModeUpdate {
                    component: "job",
                    expected: legacy,
                    from: legacy,
                    new: shadow,
                    sources_digest: None,
                    restore_point: &[],
                };
                barrier.wait();
                store.change_mode(&update, event).expect("change").is_some()
            })
        })
        .collect();
    let winners = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
    let store = subject.store;
    assert_eq!(store.events(None, 100).expect("events").len(), 1);
    assert_eq!(store.snapshots("job").expect("snapshots").len(), 1);
    assert_eq!(store.mode("job").expect("mode").state.mode, Mode::Shadow);
}

fn a_copy_holds_every_record(subject: Subject) {
    let mut store = subject.store;
    let (legacy, shadow, event) = shadow_advance();
    let update = super::ModeUpdate {
        component: "job",
        expected: legacy,
        from: legacy,
        new: shadow,
        sources_digest: Some("d0"),
        restore_point: &[],
    };
    store.change_mode(&update, event).expect("advance");
    let run = super::RunStart {
        id: "20270104T101500123-00000001".into(),
        component: "job".into(),
        mode: shadow,
        authoritative: crate::lifecycle::Side::Legacy,
        pid: 0,
        run_key: None,
        trace_id: "t".into(),
        source: super::RunSource::Run,
        implementation: Some("impl".into()),
    };
    store.begin_run(&run).expect("begin");
    let side = |side, role| super::SideRecord {
        side,
        role,
        attempt: 0,
        outcome: crate::exec::SideOutcome::Succeeded,
        duration_ms: 12.5,
        stdout_digest: Some("s".into()),
        outputs_digest: None,
        overlapped: false,
        contended: false,
        lowered: None,
    };
    store
        .finish_run(&super::RunFinish {
            id: run.id.clone(),
            exit_code: 0,
            parity: Some(crate::exec::ParityVerdict::Match),
            parity_summary: None,
            comparison: None,
            trace_url: None,
            sides: vec![
                side(
                    crate::lifecycle::Side::Legacy,
                    crate::exec::SideRole::Authoritative,
                ),
                side(
                    crate::lifecycle::Side::Dagger,
                    crate::exec::SideRole::Shadow,
                ),
            ],
        })
        .expect("finish");
    let dir = tempfile::tempdir().expect("tmp");
    let copy_path = dir.path().join("copy.db");
    store.copy_to(&copy_path).expect("copy");
    let copy = Store::open(&copy_path).expect("open the copy");
    assert_eq!(
        copy.run_counts().expect("c"),
        store.run_counts().expect("c")
    );
    assert_eq!(copy.mode("job").expect("m"), store.mode("job").expect("m"));
    let runs = |s: &Store| format!("{:?}", s.recent_runs("job", 10).expect("r"));
    assert_eq!(runs(&copy), runs(&store));
    assert_eq!(
        copy.events(None, 10).expect("e"),
        store.events(None, 10).expect("e")
    );
    let snapshots = |s: &Store| format!("{:?}", s.snapshots("job").expect("s"));
    assert_eq!(snapshots(&copy), snapshots(&store));
    let window = copy.window_samples("job", None).expect("w");
    assert_eq!((window.runs, window.matched), (1, 1));
    assert_eq!(window.dagger.durations, vec![0.0125]);
}

#[test]
fn an_unreachable_postgres_store_fails_fast_with_its_address() {
    // Nothing listens on port 1; the password never reaches the message.
    let location = StoreLocation::Postgres("postgres://ci:s3cret@127.0.0.1:1/cutover".into());
    let started = std::time::Instant::now();
    let error = Store::open_location(&location).expect_err("unreachable");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let message = error.to_string();
    assert!(
        message.contains("postgres://ci:***@127.0.0.1:1/cutover"),
        "{message}"
    );
    assert!(!format!("{error:?}").contains("s3cret"));
}

#[test]
fn a_postgres_server_that_never_answers_fails_within_the_connect_timeout() {
    // Accepts the connection, then says nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let _silent = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(std::time::Duration::from_secs(10));
        drop(held);
    });
    let location = StoreLocation::Postgres(format!("postgres://ci@127.0.0.1:{port}/cutover"));
    let started = std::time::Instant::now();
    let error = Store::open_location(&location).expect_err("silent server");
    let waited = started.elapsed();
    assert!(waited < std::time::Duration::from_secs(4), "{waited:?}");
    let chain = format!("{:?}", error);
    assert!(chain.contains("did not answer within 2 s"), "{chain}");
}

#[test]
fn a_postgres_store_of_an_older_schema_migrates() {
    use super::postgres::schema::MIGRATIONS as PG_MIGRATIONS;
    let database = TestDatabase::create();
    let mut client = postgres::Client::connect(&database.url, postgres::NoTls).expect("connect");
    for migration in &PG_MIGRATIONS[..4] {
        client.batch_execute(migration).expect("old schema");
    }
    client
        .batch_execute(
            "CREATE TABLE cutover_schema (version BIGINT NOT NULL);
             INSERT INTO cutover_schema VALUES (4);
             INSERT INTO runs (id, component, mode, authoritative, status, started_at)
                 VALUES ('r1', 'job', 'shadow', 'legacy', 'complete', '2027-01-04T10:00:00.000Z');",
        )
        .expect("v4 data");
    let store =
        Store::open_location(&StoreLocation::Postgres(database.url.clone())).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), current_version());
    assert_eq!(store.recent_runs("job", 10).expect("runs").len(), 1);
    assert_eq!(
        store.implementation_start("job", "d1").expect("start"),
        None
    );
}

#[test]
fn a_postgres_store_of_a_newer_schema_is_refused() {
    let database = TestDatabase::create();
    let mut client = postgres::Client::connect(&database.url, postgres::NoTls).expect("connect");
    client
        .batch_execute("CREATE TABLE cutover_schema (version BIGINT NOT NULL); INSERT INTO cutover_schema VALUES (99);")
        .expect("future version");
    let error =
        Store::open_location(&StoreLocation::Postgres(database.url.clone())).expect_err("too new");
    assert!(
        matches!(error, super::StoreError::TooNew { found: 99, .. }),
        "{error:?}"
    );
}

#[test]
fn runners_opening_a_new_postgres_store_at_once_create_it_once() {
    let database = TestDatabase::create();
    let location = StoreLocation::Postgres(database.url.clone());
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let openers: Vec<_> = (0..8)
        .map(|_| {
            let (location, barrier) = (location.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                Store::open_location(&location).map(|s| s.schema_version().ok())
            })
        })
        .collect();
    for opener in openers {
        let version = opener.join().expect("thread").expect("opens");
        assert_eq!(version, Some(current_version()));
    }
    let mut client = postgres::Client::connect(&database.url, postgres::NoTls).expect("connect");
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM cutover_schema", &[])
        .expect("count")
        .get(0);
    assert_eq!(rows, 1);
}

fn triggers_tests_and_imports_read_back(subject: Subject) {
    use crate::exec::{ParityVerdict, SideOutcome};
    use crate::lifecycle::Side;
    let mut store = subject.store;
    let fired = NewEvent {
        component: Some("job".into()),
        actor: "watch".into(),
        reason: None,
        event: Event::TriggerFired {
            trigger: "dagger.failures > 1".into(),
            action: crate::spec::TriggerAction::Rollback,
            metrics: Default::default(),
            runs: 3,
        },
        messages: Vec::new(),
    };
    store
        .append_event(&fired, Durability::Synced)
        .expect("fired");
    let at = store
        .last_trigger_firing("job", "dagger.failures > 1")
        .expect("firing");
    assert_eq!(at, Some(store.events(None, 1).expect("events")[0].at));
    assert_eq!(
        store.last_trigger_firing("job", "other").expect("none"),
        None
    );
    for passed in [false, true] {
        let result = super::TestRecord {
            component: Some("job".into()),
            phase: Some(1),
            test: "smoke".into(),
            side: Side::Dagger,
            passed,
            duration_ms: 7,
            detail: None,
        };
        store.record_test(&result).expect("test");
    }
    let started_at = jiff::Timestamp::from_second(1_800_000_000).expect("time");
    let imported: Vec<super::ImportedRun> = (0..3)
        .map(|i| super::ImportedRun {
            id: format!("import-{i}"),
            component: "job".into(),
            mode: ModeState::default(),
            started_at,
            parity: Some(ParityVerdict::Mismatch),
            sides: vec![
                (Side::Legacy, SideOutcome::Succeeded, 1000.0),
                (Side::Dagger, SideOutcome::Failed { code: 2 }, 500.0),
            ],
        })
        .collect();
    store.import_runs(&imported).expect("import");
    let counts = &store.run_counts().expect("counts")["job"];
    assert_eq!(
        (
            counts.total,
            counts.legacy,
            counts.dagger,
            counts.mismatches
        ),
        (3, 3, 3, 3)
    );
    let window = store
        .window_samples("job", Some(started_at))
        .expect("window");
    assert_eq!((window.runs, window.mismatches), (3, 3));
    assert_eq!(
        (window.dagger.tests_total, window.dagger.tests_passed),
        (1, 1)
    );
    assert_eq!(window.dagger.successes, 0);
    assert_eq!(
        store.runs_since("import-0").expect("since"),
        0,
        "imports are not runs"
    );
    assert!(store.running_runs().expect("running").is_empty());
}

fn a_drift_baseline_needs_recorded_state(subject: Subject) {
    let mut store = subject.store;
    let ack = NewEvent {
        component: Some("job".into()),
        actor: "ada".into(),
        reason: None,
        event: Event::DriftAcknowledged {
            previous: None,
            digest: "d1".into(),
            files: Vec::new(),
        },
        messages: Vec::new(),
    };
    assert!(
        !store
            .acknowledge_drift("job", "d1", &ack)
            .expect("no state yet")
    );
    let (legacy, shadow, event) = shadow_advance();
    let update = super::ModeUpdate {
        component: "job",
        expected: legacy,
        from: legacy,
        new: shadow,
        sources_digest: Some("d0"),
        restore_point: &[],
    };
    store.change_mode(&update, event).expect("advance");
    assert!(
        store
            .acknowledge_drift("job", "d1", &ack)
            .expect("acknowledged")
    );
    assert_eq!(
        store.mode("job").expect("mode").sources_digest.as_deref(),
        Some("d1")
    );
}

/// A shadow run of `job` with both sides, as `cutover run` records it.
fn shadow_run(id: &str) -> (super::RunStart, super::RunFinish) {
    use crate::exec::{SideOutcome, SideRole};
    use crate::lifecycle::Side;
    let side = |side, role| super::SideRecord {
        side,
        role,
        attempt: 0,
        outcome: SideOutcome::Succeeded,
        duration_ms: 10.0,
        stdout_digest: None,
        outputs_digest: None,
        overlapped: false,
        contended: false,
        lowered: None,
    };
    (
        super::RunStart {
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
            source: super::RunSource::Run,
            implementation: None,
        },
        super::RunFinish {
            id: id.into(),
            exit_code: 0,
            parity: Some(crate::exec::ParityVerdict::Match),
            parity_summary: None,
            comparison: None,
            trace_url: None,
            sides: vec![
                side(Side::Legacy, SideRole::Authoritative),
                side(Side::Dagger, SideRole::Shadow),
            ],
        },
    )
}

fn a_run_delivered_twice_is_stored_once(subject: Subject) {
    let mut store = subject.store;
    let (start, finish) = shadow_run("r1");
    let at = jiff::Timestamp::UNIX_EPOCH;
    for _ in 0..2 {
        store.begin_run_at(&start, at).expect("begin");
        store.finish_run_at(&finish, at).expect("finish");
        // A late start of a finished run changes nothing either.
        store.begin_run_at(&start, at).expect("begin again");
    }
    let counts = &store.run_counts().expect("counts")["job"];
    assert_eq!(
        (counts.total, counts.legacy, counts.dagger, counts.matches),
        (1, 1, 1, 1)
    );
    let window = store.window_samples("job", None).expect("samples");
    assert_eq!((window.runs, window.legacy.executions), (1, 1));
    let runs = store.recent_runs("job", 10).expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].started_at, at, "the time it really started");
    assert!(
        store
            .finish_run_at(&shadow_run("never-begun").1, at)
            .is_err(),
        "an end without a start is refused"
    );
}

fn an_import_repeated_is_stored_once(subject: Subject) {
    use crate::exec::SideOutcome;
    use crate::lifecycle::Side;
    let mut store = subject.store;
    let run = super::ImportedRun {
        id: "ci-1".into(),
        component: "job".into(),
        mode: ModeState::default(),
        started_at: jiff::Timestamp::UNIX_EPOCH,
        parity: None,
        sides: vec![(Side::Legacy, SideOutcome::Succeeded, 5.0)],
    };
    store
        .import_runs(std::slice::from_ref(&run))
        .expect("import");
    store.import_runs(&[run]).expect("import again");
    let counts = &store.run_counts().expect("counts")["job"];
    assert_eq!((counts.total, counts.legacy), (1, 1));
}

fn a_batch_of_run_writes_is_all_or_none(subject: Subject) {
    use super::{RunFinish, RunSource, RunStart, RunWrite};
    use crate::lifecycle::Side;
    let mut store = subject.store;
    let start = |id: &str| {
        RunWrite::Begin(RunStart {
            id: id.into(),
            component: "job".into(),
            mode: ModeState::default(),
            authoritative: Side::Legacy,
            pid: 0,
            run_key: None,
            trace_id: "t".into(),
            source: RunSource::Run,
            implementation: None,
        })
    };
    let finish = |id: &str| {
        RunWrite::Finish(RunFinish {
            id: id.into(),
            exit_code: 0,
            parity: None,
            parity_summary: None,
            comparison: None,
            trace_url: None,
            sides: Vec::new(),
        })
    };
    store
        .record_run_writes(&[start("r1"), start("r2"), finish("r1")])
        .expect("batch");
    let runs = store.recent_runs("job", 10).expect("runs");
    let finished: Vec<bool> = runs.iter().map(|r| r.finished_at.is_some()).collect();
    assert_eq!(finished.len(), 2);
    assert_eq!(finished.iter().filter(|f| **f).count(), 1);
    // A finish of an unknown run fails the batch: the start beside it is not kept.
    assert!(
        store
            .record_run_writes(&[start("r3"), finish("nope")])
            .is_err()
    );
    assert_eq!(store.recent_runs("job", 10).expect("runs").len(), 2);
}

fn contended_durations_and_bench_executions_stay_out_of_run_evidence(subject: Subject) {
    use crate::exec::{SideOutcome, SideRole};
    use crate::lifecycle::Side;
    let mut store = subject.store;
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
                comparison: None,
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

fn a_dry_run_beside_the_real_run_is_kept_but_counted_nowhere(subject: Subject) {
    use crate::exec::{ParityComparison, SideOutcome, SideRole};
    use crate::lifecycle::Side;
    let mut store = subject.store;
    let (start, mut finish) = shadow_run("r1");
    // The legacy dry run shares the real run's side and attempt: only its
    // role tells them apart. It failed, and that must count nowhere.
    let mut dry_run = finish.sides[0].clone();
    dry_run.role = SideRole::AuthoritativeDryRun;
    dry_run.outcome = SideOutcome::Failed { code: 3 };
    finish.sides.push(dry_run);
    finish.comparison = Some(ParityComparison::DryRuns);
    let at = jiff::Timestamp::UNIX_EPOCH;
    store.begin_run_at(&start, at).expect("begin");
    store.finish_run_at(&finish, at).expect("finish");
    let counts = &store.run_counts().expect("counts")["job"];
    assert_eq!((counts.legacy, counts.dagger), (1, 1));
    assert_eq!(counts.compared_by.dry_runs, 1);
    let window = store.window_samples("job", None).expect("samples");
    assert_eq!(
        (window.legacy.executions, window.legacy.successes),
        (1, 1),
        "the dry run is not a legacy run"
    );
    assert_eq!(window.compared_by.dry_runs, 1);
    let runs = store.recent_runs("job", 1).expect("runs");
    assert_eq!(runs[0].comparison, Some(ParityComparison::DryRuns));
    assert_eq!(runs[0].authoritative, Side::Legacy);
}

fn the_latest_benchmark_reads_back(subject: Subject) {
    let mut store = subject.store;
    assert_eq!(store.latest_benchmark("job").expect("none yet"), None);
    let mut benchmark = super::BenchmarkRecord {
        component: "job".into(),
        at: jiff::Timestamp::UNIX_EPOCH,
        implementation: Some("d1".into()),
        dry_runs: true,
        legacy_runs: 10,
        dagger_runs: 10,
        legacy_median: Some(1.5),
        dagger_median: Some(1.2),
        ratio: Some(0.8),
        ratio_low: Some(0.7),
        ratio_high: Some(0.9),
        p_value: Some(0.01),
    };
    store.record_benchmark(&benchmark).expect("first");
    benchmark.ratio = Some(1.1);
    benchmark.p_value = None;
    store.record_benchmark(&benchmark).expect("second");
    let latest = store
        .latest_benchmark("job")
        .expect("read")
        .expect("recorded");
    assert_eq!((latest.ratio, latest.p_value), (Some(1.1), None));
    assert_eq!(latest.implementation.as_deref(), Some("d1"));
    assert!(latest.dry_runs && latest.legacy_runs == 10);
    assert!(
        latest.at > jiff::Timestamp::UNIX_EPOCH,
        "stamped by the store"
    );
    assert_eq!(store.latest_benchmark("other").expect("read"), None);
}

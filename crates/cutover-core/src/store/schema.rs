//! Schema migrations, applied in order; `PRAGMA user_version` holds the
//! number applied. Never edit a released migration: add the next one. Some
//! versions are followed by a step written in code (see [`migrate_from`]).

use rusqlite::Transaction;

use super::error::StoreError;
use super::{events, samples};

/// Ordered migrations; index + 1 is the schema version each one produces.
pub const MIGRATIONS: &[&str] = &[
    // Durations are stored as REAL milliseconds (SQLite keeps the fraction
    // despite the INTEGER declaration of version 1).
    // 1: modes, runs with their sides, the append-only audit log, the outbox.
    r#"
    CREATE TABLE component_state (
        component       TEXT PRIMARY KEY,
        mode            TEXT NOT NULL,
        canary_percent  INTEGER NOT NULL DEFAULT 0,
        since           TEXT NOT NULL,
        sources_digest  TEXT
    );
    CREATE TABLE runs (
        id              TEXT PRIMARY KEY,
        component       TEXT NOT NULL,
        mode            TEXT NOT NULL,
        canary_percent  INTEGER NOT NULL DEFAULT 0,
        authoritative   TEXT NOT NULL,
        status          TEXT NOT NULL,
        source          TEXT NOT NULL DEFAULT 'run',
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        pid             INTEGER,
        run_key         TEXT,
        trace_id        TEXT,
        trace_url       TEXT,
        exit_code       INTEGER,
        parity          TEXT,
        parity_summary  TEXT
    );
    CREATE INDEX runs_by_component ON runs (component, started_at);
    CREATE TABLE run_sides (
        run_id          TEXT NOT NULL REFERENCES runs (id),
        side            TEXT NOT NULL,
        role            TEXT NOT NULL,
        attempt         INTEGER NOT NULL DEFAULT 0,
        outcome         TEXT NOT NULL,
        exit_code       INTEGER,
        duration_ms     INTEGER NOT NULL,
        stdout_digest   TEXT,
        outputs_digest  TEXT,
        detail          TEXT,
        PRIMARY KEY (run_id, side, attempt)
    );
    CREATE TABLE events (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        at              TEXT NOT NULL,
        kind            TEXT NOT NULL,
        component       TEXT,
        actor           TEXT NOT NULL,
        reason          TEXT,
        detail          TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_by_component ON events (component, id);
    CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        INTEGER REFERENCES events (id),
        channel         TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        sent_at         TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT
    );
    "#,
    // 2: acceptance test results; `samples`, the compact columnar copy of
    // executions that gates read (see samples.rs), backfilled in code.
    r#"
    CREATE TABLE test_results (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        component       TEXT,
        phase           INTEGER,
        test            TEXT NOT NULL,
        side            TEXT NOT NULL,
        passed          INTEGER NOT NULL,
        duration_ms     INTEGER NOT NULL,
        detail          TEXT,
        at              TEXT NOT NULL
    );
    CREATE INDEX test_results_latest ON test_results (component, test, side, id);
    CREATE TABLE samples (
        component       TEXT NOT NULL,
        chunk           INTEGER NOT NULL,
        count           INTEGER NOT NULL,
        last_ms         INTEGER NOT NULL,
        data            BLOB NOT NULL,
        PRIMARY KEY (component, chunk)
    );
    "#,
    // 3: rollback — snapshots (restore points) with their file manifests,
    // the rollback journal, decision points of escalated triggers, drills.
    r#"
    CREATE TABLE snapshots (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        component       TEXT NOT NULL,
        kind            TEXT NOT NULL,
        mode            TEXT NOT NULL,
        canary_percent  INTEGER NOT NULL DEFAULT 0,
        created_at      TEXT NOT NULL,
        consumed_at     TEXT,
        files           TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX snapshots_by_component ON snapshots (component, id);
    CREATE TABLE rollbacks (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        target          TEXT NOT NULL,
        status          TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        actor           TEXT NOT NULL,
        reason          TEXT,
        steps           TEXT NOT NULL
    );
    CREATE TABLE decisions (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        component       TEXT NOT NULL,
        trigger         TEXT NOT NULL,
        opened_at       TEXT NOT NULL,
        evidence        TEXT NOT NULL,
        decided_at      TEXT,
        decision        TEXT,
        actor           TEXT,
        reason          TEXT
    );
    CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
    CREATE TABLE drills (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        component       TEXT NOT NULL,
        at              TEXT NOT NULL,
        passed          INTEGER NOT NULL,
        duration_ms     REAL NOT NULL,
        detail          TEXT NOT NULL DEFAULT '{}'
    );
    "#,
    // 4: typed events — the kinds of versions 1–3 take their new names (in
    // code: the append-only trigger is lifted for that one rewrite); their
    // details already have the typed shape.
    "",
    // 5: the digest of the Dagger side's implementation each run executed
    // (`dagger.sources` and its command lines), so that gates count only
    // runs of the current implementation; NULL for runs recorded before.
    r#"
    ALTER TABLE runs ADD COLUMN implementation TEXT;
    "#,
    // 6: overrides — the emergency brake a rollback sets for every runner
    // that reaches the store (modes themselves live in the mode file).
    r#"
    CREATE TABLE overrides (
        component       TEXT PRIMARY KEY,
        mode            TEXT NOT NULL,
        canary_percent  INTEGER NOT NULL DEFAULT 0,
        set_at          TEXT NOT NULL,
        actor           TEXT NOT NULL,
        reason          TEXT
    );
    "#,
    // 7: whether each execution overlapped the other side of its run,
    // whether its duration is contended, and what lowered its priority
    // (NULL for executions recorded before).
    r#"
    ALTER TABLE run_sides ADD COLUMN overlapped INTEGER;
    ALTER TABLE run_sides ADD COLUMN contended INTEGER;
    ALTER TABLE run_sides ADD COLUMN lowered TEXT;
    "#,
    // 8: reserved for issue 11 (`legacy.shadow_run`), built on another branch.
    "",
    // 9: the stakeholder outbox. The table of version 1 was never written
    // (no code used it); it is replaced by one that holds, per message, its
    // idempotency key, audience and actions, its delivery (status,
    // attempts, next attempt, last error) and its acknowledgement and
    // escalation level. Every row belongs to the event written with it.
    r#"
    DROP TABLE outbox;
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        INTEGER NOT NULL REFERENCES events (id),
        idempotency_key TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        channel         TEXT NOT NULL,
        audience        TEXT NOT NULL,
        recipients      TEXT NOT NULL,
        addresses       TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            TEXT NOT NULL,
        actions         TEXT NOT NULL,
        needs_ack       INTEGER NOT NULL,
        thread          INTEGER,
        level           INTEGER NOT NULL,
        level_since     TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        status          TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error      TEXT,
        sent_at         TEXT,
        acknowledged_at TEXT,
        acknowledged_by TEXT
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
    CREATE INDEX outbox_threads ON outbox (thread);
    "#,
];

/// Applies every migration after `version` inside `tx`.
pub fn migrate_from(tx: &Transaction<'_>, version: i64) -> Result<(), StoreError> {
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        tx.execute_batch(migration)?;
        let reached = index as i64 + 1;
        match reached {
            2 => samples::backfill(tx)?,
            4 => events::rename_legacy_kinds(tx)?,
            _ => {}
        }
        tx.pragma_update(None, "user_version", reached)?;
    }
    Ok(())
}

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

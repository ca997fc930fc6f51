//! [`Database`]: opening the SQLite file, bringing its schema up to date,
//! retrying while another process holds it, and the one way to write —
//! [`Database::write`], a `BEGIN IMMEDIATE` transaction of a chosen
//! [`Durability`].
//!
//! Durability: the file is in WAL mode with `synchronous = NORMAL` and no
//! checkpoint when a connection closes, so an ordinary commit costs no
//! fsync: it survives a crash of any process, and only a power loss or
//! kernel crash can drop the commits made since the last sync. Changes
//! someone decided on (modes, rollbacks, decisions, fired triggers) are
//! written [`Durability::Synced`]: the WAL is synced before the commit
//! returns, which also makes every earlier commit durable, and then the
//! WAL is checkpointed into the file and truncated.
//!
//! The WAL's bound: every process that opens the file re-reads the whole
//! WAL first (its index does not outlive the last connection, and closing
//! does not checkpoint), at about 5,000 instructions a page, so the WAL is
//! kept short. Besides the truncation after every synced write, the commit
//! that takes the WAL past [`WAL_BOUND_PAGES`] checkpoints it (SQLite's own
//! automatic checkpoint, two fsyncs). Relaxed commits are evidence: run
//! records of shadow, canary and dagger runs, spooled records delivered by
//! a command, test results. A `cutover run` in legacy mode on this file
//! never writes it (its record waits in the spool, see [`crate::spool`]),
//! so it never pays for a checkpoint. A power loss can therefore lose at
//! most the relaxed commits of the last [`WAL_BOUND_PAGES`] pages (about a
//! dozen shadow runs) and the spooled records not delivered yet.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::error::StoreError;
use super::schema::{current_version, migrate_from};

/// WAL pages after which a commit checkpoints (SQLite's default is 1,000):
/// re-reading 100 pages costs a process that opens the file about 0.5 M
/// instructions, and a shadow run adds about ten pages, so a checkpoint
/// (two fsyncs) comes every dozen or so shadow runs.
const WAL_BOUND_PAGES: u32 = 100;

/// How long a writer waits for another before giving up. Runs write twice,
/// briefly; a minute covers hundreds of concurrent CI jobs on one file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether a commit must reach the disk before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// Synced to disk before returning: survives power loss.
    Synced,
    /// Survives any process crash; a power loss may drop it (evidence only).
    Relaxed,
}

/// An open SQLite state file.
#[derive(Debug)]
pub(super) struct Database {
    connection: Connection,
}

impl Database {
    /// Opens (creating if needed) the file at `path` and migrates it.
    pub(super) fn open(path: &Path) -> Result<Database, StoreError> {
        let open_error = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_error(Box::new(e)))?;
        }
        let connection = Connection::open(path).map_err(|e| open_error(Box::new(e)))?;
        configure(&connection).map_err(|e| open_error(Box::new(e)))?;
        let mut database = Database { connection };
        retry_while_busy(|| match database.migrate() {
            Err(StoreError::Query(error)) => Err(error),
            Err(other) => Ok(Err(other)),
            Ok(()) => Ok(Ok(())),
        })
        .map_err(StoreError::Query)??;
        Ok(database)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version = self.schema_version()?;
        if version == current_version() {
            return Ok(());
        }
        if version > current_version() {
            return Err(StoreError::TooNew {
                found: version,
                supported: current_version(),
            });
        }
        self.write(Durability::Synced, |tx| {
            // Another process may have migrated while we waited for the lock.
            let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            // A synced write also truncates the WAL: a migration may rewrite
            // much of the file (the samples backfill).
            migrate_from(tx, version)
        })
    }

    /// The schema version of the open file.
    pub(super) fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// The connection, for reading.
    pub(super) fn read(&self) -> &Connection {
        &self.connection
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction and commits it with
    /// `durability`; rolls back when `body` fails. A synced commit then
    /// checkpoints and truncates the WAL (see the module doc).
    pub(super) fn write<T>(
        &mut self,
        durability: Durability,
        body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let synced = durability == Durability::Synced;
        if synced {
            self.connection.pragma_update(None, "synchronous", "FULL")?;
        }
        let result = self.transaction(body);
        if synced {
            self.connection
                .pragma_update(None, "synchronous", "NORMAL")?;
            if result.is_ok() {
                // The commit is durable already: a checkpoint that fails
                // only leaves the WAL for the next synced write or bound.
                let _ = self.truncate_wal();
            }
        }
        result
    }

    /// [`Database::write`], waiting at most `wait` for another writer
    /// (instead of a minute) before failing busy: for writes a command
    /// makes on the side, which can wait for the next command.
    pub(super) fn write_within<T>(
        &mut self,
        wait: Duration,
        durability: Durability,
        body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.connection.busy_timeout(wait)?;
        let result = self.write(durability, body);
        self.connection.busy_timeout(BUSY_TIMEOUT)?;
        result
    }

    fn transaction<T>(
        &mut self,
        body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = body(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Checkpoints the whole WAL into the file and truncates it (synced).
    /// Called after synced and bulk writes: every process re-reads the WAL when it
    /// opens the file, so a WAL left holding a million-run import would slow
    /// every later command.
    ///
    /// It never waits: if other processes are reading, the checkpoint
    /// reports itself busy (the row's first column) and the WAL is simply
    /// left for the automatic checkpoint and the next writer to reset.
    pub(super) fn truncate_wal(&self) -> Result<(), StoreError> {
        self.connection.busy_timeout(Duration::ZERO)?;
        let result = self
            .connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
        self.connection.busy_timeout(BUSY_TIMEOUT)?;
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Copies the whole database to `path` (a consistent snapshot).
    pub(super) fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        self.connection
            .execute("VACUUM INTO ?1", [path.display().to_string()])?;
        Ok(())
    }
}

/// Busy timeout, WAL, `synchronous = NORMAL`, foreign keys, and no
/// checkpoint on close (a checkpoint syncs the file: see the module doc).
fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    // Switching a new file to WAL takes an exclusive lock and reports
    // "database is locked" without consulting the busy handler when
    // another process is creating the same file: retry it ourselves. WAL
    // is persistent, so files already in WAL skip the switch.
    retry_while_busy(|| {
        let mode: String = connection.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            connection.pragma_update(None, "journal_mode", "WAL")?;
        }
        connection.execute_batch(&format!(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA wal_autocheckpoint = {WAL_BOUND_PAGES};"
        ))
    })
}

/// Runs `operation` again while SQLite reports the database busy or
/// locked, for up to [`BUSY_TIMEOUT`].
fn retry_while_busy<T>(mut operation: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(2);
    loop {
        match operation() {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked
                ) && Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

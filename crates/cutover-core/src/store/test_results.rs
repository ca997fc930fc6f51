//! The `test_results` table: acceptance and integration test results.

use rusqlite::{Connection, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::{TestRecord, WindowSamples};
use crate::lifecycle::Side;

/// Records one result.
pub(super) fn insert(
    tx: &Transaction<'_>,
    result: &TestRecord,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO test_results (component, phase, test, side, passed, duration_ms, detail, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            result.component,
            result.phase,
            result.test,
            Coded(result.side),
            result.passed,
            result.duration_ms as f64,
            result.detail,
            codec::timestamp_text(at)
        ],
    )?;
    Ok(())
}

/// Counts the latest result of each test of a component into `window`.
pub(super) fn add_latest(
    connection: &Connection,
    component: &str,
    window: &mut WindowSamples,
) -> Result<(), StoreError> {
    let mut tests = connection.prepare_cached(
        "SELECT t.side, t.passed FROM test_results t
         WHERE t.component = ?1 AND t.id = (SELECT MAX(id) FROM test_results u
             WHERE u.component = t.component AND u.test = t.test AND u.side = t.side)",
    )?;
    let mut rows = tests.query([component])?;
    while let Some(row) = rows.next()? {
        let Coded(side): Coded<Side> = row.get(0)?;
        let passed: bool = row.get(1)?;
        let target = match side {
            Side::Legacy => &mut window.legacy,
            Side::Dagger => &mut window.dagger,
        };
        target.tests_total += 1;
        target.tests_passed += u64::from(passed);
    }
    Ok(())
}

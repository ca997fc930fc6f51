//! The `benchmarks` table: the summary of every `cutover bench`, so the
//! success-criteria document can show each component's latest benchmark.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::codec;
use super::error::StoreError;
use super::types::BenchmarkRecord;

/// The columns [`record`] reads, in order.
pub(super) const COLUMNS: &str = "component, at, implementation, dry_runs, legacy_runs, \
    dagger_runs, legacy_median_s, dagger_median_s, ratio, ratio_low, ratio_high, p_value";

/// Records one benchmark, stamped `at`.
pub(super) fn insert(
    tx: &Transaction<'_>,
    benchmark: &BenchmarkRecord,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO benchmarks ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ),
        params![
            benchmark.component,
            codec::timestamp_text(at),
            benchmark.implementation,
            benchmark.dry_runs,
            benchmark.legacy_runs,
            benchmark.dagger_runs,
            benchmark.legacy_median,
            benchmark.dagger_median,
            benchmark.ratio,
            benchmark.ratio_low,
            benchmark.ratio_high,
            benchmark.p_value
        ],
    )?;
    Ok(())
}

/// The latest benchmark of a component, if it was ever benchmarked.
pub(super) fn latest(
    connection: &Connection,
    component: &str,
) -> Result<Option<BenchmarkRecord>, StoreError> {
    connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM benchmarks WHERE component = ?1 ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([component], |row| Ok(record(row)))
        .optional()?
        .transpose()
}

fn record(row: &Row<'_>) -> Result<BenchmarkRecord, StoreError> {
    Ok(BenchmarkRecord {
        component: row.get(0)?,
        at: codec::timestamp(&row.get::<_, String>(1)?)?,
        implementation: row.get(2)?,
        dry_runs: row.get(3)?,
        legacy_runs: row.get(4)?,
        dagger_runs: row.get(5)?,
        legacy_median: row.get(6)?,
        dagger_median: row.get(7)?,
        ratio: row.get(8)?,
        ratio_low: row.get(9)?,
        ratio_high: row.get(10)?,
        p_value: row.get(11)?,
    })
}

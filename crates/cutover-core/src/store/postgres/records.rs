//! Decision points, drills, test results and benchmarks in PostgreSQL: the
//! SQL of `../decisions.rs`, `../drills.rs`, `../test_results.rs` and
//! `../benchmarks.rs`.

use postgres::Transaction;

use super::super::codec::{self, text};
use super::super::error::StoreError;
use super::super::types::{BenchmarkRecord, Decision, DrillRecord, TestRecord, WindowSamples};
use crate::event::DecisionOutcome;
use crate::lifecycle::Side;

/// The open decision point of a component, if any.
pub(super) fn open_decision_for(
    tx: &mut Transaction<'_>,
    component: &str,
) -> Result<Option<Decision>, StoreError> {
    let row = tx.query_opt(
        r#"SELECT id, component, "trigger", opened_at, evidence, decision FROM decisions
           WHERE component = $1 AND decided_at IS NULL ORDER BY id LIMIT 1"#,
        &[&component],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let decision: Option<&str> = row.try_get(5)?;
    Ok(Some(Decision {
        id: row.try_get(0)?,
        component: row.try_get(1)?,
        trigger: row.try_get(2)?,
        opened_at: codec::timestamp(row.try_get(3)?)?,
        evidence: row.try_get(4)?,
        decision: decision.map(codec::parse).transpose()?,
    }))
}

/// Opens a decision point; returns its id.
pub(super) fn open_decision(
    tx: &mut Transaction<'_>,
    component: &str,
    trigger: &str,
    evidence: &str,
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    let row = tx.query_one(
        r#"INSERT INTO decisions (component, "trigger", opened_at, evidence)
           VALUES ($1, $2, $3, $4) RETURNING id"#,
        &[&component, &trigger, &codec::timestamp_text(at), &evidence],
    )?;
    Ok(row.try_get(0)?)
}

/// Closes a decision point.
pub(super) fn close_decision(
    tx: &mut Transaction<'_>,
    id: i64,
    outcome: DecisionOutcome,
    actor: &str,
    reason: Option<&str>,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE decisions SET decided_at = $2, decision = $3, actor = $4, reason = $5 WHERE id = $1",
        &[&id, &codec::timestamp_text(at), &text(outcome), &actor, &reason],
    )?;
    Ok(())
}

/// Records a drill.
pub(super) fn insert_drill(
    tx: &mut Transaction<'_>,
    drill: &DrillRecord,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO drills (component, at, passed, duration_ms, detail) VALUES ($1, $2, $3, $4, $5)",
        &[
            &drill.component,
            &codec::timestamp_text(drill.at),
            &i64::from(drill.passed),
            &drill.duration_ms,
            &drill.detail.to_string(),
        ],
    )?;
    Ok(())
}

/// Drills of a component, newest first.
pub(super) fn drills_of(
    tx: &mut Transaction<'_>,
    component: &str,
) -> Result<Vec<DrillRecord>, StoreError> {
    let rows = tx.query(
        "SELECT component, at, passed, duration_ms, detail FROM drills WHERE component = $1 ORDER BY id DESC",
        &[&component],
    )?;
    rows.iter()
        .map(|row| {
            Ok(DrillRecord {
                component: row.try_get(0)?,
                at: codec::timestamp(row.try_get(1)?)?,
                passed: row.try_get::<_, i64>(2)? != 0,
                duration_ms: row.try_get(3)?,
                detail: serde_json::from_str(row.try_get(4)?).map_err(StoreError::corrupt)?,
            })
        })
        .collect()
}

/// Records one test result.
pub(super) fn insert_test(
    tx: &mut Transaction<'_>,
    result: &TestRecord,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO test_results (component, phase, test, side, passed, duration_ms, detail, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &result.component,
            &result.phase.map(i64::from),
            &result.test,
            &text(result.side),
            &i64::from(result.passed),
            &(result.duration_ms as f64),
            &result.detail,
            &codec::timestamp_text(at),
        ],
    )?;
    Ok(())
}

/// Counts the latest result of each test of a component into `window`.
pub(super) fn add_latest_tests(
    tx: &mut Transaction<'_>,
    component: &str,
    window: &mut WindowSamples,
) -> Result<(), StoreError> {
    let rows = tx.query(
        "SELECT t.side, t.passed FROM test_results t
         WHERE t.component = $1 AND t.id = (SELECT MAX(id) FROM test_results u
             WHERE u.component = t.component AND u.test = t.test AND u.side = t.side)",
        &[&component],
    )?;
    for row in rows {
        let side: Side = codec::parse(row.try_get(0)?)?;
        let passed: i64 = row.try_get(1)?;
        let target = match side {
            Side::Legacy => &mut window.legacy,
            Side::Dagger => &mut window.dagger,
        };
        target.tests_total += 1;
        target.tests_passed += u64::from(passed != 0);
    }
    Ok(())
}

/// Records one benchmark, stamped `at`.
pub(super) fn insert_benchmark(
    tx: &mut Transaction<'_>,
    benchmark: &BenchmarkRecord,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO benchmarks (component, at, implementation, dry_runs, legacy_runs, dagger_runs,
                                 legacy_median_s, dagger_median_s, ratio, ratio_low, ratio_high, p_value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &benchmark.component,
            &codec::timestamp_text(at),
            &benchmark.implementation,
            &i64::from(benchmark.dry_runs),
            &i64::from(benchmark.legacy_runs),
            &i64::from(benchmark.dagger_runs),
            &benchmark.legacy_median,
            &benchmark.dagger_median,
            &benchmark.ratio,
            &benchmark.ratio_low,
            &benchmark.ratio_high,
            &benchmark.p_value,
        ],
    )?;
    Ok(())
}

/// The latest benchmark of a component.
pub(super) fn latest_benchmark(
    tx: &mut Transaction<'_>,
    component: &str,
) -> Result<Option<BenchmarkRecord>, StoreError> {
    let row = tx.query_opt(
        "SELECT component, at, implementation, dry_runs, legacy_runs, dagger_runs,
                legacy_median_s, dagger_median_s, ratio, ratio_low, ratio_high, p_value
         FROM benchmarks WHERE component = $1 ORDER BY id DESC LIMIT 1",
        &[&component],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let count = |index: usize| -> Result<u32, StoreError> {
        Ok(u32::try_from(row.try_get::<_, i64>(index)?).unwrap_or(0))
    };
    Ok(Some(BenchmarkRecord {
        component: row.try_get(0)?,
        at: codec::timestamp(row.try_get(1)?)?,
        implementation: row.try_get(2)?,
        dry_runs: row.try_get::<_, i64>(3)? != 0,
        legacy_runs: count(4)?,
        dagger_runs: count(5)?,
        legacy_median: row.try_get(6)?,
        dagger_median: row.try_get(7)?,
        ratio: row.try_get(8)?,
        ratio_low: row.try_get(9)?,
        ratio_high: row.try_get(10)?,
        p_value: row.try_get(11)?,
    }))
}

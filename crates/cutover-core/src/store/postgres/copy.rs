//! Copies a PostgreSQL store into a fresh SQLite file, so a drill can
//! rehearse a rollback on a copy of the shared state (as it does on a copy
//! of the SQLite file) without touching what every runner sees.
//!
//! Both schemas have the same tables and columns at the same version, so
//! each table is copied row by row, column by column, under the same names.

use std::path::Path;

use postgres::Transaction;
use postgres::types::Type;
use rusqlite::types::Value;

use super::super::connection::{Database, Durability};
use super::super::error::StoreError;

/// Every table, parents before the tables that reference them.
const TABLES: &[&str] = &[
    "component_state",
    "runs",
    "run_sides",
    "events",
    "outbox",
    "test_results",
    "samples",
    "snapshots",
    "rollbacks",
    "decisions",
    "drills",
    "overrides",
    "benchmarks",
];

/// Writes every record of the store (as `tx` sees it) into a new SQLite
/// store at `path`.
pub(super) fn to_sqlite(tx: &mut Transaction<'_>, path: &Path) -> Result<(), StoreError> {
    let mut copy = Database::open(path)?;
    for table in TABLES {
        let rows = tx.query(&format!("SELECT * FROM {table}"), &[])?;
        let Some(first) = rows.first() else {
            continue;
        };
        let names: Vec<String> = first
            .columns()
            .iter()
            .map(|c| format!("\"{}\"", c.name()))
            .collect();
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            values.push(row_values(row)?);
        }
        copy.write(Durability::Synced, |sqlite| {
            let mut statement = sqlite.prepare(&insert)?;
            for row in &values {
                statement.execute(rusqlite::params_from_iter(row))?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// One row's columns as SQLite values.
fn row_values(row: &postgres::Row) -> Result<Vec<Value>, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let value = match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(index)?.map(Value::Integer),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(index)?
                .map(|v| Value::Integer(i64::from(v))),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.map(Value::Real),
            Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Blob),
            _ => row.try_get::<_, Option<String>>(index)?.map(Value::Text),
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(values)
}

//! The `component_state` table: each component's current mode.

use rusqlite::{Connection, OptionalExtension, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::ModeRecord;
use crate::lifecycle::{Mode, ModeState};

/// The mode of one component (legacy if never changed).
pub(super) fn read(connection: &Connection, component: &str) -> Result<ModeRecord, StoreError> {
    let row = connection
        .prepare_cached(
            "SELECT mode, canary_percent, since, sources_digest FROM component_state WHERE component = ?1",
        )?
        .query_row([component], |r| {
            Ok((
                r.get::<_, Coded<Mode>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .optional()?;
    let Some((Coded(mode), percent, since, sources_digest)) = row else {
        return Ok(ModeRecord {
            state: ModeState::default(),
            since: None,
            sources_digest: None,
        });
    };
    Ok(ModeRecord {
        state: ModeState {
            mode,
            canary_percent: codec::percent(percent),
        },
        since: Some(codec::timestamp(&since)?),
        sources_digest,
    })
}

/// Sets a component's mode as of `at`; a `sources_digest` replaces the
/// recorded one, `None` keeps it.
pub(super) fn write(
    connection: &Connection,
    component: &str,
    state: ModeState,
    at: jiff::Timestamp,
    sources_digest: Option<&str>,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO component_state (component, mode, canary_percent, since, sources_digest)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (component) DO UPDATE SET mode = ?2, canary_percent = ?3, since = ?4,
                 sources_digest = COALESCE(?5, sources_digest)",
        )?
        .execute(params![
            component,
            Coded(state.mode),
            state.canary_percent,
            codec::timestamp_text(at),
            sources_digest
        ])?;
    Ok(())
}

/// Replaces the recorded digest of a component's legacy definition (the
/// baseline drift is measured against); false when it has no state yet.
pub(super) fn set_sources_digest(
    connection: &Connection,
    component: &str,
    digest: &str,
) -> Result<bool, StoreError> {
    let changed = connection
        .prepare_cached("UPDATE component_state SET sources_digest = ?2 WHERE component = ?1")?
        .execute(params![component, digest])?;
    Ok(changed > 0)
}

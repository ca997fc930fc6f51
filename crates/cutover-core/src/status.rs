//! The state of the migration per component: mode, runs, parity and drift,
//! joined from the spec, the mode file and the store, in the shape
//! `cutover status` prints. The JSON field names of DESIGN.md's minimum are
//! fixed; `mode` is the effective mode (see [`crate::modes`]).

use std::path::Path;

use serde::Serialize;

use crate::exec::definition_changed;
use crate::lifecycle::{Mode, ModeState};
use crate::modes::ModeSource;
use crate::spec::Component;
use crate::store::{ComponentRunCounts, ModeOverride, ModeRecord, StoreError};
use crate::workspace::Workspace;

/// Version of the status JSON.
pub const STATUS_FORMAT_VERSION: u32 = 1;

/// The whole status.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Format version.
    pub format_version: u32,
    /// One entry per component, in spec order.
    pub components: Vec<ComponentStatus>,
    /// The mode file modes are committed in (null: none yet, modes come
    /// from the store until the first advance, rollback or sync).
    pub mode_file: Option<String>,
}

/// One component's status.
#[derive(Debug, Serialize)]
pub struct ComponentStatus {
    /// Id.
    pub id: String,
    /// Mode.
    pub mode: Mode,
    /// Canary share (0 outside canary).
    pub canary_percent: u8,
    /// When it entered the mode.
    pub since: Option<jiff::Timestamp>,
    /// Run counts.
    pub runs: ComponentRunCounts,
    /// Fraction of compared runs with parity (flaky counts as parity), if any were compared.
    pub parity: Option<f64>,
    /// Whether `legacy.sources` changed since the component entered shadow.
    pub drift: bool,
    /// An escalated trigger holds it until someone decides.
    pub held: bool,
    /// An interrupted rollback of it awaits `cutover rollback --resume`.
    pub rollback_interrupted: bool,
    /// Where the committed mode comes from: `file` or `store`.
    pub mode_source: ModeSource,
    /// The committed mode (the mode file's), before any override.
    pub committed: ModeState,
    /// The active override in the store, if any.
    #[serde(rename = "override")]
    pub active_override: Option<OverrideStatus>,
}

/// An override as `status` shows it.
#[derive(Debug, Serialize)]
pub struct OverrideStatus {
    /// The override.
    #[serde(flatten)]
    pub set: ModeOverride,
    /// Whether the mode file already reflects it (false: it holds the
    /// component back; `cutover sync` writes it into the file).
    pub in_file: bool,
}

/// Whether a component's definition (`legacy.sources` or either side's
/// command line) changed since it entered shadow.
pub fn drift(component: &Component, record: &ModeRecord, base_dir: &Path) -> bool {
    record
        .sources_digest
        .as_deref()
        .is_some_and(|recorded| definition_changed(base_dir, component, recorded))
}

/// Reads the status of every component.
pub fn status(workspace: &Workspace) -> Result<Status, StoreError> {
    let (migration, store) = (&workspace.migration, &workspace.store);
    let overrides = store.overrides()?;
    let mut counts = store.run_counts()?;
    let interrupted: Vec<String> = store
        .unfinished_rollbacks()?
        .into_iter()
        .flat_map(|j| j.steps.into_iter().filter(|s| !s.done).map(|s| s.component))
        .collect();
    let mut components = Vec::with_capacity(migration.components.len());
    for component in &migration.components {
        let resolved = workspace.mode_with(&component.id, &overrides)?;
        let record = resolved.record();
        let runs = counts.remove(&component.id).unwrap_or_default();
        let compared = runs.matches + runs.mismatches + runs.flaky;
        let drift = drift(component, &record, &workspace.base_dir);
        components.push(ComponentStatus {
            id: component.id.clone(),
            mode: record.state.mode,
            canary_percent: record.state.canary_percent,
            since: record.since,
            parity: (compared > 0).then(|| (runs.matches + runs.flaky) as f64 / compared as f64),
            runs,
            drift,
            held: store.open_decision_for(&component.id)?.is_some(),
            rollback_interrupted: interrupted.contains(&component.id),
            mode_source: resolved.source,
            committed: resolved.committed,
            active_override: resolved.active_override.clone().map(|set| OverrideStatus {
                in_file: resolved.pending_override().is_none(),
                set,
            }),
        });
    }
    Ok(Status {
        format_version: STATUS_FORMAT_VERSION,
        components,
        mode_file: workspace
            .has_mode_file()
            .then(|| workspace.mode_file_path.display().to_string()),
    })
}

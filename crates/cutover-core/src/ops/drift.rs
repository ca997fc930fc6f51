//! Drift of a component's legacy definition: [`drift_report`] says what
//! changed since the baseline (recorded on entering shadow, or at the last
//! acknowledgement), [`acknowledge_drift`] makes the current definition the
//! baseline, recorded as a typed event.

use serde::Serialize;

use crate::event::{Event, NewEvent, SourceDigest};
use crate::exec::{definition_changed, definition_digest, digest_outputs, digest_paths};
use crate::lifecycle::Mode;
use crate::spec::{Component, ComponentRef};
use crate::store::StoreError;
use crate::workspace::Workspace;

/// What drift looks like now.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    /// Component.
    pub component: String,
    /// Whether the definition differs from the baseline.
    pub drifted: bool,
    /// The baseline digest (none: never entered shadow).
    pub baseline: Option<String>,
    /// The current digest of `legacy.sources`.
    pub current: String,
    /// Each source now, and whether it differs from the last acknowledged
    /// digest of that file (`None`: no per-file baseline recorded yet).
    pub files: Vec<FileDrift>,
}

/// One legacy source file.
#[derive(Debug, Clone, Serialize)]
pub struct FileDrift {
    /// Path as declared.
    pub path: String,
    /// Digest now (null: missing).
    pub digest: Option<String>,
    /// Digest in the baseline (entering shadow, or the last acknowledgement).
    pub baseline: Option<String>,
    /// Changed since the baseline (`None`: no per-file baseline recorded).
    pub changed: Option<bool>,
}

/// Why drift cannot be acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    /// Nothing changed.
    #[error("`{0}` has no drift to acknowledge: its legacy definition matches the baseline")]
    NoDrift(String),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What changed in the legacy definition of `reference`.
pub fn drift_report(
    workspace: &Workspace,
    reference: ComponentRef,
) -> Result<DriftReport, StoreError> {
    let component = workspace.spec(reference);
    let sources = component
        .legacy
        .as_ref()
        .map(|l| l.sources.clone())
        .unwrap_or_default();
    let baseline = workspace.store.mode(&component.id)?.sources_digest;
    // The whole definition (sources and both sides' run lines), as entering
    // shadow records it; a baseline of an older version (sources alone)
    // still compares, through `definition_changed`.
    let current = definition_digest(&workspace.base_dir, component)
        .unwrap_or_else(|| digest_paths(&workspace.base_dir, &sources));
    let acknowledged = last_acknowledged_files(workspace, &component.id)?;
    let files = digest_outputs(&workspace.base_dir, &sources)
        .into_iter()
        .map(|now| {
            let before = acknowledged
                .as_ref()
                .and_then(|files| files.iter().find(|f| f.path == now.path));
            FileDrift {
                changed: before.map(|b| b.digest != now.digest),
                baseline: before.and_then(|b| b.digest.clone()),
                path: now.path,
                digest: now.digest,
            }
        })
        .collect();
    Ok(DriftReport {
        component: component.id.clone(),
        drifted: baseline
            .as_deref()
            .is_some_and(|b| definition_changed(&workspace.base_dir, component, b)),
        baseline,
        current,
        files,
    })
}

/// Makes the current legacy definition the baseline; records the event.
pub fn acknowledge_drift(
    workspace: &mut Workspace,
    reference: ComponentRef,
    actor: &str,
    reason: Option<&str>,
) -> Result<DriftReport, DriftError> {
    let report = drift_report(workspace, reference)?;
    if !report.drifted {
        return Err(DriftError::NoDrift(report.component));
    }
    let event = NewEvent {
        component: Some(report.component.clone()),
        actor: actor.into(),
        reason: reason.map(Into::into),
        event: Event::DriftAcknowledged {
            previous: report.baseline.clone(),
            digest: report.current.clone(),
            files: report
                .files
                .iter()
                .map(|f| SourceDigest {
                    path: f.path.clone(),
                    digest: f.digest.clone(),
                })
                .collect(),
        },
        messages: Vec::new(),
    };
    if !workspace
        .store
        .acknowledge_drift(&report.component, &report.current, &event)?
    {
        return Err(DriftError::NoDrift(report.component));
    }
    Ok(report)
}

/// Each legacy source of `component` with its digest, when entering
/// shadow (the baseline drift is measured against); `None` otherwise.
pub(super) fn source_digests(
    workspace: &Workspace,
    component: &Component,
    to: Mode,
) -> Option<Vec<SourceDigest>> {
    let legacy = component.legacy.as_ref().filter(|_| to == Mode::Shadow)?;
    Some(
        digest_outputs(&workspace.base_dir, &legacy.sources)
            .into_iter()
            .map(|d| SourceDigest {
                path: d.path,
                digest: d.digest,
            })
            .collect(),
    )
}

/// The per-file baseline: the sources recorded by the last
/// acknowledgement, or on the last entry into shadow.
fn last_acknowledged_files(
    workspace: &Workspace,
    component: &str,
) -> Result<Option<Vec<SourceDigest>>, StoreError> {
    let events = workspace.store.events(Some(component), u32::MAX)?;
    Ok(events.into_iter().rev().find_map(|e| match e.event {
        Event::DriftAcknowledged { files, .. } => Some(files),
        Event::ModeAdvanced { sources, .. } => sources,
        _ => None,
    }))
}

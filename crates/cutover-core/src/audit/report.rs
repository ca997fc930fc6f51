//! Builds the [`AuditReport`] from a validated spec and, when it exists, the
//! store. The JSON form of this report is documented in the README and its
//! field names are stable (`format_version` changes when they are not).

use serde::Serialize;

use super::forecast::{Forecast, forecast};
use crate::capability::{self, Support};
use crate::spec::{ComponentKind, Migration};
use crate::store::{Store, StoreError};

/// The audit of a whole spec.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// Version of this JSON layout.
    pub format_version: u32,
    /// The migration's name.
    pub migration: String,
    /// Counts over every component.
    pub summary: AuditSummary,
    /// One entry per component, in spec order.
    pub components: Vec<ComponentAudit>,
}

/// Counts and totals.
#[derive(Debug, Clone, Serialize)]
pub struct AuditSummary {
    /// Components audited.
    pub components: usize,
    /// Scaffolded automatically (every feature supported or staying in CI).
    pub automatic: usize,
    /// Scaffolded partially (some feature is partial).
    pub partial: usize,
    /// Needing manual work (some feature has no Dagger counterpart).
    pub manual: usize,
    /// Steps the scaffolds will wrap instead of converting.
    pub wraps: usize,
    /// Effort as planned (spec `effort`), in work days.
    pub effort_days: u32,
    /// Effort as estimated from the capability table, in work days.
    pub estimated_days: u32,
    /// Components imported per legacy system (`github-actions`, `gitlab`, …):
    /// the CI jobs `cutover ci` changes.
    pub imported_from: std::collections::BTreeMap<String, usize>,
    /// The summary as a sentence.
    pub text: String,
}

/// One component's audit.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentAudit {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `automatic`, `partial` or `manual`.
    pub scaffold: &'static str,
    /// The spec's effort in work days.
    pub effort_days: u32,
    /// The capability table's estimate in work days.
    pub estimated_days: u32,
    /// Whether features were recorded by `cutover import` (else inferred).
    pub features_recorded: bool,
    /// Each feature with its Dagger counterpart.
    pub features: Vec<FeatureAudit>,
    /// Features the scaffold wraps (runs the legacy command) instead of converting.
    pub wraps: Vec<String>,
    /// Run statistics and what shadow will cost, when runs are recorded.
    pub forecast: Option<Forecast>,
}

/// One feature of one component.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureAudit {
    /// Legacy feature.
    pub feature: String,
    /// Dagger capability.
    pub dagger: String,
    /// `supported`, `partial`, `ci` or `manual`.
    pub support: Support,
    /// What to do instead.
    pub instead: String,
}

/// Audits every component of `migration`; with a store, adds forecasts.
pub fn audit(migration: &Migration, store: Option<&Store>) -> Result<AuditReport, StoreError> {
    let mut components = Vec::with_capacity(migration.components.len());
    for component in &migration.components {
        let (features, recorded) = features_of(component);
        let table: Vec<FeatureAudit> = features.iter().map(|f| feature_audit(f)).collect();
        let wraps = features
            .iter()
            .filter(|f| capability::lookup(f).wrap)
            .cloned()
            .collect();
        let forecast = match store {
            Some(store) => forecast(store, &component.id)?,
            None => None,
        };
        components.push(ComponentAudit {
            id: component.id.clone(),
            name: component.name.clone(),
            scaffold: scaffold_class(capability::overall(&features)),
            effort_days: component.effort.0,
            estimated_days: capability::estimate_days(&features),
            features_recorded: recorded,
            features: table,
            wraps,
            forecast,
        });
    }
    let mut summary = summarize(&components);
    for component in &migration.components {
        if let Some(origin) = component.legacy.as_ref().and_then(|l| l.origin.as_ref()) {
            *summary
                .imported_from
                .entry(origin.from.clone())
                .or_default() += 1;
        }
    }
    Ok(AuditReport {
        format_version: 1,
        migration: migration.name.clone(),
        summary,
        components,
    })
}

fn features_of(component: &crate::spec::Component) -> (Vec<String>, bool) {
    if let Some(legacy) = &component.legacy
        && !legacy.features.is_empty()
    {
        return (legacy.features.clone(), true);
    }
    let mut inferred = Vec::new();
    if component.legacy.is_some() {
        inferred.push("shell".to_owned());
    }
    if component.kind == ComponentKind::Service {
        inferred.push("service-flag".to_owned());
    }
    if !component.secrets.is_empty() {
        inferred.push("secrets".to_owned());
    }
    if !component.outputs.is_empty() {
        inferred.push("artifact-upload".to_owned());
    }
    (inferred, false)
}

fn feature_audit(feature: &str) -> FeatureAudit {
    let row = capability::lookup(feature);
    FeatureAudit {
        feature: row.feature,
        dagger: row.dagger,
        support: row.support,
        instead: row.instead,
    }
}

fn scaffold_class(support: Support) -> &'static str {
    match support {
        Support::Supported | Support::Ci => "automatic",
        Support::Partial => "partial",
        Support::Manual => "manual",
    }
}

fn summarize(components: &[ComponentAudit]) -> AuditSummary {
    let count = |class: &str| components.iter().filter(|c| c.scaffold == class).count();
    let (automatic, partial, manual) = (count("automatic"), count("partial"), count("manual"));
    let total = components.len();
    let text = format!(
        "{automatic} of {total} components can be scaffolded automatically, {partial} partially, {manual} need manual work"
    );
    AuditSummary {
        components: total,
        automatic,
        partial,
        manual,
        wraps: components.iter().map(|c| c.wraps.len()).sum(),
        effort_days: components.iter().map(|c| c.effort_days).sum(),
        estimated_days: components.iter().map(|c| c.estimated_days).sum(),
        imported_from: std::collections::BTreeMap::new(),
        text,
    }
}

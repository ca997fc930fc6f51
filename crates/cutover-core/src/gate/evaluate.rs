//! Evaluation of gates over the store.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::criteria::{Expr, Metrics, SideMetrics, Verdict, evaluate};
use crate::exec::implementation_digest;
use crate::lifecycle::Target;
use crate::plan::PlanError;
use crate::spec::{Component, ComponentRef, Criterion, Migration};
use crate::status::drift;
use crate::store::{ComparisonCounts, Store, StoreError};
use crate::workspace::Workspace;

/// Why a gate could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The plan (which says a component's phase, hence its phase gate) failed.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One criterion's result with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionReport {
    /// Component evaluated.
    pub component: String,
    /// The criterion as written.
    pub expr: String,
    /// Where it comes from: `defaults`, `component`, or `phase N`.
    pub source: String,
    /// Whether it blocks (false: observe only).
    pub enforce: bool,
    /// Its verdict.
    pub verdict: Verdict,
    /// Left-hand value of a comparison.
    pub observed: Option<f64>,
    /// Right-hand value of a comparison.
    pub threshold: Option<f64>,
    /// Every metric read.
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Statistical detail.
    pub detail: Option<String>,
    /// The window, in words.
    pub window: String,
    /// Runs in the window.
    pub runs: u64,
    /// Start of the window, if bounded.
    pub since: Option<Timestamp>,
    /// Runs of the window left out because they ran an earlier Dagger
    /// implementation (`dagger.sources` or its command lines changed since).
    pub excluded_runs: u64,
    /// Why runs were left out, when some were.
    pub excluded_because: Option<String>,
    /// Durations of the window left out of a duration criterion because
    /// they were contended: the execution overlapped the other side of its
    /// run, which ran at normal priority (0 for other criteria).
    pub contended_left_out: u64,
    /// For a criterion that reads parity: the compared runs of its window
    /// by what their parity compared (dry runs, exit codes only, full).
    pub compared_by: Option<ComparisonCounts>,
}

impl CriterionReport {
    /// "dagger.success_rate 0.91 vs 0.99 (48 runs since 2027-03-02T…)".
    pub fn evidence(&self) -> String {
        self.evidence_with(None)
    }

    /// [`Self::evidence`] for a document: the window's start in `zone`, named.
    pub fn evidence_in(&self, zone: &jiff::tz::TimeZone) -> String {
        self.evidence_with(Some(zone))
    }

    fn evidence_with(&self, zone: Option<&jiff::tz::TimeZone>) -> String {
        // Durations read in human units; other values as numbers.
        let durations =
            !self.metrics.is_empty() && self.metrics.keys().all(|name| name.contains("duration"));
        let shown = |value: f64| match durations {
            true => crate::units::human_duration(value),
            false => round(value),
        };
        let values = match (self.observed, self.threshold) {
            (Some(o), Some(t)) => format!(" (observed {} vs {})", shown(o), shown(t)),
            (None, Some(t)) => format!(" (no data yet vs {})", shown(t)),
            _ => String::new(),
        };
        let detail = self
            .detail
            .as_ref()
            .map(|d| format!("; {d}"))
            .unwrap_or_default();
        let since = self
            .since
            .as_ref()
            .map(|s| match zone {
                Some(zone) => format!(" since {}", crate::units::local_time(*s, zone)),
                None => format!(" since {s}"),
            })
            .unwrap_or_default();
        let excluded = self
            .excluded_because
            .as_ref()
            .map(|why| format!(" ({} runs left out: {why})", self.excluded_runs))
            .unwrap_or_default();
        let compared = self
            .compared_by
            .and_then(|c| c.describe())
            .map(|c| format!("; compared: {c}"))
            .unwrap_or_default();
        format!(
            "`{}` is {}{values}{detail} — {} runs{since}{excluded}{compared}",
            self.expr,
            self.verdict.as_str(),
            self.runs
        )
    }
}

fn round(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A gate's verdict with every criterion.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// What was evaluated.
    pub target: String,
    /// Overall verdict.
    pub verdict: Verdict,
    /// Each criterion.
    pub criteria: Vec<CriterionReport>,
    /// Why the verdict is what it is, when not obvious.
    pub note: Option<String>,
}

impl GateReport {
    /// The enforced criteria that keep the gate from passing.
    pub fn blocking(&self) -> impl Iterator<Item = &CriterionReport> {
        self.criteria
            .iter()
            .filter(|c| c.enforce && c.verdict != Verdict::Pass)
    }
}

/// Evaluates the gate of one component: `defaults.gate`, its own `gate`
/// and its phase's `gate`.
pub fn component_gate(
    workspace: &Workspace,
    reference: ComponentRef,
) -> Result<GateReport, GateError> {
    component_gate_since(workspace, reference, None)
}

/// [`component_gate`] over a manual window: with `manual`, every criterion
/// reads the runs started at or after it instead of its own window.
pub fn component_gate_since(
    workspace: &Workspace,
    reference: ComponentRef,
    manual: Option<Timestamp>,
) -> Result<GateReport, GateError> {
    let store = &workspace.store;
    let component = workspace.spec(reference);
    let phase = workspace.phase_of(reference)?;
    let criteria = gate_criteria(&workspace.migration, component, phase);
    let record = workspace.mode(&component.id)?.record();
    let drifted = drift(component, &record, &workspace.base_dir);
    let current = match manual {
        Some(_) => None,
        None => current_implementation_start(workspace, component)?,
    };
    let mut cache: BTreeMap<Option<Timestamp>, (Metrics, ComparisonCounts)> = BTreeMap::new();
    let mut reports = Vec::with_capacity(criteria.len());
    for (criterion, source) in criteria {
        let window_since = match manual {
            Some(manual) => Some(manual),
            None => store.window_start(&component.id, criterion.window, record.since)?,
        };
        let since = match current {
            Some(start) => Some(window_since.map_or(start, |w| w.max(start))),
            None => window_since,
        };
        let (id, excluded) = (&component.id, since != window_since);
        let excluded_runs = match excluded {
            true => cached(&mut cache, store, id, window_since, drifted)?.0.runs,
            false => 0,
        };
        let (metrics, compared_by) = cached(&mut cache, store, id, since, drifted)?;
        let excluded_runs = excluded_runs.saturating_sub(metrics.runs);
        let result = evaluate(&criterion.expr, metrics);
        let reads_durations = matches!(criterion.expr, Expr::NotSlower { .. })
            || result.metrics.keys().any(|name| name.contains("duration"));
        let reads_parity = result
            .metrics
            .keys()
            .any(|name| name == "parity" || name == "mismatches");
        reports.push(CriterionReport {
            compared_by: reads_parity.then_some(*compared_by),
            contended_left_out: if reads_durations {
                metrics.contended_left_out
            } else {
                0
            },
            component: component.id.clone(),
            expr: criterion.text.clone(),
            source,
            enforce: criterion.enforce,
            verdict: result.verdict,
            observed: result.observed,
            threshold: result.threshold,
            metrics: result.metrics,
            detail: result.detail,
            window: match manual {
                Some(manual) => format!("since {manual} (--since)"),
                None => criterion.window.to_string(),
            },
            runs: metrics.runs,
            since,
            excluded_runs,
            excluded_because: (excluded_runs > 0).then(|| excluded_because(since)),
        });
    }
    Ok(report(component.id.clone(), reports))
}

/// The criteria a component's gate applies, each with where it comes from:
/// the defaults (unless the component restates the same left-hand side),
/// the component's own, and its phase's.
pub fn gate_criteria<'a>(
    migration: &'a Migration,
    component: &'a Component,
    phase: u32,
) -> Vec<(&'a Criterion, String)> {
    let mut criteria: Vec<(&Criterion, String)> = Vec::new();
    criteria.extend(
        migration
            .defaults
            .gate
            .iter()
            .filter(|d| !component.gate.iter().any(|c| same_left_side(d, c)))
            .map(|c| (c, "defaults".to_owned())),
    );
    criteria.extend(component.gate.iter().map(|c| {
        let overrides = migration.defaults.gate.iter().any(|d| same_left_side(d, c));
        let source = if overrides {
            "component (overrides defaults)"
        } else {
            "component"
        };
        (c, source.to_owned())
    }));
    for settings in migration.phases.iter().filter(|p| p.number == phase) {
        criteria.extend(settings.gate.iter().map(|c| (c, format!("phase {phase}"))));
    }
    criteria
}

/// When the runs of the component's current Dagger implementation begin,
/// if runs of an earlier one are recorded.
fn current_implementation_start(
    workspace: &Workspace,
    component: &crate::spec::Component,
) -> Result<Option<Timestamp>, StoreError> {
    match implementation_digest(&workspace.base_dir, component) {
        Some(digest) => workspace.store.implementation_start(&component.id, &digest),
        None => Ok(None),
    }
}

/// Why runs before `since` were left out of a criterion's window.
fn excluded_because(since: Option<Timestamp>) -> String {
    let since = since
        .map(|s| format!(" (counting from {s})"))
        .unwrap_or_default();
    format!(
        "they ran an earlier Dagger implementation: dagger.sources or dagger.run changed since{since}; `gate --since` sets a window by hand"
    )
}

/// The metrics from `since`, computed once per distinct window start.
fn cached<'a>(
    cache: &'a mut BTreeMap<Option<Timestamp>, (Metrics, ComparisonCounts)>,
    store: &Store,
    component: &str,
    since: Option<Timestamp>,
    drifted: bool,
) -> Result<&'a (Metrics, ComparisonCounts), StoreError> {
    Ok(match cache.entry(since) {
        std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
        std::collections::btree_map::Entry::Vacant(entry) => {
            entry.insert(window(store, component, since, drifted)?)
        }
    })
}

/// Whether two criteria judge the same thing: comparisons with the same
/// left-hand side, or two `not_slower` tests. A component's criterion
/// replaces a default one it shares a left-hand side with.
fn same_left_side(a: &Criterion, b: &Criterion) -> bool {
    match (&a.expr, &b.expr) {
        (Expr::Binary(op_a, left_a, _), Expr::Binary(op_b, left_b, _)) => {
            op_a.is_comparison() && op_b.is_comparison() && left_a == left_b
        }
        (Expr::NotSlower { .. }, Expr::NotSlower { .. }) => true,
        _ => false,
    }
}

/// The metrics of a component over runs started at or after `since`.
pub fn window_metrics(
    store: &Store,
    component: &str,
    since: Option<Timestamp>,
    drift: bool,
) -> Result<Metrics, StoreError> {
    window(store, component, since, drift).map(|(metrics, _)| metrics)
}

/// [`window_metrics`] with the window's compared runs by what their parity compared.
fn window(
    store: &Store,
    component: &str,
    since: Option<Timestamp>,
    drift: bool,
) -> Result<(Metrics, ComparisonCounts), StoreError> {
    let samples = store.window_samples(component, since)?;
    let drills_passed = store.drills(component)?.iter().filter(|d| d.passed).count() as u64;
    let metrics = Metrics {
        legacy: SideMetrics::new(samples.legacy),
        dagger: SideMetrics::new(samples.dagger),
        runs: samples.runs,
        compared: samples.compared,
        matched: samples.matched,
        mismatches: samples.mismatches,
        contended_left_out: samples.contended_left_out,
        drift,
        drills_passed,
    };
    Ok((metrics, samples.compared_by))
}

/// Evaluates a component's gate, or every gate of a phase's components.
/// With `manual`, over the runs started at or after it.
pub fn target_gate(
    workspace: &Workspace,
    target: &Target,
    name: &str,
    manual: Option<Timestamp>,
) -> Result<GateReport, GateError> {
    let mut criteria = Vec::new();
    for component in target.components() {
        criteria.extend(component_gate_since(workspace, component, manual)?.criteria);
    }
    Ok(report(name.to_owned(), criteria))
}

fn report(target: String, criteria: Vec<CriterionReport>) -> GateReport {
    let enforced: Vec<&CriterionReport> = criteria.iter().filter(|c| c.enforce).collect();
    let (verdict, note) = if enforced.is_empty() {
        (
            Verdict::Inconclusive,
            Some(
                "no enforced gate criteria: define `defaults.gate` or a component `gate`"
                    .to_owned(),
            ),
        )
    } else if enforced.iter().any(|c| c.verdict == Verdict::Fail) {
        (Verdict::Fail, None)
    } else if enforced.iter().any(|c| c.verdict == Verdict::Inconclusive) {
        (
            Verdict::Inconclusive,
            Some("not enough evidence yet: more runs may decide it".to_owned()),
        )
    } else {
        (Verdict::Pass, None)
    };
    GateReport {
        target,
        verdict,
        criteria,
        note,
    }
}

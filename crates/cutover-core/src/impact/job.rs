//! [`JobImpact`]: what happens to one component's CI job, and when.

use jiff::civil::Date;
use serde::Serialize;

use crate::audit::Forecast;
use crate::plan::Plan;
use crate::spec::{Component, Implementation, Migration, ShadowTiming};

/// One component's CI job through the migration.
#[derive(Debug, Clone, Serialize)]
pub struct JobImpact {
    /// Component id.
    pub component: String,
    /// Component name.
    pub name: String,
    /// The CI job as it is today: the imported job, or the legacy command.
    pub job: String,
    /// What the job calls instead from the first change on.
    pub step: String,
    /// Plan phase.
    pub phase: u32,
    /// Both sides run, legacy authoritative, from this day.
    pub shadow_from: Date,
    /// Dagger authoritative for a share of runs from this day.
    pub canary_from: Date,
    /// Dagger only from this day: the legacy definition is frozen.
    pub dagger_from: Date,
    /// The legacy definition may be removed from this day (phase retirement).
    pub removed_from: Date,
    /// When the shadow runs: `concurrent` or `after`.
    pub shadow: ShadowTiming,
    /// Re-runs of the shadow on a mismatch.
    pub recheck: u32,
    /// The legacy definition: its source files, else its command.
    pub legacy_definition: Vec<String>,
    /// The Dagger definition: its source files, else its command.
    pub dagger_definition: Vec<String>,
    /// Deploys or publishes (the shadow runs a dry run).
    pub side_effects: bool,
    /// Expected wall time from recorded runs (`None`: no runs yet).
    pub wall_time: Option<WallTime>,
    /// The mode it is in now, when the state was read.
    pub mode_now: Option<String>,
}

/// Wall time of the job, from the audit's forecast over recorded runs.
#[derive(Debug, Clone, Serialize)]
pub struct WallTime {
    /// Runs the figures come from.
    pub runs: usize,
    /// Runs per week over the recorded span.
    pub runs_per_week: f64,
    /// Legacy side's median, seconds.
    pub legacy_median_seconds: f64,
    /// Dagger side's median, seconds (`None`: it has not run yet, and the
    /// legacy median stands in for it).
    pub dagger_median_seconds: Option<f64>,
    /// Extra wall time per run while in shadow (or canary), seconds: the
    /// slower side decides when the shadow runs beside the job, the whole
    /// Dagger run when it runs after it.
    pub shadow_extra_seconds: f64,
    /// Extra CI minutes per week while both sides run.
    pub shadow_extra_minutes_per_week: f64,
    /// Change per run once only Dagger runs (negative: faster), when the
    /// Dagger side has run.
    pub dagger_change_seconds: Option<f64>,
}

impl WallTime {
    /// The figures `forecast` gives for a shadow that runs per `timing`.
    pub fn from_forecast(forecast: &Forecast, timing: ShadowTiming) -> Option<WallTime> {
        let legacy = forecast.legacy.as_ref()?.median_seconds;
        let dagger = forecast.dagger.as_ref().map(|d| d.median_seconds);
        let shadow_extra_seconds = match timing {
            ShadowTiming::Concurrent => forecast.shadow_extra_wall_seconds,
            ShadowTiming::After => round(dagger.unwrap_or(legacy)),
        };
        Some(WallTime {
            runs: forecast.runs,
            runs_per_week: forecast.runs_per_week,
            legacy_median_seconds: legacy,
            dagger_median_seconds: dagger,
            shadow_extra_seconds,
            shadow_extra_minutes_per_week: forecast.shadow_extra_minutes_per_week,
            dagger_change_seconds: dagger.map(|d| round(d - legacy)),
        })
    }
}

/// The job of `migration.components[index]` as `plan` schedules it.
pub fn job_impact(
    migration: &Migration,
    plan: &Plan,
    index: usize,
    wall_time: Option<WallTime>,
    mode_now: Option<String>,
) -> Option<JobImpact> {
    let component = migration.components.get(index)?;
    let schedule = plan.components.get(index)?;
    let phase = plan.phases.iter().find(|p| p.number == schedule.phase)?;
    Some(JobImpact {
        component: component.id.clone(),
        name: component.name.clone(),
        job: job_name(component),
        step: format!("cutover run {}", component.id),
        phase: schedule.phase,
        shadow_from: schedule.shadow_start,
        canary_from: schedule.canary_start,
        dagger_from: schedule.end,
        removed_from: phase.retirement,
        shadow: component.shadow,
        recheck: component.recheck,
        legacy_definition: definition(component.legacy.as_ref()),
        dagger_definition: definition(component.dagger.as_ref()),
        side_effects: component.side_effects,
        wall_time,
        mode_now,
    })
}

/// The imported job (`github-actions job `build` in `ci.yml``), else the
/// legacy command as CI calls it today.
fn job_name(component: &Component) -> String {
    match &component.legacy {
        Some(legacy) => match &legacy.origin {
            Some(origin) => format!("{} job `{}` in `{}`", origin.from, origin.job, origin.file),
            None => format!("`{}`", legacy.run),
        },
        None => "(no legacy side)".to_owned(),
    }
}

/// A side's definition files, else its command line.
fn definition(side: Option<&Implementation>) -> Vec<String> {
    match side {
        Some(side) if !side.sources.is_empty() => side.sources.clone(),
        Some(side) => vec![side.run.clone()],
        None => Vec::new(),
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::SideForecast;

    fn forecast(dagger: Option<f64>) -> Forecast {
        let side = |median: f64| SideForecast {
            executions: 10,
            median_seconds: median,
            p90_seconds: median,
        };
        Forecast {
            runs: 10,
            runs_per_week: 50.0,
            max_concurrency: 1,
            legacy: Some(side(20.0)),
            dagger: dagger.map(side),
            ci_minutes_per_week: 16.67,
            shadow_extra_minutes_per_week: 25.0,
            shadow_extra_wall_seconds: dagger.map_or(0.0, |d| (d - 20.0).max(0.0)),
        }
    }

    #[test]
    fn a_shadow_after_the_job_adds_the_whole_dagger_run() {
        let beside = WallTime::from_forecast(&forecast(Some(30.0)), ShadowTiming::Concurrent)
            .expect("legacy ran");
        assert!((beside.shadow_extra_seconds - 10.0).abs() < 1e-9);
        let after =
            WallTime::from_forecast(&forecast(Some(30.0)), ShadowTiming::After).expect("ran");
        assert!((after.shadow_extra_seconds - 30.0).abs() < 1e-9);
        assert_eq!(after.dagger_change_seconds, Some(10.0));
        let unported =
            WallTime::from_forecast(&forecast(None), ShadowTiming::After).expect("legacy ran");
        assert!((unported.shadow_extra_seconds - 20.0).abs() < 1e-9);
        assert_eq!(unported.dagger_change_seconds, None);
    }
}

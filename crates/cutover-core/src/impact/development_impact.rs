//! [`DevelopmentImpact`]: every owner team's CI jobs through the
//! migration, built from the plan and, when a workspace is given, from
//! recorded runs (the audit's [`crate::audit::Forecast`], not a second
//! computation of the same figures) and the modes in force now.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::job::{JobImpact, WallTime, job_impact};
use crate::plan::Plan;
use crate::spec::Migration;
use crate::store::StoreError;
use crate::workspace::Workspace;

/// The impact on ongoing development, per team.
#[derive(Debug, Clone, Serialize)]
pub struct DevelopmentImpact {
    /// Teams, the earliest first change first.
    pub teams: Vec<TeamImpact>,
    /// Whether recorded runs and current modes were read.
    pub live: bool,
}

/// One owner team's jobs.
#[derive(Debug, Clone, Serialize)]
pub struct TeamImpact {
    /// The team (a component `owner`).
    pub team: String,
    /// Its jobs, in the order they enter shadow.
    pub jobs: Vec<JobImpact>,
    /// The first day one of its jobs runs both sides.
    pub first_change: Date,
    /// The day its last job runs Dagger only.
    pub last_cutover: Date,
    /// The day its last legacy definition may be removed.
    pub last_removal: Date,
    /// Extra CI minutes per week while its jobs with recorded runs are in
    /// shadow, summed (`None`: none has runs).
    pub shadow_extra_minutes_per_week: Option<f64>,
}

/// The impact of `migration` as `plan` schedules it; with a workspace,
/// wall-time figures from its recorded runs and the current modes.
pub fn development_impact(
    migration: &Migration,
    plan: &Plan,
    live: Option<&Workspace>,
) -> Result<DevelopmentImpact, StoreError> {
    let mut by_team: BTreeMap<&str, Vec<JobImpact>> = BTreeMap::new();
    for (index, component) in migration.components.iter().enumerate() {
        let (wall_time, mode_now) = match live {
            Some(workspace) => observed(workspace, index)?,
            None => (None, None),
        };
        if let Some(job) = job_impact(migration, plan, index, wall_time, mode_now) {
            by_team.entry(&component.owner).or_default().push(job);
        }
    }
    let mut teams: Vec<TeamImpact> = by_team
        .into_iter()
        .filter_map(|(team, jobs)| team_impact(team, jobs))
        .collect();
    teams.sort_by(|a, b| (a.first_change, &a.team).cmp(&(b.first_change, &b.team)));
    Ok(DevelopmentImpact {
        teams,
        live: live.is_some(),
    })
}

/// The wall time from a component's recorded runs and its mode now.
fn observed(
    workspace: &Workspace,
    index: usize,
) -> Result<(Option<WallTime>, Option<String>), StoreError> {
    let component = &workspace.migration.components[index];
    let forecast = crate::audit::forecast(&workspace.store, &component.id)?;
    let wall_time = forecast
        .as_ref()
        .and_then(|f| WallTime::from_forecast(f, component.shadow));
    let mode = workspace.mode(&component.id)?;
    Ok((wall_time, Some(mode.state.to_string())))
}

/// A team's jobs in the order they change, with its dates and totals.
fn team_impact(team: &str, mut jobs: Vec<JobImpact>) -> Option<TeamImpact> {
    jobs.sort_by_key(|job| job.shadow_from);
    let first_change = jobs.first()?.shadow_from;
    let last_cutover = jobs.iter().map(|j| j.dagger_from).max()?;
    let last_removal = jobs.iter().map(|j| j.removed_from).max()?;
    let with_runs: Vec<f64> = jobs
        .iter()
        .filter_map(|j| j.wall_time.as_ref())
        .map(|w| w.shadow_extra_minutes_per_week)
        .collect();
    let shadow_extra_minutes_per_week =
        (!with_runs.is_empty()).then(|| (with_runs.iter().sum::<f64>() * 100.0).round() / 100.0);
    Some(TeamImpact {
        team: team.to_owned(),
        jobs,
        first_change,
        last_cutover,
        last_removal,
        shadow_extra_minutes_per_week,
    })
}

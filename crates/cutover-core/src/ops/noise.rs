//! [`noise_net`]: which recorded mismatches only calibrated noise explains.
//!
//! A mismatch whose exit codes agreed is compared again from the run's
//! capture files (`<state dir>/runs/<run id>/{legacy,dagger}/`, or for a
//! deploy compared dry run with dry run, the authoritative side's
//! `<side>-dry-run/` and the shadow's), now with the spec's rules followed
//! by the last calibration's. If it matches, the mismatch was noise only.
//! A run compared on exit codes only, or whose captures are gone (pruned by
//! `gc`), stays a mismatch.

use std::path::Path;

use serde::Serialize;

use super::calibrate::calibrated_noise;
use crate::exec::{
    Normalizer, Parity, ParityComparison, ParityPlan, ParityVerdict, SideResult, SideRole, compare,
    digest_outputs,
};
use crate::lifecycle::Side;
use crate::spec::Component;
use crate::store::{RunRecord, StoreError};
use crate::workspace::Workspace;

/// Mismatches net of calibrated noise, over a set of runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NoiseNet {
    /// Whether the component was calibrated (`cutover calibrate`).
    pub calibrated: bool,
    /// Runs compared (with a parity verdict).
    pub compared: u64,
    /// Mismatches among them.
    pub mismatches: u64,
    /// Mismatches that only calibrated noise explains.
    pub noise_only: Vec<String>,
    /// Parity counting noise-only mismatches as matches (null: no runs compared).
    pub parity_net_of_noise: Option<f64>,
}

/// Sorts the mismatches among `runs` of `component` into noise and the rest.
pub fn noise_net(
    workspace: &Workspace,
    component: &Component,
    runs: &[RunRecord],
) -> Result<NoiseNet, StoreError> {
    let compared: Vec<&RunRecord> = runs.iter().filter(|r| r.parity.is_some()).collect();
    let mismatches: Vec<&RunRecord> = compared
        .iter()
        .copied()
        .filter(|r| r.parity == Some(ParityVerdict::Mismatch))
        .collect();
    let noise = calibrated_noise(workspace, &component.id)?;
    let mut net = NoiseNet {
        calibrated: noise.is_some(),
        compared: compared.len() as u64,
        mismatches: mismatches.len() as u64,
        ..NoiseNet::default()
    };
    if let Some(noise) = noise {
        let mut rules = component.normalize.clone();
        rules.extend(noise.into_iter().map(|r| (r.pattern, r.replace)));
        if let Ok(normalizer) = Normalizer::new(&rules) {
            net.noise_only = mismatches
                .iter()
                .filter(|r| only_noise(workspace, component, r, &normalizer))
                .map(|r| r.id.clone())
                .collect();
        }
    }
    let with_parity = compared
        .iter()
        .filter(|r| r.parity.is_some_and(ParityVerdict::has_parity))
        .count()
        + net.noise_only.len();
    net.parity_net_of_noise =
        (!compared.is_empty()).then(|| with_parity as f64 / compared.len() as f64);
    Ok(net)
}

/// Whether the run's captures match once `normalizer` is applied.
fn only_noise(
    workspace: &Workspace,
    component: &Component,
    run: &RunRecord,
    normalizer: &Normalizer,
) -> bool {
    let summary = run.parity_summary.as_deref().unwrap_or_default();
    let dry_runs = run.comparison == Some(ParityComparison::DryRuns);
    if summary.starts_with("exit code") || component.side_effects && !dry_runs {
        return false;
    }
    let run_dir = workspace.state_dir.join("runs").join(&run.id);
    let authoritative_role = if dry_runs {
        SideRole::AuthoritativeDryRun
    } else {
        SideRole::Authoritative
    };
    let shadow = run.authoritative.other();
    let (Some(legacy), Some(dagger)) = (
        side_result(
            &run_dir,
            authoritative_role.directory(run.authoritative, 0),
            run.authoritative,
            component,
            normalizer,
        ),
        side_result(
            &run_dir,
            SideRole::Shadow.directory(shadow, 0),
            shadow,
            component,
            normalizer,
        ),
    ) else {
        return false;
    };
    let plan = ParityPlan {
        settings: &component.parity,
        normalizer,
        working_dir: &workspace.base_dir,
        exit_code_only: false,
    };
    compare(&legacy, &dagger, &plan) == Parity::Match
}

/// One side of a recorded run, from its capture files (exit code aside).
fn side_result(
    run_dir: &Path,
    directory: String,
    side: Side,
    component: &Component,
    normalizer: &Normalizer,
) -> Option<SideResult> {
    let dir = run_dir.join(directory);
    let out = dir.join("out");
    let stdout = std::fs::read(dir.join("stdout")).ok()?;
    let placeholders = [
        (out.display().to_string(), "<out>"),
        (dir.display().to_string(), "<run>"),
    ];
    Some(SideResult {
        side,
        exit_code: 0,
        stdout: normalizer.apply(&String::from_utf8_lossy(&stdout), &placeholders),
        outputs: digest_outputs(&out, &component.outputs),
        out_dir: out,
    })
}

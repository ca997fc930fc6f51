//! Every gate metric, over runs recorded in a real SQLite store, against an
//! independent computation written here from the definitions.

use cutover_core::exec::{ParityVerdict, SideOutcome};
use cutover_core::gate::component_gate;
use cutover_core::lifecycle::{Mode, ModeState, Side};
use cutover_core::spec::parse_spec;
use cutover_core::store::{ImportedRun, Store, StoreLocation};
use cutover_core::workspace::Workspace;

const SPEC: &str = "version: 1
migration: { name: m, start: 2027-01-04 }
defaults:
  gate:
    - legacy.runs >= 0
    - dagger.runs >= 0
    - legacy.success_rate >= 0
    - dagger.error_rate >= 0
    - legacy.p50_duration >= 0
    - dagger.p90_duration >= 0
    - dagger.p95_duration >= 0
    - legacy.p95_duration >= 0
    - dagger.p99_duration >= 0
    - dagger.mean_duration >= 0
    - legacy.max_duration >= 0
    - parity >= 0
    - mismatches >= 0
    - runs >= 0
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: { run: 'true' }
    dagger: { run: 'true' }
";

/// Type 7 quantile, written independently of the library.
fn type7(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

#[test]
fn metrics_match_an_independent_computation() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(&dir.path().join("state.db")).expect("store");
    // 37 shadow runs with varied durations, failures and parities.
    let (mut legacy, mut dagger) = (Vec::new(), Vec::new());
    let (mut legacy_ok, mut dagger_failed, mut matched, mut mismatched) = (0, 0, 0, 0);
    let mut runs = Vec::new();
    for i in 0..37u32 {
        let legacy_ms = 800.0 + f64::from((i * 37) % 101) * 7.5;
        let dagger_ms = 700.0 + f64::from((i * 53) % 89) * 11.25;
        let legacy_outcome = if i % 9 == 4 {
            SideOutcome::Failed { code: 2 }
        } else {
            SideOutcome::Succeeded
        };
        let dagger_outcome = if i % 7 == 3 {
            SideOutcome::TimedOut { after_ms: 5 }
        } else {
            SideOutcome::Succeeded
        };
        legacy_ok += u32::from(legacy_outcome.is_success());
        dagger_failed += u32::from(!dagger_outcome.is_success());
        let parity = match i % 10 {
            0 => Some(ParityVerdict::Mismatch),
            5 => Some(ParityVerdict::Flaky),
            7 => None,
            _ => Some(ParityVerdict::Match),
        };
        match parity {
            Some(ParityVerdict::Mismatch) => mismatched += 1,
            Some(_) => matched += 1,
            None => {}
        }
        legacy.push(legacy_ms / 1000.0);
        dagger.push(dagger_ms / 1000.0);
        runs.push(ImportedRun {
            id: format!("run-{i}"),
            component: "job".into(),
            mode: ModeState {
                mode: Mode::Shadow,
                canary_percent: 0,
            },
            started_at: format!("2027-01-04T10:{:02}:00.000Z", i)
                .parse()
                .expect("time"),
            parity,
            sides: vec![
                (Side::Legacy, legacy_outcome, legacy_ms),
                (Side::Dagger, dagger_outcome, dagger_ms),
            ],
        });
    }
    store.import_runs(&runs).expect("import");
    drop(store);
    let migration = parse_spec("m.yaml", SPEC).expect("spec");
    let workspace = Workspace::open(
        migration,
        dir.path().to_owned(),
        &StoreLocation::File(dir.path().join("state.db")),
    )
    .expect("workspace");
    let job = workspace.component("job").expect("job");
    let report = component_gate(&workspace, job).expect("gate");
    let observed = |expr: &str| {
        report
            .criteria
            .iter()
            .find(|c| c.expr == expr)
            .and_then(|c| c.observed)
            .unwrap_or(f64::NAN)
    };
    let close = |actual: f64, expected: f64, what: &str| {
        // Durations are stored as f32 milliseconds: allow their rounding.
        assert!(
            (actual - expected).abs() <= 1e-6 * expected.abs().max(1.0),
            "{what}: {actual} != {expected}"
        );
    };
    close(observed("legacy.runs >= 0"), 37.0, "legacy.runs");
    close(observed("dagger.runs >= 0"), 37.0, "dagger.runs");
    close(observed("runs >= 0"), 37.0, "runs");
    close(
        observed("legacy.success_rate >= 0"),
        f64::from(legacy_ok) / 37.0,
        "legacy.success_rate",
    );
    close(
        observed("dagger.error_rate >= 0"),
        f64::from(dagger_failed) / 37.0,
        "dagger.error_rate",
    );
    close(
        observed("legacy.p50_duration >= 0"),
        type7(&legacy, 0.50),
        "legacy.p50",
    );
    close(
        observed("dagger.p90_duration >= 0"),
        type7(&dagger, 0.90),
        "dagger.p90",
    );
    close(
        observed("dagger.p95_duration >= 0"),
        type7(&dagger, 0.95),
        "dagger.p95",
    );
    close(
        observed("legacy.p95_duration >= 0"),
        type7(&legacy, 0.95),
        "legacy.p95",
    );
    close(
        observed("dagger.p99_duration >= 0"),
        type7(&dagger, 0.99),
        "dagger.p99",
    );
    close(
        observed("dagger.mean_duration >= 0"),
        dagger.iter().sum::<f64>() / 37.0,
        "dagger.mean",
    );
    close(
        observed("legacy.max_duration >= 0"),
        legacy.iter().copied().fold(0.0, f64::max),
        "legacy.max",
    );
    close(
        observed("parity >= 0"),
        f64::from(matched) / f64::from(matched + mismatched),
        "parity",
    );
    close(
        observed("mismatches >= 0"),
        f64::from(mismatched),
        "mismatches",
    );
}

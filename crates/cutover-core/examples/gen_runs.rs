//! Fills a state store with recorded shadow runs of one component, for the
//! gate benchmark: `cargo run --release -p cutover-core --example gen_runs -- STATE_DB COMPONENT COUNT`.
//! Durations are normal-ish around 1.00 s (legacy) and 0.95 s (Dagger); 0.3%
//! of executions fail and 0.2% of runs mismatch. Deterministic.

use std::path::PathBuf;

use cutover_core::exec::{ParityVerdict, SideOutcome};
use cutover_core::lifecycle::{Mode, ModeState, Side};
use cutover_core::random::SplitMix64;
use cutover_core::store::{ImportedRun, Store};

/// Sum of uniforms: a cheap bell curve.
fn bell(random: &mut SplitMix64, mean: f64, spread: f64) -> f64 {
    let sum: f64 = (0..6).map(|_| random.unit()).sum();
    mean + (sum - 3.0) * spread
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: gen_runs STATE_DB COMPONENT COUNT";
    let path = PathBuf::from(args.next().ok_or(usage)?);
    let component = args.next().ok_or(usage)?;
    let count: usize = args.next().ok_or(usage)?.parse()?;
    let mut store = Store::open(&path)?;
    let mut random = SplitMix64::new(7);
    let start = jiff::Timestamp::from_second(1_798_000_000)?;
    let mut batch = Vec::with_capacity(50_000);
    for i in 0..count {
        let started_at = start.checked_add(jiff::SignedDuration::from_millis(i as i64 * 10))?;
        let outcome = |random: &mut SplitMix64| {
            if random.unit() < 0.003 {
                SideOutcome::Failed { code: 1 }
            } else {
                SideOutcome::Succeeded
            }
        };
        let legacy = (
            Side::Legacy,
            outcome(&mut random),
            bell(&mut random, 1000.0, 60.0),
        );
        let dagger = (
            Side::Dagger,
            outcome(&mut random),
            bell(&mut random, 950.0, 60.0),
        );
        batch.push(ImportedRun {
            id: format!("import-{i:09}"),
            component: component.clone(),
            mode: ModeState {
                mode: Mode::Shadow,
                canary_percent: 0,
            },
            started_at,
            parity: Some(if random.unit() < 0.002 {
                ParityVerdict::Mismatch
            } else {
                ParityVerdict::Match
            }),
            sides: vec![legacy, dagger],
        });
        if batch.len() == batch.capacity() {
            store.import_runs(&batch)?;
            batch.clear();
        }
    }
    store.import_runs(&batch)?;
    Ok(())
}

//! Load for `bench/ingest.sh`: records runs into a `cutover serve` server
//! through the same HTTP store `cutover run` uses, from many threads, and
//! prints throughput and latency as one JSON line.
//!
//! Usage: `ingest_load STATE CLIENTS RUNS_PER_CLIENT` with `CUTOVER_TOKEN`
//! set to a runner token. STATE is what `--state` takes: the server's URL,
//! or a SQLite file for the baseline (every client writing the file
//! directly, as `cutover run` processes on one machine do). One recorded
//! run is what `cutover run` sends for a shadow run: `begin` then `finish`
//! with both sides.

use std::time::{Duration, Instant};

use cutover_core::exec::{ParityVerdict, SideOutcome, SideRole};
use cutover_core::lifecycle::{Mode, ModeState, Side};
use cutover_core::store::{RunFinish, RunSource, RunStart, SideRecord, Store, StoreLocation};

#[expect(clippy::print_stdout, reason = "the figures are this program's output")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, clients, runs] = &args[..] else {
        return Err("usage: ingest_load STATE CLIENTS RUNS_PER_CLIENT".into());
    };
    let location = StoreLocation::parse(url, &std::env::current_dir()?);
    let clients: usize = clients.parse()?;
    let runs: usize = runs.parse()?;
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let location = location.clone();
            std::thread::spawn(move || record(&location, client, runs))
        })
        .collect();
    let mut latencies = Vec::with_capacity(clients * runs);
    for worker in workers {
        latencies.extend(worker.join().map_err(|_| "a client panicked")??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let quantile = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[index].as_secs_f64() * 1000.0
    };
    println!(
        "{{\"runs\": {}, \"seconds\": {:.3}, \"runs_per_second\": {:.0}, \"p50_ms\": {:.2}, \"p99_ms\": {:.2}}}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        quantile(0.50),
        quantile(0.99),
    );
    Ok(())
}

/// One client: `runs` runs recorded back to back; the latency of each.
fn record(location: &StoreLocation, client: usize, runs: usize) -> Result<Vec<Duration>, String> {
    let mut store = Store::open_location(location).map_err(|e| e.to_string())?;
    let mut latencies = Vec::with_capacity(runs);
    for run in 0..runs {
        let id = format!("bench-{}-{client:03}-{run:06}", std::process::id());
        let began = Instant::now();
        store.begin_run(&start(&id)).map_err(|e| e.to_string())?;
        store.finish_run(&finish(&id)).map_err(|e| e.to_string())?;
        latencies.push(began.elapsed());
    }
    Ok(latencies)
}

fn start(id: &str) -> RunStart {
    RunStart {
        id: id.to_owned(),
        component: "job".into(),
        mode: ModeState {
            mode: Mode::Shadow,
            canary_percent: 0,
        },
        authoritative: Side::Legacy,
        pid: 0,
        run_key: Some(id.to_owned()),
        trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
        source: RunSource::Run,
        implementation: None,
    }
}

fn finish(id: &str) -> RunFinish {
    let side = |side, role| SideRecord {
        side,
        role,
        attempt: 0,
        outcome: SideOutcome::Succeeded,
        duration_ms: 12.5,
        stdout_digest: Some(
            "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".into(),
        ),
        outputs_digest: None,
        overlapped: true,
        contended: false,
        lowered: None,
    };
    RunFinish {
        id: id.to_owned(),
        exit_code: 0,
        parity: Some(ParityVerdict::Match),
        parity_summary: None,
        comparison: None,
        trace_url: None,
        sides: vec![
            side(Side::Legacy, SideRole::Authoritative),
            side(Side::Dagger, SideRole::Shadow),
        ],
    }
}

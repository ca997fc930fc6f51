//! Generates a large, valid migration spec for benchmarks and stress tests:
//! `cargo run --release --example gen_spec -- 50000 > big.yaml`.
//!
//! Components only depend on earlier ones (so the graph is a DAG), 2.5
//! dependencies each on average, the first 2% infrastructure, a mix of risks
//! and 10% user-facing. The same count always gives the same file.

use std::io::{BufWriter, Write};

use cutover_core::random::SplitMix64;

fn main() -> std::io::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let mut random = SplitMix64::new(42);
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    writeln!(
        out,
        "version: 1\nmigration:\n  name: generated-{count}\n  start: 2027-01-04\n  calendar:\n    workdays: [mon, tue, wed, thu, fri]\n    holidays: [2027-01-18]\n  capacity: 25\ncomponents:"
    )?;
    let infra = (count / 50).max(1);
    for i in 0..count {
        let kind = if i < infra {
            "infra"
        } else {
            ["pipeline", "job", "service", "library"][random.below(4) as usize]
        };
        let risk = ["low", "medium", "high"][random.below(3) as usize];
        writeln!(
            out,
            "  - id: c{i}\n    kind: {kind}\n    owner: team{}",
            random.below(40)
        )?;
        writeln!(
            out,
            "    effort: {}d\n    risk: {risk}",
            1 + random.below(10)
        )?;
        if i >= infra && random.below(10) == 0 {
            writeln!(out, "    user_facing: true")?;
        }
        if i > 0 {
            // 0..=5 dependencies, mean 2.5, chosen among earlier components
            // (so the first components, the infra ones, only depend on infra).
            let wanted = random.below(6).min(i as u64);
            let mut dependencies: Vec<u64> = (0..wanted).map(|_| random.below(i as u64)).collect();
            dependencies.sort_unstable();
            dependencies.dedup();
            let names: Vec<String> = dependencies.iter().map(|d| format!("c{d}")).collect();
            writeln!(out, "    depends_on: [{}]", names.join(", "))?;
        }
    }
    out.flush()
}

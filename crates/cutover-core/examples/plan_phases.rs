//! Times each phase of `cutover plan --format json` on one spec, for the
//! profile behind bench/plan.sh: `cargo run --release --example plan_phases -- big.yaml`.

use std::io::Write;
use std::time::Instant;

use cutover_core::plan::build_plan;
use cutover_core::report::{plan_context, render_json};
use cutover_core::spec::validate::validate;
use cutover_core::spec::wire::MigrationSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: plan_phases SPEC")?;
    let mut laps: Vec<(&str, f64)> = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str| {
        let now = Instant::now();
        laps.push((name, (now - clock).as_secs_f64() * 1000.0));
        clock = now;
    };
    let text = std::fs::read_to_string(&path)?;
    lap("read");
    // The same limits as `spec::load`.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = budget.max_events.max(text.len() * 2);
    budget.max_nodes = budget.max_nodes.max(text.len() * 2);
    let options = serde_saphyr::options! { budget: Some(budget), with_snippet: false };
    let wire: MigrationSpec = serde_saphyr::from_str_with_options(&text, options)?;
    lap("yaml");
    let migration = validate(&wire, &text, None).map_err(|d| format!("{} problems", d.len()))?;
    lap("validate");
    drop(wire);
    lap("drop wire");
    let plan = build_plan(&migration)?;
    lap("plan");
    let context = plan_context(&migration, &plan);
    lap("context");
    let json = render_json(&context)?;
    lap("json");
    let mut out = std::io::stdout().lock();
    for (name, ms) in laps {
        writeln!(out, "{name:>10}: {ms:7.1} ms")?;
    }
    writeln!(out, "{} bytes of JSON", json.len())?;
    Ok(())
}

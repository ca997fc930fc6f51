//! `cutover gate TARGET`: evaluate a component's or phase's gate with its
//! evidence; exit 0 when it passes, 1 when it fails or is inconclusive.

use std::collections::BTreeMap;

use cutover_core::criteria::Verdict;
use cutover_core::gate::GateReport;
use cutover_core::ops::NoiseNet;
use cutover_core::report::TextTable;
use cutover_core::spec::Migration;
use jiff::Timestamp;

use super::{actor, open_workspace};
use crate::args::{GateArgs, GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Evaluates and prints the gate; records the result in the audit log.
pub fn run(global: &GlobalArgs, args: GateArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let GateArgs {
        target,
        since,
        format,
    } = args;
    let since = since.as_deref().map(parse_since).transpose()?;
    let mut workspace = open_workspace(global)?;
    let resolved = workspace.resolve_target(&target)?;
    let evaluated =
        cutover_core::ops::evaluate_gate(&mut workspace, &resolved, &target, &actor(), since)?;
    if let Some(refused) = &evaluated.not_recorded {
        crate::error::note(&format!(
            "cutover: warning: the gate result is not in the audit log: {}",
            crate::error::one_line(refused)
        ));
    }
    let report = evaluated.report;
    let bases = parity_bases(&workspace.migration, &report);
    let noise = noise_of(&workspace, &resolved)?;
    let text = match format {
        OutputFormat::Json => {
            let mut json = serde_json::to_value(&report).map_err(|e| CliError::Report(e.into()))?;
            json["parity_basis"] = serde_json::json!(bases);
            json["noise"] = serde_json::json!(noise);
            crate::printer::json(&json)?
        }
        OutputFormat::Table => {
            let mut text = render(&report);
            for (component, basis) in &bases {
                text.push_str(&format!("parity of `{component}` based on: {basis}\n"));
            }
            for line in comparison_lines(&report) {
                text.push_str(&line);
            }
            for (component, net) in &noise {
                if let Some(line) = noise_line(net) {
                    text.push_str(&format!("`{component}`: {line}"));
                }
            }
            text
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(if report.verdict == Verdict::Pass {
        exit_codes::OK
    } else {
        exit_codes::NOT_MET
    })
}

/// What parity rests on for each component the gate looked at.
fn parity_bases(migration: &Migration, report: &GateReport) -> BTreeMap<String, String> {
    report
        .criteria
        .iter()
        .filter_map(|c| migration.component_index(&c.component))
        .map(|i| &migration.components[i])
        .map(|c| (c.id.clone(), c.parity_basis()))
        .collect()
}

/// `parity of `deploy` compared: dry run vs dry run (5 runs)`, once per
/// component whose criteria read parity over compared runs.
fn comparison_lines(report: &GateReport) -> Vec<String> {
    let mut seen = BTreeMap::new();
    for c in &report.criteria {
        if let Some(described) = c.compared_by.and_then(|counts| counts.describe()) {
            seen.entry(c.component.clone()).or_insert(described);
        }
    }
    seen.into_iter()
        .map(|(component, described)| format!("parity of `{component}` compared: {described}\n"))
        .collect()
}

/// How many runs in each component's current mode cutover looks at for
/// mismatches that are noise only.
const NOISE_RUNS: u32 = 1000;

/// Mismatches net of calibrated noise, per calibrated component, over its
/// recent runs in its current mode.
fn noise_of(
    workspace: &cutover_core::workspace::Workspace,
    target: &cutover_core::lifecycle::Target,
) -> Result<BTreeMap<String, NoiseNet>, CliError> {
    let mut noise = BTreeMap::new();
    for reference in target.components() {
        let component = workspace.spec(reference);
        let id = &component.id;
        let mode = workspace.store.mode(id)?.state.mode;
        let runs: Vec<_> = workspace
            .store
            .recent_runs(id, NOISE_RUNS)?
            .into_iter()
            .filter(|r| r.mode == mode)
            .collect();
        let net = cutover_core::ops::noise_net(workspace, component, &runs)?;
        if net.calibrated {
            noise.insert(id.clone(), net);
        }
    }
    Ok(noise)
}

/// `3 mismatches, 2 of them only calibrated noise: parity net of noise 96.0%`.
pub(super) fn noise_line(net: &NoiseNet) -> Option<String> {
    if !net.calibrated {
        return None;
    }
    let parity = net
        .parity_net_of_noise
        .map_or_else(|| "-".to_owned(), |p| format!("{:.1}%", p * 100.0));
    Some(format!(
        "{}, {} of them only calibrated noise: parity net of noise {parity} (over {})\n",
        cutover_core::text::count(net.mismatches as usize, "mismatch"),
        net.noise_only.len(),
        cutover_core::text::count(net.compared as usize, "compared run"),
    ))
}

/// `--since`: an RFC 3339 timestamp, or a date (its midnight UTC).
fn parse_since(text: &str) -> Result<Timestamp, CliError> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|date| date.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|zoned| zoned.timestamp())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "--since `{text}`: expected an RFC 3339 time (2027-01-04T09:00:00Z) or a date (2027-01-04)"
            ))
        })
}

fn render(report: &GateReport) -> String {
    let mut table = TextTable::new(&[
        "component",
        "criterion",
        "verdict",
        "observed",
        "threshold",
        "runs",
        "window",
        "source",
    ]);
    for c in &report.criteria {
        let verdict = if c.enforce {
            c.verdict.as_str().to_owned()
        } else {
            format!("{} (observe only)", c.verdict.as_str())
        };
        table.row(vec![
            c.component.clone(),
            c.expr.clone(),
            verdict,
            c.observed.map(format_number).unwrap_or_else(|| "-".into()),
            c.threshold.map(format_number).unwrap_or_else(|| "-".into()),
            c.runs.to_string(),
            c.window.clone(),
            c.source.clone(),
        ]);
    }
    let mut text = table.render();
    for c in report.criteria.iter().filter(|c| c.detail.is_some()) {
        let about = if c.component.is_empty() {
            String::new()
        } else {
            format!("`{}` ", c.component)
        };
        text.push_str(&format!(
            "{about}{}: {}\n",
            c.expr,
            c.detail.as_deref().unwrap_or_default()
        ));
    }
    let mut excluded = BTreeMap::new();
    for c in report.criteria.iter().filter(|c| c.excluded_runs > 0) {
        excluded.insert(&c.component, (c.excluded_runs, &c.excluded_because));
    }
    for (component, (runs, why)) in excluded {
        let why = why.as_deref().unwrap_or_default();
        text.push_str(&format!("`{component}`: {runs} runs left out: {why}\n"));
    }
    let mut contended = BTreeMap::new();
    for c in report.criteria.iter().filter(|c| c.contended_left_out > 0) {
        contended.insert(&c.component, c.contended_left_out);
    }
    for (component, left_out) in contended {
        text.push_str(&format!(
            "`{component}`: {} left out of duration criteria (they overlapped the other side running at normal priority)\n",
            cutover_core::text::count(left_out as usize, "contended duration")
        ));
    }
    text.push_str(&format!(
        "\ngate `{}`: {}\n",
        report.target,
        report.verdict.as_str()
    ));
    if let Some(note) = &report.note {
        text.push_str(&format!("{note}\n"));
    }
    text
}

fn format_number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

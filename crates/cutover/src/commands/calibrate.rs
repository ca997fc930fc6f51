//! `cutover calibrate COMPONENT [--runs N] [--write]`: runs the legacy side
//! against itself, prints the `normalize` rules that explain what varied
//! (as YAML to paste), or with `--write` adds them to the spec. Exit 0 when
//! every difference is explained (or none was seen), 1 when some remain.

use cutover_core::ops::{CalibrateRequest, Calibration, calibrate};

use super::{actor, open_workspace};
use crate::args::{CalibrateArgs, GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Calibrates one component and prints (or writes) the rules.
pub fn run(
    global: &GlobalArgs,
    args: CalibrateArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let CalibrateArgs {
        component,
        runs,
        write,
        format,
    } = args;
    let mut workspace = open_workspace(global)?;
    let reference = workspace.component(&component)?;
    // Read the spec text first: `--write` must fail before anything runs.
    let text = if write {
        Some(
            std::fs::read_to_string(&global.spec).map_err(|source| CliError::Write {
                path: global.spec.clone(),
                source,
            })?,
        )
    } else {
        None
    };
    let request = CalibrateRequest {
        component: reference,
        rounds: runs,
        write,
    };
    let calibration = calibrate(&mut workspace, request, &actor())?;
    let written = match text {
        Some(text) if !calibration.learned.rules.is_empty() => {
            let edited = cutover_core::calibrate::add_normalize_rules(
                &text,
                &global.spec.display().to_string(),
                &calibration.component,
                &calibration.learned.rules,
            )
            .map_err(|source| CliError::SpecEdit {
                spec: global.spec.clone(),
                source,
            })?;
            super::write_atomically(&global.spec, &edited)?;
            true
        }
        _ => false,
    };
    let output = match format {
        OutputFormat::Json => {
            let mut json =
                serde_json::to_value(&calibration).map_err(|e| CliError::Report(e.into()))?;
            json["written"] = serde_json::json!(written);
            json["explained"] = serde_json::json!(calibration.explained());
            crate::printer::json(&json)?
        }
        OutputFormat::Table => render(&calibration, written, &global.spec),
    };
    printer.write(&output).map_err(CliError::Stdout)?;
    Ok(if calibration.explained() {
        exit_codes::OK
    } else {
        exit_codes::NOT_MET
    })
}

fn render(calibration: &Calibration, written: bool, spec: &std::path::Path) -> String {
    let count = cutover_core::text::count;
    let learned = &calibration.learned;
    let mut text = format!(
        "ran {} of `{}` {} times ({}): {}\n",
        if calibration.dry_run {
            "the dry run"
        } else {
            "the legacy side"
        },
        calibration.component,
        calibration.rounds * 2,
        calibration.command,
        if learned.varying.is_empty() {
            "nothing varied".to_owned()
        } else {
            learned
                .varying
                .iter()
                .map(|(stream, lines)| {
                    format!("{stream}: {} varied", count(*lines as usize, "line"))
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if !learned.rules.is_empty() {
        if written {
            text.push_str(&format!(
                "added {} to `normalize:` of `{}` in {}:\n",
                count(learned.rules.len(), "rule"),
                calibration.component,
                spec.display()
            ));
        } else {
            text.push_str(&format!(
                "paste under `{}` in the spec (or run again with --write):\n",
                calibration.component
            ));
        }
        text.push_str("normalize:\n");
        for rule in &learned.rules {
            let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
            text.push_str(&format!(
                "  - {{ pattern: {}, replace: {} }}   # seen: {}\n",
                quote(&rule.pattern),
                quote(&rule.replace),
                rule.examples.join(", ")
            ));
        }
    }
    for (run, code, first) in &calibration.exit_codes {
        text.push_str(&format!(
            "run {run} exited {code} where the first exited {first}: the legacy side is flaky, not noisy\n"
        ));
    }
    for output in &calibration.binary_outputs {
        text.push_str(&format!(
            "output `{output}` varies and is not text: give it a comparator that ignores what varies\n"
        ));
    }
    for line in &learned.unexplained {
        text.push_str(&format!(
            "unexplained in {}: `{}` vs `{}`\n",
            line.stream, line.first, line.second
        ));
    }
    text
}

//! `cutover bench COMPONENT`: interleaved legacy/Dagger runs with
//! statistics, a Markdown report and an SVG plot; every measured execution
//! is recorded so gates can use it, and its summary is kept for the
//! success-criteria document.

use cutover_core::benchmark::{bench_markdown, bench_svg, run_benchmark};
use cutover_core::router::record_execution;
use cutover_core::store::RunSource;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{open_workspace, write_atomically};
use crate::args::{BenchArgs, GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Runs the benchmark.
pub fn run(global: &GlobalArgs, args: BenchArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let BenchArgs {
        component,
        runs,
        warmup,
        out,
        format,
    } = args;
    let mut workspace = open_workspace(global)?;
    let component = workspace.spec(workspace.component(&component)?).clone();
    let component = &component;
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    let work_dir = workspace
        .state_dir
        .join("bench")
        .join(&component.id)
        .join(&stamp);
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} runs {elapsed}") {
        bar.set_style(style);
    }
    let result = run_benchmark(
        component,
        &workspace.base_dir,
        &work_dir,
        runs,
        warmup,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )
    .map_err(|source| CliError::Bench {
        component: component.id.clone(),
        source,
    })?;
    bar.finish_and_clear();
    let mode = workspace.mode(&component.id)?.state;
    for (side, duration, exit_code) in &result.executions {
        record_execution(
            &mut workspace.store,
            &component.id,
            mode,
            *side,
            *exit_code,
            *duration,
            RunSource::Bench,
        )?;
    }
    let implementation = cutover_core::exec::implementation_digest(&workspace.base_dir, component);
    workspace
        .store
        .record_benchmark(&result.summary(implementation))?;
    let report_dir = out.unwrap_or_else(|| workspace.state_dir.join("bench").join(&component.id));
    std::fs::create_dir_all(&report_dir).map_err(|source| CliError::Write {
        path: report_dir.clone(),
        source,
    })?;
    let plot_name = format!("{}-{stamp}.svg", component.id);
    let markdown = bench_markdown(&result, &plot_name);
    write_atomically(&report_dir.join(&plot_name), &bench_svg(&result))?;
    let report_path = report_dir.join(format!("{}-{stamp}.md", component.id));
    write_atomically(&report_path, &markdown)?;
    let text = match format {
        OutputFormat::Json => crate::printer::json(&result)?,
        OutputFormat::Table => format!("{markdown}\nreport: {}\n", report_path.display()),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

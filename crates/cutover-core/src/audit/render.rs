//! The audit as a terminal table, as JSON, and as the capability-mapping
//! document (Markdown from `templates/capability-mapping.md.j2`).

use minijinja::{Environment, context};

use super::report::AuditReport;
use crate::capability;
use crate::report::{ReportError, TextTable};

const MAPPING_MD: &str = include_str!("../../templates/capability-mapping.md.j2");

/// The summary line, then one row per component, then every wrap.
pub fn render_table(report: &AuditReport) -> String {
    let mut out = format!("{}\n\n", report.summary.text);
    let mut table = TextTable::new(&[
        "component",
        "scaffold",
        "effort",
        "estimate",
        "partial or manual",
        "stays in CI",
    ]);
    for c in &report.components {
        let pick = |wanted: &[capability::Support]| -> String {
            c.features
                .iter()
                .filter(|f| wanted.contains(&f.support))
                .map(|f| f.feature.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        table.row(vec![
            c.id.clone(),
            c.scaffold.to_owned(),
            format!("{}d", c.effort_days),
            format!("{}d", c.estimated_days),
            pick(&[capability::Support::Partial, capability::Support::Manual]),
            pick(&[capability::Support::Ci]),
        ]);
    }
    out.push_str(&table.render());
    let wraps: Vec<String> = report
        .components
        .iter()
        .filter(|c| !c.wraps.is_empty())
        .map(|c| format!("  {}: {}", c.id, c.wraps.join(", ")))
        .collect();
    if !wraps.is_empty() {
        out.push_str(
            "\nwrapped by the scaffold (the legacy command runs in a container until ported):\n",
        );
        out.push_str(&wraps.join("\n"));
        out.push('\n');
    }
    let forecasts: Vec<String> = report
        .components
        .iter()
        .filter_map(|c| {
            let f = c.forecast.as_ref()?;
            Some(format!(
                "  {}: {} runs, {}/week, {} CI min/week now, +{} min/week and +{}s per run in shadow, up to {} at once",
                c.id, f.runs, f.runs_per_week, f.ci_minutes_per_week, f.shadow_extra_minutes_per_week, f.shadow_extra_wall_seconds, f.max_concurrency
            ))
        })
        .collect();
    if !forecasts.is_empty() {
        out.push_str("\nforecast from recorded runs:\n");
        out.push_str(&forecasts.join("\n"));
        out.push('\n');
    }
    out.push_str(&format!(
        "\neffort: {} work days planned, {} estimated from the capability table\n",
        report.summary.effort_days, report.summary.estimated_days
    ));
    out
}

/// The report as pretty JSON (layout documented in the README).
pub fn render_json(report: &AuditReport) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}

/// The capability-mapping and gap-analysis document.
pub fn render_markdown(report: &AuditReport) -> Result<String, ReportError> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("cell", |text: String| -> String {
        text.replace('|', "\\|")
    });
    let ctx = context! { audit => report, table => capability::table() };
    env.render_str(MAPPING_MD, ctx)
        .map_err(|source| ReportError::Template {
            name: "capability-mapping.md",
            source,
        })
}

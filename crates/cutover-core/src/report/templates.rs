//! Renders plan outputs. The documents are minijinja templates under
//! `templates/`, embedded at build time, so wording changes never touch code.

use minijinja::{Environment, context};

use super::context::PlanContext;
use super::gantt::{escape, gantt_svg};
use super::table::TextTable;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template failed (a bug in a shipped template).
    #[error("failed to render the `{name}` template")]
    Template {
        /// Template name.
        name: &'static str,
        /// The template error.
        #[source]
        source: minijinja::Error,
    },
    /// JSON serialization failed.
    #[error("failed to write JSON")]
    Json(#[from] serde_json::Error),
}

const PLAN_MD: &str = include_str!("../../templates/plan.md.j2");
const PLAN_HTML: &str = include_str!("../../templates/plan.html.j2");

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("mermaid", |text: String| -> String {
        text.chars()
            .map(|c| {
                if matches!(c, ':' | '#' | ';' | ',') {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    });
    env.add_filter("cell", |text: String| -> String {
        text.replace('|', "\\|")
    });
    env
}

fn render(
    name: &'static str,
    source: &'static str,
    ctx: minijinja::Value,
) -> Result<String, ReportError> {
    let env = environment();
    env.render_str(source, ctx)
        .map_err(|source| ReportError::Template { name, source })
}

/// The plan as JSON (DESIGN.md minimum plus extensions).
pub fn render_json(plan: &PlanContext) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(plan)?;
    text.push('\n');
    Ok(text)
}

/// The phased migration plan document in Markdown.
pub fn render_markdown(plan: &PlanContext) -> Result<String, ReportError> {
    render("plan.md", PLAN_MD, context! { plan => plan })
}

/// The phased migration plan as one self-contained HTML page.
pub fn render_html(plan: &PlanContext) -> Result<String, ReportError> {
    let gantt = gantt_svg(plan);
    render(
        "plan.html",
        PLAN_HTML,
        context! { plan => plan, gantt => minijinja::Value::from_safe_string(gantt), title => escape(&plan.name) },
    )
}

/// The plan as terminal tables: phases, then components.
pub fn render_table(plan: &PlanContext) -> String {
    let mut out = format!(
        "{}: {} → {} ({} work days, {} phases, {} components)\n\n",
        plan.name,
        plan.start,
        plan.end,
        plan.span_days,
        plan.phases.len(),
        plan.components.len()
    );
    let mut phases = TextTable::new(&["phase", "name", "start", "gate", "components", "effort"]);
    for p in &plan.phases {
        phases.row(vec![
            p.number.to_string(),
            p.name.clone(),
            p.start.clone(),
            p.gate.clone(),
            p.components.len().to_string(),
            format!("{}d", p.effort_days),
        ]);
    }
    out.push_str(&phases.render());
    out.push('\n');
    let mut components = TextTable::new(&[
        "component",
        "phase",
        "owner",
        "risk",
        "start",
        "cutover",
        "slack",
        "critical",
    ]);
    let mut ordered: Vec<_> = plan.components.iter().collect();
    ordered.sort_by(|a, b| (a.phase, &a.start, &a.id).cmp(&(b.phase, &b.start, &b.id)));
    for c in ordered {
        components.row(vec![
            c.id.clone(),
            c.phase.to_string(),
            c.owner.clone(),
            c.risk.to_owned(),
            c.start.clone(),
            c.end.clone(),
            format!("{}d", c.slack_days),
            if c.critical {
                "yes".into()
            } else {
                String::new()
            },
        ]);
    }
    out.push_str(&components.render());
    out.push_str(&format!(
        "\ncritical path ({} work days): {}\n",
        plan.critical_path_days,
        plan.critical_path.join(" -> ")
    ));
    out
}

//! Renders plan outputs. The documents are minijinja templates under
//! `templates/`, embedded at build time, so wording changes never touch code.

use minijinja::{Environment, context};

use super::context::{PlanContext, WhatIfContext};
use super::gantt::{chart_order, escape, gantt_svg};
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
    env.add_filter("mermaid", mermaid_text);
    env.add_filter("cell", |text: String| -> String {
        text.replace('|', "\\|")
    });
    env
}

/// Text safe inside a Mermaid Gantt line (the `mermaid` template filter):
/// its separators `:`, `#`, `;` and `,` become spaces.
pub fn mermaid_text(text: String) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, ':' | '#' | ';' | ',') {
                ' '
            } else {
                c
            }
        })
        .collect()
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
        context! {
            plan => plan,
            gantt => minijinja::Value::from_safe_string(gantt),
            title => escape(&plan.name),
            chart_components => chart_order(plan),
        },
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
        "zero slack",
        "business-critical",
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
            yes(c.critical),
            yes(c.business_critical),
        ]);
    }
    out.push_str(&components.render());
    out.push_str(&format!(
        "\ncritical path ({} work days): {}\n",
        plan.critical_path_days,
        chain(&plan.critical_path, &plan.critical_links)
    ));
    out.push_str(&bound_line(plan));
    if let Some(what_if) = &plan.what_if {
        out.push_str(&what_if_table(plan, what_if));
    }
    out
}

/// "yes" or an empty cell.
fn yes(flag: bool) -> String {
    if flag { "yes".into() } else { String::new() }
}

/// `a -[dependency]-> b -[team busy]-> c`: the path with each link's constraint.
fn chain(path: &[String], links: &[super::context::LinkContext]) -> String {
    let mut text = path.first().cloned().unwrap_or_default();
    for link in links {
        text.push_str(&format!(" -[{}]-> {}", link.label, link.to));
    }
    text
}

fn bound_line(plan: &PlanContext) -> String {
    let bound = &plan.lower_bound;
    let people = bound
        .people_limit
        .as_ref()
        .map(|limit| format!(", people {}d ({limit})", bound.people_days))
        .unwrap_or_default();
    format!(
        "lower bound: {} work days (longest chain {}d{people}); plan / bound = {:.3}\n",
        bound.days, bound.chain_days, plan.lower_bound_ratio
    )
}

fn what_if_table(plan: &PlanContext, what_if: &WhatIfContext) -> String {
    let mut table = TextTable::new(&["", "end", "work days", "critical path"]);
    table.row(vec![
        "baseline".into(),
        plan.end.clone(),
        plan.span_days.to_string(),
        chain(&plan.critical_path, &plan.critical_links),
    ]);
    table.row(vec![
        "what-if".into(),
        what_if.end.clone(),
        what_if.span_days.to_string(),
        chain(&what_if.critical_path, &what_if.critical_links),
    ]);
    let kept = if what_if.kept_baseline {
        " (re-planning ended later; the baseline schedule still fits and is kept)"
    } else {
        ""
    };
    format!(
        "\nwhat-if {}:\n{}difference: {:+} work days{kept}\n",
        what_if.changes.join(", "),
        table.render(),
        what_if.difference_days
    )
}

//! What the documents read, and rendering them.

use minijinja::{Environment, context};
use serde::Serialize;

use super::benchmarks::{BenchmarkDoc, benchmark_doc, benchmark_svg};
use super::html::{Charts, html_page};
use super::model::{ComponentDoc, CriterionDoc, DrillDoc, PhaseDoc, TestDoc, TriggerDoc};
use super::summary::{ExecutiveSummary, executive_summary, summary_markdown, with_summary};
use crate::exec::implementation_digest;
use crate::gate::{GateError, GateReport, component_gate};
use crate::impact::{DevelopmentImpact, development_impact};
use crate::plan::{PhaseRole, Plan};
use crate::report::{PlanContext, ReportError, gantt_svg, mermaid_text, plan_document_context};
use crate::spec::{AcceptanceTest, Criterion, Migration, Risk};
use crate::training::{TrainingPlan, training_plan};
use crate::units::{human_duration, local_time, zone_name};
use crate::workspace::Workspace;

/// One document `cutover docs` writes, as `STEM.md` and `STEM.html`: a
/// Markdown template (minijinja, reading `docs` and `plan`) under `templates/`.
struct DocumentSource {
    /// The file name without its extension.
    stem: &'static str,
    /// The template's Markdown source.
    template: &'static str,
}

/// Every document, in the order it is written. Adding a document is one
/// entry here (and its template): it gets the executive summary, its HTML
/// page and the headless-Chromium check (`tests/cli/browser.rs`) with it.
const DOCUMENTS: &[DocumentSource] = &[
    DocumentSource {
        stem: "phased-plan",
        template: include_str!("../../templates/plan.md.j2"),
    },
    DocumentSource {
        stem: "success-criteria",
        template: include_str!("../../templates/success-criteria.md.j2"),
    },
    DocumentSource {
        stem: "testing-strategy",
        template: include_str!("../../templates/testing-strategy.md.j2"),
    },
    DocumentSource {
        stem: "rollback-procedures",
        template: include_str!("../../templates/rollback-procedures.md.j2"),
    },
    DocumentSource {
        stem: "training-plan",
        template: include_str!("../../templates/training-plan.md.j2"),
    },
    DocumentSource {
        stem: "development-impact",
        template: include_str!("../../templates/development-impact.md.j2"),
    },
];

/// The file names `cutover docs` writes from [`DOCUMENTS`], Markdown and HTML.
pub fn document_file_names() -> Vec<String> {
    DOCUMENTS
        .iter()
        .flat_map(|d| [format!("{}.md", d.stem), format!("{}.html", d.stem)])
        .collect()
}

/// Everything the documents show.
#[derive(Debug, Serialize)]
pub struct DocsContext {
    /// The plan.
    pub plan: PlanContext,
    /// Phases with their components' criteria and tests.
    pub phases: Vec<PhaseDoc>,
    /// Rollback triggers.
    pub triggers: Vec<CriterionDoc>,
    /// Rollback triggers with their settings.
    pub rollback_triggers: Vec<TriggerDoc>,
    /// Paths preserved for every component.
    pub global_preserve: Vec<String>,
    /// Whether live verdicts are included.
    pub live: bool,
    /// Components without acceptance tests that need them most.
    pub untested_critical: Vec<String>,
    /// What every document opens with.
    pub summary: ExecutiveSummary,
    /// The default gate, shown once rather than per component.
    pub default_criteria: Vec<CriterionDoc>,
    /// The latest benchmark of every benchmarked component, in plan order.
    pub benchmarks: Vec<BenchmarkDoc>,
    /// The migration's time zone, named (times are shown in it).
    pub timezone: String,
    /// Per team, the Dagger concepts needed and by when.
    pub training: TrainingPlan,
    /// Per team, how CI jobs and daily work change, and when.
    pub impact: DevelopmentImpact,
}

/// A rendered document.
#[derive(Debug)]
pub struct Document {
    /// File name.
    pub file_name: String,
    /// Content.
    pub text: String,
}

impl Document {
    /// The same document as a self-contained HTML page (`NAME.html` for
    /// `NAME.md`), with `charts` drawn where its Markdown names them.
    pub fn html(&self, charts: &Charts) -> Result<Document, ReportError> {
        let stem = self
            .file_name
            .strip_suffix(".md")
            .unwrap_or(&self.file_name);
        Ok(Document {
            file_name: format!("{stem}.html"),
            text: html_page(&self.text, charts)?,
        })
    }
}
fn words(seconds: u64) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn approach(role: PhaseRole) -> &'static str {
    match role {
        PhaseRole::Foundation => {
            "Infrastructure is verified directly: the Dagger engine and CI integration must run every later component, so each foundation component runs in shadow on every CI run and its acceptance tests run against both sides before the gate."
        }
        PhaseRole::Pilot => {
            "The pilot calibrates the method: low-risk components run in shadow, parity is compared on every run, mismatches are triaged (normalization rule or real difference), and the time taken feeds back into the estimates of later phases."
        }
        PhaseRole::Wave => {
            "Each component runs in shadow until its parity and success-rate criteria hold over enough runs, then in canary on a growing share of run keys; acceptance tests run against both sides, and phase integration tests run before the phase gate."
        }
        PhaseRole::UserFacing => {
            "User-facing components get the most evidence: longer shadow, a rehearsed rollback, canary starting small, and integration tests that exercise user journeys end to end before the gate."
        }
    }
}

fn criterion_doc(criterion: &Criterion, source: &str) -> CriterionDoc {
    CriterionDoc {
        expr: criterion.text.clone(),
        source: source.to_owned(),
        enforce: criterion.enforce,
        window: criterion.window.to_string(),
        verdict: None,
        evidence: None,
    }
}

fn test_doc(test: &AcceptanceTest) -> TestDoc {
    let mut expects = vec![format!("exit code {}", test.expect_exit)];
    if let Some(pattern) = &test.stdout {
        expects.push(format!("stdout matches `{pattern}`"));
    }
    if !test.files.is_empty() {
        expects.push(format!(
            "files exist: {}",
            test.files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    TestDoc {
        name: test.name.clone(),
        run: test.run.clone(),
        expects: expects.join("; "),
    }
}

/// Each phase with its components' criteria, tests and (live) evidence.
fn phase_docs(
    migration: &Migration,
    plan: &Plan,
    live: Option<&Workspace>,
) -> Result<Vec<PhaseDoc>, GateError> {
    let mut phases = Vec::new();
    for phase in &plan.phases {
        let settings: Vec<_> = migration
            .phases
            .iter()
            .filter(|p| p.number == phase.number)
            .collect();
        let phase_criteria: Vec<CriterionDoc> = settings
            .iter()
            .flat_map(|s| {
                s.gate
                    .iter()
                    .map(|c| criterion_doc(c, &format!("phase {}", phase.number)))
            })
            .collect();
        let components = phase
            .components
            .iter()
            .map(|&c| component_doc(migration, (c, phase.number), &phase_criteria, live))
            .collect::<Result<Vec<_>, GateError>>()?;
        phases.push(PhaseDoc {
            number: phase.number,
            name: phase.name.clone(),
            role: phase.role,
            approach: approach(phase.role),
            start: phase.start.to_string(),
            gate: phase.end.to_string(),
            criteria: phase_criteria,
            integration: settings
                .iter()
                .flat_map(|s| s.integration.iter().map(test_doc))
                .collect(),
            components,
        });
    }
    Ok(phases)
}

/// Builds the documents' context; a `live` workspace (one whose store
/// exists) adds current verdicts and drills.
pub fn docs_context(
    migration: &Migration,
    plan: &Plan,
    live: Option<&Workspace>,
) -> Result<DocsContext, GateError> {
    let phases = phase_docs(migration, plan, live)?;
    let plan_context = plan_document_context(migration, plan);
    let untested_critical = untested_critical(migration);
    let summary = executive_summary(migration, &plan_context, &phases, live, &untested_critical)?;
    let benchmarks = phases
        .iter()
        .flat_map(|p| p.components.iter().filter_map(|c| c.benchmark.clone()))
        .collect();
    let impact = development_impact(migration, plan, live)?;
    Ok(DocsContext {
        benchmarks,
        timezone: zone_name(&migration.timezone).to_owned(),
        training: training_plan(migration, plan),
        impact,
        plan: plan_context,
        summary,
        phases,
        triggers: migration
            .rollback
            .triggers
            .iter()
            .map(|t| criterion_doc(&t.when, t.action_name()))
            .collect(),
        rollback_triggers: trigger_docs(migration),
        global_preserve: migration.rollback.preserve.clone(),
        live: live.is_some(),
        untested_critical,
        default_criteria: migration
            .defaults
            .gate
            .iter()
            .map(|g| criterion_doc(g, "defaults"))
            .collect(),
    })
}

/// The rollback triggers with their decision settings in words.
fn trigger_docs(migration: &Migration) -> Vec<TriggerDoc> {
    migration
        .rollback
        .triggers
        .iter()
        .map(|t| TriggerDoc {
            when: t.when.text.clone(),
            action: t.action_name(),
            min_runs: t.min_runs,
            cooldown: t.cooldown.map(|c| words(c.seconds)),
            decider: t
                .decider
                .clone()
                .unwrap_or_else(|| "the component's owner".into()),
            decide_within: words(t.decide_within.seconds),
        })
        .collect()
}

/// Components without acceptance tests that need them most: business-critical,
/// user-facing or high-risk.
fn untested_critical(migration: &Migration) -> Vec<String> {
    migration
        .components
        .iter()
        .filter(|c| {
            (c.critical || c.user_facing || c.risk == Risk::High) && c.acceptance.is_empty()
        })
        .map(|c| c.id.clone())
        .collect()
}

/// One component's part of a phase: its criteria, with live verdicts and
/// its latest drill when a workspace is given.
fn component_doc(
    migration: &Migration,
    (index, phase): (usize, u32),
    phase_criteria: &[CriterionDoc],
    live: Option<&Workspace>,
) -> Result<ComponentDoc, GateError> {
    let component = &migration.components[index];
    let mut criteria: Vec<CriterionDoc> = migration
        .defaults
        .gate
        .iter()
        .map(|g| criterion_doc(g, "defaults"))
        .collect();
    criteria.extend(component.gate.iter().map(|g| criterion_doc(g, "component")));
    criteria.extend(phase_criteria.iter().cloned());
    let reference = migration.component_ref(&component.id);
    let report: Option<GateReport> = match (live, reference) {
        (Some(workspace), Some(reference)) => Some(component_gate(workspace, reference)?),
        _ => None,
    };
    if let Some(report) = &report {
        for (doc, result) in criteria.iter_mut().zip(&report.criteria) {
            doc.verdict = Some(result.verdict.as_str());
            doc.evidence = Some(result.evidence_in(&migration.timezone));
        }
    }
    let (drill, benchmark) = match live {
        Some(workspace) => (
            workspace.store.drills(&component.id)?.into_iter().next(),
            workspace
                .store
                .latest_benchmark(&component.id)?
                .map(|record| {
                    let current = implementation_digest(&workspace.base_dir, component);
                    benchmark_doc(migration, component, phase, &record, current.as_deref())
                }),
        ),
        None => (None, None),
    };
    Ok(ComponentDoc {
        id: component.id.clone(),
        name: component.name.clone(),
        owner: component.owner.clone(),
        risk: component.risk.as_str(),
        critical: component.critical,
        user_facing: component.user_facing,
        side_effects: component.side_effects,
        outputs: component.outputs.clone(),
        parity_basis: component.parity_basis(),
        own_criteria: component
            .gate
            .iter()
            .map(|g| criterion_doc(g, "component"))
            .collect(),
        criteria,
        acceptance: component.acceptance.iter().map(test_doc).collect(),
        verdict: report.map(|r| r.verdict.as_str()),
        preserve: component.preserve.clone(),
        drill: drill.map(|d| DrillDoc {
            at: local_time(d.at, &migration.timezone),
            passed: d.passed,
            duration_ms: d.duration_ms,
            duration: human_duration(d.duration_ms / 1000.0),
        }),
        benchmark,
    })
}

/// Renders every document of [`DOCUMENTS`], each as Markdown and as HTML.
pub fn render_documents(context: &DocsContext) -> Result<Vec<Document>, ReportError> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("cell", |text: String| -> String {
        text.replace('|', "\\|").replace('\n', " ")
    });
    env.add_filter("mermaid", mermaid_text);
    env.add_filter("hours", crate::training::hours_text);
    // Rust's own spelling of a number (`0.41`, `2`), so documents and JSON agree.
    env.add_filter("number", |value: f64| value.to_string());
    let summary = summary_markdown(&context.summary);
    let charts = charts(context);
    let mut documents = Vec::with_capacity(DOCUMENTS.len() * 2);
    for source in DOCUMENTS {
        let text = env
            .render_str(
                source.template,
                context! {
                    docs => context,
                    plan => &context.plan,
                    training => &context.training,
                    impact => &context.impact,
                },
            )
            .map_err(|error| ReportError::Template {
                name: source.stem,
                source: error,
            })?;
        let markdown = Document {
            file_name: format!("{}.md", source.stem),
            text: with_summary(&text, &summary),
        };
        documents.push(markdown.html(&charts)?);
        documents.push(markdown);
    }
    Ok(documents)
}

/// The drawings the documents name: the plan's Gantt chart and the
/// benchmark results.
fn charts(context: &DocsContext) -> Charts {
    let mut charts = Charts::new();
    charts.insert("gantt", gantt_svg(&context.plan));
    if let Some(svg) = benchmark_svg(&context.benchmarks) {
        charts.insert("benchmarks", svg);
    }
    charts
}

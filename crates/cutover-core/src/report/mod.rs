//! Renders a [`crate::plan::Plan`] for people and programs: a terminal
//! table, the JSON of DESIGN.md, and the "phased migration plan" document in
//! Markdown (with a Mermaid Gantt) and self-contained HTML (with an SVG Gantt).
//! Produces strings; printing is the binary's job.

mod context;
mod gantt;
pub mod table;
mod templates;

pub use context::{
    PhaseContext, PlanContext, SensitivityContext, WhatIfContext, plan_context,
    plan_document_context, sensitivity_contexts, what_if_context,
};
pub use gantt::gantt_svg;
pub use table::TextTable;
pub use templates::{
    ReportError, mermaid_text, render_html, render_json, render_markdown, render_table,
};

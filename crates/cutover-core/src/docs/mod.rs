//! The migration documents a lead owes, rendered from the spec and, where
//! runs exist, from the live state: the phased plan, success criteria,
//! testing strategy, rollback procedures, the stakeholder communication
//! plan, the training plan and the impact on ongoing development, each as
//! Markdown and as a self-contained HTML page. Templates live in
//! `templates/`.

mod benchmarks;
mod communication;
mod communication_samples;
mod context;
mod html;
mod model;
mod summary;

pub use communication::communication_plan;
pub use context::{DocsContext, Document, docs_context, document_file_names, render_documents};
pub use html::{Charts, html_page};
pub use summary::ExecutiveSummary;

//! The migration documents a lead owes, rendered from the spec and, where
//! runs exist, from the live state: the phased plan (Markdown and HTML),
//! success criteria, testing strategy, rollback procedures, the
//! stakeholder communication plan, the training plan and the impact on
//! ongoing development. Templates live in `templates/`.

mod communication;
mod communication_samples;
mod context;
mod model;
mod summary;

pub use communication::communication_plan;
pub use context::{DocsContext, Document, docs_context, render_documents};
pub use summary::ExecutiveSummary;

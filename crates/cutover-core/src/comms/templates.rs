//! The message templates: minijinja files under `templates/comms/`, one per
//! kind of message, embedded in the binary, each worded per group. A
//! project overrides any of them with a file of the same name under
//! `comms/templates/` beside the spec, for every group, or under
//! `comms/templates/<group>/` for one group (a custom group's own wording).
//!
//! A template renders the subject on its first line and the body (Markdown)
//! after it. A project template that fails to render never stops an
//! operation (a rollback must go on): the shipped template is used instead
//! and the message says so.

use std::path::{Path, PathBuf};

use minijinja::Environment;

use super::context::MessageContext;
use crate::event::MessageKind;
use crate::fs::confine;

/// Where a project's own templates live, relative to the spec.
pub const OVERRIDE_DIR: &str = "comms/templates";

/// The shipped template of `kind`.
fn shipped(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::PlanAnnounced => include_str!("../../templates/comms/plan_announced.md.j2"),
        MessageKind::PhaseStarting => include_str!("../../templates/comms/phase_starting.md.j2"),
        MessageKind::PhaseComplete => include_str!("../../templates/comms/phase_complete.md.j2"),
        MessageKind::ComponentAdvanced => {
            include_str!("../../templates/comms/component_advanced.md.j2")
        }
        MessageKind::GateFailed => include_str!("../../templates/comms/gate_failed.md.j2"),
        MessageKind::RollbackTriggered => {
            include_str!("../../templates/comms/rollback_triggered.md.j2")
        }
        MessageKind::RollbackComplete => {
            include_str!("../../templates/comms/rollback_complete.md.j2")
        }
        MessageKind::DecisionNeeded => include_str!("../../templates/comms/decision_needed.md.j2"),
        MessageKind::DecisionMade => include_str!("../../templates/comms/decision_made.md.j2"),
        MessageKind::Escalation => include_str!("../../templates/comms/escalation.md.j2"),
        MessageKind::StatusUpdate => include_str!("../../templates/comms/status_update.md.j2"),
        MessageKind::DriftSeen => include_str!("../../templates/comms/drift_seen.md.j2"),
        MessageKind::TestsFailed => include_str!("../../templates/comms/tests_failed.md.j2"),
        MessageKind::DecisionExpired => {
            include_str!("../../templates/comms/decision_expired.md.j2")
        }
        MessageKind::GateDateMissed => include_str!("../../templates/comms/gate_date_missed.md.j2"),
        MessageKind::TrainingInvitation => {
            include_str!("../../templates/comms/training_invitation.md.j2")
        }
    }
}

/// The shared macros every template may import.
const MACROS: &str = include_str!("../../templates/comms/_macros.md.j2");
const MACROS_NAME: &str = "_macros.md.j2";

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The body, Markdown.
    pub body: String,
}

/// A project template that failed, and why (for `cutover check`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template `{path}` failed: {message}")]
pub struct TemplateProblem {
    /// The template, relative to the spec.
    pub path: String,
    /// minijinja's account.
    pub message: String,
}

/// The templates of one project.
#[derive(Debug, Clone)]
pub struct Templates {
    /// The project directory (the spec's), whose `comms/templates/` may override.
    base_dir: Option<PathBuf>,
}

impl Templates {
    /// The shipped templates only.
    pub fn shipped() -> Templates {
        Templates { base_dir: None }
    }

    /// The templates of the project at `base_dir` (its overrides first).
    pub fn of_project(base_dir: &Path) -> Templates {
        Templates {
            base_dir: Some(base_dir.to_owned()),
        }
    }

    /// A project file under `comms/templates/`, if there is one inside the project.
    fn project_file(&self, name: &str) -> Option<String> {
        let base = self.base_dir.as_deref()?;
        let path = confine::resolve(base, &format!("{OVERRIDE_DIR}/{name}")).ok()?;
        std::fs::read_to_string(path).ok()
    }

    /// Renders `kind` for `context.group`: the project's template for the
    /// group, else the project's for every group, else the shipped one.
    pub fn render(&self, kind: MessageKind, context: &MessageContext) -> Rendered {
        let group_name = format!("{}/{kind}.md.j2", context.group);
        let name = format!("{kind}.md.j2");
        for candidate in [&group_name, &name] {
            if let Some(source) = self.project_file(candidate) {
                match self.render_source(&source, context) {
                    Ok(rendered) => return rendered,
                    Err(message) => {
                        let mut rendered = render_shipped(kind, context);
                        rendered.body.push_str(&format!(
                            "\n\n(The project's template `{OVERRIDE_DIR}/{candidate}` failed ({message}); this is the shipped wording.)\n"
                        ));
                        return rendered;
                    }
                }
            }
        }
        render_shipped(kind, context)
    }

    fn render_source(&self, source: &str, context: &MessageContext) -> Result<Rendered, String> {
        let macros = self
            .project_file(MACROS_NAME)
            .unwrap_or_else(|| MACROS.to_owned());
        render_with(source, &macros, context)
    }

    /// Every project template that does not render for a sample context,
    /// so `cutover check` reports it before a message needs it.
    pub fn problems(&self, sample: &MessageContext) -> Vec<TemplateProblem> {
        let Some(base) = self.base_dir.as_deref() else {
            return Vec::new();
        };
        let Ok(dir) = confine::resolve(base, OVERRIDE_DIR) else {
            return Vec::new();
        };
        let mut names: Vec<String> = confine::list_files(&dir).unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .filter(|name| name.ends_with(".md.j2") && !name.ends_with(MACROS_NAME))
            .filter_map(|name| {
                let source = self.project_file(&name)?;
                let mut context = sample.clone();
                if let Some((group, _)) = name.split_once('/') {
                    group.clone_into(&mut context.group);
                }
                self.render_source(&source, &context)
                    .err()
                    .map(|message| TemplateProblem {
                        path: format!("{OVERRIDE_DIR}/{name}"),
                        message,
                    })
            })
            .collect()
    }
}

fn render_shipped(kind: MessageKind, context: &MessageContext) -> Rendered {
    // The shipped templates are tested for every kind and group; a failure
    // here is a bug, shown in the message rather than stopping the operation.
    render_with(shipped(kind), MACROS, context).unwrap_or_else(|message| Rendered {
        subject: format!("[{}] {kind}", context.migration),
        body: format!("(the shipped template `{kind}` failed: {message})"),
    })
}

/// Renders `source` (with `macros` importable) and splits subject from body.
fn render_with(source: &str, macros: &str, context: &MessageContext) -> Result<Rendered, String> {
    let mut environment = Environment::new();
    environment.set_trim_blocks(true);
    environment.set_lstrip_blocks(true);
    environment
        .add_template_owned(MACROS_NAME.to_owned(), macros.to_owned())
        .map_err(|e| describe(&e))?;
    let text = environment
        .render_str(source, context)
        .map_err(|e| describe(&e))?;
    let mut lines = text.trim_start().splitn(2, '\n');
    let subject = lines.next().unwrap_or("").trim().to_owned();
    let body = lines.next().unwrap_or("").trim().to_owned();
    Ok(Rendered {
        subject,
        body: tidy(&body),
    })
}

/// At most one blank line in a row, and a final newline.
fn tidy(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1);
    let mut blank = false;
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank && !out.is_empty() {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out
}

fn describe(error: &minijinja::Error) -> String {
    match error.line() {
        Some(line) => format!(
            "line {line}: {}",
            error.detail().unwrap_or("invalid template")
        ),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Group;

    #[test]
    fn every_shipped_template_renders_for_every_group_with_a_subject() {
        let groups = Group::BUILT_IN
            .iter()
            .map(|g| g.name().to_owned())
            .chain(["security".to_owned()]);
        for group in groups {
            for kind in MessageKind::ALL {
                let mut context = MessageContext::sample();
                context.group.clone_from(&group);
                let rendered = render_with(shipped(kind), MACROS, &context)
                    .unwrap_or_else(|e| panic!("{kind} for {group}: {e}"));
                assert!(
                    rendered.subject.starts_with("[platform-to-dagger] "),
                    "{kind} for {group}: {}",
                    rendered.subject
                );
                assert!(!rendered.body.trim().is_empty(), "{kind} for {group}");
                assert!(!rendered.body.contains("{{"), "{kind} for {group}");
            }
        }
    }

    #[test]
    fn groups_get_their_own_wording() {
        let render = |group: &str| {
            let mut context = MessageContext::sample();
            context.group = group.to_owned();
            render_with(shipped(MessageKind::PhaseStarting), MACROS, &context)
                .map(|r| r.body)
                .unwrap_or_default()
        };
        assert!(render("developers").contains("What changes in your CI"));
        assert!(render("operations").contains("What to watch"));
        assert!(render("management").contains("Progress"));
        assert!(render("end_users").contains("Impact and timing"));
    }

    #[test]
    fn a_broken_project_template_falls_back_to_the_shipped_one_and_says_so() {
        let project = tempfile::tempdir().expect("tempdir");
        let dir = project.path().join(OVERRIDE_DIR);
        std::fs::create_dir_all(dir.join("management")).expect("dirs");
        std::fs::write(
            dir.join("gate_failed.md.j2"),
            "Gate {{ gate.target }} failed\nSee it.\n",
        )
        .expect("write");
        std::fs::write(dir.join("management/gate_failed.md.j2"), "{% if %}\n").expect("write");
        let templates = Templates::of_project(project.path());
        let mut context = MessageContext::sample();
        let own = templates.render(MessageKind::GateFailed, &context);
        assert_eq!(own.subject, "Gate build-api failed");
        context.group = "management".into();
        let fallback = templates.render(MessageKind::GateFailed, &context);
        assert!(
            fallback
                .subject
                .starts_with("[platform-to-dagger] Gate failed")
        );
        assert!(
            fallback
                .body
                .contains("management/gate_failed.md.j2` failed"),
            "{}",
            fallback.body
        );
        let problems = templates.problems(&MessageContext::sample());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].path,
            "comms/templates/management/gate_failed.md.j2"
        );
    }
}

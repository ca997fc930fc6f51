//! [`Workspace`]: what every operation acts on — the validated spec, its
//! plan (built once, when first needed), the spec's directory, cutover's
//! state directory and the store.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::lifecycle::Target;
use crate::plan::{Plan, PlanError, build_plan};
use crate::snapshot::ObjectStore;
use crate::spec::{Component, ComponentRef, Migration};
use crate::store::{Store, StoreError, StoreLocation};

/// The spec, its plan, its directory and the store, opened once per command.
#[derive(Debug)]
pub struct Workspace {
    /// The validated spec.
    pub migration: Migration,
    /// The spec's directory (absolute): sides run here, outputs land here,
    /// preserved paths are relative to it.
    pub base_dir: PathBuf,
    /// cutover's state directory (run files, snapshot objects).
    pub state_dir: PathBuf,
    /// The state store.
    pub store: Store,
    /// Where the store is (a run's delivery opens its own connection).
    pub location: StoreLocation,
    plan: OnceLock<Result<Plan, PlanError>>,
}

/// An id the spec does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no component `{name}` in the spec{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
pub struct UnknownComponent {
    /// What was asked for.
    pub name: String,
    /// A close id.
    pub suggestion: Option<String>,
}

/// Why a target is unknown.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Neither a component id nor a phase number.
    #[error("no component or phase named `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// What was asked.
        name: String,
        /// A close component id.
        suggestion: Option<String>,
    },
    /// A phase number beyond the plan.
    #[error("there is no phase {number}: the plan has {count} phases")]
    NoSuchPhase {
        /// Asked.
        number: u32,
        /// Phases in the plan.
        count: usize,
    },
    /// The plan could not be built.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl Workspace {
    /// Opens the store at `state` for the spec `migration` found in
    /// `base_dir`. Local files (run outputs, snapshot objects) live beside a
    /// SQLite store, or in `.cutover/` beside the spec for a URL store.
    pub fn open(
        migration: Migration,
        base_dir: PathBuf,
        state: &StoreLocation,
    ) -> Result<Workspace, StoreError> {
        let state_dir = state
            .file()
            .and_then(Path::parent)
            .map_or_else(|| base_dir.join(".cutover"), Path::to_owned);
        Ok(Workspace {
            store: Store::open_location(state)?,
            location: state.clone(),
            migration,
            base_dir,
            state_dir,
            plan: OnceLock::new(),
        })
    }

    /// The plan, built on first use and kept.
    pub fn plan(&self) -> Result<&Plan, PlanError> {
        self.plan
            .get_or_init(|| build_plan(&self.migration))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The component with this id, or an error with a "did you mean".
    pub fn component(&self, id: &str) -> Result<ComponentRef, UnknownComponent> {
        find_component(&self.migration, id)
    }

    /// The spec of a component.
    pub fn spec(&self, component: ComponentRef) -> &Component {
        self.migration.component(component)
    }

    /// A component id wins over a phase number (`phase-2` or `2`).
    pub fn resolve_target(&self, name: &str) -> Result<Target, TargetError> {
        if let Some(component) = self.migration.component_ref(name) {
            return Ok(Target::Component(component));
        }
        let number = name.strip_prefix("phase-").unwrap_or(name).parse::<u32>();
        let Ok(number) = number else {
            return Err(TargetError::Unknown {
                name: name.into(),
                suggestion: component_suggestion(&self.migration, name),
            });
        };
        let plan = self.plan()?;
        let phase =
            plan.phases
                .iter()
                .find(|p| p.number == number)
                .ok_or(TargetError::NoSuchPhase {
                    number,
                    count: plan.phases.len(),
                })?;
        let members = phase.components.iter().map(|&c| ComponentRef::from_plan(c));
        Ok(Target::Phase(number, members.collect()))
    }

    /// The phase a component is planned in.
    pub fn phase_of(&self, component: ComponentRef) -> Result<u32, PlanError> {
        Ok(self.plan()?.components[component.index()].phase)
    }

    /// Where snapshot contents live.
    pub fn objects(&self) -> ObjectStore {
        ObjectStore::new(&self.state_dir)
    }
}

/// The component with this id in `migration`, or an error with a "did you
/// mean": for commands that read the spec without opening a store.
pub fn find_component(migration: &Migration, id: &str) -> Result<ComponentRef, UnknownComponent> {
    migration.component_ref(id).ok_or_else(|| UnknownComponent {
        name: id.to_owned(),
        suggestion: component_suggestion(migration, id),
    })
}

/// A component id close to `name`, for "did you mean".
fn component_suggestion(migration: &Migration, name: &str) -> Option<String> {
    crate::text::suggestion(name, migration.components.iter().map(|c| c.id.as_str()))
        .map(Into::into)
}

//! [`Workspace`]: what every operation acts on — the validated spec, its
//! plan (built once, when first needed), the spec's directory, cutover's
//! state directory, the committed mode file and the store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::comms::Composer;
use crate::lifecycle::{Mode, ModeState, Target};
use crate::mode_file::{MODE_FILE_NAME, ModeFile, ModeFileError};
use crate::modes::ResolvedMode;
use crate::plan::{Plan, PlanError, build_plan};
use crate::snapshot::ObjectStore;
use crate::spec::{Component, ComponentRef, Migration};
use crate::spool::deliver::{PushSummary, absorb};
use crate::spool::worker::DEFAULT_DELIVERY_TIMEOUT;
use crate::spool::{Spool, SpoolError};
use crate::store::{ModeOverride, ModeRecord, Store, StoreError, StoreLocation};

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
    /// The committed mode file (`migration.modes` beside the spec).
    pub mode_file_path: PathBuf,
    /// Its contents as read (or last written); `None` when there is none yet.
    mode_file: Option<ModeFile>,
    /// Where the store is (a run's delivery opens its own connection).
    pub location: StoreLocation,
    plan: OnceLock<Result<Plan, PlanError>>,
    /// What turns events into stakeholders' messages (none without stakeholders).
    composer: Option<Arc<Composer>>,
}

/// Why a workspace could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mode file is unreadable or invalid.
    #[error(transparent)]
    ModeFile(#[from] ModeFileError),
}

/// Why the mode file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ModeWriteError {
    /// Reading the store's modes (to start the file) failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file could not be written.
    #[error("failed to write the mode file `{}`", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
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
    /// `base_dir`, and reads the mode file beside the spec (an invalid one
    /// is an error: nothing may route by it). Local files (run outputs,
    /// snapshot objects) live beside a SQLite store, or in `.cutover/`
    /// beside the spec for a URL store.
    pub fn open(
        migration: Migration,
        base_dir: PathBuf,
        state: &StoreLocation,
    ) -> Result<Workspace, WorkspaceError> {
        let mode_file = ModeFile::load(&base_dir.join(MODE_FILE_NAME), &migration)?;
        let store = Store::open_location(state)?;
        Ok(Workspace::assemble(
            migration, base_dir, state, store, mode_file,
        ))
    }

    /// [`Workspace::open`] for `cutover run` of `component`, where the
    /// store must never change what the CI job does, and costs the job the
    /// least. The store is opened only when routing needs it: a component
    /// the committed mode file keeps in legacy routes the same whatever the
    /// store says (an override only ever moves a component toward legacy),
    /// and without a mode file a local store that was never created has no
    /// modes (every component is in legacy; it is not created for a run).
    /// Otherwise, when the store cannot be opened (unreachable, refusing,
    /// broken), the run routes by the committed mode file alone (no
    /// overrides can be read; no file means legacy) against an empty
    /// in-memory store, and the error is returned beside the workspace to
    /// be reported. The run's record still goes to the spool, whose
    /// delivery tries the real store again. An invalid mode file is still
    /// an error: nothing may route by it.
    pub fn open_for_run(
        migration: Migration,
        base_dir: PathBuf,
        state: &StoreLocation,
        component: ComponentRef,
    ) -> Result<(Workspace, Option<StoreError>), WorkspaceError> {
        let mode_file = ModeFile::load(&base_dir.join(MODE_FILE_NAME), &migration)?;
        let id = &migration.component(component).id;
        let routes_by_store = match &mode_file {
            Some(file) => file.get(id).mode != Mode::Legacy,
            None => state.file().is_none_or(Path::exists),
        };
        let (store, unavailable) = if !routes_by_store {
            (Store::closed(), None)
        } else {
            match Store::open_location(state) {
                Ok(store) => (store, None),
                Err(error) => (Store::open(Path::new(":memory:"))?, Some(error)),
            }
        };
        let workspace = Workspace::assemble(migration, base_dir, state, store, mode_file);
        Ok((workspace, unavailable))
    }

    /// Delivers the records a local store's spool holds (see
    /// [`crate::spool::deliver::absorb`]), so what a command reads counts
    /// the runs that only spooled theirs; `None` for a store elsewhere,
    /// whose runs deliver their own records. Waits at most
    /// [`DEFAULT_DELIVERY_TIMEOUT`] for another writer.
    pub fn deliver_spool(&mut self) -> Option<Result<PushSummary, SpoolError>> {
        self.location.file()?;
        let spool = Spool::in_state_dir(&self.state_dir);
        Some(absorb(&mut self.store, &spool, DEFAULT_DELIVERY_TIMEOUT))
    }

    /// The workspace; with stakeholders in the spec, the store gets the
    /// [`Composer`] as its notifier, so every event that concerns people
    /// is written with its messages.
    fn assemble(
        migration: Migration,
        base_dir: PathBuf,
        state: &StoreLocation,
        mut store: Store,
        mode_file: Option<ModeFile>,
    ) -> Workspace {
        let state_dir = state
            .file()
            .and_then(Path::parent)
            .map_or_else(|| base_dir.join(".cutover"), Path::to_owned);
        let composer = (!migration.communication.stakeholders.is_empty())
            .then(|| Arc::new(Composer::new(migration.clone(), &base_dir)));
        if let Some(composer) = &composer {
            store.set_notifier(composer.clone());
        }
        Workspace {
            composer,
            store,
            location: state.clone(),
            mode_file_path: base_dir.join(MODE_FILE_NAME),
            migration,
            base_dir,
            state_dir,
            mode_file,
            plan: OnceLock::new(),
        }
    }

    /// The effective mode of a component: the mode file's (the store's
    /// without one), moved toward legacy by its override. Every command
    /// reads modes through this one function.
    pub fn mode(&self, component: &str) -> Result<ResolvedMode, StoreError> {
        if !self.store.is_open() {
            // A run that needs no store (see [`Workspace::open_for_run`]).
            let file = self.mode_file.as_ref().map(|f| f.get(component));
            return Ok(ResolvedMode::resolve(file, ModeRecord::default(), None));
        }
        let overrides = self.store.overrides()?;
        self.mode_with(component, &overrides)
    }

    /// [`Workspace::mode`] with the overrides already read (one store call
    /// for many components).
    pub fn mode_with(
        &self,
        component: &str,
        overrides: &[ModeOverride],
    ) -> Result<ResolvedMode, StoreError> {
        let record = self.store.mode(component)?;
        let file = self.mode_file.as_ref().map(|f| f.get(component));
        let active = overrides.iter().find(|o| o.component == component).cloned();
        Ok(ResolvedMode::resolve(file, record, active))
    }

    /// Reads the mode file again, for a long-running process (the server)
    /// whose checkout may have been updated meanwhile (`git pull`). Returns
    /// whether what it says changed. An unreadable or invalid file is an
    /// error, and the last one read stays in force.
    pub fn reload_mode_file(&mut self) -> Result<bool, ModeFileError> {
        let file = ModeFile::load(&self.mode_file_path, &self.migration)?;
        let changed = file != self.mode_file;
        self.mode_file = file;
        Ok(changed)
    }

    /// Whether a mode file exists (modes come from the store until one does).
    pub fn has_mode_file(&self) -> bool {
        self.mode_file.is_some()
    }

    /// Sets committed modes and writes the mode file atomically. Without a
    /// file yet, it is started from the store's modes (the first use
    /// migrates them into the repository). Returns whether the file changed.
    pub fn write_modes(&mut self, changes: &[(String, ModeState)]) -> Result<bool, ModeWriteError> {
        let mut file = match &self.mode_file {
            Some(file) => file.clone(),
            None => self.store_modes()?,
        };
        for (component, state) in changes {
            file.set(component, *state);
        }
        let text = file.render(&self.migration);
        let unchanged = std::fs::read_to_string(&self.mode_file_path).is_ok_and(|t| t == text);
        if !unchanged {
            crate::fs::write_atomically(&self.mode_file_path, text.as_bytes()).map_err(
                |source| ModeWriteError::Write {
                    path: self.mode_file_path.clone(),
                    source,
                },
            )?;
        }
        self.mode_file = Some(file);
        Ok(!unchanged)
    }

    /// The store's recorded modes of every component, as a mode file.
    fn store_modes(&self) -> Result<ModeFile, StoreError> {
        let mut states = std::collections::BTreeMap::new();
        for component in &self.migration.components {
            states.insert(component.id.clone(), self.store.mode(&component.id)?.state);
        }
        Ok(ModeFile::from_states(&self.migration, |id| {
            states.get(id).copied().unwrap_or_default()
        }))
    }

    /// What turns events into stakeholders' messages, when the spec has stakeholders.
    pub fn composer(&self) -> Option<Arc<Composer>> {
        self.composer.clone()
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

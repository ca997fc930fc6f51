//! [`ResolvedMode`]: the one answer to "what mode is this component in",
//! which `run`, `status`, `gate`, `advance`, `rollback`, triggers and the
//! documents all read (through [`crate::workspace::Workspace::mode`]) so
//! they always agree.
//!
//! Who is the source of truth:
//! - the **mode file** (committed beside the spec) says the mode; without
//!   one yet, the store's recorded mode does (the behaviour before mode
//!   files, until the first `advance`, `rollback` or `sync` writes it);
//! - an **override** in the store (the emergency brake a rollback sets)
//!   moves it toward legacy, never forward;
//! - the **store** keeps history: since when, and the drift baseline.

use jiff::Timestamp;
use serde::Serialize;

use crate::lifecycle::ModeState;
use crate::store::{ModeOverride, ModeRecord};

/// Where a component's committed mode came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeSource {
    /// The committed mode file.
    File,
    /// The store (no mode file yet).
    Store,
}

/// A component's effective mode and what it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedMode {
    /// The mode runs route by: the committed mode, moved toward legacy by
    /// the override.
    pub state: ModeState,
    /// The mode the mode file (or, without one, the store) says.
    pub committed: ModeState,
    /// Where `committed` came from.
    pub source: ModeSource,
    /// The component's active override, if any.
    pub active_override: Option<ModeOverride>,
    /// When the component entered `state`, if the store knows.
    pub since: Option<Timestamp>,
    /// The drift baseline recorded when it entered shadow.
    pub sources_digest: Option<String>,
}

impl ResolvedMode {
    /// Combines the committed mode (`file`, or the store's record without
    /// a file), the record's history and the override.
    pub fn resolve(
        file: Option<ModeState>,
        record: ModeRecord,
        active_override: Option<ModeOverride>,
    ) -> ResolvedMode {
        let (committed, source) = match file {
            Some(state) => (state, ModeSource::File),
            None => (record.state, ModeSource::Store),
        };
        let state = active_override
            .as_ref()
            .map_or(committed, |o| committed.toward_legacy(o.state));
        ResolvedMode {
            state,
            committed,
            source,
            active_override,
            since: (record.state == state).then_some(record.since).flatten(),
            sources_digest: record.sources_digest,
        }
    }

    /// The override when it holds the component behind its committed mode:
    /// one the mode file does not reflect yet (`cutover sync` writes it).
    pub fn pending_override(&self) -> Option<&ModeOverride> {
        self.active_override
            .as_ref()
            .filter(|o| o.state.is_behind(self.committed))
    }

    /// The parts older callers read, as a [`ModeRecord`] with the effective state.
    pub fn record(&self) -> ModeRecord {
        ModeRecord {
            state: self.state,
            since: self.since,
            sources_digest: self.sources_digest.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::Mode;

    fn state(mode: Mode, canary_percent: u8) -> ModeState {
        ModeState {
            mode,
            canary_percent,
        }
    }

    fn brake(to: ModeState) -> ModeOverride {
        ModeOverride {
            component: "api".into(),
            state: to,
            set_at: Timestamp::UNIX_EPOCH,
            actor: "ops".into(),
            reason: None,
        }
    }

    fn record(s: ModeState) -> ModeRecord {
        ModeRecord {
            state: s,
            since: Some(Timestamp::UNIX_EPOCH),
            sources_digest: None,
        }
    }

    #[test]
    fn the_file_wins_over_the_store() {
        let resolved = ResolvedMode::resolve(
            Some(state(Mode::Shadow, 0)),
            record(ModeState::default()),
            None,
        );
        assert_eq!(resolved.state, state(Mode::Shadow, 0));
        assert_eq!(resolved.source, ModeSource::File);
        assert_eq!(resolved.since, None, "the store's since is another mode's");
    }

    #[test]
    fn without_a_file_the_store_says() {
        let resolved = ResolvedMode::resolve(None, record(state(Mode::Dagger, 0)), None);
        assert_eq!(resolved.state.mode, Mode::Dagger);
        assert_eq!(resolved.source, ModeSource::Store);
        assert!(resolved.since.is_some());
    }

    #[test]
    fn an_override_only_moves_toward_legacy() {
        let file = Some(state(Mode::Canary, 50));
        let back = ResolvedMode::resolve(
            file,
            record(ModeState::default()),
            Some(brake(state(Mode::Shadow, 0))),
        );
        assert_eq!(back.state.mode, Mode::Shadow);
        assert!(back.pending_override().is_some());
        let lower = ResolvedMode::resolve(
            file,
            record(ModeState::default()),
            Some(brake(state(Mode::Canary, 10))),
        );
        assert_eq!(lower.state, state(Mode::Canary, 10));
        let ahead = ResolvedMode::resolve(
            Some(state(Mode::Shadow, 0)),
            record(ModeState::default()),
            Some(brake(state(Mode::Dagger, 0))),
        );
        assert_eq!(
            ahead.state.mode,
            Mode::Shadow,
            "an override never moves forward"
        );
        assert!(ahead.pending_override().is_none());
    }
}

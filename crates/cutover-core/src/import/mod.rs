//! `cutover import`: drafts components from legacy definitions (GitHub
//! Actions, GitLab CI, Makefiles, Justfiles, Taskfiles, docker compose).
//!
//! The [`crate::legacy`] engine reads the files into jobs; [`render`]
//! writes them as a spec that passes `cutover check`; [`merge`] adds them
//! to an existing spec without overwriting anything.

pub mod merge;
pub mod render;

pub use crate::legacy::{
    Import, ImportError, ImportedJob, LegacySystem, Step, read_files as import_files,
};

//! `cutover scaffold`: Dagger modules drafted from imported jobs, for the
//! Python and TypeScript SDKs, laid out for the stable 0.x CLI or the 1.0
//! beta, and the `dagger.run` lines that call them.
//! Generated code is checked against the real SDK packages by the test
//! suite (mypy --strict, tsc --strict); no engine is involved here.

pub mod beta;
pub mod body;
pub mod file;
pub mod function;
pub mod module;
pub mod python;
pub mod spec_edit;
pub mod typescript;

pub use file::{GeneratedFile, Sdk};
pub use function::{FunctionPlan, PlannedService, PlannedStep};
pub use module::{DaggerCli, Scaffold, ScaffoldError, ScaffoldSettings, scaffold};
pub use spec_edit::{SpecEdit, set_dagger_runs};

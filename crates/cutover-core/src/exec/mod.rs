//! Running the two sides of a component: spawning processes, capturing and
//! streaming their output, enforcing timeouts, hashing their outputs and
//! comparing the results. The one module that spawns processes.

mod cancel;
mod command;
mod compare;
mod digest;
mod normalize;
mod outcome;
mod parity;
mod priority;
mod process_tree;
mod redact;
mod secrets;
mod side_workspace;
mod trace;
mod verdict;

pub use cancel::{cancelled, handle_termination_signals};
pub use command::{Execution, SideCommand, run_side, run_side_lowered};
pub use compare::{CompareContext, Verdict, compare_output, unified_hunk};
pub use digest::{
    OutputDigest, definition_changed, definition_digest, digest_bytes, digest_outputs,
    digest_paths, hex, implementation_digest,
};
pub use normalize::Normalizer;
pub use outcome::SideOutcome;
pub use parity::{Parity, ParityPlan, SideResult, compare};
pub use priority::{Lowering, Quota, SHADOW_NICE};
pub use process_tree::{ProcessTree, TAG_VARIABLE};
pub use redact::{MIN_SECRET_LINE, Redactor};
pub use secrets::secret_values;
pub use side_workspace::{CopySource, SideWorkspace};
pub use trace::{TraceContext, random_hex};
pub use verdict::{ParityComparison, ParityVerdict, SideRole};

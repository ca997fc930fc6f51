//! File-system rules of the project: what cutover may touch (confinement),
//! and how every writer touches it (atomic writes, tree copies).

mod atomic;
pub mod confine;
mod tree;

pub use atomic::{
    is_stale_temporary, remove_stale_temporaries, write_atomically, write_atomically_unsynced,
};
pub use tree::copy_tree;

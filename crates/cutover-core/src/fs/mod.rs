//! File-system helpers every writer shares: atomic writes and tree copies.

mod atomic;
mod tree;

pub use atomic::write_atomically;
pub use tree::{copy_path, copy_tree};

//! File-system rules of the project: what cutover may touch, and how.

pub mod confine;

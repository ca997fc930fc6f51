//! Exit codes, in one place. `cutover run` (later) passes the authoritative
//! side's code through instead.

/// Everything went well.
pub const OK: u8 = 0;
/// A gate, criterion or test was not met.
pub const NOT_MET: u8 = 1;
/// Bad input: the spec or the arguments. Nothing was written.
pub const BAD_INPUT: u8 = 2;
/// Something failed that is not the user's input (I/O, a bug).
pub const FAILURE: u8 = 3;

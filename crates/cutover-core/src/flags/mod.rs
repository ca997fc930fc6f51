//! Migration modes as feature flags: flag `dagger.<component>` is true for
//! a targeting key when the Dagger implementation is authoritative for it,
//! by the same rule and bucketing `cutover run` routes by
//! ([`crate::router::authoritative_side`]). `cutover serve` answers the
//! OpenFeature Remote Evaluation Protocol (OFREP) with these; the protocol's
//! wire shapes live in the server, the answers here.

mod table;

pub use table::{FLAG_PREFIX, FlagError, FlagTable, Reason, Resolution};

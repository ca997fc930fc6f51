//! The migration's agenda: status updates (the spec's `schedule:` cadence
//! per group), phase starts, gate reviews, legacy retirement dates (the
//! plan's) and training sessions (the training plan's), each with a UID
//! derived from what it is — never from the time of export — so a calendar
//! that imports a second export updates its events instead of duplicating
//! them. Rendered as iCalendar (RFC 5545) with a `VTIMEZONE` for every
//! time zone a status update uses. Reads the spec and the plan only.

mod entry;
mod ics;
mod table;
mod time_zone;

pub use entry::{Agenda, AgendaEntry, EntryKind, Series, When, agenda, agenda_with};
pub use ics::render_ics;
pub use table::render_table;

//! The agenda as a terminal table: when, what, and the UID a calendar
//! keeps it under.

use super::entry::{Agenda, When};
use crate::report::TextTable;

/// One row per entry, in agenda order.
pub fn render_table(agenda: &Agenda) -> String {
    let mut table = TextTable::new(&["when", "kind", "summary", "uid"]);
    for entry in &agenda.entries {
        let when = match &entry.when {
            When::Day(date) => date.to_string(),
            When::Series(series) => format!(
                "from {} ({}, {}×)",
                series.first.strftime("%Y-%m-%d %H:%M"),
                series.time_zone_name,
                series.occurrences
            ),
        };
        table.row(vec![
            when,
            entry.kind.as_str().to_owned(),
            entry.summary.clone(),
            entry.uid.clone(),
        ]);
    }
    table.render()
}

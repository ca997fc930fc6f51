//! [`Session`]: a suggested training session, and how a team's needs are
//! grouped into sessions — in the order they fall due, at most
//! [`SESSION_HOURS`] each, and never joining a concept due more than
//! [`SESSION_SPREAD_DAYS`] after the session's date (taught too early, it is
//! forgotten before it is used).

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use super::need::ConceptNeed;

/// The longest suggested session: half a day.
pub const SESSION_HOURS: f64 = 4.0;

/// Calendar days within which concepts due later still join a session.
pub const SESSION_SPREAD_DAYS: i32 = 14;

/// One suggested session for one team.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// Stable identifier: the team and the session's first concept (a
    /// calendar UID and the invitation's key are derived from it).
    pub id: String,
    /// The team it is for.
    pub team: String,
    /// 1-based, per team.
    pub number: usize,
    /// Title in words.
    pub title: String,
    /// Concept ids taught, in order.
    pub concepts: Vec<String>,
    /// Concept titles taught, in order.
    pub topics: Vec<String>,
    /// Teaching time.
    pub hours: f64,
    /// The date it should take place by: its earliest concept's due date.
    pub by: Date,
    /// The component it prepares for: the first to need its first concept.
    pub first_component: String,
    /// The day that component enters shadow.
    pub first_shadow: Date,
}

/// `needs` (sorted by due date) grouped into sessions for `team`.
pub fn sessions(team: &str, needs: &[ConceptNeed]) -> Vec<Session> {
    let mut groups: Vec<Vec<&ConceptNeed>> = Vec::new();
    for need in needs {
        let joins = groups.last().is_some_and(|group| {
            let hours: f64 = group.iter().map(|n| n.hours).sum();
            let by = group[0].needed_by;
            hours + need.hours <= SESSION_HOURS
                && by
                    .checked_add(SESSION_SPREAD_DAYS.days())
                    .is_ok_and(|limit| need.needed_by <= limit)
        });
        match groups.last_mut() {
            Some(group) if joins => group.push(need),
            _ => groups.push(vec![need]),
        }
    }
    groups
        .iter()
        .enumerate()
        .map(|(index, group)| Session {
            id: format!("{team}-{}", group[0].concept),
            team: team.to_owned(),
            number: index + 1,
            title: title(group),
            concepts: group.iter().map(|n| n.concept.clone()).collect(),
            topics: group.iter().map(|n| n.title.clone()).collect(),
            hours: group.iter().map(|n| n.hours).sum(),
            by: group[0].needed_by,
            first_component: group[0].first_component.clone(),
            first_shadow: group[0].first_shadow,
        })
        .collect()
}

/// Teaching time in words: `4 h`, `1.5 h`, `30 min`.
pub fn hours_text(value: f64) -> String {
    if value < 1.0 {
        format!("{} min", (value * 60.0).round())
    } else if value.fract() == 0.0 {
        format!("{value:.0} h")
    } else {
        format!("{value} h")
    }
}

/// "Dagger foundations", or the topics.
fn title(group: &[&ConceptNeed]) -> String {
    let specific: Vec<String> = group
        .iter()
        .filter(|n| !n.foundation)
        .map(|n| n.title.clone())
        .collect();
    let foundation = group.iter().any(|n| n.foundation);
    match (foundation, specific.is_empty()) {
        (true, true) => "Dagger foundations".to_owned(),
        (true, false) => format!("Dagger foundations · {}", specific.join(" · ")),
        (false, _) => specific.join(" · "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn need(concept: &str, hours: f64, needed_by: Date, foundation: bool) -> ConceptNeed {
        ConceptNeed {
            concept: concept.into(),
            title: concept.to_uppercase(),
            learn: String::new(),
            hours,
            foundation,
            needed_by,
            first_component: "c".into(),
            first_shadow: needed_by,
            before_start: false,
            components: Vec::new(),
        }
    }

    #[test]
    fn sessions_fill_to_half_a_day_and_keep_late_concepts_apart() {
        let needs = [
            need("a", 1.0, date(2027, 1, 4), true),
            need("b", 3.0, date(2027, 1, 4), true),
            need("c", 1.0, date(2027, 1, 6), false),
            need("d", 1.0, date(2027, 1, 8), false),
            need("e", 0.5, date(2027, 3, 1), false),
        ];
        let sessions = sessions("ops", &needs);
        let shape: Vec<(Vec<String>, Date)> = sessions
            .iter()
            .map(|s| (s.concepts.clone(), s.by))
            .collect();
        assert_eq!(
            shape,
            vec![
                (vec!["a".to_owned(), "b".to_owned()], date(2027, 1, 4)),
                (vec!["c".to_owned(), "d".to_owned()], date(2027, 1, 6)),
                (vec!["e".to_owned()], date(2027, 3, 1)),
            ]
        );
        assert_eq!(sessions[0].title, "Dagger foundations");
        assert_eq!(sessions[1].title, "C · D");
        assert_eq!(sessions[1].id, "ops-c");
        assert_eq!(sessions[2].number, 3);
    }
}

//! [`TrainingPlan`]: per owner team, the Dagger concepts its components
//! need, the date each is needed by and the sessions that teach them.
//!
//! A concept is needed by a team when one of its components uses what the
//! concept covers (see [`super::concept`]); it is needed
//! [`LEAD_TIME_DAYS`] work days before the first of those components enters
//! shadow in the plan — from then on the team's developers change Dagger
//! definitions beside legacy ones. Reads the spec and the plan only.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::concept::{Concept, concepts};
use super::need::{ConceptNeed, ConceptUse};
use super::session::{Session, sessions};
use crate::plan::{Plan, work_days_before};
use crate::spec::{Group, Migration};

/// Work days between a concept being taught and the first component that
/// needs it entering shadow: time to practise on the team's own port.
pub const LEAD_TIME_DAYS: u32 = 5;

/// The training plan of a migration.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingPlan {
    /// Work days between training and first use in shadow.
    pub lead_time_days: u32,
    /// Teams, the earliest first shadow first.
    pub teams: Vec<TeamTraining>,
    /// Every team's sessions, by date then team.
    pub sessions: Vec<Session>,
}

/// One owner team's training.
#[derive(Debug, Clone, Serialize)]
pub struct TeamTraining {
    /// The team (a component `owner`).
    pub team: String,
    /// Its components, in spec order.
    pub components: Vec<String>,
    /// The first of them to enter shadow.
    pub first_component: String,
    /// The day it enters shadow.
    pub first_shadow: Date,
    /// Concepts it needs, the earliest needed first.
    pub needs: Vec<ConceptNeed>,
    /// Suggested sessions, in date order.
    pub sessions: Vec<Session>,
    /// Teaching time of all its sessions.
    pub hours: f64,
    /// Stakeholders its sessions are for (see [`invitees`]).
    pub invitees: Vec<Invitee>,
}

/// A stakeholder invited to a team's sessions.
#[derive(Debug, Clone, Serialize)]
pub struct Invitee {
    /// Stakeholder id.
    pub id: String,
    /// Their name.
    pub name: String,
}

/// The training plan for `migration` as `plan` schedules it.
pub fn training_plan(migration: &Migration, plan: &Plan) -> TrainingPlan {
    let mut by_team: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, component) in migration.components.iter().enumerate() {
        by_team.entry(&component.owner).or_default().push(index);
    }
    let mut teams: Vec<TeamTraining> = by_team
        .into_iter()
        .filter_map(|(team, members)| team_training(migration, plan, team, &members))
        .collect();
    teams.sort_by(|a, b| (a.first_shadow, &a.team).cmp(&(b.first_shadow, &b.team)));
    let mut sessions: Vec<Session> = teams.iter().flat_map(|t| t.sessions.clone()).collect();
    sessions.sort_by(|a, b| (a.by, &a.team).cmp(&(b.by, &b.team)));
    TrainingPlan {
        lead_time_days: LEAD_TIME_DAYS,
        teams,
        sessions,
    }
}

/// One team's needs and sessions; `None` when the plan schedules none of
/// its components (it never does for a team that owns one).
fn team_training(
    migration: &Migration,
    plan: &Plan,
    team: &str,
    members: &[usize],
) -> Option<TeamTraining> {
    let first = *members
        .iter()
        .min_by_key(|&&i| (plan.components.get(i).map(|s| s.shadow_start), i))?;
    let first_shadow = plan.components.get(first)?.shadow_start;
    let mut needs: Vec<ConceptNeed> = concepts()
        .iter()
        .filter_map(|concept| concept_need(migration, plan, concept, members))
        .collect();
    // Stable: concepts due the same day keep the table's teaching order.
    needs.sort_by_key(|need| need.needed_by);
    let sessions = sessions(team, &needs);
    let hours = sessions.iter().map(|s| s.hours).sum();
    let invitees = invitees(migration, plan, members);
    Some(TeamTraining {
        team: team.to_owned(),
        components: members
            .iter()
            .map(|&i| migration.components[i].id.clone())
            .collect(),
        first_component: migration.components[first].id.clone(),
        first_shadow,
        needs,
        sessions,
        hours,
        invitees,
    })
}

/// The stakeholders who change a team's definitions — developers,
/// administrators and the project's own groups (not operations, management
/// or end users) — whose interests cover one of its components.
pub fn invitees(migration: &Migration, plan: &Plan, members: &[usize]) -> Vec<Invitee> {
    migration
        .communication
        .stakeholders
        .iter()
        .filter(|s| {
            matches!(
                s.group,
                Group::Developers | Group::Administrators | Group::Custom(_)
            )
        })
        .filter(|s| {
            members.iter().any(|&i| {
                let phase = plan.components.get(i).map(|c| c.phase);
                s.interests.covers(&migration.components[i], phase)
            })
        })
        .map(|s| Invitee {
            id: s.id.clone(),
            name: s.name.clone(),
        })
        .collect()
}

/// What `members` need of `concept`, if any of them does.
fn concept_need(
    migration: &Migration,
    plan: &Plan,
    concept: &Concept,
    members: &[usize],
) -> Option<ConceptNeed> {
    let mut uses: Vec<ConceptUse> = members
        .iter()
        .filter_map(|&index| {
            let component = &migration.components[index];
            let reasons = concept.reasons(migration, component);
            if reasons.is_empty() {
                return None;
            }
            Some(ConceptUse {
                component: component.id.clone(),
                shadow_start: plan.components.get(index)?.shadow_start,
                reasons,
            })
        })
        .collect();
    uses.sort_by_key(|u| u.shadow_start);
    let first = uses.first()?;
    let needed_by = work_days_before(&migration.calendar, first.shadow_start, LEAD_TIME_DAYS);
    Some(ConceptNeed {
        concept: concept.id.clone(),
        title: concept.title.clone(),
        learn: concept.learn.clone(),
        hours: concept.hours,
        foundation: concept.is_foundation(),
        needed_by,
        first_component: first.component.clone(),
        first_shadow: first.shadow_start,
        before_start: needed_by < migration.start,
        components: uses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::build_plan;
    use crate::spec::parse_spec;
    use jiff::civil::date;

    const SPEC: &str = "
version: 1
migration: { name: m, start: 2027-01-04 }
components:
  - id: base
    kind: infra
    owner: platform
    effort: 2d
    legacy: { run: make base, features: [shell, cache] }
    dagger: { run: dagger call base }
  - id: deploy
    kind: pipeline
    owner: web
    depends_on: [base]
    effort: 2d
    side_effects: true
    secrets: [TOKEN]
    legacy: { run: make deploy, shadow_run: make -n deploy }
    dagger: { run: dagger call deploy, shadow_run: dagger call deploy --dry-run }
";

    #[test]
    fn each_team_learns_what_its_components_use_before_they_shadow() {
        let migration = parse_spec("m.yaml", SPEC).expect("valid spec");
        let plan = build_plan(&migration).expect("plan");
        let training = training_plan(&migration, &plan);
        let team = |name: &str| {
            training
                .teams
                .iter()
                .find(|t| t.team == name)
                .expect("team")
        };
        let concepts = |name: &str| -> Vec<String> {
            team(name).needs.iter().map(|n| n.concept.clone()).collect()
        };
        assert!(concepts("platform").contains(&"caches".to_owned()));
        assert!(!concepts("platform").contains(&"secrets".to_owned()));
        for wanted in ["secrets", "publishing", "module-dependencies"] {
            assert!(concepts("web").contains(&wanted.to_owned()), "{wanted}");
        }
        assert!(!concepts("web").contains(&"caches".to_owned()));
        let web = team("web");
        let shadow = plan.components[1].shadow_start;
        assert_eq!(web.first_shadow, shadow);
        for need in &web.needs {
            assert_eq!(
                need.needed_by,
                work_days_before(&migration.calendar, shadow, LEAD_TIME_DAYS)
            );
            assert!(need.needed_by < shadow);
        }
        // `base` enters shadow after 2 days of porting, so its team's
        // training falls before the migration starts.
        let platform = team("platform");
        assert_eq!(platform.first_shadow, date(2027, 1, 6));
        assert!(platform.needs.iter().all(|n| n.before_start));
        assert_eq!(training.teams[0].team, "platform");
        assert_eq!(
            training.sessions.len(),
            training
                .teams
                .iter()
                .map(|t| t.sessions.len())
                .sum::<usize>()
        );
    }
}

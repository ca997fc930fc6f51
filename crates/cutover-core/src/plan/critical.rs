//! The critical path: the chain of links that set the end date, followed
//! back from the last gate to day 0, each link named by the constraint
//! behind it.

use serde::Serialize;

use super::leveling::{Cause, Timeline};
use crate::spec::PortingAfter;

/// The constraint behind one link of the critical path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// The later component waited for this dependency (ported or cut over).
    Dependency,
    /// The later component waited for the gate of the earlier one's phase.
    PhaseGate,
    /// The later component waited for a person of its team, freed when the
    /// earlier one was ported.
    TeamBusy,
    /// The later component waited for the global capacity, freed when the
    /// earlier one was ported.
    Capacity,
}

impl Constraint {
    /// How documents and tables name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::Dependency => "dependency",
            Constraint::PhaseGate => "phase gate",
            Constraint::TeamBusy => "team busy",
            Constraint::Capacity => "capacity",
        }
    }
}

/// One link of the critical path: `to` waited for `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriticalLink {
    /// The earlier component.
    pub from: usize,
    /// The later component.
    pub to: usize,
    /// Why `to` waited.
    pub constraint: Constraint,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Port,
    Canary,
}

/// Follows the causes back from the last gate: the components in order and
/// the links between consecutive ones.
pub(super) fn critical_path(t: &Timeline) -> (Vec<usize>, Vec<CriticalLink>) {
    let mut path = Vec::new();
    let mut links = Vec::new();
    let Some(&last) = t.gate_cause.last() else {
        return (path, links);
    };
    if last == usize::MAX {
        return (path, links);
    }
    path.push(last);
    let mut at = (last, Stage::Canary);
    // Every step moves strictly back in time or from a canary to its own
    // porting, so the walk ends; the bound guards against a bug looping.
    for _ in 0..4 * t.port_start.len() + 4 {
        let Some((from, stage, constraint)) = step(t, at) else {
            break;
        };
        if let Some(constraint) = constraint {
            links.push(CriticalLink {
                from,
                to: at.0,
                constraint,
            });
            path.push(from);
        }
        at = (from, stage);
    }
    path.reverse();
    links.reverse();
    (path, links)
}

fn step(t: &Timeline, (c, stage): (usize, Stage)) -> Option<(usize, Stage, Option<Constraint>)> {
    let gate = |p: usize| (t.gate_cause[p], Stage::Canary, Some(Constraint::PhaseGate));
    match stage {
        Stage::Canary => match t.canary_cause[c] {
            Cause::Soak => Some((c, Stage::Port, None)),
            Cause::Dependency(d) => Some((d, Stage::Canary, Some(Constraint::Dependency))),
            Cause::PhaseGate(p) => Some(gate(p)),
            Cause::Origin | Cause::TeamBusy(_) | Cause::Capacity(_) => None,
        },
        Stage::Port => match t.port_cause[c] {
            Cause::Origin | Cause::Soak => None,
            Cause::Dependency(d) => {
                let stage = match t.rules.porting_after {
                    PortingAfter::Ported => Stage::Port,
                    PortingAfter::Cutover => Stage::Canary,
                };
                Some((d, stage, Some(Constraint::Dependency)))
            }
            Cause::PhaseGate(p) => Some(gate(p)),
            Cause::TeamBusy(b) => Some((b, Stage::Port, Some(Constraint::TeamBusy))),
            Cause::Capacity(b) => Some((b, Stage::Port, Some(Constraint::Capacity))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::DependencyGraph;
    use crate::plan::leveling::{Phasing, Resources, Rules, level};

    /// c0 and c1 are independent but share one person (c0, longer, goes
    /// first); c2 depends on c1. Soaks are 0.
    fn links(phase_of: [u32; 3], members: &[Vec<usize>]) -> (Vec<usize>, Vec<Constraint>) {
        let graph = DependencyGraph::new(vec![vec![], vec![], vec![1]]);
        let phasing = Phasing {
            phase_of: &phase_of,
            members,
        };
        let rules = Rules {
            porting_after: PortingAfter::Ported,
            overlap: true,
            shadow: 0,
            canary: 0,
        };
        let resources = Resources {
            capacity: 3,
            team_of: vec![Some(0), Some(0), None],
            team_size: vec![1],
        };
        let t = level(&graph, &phasing, vec![5, 1, 1], rules, &resources).expect("plan");
        let (path, links) = critical_path(&t);
        for link in &links {
            assert!(path.contains(&link.from) && path.contains(&link.to));
        }
        (path, links.iter().map(|l| l.constraint).collect())
    }

    #[test]
    fn names_a_busy_team() {
        let (path, constraints) = links([1, 1, 1], &[vec![0, 1, 2]]);
        assert_eq!(path, vec![0, 1, 2]);
        assert_eq!(
            constraints,
            vec![Constraint::TeamBusy, Constraint::Dependency]
        );
    }

    #[test]
    fn names_a_phase_gate() {
        // With c1 and c2 in phase 2, c1 cuts over only after phase 1's gate
        // (the day after c0's cutover), later than the person was free.
        let (path, constraints) = links([1, 2, 2], &[vec![0], vec![1, 2]]);
        assert_eq!(path, vec![0, 1, 2]);
        assert_eq!(
            constraints,
            vec![Constraint::PhaseGate, Constraint::Dependency]
        );
    }
}

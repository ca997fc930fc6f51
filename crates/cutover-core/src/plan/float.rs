//! Slack: how many work days a component could slip without moving the end
//! of the plan, given the leveler's decisions (who ports what, in which
//! order). Computed backwards over the same links the leveler used: the
//! ordering rules, the phase gates, and the hand-overs between people.

use super::leveling::{Node, Phasing, Timeline};
use crate::graph::DependencyGraph;
use crate::spec::PortingAfter;

const NEVER: i64 = i64::MAX / 4;

/// The slack of each component: the smaller of its porting's and its
/// canary's (and so its cutover's) slack.
pub(super) fn slack(graph: &DependencyGraph, phasing: &Phasing<'_>, t: &Timeline) -> Vec<u32> {
    let latest = latest(graph, phasing, t);
    (0..t.port_start.len())
        .map(|c| {
            let port = latest.port[c] - i64::from(t.port_start[c]);
            let canary = latest.canary[c] - i64::from(t.canary_start[c]);
            u32::try_from(port.min(canary).max(0)).unwrap_or(u32::MAX)
        })
        .collect()
}

/// The latest day each value could take without moving the end.
pub(super) struct Latest {
    /// Porting starts.
    pub port: Vec<i64>,
    /// Canary starts.
    pub canary: Vec<i64>,
    /// Gate days.
    pub gate: Vec<i64>,
}

/// Latest days over the links of `t`, backwards from its last gate.
pub(super) fn latest(graph: &DependencyGraph, phasing: &Phasing<'_>, t: &Timeline) -> Latest {
    let members = phasing.members;
    let n = t.port_start.len();
    let phases = t.gates.len();
    let mut latest_port = vec![NEVER; n];
    let mut latest_canary = vec![NEVER; n];
    let mut latest_gate = vec![NEVER; phases];
    let rules = t.rules;
    let finish_lag = i64::from(rules.canary) + 1;
    for node in t.order.iter().rev() {
        match *node {
            Node::Gate(p) => {
                let mut latest = if p + 1 == phases {
                    i64::from(t.gates[p])
                } else {
                    NEVER
                };
                for &m in members.get(p + 1).into_iter().flatten() {
                    // The next phase's cutovers follow this gate.
                    latest = latest.min(latest_canary[m] + i64::from(rules.canary) - 1);
                    if !rules.overlap {
                        latest = latest.min(latest_port[m] - 1);
                    }
                }
                latest_gate[p] = latest;
            }
            Node::Canary(c) => {
                let mut latest_finish = latest_gate[phasing.phase_of[c] as usize - 1];
                for &e in graph.dependents(c) {
                    latest_finish = latest_finish.min(latest_canary[e]);
                    if rules.porting_after == PortingAfter::Cutover {
                        latest_finish = latest_finish.min(latest_port[e]);
                    }
                }
                latest_canary[c] = latest_finish - finish_lag;
            }
            Node::Port(c) => {
                let porting = i64::from(t.porting[c]);
                let mut latest_end = latest_canary[c] - i64::from(rules.shadow);
                if rules.porting_after == PortingAfter::Ported {
                    for &e in graph.dependents(c) {
                        latest_end = latest_end.min(latest_port[e]);
                    }
                }
                for &next in t.next_on_seat[c].iter().chain(&t.released[c]) {
                    latest_end = latest_end.min(latest_port[next]);
                }
                latest_port[c] = latest_end - porting;
            }
        }
    }
    Latest {
        port: latest_port,
        canary: latest_canary,
        gate: latest_gate,
    }
}

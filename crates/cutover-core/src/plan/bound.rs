//! The lower bound a schedule is measured against: no schedule under the
//! same rules and people can end sooner.
//!
//! - **Chain**: the span with unlimited people (every component starts as
//!   soon as the ordering rules and phase gates allow).
//! - **People**: for each team (and for all porting over the global
//!   capacity), the porting work that cannot start before day `t` (its
//!   earliest start under the rules is `t` or later) needs at least its
//!   work over the people, after `t`; then the shortest tail follows (shadow
//!   and canary soaks, the cutover day and the gate day). The bound is the
//!   largest such `t + work / people + tail`; at `t = 0` it is simply each
//!   team's effort over its people plus the tail.
//! - **People before a gate**: all porting of phases up to N ends before
//!   gate N (less the soaks and the cutover day), and from gate N the
//!   longest chain of rules to the end still follows, with unlimited people.
//! - **Phase by phase** (only with `overlap: false`, where a phase starts
//!   the day after the previous phase's gate): the sum over phases of the
//!   larger of the phase's own chain and its own people bound.

use std::cmp::Reverse;

use serde::Serialize;

use super::leveling::{Resources, Timeline};

/// The bound and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LowerBound {
    /// The bound in work days: the largest of the bounds below.
    pub days: u32,
    /// Longest chain under the ordering rules, with unlimited people.
    pub chain_days: u32,
    /// Largest of the per-team and global people bounds.
    pub people_days: u32,
    /// The team (or `capacity`) behind `people_days`, if any work exists.
    pub people_limit: Option<String>,
    /// The phase-by-phase bound, when phases do not overlap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase_by_phase_days: Option<u32>,
}

/// What the bound is computed from.
pub(super) struct BoundInput<'a> {
    /// The schedule with unlimited people.
    pub unlimited: &'a Timeline,
    /// Latest gate days of that schedule (the longest chain after each gate).
    pub latest_gates: &'a [i64],
    /// Members of each phase.
    pub members: &'a [Vec<usize>],
    /// Whether phases overlap.
    pub overlap: bool,
    /// Shadow + canary + cutover day + gate day.
    pub tail: u32,
}

/// The lower bound of a plan: see the module documentation.
pub(super) fn plan_bound(
    input: &BoundInput<'_>,
    resources: &Resources,
    team_names: &[String],
) -> LowerBound {
    let unlimited = input.unlimited;
    let chain_days = unlimited.span();
    let everyone: Vec<usize> = (0..unlimited.port_start.len()).collect();
    let overall = people_bound(unlimited, &everyone, 0, resources, team_names, input.tail);
    let gated = gate_bound(input, resources, team_names);
    let (people_days, people_limit) = match (overall, gated) {
        (Some(a), Some(b)) if b.0 > a.0 => (b.0, Some(b.1)),
        (Some(a), _) => (a.0, Some(a.1)),
        (None, b) => b.map_or((0, None), |(days, limit)| (days, Some(limit))),
    };
    let mut bound = LowerBound {
        days: chain_days.max(people_days),
        chain_days,
        people_days,
        people_limit,
        phase_by_phase_days: None,
    };
    if !input.overlap {
        let mut total = 0u32;
        for (p, members) in input.members.iter().enumerate() {
            let start = p.checked_sub(1).map_or(0, |q| unlimited.gates[q] + 1);
            let chain = unlimited.gates[p] + 1 - start;
            let people = people_bound(unlimited, members, start, resources, team_names, input.tail)
                .map_or(0, |(days, _)| days);
            total += chain.max(people);
        }
        bound.phase_by_phase_days = Some(total);
        bound.days = bound.days.max(total);
    }
    bound
}

/// For each phase N: the porting of phases up to N over the people, the
/// soaks and cutover day, then the longest chain from gate N to the end.
fn gate_bound(
    input: &BoundInput<'_>,
    resources: &Resources,
    team_names: &[String],
) -> Option<(u32, String)> {
    let unlimited = input.unlimited;
    let span = i64::from(unlimited.span());
    let teams = resources.team_size.len();
    let mut work = vec![0u64; teams + 1];
    let people: Vec<u32> = resources
        .team_size
        .iter()
        .copied()
        .chain([resources.capacity])
        .collect();
    let mut best: Option<(u32, usize)> = None;
    for (p, members) in input.members.iter().enumerate() {
        for &c in members {
            let w = u64::from(unlimited.porting[c]);
            if let Some(team) = resources.team_of[c] {
                work[team] += w;
            }
            work[teams] += w;
        }
        let after = span - input.latest_gates[p];
        for (limit, (&w, &m)) in work.iter().zip(&people).enumerate() {
            if w == 0 || m == 0 {
                continue;
            }
            let days = i64::try_from(w.div_ceil(u64::from(m))).unwrap_or(i64::MAX / 4)
                + i64::from(input.tail)
                - 1
                + after;
            let days = u32::try_from(days.max(0)).unwrap_or(u32::MAX);
            if best.is_none_or(|(d, _)| days > d) {
                best = Some((days, limit));
            }
        }
    }
    best.map(|(days, limit)| {
        let name = team_names.get(limit).map_or("capacity", String::as_str);
        (days, name.to_owned())
    })
}

/// The largest people bound over the teams and the global capacity, for
/// `members` counted from day `origin`, with the limit behind it.
fn people_bound(
    unlimited: &Timeline,
    members: &[usize],
    origin: u32,
    resources: &Resources,
    team_names: &[String],
    tail: u32,
) -> Option<(u32, String)> {
    let teams = resources.team_size.len();
    let mut work: Vec<Vec<(u32, u32)>> = vec![Vec::new(); teams + 1];
    for &c in members {
        let item = (
            unlimited.port_start[c].saturating_sub(origin),
            unlimited.porting[c],
        );
        if let Some(team) = resources.team_of[c] {
            work[team].push(item);
        }
        work[teams].push(item);
    }
    let people = resources
        .team_size
        .iter()
        .copied()
        .chain([resources.capacity]);
    let names = team_names.iter().map(String::as_str).chain(["capacity"]);
    let mut best: Option<(u32, String)> = None;
    for ((items, people), name) in work.iter_mut().zip(people).zip(names) {
        let Some(days) = energy(items, people) else {
            continue;
        };
        let days = days.saturating_add(tail);
        if best.as_ref().is_none_or(|(d, _)| days > *d) {
            best = Some((days, name.to_owned()));
        }
    }
    best
}

/// `max over t of t + ceil(work that cannot start before t / people)`,
/// over items `(earliest start, work)`; `None` when there is no work.
fn energy(items: &mut [(u32, u32)], people: u32) -> Option<u32> {
    if people == 0 || items.iter().all(|(_, w)| *w == 0) {
        return None;
    }
    items.sort_unstable_by_key(|&(start, _)| Reverse(start));
    let mut work = 0u64;
    let mut best = 0u64;
    for &(start, w) in items.iter() {
        work += u64::from(w);
        best = best.max(u64::from(start) + work.div_ceil(u64::from(people)));
    }
    Some(u32::try_from(best).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::energy;

    #[test]
    fn energy_counts_work_that_must_wait() {
        // 10 days of work from day 0 and 10 that cannot start before day 8,
        // two people: the late work alone needs days 8..13.
        assert_eq!(energy(&mut [(0, 10), (8, 10)], 2), Some(13));
        assert_eq!(energy(&mut [(0, 10), (0, 10)], 2), Some(10));
        assert_eq!(energy(&mut [(3, 0)], 2), None);
    }
}

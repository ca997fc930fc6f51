//! Resource leveling: when each component is ported, soaked and cut over,
//! under the ordering rules and the people available.
//!
//! A parallel list scheduler over work-day numbers. A component's porting
//! becomes *ready* once every rule that bounds its start is known (its
//! dependencies are ported, or cut over; with `overlap: false` the previous
//! phase's gate has passed). Each day, ready components start in priority
//! order (longest remaining chain of work and soak first, then spec order)
//! while their owner team has a free person and the global capacity has
//! room. Soaks need nobody: a component's canary starts as soon as its own
//! shadow soak is over and every dependency has been cut over (it is at
//! `dagger`); its cutover (the end of the canary soak) comes after the
//! previous phase's gate.
//!
//! Every start records the rule that set it ([`Cause`]), so the critical path
//! can be followed back link by link, and the order in which values were
//! fixed, so slack can be computed backwards over the same links.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::DependencyGraph;
use crate::spec::PortingAfter;

/// The ordering rules and soak times the leveler applies.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    /// What porting waits for.
    pub porting_after: PortingAfter,
    /// Whether phases overlap.
    pub overlap: bool,
    /// Shadow soak, work days.
    pub shadow: u32,
    /// Canary soak, work days.
    pub canary: u32,
}

/// People: the global capacity and, per component, its team's size.
#[derive(Debug, Clone)]
pub(super) struct Resources {
    /// People porting at once, across teams.
    pub capacity: u32,
    /// Index into `team_size` of each component's owner team, if limited.
    pub team_of: Vec<Option<usize>>,
    /// People per limited team.
    pub team_size: Vec<u32>,
}

impl Resources {
    /// No limits at all: every component starts as soon as the rules allow.
    pub fn unlimited(components: usize) -> Self {
        Resources {
            capacity: u32::MAX,
            team_of: vec![None; components],
            team_size: Vec::new(),
        }
    }
}

/// Why something started on the day it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cause {
    /// Day 0.
    Origin,
    /// The component's own porting plus its shadow soak (canary only).
    Soak,
    /// A dependency: ported (porting under `ported`) or cut over.
    Dependency(usize),
    /// The gate of this (0-based) phase.
    PhaseGate(usize),
    /// A person of the same team became free when this component was ported.
    TeamBusy(usize),
    /// The global capacity freed up when this component was ported.
    Capacity(usize),
}

/// A value the leveler fixes, in the order it fixed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    /// A component's porting start.
    Port(usize),
    /// A component's canary start (and so its cutover).
    Canary(usize),
    /// A phase's gate day.
    Gate(usize),
}

/// The leveled schedule in work-day numbers.
#[derive(Debug, Clone)]
pub(super) struct Timeline {
    /// Porting days of each component, buffers included.
    pub porting: Vec<u32>,
    /// The rules applied.
    pub rules: Rules,
    /// First porting day.
    pub port_start: Vec<u32>,
    /// First canary day.
    pub canary_start: Vec<u32>,
    /// What set the porting start.
    pub port_cause: Vec<Cause>,
    /// What set the canary start.
    pub canary_cause: Vec<Cause>,
    /// The seat (0-based person slot) porting each component.
    pub seat: Vec<Option<u32>>,
    /// The next component ported on the same seat.
    pub next_on_seat: Vec<Option<usize>>,
    /// Components that waited for this one's porting to free a person.
    pub released: Vec<Vec<usize>>,
    /// Gate day of each phase (the day after its last cutover).
    pub gates: Vec<u32>,
    /// The member whose cutover set each gate.
    pub gate_cause: Vec<usize>,
    /// Values in the order they were fixed (a topological order of the links).
    pub order: Vec<Node>,
}

impl Timeline {
    /// The day after `c`'s cutover day.
    pub fn finish(&self, c: usize) -> u32 {
        self.canary_start[c] + self.rules.canary + 1
    }

    /// The cutover day, the last of `c`'s lifecycle.
    pub fn cutover(&self, c: usize) -> u32 {
        self.canary_start[c] + self.rules.canary
    }

    /// Work days from day 0 to the last gate, inclusive.
    pub fn span(&self) -> u32 {
        self.gates.last().map_or(0, |g| g + 1)
    }
}

/// The phase structure the leveler works within.
pub(super) struct Phasing<'a> {
    /// 1-based phase of each component.
    pub phase_of: &'a [u32],
    /// Members of each phase.
    pub members: &'a [Vec<usize>],
}

/// Levels the migration: see the module documentation. `None` when some
/// component could never start (a dependency cycle, which validation
/// rejects before planning).
pub(super) fn level(
    graph: &DependencyGraph,
    phasing: &Phasing<'_>,
    porting: Vec<u32>,
    rules: Rules,
    resources: &Resources,
) -> Option<Timeline> {
    let priority = priorities(graph, phasing, &porting, rules);
    let mut leveler = Leveler::new(graph, phasing, porting, rules, resources, priority);
    leveler.run();
    let t = leveler.timeline;
    let complete = t.order.len() == 2 * t.port_start.len() + t.gates.len();
    complete.then_some(t)
}

enum Event {
    Ported(usize),
    Finished(usize),
    Gate(usize),
}

struct Leveler<'a> {
    graph: &'a DependencyGraph,
    phasing: &'a Phasing<'a>,
    resources: &'a Resources,
    priority: Vec<u32>,
    timeline: Timeline,
    port_wait: Vec<u32>,
    earliest: Vec<u32>,
    canary_wait: Vec<u32>,
    gate_wait: Vec<usize>,
    gate_known: Vec<bool>,
    events: Vec<Event>,
    pending: BinaryHeap<Reverse<(u32, usize)>>,
    available: BinaryHeap<(u32, Reverse<usize>)>,
    blocked: Vec<Vec<usize>>,
    running: BinaryHeap<Reverse<(u32, usize)>>,
    free_team: Vec<u32>,
    free_global: u32,
    free_seats: BinaryHeap<Reverse<u32>>,
    seats_used: u32,
    last_on_seat: Vec<Option<usize>>,
    ended_day: u32,
    ended: Vec<usize>,
}

impl<'a> Leveler<'a> {
    fn new(
        graph: &'a DependencyGraph,
        phasing: &'a Phasing<'a>,
        porting: Vec<u32>,
        rules: Rules,
        resources: &'a Resources,
        priority: Vec<u32>,
    ) -> Self {
        let n = porting.len();
        let phases = phasing.members.len();
        let later_phase = |c: usize| u32::from(phasing.phase_of[c] > 1);
        let port_wait = (0..n)
            .map(|c| {
                graph.dependencies(c).len() as u32 + later_phase(c) * u32::from(!rules.overlap)
            })
            .collect();
        let canary_wait = (0..n)
            .map(|c| 1 + graph.dependencies(c).len() as u32 + later_phase(c))
            .collect();
        let timeline = Timeline {
            porting,
            rules,
            port_start: vec![0; n],
            canary_start: vec![0; n],
            port_cause: vec![Cause::Origin; n],
            canary_cause: vec![Cause::Soak; n],
            seat: vec![None; n],
            next_on_seat: vec![None; n],
            released: vec![Vec::new(); n],
            gates: vec![0; phases],
            gate_cause: vec![usize::MAX; phases],
            order: Vec::with_capacity(2 * n + phases),
        };
        Leveler {
            graph,
            phasing,
            resources,
            priority,
            timeline,
            port_wait,
            earliest: vec![0; n],
            canary_wait,
            gate_wait: phasing.members.iter().map(Vec::len).collect(),
            gate_known: vec![false; phases],
            events: Vec::new(),
            pending: BinaryHeap::new(),
            available: BinaryHeap::new(),
            blocked: vec![Vec::new(); resources.team_size.len()],
            running: BinaryHeap::new(),
            free_team: resources.team_size.clone(),
            free_global: resources.capacity,
            free_seats: BinaryHeap::new(),
            seats_used: 0,
            last_on_seat: Vec::new(),
            ended_day: 0,
            ended: Vec::new(),
        }
    }

    fn run(&mut self) {
        for c in 0..self.port_wait.len() {
            if self.port_wait[c] == 0 {
                self.pending.push(Reverse((0, c)));
            }
        }
        let mut now = 0;
        loop {
            self.release(now);
            self.start_ready(now);
            let next_end = self.running.peek().map(|Reverse((end, _))| *end);
            let next_ready = self.pending.peek().map(|Reverse((day, _))| *day);
            match next_end.into_iter().chain(next_ready).min() {
                Some(next) => now = next,
                None => break,
            }
        }
    }

    /// Frees the people whose porting ends by `now`.
    fn release(&mut self, now: u32) {
        while let Some(&Reverse((end, c))) = self.running.peek() {
            if end > now {
                break;
            }
            self.running.pop();
            self.free_global += 1;
            if let Some(team) = self.resources.team_of[c] {
                self.free_team[team] += 1;
                for waiting in self.blocked[team].drain(..) {
                    self.available
                        .push((self.priority[waiting], Reverse(waiting)));
                }
            }
            if let Some(seat) = self.timeline.seat[c] {
                self.free_seats.push(Reverse(seat));
            }
            if self.ended_day != end {
                self.ended_day = end;
                self.ended.clear();
            }
            self.ended.push(c);
        }
    }

    /// Starts every ready component that people are free for, in priority order.
    fn start_ready(&mut self, now: u32) {
        loop {
            let mut progressed = false;
            while let Some(&Reverse((day, c))) = self.pending.peek() {
                if day > now {
                    break;
                }
                self.pending.pop();
                if self.timeline.porting[c] == 0 {
                    self.start(c, now);
                    progressed = true;
                } else {
                    self.available.push((self.priority[c], Reverse(c)));
                }
            }
            while let Some((priority, Reverse(c))) = self.available.pop() {
                let team = self.resources.team_of[c];
                if team.is_some_and(|t| self.free_team[t] == 0) {
                    if let Some(team) = team {
                        self.blocked[team].push(c);
                    }
                    continue;
                }
                if self.free_global == 0 {
                    self.available.push((priority, Reverse(c)));
                    break;
                }
                self.start(c, now);
                progressed = true;
            }
            self.settle();
            let more = self
                .pending
                .peek()
                .is_some_and(|Reverse((day, _))| *day <= now);
            if !progressed && !more {
                break;
            }
        }
    }

    fn start(&mut self, c: usize, now: u32) {
        let t = &mut self.timeline;
        t.port_start[c] = now;
        if now > self.earliest[c] {
            let team = self.resources.team_of[c];
            let same_team = self
                .ended
                .iter()
                .copied()
                .find(|&b| team.is_some() && self.resources.team_of[b] == team);
            let blocker = match (self.ended_day == now, same_team) {
                (true, Some(b)) => Some(Cause::TeamBusy(b)),
                (true, None) => self.ended.first().map(|&b| Cause::Capacity(b)),
                (false, _) => None,
            };
            if let Some(cause @ (Cause::TeamBusy(b) | Cause::Capacity(b))) = blocker {
                t.port_cause[c] = cause;
                t.released[b].push(c);
            }
        }
        if t.porting[c] > 0 && self.resources.capacity != u32::MAX {
            let seat = match self.free_seats.pop() {
                Some(Reverse(seat)) => seat,
                None => {
                    self.seats_used += 1;
                    self.last_on_seat.push(None);
                    self.seats_used - 1
                }
            };
            t.seat[c] = Some(seat);
            if let Some(previous) = self.last_on_seat[seat as usize] {
                t.next_on_seat[previous] = Some(c);
            }
            self.last_on_seat[seat as usize] = Some(c);
        }
        if t.porting[c] > 0 {
            self.free_global -= 1;
            if let Some(team) = self.resources.team_of[c] {
                self.free_team[team] -= 1;
            }
            self.running.push(Reverse((now + t.porting[c], c)));
        }
        t.order.push(Node::Port(c));
        self.events.push(Event::Ported(c));
    }

    /// Propagates fixed values to whatever waits for them.
    fn settle(&mut self) {
        while let Some(event) = self.events.pop() {
            match event {
                Event::Ported(c) => self.ported(c),
                Event::Finished(c) => self.finished(c),
                Event::Gate(p) => self.gate_passed(p),
            }
        }
    }

    fn ported(&mut self, c: usize) {
        let end = self.timeline.port_start[c] + self.timeline.porting[c];
        if self.timeline.rules.porting_after == PortingAfter::Ported {
            for &e in self.graph.dependents(c) {
                self.raise_port(e, end, Cause::Dependency(c));
            }
        }
        self.raise_canary(c, end + self.timeline.rules.shadow, Cause::Soak);
    }

    fn finished(&mut self, c: usize) {
        let finish = self.timeline.finish(c);
        for &e in self.graph.dependents(c) {
            self.raise_canary(e, finish, Cause::Dependency(c));
            if self.timeline.rules.porting_after == PortingAfter::Cutover {
                self.raise_port(e, finish, Cause::Dependency(c));
            }
        }
        let p = self.phasing.phase_of[c] as usize - 1;
        let t = &mut self.timeline;
        if t.gate_cause[p] == usize::MAX || finish > t.gates[p] {
            t.gates[p] = finish;
            t.gate_cause[p] = c;
        }
        self.gate_wait[p] -= 1;
        if self.gate_wait[p] == 0 && !self.gate_known[p] {
            self.gate_known[p] = true;
            t.order.push(Node::Gate(p));
            self.events.push(Event::Gate(p));
        }
    }

    fn gate_passed(&mut self, p: usize) {
        let Some(next) = self.phasing.members.get(p + 1) else {
            return;
        };
        let day = self.timeline.gates[p] + 1;
        // The cutover day (canary start + canary soak) follows the gate.
        let canary = day.saturating_sub(self.timeline.rules.canary);
        for &m in next {
            self.raise_canary(m, canary, Cause::PhaseGate(p));
            if !self.timeline.rules.overlap {
                self.raise_port(m, day, Cause::PhaseGate(p));
            }
        }
    }

    fn raise_port(&mut self, c: usize, day: u32, cause: Cause) {
        if day > self.earliest[c] {
            self.earliest[c] = day;
            self.timeline.port_cause[c] = cause;
        }
        self.port_wait[c] -= 1;
        if self.port_wait[c] == 0 {
            self.pending.push(Reverse((self.earliest[c], c)));
        }
    }

    fn raise_canary(&mut self, c: usize, day: u32, cause: Cause) {
        let t = &mut self.timeline;
        if day > t.canary_start[c] {
            t.canary_start[c] = day;
            t.canary_cause[c] = cause;
        }
        self.canary_wait[c] -= 1;
        if self.canary_wait[c] == 0 {
            t.order.push(Node::Canary(c));
            self.events.push(Event::Finished(c));
        }
    }
}

/// Work days from each component's porting start to the end of the plan
/// along the longest chain of rules, ignoring people: the leveler's priority.
fn priorities(
    graph: &DependencyGraph,
    phasing: &Phasing<'_>,
    porting: &[u32],
    rules: Rules,
) -> Vec<u32> {
    let n = porting.len();
    let order = graph.topological_order().unwrap_or_default();
    let mut by_phase: Vec<Vec<usize>> = vec![Vec::new(); phasing.members.len()];
    for &c in &order {
        by_phase[phasing.phase_of[c] as usize - 1].push(c);
    }
    let mut canary_tail = vec![0u32; n];
    let mut port_tail = vec![0u32; n];
    let mut gate_tail = 1u32;
    let cutover = rules.canary + 1;
    for members in by_phase.iter().rev() {
        for &c in members.iter().rev() {
            let mut after = gate_tail;
            let mut port_after = 0;
            for &e in graph.dependents(c) {
                after = after.max(canary_tail[e]);
                match rules.porting_after {
                    PortingAfter::Cutover => after = after.max(port_tail[e]),
                    PortingAfter::Ported => port_after = port_after.max(port_tail[e]),
                }
            }
            canary_tail[c] = cutover + after;
            port_tail[c] = porting[c] + port_after.max(rules.shadow + canary_tail[c]);
        }
        gate_tail = 1 + members
            .iter()
            .map(|&m| {
                let cutover = canary_tail[m].saturating_sub(rules.canary);
                if rules.overlap {
                    cutover
                } else {
                    cutover.max(port_tail[m])
                }
            })
            .max()
            .unwrap_or(0);
    }
    port_tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a` ← `b` (b depends on a), 2 porting days each, one phase.
    fn chain(porting_after: PortingAfter, resources: &Resources) -> Timeline {
        let graph = DependencyGraph::new(vec![vec![], vec![0]]);
        let phase_of = [1, 1];
        let members = [vec![0, 1]];
        let phasing = Phasing {
            phase_of: &phase_of,
            members: &members,
        };
        let rules = Rules {
            porting_after,
            overlap: true,
            shadow: 1,
            canary: 1,
        };
        level(&graph, &phasing, vec![2, 2], rules, resources).expect("schedulable")
    }

    #[test]
    fn ported_rule_overlaps_porting_and_waits_in_shadow() {
        let t = chain(PortingAfter::Ported, &Resources::unlimited(2));
        // a: ported days 0-1, shadow day 2, canary day 3, cut over day 4.
        assert_eq!(
            (t.port_start[0], t.canary_start[0], t.cutover(0)),
            (0, 3, 4)
        );
        // b: ported days 2-3 once a is ported; its shadow soak would end on
        // day 5, and a is at dagger from day 5: canary on day 5.
        assert_eq!(
            (t.port_start[1], t.canary_start[1], t.cutover(1)),
            (2, 5, 6)
        );
        assert_eq!(t.port_cause[1], Cause::Dependency(0));
        assert_eq!(t.gates, vec![7]);
        assert_eq!(t.span(), 8);
    }

    #[test]
    fn cutover_rule_ports_after_the_dependency_is_cut_over() {
        let t = chain(PortingAfter::Cutover, &Resources::unlimited(2));
        assert_eq!(t.port_start[1], 5);
        assert_eq!(t.canary_start[1], 8);
        assert_eq!(t.canary_cause[1], Cause::Soak);
        assert_eq!(t.span(), 11);
    }

    #[test]
    fn a_busy_team_delays_independent_work_and_says_so() {
        let graph = DependencyGraph::new(vec![vec![], vec![]]);
        let phase_of = [1, 1];
        let members = [vec![0, 1]];
        let phasing = Phasing {
            phase_of: &phase_of,
            members: &members,
        };
        let rules = Rules {
            porting_after: PortingAfter::Ported,
            overlap: true,
            shadow: 0,
            canary: 0,
        };
        let one_person = Resources {
            capacity: 5,
            team_of: vec![Some(0), Some(0)],
            team_size: vec![1],
        };
        let t = level(&graph, &phasing, vec![3, 2], rules, &one_person).expect("schedulable");
        // The longer chain goes first; the other waits for the team's person.
        assert_eq!((t.port_start[0], t.port_start[1]), (0, 3));
        assert_eq!(t.port_cause[1], Cause::TeamBusy(0));
        assert_eq!(t.released[0], vec![1]);
        assert_eq!(t.seat[0], t.seat[1]);
    }
}

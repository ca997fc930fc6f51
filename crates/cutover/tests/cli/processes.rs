//! Nothing a side started is left running: not after SIGTERM or SIGINT to
//! cutover (in every mode), not after a timeout, not after the side's main
//! process exits. Survivors are counted twice: by a marker in their command
//! line (a unique `sleep` duration) and by the process groups the sides'
//! processes were in. Grandchildren that ignore SIGTERM, run in the
//! background, or escape with `setsid` are all part of the tree.

use std::collections::BTreeSet;
use std::process::{Child, Command as Process};
use std::time::{Duration, Instant};

use crate::util::Test;

/// A live (non-zombie) process: pid, process group, command line.
struct LiveProcess {
    pid: i32,
    group: i32,
    command: String,
}

fn processes() -> Vec<LiveProcess> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if fields
            .first()
            .is_some_and(|state| *state == "Z" || *state == "X")
        {
            continue;
        }
        let command = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .unwrap_or_default();
        found.push(LiveProcess {
            pid,
            group: fields.get(2).and_then(|g| g.parse().ok()).unwrap_or(0),
            command,
        });
    }
    found
}

/// Processes whose command line holds one of the markers.
fn marked(markers: &[String]) -> Vec<LiveProcess> {
    processes()
        .into_iter()
        .filter(|p| markers.iter().any(|m| p.command.contains(m.as_str())))
        .collect()
}

fn in_groups(groups: &BTreeSet<i32>) -> Vec<i32> {
    let me = std::process::id() as i32;
    processes()
        .into_iter()
        .filter(|p| groups.contains(&p.group) && p.pid != me)
        .map(|p| p.pid)
        .collect()
}

/// Unique markers for this test: `sleep` durations nobody else uses.
fn markers(base: u32, count: u32) -> Vec<String> {
    let seed = std::process::id() % 1000;
    (0..count)
        .map(|i| format!("sleep {}", base * 100_000 + seed * 10 + i))
        .collect()
}

/// A side that starts one process of every kind that used to escape:
/// ignoring SIGTERM, in the background, in its own session; then blocks.
fn stubborn(markers: &[String]) -> String {
    format!(
        "\"(trap '' TERM; exec {}) & {} & setsid {} & {}\"",
        markers[0], markers[1], markers[2], markers[3]
    )
}

fn spec(extra: &str, legacy: &str, dagger: &str) -> String {
    format!(
        "version: 1
migration:
  name: processes
  start: 2027-01-04
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy:
      run: {legacy}
    dagger:
      run: {dagger}
{extra}"
    )
}

fn spawn(test: &Test, args: &[&str]) -> Child {
    Process::new(assert_cmd::cargo::cargo_bin("cutover"))
        .current_dir(test.path())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn cutover")
}

#[track_caller]
fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[track_caller]
fn assert_none_survive(markers: &[String], groups: &BTreeSet<i32>) {
    // Killed processes vanish asynchronously; give them a moment.
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline && !(marked(markers).is_empty() && in_groups(groups).is_empty())
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survivors: Vec<String> = marked(markers).iter().map(|p| p.command.clone()).collect();
    assert!(survivors.is_empty(), "survived by marker: {survivors:?}");
    let by_group = in_groups(groups);
    assert!(
        by_group.is_empty(),
        "survived by process group: {by_group:?}"
    );
    for pid in marked(markers).iter().map(|p| p.pid) {
        let _ = Process::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

fn signal_cancels_every_side(mode: &[&str], signal: &str, base: u32) {
    let legacy_markers = markers(base, 4);
    let dagger_markers = markers(base + 1, 4);
    let all: Vec<String> = legacy_markers
        .iter()
        .chain(&dagger_markers)
        .cloned()
        .collect();
    let test = Test::new().spec(&spec(
        "",
        &stubborn(&legacy_markers),
        &stubborn(&dagger_markers),
    ));
    if !mode.is_empty() {
        Test::at(test.path()).args(mode).run().code(0);
    }
    let started_sides = if mode.is_empty() || mode.contains(&"dagger") {
        1
    } else {
        2
    };
    let mut cutover = spawn(&test, &["run", "job", "--key", "k"]);
    wait_for("the sides to start", || {
        let running = marked(&all);
        running.len() >= 4 * started_sides
    });
    let groups: BTreeSet<i32> = marked(&all).iter().map(|p| p.group).collect();
    let started = Instant::now();
    Process::new("kill")
        .args([signal, &cutover.id().to_string()])
        .status()
        .expect("kill");
    let status = cutover.wait().expect("wait cutover");
    assert!(!status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_none_survive(&all, &groups);
}

#[test]
fn sigterm_stops_the_legacy_side_tree() {
    signal_cancels_every_side(&[], "-TERM", 611);
}

#[test]
fn sigterm_stops_both_sides_in_shadow() {
    signal_cancels_every_side(&["advance", "job", "--to", "shadow"], "-TERM", 613);
}

#[test]
fn sigint_stops_both_sides_in_canary() {
    signal_cancels_every_side(
        &[
            "advance",
            "job",
            "--to",
            "canary",
            "--percent",
            "50",
            "--force",
            "--reason",
            "test",
        ],
        "-INT",
        615,
    );
}

#[test]
fn sigterm_stops_the_dagger_side_tree() {
    signal_cancels_every_side(
        &[
            "advance", "job", "--to", "dagger", "--force", "--reason", "test",
        ],
        "-TERM",
        617,
    );
}

#[test]
fn a_timed_out_side_leaves_no_grandchild() {
    let dagger_markers = markers(621, 4);
    let test = Test::new().spec(&spec(
        "    timeout: 1s\n",
        "echo ok",
        &stubborn(&dagger_markers),
    ));
    Test::at(test.path())
        .args(&["advance", "job"])
        .run()
        .code(0);
    let mut cutover = spawn(&test, &["run", "job"]);
    wait_for("the shadow side to start", || {
        marked(&dagger_markers).len() >= 4
    });
    let groups: BTreeSet<i32> = marked(&dagger_markers).iter().map(|p| p.group).collect();
    let status = cutover.wait().expect("wait cutover");
    assert_eq!(status.code(), Some(0), "the authoritative side's exit code");
    assert_none_survive(&dagger_markers, &groups);
}

#[test]
fn what_a_finished_side_left_running_is_stopped_at_once() {
    let marker = markers(631, 1);
    let test = Test::new().spec(&spec("", &format!("\"{} & echo done\"", marker[0]), "true"));
    let started = Instant::now();
    Test::at(test.path())
        .args(&["run", "job"])
        .run()
        .code(0)
        .stdout_has("done");
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "a background child held the run for {:?}",
        started.elapsed()
    );
    assert_none_survive(&marker, &BTreeSet::new());
}

#[test]
fn rechecks_share_one_time_limit() {
    let test = Test::new().spec(&spec(
        "    timeout: 2s\n    recheck: 3\n",
        "echo ok",
        "sleep 30",
    ));
    Test::at(test.path())
        .args(&["advance", "job"])
        .run()
        .code(0);
    let started = Instant::now();
    Test::at(test.path())
        .args(&["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: mismatch");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a 2 s limit held the job {:?}",
        started.elapsed()
    );
}

/// Spawns `sleep` so that it gets exactly `pid` (the kernel's `ns_last_pid`,
/// as root), the way a busy machine reuses a dead run's pid sooner or later.
fn spawn_with_pid(pid: u32) -> Child {
    for _ in 0..50 {
        std::fs::write("/proc/sys/kernel/ns_last_pid", (pid - 1).to_string())
            .expect("this test reuses a pid through /proc/sys/kernel/ns_last_pid and needs root");
        let child = Process::new("sleep").arg("30").spawn().expect("sleep");
        if child.id() == pid {
            return child;
        }
        let mut other = child;
        let _ = other.kill();
        let _ = other.wait();
    }
    panic!("could not get pid {pid} reused");
}

#[test]
fn a_dead_run_whose_pid_is_reused_is_still_incomplete() {
    let marker = markers(641, 1);
    let test = Test::new().spec(&spec("", &marker[0], "true"));
    let mut cutover = spawn(&test, &["run", "job"]);
    let status = |test: &Test| -> serde_json::Value {
        let outcome = Test::at(test.path())
            .args(&["status", "--format", "json"])
            .run();
        serde_json::from_str(&outcome.stdout).expect("status JSON")
    };
    wait_for("the run to be recorded", || {
        status(&test)["components"][0]["runs"]["total"] == 1
    });
    let pid = cutover.id();
    cutover.kill().expect("SIGKILL");
    cutover.wait().expect("reap");
    assert_eq!(status(&test)["components"][0]["runs"]["incomplete"], 1);
    let mut impostor = spawn_with_pid(pid);
    let runs = status(&test)["components"][0]["runs"].clone();
    let listing = Test::at(test.path()).args(&["runs", "job"]).run();
    let _ = impostor.kill();
    let _ = impostor.wait();
    assert_eq!(runs["incomplete"], 1, "a reused pid is not the run: {runs}");
    assert!(!listing.stdout.contains("running"), "{}", listing.stdout);
    // The killed run's side is an orphan now (SIGKILL left no one to stop it).
    for orphan in marked(&marker) {
        let _ = Process::new("kill")
            .args(["-KILL", &orphan.pid.to_string()])
            .status();
    }
}

//! The HTML plan and every HTML document `cutover docs` writes, checked the
//! way a person sees them: rendered by headless Chromium (Debian's
//! `chromium`, installed by `scripts/test.sh`) at 1400 px. No page may
//! scroll sideways, no label of a chart may leave its drawing, and no date
//! may wrap. A screenshot of each is kept under `target/test-artifacts/`
//! (`plan.png`, `docs-<document>.png`) for a person to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Test, example_dir};

/// Measures the page after layout and writes the result into the DOM.
const PROBE: &str = r#"<script>
(() => {
  const root = document.documentElement;
  const clipped = [];
  let chart_width = 0;
  for (const svg of document.querySelectorAll('.chart svg')) {
    const box = svg.getBoundingClientRect();
    chart_width = Math.max(chart_width, box.width);
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        clipped.push(t.textContent);
      }
    }
  }
  const charts = document.querySelectorAll('.chart svg').length;
  // A date on two lines has two line boxes.
  const wrapped = [...document.querySelectorAll('td.date, span.date')].filter(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return range.getClientRects().length > 1;
  }).map(td => td.textContent);
  document.body.setAttribute('data-probe', JSON.stringify({
    scroll_width: root.scrollWidth, client_width: root.clientWidth, chart_width, charts, clipped, wrapped
  }));
})();
</script>
"#;

fn chromium() -> PathBuf {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    });
    found.expect("chromium not found: scripts/test.sh installs Debian's `chromium`")
}

/// Runs headless Chromium at 1400 px wide with `args` on `page`; its stdout.
fn headless(page: &Path, profile: &Path, height: u32, args: &[&str]) -> String {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--window-size=1400,{height}"),
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // Read the DOM while Chromium writes it: a page larger than the pipe's
    // buffer (64 KiB) would otherwise block Chromium until the deadline.
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = reader.join().expect("stdout reader");
    String::from_utf8_lossy(&text).into_owned()
}

pub(super) fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

#[test]
fn the_html_plan_fits_1400_px_with_every_chart_label_inside() {
    let spec = example_dir().join("migration.yaml");
    let test = Test::new();
    let page = test.path().join("plan.html");
    Test::at(test.path())
        .args(&[
            "plan",
            "--out",
            "plan.html",
            spec.to_str().expect("utf-8 path"),
        ])
        .run()
        .code(0);
    let probe = fits_1400_px(&page, &test.path().join("profile"), "plan.png");
    assert_eq!(probe["charts"], 1, "{probe}");
}

/// Renders `page` with the probe, asserts it fits 1400 px with every chart
/// label inside its drawing and no date wrapped, and keeps a screenshot
/// as `target/test-artifacts/<screenshot>`; the probe's findings.
#[track_caller]
fn fits_1400_px(page: &Path, profile: &Path, screenshot: &str) -> serde_json::Value {
    let html = std::fs::read_to_string(page).expect("page");
    let probed = page.with_extension("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{PROBE}</body>"))).expect("write");
    let dom = headless(&probed, profile, 1000, &["--dump-dom"]);
    let _ = std::fs::remove_file(&probed);
    let start = dom.find("data-probe=\"").expect("probe result in the DOM") + "data-probe=\"".len();
    let end = start + dom[start..].find('"').expect("end of attribute");
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let probe: serde_json::Value = serde_json::from_str(&json).expect("probe JSON");
    let name = page.display();
    assert!(
        probe["scroll_width"].as_f64() <= probe["client_width"].as_f64()
            && probe["client_width"].as_f64() > Some(1000.0),
        "{name} scrolls sideways at 1400 px: {probe}"
    );
    assert_eq!(probe["clipped"], serde_json::json!([]), "{name}: {probe}");
    assert_eq!(probe["wrapped"], serde_json::json!([]), "{name}: {probe}");
    let screenshot = artifacts().join(screenshot);
    let _ = std::fs::remove_file(&screenshot);
    headless(
        page,
        profile,
        2400,
        &[&format!("--screenshot={}", screenshot.display())],
    );
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    probe
}

#[test]
fn every_document_has_an_html_page_that_fits_1400_px() {
    // The example with evidence: runs, a benchmark and a drill, so the
    // documents carry live verdicts, the benchmark table and its plot.
    let test = Test::new();
    let copy = |from: &Path, to: &Path| {
        let status = Command::new("cp")
            .arg("-r")
            .arg(format!("{}/.", from.display()))
            .arg(to)
            .status()
            .expect("cp");
        assert!(status.success());
    };
    copy(&example_dir(), test.path());
    let at = |args: &[&str]| Test::at(test.path()).args(args).run();
    at(&["advance", "dagger-engine", "--to", "shadow"]).code(0);
    for _ in 0..3 {
        at(&["run", "dagger-engine"]).code(0);
    }
    at(&["bench", "dagger-engine", "--runs", "5"]).code(0);
    at(&["rollback", "dagger-engine", "--drill"]).code(0);
    at(&["docs", "--out", "docs"]).code(0);
    let docs = test.path().join("docs");
    let mut names: Vec<String> = std::fs::read_dir(&docs)
        .expect("docs")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let markdown: Vec<&String> = names.iter().filter(|n| n.ends_with(".md")).collect();
    assert!(markdown.len() >= 5, "{names:?}");
    let profile = test.path().join("profile");
    for name in markdown {
        let stem = name.trim_end_matches(".md");
        let page = docs.join(format!("{stem}.html"));
        assert!(page.exists(), "{name} has no HTML page: {names:?}");
        let probe = fits_1400_px(&page, &profile, &format!("docs-{stem}.png"));
        let html = std::fs::read_to_string(&page).expect("page");
        assert!(
            html.contains("<style>") && !html.contains("<link"),
            "{stem}: not self-contained"
        );
        if stem != "capability-mapping" {
            assert!(html.contains("Executive summary"), "{stem}: no summary");
        }
        let charts = match stem {
            "phased-plan" | "success-criteria" => 1,
            _ => 0,
        };
        assert_eq!(probe["charts"], charts, "{stem}: {probe}");
    }
    let criteria = std::fs::read_to_string(docs.join("success-criteria.html")).expect("page");
    assert!(
        criteria.contains("aria-label=\"Benchmark ratios"),
        "the benchmark plot is inline"
    );
}

#[test]
fn the_chart_has_an_axis_phase_headers_retirement_and_a_full_legend() {
    let spec = example_dir().join("migration.yaml");
    let outcome = Test::new()
        .args(&[
            "plan",
            "--format",
            "html",
            spec.to_str().expect("utf-8 path"),
        ])
        .run();
    outcome.code(0);
    let html = &outcome.stdout;
    for needle in [
        "Jan 2027",
        "gate 20",
        "retire 20",
        "critical path (zero slack): bold name, outlined bars",
        "legacy retired",
        "phase gate",
        ">today<",
        "In the chart's order",
        "viewBox=\"0 0 1206",
    ] {
        assert!(html.contains(needle), "the HTML plan lacks {needle:?}");
    }
    // The component table follows the chart's order: by phase, then start.
    let json = Test::new()
        .args(&[
            "plan",
            "--format",
            "json",
            spec.to_str().expect("utf-8 path"),
        ])
        .run();
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let mut expected: Vec<(u64, String, String)> = plan["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            (
                c["phase"].as_u64().unwrap_or(0),
                c["start"].as_str().unwrap_or("").to_owned(),
                c["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    expected.sort();
    let table = &html[html.find("<h2>Components</h2>").expect("table")..];
    let table = &table[..table.find("</table>").expect("end of table")];
    let positions: Vec<usize> = expected
        .iter()
        .map(|(_, _, id)| {
            table
                .find(&format!("<tr><td>{id}</td>"))
                .or_else(|| table.find(&format!("\">{id} (zero slack)</td>")))
                .expect("row")
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{expected:?}");
}

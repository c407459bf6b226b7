//! The daemon's dashboard as a person sees it: `tdev daemon` runs real cycles on a small
//! repository (until its hourly budget holds it back) over a data directory that already
//! holds synthetic history, and headless Chromium loads the page from its HTTP server. The
//! page must finish loading without an error of its own or an uncaught exception, draw its
//! charts with one point per cycle and per scored attempt the API reports, list the recent
//! cycles with the gate's reasons, the branches, the schedules and budgets, and the top
//! recommendations. A screenshot is kept in `$CARGO_TARGET_DIR/tdev-artefacts/dashboard.png`.
//!
//! Chromium is Debian's `chromium` (`scripts/test-env` installs it), or the binary
//! `TDEV_CHROMIUM` names. Nothing waits a fixed time: the daemon is polled until a condition
//! holds, and Chromium's virtual time runs the page until its requests are answered.

#[path = "support/process.rs"]
mod process;
#[path = "support/synthetic.rs"]
mod synthetic;

use process::{Daemon, get, ok, repository, serving, wait_for};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Synthetic cycles recorded before the daemon starts: enough attempts to score estimates.
const HISTORY: u64 = 30;

/// A data directory with [`HISTORY`] synthetic cycles whose daemon schedules `repo` every two
/// seconds with tool fixers, at most two cycles an hour, and serves HTTP on a free port.
fn configure(home: &Path, repo: &Path) -> PathBuf {
    ok(home, &["init"]);
    let records: Vec<_> = (0..HISTORY).map(|i| synthetic::record(11, i)).collect();
    std::fs::write(
        home.join("cycles.json"),
        serde_json::to_string(&records).unwrap(),
    )
    .unwrap();
    ok(home, &["kg", "record", "cycles.json"]);
    let data = home.join(".tdev");
    let config = format!(
        "[daemon]\ncycles_per_hour = 2\n\n[[daemon.repositories]]\npath = \"{}\"\n\
         schedule = \"*/2 * * * * *\"\nbackend = \"tools\"\nmax_tasks = 1\n\n\
         [http]\nlisten = \"127.0.0.1:0\"\n",
        repo.display()
    );
    std::fs::write(data.join("tdev.toml"), config).unwrap();
    data
}

/// A JSON endpoint's answer, which must be 200.
fn json(address: &str, path: &str) -> Value {
    let (code, body) = get(address, path, None);
    assert_eq!(code, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {body}"))
}

/// The Chromium the test drives: `TDEV_CHROMIUM`, else `chromium` on the PATH.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("TDEV_CHROMIUM") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "TDEV_CHROMIUM names {}, which is not a file: name a Chromium binary, or unset it \
             to use `chromium` on the PATH",
            path.display()
        );
        return path;
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("chromium"))
            .find(|c| c.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed: the dashboard is tested in headless Chromium. Run \
             scripts/test-env as root (it installs Debian's chromium), or `sudo apt-get install \
             chromium`, or set TDEV_CHROMIUM to a Chromium binary"
        )
    })
}

/// Headless Chromium on `url` with `args` (`--dump-dom`, `--screenshot=…`), its profile in
/// `home`; the page runs until its requests are answered and 5 s of its own time pass.
fn headless(home: &Path, url: &str, args: &[String]) -> Output {
    let output = Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
            "--virtual-time-budget=5000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            home.join("chromium").display()
        ))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .expect("starting chromium");
    assert!(
        output.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Where the screenshot is kept: `tdev-artefacts/` in the target directory.
fn artefacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap()
                .to_path_buf()
        });
    let dir = target.join("tdev-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The markup of the element that opens with `open` (up to its `close` tag), or a failure
/// naming what is missing.
fn element<'a>(dom: &'a str, open: &str, close: &str) -> &'a str {
    let start = dom
        .find(open)
        .unwrap_or_else(|| panic!("the page has no {open}:\n{dom}"));
    let end = dom[start..].find(close).map_or(dom.len(), |e| start + e);
    &dom[start..end]
}

/// Text as the dumped DOM spells it inside an element.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
}

#[test]
fn the_dashboard_shows_a_real_run_in_headless_chromium() {
    // Without Chromium the test cannot run: say so before starting anything.
    chromium();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let repo = repository(home);
    let data = configure(home, &repo);
    let log = home.join("daemon.log");
    let _daemon = Daemon::start(home, &data, &log);

    // The daemon runs two real cycles, then its hourly budget holds the repository back; its
    // HTTP server says so once it has refreshed the status (every few seconds).
    let mut address = None;
    let mut status = Value::Null;
    let settled = wait_for(|| {
        address = address.take().or_else(|| serving(&log));
        let Some(address) = &address else {
            return false;
        };
        let (code, body) = get(address, "/api/status", None);
        status = serde_json::from_str(&body).unwrap_or(Value::Null);
        code == 200
            && status["budgets"]["cycles_last_hour"] == 2
            && status["repositories"][0]["held"]["by"] == "cycles-per-hour"
            && status["repositories"][0]["running"].is_null()
    });
    assert!(
        settled,
        "the daemon never ran its two cycles: {status}\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let address = address.unwrap();

    // What the API says, to compare the page with.
    let cycles = json(&address, "/api/cycles");
    let cycles = cycles.as_array().unwrap();
    assert_eq!(cycles.len() as u64, HISTORY + 2, "{cycles:?}");
    let attempted = cycles.iter().filter(|c| text(c, "attempts") != "0").count();
    let learning = json(&address, "/api/learning");
    assert_eq!(
        learning["pass_rate"]["points"].as_array().unwrap().len(),
        attempted,
        "{learning}"
    );
    let scored = learning["errors"]["scored"]
        .as_u64()
        .unwrap_or_else(|| panic!("the history is scored: {learning}"));
    let branches = json(&address, "/api/branches");
    let branches = branches.as_array().unwrap();
    let waiting = branches
        .iter()
        .filter(|b| matches!(b["fate"].as_str(), None | Some("open" | "stale")))
        .count();

    // The page, as Chromium renders it.
    let url = format!("http://{address}/");
    let rendered = headless(home, &url, &["--dump-dom".to_owned()]);
    let dom = String::from_utf8(rendered.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    let screenshot = artefacts().join("dashboard.png");
    let _ = std::fs::remove_file(&screenshot);
    headless(
        home,
        &url,
        &[format!("--screenshot={}", screenshot.display())],
    );
    println!("the dashboard's screenshot: {}", screenshot.display());
    let png = std::fs::read(&screenshot).expect("chromium wrote the screenshot");
    assert!(
        png.len() > 1000 && png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG of a page ({} bytes)",
        screenshot.display(),
        png.len()
    );

    // It finished loading, with no error of its own and no uncaught exception.
    assert!(
        dom.contains("<body data-state=\"ready\">"),
        "the page did not finish loading:\n{dom}"
    );
    assert!(
        dom.contains("<pre id=\"page-errors\"></pre>"),
        "the page reported errors: {}",
        element(&dom, "<pre id=\"page-errors\"", "</pre>")
    );
    let uncaught: Vec<&str> = stderr.lines().filter(|l| l.contains("Uncaught")).collect();
    assert!(uncaught.is_empty(), "{uncaught:#?}");
    let failed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Failed to load resource"))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");

    // The learning curve: one point per cycle that made attempts; the errors: one point per
    // scored attempt for each estimator.
    let curve = element(&dom, "<svg id=\"pass-rate-chart\"", "</svg>");
    assert_eq!(curve.matches("<circle class=\"cycle\"").count(), attempted);
    assert_eq!(curve.matches("<polyline class=\"rolling\"").count(), 1);
    let errors = element(&dom, "<svg id=\"errors-chart\"", "</svg>");
    for estimator in ["learned", "heuristic"] {
        let points = errors
            .matches(&format!("<circle class=\"{estimator}\""))
            .count();
        assert_eq!(points as u64, scored, "{estimator}");
    }

    // The recent cycles, newest first, each with the gate's reasons for its attempts.
    let table = element(&dom, "<table id=\"recent-cycles\"", "</table>");
    let limit: usize = element(table, "data-limit=\"", ">")["data-limit=\"".len()..]
        .trim_end_matches('"')
        .parse()
        .unwrap();
    let shown: Vec<&str> = table
        .split("<tr data-cycle=\"")
        .skip(1)
        .map(|row| row.split('"').next().unwrap())
        .collect();
    let newest: Vec<&str> = cycles.iter().take(limit).map(|c| text(c, "id")).collect();
    assert_eq!(shown, newest);
    let mut reasons_seen = 0;
    for id in &shown {
        let row = element(table, &format!("<tr data-cycle=\"{id}\""), "</tr>");
        let detail = json(&address, &format!("/api/cycles/{id}"));
        for attempt in detail["attempts"].as_array().unwrap() {
            if let Some(reasons) = attempt["reasons"].as_str().filter(|r| !r.is_empty()) {
                assert!(row.contains(&escaped(reasons)), "{reasons:?} in {row}");
                reasons_seen += 1;
            }
        }
    }
    assert!(
        reasons_seen > 0,
        "no recent cycle has a gate reason to show"
    );

    // The branches: those waiting for review and the others.
    let count = |id: &str| {
        let open = format!("<table id=\"{id}\"");
        if dom.contains(&open) {
            element(&dom, &open, "</table>")
                .matches("<tr data-branch=")
                .count()
        } else {
            0
        }
    };
    assert!(!branches.is_empty(), "the history proposed branches");
    assert_eq!(count("waiting-branches"), waiting);
    assert_eq!(count("earlier-branches"), branches.len() - waiting);

    // The daemon's schedules and budgets.
    let repository = &status["repositories"][0];
    let schedules = element(&dom, "<table id=\"schedules\"", "</table>");
    let row = element(
        schedules,
        &format!("<tr data-repository=\"{}\"", text(repository, "name")),
        "</tr>",
    );
    assert!(row.contains(text(repository, "schedule")), "{row}");
    assert!(row.contains("cycles-per-hour"), "{row}");
    let budgets = element(&dom, "<dl class=\"budgets\" id=\"budgets\"", "</dl>");
    assert!(budgets.contains("2 of 2"), "{budgets}");

    // The top recommendations for the scheduled repository.
    let recommendations = element(&dom, "<ol id=\"recommendation-list\"", "</ol>");
    assert!(recommendations.contains("<li>"), "{recommendations}");
}

//! The HTML report in a real browser: headless Chromium loads the page from
//! a file (no network), runs its script under the page's CSP, and we read
//! the DOM back: the matrix has a cell per sheet × column, the script ran
//! (it fills the row counter and marks the page ready), and the hostile
//! vendor text did not run (it would set the title to "pwned").
//!
//! `#[ignore]`d when no Chromium was on PATH at build time (build.rs), so
//! the count says they did not run; `.ci/run` installs Chromium and runs
//! ignored tests too. Set KAIJI_HTML_OUT=DIR to keep the page and a
//! screenshot for a look.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use kaiji::report::Format;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn browser() -> PathBuf {
    chromium().expect("chromium on PATH (apt-get install chromium; .ci/run installs it)")
}

/// Run headless Chromium on `page` with extra `args`; returns stdout.
fn run(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> String {
    let url = format!("file://{}", page.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--lang=ja",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("KAIJI_HTML_OUT") {
        Some(d) => PathBuf::from(d),
        None => tmp.path().to_path_buf(),
    };
    std::fs::create_dir_all(&dir).unwrap();
    (tmp, dir)
}

fn check_page(name: &str, html: Vec<u8>, rows: usize, columns: usize) {
    let browser = browser();
    let (tmp, dir) = out_dir();
    let page = dir.join(format!("{name}.html"));
    std::fs::write(&page, html).unwrap();
    let profile = tmp.path().join("profile");

    let dom = run(&browser, &profile, &page, &["--dump-dom", "--virtual-time-budget=2000"]);
    let cells = dom.matches("<td class=\"cell ").count();
    assert_eq!(cells, rows * columns, "matrix cells in the DOM");
    assert!(dom.contains("data-ready=\"1\""), "the page's script ran (its CSP hash matches)");
    assert!(dom.contains(&format!("<output id=\"shown\">{rows}</output>")), "the script counted the rows");
    assert!(!dom.contains("<title>pwned"), "vendor text ran as script");
    assert!(!dom.contains("<img"), "vendor text became an element");

    let shot = dir.join(format!("{name}.png"));
    run(
        &browser,
        &profile,
        &page,
        &[&format!("--screenshot={}", shot.display()), "--window-size=1400,1800", "--virtual-time-budget=2000"],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "a real screenshot");
}

#[test]
#[cfg_attr(not(kaiji_chromium), ignore = "needs chromium on PATH (apt-get install chromium)")]
fn demo_matrix_renders_and_stays_inert() {
    // 3 sheets × (5 policies + lint).
    check_page("demo", demo_output(Format::Html), 3, 6);
}

#[test]
#[cfg_attr(not(kaiji_chromium), ignore = "needs chromium on PATH (apt-get install chromium)")]
fn lint_matrix_of_the_examples_renders() {
    // 3 example sheets × the lint column.
    check_page("lint", lint_examples(Format::Html), 3, 1);
}

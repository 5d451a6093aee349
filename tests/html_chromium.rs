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

/// The committee's print: `-f html` printed by Chromium to a PDF (A3
/// landscape from the page's stylesheet), read back with pdftotext. Every
/// vendor is in it, every failing policy id, the matrix's header row on
/// each page it spans, and the findings of failed cells printed below it
/// though no drill-down was opened.
#[test]
#[cfg_attr(not(all(kaiji_chromium, kaiji_pdftotext)), ignore = "needs chromium and pdftotext (poppler-utils) on PATH")]
fn the_printed_report_has_every_vendor_and_failing_policy() {
    let (tmp, dir) = out_dir();
    let sheets = tmp.path().join("sheets");
    std::fs::create_dir(&sheets).unwrap();
    let mut vendors = Vec::new();
    for i in 0..48 {
        let (example, vendor) = match i % 3 {
            0 => ("aozora-cloud.toml", "株式会社あおぞらメディカル"),
            1 => ("hinode-systems.json", "日の出システムズ株式会社"),
            _ => ("sakura-support.toml", "有限会社さくらサポート"),
        };
        let text = std::fs::read_to_string(format!("examples/sheets/{example}")).unwrap();
        let name = format!("印刷試験{i:02}号");
        vendors.push(name.clone());
        let ext = example.rsplit('.').next().unwrap();
        std::fs::write(sheets.join(format!("v{i:02}.{ext}")), text.replace(vendor, &name)).unwrap();
    }
    let page = dir.join("print.html");
    let kaiji = env!("CARGO_BIN_EXE_kaiji");
    let json = Command::new(kaiji).arg("check").arg(&sheets).args(["-f", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let status = Command::new(kaiji).arg("check").arg(&sheets).arg("-o").arg(&page).status().unwrap();
    assert_eq!(status.code(), Some(1), "some fail");
    let failing: std::collections::BTreeSet<String> = report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["policies"].as_array().unwrap().iter())
        .filter(|p| p["status"] == "fail")
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(failing.len() >= 3, "{failing:?}");

    let pdf = dir.join("print.pdf");
    let profile = tmp.path().join("profile");
    run(
        &browser(),
        &profile,
        &page,
        &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer", "--virtual-time-budget=2000"],
    );
    let out = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all = String::from_utf8(out.stdout).unwrap();
    // pdftotext ends each page with a form feed.
    let pages: Vec<String> = all.split('\u{c}').map(|p| p.chars().filter(|c| !c.is_whitespace()).collect()).collect();
    let squeezed: String = pages.concat();
    for v in &vendors {
        assert!(squeezed.contains(v.as_str()), "vendor {v} is printed");
    }
    for id in &failing {
        assert!(all.contains(id.as_str()), "failing policy {id} is printed");
    }
    // The findings of failed cells, though no drill-down was opened.
    assert!(squeezed.contains("二要素認証（17.1.d）に「はい」と回答していること"), "findings are printed");
    // The matrix spans pages, and each starts with its header row.
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo runs");
    let info = String::from_utf8(info.stdout).unwrap();
    let size = info.lines().find_map(|l| l.strip_prefix("Page size:")).unwrap();
    let wh: Vec<f64> = size.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    assert!(size.contains("(A3)") && wh[0] > wh[1], "A3 landscape: {size}");
    // The matrix's pages come first: those naming a vendor before the
    // findings begin (指摘の詳細).
    let matrix_pages: Vec<&String> = pages
        .iter()
        .take_while(|p| !p.contains("指摘の詳細"))
        .filter(|p| vendors.iter().any(|v| p.contains(v.as_str())))
        .collect();
    assert!(matrix_pages.len() >= 2, "48 vendors span pages: {}", matrix_pages.len());
    for (i, p) in matrix_pages.iter().enumerate() {
        assert!(p.contains("事業者/サービス"), "matrix page {} repeats the header row", i + 1);
    }
}

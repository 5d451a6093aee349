//! `kaiji serve` in a real browser: Debian's Chromium driven by its
//! chromedriver over WebDriver (plain HTTP on 127.0.0.1, spoken here with
//! ureq; nothing is downloaded). The test opens the address the binary
//! prints, uploads three documents (a PDF, a workbook, a TOML sheet)
//! through the file input, sees three rows with their verdicts, opens a
//! drill-down in the report's frame showing where the PDF's answer was read
//! (`PDF p.N`), switches the language, downloads the xlsx and reads it as a
//! workbook holding the vendors, forgets a document, and saves
//! screenshots at 1280×800 under the target directory
//! (`CARGO_TARGET_TMPDIR/serve-browser*.png`: the matrix, the drill-down,
//! the English page) for a person to look at.
//!
//! `#[ignore]`d when chromium or chromedriver was not on PATH at build
//! time (build.rs: `kaiji_chromium`, `kaiji_chromedriver`); `.ci/run`
//! installs both and runs ignored tests too.

#[path = "pdfgen/mod.rs"]
mod pdfgen;
mod serve_common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serve_common::*;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session on a chromedriver this test started.
struct Driver {
    base: String,
    session: String,
    process: Child,
}

impl Driver {
    fn start(profile: &Path, downloads: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver on PATH (apt-get install chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent().get(&format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let browser = ["chromium", "chromium-browser"]
            .iter()
            .find_map(|b| which(b))
            .expect("chromium on PATH (apt-get install chromium)");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,800", "--lang=ja", "--no-first-run",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": { "download.default_directory": downloads, "download.prompt_for_download": false }
            }
        }}});
        let mut d = Driver { base, session: String::new(), process };
        let v = d.call("POST", "/session", Some(caps));
        d.session = v["sessionId"].as_str().unwrap().to_string();
        d
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let a = agent();
        let mut r = match (method, body) {
            ("GET", _) => a.get(&url).call(),
            ("DELETE", _) => a.delete(&url).call(),
            (_, Some(b)) => a.post(&url).send_json(b),
            (_, None) => a.post(&url).send_json(json!({})),
        }
        .unwrap();
        let v: Value = r.body_mut().with_config().limit(64 << 20).read_json().unwrap();
        assert!(r.status().is_success(), "{method} {path}: {v}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, code: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": code, "args": [] })))
    }

    /// Wait until `code` returns true, at most 60 s.
    fn wait(&self, what: &str, code: &str) {
        let started = Instant::now();
        while self.script(code) != json!(true) {
            assert!(started.elapsed() < Duration::from_secs(60), "waited 60 s for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The element's WebDriver id.
    fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", Some(json!({ "using": "css selector", "value": css })));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("{css}: {v}")).to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), None);
    }

    fn send_files(&self, css: &str, files: &[PathBuf]) {
        let id = self.find(css);
        let text: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.call("POST", &format!("/element/{id}/value"), Some(json!({ "text": text.join("\n") })));
    }

    fn frame(&self, css: Option<&str>) {
        let id = match css {
            Some(c) => json!({ (ELEMENT): self.find(c) }),
            None => Value::Null,
        };
        self.call("POST", "/frame", Some(json!({ "id": id })));
    }

    fn screenshot(&self, to: &Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "a real screenshot");
        std::fs::write(to, png).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = agent().delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| acc | (u32::from(value(c)) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
#[cfg_attr(
    not(all(kaiji_chromium, kaiji_chromedriver)),
    ignore = "needs chromium and chromedriver on PATH (apt-get install chromium chromium-driver)"
)]
fn upload_three_documents_see_the_matrix_open_the_evidence_download_the_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let (served, docs, profile, downloads) =
        (tmp.path().join("tmp"), tmp.path().join("docs"), tmp.path().join("profile"), tmp.path().join("downloads"));
    for d in [&served, &docs, &profile, &downloads] {
        std::fs::create_dir_all(d).unwrap();
    }
    // Three documents a hospital receives: a vendor's PDF, a workbook, a sheet.
    let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
    let pdf = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, pdfgen::Style::Ellipse)).0;
    std::fs::write(docs.join("やまびこ.pdf"), pdf).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kaiji"))
        .args(["export", concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets/hinode-systems.json"), "-o"])
        .arg(docs.join("hinode.xlsx"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(docs.join("aozora.toml"), example("aozora-cloud.toml")).unwrap();
    let files = vec![docs.join("やまびこ.pdf"), docs.join("hinode.xlsx"), docs.join("aozora.toml")];

    let server = Binary::start(&[], &served);
    let d = Driver::start(&profile, &downloads);
    d.go(&server.url);
    d.wait("the page's script", "return document.documentElement.dataset.ready === '1'");
    assert_eq!(d.script("return document.title"), json!("kaiji — 開示書の評価"));
    assert_eq!(d.script("return document.getElementById('count').textContent"), json!("0"));
    // The page's own style file applied under its policy (no inline style).
    assert_eq!(d.script("return getComputedStyle(document.getElementById('drop')).borderTopStyle"), json!("dashed"));

    d.send_files("#files", &files);
    d.wait("three documents", "return document.documentElement.dataset.documents === '3'");
    let rows = d.script(
        "return Array.from(document.querySelectorAll('#docs > li')).map(function (li) {
           return [li.dataset.name, li.querySelector('.badge').textContent,
                   (li.querySelector('.import') || {}).textContent || ''];
         })",
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let row = |name: &str| rows.iter().find(|r| r[0] == name).unwrap_or_else(|| panic!("{name}: {rows:?}")).clone();
    assert_eq!(row("aozora.toml")[1], "適合");
    assert_eq!(row("hinode.xlsx")[1], "不適合");
    assert_eq!(row("やまびこ.pdf")[1], "不適合");
    let account = row("やまびこ.pdf")[2].as_str().unwrap().to_string();
    assert!(account.contains("PDF") && account.contains("未回答 6") && account.contains("あいまい 3"), "{account}");
    // The fill-in hint is shown where the import left questions open.
    let hint = d.script("return !!document.querySelector('#docs li[data-name=\"やまびこ.pdf\"] .fill-hint')");
    assert_eq!(hint, json!(true));

    // The matrix in the frame: the html report, its script running under
    // the policy the server sends (its hashes), three rows.
    d.frame(Some("#report"));
    d.wait("the report's script", "return document.documentElement.dataset.ready === '1'");
    d.wait("three rows", "return document.querySelectorAll('#matrix tbody tr').length === 3");
    // The report's inline style ran under the server's policy (its hash):
    // a failed verdict has its colour.
    let fail_bg = d.script("return getComputedStyle(document.querySelector('td.verdict.fail')).backgroundColor");
    assert_ne!(fail_bg, json!("rgba(0, 0, 0, 0)"), "the report's style was blocked");
    let verdicts = d.script(
        "return Array.from(document.querySelectorAll('#matrix tbody tr')).map(function (tr) {
           return [tr.querySelector('.meta').textContent, tr.querySelector('td.verdict').className];
         })",
    );
    let verdicts: Vec<(String, String)> = verdicts
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v[0].as_str().unwrap().to_string(), v[1].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(verdicts.len(), 3);
    assert!(verdicts[0].0.starts_with("aozora.toml") && verdicts[0].1.ends_with("pass"), "{verdicts:?}");
    assert!(verdicts[2].0.starts_with("やまびこ.pdf") && verdicts[2].1.ends_with("fail"), "{verdicts:?}");
    // A failing cell of the PDF's row, on an answer read from the PDF.
    let target = d.script(
        "var row = document.querySelectorAll('#matrix tbody tr')[2];
         var links = Array.from(row.querySelectorAll('td.cell.fail a[data-target]'));
         var hit = links.find(function (a) {
           var p = document.getElementById(a.dataset.target);
           return p && p.textContent.indexOf('PDF p.') >= 0;
         });
         return hit ? hit.dataset.target : null;",
    );
    let target = target.as_str().expect("a failing cell whose finding was read from the PDF").to_string();
    d.frame(None);
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    d.screenshot(&shots.join("serve-browser.png"));
    d.frame(Some("#report"));
    d.click(&format!("a[data-target=\"{target}\"]"));
    d.wait("the drill-down", &format!("return document.getElementById('{target}').classList.contains('open')"));
    let panel = d.script(&format!("return document.getElementById('{target}').innerText"));
    assert!(panel.as_str().unwrap().contains("PDF p."), "{panel}");
    d.frame(None);
    d.screenshot(&shots.join("serve-browser-detail.png"));

    // English, and back.
    d.click("#lang");
    assert_eq!(d.script("return document.querySelector('h1').textContent"), json!("kaiji — disclosure sheet review"));
    assert_eq!(d.script("return document.documentElement.lang"), json!("en"));
    d.screenshot(&shots.join("serve-browser-en.png"));
    d.click("#lang");
    assert_eq!(d.script("return document.documentElement.lang"), json!("ja"));

    // The committee's workbook, downloaded by the browser.
    d.click("#dl-xlsx");
    let xlsx = downloads.join("kaiji-report.xlsx");
    let started = Instant::now();
    while !xlsx.is_file()
        || downloads.read_dir().unwrap().any(|e| e.unwrap().path().extension().is_some_and(|x| x == "crdownload"))
    {
        assert!(started.elapsed() < Duration::from_secs(30), "no download in {downloads:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let cells = workbook_text(&xlsx);
    for vendor in [pdfgen::VENDOR, "日の出システムズ株式会社", "株式会社あおぞらメディカル"] {
        assert!(cells.contains(vendor), "{vendor} in the downloaded workbook");
    }

    // Forget one: two rows.
    d.click("#docs li[data-name=\"aozora.toml\"] button.forget");
    d.wait("two documents", "return document.documentElement.dataset.documents === '2'");
    d.frame(Some("#report"));
    d.wait("two rows", "return document.querySelectorAll('#matrix tbody tr').length === 2");
    d.frame(None);
}

/// Every cell's text of every worksheet, joined.
fn workbook_text(path: &Path) -> String {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).expect("a workbook");
    let mut text = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                text.push_str(&c.to_string());
                text.push('\t');
            }
        }
    }
    text
}

//! `kaiji check DIR` on a folder of vendor documents: PDFs, workbooks and
//! extracted text imported in the run beside TOML sheets; the import
//! account in the report; the sheet beside a document wins; a damaged
//! document is an error for it alone; `--save-imported`.

#[path = "pdfgen/mod.rs"]
mod pdfgen;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use kaiji::form::FormRegistry;
use predicates::prelude::*;
use serde_json::Value;

fn pdf(dir: &Path, name: &str, style: pdfgen::Style) -> Vec<u8> {
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, style));
    std::fs::write(dir.join(name), &bytes).unwrap();
    bytes
}

/// The example sheet `name` as the fill-in workbook `kaiji export` writes.
fn workbook(dir: &Path, sheet: &str, name: &str) {
    cargo_bin_cmd!("kaiji")
        .args(["export", &format!("examples/sheets/{sheet}"), "-o"])
        .arg(dir.join(name))
        .assert()
        .success();
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn json_check(args: &[&str], dir: &Path) -> (i32, Value, String) {
    let out = cargo_bin_cmd!("kaiji").arg("check").arg(dir).args(args).args(["-f", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap(), report, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn sheet<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no sheet {file} in {report:#}"))
}

#[test]
fn a_mixed_folder_is_one_run_with_each_documents_import_account() {
    let d = tempfile::tempdir().unwrap();
    let pdf_bytes = pdf(d.path(), "yamabiko.pdf", pdfgen::Style::Ellipse);
    workbook(d.path(), "hinode-systems.json", "hinode.xlsx");
    std::fs::copy("tests/fixtures/tsubame-marked.txt", d.path().join("tsubame.txt")).unwrap();
    std::fs::copy("examples/sheets/aozora-cloud.toml", d.path().join("aozora.toml")).unwrap();
    // Not sheets, skipped with a note: no error for a folder's README.
    std::fs::write(d.path().join("README.txt"), "vendors' documents for the 2026 round\n").unwrap();

    let (code, report, stderr) = json_check(&[], d.path());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["summary"]["sheets"], 4, "{report:#}");
    assert!(stderr.contains("skipped 1 file(s) that are not sheets"), "{stderr}");

    let y = sheet(&report, "yamabiko.pdf");
    assert_eq!(y["vendor"], pdfgen::VENDOR);
    assert_eq!(y["sha256"], sha256(&pdf_bytes), "provenance names the document as read");
    let import = &y["import"];
    assert_eq!(import["format"], "pdf");
    assert_eq!(import["recognised"], 198);
    assert_eq!(import["answered"], 192);
    assert_eq!(import["unanswered"], 6);
    let ambiguous = import["ambiguous"].as_array().unwrap();
    assert_eq!(ambiguous.len(), 3, "{import:#}");
    assert!(ambiguous.iter().all(|a| a["place"].as_str().unwrap().starts_with("page ")), "{import:#}");
    // What the document leaves unanswered stays unanswered: lint says so.
    let findings = y["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["rule"] == "unanswered"), "{y:#}");
    // Findings on answers say where in the document they were read, and
    // point at no line of kaiji's own sheet.
    let on_answer = findings.iter().find(|f| f["read_at"].is_string()).expect("a finding read from the PDF");
    assert!(on_answer["read_at"].as_str().unwrap().starts_with("PDF p."), "{on_answer:#}");
    assert!(
        on_answer["location"].is_null() || on_answer["location"]["path"] != y["path"],
        "no line of the PDF: {on_answer:#}"
    );

    let h = sheet(&report, "hinode.xlsx");
    assert_eq!(h["import"]["format"], "workbook");
    assert!(h["import"]["answered"].as_u64().unwrap() > 150, "{h:#}");
    let t = sheet(&report, "tsubame.txt");
    assert_eq!(t["import"]["format"], "text");
    let a = sheet(&report, "aozora.toml");
    assert!(a.get("import").is_none(), "a sheet file has no import account: {a:#}");
}

#[test]
fn the_reviewed_sheet_beside_a_document_is_read_instead() {
    let d = tempfile::tempdir().unwrap();
    pdf(d.path(), "yamabiko.pdf", pdfgen::Style::Glyph);
    std::fs::copy("examples/sheets/aozora-cloud.toml", d.path().join("yamabiko.toml")).unwrap();
    let (_, report, stderr) = json_check(&[], d.path());
    assert_eq!(report["summary"]["sheets"], 1, "{report:#}");
    assert!(sheet(&report, "yamabiko.toml").get("import").is_none());
    assert!(stderr.contains("read 1 reviewed sheet(s) instead of the document beside each"), "{stderr}");
    assert!(stderr.contains("yamabiko.pdf"), "{stderr}");
    // Named alone, the document is imported again.
    let out = cargo_bin_cmd!("kaiji").arg("check").arg(d.path().join("yamabiko.pdf")).args(["-f", "json"]).output();
    let report: Value = serde_json::from_slice(&out.unwrap().stdout).unwrap();
    assert_eq!(report["sheets"][0]["import"]["format"], "pdf");
}

#[test]
fn a_damaged_or_foreign_document_is_an_error_and_the_rest_go_on() {
    let d = tempfile::tempdir().unwrap();
    let good = pdf(d.path(), "a-good.pdf", pdfgen::Style::Shading);
    // Cut in half: a truncated download.
    std::fs::write(d.path().join("b-truncated.pdf"), &good[..good.len() / 2]).unwrap();
    std::fs::write(d.path().join("c-letter.pdf"), pdfgen::letter_pdf()).unwrap();
    std::fs::write(d.path().join("d-binary.xlsx"), b"PK\x03\x04 not really a workbook").unwrap();
    let (code, report, stderr) = json_check(&[], d.path());
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(report["summary"]["sheets"], 4);
    assert_eq!(report["summary"]["errors"], 3, "{report:#}");
    assert_ne!(sheet(&report, "a-good.pdf")["status"], "error");
    for bad in ["b-truncated.pdf", "c-letter.pdf", "d-binary.xlsx"] {
        let s = sheet(&report, bad);
        assert_eq!(s["status"], "error", "{s:#}");
        assert!(!s["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    // Human output: one ERROR line each, with the reason.
    cargo_bin_cmd!("kaiji")
        .arg("check")
        .arg(d.path())
        .assert()
        .code(2)
        .stdout(predicate::str::is_match(r"ERROR +\S*c-letter\.pdf +\(.+\)").unwrap());
}

#[test]
fn save_imported_writes_each_documents_sheet_and_never_overwrites() {
    let d = tempfile::tempdir().unwrap();
    let docs = d.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    pdf(&docs, "yamabiko.pdf", pdfgen::Style::Ellipse);
    workbook(&docs, "hinode-systems.json", "hinode.xlsx");
    let saved = d.path().join("reviewed");
    let (_, report, stderr) = json_check(&["--save-imported", saved.to_str().unwrap()], &docs);
    let toml = std::fs::read_to_string(saved.join("yamabiko.toml")).unwrap();
    assert!(toml.contains("[source]") && toml.contains("[evidence]"), "{toml}");
    assert!(saved.join("hinode.toml").is_file(), "{stderr}");
    assert_eq!(
        sheet(&report, "yamabiko.pdf")["import"]["saved"].as_str().unwrap(),
        saved.join("yamabiko.toml").display().to_string()
    );
    // The saved sheet checks as the document did.
    let again = cargo_bin_cmd!("kaiji").arg("check").arg(saved.join("yamabiko.toml")).arg("-f").arg("json").output();
    let again: Value = serde_json::from_slice(&again.unwrap().stdout).unwrap();
    assert_eq!(again["sheets"][0]["status"], sheet(&report, "yamabiko.pdf")["status"]);

    // A second run does not replace them: an error for each, exit 2.
    std::fs::write(saved.join("yamabiko.toml"), "# reviewed by hand\n").unwrap();
    let (code, report, _) = json_check(&["--save-imported", saved.to_str().unwrap()], &docs);
    assert_eq!(code, 2);
    let msg = sheet(&report, "yamabiko.pdf")["errors"][0]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("exists (pass --force"), "{msg}");
    assert_eq!(std::fs::read_to_string(saved.join("yamabiko.toml")).unwrap(), "# reviewed by hand\n");
    // --force replaces.
    let (code, _, _) = json_check(&["--save-imported", saved.to_str().unwrap(), "--force"], &docs);
    assert_ne!(code, 2);
    assert!(std::fs::read_to_string(saved.join("yamabiko.toml")).unwrap().contains("[evidence]"));

    // Two documents of one name would write one file: neither is saved.
    let clash = d.path().join("clash");
    std::fs::create_dir_all(clash.join("a")).unwrap();
    std::fs::create_dir_all(clash.join("b")).unwrap();
    pdf(&clash.join("a"), "same.pdf", pdfgen::Style::Glyph);
    workbook(&clash.join("b"), "hinode-systems.json", "same.xlsx");
    let out = d.path().join("out");
    let (code, report, _) = json_check(&["--save-imported", out.to_str().unwrap()], &clash);
    assert_eq!(code, 2);
    assert!(!out.join("same.toml").exists());
    for s in report["sheets"].as_array().unwrap() {
        assert!(s["errors"][0]["message"].as_str().unwrap().contains("would be saved as"), "{s:#}");
    }
    // Not a directory: a usage error before anything runs.
    std::fs::write(d.path().join("file"), "").unwrap();
    cargo_bin_cmd!("kaiji")
        .arg("check")
        .arg(&docs)
        .arg("--save-imported")
        .arg(d.path().join("file"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a directory"));
}

/// A folder with a PDF that leaves rows ambiguous, in every format: the
/// import account is part of each report.
#[test]
fn every_format_reports_the_import_account() {
    let d = tempfile::tempdir().unwrap();
    pdf(d.path(), "yamabiko.pdf", pdfgen::Style::Ellipse);
    let run = |format: &str| -> String {
        let out = cargo_bin_cmd!("kaiji").arg("check").arg(d.path()).args(["-f", format]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let human = run("human");
    assert!(
        human.contains("imported from pdf: 198 of 198 questions recognised, 192 answered, 6 unanswered (3 ambiguous:"),
        "{human}"
    );
    // Snippets are of the sheet kaiji read from the PDF, and say so.
    assert!(human.contains("yamabiko.pdf, as imported"), "{human}");

    let csv = run("csv");
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("read_at,import_format,import_recognised,import_answered,import_unanswered,import_ambiguous")
    );
    assert!(csv.contains(",pdf,198,192,6,3\r\n"), "{csv}");
    assert!(csv.contains(",\"PDF p."), "read_at in the findings: {csv}");

    let md = run("markdown");
    assert!(md.contains("取込 (import)"), "{md}");
    assert!(md.contains("⚠ pdf: 192/198 answered, 6 unanswered, 3 ambiguous"), "{md}");

    let html = run("html");
    assert!(html.contains("class=\"import look\""), "the account under the vendor");
    assert!(html.contains("<dt>読取箇所</dt><dd class=\"read-at\"><code>PDF p."), "evidence in the drill-down");
    assert!(html.contains("原本（回答を読み取った開示書）"), "the source document in the drill-down");
    assert!(html.contains("@page { size: A3 landscape"), "the print stylesheet");

    let github = run("github");
    assert!(github.contains("::warning file="), "{github}");
    assert!(github.contains("title=kaiji%3A document import::imported from pdf: 198 of 198"), "{github}");

    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    let note = notes.iter().find(|n| n["message"]["text"].as_str().unwrap().starts_with("imported from pdf")).unwrap();
    assert_eq!(note["level"], "warning");

    let junit = run("junit");
    assert!(junit.contains("name=\"import.unanswered\" value=\"6\""), "{junit}");
    assert!(junit.contains("<system-err>warning: imported from pdf"), "{junit}");

    let out = d.path().join("report.xlsx");
    cargo_bin_cmd!("kaiji").arg("check").arg(d.path()).arg("-o").arg(&out).assert().code(1);
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).unwrap();
    let names = wb.sheet_names();
    let matrix = wb.worksheet_range(&names[0]).unwrap();
    let header: Vec<String> = matrix.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let at = header.iter().position(|h| h == "取込元").expect("import columns in the matrix");
    let row: Vec<String> = matrix.rows().nth(2).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(&row[at..at + 4], ["pdf", "192", "6", "3"]);
    let findings = wb.worksheet_range(&names[1]).unwrap();
    let header: Vec<String> = findings.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let read_at = header.iter().position(|h| h == "読取箇所").unwrap();
    assert!(findings.rows().skip(1).any(|r| r[read_at].to_string().starts_with("PDF p.")));
}

/// The human report of a document: its verdict line, the account under it,
/// and snippets of the sheet as imported (fixed width, no colour).
#[test]
fn human_output_of_a_document_snapshot() {
    let out = cargo_bin_cmd!("kaiji")
        .args(["check", "examples/documents/kamome-healthcare.pdf"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings only");
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// Hostile and careless inputs among documents: a FIFO named like a PDF,
/// a control sequence in a document's name, a glob of PDFs, an empty
/// workbook, a file with a document's extension and a sheet's content.
#[cfg(unix)]
#[test]
fn hostile_and_careless_documents_are_errors_for_themselves_only() {
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    pdf(d.path(), "good.pdf", pdfgen::Style::Grey);
    // A FIFO named on the command line is refused, not waited on.
    let fifo = d.path().join("pipe.pdf");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let out = cargo_bin_cmd!("kaiji")
        .arg("check")
        .arg(&fifo)
        .arg(d.path().join("good.pdf"))
        .args(["-f", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert!(sheet(&report, "pipe.pdf")["errors"][0]["message"].as_str().unwrap().contains("FIFO"), "{report:#}");
    std::fs::remove_file(&fifo).unwrap();

    // A terminal escape in a file name reaches no terminal.
    let evil = d.path().join("\u{1b}[2Jevil.pdf");
    std::fs::write(&evil, b"%PDF-1.7 truncated").unwrap();
    std::fs::write(d.path().join("empty.xlsx"), b"").unwrap();
    // A sheet's TOML saved as .txt: it names the form's title, so it is
    // read as a document, and is an error (no question row), not skipped.
    std::fs::copy("examples/sheets/aozora-cloud.toml", d.path().join("aozora.txt")).unwrap();
    // A text without the title is skipped with a note.
    std::fs::write(d.path().join("notes.txt"), "vendors to call back: none\n").unwrap();
    let out = cargo_bin_cmd!("kaiji").arg("check").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'), "{stdout}{stderr}");
    assert!(stdout.contains("\\u{1b}[2Jevil.pdf"), "{stdout}");
    assert!(stdout.lines().filter(|l| l.starts_with("ERROR")).count() == 3, "{stdout}");
    assert!(stdout.contains("aozora.txt  (no line matches a question of form sds-6.0)"), "{stdout}");
    assert!(stderr.contains("skipped 1 file(s) that are not sheets") && stderr.contains("notes.txt"), "{stderr}");

    // A glob of PDFs finds the documents.
    let pattern = d.path().join("*.pdf").display().to_string();
    let out = cargo_bin_cmd!("kaiji").args(["check", &pattern, "-f", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["sheets"], 2, "{report:#}");
}

//! `kaiji import vendor.pdf` end to end: the format from the extension or
//! `--from pdf`, the account on stderr (kinds of marks, ambiguous rows with
//! their page), and exit 2 with no file for what is no readable sheet.

#[path = "pdfgen/mod.rs"]
mod pdfgen;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use kaiji::form::FormRegistry;
use predicates::prelude::*;

fn write_sheet(dir: &Path, name: &str, style: pdfgen::Style) -> (PathBuf, Vec<u8>) {
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, style));
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

#[test]
fn import_pdf_to_a_file_with_the_account_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (pdf, _) = write_sheet(dir.path(), "vendor.pdf", pdfgen::Style::Ellipse);
    let out = dir.path().join("vendor.toml");
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(&pdf)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("198 of 198 questions recognised, 192 answered"))
        .stderr(predicate::str::contains("read by: ellipse 192"))
        .stderr(predicate::str::contains("3 questions left unanswered, ambiguous:"))
        .stderr(predicate::str::contains("(page 2): 2 words marked (はい、いいえ)"))
        .stderr(predicate::str::contains("an ellipse between words"));
    let toml = std::fs::read_to_string(&out).unwrap();
    assert!(toml.contains(&format!("vendor = \"{}\"", pdfgen::VENDOR)), "{toml}");
    assert!(toml.contains("(pdf) against form sds-6.0"), "{toml}");
    cargo_bin_cmd!("kaiji").arg("lint").arg(&out).assert().code(predicate::in_iter([0, 1]));
}

#[test]
fn every_answer_read_from_a_pdf_says_its_page_and_mark_and_check_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let spec = pdfgen::spec(&form, pdfgen::Style::Shading);
    let (bytes, layout) = pdfgen::sheet_pdf(&form, &spec);
    let pdf = dir.path().join("vendor.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let out = dir.path().join("vendor.toml");
    cargo_bin_cmd!("kaiji").arg("import").arg(&pdf).arg("-o").arg(&out).assert().success();
    let text = std::fs::read_to_string(&out).unwrap();
    let sheet: toml::Table = text.parse().unwrap();
    use sha2::Digest as _;
    let digest: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(sheet["source"]["sha256"].as_str(), Some(digest.as_str()));
    assert_eq!(sheet["source"]["format"].as_str(), Some("pdf"));
    let expected = pdfgen::expected(&spec);
    let evidence = sheet["evidence"].as_table().unwrap();
    assert_eq!(evidence.len(), expected.values().filter(|a| a.is_some()).count());
    for (id, e) in evidence {
        let page = layout.page_of[id];
        let at = e["at"].as_str().unwrap();
        assert!(at.starts_with(&format!("PDF p.{page} (")), "{id}: {at} (page {page})");
        assert_eq!(e["read"].as_str(), expected[id].map(|a| a.as_str()), "{id}");
        assert_eq!(e["by"].as_str(), Some("shading"), "{id}");
    }
    // a finding on an imported answer names the page it was read on
    let id = "17.1.d";
    assert!(evidence.contains_key(id) && expected[id] != Some(kaiji::sheet::Answer::No), "the fixture answers 17.1.d");
    let page = layout.page_of[id];
    let check = cargo_bin_cmd!("kaiji").args(["lint", "-f", "json"]).arg(&out).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let findings = report["sheets"][0]["findings"].as_array().unwrap();
    for f in findings.iter().filter(|f| f["question"].is_string()) {
        let q = f["question"].as_str().unwrap();
        match (evidence.get(q), f["read_at"].as_str()) {
            (Some(e), Some(at)) => assert_eq!(at, e["at"].as_str().unwrap()),
            (None, None) => {}
            (e, at) => panic!("{q}: evidence {e:?}, read_at {at:?}"),
        }
    }
    // an answer edited after the import shows against what was read
    let edited = dir.path().join("edited.toml");
    let re = regex::Regex::new(r#"(?m)^"17\.1\.d" = .*$"#).unwrap();
    std::fs::write(&edited, re.replace(&text, "\"17.1.d\" = \"いいえ\"").as_ref()).unwrap();
    let check = cargo_bin_cmd!("kaiji").args(["check", "-f", "json"]).arg(&edited).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let on_q: Vec<&serde_json::Value> =
        report["sheets"][0]["findings"].as_array().unwrap().iter().filter(|f| f["question"] == "17.1.d").collect();
    assert!(!on_q.is_empty(), "H-AUTH-001 fails on いいえ: {report}");
    for f in on_q {
        let at = f["read_at"].as_str().unwrap();
        assert!(at.starts_with(&format!("PDF p.{page} (")) && at.ends_with(", changed since"), "{at}");
    }
}

#[test]
fn from_pdf_whatever_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = write_sheet(dir.path(), "a.pdf", pdfgen::Style::Shading);
    let odd = dir.path().join("sheet.bin");
    std::fs::write(&odd, bytes).unwrap();
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(&odd)
        .args(["--from", "pdf"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[answers]\n"))
        .stderr(predicate::str::contains("read by: shading 193"));
}

#[test]
fn unreadable_pdfs_exit_2_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_, sheet) = write_sheet(dir.path(), "good.pdf", pdfgen::Style::Grey);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("letter.pdf", pdfgen::letter_pdf(), "not a disclosure sheet"),
        ("locked.pdf", pdfgen::encrypted(&sheet), "encrypted"),
        ("cut.pdf", sheet[..sheet.len() / 3].to_vec(), "truncated"),
        ("text.pdf", b"just some text".to_vec(), "not a PDF"),
    ];
    for (name, bytes, says) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let out = dir.path().join(format!("{name}.toml"));
        cargo_bin_cmd!("kaiji")
            .arg("import")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
        assert!(!out.exists(), "{name}: no output on failure");
    }
}

#[test]
fn help_names_pdf() {
    cargo_bin_cmd!("kaiji")
        .args(["import", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("kaiji import vendor.pdf -o vendor.toml"))
        .stdout(predicate::str::contains("pdf for .pdf"));
}

/// A file where fewer than half the form's questions are recognised (a
/// damaged copy, part of a sheet, another form) is an error, not a sheet
/// that passes for the vendor's; `--partial` keeps what was read.
#[test]
fn fewer_than_half_the_questions_is_an_error_unless_partial() {
    let dir = tempfile::tempdir().unwrap();
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let mut spec = pdfgen::spec(&form, pdfgen::Style::Ellipse);
    spec.rows.truncate(40);
    let (bytes, _) = pdfgen::sheet_pdf(&form, &spec);
    let pdf = dir.path().join("part.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    // and the same from text: three rows
    let txt = dir.path().join("part.txt");
    let row = |id: &str| format!("{id}\t{}\t■はい\t□いいえ\t□対象外\t備考\t-\n", form.question(id).unwrap().text);
    std::fs::write(&txt, format!("{}{}{}", row("2"), row("3"), row("4"))).unwrap();
    for (input, n) in [(&pdf, 40), (&txt, 3)] {
        let out = dir.path().join("part.toml");
        cargo_bin_cmd!("kaiji")
            .arg("import")
            .arg(input)
            .arg("-o")
            .arg(&out)
            .env("NO_COLOR", "1")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("only {n} of the 198 questions of form sds-6.0")))
            .stderr(predicate::str::contains("--partial"));
        assert!(!out.exists(), "no sheet written");
        cargo_bin_cmd!("kaiji")
            .arg("import")
            .arg(input)
            .args(["--partial", "-o"])
            .arg(&out)
            .assert()
            .success()
            .stderr(predicate::str::contains(format!("{n} of 198 questions recognised")));
        std::fs::remove_file(&out).unwrap();
    }
}

/// The README's fill-in round trip keeps the vendor's evidence: PDF → TOML
/// → workbook → (an answer changed) → TOML again names the PDF as its
/// source and flags the changed answer against the PDF's page; with the
/// PDF beside the sheet, `lint --verify-source` accepts it, and reports a
/// replaced PDF.
#[test]
fn evidence_survives_the_fill_in_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (pdf, bytes) = write_sheet(dir.path(), "vendor.pdf", pdfgen::Style::Ellipse);
    let toml = dir.path().join("vendor.toml");
    let kaiji = || {
        let mut c = cargo_bin_cmd!("kaiji");
        c.current_dir(dir.path()).env("NO_COLOR", "1");
        c
    };
    kaiji().arg("import").arg(&pdf).arg("-o").arg(&toml).assert().success();
    let imported = std::fs::read_to_string(&toml).unwrap();
    // someone changes 2's answer (here in the TOML; in the workbook it is the same)
    let line = imported.lines().find(|l| l.starts_with("\"2\" = ")).expect("2 is answered").to_string();
    let changed_line =
        if line.contains("はい") { line.replace("はい", "いいえ") } else { "\"2\" = \"はい\"".into() };
    std::fs::write(&toml, imported.replace(&line, &changed_line)).unwrap();
    let xlsx = dir.path().join("vendor.xlsx");
    kaiji().arg("export").arg(&toml).arg("-o").arg(&xlsx).assert().success();
    let again = dir.path().join("again.toml");
    kaiji()
        .arg("import")
        .arg(&xlsx)
        .arg("-o")
        .arg(&again)
        .assert()
        .success()
        .stderr(predicate::str::contains("carries the evidence of"));
    let sheet: toml::Table = std::fs::read_to_string(&again).unwrap().parse().unwrap();
    assert_eq!(sheet["source"]["format"].as_str(), Some("pdf"), "{sheet:?}");
    assert_eq!(sheet["source"]["sha256"].as_str(), Some(kaiji::walk::sha256_hex(&bytes).as_str()));
    assert!(sheet["evidence"]["2"]["at"].as_str().unwrap().starts_with("PDF p."), "{:?}", sheet["evidence"]["2"]);
    kaiji()
        .args(["lint", "-f", "json"])
        .arg(&again)
        .assert()
        .stdout(predicate::str::contains("\"rule\": \"changed-after-import\""))
        .stdout(predicate::str::contains("PDF p."));
    // the PDF beside the sheet: verified
    let verify = || {
        let mut c = kaiji();
        c.args(["lint", "--verify-source", "-f", "json"]).arg(&again);
        c
    };
    verify().assert().stdout(predicate::str::contains("source-changed").not());
    // replaced since: an error
    let mut other = bytes.clone();
    other.extend_from_slice(b"\n% appended\n");
    std::fs::write(&pdf, other).unwrap();
    verify().assert().code(1).stdout(predicate::str::contains("\"rule\": \"source-changed\""));
}

/// `[source] format` and `[evidence] by` name what kaiji reads: another
/// value is a located schema error.
#[test]
fn unknown_source_format_or_evidence_kind_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[sheet]\nvendor = \"x\"\n\n[answers]\n\"2\" = \"はい\"\n\n[source]\nfile = \"v.pdf\"\nsha256 = \"";
    let digest = "0".repeat(64);
    for (tail, says) in [
        (format!("{digest}\"\nformat = \"scan\"\n"), "source.format is 「scan」"),
        (
            format!(
                "{digest}\"\nformat = \"pdf\"\n\n[evidence]\n\"2\" = {{ read = \"はい\", at = \"PDF p.1 (1, 1)\", by = \"guess\" }}\n"
            ),
            "read by 「guess」",
        ),
    ] {
        let path = dir.path().join("s.toml");
        std::fs::write(&path, format!("{base}{tail}")).unwrap();
        cargo_bin_cmd!("kaiji")
            .arg("lint")
            .arg(&path)
            .env("NO_COLOR", "1")
            .assert()
            .code(2)
            .stdout(predicate::str::contains(says));
    }
}

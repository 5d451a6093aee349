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
        .stderr(predicate::str::contains("3 rows left unanswered, marks ambiguous:"))
        .stderr(predicate::str::contains("(page 2): 2 words marked (はい、いいえ)"))
        .stderr(predicate::str::contains("an ellipse between words"));
    let toml = std::fs::read_to_string(&out).unwrap();
    assert!(toml.contains(&format!("vendor = \"{}\"", pdfgen::VENDOR)), "{toml}");
    assert!(toml.contains("(pdf) against form sds-6.0"), "{toml}");
    cargo_bin_cmd!("kaiji").arg("lint").arg(&out).assert().code(predicate::in_iter([0, 1]));
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

//! `kaiji form new`: a catalog from a form's text or PDF, on the command line.

use std::path::Path;

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use kaiji::form::{FormRegistry, Kind};
use kaiji::text::match_key;
use predicates::prelude::PredicateBooleanExt as _;

#[path = "pdfgen/mod.rs"]
mod pdfgen;

fn kaiji() -> Command {
    cargo_bin_cmd!("kaiji")
}

/// An invented form (fictional questions), laid out as `pdftotext -layout`
/// prints a sheet: cells separated by spaces, page header repeated.
const FORM: &str = "\
キツネ事業者による医療情報セキュリティ開示書（架空の手引き第3.0版対応）
作成日        2031年2月3日
※JAHIS標準 99-001 Ver.1.2 に基づく架空の書式です。

見回りの対策

1   夜間に見回りをしているか？            はい   いいえ   対象外   備考   -
1. 1 見回りの記録を残しているか？        はい   いいえ   対象外   備考   -
2   番犬を飼っているか？                  該当   非該当   備考   -
・柴犬                                    はい   いいえ   対象外   備考   -
・秋田犬                                  はい   いいえ   対象外   備考   -
2. 1 番犬に予防接種をしているか？        はい   いいえ   対象外   備考   -

キツネ事業者による医療情報セキュリティ開示書（架空の手引き第3.0版対応）
作成日        2031年2月3日
灯りの対策
3   門灯を点けているか？                  はい   いいえ   対象外   備考   1
備考記載欄
1   業者が書いた備考の文
";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn builds_writes_and_loads_a_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "kitsune.txt", FORM.as_bytes());
    let out = dir.path().join("kitsune.toml");
    let o = out.to_str().unwrap();
    kaiji()
        .args(["form", "new", &input, "--id", "kitsune-3.0", "-o", o])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicates::str::contains("7 questions (1 該当/非該当) in 2 sections"));
    let toml = std::fs::read_to_string(&out).unwrap();
    assert!(toml.contains("title = \"キツネ事業者による医療情報セキュリティ開示書\""), "{toml}");
    assert!(toml.contains("guideline = \"架空の手引き第3.0版\""), "{toml}");
    assert!(toml.contains("standard = \"JAHIS標準99-001\"\nedition = \"Ver.1.2\""), "{toml}");
    assert!(toml.contains("id = \"2.b\"\ntext = \"秋田犬\""), "{toml}");
    assert!(!toml.contains("業者が書いた") && !toml.contains("2031"), "{toml}");
    // the catalog loads and lists, with what the form is
    kaiji()
        .args(["--form-file", o, "form", "list", "--form", "kitsune-3.0"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("form: JAHIS標準99-001 Ver.1.2"))
        .stdout(predicates::str::contains("■ 灯りの対策"))
        .stdout(predicates::str::contains("番犬を飼っているか？  [該当/非該当]"));
    // no overwrite without --force; stdout without -o
    kaiji()
        .args(["form", "new", &input, "--id", "kitsune-3.0", "-o", o])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--force"));
    kaiji().args(["form", "new", &input, "--id", "kitsune-3.0", "-o", o, "--force"]).assert().code(0);
    kaiji()
        .args(["form", "new", &input, "--id", "k", "--edition", "Ver.9"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("[form]\nid = \"k\"").and(predicates::str::contains("edition = \"Ver.9\"")));
    // the input itself is never the output
    kaiji().args(["form", "new", &input, "--id", "k", "-o", &input, "--force"]).assert().code(2);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), FORM);
}

#[test]
fn refuses_what_is_not_a_form() {
    let dir = tempfile::tempdir().unwrap();
    let prose = write(dir.path(), "prose.txt", "ただの文章です。\n質問はありません。\n".as_bytes());
    kaiji()
        .args(["form", "new", &prose, "--id", "x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("no questions found"));
    let bin = write(dir.path(), "x.bin", b"PK\x03\x04\x00\x00\x01\x02");
    kaiji().args(["form", "new", &bin, "--id", "x"]).assert().code(2).stderr(predicates::str::contains("binary"));
    let long = write(dir.path(), "long.txt", "1 甲か？ はい ".repeat(20_000).as_bytes());
    kaiji().args(["form", "new", &long, "--id", "x"]).assert().code(2).stderr(predicates::str::contains("bytes long"));
    let big = dir.path().join("big.txt");
    std::fs::File::create(&big).unwrap().set_len(kaiji::walk::limits::TEXT_IMPORT + 1).unwrap();
    kaiji()
        .args(["form", "new", big.to_str().unwrap(), "--id", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("big.txt"));
    let form = write(dir.path(), "f.txt", FORM.as_bytes());
    kaiji().args(["form", "new", &form, "--id", "bad id"]).assert().code(2).stderr(predicates::str::contains("--id"));
    kaiji().args(["form", "new", &form]).assert().code(2).stderr(predicates::str::contains("--id"));
    let fake_pdf = write(dir.path(), "f.pdf", FORM.as_bytes());
    kaiji()
        .args(["form", "new", &fake_pdf, "--id", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a PDF"));
}

#[test]
fn control_characters_reach_neither_catalog_nor_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let text = "章\u{1b}]0;pwn\u{7}\n1 甲\u{1b}[2Jか？\tはい\tいいえ\t対象外\n\u{1b}[31m2 乙\tはい\n";
    let input = write(dir.path(), "c.txt", text.as_bytes());
    let out = kaiji().args(["form", "new", &input, "--id", "c"]).assert().code(0);
    let out = out.get_output();
    for stream in [&out.stdout, &out.stderr] {
        let s = String::from_utf8_lossy(stream);
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("control characters"));
}

/// A PDF of the form (the test generator's, laid out like the printed SDS)
/// gives back the built-in catalog's questions; PDF text is NFKC, so texts
/// are compared by match key.
#[test]
fn builds_from_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, pdfgen::Style::Ellipse));
    let pdf = write(dir.path(), "sds.pdf", &bytes);
    let out = dir.path().join("sds.toml");
    kaiji().args(["form", "new", &pdf, "--id", "sds-pdf", "-o", out.to_str().unwrap()]).assert().code(0);
    let built = kaiji::form::Form::from_file(&out).unwrap();
    let got: Vec<(String, Kind, String)> =
        built.questions().iter().map(|q| (q.id.clone(), q.kind, match_key(&q.text))).collect();
    let want: Vec<(String, Kind, String)> =
        form.questions().iter().map(|q| (q.id.clone(), q.kind, match_key(&q.text))).collect();
    assert_eq!(got, want);
    // the title from page 1's header (dropped from later pages), the sections from the shaded rows
    assert_eq!(built.title, form.title);
    let sections =
        |f: &kaiji::form::Form| -> Vec<String> { f.questions().iter().map(|q| match_key(&q.section)).collect() };
    assert_eq!(sections(&built), sections(&form));
}

//! `kaiji import` and `kaiji export` end to end: outputs, the account on
//! stderr, --force, and no partial file on failure.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/000_22d79e97acf5181f.txt");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets").join(name)
}

/// Entries of a directory (to prove no temp file was left behind).
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn import_text_to_stdout_with_account_on_stderr() {
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(fixture("tsubame-marked.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("[answers]\n"))
        .stdout(predicate::str::contains("vendor = \"株式会社つばめ医療ソフト\""))
        .stdout(predicate::str::contains("\"17.1.d\" = "))
        .stderr(predicate::str::contains("198 of 198 questions recognised, 198 answered, 0 unanswered; 6 remarks"));
}

#[test]
fn import_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.toml");
    std::fs::write(&out, "keep me").unwrap();
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(fixture("tsubame-marked.txt"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(fixture("tsubame-marked.txt"))
        .arg("-o")
        .arg(&out)
        .arg("--force")
        .assert()
        .success();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("[remarks]"));
    assert_eq!(entries(dir.path()), ["out.toml"]);
    // the result is a valid sheet
    cargo_bin_cmd!("kaiji").arg("lint").arg(&out).assert().success();
}

#[test]
fn unrecognisable_input_fails_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("letter.txt");
    std::fs::write(&input, "拝啓\n時下ますますご清栄のこととお慶び申し上げます。\n").unwrap();
    let out = dir.path().join("out.toml");
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("no line matches a question of form sds-6.0"));
    let book = dir.path().join("book.xlsx");
    std::fs::write(&book, b"PK\x03\x04 definitely not a zip").unwrap();
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(&book)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a workbook"));
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(dir.path().join("missing.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.txt: no such file"))
        .stderr(predicate::str::contains("No such file or directory").not());
    assert_eq!(entries(dir.path()), ["book.xlsx", "letter.txt"]);
}

#[test]
fn export_then_import_gives_the_same_sheet() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["aozora-cloud.toml", "hinode-systems.json", "sakura-support.toml"] {
        let xlsx = dir.path().join(format!("{name}.xlsx"));
        cargo_bin_cmd!("kaiji").arg("export").arg(example(name)).arg("-o").arg(&xlsx).assert().success();
        let canonical = cargo_bin_cmd!("kaiji").arg("export").arg(example(name)).args(["-f", "toml"]).output().unwrap();
        assert!(canonical.status.success());
        let back = cargo_bin_cmd!("kaiji").arg("import").arg(&xlsx).output().unwrap();
        assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
        let back = String::from_utf8(back.stdout).unwrap();
        // the import adds a comment header and what it read where; the
        // sheet itself is identical
        let sheet: toml::Table = back.parse().unwrap();
        let mut same: toml::Table = sheet.clone();
        same.remove("source");
        same.remove("evidence");
        // the questions left unanswered are written as empty entries to fill in
        let answers = same["answers"].as_table_mut().unwrap();
        answers.retain(|_, v| v.as_table().is_none_or(|t| !t.is_empty()));
        let canonical: toml::Table = String::from_utf8(canonical.stdout).unwrap().parse().unwrap();
        assert_eq!(same, canonical, "{name}");
        let digest = sha256_hex(&std::fs::read(&xlsx).unwrap());
        assert_eq!(sheet["source"]["sha256"].as_str(), Some(digest.as_str()), "{name}");
        assert_eq!(sheet["source"]["format"].as_str(), Some("workbook"));
        // every answer says the cell it came from, and the word read there
        let answers = canonical["answers"].as_table().unwrap();
        let evidence = sheet["evidence"].as_table().unwrap();
        // every answer to a question of the form came from a cell (a word
        // that is none of the form's, from the 要確認 sheet)
        let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
        for (id, v) in answers {
            let word = v.as_str().or_else(|| v.get("answer").and_then(|a| a.as_str()));
            let expected = word.is_some() && form.question(id).is_some();
            assert_eq!(evidence.contains_key(id), expected, "{name} {id}: {word:?}");
        }
        for (id, e) in evidence {
            let word = match &answers[id] {
                toml::Value::String(w) => w.clone(),
                t => t["answer"].as_str().unwrap().to_string(),
            };
            assert_eq!(e["read"].as_str(), Some(word.as_str()), "{name} {id}");
            let at = e["at"].as_str().unwrap();
            assert!(at.starts_with("開示書!C") || at.starts_with("要確認!C"), "{name} {id}: {e}");
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Fill every empty 回答 cell of an exported workbook's 開示書 sheet as a
/// person choosing from its drop-down would, by editing the worksheet XML:
/// yes/no cells cycle はい/いいえ/対象外, 該当/非該当 cells get 該当. Returns
/// the words filled in, by cell (`C13`).
fn fill_in(xlsx: &[u8]) -> (Vec<u8>, std::collections::BTreeMap<String, String>) {
    use std::io::{Read as _, Write as _};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut filled = std::collections::BTreeMap::new();
    let dv = regex::Regex::new(r#"<dataValidation [^>]*error="([^"]*)" sqref="([^"]*)""#).unwrap();
    let empty = regex::Regex::new(r#"<c r="(C[0-9]+)"( s="[0-9]+")?/>"#).unwrap();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data).unwrap();
            // the drop-downs say which cells take which words
            let mut words_of = std::collections::HashMap::new();
            for c in dv.captures_iter(&xml) {
                let words: &[&str] =
                    if c[1].starts_with("該当") { &["該当"] } else { &["はい", "いいえ", "対象外"] };
                for (k, cell) in c[2].split(' ').enumerate() {
                    words_of.insert(cell.to_string(), words[k % words.len()]);
                }
            }
            assert!(words_of.len() > 150, "drop-downs on the answer cells");
            let xml = empty.replace_all(&xml, |c: &regex::Captures| match words_of.get(&c[1]) {
                Some(w) => {
                    filled.insert(c[1].to_string(), w.to_string());
                    format!(
                        r#"<c r="{}"{} t="inlineStr"><is><t>{w}</t></is></c>"#,
                        &c[1],
                        c.get(2).map_or("", |m| m.as_str())
                    )
                }
                None => c[0].to_string(),
            });
            data = xml.into_owned().into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    (out.finish().unwrap().into_inner(), filled)
}

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn seed_fill_in_round_trip_answers_all_198() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("seed.toml");
    let xlsx = dir.path().join("seed.xlsx");
    // import: every question written, none answered, the next step said
    let out = cargo_bin_cmd!("kaiji").arg("import").arg(SEED).arg("-o").arg(&toml).output().unwrap();
    assert!(out.status.success());
    let account = String::from_utf8(out.stderr).unwrap();
    assert!(account.contains("0 answered, 198 unanswered"), "{account}");
    assert!(account.contains(&format!("kaiji export {} -o {}", toml.display(), xlsx.display())), "{account}");
    let text = std::fs::read_to_string(&toml).unwrap();
    let sheet: toml::Table = text.parse().unwrap();
    assert_eq!(sheet["answers"].as_table().unwrap().len(), 198);
    assert!(text.contains("# 1.1 〔1 が該当の場合〕 保存場所が"), "gates noted");
    assert!(sheet.get("evidence").is_none(), "nothing was read, so nothing is claimed");
    // export the fill-in workbook, fill it in, import it back
    cargo_bin_cmd!("kaiji").arg("export").arg(&toml).arg("-o").arg(&xlsx).assert().success();
    let (filled_book, filled) = fill_in(&std::fs::read(&xlsx).unwrap());
    assert_eq!(filled.len(), 198);
    std::fs::write(&xlsx, filled_book).unwrap();
    let out = cargo_bin_cmd!("kaiji").arg("import").arg(&xlsx).arg("-o").arg(&toml).arg("--force").output().unwrap();
    let account = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{account}");
    assert!(account.contains("198 of 198 questions recognised, 198 answered, 0 unanswered"), "{account}");
    assert!(account.contains(&format!("next: kaiji check {}", toml.display())), "{account}");
    let sheet: toml::Table = std::fs::read_to_string(&toml).unwrap().parse().unwrap();
    // each answer is the word filled into its cell; the remarks came along
    for (id, e) in sheet["evidence"].as_table().unwrap() {
        let cell = e["at"].as_str().unwrap().strip_prefix("開示書!").unwrap();
        assert_eq!(e["read"].as_str(), filled.get(cell).map(String::as_str), "{id}");
    }
    assert_eq!(sheet["evidence"].as_table().unwrap().len(), 198);
    assert_eq!(sheet["remarks"].as_table().unwrap().len(), 31);
    let cited = sheet["answers"]["1"]["remarks"].as_array().unwrap();
    assert_eq!(cited[0].as_integer(), Some(1));
}

#[test]
fn export_formats_and_force() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("a.json");
    cargo_bin_cmd!("kaiji").arg("export").arg(example("aozora-cloud.toml")).arg("-o").arg(&json).assert().success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["sheet"]["created"], "2026-04-01");
    assert_eq!(v["answers"]["1"]["answer"], "該当");
    cargo_bin_cmd!("kaiji")
        .arg("export")
        .arg(example("aozora-cloud.toml"))
        .arg("-o")
        .arg(&json)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    cargo_bin_cmd!("kaiji")
        .arg("export")
        .arg(example("aozora-cloud.toml"))
        .args(["-f", "xlsx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs -o"));
    assert_eq!(entries(dir.path()), ["a.json"]);
}

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn imported_seed_lints_with_two_unreferenced_remarks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seed.toml");
    cargo_bin_cmd!("kaiji")
        .arg("import")
        .arg(SEED)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("198 of 198 questions recognised"));
    let lint = cargo_bin_cmd!("kaiji").arg("lint").arg(&out).args(["-f", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&lint.stdout).unwrap();
    let mut unreferenced: Vec<String> = report["sheets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unreferenced-remark")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    unreferenced.sort();
    assert_eq!(unreferenced, ["remark 21 is cited by no answer", "remark 24 is cited by no answer"]);
}

#[test]
fn export_refuses_an_extension_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["sheet.xls", "sheet.csv", "sheet.ods"] {
        cargo_bin_cmd!("kaiji")
            .arg("export")
            .arg(example("aozora-cloud.toml"))
            .arg("-o")
            .arg(dir.path().join(name))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot write ."))
            .stderr(predicate::str::contains("xlsx, toml and json"));
    }
    // Even with -f: a TOML text named .xls would open as garbage.
    cargo_bin_cmd!("kaiji")
        .arg("export")
        .arg(example("aozora-cloud.toml"))
        .args(["-f", "toml", "-o"])
        .arg(dir.path().join("sheet.xls"))
        .assert()
        .code(2);
    // An extension that names nothing needs -f; with it, it is written.
    cargo_bin_cmd!("kaiji")
        .arg("export")
        .arg(example("aozora-cloud.toml"))
        .arg("-o")
        .arg(dir.path().join("sheet.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot tell what to write"))
        .stderr(predicate::str::contains("-f xlsx|toml|json"));
    assert_eq!(entries(dir.path()), Vec::<String>::new(), "nothing written");
    let txt = dir.path().join("sheet.txt");
    cargo_bin_cmd!("kaiji")
        .arg("export")
        .arg(example("aozora-cloud.toml"))
        .args(["-f", "toml", "-o"])
        .arg(&txt)
        .assert()
        .success();
    toml::from_str::<toml::Table>(&std::fs::read_to_string(&txt).unwrap()).unwrap();
    // A contradicting -f names both.
    cargo_bin_cmd!("kaiji")
        .arg("export")
        .arg(example("aozora-cloud.toml"))
        .args(["-f", "json", "-o"])
        .arg(dir.path().join("sheet.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-f json contradicts"));
    // .xlsx is a real workbook.
    let xlsx = dir.path().join("sheet.xlsx");
    cargo_bin_cmd!("kaiji").arg("export").arg(example("aozora-cloud.toml")).arg("-o").arg(&xlsx).assert().success();
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
}

#[test]
fn importing_a_kaiji_sheet_converts_it_to_canonical_toml() {
    let dir = tempfile::tempdir().unwrap();
    for (name, what) in [("hinode-systems.json", "JSON"), ("aozora-cloud.toml", "TOML")] {
        let out = dir.path().join(format!("{name}.toml"));
        cargo_bin_cmd!("kaiji")
            .arg("import")
            .arg(example(name))
            .arg("-o")
            .arg(&out)
            .assert()
            .success()
            .stderr(predicate::str::contains(format!("is already a kaiji sheet ({what}, form sds-6.0)")))
            .stderr(predicate::str::contains("canonical TOML"))
            .stderr(predicate::str::contains("no line matches").not());
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("\n[sheet]\n") && text.contains("\n[answers]\n"), "{text}");
        // The same sheet: what export makes of either is identical.
        let json = |p: &Path| {
            let o = cargo_bin_cmd!("kaiji").arg("export").arg(p).args(["-f", "json"]).assert().success();
            o.get_output().stdout.clone()
        };
        assert_eq!(json(&out), json(&example(name)), "{name}");
    }
}

/// The vendor's text comes back as written (full-width brackets, half-width
/// katakana); only comparisons normalise it.
#[test]
fn vendor_text_is_kept_as_written_and_compared_normalised() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("v.toml");
    let text = "[sheet]\nvendor = \"株式会社ﾃｽﾄ\"\nservice = \"サービス（Ａ）\"\nversion = \"3.2（2026年版）\"\n\n\
                [answers]\n\"1\" = { answer = \"該当\", remarks = [1], note = \"ＴＬＳ１．２ 対応\" }\n\n\
                [remarks]\n1 = \"二要素認証（パスワード＋ワンタイムコード）\"\n";
    std::fs::write(&sheet, text).unwrap();
    for format in ["toml", "json"] {
        let out = cargo_bin_cmd!("kaiji").arg("export").arg(&sheet).args(["-f", format]).assert().success();
        let got = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        for written in [
            "株式会社ﾃｽﾄ",
            "サービス（Ａ）",
            "3.2（2026年版）",
            "ＴＬＳ１．２ 対応",
            "二要素認証（パスワード＋ワンタイムコード）",
        ] {
            assert!(got.contains(written), "{format} keeps {written}: {got}");
        }
    }
    // Reports show it as written too.
    let out = cargo_bin_cmd!("kaiji").arg("lint").arg(&sheet).args(["-f", "json"]).assert().code(0);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["sheets"][0]["service"], "サービス（Ａ）");
    // NFKC-equal text is no change for diff.
    let other = dir.path().join("w.toml");
    std::fs::write(&other, text.replace("3.2（2026年版）", "3.2(2026年版)").replace("ＴＬＳ１．２", "TLS1.2")).unwrap();
    let out = cargo_bin_cmd!("kaiji").arg("diff").arg(&sheet).arg(&other).args(["-f", "json"]).assert().code(0);
    let diff: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(diff["changed"], false, "{diff}");
    // A waiver written half-width still matches the full-width sheet.
    let waivers = dir.path().join("w-waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\npolicy = \"missing-metadata\"\nservice = \"サービス(A)\"\nreason = \"r\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let out = cargo_bin_cmd!("kaiji")
        .arg("check")
        .arg(&sheet)
        .args(["-f", "json", "--fail-on", "never", "--waivers"])
        .arg(&waivers)
        .assert()
        .code(0);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["waivers"][0]["status"], "active", "{}", report["waivers"]);
}

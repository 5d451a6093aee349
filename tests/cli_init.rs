//! `kaiji init hospital|vendor [DIR]`: the repositories it starts work as
//! they are (the hospital's policies pass their own tests with coverage
//! and check a sheet; the vendor's sheet lints with only `unanswered`),
//! and it never overwrites, never writes through a link, and refuses a
//! DIR that is not a directory.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

const HOSPITAL_FILES: &[&str] = &[
    ".github/workflows/kaiji.yml",
    ".pre-commit-config.yaml",
    "README.md",
    "policies/remote-maintenance-tls.rhai",
    "policies/selection-list.rhai",
    "policies/tests/remote-maintenance-tls.toml",
    "policies/tests/selection-list.toml",
    "vendors/example.toml",
    "waivers.toml",
];

#[test]
fn the_hospital_repository_tests_itself_and_checks_sheets() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("hospital");
    kaiji().args(["init", "hospital", &s(&repo)]).assert().code(0);
    for f in HOSPITAL_FILES {
        assert!(repo.join(f).is_file(), "{f} missing");
    }
    // Its policies pass their own tests, every policy covered and none vacuous.
    let out = kaiji().args(["test", &s(&repo.join("policies")), "--require-coverage"]).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("10 passed, 0 failed"), "{text}");
    // In the repository, as its CI runs them: the example vendor passes.
    let mut c = kaiji();
    c.current_dir(&repo).args(["check", "vendors/", "-p", "policies/", "--waivers", "waivers.toml"]);
    c.assert().code(0);
    // An example sheet of kaiji's own: evaluated (the TLS rule finds 74.1's remark names no version).
    let sheet = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets/aozora-cloud.toml");
    let out = kaiji()
        .args(["check", &s(&sheet), "-p", &s(&repo.join("policies")), "--no-lint", "-f", "json"])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let policies = v["sheets"][0]["policies"].as_array().unwrap();
    let status = |id: &str| policies.iter().find(|p| p["id"] == id).unwrap()["status"].as_str().unwrap().to_string();
    assert_eq!(status("HOSP-NET-001"), "fail");
    assert_eq!(status("HOSP-SEL-001"), "pass");
    assert_eq!(v["sheets"][0]["findings"][0]["question"], "74.1");
    // The README is Japanese and says what to do next.
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    assert!(readme.contains("次にすること") && readme.contains("kaiji test policies/ --require-coverage"));
    let workflow = std::fs::read_to_string(repo.join(".github/workflows/kaiji.yml")).unwrap();
    assert!(workflow.contains("policies: policies/") && workflow.contains("kaiji test policies/ --require-coverage"));
}

#[test]
fn the_vendor_sheet_lists_every_question_and_lints_only_unanswered() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("vendor");
    kaiji()
        .args(["init", "vendor", &s(&repo), "--vendor", "株式会社かもめ技研", "--service", "かもめクラウド"])
        .assert()
        .code(0);
    assert!(repo.join(".github/workflows/kaiji.yml").is_file());
    let sheet = repo.join("sheet.toml");
    let text = std::fs::read_to_string(&sheet).unwrap();
    let out = kaiji().args(["lint", &s(&sheet), "-f", "json"]).assert().code(0);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let findings = v["sheets"][0]["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["rule"] == "unanswered"), "{findings:#?}");
    // One per question of the form, in form order.
    let out = kaiji().args(["form", "list", "-f", "json"]).assert().code(0);
    let form: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let ids: Vec<&str> = form["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 198);
    assert_eq!(findings.len(), ids.len());
    let mut at = 0;
    for (q, id) in form["questions"].as_array().unwrap().iter().zip(&ids) {
        let entry = format!("\n\"{id}\" = {{}}\n");
        let found = text[at..].find(&entry).unwrap_or_else(|| panic!("{id} not in order"));
        // The question's text is the comment just above its entry.
        let comment_end = at + found;
        let comment = text[..comment_end].rsplit('\n').next().unwrap();
        assert!(comment.starts_with(&format!("# {id} ")), "{comment}");
        assert!(comment.ends_with(q["text"].as_str().unwrap()), "{comment}");
        at = comment_end + entry.len() - 1;
    }
    // Without --vendor/--service, lint asks for them as well.
    let bare = d.path().join("bare");
    kaiji().args(["init", "vendor", &s(&bare)]).assert().code(0);
    let out = kaiji().args(["lint", &s(&bare.join("sheet.toml")), "-f", "json"]).assert().code(0);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let mut rules: Vec<&str> =
        v["sheets"][0]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(rules, ["missing-metadata", "unanswered"]);
}

#[test]
fn form_picks_another_catalog() {
    let d = tempfile::tempdir().unwrap();
    let catalog = d.path().join("kitsune.toml");
    std::fs::write(
        &catalog,
        "[form]\nid = \"kitsune-1.0\"\ntitle = \"きつね開示書\"\n\
         [[section]]\ntitle = \"認証\"\n\
         [[section.question]]\nid = \"1\"\nkind = \"applicability\"\ntext = \"ログイン機能があるか？\"\n\
         [[section.question]]\nid = \"1.1\"\ntext = \"パスワードを暗号化して保存しているか？\"\n\
         [[section.question]]\nid = \"2\"\ntext = \"操作ログを保管しているか？\"\n",
    )
    .unwrap();
    let repo = d.path().join("v");
    kaiji()
        .args(["--form-file", &s(&catalog), "init", "vendor", &s(&repo), "--form", "kitsune-1.0"])
        .args(["--vendor", "株式会社きつね", "--service", "きつねクラウド"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(repo.join("sheet.toml")).unwrap();
    assert!(text.contains("form = \"kitsune-1.0\""), "{text}");
    assert!(text.contains("# 1.1 〔1 が該当の場合〕 パスワードを暗号化して保存しているか？\n\"1.1\" = {}"), "{text}");
    assert!(!text.contains("\n\"17.1.d\""), "{text}");
    assert!(text.contains("参照する: \"1.1\" = { answer"), "the example cites a question of this form: {text}");
    let out = kaiji()
        .args(["--form-file", &s(&catalog), "lint", &s(&repo.join("sheet.toml")), "-f", "json"])
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = v["sheets"][0]["findings"].as_array().unwrap();
    assert_eq!(f.len(), 3, "{f:#?}");
    assert!(f.iter().all(|f| f["rule"] == "unanswered"));

    // An unknown form, and the hospital's examples written for sds-6.0: exit 2, nothing written.
    let out = kaiji().args(["init", "vendor", &s(&d.path().join("x")), "--form", "kitsune-9"]).assert().code(2);
    assert!(stderr(&out).contains("kitsune-9"), "{}", stderr(&out));
    let out = kaiji()
        .args(["--form-file", &s(&catalog), "init", "hospital", &s(&d.path().join("h")), "--form", "kitsune-1.0"])
        .assert()
        .code(2);
    assert!(stderr(&out).contains("kaiji::init::form") && stderr(&out).contains("kitsune-1.0"), "{}", stderr(&out));
    assert!(!d.path().join("x").exists() && !d.path().join("h").exists());
}

#[test]
fn never_overwrites_without_force_and_names_every_existing_file() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path();
    // A non-empty directory: other files are fine and left alone.
    std::fs::write(repo.join("notes.txt"), "ours").unwrap();
    std::fs::create_dir_all(repo.join("policies")).unwrap();
    std::fs::write(repo.join("policies/selection-list.rhai"), "// ours").unwrap();
    std::fs::write(repo.join("waivers.toml"), "# ours").unwrap();
    let out = kaiji().args(["init", "hospital", &s(repo)]).assert().code(2);
    let err = stderr(&out);
    assert!(err.contains("policies/selection-list.rhai") && err.contains("waivers.toml"), "{err}");
    assert!(err.contains("--force"), "{err}");
    // Nothing was written.
    assert!(!repo.join("README.md").exists() && !repo.join(".github").exists());
    assert_eq!(std::fs::read_to_string(repo.join("waivers.toml")).unwrap(), "# ours");

    kaiji().args(["init", "hospital", &s(repo), "--force"]).assert().code(0);
    assert_ne!(std::fs::read_to_string(repo.join("waivers.toml")).unwrap(), "# ours");
    assert_eq!(std::fs::read_to_string(repo.join("notes.txt")).unwrap(), "ours");
    // A second run without --force names all of them.
    let out = kaiji().args(["init", "hospital", &s(repo)]).assert().code(2);
    let err = stderr(&out);
    for f in HOSPITAL_FILES {
        assert!(err.lines().any(|l| l.trim().trim_start_matches('│').trim() == *f), "{f} not named on a line: {err}");
    }
    assert!(err.contains("9 file(s) of the template already exist"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(repo.join("README.md")).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "written files are readable by others, like any file: {mode:o}");
    }
}

#[test]
fn a_dir_that_is_a_file_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let out = kaiji().args(["init", "vendor", &s(&file)]).assert().code(2);
    assert!(stderr(&out).contains("is not a directory"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    // A file where the template needs a directory.
    let repo = d.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join(".github"), "x").unwrap();
    let out = kaiji().args(["init", "vendor", &s(&repo), "--force"]).assert().code(2);
    assert!(stderr(&out).contains(".github is not a directory"), "{}", stderr(&out));
    assert!(!repo.join("sheet.toml").exists());
}

#[cfg(unix)]
#[test]
fn links_are_never_written_through() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    // DIR a loop of links.
    let looped = d.path().join("loop");
    symlink(&looped, &looped).unwrap();
    let out = kaiji().args(["init", "vendor", &s(&looped)]).assert().code(2);
    assert!(stderr(&out).contains("cannot use"), "{}", stderr(&out));
    // A link inside DIR pointing outside it: refused even with --force.
    let outside = d.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let repo = d.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    symlink(&outside, repo.join(".github")).unwrap();
    for force in [false, true] {
        let mut c = kaiji();
        c.args(["init", "vendor", &s(&repo)]);
        if force {
            c.arg("--force");
        }
        let out = c.assert().code(2);
        assert!(stderr(&out).contains("is a symbolic link"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // A link in a file's place (to a file outside): not replaced, not written through.
    std::fs::remove_file(repo.join(".github")).unwrap();
    let target = outside.join("precious.toml");
    std::fs::write(&target, "keep").unwrap();
    symlink(&target, repo.join("sheet.toml")).unwrap();
    let out = kaiji().args(["init", "vendor", &s(&repo), "--force"]).assert().code(2);
    assert!(stderr(&out).contains("sheet.toml is a symbolic link"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    // A DIR that is itself a link to a directory is the user's choice, and fine.
    let real = d.path().join("real");
    std::fs::create_dir_all(&real).unwrap();
    symlink(&real, d.path().join("via")).unwrap();
    kaiji().args(["init", "vendor", &s(&d.path().join("via"))]).assert().code(0);
    assert!(real.join("sheet.toml").is_file());
}

#[test]
fn vendor_options_belong_to_vendor() {
    let d = tempfile::tempdir().unwrap();
    let out = kaiji().args(["init", "hospital", &s(d.path()), "--vendor", "x"]).assert().code(2);
    assert!(stderr(&out).contains("--vendor and --service"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
}

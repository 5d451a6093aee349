//! `kaiji api --definitions DIR`: the Rhai definition files are what the
//! golden copies under tests/golden/definitions/ say (regenerate them with
//! `KAIJI_BLESS=1 cargo test --test api_definitions` after changing the
//! policy API, and review the diff), and they carry the same functions and
//! doc comments as the Markdown `kaiji api`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn kaiji() -> Command {
    let mut c = Command::cargo_bin("kaiji").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    c
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/definitions")
}

fn files_in(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn definitions_match_the_golden_files() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("defs");
    kaiji().args(["api", "--definitions"]).arg(&out).assert().code(0);
    let got = files_in(&out);
    if std::env::var_os("KAIJI_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(golden_dir());
        std::fs::create_dir_all(golden_dir()).unwrap();
        for (name, text) in &got {
            std::fs::write(golden_dir().join(name), text).unwrap();
        }
        return;
    }
    let want = files_in(&golden_dir());
    let names = |f: &[(String, String)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want), "the set of definition files changed");
    for ((name, got), (_, want)) in got.iter().zip(&want) {
        if got != want {
            let diff = similar::TextDiff::from_lines(want.as_str(), got.as_str());
            panic!(
                "{name} differs from tests/golden/definitions/{name} (KAIJI_BLESS=1 rewrites the golden files):\n{}",
                diff.unified_diff().context_radius(2)
            );
        }
    }
}

#[test]
fn definitions_and_the_markdown_reference_describe_the_same_functions() {
    let files = kaiji::policy::reference::definitions();
    let stat = &files.iter().find(|(n, _)| n == "__static__.d.rhai").expect("__static__.d.rhai").1;
    let scope = &files.iter().find(|(n, _)| n == "__scope__.d.rhai").expect("__scope__.d.rhai").1;
    assert!(scope.contains("const sheet: Sheet;"), "{scope}");
    // Each function of the Markdown reference, with its doc comment, as a definition.
    let entries = kaiji::policy::reference::entries();
    assert_eq!(entries.len(), 32);
    for e in &entries {
        let doc: String = e.doc.lines().map(|l| format!("/// {l}").trim_end().to_string() + "\n").collect();
        let def = if e.signature.starts_with(&format!("sheet.{} ->", e.name)) {
            format!("fn get {}(sheet: Sheet) ->", e.name)
        } else if e.is_method {
            format!("fn {}(sheet: Sheet", e.name)
        } else {
            format!("fn {}(", e.name)
        };
        assert!(stat.contains(&format!("{doc}{def}")), "{} with its doc comment not in __static__.d.rhai", e.signature);
    }
    // Parameter names and types, as registered.
    for want in [
        "fn answer(sheet: Sheet, id: string) -> string | ();",
        "fn ids_where(sheet: Sheet, ids: array, words: array) -> array;",
        "fn fail(id: string, message: string) -> ();",
        "fn tls_versions(text: string | array | ()) -> array;",
    ] {
        assert!(stat.contains(want), "{want} not in __static__.d.rhai");
    }
}

#[test]
fn definitions_dir_must_be_a_directory_and_other_files_stay() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let out = kaiji().args(["api", "--definitions"]).arg(&file).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("is not a directory"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    // Regenerating replaces kaiji's files and keeps the user's.
    let dir = d.path().join("defs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.d.rhai"), "fn mine();").unwrap();
    std::fs::write(dir.join("__scope__.d.rhai"), "stale").unwrap();
    kaiji().args(["api", "--definitions"]).arg(&dir).assert().code(0);
    assert_eq!(std::fs::read_to_string(dir.join("mine.d.rhai")).unwrap(), "fn mine();");
    assert!(std::fs::read_to_string(dir.join("__scope__.d.rhai")).unwrap().contains("const sheet: Sheet;"));
    #[cfg(unix)]
    {
        // A link in a file's place is replaced, not written through.
        let outside = d.path().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap();
        std::fs::remove_file(dir.join("__scope__.d.rhai")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("__scope__.d.rhai")).unwrap();
        kaiji().args(["api", "--definitions"]).arg(&dir).assert().code(0);
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    }
}

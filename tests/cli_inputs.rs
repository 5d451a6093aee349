//! Hostile inputs from the command line: FIFOs, symlink loops, oversized
//! files, and `-o` naming an input. Each run must end within seconds with
//! a clear message (exit 2 for what could not be read), never hang.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets");
/// Long enough for a loaded CI machine, far shorter than "never".
const TIMEOUT: Duration = Duration::from_secs(20);

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env("COLUMNS", "100").timeout(TIMEOUT);
    c
}

fn example(name: &str) -> PathBuf {
    Path::new(EXAMPLES).join(name)
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// Stderr with miette's wrapped message lines joined again.
fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).replace("\n  │ ", " ")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// A FIFO at `path`: opening it for reading blocks until a writer comes.
#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}: {}", path.display(), std::io::Error::last_os_error());
}

fn copy_example(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(example("aozora-cloud.toml"), &p).unwrap();
    p
}

const POLICY: &str = "//! id: T-001\n//! title: t\nif !sheet.is_yes(\"17.1.d\") { fail(\"17.1.d\", \"x\"); }\n";

#[cfg(unix)]
#[test]
fn a_fifo_in_a_sheet_directory_is_skipped() {
    let d = tempfile::tempdir().unwrap();
    copy_example(d.path(), "a.toml");
    mkfifo(&d.path().join("pipe.toml"));
    let a = kaiji().args(["check", "-f", "json"]).arg(d.path()).assert().code(0);
    let r = json_of(&a.get_output().stdout);
    assert_eq!(r["summary"]["sheets"], 1, "{r}");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_as_a_sheet_is_an_error_for_that_sheet() {
    let d = tempfile::tempdir().unwrap();
    let good = copy_example(d.path(), "a.toml");
    let pipe = d.path().join("pipe.toml");
    mkfifo(&pipe);
    let a = kaiji().args(["check", "-f", "json"]).arg(&good).arg(&pipe).assert().code(2);
    let r = json_of(&a.get_output().stdout);
    assert_eq!(r["summary"]["sheets"], 2, "{r}");
    assert_eq!(r["summary"]["passed"], 1, "the good sheet is still checked: {r}");
    let bad = r["sheets"].as_array().unwrap().iter().find(|s| s["status"] == "error").unwrap();
    let msg = bad["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("pipe.toml: the file is a FIFO, not a regular file"), "{msg}");
    // Through a glob the FIFO is not a sheet (globs match regular files).
    let glob = d.path().join("*.toml");
    let a = kaiji().args(["check", "-f", "json"]).arg(glob).assert().code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["sheets"], 1);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_a_policy_file_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let sheet = copy_example(d.path(), "a.toml");
    let pipe = d.path().join("p.rhai");
    mkfifo(&pipe);
    let a = kaiji().arg("check").arg(&sheet).arg("-p").arg(&pipe).assert().code(2);
    assert!(stderr(&a).contains("the file is a FIFO, not a regular file"), "{}", stderr(&a));
    // In a policy directory it is skipped, and the real policy runs.
    let dir = d.path().join("policies");
    write(&dir, "t.rhai", POLICY);
    mkfifo(&dir.join("zz.rhai"));
    let a = kaiji().args(["check", "-f", "json"]).arg(&sheet).arg("-p").arg(&dir).assert().code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["policies"], 1);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_an_imported_module_is_a_policy_error() {
    let d = tempfile::tempdir().unwrap();
    let sheet = copy_example(d.path(), "a.toml");
    let dir = d.path().join("policies");
    write(&dir, "t.rhai", "//! id: T-001\n//! title: t\nimport \"_lib/x\" as x;\n");
    std::fs::create_dir_all(dir.join("_lib")).unwrap();
    mkfifo(&dir.join("_lib/x.rhai"));
    let a = kaiji().args(["check", "-f", "json"]).arg(&sheet).arg("-p").arg(&dir).assert().code(2);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("the file is a FIFO, not a regular file"), "{out}");
}

#[cfg(unix)]
#[test]
fn two_self_symlinks_end_and_each_sheet_is_read_once() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    copy_example(d.path(), "a.toml");
    symlink(".", d.path().join("l1")).unwrap();
    symlink(".", d.path().join("l2")).unwrap();
    let a = kaiji().args(["check", "-f", "json"]).arg(d.path()).assert().code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["sheets"], 1);
    let glob = d.path().join("**/*.toml");
    let a = kaiji().args(["check", "-f", "json"]).arg(glob).assert().code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["sheets"], 1);
    // A policy directory with the same loops.
    let dir = d.path().join("policies");
    write(&dir, "t.rhai", POLICY);
    symlink(".", dir.join("l1")).unwrap();
    symlink(".", dir.join("l2")).unwrap();
    let a = kaiji().args(["check", "-f", "json"]).arg(d.path().join("a.toml")).arg("-p").arg(&dir).assert().code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["policies"], 1);
}

#[cfg(unix)]
#[test]
fn one_self_symlink_evaluates_the_sheet_once() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    copy_example(d.path(), "a.toml");
    symlink(".", d.path().join("self")).unwrap();
    let a = kaiji().args(["lint", "-f", "json"]).arg(d.path()).assert().code(0);
    let r = json_of(&a.get_output().stdout);
    assert_eq!(r["summary"]["sheets"], 1, "{r}");
    assert!(r["sheets"][0]["path"].as_str().unwrap().ends_with("/a.toml"));
    // Named twice (and through the link): still once.
    let a = kaiji()
        .args(["lint", "-f", "json"])
        .arg(d.path().join("a.toml"))
        .arg(d.path().join("self/a.toml"))
        .arg(d.path().join("./a.toml"))
        .assert()
        .code(0);
    assert_eq!(json_of(&a.get_output().stdout)["summary"]["sheets"], 1);
}

#[test]
fn an_oversized_sheet_is_refused_with_its_size_and_the_limit() {
    let d = tempfile::tempdir().unwrap();
    let good = copy_example(d.path(), "a.toml");
    let big = d.path().join("big.toml");
    // Sparse: only the length counts.
    std::fs::File::create(&big).unwrap().set_len(16 * 1024 * 1024 + 1).unwrap();
    let a = kaiji().args(["check", "-f", "json"]).arg(&good).arg(&big).assert().code(2);
    let r = json_of(&a.get_output().stdout);
    assert_eq!(r["summary"]["passed"], 1, "{r}");
    let msg = r.to_string();
    assert!(msg.contains("the file is 16777217 bytes; the limit for a sheet is 16 MiB"), "{msg}");
}

#[test]
fn oversized_policy_waiver_catalog_and_import_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let sheet = copy_example(d.path(), "a.toml");
    let sized = |name: &str, len: u64| {
        let p = d.path().join(name);
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        p
    };
    let policy = sized("big.rhai", 1024 * 1024 + 1);
    let a = kaiji().arg("check").arg(&sheet).arg("-p").arg(&policy).assert().code(2);
    assert!(stderr(&a).contains("the limit for a policy is 1 MiB"), "{}", stderr(&a));
    let waivers = sized("w.toml", 16 * 1024 * 1024 + 1);
    let a = kaiji().arg("check").arg(&sheet).arg("--waivers").arg(&waivers).assert().code(2);
    assert!(stderr(&a).contains("the limit for a waiver file is 16 MiB"), "{}", stderr(&a));
    let catalog = sized("form.toml", 16 * 1024 * 1024 + 1);
    let a = kaiji().arg("--form-file").arg(&catalog).arg("lint").arg(&sheet).assert().code(2);
    assert!(stderr(&a).contains("the limit for a form catalog is 16 MiB"), "{}", stderr(&a));
    let text = sized("v.txt", 16 * 1024 * 1024 + 1);
    let a = kaiji().arg("import").arg(&text).assert().code(2);
    assert!(stderr(&a).contains("the limit for an imported text is 16 MiB"), "{}", stderr(&a));
    let book = sized("v.xlsx", 64 * 1024 * 1024 + 1);
    let a = kaiji().arg("import").arg(&book).assert().code(2);
    assert!(stderr(&a).contains("the limit for a workbook is 64 MiB"), "{}", stderr(&a));
}

#[cfg(unix)]
#[test]
fn fifos_as_waiver_file_catalog_and_import_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let sheet = copy_example(d.path(), "a.toml");
    let pipe = d.path().join("pipe.toml");
    mkfifo(&pipe);
    let fifo = "the file is a FIFO, not a regular file";
    let a = kaiji().arg("check").arg(&sheet).arg("--waivers").arg(&pipe).assert().code(2);
    assert!(stderr(&a).contains(fifo), "{}", stderr(&a));
    let a = kaiji().arg("--form-file").arg(&pipe).arg("lint").arg(&sheet).assert().code(2);
    assert!(stderr(&a).contains(fifo), "{}", stderr(&a));
    let a = kaiji().arg("import").arg(&pipe).assert().code(2);
    assert!(stderr(&a).contains(fifo), "{}", stderr(&a));
    let a = kaiji().arg("export").arg(&pipe).assert().code(2);
    assert!(stderr(&a).contains(fifo), "{}", stderr(&a));
}

#[test]
fn a_report_is_never_written_over_an_input() {
    let d = tempfile::tempdir().unwrap();
    let sheet = copy_example(d.path(), "a.toml");
    let before = std::fs::read(&sheet).unwrap();
    let policy = write(d.path(), "policies/t.rhai", POLICY);
    let lib = write(d.path(), "policies/_lib/x.rhai", "fn x() { 1 }\n");
    let waivers = write(
        d.path(),
        "w.toml",
        "[[waiver]]\npolicy = \"T-001\"\nvendor = \"x\"\nreason = \"r\"\nexpires = \"2099-01-01\"\n",
    );
    let catalog = d.path().join("form.toml");
    let form = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/form/sds-6.0.toml")).unwrap();
    std::fs::write(&catalog, form.replacen("id = \"sds-6.0\"", "id = \"test-form\"", 1)).unwrap();
    let dot = |p: &Path| p.parent().unwrap().join(".").join(p.file_name().unwrap());
    let refused = |a: assert_cmd::assert::Assert| {
        let e = stderr(&a);
        assert!(e.contains("this run reads; kaiji does not write over its inputs"), "{e}");
        assert!(a.get_output().stdout.is_empty());
    };
    // The sheet, as written and as ./a.toml.
    refused(kaiji().args(["check", "-f", "json"]).arg(&sheet).arg("-o").arg(&sheet).assert().code(2));
    refused(kaiji().args(["check", "-f", "json"]).arg(&sheet).arg("-o").arg(dot(&sheet)).assert().code(2));
    refused(kaiji().args(["lint", "-f", "json"]).arg(&sheet).arg("-o").arg(&sheet).assert().code(2));
    // A sheet found in a directory.
    refused(kaiji().args(["lint", "-f", "json"]).arg(d.path()).arg("-o").arg(&sheet).assert().code(2));
    // The policy file, a module of a -p directory, the waiver file.
    let check = || {
        let mut c = kaiji();
        c.args(["check", "-f", "json"]).arg(&sheet).arg("-p").arg(d.path().join("policies"));
        c
    };
    refused(check().arg("-o").arg(&policy).assert().code(2));
    refused(check().arg("-o").arg(&lib).assert().code(2));
    refused(check().arg("--waivers").arg(&waivers).arg("-o").arg(&waivers).assert().code(2));
    // A --form-file.
    refused(
        kaiji()
            .arg("--form-file")
            .arg(&catalog)
            .args(["lint", "-f", "json"])
            .arg(&sheet)
            .arg("-o")
            .arg(&catalog)
            .assert()
            .code(2),
    );
    // import and export, even with --force.
    refused(kaiji().arg("import").arg(&sheet).arg("-o").arg(&sheet).arg("--force").assert().code(2));
    refused(
        kaiji().args(["export", "-f", "json"]).arg(&sheet).arg("-o").arg(dot(&sheet)).arg("--force").assert().code(2),
    );
    #[cfg(unix)]
    {
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink(&sheet, &link).unwrap();
        refused(kaiji().args(["check", "-f", "json"]).arg(&sheet).arg("-o").arg(&link).assert().code(2));
    }
    assert_eq!(std::fs::read(&sheet).unwrap(), before, "the sheet is untouched");
    assert_eq!(std::fs::read(&policy).unwrap(), POLICY.as_bytes());
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kaiji-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Another path is fine.
    kaiji().args(["lint", "-f", "json"]).arg(&sheet).arg("-o").arg(d.path().join("report.json")).assert().code(0);
}

/// A missing file, a glob that matched nothing and an empty directory each
/// say what happened, on the human line and in the JSON report.
#[test]
fn unread_inputs_say_what_happened_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let missing = d.path().join("vendor.toml");
    let pattern = d.path().join("none/*.toml");
    let args = || {
        let mut c = kaiji();
        c.arg("lint").arg(&missing).arg(&pattern).arg(&empty);
        c
    };
    let human = args().assert().code(2);
    let out = String::from_utf8_lossy(&human.get_output().stdout).to_string();
    for (input, why) in [
        (missing.display().to_string(), "no such file"),
        (pattern.display().to_string(), "the pattern matched no file"),
        (empty.display().to_string(), "the directory holds no sheet"),
    ] {
        assert!(out.contains(&format!("ERROR {input}  ({why})\n")), "{input}: {out}");
    }
    assert!(!out.contains("0 error(s)"), "{out}");
    let report = json_of(&args().args(["-f", "json"]).assert().code(2).get_output().stdout);
    let messages: Vec<&str> =
        report["sheets"].as_array().unwrap().iter().map(|s| s["errors"][0]["message"].as_str().unwrap()).collect();
    assert_eq!(messages.len(), 3);
    assert!(messages.iter().any(|m| m.ends_with("vendor.toml: no such file")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("*.toml: the pattern matched no file")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("empty: the directory holds no sheet")), "{messages:?}");
    // Said once, not twice ("No such file or directory" as message and cause).
    let e = stderr(&kaiji().arg("import").arg(&missing).assert().code(2));
    assert_eq!(e.matches("no such file").count() + e.matches("No such file").count(), 1, "{e}");
}

/// `kaiji check .` in a project: Cargo.toml, policy tests and build output
/// are not sheets, and target/ and hidden directories are not entered.
#[test]
fn a_directory_walk_skips_files_that_are_not_sheets() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    std::fs::copy(example("aozora-cloud.toml"), root.join("a.toml")).unwrap();
    std::fs::copy(example("hinode-systems.json"), write(root, "sheets/h.json", "")).unwrap();
    write(root, "Cargo.toml", "[package]\nname = \"x\"\n");
    write(root, "policies/tests/t.toml", "[[case]]\nname = \"n\"\nanswers = { \"1\" = \"該当\" }\nexpect = \"pass\"\n");
    write(root, "meta.json", "{\"reason\": \"build-finished\", \"success\": true}");
    write(root, "broken.toml", "[answers\n");
    // Never entered: a sheet there would be read otherwise.
    std::fs::copy(example("aozora-cloud.toml"), write(root, "target/debug/x.toml", "")).unwrap();
    std::fs::copy(example("aozora-cloud.toml"), write(root, ".git/x.toml", "")).unwrap();
    let a = kaiji().args(["lint", "-f", "json"]).arg(root).assert().code(2);
    let report = json_of(&a.get_output().stdout);
    let mut paths: Vec<String> = report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap().strip_prefix(root.to_str().unwrap()).unwrap().to_string())
        .collect();
    paths.sort();
    // A broken sheet is still reported, not skipped.
    assert_eq!(paths, ["/a.toml", "/broken.toml", "/sheets/h.json"]);
    let e = stderr(&a);
    assert!(e.contains("note: skipped 3 file(s) that are not sheets"), "{e}");
    assert!(e.contains("Cargo.toml") && e.contains("meta.json"), "{e}");
    // Named explicitly, a file is read whatever it holds.
    let a = kaiji().args(["lint", "-f", "json"]).arg(root.join("Cargo.toml")).assert().code(2);
    assert!(!stderr(&a).contains("skipped"));
    assert!(!json_of(&a.get_output().stdout)["sheets"][0]["errors"].as_array().unwrap().is_empty());
    // A glob that finds only files that are not sheets says so.
    let pattern = root.join("*.json").display().to_string();
    let a = kaiji().args(["lint", "-f", "json", &pattern]).assert().code(2);
    let msg = json_of(&a.get_output().stdout)["sheets"][0]["errors"][0]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("the pattern matched no sheet, only 1 TOML/JSON file(s) that are not sheets"), "{msg}");
    // --help says what a walk leaves out.
    let help = kaiji().args(["check", "--help"]).assert().code(0);
    assert!(String::from_utf8_lossy(&help.get_output().stdout).contains("not entering hidden directories"));
}

/// `kaiji test -o` is a report like the others: never written over the
/// policy, a module, a test file, a catalog or a case's base sheet (it once
/// replaced them with exit 0), and the files are untouched.
#[test]
fn a_policy_test_report_is_never_written_over_an_input() {
    let d = tempfile::tempdir().unwrap();
    let policy = write(d.path(), "policies/t.rhai", POLICY);
    let lib = write(d.path(), "policies/_lib/x.rhai", "fn x() { 1 }\n");
    let base = copy_example(d.path(), "base.toml");
    let cases = write(
        d.path(),
        "policies/tests/t.toml",
        "[[case]]\nname = \"base\"\nbase = \"../../base.toml\"\nexpect = \"pass\"\n",
    );
    let catalog = d.path().join("form.toml");
    let form = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/form/sds-6.0.toml")).unwrap();
    std::fs::write(&catalog, form.replacen("id = \"sds-6.0\"", "id = \"test-form\"", 1)).unwrap();
    let before: Vec<(PathBuf, Vec<u8>)> =
        [&policy, &lib, &base, &cases, &catalog].iter().map(|p| (p.to_path_buf(), std::fs::read(p).unwrap())).collect();
    let test = || {
        let mut c = kaiji();
        c.arg("--form-file").arg(&catalog).arg("test").arg(d.path().join("policies"));
        c
    };
    for (out, what) in
        [(&policy, "policy"), (&lib, "policy"), (&cases, "policy"), (&catalog, "form catalog"), (&base, "base sheet")]
    {
        for format in ["human", "json", "junit"] {
            let a = test().args(["-f", format, "-o"]).arg(out).assert().code(2);
            let e = stderr(&a);
            assert!(e.contains(&format!("is the {what} file")), "{e}");
            assert!(e.contains("this run reads; kaiji does not write over its inputs"), "{e}");
        }
    }
    for (path, bytes) in &before {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{} is untouched", path.display());
    }
    // Another path is written.
    let report = d.path().join("report.json");
    test().args(["-f", "json", "-o"]).arg(&report).assert().code(0);
    assert_eq!(json_of(&std::fs::read(&report).unwrap())["summary"]["passed"], 1);
}

/// `-o` naming a FIFO, a socket or a directory is refused by every
/// subcommand that takes `-o`, at once and with nothing written (a FIFO
/// made every one of them wait for a reader).
#[cfg(unix)]
#[test]
fn every_subcommand_refuses_an_output_that_is_not_a_regular_file() {
    let d = tempfile::tempdir().unwrap();
    let sheet = copy_example(d.path(), "a.toml");
    let fifo = d.path().join("out.fifo");
    mkfifo(&fifo);
    let socket_path = d.path().join("out.sock");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
    let dir = d.path().join("out.d");
    std::fs::create_dir(&dir).unwrap();
    let text = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tsubame-marked.txt");
    let policies = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let commands: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["check".into(), sheet.clone().into()],
        vec!["lint".into(), sheet.clone().into()],
        vec!["diff".into(), "--no-policies".into(), sheet.clone().into(), sheet.clone().into()],
        vec!["export".into(), sheet.clone().into(), "-f".into(), "json".into()],
        vec!["import".into(), sheet.clone().into(), "--force".into()],
        vec!["form".into(), "new".into(), text.into(), "--id".into(), "x".into()],
        vec!["test".into(), policies.into()],
        vec!["coverage".into()],
    ];
    for (out, what) in [(&fifo, "a FIFO"), (&socket_path, "a socket"), (&dir, "a directory")] {
        for args in &commands {
            let a = kaiji().args(args).arg("-o").arg(out).assert().code(2);
            let e = stderr(&a);
            assert!(e.contains(&format!("is {what}, not a regular file; nothing was written")), "{args:?}: {e}");
        }
    }
    let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 4, "nothing written beside them: {left:?}");
}

/// The note naming skipped files shows their names printable: a line break
/// in a file name would otherwise start a line of its own (in CI, a
/// workflow command such as `::warning::`).
#[cfg(unix)]
#[test]
fn skipped_file_names_reach_stderr_printable() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    std::fs::copy(example("aozora-cloud.toml"), root.join("a.toml")).unwrap();
    std::fs::write(root.join("x\n::warning::forged\u{1b}[31m.toml"), "x = 1\n").unwrap();
    let a = kaiji().args(["lint", "-f", "json"]).arg(root).assert().code(0);
    let e = stderr(&a);
    let note = e.lines().find(|l| l.starts_with("note: skipped 1 file(s)")).unwrap_or_else(|| panic!("{e}"));
    assert!(note.contains("::warning::forged"), "{e}");
    assert!(!e.lines().any(|l| l.starts_with("::")), "{e}");
    assert!(!e.contains('\u{1b}'), "{e}");
}

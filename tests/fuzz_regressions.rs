//! Replays the inputs kept in `tests/fuzz_regressions/<target>/` through the
//! code the fuzz target of that name runs (`kaiji::fuzzing`): inputs a fuzzer
//! once crashed on (`crash-*`, `timeout-*`, as cargo-fuzz names them) and
//! hand-made hostile ones. None may panic; a refused input must come back
//! as a clean error with a message. Files named `reject-*` must be refused
//! and `accept-*` must load, so each one also pins what kaiji does with it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use kaiji::fuzzing::{self, Outcome};

// As in the binary: the per-evaluation memory bound reads this allocator.
#[global_allocator]
static ALLOC: kaiji::memory::CountingAlloc = kaiji::memory::CountingAlloc;
use kaiji::sheet::SheetFormat;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
}

/// Panics while an input is replayed, caught or not, on any thread (the
/// PDF importer reads on a thread of its own): the fuzzer aborts on any
/// panic (libfuzzer-sys's hook), also one kaiji catches around a parser, so
/// a replay counts them too. Replays take turns, so each panic is its
/// input's.
static PANICS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
static REPLAYING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if REPLAYING.load(std::sync::atomic::Ordering::SeqCst) {
                PANICS.lock().unwrap_or_else(|e| e.into_inner()).push(info.to_string());
            } else {
                default(info);
            }
        }));
    });
}

/// Run one input: how it ended (a panic's message if it escaped), and the
/// panics raised while it ran, caught or not.
fn run_one(run: &impl Fn(&[u8]) -> Outcome, data: &[u8]) -> (std::thread::Result<Outcome>, Vec<String>) {
    REPLAYING.store(true, std::sync::atomic::Ordering::SeqCst);
    let before = PANICS.lock().unwrap_or_else(|e| e.into_inner()).len();
    let outcome = catch_unwind(AssertUnwindSafe(|| run(data)));
    REPLAYING.store(false, std::sync::atomic::Ordering::SeqCst);
    let caught: Vec<String> = PANICS.lock().unwrap_or_else(|e| e.into_inner()).drain(before..).collect();
    (outcome, caught)
}

fn replay(target: &str, run: impl Fn(&[u8]) -> Outcome) -> usize {
    count_panics();
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let files = inputs(target);
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(path).unwrap();
        let (outcome, caught) = run_one(&run, &data);
        if outcome.is_ok()
            && let Some(p) = caught.first()
        {
            failures.push(format!("{name}: a panic was caught inside kaiji (the fuzzer aborts on it): {p}"));
        }
        match outcome {
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: panicked: {msg}"));
            }
            Ok(Outcome::Rejected { message }) if name.starts_with("accept-") => {
                failures.push(format!("{name}: expected to load, refused: {message}"));
            }
            Ok(Outcome::Loaded { findings }) if name.starts_with("reject-") => {
                failures.push(format!("{name}: expected a refusal, loaded with {findings} finding(s)"));
            }
            Ok(Outcome::Rejected { message }) if message.trim().is_empty() => {
                failures.push(format!("{name}: refused without a message"));
            }
            Ok(_) => {}
        }
    }
    assert!(failures.is_empty(), "{target}:\n{}", failures.join("\n"));
    files.len()
}

#[test]
fn sheet_toml() {
    let n = replay("sheet_toml", |d| fuzzing::sheet(d, SheetFormat::Toml));
    assert!(n >= 10);
}

#[test]
fn sheet_json() {
    let n = replay("sheet_json", |d| fuzzing::sheet(d, SheetFormat::Json));
    assert!(n >= 8);
}

#[test]
fn import_text() {
    let n = replay("import_text", |d| fuzzing::import(d, fuzzing::Importer::Text));
    assert!(n >= 4);
}

#[test]
fn import_xlsx() {
    let n = replay("import_xlsx", |d| fuzzing::import(d, fuzzing::Importer::Xlsx));
    assert!(n >= 19);
}

#[test]
fn import_pdf() {
    let n = replay("import_pdf", |d| fuzzing::import(d, fuzzing::Importer::Pdf));
    // reject-obj-keyword-after-invalid-utf8.pdf made the former text
    // reader (pdf_oxide) panic; the one reader now in use reads it safely
    assert!(n >= 24);
}

#[test]
fn policy() {
    let n = replay("policy", fuzzing::policy);
    assert!(n >= 19);
}

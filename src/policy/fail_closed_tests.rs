//! Fail closed: no policy error, limit or blank answer ends as a pass.
//! Each test is a way a policy once passed (or the run crashed) although
//! the evidence did not support it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::lint::testutil;
use crate::outcome::PolicyStatus;

fn limits() -> Limits {
    Limits { timeout: Duration::from_millis(500), ..Limits::default() }
}

fn run(body: &str, limits: Limits) -> PolicyEvaluation {
    let set = PolicySet::from_memory(&[("p.rhai", body)], "test/", limits).unwrap();
    set.evaluate(&Arc::new(testutil::load(&testutil::clean_text()))).remove(0)
}

/// The policy is an error on the sheet, and the message says `why`.
fn errors_with(body: &str, why: &str) {
    let started = Instant::now();
    let e = run(body, limits());
    assert!(started.elapsed() < Duration::from_secs(10), "{body}: took {:?}", started.elapsed());
    assert_eq!(e.outcome.status, PolicyStatus::Error, "{body}: {:?}", e.findings);
    let msg = &e.errors[0].message;
    assert!(msg.contains(why), "{body}: {msg}");
}

/// Every Rhai built-in that takes a callback, called with a callback whose
/// body is `BODY` (each is a method on an array or a map of strings).
const CALLBACK_CALLS: &[&str] = &[
    "a.map(|x, y| BODY)",
    "a.filter(|x, y| BODY)",
    "a.for_each(|x| BODY)",
    "a.reduce(|x, y| BODY)",
    "a.reduce(|x, y| BODY, 0)",
    "a.reduce_rev(|x, y| BODY)",
    "a.reduce_rev(|x, y| BODY, 0)",
    "a.some(|x, y| BODY)",
    "a.all(|x, y| BODY)",
    "a.retain(|x, y| BODY)",
    "a.drain(|x, y| BODY)",
    "a.index_of(|x, y| BODY)",
    "a.index_of(|x, y| BODY, 0)",
    "a.find(|x, y| BODY)",
    "a.find(|x, y| BODY, 0)",
    "a.find_map(|x, y| BODY)",
    "a.find_map(|x, y| BODY, 0)",
    "a.sort(|x, y| BODY)",
    "a.sort_by(|x, y| BODY)",
    "a.dedup(|x, y| BODY)",
    "a.zip(a, |x, y| BODY)",
    "m.map(|x, y| BODY)",
    "m.filter(|x, y| BODY)",
    "m.retain(|x, y| BODY)",
    "m.drain(|x, y| BODY)",
];

/// Ways a callback body goes wrong, and what the error must say.
const FAILURES: &[(&str, &str)] = &[
    ("{ throw \"boom\"; }", "boom"),
    ("sheet.is_yes(\"999.9\")", "unknown question id \"999.9\""),
    ("{ loop {} }", "exceeded"),
    ("x.no_such_method()", "no_such_method"),
];

fn callback_policy(call: &str, callback: &str, len: usize) -> String {
    let items: Vec<String> = (0..len).map(|i| format!("\"{}\"", (len - i) % 3)).collect();
    let entries: Vec<String> = (0..len).map(|i| format!("k{i}: \"{i}\"")).collect();
    format!(
        "let a = [{}];\nlet m = #{{{}}};\nlet r = {};\n",
        items.join(", "),
        entries.join(", "),
        call.replace("BODY", callback)
    )
}

#[test]
fn an_error_inside_any_callback_is_an_error() {
    for call in CALLBACK_CALLS {
        for (callback, why) in FAILURES {
            errors_with(&callback_policy(call, callback, 3), why);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Whatever the function, the failure and the collection size (from
    /// one element, where some built-ins call nothing, up to many).
    #[test]
    fn callbacks_never_swallow_errors(call in 0..CALLBACK_CALLS.len(), failure in 0..FAILURES.len(), len in 1usize..12) {
        let call = CALLBACK_CALLS[call];
        let (callback, why) = FAILURES[failure];
        // Built-ins with nothing to compare on one element never call it
        // (and then a pass is right).
        let without_start = call.contains("sort") || call.contains("dedup") || call.contains("reduce") && !call.contains(", 0)");
        let calls_it = len > 1 || !without_start;
        let e = run(&callback_policy(call, callback, len), limits());
        if calls_it {
            prop_assert_eq!(e.outcome.status, PolicyStatus::Error, "{} {}: {:?}", call, callback, e.findings);
            prop_assert!(e.errors[0].message.contains(why), "{}", e.errors[0].message);
        }
    }
}

#[test]
fn a_comparer_that_returns_nonsense_is_an_error() {
    errors_with("let a = [3, 1, 2]; a.sort(|x, y| \"later\");", "not an integer or a bool");
    errors_with("let a = [3, 1, 2]; a.dedup(|x, y| 1);", "not a bool");
    // and a correct one still sorts
    let e = run("let a = [3, 1, 2]; a.sort(|x, y| x - y); fail(`${a}`);", limits());
    assert_eq!(e.findings[0].message, "[1, 2, 3]");
}

#[test]
fn a_kaiji_error_the_script_catches_is_still_an_error() {
    errors_with("try { sheet.is_yes(\"999.9\"); } catch (e) { }", "unknown question id");
    errors_with("try { fail(\"999.9\", \"x\"); } catch { }", "unknown question id");
    errors_with("try { mentions(sheet.all_remarks(), \"\"); } catch { }", "empty word");
    // a script's own throw is the script's business
    assert_eq!(run("try { throw \"mine\"; } catch { }", limits()).outcome.status, PolicyStatus::Pass);
}

#[test]
fn native_helpers_obey_the_deadline() {
    // 1 MB of text and 10,000 long words: more than the deadline allows.
    let flood = "let s = \"x\"; while s.len() < 1000000 { s += s; } s.truncate(1000000);\n\
                 let w = s.sub_string(0, 200) + \"y\"; let words = [];\n\
                 for i in 0..10000 { words.push(w); }\n\
                 loop { if mentions(s, words) { fail(\"1\", \"x\"); } }";
    let l = Limits { max_operations: u64::MAX, timeout: Duration::from_millis(300), ..Limits::default() };
    let started = Instant::now();
    let e = run(flood, l);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(e.outcome.status, PolicyStatus::Error);
    assert!(e.errors[0].message.contains("time limit"), "{}", e.errors[0].message);
}

#[test]
fn mentions_of_many_words_is_one_pass() {
    let e = run(
        "let w = []; for i in 0..1000 { w.push(`語${i}`); } w.push(\"ワンタイム\");\n\
         if mentions(sheet.remarks(\"17.1.d\"), w) { fail(\"found\"); }",
        limits(),
    );
    // the clean sheet's 17.1.d remark mentions a one-time password
    assert_eq!(e.outcome.status, PolicyStatus::Fail, "{:?}", e.errors);
}

#[test]
fn joined_text_obeys_the_string_limit() {
    let l = Limits { max_string_size: 1_000, ..limits() };
    let e = run("let s = \"x\"; while s.len() < 600 { s += s; } s.truncate(600); if mentions([s, s], \"y\") { }", l);
    assert_eq!(e.outcome.status, PolicyStatus::Error);
    assert!(e.errors[0].message.contains("exceeded the limit of 1000"), "{}", e.errors[0].message);
}

#[test]
fn a_map_grown_by_index_assignment_obeys_the_map_limit() {
    let l = Limits { max_map_size: 100, ..limits() };
    for body in [
        "let m = #{}; for i in 0..2000 { m[`${i}`] = i; }",
        "let m = #{}; for i in 0..2000 { m[`${i}`] = i; } let n = m;",
    ] {
        let e = run(body, l);
        assert_eq!(e.outcome.status, PolicyStatus::Error, "{body}");
        assert!(e.errors[0].message.contains("object map exceeded the limit of 100"), "{}", e.errors[0].message);
    }
}

#[test]
fn memory_held_by_closures_is_bounded() {
    // Each closure keeps 900 kB alive; 10,000 of them would be 9 GB.
    let body = "let s = \"x\"; while s.len() < 1000000 { s += s; } s.truncate(900000);\n\
                let f = || 0;\n\
                for i in 0..10000 { let t = s + i; let g = f; f = || t.len() + g.call(); }";
    let l = Limits { max_memory: 64 << 20, max_operations: u64::MAX, timeout: Duration::from_secs(30), ..limits() };
    let e = run(body, l);
    assert_eq!(e.outcome.status, PolicyStatus::Error);
    assert!(e.errors[0].message.contains("memory limit of 64 MiB"), "{}", e.errors[0].message);
}

#[test]
fn zero_limits_through_the_library_allow_nothing() {
    for l in [
        Limits { max_operations: 0, ..limits() },
        Limits { max_string_size: 0, ..limits() },
        Limits { max_array_size: 0, ..limits() },
        Limits { max_map_size: 0, ..limits() },
        Limits { max_memory: 0, ..limits() },
    ] {
        let e = run("let a = [1, 2]; let m = #{a: 1, b: 2}; let s = \"ab\"; for i in 0..100 { s += \"x\"; }", l);
        assert_eq!(e.outcome.status, PolicyStatus::Error, "{l:?}");
    }
}

#[test]
fn import_cycles_are_located_errors() {
    let set = PolicySet::from_memory(
        &[
            ("a.rhai", "import \"_lib/x\" as x;"),
            ("_lib/x.rhai", "import \"_lib/y\" as y;"),
            ("_lib/y.rhai", "import \"_lib/x\" as x;"),
            ("self.rhai", "import \"self\" as me;"),
        ],
        "test/",
        limits(),
    )
    .unwrap();
    let by = |id: &str| set.policies().iter().find(|p| p.id() == id).unwrap();
    let cycle = by("a").error().expect("a cycle is an error").message.clone();
    assert!(cycle.contains("import cycle: test/_lib/x.rhai → test/_lib/y.rhai → test/_lib/x.rhai"), "{cycle}");
    let own = by("self").error().expect("a self-import is an error").message.clone();
    assert!(own.contains("import cycle: test/self.rhai → test/self.rhai"), "{own}");
    assert!(by("self").error().unwrap().location.is_some());
}

#[test]
fn module_state_never_crosses_evaluations() {
    // A closure's capture makes the module's map shared: writable through
    // `m::state.last = ...` although module variables are constants.
    let set = PolicySet::from_memory(
        &[
            ("_lib/m.rhai", "let state = #{ last: \"\" }; let keep = || state; export state;"),
            (
                "p.rhai",
                "import \"_lib/m\" as m;\n\
                 if m::state.last != \"\" { fail(\"1\", \"saw \" + m::state.last); }\n\
                 m::state.last = sheet.vendor;",
            ),
        ],
        "test/",
        limits(),
    )
    .unwrap();
    let a = Arc::new(testutil::load(&testutil::clean_text()));
    for _ in 0..3 {
        let e = set.evaluate(&a).remove(0);
        assert_eq!(e.outcome.status, PolicyStatus::Pass, "{:?}", e.findings);
    }
}

#[test]
fn computed_imports_reach_only_what_the_policy_imported() {
    let set = PolicySet::from_memory(
        &[
            ("_lib/m.rhai", "fn one() { 1 }"),
            ("uses.rhai", "import \"_lib/m\" as m;"),
            ("computed.rhai", "let p = \"_lib/m\"; import p as m;"),
        ],
        "test/",
        limits(),
    )
    .unwrap();
    let e = set.evaluate(&Arc::new(testutil::load(&testutil::clean_text())));
    let computed = e.iter().find(|e| e.outcome.id == "computed").unwrap();
    assert_eq!(computed.outcome.status, PolicyStatus::Error);
    assert!(computed.errors[0].message.contains("must be string literals"), "{}", computed.errors[0].message);
}

#[test]
fn findings_are_capped_per_policy_and_sheet() {
    let l = Limits { max_operations: 10_000_000, timeout: Duration::from_secs(30), ..limits() };
    let e = run("for i in 0..150000 { fail(\"1\", \"x\"); }", l);
    assert_eq!(e.outcome.status, PolicyStatus::Fail);
    assert_eq!(e.findings.len(), engine::MAX_FINDINGS + 1);
    let last = e.findings.last().unwrap();
    assert!(last.message.starts_with("149000 more findings"), "{}", last.message);
    assert_eq!(last.severity, Severity::Error);
    // only warnings dropped: the summary is a warning
    let e = run("fail(\"1\", \"x\"); for i in 0..1500 { warn(\"x\"); }", l);
    assert_eq!(e.findings.last().unwrap().severity, Severity::Warning);
    // an unknown id past the cap is still an error
    let e = run("for i in 0..1001 { fail(\"1\", \"x\"); } fail(\"999.9\", \"x\");", l);
    assert_eq!(e.outcome.status, PolicyStatus::Error);
}

#[test]
fn unknown_forms_are_policy_errors() {
    let set = PolicySet::from_memory(
        &[("typo.rhai", "//! forms: SDS-6.0\nfail(\"x\");"), ("ok.rhai", "//! forms: sds-6.0\n")],
        "test/",
        limits(),
    )
    .unwrap()
    .check_forms(&crate::form::FormRegistry::builtin());
    let by = |id: &str| set.policies().iter().find(|p| p.id() == id).unwrap();
    let msg = &by("typo").error().expect("an unknown form is an error").message;
    assert!(
        msg.contains("`SDS-6.0`") && msg.contains("did you mean `sds-6.0`") && msg.contains("known forms: sds-6.0"),
        "{msg}"
    );
    assert!(by("ok").error().is_none());
    let e = set.evaluate(&Arc::new(testutil::load(&testutil::clean_text())));
    assert_eq!(e.iter().find(|e| e.outcome.id == "typo").unwrap().outcome.status, PolicyStatus::Error);
}

#[test]
fn skip_says_why_and_never_hides_a_failure() {
    let e = run("skip(\"74 が非該当\"); fail(\"1\", \"never reached\");", limits());
    assert_eq!((e.outcome.status, e.outcome.reason.as_deref()), (PolicyStatus::Skip, Some("74 が非該当")));
    assert!(e.findings.is_empty());
    let e = run("fail(\"1\", \"first\"); skip(\"later\");", limits());
    assert_eq!(e.outcome.status, PolicyStatus::Fail);
    assert_eq!(e.outcome.reason, None);
    // not catchable, and not without a reason
    let e = run("try { skip(\"x\"); } catch { fail(\"1\", \"caught\"); }", limits());
    assert_eq!(e.outcome.status, PolicyStatus::Skip);
    errors_with("skip(\"  \");", "give the reason");
}

#[test]
fn a_blank_sheet_passes_no_builtin_policy() {
    let forms = crate::form::FormRegistry::builtin();
    let set = PolicySet::builtin(Limits::default());
    let blank = Arc::new(
        crate::sheet::load_str("blank.toml", "[sheet]\n".into(), crate::sheet::SheetFormat::Toml, &forms).unwrap(),
    );
    for e in set.evaluate(&blank) {
        assert_eq!(e.outcome.status, PolicyStatus::Fail, "{} on a blank sheet", e.outcome.id);
        assert!(!e.findings.is_empty());
    }
    assert!(crate::policytest::vacuous(&set, &forms).is_empty());
}

#[test]
fn a_policy_that_returns_early_on_a_blank_answer_is_vacuous() {
    let forms = crate::form::FormRegistry::builtin();
    let set = PolicySet::from_memory(
        &[
            ("early.rhai", "//! id: EARLY\nif !sheet.is_yes(\"58\") { return; }\nif !sheet.is_yes(\"58.1\") { fail(\"58.1\", \"x\"); }"),
            ("good.rhai", "//! id: GOOD\nif !sheet.is_yes(\"58\") { fail(\"58\", \"x\"); }"),
        ],
        "test/",
        limits(),
    )
    .unwrap();
    let v = crate::policytest::vacuous(&set, &forms);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].policy.as_str(), v[0].status, v[0].form.as_str()), ("EARLY", PolicyStatus::Pass, "sds-6.0"));
}

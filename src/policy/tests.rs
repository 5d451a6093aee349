//! Evaluation tests: the API on fixture sheets, outcomes, sandbox limits,
//! imports and errors.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::lint::testutil;
use crate::outcome::PolicyStatus;

fn set(files: &[(&str, &str)]) -> PolicySet {
    set_with(files, Limits::default())
}

fn set_with(files: &[(&str, &str)], limits: Limits) -> PolicySet {
    PolicySet::from_memory(files, "test/", limits).unwrap()
}

/// Evaluate a single policy body on a sheet.
fn eval(body: &str, sheet: &Sheet) -> PolicyEvaluation {
    let set = set(&[("p.rhai", body)]);
    set.evaluate(&Arc::new(sheet.clone())).remove(0)
}

/// The value of a Rhai expression on `sheet`, via `fail(<to_string>)`.
fn value(expr: &str, sheet: &Sheet) -> String {
    let e = eval(&format!("fail(`${{{expr}}}`);"), sheet);
    assert!(e.errors.is_empty(), "{expr}: {:?}", e.errors.iter().map(|e| &e.message).collect::<Vec<_>>());
    e.findings[0].message.clone()
}

fn error(body: &str, sheet: &Sheet) -> String {
    let e = eval(body, sheet);
    assert_eq!(e.outcome.status, PolicyStatus::Error, "{body}");
    e.errors[0].message.clone()
}

#[test]
fn design_card_example() {
    let card = "//! id: H-AUTH-001\n//! title: 二要素認証に対応し、通信は TLS 1.2 以上であること\n//! refs: 安全管理ガイドライン第6.0版 システム運用編 14\n\nif !sheet.is_yes(\"17.1.d\") {\n    fail(\"17.1.d\", \"二要素認証（17.1）に「はい」と回答していること\");\n}\nlet tls = tls_versions(sheet.all_remarks());\nif tls.is_empty() || tls[0] < \"1.2\" {\n    fail(\"90\", \"備考で TLS 1.2 以上を明記していること\");\n}\n";
    let s = set(&[("auth.rhai", card)]);
    let clean = Arc::new(testutil::with_answer("17.1.d", "\"17.1.d\" = { answer = \"はい\", remarks = [2] }"));
    let e = s.evaluate(&clean).remove(0);
    // the clean sheet's only remark says nothing of TLS
    assert_eq!(e.outcome.status, PolicyStatus::Fail);
    assert_eq!(e.findings.len(), 1);
    assert_eq!(e.findings[0].question.as_deref(), Some("90"));

    let no = Arc::new(testutil::with_answer("17.1.d", "\"17.1.d\" = \"いいえ\""));
    let e = s.evaluate(&no).remove(0);
    assert_eq!(e.outcome.id, "H-AUTH-001");
    let f = &e.findings[0];
    assert_eq!(f.question.as_deref(), Some("17.1.d"));
    assert_eq!(&*f.rule, "H-AUTH-001");
    assert_eq!(testutil::underlined(&no, f), "\"いいえ\"");
    assert_eq!(f.label.as_deref(), Some("answered いいえ"));
    assert_eq!(
        f.help.as_deref(),
        Some(
            "二要素認証に対応し、通信は TLS 1.2 以上であること（根拠: 安全管理ガイドライン第6.0版 システム運用編 14）"
        )
    );
    let site = f.policy_site.as_ref().unwrap();
    assert_eq!(&*site.path, "test/auth.rhai");
    assert_eq!(
        &site.source[site.span.start..site.span.end],
        "fail(\"17.1.d\", \"二要素認証（17.1）に「はい」と回答していること\")"
    );
}

const FIXTURE: &str = r#"[sheet]
vendor = "株式会社テスト"
service = "テストカルテ"
version = "1.0"
created = "令和8年1月13日"

[answers]
"17.1.d" = { answer = "はい", remarks = [8, 99], note = "ＴＬＳ１．２、1.3で通信" }
"17.1.a" = "いいえ"
"17.3.3" = "対象外"
"51" = "非該当"
"51.1" = "対象外"
"53" = "該当"
"58.1" = { remarks = [20] }
"2" = "たぶん"

[remarks]
8 = "二要素認証（パスワード＋ワンタイムコード）に対応"
20 = "日次で14世代保持、うち週次1世代はオフライン媒体"
"#;

fn fixture() -> Sheet {
    testutil::load(FIXTURE)
}

fn bare() -> Sheet {
    testutil::load("[answers]\n\"1\" = \"該当\"\n")
}

#[test]
fn answers_of_every_kind() {
    let s = fixture();
    for (expr, want) in [
        (r#"sheet.answer("17.1.d")"#, "はい"),
        (r#"sheet.answer("17.1.a")"#, "いいえ"),
        (r#"sheet.answer("17.3.3")"#, "対象外"),
        (r#"sheet.answer("51")"#, "非該当"),
        (r#"sheet.answer("53")"#, "該当"),
        // cites remarks but has no answer / not in the file / a word the form does not allow
        (r#"sheet.answer("58.1") == ()"#, "true"),
        (r#"sheet.answer("17.1.b") == ()"#, "true"),
        (r#"sheet.answer("2") == ()"#, "true"),
        // ids are NFKC-normalised
        (r#"sheet.answer("１７．１．ｄ")"#, "はい"),
        (r#"sheet.answer(" 17.1.d ")"#, "はい"),
    ] {
        assert_eq!(value(expr, &s), want, "{expr}");
    }
}

#[test]
fn predicates() {
    let s = fixture();
    for (expr, want) in [
        (r#"[sheet.is_yes("17.1.d"), sheet.is_no("17.1.d"), sheet.is_na("17.1.d")]"#, "[true, false, false]"),
        (r#"[sheet.is_yes("17.1.a"), sheet.is_no("17.1.a"), sheet.is_na("17.1.a")]"#, "[false, true, false]"),
        (r#"[sheet.is_yes("17.3.3"), sheet.is_no("17.3.3"), sheet.is_na("17.3.3")]"#, "[false, false, true]"),
        (r#"[sheet.is_yes("17.1.b"), sheet.is_no("17.1.b"), sheet.is_na("17.1.b")]"#, "[false, false, false]"),
        (r#"[sheet.applies("53"), sheet.applies("51"), sheet.applies("59")]"#, "[true, false, false]"),
        (
            r#"[sheet.answered("17.1.d"), sheet.answered("58.1"), sheet.answered("2"), sheet.answered("51.1")]"#,
            "[true, false, false, true]",
        ),
        // gating: 51 is 非該当, so 51.1 (対象外) and 51.3 (unanswered) are out of scope
        (
            r#"[sheet.in_scope("51"), sheet.in_scope("51.1"), sheet.in_scope("51.3"), sheet.in_scope("53.1"), sheet.in_scope("17.1.d")]"#,
            "[true, false, false, true, true]",
        ),
    ] {
        assert_eq!(value(expr, &s), want, "{expr}");
    }
}

#[test]
fn remarks_and_questions() {
    let s = fixture();
    // The vendor's text as written; the text helpers normalise it.
    assert_eq!(
        value(r#"sheet.remarks("17.1.d")"#, &s),
        r#"["二要素認証（パスワード＋ワンタイムコード）に対応", "ＴＬＳ１．２、1.3で通信"]"#
    );
    assert_eq!(
        value(r#"[mentions(sheet.remarks("17.1.d")[1], "TLS1.2"), tls_versions(sheet.remarks("17.1.d")[1])]"#, &s),
        r#"[true, ["1.2", "1.3"]]"#
    );
    assert_eq!(value(r#"sheet.remarks("17.1.a").len()"#, &s), "0");
    assert_eq!(value(r#"sheet.remarks("58.1")"#, &s), r#"["日次で14世代保持、うち週次1世代はオフライン媒体"]"#);
    assert_eq!(value("sheet.remark(20)", &s), "日次で14世代保持、うち週次1世代はオフライン媒体");
    assert_eq!(
        value("[sheet.remark(99) == (), sheet.remark(-1) == (), sheet.remark(0) == ()]", &s),
        "[true, true, true]"
    );
    assert_eq!(value("sheet.all_remarks().split(\"\\n\").len()", &s), "2");
    let q = r#"let q = sheet.question("17.1.d"); `${q.id}|${q.section}|${q.kind}|${q.parent}|${q.text.len() > 10}`"#;
    assert_eq!(value(q, &s), "17.1.d|技術的安全対策|yes_no|17.1|true");
    assert_eq!(
        value(r#"[sheet.question("1").parent == (), sheet.question("51").kind]"#, &s),
        r#"[true, "applicability"]"#
    );
    assert_eq!(value("let ids = sheet.ids(); `${ids.len()} ${ids[0]} ${ids[-1]}`", &s), "198 1 106.1");
}

#[test]
fn metadata_properties() {
    let s = fixture();
    assert_eq!(
        value("`${sheet.vendor}|${sheet.service}|${sheet.version}|${sheet.form}|${sheet.created}`", &s),
        "株式会社テスト|テストカルテ|1.0|sds-6.0|2026-01-13"
    );
    let b = bare();
    assert_eq!(value("[sheet.vendor, sheet.service, sheet.version, sheet.created == ()]", &b), r#"["", "", "", true]"#);
}

#[test]
fn unknown_ids_are_errors_with_suggestions() {
    let s = fixture();
    for call in [
        r#"sheet.answer("17.1.f")"#,
        r#"sheet.is_yes("17.1.f")"#,
        r#"sheet.is_no("17.1.f")"#,
        r#"sheet.is_na("17.1.f")"#,
        r#"sheet.applies("17.1.f")"#,
        r#"sheet.answered("17.1.f")"#,
        r#"sheet.in_scope("17.1.f")"#,
        r#"sheet.remarks("17.1.f")"#,
        r#"sheet.question("17.1.f")"#,
        r#"fail("17.1.f", "x")"#,
        r#"warn("17.1.f", "x")"#,
    ] {
        let msg = error(&format!("let x = 1;\n{call};\n"), &s);
        assert!(msg.contains(r#"unknown question id "17.1.f""#), "{call}: {msg}");
        assert!(msg.contains(r#"did you mean "17.1.e"?"#), "{call}: {msg}");
        assert!(msg.contains("test/p.rhai:2:"), "{call}: {msg}");
    }
}

#[test]
fn mentions_is_nfkc_and_case_insensitive() {
    let s = fixture();
    for (expr, want) in [
        (r#"mentions("ＴＬＳ１．２ で暗号化", "tls1.2")"#, "true"),
        (r#"mentions("TLS1.2", "ｔｌｓ")"#, "true"),
        (r#"mentions("パスワードのみ", ["ワンタイム", "TOTP"])"#, "false"),
        (r#"mentions(sheet.remarks("17.1.d"), ["totp", "ワンタイム"])"#, "true"),
        (r#"mentions(sheet.remark(99), "x")"#, "false"),
        (r#"mentions(sheet.all_remarks(), "オフライン")"#, "true"),
        (r#"mentions("ｶﾞｲﾄﾞ", "ガイド")"#, "true"),
    ] {
        assert_eq!(value(expr, &s), want, "{expr}");
    }
    assert!(error(r#"mentions("abc", "");"#, &s).contains("empty word"));
    assert!(error(r#"mentions(42, "a");"#, &s).contains("expected text"));
    assert!(error(r#"mentions("a", [1]);"#, &s).contains("word 0"));
    assert!(error(r#"mentions(["a", 1], "a");"#, &s).contains("element 1"));
}

#[test]
fn matches_uses_cached_regexes() {
    let s = fixture();
    for (expr, want) in [
        (r#"matches(sheet.remarks("58.1"), "\\d+世代")"#, "true"),
        (r#"matches("１４世代", "^\\d+世代$")"#, "true"),
        (r#"matches("TLS", "tls")"#, "false"),
        (r#"matches("TLS", "(?i)tls")"#, "true"),
        (r#"matches((), "^$")"#, "true"),
        (r#"let n = 0; for i in 0..50 { if matches(`${i}世代`, "\\d世代") { n += 1 } } n"#, "50"),
    ] {
        assert_eq!(value(expr, &s), want, "{expr}");
    }
    let msg = error(r#"matches("x", "(unclosed");"#, &s);
    assert!(msg.contains("invalid regular expression"), "{msg}");
    // the invalid pattern is cached as invalid, still an error the second time
    let msg = error(r#"matches("x", "(unclosed");"#, &s);
    assert!(msg.contains("invalid regular expression"), "{msg}");
    let huge = format!(r#"matches("x", "{}");"#, "(a{1000}){1000}");
    assert!(error(&huge, &s).contains("invalid regular expression"));
}

#[test]
fn tls_versions_over_remarks() {
    let s = fixture();
    assert_eq!(value(r#"tls_versions(sheet.remarks("17.1.d"))"#, &s), r#"["1.2", "1.3"]"#);
    assert_eq!(value(r#"tls_versions(sheet.remarks("17.1.a"))"#, &s), "[]");
    assert_eq!(value("tls_versions(())", &s), "[]");
    assert_eq!(value(r#"tls_versions("SSL3.0、第6.0版")"#, &s), "[]");
}

#[test]
fn outcomes() {
    let s = Arc::new(fixture());
    let set = set(&[
        ("a-pass.rhai", "if sheet.is_no(\"17.1.d\") { fail(\"17.1.d\", \"never\"); }"),
        ("b-warn.rhai", "warn(\"17.1.a\", \"記憶による認証のみ\");\nwarn(\"一般的な注意\");"),
        ("c-fail.rhai", "fail(\"全体の指摘\");\nfail(\"58.1\", \"未回答\");\nwarn(\"17.3.3\", \"対象外\");"),
        ("d-err.rhai", "fail(\"17.1.a\", \"drop me\");\nthrow \"boom\";"),
        ("e-skip.rhai", "//! forms: mds-6.0\nfail(\"x\");"),
    ]);
    let ev = set.evaluate(&s);
    let status: Vec<(&str, PolicyStatus, usize)> =
        ev.iter().map(|e| (e.outcome.id.as_str(), e.outcome.status, e.outcome.warnings)).collect();
    assert_eq!(
        status,
        [
            ("a-pass", PolicyStatus::Pass, 0),
            ("b-warn", PolicyStatus::Pass, 2),
            ("c-fail", PolicyStatus::Fail, 1),
            ("d-err", PolicyStatus::Error, 0),
            ("e-skip", PolicyStatus::Skip, 0),
        ]
    );
    let w = &ev[1].findings;
    assert_eq!((w[0].severity, w[0].question.as_deref()), (Severity::Warning, Some("17.1.a")));
    assert_eq!((w[1].question.as_deref(), w[1].span), (None, None));
    assert!(w[1].policy_site.is_some());
    let f = &ev[2].findings;
    assert_eq!(f.len(), 3);
    assert_eq!(f[1].label.as_deref(), Some("unanswered"));
    // an unanswered question points at the best place the sheet has
    assert_eq!(f[1].span, Some(s.span_for_question(s.form.index_of("58.1").unwrap())));
    // an error discards the findings raised before it
    assert!(ev[3].findings.is_empty());
    let e = &ev[3].errors[0];
    assert_eq!(e.policy.as_deref(), Some("d-err"));
    assert_eq!(e.message, "policy d-err: boom (at test/d-err.rhai:2:1)");
    let loc = e.location.as_ref().unwrap();
    assert_eq!((loc.path.as_str(), loc.line, loc.column), ("test/d-err.rhai", 2, 1));
    assert!(ev[4].findings.is_empty() && ev[4].errors.is_empty());
}

#[test]
fn findings_raised_in_a_loop_each_point_at_their_own_call() {
    // Call sites are placed once and reused while the same call raises
    // again: alternating sites, and a module's call at the policy's very
    // position, must each keep their own place.
    // The module's `fail` is at line 3, column 3, as the policy's is.
    let lib = "fn flag(id) {\n\n  fail(id, \"mod\");\n}";
    let body = "import \"_lib/m\" as m;\nfor q in [\"17.1.a\", \"17.1.b\"] {\n  fail(q, \"one\");\n  warn(q, \"two\");\n  m::flag(q);\n}";
    let set = set(&[("_lib/m.rhai", lib), ("p.rhai", body)]);
    let e = set.evaluate(&Arc::new(fixture())).remove(0);
    assert!(e.errors.is_empty(), "{:?}", e.errors.iter().map(|e| &e.message).collect::<Vec<_>>());
    let shown: Vec<(String, &str, &str)> = e
        .findings
        .iter()
        .map(|f| {
            let site = f.policy_site.as_ref().unwrap();
            (site.path.to_string(), &site.source[site.span.start..site.span.end], f.message.as_str())
        })
        .collect();
    let want = |path: &str, call, msg| (format!("test/{path}"), call, msg);
    assert_eq!(
        shown,
        [
            want("p.rhai", "fail(q, \"one\")", "one"),
            want("p.rhai", "warn(q, \"two\")", "two"),
            want("_lib/m.rhai", "fail(id, \"mod\")", "mod"),
            want("p.rhai", "fail(q, \"one\")", "one"),
            want("p.rhai", "warn(q, \"two\")", "two"),
            want("_lib/m.rhai", "fail(id, \"mod\")", "mod"),
        ]
    );
}

#[test]
fn policy_functions_and_runtime_errors_point_into_the_policy() {
    let s = fixture();
    let body = "fn check(s) {\n    if !s.is_yes(\"17.1.a\") { fail(\"17.1.a\", \"記憶\"); }\n    s.answer(\"17.1.z\")\n}\ncheck(sheet);\n";
    let msg = error(body, &s);
    assert!(msg.contains("unknown question id \"17.1.z\""), "{msg}");
    assert!(msg.contains("in function `check`"), "{msg}");
    assert!(msg.contains("test/p.rhai:3:7"), "{msg}");
    // the same function raising a finding: the site is the call inside it
    let e = eval("fn check(s) {\n  fail(\"17.1.a\", \"記憶\");\n}\ncheck(sheet);", &s);
    let site = e.findings[0].policy_site.as_ref().unwrap();
    assert_eq!(&site.source[site.span.start..site.span.end], "fail(\"17.1.a\", \"記憶\")");
    // type errors and missing functions are errors too, never passes
    assert!(error("let x = sheet.is_yes(17);", &s).contains("wrong arguments for `is_yes`"));
    assert!(error("let x = [1][5];", &s).contains("out of bounds"));
    assert!(error("sleep(1);", &s).contains("no function matches `sleep(int)`"), "sleep is not available");
    assert!(error("let t = timestamp();", &s).contains("no function matches `timestamp()`"), "no clock");
    // print goes to stderr, not into reports
    assert_eq!(eval("print(\"hello\"); debug(1);", &s).outcome.status, PolicyStatus::Pass);
}

fn limits() -> Limits {
    Limits {
        max_operations: 20_000,
        max_call_depth: 16,
        max_expr_depth: 32,
        max_string_size: 10_000,
        max_array_size: 1_000,
        max_map_size: 200,
        max_memory: 32 << 20,
        timeout: Duration::from_millis(300),
    }
}

#[test]
fn every_limit_ends_its_policy_only() {
    let cases: &[(&str, &str, &str)] = &[
        ("ops", "loop { }", "exceeded the limit of 20000 operations"),
        ("depth", "fn f(n) { f(n + 1) }\nf(0);", "exceeded the call depth limit of 16"),
        ("string", "let s = \"長い\";\nloop { s += s; }", "length of string exceeded the limit of 10000"),
        ("array", "let a = [];\nloop { a.push(1); }", "size of array/blob exceeded the limit of 1000"),
        // Rhai checks a map's size when it is used (here `len`), not on each
        // index assignment; a map only ever assigned to is bounded by operations.
        (
            "map",
            "let m = #{};\nlet i = 0;\nwhile m.len() < 1_000_000 { m[`k${i}`] = i; i += 1; }",
            "size of object map exceeded the limit of 200",
        ),
        ("expr", &format!("let x = {}1{};", "(".repeat(100), ")".repeat(100)), "syntax error"),
        ("eval", "eval(\"fail(`x`)\");", "syntax error"),
    ];
    let mut files: Vec<(String, String)> = cases.iter().map(|(n, b, _)| (format!("{n}.rhai"), b.to_string())).collect();
    files.push(("ok.rhai".into(), "if !sheet.is_yes(\"17.1.d\") { fail(\"x\"); }".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let set = set_with(&refs, limits());
    let s = Arc::new(fixture());
    let started = std::time::Instant::now();
    let ev = set.evaluate(&s);
    assert!(started.elapsed() < Duration::from_secs(10));
    for (name, _, want) in cases {
        let e = ev.iter().find(|e| e.outcome.id == *name).unwrap();
        assert_eq!(e.outcome.status, PolicyStatus::Error, "{name}");
        let msg = &e.errors[0].message;
        assert!(msg.contains(want), "{name}: {msg}");
        assert!(e.errors[0].location.is_some(), "{name}: {msg}");
    }
    assert_eq!(ev.iter().find(|e| e.outcome.id == "ok").unwrap().outcome.status, PolicyStatus::Pass);
}

#[test]
fn wall_time_limit() {
    let mut l = limits();
    l.max_operations = u64::MAX; // only the clock can stop it
    l.timeout = Duration::from_millis(100);
    let set = set_with(&[("spin.rhai", "let i = 0;\nloop { i += 1; }"), ("ok.rhai", "")], l);
    let started = std::time::Instant::now();
    let ev = set.evaluate(&Arc::new(fixture()));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(ev[1].errors[0].message.contains("exceeded the time limit of 100 ms"), "{}", ev[1].errors[0].message);
    assert_eq!(ev[0].outcome.status, PolicyStatus::Pass);
}

#[test]
fn compile_errors_keep_the_rest_running() {
    let set = set(&[
        ("bad.rhai", "//! id: H-BAD\n//! title: 壊れた\nif sheet.is_yes(\"17.1.d\") {\n    fail(\"x\"\n}\n"),
        ("typo.rhai", "if shet.is_yes(\"17.1.d\") { fail(\"x\"); }"),
        ("meta.rhai", "//! titel: x\n"),
        ("good.rhai", ""),
    ]);
    assert_eq!(set.len(), 4);
    let s = Arc::new(fixture());
    for _ in 0..2 {
        let ev = set.evaluate(&s);
        let by = |id: &str| ev.iter().find(|e| e.outcome.id == id).unwrap();
        assert_eq!(by("good").outcome.status, PolicyStatus::Pass);
        for id in ["H-BAD", "typo", "meta"] {
            assert_eq!(by(id).outcome.status, PolicyStatus::Error, "{id}");
        }
        let bad = &by("H-BAD").errors[0];
        assert!(bad.message.starts_with("policy H-BAD: syntax error"), "{}", bad.message);
        assert_eq!(bad.location.as_ref().map(|l| l.line), Some(5));
        assert!(by("typo").errors[0].message.contains("shet"), "{}", by("typo").errors[0].message);
        let meta = &by("meta").errors[0];
        assert!(meta.message.contains("did you mean `title`"), "{}", meta.message);
        assert_eq!(meta.location.as_ref().map(|l| (l.line, l.column)), Some((1, 5)));
    }
    assert!(set.policies().iter().find(|p| p.id() == "H-BAD").unwrap().error().is_some());
}

#[test]
fn duplicate_ids_name_both_files() {
    let e =
        PolicySet::from_memory(&[("a.rhai", "//! id: X\n"), ("sub/b.rhai", "//! id: X\n")], "p/", Limits::default())
            .err()
            .unwrap();
    assert_eq!(e.to_string(), "policy id `X` is used by both p/a.rhai and p/sub/b.rhai");
}

#[test]
fn a_policy_id_may_not_be_a_lint_rule_name() {
    let e = PolicySet::from_memory(&[("u.rhai", "//! id: unanswered\n")], "p/", Limits::default()).err().unwrap();
    assert_eq!(e.to_string(), "policy id `unanswered` (p/u.rhai) is the name of a lint rule");
}

const LIB: &str = "fn two_factor(s) { s.is_yes(\"17.1.d\") }\nfn flag(id) { fail(id, \"from the module\"); }\nfn bad(s) { s.is_yes(\"17.1.z\") }\n";

#[test]
fn imports_in_memory() {
    let set = set(&[
        ("_lib/auth.rhai", LIB),
        ("uses.rhai", "import \"_lib/auth\" as auth;\nif auth::two_factor(sheet) { auth::flag(\"17.1.d\"); }"),
        ("dots.rhai", "import \"_lib/../_lib/auth\" as auth;"),
        ("escape.rhai", "import \"../secret\" as s;"),
        ("absolute.rhai", "import \"/etc/hostname\" as s;"),
        ("missing.rhai", "import \"_lib/nope\" as s;"),
        ("computed.rhai", "let p = \"_lib/auth\";\nimport p as s;"),
        ("modfail.rhai", "import \"_lib/auth\" as auth;\nauth::bad(sheet);"),
    ]);
    // modules (under `_lib/`) are not policies themselves
    assert_eq!(set.len(), 7);
    let ev = set.evaluate(&Arc::new(fixture()));
    let by = |id: &str| ev.iter().find(|e| e.outcome.id == id).unwrap();
    let uses = by("uses");
    assert_eq!(uses.outcome.status, PolicyStatus::Fail);
    let site = uses.findings[0].policy_site.as_ref().unwrap();
    assert_eq!(&*site.path, "test/_lib/auth.rhai");
    assert_eq!(&site.source[site.span.start..site.span.end], "fail(id, \"from the module\")");
    assert_eq!(by("dots").outcome.status, PolicyStatus::Pass);
    for (id, want, literal) in [
        ("escape", "refused", "\"../secret\""),
        ("absolute", "refused", "\"/etc/hostname\""),
        ("missing", "not found", "\"_lib/nope\""),
    ] {
        let e = &by(id).errors[0];
        assert!(e.message.to_lowercase().contains(want), "{id}: {}", e.message);
        let p = set.policies().iter().find(|p| p.id() == id).unwrap();
        let loc = e.location.as_ref().unwrap();
        let line = p.source().lines().nth(loc.line - 1).unwrap();
        assert!(line[loc.column - 1..].starts_with(literal), "{id}: {loc:?}");
    }
    assert!(
        by("computed").errors[0].message.contains("must be string literals"),
        "{}",
        by("computed").errors[0].message
    );
}

#[test]
fn imports_on_disk_stay_inside_the_policy_directory() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("policies");
    std::fs::create_dir_all(root.join("_lib")).unwrap();
    std::fs::write(d.path().join("secret.rhai"), "fn leak() { 1 }").unwrap();
    std::fs::write(root.join("_lib/auth.rhai"), LIB).unwrap();
    std::fs::write(root.join("ok.rhai"), "import \"_lib/auth\" as a;\nif !a::two_factor(sheet) { fail(\"x\"); }")
        .unwrap();
    std::fs::write(root.join("up.rhai"), "import \"../secret\" as s;").unwrap();
    // refused before looking: whether the file exists outside is not revealed
    std::fs::write(root.join("up2.rhai"), "import \"_lib/../../nothing\" as s;").unwrap();
    std::fs::write(root.join("abs.rhai"), format!("import {:?} as s;", d.path().join("secret").display())).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.path().join("secret.rhai"), root.join("_lib/link.rhai")).unwrap();
        std::fs::write(root.join("link.rhai"), "import \"_lib/link\" as s;").unwrap();
    }
    let set = PolicySet::load(&[&root], Limits::default()).unwrap();
    let ev = set.evaluate(&Arc::new(fixture()));
    let by = |id: &str| ev.iter().find(|e| e.outcome.id == id).unwrap();
    assert_eq!(by("ok").outcome.status, PolicyStatus::Pass);
    let mut refused = vec!["up", "up2", "abs"];
    if cfg!(unix) {
        refused.push("link");
    }
    for id in refused {
        assert_eq!(by(id).outcome.status, PolicyStatus::Error, "{id}");
        assert!(by(id).errors[0].message.contains("refused"), "{id}: {}", by(id).errors[0].message);
    }
}

#[test]
fn loading_files_and_directories() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("b/c")).unwrap();
    std::fs::create_dir_all(d.path().join(".git")).unwrap();
    for f in ["b/c/z.rhai", "b/a.rhai", "b/_helper.rhai", ".git/x.rhai", "b/notes.txt", "single.rhai"] {
        std::fs::write(d.path().join(f), "").unwrap();
    }
    let set = PolicySet::load(&[d.path().join("b"), d.path().join("single.rhai")], Limits::default()).unwrap();
    let ids: Vec<&str> = set.policies().iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["a", "single", "z"]);
    assert!(matches!(PolicySet::load(&[d.path().join("nope")], Limits::default()), Err(LoadError::NotFound { .. })));
    std::fs::create_dir(d.path().join("empty")).unwrap();
    assert!(matches!(PolicySet::load(&[d.path().join("empty")], Limits::default()), Err(LoadError::Empty { .. })));
}

#[test]
fn parallel_evaluation_keeps_findings_apart() {
    use rayon::prelude::*;
    let set = set(&[
        ("a.rhai", "for id in sheet.ids() { if sheet.is_no(id) { fail(id, `${sheet.vendor}: ${id}`); } }"),
        ("b.rhai", "if sheet.vendor.len() % 2 == 0 { warn(sheet.vendor); }"),
    ]);
    let sheets: Vec<Arc<Sheet>> = (0..40)
        .map(|i| {
            let no = ["17.1.a", "17.1.b", "58.2", "99"][i % 4];
            let text = testutil::clean_text()
                .replace("株式会社テスト", &format!("ベンダー{}", "x".repeat(i)))
                .replace(&format!("\"{no}\" = \"はい\""), &format!("\"{no}\" = \"いいえ\""));
            Arc::new(testutil::load(&text))
        })
        .collect();
    let render = |ev: Vec<PolicyEvaluation>| -> Vec<String> {
        ev.iter()
            .flat_map(|e| e.findings.iter().map(move |f| format!("{} {:?} {}", e.outcome.id, f.question, f.message)))
            .collect()
    };
    let serial: Vec<Vec<String>> = sheets.iter().map(|s| render(set.evaluate(s))).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let parallel: Vec<Vec<String>> = pool.install(|| sheets.par_iter().map(|s| render(set.evaluate(s))).collect());
    assert_eq!(serial, parallel);
    assert!(serial[1][0].starts_with("a Some(\"17.1.b\") ベンダーx: 17.1.b"), "{:?}", serial[1]);
}

fn example(name: &str) -> Arc<Sheet> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets").join(name);
    Arc::new(crate::sheet::load_file(&path, &crate::form::FormRegistry::builtin()).unwrap())
}

fn statuses(set: &PolicySet, sheet: &Arc<Sheet>) -> Vec<(String, PolicyStatus)> {
    set.evaluate(sheet).into_iter().map(|e| (e.outcome.id, e.outcome.status)).collect()
}

#[test]
fn builtin_pack_is_complete_and_documented() {
    let set = PolicySet::builtin(Limits::default());
    assert!(set.len() >= 12, "{}", set.len());
    let id = regex::Regex::new(r"^H-[A-Z]+-\d{3}$").unwrap();
    for p in set.policies() {
        assert!(p.error().is_none(), "{}: {}", p.id(), p.error().unwrap().message);
        assert!(id.is_match(p.id()), "{}", p.id());
        let m = p.meta();
        assert!(m.title.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)), "{}: Japanese title", p.id());
        assert!(m.refs.contains("第6.0版"), "{}: refs", p.id());
        assert_eq!(m.forms, ["sds-6.0"], "{}", p.id());
        assert!(p.path().starts_with(BUILTIN_PREFIX));
    }
}

#[test]
fn builtin_pack_passes_the_strong_vendor() {
    let set = PolicySet::builtin(Limits::default());
    let ev = set.evaluate(&example("aozora-cloud.toml"));
    for e in &ev {
        assert_eq!(e.outcome.status, PolicyStatus::Pass, "{}: {:?}", e.outcome.id, e.findings);
        assert!(e.findings.is_empty(), "{}: {:?}", e.outcome.id, e.findings);
    }
}

#[test]
fn builtin_pack_fails_the_weaker_vendor_where_expected() {
    let set = PolicySet::builtin(Limits::default());
    let sheet = example("hinode-systems.json");
    let failed: Vec<String> =
        statuses(&set, &sheet).into_iter().filter(|(_, s)| *s == PolicyStatus::Fail).map(|(id, _)| id).collect();
    assert_eq!(failed, ["H-AUTH-001", "H-AUTH-002", "H-BAK-002", "H-BCP-001", "H-DSP-001", "H-EMG-001", "H-ENC-002"]);
    let ev = set.evaluate(&sheet);
    let errors: Vec<(&str, Option<&str>)> = ev
        .iter()
        .flat_map(|e| e.findings.iter())
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (&*f.rule, f.question.as_deref()))
        .collect();
    assert!(errors.contains(&("H-AUTH-001", Some("17.1.d"))));
    assert!(errors.contains(&("H-BAK-002", Some("58.2"))));
    // TLS 1.2 only is fine; the operational-only log protection is a warning
    let by = |id: &str| ev.iter().find(|e| e.outcome.id == id).unwrap();
    assert_eq!(by("H-NET-001").outcome.status, PolicyStatus::Pass);
    assert_eq!((by("H-LOG-002").outcome.status, by("H-LOG-002").outcome.warnings), (PolicyStatus::Pass, 1));
}

#[test]
fn builtin_pack_respects_gates_and_other_forms() {
    let set = PolicySet::builtin(Limits::default());
    // 51, 53 and 74 非該当: their descendants are 対象外 and the policies
    // skip, saying why
    let mut text = testutil::clean_text();
    for gate in ["51", "53", "74"] {
        text = text.replace(&format!("\"{gate}\" = \"該当\""), &format!("\"{gate}\" = \"非該当\""));
    }
    for q in ["51.3", "53.7", "74.1", "48"] {
        text = text.replace(&format!("\"{q}\" = \"はい\""), &format!("\"{q}\" = \"対象外\""));
    }
    let gated = Arc::new(testutil::load(&text));
    let st = statuses(&set, &gated);
    for id in ["H-ENC-001", "H-MNT-001"] {
        assert!(st.contains(&(id.to_string(), PolicyStatus::Skip)), "{id}: {st:?}");
    }
    let reasons: Vec<_> = set.evaluate(&gated).into_iter().filter_map(|e| e.outcome.reason).collect();
    assert!(reasons.iter().any(|r| r.contains("74: 非該当")), "{reasons:?}");
    // the same questions answered いいえ under open gates fail
    let mut open = testutil::clean_text();
    for q in ["51.3", "74.1"] {
        open = open.replace(&format!("\"{q}\" = \"はい\""), &format!("\"{q}\" = \"いいえ\""));
    }
    let st = statuses(&set, &Arc::new(testutil::load(&open)));
    for id in ["H-ENC-001", "H-MNT-001"] {
        assert!(st.contains(&(id.to_string(), PolicyStatus::Fail)), "{id}: {st:?}");
    }
    // a sheet of another form: every built-in policy is skipped
    let other = crate::form::Form::from_toml(
        "[form]\nid = \"mds-6.0\"\n[[section]]\ntitle = \"s\"\n[[section.question]]\nid = \"1\"\ntext = \"q\"\n",
        "mds.toml",
    )
    .unwrap();
    let mut forms = crate::form::FormRegistry::builtin();
    forms.add(other);
    let mds = crate::sheet::load_str(
        "m.toml",
        "[sheet]\nform = \"mds-6.0\"\n[answers]\n\"1\" = \"はい\"\n".into(),
        crate::sheet::SheetFormat::Toml,
        &forms,
    )
    .unwrap();
    assert!(statuses(&set, &Arc::new(mds)).iter().all(|(_, s)| *s == PolicyStatus::Skip));
}

/// docs/policies.md's table of the built-in pack is its front matter (id,
/// title, refs), in id order.
#[test]
fn docs_pack_table_matches_the_builtin_front_matter() {
    let set = PolicySet::builtin(Limits::default());
    let rows: Vec<String> = set
        .infos()
        .iter()
        .map(|p| format!("| `{}` | {} | {} |", p.id, p.title.replace('|', "\\|"), p.refs.replace('|', "\\|")))
        .collect();
    let doc = include_str!("../../docs/policies.md");
    let got: Vec<&str> = doc
        .lines()
        .skip_while(|l| *l != "| policy | what it requires | 根拠 (refs) |")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(got, rows, "update the table of the built-in pack in docs/policies.md to:\n{}", rows.join("\n"));
}

#[test]
fn answer_labels_name_each_answer_word_as_the_sheet_spells_it() {
    assert_eq!(api::answer_label(None), "unanswered");
    for a in crate::sheet::Answer::ALL {
        assert_eq!(api::answer_label(Some(a)), format!("answered {a}"));
    }
}

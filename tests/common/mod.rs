//! Shared by the report tests: run any format over the example sheets, and
//! a constructed run that covers every status (pass, warn, fail, waived,
//! error, skip), an unreadable sheet, and hostile vendor text.

#![allow(dead_code)]

pub mod escapes;

use std::sync::Arc;

use kaiji::form::FormRegistry;
use kaiji::outcome::RunCommand;
use kaiji::report::{
    self, FailOn, Finding, Format, Location, PolicyInfo, PolicyOutcome, PolicySite, PolicyStatus, RunError, RunInfo,
    Severity, SheetReport, Style, Summary, WaiverNote,
};
use kaiji::runner::{self, Run};
use kaiji::sheet::{self, Sheet, SheetFormat, Span};

/// `kaiji lint examples/sheets -f FORMAT`, through the library.
pub fn lint_examples(format: Format) -> Vec<u8> {
    let forms = FormRegistry::builtin();
    let inputs = runner::expand(&["examples/sheets".to_string()]);
    let runner = Run::new(RunCommand::Lint, &forms).lint(true).fail_on(FailOn::Error).jobs(1).build();
    let mut out = Vec::new();
    {
        let mut r = report::renderer(format, Box::new(&mut out), Style::plain(100));
        runner.run(&inputs, r.as_mut()).unwrap();
    }
    out
}

/// `kaiji check examples/sheets -f FORMAT` (built-in policies + lint),
/// through the library.
pub fn check_examples(format: Format) -> Vec<u8> {
    let forms = FormRegistry::builtin();
    let inputs = runner::expand(&["examples/sheets".to_string()]);
    let policies = kaiji::policy::PolicySet::builtin(Default::default());
    let runner =
        Run::new(RunCommand::Check, &forms).lint(true).policies(&policies).fail_on(FailOn::Error).jobs(2).build();
    let mut out = Vec::new();
    {
        let mut r = report::renderer(format, Box::new(&mut out), Style::plain(100));
        runner.run(&inputs, r.as_mut()).unwrap();
    }
    out
}

pub const HOSTILE_VENDOR: &str = "=HYPERLINK(\"http://evil.example/\",\"click\")";
pub const HOSTILE_SERVICE: &str = "<img src=x onerror=\"document.title='pwned'\">";
pub const HOSTILE_REMARK: &str = "<script>document.title='pwned'</script> | *太字* 二要素認証は未対応";
pub const HOSTILE_NOTE: &str = "+SUM(1,2) @cmd -1";
pub const HOSTILE_TLS_REMARK: &str = "@SUM(1+1) TLS1.0 のみ、\"引用\"\n二行目";

const POLICY_SOURCE: &str =
    "//! id: H-AUTH-001\nif !sheet.is_yes(\"17.1.d\") {\n    fail(\"17.1.d\", \"二要素認証\");\n}\n";

pub fn policies() -> Vec<PolicyInfo> {
    let p = |id: &str, title: &str, refs: &str| PolicyInfo {
        id: id.into(),
        title: title.into(),
        refs: refs.into(),
        path: format!("policies/{}.rhai", id.to_lowercase()),
    };
    vec![
        p("H-AUTH-001", "二要素認証に対応していること", "安全管理ガイドライン第6.0版 システム運用編 14"),
        p("H-BACKUP-002", "バックアップの1世代以上を隔離保管していること", "システム運用編 16"),
        p("H-BCP-004", "非常時の事業継続計画（BCP）を提示していること", ""),
        p("H-MDS-005", "製造業者の開示書（MDS）で医療機器の更新計画を示すこと", "MDS only"),
        p("H-TLS-003", "通信は TLS 1.2 以上で暗号化していること", "システム運用編 13"),
    ]
}

fn load(path: &str, text: String) -> Sheet {
    sheet::load_str(path, text, SheetFormat::Toml, &FormRegistry::builtin()).unwrap()
}

fn at(sheet: &Arc<Sheet>, rule: &str, severity: Severity, id: &str, message: &str) -> Finding {
    let q = sheet.form.index_of(id).unwrap();
    // A lint rule's finding or a policy's, as the check that raises it would make it.
    let f = if kaiji::lint::rule(rule).is_some() { Finding::lint } else { Finding::policy };
    f(rule, severity, message).at_question(sheet, q)
}

fn outcome(id: &str, status: PolicyStatus, warnings: usize) -> PolicyOutcome {
    PolicyOutcome { id: id.into(), status, warnings, reason: None }
}

/// The hostile vendor's sheet: the clean example with vendor text that
/// tries formulas, HTML and Markdown.
fn hostile_sheet() -> Arc<Sheet> {
    let text = std::fs::read_to_string("examples/sheets/aozora-cloud.toml").unwrap();
    let toml_str = |s: &str| toml::Value::String(s.to_string()).to_string();
    let text = text
        .replace("vendor = \"株式会社あおぞらメディカル\"", &format!("vendor = {}", toml_str(HOSTILE_VENDOR)))
        .replace("service = \"あおぞらカルテ クラウド\"", &format!("service = {}", toml_str(HOSTILE_SERVICE)))
        .replace(
            "\"17.1.d\" = { answer = \"はい\", remarks = [7] }",
            &format!("\"17.1.d\" = {{ answer = \"いいえ\", remarks = [7], note = {} }}", toml_str(HOSTILE_NOTE)),
        )
        .replace("\"17.1.e\" = ", "\"17.1.f\" = \"はい\"\n\"17.1.e\" = ");
    let text = replace_remark(&text, 7, HOSTILE_REMARK);
    let text = replace_remark(&text, 24, HOSTILE_TLS_REMARK);
    Arc::new(load("vendors/hostile.toml", text))
}

fn replace_remark(text: &str, n: u32, with: &str) -> String {
    let prefix = format!("{n} = ");
    text.lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{prefix}{}", toml::Value::String(with.to_string()))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The description of a `kaiji check` over [`policies`], lint on,
/// failing on errors: the run every hand-made report here renders under.
pub fn check_run() -> RunInfo {
    RunInfo {
        command: kaiji::outcome::RunCommand::Check,
        policies: policies(),
        fail_on: FailOn::Error,
        rules: kaiji::lint::rule_infos(),
        ..RunInfo::default()
    }
}

/// A run over three sheets and five policies with every cell status.
pub fn demo() -> (RunInfo, Vec<SheetReport>) {
    let run = check_run();

    // 1. A clean vendor, except that `created` is missing (a lint warning).
    let clean_text =
        std::fs::read_to_string("examples/sheets/aozora-cloud.toml").unwrap().replace("created = \"2026-04-01\"\n", "");
    let clean = Arc::new(load("vendors/aozora.toml", clean_text));
    let mut a = SheetReport::new("vendors/aozora.toml", Some(clean.clone()));
    a.findings.extend(kaiji::lint::lint(&clean));
    a.policies = vec![
        outcome("H-AUTH-001", PolicyStatus::Pass, 0),
        outcome("H-BACKUP-002", PolicyStatus::Pass, 0),
        outcome("H-BCP-004", PolicyStatus::Pass, 0),
        outcome("H-MDS-005", PolicyStatus::Skip, 0),
        outcome("H-TLS-003", PolicyStatus::Pass, 0),
    ];
    a.finalize(FailOn::Error);

    // 2. The hostile vendor: a failure, a waived failure, a warning, a
    //    policy error, a skip and a lint error.
    let hostile = hostile_sheet();
    let mut b = SheetReport::new("vendors/hostile.toml", Some(hostile.clone()));
    b.findings.extend(kaiji::lint::lint(&hostile));
    let call = POLICY_SOURCE.find("fail(").unwrap();
    let mut auth =
        at(&hostile, "H-AUTH-001", Severity::Error, "17.1.d", "二要素認証（17.1）に「はい」と回答していること")
            .with_help("ワンタイムパスワード等の二要素認証を導入すること");
    auth.policy_site = Some(PolicySite {
        path: "policies/h-auth-001.rhai".into(),
        source: Arc::from(POLICY_SOURCE),
        span: Span::new(call, call + POLICY_SOURCE[call..].find(';').unwrap()),
    });
    let mut backup = at(&hostile, "H-BACKUP-002", Severity::Error, "58.2", "隔離されたバックアップを保管していること");
    backup.waived = Some(Box::new(WaiverNote {
        reason: "次期更改（2027年4月）で対応予定".into(),
        approver: Some("医療情報部 山田".into()),
        expires: "2027-03-31".into(),
    }));
    let tls = at(&hostile, "H-TLS-003", Severity::Warning, "90", "備考で TLS 1.2 以上を明記していること");
    b.findings.extend([auth, backup, tls]);
    b.errors.push(RunError {
        message: "policies/h-bcp-004.rhai:3:5: function not found: sheet.bcp()".into(),
        policy: Some("H-BCP-004".into()),
        location: Some(Location { path: "policies/h-bcp-004.rhai".into(), line: 3, column: 5 }),
        detail: None,
    });
    b.policies = vec![
        outcome("H-AUTH-001", PolicyStatus::Fail, 0),
        outcome("H-BACKUP-002", PolicyStatus::Waived, 0),
        outcome("H-BCP-004", PolicyStatus::Error, 0),
        outcome("H-MDS-005", PolicyStatus::Skip, 0),
        outcome("H-TLS-003", PolicyStatus::Pass, 1),
    ];
    b.finalize(FailOn::Error);

    // 3. A sheet that cannot be read.
    let forms = FormRegistry::builtin();
    let broken = "[sheet]\nvendor = \"壊れた株式会社\n";
    let err = sheet::load_str("vendors/broken.toml", broken.into(), SheetFormat::Toml, &forms).unwrap_err();
    let location = err.line_col().map(|(line, column)| Location { path: err.path.clone(), line, column });
    let mut e = RunError::from_diagnostic(miette::Report::new(err));
    e.location = location;
    let mut c = SheetReport::new("vendors/broken.toml", None);
    c.errors.push(e);
    c.finalize(FailOn::Error);

    (run, vec![a, b, c])
}

/// Render reports the way the runner does.
pub fn render(format: Format, run: &RunInfo, reports: &[SheetReport]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut r = report::renderer(format, Box::new(&mut out), Style::plain(100));
        let mut summary = Summary { policies: run.policies.len(), ..Summary::default() };
        r.begin(run).unwrap();
        for rep in reports {
            summary.add(rep);
            r.sheet(rep).unwrap();
        }
        r.finish(&summary).unwrap();
    }
    out
}

pub fn demo_output(format: Format) -> Vec<u8> {
    let (run, reports) = demo();
    render(format, &run, &reports)
}

pub fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// Minimal RFC 4180 reader for checking the csv output.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    assert!(field.is_empty() && row.is_empty(), "last record must end with CRLF");
    rows
}

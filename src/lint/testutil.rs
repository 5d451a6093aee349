//! Sheets for rule tests: a clean one, and ways to break it.

use crate::form::{FormRegistry, Kind};
use crate::sheet::{Sheet, SheetFormat, load_str};

/// TOML of a complete, consistent sheet: gates 該当, questions はい, the
/// questions that ask for 備考 cite remark 1.
pub fn clean_text() -> String {
    let forms = FormRegistry::builtin();
    let form = forms.get("sds-6.0").unwrap();
    let mut t = String::from(
        "[sheet]\nvendor = \"株式会社テスト\"\nservice = \"テストカルテ\"\ncreated = \"2026-01-13\"\n\n[answers]\n",
    );
    for q in form.questions() {
        let word = if q.kind == Kind::Applicability { "該当" } else { "はい" };
        if q.asks_for_remark() {
            t.push_str(&format!("\"{}\" = {{ answer = \"{word}\", remarks = [1] }}\n", q.id));
        } else {
            t.push_str(&format!("\"{}\" = \"{word}\"\n", q.id));
        }
    }
    t.push_str("\n[remarks]\n1 = \"パスワードとワンタイムコードの二要素認証\"\n");
    t
}

pub fn load(text: &str) -> Sheet {
    load_str("t.toml", text.to_string(), SheetFormat::Toml, &FormRegistry::builtin()).unwrap()
}

pub fn clean() -> Sheet {
    load(&clean_text())
}

/// The clean sheet with one answer line replaced (`"id" = ...` → `line`).
pub fn with_answer(id: &str, line: &str) -> Sheet {
    let prefix = format!("\"{id}\" = ");
    let text: Vec<String> =
        clean_text().lines().map(|l| if l.starts_with(&prefix) { line.to_string() } else { l.to_string() }).collect();
    load(&text.join("\n"))
}

/// Findings of one rule on a sheet.
pub fn run(rule: &dyn super::Rule, sheet: &Sheet) -> Vec<crate::report::Finding> {
    let mut out = Vec::new();
    rule.check(sheet, &mut out);
    out
}

/// The sheet text a finding underlines.
pub fn underlined<'a>(sheet: &'a Sheet, f: &crate::report::Finding) -> &'a str {
    let s = f.span.expect("finding has a span");
    &sheet.source[s.start..s.end]
}

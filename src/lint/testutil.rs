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
pub fn run(rule: &dyn super::Rule, sheet: &Sheet) -> Vec<crate::outcome::Finding> {
    let mut out = Vec::new();
    rule.check(sheet, &mut out);
    out
}

/// The sheet text a finding underlines.
pub fn underlined<'a>(sheet: &'a Sheet, f: &crate::outcome::Finding) -> &'a str {
    let s = f.span.expect("finding has a span");
    &sheet.source[s.start..s.end]
}

/// The clean sheet with a rule's example laid over it (see
/// [`RuleInfo::example`](super::RuleInfo::example)).
pub fn with_example(example: &str) -> String {
    let mut sheet_table: Option<Vec<&str>> = None;
    let mut answers: Vec<&str> = Vec::new();
    let mut remarks: Vec<&str> = Vec::new();
    let mut other = String::new();
    let mut table = "answers";
    for line in example.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = match name {
                "sheet" => {
                    sheet_table = Some(Vec::new());
                    "sheet"
                }
                "answers" | "remarks" => name,
                _ => {
                    other.push_str(&format!("\n{line}\n"));
                    "other"
                }
            };
            continue;
        }
        match table {
            "sheet" => sheet_table.as_mut().expect("in [sheet]").push(line),
            "answers" if !line.trim().is_empty() => answers.push(line),
            "remarks" if !line.trim().is_empty() => remarks.push(line),
            "other" => {
                other.push_str(line);
                other.push('\n');
            }
            _ => {}
        }
    }
    let key = |l: &str| l.split(" = ").next().unwrap_or("").to_string();
    let mut out = Vec::new();
    let mut in_sheet = false;
    let mut in_answers = false;
    let mut replaced = std::collections::HashSet::new();
    for line in clean_text().lines() {
        if line.starts_with('[') {
            if in_answers {
                // ids the clean sheet does not have go at the end of [answers]
                out.extend(answers.iter().filter(|a| !replaced.contains(&key(a))).map(|a| a.to_string()));
                out.push(String::new());
            }
            in_sheet = line == "[sheet]";
            in_answers = line == "[answers]";
            if in_sheet && let Some(t) = &sheet_table {
                out.push(line.to_string());
                out.extend(t.iter().map(|l| l.to_string()));
                continue;
            }
        } else if in_sheet && sheet_table.is_some() {
            continue;
        } else if in_answers && let Some(a) = answers.iter().find(|a| key(a) == key(line)) {
            replaced.insert(key(line));
            out.push(a.to_string());
            continue;
        }
        out.push(line.to_string());
    }
    out.extend(remarks.iter().map(|r| r.to_string()));
    format!("{}\n{other}", out.join("\n"))
}

//! Canonical sheet writers: the TOML a person diffs and the JSON a machine
//! reads, with the same structure (DESIGN §2). Loading what these write gives
//! back the same [`SheetDoc`].

use std::fmt::Write as _;

use super::AnswerValue;
use super::doc::{DocAnswer, SheetDoc};
use crate::form::Form;

/// The sheet as canonical TOML: `[sheet]`, `[answers]` (in the doc's order,
/// with a comment line at each section change when `form` is given), then
/// `[remarks]` in number order. `header` lines are written first as comments.
pub fn to_toml(doc: &SheetDoc, form: Option<&Form>, header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        for l in line.lines() {
            // A comment holds no control characters (the import's header
            // quotes the input's path).
            let _ = writeln!(out, "# {}", crate::text::printable_line(l));
        }
    }
    if !header.is_empty() {
        out.push('\n');
    }
    out.push_str("[sheet]\n");
    let _ = writeln!(out, "form = {}", basic(&doc.meta.form));
    for (key, value) in [("vendor", &doc.meta.vendor), ("service", &doc.meta.service), ("version", &doc.meta.version)] {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", basic(v));
        }
    }
    if let Some(d) = doc.meta.created {
        let _ = writeln!(out, "created = \"{d}\"");
    }

    out.push_str("\n[answers]\n");
    let mut section: Option<&str> = None;
    for a in &doc.answers {
        if let Some(form) = form {
            let here = form.question(&a.id).map(|q| q.section.as_str());
            if here != section {
                let _ = writeln!(out, "# ── {} ──", here.unwrap_or("フォームにない設問 (not in the form)"));
                section = here;
            }
        }
        let _ = writeln!(out, "{} = {}", basic(&a.id), toml_answer(a));
    }

    out.push_str("\n[remarks]\n");
    for (n, text) in &doc.remarks {
        let _ = writeln!(out, "{n} = {}", if text.contains('\n') { multiline(text) } else { basic(text) });
    }
    out
}

fn toml_answer(a: &DocAnswer) -> String {
    let word = a.answer.as_ref().map(word);
    if a.remarks.is_empty()
        && a.note.is_none()
        && let Some(w) = word
    {
        return basic(w);
    }
    let mut fields = Vec::new();
    if let Some(w) = word {
        fields.push(format!("answer = {}", basic(w)));
    }
    if !a.remarks.is_empty() {
        let nums: Vec<String> = a.remarks.iter().map(u32::to_string).collect();
        fields.push(format!("remarks = [{}]", nums.join(", ")));
    }
    if let Some(n) = &a.note {
        // Inline tables are one line in TOML 1.0: newlines are escaped.
        fields.push(format!("note = {}", basic(n)));
    }
    if fields.is_empty() { "{}".to_string() } else { format!("{{ {} }}", fields.join(", ")) }
}

fn word(v: &AnswerValue) -> &str {
    match v {
        AnswerValue::Known(a) => a.as_str(),
        AnswerValue::Invalid(w) => w,
    }
}

/// A TOML basic string: `"..."` with every special character escaped.
pub fn basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s, false);
    out.push('"');
    out
}

/// A TOML multi-line basic string; newlines stay literal, the rest is
/// escaped as in [`basic`]. The newline after the opening quotes is trimmed
/// by TOML, so the text starts on its own line.
fn multiline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("\"\"\"\n");
    escape_into(&mut out, s, true);
    out.push_str("\"\"\"");
    out
}

fn escape_into(out: &mut String, s: &str, keep_newlines: bool) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Bidi controls too: they would reorder the file on screen.
            c if c.is_control() || crate::text::is_bidi_control(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// The sheet as JSON with the structure of the TOML (answers keep their
/// order, which a JSON object may carry and kaiji's loader preserves).
pub fn to_json(doc: &SheetDoc) -> String {
    let s = |v: &str| serde_json::to_string(v).expect("a string always serialises");
    let mut out = String::from("{\n  \"sheet\": {\n");
    let mut fields = vec![format!("    \"form\": {}", s(&doc.meta.form))];
    for (key, value) in [("vendor", &doc.meta.vendor), ("service", &doc.meta.service), ("version", &doc.meta.version)] {
        if let Some(v) = value {
            fields.push(format!("    \"{key}\": {}", s(v)));
        }
    }
    if let Some(d) = doc.meta.created {
        fields.push(format!("    \"created\": \"{d}\""));
    }
    out.push_str(&fields.join(",\n"));
    out.push_str("\n  },\n  \"answers\": {");
    let answers: Vec<String> = doc
        .answers
        .iter()
        .map(|a| {
            let w = a.answer.as_ref().map(word);
            let value = match (w, a.remarks.is_empty() && a.note.is_none()) {
                (Some(w), true) => s(w),
                _ => {
                    let mut f = Vec::new();
                    if let Some(w) = w {
                        f.push(format!("\"answer\": {}", s(w)));
                    }
                    if !a.remarks.is_empty() {
                        let nums: Vec<String> = a.remarks.iter().map(u32::to_string).collect();
                        f.push(format!("\"remarks\": [{}]", nums.join(", ")));
                    }
                    if let Some(n) = &a.note {
                        f.push(format!("\"note\": {}", s(n)));
                    }
                    format!("{{{}}}", f.join(", "))
                }
            };
            format!("\n    {}: {value}", s(&a.id))
        })
        .collect();
    out.push_str(&answers.join(","));
    out.push_str(if answers.is_empty() { "},\n" } else { "\n  },\n" });
    out.push_str("  \"remarks\": {");
    let remarks: Vec<String> = doc.remarks.iter().map(|(n, t)| format!("\n    \"{n}\": {}", s(t))).collect();
    out.push_str(&remarks.join(","));
    out.push_str(if remarks.is_empty() { "}\n}\n" } else { "\n  }\n}\n" });
    // serde_json leaves DEL, C1 and bidi controls raw.
    match crate::text::escape_json_controls(&out) {
        std::borrow::Cow::Owned(escaped) => escaped,
        std::borrow::Cow::Borrowed(_) => out,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::form::FormRegistry;
    use crate::sheet::doc::DocMeta;
    use crate::sheet::{Answer, SheetFormat, load_str};

    fn reload(text: &str, format: SheetFormat) -> SheetDoc {
        let name = if format == SheetFormat::Json { "t.json" } else { "t.toml" };
        match load_str(name, text.to_string(), format, &FormRegistry::builtin()) {
            Ok(s) => s.to_doc(),
            Err(e) => panic!("{e}\n--- text ---\n{text}"),
        }
    }

    fn sample() -> SheetDoc {
        let mut doc = SheetDoc::new("sds-6.0");
        doc.meta.vendor = Some("株式会社 \"引用\" \\ テスト".into());
        doc.meta.service = Some("サービス\tタブ".into());
        doc.meta.created = Some(jiff::civil::date(2026, 1, 13));
        let mut a = DocAnswer::new("17.1.d");
        a.answer = Some(AnswerValue::Known(Answer::Yes));
        a.remarks = vec![8, 9];
        a.note = Some("一行目\n二行目 \"x\"".into());
        let mut b = DocAnswer::new("1");
        b.answer = Some(AnswerValue::Known(Answer::Applies));
        let mut c = DocAnswer::new("58.1");
        c.remarks = vec![20];
        let mut d = DocAnswer::new("25");
        d.answer = Some(AnswerValue::Invalid("対応済み".into()));
        let mut e = DocAnswer::new("17.1.f");
        e.answer = Some(AnswerValue::Known(Answer::No));
        doc.answers = vec![b, a, d, c, e];
        doc.remarks = BTreeMap::from([
            (8, "複数行\n<ul>\n\"\"\" と \\ を含む\"".to_string()),
            (20, "日次バックアップ".to_string()),
            (100, String::new()),
        ]);
        doc
    }

    #[test]
    fn toml_is_canonical_and_round_trips() {
        let doc = sample();
        let form = FormRegistry::builtin().get("sds-6.0").unwrap();
        let text = to_toml(&doc, Some(&form), &["imported\nfrom x".into()]);
        assert!(text.starts_with("# imported\n# from x\n\n[sheet]\nform = \"sds-6.0\"\n"), "{text}");
        assert!(text.contains("\"1\" = \"該当\"\n"), "{text}");
        assert!(text.contains("\"58.1\" = { remarks = [20] }\n"), "{text}");
        assert!(
            text.contains("\"17.1.d\" = { answer = \"はい\", remarks = [8, 9], note = \"一行目\\n二行目 \\\"x\\\"\" }")
        );
        assert!(text.contains("# ── 技術的安全対策 ──"));
        assert!(text.contains("created = \"2026-01-13\""));
        // 8 before 20 before 100: number order, not string order
        let (p8, p20, p100) =
            (text.find("\n8 = ").unwrap(), text.find("\n20 = ").unwrap(), text.find("\n100 = ").unwrap());
        assert!(p8 < p20 && p20 < p100);
        assert_eq!(reload(&text, SheetFormat::Toml), doc);
        assert_eq!(reload(&to_toml(&doc, None, &[]), SheetFormat::Toml), doc);
    }

    #[test]
    fn json_round_trips() {
        let doc = sample();
        let text = to_json(&doc);
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
        assert_eq!(reload(&text, SheetFormat::Json), doc);
        let empty = SheetDoc::new("sds-6.0");
        assert_eq!(reload(&to_json(&empty), SheetFormat::Json), empty);
        assert_eq!(reload(&to_toml(&empty, None, &[]), SheetFormat::Toml), empty);
    }

    #[test]
    fn example_sheets_round_trip() {
        let forms = FormRegistry::builtin();
        for name in ["aozora-cloud.toml", "hinode-systems.json", "sakura-support.toml"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets").join(name);
            let doc = crate::sheet::load_file(&path, &forms).unwrap().to_doc();
            assert!(doc.answers.len() > 150, "{name}");
            let form = forms.get(&doc.meta.form).unwrap();
            assert_eq!(reload(&to_toml(&doc, Some(&form), &[]), SheetFormat::Toml), doc, "{name} toml");
            assert_eq!(reload(&to_json(&doc), SheetFormat::Json), doc, "{name} json");
        }
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ -~\\t\\n\\r\"\\\\あ-ん亜-熙０-９　〜]{0,40}",
            Just("\"\"\"".to_string()),
            Just("a\\\nb".to_string()),
        ]
    }

    fn word() -> impl Strategy<Value = Option<AnswerValue>> {
        prop_oneof![
            Just(None),
            prop::sample::select(Answer::ALL.to_vec()).prop_map(|a| Some(AnswerValue::Known(a))),
            text().prop_map(|w| Some(AnswerValue::Invalid(w))),
        ]
    }

    prop_compose! {
        fn doc()(
            vendor in prop::option::of(text()),
            service in prop::option::of(text()),
            version in prop::option::of(text()),
            day in prop::option::of(1i8..=28),
            ids in prop::collection::btree_set(prop_oneof![
                prop::sample::select(vec!["1", "17.1.d", "58.1", "100", "59"]).prop_map(str::to_string),
                text(),
            ], 0..6),
            words in prop::collection::vec((word(), prop::collection::vec(0u32..40, 0..3), prop::option::of(text())), 6),
            remarks in prop::collection::btree_map(0u32..50, text(), 0..5),
        ) -> SheetDoc {
            let meta = DocMeta {
                form: "sds-6.0".into(), vendor, service, version,
                created: day.map(|d| jiff::civil::date(2026, 2, d)),
            };
            let answers = ids.into_iter().zip(words).map(|(id, (answer, remarks, note))| {
                DocAnswer { id, answer, remarks, note }
            }).collect();
            SheetDoc { meta, answers, remarks }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_doc_round_trips(doc in doc()) {
            let mut doc = doc.normalized();
            // the loader refuses duplicate ids (after normalisation) and drops
            // entries that hold nothing for a question of the form
            let form = FormRegistry::builtin().get("sds-6.0").unwrap();
            let mut seen = std::collections::HashSet::new();
            doc.answers.retain(|a| seen.insert(a.id.clone()) && !(a.is_empty() && form.index_of(&a.id).is_some()));
            doc.sort_answers(&form);
            prop_assert_eq!(&reload(&to_toml(&doc, Some(&form), &[]), SheetFormat::Toml), &doc);
            prop_assert_eq!(&reload(&to_json(&doc), SheetFormat::Json), &doc);
        }
    }
}

//! Canonical sheet writers: the TOML a person diffs and the JSON a machine
//! reads, with the same structure (docs/sheets.md, "Sheet files"). Loading what these write gives
//! back the same [`SheetDoc`].

use std::fmt::Write as _;

use super::doc::{DocAnswer, SheetDoc};
use super::{Answer, AnswerValue};
use crate::form::{Form, Kind};
use crate::text::printable_line;

/// The sheet as canonical TOML: `[sheet]`, `[answers]` (in the doc's order,
/// with a comment line at each section change when `form` is given), then
/// `[remarks]` in number order, then an imported sheet's `[source]` and
/// `[evidence]`. `header` lines are written first as comments.
pub fn to_toml(doc: &SheetDoc, form: Option<&Form>, header: &[String]) -> String {
    write_toml(doc, form, header, false)
}

/// The sheet as [`to_toml`] writes it, but with every question of `form` in
/// `[answers]`, in form order: a question the doc does not answer is an
/// entry holding no answer word, under a comment with its question text
/// (and its gate, when it sits under a 該当/非該当 question), so a person
/// fills in the blanks in place. What `kaiji import` writes.
pub fn to_toml_fill_in(doc: &SheetDoc, form: &Form, header: &[String]) -> String {
    write_toml(doc, Some(form), header, true)
}

fn write_toml(doc: &SheetDoc, form: Option<&Form>, header: &[String], all_questions: bool) -> String {
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
    let filled;
    let answers: &[DocAnswer] = match form {
        Some(form) if all_questions => {
            filled = every_question(doc, form);
            &filled
        }
        _ => &doc.answers,
    };
    let mut section: Option<&str> = None;
    for a in answers {
        if let Some(form) = form {
            let here = form.question(&a.id).map(|q| q.section.as_str());
            if here != section {
                let _ = writeln!(out, "# ── {} ──", here.unwrap_or("フォームにない設問 (not in the form)"));
                section = here;
            }
            if all_questions
                && a.answer.is_none()
                && let Some(i) = form.index_of(&a.id)
            {
                let q = &form.questions()[i];
                let gate = gate_note(doc, form, i);
                let _ = writeln!(out, "# {} {gate}{}", q.id, printable_line(&q.text));
            }
        }
        let _ = writeln!(out, "{} = {}", basic(&a.id), toml_answer(a));
    }

    out.push_str("\n[remarks]\n");
    for (n, text) in &doc.remarks {
        let _ = writeln!(out, "{n} = {}", if text.contains('\n') { multiline(text) } else { basic(text) });
    }
    if let Some(src) = &doc.source {
        out.push_str("\n# The vendor's file this sheet was imported from (kaiji import).\n[source]\n");
        let _ = writeln!(out, "file = {}", basic(&src.file));
        let _ = writeln!(out, "sha256 = {}", basic(&src.sha256));
        let _ = writeln!(out, "format = {}", basic(&src.format));
    }
    if !doc.evidence.is_empty() {
        out.push_str("\n# Where each answer was read in that file, and the word read there.\n[evidence]\n");
        for e in &doc.evidence {
            let by = e.by.as_ref().map(|b| format!(", by = {}", basic(b))).unwrap_or_default();
            let _ = writeln!(out, "{} = {{ read = {}, at = {}{by} }}", basic(&e.id), basic(&e.read), basic(&e.at));
        }
    }
    out
}

/// The doc's answers with an empty entry for each form question it lacks,
/// in form order, then the ids the form does not know.
fn every_question(doc: &SheetDoc, form: &Form) -> Vec<DocAnswer> {
    let mut slots: Vec<Option<&DocAnswer>> = vec![None; form.len()];
    let mut unknown = Vec::new();
    for a in &doc.answers {
        match form.index_of(&a.id) {
            Some(i) if slots[i].is_none() => slots[i] = Some(a),
            _ => unknown.push(a.clone()),
        }
    }
    let mut out: Vec<DocAnswer> = form
        .questions()
        .iter()
        .zip(slots)
        .map(|(q, a)| a.cloned().unwrap_or_else(|| DocAnswer::new(q.id.clone())))
        .collect();
    out.extend(unknown);
    out
}

/// `〔1 が該当の場合〕 ` for a question under a 該当/非該当 gate, saying so
/// when the doc's answer already closes it.
fn gate_note(doc: &SheetDoc, form: &Form, i: usize) -> String {
    let Some(g) = form.ancestors(i).find(|&g| form.questions()[g].kind == Kind::Applicability) else {
        return String::new();
    };
    let gate = &form.questions()[g].id;
    match doc.answer(gate).and_then(DocAnswer::known) {
        Some(Answer::NotApplicable) => format!("〔{gate} が非該当のため回答不要〕 "),
        _ => format!("〔{gate} が該当の場合〕 "),
    }
}

fn toml_answer(a: &DocAnswer) -> String {
    toml_entry(a.answer.as_ref().map(AnswerValue::as_str), &a.remarks, a.note.as_deref())
}

/// The value of one `[answers]` entry in TOML: the bare word when that is
/// all it holds, else an inline table (`{ answer = …, remarks = […], note
/// = … }`, `{}` when empty). The synthetic sheets' writer shares it.
pub fn toml_entry(word: Option<&str>, remarks: &[u32], note: Option<&str>) -> String {
    if remarks.is_empty()
        && note.is_none()
        && let Some(w) = word
    {
        return basic(w);
    }
    // Inline tables are one line in TOML 1.0: `basic` escapes newlines.
    let fields = entry_fields(word, remarks, note, |key, value| format!("{key} = {value}"), basic);
    if fields.is_empty() { "{}".to_string() } else { format!("{{ {} }}", fields.join(", ")) }
}

/// The fields of one `[answers]` entry's object in JSON (`"answer": …`,
/// `"remarks": […]`, `"note": …`), for an entry that is not a bare word;
/// the caller writes the braces. The synthetic sheets' writer shares it.
pub fn json_entry_fields(word: Option<&str>, remarks: &[u32], note: Option<&str>) -> Vec<String> {
    entry_fields(word, remarks, note, |key, value| format!("\"{key}\": {value}"), json_string)
}

/// An entry's `answer`, `remarks` and `note` fields, those it has, in that
/// order: `field(key, value)` writes one, `string` a string value.
fn entry_fields(
    word: Option<&str>,
    remarks: &[u32],
    note: Option<&str>,
    field: impl Fn(&str, String) -> String,
    string: fn(&str) -> String,
) -> Vec<String> {
    let mut fields = Vec::new();
    if let Some(w) = word {
        fields.push(field("answer", string(w)));
    }
    if !remarks.is_empty() {
        fields.push(field("remarks", format!("[{}]", numbers(remarks))));
    }
    if let Some(n) = note {
        fields.push(field("note", string(n)));
    }
    fields
}

/// A JSON string (serde_json's escaping).
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// `3, 8, 20`: cited remark numbers as both syntaxes list them.
fn numbers(remarks: &[u32]) -> String {
    remarks.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
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
    let s = json_string;
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
            let w = a.answer.as_ref().map(AnswerValue::as_str);
            let value = match (w, a.remarks.is_empty() && a.note.is_none()) {
                (Some(w), true) => s(w),
                _ => format!("{{{}}}", json_entry_fields(w, &a.remarks, a.note.as_deref()).join(", ")),
            };
            format!("\n    {}: {value}", s(&a.id))
        })
        .collect();
    out.push_str(&answers.join(","));
    out.push_str(if answers.is_empty() { "},\n" } else { "\n  },\n" });
    out.push_str("  \"remarks\": {");
    let remarks: Vec<String> = doc.remarks.iter().map(|(n, t)| format!("\n    \"{n}\": {}", s(t))).collect();
    out.push_str(&remarks.join(","));
    out.push_str(if remarks.is_empty() { "}" } else { "\n  }" });
    if let Some(src) = &doc.source {
        let _ = write!(
            out,
            ",\n  \"source\": {{\n    \"file\": {},\n    \"sha256\": {},\n    \"format\": {}\n  }}",
            s(&src.file),
            s(&src.sha256),
            s(&src.format)
        );
    }
    if !doc.evidence.is_empty() {
        let entries: Vec<String> = doc
            .evidence
            .iter()
            .map(|e| {
                let by = e.by.as_ref().map(|b| format!(", \"by\": {}", s(b))).unwrap_or_default();
                format!("\n    {}: {{\"read\": {}, \"at\": {}{by}}}", s(&e.id), s(&e.read), s(&e.at))
            })
            .collect();
        let _ = write!(out, ",\n  \"evidence\": {{{}\n  }}", entries.join(","));
    }
    out.push_str("\n}\n");
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
    use crate::sheet::doc::{DocEvidence, DocHeader, DocSource};
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
        b.answer = Some(AnswerValue::Known(Answer::Applicable));
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

    fn provenance(doc: &mut SheetDoc) {
        doc.source =
            Some(DocSource { file: "業者/vendor \"x\".pdf".into(), sha256: "ab".repeat(32), format: "pdf".into() });
        doc.evidence = vec![
            DocEvidence {
                id: "1".into(),
                read: "該当".into(),
                at: "PDF p.1 (300, 700)".into(),
                by: Some("ellipse".into()),
            },
            DocEvidence { id: "17.1.d".into(), read: "はい".into(), at: "line 40".into(), by: None },
        ];
    }

    #[test]
    fn source_and_evidence_round_trip_in_toml_and_json() {
        let mut doc = sample();
        provenance(&mut doc);
        let form = FormRegistry::builtin().get("sds-6.0").unwrap();
        let text = to_toml(&doc, Some(&form), &[]);
        assert!(text.contains("[source]\nfile = \"業者/vendor \\\"x\\\".pdf\"\n"), "{text}");
        assert!(
            text.contains("[evidence]\n\"1\" = { read = \"該当\", at = \"PDF p.1 (300, 700)\", by = \"ellipse\" }\n")
        );
        let mut expected = doc.clone();
        expected.sort_answers(&form);
        assert_eq!(reload(&text, SheetFormat::Toml), expected);
        assert_eq!(reload(&to_json(&doc), SheetFormat::Json).evidence, doc.evidence);
        assert_eq!(reload(&to_json(&doc), SheetFormat::Json).source, doc.source);
    }

    #[test]
    fn a_changed_answer_shows_against_what_was_read() {
        let mut doc = sample();
        provenance(&mut doc);
        let form = FormRegistry::builtin().get("sds-6.0").unwrap();
        let text = to_toml(&doc, Some(&form), &[])
            .replace("\"17.1.d\" = { answer = \"はい\"", "\"17.1.d\" = { answer = \"いいえ\"");
        let sheet = load_str("t.toml", text, SheetFormat::Toml, &FormRegistry::builtin()).unwrap();
        assert_eq!(sheet.read_at(form.index_of("1").unwrap()).as_deref(), Some("PDF p.1 (300, 700)"));
        assert_eq!(
            sheet.read_at(form.index_of("17.1.d").unwrap()).as_deref(),
            Some("line 40: read はい, changed since")
        );
        assert_eq!(sheet.read_at(form.index_of("2").unwrap()), None);
    }

    /// A word the form does not allow, read and kept as read, is the
    /// vendor's answer unchanged: the place vouches for it.
    #[test]
    fn an_invalid_word_kept_as_read_is_not_changed() {
        let text = "[answers]\n\"17.1.d\" = \"対応済み\"\n\n[evidence]\n\"17.1.d\" = { read = \"対応済み\", at = \"line 40\" }\n";
        let sheet = load_str("t.toml", text.to_string(), SheetFormat::Toml, &FormRegistry::builtin()).unwrap();
        let q = sheet.form.index_of("17.1.d").unwrap();
        assert!(!sheet.changed_since_import(q));
        assert_eq!(sheet.read_at(q).as_deref(), Some("line 40"));
    }

    #[test]
    fn bad_provenance_is_a_located_error() {
        let load = |extra: &str| {
            let text = format!("[answers]\n\"1\" = \"該当\"\n{extra}");
            load_str("t.toml", text, SheetFormat::Toml, &FormRegistry::builtin()).map(|_| ()).unwrap_err().to_string()
        };
        assert!(load("[source]\nfile = \"x.pdf\"\nsha256 = \"12\"\n").contains("64 hex digits"));
        assert!(load("[source]\nfiel = \"x\"\n").contains("unknown key `fiel`"));
        assert!(load("[evidence]\n\"17.1.z\" = { read = \"はい\", at = \"line 1\" }\n").contains("does not have"));
        assert!(load("[evidence]\n\"1\" = { at = \"line 1\" }\n").contains("needs both"));
        assert!(load("[evidence]\n\"1\" = { read = \"該当\", at = \"l\", page = 3 }\n").contains("unknown key `page`"));
        let digest = "0".repeat(64);
        let e = load(&format!("[source]\nfile = \"x.pdf\"\nsha256 = \"{digest}\"\nformat = \"fax\"\n"));
        assert!(e.contains("source.format is 「fax」"), "{e}");
        let e = load("[evidence]\n\"1\" = { read = \"該当\", at = \"l\", by = \"hunch\" }\n");
        assert!(e.contains("read by 「hunch」"), "{e}");
    }

    #[test]
    fn fill_in_writes_every_question_with_its_text_and_gate() {
        let form = FormRegistry::builtin().get("sds-6.0").unwrap();
        let mut doc = SheetDoc::new("sds-6.0");
        let mut gate = DocAnswer::new("1");
        gate.answer = Some(AnswerValue::Known(Answer::NotApplicable));
        let mut cited = DocAnswer::new("2");
        cited.remarks = vec![3];
        doc.answers = vec![gate, cited];
        let text = to_toml_fill_in(&doc, &form, &[]);
        let entries = text.lines().filter(|l| l.starts_with('"')).count();
        assert_eq!(entries, form.len());
        // answered: no comment; unanswered: its text above it, gates noted
        assert!(text.contains("──\n\"1\" = \"非該当\"\n"), "{text}");
        let q11 = &form.question("1.1").unwrap().text;
        assert!(text.contains(&format!("# 1.1 〔1 が非該当のため回答不要〕 {q11}\n\"1.1\" = {{}}\n")));
        let q2 = &form.question("2").unwrap().text;
        assert!(text.contains(&format!("# 2 {q2}\n\"2\" = {{ remarks = [3] }}\n")));
        // what it writes loads back as the doc (empty entries hold nothing)
        assert_eq!(reload(&text, SheetFormat::Toml), doc);
        let open = to_toml_fill_in(&SheetDoc::new("sds-6.0"), &form, &[]);
        assert!(open.contains(&format!("# 1.1 〔1 が該当の場合〕 {q11}\n")));
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
            source in prop::option::of(("[^\\s\\p{C}]([ -~あ-ん]{0,20}[^\\s\\p{C}])?", "[0-9a-f]{64}")),
            evidence in prop::collection::btree_map(
                prop::sample::select(vec!["1", "1.1", "17.1.d", "58.1"]),
                (
                    prop::sample::select(Answer::ALL.to_vec()),
                    "[!-~]{1,12}",
                    prop::option::of(prop::sample::select(crate::sheet::EVIDENCE_KINDS.to_vec())),
                ),
                0..4,
            ),
        ) -> SheetDoc {
            let meta = DocHeader {
                form: "sds-6.0".into(), vendor, service, version,
                created: day.map(|d| jiff::civil::date(2026, 2, d)),
            };
            let answers = ids.into_iter().zip(words).map(|(id, (answer, remarks, note))| {
                DocAnswer { id, answer, remarks, note }
            }).collect();
            let source = source.map(|(file, sha256)| DocSource { file, sha256, format: "pdf".into() });
            let evidence = evidence.into_iter().map(|(id, (read, at, by))| {
                DocEvidence { id: id.to_string(), read: read.as_str().to_string(), at, by: by.map(str::to_string) }
            }).collect();
            SheetDoc { meta, answers, remarks, source, evidence }
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

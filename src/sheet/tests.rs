use super::*;
use crate::form::FormRegistry;

fn load(text: &str) -> Result<Sheet, SheetError> {
    load_str("t.toml", text.to_string(), SheetFormat::Toml, &FormRegistry::builtin())
}

fn load_json(text: &str) -> Result<Sheet, SheetError> {
    load_str("t.json", text.to_string(), SheetFormat::Json, &FormRegistry::builtin())
}

const SAMPLE: &str = r#"[sheet]
vendor = "株式会社テスト"
service = "テストカルテ"
created = "令和8年1月13日"

[answers]
"1" = "該当"
"17.1.d" = { answer = "ＹＥＳ", remarks = [8], note = "ワンタイムコード" }
"58.1" = { remarks = [20] }
"59" = "非該当"
"99.9" = "はい"
"2" = "たぶん"

[remarks]
8 = "二要素認証に対応"
"２０" = "日次バックアップ"
"#;

#[test]
fn toml_sheet_loads_with_spans() {
    let s = load(SAMPLE).unwrap();
    assert_eq!(s.vendor(), "株式会社テスト");
    assert_eq!(s.created().unwrap().to_string(), "2026-01-13");
    assert_eq!(s.form.id, "sds-6.0");
    let d = s.entry("17.1.d").unwrap();
    assert_eq!(d.known(), Some(Answer::Yes));
    assert_eq!(&s.source[d.answer_span().start..d.answer_span().end], "\"ＹＥＳ\"");
    assert_eq!(crate::text::line_col(&s.source, d.id.span.start).0, 8);
    assert_eq!(s.remark_texts_at(s.form.index_of("17.1.d").unwrap()), ["二要素認証に対応", "ワンタイムコード"]);
    // citations without an answer
    assert_eq!(s.entry("58.1").unwrap().known(), None);
    assert_eq!(s.entry("58.1").unwrap().remarks[0].value, 20);
    // unknown id and invalid word are kept for lint
    let unknown = s.answers.iter().find(|a| a.id.value == "99.9").unwrap();
    assert_eq!(unknown.question, None);
    assert_eq!(s.entry("2").unwrap().answer.as_ref().unwrap().value, AnswerValue::Invalid("たぶん".into()));
    assert_eq!(s.remark(20).unwrap().text, "日次バックアップ");
    assert_eq!(s.all_remarks(), "二要素認証に対応\n日次バックアップ");
}

#[test]
fn gates_close_descendants() {
    let s = load(SAMPLE).unwrap();
    let f = &s.form;
    assert_eq!(s.closed_gate(f.index_of("59.1").unwrap()), f.index_of("59"));
    assert_eq!(s.closed_gate(f.index_of("1.1").unwrap()), None);
}

#[test]
fn json_sheet_has_the_same_model_and_byte_spans() {
    let text = r#"{"sheet": {"vendor": "株式会社テスト", "created": "2026年1月13日"},
 "answers": {"1": "該当", "17.1.d": {"answer": "はい", "remarks": [8]}},
 "remarks": {"8": "二要素"}}"#;
    let s = load_json(text).unwrap();
    let d = s.entry("17.1.d").unwrap();
    assert_eq!(&s.source[d.answer_span().start..d.answer_span().end], "\"はい\"");
    assert_eq!(crate::text::line_col(&s.source, d.answer_span().start).0, 2);
    assert_eq!(s.created().unwrap().to_string(), "2026-01-13");
}

#[test]
fn toml_native_date_is_accepted() {
    let s = load("[sheet]\ncreated = 2026-01-13\n").unwrap();
    assert_eq!(s.created().unwrap().to_string(), "2026-01-13");
}

#[test]
fn bad_input_is_a_located_error() {
    let cases: &[(&str, SheetErrorKind, &str)] = &[
        ("", SheetErrorKind::Syntax, "empty"),
        ("[answers]\n\"1\" = \"はい", SheetErrorKind::Syntax, "not valid TOML"),
        ("[answers]\n\"1\" = 3\n", SheetErrorKind::Schema, "string or a table"),
        ("[answer]\n", SheetErrorKind::Schema, "unknown key `answer`"),
        ("[sheet]\nvendr = \"x\"\n", SheetErrorKind::Schema, "unknown key `vendr`"),
        ("[sheet]\ncreated = \"来月\"\n", SheetErrorKind::Schema, "created"),
        ("[sheet]\nform = \"mds-9\"\n", SheetErrorKind::Form, "unknown form"),
        ("[answers]\n\"1\" = { answer = \"はい\", remarks = [\"x\"] }\n", SheetErrorKind::Schema, "remark numbers"),
        ("[remarks]\nabc = \"x\"\n", SheetErrorKind::Schema, "not a number"),
        ("[answers]\n\"1\" = \"はい\"\n\"１\" = \"はい\"\n", SheetErrorKind::Schema, "answered twice"),
        ("[answers]\n\"ｘ1\" = \"はい\"\n\"x1\" = \"はい\"\n", SheetErrorKind::Schema, "answered twice"),
    ];
    for (text, kind, needle) in cases {
        let e = load(text).unwrap_err();
        assert_eq!(e.extra.kind, *kind, "{text:?}: {e}");
        assert!(e.to_string().contains(needle), "{text:?}: {e}");
        if !text.is_empty() {
            assert!(e.span.is_some(), "{text:?} has no span");
        }
    }
    let e = load_json("{\"answers\": {\"1\": \"はい\",}}").unwrap_err();
    assert_eq!(e.extra.kind, SheetErrorKind::Syntax);
    assert!(load_json("[1,2]").unwrap_err().to_string().contains("must be a table"));
}

#[test]
fn json_duplicate_keys_are_errors_with_both_places() {
    let cases: &[(&str, &str)] = &[
        (r#"{"answers": {"1": {"answer": "いいえ", "answer": "はい"}}}"#, "answer"),
        (r#"{"answers": {"1": "はい", "2": "いいえ", "1": "いいえ"}}"#, "1"),
        ("{\"answers\": {\"1\": \"はい\"},\n \"answers\": {\"1\": \"いいえ\"}}", "answers"),
        (r#"{"sheet": {"vendor": "A"}, "answers": {}, "sheet": {"vendor": "B"}}"#, "sheet"),
        (r#"{"remarks": {"8": "x", "8": "y"}}"#, "8"),
    ];
    for (text, key) in cases {
        let e = load_json(text).unwrap_err();
        assert_eq!(e.extra.kind, SheetErrorKind::Syntax, "{text}: {e}");
        assert!(e.message.contains(&format!("duplicate key \"{key}\"")), "{text}: {e}");
        let quoted = format!("\"{key}\"");
        let (second, first) = (e.span.unwrap(), e.extra.first.unwrap());
        assert_eq!(&text[second.start..second.end], quoted, "{text}");
        assert_eq!(&text[first.offset()..first.offset() + first.len()], quoted, "{text}");
        assert!(first.offset() < second.start);
    }
    // Many keys (the hashed path): the duplicate is still found.
    let many: Vec<String> = (1..=60).map(|i| format!("\"x{i}\": \"はい\"")).collect();
    let text = format!("{{\"answers\": {{{}, \"x7\": \"いいえ\"}}}}", many.join(", "));
    let e = load_json(&text).unwrap_err();
    assert!(e.message.contains("duplicate key \"x7\""), "{e}");
    // Equal keys in different objects are fine.
    load_json(r#"{"answers": {"1": {"answer": "はい"}, "2": {"answer": "はい"}}}"#).unwrap();
}

#[test]
fn error_spans_are_on_char_boundaries() {
    let e = load("[sheet]\nvendor = \"株式会社\"\ncreated = \"令和元年四月\"\n").unwrap_err();
    let s = e.span.unwrap();
    let src = &e.src.as_ref().unwrap().inner().text;
    assert!(src.is_char_boundary(s.start) && src.is_char_boundary(s.end));
    assert_eq!(e.line_col().unwrap().0, 3);
}

#[test]
fn binary_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("a.toml");
    std::fs::write(&bin, b"\x00\x01\xff\xfePK\x03\x04").unwrap();
    let e = load_file(&bin, &FormRegistry::builtin()).unwrap_err();
    assert_eq!(e.extra.kind, SheetErrorKind::Encoding);
    assert!(e.message.contains("binary"));
    let sjis = dir.path().join("b.toml");
    std::fs::write(&sjis, b"[sheet]\nvendor = \"\x8a\x94\x8e\xae\"\n").unwrap();
    let e = load_file(&sjis, &FormRegistry::builtin()).unwrap_err();
    assert!(e.message.contains("UTF-8"), "{e}");
    let e = load_file(&dir.path().join("missing.toml"), &FormRegistry::builtin()).unwrap_err();
    assert_eq!(e.extra.kind, SheetErrorKind::Io);
}

/// Mutations of a valid sheet (truncations, byte flips, spliced Japanese)
/// never panic the loader, and every error it returns has an in-bounds span.
#[test]
fn mutated_input_never_panics() {
    let base = SAMPLE.as_bytes().to_vec();
    let json =
        r#"{"sheet": {"vendor": "株"}, "answers": {"1": {"answer": "はい", "remarks": [1]}}, "remarks": {"1": "x"}}"#
            .as_bytes()
            .to_vec();
    // xorshift: deterministic, no dependency
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let forms = FormRegistry::builtin();
    let inserts: [&[u8]; 6] = [b"\"", b"{", b"]", "該当".as_bytes(), b"\n[answers]\n", b"\xe3\x81"];
    for round in 0..3000 {
        let (mut bytes, format) =
            if round % 3 == 0 { (json.clone(), SheetFormat::Json) } else { (base.clone(), SheetFormat::Toml) };
        for _ in 0..(1 + next() % 4) {
            let at = (next() as usize) % (bytes.len() + 1);
            match next() % 3 {
                0 => bytes.truncate(at),
                1 if at < bytes.len() => bytes[at] = next() as u8,
                _ => {
                    let ins = inserts[(next() as usize) % inserts.len()];
                    bytes.splice(at..at, ins.iter().copied());
                }
            }
        }
        let Ok(text) = String::from_utf8(bytes) else { continue };
        if let Err(e) = load_str("f", text.clone(), format, &forms)
            && let Some(s) = e.span
        {
            assert!(s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        }
    }
}

#[test]
fn looks_like_sheet_finds_sheets_and_only_sheets() {
    use SheetFormat::*;
    for toml in [
        "[sheet]\nvendor = \"a\"\n",
        "# c\n[remarks]\n1 = \"x\"\n\n[answers]\n\"1\" = \"該当\"\n",
        "[ \"sheet\" ]\n",
        "sheet = { vendor = \"a\" }\n",
        "sheet.vendor = \"a\"\n",
        "[answers]\n\"1\" = \n", // a syntax error is still a sheet, for loading to report
        "[answers\n\"17.1.d\" = \"はい\"\n",
        "not = [toml",
    ] {
        assert!(looks_like_sheet(toml.as_bytes(), Toml), "{toml}");
    }
    for toml in [
        "[package]\nname = \"kaiji\"\n",
        "[[case]]\nname = \"x\"\nanswers = { \"17.1.1.5\" = \"いいえ\" }\n",
        "answers_override = 1\n",
        "[sheets]\n",
        "",
    ] {
        assert!(!looks_like_sheet(toml.as_bytes(), Toml), "{toml}");
    }
    assert!(looks_like_sheet(br#"{"sheet": {"vendor": "a"}, "answers": {}}"#, Json));
    assert!(looks_like_sheet(b"{\n  \"answers\"\n  : {}}", Json));
    assert!(!looks_like_sheet(br#"{"reason": "compiler-artifact", "package_id": "x"}"#, Json));
    assert!(!looks_like_sheet(br#"["sheet"]"#, Json));
    assert!(looks_like_sheet(b"{\"vendor\": ", Json), "broken JSON is for loading to report");
}

//! The fast path against the `toml` crate: wherever it answers, its tree
//! must be the one `toml` builds (values, order, spans), and it must answer
//! for the files kaiji itself writes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::{check_against_toml, parse};
use crate::form::FormRegistry;
use crate::sheet::tree::from_toml_crate;
use crate::synth::{Generator, Options};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` whose name ends with `ext` (all files for ""),
/// `target/` directories left out.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let keep = |p: &Path| p.to_string_lossy().ends_with(ext);
    let walk = crate::walk::Walk { max_depth: crate::walk::MAX_DEPTH, skip_name: &|n| n == "target", keep: &keep };
    out.extend(walk.run(dir).files);
}

fn generated(seed: u64, problem_rate: f64, count: u64) -> Vec<String> {
    let g = Generator::new(FormRegistry::builtin().get("sds-6.0").unwrap(), Options { seed, problem_rate });
    (0..count).map(|i| g.sheet(i).to_toml()).collect()
}

#[test]
fn example_sheets_take_the_fast_path() {
    let mut paths = Vec::new();
    files(&repo().join("examples/sheets"), ".toml", &mut paths);
    assert!(paths.len() >= 2);
    for path in paths {
        assert!(check_against_toml(&read(&path)), "{} declined", path.display());
    }
}

#[test]
fn generated_sheets_take_the_fast_path() {
    // clean sheets, and sheets nearly all carrying injected lint problems
    for (seed, rate) in [(1, 0.1), (7, 0.9)] {
        for (i, text) in generated(seed, rate, 150).iter().enumerate() {
            assert!(check_against_toml(text), "sheet {i} of seed {seed} declined");
        }
    }
}

#[test]
fn canonical_writer_output_takes_the_fast_path() {
    let forms = FormRegistry::builtin();
    for name in ["aozora-cloud.toml", "hinode-systems.json", "sakura-support.toml"] {
        let mut doc = crate::sheet::load_file(&repo().join("examples/sheets").join(name), &forms).unwrap().to_doc();
        // escapes the writer produces: quotes, backslashes, tabs, newlines in notes
        doc.answers[0].note = Some("一行目\n二行目 \"引用\"\t\\ と \r".into());
        doc.remarks.insert(99, "タブ\tと \"引用\" と \\".into());
        let form = forms.get(&doc.meta.form).unwrap();
        let text = crate::sheet::write::to_toml(&doc, Some(&form), &["imported\nfrom x".into()]);
        assert!(check_against_toml(&text), "{name}\n{text}");
        // what `kaiji import` writes: every question, [source], [evidence]
        doc.source = Some(crate::sheet::DocSource {
            file: "業者 \"x\".pdf".into(),
            sha256: "0f".repeat(32),
            format: "pdf".into(),
        });
        doc.evidence = vec![crate::sheet::DocEvidence {
            id: "17.1.d".into(),
            read: "はい".into(),
            at: "PDF p.3 (408, 752)".into(),
            by: Some("ellipse".into()),
        }];
        doc.answers.retain(|a| a.id != "2");
        let text = crate::sheet::write::to_toml_fill_in(&doc, &form, &["imported".into()]);
        assert!(text.contains("\"2\" = {}\n") && text.contains("[evidence]"), "{text}");
        assert!(check_against_toml(&text), "{name} fill-in\n{text}");
    }
}

/// Every TOML file in the repository (sheets, policy tests, catalogs,
/// manifests) and every saved fuzz input: most leave the subset, and the
/// fast path must then decline.
#[test]
fn every_toml_file_in_the_repo_agrees() {
    let mut paths = Vec::new();
    for dir in ["examples", "tests", "policies", "src", "benches", "fuzz"] {
        files(&repo().join(dir), ".toml", &mut paths);
    }
    files(&repo().join("tests/fuzz_regressions/sheet_toml"), "", &mut paths);
    paths.extend(["Cargo.toml", "rustfmt.toml"].map(|f| repo().join(f)));
    paths.sort();
    paths.dedup();
    let mut accepted = Vec::new();
    for path in &paths {
        let Ok(text) = String::from_utf8(std::fs::read(path).unwrap()) else { continue };
        // as the loader does
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        if check_against_toml(text) {
            accepted.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(paths.len() > 20, "{paths:?}");
    for name in [
        "aozora-cloud.toml",
        "accept-bom-crlf.toml",
        "accept-citation-only-and-empty-note.toml",
        "accept-fast-path-subset.toml",
    ] {
        assert!(accepted.iter().any(|a| a == name), "{name} declined; accepted: {accepted:?}");
    }
}

/// In the subset: the fast path answers, with `toml`'s tree.
const ACCEPTED: &[&str] = &[
    "",
    "\n\n# only comments\n\t# indented\n",
    "[sheet]\nform = \"sds-6.0\"   # trailing comment\nvendor = \"株式会社テスト\"#glued\n",
    "  [ answers ]\t# header comment\n\"1\" = { answer = \"はい\", remarks = [1, 2] }\n",
    "[answers]\r\n\"1\" = \"はい\"\r\n# c\r\n\r\n\"2\" = { remarks = [3] }\r\n",
    "[remarks]\n8 = \"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\"\n\"9\\t\" = \"\"\n",
    "x = [ 1 , \"a\" , ]\ny = {}\nz = { }\n\"\" = 0\nw = []\nv = 1#c\n",
    "top = 1\n[a]\nx = 9223372036854775\n[b]\n[c]\ny=0",
    "a = [[1], [2, [3]]]\nb = { c = { d = [1] } }\ne = [{ f = 1 }, {}]\n",
    "key-with_dash = \"x\"\n\"quoted key\" = \"tab\there\"\n",
];

/// Valid TOML outside the subset: `toml` reads it, the fast path declines.
const DECLINED: &[&str] = &[
    "a.b = 1\n",
    "a . b = 1\n",
    "[a.b]\n",
    "[[case]]\nx = 1\n",
    "x = { a.b = 1 }\n",
    "x = 'literal'\n",
    "'literal key' = 1\n",
    "x = \"\"\"\nmulti-line\"\"\"\n",
    "x = \"\"\"\"\"\"\n",
    "x = 1_000\n",
    "x = +1\n",
    "x = -1\n",
    "x = 0x1f\n",
    "x = 1.5\n",
    "x = 1e3\n",
    "x = true\n",
    "x = inf\n",
    "created = 2026-01-13\n",
    "t = 07:32:00\n",
    "x = \"\\u00e9\"\n",
    "x = \"\\U0001F600\"\n",
    "x = \"\\e\"\n",
    "x = \"\\x41\"\n",
    "x = [\n1,\n]\n",
    "x = [1, # c\n]\n",
    "x = { a = 1, }\n",
    "x = {\n}\n",
    "x = 99999999999999999999\n",
    "x = 1234567890123456789\n",
    "a = [[[[1]]]]\n",
    "\u{FEFF}x = 1\n",
];

/// Not TOML: `toml` rejects it (with its message), the fast path declines.
const INVALID: &[&str] = &[
    "a = 1\na = 2\n",
    "\"a\" = 1\na = 2\n",
    "[a]\n[a]\n",
    "[a]\nx = 1\n[b]\n[a]\n",
    "a = 1\n[a]\n",
    "[a]\nx = 1\nx = 2\n",
    "x = { a = 1, a = 2 }\n",
    "x = { \"a\" = 1, b = 2, a = 3 }\n",
    "x = 01\n",
    "x = 00\n",
    "x = 1x\n",
    "x = \"a\rb\"\n",
    "x = \"a\u{7f}b\"\n",
    "x = \"a\u{1}b\"\n",
    "x = 1\r",
    "x = 1\ry = 2\n",
    "# \u{7f}\n",
    "# \u{0}\n",
    "x = \"unterminated\n",
    "x = \"unterminated",
    "[a] x = 1\n",
    "x = 1 y = 2\n",
    "x = 1 2\n",
    "x = [1 2]\n",
    "x = [1,,2]\n",
    "x = [,]\n",
    "x = \n",
    "x\n",
    "= 1\n",
    "x = \"\\q\"\n",
    "x = \"\\\"\n",
    "[]\n",
    "[a\n",
    "[a]]\n",
    "[[a]\n",
    "[a]x\n",
    "x = { a = 1 b = 2 }\n",
    "x = { a = 1\n",
    "x = [1\n",
    "\"x = 1\n",
    "x = {,}\n",
];

#[test]
fn the_subset_is_accepted_with_tomls_tree() {
    for text in ACCEPTED {
        assert!(check_against_toml(text), "declined:\n{text}");
    }
}

#[test]
fn valid_toml_outside_the_subset_is_left_to_toml() {
    for text in DECLINED {
        assert!(from_toml_crate(text).is_ok(), "toml rejects:\n{text}");
        assert!(parse(text).is_none(), "accepted:\n{text}");
    }
}

#[test]
fn invalid_toml_is_left_to_toml() {
    for text in INVALID {
        assert!(from_toml_crate(text).is_err(), "toml accepts:\n{text}");
        assert!(parse(text).is_none(), "accepted:\n{text}");
    }
    // a duplicate among many keys (tables of more than a few keys are
    // checked by sorting their names)
    let mut big: String = (1..=20).map(|i| format!("\"{i}\" = \"はい\"\n")).collect();
    big.push_str("\"7\" = \"いいえ\"\n");
    for text in [big.clone(), format!("[answers]\n{big}"), big.replace("\"7\" = \"い", "7 = \"い")] {
        assert!(from_toml_crate(&text).is_err());
        assert!(parse(&text).is_none(), "accepted:\n{text}");
    }
}

#[test]
fn spans_are_tomls() {
    let text = "[ answers ]  # c\n\"17.1.a\" = { answer = \"はい\", remarks = [8, 9] }\n";
    let root = parse(text).unwrap();
    let at = |s: crate::sheet::Span| &text[s.start..s.end];
    assert_eq!((root.span.start, root.span.end), (0, 0));
    let super::Value::Table(top) = &root.value else { panic!() };
    let (key, table) = &top[0];
    assert_eq!((at(key.span), at(table.span)), ("answers", "[ answers ]"));
    let super::Value::Table(answers) = &table.value else { panic!() };
    let (id, entry) = &answers[0];
    assert_eq!(at(id.span), "\"17.1.a\"");
    assert_eq!(id.name, "17.1.a");
    assert_eq!(at(entry.span), "{ answer = \"はい\", remarks = [8, 9] }");
    let super::Value::Table(fields) = &entry.value else { panic!() };
    assert_eq!(
        fields.iter().map(|(k, v)| (at(k.span), at(v.span))).collect::<Vec<_>>(),
        [("answer", "\"はい\""), ("remarks", "[8, 9]")]
    );
    assert!(check_against_toml(text));
}

/// Pieces spliced into sheets: the subset's own syntax, and everything
/// just outside it.
const SNIPPETS: &[&str] = &[
    "# c",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\"",
    "\\",
    "\\n",
    "\\\"",
    "\\u0041",
    "\\e",
    "\\x41",
    "'",
    "=",
    ".",
    ",",
    "[",
    "]",
    "{",
    "}",
    "[[x]]\n",
    "a.b = 1\n",
    "\"1\" = \"はい\"\n",
    "[answers]\n",
    "[sheet]\n",
    "[remarks]\n",
    "8 = \"x\"\n",
    "1_000",
    "+1",
    "-1",
    "01",
    "0",
    "1.5",
    "true",
    "2026-01-13",
    "\"\"\"",
    "'''",
    "\u{7f}",
    "\u{0}",
    "\u{1b}",
    "\u{feff}",
    "é",
    "あ",
    "99999999999999999999",
    "x = 1\n",
    "{ a = 1, }",
    "[1,]",
    "{}",
    "[]",
    "\"\"",
    "answer = \"はい\", ",
    "remarks = [1], ",
    "note = \"n\", ",
];

const BASE: &str = "# 手書きの開示書\n\n[sheet]\nform = \"sds-6.0\"  # 既定\nvendor = \"株式会社 \\\"テスト\\\"\"\n\
created = \"2026-01-13\"\n\n[answers]\n\"1\" = \"該当\"\n\"1.1\" = { answer = \"はい\", remarks = [1, 2], note = \
\"一行目\\n二行目\" }\n\"2\" = { remarks = [2] }\n\"3\" = {}\n\n[remarks]\n1 = \"TLS1.3\\tで暗号化\"\n\"2\" = \"日次\"\n";

#[derive(Debug, Clone)]
enum Edit {
    Insert(prop::sample::Index, prop::sample::Index),
    Delete(prop::sample::Index, usize),
    Replace(prop::sample::Index, char),
    Truncate(prop::sample::Index),
    /// Copy the line holding the place after itself: duplicate keys and tables.
    DuplicateLine(prop::sample::Index),
    /// Flip one bit of an ASCII character (it stays ASCII, so UTF-8).
    FlipBit(prop::sample::Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index;
    prop_oneof![
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, s)| Edit::Insert(at, s)),
        1 => (any::<Index>(), 1usize..6).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (any::<Index>(), any::<char>()).prop_map(|(at, c)| Edit::Replace(at, c)),
        1 => any::<Index>().prop_map(Edit::Truncate),
        1 => any::<Index>().prop_map(Edit::DuplicateLine),
        2 => (any::<Index>(), 0u8..7).prop_map(|(at, bit)| Edit::FlipBit(at, bit)),
    ]
}

fn apply(text: &mut String, edit: &Edit) {
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let char_end = |i: usize| text[i..].chars().next().map_or(i, |c| i + c.len_utf8());
    match *edit {
        Edit::Insert(at, s) => text.insert_str(*at.get(&bounds), SNIPPETS[s.index(SNIPPETS.len())]),
        Edit::Delete(at, n) => {
            let i = at.index(bounds.len());
            text.replace_range(bounds[i]..bounds[(i + n).min(bounds.len() - 1)], "");
        }
        Edit::Replace(at, c) => {
            let i = *at.get(&bounds);
            text.replace_range(i..char_end(i), c.encode_utf8(&mut [0; 4]));
        }
        Edit::Truncate(at) => text.truncate(*at.get(&bounds)),
        Edit::DuplicateLine(at) => {
            let i = *at.get(&bounds);
            let start = text[..i].rfind('\n').map_or(0, |p| p + 1);
            let end = text[i..].find('\n').map_or(text.len(), |p| i + p + 1);
            let line = text[start..end].to_string();
            text.insert_str(end, &line);
        }
        Edit::FlipBit(at, bit) => {
            let i = *at.get(&bounds);
            if let Some(c) = text[i..].chars().next().filter(char::is_ascii) {
                let flipped = char::from(c as u8 ^ (1 << bit));
                text.replace_range(i..i + 1, flipped.encode_utf8(&mut [0; 4]));
            }
        }
    }
}

fn bases() -> Vec<String> {
    let mut bases = vec![BASE.to_string(), BASE.replace('\n', "\r\n")];
    bases.extend(generated(3, 0.5, 3));
    bases
}

/// Whitespace between tokens, comment text (tabs, printable ASCII, any
/// non-ASCII), names and string contents the writer escapes without `\u`,
/// and raw string contents (C1 controls, BOM, emoji need no escape).
const WS: &str = "[ \t]{0,2}";
const COMMENT: &str = r"[^\x00-\x08\x0a-\x1f\x7f]{0,12}";
const TEXT: &str = "[ -~\t\n\r\u{8}\u{c}あ-んé\u{a0}-\u{ff}😀]{0,8}";
const RAW: &str = r#"[^\x00-\x08\x0a-\x1f\x7f"\\]{0,10}"#;

/// A name, and whether it is written quoted.
fn name() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        "[A-Za-z0-9_-]{1,6}".prop_map(|n| (n, false)),
        TEXT.prop_map(|n| (n, true)),
        "[0-9]{1,2}".prop_map(|n| (n, true))
    ]
}

fn written((name, quoted): &(String, bool)) -> String {
    if *quoted { crate::sheet::write::basic(name) } else { name.clone() }
}

/// Drops entries whose name came earlier: the subset has no duplicates.
fn unique<T>(entries: Vec<((String, bool), T)>, seen: &mut HashSet<String>) -> Vec<((String, bool), T)> {
    entries.into_iter().filter(|(n, _)| seen.insert(n.0.clone())).collect()
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        TEXT.prop_map(|s| crate::sheet::write::basic(&s)),
        RAW.prop_map(|s| format!("\"{s}\"")),
        (0u64..1000).prop_map(|n| n.to_string()),
        (0u64..1_000_000_000_000_000_000).prop_map(|n| n.to_string()),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), WS, any::<bool>()).prop_map(|(items, w, trailing)| {
                let comma = if trailing && !items.is_empty() { "," } else { "" };
                format!("[{w}{}{comma}{w}]", items.join(&format!("{w},{w}")))
            }),
            (prop::collection::vec((name(), (inner, WS)), 0..4), WS).prop_map(|(fields, w)| {
                let fields: Vec<String> = unique(fields, &mut HashSet::new())
                    .iter()
                    .map(|(n, (v, w))| format!("{}{w}={w}{v}", written(n)))
                    .collect();
                format!("{{{w}{}{w}}}", fields.join(", "))
            }),
        ]
    })
}

/// Trailing whitespace and comment, LF or CRLF, maybe a blank or comment line.
fn line_end() -> impl Strategy<Value = String> {
    let rest = (WS, prop::option::of(COMMENT), any::<bool>());
    (rest.clone(), prop::option::of(rest)).prop_map(|(end, extra)| {
        [Some(end), extra]
            .into_iter()
            .flatten()
            .map(|(w, comment, crlf)| {
                format!(
                    "{w}{}{}",
                    comment.map(|c| format!("#{c}")).unwrap_or_default(),
                    if crlf { "\r\n" } else { "\n" }
                )
            })
            .collect()
    })
}

prop_compose! {
    /// A random document in the subset, keys unique per table.
    fn document()(
        headers in prop::collection::vec((name(), (WS, WS, line_end())), 0..4),
        entries in prop::collection::vec((name(), (0usize..4, WS, WS, value(), line_end())), 0..16),
    ) -> String {
        let mut root = HashSet::new();
        let headers = unique(headers, &mut root);
        let mut out = String::new();
        for table in 0..=headers.len() {
            if let Some((name, (w1, w2, end))) = table.checked_sub(1).map(|h| &headers[h]) {
                out += &format!("{w1}[{w2}{}{w2}]{end}", written(name));
            }
            let wanted = entries.iter().filter(|(_, (t, ..))| *t == table).cloned().collect();
            let mut seen = HashSet::new();
            for (name, (_, w1, w2, value, end)) in unique(wanted, if table == 0 { &mut root } else { &mut seen }) {
                out += &format!("{w1}{}{w2}={w2}{value}{end}", written(&name));
            }
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Random documents built from the subset's grammar are accepted, with
    /// `toml`'s tree.
    #[test]
    fn random_documents_in_the_subset_are_accepted(text in document()) {
        prop_assert!(check_against_toml(&text), "declined:\n{}", text);
    }

    /// Random edits of sheets, in and out of the subset, even out of
    /// TOML: whenever the fast path answers, it answers as `toml` does.
    #[test]
    fn mutated_sheets_agree(base in prop::sample::select(bases()), edits in prop::collection::vec(edit(), 1..4)) {
        let mut text = base;
        for e in &edits {
            apply(&mut text, e);
        }
        check_against_toml(&text);
    }

    /// Edits that keep a sheet in the subset (comments, blank lines,
    /// indentation, trailing comments) keep it on the fast path.
    #[test]
    fn harmless_edits_stay_on_the_fast_path(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..5), 1..8),
    ) {
        let mut text = base;
        for (line, what) in &edits {
            let starts: Vec<usize> = [0].into_iter().chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
            let start = *line.get(&starts);
            let end = text[start..].find(['\r', '\n']).map_or(text.len(), |p| start + p);
            match what {
                0 => text.insert_str(start, "# コメント\n"),
                1 => text.insert(start, '\n'),
                2 => text.insert_str(start, " \t"),
                3 => text.insert_str(end, "  # 末尾のコメント"),
                _ => text.insert_str(end, "\t "),
            }
        }
        prop_assert!(check_against_toml(&text), "declined:\n{}", text);
    }
}

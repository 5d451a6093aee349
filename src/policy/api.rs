//! Everything a policy can call: the `sheet` API, the text helpers and the
//! outcomes of README "Writing policies". Each function is registered with its parameter
//! names and doc comment, which `kaiji api` prints, so the reference is
//! generated from what is registered and cannot drift.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, Map, NativeCallContext, Position,
};

use super::engine::{check_budget, record, trace, with_current};
use crate::outcome::{Finding, PolicySite, Read, Severity};
use crate::sheet::Sheet;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// The sheet under evaluation as Rhai sees it: a handle on the shared,
/// immutable sheet (cloning it clones an `Arc`, never the sheet).
#[derive(Clone)]
pub struct SheetRef(pub Arc<Sheet>);

/// A kaiji error in a policy: returned, and remembered for the evaluation,
/// so catching it (or a built-in swallowing it) cannot turn it into a pass.
fn err<T>(msg: impl Into<String>, pos: Position) -> Res<T> {
    Err(record(EvalAltResult::ErrorRuntime(msg.into().into(), pos).into()))
}

/// Form index of a question id written by a policy (NFKC-normalised), or a
/// policy error with the nearest real id.
fn index(sheet: &Sheet, id: &str, pos: Position) -> Res<usize> {
    if let Some(q) = sheet.form.index_of(id) {
        return Ok(q);
    }
    let norm = crate::text::normalize(id);
    if let Some(q) = sheet.form.index_of(&norm) {
        return Ok(q);
    }
    let hint = sheet.form.suggest(&norm).map(|s| format!(" — did you mean \"{s}\"?")).unwrap_or_default();
    err(format!("unknown question id \"{id}\": it is not in form {}{hint}", sheet.form.id), pos)
}

// ── reads, for `--explain` (built only while tracing) ──

fn answer_read(sheet: &Sheet, q: usize) -> Read {
    Read::new("answer", sheet.answer_at(q).map_or("unanswered", |a| a.as_str())).on(&sheet.form.questions()[q].id)
}

fn in_scope_read(sheet: &Sheet, q: usize) -> Read {
    let value = match sheet.closed_gate(q) {
        None => "in scope".to_string(),
        Some(g) => format!("out of scope ({} = 非該当)", sheet.form.questions()[g].id),
    };
    Read::new("in_scope", value).on(&sheet.form.questions()[q].id)
}

fn remarks_read(sheet: &Sheet, q: usize) -> Read {
    let entry = sheet.entry_at(q);
    let numbers: Vec<u32> = entry
        .map(|e| e.remarks.iter().map(|n| n.value).filter(|n| sheet.remark(*n).is_some()).collect())
        .unwrap_or_default();
    let note = entry.is_some_and(|e| e.note.is_some());
    let value = match (numbers.is_empty(), note) {
        (_, true) => "note",
        (true, false) => "none",
        (false, false) => "",
    };
    Read::new("remarks", value).on(&sheet.form.questions()[q].id).remarks(numbers)
}

fn metadata_read(field: &'static str, value: &str) -> Read {
    Read::new("metadata", if value.is_empty() { "(absent)" } else { value }).field(field)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The words `mentions` looked for, shortened for a trace.
fn words_shown(words: &Dynamic) -> String {
    const SHOWN: usize = 8;
    if let Some(w) = words.read_lock::<ImmutableString>() {
        return w.to_string();
    }
    let Some(arr) = words.read_lock::<Array>() else { return String::new() };
    let mut shown: Vec<String> = arr.iter().take(SHOWN).map(|w| w.to_string()).collect();
    if arr.len() > SHOWN {
        shown.push(format!("… ({} words)", arr.len()));
    }
    shown.join(" | ")
}

fn str_dyn(s: &str) -> Dynamic {
    Dynamic::from(ImmutableString::from(s))
}

/// Text passed to a helper: a string, an array of strings (joined with line
/// breaks) or `()` (no text).
fn text_arg(fname: &str, v: &Dynamic, pos: Position) -> Res<ImmutableString> {
    if v.is_unit() {
        return Ok(ImmutableString::new());
    }
    if v.is_string() {
        return Ok(v.clone().into_immutable_string().expect("checked is_string"));
    }
    if v.is_array() {
        let arr = v.read_lock::<Array>().expect("checked is_array");
        // The joined text obeys the string-size limit like any string the
        // policy builds; checked before anything is copied.
        let max = super::engine::max_string_size();
        let mut len = 0usize;
        for (i, item) in arr.iter().enumerate() {
            let Some(s) = item.read_lock::<ImmutableString>() else {
                return err(
                    format!("{fname}: element {i} of the text array is {}, not a string", item.type_name()),
                    pos,
                );
            };
            len = len.saturating_add(s.len() + 1);
            if len > max.saturating_add(1) {
                return Err(record(
                    EvalAltResult::ErrorDataTooLarge(format!("Length of the text {fname} joins"), pos).into(),
                ));
            }
        }
        let mut out = String::with_capacity(len);
        for (i, item) in arr.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&item.read_lock::<ImmutableString>().expect("checked above"));
        }
        return Ok(out.into());
    }
    err(format!("{fname}: expected text (a string, an array of strings or ()), got {}", v.type_name()), pos)
}

/// Lower-cased NFKC form for case-insensitive containment (borrowed when
/// `s` already is one: sheet text is normalised when it loads).
fn fold(s: &str) -> Cow<'_, str> {
    let n = crate::text::normalized(s);
    // ASCII is lower-cased in place; kana and kanji have no case. Other
    // text takes the full Unicode mapping.
    if crate::text::has_ascii_case_only(&n) {
        if n.bytes().any(|b| b.is_ascii_uppercase()) {
            let mut n = n.into_owned();
            n.make_ascii_lowercase();
            return Cow::Owned(n);
        }
        n
    } else {
        Cow::Owned(n.to_lowercase())
    }
}

fn mentions(ctx: NativeCallContext, text: Dynamic, words: Dynamic) -> Res<bool> {
    if !super::engine::tracing() {
        return mentions_in(ctx, text, words);
    }
    let shown = words_shown(&words);
    let found = mentions_in(ctx, text, words)?;
    trace(|| Read::new("mentions", yes_no(found)).field(shown));
    Ok(found)
}

fn mentions_in(ctx: NativeCallContext, text: Dynamic, words: Dynamic) -> Res<bool> {
    let pos = ctx.call_position();
    let text = text_arg("mentions", &text, pos)?;
    let text = fold(&text);
    let folded = |i: Option<usize>, w: &Dynamic| -> Res<String> {
        let Some(w) = w.read_lock::<ImmutableString>() else {
            let which = i.map_or("the word".to_string(), |i| format!("word {i}"));
            return err(format!("mentions: {which} is {}, not a string", w.type_name()), pos);
        };
        let w = fold(&w);
        if w.is_empty() {
            return err("mentions: an empty word would match any text", pos);
        }
        Ok(w.into_owned())
    };
    if words.is_string() {
        return Ok(memchr::memmem::find(text.as_bytes(), folded(None, &words)?.as_bytes()).is_some());
    }
    if !words.is_array() {
        return err(format!("mentions: expected a word or an array of words, got {}", words.type_name()), pos);
    }
    let arr = words.read_lock::<Array>().expect("checked is_array");
    let mut list = Vec::with_capacity(arr.len());
    for (i, w) in arr.iter().enumerate() {
        list.push(folded(Some(i), w)?);
        if i % 256 == 255 {
            check_budget(pos)?;
        }
    }
    // A policy's word list is usually a dozen words over short remarks:
    // searching each is cheapest. Many words (a generated list, a flood)
    // take one pass for all (Aho-Corasick, the NFA that is cheap to build),
    // unless they are so long that building it would cost more than the
    // search; either way within the deadline.
    let total: usize = list.iter().map(String::len).sum();
    if list.len() > MENTIONS_SCAN_WORDS && total <= MENTIONS_AUTOMATON_BYTES {
        let ac = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(&list)
            .map_err(|e| record(EvalAltResult::ErrorRuntime(format!("mentions: {e}").into(), pos).into()))?;
        return Ok(ac.is_match(text.as_bytes()));
    }
    for (i, w) in list.iter().enumerate() {
        if i % 64 == 63 {
            check_budget(pos)?;
        }
        if memchr::memmem::find(text.as_bytes(), w.as_bytes()).is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Words up to which `mentions` searches them one by one.
const MENTIONS_SCAN_WORDS: usize = 64;

/// Total bytes of words up to which `mentions` builds one automaton.
const MENTIONS_AUTOMATON_BYTES: usize = 1 << 20;

/// Compiled regexes by pattern, per thread (no lock on the hot path); an
/// invalid pattern is remembered with its error.
const REGEX_CACHE_MAX: usize = 256;
const REGEX_SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    static REGEXES: RefCell<HashMap<String, Result<regex::Regex, String>>> = RefCell::new(HashMap::new());
}

fn matches(ctx: NativeCallContext, text: Dynamic, pattern: &str) -> Res<bool> {
    let pos = ctx.call_position();
    let text = text_arg("matches", &text, pos)?;
    let text = crate::text::normalized(&text);
    REGEXES.with_borrow_mut(|cache| {
        if !cache.contains_key(pattern) {
            if cache.len() >= REGEX_CACHE_MAX {
                cache.clear();
            }
            let compiled = regex::RegexBuilder::new(&crate::text::normalize(pattern))
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| e.to_string());
            cache.insert(pattern.to_string(), compiled);
        }
        match &cache[pattern] {
            Ok(re) => {
                let found = re.is_match(&text);
                trace(|| Read::new("matches", yes_no(found)).field(pattern));
                Ok(found)
            }
            Err(e) => err(format!("matches: invalid regular expression: {e}"), pos),
        }
    })
}

fn tls_versions(ctx: NativeCallContext, text: Dynamic) -> Res<Array> {
    let text = text_arg("tls_versions", &text, ctx.call_position())?;
    let found = super::tls::tls_versions(&text);
    trace(|| {
        let value = if found.is_empty() { "no TLS version".to_string() } else { format!("TLS {}", found.join(", ")) };
        Read::new("tls_versions", value)
    });
    Ok(found.into_iter().map(str_dyn).collect())
}

/// Byte span of the call at `pos` in `source`: from the function name to
/// its closing parenthesis. `lines`, the index of `source` if at hand,
/// saves rescanning the policy for every finding.
pub(crate) fn call_span(
    source: &str,
    lines: Option<&crate::text::LineIndex>,
    pos: Position,
) -> Option<crate::sheet::Span> {
    let start = match lines {
        Some(lines) => super::diag::offset_indexed(source, lines, pos)?,
        None => super::diag::offset(source, pos)?,
    };
    let rest = &source[start..];
    let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let end = closing_paren(rest, name_len).unwrap_or(name_len);
    Some(crate::sheet::Span::new(start, start + end))
}

/// Offset just past the parenthesis closing the one at or after `from`,
/// skipping string literals and comments.
fn closing_paren(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    if b.get(i) != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            q @ (b'"' | b'`' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `fail`/`warn`: record a finding for the running evaluation.
fn raise(ctx: &NativeCallContext, severity: Severity, id: Option<&str>, message: &str) -> Res<()> {
    let pos = ctx.call_position();
    let caller = ctx.call_source();
    with_current(|cur| {
        let Some(cur) = cur else {
            return err("fail()/warn() can only be called while a policy evaluates a sheet", pos);
        };
        // An unknown id is an error even past the cap.
        let q = id.map(|id| index(&cur.sheet, id, pos)).transpose()?;
        if cur.findings.len() >= super::engine::MAX_FINDINGS {
            cur.dropped.0 += 1;
            cur.dropped.1 |= severity == Severity::Error;
            return Ok(());
        }
        let mut f = Finding::policy(cur.policy.meta.id.clone(), severity, message);
        if let Some(q) = q {
            f = f.at_question(&cur.sheet, q);
            f.label = Some(match cur.sheet.answer_at(q) {
                Some(a) => format!("answered {a}"),
                None => "unanswered".into(),
            });
        }
        f.help = cur.policy.help.clone();
        // Raised in an imported module, or in the policy itself.
        let module = caller.filter(|c| *c != cur.policy.path).and_then(|c| cur.policy.modules.get(c).map(|s| (c, s)));
        let (path, source, lines) = match module {
            Some((c, s)) => (c, s, None),
            None => (cur.policy.path.as_str(), &cur.policy.source, Some(&cur.policy.lines)),
        };
        let key = (pos, path.as_ptr() as usize);
        f.policy_site = match &cur.last_site {
            Some((k, site)) if *k == key => site.clone(),
            _ => {
                let site = call_span(source, lines, pos).map(|span| PolicySite {
                    path: path.into(),
                    source: source.clone(),
                    span,
                });
                cur.last_site = Some((key, site.clone()));
                site
            }
        };
        cur.findings.push(f);
        Ok(())
    })
}

/// The ids of a form as Rhai strings, made once per form and thread: every
/// `sheet.ids()` (and every query) hands out shared strings instead of
/// allocating one per id per call. Keyed by a `Weak`, which keeps the
/// form's allocation (and so its address) from being reused while cached.
pub(super) fn form_ids(form: &Arc<crate::form::Form>) -> Arc<Vec<Dynamic>> {
    type FormIds = (std::sync::Weak<crate::form::Form>, Arc<Vec<Dynamic>>);
    thread_local! {
        static IDS: RefCell<Vec<FormIds>> = const { RefCell::new(Vec::new()) };
    }
    IDS.with_borrow_mut(|cache| {
        if let Some((_, ids)) = cache.iter().find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(form))) {
            return ids.clone();
        }
        // Forms of dropped registries go; a run has one or two forms.
        cache.retain(|(w, _)| w.strong_count() > 0);
        let ids: Arc<Vec<Dynamic>> = Arc::new(form.questions().iter().map(|q| str_dyn(&q.id)).collect());
        cache.push((Arc::downgrade(form), ids.clone()));
        ids
    })
}

/// `sheet.ids_in(section)`.
fn ids_in(sheet: &Sheet, section: &str, pos: Position) -> Res<Array> {
    let want = crate::text::normalize(section);
    let ids = form_ids(&sheet.form);
    let qs = sheet.form.questions();
    let found: Array = (0..qs.len())
        .filter(|&i| qs[i].section == section || crate::text::normalize(&qs[i].section) == want)
        .map(|i| ids[i].clone())
        .collect();
    if found.is_empty() {
        let mut sections: Vec<&str> = qs.iter().map(|q| q.section.as_str()).collect();
        sections.dedup();
        let hint = crate::text::did_you_mean(&want, sections.iter().copied())
            .map(|s| format!(" — did you mean \"{s}\"?"))
            .unwrap_or_default();
        return err(
            format!(
                "ids_in: no section \"{section}\" in form {}{hint} (sections: {})",
                sheet.form.id,
                sections.join(", ")
            ),
            pos,
        );
    }
    Ok(found)
}

/// The answer words a query matches: a set of answers, and whether an
/// unanswered question matches (`""`).
struct Words {
    answers: [bool; 5],
    unanswered: bool,
}

impl Words {
    fn parse(fname: &str, words: &Array, pos: Position) -> Res<Words> {
        let mut w = Words { answers: [false; 5], unanswered: false };
        for (i, word) in words.iter().enumerate() {
            let Some(text) = word.read_lock::<ImmutableString>() else {
                return err(format!("{fname}: word {i} is {}, not a string", word.type_name()), pos);
            };
            if text.trim().is_empty() {
                w.unanswered = true;
                continue;
            }
            let Some(a) = crate::sheet::Answer::parse(&text) else {
                return err(
                    format!(
                        "{fname}: \"{}\" is not an answer word (はい, いいえ, 対象外, 該当, 非該当, or \"\" for unanswered)",
                        text.as_str()
                    ),
                    pos,
                );
            };
            w.answers[crate::sheet::Answer::ALL.iter().position(|x| *x == a).expect("one of ALL")] = true;
        }
        Ok(w)
    }

    fn matches(&self, answer: Option<crate::sheet::Answer>) -> bool {
        match answer {
            None => self.unanswered,
            Some(a) => self.answers[crate::sheet::Answer::ALL.iter().position(|x| *x == a).expect("one of ALL")],
        }
    }
}

/// The form index of element `i` of an id array.
fn id_at(sheet: &Sheet, fname: &str, i: usize, id: &Dynamic, pos: Position) -> Res<usize> {
    let Some(id) = id.read_lock::<ImmutableString>() else {
        return err(
            format!("{fname}: id {i} is {}, not a string (question ids are strings: \"17.1.d\")", id.type_name()),
            pos,
        );
    };
    index(sheet, &id, pos)
}

/// Doc comment lines in Rhai's `///` form.
fn docs(text: &str) -> [String; 1] {
    [text.lines().map(|l| format!("/// {l}").trim_end().to_string()).collect::<Vec<_>>().join("\n")]
}

fn reg(name: &str, params: &[&str], doc: &str) -> FuncRegistration {
    FuncRegistration::new(name).with_params_info(params).with_comments(docs(doc))
}

fn getter(prop: &str, ret: &str, doc: &str) -> FuncRegistration {
    FuncRegistration::new_getter(prop).with_params_info(["sheet: Sheet", ret]).with_comments(docs(doc))
}

/// Register the policy API into `e`.
pub(crate) fn register(e: &mut Engine) {
    e.register_type_with_name::<SheetRef>("Sheet");

    // ── sheet ──
    reg(
        "answer",
        &["sheet: Sheet", "id: string", "string | ()"],
        "The answer to question `id`: \"はい\", \"いいえ\", \"対象外\", \"該当\" or \"非該当\";\n\
         `()` when the question is unanswered (or answered with a word the form does not allow).\n\
         Example: `if sheet.answer(\"59\") == \"非該当\" { return; }`",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<Dynamic> {
        let q = index(&s.0, id, ctx.call_position())?;
        trace(|| answer_read(&s.0, q));
        Ok(s.0.answer_at(q).map_or(Dynamic::UNIT, |a| str_dyn(a.as_str())))
    });
    for (name, word, doc) in [
        ("is_yes", crate::sheet::Answer::Yes, "Question `id` is answered はい."),
        ("is_no", crate::sheet::Answer::No, "Question `id` is answered いいえ."),
        ("is_na", crate::sheet::Answer::Na, "Question `id` is answered 対象外 (not applicable to this service)."),
        ("applies", crate::sheet::Answer::Applicable, "Applicability question `id` is answered 該当."),
    ] {
        reg(name, &["sheet: Sheet", "id: string", "bool"], doc).register_into_engine(
            e,
            move |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<bool> {
                let q = index(&s.0, id, ctx.call_position())?;
                trace(|| answer_read(&s.0, q));
                Ok(s.0.answer_at(q) == Some(word))
            },
        );
    }
    reg("answered", &["sheet: Sheet", "id: string", "bool"], "Question `id` has an answer (any of the form's words).")
        .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<bool> {
            let q = index(&s.0, id, ctx.call_position())?;
            trace(|| answer_read(&s.0, q));
            Ok(s.0.answer_at(q).is_some())
        });
    reg(
        "in_scope",
        &["sheet: Sheet", "id: string", "bool"],
        "No applicability gate above question `id` is answered 非該当 (kaiji extension).\n\
         When a gate is 非該当 the questions under it do not apply, and a policy should pass them.\n\
         Example: `if sheet.in_scope(\"51.3\") && !sheet.is_yes(\"51.3\") { fail(\"51.3\", \"...\"); }`",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<bool> {
        let q = index(&s.0, id, ctx.call_position())?;
        trace(|| in_scope_read(&s.0, q));
        Ok(s.0.closed_gate(q).is_none())
    });
    reg(
        "remarks",
        &["sheet: Sheet", "id: string", "array"],
        "The 備考 texts question `id` cites, in citation order, then its inline note:\n\
         an array of strings, empty when there are none. Text helpers accept the array directly:\n\
         `mentions(sheet.remarks(\"17.1.d\"), \"ワンタイム\")`.",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<Array> {
        let q = index(&s.0, id, ctx.call_position())?;
        trace(|| remarks_read(&s.0, q));
        Ok(s.0.remark_texts_at(q).into_iter().map(str_dyn).collect())
    });
    reg(
        "remark",
        &["sheet: Sheet", "n: int", "string | ()"],
        "The text of 備考 number `n`, or `()` when there is none.",
    )
    .register_into_engine(e, |s: &mut SheetRef, n: rhai::INT| -> Dynamic {
        let found = u32::try_from(n).ok().and_then(|n| s.0.remark(n));
        trace(|| {
            let read = Read::new("remark", if found.is_some() { "present" } else { "absent" });
            read.remarks(u32::try_from(n).map(|n| vec![n]).unwrap_or_default())
        });
        found.map_or(Dynamic::UNIT, |r| str_dyn(&r.text))
    });
    reg("all_remarks", &["sheet: Sheet", "string"], "Every 備考 text in number order, joined with line breaks.")
        .register_into_engine(e, |s: &mut SheetRef| -> ImmutableString {
            trace(|| {
                let numbers: Vec<u32> = s.0.remarks.keys().copied().collect();
                Read::new("all_remarks", format!("{} remarks", numbers.len())).remarks(numbers)
            });
            s.0.all_remarks().into()
        });
    reg(
        "question",
        &["sheet: Sheet", "id: string", "map"],
        "The form's question `id`: `#{id, text, section, kind, parent}`;\n\
         `kind` is \"yes_no\" or \"applicability\", `parent` is `()` for a top-level question.",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<Map> {
        let q = &s.0.form.questions()[index(&s.0, id, ctx.call_position())?];
        let mut m = Map::new();
        m.insert("id".into(), str_dyn(&q.id));
        m.insert("text".into(), str_dyn(&q.text));
        m.insert("section".into(), str_dyn(&q.section));
        m.insert("kind".into(), str_dyn(q.kind.as_str()));
        m.insert("parent".into(), q.parent.as_deref().map_or(Dynamic::UNIT, str_dyn));
        Ok(m)
    });
    reg("ids", &["sheet: Sheet", "array"], "Every question id of the sheet's form, in form order.")
        .register_into_engine(e, |s: &mut SheetRef| -> Array { form_ids(&s.0.form).iter().cloned().collect() });
    reg(
        "ids_in",
        &["sheet: Sheet", "section: string", "array"],
        "The ids of the questions under form section `section` (its heading, e.g. \"技術的安全対策\",\n\
         compared after NFKC normalisation), in form order. An unknown section is a policy error\n\
         naming the nearest one. Example: `for q in sheet.ids_where(sheet.ids_in(\"技術的安全対策\"), [\"いいえ\", \"\"]) { ... }`",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, section: &str| -> Res<Array> {
        ids_in(&s.0, section, ctx.call_position())
    });
    reg(
        "ids_where",
        &["sheet: Sheet", "ids: array", "words: array", "array"],
        "The ids of `ids`, in the given order, whose answer is one of `words` (はい いいえ 対象外 該当 非該当,\n\
         or their aliases); `\"\"` in `words` matches an unanswered question. An unknown id or word is a\n\
         policy error. The guideline 7.0 selection rule, every listed item はい or 対象外:\n\
         `for q in sheet.ids_where(LIST, [\"いいえ\", \"\"]) { fail(q, \"はい または 対象外 であること\"); }`",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, ids: Array, words: Array| -> Res<Array> {
        let pos = ctx.call_position();
        let want = Words::parse("ids_where", &words, pos)?;
        let mut out = Array::new();
        for (i, id) in ids.iter().enumerate() {
            let q = id_at(&s.0, "ids_where", i, id, pos)?;
            trace(|| answer_read(&s.0, q));
            if want.matches(s.0.answer_at(q)) {
                out.push(id.clone());
            }
        }
        Ok(out)
    });
    reg(
        "count_where",
        &["sheet: Sheet", "ids: array", "words: array", "int"],
        "How many of `ids` are answered with one of `words` (`\"\"` counts unanswered ones), as\n\
         `sheet.ids_where(ids, words).len()` without building the array.\n\
         Example: `if sheet.count_where(sheet.ids_in(\"技術的安全対策\"), [\"\"]) > 0 { fail(\"未回答の設問がある\"); }`",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, ids: Array, words: Array| -> Res<rhai::INT> {
        let pos = ctx.call_position();
        let want = Words::parse("count_where", &words, pos)?;
        let mut n: rhai::INT = 0;
        for (i, id) in ids.iter().enumerate() {
            let q = id_at(&s.0, "count_where", i, id, pos)?;
            trace(|| answer_read(&s.0, q));
            if want.matches(s.0.answer_at(q)) {
                n += 1;
            }
        }
        Ok(n)
    });
    // Decision: policies see the vendor's text as written (the sheet keeps
    // it so; see sheet::load). A policy that compares it should go through
    // the text helpers (`mentions`, `matches`, `tls_versions`), which
    // normalise both sides, so ＴＬＳ１．２ still equals TLS1.2 there; a bare
    // `==` on `sheet.vendor` compares the exact text.
    getter("vendor", "string", "サービス事業者 / 製造業者 as written (\"\" when absent).").register_into_engine(
        e,
        |s: &mut SheetRef| -> ImmutableString {
            trace(|| metadata_read("vendor", s.0.vendor()));
            s.0.vendor().into()
        },
    );
    getter("service", "string", "サービス名称 / 製品名称 (\"\" when absent).").register_into_engine(
        e,
        |s: &mut SheetRef| -> ImmutableString {
            trace(|| metadata_read("service", s.0.service()));
            s.0.service().into()
        },
    );
    getter("version", "string", "The sheet's バージョン, free text (\"\" when absent).").register_into_engine(
        e,
        |s: &mut SheetRef| -> ImmutableString {
            trace(|| metadata_read("version", s.0.version()));
            s.0.version().into()
        },
    );
    getter("form", "string", "The form id, e.g. \"sds-6.0\".").register_into_engine(
        e,
        |s: &mut SheetRef| -> ImmutableString {
            trace(|| metadata_read("form", &s.0.form.id));
            s.0.form.id.as_str().into()
        },
    );
    getter("created", "string | ()", "作成日 as an ISO date \"YYYY-MM-DD\", or `()` when absent.")
        .register_into_engine(e, |s: &mut SheetRef| -> Dynamic {
            trace(|| metadata_read("created", &s.0.created().map(|d| d.to_string()).unwrap_or_default()));
            s.0.created().map_or(Dynamic::UNIT, |d| str_dyn(&d.to_string()))
        });

    // ── text helpers ──
    reg(
        "mentions",
        &["text: string | array | ()", "words: string | array", "bool"],
        "`text` contains `words` (a word, or any of an array of words), ignoring case, after\n\
         NFKC normalisation of both (so ＴＬＳ == tls). `text` may be an array of strings such as\n\
         `sheet.remarks(id)`, or `()` (never mentions anything).\n\
         Example: `mentions(sheet.remarks(\"58.2\"), [\"オフライン\", \"隔離\", \"イミュータブル\"])`",
    )
    .register_into_engine(e, mentions);
    reg(
        "matches",
        &["text: string | array | ()", "pattern: string", "bool"],
        "The regular expression `pattern` (Rust `regex` syntax, linear time) matches somewhere in\n\
         `text`, after NFKC normalisation of both. Add `(?i)` for case-insensitive matching.\n\
         Each distinct pattern is compiled once; an invalid pattern is a policy error.\n\
         Example: `matches(sheet.remarks(\"58\"), \"\\\\d+世代\")`",
    )
    .register_into_engine(e, matches);
    reg(
        "tls_versions",
        &["text: string | array | ()", "array"],
        "The TLS versions `text` says are in use: a sorted array of \"1.0\" \"1.1\" \"1.2\" \"1.3\".\n\
         Understands 「TLS1.2、1.3」, \"TLSv1.3\", ＴＬＳ１．２, ranges (TLS1.0～1.2) and 「TLS1.2以上」\n\
         (1.2 and every newer version). Numbers not written after TLS (SSL 3.0, 第6.0版, Ver 1.2)\n\
         are ignored, and so are versions the same clause refuses (「TLS1.0/1.1は無効」, \"disabled\",\n\
         未対応, 予定) or names as a bound (「TLS1.2未満」).\n\
         Example: `let tls = tls_versions(sheet.all_remarks()); if tls.is_empty() || tls[0] < \"1.2\" { ... }`",
    )
    .register_into_engine(e, tls_versions);

    // ── outcomes ──
    let volatile = |r: FuncRegistration| r.with_volatility(true).with_purity(true);
    volatile(reg(
        "fail",
        &["id: string", "message: string", "()"],
        "Fail the policy on this sheet with `message`, pointing at question `id`'s answer.\n\
         The policy goes on running, so one policy can report several questions.",
    ))
    .register_into_engine(e, |ctx: NativeCallContext, id: &str, msg: &str| raise(&ctx, Severity::Error, Some(id), msg));
    volatile(reg(
        "fail",
        &["message: string", "()"],
        "Fail the policy on this sheet with `message`, not tied to a question.",
    ))
    .register_into_engine(e, |ctx: NativeCallContext, msg: &str| raise(&ctx, Severity::Error, None, msg));
    volatile(reg(
        "warn",
        &["id: string", "message: string", "()"],
        "Warn about question `id` with `message`. A policy that only warns still passes\n\
         (it fails the sheet only with `--fail-on warning`).",
    ))
    .register_into_engine(e, |ctx: NativeCallContext, id: &str, msg: &str| {
        raise(&ctx, Severity::Warning, Some(id), msg)
    });
    volatile(reg("warn", &["message: string", "()"], "Warn with `message`, not tied to a question."))
        .register_into_engine(e, |ctx: NativeCallContext, msg: &str| raise(&ctx, Severity::Warning, None, msg));
    volatile(reg(
        "skip",
        &["reason: string", "()"],
        "End the policy on this sheet: the requirement does not apply to it (status `skip`,\n\
         shown as 対象外, with `reason`). Only for answers that say so, e.g. a 非該当 gate:\n\
         an unanswered question is never a reason to skip, fail it instead.\n\
         A policy that already failed stays failed.\n\
         Example: `if sheet.answer(\"74\") == \"非該当\" { skip(\"リモートメンテナンスを行わない（74: 非該当）\"); }`",
    ))
    .register_into_engine(e, skip);

    super::callbacks::register(e);
}

/// `skip(reason)`: remember the reason and stop the evaluation (with an
/// error the script cannot catch; the caller turns it into status `skip`).
fn skip(ctx: NativeCallContext, reason: &str) -> Res<()> {
    let pos = ctx.call_position();
    if reason.trim().is_empty() {
        return err("skip: give the reason the requirement does not apply to this sheet", pos);
    }
    with_current(|cur| match cur {
        Some(cur) => {
            cur.skipped = Some(reason.to_string());
            Err(EvalAltResult::ErrorTerminated(Dynamic::from(super::engine::SKIP_TOKEN), pos).into())
        }
        None => err("skip() can only be called while a policy evaluates a sheet", pos),
    })
}

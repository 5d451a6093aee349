//! The text helpers a policy calls (`mentions`, `matches`,
//! `tls_versions`): the Rhai side of them (arguments, errors, the
//! evaluation's budget and `--explain` reads). The text logic itself lives
//! in [`crate::text`].

use std::cell::RefCell;
use std::collections::HashMap;

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, NativeCallContext, Position};

use super::api::{Res, err, reg, str_dyn};
use super::engine::{check_budget, record, trace};
use crate::outcome::Read;
use crate::text::fold_case as fold;

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
    crate::text::search::contains_any(
        &text,
        &list,
        || check_budget(pos),
        |e| record(EvalAltResult::ErrorRuntime(format!("mentions: {e}").into(), pos).into()),
    )
}

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

/// Register the text helpers into `e`.
pub(super) fn register(e: &mut Engine) {
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
}

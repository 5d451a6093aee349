//! Everything a policy can call: the `sheet` API, the text helpers and the
//! outcomes of docs/policies.md. Each function is registered with its parameter
//! names and doc comment, which `kaiji api` prints, so the reference is
//! generated from what is registered and cannot drift.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, Map, NativeCallContext, Position,
};

use super::engine::{record, trace, with_current};
use crate::outcome::{Finding, PolicySite, Read, Severity};
use crate::sheet::Sheet;

pub(super) type Res<T> = Result<T, Box<EvalAltResult>>;

/// The sheet under evaluation as Rhai sees it: a handle on the shared,
/// immutable sheet (cloning it clones an `Arc`, never the sheet).
#[derive(Clone)]
pub struct SheetRef(pub Arc<Sheet>);

/// A kaiji error in a policy: returned, and remembered for the evaluation,
/// so catching it (or a built-in swallowing it) cannot turn it into a pass.
pub(super) fn err<T>(msg: impl Into<String>, pos: Position) -> Res<T> {
    Err(record(EvalAltResult::ErrorRuntime(msg.into().into(), pos).into()))
}

/// Form index of a question id written by a policy (NFKC-normalised), or a
/// policy error with the nearest real id.
fn index(sheet: &Sheet, id: &str, pos: Position) -> Res<usize> {
    thread_local! {
        /// The question this thread looked up last.
        static LAST: Cell<usize> = const { Cell::new(0) };
    }
    if let Some(q) = sheet.form.index_near(id, LAST.get()) {
        LAST.set(q);
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

pub(super) fn str_dyn(s: &str) -> Dynamic {
    Dynamic::from(ImmutableString::from(s))
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
        let mut f = Finding::policy(cur.policy.rule.clone(), severity, message);
        if let Some(q) = q {
            f = f.at_question(&cur.sheet, q);
            f.label = Some(answer_label(cur.sheet.answer_at(q)).into());
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
                let site = super::call_site::call_span(source, lines, pos).map(|span| PolicySite {
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

/// The label under an answer a policy fails: fixed texts, not formatted
/// per finding.
pub(super) fn answer_label(answer: Option<crate::sheet::Answer>) -> &'static str {
    use crate::sheet::Answer;
    match answer {
        None => "unanswered",
        Some(Answer::Yes) => "answered はい",
        Some(Answer::No) => "answered いいえ",
        Some(Answer::Na) => "answered 対象外",
        Some(Answer::Applicable) => "answered 該当",
        Some(Answer::NotApplicable) => "answered 非該当",
    }
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

pub(super) fn reg(name: &str, params: &[&str], doc: &str) -> FuncRegistration {
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
        "is_planned",
        &["sheet: Sheet", "id: string", "bool"],
        "The remarks question `id` cites, or its note, say the measure is only planned\n\
         (予定, 計画中, 次期, 今後対応, 〜までに対応, 令和N年度中 …: the words of the `planned-yes`\n\
         lint rule, `kaiji lint --explain planned-yes`), whatever the answer.\n\
         Example: `if sheet.is_yes(\"17.1.d\") && sheet.is_planned(\"17.1.d\") { warn(\"17.1.d\", \"...\"); }`",
    )
    .register_into_engine(e, |ctx: NativeCallContext, s: &mut SheetRef, id: &str| -> Res<bool> {
        let q = index(&s.0, id, ctx.call_position())?;
        let phrase = crate::text::planned::planned_in(s.0.remark_texts_at(q));
        trace(|| {
            let value = phrase.as_deref().map_or_else(|| "no".to_string(), |p| format!("yes (「{p}」)"));
            let numbers = s.0.entry_at(q).map(|e| e.remarks.iter().map(|n| n.value).collect()).unwrap_or_default();
            Read::new("planned", value).on(&s.0.form.questions()[q].id).remarks(numbers)
        });
        Ok(phrase.is_some())
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
    .register_into_engine(
        e,
        |ctx: NativeCallContext, s: &mut SheetRef, mut ids: Array, words: Array| -> Res<Array> {
            let pos = ctx.call_position();
            let want = Words::parse("ids_where", &words, pos)?;
            // Filtered in place (Rhai hands over its own copy of the array):
            // the kept ids move to the front in order, as `retain` would.
            let mut kept = 0;
            for i in 0..ids.len() {
                let q = id_at(&s.0, "ids_where", i, &ids[i], pos)?;
                trace(|| answer_read(&s.0, q));
                if want.matches(s.0.answer_at(q)) {
                    ids.swap(kept, i);
                    kept += 1;
                }
            }
            ids.truncate(kept);
            Ok(ids)
        },
    );
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

    super::text_api::register(e);

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

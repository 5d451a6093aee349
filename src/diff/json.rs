//! `kaiji diff -f json`: schema `kaiji.diff/v1`.
//!
//! ```json
//! { "schema": "kaiji.diff/v1",
//!   "changed": true,
//!   "old": { "path": "v1.toml", "form": "sds-6.0", "vendor": "...", "service": "...",
//!            "version": "...", "created": "2026-01-13" },
//!   "new": { ... },
//!   "summary": { "metadata": 1, "answers_added": 0, "answers_removed": 0, "answers_changed": 1,
//!                "citations_changed": 0, "notes_changed": 0, "remarks_added": 0,
//!                "remarks_removed": 0, "remarks_changed": 1, "policies_changed": 1 },
//!   "metadata": [ { "field": "version", "change": "changed", "old": "3.1", "new": "3.2" } ],
//!   "questions": [
//!     { "id": "17.1.d", "text": "...", "section": "技術的安全対策",
//!       "answer": { "change": "changed", "old": "いいえ", "new": "はい" },
//!       "remarks": { "change": "added", "old": null, "new": [8] },
//!       "note": { "change": "changed", "old": "...", "new": "...",
//!                 "lines": [ { "op": "delete", "text": "..." }, { "op": "insert", "text": "..." } ] } } ],
//!   "remarks": [
//!     { "number": 20, "cited_by": ["58.1"], "change": "changed", "old": "...", "new": "...",
//!       "lines": [ { "op": "equal|delete|insert", "text": "..." } ] } ],
//!   "policies": [ { "id": "H-AUTH-001", "old": "fail", "new": "pass",
//!                   "old_questions": ["17.1.d"], "new_questions": [] } ] }
//! ```
//!
//! - `questions` are in form order and list only entries where something
//!   differs; `answer`, `remarks` and `note` are present only when they
//!   changed (`unchanged_answer` then gives the answer for context). `null`
//!   means absent: unanswered, no citation, no note.
//! - `change` is `added` (absent before), `removed` (absent now) or `changed`.
//! - `lines` is the full line diff of the old and new text.
//! - `policies` is present only when policies were evaluated on both sheets
//!   (`kaiji diff -p`), and lists only policies whose status differs; a status
//!   is `null` when the policy did not run on that side.

use serde_json::{Value, json};

use super::{Delta, SheetDiff, line_diff};

pub const SCHEMA: &str = "kaiji.diff/v1";

fn text_delta(d: &Delta<String>) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    v["lines"] = serde_json::to_value(line_diff(d.old.as_deref(), d.new.as_deref())).unwrap_or(Value::Null);
    v
}

/// The whole diff as a `kaiji.diff/v1` document.
pub fn value(d: &SheetDiff) -> Value {
    let questions: Vec<Value> = d
        .questions
        .iter()
        .map(|q| {
            let mut v = serde_json::to_value(q).unwrap_or(Value::Null);
            if let Some(n) = &q.note {
                v["note"] = text_delta(n);
            }
            v
        })
        .collect();
    let remarks: Vec<Value> = d
        .remarks
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            v["lines"] =
                serde_json::to_value(line_diff(r.delta.old.as_deref(), r.delta.new.as_deref())).unwrap_or(Value::Null);
            v
        })
        .collect();
    let mut v = json!({
        "schema": SCHEMA,
        "changed": d.is_changed(),
        "old": d.old,
        "new": d.new,
        "summary": d.counts(),
        "metadata": d.metadata,
        "questions": questions,
        "remarks": remarks,
    });
    if let Some(p) = &d.policies {
        v["policies"] = serde_json::to_value(p).unwrap_or(Value::Null);
    }
    v
}

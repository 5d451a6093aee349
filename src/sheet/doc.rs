//! A plain, owned sheet document: what importers build and writers write.
//!
//! Unlike [`Sheet`](super::Sheet) it has no spans and no source text, so it is
//! cheap to build and compare. Its texts are kept normalised (the way the
//! loader reads them back), which is what makes write → load an identity.

use std::collections::BTreeMap;

use super::{Answer, AnswerValue, Sheet};
use crate::form::{DEFAULT_FORM, Form};
use crate::text::normalize;

/// The `[sheet]` table (form, vendor, service, version, 作成日) as plain
/// data: the header of a [`SheetDoc`]. A loaded sheet's, with spans, is
/// [`SheetHeader`](super::SheetHeader).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocHeader {
    pub form: String,
    pub vendor: Option<String>,
    pub service: Option<String>,
    pub version: Option<String>,
    pub created: Option<jiff::civil::Date>,
}

/// One entry of `[answers]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocAnswer {
    pub id: String,
    /// `None` when unanswered; `Invalid` keeps a word that is none of the
    /// accepted ones, so a lint finding survives a round trip.
    pub answer: Option<AnswerValue>,
    /// Cited remark numbers, in citation order.
    pub remarks: Vec<u32>,
    pub note: Option<String>,
}

impl DocAnswer {
    pub fn new(id: impl Into<String>) -> DocAnswer {
        DocAnswer { id: id.into(), answer: None, remarks: Vec::new(), note: None }
    }

    pub fn known(&self) -> Option<Answer> {
        match self.answer {
            Some(AnswerValue::Known(a)) => Some(a),
            _ => None,
        }
    }

    /// Holds nothing: no answer, no citation, no note.
    pub fn is_empty(&self) -> bool {
        self.answer.is_none() && self.remarks.is_empty() && self.note.is_none()
    }
}

/// The `[source]` table: the vendor's file an imported sheet was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocSource {
    /// The file as it was named to `kaiji import`.
    pub file: String,
    /// SHA-256 of the file's bytes as read, lowercase hex.
    pub sha256: String,
    /// `pdf`, `text` or `workbook`.
    pub format: String,
}

/// The formats a `[source]` table names: what `kaiji import` read.
pub const SOURCE_FORMATS: [&str; 3] = ["pdf", "text", "workbook"];

/// The kinds of mark an `[evidence]` entry's `by` names (PDF imports).
pub const EVIDENCE_KINDS: [&str; 8] = [
    "form field",
    "ellipse",
    "rounded box",
    "shading",
    "mark glyph",
    "others greyed",
    "only word printed",
    "annotation",
];

/// The worksheet `kaiji export` writes the vendor document's `[source]` and
/// `[evidence]` to, so that a workbook filled in and imported again keeps
/// where each answer was first read (hidden and protected: it is
/// provenance, not content).
pub const EVIDENCE_SHEET: &str = "kaiji根拠";

/// One entry of `[evidence]`: where an imported answer was read, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocEvidence {
    pub id: String,
    /// The answer word as read; a later edit of the answer shows against it.
    pub read: String,
    /// `PDF p.3 (412, 530)`, `line 120`, `開示書!D40`.
    pub at: String,
    /// The kind of mark that singled the word out (PDF): `ellipse`, ...
    pub by: Option<String>,
}

/// A whole sheet as plain data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetDoc {
    pub meta: DocHeader,
    /// Questions of the form in form order, then ids the form does not know.
    pub answers: Vec<DocAnswer>,
    pub remarks: BTreeMap<u32, String>,
    /// Set for an imported sheet.
    pub source: Option<DocSource>,
    /// Where each imported answer was read, in form order.
    pub evidence: Vec<DocEvidence>,
}

impl SheetDoc {
    pub fn new(form: &str) -> SheetDoc {
        SheetDoc { meta: DocHeader { form: form.to_string(), ..DocHeader::default() }, ..SheetDoc::default() }
    }

    pub fn answer(&self, id: &str) -> Option<&DocAnswer> {
        self.answers.iter().find(|a| a.id == id)
    }

    /// Put answers in the canonical order: the form's questions in form
    /// order, then unknown ids in their current order (the sort is stable).
    pub fn sort_answers(&mut self, form: &Form) {
        self.answers.sort_by_key(|a| form.index_of(&a.id).unwrap_or(usize::MAX));
    }

    /// Normalise the document the way the loader does: ids, the form id and
    /// answer words NFKC-normalised; the vendor's text (vendor, service,
    /// version, notes, remarks) only trimmed, kept as written; empty strings
    /// absent; citations of remark 0, which no file can hold, dropped.
    /// Idempotent; writers assume it has been applied.
    pub fn normalized(mut self) -> SheetDoc {
        fn opt(s: Option<String>) -> Option<String> {
            s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
        }
        let form = normalize(&self.meta.form);
        self.meta.form = if form.is_empty() { DEFAULT_FORM.to_string() } else { form };
        self.meta.vendor = opt(self.meta.vendor);
        self.meta.service = opt(self.meta.service);
        self.meta.version = opt(self.meta.version);
        for a in &mut self.answers {
            a.id = normalize(&a.id);
            a.note = opt(a.note.take());
            a.remarks.retain(|n| *n > 0);
            if let Some(AnswerValue::Invalid(w)) = &a.answer {
                let w = normalize(w);
                a.answer = if w.is_empty() {
                    None
                } else {
                    Some(Answer::parse(&w).map_or(AnswerValue::Invalid(w), AnswerValue::Known))
                };
            }
        }
        self.remarks = std::mem::take(&mut self.remarks)
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, t)| (n, t.trim().to_string()))
            .collect();
        self
    }
}

impl Sheet {
    /// The sheet as a plain document: answers in form order (entries that
    /// hold nothing are left out), then ids the form does not know in file
    /// order; invalid words are kept as written.
    pub fn to_doc(&self) -> SheetDoc {
        let meta = DocHeader {
            form: self.form.id.clone(),
            vendor: self.meta.vendor.as_ref().map(|s| s.value.clone()),
            service: self.meta.service.as_ref().map(|s| s.value.clone()),
            version: self.meta.version.as_ref().map(|s| s.value.clone()),
            created: self.created(),
        };
        let mut answers: Vec<DocAnswer> = self
            .answers
            .iter()
            .map(|e| DocAnswer {
                id: e.id.value.clone(),
                answer: e.answer.as_ref().map(|a| a.value.clone()),
                remarks: e.remarks.iter().map(|r| r.value).collect(),
                note: e.note.as_ref().map(|n| n.value.clone()),
            })
            .filter(|a| !(a.is_empty() && self.form.index_of(&a.id).is_some()))
            .collect();
        answers.sort_by_key(|a| self.form.index_of(&a.id).unwrap_or(usize::MAX));
        let remarks = self.remarks.values().map(|r| (r.number, r.text.clone())).collect();
        let evidence = self
            .evidence
            .iter()
            .map(|(q, e)| DocEvidence {
                id: self.form.questions()[*q].id.clone(),
                read: e.read.clone(),
                at: e.at.clone(),
                by: e.by.clone(),
            })
            .collect();
        SheetDoc { meta, answers, remarks, source: self.source_file.clone(), evidence }
    }
}

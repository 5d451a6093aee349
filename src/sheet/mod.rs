//! The typed sheet model: one vendor's filled-in disclosure sheet, with the
//! byte span of every value in the file it came from, so any diagnostic can
//! underline the exact answer, remark or metadata value.

mod doc;
mod fast_toml;
mod load;
pub mod located;
mod tree;
pub mod write;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

// The answer words are the form's (its kinds allow them); a sheet holds them.
pub use crate::form::Answer;
pub use doc::{DocAnswer, DocEvidence, DocHeader, DocSource, EVIDENCE_KINDS, EVIDENCE_SHEET, SOURCE_FORMATS, SheetDoc};
#[cfg(feature = "fuzzing")]
pub(crate) use fast_toml::check_against_toml as check_toml_fast_path;
pub use load::{
    SheetError, SheetErrorExtra, SheetErrorKind, SheetFormat, load_bytes, load_file, load_file_named, load_str,
    looks_like_sheet, marks_a_sheet,
};
pub use located::{ErrorExtra, LocatedError};

use crate::form::{Form, Kind};
use crate::text::{IndexedText, LineIndex};

/// A byte range in a sheet (or policy) file; always on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end: end.max(start) }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end - s.start).into()
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// The `[sheet]` table of a loaded sheet (form, vendor, service, version,
/// 作成日), each value with its span. The plain-data form a [`SheetDoc`]
/// holds is [`DocHeader`].
#[derive(Debug, Clone, Default)]
pub struct SheetHeader {
    pub form: Option<Spanned<String>>,
    pub vendor: Option<Spanned<String>>,
    pub service: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    /// 作成日, normalised to a calendar date.
    pub created: Option<Spanned<jiff::civil::Date>>,
    /// The `[sheet]` table itself, when present.
    pub span: Option<Span>,
}

/// What an answer entry holds in its answer slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerValue {
    Known(Answer),
    /// A word that is none of the accepted ones (after normalisation).
    Invalid(String),
}

impl AnswerValue {
    /// The word as the sheet holds it: the form's word, or the invalid text.
    pub fn as_str(&self) -> &str {
        match self {
            AnswerValue::Known(a) => a.as_str(),
            AnswerValue::Invalid(w) => w,
        }
    }
}

/// One entry of `[answers]`, in file order.
#[derive(Debug, Clone)]
pub struct AnswerEntry {
    /// The id as written, normalised (NFKC, trimmed).
    pub id: Spanned<String>,
    /// Form-order index of the question, `None` when the id is not in the form.
    pub question: Option<usize>,
    /// `None` when the entry has no answer (e.g. only remark citations).
    pub answer: Option<Spanned<AnswerValue>>,
    pub remarks: Vec<Spanned<u32>>,
    pub note: Option<Spanned<String>>,
    /// The whole value (string or inline table).
    pub span: Span,
}

impl AnswerEntry {
    /// The answer when it is one of the accepted words.
    pub fn known(&self) -> Option<Answer> {
        match &self.answer {
            Some(Spanned { value: AnswerValue::Known(a), .. }) => Some(*a),
            _ => None,
        }
    }

    /// Where to underline when pointing at this answer.
    pub fn answer_span(&self) -> Span {
        self.answer.as_ref().map_or(self.span, |a| a.span)
    }
}

/// One numbered 備考 in `[remarks]`.
#[derive(Debug, Clone)]
pub struct Remark {
    pub number: u32,
    /// NFKC-normalised text.
    pub text: String,
    pub span: Span,
    pub key_span: Span,
}

/// One entry of `[evidence]`: where the importer read a question's answer.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The word read (NFKC).
    pub read: String,
    /// The place in the vendor's file, as written (`PDF p.3 (412, 530)`).
    pub at: String,
    /// The kind of mark, for a PDF.
    pub by: Option<String>,
    pub span: Span,
}

/// A loaded sheet. Immutable once built; shared behind `Arc` by the runner.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The path as the user gave it (used in reports).
    pub path: String,
    pub format: SheetFormat,
    /// The file's text, for rendering diagnostics.
    pub source: Arc<str>,
    pub form: Arc<Form>,
    pub meta: SheetHeader,
    pub answers: Vec<AnswerEntry>,
    pub remarks: BTreeMap<u32, Remark>,
    /// The `answers` key (`[answers]` header), where missing answers point.
    pub answers_span: Option<Span>,
    /// The `[source]` table of an imported sheet.
    pub source_file: Option<DocSource>,
    /// The `[evidence]` table, by form index.
    pub evidence: BTreeMap<usize, Evidence>,
    /// Form index → index into `answers`.
    slots: Vec<Option<u32>>,
    all_remarks: String,
    /// Line starts of `source`, built when a report first locates something.
    lines: OnceLock<Arc<LineIndex>>,
    /// SHA-256 (hex) of the file's bytes as read (BOM included), when the
    /// sheet came from bytes ([`load_bytes`], [`load_file`]); for a sheet
    /// imported in the run, the vendor document's.
    pub sha256: Option<String>,
    /// Set when the sheet was imported from the vendor document at `path`
    /// in the run (`kaiji check vendor.pdf`): `source` is then the sheet
    /// kaiji wrote from it, not the file's text, so its lines are no place
    /// in the file; the `[evidence]` says where each answer was read.
    pub imported: bool,
}

impl Sheet {
    pub(crate) fn new(
        path: String,
        format: SheetFormat,
        source: Arc<str>,
        form: Arc<Form>,
        meta: SheetHeader,
        answers: Vec<AnswerEntry>,
        remarks: BTreeMap<u32, Remark>,
    ) -> Sheet {
        let mut slots = vec![None; form.len()];
        for (i, a) in answers.iter().enumerate() {
            if let Some(q) = a.question {
                slots[q].get_or_insert(i as u32);
            }
        }
        let all_remarks = remarks.values().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n");
        Sheet {
            path,
            format,
            source,
            form,
            meta,
            answers,
            remarks,
            answers_span: None,
            source_file: None,
            evidence: BTreeMap::new(),
            slots,
            all_remarks,
            lines: OnceLock::new(),
            sha256: None,
            imported: false,
        }
    }

    pub fn vendor(&self) -> &str {
        self.meta.vendor.as_ref().map_or("", |s| &s.value)
    }

    pub fn service(&self) -> &str {
        self.meta.service.as_ref().map_or("", |s| &s.value)
    }

    pub fn version(&self) -> &str {
        self.meta.version.as_ref().map_or("", |s| &s.value)
    }

    pub fn created(&self) -> Option<jiff::civil::Date> {
        self.meta.created.as_ref().map(|d| d.value)
    }

    /// The answer entry for the question at form index `q`.
    pub fn entry_at(&self, q: usize) -> Option<&AnswerEntry> {
        self.slots.get(q).copied().flatten().map(|i| &self.answers[i as usize])
    }

    /// The answer to the question at form index `q`, if it is one of the
    /// words its kind allows: 該当 on a はい/いいえ question is no answer to
    /// it (`invalid-answer` reports it), so a policy cannot pass it as one.
    pub fn answer_at(&self, q: usize) -> Option<Answer> {
        let a = self.entry_at(q).and_then(AnswerEntry::known)?;
        self.form.questions()[q].kind.allows(a).then_some(a)
    }

    /// The answer entry for a question id (exact, normalised id).
    pub fn entry(&self, id: &str) -> Option<&AnswerEntry> {
        self.form.index_of(id).and_then(|q| self.entry_at(q))
    }

    pub fn remark(&self, number: u32) -> Option<&Remark> {
        self.remarks.get(&number)
    }

    /// Texts of the remarks question `q` cites (existing ones, in citation
    /// order), then its inline note.
    pub fn remark_texts_at(&self, q: usize) -> Vec<&str> {
        let Some(e) = self.entry_at(q) else { return Vec::new() };
        e.remarks
            .iter()
            .filter_map(|n| self.remarks.get(&n.value).map(|r| r.text.as_str()))
            .chain(e.note.as_ref().map(|n| n.value.as_str()))
            .collect()
    }

    /// All remark texts in number order, joined with newlines.
    pub fn all_remarks(&self) -> &str {
        &self.all_remarks
    }

    /// 1-based line and column (in characters) of a byte offset in the
    /// file, without rescanning the text for every lookup.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_index().line_col(&self.source, offset)
    }

    /// The file's text with its line index, for rendering diagnostics.
    pub fn indexed_text(&self) -> IndexedText {
        IndexedText { text: self.source.clone(), lines: self.line_index().clone() }
    }

    fn line_index(&self) -> &Arc<LineIndex> {
        self.lines.get_or_init(|| Arc::new(LineIndex::new(&self.source)))
    }

    /// The nearest ancestor of question `q` that is an applicability gate
    /// answered 非該当, if any: such a question is out of scope.
    pub fn closed_gate(&self, q: usize) -> Option<usize> {
        self.form.ancestors(q).find(|&a| {
            self.form.questions()[a].kind == Kind::Applicability && self.answer_at(a) == Some(Answer::NotApplicable)
        })
    }

    /// Where to point a diagnostic about question `q`: its answer, else the
    /// `[answers]` header, else the `[sheet]` table, else the file start.
    pub fn span_for_question(&self, q: usize) -> Span {
        match self.entry_at(q) {
            Some(e) => e.answer_span(),
            None => self.answers_span.or(self.meta.span).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests;

impl Sheet {
    /// Where question `q`'s answer was read in the vendor's file, for a
    /// report: `PDF p.3 (412, 530)`, or, when the answer was changed after
    /// the import, what was read there too (`PDF p.3 (412, 530): read いいえ, changed since`),
    /// so an edit never passes for the vendor's own answer.
    pub fn read_at(&self, q: usize) -> Option<String> {
        let e = self.evidence.get(&q)?;
        Some(match self.changed_since_import(q) {
            false => e.at.clone(),
            true => format!("{}: read {}, changed since", e.at, e.read),
        })
    }

    /// Question `q` has `[evidence]` and its answer, as written, is no longer
    /// the word read there (a word the form does not allow counts as written:
    /// kept unchanged, it is what the vendor's file said).
    pub fn changed_since_import(&self, q: usize) -> bool {
        let Some(e) = self.evidence.get(&q) else { return false };
        let now = self.entry_at(q).and_then(|a| a.answer.as_ref()).map(|a| a.value.as_str());
        now != Some(e.read.as_str())
    }
}

//! Importers: vendor sheets as kaiji receives them — text extracted from a
//! PDF, or an Excel/ODS workbook — turned into a [`SheetDoc`] (docs/importing.md).
//!
//! Questions are recognised by their text, matched against the form catalog
//! ([`Matcher`]); printed numbers are only a hint, so garbled numbering, a
//! dropped line or a question missing from a vendor's copy do not shift the
//! others. Every import returns an [`ImportReport`]: what was recognised and
//! what was not, for the user to check.

mod account;
pub mod catalog;
mod cells;
mod document;
mod error;
mod header;
mod markup;
mod matcher;
mod ods_view;
pub mod pdf;
mod rules;
pub mod text;
mod view;
mod xls_bounds;
mod xlsb_view;
pub mod xlsx;
mod xlsx_view;

use std::collections::BTreeMap;
use std::path::Path;

pub(crate) use account::excerpt;
pub use account::{Ambiguous, ImportReport, Unread};
pub(crate) use cells::mark;
pub use cells::parse_citations;
pub use document::{DocumentImport, load_document, load_document_file, load_document_file_named};
pub use error::ImportError;
pub(crate) use header::{HeaderField, header_label, is_title, set_header_field};
pub use markup::{looks_like_markup, plain_text};
pub(crate) use matcher::digits;
pub use matcher::{Match, Matcher, Miss};

use crate::form::Form;
use crate::sheet::SheetDoc;

/// Extensions of the vendor documents `kaiji check` and `kaiji lint` import
/// in the run (compared case-insensitively).
pub const DOCUMENT_EXTENSIONS: &[&str] = &["pdf", "xlsx", "xlsm", "xls", "xlsb", "ods", "txt"];

/// The input formats `kaiji import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Text extracted from a PDF sheet (tab-separated cells, one question a line).
    Text,
    /// An Excel (.xlsx/.xlsm/.xls/.xlsb) or OpenDocument (.ods) workbook.
    Xlsx,
    /// The sheet's PDF itself (answer marks read from the drawing).
    Pdf,
}

impl Source {
    /// The name a sheet's `[source]` table and the import header use:
    /// `text`, `workbook` or `pdf`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Text => "text",
            Source::Xlsx => "workbook",
            Source::Pdf => "pdf",
        }
    }

    /// The bounded reader's kind for a file of this format (its size limit).
    pub fn input_kind(self) -> crate::walk::InputKind {
        match self {
            Source::Text => crate::walk::InputKind::TextImport,
            Source::Xlsx => crate::walk::InputKind::Workbook,
            Source::Pdf => crate::walk::InputKind::Pdf,
        }
    }

    /// The document format a path's extension names, if it is one of
    /// [`DOCUMENT_EXTENSIONS`]: what `kaiji check` imports in the run.
    pub fn of_document(path: &Path) -> Option<Source> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("txt") => Some(Source::Text),
            Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods") => Some(Source::Xlsx),
            Some("pdf") => Some(Source::Pdf),
            _ => None,
        }
    }

    /// The format an input's extension implies; text for anything unknown.
    pub fn from_path(path: &Path) -> Source {
        Source::of_document(path).unwrap_or(Source::Text)
    }
}

/// A sheet read from a vendor's file, with the account of how it was read.
#[derive(Debug, Clone)]
pub struct Imported {
    pub doc: SheetDoc,
    pub report: ImportReport,
    /// Where each imported answer was read, by question id.
    pub sources: BTreeMap<String, ReadAt>,
}

/// Where an answer was read in the input.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadAt {
    /// A line of a text input (1-based).
    Line { line: usize },
    /// A place on a PDF page.
    Pdf(PdfPlace),
    /// A workbook cell: `開示書!D40`.
    Cell { place: String },
    /// The same answer read in more than one place (the row appears again,
    /// on a correction page or in a second revision).
    Several(Vec<ReadAt>),
}

impl ReadAt {
    /// Where, as the sheet's `[evidence]` says it: `PDF p.3 (412, 530)`,
    /// `line 120`, `開示書!D40` (PDF points from the page's bottom left).
    pub fn at(&self) -> String {
        match self {
            ReadAt::Line { line } => format!("line {line}"),
            ReadAt::Pdf(p) => format!("PDF p.{} ({:.0}, {:.0})", p.page, p.x, p.y),
            ReadAt::Cell { place } => place.clone(),
            ReadAt::Several(all) => all.iter().map(ReadAt::at).collect::<Vec<_>>().join("; "),
        }
    }

    /// One place, or [`ReadAt::Several`] for more than one.
    pub fn of(mut places: Vec<ReadAt>) -> ReadAt {
        match places.len() {
            1 => places.remove(0),
            _ => ReadAt::Several(places),
        }
    }

    /// Lines of a text input (1-based).
    pub fn lines(lines: &[usize]) -> ReadAt {
        ReadAt::of(lines.iter().map(|&line| ReadAt::Line { line }).collect())
    }

    /// The kind of mark that singled the answer out (PDF only).
    pub fn by(&self) -> Option<&'static str> {
        match self {
            ReadAt::Pdf(p) => Some(p.by.as_str()),
            ReadAt::Several(all) => all.first().and_then(ReadAt::by),
            _ => None,
        }
    }
}

/// The chosen word on a PDF page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfPlace {
    /// 1-based page number.
    pub page: u32,
    /// Centre of the chosen word in PDF user space: points from the page's
    /// bottom-left corner.
    pub x: f32,
    pub y: f32,
    /// The evidence that singled the word out.
    pub by: pdf::MarkKind,
}

/// Below this share of the form's questions recognised (one half), an
/// import is refused unless partial imports are asked for: a bit-flipped or
/// truncated file, or another form, yields a few questions and a sheet that
/// would pass for the vendor's.
pub const RECOGNISED_FLOOR: (usize, usize) = (1, 2);

/// How an import may go beyond its defaults.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Keep a file where fewer than [`RECOGNISED_FLOOR`] of the form's
    /// questions are recognised (by default an error, [`ImportError::TooFew`]).
    pub partial: bool,
    /// The worksheet that is the form, in a workbook with more than one
    /// that could be (the vendor's and a 記入例, two revisions ...).
    pub sheet: Option<String>,
}

/// Import the file at `path` with the given source format.
pub fn import_file(path: &Path, source: Source, form: &Form, options: &ImportOptions) -> Result<Imported, ImportError> {
    let bytes = crate::walk::read_input(path, source.input_kind())?;
    import_bytes(&bytes, &path.display().to_string(), source, form, options)
}

/// Import a file's bytes (`shown`: how messages and `[source]` name it):
/// the one entry point `kaiji import`, `kaiji check` on documents and
/// `kaiji serve` share, so each applies the same importers, bounds and
/// floor. The sheet's `[source]` records the SHA-256 of `bytes`.
pub fn import_bytes(
    bytes: &[u8],
    shown: &str,
    source: Source,
    form: &Form,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    import_digested(bytes, &crate::walk::sha256_hex(bytes), shown, source, form, options)
}

/// [`import_bytes`] with the SHA-256 of `bytes` already computed (a run
/// that imports a document states the digest twice: hashing a PDF is not
/// free).
pub(crate) fn import_digested(
    bytes: &[u8],
    sha256: &str,
    shown: &str,
    source: Source,
    form: &Form,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let mut imported = match source {
        Source::Text => text::import_bytes(bytes, form, shown),
        Source::Xlsx => xlsx::import_bytes_with(bytes, form, shown, options.sheet.as_deref()),
        Source::Pdf => pdf::import_bytes(bytes, form, shown),
    }?;
    if !options.partial {
        imported.report.require_most(shown, &form.id)?;
    }
    imported.record_provenance(shown, sha256, source, form);
    Ok(imported)
}

impl Imported {
    /// Write into the doc what it was read from (`[source]`: the file, the
    /// SHA-256 of its bytes, the format) and where each answer was read
    /// (`[evidence]`, in form order, with the word read).
    ///
    /// A workbook `kaiji export` wrote from an imported sheet carries the
    /// vendor document's `[source]` and `[evidence]`: those are kept, not
    /// replaced by the workbook's (see `xlsx::import_bytes_with`).
    pub fn record_provenance(&mut self, file: &str, sha256: &str, source: Source, form: &Form) {
        if self.doc.source.is_some() {
            return;
        }
        self.doc.source = Some(crate::sheet::DocSource {
            file: file.to_string(),
            sha256: sha256.to_string(),
            format: source.as_str().to_string(),
        });
        let mut evidence: Vec<(usize, crate::sheet::DocEvidence)> = self
            .sources
            .iter()
            .filter_map(|(id, at)| {
                let i = form.index_of(id)?;
                let read = self.doc.answer(id)?.answer.as_ref()?.as_str().to_string();
                let e =
                    crate::sheet::DocEvidence { id: id.clone(), read, at: at.at(), by: at.by().map(str::to_string) };
                Some((i, e))
            })
            .collect();
        evidence.sort_by_key(|(i, _)| *i);
        self.doc.evidence = evidence.into_iter().map(|(_, e)| e).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::Source;

    /// `[source] format` accepts exactly the names the importers write.
    #[test]
    fn every_source_is_one_a_sheet_accepts() {
        let names: Vec<&str> = [Source::Pdf, Source::Text, Source::Xlsx].iter().map(|s| s.as_str()).collect();
        assert_eq!(names, crate::sheet::SOURCE_FORMATS);
    }
}

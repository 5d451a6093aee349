//! A vendor document read as a sheet within a run (`kaiji check vendors/`
//! on PDFs and workbooks): the same importer, bounds and recognition floor
//! as `kaiji import`, the imported sheet loaded as any sheet file is (so
//! lint and policies see exactly what `kaiji import` would have written),
//! and the importer's account kept beside it for the report.

use std::path::Path;
use std::sync::Arc;

use super::{ImportError, ImportOptions, ImportReport, Source, import_digested};
use crate::form::{Form, FormRegistry};
use crate::sheet::{Sheet, SheetFormat, write};

/// What a run says of a document it imported: the format it was read as,
/// the importer's account (recognised, answered, ambiguous rows with their
/// places, hidden content), and where its sheet was saved, if it was.
#[derive(Debug, Clone)]
pub struct DocumentImport {
    pub format: Source,
    pub account: ImportReport,
    /// `--save-imported`: the file the imported sheet was written to.
    pub saved: Option<String>,
}

impl DocumentImport {
    /// Questions the document answered none of the form's words for: found
    /// and left blank, ambiguous, or not found at all.
    pub fn unanswered(&self) -> usize {
        self.account.questions - self.account.answered.min(self.account.questions)
    }

    /// Something in the account asks for a person's look: a question the
    /// document leaves unanswered, an ambiguous row, content hidden from a
    /// person, or a warning of the importer.
    pub fn needs_a_look(&self) -> bool {
        self.unanswered() > 0
            || !self.account.ambiguous.is_empty()
            || !self.account.hidden.is_empty()
            || !self.account.warnings.is_empty()
    }

    /// The whole account, over several lines: the counts, then each
    /// ambiguous row, missing question and hidden place with where it is.
    pub fn text(&self) -> String {
        format!("imported from {}: {}", self.format.as_str(), self.account)
    }

    /// The account in one line, for a report: `pdf: 198 of 198 questions
    /// recognised, 190 answered, 8 unanswered (3 ambiguous: 17.1.d page 3,
    /// …); 2 places hidden from a person not read`.
    pub fn line(&self) -> String {
        const SHOWN: usize = 3;
        let a = &self.account;
        let mut line = format!(
            "imported from {}: {} of {} questions recognised, {} answered, {} unanswered",
            self.format.as_str(),
            a.recognised,
            a.questions,
            a.answered,
            self.unanswered()
        );
        if !a.ambiguous.is_empty() {
            let mut places: Vec<String> =
                a.ambiguous.iter().take(SHOWN).map(|x| format!("{} {}", x.id, x.place)).collect();
            if a.ambiguous.len() > SHOWN {
                places.push("…".to_string());
            }
            line.push_str(&format!(" ({} ambiguous: {})", a.ambiguous.len(), places.join(", ")));
        }
        let hidden = a.hidden.len() + a.hidden_more;
        if hidden > 0 {
            line.push_str(&format!("; {hidden} place(s) hidden from a person not read"));
        }
        if let Some(saved) = &self.saved {
            line.push_str(&format!("; saved as {saved}"));
        }
        line
    }
}

/// Import the document whose bytes are `bytes` (named `shown`) against
/// `form`, and load the sheet the importer writes. The sheet carries the
/// document's path and SHA-256 ([`Sheet::sha256`]), and is marked
/// [`Sheet::imported`]. Fewer than half the form's questions recognised is
/// an error (a damaged file, a scan, another form): a run never evaluates a
/// sheet the document does not support.
pub fn load_document(
    bytes: &[u8],
    shown: &str,
    source: Source,
    form: &Arc<Form>,
    forms: &FormRegistry,
) -> Result<(Sheet, DocumentImport), ImportError> {
    let sha256 = crate::walk::sha256_hex(bytes);
    let imported = import_digested(bytes, &sha256, shown, source, form, &ImportOptions::default())?;
    let header = [format!("Imported by kaiji from {shown} ({}) against form {}.", source.as_str(), form.id)];
    let toml = write::to_toml_fill_in(&imported.doc, form, &header);
    let mut sheet = crate::sheet::load_str(shown, toml, SheetFormat::Toml, forms).map_err(|e| {
        // kaiji's own writer and loader disagreeing is a bug, not the
        // vendor's: say so, and what to do meanwhile.
        ImportError::Unrecognised {
            path: shown.to_string(),
            message: format!("the sheet imported from this document does not load: {e}"),
            help: Some(format!(
                "this is a bug in kaiji; meanwhile run `kaiji import {shown} -o SHEET.toml` and check the \
                 sheet it writes"
            )),
        }
    })?;
    sheet.sha256 = Some(sha256);
    sheet.imported = true;
    Ok((sheet, DocumentImport { format: source, account: imported.report, saved: None }))
}

/// [`load_document`] for a file on disk, read with the bounded reader of
/// its format.
pub fn load_document_file(
    path: &Path,
    source: Source,
    form: &Arc<Form>,
    forms: &FormRegistry,
) -> Result<(Sheet, DocumentImport), ImportError> {
    load_document_file_named(path, &path.display().to_string(), source, form, forms)
}

/// [`load_document_file`], naming the document `shown` (in the sheet, its
/// `[source]` and diagnostics) instead of by `path`.
pub fn load_document_file_named(
    path: &Path,
    shown: &str,
    source: Source,
    form: &Arc<Form>,
    forms: &FormRegistry,
) -> Result<(Sheet, DocumentImport), ImportError> {
    let bytes = crate::walk::read_input(path, source.input_kind())?;
    load_document(&bytes, shown, source, form, forms)
}

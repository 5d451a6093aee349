//! `kaiji lint --verify-source`: an imported sheet's `[source]` names the
//! vendor's file by SHA-256; where that file lies beside the sheet, read it
//! again and compare. `[evidence]` is not signed: an edited evidence table,
//! or a vendor file replaced since the import, shows only against the file.
//! Unlike the rules in `rules/`, this reads a file other than the sheet,
//! so it is a check a run asks for, not a rule every lint applies.

use std::path::Path;
use std::sync::Arc;

use crate::outcome::{Check, Finding, Severity, SheetReport};
use crate::sheet::Sheet;
use crate::walk::{InputKind, read_input, sha256_hex};

/// The rule name of the findings.
pub const RULE: &str = "source-changed";

/// Compares each imported sheet's `[source]` with the file beside it.
pub struct VerifySource;

impl Check for VerifySource {
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport) {
        if let Some(f) = verify(sheet) {
            report.findings.push(f);
        }
    }
}

/// The finding for `sheet`'s source file, if it is beside the sheet and
/// is not the file the sheet says it was imported from.
pub fn verify(sheet: &Sheet) -> Option<Finding> {
    let source = sheet.source_file.as_ref()?;
    let name = Path::new(&source.file).file_name()?;
    let beside = Path::new(&sheet.path).parent().unwrap_or(Path::new(".")).join(name);
    if !beside.is_file() {
        return None;
    }
    let kind = match source.format.as_str() {
        "pdf" => InputKind::Pdf,
        "workbook" => InputKind::Workbook,
        _ => InputKind::TextImport,
    };
    let shown = beside.display().to_string();
    let message = match read_input(&beside, kind) {
        Ok(bytes) => {
            let digest = sha256_hex(&bytes);
            if digest == source.sha256 {
                return None;
            }
            format!(
                "{shown} has SHA-256 {}…, not the {}… [source] records: the vendor's file changed since the \
                 import, or [source]/[evidence] were edited",
                &digest[..12],
                source.sha256.get(..12).unwrap_or(&source.sha256)
            )
        }
        Err(e) => format!("{shown} could not be read to verify [source]: {e}"),
    };
    Some(
        Finding::lint(RULE, Severity::Error, message).with_help(
            "import the vendor's file again (kaiji import FILE -o SHEET --force) and review the answers that changed"
                .to_string(),
        ),
    )
}

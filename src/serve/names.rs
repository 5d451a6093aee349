//! What an uploaded file is called while `kaiji serve` holds it.
//!
//! The name a browser (or any client) sends is vendor data: it may hold a
//! path (`../x`, `C:\x`, `/etc/x`), NUL and other control characters, bidi
//! overrides, characters Windows refuses (`<>:"|?*`), a device name
//! (`CON.pdf`), hundreds of characters, or the same text in another Unicode
//! normal form (macOS sends NFD: `ﾃﾞ` and `デ` must be one name). A
//! [`DocName`] is made only by [`DocName::new`], which keeps the last path
//! component, normalises it to NFC, replaces what is unsafe, and bounds its
//! length; the result is a plain file name that cannot leave the directory
//! it is joined to and that every file system here accepts.
//!
//! Two uploads are the same document when their names have the same
//! [`DocName::key`]: the stem, NFC and case-folded. So re-uploading
//! `acme.pdf` replaces `acme.pdf`, and so does `ACME.pdf` (one file on
//! Windows and macOS anyway), and so does `acme.xlsx` — the fill-in
//! workbook a person corrected and sent back replaces the vendor's PDF it
//! was made from, as `kaiji check` reads `acme.toml` instead of `acme.pdf`
//! beside it.

use unicode_normalization::UnicodeNormalization;

use crate::walk::InputKind;

/// The file extensions `kaiji serve` takes, with the kind of input each is
/// (which sets its size limit, [`InputKind::limit`]): sheets, and the vendor
/// documents `kaiji check` imports.
pub const ACCEPTED: &[(&str, InputKind)] = &[
    ("toml", InputKind::Sheet),
    ("json", InputKind::Sheet),
    ("pdf", InputKind::Pdf),
    ("xlsx", InputKind::Workbook),
    ("xlsm", InputKind::Workbook),
    ("xls", InputKind::Workbook),
    ("xlsb", InputKind::Workbook),
    ("ods", InputKind::Workbook),
    ("txt", InputKind::TextImport),
];

/// The most bytes a held name may have (UTF-8). File systems allow 255;
/// this leaves room and keeps the matrix's row headers readable.
pub const MAX_NAME_BYTES: usize = 150;

/// What a stem becomes when nothing of it is left.
const FALLBACK_STEM: &str = "document";

/// An uploaded file's name, made safe (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocName {
    name: String,
    key: String,
    kind: InputKind,
}

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The extension is none `kaiji serve` reads. `name` is printable.
    #[error(
        "{name}: kaiji reads sheets (.toml, .json) and vendor documents (.pdf, .xlsx, .xlsm, .xls, .xlsb, .ods, \
         .txt); this file has {}",
        match ext { Some(e) => format!("the extension .{e}"), None => "no extension".to_string() }
    )]
    Unsupported { name: String, ext: Option<String> },
}

impl DocName {
    /// The safe name for `raw`, or why it is refused.
    pub fn new(raw: &str) -> Result<DocName, NameError> {
        // A path's last component: `C:\Users\x\acme.pdf` (old browsers sent
        // it whole), `../../acme.pdf`.
        let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
        let nfc: String = base.nfc().collect();
        let cleaned: String = nfc.chars().map(|c| if unsafe_char(c) { '_' } else { c }).collect();
        // No leading dots (`..`, hidden files) or spaces, no trailing dots
        // or spaces (Windows drops them, making two names one).
        let cleaned = cleaned.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
        let (stem, ext) = match cleaned.rsplit_once('.') {
            Some((stem, ext)) if !ext.is_empty() => (stem.trim_end_matches(['.', ' ']), Some(ext.to_lowercase())),
            _ => (cleaned, None),
        };
        let kind = ext.as_deref().and_then(|e| ACCEPTED.iter().find(|(a, _)| *a == e)).map(|&(_, k)| k);
        let (Some(ext), Some(kind)) = (ext, kind) else {
            return Err(NameError::Unsupported {
                name: crate::text::printable_line(&cleaned.chars().take(80).collect::<String>()).into_owned(),
                ext: cleaned.rsplit_once('.').map(|(_, e)| crate::text::printable_line(e).into_owned()),
            });
        };
        let mut stem = if stem.is_empty() { FALLBACK_STEM.to_string() } else { stem.to_string() };
        if is_device_name(&stem) {
            stem.insert(0, '_');
        }
        let room = MAX_NAME_BYTES - ext.len() - 1;
        if stem.len() > room {
            let mut end = room;
            while !stem.is_char_boundary(end) {
                end -= 1;
            }
            stem.truncate(end);
        }
        let key = stem.to_lowercase().nfc().collect();
        Ok(DocName { name: format!("{stem}.{ext}"), key, kind })
    }

    /// The file name to hold the document under and show it by.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// Which held document this one replaces: the stem, NFC and
    /// case-folded.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the file is, by its extension (its size limit).
    pub fn kind(&self) -> InputKind {
        self.kind
    }
}

/// Characters that never stay in a held name: path separators, those
/// Windows refuses, control characters (C0, DEL, C1), and the invisible
/// formatting characters that make a name read as another (bidi
/// overrides and isolates, zero-width characters, the BOM).
fn unsafe_char(c: char) -> bool {
    matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*')
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Windows device names, which name no file whatever their extension.
fn is_device_name(stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    let upper = upper.trim_end();
    matches!(upper, "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || (upper.len() == 4
            && (upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.as_bytes()[3].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &str) -> String {
        DocName::new(raw).unwrap().as_str().to_string()
    }

    #[test]
    fn paths_become_their_last_component() {
        assert_eq!(name("../x.toml"), "x.toml");
        assert_eq!(name("../../etc/passwd.txt"), "passwd.txt");
        assert_eq!(name("/etc/shadow.json"), "shadow.json");
        assert_eq!(name(r"C:\Users\someone\acme.pdf"), "acme.pdf");
        assert_eq!(name("..\\..\\x.pdf"), "x.pdf");
        // Nothing left of the stem: a name of our own, never empty or a dot.
        assert_eq!(name("../.toml.toml"), "toml.toml");
        assert_eq!(name("..pdf.pdf"), "pdf.pdf");
        assert_eq!(name("_.pdf"), "_.pdf");
        assert_eq!(name(" .pdf.toml"), "pdf.toml");
    }

    #[test]
    fn control_and_reserved_characters_are_replaced() {
        assert_eq!(name("a\0b.toml"), "a_b.toml");
        assert_eq!(name("a\nb\rc\x1b[31m.toml"), "a_b_c_[31m.toml");
        assert_eq!(name("a\u{202E}fdp.exe.toml"), "a_fdp.exe.toml");
        assert_eq!(name("a<b>c:d\"e|f?g*h.pdf"), "a_b_c_d_e_f_g_h.pdf");
        assert_eq!(name("a\u{85}b\u{7f}.pdf"), "a_b_.pdf");
        assert_eq!(name("name. . .pdf"), "name.pdf");
        assert_eq!(name("CON.pdf"), "_CON.pdf");
        assert_eq!(name("lpt1.xlsx"), "_lpt1.xlsx");
        assert_eq!(name("COM10.xlsx"), "COM10.xlsx");
        for raw in ["a\0b.toml", "x\u{202E}.toml", "../../a.toml", "a\tb.pdf"] {
            let n = name(raw);
            assert!(!n.chars().any(|c| c.is_control() || c == '/' || c == '\\'), "{raw:?} -> {n:?}");
        }
    }

    #[test]
    fn extensions_decide_and_are_lowercased() {
        assert_eq!(name("ACME.PDF"), "ACME.pdf");
        assert_eq!(DocName::new("a.Xlsx").unwrap().kind(), InputKind::Workbook);
        assert_eq!(DocName::new("a.toml").unwrap().kind(), InputKind::Sheet);
        assert_eq!(DocName::new("a.txt").unwrap().kind(), InputKind::TextImport);
        for refused in ["a.exe", "a", "a.", ".toml", " .pdf", "..", "", "/", "a.toml.exe", "a.docx"] {
            assert!(matches!(DocName::new(refused), Err(NameError::Unsupported { .. })), "{refused:?}");
        }
        let e = DocName::new("evil\u{1b}[2J.exe").unwrap_err().to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary_keeping_the_extension() {
        let long = format!("{}.pdf", "開".repeat(200));
        let n = name(&long);
        assert!(n.len() <= MAX_NAME_BYTES, "{}", n.len());
        assert!(n.ends_with(".pdf") && n.starts_with("開"));
        let ascii = format!("{}.xlsx", "a".repeat(10_000));
        assert_eq!(name(&ascii).len(), MAX_NAME_BYTES);
    }

    #[test]
    fn one_document_whatever_the_normal_form_case_or_extension() {
        let nfd = "ﾃ\u{3099}".to_string(); // not NFC-composable: stays distinct
        let composed = DocName::new("デモ.pdf").unwrap();
        let decomposed = DocName::new("テ\u{3099}モ.pdf").unwrap();
        assert_eq!(composed.as_str(), decomposed.as_str(), "macOS NFD names are NFC here");
        assert_eq!(composed.key(), decomposed.key());
        assert_ne!(DocName::new(&format!("{nfd}.pdf")).unwrap().key(), composed.key());
        let key = |raw: &str| DocName::new(raw).unwrap().key().to_string();
        assert_eq!(key("ACME.pdf"), key("acme.pdf"));
        assert_eq!(key("acme.xlsx"), key("acme.pdf"), "the corrected workbook replaces the PDF");
        assert_ne!(key("acme.pdf"), key("acme2.pdf"));
        assert_eq!(key("../acme.toml"), key("acme.toml"));
    }
}

//! Reading sheet files (TOML or JSON) into a [`Sheet`].
//!
//! Errors here are about the file itself — unreadable, not text, not valid
//! syntax, a value of the wrong type. Content problems a vendor can make with
//! a well-formed file (unknown ids, bad answer words, missing remarks) are
//! kept in the model and reported by the lint rules instead.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use miette::SourceSpan;

use super::located::{ErrorExtra, LocatedError};
use super::tree::{self, Key, Node, Value};
use super::{AnswerEntry, AnswerValue, DocSource, Evidence, Remark, Sheet, SheetHeader, Span, Spanned};
use crate::form::{DEFAULT_FORM, Form, FormRegistry};
use crate::text::{did_you_mean, normalize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetFormat {
    Toml,
    Json,
}

impl SheetFormat {
    /// By extension; anything that is not `.json` is read as TOML.
    pub fn from_path(path: &Path) -> SheetFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => SheetFormat::Json,
            _ => SheetFormat::Toml,
        }
    }
}

/// Whether `bytes` may be a kaiji sheet, as opposed to some other TOML or
/// JSON file (Cargo.toml, a policy test file, build metadata): it has a
/// top-level `sheet` or `answers` table, or it does not parse at all.
///
/// It runs over every TOML/JSON file a directory or glob finds, so it is
/// cheap for sheets: a line scan accepts them (a `[sheet]`/`[answers]`
/// header, or a `sheet`/`answers` key before the first header; a JSON
/// `"sheet"`/`"answers"` key), and only the rest are parsed, for their
/// top-level keys. A file that does not parse is kept: a sheet with a
/// syntax error must be reported as an error, not vanish from the run.
pub fn looks_like_sheet(bytes: &[u8], format: SheetFormat) -> bool {
    match format {
        SheetFormat::Toml => {
            toml_marks_a_sheet(bytes)
                || std::str::from_utf8(bytes).map_or(true, |text| text.parse::<toml::Table>().is_err())
        }
        SheetFormat::Json => json_looks_like_sheet(bytes),
    }
}

/// Whether `bytes` show the mark of a kaiji sheet (a top-level `sheet` or
/// `answers` table, by the scan of [`looks_like_sheet`]), as text: unlike
/// [`looks_like_sheet`], a file that does not parse is not one, so this
/// tells a sheet from a PDF's text (`kaiji import`).
pub fn marks_a_sheet(text: &str) -> Option<SheetFormat> {
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
        static KEY: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r#""(?:sheet|answers)"\s*:"#).expect("valid regex"));
        return KEY.is_match(text).then_some(SheetFormat::Json);
    }
    toml_marks_a_sheet(text.as_bytes()).then_some(SheetFormat::Toml)
}

fn json_looks_like_sheet(bytes: &[u8]) -> bool {
    use std::collections::BTreeMap;
    match serde_json::from_slice::<BTreeMap<String, serde::de::IgnoredAny>>(bytes) {
        Ok(keys) => keys.contains_key("sheet") || keys.contains_key("answers"),
        // Valid JSON that is not an object is not a sheet; anything else
        // (comments, a BOM, a syntax error) is for loading to judge.
        Err(e) => !e.is_data(),
    }
}

/// The rest of `s` after a `sheet` or `answers` name, bare or quoted.
fn after_sheet_name(s: &[u8]) -> Option<&[u8]> {
    let (quote, s) = match s.first() {
        Some(&q @ (b'"' | b'\'')) => (Some(q), &s[1..]),
        _ => (None, s),
    };
    let rest = [&b"sheet"[..], b"answers"].iter().find_map(|name| s.strip_prefix(*name))?;
    let rest = match quote {
        Some(q) => rest.strip_prefix(&[q])?,
        // `sheets = …` or `answers_override = …` is another key.
        None if rest.first().is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-') => return None,
        None => rest,
    };
    Some(rest.trim_ascii_start())
}

/// The line scan of [`looks_like_sheet`] for TOML.
fn toml_marks_a_sheet(bytes: &[u8]) -> bool {
    let mut top_level = true;
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.trim_ascii_start();
        if line.starts_with(b"[[") {
            top_level = false;
        } else if let Some(header) = line.strip_prefix(b"[") {
            // `[sheet]`, `[sheet.x]`, and a broken `[answers` too.
            if after_sheet_name(header.trim_ascii_start()).is_some() {
                return true;
            }
            top_level = false;
        } else if top_level && after_sheet_name(line).is_some_and(|r| r.starts_with(b"=") || r.starts_with(b".")) {
            return true;
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetErrorKind {
    /// The file could not be read.
    Io,
    /// The file is not UTF-8 text (binary, Shift_JIS ...).
    Encoding,
    /// Not valid TOML / JSON.
    Syntax,
    /// Valid syntax, but a field has the wrong type or name.
    Schema,
    /// The sheet names a form the run does not know.
    Form,
}

/// A sheet that could not be loaded: what, where and what to do.
pub type SheetError = LocatedError<SheetErrorExtra>;

/// What a sheet's error adds to a [`LocatedError`].
#[derive(Debug)]
pub struct SheetErrorExtra {
    pub kind: SheetErrorKind,
    /// Where a duplicated key was first written (JSON allows duplicates;
    /// sheets do not).
    pub first: Option<SourceSpan>,
}

impl ErrorExtra for SheetErrorExtra {
    const CODE: &'static str = "kaiji::sheet";

    fn labels(&self) -> impl Iterator<Item = miette::LabeledSpan> {
        self.first.map(|s| miette::LabeledSpan::new_with_span(Some("first written here".to_string()), s)).into_iter()
    }
}

/// Read and load a sheet file; the format comes from the extension.
pub fn load_file(path: &Path, forms: &FormRegistry) -> Result<Sheet, SheetError> {
    load_file_named(path, &path.display().to_string(), forms)
}

/// [`load_file`], naming the sheet `shown` in the sheet and its
/// diagnostics instead of by `path` (a file read from a temporary
/// directory is named as its reader knows it).
pub fn load_file_named(path: &Path, shown: &str, forms: &FormRegistry) -> Result<Sheet, SheetError> {
    let bytes = crate::walk::read_input(path, crate::walk::InputKind::Sheet).map_err(|e| {
        use crate::walk::ReadError;
        let help = match &e {
            ReadError::TooLarge { .. } => Some("a sheet is a small text file; check that this is the right file"),
            ReadError::NotAFile { what: "a directory", .. } => {
                Some("give sheet files or a glob such as 'vendors/*.toml'")
            }
            ReadError::NotAFile { .. } => Some("a sheet is read from a regular file; save it to one first"),
            _ if e.io_kind() == Some(std::io::ErrorKind::NotFound) => {
                Some("check the path; quote globs so kaiji expands them")
            }
            _ => None,
        };
        plain_error(shown, SheetErrorKind::Io, e.reason(), help)
    })?;
    load_bytes(shown, bytes, SheetFormat::from_path(path), forms)
}

/// Load a sheet from a file's bytes (which must be UTF-8 text); `path`
/// names it in diagnostics.
pub fn load_bytes(path: &str, bytes: Vec<u8>, format: SheetFormat, forms: &FormRegistry) -> Result<Sheet, SheetError> {
    // Digested before anything is decoded: the bytes a decision rests on.
    let sha256 = crate::walk::sha256_hex(&bytes);
    let mut sheet = load_text(path, bytes, format, forms)?;
    sheet.sha256 = Some(sha256);
    Ok(sheet)
}

fn load_text(path: &str, bytes: Vec<u8>, format: SheetFormat, forms: &FormRegistry) -> Result<Sheet, SheetError> {
    let text = crate::text::into_text(bytes).map_err(|why| not_text(path, why))?;
    load_str(path, text, format, forms)
}

/// Why a file's bytes are not a sheet's text.
fn not_text(path: &str, why: crate::text::NotText) -> SheetError {
    let (message, help) = match why {
        crate::text::NotText::Binary => (
            "this is a binary file, not a sheet".to_string(),
            "a sheet is a TOML or JSON text file; import PDFs and workbooks with `kaiji import`",
        ),
        other => (
            other.to_string(),
            "save the file as UTF-8 (Shift_JIS/CP932 is not read); most editors offer this under 'encoding'",
        ),
    };
    plain_error(path, SheetErrorKind::Encoding, message, Some(help))
}

/// An error about the file as a whole (no text to point into).
fn plain_error(path: &str, kind: SheetErrorKind, message: String, help: Option<&str>) -> SheetError {
    SheetError {
        path: path.to_string(),
        message,
        help: help.map(str::to_string),
        src: None,
        span: None,
        extra: SheetErrorExtra { kind, first: None },
    }
}

/// Load a sheet from text; `path` names it in diagnostics.
pub fn load_str(path: &str, text: String, format: SheetFormat, forms: &FormRegistry) -> Result<Sheet, SheetError> {
    // A UTF-8 BOM (Excel and Notepad write one) is not content.
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(t) => t.to_string(),
        None => text,
    };
    let source: Arc<str> = Arc::from(text);
    let b = Builder { path: path.to_string(), source: source.clone(), shared: std::cell::OnceCell::new() };
    if source.trim().is_empty() {
        return Err(b.error(
            SheetErrorKind::Syntax,
            "the file is empty".into(),
            None,
            Some("a sheet needs at least an [answers] table; see examples/sheets/"),
        ));
    }
    let root = match format {
        SheetFormat::Toml => tree::from_toml(&source).map_err(tree::ParseError::from),
        SheetFormat::Json => tree::from_json(&source),
    }
    .map_err(|e| {
        let what = match format {
            SheetFormat::Toml => "TOML",
            SheetFormat::Json => "JSON",
        };
        let mut err = b.error(
            SheetErrorKind::Syntax,
            format!("not valid {what}: {}", e.message),
            e.span,
            Some("fix the syntax at the marked place (an unclosed quote or bracket is the usual cause)"),
        );
        if let Some(first) = e.first {
            let (line, _) = crate::text::line_col(&source, first.start);
            err.message = format!("{} (first written on line {line})", err.message);
            err.help = Some("keep one of the two: JSON readers differ on which value wins".into());
            err.extra.first = Some(clamp(&source, first).into());
        }
        err
    })?;
    b.build(root, format, forms)
}

struct Builder {
    path: String,
    source: Arc<str>,
    /// The text as errors show it, indexed on the first error and shared
    /// by any later one.
    shared: std::cell::OnceCell<crate::text::SharedSource>,
}

const TOP_KEYS: &[&str] = &["sheet", "answers", "remarks", "source", "evidence"];
const SOURCE_KEYS: &[&str] = &["file", "sha256", "format"];
const EVIDENCE_KEYS: &[&str] = &["read", "at", "by"];
const SHEET_KEYS: &[&str] = &["form", "vendor", "service", "version", "created"];
const ANSWER_KEYS: &[&str] = &["answer", "remarks", "note"];

impl Builder {
    fn error(&self, kind: SheetErrorKind, message: String, span: Option<Span>, help: Option<&str>) -> SheetError {
        let span = span.map(|s| clamp(&self.source, s));
        SheetError {
            path: self.path.clone(),
            message,
            help: help.map(str::to_string),
            src: Some(self.shared.get_or_init(|| crate::text::shared_source(&self.path, self.source.clone())).clone()),
            span,
            extra: SheetErrorExtra { kind, first: None },
        }
    }

    fn schema(&self, message: String, span: Span, help: Option<String>) -> SheetError {
        let mut e = self.error(SheetErrorKind::Schema, message, Some(span), None);
        e.help = help;
        e
    }

    fn unknown_key(&self, key: &Key, allowed: &[&str], place: &str) -> SheetError {
        let help = match did_you_mean(&key.name, allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? {place} takes: {}", allowed.join(", ")),
            None => format!("{place} takes: {}", allowed.join(", ")),
        };
        self.schema(format!("unknown key `{}` in {place}", key.name), key.span, Some(help))
    }

    fn string(&self, node: &Node, what: &str) -> Result<Spanned<String>, SheetError> {
        let mut s = self.text(node, what)?;
        s.value = normalize(&s.value);
        Ok(s)
    }

    /// A string of the vendor's (vendor, service, version, note, remark):
    /// kept as written, only trimmed, so export and reports give it back
    /// unchanged (「3.2（…）」 stays full-width). Whatever compares such text
    /// normalises it there: waiver matching, `kaiji diff`, the policies'
    /// text helpers (`mentions`, `matches`, `tls_versions`).
    fn text(&self, node: &Node, what: &str) -> Result<Spanned<String>, SheetError> {
        match &node.value {
            Value::Str(s) => Ok(Spanned { value: s.trim().to_string(), span: node.span }),
            other => Err(self.schema(
                format!("{what} must be a string, found {}", other.type_name()),
                node.span,
                Some("put the value in double quotes".into()),
            )),
        }
    }

    fn table<'n, 'a>(&self, node: &'n Node<'a>, what: &str) -> Result<&'n [(Key<'a>, Node<'a>)], SheetError> {
        match &node.value {
            Value::Table(t) => Ok(t),
            other => Err(self.schema(format!("{what} must be a table, found {}", other.type_name()), node.span, None)),
        }
    }

    fn build(self, root: Node, format: SheetFormat, forms: &FormRegistry) -> Result<Sheet, SheetError> {
        let top = self.table(&root, "the document")?;
        let mut meta_node = None;
        let mut answers_node = None;
        let mut answers_key = None;
        let mut remarks_node = None;
        let mut source_node = None;
        let mut evidence_node = None;
        for (k, v) in top {
            match k.name.as_ref() {
                "sheet" => meta_node = Some(v),
                "answers" => {
                    answers_node = Some(v);
                    answers_key = Some(k.span);
                }
                "remarks" => remarks_node = Some(v),
                "source" => source_node = Some(v),
                "evidence" => evidence_node = Some(v),
                _ => return Err(self.unknown_key(k, TOP_KEYS, "a sheet file")),
            }
        }
        let meta = match meta_node {
            Some(n) => self.metadata(n)?,
            None => SheetHeader::default(),
        };
        let form_id = meta.form.as_ref().map_or(DEFAULT_FORM, |f| f.value.as_str());
        let form = forms.get(form_id).map_err(|e| {
            let span = meta.form.as_ref().map(|f| f.span);
            self.error(SheetErrorKind::Form, e.to_string(), span, Some("load its catalog with --form-file FILE"))
        })?;
        let mut remarks = BTreeMap::new();
        if let Some(n) = remarks_node {
            for (k, v) in self.table(n, "[remarks]")? {
                let number = parse_remark_number(&k.name).ok_or_else(|| {
                    self.schema(
                        format!("remark key `{}` is not a number", k.name),
                        k.span,
                        Some("remarks are numbered as on the form: 1 = \"...\"".into()),
                    )
                })?;
                let text = self.text(v, &format!("remark {number}"))?;
                if let Some(prev) =
                    remarks.insert(number, Remark { number, text: text.value, span: v.span, key_span: k.span })
                {
                    return Err(self.schema(
                        format!("remark {number} is written twice (first at byte {})", prev.key_span.start),
                        k.span,
                        Some("merge the two texts into one remark".into()),
                    ));
                }
            }
        }
        let mut answers: Vec<AnswerEntry> = Vec::new();
        if let Some(n) = answers_node {
            let entries = self.table(n, "[answers]")?;
            answers.reserve(entries.len());
            // Duplicate ids are found in constant time per entry: by form
            // index for the form's questions, by name for unknown ids.
            let mut by_question: Vec<Option<usize>> = vec![None; form.len()];
            let mut unknown: HashMap<String, usize> = HashMap::new();
            for (k, v) in entries {
                let id = normalize(&k.name);
                let question = form.index_of(&id);
                let seen = match question {
                    Some(q) => by_question[q].replace(answers.len()),
                    None => unknown.insert(id.clone(), answers.len()),
                };
                if let Some(prev) = seen.map(|i| &answers[i]) {
                    let (line, _) = crate::text::line_col(&self.source, prev.id.span.start);
                    return Err(self.schema(
                        format!("question {id} is answered twice (also on line {line})"),
                        k.span,
                        Some("keep one answer per question".into()),
                    ));
                }
                answers.push(self.answer(Spanned { value: id, span: k.span }, question, v)?);
            }
        }
        let source_file = source_node.map(|n| self.source_table(n)).transpose()?;
        let evidence = match evidence_node {
            Some(n) => self.evidence(n, &form)?,
            None => BTreeMap::new(),
        };
        let mut sheet = Sheet::new(self.path, format, self.source, form, meta, answers, remarks);
        sheet.answers_span = answers_key;
        sheet.source_file = source_file;
        sheet.evidence = evidence;
        Ok(sheet)
    }

    /// `[source]`: the file an imported sheet was read from.
    fn source_table(&self, node: &Node) -> Result<DocSource, SheetError> {
        let mut out = DocSource::default();
        for (k, v) in self.table(node, "[source]")? {
            let field = match k.name.as_ref() {
                "file" => &mut out.file,
                "sha256" => &mut out.sha256,
                "format" => &mut out.format,
                _ => return Err(self.unknown_key(k, SOURCE_KEYS, "[source]")),
            };
            *field = self.text(v, &format!("source.{}", k.name))?.value;
        }
        if !(out.sha256.len() == 64 && out.sha256.bytes().all(|b| b.is_ascii_hexdigit())) {
            return Err(self.schema(
                "source.sha256 must be the 64 hex digits of the imported file's SHA-256".into(),
                node.span,
                Some("`kaiji import` writes it; remove the [source] table rather than editing it".into()),
            ));
        }
        if !super::doc::SOURCE_FORMATS.contains(&out.format.as_str()) {
            return Err(self.schema(
                format!(
                    "source.format is 「{}」, which kaiji does not import from (one of: {})",
                    out.format,
                    super::doc::SOURCE_FORMATS.join(", ")
                ),
                node.span,
                Some("`kaiji import` writes it; remove the [source] table rather than editing it".into()),
            ));
        }
        Ok(out)
    }

    /// `[evidence]`: `"17.1.d" = { read = "いいえ", at = "PDF p.3 (412, 530)", by = "ellipse" }`.
    fn evidence(&self, node: &Node, form: &Form) -> Result<BTreeMap<usize, Evidence>, SheetError> {
        let mut out = BTreeMap::new();
        for (k, v) in self.table(node, "[evidence]")? {
            let id = normalize(&k.name);
            let q = form.index_of(&id).ok_or_else(|| {
                let help = form.suggest(&id).map(|s| format!("did you mean {s}?"));
                self.schema(format!("evidence for {id}, which form {} does not have", form.id), k.span, help)
            })?;
            let mut read = None;
            let mut at = None;
            let mut by = None;
            for (fk, fv) in self.table(v, &format!("the evidence of {id}"))? {
                let slot = match fk.name.as_ref() {
                    "read" => &mut read,
                    "at" => &mut at,
                    "by" => &mut by,
                    _ => return Err(self.unknown_key(fk, EVIDENCE_KEYS, &format!("the evidence of {id}"))),
                };
                let value = self.text(fv, &format!("evidence.{}", fk.name))?.value;
                if fk.name.as_ref() == "by" && !super::doc::EVIDENCE_KINDS.contains(&value.as_str()) {
                    return Err(self.schema(
                        format!(
                            "the evidence of {id} says it was read by 「{value}」, which is no kind of mark kaiji reads"
                        ),
                        fv.span,
                        Some(format!("one of: {}", super::doc::EVIDENCE_KINDS.join(", "))),
                    ));
                }
                *slot = Some(value);
            }
            let (Some(read), Some(at)) = (read, at) else {
                return Err(self.schema(
                    format!("the evidence of {id} needs both `read` (the word read) and `at` (where)"),
                    v.span,
                    None,
                ));
            };
            let e = Evidence { read: normalize(&read), at, by, span: v.span };
            if out.insert(q, e).is_some() {
                return Err(self.schema(format!("evidence for {id} is written twice"), k.span, None));
            }
        }
        Ok(out)
    }

    fn metadata(&self, node: &Node) -> Result<SheetHeader, SheetError> {
        let mut meta = SheetHeader { span: Some(node.span), ..SheetHeader::default() };
        for (k, v) in self.table(node, "[sheet]")? {
            let field = match k.name.as_ref() {
                "form" => &mut meta.form,
                "vendor" => &mut meta.vendor,
                "service" => &mut meta.service,
                "version" => &mut meta.version,
                "created" => {
                    let text = match &v.value {
                        Value::Date(d) => d.clone(),
                        _ => self.string(v, "created")?.value,
                    };
                    let date = crate::text::date::parse_date(&text).map_err(|e| {
                        self.schema(
                            format!("created: {e}"),
                            v.span,
                            Some("作成日 is a calendar date such as 2026-01-13".into()),
                        )
                    })?;
                    meta.created = Some(Spanned { value: date, span: v.span });
                    continue;
                }
                _ => return Err(self.unknown_key(k, SHEET_KEYS, "[sheet]")),
            };
            // The form id is matched against the catalogs; the rest is the vendor's text.
            let s = if k.name == "form" { self.string(v, &k.name)? } else { self.text(v, &k.name)? };
            // An empty string is as good as absent (the missing-metadata rule says so).
            *field = (!s.value.is_empty()).then_some(s);
        }
        Ok(meta)
    }

    fn answer(&self, id: Spanned<String>, question: Option<usize>, v: &Node) -> Result<AnswerEntry, SheetError> {
        let word = |s: &str, span: Span| {
            // The printed words need no normalising (nor an allocation).
            if let Some(a) = super::Answer::ALL.into_iter().find(|a| a.as_str() == s) {
                return Some(Spanned { value: AnswerValue::Known(a), span });
            }
            let w = normalize(s);
            if w.is_empty() {
                return None;
            }
            let value = match super::Answer::parse(&w) {
                Some(a) => AnswerValue::Known(a),
                None => AnswerValue::Invalid(w),
            };
            Some(Spanned { value, span })
        };
        let mut entry = AnswerEntry { id, question, answer: None, remarks: Vec::new(), note: None, span: v.span };
        match &v.value {
            Value::Str(s) => entry.answer = word(s, v.span),
            Value::Table(fields) => {
                for (k, f) in fields {
                    match k.name.as_ref() {
                        "answer" => match &f.value {
                            Value::Str(s) => entry.answer = word(s, f.span),
                            other => {
                                return Err(self.schema(
                                    format!(
                                        "the answer to {} must be a string, found {}",
                                        entry.id.value,
                                        other.type_name()
                                    ),
                                    f.span,
                                    Some("write one of はい, いいえ, 対象外, 該当, 非該当".into()),
                                ));
                            }
                        },
                        "remarks" => entry.remarks = self.citations(&entry.id.value, f)?,
                        "note" => {
                            let note = self.text(f, &format!("the note of {}", entry.id.value))?;
                            entry.note = (!note.value.is_empty()).then_some(note);
                        }
                        _ => return Err(self.unknown_key(k, ANSWER_KEYS, &format!("answer {}", entry.id.value))),
                    }
                }
            }
            other => {
                return Err(self.schema(
                    format!("answer {} must be a string or a table, found {}", entry.id.value, other.type_name()),
                    v.span,
                    Some("write \"はい\" or { answer = \"はい\", remarks = [1] }".into()),
                ));
            }
        }
        Ok(entry)
    }

    /// `remarks = [8, 9]`, or a single number.
    fn citations(&self, id: &str, node: &Node) -> Result<Vec<Spanned<u32>>, SheetError> {
        let one = |n: &Node| match &n.value {
            Value::Int(i) if (1..=u32::MAX as i64).contains(i) => Ok(Spanned { value: *i as u32, span: n.span }),
            Value::Str(s) if parse_remark_number(s).is_some() => {
                Ok(Spanned { value: parse_remark_number(s).unwrap_or_default(), span: n.span })
            }
            other => Err(self.schema(
                format!("the remarks of {id} must be remark numbers, found {}", describe(other)),
                n.span,
                Some("cite remarks by number: remarks = [8, 9]".into()),
            )),
        };
        match &node.value {
            Value::Array(items) => items.iter().map(one).collect(),
            _ => Ok(vec![one(node)?]),
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Int(i) => format!("{i}"),
        Value::Str(s) => format!("\"{s}\""),
        other => other.type_name().to_string(),
    }
}

/// Remark numbers are positive integers; full-width digits are accepted.
fn parse_remark_number(s: &str) -> Option<u32> {
    normalize(s).parse::<u32>().ok().filter(|n| *n > 0)
}

/// Keep a span inside the text and on char boundaries.
fn clamp(text: &str, s: Span) -> Span {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    Span::new(fix(s.start), fix(s.end))
}

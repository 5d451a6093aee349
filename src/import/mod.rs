//! Importers: vendor sheets as kaiji receives them — text extracted from a
//! PDF, or an Excel/ODS workbook — turned into a [`SheetDoc`] (README, "Importing and exporting").
//!
//! Questions are recognised by their text, matched against the form catalog
//! ([`Matcher`]); printed numbers are only a hint, so garbled numbering, a
//! dropped line or a question missing from a vendor's copy do not shift the
//! others. Every import returns an [`ImportReport`]: what was recognised and
//! what was not, for the user to check.

pub mod catalog;
pub mod pdf;
pub mod text;
pub mod xlsx;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::form::Form;
use crate::sheet::SheetDoc;
use crate::text::{match_key, normalize};

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

    /// The format an input's extension implies; text for anything unknown.
    pub fn from_path(path: &Path) -> Source {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods") => Source::Xlsx,
            Some("pdf") => Source::Pdf,
            _ => Source::Text,
        }
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(kaiji::import::io))]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::walk::ReadError),
    #[error("{path}: {message}")]
    #[diagnostic(code(kaiji::import::unrecognised))]
    Unrecognised {
        path: String,
        message: String,
        #[help]
        help: Option<String>,
    },
}

/// One place in the input that was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// `line 12` or `開示書!R40`.
    pub place: String,
    /// The start of the content, for the user to recognise it.
    pub excerpt: String,
}

/// The account of an import, printed to stderr by the CLI.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Questions in the form.
    pub questions: usize,
    /// Questions found in the input.
    pub recognised: usize,
    /// Recognised questions with an answer that could be read.
    pub answered: usize,
    /// Remarks (備考記載欄 entries) read.
    pub remarks: usize,
    /// Form questions the input does not have, in form order.
    pub missing: Vec<String>,
    /// Content that was neither a question, a remark, metadata nor layout.
    pub unread: Vec<Unread>,
    /// Things that were read but need a look (ambiguous marks, bad dates ...).
    pub warnings: Vec<String>,
    /// Rows whose marks could not be told apart, left unanswered (PDF).
    pub ambiguous: Vec<Ambiguous>,
    /// How many answers each kind of mark gave (`ellipse` → 120), for PDFs.
    pub read_by: BTreeMap<String, usize>,
}

/// A row left unanswered because its marks do not single out one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    pub id: String,
    /// 1-based page.
    pub page: u32,
    /// What was seen: `two words marked (はい、いいえ)`.
    pub why: String,
}

impl ImportReport {
    pub fn unanswered(&self) -> usize {
        self.recognised - self.answered.min(self.recognised)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} questions recognised, {} answered, {} unanswered; {} remarks",
            self.recognised,
            self.questions,
            self.answered,
            self.unanswered(),
            self.remarks
        )?;
        if self.recognised > 0 && self.answered == 0 {
            write!(f, "\n  no answer marks survived in the input: the answers are left for you to fill in")?;
        }
        if !self.read_by.is_empty() {
            let kinds: Vec<String> = self.read_by.iter().map(|(k, n)| format!("{k} {n}")).collect();
            write!(f, "\n  read by: {}", kinds.join(", "))?;
        }
        if !self.ambiguous.is_empty() {
            write!(f, "\n  {} left unanswered, marks ambiguous:", plural(self.ambiguous.len(), "row", "rows"))?;
            for a in &self.ambiguous {
                write!(f, "\n    {} (page {}): {}", a.id, a.page, a.why)?;
            }
        }
        if !self.missing.is_empty() {
            write!(f, "\n  not found in the input ({}): {}", self.missing.len(), abbreviate(&self.missing, 20))?;
        }
        if !self.unread.is_empty() {
            write!(f, "\n  {} not understood:", plural(self.unread.len(), "place", "places"))?;
            for u in &self.unread {
                write!(f, "\n    {}: {}", u.place, u.excerpt)?;
            }
        }
        for w in &self.warnings {
            write!(f, "\n  warning: {w}")?;
        }
        Ok(())
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn abbreviate(items: &[String], max: usize) -> String {
    let mut s = items.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        s.push_str(&format!(" … (+{})", items.len() - max));
    }
    s
}

/// An excerpt of at most `n` characters, on one line.
pub(crate) fn excerpt(s: &str, n: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        format!("{}…", one_line.chars().take(n).collect::<String>())
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
}

impl ReadAt {
    /// Where, as the sheet's `[evidence]` says it: `PDF p.3 (412, 530)`,
    /// `line 120`, `開示書!D40` (PDF points from the page's bottom left).
    pub fn at(&self) -> String {
        match self {
            ReadAt::Line { line } => format!("line {line}"),
            ReadAt::Pdf(p) => format!("PDF p.{} ({:.0}, {:.0})", p.page, p.x, p.y),
            ReadAt::Cell { place } => place.clone(),
        }
    }

    /// The kind of mark that singled the answer out (PDF only).
    pub fn by(&self) -> Option<&'static str> {
        match self {
            ReadAt::Pdf(p) => Some(p.by.as_str()),
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

/// Import the file at `path` with the given source format.
pub fn import_file(path: &Path, source: Source, form: &Form) -> Result<Imported, ImportError> {
    let shown = path.display().to_string();
    let kind = match source {
        Source::Text => crate::walk::InputKind::TextImport,
        Source::Xlsx => crate::walk::InputKind::Workbook,
        Source::Pdf => crate::walk::InputKind::Pdf,
    };
    let bytes = crate::walk::read_input(path, kind)?;
    let mut imported = match source {
        Source::Text => text::import_bytes(&bytes, form, &shown),
        Source::Xlsx => xlsx::import_bytes(&bytes, form, &shown),
        Source::Pdf => pdf::import_bytes(&bytes, form, &shown),
    }?;
    imported.record_provenance(&shown, &bytes, source, form);
    Ok(imported)
}

impl Imported {
    /// Write into the doc what it was read from (`[source]`: the file, the
    /// SHA-256 of `bytes`, the format) and where each answer was read
    /// (`[evidence]`, in form order, with the word read).
    pub fn record_provenance(&mut self, file: &str, bytes: &[u8], source: Source, form: &Form) {
        let sha256 = crate::walk::sha256_hex(bytes);
        self.doc.source =
            Some(crate::sheet::DocSource { file: file.to_string(), sha256, format: source.as_str().to_string() });
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

/// A question of the form that a piece of input was recognised as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Form-order index.
    pub index: usize,
    /// Normalised Levenshtein similarity of the texts (1.0 = same key).
    pub similarity: f64,
}

/// Why a text could not be given a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Miss {
    /// Nothing in the form is close enough.
    NoMatch,
    /// It is a question already taken by an earlier line or row.
    Repeat(usize),
}

/// Recognises questions by text (and printed number as a hint), walking the
/// input in order: among equally good candidates the one next in form order
/// after the last recognised question wins, so the form's repeated texts
/// (59.1, 60.1, 61.1 ...) land on the right ids.
pub struct Matcher<'f> {
    form: &'f Form,
    keys: Vec<String>,
    key_lens: Vec<usize>,
    /// How often each character occurs in each key, for a cheap bound
    /// before Levenshtein.
    key_chars: Vec<HashMap<char, u32>>,
    exact: HashMap<String, Vec<usize>>,
    digits: Vec<String>,
    used: Vec<bool>,
    cursor: usize,
}

/// Similarity at which a text is taken to be a question.
const ACCEPT: f64 = 0.8;
/// Lower bar when the printed number agrees.
const ACCEPT_WITH_HINT: f64 = 0.6;

impl<'f> Matcher<'f> {
    pub fn new(form: &'f Form) -> Matcher<'f> {
        let keys: Vec<String> = form.questions().iter().map(|q| match_key(&q.text)).collect();
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            exact.entry(k.clone()).or_default().push(i);
        }
        Matcher {
            form,
            key_lens: keys.iter().map(|k| k.chars().count()).collect(),
            key_chars: keys.iter().map(|k| char_counts(k)).collect(),
            keys,
            exact,
            digits: form.questions().iter().map(|q| digits(&q.id)).collect(),
            used: vec![false; form.len()],
            cursor: 0,
        }
    }

    pub fn form(&self) -> &'f Form {
        self.form
    }

    /// Start again at the top of the form (a new worksheet), keeping which
    /// questions were taken.
    pub fn restart(&mut self) {
        self.cursor = 0;
    }

    /// Whether the question at `index` was already taken.
    pub fn is_used(&self, index: usize) -> bool {
        self.used[index]
    }

    /// Best question for `text` (with printed number `hint`) without taking it.
    pub fn peek(&self, text: &str, hint: Option<&str>) -> Result<Match, Miss> {
        let key = match_key(text);
        if key.is_empty() {
            return Err(Miss::NoMatch);
        }
        let hint_id = hint.map(|h| normalize(h).replace(char::is_whitespace, "")).filter(|h| !h.is_empty());
        let hint_digits = hint_id.as_deref().map(digits).filter(|d| !d.is_empty());
        let hint_score = |i: usize| -> f64 {
            if hint_id.as_deref() == Some(self.form.questions()[i].id.as_str()) {
                0.2
            } else if hint_digits.as_deref() == Some(self.digits[i].as_str()) {
                0.1
            } else {
                0.0
            }
        };
        let order_score =
            |i: usize| -> f64 { if i >= self.cursor { 0.05 / (1.0 + (i - self.cursor) as f64) } else { 0.0 } };
        let candidates: Vec<(usize, f64)> = match self.exact.get(&key) {
            Some(is) => is.iter().map(|&i| (i, 1.0)).collect(),
            None => {
                let counts = char_counts(&key);
                let len = key.chars().count();
                (0..self.keys.len())
                    .filter(|&i| {
                        // Necessary conditions for similarity >= ACCEPT_WITH_HINT, both
                        // linear: 1 - distance/longer can be no higher than the length
                        // ratio, nor than the share of characters the texts have in
                        // common, counted with repeats (the characters an alignment
                        // leaves unedited are common to both).
                        let longer = len.max(self.key_lens[i]) as f64;
                        if (len.min(self.key_lens[i]) as f64) / longer < ACCEPT_WITH_HINT {
                            return false;
                        }
                        let kc = &self.key_chars[i];
                        let shared: u32 = counts.iter().map(|(c, n)| (*n).min(kc.get(c).copied().unwrap_or(0))).sum();
                        shared as f64 / longer >= ACCEPT_WITH_HINT
                    })
                    .map(|i| (i, strsim::normalized_levenshtein(&key, &self.keys[i])))
                    .filter(|&(i, s)| s >= ACCEPT || (s >= ACCEPT_WITH_HINT && hint_score(i) > 0.0))
                    .collect()
            }
        };
        let best = candidates
            .iter()
            .filter(|(i, _)| !self.used[*i])
            .map(|&(i, s)| (i, s, s + hint_score(i) + order_score(i)))
            .max_by(|a, b| a.2.total_cmp(&b.2).then(b.0.cmp(&a.0)));
        match best {
            Some((index, similarity, _)) => Ok(Match { index, similarity }),
            None => match candidates.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
                Some(&(i, _)) => Err(Miss::Repeat(i)),
                None => Err(Miss::NoMatch),
            },
        }
    }

    /// Best question for `text`, taken: later input cannot match it again.
    pub fn take(&mut self, text: &str, hint: Option<&str>) -> Result<Match, Miss> {
        let m = self.peek(text, hint)?;
        self.claim(m.index);
        Ok(m)
    }

    /// Take the question at `index` (recognised by other means, e.g. its id).
    pub fn claim(&mut self, index: usize) {
        self.used[index] = true;
        self.cursor = index + 1;
    }

    /// Characters in the longest question key: a text whose key is longer
    /// than this over `ACCEPT_WITH_HINT` (0.6) can match no question.
    pub fn longest_key(&self) -> usize {
        self.key_lens.iter().copied().max().unwrap_or(0)
    }

    /// Similarity of `text` to the question at `index`.
    pub fn similarity(&self, index: usize, text: &str) -> f64 {
        strsim::normalized_levenshtein(&match_key(text), &self.keys[index])
    }

    /// Ids of the questions no input was recognised as, in form order.
    pub fn unclaimed(&self) -> Vec<String> {
        self.form.questions().iter().zip(&self.used).filter(|(_, u)| !**u).map(|(q, _)| q.id.clone()).collect()
    }
}

/// How often each character occurs in `s`.
fn char_counts(s: &str) -> HashMap<char, u32> {
    let mut m = HashMap::new();
    for c in s.chars() {
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

/// The digits of an id, which survive the PDF's stray spaces and dots:
/// `1 7. 1. 1` → `1711`, `1.7.3` → `173`.
pub(crate) fn digits(id: &str) -> String {
    id.chars().filter(char::is_ascii_digit).collect()
}

/// Remark citations as written in a 備考 cell: `8`, `8,9`, `8、9`, `8 9`,
/// `-` (none). `None` when the text is not a list of numbers (free text).
pub fn parse_citations(cell: &str) -> Option<Vec<u32>> {
    let t = normalize(cell);
    let t = t.strip_prefix("備考").unwrap_or(&t).trim();
    if t.is_empty() || matches!(t, "-" | "ー" | "―" | "—" | "なし" | "無し" | "ー-") || t.chars().all(|c| c == '-')
    {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    for piece in t.split(|c: char| matches!(c, ',' | '、' | ';' | '・' | '/') || c.is_whitespace()) {
        if piece.is_empty() {
            continue;
        }
        let piece = piece.strip_prefix('※').unwrap_or(piece);
        let n: u32 = piece.parse().ok().filter(|n| *n > 0)?;
        out.push(n);
    }
    (!out.is_empty()).then_some(out)
}

/// Is `c` an answer mark, and does it mean chosen (`true`) or not (`false`)?
pub(crate) fn mark(c: char) -> Option<bool> {
    match c {
        '■' | '●' | '○' | '◯' | '◎' | '✓' | '✔' | '☑' | '☒' | '◉' | '⦿' | '⬤' | '✅' => {
            Some(true)
        }
        '□' | '☐' | '◻' | '▢' => Some(false),
        _ => None,
    }
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)\b([^<>]*)>").expect("valid regex"));
static HREF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).expect("valid regex"));
static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});").expect("valid regex"));
static DASH_ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|\s+)[-・•]\s+").expect("valid regex"));

/// Remark text as plain lines: HTML-ish markup (`<p>`, `<br>`, `<ul><li>`,
/// attributes) removed with paragraphs and list items on their own lines,
/// link targets kept, entities decoded, spacing tidied, NFKC-normalised.
pub fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut list_depth = 0usize;
    let mut li_seen = false;
    let mut link: Option<(String, usize)> = None;
    let mut last = 0;
    let push_text = |out: &mut String, text: &str, dash_items: bool| {
        if dash_items {
            // `<ul> - item - item` without <li>: each dash starts a line
            out.push_str(&DASH_ITEM.replace_all(text, "\n- "));
        } else {
            out.push_str(text);
        }
    };
    for cap in TAG.captures_iter(s) {
        let whole = cap.get(0).expect("group 0");
        push_text(&mut out, &s[last..whole.start()], list_depth > 0 && !li_seen);
        last = whole.end();
        let closing = !cap[1].is_empty();
        let name = cap[2].to_ascii_lowercase();
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dt" | "dd" => {
                out.push('\n')
            }
            "ul" | "ol" => {
                out.push('\n');
                if closing {
                    list_depth = list_depth.saturating_sub(1);
                } else {
                    list_depth += 1;
                    li_seen = false;
                }
            }
            "li" if !closing => {
                li_seen = true;
                out.push_str("\n- ");
            }
            "li" => out.push('\n'),
            "td" | "th" => out.push(' '),
            "a" if !closing => {
                let href = HREF.captures(&cap[3]).and_then(|h| h.get(1).or(h.get(2)).or(h.get(3)));
                link = href.map(|h| (h.as_str().to_string(), out.len()));
            }
            "a" => {
                if let Some((href, at)) = link.take()
                    && !href.is_empty()
                    && !href.starts_with('#')
                    && !out[at..].contains(&href)
                {
                    out.push_str(&format!(" ({href})"));
                }
            }
            _ => {}
        }
    }
    push_text(&mut out, &s[last..], list_depth > 0 && !li_seen);
    let decoded = decode_entities(&out);
    // Not NFKC-normalised: the remark is the vendor's text, kept as written.
    let lines: Vec<String> =
        decoded.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    lines.join("\n")
}

/// Whether a text carries HTML markup (a known tag or an entity) that
/// [`plain_text`] should remove; plain cell text is left as written.
pub fn looks_like_markup(s: &str) -> bool {
    const TAGS: &[&str] =
        &["p", "br", "ul", "ol", "li", "div", "span", "a", "b", "strong", "em", "i", "u", "font", "table", "tr", "td"];
    TAG.captures_iter(s).any(|c| TAGS.contains(&c[2].to_ascii_lowercase().as_str()))
        || ENTITY.captures_iter(s).any(|c| decode_entities(&c[0]) != c[0])
}

fn decode_entities(s: &str) -> String {
    ENTITY
        .replace_all(s, |cap: &regex::Captures<'_>| {
            let name = &cap[1];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
                    "yen" => Some('¥'),
                    "copy" => Some('©'),
                    "reg" => Some('®'),
                    "times" => Some('×'),
                    "hellip" => Some('…'),
                    "mdash" => Some('—'),
                    "ndash" => Some('–'),
                    "rarr" => Some('→'),
                    "larr" => Some('←'),
                    "middot" => Some('·'),
                    _ => None,
                }
            };
            match c {
                Some(c) if c != '\0' => c.to_string(),
                _ => cap[0].to_string(),
            }
        })
        .into_owned()
}

/// Which `[sheet]` field a header label names, if any: 作成日, サービス事業者
/// / 製造業者, サービス名称 / 製品名称, バージョン (and 様式 / form for the form id).
pub(crate) fn meta_label(label: &str) -> Option<MetaField> {
    let l = normalize(label);
    let l = l.trim_end_matches([':', '：']).trim();
    Some(match l {
        "作成日" | "作成年月日" | "記入日" => MetaField::Created,
        "サービス事業者" | "サービス事業者名" | "製造業者" | "製造業者名" | "事業者名" | "会社名" => {
            MetaField::Vendor
        }
        "サービス名称" | "サービス名" | "製品名称" | "製品名" => MetaField::Service,
        "バージョン" | "版" | "Version" | "version" => MetaField::Version,
        "様式" | "form" | "フォーム" => MetaField::Form,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetaField {
    Created,
    Vendor,
    Service,
    Version,
    Form,
}

/// Fill a `[sheet]` field from a header value (the first occurrence wins:
/// page headers repeat it). Returns a warning for a date that cannot be read.
pub(crate) fn set_meta(doc: &mut SheetDoc, field: MetaField, value: &str) -> Option<String> {
    // Vendor, service and version are the vendor's text, kept as written
    // (only trimmed); the form id and the date are read, so normalised.
    let v = match field {
        MetaField::Form | MetaField::Created => normalize(value),
        _ => value.trim().to_string(),
    };
    if v.is_empty() {
        return None;
    }
    let slot = match field {
        MetaField::Vendor => &mut doc.meta.vendor,
        MetaField::Service => &mut doc.meta.service,
        MetaField::Version => &mut doc.meta.version,
        MetaField::Form => {
            doc.meta.form = v;
            return None;
        }
        MetaField::Created => {
            if doc.meta.created.is_some() {
                return None;
            }
            return match crate::text::date::parse_date(&v) {
                Ok(d) => {
                    doc.meta.created = Some(d);
                    None
                }
                Err(e) => Some(format!("作成日 left out: {e}")),
            };
        }
    };
    slot.get_or_insert(v);
    None
}

/// Is this line the sheet's title (repeated at the top of every page)?
pub(crate) fn is_title(cell: &str) -> bool {
    let k = match_key(cell);
    k.contains("医療情報セキュリティ開示書") && k.chars().count() < 80
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;

    #[test]
    fn citations() {
        assert_eq!(parse_citations("8"), Some(vec![8]));
        assert_eq!(parse_citations("8,9"), Some(vec![8, 9]));
        assert_eq!(parse_citations("８、９"), Some(vec![8, 9]));
        assert_eq!(parse_citations(" 8, 9 "), Some(vec![8, 9]));
        assert_eq!(parse_citations("-"), Some(vec![]));
        assert_eq!(parse_citations("－"), Some(vec![]));
        assert_eq!(parse_citations(""), Some(vec![]));
        assert_eq!(parse_citations("備考8"), Some(vec![8]));
        assert_eq!(parse_citations("0"), None);
        assert_eq!(parse_citations("TLS1.2 に対応"), None);
    }

    #[test]
    fn markup_becomes_plain_lines() {
        let html = r#"<p>一段落目 &amp; 続き</p> <p style="color:red">▼規約 https://example.jp/terms/</p>"#;
        assert_eq!(plain_text(html), "一段落目 & 続き\n▼規約 https://example.jp/terms/");
        let list = r#"<p>手順</p><ul style="list-style-type: none"> - 一つ目 - 二つ目</ul>"#;
        assert_eq!(plain_text(list), "手順\n- 一つ目\n- 二つ目");
        let li = "<ul><li>A</li><li>B&lt;C&gt;</li></ul>行<br/>次";
        assert_eq!(plain_text(li), "- A\n- B<C>\n行\n次");
        let a = r#"<a href="https://example.jp/x">説明</a> と <a href="https://e.jp">https://e.jp</a>"#;
        assert_eq!(plain_text(a), "説明 (https://example.jp/x) と https://e.jp");
        assert_eq!(plain_text("TLS<1.2 は不可 &#x41;&#66; &bogus;"), "TLS<1.2 は不可 AB &bogus;");
        // Spacing is tidied, the vendor's characters are kept.
        assert_eq!(plain_text("  ２要素　認証  "), "２要素 認証");
    }

    #[test]
    fn markup_is_detected_only_when_present() {
        assert!(looks_like_markup("<p>x</p>"));
        assert!(looks_like_markup("a &amp; b"));
        assert!(looks_like_markup("<BR>"));
        assert!(!looks_like_markup("TLS<1.2 と x>y"));
        assert!(!looks_like_markup("<備考> &unknown;"));
        assert!(!looks_like_markup("一行目\n二行目"));
    }

    #[test]
    fn matcher_prefers_hint_then_form_order() {
        let form = FormRegistry::builtin().get("sds-6.0").unwrap();
        let mut m = Matcher::new(&form);
        let id = |m: &Matcher<'_>, r: Result<Match, Miss>| m.form().questions()[r.unwrap().index].id.clone();
        // the same text stands under 59, 60 and 61: the number decides ...
        let r = m.take("提供事業者に閉域性の範囲を確認しているか？", Some("6 0. 1"));
        assert_eq!(id(&m, r), "60.1");
        // ... and without one, the next in form order
        m.claim(form.index_of("61").unwrap());
        let r = m.take("提供事業者に閉域性の範囲を確認しているか", None);
        assert_eq!(id(&m, r), "61.1");
        // near-identical text, garbled number
        let r = m.take("パスワードの有効期限が 管理できるか?", Some("1 7. 1. l. 3"));
        assert_eq!(id(&m, r), "17.1.1.3");
        assert_eq!(
            m.peek("パスワードの有効期限が管理できるか？", None),
            Err(Miss::Repeat(form.index_of("17.1.1.3").unwrap()))
        );
        assert_eq!(m.peek("本日は晴天なり", None), Err(Miss::NoMatch));
        assert!(m.peek("", None).is_err());
    }
}

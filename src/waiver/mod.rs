//! Waivers (docs/waivers.md): a hospital's accepted deviations, read from a TOML
//! file of `[[waiver]]` entries and applied by [`WaiverCheck`] after every
//! other check, so a waived policy failure is reported as `waived`.
//!
//! ```toml
//! [[waiver]]
//! policy = "H-AUTH-001"            # required
//! service = "サンプルカルテ"         # vendor and/or service: at least one
//! vendor = "株式会社サンプル"
//! question = "17.1.d"              # optional: only findings on this question
//! reason = "次期更改（2027年4月）で二要素認証に対応予定"   # required
//! approver = "医療情報部 山田"        # optional
//! expires = "2027-03-31"           # required; the waiver holds through this day
//! ```

mod check;

use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use toml::de::{DeTable, DeValue};

pub use check::{EXPIRED_RULE, WaiverCheck, WaiverWarning};

use crate::form::FormRegistry;
use crate::sheet::{ErrorExtra, LocatedError, Span, Spanned};
use crate::text::{DIAGNOSTICS_SHOWN, MoreProblems, SharedSource, did_you_mean, normalize};

/// One `[[waiver]]` entry, validated. Texts are NFKC-normalised.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub policy: Spanned<String>,
    pub vendor: Option<Spanned<String>>,
    pub service: Option<Spanned<String>>,
    pub question: Option<Spanned<String>>,
    pub reason: Spanned<String>,
    pub approver: Option<Spanned<String>>,
    /// Inclusive: the waiver still holds on this day.
    pub expires: Spanned<Date>,
    /// The whole entry (from its `[[waiver]]` header).
    pub span: Span,
}

impl Waiver {
    /// Past its expiry on `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        today > self.expires.value
    }

    /// The waiver names this sheet: every name it gives equals the sheet's
    /// (compared NFKC-normalised, ignoring whitespace).
    pub fn names(&self, vendor: &str, service: &str) -> bool {
        let same = |want: &Option<Spanned<String>>, have: &str| {
            want.as_ref().is_none_or(|w| !have.is_empty() && name_key(&w.value) == name_key(have))
        };
        same(&self.vendor, vendor) && same(&self.service, service)
    }

    /// "H-AUTH-001 for 株式会社サンプル / サンプルカルテ on 17.1.d": how people
    /// recognise the entry in messages.
    pub fn describe(&self) -> String {
        let mut s = self.policy.value.clone();
        let who: Vec<&str> = [&self.vendor, &self.service].into_iter().flatten().map(|v| v.value.as_str()).collect();
        s.push_str(&format!(" for {}", who.join(" / ")));
        if let Some(q) = &self.question {
            s.push_str(&format!(" on {}", q.value));
        }
        s
    }
}

/// Names compare after NFKC and without whitespace, so 「株式会社　サンプル」
/// (full-width space) names the same vendor as 「株式会社サンプル」.
fn name_key(s: &str) -> String {
    normalize(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// What makes two waivers the same entry: policy, names (compared as
/// [`Waiver::names`] compares them) and question.
#[derive(PartialEq, Eq, Hash)]
struct WaiverKey {
    policy: String,
    vendor: Option<String>,
    service: Option<String>,
    question: Option<String>,
}

impl WaiverKey {
    fn of(w: &Waiver) -> WaiverKey {
        WaiverKey {
            policy: w.policy.value.clone(),
            vendor: w.vendor.as_ref().map(|v| name_key(&v.value)),
            service: w.service.as_ref().map(|v| name_key(&v.value)),
            question: w.question.as_ref().map(|q| q.value.clone()),
        }
    }
}

/// A loaded waiver file.
#[derive(Debug, Clone)]
pub struct WaiverSet {
    /// The path as the user gave it.
    pub path: String,
    pub source: Arc<str>,
    /// `source` indexed, under `path`: shared by every diagnostic about
    /// the file.
    shown: SharedSource,
    pub waivers: Vec<Waiver>,
    /// SHA-256 (hex) of the file's bytes as read, when it was read from a
    /// file ([`WaiverSet::load`]).
    pub sha256: Option<String>,
}

/// A waiver file that cannot be used: every problem found, each pointing
/// into the file. The first is the main diagnostic, the rest are related.
pub type WaiverError = LocatedError<WaiverErrorExtra>;

/// What a waiver file's error adds to a [`LocatedError`]: the problems
/// after the first, up to [`DIAGNOSTICS_SHOWN`] in all, and how many more
/// there were.
#[derive(Debug, Default)]
pub struct WaiverErrorExtra {
    pub more: Vec<WaiverError>,
    /// Problems found past the first [`DIAGNOSTICS_SHOWN`]: counted, not
    /// kept (a 16 MiB file of broken entries would otherwise hold a
    /// diagnostic per entry), shown as one "… and N more" line.
    pub omitted: Option<MoreProblems>,
}

impl ErrorExtra for WaiverErrorExtra {
    const CODE: &'static str = "kaiji::waiver";

    fn related(&self) -> Option<Box<dyn Iterator<Item = &dyn miette::Diagnostic> + '_>> {
        let more = self.more.iter().map(|e| e as &dyn miette::Diagnostic);
        Some(Box::new(more.chain(self.omitted.iter().map(|m| m as &dyn miette::Diagnostic))))
    }
}

impl WaiverError {
    /// The problems kept (at most [`DIAGNOSTICS_SHOWN`]), the main one first.
    pub fn problems(&self) -> impl Iterator<Item = &WaiverError> {
        std::iter::once(self).chain(self.extra.more.iter())
    }

    /// How many problems the file has, those not kept included.
    pub fn count(&self) -> usize {
        1 + self.extra.more.len() + self.extra.omitted.as_ref().map_or(0, |m| m.0)
    }
}

const TOP_KEYS: &[&str] = &["waiver"];
const WAIVER_KEYS: &[&str] = &["policy", "vendor", "service", "question", "reason", "approver", "expires"];

struct Parser {
    path: String,
    source: Arc<str>,
    /// The file as its errors show it: one text and line index for all.
    shown: SharedSource,
    /// The first [`DIAGNOSTICS_SHOWN`] problems.
    problems: Vec<WaiverError>,
    /// Every problem found, kept or not.
    found: usize,
    /// Where the problems of the entry being read point.
    entry_spans: Vec<Option<Span>>,
}

impl Parser {
    fn new(path: &str, source: Arc<str>, shown: SharedSource) -> Parser {
        Parser { path: path.to_string(), source, shown, problems: Vec::new(), found: 0, entry_spans: Vec::new() }
    }

    fn problem(&mut self, message: String, span: Option<Span>, help: Option<String>) {
        self.found += 1;
        self.entry_spans.push(span);
        if self.problems.len() >= DIAGNOSTICS_SHOWN {
            return;
        }
        self.problems.push(WaiverError {
            path: self.path.clone(),
            message,
            help,
            src: Some(self.shown.clone()),
            span,
            extra: WaiverErrorExtra::default(),
        });
    }

    /// Whether later problems would only be counted: callers skip building
    /// their messages.
    fn full(&self) -> bool {
        self.problems.len() >= DIAGNOSTICS_SHOWN
    }

    fn finish<T>(mut self, ok: T) -> Result<T, WaiverError> {
        if self.problems.is_empty() {
            return Ok(ok);
        }
        let mut first = self.problems.remove(0);
        if self.found > 1 {
            first.message = format!("{} (and {} more problem(s) below)", first.message, self.found - 1);
        }
        let omitted = self.found - 1 - self.problems.len();
        first.extra.more = self.problems;
        first.extra.omitted = (omitted > 0).then_some(MoreProblems(omitted));
        Err(first)
    }

    fn unknown_key(&mut self, name: &str, span: Span, allowed: &[&str], place: &str) {
        let help = match did_you_mean(name, allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? {place} takes: {}", allowed.join(", ")),
            None => format!("{place} takes: {}", allowed.join(", ")),
        };
        self.problem(format!("unknown key `{name}` in {place}"), Some(span), Some(help));
    }

    /// A non-empty string field; empty counts as absent.
    fn string(&mut self, v: &toml::Spanned<DeValue<'_>>, key: &str) -> Option<Spanned<String>> {
        let span = span_of(v.span());
        match v.get_ref() {
            DeValue::String(s) => {
                let value = normalize(s);
                (!value.is_empty()).then_some(Spanned { value, span })
            }
            other => {
                self.problem(
                    format!("`{key}` must be a string, found {}", type_name(other)),
                    Some(span),
                    Some("put the value in double quotes".into()),
                );
                None
            }
        }
    }

    fn date(&mut self, v: &toml::Spanned<DeValue<'_>>) -> Option<Spanned<Date>> {
        let span = span_of(v.span());
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => {
                self.problem(
                    format!("`expires` must be a date, found {}", type_name(other)),
                    Some(span),
                    Some("write the last day the waiver holds, e.g. expires = \"2027-03-31\"".into()),
                );
                return None;
            }
        };
        match crate::text::date::parse_date(&text) {
            Ok(value) => Some(Spanned { value, span }),
            Err(e) => {
                self.problem(
                    format!("expires: {e}"),
                    Some(span),
                    Some("write the last day the waiver holds, e.g. 2027-03-31 or 令和9年3月31日".into()),
                );
                None
            }
        }
    }

    fn waiver(&mut self, node: &toml::Spanned<DeValue<'_>>, n: usize) -> Option<Waiver> {
        let span = span_of(node.span());
        let DeValue::Table(t) = node.get_ref() else {
            self.problem(
                format!("waiver #{n} must be a table, found {}", type_name(node.get_ref())),
                Some(span),
                Some("write each waiver as a [[waiver]] table".into()),
            );
            return None;
        };
        let before = self.found;
        self.entry_spans.clear();
        let (mut policy, mut vendor, mut service, mut question, mut reason, mut approver, mut expires) =
            (None, None, None, None, None, None, None);
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            match key {
                "policy" => policy = self.string(v, key),
                "vendor" => vendor = self.string(v, key),
                "service" => service = self.string(v, key),
                "question" => question = self.string(v, key),
                "reason" => reason = self.string(v, key),
                "approver" => approver = self.string(v, key),
                "expires" => expires = self.date(v),
                _ => self.unknown_key(key, span_of(k.span()), WAIVER_KEYS, "[[waiver]]"),
            }
        }
        let written = |name: &str| t.iter().find(|(k, _)| k.get_ref().as_ref() == name).map(|(_, v)| span_of(v.span()));
        // Missing keys point at the entry's `[[waiver]]` header line.
        let head = header_span(&self.source, span);
        let required: [(&str, bool, &str); 3] = [
            ("policy", policy.is_some(), "name the policy it waives: policy = \"H-AUTH-001\""),
            (
                "reason",
                reason.is_some(),
                "say why the deviation is accepted: reports show it beside the waived finding",
            ),
            (
                "expires",
                expires.is_some(),
                "every waiver needs an end: expires = \"2027-03-31\" (the last day it holds)",
            ),
        ];
        for (name, present, help) in required {
            match written(name) {
                None => self.problem(format!("waiver #{n} has no `{name}`"), Some(head), Some(help.into())),
                // A present value that was not taken and raised nothing yet is an empty string.
                Some(at) if !present && !self.entry_spans.contains(&Some(at)) => {
                    self.problem(format!("`{name}` of waiver #{n} is empty"), Some(at), Some(help.into()))
                }
                Some(_) => {}
            }
        }
        if vendor.is_none() && service.is_none() {
            self.problem(
                format!("waiver #{n} names neither `vendor` nor `service`"),
                Some(head),
                Some("a waiver is for one vendor's sheet: give vendor = \"...\" and/or service = \"...\" as written on the sheet".into()),
            );
        }
        if self.found > before {
            return None;
        }
        if let Some(q) = &mut question {
            // Question ids are written without spaces ("17.1.d").
            q.value.retain(|c| !c.is_whitespace());
        }
        Some(Waiver { policy: policy?, vendor, service, question, reason: reason?, approver, expires: expires?, span })
    }
}

fn span_of(r: std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

/// The first line of an entry: its `[[waiver]]` header.
fn header_span(source: &str, entry: Span) -> Span {
    let start = entry.start.min(source.len());
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = source[line_start..].lines().next().unwrap_or("");
    Span::new(line_start, line_start + line.trim_end().len())
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl WaiverSet {
    /// Read and parse a waiver file.
    pub fn load(path: &Path) -> Result<WaiverSet, WaiverError> {
        let shown = path.display().to_string();
        let text = crate::walk::read_input_text(path, crate::walk::InputKind::Waivers).map_err(|e| WaiverError {
            path: shown.clone(),
            message: match &e {
                crate::walk::ReadError::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound => {
                    "no such waiver file".to_string()
                }
                crate::walk::ReadError::Io { error, .. } => format!("cannot read the waiver file: {error}"),
                _ => e.reason(),
            },
            help: match &e {
                crate::walk::ReadError::NotText { .. } => Some("save the waiver file as UTF-8".to_string()),
                crate::walk::ReadError::TooLarge { .. } | crate::walk::ReadError::NotAFile { .. } => {
                    Some("--waivers takes a TOML file of [[waiver]] entries".to_string())
                }
                _ => (e.io_kind() == Some(std::io::ErrorKind::NotFound))
                    .then(|| "check the path given to --waivers".to_string()),
            },
            src: None,
            span: None,
            extra: WaiverErrorExtra::default(),
        })?;
        let sha256 = crate::walk::sha256_hex(text.as_bytes());
        let mut set = WaiverSet::parse(&shown, text)?;
        set.sha256 = Some(sha256);
        Ok(set)
    }

    /// The file's digest for a report's provenance.
    pub fn digest(&self) -> Option<crate::outcome::FileDigest> {
        self.sha256.as_ref().map(|h| crate::outcome::FileDigest { path: self.path.clone(), sha256: h.clone() })
    }

    /// Parse a waiver file's text; `path` names it in diagnostics.
    pub fn parse(path: &str, text: String) -> Result<WaiverSet, WaiverError> {
        let text = match text.strip_prefix('\u{FEFF}') {
            Some(t) => t.to_string(),
            None => text,
        };
        let source: Arc<str> = Arc::from(text);
        let shown = crate::text::shared_source(path, source.clone());
        let mut p = Parser::new(path, source.clone(), shown.clone());
        let doc = match DeTable::parse(&source) {
            Ok(doc) => doc,
            Err(e) => {
                p.problem(
                    format!("not valid TOML: {}", e.message().trim()),
                    e.span().map(span_of),
                    Some("fix the syntax at the marked place (an unclosed quote or bracket is the usual cause)".into()),
                );
                return p.finish(WaiverSet {
                    path: path.to_string(),
                    source,
                    shown,
                    waivers: Vec::new(),
                    sha256: None,
                });
            }
        };
        let mut waivers = Vec::new();
        let mut entries: Vec<_> = doc.get_ref().iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (k, v) in entries {
            let key = k.get_ref().as_ref();
            if key != "waiver" {
                p.unknown_key(key, span_of(k.span()), TOP_KEYS, "a waiver file");
                continue;
            }
            match v.get_ref() {
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        // Numbered as written, whether or not earlier entries were valid.
                        if let Some(w) = p.waiver(item, i + 1) {
                            waivers.push(w);
                        }
                    }
                }
                other => p.problem(
                    format!("`waiver` must be an array of tables, found {}", type_name(other)),
                    Some(span_of(k.span())),
                    Some("write each waiver under its own [[waiver]] header (two brackets)".into()),
                ),
            }
        }
        // Duplicates by a hash of what a waiver applies to: comparing each
        // entry with every earlier one was quadratic (10,000 waivers: minutes).
        let mut seen: std::collections::HashMap<WaiverKey, usize> = std::collections::HashMap::new();
        for (i, w) in waivers.iter().enumerate() {
            if let Some(&first) = seen.get(&WaiverKey::of(w)) {
                if p.full() {
                    p.problem(String::new(), None, None);
                    continue;
                }
                let text = shown.inner();
                let (line, _) = text.lines.line_col(&text.text, waivers[first].span.start);
                p.problem(
                    format!("waiver for {} is written twice (also on line {line})", w.describe()),
                    Some(header_span(&source, w.span)),
                    Some("keep one entry; to renew a waiver, change its `expires`".into()),
                );
            } else {
                seen.insert(WaiverKey::of(w), i);
            }
        }
        p.finish(WaiverSet { path: path.to_string(), source, shown, waivers, sha256: None })
    }

    /// Check the ids the waivers name against what the run knows: every
    /// `question` must be in some loaded form, and every `policy` one of
    /// `rules` (policy ids and lint rule names) when `rules` is not empty.
    /// A typo would otherwise only show up later as a stale waiver.
    /// Check the question ids against the loaded forms. A policy id not in
    /// the run is not an error here: one hospital-wide file serves runs of
    /// a few policies (`-p auth/`), so such a waiver is reported stale (see
    /// [`WaiverCheck::in_run`]) and the run goes on.
    pub fn validate(&self, forms: &FormRegistry) -> Result<(), WaiverError> {
        let mut p = Parser::new(&self.path, self.source.clone(), self.shown.clone());
        for w in &self.waivers {
            if let Some(q) = &w.question {
                let known = forms.forms().iter().any(|f| f.index_of(&q.value).is_some());
                if !known && p.full() {
                    p.problem(String::new(), None, None);
                } else if !known {
                    let hint = forms
                        .forms()
                        .iter()
                        .find_map(|f| f.suggest(&q.value))
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    p.problem(
                        format!("question `{}` is in no loaded form", q.value),
                        Some(q.span),
                        Some(format!("{hint}`kaiji form list` lists the question ids")),
                    );
                }
            }
        }
        p.finish(())
    }

    /// 1-based line of a waiver's entry, for messages.
    pub fn line_of(&self, w: &Waiver) -> usize {
        let text = self.shown.inner();
        text.lines.line_col(&text.text, w.span.start).0
    }

    /// The file's text and line index as its diagnostics show it.
    pub fn shown(&self) -> &SharedSource {
        &self.shown
    }
}

#[cfg(test)]
mod tests;

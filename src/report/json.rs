//! `-f json`: the `kaiji.check/v1` schema (docs/reports.md), streamed sheet by
//! sheet (`summary` is written last, since it is known only at the end).
//!
//! Additive extensions: with `--waivers`, a top-level `waivers` array after
//! `summary` tells how each waiver fared (`active`, `expired`, `stale`); a
//! top-level `provenance` object (kaiji version, form catalogs, policy
//! files, the built-in pack and the waiver file, each by SHA-256) precedes
//! `sheets`, and each sheet carries the `sha256` of its file as read (absent
//! when it could not be read). With `--explain`, each policy outcome has an
//! `explain` array: the sheet values the policy read, in order.

use std::io::{self, Write};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use super::{Finding, Renderer, RunError, RunInfo, SheetEncoder, SheetReport, Summary};

pub const SCHEMA: &str = "kaiji.check/v1";

pub struct Json<'w> {
    out: Box<dyn Write + 'w>,
    first: bool,
}

impl<'w> Json<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Json { out, first: true }
    }
}

/// One sheet's entry of the `sheets` array, without the separator.
struct JsonSheet;

impl SheetEncoder for JsonSheet {
    fn encode(&self, report: &SheetReport, out: &mut Vec<u8>) -> io::Result<()> {
        // Serialised from borrowed shapes (no intermediate `Value`) straight
        // into place: the same text as `pretty(&sheet_value(report), 4)`.
        let start = out.len();
        SheetOut::of(report).write(out)?;
        // Rare: only a sheet holding such characters pays for the copy (and
        // for decoding its text).
        if crate::text::may_hold_json_controls(&out[start..])
            && let Ok(text) = std::str::from_utf8(&out[start..])
            && let std::borrow::Cow::Owned(safe) = crate::text::escape_json_controls(text)
        {
            out.truncate(start);
            out.extend_from_slice(safe.as_bytes());
        }
        Ok(())
    }
}

/// serde_json's pretty layout (two spaces a level) for a value that sits
/// `level` levels deep in the document, so it needs no re-indenting.
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn at(level: usize) -> Nested {
        Nested { level, has_value: false }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            new_line(w, self.level, true)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        new_line(w, self.level, first)
    }
}

/// `,` unless `first`, then a new line indented `level` levels (two spaces
/// each): what goes between items in serde_json's pretty layout, for the
/// serde formatter ([`Nested`]) and the hand-written entries ([`Out`]).
fn new_line<W: ?Sized + Write>(w: &mut W, level: usize, first: bool) -> io::Result<()> {
    const LINE: &[u8] = b",\n                                                                ";
    const SPACES: usize = LINE.len() - 2;
    let mut indent = level * 2;
    let head = indent.min(SPACES);
    w.write_all(&LINE[usize::from(first)..2 + head])?;
    indent -= head;
    while indent > 0 {
        let k = indent.min(SPACES);
        w.write_all(&LINE[2..2 + k])?;
        indent -= k;
    }
    Ok(())
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// One sheet as a JSON value (also used by other machine formats' tests).
pub fn sheet_value(r: &SheetReport) -> Value {
    let loc = super::view::Locator::new(r);
    let mut v = json!({
        "path": r.path,
        "vendor": r.vendor(),
        "service": r.service(),
        "status": r.status,
        "policies": r.policies.iter().map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            if let Some(reads) = r.explain.get(&p.id) {
                v["explain"] = serde_json::to_value(reads).unwrap_or(Value::Null);
            }
            v
        }).collect::<Vec<_>>(),
        "findings": r.findings.iter().map(|f| finding_value(&loc, f)).collect::<Vec<_>>(),
        "errors": r.errors.iter().map(error_value).collect::<Vec<_>>(),
    });
    if let Some(h) = r.sha256() {
        v["sha256"] = json!(h);
    }
    if let Some(import) = r.import.as_deref() {
        v["import"] = serde_json::to_value(ImportOut::of(import)).unwrap_or(Value::Null);
    }
    v
}

pub fn finding_value(loc: &super::view::Locator<'_>, f: &Finding) -> Value {
    let mut v = json!({
        "rule": &*f.rule,
        "severity": f.severity,
        "question": f.question.as_deref(),
        "message": f.message,
        // In the sheet; for findings that have no place there (an expired
        // waiver, a policy's `fail(message)`), where they were raised.
        "location": f.span.and_then(|s| loc.report.location(s)).or_else(|| {
            f.policy_site.as_ref().map(|p| {
                let (line, column) = loc.policy_line_col(&p.source, p.span.start);
                super::Location { path: p.path.to_string(), line, column }
            })
        }),
    });
    if let Some(w) = &f.waived {
        v["waived"] = serde_json::to_value(w).unwrap_or(Value::Null);
    }
    if let Some(at) = &f.read_at {
        v["read_at"] = json!(at);
    }
    v
}

fn error_value(e: &RunError) -> Value {
    let mut v = json!({ "message": e.message });
    if let Some(p) = &e.policy {
        v["policy"] = json!(p);
    }
    if let Some(l) = &e.location {
        v["location"] = serde_json::to_value(l).unwrap_or(Value::Null);
    }
    v
}

impl Renderer for Json<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        let provenance = pretty(&run.provenance, 2)?;
        write!(self.out, "{{\n  \"schema\": \"{SCHEMA}\",\n  \"provenance\": {provenance},\n  \"sheets\": [")
    }

    fn encoder(&self) -> Option<Arc<dyn SheetEncoder>> {
        Some(Arc::new(JsonSheet))
    }

    fn sheet_encoded(&mut self, encoded: &[u8]) -> io::Result<()> {
        let sep = if std::mem::take(&mut self.first) { "\n    " } else { ",\n    " };
        self.out.write_all(sep.as_bytes())?;
        self.out.write_all(encoded)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let close = if self.first { "]" } else { "\n  ]" };
        let s = pretty(summary, 2)?;
        write!(self.out, "{close},\n  \"summary\": {s}")?;
        if let Some(waivers) = &summary.waivers {
            write!(self.out, ",\n  \"waivers\": {}", pretty(waivers, 2)?)?;
        }
        writeln!(self.out, "\n}}")?;
        self.out.flush()
    }
}

/// Pretty JSON indented to sit at `indent` spaces inside the document.
fn pretty<T: Serialize>(v: &T, indent: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(v).map_err(io::Error::other)?;
    Ok(crate::text::escape_json_controls(&text).replace('\n', &format!("\n{}", " ".repeat(indent))))
}

// The report's shapes, borrowing from it, with fields in the (sorted) key
// order `sheet_value` produces.

/// A sheet's entry, two levels deep in the document. It and its findings
/// (there can be hundreds) are written by hand, its errors and policies
/// through serde at the same depth; either way the text is serde_json's
/// pretty layout, which `streaming_matches_the_value_rendering` checks.
struct SheetOut<'a> {
    errors: Vec<ErrorOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    import: Option<ImportOut<'a>>,
    path: &'a str,
    policies: Vec<PolicyOut<'a>>,
    service: &'a str,
    sha256: Option<&'a str>,
    status: super::SheetStatus,
    vendor: &'a str,
}

/// A document's import account (`"import"` on a sheet imported in the
/// run): what was recognised, answered, left unanswered and why, with the
/// places to look. Keys in serde_json's (sorted) order.
#[derive(Serialize)]
struct ImportOut<'a> {
    ambiguous: Vec<AmbiguousOut<'a>>,
    #[serde(skip_serializing_if = "is_zero")]
    annotated_rows: usize,
    answered: usize,
    format: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hidden: Vec<PlaceOut<'a>>,
    #[serde(skip_serializing_if = "is_zero")]
    hidden_more: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    missing: &'a [String],
    questions: usize,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    read_by: &'a std::collections::BTreeMap<String, usize>,
    recognised: usize,
    remarks: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved: Option<&'a str>,
    unanswered: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unread: Vec<PlaceOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'a [String],
}

#[derive(Serialize)]
struct AmbiguousOut<'a> {
    place: &'a str,
    question: &'a str,
    why: &'a str,
}

#[derive(Serialize)]
struct PlaceOut<'a> {
    excerpt: &'a str,
    place: &'a str,
}

impl<'a> ImportOut<'a> {
    fn of(d: &'a crate::import::DocumentImport) -> ImportOut<'a> {
        let a = &d.account;
        let places = |list: &'a [crate::import::Unread]| {
            list.iter().map(|u| PlaceOut { excerpt: &u.excerpt, place: &u.place }).collect()
        };
        ImportOut {
            ambiguous: a
                .ambiguous
                .iter()
                .map(|x| AmbiguousOut { place: &x.place, question: &x.id, why: &x.why })
                .collect(),
            annotated_rows: a.annotated_rows,
            answered: a.answered,
            format: d.format.as_str(),
            hidden: places(&a.hidden),
            hidden_more: a.hidden_more,
            missing: &a.missing,
            questions: a.questions,
            read_by: &a.read_by,
            recognised: a.recognised,
            remarks: a.remarks,
            saved: d.saved.as_deref(),
            unanswered: d.unanswered(),
            unread: places(&a.unread),
            warnings: &a.warnings,
        }
    }
}

#[derive(Serialize)]
struct PolicyOut<'a> {
    /// `--explain`: the sheet values the policy read, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a [super::Read]>,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    status: super::PolicyStatus,
    #[serde(skip_serializing_if = "is_zero")]
    warnings: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

struct FindingOut<'a> {
    location: Option<LocationOut<'a>>,
    message: &'a str,
    question: Option<&'a str>,
    /// Where the answer was read in the vendor's file (imported sheets).
    read_at: Option<&'a str>,
    rule: &'a str,
    severity: super::Severity,
    waived: Option<WaivedOut<'a>>,
}

#[derive(Serialize)]
struct LocationOut<'a> {
    column: usize,
    line: usize,
    path: &'a str,
}

struct WaivedOut<'a> {
    approver: Option<&'a str>,
    expires: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<LocationOut<'a>>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
}

impl<'a> SheetOut<'a> {
    fn of(r: &'a SheetReport) -> SheetOut<'a> {
        SheetOut {
            errors: r
                .errors
                .iter()
                .map(|e| ErrorOut {
                    location: e.location.as_ref().map(|l| LocationOut {
                        column: l.column,
                        line: l.line,
                        path: &l.path,
                    }),
                    message: &e.message,
                    policy: e.policy.as_deref(),
                })
                .collect(),
            findings: {
                let loc = super::view::Locator::new(r);
                r.findings.iter().map(|f| FindingOut::of(&loc, f)).collect()
            },
            import: r.import.as_deref().map(ImportOut::of),
            path: &r.path,
            policies: r
                .policies
                .iter()
                .map(|p| PolicyOut {
                    explain: r.explain.get(&p.id).map(Vec::as_slice),
                    id: &p.id,
                    status: p.status,
                    warnings: p.warnings,
                    reason: p.reason.as_deref(),
                })
                .collect(),
            service: r.service(),
            sha256: r.sha256(),
            status: r.status,
            vendor: r.vendor(),
        }
    }
}

/// `"name": `, for [`Out::key`].
macro_rules! key {
    ($name:literal) => {
        concat!("\"", $name, "\": ").as_bytes()
    };
}

/// serde_json's pretty layout, written directly: two spaces a level, keys
/// in the order the callers give (sorted, as serde writes them).
struct Out<'o> {
    buf: &'o mut Vec<u8>,
}

impl Out<'_> {
    /// [`new_line`].
    fn item(&mut self, level: usize, first: bool) {
        new_line(self.buf, level, first).expect("writing to memory does not fail");
    }

    /// `"name": ` on its own line at `level`; `quoted` is that text, made
    /// by [`key!`] (names need no escaping, so they are not scanned).
    fn key(&mut self, level: usize, first: bool, quoted: &[u8]) {
        self.item(level, first);
        self.buf.extend_from_slice(quoted);
    }

    /// A JSON string, escaped exactly as serde_json escapes it.
    fn string(&mut self, s: &str) {
        // The bytes serde_json escapes: `"`, `\` and the C0 controls.
        const PLAIN: [bool; 256] = {
            let mut t = [true; 256];
            let mut b = 0;
            while b < 0x20 {
                t[b] = false;
                b += 1;
            }
            t[b'"' as usize] = false;
            t[b'\\' as usize] = false;
            t
        };
        if s.bytes().all(|b| PLAIN[b as usize]) {
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
        } else {
            serde_json::to_writer(&mut *self.buf, s).expect("writing to memory does not fail");
        }
    }

    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.buf.extend_from_slice(b"null"),
        }
    }

    fn number(&mut self, n: usize) {
        serde_json::to_writer(&mut *self.buf, &n).expect("writing to memory does not fail");
    }

    /// A serialisable value for a key at `level`, through serde.
    fn value<T: Serialize + ?Sized>(&mut self, level: usize, v: &T) -> io::Result<()> {
        let mut ser = serde_json::Serializer::with_formatter(&mut *self.buf, Nested::at(level));
        v.serialize(&mut ser).map_err(io::Error::other)
    }

    /// Close an object or array whose contents sat at `level + 1`.
    fn close(&mut self, level: usize, bracket: u8) {
        self.item(level, true);
        self.buf.push(bracket);
    }
}

impl SheetOut<'_> {
    /// The entry as an object two levels deep (its keys at level 3).
    fn write(&self, buf: &mut Vec<u8>) -> io::Result<()> {
        const KEYS: usize = 3;
        let mut o = Out { buf };
        o.buf.push(b'{');
        o.key(KEYS, true, key!("errors"));
        o.value(KEYS, &self.errors)?;
        o.key(KEYS, false, key!("findings"));
        if self.findings.is_empty() {
            o.buf.extend_from_slice(b"[]");
        } else {
            o.buf.push(b'[');
            for (i, f) in self.findings.iter().enumerate() {
                o.item(KEYS + 1, i == 0);
                f.write(&mut o, KEYS + 2);
            }
            o.close(KEYS, b']');
        }
        if let Some(import) = &self.import {
            o.key(KEYS, false, key!("import"));
            o.value(KEYS, import)?;
        }
        o.key(KEYS, false, key!("path"));
        o.string(self.path);
        o.key(KEYS, false, key!("policies"));
        o.value(KEYS, &self.policies)?;
        o.key(KEYS, false, key!("service"));
        o.string(self.service);
        if let Some(h) = self.sha256 {
            o.key(KEYS, false, key!("sha256"));
            o.string(h);
        }
        o.key(KEYS, false, key!("status"));
        o.value(KEYS, &self.status)?;
        o.key(KEYS, false, key!("vendor"));
        o.string(self.vendor);
        o.close(KEYS - 1, b'}');
        Ok(())
    }
}

impl FindingOut<'_> {
    /// The finding as an object whose keys sit at `level`.
    fn write(&self, o: &mut Out<'_>, level: usize) {
        o.buf.push(b'{');
        o.key(level, true, key!("location"));
        match &self.location {
            Some(l) => {
                o.buf.push(b'{');
                o.key(level + 1, true, key!("column"));
                o.number(l.column);
                o.key(level + 1, false, key!("line"));
                o.number(l.line);
                o.key(level + 1, false, key!("path"));
                o.string(l.path);
                o.close(level, b'}');
            }
            None => o.buf.extend_from_slice(b"null"),
        }
        o.key(level, false, key!("message"));
        o.string(self.message);
        o.key(level, false, key!("question"));
        o.opt_string(self.question);
        if let Some(at) = self.read_at {
            o.key(level, false, key!("read_at"));
            o.string(at);
        }
        o.key(level, false, key!("rule"));
        o.string(self.rule);
        o.key(level, false, key!("severity"));
        o.string(self.severity.as_str());
        if let Some(w) = &self.waived {
            o.key(level, false, key!("waived"));
            o.buf.push(b'{');
            if let Some(a) = w.approver {
                o.key(level + 1, true, key!("approver"));
                o.string(a);
            }
            o.key(level + 1, w.approver.is_none(), key!("expires"));
            o.string(w.expires);
            o.key(level + 1, false, key!("reason"));
            o.string(w.reason);
            o.close(level, b'}');
        }
        o.close(level - 1, b'}');
    }
}

impl<'a> FindingOut<'a> {
    fn of(loc: &super::view::Locator<'a>, f: &'a Finding) -> FindingOut<'a> {
        let r = loc.report;
        let location = match (f.span, &r.sheet, &f.policy_site) {
            (Some(span), Some(sheet), _) if !sheet.imported => {
                let (line, column) = sheet.line_col(span.start);
                Some(LocationOut { column, line, path: &r.path })
            }
            (_, _, Some(site)) => {
                let (line, column) = loc.policy_line_col(&site.source, site.span.start);
                Some(LocationOut { column, line, path: &site.path })
            }
            _ => None,
        };
        FindingOut {
            location,
            message: &f.message,
            question: f.question.as_deref(),
            read_at: f.read_at.as_deref(),
            rule: &f.rule,
            severity: f.severity,
            waived: f.waived.as_ref().map(|w| WaivedOut {
                approver: w.approver.as_deref(),
                expires: &w.expires,
                reason: &w.reason,
            }),
        }
    }
}

#[cfg(test)]
mod streaming_tests {
    use super::*;

    /// Between items: a comma unless first, a new line, two spaces a level,
    /// also past the 32 levels one write covers.
    #[test]
    fn new_lines_indent_two_spaces_a_level() {
        for level in [0, 1, 5, 31, 32, 33, 70] {
            for first in [true, false] {
                let mut buf = Vec::new();
                new_line(&mut buf, level, first).unwrap();
                let want = format!("{}\n{}", if first { "" } else { "," }, " ".repeat(level * 2));
                assert_eq!(String::from_utf8(buf).unwrap(), want, "level {level}, first {first}");
            }
        }
    }

    /// Strings are escaped exactly as serde_json escapes them.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = (0u32..0x100).filter_map(char::from_u32).map(|c| format!("a{c}b")).collect();
        texts.extend(
            ["", "\"", "\\", "医療情報\u{2028}", "\u{7f}\u{80}\u{9f}", "\u{1b}[31m", "\u{feff}x"].map(String::from),
        );
        for t in texts {
            let mut buf = Vec::new();
            Out { buf: &mut buf }.string(&t);
            assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(&t).unwrap(), "{t:?}");
        }
    }

    /// The streamed text is exactly the pretty-printed `sheet_value`.
    #[test]
    fn streaming_matches_the_value_rendering() {
        for r in &crate::report::testutil::varied_reports() {
            let mut out = Vec::new();
            let mut json = Json::new(Box::new(&mut out));
            json.sheet(r).unwrap();
            drop(json);
            let want = format!("\n    {}", pretty(&sheet_value(r), 4).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), want, "{}", r.path);
        }
    }
}

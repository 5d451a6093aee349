//! Vendor text made safe for terminals and CI logs.
//!
//! A sheet is the vendor's file: a vendor name of
//! `"\u{1b}[2J\u{1b}[H\u{1b}[32mPASS"` would clear the screen and fake a
//! green verdict, a U+202E would reverse what follows it, and in a GitHub
//! log a control character can start a workflow command. Everything kaiji
//! writes to a terminal or a log goes through [`printable`] (or
//! [`printable_line`]), which shows such characters as `\u{1b}` instead.
//!
//! [`PrintableText`] and [`PrintableDiagnostic`] do the same for miette's
//! source snippets, which would otherwise print the sheet's lines raw.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::IndexedText;

/// `s` with every control character a terminal would act on shown as an
/// escape (`\u{1b}`): C0 controls but `\n`, `\t` and the `\r` of a `\r\n`,
/// DEL, C1 controls (U+0080–U+009F) and the bidi controls. For text shown
/// over several lines; borrows `s` when nothing needs escaping.
pub fn printable(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// [`printable`] for one-line contexts (a verdict line, a label, a field),
/// where `\n`, `\r` and `\t` are escaped too.
pub fn printable_line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// The bidi controls: marks, embeddings, overrides and isolates, which
/// reorder the text around them on screen (U+202E shows "exe.txt" as
/// "txt.exe").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` (followed by `next`) is shown escaped.
fn is_escaped(c: char, next: Option<char>, multiline: bool) -> bool {
    match c {
        '\n' | '\t' => !multiline,
        // A lone CR moves the cursor back over the line it ends.
        '\r' => !(multiline && next == Some('\n')),
        '\0'..='\x1f' | '\x7f'..='\u{9f}' => true,
        c => is_bidi_control(c),
    }
}

/// Bytes that start a character [`is_escaped`] may escape: ASCII controls
/// and DEL, and the UTF-8 lead bytes of U+0080–U+009F (0xC2), U+061C
/// (0xD8) and U+200E–U+2069 (0xE2). Text without them — nearly all text —
/// is returned after one byte scan.
fn may_escape(b: u8) -> bool {
    b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xd8 || b == 0xe2
}

/// [`printable`] of an owned text, returning it unchanged (no copy) when
/// nothing needs escaping: for whole documents.
pub fn into_printable(s: String) -> String {
    if let Cow::Owned(escaped) = printable(&s) {
        return escaped;
    }
    s
}

fn escape(s: &str, multiline: bool) -> Cow<'_, str> {
    // Line breaks and tabs are common in multi-line text: not worth a look.
    let candidate = |b: u8| may_escape(b) && !(multiline && (b == b'\n' || b == b'\t'));
    let Some(first) = s.bytes().position(candidate) else { return Cow::Borrowed(s) };
    let mut chars = s[first..].char_indices().peekable();
    let mut out: Option<String> = None;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        if is_escaped(c, next, multiline) {
            let out = out.get_or_insert_with(|| {
                let mut o = String::with_capacity(s.len() + 8);
                o.push_str(&s[..first + i]);
                o
            });
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else if let Some(out) = &mut out {
            out.push(c);
        }
    }
    out.map_or(Cow::Borrowed(s), Cow::Owned)
}

/// The characters JSON output escapes beyond serde_json's C0.
fn json_escaped(c: char) -> bool {
    matches!(c, '\x7f'..='\u{9f}') || is_bidi_control(c)
}

/// Whether UTF-8 `bytes` may hold a character [`escape_json_controls`]
/// escapes: DEL, or a lead byte of U+0080–U+009F, U+061C or U+200E–U+2069.
/// A vectorised byte search, so a report's text (mostly Japanese, whose
/// lead bytes are 0xE3–0xE9) is passed over without decoding it.
pub fn may_hold_json_controls(bytes: &[u8]) -> bool {
    memchr::memchr3(0xc2, 0xd8, 0xe2, bytes).is_some() || memchr::memchr(0x7f, bytes).is_some()
}

/// JSON text with DEL, the C1 and the bidi controls `\u`-escaped, as
/// serde_json already escapes C0: the same data to any JSON reader, but
/// no live control character for a terminal or log showing the file.
/// Outside strings JSON has no such characters, so the whole text can be
/// passed through. Borrows when there is nothing to escape.
pub fn escape_json_controls(text: &str) -> Cow<'_, str> {
    if !may_hold_json_controls(text.as_bytes()) || !text.contains(json_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if json_escaped(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A source text as miette should show it: [`printable`] (so lines stay
/// lines), with spans mapped from the original text to the shown one.
///
/// Escaping lengthens the text, so every span after an escaped character
/// moves; the map records, for each escaped character, where it ends in
/// the original and how many bytes the text has grown by then. Labels are
/// mapped through [`PrintableText::span`]; the common text that needs no
/// escape is the original [`IndexedText`] itself, with no map.
#[derive(Debug, Clone)]
pub struct PrintableText {
    shown: IndexedText,
    /// (end of an escaped character in the original, bytes added up to and
    /// including it), in text order.
    shifts: Arc<[(usize, usize)]>,
    /// The file name miette shows, when the text came from a named source.
    name: Option<String>,
}

impl PrintableText {
    pub fn new(text: &IndexedText) -> PrintableText {
        let original: &str = &text.text;
        match printable(original) {
            Cow::Borrowed(_) => PrintableText { shown: text.clone(), shifts: Arc::new([]), name: None },
            Cow::Owned(shown) => {
                let mut shifts = Vec::new();
                let mut added = 0;
                let mut chars = original.char_indices().peekable();
                while let Some((i, c)) = chars.next() {
                    if is_escaped(c, chars.peek().map(|&(_, n)| n), true) {
                        added += format!("\\u{{{:x}}}", c as u32).len() - c.len_utf8();
                        shifts.push((i + c.len_utf8(), added));
                    }
                }
                PrintableText { shown: IndexedText::new(Arc::from(shown)), shifts: shifts.into(), name: None }
            }
        }
    }

    /// Where original byte `offset` is in the shown text.
    pub fn offset(&self, offset: usize) -> usize {
        let passed = self.shifts.partition_point(|&(end, _)| end <= offset);
        offset + passed.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }

    /// `span` of the original text, in the shown text.
    pub fn span(&self, span: SourceSpan) -> SourceSpan {
        let start = self.offset(span.offset());
        let end = self.offset(span.offset() + span.len());
        SourceSpan::new(start.into(), end - start)
    }

    fn label(&self, l: &LabeledSpan) -> LabeledSpan {
        let text = l.label().map(|t| printable_line(t).into_owned());
        let span = self.span(*l.inner());
        if l.primary() {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        }
    }
}

impl SourceCode for PrintableText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.shown.read_span(span, context_lines_before, context_lines_after)?;
        let Some(name) = &self.name else { return Ok(contents) };
        Ok(Box::new(MietteSpanContents::new_named(
            name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// How many diagnostics of one file are shown: the main one and its
/// related ones up to this many, then one [`MoreProblems`] line for the
/// rest. Past a hundred, a person fixes what is shown and runs again; the
/// cap keeps a file of 100,000 problems from printing megabytes.
pub const DIAGNOSTICS_SHOWN: usize = 100;

/// The line that stands for the problems past [`DIAGNOSTICS_SHOWN`].
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("… and {0} more problem(s) in this file, not shown")]
#[diagnostic(help("fix the problems shown and run again"))]
pub struct MoreProblems(pub usize);

/// Sources already made printable during one construction, by the address
/// of the `SourceCode` they came from. Every diagnostic looked at is
/// borrowed for the whole construction, so an address cannot be reused by
/// another source meanwhile.
type Seen = Vec<(*const (), PrintableText)>;

/// Any miette diagnostic with its text, labels and source snippets made
/// [`printable`], for rendering to a terminal or log. Owned, so it can be
/// put in a `miette::Report` and printed as kaiji prints errors
/// (`{:?}`, through the installed hook).
///
/// A source is read whole and escaped once per construction: diagnostics
/// (related ones, or those given together to [`PrintableDiagnostic::each`])
/// that return the same `SourceCode` object — a file's
/// [`SharedSource`](super::SharedSource) — share one printable copy and one
/// line index. Related diagnostics past [`DIAGNOSTICS_SHOWN`] are counted
/// in a closing [`MoreProblems`], not shown.
#[derive(Debug)]
pub struct PrintableDiagnostic {
    message: String,
    code: Option<String>,
    severity: Option<miette::Severity>,
    help: Option<String>,
    url: Option<String>,
    source: Option<PrintableText>,
    labels: Vec<LabeledSpan>,
    related: Vec<PrintableDiagnostic>,
    cause: Option<Box<PrintableDiagnostic>>,
}

impl PrintableDiagnostic {
    pub fn new(inner: &dyn Diagnostic) -> PrintableDiagnostic {
        PrintableDiagnostic::with_seen(inner, &mut Vec::new())
    }

    /// [`PrintableDiagnostic::new`] of each, sharing the printable copy of
    /// every source they share: for many diagnostics about one file (a
    /// waiver file's stale waivers).
    pub fn each<'a>(diags: impl IntoIterator<Item = &'a dyn Diagnostic>) -> Vec<PrintableDiagnostic> {
        let mut seen = Vec::new();
        diags.into_iter().map(|d| PrintableDiagnostic::with_seen(d, &mut seen)).collect()
    }

    fn with_seen(inner: &dyn Diagnostic, seen: &mut Seen) -> PrintableDiagnostic {
        let source = inner.source_code().and_then(|src| {
            let key = src as *const dyn SourceCode as *const ();
            if let Some((_, shown)) = seen.iter().find(|(k, _)| *k == key) {
                return Some(shown.clone());
            }
            // An empty span with unbounded context after it: the whole text.
            let all = src.read_span(&SourceSpan::new(0.into(), 0), 0, usize::MAX).ok()?;
            let text = String::from_utf8_lossy(all.data()).into_owned();
            let name = all.name().map(|n| printable_line(n).into_owned());
            let shown = PrintableText { name, ..PrintableText::new(&IndexedText::new(Arc::from(text))) };
            seen.push((key, shown.clone()));
            Some(shown)
        });
        let labels = match (&source, inner.labels()) {
            (Some(src), Some(labels)) => labels.map(|l| src.label(&l)).collect(),
            _ => Vec::new(),
        };
        let text = |d: Box<dyn fmt::Display + '_>| printable(&d.to_string()).into_owned();
        let line = |d: Box<dyn fmt::Display + '_>| printable_line(&d.to_string()).into_owned();
        let mut related = Vec::new();
        if let Some(all) = inner.related() {
            let all: Vec<&dyn Diagnostic> = all.collect();
            let shown = if all.len() > DIAGNOSTICS_SHOWN { DIAGNOSTICS_SHOWN - 1 } else { all.len() };
            related.extend(all[..shown].iter().map(|d| PrintableDiagnostic::with_seen(*d, seen)));
            if shown < all.len() {
                related.push(PrintableDiagnostic::with_seen(&MoreProblems(all.len() - shown), seen));
            }
        }
        PrintableDiagnostic {
            message: printable(&inner.to_string()).into_owned(),
            code: inner.code().map(line),
            severity: inner.severity(),
            help: inner.help().map(text),
            url: inner.url().map(line),
            source,
            labels,
            related,
            cause: inner.diagnostic_source().map(|c| Box::new(PrintableDiagnostic::with_seen(c, seen))),
        }
    }

    /// A report, made printable, to print with `{:?}`.
    pub fn report(report: &miette::Report) -> miette::Report {
        miette::Report::new(PrintableDiagnostic::new(report.as_ref()))
    }
}

impl fmt::Display for PrintableDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PrintableDiagnostic {}

impl Diagnostic for PrintableDiagnostic {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code.as_ref().map(|c| Box::new(c) as _)
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.severity
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as _)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.url.as_ref().map(|u| Box::new(u) as _)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause.as_deref().map(|c| c as &dyn Diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn borrowed(s: &str) -> bool {
        matches!(printable(s), Cow::Borrowed(_)) && matches!(printable_line(s), Cow::Borrowed(_))
    }

    #[test]
    fn the_byte_prefilter_misses_no_character_json_escapes() {
        // Every scalar value: the prefilter may say "maybe" too often, never
        // "no" for a character that escape_json_controls would escape.
        let mut buf = [0u8; 4];
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = c.encode_utf8(&mut buf);
            if json_escaped(c) {
                assert!(may_hold_json_controls(text.as_bytes()), "U+{:04X} passed the prefilter", c as u32);
            }
        }
        assert!(!may_hold_json_controls("はい または 対象外 であること".as_bytes()));
    }

    #[test]
    fn c0_controls_and_del_are_escaped() {
        assert_eq!(printable("\u{1b}[2J\u{1b}[32mPASS"), "\\u{1b}[2J\\u{1b}[32mPASS");
        assert_eq!(printable("a\0b\x07c\x08d\x7fe"), "a\\u{0}b\\u{7}c\\u{8}d\\u{7f}e");
        assert_eq!(printable("\x0b\x0c"), "\\u{b}\\u{c}");
        for c in (0..0x20u8).chain([0x7f]).map(char::from).filter(|c| !matches!(c, '\n' | '\t' | '\r')) {
            let s = c.to_string();
            assert_eq!(printable(&s), format!("\\u{{{:x}}}", c as u32));
            assert_eq!(printable_line(&s), format!("\\u{{{:x}}}", c as u32));
        }
    }

    #[test]
    fn newlines_and_tabs_stay_only_in_multiline_text() {
        assert_eq!(printable("一行目\n\t二行目\r\n三"), "一行目\n\t二行目\r\n三");
        assert_eq!(printable_line("一行目\n\t二行目\r\n三"), "一行目\\u{a}\\u{9}二行目\\u{d}\\u{a}三");
        // A lone CR would return the cursor and overwrite the line.
        assert_eq!(printable("FAIL\rPASS"), "FAIL\\u{d}PASS");
        assert_eq!(printable("end\r"), "end\\u{d}");
    }

    #[test]
    fn c1_and_bidi_controls_are_escaped() {
        assert_eq!(printable("\u{80}\u{85}\u{9b}2J\u{9f}"), "\\u{80}\\u{85}\\u{9b}2J\\u{9f}");
        for c in ['\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}']
            .into_iter()
            .chain('\u{2066}'..='\u{2069}')
        {
            let s = format!("abc{c}def");
            assert_eq!(printable_line(&s), format!("abc\\u{{{:x}}}def", c as u32));
        }
        assert_eq!(printable("検査\u{202e}txt.exe"), "検査\\u{202e}txt.exe");
    }

    #[test]
    fn ordinary_text_is_borrowed_untouched() {
        for s in
            ["", "PASS", "株式会社あおぞらメディカル", "二要素認証（17.1）に「はい」", "TLS1.2、1.3 ※①", "\u{a0}¥é—…"]
        {
            assert!(borrowed(s), "{s:?}");
        }
        // Neighbours of the escaped ranges, sharing their lead bytes.
        for s in ["\u{a0}\u{ff}", "\u{0600}\u{061b}\u{061d}", "\u{200d}\u{2010}\u{2029}\u{202f}\u{2065}\u{206a}", "…※"]
        {
            assert!(borrowed(s), "{s:?}");
        }
        assert!(matches!(printable("二行\n\tの備考"), Cow::Borrowed(_)));
    }

    #[test]
    fn spans_follow_the_escapes() {
        let text = "a = \"\u{1b}[2J\"\nb = \"x\u{202e}y\"\nc = \"はい\"\n";
        let shown = PrintableText::new(&IndexedText::new(Arc::from(text)));
        let shown_text: &str = &shown.shown.text;
        assert_eq!(shown_text, printable(text));
        for needle in ["[2J", "b = ", "y\"", "はい", "c"] {
            let at = text.find(needle).unwrap();
            let span = shown.span(SourceSpan::new(at.into(), needle.len()));
            assert_eq!(&shown_text[span.offset()..span.offset() + span.len()], needle);
        }
        // A span over an escaped character covers its escape.
        let at = text.find('\u{202e}').unwrap();
        let span = shown.span(SourceSpan::new(at.into(), '\u{202e}'.len_utf8()));
        assert_eq!(&shown_text[span.offset()..span.offset() + span.len()], "\\u{202e}");
        // Clean text is shown as it is, sharing the original.
        let clean = IndexedText::new(Arc::from("a = 1\n"));
        assert!(Arc::ptr_eq(&PrintableText::new(&clean).shown.text, &clean.text));
    }

    #[test]
    fn wrapped_diagnostics_render_no_control_characters() {
        #[derive(Debug, thiserror::Error, Diagnostic)]
        #[error("bad \u{1b}[31mvalue")]
        #[diagnostic(help("fix \u{9b}it"))]
        struct Bad {
            #[source_code]
            src: miette::NamedSource<String>,
            #[label("here \u{1b}[0m")]
            at: SourceSpan,
        }
        let src = "[sheet]\nvendor = \"\u{1b}[2J\u{1b}[32mPASS\"\nx = 1\n";
        let at = src.find("x = 1").unwrap();
        let bad = Bad { src: miette::NamedSource::new("s.toml", src.to_string()), at: (at, 5).into() };
        let report = PrintableDiagnostic::report(&miette::Report::new(bad));
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, report.as_ref())
            .unwrap();
        assert!(!out.contains(['\u{1b}', '\u{9b}']), "{out}");
        assert!(out.contains("vendor = \"\\u{1b}[2J\\u{1b}[32mPASS\""), "{out}");
        assert!(out.contains("x = 1") && out.contains("here \\u{1b}[0m"), "{out}");
        assert!(out.contains("s.toml:3:1"), "{out}");
    }

    /// Diagnostics that point into one file through its shared source.
    #[derive(Debug, thiserror::Error)]
    #[error("problem {n}")]
    struct InFile {
        n: usize,
        src: crate::text::SharedSource,
        related: Vec<InFile>,
    }

    impl Diagnostic for InFile {
        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(crate::text::source_of(&self.src))
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some("here".into()), (self.n * 4, 1)))))
        }
        fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }

    fn in_file(src: &crate::text::SharedSource, n: usize) -> InFile {
        InFile { n, src: src.clone(), related: Vec::new() }
    }

    #[test]
    fn a_shared_source_is_made_printable_once() {
        // Escaping needed, so each printable copy would be a new text.
        let text: String = (0..300).map(|i| format!("{:03}\u{1b}\n", i % 1000)).collect();
        let src = crate::text::shared_source("f.toml", Arc::from(text));
        let main = InFile { related: (1..250).map(|n| in_file(&src, n)).collect(), ..in_file(&src, 0) };
        let shown = PrintableDiagnostic::new(&main);
        let text_of = |d: &PrintableDiagnostic| d.source.as_ref().unwrap().shown.text.clone();
        let first = text_of(&shown);
        assert!(first.contains("000\\u{1b}"));
        // The first hundred problems, then one line for the rest.
        assert_eq!(shown.related.len(), DIAGNOSTICS_SHOWN);
        assert!(shown.related[..DIAGNOSTICS_SHOWN - 1].iter().all(|d| Arc::ptr_eq(&text_of(d), &first)));
        let last = shown.related.last().unwrap();
        assert_eq!(last.message, "… and 150 more problem(s) in this file, not shown");
        assert!(last.source.is_none());

        // Separate diagnostics given together share it too; another file
        // gets its own.
        let other = crate::text::shared_source("g.toml", Arc::from("x\u{1b}\n"));
        let diags = [in_file(&src, 1), in_file(&other, 0), in_file(&src, 2)];
        let each = PrintableDiagnostic::each(diags.iter().map(|d| d as &dyn Diagnostic));
        assert!(Arc::ptr_eq(&text_of(&each[0]), &text_of(&each[2])));
        assert!(!Arc::ptr_eq(&text_of(&each[0]), &text_of(&each[1])));
        assert_eq!(&*text_of(&each[1]), "x\\u{1b}\n");
    }

    #[test]
    fn up_to_the_cap_every_related_diagnostic_is_shown() {
        let src = crate::text::shared_source("f.toml", Arc::from("abcd".repeat(200)));
        let main = InFile { related: (1..=DIAGNOSTICS_SHOWN).map(|n| in_file(&src, n)).collect(), ..in_file(&src, 0) };
        let shown = PrintableDiagnostic::new(&main);
        assert_eq!(shown.related.len(), DIAGNOSTICS_SHOWN);
        assert_eq!(shown.related.last().unwrap().message, format!("problem {DIAGNOSTICS_SHOWN}"));
    }
}

//! The text importer: a disclosure sheet as text extracted from its PDF
//! (`pdftotext`, the PDF importer's rows, copy-paste), in the layout of the reference seed:
//!
//! ```text
//! 作成日\t2026年1月13日                       ← header block, repeated on every page
//! 1 7. 1. 1 パスワードを…か？\tはい\tいいえ\t対象外\t備考\t9
//! ・記憶 (ID・パスワード等)\t…                  ← 17.1.a–e have no printed number
//! 備考記載欄
//! 9\t<p>…</p>                                 ← remarks, possibly over page breaks
//! ```
//!
//! Cells may be tab- or space-separated. Answer marks (■/□, ○, ●, ✓) before
//! or after a choice word are read where the extraction kept them.
//!
//! `pdftotext -layout` of a sheet printed from a filled form wraps long
//! questions, the first line beside the choices, the rest below; and a
//! drop-down cell prints only its value, the 備考 label maybe not at all:
//!
//! ```text
//!   17.1.d   利用者の識別・認証に、パスワードを用い      はい        7
//!            る場合、推測困難なパスワードを設定しているか？
//! ```
//!
//! The lines below join the row when that makes a better match (the best
//! run of them: none, some or all). Where rows print one word, the word is
//! the answer (`State::read_only_words`); where they print every word
//! with the marks lost, no answer is read.

use std::sync::LazyLock;

use regex::Regex;

use super::rules::{Decision, Readings, Seen, Settled, decide};
use super::{
    Ambiguous, ImportError, ImportReport, Imported, Match, Matcher, Miss, Unread, digits, excerpt, header_label,
    is_title, mark, parse_citations, plain_text, set_header_field,
};
use crate::form::Form;
use crate::sheet::{Answer, AnswerValue, DocAnswer, SheetDoc};
use crate::text::{match_key, normalize};

/// A printed question number at the start of a line: digits with the PDF's
/// stray dots and spaces (`1 7. 1. 1`, `1.7.3`, `10.0`), or a catalog id
/// with a letter (`17.1.d`).
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9]+(?:\.[0-9]+)*\.[a-z](?:\s|$)|[0-9](?:[0-9.]|\s+[0-9.])*)").expect("valid regex")
});

/// The longest line read, in bytes: a form's row is a few hundred bytes, a
/// page of merged rows a few KiB. Longer lines are text that lost its line
/// breaks (or no sheet at all), and each row on a line costs a match.
pub const MAX_LINE: usize = 64 * 1024;

/// Lines of text only read as the possible rest of one question: a
/// question of the form wraps onto at most a dozen lines of a narrow column.
const MAX_CONTINUATION: usize = 16;

/// Lines held after a page's title in the remarks before they are taken
/// for remark text: a part of the sheet starts with a few lines (title,
/// header, notes, a section heading) before its first question row.
const MAX_HELD: usize = 64;

/// Non-blank lines read without finding any question before giving up.
const GIVE_UP_AFTER: usize = 300;

/// Import text bytes (UTF-8, with or without BOM).
pub fn import_bytes(bytes: &[u8], form: &Form, path: &str) -> Result<Imported, ImportError> {
    import_str(decode(bytes, path)?, form, path)
}

/// The text of `bytes`: UTF-8, not binary. Shared by the importer and the
/// catalog builder (`kaiji form new`).
pub(crate) fn decode<'b>(bytes: &'b [u8], path: &str) -> Result<&'b str, ImportError> {
    crate::text::as_text(bytes).map_err(|why| ImportError::Unrecognised {
        path: path.to_string(),
        message: match why {
            crate::text::NotText::Binary => "this is a binary file, not text extracted from a sheet".to_string(),
            other => other.to_string(),
        },
        help: Some(
            "extract the PDF's text as UTF-8 (e.g. `pdftotext -layout sheet.pdf`); import a workbook with --from xlsx"
                .into(),
        ),
    })
}

/// Walk the lines of a sheet's text (BOM dropped), 1-based, refusing a line
/// over [`MAX_LINE`]; `f` returns false to stop early. Shared by the
/// importer and the catalog builder.
pub(crate) fn for_each_line(text: &str, path: &str, mut f: impl FnMut(usize, &str) -> bool) -> Result<(), ImportError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        if raw.len() > MAX_LINE {
            return Err(ImportError::Unrecognised {
                path: path.to_string(),
                message: format!(
                    "line {} is {} bytes long; the limit for one line is {}",
                    i + 1,
                    raw.len(),
                    crate::walk::show_size(MAX_LINE as u64)
                ),
                help: Some(
                    "a sheet's text has one question a line: extract it again keeping the line breaks \
                     (e.g. `pdftotext -layout sheet.pdf`)"
                        .into(),
                ),
            });
        }
        if !f(i + 1, raw) {
            break;
        }
    }
    Ok(())
}

/// What a line of a sheet's text is, before any form is consulted.
pub(crate) enum LineKind {
    /// Blank, or a rule of dashes.
    Skip,
    /// The sheet's title (repeated at the top of every page).
    Title,
    /// A header field (作成日, サービス事業者 ...) and its value as written.
    Header(super::HeaderField, String),
    /// The 備考記載欄 heading, with the rest of its line (NFKC and as written).
    Remarks { rest: String, raw_rest: String },
    /// The form's own notes (※ disclaimers, instructions).
    Note,
    /// One cell of text and nothing else: a section heading, a wrapped
    /// question's text, or a question row whose cells are space-separated.
    Single,
    /// Anything else: question rows (or remarks, in the 備考記載欄).
    Content,
}

/// A line of a sheet's text: as written, its NFKC form, and what it is.
pub(crate) struct TextLine {
    /// NFKC, as recognition reads it.
    pub norm: String,
    pub kind: LineKind,
    /// The match key of the first cell.
    pub key: String,
}

/// Classify one line. Recognition reads the NFKC form; what the vendor wrote
/// (metadata, remark texts, the form's question texts) is kept from the raw
/// line, cell for cell.
pub(crate) fn read_line(raw: &str) -> TextLine {
    let line = normalize(raw);
    let cells: Vec<&str> = line.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    let raw_cells: Vec<&str> = raw.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    let raw_cells = if raw_cells.len() == cells.len() { raw_cells } else { cells.clone() };
    let kind = if cells.is_empty() || cells.iter().all(|c| c.chars().all(|ch| matches!(ch, '-' | '=' | '_' | '|'))) {
        LineKind::Skip
    } else if cells.len() == 1 && is_title(cells[0]) {
        LineKind::Title
    } else if let Some((field, value)) = header(&cells) {
        // The label is matched in NFKC; the value is the vendor's.
        LineKind::Header(field, header(&raw_cells).map(|(_, v)| v).unwrap_or(value))
    } else if matches!(match_key(cells[0]).as_str(), "備考記載欄" | "備考欄" | "備考一覧") {
        LineKind::Remarks { rest: cells[1..].join("\t"), raw_rest: raw_cells[1..].join("\t") }
    } else if cells[0].starts_with('※') {
        LineKind::Note
    } else if cells.len() == 1 {
        LineKind::Single
    } else {
        LineKind::Content
    };
    let key = cells.first().map(|c| match_key(c)).unwrap_or_default();
    TextLine { norm: line, kind, key }
}

/// Import the text of a sheet.
pub fn import_str(text: &str, form: &Form, path: &str) -> Result<Imported, ImportError> {
    let (mut imported, lines) = import_str_traced(text, form, path, Marks::InText)?;
    for a in &imported.doc.answers {
        if let Some(i) = form.index_of(&a.id)
            && !lines[i].is_empty()
        {
            imported.sources.insert(a.id.clone(), super::ReadAt::lines(&lines[i]));
        }
    }
    Ok(imported)
}

/// What a question row of the PDF importer shows, observed on the page:
/// the choice words it prints and which are marked.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowMarks {
    /// The choice words printed, in print order.
    pub printed: Vec<Answer>,
    /// The words marked.
    pub marked: Vec<Answer>,
    /// The page prints only the chosen word on each row.
    pub only_word: bool,
    /// Why the marks do not single out a word, if they do not.
    pub doubt: Option<String>,
}

/// Where the answer marks of the rows come from.
pub(crate) enum Marks<'a> {
    /// From the text itself (■/□, ○, ● beside a word), or, where rows print
    /// only the chosen word, that word.
    InText,
    /// Observed by another importer (the PDF's drawing), by line number
    /// (1-based; index 0 unused): the text's own characters are not read as marks.
    Observed(&'a [Option<RowMarks>]),
}

/// [`import_str`], also returning the lines each answered question was read
/// from (by form index; more than one where the row appears again with the
/// same answer): the PDF importer hands its rows over as lines and maps
/// them back to pages.
pub(crate) fn import_str_traced(
    text: &str,
    form: &Form,
    path: &str,
    marks: Marks<'_>,
) -> Result<(Imported, Vec<Vec<usize>>), ImportError> {
    let m = Matcher::new(form);
    let mut st = State {
        readings: Readings::new(form.len()),
        max_join: m.longest_key() * 5 / 3 + 1,
        m,
        marks,
        printed: Vec::new(),
        rows_with_words: 0,
        doc: SheetDoc::new(&form.id),
        entries: vec![None; form.len()],
        report: ImportReport { questions: form.len(), ..ImportReport::default() },
        open: None,
        cont: Vec::new(),
        in_remarks: false,
        remarks: Vec::new(),
        block_start: 0,
        holding: false,
        held: Vec::new(),
        sections: {
            let mut s: Vec<String> = form.questions().iter().map(|q| match_key(&q.section)).collect();
            s.dedup();
            s
        },
    };
    let mut content_lines = 0;
    for_each_line(text, path, |no, raw| {
        st.line(no, raw);
        // A sheet's first question comes within its first page or two; a
        // long text with none is no sheet, and matching it all is wasted work.
        content_lines += usize::from(!raw.trim().is_empty());
        !(content_lines >= GIVE_UP_AFTER && st.entries.iter().all(Option::is_none))
    })?;
    st.flush_open();
    st.release_held();
    st.read_only_words();
    st.finish(path)
}

/// A line of the input, as the account names it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LineNo(usize);

impl std::fmt::Display for LineNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.0)
    }
}

/// A question row: its printed number, text, and what follows the text.
#[derive(Debug, Default)]
pub(crate) struct Row {
    pub line: usize,
    /// The line the choice words were read from (a wrapped question's
    /// text may start on an earlier one).
    pub tail_line: usize,
    /// The text the row was parsed from, for messages.
    pub raw: String,
    /// The printed number, spaces removed (`1 7. 1` → `17.1`).
    pub hint: Option<String>,
    /// The row starts with a bullet (・): an unnumbered question.
    pub bullet: bool,
    pub text: String,
    /// Where [`Row::text`] lies in the (NFKC) line given to [`parse_row`]:
    /// from the start of its first word to the end of its last.
    pub text_span: (usize, usize),
    /// Choice words in print order, each with its mark (if any).
    pub choices: Vec<(Answer, Option<bool>)>,
    /// A 備考 label was printed.
    pub bikou: bool,
    /// Number-like tokens after 備考: citations, possibly followed by the
    /// number of a question merged onto the same line.
    pub numbers: Vec<String>,
    /// Free text in the 備考 cell (not numbers).
    pub note: Option<String>,
    /// The rest of the line when two rows were merged into one.
    pub next: Option<Box<Row>>,
}

impl Row {
    pub(crate) fn has_tail(&self) -> bool {
        !self.choices.is_empty() || self.bikou || !self.numbers.is_empty()
    }
}

struct State<'f, 'm> {
    /// Every reading of each question (the line, what it said), by form index.
    readings: Readings<LineNo>,
    m: Matcher<'f>,
    doc: SheetDoc,
    entries: Vec<Option<DocAnswer>>,
    report: ImportReport,
    /// The last row read, not yet given its question: its text may go on
    /// over the next line(s) — before the line with its choices, or after it.
    open: Option<Row>,
    /// Lines of text only after `open` (a row with choices), that may be the
    /// rest of its question: settled when a line of another kind comes.
    cont: Vec<Row>,
    /// Longest joined text (in key characters) that can still match a question.
    max_join: usize,
    /// Where the marks come from.
    marks: Marks<'m>,
    /// Readings of rows with choice words and no marks (form index, which
    /// reading of that question, how many words were printed, the first):
    /// in a layout that prints only the chosen word, that word is the answer.
    printed: Vec<(usize, usize, usize, Answer)>,
    /// Rows recorded with at least one choice word (marked or not).
    rows_with_words: usize,
    in_remarks: bool,
    /// (line, number, raw text) in input order.
    remarks: Vec<(usize, u32, String)>,
    /// In the remarks, a page's title or header was met: lines are held.
    holding: bool,
    /// The lines held (line number, as written), at most [`MAX_HELD`].
    held: Vec<(usize, String)>,
    /// Where the current 備考記載欄 starts in `remarks` (a second revision
    /// appended to the first starts its own, numbered from 1 again).
    block_start: usize,
    sections: Vec<String>,
}

impl State<'_, '_> {
    fn line(&mut self, no: usize, raw: &str) {
        let TextLine { norm: line, kind, key } = read_line(raw);
        match kind {
            LineKind::Skip => {}
            LineKind::Title => {
                self.flush_open();
                self.hold_remarks();
            }
            LineKind::Header(field, value) => {
                self.flush_open();
                self.hold_remarks();
                if let Some(w) = set_header_field(&mut self.doc, field, &value) {
                    self.report.warnings.push(format!("line {no}: {w}"));
                }
            }
            LineKind::Remarks { rest, raw_rest } => {
                self.flush_open();
                self.release_held();
                self.in_remarks = true;
                self.block_start = self.remarks.len();
                if !rest.is_empty() {
                    self.remark_line(no, &rest, &raw_rest);
                }
            }
            // A question row after the remarks (a correction page, a second
            // revision appended) is a question row, not remark text; and
            // the lines held since the page's title (a preamble, a section
            // heading) were the new part's, not the last remark's.
            LineKind::Content if self.in_remarks && self.is_question_row(&parse_row(no, &line)) => {
                self.in_remarks = false;
                for (n, held) in std::mem::take(&mut self.held) {
                    self.line(n, &held);
                }
                self.holding = false;
                self.question_row(parse_row(no, &line));
            }
            // a remark starting: the lines held went on with the remarks
            _ if self.in_remarks && self.holding && matches!(self.remark_start(&line, raw), Some(Some(_))) => {
                self.release_held();
                self.remark_line(no, &line, raw);
            }
            _ if self.in_remarks && self.holding => {
                self.held.push((no, raw.to_string()));
                if self.held.len() >= MAX_HELD {
                    self.release_held();
                }
            }
            _ if self.in_remarks => self.remark_line(no, &line, raw),
            LineKind::Note => self.flush_open(),
            LineKind::Single if self.is_section(&key) => self.flush_open(),
            LineKind::Single | LineKind::Content => {
                let row = parse_row(no, &line);
                self.question_row(row);
            }
        }
    }

    /// In the remarks, after a page's title or header: hold the lines that
    /// follow until it is clear whether they go on with the remarks (a page
    /// break) or open another part of the sheet (a correction page, a second
    /// revision: then a question row follows).
    fn hold_remarks(&mut self) {
        if self.in_remarks {
            self.holding = true;
        }
    }

    /// The held lines are remark text after all.
    fn release_held(&mut self) {
        self.holding = false;
        for (no, raw) in std::mem::take(&mut self.held) {
            let line = normalize(&raw);
            self.remark_line(no, &line, &raw);
        }
    }

    /// Whether `row` is plainly a question row of the form: choice words
    /// after a text that is one of the form's questions.
    fn is_question_row(&self, row: &Row) -> bool {
        if row.choices.is_empty() {
            return false;
        }
        match self.m.peek(&row.text, row.hint.as_deref()) {
            Ok(m) => m.similarity >= 0.9,
            Err(Miss::Repeat(i)) => self.m.similarity(i, &row.text) >= 0.9,
            Err(Miss::NoMatch) => false,
        }
    }

    fn is_section(&self, key: &str) -> bool {
        !key.is_empty()
            && self.sections.iter().any(|s| {
                let (a, b) = (s.chars().count(), key.chars().count());
                s == key || (a.min(b) * 10 >= a.max(b) * 9 && strsim::normalized_levenshtein(s, key) >= 0.9)
            })
    }

    fn question_row(&mut self, row: Row) {
        if self.open.as_ref().is_some_and(Row::has_tail) && self.may_continue(&row) {
            self.cont.push(row);
            return;
        }
        self.settle();
        let row = match self.open.take() {
            Some(prev) if !prev.has_tail() => match self.join_pending(prev, row) {
                Ok(joined) => joined,
                Err((prev, row)) => {
                    self.resolve(prev);
                    row
                }
            },
            Some(prev) => {
                self.resolve(prev);
                row
            }
            None => row,
        };
        // Rows merged onto one line are complete: the next line is another row.
        if row.next.is_none() {
            self.open = Some(row);
        } else {
            self.resolve(row);
        }
    }

    /// `row` continuing the text-only row `prev` (a question wrapped before
    /// its choices), joined into one row; or both back when `row` is a row
    /// of its own. `row` has no number of its own and alone is no question;
    /// its choices, if any, are the question's.
    fn join_pending(&self, prev: Row, row: Row) -> Result<Row, (Row, Row)> {
        let alone = self.m.peek(&row.text, row.hint.as_deref());
        let alone_ok = matches!(alone, Ok(Match { similarity, .. }) if similarity >= 0.9);
        let joined = format!("{} {}", prev.text, row.text);
        if row.hint.is_none()
            && !alone_ok
            && match_key(&joined).chars().count() <= self.max_join
            && let Ok(j) = self.m.peek(&joined, prev.hint.as_deref())
            && alone.map_or(true, |a| j.similarity > a.similarity)
        {
            return Ok(Row {
                text: joined,
                hint: prev.hint,
                line: prev.line,
                raw: format!("{} {}", prev.raw, prefix(&row.raw, RAW_KEEP)),
                ..row
            });
        }
        Err((prev, row))
    }

    /// The text a line of text only adds to the question above it (a line
    /// that starts with a digit reads as a printed number: all of it).
    fn cont_text(row: &Row) -> &str {
        if row.hint.is_some() { &row.raw } else { &row.text }
    }

    /// Whether `row`, after a row with choices, may be the rest of that
    /// row's question text (`pdftotext -layout` prints a wrapped question's
    /// first line beside the choices, the rest below): text only, and the
    /// text joined so far short enough to still match a question.
    fn may_continue(&self, row: &Row) -> bool {
        if row.has_tail() || row.next.is_some() || self.cont.len() >= MAX_CONTINUATION {
            return false;
        }
        let text = Self::cont_text(row);
        let so_far: usize = std::iter::once(self.open.as_ref().map_or("", |o| o.text.as_str()))
            .chain(self.cont.iter().map(Self::cont_text))
            .chain([text])
            .map(|t| match_key(t).chars().count())
            .sum();
        !text.trim().is_empty() && so_far <= self.max_join
    }

    /// Give the open row with choices the continuation lines read after it
    /// that make the best match (none, some or all, in order), and read the
    /// lines left over as rows of their own.
    fn settle(&mut self) {
        if self.cont.is_empty() {
            return;
        }
        let cont = std::mem::take(&mut self.cont);
        let Some(held) = self.open.take() else { return };
        let hint = held.hint.as_deref();
        let score = |t: &str| self.m.peek(t, hint).ok().map(|m| m.similarity);
        let all = std::iter::once(held.text.as_str()).chain(cont.iter().map(Self::cont_text)).collect::<Vec<_>>();
        // All of them spelling a question's text is the common case, and the
        // best there is (comparing every shorter join is the costly part).
        let mut best = match score(&all.join(" ")) {
            Some(s) if s >= 1.0 => (Some(s), cont.len()),
            _ => (score(&held.text), 0),
        };
        let mut joined = held.text.clone();
        for (k, c) in cont.iter().enumerate() {
            if best.1 == cont.len() {
                break;
            }
            // Past an exact match only a line that adds nothing to the text
            // (`？`) can tie it: no need to compare.
            if best.0.is_some_and(|s| s >= 1.0) {
                if best.1 == k && match_key(Self::cont_text(c)).is_empty() {
                    best.1 = k + 1;
                    continue;
                }
                break;
            }
            // A line that alone is a question is not the rest of another.
            if self.m.peek(&c.text, c.hint.as_deref()).is_ok_and(|a| a.similarity >= 0.9) {
                break;
            }
            joined.push(' ');
            joined.push_str(Self::cont_text(c));
            // ties to the longer text: a line of punctuation (`？`) adds nothing
            if let Some(s) = score(&joined)
                && best.0.is_none_or(|b| s >= b)
            {
                best = (Some(s), k + 1);
            }
        }
        let (sim, mut take) = best;
        // A line that starts with a number joins only a close match.
        if sim.is_none_or(|s| s < 0.9)
            && let Some(first) = cont[..take].iter().position(|c| c.hint.is_some())
        {
            take = first;
        }
        let mut row = held;
        for c in &cont[..take] {
            row.text.push(' ');
            row.text.push_str(Self::cont_text(c));
            row.raw.push(' ');
            row.raw.push_str(prefix(&c.raw, RAW_KEEP));
        }
        self.resolve(row);
        for c in cont.into_iter().skip(take) {
            self.question_row(c);
        }
    }

    fn flush_open(&mut self) {
        self.settle();
        if let Some(p) = self.open.take() {
            self.resolve(p);
        }
    }

    /// Give a row its question and record what it says.
    fn resolve(&mut self, mut row: Row) {
        let next = row.next.take();
        let found = self.m.take(&row.text, row.hint.as_deref());
        // Number-like tokens after 備考: when another row follows on the same
        // line, its printed number is at their end.
        let mut citation_tokens = std::mem::take(&mut row.numbers);
        let mut next = next;
        if let Some(n) = next.as_mut()
            && n.hint.is_none()
            && !citation_tokens.is_empty()
        {
            let peeked = self.m.peek(&n.text, None).ok();
            split_merged_number(&mut citation_tokens, n, peeked.map(|p| &self.m.form().questions()[p.index].id));
        }
        match found {
            Ok(m) => self.record(&row, m.index, &citation_tokens),
            // The same question row again (a correction page, a second
            // revision): one more reading of it, settled with the first.
            Err(Miss::Repeat(i)) if row.has_tail() && self.m.similarity(i, &row.text) >= 0.9 => {
                self.m.claim(i);
                self.read_answer(&row, i);
            }
            Err(miss) => {
                let why = match miss {
                    Miss::Repeat(i) => format!(" (repeats question {})", self.m.form().questions()[i].id),
                    Miss::NoMatch => String::new(),
                };
                self.report.unread.push(Unread {
                    place: format!("line {}", row.line),
                    excerpt: excerpt(&row.raw, 40) + why.as_str(),
                });
            }
        }
        if let Some(n) = next {
            self.resolve(*n);
        }
    }

    fn record(&mut self, row: &Row, index: usize, citation_tokens: &[String]) {
        let q = &self.m.form().questions()[index];
        let mut entry = DocAnswer::new(q.id.clone());
        let joined = citation_tokens.join(" ");
        match parse_citations(&joined) {
            Some(nums) => entry.remarks = nums,
            None => {
                self.report.warnings.push(format!(
                    "line {}: 備考 of {} is not a remark number: 「{}」 (kept as a note)",
                    row.line,
                    q.id,
                    excerpt(&joined, 30)
                ));
                entry.note = Some(joined);
            }
        }
        if let Some(n) = &row.note {
            entry.note = Some(match entry.note.take() {
                Some(prev) => format!("{prev} {n}"),
                None => n.clone(),
            });
        }
        self.entries[index] = Some(entry);
        self.read_answer(row, index);
    }

    /// Read the answer `row` gives the question at `index`: from the marks
    /// the PDF importer observed for its line, or from the marks in the
    /// text; one more reading of the question.
    fn read_answer(&mut self, row: &Row, index: usize) {
        let kind = self.m.form().questions()[index].kind;
        let decision = match &self.marks {
            Marks::Observed(observed) => match observed.get(row.tail_line).and_then(Option::as_ref) {
                Some(o) => decide(
                    kind,
                    &Seen {
                        printed: (!o.only_word).then_some(o.printed.as_slice()),
                        marked: &o.marked,
                        doubt: o.doubt.clone(),
                    },
                ),
                None => Decision::Blank,
            },
            Marks::InText => {
                let printed: Vec<Answer> = row.choices.iter().map(|(a, _)| *a).collect();
                let marked: Vec<Answer> =
                    row.choices.iter().filter(|(_, m)| *m == Some(true)).map(|(a, _)| *a).collect();
                if !printed.is_empty() {
                    self.rows_with_words += 1;
                    if row.choices.iter().all(|(_, m)| m.is_none()) {
                        let reading = self.readings.of(index).len();
                        self.printed.push((index, reading, printed.len(), printed[0]));
                    }
                }
                decide(kind, &Seen { printed: Some(&printed), marked: &marked, doubt: None })
            }
        };
        self.readings.push(index, LineNo(row.tail_line), decision);
    }

    /// A line of the 備考記載欄: numbers read from `line` (NFKC), text kept
    /// from `raw`, the same line as the vendor wrote it.
    fn remark_line(&mut self, no: usize, line: &str, raw: &str) {
        match self.remark_start(line, raw) {
            Some(Some((n, text))) => self.remarks.push((no, n, text)),
            Some(None) => match self.remarks.last_mut() {
                // continued over a line or page break
                Some((_, _, text)) => {
                    text.push('\n');
                    text.push_str(&remark_cells(line, raw).join(" "));
                }
                None => self.report.unread.push(Unread { place: format!("line {no}"), excerpt: excerpt(line, 40) }),
            },
            None => {}
        }
    }

    /// Whether a line of the 備考記載欄 starts a remark: `Some(Some((number,
    /// text)))`; `Some(None)` for a line that goes on with the last one;
    /// `None` for a blank line.
    fn remark_start(&self, line: &str, raw: &str) -> Option<Option<(u32, String)>> {
        let cells: Vec<&str> = line.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
        let text_cells = remark_cells(line, raw);
        let first = cells.first()?;
        let block = &self.remarks[self.block_start.min(self.remarks.len())..];
        let last = block.last().map_or(0, |r| r.1);
        let tabbed = cells.len() > 1 || line.trim_end().ends_with('\t') || !first.contains(char::is_whitespace);
        // `N<TAB>text` starts remark N; `N text` too when N is the next number.
        Some(
            if let Ok(n) = first.parse::<u32>()
                && n > 0
                && tabbed
                && (n > last || block.is_empty())
            {
                Some((n, text_cells[1..].join(" ")))
            } else if let Some((num, _)) = first.split_once(char::is_whitespace)
                && let Ok(n) = num.parse::<u32>()
                && n == last + 1
            {
                let raw_first = text_cells[0];
                let rest = raw_first.split_once(char::is_whitespace).map_or(raw_first, |(_, r)| r.trim_start());
                Some((n, std::iter::once(rest).chain(text_cells[1..].iter().copied()).collect::<Vec<_>>().join(" ")))
            } else {
                None
            },
        )
    }

    /// In a layout where rows print only the chosen word (a drop-down cell
    /// prints its value, nothing when blank), read that word as the answer.
    /// Where rows print every word with the marks lost, a row with one word
    /// is no answer: the layout is the one when at least 80% of the rows
    /// with words print exactly one, unmarked. A word the question's kind
    /// cannot answer, or more than one word, leaves the row unanswered.
    fn read_only_words(&mut self) {
        if !matches!(self.marks, Marks::InText) {
            return;
        }
        let single = self.printed.iter().filter(|(_, _, n, _)| *n == 1).count();
        if self.rows_with_words < 3 || single * 10 < self.rows_with_words * 8 {
            return;
        }
        let form = self.m.form();
        for &(i, reading, n, a) in &self.printed {
            let kind = form.questions()[i].kind;
            let decision = if n == 1 {
                decide(kind, &Seen { printed: None, marked: &[a], doubt: None })
            } else {
                Decision::Ambiguous(format!("{n} choice words printed where this sheet prints only the chosen one"))
            };
            self.readings.redecide(i, reading, decision);
        }
    }

    fn finish(mut self, path: &str) -> Result<(Imported, Vec<Vec<usize>>), ImportError> {
        let recognised = self.entries.iter().filter(|e| e.is_some()).count();
        if recognised == 0 {
            return Err(ImportError::Unrecognised {
                path: path.to_string(),
                message: format!("no line matches a question of form {}", self.m.form().id),
                help: Some(
                    "expected the text of a disclosure sheet (e.g. `pdftotext -layout sheet.pdf`): one question \
                     a line, such as 「17.1.1 パスワードを利用者認証手段として利用しているか？ はい いいえ 対象外 \
                     備考 9」; for another form or version, pass its catalog with --form-file"
                        .into(),
                ),
            });
        }
        for (no, n, raw) in std::mem::take(&mut self.remarks) {
            if self.doc.remarks.contains_key(&n) {
                self.report.warnings.push(format!("line {no}: remark {n} appears twice; the first is kept"));
                continue;
            }
            self.doc.remarks.insert(n, plain_text(&raw));
        }
        let form = self.m.form();
        let mut lines = vec![Vec::new(); form.len()];
        for (i, entry) in self.entries.iter_mut().enumerate() {
            let Some(entry) = entry else { continue };
            match self.readings.settle(i) {
                Settled::Answer(a, at) => {
                    entry.answer = Some(AnswerValue::Known(a));
                    lines[i] = at.iter().map(|l| l.0).collect();
                }
                Settled::Ambiguous(at, why) => {
                    self.report.ambiguous.push(Ambiguous { id: entry.id.clone(), place: at.to_string(), why })
                }
                Settled::Blank | Settled::Unread => {}
            }
        }
        self.report.recognised = recognised;
        self.report.answered = self.entries.iter().flatten().filter(|e| e.answer.is_some()).count();
        self.report.remarks = self.doc.remarks.len();
        self.report.missing = self.m.unclaimed();
        self.doc.answers = self.entries.into_iter().flatten().filter(|e| !e.is_empty()).collect();
        let imported = Imported { doc: self.doc.normalized(), report: self.report, sources: Default::default() };
        Ok((imported, lines))
    }
}

/// The cells of a remark line as the vendor wrote them (`raw`), or as
/// normalised where the two split differently.
fn remark_cells<'l>(line: &'l str, raw: &'l str) -> Vec<&'l str> {
    let cells: Vec<&str> = line.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    let raw_cells: Vec<&str> = raw.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    if raw_cells.len() == cells.len() { raw_cells } else { cells }
}

/// A header line: `作成日<TAB>2026年1月13日`, `作成日：2026年1月13日` or
/// `作成日 2026年1月13日`.
fn header(cells: &[&str]) -> Option<(super::HeaderField, String)> {
    if let Some(f) = header_label(cells[0]) {
        return Some((f, cells[1..].join(" ")));
    }
    let (label, value) = cells[0].split_once([':', '：', ' '])?;
    let f = header_label(label)?;
    Some((f, std::iter::once(value).chain(cells[1..].iter().copied()).collect::<Vec<_>>().join(" ")))
}

/// What a token after the question text is.
enum Tok {
    Choice(Answer, Option<bool>),
    Mark(bool),
    Bikou,
    Other,
}

fn classify(t: &str) -> Tok {
    if matches!(t, "備考" | "備考欄") {
        return Tok::Bikou;
    }
    let mut marks = None;
    let core = t.trim_matches(|c: char| match mark(c) {
        Some(m) => {
            marks = Some(marks.unwrap_or(false) || m);
            true
        }
        None => false,
    });
    if core.is_empty() {
        return marks.map_or(Tok::Other, Tok::Mark);
    }
    match Answer::ALL.into_iter().find(|a| a.as_str() == core) {
        Some(a) => Tok::Choice(a, marks),
        None => Tok::Other,
    }
}

fn is_number_token(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '、' | '-'))
}

/// Split one normalised line into its question row(s).
///
/// Rows merged onto one line (lost line breaks) are parsed one after the
/// other, each from where the previous one ended. Parsing the rest of the
/// line anew for every row, from a re-joined copy, made memory and time
/// quadratic in the line's length (a 2 MB line needed more than 8 GB).
pub(crate) fn parse_row(line_no: usize, line: &str) -> Row {
    let mut rows = Vec::new();
    let mut at = Some(line);
    while let Some(rest) = at {
        let (mut row, next) = parse_one(line_no, rest);
        let shift = rest.as_ptr() as usize - line.as_ptr() as usize;
        row.text_span = (row.text_span.0 + shift, row.text_span.1 + shift);
        // The row's own text plus what follows, as far as an excerpt needs.
        row.raw = match rows.is_empty() {
            true => rest.trim().to_string(),
            false => prefix(rest.trim(), RAW_KEEP).to_string(),
        };
        rows.push(row);
        at = next;
    }
    let mut rows = rows.into_iter().rev();
    let mut row = rows.next().unwrap_or_default();
    for mut prev in rows {
        prev.next = Some(Box::new(row));
        row = prev;
    }
    row
}

/// Bytes of a merged row's text kept for messages (excerpts show 40 characters).
const RAW_KEEP: usize = 4096;

/// The longest prefix of `s` of at most `n` bytes, on a char boundary.
fn prefix(s: &str, n: usize) -> &str {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// One row from the start of `line`, and where the next row on the same
/// line starts, if one does. Tokens are read lazily: a row looks at its own
/// tokens and, after its 備考, only as far ahead as the next choice word.
fn parse_one(line_no: usize, line: &str) -> (Row, Option<&str>) {
    let mut row = Row { line: line_no, tail_line: line_no, ..Row::default() };
    let (hint, bullet, rest) = row_start(line);
    row.hint = hint;
    row.bullet = bullet;
    let mut tokens = rest.split_whitespace();
    let mut text: Vec<&str> = Vec::new();
    let mut head: Vec<&str> = Vec::new();
    for t in tokens.by_ref() {
        if matches!(classify(t), Tok::Other | Tok::Mark(_)) {
            text.push(t);
        } else {
            // A mark printed just before the first choice belongs to the tail.
            if text.last().is_some_and(|l| matches!(classify(l), Tok::Mark(_))) {
                head.extend(text.pop());
            }
            head.push(t);
            break;
        }
    }
    row.text = text.join(" ");
    let at = |t: &str| t.as_ptr() as usize - line.as_ptr() as usize;
    row.text_span = match (text.first(), text.last()) {
        (Some(a), Some(b)) => (at(a), at(b) + b.len()),
        _ => (at(rest), at(rest)),
    };
    let mut tail = head.into_iter().chain(tokens);
    let mut pending_mark: Option<bool> = None;
    let mut prev_choice = false;
    // Words after the last choice word, when no 備考 label is printed.
    let mut after: Vec<&str> = Vec::new();
    while let Some(t) = tail.next() {
        match classify(t) {
            Tok::Choice(a, m) => {
                let m = match (m, pending_mark.take()) {
                    (Some(x), Some(y)) => Some(x || y),
                    (x, y) => x.or(y),
                };
                row.choices.push((a, m));
                prev_choice = true;
                after.clear();
            }
            Tok::Mark(m) => {
                // beside the previous word when it has none, else before the next
                match row.choices.last_mut() {
                    Some(last) if prev_choice && last.1.is_none() => last.1 = Some(m),
                    _ => pending_mark = Some(m),
                }
                prev_choice = false;
            }
            Tok::Bikou => {
                row.bikou = true;
                let mut after = None;
                for t in tail.by_ref() {
                    if is_number_token(t) {
                        row.numbers.push(t.to_string());
                    } else {
                        after = Some(t);
                        break;
                    }
                }
                let Some(first) = after else { break };
                // The rest of the line from `first` on (tokens borrow from `line`).
                let rest = &line[first.as_ptr() as usize - line.as_ptr() as usize..];
                let next_has_tail = if row.numbers.is_empty() {
                    // Free text in the 備考 cell, up to the next choice word:
                    // when one follows, the text is the next question.
                    rest.split_whitespace().any(|t| matches!(classify(t), Tok::Choice(..)))
                } else {
                    // Numbers, then a row with choices or a 備考 of its own.
                    row_start(rest).2.split_whitespace().any(|t| !matches!(classify(t), Tok::Other | Tok::Mark(_)))
                };
                if next_has_tail {
                    return (row, Some(rest));
                }
                // Numbers (or nothing) then words without choices: a note.
                row.note = Some(rest.split_whitespace().collect::<Vec<_>>().join(" "));
                break;
            }
            Tok::Other => {
                prev_choice = false;
                after.push(t);
            }
        }
    }
    if !row.bikou {
        // The remark column without its 備考 label: numbers after the
        // choices, or after a wide gap on a row without choices.
        if !row.choices.is_empty() {
            if !after.is_empty() && after.iter().all(|t| is_citation_token(t)) {
                row.numbers = after.iter().map(|t| t.to_string()).collect();
            }
        } else if let Some((before, cell)) = remark_cell(rest) {
            row.text = before.split_whitespace().collect::<Vec<_>>().join(" ");
            row.numbers = cell.split_whitespace().map(String::from).collect();
        }
    }
    (row, None)
}

/// A token of a remark cell: numbers, separators, or `-` for none.
fn is_citation_token(t: &str) -> bool {
    is_number_token(t) && t.chars().any(|c| c.is_ascii_digit() || c == '-')
}

/// On a row without choices, a last cell of remark numbers set off by a
/// tab or a gap of two spaces or more (`pdftotext -layout` keeps columns
/// apart so): the text before it and the cell.
fn remark_cell(rest: &str) -> Option<(&str, &str)> {
    let t = rest.trim_end();
    let gap = t.rfind("  ").max(t.rfind('\t'))?;
    let (before, cell) = (t[..gap].trim(), t[gap..].trim());
    (!before.is_empty() && !cell.is_empty() && cell.split_whitespace().all(is_citation_token)).then_some((before, cell))
}

/// A row's printed number (the hint), whether a bullet follows it, and the
/// text after both.
fn row_start(line: &str) -> (Option<String>, bool, &str) {
    let mut rest = line.trim_start();
    let mut hint = None;
    if let Some(m) = NUMBER.find(rest) {
        hint = Some(m.as_str().split_whitespace().collect());
        rest = &rest[m.end()..];
    }
    let rest = rest.trim_start();
    let text = rest.trim_start_matches(['・', '•', '●', '◆']);
    (hint, text.len() < rest.len(), text)
}

/// On a merged line `… 備考 9 1 7. 1. 1. 4 文字列…`, the number tokens after
/// 備考 hold this row's citations followed by the next question's printed
/// number. With the next question known by its text, cut where the remaining
/// tokens spell its id's digits; otherwise take the first token as the
/// citation and the rest as the number.
pub(crate) fn split_merged_number(tokens: &mut Vec<String>, next: &mut Row, next_id: Option<&String>) {
    // The smallest cut whose tokens spell the id's digits, found from the
    // end: only the last few tokens can (an id has a handful of digits), so
    // a 備考 cell of thousands of numbers stays linear.
    let cut = next_id
        .map(|id| digits(id))
        .filter(|d| !d.is_empty())
        .and_then(|d| {
            let mut suffix = String::new();
            let mut cut = None;
            for k in (0..tokens.len()).rev() {
                suffix.insert_str(0, &digits(&tokens[k]));
                if suffix.len() > d.len() {
                    break;
                }
                if suffix == d {
                    cut = Some(k);
                }
            }
            cut
        })
        .unwrap_or(1);
    let number: String = tokens.drain(cut.min(tokens.len())..).collect();
    if !number.is_empty() {
        next.hint = Some(number);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;

    fn form() -> std::sync::Arc<Form> {
        FormRegistry::builtin().get("sds-6.0").unwrap()
    }

    #[test]
    fn row_parsing() {
        let r = parse_row(1, "1 7. 1. 1 パスワードを利用者認証手段として利用しているか? はい いいえ 対象外 備考 9");
        assert_eq!(r.hint.as_deref(), Some("17.1.1"));
        assert_eq!(r.text, "パスワードを利用者認証手段として利用しているか?");
        assert_eq!(r.choices.len(), 3);
        assert!(r.bikou);
        assert_eq!(r.numbers, ["9"]);

        let r = parse_row(1, "・記憶 (ID・パスワード等) ■はい □いいえ □対象外 備考 8, 9");
        assert_eq!(r.hint, None);
        assert_eq!(r.text, "記憶 (ID・パスワード等)");
        assert_eq!(r.choices, [(Answer::Yes, Some(true)), (Answer::No, Some(false)), (Answer::Na, Some(false))]);
        assert_eq!(r.numbers, ["8,", "9"]);

        let r = parse_row(1, "10.0 き損 はい ○ いいえ 対象外 備考 -");
        assert_eq!(r.hint.as_deref(), Some("10.0"));
        assert_eq!(r.choices[0], (Answer::Yes, Some(true)));
        assert_eq!(r.choices[1], (Answer::No, None));

        let r = parse_row(1, "2.3 IoT機器を使用するか? 該当 ● 非該当 備考 -");
        assert_eq!(r.choices, [(Answer::Applicable, Some(true)), (Answer::NotApplicable, None)]);

        let r = parse_row(1, "5 9 通信方式として専用線に対応しているか? 該当 非該当 ○ 備考 -");
        assert_eq!(r.choices[1], (Answer::NotApplicable, Some(true)));

        let r = parse_row(
            1,
            "17.1.1パスワードを利用 はい いいえ 対象外 備考 9 1 7. 1. 1. 4 文字列制限 はい いいえ 対象外 備考 -",
        );
        assert_eq!(r.hint.as_deref(), Some("17.1.1"));
        assert_eq!(r.numbers, ["9", "1", "7.", "1.", "1.", "4"]);
        let next = r.next.unwrap();
        assert_eq!(next.text, "文字列制限");
        assert_eq!(next.numbers, ["-"]);
    }

    /// `pdftotext -layout`-like rows: id, first line of text, the answer
    /// area `words`, the remark number; the rest of the text below.
    fn layout(rows: &[(&str, &str)]) -> String {
        let f = form();
        let mut out = String::from("作成日  2026年3月1日\n");
        for (id, words) in rows {
            let text: Vec<char> = f.question(id).unwrap().text.chars().collect();
            let (first, rest) = text.split_at(text.len().min(18));
            let first: String = first.iter().collect();
            out.push_str(&format!("  {id:<10}{first}      {words}   7\n"));
            for chunk in rest.chunks(18) {
                out.push_str(&format!("            {}\n", chunk.iter().collect::<String>()));
            }
        }
        out
    }

    fn answers(imp: &Imported) -> Vec<(String, Option<&'static str>)> {
        imp.doc.answers.iter().map(|a| (a.id.clone(), a.known().map(Answer::as_str))).collect()
    }

    #[test]
    fn wrapped_text_after_the_choices_is_joined() {
        let text =
            layout(&[("17.1.d", "はい  いいえ  対象外"), ("17.1.e", "はい  いいえ  対象外"), ("1", "該当  非該当")]);
        let imp = import_str(&text, &form(), "x.txt").unwrap();
        assert_eq!(imp.report.recognised, 3, "{}", imp.report);
        assert!(imp.report.unread.is_empty(), "{}", imp.report);
        assert_eq!(imp.report.answered, 0, "every word printed: no answer");
        assert!(imp.doc.answers.iter().all(|a| a.remarks == [7]), "{:?}", imp.doc.answers);
    }

    #[test]
    fn only_the_chosen_word_is_the_answer_where_rows_print_one() {
        let rows = [("2", "はい"), ("3", "いいえ"), ("4", "対象外"), ("1", "非該当"), ("5", ""), ("6", "はい")];
        let imp = import_str(&layout(&rows), &form(), "x.txt").unwrap();
        assert_eq!(imp.report.recognised, 6, "{}", imp.report);
        let want: Vec<(String, Option<&str>)> = ["1", "2", "3", "4", "5", "6"]
            .iter()
            .zip([Some("非該当"), Some("はい"), Some("いいえ"), Some("対象外"), None, Some("はい")])
            .map(|(id, a)| (id.to_string(), a))
            .collect();
        let mut got = answers(&imp);
        got.sort();
        assert_eq!(got, want);
        assert!(imp.report.warnings.is_empty(), "{}", imp.report);

        // The PDF importer reads its rows itself: no words read for it.
        let (imp, _) = import_str_traced(&layout(&rows), &form(), "x.pdf", Marks::Observed(&[])).unwrap();
        assert_eq!(imp.report.answered, 0);
    }

    #[test]
    fn a_doubtful_word_is_left_blank() {
        // a word of the other kind, two words on a row: blank, listed with its line
        let rows = [
            ("2", "はい"),
            ("3", "該当"),
            ("4", "はい  いいえ"),
            ("5", "いいえ"),
            ("6", "はい"),
            ("7", "対象外"),
            ("8", "はい"),
        ];
        let imp = import_str(&layout(&rows), &form(), "x.txt").unwrap();
        assert_eq!(imp.report.recognised, 7, "{}", imp.report);
        assert_eq!(imp.report.answered, 5, "{}", imp.report);
        assert!(imp.doc.answer("3").unwrap().answer.is_none());
        assert!(imp.doc.answer("4").unwrap().answer.is_none());
        let listed: Vec<(&str, &str, &str)> =
            imp.report.ambiguous.iter().map(|a| (a.id.as_str(), a.place.as_str(), a.why.as_str())).collect();
        assert_eq!(listed.len(), 2, "{}", imp.report);
        assert_eq!(listed[0].0, "3", "{}", imp.report);
        let line_of_3 = layout(&rows).lines().position(|l| l.trim_start().starts_with("3 ")).unwrap() + 1;
        assert_eq!(listed[0].1, format!("line {line_of_3}"));
        assert!(listed[0].2.contains("「該当」, which is not a word of a はい/いいえ/対象外 question"), "{listed:?}");
        assert_eq!(
            (listed[1].0, listed[1].2),
            ("4", "2 choice words printed where this sheet prints only the chosen one")
        );

        // where most rows print every word (marks lost), a lone word is no answer
        let rows = [
            ("2", "はい  いいえ  対象外"),
            ("3", "はい"),
            ("4", "はい  いいえ  対象外"),
            ("5", "はい  いいえ  対象外"),
        ];
        let imp = import_str(&layout(&rows), &form(), "x.txt").unwrap();
        assert_eq!((imp.report.recognised, imp.report.answered), (4, 0), "{}", imp.report);
        // a marked word is read as marked, not as the only word
        let rows = [("2", "■はい  □いいえ  □対象外"), ("3", "はい"), ("4", "いいえ")];
        let imp = import_str(&layout(&rows), &form(), "x.txt").unwrap();
        assert_eq!(imp.doc.answer("2").unwrap().known(), Some(Answer::Yes));
        assert_eq!(imp.report.answered, 1, "two of three rows print one word: not the layout");
    }

    #[test]
    fn the_word_may_sit_on_the_second_line() {
        // a two-line cell with its value centred: the word beside the rest
        let f = form();
        let q = &f.question("17.1.d").unwrap().text;
        let cut = q.char_indices().nth(20).unwrap().0;
        let rows = format!(
            "  17.1.d    {}\n            {}      いいえ   8\n{}",
            &q[..cut],
            &q[cut..],
            layout(&[("2", "はい"), ("3", "いいえ"), ("4", "対象外")])
        );
        let imp = import_str(&rows, &f, "x.txt").unwrap();
        assert_eq!(imp.report.recognised, 4, "{}", imp.report);
        let d = imp.doc.answer("17.1.d").unwrap();
        assert_eq!((d.known(), d.remarks.as_slice()), (Some(Answer::No), &[8][..]));
    }

    #[test]
    fn merged_number_split_by_next_id() {
        let mut toks: Vec<String> = ["9", "1", "7.", "1.", "1.", "4"].map(String::from).to_vec();
        let mut next = Row::default();
        split_merged_number(&mut toks, &mut next, Some(&"17.1.1.4".to_string()));
        assert_eq!(toks, ["9"]);
        assert_eq!(next.hint.as_deref(), Some("17.1.1.4"));
        let mut toks: Vec<String> = ["8,", "9", "2.0"].map(String::from).to_vec();
        split_merged_number(&mut toks, &mut next, Some(&"20".to_string()));
        assert_eq!(toks, ["8,", "9"]);
    }

    #[test]
    fn nothing_recognised_is_an_error() {
        let e = import_str("こんにちは\n世界\n", &form(), "x.txt").unwrap_err();
        assert!(e.to_string().contains("no line matches a question"), "{e}");
        let e = import_bytes(b"\x00\x01PK\x03", &form(), "x.bin").unwrap_err();
        assert!(e.to_string().contains("binary"), "{e}");
        let e = import_bytes(b"\x82\xa0\x82\xa2", &form(), "sjis.txt").unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let f = form();
        let pieces = [
            "1 7. 1. 1",
            "備考",
            "備考記載欄",
            "はい",
            "■",
            "□いいえ",
            "○",
            "\t",
            "\n",
            " ",
            "-",
            "8,9",
            "<p>",
            "作成日",
            "令和",
            "2026年13月1日",
            "・",
            "10.0",
            "&#x0;",
            "&amp;",
            "パスワードの有効期限が管理できるか？",
            "１７．１",
            "\u{FEFF}",
            "\r\n",
            "9 1 7.",
            "対象外 備考 -",
            "<a href='x'>",
            "</ul>",
            "<ul>",
            "é",
            "\u{301C}",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..150 {
            let n = (next() % 40) as usize;
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let _ = import_str(&s, &f, "fuzz.txt");
            let bytes: Vec<u8> = (0..(next() % 200)).map(|_| next() as u8).collect();
            let _ = import_bytes(&bytes, &f, "fuzz.bin");
        }
    }
}

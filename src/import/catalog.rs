//! A form catalog from a form's own text (`kaiji form new`): a blank or
//! filled disclosure sheet, as text extracted from its PDF or as the PDF.
//!
//! The lines are read as the text importer reads them ([`crate::import::text`]:
//! page headers, the 備考記載欄, notes, merged rows, the printed numbers'
//! stray spaces), but nothing is matched against a catalog; instead
//!
//! - a question is a numbered row (or a ・ bullet) with its printed choices;
//!   はい/いいえ/対象外 make it `yes_no`, 該当/非該当 `applicability`;
//! - ids come from the printed numbers, repaired by the numbering's order:
//!   among the ids that may follow the previous one (its first child, the
//!   next sibling at each level, allowing a few skipped numbers) the one whose
//!   digits the printed number spells — so `1.7.3` after 17.2 is 17.3 and
//!   `10.0` after 99.1 is 100;
//! - bullets under a numbered question are its items `.a`, `.b` …;
//! - a line of text alone is a heading; the last one before a question is
//!   the section of the questions that follow;
//! - the sheet's title line gives the form's title and guideline.
//!
//! Answers and remarks of a filled form are ignored: a catalog holds the
//! form's questions, never what a vendor wrote.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::form::{Form, FormError, Kind, RawCatalog, RawForm, RawQuestion, RawSection};
use crate::import::text::{self as tx, LineKind, Row};
use crate::import::{ImportError, excerpt};
use crate::sheet::Answer;

/// What the text cannot say about the form, given by the caller.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The catalog's id (`mds-6.0`), which sheets name in `form = "…"`.
    pub id: String,
    /// Override the title read from the text.
    pub title: Option<String>,
    /// Override the guideline read from the title line.
    pub guideline: Option<String>,
    /// The standard that publishes the form (`JAHIS標準24-005`), when not printed.
    pub standard: Option<String>,
    /// The form's own version (`Ver.5.0`), when not printed.
    pub edition: Option<String>,
}

/// A catalog built from a form's text.
#[derive(Debug)]
pub struct Built {
    pub form: Form,
    /// The catalog as canonical TOML ([`crate::form::to_toml`]).
    pub toml: String,
    /// What was read with a guess or left out, `line N: …`.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BuildError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] ImportError),
    #[error("{path}: {message}")]
    #[diagnostic(
        code(kaiji::form::not_a_form),
        help(
            "expected the text of a disclosure sheet (blank or filled), one question a line: a printed number, \
             the question, then its choices, e.g. 「17.1.1 パスワードを利用者認証手段として利用しているか？ はい \
             いいえ 対象外 備考」; extract a PDF's text with `pdftotext -layout`, or give the PDF itself"
        )
    )]
    NotAForm { path: String, message: String },
    #[error("--id `{id}` is not a catalog id: {why}")]
    #[diagnostic(code(kaiji::form::bad_id), help("use letters, digits, `.`, `-` and `_`, e.g. --id mds-6.0"))]
    BadId { id: String, why: &'static str },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] FormError),
}

/// Numbers a form may skip between two questions and still be read in order.
const MAX_GAP: u32 = 9;
/// Levels of an id (`17.1.1.3` has four).
const MAX_DEPTH: usize = 8;
/// Non-blank lines read without a question before giving up (as the importer).
const GIVE_UP_AFTER: usize = 300;
/// Warnings kept; the rest are counted.
const MAX_WARNINGS: usize = 200;

static STANDARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"JAHIS\s*標準\s*([0-9]{2})\s*-\s*([0-9]{3})").expect("valid regex"));
static EDITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bVer\s*\.?\s*([0-9]+(?:\.[0-9]+)*)").expect("valid regex"));

/// Build a catalog from a form's text bytes (UTF-8).
pub fn from_text_bytes(bytes: &[u8], path: &str, opts: &Options) -> Result<Built, BuildError> {
    from_text(tx::decode(bytes, path)?, path, opts)
}

/// Build a catalog from a form's PDF (its text read by the PDF importer).
pub fn from_pdf_bytes(bytes: &[u8], path: &str, opts: &Options) -> Result<Built, BuildError> {
    let text = crate::import::pdf::text_of(bytes, path, true)?;
    from_text(&text, path, opts)
}

/// Build a catalog from a form's text.
pub fn from_text(text: &str, path: &str, opts: &Options) -> Result<Built, BuildError> {
    check_id(&opts.id)?;
    let mut b = Builder::default();
    let mut content_lines = 0;
    tx::for_each_line(text, path, |no, raw| {
        b.line(no, raw);
        content_lines += usize::from(!raw.trim().is_empty());
        let give_up = content_lines >= GIVE_UP_AFTER && b.questions.is_empty();
        !(b.done || give_up)
    })?;
    b.flush_pending();
    if b.questions.is_empty() {
        return Err(BuildError::NotAForm {
            path: path.to_string(),
            message: "no questions found: no line has a printed number (or a ・ bullet) followed by a question \
                      and its choices (はい/いいえ/対象外 or 該当/非該当)"
                .into(),
        });
    }
    let (title, guideline) = b.title.as_deref().map(split_title).unwrap_or_default();
    let printed = |re: &Regex, f: fn(&regex::Captures<'_>) -> String| -> String {
        b.about.iter().find_map(|l| re.captures(l).map(|c| f(&c))).unwrap_or_default()
    };
    let standard = printed(&STANDARD, |c| format!("JAHIS標準{}-{}", &c[1], &c[2]));
    let edition = printed(&EDITION, |c| format!("Ver.{}", &c[1]));
    let pick = |given: &Option<String>, read: String| given.as_deref().map(clean).unwrap_or(read);
    // A question's parent defaults to its id minus the last part, and must
    // come before it. Numbers read out of order (`2.0` printed before `2`)
    // would break that, and the catalog would be refused when loaded: such
    // a question is written with no parent instead, and said so.
    let position: HashMap<&str, usize> = b.questions.iter().enumerate().map(|(i, q)| (q.id.as_str(), i)).collect();
    let orphans: Vec<(usize, String)> = b
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let (parent, _) = q.id.rsplit_once('.')?;
            position.get(parent).is_some_and(|&p| p > i).then(|| (i, parent.to_string()))
        })
        .collect();
    let mut parents: Vec<Option<String>> = vec![None; b.questions.len()];
    for (i, parent) in orphans {
        let id = b.questions[i].id.clone();
        b.warn(format!(
            "{id} comes before {parent}, the question its number makes its parent; written with no parent \
             (parent = \"\"): check the numbering"
        ));
        parents[i] = Some(String::new());
    }
    let mut sections: Vec<RawSection> = Vec::new();
    for (q, parent) in b.questions.into_iter().zip(parents) {
        if sections.last().is_none_or(|s| s.title != q.section) {
            sections.push(RawSection { title: q.section.clone(), question: Vec::new() });
        }
        let kind = (q.kind == Kind::Applicability).then_some(Kind::Applicability);
        let section = sections.last_mut().expect("pushed");
        section.question.push(RawQuestion { id: toml::Spanned::new(0..0, q.id), text: q.text, kind, parent });
    }
    let raw = RawCatalog {
        form: RawForm {
            id: opts.id.clone(),
            title: pick(&opts.title, title),
            guideline: pick(&opts.guideline, guideline),
            standard: pick(&opts.standard, standard),
            edition: pick(&opts.edition, edition),
        },
        section: sections,
    };
    let form = Form::from_raw(raw, path)?;
    let toml = crate::form::to_toml(&form);
    // What is written must load as it was built: checked here, before
    // anything is written, rather than left to the first --form-file.
    Form::from_toml(&toml, path)?;
    let mut warnings = b.warnings;
    if b.dropped_warnings > 0 {
        warnings.push(format!("… and {} more warnings", b.dropped_warnings));
    }
    Ok(Built { form, toml, warnings })
}

fn check_id(id: &str) -> Result<(), BuildError> {
    let bad = |why| Err(BuildError::BadId { id: crate::text::printable_line(id).into_owned(), why });
    if id.is_empty() {
        return bad("it is empty");
    }
    if id.len() > 64 {
        return bad("it is longer than 64 characters");
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return bad("it has characters other than letters, digits, `.`, `-` and `_`");
    }
    Ok(())
}

/// `サービス事業者による医療情報セキュリティ開示書 (医療情報システムの安全管理に関するガイドライン第6.0版対応)`
/// → the title, and the guideline in the brackets without its 対応.
fn split_title(line: &str) -> (String, String) {
    match line.find(['(', '（']) {
        Some(i) => {
            let inner = line[i..].trim_start_matches(['(', '（']);
            let inner = inner.trim_end().trim_end_matches([')', '）']).trim_end();
            let inner = inner.strip_suffix("対応").unwrap_or(inner).trim_end();
            (line[..i].trim().to_string(), inner.to_string())
        }
        None => (line.trim().to_string(), String::new()),
    }
}

/// `s` with control characters (and bidi controls) dropped and whitespace
/// runs made one space: catalog texts are shown on terminals and written to
/// TOML, where neither may act on them.
fn clean(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control() || crate::text::is_bidi_control(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_controls(s: &str) -> bool {
    s.chars().any(|c| (c.is_control() && c != '\t') || crate::text::is_bidi_control(c))
}

struct Question {
    id: String,
    text: String,
    section: String,
    kind: Kind,
}

/// A numbered row whose choices may be on the next line (a wrapped question).
struct Pending {
    row: Row,
    text: String,
}

#[derive(Default)]
struct Builder {
    questions: Vec<Question>,
    ids: HashSet<String>,
    /// The first title line, as printed.
    title: Option<String>,
    /// Lines that may say what the form is (title, notes, headings).
    about: Vec<String>,
    /// The heading that the next question's section is.
    heading: Option<String>,
    section: String,
    /// The components of the last numbered question's id.
    prev: Option<Vec<u32>>,
    /// The last numbered question's id, and how many bullets it has.
    parent: Option<(String, usize)>,
    pending: Option<Pending>,
    /// The line the last question was read from (a wrapped text continues it).
    last_line: usize,
    /// In the 備考記載欄: nothing after it is the form's.
    done: bool,
    warnings: Vec<String>,
    dropped_warnings: usize,
}

impl Builder {
    fn warn(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else {
            self.dropped_warnings += 1;
        }
    }

    fn line(&mut self, no: usize, raw: &str) {
        let line = tx::read_line(raw);
        match line.kind {
            LineKind::Skip | LineKind::Header(..) => {}
            LineKind::Title => {
                self.flush_pending();
                if self.title.is_none() {
                    self.title = Some(clean(raw));
                }
                self.about.push(line.norm);
            }
            LineKind::Remarks { .. } => {
                self.flush_pending();
                self.done = true;
            }
            LineKind::Note => {
                self.flush_pending();
                self.about.push(line.norm);
            }
            LineKind::Single | LineKind::Content => {
                if has_controls(raw) {
                    self.warn(format!("line {no}: control characters dropped from the text"));
                }
                let mut row = Some(tx::parse_row(no, &line.norm));
                while let Some(mut r) = row {
                    row = r.next.take().map(|n| *n);
                    if let Some(n) = row.as_mut() {
                        self.split_merged(&mut r, n);
                    }
                    let text = self.row_text(raw, &line.norm, &r);
                    self.row(no, r, text);
                }
            }
        }
    }

    /// The question text of `row` as printed (from `raw`), or its NFKC form
    /// where the two cannot be lined up.
    fn row_text(&self, raw: &str, norm: &str, row: &Row) -> String {
        clean(raw_span(raw, norm, row.text_span).unwrap_or(&row.text))
    }

    fn row(&mut self, no: usize, row: Row, text: String) {
        match (&row.hint, row.bullet, row.has_tail()) {
            (Some(_), _, _) => {
                self.flush_pending();
                if row.has_tail() {
                    self.numbered(row, text);
                } else {
                    self.pending = Some(Pending { row, text });
                }
            }
            (None, true, _) => {
                self.flush_pending();
                self.bullet(row, text);
            }
            (None, false, true) => match self.pending.take() {
                // a wrapped question: its text, then the rest with the choices
                Some(p) => {
                    let mut row = row;
                    row.hint = p.row.hint;
                    row.line = p.row.line;
                    self.numbered(row, join(&p.text, &text));
                }
                None => {
                    self.warn(format!(
                        "line {no}: a row with choices but no number nor bullet, taken as an unnumbered item: 「{}」",
                        excerpt(&text, 30)
                    ));
                    self.bullet(row, text);
                }
            },
            (None, false, false) => {
                if text.is_empty() {
                    return;
                }
                let continues = text.ends_with(['?', '？']);
                if continues && let Some(p) = self.pending.as_mut() {
                    p.text = join(&p.text, &text);
                } else if continues && self.last_line + 1 == no && !self.questions.is_empty() {
                    let q = self.questions.last_mut().expect("not empty");
                    q.text = join(&q.text, &text);
                } else {
                    self.flush_pending();
                    self.about.push(crate::text::normalize(&text));
                    self.heading = Some(text);
                }
            }
        }
    }

    /// A numbered row without choices that nothing continued: not a question
    /// (a note that starts with a number, such as 「59～63 の質問は…」).
    fn flush_pending(&mut self) {
        if let Some(p) = self.pending.take() {
            self.warn(format!(
                "line {}: numbered text without choices, not taken as a question: 「{}」",
                p.row.line,
                excerpt(&p.text, 30)
            ));
        }
    }

    /// On a merged line, the number tokens after 備考 end with the next
    /// row's printed number: cut where they spell an id that may follow.
    fn split_merged(&self, row: &mut Row, next: &mut Row) {
        if next.hint.is_some() || row.numbers.is_empty() {
            return;
        }
        let after = row.hint.as_deref().and_then(|h| self.resolve(h).map(|(c, _)| c));
        let candidates = candidates(after.as_deref().or(self.prev.as_deref()));
        let tokens = &row.numbers;
        // whether the last tokens spell `d`: only as many as its length
        let spells = |d: &str| {
            let mut suffix = String::new();
            for t in tokens.iter().rev() {
                suffix.insert_str(0, &crate::import::digits(t));
                if suffix == d {
                    return true;
                }
                if suffix.len() >= d.len() {
                    return false;
                }
            }
            false
        };
        let found = candidates.iter().map(|(c, _)| id_of(c)).find(|id| spells(&crate::import::digits(id)));
        tx::split_merged_number(&mut row.numbers, next, found.as_ref());
    }

    /// The id a printed number stands for after the previous question, and
    /// whether it was read in order (`false`: taken as printed).
    fn resolve(&self, hint: &str) -> Option<(Vec<u32>, bool)> {
        let printed: Vec<&str> = hint.split('.').filter(|p| !p.is_empty()).collect();
        if printed.is_empty() || printed.len() > MAX_DEPTH {
            return None;
        }
        let literal: Option<Vec<u32>> = printed.iter().map(|p| p.parse().ok()).collect();
        let digits = crate::import::digits(hint);
        let best = candidates(self.prev.as_deref())
            .into_iter()
            .filter(|(c, _)| digits_of(c) == digits)
            .min_by_key(|(c, gap)| (*gap, Some(c) != literal.as_ref(), c.len()));
        match best {
            Some((c, _)) => Some((c, true)),
            None => literal.map(|l| (l, false)),
        }
    }

    fn numbered(&mut self, row: Row, text: String) {
        let hint = row.hint.clone().unwrap_or_default();
        if hint.chars().any(|c| c.is_ascii_alphabetic()) {
            // a printed item id such as 17.1.d
            let id = crate::text::normalize(&hint).to_lowercase();
            return self.push(row, id, text);
        }
        let Some((comps, in_order)) = self.resolve(&hint) else {
            return self.warn(format!(
                "line {}: printed number 「{}」 is not an id, row left out: 「{}」",
                row.line,
                excerpt(&hint, 20),
                excerpt(&text, 30)
            ));
        };
        let id = id_of(&comps);
        if !in_order {
            let after = self.prev.as_deref().map(id_of).unwrap_or_else(|| "the start".into());
            self.warn(format!("line {}: {id} does not follow {after} in order; taken as printed", row.line));
        }
        if self.ids.contains(&id) {
            return self.warn(format!("line {}: {id} appears twice; the second is left out", row.line));
        }
        self.prev = Some(comps);
        self.parent = Some((id.clone(), 0));
        self.push(row, id, text);
    }

    fn bullet(&mut self, row: Row, text: String) {
        let Some((parent, n)) = self.parent.as_mut() else {
            return self.warn(format!(
                "line {}: a bullet before any numbered question, left out: 「{}」",
                row.line,
                excerpt(&text, 30)
            ));
        };
        if *n >= 26 {
            let parent = parent.clone();
            return self.warn(format!("line {}: more than 26 items under {parent}; left out", row.line));
        }
        let id = format!("{parent}.{}", char::from(b'a' + *n as u8));
        *n += 1;
        self.push(row, id, text);
    }

    fn push(&mut self, row: Row, id: String, text: String) {
        if text.is_empty() {
            return self.warn(format!("line {}: {id} has no question text; left out", row.line));
        }
        if !self.ids.insert(id.clone()) {
            return self.warn(format!("line {}: {id} appears twice; the second is left out", row.line));
        }
        let kind = self.kind(&row, &id);
        if let Some(h) = self.heading.take() {
            self.section = h;
        }
        self.last_line = row.line;
        self.questions.push(Question { id, text, section: self.section.clone(), kind });
    }

    fn kind(&mut self, row: &Row, id: &str) -> Kind {
        let app = row.choices.iter().any(|(a, _)| matches!(a, Answer::Applicable | Answer::NotApplicable));
        let yes_no = row.choices.iter().any(|(a, _)| matches!(a, Answer::Yes | Answer::No | Answer::Na));
        match (app, yes_no) {
            (true, false) => Kind::Applicability,
            (false, true) => Kind::YesNo,
            (true, true) => {
                self.warn(format!(
                    "line {}: {id} prints both はい/いいえ/対象外 and 該当/非該当; taken as はい/いいえ/対象外",
                    row.line
                ));
                Kind::YesNo
            }
            (false, false) => {
                self.warn(format!("line {}: {id} prints no choices; taken as はい/いいえ/対象外", row.line));
                Kind::YesNo
            }
        }
    }
}

fn join(a: &str, b: &str) -> String {
    // wrapped Japanese text continues without a space; ASCII words keep one
    let ascii = a.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ascii { format!("{a} {b}") } else { format!("{a}{b}") }
}

fn id_of(c: &[u32]) -> String {
    c.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn digits_of(c: &[u32]) -> String {
    c.iter().map(u32::to_string).collect()
}

/// The ids that may follow `prev`, each with how many numbers it skips: its
/// first child, then the next number at each level (deepest first).
fn candidates(prev: Option<&[u32]>) -> Vec<(Vec<u32>, u32)> {
    let mut out = Vec::new();
    let Some(prev) = prev else {
        out.extend((1..=MAX_GAP + 1).map(|n| (vec![n], n - 1)));
        return out;
    };
    if prev.len() < MAX_DEPTH {
        let mut child = prev.to_vec();
        child.push(1);
        out.push((child, 0));
    }
    for k in (0..prev.len()).rev() {
        for gap in 0..=MAX_GAP {
            let Some(n) = prev[k].checked_add(gap + 1) else { break };
            let mut c = prev[..k].to_vec();
            c.push(n);
            out.push((c, gap));
        }
    }
    out
}

/// The part of `raw` whose NFKC form is `norm[span]`, where `norm` is the
/// NFKC of `raw` ([`crate::text::normalize`]) — so a question keeps the
/// characters it was printed with (全角？, （）). `None` when the two cannot
/// be lined up character by character (composed sequences).
fn raw_span<'r>(raw: &'r str, norm: &str, span: (usize, usize)) -> Option<&'r str> {
    // each raw character's NFKC, concatenated, with where it came from
    let mut concat = String::with_capacity(raw.len());
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(raw.len());
    for (i, c) in raw.char_indices() {
        starts.push((concat.len(), i));
        let mut buf = [0u8; 4];
        concat.push_str(&crate::text::normalize_untrimmed(c.encode_utf8(&mut buf)));
    }
    starts.push((concat.len(), raw.len()));
    let lead = concat.len() - concat.trim_start().len();
    if concat.trim() != norm {
        return None;
    }
    let find = |at: usize| starts.iter().find(|(n, _)| *n == at + lead).map(|(_, r)| *r);
    let (a, b) = (find(span.0)?, find(span.1)?);
    raw.get(a..b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(id: &str) -> Options {
        Options { id: id.into(), ..Options::default() }
    }

    /// An invented form, in the seed's layout (tabs), with its repairs:
    /// stray spaces and dots in the numbers, a bullet list, a wrapped
    /// question, a numbered note, page headers and a remarks section.
    const MINI: &str = "\
タヌキ事業者による医療情報セキュリティ開示書 (架空の手引き第2.0版対応)
作成日\t2030年4月1日
※本書式は説明のための架空のものです。
第一の章

1 鍵を掛けているか？\tはい\tいいえ\t対象外\t備考\t-
1. 1 鍵は二重か？\tはい\tいいえ\t対象外\t備考\t-
2 庭を持つか？\t該当\t非該当\t備考\t-
・芝生 (手入れ済み)\tはい\tいいえ\t対象外\t備考\t-
・砂利\tはい\tいいえ\t対象外\t備考\t3
2. 1 庭に柵を
設けているか？\tはい\tいいえ\t対象外\t備考\t-
タヌキ事業者による医療情報セキュリティ開示書 (架空の手引き第2.0版対応)
作成日\t2030年4月1日
第二の章
3～4 の質問は、見本です。
3 窓を閉めているか？\tはい\tいいえ\t対象外\t備考\t-
1 0 扉は閉じているか？\tはい\tいいえ\t対象外\t備考\t-
1.1 床は乾いているか？\tはい\tいいえ\t対象外\t備考\t-
備考記載欄
1\t業者の書いた文
";

    #[test]
    fn builds_an_invented_form() {
        let b = from_text(MINI, "mini.txt", &opts("tanuki-2.0")).unwrap();
        let f = &b.form;
        assert_eq!(f.id, "tanuki-2.0");
        assert_eq!(f.title, "タヌキ事業者による医療情報セキュリティ開示書");
        assert_eq!(f.guideline, "架空の手引き第2.0版");
        let ids: Vec<&str> = f.questions().iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["1", "1.1", "2", "2.a", "2.b", "2.1", "3", "10", "11"], "{:?}", b.warnings);
        let q = |id| f.question(id).unwrap();
        assert_eq!(q("1").text, "鍵を掛けているか？");
        assert_eq!(q("2").kind, Kind::Applicability);
        assert_eq!(q("2.a").text, "芝生 (手入れ済み)");
        assert_eq!(q("2.a").parent.as_deref(), Some("2"));
        assert_eq!(q("2.1").text, "庭に柵を設けているか？");
        assert_eq!(q("1").section, "第一の章");
        assert_eq!(q("3").section, "第二の章");
        // 10 skips numbers, in order; 11 is 「1.1」 with a stray dot
        assert_eq!(q("11").text, "床は乾いているか？");
        assert!(b.warnings.iter().any(|w| w.contains("numbered text without choices")), "{:?}", b.warnings);
        // nothing of the remarks section is in the catalog
        assert!(!b.toml.contains("業者の書いた文"));
        assert!(!b.toml.contains("2030"));
        let again = Form::from_toml(&b.toml, "again.toml").unwrap();
        assert_eq!(crate::form::to_toml(&again), b.toml);
    }

    #[test]
    fn ids_follow_the_numbering() {
        let mut b = Builder { prev: Some(vec![17, 2]), ..Builder::default() };
        assert_eq!(b.resolve("1.7.3"), Some((vec![17, 3], true)));
        assert_eq!(b.resolve("18"), Some((vec![18], true)));
        assert_eq!(b.resolve("1.8"), Some((vec![18], true)));
        assert_eq!(b.resolve("17.2.1"), Some((vec![17, 2, 1], true)));
        b.prev = Some(vec![99, 1]);
        assert_eq!(b.resolve("10.0"), Some((vec![100], true)));
        b.prev = Some(vec![1]);
        assert_eq!(b.resolve("1.1"), Some((vec![1, 1], true)));
        assert_eq!(b.resolve("2"), Some((vec![2], true)));
        // out of order: as printed
        assert_eq!(b.resolve("40.2"), Some((vec![40, 2], false)));
        assert_eq!(b.resolve("1.1.1.1.1.1.1.1.1.1"), None);
    }

    #[test]
    fn merged_rows_are_split() {
        let text =
            "1 甲か？ はい いいえ 対象外 備考 - 2 乙か？ 該当 非該当 備考 5 2. 1 丙か？ はい いいえ 対象外 備考 -\n";
        let b = from_text(text, "m.txt", &opts("m")).unwrap();
        let got: Vec<(&str, &str)> = b.form.questions().iter().map(|q| (q.id.as_str(), q.text.as_str())).collect();
        assert_eq!(got, [("1", "甲か？"), ("2", "乙か？"), ("2.1", "丙か？")], "{:?}", b.warnings);
        assert_eq!(b.form.question("2").unwrap().kind, Kind::Applicability);
    }

    #[test]
    fn metadata_from_options_and_print() {
        let text = "※JAHIS標準 31-007 Ver. 2.1 の書式\n1 甲か？\tはい\tいいえ\t対象外\n";
        let b = from_text(text, "m.txt", &opts("m")).unwrap();
        assert_eq!((b.form.standard.as_str(), b.form.edition.as_str()), ("JAHIS標準31-007", "Ver.2.1"));
        let o = Options {
            id: "m".into(),
            standard: Some("S".into()),
            edition: Some("E".into()),
            guideline: Some("G".into()),
            title: Some("T\u{1b}[2J".into()),
        };
        let b = from_text(text, "m.txt", &o).unwrap();
        assert_eq!((b.form.standard.as_str(), b.form.edition.as_str()), ("S", "E"));
        assert_eq!((b.form.title.as_str(), b.form.guideline.as_str()), ("T [2J", "G"));
    }

    #[test]
    fn not_a_form_and_hostile_input() {
        let e = from_text("こんにちは\n世界\n", "x.txt", &opts("x")).unwrap_err();
        assert!(e.to_string().contains("no questions found"), "{e}");
        let e = from_text_bytes(b"\x00\x01PK\x03", "x.bin", &opts("x")).unwrap_err();
        assert!(e.to_string().contains("binary"), "{e}");
        let huge = "1 甲か？ はい ".repeat(10_000);
        let e = from_text(&huge, "h.txt", &opts("x")).unwrap_err();
        assert!(e.to_string().contains("bytes long"), "{e}");
        let e = from_text("1 甲か？ はい\n", "x.txt", &opts("bad id")).unwrap_err();
        assert!(matches!(e, BuildError::BadId { .. }), "{e}");
        // control characters never reach the catalog
        let text = "章\u{1b}[31m\u{7}\n1 甲\u{1b}[2Jか\u{202e}？\tはい\tいいえ\t対象外\n";
        let b = from_text(text, "c.txt", &opts("c")).unwrap();
        assert!(!b.toml.chars().any(|c| (c.is_control() && c != '\n') || crate::text::is_bidi_control(c)));
        assert_eq!(b.form.questions()[0].text, "甲 [2Jか ？");
        assert!(b.warnings.iter().any(|w| w.contains("control characters")));
        // many rows on one line stay linear and bounded
        let many = "1 甲か？ はい いいえ 対象外 備考 - ".repeat(1_000);
        let b = from_text(&many, "many.txt", &opts("x")).unwrap();
        assert_eq!(b.form.len(), 1);
        assert!(b.warnings.len() <= MAX_WARNINGS + 1);
    }

    #[test]
    fn raw_text_keeps_full_width_characters() {
        let raw = "１ 利用者の認証方式は？（全角）\tはい";
        let norm = crate::text::normalize(raw);
        let row = tx::parse_row(1, &norm);
        assert_eq!(raw_span(raw, &norm, row.text_span), Some("利用者の認証方式は？（全角）"));
    }

    /// Numbers read out of order that would make a question's parent come
    /// after it: the catalog is still one that loads, with that question
    /// written without a parent, and a warning says so.
    #[test]
    fn out_of_order_numbers_still_make_a_catalog_that_loads() {
        let text = "1 甲か？\tはい\tいいえ\t対象外\n5 乙か？\tはい\tいいえ\t対象外\n2.0 丙か？\tはい\tいいえ\t対象外\n\
                    2 丁か？\tはい\tいいえ\t対象外\n2.1 戊か？\tはい\tいいえ\t対象外\n";
        let b = from_text(text, "chaos.txt", &opts("chaos")).unwrap();
        let ids: Vec<&str> = b.form.questions().iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["1", "5", "2.0", "2", "2.1"], "{:?}", b.warnings);
        assert_eq!(b.form.question("2.0").unwrap().parent, None);
        assert_eq!(b.form.question("2.1").unwrap().parent.as_deref(), Some("2"));
        assert!(b.warnings.iter().any(|w| w.starts_with("2.0 comes before 2")), "{:?}", b.warnings);
        let reloaded = Form::from_toml(&b.toml, "chaos.toml").unwrap();
        assert_eq!(reloaded.question("2.0").unwrap().parent, None);
        assert_eq!(crate::form::to_toml(&reloaded), b.toml);
    }
}

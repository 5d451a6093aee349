//! The account of an import ([`ImportReport`]): what was recognised and
//! what was not, as the CLI prints it to stderr.

use std::collections::BTreeMap;
use std::fmt;

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
    /// Questions left unanswered because what was read does not single out
    /// one answer: marks that cannot be told apart, a word the question's
    /// kind does not have, a row met again with another answer.
    pub ambiguous: Vec<Ambiguous>,
    /// How many answers each kind of mark gave (`ellipse` → 120), for PDFs.
    pub read_by: BTreeMap<String, usize>,
    /// Content a person does not see, and so not read (a hidden worksheet,
    /// row or column, white text), the first [`MAX_HIDDEN_LISTED`] of it.
    pub hidden: Vec<Unread>,
    /// How many more places of hidden content there were.
    pub hidden_more: usize,
    /// Question rows an annotation lies on (PDF): marked, struck out or
    /// noted with an annotation tool.
    pub annotated_rows: usize,
}

/// Places of hidden content an account lists; the rest are counted.
pub const MAX_HIDDEN_LISTED: usize = 100;

/// A question left unanswered because what was read does not single out
/// one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    pub id: String,
    /// Where to look: `page 3`, `line 41`, `開示書 row 54`.
    pub place: String,
    /// What was seen: `2 words marked (はい、いいえ)`,
    /// `answered twice: page 3 はい, page 9 いいえ`.
    pub why: String,
}

impl ImportReport {
    pub fn unanswered(&self) -> usize {
        self.recognised - self.answered.min(self.recognised)
    }

    /// Note content that was not read because a person does not see it.
    pub fn note_hidden(&mut self, place: String, excerpt: String) {
        if self.hidden.len() < MAX_HIDDEN_LISTED {
            self.hidden.push(Unread { place, excerpt });
        } else {
            self.hidden_more += 1;
        }
    }

    /// Refuse an import that recognised fewer than
    /// [`RECOGNISED_FLOOR`](super::RECOGNISED_FLOOR) of the form's questions.
    pub fn require_most(&self, path: &str, form: &str) -> Result<(), super::ImportError> {
        let (num, den) = super::RECOGNISED_FLOOR;
        if self.recognised * den >= self.questions * num {
            return Ok(());
        }
        Err(super::ImportError::TooFew {
            path: path.to_string(),
            recognised: self.recognised,
            questions: self.questions,
            form: form.to_string(),
        })
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
        if self.annotated_rows > 0 {
            let verb = if self.annotated_rows == 1 { "carries" } else { "carry" };
            write!(f, "\n  {} {verb} annotations", plural(self.annotated_rows, "row", "rows"))?;
        }
        if !self.read_by.is_empty() {
            let kinds: Vec<String> = self.read_by.iter().map(|(k, n)| format!("{k} {n}")).collect();
            write!(f, "\n  read by: {}", kinds.join(", "))?;
        }
        if !self.ambiguous.is_empty() {
            write!(f, "\n  {} left unanswered, ambiguous:", plural(self.ambiguous.len(), "question", "questions"))?;
            for a in &self.ambiguous {
                write!(f, "\n    {} ({}): {}", a.id, a.place, a.why)?;
            }
        }
        if !self.missing.is_empty() {
            write!(f, "\n  not found in the input ({}): {}", self.missing.len(), abbreviate(&self.missing, 20))?;
        }
        if !self.hidden.is_empty() {
            let n = self.hidden.len() + self.hidden_more;
            write!(f, "\n  {} not read, hidden from a person:", plural(n, "place", "places"))?;
            for u in &self.hidden {
                write!(f, "\n    {}: {}", u.place, u.excerpt)?;
            }
            if self.hidden_more > 0 {
                write!(f, "\n    … and {} more", self.hidden_more)?;
            }
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

//! The rules every importer applies to what it saw, so the PDF, text and
//! workbook importers cannot disagree about what a row answers
//! (docs/importing.md, "What a person sees is what is read").
//!
//! An importer observes a row — the choice words it prints and which of
//! them are marked — and hands that to [`decide`]; every reading of a
//! question goes into [`Readings`], which settles a question met more than
//! once (a correction page, a second revision, two worksheets). Both rules
//! fail closed: a row or a question they cannot settle is left unanswered
//! and listed with its place, never guessed.

use std::fmt::Display;

use crate::form::Kind;
use crate::sheet::Answer;

/// What one reading of a question row says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// One word of the question's kind, singled out.
    Answer(Answer),
    /// Nothing marked.
    Blank,
    /// Marks that do not single out one word the question allows: why.
    Ambiguous(String),
}

/// What an importer saw on one question row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen<'a> {
    /// The choice words the row prints, in print order, where the layout
    /// prints the whole set of words (`None` where it prints only the chosen
    /// word or holds it in one 回答 cell).
    pub printed: Option<&'a [Answer]>,
    /// The words marked.
    pub marked: &'a [Answer],
    /// What already made the observer doubt the marks (two rings, a ring
    /// between words ...).
    pub doubt: Option<String>,
}

/// The words of a kind, as a message shows them.
pub(crate) fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::YesNo => "はい/いいえ/対象外",
        Kind::Applicability => "該当/非該当",
    }
}

/// The answer a row gives a question of `kind`.
///
/// - A word the kind does not have (非該当 on a はい/いいえ row, いいえ on a
///   該当/非該当 row) is never mapped to one it has, by position or
///   otherwise: the row is ambiguous.
/// - Two words marked is ambiguous.
/// - A row that prints the words but not exactly the kind's set (a word
///   twice, one missing, a stranger: a text layer that lies about its
///   glyphs, or another form's row) is ambiguous when it marks one.
pub(crate) fn decide(kind: Kind, seen: &Seen<'_>) -> Decision {
    if let Some(why) = &seen.doubt {
        return Decision::Ambiguous(why.clone());
    }
    match seen.marked {
        [] => Decision::Blank,
        [a] if !kind.allows(*a) => {
            Decision::Ambiguous(format!("marked 「{a}」, which is not a word of a {} question", kind_words(kind)))
        }
        [a] => match seen.printed {
            Some(printed) if !same_words(printed, kind.choices()) => Decision::Ambiguous(format!(
                "the row prints {} where a {} question prints each of its words once",
                printed.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" "),
                kind_words(kind)
            )),
            _ => Decision::Answer(*a),
        },
        many => Decision::Ambiguous(format!(
            "{} words marked ({})",
            many.len(),
            many.iter().map(|w| w.as_str()).collect::<Vec<_>>().join("、")
        )),
    }
}

/// The same words, each once, in any order.
fn same_words(printed: &[Answer], choices: &[Answer]) -> bool {
    printed.len() == choices.len() && choices.iter().all(|c| printed.iter().filter(|p| *p == c).count() == 1)
}

/// What the readings of one question come to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Settled<'r, P> {
    /// The question was never read.
    Unread,
    /// Answered, at these places (more than one when every reading agrees).
    Answer(Answer, Vec<&'r P>),
    /// Read, with nothing marked.
    Blank,
    /// Left unanswered: where to look, and why.
    Ambiguous(&'r P, String),
}

/// Every reading of each question of a form, by form index.
#[derive(Debug, Clone)]
pub(crate) struct Readings<P> {
    by_question: Vec<Vec<(P, Decision)>>,
}

impl<P: Display> Readings<P> {
    pub fn new(questions: usize) -> Readings<P> {
        Readings { by_question: (0..questions).map(|_| Vec::new()).collect() }
    }

    pub fn push(&mut self, index: usize, place: P, decision: Decision) {
        self.by_question[index].push((place, decision));
    }

    /// Readings of the question at `index`, in input order.
    pub fn of(&self, index: usize) -> &[(P, Decision)] {
        &self.by_question[index]
    }

    /// Replace the decision of reading `reading` of the question at `index`
    /// (a layout rule applied once the whole input is seen).
    pub fn redecide(&mut self, index: usize, reading: usize, decision: Decision) {
        if let Some(r) = self.by_question[index].get_mut(reading) {
            r.1 = decision;
        }
    }

    /// What the readings of the question at `index` come to. A question met
    /// again with the same answer keeps it, with both places; met with a
    /// different one — another word, a blank, an ambiguous row — it is left
    /// unanswered, and the message names every place and what it said.
    pub fn settle(&self, index: usize) -> Settled<'_, P> {
        let readings = &self.by_question[index];
        let Some((first_place, first)) = readings.first() else { return Settled::Unread };
        if readings.iter().all(|(_, d)| d == first) {
            return match first {
                Decision::Answer(a) => Settled::Answer(*a, readings.iter().map(|(p, _)| p).collect()),
                Decision::Blank => Settled::Blank,
                Decision::Ambiguous(why) if readings.len() == 1 => Settled::Ambiguous(first_place, why.clone()),
                Decision::Ambiguous(why) => {
                    Settled::Ambiguous(first_place, format!("{why}; the row appears {} times", readings.len()))
                }
            };
        }
        let said: Vec<String> = readings
            .iter()
            .map(|(p, d)| match d {
                Decision::Answer(a) => format!("{p} {a}"),
                Decision::Blank => format!("{p} blank"),
                Decision::Ambiguous(_) => format!("{p} ambiguous"),
            })
            .collect();
        let times = match readings.len() {
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        Settled::Ambiguous(first_place, format!("answered {times}: {}", said.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::*;

    fn seen<'a>(printed: Option<&'a [Answer]>, marked: &'a [Answer]) -> Seen<'a> {
        Seen { printed, marked, doubt: None }
    }

    #[test]
    fn a_word_of_the_other_kind_is_never_mapped() {
        for (kind, word) in [
            (Kind::YesNo, NotApplicable),
            (Kind::YesNo, Applicable),
            (Kind::Applicability, No),
            (Kind::Applicability, Na),
            (Kind::Applicability, Yes),
        ] {
            let d = decide(kind, &seen(None, &[word]));
            assert!(matches!(&d, Decision::Ambiguous(w) if w.contains(word.as_str())), "{kind:?} {word:?}: {d:?}");
        }
        assert_eq!(decide(Kind::YesNo, &seen(None, &[No])), Decision::Answer(No));
        assert_eq!(decide(Kind::Applicability, &seen(None, &[NotApplicable])), Decision::Answer(NotApplicable));
    }

    #[test]
    fn the_printed_words_must_be_the_kinds_set() {
        let ok: &[Answer] = &[Yes, No, Na];
        assert_eq!(decide(Kind::YesNo, &seen(Some(ok), &[Yes])), Decision::Answer(Yes));
        // any order is the same set
        assert_eq!(decide(Kind::YesNo, &seen(Some(&[Na, Yes, No]), &[Yes])), Decision::Answer(Yes));
        for bad in [&[Yes, Yes, Na][..], &[Yes, No][..], &[Yes, No, Na, Na][..], &[Yes, No, Applicable][..]] {
            let d = decide(Kind::YesNo, &seen(Some(bad), &[Yes]));
            assert!(matches!(d, Decision::Ambiguous(_)), "{bad:?}: {d:?}");
        }
        // nothing marked is a blank whatever is printed
        assert_eq!(decide(Kind::YesNo, &seen(Some(&[Yes, Yes]), &[])), Decision::Blank);
    }

    #[test]
    fn two_marks_or_a_doubt_are_ambiguous() {
        assert!(
            matches!(decide(Kind::YesNo, &seen(None, &[Yes, No])), Decision::Ambiguous(w) if w.contains("2 words"))
        );
        let s = Seen { doubt: Some("a ring between two words".into()), marked: &[Yes], printed: None };
        assert_eq!(decide(Kind::YesNo, &s), Decision::Ambiguous("a ring between two words".into()));
    }

    #[test]
    fn a_question_met_again() {
        let mut r: Readings<String> = Readings::new(4);
        assert_eq!(r.settle(0), Settled::Unread);
        // the same answer twice: kept, both places
        r.push(0, "p.3".into(), Decision::Answer(Yes));
        r.push(0, "p.9".into(), Decision::Answer(Yes));
        assert!(matches!(r.settle(0), Settled::Answer(Yes, ps) if ps.len() == 2));
        // a different answer: unanswered, both places named
        r.push(1, "p.3".into(), Decision::Answer(Yes));
        r.push(1, "p.9".into(), Decision::Answer(No));
        assert_eq!(r.settle(1), Settled::Ambiguous(&"p.3".to_string(), "answered twice: p.3 はい, p.9 いいえ".into()));
        // a blank is an answer too: it never lets the other reading stand
        r.push(2, "A".into(), Decision::Blank);
        r.push(2, "B".into(), Decision::Answer(Yes));
        assert!(matches!(r.settle(2), Settled::Ambiguous(_, w) if w == "answered twice: A blank, B はい"));
        r.push(3, "A".into(), Decision::Blank);
        assert_eq!(r.settle(3), Settled::Blank);
    }
}

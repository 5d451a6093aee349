//! Recognising questions by their text ([`Matcher`]); printed numbers are
//! only a hint.

use std::collections::HashMap;

use crate::form::Form;
use crate::text::{match_key, normalize};

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
        let best_of = |free: bool| {
            candidates
                .iter()
                .filter(|(i, _)| self.used[*i] != free)
                .map(|&(i, s)| (i, s, s + hint_score(i) + order_score(i)))
                .max_by(|a, b| a.2.total_cmp(&b.2).then(b.0.cmp(&a.0)))
        };
        match best_of(true) {
            Some((index, similarity, _)) => Ok(Match { index, similarity }),
            // Taken already: which one is met again is told apart as a
            // first reading is (the form's repeated texts by number and order).
            None => match best_of(false) {
                Some((i, _, _)) => Err(Miss::Repeat(i)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;

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

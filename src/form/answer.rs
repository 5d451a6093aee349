//! The answer words of the form and their accepted spellings.

use serde::{Serialize, Serializer};

/// One of the five words a sheet can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// はい
    Yes,
    /// いいえ
    No,
    /// 対象外 (alias `na`)
    Na,
    /// 該当 (alias `applicable`)
    Applicable,
    /// 非該当 (alias `not_applicable`)
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 5] = [Answer::Yes, Answer::No, Answer::Na, Answer::Applicable, Answer::NotApplicable];

    /// The word as printed on the form.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "はい",
            Answer::No => "いいえ",
            Answer::Na => "対象外",
            Answer::Applicable => "該当",
            Answer::NotApplicable => "非該当",
        }
    }

    /// The ASCII alias accepted in sheet files.
    pub fn alias(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Na => "na",
            Answer::Applicable => "applicable",
            Answer::NotApplicable => "not_applicable",
        }
    }

    /// Parse a word after NFKC normalisation; Japanese words or the
    /// case-insensitive aliases. `None` for anything else.
    pub fn parse(word: &str) -> Option<Answer> {
        // The words as printed are by far the most common spelling.
        if let Some(a) = Answer::ALL.into_iter().find(|a| a.as_str() == word) {
            return Some(a);
        }
        let w = crate::text::normalize(word);
        Answer::ALL.into_iter().find(|a| {
            a.as_str() == w
                || a.alias().eq_ignore_ascii_case(&w)
                || (*a == Answer::Na && w.eq_ignore_ascii_case("n/a"))
                || (*a == Answer::NotApplicable && w.eq_ignore_ascii_case("not-applicable"))
        })
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_aliases() {
        assert_eq!(Answer::parse("はい"), Some(Answer::Yes));
        assert_eq!(Answer::parse(" YES "), Some(Answer::Yes));
        assert_eq!(Answer::parse("na"), Some(Answer::Na));
        assert_eq!(Answer::parse("N/A"), Some(Answer::Na));
        assert_eq!(Answer::parse("非該当"), Some(Answer::NotApplicable));
        assert_eq!(Answer::parse("not_applicable"), Some(Answer::NotApplicable));
        assert_eq!(Answer::parse("ﾊｲ"), None); // NFKC gives katakana ハイ, not はい
        assert_eq!(Answer::parse("たぶん"), None);
        for a in Answer::ALL {
            assert_eq!(Answer::parse(a.as_str()), Some(a));
            assert_eq!(Answer::parse(a.alias()), Some(a));
        }
    }
}

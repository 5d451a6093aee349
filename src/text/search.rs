//! Searching a text for any of a list of words, the core of the policies'
//! `mentions`: bounded by the caller's deadline, whatever the list.

/// Words up to which they are searched one by one.
pub const SCAN_WORDS: usize = 64;

/// Total bytes of words up to which one automaton is built for them all.
pub const AUTOMATON_BYTES: usize = 1 << 20;

/// Whether `text` contains one of `words` (both already in
/// [`fold_case`](super::fold_case) form, the words non-empty).
///
/// A policy's word list is usually a dozen words over short remarks:
/// searching each is cheapest. Many words (a generated list, a flood) take
/// one pass for all (Aho-Corasick, the NFA that is cheap to build), unless
/// they are so long that building it would cost more than the search.
/// `keep_going` is called every 64 words searched one by one, so a caller
/// can stop at its deadline; `automaton_error` turns a failure to build the
/// automaton into the caller's error.
pub fn contains_any<E>(
    text: &str,
    words: &[String],
    mut keep_going: impl FnMut() -> Result<(), E>,
    automaton_error: impl FnOnce(String) -> E,
) -> Result<bool, E> {
    let total: usize = words.iter().map(String::len).sum();
    if words.len() > SCAN_WORDS && total <= AUTOMATON_BYTES {
        let ac = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(words)
            .map_err(|e| automaton_error(e.to_string()))?;
        return Ok(ac.is_match(text.as_bytes()));
    }
    for (i, w) in words.iter().enumerate() {
        if i % 64 == 63 {
            keep_going()?;
        }
        if memchr::memmem::find(text.as_bytes(), w.as_bytes()).is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(text: &str, words: &[String]) -> bool {
        contains_any(text, words, || Ok::<(), String>(()), |e| e).unwrap()
    }

    #[test]
    fn few_and_many_words_find_the_same() {
        let text = "バックアップはオフラインの媒体に3世代";
        let few: Vec<String> = ["隔離", "オフライン"].map(String::from).to_vec();
        assert!(any(text, &few));
        // Past SCAN_WORDS the automaton searches: same answers.
        let mut many: Vec<String> = (0..200).map(|i| format!("語{i}")).collect();
        assert!(!any(text, &many));
        many.push("3世代".into());
        assert!(any(text, &many));
    }

    #[test]
    fn a_long_one_by_one_scan_asks_to_keep_going() {
        // Over AUTOMATON_BYTES of words: searched one by one, and the
        // caller is asked every 64 words.
        let big = "あ".repeat(AUTOMATON_BYTES / 100);
        let words: Vec<String> = (0..200).map(|i| format!("{big}{i}")).collect();
        let mut asked = 0;
        let found = contains_any(
            "text",
            &words,
            || -> Result<(), ()> {
                asked += 1;
                if asked == 2 { Err(()) } else { Ok(()) }
            },
            |_| (),
        );
        assert_eq!(found, Err(()));
        assert_eq!(asked, 2);
    }
}

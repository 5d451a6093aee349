//! Japanese-aware text handling shared by every module: normalisation,
//! byte-span helpers, and the date forms vendors write (ISO, 年月日, 和暦).

pub mod date;
mod lines;
pub mod planned;
mod printable;
pub mod search;
pub mod tls;

pub use lines::{IndexedText, LineIndex, SharedSource, shared_indexed, shared_source, source_of};
pub use printable::{
    DIAGNOSTICS_SHOWN, MoreProblems, PrintableDiagnostic, PrintableText, escape_json_controls, into_printable,
    is_bidi_control, may_hold_json_controls, printable, printable_line,
};

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// NFKC with the folds NFKC leaves out (not trimmed): the full path of
/// [`normalize`], and the reference its quick path is tested against.
fn nfkc_folded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        match c {
            // wave dash / full-width tilde → ASCII tilde
            '\u{301C}' | '\u{FF5E}' => out.push('~'),
            // minus sign, full-width hyphen-minus, hyphens, dashes → '-'
            '\u{2212}' | '\u{FF0D}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' => out.push('-'),
            // variation selectors and zero-width characters carry no meaning here
            '\u{FE00}'..='\u{FE0F}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' => {}
            '\u{E0100}'..='\u{E01EF}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// [`normalize`] without the trim, for mapping a normalised text back to
/// the characters it came from one character at a time.
pub fn normalize_untrimmed(s: &str) -> String {
    nfkc_folded(s)
}

/// NFKC plus the folds NFKC leaves out, trimmed.
///
/// NFKC already maps full-width ASCII (ＴＬＳ１．２ → TLS1.2) and half-width
/// katakana; it does not unify the wave dashes and minus signs vendors mix,
/// nor drop variation selectors, so those are folded here.
pub fn normalize(s: &str) -> String {
    normalized(s).into_owned()
}

/// [`normalize`], borrowing `s` when it is already normal — as text from a
/// loaded sheet always is, so policies re-reading it pay one scan, not a copy.
pub fn normalized(s: &str) -> Cow<'_, str> {
    if s.len() == s.trim().len() && s.chars().all(is_stable) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(normalize_changed(s))
}

fn normalize_changed(s: &str) -> String {
    if let Some(out) = normalize_common(s) {
        return out;
    }
    let out = nfkc_folded(s);
    let trimmed = out.trim();
    if trimmed.len() == out.len() { out } else { trimmed.to_string() }
}

/// [`normalize`] for text made only of characters whose NFKC form is known
/// without tables: ASCII, kana, kanji, Japanese punctuation (all of them
/// NFKC-stable starters that never compose), full-width ASCII (NFKC maps
/// it to ASCII) and the ideographic space. That is nearly every sheet's
/// text, and this is many times faster than decomposing and recomposing.
/// `None` when some character needs the full algorithm.
fn normalize_common(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c as u32 {
            0xFF5E => out.push('~'),
            0xFF01..=0xFF5D => out.push(char::from_u32(c as u32 - 0xFEE0)?),
            0x3000 => out.push(' '),
            _ if is_stable(c) => out.push(c),
            _ => return None,
        }
    }
    let trimmed = out.trim();
    Some(if trimmed.len() == out.len() { out } else { trimmed.to_string() })
}

/// Lower-casing `s` is ASCII lower-casing: every character is ASCII or one
/// with no case whose NFKC form is itself (kana, kanji, Japanese
/// punctuation). True of nearly all sheet text, which then needs no
/// Unicode case mapping.
pub fn has_ascii_case_only(s: &str) -> bool {
    s.chars().all(is_stable)
}

/// Characters NFKC leaves alone that never compose with a neighbour and
/// that [`normalize`] does not fold (checked over every one of them by a
/// test against the Unicode tables).
fn is_stable(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x7F
        | 0x3001..=0x301B | 0x301D..=0x301F // 、。〃々〆〇 brackets 〒 (not 〜 0x301C)
        | 0x3041..=0x3096 | 0x309D..=0x309E // hiragana, ゝゞ
        | 0x30A1..=0x30FE                   // katakana, ・ー ヽヾ
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0x25A0..=0x25FF                   // ■□○●◎△ ...
        | 0x203B                            // ※
        | 0x2713 | 0x2714                   // ✓ ✔
    )
}

/// A key for fuzzy comparison of question texts: normalised, lower-cased,
/// with whitespace and punctuation removed (PDF extraction moves both around).
pub fn match_key(s: &str) -> String {
    normalize(s).chars().filter(|c| !c.is_whitespace() && !is_punct(*c)).flat_map(char::to_lowercase).collect()
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '、' | '。'
                | '・'
                | '「'
                | '」'
                | '『'
                | '』'
                | '（'
                | '）'
                | '？'
                | '！'
                | '：'
                | '；'
                | '，'
                | '．'
                | '〜'
                | '～'
                | '…'
                | '―'
                | 'ー'
                | '　'
        )
}

/// Terminal display width (East Asian wide characters count two columns).
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// 1-based line and column (in characters) of a byte offset.
///
/// The offset is clamped to the text and moved back to a char boundary, so a
/// stale or foreign span can never panic a renderer.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// The closest candidate to `word` by normalised Levenshtein similarity,
/// if it is close enough to be worth suggesting. Ties go to the candidate
/// whose differing characters are nearest in code point, so `17.1.f`
/// suggests `17.1.e` and `17.1.1.8` suggests `17.1.1.7`.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let char_distance =
        |cand: &str| -> u32 { word.chars().zip(cand.chars()).map(|(a, b)| (a as u32).abs_diff(b as u32)).sum() };
    let mut best: Option<(&str, f64, u32)> = None;
    for cand in candidates {
        let score = strsim::normalized_levenshtein(word, cand);
        let better = match best {
            None => true,
            Some((_, s, _)) if score > s => true,
            Some((_, s, d)) => score == s && char_distance(cand) < d,
        };
        if better {
            best = Some((cand, score, char_distance(cand)));
        }
    }
    best.filter(|(_, s, _)| *s >= 0.5).map(|(c, _, _)| c)
}

/// Why bytes are not a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotText {
    /// A NUL byte in the first 8 KiB: a binary file (a PDF, a workbook, an image).
    Binary,
    /// Not UTF-8: the offset of the first invalid byte (Shift_JIS, say).
    NotUtf8 { at: usize },
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotText::Binary => f.write_str("this is a binary file"),
            NotText::NotUtf8 { at } => write!(f, "the file is not UTF-8 text (invalid byte at offset {at})"),
        }
    }
}

/// `bytes` as text: UTF-8 and not binary. The one check every text input
/// (sheet files, text imports, form texts) makes.
pub fn as_text(bytes: &[u8]) -> Result<&str, NotText> {
    if looks_binary(bytes) {
        return Err(NotText::Binary);
    }
    std::str::from_utf8(bytes).map_err(|e| NotText::NotUtf8 { at: e.valid_up_to() })
}

/// [`as_text`] for owned bytes: the text without a copy, and the bytes
/// checked as UTF-8 once (a sheet's check was a sixth of `kaiji lint`).
pub fn into_text(bytes: Vec<u8>) -> Result<String, NotText> {
    if looks_binary(&bytes) {
        return Err(NotText::Binary);
    }
    String::from_utf8(bytes).map_err(|e| NotText::NotUtf8 { at: e.utf8_error().valid_up_to() })
}

/// A NUL byte in the first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Lower-cased NFKC form for case-insensitive matching (borrowed when
/// `s` already is one: sheet text is normalised when it loads).
pub fn fold_case(s: &str) -> Cow<'_, str> {
    let n = normalized(s);
    // ASCII is lower-cased in place; kana and kanji have no case. Other
    // text takes the full Unicode mapping.
    if has_ascii_case_only(&n) {
        if n.bytes().any(|b| b.is_ascii_uppercase()) {
            let mut n = n.into_owned();
            n.make_ascii_lowercase();
            return Cow::Owned(n);
        }
        n
    } else {
        Cow::Owned(n.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_borrowed_text_checks_agree() {
        let mut late_nul = vec![b'a'; 9000];
        late_nul.push(0);
        let cases: [&[u8]; 6] = [b"[sheet]\n", "はい".as_bytes(), b"a\0b", b"ok \x82\xa0 sjis", &late_nul, b""];
        for bytes in cases {
            let owned = into_text(bytes.to_vec());
            match as_text(bytes) {
                Ok(t) => assert_eq!(owned.as_deref(), Ok(t)),
                Err(e) => assert_eq!(owned, Err(e)),
            }
        }
        assert_eq!(as_text(b"a\0b"), Err(NotText::Binary));
        assert_eq!(as_text(b"ok \x82\xa0"), Err(NotText::NotUtf8 { at: 3 }));
        // Only the first 8 KiB are looked at for NUL; a late NUL is UTF-8 text.
        assert!(as_text(&late_nul).is_ok());
    }

    #[test]
    fn nfkc_and_folds() {
        assert_eq!(normalize(" ＴＬＳ１．２ "), "TLS1.2");
        assert_eq!(normalize("9時〜17時"), "9時~17時");
        assert_eq!(normalize("ｶﾞｲﾄﾞ"), "ガイド");
        assert_eq!(normalize("葛\u{E0100}飾"), "葛飾");
        assert_eq!(normalize("はい"), "はい");
    }

    /// The quick path gives what full NFKC plus folding gives.
    #[test]
    fn quick_path_agrees_with_full_normalisation() {
        fn slow(s: &str) -> String {
            nfkc_folded(s).trim().to_string()
        }
        let pieces = [
            "a",
            " ",
            "\u{3000}",
            "は",
            "い",
            "ハ",
            "ﾊ",
            "ﾞ",
            "が",
            "か\u{3099}",
            "Ｔ",
            "１",
            "．",
            "〜",
            "～",
            "−",
            "－",
            "‐",
            "\u{FE0F}",
            "\u{200B}",
            "\u{FEFF}",
            "葛\u{E0100}",
            "①",
            "㈱",
            "Å",
            "e\u{301}",
            "\t",
            "\n",
            "ｶ",
            "漢",
            "（",
            "）",
            "ゞ",
            "\u{3099}",
            "\u{309B}",
            "ヿ",
            "、",
            "※",
            "…",
            "￥",
            "＼",
            "｟",
            "Ａ\u{301}",
            "ｰ",
        ];
        let mut rng = crate::synth::Rng::new(4);
        for _ in 0..5000 {
            let s: String = (0..rng.below(8)).map(|_| rng.pick(&pieces)).collect();
            assert_eq!(normalize(&s), slow(&s), "{s:?}");
            let borrowed = matches!(normalized(&s), Cow::Borrowed(_));
            assert!(!borrowed || slow(&s) == s, "borrows only text that is already normal: {s:?}");
        }
    }

    #[test]
    fn stable_characters_are_stable() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfkc_quick};
        let mut n = 0;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|c| is_stable(*c)) {
            assert_eq!(is_nfkc_quick(std::iter::once(c)), IsNormalized::Yes, "U+{:04X}", c as u32);
            assert_eq!(canonical_combining_class(c), 0, "U+{:04X}", c as u32);
            // Against the full path: `normalize` itself trusts `is_stable`.
            let folded = !c.is_ascii() && nfkc_folded(&c.to_string()) != c.to_string();
            assert!(!folded, "U+{:04X} is folded", c as u32);
            n += 1;
        }
        assert!(n > 27_000, "{n}");
        for u in 0xFF01..=0xFF5Du32 {
            let c = char::from_u32(u).unwrap();
            assert_eq!(c.to_string().nfkc().collect::<String>(), char::from_u32(u - 0xFEE0).unwrap().to_string());
        }
    }

    #[test]
    fn caseless_characters_have_no_case() {
        for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32).filter(|c| is_stable(*c)) {
            assert!(c.to_lowercase().eq(std::iter::once(c)), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn match_key_ignores_spacing_and_punctuation() {
        assert_eq!(match_key("IDとパスワード の 組み合わせ？"), match_key("ＩＤとパスワードの組み合わせ?"));
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let t = "一行目\n二行目 x";
        let off = t.find('x').unwrap();
        assert_eq!(line_col(t, off), (2, 5));
        // inside a multi-byte char: clamps back, never panics
        assert_eq!(line_col(t, 1), (1, 1));
        assert_eq!(line_col(t, 10_000), (2, 6));
    }

    #[test]
    fn width_of_japanese() {
        assert_eq!(display_width("はい"), 4);
        assert_eq!(display_width("yes"), 3);
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("17.1.f", ["17.1.a", "17.1.e", "58", "100"]), Some("17.1.e"));
        assert_eq!(did_you_mean("17.1.1.8", ["17.1.1.1", "17.1.1.7"]), Some("17.1.1.7"));
        assert_eq!(did_you_mean("zzzz", ["17.1.e"]), None);
    }
}

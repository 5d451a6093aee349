//! What a cell says besides its text: remark citations and answer marks.

use crate::text::normalize;

/// Remark citations as written in a 備考 cell: `8`, `8,9`, `8、9`, `8 9`,
/// `-` (none). `None` when the text is not a list of numbers (free text).
pub fn parse_citations(cell: &str) -> Option<Vec<u32>> {
    let t = normalize(cell);
    let t = t.strip_prefix("備考").unwrap_or(&t).trim();
    if t.is_empty() || matches!(t, "-" | "ー" | "―" | "—" | "なし" | "無し" | "ー-") || t.chars().all(|c| c == '-')
    {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    for piece in t.split(|c: char| matches!(c, ',' | '、' | ';' | '・' | '/') || c.is_whitespace()) {
        if piece.is_empty() {
            continue;
        }
        let piece = piece.strip_prefix('※').unwrap_or(piece);
        let n: u32 = piece.parse().ok().filter(|n| *n > 0)?;
        out.push(n);
    }
    (!out.is_empty()).then_some(out)
}

/// A cross: `x`, `×` and their kin. In Japanese forms a cross beside a
/// choice often means "not this one", elsewhere "this one"; which, the file
/// does not say. So no importer reads a cross as a mark either way: it is
/// ignored with a warning, and a row whose only mark is a cross stays
/// unanswered (an ambiguous mark is a blank, never a guess).
pub(crate) fn is_cross(c: char) -> bool {
    matches!(c, 'x' | 'X' | '×' | '✗' | '✘' | '✕' | '✖' | '☓' | '╳')
}

/// What a workbook's choice cell (one column per answer word) says:
/// `Some(true)` marked, `Some(false)` blank or unmarked, `None` anything
/// else — a cross ([`is_cross`]), a word that is no mark — which the
/// importer reports and ignores.
pub(crate) fn choice_cell(v: &str) -> Option<bool> {
    let t = normalize(v);
    if t.chars().any(is_cross) {
        return None;
    }
    match t.as_str() {
        "" | "0" | "FALSE" | "false" | "-" | "□" | "☐" => Some(false),
        "1" | "TRUE" | "true" | "レ" | "済" => Some(true),
        _ if crate::form::Answer::parse(&t).is_some() => Some(true),
        _ => {
            let marks: Vec<bool> = t.chars().filter(|c| !c.is_whitespace()).map(mark).collect::<Option<_>>()?;
            Some(marks.iter().any(|m| *m))
        }
    }
}

/// Is `c` an answer mark, and does it mean chosen (`true`) or not (`false`)?
/// A cross is neither ([`is_cross`]).
pub(crate) fn mark(c: char) -> Option<bool> {
    match c {
        '■' | '●' | '○' | '◯' | '◎' | '✓' | '✔' | '☑' | '☒' | '◉' | '⦿' | '⬤' | '✅' => {
            Some(true)
        }
        '□' | '☐' | '◻' | '▢' => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations() {
        assert_eq!(parse_citations("8"), Some(vec![8]));
        assert_eq!(parse_citations("8,9"), Some(vec![8, 9]));
        assert_eq!(parse_citations("８、９"), Some(vec![8, 9]));
        assert_eq!(parse_citations(" 8, 9 "), Some(vec![8, 9]));
        assert_eq!(parse_citations("-"), Some(vec![]));
        assert_eq!(parse_citations("－"), Some(vec![]));
        assert_eq!(parse_citations(""), Some(vec![]));
        assert_eq!(parse_citations("備考8"), Some(vec![8]));
        assert_eq!(parse_citations("0"), None);
        assert_eq!(parse_citations("TLS1.2 に対応"), None);
    }

    /// x and × follow one rule: neither is a mark, chosen or not; the
    /// marks that are stay what they were.
    #[test]
    fn crosses_are_no_mark_in_any_importer() {
        for cross in ["x", "X", "×", "ｘ", "Ｘ", "✗", "✕", "☓", " x ", "xx", "○×"] {
            assert_eq!(choice_cell(cross), None, "{cross:?}");
        }
        for c in ['x', '×', '✗', '✕'] {
            assert_eq!(mark(c), None, "{c}");
        }
        for m in ["○", "◯", "●", "✓", "1", "■", "TRUE", "はい", "レ", "☑"] {
            assert_eq!(choice_cell(m), Some(true), "{m}");
        }
        for m in ["", "□", "0", "-", "FALSE"] {
            assert_eq!(choice_cell(m), Some(false), "{m}");
        }
        assert_eq!(choice_cell("要確認"), None);
    }
}

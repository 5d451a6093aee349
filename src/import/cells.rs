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

/// Is `c` an answer mark, and does it mean chosen (`true`) or not (`false`)?
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
}

//! Where a `fail(...)`/`warn(...)` call sits in a policy's text: a small
//! scanner of Rhai source (names, parentheses, string literals, comments),
//! so a finding can underline the call that raised it.

use rhai::Position;

/// Byte span of the call at `pos` in `source`: from the function name to
/// its closing parenthesis. `lines`, the index of `source` if at hand,
/// saves rescanning the policy for every finding.
pub(crate) fn call_span(
    source: &str,
    lines: Option<&crate::text::LineIndex>,
    pos: Position,
) -> Option<crate::sheet::Span> {
    let start = match lines {
        Some(lines) => super::diag::offset_indexed(source, lines, pos)?,
        None => super::diag::offset(source, pos)?,
    };
    let rest = &source[start..];
    let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let end = closing_paren(rest, name_len).unwrap_or(name_len);
    Some(crate::sheet::Span::new(start, start + end))
}

/// Offset just past the parenthesis closing the one at or after `from`,
/// skipping string literals and comments.
fn closing_paren(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    if b.get(i) != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            q @ (b'"' | b'`' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

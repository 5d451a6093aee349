//! Policy errors as diagnostics: Rhai positions (line + *character*
//! column) turned into byte spans of the policy file, and Rhai errors turned
//! into messages that say what went wrong and which limit or id caused it.

use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use rhai::{EvalAltResult, Position};

use super::Limits;
use crate::report::{Location, RunError};
use crate::sheet::Span;

/// Byte offset of a Rhai position in `source`. Columns count characters,
/// so the offset is found by walking the line's `char_indices`; a column
/// past the end of the line clamps to it.
pub fn offset(source: &str, pos: Position) -> Option<usize> {
    let line = pos.line()?;
    let line_start = if line == 1 { 0 } else { source.match_indices('\n').nth(line - 2)?.0 + 1 };
    offset_in_line(source, line_start, pos)
}

/// [`offset`] with the line found in `lines` (the index of `source`).
pub fn offset_indexed(source: &str, lines: &crate::text::LineIndex, pos: Position) -> Option<usize> {
    offset_in_line(source, lines.line_start(pos.line()?)?, pos)
}

fn offset_in_line(source: &str, line_start: usize, pos: Position) -> Option<usize> {
    let text = source.get(line_start..)?.split('\n').next().unwrap_or("");
    let col = pos.position().unwrap_or(1);
    let within = text.char_indices().nth(col - 1).map_or(text.len(), |(i, _)| i);
    Some(line_start + within)
}

/// A span for an error at `pos`: the identifier or number there, else the
/// one character.
pub fn span_at(source: &str, pos: Position) -> Option<Span> {
    let start = offset(source, pos)?;
    let rest = &source[start..];
    let word = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let len = if word > 0 { word } else { rest.chars().next().map_or(0, char::len_utf8) };
    Some(Span::new(start, start + len))
}

/// The span of the string literal `"path"` in an `import` statement, for
/// import errors Rhai reports without a position.
pub fn import_span(source: &str, path: &str) -> Option<Span> {
    let mut from = 0;
    while let Some(i) = source[from..].find("import") {
        let at = from + i;
        let rest = source[at + 6..].trim_start();
        let lit_start = source.len() - rest.len();
        for q in ['"', '`'] {
            let lit = format!("{q}{path}{q}");
            if rest.starts_with(&lit) {
                return Some(Span::new(lit_start, lit_start + lit.len()));
            }
        }
        from = at + 6;
    }
    None
}

/// A problem with one policy, shown over the policy's text.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(kaiji::policy))]
pub struct PolicyDiagnostic {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

/// A policy error for a report: message with policy id and place, the
/// location in the policy file, and the diagnostic for human output.
pub fn run_error(
    policy: &str,
    path: &str,
    source: &Arc<str>,
    span: Option<Span>,
    what: &str,
    label: &str,
    help: Option<String>,
) -> RunError {
    let location = span.map(|s| Location::of(path, source, s));
    let place = match &location {
        Some(l) => format!("{}:{}:{}", l.path, l.line, l.column),
        None => path.to_string(),
    };
    let message = format!("policy {policy}: {what} (at {place})");
    let diag = PolicyDiagnostic {
        message: format!("policy {policy}: {what}"),
        src: NamedSource::new(path, source.clone()),
        span: span.map(Into::into),
        label: label.to_string(),
        help,
    };
    RunError { message, policy: Some(policy.to_string()), location, detail: Some(Arc::new(miette::Report::new(diag))) }
}

/// What a Rhai error means for a policy author, where it happened (the
/// innermost position) and in which source (`None` = the policy itself),
/// and a short label for the underline.
pub struct Described {
    pub what: String,
    pub label: String,
    pub pos: Position,
    pub source: Option<String>,
    pub help: Option<String>,
}

pub fn describe(err: &EvalAltResult, limits: &Limits) -> Described {
    let mut context = Vec::new();
    let mut source = None;
    let mut e = err;
    loop {
        match e {
            EvalAltResult::ErrorInFunctionCall(name, src, inner, _) => {
                context.push(format!("in function `{name}`"));
                if !src.is_empty() {
                    source = Some(src.clone());
                }
                e = inner;
            }
            EvalAltResult::ErrorInModule(path, inner, _) => {
                context.push(format!("in module \"{path}\""));
                source = Some(path.to_string());
                e = inner;
            }
            _ => break,
        }
    }
    let (what, label, help) = match e {
        EvalAltResult::ErrorTooManyOperations(_) => (
            format!("exceeded the limit of {} operations", limits.max_operations),
            "still running here".to_string(),
            Some("an endless loop? raise the limit with --max-operations".to_string()),
        ),
        EvalAltResult::ErrorTerminated(token, _)
            if token
                .read_lock::<rhai::ImmutableString>()
                .is_some_and(|t| t.as_str() == super::engine::MEMORY_TOKEN) =>
        {
            (
                format!("exceeded the memory limit of {}", bytes(limits.max_memory)),
                "still running here".into(),
                Some(
                    "values kept alive (closures, arrays, maps) grew too large; raise the limit with --max-memory"
                        .into(),
                ),
            )
        }
        EvalAltResult::ErrorTerminated(..) => (
            format!("exceeded the time limit of {} ms", limits.timeout.as_millis()),
            "still running here".into(),
            Some("an endless loop? raise the limit with --timeout-ms".into()),
        ),
        EvalAltResult::ErrorStackOverflow(_) => (
            format!("exceeded the call depth limit of {}", limits.max_call_depth),
            "too deep here".into(),
            Some("runaway recursion? raise the limit with --max-call-depth".into()),
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let (limit, flag) = if what.contains("string") {
                (limits.max_string_size, "--max-string-size")
            } else if what.contains("map") {
                (limits.max_map_size, "--max-map-size")
            } else {
                (limits.max_array_size, "--max-array-size")
            };
            (
                format!("{} exceeded the limit of {limit}", what.to_lowercase()),
                "grew too large here".into(),
                Some(format!("raise the limit with {flag}")),
            )
        }
        EvalAltResult::ErrorRuntime(value, _) => {
            let text = value.clone().into_string().unwrap_or_else(|_| value.to_string());
            (text, "raised here".into(), None)
        }
        EvalAltResult::ErrorParsing(kind, _) => (format!("syntax error: {kind}"), "here".into(), None),
        other => {
            let text = other.to_string();
            let suffix = format!(" ({})", other.position());
            let text = if other.position().is_none() { text.as_str() } else { text.trim_end_matches(&suffix) };
            (text.to_string(), "here".into(), None)
        }
    };
    let what = if context.is_empty() { what } else { format!("{what} ({})", context.join(", ")) };
    Described { what, label, pos: e.position(), source, help }
}

/// A byte count as a user wrote it: whole MiB as MiB, else bytes.
fn bytes(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) { format!("{} MiB", n >> 20) } else { format!("{n} bytes") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_char_columns() {
        let src = "// 日本語のコメント\nlet x = \"二要素\"; fail(\"17.1.d\", \"x\");\r\n  y";
        let at = |l, c| offset(src, Position::new(l, c)).unwrap();
        assert_eq!(&src[at(1, 1)..at(1, 1) + 2], "//");
        // line 2: `let x = "二要素"; fail(`: fail is the 16th character
        assert_eq!(&src[at(2, 16)..at(2, 16) + 4], "fail");
        assert_eq!(&src[at(3, 3)..], "y");
        // past the end of a line clamps to its end (before \r\n, never inside a char)
        assert_eq!(at(1, 200), src.find('\n').unwrap());
        assert_eq!(offset(src, Position::NONE), None);
        assert_eq!(offset(src, Position::new(9, 1)), None);
        let s = span_at(src, Position::new(2, 16)).unwrap();
        assert_eq!(&src[s.start..s.end], "fail");
        let s = span_at(src, Position::new(2, 9)).unwrap();
        assert_eq!(&src[s.start..s.end], "\"");
    }

    #[test]
    fn import_literal_span() {
        let src = "import \"lib/x\" as x;\nimport  `../y` as y;";
        let s = import_span(src, "../y").unwrap();
        assert_eq!(&src[s.start..s.end], "`../y`");
        assert_eq!(import_span(src, "nope"), None);
    }
}

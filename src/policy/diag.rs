//! Policy errors as diagnostics: Rhai positions (line + *character*
//! column) turned into byte spans of the policy file, and Rhai errors turned
//! into messages that say what went wrong and which limit or id caused it.

use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use rhai::{EvalAltResult, Position};

use super::Limits;
use crate::outcome::{Location, RunError};
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
                // Rhai names closures `anon$<hash>`: meaningless to an author.
                context.push(if name.starts_with("anon$") {
                    "in a closure".to_string()
                } else {
                    format!("in function `{name}`")
                });
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
        EvalAltResult::ErrorFunctionNotFound(signature, _) => {
            let (what, help) = not_found(signature);
            (what, "called here".into(), Some(help))
        }
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

/// Rhai's "Function not found: name (types)" in a policy author's words:
/// the call as written, what kaiji has of that name or the nearest name,
/// and for the sheet API the usual mistake (a number for a question id).
fn not_found(signature: &str) -> (String, String) {
    let (name, args) = match signature.split_once(" (") {
        Some((n, rest)) => (n.trim(), rest.strip_suffix(')').unwrap_or(rest)),
        None => (signature.trim(), ""),
    };
    let given: Vec<&str> = split_types(args).into_iter().map(type_word).collect();
    let is_method = given.first() == Some(&"Sheet");
    let call = if is_method {
        format!("sheet.{name}({})", given[1..].join(", "))
    } else {
        format!("{name}({})", given.join(", "))
    };
    let api = super::reference::entries();
    let same: Vec<&str> =
        api.iter().filter(|e| e.name == name && e.is_method == is_method).map(|e| e.signature.as_str()).collect();
    let reference = "`kaiji api` lists every function a policy can call";
    if !same.is_empty() {
        let takes: Vec<String> = same.iter().map(|s| format!("`{s}`")).collect();
        let what = format!("`{call}`: wrong arguments for `{name}`, which takes {}", takes.join(" or "));
        let help = if is_method && given[1..].contains(&"int") && same.iter().any(|s| s.contains("id: string")) {
            format!("question ids are strings: `sheet.{name}(\"17\")`")
        } else if is_method && name == "remark" {
            "remark numbers are integers: `sheet.remark(3)`".to_string()
        } else {
            reference.to_string()
        };
        return (what, help);
    }
    let candidates = api.iter().filter(|e| e.is_method == is_method).map(|e| e.name.as_str());
    let hint = crate::text::did_you_mean(name, candidates)
        .map(|n| if is_method { format!(" — did you mean `sheet.{n}`?") } else { format!(" — did you mean `{n}`?") })
        .unwrap_or_default();
    (format!("no function matches `{call}`{hint}"), reference.to_string())
}

/// Rhai's parameter types, split at top-level commas.
fn split_types(args: &str) -> Vec<&str> {
    if args.trim().is_empty() {
        return Vec::new();
    }
    args.split(", ").map(str::trim).collect()
}

/// A Rhai type as the API reference writes it.
fn type_word(t: &str) -> &str {
    match t {
        "&str | ImmutableString | String" | "ImmutableString" | "String" | "&str" => "string",
        "i64" | "i32" | "INT" => "int",
        "f64" | "f32" | "FLOAT" => "float",
        "rhai::Array" | "Array" => "array",
        "rhai::Map" | "Map" => "map",
        "Fn" | "FnPtr" => "Fn",
        other => other,
    }
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
    fn function_not_found_in_kaiji_words() {
        let (what, help) = not_found("tls_version (&str | ImmutableString | String)");
        assert_eq!(what, "no function matches `tls_version(string)` — did you mean `tls_versions`?");
        assert!(help.contains("kaiji api"));
        let (what, help) = not_found("is_yes (Sheet, i64)");
        assert_eq!(
            what,
            "`sheet.is_yes(int)`: wrong arguments for `is_yes`, which takes `sheet.is_yes(id: string) -> bool`"
        );
        assert_eq!(help, "question ids are strings: `sheet.is_yes(\"17\")`");
        let (what, _) = not_found("is_yess (Sheet, &str | ImmutableString | String)");
        assert!(what.ends_with("did you mean `sheet.is_yes`?"), "{what}");
        let (_, help) = not_found("remark (Sheet, &str | ImmutableString | String)");
        assert!(help.contains("sheet.remark(3)"));
        let (what, _) = not_found("matches (&str | ImmutableString | String, i64)");
        assert!(what.contains("`matches(text: string | array | (), pattern: string) -> bool`"), "{what}");
    }

    #[test]
    fn import_literal_span() {
        let src = "import \"lib/x\" as x;\nimport  `../y` as y;";
        let s = import_span(src, "../y").unwrap();
        assert_eq!(&src[s.start..s.end], "`../y`");
        assert_eq!(import_span(src, "nope"), None);
    }
}

//! `-f github`: GitHub Actions workflow commands, so findings show as
//! annotations on the sheet files in a pull request. One `::group::` per
//! sheet; `::error`/`::warning` per active finding, `::notice` for waived
//! ones; a closing summary line.
//!
//! Escaping follows the runner's rules: in the message `%`, CR and LF are
//! percent-encoded; in properties `:` and `,` are too, since they delimit.

use std::io::{self, Write};
use std::sync::Arc;

use super::view::FindingView;
use super::{Renderer, RunInfo, Severity, SheetEncoder, SheetReport, SheetStatus, Summary};

pub struct Github<'w> {
    out: Box<dyn Write + 'w>,
    command: crate::outcome::RunCommand,
}

impl<'w> Github<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Github { out, command: crate::outcome::RunCommand::Check }
    }
}

/// Escape the message part of a workflow command. Control characters are
/// shown [`printable`](crate::text::printable) first: the runner must see
/// no line break (a `::` after one starts a command) and the log no
/// terminal escape.
pub fn escape_data(s: &str) -> String {
    crate::text::printable(s).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command line.
fn command(name: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    let sep = if props.is_empty() { "" } else { " " };
    format!("::{name}{sep}{}::{}\n", props.join(","), escape_data(message))
}

impl Renderer for Github<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.command = run.command;
        Ok(())
    }

    fn encoder(&self) -> Option<Arc<dyn SheetEncoder>> {
        Some(Arc::new(GithubSheet))
    }

    fn sheet_encoded(&mut self, encoded: &[u8]) -> io::Result<()> {
        self.out.write_all(encoded)
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        writeln!(self.out, "kaiji {}: {}", self.command, s.line(self.command))?;
        self.out.flush()
    }
}

/// One sheet's group of workflow commands.
struct GithubSheet;

impl SheetEncoder for GithubSheet {
    fn encode(&self, r: &SheetReport, out: &mut Vec<u8>) -> io::Result<()> {
        let verdict = match r.status {
            SheetStatus::Pass if r.no_policy_applied() => "SKIP",
            SheetStatus::Pass => "PASS",
            SheetStatus::Fail => "FAIL",
            SheetStatus::Error => "ERROR",
        };
        let who = super::view::who(r);
        let heading =
            if who.is_empty() { format!("{verdict} {}", r.path) } else { format!("{verdict} {} {who}", r.path) };
        let mut text = command("group", &[], &heading);
        for e in &r.errors {
            let mut props = Vec::new();
            let path = e.location.as_ref().map_or(r.path.as_str(), |l| l.path.as_str());
            props.push(("file", path.to_string()));
            if let Some(l) = &e.location {
                props.push(("line", l.line.to_string()));
                props.push(("col", l.column.to_string()));
            }
            let title = match &e.policy {
                Some(p) => format!("kaiji: policy {p} could not be evaluated"),
                None => "kaiji: sheet could not be evaluated".to_string(),
            };
            props.push(("title", title));
            text.push_str(&command("error", &props, &e.message));
        }
        // A document imported in the run: its account, a warning when it
        // leaves something for a person to look at.
        if let Some(import) = &r.import {
            let level = if import.needs_a_look() { "warning" } else { "notice" };
            let props = [("file", r.path.clone()), ("title", "kaiji: document import".to_string())];
            text.push_str(&command(level, &props, &import.text()));
        }
        let loc = super::view::Locator::new(r);
        for f in &r.findings {
            let v = FindingView::new(&loc, f);
            let level = match (v.is_active(), v.severity) {
                (false, _) => "notice",
                (true, Severity::Error) => "error",
                (true, Severity::Warning) => "warning",
            };
            let mut props = vec![("file", r.path.clone())];
            if let Some(range) = v.range {
                props.push(("line", range.line.to_string()));
                props.push(("endLine", range.end_line.to_string()));
                if range.line == range.end_line {
                    props.push(("col", range.column.to_string()));
                    props.push(("endColumn", range.end_column.to_string()));
                }
            }
            let title = match &v.question {
                Some(q) => format!("{} [{q}]", v.rule),
                None => v.rule.clone(),
            };
            props.push(("title", title));
            let mut message = String::new();
            if let Some(w) = &v.waived {
                message.push_str(&format!("waived until {}: {}", w.expires, w.reason));
                if let Some(a) = &w.approver {
                    message.push_str(&format!(" ({a})"));
                }
                message.push('\n');
            }
            message.push_str(&v.message);
            if let (Some(q), Some(t)) = (&v.question, &v.question_text)
                && !v.help.as_deref().is_some_and(|h| h.contains(t.as_str()))
            {
                message.push_str(&format!("\n設問 {q}: {t}"));
            }
            if let Some(at) = &v.read_at {
                message.push_str(&format!("\n読取位置 (read at): {at}"));
            }
            if let Some(h) = &v.help {
                message.push_str(&format!("\n{h}"));
            }
            text.push_str(&command(level, &props, &message));
        }
        text.push_str("::endgroup::\n");
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // `%` is escaped first, so an escape sequence in the text stays literal.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn command_shape() {
        let line = command("error", &[("file", "a,b.toml".into()), ("line", "3".into())], "x::y");
        assert_eq!(line, "::error file=a%2Cb.toml,line=3::x::y\n");
        assert_eq!(command("group", &[], "FAIL a"), "::group::FAIL a\n");
    }
}

//! `-f markdown`: a summary for a pull-request comment or a committee memo
//! (GitHub-flavoured Markdown): the verdict table — one row per sheet, one
//! column per policy and for lint — a legend of the policies, then the
//! findings of each sheet with the question, the vendor's answer and 備考.
//!
//! Vendor text is escaped (every Markdown/HTML metacharacter, `|` included,
//! gets a backslash; line breaks become spaces), so a remark cannot inject
//! markup, links or table cells. The table needs every sheet, so compact rows
//! are held until the end, and the findings are read back from the matrix's
//! temporary file a sheet at a time as they are written.

use std::io::{self, Write};

use super::matrix::{Matrix, MatrixFormat};
use super::view::{CellStatus, Column, FindingView};
use super::{SheetStatus, Summary};

pub struct Markdown;

/// Escape text for inline Markdown: a backslash before every character that
/// can open inline markup, HTML, an entity, math or a table cell (CommonMark
/// lets any ASCII punctuation be escaped), newlines folded to spaces. Text
/// never starts a line here, so block markers (`#`, `-`, `1.`) are inert.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '$' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn cell(status: CellStatus) -> String {
    format!("{} {}", status.symbol(), status.label_ja())
}

fn verdict(status: SheetStatus) -> &'static str {
    match status {
        SheetStatus::Pass => "✓ pass",
        SheetStatus::Fail => "✗ fail",
        SheetStatus::Error => "? error",
    }
}

fn finding(out: &mut String, path: &str, f: &FindingView) {
    let sev = if f.is_active() { f.severity.as_str() } else { "waived" };
    let q = match (&f.question, &f.question_text) {
        (Some(q), Some(t)) => format!(" · **{}** {}", escape(q), escape(t)),
        (Some(q), None) => format!(" · **{}**", escape(q)),
        _ => String::new(),
    };
    out.push_str(&format!(
        "- **{sev}** `{}`{q} — {} ({})\n",
        f.rule.replace('`', "'"),
        escape(&f.message),
        escape(&f.place(path))
    ));
    match (&f.answer, &f.read_at) {
        (Some(a), Some(at)) => out.push_str(&format!("  - 回答: {} ({})\n", escape(a), escape(at))),
        (Some(a), None) => out.push_str(&format!("  - 回答: {}\n", escape(a))),
        _ => {}
    }
    for r in &f.remarks {
        out.push_str(&format!("  - 備考: {}\n", escape(r)));
    }
    if let Some(w) = &f.waived {
        let who = w.approver.as_deref().map(|a| format!("（{}）", escape(a))).unwrap_or_default();
        out.push_str(&format!("  - 免除 (waived) until {}: {}{who}\n", escape(&w.expires), escape(&w.reason)));
    }
}

/// Write a piece: Markdown escaping leaves control characters alone;
/// kaiji's own text has none but line breaks, so any is vendor text: shown
/// escaped, for the rendered page and for a terminal or CI log.
fn put(out: &mut dyn Write, text: String) -> io::Result<()> {
    out.write_all(crate::text::into_printable(text).as_bytes())
}

impl MatrixFormat for Markdown {
    fn render(m: &mut Matrix, s: &Summary, w: &mut dyn Write) -> io::Result<()> {
        let cols = m.columns();
        let mut out = String::new();
        let policies = cols.iter().filter(|c| matches!(c, Column::Policy(_))).count();
        let what = if policies > 0 { format!(" × {policies} policies") } else { String::new() };
        out.push_str(&format!("# kaiji {}: {} sheet(s){what}\n\n", m.command(), s.sheets));
        out.push_str(&format!("**{}**\n\n", s.verdicts()));
        if !m.rows.is_empty() {
            // Documents imported in the run: how each was read, last.
            let documents = m.rows.iter().any(|r| r.import.is_some());
            out.push_str("| Sheet | 事業者 / サービス | Verdict |");
            for c in &cols {
                out.push_str(&format!(" {} |", escape(c.id())));
            }
            if documents {
                out.push_str(" 取込 (import) |");
            }
            out.push_str("\n|---|---|---|");
            for _ in &cols {
                out.push_str(":-:|");
            }
            if documents {
                out.push_str("---|");
            }
            out.push('\n');
            for r in &m.rows {
                out.push_str(&format!("| {} | {} | {} |", escape(&r.path), escape(&r.title()), verdict(r.status)));
                for c in &cols {
                    out.push_str(&format!(" {} |", cell(m.cell(r, c))));
                }
                if documents {
                    let i = r.import.as_ref().map(|i| {
                        let look = if i.needs_a_look { "⚠ " } else { "" };
                        format!(
                            "{look}{}: {}/{} answered, {} unanswered, {} ambiguous",
                            i.format, i.answered, i.questions, i.unanswered, i.ambiguous
                        )
                    });
                    out.push_str(&format!(" {} |", escape(i.as_deref().unwrap_or(""))));
                }
                out.push('\n');
                put(w, std::mem::take(&mut out))?;
            }
            out.push('\n');
        }
        if policies > 0 {
            out.push_str("| Policy | Title | Refs |\n|---|---|---|\n");
            for c in &cols {
                if let Column::Policy(id) = c {
                    let refs = m.policy(id).map(|p| p.refs.as_str()).unwrap_or("");
                    out.push_str(&format!("| {} | {} | {} |\n", escape(id), escape(&m.column_title(c)), escape(refs)));
                }
            }
            out.push('\n');
        }
        if m.rows.iter().any(|r| r.has_details) {
            out.push_str("## Findings\n");
            let details = m.details()?;
            for (r, d) in m.rows.iter().zip(details) {
                let d = d?;
                if !r.has_details {
                    continue;
                }
                out.push_str(&format!("\n### {} {}", verdict(r.status), escape(&r.path)));
                if r.title() != r.path {
                    out.push_str(&format!(" — {}", escape(&r.title())));
                }
                out.push_str("\n\n");
                for (policy, message) in &d.run_errors {
                    let what = policy.as_deref().map(|p| format!(" `{}`", p.replace('`', "'"))).unwrap_or_default();
                    out.push_str(&format!("- **could not be evaluated**{what} — {}\n", escape(message)));
                }
                for c in &cols {
                    for f in d.findings_in(c) {
                        finding(&mut out, &r.path, f);
                    }
                }
                put(w, std::mem::take(&mut out))?;
            }
        }
        // The footer: what the verdicts rest on, by SHA-256.
        out.push_str("\n---\n\n**Provenance** (SHA-256 of the files as read)\n\n| | SHA-256 |\n|---|---|\n");
        for (what, value) in m.provenance() {
            out.push_str(&format!("| {} | `{}` |\n", escape(&what), value.replace('`', "'")));
        }
        put(w, out)
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_table_pipes() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(escape("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(escape("&lt; $x$ ~~s~~"), "\\&lt; \\$x\\$ \\~\\~s\\~\\~");
        assert_eq!(escape("*強調*\n次行"), "\\*強調\\* 次行");
        assert_eq!(escape("二要素認証"), "二要素認証");
    }
}

//! `kaiji diff` for people: aligned columns measured in terminal cells (a
//! Japanese character takes two), question texts cut to the width, and
//! remark texts as a line diff with the changed characters marked.
//!
//! Both sheets are vendor text: everything taken from them is shown
//! [`printable_line`] (control characters escaped), measured as shown.

use std::io::{self, Write};

use similar::{ChangeTag, DiffOp, TextDiff};

use super::{Change, Delta, SheetDiff, Side};
use crate::report::Style;
use crate::text::{display_width, printable_line};

const UNANSWERED: &str = "(unanswered)";
const NONE: &str = "(none)";
/// Lines of unchanged text kept around each change in long texts.
const CONTEXT: usize = 1;

struct Painter<'a> {
    style: &'a Style,
}

impl Painter<'_> {
    fn paint(&self, text: &str, code: &str) -> String {
        self.style.paint(text, code)
    }

    fn marker(&self, change: Option<Change>) -> String {
        match change {
            Some(Change::Added) => self.paint("+", "32"),
            Some(Change::Removed) => self.paint("-", "31"),
            _ => self.paint("~", "33"),
        }
    }

    fn heading(&self, text: &str) -> String {
        self.paint(text, "1")
    }
}

/// Pad `s` with spaces to `width` terminal cells.
fn pad(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Cut `s` to at most `width` cells, ending in "…" when cut.
fn truncate(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = display_width(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn side_line(s: &Side) -> String {
    let who = match (s.vendor.as_str(), s.service.as_str()) {
        ("", "") => String::new(),
        (v, "") | ("", v) => v.to_string(),
        (v, s) => format!("{v} / {s}"),
    };
    let mut parts = vec![s.path.clone()];
    parts.extend([who, s.version.clone()].into_iter().filter(|p| !p.is_empty()));
    if let Some(c) = &s.created {
        parts.push(format!("({c})"));
    }
    printable_line(&parts.join("  ")).into_owned()
}

fn answer_text(q: &super::QuestionChange) -> String {
    let text = match &q.answer {
        Some(Delta { old, new, .. }) => {
            format!("{} → {}", old.as_deref().unwrap_or(UNANSWERED), new.as_deref().unwrap_or(UNANSWERED))
        }
        None => q.unchanged_answer.clone().unwrap_or_else(|| UNANSWERED.to_string()),
    };
    printable_line(&text).into_owned()
}

fn numbers(n: &Option<Vec<u32>>) -> String {
    match n {
        Some(v) => format!("[{}]", v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")),
        None => NONE.to_string(),
    }
}

/// Write the diff. An unchanged pair gets one line saying so.
pub fn render(d: &SheetDiff, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter { style };
    writeln!(out, "{} {}", p.paint("---", "31"), side_line(&d.old))?;
    writeln!(out, "{} {}", p.paint("+++", "32"), side_line(&d.new))?;
    writeln!(out)?;
    if !d.is_changed() {
        writeln!(out, "no differences")?;
        return out.flush();
    }
    let width = style.width.max(40);

    if !d.metadata.is_empty() {
        writeln!(out, "{}", p.heading("Metadata"))?;
        let w = d.metadata.iter().map(|m| m.field.len()).max().unwrap_or(0);
        for m in &d.metadata {
            let old = printable_line(m.delta.old.as_deref().unwrap_or(NONE));
            let new = printable_line(m.delta.new.as_deref().unwrap_or(NONE));
            writeln!(out, "  {} {}  {old} → {new}", p.marker(Some(m.delta.change)), pad(m.field, w))?;
        }
        writeln!(out)?;
    }

    if !d.questions.is_empty() {
        writeln!(out, "{}", p.heading("Answers"))?;
        let id_w = d.questions.iter().map(|q| display_width(&printable_line(&q.id))).max().unwrap_or(0);
        let ans_w = d.questions.iter().map(|q| display_width(&answer_text(q))).max().unwrap_or(0).min(28);
        for q in &d.questions {
            let change = q.answer.as_ref().map(|a| a.change);
            let ans = answer_text(q);
            let id = printable_line(&q.id);
            let lead = format!("  x {}  {}  ", pad(&id, id_w), pad(&ans, ans_w));
            let room = width.saturating_sub(display_width(&lead));
            let text = match &q.text {
                Some(t) if room >= 8 => truncate(&printable_line(t), room),
                Some(_) => String::new(),
                None => "(not in the form)".to_string(),
            };
            let ans = if change.is_some() { p.paint(&pad(&ans, ans_w), "1") } else { pad(&ans, ans_w) };
            writeln!(out, "  {} {}  {ans}  {}", p.marker(change), pad(&id, id_w), text.trim_end())?;
            let indent = " ".repeat(4 + id_w + 2);
            if let Some(r) = &q.remarks {
                writeln!(out, "{indent}remarks {} → {}", numbers(&r.old), numbers(&r.new))?;
            }
            if let Some(n) = &q.note {
                writeln!(out, "{indent}note {}:", n.change.as_str())?;
                text_diff(out, &p, &format!("{indent}  "), n.old.as_deref(), n.new.as_deref(), width)?;
            }
        }
        writeln!(out)?;
    }

    if !d.remarks.is_empty() {
        writeln!(out, "{}", p.heading("Remarks"))?;
        for r in &d.remarks {
            let cited = match r.cited_by.as_slice() {
                [] => "cited by no answer".to_string(),
                qs => format!("cited by {}", printable_line(&qs.join(", "))),
            };
            writeln!(
                out,
                "  {} 備考 {}  {}  ({cited})",
                p.marker(Some(r.delta.change)),
                r.number,
                r.delta.change.as_str()
            )?;
            text_diff(out, &p, "      ", r.delta.old.as_deref(), r.delta.new.as_deref(), width)?;
        }
        writeln!(out)?;
    }

    if let Some(policies) = &d.policies
        && !policies.is_empty()
    {
        writeln!(out, "{}", p.heading("Policies"))?;
        let id_w = policies.iter().map(|c| display_width(&printable_line(&c.id))).max().unwrap_or(0);
        for c in policies {
            let status = |s: Option<crate::outcome::PolicyStatus>| s.map_or("(not run)", |s| s.as_str());
            let flip = format!("{} → {}", status(c.old), status(c.new));
            let color = match c.new {
                Some(crate::outcome::PolicyStatus::Pass | crate::outcome::PolicyStatus::Waived) => "32",
                Some(crate::outcome::PolicyStatus::Fail | crate::outcome::PolicyStatus::Error) => "31",
                _ => "33",
            };
            let on = match (c.old_questions.as_slice(), c.new_questions.as_slice()) {
                ([], []) => String::new(),
                (old, []) => format!("  was on {}", old.join(", ")),
                (_, new) => format!("  on {}", new.join(", ")),
            };
            let on = printable_line(&on);
            writeln!(out, "  {}  {}{on}", pad(&printable_line(&c.id), id_w), p.paint(&flip, color))?;
        }
        writeln!(out)?;
    }

    writeln!(out, "{}", summary_line(d))?;
    out.flush()
}

/// "2 answers changed, 1 added, 1 remark changed, 1 policy outcome changed".
pub fn summary_line(d: &SheetDiff) -> String {
    let c = d.counts();
    let plural = |n: usize, one: &str, many: &str| if n == 1 { one.to_string() } else { many.to_string() };
    let mut parts = Vec::new();
    let mut push = |n: usize, what: String| {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    };
    push(c.metadata, plural(c.metadata, "metadata field changed", "metadata fields changed"));
    push(c.answers_changed, plural(c.answers_changed, "answer changed", "answers changed"));
    push(c.answers_added, plural(c.answers_added, "answer added", "answers added"));
    push(c.answers_removed, plural(c.answers_removed, "answer removed", "answers removed"));
    push(c.citations_changed, plural(c.citations_changed, "citation list changed", "citation lists changed"));
    push(c.notes_changed, plural(c.notes_changed, "note changed", "notes changed"));
    push(c.remarks_changed, plural(c.remarks_changed, "remark changed", "remarks changed"));
    push(c.remarks_added, plural(c.remarks_added, "remark added", "remarks added"));
    push(c.remarks_removed, plural(c.remarks_removed, "remark removed", "remarks removed"));
    push(c.policies_changed, plural(c.policies_changed, "policy outcome changed", "policy outcomes changed"));
    if parts.is_empty() { "no differences".to_string() } else { parts.join(", ") }
}

/// A line diff of two texts; a rewritten line is shown with the characters
/// that changed marked (colour, or `^` beneath them in plain output).
fn text_diff(
    out: &mut dyn Write,
    p: &Painter<'_>,
    indent: &str,
    old: Option<&str>,
    new: Option<&str>,
    width: usize,
) -> io::Result<()> {
    let (old, new) = (old.unwrap_or(""), new.unwrap_or(""));
    let d = TextDiff::from_lines(old, new);
    // The diff's own lines: it also breaks at a lone `\r`, which
    // `str::lines` does not, and the op indices count its lines.
    let old_lines: &[&str] = d.old_slices();
    let new_lines: &[&str] = d.new_slices();
    let room = width.saturating_sub(display_width(indent) + 2).max(20);
    for (g, group) in d.grouped_ops(CONTEXT).iter().enumerate() {
        if g > 0 {
            writeln!(out, "{indent}  ⋮")?;
        }
        for op in group {
            match *op {
                DiffOp::Equal { old_index, len, .. } => {
                    for l in &old_lines[old_index..old_index + len] {
                        line(out, p, indent, ' ', &[(false, l)], room)?;
                    }
                }
                DiffOp::Delete { old_index, old_len, .. } => {
                    for l in &old_lines[old_index..old_index + old_len] {
                        line(out, p, indent, '-', &[(false, l)], room)?;
                    }
                }
                DiffOp::Insert { new_index, new_len, .. } => {
                    for l in &new_lines[new_index..new_index + new_len] {
                        line(out, p, indent, '+', &[(false, l)], room)?;
                    }
                }
                DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                    let olds = &old_lines[old_index..old_index + old_len];
                    let news = &new_lines[new_index..new_index + new_len];
                    if old_len == new_len {
                        for (a, b) in olds.iter().zip(news) {
                            let (da, db) = char_emphasis(a, b);
                            line(out, p, indent, '-', &da, room)?;
                            line(out, p, indent, '+', &db, room)?;
                        }
                    } else {
                        for l in olds {
                            line(out, p, indent, '-', &[(false, l)], room)?;
                        }
                        for l in news {
                            line(out, p, indent, '+', &[(false, l)], room)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Parts of a line, `true` where the characters changed.
type Segments<'a> = Vec<(bool, &'a str)>;

/// Segments of two versions of a line, `true` where characters changed.
/// A line rewritten beyond recognition is left unmarked: marks would be noise.
fn char_emphasis<'a>(a: &'a str, b: &'a str) -> (Segments<'a>, Segments<'a>) {
    let d = TextDiff::from_chars(a, b);
    if d.ratio() < 0.4 {
        return (vec![(false, a)], vec![(false, b)]);
    }
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for op in d.ops() {
        for c in d.iter_changes(op) {
            let v = c.value();
            match c.tag() {
                ChangeTag::Equal => {
                    old.push((false, v));
                    new.push((false, v));
                }
                ChangeTag::Delete => old.push((true, v)),
                ChangeTag::Insert => new.push((true, v)),
            }
        }
    }
    (old, new)
}

/// One diff line, wrapped to `room` cells; in plain output a row of `^`
/// under changed characters follows each wrapped row that has any.
fn line(
    out: &mut dyn Write,
    p: &Painter<'_>,
    indent: &str,
    sign: char,
    segments: &[(bool, &str)],
    room: usize,
) -> io::Result<()> {
    let color = match sign {
        '-' => "31",
        '+' => "32",
        _ => "",
    };
    // Split into rows of at most `room` cells, keeping emphasis per char.
    let mut rows: Vec<Vec<(bool, char)>> = vec![Vec::new()];
    let mut used = 0;
    for (em, text) in segments {
        let kept: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        // Escaped before wrapping, so the carets sit under what is shown.
        for c in printable_line(&kept).chars() {
            let w = display_width(c.encode_utf8(&mut [0; 4]));
            if used + w > room && used > 0 {
                rows.push(Vec::new());
                used = 0;
            }
            rows.last_mut().expect("rows is never empty").push((*em, c));
            used += w;
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let lead = if i == 0 { sign } else { ' ' };
        let mut text = String::new();
        let mut carets = String::new();
        // Group runs of equal emphasis for painting.
        let mut run = String::new();
        let mut run_em = false;
        let flush = |text: &mut String, run: &mut String, em: bool| {
            if run.is_empty() {
                return;
            }
            let code = if em { format!("1;4;{color}") } else { color.to_string() };
            text.push_str(&if code.is_empty() { run.clone() } else { p.paint(run, &code) });
            run.clear();
        };
        for &(em, c) in row {
            if em != run_em {
                flush(&mut text, &mut run, run_em);
                run_em = em;
            }
            run.push(c);
            let w = display_width(c.encode_utf8(&mut [0; 4]));
            carets.push_str(&(if em { "^" } else { " " }).repeat(w));
        }
        flush(&mut text, &mut run, run_em);
        let sign_text = if color.is_empty() { lead.to_string() } else { p.paint(&lead.to_string(), color) };
        writeln!(out, "{indent}{sign_text} {text}")?;
        if !p.style.color && carets.contains('^') {
            writeln!(out, "{indent}  {}", carets.trim_end())?;
        }
    }
    Ok(())
}

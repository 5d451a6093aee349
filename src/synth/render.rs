//! Writing a generated sheet in the two sheet syntaxes (docs/sheets.md, "Sheet files"), laid
//! out as a person would write them (answers in form order, one per line).

//!
//! This is not [`crate::sheet::write`]'s canonical writer, and cannot be: that
//! one writes what a loaded sheet holds (the form's answer words, an ISO
//! 作成日, an always-present `[remarks]`), while these sheets must read as a
//! vendor typed them (作成日 in 年月日 or 和暦, aliases and full-width
//! words as generated), which is what the loader, lint and the benchmarks
//! are to be fed. What is the same is shared: strings are escaped and
//! answer entries written by the canonical writer's `basic`, `toml_entry`,
//! `json_string` and `json_entry_fields`.

use std::fmt::Write;

use super::{SynthAnswer, SynthSheet};
use crate::sheet::write::{basic, json_entry_fields, json_string, toml_entry};

/// A TOML basic string, escaped by the canonical sheet writer.
fn toml_str(out: &mut String, s: &str) {
    out.push_str(&basic(s));
}

fn json_str(out: &mut String, s: &str) {
    out.push_str(&json_string(s));
}

fn meta(s: &SynthSheet) -> Vec<(&'static str, &str)> {
    let mut m = vec![("form", s.form.as_str())];
    if let Some(v) = &s.vendor {
        m.push(("vendor", v));
    }
    if let Some(v) = &s.service {
        m.push(("service", v));
    }
    m.push(("version", &s.version));
    if let Some(v) = &s.created {
        m.push(("created", v));
    }
    m
}

fn plain(a: &SynthAnswer) -> Option<&str> {
    match a {
        SynthAnswer { answer: Some(w), remarks, note: None, .. } if remarks.is_empty() => Some(w),
        _ => None,
    }
}

pub fn toml(s: &SynthSheet) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let _ = writeln!(out, "# kaiji bench-data: synthetic sheet {} (fictional vendor)\n\n[sheet]", s.index);
    for (k, v) in meta(s) {
        out.push_str(k);
        out.push_str(" = ");
        toml_str(&mut out, v);
        out.push('\n');
    }
    out.push_str("\n[answers]\n");
    for a in &s.answers {
        toml_str(&mut out, &a.id);
        out.push_str(" = ");
        out.push_str(&toml_entry(a.answer.as_deref(), &a.remarks, a.note.as_deref()));
        out.push('\n');
    }
    if !s.remarks.is_empty() {
        out.push_str("\n[remarks]\n");
        for (n, text) in &s.remarks {
            let _ = write!(out, "{n} = ");
            toml_str(&mut out, text);
            out.push('\n');
        }
    }
    out
}

pub fn json(s: &SynthSheet) -> String {
    let mut out = String::with_capacity(10 * 1024);
    out.push_str("{\n  \"sheet\": {");
    for (i, (k, v)) in meta(s).into_iter().enumerate() {
        let _ = write!(out, "{}\n    \"{k}\": ", if i == 0 { "" } else { "," });
        json_str(&mut out, v);
    }
    out.push_str("\n  },\n  \"answers\": {");
    for (i, a) in s.answers.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        json_str(&mut out, &a.id);
        out.push_str(": ");
        if let Some(w) = plain(a) {
            json_str(&mut out, w);
        } else {
            // Spaced braces, unlike the canonical `{"answer": …}`: kept so
            // generated sheets stay byte for byte what they were.
            let fields = json_entry_fields(a.answer.as_deref(), &a.remarks, a.note.as_deref());
            let _ = write!(out, "{{ {} }}", fields.join(", "));
        }
    }
    out.push_str("\n  }");
    if !s.remarks.is_empty() {
        out.push_str(",\n  \"remarks\": {");
        for (i, (n, text)) in s.remarks.iter().enumerate() {
            let _ = write!(out, "{}\n    \"{n}\": ", if i == 0 { "" } else { "," });
            json_str(&mut out, text);
        }
        out.push_str("\n  }");
    }
    out.push_str("\n}\n");
    out
}

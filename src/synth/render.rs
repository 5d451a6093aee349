//! Writing a generated sheet in the two sheet syntaxes (README, "Sheet files"), laid
//! out as a person would write them (answers in form order, one per line).

use std::fmt::Write;

use super::{SynthAnswer, SynthSheet};

/// A TOML basic string, escaped by the canonical sheet writer.
fn toml_str(out: &mut String, s: &str) {
    out.push_str(&crate::sheet::write::basic(s));
}

fn json_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("strings always serialise"));
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
        if let Some(w) = plain(a) {
            toml_str(&mut out, w);
        } else {
            let mut parts = Vec::new();
            if let Some(w) = &a.answer {
                let mut p = String::from("answer = ");
                toml_str(&mut p, w);
                parts.push(p);
            }
            if !a.remarks.is_empty() {
                let list: Vec<String> = a.remarks.iter().map(u32::to_string).collect();
                parts.push(format!("remarks = [{}]", list.join(", ")));
            }
            if let Some(n) = &a.note {
                let mut p = String::from("note = ");
                toml_str(&mut p, n);
                parts.push(p);
            }
            let _ = write!(out, "{{ {} }}", parts.join(", "));
        }
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
            let mut parts = Vec::new();
            if let Some(w) = &a.answer {
                let mut p = String::from("\"answer\": ");
                json_str(&mut p, w);
                parts.push(p);
            }
            if !a.remarks.is_empty() {
                let list: Vec<String> = a.remarks.iter().map(u32::to_string).collect();
                parts.push(format!("\"remarks\": [{}]", list.join(", ")));
            }
            if let Some(n) = &a.note {
                let mut p = String::from("\"note\": ");
                json_str(&mut p, n);
                parts.push(p);
            }
            let _ = write!(out, "{{ {} }}", parts.join(", "));
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

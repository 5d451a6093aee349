//! The canonical catalog TOML: what `src/form/*.toml` hold and what
//! `kaiji form new` writes. One writer for both, so a catalog built from a
//! form's text can be compared with a built-in one byte for byte.

use std::fmt::Write as _;

use super::{Form, Kind};

/// The comment every written catalog starts with.
const HEADER: &str = "\
# A kaiji form catalog. Question texts are the form's own; ids are the
# printed numbers with the PDF's stray spaces and dots resolved. `parent`
# defaults to the id minus its last component; `kind` is yes_no
# (はい/いいえ/対象外, the default) or applicability (該当/非該当).
";

/// `form` as catalog TOML: `[form]` (id, then title, guideline, standard and
/// edition when set), then a `[[section]]` per run of questions with the same
/// section, each question with its id, its kind when not yes_no, its text,
/// and its parent only when it is not the default (the id minus its last
/// component, when that is a question).
pub fn to_toml(form: &Form) -> String {
    let mut out = String::from(HEADER);
    out.push_str("\n[form]\n");
    field(&mut out, "id", &form.id);
    for (key, value) in [
        ("title", &form.title),
        ("guideline", &form.guideline),
        ("standard", &form.standard),
        ("edition", &form.edition),
    ] {
        if !value.is_empty() {
            field(&mut out, key, value);
        }
    }
    let mut section: Option<&str> = None;
    for q in form.questions() {
        if section != Some(q.section.as_str()) {
            section = Some(&q.section);
            out.push_str("\n[[section]]\n");
            field(&mut out, "title", &q.section);
        }
        out.push_str("\n[[section.question]]\n");
        field(&mut out, "id", &q.id);
        if q.kind == Kind::Applicability {
            field(&mut out, "kind", q.kind.as_str());
        }
        field(&mut out, "text", &q.text);
        let default = q.id.rsplit_once('.').map(|(p, _)| p).filter(|p| form.index_of(p).is_some());
        if q.parent.as_deref() != default {
            // `parent = ""` says "none" where the default would name one.
            field(&mut out, "parent", q.parent.as_deref().unwrap_or(""));
        }
    }
    out
}

fn field(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {}", quote(value));
}

/// A TOML basic string. Control characters (and DEL) are escaped, so none
/// reaches the file raw; catalog texts have none after `kaiji form new`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;

    #[test]
    fn the_builtin_catalog_is_canonical() {
        let form = FormRegistry::builtin().get("sds-6.0").unwrap();
        let written = to_toml(&form);
        assert_eq!(written, include_str!("sds-6.0.toml"), "src/form/sds-6.0.toml is what the writer writes");
    }

    #[test]
    fn written_catalogs_read_back_the_same() {
        let text = "[form]\nid = \"x\"\ntitle = \"t \\\"q\\\" \\\\ \\u0007\"\n[[section]]\ntitle = \"s\"\n\
                    [[section.question]]\nid = \"1\"\nkind = \"applicability\"\ntext = \"a\"\n\
                    [[section.question]]\nid = \"1.1\"\ntext = \"b\"\nparent = \"\"\n\
                    [[section.question]]\nid = \"2\"\ntext = \"c\"\nparent = \"1\"\n";
        let form = Form::from_toml(text, "x.toml").unwrap();
        let written = to_toml(&form);
        assert!(written.contains("title = \"t \\\"q\\\" \\\\ \\u0007\""), "{written}");
        assert!(written.contains("id = \"1.1\"\ntext = \"b\"\nparent = \"\"\n"), "{written}");
        assert!(written.contains("id = \"2\"\ntext = \"c\"\nparent = \"1\"\n"), "{written}");
        let again = Form::from_toml(&written, "again.toml").unwrap();
        assert_eq!(to_toml(&again), written);
        assert!(!written.chars().any(|c| c.is_control() && c != '\n'));
    }
}

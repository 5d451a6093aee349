//! The `//!` front matter of a policy file:
//!
//! ```text
//! //! id: H-AUTH-001
//! //! title: 二要素認証に対応していること
//! //! refs: 安全管理ガイドライン第6.0版 システム運用編 14
//! //! forms: sds-6.0, mds-6.0
//! //! Free text lines without a key describe the policy.
//! ```
//!
//! The block is the run of `//!` lines before the first line of code
//! (blank lines and `//` comments may come between). Keys are `id`,
//! `title`, `refs` (may repeat), `forms` and `description`; any other
//! `key:` is an error, so a typo such as `form:` cannot silently widen a
//! policy to every form.

use crate::sheet::Span;

/// A policy's front matter: its id, title, refs, forms and description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub id: String,
    pub title: String,
    pub refs: String,
    /// Forms the policy applies to; empty means every form.
    pub forms: Vec<String>,
    /// Where the `forms:` value stands in the policy, for errors about it.
    pub forms_span: Option<Span>,
    pub description: String,
}

impl FrontMatter {
    /// Whether the policy runs on a sheet of `form`.
    pub fn applies_to(&self, form: &str) -> bool {
        self.forms.is_empty() || self.forms.iter().any(|f| f == form)
    }

    /// The help line shown under the policy's findings: title and refs.
    pub fn help(&self) -> Option<String> {
        match (self.title.as_str(), self.refs.as_str()) {
            ("", "") => None,
            (t, "") => Some(t.to_string()),
            ("", r) => Some(format!("根拠: {r}")),
            (t, r) => Some(format!("{t}（根拠: {r}）")),
        }
    }
}

/// A problem in the front matter, with the span of the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub message: String,
    pub span: Span,
}

const KEYS: [&str; 5] = ["id", "title", "refs", "forms", "description"];

/// Parse the front matter of `source`; `stem` is the default id.
pub fn parse(source: &str, stem: &str) -> Result<FrontMatter, FrontMatterError> {
    let mut meta = FrontMatter::default();
    let mut id: Option<String> = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let Some(body) = trimmed.strip_prefix("//!") else {
            if trimmed.trim().is_empty() || trimmed.starts_with("//") || trimmed.starts_with("#!") {
                continue;
            }
            break;
        };
        let body_start = start + indent + 3;
        let content = body.trim_end_matches(['\n', '\r']);
        let Some((key, value)) = split_key(content) else {
            let text = content.trim();
            if !text.is_empty() {
                if !meta.description.is_empty() {
                    meta.description.push('\n');
                }
                meta.description.push_str(text);
            }
            continue;
        };
        let key_start = body_start + (content.len() - content.trim_start().len());
        let key_span = Span::new(key_start, key_start + key.len());
        let value_text = value.trim();
        let value_start =
            body_start + content.find(':').map_or(0, |i| i + 1) + (value.len() - value.trim_start().len());
        let value_span = Span::new(value_start, value_start + value_text.len());
        match key {
            "id" => {
                if value_text.is_empty() || value_text.chars().any(char::is_whitespace) {
                    return Err(FrontMatterError {
                        message: format!("policy id `{value_text}` must be one word without spaces"),
                        span: if value_text.is_empty() { key_span } else { value_span },
                    });
                }
                if id.is_some() {
                    return Err(FrontMatterError { message: "`id` is given twice".into(), span: key_span });
                }
                id = Some(crate::text::normalize(value_text));
            }
            "title" => meta.title = value_text.to_string(),
            "refs" => {
                if !meta.refs.is_empty() && !value_text.is_empty() {
                    meta.refs.push_str("; ");
                }
                meta.refs.push_str(value_text);
            }
            "forms" => {
                meta.forms
                    .extend(value_text.split([',', '、', ' ']).map(crate::text::normalize).filter(|f| !f.is_empty()));
                if meta.forms.is_empty() {
                    return Err(FrontMatterError { message: "`forms:` lists no form".into(), span: key_span });
                }
                meta.forms_span.get_or_insert(value_span);
            }
            "description" => {
                if !meta.description.is_empty() {
                    meta.description.push('\n');
                }
                meta.description.push_str(value_text);
            }
            other => {
                let hint = crate::text::did_you_mean(other, KEYS)
                    .map(|k| format!(" — did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(FrontMatterError {
                    message: format!("unknown front-matter key `{other}`{hint} (known keys: {})", KEYS.join(", ")),
                    span: key_span,
                });
            }
        }
    }
    meta.id = id.unwrap_or_else(|| crate::text::normalize(stem));
    Ok(meta)
}

/// `key: value` where key is a lower-case ASCII word.
fn split_key(content: &str) -> Option<(&str, &str)> {
    let (key, value) = content.trim_start().split_once(':')?;
    let ok = !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '-');
    ok.then_some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_front_matter() {
        let src = "//! id: H-AUTH-001\n//! title: 二要素認証\n//! refs: 6.0 システム運用編 14\n//! refs: 17.1\n//! forms: sds-6.0, mds-6.0\n//! 病院の方針。\n\nfail(\"x\");\n//! id: ignored\n";
        let m = parse(src, "file").unwrap();
        assert_eq!(m.id, "H-AUTH-001");
        assert_eq!(m.title, "二要素認証");
        assert_eq!(m.refs, "6.0 システム運用編 14; 17.1");
        assert_eq!(m.forms, ["sds-6.0", "mds-6.0"]);
        assert_eq!(m.description, "病院の方針。");
        assert!(m.applies_to("mds-6.0") && !m.applies_to("sds-5.1"));
        assert_eq!(m.help().unwrap(), "二要素認証（根拠: 6.0 システム運用編 14; 17.1）");
    }

    #[test]
    fn id_defaults_to_stem_and_all_forms() {
        let m = parse("// a comment\n\nlet x = 1;\n", "tls-min").unwrap();
        assert_eq!(m.id, "tls-min");
        assert!(m.applies_to("anything"));
        assert_eq!(m.help(), None);
    }

    #[test]
    fn unknown_key_points_at_it() {
        let src = "//! id: A\n//! form: sds-6.0\n";
        let e = parse(src, "a").unwrap_err();
        assert!(e.message.contains("did you mean `forms`"), "{}", e.message);
        assert_eq!(&src[e.span.start..e.span.end], "form");
    }

    #[test]
    fn bad_ids() {
        let src = "//! id: two words\n";
        let e = parse(src, "a").unwrap_err();
        assert_eq!(&src[e.span.start..e.span.end], "two words");
        assert!(parse("//! id: A\n//! id: B\n", "a").is_err());
        assert!(parse("//! forms: ,\n", "a").is_err());
    }
}

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use crate::form::{DEFAULT_FORM, Form, FormRegistry, Question};
use crate::text::display_width;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji form list
  kaiji form show 17.1.d
  kaiji form list -f json > sds-6.0.json
  kaiji --form-file mds-6.0.toml form list --form mds-6.0")]
pub struct FormArgs {
    #[command(subcommand)]
    pub action: FormAction,

    /// The form to read.
    #[arg(long, global = true, default_value = DEFAULT_FORM)]
    pub form: String,

    /// Output format.
    #[arg(short, long, value_enum, global = true, default_value = "human")]
    pub format: FormFormat,
}

#[derive(Debug, Subcommand)]
pub enum FormAction {
    /// Every question in form order, grouped by section.
    #[command(after_help = "\
Examples:
  kaiji form list                                   sds-6.0, grouped by section
  kaiji form list -f json > sds-6.0.json            the catalog as JSON
  kaiji --form-file mds-6.0.toml form list --form mds-6.0")]
    List,
    /// One question: its text, section, kind, parent and children.
    #[command(after_help = "\
Examples:
  kaiji form show 17.1.d                            text, section, kind, parent, children
  kaiji form show 17                                a gate (該当/非該当) and its children
  kaiji form show 17.1.d -f json")]
    Show {
        /// Question id, e.g. 17.1.d
        id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormFormat {
    Human,
    Json,
}

/// `writeln!` into a String, which cannot fail.
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

fn question_json(q: &Question) -> serde_json::Value {
    json!({ "id": q.id, "text": q.text, "section": q.section, "kind": q.kind, "parent": q.parent })
}

pub fn run(args: FormArgs, forms: &FormRegistry) -> miette::Result<u8> {
    let form = forms.get(&args.form)?;
    match args.action {
        FormAction::List => super::output::print(&list(&form, args.format))?,
        FormAction::Show { id } => super::output::print(&show(&form, &id, args.format)?)?,
    }
    Ok(0)
}

fn list(form: &Form, format: FormFormat) -> String {
    let mut out = String::new();
    match format {
        FormFormat::Json => {
            let v = json!({
                "id": form.id,
                "title": form.title,
                "guideline": form.guideline,
                "questions": form.questions().iter().map(question_json).collect::<Vec<_>>(),
            });
            outln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        FormFormat::Human => {
            outln!(out, "{} {} — {} ({} questions)", form.id, form.title, form.guideline, form.len());
            let id_width = form.questions().iter().map(|q| display_width(&q.id)).max().unwrap_or(0);
            let mut section = "";
            for q in form.questions() {
                if q.section != section {
                    section = &q.section;
                    outln!(out, "\n■ {section}");
                }
                let mark = match q.kind {
                    crate::form::Kind::Applicability => "該当/非該当",
                    crate::form::Kind::YesNo => "",
                };
                let pad = " ".repeat(id_width - display_width(&q.id));
                outln!(
                    out,
                    "  {}{pad}  {}{}",
                    q.id,
                    q.text,
                    if mark.is_empty() { String::new() } else { format!("  [{mark}]") }
                );
            }
        }
    }
    out
}

fn show(form: &Form, id: &str, format: FormFormat) -> miette::Result<String> {
    let mut out = String::new();
    let id = crate::text::normalize(id);
    let Some(q) = form.question(&id) else {
        let hint = form.suggest(&id).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default();
        miette::bail!("question {id} is not in form {}{hint}", form.id);
    };
    let children: Vec<&str> =
        form.questions().iter().filter(|c| c.parent.as_deref() == Some(q.id.as_str())).map(|c| c.id.as_str()).collect();
    match format {
        FormFormat::Json => {
            let mut v = question_json(q);
            v["children"] = json!(children);
            outln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        FormFormat::Human => {
            outln!(out, "{}  {}", q.id, q.text);
            outln!(out, "  section: {}", q.section);
            let choices: Vec<&str> = q.kind.choices().iter().map(|c| c.as_str()).collect();
            outln!(out, "  kind:    {} ({})", q.kind.as_str(), choices.join(" / "));
            if let Some(p) = &q.parent {
                outln!(out, "  parent:  {p}");
            }
            if !children.is_empty() {
                outln!(out, "  children: {}", children.join(", "));
            }
        }
    }
    Ok(out)
}

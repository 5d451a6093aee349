use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use kaiji::form::{DEFAULT_FORM, Form, FormRegistry, Question};
use kaiji::text::display_width;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kaiji form list
  kaiji form show 17.1.d
  kaiji form list -f json > sds-6.0.json
  kaiji form new mds-blank.pdf --id mds-6.0 -o mds-6.0.toml
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
    /// Build a catalog from a form's own text or PDF (blank or filled).
    #[command(after_help = "\
Examples:
  kaiji form new mds.pdf --id mds-6.0 -o mds-6.0.toml
  kaiji form new sds.txt --id sds-6.0 --standard JAHIS標準24-005 --edition Ver.5.0 > sds-6.0.toml
  kaiji form new sds-next.txt --id sds-7.0 -o sds-7.0.toml --force
  kaiji --form-file mds-6.0.toml form list --form mds-6.0

Question ids come from the printed numbers, repaired by their order (`1 7. 1`
is 17.1, `1.7.3` after 17.2 is 17.3); ・ bullets under a question become its
items .a, .b …; kinds come from the printed choices (はい/いいえ/対象外 or
該当/非該当); sections from the headings. Title and guideline are read from
the sheet's title line; the standard and edition only when printed, else
pass them. Answers, remarks and the header fields of a filled form are not
copied. What was guessed or left out goes to stderr.")]
    New(NewArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The form: a PDF, or text extracted from one (`pdftotext -layout`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The catalog's id, which sheets name (`form = "mds-6.0"`).
    #[arg(long)]
    pub id: String,

    /// Input format (default: pdf for .pdf, else text).
    #[arg(long, value_enum)]
    pub from: Option<NewSource>,

    /// Write the catalog to OUT instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Overwrite OUT if it exists.
    #[arg(long)]
    pub force: bool,

    /// The form's title (default: read from its title line).
    #[arg(long)]
    pub title: Option<String>,

    /// The guideline the form is written for (default: read from its title line).
    #[arg(long)]
    pub guideline: Option<String>,

    /// The standard that publishes the form, e.g. JAHIS標準24-005 (default: read when printed).
    #[arg(long)]
    pub standard: Option<String>,

    /// The form's own version, e.g. Ver.5.0 (default: read when printed).
    #[arg(long)]
    pub edition: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewSource {
    Text,
    Pdf,
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

pub fn run(args: FormArgs, forms: &FormRegistry, form_files: &[PathBuf]) -> miette::Result<u8> {
    if let FormAction::New(new_args) = args.action {
        return new(new_args, form_files);
    }
    let form = forms.get(&args.form)?;
    let text = match args.action {
        FormAction::List => list(&form, args.format),
        FormAction::Show { id } => show(&form, &id, args.format)?,
        FormAction::New(_) => unreachable!("handled above"),
    };
    // A --form-file catalog's texts are someone else's: shown printable
    // (JSON with the controls serde_json leaves raw escaped), like a sheet's.
    let text = match args.format {
        FormFormat::Human => kaiji::text::printable(&text).into_owned(),
        FormFormat::Json => kaiji::text::escape_json_controls(&text).into_owned(),
    };
    super::output::print(&text)?;
    Ok(0)
}

/// `kaiji form new`: a catalog from a form's text.
fn new(args: NewArgs, form_files: &[PathBuf]) -> miette::Result<u8> {
    let mut read = super::output::RunInputs::default();
    read.add("form", &args.file);
    read.add_form_catalogs(form_files);
    read.refuse_as_output(args.output.as_deref())?;
    if let Some(out) = &args.output {
        super::output::refuse_overwrite(out, args.force)?;
    }
    let pdf = args.file.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let source = args.from.unwrap_or(if pdf { NewSource::Pdf } else { NewSource::Text });
    let kind = match source {
        NewSource::Text => kaiji::walk::InputKind::TextImport,
        NewSource::Pdf => kaiji::walk::InputKind::Pdf,
    };
    let shown = args.file.display().to_string();
    let opts = kaiji::import::catalog::Options {
        id: args.id.clone(),
        title: args.title.clone(),
        guideline: args.guideline.clone(),
        standard: args.standard.clone(),
        edition: args.edition.clone(),
    };
    let bytes = kaiji::walk::read_input(&args.file, kind)?;
    let built = match source {
        NewSource::Text => kaiji::import::catalog::from_text_bytes(&bytes, &shown, &opts)?,
        NewSource::Pdf => kaiji::import::catalog::from_pdf_bytes(&bytes, &shown, &opts)?,
    };
    super::output::write_or_stdout(args.output.as_deref(), built.toml.as_bytes(), args.force)?;
    let f = &built.form;
    let target = args.output.as_ref().map(|o| format!(" → {}", o.display())).unwrap_or_default();
    let sections = {
        let mut s: Vec<&str> = f.questions().iter().map(|q| q.section.as_str()).collect();
        s.dedup();
        s.len()
    };
    let applicability = f.questions().iter().filter(|q| q.kind == kaiji::form::Kind::Applicability).count();
    let mut msg = format!(
        "kaiji form new: {shown}{target}\n  form {}: {} questions ({applicability} 該当/非該当) in {sections} sections",
        f.id,
        f.len()
    );
    for (what, value, flag) in [
        ("title", &f.title, "--title"),
        ("guideline", &f.guideline, "--guideline"),
        ("standard", &f.standard, "--standard"),
        ("edition", &f.edition, "--edition"),
    ] {
        if value.is_empty() {
            msg.push_str(&format!("\n  {what}: not printed; pass {flag}"));
        }
    }
    for w in &built.warnings {
        msg.push_str("\n  warning: ");
        msg.push_str(&kaiji::text::printable_line(w));
    }
    eprintln!("{}", kaiji::text::printable(&msg));
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
                "standard": form.standard,
                "edition": form.edition,
                "questions": form.questions().iter().map(question_json).collect::<Vec<_>>(),
            });
            outln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        FormFormat::Human => {
            outln!(out, "{} {} — {} ({} questions)", form.id, form.title, form.guideline, form.len());
            let what: Vec<&str> =
                [form.standard.as_str(), form.edition.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
            if !what.is_empty() {
                outln!(out, "  form: {}", what.join(" "));
            }
            let id_width = form.questions().iter().map(|q| display_width(&q.id)).max().unwrap_or(0);
            let mut section = "";
            for q in form.questions() {
                if q.section != section {
                    section = &q.section;
                    outln!(out, "\n■ {section}");
                }
                let mark = match q.kind {
                    kaiji::form::Kind::Applicability => "該当/非該当",
                    kaiji::form::Kind::YesNo => "",
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
    let id = kaiji::text::normalize(id);
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

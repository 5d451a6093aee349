//! The options `check` and `lint` share for vendor documents among their
//! inputs (PDFs, workbooks, extracted text), imported in the run.

use std::path::{Path, PathBuf};

use clap::Args;

use kaiji::form::{DEFAULT_FORM, FormRegistry};
use kaiji::runner::{Accept, Input, Run, SaveImported};

#[derive(Debug, Args)]
#[command(next_help_heading = "Vendor documents (.pdf, .xlsx/.xlsm/.xls/.xlsb/.ods, .txt) among the inputs")]
pub struct DocumentArgs {
    /// The form documents are imported against.
    #[arg(long, value_name = "ID", default_value = DEFAULT_FORM)]
    pub form: String,

    /// Write each document's imported sheet to DIR/<name>.toml (the fill-in sheet `kaiji
    /// import` writes, with where each answer was read), for review. Saved into the
    /// vendors' own directory, the next run reads the sheet instead of the document.
    #[arg(long, value_name = "DIR")]
    pub save_imported: Option<PathBuf>,

    /// With --save-imported: replace sheets already in DIR.
    #[arg(long, requires = "save_imported")]
    pub force: bool,
}

impl DocumentArgs {
    /// Expand the run's arguments into inputs, documents included, with a
    /// note on stderr for what was left out.
    pub fn expand(&self, args: &[String]) -> Vec<Input> {
        let expanded = kaiji::runner::expand_inputs(args, Accept { documents: true });
        super::output::note_not_sheets(&expanded.not_sheets);
        note_superseded(&expanded.superseded);
        expanded.inputs
    }

    /// The `--save-imported` check, its directory made if missing; a path
    /// that is not a directory is a usage error (exit 2) before anything runs.
    pub fn save(&self, inputs: &[Input]) -> miette::Result<Option<SaveImported>> {
        let Some(dir) = &self.save_imported else { return Ok(None) };
        if dir.exists() && !dir.is_dir() {
            miette::bail!(
                code = "kaiji::usage::save_imported",
                help = "give a directory (it is made if missing)",
                "--save-imported {} is not a directory; nothing was evaluated",
                dir.display()
            );
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            miette::miette!(code = "kaiji::usage::save_imported", "--save-imported {}: {e}", dir.display())
        })?;
        Ok(Some(SaveImported::new(dir, self.force, inputs)))
    }

    /// Apply the form and the save check to a run.
    pub fn apply<'a>(
        &self,
        run: Run<'a>,
        forms: &FormRegistry,
        save: Option<&'a SaveImported>,
    ) -> miette::Result<Run<'a>> {
        let mut run = run.document_form(forms.get(&self.form)?);
        if let Some(save) = save {
            run = run.check(save);
        }
        Ok(run)
    }
}

/// One note for the documents a same-named sheet replaced.
pub fn note_superseded(pairs: &[(PathBuf, PathBuf)]) {
    const SHOWN: usize = 3;
    if pairs.is_empty() {
        return;
    }
    let show = |p: &Path| kaiji::text::printable_line(&p.display().to_string()).into_owned();
    let mut names: Vec<String> =
        pairs.iter().take(SHOWN).map(|(doc, sheet)| format!("{} (for {})", show(sheet), show(doc))).collect();
    if pairs.len() > SHOWN {
        names.push(format!("and {} more", pairs.len() - SHOWN));
    }
    eprintln!(
        "note: read {} reviewed sheet(s) instead of the document beside each: {}; to import a document \
         again, name it alone",
        pairs.len(),
        names.join(", ")
    );
}

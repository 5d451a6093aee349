//! `--save-imported DIR`: each vendor document imported in a run written as
//! the sheet `kaiji import` would write (the fill-in TOML, with `[source]`
//! and `[evidence]`), for the committee to review and fill in.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Input;
use crate::outcome::{Check, RunError, SheetReport};
use crate::sheet::Sheet;

/// Writes every imported document's sheet to `DIR/<stem>.toml`, as a check
/// of the run (so it happens on the workers, once per document, whatever
/// the report format). Never replaces an existing file unless `force`.
/// Two documents of one stem in a run (`a/acme.pdf`, `b/acme.xlsx`) would
/// write one file: neither is saved, and both reports say why.
pub struct SaveImported {
    dir: PathBuf,
    force: bool,
    /// Document path as the run shows it → the file its sheet goes to, or
    /// why it cannot be saved.
    targets: HashMap<String, Result<PathBuf, String>>,
}

impl SaveImported {
    /// Plan where each document among `inputs` is saved under `dir`.
    pub fn new(dir: &Path, force: bool, inputs: &[Input]) -> SaveImported {
        let documents: Vec<&PathBuf> =
            super::files(inputs).filter(|p| crate::import::Source::of_document(p).is_some()).collect();
        let mut by_stem: HashMap<OsString, Vec<&PathBuf>> = HashMap::new();
        for d in &documents {
            by_stem.entry(d.file_stem().unwrap_or_default().to_os_string()).or_default().push(d);
        }
        let mut targets = HashMap::new();
        for (stem, docs) in &by_stem {
            let mut name = stem.clone();
            name.push(".toml");
            let target = dir.join(name);
            for d in docs {
                let planned = match docs.len() {
                    1 => Ok(target.clone()),
                    _ => Err(format!(
                        "not saved: {} documents of this run would be saved as {} ({}); save them in separate runs",
                        docs.len(),
                        target.display(),
                        docs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
                    )),
                };
                targets.insert(d.display().to_string(), planned);
            }
        }
        SaveImported { dir: dir.to_path_buf(), force, targets }
    }

    /// The directory sheets are saved to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn save(&self, sheet: &Sheet, target: &Path) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("cannot save the imported sheet as {}: {e}", target.display());
        let mut tmp = tempfile::Builder::new().prefix(".kaiji-").tempfile_in(&self.dir).map_err(fail)?;
        tmp.write_all(sheet.source.as_bytes()).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        if self.force {
            tmp.persist(target).map_err(|e| fail(e.error))?;
        } else {
            tmp.persist_noclobber(target).map_err(|e| match e.error.kind() {
                std::io::ErrorKind::AlreadyExists => format!(
                    "not saved: {} exists (pass --force to replace it, or choose another --save-imported directory)",
                    target.display()
                ),
                _ => fail(e.error),
            })?;
        }
        Ok(())
    }
}

impl Check for SaveImported {
    fn check(&self, sheet: &Arc<Sheet>, report: &mut SheetReport) {
        if !sheet.imported {
            return;
        }
        let planned = match self.targets.get(&sheet.path) {
            Some(p) => p.clone(),
            None => Err("not saved: the document was not among the run's inputs".to_string()),
        };
        let saved = planned.and_then(|target| self.save(sheet, &target).map(|()| target));
        match saved {
            Ok(target) => {
                if let Some(import) = report.import.as_mut() {
                    Arc::make_mut(import).saved = Some(target.display().to_string());
                }
            }
            Err(message) => report.errors.push(RunError::new(format!("{}: {message}", sheet.path))),
        }
    }
}

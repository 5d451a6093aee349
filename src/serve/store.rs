//! The documents `kaiji serve` holds, and their report.
//!
//! Each document is a file in a private temporary directory, under its
//! [`DocName`]; the directory is removed when the [`Store`] is dropped (the
//! server ends, Ctrl-C included). After every change the store runs the
//! library's runner over every held file — the code path of `kaiji check
//! DIR -f html` — rendering the JSON, html and xlsx reports at once into
//! memory, so what the page shows, what it downloads and what the command
//! line writes cannot differ. Nothing here is async: the server calls it on
//! a blocking thread.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::names::DocName;
use crate::form::FormRegistry;
use crate::outcome::{FailOn, RunCommand};
use crate::policy::PolicySet;
use crate::report::{Format, Renderer, RunInfo, SheetReport, Style, Summary};
use crate::runner::{Input, Run};
use crate::waiver::{WaiverCheck, WaiverSet};

/// What every evaluation applies: the form catalogs, the policies, the
/// waivers, and how a sheet is judged. Made once, when the server starts.
pub struct Setup {
    pub forms: FormRegistry,
    pub policies: PolicySet,
    /// The waiver file, validated against `forms`. A fresh
    /// [`WaiverCheck`] is made from it for each evaluation (it counts what
    /// each waiver matched in one run), judged on that day.
    pub waivers: Option<WaiverSet>,
    pub fail_on: FailOn,
    /// The date the reports state (`SOURCE_DATE_EPOCH`), if any.
    pub date: Option<String>,
    /// Worker threads per evaluation; 0 means one per core.
    pub jobs: usize,
}

/// Bounds on what the store holds.
#[derive(Debug, Clone, Copy)]
pub struct StoreLimits {
    /// Documents held at once.
    pub documents: usize,
    /// Bytes held at once, all documents together.
    pub bytes: u64,
}

impl Default for StoreLimits {
    fn default() -> Self {
        // A screening round is tens of vendors; every change re-evaluates
        // all of them, so a thousand PDFs belong to `kaiji check`.
        StoreLimits { documents: 200, bytes: 1 << 30 }
    }
}

/// The current report of every held document, in three formats.
pub struct Reports {
    /// Counts every change; the page asks for the html again when it moves.
    pub generation: u64,
    pub json: Vec<u8>,
    pub html: Vec<u8>,
    pub xlsx: Vec<u8>,
    pub summary: Summary,
}

/// Why a document was not taken or not found.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{name}: kaiji serve already holds {limit} documents; forget some (the × button) or check a large \
         batch with `kaiji check DIR`"
    )]
    TooMany { name: String, limit: usize },
    #[error(
        "{name}: the documents held would take {total} bytes, over the limit of {limit}; forget some, or check a \
         large batch with `kaiji check DIR`"
    )]
    TooMuch { name: String, total: u64, limit: u64 },
    #[error("no document named {0} is held")]
    NotHeld(String),
    #[error("cannot write the document into the temporary directory: {0}")]
    Io(#[from] io::Error),
    #[error("cannot make the fill-in workbook of {name}: {reason}")]
    FillIn { name: String, reason: String },
}

struct Held {
    name: DocName,
    size: u64,
}

/// The held documents (see the module docs).
pub struct Store {
    setup: Arc<Setup>,
    limits: StoreLimits,
    /// The documents' directory, removed with the store.
    dir: tempfile::TempDir,
    /// Uploads being received, each in its own file (names that no
    /// [`DocName`] can take: they start with a dot).
    incoming: PathBuf,
    /// By [`DocName::key`].
    docs: BTreeMap<String, Held>,
    reports: Arc<Reports>,
}

impl Store {
    /// An empty store in a new private temporary directory, with the report
    /// of no documents.
    pub fn new(setup: Arc<Setup>, limits: StoreLimits) -> io::Result<Store> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("kaiji-serve-");
        // Vendors' documents: for this user only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder.tempdir()?;
        let incoming = dir.path().join(".incoming");
        std::fs::create_dir(&incoming)?;
        let empty = Arc::new(Reports {
            generation: 0,
            json: Vec::new(),
            html: Vec::new(),
            xlsx: Vec::new(),
            summary: Summary::default(),
        });
        let mut store = Store { setup, limits, dir, incoming, docs: BTreeMap::new(), reports: empty };
        store.evaluate()?;
        Ok(store)
    }

    /// Where an upload is received before [`Store::add`] takes it.
    pub fn incoming(&self) -> &Path {
        &self.incoming
    }

    /// The directory the documents are held in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The names of the held documents, in report order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.docs.values().map(|h| h.name.as_str().to_string()).collect();
        names.sort();
        names
    }

    /// Hold the file at `staged` (a file of `size` bytes under
    /// [`Store::incoming`]) as `name`, replacing the held document of the
    /// same key. The file is moved, not copied. Does not re-evaluate.
    pub fn add(&mut self, name: DocName, staged: &Path, size: u64) -> Result<(), StoreError> {
        let replaced = self.docs.get(name.key()).map_or(0, |h| h.size);
        if replaced == 0 && !self.docs.contains_key(name.key()) && self.docs.len() >= self.limits.documents {
            return Err(StoreError::TooMany { name: name.as_str().to_string(), limit: self.limits.documents });
        }
        let total = self.held_bytes() - replaced + size;
        if total > self.limits.bytes {
            return Err(StoreError::TooMuch { name: name.as_str().to_string(), total, limit: self.limits.bytes });
        }
        if let Some(old) = self.docs.remove(name.key()) {
            std::fs::remove_file(self.dir.path().join(old.name.as_str()))?;
        }
        std::fs::rename(staged, self.dir.path().join(name.as_str()))?;
        self.docs.insert(name.key().to_string(), Held { name, size });
        Ok(())
    }

    /// Hold every file of one upload ([`Store::add`] each, in order: of two
    /// with one key the later is held), or, when the store's limits refuse
    /// them together, none.
    pub fn add_all(&mut self, files: Vec<(DocName, tempfile::TempPath, u64)>) -> Result<(), StoreError> {
        let mut after: BTreeMap<&str, u64> = self.docs.iter().map(|(k, h)| (k.as_str(), h.size)).collect();
        for (name, _, size) in &files {
            let new = !after.contains_key(name.key());
            if new && after.len() >= self.limits.documents {
                return Err(StoreError::TooMany { name: name.as_str().to_string(), limit: self.limits.documents });
            }
            after.insert(name.key(), *size);
            let total = after.values().sum();
            if total > self.limits.bytes {
                return Err(StoreError::TooMuch { name: name.as_str().to_string(), total, limit: self.limits.bytes });
            }
        }
        for (name, path, size) in files {
            self.add(name, &path, size)?;
        }
        Ok(())
    }

    /// Hold `bytes` as `name` (a document read from the preload folder).
    pub fn add_bytes(&mut self, name: DocName, bytes: &[u8]) -> Result<(), StoreError> {
        let staged = tempfile::NamedTempFile::with_prefix_in(".up-", &self.incoming)?;
        std::fs::write(staged.path(), bytes)?;
        let (_, path) = staged.keep().map_err(|e| e.error)?;
        let added = self.add(name, &path, bytes.len() as u64);
        if added.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        added
    }

    /// Whether a document of `name`'s key is held (an upload of it replaces
    /// that one).
    pub fn holds_key(&self, name: &DocName) -> bool {
        self.docs.contains_key(name.key())
    }

    /// Forget the document shown as `name`. Does not re-evaluate.
    pub fn forget(&mut self, name: &str) -> Result<(), StoreError> {
        let key = self
            .docs
            .iter()
            .find(|(_, h)| h.name.as_str() == name)
            .map(|(k, _)| k.clone())
            .ok_or_else(|| StoreError::NotHeld(crate::text::printable_line(name).into_owned()))?;
        let held = self.docs.remove(&key).expect("found above");
        std::fs::remove_file(self.dir.path().join(held.name.as_str()))?;
        Ok(())
    }

    fn held_bytes(&self) -> u64 {
        self.docs.values().map(|h| h.size).sum()
    }

    /// The current reports.
    pub fn reports(&self) -> Arc<Reports> {
        self.reports.clone()
    }

    /// Run the checks over every held document and keep the three reports.
    pub fn evaluate(&mut self) -> io::Result<()> {
        let setup = &*self.setup;
        let waivers = setup.waivers.as_ref().map(|set| waiver_check(set, &setup.policies));
        let mut run = Run::new(RunCommand::Check, &setup.forms)
            .lint(true)
            .policies(&setup.policies)
            .fail_on(setup.fail_on)
            .jobs(setup.jobs)
            .date(setup.date.clone())
            .names_under(self.dir.path());
        if let Some(w) = &waivers {
            run = run.waivers(w);
        }
        let runner = run.build();
        let inputs: Vec<Input> = self.names().into_iter().map(|name| Input::File(self.dir.path().join(name))).collect();
        let (mut json, mut html, mut xlsx) = (Vec::new(), Vec::new(), Vec::new());
        let summary = {
            let style = Style::plain(100);
            let mut all = Tee(vec![
                crate::report::renderer(Format::Json, Box::new(&mut json), style.clone()),
                crate::report::renderer(Format::Html, Box::new(&mut html), style.clone()),
                crate::report::renderer(Format::Xlsx, Box::new(&mut xlsx), style),
            ]);
            runner.run(&inputs, &mut all)?
        };
        let generation = self.reports.generation + 1;
        self.reports = Arc::new(Reports { generation, json, html, xlsx, summary });
        Ok(())
    }

    /// The fill-in workbook of the document shown as `name` (what `kaiji
    /// export` writes): a sheet's answers, or what its import read, in the
    /// form's layout, for a person to complete and upload again.
    pub fn fill_in(&self, name: &str) -> Result<(String, Vec<u8>), StoreError> {
        let held = self
            .docs
            .values()
            .find(|h| h.name.as_str() == name)
            .ok_or_else(|| StoreError::NotHeld(crate::text::printable_line(name).into_owned()))?;
        let path = self.dir.path().join(held.name.as_str());
        let shown = held.name.as_str();
        let fail = |reason: String| StoreError::FillIn {
            name: crate::text::printable_line(shown).into_owned(),
            reason: crate::text::printable_line(&reason).into_owned(),
        };
        let forms = &self.setup.forms;
        let bytes = if held.name.kind() == crate::walk::InputKind::Sheet {
            let sheet = crate::sheet::load_file_named(&path, shown, forms).map_err(|e| fail(e.to_string()))?;
            crate::export::to_xlsx(&sheet.to_doc(), &sheet.form)
        } else {
            let form = forms.get(crate::form::DEFAULT_FORM).map_err(|e| fail(e.to_string()))?;
            let options = crate::import::ImportOptions { partial: true, sheet: None };
            let source = crate::import::Source::from_path(&path);
            let bytes = crate::walk::read_input(&path, source.input_kind()).map_err(|e| fail(e.reason()))?;
            let imported =
                crate::import::import_bytes(&bytes, shown, source, &form, &options).map_err(|e| fail(e.to_string()))?;
            crate::export::to_xlsx(&imported.doc, &form)
        }
        .map_err(|e| fail(e.to_string()))?;
        let stem = shown.rsplit_once('.').map_or(shown, |(s, _)| s);
        Ok((format!("{stem}.xlsx"), bytes))
    }
}

/// The waivers of `set` for one run of `policies` and the lint rules,
/// judged today (as `kaiji check --waivers` judges them).
fn waiver_check(set: &WaiverSet, policies: &PolicySet) -> WaiverCheck {
    let rules: Vec<&str> =
        policies.policies().iter().map(|p| p.id()).chain(crate::lint::RULES.iter().map(|r| r.info().name)).collect();
    WaiverCheck::new(set.clone(), WaiverCheck::local_today()).in_run(rules.iter().copied())
}

/// Several renderers fed one run: each report is evaluated once and
/// rendered in every format.
struct Tee<'w>(Vec<Box<dyn Renderer + 'w>>);

impl Renderer for Tee<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|r| r.begin(run))
    }

    fn sheet(&mut self, report: &SheetReport) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|r| r.sheet(report))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.0.iter_mut().try_for_each(|r| r.finish(summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Arc<Setup> {
        let forms = FormRegistry::builtin();
        let policies = PolicySet::builtin(crate::policy::Limits::default()).check_forms(&forms);
        Arc::new(Setup { forms, policies, waivers: None, fail_on: FailOn::default(), date: None, jobs: 1 })
    }

    fn example(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets").join(name)).unwrap()
    }

    fn json(store: &Store) -> serde_json::Value {
        serde_json::from_slice(&store.reports().json).unwrap()
    }

    #[test]
    fn reports_name_documents_as_uploaded_and_match_check() {
        let mut store = Store::new(setup(), StoreLimits::default()).unwrap();
        assert_eq!(json(&store)["summary"]["sheets"], 0);
        store.add_bytes(DocName::new("sakura-support.toml").unwrap(), &example("sakura-support.toml")).unwrap();
        store.add_bytes(DocName::new("aozora-cloud.toml").unwrap(), &example("aozora-cloud.toml")).unwrap();
        store.evaluate().unwrap();
        let report = json(&store);
        let paths: Vec<&str> =
            report["sheets"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
        assert_eq!(paths, ["aozora-cloud.toml", "sakura-support.toml"]);
        let dir = store.dir().display().to_string();
        for (what, bytes) in [("json", &store.reports().json), ("html", &store.reports().html)] {
            assert!(!String::from_utf8_lossy(bytes).contains(&dir), "{what} names the temporary directory");
        }
        assert!(store.reports().xlsx.starts_with(b"PK"), "a workbook");
        assert_eq!(store.reports().generation, 2);
    }

    #[test]
    fn same_key_replaces_and_forget_removes_the_file() {
        let mut store = Store::new(setup(), StoreLimits::default()).unwrap();
        store.add_bytes(DocName::new("acme.toml").unwrap(), &example("sakura-support.toml")).unwrap();
        store.add_bytes(DocName::new("ACME.json").unwrap(), &example("hinode-systems.json")).unwrap();
        assert_eq!(store.names(), ["ACME.json"]);
        assert!(!store.dir().join("acme.toml").exists());
        store.forget("ACME.json").unwrap();
        assert!(store.names().is_empty());
        assert!(matches!(store.forget("ACME.json"), Err(StoreError::NotHeld(_))));
        let files: Vec<_> = std::fs::read_dir(store.dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files, [std::ffi::OsString::from(".incoming")]);
        let incoming = std::fs::read_dir(store.incoming()).unwrap().count();
        assert_eq!(incoming, 0, "no staged file left behind");
    }

    #[test]
    fn limits_refuse_without_changing_what_is_held() {
        let mut store = Store::new(setup(), StoreLimits { documents: 1, bytes: 1 << 20 }).unwrap();
        store.add_bytes(DocName::new("a.toml").unwrap(), &example("aozora-cloud.toml")).unwrap();
        let err = store.add_bytes(DocName::new("b.toml").unwrap(), &example("aozora-cloud.toml")).unwrap_err();
        assert!(matches!(err, StoreError::TooMany { limit: 1, .. }), "{err}");
        // Replacing the one held is not one more.
        store.add_bytes(DocName::new("a.json").unwrap(), &example("hinode-systems.json")).unwrap();
        let err = store.add_bytes(DocName::new("a.toml").unwrap(), &vec![b' '; 2 << 20]).unwrap_err();
        assert!(matches!(err, StoreError::TooMuch { .. }), "{err}");
        assert_eq!(store.names(), ["a.json"]);
        assert_eq!(std::fs::read_dir(store.incoming()).unwrap().count(), 0);
    }

    #[test]
    fn the_directory_is_removed_with_the_store() {
        let mut store = Store::new(setup(), StoreLimits::default()).unwrap();
        store.add_bytes(DocName::new("a.toml").unwrap(), &example("aozora-cloud.toml")).unwrap();
        let dir = store.dir().to_path_buf();
        assert!(dir.join("a.toml").is_file());
        drop(store);
        assert!(!dir.exists());
    }

    #[test]
    fn fill_in_workbook_of_a_sheet_imports_back_to_its_answers() {
        let mut store = Store::new(setup(), StoreLimits::default()).unwrap();
        store.add_bytes(DocName::new("sakura.toml").unwrap(), &example("sakura-support.toml")).unwrap();
        let (name, xlsx) = store.fill_in("sakura.toml").unwrap();
        assert_eq!(name, "sakura.xlsx");
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sakura.xlsx");
        std::fs::write(&path, &xlsx).unwrap();
        let form = store.setup.forms.get(crate::form::DEFAULT_FORM).unwrap();
        let back = crate::import::import_file(
            &path,
            crate::import::Source::Xlsx,
            &form,
            &crate::import::ImportOptions { partial: true, sheet: None },
        )
        .unwrap();
        let sheet = crate::sheet::load_file(&store.dir().join("sakura.toml"), &store.setup.forms).unwrap();
        assert_eq!(back.doc.answers, sheet.to_doc().answers);
        assert!(matches!(store.fill_in("nothing.toml"), Err(StoreError::NotHeld(_))));
    }
}

//! Finding policy files, and the module resolver that lets a policy
//! `import` other files of its own policy directory and nothing else.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope};

/// A module shared between threads (`rhai::Shared` is `Arc` under `sync`).
type SharedModule = Arc<Module>;

/// Problems that stop a run before any sheet is read (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("policy path {path} does not exist")]
    #[diagnostic(code(kaiji::policy::not_found), help("-p takes a .rhai file or a directory of them"))]
    NotFound { path: String },
    #[error("cannot read policy {path}: {source}")]
    #[diagnostic(code(kaiji::policy::io))]
    Io { path: String, source: std::io::Error },
    #[error("no policies (*.rhai) under {path}")]
    #[diagnostic(
        code(kaiji::policy::empty),
        help("files and directories whose names start with `_` or `.` are not policies (they are for `import`)")
    )]
    Empty { path: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::walk::ReadError),
    #[error("policy id `{id}` is used by both {first} and {second}")]
    #[diagnostic(code(kaiji::policy::duplicate), help("policy ids must be unique: give one of them another `//! id:`"))]
    Duplicate { id: String, first: String, second: String },
}

/// Where a policy's imports are looked up: the policy directory on disk,
/// or a set of files in memory (the built-in pack, tests).
#[derive(Debug, Clone)]
pub(crate) enum Root {
    Dir { canonical: PathBuf, shown: PathBuf },
    Memory { files: Arc<BTreeMap<String, Arc<str>>>, prefix: String },
}

/// One policy file to compile.
pub(crate) struct PolicyFile {
    pub shown: String,
    pub stem: String,
    pub text: Arc<str>,
    pub root: Root,
}

fn io(path: &Path, source: std::io::Error) -> LoadError {
    LoadError::Io { path: path.display().to_string(), source }
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

/// The policy files under `arg` (a file or a directory, recursively), in
/// path order.
pub(crate) fn discover(arg: &Path) -> Result<Vec<PolicyFile>, LoadError> {
    let meta = std::fs::metadata(arg).map_err(|_| LoadError::NotFound { path: arg.display().to_string() })?;
    let (root_shown, files) = if meta.is_dir() {
        let files = walk(arg)?;
        if files.is_empty() {
            return Err(LoadError::Empty { path: arg.display().to_string() });
        }
        (arg.to_path_buf(), files)
    } else {
        let parent = arg.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        (parent.to_path_buf(), vec![arg.to_path_buf()])
    };
    let canonical = root_shown.canonicalize().map_err(|e| io(&root_shown, e))?;
    let root = Root::Dir { canonical, shown: root_shown };
    files
        .into_iter()
        .map(|f| {
            let text = crate::walk::read_input_text(&f, crate::walk::InputKind::Policy)?;
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Ok(PolicyFile { shown: f.display().to_string(), stem, text: text.into(), root: root.clone() })
        })
        .collect()
}

/// The `.rhai` files under `dir`, sorted, each real file once; `_` and `.`
/// names are left out. A directory that cannot be read is an error: a
/// policy silently missing would pass sheets it should fail.
fn walk(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let keep = |p: &Path| p.extension().is_some_and(|e| e == "rhai");
    let found = crate::walk::Walk { max_depth: crate::walk::MAX_DEPTH, skip_name: &is_hidden, keep: &keep }.run(dir);
    match found.errors.into_iter().next() {
        Some((path, e)) => Err(io(&path, e)),
        None => Ok(found.files),
    }
}

/// Policy files held in memory: `files` maps paths relative to the root
/// (with `/`) to text; `prefix` is prepended for display.
pub(crate) fn memory(files: &[(&str, &str)], prefix: &str) -> Vec<PolicyFile> {
    let map: Arc<BTreeMap<String, Arc<str>>> =
        Arc::new(files.iter().map(|(p, t)| (p.to_string(), Arc::from(*t))).collect());
    let root = Root::Memory { files: map.clone(), prefix: prefix.to_string() };
    map.iter()
        .filter(|(p, _)| p.ends_with(".rhai") && !p.split('/').any(is_hidden))
        .map(|(p, t)| PolicyFile {
            shown: format!("{prefix}{p}"),
            stem: Path::new(p).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            text: t.clone(),
            root: root.clone(),
        })
        .collect()
}

/// What the resolver saw while one policy compiled.
#[derive(Default)]
pub(crate) struct Imports {
    /// Modules read, by shown path, with their text (for diagnostics).
    pub sources: HashMap<String, Arc<str>>,
    /// Import string that failed, for pointing at its literal.
    pub failed: Option<String>,
    cache: HashMap<String, (String, SharedModule)>,
}

/// Resolves `import "path"` relative to the policy directory. Absolute
/// paths are refused, and so is anything whose canonical path (after `..`
/// and symlinks) lies outside the directory.
pub(crate) struct RootResolver {
    pub root: Root,
    pub imports: Arc<Mutex<Imports>>,
}

fn refuse(msg: String, pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(msg.into(), pos).into()
}

fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    Path::new(path).is_absolute()
        || path.starts_with(['/', '\\'])
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

impl RootResolver {
    /// (cache key, shown path, text) of the module `path` names.
    fn locate(&self, path: &str, pos: Position) -> Result<(String, String, Arc<str>), Box<EvalAltResult>> {
        if path.trim().is_empty() || is_absolute(path) || path.contains('\0') {
            return Err(refuse(
                format!("import \"{path}\" refused: imports must be relative paths inside the policy directory"),
                pos,
            ));
        }
        let rel = if Path::new(path).extension().is_some() { path.to_string() } else { format!("{path}.rhai") };
        // Resolve `.` and `..` lexically first: a path that climbs out of the
        // directory is refused without looking at the file system.
        let mut parts: Vec<&str> = Vec::new();
        for c in Path::new(&rel).components() {
            match c {
                Component::Normal(s) => parts.push(s.to_str().unwrap_or("")),
                Component::CurDir => {}
                Component::ParentDir if parts.pop().is_some() => {}
                _ => {
                    return Err(refuse(
                        format!("import \"{path}\" refused: it leads outside the policy directory"),
                        pos,
                    ));
                }
            }
        }
        let key = parts.join("/");
        match &self.root {
            Root::Dir { canonical, shown } => {
                let Ok(real) = canonical.join(&key).canonicalize() else {
                    return Err(EvalAltResult::ErrorModuleNotFound(path.to_string(), pos).into());
                };
                // Symlinks can still point elsewhere.
                if !real.starts_with(canonical) {
                    return Err(refuse(
                        format!("import \"{path}\" refused: it leads outside the policy directory {}", shown.display()),
                        pos,
                    ));
                }
                let text = crate::walk::read_input_text(&real, crate::walk::InputKind::Module)
                    .map_err(|e| refuse(format!("cannot read module \"{path}\": {}", e.reason()), pos))?;
                let shown = shown.join(&key).display().to_string();
                Ok((real.display().to_string(), shown, text.into()))
            }
            Root::Memory { files, prefix } => match files.get(&key) {
                Some(text) => Ok((key.clone(), format!("{prefix}{key}"), text.clone())),
                None => Err(EvalAltResult::ErrorModuleNotFound(path.to_string(), pos).into()),
            },
        }
    }
}

impl ModuleResolver for RootResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<SharedModule, Box<EvalAltResult>> {
        let fail = |e: Box<EvalAltResult>| {
            if let Ok(mut i) = self.imports.lock() {
                i.failed.get_or_insert_with(|| path.to_string());
            }
            e
        };
        let (key, shown, text) = self.locate(path, pos).map_err(fail)?;
        {
            let mut imports = self.imports.lock().map_err(|_| refuse("module cache poisoned".into(), pos))?;
            if let Some((shown, module)) = imports.cache.get(&key).cloned() {
                let text = text.clone();
                imports.sources.entry(shown).or_insert(text);
                return Ok(module);
            }
            imports.sources.insert(shown.clone(), text.clone());
        }
        let in_module = |e: Box<EvalAltResult>| -> Box<EvalAltResult> {
            fail(EvalAltResult::ErrorInModule(shown.clone(), e, pos).into())
        };
        let mut ast = engine.compile(&*text).map_err(|e| in_module(e.into()))?;
        ast.set_source(shown.as_str());
        let module: SharedModule = Module::eval_ast_as_new(Scope::new(), &ast, engine).map_err(in_module)?.into();
        if let Ok(mut i) = self.imports.lock() {
            i.cache.insert(key, (shown, module.clone()));
        }
        Ok(module)
    }
}

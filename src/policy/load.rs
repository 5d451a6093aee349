//! Finding policy files, and the module resolver that lets a policy
//! `import` other files of its own policy directory and nothing else.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rhai::{AST, Engine, EvalAltResult, Module, ModuleResolver, Position, Scope};

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
    #[error("policy id `{id}` ({path}) is the name of a lint rule")]
    #[diagnostic(
        code(kaiji::policy::lint_name),
        help(
            "a waiver names a policy or a lint rule by its id, so the two must not share one: give the policy another `//! id:` (`kaiji lint --list-rules` lists the rule names)"
        )
    )]
    LintName { id: String, path: String },
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
    /// Its path relative to the import root, as `import` would name it.
    pub key: String,
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
            let key = relative_key(&f, &root);
            Ok(PolicyFile { shown: f.display().to_string(), key, stem, text: text.into(), root: root.clone() })
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

/// `file`'s path below the directory root, with `/`.
fn relative_key(file: &Path, root: &Root) -> String {
    let Root::Dir { shown, .. } = root else { return String::new() };
    let rel = file.strip_prefix(shown).unwrap_or(file);
    rel.components().filter_map(|c| c.as_os_str().to_str()).collect::<Vec<_>>().join("/")
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
            key: p.clone(),
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
    /// Keys of the files being resolved, outermost first (the policy
    /// itself at the bottom): an import of one of them is a cycle.
    pub resolving: Vec<(String, String)>,
    /// Each import resolved: (importer's shown path, path as written, key).
    edges: Vec<(String, String, String)>,
    /// Modules compiled so far, by key: shown path, AST, and the module
    /// evaluated at load time (which only validates; every evaluation of a
    /// policy evaluates its modules afresh, see [`RuntimeResolver`]).
    cache: HashMap<String, (String, Arc<AST>, SharedModule)>,
}

impl Imports {
    /// Start compiling the policy `key` (shown as `shown`).
    pub fn begin(&mut self, key: &str, shown: &str) {
        self.sources.clear();
        self.edges.clear();
        self.failed = None;
        self.resolving = vec![(key.to_string(), shown.to_string())];
    }

    /// The compiled modules, for the runtime resolver.
    pub fn modules(&self) -> impl Iterator<Item = (&str, &str, &Arc<AST>)> {
        self.cache.iter().map(|(k, (shown, ast, _))| (k.as_str(), shown.as_str(), ast))
    }

    /// The imports the last policy compiled made: (importer, path as written, key).
    pub fn edges(&self) -> &[(String, String, String)] {
        &self.edges
    }
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

/// The key of the module `import "path"` names: its path relative to the
/// policy directory with `/`, `.` and `..` resolved lexically, `.rhai`
/// added when there is no extension. A path that is absolute or climbs out
/// of the directory is refused without looking at the file system.
pub(crate) fn module_key(path: &str, pos: Position) -> Result<String, Box<EvalAltResult>> {
    if path.trim().is_empty() || is_absolute(path) || path.contains('\0') {
        return Err(refuse(
            format!("import \"{path}\" refused: imports must be relative paths inside the policy directory"),
            pos,
        ));
    }
    let rel = if Path::new(path).extension().is_some() { path.to_string() } else { format!("{path}.rhai") };
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(&rel).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str().unwrap_or("")),
            Component::CurDir => {}
            Component::ParentDir if parts.pop().is_some() => {}
            _ => {
                return Err(refuse(format!("import \"{path}\" refused: it leads outside the policy directory"), pos));
            }
        }
    }
    Ok(parts.join("/"))
}

impl RootResolver {
    /// (key, shown path, text) of the module `path` names.
    fn locate(&self, path: &str, pos: Position) -> Result<(String, String, Arc<str>), Box<EvalAltResult>> {
        let key = module_key(path, pos)?;
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
                Ok((key, shown, text.into()))
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
        source: Option<&str>,
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
            // The policy being compiled has no source yet; modules do.
            let importer = match source {
                Some(s) => s.to_string(),
                None => imports.resolving.first().map(|(_, s)| s.clone()).unwrap_or_default(),
            };
            imports.edges.push((importer, path.to_string(), key.clone()));
            if let Some(at) = imports.resolving.iter().position(|(k, _)| *k == key) {
                let chain: Vec<&str> = imports.resolving[at..].iter().map(|(_, s)| s.as_str()).collect();
                let msg = format!(
                    "import cycle: {} → {shown}; modules cannot import each other in a circle",
                    chain.join(" → ")
                );
                drop(imports);
                return Err(fail(refuse(msg, pos)));
            }
            if let Some((shown, _, module)) = imports.cache.get(&key).cloned() {
                imports.sources.entry(shown).or_insert(text);
                return Ok(module);
            }
            imports.sources.insert(shown.clone(), text.clone());
            imports.resolving.push((key.clone(), shown.clone()));
        }
        let in_module = |e: Box<EvalAltResult>| -> Box<EvalAltResult> {
            fail(EvalAltResult::ErrorInModule(shown.clone(), e, pos).into())
        };
        let evaluated = engine.compile(&*text).map_err(|e| in_module(e.into())).and_then(|mut ast| {
            ast.set_source(shown.as_str());
            let module = Module::eval_ast_as_new(Scope::new(), &ast, engine).map_err(in_module)?;
            Ok((ast, module))
        });
        if let Ok(mut i) = self.imports.lock() {
            i.resolving.pop();
        }
        let (ast, module) = evaluated?;
        let module: SharedModule = module.into();
        if let Ok(mut i) = self.imports.lock() {
            i.cache.insert(key, (shown, Arc::new(ast), module.clone()));
        }
        Ok(module)
    }
}

/// The modules policies import, compiled once at load time, for the
/// engine that evaluates policies on sheets.
#[derive(Default)]
pub(crate) struct ModuleTable {
    /// (importer's shown path, import path as written) → (root, module key):
    /// only the imports resolved at load time, so a computed path cannot
    /// reach a module its policy did not import literally.
    pub edges: HashMap<(String, String), (String, String)>,
    /// (root, module key) → (shown path, AST).
    pub modules: HashMap<(String, String), (String, Arc<AST>)>,
}

/// Nested imports one evaluation may make (load time already refused
/// cycles; this only keeps a runaway chain off the stack).
const MAX_IMPORT_DEPTH: usize = 32;

thread_local! {
    static IMPORT_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The resolver of the engine that evaluates policies: it evaluates each
/// imported module afresh for every evaluation, so module variables (even
/// shared values a module's closures captured) never carry one sheet's data
/// into another sheet's evaluation, and module top-level code runs within
/// that evaluation's limits.
pub(crate) struct RuntimeResolver {
    pub table: Arc<ModuleTable>,
}

impl ModuleResolver for RuntimeResolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<SharedModule, Box<EvalAltResult>> {
        let found = source
            .and_then(|s| self.table.edges.get(&(s.to_string(), path.to_string())))
            .and_then(|at| self.table.modules.get(at));
        let Some((shown, ast)) = found else {
            return Err(refuse(
                format!(
                    "cannot import \"{path}\": import paths must be string literals (they are resolved when policies load)"
                ),
                pos,
            ));
        };
        let depth = IMPORT_DEPTH.get();
        if depth >= MAX_IMPORT_DEPTH {
            return Err(refuse(format!("import \"{path}\": more than {MAX_IMPORT_DEPTH} nested imports"), pos));
        }
        IMPORT_DEPTH.set(depth + 1);
        let module = Module::eval_ast_as_new(Scope::new(), ast, engine);
        IMPORT_DEPTH.set(depth);
        let module =
            module.map_err(|e| -> Box<EvalAltResult> { EvalAltResult::ErrorInModule(shown.clone(), e, pos).into() })?;
        Ok(module.into())
    }
}

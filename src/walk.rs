//! Finding and reading input files: the one walker that sheet inputs,
//! globs, policy directories and policy test discovery share, and the one
//! bounded reader every input file (sheet, policy, module, waiver file,
//! workbook, text import, form catalog) goes through.
//!
//! Inputs come from vendors and from shared directories, so neither a
//! file's kind nor its size can be trusted: a FIFO blocks a plain `open`
//! forever, a device or a huge file exhausts memory, and a symlink loop
//! makes a walk never end (or evaluate one sheet many times).

use std::collections::HashSet;
use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

const MIB: u64 = 1 << 20;

/// Size limits per kind of input, in bytes. A real sheet is ~30 KiB and a
/// real policy a few KiB: the limits are far above honest files and far
/// below what would exhaust a CI runner's memory.
pub mod limits {
    use super::MIB;
    /// A TOML/JSON sheet (a 200-question sheet with long remarks is < 1 MiB).
    pub const SHEET: u64 = 16 * MIB;
    /// One `.rhai` policy file or an imported module.
    pub const POLICY: u64 = MIB;
    /// A `--waivers` file (10,000 waivers are ~3 MiB).
    pub const WAIVERS: u64 = 16 * MIB;
    /// A workbook given to `kaiji import` (compressed; see the importer's
    /// own limits on what it may decompress to).
    pub const WORKBOOK: u64 = 64 * MIB;
    /// A vendor's PDF given to `kaiji import` (a 30-page sheet is well under
    /// 5 MiB; the importer bounds pages and objects on its own too).
    pub const PDF: u64 = 64 * MIB;
    /// Text extracted from a sheet's PDF (the reference seed is ~100 KiB).
    pub const TEXT_IMPORT: u64 = 16 * MIB;
    /// A `--form-file` catalog (the built-in one is ~40 KiB).
    pub const CATALOG: u64 = 16 * MIB;
    /// A policy test file or a test's base sheet.
    pub const POLICY_TEST: u64 = 16 * MIB;
}

/// Directory levels a walk descends at most; deeper levels are reported.
pub const MAX_DEPTH: usize = 64;

/// What an input file is, which decides its size limit and how messages
/// name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Sheet,
    Policy,
    Module,
    Waivers,
    Workbook,
    TextImport,
    Pdf,
    Catalog,
    PolicyTest,
}

impl InputKind {
    /// The most bytes an input of this kind may have.
    pub const fn limit(self) -> u64 {
        match self {
            InputKind::Sheet => limits::SHEET,
            InputKind::Policy | InputKind::Module => limits::POLICY,
            InputKind::Waivers => limits::WAIVERS,
            InputKind::Workbook => limits::WORKBOOK,
            InputKind::TextImport => limits::TEXT_IMPORT,
            InputKind::Pdf => limits::PDF,
            InputKind::Catalog => limits::CATALOG,
            InputKind::PolicyTest => limits::POLICY_TEST,
        }
    }

    /// "a sheet", "a policy" ...: how messages name the kind.
    pub const fn noun(self) -> &'static str {
        match self {
            InputKind::Sheet => "a sheet",
            InputKind::Policy => "a policy",
            InputKind::Module => "an imported module",
            InputKind::Waivers => "a waiver file",
            InputKind::Workbook => "a workbook",
            InputKind::TextImport => "an imported text",
            InputKind::Pdf => "a PDF",
            InputKind::Catalog => "a form catalog",
            InputKind::PolicyTest => "a policy test file",
        }
    }
}

/// An input file that was not read: what was wrong with it.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReadError {
    #[error("{path}: {}", self.reason())]
    #[diagnostic(
        code(kaiji::input::not_a_file),
        help("give a regular file; a FIFO, socket, device or directory is not read as an input")
    )]
    NotAFile { path: String, what: &'static str },
    #[error("{path}: {}", self.reason())]
    #[diagnostic(
        code(kaiji::input::too_large),
        help("check that this is the right file; the limits are far above any real one")
    )]
    TooLarge { path: String, kind: InputKind, size: u64, limit: u64 },
    #[error("{path}: {}", self.reason())]
    #[diagnostic(code(kaiji::input::encoding), help("save the file as UTF-8"))]
    NotText { path: String, offset: usize },
    // `error` is deliberately not a `#[source]`: the message already says
    // what it says, and miette would print it a second time as a cause.
    #[error("{path}: {}", self.reason())]
    #[diagnostic(code(kaiji::input::io), help("check the path, and that the file may be read"))]
    Io { path: String, error: io::Error },
}

impl ReadError {
    /// The message without the path, for callers whose own error names it.
    pub fn reason(&self) -> String {
        match self {
            ReadError::NotAFile { what, .. } => format!("the file is {what}, not a regular file"),
            ReadError::TooLarge { kind, size, limit, .. } => {
                format!("the file is {size} bytes; the limit for {} is {}", kind.noun(), show_size(*limit))
            }
            ReadError::NotText { offset, .. } => {
                format!("the file is not UTF-8 text (invalid byte at offset {offset})")
            }
            ReadError::Io { error, .. } if error.kind() == io::ErrorKind::NotFound => "no such file".to_string(),
            ReadError::Io { error, .. } => format!("cannot read the file: {error}"),
        }
    }

    /// The underlying I/O error kind, when the file system refused.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            ReadError::Io { error, .. } => Some(error.kind()),
            ReadError::NotAFile { what: "a directory", .. } => Some(io::ErrorKind::IsADirectory),
            _ => None,
        }
    }
}

/// "16 MiB", "64 KiB" for whole units, else bytes.
pub fn show_size(bytes: u64) -> String {
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// "a FIFO", "a directory" ...: what a non-regular file is.
fn describe(m: &Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    "not a regular file"
}

/// Read an input file of `kind`: a regular file (after following symlinks)
/// of at most `kind.limit()` bytes.
pub fn read_input(path: &Path, kind: InputKind) -> Result<Vec<u8>, ReadError> {
    let shown = || path.display().to_string();
    let io_err = |error| ReadError::Io { path: shown(), error };
    let limit = kind.limit();
    let check = |m: &Metadata| -> Result<(), ReadError> {
        if !m.is_file() {
            return Err(ReadError::NotAFile { path: shown(), what: describe(m) });
        }
        if m.len() > limit {
            return Err(ReadError::TooLarge { path: shown(), kind, size: m.len(), limit });
        }
        Ok(())
    };
    // Metadata first: a plain open of a FIFO blocks until a writer comes.
    check(&fs::metadata(path).map_err(io_err)?)?;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Non-blocking open closes the race of a FIFO swapped in after the
        // check; it changes nothing for reading a regular file.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    check(&meta)?;
    // Read one byte past the limit: a file that grew (or a /proc file that
    // reports 0) is still caught without reading all of it.
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { path: shown(), kind, size: meta.len().max(bytes.len() as u64), limit });
    }
    Ok(bytes)
}

/// [`read_input`] for text: the bytes must be UTF-8 (a BOM is kept).
pub fn read_input_text(path: &Path, kind: InputKind) -> Result<String, ReadError> {
    String::from_utf8(read_input(path, kind)?)
        .map_err(|e| ReadError::NotText { path: path.display().to_string(), offset: e.utf8_error().valid_up_to() })
}

/// A file's identity: the same file reached by two paths (symlinks, hard
/// links, `./a` and `a`) has one identity.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(m: &Metadata, _path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_m: &Metadata, path: &Path) -> Option<Identity> {
    path.canonicalize().ok()
}

/// Which real file a path names: equal for two paths of one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId(Identity);

/// The identity of the file at `path` (following symlinks), if it exists.
pub fn file_identity(path: &Path) -> Option<FileId> {
    identity(&fs::metadata(path).ok()?, path).map(FileId)
}

/// What a walk found: regular files, each real file once, in path order,
/// and the directories it could not read.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    pub errors: Vec<(PathBuf, io::Error)>,
}

/// How a walk descends.
pub struct Walk<'a> {
    /// Directory levels below the root to enter (0: the root's own files).
    pub max_depth: usize,
    /// Entries (files or directories) whose name says to leave them out.
    pub skip_name: &'a dyn Fn(&str) -> bool,
    /// Files to keep, by path.
    pub keep: &'a dyn Fn(&Path) -> bool,
}

impl Walk<'_> {
    /// Walk `dir`. Symlinks are followed, but a directory already entered
    /// (a loop such as `ln -s . l`, or a second link to one directory) is
    /// not entered again, and a file already found is not listed again:
    /// the first path in sorted order is kept. FIFOs, sockets and devices
    /// are skipped: nobody named them. Entries are visited in sorted order,
    /// so "first" is the same whatever the file system's order.
    pub fn run(&self, dir: &Path) -> Found {
        let mut st = WalkState { found: Found::default(), dirs: HashSet::new(), files: HashSet::new() };
        let fs_dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        match fs::metadata(fs_dir) {
            Ok(m) => {
                if let Some(id) = identity(&m, fs_dir) {
                    st.dirs.insert(id);
                }
                self.dir(dir, 0, &mut st);
            }
            Err(e) => st.found.errors.push((dir.to_path_buf(), e)),
        }
        st.found
    }

    fn dir(&self, dir: &Path, depth: usize, st: &mut WalkState) {
        let fs_dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let entries = match fs::read_dir(fs_dir) {
            Ok(entries) => entries,
            Err(e) => return st.found.errors.push((dir.to_path_buf(), e)),
        };
        let mut names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            if (self.skip_name)(&name.to_string_lossy()) {
                continue;
            }
            let path = dir.join(&name);
            let Ok(meta) = fs::metadata(&path) else {
                // A dangling symlink: listed, so loading reports it.
                if (self.keep)(&path) {
                    st.found.files.push(path);
                }
                continue;
            };
            if meta.is_dir() {
                if identity(&meta, &path).is_some_and(|id| !st.dirs.insert(id)) {
                    continue;
                }
                if depth >= self.max_depth {
                    let msg = format!("more than {} directory levels; not entered", self.max_depth);
                    st.found.errors.push((path, io::Error::other(msg)));
                    continue;
                }
                self.dir(&path, depth + 1, st);
            } else if meta.is_file()
                && (self.keep)(&path)
                && identity(&meta, &path).is_none_or(|id| st.files.insert(id))
            {
                st.found.files.push(path);
            }
        }
    }
}

struct WalkState {
    found: Found,
    dirs: HashSet<Identity>,
    files: HashSet<Identity>,
}

/// Every regular file below `dir` (recursively, at most [`MAX_DEPTH`]
/// levels) for which `keep` holds, each real file once, sorted.
/// Unreadable directories are skipped: callers report "found nothing".
pub fn files_under(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    Walk { max_depth: MAX_DEPTH, skip_name: &|_| false, keep: &keep }.run(dir).files
}

/// `keep` for [`files_under`]: files with one of these extensions.
pub fn has_extension<'a>(exts: &'a [&'a str]) -> impl Fn(&Path) -> bool + 'a {
    move |p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e))
}

/// Keep the first path of each real file (by [`file_identity`]); paths
/// that do not exist are all kept (loading reports them).
pub fn dedup_by_identity(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    paths
        .into_iter()
        .filter(|p| match fs::metadata(p).ok().and_then(|m| identity(&m, p)) {
            Some(id) => seen.insert(id),
            None => true,
        })
        .collect()
}

/// The SHA-256 of `bytes` in lower-case hex, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;

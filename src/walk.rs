//! Finding and reading input files: the one walker that sheet inputs,
//! globs, policy directories, policy test discovery and `build.rs` share
//! (in `walk/dirs.rs`), and the one bounded reader every input file
//! (sheet, policy, module, waiver file, workbook, text import, form
//! catalog) goes through.
//!
//! Inputs come from vendors and from shared directories, so neither a
//! file's kind nor its size can be trusted: a FIFO blocks a plain `open`
//! forever, a device or a huge file exhausts memory, and a symlink loop
//! makes a walk never end (or evaluate one sheet many times).

use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::path::Path;

mod dirs;
pub use dirs::{FileId, Found, MAX_DEPTH, Walk, dedup_by_identity, file_identity, files_under, has_extension};

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
pub fn describe(m: &Metadata) -> &'static str {
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

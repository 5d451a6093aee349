//! `kaiji serve`: a page on 127.0.0.1 for the people who receive vendor
//! documents and do not use a terminal. They drop the documents on the
//! page; it shows the vendor × policy matrix (the `-f html` report itself),
//! each document's import account, and offers the report as xlsx, html and
//! json. Nothing leaves the machine.
//!
//! - [`names`]: what an uploaded file is called while held (the browser's
//!   name is vendor data).
//! - [`store`]: the held documents, in a private temporary directory, and
//!   their report, made by the library's runner and renderers (the code
//!   path of `kaiji check DIR`).
//! - [`http`]: the server (axum on a current-thread tokio runtime), its
//!   guards (Host, token, Origin), limits and timeouts, and the page.
//!
//! The server is a library module behind the `serve` cargo feature, so a
//! hospital embedding the checker builds without tokio; `src/cli/serve.rs`
//! only parses arguments.

mod http;
pub mod names;
mod page;
pub mod store;

use std::path::{Path, PathBuf};

pub use http::{Limits, Options, Server, Stopper};
pub use names::{ACCEPTED, DocName, NameError};
pub use store::{Reports, Setup, Store, StoreError, StoreLimits};

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    #[diagnostic(
        code(kaiji::serve::bind),
        help("another program may hold that port: leave out --port to take a free one")
    )]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot make the temporary directory for uploaded documents: {0}")]
    #[diagnostic(code(kaiji::serve::temp), help("check that the temporary directory (TMPDIR) exists and is writable"))]
    TempDir(std::io::Error),
    #[error("{path}: {reason}")]
    #[diagnostic(code(kaiji::serve::preload))]
    Preload {
        path: String,
        reason: String,
        #[help]
        help: Option<String>,
    },
    #[error("the server stopped: {0}")]
    #[diagnostic(code(kaiji::serve::io))]
    Io(std::io::Error),
}

/// What preloading a folder held, and what it passed over.
#[derive(Debug, Default)]
pub struct Preloaded {
    /// Names of the documents now held.
    pub held: Vec<String>,
    /// Files found that are not sheets (TOML/JSON without `[sheet]` or
    /// `[answers]`, text that is no sheet's), as `kaiji check DIR` skips them.
    pub not_sheets: Vec<PathBuf>,
    /// Documents left out for the reviewed sheet beside them (document,
    /// sheet), as `kaiji check DIR` leaves them out.
    pub superseded: Vec<(PathBuf, PathBuf)>,
    /// Files not held, each with why (printable): a name `kaiji serve`
    /// does not take, a file over its limit, more than the store holds.
    pub refused: Vec<String>,
}

/// Find the documents in `dir` as `kaiji check DIR` does (the same walk:
/// sorted, hidden directories and target/ left out, files that are not
/// sheets skipped, a document beside its reviewed sheet left out) and hold a copy of each in `store`, named by its file
/// name (by its path under `dir`, `a_b.toml`, where two share a name). The
/// folder itself is only read.
pub fn preload(store: &mut Store, dir: &Path) -> Result<Preloaded, ServeError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(ServeError::Preload {
            path: crate::text::printable_line(&shown).into_owned(),
            reason: "not a directory".into(),
            help: Some("give the folder that holds the vendors' documents, or none to start empty".into()),
        });
    }
    let expanded = crate::runner::expand_inputs(&[shown], crate::runner::Accept { documents: true });
    let mut done =
        Preloaded { not_sheets: expanded.not_sheets, superseded: expanded.superseded, ..Preloaded::default() };
    for path in crate::runner::files(&expanded.inputs) {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = match DocName::new(&file_name) {
            Ok(n) if !store.holds_key(&n) => n,
            Ok(_) => {
                // Another file of this name (or stem) is held: name this one by its path.
                let relative = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().replace(['/', '\\'], "_");
                match DocName::new(&relative) {
                    Ok(n) if !store.holds_key(&n) => n,
                    _ => {
                        done.refused.push(format!(
                            "{}: a document of the same name is already held",
                            crate::text::printable_line(&path.display().to_string())
                        ));
                        continue;
                    }
                }
            }
            Err(e) => {
                done.refused.push(e.to_string());
                continue;
            }
        };
        let refuse = |reason: String| format!("{}: {reason}", crate::text::printable_line(&path.display().to_string()));
        let bytes = match crate::walk::read_input(path, name.kind()) {
            Ok(b) => b,
            Err(e) => {
                done.refused.push(refuse(e.reason()));
                continue;
            }
        };
        let held = name.as_str().to_string();
        match store.add_bytes(name, &bytes) {
            Ok(()) => done.held.push(held),
            Err(StoreError::Io(e)) => return Err(ServeError::Io(e)),
            Err(e) => done.refused.push(refuse(e.to_string())),
        }
    }
    store.evaluate().map_err(ServeError::Io)?;
    Ok(done)
}

/// Start the system's browser on `url` (`xdg-open`, `open`, or Windows'
/// URL handler), not waiting for it. The URL is the server's own (no
/// vendor text) and goes to the program as one argument, through no shell.
pub fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let mut child = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Reaped in the background: xdg-open returns once the browser started.
    std::thread::spawn(move || child.wait());
    Ok(())
}

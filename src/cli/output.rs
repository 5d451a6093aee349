//! Where a command writes: stdout, or `-o FILE` written atomically (a
//! temporary file in the same directory, renamed into place at the end) so
//! a failed run never leaves half a report.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use crate::report::Style;

pub enum Output {
    Stdout,
    File { path: PathBuf, tmp: tempfile::NamedTempFile },
}

impl Output {
    pub fn open(path: Option<&Path>) -> miette::Result<Output> {
        let Some(path) = path else { return Ok(Output::Stdout) };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".kaiji-")
            .tempfile_in(dir)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write to {}", path.display()))?;
        Ok(Output::File { path: path.to_path_buf(), tmp })
    }

    /// Human-output style: colour only for a terminal stdout.
    pub fn style(&self) -> Style {
        Style::detect(matches!(self, Output::Stdout) && io::stdout().is_terminal())
    }

    /// The report goes to a terminal (stdout, not redirected).
    pub fn is_terminal(&self) -> bool {
        matches!(self, Output::Stdout) && io::stdout().is_terminal()
    }

    pub fn writer(&self) -> miette::Result<Box<dyn Write + '_>> {
        Ok(match self {
            Output::Stdout => Box::new(io::BufWriter::new(io::stdout().lock())),
            Output::File { tmp, .. } => Box::new(io::BufWriter::new(tmp.as_file())),
        })
    }

    /// Move the finished file into place.
    pub fn commit(self) -> miette::Result<()> {
        if let Output::File { path, tmp } = self {
            tmp.persist(&path).into_diagnostic().wrap_err_with(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

//! Reports: one renderer per output format, all behind [`Renderer`] and all
//! fed the same [`model`] one sheet at a time, so output streams and memory
//! does not grow with the number of sheets.

pub mod human;
pub mod json;
pub mod model;

use std::io::{self, Write};

pub use model::*;

/// Renders a run. The runner calls `begin`, then `sheet` once per sheet in
/// path order, then `finish`.
pub trait Renderer {
    fn begin(&mut self, _run: &RunInfo) -> io::Result<()> {
        Ok(())
    }
    fn sheet(&mut self, report: &SheetReport) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// `-f/--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics for people, underlining the sheet and the policy.
    Human,
    /// The `kaiji.check/v1` JSON report.
    Json,
}

/// Options that shape human output; fixed in tests for stable snapshots.
#[derive(Debug, Clone)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Colour only on a terminal and when NO_COLOR is unset; width from the
    /// terminal's COLUMNS, else 100.
    pub fn detect(is_terminal: bool) -> Style {
        let color = is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
        Style { color, width }
    }

    pub fn plain(width: usize) -> Style {
        Style { color: false, width }
    }
}

/// The renderer for a format, writing to `out`.
pub fn renderer<'w>(format: Format, out: Box<dyn Write + 'w>, style: Style) -> Box<dyn Renderer + 'w> {
    match format {
        Format::Human => Box::new(human::Human::new(out, style)),
        Format::Json => Box::new(json::Json::new(out)),
    }
}

//! Reports: one renderer per output format, all behind [`Renderer`] and all
//! fed the same [`model`] one sheet at a time, so output streams and memory
//! does not grow with the number of sheets.

pub mod csv;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod model;
pub mod sarif;
pub mod view;
pub mod xlsx;

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
    /// JUnit XML: a test suite per sheet, a test case per policy and lint rule.
    Junit,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A Markdown summary for a pull request or a committee memo.
    Markdown,
    /// One row per sheet × check × finding.
    Csv,
    /// One standalone page: the vendor × policy matrix with drill-down.
    Html,
    /// The vendor × policy matrix and the findings as an Excel workbook.
    Xlsx,
}

impl Format {
    /// Whether the format is binary (never written to a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx)
    }
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
        Format::Junit => Box::new(junit::Junit::new(out)),
        Format::Sarif => Box::new(sarif::Sarif::new(out)),
        Format::Github => Box::new(github::Github::new(out)),
        Format::Markdown => Box::new(matrix::MatrixRenderer::<markdown::Markdown>::new(out)),
        Format::Csv => Box::new(csv::Csv::new(out)),
        Format::Html => Box::new(matrix::MatrixRenderer::<html::Html>::new(out)),
        Format::Xlsx => Box::new(matrix::MatrixRenderer::<xlsx::Xlsx>::new(out)),
    }
}

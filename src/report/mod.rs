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
pub mod sarif;
#[cfg(test)]
pub(crate) mod testutil;
pub mod view;
pub mod xlsx;

use std::io::{self, Write};
use std::sync::Arc;

/// The result model renderers read; it lives below every check ([`crate::outcome`]).
pub use crate::outcome::*;

/// Renders a run. The runner calls `begin`, then `sheet` (or
/// `sheet_encoded`) once per sheet in path order, then `finish`.
pub trait Renderer {
    fn begin(&mut self, _run: &RunInfo) -> io::Result<()> {
        Ok(())
    }
    /// Render one sheet. The default encodes it with [`Renderer::encoder`]
    /// and writes it with [`Renderer::sheet_encoded`]; renderers without an
    /// encoder implement this instead.
    fn sheet(&mut self, report: &SheetReport) -> io::Result<()> {
        let encoder = self.encoder().ok_or_else(|| io::Error::other("this renderer has no sheet encoder"))?;
        let mut buf = Vec::new();
        encoder.encode(report, &mut buf)?;
        self.sheet_encoded(&buf)
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;

    /// For formats whose text for a sheet depends only on that sheet's
    /// report (and on what `begin` was told): the part of the work that can
    /// run on any thread. Asked once, after `begin`. The runner then encodes
    /// each sheet on the worker that evaluated it and hands the bytes to
    /// [`Renderer::sheet_encoded`], so a large report is formatted in
    /// parallel instead of on the one thread that writes it.
    fn encoder(&self) -> Option<Arc<dyn SheetEncoder>> {
        None
    }

    /// Write a sheet `encoder()` has already encoded. Renderers that return
    /// an encoder must implement this.
    fn sheet_encoded(&mut self, _encoded: &[u8]) -> io::Result<()> {
        Err(io::Error::other("this renderer has no sheet encoder"))
    }
}

/// The per-sheet half of a streaming renderer (see [`Renderer::encoder`]).
pub trait SheetEncoder: Send + Sync {
    /// Append `report`'s output to `out`.
    fn encode(&self, report: &SheetReport, out: &mut Vec<u8>) -> io::Result<()>;
}

/// The report formats (`-f/--format`); each one's name and what it is
/// are [`Format::name`] and [`Format::description`], which the CLI lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Junit,
    Sarif,
    Github,
    Markdown,
    Csv,
    Html,
    Xlsx,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: &[Format] = &[
        Format::Human,
        Format::Json,
        Format::Junit,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::Csv,
        Format::Html,
        Format::Xlsx,
    ];

    /// What the format is, in one line (`--help`).
    pub fn description(self) -> &'static str {
        match self {
            Format::Human => "Diagnostics for people, underlining the sheet and the policy",
            Format::Json => "The `kaiji.check/v1` JSON report",
            Format::Junit => "JUnit XML: a test suite per sheet, a test case per policy and lint rule",
            Format::Sarif => "SARIF 2.1.0, for code-scanning dashboards",
            Format::Github => "GitHub Actions annotations (workflow commands)",
            Format::Markdown => "A Markdown summary for a pull request or a committee memo",
            Format::Csv => "One row per sheet × check × finding",
            Format::Html => "One standalone page: the vendor × policy matrix with drill-down",
            Format::Xlsx => "The vendor × policy matrix and the findings as an Excel workbook",
        }
    }

    /// Whether the format is binary (never written to a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx)
    }

    /// The `-f` name of the format (`human`, `json` ...).
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format a report file's name asks for: `.json`, `.xml` (JUnit),
    /// `.sarif` (and `.sarif.json`, the name code-scanning uploads use),
    /// `.md`, `.csv`, `.html`, `.xlsx`, and `.txt`/`.log` for human text.
    /// GitHub annotations have no extension of their own. Case-insensitive.
    pub fn from_file_name(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".sarif.json") {
            return Some(Format::Sarif);
        }
        let (_, ext) = name.rsplit_once('.')?;
        EXTENSIONS.iter().find(|(e, _)| *e == ext).map(|&(_, f)| f)
    }
}

/// File extensions and the format each one selects (see
/// [`Format::from_file_name`]).
pub const EXTENSIONS: &[(&str, Format)] = &[
    ("txt", Format::Human),
    ("log", Format::Human),
    ("json", Format::Json),
    ("xml", Format::Junit),
    ("sarif", Format::Sarif),
    ("md", Format::Markdown),
    ("markdown", Format::Markdown),
    ("csv", Format::Csv),
    ("html", Format::Html),
    ("htm", Format::Html),
    ("xlsx", Format::Xlsx),
];

/// Options that shape human output; fixed in tests for stable snapshots.
#[derive(Debug, Clone)]
pub struct Style {
    pub color: bool,
    pub width: usize,
    /// Human view: every finding in full, no grouping of many findings of
    /// one rule (`--verbose`).
    pub verbose: bool,
    /// Human view: only findings at or above this severity (`--min-severity`,
    /// `--quiet` = error). The other formats always keep every finding.
    pub min_severity: Severity,
    /// `-f csv`: start with a UTF-8 byte order mark (`--no-bom` turns it off).
    pub csv_bom: bool,
}

impl Style {
    /// `text` in the SGR colour `code` (`"31"` red) when colour is on; the
    /// one place kaiji's own output writes escape codes.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color && !text.is_empty() { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    /// Colour only on a terminal and when NO_COLOR is unset; width from the
    /// terminal's COLUMNS, else 100.
    pub fn detect(is_terminal: bool) -> Style {
        let color = is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
        Style { color, width, verbose: false, min_severity: Severity::Warning, csv_bom: true }
    }

    pub fn plain(width: usize) -> Style {
        Style { color: false, width, verbose: false, min_severity: Severity::Warning, csv_bom: true }
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
        Format::Csv => Box::new(csv::Csv::new(out, style.csv_bom)),
        Format::Html => Box::new(matrix::MatrixRenderer::<html::Html>::new(out)),
        Format::Xlsx => Box::new(matrix::MatrixRenderer::<xlsx::Xlsx>::new(out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `kaiji check` run with the lint rules and the built-in pack.
    fn check_info() -> RunInfo {
        let policies = crate::policy::PolicySet::builtin(crate::policy::Limits::default());
        RunInfo {
            command: crate::outcome::RunCommand::Check,
            rules: crate::lint::rule_infos(),
            policies: policies.infos(),
            ..RunInfo::default()
        }
    }

    /// Every renderer writes the same bytes whether the runner hands it
    /// reports (`sheet`) or encodes them on workers first (`encoder` +
    /// `sheet_encoded`).
    #[test]
    fn encoding_on_workers_writes_what_sheet_writes() {
        let reports = testutil::varied_reports();
        let info = check_info();
        let summary = Summary { sheets: reports.len(), policies: info.policies.len(), ..Summary::default() };
        let mut encoded_formats = 0;
        for &format in Format::ALL {
            let run = |encode: bool| -> Vec<u8> {
                let mut out = Vec::new();
                let mut r = renderer(format, Box::new(&mut out), Style::plain(80));
                r.begin(&info).unwrap();
                let encoder = if encode { r.encoder() } else { None };
                for report in &reports {
                    match &encoder {
                        Some(e) => {
                            let mut bytes = Vec::new();
                            e.encode(report, &mut bytes).unwrap();
                            r.sheet_encoded(&bytes).unwrap();
                        }
                        None => r.sheet(report).unwrap(),
                    }
                }
                r.finish(&summary).unwrap();
                drop(r);
                out
            };
            if renderer(format, Box::new(io::sink()), Style::plain(80)).encoder().is_some() {
                encoded_formats += 1;
            }
            assert_eq!(run(true), run(false), "{format:?}");
        }
        assert!(encoded_formats >= 4, "human, json, csv and github encode on workers");
    }

    /// What a renderer keeps while the sheets stream through does not grow
    /// with their findings: a few hundred bytes of compact row a sheet at
    /// most (the matrix formats), nothing for the others; findings and
    /// drill-downs go straight to the output or to a temporary file. A
    /// renderer holding them fails (JUnit kept 12.5 KB a sheet here).
    #[test]
    fn no_renderer_keeps_what_the_sheets_hold() {
        let reports = testutil::varied_reports();
        let info = check_info();
        let net = || crate::memory::thread_net_bytes().expect("the lib tests count allocations");
        const PASSES: usize = 10;
        for &format in Format::ALL {
            let mut r = renderer(format, Box::new(io::sink()), Style::plain(80));
            r.begin(&info).unwrap();
            // a first pass makes what is made once (buffers, the temporary file)
            for report in &reports {
                r.sheet(report).unwrap();
            }
            let before = net();
            for _ in 0..PASSES {
                for report in &reports {
                    r.sheet(report).unwrap();
                }
            }
            let per_sheet = (net() - before) / (PASSES * reports.len()) as isize;
            assert!(per_sheet < 2048, "{format:?} keeps {per_sheet} bytes a sheet");
            r.finish(&Summary::default()).unwrap();
        }
    }

    /// `Format::ALL` lists every format once: adding a variant breaks the
    /// match below until it has a place, and the list must then hold it.
    #[test]
    fn every_format_is_listed() {
        let place = |f: Format| match f {
            Format::Human => 0,
            Format::Json => 1,
            Format::Junit => 2,
            Format::Sarif => 3,
            Format::Github => 4,
            Format::Markdown => 5,
            Format::Csv => 6,
            Format::Html => 7,
            Format::Xlsx => 8,
        };
        assert_eq!(Format::ALL.len(), 9);
        for (i, &f) in Format::ALL.iter().enumerate() {
            assert_eq!(place(f), i, "{f:?}");
        }
    }
}

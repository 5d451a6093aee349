//! What the fuzz targets (`fuzz/`) run, kept in the library so the
//! regression tests (`tests/fuzz_regressions.rs`) replay the inputs they
//! found through exactly the same code.
//!
//! Each entry point takes arbitrary bytes and drives them as far as they go
//! through kaiji — load, lint, render in every format — panicking only when
//! an invariant the rest of kaiji relies on is broken (a span outside its
//! file, a JSON report that does not parse, a TOML sheet the fast path
//! reads otherwise than the `toml` crate). A clean rejection is an
//! [`Outcome::Rejected`] with the message a user would see.

use std::io;
use std::sync::OnceLock;

use crate::form::FormRegistry;
use crate::report::{self, FailOn, Format, RunInfo, SheetReport, Style, Summary};
use crate::runner::Run;
use crate::sheet::{self, SheetFormat, Span};

/// How an input ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Loaded and evaluated; the number of findings.
    Loaded { findings: usize },
    /// Refused with a diagnostic; its message.
    Rejected { message: String },
}

fn forms() -> &'static FormRegistry {
    static FORMS: OnceLock<FormRegistry> = OnceLock::new();
    FORMS.get_or_init(FormRegistry::builtin)
}

/// A sheet file's bytes in the given syntax: load, lint, render.
pub fn sheet(data: &[u8], format: SheetFormat) -> Outcome {
    let path = match format {
        SheetFormat::Toml => "fuzz.toml",
        SheetFormat::Json => "fuzz.json",
    };
    // The TOML fast path must read whatever it accepts as `toml` does.
    if format == SheetFormat::Toml
        && let Ok(text) = std::str::from_utf8(data)
    {
        sheet::check_toml_fast_path(text.strip_prefix('\u{FEFF}').unwrap_or(text));
    }
    let forms = forms();
    let runner = Run::new(crate::outcome::RunCommand::Lint, forms).lint(true).fail_on(FailOn::Warning).jobs(1).build();
    let loaded = sheet::load_bytes(path, data.to_vec(), format, forms);
    let rejected = loaded.as_ref().err().map(|e| e.to_string());
    let report = runner.report_for(path.to_string(), loaded);
    check_report(&report);
    render_everywhere(&report, runner.info());
    match rejected {
        Some(message) => {
            assert!(!message.trim().is_empty(), "a rejection says why");
            Outcome::Rejected { message }
        }
        None => Outcome::Loaded { findings: report.findings.len() },
    }
}

/// Which importer [`import`] drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importer {
    Text,
    Xlsx,
    Pdf,
}

/// A vendor file's bytes through an importer. What an import produces must
/// be a sheet kaiji loads: the canonical TOML it writes is loaded, linted
/// and rendered like any sheet.
pub fn import(data: &[u8], importer: Importer) -> Outcome {
    let form = forms().get(crate::form::DEFAULT_FORM).expect("built-in form");
    let imported = match importer {
        Importer::Text => crate::import::text::import_bytes(data, &form, "fuzz.txt"),
        Importer::Xlsx => crate::import::xlsx::import_bytes(data, &form, "fuzz.xlsx"),
        Importer::Pdf => crate::import::pdf::import_bytes(data, &form, "fuzz.pdf"),
    };
    let imported = match imported {
        Ok(i) => i,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.trim().is_empty(), "a rejection says why");
            return Outcome::Rejected { message };
        }
    };
    let _account = imported.report.to_string();
    let toml = crate::sheet::write::to_toml(&imported.doc, Some(&form), &[]);
    match sheet(toml.as_bytes(), SheetFormat::Toml) {
        Outcome::Loaded { findings } => Outcome::Loaded { findings },
        Outcome::Rejected { message } => panic!("the imported sheet does not load: {message}\n{toml}"),
    }
}

/// A policy file's text: compile it and, if it compiles, run it (under
/// tight limits) on a complete example sheet and render what it reports.
pub fn policy(data: &[u8]) -> Outcome {
    use std::time::Duration;

    use crate::policy::{Limits, PolicySet};

    let Ok(text) = std::str::from_utf8(data) else {
        return Outcome::Rejected { message: "not UTF-8".into() };
    };
    let limits = Limits { max_operations: 20_000, timeout: Duration::from_millis(200), ..Limits::default() };
    let set = match PolicySet::from_memory(&[("fuzz.rhai", text)], "fuzz:", limits) {
        Ok(set) => set.check_forms(forms()),
        Err(e) => return Outcome::Rejected { message: e.to_string() },
    };
    static SHEET: OnceLock<std::sync::Arc<crate::sheet::Sheet>> = OnceLock::new();
    let sheet = SHEET.get_or_init(|| {
        let text = include_str!("../examples/sheets/sakura-support.toml");
        std::sync::Arc::new(
            sheet::load_str("sakura-support.toml", text.to_string(), SheetFormat::Toml, forms())
                .expect("example loads"),
        )
    });
    let mut report = SheetReport::new("sakura-support.toml", Some(sheet.clone()));
    crate::runner::Check::check(&set, sheet, &mut report);
    // The sheet is shared across inputs, so the policies are applied here,
    // not by the runner; the run's description still comes from one place.
    let run = Run::new(crate::outcome::RunCommand::Check, forms()).policies(&set).fail_on(FailOn::Warning).build();
    report.finalize(run.info().fail_on);
    check_report(&report);
    render_everywhere(&report, run.info());
    // A policy that does not compile, or errors on the sheet, is refused.
    match set.policies().first().and_then(|p| p.error()).or(report.errors.first()) {
        Some(e) => {
            assert!(!e.message.trim().is_empty(), "a policy error says why");
            Outcome::Rejected { message: e.message.clone() }
        }
        None => Outcome::Loaded { findings: report.findings.len() },
    }
}

/// Spans point into the sheet's text on char boundaries.
pub fn check_report(report: &SheetReport) {
    let Some(sheet) = &report.sheet else {
        assert!(!report.errors.is_empty(), "a report without a sheet carries the error");
        return;
    };
    let text: &str = &sheet.source;
    let valid = |s: Span| {
        s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
    };
    for f in &report.findings {
        for s in f.span.iter().copied().chain(f.secondary.iter().map(|(s, _)| *s)) {
            assert!(
                valid(s),
                "finding {} ({}) has span {s:?} outside the text of {} bytes",
                f.rule,
                f.message,
                text.len()
            );
        }
    }
}

/// Render a report of the run `info` describes in every output format;
/// the JSON must parse.
pub fn render_everywhere(report: &SheetReport, info: &RunInfo) {
    let mut summary = Summary::default();
    summary.add(report);
    let mut json = Vec::new();
    for &format in Format::ALL {
        let out: Box<dyn io::Write + '_> = match format {
            Format::Json => Box::new(&mut json),
            _ => Box::new(io::sink()),
        };
        let mut r = report::renderer(format, out, Style::plain(80));
        r.begin(info).expect("writing to memory");
        r.sheet(report).expect("writing to memory");
        r.finish(&summary).expect("writing to memory");
    }
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&json) {
        panic!("the JSON report does not parse: {e}\n{}", String::from_utf8_lossy(&json));
    }
}

//! `-f json`: the `kaiji.check/v1` schema of DESIGN §6, streamed sheet by
//! sheet (`summary` is written last, since it is known only at the end).
//!
//! Additive extension: with `--waivers`, a top-level `waivers` array after
//! `summary` tells how each waiver fared (`active`, `expired`, `stale`).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::{Finding, Renderer, RunError, RunInfo, SheetReport, Summary};

pub const SCHEMA: &str = "kaiji.check/v1";

pub struct Json<'w> {
    out: Box<dyn Write + 'w>,
    first: bool,
}

impl<'w> Json<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Json { out, first: true }
    }
}

/// One sheet as a JSON value (also used by other machine formats' tests).
pub fn sheet_value(r: &SheetReport) -> Value {
    json!({
        "path": r.path,
        "vendor": r.vendor(),
        "service": r.service(),
        "status": r.status,
        "policies": r.policies,
        "findings": r.findings.iter().map(|f| finding_value(r, f)).collect::<Vec<_>>(),
        "errors": r.errors.iter().map(error_value).collect::<Vec<_>>(),
    })
}

pub fn finding_value(r: &SheetReport, f: &Finding) -> Value {
    let mut v = json!({
        "rule": f.rule,
        "severity": f.severity,
        "question": f.question,
        "message": f.message,
        // In the sheet; for findings that have no place there (an expired
        // waiver, a policy's `fail(message)`), where they were raised.
        "location": f.span.and_then(|s| r.location(s)).or_else(|| {
            f.policy_site.as_ref().map(|p| super::Location::of(&p.path, &p.source, p.span))
        }),
    });
    if let Some(w) = &f.waived {
        v["waived"] = serde_json::to_value(w).unwrap_or(Value::Null);
    }
    v
}

fn error_value(e: &RunError) -> Value {
    let mut v = json!({ "message": e.message });
    if let Some(p) = &e.policy {
        v["policy"] = json!(p);
    }
    if let Some(l) = &e.location {
        v["location"] = serde_json::to_value(l).unwrap_or(Value::Null);
    }
    v
}

impl Renderer for Json<'_> {
    fn begin(&mut self, _run: &RunInfo) -> io::Result<()> {
        write!(self.out, "{{\n  \"schema\": \"{SCHEMA}\",\n  \"sheets\": [")
    }

    fn sheet(&mut self, report: &SheetReport) -> io::Result<()> {
        let sep = if std::mem::take(&mut self.first) { "\n" } else { ",\n" };
        self.out.write_all(sep.as_bytes())?;
        let text = pretty(&sheet_value(report), 4)?;
        write!(self.out, "    {text}")
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let close = if self.first { "]" } else { "\n  ]" };
        let s = pretty(summary, 2)?;
        write!(self.out, "{close},\n  \"summary\": {s}")?;
        if let Some(waivers) = &summary.waivers {
            write!(self.out, ",\n  \"waivers\": {}", pretty(waivers, 2)?)?;
        }
        writeln!(self.out, "\n}}")?;
        self.out.flush()
    }
}

/// Pretty JSON indented to sit at `indent` spaces inside the document.
fn pretty<T: Serialize>(v: &T, indent: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(v).map_err(io::Error::other)?;
    Ok(text.replace('\n', &format!("\n{}", " ".repeat(indent))))
}

//! `-f sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub code
//! scanning, Azure DevOps, VS Code's SARIF viewer).
//!
//! - `tool.driver.rules`: the lint rules (summary, explanation), then the
//!   policies by id (title, refs, file), then any other rule that raised a
//!   finding;
//! - one result per finding, with `ruleId`/`ruleIndex`, `level`, and a
//!   `physicalLocation` whose `region` spans the offending value (columns in
//!   Unicode code points, declared by `columnKind`); a policy finding also
//!   points at the policy's `fail(...)` call in `relatedLocations`;
//! - a waived finding carries an accepted external `suppression` with the
//!   waiver's reason, so dashboards hide it without losing it;
//! - what could not be evaluated is an `evaluation-error` result (so it shows
//!   on dashboards) and a tool execution notification; the invocation's
//!   `executionSuccessful` is false then.
//!
//! - provenance: `run.properties.provenance` (kaiji version, form catalogs,
//!   policy files, the built-in pack and the waiver file, by SHA-256), and
//!   each sheet read as an `artifact` with its `sha-256` hash.
//!
//! Results are streamed; the run's `tool` and `invocations` follow them, as
//! the rule list is complete only at the end (JSON members are unordered).

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::view::{FindingView, Range};
use super::{Renderer, RunInfo, Severity, SheetReport, Summary};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://crates.io/crates/kaiji";
/// The rule id of results about input that could not be evaluated.
pub const EVALUATION_ERROR: &str = "evaluation-error";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

#[derive(Serialize)]
struct ResultProperties {
    question: String,
    /// Where the answer was read in the vendor's file.
    #[serde(rename = "readAt", skip_serializing_if = "Option::is_none")]
    read_at: Option<String>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

impl From<Range> for Region {
    fn from(r: Range) -> Region {
        Region {
            start_line: r.line,
            start_column: r.column,
            end_line: Some(r.end_line),
            end_column: Some(r.end_column),
        }
    }
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Message,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

pub struct Sarif<'w> {
    out: Box<dyn Write + 'w>,
    rules: Vec<ReportingDescriptor>,
    index: HashMap<String, usize>,
    notifications: Vec<Notification>,
    first: bool,
    provenance: super::Provenance,
    /// Sheets read (artifact URI, SHA-256), in report order: two strings a
    /// sheet until `finish` writes them.
    artifacts: Vec<(String, String)>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `unknown-question` → `UnknownQuestion`.
fn pascal(name: &str) -> String {
    name.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

/// A relative URI reference for a report path: forward slashes, made
/// relative to the working directory when it is under it, and
/// percent-encoded (Japanese file names included) per RFC 3986. Paths
/// outside the working directory become `file://` URIs.
pub fn artifact_uri(path: &str) -> String {
    let p = std::path::Path::new(path);
    let rel = if p.is_absolute() {
        std::env::current_dir().ok().and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.to_string_lossy().into_owned()))
    } else {
        Some(path.strip_prefix("./").unwrap_or(path).to_string())
    };
    let encode = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for b in s.replace('\\', "/").bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    match rel {
        Some(r) => encode(&r),
        None => {
            let abs = encode(path);
            if abs.starts_with('/') { format!("file://{abs}") } else { format!("file:///{abs}") }
        }
    }
}

fn location(path: &str, region: Region, message: Option<String>) -> Location {
    Location {
        id: None,
        physical_location: PhysicalLocation { artifact_location: ArtifactLocation { uri: artifact_uri(path) }, region },
        message: message.map(|text| Message { text }),
    }
}

fn whole_file() -> Region {
    Region { start_line: 1, start_column: 1, end_line: None, end_column: None }
}

impl<'w> Sarif<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Sarif {
            out,
            rules: Vec::new(),
            index: HashMap::new(),
            notifications: Vec::new(),
            first: true,
            provenance: super::Provenance::default(),
            artifacts: Vec::new(),
        }
    }

    fn add_rule(&mut self, rule: ReportingDescriptor) -> usize {
        if let Some(&i) = self.index.get(&rule.id) {
            return i;
        }
        self.index.insert(rule.id.clone(), self.rules.len());
        self.rules.push(rule);
        self.rules.len() - 1
    }

    /// The index of rule `id`, describing it generically if it is new.
    fn rule_index(&mut self, id: &str, severity: Severity) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let text = if id == EVALUATION_ERROR {
            "A sheet or policy could not be evaluated".to_string()
        } else {
            format!("Findings reported as `{id}`")
        };
        self.add_rule(ReportingDescriptor {
            id: id.to_string(),
            name: pascal(id),
            short_description: Message { text: text.clone() },
            full_description: Message { text: text.clone() },
            help: Message { text },
            default_configuration: Configuration { level: level(severity) },
        })
    }

    fn emit(&mut self, result: &SarifResult) -> io::Result<()> {
        let sep = if std::mem::take(&mut self.first) { "\n" } else { ",\n" };
        self.out.write_all(sep.as_bytes())?;
        let text = pretty(result, 8)?;
        write!(self.out, "        {text}")
    }
}

impl Renderer for Sarif<'_> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.provenance = run.provenance.clone();
        for i in &run.rules {
            self.add_rule(ReportingDescriptor {
                id: i.name.to_string(),
                name: pascal(i.name),
                short_description: Message { text: i.summary.to_string() },
                full_description: Message { text: i.why.to_string() },
                help: Message {
                    text: format!(
                        "{}\n\nHow to fix: {}\n\nExample:\n{}\n\nSee `kaiji lint --explain {}`.",
                        i.why, i.fix, i.example, i.name
                    ),
                },
                default_configuration: Configuration { level: level(i.severity) },
            });
        }
        let mut policies = run.policies.clone();
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        for p in policies {
            let title = if p.title.is_empty() { p.id.clone() } else { p.title.clone() };
            let mut help = title.clone();
            if !p.refs.is_empty() {
                help.push_str(&format!("\n根拠 (refs): {}", p.refs));
            }
            if !p.path.is_empty() {
                help.push_str(&format!("\nPolicy file: {}", p.path));
            }
            let full = if p.refs.is_empty() { title.clone() } else { format!("{title}（{}）", p.refs) };
            self.add_rule(ReportingDescriptor {
                id: p.id.clone(),
                name: p.id.clone(),
                short_description: Message { text: title },
                full_description: Message { text: full },
                help: Message { text: help },
                default_configuration: Configuration { level: "error" },
            });
        }
        write!(
            self.out,
            "{{\n  \"$schema\": \"{SCHEMA_URI}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"results\": ["
        )
    }

    fn sheet(&mut self, r: &SheetReport) -> io::Result<()> {
        if let Some(h) = r.sha256() {
            self.artifacts.push((artifact_uri(&r.path), h.to_string()));
        }
        for e in &r.errors {
            let (rule, text) = match &e.policy {
                Some(p) => (p.as_str(), format!("policy {p} could not be evaluated: {}", e.message)),
                None => (EVALUATION_ERROR, e.message.clone()),
            };
            let index = self.rule_index(rule, Severity::Error);
            let (path, region) = match &e.location {
                Some(l) => (
                    l.path.as_str(),
                    Region { start_line: l.line, start_column: l.column, end_line: None, end_column: None },
                ),
                None => (r.path.as_str(), whole_file()),
            };
            let loc = || location(path, region, None);
            self.notifications.push(Notification {
                level: "error",
                message: Message { text: text.clone() },
                locations: vec![loc()],
            });
            let result = SarifResult {
                rule_id: rule.to_string(),
                rule_index: index,
                level: "error",
                message: Message { text },
                locations: vec![loc()],
                related_locations: Vec::new(),
                suppressions: Vec::new(),
                properties: None,
            };
            self.emit(&result)?;
        }
        // A document imported in the run: its account, as a tool
        // notification on the document (a warning when it leaves something
        // for a person to look at).
        if let Some(import) = &r.import {
            self.notifications.push(Notification {
                level: if import.needs_a_look() { "warning" } else { "note" },
                message: Message { text: import.text() },
                locations: vec![location(&r.path, whole_file(), None)],
            });
        }
        let loc = super::view::Locator::new(r);
        for f in &r.findings {
            let v = FindingView::new(&loc, f);
            let index = self.rule_index(&v.rule, v.severity);
            let text = match &v.question {
                Some(q) => match &v.read_at {
                    Some(at) => format!("[{q} · {at}] {}", v.message),
                    None => format!("[{q}] {}", v.message),
                },
                None => v.message.clone(),
            };
            let related = v
                .policy_site
                .as_ref()
                .map(|(path, range)| {
                    let mut l = location(path, (*range).into(), Some(format!("raised by {}", v.rule)));
                    l.id = Some(1);
                    l
                })
                .into_iter()
                .collect();
            let suppressions = v
                .waived
                .as_ref()
                .map(|w| {
                    let mut j = w.reason.clone();
                    if let Some(a) = &w.approver {
                        j.push_str(&format!(" (approved by {a})"));
                    }
                    j.push_str(&format!("; expires {}", w.expires));
                    Suppression { kind: "external", status: "accepted", justification: j }
                })
                .into_iter()
                .collect();
            let result = SarifResult {
                rule_id: v.rule.clone(),
                rule_index: index,
                level: level(v.severity),
                message: Message { text },
                locations: vec![location(&r.path, v.range.map_or_else(whole_file, Region::from), None)],
                related_locations: related,
                suppressions,
                properties: v
                    .question
                    .clone()
                    .map(|question| ResultProperties { question, read_at: v.read_at.clone() }),
            };
            self.emit(&result)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let close = if self.first { "]" } else { "\n      ]" };
        let tool = serde_json::json!({
            "driver": {
                "name": "kaiji",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": self.rules,
            }
        });
        let invocation = serde_json::json!([{
            "executionSuccessful": summary.errors == 0,
            "toolExecutionNotifications": self.notifications,
        }]);
        let properties = serde_json::json!({ "provenance": self.provenance });
        write!(
            self.out,
            "{close},\n      \"columnKind\": \"unicodeCodePoints\",\n      \"tool\": {},\n      \"invocations\": {}",
            pretty(&tool, 6)?,
            pretty(&invocation, 6)?
        )?;
        if !self.artifacts.is_empty() {
            // serde_json's pretty array, an artifact at a time
            write!(self.out, ",\n      \"artifacts\": [")?;
            for (i, (uri, hash)) in self.artifacts.iter().enumerate() {
                let artifact = serde_json::json!({
                    "location": { "uri": uri },
                    "roles": ["analysisTarget"],
                    "hashes": { "sha-256": hash },
                });
                let sep = if i == 0 { "\n" } else { ",\n" };
                write!(self.out, "{sep}        {}", pretty(&artifact, 8)?)?;
            }
            write!(self.out, "\n      ]")?;
        }
        write!(self.out, ",\n      \"properties\": {}\n    }}\n  ]\n}}\n", pretty(&properties, 6)?)?;
        self.out.flush()
    }
}

/// Pretty JSON indented to sit at `indent` spaces inside the document.
fn pretty<T: Serialize>(v: &T, indent: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(v).map_err(io::Error::other)?;
    Ok(crate::text::escape_json_controls(&text).replace('\n', &format!("\n{}", " ".repeat(indent))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(artifact_uri("vendors/a.toml"), "vendors/a.toml");
        assert_eq!(artifact_uri("./vendors/a b.toml"), "vendors/a%20b.toml");
        assert_eq!(artifact_uri("開示/あ.toml"), "%E9%96%8B%E7%A4%BA/%E3%81%82.toml");
        assert_eq!(artifact_uri("c:x.toml"), "c%3Ax.toml");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(artifact_uri(&cwd.join("x/y.toml").display().to_string()), "x/y.toml");
        assert_eq!(artifact_uri("/nowhere-kaiji/y.toml"), "file:///nowhere-kaiji/y.toml");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal("unknown-question"), "UnknownQuestion");
        assert_eq!(pascal("missing-metadata"), "MissingMetadata");
    }
}

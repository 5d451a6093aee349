//! `-f html`: one standalone page for a procurement committee — the vendor ×
//! policy matrix (rows: sheets, columns: policies and lint), a click-through
//! from every cell to its findings (question id and text, the vendor's
//! answer, the 備考 it cited, the message and where it is), filters by
//! status and by form section, and a legend of the policies.
//!
//! Safety: every value goes through minijinja's HTML autoescaping, the
//! script reads the page only through the DOM (`textContent`, `dataset`,
//! never `innerHTML`), and a Content-Security-Policy allows no network
//! access and no script but the page's own (by hash), so a remark holding
//! `<script>` or an `onerror=` attribute is shown as text and never runs.
//!
//! Works without the script too (cells are links to `:target` panels), and
//! prints every panel. The matrix needs all sheets, so compact rows (not
//! the sheets) are held until the end, and the page is written in pieces:
//! the head, each row of the matrix, the legend, each sheet's drill-down
//! (read back from the matrix's temporary file), the foot — never whole in
//! memory.

use std::collections::HashMap;
use std::io::{self, Write};

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use super::matrix::{Matrix, MatrixFormat};
use super::view::{CellStatus, Column, FindingView};
use super::{SheetStatus, Summary};

const TEMPLATE: &str = include_str!("templates/report.html");
const SCRIPT: &str = include_str!("templates/report.js");
const STYLE: &str = include_str!("templates/report.css");

pub struct Html;

/// Everything the template sees but the rows and the drill-down, which
/// are rendered a sheet at a time ([`Rows`], [`Details`]).
#[derive(Serialize)]
struct Page {
    title: String,
    csp: String,
    command: crate::outcome::RunCommand,
    summary: SummaryCtx,
    columns: Vec<ColumnCtx>,
    sections: Vec<(String, String)>,
    statuses: Vec<StatusCtx>,
    row_count: usize,
    /// What the verdicts rest on: (file, SHA-256 or value).
    provenance: Vec<(String, String)>,
    style: &'static str,
    script: &'static str,
}

/// Rows of the matrix, for the template's row loop.
#[derive(Serialize)]
struct Rows<'a> {
    rows: &'a [RowCtx],
}

/// Drill-down panels, for the template's detail loop.
#[derive(Serialize)]
struct Details<'a> {
    details: &'a [DetailCtx],
}

#[derive(Serialize)]
struct SummaryCtx {
    sheets: usize,
    passed: usize,
    failed: usize,
    errors: usize,
}

#[derive(Serialize)]
struct StatusCtx {
    id: &'static str,
    label: &'static str,
    symbol: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct ColumnCtx {
    id: String,
    title: String,
    refs: String,
    path: String,
    lint: bool,
}

#[derive(Serialize)]
struct CellCtx {
    status: &'static str,
    label: &'static str,
    symbol: &'static str,
    /// Id of the detail panel, when the cell has something to show.
    target: Option<String>,
    count: usize,
    /// Section keys (`s0 s3`) of the cell's findings.
    sections: String,
}

#[derive(Serialize)]
struct RowCtx {
    index: usize,
    path: String,
    vendor: String,
    service: String,
    version: String,
    created: String,
    verdict: &'static str,
    verdict_label: &'static str,
    cells: Vec<CellCtx>,
    /// A document imported in the run: its import account in one line.
    import: Option<String>,
    /// The account asks for a look (unanswered, ambiguous, hidden content).
    import_look: bool,
    /// The vendor document the sheet was read from (`[source]`).
    source: Option<String>,
}

#[derive(Serialize)]
struct FindingCtx {
    status: &'static str,
    label: &'static str,
    severity: &'static str,
    rule: String,
    question: Option<String>,
    question_text: Option<String>,
    section: Option<String>,
    section_key: String,
    answer: Option<String>,
    remarks: Vec<String>,
    message: String,
    help: Option<String>,
    place: String,
    policy_place: Option<String>,
    waiver: Option<WaiverCtx>,
    /// Where the answer was read in the vendor's document.
    read_at: Option<String>,
    /// The answer was changed after the import.
    changed: bool,
}

#[derive(Serialize)]
struct WaiverCtx {
    reason: String,
    approver: Option<String>,
    expires: String,
}

#[derive(Serialize)]
struct DetailCtx {
    id: String,
    sheet: String,
    path: String,
    column: String,
    column_title: String,
    status: &'static str,
    label: &'static str,
    errors: Vec<String>,
    findings: Vec<FindingCtx>,
    /// `--explain`: the sheet values the policy read, with the verdict.
    explain: Option<String>,
    /// The vendor document the answers were read from, with its SHA-256.
    source: Option<String>,
}

/// Key of a section for filters: its index in the form order list.
fn section_key(sections: &HashMap<&str, usize>, section: Option<&String>) -> String {
    section.and_then(|s| sections.get(s.as_str())).map(|i| format!("s{i}")).unwrap_or_default()
}

fn finding_ctx(path: &str, f: &FindingView, sections: &HashMap<&str, usize>) -> FindingCtx {
    let status = f.status();
    FindingCtx {
        status: status.as_str(),
        label: status.label_ja(),
        severity: f.severity.as_str(),
        rule: f.rule.clone(),
        question: f.question.clone(),
        question_text: f.question_text.clone(),
        section: f.section.clone(),
        section_key: section_key(sections, f.section.as_ref()),
        answer: f.answer.clone(),
        remarks: f.remarks.clone(),
        message: f.message.clone(),
        help: f.help.clone(),
        place: f.place(path),
        policy_place: f.policy_site.as_ref().map(|(p, r)| format!("{p}:{}:{}", r.line, r.column)),
        waiver: f.waived.as_ref().map(|w| WaiverCtx {
            reason: w.reason.clone(),
            approver: w.approver.clone(),
            expires: w.expires.clone(),
        }),
        read_at: f.read_at.clone(),
        changed: f.changed_since_import,
    }
}

/// base64 (RFC 4648, padded) for the CSP script hash.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The CSP source expression allowing exactly `script`.
pub fn script_hash(script: &str) -> String {
    use sha2::Digest;
    format!("'sha256-{}'", base64(&sha2::Sha256::digest(script.as_bytes())))
}

/// The CSP sources that allow exactly the page's own style and script,
/// `(style, script)`, for a server that sends the page with its policy as
/// a header (`kaiji serve`): no `'unsafe-inline'` needed there.
pub fn inline_sources() -> (String, String) {
    (script_hash(STYLE), script_hash(SCRIPT))
}

fn verdict(status: SheetStatus) -> CellStatus {
    match status {
        SheetStatus::Pass => CellStatus::Pass,
        SheetStatus::Fail => CellStatus::Fail,
        SheetStatus::Error => CellStatus::Error,
    }
}

/// The template in the pieces it is rendered in: before the matrix's rows,
/// the row loop, between the rows and the drill-down, the drill-down loop,
/// after it. Each piece renders what the whole template rendered there:
/// the loops' `{%-` strip the newline before them, as minijinja drops a
/// piece's one trailing newline.
fn pieces() -> [&'static str; 5] {
    const ROWS: &str = "{%- for r in rows %}";
    const ROWS_END: &str = "{%- endfor %}\n</tbody>";
    const DETAILS: &str = "{%- for d in details %}";
    const DETAILS_END: &str = "{%- endfor %}\n</section>\n<section class=\"provenance\"";
    const ENDFOR: usize = "{%- endfor %}".len();
    let find = |what: &str| TEMPLATE.find(what).expect("report.html has its loops");
    let (rows, rows_end) = (find(ROWS), find(ROWS_END) + ENDFOR);
    let (details, details_end) = (find(DETAILS), find(DETAILS_END) + ENDFOR);
    [
        &TEMPLATE[..rows],
        &TEMPLATE[rows..rows_end],
        &TEMPLATE[rows_end..details],
        &TEMPLATE[details..details_end],
        &TEMPLATE[details_end..],
    ]
}

/// Write a rendered piece: autoescaping leaves control characters alone;
/// the page's own text (template, style, script) has none, so any is
/// vendor text: shown escaped, bidi overrides included, for the page and
/// for `cat`.
fn put(out: &mut dyn Write, text: String) -> io::Result<()> {
    out.write_all(crate::text::into_printable(text).as_bytes())
}

impl Html {
    fn write(m: &mut Matrix, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        let e = io::Error::other;
        let columns = m.columns();
        let sections = m.sections();
        let section_at: HashMap<&str, usize> = sections.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
        let tally = m.tally();
        let statuses: Vec<StatusCtx> = CellStatus::ALL
            .iter()
            .map(|s| StatusCtx {
                id: s.as_str(),
                label: s.label_ja(),
                symbol: s.symbol(),
                count: tally.get(s).copied().unwrap_or(0),
            })
            .collect();
        let column_ctx: Vec<ColumnCtx> = columns
            .iter()
            .map(|c| {
                let p = match c {
                    Column::Policy(id) => m.policy(id),
                    Column::Lint => None,
                };
                ColumnCtx {
                    id: c.id().to_string(),
                    title: m.column_title(c),
                    refs: p.map(|p| p.refs.clone()).unwrap_or_default(),
                    path: p.map(|p| p.path.clone()).unwrap_or_default(),
                    lint: *c == Column::Lint,
                }
            })
            .collect();
        let mut env = Environment::new();
        let names = ["head.html", "rows.html", "legend.html", "details.html", "foot.html"];
        for (name, piece) in names.iter().zip(pieces()) {
            env.add_template(name, piece).map_err(e)?;
        }
        let title = format!("kaiji {} — 開示書評価一覧", m.command());
        let csp = format!(
            "default-src 'none'; style-src 'unsafe-inline'; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            script_hash(SCRIPT)
        );
        let page = Page {
            title,
            csp,
            command: m.command(),
            summary: SummaryCtx {
                sheets: summary.sheets,
                passed: summary.passed,
                failed: summary.failed,
                errors: summary.errors,
            },
            columns: column_ctx,
            sections: sections.iter().enumerate().map(|(i, s)| (format!("s{i}"), s.clone())).collect(),
            statuses,
            row_count: m.rows.len(),
            provenance: m.provenance(),
            style: STYLE,
            script: SCRIPT,
        };
        let page = Value::from(Serde(&page));
        let render = |name: &str, ctx: Value| env.get_template(name).and_then(|t| t.render(ctx)).map_err(e);

        let places = m.section_places();
        put(out, render("head.html", page.clone())?)?;
        for (ri, row) in m.rows.iter().enumerate() {
            let cells = columns
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let status = m.cell(row, c);
                    let mut keys: Vec<String> =
                        m.cell_sections(row, c, &places).iter().map(|i| format!("s{i}")).collect();
                    keys.sort();
                    keys.dedup();
                    CellCtx {
                        status: status.as_str(),
                        label: status.label_ja(),
                        symbol: status.symbol(),
                        target: m.has_detail(row, c).then(|| format!("d-{ri}-{ci}")),
                        count: m.findings(row, c),
                        sections: keys.join(" "),
                    }
                })
                .collect();
            let ctx = RowCtx {
                index: ri,
                path: row.path.clone(),
                vendor: row.vendor.clone(),
                service: row.service.clone(),
                version: row.version.clone(),
                created: row.created.clone(),
                verdict: verdict(row.status).as_str(),
                verdict_label: verdict(row.status).label_ja(),
                cells,
                import: row.import.as_ref().map(|i| i.line.clone()),
                import_look: row.import.as_ref().is_some_and(|i| i.needs_a_look),
                source: row.source.as_ref().map(|(file, _)| file.clone()),
            };
            put(out, render("rows.html", Value::from(Serde(&Rows { rows: std::slice::from_ref(&ctx) })))?)?;
        }
        put(out, render("legend.html", page.clone())?)?;
        let details = m.details()?;
        for (ri, (row, detail)) in m.rows.iter().zip(details).enumerate() {
            let detail = detail?;
            let mut panels = Vec::new();
            for (ci, c) in columns.iter().enumerate() {
                let status = m.cell(row, c);
                let findings: Vec<FindingCtx> =
                    detail.findings_in(c).iter().map(|f| finding_ctx(&row.path, f, &section_at)).collect();
                let errors: Vec<String> = if status == CellStatus::Error {
                    detail.errors_in(c).map(str::to_string).collect()
                } else {
                    Vec::new()
                };
                let explain = detail.explain_in(c).map(str::to_string);
                if findings.is_empty() && errors.is_empty() && explain.is_none() {
                    continue;
                }
                panels.push(DetailCtx {
                    id: format!("d-{ri}-{ci}"),
                    sheet: row.title(),
                    path: row.path.clone(),
                    column: c.id().to_string(),
                    column_title: m.column_title(c),
                    status: status.as_str(),
                    label: status.label_ja(),
                    errors,
                    findings,
                    explain,
                    source: row.source.as_ref().map(|(file, sha)| format!("{file} (SHA-256 {sha})")),
                });
            }
            if !panels.is_empty() {
                put(out, render("details.html", Value::from(Serde(&Details { details: &panels })))?)?;
            }
        }
        put(out, render("foot.html", page)?)
    }
}

impl MatrixFormat for Html {
    fn render(matrix: &mut Matrix, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        Html::write(matrix, summary, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn script_hash_is_the_csp_form() {
        // sha256("") in base64, as CSP computes it.
        assert_eq!(script_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    }
}

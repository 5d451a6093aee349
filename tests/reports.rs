//! The report formats: a snapshot per format on the example sheets and on a
//! constructed run covering every status; SARIF against the 2.1.0 schema;
//! hostile vendor text inert in html, csv, xlsx, markdown and github.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx as XlsxReader};
use common::*;
use kaiji::report::Format;
use kaiji::report::xlsx::{FINDINGS_SHEET, MATRIX_SHEET, POLICIES_SHEET, PROVENANCE_SHEET};
use serde_json::Value;

// ---------------------------------------------------------------- snapshots

/// The HTML without its inline CSS/JS (constants, reviewed as files).
fn html_body(page: &str) -> String {
    let cut = |s: &str, open: &str, close: &str| -> String {
        let a = s.find(open).unwrap() + open.len();
        let b = s[a..].find(close).unwrap() + a;
        format!("{}/* {} bytes elided */{}", &s[..a], b - a, &s[b..])
    };
    cut(&cut(page, "<style>", "</style>"), "<script>", "</script>")
}

/// Every cell of every worksheet, as text with the cell type.
fn xlsx_dump(bytes: Vec<u8>) -> String {
    let mut wb: XlsxReader<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        out.push_str(&format!("## {name}\n"));
        let range = wb.worksheet_range(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => format!("{s:?}"),
                    Data::Float(f) => format!("#{f}"),
                    Data::Int(i) => format!("#{i}"),
                    other => format!("<{other:?}>"),
                })
                .collect();
            out.push_str(&format!("{r}: {}\n", cells.join(" | ")));
        }
    }
    out
}

macro_rules! snapshots {
    ($($name:ident => $format:expr, $show:expr;)*) => {
        mod snapshot {
            use super::*;
            $(
                #[test]
                fn $name() {
                    let show: fn(Vec<u8>) -> String = $show;
                    insta::assert_snapshot!(concat!(stringify!($name), "_lint_examples"), show(lint_examples($format)));
                    insta::assert_snapshot!(concat!(stringify!($name), "_demo"), show(demo_output($format)));
                    insta::assert_snapshot!(concat!(stringify!($name), "_check_examples"), show(check_examples($format)));
                }
            )*
        }
    };
}

snapshots! {
    human => Format::Human, text;
    json => Format::Json, text;
    junit => Format::Junit, text;
    sarif => Format::Sarif, text;
    github => Format::Github, text;
    markdown => Format::Markdown, text;
    csv => Format::Csv, text;
    html => Format::Html, |b| html_body(&text(b));
    xlsx => Format::Xlsx, xlsx_dump;
}

// ---------------------------------------------------------------- determinism

#[test]
fn every_format_is_byte_stable() {
    for format in
        [Format::Junit, Format::Sarif, Format::Github, Format::Markdown, Format::Csv, Format::Html, Format::Xlsx]
    {
        assert_eq!(demo_output(format), demo_output(format), "{format:?} differs between runs");
    }
}

// ---------------------------------------------------------------- sarif

/// A vendored SARIF schema, compiled.
///
/// The published schema's `language` patterns have a stray `]`
/// (`...[a-zA-Z]{2}]?$`), which the validator's regex check refuses when it
/// checks the schema itself; kaiji never writes `language`, so the pattern
/// is restored to its evident intent before compiling.
fn sarif_schema(schema_file: &str) -> jsonschema::Validator {
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("tests/fixtures/{schema_file}")).unwrap()).unwrap();
    fix_language_pattern(&mut schema);
    jsonschema::validator_for(&schema).unwrap()
}

fn fix_language_pattern(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(p) = map.get_mut("pattern")
                && p == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"
            {
                *p = Value::from("^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$");
            }
            map.values_mut().for_each(fix_language_pattern);
        }
        Value::Array(items) => items.iter_mut().for_each(fix_language_pattern),
        _ => {}
    }
}

fn validate_sarif(schema_file: &str, doc: &Value) {
    let validator = sarif_schema(schema_file);
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid against {schema_file}:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    for out in [lint_examples(Format::Sarif), demo_output(Format::Sarif)] {
        let doc: Value = serde_json::from_slice(&out).unwrap();
        validate_sarif("sarif-schema-2.1.0.json", &doc);
        validate_sarif("sarif-2.1.0-multitool.json", &doc);
    }
}

#[test]
fn the_validator_rejects_broken_sarif() {
    // Guards the test above: the schema really is enforced.
    let mut doc: Value = serde_json::from_slice(&demo_output(Format::Sarif)).unwrap();
    doc["runs"][0]["results"][0]["level"] = Value::from("fatal");
    let schema = sarif_schema("sarif-schema-2.1.0.json");
    assert!(!schema.is_valid(&doc));
    doc["runs"][0]["results"][0]["level"] = Value::from("error");
    assert!(schema.is_valid(&doc));
    doc["runs"][0]["tool"]["driver"].as_object_mut().unwrap().remove("name");
    assert!(!schema.is_valid(&doc));
}

#[test]
fn sarif_results_meet_code_scanning_needs() {
    let doc: Value = serde_json::from_slice(&demo_output(Format::Sarif)).unwrap();
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(!loc["artifactLocation"]["uri"].as_str().unwrap().starts_with('/'));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // Policies carry their refs; lint rules their explanation.
    let auth = rules.iter().find(|r| r["id"] == "H-AUTH-001").unwrap();
    assert!(auth["help"]["text"].as_str().unwrap().contains("システム運用編 14"));
    let unknown = rules.iter().find(|r| r["id"] == "unknown-question").unwrap();
    assert_eq!(unknown["name"], "UnknownQuestion");
    // The waived finding is suppressed with the waiver's reason.
    let waived = results.iter().find(|r| r["ruleId"] == "H-BACKUP-002").unwrap();
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
    assert!(waived["suppressions"][0]["justification"].as_str().unwrap().contains("2027年4月"));
    // The policy finding points at the fail(...) call too.
    let auth_result = results.iter().find(|r| r["ruleId"] == "H-AUTH-001").unwrap();
    let rel = &auth_result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(rel["artifactLocation"]["uri"], "policies/h-auth-001.rhai");
    assert_eq!(rel["region"]["startLine"], 3);
    // What could not be evaluated is a result and a notification.
    assert!(results.iter().any(|r| r["ruleId"] == "evaluation-error"));
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------- junit

#[test]
fn junit_counts_match_the_statuses() {
    let xml = text(demo_output(Format::Junit));
    // 3 sheets: two readable ones with 5 policies + 10 lint rules, the
    // unreadable one with a sheet error and 5 policy errors.
    assert!(xml.contains(r#"<testsuites name="kaiji check" tests="36" skipped="3" failures="2" errors="7">"#), "{xml}");
    assert!(xml.contains("vendors/hostile.toml:"), "failures carry file:line");
    assert!(xml.contains("[17.1.d] 二要素認証"), "failures carry question ids");
}

// ---------------------------------------------------------------- hostile text

#[test]
fn hostile_text_is_inert_in_html() {
    let page = text(demo_output(Format::Html));
    let body = html_body(&page);
    assert_eq!(body.matches("<script").count(), 1, "no script element but kaiji's own");
    assert!(!body.contains("<img"), "no element from vendor text");
    let handler = regex::Regex::new(r"(?i)<[a-z][^>]*\son[a-z]+\s*=").unwrap();
    assert!(!handler.is_match(&body), "no event handler attribute in any tag");
    assert!(body.contains("&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;&#x2f;script&gt;"));
    assert!(body.contains("&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;"));
    assert_eq!(page.matches("<script>").count(), 1);
    // The policy allows exactly kaiji's script and no network access.
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("script-src 'sha256-"));
}

#[test]
fn html_script_hash_matches_the_inline_script() {
    let page = text(demo_output(Format::Html));
    let a = page.find("<script>").unwrap() + "<script>".len();
    let b = page[a..].find("</script>").unwrap() + a;
    let hash = kaiji::report::html::script_hash(&page[a..b]);
    assert!(page.contains(&format!("script-src {hash};")), "CSP must allow the page's own script");
}

#[test]
fn hostile_text_is_inert_in_csv() {
    let rows = parse_csv(&text(demo_output(Format::Csv)));
    let header = &rows[0];
    assert_eq!(header.len(), kaiji::report::csv::HEADER.len());
    assert!(rows.iter().all(|r| r.len() == header.len()), "every row has every column");
    for cell in rows.iter().flatten() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "formula-like cell: {cell:?}");
    }
    let vendor = header.iter().position(|h| h == "vendor").unwrap();
    assert!(rows.iter().any(|r| r[vendor] == format!("'{HOSTILE_VENDOR}")));
    let remarks = header.iter().position(|h| h == "remarks").unwrap();
    let auth = rows.iter().find(|r| r[4] == "H-AUTH-001" && r[1].starts_with("'=")).unwrap();
    assert_eq!(auth[remarks], format!("{HOSTILE_REMARK}\n{HOSTILE_NOTE}"));
    let tls = rows.iter().find(|r| r[4] == "H-TLS-003" && r[1].starts_with("'=")).unwrap();
    assert_eq!(tls[remarks], format!("'{HOSTILE_TLS_REMARK}"), "quotes and newlines survive quoting");
}

#[test]
fn hostile_text_is_inert_in_xlsx() {
    let bytes = demo_output(Format::Xlsx);
    let mut wb: XlsxReader<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), vec![MATRIX_SHEET, FINDINGS_SHEET, POLICIES_SHEET, PROVENANCE_SHEET]);
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).unwrap();
        assert!(formulas.used_cells().next().is_none(), "{name} has formulas");
    }
    let matrix = wb.worksheet_range(MATRIX_SHEET).unwrap();
    assert_eq!(matrix.get_value((3, 0)), Some(&Data::String(HOSTILE_VENDOR.to_string())), "vendor is a string");
    let findings = wb.worksheet_range(FINDINGS_SHEET).unwrap();
    let remark_cells: Vec<&Data> = findings.rows().map(|r| &r[11]).collect();
    assert!(remark_cells.contains(&&Data::String(format!("{HOSTILE_REMARK}\n{HOSTILE_NOTE}"))));
}

#[test]
fn xlsx_marks_formula_like_text_with_a_quote_prefix() {
    // The cell XML of the vendor name carries a style with quotePrefix.
    let bytes = demo_output(Format::Xlsx);
    let mut zip = zip_entry(&bytes, "xl/styles.xml");
    assert!(zip.contains("quotePrefix=\"1\""), "styles: {zip}");
    zip.clear();
}

/// One file of the xlsx package, as text.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn hostile_text_is_escaped_in_markdown_and_github() {
    let md = text(demo_output(Format::Markdown));
    assert!(md.contains("\\<script\\>"));
    // kaiji writes no HTML of its own in Markdown: every `<` is escaped text.
    for (i, _) in md.match_indices('<') {
        assert!(md[..i].ends_with('\\'), "unescaped `<` at {i}");
    }
    // Every table row keeps its column count despite the `|` in a remark.
    for line in md.lines().filter(|l| l.starts_with("| vendors/")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 10, "{line}");
    }
    let gh = text(demo_output(Format::Github));
    for line in gh.lines() {
        assert!(line.starts_with("::") || line.starts_with("kaiji check:"), "one command per line: {line}");
    }
}

#[test]
fn xlsx_matrix_cells_link_to_their_findings() {
    let bytes = demo_output(Format::Xlsx);
    let sheet1 = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    let links = regex::Regex::new(r#"<hyperlink ref="([A-Z]+)(\d+)" location="'([^']+)'!A(\d+)""#).unwrap();
    let mut wb: XlsxReader<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let matrix = wb.worksheet_range(MATRIX_SHEET).unwrap();
    let findings = wb.worksheet_range(FINDINGS_SHEET).unwrap();
    let mut n = 0;
    for c in links.captures_iter(&sheet1) {
        n += 1;
        assert_eq!(&c[3], FINDINGS_SHEET);
        let col = c[1].bytes().fold(0, |a, b| a * 26 + u32::from(b - b'A') + 1) - 1;
        let (row, target) = (c[2].parse::<u32>().unwrap() - 1, c[4].parse::<u32>().unwrap() - 1);
        let check = matrix.get_value((0, col)).unwrap().to_string();
        let path = matrix.get_value((row, 2)).unwrap().to_string();
        assert_eq!(findings.get_value((target, 0)).unwrap().to_string(), path, "link from {}{}", &c[1], &c[2]);
        let linked = findings.get_value((target, 3)).unwrap().to_string();
        assert!(linked == check || linked.is_empty(), "{check} links to a row of {linked:?}");
    }
    // aozora lint; hostile AUTH, BACKUP, BCP, TLS, lint; broken × 6.
    assert_eq!(n, 12);
}

// ---------------------------------------------------------------- command line

#[test]
fn cli_writes_every_format_and_keeps_stderr_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("sarif", "r.sarif"), ("xlsx", "r.xlsx"), ("html", "r.html"), ("junit", "r.xml")] {
        let out = dir.path().join(file);
        let assert = assert_cmd::cargo::cargo_bin_cmd!("kaiji")
            .args(["lint", "examples/sheets", "-f", format, "-o"])
            .arg(&out)
            .assert()
            .code(1); // sakura-support.toml has lint errors
        let result = assert.get_output();
        assert!(result.stdout.is_empty(), "-o leaves stdout alone");
        // No progress bar off a terminal: only the run's summary line.
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.starts_with("kaiji lint: 3 sheet(s): ") && stderr.lines().count() == 1, "{stderr}");
        assert!(std::fs::metadata(&out).unwrap().len() > 1000, "{format} written");
    }
    let sarif: Value = serde_json::from_slice(&std::fs::read(dir.path().join("r.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let stdout = assert_cmd::cargo::cargo_bin_cmd!("kaiji")
        .args(["lint", "examples/sheets", "-f", "csv"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(text(stdout).as_bytes(), lint_examples(Format::Csv).as_slice(), "CLI and library agree");
}

#[test]
fn findings_of_no_policy_show_even_without_lint() {
    // `check --no-lint` with a waiver file whose waiver expired: the
    // waiver's own warning is no policy's finding and must still show.
    let (mut run, mut reports) = demo();
    run.rules.clear();
    let lint_rules: Vec<&str> = kaiji::lint::RULES.iter().map(|r| r.info().name).collect();
    for r in &mut reports {
        r.findings.retain(|f| !lint_rules.contains(&&*f.rule));
    }
    let expired = kaiji::report::Finding::waiver(
        "expired-waiver",
        kaiji::report::Severity::Warning,
        "waiver for H-AUTH-001 expired on 2026-03-31",
    );
    reports[0].findings.push(expired);
    reports[0].finalize(run.fail_on);

    let csv = parse_csv(&text(render(Format::Csv, &run, &reports)));
    let lint_rows: Vec<&Vec<String>> = csv.iter().filter(|r| r[4] == "lint").collect();
    assert_eq!(lint_rows.len(), 1, "a lint row only where such a finding is");
    assert_eq!(lint_rows[0][7], "expired-waiver");
    let md = text(render(Format::Markdown, &run, &reports));
    assert!(md.contains(" lint |"), "the column is there");
    assert!(md.contains("`expired-waiver`"));
    let junit = text(render(Format::Junit, &run, &reports));
    assert!(junit.contains("testcase name=\"lint/expired-waiver\""));
    assert!(!junit.contains("lint/unanswered"), "no lint rule cases when lint did not run");
    let sarif: Value = serde_json::from_slice(&render(Format::Sarif, &run, &reports)).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "expired-waiver"));
    assert!(!rules.iter().any(|r| r["id"] == "unanswered"));
    validate_sarif("sarif-schema-2.1.0.json", &sarif);
}

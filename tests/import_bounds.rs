//! Hostile files for `kaiji import`, run through the binary under an
//! address-space limit (`prlimit --as`): each must end with a clean exit
//! (2 and a message for what is refused), never an allocation abort. The
//! workbooks are built here, by hand, as the few XML parts an xlsx needs.
//! Linux only: `prlimit` is util-linux.

#![cfg(target_os = "linux")]

#[path = "xlsgen/mod.rs"]
mod xlsgen;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// 1 GiB of address space: far more than any real import needs, far less
/// than what the hostile inputs asked for before they were bounded.
const ADDRESS_SPACE: u64 = 1 << 30;
const TIMEOUT: Duration = Duration::from_secs(60);

/// `kaiji import FILE` under `prlimit --as`, with a time limit.
fn import_limited(file: &Path) -> Output {
    let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].into_iter().find(|p| Path::new(p).exists());
    let prlimit = prlimit.expect("prlimit (util-linux) is needed for the memory-bounded import tests");
    let mut child = Command::new(prlimit)
        .arg(format!("--as={ADDRESS_SPACE}"))
        .arg(env!("CARGO_BIN_EXE_kaiji"))
        .arg("import")
        .arg(file)
        // the fixtures are small on purpose: a few questions are enough
        .arg("--partial")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > TIMEOUT {
            child.kill().unwrap();
            panic!("kaiji import {} did not finish within {TIMEOUT:?}", file.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Exit 2 with `needle` in the message: refused, not crashed.
fn assert_refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ");
    assert_eq!(out.status.code(), Some(2), "expected a clean exit 2, got {:?}:\n{err}", out.status);
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    assert!(out.stdout.is_empty());
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="開示書" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// A minimal xlsx: one worksheet (`sheet_data` is the content of
/// `<sheetData>`, `dimension` its declared range) and optional shared strings.
fn xlsx(dimension: &str, sheet_data: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    let mut part = |name: &str, parts: &[&[u8]]| {
        zip.start_file(name, opts).unwrap();
        for p in parts {
            zip.write_all(p).unwrap();
        }
    };
    part("[Content_Types].xml", &[CONTENT_TYPES.as_bytes()]);
    part("_rels/.rels", &[RELS.as_bytes()]);
    part("xl/workbook.xml", &[WORKBOOK.as_bytes()]);
    part("xl/_rels/workbook.xml.rels", &[WORKBOOK_RELS.as_bytes()]);
    let head = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>"#
    );
    part("xl/worksheets/sheet1.xml", &[head.as_bytes(), sheet_data, b"</sheetData></worksheet>"]);
    if let Some(s) = shared {
        part("xl/sharedStrings.xml", &[s]);
    }
    zip.finish().unwrap().into_inner()
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The first question of the built-in form, as a workbook row would hold it.
fn question_rows() -> String {
    let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
    let q = &form.questions()[0];
    format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>"#,
        inline("A1", "項番"),
        inline("B1", "質問"),
        inline("C1", "回答"),
        inline("A2", &q.id),
        inline("B2", &q.text),
        inline("C2", "該当"),
    )
}

#[test]
fn a_cell_at_xfd1048576_imports_without_a_dense_range() {
    let d = tempfile::tempdir().unwrap();
    // A real question row and one far cell: the range A1:XFD1048576 would
    // be 17 billion cells (calamine asked for 512 GiB).
    let data = format!("{}<row r=\"1048576\">{}</row>", question_rows(), inline("XFD1048576", "遠い"));
    let book = write(d.path(), "far.xlsx", &xlsx("A1:XFD1048576", data.as_bytes(), None));
    let out = import_limited(&book);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let toml = String::from_utf8_lossy(&out.stdout);
    assert!(toml.contains("\"1\" = \"該当\""), "{toml}");
    // The far cell alone: nothing to import, said cleanly.
    let data = format!("<row r=\"1048576\">{}</row>", inline("XFD1048576", "遠い"));
    let book = write(d.path(), "only-far.xlsx", &xlsx("XFD1048576", data.as_bytes(), None));
    assert_refused(&import_limited(&book), "no worksheet has a column of questions");
}

#[test]
fn a_shared_string_referenced_by_every_cell_is_refused() {
    let d = tempfile::tempdir().unwrap();
    // One 64 KiB string, 100,000 cells that show it: 6 GiB of cell text
    // from a workbook of a few hundred KiB.
    let long = "あ".repeat(64 * 1024 / 3);
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{long}</t></si></sst>"#
    );
    let mut data = String::new();
    for r in 1..=10_000 {
        data.push_str(&format!("<row r=\"{r}\">"));
        for c in ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"] {
            data.push_str(&format!("<c r=\"{c}{r}\" t=\"s\"><v>0</v></c>"));
        }
        data.push_str("</row>");
    }
    let book = write(d.path(), "refs.xlsx", &xlsx("A1:J10000", data.as_bytes(), Some(shared.as_bytes())));
    assert!(std::fs::metadata(&book).unwrap().len() < 1 << 20);
    assert_refused(&import_limited(&book), "cells hold more than 64 MiB of text");
}

#[test]
fn a_shared_string_table_declaring_billions_is_refused() {
    let d = tempfile::tempdir().unwrap();
    // calamine reserves room for the declared count before reading any.
    let shared = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>"#;
    let data = question_rows();
    let book = write(d.path(), "count.xlsx", &xlsx("A1:C2", data.as_bytes(), Some(shared)));
    assert_refused(&import_limited(&book), "declares 4000000000 shared strings; the limit is 1000000");
    // the same zip after other bytes (calamine finds a zip by its end): the
    // bounds still apply (a fuzz input)
    let mut prefixed = vec![0xD0u8; 20_000];
    prefixed.extend(std::fs::read(&book).unwrap());
    let book = write(d.path(), "prefixed.xlsx", &prefixed);
    assert_refused(&import_limited(&book), "declares 4000000000 shared strings; the limit is 1000000");
}

#[test]
fn many_tiny_shared_strings_within_the_limits_still_import() {
    let d = tempfile::tempdir().unwrap();
    // 300,000 one-letter strings (~5 MiB of XML, a 2 MB-class zip): held
    // by calamine, but bounded; the sheet itself is a normal one.
    let mut shared = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="300000" uniqueCount="300000">"#,
    );
    for i in 0..300_000 {
        shared.push_str(&format!("<si><t>{}</t></si>", (b'a' + (i % 26) as u8) as char));
    }
    shared.push_str("</sst>");
    let book = write(d.path(), "tiny.xlsx", &xlsx("A1:C2", question_rows().as_bytes(), Some(shared.as_bytes())));
    let out = import_limited(&book);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// 40 MiB of blank rows: compresses to a few KiB.
fn bomb_rows() -> Vec<u8> {
    let row = b"<row r=\"1\"></row>";
    let mut v = Vec::with_capacity(40 << 20);
    while v.len() < 40 << 20 {
        v.extend_from_slice(row);
    }
    v
}

#[test]
fn a_zip_bomb_worksheet_is_refused_by_its_declared_size() {
    let d = tempfile::tempdir().unwrap();
    let book = write(d.path(), "bomb.xlsx", &xlsx("A1", &bomb_rows(), None));
    assert!(std::fs::metadata(&book).unwrap().len() < 1 << 20);
    assert_refused(&import_limited(&book), "part xl/worksheets/sheet1.xml unpacks to");
    assert_refused(&import_limited(&book), "the limit for one part is 32 MiB");
}

/// Set the uncompressed size the zip declares for `name` (local header and
/// central directory) to `size`, leaving the data as it is.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let find =
        |zip: &[u8], sig: &[u8; 4], from: usize| (from..zip.len().saturating_sub(4)).find(|&i| &zip[i..i + 4] == sig);
    let mut patched = 0;
    let mut at = 0;
    // Local headers: signature, name at offset 30, size at 22.
    while let Some(i) = find(zip, b"PK\x03\x04", at) {
        let len = u16::from_le_bytes([zip[i + 26], zip[i + 27]]) as usize;
        if &zip[i + 30..i + 30 + len] == name.as_bytes() {
            let old = u32::from_le_bytes(zip[i + 22..i + 26].try_into().unwrap());
            // Zip64 (0xFFFFFFFF) would keep the size elsewhere.
            assert_ne!(old, u32::MAX);
            zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        at = i + 4;
    }
    at = 0;
    // Central directory: name at offset 46, size at 24.
    while let Some(i) = find(zip, b"PK\x01\x02", at) {
        let len = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
        if &zip[i + 46..i + 46 + len] == name.as_bytes() {
            zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        at = i + 4;
    }
    assert_eq!(patched, 2, "{name} patched in both headers");
}

#[test]
fn a_zip_bomb_worksheet_is_refused_by_its_actual_size() {
    let d = tempfile::tempdir().unwrap();
    // Without zip64 extras, so the 32-bit size fields are the only ones.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>")
        .unwrap();
    zip.write_all(&bomb_rows()).unwrap();
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    // It claims 4 KiB.
    lie_about_size(&mut bytes, "xl/worksheets/sheet1.xml", 4096);
    let book = write(d.path(), "liar.xlsx", &bytes);
    assert_refused(&import_limited(&book), "part xl/worksheets/sheet1.xml cannot be unpacked");
}

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/000_22d79e97acf5181f.txt");

/// The reference seed with its line breaks lost: every row on one line.
fn seed_on_one_line(bytes: usize) -> String {
    let seed = std::fs::read_to_string(SEED).expect("the reference seed text");
    let one = seed.replace('\n', " ");
    let mut line = String::with_capacity(bytes + one.len());
    while line.len() < bytes {
        line.push_str(&one);
        line.push(' ');
    }
    let mut cut = bytes.min(line.len());
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    line.truncate(cut);
    line.push('\n');
    line
}

#[test]
fn a_two_megabyte_line_is_refused_with_its_line_number() {
    let d = tempfile::tempdir().unwrap();
    let line = seed_on_one_line(2_000_000);
    let text = format!("作成日\t2026年1月13日\n{line}");
    let file = write(d.path(), "one-line.txt", text.as_bytes());
    let want = format!("line 2 is {} bytes long; the limit for one line is 64 KiB", line.len() - 1);
    assert_refused(&import_limited(&file), &want);
}

#[test]
fn a_long_line_under_the_limit_imports_in_linear_memory() {
    let d = tempfile::tempdir().unwrap();
    // 60 KB of merged rows: each row parsed from where the last one ended.
    let file = write(d.path(), "long-line.txt", seed_on_one_line(60_000).as_bytes());
    let out = import_limited(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // "  182 of 198 questions recognised, ..."
    let recognised: usize = err
        .lines()
        .find_map(|l| l.trim().split_once(" of ").and_then(|(n, rest)| rest.contains("recognised").then_some(n)))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(recognised > 100, "{err}");
}

/// A minimal ODS whose one row, repeated, holds `cols` repeated values.
fn ods_repeated(rows: u64, cols: u64) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("META-INF/manifest.xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.start_file("content.xml", opts).unwrap();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="開示書"><table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cols}" office:value-type="string"><text:p>はい</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_ods_of_repeated_rows_and_columns_is_refused_before_it_expands() {
    let d = tempfile::tempdir().unwrap();
    let bomb = write(d.path(), "bomb.ods", &ods_repeated(1_048_575, 16_384));
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4096, "a few bytes");
    assert_refused(&import_limited(&bomb), "repeated rows and columns expand to");
}

/// The issue's file: one worksheet whose DIMENSIONS declare A1:IV65536 and
/// whose cells are at A1 and IV65536 (5.6 KB; calamine held 1 GB for it).
fn far_sheet(declared: bool) -> Vec<Vec<u8>> {
    let mut records = Vec::new();
    if declared {
        records.push(xlsgen::dimensions(0, 65536, 0, 256));
    }
    records.push(xlsgen::number(0, 0, 1.0));
    records.push(xlsgen::number(65535, 255, 2.0));
    records
}

#[test]
fn an_xls_declaring_a1_to_iv65536_is_refused_before_calamine_loads_it() {
    let d = tempfile::tempdir().unwrap();
    let book = write(d.path(), "far.xls", &xlsgen::cfb(&xlsgen::workbook(&[("開示書", far_sheet(true))])));
    assert!(std::fs::metadata(&book).unwrap().len() < 6 * 1024);
    assert_refused(&import_limited(&book), "worksheet 「開示書」 declares the range A1:IV65536 (16777216 cells)");
}

#[test]
fn an_xls_whose_cells_span_more_than_it_declares_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut sheet = vec![xlsgen::dimensions(0, 1, 0, 1)];
    sheet.extend(far_sheet(false));
    let book = write(d.path(), "lying.xls", &xlsgen::cfb(&xlsgen::workbook(&[("開示書", sheet)])));
    assert_refused(&import_limited(&book), "worksheet 「開示書」 has cells from A1 to IV65536 (16777216 cells)");
}

#[test]
fn forty_far_worksheets_are_refused_and_so_are_many_middling_ones() {
    let d = tempfile::tempdir().unwrap();
    // the issue's 40 sheets (22 KB): an allocation abort before
    let names: Vec<String> = (1..=40).map(|i| format!("シート{i}")).collect();
    let sheets: Vec<(&str, Vec<Vec<u8>>)> = names.iter().map(|n| (n.as_str(), far_sheet(true))).collect();
    let book = write(d.path(), "forty.xls", &xlsgen::cfb(&xlsgen::workbook(&sheets)));
    assert_refused(&import_limited(&book), "worksheet 「シート1」 declares the range A1:IV65536");
    // 16 sheets of A1:U3001 (63,021 cells each, twice: declared and spanned):
    // each is fine, together they are over the limit (calamine loads all)
    let middling =
        || vec![xlsgen::dimensions(0, 3001, 0, 21), xlsgen::number(0, 0, 1.0), xlsgen::number(3000, 20, 2.0)];
    let sheets: Vec<(&str, Vec<Vec<u8>>)> = names.iter().take(16).map(|n| (n.as_str(), middling())).collect();
    let book = write(d.path(), "sixteen.xls", &xlsgen::cfb(&xlsgen::workbook(&sheets)));
    assert_refused(
        &import_limited(&book),
        "worksheet 「シート8」 brings the ranges of the workbook's worksheets to 1008336 cells",
    );
}

/// The first question of the built-in form as BIFF LABEL records, a
/// header row above it.
fn question_records() -> Vec<Vec<u8>> {
    let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
    let q = &form.questions()[0];
    vec![
        xlsgen::dimensions(0, 2, 0, 4),
        xlsgen::label(0, 0, "項番"),
        xlsgen::label(0, 1, "質問"),
        xlsgen::label(0, 2, "回答"),
        xlsgen::label(1, 0, &q.id),
        xlsgen::label(1, 1, &q.text),
        xlsgen::label(1, 2, "該当"),
    ]
}

#[test]
fn an_xls_within_the_limits_imports_its_values_and_never_prints_its_formulas() {
    let d = tempfile::tempdir().unwrap();
    let mut sheet = question_records();
    // =1+1, whose last value, 2, is what a reader sees
    sheet.push(xlsgen::formula(1, 3, 2.0, &[0x1E, 1, 0, 0x1E, 1, 0, 0x03]));
    // 200 formulas of 2,000 space tokens of 255 spaces each (1.6 MB):
    // calamine's printer inserts every space at the front of what it has
    // printed, one by one, for minutes
    let mut spaces = vec![0x1E, 1, 0];
    for _ in 0..2000 {
        spaces.extend_from_slice(&[0x19, 0x40, 0x00, 0xFF]);
    }
    for r in 2..202 {
        sheet.push(xlsgen::formula(r, 3, 0.0, &spaces));
    }
    let book = write(d.path(), "sheet.xls", &xlsgen::cfb(&xlsgen::workbook(&[("開示書", sheet)])));
    let out = import_limited(&book);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let toml = String::from_utf8_lossy(&out.stdout);
    assert!(toml.contains("\"1\" = \"該当\""), "{toml}");
}

#[test]
fn an_xls_whose_sector_chain_loops_is_refused() {
    let d = tempfile::tempdir().unwrap();
    // the Workbook stream's last sector leads back to its first, and the
    // stream claims 4 GB: calamine would read round the loop until then
    let stream = xlsgen::workbook(&[("開示書", question_records())]);
    let file = xlsgen::cfb_with(&stream, Some(0xFFFF_0000), true);
    let book = write(d.path(), "loop.xls", &file);
    assert_refused(&import_limited(&book), "the sector chain of its Workbook stream loops back on itself");
}

#[test]
fn an_xls_whose_worksheet_starts_past_its_stream_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let stream = xlsgen::workbook_with(&[("開示書", question_records())], |_, _| 0x00FF_FFFF);
    let book = write(d.path(), "offset.xls", &xlsgen::cfb(&stream));
    assert_refused(&import_limited(&book), "worksheet 「開示書」 starts at byte 16777215, past the end of its");
}

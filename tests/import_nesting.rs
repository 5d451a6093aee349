//! PDFs that nest deeper than a parser's stack holds, through every kind of
//! stream a parser reads: `kaiji import` and `kaiji form new` must refuse
//! each with exit 2 and say how deep it nests, never abort on a stack
//! overflow. The files are built here: a few objects, a Flate stream, an
//! xref table.

#[path = "pdfgen/mod.rs"]
mod pdfgen;

use std::io::Write;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use kaiji::form::FormRegistry;

/// Deeper than the 64 MiB parsing stack holds (100,000 levels aborted the
/// process before the bound).
const DEEP: usize = 100_000;

fn flate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

fn stream(data: &[u8], extra: &str) -> Vec<u8> {
    let z = flate(data);
    let mut s = format!("<< /Length {} /Filter /FlateDecode {extra} >>\nstream\n", z.len()).into_bytes();
    s.extend_from_slice(&z);
    s.extend_from_slice(b"\nendstream");
    s
}

fn nested(levels: usize) -> Vec<u8> {
    [b"[".repeat(levels), b"]".repeat(levels)].concat()
}

const TEXT: &[u8] = b"BT /F1 12 Tf 72 700 Td (hello) Tj ET\n";
const FONT: &[u8] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/// One page whose content is `content`, with `extra` objects from number 5
/// on, and `page_extra` in the page dictionary.
fn one_page(content: &[u8], page_extra: &str, extra: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> \
             /XObject << /X1 6 0 R >> >> /Contents 5 0 R {page_extra} >>"
        )
        .into_bytes(),
        FONT.to_vec(),
        stream(content, ""),
    ];
    objects.extend(extra);
    pdfgen::objects_pdf(&objects)
}

/// Every way in which the files nested: the page's content, an
/// inline image's dictionary, a marked-content property list, a Form
/// XObject, an annotation's appearance stream; each `levels` deep.
fn hostile(levels: usize) -> Vec<(&'static str, Vec<u8>)> {
    let deep = nested(levels);
    let form = |content: &[u8]| {
        stream(content, "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>")
    };
    vec![
        ("content", one_page(&[TEXT, &deep, b" pop\n"].concat(), "", vec![form(TEXT)])),
        (
            "inline-image",
            one_page(
                &[TEXT, b"BI /W 1 /H 1 /BPC 8 /CS /G /D ", &deep, b" ID \x00 EI\n"].concat(),
                "",
                vec![form(TEXT)],
            ),
        ),
        (
            "marked-content",
            one_page(&[TEXT, b"/Span << /A ", &deep, b" >> BDC ", TEXT, b"EMC\n"].concat(), "", vec![form(TEXT)]),
        ),
        ("form-xobject", one_page(&[TEXT, b"/X1 Do\n"].concat(), "", vec![form(&[TEXT, &deep, b" pop\n"].concat())])),
        (
            "appearance-stream",
            one_page(
                TEXT,
                "/Annots [7 0 R]",
                vec![
                    form(TEXT),
                    b"<< /Type /Annot /Subtype /FreeText /Rect [0 0 100 100] /Contents (x) /AP << /N 8 0 R >> >>"
                        .to_vec(),
                    form(&[TEXT, &deep, b" pop\n"].concat()),
                ],
            ),
        ),
        // the page names as its content a stream that calls itself an image
        ("content-called-an-image", {
            let mut objects = vec![
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> \
                  /Contents [5 0 R] >>"
                    .to_vec(),
                FONT.to_vec(),
            ];
            objects.push(stream(&[TEXT, &deep].concat(), "/Subtype /Image /Width 1 /Height 1"));
            pdfgen::objects_pdf(&objects)
        }),
    ]
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ")
}

/// Refused for nesting at least `DEEP` levels (a dictionary around the
/// arrays adds one), with the limit.
fn assert_too_deep(name: &str, out: &std::process::Output) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "{name}: {:?}\n{err}", out.status);
    let depth = err
        .split_once("the PDF nests ")
        .and_then(|(_, rest)| rest.split_once(" levels deep (limit 100)"))
        .and_then(|(n, _)| n.parse::<usize>().ok());
    assert!(depth.is_some_and(|d| (DEEP..=DEEP + 1).contains(&d)), "{name}: {err}");
    assert!(out.stdout.is_empty(), "{name}");
}

fn import(file: &Path) -> std::process::Output {
    cargo_bin_cmd!("kaiji").arg("import").arg(file).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn import_refuses_deep_nesting_in_every_kind_of_stream() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(DEEP) {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        assert_too_deep(name, &import(&file));
    }
}

#[test]
fn form_new_refuses_deep_nesting() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(DEEP) {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        let catalog = dir.path().join(format!("{name}.toml"));
        let out = cargo_bin_cmd!("kaiji")
            .args(["form", "new"])
            .arg(&file)
            .args(["--id", "x", "-o"])
            .arg(&catalog)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_too_deep(name, &out);
        assert!(!catalog.exists(), "{name}");
    }
}

#[test]
fn an_encrypted_file_is_measured_as_decrypted() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(DEEP) {
        let file = dir.path().join(format!("locked-{name}.pdf"));
        std::fs::write(&file, pdfgen::encrypted_with(&bytes, "")).unwrap();
        assert_too_deep(name, &import(&file));
    }
}

/// Nesting within the limit is not what refuses these files: they are no
/// disclosure sheets.
#[test]
fn nesting_within_the_limit_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(60) {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        let out = import(&file);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(!err.contains("nests"), "{name}: {err}");
        assert!(err.contains("not a disclosure sheet"), "{name}: {err}");
    }
}

/// A real sheet, encrypted so that anyone may open it, is still read: the
/// streams lopdf decrypts for the measure are a sheet's.
#[test]
fn an_openly_encrypted_sheet_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, pdfgen::Style::Shading));
    let file = dir.path().join("sheet.pdf");
    std::fs::write(&file, pdfgen::encrypted_with(&bytes, "")).unwrap();
    let out = import(&file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("[answers]"));
}

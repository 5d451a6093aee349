//! PDFs that nest deeper than a parser's stack holds, through every kind of
//! stream a parser reads, and streams that decompress to gigabytes:
//! `kaiji import` and `kaiji form new` must never abort on a stack
//! overflow or run out of memory. The reader bounds its own nesting (what
//! is deeper is not read, so these files, which hold no sheet, are refused
//! as no sheet, exit 2); decompression is measured before the reader
//! decodes. The files are built here: a few objects, a Flate stream, an
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

/// Refused as what it is (no sheet: the text outside the nesting is
/// read), exit 2, nothing written: no abort, no hang.
fn assert_refused_whole(name: &str, out: &std::process::Output, message: &str) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "{name}: {:?}\n{err}", out.status);
    assert!(err.contains(message), "{name}: {err}");
    assert!(out.stdout.is_empty(), "{name}");
}

const NO_SHEET: &str = "not a disclosure sheet";

fn import(file: &Path) -> std::process::Output {
    cargo_bin_cmd!("kaiji").arg("import").arg(file).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn deep_nesting_in_every_kind_of_stream_is_read_safely() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(DEEP) {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        assert_refused_whole(name, &import(&file), NO_SHEET);
    }
}

#[test]
fn form_new_reads_deep_nesting_safely() {
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
        assert_refused_whole(name, &out, "no questions found");
        assert!(!catalog.exists(), "{name}");
    }
}

#[test]
fn an_encrypted_file_is_read_safely_as_decrypted() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(DEEP) {
        let file = dir.path().join(format!("locked-{name}.pdf"));
        std::fs::write(&file, pdfgen::encrypted_with(&bytes, "")).unwrap();
        assert_refused_whole(name, &import(&file), NO_SHEET);
    }
}

/// Shallow nesting is read the same way: these files are no disclosure
/// sheets, whatever their depth.
#[test]
fn nesting_of_any_depth_is_refused_only_as_no_sheet() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile(60) {
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        assert_refused_whole(name, &import(&file), NO_SHEET);
    }
}

/// Raw deflate data for `n` spaces (and a few more), written by hand: a
/// fixed-Huffman block of one literal and then matches of 258 bytes at
/// distance 1, 13 bits each (compressing 160 MiB would take the test
/// minutes).
fn deflate_spaces(n: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn put(&mut self, v: u64, n: u32) {
            self.acc |= v << self.len;
            self.len += n;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code: most significant bit first.
        fn code(&mut self, code: u32, n: u32) {
            let reversed = (0..n).fold(0u64, |r, i| r | u64::from((code >> i) & 1) << (n - 1 - i));
            self.put(reversed, n);
        }
    }
    let mut b = Bits { out: Vec::new(), acc: 0, len: 0 };
    b.put(1, 1); // the final block
    b.put(1, 2); // fixed Huffman codes
    b.code(0x30 + u32::from(b' '), 8); // the literal
    for _ in 0..n / 258 + 1 {
        b.code(0b1100_0101, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
    }
    b.code(0, 7); // end of block
    b.put(0, 7);
    b.out
}

/// Content that decompresses past the limit (a Flate stream of spaces,
/// itself compressed again: a few KiB in the file) is refused by its measure,
/// before the reader decodes it, in a page's content, a Form XObject, an
/// object stream and an encrypted file alike.
#[test]
fn a_decompression_bomb_is_refused_before_it_is_decoded() {
    let once = deflate_spaces(160 << 20);
    let twice = flate(&once);
    let bomb = |extra: &str| {
        let mut out =
            format!("<< /Length {} /Filter [/FlateDecode /FlateDecode] {extra} >>\nstream\n", twice.len()).into_bytes();
        out.extend_from_slice(&twice);
        out.extend_from_slice(b"\nendstream");
        out
    };
    // catalog, pages, one page whose content is object 5 (with an XObject
    // X1, object 6, when `xobject`), the font; then `rest`
    let pdf = |xobject: bool, rest: Vec<Vec<u8>>| {
        let x = if xobject { "/XObject << /X1 6 0 R >>" } else { "" };
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> {x} >> \
                 /Contents 5 0 R >>"
            )
            .into_bytes(),
            FONT.to_vec(),
        ];
        objects.extend(rest);
        pdfgen::objects_pdf(&objects)
    };
    let in_content = pdf(false, vec![bomb("")]);
    let in_form = pdf(
        true,
        vec![stream(&[TEXT, b"/X1 Do\n"].concat(), ""), bomb("/Type /XObject /Subtype /Form /BBox [0 0 595 842]")],
    );
    let in_object_stream = pdf(false, vec![stream(TEXT, ""), bomb("/Type /ObjStm /N 1 /First 4")]);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("content", in_content.clone()),
        ("object-stream", in_object_stream),
        ("form-xobject", in_form),
        ("encrypted", pdfgen::encrypted_with(&in_content, "")),
    ];
    for (name, bytes) in cases {
        assert!(bytes.len() < 1 << 20, "{name}: {} bytes", bytes.len());
        let file = dir.path().join(format!("bomb-{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        let out = cargo_bin_cmd!("kaiji").arg("import").arg(&file).env("NO_COLOR", "1").output().unwrap();
        assert_refused_whole(name, &out, "streams decompress to over 128 MiB");
    }
}

/// A real sheet, encrypted so that anyone may open it, is still read: the
/// streams measured are the decrypted ones.
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

/// Measuring the streams is linear in the file: 300,000 stream keywords
/// (each would have looked back 64 KiB for its dictionary) are scanned once.
#[test]
fn many_streams_are_measured_in_one_pass() {
    // in a string object, so that the file's bytes hold them as they are
    let keywords = [b"(".as_slice(), &b"<< >>stream\nendstream\n".repeat(300_000), b")"].concat();
    let bytes = one_page(TEXT, "", vec![keywords]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("streams.pdf");
    std::fs::write(&file, &bytes).unwrap();
    assert_refused_whole("streams", &import(&file), NO_SHEET);
}

//! The PDF importer on generated sheets (tests/pdfgen): for every mark
//! style, every answered question read right, none wrong, blanks blank,
//! ambiguous rows left unanswered and listed with their page, metadata,
//! citations and remarks exact; and refusals of what is no readable sheet.

#[path = "pdfgen/mod.rs"]
mod pdfgen;

use std::collections::BTreeMap;

use kaiji::form::{Form, FormRegistry};
use kaiji::import::{Imported, ReadAt, pdf};
use pdfgen::{Spec, Style};

fn form() -> std::sync::Arc<Form> {
    FormRegistry::builtin().get("sds-6.0").unwrap()
}

fn import(style: Style) -> (Spec, pdfgen::Layout, Imported) {
    let form = form();
    let spec = pdfgen::spec(&form, style);
    let (bytes, layout) = pdfgen::sheet_pdf(&form, &spec);
    let imported = pdf::import_bytes(&bytes, &form, "vendor.pdf").unwrap_or_else(|e| panic!("{style:?}: {e}"));
    (spec, layout, imported)
}

fn check_style(style: Style) {
    let form = form();
    let (spec, layout, imp) = import(style);
    let report = imp.report.to_string();
    assert!(layout.pages >= 5, "{style:?}: {} pages", layout.pages);
    assert!(layout.remark_pages.len() >= 2, "{style:?}: remarks on {:?}", layout.remark_pages);
    assert_eq!(imp.report.recognised, 198, "{style:?}:\n{report}");
    let expected = pdfgen::expected(&spec);
    let mut wrong = Vec::new();
    for (id, want) in &expected {
        let got = imp.doc.answer(id).and_then(|a| a.known());
        if got != *want {
            wrong.push(format!("{id}: expected {want:?}, read {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{style:?}: {} wrong:\n{}\n{report}", wrong.len(), wrong.join("\n"));
    let answered = expected.values().filter(|a| a.is_some()).count();
    assert_eq!(imp.report.answered, answered, "{style:?}");
    // citations exact, for every row
    for row in &spec.rows {
        let got = imp.doc.answer(&row.id).map(|a| a.remarks.clone()).unwrap_or_default();
        assert_eq!(got, row.cites, "{style:?}: citations of {}", row.id);
    }
    // metadata
    let meta = &imp.doc.meta;
    assert_eq!(meta.vendor.as_deref(), Some(pdfgen::VENDOR), "{style:?}");
    assert_eq!(meta.service.as_deref(), Some(pdfgen::SERVICE), "{style:?}");
    assert_eq!(meta.version.as_deref(), Some(pdfgen::VERSION), "{style:?}");
    assert_eq!(meta.created.map(|d| d.to_string()).as_deref(), Some("2026-02-03"), "{style:?}");
    // remarks, the last one over a page break
    assert_eq!(imp.doc.remarks, pdfgen::remark_texts(&spec), "{style:?}");
    // ambiguous rows: unanswered, listed with their page
    let listed: BTreeMap<String, String> =
        imp.report.ambiguous.iter().map(|a| (a.id.clone(), a.place.clone())).collect();
    let want: BTreeMap<String, String> =
        pdfgen::ambiguous(&spec).into_iter().map(|id| (id.clone(), format!("page {}", layout.page_of[&id]))).collect();
    assert_eq!(listed, want, "{style:?}:\n{report}");
    for a in &imp.report.ambiguous {
        assert!(report.contains(&format!("{} ({})", a.id, a.place)), "{report}");
    }
    // every answer says where it was read
    for a in imp.doc.answers.iter().filter(|a| a.answer.is_some()) {
        match imp.sources.get(&a.id) {
            Some(ReadAt::Pdf(p)) => {
                assert_eq!(p.page, layout.page_of[&a.id], "{style:?}: page of {}", a.id);
                assert!(p.x > 380.0 && p.x < 525.0 && p.y > 0.0 && p.y < 842.0, "{style:?}: {p:?}");
            }
            other => panic!("{style:?}: {} read at {other:?}", a.id),
        }
    }
    assert!(report.contains("read by: "), "{report}");
    // nothing else on the pages was left unexplained (headers dropped)
    assert!(imp.report.unread.is_empty(), "{style:?}: {:?}", imp.report.unread);
    assert!(imp.report.missing.is_empty(), "{style:?}");
    let _ = form;
}

#[test]
fn ellipse() {
    check_style(Style::Ellipse);
}

#[test]
fn rounded_rectangle() {
    check_style(Style::RoundedRect);
}

#[test]
fn shading() {
    check_style(Style::Shading);
}

#[test]
fn greyed_out() {
    check_style(Style::Grey);
}

#[test]
fn mark_glyph() {
    check_style(Style::Glyph);
}

#[test]
fn only_word_printed() {
    check_style(Style::OnlyWord);
}

#[test]
fn acroform_checkboxes() {
    check_style(Style::AcroForm);
}

/// Every answer marked with a Circle annotation, as a PDF viewer's markup
/// tool draws it: read as a mark (`by = "annotation"`), every row.
#[test]
fn annotation_circles() {
    check_style(Style::Annotation);
    let (_, _, imp) = import(Style::Annotation);
    assert_eq!(imp.report.read_by.get("annotation"), Some(&imp.report.answered), "{:?}", imp.report.read_by);
}

#[test]
fn kinds_are_counted() {
    let (_, _, imp) = import(Style::Shading);
    assert_eq!(imp.report.read_by.get("shading"), Some(&imp.report.answered), "{:?}", imp.report.read_by);
    let (_, _, imp) = import(Style::Ellipse);
    assert_eq!(imp.report.read_by.get("ellipse"), Some(&imp.report.answered), "{:?}", imp.report.read_by);
}

#[test]
fn unmarked_sheet_is_recognised_but_unanswered() {
    let form = form();
    let spec = pdfgen::spec(&form, Style::Unmarked);
    let (bytes, _) = pdfgen::sheet_pdf(&form, &spec);
    let imp = pdf::import_bytes(&bytes, &form, "blank.pdf").unwrap();
    assert_eq!(imp.report.recognised, 198);
    assert_eq!(imp.report.answered, 0);
    assert!(imp.report.ambiguous.is_empty());
    assert!(imp.report.to_string().contains("no answer marks survived"));
}

fn refusal(bytes: &[u8]) -> String {
    match pdf::import_bytes(bytes, &form(), "x.pdf") {
        Ok(i) => panic!("imported: {}", i.report),
        Err(e) => e.to_string(),
    }
}

#[test]
fn not_a_sheet() {
    let e = refusal(&pdfgen::letter_pdf());
    assert!(e.contains("not a disclosure sheet"), "{e}");
    let e = refusal(b"hello, world");
    assert!(e.contains("not a PDF"), "{e}");
}

#[test]
fn a_pdf_without_text_may_be_a_scan() {
    let e = refusal(&pdfgen::textless_pdf());
    assert!(e.contains("no text to read (a scanned image?)"), "{e}");
}

/// A page's /Rotate turns the page on screen, not its content: the answers
/// read are those of the unrotated sheet, all of them, none other.
#[test]
fn rotated_pages_read_the_same() {
    let form = form();
    let spec = pdfgen::spec(&form, Style::Ellipse);
    let (bytes, _) = pdfgen::sheet_pdf(&form, &spec);
    let flat = pdf::import_bytes(&bytes, &form, "vendor.pdf").unwrap();
    for degrees in [90, 180, 270] {
        let turned = pdf::import_bytes(&pdfgen::rotated(&bytes, degrees), &form, "vendor.pdf")
            .unwrap_or_else(|e| panic!("/Rotate {degrees}: {e}"));
        assert_eq!(turned.doc.answers, flat.doc.answers, "/Rotate {degrees}");
        assert_eq!(turned.report.ambiguous, flat.report.ambiguous, "/Rotate {degrees}");
    }
}

#[test]
fn encrypted() {
    let form = form();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, Style::Ellipse));
    let e = refusal(&pdfgen::encrypted(&bytes));
    assert!(e.contains("encrypted"), "{e}");
}

#[test]
fn damaged() {
    let form = form();
    let (bytes, _) = pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, Style::Ellipse));
    let e = refusal(&bytes[..bytes.len() / 2]);
    assert!(e.contains("damaged") && e.contains("truncated"), "{e}");
    // garbage in place of the cross-reference data and trailer
    let at = memchr_rfind(&bytes, b"startxref").unwrap();
    let mut broken = bytes[..at.saturating_sub(400)].to_vec();
    broken.extend(std::iter::repeat_n(b'#', 400));
    broken.extend_from_slice(b"startxref\n99999999\n%%EOF\n");
    let e = refusal(&broken);
    assert!(e.contains("damaged") && e.contains("cross-reference"), "{e}");
}

/// Catalog, page tree (pages from object 5 on), font, content, then
/// `pages`.
fn pages_pdf(pages: &[&str]) -> Vec<u8> {
    let content = "BT /F1 12 Tf 72 720 Td (Hello world) Tj ET";
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", i + 5)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
    ];
    objects.extend(pages.iter().map(|media| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [{media}] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
        )
        .into_bytes()
    }));
    pdfgen::objects_pdf(&objects)
}

/// Each refusal says what is wrong: too many pages is not depth, a page
/// whose size cannot be a page's is named with its page, and a file cut
/// short is damaged, not "a scanned image".
#[test]
fn refusals_say_what_is_wrong() {
    let e = refusal(&pages_pdf(&vec!["0 0 612 792"; 5_000]));
    assert_eq!(e, "x.pdf: the PDF has over 300 pages; kaiji reads sheets of up to 300");
    let e = refusal(&pages_pdf(&["0 0 612 792", "0 0 1e30 1e30"]));
    assert!(e.contains("the PDF is damaged: page 2 has an impossible size (MediaBox [0 0 1e30 1e30])"), "{e}");
    assert!(!e.contains("not found"), "{e}");
    // A page whose object does not parse for another reason is named too.
    // (The same length, so the cross-reference table still holds.)
    let mut broken = pages_pdf(&["0 0 612 792"]);
    let at = broken.windows(21).position(|w| w == b"/Type /Page /Parent 2").unwrap();
    broken[at..at + 21].copy_from_slice(b"/Type /Page /Parent <");
    let e = refusal(&broken);
    assert!(e.contains("the PDF is damaged: page 1 cannot be read (its object 5 0 is not a valid page)"), "{e}");
    // Cut short in the page's content, %%EOF appended: no startxref.
    let whole = one_page_pdf("BT /F1 12 Tf 72 720 Td (Hello world) Tj ET");
    let at = whole.windows(5).position(|w| w == b"Hello").unwrap();
    let mut cut = whole[..at].to_vec();
    cut.extend_from_slice(b"\n%%EOF\n");
    let e = refusal(&cut);
    assert!(e.contains("the PDF is damaged: it has no cross-reference data"), "{e}");
    assert!(e.contains("cut short") && !e.contains("scanned"), "{e}");
    // The whole file is read (its text is just no sheet).
    assert!(refusal(&whole).contains("not a disclosure sheet"));
}

fn memchr_rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn fixture_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let form = form();
        pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, Style::Glyph)).0
    })
}

proptest::proptest! {
    // each case is a whole import: few cases, the fuzz target does the rest
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    #[test]
    fn damaged_bytes_never_panic(cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, 0u8..8), 0..6)) {
        let full = fixture_bytes();
        let mut bytes = full[..(full.len() as f64 * cut) as usize].to_vec();
        if flips.len() % 2 == 0 {
            // keep the end, so more than the %%EOF check is exercised
            bytes = full.to_vec();
        }
        for (at, bit) in flips {
            if !bytes.is_empty() {
                let i = ((bytes.len() - 1) as f64 * at) as usize;
                bytes[i] ^= 1 << bit;
            }
        }
        let _ = pdf::import_bytes(&bytes, &form(), "fuzz.pdf");
    }
}

/// What-a-person-sees refusals say what is wrong (fuzz/regressions-seen.py
/// writes the files).
#[test]
fn hidden_and_overdrawn_pages_are_refused_with_a_reason() {
    let read = |name: &str| {
        std::fs::read(format!("{}/tests/fuzz_regressions/import_pdf/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let e = refusal(&read("reject-hidden-text.pdf"));
    assert!(e.contains("the PDF's text is all hidden from a person"), "{e}");
    for name in ["reject-painted-over.pdf", "reject-annotation-flood.pdf"] {
        let e = refusal(&read(name));
        assert!(e.contains("page 1 draws more than kaiji reads on a page"), "{name}: {e}");
    }
}

/// One page whose content is `content`, with Helvetica as /F1.
fn one_page_pdf(content: &str) -> Vec<u8> {
    pdfgen::objects_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
    ])
}

/// One page of Helvetica text drawn by `content`, read as the text
/// importer gets it.
fn text_of_content(content: &str) -> String {
    pdf::text_of(&one_page_pdf(content), "x.pdf", false).unwrap_or_else(|e| panic!("{content}: {e}"))
}

/// The text is read from the same drawing that is judged for what a
/// person sees: a glyph drawn once is read once, whatever the paint.
#[test]
fn each_drawn_glyph_is_read_once() {
    // fill and stroke (render mode 2): one glyph, two paints
    assert_eq!(text_of_content("BT /F1 12 Tf 2 Tr 72 700 Td (Hello) Tj ET").trim(), "Hello");
    // runs of the same length one after another are different glyphs
    assert_eq!(text_of_content("BT /F1 12 Tf 72 700 Td (ab) Tj (cd) Tj (ef) Tj ET").trim(), "abcdef");
    // the same run overprinted in place (a simulated bold) is one word
    assert_eq!(
        text_of_content("BT /F1 12 Tf 72 700 Td (Bold) Tj ET BT /F1 12 Tf 72 700 Td (Bold) Tj ET").trim(),
        "Bold"
    );
    // words apart by the font's own widths: a gap makes two cells
    assert_eq!(text_of_content("BT /F1 12 Tf 72 700 Td (left) Tj 200 0 Td (right) Tj ET").trim(), "left\tright");
    // invisible text (render mode 3) is not read
    assert_eq!(text_of_content("BT /F1 12 Tf 72 700 Td (seen) Tj 3 Tr 0 -20 Td (unseen) Tj ET").trim(), "seen");
}

/// A Japanese font the PDF does not embed, named by its CMap
/// (UniJIS-UCS2-H) and without a ToUnicode map, as older writers made
/// them: its codes are read through the CID system's UCS-2 map.
#[test]
fn a_non_embedded_japanese_font_is_read_through_its_cmap() {
    let content = "BT /F1 12 Tf 72 700 Td <306F3044> Tj 100 0 Td <3044304430483002> Tj ET";
    let pdf = pdfgen::objects_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /MS-Mincho /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>".to_vec(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MS-Mincho \
           /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> /DW 1000 /FontDescriptor 7 0 R >>"
            .to_vec(),
        b"<< /Type /FontDescriptor /FontName /MS-Mincho /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 \
           /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>"
            .to_vec(),
    ]);
    let text = pdf::text_of(&pdf, "x.pdf", false).unwrap();
    assert_eq!(text.trim(), "はい\tいいえ。");
}

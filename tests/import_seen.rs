//! What a person sees is what is read: documents vendors reach without
//! trying (a word of the other kind, a correction page after the remarks,
//! the header block on every page, a row whose printed words are not the
//! question's set) import the answer the page shows, or leave the question
//! unanswered and listed with its place — never the re-mapped word or the
//! first of two answers. Fixtures: tests/pdfgen, fictional vendor.

#[path = "pdfgen/mod.rs"]
mod pdfgen;

use kaiji::form::{Form, FormRegistry};
use kaiji::import::{Imported, ReadAt, pdf};
use kaiji::sheet::Answer;
use pdfgen::{AnnotSpec, AnnotType, Hidden, HiddenWhat, Hide, Layout, Mark, Row, Spec, Style};

fn form() -> std::sync::Arc<Form> {
    FormRegistry::builtin().get("sds-6.0").unwrap()
}

fn import(spec: &Spec) -> (Layout, Imported) {
    let form = form();
    let (bytes, layout) = pdfgen::sheet_pdf(&form, spec);
    let imported = pdf::import_bytes(&bytes, &form, "vendor.pdf").unwrap_or_else(|e| panic!("{:?}: {e}", spec.style));
    (layout, imported)
}

fn row_mut<'s>(spec: &'s mut Spec, id: &str) -> &'s mut Row {
    spec.rows.iter_mut().find(|r| r.id == id).unwrap()
}

fn answer(imp: &Imported, id: &str) -> Option<Answer> {
    imp.doc.answer(id).and_then(|a| a.known())
}

/// The account's entry for `id`: (place, why).
fn listed<'i>(imp: &'i Imported, id: &str) -> Option<(&'i str, &'i str)> {
    imp.report.ambiguous.iter().find(|a| a.id == id).map(|a| (a.place.as_str(), a.why.as_str()))
}

/// A yes/no question and a 該当/非該当 one (not the first gate, whose
/// descendants the fixture answers 対象外).
const YES_NO: &str = "17.1.d";
const GATE: &str = "23";

#[test]
fn a_word_of_the_other_kind_is_never_mapped() {
    let f = form();
    assert_eq!(f.question(GATE).unwrap().kind, kaiji::form::Kind::Applicability);
    // printed alone (a drop-down cell), and marked with a glyph among the
    // other kind's words
    for style in [Style::OnlyWord, Style::Glyph, Style::Ellipse] {
        let mut spec = pdfgen::spec(&f, style);
        let r = row_mut(&mut spec, YES_NO);
        r.mark = Mark::One(Answer::NotApplicable);
        r.words = Some(vec![Answer::Applicable, Answer::NotApplicable]);
        let r = row_mut(&mut spec, GATE);
        r.mark = Mark::One(Answer::No);
        r.words = Some(vec![Answer::Yes, Answer::No, Answer::Na]);
        let (layout, imp) = import(&spec);
        for (id, word) in [(YES_NO, "非該当"), (GATE, "いいえ")] {
            assert_eq!(answer(&imp, id), None, "{style:?}: {id} must stay unanswered\n{}", imp.report);
            let (place, why) = listed(&imp, id).unwrap_or_else(|| panic!("{style:?}: {id} not listed\n{}", imp.report));
            assert_eq!(place, format!("page {}", layout.page_of[id]), "{style:?}");
            assert!(why.contains(&format!("「{word}」")), "{style:?}: {why}");
        }
        // the rest of the sheet is read as before
        assert_eq!(imp.report.recognised, 198, "{style:?}");
    }
}

#[test]
fn printed_words_that_are_not_the_kinds_set_leave_the_row_unanswered() {
    // A text layer can spell いいえ's glyphs as はい: the row then reads
    // はい はい 対象外 with the mark on the second word.
    let f = form();
    for style in [Style::Glyph, Style::Ellipse, Style::Shading] {
        let mut spec = pdfgen::spec(&f, style);
        let r = row_mut(&mut spec, YES_NO);
        r.mark = Mark::One(Answer::Yes);
        r.words = Some(vec![Answer::Yes, Answer::Yes, Answer::Na]);
        let (_, imp) = import(&spec);
        assert_eq!(answer(&imp, YES_NO), None, "{style:?}\n{}", imp.report);
        let (_, why) = listed(&imp, YES_NO).unwrap_or_else(|| panic!("{style:?}: not listed\n{}", imp.report));
        assert!(why.contains("prints はい はい 対象外"), "{style:?}: {why}");
    }
}

/// A correction page after the 備考記載欄: a row met again with another
/// answer is unanswered and listed with both places; with the same answer it
/// keeps it, both places in the evidence; the remarks stay the vendor's.
#[test]
fn a_correction_page_after_the_remarks() {
    let f = form();
    for style in [Style::Ellipse, Style::Glyph, Style::OnlyWord, Style::AcroForm] {
        let mut spec = pdfgen::spec(&f, style);
        let first = match &row_mut(&mut spec, YES_NO).mark {
            Mark::One(a) => *a,
            other => panic!("fixture: {other:?}"),
        };
        let other = if first == Answer::No { Answer::Yes } else { Answer::No };
        let same_id = "17.1.e";
        let same = match &row_mut(&mut spec, same_id).mark {
            Mark::One(a) => *a,
            other => panic!("fixture: {other:?}"),
        };
        spec.appendix = vec![
            Row { id: YES_NO.into(), mark: Mark::One(other), cites: vec![], words: None, hidden: vec![] },
            Row { id: same_id.into(), mark: Mark::One(same), cites: vec![], words: None, hidden: vec![] },
        ];
        let (layout, imp) = import(&spec);
        let (p1, p2) = (layout.page_of[YES_NO], layout.appendix_page[YES_NO]);
        assert!(p2 > p1, "the correction is on a later page");

        assert_eq!(answer(&imp, YES_NO), None, "{style:?}\n{}", imp.report);
        let (place, why) = listed(&imp, YES_NO).unwrap_or_else(|| panic!("{style:?}: not listed\n{}", imp.report));
        assert_eq!(place, format!("page {p1}"));
        assert_eq!(why, format!("answered twice: page {p1} {first}, page {p2} {other}"), "{style:?}");

        assert_eq!(answer(&imp, same_id), Some(same), "{style:?}\n{}", imp.report);
        match imp.sources.get(same_id) {
            Some(ReadAt::Several(all)) => {
                let pages: Vec<u32> = all
                    .iter()
                    .map(|r| match r {
                        ReadAt::Pdf(p) => p.page,
                        other => panic!("{other:?}"),
                    })
                    .collect();
                assert_eq!(pages, [layout.page_of[same_id], layout.appendix_page[same_id]], "{style:?}");
            }
            other => panic!("{style:?}: {same_id} read at {other:?}"),
        }
        // the correction page's rows are not remark text, and no marker
        // kaiji writes for itself reaches the vendor's remarks
        assert_eq!(imp.doc.remarks, pdfgen::remark_texts(&spec), "{style:?}");
        assert!(imp.doc.remarks.values().all(|t| !t.contains(['■', '□'])), "{style:?}");
        assert!(imp.report.unread.is_empty(), "{style:?}: {:?}", imp.report.unread);
        assert_eq!(imp.report.recognised, 198, "{style:?}");
    }
}

/// The header block printed at the top of every page — common — keeps all
/// four fields in every mark style, and the answers are still all read.
#[test]
fn the_header_on_every_page_keeps_the_vendor() {
    let f = form();
    for style in pdfgen::STYLES {
        let mut spec = pdfgen::spec(&f, style);
        spec.header_every_page = true;
        let (layout, imp) = import(&spec);
        assert!(layout.pages >= 5);
        let meta = &imp.doc.meta;
        assert_eq!(meta.vendor.as_deref(), Some(pdfgen::VENDOR), "{style:?}");
        assert_eq!(meta.service.as_deref(), Some(pdfgen::SERVICE), "{style:?}");
        assert_eq!(meta.version.as_deref(), Some(pdfgen::VERSION), "{style:?}");
        assert_eq!(meta.created.map(|d| d.to_string()).as_deref(), Some("2026-02-03"), "{style:?}");
        assert_eq!(imp.report.recognised, 198, "{style:?}\n{}", imp.report);
        let wrong: Vec<String> = pdfgen::expected(&spec)
            .iter()
            .filter(|(id, want)| answer(&imp, id) != **want)
            .map(|(id, want)| format!("{id}: expected {want:?}, read {:?}", answer(&imp, id)))
            .collect();
        assert!(wrong.is_empty(), "{style:?}: {}", wrong.join("\n"));
        assert_eq!(imp.doc.remarks, pdfgen::remark_texts(&spec), "{style:?}");
        assert!(imp.report.unread.is_empty(), "{style:?}: {:?}", imp.report.unread);
    }
}

/// The other answer of a yes/no question.
fn other_yes_no(a: Answer) -> Answer {
    if a == Answer::Yes { Answer::No } else { Answer::Yes }
}

/// A copy of a row a person does not see (white, transparent, clipped,
/// under a white box, 0.3 pt, render mode 3, beyond the page's edge, cut off by
/// the CropBox, in an optional-content layer that is off),
/// placed before the visible row with another answer marked: the visible
/// row's answer is read, and the copy is listed as hidden, never read.
#[test]
fn a_hidden_copy_of_a_row_is_not_read() {
    let f = form();
    for how in pdfgen::HIDES {
        let mut spec = pdfgen::spec(&f, Style::Ellipse);
        let r = row_mut(&mut spec, YES_NO);
        let Mark::One(shown) = r.mark.clone() else { panic!("fixture") };
        let shown = if shown == Answer::Na { Answer::No } else { shown };
        r.mark = Mark::One(shown);
        r.hidden = vec![Hidden { what: HiddenWhat::RowCopy(other_yes_no(shown)), how }];
        let (layout, imp) = import(&spec);
        assert_eq!(answer(&imp, YES_NO), Some(shown), "{how:?}\n{}", imp.report);
        assert!(listed(&imp, YES_NO).is_none(), "{how:?}: {:?}", listed(&imp, YES_NO));
        assert!(imp.report.unread.is_empty(), "{how:?}: {:?}", imp.report.unread);
        match imp.sources.get(YES_NO) {
            Some(ReadAt::Pdf(p)) => {
                assert_eq!(p.page, layout.page_of[YES_NO], "{how:?}");
                assert!(p.x > 0.0 && p.x < 595.0, "{how:?}: evidence off the page: {p:?}");
            }
            other => panic!("{how:?}: read at {other:?}"),
        }
        if how != Hide::OffPage {
            assert!(!imp.report.hidden.is_empty(), "{how:?}: the hidden copy is in the account\n{}", imp.report);
        }
        assert_eq!(imp.report.recognised, 198, "{how:?}");
    }
}

/// A mark a person does not see counts for nothing: on a row with no
/// visible mark the question stays unanswered (not ambiguous, not read),
/// and beside a visible mark the visible one is the answer.
#[test]
fn an_invisible_mark_counts_for_nothing() {
    let f = form();
    let blank_id = "17.1.e";
    for style in [Style::Ellipse, Style::RoundedRect, Style::Shading, Style::Glyph] {
        for how in pdfgen::HIDES {
            let text_only = matches!(how, Hide::Tiny | Hide::Invisible | Hide::LayerOff);
            if text_only && style != Style::Glyph {
                continue;
            }
            let mut spec = pdfgen::spec(&f, style);
            let r = row_mut(&mut spec, YES_NO);
            let Mark::One(shown) = r.mark.clone() else { panic!("fixture") };
            let hidden_on = if shown == Answer::Na { Answer::Yes } else { Answer::Na };
            r.hidden = vec![Hidden { what: HiddenWhat::Mark(hidden_on), how }];
            let r = row_mut(&mut spec, blank_id);
            r.mark = Mark::Blank;
            r.hidden = vec![Hidden { what: HiddenWhat::Mark(Answer::Yes), how }];
            let (_, imp) = import(&spec);
            let case = format!("{style:?} {how:?}");
            assert_eq!(answer(&imp, YES_NO), Some(shown), "{case}\n{}", imp.report);
            assert_eq!(answer(&imp, blank_id), None, "{case}\n{}", imp.report);
            assert!(listed(&imp, blank_id).is_none(), "{case}: {:?}", listed(&imp, blank_id));
            assert!(listed(&imp, YES_NO).is_none(), "{case}: {:?}", listed(&imp, YES_NO));
        }
    }
}

fn annot(id: &str, on: Answer, kind: AnnotType) -> AnnotSpec {
    AnnotSpec { id: id.into(), on, kind, hidden: false }
}

/// Annotations are part of the page a person sees: one around a word marks
/// it (`by = "annotation"`); a word struck out, a box painted over the
/// row, a second ring, or a note beside the row leaves it unanswered and
/// listed; a hidden one is not there. The account counts annotated rows.
#[test]
fn annotations_are_read_as_a_person_sees_them() {
    let f = form();
    let (blank, marked) = ("17.1.e", YES_NO);
    // (case, annotations, the answer read, why it is listed)
    type Case = (&'static str, Vec<AnnotSpec>, Option<Answer>, Option<&'static str>);
    let mut cases: Vec<Case> = Vec::new();
    // on a row with no mark of its own, a circle, an ink ring, a highlight mark the word
    for kind in [AnnotType::Circle, AnnotType::Ink, AnnotType::Highlight] {
        cases.push(("marks", vec![annot(blank, Answer::No, kind)], Some(Answer::No), None));
    }
    // on a row ringed はい in the content:
    cases.push((
        "はい struck out, いいえ circled",
        vec![annot(marked, Answer::Yes, AnnotType::StrikeOut), annot(marked, Answer::No, AnnotType::Circle)],
        None,
        Some("「はい」 struck out"),
    ));
    cases.push((
        "the ring whited out, いいえ circled",
        vec![annot(marked, Answer::Yes, AnnotType::WhiteBox), annot(marked, Answer::No, AnnotType::Circle)],
        None,
        Some("an annotation painted over the row"),
    ));
    cases.push((
        "a second ring in ink",
        vec![annot(marked, Answer::No, AnnotType::Ink)],
        None,
        Some("2 words marked (はい、いいえ)"),
    ));
    cases.push((
        "a note beside the row",
        vec![annot(marked, Answer::No, AnnotType::FreeText("訂正: いいえ".into()))],
        None,
        Some("a note on the row: 「訂正: いいえ」"),
    ));
    cases.push((
        "a hidden circle",
        vec![AnnotSpec { hidden: true, ..annot(marked, Answer::No, AnnotType::Circle) }],
        Some(Answer::Yes),
        None,
    ));
    for (case, annots, want, why) in cases {
        let mut spec = pdfgen::spec(&f, Style::Ellipse);
        row_mut(&mut spec, blank).mark = Mark::Blank;
        row_mut(&mut spec, marked).mark = Mark::One(Answer::Yes);
        let on = annots[0].id.clone();
        let hidden = annots.iter().all(|a| a.hidden);
        spec.annots = annots;
        let (_, imp) = import(&spec);
        assert_eq!(answer(&imp, &on), want, "{case}\n{}", imp.report);
        match why {
            Some(why) => {
                let (_, got) = listed(&imp, &on).unwrap_or_else(|| panic!("{case}: not listed\n{}", imp.report));
                assert!(got.contains(why), "{case}: {got}");
            }
            None => assert!(listed(&imp, &on).is_none(), "{case}: {:?}", listed(&imp, &on)),
        }
        if want.is_some() && !hidden {
            match imp.sources.get(&on) {
                Some(ReadAt::Pdf(p)) => assert_eq!(p.by.as_str(), "annotation", "{case}"),
                other => panic!("{case}: read at {other:?}"),
            }
        }
        assert_eq!(imp.report.annotated_rows, usize::from(!hidden), "{case}\n{}", imp.report);
        assert_eq!(imp.report.to_string().contains("1 row carries annotations"), !hidden, "{case}");
        // the rest of the sheet is read as before
        assert_eq!(imp.report.recognised, 198, "{case}");
    }
}

/// A checked checkbox a person does not see — its widget flagged hidden,
/// or its "on" appearance drawing nothing — checks nothing.
#[test]
fn a_checkbox_a_person_does_not_see_checks_nothing() {
    let f = form();
    for how in [Hide::Invisible, Hide::Transparent] {
        let mut spec = pdfgen::spec(&f, Style::AcroForm);
        let r = row_mut(&mut spec, YES_NO);
        let Mark::One(shown) = r.mark.clone() else { panic!("fixture") };
        let hidden_on = if shown == Answer::Na { Answer::Yes } else { Answer::Na };
        r.hidden = vec![Hidden { what: HiddenWhat::Mark(hidden_on), how }];
        let r = row_mut(&mut spec, "17.1.e");
        r.mark = Mark::Blank;
        r.hidden = vec![Hidden { what: HiddenWhat::Mark(Answer::Yes), how }];
        let (_, imp) = import(&spec);
        assert_eq!(answer(&imp, YES_NO), Some(shown), "{how:?}\n{}", imp.report);
        assert_eq!(answer(&imp, "17.1.e"), None, "{how:?}\n{}", imp.report);
        assert!(listed(&imp, YES_NO).is_none() && listed(&imp, "17.1.e").is_none(), "{how:?}\n{}", imp.report);
    }
}

/// Writes a few of the fixtures above under target/seen-fixtures/ for a
/// person to look at (`pdftoppm -png -r 60`): what the page shows must be
/// what the tests say is read. Run with `--ignored`.
#[test]
#[ignore = "writes files for a person to look at"]
fn write_fixtures_for_a_look() {
    let f = form();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/seen-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    for how in pdfgen::HIDES {
        let mut spec = pdfgen::spec(&f, Style::Ellipse);
        let r = row_mut(&mut spec, YES_NO);
        r.mark = Mark::One(Answer::Yes);
        r.hidden = vec![Hidden { what: HiddenWhat::RowCopy(Answer::No), how }];
        // the text-only hides leave a ring as drawn: only the others hide a ring
        if !matches!(how, Hide::Tiny | Hide::Invisible | Hide::LayerOff) {
            r.hidden.push(Hidden { what: HiddenWhat::Mark(Answer::Na), how });
        }
        spec.annots = vec![annot("17.1.e", Answer::No, AnnotType::Circle)];
        let (bytes, layout) = pdfgen::sheet_pdf(&f, &spec);
        std::fs::write(dir.join(format!("{how:?}-page{}.pdf", layout.page_of[YES_NO])), bytes).unwrap();
    }
}

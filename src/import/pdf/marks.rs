//! Which choice word of a row is marked, judged as a person looking at the
//! page would: a drawn ellipse or rounded box around it, a filled cell behind
//! it, the others greyed, a mark glyph beside it, the only word printed, or
//! a checked form field. Evidence that does not single out one word makes
//! the row ambiguous: a wrong answer is worse than a blank.

use super::layout::{BBox, MarkGlyph};
use super::seen::{Annot, AnnotKind};
use crate::sheet::Answer;

/// The kind of evidence an answer was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    /// A checked checkbox or radio button (AcroForm field).
    FormField,
    /// A drawn ellipse around the word.
    Ellipse,
    /// A drawn rounded rectangle around the word.
    RoundedRect,
    /// A filled cell behind the word.
    Shading,
    /// A mark glyph (● ○ ■ ✓) beside the word.
    Glyph,
    /// The other words printed in grey.
    Grey,
    /// The only choice word printed in the row (a drop-down cell).
    OnlyWord,
    /// An annotation (Circle, Square, Ink, Highlight) around or over it.
    Annotation,
}

impl MarkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkKind::FormField => "form field",
            MarkKind::Ellipse => "ellipse",
            MarkKind::RoundedRect => "rounded box",
            MarkKind::Shading => "shading",
            MarkKind::Glyph => "mark glyph",
            MarkKind::Grey => "others greyed",
            MarkKind::OnlyWord => "only word printed",
            MarkKind::Annotation => "annotation",
        }
    }
}

/// A drawn path, reduced to what marks need.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub bbox: BBox,
    /// Has Bézier segments.
    pub curved: bool,
    /// Has straight segments too (a rounded rectangle, not an ellipse).
    pub straight: bool,
    pub stroked: bool,
    /// Fill colour, if filled.
    pub fill: Option<[f32; 3]>,
}

/// A checkbox or radio-button widget.
#[derive(Debug, Clone, Copy)]
pub struct Widget {
    pub rect: BBox,
    pub on: bool,
}

/// A choice word of a row.
#[derive(Debug, Clone)]
pub struct Word {
    pub answer: Answer,
    pub bbox: BBox,
    pub rgb: [f32; 3],
}

#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// Nothing marks any word.
    None,
    /// One word, and what showed it.
    One {
        word: usize,
        kinds: Vec<MarkKind>,
    },
    Ambiguous(String),
}

fn luma(c: [f32; 3]) -> f32 {
    0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
}

/// Printed in a light colour: what "greyed out" looks like.
fn greyed(c: [f32; 3]) -> bool {
    luma(c) >= 0.35
}

/// Share of `word` that `b` covers.
fn coverage(b: &BBox, word: &BBox) -> f32 {
    let a = word.area();
    if a <= 0.0 { 0.0 } else { b.intersection(word) / a }
}

/// What is drawn on a page that can mark a row's words: the paths a person
/// sees, the form fields, the visible annotations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Drawn<'a> {
    pub shapes: &'a [Shape],
    pub widgets: &'a [Widget],
    pub annots: &'a [Annot],
}

/// Judge one row. `marks` are the mark glyphs on the row's line; `drawn`
/// what its page draws; `only_word_doc` says the document prints just the
/// chosen word in each row. Also says whether an annotation lies on the row.
pub fn read_row(words: &[Word], marks: &[MarkGlyph], drawn: &Drawn<'_>, only_word_doc: bool) -> (Evidence, bool) {
    if words.is_empty() {
        return (Evidence::None, false);
    }
    let Drawn { shapes, widgets, annots } = *drawn;
    let mut marked: Vec<Vec<MarkKind>> = vec![Vec::new(); words.len()];
    let mut doubts: Vec<String> = Vec::new();
    let row_box = words.iter().skip(1).fold(words[0].bbox, |b, w| BBox {
        x0: b.x0.min(w.bbox.x0),
        y0: b.y0.min(w.bbox.y0),
        x1: b.x1.max(w.bbox.x1),
        y1: b.y1.max(w.bbox.y1),
    });
    let h = words.iter().map(|w| w.bbox.height()).fold(0.0, f32::max).max(1.0);
    let near_row = |b: &BBox| b.y1 >= row_box.y0 - h && b.y0 <= row_box.y1 + h;

    for s in shapes.iter().filter(|s| near_row(&s.bbox)) {
        // drawn rings around a word: curved outlines no taller than a few lines
        if s.curved && s.stroked && s.bbox.height() <= 4.0 * h && s.bbox.width() <= 160.0 {
            let kind = if s.straight { MarkKind::RoundedRect } else { MarkKind::Ellipse };
            let inside: Vec<usize> = (0..words.len()).filter(|&k| coverage(&s.bbox, &words[k].bbox) >= 0.85).collect();
            let touched =
                (0..words.len()).filter(|&k| (0.1..0.85).contains(&coverage(&s.bbox, &words[k].bbox))).count();
            match (inside.as_slice(), touched) {
                ([k], 0) => marked[*k].push(kind),
                ([], 0) => {}
                (ins, _) if ins.len() >= 2 => doubts.push(format!("one {} around {} words", kind.as_str(), ins.len())),
                _ => doubts.push(format!("an {} between words", kind.as_str())),
            }
        }
        // shading: a filled area (not white) behind one word's centre; a cell
        // of a question wrapped over several lines is tall
        if let Some(fill) = s.fill
            && luma(fill) < 0.96
            && s.bbox.height() <= 12.0 * h
        {
            let behind: Vec<usize> =
                (0..words.len()).filter(|&k| s.bbox.contains_point(words[k].bbox.centre())).collect();
            match behind.len() {
                0 => {}
                1 if words.len() > 1 || !only_word_doc => marked[behind[0]].push(MarkKind::Shading),
                // a row band behind every word marks none
                n if n == words.len() => {}
                n => doubts.push(format!("one shaded area behind {n} words")),
            }
        }
    }

    let grey: Vec<bool> = words.iter().map(|w| greyed(w.rgb)).collect();
    if words.len() > 1 && grey.iter().any(|g| *g) {
        let dark: Vec<usize> = (0..words.len()).filter(|&k| !grey[k]).collect();
        match dark.len() {
            0 => {}
            1 => marked[dark[0]].push(MarkKind::Grey),
            n => doubts.push(format!("{n} words not greyed")),
        }
    }

    // glyphs and form fields: the word nearest beside them on the line
    let beside = |b: &BBox, reach: f32| -> Result<Option<usize>, String> {
        let mut gaps: Vec<(f32, usize)> = (0..words.len())
            .filter(|&k| b.y1 >= words[k].bbox.y0 - h * 0.5 && b.y0 <= words[k].bbox.y1 + h * 0.5)
            .map(|k| {
                let w = &words[k].bbox;
                ((w.x0 - b.x1).max(b.x0 - w.x1).max(0.0), k)
            })
            .filter(|(g, _)| *g <= reach)
            .collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        match gaps.as_slice() {
            [] => Ok(None),
            [(_, k)] => Ok(Some(*k)),
            [(g1, k), (g2, _), ..] => {
                if g2 - g1 < 0.25 * h {
                    Err("a mark between two words".into())
                } else {
                    Ok(Some(*k))
                }
            }
        }
    };
    for m in marks.iter().filter(|m| m.chosen) {
        match beside(&m.bbox, 1.5 * h) {
            Ok(Some(k)) => marked[k].push(MarkKind::Glyph),
            Ok(None) => {}
            Err(e) => doubts.push(e),
        }
    }
    for w in widgets.iter().filter(|w| w.on && near_row(&w.rect)) {
        match beside(&w.rect, 2.0 * h) {
            Ok(Some(k)) => marked[k].push(MarkKind::FormField),
            Ok(None) => {}
            Err(e) => doubts.push(format!("{e} (form field)")),
        }
    }

    // annotations: a person reads them as part of the page
    let mut annotated = false;
    // on this row: the annotation's middle within the row's line
    let on_row = |b: &BBox| {
        let (_, y) = b.centre();
        y >= row_box.y0 - 0.5 * h && y <= row_box.y1 + 0.5 * h
    };
    for a in annots.iter().filter(|a| on_row(&a.rect)) {
        annotated = true;
        match a.kind {
            AnnotKind::Marks => {
                let inside: Vec<usize> =
                    (0..words.len()).filter(|&k| coverage(&a.rect, &words[k].bbox) >= 0.85).collect();
                let touched =
                    (0..words.len()).filter(|&k| (0.1..0.85).contains(&coverage(&a.rect, &words[k].bbox))).count();
                match (inside.as_slice(), touched) {
                    ([k], 0) => marked[*k].push(MarkKind::Annotation),
                    // an annotation beside the words (a note's box) marks none
                    ([], 0) => {}
                    (ins, _) if ins.len() >= 2 => doubts.push(format!("one annotation over {} words", ins.len())),
                    _ => doubts.push("an annotation between words".into()),
                }
            }
            AnnotKind::StrikeOut => {
                for w in words.iter().filter(|w| coverage(&a.rect, &w.bbox) >= 0.3) {
                    doubts.push(format!("「{}」 struck out", w.answer.as_str()));
                }
            }
            AnnotKind::Cover => doubts.push("an annotation painted over the row".into()),
            AnnotKind::Note => doubts.push(match &a.contents {
                Some(t) if !t.trim().is_empty() => format!("a note on the row: 「{}」", crate::import::excerpt(t, 30)),
                _ => "a note on the row".into(),
            }),
        }
    }

    if only_word_doc {
        if words.len() == 1 {
            marked[0].push(MarkKind::OnlyWord);
        } else {
            doubts.push(format!("{} words printed where one is chosen", words.len()));
        }
    }

    let chosen: Vec<usize> = (0..words.len()).filter(|&k| !marked[k].is_empty()).collect();
    if chosen.len() > 1 {
        let names: Vec<&str> = chosen.iter().map(|&k| words[k].answer.as_str()).collect();
        doubts.insert(0, format!("{} words marked ({})", chosen.len(), names.join("、")));
    }
    if !doubts.is_empty() {
        doubts.dedup();
        return (Evidence::Ambiguous(doubts.join("; ")), annotated);
    }
    let evidence = match chosen.as_slice() {
        [k] => {
            let mut kinds = std::mem::take(&mut marked[*k]);
            kinds.sort();
            kinds.dedup();
            Evidence::One { word: *k, kinds }
        }
        _ => Evidence::None,
    };
    (evidence, annotated)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row judged with these glyphs and shapes, no widgets or annotations.
    fn rr(words: &[Word], marks: &[MarkGlyph], shapes: &[Shape], only_word: bool) -> Evidence {
        read_row(words, marks, &Drawn { shapes, ..Drawn::default() }, only_word).0
    }

    fn word(a: Answer, x0: f32, grey: bool) -> Word {
        let c = if grey { 0.6 } else { 0.0 };
        Word { answer: a, bbox: BBox { x0, y0: 100.0, x1: x0 + 16.0, y1: 108.0 }, rgb: [c, c, c] }
    }

    fn row(grey: [bool; 3]) -> Vec<Word> {
        vec![word(Answer::Yes, 400.0, grey[0]), word(Answer::No, 440.0, grey[1]), word(Answer::Na, 480.0, grey[2])]
    }

    fn ring(x0: f32, x1: f32) -> Shape {
        Shape { bbox: BBox { x0, y0: 97.0, x1, y1: 111.0 }, curved: true, straight: false, stroked: true, fill: None }
    }

    /// `[evidence] by` accepts exactly the kinds the importer writes.
    #[test]
    fn every_kind_is_one_a_sheet_accepts() {
        let kinds = [
            MarkKind::FormField,
            MarkKind::Ellipse,
            MarkKind::RoundedRect,
            MarkKind::Shading,
            MarkKind::Glyph,
            MarkKind::Grey,
            MarkKind::OnlyWord,
            MarkKind::Annotation,
        ];
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, crate::sheet::EVIDENCE_KINDS);
    }

    #[test]
    fn one_ring_one_word() {
        let w = row([false; 3]);
        assert_eq!(
            rr(&w, &[], &[ring(436.0, 460.0)], false),
            Evidence::One { word: 1, kinds: vec![MarkKind::Ellipse] }
        );
        // around two words, or between them: ambiguous
        assert!(matches!(rr(&w, &[], &[ring(396.0, 460.0)], false), Evidence::Ambiguous(_)));
        assert!(matches!(rr(&w, &[], &[ring(410.0, 446.0)], false), Evidence::Ambiguous(_)));
        // two rings
        assert!(matches!(rr(&w, &[], &[ring(396.0, 420.0), ring(436.0, 460.0)], false), Evidence::Ambiguous(_)));
        assert_eq!(rr(&w, &[], &[], false), Evidence::None);
    }

    #[test]
    fn greyed_words_and_shading() {
        assert_eq!(
            rr(&row([true, false, true]), &[], &[], false),
            Evidence::One { word: 1, kinds: vec![MarkKind::Grey] }
        );
        assert_eq!(rr(&row([true; 3]), &[], &[], false), Evidence::None);
        assert!(matches!(rr(&row([false, false, true]), &[], &[], false), Evidence::Ambiguous(_)));
        let fill = |x0: f32, x1: f32| Shape {
            bbox: BBox { x0, y0: 95.0, x1, y1: 113.0 },
            curved: false,
            straight: true,
            stroked: false,
            fill: Some([0.8, 0.8, 0.8]),
        };
        let w = row([false; 3]);
        assert_eq!(
            rr(&w, &[], &[fill(475.0, 520.0)], false),
            Evidence::One { word: 2, kinds: vec![MarkKind::Shading] }
        );
        // a band behind the whole row marks nothing
        assert_eq!(rr(&w, &[], &[fill(30.0, 580.0)], false), Evidence::None);
        assert!(matches!(rr(&w, &[], &[fill(395.0, 470.0)], false), Evidence::Ambiguous(_)));
    }

    #[test]
    fn glyph_beside_a_word() {
        let w = row([false; 3]);
        let g = |x0: f32| MarkGlyph { chosen: true, bbox: BBox { x0, y0: 100.0, x1: x0 + 8.0, y1: 108.0 } };
        assert_eq!(rr(&w, &[g(430.5)], &[], false), Evidence::One { word: 1, kinds: vec![MarkKind::Glyph] });
        // half-way between two words
        assert!(matches!(rr(&w, &[g(424.0)], &[], false), Evidence::Ambiguous(_)));
    }
}

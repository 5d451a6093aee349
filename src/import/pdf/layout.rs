//! Positioned text: glyphs grouped into lines and cells, repeated page
//! headers and footers dropped, and question rows assembled from the lines
//! a wrapped question cell spreads over.

use std::collections::HashMap;

use crate::sheet::Answer;
use crate::text::normalize;

/// An axis-aligned box in PDF user space (points, origin bottom-left).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BBox {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }
    pub fn centre(&self) -> (f32, f32) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
    pub fn contains_point(&self, (x, y): (f32, f32)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
    pub fn intersection(&self, o: &BBox) -> f32 {
        let w = self.x1.min(o.x1) - self.x0.max(o.x0);
        let h = self.y1.min(o.y1) - self.y0.max(o.y0);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }
    fn union(&self, o: &BBox) -> BBox {
        BBox { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }
}

/// One glyph as extracted.
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub c: char,
    pub bbox: BBox,
    /// Baseline (the bottom of the extracted box).
    pub y: f32,
    pub size: f32,
    /// Fill colour, 0–1 per channel.
    pub rgb: [f32; 3],
}

/// A mark glyph (● ✓ ■ ...) found in a cell, kept apart from its text.
#[derive(Debug, Clone, Copy)]
pub struct MarkGlyph {
    pub chosen: bool,
    pub bbox: BBox,
}

/// A run of glyphs without a wide gap.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Text without mark glyphs, NFKC-normalised.
    pub text: String,
    pub bbox: BBox,
    /// Mean colour of the text's glyphs.
    pub rgb: [f32; 3],
    pub marks: Vec<MarkGlyph>,
}

impl Cell {
    /// The choice word this cell is, if any.
    pub fn choice(&self) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == self.text)
    }
}

#[derive(Debug, Clone)]
pub struct Line {
    pub page: u32,
    pub y: f32,
    pub size: f32,
    pub cells: Vec<Cell>,
}

impl Line {
    pub fn text(&self) -> String {
        self.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("\t")
    }
    pub fn bbox(&self) -> BBox {
        self.cells.iter().skip(1).fold(self.cells.first().map(|c| c.bbox).unwrap_or_default(), |b, c| b.union(&c.bbox))
    }
    /// Where the answer part of a question row starts: the first choice word
    /// or 備考 label after the first cell.
    pub fn tail_at(&self) -> Option<usize> {
        let is_tail = |c: &Cell| c.choice().is_some() || is_bikou(&c.text);
        let k = self.cells.iter().position(is_tail)?;
        // A line may open with a choice word (the row's text wraps above and
        // below it), but then more answer cells follow.
        let bikou_first = is_bikou(&self.cells[0].text) && self.cells.len() > 1;
        if k == 0 && !bikou_first && !self.cells[1..].iter().any(is_tail) {
            return None;
        }
        // A 備考 label alone (a column header) is no row: a row's label is
        // followed by its citations, or comes after choice words.
        let has_choice = self.cells[k..].iter().any(|c| c.choice().is_some());
        (has_choice || k + 1 < self.cells.len()).then_some(k)
    }
}

fn is_bikou(t: &str) -> bool {
    matches!(t, "備考" | "備考欄")
}

/// Group one page's glyphs into lines (top to bottom) of cells (left to right).
pub fn lines(page: u32, mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| g.size > 0.0 && g.size.is_finite() && g.bbox.x0.is_finite() && g.y.is_finite());
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.bbox.x0.total_cmp(&b.bbox.x0)));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            // same baseline, within a third of the type size
            Some(r) if (r[0].y - g.y).abs() <= 0.35 * r[0].size.max(g.size) => r.push(g),
            _ => rows.push(vec![g]),
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for mut r in rows {
        r.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let size = r.iter().map(|g| g.size).fold(0.0, f32::max);
        let mut cells: Vec<Vec<Glyph>> = Vec::new();
        let mut last_x1 = f32::NEG_INFINITY;
        for g in r {
            let gap = g.bbox.x0 - last_x1;
            let wide = gap > 0.9 * size;
            if g.c.is_whitespace() {
                continue;
            }
            match cells.last_mut() {
                Some(c) if !wide => c.push(g),
                _ => cells.push(vec![g]),
            }
            last_x1 = g.bbox.x1;
        }
        let cells: Vec<Cell> = cells.into_iter().filter_map(|c| cell(&c, size)).collect();
        if !cells.is_empty() {
            let y = cells[0].bbox.y0;
            out.push(Line { page, y, size, cells });
        }
    }
    out
}

fn cell(glyphs: &[Glyph], size: f32) -> Option<Cell> {
    let mut text = String::new();
    let mut marks = Vec::new();
    let mut rgb = [0.0f32; 3];
    let mut n = 0.0;
    let mut bbox: Option<BBox> = None;
    let mut last_x1 = f32::NEG_INFINITY;
    for g in glyphs {
        bbox = Some(bbox.map_or(g.bbox, |b| b.union(&g.bbox)));
        if let Some(chosen) = super::super::mark(g.c) {
            marks.push(MarkGlyph { chosen, bbox: g.bbox });
            continue;
        }
        if !text.is_empty() && g.bbox.x0 - last_x1 > 0.2 * size {
            text.push(' ');
        }
        text.push(g.c);
        last_x1 = g.bbox.x1;
        for (k, v) in g.rgb.iter().enumerate() {
            rgb[k] += v;
        }
        n += 1.0;
    }
    if n > 0.0 {
        rgb = rgb.map(|v| v / n);
    }
    // the word's own box, without the mark glyph beside it
    let word_box =
        glyphs.iter().filter(|g| super::super::mark(g.c).is_none()).map(|g| g.bbox).reduce(|a, b| a.union(&b));
    Some(Cell { text: normalize(&text), bbox: word_box.or(bbox)?, rgb, marks })
}

/// Drop page headers and footers: lines among the first three or last two of
/// a page that recur, digits aside, at the same height on at least two
/// pages (and half of them); then every line with such a text anywhere.
pub fn drop_repeated(pages: &mut [Vec<Line>]) {
    if pages.len() < 2 {
        return;
    }
    let key = |l: &Line| -> String { l.text().chars().filter(|c| !c.is_ascii_digit()).collect() };
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    for lines in pages.iter() {
        // The header block (作成日, サービス事業者 ...) repeated on every
        // page is the sheet's own header: kept (the first one wins), and
        // not counted in the lines at the top of a page.
        let body: Vec<&Line> = lines.iter().filter(|l| !is_header_field(l)).collect();
        let n = body.len();
        for (i, l) in body.into_iter().enumerate() {
            if i < 3 || i + 2 >= n {
                *seen.entry((key(l), l.y.round() as i32)).or_default() += 1;
            }
        }
    }
    let need = 2.max(pages.len() / 2);
    let repeated: std::collections::HashSet<String> =
        seen.into_iter().filter(|(_, n)| *n >= need).map(|((k, _), _)| k).filter(|k| !k.trim().is_empty()).collect();
    if repeated.is_empty() {
        return;
    }
    for lines in pages.iter_mut() {
        lines.retain(|l| !repeated.contains(&key(l)));
    }
}

/// A line of the header block: `作成日 | 2026年2月3日`, `作成日：2026年2月3日`.
fn is_header_field(l: &Line) -> bool {
    l.cells.first().is_some_and(|c| {
        crate::import::header_label(&c.text).is_some()
            || c.text
                .split_once([':', '：', ' '])
                .is_some_and(|(label, _)| crate::import::header_label(label).is_some())
    })
}

/// A question row: the line holding its answer cells, and the lines above
/// and below that its wrapped text spreads over.
#[derive(Debug, Clone)]
pub struct RowLines {
    /// Index of the line with the answer cells.
    pub anchor: usize,
    /// Indices of all its lines, top to bottom.
    pub members: Vec<usize>,
}

/// Assemble one page's question rows; lines not in a row stay as they are.
pub fn rows(lines: &[Line]) -> Vec<RowLines> {
    let mut taken = vec![false; lines.len()];
    let anchors: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].tail_at().is_some()).collect();
    for &a in &anchors {
        taken[a] = true;
    }
    let mut out = Vec::with_capacity(anchors.len());
    for &a in &anchors {
        let tail_x = lines[a].tail_at().map_or(f32::INFINITY, |k| lines[a].cells[k].bbox.x0);
        let fits = |i: usize, next_to: usize| -> bool {
            let l = &lines[i];
            (l.y - lines[next_to].y).abs() <= 1.5 * l.size.max(lines[next_to].size)
                && l.cells.iter().all(|c| c.bbox.x1 < tail_x - 1.0)
        };
        let mut members = vec![a];
        let mut top = a;
        while top > 0 && !taken[top - 1] && fits(top - 1, top) {
            top -= 1;
            taken[top] = true;
            members.insert(0, top);
        }
        let mut bottom = a;
        while bottom + 1 < lines.len() && !taken[bottom + 1] && fits(bottom + 1, bottom) {
            bottom += 1;
            taken[bottom] = true;
            members.push(bottom);
        }
        out.push(RowLines { anchor: a, members });
    }
    out
}

/// The question text of a row: its cells left of the answer cells, top to
/// bottom, wrapped lines joined without a space between CJK characters.
pub fn row_text(lines: &[Line], row: &RowLines) -> String {
    let tail_x = lines[row.anchor].tail_at().map_or(f32::INFINITY, |k| lines[row.anchor].cells[k].bbox.x0);
    let mut text = String::new();
    for &i in &row.members {
        let part: Vec<&str> =
            lines[i].cells.iter().filter(|c| c.bbox.x1 < tail_x - 1.0).map(|c| c.text.as_str()).collect();
        let part = part.join(" ");
        if part.is_empty() {
            continue;
        }
        let ascii_join = text.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
            && part.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        // a number cell is its own token; wrapped text continues without a break
        let number_cell = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !text.is_empty() && (ascii_join || number_cell) {
            text.push(' ');
        }
        text.push_str(&part);
    }
    text
}

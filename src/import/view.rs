//! What a person sees of a worksheet, whatever the workbook's format: which
//! rows and columns are hidden (or so small they show nothing) and which
//! cells hold a formula. calamine reads every cell's value and none of
//! this, so each format's own structures are read for it: the worksheet
//! XML of an .xlsx ([`xlsx_view`](super::xlsx_view)), the ROW and COLINFO
//! records of an .xls ([`xls_bounds`](super::xls_bounds), on the walk that
//! bounds the file), the BrtRowHdr and BrtColInfo records of an .xlsb
//! ([`xlsb_view`](super::xlsb_view)) and the rows, columns and their styles
//! in an .ods's `content.xml` ([`ods_view`](super::ods_view)). The rules
//! that say what is too small to show are here, once, for all of them.
//!
//! A format whose visibility cannot be read is refused, never read as if
//! every row showed (docs/importing.md, "What a person sees is what is
//! read").

use std::collections::HashSet;

/// Rows at most this tall (points) show nothing: a "hidden" row made by
/// setting its height to zero.
pub(crate) const MIN_ROW_HEIGHT: f64 = 2.0;
/// Columns at most this wide (characters) show nothing.
pub(crate) const MIN_COL_WIDTH: f64 = 0.5;
/// The same for a width given as a length (ODS): half a character of the
/// default font is about 3 points.
pub(crate) const MIN_COL_POINTS: f64 = 3.0;
/// Formula cells noted per worksheet (a form has a few hundred answer
/// cells; the rest are not looked up).
pub(crate) const MAX_FORMULAS: usize = 100_000;

/// Sorted, disjoint inclusive ranges of row or column numbers (0-based).
/// Built by [`Lines::add`] in any order, then [`Lines::finish`]ed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Lines(Vec<(u32, u32)>);

impl Lines {
    /// Add `a..=b` (ignored when `b < a`).
    pub fn add(&mut self, a: u32, b: u32) {
        if a <= b {
            self.0.push((a, b));
        }
    }

    /// Sort and merge what was added: O(n log n) once.
    pub fn finish(&mut self) {
        self.0.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(self.0.len());
        for &(a, b) in &self.0 {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        self.0 = out;
    }

    /// Whether `x` is in one of the ranges (after [`Lines::finish`]).
    pub fn contains(&self, x: u32) -> bool {
        let i = self.0.partition_point(|&(_, b)| b < x);
        self.0.get(i).is_some_and(|&(a, _)| a <= x)
    }

    /// The numbers from 0 to `max` that are in no range (after
    /// [`Lines::finish`]).
    pub fn complement(&self, max: u32) -> Lines {
        let mut out = Lines::default();
        let mut next = 0u32;
        for &(a, b) in &self.0 {
            if a > next {
                out.add(next, (a - 1).min(max));
            }
            match b.checked_add(1) {
                Some(n) => next = n,
                None => return out,
            }
        }
        if next <= max {
            out.add(next, max);
        }
        out
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.0
    }
}

/// What one worksheet shows; rows and columns 0-based, as calamine counts.
#[derive(Debug, Default, Clone)]
pub(crate) struct SheetView {
    pub hidden_rows: Lines,
    pub hidden_cols: Lines,
    /// Cells whose value is a formula's cached result (the first
    /// [`MAX_FORMULAS`]).
    pub formulas: HashSet<(u32, u32)>,
}

impl SheetView {
    pub fn row_hidden(&self, r: u32) -> bool {
        self.hidden_rows.contains(r)
    }

    pub fn hides(&self, (r, c): (u32, u32)) -> bool {
        self.hidden_rows.contains(r) || self.hidden_cols.contains(c)
    }

    pub fn add_formula(&mut self, at: (u32, u32)) {
        if self.formulas.len() < MAX_FORMULAS {
            self.formulas.insert(at);
        }
    }
}

/// A worksheet view as it is read: the rows and columns a file describes,
/// and whether the ones it does not describe are hidden (a default row
/// height of zero, "rows hidden by default", a default column width of
/// zero). Rows a file describes keep what it says of them.
#[derive(Debug, Default)]
pub(crate) struct ViewBuilder {
    pub view: SheetView,
    described_rows: Lines,
    described_cols: Lines,
    pub rows_hidden_by_default: bool,
    pub cols_hidden_by_default: bool,
}

impl ViewBuilder {
    /// A row the file describes, hidden or not.
    pub fn row(&mut self, r: u32, hidden: bool) {
        self.rows(r, r, hidden);
    }

    pub fn rows(&mut self, a: u32, b: u32, hidden: bool) {
        self.described_rows.add(a, b);
        if hidden {
            self.view.hidden_rows.add(a, b);
        }
    }

    pub fn cols(&mut self, a: u32, b: u32, hidden: bool) {
        self.described_cols.add(a, b);
        if hidden {
            self.view.hidden_cols.add(a, b);
        }
    }

    pub fn finish(mut self) -> SheetView {
        for (default_hidden, described, hidden) in [
            (self.rows_hidden_by_default, &mut self.described_rows, &mut self.view.hidden_rows),
            (self.cols_hidden_by_default, &mut self.described_cols, &mut self.view.hidden_cols),
        ] {
            if default_hidden {
                described.finish();
                for &(a, b) in described.complement(u32::MAX).ranges() {
                    hidden.add(a, b);
                }
            }
            hidden.finish();
        }
        self.view
    }
}

/// A row height in points shows nothing.
pub(crate) fn flat(points: f64) -> bool {
    points < MIN_ROW_HEIGHT
}

/// A column width in characters shows nothing.
pub(crate) fn narrow(chars: f64) -> bool {
    chars < MIN_COL_WIDTH
}

/// A zip's parts as calamine finds them: by name, letter case and `\`
/// against `/` not mattering; of two names that differ only so, the later
/// one in the zip's directory is the one calamine opens (its path cache
/// keeps the last). The part scanned here must be the one calamine reads.
pub(crate) struct Parts<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    by_name: std::collections::HashMap<String, usize>,
}

impl<'a> Parts<'a> {
    pub fn new(bytes: &'a [u8]) -> Option<Parts<'a>> {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        let mut by_name = std::collections::HashMap::with_capacity(zip.len());
        for i in 0..zip.len() {
            if let Some(Ok(n)) = zip.name_for_index(i) {
                by_name.insert(n.replace('\\', "/").to_ascii_lowercase(), i);
            }
        }
        Some(Parts { zip, by_name })
    }

    /// Whether there is a part of that name (as calamine finds it).
    pub fn has(&self, path: &str) -> bool {
        self.index(path).is_some()
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.by_name.get(&path.to_ascii_lowercase()).copied().or_else(|| self.zip.index_for_name(path))
    }

    /// A part, unpacked (its size was bounded before calamine opened the
    /// workbook: `check_parts`); `None` if there is none or it cannot be.
    pub fn read(&mut self, path: &str) -> Option<Vec<u8>> {
        let i = self.index(path)?;
        self.read_index(i)
    }

    /// A part by its exact name (where calamine looks one up so).
    pub fn read_exact(&mut self, path: &str) -> Option<Vec<u8>> {
        let i = self.zip.index_for_name(path)?;
        self.read_index(i)
    }

    fn read_index(&mut self, i: usize) -> Option<Vec<u8>> {
        use std::io::Read;
        let part = self.zip.by_index(i).ok()?;
        let mut out = Vec::new();
        part.take(super::xlsx::limits::PART).read_to_end(&mut out).ok()?;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_merge_and_look_up() {
        let mut l = Lines::default();
        for (a, b) in [(10, 12), (3, 3), (4, 6), (20, 19), (11, 15), (u32::MAX, u32::MAX)] {
            l.add(a, b);
        }
        l.finish();
        assert_eq!(l.ranges(), [(3, 6), (10, 15), (u32::MAX, u32::MAX)]);
        assert!(l.contains(3) && l.contains(6) && l.contains(13) && l.contains(u32::MAX));
        assert!(!l.contains(2) && !l.contains(7) && !l.contains(16) && !l.contains(19));
        assert_eq!(l.complement(20).ranges(), [(0, 2), (7, 9), (16, 20)]);
        assert!(Lines::default().complement(5).ranges() == [(0, 5)]);
    }

    #[test]
    fn rows_hidden_by_default_are_those_not_described() {
        let mut b = ViewBuilder::default();
        b.row(4, false);
        b.row(5, true);
        b.cols(0, 2, false);
        b.rows_hidden_by_default = true;
        let v = b.finish();
        assert!(v.row_hidden(0) && v.row_hidden(3) && v.row_hidden(5) && v.row_hidden(6) && v.row_hidden(u32::MAX));
        assert!(!v.row_hidden(4));
        // columns shown by default: only what is hidden is
        assert!(!v.hides((4, 7)));
    }

    #[test]
    fn formulas_are_capped() {
        let mut v = SheetView::default();
        for r in 0..(MAX_FORMULAS as u32 + 10) {
            v.add_formula((r, 0));
        }
        assert_eq!(v.formulas.len(), MAX_FORMULAS);
    }
}

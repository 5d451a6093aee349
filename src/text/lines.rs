//! Offset → line lookups that do not rescan the text from its start.
//!
//! Reports locate every finding in its file; done naively (count newlines
//! up to the offset) that is O(offset) per finding and quadratic for a
//! hostile sheet with thousands of findings. [`LineIndex`] records where
//! each line starts once per file, and [`IndexedText`] uses it to hand
//! miette only the few lines around a span.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents};

/// Where the lines of a text start.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset of the start of each line (after each `\n`); `[0, ...]`.
    starts: Vec<usize>,
    /// For each line start, the number of lone `\r` before it (miette
    /// counts those as line breaks too). Empty when the text has none.
    lone_cr: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        // Every sheet is indexed once for its report; on a sheet's short
        // lines memchr's iterator is about twice as fast as `match_indices`.
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let is_lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        let lone_cr = if memchr::memchr_iter(b'\r', bytes).any(is_lone_cr) {
            let mut seen = 0;
            let mut at = 0;
            starts
                .iter()
                .map(|&s| {
                    seen += (at..s).filter(|&i| is_lone_cr(i)).count();
                    at = s;
                    seen
                })
                .collect()
        } else {
            Vec::new()
        };
        LineIndex { starts, lone_cr }
    }

    /// Byte offset where 1-based `line` starts, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    /// 0-based line (counting `\n` only) holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// 1-based line and column (in characters) of a byte offset; the same
    /// as [`super::line_col`], in O(log lines + column).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let col = text[self.starts[line]..offset].chars().count() + 1;
        (line + 1, col)
    }
}

/// A file's text with its line index, as miette source code: reading a
/// span costs the lines shown, not the bytes before them.
#[derive(Debug, Clone)]
pub struct IndexedText {
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
}

impl IndexedText {
    pub fn new(text: Arc<str>) -> IndexedText {
        let lines = Arc::new(LineIndex::new(&text));
        IndexedText { text, lines }
    }
}

/// One file's text under its name, as its diagnostics show it, shared by
/// all of them. Each diagnostic about a file once held its own copy and
/// rendering re-read the text from its start, so a file with thousands of
/// problems cost time and memory quadratic in its size (8,000 duplicate
/// waivers: gigabytes). Diagnostics that hand miette this `Arc`'s content
/// as their source ([`source_of`]) also let
/// [`PrintableDiagnostic`](super::PrintableDiagnostic) escape the text once
/// for all of them: it recognises the shared source by its address.
pub type SharedSource = Arc<NamedSource<IndexedText>>;

/// A [`SharedSource`] named `name` over `text` (indexed here, once).
pub fn shared_source(name: impl AsRef<str>, text: Arc<str>) -> SharedSource {
    Arc::new(NamedSource::new(name, IndexedText::new(text)))
}

/// A [`SharedSource`] over an already indexed text.
pub fn shared_indexed(name: impl AsRef<str>, text: IndexedText) -> SharedSource {
    Arc::new(NamedSource::new(name, text))
}

/// What a diagnostic's `source_code` returns for a [`SharedSource`]: the
/// shared allocation itself, so every diagnostic of the file hands miette
/// the same address.
pub fn source_of(src: &SharedSource) -> &dyn SourceCode {
    &**src
}

impl SourceCode for IndexedText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &'a str = &self.text;
        if span.offset() > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // Start at a line start far enough back for the context lines
        // (lone `\r`s only add lines, so there are at least as many); then
        // let miette's own reader work on the rest and shift its answer.
        let mut first = self.lines.line_of(span.offset()).saturating_sub(context_lines_before);
        // miette reads an empty span at offset 0 differently from one
        // further in (`offset - 1` saturates): keep the span off the start.
        if first > 0 && self.lines.starts[first] == span.offset() {
            first -= 1;
        }
        let base = self.lines.starts[first];
        let lines_before = first + self.lines.lone_cr.get(first).copied().unwrap_or(0);
        let shifted = SourceSpan::new((span.offset() - base).into(), span.len());
        let inner = text.as_bytes()[base..].read_span(&shifted, context_lines_before, context_lines_after)?;
        let s = inner.span();
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((s.offset() + base).into(), s.len()),
            inner.line() + lines_before,
            inner.column(),
            inner.line_count() + lines_before,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Rng;

    #[test]
    fn line_col_matches_the_scan() {
        let text = "一行目\n二行目 x\r\n\n三\rlast";
        let idx = LineIndex::new(text);
        for off in 0..=text.len() + 3 {
            assert_eq!(idx.line_col(text, off), super::super::line_col(text, off), "offset {off}");
        }
        assert_eq!(LineIndex::new("").line_col("", 5), (1, 1));
    }

    #[test]
    fn miette_sees_the_same_contents() {
        let mut rng = Rng::new(9);
        let pieces = ["a", "bc", "\n", "\r\n", "\r", "日本", " ", "\n\n"];
        for round in 0..400 {
            let text: String = (0..rng.below(60)).map(|_| rng.pick(&pieces)).collect();
            let indexed = IndexedText::new(Arc::from(text.as_str()));
            for _ in 0..10 {
                // Spans inside the text, as kaiji makes them (miette itself
                // panics on some spans past the end).
                let start = rng.below(text.len() + 1);
                let len = rng.below(8).min(text.len() - start);
                let span = SourceSpan::new(start.into(), len);
                let (before, after) = (rng.below(4), rng.below(4));
                let want = text.as_str().read_span(&span, before, after);
                let got = indexed.read_span(&span, before, after);
                match (want, got) {
                    (Ok(w), Ok(g)) => {
                        let what = format!("round {round} {text:?} span {start}+{len} ctx {before}/{after}");
                        assert_eq!(g.data(), w.data(), "{what}");
                        assert_eq!(g.span(), w.span(), "{what}");
                        assert_eq!((g.line(), g.column()), (w.line(), w.column()), "{what}");
                        assert_eq!(g.line_count(), w.line_count(), "{what}");
                    }
                    (Err(_), Err(_)) => {}
                    (w, g) => panic!("{text:?} span {start}+{len}: {:?} vs {:?}", w.is_ok(), g.is_ok()),
                }
            }
        }
    }
}

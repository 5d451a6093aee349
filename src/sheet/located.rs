//! The one shape of an error in an input file: which file, what is wrong,
//! what to do, and the place in its text. A sheet's error
//! ([`SheetError`](super::SheetError)) and a waiver file's
//! (`waiver::WaiverError`) are this type with their own extra part.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode, SourceSpan};

use super::Span;
use crate::text::{SharedSource, source_of};

/// A problem in one input file, shown as `{path}: {message}` and, as a
/// diagnostic, over the file's text with the place labelled `here`.
/// `X` is what one kind of file adds (its diagnostic code, more labels,
/// related problems).
#[derive(Debug)]
pub struct LocatedError<X> {
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    /// The file's text, when the problem is at a place in it: one per
    /// file, shared by all its errors.
    pub src: Option<SharedSource>,
    /// The byte span of the place (labelled `here`), kept for reports
    /// that locate errors.
    pub span: Option<Span>,
    pub extra: X,
}

/// What one kind of file adds to a [`LocatedError`].
pub trait ErrorExtra: fmt::Debug {
    /// The diagnostic code (`kaiji::sheet`).
    const CODE: &'static str;

    /// Labels after `here`.
    fn labels(&self) -> impl Iterator<Item = LabeledSpan> {
        std::iter::empty()
    }

    /// Further problems shown beneath this one.
    fn related(&self) -> Option<Box<dyn Iterator<Item = &dyn Diagnostic> + '_>> {
        None
    }
}

impl<X> LocatedError<X> {
    /// 1-based line/column of the error, when it has a place.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let text = self.src.as_ref()?.inner();
        Some(text.lines.line_col(&text.text, self.span?.start))
    }
}

impl<X> fmt::Display for LocatedError<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl<X: ErrorExtra> std::error::Error for LocatedError<X> {}

impl<X: ErrorExtra> Diagnostic for LocatedError<X> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(X::CODE))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(source_of)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let here = self.span.map(|s| LabeledSpan::new_with_span(Some("here".to_string()), SourceSpan::from(s)));
        Some(Box::new(here.into_iter().chain(self.extra.labels())))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.extra.related()
    }
}

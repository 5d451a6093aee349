//! The PDF importer: the vendor's PDF read directly, no external program.
//!
//! One reader, hayro, interprets each page's drawing ([`seen`]): the text
//! with positions, widths and colours, the drawn paths, the annotations,
//! and whether a person sees each; form fields (checkbox and radio
//! widgets) come from lopdf. [`layout`] groups the
//! glyphs into lines and question rows and drops repeated page headers;
//! [`marks`] observes which choice words of each row are marked. The rows
//! are then handed, as tab-separated lines of the printed text, to the text
//! importer's recognition (questions by text, metadata, citations, the
//! 備考記載欄), with what was observed on each row beside them, never written
//! into the text; the shared rules (`import::rules`) decide each answer, and
//! what was read is mapped back to pages and positions.

pub mod layout;
pub mod marks;
pub mod seen;
mod streams;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use hayro_interpret::hayro_syntax::Pdf;
use regex::Regex;

use self::layout::{BBox, Glyph, Line};
pub use self::marks::MarkKind;
use self::marks::{Evidence, Widget, Word};
use super::text::{Marks, RowMarks};
use super::{ImportError, Imported, PdfPlace, ReadAt};
use crate::form::Form;

/// Bounds on the work one import may do.
const MAX_BYTES: usize = 64 << 20;
const MAX_PAGES: usize = 300;
const MAX_GLYPHS_PER_PAGE: usize = 60_000;
const MAX_PATHS_PER_PAGE: usize = 60_000;
const MAX_WIDGETS: usize = 20_000;
const DEADLINE: Duration = Duration::from_secs(30);
const MAX_PAGE_TREE_DEPTH: usize = 64;
/// A page's coordinates, in points, at most: a page is at most 200 inches
/// (14,400 units) on a side, and what PDF cannot write (1e30) or no page is
/// (1e9) is an impossible size.
const MAX_PAGE_COORDINATE: f64 = 1e6;
/// Stack for the thread that parses (the reader recurses, to a bounded
/// depth, on what it reads).
const STACK: usize = 64 << 20;

/// Where a line handed to the text importer came from.
#[derive(Debug, Clone, Default)]
struct LineInfo {
    page: u32,
    /// The chosen word, for a question row with one.
    chosen: Option<(BBox, Vec<MarkKind>)>,
    /// What a question row shows (its words and marks).
    marks: Option<RowMarks>,
    /// An annotation lies on the row.
    annotated: bool,
}

fn err(path: &str, message: impl Into<String>, help: Option<&str>) -> ImportError {
    ImportError::Unrecognised { path: path.to_string(), message: message.into(), help: help.map(str::to_string) }
}

/// Run a call into a PDF crate, turning a panic on hostile input into an error.
fn guarded<T>(path: &str, what: &str, f: impl FnOnce() -> T) -> Result<T, ImportError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        err(
            path,
            format!("the PDF is damaged: reading its {what} failed"),
            Some("re-save or re-export the PDF and try again"),
        )
    })
}

/// Import a PDF's bytes.
pub fn import_bytes(bytes: &[u8], form: &Form, path: &str) -> Result<Imported, ImportError> {
    // parsing recurses: give it a roomy stack of its own
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new().stack_size(STACK).spawn_scoped(s, || import_here(bytes, form, path));
        match worker {
            Ok(h) => h.join().unwrap_or_else(|_| Err(err(path, "the PDF is damaged: reading it failed", None))),
            // no thread to be had: read on this one
            Err(_) => import_here(bytes, form, path),
        }
    })
}

/// A PDF's text as the text importer reads it: its lines, question rows as
/// tab-separated cells, page headers and footers dropped (the sheet's title
/// kept once, at the top, when `keep_title`).
/// For the catalog builder (`kaiji form new`).
pub fn text_of(bytes: &[u8], path: &str, keep_title: bool) -> Result<String, ImportError> {
    std::thread::scope(|s| {
        let read = || read_lines(bytes, path, keep_title);
        let worker = std::thread::Builder::new().stack_size(STACK).spawn_scoped(s, read);
        match worker {
            Ok(h) => h.join().unwrap_or_else(|_| Err(err(path, "the PDF is damaged: reading it failed", None))),
            Err(_) => read_lines(bytes, path, keep_title),
        }
    })
    .and_then(|pages| if pages.no_text { Err(no_text(path)) } else { Ok(pages.text) })
}

fn no_text(path: &str) -> ImportError {
    err(
        path,
        "the PDF has no text to read (a scanned image?)",
        Some("kaiji reads PDFs printed from the form, not scans; ask the vendor for the original or a workbook"),
    )
}

/// What [`read_lines`] read.
struct PageText {
    text: String,
    /// Where each line of `text` came from.
    infos: Vec<LineInfo>,
    /// No page had any text.
    no_text: bool,
    /// Text in the file a person does not see, a run per line.
    hidden: Vec<HiddenText>,
    /// Optional-content layers that are off: never drawn, so what they
    /// hold is neither read nor seen run by run.
    layers_off: Vec<String>,
}

/// A run of text on one baseline that a person does not see.
#[derive(Debug, Clone)]
struct HiddenText {
    page: u32,
    x: f32,
    y: f32,
    text: String,
}

/// Add a glyph a person does not see to the run on its baseline (the
/// runs of one page are few; a flood of them is bounded by the glyph limit).
fn note_hidden_char(runs: &mut Vec<HiddenText>, page: u32, c: char, x: f32, y: f32, size: f32) {
    match runs.iter_mut().rev().take(8).find(|r| r.page == page && (r.y - y).abs() <= size * 0.3) {
        Some(r) if r.text.len() < 160 => r.text.push(c),
        Some(_) => {}
        None => runs.push(HiddenText { page, x, y, text: c.to_string() }),
    }
}

fn import_here(bytes: &[u8], form: &Form, path: &str) -> Result<Imported, ImportError> {
    let PageText { text, infos, no_text: empty, hidden, layers_off } = read_lines(bytes, path, false)?;
    // by line number (1-based), as the text importer counts
    let observed: Vec<Option<RowMarks>> =
        std::iter::once(None).chain(infos.iter().map(|li| li.marks.clone())).collect();
    let marks = Marks::Observed(&observed);
    let (mut imported, lines_read) = super::text::import_str_traced(&text, form, path, marks).map_err(|e| match e {
        ImportError::Unrecognised { .. } if empty && !hidden.is_empty() => err(
            path,
            "the PDF's text is all hidden from a person (painted white or transparent, clipped, covered, \
             too small or off the page): there is nothing on it to read",
            Some("ask the vendor for the sheet as it is meant to be read"),
        ),
        ImportError::Unrecognised { .. } if empty => no_text(path),
        ImportError::Unrecognised { .. } => err(
            path,
            format!("this PDF is not a disclosure sheet: none of its text matches a question of form {}", form.id),
            Some("for another form or version, pass its catalog with --form-file"),
        ),
        e => e,
    })?;
    let info = |line: usize| infos.get(line.wrapping_sub(1));
    for (idx, lines) in lines_read.iter().enumerate() {
        let Some(q) = form.questions().get(idx) else { continue };
        let places: Vec<ReadAt> = lines
            .iter()
            .filter_map(|&line| {
                let li = info(line)?;
                let (bbox, kinds) = li.chosen.as_ref()?;
                let (x, y) = bbox.centre();
                let by = kinds.first().copied().unwrap_or(MarkKind::Glyph);
                Some(ReadAt::Pdf(PdfPlace { page: li.page, x, y, by }))
            })
            .collect();
        if let Some(ReadAt::Pdf(first)) = places.first() {
            *imported.report.read_by.entry(first.by.as_str().to_string()).or_default() += 1;
            imported.sources.insert(q.id.clone(), ReadAt::of(places));
        }
    }
    // The text importer speaks of its lines: say pages instead.
    let page_of = |s: &str| -> String {
        LINE_REF
            .replace_all(s, |c: &regex::Captures<'_>| match c[1].parse::<usize>().ok().and_then(info) {
                Some(li) => format!("page {}", li.page),
                None => c[0].to_string(),
            })
            .into_owned()
    };
    for u in &mut imported.report.unread {
        u.place = page_of(&u.place);
    }
    for a in &mut imported.report.ambiguous {
        a.place = page_of(&a.place);
        a.why = page_of(&a.why);
    }
    for h in hidden {
        imported.report.note_hidden(
            format!("page {} ({:.0}, {:.0})", h.page, h.x, h.y),
            format!("text a person does not see: 「{}」", super::excerpt(&h.text, 30)),
        );
    }
    if !layers_off.is_empty() {
        let names = layers_off.iter().map(|n| format!("「{}」", super::excerpt(n, 30))).collect::<Vec<_>>().join("、");
        imported.report.note_hidden(
            "optional-content layers".to_string(),
            format!("layers that are off are not shown, and not read: {names}"),
        );
    }
    imported.report.annotated_rows = infos.iter().filter(|li| li.annotated).count();
    for w in &mut imported.report.warnings {
        *w = page_of(w);
    }
    Ok(imported)
}

/// Read a PDF's pages into lines for the text importer (see [`text_of`]).
fn read_lines(bytes: &[u8], path: &str, keep_title: bool) -> Result<PageText, ImportError> {
    let started = Instant::now();
    if bytes.len() > MAX_BYTES {
        return Err(err(
            path,
            format!("the PDF is {} MiB; kaiji reads sheets up to {} MiB", bytes.len() >> 20, MAX_BYTES >> 20),
            None,
        ));
    }
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_none() {
        return Err(err(
            path,
            "this is not a PDF (no %PDF- header)",
            Some("for text extracted from a sheet use --from text, for a workbook --from xlsx"),
        ));
    }
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if memchr::memmem::rfind(tail, b"%%EOF").is_none() {
        return Err(err(
            path,
            "the PDF is damaged: it is truncated (no %%EOF at its end)",
            Some("download or export the PDF again"),
        ));
    }
    if let Some(why) = broken_xref(bytes) {
        return Err(err(
            path,
            format!("the PDF is damaged: its cross-reference data is broken ({why})"),
            Some("re-save or re-export the PDF and try again"),
        ));
    }
    const SMALLER: &str = "a disclosure sheet's content is a few MiB; re-save or re-export the PDF";
    streams::check_structure(bytes).map_err(|why| err(path, why, Some(SMALLER)))?;
    let pdf = guarded(path, "structure", || seen::open(bytes))?.map_err(|e| match e {
        seen::SeenError::Encrypted => encryption_error(path),
        _ => damaged(path, "its structure cannot be read"),
    })?;
    // No startxref at all: the reader rebuilt the structure by scanning,
    // which a file cut short (with %%EOF appended) also gets through.
    let no_xref = memchr::memmem::rfind(&bytes[bytes.len().saturating_sub(2048)..], b"startxref").is_none();
    let cut_short = if no_xref { "; it has no cross-reference data either: it was probably cut short" } else { "" };
    let pages = guarded(path, "page tree", || check_page_tree(&pdf, bytes))?.map_err(|problem| match problem {
        PageTreeProblem::TooManyPages(n) => {
            err(path, format!("the PDF has over {n} pages; kaiji reads sheets of up to {MAX_PAGES}"), None)
        }
        PageTreeProblem::Damaged(why) => damaged(path, &format!("{why}{cut_short}")),
    })?;
    if pages == 0 {
        return Err(err(path, "the PDF has no pages", None));
    }
    // What the reader would decompress, measured before it does.
    guarded(path, "streams", || streams::check_decoded(&pdf))?.map_err(|why| err(path, why, Some(SMALLER)))?;

    // What a person sees on each page: the text, the shapes marks are read
    // from, the annotations.
    let seen = guarded(path, "drawing", || seen::pages(&pdf, pages, started + DEADLINE))?.map_err(|e| match e {
        seen::SeenError::Encrypted => encryption_error(path),
        seen::SeenError::Deadline(page) => {
            err(path, format!("reading the PDF took over {}s (stopped at page {page})", DEADLINE.as_secs()), None)
        }
        seen::SeenError::Other(e) => err(
            path,
            format!("kaiji cannot tell what this PDF shows a person: {e}"),
            Some("re-save or print the PDF to a new file and try again"),
        ),
    })?;
    // one entry a page: check_page_tree has made sure the reader reads
    // every page the tree lists, and seen::pages fails rather than skip one
    debug_assert_eq!(seen.len(), pages);
    let mut page_lines: Vec<Vec<Line>> = Vec::with_capacity(pages);
    let mut hidden: Vec<HiddenText> = Vec::new();
    for (p, page_seen) in seen.iter().enumerate().take(pages) {
        let chars = &page_seen.text;
        if chars.len() > MAX_GLYPHS_PER_PAGE {
            return Err(err(
                path,
                format!(
                    "page {} has {} glyphs; a sheet page has far fewer than {MAX_GLYPHS_PER_PAGE}",
                    p + 1,
                    chars.len()
                ),
                None,
            ));
        }
        let mut glyphs = Vec::with_capacity(chars.len());
        for c in chars {
            if !c.visible {
                // not read: noted for the account, a line at a time
                if !c.c.is_whitespace() {
                    note_hidden_char(&mut hidden, p as u32 + 1, c.c, c.x, c.y, c.size);
                }
                continue;
            }
            glyphs.push(Glyph {
                c: c.c,
                bbox: BBox { x0: c.x, y0: c.y, x1: c.x + c.width, y1: c.y + c.size },
                y: c.y,
                size: c.size,
                rgb: c.rgb,
            });
        }
        page_lines.push(layout::lines(p as u32 + 1, glyphs));
        if page_seen.shapes.len() > MAX_PATHS_PER_PAGE {
            return Err(err(
                path,
                format!(
                    "page {} has {} drawn paths; a sheet page has far fewer than {MAX_PATHS_PER_PAGE}",
                    p + 1,
                    page_seen.shapes.len()
                ),
                None,
            ));
        }
    }
    let widgets = if memchr::memmem::find(bytes, b"/AcroForm").is_some() {
        form_widgets(bytes, path, pages)?
    } else {
        vec![Vec::new(); pages]
    };
    // The title, before page headers are dropped (it is one of them).
    let title = page_lines.first().and_then(|p| p.iter().take(3).map(Line::text).find(|t| super::is_title(t)));
    layout::drop_repeated(&mut page_lines);
    let title = title.filter(|t| !page_lines.first().is_some_and(|p| p.iter().any(|l| l.text() == *t)));

    // Hand the pages over as lines, question rows with their marks.
    let rows: Vec<Vec<layout::RowLines>> = page_lines.iter().map(|l| layout::rows(l)).collect();
    let only_word_doc = only_word_document(&page_lines, &rows);
    let mut text = String::new();
    let mut infos: Vec<LineInfo> = Vec::new();
    for (p, lines) in page_lines.iter().enumerate() {
        let mut in_row = vec![None; lines.len()];
        for (r, row) in rows[p].iter().enumerate() {
            for &m in &row.members {
                in_row[m] = Some(r);
            }
        }
        for (i, line) in lines.iter().enumerate() {
            let page = p as u32 + 1;
            match in_row[i] {
                Some(r) if rows[p][r].anchor == i => {
                    let row = &rows[p][r];
                    let (synth, info) = question_line(lines, row, &seen[p], &widgets[p], only_word_doc, page);
                    text.push_str(&synth);
                    infos.push(info);
                }
                Some(_) => continue,
                None => {
                    text.push_str(&line.text());
                    infos.push(LineInfo { page, ..LineInfo::default() });
                }
            }
            text.push('\n');
        }
    }

    if let Some(t) = title.filter(|_| keep_title) {
        text.insert_str(0, &format!("{t}\n"));
        infos.insert(0, LineInfo { page: 1, ..LineInfo::default() });
    }
    let no_text = page_lines.iter().all(Vec::is_empty);
    if no_text && no_xref {
        // Not "a scanned image?": the structure is broken, so the text may
        // simply be missing from what is left of the file.
        return Err(err(
            path,
            "the PDF is damaged: it has no cross-reference data (no startxref before %%EOF) and no text \
             could be read from it: it was probably cut short",
            Some("download or export the PDF again"),
        ));
    }
    let layers_off = layers_off(&pdf);
    Ok(PageText { text, infos, no_text, hidden, layers_off })
}

/// The names of the optional-content layers a viewer shows off (those the
/// default configuration lists as off, or all but those it lists as on).
fn layers_off(pdf: &Pdf) -> Vec<String> {
    use hayro_interpret::hayro_syntax::object::{Array, Dict, Name, ObjRef, String as PdfString};
    let xref = pdf.xref();
    if !xref.has_optional_content_groups() {
        return Vec::new();
    }
    let Some(catalog) = xref.get::<Dict<'_>>(xref.root_id()) else { return Vec::new() };
    let Some(props) = catalog.get::<Dict<'_>>(b"OCProperties".as_slice()) else { return Vec::new() };
    let config = props.get::<Dict<'_>>(b"D".as_slice());
    let refs = |d: Option<&Dict<'_>>, key: &[u8]| -> Vec<ObjRef> {
        d.and_then(|d| d.get::<Array<'_>>(key))
            .map(|a| a.raw_iter().take(1_000).filter_map(|o| o.as_obj_ref()).collect())
            .unwrap_or_default()
    };
    let base_off =
        config.as_ref().and_then(|d| d.get::<Name<'_>>(b"BaseState".as_slice())).is_some_and(|n| n.as_ref() == b"OFF");
    let off: Vec<ObjRef> = if base_off {
        let on = refs(config.as_ref(), b"ON");
        refs(Some(&props), b"OCGs").into_iter().filter(|r| !on.contains(r)).collect()
    } else {
        refs(config.as_ref(), b"OFF")
    };
    off.into_iter()
        .take(20)
        .map(|r| {
            xref.get::<Dict<'_>>(r.into())
                .and_then(|g| g.get::<PdfString<'_>>(b"Name".as_slice()))
                .map(|n| crate::text::printable_line(&seen::decode_text_string(n.as_bytes())).into_owned())
                .unwrap_or_else(|| format!("object {}", r.obj_number))
        })
        .collect()
}

/// What [`check_page_tree`] found wrong.
enum PageTreeProblem {
    /// More than this many pages (a sheet is not that long; not damage).
    TooManyPages(usize),
    /// Why the tree cannot be read.
    Damaged(String),
}

/// Walk the page tree as a check of what the reader made of it: a tree
/// that loops back on itself, is absurdly deep or wide, or has a page that
/// cannot be read, or one whose size no page has, is a damaged file, and
/// refused with the page a person would look at (pages are counted in
/// document order). Returns the number of pages.
fn check_page_tree(pdf: &Pdf, bytes: &[u8]) -> Result<usize, PageTreeProblem> {
    use hayro_interpret::hayro_syntax::object::{Array, Dict, MaybeRef, Object, ObjectIdentifier};
    let damaged = |why: String| PageTreeProblem::Damaged(why);
    let xref = pdf.xref();
    let catalog = xref.get::<Dict<'_>>(xref.root_id()).ok_or_else(|| damaged("its catalog cannot be read".into()))?;
    let Some(root) = catalog.get_ref(b"Pages".as_slice()) else {
        return Err(damaged("its catalog has no page tree".into()));
    };
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(root, 0usize)];
    let mut leaves = 0usize;
    while let Some((r, depth)) = stack.pop() {
        if !seen.insert(r) {
            return Err(damaged("its page tree loops back on itself".into()));
        }
        if depth > MAX_PAGE_TREE_DEPTH {
            return Err(damaged(format!("its page tree is over {MAX_PAGE_TREE_DEPTH} levels deep")));
        }
        // Within the page limit every node is a page or holds some; far
        // more nodes than pages is no page tree a writer makes.
        if seen.len() > 4 * MAX_PAGES + 64 {
            return Err(damaged(format!("its page tree has over {} nodes for {leaves} pages", 4 * MAX_PAGES + 64)));
        }
        let Some(node) = xref.get::<Dict<'_>>(ObjectIdentifier::from(r)) else {
            let page = leaves + 1;
            return Err(damaged(unreadable_page(bytes, r.obj_number, r.gen_number, page)));
        };
        if let Some(media) = node.get::<Array<'_>>(b"MediaBox".as_slice()) {
            let sane = media.iter::<f64>().count() == 4
                && media.iter::<f64>().all(|v| v.is_finite() && v.abs() <= MAX_PAGE_COORDINATE);
            if !sane {
                return Err(damaged(unreadable_page(bytes, r.obj_number, r.gen_number, leaves + 1)));
            }
        }
        match node.get::<Array<'_>>(b"Kids".as_slice()) {
            // Reversed onto the stack, so they are taken in order.
            Some(kids) => {
                let refs: Vec<_> = kids
                    .raw_iter()
                    .take(4 * MAX_PAGES + 64)
                    .filter_map(|k: MaybeRef<Object<'_>>| k.as_obj_ref())
                    .collect();
                stack.extend(refs.into_iter().rev().map(|k| (k, depth + 1)));
            }
            None => leaves += 1,
        }
        if leaves > MAX_PAGES {
            return Err(PageTreeProblem::TooManyPages(MAX_PAGES));
        }
    }
    let read = pdf.pages().len();
    if read != leaves {
        return Err(damaged(format!("its page tree lists {leaves} pages, of which {read} can be read")));
    }
    Ok(leaves)
}

/// Why page `page` (object `id gen`) could not be read: its size when its
/// MediaBox is what broke it (a number PDF cannot hold, or one no page
/// has), else that the page's object is damaged. Looked for in the file's
/// bytes, as the parser gave up on them.
fn unreadable_page(bytes: &[u8], id: u32, generation: i32, page: usize) -> String {
    let header = format!("{id} {generation} obj");
    let object = memchr::memmem::find_iter(bytes, header.as_bytes())
        .find(|&at| at == 0 || bytes[at - 1].is_ascii_whitespace())
        .map(|at| {
            let rest = &bytes[at..bytes.len().min(at + 64 * 1024)];
            &rest[..memchr::memmem::find(rest, b"endobj").unwrap_or(rest.len())]
        });
    let media = object.and_then(|o| {
        let at = memchr::memmem::find(o, b"/MediaBox")?;
        let rest = &o[at + 9..];
        let open = rest.iter().position(|&b| b == b'[')?;
        let close = rest[open..].iter().position(|&b| b == b']')? + open;
        Some(String::from_utf8_lossy(&rest[open + 1..close]).split_whitespace().collect::<Vec<_>>().join(" "))
    });
    // a number as PDF writes it, of a size a page can have
    let sane = |t: &str| {
        t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'))
            && t.parse::<f64>().is_ok_and(|v| v.abs() <= MAX_PAGE_COORDINATE)
    };
    match media {
        Some(m) if !m.split(' ').all(sane) => {
            let m = crate::text::printable_line(&m).chars().take(80).collect::<String>();
            format!("page {page} has an impossible size (MediaBox [{m}])")
        }
        _ => format!("page {page} cannot be read (its object {id} {generation} is not a valid page)"),
    }
}

/// Whether the file's last `startxref` points at cross-reference data (an
/// `xref` table or an `N G obj` xref stream). The reader would rebuild a
/// broken table by scanning, but a file damaged there may be damaged
/// elsewhere too, and a wrong answer is worse than a refusal.
fn broken_xref(bytes: &[u8]) -> Option<String> {
    static OBJ: LazyLock<regex::bytes::Regex> =
        LazyLock::new(|| regex::bytes::Regex::new(r"^\s*[0-9]+\s+[0-9]+\s+obj").expect("valid regex"));
    let from = bytes.len().saturating_sub(2048);
    let at = memchr::memmem::rfind(&bytes[from..], b"startxref")? + from;
    let rest = &bytes[at + 9..];
    let digits: String = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    let Ok(offset) = digits.parse::<usize>() else {
        return Some("startxref gives no offset".into());
    };
    let Some(target) = bytes.get(offset..) else {
        return Some(format!("startxref points past the end of the file, to byte {offset}"));
    };
    let target = &target[..target.len().min(64)];
    let ok = target.starts_with(b"xref") || OBJ.is_match(target);
    (!ok).then(|| format!("startxref points to byte {offset}, which holds none"))
}

static LINE_REF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bline (\d+)\b").expect("valid regex"));

fn encryption_error(path: &str) -> ImportError {
    err(
        path,
        "the PDF is encrypted (password-protected); kaiji cannot read its content",
        Some("open it with the password and save or print an unprotected copy, then import that"),
    )
}

fn damaged(path: &str, e: &str) -> ImportError {
    err(path, format!("the PDF is damaged: {e}"), Some("re-save or re-export the PDF and try again"))
}

/// Whether rows print just the chosen word: most rows with choice words
/// have exactly one.
fn only_word_document(lines: &[Vec<Line>], rows: &[Vec<layout::RowLines>]) -> bool {
    let counts: Vec<usize> = lines
        .iter()
        .zip(rows)
        .flat_map(|(l, rs)| rs.iter().map(move |r| l[r.anchor].cells.iter().filter(|c| c.choice().is_some()).count()))
        .filter(|n| *n > 0)
        .collect();
    let single = counts.iter().filter(|n| **n == 1).count();
    counts.len() >= 3 && single * 10 >= counts.len() * 8
}

/// One question row as a line for the text importer, and what was seen.
fn question_line(
    lines: &[Line],
    row: &layout::RowLines,
    page_seen: &seen::PageSeen,
    widgets: &[Widget],
    only_word_doc: bool,
    page: u32,
) -> (String, LineInfo) {
    let anchor = &lines[row.anchor];
    let tail = anchor.tail_at().unwrap_or(anchor.cells.len());
    let words: Vec<(usize, Word)> = anchor.cells[tail..]
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.choice().map(|a| (tail + k, Word { answer: a, bbox: c.bbox, rgb: c.rgb })))
        .collect();
    let glyphs: Vec<_> = anchor.cells.iter().flat_map(|c| c.marks.iter().copied()).collect();
    let plain: Vec<Word> = words.iter().map(|(_, w)| w.clone()).collect();
    let drawn = marks::Drawn { shapes: &page_seen.shapes, widgets, annots: &page_seen.annots };
    let (evidence, annotated) = marks::read_row(&plain, &glyphs, &drawn, only_word_doc);
    let mut info = LineInfo { page, annotated, ..LineInfo::default() };
    let mut seen =
        RowMarks { printed: plain.iter().map(|w| w.answer).collect(), only_word: only_word_doc, ..RowMarks::default() };
    match &evidence {
        Evidence::One { word, kinds } => {
            info.chosen = Some((words[*word].1.bbox, kinds.clone()));
            seen.marked.push(words[*word].1.answer);
        }
        Evidence::Ambiguous(why) => seen.doubt = Some(why.clone()),
        Evidence::None => {}
    }
    info.marks = Some(seen);
    let mut out = layout::row_text(lines, row);
    for c in &anchor.cells[tail..] {
        out.push('\t');
        out.push_str(&c.text);
    }
    (out, info)
}

/// Whether a widget's appearance in `state` draws anything: a checkbox whose
/// "on" appearance is empty shows as unchecked. A widget without an
/// appearance dictionary is drawn by the viewer from its state.
fn appearance_shows(doc: &lopdf::Document, widget: &lopdf::Dictionary, state: Option<&[u8]>) -> bool {
    use lopdf::Object;
    let deref = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(r) => doc.get_object(*r).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let Some(ap) = widget.get(b"AP").ok().and_then(deref) else { return true };
    let Some(normal) = ap.as_dict().ok().and_then(|ap| ap.get(b"N").ok()).and_then(deref) else { return true };
    let stream = match (&normal, state) {
        (Object::Stream(s), _) => s.clone(),
        (Object::Dictionary(states), Some(state)) => {
            match states.get(state).ok().and_then(deref) {
                Some(Object::Stream(s)) => s,
                // no appearance for the state it claims: nothing is drawn
                _ => return false,
            }
        }
        _ => return false,
    };
    let content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    // painting operators: fill, stroke, text, an XObject, a shading
    let text = String::from_utf8_lossy(&content[..content.len().min(64 * 1024)]).into_owned();
    text.split_whitespace().any(|op| {
        matches!(op, "f" | "F" | "f*" | "S" | "s" | "B" | "B*" | "b" | "b*" | "Tj" | "TJ" | "'" | "\"" | "Do" | "sh")
    })
}

/// Checkbox and radio widgets per page, with their on/off state (AcroForm).
fn form_widgets(bytes: &[u8], path: &str, pages: usize) -> Result<Vec<Vec<Widget>>, ImportError> {
    use lopdf::Object;
    let mut out = vec![Vec::new(); pages];
    let Ok(Ok(doc)) = catch_unwind(AssertUnwindSafe(|| lopdf::Document::load_mem(bytes))) else {
        // the text was read; only the fields are lost
        return Ok(out);
    };
    let read = catch_unwind(AssertUnwindSafe(|| {
        let mut n = 0;
        for (p, page_id) in doc.get_pages().into_values().enumerate().take(pages) {
            let Ok(page) = doc.get_dictionary(page_id) else { continue };
            let annots = match page.get(b"Annots") {
                Ok(Object::Array(a)) => a.clone(),
                Ok(Object::Reference(r)) => doc.get_object(*r).and_then(Object::as_array).cloned().unwrap_or_default(),
                _ => continue,
            };
            for a in annots {
                n += 1;
                if n > MAX_WIDGETS {
                    return Err(());
                }
                let dict = match &a {
                    Object::Reference(r) => doc.get_dictionary(*r).ok(),
                    Object::Dictionary(d) => Some(d),
                    _ => None,
                };
                let Some(d) = dict else { continue };
                if d.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Widget".as_slice()) {
                    continue;
                }
                // the field type may sit on the parent (radio groups)
                let ft = d.get(b"FT").ok().or_else(|| {
                    d.get(b"Parent")
                        .and_then(Object::as_reference)
                        .and_then(|r| doc.get_dictionary(r))
                        .ok()?
                        .get(b"FT")
                        .ok()
                });
                if ft.and_then(|f| f.as_name().ok()) != Some(b"Btn".as_slice()) {
                    continue;
                }
                let Ok(rect) = d.get(b"Rect").and_then(Object::as_array) else { continue };
                let v: Vec<f32> = rect.iter().filter_map(|o| o.as_float().ok()).collect();
                let [a, b, c, e] = v[..] else { continue };
                // a widget a viewer does not show (Invisible, Hidden, NoView) marks nothing
                let flags = d.get(b"F").and_then(Object::as_i64).unwrap_or(0);
                if flags & (1 | 2 | 32) != 0 {
                    continue;
                }
                let state = match d.get(b"AS").and_then(Object::as_name) {
                    Ok(state) => Some(state.to_vec()),
                    Err(_) => d.get(b"V").and_then(Object::as_name).ok().map(<[u8]>::to_vec),
                };
                let on = state.as_ref().is_some_and(|s| s != b"Off") && appearance_shows(&doc, d, state.as_deref());
                out[p].push(Widget { rect: BBox { x0: a.min(c), y0: b.min(e), x1: a.max(c), y1: b.max(e) }, on });
            }
        }
        Ok(())
    }));
    match read {
        Ok(Ok(())) => Ok(out),
        Ok(Err(())) => {
            Err(err(path, format!("the PDF has over {MAX_WIDGETS} form widgets; a sheet has far fewer"), None))
        }
        Err(_) => Err(err(path, "the PDF is damaged: reading its form fields failed", None)),
    }
}

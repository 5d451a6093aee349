//! The workbook importer (.xlsx/.xlsm/.xls/.xlsb/.ods through calamine).
//!
//! Vendors' workbooks differ, so the layout is found from the content:
//! the question column is the one whose cells match the form's questions
//! (the id column the one holding its ids), the header row above the first
//! question names the other columns — one column per choice (はい/いいえ/
//! 対象外/該当/非該当) marked with ○/●/✓/x/1, or one 回答 column holding the
//! word — and the 備考 column holds remark numbers or free text (an inline
//! note). Remarks come from a 備考記載欄 block below the questions or from a
//! worksheet named like 備考. Merged cells are filled from their top-left
//! value; blank spacer rows are skipped.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Range, Reader, Sheets};

use super::rules::{Decision, Readings, Seen, Settled, decide};
use super::view::{Parts, SheetView};
use super::{
    HeaderField, ImportError, ImportReport, Imported, Matcher, Miss, Unread, excerpt, header_label, is_title,
    parse_citations, plain_text, set_header_field,
};
use super::{ods_view, xlsb_view, xlsx_view};
use crate::form::Form;
use crate::sheet::{Answer, AnswerValue, DocAnswer, SheetDoc};
use crate::text::{match_key, normalize};

/// The worksheet `kaiji export` adds for answers its 回答 column cannot
/// hold (a word that is no answer, an id the form does not have). Read for
/// those only: no answer of the form is taken from it.
pub const REVIEW_SHEET: &str = "要確認";

/// Work bounds: a worksheet's used range can claim a million rows.
const MAX_ROWS: usize = 20_000;
const MAX_COLS: usize = 200;
/// Rows scanned for the layout, and the longest cell taken as question text.
const SCAN_ROWS: usize = 2_000;
const MAX_QUESTION_CHARS: usize = 400;
const GIVE_UP_AFTER_ROWS: usize = 300;

/// Bounds on what a workbook may unpack to, checked from the zip before
/// calamine opens it: a few KiB of zip can claim (or really hold) GiBs of
/// XML. A real disclosure workbook unpacks to well under 5 MiB.
pub mod limits {
    /// One part (a worksheet's XML, the styles ...), unpacked.
    pub const PART: u64 = 32 << 20;
    /// The shared strings part: calamine holds every string in memory.
    pub const SHARED_STRINGS: u64 = 16 << 20;
    /// All parts together, unpacked.
    pub const UNPACKED: u64 = 128 << 20;
    /// Strings the shared-strings table may declare (calamine reserves room
    /// for the declared count up front).
    pub const SHARED_STRING_COUNT: u64 = 1_000_000;
    /// Non-empty cells read from the whole workbook (a form is ~2,000).
    pub const CELLS: usize = 1_000_000;
    /// Bytes of cell text read from the whole workbook: one long shared
    /// string referenced by every cell is copied once per cell.
    pub const CELL_TEXT: usize = 64 << 20;
}

/// Import workbook bytes.
pub fn import_bytes(bytes: &[u8], form: &Form, path: &str) -> Result<Imported, ImportError> {
    import_bytes_with(bytes, form, path, None)
}

/// Import workbook bytes, reading the form from worksheet `sheet` when given
/// (see [`ImportOptions::sheet`](super::ImportOptions::sheet)).
pub fn import_bytes_with(bytes: &[u8], form: &Form, path: &str, sheet: Option<&str>) -> Result<Imported, ImportError> {
    let unreadable = |detail: String| ImportError::Unrecognised {
        path: path.to_string(),
        message: format!("not a workbook kaiji can read ({detail})"),
        help: Some(
            "kaiji reads .xlsx, .xlsm, .xls, .xlsb and .ods workbooks; for text extracted from a PDF use --from text"
                .into(),
        ),
    };
    let too_big = |message: String| ImportError::Unrecognised {
        path: path.to_string(),
        message,
        help: Some(
            "a disclosure workbook is small; this one is not a sheet kaiji can import (save the sheet again, \
             or export the sheet's worksheet alone)"
                .into(),
        ),
    };
    // Which rows and columns a person does not see cannot be told: refused,
    // never read as if they all showed (fail closed: the account's list of
    // what was skipped would otherwise miss what a vendor hid).
    let unseen = |detail: String| ImportError::Unrecognised {
        path: path.to_string(),
        message: format!("which of its rows and columns are hidden cannot be told: {detail}"),
        help: Some(
            "kaiji reads only what a person sees of a workbook; open it in Excel or LibreOffice, check what it \
             shows, save it again (as .xlsx if you can) and import that"
                .into(),
        ),
    };
    check_parts(bytes).map_err(too_big)?;
    // an .xls: bounded before calamine loads it, formulas emptied in the copy it gets
    let xls = super::xls_bounds::check(bytes).map_err(|r| match r {
        super::xls_bounds::Refusal::TooBig(m) => too_big(m),
        super::xls_bounds::Refusal::Damaged(m) => unreadable(m),
    })?;
    let (bytes, xls_views) = match xls {
        Some(x) => (x.copy.map_or(std::borrow::Cow::Borrowed(bytes), std::borrow::Cow::Owned), Some(x.views)),
        None => (std::borrow::Cow::Borrowed(bytes), None),
    };
    let bytes: &[u8] = &bytes;
    // an .xlsb: read before calamine opens it, which refuses what calamine
    // would panic on
    let xlsb_damaged = |e: String| unreadable(format!("the .xlsb is damaged: {e}"));
    let xlsb_views = match Parts::new(bytes) {
        Some(mut parts) => {
            xlsb_view::check_open(&mut parts).map_err(xlsb_damaged)?;
            if xlsb_view::is_xlsb(&parts) {
                Some(xlsb_view::sheet_views(&mut parts).map_err(xlsb_damaged)?)
            } else {
                None
            }
        }
        None => None,
    };
    let mut wb = guarded(path, || calamine::open_workbook_auto_from_rs(Cursor::new(bytes)))?
        .map_err(|e| unreadable(e.to_string()))?;
    let mut report = ImportReport { questions: form.len(), ..ImportReport::default() };
    let meta: Vec<(String, bool)> =
        wb.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible == calamine::SheetVisible::Visible)).collect();
    // calamine reads one of two worksheets of the same name for both: which
    // one a person sees could not be told (Excel and LibreOffice never save
    // two sheets of one name)
    let mut names = std::collections::HashSet::new();
    if let Some((dup, _)) = meta.iter().find(|(n, _)| !names.insert(n.as_str())) {
        return Err(unreadable(format!(
            "it has two worksheets named 「{}」; Excel and LibreOffice never save such a workbook",
            crate::text::printable_line(dup)
        )));
    }
    // What each worksheet shows: hidden rows, columns and formulas
    // (calamine reads none of it), from the format's own structures.
    let mut views: HashMap<String, SheetView> = match &wb {
        Sheets::Xlsx(_) => sheet_views(bytes),
        Sheets::Xlsb(_) => xlsb_views.unwrap_or_default(),
        Sheets::Ods(_) => match Parts::new(bytes) {
            Some(mut parts) => ods_view::sheet_views(&mut parts).map_err(unseen)?,
            None => HashMap::new(),
        },
        Sheets::Xls(_) => match xls_views {
            Some(v) if v.len() == meta.len() => meta.iter().map(|(n, _)| n.clone()).zip(v).collect(),
            _ => HashMap::new(),
        },
    };
    let sheets = meta;
    let mut grids = Vec::new();
    let mut budget = Budget { cells: limits::CELLS, text: limits::CELL_TEXT };
    let mut carried = None;
    for (name, visible) in sheets {
        if name == crate::sheet::EVIDENCE_SHEET {
            // kaiji's own: the vendor document's provenance, not content
            if let Ok(range) = guarded(path, || wb.worksheet_range(&name))? {
                carried = Some(carried_evidence(&range_cells(&range, &mut budget).unwrap_or_default()));
            }
            continue;
        }
        if !visible {
            report.note_hidden(format!("worksheet 「{name}」"), "a hidden worksheet".into());
            continue;
        }
        // Cells are read one by one where calamine can (xlsx, xlsb): a
        // range is dense, and one cell at XFD1048576 made it 17 billion cells.
        let cells = guarded(path, || match &mut wb {
            Sheets::Xlsx(x) => x
                .worksheet_cells_reader(&name)
                .map_err(|e| Unreadable::Sheet(e.to_string()))
                .and_then(|mut r| collect_cells(|| r.next_cell().map_err(|e| e.to_string()), &mut budget)),
            Sheets::Xlsb(x) => x
                .worksheet_cells_reader(&name)
                .map_err(|e| Unreadable::Sheet(e.to_string()))
                .and_then(|mut r| collect_cells(|| r.next_cell().map_err(|e| e.to_string()), &mut budget)),
            other => match other.worksheet_range(&name) {
                Ok(range) => range_cells(&range, &mut budget),
                Err(e) => Err(Unreadable::Sheet(e.to_string())),
            },
        })?;
        let mut cells = match cells {
            Ok(c) => c,
            Err(Unreadable::Sheet(e)) => {
                report.warnings.push(format!("worksheet 「{name}」 could not be read: {e}"));
                continue;
            }
            Err(Unreadable::Limit(message)) => return Err(too_big(format!("worksheet 「{name}」: {message}"))),
        };
        let Some(view) = views.remove(&name) else {
            return Err(unseen(format!(
                "the rows and columns of worksheet 「{}」 could not be found in the file",
                crate::text::printable_line(&name)
            )));
        };
        let styles = match &mut wb {
            Sheets::Xlsx(x) => guarded(path, || x.worksheet_style(&name))?.ok(),
            _ => None,
        };
        drop_unseen(&name, &mut cells, &view, styles.as_ref(), &mut report);
        let merges = guarded(path, || match &mut wb {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        })?;
        grids.push(Grid::new(name, cells, &merges, &view));
    }
    let mut imported = Importer::new(form, report).run(&grids, path, sheet)?;
    // Carried only where the vendor's document gave answers: a workbook
    // filled in from a sheet whose marks were all lost is the person's own
    // reading, with its cells as evidence.
    if let Some((source, evidence)) = carried.flatten().filter(|(_, e)| !e.is_empty()) {
        imported.report.warnings.push(format!(
            "the workbook carries the evidence of {} ({}, SHA-256 {}…): where each answer was first read; \
             answers changed since show as changed-after-import",
            source.file,
            source.format,
            source.sha256.get(..12).unwrap_or(&source.sha256)
        ));
        imported.doc.source = Some(source);
        imported.doc.evidence = evidence.into_iter().filter(|e| form.index_of(&e.id).is_some()).collect();
    }
    Ok(imported)
}

/// The `[source]` and `[evidence]` `kaiji export` wrote to its
/// [`EVIDENCE_SHEET`](crate::sheet::EVIDENCE_SHEET); `None` unless the
/// source row is whole (a damaged or hand-made sheet is ignored).
fn carried_evidence(cells: &Cells) -> Option<(crate::sheet::DocSource, Vec<crate::sheet::DocEvidence>)> {
    let mut rows: std::collections::BTreeMap<u32, Vec<(u32, &str)>> = Default::default();
    for ((r, c), v) in cells {
        rows.entry(*r).or_default().push((*c, v.as_str()));
    }
    let cell = |row: &[(u32, &str)], c: u32| row.iter().find(|(k, _)| *k == c).map(|(_, v)| v.to_string());
    let mut source = None;
    let mut evidence = Vec::new();
    for row in rows.values() {
        match cell(row, 0).as_deref() {
            Some("source") => {
                let s = crate::sheet::DocSource { file: cell(row, 1)?, sha256: cell(row, 2)?, format: cell(row, 3)? };
                let ok = s.sha256.len() == 64
                    && s.sha256.bytes().all(|b| b.is_ascii_hexdigit())
                    && crate::sheet::SOURCE_FORMATS.contains(&s.format.as_str());
                source = ok.then_some(s);
            }
            Some("evidence") => {
                let (Some(id), Some(read), Some(at)) = (cell(row, 1), cell(row, 2), cell(row, 3)) else { continue };
                let by = cell(row, 4).filter(|b| crate::sheet::EVIDENCE_KINDS.contains(&b.as_str()));
                evidence.push(crate::sheet::DocEvidence { id, read, at, by });
            }
            _ => {}
        }
    }
    Some((source?, evidence))
}

/// Run a call into calamine, turning a panic on a hostile workbook into an
/// error (what is known to make it panic is refused before: xls_bounds,
/// xlsb_view; this is for what is not known yet).
fn guarded<T>(path: &str, f: impl FnOnce() -> T) -> Result<T, ImportError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| ImportError::Unrecognised {
        path: path.to_string(),
        message: "the workbook is damaged: reading it failed".into(),
        help: Some("open it in Excel or LibreOffice and save it again, then import that".into()),
    })
}

/// Each worksheet's [`SheetView`], by sheet name, from an xlsx's zip (a
/// worksheet whose part cannot be found or read is left out).
fn sheet_views(bytes: &[u8]) -> HashMap<String, SheetView> {
    let Some(mut zip) = Parts::new(bytes) else { return HashMap::new() };
    let parts = xlsx_view::sheet_parts(&mut zip);
    let mut out = HashMap::new();
    for (name, part) in parts {
        if let Some(xml) = zip.read(&part) {
            out.insert(name, xlsx_view::scan_sheet(&xml));
        }
    }
    out
}

/// Drop the cells a person does not see — in a hidden row or column, or
/// text the colour of its background or too small to read — noting each
/// hidden row, column and cell in the account.
fn drop_unseen(
    sheet: &str,
    cells: &mut Cells,
    view: &SheetView,
    styles: Option<&calamine::StyleRange>,
    report: &mut ImportReport,
) {
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    let mut cols: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    cells.retain(|(pos, text)| {
        if view.row_hidden(pos.0) {
            rows.entry(pos.0).or_default().push(text.clone());
            return false;
        }
        if view.hides(*pos) {
            cols.entry(pos.1).or_default().push(text.clone());
            return false;
        }
        if let Some(why) = styles.and_then(|s| s.get(*pos)).and_then(xlsx_view::invisible_style) {
            let place = format!("{sheet}!{}{}", column_name(pos.1 as usize), pos.0 + 1);
            report.note_hidden(place, format!("{why}: 「{}」", excerpt(text, 20)));
            return false;
        }
        true
    });
    for (r, texts) in rows {
        report.note_hidden(
            format!("{sheet} row {} (hidden row)", r + 1),
            format!("「{}」", excerpt(&texts.join(" "), 40)),
        );
    }
    for (c, texts) in cols {
        let place = format!("{sheet} column {} (hidden column)", column_name(c as usize));
        report.note_hidden(place, format!("「{}」", excerpt(&texts.join(" "), 40)));
    }
}

/// Refuse a zip-based workbook (xlsx, xlsm, xlsb, ods) whose parts unpack
/// to more than [`limits`] allow, by the sizes the zip declares and by the
/// bytes they really unpack to (a zip can declare less than it holds).
/// Anything that is not a readable zip is left to calamine to report. A zip
/// is found by its directory at the end, whatever comes before it (calamine
/// opens a zip after 20 KB of something else: a fuzz input), so every file
/// is tried as one.
fn check_parts(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let show = crate::walk::show_size;
    let mut declared = 0u64;
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{i}"));
        let shared = name.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case("sharedStrings.xml"));
        let limit = if shared { limits::SHARED_STRINGS } else { limits::PART };
        let over =
            |size: u64| format!("part {name} unpacks to {size} bytes; the limit for one part is {}", show(limit));
        if part.size() > limit {
            return Err(over(part.size()));
        }
        declared = declared.saturating_add(part.size());
        if declared > limits::UNPACKED {
            return Err(format!("the workbook's parts unpack to more than {}", show(limits::UNPACKED)));
        }
        let mut head = Vec::new();
        let mut reader = (&mut part).take(limit + 1);
        if shared {
            // The table's declared string count is in its first tag.
            (&mut reader)
                .take(4096)
                .read_to_end(&mut head)
                .map_err(|e| format!("part {name} cannot be unpacked: {e}"))?;
            if let Some(n) = declared_count(&head)
                && n > limits::SHARED_STRING_COUNT
            {
                return Err(format!(
                    "part {name} declares {n} shared strings; the limit is {}",
                    limits::SHARED_STRING_COUNT
                ));
            }
        }
        let n = if name == "content.xml" {
            // ODS: calamine expands repeated rows and columns into a dense
            // range, so a few bytes can ask for billions of cells.
            let mut xml = head;
            reader.read_to_end(&mut xml).map_err(|e| format!("part {name} cannot be unpacked: {e}"))?;
            let cells = ods_dense_cells(&xml);
            if cells > limits::CELLS as u64 {
                return Err(format!(
                    "its repeated rows and columns expand to {cells} cells; the limit is {}",
                    limits::CELLS
                ));
            }
            xml.len() as u64
        } else {
            std::io::copy(&mut reader, &mut std::io::sink())
                .map_err(|e| format!("part {name} cannot be unpacked: {e}"))?
                + head.len() as u64
        };
        if n > limit {
            return Err(over(n));
        }
        unpacked += n;
        if unpacked > limits::UNPACKED {
            return Err(format!("the workbook's parts unpack to more than {}", show(limits::UNPACKED)));
        }
    }
    Ok(())
}

/// The cells of the dense range calamine builds from an ODS `content.xml`:
/// (rows up to the last one holding a value, repeats counted) × (columns up
/// to the last value in any row). Empty trailing rows and cells, which
/// LibreOffice writes with huge repeat counts, do not count. Linear in the
/// XML; approximate where the XML is odd, never low for repeats.
fn ods_dense_cells(xml: &[u8]) -> u64 {
    use memchr::memmem;
    let repeat = |attrs: &[u8], key: &[u8]| -> u64 {
        memmem::find(attrs, key)
            .map(|at| {
                let digits = attrs[at + key.len()..].iter().take_while(|b| b.is_ascii_digit());
                digits.fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')))
            })
            .unwrap_or(1)
            .max(1)
    };
    let (mut rows, mut last_row, mut width) = (0u64, 0u64, 0u64);
    let mut at = 0;
    while let Some(start) = memmem::find(&xml[at..], b"<table:table-row").map(|i| at + i) {
        let Some(tag_end) = memchr::memchr(b'>', &xml[start..]).map(|i| start + i) else { break };
        let attrs = &xml[start..tag_end];
        let repeats = repeat(attrs, b"table:number-rows-repeated=\"");
        let closed = attrs.ends_with(b"/");
        let body_end = if closed {
            tag_end
        } else {
            memmem::find(&xml[tag_end..], b"</table:table-row>").map_or(xml.len(), |i| tag_end + i)
        };
        let body = &xml[tag_end..body_end];
        let (mut col, mut extent) = (0u64, 0u64);
        let mut c = 0;
        while let Some(cs) = memmem::find(&body[c..], b"<table:").map(|i| c + i) {
            let Some(ce) = memchr::memchr(b'>', &body[cs..]).map(|i| cs + i) else { break };
            let tag = &body[cs..ce];
            c = ce + 1;
            if !(tag.starts_with(b"<table:table-cell") || tag.starts_with(b"<table:covered-table-cell")) {
                continue;
            }
            let n = repeat(tag, b"table:number-columns-repeated=\"");
            let cell_end = if tag.ends_with(b"/") {
                ce
            } else {
                memmem::find(&body[ce..], b"</table:").map_or(body.len(), |i| ce + i)
            };
            let valued = memmem::find(tag, b"office:value-type").is_some()
                || memmem::find(&body[ce..cell_end], b"<text:p").is_some();
            col = col.saturating_add(n);
            if valued {
                extent = col;
            }
        }
        rows = rows.saturating_add(repeats);
        if extent > 0 {
            last_row = rows;
            width = width.max(extent);
        }
        at = body_end.max(tag_end + 1);
    }
    last_row.saturating_mul(width)
}

/// `uniqueCount="N"` of the `<sst>` tag, if the start of the part has one.
fn declared_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let at = text.find("uniqueCount")? + "uniqueCount".len();
    let rest = text[at..].trim_start().strip_prefix('=')?.trim_start();
    let rest = rest.strip_prefix(['"', '\''])?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    // Too many digits for a u64 is too many strings.
    Some(digits.parse().unwrap_or(u64::MAX)).filter(|_| !digits.is_empty())
}

/// Non-empty cells by absolute (row, column), as read.
type Cells = Vec<((u32, u32), String)>;

/// Why a worksheet's cells were not read.
enum Unreadable {
    /// The worksheet is broken: skipped with a warning.
    Sheet(String),
    /// The workbook holds more than kaiji reads: the import fails.
    Limit(String),
}

/// What is left of [`limits::CELLS`] and [`limits::CELL_TEXT`].
struct Budget {
    cells: usize,
    text: usize,
}

impl Budget {
    fn take(&mut self, text_len: usize) -> Result<(), Unreadable> {
        if self.cells == 0 {
            return Err(Unreadable::Limit(format!("the workbook has more than {} non-empty cells", limits::CELLS)));
        }
        if text_len > self.text {
            return Err(Unreadable::Limit(format!(
                "the workbook's cells hold more than {} of text",
                crate::walk::show_size(limits::CELL_TEXT as u64)
            )));
        }
        self.cells -= 1;
        self.text -= text_len;
        Ok(())
    }
}

/// A cell's text, counted against `budget` before it is copied.
fn budgeted_text(v: &DataRef<'_>, budget: &mut Budget) -> Result<String, Unreadable> {
    let text = match v {
        DataRef::Empty => return Ok(String::new()),
        DataRef::SharedString(s) => {
            let s = s.trim();
            budget.take(s.len())?;
            return Ok(s.to_string());
        }
        other => cell_text(&Data::from(other.clone())),
    };
    if !text.is_empty() {
        budget.take(text.len())?;
    }
    Ok(text)
}

/// The non-empty cells a worksheet reader yields, with absolute positions.
fn collect_cells<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, String>,
    budget: &mut Budget,
) -> Result<Cells, Unreadable> {
    let mut cells = Vec::new();
    while let Some(cell) = next().map_err(Unreadable::Sheet)? {
        let text = budgeted_text(cell.get_value(), budget)?;
        if !text.is_empty() {
            cells.push((cell.get_position(), text));
        }
    }
    Ok(cells)
}

/// The non-empty cells of a range (xls, ods: calamine reads no other way).
fn range_cells(range: &Range<Data>, budget: &mut Budget) -> Result<Cells, Unreadable> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    for (r, c, v) in range.used_cells() {
        let text = cell_text(v);
        if !text.is_empty() {
            budget.take(text.len())?;
            cells.push(((r0 + r as u32, c0 + c as u32), text));
        }
    }
    Ok(cells)
}

/// A worksheet as text cells, merged regions filled from their top-left cell.
struct Grid {
    name: String,
    cells: Vec<Vec<String>>,
    width: usize,
    origin: (u32, u32),
    /// Cells (relative) whose value is a formula's cached result.
    formulas: std::collections::HashSet<(usize, usize)>,
}

impl Grid {
    /// The grid of a worksheet's (visible) cells, merged cells filled from
    /// their top-left value — never into a hidden row or column.
    fn new(name: String, cells: Cells, merges: &[Dimensions], view: &SheetView) -> Grid {
        let origin = cells.iter().map(|(p, _)| *p).reduce(|a, b| (a.0.min(b.0), a.1.min(b.1))).unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut width = 0;
        let mut formulas = std::collections::HashSet::new();
        for ((r, c), text) in cells {
            let is_formula = view.formulas.contains(&(r, c));
            let (r, c) = ((r - origin.0) as usize, (c - origin.1) as usize);
            if r >= MAX_ROWS || c >= MAX_COLS {
                continue;
            }
            if rows.len() <= r {
                rows.resize_with(r + 1, Vec::new);
            }
            if rows[r].len() <= c {
                rows[r].resize(c + 1, String::new());
            }
            rows[r][c] = text;
            width = width.max(c + 1);
            if is_formula {
                formulas.insert((r, c));
            }
        }
        let mut g = Grid { name, cells: rows, width, origin, formulas };
        for m in merges {
            let rel = |(r, c): (u32, u32)| {
                (r.checked_sub(origin.0).map(|r| r as usize), c.checked_sub(origin.1).map(|c| c as usize))
            };
            let (Some(r0), Some(c0)) = rel(m.start) else { continue };
            let (Some(r1), Some(c1)) = rel(m.end) else { continue };
            let value = g.get(r0, c0).to_string();
            if value.is_empty() {
                continue;
            }
            let (r1, c1) = (r1.min(g.cells.len().saturating_sub(1)), c1.min(g.width.saturating_sub(1)));
            for (r, row) in g.cells.iter_mut().enumerate().take(r1 + 1).skip(r0) {
                if row.len() <= c1 {
                    row.resize(c1 + 1, String::new());
                }
                for (c, cell) in row.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                    let abs = (origin.0 + r as u32, origin.1 + c as u32);
                    if cell.is_empty() && !view.hides(abs) {
                        cell.clone_from(&value);
                    }
                }
            }
        }
        g
    }

    fn get(&self, r: usize, c: usize) -> &str {
        self.cells.get(r).and_then(|row| row.get(c)).map_or("", String::as_str)
    }

    /// `開示書!C12` (Excel's 1-based A1 notation).
    fn place(&self, r: usize, c: usize) -> String {
        format!("{}!{}{}", self.name, column_name(self.origin.1 as usize + c), self.origin.0 as usize + r + 1)
    }

    fn place_row(&self, r: usize) -> String {
        format!("{} row {}", self.name, self.origin.0 as usize + r + 1)
    }
}

fn column_name(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn cell_text(v: &Data) -> String {
    match v {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// What a column of the question table holds.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    /// A choice column: the words its header names, and its position among the choice columns.
    Choice(Vec<Answer>, usize),
    /// One cell holding the answer word.
    Answer,
    /// Remark numbers (free text there becomes a note).
    Remarks,
    /// Free text.
    Note,
}

/// The layout found on one worksheet.
#[derive(Debug)]
struct Layout {
    text_col: Option<usize>,
    id_col: Option<usize>,
    /// Row of the column headers, if there is one.
    header: Option<usize>,
    /// First row holding a question.
    first: usize,
    roles: Vec<(usize, Role)>,
    /// How many cells of the question (or id) column are the form's.
    hits: usize,
    /// Why the columns cannot be read without a guess (two answer
    /// columns, a choice word headed twice), if so.
    conflict: Option<String>,
    /// Which of two answer columns was read, and why, for the account.
    note: Option<String>,
}

impl Layout {
    /// Two columns that could each hold a question's answer (回答(今回) and
    /// 回答(前回), or a choice word headed twice) are never chosen between
    /// silently: the one headed as current (今回, 最新, 現在) is read and the
    /// account says so; otherwise the layout is refused.
    fn one_answer_column(&mut self, g: &Grid) {
        let head = |c: usize| self.header.map(|h| normalize(g.get(h, c))).unwrap_or_default();
        let place = |c: usize| format!("{} ({})", column_name(g.origin.1 as usize + c), head(c));
        let answers: Vec<usize> = self.roles.iter().filter(|(_, r)| *r == Role::Answer).map(|(c, _)| *c).collect();
        if answers.len() > 1 {
            let current: Vec<usize> = answers
                .iter()
                .copied()
                .filter(|&c| ["今回", "最新", "現在", "current", "今年度"].iter().any(|w| head(c).contains(w)))
                .collect();
            let all: Vec<String> = answers.iter().map(|&c| place(c)).collect();
            if let [keep] = current[..] {
                self.roles.retain(|(c, r)| *r != Role::Answer || *c == keep);
                self.note = Some(format!(
                    "answer columns {}: read column {}, headed as the current answers",
                    all.join(", "),
                    place(keep)
                ));
            } else {
                self.conflict = Some(format!("it has {} answer columns: {}", answers.len(), all.join(", ")));
            }
        }
        let mut seen: Vec<(Answer, usize)> = Vec::new();
        for (c, r) in &self.roles {
            if let Role::Choice(words, _) = r {
                for w in words {
                    if let Some((_, first)) = seen.iter().find(|(s, _)| s == w) {
                        self.conflict =
                            Some(format!("the word 「{w}」 heads two columns, {} and {}", place(*first), place(*c)));
                    }
                    seen.push((*w, *c));
                }
            }
        }
    }
}

struct Importer<'f> {
    m: Matcher<'f>,
    doc: SheetDoc,
    entries: Vec<Option<DocAnswer>>,
    /// Every reading of each question's answer (the cell, what it said).
    readings: Readings<String>,
    /// A word in a 回答 cell that is no answer at all (kept as written,
    /// for `kaiji lint` to report), by form index.
    invalid: Vec<Option<(String, String)>>,
    /// Reading the [`REVIEW_SHEET`]: words that are no answer and ids the
    /// form does not have are taken, nothing else.
    review_only: bool,
    unknown: Vec<DocAnswer>,
    report: ImportReport,
    remarks_raw: Vec<(u32, String)>,
    section_keys: Vec<String>,
}

impl<'f> Importer<'f> {
    fn new(form: &'f Form, report: ImportReport) -> Importer<'f> {
        Importer {
            m: Matcher::new(form),
            doc: SheetDoc::new(&form.id),
            entries: vec![None; form.len()],
            readings: Readings::new(form.len()),
            invalid: vec![None; form.len()],
            review_only: false,
            unknown: Vec::new(),
            report,
            remarks_raw: Vec::new(),
            section_keys: form.questions().iter().map(|q| match_key(&q.section)).collect(),
        }
    }

    fn run(mut self, grids: &[Grid], path: &str, named: Option<&str>) -> Result<Imported, ImportError> {
        let layouts: Vec<Option<Layout>> =
            grids.iter().map(|g| if is_remarks_sheet(&g.name) { None } else { self.layout(g) }).collect();
        let form_sheet = self.form_sheet(grids, &layouts, path, named)?;
        let form_id = self.m.form().id.clone();
        let no_questions = || ImportError::Unrecognised {
            path: path.to_string(),
            message: format!("no worksheet has a column of questions of form {form_id}"),
            help: Some(
                "expected a worksheet laid out like the form: a column of question ids (項番, e.g. 17.1.1) \
                 and/or question texts (質問), with はい/いいえ/対象外 columns marked ○ or a 回答 column, \
                 and a 備考 column; for another form or version pass its catalog with --form-file"
                    .into(),
            ),
        };
        let Some(k) = form_sheet else { return Err(no_questions()) };
        let (g, layout) = (&grids[k], layouts[k].as_ref().expect("the form sheet has a layout"));
        if let Some(why) = &layout.conflict {
            return Err(ImportError::Unrecognised {
                path: path.to_string(),
                message: format!("worksheet 「{}」: {why}", g.name),
                help: Some(
                    "kaiji reads one answer per question and does not choose between columns: delete the \
                     columns that are not this sheet's answers, or head the current one 回答(今回)"
                        .into(),
                ),
            });
        }
        if let Some(note) = &layout.note {
            self.report.warnings.push(format!("worksheet 「{}」: {note}", g.name));
        }
        // The form's worksheet first: its header is the sheet's.
        self.metadata(g, 0..layout.header.unwrap_or(layout.first));
        self.question_rows(g, layout);
        for (g, l) in grids.iter().zip(&layouts).filter(|(g, _)| g.name != grids[k].name) {
            if g.name == REVIEW_SHEET
                && let Some(l) = l
            {
                self.review_only = true;
                self.question_rows(g, l);
                self.review_only = false;
            } else if is_remarks_sheet(&g.name) {
                self.remark_rows(g, 0);
            } else if l.is_none() && !is_example_sheet(&g.name) {
                // a cover sheet with the header, remarks on a sheet of their own
                self.metadata(g, 0..g.cells.len());
                if let Some(r) = find_remarks_marker(g, 0) {
                    self.remark_rows(g, r + 1);
                }
            }
        }
        if self.m.unclaimed().len() == self.m.form().len() {
            return Err(no_questions());
        }
        Ok(self.finish())
    }

    /// Which worksheet is the form: the one named, or the one with most of
    /// the form's questions. A 記入例 (a filled example) never is while
    /// another could be; two that could be are an error naming both, for
    /// `--sheet`. The others are not read for answers, and the account says so.
    fn form_sheet(
        &mut self,
        grids: &[Grid],
        layouts: &[Option<Layout>],
        path: &str,
        named: Option<&str>,
    ) -> Result<Option<usize>, ImportError> {
        let with_questions: Vec<usize> = (0..grids.len()).filter(|&k| layouts[k].is_some()).collect();
        let chosen = if let Some(name) = named {
            let Some(k) = grids.iter().position(|g| g.name == name || normalize(&g.name) == normalize(name)) else {
                let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
                return Err(ImportError::Unrecognised {
                    path: path.to_string(),
                    message: format!("the workbook has no visible worksheet 「{name}」"),
                    help: Some(format!("its visible worksheets: {}", names.join(", "))),
                });
            };
            if layouts[k].is_none() {
                return Err(ImportError::Unrecognised {
                    path: path.to_string(),
                    message: format!("worksheet 「{name}」 has no column of questions of form {}", self.m.form().id),
                    help: None,
                });
            }
            Some(k)
        } else {
            let hits = |k: usize| layouts[k].as_ref().map_or(0, |l| l.hits);
            let (num, den) = super::RECOGNISED_FLOOR;
            let sized: Vec<usize> =
                with_questions.iter().copied().filter(|&k| hits(k) * den >= self.m.form().len() * num).collect();
            let pool: Vec<usize> = if sized.is_empty() { with_questions.clone() } else { sized };
            let real: Vec<usize> = pool.iter().copied().filter(|&k| !is_example_sheet(&grids[k].name)).collect();
            let pool = if real.is_empty() { pool } else { real };
            if pool.len() > 1 && pool.iter().filter(|&&k| hits(k) * den >= self.m.form().len() * num).count() > 1 {
                let names: Vec<String> = pool.iter().map(|&k| format!("「{}」", grids[k].name)).collect();
                return Err(ImportError::Unrecognised {
                    path: path.to_string(),
                    message: format!(
                        "worksheets {} each hold the form's questions; kaiji reads one, and does not guess which",
                        names.join(" and ")
                    ),
                    help: Some(format!("name the vendor's with --sheet, e.g. --sheet '{}'", grids[pool[0]].name)),
                });
            }
            pool.into_iter().max_by_key(|&k| (hits(k), std::cmp::Reverse(k)))
        };
        for &k in &with_questions {
            if Some(k) != chosen && grids[k].name != REVIEW_SHEET {
                let what = if is_example_sheet(&grids[k].name) { "a filled example" } else { "not the form's sheet" };
                self.report.warnings.push(format!(
                    "worksheet 「{}」 also has questions of the form ({what}): no answer was read from it",
                    grids[k].name
                ));
            }
        }
        Ok(chosen)
    }

    fn layout(&self, g: &Grid) -> Option<Layout> {
        let rows = g.cells.len().min(SCAN_ROWS);
        let width = g.width;
        let mut text_hits = vec![0usize; width];
        let mut id_hits = vec![0usize; width];
        let mut first_text = vec![usize::MAX; width];
        let mut first_id = vec![usize::MAX; width];
        for r in 0..rows {
            // the questions start near the top; a sheet without any by then has none
            if r >= GIVE_UP_AFTER_ROWS && text_hits.iter().chain(&id_hits).all(|h| *h == 0) {
                break;
            }
            for c in 0..width {
                let v = g.get(r, c);
                if v.is_empty() || v.chars().count() > MAX_QUESTION_CHARS {
                    continue;
                }
                if self.m.peek_any(v) {
                    text_hits[c] += 1;
                    first_text[c] = first_text[c].min(r);
                } else if self.m.form().index_of(&clean_id(v)).is_some() {
                    id_hits[c] += 1;
                    first_id[c] = first_id[c].min(r);
                }
            }
        }
        // a column header above the first hit
        let headed = |c: usize, first: &[usize], is_header: fn(&str) -> bool| {
            (0..rows.min(first[c])).any(|r| is_header(g.get(r, c)))
        };
        let best = |hits: &[usize], first: &[usize], except: Option<usize>, is_header: fn(&str) -> bool| {
            (0..width)
                .filter(|c| Some(*c) != except)
                .max_by_key(|&c| (hits[c], std::cmp::Reverse(c)))
                .filter(|&c| hits[c] >= 2 || (hits[c] == 1 && headed(c, first, is_header)))
        };
        let text_col = best(&text_hits, &first_text, None, is_text_header);
        // ids in a column of their own; plain numbers 1..N need an id header
        let id_col = best(&id_hits, &first_id, text_col, is_id_header)
            .filter(|&c| text_col.is_some() || headed(c, &first_id, is_id_header));
        if text_col.is_none() && id_col.is_none() {
            return None;
        }
        let first = text_col.map(|c| first_text[c]).into_iter().chain(id_col.map(|c| first_id[c])).min().unwrap_or(0);
        // the header: the nearest row above the first question naming a choice, 回答 or 備考
        let header = (first.saturating_sub(6)..first).rev().find(|&r| {
            (0..width).any(|c| Some(c) != text_col && Some(c) != id_col && header_role(g.get(r, c), 0).is_some())
        });
        let mut roles = Vec::new();
        if let Some(h) = header {
            let mut choice_pos = 0;
            for c in 0..width {
                if Some(c) == text_col || Some(c) == id_col {
                    continue;
                }
                // a two-level header (回答 over はい/いいえ/対象外): the lower row names choices
                let role = header_role(g.get(h, c), choice_pos)
                    .or_else(|| h.checked_sub(1).and_then(|up| header_role(g.get(up, c), choice_pos)));
                if let Some(role) = role {
                    if matches!(role, Role::Choice(..)) {
                        choice_pos += 1;
                    }
                    roles.push((c, role));
                }
            }
        }
        if !roles.iter().any(|(_, r)| matches!(r, Role::Choice(..) | Role::Answer)) {
            // no header names the answer: a column mostly holding answer words is one
            let data: Vec<usize> = (first..rows).collect();
            if let Some(c) = (0..width)
                .filter(|&c| Some(c) != text_col && Some(c) != id_col && !roles.iter().any(|(rc, _)| *rc == c))
                .max_by_key(|&c| data.iter().filter(|&&r| Answer::parse(g.get(r, c)).is_some()).count())
                .filter(|&c| data.iter().filter(|&&r| Answer::parse(g.get(r, c)).is_some()).count() >= 2)
            {
                roles.push((c, Role::Answer));
            }
        }
        roles.sort_by_key(|(c, _)| *c);
        let hits = text_col.map_or(0, |c| text_hits[c]).max(id_col.map_or(0, |c| id_hits[c]));
        let mut layout = Layout { text_col, id_col, header, first, roles, hits, conflict: None, note: None };
        layout.one_answer_column(g);
        Some(layout)
    }

    fn metadata(&mut self, g: &Grid, rows: std::ops::Range<usize>) {
        for r in rows {
            let row = &g.cells[r];
            for (c, cell) in row.iter().enumerate() {
                let Some(field) = header_label(cell) else { continue };
                let Some(value) = row[c + 1..].iter().find(|v| !v.is_empty() && *v != cell) else { continue };
                if field == HeaderField::Form {
                    let v = normalize(value);
                    if v != self.m.form().id {
                        self.report.warnings.push(format!(
                            "{}: the workbook names form 「{v}」; it was read as {} (pass --form {v} to use that form)",
                            g.place(r, c),
                            self.m.form().id
                        ));
                    }
                    continue;
                }
                if let Some(w) = set_header_field(&mut self.doc, field, value) {
                    self.report.warnings.push(format!("{}: {w}", g.place(r, c)));
                }
            }
        }
    }

    fn question_rows(&mut self, g: &Grid, layout: &Layout) {
        self.m.restart();
        let end = find_remarks_marker(g, layout.first).unwrap_or(g.cells.len());
        for r in layout.first..end {
            let text = layout.text_col.map_or("", |c| g.get(r, c));
            let id = layout.id_col.map_or("", |c| g.get(r, c));
            if text.is_empty() && id.is_empty() {
                continue; // spacer row
            }
            let content = self.row_content(g, r, layout);
            let key = match_key(text);
            if !key.is_empty() && self.section_keys.contains(&key) || is_title(text) || is_header_row(text, id) {
                continue;
            }
            match self.locate(text, id) {
                Ok(i) => self.read_row(g, r, i, content),
                // The same question's row again: one more reading of it.
                Err(Miss::Repeat(i)) if !content.is_empty() && self.m.similarity(i, text) >= 0.9 => {
                    self.read_row(g, r, i, content)
                }
                Err(miss) => {
                    let cid = clean_id(id);
                    if text.is_empty() && looks_like_id(&cid) && !content.is_empty() {
                        // an id the form does not have: kept for lint to report
                        let mut entry = DocAnswer::new(cid);
                        if let (_, Decision::Answer(a)) = self.fill(&mut entry, content, None, &g.place_row(r)) {
                            entry.answer = Some(AnswerValue::Known(a));
                        }
                        self.unknown.push(entry);
                        continue;
                    }
                    if text.is_empty() && content.is_empty() {
                        continue; // a number with nothing else (layout, page numbers)
                    }
                    let why = match miss {
                        Miss::Repeat(i) => format!(" (repeats question {})", self.m.form().questions()[i].id),
                        Miss::NoMatch => String::new(),
                    };
                    let shown = [id, text].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
                    self.report
                        .unread
                        .push(Unread { place: g.place_row(r), excerpt: excerpt(&shown, 40) + why.as_str() });
                }
            }
        }
        if end < g.cells.len() {
            self.remark_rows(g, end + 1);
        }
    }

    /// One reading of the question at `index` from row `r`: its citations
    /// and note (from the first row with any), its answer into the readings.
    fn read_row(&mut self, g: &Grid, r: usize, index: usize, content: RowContent) {
        self.m.claim(index);
        let q = &self.m.form().questions()[index];
        let mut entry = DocAnswer::new(q.id.clone());
        let (at, decision) = self.fill(&mut entry, content, Some(q.kind), &g.place_row(r));
        if let Some(AnswerValue::Invalid(w)) = entry.answer.take() {
            self.invalid[index].get_or_insert((w, at.clone()));
        }
        if self.review_only {
            if decision != Decision::Blank {
                self.report.warnings.push(format!(
                    "{at}: an answer on the 「{REVIEW_SHEET}」 worksheet is not read; answer {} on the form's sheet",
                    q.id
                ));
            }
            return;
        }
        match &mut self.entries[index] {
            slot @ None => *slot = Some(entry),
            Some(prev) if prev.is_empty() => *prev = entry,
            Some(_) => {}
        }
        self.readings.push(index, at, decision);
    }

    /// Which question a row is: by id when its text agrees (or there is no
    /// text), else by text with the id as a hint.
    fn locate(&self, text: &str, id: &str) -> Result<usize, Miss> {
        let cid = clean_id(id);
        let by_id = self.m.form().index_of(&cid);
        if text.is_empty() {
            return by_id.ok_or(Miss::NoMatch);
        }
        if let Some(i) = by_id
            && self.m.similarity(i, text) >= 0.8
        {
            return Ok(i);
        }
        self.m.peek(text, (!cid.is_empty()).then_some(cid.as_str())).map(|m| m.index)
    }

    fn row_content(&self, g: &Grid, r: usize, layout: &Layout) -> RowContent {
        let mut rc = RowContent::default();
        for (c, role) in &layout.roles {
            let v = g.get(r, *c);
            if v.is_empty() {
                continue;
            }
            if matches!(role, Role::Choice(..) | Role::Answer) && g.formulas.contains(&(r, *c)) {
                rc.formulas.push((g.place(r, *c), excerpt(v, 10)));
            }
            match role {
                // An answer word typed into a choice column marks that
                // column only if it is the column's own word.
                Role::Choice(words, _) if Answer::parse(v).is_some_and(|a| !words.contains(&a)) => {
                    rc.doubt.get_or_insert(format!(
                        "「{}」 written in the {} column ({})",
                        excerpt(v, 10),
                        words.iter().map(|w| w.as_str()).collect::<Vec<_>>().join("/"),
                        g.place(r, *c)
                    ));
                }
                Role::Choice(words, _) => match cell_mark(v) {
                    Some(true) => rc.marked.push((words.clone(), g.place(r, *c))),
                    Some(false) => {}
                    None => rc.odd.push(format!("「{}」 in {}", excerpt(v, 10), g.place(r, *c))),
                },
                Role::Answer => {
                    if cell_mark(v) != Some(false) {
                        rc.word = Some((v.to_string(), g.place(r, *c)));
                    }
                }
                Role::Remarks => match parse_citations(v) {
                    Some(n) => rc.citations.extend(n),
                    None => rc.notes.push(v.to_string()),
                },
                Role::Note => rc.notes.push(v.to_string()),
            }
        }
        rc
    }

    /// Fill `entry`'s citations and note from its row; where its answer was
    /// read and what the row says (the shared rules decide; `kind` is the
    /// question's, `None` for an id the form does not have). A word that is
    /// no answer at all is left in `entry.answer` as invalid, for lint.
    fn fill(
        &mut self,
        entry: &mut DocAnswer,
        rc: RowContent,
        kind: Option<crate::form::Kind>,
        place: &str,
    ) -> (String, Decision) {
        entry.remarks = rc.citations;
        if !rc.notes.is_empty() {
            entry.note = Some(clean(&rc.notes.join("\n")));
        }
        for o in rc.odd {
            self.report.warnings.push(format!("{place}: {o} is not an answer mark; ignored"));
        }
        for (cell, value) in rc.formulas {
            self.report.warnings.push(format!(
                "{cell}: 「{value}」 is a formula's last result, read as it was saved; Excel recalculates it when \
                 the workbook is opened and may show another value there"
            ));
        }
        let (at, marked): (String, Vec<Answer>) = if let Some((w, at)) = rc.word {
            match Answer::parse(&w) {
                Some(a) => (at, vec![a]),
                None => {
                    entry.answer = Some(AnswerValue::Invalid(normalize(&w)));
                    return (at, Decision::Blank);
                }
            }
        } else {
            let at = rc.marked.first().map_or_else(|| place.to_string(), |(_, at)| at.clone());
            // a column headed by words of both kinds (はい/該当) gives the
            // question's; a column of the other kind's word gives that word,
            // which the rules refuse
            let words = rc
                .marked
                .iter()
                .map(|(words, _)| words.iter().copied().find(|a| kind.is_none_or(|k| k.allows(*a))).unwrap_or(words[0]))
                .collect();
            (at, words)
        };
        let seen = Seen { printed: None, marked: &marked, doubt: rc.doubt };
        let decision = match kind {
            Some(kind) => decide(kind, &seen),
            None if seen.doubt.is_none() && marked.len() == 1 => Decision::Answer(marked[0]),
            None => Decision::Blank,
        };
        (at, decision)
    }

    fn remark_rows(&mut self, g: &Grid, start: usize) {
        for r in start..g.cells.len() {
            let row = &g.cells[r];
            let Some(c) = row.iter().position(|v| !v.is_empty()) else { continue };
            let first = row[c].as_str();
            if is_title(first)
                || header_label(first).is_some()
                || matches!(match_key(first).as_str(), "備考記載欄" | "備考欄")
            {
                continue;
            }
            let text = row[c + 1..].iter().find(|v| !v.is_empty() && *v != first).map(String::as_str);
            match remark_number(first) {
                Some(n) => self.remarks_raw.push((n, text.unwrap_or("").to_string())),
                None if is_id_header(first) || matches!(first, "内容" | "備考" | "本文") => {}
                None => match self.remarks_raw.last_mut() {
                    Some((_, t)) => {
                        t.push('\n');
                        t.push_str(&row[c..].iter().filter(|v| !v.is_empty()).cloned().collect::<Vec<_>>().join(" "));
                    }
                    None => self.report.unread.push(Unread { place: g.place(r, c), excerpt: excerpt(first, 40) }),
                },
            }
        }
    }

    fn finish(mut self) -> Imported {
        for (n, raw) in std::mem::take(&mut self.remarks_raw) {
            if self.doc.remarks.contains_key(&n) {
                self.report.warnings.push(format!("remark {n} appears twice; the first is kept"));
                continue;
            }
            self.doc.remarks.insert(n, clean(&raw));
        }
        let mut sources = std::collections::BTreeMap::new();
        for (i, entry) in self.entries.iter_mut().enumerate() {
            let Some(entry) = entry else { continue };
            match self.readings.settle(i) {
                Settled::Answer(a, at) => {
                    entry.answer = Some(AnswerValue::Known(a));
                    let places = at.into_iter().map(|p| super::ReadAt::Cell { place: p.clone() }).collect();
                    sources.insert(normalize(&entry.id), super::ReadAt::of(places));
                }
                Settled::Ambiguous(at, why) => {
                    self.report.ambiguous.push(super::Ambiguous { id: entry.id.clone(), place: at.clone(), why })
                }
                Settled::Blank | Settled::Unread => {
                    if let Some((w, place)) = self.invalid[i].take() {
                        entry.answer = Some(AnswerValue::Invalid(w));
                        sources.insert(normalize(&entry.id), super::ReadAt::Cell { place });
                    }
                }
            }
        }
        let entries: Vec<&DocAnswer> = self.entries.iter().flatten().collect();
        self.report.recognised = self.m.form().len() - self.m.unclaimed().len();
        self.report.answered = entries.iter().filter(|e| e.answer.is_some()).count();
        self.report.remarks = self.doc.remarks.len();
        self.report.missing = self.m.unclaimed();
        if !self.unknown.is_empty() {
            self.report.warnings.push(format!(
                "ids not in form {}: {} (kept; `kaiji lint` reports them)",
                self.m.form().id,
                self.unknown.iter().map(|u| u.id.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        self.doc.answers = self.entries.into_iter().flatten().filter(|e| !e.is_empty()).chain(self.unknown).collect();
        Imported { doc: self.doc.normalized(), report: self.report, sources }
    }
}

#[derive(Debug, Default)]
struct RowContent {
    /// Marked choice cells: the words of the column, the cell.
    marked: Vec<(Vec<Answer>, String)>,
    /// What makes the row's marks doubtful (an answer word written in
    /// another word's column).
    doubt: Option<String>,
    /// Answer and choice cells holding a formula: the cell, its value.
    formulas: Vec<(String, String)>,
    /// A 回答 cell's word, and the cell.
    word: Option<(String, String)>,
    citations: Vec<u32>,
    notes: Vec<String>,
    odd: Vec<String>,
}

impl RowContent {
    fn is_empty(&self) -> bool {
        self.marked.is_empty()
            && self.word.is_none()
            && self.citations.is_empty()
            && self.notes.is_empty()
            && self.doubt.is_none()
    }
}

impl Matcher<'_> {
    /// Whether `text` is (nearly) some question's text.
    fn peek_any(&self, text: &str) -> bool {
        match self.peek(text, None) {
            Ok(m) => m.similarity >= 0.8,
            Err(Miss::Repeat(_)) => true,
            Err(Miss::NoMatch) => false,
        }
    }
}

/// Cell text as the sheet keeps it: markup removed when there is some,
/// otherwise only trimmed (characters, line breaks and spacing as written).
fn clean(s: &str) -> String {
    if super::looks_like_markup(s) { plain_text(s) } else { s.trim().to_string() }
}

/// An id cell as an id: NFKC, spaces removed (`1 7. 1` → `17.1`).
fn clean_id(v: &str) -> String {
    normalize(v).chars().filter(|c| !c.is_whitespace()).collect()
}

fn looks_like_id(v: &str) -> bool {
    let mut parts = v.split('.');
    parts.next().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_id_header(v: &str) -> bool {
    let k = normalize(v).to_lowercase();
    matches!(k.as_str(), "項番" | "no" | "no." | "番号" | "id" | "設問番号" | "質問番号" | "項目番号" | "#" | "№")
}

fn is_text_header(v: &str) -> bool {
    let t = normalize(v);
    ["質問", "設問", "確認事項", "確認項目", "チェック項目"].iter().any(|w| t.contains(w)) || t == "項目"
}

fn is_header_row(text: &str, id: &str) -> bool {
    let t = normalize(text);
    (t.is_empty() || t.contains("質問") || t.contains("設問") || t.contains("確認事項") || t == "項目")
        && (id.is_empty() || is_id_header(id))
        && !(t.is_empty() && id.is_empty())
}

/// The role a header cell names; `pos` is the count of choice columns so far.
fn header_role(v: &str, pos: usize) -> Option<Role> {
    let t = normalize(v);
    if t.is_empty() {
        return None;
    }
    let words: Vec<Answer> = t
        .split(|c: char| matches!(c, '・' | '/' | '／' | '、' | ',' | '(' | ')') || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| Answer::ALL.into_iter().find(|a| a.as_str() == p))
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    if !words.is_empty() {
        return Some(Role::Choice(words, pos));
    }
    let l = t.to_lowercase();
    if matches!(l.as_str(), "回答" | "回答欄" | "回答内容" | "answer" | "回答(はい/いいえ/対象外)")
        || l.starts_with("回答(")
    {
        return Some(Role::Answer);
    }
    if l.contains("備考") {
        let free = ["記述", "内容", "詳細", "コメント", "テキスト", "説明"];
        return Some(if free.iter().any(|w| l.contains(w)) { Role::Note } else { Role::Remarks });
    }
    if matches!(l.as_str(), "注記" | "コメント" | "補足" | "note" | "notes" | "特記事項") {
        return Some(Role::Note);
    }
    None
}

/// A choice cell: `Some(true)` marked, `Some(false)` left blank/unmarked,
/// `None` something else (a cross included): the one rule in `cells`.
fn cell_mark(v: &str) -> Option<bool> {
    super::cells::choice_cell(v)
}

fn remark_number(v: &str) -> Option<u32> {
    let t = normalize(v);
    let t = t.strip_prefix("備考").unwrap_or(&t).trim();
    let t = t.trim_start_matches(['(', '[', '※']).trim_end_matches([')', ']', '.', ':']);
    t.parse().ok().filter(|n| *n > 0)
}

/// A worksheet its name marks as a filled example (記入例, 見本, サンプル,
/// example): never the vendor's answers while another sheet could be.
fn is_example_sheet(name: &str) -> bool {
    let n = normalize(name).to_lowercase();
    ["記入例", "見本", "サンプル", "例", "sample", "example"].iter().any(|w| n.contains(w))
}

fn is_remarks_sheet(name: &str) -> bool {
    normalize(name).contains("備考")
}

/// The row holding a 備考記載欄 heading, at or after `from`.
fn find_remarks_marker(g: &Grid, from: usize) -> Option<usize> {
    (from..g.cells.len())
        .find(|&r| g.cells[r].iter().any(|v| matches!(match_key(v).as_str(), "備考記載欄" | "備考欄" | "備考一覧")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_shared_string_counts() {
        let c = |s: &str| declared_count(s.as_bytes());
        assert_eq!(c(r#"<sst xmlns="x" count="5" uniqueCount="3">"#), Some(3));
        assert_eq!(c("<sst uniqueCount = '12'>"), Some(12));
        assert_eq!(c(r#"<sst uniqueCount="99999999999999999999999">"#), Some(u64::MAX));
        assert_eq!(c(r#"<sst count="5">"#), None);
        assert_eq!(c(r#"<sst uniqueCount="">"#), None);
    }

    #[test]
    fn ods_repeats_are_counted_before_calamine_expands_them() {
        let row = |rows: &str, cols: &str| {
            format!(
                "<table:table-row table:number-rows-repeated=\"{rows}\"><table:table-cell table:number-columns-repeated=\"{cols}\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>"
            )
        };
        let bomb = row("1048575", "16384");
        assert_eq!(ods_dense_cells(bomb.as_bytes()), 1_048_575 * 16_384);
        // LibreOffice's trailing empty rows and columns do not count
        let normal = format!(
            "{}<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>",
            row("3", "4")
        );
        assert_eq!(ods_dense_cells(normal.as_bytes()), 12);
        assert_eq!(ods_dense_cells(b"<table:table-row/><table:table-row"), 0);
    }

    #[test]
    fn sparse_grid_is_as_large_as_its_cells() {
        let cells = vec![((4, 2), "a".to_string()), ((6, 3), "b".to_string()), ((4, 2_000), "far".to_string())];
        let merges =
            [Dimensions { start: (4, 2), end: (5, 3) }, Dimensions { start: (0, 0), end: (1_048_575, 16_383) }];
        let g = Grid::new("s".into(), cells, &merges, &SheetView::default());
        assert_eq!(g.origin, (4, 2));
        assert_eq!((g.cells.len(), g.width), (3, 2), "the far column is beyond MAX_COLS");
        assert_eq!([g.get(0, 0), g.get(0, 1), g.get(1, 0), g.get(1, 1), g.get(2, 1)], ["a", "a", "a", "a", "b"]);
        assert_eq!(g.place(2, 1), "s!D7");
    }

    #[test]
    fn marks_and_headers() {
        for m in ["○", "◯", "●", "✓", "1", "■", "TRUE", "はい"] {
            assert_eq!(cell_mark(m), Some(true), "{m}");
        }
        assert_eq!(cell_mark("x"), None, "a cross is no mark");
        for m in ["", "□", "0", "-"] {
            assert_eq!(cell_mark(m), Some(false), "{m}");
        }
        assert_eq!(cell_mark("要確認"), None);
        assert_eq!(header_role("はい", 0), Some(Role::Choice(vec![Answer::Yes], 0)));
        assert_eq!(header_role("いいえ／非該当", 1), Some(Role::Choice(vec![Answer::No, Answer::NotApplicable], 1)));
        assert_eq!(header_role("回答", 0), Some(Role::Answer));
        assert_eq!(header_role("備考", 0), Some(Role::Remarks));
        assert_eq!(header_role("備考（記述）", 0), Some(Role::Note));
        assert_eq!(header_role("質問", 0), None);
        assert_eq!(remark_number("１２"), Some(12));
        assert_eq!(remark_number("備考3"), Some(3));
        assert_eq!(remark_number("(4)"), Some(4));
        assert_eq!(remark_number("お客様"), None);
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(27), "AB");
        assert_eq!(clean_id("1 7. 1. １"), "17.1.1");
        assert!(looks_like_id("17.1.f") && !looks_like_id("abc") && !looks_like_id("1..2"));
    }
}

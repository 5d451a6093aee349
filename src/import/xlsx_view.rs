//! What a person sees of a workbook: which rows and columns are hidden (or
//! so narrow they show nothing), which cells hold a formula, and which
//! cells' text cannot be seen (white on white, a font of a point or two).
//! calamine reads the values of every cell; the workbook importer keeps only
//! those this module says a person sees (docs/importing.md, "What a person sees is
//! what is read").
//!
//! The worksheet XML of an .xlsx/.xlsm is scanned once, linearly, for the
//! `<row>`, `<col>` and `<c>` tags; nothing else is parsed.

use std::collections::HashMap;

use super::view::{self, Parts, SheetView, ViewBuilder};

/// Text in a font smaller than this (points) cannot be read.
const MIN_FONT_SIZE: f64 = 3.0;

/// The XML part of each worksheet, by sheet name, found as calamine finds
/// it: the workbook part `_rels/.rels` names, its `<sheet>` tags (the last
/// `name` and `…:id` attribute of each, as calamine reads them) and their
/// relationships. Names that cannot be resolved are left out.
pub(crate) fn sheet_parts(zip: &mut Parts<'_>) -> HashMap<String, String> {
    let Some(root) = zip.read("_rels/.rels") else { return HashMap::new() };
    let mut document = None;
    for_each_tag(&root, |name, tag| {
        if name == b"Relationship"
            && document.is_none()
            && attr(tag, b"Type").is_some_and(|t| t.ends_with("/relationships/officeDocument"))
        {
            document = attr(tag, b"Target").map(|t| unescape(&t));
        }
    });
    let Some(document) = document else { return HashMap::new() };
    let (dir, file) = document.rsplit_once('/').map_or(("", document.as_str()), |(d, f)| (d, f));
    let dir = dir.strip_prefix('/').unwrap_or(dir);
    let dir = if dir.is_empty() && !document.contains('/') { String::new() } else { format!("{dir}/") };
    let file = if file.is_empty() { "workbook.xml" } else { file };
    let (Some(book), Some(rels)) = (zip.read(&format!("{dir}{file}")), zip.read(&format!("{dir}_rels/{file}.rels")))
    else {
        return HashMap::new();
    };
    let mut targets: HashMap<String, String> = HashMap::new();
    for_each_tag(&rels, |name, tag| {
        if name == b"Relationship"
            && let (Some(id), Some(target)) = (attr(tag, b"Id"), attr(tag, b"Target"))
        {
            // raw, as calamine keeps them; a later Id replaces an earlier one
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{dir}{target}"),
            };
            targets.insert(id, path);
        }
    });
    let mut out = HashMap::new();
    for_each_tag(&book, |name, tag| {
        if name != b"sheet" {
            return;
        }
        let (mut sheet, mut id) = (None, None);
        for (key, value) in attrs(tag) {
            let local = key.iter().rposition(|b| *b == b':').map_or(key, |k| &key[k + 1..]);
            match (key, local) {
                (b"name", _) => sheet = Some(unescape(&String::from_utf8_lossy(value))),
                (_, b"id") => id = Some(String::from_utf8_lossy(value).into_owned()),
                _ => {}
            }
        }
        if let (Some(sheet), Some(path)) = (sheet, id.and_then(|id| targets.get(&id))) {
            out.insert(sheet, path.clone());
        }
    });
    out
}

/// Scan one worksheet's XML.
pub(crate) fn scan_sheet(xml: &[u8]) -> SheetView {
    let mut out = ViewBuilder::default();
    // the cell whose content is being read: a formula tag inside it marks it
    let mut open_cell: Option<(u32, u32)> = None;
    // the row a <row> without `r` is, as calamine counts: the one after the last
    let mut next_row = 0u32;
    // a row with no height of its own has the sheet's default: one too low
    // to see hides every such row, its cells included
    let mut default_row_flat = false;
    for_each_tag(xml, |name, tag| match name {
        b"sheetFormatPr" => {
            let width = attr(tag, b"defaultColWidth").and_then(|w| w.parse::<f64>().ok());
            out.cols_hidden_by_default = width.is_some_and(view::narrow);
            let height = attr(tag, b"defaultRowHeight").and_then(|h| h.parse::<f64>().ok());
            default_row_flat = height.is_some_and(view::flat);
            // zeroHeight: rows no <row> describes are hidden (they hold no cells)
            out.rows_hidden_by_default = default_row_flat || attr(tag, b"zeroHeight").is_some_and(|z| truthy(&z));
        }
        b"row" => {
            if let Some(r) = attr(tag, b"r") {
                // a row number calamine cannot read fails the worksheet there
                let Some(r) = r.parse::<u32>().ok().filter(|r| *r > 0) else { return };
                next_row = r - 1;
            }
            let hidden = attr(tag, b"hidden").is_some_and(|h| truthy(&h));
            let flat = match attr(tag, b"ht").and_then(|h| h.parse::<f64>().ok()) {
                Some(h) => view::flat(h),
                None => default_row_flat,
            };
            out.row(next_row, hidden || flat);
            if tag.ends_with(b"/") {
                next_row = next_row.saturating_add(1);
            }
        }
        b"/row" => next_row = next_row.saturating_add(1),
        b"col" => {
            let num = |k: &[u8]| attr(tag, k).and_then(|v| v.parse::<u32>().ok()).filter(|v| *v > 0);
            let (Some(min), Some(max)) = (num(b"min"), num(b"max")) else { return };
            let hidden = attr(tag, b"hidden").is_some_and(|h| truthy(&h));
            let narrow = attr(tag, b"width").and_then(|w| w.parse::<f64>().ok()).is_some_and(view::narrow);
            out.cols(min - 1, max - 1, hidden || narrow);
        }
        b"c" => open_cell = if tag.ends_with(b"/") { None } else { attr(tag, b"r").and_then(|r| cell_ref(&r)) },
        b"/c" => open_cell = None,
        b"f" => {
            if let Some(at) = open_cell {
                out.view.add_formula(at);
            }
        }
        _ => {}
    });
    out.finish()
}

/// Whether a cell's text, in this style, cannot be seen: a font of a point
/// or two, or text the colour of its background (white on no fill).
pub(crate) fn invisible_style(style: &calamine::Style) -> Option<&'static str> {
    let font = style.font.as_ref()?;
    if font.size.is_some_and(|s| s < MIN_FONT_SIZE) {
        return Some("text in a font too small to read");
    }
    let ink = font.color?;
    let fill = style.fill.as_ref().filter(|f| f.is_visible()).and_then(|f| f.foreground_color);
    let background = fill.unwrap_or(calamine::Color::rgb(255, 255, 255));
    let same = |a: calamine::Color, b: calamine::Color| {
        (i32::from(a.red) - i32::from(b.red)).abs() <= 8
            && (i32::from(a.green) - i32::from(b.green)).abs() <= 8
            && (i32::from(a.blue) - i32::from(b.blue)).abs() <= 8
    };
    (same(ink, background) || ink.alpha == 0).then_some("text the colour of its background")
}

fn truthy(v: &str) -> bool {
    matches!(v, "1" | "true")
}

/// `C58` → (57, 2).
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let col =
        letters.bytes().try_fold(0u32, |n, b| b.is_ascii_uppercase().then(|| n * 26 + u32::from(b - b'A') + 1))?;
    let row: u32 = digits.parse().ok().filter(|r| *r > 0)?;
    Some((row - 1, col - 1))
}

/// Call `f(local name, tag text)` for every tag, in order (`<x:row r="1">`
/// gives `row` and `x:row r="1"`; a closing tag's name starts with `/`).
/// Comments, processing instructions and CDATA are passed over. Linear.
pub(crate) fn for_each_tag(xml: &[u8], mut f: impl FnMut(&[u8], &[u8])) {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &xml[i..]) {
        let start = i + off + 1;
        let Some(len) = memchr::memchr(b'>', &xml[start..]) else { break };
        let tag = &xml[start..start + len];
        i = start + len + 1;
        if tag.first().is_some_and(|b| matches!(b, b'!' | b'?')) {
            continue;
        }
        let closing = tag.first() == Some(&b'/');
        let body = if closing { &tag[1..] } else { tag };
        let name_end = body.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(body.len());
        let name = &body[..name_end];
        let local = name.iter().rposition(|b| *b == b':').map_or(name, |k| &name[k + 1..]);
        if closing {
            let mut n = Vec::with_capacity(local.len() + 1);
            n.push(b'/');
            n.extend_from_slice(local);
            f(&n, tag);
        } else {
            f(local, tag);
        }
    }
}

/// A tag's attributes in order: (name, raw value). Stops at the first
/// thing that is not `name="value"` or `name='value'`.
pub(crate) fn attrs(tag: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let name_end = tag.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(tag.len());
    let mut rest = &tag[name_end..];
    std::iter::from_fn(move || {
        let r = rest.trim_ascii_start();
        let eq = memchr::memchr(b'=', r)?;
        let key = r[..eq].trim_ascii_end();
        if key.is_empty() || key.iter().any(|b| b.is_ascii_whitespace()) {
            return None;
        }
        let v = r[eq + 1..].trim_ascii_start();
        let quote = *v.first().filter(|q| matches!(q, b'"' | b'\''))?;
        let end = memchr::memchr(quote, &v[1..])?;
        rest = &v[end + 2..];
        Some((key, &v[1..1 + end]))
    })
}

/// The value of attribute `key` in a tag's text (`key="v"` or `key='v'`).
pub(crate) fn attr(tag: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(off) = memchr::memmem::find(&tag[from..], key) {
        let at = from + off;
        from = at + key.len();
        let before_ok = at > 0 && tag[at - 1].is_ascii_whitespace();
        let rest = &tag[at + key.len()..];
        let rest_trim = rest.trim_ascii_start();
        if !before_ok || rest_trim.first() != Some(&b'=') {
            continue;
        }
        let v = rest_trim[1..].trim_ascii_start();
        let quote = *v.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = memchr::memchr(quote, &v[1..])?;
        return Some(String::from_utf8_lossy(&v[1..1 + end]).into_owned());
    }
    None
}

/// The five XML entities, for sheet names.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_columns_and_formulas() {
        let xml = br#"<?xml version="1.0"?><worksheet><cols><col min="2" max="3" width="0" customWidth="1"/>
            <col min="5" max="5" hidden="1"/><col min="6" max="6" width="12"/></cols><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c></row>
            <row r="2" hidden="1"><c r="A2"/></row>
            <row r="3" ht="0" customHeight="1"><c r="C3"><f>B3*2</f><v>4</v></c></row>
            <x:row r="4" ht="15"><x:c r="AB4"><x:f t="shared" si="0"/><x:v>1</x:v></x:c><c r="D4" s="1"/></x:row>
            <row/><row hidden="1"><c><v>1</v></c></row><row r="9"/><row ht="0.5"/>
            </sheetData></worksheet>"#;
        let s = scan_sheet(xml);
        // rows without `r` are the ones after the last, as calamine counts
        assert_eq!(s.hidden_rows.ranges(), [(1, 2), (5, 5), (9, 9)]);
        assert_eq!(s.hidden_cols.ranges(), [(1, 2), (4, 4)]);
        assert_eq!(s.formulas, std::collections::HashSet::from([(2, 2), (3, 27)]));
        assert!(s.hides((1, 0)) && s.hides((0, 2)) && s.hides((7, 4)));
        assert!(!s.hides((0, 0)) && !s.hides((3, 5)));
    }

    #[test]
    fn cell_refs_and_attributes() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("C58"), Some((57, 2)));
        assert_eq!(cell_ref("AA10"), Some((9, 26)));
        assert_eq!(cell_ref("a1"), None);
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("12"), None);
        assert_eq!(attr(b"row r=\"3\" spans='1:2'", b"spans").as_deref(), Some("1:2"));
        // `r` is not the end of another attribute's name
        assert_eq!(attr(b"c attr=\"x\" r=\"B2\"", b"r").as_deref(), Some("B2"));
        assert_eq!(attr(b"c r=B2", b"r"), None);
        let all: Vec<(&[u8], &[u8])> = attrs(b"sheet name=\"a\" r:id = 'rId2' x:id=\"rId3\" broken").collect();
        assert_eq!(all, [(&b"name"[..], &b"a"[..]), (b"r:id", b"rId2"), (b"x:id", b"rId3")]);
    }

    #[test]
    fn hostile_xml_never_panics() {
        for xml in
            [&b"<"[..], b"<row r=", b"<c r=\"\"><f", b"<col min=\"9\" max=\"1\"/>", b"<row r=\"0\" hidden=\"1\">"]
        {
            let _ = scan_sheet(xml);
        }
        assert!(scan_sheet(b"<col min=\"9\" max=\"1\" hidden=\"1\"/>").hidden_cols.ranges().is_empty());
        // a default column width of zero hides the columns no <col> describes
        let s =
            scan_sheet(b"<sheetFormatPr defaultColWidth=\"0\"/><cols><col min=\"1\" max=\"3\" width=\"9\"/></cols>");
        assert!(!s.hides((0, 2)) && s.hides((0, 3)) && s.hides((0, 900)));
    }

    /// A default row height too low to see hides every row without a
    /// height of its own: a hidden copy of a row needs no attribute at all.
    #[test]
    fn a_flat_default_row_height_hides_rows_without_their_own() {
        let s = scan_sheet(
            b"<sheetFormatPr defaultRowHeight=\"0.5\" customHeight=\"1\"/><sheetData>\
              <row r=\"1\"><c r=\"A1\"/></row><row r=\"2\" ht=\"15\" customHeight=\"1\"><c r=\"A2\"/></row>\
              </sheetData>",
        );
        assert!(s.hides((0, 0)), "row 1 has the flat default");
        assert!(!s.hides((1, 0)), "row 2 has a height of its own");
        assert!(s.hides((5, 0)), "rows no <row> describes");
        // zeroHeight hides only the rows no <row> describes
        let s =
            scan_sheet(b"<sheetFormatPr defaultRowHeight=\"15\" zeroHeight=\"1\"/><row r=\"1\"><c r=\"A1\"/></row>");
        assert!(!s.hides((0, 0)) && s.hides((1, 0)));
        // an ordinary default hides nothing
        let s = scan_sheet(b"<sheetFormatPr defaultRowHeight=\"15\"/><row r=\"1\"><c r=\"A1\"/></row>");
        assert!(!s.hides((0, 0)) && !s.hides((1, 0)));
    }
}

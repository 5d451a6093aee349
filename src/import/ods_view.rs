//! What a person sees of an .ods workbook (see [`view`](super::view)),
//! read from its `content.xml` (and the common styles in `styles.xml`).
//!
//! A row (`table:table-row`) or column (`table:table-column`) is hidden
//! when its `table:visibility` is `collapse` or `filter` (rows an autofilter
//! hides), when it lies in a row or column group shown as closed
//! (`table:display="false"`), or when its style sets a height under 2 pt or
//! a width under 3 pt (`style:row-height`, `style:column-width`; not when
//! the style asks for the optimal height or width, which LibreOffice
//! recomputes on opening). Repeats (`table:number-rows-repeated`,
//! `table:number-columns-repeated`) are counted as calamine counts them, so
//! row and column numbers match the cells it reads; a hidden row repeated a
//! million times is one range, not a million entries. Cells with a
//! `table:formula` are noted. One linear pass over each part.
//!
//! A repeat count that is not a positive number is refused: calamine would
//! count the rows after it otherwise than the file shows them, so which
//! rows are hidden could not be told (fail closed).

use std::collections::{HashMap, HashSet};

use super::view::{self, MIN_COL_POINTS, Parts, SheetView, ViewBuilder};
use super::xlsx_view::{attr, for_each_tag, unescape};

/// calamine's ODS bounds: rows and columns past these are not read.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// Row and column styles that show nothing, by style name.
#[derive(Default)]
struct FlatStyles {
    rows: HashSet<String>,
    cols: HashSet<String>,
}

fn collect_styles(xml: &[u8], out: &mut FlatStyles) {
    let mut current: Option<(String, String)> = None;
    for_each_tag(xml, |name, tag| match name {
        b"style" => {
            current = attr(tag, b"style:name").zip(attr(tag, b"style:family"));
        }
        b"/style" => current = None,
        b"table-row-properties" | b"table-column-properties" => {
            let Some((style, family)) = &current else { return };
            let (key, optimal, family_wanted, set) = if name == b"table-row-properties" {
                (&b"style:row-height"[..], &b"style:use-optimal-row-height"[..], "table-row", &mut out.rows)
            } else {
                (&b"style:column-width"[..], &b"style:use-optimal-column-width"[..], "table-column", &mut out.cols)
            };
            if family != family_wanted || attr(tag, optimal).is_some_and(|v| v == "true") {
                return;
            }
            let min = if family == "table-row" { view::MIN_ROW_HEIGHT } else { MIN_COL_POINTS };
            if attr(tag, key).and_then(|v| points(&v)).is_some_and(|p| p < min) {
                set.insert(style.clone());
            }
        }
        _ => {}
    });
}

/// An ODF length (`0.452cm`, `12pt`, `0in`) in points.
fn points(v: &str) -> Option<f64> {
    let v = v.trim();
    let split = v.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = v.split_at(split);
    let n: f64 = n.trim().parse().ok().filter(|n: &f64| n.is_finite())?;
    let per = match unit {
        "pt" => 1.0,
        "cm" => 72.0 / 2.54,
        "mm" => 72.0 / 25.4,
        "in" => 72.0,
        "pc" => 12.0,
        "px" => 0.75,
        _ => return None,
    };
    Some(n * per)
}

/// A repeat count: absent is 1; present, a positive number calamine parses.
fn repeats(tag: &[u8], key: &[u8], what: &str) -> Result<u32, String> {
    let Some(v) = attr(tag, key) else { return Ok(1) };
    match v.parse::<u64>() {
        Ok(n) if n > 0 => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
        _ => Err(format!("{what} repeated 「{}」 times", crate::text::printable_line(&v))),
    }
}

fn hidden_visibility(tag: &[u8]) -> bool {
    attr(tag, b"table:visibility").is_some_and(|v| v == "collapse" || v == "filter")
}

/// What each table of an .ods shows, by table name; `Err` for a
/// content.xml whose rows cannot be counted as calamine counts them.
pub(crate) fn sheet_views(parts: &mut Parts<'_>) -> Result<HashMap<String, SheetView>, String> {
    let content = parts.read("content.xml").ok_or("its content.xml cannot be read")?;
    let mut styles = FlatStyles::default();
    if let Some(common) = parts.read("styles.xml") {
        collect_styles(&common, &mut styles);
    }
    collect_styles(&content, &mut styles);
    scan_content(&content, &styles)
}

/// One table being read.
struct Table {
    name: String,
    view: ViewBuilder,
    /// The next row's and column's numbers.
    row: u32,
    col: u32,
    /// The open row: its repeat count (the cells inside are on each).
    open_row: Option<u32>,
    /// The column (in the open row) the next cell starts at.
    cell: u32,
    /// Open row and column groups: whether each one hides what it holds.
    row_groups: Vec<bool>,
    col_groups: Vec<bool>,
}

fn scan_content(xml: &[u8], styles: &FlatStyles) -> Result<HashMap<String, SheetView>, String> {
    let mut out = HashMap::new();
    let mut table: Option<Table> = None;
    let mut error = None;
    for_each_tag(xml, |name, tag| {
        if error.is_some() {
            return;
        }
        let closed = tag.ends_with(b"/");
        let styled = |set: &HashSet<String>| attr(tag, b"table:style-name").is_some_and(|s| set.contains(&s));
        match (name, table.as_mut()) {
            // as calamine: a table without a name is not read, and a table
            // inside a table ends where the inner one does
            (b"table", None) if !closed => {
                if let Some(n) = attr(tag, b"table:name") {
                    table = Some(Table {
                        name: unescape(&n),
                        view: ViewBuilder::default(),
                        row: 0,
                        col: 0,
                        open_row: None,
                        cell: 0,
                        row_groups: Vec::new(),
                        col_groups: Vec::new(),
                    });
                }
            }
            (b"/table", Some(_)) => {
                let t = table.take().expect("a table is open");
                out.insert(t.name, t.view.finish());
            }
            (b"table-row-group", Some(t)) if !closed => {
                let hides =
                    t.row_groups.last() == Some(&true) || attr(tag, b"table:display").as_deref() == Some("false");
                t.row_groups.push(hides);
            }
            (b"/table-row-group", Some(t)) => {
                t.row_groups.pop();
            }
            (b"table-column-group", Some(t)) if !closed => {
                let hides =
                    t.col_groups.last() == Some(&true) || attr(tag, b"table:display").as_deref() == Some("false");
                t.col_groups.push(hides);
            }
            (b"/table-column-group", Some(t)) => {
                t.col_groups.pop();
            }
            (b"table-column", Some(t)) => {
                let n = match repeats(tag, b"table:number-columns-repeated", "a column") {
                    Ok(n) => n,
                    Err(e) => return error = Some(format!("table 「{}」: {e}", shown(&t.name))),
                };
                let hidden = hidden_visibility(tag) || styled(&styles.cols) || t.col_groups.last() == Some(&true);
                let last = t.col.saturating_add(n - 1).min(MAX_COLUMNS - 1);
                if t.col < MAX_COLUMNS {
                    t.view.cols(t.col, last, hidden);
                }
                t.col = t.col.saturating_add(n);
            }
            (b"table-row", Some(t)) => {
                let n = match repeats(tag, b"table:number-rows-repeated", "a row") {
                    Ok(n) => n,
                    Err(e) => return error = Some(format!("table 「{}」: {e}", shown(&t.name))),
                };
                // calamine stops counting rows at its bound
                let n = n.min(MAX_ROWS.saturating_sub(t.row));
                let hidden = hidden_visibility(tag) || styled(&styles.rows) || t.row_groups.last() == Some(&true);
                if n > 0 {
                    t.view.rows(t.row, t.row + n - 1, hidden);
                }
                if closed {
                    t.row += n;
                } else {
                    t.open_row = Some(n);
                    t.cell = 0;
                }
            }
            (b"/table-row", Some(t)) => {
                if let Some(n) = t.open_row.take() {
                    t.row += n;
                }
            }
            (b"table-cell" | b"covered-table-cell", Some(t)) if t.open_row.is_some() => {
                let n = match repeats(tag, b"table:number-columns-repeated", "a cell") {
                    Ok(n) => n,
                    Err(e) => return error = Some(format!("table 「{}」: {e}", shown(&t.name))),
                };
                if attr(tag, b"table:formula").is_some() {
                    let rows = t.open_row.unwrap_or(1);
                    'each: for r in t.row..t.row.saturating_add(rows) {
                        for c in t.cell..t.cell.saturating_add(n).min(MAX_COLUMNS) {
                            if t.view.view.formulas.len() >= view::MAX_FORMULAS {
                                break 'each;
                            }
                            t.view.view.add_formula((r, c));
                        }
                    }
                }
                t.cell = t.cell.saturating_add(n);
            }
            _ => {}
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    if let Some(t) = table {
        // a content.xml cut short: calamine refuses it; what was read stands
        out.insert(t.name, t.view.finish());
    }
    Ok(out)
}

fn shown(name: &str) -> String {
    crate::text::printable_line(name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(body: &str, styles: &str) -> Result<HashMap<String, SheetView>, String> {
        let xml = format!(
            r#"<office:document-content><office:automatic-styles>{styles}</office:automatic-styles><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
        );
        let mut flat = FlatStyles::default();
        collect_styles(xml.as_bytes(), &mut flat);
        scan_content(xml.as_bytes(), &flat)
    }

    #[test]
    fn visibility_styles_groups_and_repeats() {
        let styles = r#"<style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:row-height="0.452cm" style:use-optimal-row-height="true"/></style:style>
            <style:style style:name="ro0" style:family="table-row"><style:table-row-properties style:row-height="0cm" style:use-optimal-row-height="false"/></style:style>
            <style:style style:name="ro9" style:family="table-row"><style:table-row-properties style:row-height="0cm" style:use-optimal-row-height="true"/></style:style>
            <style:style style:name="co0" style:family="table-column"><style:table-column-properties style:column-width="0.02in"/></style:style>"#;
        let body = r#"<table:table table:name="開示書"><table:table-column table:number-columns-repeated="2"/>
            <table:table-column table:style-name="co0"/><table:table-column table:visibility="collapse" table:number-columns-repeated="2"/>
            <table:table-column-group table:display="false"><table:table-column/></table:table-column-group><table:table-column/>
            <table:table-row table:style-name="ro1"><table:table-cell table:number-columns-repeated="3"/><table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"/></table:table-row>
            <table:table-row table:visibility="collapse" table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>
            <table:table-row table:style-name="ro0"/>
            <table:table-row table:style-name="ro9"/>
            <table:table-row-group table:display="false"><table:table-row table:visibility="visible"><table:table-cell/></table:table-row></table:table-row-group>
            <table:table-row table:visibility="filter"/>
            <table:table-row><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>
            </table:table>"#;
        let v = &scan(body, styles).unwrap()["開示書"];
        assert_eq!(v.hidden_rows.ranges(), [(1, 1_000_001), (1_000_003, 1_000_004)]);
        assert_eq!(v.hidden_cols.ranges(), [(2, 5)]);
        assert_eq!(v.formulas, [(0, 3)].into_iter().collect());
        assert!(!v.row_hidden(0) && !v.row_hidden(1_000_002) && !v.row_hidden(1_000_005));
    }

    #[test]
    fn repeat_counts_that_are_no_count_are_refused() {
        for bad in ["0", "-1", "x", ""] {
            let body = format!(
                r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="{bad}"/></table:table>"#
            );
            let e = scan(&body, "").unwrap_err();
            assert!(e.contains("table 「S」: a row repeated"), "{e}");
        }
    }

    #[test]
    fn lengths_in_points() {
        assert_eq!(points("12pt"), Some(12.0));
        assert!((points("2.54cm").unwrap() - 72.0).abs() < 1e-9);
        assert_eq!(points("0in"), Some(0.0));
        assert_eq!(points("1em"), None);
        assert_eq!(points("NaNpt"), None);
    }

    #[test]
    fn hostile_xml_never_panics() {
        for body in [
            "<table:table table:name=\"S\"><table:table-row><table:table-cell table:formula=\"x\" table:number-columns-repeated=\"4000000000\"/>",
            "</table:table><table:table-row/>",
            "<table:table table:name=\"S\"/><table:table-row-group>",
            "<table:table table:name=\"S\"><table:table-row table:number-rows-repeated=\"99999999999\"><table:table-cell table:formula=\"x\" table:number-columns-repeated=\"99999\"/></table:table-row></table:table>",
        ] {
            let _ = scan(body, "");
        }
    }
}

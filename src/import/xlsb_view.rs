//! What a person sees of an .xlsb workbook (see [`view`](super::view)),
//! read from its binary parts before calamine opens it.
//!
//! An .xlsb is a zip of BIFF12 record streams: each record a type (one or
//! two bytes of 7 bits), a size (one to four bytes of 7 bits) and its data.
//! `xl/workbook.bin` names the worksheets (BrtBundleSh) and, through
//! `xl/_rels/workbook.bin.rels`, their parts; in each worksheet's part
//! BrtWsFmtInfo gives the default row height and column width, BrtColInfo
//! the columns (`fHidden`, the width) and BrtRowHdr each row (`fDyZero`,
//! the height). The walk is linear in each part and the part sizes were
//! bounded before (`check_parts`).
//!
//! The same walk refuses what calamine's reader would panic on or misread
//! in a way that breaks the view: a BrtBundleSh whose relationship is
//! missing or whose lengths overrun the record, a row header too short to
//! say which row it is (calamine then reads the row number left in its
//! buffer by an earlier record), a cell record shorter than the bytes
//! calamine indexes, a shared-string index past the table. A record too
//! short to say whether its rows or columns are hidden is refused as
//! damaged: fail closed, since a row a person does not see is never read.

use std::collections::HashMap;

use super::view::{self, Parts, SheetView, ViewBuilder};
use super::xlsx_view::{attr, for_each_tag, unescape};

/// Why an .xlsb's view could not be read.
pub(crate) type Damaged = String;

/// One record: its type and data.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

/// The records of a part, as calamine's `RecordIter` reads them; `Err` on
/// a record cut short by the end of the part.
struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Records<'a> {
    fn new(part: &'a [u8]) -> Records<'a> {
        Records { rest: part }
    }

    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    fn next(&mut self) -> Result<Option<Record<'a>>, Damaged> {
        let Some(b) = self.byte() else { return Ok(None) };
        let cut = || "a record is cut short by the end of its part".to_string();
        let typ = if b & 0x80 != 0 {
            u16::from(b & 0x7F) + (u16::from(self.byte().ok_or_else(cut)? & 0x7F) << 7)
        } else {
            u16::from(b)
        };
        let mut b = self.byte().ok_or_else(cut)?;
        let mut len = usize::from(b & 0x7F);
        for i in 1..4 {
            if b & 0x80 == 0 {
                break;
            }
            b = self.byte().ok_or_else(cut)?;
            len += usize::from(b & 0x7F) << (7 * i);
        }
        let data = self.rest.get(..len).ok_or_else(cut)?;
        self.rest = &self.rest[len..];
        Ok(Some(Record { typ, data }))
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A UTF-16 string with a 4-byte length at `at`: the text and where it ends.
fn wide_str(b: &[u8], at: usize) -> Option<(String, usize)> {
    let n = u32_at(b, at)? as usize;
    let end = (at + 4).checked_add(n.checked_mul(2)?)?;
    let units: Vec<u16> = b.get(at + 4..end)?.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    Some((String::from_utf16_lossy(&units), end))
}

/// Whether the zip is an .xlsb (its workbook part is binary).
pub(crate) fn is_xlsb(parts: &Parts<'_>) -> bool {
    parts.has("xl/workbook.bin")
}

/// What each worksheet of an .xlsb shows, by sheet name; `Err` for a
/// workbook whose structure cannot be read as calamine will read it.
pub(crate) fn sheet_views(parts: &mut Parts<'_>) -> Result<HashMap<String, SheetView>, Damaged> {
    let strings = shared_string_count(parts)?;
    // calamine reads this one part by its exact name
    let rels = parts.read_exact("xl/_rels/workbook.bin.rels").unwrap_or_default();
    let mut targets: HashMap<String, String> = HashMap::new();
    for_each_tag(&rels, |name, tag| {
        if name == b"Relationship"
            && tag.starts_with(b"Relationship")
            && let (Some(id), Some(target)) = (attr(tag, b"Id"), attr(tag, b"Target"))
        {
            targets.insert(id, unescape(&target));
        }
    });
    let book = parts.read("xl/workbook.bin").ok_or("its workbook part xl/workbook.bin cannot be read")?;
    let mut sheets: Vec<(String, String)> = Vec::new();
    let mut records = Records::new(&book);
    while let Some(r) = records.next()? {
        match r.typ {
            // BrtBundleSh: hsState, iTabID, strRelID (null: no part), strName
            0x009C => {
                let d = r.data;
                let bad = || "a worksheet's record in xl/workbook.bin is damaged".to_string();
                let rel_len = u32_at(d, 8).ok_or_else(bad)?;
                if rel_len == 0xFFFF_FFFF {
                    continue;
                }
                let (rel, end) = wide_str(d, 8).ok_or_else(bad)?;
                let (name, _) = wide_str(d, end).ok_or_else(bad)?;
                if u32_at(d, 0).is_none_or(|s| s > 2) {
                    return Err(bad());
                }
                let target = targets.get(&rel).ok_or_else(|| {
                    format!("worksheet 「{}」 names a relationship ({rel}) the workbook does not have", shown(&name))
                })?;
                sheets.push((name, format!("xl/{target}")));
            }
            // BrtWbProp: calamine reads its first byte
            0x0099 if r.data.is_empty() => return Err("its workbook properties record is empty".into()),
            0x0090 => break,
            _ => {}
        }
    }
    let mut out = HashMap::new();
    for (name, path) in sheets {
        let Some(part) = parts.read(&path) else {
            return Err(format!("the part of worksheet 「{}」 ({path}) cannot be read", shown(&name)));
        };
        let view = scan_sheet(&part, strings).map_err(|e| format!("worksheet 「{}」: {e}", shown(&name)))?;
        out.insert(name, view);
    }
    Ok(out)
}

fn shown(name: &str) -> String {
    crate::text::printable_line(name).into_owned()
}

/// Refuse the binary parts calamine's .xlsb reader would index past the
/// end of when it opens the workbook. calamine tries that reader on any zip
/// that is not an .xlsx, and it reads the shared strings and the styles
/// before it looks for the workbook part, so these are checked whenever
/// they are there.
pub(crate) fn check_open(parts: &mut Parts<'_>) -> Result<(), Damaged> {
    shared_string_count(parts)?;
    check_styles(parts)?;
    if parts.has("xl/workbook.bin") {
        check_names(parts)?;
    }
    Ok(())
}

/// calamine's `read_styles`: the counts of number formats (BrtBeginFmts)
/// and cell formats (BrtBeginCellXFs), each read from 4 bytes of its own
/// record (the format records after them are read from a buffer that
/// already holds those 4 bytes).
fn check_styles(parts: &mut Parts<'_>) -> Result<(), Damaged> {
    let Some(styles) = parts.read("xl/styles.bin") else { return Ok(()) };
    let mut records = Records::new(&styles);
    while let Some(r) = records.next()? {
        if matches!(r.typ, 0x0267 | 0x0269) && r.data.len() < 4 {
            return Err("its styles part is damaged (a count of formats cut short)".into());
        }
        if r.typ == 0x0269 {
            // calamine reads no further
            break;
        }
    }
    Ok(())
}

/// calamine's `read_workbook` after the worksheets: BrtExternSheet and
/// BrtName, read into one buffer that keeps the longest record.
fn check_names(parts: &mut Parts<'_>) -> Result<(), Damaged> {
    let Some(book) = parts.read("xl/workbook.bin") else { return Ok(()) };
    let mut records = Records::new(&book);
    // the buffer holds BrtEndBundleShs when calamine goes on from it
    let mut longest = 0usize;
    while let Some(r) = records.next()? {
        if r.typ == 0x0090 {
            longest = r.data.len();
            break;
        }
    }
    while let Some(r) = records.next()? {
        longest = longest.max(r.data.len());
        match r.typ {
            0x016A => {
                // cxti, then XTI entries of 12 bytes of which calamine reads 8
                let Some(cxti) = u32_at(r.data, 0).map(|n| n as usize) else {
                    return Err("its workbook part is damaged (a BrtExternSheet cut short)".into());
                };
                let tail = (longest - 4) % 12;
                let whole = (longest - 4) / 12;
                if tail != 0 && tail < 8 && cxti > whole {
                    return Err("its workbook part is damaged (a BrtExternSheet entry cut short)".into());
                }
            }
            0x009D | 0x0225 | 0x018D | 0x0180 | 0x009A | 0x0252 | 0x0229 | 0x009B | 0x0084 => break,
            _ => {}
        }
    }
    Ok(())
}

/// The number of shared strings calamine will hold: the count in the
/// table's BrtBeginSst (it reads that many or fails). Refused where
/// calamine would index past the records it reads there.
fn shared_string_count(parts: &mut Parts<'_>) -> Result<u64, Damaged> {
    let Some(sst) = parts.read("xl/sharedStrings.bin") else { return Ok(0) };
    let mut records = Records::new(&sst);
    // calamine's buffer keeps the longest record read so far
    let mut longest = 0;
    while let Some(r) = records.next()? {
        longest = longest.max(r.data.len());
        if r.typ == 0x009F {
            if longest < 8 {
                return Err("its shared strings table is damaged (a short BrtBeginSst)".into());
            }
            return Ok(u64::from(u32_at(r.data, 4).unwrap_or(0)));
        }
    }
    Ok(0)
}

/// Scan one worksheet's part: rows, columns, defaults, formulas. `strings`:
/// how many shared strings the workbook has.
fn scan_sheet(part: &[u8], strings: u64) -> Result<SheetView, Damaged> {
    let mut out = ViewBuilder::default();
    let mut records = Records::new(part);
    let mut row = 0u32;
    let mut in_data = false;
    // calamine reads each worksheet into one buffer that only grows: a
    // short record leaves an earlier record's bytes where it indexes
    let mut longest = 0usize;
    let short = |what: &str, n: usize| format!("a {what} record of {n} bytes, too short to read");
    while let Some(r) = records.next()? {
        let d = r.data;
        longest = longest.max(d.len());
        match (in_data, r.typ) {
            // BrtWsDim: calamine takes 16 bytes
            (false, 0x0094) if longest < 16 => return Err(short("BrtWsDim", d.len())),
            // BrtWsFmtInfo: dxGCol (1/256 character, 0xFFFFFFFF: not given),
            // cchDefColWidth, miyDefRw (twips), flags (0x02 fDyZero)
            (false, 0x01E5) => {
                let (Some(dx), Some(cch), Some(height), Some(flags)) =
                    (u32_at(d, 0), u16_at(d, 4), u16_at(d, 6), u16_at(d, 8))
                else {
                    return Err(short("BrtWsFmtInfo", d.len()));
                };
                let width = if dx == 0xFFFF_FFFF { f64::from(cch) } else { f64::from(dx) / 256.0 };
                out.cols_hidden_by_default = view::narrow(width);
                out.rows_hidden_by_default = flags & 0x02 != 0 || view::flat(f64::from(height) / 20.0);
            }
            // BrtColInfo: colFirst, colLast, coldx (1/256 character), ixfe,
            // flags (0x01 fHidden)
            (false, 0x003C) => {
                let (Some(first), Some(last), Some(width), Some(flags)) =
                    (u32_at(d, 0), u32_at(d, 4), u32_at(d, 8), u16_at(d, 16))
                else {
                    return Err(short("BrtColInfo", d.len()));
                };
                if last < first {
                    return Err("a BrtColInfo record that ends before it starts".into());
                }
                out.cols(first, last, flags & 0x01 != 0 || view::narrow(f64::from(width) / 256.0));
            }
            (false, 0x0091) => in_data = true,
            (false, _) => {}
            // BrtRowHdr: rw, ixfe, miyRw (twips), padding, flags (0x10 fDyZero)
            (true, 0x0000) => {
                let (Some(rw), Some(height), Some(&flags)) = (u32_at(d, 0), u16_at(d, 8), d.get(11)) else {
                    return Err(short("BrtRowHdr", d.len()));
                };
                if rw > 0x0010_0000 {
                    // calamine stops reading the worksheet here
                    break;
                }
                row = rw;
                out.row(rw, flags & 0x10 != 0 || view::flat(f64::from(height) / 20.0));
            }
            (true, 0x0092) => break,
            // cell records: the bytes calamine indexes (column first)
            (true, typ @ 0x0002..=0x000B) => {
                let need = match typ {
                    0x0002 | 0x0007 => 12,
                    0x0003 | 0x0004 | 0x000A => 9,
                    0x0005 | 0x0009 => 16,
                    _ => 8,
                };
                if longest < need {
                    return Err(short("cell", d.len()));
                }
                if typ == 0x0007 && d.len() >= 12 && u64::from(u32_at(d, 8).unwrap_or(0)) >= strings {
                    return Err("a cell names a shared string the workbook does not have".into());
                }
                if (0x0008..=0x000B).contains(&typ)
                    && let Some(col) = u32_at(d, 0)
                {
                    out.view.add_formula((row, col));
                }
            }
            (true, _) => {}
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if typ < 0x80 {
            out.push(typ as u8);
        } else {
            out.push((typ & 0x7F) as u8 | 0x80);
            out.push((typ >> 7) as u8);
        }
        let mut n = data.len();
        loop {
            let b = (n & 0x7F) as u8;
            n >>= 7;
            out.push(if n > 0 { b | 0x80 } else { b });
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(data);
        out
    }

    fn row(r: u32, height: u16, flags: u8) -> Vec<u8> {
        let mut d = r.to_le_bytes().to_vec();
        d.extend_from_slice(&[0; 4]);
        d.extend_from_slice(&height.to_le_bytes());
        d.extend_from_slice(&[0, flags, 0, 0, 0, 0, 0]);
        rec(0x0000, &d)
    }

    fn col(first: u32, last: u32, width: u32, flags: u16) -> Vec<u8> {
        let d = [&first.to_le_bytes()[..], &last.to_le_bytes(), &width.to_le_bytes(), &[0; 4], &flags.to_le_bytes()]
            .concat();
        rec(0x003C, &d)
    }

    fn sheet(head: &[Vec<u8>], data: &[Vec<u8>]) -> Vec<u8> {
        let mut out = rec(0x0081, &[]);
        out.extend(rec(0x0094, &[0; 16]));
        for r in head {
            out.extend_from_slice(r);
        }
        out.extend(rec(0x0091, &[]));
        for r in data {
            out.extend_from_slice(r);
        }
        out.extend(rec(0x0092, &[]));
        out
    }

    #[test]
    fn rows_and_columns_hidden_or_too_small() {
        let part = sheet(
            &[col(1, 2, 0, 0x0002), col(4, 4, 10 * 256, 0x0001), col(5, 5, 12 * 256, 0)],
            &[row(0, 300, 0), row(1, 300, 0x10), row(2, 0, 0x20), row(3, 300, 0)],
        );
        let v = scan_sheet(&part, 0).unwrap();
        assert_eq!(v.hidden_rows.ranges(), [(1, 2)]);
        assert_eq!(v.hidden_cols.ranges(), [(1, 2), (4, 4)]);
        assert!(!v.hides((0, 0)) && !v.hides((3, 5)) && v.hides((0, 4)) && v.hides((2, 0)));
    }

    #[test]
    fn rows_hidden_by_default() {
        let fmt = [&0xFFFF_FFFFu32.to_le_bytes()[..], &8u16.to_le_bytes(), &300u16.to_le_bytes(), &2u16.to_le_bytes()]
            .concat();
        let part = sheet(&[rec(0x01E5, &fmt)], &[row(3, 300, 0)]);
        let v = scan_sheet(&part, 0).unwrap();
        assert!(v.row_hidden(0) && v.row_hidden(2) && !v.row_hidden(3) && v.row_hidden(4));
    }

    #[test]
    fn formulas_are_placed_by_their_row() {
        let cell = |c: u32| rec(0x0009, &[&c.to_le_bytes()[..], &[0; 12]].concat());
        let part = sheet(&[], &[row(7, 300, 0), cell(2), row(9, 300, 0), cell(0)]);
        let v = scan_sheet(&part, 0).unwrap();
        assert_eq!(v.formulas, [(7, 2), (9, 0)].into_iter().collect());
    }

    #[test]
    fn short_or_impossible_records_are_refused() {
        for (bad, why) in [
            (sheet(&[], &[rec(0x0000, &[1, 0, 0, 0])]), "BrtRowHdr record of 4 bytes"),
            (sheet(&[rec(0x003C, &[0; 10])], &[]), "BrtColInfo record of 10 bytes"),
            (sheet(&[col(5, 2, 0, 1)], &[]), "ends before it starts"),
            (sheet(&[], &[row(0, 300, 0), rec(0x0007, &[0; 12])]), "shared string"),
            ([rec(0x0081, &[]), rec(0x0094, &[0; 8])].concat(), "BrtWsDim"),
            (vec![0x00, 0x85], "cut short"),
        ] {
            let e = scan_sheet(&bad, 0).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        // a row past the last calamine reads ends the worksheet, as for calamine
        let part = sheet(&[], &[row(0x0010_0001, 300, 0x10)]);
        assert!(scan_sheet(&part, 0).unwrap().hidden_rows.ranges().is_empty());
    }

    fn parts_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in files {
            z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn what_calamine_would_index_past_when_it_opens_is_refused() {
        let check = |files: &[(&str, Vec<u8>)]| {
            let bytes = parts_of(files);
            check_open(&mut Parts::new(&bytes).unwrap())
        };
        // a shared strings table whose BrtBeginSst is too short for its count
        assert!(check(&[("xl/sharedStrings.bin", rec(0x009F, &[0; 4]))]).unwrap_err().contains("BrtBeginSst"));
        assert_eq!(check(&[("xl/sharedStrings.bin", rec(0x009F, &[0, 0, 0, 0, 3, 0, 0, 0]))]), Ok(()));
        // a count of cell formats cut short
        assert!(check(&[("xl/styles.bin", rec(0x0269, &[1]))]).unwrap_err().contains("count of formats"));
        let styles = [rec(0x0269, &1u32.to_le_bytes()), rec(0x002F, &[0, 0])].concat();
        assert_eq!(check(&[("xl/styles.bin", styles)]), Ok(()));
        // an external sheet list whose last entry is cut short within its count
        let book = |xti: Vec<u8>| [rec(0x0090, &[]), rec(0x016A, &xti), rec(0x009D, &[0; 26])].concat();
        let short = [&2u32.to_le_bytes()[..], &[0; 12], &[0; 5]].concat();
        assert!(check(&[("xl/workbook.bin", book(short))]).unwrap_err().contains("BrtExternSheet"));
        let whole = [&2u32.to_le_bytes()[..], &[0; 24]].concat();
        assert_eq!(check(&[("xl/workbook.bin", book(whole))]), Ok(()));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        for n in 0..64u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ n).collect();
            let _ = scan_sheet(&bytes, 3);
        }
    }
}

//! Bounds on an `.xls` (BIFF in an OLE compound file), checked before
//! calamine opens it.
//!
//! calamine's BIFF reader loads every worksheet when the workbook is opened,
//! each as a dense range from its first to its last cell (and reserves room
//! for the range a sheet's DIMENSIONS record declares): one cell at IV65536
//! made a 5.6 KB file take 1 GB, and 40 such sheets aborted on a failed
//! allocation. The zip-level bounds of `xlsx.rs` do not apply to BIFF. So
//! the compound file and its Workbook stream are read here first, cheaply
//! and exactly as calamine will read them, and refused when:
//!
//! - the ranges calamine would allocate (declared, and spanned by the cells
//!   and by the formulas, per worksheet, over all worksheets) exceed
//!   [`limits::CELLS`](super::xlsx::limits::CELLS) cells;
//! - the text it would copy into cells (each reference to a shared string
//!   is a copy) or build for formulas exceeds
//!   [`limits::CELL_TEXT`](super::xlsx::limits::CELL_TEXT);
//! - the file is damaged where calamine would loop forever, grow a buffer
//!   without end, or index out of bounds: a sector chain that loops, a FAT
//!   that names more sectors than the file has, a worksheet offset past the
//!   stream's end, an impossible DIMENSIONS or MULRK record, a record
//!   followed by more CONTINUE records than a real file has (calamine takes
//!   each from the front of a vector: quadratic).
//!
//! calamine also prints every formula of every worksheet when it opens the
//! workbook, and its printer is neither linear (a space token inserts up to
//! 255 characters at the front of what it has printed, one at a time) nor
//! safe (it indexes past a token's end on a short record). kaiji reads
//! cell values, never formulas: so the formulas calamine would print are
//! emptied (their token length set to 0) in a copy of the file handed to
//! calamine, which then prints a short "unrecognised formula" for each; the
//! value a formula last had, which is what kaiji reads, is kept.
//!
//! The same walk reads what a person sees of each worksheet (calamine reads
//! none of it): the ROW records (a row hidden, `fDyZero`, or under 2 pt
//! tall), the COLINFO records (a column hidden, `fHidden`, or under half a
//! character wide), the default row height (rows "hidden by default") and
//! column width, and where the formulas are. A ROW, COLINFO or default
//! record too short to say is refused as damaged: the rows it would hide
//! cannot be told, and a row a person does not see is never read.
//!
//! What calamine would simply refuse (no OLE signature, a missing stream, a
//! truncated record) is left to calamine to report.

use super::view::{self, SheetView, ViewBuilder};
use super::xlsx::limits;

/// Why an `.xls` is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// More than kaiji reads (the message names the worksheet and range).
    TooBig(String),
    /// Damaged where the reader would not end or would crash.
    Damaged(String),
}

const SIGNATURE: &[u8; 8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// CONTINUE records after one record: a 64 MiB stream of full (8,224-byte)
/// records has about 8,200.
const MAX_CONTINUES: usize = 10_000;
/// An `.xls` file: calamine copies it whole, then its Workbook stream, then
/// the stream's strings (a disclosure workbook is well under 1 MiB; one
/// with pictures a few).
pub const MAX_FILE: usize = 16 << 20;
/// Bytes of UTF-8 a decoded byte of BIFF text can become at most (a byte
/// that is no character of the code page decodes to U+FFFD).
const UTF8_PER_BYTE: u64 = 3;

fn damaged(why: impl Into<String>) -> Refusal {
    Refusal::Damaged(format!("the .xls is damaged: {}", why.into()))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// What [`check`] found in an `.xls` calamine will be given.
#[derive(Debug)]
pub struct Checked {
    /// Where the workbook has formulas, the copy to hand calamine instead
    /// (see the module's documentation).
    pub copy: Option<Vec<u8>>,
    /// What each worksheet shows, in the order of the workbook's sheet
    /// records (calamine's `sheets_metadata` order).
    pub views: Vec<SheetView>,
}

/// Check an `.xls`; anything without the OLE signature is not one, and
/// `None` where calamine will refuse the file itself.
pub fn check(bytes: &[u8]) -> Result<Option<Checked>, Refusal> {
    if bytes.len() < 512 || !bytes.starts_with(SIGNATURE) {
        return Ok(None);
    }
    if bytes.len() > MAX_FILE {
        return Err(Refusal::TooBig(format!(
            "the .xls is {}; kaiji reads .xls workbooks of up to {} (calamine holds such a file several times over)",
            crate::walk::show_size(bytes.len() as u64),
            crate::walk::show_size(MAX_FILE as u64)
        )));
    }
    let Some(stream) = workbook_stream(bytes)? else { return Ok(None) };
    let (formulas, views) = check_biff(&stream.data)?;
    if formulas.is_empty() {
        return Ok(Some(Checked { copy: None, views }));
    }
    let mut copy = bytes.to_vec();
    for at in formulas {
        // the formula's token length (`cce`), two bytes that may straddle sectors
        for k in [at, at + 1] {
            let Some(b) = stream.file_offset(k).and_then(|o| copy.get_mut(o)) else { continue };
            *b = 0;
        }
    }
    Ok(Some(Checked { copy: Some(copy), views }))
}

/// The Workbook stream, and where each of its bytes is in the file.
struct Stream {
    data: Vec<u8>,
    /// The size of the sectors it was read from.
    chunk: usize,
    /// The file offset of each of those sectors, in stream order.
    at: Vec<usize>,
}

impl Stream {
    fn file_offset(&self, k: usize) -> Option<usize> {
        Some(self.at.get(k / self.chunk)? + k % self.chunk)
    }
}

/// The compound file's sectors as calamine's reader numbers them.
struct Sectors<'a> {
    bytes: &'a [u8],
    /// The header's size: sector 0 starts after it.
    header: usize,
    size: usize,
    /// calamine's `maxid`: the highest sector id it reads.
    maxid: u32,
}

impl<'a> Sectors<'a> {
    /// A sector; at the end of the file, what there is of it (as calamine).
    /// `Ok(None)`: calamine returns an error; `Err`: a sector that starts
    /// past the end of the file (calamine's reader slices past what it
    /// read: a panic).
    fn get(&self, id: u32) -> Result<Option<&'a [u8]>, Refusal> {
        let Some(start) = self.offset(id) else { return Ok(None) };
        let end = start.saturating_add(self.size).min(self.bytes.len());
        match self.bytes.get(start..end) {
            Some(sector) => Ok(Some(sector)),
            None => Err(damaged(format!("it names sector {id}, which lies past the end of the file"))),
        }
    }

    fn offset(&self, id: u32) -> Option<usize> {
        if id > self.maxid {
            return None;
        }
        self.header.checked_add((id as usize).checked_mul(self.size)?)
    }

    /// A chain as calamine's `get_chain` reads it (up to `len` bytes, or to
    /// its end), refusing what would make calamine loop or panic.
    /// `Ok(None)`: calamine returns an error here.
    fn chain(&self, start: u32, fats: &[u32], len: usize, what: &str) -> Result<Option<Stream>, Refusal> {
        let mut out = Vec::new();
        let mut at = Vec::new();
        let mut seen = vec![false; self.maxid as usize + 1];
        let mut id = start;
        while id != ENDOFCHAIN {
            let Some(sector) = self.get(id)? else { return Ok(None) };
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(damaged(format!("the sector chain of its {what} loops back on itself")));
            }
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            at.extend(self.offset(id));
            if out.len() >= len {
                break;
            }
            id = *fats
                .get(id as usize)
                .ok_or_else(|| damaged(format!("the sector chain of its {what} leaves the allocation table")))?;
        }
        Ok(Some(Stream { data: out, chunk: self.size, at }))
    }
}

/// A sector of the allocation table (or of the list of its sectors) that
/// the end of the file cuts short: calamine asserts that such a table is
/// whole 4-byte entries, and reads the zeros it pads a sector with where it
/// reads one twice.
fn whole_table(sector: &[u8], size: usize) -> Result<(), Refusal> {
    if sector.len() < size {
        return Err(damaged("its allocation table is cut short by the end of the file"));
    }
    Ok(())
}

/// The Workbook (or Book) stream, as calamine reads it; `None` where
/// calamine cannot open the file (it says why).
fn workbook_stream(bytes: &[u8]) -> Result<Option<Stream>, Refusal> {
    let h = &bytes[..512];
    let version = u16_at(h, 26).unwrap_or(0);
    let (size, header) = match u16_at(h, 30) {
        Some(0x0009) => (512usize, 512usize),
        Some(0x000C) if bytes.len() >= 4096 => (4096, 4096),
        _ => return Ok(None),
    };
    if u16_at(h, 32) != Some(0x0006) {
        return Ok(None);
    }
    let field = |at| u32_at(h, at).unwrap_or(0);
    let (dir_start, mini_fat_start, mini_fat_len, difat_start) = (field(48), field(60), field(64), field(68));
    let maxid = u32::try_from(bytes.len() / size).unwrap_or(u32::MAX);
    let sectors = Sectors { bytes, header, size, maxid };

    // The DIFAT: the header's 109 entries, then a chain of DIFAT sectors.
    let mut difat: Vec<u32> = h[76..512].chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let mut id = difat_start;
    let mut difat_sectors = 0usize;
    while id < RESERVED_SECTORS {
        difat_sectors += 1;
        if difat_sectors > maxid as usize + 1 {
            return Ok(None);
        }
        let Some(sector) = sectors.get(id)? else { return Ok(None) };
        whole_table(sector, size)?;
        difat.extend(sector.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())));
        let Some(next) = difat.pop() else { return Ok(None) };
        id = next;
    }
    // The FAT: calamine loads every sector the DIFAT names, repeats and all.
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
    if fat_sectors.len() > maxid as usize + 1 {
        return Err(damaged(format!(
            "its allocation table lists {} sectors; the file has {}",
            fat_sectors.len(),
            maxid as usize + 1
        )));
    }
    let mut fats = Vec::with_capacity(fat_sectors.len() * size / 4);
    for id in fat_sectors {
        let Some(sector) = sectors.get(id)? else { return Ok(None) };
        whole_table(sector, size)?;
        fats.extend(sector.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())));
    }

    // The directory: 128-byte entries, names in UTF-16.
    let Some(dirs) = sectors.chain(dir_start, &fats, usize::MAX, "directory")? else { return Ok(None) };
    let entries: Vec<(String, u32, usize)> = dirs
        .data
        .chunks_exact(128)
        .map(|e| {
            let name = String::from_utf16_lossy(
                &e[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>(),
            );
            let name = name.split('\0').next().unwrap_or("").to_string();
            let start = u32_at(e, 116).unwrap_or(0);
            let len = if size == 512 {
                u32_at(e, 120).unwrap_or(0) as usize
            } else {
                u64::from_le_bytes(e[120..128].try_into().unwrap()).try_into().unwrap_or(usize::MAX)
            };
            (name, start, len)
        })
        .collect();
    let Some(root) = entries.first() else { return Ok(None) };
    if version != 3 && root.1 == ENDOFCHAIN {
        return Ok(None);
    }
    let (ministream, mini_fats) = if mini_fat_len > 0 {
        let Some(ministream) = sectors.chain(root.1, &fats, root.2, "mini stream")? else { return Ok(None) };
        let minifat_len = (mini_fat_len as usize).saturating_mul(size);
        let Some(minifat) = sectors.chain(mini_fat_start, &fats, minifat_len, "mini allocation table")? else {
            return Ok(None);
        };
        if minifat.data.len() % 4 != 0 {
            return Err(damaged("its mini allocation table is cut short by the end of the file"));
        }
        (ministream, minifat.data.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect())
    } else {
        (Stream { data: Vec::new(), chunk: size, at: Vec::new() }, Vec::new())
    };

    // calamine tries "Workbook", and "Book" if that fails for any reason.
    for wanted in ["Workbook", "Book"] {
        let Some((_, start, len)) = entries.iter().find(|e| e.0.eq_ignore_ascii_case(wanted)) else { continue };
        let stream = if *len < 4096 {
            // mini sectors of 64 bytes inside the mini stream; calamine
            // reads past its end from wherever its reader happens to be
            let mini_maxid = maxid.saturating_mul(8);
            let mut id = *start;
            let mut out = Vec::new();
            let mut at = Vec::new();
            let mut seen = std::collections::HashSet::new();
            loop {
                if id == ENDOFCHAIN {
                    break Some(Stream { data: out, chunk: 64, at });
                }
                if id > mini_maxid {
                    break None;
                }
                let from = id as usize * 64;
                let Some(file_at) = ministream.file_offset(from).filter(|_| from + 64 <= ministream.data.len()) else {
                    return Err(damaged(format!("its {wanted} stream lies outside its mini stream")));
                };
                if !seen.insert(id) {
                    return Err(damaged(format!("the sector chain of its {wanted} stream loops back on itself")));
                }
                let take = 64.min(len - out.len());
                out.extend_from_slice(&ministream.data[from..from + take]);
                at.push(file_at);
                if out.len() >= *len {
                    break Some(Stream { data: out, chunk: 64, at });
                }
                id = *mini_fats.get(id as usize).ok_or_else(|| {
                    damaged(format!("the sector chain of its {wanted} stream leaves the allocation table"))
                })?;
            }
        } else {
            sectors.chain(*start, &fats, *len, &format!("{wanted} stream"))?
        };
        if let Some(stream) = stream {
            return Ok(Some(stream));
        }
    }
    Ok(None)
}

/// A record and the CONTINUE records after it, as calamine's `RecordIter`
/// joins them.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
}

/// calamine's `RecordIter`; `Err` for what calamine must not be given,
/// `Ok(None)` at the end or where calamine stops with an error.
fn next_record<'a>(stream: &mut &'a [u8]) -> Result<Option<Record<'a>>, Refusal> {
    let s = *stream;
    if s.len() < 4 {
        return Ok(None);
    }
    let typ = u16_at(s, 0).unwrap_or(0);
    let len = u16_at(s, 2).unwrap_or(0) as usize;
    let Some(data) = s.get(4..4 + len) else { return Ok(None) };
    let mut rest = &s[4 + len..];
    let mut cont = Vec::new();
    while rest.len() > 4 && u16_at(rest, 0) == Some(0x003C) {
        let l = u16_at(rest, 2).unwrap_or(0) as usize;
        let Some(c) = rest.get(4..4 + l) else { return Ok(None) };
        cont.push(c);
        if cont.len() > MAX_CONTINUES {
            return Err(damaged(format!("a record is continued over more than {MAX_CONTINUES} records")));
        }
        rest = &rest[4 + l..];
    }
    *stream = rest;
    Ok(Some(Record { typ, data, cont }))
}

/// The Workbook stream: its globals, then each worksheet calamine reads.
/// The stream offsets of the formulas calamine would print, and what each
/// worksheet shows (none where calamine will refuse the workbook).
fn check_biff(stream: &[u8]) -> Result<(Vec<usize>, Vec<SheetView>), Refusal> {
    let mut globals = stream;
    let mut sheets: Vec<(usize, String)> = Vec::new();
    let mut strings: Vec<u64> = Vec::new();
    let mut biff8 = true;
    while let Some(mut r) = next_record(&mut globals)? {
        if let Some(what) = short_global(r.typ, r.data) {
            return Err(damaged(format!("its {what} record ({} bytes) is cut short", r.data.len())));
        }
        match r.typ {
            0x002F if u16_at(r.data, 0).unwrap_or(0) != 0 => return Ok(Default::default()), // encrypted: calamine refuses
            0x0809 => biff8 = u16_at(r.data, 0) == Some(0x0600),
            0x0085 => {
                let Some(pos) = u32_at(r.data, 0) else { return Ok(Default::default()) };
                sheets.push((pos as usize, short_string(r.data.get(6..).unwrap_or(&[]), biff8)));
            }
            0x00FC => strings = sst_lengths(&mut r)?,
            0x000A => break,
            _ => {}
        }
    }
    let mut total = Totals::default();
    let mut formulas = Vec::new();
    let mut views = Vec::with_capacity(sheets.len());
    for (pos, name) in &sheets {
        let shown = crate::text::printable_line(name).into_owned();
        let Some(sheet) = stream.get(*pos..) else {
            return Err(damaged(format!(
                "worksheet 「{shown}」 starts at byte {pos}, past the end of its {}-byte Workbook stream",
                stream.len()
            )));
        };
        let mut view = ViewBuilder::default();
        check_sheet(sheet, stream.len() - sheet.len(), &shown, &strings, &mut total, &mut formulas, &mut view)?;
        views.push(view.finish());
    }
    Ok((formulas, views))
}

/// A workbook-globals record shorter than the bytes calamine's reader
/// indexes in it without checking (it would panic): its name.
fn short_global(typ: u16, d: &[u8]) -> Option<&'static str> {
    let (what, need) = match typ {
        0x002F => ("FILEPASS", 2),
        0x0042 => ("CODEPAGE", 2),
        0x0022 => ("DATEMODE", 2),
        0x0809 => ("BOF", 2),
        0x0017 => ("EXTERNSHEET", 2),
        0x0085 => ("BOUNDSHEET", 6),
        // a defined name: its formula's length at 4, its text from 14, the
        // formula at the end
        0x0018 => ("NAME", 14.max(u16_at(d, 4).map_or(0, usize::from))),
        _ => return None,
    };
    (d.len() < need).then_some(what)
}

/// The lengths, in UTF-8 bytes at most, of the shared strings, read as
/// calamine's `parse_sst` reads them (each a `String` it holds: at most
/// [`limits::SHARED_STRING_COUNT`] of them, as in an xlsx).
fn sst_lengths(r: &mut Record<'_>) -> Result<Vec<u64>, Refusal> {
    let mut out = Vec::new();
    let Some(mut data) = r.data.get(8..) else { return Ok(out) };
    let mut cont = r.cont.iter();
    loop {
        if out.len() as u64 > limits::SHARED_STRING_COUNT {
            return Err(Refusal::TooBig(format!(
                "the workbook has more than {} shared strings",
                limits::SHARED_STRING_COUNT
            )));
        }
        if data.is_empty() {
            match cont.next() {
                Some(c) => data = c,
                None => return Ok(out),
            }
            continue;
        }
        if data.len() < 3 {
            return Ok(out);
        }
        let cch = u16_at(data, 0).unwrap_or(0) as usize;
        let flags = data[2];
        data = &data[3..];
        let mut high = flags & 1 != 0;
        let mut skip_after = 0usize;
        if flags & 0x8 != 0 {
            let Some(runs) = u16_at(data, 0) else { return Ok(out) };
            skip_after += runs as usize * 4;
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            let Some(ext) = u32_at(data, 0) else { return Ok(out) };
            // calamine reads it as an i32 cast to usize
            skip_after = skip_after.saturating_add(ext as i32 as usize);
            data = &data[4..];
        }
        // the characters: 1 or 2 bytes each, a new flag byte in each CONTINUE
        let mut left = cch;
        let mut decoded_bytes = 0u64;
        while left > 0 {
            let l = if high { (data.len() / 2).min(left) } else { data.len().min(left) };
            decoded_bytes += 2 * l as u64;
            data = &data[if high { 2 * l } else { l }..];
            left -= l;
            if left > 0 {
                match cont.next() {
                    Some(c) if !c.is_empty() => {
                        high = c[0] & 1 != 0;
                        data = &c[1..];
                    }
                    // calamine indexes the flag byte of an empty CONTINUE: stop here
                    _ => return Ok(out),
                }
            }
        }
        out.push(decoded_bytes * UTF8_PER_BYTE);
        // the formatting runs and phonetic data after the characters
        while skip_after > 0 {
            if data.is_empty() {
                match cont.next() {
                    Some(c) => data = c,
                    None => return Ok(out),
                }
                continue;
            }
            let l = skip_after.min(data.len());
            data = &data[l..];
            skip_after -= l;
        }
    }
}

/// A BoundSheet8 name, for messages.
fn short_string(b: &[u8], biff8: bool) -> String {
    let Some(&cch) = b.first() else { return String::new() };
    let cch = cch as usize;
    if biff8 && b.get(1).is_some_and(|f| f & 1 != 0) {
        let units: Vec<u16> =
            b.get(2..).unwrap_or(&[]).chunks_exact(2).take(cch).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        let from = if biff8 { 2 } else { 1 };
        b.get(from..).unwrap_or(&[]).iter().take(cch).map(|&c| c as char).collect()
    }
}

/// What calamine will hold for the worksheets read so far.
#[derive(Default)]
struct Totals {
    /// Dense cells of the ranges (declared, of the cells, of the formulas).
    cells: u64,
    /// Cells calamine collects before it builds the ranges (a position may
    /// repeat: the range stays small, the list does not).
    listed: u64,
    text: u64,
}

/// The smallest range holding every position, as calamine's `from_sparse`.
#[derive(Default)]
struct Span(Option<((u32, u32), (u32, u32))>);

impl Span {
    fn add(&mut self, (r, c): (u32, u32)) {
        self.0 = Some(match self.0 {
            None => ((r, c), (r, c)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(r), c0.min(c)), (r1.max(r), c1.max(c))),
        });
    }

    fn cells(&self) -> u64 {
        self.0.map_or(0, |((r0, c0), (r1, c1))| u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1))
    }

    fn shown(&self) -> String {
        self.0.map_or_else(String::new, |(a, b)| format!("{}:{}", a1(a), a1(b)))
    }
}

/// `IV65536`: Excel's name of a 0-based (row, column).
fn a1((r, c): (u32, u32)) -> String {
    let mut c = c as usize;
    let mut col = Vec::new();
    loop {
        col.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    col.reverse();
    format!("{}{}", String::from_utf8_lossy(&col), u64::from(r) + 1)
}

/// One worksheet's records as calamine reads them: from its BOF to its EOF,
/// nested substreams (charts) skipped. `base` is where `s` starts in the
/// stream; the formulas calamine would print go to `formulas` (the stream
/// offset of each one's token length), what the worksheet shows to `view`.
fn check_sheet(
    mut s: &[u8],
    base: usize,
    name: &str,
    strings: &[u64],
    total: &mut Totals,
    formulas: &mut Vec<usize>,
    view: &mut ViewBuilder,
) -> Result<(), Refusal> {
    let unknown = |what: &str, n: usize| {
        damaged(format!(
            "worksheet 「{name}」 has a {what} record of {n} bytes, too short to say which rows and columns are \
             hidden"
        ))
    };
    // DEFCOLWIDTH (characters) and STANDARDWIDTH (1/256 character), which wins
    let (mut default_width, mut standard_width) = (None::<f64>, None::<f64>);
    let start = s.as_ptr() as usize;
    let (mut declared, mut cells, mut formula_span) = (0u64, Span::default(), Span::default());
    let mut declared_shown = String::new();
    let (mut seen_bof, mut depth, mut fmla_pos) = (false, 0usize, (0u32, 0u32));
    let (mut text, mut listed) = (0u64, 0u64);
    let pos = |d: &[u8]| -> Option<(u32, u32)> { Some((u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?))) };
    while let Some(r) = next_record(&mut s)? {
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            // MERGECELLS: a count, then 8 bytes each (calamine reads them unchecked)
            0x00E5 if d.len() < 2 + 8 * usize::from(u16_at(d, 0).unwrap_or(u16::MAX)) => {
                return Err(damaged(format!("worksheet 「{name}」 has a MERGECELLS record cut short")));
            }
            0x0200 => {
                let (n, shown) = dimensions(d).ok_or_else(|| {
                    damaged(format!("worksheet 「{name}」 declares an impossible range (its DIMENSIONS record)"))
                })?;
                declared = declared.saturating_add(n);
                declared_shown = shown;
            }
            // Number, BoolErr, Rk (calamine refuses shorter ones)
            0x0203 | 0x0205 | 0x027E if d.len() >= 8 => push(&mut cells, &mut listed, pos(d).unwrap_or_default()),
            // Label, RString: text in the record
            0x0204 | 0x00D6 if d.len() >= 6 => {
                push(&mut cells, &mut listed, pos(d).unwrap_or_default());
                text += d.len() as u64 * 2 * UTF8_PER_BYTE;
            }
            // LabelSst: a copy of a shared string
            0x00FD if d.len() >= 10 => {
                if let Some(len) = strings.get(u32_at(d, 6).unwrap_or(0) as usize) {
                    push(&mut cells, &mut listed, pos(d).unwrap_or_default());
                    text += len;
                }
            }
            // String: the text value of the formula before it
            0x0207 => {
                push(&mut cells, &mut listed, fmla_pos);
                text += d.len() as u64 * 2 * UTF8_PER_BYTE;
            }
            // MulRk: a row of cells from one column to another
            0x00BD if d.len() >= 6 => {
                let (row, first) = pos(d).unwrap_or_default();
                let last = u32::from(u16_at(d, d.len() - 2).unwrap_or(0));
                if last < first {
                    return Err(damaged(format!("worksheet 「{name}」 has a MULRK record that ends before it starts")));
                }
                cells.add((row, first));
                cells.add((row, last));
                listed += u64::from(last - first + 1);
            }
            // Formula: its value is a cell; calamine prints its tokens
            0x0006 if d.len() >= 20 => {
                if d.len() < 22 {
                    return Err(damaged(format!("worksheet 「{name}」 has a FORMULA record without its formula")));
                }
                fmla_pos = pos(d).unwrap_or_default();
                push(&mut cells, &mut listed, fmla_pos);
                formula_span.add(fmla_pos);
                view.view.add_formula(fmla_pos);
                listed += 1;
                formulas.push(base + (d.as_ptr() as usize - start) + 20);
            }
            // ROW: rw, colMic, colMac, miyRw (twips; bit 15 "default height"
            // in older writers), reserved, grbit (0x20 fDyZero: hidden), ixfe
            0x0208 => {
                let (Some(rw), Some(height), Some(grbit)) = (u16_at(d, 0), u16_at(d, 6), u16_at(d, 12)) else {
                    return Err(unknown("ROW", d.len()));
                };
                let flat = height & 0x8000 == 0 && view::flat(f64::from(height) / 20.0);
                view.row(u32::from(rw), grbit & 0x20 != 0 || flat);
            }
            // COLINFO: colFirst, colLast, coldx (1/256 character), ixfe,
            // flags (0x01 fHidden)
            0x007D => {
                let (Some(first), Some(last), Some(width), Some(flags)) =
                    (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 8))
                else {
                    return Err(unknown("COLINFO", d.len()));
                };
                if last < first {
                    return Err(damaged(format!(
                        "worksheet 「{name}」 has a COLINFO record that ends before it starts"
                    )));
                }
                let narrow = view::narrow(f64::from(width) / 256.0);
                view.cols(u32::from(first), u32::from(last), flags & 0x01 != 0 || narrow);
            }
            // DEFAULTROWHEIGHT: grbit (0x02 fDyZero: rows hidden by default), miyRw
            0x0225 => {
                let (Some(grbit), Some(height)) = (u16_at(d, 0), u16_at(d, 2)) else {
                    return Err(unknown("DEFAULTROWHEIGHT", d.len()));
                };
                view.rows_hidden_by_default = grbit & 0x02 != 0 || view::flat(f64::from(height) / 20.0);
            }
            0x0055 => {
                let Some(w) = u16_at(d, 0) else { return Err(unknown("DEFCOLWIDTH", d.len())) };
                default_width = Some(f64::from(w));
            }
            0x0099 => {
                let Some(w) = u16_at(d, 0) else { return Err(unknown("STANDARDWIDTH", d.len())) };
                standard_width = Some(f64::from(w) / 256.0);
            }
            0x000A => break,
            _ => {}
        }
    }
    view.cols_hidden_by_default = standard_width.or(default_width).is_some_and(view::narrow);
    let limit = limits::CELLS as u64;
    let over = |what: String, n: u64| {
        Refusal::TooBig(format!(
            "worksheet 「{name}」 {what} ({n} cells); an .xls worksheet is read as one dense range, and kaiji reads \
             up to {limit} cells in all the workbook's worksheets"
        ))
    };
    if declared > limit {
        return Err(over(format!("declares the range {declared_shown}"), declared));
    }
    if cells.cells() > limit {
        return Err(over(format!("has cells from {}", cells.shown().replace(':', " to ")), cells.cells()));
    }
    if formula_span.cells() > limit {
        return Err(over(
            format!("has formulas from {}", formula_span.shown().replace(':', " to ")),
            formula_span.cells(),
        ));
    }
    total.cells = total.cells.saturating_add(declared + cells.cells() + formula_span.cells());
    if total.cells > limit {
        return Err(Refusal::TooBig(format!(
            "worksheet 「{name}」 brings the ranges of the workbook's worksheets to {} cells; an .xls worksheet is \
             read as one dense range, and kaiji reads up to {limit} cells in all",
            total.cells
        )));
    }
    total.listed = total.listed.saturating_add(listed);
    if total.listed > limit {
        return Err(Refusal::TooBig(format!(
            "worksheet 「{name}」: the workbook has more than {limit} cell and formula records"
        )));
    }
    total.text = total.text.saturating_add(text);
    if total.text > limits::CELL_TEXT as u64 {
        return Err(Refusal::TooBig(format!(
            "worksheet 「{name}」: the workbook's cells hold more than {} of text",
            crate::walk::show_size(limits::CELL_TEXT as u64)
        )));
    }
    Ok(())
}

fn push(cells: &mut Span, listed: &mut u64, at: (u32, u32)) {
    cells.add(at);
    *listed += 1;
}

/// The cells calamine reserves for a DIMENSIONS record, and the range as
/// Excel names it; `None` where calamine's arithmetic would overflow.
fn dimensions(d: &[u8]) -> Option<(u64, String)> {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?), u32::from(u16_at(d, 4)?), u32::from(u16_at(d, 6)?)),
        14 | 16 => (u32_at(d, 0)?, u32_at(d, 4)?, u32::from(u16_at(d, 8)?), u32::from(u16_at(d, 10)?)),
        // calamine refuses the workbook
        _ => return Some((0, String::new())),
    };
    let cf = if 0xFF < cf || cl < cf { 0 } else { cf };
    let (start, end) = if 1 <= rl && 1 <= cl { ((rf, cf), (rl - 1, cl - 1)) } else { ((rf, cf), (rf, cf)) };
    let rows = end.0.checked_sub(start.0)?.checked_add(1)?;
    let cols = end.1.checked_sub(start.1)?.checked_add(1)?;
    Some((u64::from(rows) * u64::from(cols), format!("{}:{}", a1(start), a1(end))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_as_calamine_computes_them() {
        let biff8 = |rf: u32, rl: u32, cf: u16, cl: u16| {
            [&rf.to_le_bytes()[..], &rl.to_le_bytes(), &cf.to_le_bytes(), &cl.to_le_bytes(), &[0, 0]].concat()
        };
        assert_eq!(dimensions(&biff8(0, 65536, 0, 256)), Some((65536 * 256, "A1:IV65536".into())));
        assert_eq!(dimensions(&biff8(0, 10, 0, 3)), Some((30, "A1:C10".into())));
        // an empty sheet's record
        assert_eq!(dimensions(&biff8(0, 0, 0, 0)), Some((1, "A1:A1".into())));
        // first row after the last: calamine's subtraction would overflow
        assert_eq!(dimensions(&biff8(20, 10, 0, 3)), None);
        assert_eq!(dimensions(&biff8(5, 5, 0, 3)), None);
    }

    #[test]
    fn shared_string_lengths_follow_continue_records() {
        // two strings: "ab" (compressed) and "あ" (UTF-16), the second split
        // over a CONTINUE whose flag byte says UTF-16
        let sst = [&[0u8; 8][..], &[2, 0, 0, b'a', b'b'], &[1, 0, 1]].concat();
        let cont = [&[1u8][..], &0x3042u16.to_le_bytes()].concat();
        let mut r = Record { typ: 0x00FC, data: &sst, cont: vec![&cont] };
        assert_eq!(sst_lengths(&mut r).unwrap(), vec![2 * 2 * UTF8_PER_BYTE, 2 * UTF8_PER_BYTE]);
    }

    #[test]
    fn cell_names() {
        assert_eq!(a1((0, 0)), "A1");
        assert_eq!(a1((65535, 255)), "IV65536");
        assert_eq!(a1((9, 26)), "AA10");
    }

    #[test]
    fn an_ole_file_over_the_size_limit_is_refused_by_its_size() {
        let mut big = SIGNATURE.to_vec();
        big.resize(MAX_FILE + 1, 0);
        let Err(Refusal::TooBig(m)) = check(&big) else { panic!("refused") };
        assert!(m.contains("kaiji reads .xls workbooks of up to 16 MiB"), "{m}");
        big.truncate(MAX_FILE);
        // within the size, but no compound file calamine could read: calamine says so
        assert!(matches!(check(&big), Ok(None)));
    }

    /// A compound file's header naming `fat` as its one FAT sector, padded
    /// to `len` bytes.
    fn header(fat: u32, len: usize) -> Vec<u8> {
        let mut file = vec![0u8; len];
        file[..8].copy_from_slice(SIGNATURE);
        file[26..28].copy_from_slice(&3u16.to_le_bytes());
        file[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        file[30..32].copy_from_slice(&9u16.to_le_bytes());
        file[32..34].copy_from_slice(&6u16.to_le_bytes());
        file[44..48].copy_from_slice(&1u32.to_le_bytes());
        file[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        file[76..80].copy_from_slice(&fat.to_le_bytes());
        for i in 1..109 {
            file[76 + 4 * i..80 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        }
        file
    }

    #[test]
    fn an_allocation_table_cut_short_by_the_end_of_the_file_is_refused() {
        // the file ends 334 bytes into its FAT sector (calamine asserted on
        // the 334 bytes: a fuzz input)
        let Err(Refusal::Damaged(m)) = check(&header(0, 512 + 334)) else { panic!("refused") };
        assert!(m.contains("allocation table is cut short"), "{m}");
        // its FAT sector starts past the end of the file (calamine sliced
        // past what it had read: a fuzz input)
        let Err(Refusal::Damaged(m)) = check(&header(2, 1100)) else { panic!("refused") };
        assert!(m.contains("sector 2, which lies past the end of the file"), "{m}");
    }

    #[test]
    fn records_calamine_would_index_past_are_refused() {
        assert_eq!(short_global(0x0085, &[0; 5]), Some("BOUNDSHEET"));
        assert_eq!(short_global(0x0085, &[0; 6]), None);
        assert_eq!(short_global(0x0042, &[1]), Some("CODEPAGE"));
        // a NAME whose formula is longer than the record
        let mut name = vec![0u8; 14];
        name[4] = 15;
        assert_eq!(short_global(0x0018, &name), Some("NAME"));
        name[4] = 14;
        assert_eq!(short_global(0x0018, &name), None);
        assert_eq!(short_global(0x0018, &[0; 13]), Some("NAME"));
        assert_eq!(short_global(0x0203, &[]), None);
    }

    #[test]
    fn not_an_ole_file_is_left_to_calamine() {
        assert!(matches!(check(b"PK\x03\x04 a zip"), Ok(None)));
        assert!(matches!(check(&[0u8; 600]), Ok(None)));
    }
}

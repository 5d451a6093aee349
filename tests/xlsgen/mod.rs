//! A minimal `.xls` writer for tests: BIFF8 records in a Workbook stream,
//! in an OLE compound file of 512-byte sectors (the FAT sectors, one
//! directory sector, the stream after them; up to 109 FAT sectors, the
//! header's, so streams up to ~7 MB). Enough for calamine to read, and for
//! hostile files to be made of a few records.

#![allow(dead_code)]

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;
const FATSECT: u32 = 0xFFFF_FFFD;

pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend_from_slice(&(data.len() as u16).to_le_bytes());
    r.extend_from_slice(data);
    r
}

/// BOF: `dt` 0x0005 workbook globals, 0x0010 worksheet.
pub fn bof(dt: u16) -> Vec<u8> {
    let mut d = 0x0600u16.to_le_bytes().to_vec();
    d.extend_from_slice(&dt.to_le_bytes());
    d.extend_from_slice(&[0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 0x06, 0x04, 0, 0]);
    record(0x0809, &d)
}

pub fn eof() -> Vec<u8> {
    record(0x000A, &[])
}

/// DIMENSIONS: rows `r0..r1` and columns `c0..c1`, ends exclusive.
pub fn dimensions(r0: u32, r1: u32, c0: u16, c1: u16) -> Vec<u8> {
    let d = [&r0.to_le_bytes()[..], &r1.to_le_bytes(), &c0.to_le_bytes(), &c1.to_le_bytes(), &[0, 0]].concat();
    record(0x0200, &d)
}

pub fn number(row: u16, col: u16, v: f64) -> Vec<u8> {
    let d = [&row.to_le_bytes()[..], &col.to_le_bytes(), &0u16.to_le_bytes(), &v.to_le_bytes()].concat();
    record(0x0203, &d)
}

/// LABEL: text in the record, UTF-16.
pub fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = [&row.to_le_bytes()[..], &col.to_le_bytes(), &0u16.to_le_bytes()].concat();
    d.extend_from_slice(&(units.len() as u16).to_le_bytes());
    d.push(1);
    for u in units {
        d.extend_from_slice(&u.to_le_bytes());
    }
    record(0x0204, &d)
}

/// FORMULA: a cell whose last value was `v`, with formula tokens `rgce`.
pub fn formula(row: u16, col: u16, v: f64, rgce: &[u8]) -> Vec<u8> {
    let mut d = [&row.to_le_bytes()[..], &col.to_le_bytes(), &0u16.to_le_bytes(), &v.to_le_bytes()].concat();
    d.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // grbit, chn
    d.extend_from_slice(&(rgce.len() as u16).to_le_bytes());
    d.extend_from_slice(rgce);
    record(0x0006, &d)
}

/// The Workbook stream: globals naming each sheet, then the sheets, each
/// `records` between its BOF and EOF. `offsets` overrides where a sheet is
/// said to start (for damaged files).
pub fn workbook(sheets: &[(&str, Vec<Vec<u8>>)]) -> Vec<u8> {
    workbook_with(sheets, |_, at| at)
}

pub fn workbook_with(sheets: &[(&str, Vec<Vec<u8>>)], offset: impl Fn(usize, u32) -> u32) -> Vec<u8> {
    let boundsheet = |pos: u32, name: &str| {
        let units: Vec<u16> = name.encode_utf16().collect();
        let mut d = pos.to_le_bytes().to_vec();
        d.extend_from_slice(&[0, 0, units.len() as u8, 1]);
        for u in units {
            d.extend_from_slice(&u.to_le_bytes());
        }
        record(0x0085, &d)
    };
    let globals_len: usize =
        bof(0x0005).len() + sheets.iter().map(|(n, _)| boundsheet(0, n).len()).sum::<usize>() + eof().len();
    let bodies: Vec<Vec<u8>> =
        sheets.iter().map(|(_, records)| [vec![bof(0x0010)], records.clone(), vec![eof()]].concat().concat()).collect();
    let mut out = bof(0x0005);
    let mut at = globals_len;
    for (i, ((name, _), body)) in sheets.iter().zip(&bodies).enumerate() {
        out.extend(boundsheet(offset(i, at as u32), name));
        at += body.len();
    }
    out.extend(eof());
    for body in bodies {
        out.extend(body);
    }
    out
}

/// The compound file holding `stream` as its Workbook (padded to 4 KiB, so
/// it is read through the FAT, not the mini stream).
pub fn cfb(stream: &[u8]) -> Vec<u8> {
    cfb_with(stream, None, false)
}

/// [`cfb`], damaged: the stream's declared length, and its last sector
/// leading back to its first instead of ending the chain.
pub fn cfb_with(stream: &[u8], declared_len: Option<u32>, loop_back: bool) -> Vec<u8> {
    let mut stream = stream.to_vec();
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let sectors = stream.len().div_ceil(512);
    // FAT sectors first (128 entries each, their own included), then the directory
    let fats = (sectors + 1).div_ceil(127);
    assert!(fats <= 109, "the header's DIFAT: streams up to ~7 MB");
    let dir_at = fats as u32;
    let first = fats + 1;
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let put16 = |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x003E);
    put16(&mut header, 26, 0x0003);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, fats as u32);
    put32(&mut header, 48, dir_at);
    put32(&mut header, 56, 4096);
    put32(&mut header, 60, ENDOFCHAIN);
    put32(&mut header, 64, 0);
    put32(&mut header, 68, ENDOFCHAIN);
    put32(&mut header, 72, 0);
    for i in 0..109 {
        put32(&mut header, 76 + 4 * i, if i < fats { i as u32 } else { FREESECT });
    }
    let mut fat = vec![FREESECT; 128 * fats];
    fat[..fats].fill(FATSECT);
    fat[fats] = ENDOFCHAIN;
    for s in 0..sectors {
        fat[first + s] = match s + 1 == sectors {
            false => (first + s + 1) as u32,
            true if loop_back => first as u32,
            true => ENDOFCHAIN,
        };
    }
    let mut dir = vec![0u8; 512];
    let entry = |dir: &mut Vec<u8>, i: usize, name: &str, typ: u8, child: u32, start: u32, size: u32| {
        let e = &mut dir[i * 128..(i + 1) * 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (k, u) in units.iter().enumerate() {
            e[2 * k..2 * k + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
        e[66] = typ;
        e[67] = 1;
        e[68..72].copy_from_slice(&FREESECT.to_le_bytes());
        e[72..76].copy_from_slice(&FREESECT.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
    };
    entry(&mut dir, 0, "Root Entry", 5, 1, ENDOFCHAIN, 0);
    entry(&mut dir, 1, "Workbook", 2, FREESECT, first as u32, declared_len.unwrap_or(stream.len() as u32));
    let mut out = header;
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(dir);
    stream.resize(sectors * 512, 0);
    out.extend(stream);
    out
}

/// ROW: row `rw`, `height` in twips, `grbit` (0x20 fDyZero: hidden; 0x40
/// fUnsynced: a height of its own).
pub fn row(rw: u16, height: u16, grbit: u16) -> Vec<u8> {
    let d = [
        &rw.to_le_bytes()[..],
        &0u16.to_le_bytes(),
        &256u16.to_le_bytes(),
        &height.to_le_bytes(),
        &[0, 0, 0, 0],
        &grbit.to_le_bytes(),
        &0x000Fu16.to_le_bytes(),
    ]
    .concat();
    record(0x0208, &d)
}

/// COLINFO: columns `first..=last`, `width` in 1/256 of a character,
/// `flags` (0x01 fHidden).
pub fn colinfo(first: u16, last: u16, width: u16, flags: u16) -> Vec<u8> {
    let d = [
        &first.to_le_bytes()[..],
        &last.to_le_bytes(),
        &width.to_le_bytes(),
        &0x000Fu16.to_le_bytes(),
        &flags.to_le_bytes(),
        &[0, 0],
    ]
    .concat();
    record(0x007D, &d)
}

//! How deep a PDF's arrays, dictionaries and procedures nest, measured
//! before any recursive parser reads them.
//!
//! pdf_oxide parses objects and content streams by recursive descent: a
//! stream of 100,000 `[` (821 bytes, Flate-compressed) overflows any stack,
//! and a stack overflow aborts the process — `catch_unwind` cannot catch it
//! and a bigger thread only moves the threshold. So every byte sequence a
//! parser reads as PDF syntax is measured first, and a file that nests over
//! [`MAX_NESTING`] levels is refused:
//!
//! - [`check_objects`], before the document is opened: the file's objects
//!   (as pdf_oxide's object parser and its xref reconstruction read them)
//!   and the objects inside object streams;
//! - [`check_streams`], once it is open and before any page is read: every
//!   page's content as pdf_oxide itself decodes (and decrypts) it, and every
//!   other stream that is not an image, a font program, an ICC profile, an
//!   embedded file or cross-reference data (Form XObjects, appearance
//!   streams, patterns, Type 3 glyphs, functions): the unencrypted file's
//!   streams as found in its bytes, an encrypted file's as lopdf decrypts
//!   them. Streams are decoded with pdf_oxide's own filters (and their
//!   recovery from damaged data), so what is measured is what would be
//!   parsed; the decoded bytes are bounded in total ([`MAX_DECODED`]).
//!
//! The measure follows PDF's lexical rules (strings, hex strings, comments,
//! inline image data are not syntax), but the parsers also jump into such
//! regions (pdf_oxide's fast paths look for `ET` without regard to strings,
//! and a failed token is skipped one byte at a time). So inside each region
//! the measure also counts brackets as if a parser had started there, on top
//! of the depth outside it; a string that never ends is not a string; a hex
//! string with other than hex digits is read as the bytes it holds.
//! Real sheets nest two or three levels; the limit leaves a margin of
//! hundreds of times to the depth at which the parser's stack runs out.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pdf_oxide::object::Object;

use super::{ImportError, err};

/// Arrays, dictionaries and `{}` procedures nest a few levels in real PDFs.
pub const MAX_NESTING: usize = 100;
/// Decoded bytes of all the streams measured (a sheet's content is a few MiB).
pub const MAX_DECODED: usize = 256 << 20;
/// Strings that run to the end of their region, scanned to find that out;
/// past this, a `(` is no longer looked ahead from (and what follows it is
/// measured as syntax), so hostile input stays linear.
const MAX_UNTERMINATED: usize = 16;

/// The streams found in the file's bytes, for [`check_streams`].
pub struct Scan {
    streams: Vec<RawStream>,
}

/// A `stream … endstream` in the file.
struct RawStream {
    /// The object it belongs to (`N G obj`), when one precedes it.
    object: Option<u32>,
    /// Its dictionary: from after `obj` to the `stream` keyword.
    dict: std::ops::Range<usize>,
    /// From after `stream` and its end of line.
    data: usize,
    /// The first `endstream` (or the end of the file).
    end: usize,
}

/// What the measure refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    Deep { depth: usize, place: String },
    Decoded,
}

fn refuse(path: &str, r: Refusal) -> ImportError {
    match r {
        Refusal::Deep { depth, place } => err(
            path,
            format!("the PDF nests {depth} levels deep (limit {MAX_NESTING}), in {place}"),
            Some("a disclosure sheet nests a few levels; re-save or re-export the PDF, or ask the vendor for it again"),
        ),
        Refusal::Decoded => err(
            path,
            format!("the PDF's content streams decompress to over {} MiB (limit)", MAX_DECODED >> 20),
            Some("a disclosure sheet's content is a few MiB; re-save or re-export the PDF"),
        ),
    }
}

/// The file's objects and its object streams: before pdf_oxide opens it.
pub fn check_objects(bytes: &[u8], path: &str) -> Result<Scan, ImportError> {
    let (depth, streams) = file_scan(bytes);
    if depth > MAX_NESTING {
        return Err(refuse(path, Refusal::Deep { depth, place: "its objects".into() }));
    }
    let scan = Scan { streams };
    let mut budget = Budget::default();
    for s in &scan.streams {
        // only now is the dictionary parsed: its nesting was measured above
        let Some(dict) = dictionary(&bytes[s.dict.clone()]) else { continue };
        if name(&dict, "Type") == Some("ObjStm") {
            measure_stream(bytes, s, &dict, Mode::Objects, &mut budget).map_err(|r| refuse(path, r))?;
        }
    }
    Ok(scan)
}

/// Every page's content and every other stream a parser may read as
/// syntax: once the document is open, before any page is read.
pub fn check_streams(
    scan: &Scan,
    bytes: &[u8],
    doc: &pdf_oxide::PdfDocument,
    encrypted: bool,
    pages: usize,
    path: &str,
) -> Result<(), ImportError> {
    let mut budget = Budget::default();
    for p in 0..pages {
        // what extraction will parse: pdf_oxide caches it, so this costs no second decode
        let Ok(Ok(content)) = catch_unwind(AssertUnwindSafe(|| doc.get_page_content_data(p))) else { continue };
        budget.spend(content.len()).map_err(|r| refuse(path, r))?;
        let depth = depth(&content, Mode::Content);
        if depth > MAX_NESTING {
            return Err(refuse(path, Refusal::Deep { depth, place: format!("the content of page {}", p + 1) }));
        }
    }
    if encrypted {
        // the bytes in the file are ciphertext: measure what lopdf decrypts
        return decrypted_streams(bytes, &mut budget, path);
    }
    for s in &scan.streams {
        let Some(dict) = dictionary(&bytes[s.dict.clone()]) else {
            // no dictionary of its own: no parser decodes it as a stream either,
            // but its bytes may still be read as syntax
            let depth = depth(&bytes[s.data..s.end], Mode::Content);
            if depth > MAX_NESTING {
                return Err(refuse(path, Refusal::Deep { depth, place: place(s.object) }));
            }
            continue;
        };
        if name(&dict, "Type") == Some("ObjStm") || !read_as_syntax(&dict) {
            continue;
        }
        measure_stream(bytes, s, &dict, Mode::Content, &mut budget).map_err(|r| refuse(path, r))?;
    }
    Ok(())
}

fn place(object: Option<u32>) -> String {
    match object {
        Some(n) => format!("the stream of object {n}"),
        None => "a stream".into(),
    }
}

#[derive(Default)]
struct Budget {
    decoded: usize,
}

impl Budget {
    fn spend(&mut self, n: usize) -> Result<(), Refusal> {
        self.decoded = self.decoded.saturating_add(n);
        if self.decoded > MAX_DECODED { Err(Refusal::Decoded) } else { Ok(()) }
    }
}

/// Decode a stream found in the file as pdf_oxide would and measure it.
/// pdf_oxide takes `/Length` bytes when the length is a number that fits,
/// and reads to `endstream` otherwise: both are measured when they differ.
fn measure_stream(
    bytes: &[u8],
    s: &RawStream,
    dict: &std::collections::HashMap<String, Object>,
    mode: Mode,
    budget: &mut Budget,
) -> Result<(), Refusal> {
    let mut ends = vec![s.end];
    if let Some(len) = dict.get("Length").and_then(Object::as_integer)
        && let Ok(len) = usize::try_from(len)
        && let Some(end) = s.data.checked_add(len).filter(|&e| e <= bytes.len() && e != s.end)
    {
        ends.push(end);
    }
    for end in ends {
        let stream = Object::Stream { dict: dict.clone(), data: bytes[s.data..end].to_vec().into() };
        let Some(decoded) = decode(&stream) else { continue };
        budget.spend(decoded.len())?;
        let depth = depth(&decoded, mode);
        if depth > MAX_NESTING {
            return Err(Refusal::Deep { depth, place: place(s.object) });
        }
    }
    Ok(())
}

/// A stream's data through pdf_oxide's filters (its per-stream limits apply);
/// `None` where it fails, as the parser would then have nothing to read.
fn decode(stream: &Object) -> Option<Vec<u8>> {
    catch_unwind(AssertUnwindSafe(|| stream.decode_stream_data())).ok()?.ok()
}

/// An encrypted file's streams as lopdf decrypts them (with the empty user
/// password, as pdf_oxide tries). If lopdf cannot, the streams cannot be
/// measured, and the file is refused as the encrypted file it is.
fn decrypted_streams(bytes: &[u8], budget: &mut Budget, path: &str) -> Result<(), ImportError> {
    let Ok(Ok(doc)) = catch_unwind(AssertUnwindSafe(|| lopdf::Document::load_mem(bytes))) else {
        return Err(super::encryption_error(path));
    };
    for (&(id, _), obj) in &doc.objects {
        let lopdf::Object::Stream(s) = obj else { continue };
        let dict: std::collections::HashMap<String, Object> =
            s.dict.iter().map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), oxide(v, 0))).collect();
        if !read_as_syntax(&dict) {
            continue;
        }
        let stream = Object::Stream { dict, data: s.content.clone().into() };
        let Some(decoded) = decode(&stream) else { continue };
        budget.spend(decoded.len()).map_err(|r| refuse(path, r))?;
        let depth = depth(&decoded, Mode::Content);
        if depth > MAX_NESTING {
            return Err(refuse(path, Refusal::Deep { depth, place: place(Some(id)) }));
        }
    }
    Ok(())
}

/// A lopdf object as pdf_oxide's (lopdf refuses nesting over 100 itself).
fn oxide(o: &lopdf::Object, depth: usize) -> Object {
    use lopdf::Object as L;
    if depth > MAX_NESTING {
        return Object::Null;
    }
    match o {
        L::Null => Object::Null,
        L::Boolean(b) => Object::Boolean(*b),
        L::Integer(i) => Object::Integer(*i),
        L::Real(r) => Object::Real(f64::from(*r)),
        L::Name(n) => Object::Name(String::from_utf8_lossy(n).into_owned()),
        L::String(s, _) => Object::String(s.clone()),
        L::Array(a) => Object::Array(a.iter().map(|v| oxide(v, depth + 1)).collect()),
        L::Dictionary(d) => Object::Dictionary(
            d.iter().map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), oxide(v, depth + 1))).collect(),
        ),
        L::Stream(s) => Object::Dictionary(
            s.dict.iter().map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), oxide(v, depth + 1))).collect(),
        ),
        L::Reference((id, g)) => Object::Reference(pdf_oxide::object::ObjectRef { id: *id, r#gen: *g }),
    }
}

fn dictionary(text: &[u8]) -> Option<std::collections::HashMap<String, Object>> {
    let parsed = catch_unwind(AssertUnwindSafe(|| pdf_oxide::parser::parse_object(text))).ok()?.ok()?;
    match parsed.1 {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

fn name<'d>(dict: &'d std::collections::HashMap<String, Object>, key: &str) -> Option<&'d str> {
    dict.get(key).and_then(Object::as_name)
}

/// Whether a stream may be read as PDF syntax. Its own dictionary says what
/// it is, and the parsers go by it: an XObject is parsed as content only
/// when its `/Subtype` is `/Form`. Page contents are measured apart (a page
/// may name any stream as its contents). Images (thumbnails too), font
/// programs, ICC profiles, embedded files and cross-reference streams are binary data:
/// measured as syntax, their bytes (a run of grey 0x5B pixels) would read
/// as deep nesting no parser ever sees.
fn read_as_syntax(dict: &std::collections::HashMap<String, Object>) -> bool {
    let subtype = name(dict, "Subtype");
    if subtype == Some("Form") {
        return true;
    }
    let binary_subtype = matches!(subtype, Some("Image" | "Type1C" | "CIDFontType0C" | "OpenType"));
    let binary_type = matches!(name(dict, "Type"), Some("EmbeddedFile" | "XRef"));
    let font_program = ["Length1", "Length2", "Length3"].iter().any(|k| dict.contains_key(*k));
    let icc = dict.contains_key("N") && subtype.is_none();
    // a thumbnail is an image without a /Subtype
    let image = dict.contains_key("Width") && dict.contains_key("Height");
    !(binary_subtype || binary_type || font_program || icc || image)
}

/// What the bytes are: an object body, or a content stream (which has
/// inline images).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Objects,
    Content,
}

/// The whole file: its objects' nesting (stream data skipped), and its streams.
fn file_scan(bytes: &[u8]) -> (usize, Vec<RawStream>) {
    let mut lexer = Lexer::new(bytes, Mode::Objects);
    let mut depth = Depth::default();
    let mut streams = Vec::new();
    // the last three words, for `N G obj`
    let mut words: [Option<&[u8]>; 2] = [None, None];
    let mut object: Option<(u32, usize)> = None;
    while let Some(tok) = lexer.next() {
        match tok {
            Tok::Word(w) if w == b"obj" => {
                object = match words {
                    [Some(n), Some(g)] if is_int(n) && is_int(g) => {
                        std::str::from_utf8(n).ok().and_then(|n| n.parse().ok()).map(|n| (n, lexer.pos))
                    }
                    _ => None,
                };
                words = [None, None];
            }
            Tok::Word(w) if w == b"stream" => {
                let mut data = lexer.pos;
                if bytes[data..].starts_with(b"\r\n") {
                    data += 2;
                } else if matches!(bytes.get(data), Some(b'\n' | b'\r')) {
                    data += 1;
                }
                let end = memchr::memmem::find(&bytes[data..], b"endstream").map_or(bytes.len(), |e| data + e);
                let dict_from = object.map_or(lexer.pos.saturating_sub(6 + 4096), |(_, at)| at);
                streams.push(RawStream { object: object.map(|(n, _)| n), dict: dict_from..lexer.pos - 6, data, end });
                lexer.pos = (end + 9).min(bytes.len());
                object = None;
                words = [None, None];
            }
            Tok::Word(w) => words = [words[1], Some(w)],
            other => {
                depth.take(&other);
                words = [None, None];
            }
        }
    }
    (depth.max, streams)
}

fn is_int(w: &[u8]) -> bool {
    !w.is_empty() && w.iter().all(u8::is_ascii_digit)
}

/// The deepest nesting in `data`.
fn depth(data: &[u8], mode: Mode) -> usize {
    let mut lexer = Lexer::new(data, mode);
    let mut depth = Depth::default();
    while let Some(tok) = lexer.next() {
        depth.take(&tok);
    }
    depth.max
}

#[derive(Default)]
struct Depth {
    now: usize,
    max: usize,
}

impl Depth {
    fn take(&mut self, tok: &Tok<'_>) {
        match tok {
            Tok::Open => {
                self.now += 1;
                self.max = self.max.max(self.now);
            }
            // a closer with nothing open is a token the parser skips
            Tok::Close => self.now = self.now.saturating_sub(1),
            Tok::Skipped(inner) => self.max = self.max.max(self.now + inner),
            Tok::Word(_) => {}
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// `[`, `<<` or `{`.
    Open,
    /// `]`, `>>` or `}`.
    Close,
    /// A run of regular characters: a name (with its `/`), number or keyword.
    Word(&'a [u8]),
    /// A string, comment or inline image's data, with the deepest nesting
    /// its bytes would give a parser that started reading inside it.
    Skipped(usize),
}

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Nesting a parser would see reading `bytes` as syntax from their start.
fn raw_depth(bytes: &[u8]) -> usize {
    let (mut now, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => now += 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                now += 1;
                i += 1;
            }
            b']' | b'}' => now = now.saturating_sub(1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                now = now.saturating_sub(1);
                i += 1;
            }
            _ => {}
        }
        max = max.max(now);
        i += 1;
    }
    max
}

/// PDF's tokens, as far as nesting goes. Linear in its input: every
/// look-ahead that can fail is either bounded in number
/// ([`MAX_UNTERMINATED`]) or remembered (the next `>`, the next `EI`).
struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    mode: Mode,
    unterminated: usize,
    /// Between `BI` and `ID`.
    inline_dict: bool,
    /// The next `>` at or after a position, once looked for.
    next_gt: Option<(usize, Option<usize>)>,
    /// The next `EI` that ends inline image data, once looked for.
    next_ei: Option<(usize, Option<usize>)>,
    /// Bytes looked ahead over (the tests hold it linear).
    scanned: usize,
}

impl<'a> Lexer<'a> {
    fn new(data: &'a [u8], mode: Mode) -> Self {
        Lexer { data, pos: 0, mode, unterminated: 0, inline_dict: false, next_gt: None, next_ei: None, scanned: 0 }
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let d = self.data;
        // a loop, not recursion: a million stray `)` must not grow the stack
        loop {
            while self.pos < d.len() && is_white(d[self.pos]) {
                self.pos += 1;
            }
            let start = self.pos;
            let b = *d.get(start)?;
            self.pos += 1;
            return Some(match b {
                b'[' | b'{' => Tok::Open,
                b']' | b'}' => Tok::Close,
                b'<' if d.get(start + 1) == Some(&b'<') => {
                    self.pos += 1;
                    Tok::Open
                }
                b'>' if d.get(start + 1) == Some(&b'>') => {
                    self.pos += 1;
                    Tok::Close
                }
                b'%' => {
                    let end = memchr::memchr2(b'\r', b'\n', &d[start..]).map_or(d.len(), |e| start + e);
                    self.pos = end;
                    Tok::Skipped(raw_depth(&d[start + 1..end]))
                }
                b'(' => match self.string_end(start) {
                    Some(end) => {
                        self.pos = end + 1;
                        Tok::Skipped(raw_depth(&d[start + 1..end]))
                    }
                    // a parser fails on it and goes on after the `(`
                    None => continue,
                },
                b'<' => match self.gt_from(start + 1) {
                    Some(end) if d[start + 1..end].iter().all(|&c| c.is_ascii_hexdigit() || is_white(c)) => {
                        self.pos = end + 1;
                        Tok::Skipped(0)
                    }
                    // not a hex string a parser accepts: its bytes are read as tokens
                    _ => continue,
                },
                b')' | b'>' => continue,
                _ => {
                    // a name's `/` is a delimiter only where it starts the name
                    let from = if b == b'/' { start + 1 } else { start };
                    let end =
                        d[from..].iter().position(|&c| is_white(c) || is_delimiter(c)).map_or(d.len(), |e| from + e);
                    self.pos = end;
                    let word = &d[start..end];
                    if self.mode == Mode::Content {
                        if word == b"BI" {
                            self.inline_dict = true;
                        } else if word == b"ID" && self.inline_dict && d.get(end).is_none_or(|&c| is_white(c)) {
                            self.inline_dict = false;
                            if let Some(tok) = self.inline_data(end) {
                                return Some(tok);
                            }
                        }
                    }
                    Tok::Word(word)
                }
            });
        }
    }

    /// The `)` that ends the literal string at `start`, escapes and nested
    /// parentheses as pdf_oxide's lexer reads them.
    fn string_end(&mut self, start: usize) -> Option<usize> {
        if self.unterminated >= MAX_UNTERMINATED {
            return None;
        }
        let d = self.data;
        let (mut depth, mut i) = (1usize, start + 1);
        while i < d.len() {
            match d[i] {
                b'\\' => i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.scanned += i - start;
                        return Some(i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.scanned += d.len() - start;
        self.unterminated += 1;
        None
    }

    fn gt_from(&mut self, from: usize) -> Option<usize> {
        if let Some((asked, found)) = self.next_gt
            && asked <= from
            && found.is_none_or(|f| f >= from)
        {
            return found;
        }
        let found = memchr::memchr(b'>', &self.data[from..]).map(|e| from + e);
        self.scanned += found.unwrap_or(self.data.len()) - from;
        self.next_gt = Some((from, found));
        found
    }

    /// An inline image's data after `ID` (at `after_id`), skipped to the `EI`
    /// pdf_oxide would stop at (whitespace, `EI`, then whitespace, a
    /// delimiter or the end). Without one the parser fails on the image
    /// and reads on: so does the measure.
    fn inline_data(&mut self, after_id: usize) -> Option<Tok<'a>> {
        let d = self.data;
        let mut from = after_id;
        while from < d.len() && is_white(d[from]) {
            from += 1;
        }
        let ei = match self.next_ei {
            Some((asked, found)) if asked <= from && found.is_none_or(|f| f >= from) => found,
            _ => {
                let found = find_ei(&d[from..]).map(|e| from + e);
                self.scanned += found.unwrap_or(d.len()) - from;
                self.next_ei = Some((from, found));
                found
            }
        }?;
        self.pos = ei + 3;
        Some(Tok::Skipped(raw_depth(&d[from..ei])))
    }
}

/// pdf_oxide's `find_ei_operator`: whitespace, `EI`, then whitespace, a
/// delimiter or the end; the position of that first whitespace.
fn find_ei(d: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(e) = memchr::memmem::find(&d[from..], b"EI") {
        let at = from + e;
        if at >= 1 && is_white(d[at - 1]) && d.get(at + 2).is_none_or(|&c| is_white(c) || is_delimiter(c)) {
            return Some(at - 1);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(s: &[u8]) -> usize {
        depth(s, Mode::Content)
    }

    #[test]
    fn counts_arrays_dictionaries_and_procedures() {
        assert_eq!(content(b"BT /F1 12 Tf (a) Tj ET"), 0);
        assert_eq!(content(b"[(a) 10 (b)] TJ"), 1);
        assert_eq!(content(b"/Span << /A [[1] 2] >> BDC"), 3);
        assert_eq!(content(b"{ { 1 add } if }"), 2);
        assert_eq!(content(&[b"[".repeat(500), b"]".repeat(500)].concat()), 500);
        // closers with nothing open do not go below zero
        assert_eq!(content(b"]]]] [[ ]] [["), 2);
    }

    #[test]
    fn strings_and_comments_are_not_syntax_but_count_as_a_parser_starting_inside_would() {
        // brackets in a string: as read from the string's start, on top of the depth outside
        assert_eq!(content(b"[ (a[b]c) ]"), 2);
        assert_eq!(content(b"[ ([[[[) ]"), 5);
        // escaped parentheses do not end the string
        assert_eq!(content(b"(a\\) [[[ \\( ) [x]"), 3);
        assert_eq!(content(b"% [[[[ comment\n[1]"), 4);
        // a string that never ends is no string: a parser skips its `(` and reads on
        assert_eq!(content(b"( [[[[[ x"), 5);
        // a hex string of hex digits is skipped; anything else is read as bytes
        assert_eq!(content(b"<48656C6C6F> [<00 ff>]"), 1);
        assert_eq!(content(b"<4[[[[>"), 4);
    }

    #[test]
    fn inline_image_data_is_skipped_to_its_ei() {
        let img = b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x5b\x5b\x5b EI Q";
        // the data's brackets count as a parser starting in them would see them: 3
        assert_eq!(content(img), 3);
        // the dictionary is syntax
        assert_eq!(content(b"BI /D [[[[1]]]] ID x EI"), 4);
        // no EI: the parser gives up on the image and reads on
        assert_eq!(content(b"BI /W 1 ID [[[[[[ x"), 6);
        // in an object, BI is no operator
        assert_eq!(depth(b"BI ID ( EI [[[", Mode::Objects), 3);
    }

    #[test]
    fn hostile_inputs_stay_linear() {
        // each would rescan the rest of the input for every byte without the
        // bound on unterminated strings or the remembered next `>` and `EI`
        for hostile in
            [b"(".repeat(1 << 16), b"< ".repeat(1 << 15), b"BI ID ".repeat(1 << 14), b"BI ID EIx ".repeat(1 << 13)]
        {
            let mut lexer = Lexer::new(&hostile, Mode::Content);
            while lexer.next().is_some() {}
            assert!(
                lexer.scanned <= (MAX_UNTERMINATED + 2) * hostile.len(),
                "{} bytes looked ahead over for {} of input",
                lexer.scanned,
                hostile.len()
            );
        }
    }

    #[test]
    fn file_scan_finds_objects_and_streams() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3(\xcf\n1 0 obj\n<< /A [1 [2]] >>\nendobj\n4 0 obj\n<< /Length 3 >>\nstream\n[[[\nendstream\nendobj\n";
        let (depth, streams) = file_scan(pdf);
        // the stream's data is not the file's syntax; the comment's `(` starts no string
        assert_eq!(depth, 3);
        assert_eq!(streams.len(), 1);
        let s = &streams[0];
        assert_eq!(s.object, Some(4));
        assert_eq!(&pdf[s.data..s.end], b"[[[\n");
        assert_eq!(
            dictionary(&pdf[s.dict.clone()]).and_then(|d| d.get("Length").and_then(Object::as_integer)),
            Some(3)
        );
    }

    #[test]
    fn binary_streams_are_not_measured_forms_are() {
        let dict = |s: &str| dictionary(s.as_bytes()).unwrap();
        assert!(!read_as_syntax(&dict("<< /Type /XObject /Subtype /Image /Width 1 >>")));
        assert!(!read_as_syntax(&dict("<< /Length1 100 >>")));
        assert!(!read_as_syntax(&dict("<< /N 3 /Alternate /DeviceRGB >>")));
        assert!(!read_as_syntax(&dict("<< /Type /XRef /W [1 2 1] >>")));
        assert!(!read_as_syntax(&dict("<< /Width 76 /Height 106 /ColorSpace /DeviceRGB /BitsPerComponent 8 >>")));
        assert!(read_as_syntax(&dict("<< /Subtype /Form /Width 1 /Height 1 >>")));
        assert!(read_as_syntax(&dict("<< /Subtype /Form /Length1 3 /N 3 >>")));
        assert!(read_as_syntax(&dict("<< /Length 10 >>")));
        assert!(read_as_syntax(&dict("<< /PatternType 1 /PaintType 1 >>")));
    }
}

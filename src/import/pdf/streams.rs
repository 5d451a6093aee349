//! What a PDF's streams decompress to, measured before the reader
//! decompresses them.
//!
//! Flate compresses a run of zeros a thousandfold, and filters chain: a
//! 64 MiB file may hold tens of gigabytes of content. The reader (hayro)
//! decodes a stream whole when it needs it, without a limit, so every
//! stream it may decode is measured first, with the decoders here writing
//! into a fixed buffer and stopping at the limit, and a file whose streams
//! decode to over [`MAX_DECODED`] in all is refused:
//!
//! - [`check_structure`], before the file is opened: the cross-reference
//!   and object streams, which the reader decodes while it opens the file
//!   (their filters read from the dictionary's text);
//! - [`check_decoded`], once it is open and before any page is read: every
//!   other stream as the reader sees it (decrypted, its filters parsed),
//!   except images and embedded files, which kaiji never decodes.
//!
//! An encrypted file's object streams are ciphertext until it is open, and
//! the reader decodes them while it opens the file (the page tree may sit
//! in one). They cannot be decoded to be measured, so they are bounded by
//! what their filters could make of their size at most: one Flate a
//! thousandfold (LZW 4,096-fold, RunLength 128-fold), and two amplifying
//! filters in a row are refused outright. A sheet's object streams are tens
//! of KiB; over the limit, the file is refused with the advice to save it
//! without a password.

use std::io::Read;

use hayro_interpret::hayro_syntax::Filter;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::hayro_syntax::object::{Name, Object};

/// Decoded bytes of all the streams measured (a sheet's content and fonts
/// are a few MiB).
pub const MAX_DECODED: usize = 128 << 20;

/// A filter kaiji measures, or one whose output it never needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Flate,
    /// LZW, with PDF's default early code-size change or without.
    Lzw {
        early: bool,
    },
    RunLength,
    Hex,
    Ascii85,
    /// An image's filter: kaiji reads no image, so the chain ends here.
    Image,
    /// Decryption (done by the reader before the chain) or an unknown
    /// name the reader fails on: nothing more to measure.
    End,
}

/// The total so far, against [`MAX_DECODED`].
struct Budget {
    left: usize,
}

impl Budget {
    fn new() -> Budget {
        Budget { left: MAX_DECODED }
    }
}

/// Over the limit.
#[derive(Debug)]
struct Over;

fn over_message() -> String {
    format!("the PDF's streams decompress to over {} MiB (limit)", MAX_DECODED >> 20)
}

/// The streams the reader decodes while opening the file: cross-reference
/// and object streams, found in the file's bytes.
pub fn check_structure(bytes: &[u8]) -> Result<(), String> {
    let mut budget = Budget::new();
    // an /Encrypt anywhere: object streams may be ciphertext (a false
    // alarm only bounds them by their size instead of measuring them)
    let encrypted = memchr::memmem::find(bytes, b"/Encrypt").is_some();
    let finder = memchr::memmem::Finder::new(b"stream");
    let mut from = 0;
    // where the last stream's data ended: no dictionary starts before it
    let mut last_end = 0;
    while let Some(at) = finder.find(&bytes[from..]).map(|k| from + k) {
        from = at + 6;
        // `stream` as a keyword: after the dictionary, before an end of line
        let before = bytes[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
        if before != Some(&b'>') || !matches!(bytes.get(at + 6), Some(b'\r' | b'\n')) {
            continue;
        }
        let mut data = at + 6;
        data += if bytes[data..].starts_with(b"\r\n") { 2 } else { 1 };
        // the dictionary: back to its object's `obj` keyword, looked for no
        // further back than the stream before (so the looking is linear)
        let window = last_end.max(at.saturating_sub(64 << 10));
        let dict_from = memchr::memmem::rfind(&bytes[window..at], b"obj").map_or(window, |k| window + k);
        let dict = &bytes[dict_from..at];
        let xref = memchr::memmem::find(dict, b"/XRef").is_some();
        let object_stream = memchr::memmem::find(dict, b"/ObjStm").is_some();
        let end = memchr::memmem::find(&bytes[data..], b"endstream").map_or(bytes.len(), |e| data + e);
        if object_stream && encrypted {
            // cross-reference streams are never encrypted; object streams are
            at_most(end - data, &text_filters(dict), &mut budget).map_err(|_| {
                "the PDF is encrypted, and its object streams could decompress to over 128 MiB, which cannot \
                 be measured before it is opened; save it without a password"
                    .to_string()
            })?;
        } else if xref || object_stream {
            measure(&bytes[data..end], &text_filters(dict), &mut budget).map_err(|_| over_message())?;
        }
        from = from.max(end);
        last_end = end;
    }
    Ok(())
}

/// Spend on a stream that cannot be decoded before the file is opened the
/// most its filters could make of `len` bytes.
fn at_most(len: usize, steps: &[Step], budget: &mut Budget) -> Result<(), Over> {
    let steps = decoded_by_reader(steps);
    let factors: Vec<usize> = steps
        .iter()
        .filter_map(|s| match s {
            // the deflate format's own bound: 258 bytes from about two bits
            Step::Flate => Some(1032),
            Step::Lzw { .. } => Some(4096),
            Step::RunLength => Some(128),
            _ => None,
        })
        .collect();
    if factors.len() > 1 {
        return Err(Over);
    }
    let most = len.saturating_mul(factors.first().copied().unwrap_or(1));
    budget.left = budget.left.checked_sub(most).ok_or(Over)?;
    Ok(())
}

/// Every stream of the open file the reader may decode.
pub fn check_decoded(pdf: &Pdf) -> Result<(), String> {
    let mut budget = Budget::new();
    for object in pdf.objects() {
        let Object::Stream(stream) = object else { continue };
        let dict = stream.dict();
        let is = |key: &[u8], value: &[u8]| dict.get::<Name<'_>>(key).is_some_and(|n| n.as_ref() == value);
        if is(b"Subtype", b"Image") || is(b"Type", b"EmbeddedFile") {
            continue;
        }
        let steps: Vec<Step> = stream.filters().iter().map(step_of).collect();
        measure(&stream.raw_data(), &steps, &mut budget).map_err(|_| over_message())?;
    }
    Ok(())
}

fn step_of(f: &Filter) -> Step {
    match f {
        Filter::FlateDecode => Step::Flate,
        // the reader's LZW changes code size early, as PDF's default says
        Filter::LzwDecode => Step::Lzw { early: true },
        Filter::RunLengthDecode => Step::RunLength,
        Filter::AsciiHexDecode => Step::Hex,
        Filter::Ascii85Decode => Step::Ascii85,
        Filter::DctDecode | Filter::JpxDecode | Filter::Jbig2Decode | Filter::CcittFaxDecode => Step::Image,
        Filter::Crypt => Step::End,
    }
}

/// The filters a dictionary names, read from its text (`/Filter /Fl` or
/// `/Filter [/A85 /Fl]`).
fn text_filters(dict: &[u8]) -> Vec<Step> {
    let Some(at) = memchr::memmem::find(dict, b"/Filter") else { return Vec::new() };
    let rest = &dict[at + 7..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len())..];
    let list = match rest.first() {
        Some(b'[') => &rest[1..rest.iter().position(|&b| b == b']').unwrap_or(rest.len())],
        Some(b'/') => {
            let end = rest[1..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || b"/<>[]()".contains(b))
                .map_or(rest.len(), |e| e + 1);
            &rest[..end]
        }
        _ => return vec![Step::End],
    };
    list.split(|&b| b == b'/' || b.is_ascii_whitespace())
        .filter(|n| !n.is_empty())
        .take(16)
        .map(|n| match n {
            b"FlateDecode" | b"Fl" => Step::Flate,
            b"LZWDecode" | b"LZW" => Step::Lzw { early: true },
            b"RunLengthDecode" | b"RL" => Step::RunLength,
            b"ASCIIHexDecode" | b"AHx" => Step::Hex,
            b"ASCII85Decode" | b"A85" => Step::Ascii85,
            b"DCTDecode" | b"DCT" | b"JPXDecode" | b"JBIG2Decode" | b"CCITTFaxDecode" | b"CCF" => Step::Image,
            _ => Step::End,
        })
        .collect()
}

/// The steps of a chain whose output the reader may use: up to an image's
/// filter (kaiji decodes no image) or one that ends decoding.
fn decoded_by_reader(steps: &[Step]) -> &[Step] {
    &steps[..steps.iter().position(|s| matches!(s, Step::Image | Step::End)).unwrap_or(steps.len())]
}

/// Decode `data` through `steps`, spending the budget on every step's
/// output; only the steps before the last are held in memory (bounded by
/// the budget), the last is counted as it streams past.
fn measure(data: &[u8], steps: &[Step], budget: &mut Budget) -> Result<(), Over> {
    let steps = decoded_by_reader(steps);
    let Some((last, before)) = steps.split_last() else { return Ok(()) };
    let mut held: Option<Vec<u8>> = None;
    for step in before {
        let mut out = Vec::new();
        decode(*step, held.as_deref().unwrap_or(data), budget, &mut |chunk| out.extend_from_slice(chunk))?;
        held = Some(out);
    }
    decode(*last, held.as_deref().unwrap_or(data), budget, &mut |_| {})
}

/// Decode `input` by one filter, handing the output over in chunks and
/// spending the budget on each; a decoder that fails stops where it is
/// (the reader would have no more than that either).
fn decode(step: Step, input: &[u8], budget: &mut Budget, sink: &mut dyn FnMut(&[u8])) -> Result<(), Over> {
    let mut emit = |chunk: &[u8]| -> Result<(), Over> {
        budget.left = budget.left.checked_sub(chunk.len()).ok_or(Over)?;
        sink(chunk);
        Ok(())
    };
    let mut buf = vec![0u8; 32 << 10];
    match step {
        Step::Flate => {
            // zlib as written, or raw deflate where the header is missing
            // (the reader tries both)
            let mut produced = 0usize;
            let mut z = flate2::read::ZlibDecoder::new(input);
            while let Ok(n @ 1..) = z.read(&mut buf) {
                produced += n;
                emit(&buf[..n])?;
            }
            if produced == 0 {
                let mut d = flate2::read::DeflateDecoder::new(input);
                while let Ok(n @ 1..) = d.read(&mut buf) {
                    emit(&buf[..n])?;
                }
            }
        }
        Step::Lzw { early } => {
            let mut d = if early {
                weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            } else {
                weezl::decode::Decoder::new(weezl::BitOrder::Msb, 8)
            };
            let mut rest = input;
            loop {
                let r = d.decode_bytes(rest, &mut buf);
                emit(&buf[..r.consumed_out])?;
                rest = &rest[r.consumed_in..];
                let stuck = r.consumed_in == 0 && r.consumed_out == 0;
                if stuck || !matches!(r.status, Ok(weezl::LzwStatus::Ok)) {
                    break;
                }
            }
        }
        Step::RunLength => {
            let mut i = 0;
            while let Some(&len) = input.get(i) {
                match len {
                    128 => break,
                    0..=127 => {
                        let run = &input[(i + 1).min(input.len())..(i + 2 + len as usize).min(input.len())];
                        emit(run)?;
                        i += 2 + len as usize;
                    }
                    _ => {
                        let Some(&b) = input.get(i + 1) else { break };
                        let n = 257 - len as usize;
                        buf[..n].fill(b);
                        emit(&buf[..n])?;
                        i += 2;
                    }
                }
            }
        }
        Step::Hex => {
            let mut out = Vec::with_capacity(input.len() / 2 + 1);
            let mut high: Option<u8> = None;
            for &b in input.iter().take_while(|&&b| b != b'>') {
                let Some(v) = (b as char).to_digit(16) else { continue };
                match high.take() {
                    Some(h) => out.push(h << 4 | v as u8),
                    None => high = Some(v as u8),
                }
            }
            out.extend(high.map(|h| h << 4));
            emit(&out)?;
        }
        Step::Ascii85 => {
            let mut out = Vec::with_capacity(input.len());
            let mut group = [0u8; 5];
            let mut n = 0;
            let text = input.strip_prefix(b"<~").unwrap_or(input);
            for &b in text {
                match b {
                    b'~' => break,
                    b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
                    b'!'..=b'u' => {
                        group[n] = b - b'!';
                        n += 1;
                        if n == 5 {
                            let v = group.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
                            out.extend_from_slice(&(v as u32).to_be_bytes());
                            n = 0;
                        }
                    }
                    _ => {}
                }
            }
            if n > 1 {
                group[n..].fill(84);
                let v = group.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
                out.extend_from_slice(&(v as u32).to_be_bytes()[..n - 1]);
            }
            emit(&out)?;
        }
        Step::Image | Step::End => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn decoded_len(data: &[u8], steps: &[Step]) -> Result<usize, Over> {
        let mut budget = Budget::new();
        measure(data, steps, &mut budget)?;
        Ok(MAX_DECODED - budget.left)
    }

    #[test]
    fn each_filter_is_measured_by_what_it_decodes_to() {
        let text = b"BT /F1 12 Tf (hello) Tj ET ".repeat(100);
        assert_eq!(decoded_len(&zlib(&text), &[Step::Flate]).unwrap(), text.len());
        // a chain spends on every step's output
        let twice = zlib(&zlib(&text));
        let inner = zlib(&text).len();
        assert_eq!(decoded_len(&twice, &[Step::Flate, Step::Flate]).unwrap(), inner + text.len());
        assert_eq!(decoded_len(b"68656c6c6f>", &[Step::Hex]).unwrap(), 5);
        assert_eq!(decoded_len(b"<~BOu!rDZ~>", &[Step::Ascii85]).unwrap(), 5);
        // run length: 3 literal bytes, then 'x' 100 times
        assert_eq!(decoded_len(&[2, b'a', b'b', b'c', 157, b'x', 128], &[Step::RunLength]).unwrap(), 103);
        // an image's data is not decoded
        assert_eq!(decoded_len(&zlib(&text), &[Step::Image]).unwrap(), 0);
        assert_eq!(text_filters(b"<< /Filter [/A85 /FlateDecode] /Length 9 >>"), vec![Step::Ascii85, Step::Flate]);
        assert_eq!(text_filters(b"<</Type/XRef/Filter/FlateDecode/W[1 2 1]>>"), vec![Step::Flate]);
    }

    #[test]
    fn what_cannot_be_decoded_yet_is_bounded_by_its_size() {
        let mut budget = Budget::new();
        // a sheet's object stream: tens of KiB
        assert!(at_most(40 << 10, &[Step::Flate], &mut budget).is_ok());
        assert!(at_most(200 << 10, &[Step::Flate], &mut budget).is_err());
        // compressed twice: no bound from its size
        assert!(at_most(100, &[Step::Flate, Step::Flate], &mut Budget::new()).is_err());
        assert!(at_most(1 << 20, &[], &mut Budget::new()).is_ok());
    }

    /// An object stream in a file with /Encrypt: bounded by its size and
    /// filters, not decoded (its bytes are ciphertext).
    fn encrypted_with_object_stream(filters: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter {filters} /Length {} >>\nstream\n",
            data.len()
        )
        .into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 2 0 R /Encrypt 3 0 R >>\n%%EOF\n");
        out
    }

    #[test]
    fn an_encrypted_files_object_streams_are_bounded_by_their_size() {
        let small = encrypted_with_object_stream("/FlateDecode", &[0x5a; 40 << 10]);
        assert!(check_structure(&small).is_ok());
        let large = encrypted_with_object_stream("/FlateDecode", &[0x5a; 200 << 10]);
        let e = check_structure(&large).unwrap_err();
        assert!(e.contains("encrypted") && e.contains("could decompress to over 128 MiB"), "{e}");
        let twice = encrypted_with_object_stream("[/FlateDecode /FlateDecode]", &[0x5a; 100]);
        assert!(check_structure(&twice).is_err());
        // unencrypted, the same bytes are decoded and measured (they are no
        // Flate data: nothing comes of them)
        let plain = String::from_utf8_lossy(&large).replace("/Encrypt 3 0 R", "");
        assert!(check_structure(plain.as_bytes()).is_ok());
    }

    #[test]
    fn a_bomb_is_stopped_at_the_limit() {
        // 8 MiB of zeros, twice compressed, against a 1 MiB budget
        let once = zlib(&vec![0u8; 8 << 20]);
        let bomb = zlib(&once);
        let mut budget = Budget { left: 1 << 20 };
        assert!(measure(&bomb, &[Step::Flate, Step::Flate], &mut budget).is_err());
        let mut budget = Budget { left: 1 << 20 };
        assert!(measure(&once, &[Step::Flate], &mut budget).is_err());
        let mut budget = Budget { left: 9 << 20 };
        assert!(measure(&once, &[Step::Flate], &mut budget).is_ok());
    }
}

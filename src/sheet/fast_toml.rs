//! A fast path for the plain TOML sheet files are written in: `[table]`
//! headers and `key = value` lines with bare or `"quoted"` keys, basic
//! strings, decimal integers and one-line arrays and inline tables, as
//! `kaiji bench-data`, `kaiji import` and people write them.
//!
//! It builds exactly the tree [`tree::from_toml`](super::tree) builds with
//! the `toml` crate — same values, file order and byte spans — or declines
//! (`None`) at the first thing outside that subset, valid TOML or not, so
//! the caller falls back to `toml`, which stays the authority on everything
//! else and on every error message. Declining is always safe; accepting
//! anything `toml` would read differently (or reject) is the one bug to
//! avoid, which the differential tests and the `sheet_toml` fuzz target
//! look for.

use std::borrow::Cow;

use super::Span;
use super::tree::{Key, Node, Value};

/// Nesting allowed inside a value (an answer's inline table holds an array);
/// deeper input goes to `toml`.
const MAX_DEPTH: usize = 3;

type Entries<'a> = Vec<(Key<'a>, Node<'a>)>;

/// The document tree, or `None` when `text` leaves the plain subset.
pub(crate) fn parse(text: &str) -> Option<Node<'_>> {
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0 };
    // Keys before the first header belong to the root; every later key to
    // the latest header's table, which nothing can re-open.
    let mut root: Entries = Vec::new();
    let mut tables: Vec<(Key, Span, Entries)> = Vec::new();
    loop {
        p.skip_ws();
        match p.peek() {
            None => break,
            Some(b'\r' | b'\n' | b'#') => {}
            Some(b'[') => {
                let start = p.pos;
                p.pos += 1;
                p.skip_ws();
                // `[[array of tables]]` fails here: `[` starts no key.
                let key = p.key()?;
                p.skip_ws();
                p.eat(b']')?;
                tables.push((key, Span::new(start, p.pos), Vec::new()));
            }
            Some(_) => {
                let entry = p.key_value(0)?;
                tables.last_mut().map_or(&mut root, |t| &mut t.2).push(entry);
            }
        }
        p.end_of_line()?;
    }
    for (key, span, entries) in tables {
        if has_duplicates(&entries) {
            return None;
        }
        root.push((key, Node { span, value: Value::Table(entries) }));
    }
    // A header naming a key the root already has is a duplicate too.
    if has_duplicates(&root) {
        return None;
    }
    // `toml` gives the document itself an empty span.
    Some(Node { span: Span::new(0, 0), value: Value::Table(root) })
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    /// TOML whitespace is spaces and tabs only.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Trailing whitespace, an optional comment, then LF, CRLF or the end.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_ws();
        if self.peek() == Some(b'#') {
            // Comments take tabs and printable characters (not DEL).
            while let Some(b) = self.peek() {
                match b {
                    b'\t' | 0x20..=0x7e | 0x80.. => self.pos += 1,
                    _ => break,
                }
            }
        }
        self.pos += match self.peek() {
            None => 0,
            Some(b'\n') => 1,
            Some(b'\r') if self.bytes.get(self.pos + 1) == Some(&b'\n') => 2,
            _ => return None,
        };
        Some(())
    }

    /// `key = value`; a dotted key fails at the `.`.
    fn key_value(&mut self, depth: usize) -> Option<(Key<'a>, Node<'a>)> {
        let key = self.key()?;
        self.skip_ws();
        self.eat(b'=')?;
        self.skip_ws();
        Some((key, self.value(depth)?))
    }

    /// A bare (ASCII letters, digits, `-`, `_`) or basic-quoted key; its
    /// span includes the quotes, as in `toml`.
    fn key(&mut self) -> Option<Key<'a>> {
        let start = self.pos;
        let name = if self.peek() == Some(b'"') {
            self.string()?
        } else {
            while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_')) {
                self.pos += 1;
            }
            if self.pos == start {
                return None;
            }
            Cow::Borrowed(&self.text[start..self.pos])
        };
        Some(Key { span: Span::new(start, self.pos), name })
    }

    /// Spans cover the whole written value: quotes, brackets and braces.
    fn value(&mut self, depth: usize) -> Option<Node<'a>> {
        let start = self.pos;
        let value = match self.peek()? {
            b'"' => Value::Str(self.string()?),
            b'0'..=b'9' => Value::Int(self.integer()?),
            b'[' if depth < MAX_DEPTH => Value::Array(self.array(depth + 1)?),
            b'{' if depth < MAX_DEPTH => Value::Table(self.inline_table(depth + 1)?),
            // literal strings, booleans, signed numbers, inf/nan ...
            _ => return None,
        };
        Some(Node { span: Span::new(start, self.pos), value })
    }

    /// A one-line basic string. Borrowed unless it holds escapes; only the
    /// single-character escapes are decoded (`\u`, `\x`, `\e` decline).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        if self.bytes[self.pos..].starts_with(b"\"\"\"") {
            return None; // multi-line
        }
        self.pos += 1;
        let mut owned: Option<String> = None;
        let mut run = self.pos;
        loop {
            // Control characters other than tab (newline, CR, DEL ...) are
            // not allowed in a basic string.
            let plain = self.bytes[self.pos..]
                .iter()
                .position(|&b| matches!(b, b'"' | b'\\' | 0..=0x08 | 0x0a..=0x1f | 0x7f))?;
            self.pos += plain;
            match self.bytes[self.pos] {
                b'"' => {
                    let tail = &self.text[run..self.pos];
                    self.pos += 1;
                    return Some(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let c = match self.bytes.get(self.pos + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        _ => return None,
                    };
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..self.pos]);
                    s.push(c);
                    self.pos += 2;
                    run = self.pos;
                }
                _ => return None,
            }
        }
    }

    /// Plain decimal digits that fit an `i64` for sure: no sign, `_` or
    /// leading zero. Whatever is glued on (`1.5`, `2026-01-13`, `1e3`) is
    /// refused by the caller, which only takes `,`, `]`, `}`, whitespace,
    /// a comment or the line end after a value.
    fn integer(&mut self) -> Option<i64> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let digits = &self.text[start..self.pos];
        if digits.len() > 18 || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        digits.parse().ok()
    }

    /// `[a, b]` on one line, a trailing comma allowed (as in TOML 1.0).
    fn array(&mut self, depth: usize) -> Option<Vec<Node<'a>>> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.eat(b']').is_some() {
                return Some(items);
            }
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    /// `{ k = v, ... }` on one line, without the trailing comma TOML 1.1
    /// allows.
    fn inline_table(&mut self, depth: usize) -> Option<Entries<'a>> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.eat(b'}').is_some() {
            return Some(entries);
        }
        loop {
            entries.push(self.key_value(depth)?);
            self.skip_ws();
            match self.peek()? {
                b',' => {
                    self.pos += 1;
                    self.skip_ws();
                }
                b'}' => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        (!has_duplicates(&entries)).then_some(entries)
    }
}

/// Whether two keys of a table may have the same (decoded) name, which
/// `toml` reports as an error.
fn has_duplicates(entries: &[(Key, Node)]) -> bool {
    // Inline tables hold two or three keys: compare pairs, no allocation.
    if entries.len() <= 8 {
        return entries.iter().enumerate().any(|(i, (k, _))| entries[..i].iter().any(|(o, _)| o.name == k.name));
    }
    // Larger tables (~200 answers): sort hashes of the names, much cheaper
    // than sorting the names. Two names with the same hash count as
    // duplicates; if that ever happens, `toml` simply gets the file.
    let mut hashes: Vec<u64> = entries.iter().map(|(k, _)| fnv1a(&k.name)).collect();
    hashes.sort_unstable();
    hashes.windows(2).any(|w| w[0] == w[1])
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Runs the fast path against the `toml` crate on `text`: panics when the
/// fast path accepts it and `toml` rejects it or builds another tree, and
/// says whether the fast path accepted it. For the differential tests and
/// the `sheet_toml` fuzz target.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn check_against_toml(text: &str) -> bool {
    let Some(fast) = parse(text) else { return false };
    match super::tree::from_toml_crate(text) {
        Ok(slow) => assert!(fast == slow, "the fast path and toml differ on\n{text}\nfast: {fast:#?}\ntoml: {slow:#?}"),
        Err(e) => panic!("the fast path accepted what toml rejects ({e:?}):\n{text}"),
    }
    true
}

#[cfg(test)]
mod tests;

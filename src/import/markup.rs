//! Markup stripping: remark text written as HTML turned into plain lines.

use std::sync::LazyLock;

use regex::Regex;

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)\b([^<>]*)>").expect("valid regex"));
static HREF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).expect("valid regex"));
static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});").expect("valid regex"));
static DASH_ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|\s+)[-・•]\s+").expect("valid regex"));

/// Remark text as plain lines: HTML-ish markup (`<p>`, `<br>`, `<ul><li>`,
/// attributes) removed with paragraphs and list items on their own lines,
/// link targets kept, entities decoded, spacing tidied, NFKC-normalised.
pub fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut list_depth = 0usize;
    let mut li_seen = false;
    let mut link: Option<(String, usize)> = None;
    let mut last = 0;
    let push_text = |out: &mut String, text: &str, dash_items: bool| {
        if dash_items {
            // `<ul> - item - item` without <li>: each dash starts a line
            out.push_str(&DASH_ITEM.replace_all(text, "\n- "));
        } else {
            out.push_str(text);
        }
    };
    for cap in TAG.captures_iter(s) {
        let whole = cap.get(0).expect("group 0");
        push_text(&mut out, &s[last..whole.start()], list_depth > 0 && !li_seen);
        last = whole.end();
        let closing = !cap[1].is_empty();
        let name = cap[2].to_ascii_lowercase();
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dt" | "dd" => {
                out.push('\n')
            }
            "ul" | "ol" => {
                out.push('\n');
                if closing {
                    list_depth = list_depth.saturating_sub(1);
                } else {
                    list_depth += 1;
                    li_seen = false;
                }
            }
            "li" if !closing => {
                li_seen = true;
                out.push_str("\n- ");
            }
            "li" => out.push('\n'),
            "td" | "th" => out.push(' '),
            "a" if !closing => {
                let href = HREF.captures(&cap[3]).and_then(|h| h.get(1).or(h.get(2)).or(h.get(3)));
                link = href.map(|h| (h.as_str().to_string(), out.len()));
            }
            "a" => {
                if let Some((href, at)) = link.take()
                    && !href.is_empty()
                    && !href.starts_with('#')
                    && !out[at..].contains(&href)
                {
                    out.push_str(&format!(" ({href})"));
                }
            }
            _ => {}
        }
    }
    push_text(&mut out, &s[last..], list_depth > 0 && !li_seen);
    let decoded = decode_entities(&out);
    // Not NFKC-normalised: the remark is the vendor's text, kept as written.
    let lines: Vec<String> =
        decoded.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    lines.join("\n")
}

/// Whether a text carries HTML markup (a known tag or an entity) that
/// [`plain_text`] should remove; plain cell text is left as written.
pub fn looks_like_markup(s: &str) -> bool {
    const TAGS: &[&str] =
        &["p", "br", "ul", "ol", "li", "div", "span", "a", "b", "strong", "em", "i", "u", "font", "table", "tr", "td"];
    TAG.captures_iter(s).any(|c| TAGS.contains(&c[2].to_ascii_lowercase().as_str()))
        || ENTITY.captures_iter(s).any(|c| decode_entities(&c[0]) != c[0])
}

fn decode_entities(s: &str) -> String {
    ENTITY
        .replace_all(s, |cap: &regex::Captures<'_>| {
            let name = &cap[1];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
                    "yen" => Some('¥'),
                    "copy" => Some('©'),
                    "reg" => Some('®'),
                    "times" => Some('×'),
                    "hellip" => Some('…'),
                    "mdash" => Some('—'),
                    "ndash" => Some('–'),
                    "rarr" => Some('→'),
                    "larr" => Some('←'),
                    "middot" => Some('·'),
                    _ => None,
                }
            };
            match c {
                Some(c) if c != '\0' => c.to_string(),
                _ => cap[0].to_string(),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_plain_lines() {
        let html = r#"<p>一段落目 &amp; 続き</p> <p style="color:red">▼規約 https://example.jp/terms/</p>"#;
        assert_eq!(plain_text(html), "一段落目 & 続き\n▼規約 https://example.jp/terms/");
        let list = r#"<p>手順</p><ul style="list-style-type: none"> - 一つ目 - 二つ目</ul>"#;
        assert_eq!(plain_text(list), "手順\n- 一つ目\n- 二つ目");
        let li = "<ul><li>A</li><li>B&lt;C&gt;</li></ul>行<br/>次";
        assert_eq!(plain_text(li), "- A\n- B<C>\n行\n次");
        let a = r#"<a href="https://example.jp/x">説明</a> と <a href="https://e.jp">https://e.jp</a>"#;
        assert_eq!(plain_text(a), "説明 (https://example.jp/x) と https://e.jp");
        assert_eq!(plain_text("TLS<1.2 は不可 &#x41;&#66; &bogus;"), "TLS<1.2 は不可 AB &bogus;");
        // Spacing is tidied, the vendor's characters are kept.
        assert_eq!(plain_text("  ２要素　認証  "), "２要素 認証");
    }

    #[test]
    fn markup_is_detected_only_when_present() {
        assert!(looks_like_markup("<p>x</p>"));
        assert!(looks_like_markup("a &amp; b"));
        assert!(looks_like_markup("<BR>"));
        assert!(!looks_like_markup("TLS<1.2 と x>y"));
        assert!(!looks_like_markup("<備考> &unknown;"));
        assert!(!looks_like_markup("一行目\n二行目"));
    }
}

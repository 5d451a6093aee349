//! `tls_versions(text)`: which TLS versions a vendor's remark says are in
//! use. Vendors write 「TLS1.2、1.3」, "TLSv1.3", "TLS 1.2以上", ＴＬＳ１．２,
//! 「TLS1.0/1.1は無効化」; version numbers of documents (第6.0版, Ver 1.2)
//! and of SSL are not TLS versions.
//!
//! The rules, in order:
//! - only a number written after `TLS` counts (`TLS`, `TLSv`, `TLS ver.`,
//!   `TLS version`, with spaces; `DTLS` is another protocol and is ignored,
//!   `mTLS` is TLS);
//! - after the first number, further numbers joined by 、 , / ・ と や
//!   および and or (optionally repeating `TLS`) belong to the same list;
//!   `1.0~1.2` and `1.0-1.2` are ranges;
//! - 以上 / 以降 / or later / or higher / `+` after the list means "and every
//!   newer version";
//! - 未満 / より前 / below after a number makes it a bound of versions that are
//!   not used, so it is not reported;
//! - a list followed in the same clause (up to 。 、 ; or a line break) by a
//!   word of refusal (無効, 禁止, 使用しない, 非対応, 未対応, 予定, disabled,
//!   not supported ...) names versions that are *not* in use, and is left out.
//!
//! The result is sorted and unique: a subset of "1.0" "1.1" "1.2" "1.3".

/// The TLS versions there are, oldest first.
pub const VERSIONS: [&str; 4] = ["1.0", "1.1", "1.2", "1.3"];

/// Words that, after a version list in the same clause, say those versions
/// are not (or not yet) used. Matched on NFKC text, ASCII case-insensitively.
const REFUSALS: &[&str] = &[
    "無効",
    "禁止",
    "使用しない",
    "使用せず",
    "使用不可",
    "使用していない",
    "利用しない",
    "利用せず",
    "利用不可",
    "利用できない",
    "使えない",
    "非対応",
    "未対応",
    "対応しない",
    "対応していない",
    "サポートしない",
    "サポート外",
    "廃止",
    "停止",
    "許可しない",
    "不許可",
    "拒否",
    "遮断",
    "予定",
    "検討中",
    "disable",
    "not supported",
    "unsupported",
    "not used",
    "not allowed",
    "deprecated",
    "prohibited",
    "blocked",
    "rejected",
    "planned",
];

const OR_LATER: &[&str] = &["以上", "以降", "or later", "or higher", "or above", "or newer", "+"];
const BELOW: &[&str] = &["未満", "より前", "より古い", "below", "or lower", "or older", "earlier"];
/// Joiners inside a version list (after trimming spaces).
const JOINERS: &[&str] =
    &["、", ",", "/", "・", "と", "や", "及び", "および", "並びに", "and", "or", "&", "又は", "または"];

/// Versions named as in use in `text` (see the module docs).
pub fn tls_versions(text: &str) -> Vec<&'static str> {
    let norm = crate::text::normalized(text);
    // Work on chars so every index is a char boundary; ASCII lowering keeps
    // the char count, and `to_lowercase` of Japanese text is the identity.
    let chars: Vec<char> = if crate::text::has_ascii_case_only(&norm) {
        // The common case, where both ways below give this: no Unicode
        // case mapping to do, and nothing to find without a "tls".
        let Some(first) = norm.as_bytes().windows(3).position(|w| w.eq_ignore_ascii_case(b"tls")) else {
            return Vec::new();
        };
        // Nothing before the first "tls" matters but the two characters
        // `is_tls_at` looks back at (remark texts can be long).
        let from = norm[..first].char_indices().rev().nth(1).map_or(0, |(i, _)| i);
        norm[from..].chars().map(|c| c.to_ascii_lowercase()).collect()
    } else {
        let lower = norm.to_lowercase();
        if lower.chars().count() == norm.chars().count() {
            lower.chars().collect()
        } else {
            norm.chars().map(|c| c.to_ascii_lowercase()).collect()
        }
    };
    let mut used = [false; 4];
    let mut i = 0;
    while i + 3 <= chars.len() {
        if !is_tls_at(&chars, i) {
            i += 1;
            continue;
        }
        let (list, end) = parse_list(&chars, i + 3);
        i = end.max(i + 3);
        if list.is_empty() {
            continue;
        }
        let mut versions = list;
        let rest = clause(&chars, end);
        if let Some(last) = versions.last().copied()
            && starts_with_any(&rest, OR_LATER)
        {
            versions.extend(last + 1..VERSIONS.len());
        }
        if starts_with_any(&rest, BELOW) {
            // 「TLS1.2未満」 names a bound, not a version in use.
            versions.pop();
        }
        if REFUSALS.iter().any(|w| rest.contains(w)) {
            continue;
        }
        for v in versions {
            used[v] = true;
        }
    }
    VERSIONS.iter().zip(used).filter(|(_, u)| *u).map(|(v, _)| *v).collect()
}

/// `tls` starts at `i`, as a word (not `dtls`; `mtls` is fine).
fn is_tls_at(c: &[char], i: usize) -> bool {
    if c[i..i + 3] != ['t', 'l', 's'] {
        return false;
    }
    let before = |k: usize| if k == 0 { None } else { Some(c[k - 1]) };
    match before(i) {
        None => true,
        Some('m') => !before(i - 1).is_some_and(|p| p.is_ascii_alphanumeric()),
        Some(p) => !p.is_ascii_alphanumeric(),
    }
}

/// Skip spaces.
fn spaces(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i].is_whitespace() {
        i += 1;
    }
    i
}

fn at(c: &[char], i: usize, word: &str) -> bool {
    let mut rest = c.get(i..).unwrap_or(&[]).iter();
    word.chars().all(|w| rest.next() == Some(&w))
}

/// After `TLS`: an optional `v`, `ver`, `ver.`, `version`, then a version.
fn version_after_prefix(c: &[char], i: usize) -> Option<(usize, usize)> {
    let mut k = spaces(c, i);
    for p in ["version", "ver.", "ver", "v"] {
        if at(c, k, p) {
            k = spaces(c, k + p.chars().count());
            break;
        }
    }
    version_at(c, k)
}

/// A version number `1.0`..`1.3` at `i` (not followed by another digit).
fn version_at(c: &[char], i: usize) -> Option<(usize, usize)> {
    if i + 3 > c.len() || c[i] != '1' || c[i + 1] != '.' {
        return None;
    }
    let minor = c[i + 2].to_digit(10)? as usize;
    if minor > 3 || c.get(i + 3).is_some_and(|d| d.is_ascii_digit() || *d == '.') {
        return None;
    }
    Some((minor, i + 3))
}

/// The list of versions starting after `TLS` at `i`; returns the versions
/// (indices into [`VERSIONS`]) and where the list ends.
fn parse_list(c: &[char], i: usize) -> (Vec<usize>, usize) {
    let Some((first, mut end)) = version_after_prefix(c, i) else { return (Vec::new(), i) };
    let mut out = vec![first];
    loop {
        let k = spaces(c, end);
        // A range: 1.0~1.2, 1.0-1.2, 1.0から1.2
        if let Some(sep) = ["~", "-", "から"].iter().find(|s| at(c, k, s)) {
            let after = spaces(c, k + sep.chars().count());
            let after = if at(c, after, "tls") { after + 3 } else { after };
            if let Some((to, e)) = version_after_prefix(c, after) {
                let from = *out.last().unwrap_or(&to);
                out.extend((from + 1).min(to + 1)..=to);
                end = e;
                continue;
            }
        }
        let Some(j) = JOINERS.iter().find(|j| at(c, k, j)) else { break };
        let mut after = spaces(c, k + j.chars().count());
        if at(c, after, "tls") {
            after += 3;
        }
        match version_after_prefix(c, after) {
            Some((v, e)) => {
                out.push(v);
                end = e;
            }
            None => break,
        }
    }
    (out, end)
}

/// The rest of the clause after a version list: up to 。 、 , ; or a line
/// break, at most 40 characters.
fn clause(c: &[char], i: usize) -> String {
    let i = spaces(c, i);
    c[i.min(c.len())..]
        .iter()
        .take_while(|ch| !matches!(ch, '。' | '、' | ',' | ';' | '\n' | '.' | '(' | ')'))
        .take(40)
        .collect()
}

fn starts_with_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.starts_with(w))
}

#[cfg(test)]
mod tests {
    use super::tls_versions as v;

    #[test]
    fn plain_and_prefixed() {
        assert_eq!(v("TLS1.2"), ["1.2"]);
        assert_eq!(v("TLSv1.3 only"), ["1.3"]);
        assert_eq!(v("tls ver.1.2"), ["1.2"]);
        assert_eq!(v("ＴＬＳ１．２で暗号化"), ["1.2"]);
        assert_eq!(v("mTLS 1.3 を必須"), ["1.3"]);
        assert_eq!(v("SSL/TLS 1.2"), ["1.2"]);
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(v("通信はすべてTLS1.2、1.3で暗号化し、それより古いプロトコルは無効にしている。"), ["1.2", "1.3"]);
        assert_eq!(v("TLS 1.2 / TLS 1.3"), ["1.2", "1.3"]);
        assert_eq!(v("TLS1.2 and 1.3"), ["1.2", "1.3"]);
        assert_eq!(v("TLS1.2および1.3"), ["1.2", "1.3"]);
        assert_eq!(v("TLS1.0～1.2"), ["1.0", "1.1", "1.2"]);
        assert_eq!(v("TLS1.1-1.2"), ["1.1", "1.2"]);
    }

    #[test]
    fn or_later_and_bounds() {
        assert_eq!(v("TLS 1.2以上"), ["1.2", "1.3"]);
        assert_eq!(v("TLS1.2 以降を使用"), ["1.2", "1.3"]);
        assert_eq!(v("TLS 1.2 or later"), ["1.2", "1.3"]);
        assert_eq!(v("TLS1.2+"), ["1.2", "1.3"]);
        assert_eq!(v("TLS1.2未満は使用しない"), Vec::<&str>::new());
    }

    #[test]
    fn refusals_leave_versions_out() {
        assert_eq!(v("TLS1.0、TLS1.1は無効化し、TLS1.2のみ許可"), ["1.2"]);
        assert_eq!(v("TLS1.0/1.1 are disabled; TLS 1.3 is used"), ["1.3"]);
        assert_eq!(v("TLS1.2で暗号化。TLS1.3は対応予定"), ["1.2"]);
        assert_eq!(v("SSL3.0およびTLS1.0は使用しない"), Vec::<&str>::new());
    }

    #[test]
    fn not_tls() {
        assert!(v("SSL 3.0").is_empty());
        assert!(v("安全管理ガイドライン第6.0版に準拠").is_empty());
        assert!(v("Ver 1.2 のマニュアル").is_empty());
        assert!(v("DTLS 1.2").is_empty());
        // The look-back for "dtls"/"mtls" still works deep into a text.
        assert!(v("通信の暗号化について。音声はDTLS 1.2").is_empty());
        assert!(v("通信の暗号化について。xmTLS 1.2").is_empty());
        assert_eq!(v("通信の暗号化について。相互認証のmTLS 1.2"), ["1.2"]);
        assert!(v("TLS暗号設定ガイドライン 第3.0版").is_empty());
        assert!(v("TLS 2.0").is_empty());
        assert!(v("TLS1.25").is_empty());
        assert!(v("TLS1.2、10分ごと").len() == 1);
        assert!(v("").is_empty());
    }
}

//! Whether a remark says a measure is only planned: 「次期バージョンで対応予定」,
//! 「令和9年度中に導入」. The JAHIS form itself tells vendors to answer はい
//! for two-factor authentication planned by the next system update, so a
//! はい can be a plan; the `planned-yes` lint rule and the policy helper
//! `sheet.is_planned(id)` both ask this one function.
//!
//! The words are matched on NFKC text (full-width digits and letters are
//! folded), and chosen to say "not yet": a plain 今後 or までに is not enough
//! (「今後も継続して実施」 and 「契約終了までに削除」 describe what is done), so
//! those count only before a verb of introducing something.

use std::sync::OnceLock;

use regex::Regex;

/// The patterns, in the order a match is reported. Each is a phrase that,
/// in a disclosure sheet's remark, says the measure is not in place yet.
pub const PATTERNS: &[&str] = &[
    // 対応予定, 導入予定, 予定しています, 実施予定
    "予定",
    // 計画中, 検討中, 準備中, 開発中, 構築中, 調整中
    "(?:計画|検討|準備|開発|構築|調整)中",
    // 次期バージョン, 次期更改, 次回更新時
    "次期|次回(?:の)?(?:更新|更改|改修|リリース|バージョン)",
    // 今後対応, 今後、導入 (not 今後も)
    "今後(?:、)?(?:の)?(?:対応|導入|実装|提供|整備|順次|検討|強化|追加)",
    // 〜までに対応, までには導入
    "までに(?:は)?(?:対応|導入|実装|整備|完了|提供|移行|追加)",
    // 令和9年度中, 2027年度内, 来年度, 年内に
    "(?:令和|平成)?(?:\\d+|元)年度(?:中|内|末|上期|下期|以降)|来年度|来期|年内に",
    // 2027年4月頃, 2027年4月目途
    "\\d+年\\d+月(?:頃|ごろ|目途|めど|以降)",
    // 将来的に対応
    "将来(?:的)?に",
];

fn compiled() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let alternation = PATTERNS.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
        Regex::new(&alternation).expect("the planned-measure patterns compile")
    })
}

/// The first phrase in `text` that says the measure is planned, as written
/// after NFKC (`対応予定`, `令和9年度中`), or `None`.
pub fn planned_phrase(text: &str) -> Option<String> {
    let normalized = crate::text::normalized(text);
    compiled().find(&normalized).map(|m| m.as_str().to_string())
}

/// Whether any of `texts` says the measure is planned; the phrase found.
pub fn planned_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    texts.into_iter().find_map(planned_phrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_found() {
        for (text, phrase) in [
            ("二要素認証は次期バージョンで対応予定です。", "次期"),
            ("ICカード認証を導入予定", "予定"),
            ("多要素認証は現在計画中です", "計画中"),
            ("令和９年度中に提供します", "令和9年度中"),
            ("2027年度内に対応します", "2027年度内"),
            ("２０２７年４月頃に導入", "2027年4月頃"),
            ("今後、導入を進めます", "今後、導入"),
            ("次回の更改までに対応します", "次回の更改"),
            ("契約更新までには対応いたします", "までには対応"),
            ("将来的に生体認証へ移行", "将来的に"),
            ("年内に暗号化を行う", "年内に"),
        ] {
            assert_eq!(planned_phrase(text).as_deref(), Some(phrase), "{text}");
        }
    }

    #[test]
    fn what_is_done_is_not_a_plan() {
        for text in [
            "パスワードとワンタイムパスワードの二要素で認証しています。",
            "今後も年一回の訓練を継続して実施します。",
            "契約終了までに全データを消去し、証明書を発行します。",
            "事業継続計画（BCP）を策定済みです。",
            "TLS 1.2 以上で通信を暗号化しています。",
            "2020年4月から提供しています。",
            "",
        ] {
            assert_eq!(planned_phrase(text), None, "{text}");
        }
    }

    #[test]
    fn the_first_text_that_plans_is_named() {
        assert_eq!(planned_in(["実施済み", "次期更改で対応予定"]).as_deref(), Some("次期"));
        assert_eq!(planned_in(["実施済み"]), None);
    }
}

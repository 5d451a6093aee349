//! The words of synthetic sheets: vendor and service names, and 備考 texts
//! by topic, written the way vendors write them (mixed full-width and
//! half-width, TLS versions spelt several ways).

use super::rng::Rng;

/// What a question is about, which decides the 備考 it cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Storage,
    Governance,
    Contract,
    Physical,
    Screen,
    TwoFactor,
    OtherAuth,
    Password,
    AltDevice,
    Logs,
    Time,
    Malware,
    Files,
    Wireless,
    Personnel,
    Maintenance,
    Disposal,
    Remote,
    CarryOut,
    Bcp,
    Backup,
    ClosedNetwork,
    Tls,
    Crypto,
    Responsibility,
    Sla,
    Portal,
    Signature,
    Authenticity,
    Readability,
    Migration,
    Scan,
}

/// The topic of a question id of the sds-6.0 form (by its leading number,
/// with a few sub-questions singled out); `None` for ids of other forms.
pub fn topic_of(id: &str) -> Option<Topic> {
    use Topic::*;
    match id {
        "17.1.d" => return Some(TwoFactor),
        "17.1.e" => return Some(OtherAuth),
        "17.1.2" => return Some(AltDevice),
        "71.1" | "51.3" | "53.7" => return Some(Crypto),
        _ => {}
    }
    if id.starts_with("17.1.1") {
        return Some(Password);
    }
    if id.starts_with("17.3") || id == "17.4" {
        return Some(Logs);
    }
    let lead: u32 = id.split('.').next()?.parse().ok()?;
    Some(match lead {
        1 => Storage,
        2..=6 | 9 => Governance,
        7 | 8 | 30 | 50 => Contract,
        10..=15 => Physical,
        16 => Screen,
        17 => return None,
        18 => Time,
        19 | 96 => Malware,
        20 | 21 => Files,
        22 | 23 => Wireless,
        24..=29 | 31 => Personnel,
        32..=35 => Disposal,
        36..=47 => Maintenance,
        48 | 49 | 74 | 91 => Remote,
        51..=55 => CarryOut,
        56 | 57 => Bcp,
        58 | 98 | 100 => Backup,
        59..=62 => ClosedNetwork,
        63..=70 | 89 | 90 => Tls,
        71 => Crypto,
        72 | 73 => Responsibility,
        75 | 103 | 104 => Sla,
        76 => Portal,
        77..=79 => Signature,
        80..=88 => Authenticity,
        92..=95 => Readability,
        97 | 99 | 101 | 102 => Migration,
        105 | 106 => Scan,
        _ => return None,
    })
}

const VENDOR_HEADS: &[&str] = &[
    "あおぞら",
    "さくら",
    "ひので",
    "みなと",
    "やまびこ",
    "わかば",
    "こもれび",
    "ほくと",
    "なぎさ",
    "いずみ",
    "アルファ",
    "メディ",
    "ケアリンク",
    "ネクスト",
    "トラスト",
    "ユニティ",
    "光陽",
    "東邦",
    "北斗",
    "瑞穂",
];
const VENDOR_TAILS: &[&str] =
    &["メディカル", "システムズ", "ヘルスケア", "情報サービス", "ソリューションズ", "テクノロジー", "データ", "ネット"];
const SERVICE_KINDS: &[&str] = &[
    "電子カルテ クラウド",
    "PACS",
    "オーダリング",
    "医事会計システム",
    "検査システム",
    "地域連携ネットワーク",
    "遠隔読影サービス",
    "ＰＨＲ",
    "予約・問診システム",
    "バックアップサービス",
];

pub fn vendor(rng: &mut Rng) -> String {
    let form = rng.below(10);
    let name = format!("{}{}", rng.pick(VENDOR_HEADS), rng.pick(VENDOR_TAILS));
    match form {
        0..=6 => format!("株式会社{name}"),
        7 | 8 => format!("{name}株式会社"),
        _ => format!("合同会社{name}"),
    }
}

pub fn service(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(VENDOR_HEADS), rng.pick(SERVICE_KINDS))
}

/// How a vendor talks about TLS in its network remark. Strong vendors name
/// modern versions; weak ones old ones or none at all.
fn tls_phrase(rng: &mut Rng, strength: f64) -> &'static str {
    const STRONG: &[&str] = &[
        "通信はすべてTLS1.2、1.3で暗号化し、それより古いプロトコルは無効にしている。",
        "通信はＴＬＳ１．３のみを許可している。",
        "HTTPS（TLSv1.3、TLSv1.2）で暗号化し、脆弱な暗号スイートは無効化している。",
        "TLS 1.2 以上で暗号化している（TLS1.0/1.1 は無効化済み）。",
        "ブラウザとの通信は TLS1.3 を優先し、TLS1.2 にも対応する。",
    ];
    const WEAK: &[&str] = &[
        "通信はSSL/TLS（TLS1.0以上）で暗号化している。",
        "旧端末との互換性のため TLS1.1 を許可している。",
        "HTTPSで暗号化している。",
        "通信経路はVPNで保護している。",
    ];
    if rng.chance(strength) { rng.pick(STRONG) } else { rng.pick(WEAK) }
}

/// A 備考 text for a topic; `strength` (0..1) tilts the content towards good
/// or poor practice.
pub fn remark(topic: Topic, rng: &mut Rng, strength: f64) -> String {
    use Topic::*;
    let n = |rng: &mut Rng, lo, hi| rng.range(lo, hi);
    match topic {
        Storage => format!(
            "国内{}か所のデータセンター（ISMS認証取得）で診療録等の外部保存を受託する。データを国外へ移転することはない。",
            n(rng, 1, 3)
        ),
        Governance => format!(
            "情報セキュリティ委員会のもとに企画管理者と技術担当者を任命し、体制図と運用管理規程（第{}版）を提示できる。",
            n(rng, 2, 9)
        ),
        Contract => format!(
            "サービス利用契約とSLAに安全管理条項を設けている。再委託先にも同等の義務を契約で課し、{}年に1回監査する。",
            n(rng, 1, 2)
        ),
        Physical => rng
            .pick(&[
                "データセンターはICカードと静脈認証による入退室管理、監視カメラ、施錠ラックで保護している。",
                "サーバ室は施錠し、入退室記録を月次で点検している。",
                "入退館は受付での本人確認と記帳による。",
            ])
            .to_string(),
        Screen => format!("一定時間（{}分）操作がない場合に自動で画面をロックする。", n(rng, 3, 15)),
        TwoFactor => rng
            .pick(&[
                "二要素認証の組み合わせ：ID・パスワード＋ワンタイムパスワード（TOTP）。",
                "ICカード（HPKIカード可）とPINによる二要素認証に対応。",
                "ID・パスワードと静脈認証の組み合わせ。",
                "パスワード＋SMSによる確認コード。",
            ])
            .to_string(),
        OtherAuth => rng
            .pick(&[
                "医療機関の統合認証基盤とのSAML 2.0によるシングルサインオン連携に対応する。",
                "端末ごとのクライアント証明書による機器認証を併用する。",
            ])
            .to_string(),
        Password => format!(
            "パスワードポリシー（{}文字以上、英大文字・小文字・数字・記号の混在、直近{}回分の再利用禁止、有効期限{}日）を管理画面で設定できる。",
            n(rng, 8, 16),
            n(rng, 3, 10),
            rng.pick(&[90, 180, 365])
        ),
        AltDevice => "ICカード紛失時は本人確認のうえ当日限り有効な一時コードを発行する代替手順を定めている。".to_string(),
        Logs => format!(
            "参照・登録・更新・出力の操作ログを{}年間保持し、管理画面から検索・CSV出力できる。ログは追記専用ストレージに保管する。",
            n(rng, 1, 10)
        ),
        Time => "全サーバはNTPで複数の上位時刻源と同期し、時刻のずれを監視している。".to_string(),
        Malware => rng
            .pick(&[
                "全サーバにEDRを導入し、定義ファイルは自動更新している。年1回第三者によるペネトレーションテストを受けている。",
                "ウイルス対策ソフトを導入し、パターンファイルを日次で更新している。",
                "リリース前にモジュールのハッシュ照合と脆弱性スキャンを行う。",
            ])
            .to_string(),
        Files => "添付ファイルの登録時にマルウェア検査を行い、マクロ付き文書や実行形式のファイルは受け付けない。".to_string(),
        Wireless => "無線LANはWPA3-Enterpriseで認証・暗号化し、業務用と来客用のSSIDを分離している。".to_string(),
        Personnel => format!(
            "全従業者と入社時に守秘義務契約を締結し、年{}回の個人情報保護研修を実施している。",
            n(rng, 1, 4)
        ),
        Maintenance => "保守作業は事前に作業申請書を提出し、終了後に作業内容と個人情報へのアクセス有無を記載した報告書を提出する。".to_string(),
        Disposal => "契約終了時は医療機関の書面による指示に基づきデータを削除し暗号鍵を破棄する。機器は専門業者が物理破壊し、破棄証明書を提出する。".to_string(),
        Remote => format!(
            "リモート保守は踏み台サーバ経由に限り、作業者個人のアカウントとクライアント証明書で接続する。接続ログは{}年以上保管する。",
            n(rng, 1, 5)
        ),
        CarryOut => "社給端末はディスク全体をAES-256で暗号化し、USBメモリ等の外部媒体は無効化している。".to_string(),
        Bcp => format!(
            "BCP手順書（大規模災害、ランサムウェア被害を想定）を整備し、年{}回の切替訓練を実施する。",
            n(rng, 1, 2)
        ),
        Backup => {
            if rng.chance(strength) {
                format!(
                    "バックアップは日次で{}世代を保持し、週次の1世代はネットワークから隔離したオフライン媒体に保管する。四半期ごとに復元テストを行う。",
                    n(rng, 7, 30)
                )
            } else {
                format!("日次でバックアップを取得し、{}世代を同一データセンター内に保持している。", n(rng, 2, 7))
            }
        }
        ClosedNetwork => "閉域接続オプションとして通信事業者のIP-VPNに対応する。閉域性の範囲は事業者の仕様書で確認済み。".to_string(),
        Tls => {
            let extra = if rng.chance(0.5) { "AEAD暗号により転送中の改ざんを検知する。" } else { "" };
            format!("{}{extra}", tls_phrase(rng, strength))
        }
        Crypto => rng
            .pick(&[
                "保存データはAES-256で暗号化し、暗号鍵はHSMで管理している（電子政府推奨暗号リスト記載の方式）。",
                "暗号化にはAES-128-GCMを用いる。",
            ])
            .to_string(),
        Responsibility => "責任分界点を明記した責任分界表を契約時に提示している。".to_string(),
        Sla => format!("SLAで月間稼働率{}%を保証し、稼働状況は月次報告書で提示する。", rng.pick(&["99.5", "99.9", "99.95"])),
        Portal => "患者向け閲覧サービスは院内システムとは別のセグメントに置き、WAFで保護している。".to_string(),
        Signature => "HPKIカードによる電子署名・検証と、認定事業者のタイムスタンプの付与・検証に対応している。".to_string(),
        Authenticity => "代行入力では入力者・依頼者・日時を都度記録し、依頼者の承認操作で確定する。".to_string(),
        Readability => "障害時の代替見読手段として、参照専用の待機系環境と患者単位のPDF一括出力機能を用意している。".to_string(),
        Migration => "データ移行用にSS-MIX2標準化ストレージ形式で出力・入力できる。".to_string(),
        Scan => "スキャン取込みでは推奨スキャナの仕様（200dpi以上、RGB各8ビット以上）を提示する。".to_string(),
    }
}

/// A short inline note for an answer of 対象外 on a conditional question.
pub fn not_applicable_note(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "該当する機能を提供していないため",
        "当該機能はサービスの範囲外",
        "医療機関側の管理範囲のため",
        "オンプレミス版のみの機能のため",
    ])
}

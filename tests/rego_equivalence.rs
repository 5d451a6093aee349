//! The Rego versions of the built-in policies (benches/rego/, evaluated by
//! regorus in `cargo bench --bench rego`) give kaiji's verdicts: on
//! generated sheets, and `tls_versions` on the texts of its unit tests and
//! on random mixes of the phrases it has to tell apart.

#[path = "../benches/rego/common.rs"]
mod common;

use std::sync::Arc;

use kaiji::form::FormRegistry;
use kaiji::policy::{Limits, PolicySet};
use kaiji::sheet::{SheetFormat, load_str};
use kaiji::synth::{Generator, Options, Rng, policy_pack};
use kaiji::text::tls::{VERSIONS, tls_versions};

fn setup() -> (Arc<kaiji::form::Form>, Vec<(String, String)>, regorus::Engine) {
    let forms = FormRegistry::builtin();
    let form = forms.get("sds-6.0").unwrap();
    let pack = policy_pack(16);
    let engine = common::engine(&pack, &form);
    (form, pack, engine)
}

#[test]
fn rego_policies_give_kaiji_verdicts_on_generated_sheets() {
    let forms = FormRegistry::builtin();
    let (form, pack, mut engine) = setup();
    let files: Vec<(&str, &str)> = pack.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let set = PolicySet::from_memory(&files, "test:", Limits::default()).unwrap();
    assert_eq!(set.len(), 16);
    let g = Generator::new(form, Options { seed: 7, problem_rate: 0.3 });
    for i in 0..40 {
        let sheet = Arc::new(load_str("s.json", g.sheet(i).to_json(), SheetFormat::Json, &forms).unwrap());
        let kaiji = common::kaiji_verdicts(&set.evaluate(&sheet));
        let rego = common::rego_verdicts(&common::eval(&mut engine, &common::input(&sheet)));
        assert_eq!(kaiji.len(), 16);
        if let Err(msg) = common::compare(&format!("sheet {i} (seed 7)"), &kaiji, &rego) {
            panic!("{msg}");
        }
    }
}

fn check_tls(engine: &mut regorus::Engine, text: &str) {
    let want: Vec<i64> =
        tls_versions(text).iter().map(|v| VERSIONS.iter().position(|x| x == v).unwrap() as i64).collect();
    let got = common::rego_tls(engine, &kaiji::text::normalize(text));
    assert_eq!(got, want, "tls_versions({text:?}): Rego {got:?}, kaiji {want:?}");
}

#[test]
fn rego_tls_versions_agrees_on_the_unit_test_texts() {
    let (_, _, mut engine) = setup();
    for t in [
        "TLS1.2",
        "TLSv1.3 only",
        "tls ver.1.2",
        "ＴＬＳ１．２で暗号化",
        "mTLS 1.3 を必須",
        "SSL/TLS 1.2",
        "通信はすべてTLS1.2、1.3で暗号化し、それより古いプロトコルは無効にしている。",
        "TLS 1.2 / TLS 1.3",
        "TLS1.2 and 1.3",
        "TLS1.2および1.3",
        "TLS1.0～1.2",
        "TLS1.1-1.2",
        "TLS 1.2以上",
        "TLS1.2 以降を使用",
        "TLS 1.2 or later",
        "TLS1.2+",
        "TLS1.2未満は使用しない",
        "TLS1.0、TLS1.1は無効化し、TLS1.2のみ許可",
        "TLS1.0/1.1 are disabled; TLS 1.3 is used",
        "TLS1.2で暗号化。TLS1.3は対応予定",
        "SSL3.0およびTLS1.0は使用しない",
        "SSL 3.0",
        "安全管理ガイドライン第6.0版に準拠",
        "Ver 1.2 のマニュアル",
        "DTLS 1.2",
        "TLS暗号設定ガイドライン 第3.0版",
        "TLS 2.0",
        "TLS1.25",
        "TLS1.2、10分ごと",
        "",
        "通信はＴＬＳ１．３のみを許可している。",
        "HTTPS（TLSv1.3、TLSv1.2）で暗号化し、脆弱な暗号スイートは無効化している。",
        "TLS 1.2 以上で暗号化している（TLS1.0/1.1 は無効化済み）。",
        "ブラウザとの通信は TLS1.3 を優先し、TLS1.2 にも対応する。",
        "通信はSSL/TLS（TLS1.0以上）で暗号化している。",
        "旧端末との互換性のため TLS1.1 を許可している。",
        "TLS1.2/1.2未満",
        "TLS1.2-1.0-1.3",
        "TLS1.3~1.1 以上",
        "tls1.2tls1.3",
        "xtls1.2 mtls1.1",
    ] {
        check_tls(&mut engine, t);
    }
}

#[test]
fn rego_tls_versions_agrees_on_random_phrases() {
    const PARTS: &[&str] = &[
        "TLS",
        "tls",
        "ＴＬＳ",
        "TLSv",
        "TLS ver.",
        "TLS version ",
        "mTLS",
        "DTLS",
        "SSL",
        " ",
        "1.0",
        "1.1",
        "1.2",
        "1.3",
        "１．２",
        "1.4",
        "2.0",
        "1.",
        "0",
        "、",
        ",",
        "/",
        "・",
        "と",
        "および",
        "and",
        "or",
        "~",
        "-",
        "から",
        "以上",
        "以降",
        "+",
        "未満",
        "below",
        "は無効",
        "disabled",
        "予定",
        "。",
        ".",
        "(",
        ")",
        "\n",
        "で暗号化",
        "を使用",
        "x",
        "m",
        "第6.0版",
    ];
    let (_, _, mut engine) = setup();
    let mut rng = Rng::new(11);
    for _ in 0..3000 {
        let len = 2 + rng.below(12);
        let text: String = (0..len).map(|_| rng.pick(PARTS)).collect();
        check_tls(&mut engine, &text);
    }
}

//! `kaiji form new` from the reference seed (../shared/seeds) rebuilds the
//! built-in sds-6.0 catalog exactly: the same questions, ids, kinds, texts,
//! parents and sections in the same order, and the same TOML byte for byte.

use kaiji::form::{FormRegistry, to_toml};
use kaiji::import::catalog::{Options, from_text};

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/000_22d79e97acf5181f.txt");

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn the_seed_rebuilds_the_builtin_catalog() {
    let seed = std::fs::read_to_string(SEED).unwrap_or_else(|e| panic!("the reference seed {SEED}: {e}"));
    let opts = Options {
        id: "sds-6.0".into(),
        standard: Some("JAHIS標準24-005".into()),
        edition: Some("Ver.5.0".into()),
        ..Options::default()
    };
    let built = from_text(&seed, "seed.txt", &opts).unwrap();
    let builtin = FormRegistry::builtin().get("sds-6.0").unwrap();
    let f = &built.form;
    // title and guideline are read from the seed's title line
    assert_eq!(
        (&f.id, &f.title, &f.guideline, &f.standard, &f.edition),
        (&builtin.id, &builtin.title, &builtin.guideline, &builtin.standard, &builtin.edition)
    );
    assert_eq!(f.len(), builtin.len());
    for (a, b) in f.questions().iter().zip(builtin.questions()) {
        assert_eq!(
            (&a.id, &a.text, &a.section, a.kind, &a.parent),
            (&b.id, &b.text, &b.section, b.kind, &b.parent),
            "question {}",
            b.id
        );
    }
    assert_eq!(built.toml, to_toml(&builtin));
    assert_eq!(built.toml, include_str!("../src/form/sds-6.0.toml"));
    // The one numbered line without choices is the form's note on 59-63.
    assert_eq!(built.warnings.len(), 1, "{:?}", built.warnings);
    assert!(built.warnings[0].contains("numbered text without choices"), "{:?}", built.warnings);
}

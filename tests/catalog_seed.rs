//! The sds-6.0 catalog holds exactly the questions of the reference seed
//! (../shared/seeds), in the seed's order.

use kaiji::form::FormRegistry;
use kaiji::text::match_key;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/000_22d79e97acf5181f.txt");

/// The question texts of the seed, in order: lines whose first cell is a
/// printed number (or a ・ bullet) followed by text, and whose later cells
/// hold the answer choices.
fn seed_questions(seed: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in seed.lines() {
        let mut cells = line.split('\t');
        let first = cells.next().unwrap_or("").trim();
        let rest: Vec<&str> = cells.map(str::trim).filter(|c| !c.is_empty()).collect();
        if !rest.iter().any(|c| matches!(*c, "はい" | "該当")) {
            continue;
        }
        let text = match first.strip_prefix('・') {
            Some(t) => t,
            None => first.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.'),
        };
        if text.len() < first.len() {
            out.push(text.trim().to_string());
        }
    }
    out
}

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn catalog_matches_the_seed_both_ways() {
    let seed = std::fs::read_to_string(SEED).unwrap_or_else(|e| panic!("the reference seed {SEED}: {e}"));
    let seed_texts = seed_questions(&seed);
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let catalog: Vec<String> = form.questions().iter().map(|q| match_key(&q.text)).collect();
    let seed_keys: Vec<String> = seed_texts.iter().map(|t| match_key(t)).collect();
    for (t, k) in seed_texts.iter().zip(&seed_keys) {
        assert!(catalog.contains(k), "seed question not in catalog: {t}");
    }
    for (q, k) in form.questions().iter().zip(&catalog) {
        assert!(seed_keys.contains(k), "catalog question {} not in seed: {}", q.id, q.text);
    }
    assert_eq!(seed_keys, catalog, "same questions in the same order");
    assert_eq!(catalog.len(), 198);
}

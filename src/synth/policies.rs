//! A policy pack of any size for benchmarks: the built-in baseline pack,
//! then variants of its policies under new ids (`H-AUTH-001-V2`, ...) until
//! the pack has the requested number. A variant runs the same checks as its
//! original, so a pack of N policies costs what N real policies of the
//! baseline's mix cost, and its verdicts are known.

use crate::policy::BUILTIN;

/// `(file name, text)` of `count` policies (at least one).
pub fn policy_pack(count: usize) -> Vec<(String, String)> {
    let base: Vec<(&str, &str)> = BUILTIN.iter().copied().filter(|(path, _)| !path.contains('/')).collect();
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let (path, text) = base[k % base.len()];
        let round = k / base.len();
        if round == 0 {
            out.push((path.to_string(), text.to_string()));
            continue;
        }
        let variant = round + 1;
        let stem = path.trim_end_matches(".rhai");
        out.push((format!("{stem}-v{variant}.rhai"), variant_text(text, stem, variant)));
    }
    out
}

/// The policy with `-V{n}` appended to its id (the file stem when the
/// front matter names none) and its title marked as a variant.
fn variant_text(text: &str, stem: &str, n: usize) -> String {
    let mut has_id = false;
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            if let Some(id) = l.strip_prefix("//! id:") {
                has_id = true;
                format!("//! id: {}-V{n}", id.trim())
            } else if let Some(title) = l.strip_prefix("//! title:") {
                format!("//! title: {}（変種 {n}）", title.trim())
            } else {
                l.to_string()
            }
        })
        .collect();
    if !has_id {
        lines.insert(0, format!("//! id: {stem}-V{n}"));
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;
    use crate::policy::{Limits, PolicySet};
    use crate::synth::{Generator, Options};

    #[test]
    fn variants_compile_and_agree_with_their_originals() {
        let pack = policy_pack(40);
        assert_eq!(pack.len(), 40);
        let files: Vec<(&str, &str)> = pack.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let set = PolicySet::from_memory(&files, "bench:", Limits::default()).unwrap();
        assert_eq!(set.len(), 40);
        assert!(set.policies().iter().all(|p| p.error().is_none()));
        let ids: Vec<&str> = set.policies().iter().map(|p| p.id()).collect();
        assert!(ids.contains(&"H-AUTH-001") && ids.contains(&"H-AUTH-001-V2") && ids.contains(&"H-AUTH-001-V3"));
        let forms = FormRegistry::builtin();
        let g = Generator::new(forms.get("sds-6.0").unwrap(), Options { seed: 2, problem_rate: 0.2 });
        for i in 0..20 {
            let text = g.sheet(i).to_toml();
            let sheet = std::sync::Arc::new(
                crate::sheet::load_str("s.toml", text, crate::sheet::SheetFormat::Toml, &forms).unwrap(),
            );
            let verdicts: std::collections::HashMap<String, _> =
                set.evaluate(&sheet).into_iter().map(|e| (e.outcome.id, e.outcome.status)).collect();
            for id in &ids {
                let original = id.split("-V").next().unwrap();
                assert_eq!(verdicts[*id], verdicts[original], "sheet {i}: {id}");
            }
        }
    }
}

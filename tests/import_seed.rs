//! The reference seed (text extracted from a real vendor's SDS PDF) imports
//! completely. The seed lives outside the repository; without it these tests
//! are `#[ignore]`d (build.rs looks for it), so the count says they did not
//! run; `.ci/run` runs ignored tests too, where a missing seed fails.

use kaiji::form::FormRegistry;
use kaiji::import::{Imported, text};
use kaiji::sheet::{SheetFormat, load_str};

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/000_22d79e97acf5181f.txt");

fn seed() -> Imported {
    let bytes = std::fs::read(SEED).unwrap_or_else(|e| panic!("the reference seed {SEED}: {e}"));
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    text::import_bytes(&bytes, &form, "seed.txt").unwrap()
}

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn seed_imports_every_question_and_remark() {
    let imp = seed();
    let (doc, report) = (&imp.doc, &imp.report);
    eprintln!("{report}");
    assert_eq!(report.recognised, 198, "{report}");
    assert!(report.missing.is_empty(), "{report}");
    assert_eq!(doc.remarks.len(), 31);
    assert_eq!(doc.remarks.keys().copied().collect::<Vec<_>>(), (1..=31).collect::<Vec<_>>());
    assert_eq!(doc.meta.vendor.as_deref(), Some("サイボウズ株式会社"));
    assert_eq!(doc.meta.service.as_deref(), Some("kintone"));
    assert_eq!(doc.meta.version.as_deref(), Some("2026年1月13日時点"));
    assert_eq!(doc.meta.created.map(|d| d.to_string()).as_deref(), Some("2026-01-13"));
    let cites = |id: &str| doc.answer(id).map(|a| a.remarks.clone()).unwrap_or_default();
    assert_eq!(cites("17.1.1"), [9]);
    assert_eq!(cites("90"), [22]);
    assert_eq!(cites("100"), [30]);
    assert_eq!(cites("17.1.d"), [8]);
    assert_eq!(cites("17.1.a"), Vec::<u32>::new());
    assert_eq!(cites("17.3"), [10]);
    assert_eq!(cites("1"), [1]);
    assert_eq!(cites("80"), [1]);
    assert_eq!(cites("4"), Vec::<u32>::new());
    // the marks did not survive the PDF: nothing is answered, nothing invented
    assert_eq!(report.answered, 0);
    assert!(doc.answers.iter().all(|a| a.answer.is_none()));
    for (n, t) in &doc.remarks {
        assert!(!t.is_empty(), "remark {n} is empty");
        for bad in ["<p", "</p>", "<li", "<ul", "style=", "&amp;", "&lt;"] {
            assert!(!t.contains(bad), "remark {n} still holds {bad}: {t}");
        }
    }
    // URLs survive the markup removal; list items are lines
    assert!(doc.remarks[&9].contains("https://"), "{}", doc.remarks[&9]);
    assert!(doc.remarks[&14].lines().filter(|l| l.starts_with("- ")).count() >= 3, "{}", doc.remarks[&14]);
}

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn imported_seed_loads_and_lints() {
    let imp = seed();
    let forms = FormRegistry::builtin();
    let form = forms.get("sds-6.0").unwrap();
    let toml = kaiji::sheet::write::to_toml(&imp.doc, Some(&form), &[]);
    let sheet = load_str("seed.toml", toml, SheetFormat::Toml, &forms).unwrap();
    assert_eq!(sheet.to_doc(), imp.doc);
    let findings = kaiji::lint::lint(&sheet);
    let mut unref: Vec<String> =
        findings.iter().filter(|f| &*f.rule == "unreferenced-remark").map(|f| f.message.clone()).collect();
    unref.sort();
    assert_eq!(unref.len(), 2, "{unref:?}");
    assert!(unref[0].contains("21") && unref[1].contains("24"), "{unref:?}");
}

/// The seed's rows with one word chosen on each (or none): `Marked` keeps
/// every word and marks the chosen one ■ (read by the marks, the reference),
/// `OnlyWord` prints only the chosen word, `Wrapped` prints only the chosen
/// word and wraps the question's text after it, `pdftotext -layout` style.
#[derive(Clone, Copy, PartialEq)]
enum Relay {
    Marked,
    OnlyWord,
    Wrapped,
}

fn relaid(how: Relay) -> String {
    let seed = std::fs::read_to_string(SEED).unwrap_or_else(|e| panic!("the reference seed {SEED}: {e}"));
    let words = ["はい", "いいえ", "対象外", "該当", "非該当"];
    let mut out = Vec::new();
    let mut in_remarks = false;
    for (n, line) in seed.lines().enumerate() {
        in_remarks |= line.starts_with("備考記載欄");
        let cells: Vec<&str> = line.split('\t').collect();
        let Some(first) = cells.iter().position(|c| words.contains(c)) else {
            out.push(line.to_string());
            continue;
        };
        if in_remarks {
            out.push(line.to_string());
            continue;
        }
        let last = cells.iter().rposition(|c| words.contains(c)).unwrap();
        let choices = &cells[first..=last];
        let pick = (n * 5 + 1) % (choices.len() + 1); // == len: blank
        let (text, tail) = (cells[..first].join("\t"), cells[last + 1..].join("\t"));
        let area: Vec<String> = match how {
            Relay::Marked => choices
                .iter()
                .enumerate()
                .map(|(k, w)| {
                    format!(
                        "{}{w}",
                        if pick == choices.len() {
                            ""
                        } else if k == pick {
                            "■"
                        } else {
                            "□"
                        }
                    )
                })
                .collect(),
            _ => choices.get(pick).map(|w| w.to_string()).into_iter().collect(),
        };
        let area = area.join("\t");
        if how == Relay::Wrapped && text.chars().count() > 30 {
            let chars: Vec<char> = text.chars().collect();
            out.push(format!("{}\t{area}\t{tail}", chars[..24].iter().collect::<String>()));
            for chunk in chars[24..].chunks(24) {
                out.push(format!("            {}", chunk.iter().collect::<String>()));
            }
        } else {
            out.push(format!("{text}\t{area}\t{tail}"));
        }
    }
    out.join("\n")
}

#[test]
#[cfg_attr(not(kaiji_seed), ignore = "needs the reference seed ../shared/seeds/000_22d79e97acf5181f.txt")]
fn seed_printing_only_the_chosen_word_reads_every_answer() {
    let form = FormRegistry::builtin().get("sds-6.0").unwrap();
    let import = |how| text::import_str(&relaid(how), &form, "seed.txt").unwrap();
    let reference = import(Relay::Marked);
    assert_eq!(reference.report.recognised, 198, "{}", reference.report);
    let answered = reference.report.answered;
    assert!(answered > 100 && answered < 198, "{}", reference.report);
    for how in [Relay::OnlyWord, Relay::Wrapped] {
        let imp = import(how);
        eprintln!("{}", imp.report);
        assert_eq!(imp.report.recognised, 198, "{}", imp.report);
        // the seed's own notes between the rows, as in the reference
        let excerpts = |i: &Imported| i.report.unread.iter().map(|u| u.excerpt.clone()).collect::<Vec<_>>();
        assert_eq!(excerpts(&imp), excerpts(&reference), "{}", imp.report);
        assert_eq!(excerpts(&imp), excerpts(&seed()));
        assert!(imp.report.warnings.is_empty(), "{}", imp.report);
        assert_eq!(imp.report.answered, answered, "{}", imp.report);
        assert_eq!(imp.doc, reference.doc, "answers, citations, remarks and metadata as with the marks");
    }
    assert_eq!(reference.doc.remarks, seed().doc.remarks);
}

//! Generates vendor documents from kaiji sheets, with the PDF generator the
//! tests use (tests/pdfgen): fictional vendors, our own words.
//!
//! ```sh
//! cargo run --example make_documents                 # examples/documents/
//! cargo run --release --example make_documents -- --bench 1000 DIR
//! ```
//!
//! `examples/documents/` holds three vendors' documents as a hospital
//! receives them: two PDFs (answers circled; answers marked with ●, one row
//! marked twice, a two-factor はい that is only planned) and a fill-in
//! workbook. `--bench N DIR` writes N vendors' PDFs in mixed mark styles for
//! the screening benchmark (benches/documents.sh). Output is byte-stable:
//! tests/examples_documents.rs checks the files here are what this writes.

// pdfgen allows its own dead code (each includer uses a part of it).
#[path = "../tests/pdfgen/mod.rs"]
mod pdfgen;

use std::path::{Path, PathBuf};

use kaiji::form::{Form, FormRegistry};
use kaiji::sheet::{self, Answer};

/// The files of `examples/documents/`, by name.
pub fn documents(form: &Form) -> Vec<(&'static str, Vec<u8>)> {
    let forms = FormRegistry::builtin();
    let load = |name: &str| {
        let path = format!("examples/sheets/{name}");
        sheet::load_file(Path::new(&path), &forms).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let aozora = load("aozora-cloud.toml");
    let mut clean = pdfgen::spec_of(form, &aozora, pdfgen::Style::Ellipse);
    clean.header_every_page = true;

    // Another vendor with the same strong answers, marked with ●: one row
    // marked twice (left unanswered), and a two-factor はい whose remark
    // says it comes with the next version.
    let mut planned = pdfgen::spec_of(form, &aozora, pdfgen::Style::Glyph);
    planned.meta = pdfgen::Meta {
        created: "2026年5月20日".into(),
        vendor: "株式会社かもめヘルスケア".into(),
        service: "かもめ予約クラウド".into(),
        version: "1.8".into(),
    };
    let next = planned.remarks.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
    planned.remarks.push((
        next,
        vec!["ワンタイムパスワードによる二要素認証は次期バージョン（令和9年度中）で対応予定です。".into()],
    ));
    let at = |id: &str| form.index_of(id).unwrap();
    planned.rows[at("17.1.d")].cites = vec![next];
    planned.rows[at("25")].mark = pdfgen::Mark::Two(Answer::Yes, Answer::No);

    let hinode = load("hinode-systems.json");
    let workbook = kaiji::export::to_xlsx(&hinode.to_doc(), form).expect("the example exports");
    vec![
        ("aozora-medical.pdf", pdfgen::sheet_pdf(form, &clean).0),
        ("kamome-healthcare.pdf", pdfgen::sheet_pdf(form, &planned).0),
        ("hinode-systems.xlsx", workbook),
    ]
}

/// `n` vendors' PDFs for the benchmark: each a full sheet (about 7 pages),
/// its vendor numbered, the mark style cycling through every style.
fn bench(form: &Form, n: usize, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let style = pdfgen::STYLES[i % pdfgen::STYLES.len()];
        let mut spec = pdfgen::spec(form, style);
        spec.meta.vendor = format!("株式会社ベンチ医療{:04}", i + 1);
        spec.header_every_page = i % 2 == 0;
        let (pdf, _) = pdfgen::sheet_pdf(form, &spec);
        std::fs::write(dir.join(format!("vendor-{:04}.pdf", i + 1)), pdf).unwrap();
    }
}

fn main() {
    let form = FormRegistry::builtin().get(kaiji::form::DEFAULT_FORM).unwrap();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {
            let dir = PathBuf::from("examples/documents");
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in documents(&form) {
                std::fs::write(dir.join(name), bytes).unwrap();
                println!("wrote {}", dir.join(name).display());
            }
        }
        [flag, n, dir] if flag == "--bench" => {
            let n: usize = n.parse().expect("--bench N DIR: N is a number");
            bench(&form, n, Path::new(dir));
            println!("wrote {n} PDFs to {dir}");
        }
        _ => {
            eprintln!("usage: make_documents [--bench N DIR]");
            std::process::exit(2);
        }
    }
}

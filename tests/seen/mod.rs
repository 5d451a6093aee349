//! What the workbook "what a person sees" tests share (tests/import_seen_xlsx.rs,
//! tests/import_seen_workbooks.rs): the form, the honest answers and the
//! other answer a hidden copy gives, and a refusal's text.
#![allow(dead_code)]

use kaiji::form::{Form, FormRegistry, Kind};
use kaiji::import::{ImportError, Imported};
use kaiji::sheet::Answer;

pub fn form() -> std::sync::Arc<Form> {
    FormRegistry::builtin().get("sds-6.0").unwrap()
}

/// The message and help of an import refused as unrecognised; any other
/// outcome fails the test.
pub fn refusal(result: Result<Imported, ImportError>) -> String {
    match result {
        Ok(i) => panic!("imported: {}", i.report),
        Err(e @ ImportError::Unrecognised { .. }) => {
            format!("{e} {:?}", miette::Diagnostic::help(&e).map(|h| h.to_string()))
        }
        Err(e) => panic!("{e}"),
    }
}

/// The answer the honest sheet gives each question.
pub fn honest(kind: Kind, i: usize) -> Answer {
    match kind {
        Kind::YesNo => [Answer::Yes, Answer::No, Answer::Na][i % 3],
        Kind::Applicability => Answer::Applicable,
    }
}

/// The other answer of the same kind: what a hidden copy would say.
pub fn other(a: Answer) -> Answer {
    match a {
        Answer::Yes => Answer::No,
        Answer::No | Answer::Na => Answer::Yes,
        Answer::Applicable => Answer::NotApplicable,
        Answer::NotApplicable => Answer::Applicable,
    }
}

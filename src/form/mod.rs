//! The form catalog: which questions a disclosure sheet has, their verbatim
//! text, section, kind and parent.
//!
//! Catalogs are data files (`src/form/*.toml`) embedded in the binary; users
//! bring their own with `--form-file` for MDS or later guideline versions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod answer;
mod write;

pub use answer::Answer;

pub use write::to_toml;

/// The embedded catalogs, by file name. Add a file here to ship a new form.
const BUILTIN: &[(&str, &str)] = &[("sds-6.0.toml", include_str!("sds-6.0.toml"))];

/// The form a sheet uses when it does not name one.
pub const DEFAULT_FORM: &str = "sds-6.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// はい / いいえ / 対象外
    YesNo,
    /// 該当 / 非該当; gates its descendants.
    Applicability,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::YesNo => "yes_no",
            Kind::Applicability => "applicability",
        }
    }

    /// The answer words this kind allows, in the order the form prints them.
    pub fn choices(self) -> &'static [Answer] {
        match self {
            Kind::YesNo => &[Answer::Yes, Answer::No, Answer::Na],
            Kind::Applicability => &[Answer::Applicable, Answer::NotApplicable],
        }
    }

    pub fn allows(self, answer: Answer) -> bool {
        self.choices().contains(&answer)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub section: String,
    pub kind: Kind,
    pub parent: Option<String>,
    /// Index of the parent in form order.
    #[serde(skip)]
    pub parent_index: Option<usize>,
}

impl Question {
    /// The question text itself asks the vendor to write details in 備考.
    pub fn asks_for_remark(&self) -> bool {
        self.text.contains("備考に記入") || self.text.contains("備考欄に記入")
    }
}

/// FNV-1a for the id index: ids are a few ASCII bytes and come from the
/// form's own catalog, so a keyed (SipHash) hasher buys nothing here, and
/// policies look ids up on every call.
#[derive(Debug, Clone, Copy, Default)]
struct IdHash;

struct Fnv(u64);

impl std::hash::BuildHasher for IdHash {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub id: String,
    pub title: String,
    pub guideline: String,
    /// The standard that publishes the form, e.g. `JAHIS標準24-005`.
    pub standard: String,
    /// The form's own version, e.g. `Ver.5.0`.
    pub edition: String,
    questions: Vec<Question>,
    /// The questions' ids, shared: a finding or a Rhai string names its
    /// question without copying the id.
    ids: Vec<Arc<str>>,
    index: HashMap<String, usize, IdHash>,
    /// Questions whose text asks for details in 備考, in form order.
    asking_remarks: Vec<usize>,
    /// Where the catalog came from (`builtin:…` for an embedded one).
    pub path: String,
    /// SHA-256 (hex) of the catalog's text as read.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FormError {
    #[error("cannot read form catalog {path}: {source}")]
    #[diagnostic(code(kaiji::form::io))]
    Io { path: String, source: std::io::Error },
    #[error("form catalog {path} is not valid: {message}")]
    #[diagnostic(
        code(kaiji::form::parse),
        help(
            "a catalog is TOML: a [form] table with id (and optional title, guideline, standard, edition), then [[section]] tables with title and [[section.question]] entries (id, text, optional kind and parent)"
        )
    )]
    Parse { path: String, message: String },
    #[error("form catalog {path}: {message}")]
    #[diagnostic(code(kaiji::form::invalid))]
    Invalid { path: String, message: String },
    /// [`FormError::Invalid`] with the place in the catalog's text.
    #[error("form catalog {path}: {message}")]
    #[diagnostic(code(kaiji::form::invalid))]
    InvalidAt {
        path: String,
        message: String,
        #[help]
        help: Option<String>,
        #[source_code]
        src: miette::NamedSource<Arc<str>>,
        #[label("here")]
        span: miette::SourceSpan,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::walk::ReadError),
    #[error("unknown form `{id}`; known forms: {known}")]
    #[diagnostic(code(kaiji::form::unknown), help("load another catalog with --form-file FILE"))]
    Unknown { id: String, known: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatalog {
    pub(crate) form: RawForm,
    #[serde(default)]
    pub(crate) section: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawForm {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) guideline: String,
    #[serde(default)]
    pub(crate) standard: String,
    #[serde(default)]
    pub(crate) edition: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSection {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) question: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuestion {
    /// With its place in the catalog's text, for errors (`0..0` when the
    /// catalog was built, not read).
    pub(crate) id: toml::Spanned<String>,
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) kind: Option<Kind>,
    #[serde(default)]
    pub(crate) parent: Option<String>,
}

/// Levels of questions a catalog may nest: a question with no parent is on
/// level 1, its children on level 2. Every walk up a question's ancestors
/// (lint's gating, the export's greyed rows) is bounded by it; a catalog of
/// one parent chain 64,000 deep made lint quadratic. The sds-6.0 form nests
/// 4 levels (17.1.1.3), `kaiji form new` at most 9 (8 printed levels and a
/// bullet).
pub const MAX_DEPTH: usize = 16;

/// A problem in a catalog's content: what, where (the question's id in the
/// text, when read from one), and what to do.
struct Invalid {
    message: String,
    at: Option<std::ops::Range<usize>>,
    help: Option<String>,
}

impl Invalid {
    fn new(message: String, at: &toml::Spanned<String>, help: Option<String>) -> Invalid {
        Invalid { message, at: Some(at.span()), help }
    }

    /// As a [`FormError`]: located when `text` is the catalog it is in.
    fn into_error(self, path: &str, text: Option<&str>) -> FormError {
        let at = self.at.filter(|r| !r.is_empty());
        match (text, at) {
            (Some(text), Some(at)) => FormError::InvalidAt {
                path: path.to_string(),
                message: self.message,
                help: self.help,
                src: miette::NamedSource::new(path, Arc::from(text)),
                span: (at.start, at.end - at.start).into(),
            },
            _ => {
                let message = match self.help {
                    Some(help) => format!("{} ({help})", self.message),
                    None => self.message,
                };
                FormError::Invalid { path: path.to_string(), message }
            }
        }
    }
}

impl Form {
    /// Parse a catalog file's text; `path` names it in errors.
    pub fn from_toml(text: &str, path: &str) -> Result<Form, FormError> {
        let raw: RawCatalog = toml::from_str(text)
            .map_err(|e| FormError::Parse { path: path.to_string(), message: e.message().to_string() })?;
        let mut form = Form::validate(raw, path).map_err(|e| e.into_error(path, Some(text)))?;
        form.sha256 = crate::walk::sha256_hex(text.as_bytes());
        Ok(form)
    }

    /// Check a catalog's content and index it; `path` names it in errors.
    pub(crate) fn from_raw(raw: RawCatalog, path: &str) -> Result<Form, FormError> {
        Form::validate(raw, path).map_err(|e| e.into_error(path, None))
    }

    fn validate(raw: RawCatalog, path: &str) -> Result<Form, Invalid> {
        let mut questions = Vec::new();
        // Where each question's id is written, by form index.
        let mut written: Vec<toml::Spanned<String>> = Vec::new();
        let mut index = HashMap::with_hasher(IdHash);
        for section in raw.section {
            for q in section.question {
                let id = crate::text::normalize(q.id.get_ref());
                if id.is_empty() {
                    return Err(Invalid::new(
                        format!("a question in section 「{}」 has an empty id", section.title),
                        &q.id,
                        Some("give every question its printed number as id, e.g. id = \"17.1\"".into()),
                    ));
                }
                if index.insert(id.clone(), questions.len()).is_some() {
                    return Err(Invalid::new(
                        format!("question id `{id}` appears twice"),
                        &q.id,
                        Some("ids are unique in a catalog: keep one, or number the other differently".into()),
                    ));
                }
                let parent = match q.parent {
                    Some(p) if p.trim().is_empty() => None,
                    Some(p) => Some(crate::text::normalize(&p)),
                    None => id.rsplit_once('.').map(|(p, _)| p.to_string()),
                };
                questions.push(Question {
                    id,
                    text: q.text.trim().to_string(),
                    section: section.title.clone(),
                    kind: q.kind.unwrap_or(Kind::YesNo),
                    parent,
                    parent_index: None,
                });
                written.push(q.id);
            }
        }
        if questions.is_empty() {
            return Err(Invalid { message: "the catalog has no questions".into(), at: None, help: None });
        }
        // Levels, from the parent's (which comes first): linear however deep.
        let mut depth: Vec<usize> = Vec::with_capacity(questions.len());
        for (i, q) in questions.iter_mut().enumerate() {
            let mut level = 1;
            if let Some(p) = &q.parent {
                match index.get(p) {
                    Some(&pi) if pi < i => {
                        q.parent_index = Some(pi);
                        level = depth[pi] + 1;
                    }
                    Some(_) => {
                        return Err(Invalid::new(
                            format!("question `{}` names parent `{p}`, which must come before it", q.id),
                            &written[i],
                            Some(format!(
                                "move `{p}` above `{}`, or give `{}` another parent (parent = \"\" for none)",
                                q.id, q.id
                            )),
                        ));
                    }
                    // A dotted id whose prefix is no question (e.g. a form that
                    // starts at 1.1) simply has no parent.
                    None => q.parent = None,
                }
            }
            if level > MAX_DEPTH {
                return Err(Invalid::new(
                    format!(
                        "question `{}` is nested more than {MAX_DEPTH} levels deep (its parent `{}` is on level \
                         {MAX_DEPTH})",
                        q.id,
                        q.parent.as_deref().unwrap_or_default()
                    ),
                    &written[i],
                    Some(format!(
                        "a catalog nests questions at most {MAX_DEPTH} levels; check its `parent` keys (a chain \
                         of parents is usually a mistake)"
                    )),
                ));
            }
            depth.push(level);
        }
        let asking_remarks = (0..questions.len()).filter(|&i| questions[i].asks_for_remark()).collect();
        let ids = questions.iter().map(|q| Arc::from(q.id.as_str())).collect();
        Ok(Form {
            id: raw.form.id,
            title: raw.form.title,
            guideline: raw.form.guideline,
            standard: raw.form.standard,
            edition: raw.form.edition,
            questions,
            ids,
            index,
            asking_remarks,
            path: path.to_string(),
            // set by whoever read the catalog's bytes (`from_toml`)
            sha256: String::new(),
        })
    }

    pub fn from_file(path: &Path) -> Result<Form, FormError> {
        let shown = path.display().to_string();
        let text = crate::walk::read_input_text(path, crate::walk::InputKind::Catalog)?;
        Form::from_toml(&text, &shown)
    }

    /// Questions in form order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// Form-order index of a question id (ids are matched after normalisation
    /// by the caller; this is an exact lookup).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// [`Form::index_of`], trying question `near` and the one after it
    /// first: a policy mostly asks about the question it just asked about,
    /// or walks a list in form order. The guess is checked, so it is only
    /// ever faster, never different.
    pub fn index_near(&self, id: &str, near: usize) -> Option<usize> {
        for q in [near, near.saturating_add(1)] {
            if self.ids.get(q).is_some_and(|x| **x == *id) {
                return Some(q);
            }
        }
        self.index_of(id)
    }

    /// Question `q`'s id (form index), as a shared string.
    pub fn shared_id(&self, q: usize) -> &Arc<str> {
        &self.ids[q]
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index_of(id).map(|i| &self.questions[i])
    }

    /// The nearest real id, for "did you mean" hints.
    pub fn suggest(&self, id: &str) -> Option<&str> {
        crate::text::did_you_mean(id, self.questions.iter().map(|q| q.id.as_str()))
    }

    /// Form indices of the questions that ask for details in 備考
    /// ([`Question::asks_for_remark`]), in form order.
    pub fn asking_remarks(&self) -> &[usize] {
        &self.asking_remarks
    }

    /// Ancestors of question `i`, nearest first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.questions[i].parent_index, move |&p| self.questions[p].parent_index)
    }
}

/// The forms a run knows: the built-in catalogs plus any `--form-file`s.
#[derive(Debug, Clone)]
pub struct FormRegistry {
    forms: Vec<Arc<Form>>,
}

impl FormRegistry {
    /// Only the embedded catalogs.
    pub fn builtin() -> FormRegistry {
        let forms = BUILTIN
            .iter()
            .map(|(name, text)| {
                let mut form = Form::from_toml(text, name).expect("embedded catalog is valid");
                form.path = format!("builtin:{name}");
                Arc::new(form)
            })
            .collect();
        FormRegistry { forms }
    }

    /// Add (or replace, by id) a form.
    pub fn add(&mut self, form: Form) {
        self.forms.retain(|f| f.id != form.id);
        self.forms.push(Arc::new(form));
    }

    pub fn get(&self, id: &str) -> Result<Arc<Form>, FormError> {
        self.forms.iter().find(|f| f.id == id).cloned().ok_or_else(|| FormError::Unknown {
            id: id.to_string(),
            known: self.forms.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    pub fn forms(&self) -> &[Arc<Form>] {
        &self.forms
    }
}

impl Default for FormRegistry {
    fn default() -> Self {
        FormRegistry::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sds() -> Arc<Form> {
        FormRegistry::builtin().get("sds-6.0").unwrap()
    }

    #[test]
    fn sds_has_198_questions_in_order() {
        let f = sds();
        assert_eq!(f.len(), 198);
        assert_eq!(f.questions()[0].id, "1");
        assert_eq!(f.questions().last().unwrap().id, "106.1");
        let ids: Vec<&str> = f.questions().iter().map(|q| q.id.as_str()).collect();
        for id in ["17.3", "20", "100", "105.1", "17.1.a", "17.1.e", "17.1.1.3"] {
            assert!(ids.contains(&id), "{id} missing");
        }
        let pos = |id| ids.iter().position(|i| *i == id).unwrap();
        assert!(pos("17.1") < pos("17.1.a") && pos("17.1.e") < pos("17.1.1"));
    }

    #[test]
    fn a_lookup_near_any_question_finds_what_the_index_finds() {
        let f = sds();
        let n = f.questions().len();
        for near in [0, 1, n / 2, n - 1, n, n + 5, usize::MAX] {
            for q in f.questions() {
                assert_eq!(f.index_near(&q.id, near), f.index_of(&q.id), "{} near {near}", q.id);
            }
            for id in ["", "17.1.z", "１７.１"] {
                assert_eq!(f.index_near(id, near), None, "{id:?} near {near}");
            }
        }
        assert_eq!(f.shared_id(3).as_ref(), f.questions()[3].id);
    }

    #[test]
    fn kinds_parents_sections() {
        let f = sds();
        let q = f.question("17.1.d").unwrap();
        assert_eq!(q.parent.as_deref(), Some("17.1"));
        assert_eq!(q.section, "技術的安全対策");
        assert!(q.asks_for_remark());
        assert_eq!(f.question("59").unwrap().kind, Kind::Applicability);
        assert_eq!(f.question("59.1").unwrap().kind, Kind::YesNo);
        assert_eq!(f.question("1").unwrap().parent, None);
        let i = f.index_of("17.1.1.3").unwrap();
        let anc: Vec<&str> = f.ancestors(i).map(|a| f.questions()[a].id.as_str()).collect();
        assert_eq!(anc, ["17.1.1", "17.1", "17"]);
        assert_eq!(f.suggest("17.l.d"), Some("17.1.d"));
    }

    #[test]
    fn user_catalog_errors_are_clear() {
        let e = Form::from_toml("[form]\nid='x'\n", "x.toml").unwrap_err();
        assert!(e.to_string().contains("no questions"), "{e}");
        let dup = "[form]\nid='x'\n[[section]]\ntitle='s'\n[[section.question]]\nid='1'\ntext='a'\n[[section.question]]\nid='1'\ntext='b'\n";
        assert!(Form::from_toml(dup, "x.toml").unwrap_err().to_string().contains("twice"));
        let bad = "[form]\nid='x'\n[[section]]\ntitle='s'\n[[section.question]]\nid='1'\ntext='a'\nkind='maybe'\n";
        assert!(matches!(Form::from_toml(bad, "x.toml"), Err(FormError::Parse { .. })));
    }

    #[test]
    fn unknown_form_lists_known() {
        let e = FormRegistry::builtin().get("mds-6.0").unwrap_err();
        assert!(e.to_string().contains("sds-6.0"));
    }

    /// A catalog of `n` questions, each the parent of the next.
    fn chain(n: usize) -> String {
        let mut s = String::from("[form]\nid = \"deep\"\n\n[[section]]\ntitle = \"s\"\n");
        for i in 1..=n {
            let parent = if i == 1 { String::new() } else { format!("q{}", i - 1) };
            s.push_str(&format!("[[section.question]]\nid = \"q{i}\"\ntext = \"t\"\nparent = \"{parent}\"\n"));
        }
        s
    }

    /// A parent chain deeper than MAX_DEPTH is refused at load, pointing at
    /// the first question past it: every ancestor walk (lint on each
    /// question) is then bounded, where a chain 64,000 deep made lint
    /// quadratic.
    #[test]
    fn a_parent_chain_past_the_depth_cap_is_a_located_error() {
        let ok = Form::from_toml(&chain(MAX_DEPTH), "deep.toml").unwrap();
        assert_eq!(ok.ancestors(MAX_DEPTH - 1).count(), MAX_DEPTH - 1);
        for n in [MAX_DEPTH + 1, 50_000] {
            let text = chain(n);
            let e = Form::from_toml(&text, "deep.toml").unwrap_err();
            let FormError::InvalidAt { message, span, help, .. } = &e else { panic!("not located: {e}") };
            let past = MAX_DEPTH + 1;
            assert_eq!(
                message,
                &format!(
                    "question `q{past}` is nested more than {MAX_DEPTH} levels deep (its parent `q{MAX_DEPTH}` is on level {MAX_DEPTH})"
                )
            );
            assert_eq!(&text[span.offset()..span.offset() + span.len()], format!("\"q{past}\""));
            assert!(help.as_deref().unwrap().contains("at most 16 levels"), "{help:?}");
        }
        // Dotted ids nest by default the same way.
        let dotted: String = (1..=MAX_DEPTH + 1)
            .map(|n| {
                let id = vec!["1"; n].join(".");
                format!("[[section.question]]\nid = \"{id}\"\ntext = \"t\"\n")
            })
            .collect();
        let e = Form::from_toml(&format!("[form]\nid = \"d\"\n[[section]]\ntitle = \"s\"\n{dotted}"), "d.toml")
            .unwrap_err();
        assert!(e.to_string().contains("nested more than 16 levels"), "{e}");
    }

    #[test]
    fn content_errors_point_at_the_question() {
        let text = "[form]\nid='x'\n[[section]]\ntitle='s'\n[[section.question]]\nid='2.1'\ntext='a'\n[[section.question]]\nid='2'\ntext='b'\n";
        let e = Form::from_toml(text, "x.toml").unwrap_err();
        let FormError::InvalidAt { message, span, .. } = &e else { panic!("not located: {e}") };
        assert_eq!(message, "question `2.1` names parent `2`, which must come before it");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "'2.1'");
        let dup = "[form]\nid='x'\n[[section]]\ntitle='s'\n[[section.question]]\nid='1'\ntext='a'\n[[section.question]]\nid=' 1'\ntext='b'\n";
        let FormError::InvalidAt { span, .. } = Form::from_toml(dup, "x.toml").unwrap_err() else { panic!() };
        assert_eq!(&dup[span.offset()..span.offset() + span.len()], "' 1'");
    }
}

//! Comparing two versions of a vendor's sheet (`kaiji diff`, docs/diff.md):
//! metadata, answers, remark citations, inline notes and remark texts that
//! changed, in form order, and — when policies were evaluated on both —
//! which policy outcomes changed.
//!
//! [`diff`] builds a [`SheetDiff`]; [`human`] and [`json`] render it.

pub mod human;
pub mod json;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::outcome::{PolicyOutcome, PolicyStatus, SheetReport};
use crate::sheet::{AnswerEntry, Sheet};

/// Identifies one side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    pub path: String,
    pub form: String,
    pub vendor: String,
    pub service: String,
    pub version: String,
    /// ISO date.
    pub created: Option<String>,
}

impl Side {
    fn of(sheet: &Sheet) -> Side {
        Side {
            path: sheet.path.clone(),
            form: sheet.form.id.clone(),
            vendor: sheet.vendor().to_string(),
            service: sheet.service().to_string(),
            version: sheet.version().to_string(),
            created: sheet.created().map(|d| d.to_string()),
        }
    }
}

/// What happened to a value between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    /// `None` when both sides are equal.
    fn between<T: PartialEq>(old: &Option<T>, new: &Option<T>) -> Option<Change> {
        match (old, new) {
            (None, None) => None,
            (None, Some(_)) => Some(Change::Added),
            (Some(_), None) => Some(Change::Removed),
            (Some(a), Some(b)) => (a != b).then_some(Change::Changed),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// A value on each side; `None` is absent (unanswered, not written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delta<T> {
    pub change: Change,
    pub old: Option<T>,
    pub new: Option<T>,
}

impl<T: PartialEq> Delta<T> {
    fn of(old: Option<T>, new: Option<T>) -> Option<Delta<T>> {
        Change::between(&old, &new).map(|change| Delta { change, old, new })
    }
}

impl Delta<String> {
    /// [`Delta::of`] for vendor text, which sheets keep as written: equal
    /// after normalisation (NFKC), e.g. （…） against (…), is no change.
    fn of_text(old: Option<String>, new: Option<String>) -> Option<Delta<String>> {
        fn norm(s: &Option<String>) -> Option<std::borrow::Cow<'_, str>> {
            s.as_deref().map(crate::text::normalized)
        }
        if norm(&old) == norm(&new) {
            return None;
        }
        Delta::of(old, new)
    }
}

/// A `[sheet]` header field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderChange {
    /// `form`, `vendor`, `service`, `version` or `created`.
    pub field: &'static str,
    #[serde(flatten)]
    pub delta: Delta<String>,
}

/// Everything that differs about one question's answer entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionChange {
    pub id: String,
    /// The question text, when the id is in the form.
    pub text: Option<String>,
    pub section: Option<String>,
    /// The answer word (as written, when it is not an accepted word).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Delta<String>>,
    /// The answer when it did not change, for context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchanged_answer: Option<String>,
    /// Remark numbers cited (sorted, without repeats).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remarks: Option<Delta<Vec<u32>>>,
    /// The inline note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Delta<String>>,
}

/// A numbered 備考 whose text was added, removed or rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemarkChange {
    pub number: u32,
    /// Questions citing it (in the new sheet, then any that only the old
    /// sheet had), in form order.
    pub cited_by: Vec<String>,
    #[serde(flatten)]
    pub delta: Delta<String>,
}

/// A policy whose outcome differs between the two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyChange {
    pub id: String,
    /// `None` when the policy did not run on that side.
    pub old: Option<PolicyStatus>,
    pub new: Option<PolicyStatus>,
    /// Questions the policy's findings point at, on each side.
    pub old_questions: Vec<String>,
    pub new_questions: Vec<String>,
}

/// The differences between two versions of a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetDiff {
    pub old: Side,
    pub new: Side,
    pub metadata: Vec<HeaderChange>,
    /// In form order (ids not in the form last, in file order).
    pub questions: Vec<QuestionChange>,
    /// In the form order of the first question citing them, then by number.
    pub remarks: Vec<RemarkChange>,
    /// `None` when no policies were compared.
    pub policies: Option<Vec<PolicyChange>>,
}

/// Counts for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiffCounts {
    pub metadata: usize,
    pub answers_added: usize,
    pub answers_removed: usize,
    pub answers_changed: usize,
    pub citations_changed: usize,
    pub notes_changed: usize,
    pub remarks_added: usize,
    pub remarks_removed: usize,
    pub remarks_changed: usize,
    pub policies_changed: usize,
}

impl DiffCounts {
    pub fn total(&self) -> usize {
        self.metadata
            + self.answers_added
            + self.answers_removed
            + self.answers_changed
            + self.citations_changed
            + self.notes_changed
            + self.remarks_added
            + self.remarks_removed
            + self.remarks_changed
            + self.policies_changed
    }
}

impl SheetDiff {
    /// Anything differs.
    pub fn is_changed(&self) -> bool {
        self.counts().total() > 0
    }

    pub fn counts(&self) -> DiffCounts {
        let mut c = DiffCounts { metadata: self.metadata.len(), ..DiffCounts::default() };
        for q in &self.questions {
            match q.answer.as_ref().map(|a| a.change) {
                Some(Change::Added) => c.answers_added += 1,
                Some(Change::Removed) => c.answers_removed += 1,
                Some(Change::Changed) => c.answers_changed += 1,
                None => {}
            }
            c.citations_changed += usize::from(q.remarks.is_some());
            c.notes_changed += usize::from(q.note.is_some());
        }
        for r in &self.remarks {
            match r.delta.change {
                Change::Added => c.remarks_added += 1,
                Change::Removed => c.remarks_removed += 1,
                Change::Changed => c.remarks_changed += 1,
            }
        }
        c.policies_changed = self.policies.as_ref().map_or(0, Vec::len);
        c
    }

    /// Record which policy outcomes differ between the reports of the old
    /// and the new sheet (each evaluated with the same policies).
    pub fn compare_policies(&mut self, old: &SheetReport, new: &SheetReport) {
        self.policies = Some(policy_changes(old, new));
    }
}

fn word(e: &AnswerEntry) -> Option<String> {
    e.answer.as_ref().map(|a| a.value.as_str().to_string())
}

fn citations(e: &AnswerEntry) -> Option<Vec<u32>> {
    let set: BTreeSet<u32> = e.remarks.iter().map(|r| r.value).collect();
    (!set.is_empty()).then(|| set.into_iter().collect())
}

/// Compare two versions of a sheet.
pub fn diff(old: &Sheet, new: &Sheet) -> SheetDiff {
    let (o, n) = (Side::of(old), Side::of(new));
    let mut metadata = Vec::new();
    let fields: [(&'static str, Option<String>, Option<String>); 5] = [
        ("form", Some(o.form.clone()), Some(n.form.clone())),
        ("vendor", nonempty(&o.vendor), nonempty(&n.vendor)),
        ("service", nonempty(&o.service), nonempty(&n.service)),
        ("version", nonempty(&o.version), nonempty(&n.version)),
        ("created", o.created.clone(), n.created.clone()),
    ];
    for (field, a, b) in fields {
        if let Some(delta) = Delta::of_text(a, b) {
            metadata.push(HeaderChange { field, delta });
        }
    }

    let by_id = |s: &Sheet| -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for (i, e) in s.answers.iter().enumerate() {
            m.entry(e.id.value.clone()).or_insert(i);
        }
        m
    };
    let (old_ids, new_ids) = (by_id(old), by_id(new));
    let mut questions = Vec::new();
    for id in ordered_ids(old, new) {
        let a = old_ids.get(&id).map(|&i| &old.answers[i]);
        let b = new_ids.get(&id).map(|&i| &new.answers[i]);
        let answer = Delta::of(a.and_then(word), b.and_then(word));
        let remarks = Delta::of(a.and_then(citations), b.and_then(citations));
        let note = Delta::of_text(
            a.and_then(|e| e.note.as_ref()).map(|n| n.value.clone()),
            b.and_then(|e| e.note.as_ref()).map(|n| n.value.clone()),
        );
        if answer.is_none() && remarks.is_none() && note.is_none() {
            continue;
        }
        let q = new.form.question(&id).or_else(|| old.form.question(&id));
        questions.push(QuestionChange {
            unchanged_answer: if answer.is_none() { b.and_then(word) } else { None },
            text: q.map(|q| q.text.clone()),
            section: q.map(|q| q.section.clone()),
            id,
            answer,
            remarks,
            note,
        });
    }

    // Where each remark is cited: form order of the first citing question.
    let mut cited: BTreeMap<u32, Vec<(usize, String)>> = BTreeMap::new();
    for (rank, id) in ordered_ids(old, new).into_iter().enumerate() {
        for (s, ids) in [(new, &new_ids), (old, &old_ids)] {
            if let Some(e) = ids.get(&id).map(|&i| &s.answers[i]) {
                for r in &e.remarks {
                    let list = cited.entry(r.value).or_default();
                    if !list.iter().any(|(_, q)| *q == id) {
                        list.push((rank, id.clone()));
                    }
                }
            }
        }
    }
    let numbers: BTreeSet<u32> = old.remarks.keys().chain(new.remarks.keys()).copied().collect();
    let mut remarks: Vec<(usize, RemarkChange)> = numbers
        .into_iter()
        .filter_map(|number| {
            let delta =
                Delta::of_text(old.remark(number).map(|r| r.text.clone()), new.remark(number).map(|r| r.text.clone()))?;
            let mut by = cited.get(&number).cloned().unwrap_or_default();
            by.sort();
            let rank = by.first().map_or(usize::MAX, |(r, _)| *r);
            Some((rank, RemarkChange { number, cited_by: by.into_iter().map(|(_, q)| q).collect(), delta }))
        })
        .collect();
    remarks.sort_by_key(|(rank, r)| (*rank, r.number));

    SheetDiff {
        old: o,
        new: n,
        metadata,
        questions,
        remarks: remarks.into_iter().map(|(_, r)| r).collect(),
        policies: None,
    }
}

fn nonempty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Every id answered on either side: the new form's order, then ids only
/// the old form has (its order), then ids in no form (file order).
fn ordered_ids(old: &Sheet, new: &Sheet) -> Vec<String> {
    let mut keyed: Vec<((u8, usize), String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for (side, s) in [new, old].into_iter().enumerate() {
        for (pos, e) in s.answers.iter().enumerate() {
            let id = &e.id.value;
            if !seen.insert(id.clone()) {
                continue;
            }
            let key = match (new.form.index_of(id), old.form.index_of(id)) {
                (Some(i), _) => (0, i),
                (None, Some(i)) => (1, i),
                (None, None) => (2 + side as u8, pos),
            };
            keyed.push((key, id.clone()));
        }
    }
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// Policies whose status differs between two reports, by id.
pub fn policy_changes(old: &SheetReport, new: &SheetReport) -> Vec<PolicyChange> {
    let status = |r: &SheetReport| -> BTreeMap<String, PolicyStatus> {
        r.policies.iter().map(|p: &PolicyOutcome| (p.id.clone(), p.status)).collect()
    };
    let questions = |r: &SheetReport, id: &str| -> Vec<String> {
        let mut qs: Vec<(usize, String)> = r
            .findings
            .iter()
            .filter(|f| *f.rule == *id && f.is_active())
            .filter_map(|f| Some((f.order.unwrap_or(usize::MAX), f.question.as_deref()?.to_string())))
            .collect();
        qs.sort();
        qs.dedup();
        qs.into_iter().map(|(_, q)| q).collect()
    };
    let (a, b) = (status(old), status(new));
    let ids: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (o, n) = (a.get(id).copied(), b.get(id).copied());
            (o != n).then(|| PolicyChange {
                id: id.clone(),
                old: o,
                new: n,
                old_questions: questions(old, id),
                new_questions: questions(new, id),
            })
        })
        .collect()
}

/// One line of a text diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `equal`, `delete` or `insert`.
    pub op: &'static str,
    pub text: String,
}

/// Line diff of two texts (absent = empty), every line, for machines.
pub fn line_diff(old: Option<&str>, new: Option<&str>) -> Vec<DiffLine> {
    let d = similar::TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""));
    d.iter_all_changes()
        .map(|c| DiffLine {
            op: match c.tag() {
                similar::ChangeTag::Equal => "equal",
                similar::ChangeTag::Delete => "delete",
                similar::ChangeTag::Insert => "insert",
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests;

//! Coverage of the form (`kaiji coverage`): which questions no policy
//! read, and which 備考 no policy looked at, on a set of sheets. Every
//! policy runs on every sheet with `--explain`'s read recorder on; a
//! question counts as read when some policy read its answer on some sheet
//! (so one read only on some paths counts once a sheet takes that path).
//!
//! `in_scope(id)` reads the applicability gates above `id`, not `id`
//! itself; `remarks(id)` looks at the remarks `id` cites, `remark(n)` at
//! `n`, `all_remarks()` at every one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::form::{Form, Kind};
use crate::policy::PolicySet;
use crate::sheet::Sheet;

pub const SCHEMA: &str = "kaiji.coverage/v1";

/// What the policies read on one form.
#[derive(Debug, Clone, Serialize)]
pub struct FormCoverage {
    pub form: String,
    /// Questions in the form.
    pub questions: usize,
    /// Questions some policy read on some sheet.
    pub read: usize,
    /// The questions no policy read, by section in form order.
    pub unread: Vec<SectionGap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionGap {
    pub section: String,
    pub questions: Vec<String>,
}

/// 備考 of one sheet that no policy looked at.
#[derive(Debug, Clone, Serialize)]
pub struct RemarkGap {
    pub sheet: String,
    pub remarks: Vec<u32>,
}

/// The whole coverage report.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub schema: &'static str,
    pub policies: usize,
    /// The sheets the policies ran on, by path.
    pub sheets: Vec<String>,
    pub forms: Vec<FormCoverage>,
    /// Sheets with remarks no policy looked at.
    pub remarks: Vec<RemarkGap>,
}

/// Run every policy of `policies` on every sheet and collect what they read.
pub fn coverage(policies: PolicySet, sheets: &[Arc<Sheet>]) -> Coverage {
    let mut c = CoverageRun::new(policies);
    for sheet in sheets {
        c.add(sheet);
    }
    c.finish()
}

/// [`coverage`] a sheet at a time: what each sheet's evaluations read is
/// folded in as the sheet comes, so a caller can load, add and drop each
/// sheet and hold only the paths and the gaps, not the sheets.
pub struct CoverageRun {
    policies: PolicySet,
    /// Per form: the form and the questions read on it.
    forms: BTreeMap<String, (Arc<Form>, BTreeSet<usize>)>,
    sheets: Vec<String>,
    remarks: Vec<RemarkGap>,
}

impl CoverageRun {
    pub fn new(policies: PolicySet) -> CoverageRun {
        CoverageRun {
            policies: policies.explain(true),
            forms: BTreeMap::new(),
            sheets: Vec::new(),
            remarks: Vec::new(),
        }
    }

    /// Run every policy on `sheet` and note what they read.
    pub fn add(&mut self, sheet: &Arc<Sheet>) {
        let form = &sheet.form;
        let (_, read) = self.forms.entry(form.id.clone()).or_insert_with(|| (form.clone(), BTreeSet::new()));
        let mut looked: BTreeSet<u32> = BTreeSet::new();
        for e in self.policies.evaluate(sheet) {
            for r in e.explain.unwrap_or_default() {
                let q = r.question.as_deref().and_then(|id| form.index_of(id));
                match (r.read, q) {
                    ("answer", Some(q)) => {
                        read.insert(q);
                    }
                    ("in_scope", Some(q)) => {
                        read.extend(form.ancestors(q).filter(|&a| form.questions()[a].kind == Kind::Applicability));
                    }
                    _ => {}
                }
                if matches!(r.read, "remarks" | "remark" | "all_remarks") {
                    looked.extend(r.remarks.iter().copied());
                }
            }
        }
        let unseen: Vec<u32> = sheet.remarks.keys().copied().filter(|n| !looked.contains(n)).collect();
        if !unseen.is_empty() {
            self.remarks.push(RemarkGap { sheet: sheet.path.clone(), remarks: unseen });
        }
        self.sheets.push(sheet.path.clone());
    }

    /// The report on every sheet added.
    pub fn finish(self) -> Coverage {
        let forms = self
            .forms
            .into_values()
            .map(|(form, read)| {
                let mut unread: Vec<SectionGap> = Vec::new();
                for (i, q) in form.questions().iter().enumerate() {
                    if read.contains(&i) {
                        continue;
                    }
                    match unread.last_mut() {
                        Some(g) if g.section == q.section => g.questions.push(q.id.clone()),
                        _ => unread.push(SectionGap { section: q.section.clone(), questions: vec![q.id.clone()] }),
                    }
                }
                FormCoverage { form: form.id.clone(), questions: form.len(), read: read.len(), unread }
            })
            .collect();
        Coverage { schema: SCHEMA, policies: self.policies.len(), sheets: self.sheets, forms, remarks: self.remarks }
    }
}

impl Coverage {
    /// For people; sheet text (paths) made printable.
    pub fn human(&self) -> String {
        use crate::text::printable_line;
        let mut out = format!("kaiji coverage: {} policies on {} sheet(s)\n", self.policies, self.sheets.len());
        for f in &self.forms {
            out.push_str(&format!(
                "\nform {}: {} of {} questions read by some policy; {} no policy read\n",
                printable_line(&f.form),
                f.read,
                f.questions,
                f.questions - f.read
            ));
            for g in &f.unread {
                out.push_str(&format!(
                    "  {} ({}): {}\n",
                    printable_line(&g.section),
                    g.questions.len(),
                    printable_line(&g.questions.join(", "))
                ));
            }
        }
        if self.remarks.is_empty() {
            out.push_str("\nevery 備考 was looked at by some policy\n");
        } else {
            out.push_str("\n備考 no policy looked at:\n");
            for r in &self.remarks {
                let numbers: Vec<String> = r.remarks.iter().map(u32::to_string).collect();
                out.push_str(&format!("  {}: {}\n", printable_line(&r.sheet), numbers.join(", ")));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;
    use crate::policy::Limits;
    use crate::sheet::{SheetFormat, load_str};

    fn sheet(path: &str, text: &str) -> Arc<Sheet> {
        Arc::new(load_str(path, text.to_string(), SheetFormat::Toml, &FormRegistry::builtin()).unwrap())
    }

    fn unread(c: &Coverage) -> Vec<String> {
        c.forms[0].unread.iter().flat_map(|g| g.questions.iter().cloned()).collect()
    }

    /// 17.1.d on every path; 58.2 only when 58 is はい; remark 1 through 17.1.d.
    const POLICY: &str = "//! id: P\nif !sheet.is_yes(\"17.1.d\") { fail(\"17.1.d\", \"x\"); }\n\
        let r = sheet.remarks(\"17.1.d\");\n\
        if sheet.is_yes(\"58\") && !sheet.is_yes(\"58.2\") { fail(\"58.2\", \"y\"); }\n";

    fn policies() -> PolicySet {
        PolicySet::from_memory(&[("p.rhai", POLICY)], "mem:", Limits::default()).unwrap()
    }

    #[test]
    fn a_question_no_policy_reads_is_listed_and_a_path_taken_is_not() {
        let no = sheet(
            "no.toml",
            "[answers]\n\"17.1.d\" = { answer = \"はい\", remarks = [1] }\n\"58\" = \"いいえ\"\n[remarks]\n1 = \"OTP\"\n2 = \"他\"\n",
        );
        let c = coverage(policies(), std::slice::from_ref(&no));
        let gaps = unread(&c);
        assert!(gaps.contains(&"20".to_string()), "no policy reads 20");
        assert!(!gaps.contains(&"17.1.d".to_string()) && !gaps.contains(&"58".to_string()));
        assert!(gaps.contains(&"58.2".to_string()), "58.2 is read only when 58 is はい");
        assert_eq!(c.forms[0].read, 2);
        assert_eq!(c.remarks.len(), 1);
        assert_eq!(c.remarks[0].remarks, vec![2], "remark 1 was looked at through 17.1.d");

        // A sheet that takes the path: 58.2 is read there, so covered.
        let yes = sheet("yes.toml", "[answers]\n\"58\" = \"はい\"\n");
        let c = coverage(policies(), &[no, yes]);
        let gaps = unread(&c);
        assert!(!gaps.contains(&"58.2".to_string()), "read on the sheet that takes the path");
        assert!(gaps.contains(&"20".to_string()));
        assert_eq!(c.forms[0].read, 3);
        // Grouped by section in form order, every question once.
        let total: usize = c.forms[0].unread.iter().map(|g| g.questions.len()).sum();
        assert_eq!(total + c.forms[0].read, c.forms[0].questions);
    }

    #[test]
    fn in_scope_reads_the_gates_above() {
        let p = PolicySet::from_memory(
            &[("p.rhai", "//! id: P\nlet x = sheet.in_scope(\"53.7\");\n")],
            "m:",
            Limits::default(),
        )
        .unwrap();
        let c = coverage(p, &[sheet("s.toml", "[answers]\n\"53\" = \"該当\"\n")]);
        let gaps = unread(&c);
        assert!(!gaps.contains(&"53".to_string()), "the gate was read");
        assert!(gaps.contains(&"53.7".to_string()), "its answer was not");
    }
}

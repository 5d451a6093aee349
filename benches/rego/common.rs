//! Shared by `benches/rego.rs` and `tests/rego_equivalence.rs`: the Rego
//! versions of the policy pack (benches/rego/*.rego) loaded into a regorus
//! engine, the Rego input built from a loaded kaiji `Sheet`, and verdicts
//! of both engines in one shape.

use std::collections::{BTreeMap, BTreeSet};

use kaiji::form::{Form, Kind};
use kaiji::policy::PolicyEvaluation;
use kaiji::report::{PolicyStatus, Severity};
use kaiji::sheet::Sheet;
use regorus::{Engine, Value};

/// What a policy concluded on a sheet: status, then the question ids it
/// failed and warned about (sorted, unique).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: String,
    pub fails: Vec<String>,
    pub warns: Vec<String>,
}

/// The Rego module of each built-in policy, by policy file stem.
const MODULES: &[(&str, &str)] = &[
    ("auth-password", include_str!("auth-password.rego")),
    ("auth-two-factor", include_str!("auth-two-factor.rego")),
    ("backup-generations", include_str!("backup-generations.rego")),
    ("backup-isolated", include_str!("backup-isolated.rego")),
    ("backup-restore", include_str!("backup-restore.rego")),
    ("bcp", include_str!("bcp.rego")),
    ("disposal", include_str!("disposal.rego")),
    ("emergency-accounts", include_str!("emergency-accounts.rego")),
    ("encryption-carry-out", include_str!("encryption-carry-out.rego")),
    ("encryption-exchange", include_str!("encryption-exchange.rego")),
    ("log-access", include_str!("log-access.rego")),
    ("log-protection", include_str!("log-protection.rego")),
    ("malware", include_str!("malware.rego")),
    ("net-tls", include_str!("net-tls.rego")),
    ("remote-maintenance", include_str!("remote-maintenance.rego")),
    ("time-sync", include_str!("time-sync.rego")),
];

const LIB: &str = include_str!("lib.rego");

/// The query that evaluates every policy package at once.
pub const QUERY: &str = "data.policies";

/// The Rego module for a policy file of the pack (`auth-password.rhai`,
/// `auth-password-v2.rhai`): a variant is its original's module under a new
/// package and id, as the Rhai variant is its original with a new id.
fn module_for(file: &str) -> (String, String) {
    let stem = file.trim_end_matches(".rhai");
    let (base, variant) = match stem.rsplit_once("-v") {
        Some((b, n)) if n.parse::<usize>().is_ok() => (b, Some(n)),
        _ => (stem, None),
    };
    let text =
        MODULES.iter().find(|(s, _)| *s == base).unwrap_or_else(|| panic!("no Rego module for policy file {file}")).1;
    let pkg = base.replace('-', "_");
    let Some(n) = variant else { return (format!("{stem}.rego"), text.to_string()) };
    let id_line = text.lines().find(|l| l.starts_with("id := ")).expect("module has an id");
    let id = id_line.trim_start_matches("id := ").trim_matches('"');
    let text = text
        .replacen(&format!("package policies.{pkg}\n"), &format!("package policies.{pkg}_v{n}\n"), 1)
        .replacen(id_line, &format!("id := \"{id}-V{n}\""), 1);
    (format!("{stem}.rego"), text)
}

/// The form's structure as Rego data: ancestors of each question and the
/// applicability gates.
fn form_data(form: &Form) -> Value {
    let qs = form.questions();
    let mut ancestors = BTreeMap::new();
    let mut gates = BTreeMap::new();
    for (i, q) in qs.iter().enumerate() {
        let up: Vec<Value> = form.ancestors(i).map(|a| Value::from(qs[a].id.as_str())).collect();
        ancestors.insert(Value::from(q.id.as_str()), Value::from(up));
        if q.kind == Kind::Applicability {
            gates.insert(Value::from(q.id.as_str()), Value::from(true));
        }
    }
    let mut f = BTreeMap::new();
    f.insert(Value::from("ancestors"), Value::from(ancestors));
    f.insert(Value::from("gates"), Value::from(gates));
    let mut data = BTreeMap::new();
    data.insert(Value::from("form"), Value::from(f));
    Value::from(data)
}

/// A regorus engine with the Rego versions of `pack` (file name, text as
/// from `kaiji::synth::policy_pack`) and the form's structure loaded.
pub fn engine(pack: &[(String, String)], form: &Form) -> Engine {
    let mut e = Engine::new();
    e.add_policy("lib.rego".into(), LIB.into()).expect("lib.rego");
    for (file, _) in pack {
        let (path, text) = module_for(file);
        e.add_policy(path.clone(), text).unwrap_or_else(|err| panic!("{path}: {err}"));
    }
    e.add_data(form_data(form)).expect("form data");
    e
}

/// The Rego input for a sheet: normalised answers by id (only the words
/// each question's kind allows), remark texts by
/// number (NFKC, as kaiji's text helpers see them), citations and notes by
/// id, and all remarks joined.
pub fn input(s: &Sheet) -> Value {
    let mut answers = BTreeMap::new();
    let mut cites = BTreeMap::new();
    let mut notes = BTreeMap::new();
    for (q, question) in s.form.questions().iter().enumerate() {
        let Some(e) = s.entry_at(q) else { continue };
        let id = Value::from(question.id.as_str());
        // As the policies see it: a word the question's kind does not allow is no answer.
        if let Some(a) = s.answer_at(q) {
            answers.insert(id.clone(), Value::from(a.as_str()));
        }
        if !e.remarks.is_empty() {
            let ns: Vec<Value> = e.remarks.iter().map(|n| Value::from(n.value.to_string())).collect();
            cites.insert(id.clone(), Value::from(ns));
        }
        if let Some(n) = &e.note {
            notes.insert(id, Value::from(kaiji::text::normalize(&n.value)));
        }
    }
    let remarks: BTreeMap<Value, Value> = s
        .remarks
        .iter()
        .map(|(n, r)| (Value::from(n.to_string()), Value::from(kaiji::text::normalize(&r.text))))
        .collect();
    let mut m = BTreeMap::new();
    m.insert(Value::from("answers"), Value::from(answers));
    m.insert(Value::from("remarks"), Value::from(remarks));
    m.insert(Value::from("cites"), Value::from(cites));
    m.insert(Value::from("notes"), Value::from(notes));
    m.insert(Value::from("all_remarks"), Value::from(kaiji::text::normalize(s.all_remarks())));
    Value::from(m)
}

/// Evaluate every policy on one input; the result of [`QUERY`].
pub fn eval(e: &mut Engine, input: &Value) -> Value {
    e.set_input(input.clone());
    let r = e.eval_query(QUERY.into(), false).expect("Rego evaluation");
    r.result.into_iter().next().expect("a result").expressions.into_iter().next().expect("a value").value
}

fn strings(v: &Value) -> Vec<String> {
    let set: BTreeSet<String> = match v {
        Value::Set(s) => s.iter().map(|x| x.as_string().expect("question id").to_string()).collect(),
        other => panic!("expected a set of question ids, got {other}"),
    };
    set.into_iter().collect()
}

/// Verdicts by policy id from the result of [`eval`].
pub fn rego_verdicts(result: &Value) -> BTreeMap<String, Verdict> {
    let obj = result.as_object().expect("data.policies is an object");
    obj.values()
        .map(|p| {
            let id = p["id"].as_string().expect("id").to_string();
            let status = p["status"].as_string().expect("status").to_string();
            (id, Verdict { status, fails: strings(&p["fails"]), warns: strings(&p["warns"]) })
        })
        .collect()
}

/// Verdicts by policy id from kaiji's evaluation of a sheet.
pub fn kaiji_verdicts(evals: &[PolicyEvaluation]) -> BTreeMap<String, Verdict> {
    evals
        .iter()
        .map(|e| {
            let status = match e.outcome.status {
                PolicyStatus::Pass => "pass".to_string(),
                PolicyStatus::Fail => "fail".to_string(),
                PolicyStatus::Skip => "skip".to_string(),
                other => panic!("policy {} ended {other:?}: {:?}", e.outcome.id, e.errors),
            };
            let ids = |sev: Severity| -> Vec<String> {
                let set: BTreeSet<String> = e
                    .findings
                    .iter()
                    .filter(|f| f.severity == sev)
                    .filter_map(|f| f.question.as_deref().map(str::to_string))
                    .collect();
                set.into_iter().collect()
            };
            (e.outcome.id.clone(), Verdict { status, fails: ids(Severity::Error), warns: ids(Severity::Warning) })
        })
        .collect()
}

/// Compare the verdicts of both engines on one sheet; the first difference
/// as a message naming the sheet, the policy and both verdicts.
pub fn compare(sheet: &str, kaiji: &BTreeMap<String, Verdict>, rego: &BTreeMap<String, Verdict>) -> Result<(), String> {
    for (id, k) in kaiji {
        match rego.get(id) {
            None => return Err(format!("{sheet}: policy {id} has no Rego verdict")),
            Some(r) if r != k => {
                return Err(format!("{sheet}: policy {id} differs\n  kaiji: {k:?}\n  rego:  {r:?}"));
            }
            Some(_) => {}
        }
    }
    if let Some(id) = rego.keys().find(|id| !kaiji.contains_key(*id)) {
        return Err(format!("{sheet}: Rego policy {id} is not in the kaiji pack"));
    }
    Ok(())
}

/// `kaiji.tls_versions(text)` of the Rego library, as sorted minor numbers.
#[allow(dead_code)] // used by tests/rego_equivalence.rs
pub fn rego_tls(e: &mut Engine, text: &str) -> Vec<i64> {
    e.set_input(Value::from(BTreeMap::from([(Value::from("t"), Value::from(text))])));
    let r = e.eval_query("x := data.kaiji.tls_versions(input.t)".into(), false).expect("tls_versions");
    match &r.result[0].bindings["x"] {
        Value::Set(s) => s.iter().map(|v| v.as_i64().expect("a number")).collect(),
        other => panic!("tls_versions gave {other}"),
    }
}

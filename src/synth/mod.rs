//! Synthetic vendor sheets, deterministic from a seed, for benchmarks, load
//! tests and demos (`kaiji bench-data`).
//!
//! A generated sheet answers every question of the form coherently: gates
//! (該当/非該当) close their descendants, sub-questions of a いいえ are
//! 対象外, "if there is no X" questions are 対象外 when X is there, and the
//! questions that ask for 備考 cite one. Vendors differ in strength, which
//! tilts answers and remark contents (TLS versions, backup generations).
//! A configurable share of sheets carries lint problems; each generated
//! sheet records which lint rules its problems should trip, so tests can
//! hold the generator and the lint rules to each other.
//!
//! Sheet `i` of seed `s` depends only on `(s, i)`: generating 10 or 10,000
//! sheets gives the same first ten.

mod policies;
mod render;
mod rng;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use policies::policy_pack;
pub use rng::Rng;
use text::Topic;

use crate::form::{Form, Kind};
use crate::sheet::Answer;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub seed: u64,
    /// Share of sheets (0..=1) that carry one to three lint problems.
    pub problem_rate: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 1, problem_rate: 0.1 }
    }
}

/// One answer line of a generated sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthAnswer {
    pub id: String,
    /// The word as written; `None` for an entry without an answer.
    pub answer: Option<String>,
    pub remarks: Vec<u32>,
    pub note: Option<String>,
    /// Form index of the question (`None` for an injected unknown id).
    question: Option<usize>,
}

/// A generated sheet, ready to be written as TOML or JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSheet {
    pub index: u64,
    pub form: String,
    pub vendor: Option<String>,
    pub service: Option<String>,
    pub version: String,
    /// 作成日 as the vendor wrote it (ISO, 年月日 or 和暦).
    pub created: Option<String>,
    /// In form order, then any injected unknown ids.
    pub answers: Vec<SynthAnswer>,
    pub remarks: BTreeMap<u32, String>,
    /// The lint rules the injected problems trip, sorted; empty for a
    /// clean sheet.
    pub problems: Vec<&'static str>,
}

impl SynthSheet {
    /// The file name stem for sheet `index` of a run of `count`.
    pub fn file_stem(index: u64, count: u64) -> String {
        let width = count.saturating_sub(1).max(1).to_string().len().max(5);
        format!("sheet-{index:0width$}")
    }

    pub fn to_toml(&self) -> String {
        render::toml(self)
    }

    pub fn to_json(&self) -> String {
        render::json(self)
    }
}

/// Per-question facts the generator needs, worked out once per form.
#[derive(Debug, Clone)]
struct Plan {
    kind: Kind,
    topic: Option<Topic>,
    /// Chance that an applicability gate is 該当.
    gate_applies: f64,
    /// The question is conditional ("…する場合"), so 対象外 is plausible.
    conditional: bool,
    /// "If there is no X" questions: 対象外 when this question is はい.
    unless_yes: Option<usize>,
    /// An "other (describe in 備考)" choice, rarely ticked.
    other_choice: bool,
    /// A heading question ("利用者の認証方式は？") whose sub-questions are
    /// the real choices: answered はい whenever it is in scope.
    heading: bool,
    asks_remark: bool,
}

/// Generates sheets of one form.
#[derive(Debug, Clone)]
pub struct Generator {
    form: Arc<Form>,
    options: Options,
    plans: Vec<Plan>,
}

/// Lint problems the generator can inject, by the rule that finds them, in
/// the order they are applied: the two that rewrite answers (and drop the
/// remarks those answers alone cited) first, so later ones are not undone.
pub const PROBLEMS: &[&str] = &[
    "gating-conflict",
    "remark-required",
    "unknown-question",
    "invalid-answer",
    "missing-remark",
    "unanswered",
    "unreferenced-remark",
    "missing-metadata",
];

/// Remark numbers cited but never written start here, far above the
/// numbers a sheet really uses.
const MISSING_REMARK_BASE: u32 = 900;

impl Generator {
    pub fn new(form: Arc<Form>, options: Options) -> Generator {
        let qs = form.questions();
        let plans = qs
            .iter()
            .enumerate()
            .map(|(i, q)| {
                // "If there is no X, ..." (17.3.3, 17.4, 82): conditional on
                // the previous question at the same level (17.3.2, 17.3, 81).
                let unless_yes = (q.text.contains("ない場合、") || q.text.contains("無い場合、"))
                    .then(|| (0..i).rev().find(|&j| qs[j].parent_index == q.parent_index))
                    .flatten();
                Plan {
                    kind: q.kind,
                    topic: text::topic_of(&q.id),
                    gate_applies: gate_chance(&q.id),
                    conditional: q.text.contains("場合"),
                    unless_yes,
                    other_choice: q.text.starts_with("その他"),
                    heading: q.text.ends_with("は？"),
                    asks_remark: q.asks_for_remark(),
                }
            })
            .collect();
        Generator { form, options, plans }
    }

    pub fn form(&self) -> &Arc<Form> {
        &self.form
    }

    /// Sheet number `index`.
    pub fn sheet(&self, index: u64) -> SynthSheet {
        let mut rng = Rng::for_item(self.options.seed, index);
        let mut draft = Draft::new(&self.form);
        let strength = rng.pick(&[0.97, 0.92, 0.85, 0.7]);
        self.answer_all(&mut draft, &mut rng, strength);
        let mut sheet = SynthSheet {
            index,
            form: self.form.id.clone(),
            vendor: Some(text::vendor(&mut rng)),
            service: Some(text::service(&mut rng)),
            version: String::new(),
            created: None,
            answers: Vec::new(),
            remarks: BTreeMap::new(),
            problems: Vec::new(),
        };
        let (y, m, d) = (rng.range(2023, 2026), rng.range(1, 12), rng.range(1, 28));
        sheet.version = format!("{}.{}（{y}年{m}月{d}日時点）", rng.range(1, 9), rng.range(0, 20));
        sheet.created = Some(match rng.below(20) {
            0..=11 => format!("{y}-{m:02}-{d:02}"),
            12..=16 => format!("{y}年{m}月{d}日"),
            _ if (y, m) >= (2019, 5) => format!("令和{}年{m}月{d}日", y - 2018),
            _ => format!("{y}/{m}/{d}"),
        });
        if rng.chance(self.options.problem_rate) {
            self.inject(&mut draft, &mut sheet, &mut rng);
        }
        sheet.answers = draft.entries;
        sheet.remarks = draft.remarks;
        sheet.problems.sort_unstable();
        sheet
    }

    fn answer_all(&self, d: &mut Draft, rng: &mut Rng, strength: f64) {
        let qs = self.form.questions();
        for (q, plan) in self.plans.iter().enumerate() {
            if self.closed(d, q).is_some() {
                // Under a 非該当 gate: 対象外, or (as vendors often do) empty.
                if rng.chance(0.85) {
                    d.set(q, Answer::Na.as_str());
                }
                continue;
            }
            let word = match plan.kind {
                Kind::Applicability => {
                    if rng.chance(plan.gate_applies) {
                        Answer::Applicable
                    } else {
                        Answer::NotApplicable
                    }
                }
                Kind::YesNo => {
                    let parent_negative = qs[q].parent_index.is_some_and(|p| {
                        qs[p].kind == Kind::YesNo && matches!(d.word(p), Some(Answer::No | Answer::Na) | None)
                    });
                    let covered = plan.unless_yes.is_some_and(|x| d.word(x) == Some(Answer::Yes));
                    if parent_negative || covered {
                        Answer::Na
                    } else if plan.conditional && rng.chance(0.08) {
                        d.set(q, Answer::Na.as_str());
                        if rng.chance(0.6) {
                            d.note(q, text::not_applicable_note(rng));
                        }
                        continue;
                    } else if plan.heading {
                        Answer::Yes
                    } else if plan.other_choice {
                        if rng.chance(0.15) { Answer::Yes } else { Answer::No }
                    } else if rng.chance(strength) {
                        Answer::Yes
                    } else if rng.chance(0.85) {
                        Answer::No
                    } else {
                        Answer::Na
                    }
                }
            };
            d.set(q, word.as_str());
            let cite = match word {
                Answer::Yes if plan.asks_remark => true,
                Answer::Yes => rng.chance(0.3),
                Answer::Applicable => rng.chance(0.5),
                _ => false,
            };
            if let (true, Some(topic)) = (cite, plan.topic) {
                if plan.asks_remark && rng.chance(0.2) {
                    let t = text::remark(topic, rng, strength);
                    d.note(q, &t);
                } else {
                    let n = d.remark_for(topic, rng, strength);
                    d.cite(q, n);
                }
            }
        }
    }

    /// The 非該当 gate above question `q`, if any.
    fn closed(&self, d: &Draft, q: usize) -> Option<usize> {
        self.form
            .ancestors(q)
            .find(|&a| self.plans[a].kind == Kind::Applicability && d.word(a) == Some(Answer::NotApplicable))
    }

    /// Inject one to three problems; record the rules that should find them.
    fn inject(&self, d: &mut Draft, sheet: &mut SynthSheet, rng: &mut Rng) {
        let k = rng.range(1, 3) as usize;
        let mut chosen = BTreeSet::new();
        while chosen.len() < k {
            chosen.insert(rng.below(PROBLEMS.len()));
        }
        let mut touched = BTreeSet::new();
        for &p in &chosen {
            let rule = PROBLEMS[p];
            let done = match rule {
                "gating-conflict" => self.inject_gating_conflict(d, rng, &mut touched),
                "remark-required" => self.inject_remark_required(d, &mut touched),
                "invalid-answer" => {
                    self.pick_plain_yes(d, rng, &touched).map(|q| {
                        touched.insert(q);
                        let w = rng.pick(&["該当", "たぶん", "実施予定", "○", "非該当"]);
                        d.set(q, w);
                    })
                }
                .is_some(),
                "unanswered" => self
                    .pick_plain_yes(d, rng, &touched)
                    .map(|q| {
                        touched.insert(q);
                        if rng.chance(0.5) {
                            d.remove(q);
                        } else {
                            let e = d.entry_mut(q);
                            e.answer = None;
                            e.note = Some("回答は別紙参照".into());
                        }
                    })
                    .is_some(),
                "missing-remark" => self
                    .pick_plain_yes(d, rng, &touched)
                    .map(|q| {
                        touched.insert(q);
                        d.cite(q, MISSING_REMARK_BASE + rng.range(0, 99));
                    })
                    .is_some(),
                "unknown-question" => {
                    let candidates = ["17.1.f", "107", "23.5", "58.4", "17.1.1.8", "1.3", "6.1", "105.3"];
                    let free: Vec<&str> =
                        candidates.iter().copied().filter(|id| self.form.index_of(id).is_none()).collect();
                    if free.is_empty() {
                        false
                    } else {
                        let id = rng.pick(&free);
                        d.entries.push(SynthAnswer {
                            id: id.into(),
                            answer: Some("はい".into()),
                            remarks: Vec::new(),
                            note: None,
                            question: None,
                        });
                        true
                    }
                }
                "unreferenced-remark" => {
                    let n = d.remarks.keys().next_back().map_or(1, |n| n + 1);
                    d.remarks.insert(n, "旧版の備考（現在は該当する回答なし）。".into());
                    true
                }
                "missing-metadata" => {
                    match rng.below(3) {
                        0 => sheet.vendor = None,
                        1 => sheet.service = None,
                        _ => sheet.created = None,
                    }
                    true
                }
                _ => unreachable!("unknown problem {rule}"),
            };
            if done {
                sheet.problems.push(rule);
            }
        }
    }

    /// An answered はい without remarks or note, outside any closed gate,
    /// not asking for 備考 and not yet changed.
    fn pick_plain_yes(&self, d: &Draft, rng: &mut Rng, touched: &BTreeSet<usize>) -> Option<usize> {
        let candidates: Vec<usize> = d
            .entries
            .iter()
            .filter_map(|e| {
                e.question.filter(|_| e.answer.as_deref() == Some("はい") && e.remarks.is_empty() && e.note.is_none())
            })
            .filter(|&q| !touched.contains(&q) && !self.plans[q].asks_remark && self.closed(d, q).is_none())
            .collect();
        (!candidates.is_empty()).then(|| rng.pick(&candidates))
    }

    /// A descendant of a 非該当 gate answered はい (closing a gate first if
    /// the sheet has none closed).
    fn inject_gating_conflict(&self, d: &mut Draft, rng: &mut Rng, touched: &mut BTreeSet<usize>) -> bool {
        let gates: Vec<usize> = (0..self.plans.len())
            .filter(|&g| self.plans[g].kind == Kind::Applicability)
            .filter(|&g| (g + 1..self.plans.len()).any(|q| self.form.ancestors(q).any(|a| a == g)))
            .collect();
        if gates.is_empty() {
            return false;
        }
        let closed: Vec<usize> = gates.iter().copied().filter(|&g| d.word(g) == Some(Answer::NotApplicable)).collect();
        let gate = if closed.is_empty() {
            let g = rng.pick(&gates);
            d.set(g, Answer::NotApplicable.as_str());
            for q in g + 1..self.plans.len() {
                if self.form.ancestors(q).any(|a| a == g) {
                    d.set(q, Answer::Na.as_str());
                    let e = d.entry_mut(q);
                    e.remarks.clear();
                    e.note = None;
                }
            }
            d.prune_remarks();
            g
        } else {
            rng.pick(&closed)
        };
        let below: Vec<usize> =
            (gate + 1..self.plans.len()).filter(|&q| self.form.ancestors(q).any(|a| a == gate)).collect();
        let q = rng.pick(&below);
        d.set(q, Answer::Yes.as_str());
        touched.insert(q);
        true
    }

    /// A bare はい on a question that asks for details in 備考.
    fn inject_remark_required(&self, d: &mut Draft, touched: &mut BTreeSet<usize>) -> bool {
        let Some(q) = (0..self.plans.len()).find(|&q| self.plans[q].asks_remark && self.closed(d, q).is_none()) else {
            return false;
        };
        d.set(q, Answer::Yes.as_str());
        let e = d.entry_mut(q);
        e.remarks.clear();
        e.note = None;
        d.prune_remarks();
        touched.insert(q);
        true
    }
}

/// How likely each gate of the sds-6.0 form is 該当 (most services store
/// records; few use IoT devices or scanners).
fn gate_chance(id: &str) -> f64 {
    match id {
        "1" => 0.6,
        "23" => 0.25,
        "51" => 0.4,
        "53" => 0.5,
        "59" | "60" | "61" | "62" => 0.3,
        "63" => 0.6,
        "74" => 0.75,
        "76" => 0.3,
        "77" => 0.4,
        "80" => 0.7,
        "105" => 0.2,
        "106" => 0.45,
        _ => 0.5,
    }
}

/// A sheet being generated: one slot per form question, kept in form order.
struct Draft {
    entries: Vec<SynthAnswer>,
    /// Form index → index into `entries`.
    slot: Vec<Option<usize>>,
    ids: Vec<String>,
    remarks: BTreeMap<u32, String>,
    by_topic: BTreeMap<Topic, u32>,
}

impl Draft {
    fn new(form: &Form) -> Draft {
        Draft {
            entries: Vec::with_capacity(form.len()),
            slot: vec![None; form.len()],
            ids: form.questions().iter().map(|q| q.id.clone()).collect(),
            remarks: BTreeMap::new(),
            by_topic: BTreeMap::new(),
        }
    }

    fn word(&self, q: usize) -> Option<Answer> {
        self.slot[q].and_then(|i| self.entries[i].answer.as_deref()).and_then(Answer::parse)
    }

    /// The entry of question `q`, created in form order if absent.
    fn entry_mut(&mut self, q: usize) -> &mut SynthAnswer {
        if self.slot[q].is_none() {
            let at = self.entries.iter().position(|e| e.question.is_none_or(|o| o > q)).unwrap_or(self.entries.len());
            self.entries.insert(
                at,
                SynthAnswer {
                    id: self.ids[q].clone(),
                    answer: None,
                    remarks: Vec::new(),
                    note: None,
                    question: Some(q),
                },
            );
            self.reindex();
        }
        let i = self.slot[q].expect("slot was just filled");
        &mut self.entries[i]
    }

    fn reindex(&mut self) {
        self.slot.fill(None);
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(q) = e.question {
                self.slot[q] = Some(i);
            }
        }
    }

    fn set(&mut self, q: usize, word: &str) {
        self.entry_mut(q).answer = Some(word.to_string());
    }

    fn note(&mut self, q: usize, note: &str) {
        self.entry_mut(q).note = Some(note.to_string());
    }

    fn cite(&mut self, q: usize, n: u32) {
        let e = self.entry_mut(q);
        if !e.remarks.contains(&n) {
            e.remarks.push(n);
        }
    }

    fn remove(&mut self, q: usize) {
        if let Some(i) = self.slot[q] {
            self.entries.remove(i);
            self.reindex();
        }
    }

    /// The remark for `topic`, written on first use.
    fn remark_for(&mut self, topic: Topic, rng: &mut Rng, strength: f64) -> u32 {
        if let Some(&n) = self.by_topic.get(&topic) {
            return n;
        }
        let n = self.remarks.keys().next_back().map_or(1, |n| n + 1);
        self.remarks.insert(n, text::remark(topic, rng, strength));
        self.by_topic.insert(topic, n);
        n
    }

    /// Drop remarks no answer cites any more.
    fn prune_remarks(&mut self) {
        let cited: BTreeSet<u32> = self.entries.iter().flat_map(|e| e.remarks.iter().copied()).collect();
        self.remarks.retain(|n, _| cited.contains(n));
        self.by_topic.retain(|_, n| cited.contains(n));
    }
}

#[cfg(test)]
mod tests;

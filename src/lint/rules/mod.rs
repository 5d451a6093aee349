//! One file per rule.

pub mod changed_after_import;
pub mod gating_conflict;
pub mod invalid_answer;
pub mod missing_metadata;
pub mod missing_remark;
pub mod planned_yes;
pub mod remark_required;
pub mod unanswered;
pub mod unknown_question;
pub mod unreferenced_remark;

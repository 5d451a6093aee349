//! `kaiji api`: the reference of every function a policy can call, and
//! `kaiji api --definitions DIR`: the same as Rhai definition files
//! (`.d.rhai`) for editors. Both are generated from one engine built as the
//! policies' is ([`reference_engine`]), from the metadata each function is
//! registered with (names, parameter names and types, doc comments; see
//! `api::reg`), so neither can drift from what policies can actually call.

use serde::Deserialize;

/// What Rhai's `gen_fn_metadata_to_json` says of the registered functions.
#[derive(Deserialize)]
struct EngineMetadata {
    #[serde(default)]
    functions: Vec<Function>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Function {
    name: String,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    return_type: String,
    #[serde(default)]
    doc_comments: Vec<String>,
}

#[derive(Deserialize)]
struct Param {
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    typ: Option<String>,
}

/// One documented function of the policy API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// How a policy writes the call, e.g. `sheet.answer(id: string) -> string | ()`.
    pub signature: String,
    /// The doc comment, without `///`.
    pub doc: String,
    /// Which table it belongs to: "sheet", "text", "outcome" or "array".
    pub group: &'static str,
    /// The function's name (`answer`, `vendor` for the `sheet.vendor` property).
    pub name: String,
    /// Called on the sheet (`sheet.answer(id)`).
    pub is_method: bool,
}

fn group(name: &str, is_method: bool) -> &'static str {
    if is_method {
        "sheet"
    } else if matches!(name, "fail" | "warn" | "skip") {
        "outcome"
    } else if matches!(name, "sort" | "sort_by" | "dedup") {
        "array"
    } else {
        "text"
    }
}

/// Every function registered by kaiji in the policy engine (the Rhai
/// language's own functions are not included), in a stable order.
pub fn entries() -> Vec<Entry> {
    let engine = reference_engine();
    let json = engine.gen_fn_metadata_to_json(false).expect("function metadata serialises");
    let meta: EngineMetadata = serde_json::from_str(&json).expect("rhai metadata has the documented shape");
    let mut out: Vec<Entry> = meta
        .functions
        .into_iter()
        .map(|f| {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|p| match (&p.name, &p.typ) {
                    (Some(n), Some(t)) => format!("{n}: {t}"),
                    (Some(n), None) => n.clone(),
                    (None, Some(t)) => t.clone(),
                    (None, None) => "_".into(),
                })
                .collect();
            let is_method = f.params.first().is_some_and(|p| p.typ.as_deref() == Some("Sheet"));
            let ret = if f.return_type.is_empty()
                || f.return_type == "()"
                    && matches!(f.name.as_str(), "fail" | "warn" | "skip" | "sort" | "sort_by" | "dedup")
            {
                String::new()
            } else {
                format!(" -> {}", f.return_type)
            };
            let signature = if let Some(prop) = f.name.strip_prefix("get$") {
                format!("sheet.{prop}{ret}")
            } else if is_method {
                format!("sheet.{}({}){ret}", f.name, params[1..].join(", "))
            } else {
                format!("{}({}){ret}", f.name, params.join(", "))
            };
            let doc = f
                .doc_comments
                .iter()
                .flat_map(|c| c.lines())
                .map(|l| l.trim_start().strip_prefix("///").map_or(l, |s| s.strip_prefix(' ').unwrap_or(s)))
                .collect::<Vec<_>>()
                .join("\n");
            let signature = signature.replace('|', " | ");
            let is_method = is_method || f.name.starts_with("get$");
            let name = f.name.strip_prefix("get$").unwrap_or(&f.name).to_string();
            Entry { signature, doc, group: group(&f.name, is_method), name, is_method }
        })
        .collect();
    let rank = |g: &str| ["sheet", "text", "outcome", "array"].iter().position(|x| *x == g).unwrap_or(3);
    out.sort_by(|a, b| rank(a.group).cmp(&rank(b.group)).then_with(|| a.signature.cmp(&b.signature)));
    out
}

/// The engine the references describe: the policies' own, as
/// `PolicySet` builds it (the sandbox, the language packages, kaiji's API).
fn reference_engine() -> rhai::Engine {
    super::engine::build(&super::Limits::default(), super::engine::NoImports)
}

/// The Rhai definition files (`.d.rhai`) of the policy API, as (file name,
/// text) in file-name order: `__static__.d.rhai` (every function a policy
/// can call, kaiji's with their parameter names, types and doc comments,
/// and the language packages the sandbox has), `__scope__.d.rhai` (the
/// `sheet` constant), and Rhai's own `__builtin__` / `__builtin-operators__`
/// files for the language itself. What the Rhai language server reads.
pub fn definitions() -> Vec<(String, String)> {
    let engine = reference_engine();
    // The scope the runtime gives a policy, around a sheet with no answers
    // (only the variables' names and types are written).
    let forms = crate::form::FormRegistry::builtin();
    let sheet = crate::sheet::load_str(
        "(the sheet under evaluation)",
        "[sheet]\nform = \"sds-6.0\"\n".to_string(),
        crate::sheet::SheetFormat::Toml,
        &forms,
    )
    .expect("an empty sheet of the built-in form loads");
    let scope = super::policy_scope(std::sync::Arc::new(sheet));
    let mut files: Vec<(String, String)> = engine.definitions_with_scope(&scope).iter_files().collect();
    files.sort();
    files
}

/// The reference as Markdown.
pub fn markdown() -> String {
    let mut s = String::from(
        "# kaiji policy API\n\n\
         Generated by `kaiji api` from the functions registered in the policy engine.\n\
         The sheet under evaluation is the global constant `sheet`; pass it as a parameter to\n\
         functions you define (Rhai functions do not see global variables). Question ids are\n\
         strings and are NFKC-normalised; an id that is not in the sheet's form stops the policy\n\
         with an error that suggests the nearest id. Besides these, policies have the Rhai\n\
         language with its string, array, map and math functions; there is no `eval`, no file,\n\
         network, process or clock access, and `import` only reaches files of the policy directory.\n",
    );
    let all = entries();
    for (group, title) in [
        ("sheet", "Sheet"),
        ("text", "Text helpers (NFKC-normalised: ＴＬＳ１．２ == TLS1.2)"),
        ("outcome", "Outcomes"),
        ("array", "Array functions kaiji replaces (an error in the callback stops the policy)"),
    ] {
        s.push_str(&format!("\n## {title}\n"));
        for e in all.iter().filter(|e| e.group == group) {
            s.push_str(&format!("\n### `{}`\n\n{}\n", e.signature, e.doc));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_documented_and_listed() {
        let all = entries();
        assert!(
            all.iter().all(|e| !e.doc.trim().is_empty()),
            "undocumented: {:?}",
            all.iter().find(|e| e.doc.is_empty())
        );
        let sigs: Vec<&str> = all.iter().map(|e| e.signature.as_str()).collect();
        for want in [
            "sheet.answer(id: string) -> string | ()",
            "sheet.is_yes(id: string) -> bool",
            "sheet.is_no(id: string) -> bool",
            "sheet.is_na(id: string) -> bool",
            "sheet.applies(id: string) -> bool",
            "sheet.answered(id: string) -> bool",
            "sheet.in_scope(id: string) -> bool",
            "sheet.is_planned(id: string) -> bool",
            "sheet.remarks(id: string) -> array",
            "sheet.remark(n: int) -> string | ()",
            "sheet.all_remarks() -> string",
            "sheet.question(id: string) -> map",
            "sheet.ids() -> array",
            "sheet.ids_in(section: string) -> array",
            "sheet.ids_where(ids: array, words: array) -> array",
            "sheet.count_where(ids: array, words: array) -> int",
            "sheet.vendor -> string",
            "sheet.service -> string",
            "sheet.version -> string",
            "sheet.form -> string",
            "sheet.created -> string | ()",
            "mentions(text: string | array | (), words: string | array) -> bool",
            "matches(text: string | array | (), pattern: string) -> bool",
            "tls_versions(text: string | array | ()) -> array",
            "fail(id: string, message: string)",
            "fail(message: string)",
            "warn(id: string, message: string)",
            "warn(message: string)",
            "skip(reason: string)",
            "sort(array: Array, comparer: FnPtr)",
            "dedup(array: Array, comparer: FnPtr)",
        ] {
            assert!(sigs.contains(&want), "missing {want}; have {sigs:#?}");
        }
        assert_eq!(all.len(), 32, "{sigs:#?}");
    }

    #[test]
    fn markdown_has_sections_in_order() {
        let md = markdown();
        let sheet = md.find("## Sheet").unwrap();
        let text = md.find("## Text helpers").unwrap();
        let out = md.find("## Outcomes").unwrap();
        assert!(sheet < text && text < out);
        assert!(md.contains("### `sheet.remarks(id: string) -> array`"));
    }
}

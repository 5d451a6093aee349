//! The page `kaiji serve` shows: its markup, script and style (files
//! beside this one, embedded), and the policy that lets only them run.
//! The matrix inside it is the html report itself (`/api/report.html`,
//! in a frame), so no report markup is repeated here.

use super::http::Limits;
use super::names::ACCEPTED;

const INDEX: &str = include_str!("page/index.html");
pub const SCRIPT: &str = include_str!("page/app.js");
pub const STYLE: &str = include_str!("page/app.css");

/// The page's Content-Security-Policy: its own script and style files
/// only (no inline script or style), requests to itself only, the report
/// in a frame from itself, and no framing of the page by anyone.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; \
                       frame-ancestors 'none'";

/// The page, with what it checks before sending (accepted extensions, each
/// one's size limit, the request's limit) filled in. None of it is vendor
/// text; the JSON is still escaped for its attribute.
pub fn index(limits: &Limits) -> String {
    let accept: Vec<String> = ACCEPTED.iter().map(|(e, _)| format!(".{e}")).collect();
    let files: serde_json::Map<String, serde_json::Value> =
        ACCEPTED.iter().map(|(e, k)| (e.to_string(), k.limit().into())).collect();
    let data = serde_json::json!({ "request": limits.request_bytes, "files": files }).to_string();
    INDEX.replace("%ACCEPT%", &accept.join(",")).replace("%LIMITS%", &escape_attribute(&data))
}

fn escape_attribute(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_has_no_inline_script_or_style_and_no_external_resource() {
        let page = index(&Limits::default());
        assert!(!page.contains('%'), "every placeholder filled");
        assert!(!page.contains("<style"), "inline style");
        assert!(!page.contains(" style="), "style attribute");
        assert!(!page.contains(" on"), "inline event handler");
        // The one script element has a src and no body.
        assert_eq!(page.matches("<script").count(), 1);
        assert!(page.contains("<script src=\"/app.js\" defer></script>"));
        for external in ["http:", "https:", "//"] {
            let hits: Vec<&str> =
                page.match_indices(external).map(|(i, _)| &page[i.saturating_sub(20)..i + 10]).collect();
            assert!(hits.is_empty(), "{external}: {hits:?}");
        }
        for markup in [".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
            assert!(!SCRIPT.contains(markup), "the script builds no markup: {markup}");
        }
        assert!(!SCRIPT.contains("http") && !STYLE.contains("url("), "no external resource");
    }

    #[test]
    fn limits_reach_the_page_as_json() {
        let page = index(&Limits::default());
        let start = page.find("data-limits=\"").unwrap() + "data-limits=\"".len();
        let raw = &page[start..start + page[start..].find('"').unwrap()];
        let json: serde_json::Value = serde_json::from_str(&raw.replace("&quot;", "\"")).unwrap();
        assert_eq!(json["request"], Limits::default().request_bytes);
        assert_eq!(json["files"]["pdf"], crate::walk::limits::PDF);
        assert_eq!(json["files"]["toml"], crate::walk::limits::SHEET);
    }
}

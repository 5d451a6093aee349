//! Finding files below a directory: the one walker that sheet inputs and
//! policy test discovery share.

use std::path::{Path, PathBuf};

/// Every file below `dir` (recursively) for which `keep` holds, sorted.
/// Unreadable directories are skipped: callers report "found nothing".
pub fn files_under(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, keep, out);
            } else if keep(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &keep, &mut out);
    out.sort();
    out
}

/// `keep` for [`files_under`]: files with one of these extensions.
pub fn has_extension<'a>(exts: &'a [&'a str]) -> impl Fn(&Path) -> bool + 'a {
    move |p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e))
}

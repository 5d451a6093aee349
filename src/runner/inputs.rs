//! Turning command-line arguments into sheet files. Globs are expanded here,
//! not by the shell, so a quoted 'vendors/*.toml' works the same in bash,
//! PowerShell and CI YAML.

use std::path::{Path, PathBuf};

/// One sheet to evaluate, or a pattern that found nothing (reported as an
/// error for that input while the rest still run).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File(PathBuf),
    NoMatch(String),
}

/// Expand files, directories (their `*.toml`/`*.json`, recursively) and
/// glob patterns; sorted by path and de-duplicated.
pub fn expand(args: &[String]) -> Vec<Input> {
    let mut files = Vec::new();
    let mut misses = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if arg.contains(['*', '?', '[']) && !path.exists() {
            let found: Vec<PathBuf> = match glob::glob(arg) {
                Ok(paths) => paths.filter_map(Result::ok).filter(|p| p.is_file()).collect(),
                Err(_) => Vec::new(),
            };
            if found.is_empty() {
                misses.push(Input::NoMatch(arg.clone()));
            }
            files.extend(found);
        } else if path.is_dir() {
            let before = files.len();
            files.extend(crate::walk::files_under(path, crate::walk::has_extension(&["toml", "json"])));
            if files.len() == before {
                misses.push(Input::NoMatch(arg.clone()));
            }
        } else {
            // Missing files go through: loading reports them with the path.
            files.push(path.to_path_buf());
        }
    }
    files.sort();
    files.dedup();
    let mut out: Vec<Input> = files.into_iter().map(Input::File).collect();
    out.extend(misses);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_dirs_and_misses() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        for f in ["b.toml", "a.json", "sub/c.toml", "notes.txt"] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let s = |p: &str| root.join(p).display().to_string();
        let got = expand(&[s("*.toml"), s("sub"), s("a.json"), s("zz*.toml"), s("missing.toml")]);
        assert_eq!(
            got,
            vec![
                Input::File(root.join("a.json")),
                Input::File(root.join("b.toml")),
                Input::File(root.join("missing.toml")),
                Input::File(root.join("sub/c.toml")),
                Input::NoMatch(s("zz*.toml")),
            ]
        );
    }
}

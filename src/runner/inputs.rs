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
/// glob patterns; sorted by path, each real file once (the first path in
/// sorted order: `./a.toml`, a symlink and `a.toml` are one sheet).
pub fn expand(args: &[String]) -> Vec<Input> {
    let mut files = Vec::new();
    let mut misses = Vec::new();
    let sheets = crate::walk::has_extension(&["toml", "json"]);
    for arg in args {
        let path = Path::new(arg);
        if arg.contains(['*', '?', '[']) && !path.exists() {
            let found = glob(arg);
            if found.is_empty() {
                misses.push(Input::NoMatch(arg.clone()));
            }
            files.extend(found);
        } else if path.is_dir() {
            let before = files.len();
            files.extend(crate::walk::files_under(path, &sheets));
            if files.len() == before {
                misses.push(Input::NoMatch(arg.clone()));
            }
        } else {
            // Missing files (and FIFOs, devices) go through: loading
            // reports them with the path.
            files.push(path.to_path_buf());
        }
    }
    files.sort();
    files.dedup();
    let mut out: Vec<Input> = crate::walk::dedup_by_identity(files).into_iter().map(Input::File).collect();
    out.extend(misses);
    out
}

/// The regular files a glob pattern matches, sorted. The directory part
/// before the first wildcard is walked with the loop-safe walker (the
/// `glob` crate follows symlinked directories without end, and `**` under
/// `ln -s . l1; ln -s . l2` never finishes); each path found is matched
/// against the whole pattern.
fn glob(pattern: &str) -> Vec<PathBuf> {
    let Ok(compiled) = glob::Pattern::new(pattern) else { return Vec::new() };
    let path = Path::new(pattern);
    let mut base = PathBuf::new();
    let mut rest = 0usize;
    let mut recursive = false;
    let mut literal = true;
    for c in path.components() {
        let s = c.as_os_str().to_string_lossy();
        if literal && !s.contains(['*', '?', '[']) {
            base.push(c);
        } else {
            literal = false;
            rest += 1;
            recursive |= s == "**";
        }
    }
    let max_depth = if recursive { crate::walk::MAX_DEPTH } else { rest.saturating_sub(1) };
    let options = glob::MatchOptions { require_literal_separator: true, ..glob::MatchOptions::new() };
    let keep = |p: &Path| compiled.matches_path_with(p, options);
    crate::walk::Walk { max_depth, skip_name: &|_| false, keep: &keep }.run(&base).files
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

    #[cfg(unix)]
    #[test]
    fn globs_finish_on_symlink_loops_and_keep_each_file_once() {
        use std::os::unix::fs::symlink;
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("a.toml"), "").unwrap();
        std::fs::write(root.join("sub/b.toml"), "").unwrap();
        symlink(".", root.join("l1")).unwrap();
        symlink(".", root.join("l2")).unwrap();
        symlink("a.toml", root.join("z.toml")).unwrap();
        crate::walk::tests::mkfifo(&root.join("pipe.toml"));
        let s = |p: &str| root.join(p).display().to_string();
        let want = vec![Input::File(root.join("a.toml")), Input::File(root.join("sub/b.toml"))];
        assert_eq!(expand(&[s("**/*.toml")]), want);
        // The same file by several names and arguments: once.
        assert_eq!(expand(&[s("*.toml"), s("./a.toml"), s("l1/a.toml"), s("sub/*.toml")]), want);
        // A FIFO named on the command line goes through, for loading to refuse.
        assert_eq!(expand(&[s("pipe.toml")]), vec![Input::File(root.join("pipe.toml"))]);
    }
}

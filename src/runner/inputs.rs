//! Turning command-line arguments into sheet files. Globs are expanded here,
//! not by the shell, so a quoted 'vendors/*.toml' works the same in bash,
//! PowerShell and CI YAML.

use std::path::{Path, PathBuf};

/// One sheet to evaluate, or an argument that gave none (reported as an
/// error for that input while the rest still run).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File(PathBuf),
    /// A glob pattern that matched no file, or only files that are not
    /// sheets (`not_sheets` of them).
    NoMatch {
        pattern: String,
        not_sheets: usize,
    },
    /// A directory with no sheet below it (`not_sheets` TOML/JSON files
    /// that are not sheets).
    NoSheet {
        dir: String,
        not_sheets: usize,
    },
}

/// What [`expand_all`] found.
#[derive(Debug, Default)]
pub struct Expanded {
    pub inputs: Vec<Input>,
    /// TOML/JSON files a directory or glob found that are not sheets (no
    /// top-level `sheet` or `answers` table), and `.txt` files that are no
    /// disclosure sheet's text, left out, sorted.
    pub not_sheets: Vec<PathBuf>,
    /// Vendor documents left out because the sheet beside them, of the same
    /// name, was read instead (`acme.pdf` and its reviewed `acme.toml`):
    /// (document, sheet), sorted.
    pub superseded: Vec<(PathBuf, PathBuf)>,
}

/// What a run takes as inputs besides sheets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accept {
    /// Vendor documents (`.pdf`, workbooks, `.txt`), imported in the run.
    pub documents: bool,
}

/// Directories a directory walk does not enter: hidden ones (`.git`,
/// `.github`) and `target` (Cargo's build output, full of JSON). A path
/// named on the command line is always read, whatever its name.
pub fn skipped_by_walk(name: &str) -> bool {
    name.starts_with('.') || name == "target"
}

/// [`expand_all`]'s inputs.
pub fn expand(args: &[String]) -> Vec<Input> {
    expand_all(args).inputs
}

/// [`expand_inputs`] of sheets only.
pub fn expand_all(args: &[String]) -> Expanded {
    expand_inputs(args, Accept::default())
}

/// Expand files, directories (their `*.toml`/`*.json`, recursively, not
/// entering hidden directories or `target`) and glob patterns; sorted by
/// path, each real file once (the first path in sorted order: `./a.toml`,
/// a symlink and `a.toml` are one sheet). What a directory or a glob finds
/// is kept only if it looks like a sheet ([`crate::sheet::looks_like_sheet`]):
/// `kaiji check .` must not read Cargo.toml as a broken sheet. A file named
/// explicitly is always read.
///
/// With [`Accept::documents`], directories and globs also find vendor
/// documents ([`crate::import::DOCUMENT_EXTENSIONS`]); a `.txt` found so
/// is kept only if it reads like a disclosure sheet's text. A document with
/// a sheet of the same name beside it among the inputs (`acme.pdf`,
/// `acme.toml`) is left out for the sheet: the reviewed import wins.
pub fn expand_inputs(args: &[String], accept: Accept) -> Expanded {
    let mut files = Vec::new();
    let mut misses = Vec::new();
    let mut not_sheets = Vec::new();
    let mut extensions = vec!["toml", "json"];
    if accept.documents {
        extensions.extend_from_slice(crate::import::DOCUMENT_EXTENSIONS);
    }
    let sheets = crate::walk::has_extension(&extensions);
    for arg in args {
        let path = Path::new(arg);
        if arg.contains(['*', '?', '[']) && !path.exists() {
            let (found, skipped) = only_sheets(glob(arg));
            if found.is_empty() {
                misses.push(Input::NoMatch { pattern: arg.clone(), not_sheets: skipped.len() });
            }
            files.extend(found);
            not_sheets.extend(skipped);
        } else if path.is_dir() {
            let walk = crate::walk::Walk {
                max_depth: crate::walk::MAX_DEPTH,
                skip_name: &|name| skipped_by_walk(name),
                keep: &sheets,
            };
            let (found, skipped) = only_sheets(walk.run(path).files);
            if found.is_empty() {
                misses.push(Input::NoSheet { dir: arg.clone(), not_sheets: skipped.len() });
            }
            files.extend(found);
            not_sheets.extend(skipped);
        } else {
            // Missing files (and FIFOs, devices) go through: loading
            // reports them with the path.
            files.push(path.to_path_buf());
        }
    }
    files.sort();
    files.dedup();
    // A file both named and found by a walk is read: drop it from the skipped.
    not_sheets.retain(|p| files.binary_search(p).is_err());
    not_sheets.sort();
    not_sheets.dedup();
    let files = crate::walk::dedup_by_identity(files);
    let (files, superseded) = prefer_sheets(files);
    let mut inputs: Vec<Input> = files.into_iter().map(Input::File).collect();
    inputs.extend(misses);
    Expanded { inputs, not_sheets, superseded }
}

/// Leave out each document that has a sheet of the same stem in the same
/// directory among `files` (sorted): `acme.pdf` beside `acme.toml` is the
/// document and its reviewed import, and the import is what a person
/// checked and filled in.
fn prefer_sheets(files: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<(PathBuf, PathBuf)>) {
    let is_sheet = |p: &Path| crate::import::Source::of_document(p).is_none();
    let sheets: std::collections::HashMap<(Option<&Path>, &std::ffi::OsStr), &PathBuf> =
        files.iter().filter(|p| is_sheet(p)).filter_map(|p| Some(((p.parent(), p.file_stem()?), p))).collect();
    let mut superseded = Vec::new();
    let mut keep = Vec::with_capacity(files.len());
    for f in &files {
        let sheet = (!is_sheet(f)).then(|| f.file_stem().and_then(|stem| sheets.get(&(f.parent(), stem)))).flatten();
        match sheet {
            Some(sheet) => superseded.push((f.clone(), (*sheet).clone())),
            None => keep.push(f.clone()),
        }
    }
    (keep, superseded)
}

/// Split found files into sheets (and documents) and files that are not:
/// TOML/JSON without a sheet's tables, `.txt` that is no disclosure
/// sheet's text. PDFs and workbooks are kept: only importing them tells,
/// and one that is no sheet is reported as such. A file that cannot be
/// read counts as a sheet: loading reports why. In parallel: each file is
/// read once more here, and a directory of thousands of sheets should not
/// wait on one core for it.
fn only_sheets(found: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<PathBuf>) {
    use rayon::prelude::*;
    let is_sheet: Vec<bool> = found
        .par_iter()
        .map(|p| match crate::import::Source::of_document(p) {
            Some(crate::import::Source::Text) => looks_like_sheet_text(p),
            Some(_) => true,
            None => match crate::walk::read_input(p, crate::walk::InputKind::Sheet) {
                Ok(bytes) => crate::sheet::looks_like_sheet(&bytes, crate::sheet::SheetFormat::from_path(p)),
                Err(_) => true,
            },
        })
        .collect();
    let (sheets, others): (Vec<_>, Vec<_>) = found.into_iter().zip(is_sheet).partition(|(_, s)| *s);
    (sheets.into_iter().map(|(p, _)| p).collect(), others.into_iter().map(|(p, _)| p).collect())
}

/// Whether a `.txt` a walk found reads like a disclosure sheet's text (the
/// form's title word 開示書 in its first 64 KiB, spaces ignored, as
/// pdftotext may space out characters), so that a README.txt beside the
/// vendors' PDFs is not an error. A file that cannot be read is kept:
/// importing it reports why.
fn looks_like_sheet_text(path: &Path) -> bool {
    const HEAD: usize = 64 << 10;
    let Ok(bytes) = crate::walk::read_input(path, crate::walk::InputKind::TextImport) else { return true };
    let head = &bytes[..bytes.len().min(HEAD)];
    let text = String::from_utf8_lossy(head);
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    crate::text::normalized(&squeezed).contains("開示書")
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
        for f in ["b.toml", "sub/c.toml", "notes.txt"] {
            std::fs::write(root.join(f), "[sheet]\n").unwrap();
        }
        std::fs::write(root.join("a.json"), "{}").unwrap();
        let s = |p: &str| root.join(p).display().to_string();
        let got = expand(&[s("*.toml"), s("sub"), s("a.json"), s("zz*.toml"), s("missing.toml")]);
        assert_eq!(
            got,
            vec![
                Input::File(root.join("a.json")),
                Input::File(root.join("b.toml")),
                Input::File(root.join("missing.toml")),
                Input::File(root.join("sub/c.toml")),
                Input::NoMatch { pattern: s("zz*.toml"), not_sheets: 0 },
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
        std::fs::write(root.join("a.toml"), "[sheet]\n").unwrap();
        std::fs::write(root.join("sub/b.toml"), "[sheet]\n").unwrap();
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

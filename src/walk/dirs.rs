//! The one directory walker: loop-safe, deterministic order, each real
//! file once. Part of [`crate::walk`] (which re-exports it); it uses only
//! `std`, so `build.rs` includes this file too to find the built-in pack.

use std::collections::HashSet;
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

/// Directory levels a walk descends at most; deeper levels are reported.
pub const MAX_DEPTH: usize = 64;

/// A file's identity: the same file reached by two paths (symlinks, hard
/// links, `./a` and `a`) has one identity.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(m: &Metadata, _path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_m: &Metadata, path: &Path) -> Option<Identity> {
    path.canonicalize().ok()
}

/// Which real file a path names: equal for two paths of one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId(Identity);

/// The identity of the file at `path` (following symlinks), if it exists.
pub fn file_identity(path: &Path) -> Option<FileId> {
    identity(&fs::metadata(path).ok()?, path).map(FileId)
}

/// What a walk found: regular files, each real file once, in path order,
/// and the directories it could not read.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    pub errors: Vec<(PathBuf, io::Error)>,
}

/// How a walk descends.
pub struct Walk<'a> {
    /// Directory levels below the root to enter (0: the root's own files).
    pub max_depth: usize,
    /// Entries (files or directories) whose name says to leave them out.
    pub skip_name: &'a dyn Fn(&str) -> bool,
    /// Files to keep, by path.
    pub keep: &'a dyn Fn(&Path) -> bool,
}

impl Walk<'_> {
    /// Walk `dir`. Symlinks are followed, but a directory already entered
    /// (a loop such as `ln -s . l`, or a second link to one directory) is
    /// not entered again, and a file already found is not listed again:
    /// the first path in sorted order is kept. FIFOs, sockets and devices
    /// are skipped: nobody named them. Entries are visited in sorted order,
    /// so "first" is the same whatever the file system's order.
    pub fn run(&self, dir: &Path) -> Found {
        let mut st = WalkState { found: Found::default(), dirs: HashSet::new(), files: HashSet::new() };
        let fs_dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        match fs::metadata(fs_dir) {
            Ok(m) => {
                if let Some(id) = identity(&m, fs_dir) {
                    st.dirs.insert(id);
                }
                self.dir(dir, 0, &mut st);
            }
            Err(e) => st.found.errors.push((dir.to_path_buf(), e)),
        }
        st.found
    }

    fn dir(&self, dir: &Path, depth: usize, st: &mut WalkState) {
        let fs_dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let entries = match fs::read_dir(fs_dir) {
            Ok(entries) => entries,
            Err(e) => return st.found.errors.push((dir.to_path_buf(), e)),
        };
        let mut names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            if (self.skip_name)(&name.to_string_lossy()) {
                continue;
            }
            let path = dir.join(&name);
            let Ok(meta) = fs::metadata(&path) else {
                // A dangling symlink: listed, so loading reports it.
                if (self.keep)(&path) {
                    st.found.files.push(path);
                }
                continue;
            };
            if meta.is_dir() {
                if identity(&meta, &path).is_some_and(|id| !st.dirs.insert(id)) {
                    continue;
                }
                if depth >= self.max_depth {
                    let msg = format!("more than {} directory levels; not entered", self.max_depth);
                    st.found.errors.push((path, io::Error::other(msg)));
                    continue;
                }
                self.dir(&path, depth + 1, st);
            } else if meta.is_file()
                && (self.keep)(&path)
                && identity(&meta, &path).is_none_or(|id| st.files.insert(id))
            {
                st.found.files.push(path);
            }
        }
    }
}

struct WalkState {
    found: Found,
    dirs: HashSet<Identity>,
    files: HashSet<Identity>,
}

/// Every regular file below `dir` (recursively, at most [`MAX_DEPTH`]
/// levels) for which `keep` holds, each real file once, sorted.
/// Unreadable directories are skipped: callers report "found nothing".
pub fn files_under(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    Walk { max_depth: MAX_DEPTH, skip_name: &|_| false, keep: &keep }.run(dir).files
}

/// `keep` for [`files_under`]: files with one of these extensions.
pub fn has_extension<'a>(exts: &'a [&'a str]) -> impl Fn(&Path) -> bool + 'a {
    move |p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e))
}

/// Keep the first path of each real file (by [`file_identity`]); paths
/// that do not exist are all kept (loading reports them).
pub fn dedup_by_identity(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    paths
        .into_iter()
        .filter(|p| match fs::metadata(p).ok().and_then(|m| identity(&m, p)) {
            Some(id) => seen.insert(id),
            None => true,
        })
        .collect()
}

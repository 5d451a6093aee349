use super::*;

#[cfg(unix)]
pub(crate) fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}: {}", path.display(), io::Error::last_os_error());
}

#[test]
fn reads_a_file_within_its_limit() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.toml");
    fs::write(&p, "[answers]\n").unwrap();
    assert_eq!(read_input(&p, InputKind::Sheet).unwrap(), b"[answers]\n");
    assert_eq!(read_input_text(&p, InputKind::Sheet).unwrap(), "[answers]\n");
}

#[test]
fn refuses_a_file_over_its_limit() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.rhai");
    // Sparse: the length is what counts, not the disk use.
    let f = fs::File::create(&p).unwrap();
    f.set_len(limits::POLICY + 1).unwrap();
    let e = read_input(&p, InputKind::Policy).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { size, .. } if size == limits::POLICY + 1), "{e}");
    assert!(
        e.to_string().ends_with(&format!("the file is {} bytes; the limit for a policy is 1 MiB", limits::POLICY + 1)),
        "{e}"
    );
    // Exactly at the limit is fine.
    f.set_len(limits::POLICY).unwrap();
    assert_eq!(read_input(&p, InputKind::Policy).unwrap().len() as u64, limits::POLICY);
}

#[test]
fn refuses_directories_and_missing_files() {
    let d = tempfile::tempdir().unwrap();
    let e = read_input(d.path(), InputKind::Sheet).unwrap_err();
    assert!(e.reason().contains("is a directory, not a regular file"), "{e}");
    assert_eq!(e.io_kind(), Some(io::ErrorKind::IsADirectory));
    let e = read_input(&d.path().join("none.toml"), InputKind::Sheet).unwrap_err();
    assert_eq!(e.io_kind(), Some(io::ErrorKind::NotFound));
}

#[test]
fn refuses_non_utf8_text() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("sjis.rhai");
    fs::write(&p, b"ok\x82\xa0").unwrap();
    let e = read_input_text(&p, InputKind::Policy).unwrap_err();
    assert!(matches!(e, ReadError::NotText { offset: 2, .. }), "{e}");
}

#[cfg(unix)]
#[test]
fn refuses_a_fifo_without_blocking() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("pipe.toml");
    mkfifo(&p);
    let e = read_input(&p, InputKind::Sheet).unwrap_err();
    assert!(e.reason().contains("the file is a FIFO, not a regular file"), "{e}");
    // Through a symlink too.
    std::os::unix::fs::symlink(&p, d.path().join("link.toml")).unwrap();
    let e = read_input(&d.path().join("link.toml"), InputKind::Sheet).unwrap_err();
    assert!(e.reason().contains("FIFO"), "{e}");
}

#[cfg(unix)]
#[test]
fn devices_are_refused() {
    let e = read_input(Path::new("/dev/zero"), InputKind::Sheet).unwrap_err();
    assert!(e.reason().contains("is a device"), "{e}");
}

#[cfg(unix)]
#[test]
fn walks_finish_on_symlink_loops_and_list_each_file_once() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    fs::create_dir(root.join("sub")).unwrap();
    fs::write(root.join("a.toml"), "").unwrap();
    fs::write(root.join("sub/b.toml"), "").unwrap();
    symlink(".", root.join("l1")).unwrap();
    symlink(".", root.join("l2")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    // A second name for one file: listed once, under the first path.
    symlink("a.toml", root.join("z.toml")).unwrap();
    fs::hard_link(root.join("sub/b.toml"), root.join("c.toml")).unwrap();
    mkfifo(&root.join("pipe.toml"));
    let found = files_under(root, has_extension(&["toml"]));
    assert_eq!(found, vec![root.join("a.toml"), root.join("c.toml")]);
}

#[cfg(unix)]
#[test]
fn deep_nesting_is_bounded_and_reported() {
    let d = tempfile::tempdir().unwrap();
    let mut p = d.path().to_path_buf();
    for _ in 0..5 {
        p.push("d");
    }
    fs::create_dir_all(&p).unwrap();
    fs::write(p.join("deep.toml"), "").unwrap();
    let keep = has_extension(&["toml"]);
    let found = Walk { max_depth: 3, skip_name: &|_| false, keep: &keep }.run(d.path());
    assert!(found.files.is_empty());
    assert_eq!(found.errors.len(), 1);
    assert!(found.errors[0].1.to_string().contains("more than 3 directory levels"));
    assert_eq!(files_under(d.path(), keep), vec![p.join("deep.toml")]);
}

#[test]
fn skip_name_prunes_files_and_directories() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    fs::create_dir_all(root.join("_lib")).unwrap();
    fs::write(root.join("_lib/x.rhai"), "").unwrap();
    fs::write(root.join("_y.rhai"), "").unwrap();
    fs::write(root.join("p.rhai"), "").unwrap();
    let keep = has_extension(&["rhai"]);
    let found = Walk { max_depth: MAX_DEPTH, skip_name: &|n| n.starts_with('_'), keep: &keep }.run(root);
    assert_eq!(found.files, vec![root.join("p.rhai")]);
}

#[test]
fn identity_sees_through_dot_paths() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.toml");
    fs::write(&p, "").unwrap();
    assert_eq!(file_identity(&p), file_identity(&d.path().join(".").join("a.toml")));
    assert!(file_identity(&d.path().join("none")).is_none());
    let q = d.path().join("b.toml");
    fs::write(&q, "").unwrap();
    assert_ne!(file_identity(&p), file_identity(&q));
    assert_eq!(dedup_by_identity(vec![p.clone(), d.path().join("./a.toml"), q.clone()]), vec![p, q]);
}

//! Embeds the built-in policy pack: every file under `policies/` becomes an
//! entry of `BUILTIN` (path relative to `policies/`, text), in path order,
//! so adding a policy file needs no code change. Likewise the templates of
//! `kaiji init` (templates/init/).

use std::fmt::Write as _;
use std::path::PathBuf;

// The crate's own directory walker (std only), so the pack is found the way
// every other directory is walked: sorted, each real file once, loop-safe.
#[allow(dead_code)]
#[path = "src/walk/dirs.rs"]
mod dirs;

/// The package's directory, as Cargo gives it to this run. Not `env!`: that
/// is the directory the build script was compiled in, and Cargo reuses a
/// compiled build script from a target directory shared between checkouts
/// (a CI cache, `cargo install` from another clone); the pack would then be
/// read from a directory that may be gone, and be empty.
fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("Cargo sets CARGO_MANIFEST_DIR"))
}

fn main() {
    let root = manifest_dir().join("policies");
    println!("cargo:rerun-if-changed={}", root.display());
    let files = dirs::files_under(&root, dirs::has_extension(&["rhai"]));
    // an empty pack would pass every sheet: fail the build instead
    assert!(!files.is_empty(), "no built-in policies under {}", root.display());
    let mut code = String::from(
        "/// The built-in policy pack: (path under `policies/`, text).\npub const BUILTIN: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).expect("under policies/").to_string_lossy().replace('\\', "/");
        writeln!(code, "    ({rel:?}, include_str!({:?})),", f.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_policies.rs");
    std::fs::write(out, code).expect("write builtin_policies.rs");

    // The files `kaiji init` writes: every file under templates/init/KIND/,
    // as (KIND/relative path, text), in path order.
    let root = manifest_dir().join("templates/init");
    println!("cargo:rerun-if-changed={}", root.display());
    let files = dirs::files_under(&root, |_| true);
    let mut code = String::from(
        "/// The templates of `kaiji init`: (kind/path under templates/init/, text).\npub const TEMPLATES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).expect("under templates/init/").to_string_lossy().replace('\\', "/");
        writeln!(code, "    ({rel:?}, include_str!({:?})),", f.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("init_templates.rs");
    std::fs::write(out, code).expect("write init_templates.rs");

    // Tests that read the reference seed (outside the repository) are
    // `#[ignore]`d without it, so `cargo test` says what it did not run;
    // CI runs them with --include-ignored and fails if the seed is absent.
    println!("cargo::rustc-check-cfg=cfg(kaiji_seed)");
    let seed = manifest_dir().join("../shared/seeds/000_22d79e97acf5181f.txt");
    println!("cargo:rerun-if-changed={}", seed.display());
    if seed.is_file() {
        println!("cargo:rustc-cfg=kaiji_seed");
    }
    // Likewise the browser test, without Chromium on PATH.
    println!("cargo::rustc-check-cfg=cfg(kaiji_chromium)");
    println!("cargo:rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let browsers = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    if std::env::split_paths(&path).any(|d| browsers.iter().any(|b| d.join(b).is_file())) {
        println!("cargo:rustc-cfg=kaiji_chromium");
    }
    // And the `kaiji serve` browser test, without chromedriver beside it.
    println!("cargo::rustc-check-cfg=cfg(kaiji_chromedriver)");
    if std::env::split_paths(&path).any(|d| d.join("chromedriver").is_file()) {
        println!("cargo:rustc-cfg=kaiji_chromedriver");
    }
    // And the print test, without poppler's pdftotext and pdfinfo.
    println!("cargo::rustc-check-cfg=cfg(kaiji_pdftotext)");
    if std::env::split_paths(&path).any(|d| d.join("pdftotext").is_file() && d.join("pdfinfo").is_file()) {
        println!("cargo:rustc-cfg=kaiji_pdftotext");
    }
}

//! `kaiji init hospital|vendor [DIR]`: a starting repository. A hospital's
//! holds its policies with test cases, a waiver file, an example vendor
//! sheet, a GitHub workflow using kaiji's action, a pre-commit
//! configuration and a README in Japanese; a vendor's holds its fill-in
//! sheet (every question of the form in order, unanswered, under its text)
//! and the workflow.
//!
//! The files are data under `templates/init/` (embedded by build.rs), with
//! `{{name}}` placeholders for where kaiji is published; the vendor's sheet
//! is written by the fill-in writer `kaiji import` uses. [`plan`] says what
//! would be written, [`write`] writes it: nothing is overwritten without
//! `force`, and nothing is written through a symbolic link.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use crate::form::Form;
use crate::sheet::SheetDoc;

include!(concat!(env!("OUT_DIR"), "/init_templates.rs"));

/// The form the hospital's example policies and tests are written for.
pub const HOSPITAL_FORM: &str = "sds-6.0";

/// Which repository to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hospital,
    Vendor,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hospital => "hospital",
            Kind::Vendor => "vendor",
        }
    }
}

/// One file to write: its path relative to the directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// What the vendor's sheet states in `[sheet]`.
#[derive(Debug, Clone, Default)]
pub struct VendorInfo {
    pub vendor: Option<String>,
    pub service: Option<String>,
    /// 作成日: the day the sheet is started.
    pub created: Option<jiff::civil::Date>,
}

/// Where the workflow and the pre-commit configuration get kaiji from:
/// the crate's `repository` (Cargo.toml) when it is on GitHub, at the tag
/// of this version; else placeholders the README asks to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `owner/name` on GitHub.
    pub owner_name: String,
    /// The git tag of this version, `v0.1.0`.
    pub rev: String,
    /// Whether `owner_name` is a placeholder.
    pub placeholder: bool,
}

impl Origin {
    /// From Cargo.toml's `repository` and `version`.
    pub fn of_this_build() -> Origin {
        Origin::from_repository(env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_VERSION"))
    }

    pub fn from_repository(repository: &str, version: &str) -> Origin {
        let name = repository
            .strip_prefix("https://github.com/")
            .map(|r| r.trim_end_matches('/').trim_end_matches(".git"))
            .filter(|r| {
                let mut parts = r.split('/');
                let ok = |p: Option<&str>| {
                    p.is_some_and(|p| {
                        !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    })
                };
                ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
            });
        Origin {
            owner_name: name.unwrap_or("OWNER/kaiji").to_string(),
            rev: format!("v{version}"),
            placeholder: name.is_none(),
        }
    }
}

/// Why `kaiji init` wrote nothing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    #[error("{} file(s) of the template already exist in {dir}, and kaiji init wrote nothing:\n{}", .existing.len(), list(.existing))]
    #[diagnostic(
        code(kaiji::init::exists),
        help(
            "pass --force to replace these files (other files in the directory are left alone), or choose another directory"
        )
    )]
    Exists { dir: String, existing: Vec<String> },
    #[error("{path} is a symbolic link: kaiji init does not write through links, even with --force")]
    #[diagnostic(code(kaiji::init::symlink), help("remove the link, or choose another directory"))]
    Symlink { path: String },
    #[error("{path} is not a directory, and kaiji init needs one there")]
    #[diagnostic(code(kaiji::init::not_a_directory), help("choose another directory, or move that file away"))]
    NotADirectory { path: String },
    #[error("cannot use {path}: {source}")]
    #[diagnostic(code(kaiji::init::io))]
    Io { path: String, source: io::Error },
    #[error(
        "the example policies of `kaiji init hospital` are written for form {HOSPITAL_FORM}'s questions, not {form}"
    )]
    #[diagnostic(
        code(kaiji::init::form),
        help(
            "run `kaiji init hospital` without --form and adapt the policies' question ids and `forms:` line to your form; `kaiji init vendor --form` writes any form's fill-in sheet"
        )
    )]
    HospitalForm { form: String },
}

/// One path a line (the template's own paths: a handful).
fn list(paths: &[String]) -> String {
    paths.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

/// The files of a `kind` repository for `form`. The vendor's sheet gets
/// `info`'s header fields; the hospital's needs [`HOSPITAL_FORM`].
pub fn plan(kind: Kind, form: &Form, info: &VendorInfo, origin: &Origin) -> Result<Vec<File>, InitError> {
    if kind == Kind::Hospital && form.id != HOSPITAL_FORM {
        return Err(InitError::HospitalForm { form: crate::text::printable_line(&form.id).into_owned() });
    }
    let prefix = format!("{}/", kind.as_str());
    let action = format!("{}@{}", origin.owner_name, origin.rev);
    let note = if origin.placeholder {
        "7. `.github/workflows/kaiji.yml`、`.pre-commit-config.yaml` とこの README の `OWNER/kaiji` を、\n   \
         kaiji を入手したリポジトリ（`所有者/名前`）に書き換える。\n"
    } else {
        ""
    };
    let mut files: Vec<File> = TEMPLATES
        .iter()
        .filter_map(|(path, text)| path.strip_prefix(&prefix).map(|p| (p, text)))
        .map(|(path, text)| File {
            path: path.to_string(),
            text: text
                .replace("{{action}}", &action)
                .replace("{{repository}}", &format!("https://github.com/{}", origin.owner_name))
                .replace("{{owner_name}}", &origin.owner_name)
                .replace("{{rev}}", &origin.rev)
                .replace("{{owner_note}}", note),
        })
        .collect();
    if kind == Kind::Vendor {
        files.push(File { path: "sheet.toml".into(), text: vendor_sheet(form, info) });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The vendor's fill-in sheet: every question of `form` in form order,
/// unanswered, under a comment with its text (the writer `kaiji import`
/// uses for the questions a document leaves open).
pub fn vendor_sheet(form: &Form, info: &VendorInfo) -> String {
    let mut doc = SheetDoc::new(&form.id);
    doc.meta.vendor = info.vendor.clone().filter(|s| !s.trim().is_empty());
    doc.meta.service = info.service.clone().filter(|s| !s.trim().is_empty());
    doc.meta.created = info.created;
    // The citation example names a question of this form.
    let example = form.questions().iter().find(|q| q.kind == crate::form::Kind::YesNo).map_or("1", |q| q.id.as_str());
    let title = if form.title.is_empty() { form.id.clone() } else { format!("{}（{}）", form.title, form.id) };
    let mut header = vec![
        format!("{title}の記入用シート（kaiji init vendor が作成）。"),
        "設問ごとに、空の {} を回答に置き換える: \"はい\" / \"いいえ\" / \"対象外\"（該当/非該当 の設問は \"該当\" / \"非該当\"）。"
            .to_string(),
        format!(
            "備考は末尾の [remarks] に番号つきで書き、設問から参照する: {} = {{ answer = \"はい\", remarks = [3] }}",
            crate::sheet::write::basic(example)
        ),
        "確認: kaiji lint sheet.toml（未回答と矛盾）、kaiji check sheet.toml（基本ポリシー）".to_string(),
        "提出用の Excel: kaiji export sheet.toml -o 開示書.xlsx".to_string(),
    ];
    if doc.meta.vendor.is_none() || doc.meta.service.is_none() {
        header.push(
            "[sheet] に vendor（サービス事業者名）と service（サービス名称）を書き足すこと（kaiji lint が missing-metadata で知らせる）。"
                .to_string(),
        );
    }
    crate::sheet::write::to_toml_fill_in(&doc, form, &header)
}

/// Write `files` under `dir` (created if missing). Every file that
/// already exists is named in one error and nothing is written, unless
/// `force`; a symbolic link on the way to a file (below `dir`) or in its
/// place is refused even with `force`, so nothing lands outside `dir`.
/// Returns the paths written.
pub fn write(dir: &Path, files: &[File], force: bool) -> Result<Vec<PathBuf>, InitError> {
    let shown = |p: &Path| crate::text::printable_line(&p.display().to_string()).into_owned();
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(InitError::NotADirectory { path: shown(dir) }),
        Err(e) if e.kind() == io::ErrorKind::NotFound && fs::symlink_metadata(dir).is_err() => {}
        // A dangling link, a loop of links, no permission.
        Err(e) => return Err(InitError::Io { path: shown(dir), source: e }),
    }
    let mut existing = Vec::new();
    for f in files {
        let rel = Path::new(&f.path);
        debug_assert!(rel.components().all(|c| matches!(c, Component::Normal(_))), "{}", f.path);
        let mut at = dir.to_path_buf();
        let parts: Vec<Component> = rel.components().collect();
        for (i, c) in parts.iter().enumerate() {
            at.push(c);
            let last = i + 1 == parts.len();
            let Ok(m) = fs::symlink_metadata(&at) else { break };
            if m.file_type().is_symlink() {
                return Err(InitError::Symlink { path: shown(&at) });
            }
            if !last && !m.is_dir() {
                return Err(InitError::NotADirectory { path: shown(&at) });
            }
            if last {
                if m.is_dir() {
                    return Err(InitError::Exists { dir: shown(dir), existing: vec![f.path.clone()] });
                }
                existing.push(f.path.clone());
            }
        }
    }
    if !existing.is_empty() && !force {
        return Err(InitError::Exists { dir: shown(dir), existing });
    }
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        let parent = path.parent().expect("a file under dir");
        fs::create_dir_all(parent).map_err(|e| InitError::Io { path: shown(parent), source: e })?;
        // A temporary file renamed into place: a rename replaces the
        // directory entry (never following what was there), and a failed
        // write leaves no half file.
        let io_err = |e: io::Error| InitError::Io { path: shown(&path), source: e };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".kaiji-init-");
        // An ordinary file's permissions less the umask (tempfile's
        // default is owner-only, wrong for files meant to be committed).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(parent).map_err(io_err)?;
        tmp.write_all(f.text.as_bytes()).map_err(io_err)?;
        if force {
            tmp.persist(&path).map_err(|e| io_err(e.error))?;
        } else {
            // Not even a file made since the check above is replaced.
            tmp.persist_noclobber(&path).map_err(|e| io_err(e.error))?;
        }
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormRegistry;

    fn sds() -> std::sync::Arc<Form> {
        FormRegistry::builtin().get("sds-6.0").unwrap()
    }

    #[test]
    fn templates_are_complete_and_filled() {
        let origin = Origin::from_repository("https://github.com/example-org/kaiji", "1.2.3");
        assert_eq!(origin, Origin { owner_name: "example-org/kaiji".into(), rev: "v1.2.3".into(), placeholder: false });
        for kind in [Kind::Hospital, Kind::Vendor] {
            let files = plan(kind, &sds(), &VendorInfo::default(), &origin).unwrap();
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            assert!(paths.contains(&".github/workflows/kaiji.yml"), "{paths:?}");
            for f in &files {
                let leftover = f.text.match_indices("{{").filter(|(i, _)| !f.text[..*i].ends_with('$'));
                assert_eq!(leftover.count(), 0, "a placeholder left in {}", f.path);
            }
            let workflow = &files.iter().find(|f| f.path.ends_with("kaiji.yml")).unwrap().text;
            assert!(workflow.contains("uses: example-org/kaiji@v1.2.3"), "{workflow}");
        }
        let hospital: Vec<String> = plan(Kind::Hospital, &sds(), &VendorInfo::default(), &origin)
            .unwrap()
            .into_iter()
            .map(|f| f.path)
            .collect();
        for want in [
            "README.md",
            "policies/remote-maintenance-tls.rhai",
            "policies/selection-list.rhai",
            "policies/tests/remote-maintenance-tls.toml",
            "policies/tests/selection-list.toml",
            "waivers.toml",
            ".pre-commit-config.yaml",
            "vendors/example.toml",
        ] {
            assert!(hospital.iter().any(|p| p == want), "{want} missing: {hospital:?}");
        }
    }

    #[test]
    fn an_unknown_repository_gives_placeholders_the_readme_names() {
        for repo in ["", "https://gitlab.example/x/kaiji", "https://github.com/a/b/c", "https://github.com/a b/c"] {
            let origin = Origin::from_repository(repo, "0.1.0");
            assert!(origin.placeholder, "{repo}");
            assert_eq!(origin.owner_name, "OWNER/kaiji");
            let files = plan(Kind::Hospital, &sds(), &VendorInfo::default(), &origin).unwrap();
            let readme = &files.iter().find(|f| f.path == "README.md").unwrap().text;
            assert!(readme.contains("`OWNER/kaiji` を"), "{readme}");
        }
    }

    #[test]
    fn the_vendor_sheet_has_every_question_in_order_unanswered() {
        let form = sds();
        let info = VendorInfo {
            vendor: Some("株式会社テスト".into()),
            service: Some("テストクラウド".into()),
            created: Some(jiff::civil::date(2026, 12, 1)),
        };
        let text = vendor_sheet(&form, &info);
        let doc = crate::sheet::load_str(
            "sheet.toml",
            text.clone(),
            crate::sheet::SheetFormat::Toml,
            &FormRegistry::builtin(),
        )
        .unwrap();
        assert_eq!(doc.vendor(), "株式会社テスト");
        let ids: Vec<&str> = form.questions().iter().map(|q| q.id.as_str()).collect();
        let mut at = 0;
        for id in &ids {
            let line = format!("\"{id}\" = {{}}");
            let found = text[at..].find(&line).unwrap_or_else(|| panic!("{line} not after byte {at}"));
            at += found + line.len();
        }
        assert!((0..form.len()).all(|q| doc.answer_at(q).is_none()));
        // Each question's text is the comment above it.
        let q = form.question("17.1.d").unwrap();
        let entry = text.find("\n\"17.1.d\" = {}\n").unwrap();
        let comment = text[..entry].rsplit('\n').next().unwrap();
        assert!(comment.starts_with("# 17.1.d ") && comment.ends_with(&q.text), "{comment}");
    }
}

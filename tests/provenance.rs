//! Provenance (issue #15): every report states the kaiji version, the form
//! catalogs, the policy files (and the built-in pack), the waiver file and
//! each sheet by the SHA-256 of the bytes kaiji read, and no date unless
//! one is given.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use sha2::Digest;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sheets");

fn kaiji() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("kaiji");
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    c
}

/// SHA-256 of a file's bytes, independently of kaiji.
fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

#[test]
fn sha256_hex_matches_the_standard_vectors() {
    assert_eq!(kaiji::report::sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(kaiji::report::sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[test]
fn json_provenance_digests_are_the_sha256_of_the_files_bytes() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    // A BOM and CRLF line ends: the digest is of the bytes as read, not of
    // the text kaiji goes on to use.
    let original = std::fs::read_to_string(format!("{EXAMPLES}/hinode-systems.json")).unwrap();
    let mut sheet_bytes = "\u{feff}".as_bytes().to_vec();
    sheet_bytes.extend(original.replace('\n', "\r\n").as_bytes());
    let sheet = write(root, "sheets/hinode.json", &sheet_bytes);
    let policy = write(
        root,
        "policies/two-factor.rhai",
        "//! id: H-AUTH-001\n//! title: 二要素認証\nimport \"_lib\" as lib;\nif !sheet.is_yes(\"17.1.d\") { fail(\"17.1.d\", lib::WHY); }\n"
            .as_bytes(),
    );
    let module = write(root, "policies/_lib.rhai", "export const WHY = \"二要素認証に対応すること\";\n".as_bytes());
    let waivers = write(
        root,
        "waivers.toml",
        "[[waiver]]\npolicy = \"H-AUTH-001\"\nvendor = \"日の出システムズ株式会社\"\nreason = \"更改待ち\"\nexpires = \"2999-03-31\"\n"
            .as_bytes(),
    );
    let out = kaiji()
        .arg("check")
        .arg(&sheet)
        .arg("-p")
        .arg(root.join("policies"))
        .arg("--waivers")
        .arg(&waivers)
        .args(["-f", "json", "--no-lint"])
        .output()
        .unwrap();
    let report = json_of(&out.stdout);
    let p = &report["provenance"];
    assert_eq!(p["kaiji"], env!("CARGO_PKG_VERSION"));
    assert!(p.get("date").is_none(), "no date without --date or SOURCE_DATE_EPOCH: {p}");
    assert!(p.get("builtin_pack").is_none(), "the built-in pack did not run: {p}");

    let form = &p["forms"][0];
    assert_eq!(form["id"], "sds-6.0");
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/form/sds-6.0.toml");
    assert_eq!(form["sha256"], sha256_file(&catalog));

    let policies = p["policies"].as_array().unwrap();
    let digest_of = |path: &Path| {
        policies
            .iter()
            .find(|f| f["path"] == path.display().to_string())
            .unwrap_or_else(|| panic!("{} not in {policies:?}", path.display()))["sha256"]
            .clone()
    };
    assert_eq!(digest_of(&policy), sha256_file(&policy));
    assert_eq!(digest_of(&module), sha256_file(&module), "imported modules are policy files too");
    assert_eq!(policies.len(), 2);

    assert_eq!(p["waivers"]["path"], waivers.display().to_string());
    assert_eq!(p["waivers"]["sha256"], sha256_file(&waivers));

    let s = &report["sheets"][0];
    assert_eq!(s["sha256"], sha256_file(&sheet));
    assert_eq!(s["status"], "pass", "the waiver applied: {s}");
}

#[test]
fn the_builtin_pack_is_digested_as_a_whole_and_file_by_file() {
    let out = kaiji().args(["check", &format!("{EXAMPLES}/aozora-cloud.toml"), "-f", "json"]).output().unwrap();
    let report = json_of(&out.stdout);
    let p = &report["provenance"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut manifest = String::new();
    let mut files: Vec<PathBuf> = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rhai") {
                out.push(p);
            }
        }
    }
    walk(&root, &mut files);
    let mut rel: Vec<(String, PathBuf)> =
        files.into_iter().map(|f| (f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"), f)).collect();
    rel.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (name, path) in &rel {
        manifest.push_str(&format!("{}  {name}\n", sha256_file(path)));
    }
    let want: String = sha2::Sha256::digest(manifest.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(p["builtin_pack"], want);
    for f in p["policies"].as_array().unwrap() {
        let name = f["path"].as_str().unwrap().strip_prefix("builtin:").unwrap();
        assert_eq!(f["sha256"], sha256_file(&root.join(name)), "{name}");
    }
}

#[test]
fn an_unreadable_sheet_claims_no_digest() {
    let d = tempfile::tempdir().unwrap();
    let broken = write(d.path(), "broken.toml", b"[sheet\nvendor = 1\n");
    let missing = d.path().join("missing.toml");
    let out = kaiji().arg("check").arg(&broken).arg(&missing).args(["-f", "json"]).output().unwrap();
    let report = json_of(&out.stdout);
    for s in report["sheets"].as_array().unwrap() {
        assert_eq!(s["status"], "error");
        assert!(s.get("sha256").is_none(), "no digest claimed for {s}");
    }
    // Nor in SARIF's artifacts.
    let out = kaiji().arg("check").arg(&broken).args(["-f", "sarif"]).output().unwrap();
    let sarif = json_of(&out.stdout);
    assert!(sarif["runs"][0].get("artifacts").is_none());
}

#[test]
fn a_date_is_stated_only_when_given() {
    let sheet = format!("{EXAMPLES}/aozora-cloud.toml");
    let run = |cmd: &mut Command| json_of(&cmd.output().unwrap().stdout)["provenance"].clone();
    let p = run(kaiji().args(["check", &sheet, "-f", "json", "--date", "2026-04-01"]));
    assert_eq!(p["date"], "2026-04-01");
    let p = run(kaiji().args(["check", &sheet, "-f", "json"]).env("SOURCE_DATE_EPOCH", "1767225600"));
    assert_eq!(p["date"], "2026-01-01");
    let a = kaiji().args(["check", &sheet, "-f", "json"]).output().unwrap().stdout;
    let b = kaiji().args(["check", &sheet, "-f", "json"]).output().unwrap().stdout;
    assert_eq!(a, b, "byte-stable without a date");
}

#[test]
fn every_committee_format_states_the_provenance() {
    let sheet = format!("{EXAMPLES}/aozora-cloud.toml");
    let digest = sha256_file(Path::new(&sheet));
    let pack = kaiji::policy::builtin_pack_digest();
    for format in ["junit", "sarif", "markdown", "html"] {
        let out = kaiji().args(["check", &sheet, "-f", format]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&digest), "{format} states the sheet's digest");
        assert!(text.contains(&pack), "{format} states the pack's digest");
        assert!(text.contains(env!("CARGO_PKG_VERSION")), "{format} states the version");
    }
    let d = tempfile::tempdir().unwrap();
    let xlsx = d.path().join("r.xlsx");
    kaiji().args(["check", &sheet, "-o"]).arg(&xlsx).output().unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range(kaiji::report::xlsx::PROVENANCE_SHEET).unwrap();
    let cells: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.contains(&digest) && cells.contains(&pack), "{cells:?}");
}

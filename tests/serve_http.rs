//! `kaiji serve` over HTTP, on 127.0.0.1 only: uploads, the reports (the
//! same bytes `kaiji check` writes), replacing and forgetting documents,
//! and each refusal with its status code — wrong Host, no or wrong token,
//! a foreign Origin, over-limit bodies, malformed multipart, slow clients —
//! after each of which the server still answers. Most tests run the
//! library's server in this process with short timeouts; those about the
//! process (its first line, Ctrl-C, memory) start the binary.

#[path = "pdfgen/mod.rs"]
mod pdfgen;
mod serve_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use kaiji::serve::Limits;
use serve_common::*;

const SHEETS: [&str; 3] = ["aozora-cloud.toml", "hinode-systems.json", "sakura-support.toml"];

fn three_sheets() -> Vec<(&'static str, Vec<u8>)> {
    SHEETS.iter().map(|n| (*n, example(n))).collect()
}

fn files<'a>(list: &'a [(&'static str, Vec<u8>)]) -> Vec<(&'static str, &'a [u8])> {
    list.iter().map(|(n, b)| (*n, &b[..])).collect()
}

/// The server still answers, with the documents it held.
fn still_answers(s: &Running, documents: usize) {
    let r = get(&s.at("/api/report.json"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["sheets"].as_array().unwrap().len(), documents);
}

/// What `kaiji check NAMES -f FORMAT` writes in a folder of the same files.
fn check_output(list: &[(&str, Vec<u8>)], format: &str) -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    for (n, b) in list {
        std::fs::write(tmp.path().join(n), b).unwrap();
    }
    let out = tmp.path().join(format!("report.{format}"));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kaiji"))
        .current_dir(tmp.path())
        .arg("check")
        .args(list.iter().map(|(n, _)| *n))
        .args(["-f", format, "-o"])
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(status.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&status.stderr));
    std::fs::read(out).unwrap()
}

#[test]
fn uploads_are_reported_exactly_as_kaiji_check_reports_them() {
    let s = start(Limits::default());
    let empty = get(&s.at("/api/report.json"));
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json()["summary"]["sheets"], 0);

    let list = three_sheets();
    let r = upload(&s.at("/api/documents"), &files(&list));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let report = r.json();
    assert_eq!(report["schema"], "kaiji.check/v1");
    assert_eq!(paths(&report), SHEETS);
    let statuses: Vec<&str> =
        report["sheets"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pass", "fail", "fail"]);
    // One source of truth: the bytes `kaiji check` writes for these files.
    assert_eq!(r.body, check_output(&list, "json"), "POST's JSON is check's");
    assert_eq!(get(&s.at("/api/report.json")).body, r.body);
    let html = get(&s.at("/api/report.html"));
    assert_eq!(html.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(html.body, check_output(&list, "html"), "the page's matrix is -f html");
    let xlsx = get(&s.at("/api/report.xlsx"));
    assert_eq!(xlsx.body, check_output(&list, "xlsx"), "the download is -f xlsx");
    assert!(xlsx.header("content-disposition").unwrap().starts_with("attachment; filename=\"kaiji-report.xlsx\""));
    // Nothing names the temporary directory.
    let dir = s.dir.display().to_string();
    assert!(!html.text().contains(&dir) && !r.text().contains(&dir));
}

/// A vendor's PDF as tests/pdfgen draws it.
fn vendor_pdf(style: pdfgen::Style) -> Vec<u8> {
    let form = kaiji::form::FormRegistry::builtin().get("sds-6.0").unwrap();
    pdfgen::sheet_pdf(&form, &pdfgen::spec(&form, style)).0
}

/// An example sheet as the fill-in workbook `kaiji export` writes.
fn workbook_of(sheet: &str) -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("w.xlsx");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kaiji"))
        .args(["export", &format!("{}/examples/sheets/{sheet}", env!("CARGO_MANIFEST_DIR")), "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(out).unwrap()
}

/// A PDF, a workbook and a TOML sheet in one upload: each document is
/// imported in the evaluation with its account, exactly as `kaiji check`
/// imports the same files; the PDF's fill-in workbook, uploaded under
/// the PDF's name, replaces it.
#[test]
fn documents_are_imported_as_kaiji_check_imports_them() {
    let s = start(Limits::default());
    let list: Vec<(&str, Vec<u8>)> = vec![
        ("yamabiko.pdf", vendor_pdf(pdfgen::Style::Ellipse)),
        ("hinode.xlsx", workbook_of("hinode-systems.json")),
        ("aozora.toml", example("aozora-cloud.toml")),
    ];
    let r = upload(&s.at("/api/documents"), &files(&list));
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(paths(&report), ["aozora.toml", "hinode.xlsx", "yamabiko.pdf"]);
    assert_eq!(r.body, check_output(&list, "json"), "POST's JSON is check's");
    assert_eq!(get(&s.at("/api/report.html")).body, check_output(&list, "html"));
    assert_eq!(get(&s.at("/api/report.xlsx")).body, check_output(&list, "xlsx"));
    let sheets = report["sheets"].as_array().unwrap();
    assert!(sheets[0].get("import").is_none());
    assert_eq!(sheets[1]["import"]["format"], "workbook");
    let pdf = &sheets[2];
    assert_eq!(pdf["vendor"], pdfgen::VENDOR);
    assert_eq!(pdf["import"]["format"], "pdf");
    assert_eq!(pdf["import"]["unanswered"], 6);
    assert_eq!(pdf["import"]["ambiguous"].as_array().unwrap().len(), 3);
    let read_at = pdf["findings"].as_array().unwrap().iter().find_map(|f| f["read_at"].as_str()).unwrap();
    assert!(read_at.starts_with("PDF p."), "{read_at}");
    let html = get(&s.at("/api/report.html")).text();
    assert!(html.contains("PDF p."), "the drill-down says where the answer was read");
    assert!(!html.contains(&s.dir.display().to_string()));

    // The fill-in path: the PDF's workbook, sent back as yamabiko.xlsx.
    let fill = get(&s.at("/api/documents/yamabiko.pdf/fill-in.xlsx"));
    assert_eq!(fill.status, 200, "{}", fill.text());
    assert!(fill.header("content-disposition").unwrap().contains("yamabiko.xlsx"));
    let r = upload(&s.at("/api/documents"), &[("yamabiko.xlsx", &fill.body)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(paths(&report), ["aozora.toml", "hinode.xlsx", "yamabiko.xlsx"], "the workbook replaced the PDF");
    let replaced = &report["sheets"][2];
    assert_eq!(replaced["vendor"], pdfgen::VENDOR);
    assert_eq!(replaced["import"]["format"], "workbook");
    assert_eq!(replaced["import"]["answered"], pdf["import"]["answered"], "the same answers, read back");
    assert!(!s.dir.join("yamabiko.pdf").exists());
}

#[test]
fn an_unreadable_document_is_an_error_row_and_the_rest_are_reported() {
    let s = start(Limits::default());
    let r = upload(
        &s.at("/api/documents"),
        &[
            ("broken.pdf", b"%PDF-1.7\nnot really a pdf"),
            ("letter.pdf", &pdfgen::letter_pdf()),
            ("a.toml", &example("aozora-cloud.toml")),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    let statuses: Vec<&str> =
        report["sheets"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pass", "error", "error"], "{report:#}");
    let message = report["sheets"][1]["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains(&s.dir.display().to_string()), "{message}");
    still_answers(&s, 3);
}

#[test]
fn a_file_of_the_same_name_or_stem_replaces_and_forget_removes() {
    let s = start(Limits::default());
    let list = three_sheets();
    upload(&s.at("/api/documents"), &files(&list));
    // The corrected file under the same stem replaces the vendor's one.
    let r = upload(&s.at("/api/documents"), &[("SAKURA-support.json", &example("hinode-systems.json"))]);
    assert_eq!(r.status, 200);
    let report = r.json();
    assert_eq!(paths(&report), ["SAKURA-support.json", "aozora-cloud.toml", "hinode-systems.json"]);
    assert_eq!(report["sheets"][0]["vendor"], "日の出システムズ株式会社");
    assert!(!s.dir.join("sakura-support.toml").exists());

    let r = delete(&s.at("/api/documents/SAKURA-support.json"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(paths(&r.json()), ["aozora-cloud.toml", "hinode-systems.json"]);
    assert!(!s.dir.join("SAKURA-support.json").exists());
    let again = delete(&s.at("/api/documents/SAKURA-support.json"));
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["error"]["code"], "not_held");
    // A Japanese name, percent-encoded in the path.
    upload(&s.at("/api/documents"), &[("開示書 さくら.toml", &example("sakura-support.toml"))]);
    let r = delete(&s.at("/api/documents/%E9%96%8B%E7%A4%BA%E6%9B%B8%20%E3%81%95%E3%81%8F%E3%82%89.toml"));
    assert_eq!(r.status, 200, "{}", r.text());
    still_answers(&s, 2);
}

#[test]
fn hostile_names_stay_inside_the_directory_and_never_collide() {
    let s = start(Limits::default());
    let sheet = example("aozora-cloud.toml");
    let long = format!("{}.toml", "長".repeat(300));
    let names = [
        "../../escape.toml",
        "/tmp/absolute.toml",
        "..\\..\\windows.toml",
        "tab\tbidi\u{202e}lmth.toml",
        "テ\u{3099}スト.toml", // NFD, as macOS sends it
        "デスト.toml",         // the same name in NFC: replaces it
        long.as_str(),
        ".hidden.toml",
        "CON.toml",
    ];
    let list: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, &sheet[..])).collect();
    let r = upload(&s.at("/api/documents"), &list);
    assert_eq!(r.status, 200, "{}", r.text());
    let held = paths(&r.json());
    assert_eq!(held.len(), 8, "{held:?}");
    for name in &held {
        assert!(!name.contains(['/', '\\', '\0']) && !name.chars().any(char::is_control), "{name:?}");
        assert!(name.len() <= 150 && !name.starts_with('.'), "{name:?}");
        assert!(s.dir.join(name).is_file(), "{name:?} is held in the directory");
    }
    assert!(held.contains(&"escape.toml".to_string()) && held.contains(&"デスト.toml".to_string()));
    assert!(held.contains(&"_CON.toml".to_string()) && held.contains(&"hidden.toml".to_string()));
    let parent = s.dir.parent().unwrap();
    assert!(!parent.join("escape.toml").exists() && !Path::new("/tmp/absolute.toml.kaiji").exists());
    let on_disk = std::fs::read_dir(&s.dir).unwrap().count();
    assert_eq!(on_disk, 8 + 1, "the documents and .incoming, nothing else");
    assert_eq!(std::fs::read_dir(s.dir.join(".incoming")).unwrap().count(), 0);

    assert!(held.contains(&"tab_bidi_lmth.toml".to_string()), "{held:?}");
    // Control characters in a part's headers: the multipart parser refuses
    // the request (names are sanitised too, see serve::names).
    let r = upload(&s.at("/api/documents"), &[("ctl\u{1}\u{1b}[2J.toml", &sheet[..])]);
    assert_eq!(r.status, 400, "{}", r.text());
    // A name kaiji does not read: 415, nothing held.
    let r = upload(&s.at("/api/documents"), &[("setup.exe", b"MZ")]);
    assert_eq!(r.status, 415);
    assert_eq!(r.json()["error"]["code"], "unsupported");
    still_answers(&s, 8);
}

#[test]
fn vendor_text_is_escaped_as_in_the_html_report() {
    let s = start(Limits::default());
    let hostile = sheet_of("<script>document.title='pwned'</script><img src=x onerror=alert(1)>");
    let r = upload(&s.at("/api/documents"), &[("evil.toml", &hostile)]);
    assert_eq!(r.status, 200);
    let html = get(&s.at("/api/report.html")).text();
    assert!(html.contains("&lt;script&gt;document.title="), "escaped");
    assert!(!html.contains("<script>document") && !html.contains("<img"), "live markup");
    // JSON carries it as data (for the page to set as text).
    assert_eq!(r.json()["sheets"][0]["vendor"], "<script>document.title='pwned'</script><img src=x onerror=alert(1)>");
}

#[test]
fn the_pages_policies_allow_no_inline_script_and_send_no_cors() {
    let s = start(Limits::default());
    let page = get(&s.url);
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    let cookie = page.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.starts_with(&format!("kaiji_{}={};", s.port, s.token)), "{cookie}");
    let report = get(&s.at("/api/report.html"));
    let csp = report.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'sha256-") && csp.contains("style-src 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'self'"), "{csp}");
    for path in ["/", "/app.js", "/app.css", "/api/report.json", "/api/report.html", "/api/report.xlsx"] {
        let r = raw(
            s.port,
            &format!("GET {path}?token={} HTTP/1.1\r\nHost: {}\r\nOrigin: http://evil.example\r\n", s.token, s.host()),
            b"",
        );
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert!(r.headers.iter().all(|(k, _)| !k.to_ascii_lowercase().starts_with("access-control-")), "{path}");
    }
    // A CORS preflight gets no permission either.
    let r = raw(
        s.port,
        &format!(
            "OPTIONS /api/documents?token={} HTTP/1.1\r\nHost: {}\r\nOrigin: http://evil.example\r\n\
             Access-Control-Request-Method: POST\r\n",
            s.token,
            s.host()
        ),
        b"",
    );
    assert_ne!(r.status, 200);
    assert!(r.headers.iter().all(|(k, _)| !k.to_ascii_lowercase().starts_with("access-control-")));
}

#[test]
fn wrong_host_no_token_wrong_token_and_foreign_origin_are_refused() {
    let s = start(Limits::default());
    let t = &s.token;
    let body = multipart(&[("a.toml", &example("aozora-cloud.toml"))]);
    let post = |extra: &str| {
        raw(
            s.port,
            &format!(
                "POST /api/documents?token={t} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra}",
                s.host(),
                content_type(),
                body.len()
            ),
            &body,
        )
    };
    let cases: Vec<(&str, Reply)> = vec![
        // DNS rebinding: another name for 127.0.0.1.
        ("other host", raw(s.port, &format!("GET /?token={t} HTTP/1.1\r\nHost: evil.example:{}\r\n", s.port), b"")),
        ("other port", raw(s.port, &format!("GET /?token={t} HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"), b"")),
        ("no port", raw(s.port, &format!("GET /?token={t} HTTP/1.1\r\nHost: localhost\r\n"), b"")),
        ("no host", raw(s.port, &format!("GET /?token={t} HTTP/1.0\r\n"), b"")),
        (
            "absolute target",
            raw(s.port, &format!("GET http://evil.example/?token={t} HTTP/1.1\r\nHost: {}\r\n", s.host()), b""),
        ),
        ("no token", raw(s.port, &format!("GET /api/report.json HTTP/1.1\r\nHost: {}\r\n", s.host()), b"")),
        (
            "wrong token",
            raw(s.port, &format!("GET /api/report.json?token={}0 HTTP/1.1\r\nHost: {}\r\n", &t[1..], s.host()), b""),
        ),
        (
            "wrong cookie",
            raw(
                s.port,
                &format!("GET /api/report.json HTTP/1.1\r\nHost: {}\r\nCookie: kaiji_{}=nope\r\n", s.host(), s.port),
                b"",
            ),
        ),
        (
            "another run's cookie name",
            raw(
                s.port,
                &format!("GET /api/report.json HTTP/1.1\r\nHost: {}\r\nCookie: kaiji_1={t}\r\n", s.host()),
                b"",
            ),
        ),
        ("foreign origin", post("Origin: http://evil.example\r\n")),
        ("origin on another port", post("Origin: http://127.0.0.1:1\r\n")),
        ("null origin", post("Origin: null\r\n")),
        ("cross-site fetch", post("Sec-Fetch-Site: cross-site\r\n")),
        (
            "foreign delete",
            raw(
                s.port,
                &format!(
                    "DELETE /api/documents/a.toml?token={t} HTTP/1.1\r\nHost: {}\r\nOrigin: https://evil.example\r\n",
                    s.host()
                ),
                b"",
            ),
        ),
    ];
    for (what, r) in &cases {
        assert_eq!(r.status, 403, "{what}: {}", r.text());
        assert!(r.text().starts_with("refused: "), "{what}: says why: {}", r.text());
    }
    still_answers(&s, 0);
    // Accepted: the cookie instead of the query, localhost, the page's own Origin.
    let ok = raw(
        s.port,
        &format!(
            "GET /api/report.json HTTP/1.1\r\nHost: localhost:{}\r\nCookie: x=1; kaiji_{}={t}\r\n",
            s.port, s.port
        ),
        b"",
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    let r = post(&format!("Origin: http://localhost:{}\r\nSec-Fetch-Site: same-origin\r\n", s.port));
    assert_eq!(r.status, 200, "{}", r.text());
    still_answers(&s, 1);
}

/// Over a limit: declared (refused before the body is read), or found
/// while streaming (the rest is read and thrown away, so the client reads
/// the 413); nothing is held and the server goes on.
#[test]
fn over_limit_bodies_are_413_and_the_server_goes_on() {
    let limits = Limits { request_bytes: 2 << 20, ..Limits::default() };
    let s = start(limits);
    let host = s.host();
    let t = &s.token;
    // Declared: headers only, the body never sent.
    let r = raw(
        s.port,
        &format!(
            "POST /api/documents?token={t} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            content_type(),
            1u64 << 30
        ),
        b"",
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "request_too_large");

    // Streamed: 6 MiB in chunks, the length not declared.
    let mut part = multipart(&[("big.toml", &vec![b'#'; 6 << 20])]);
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST /api/documents?token={t} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        content_type()
    )
    .unwrap();
    for chunk in part.chunks(64 << 10) {
        write!(stream, "{:x}\r\n", chunk.len()).unwrap();
        stream.write_all(chunk).unwrap();
        stream.write_all(b"\r\n").unwrap();
    }
    stream.write_all(b"0\r\n\r\n").unwrap();
    let r = read_reply(&mut stream);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "request_too_large");
    assert_eq!(std::fs::read_dir(s.dir.join(".incoming")).unwrap().count(), 0, "the partial file is removed");
    part.clear();
    still_answers(&s, 0);

    // More parts than the store holds: refused at the first one too many.
    let small = Limits { store: kaiji::serve::StoreLimits { documents: 3, bytes: 1 << 30 }, ..Limits::default() };
    let s = start(small);
    let sheet = example("aozora-cloud.toml");
    let names: Vec<String> = (0..10).map(|i| format!("v{i}.toml")).collect();
    let list: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &sheet[..])).collect();
    let r = upload(&s.at("/api/documents"), &list);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "too_many_files");
    // Within the count, over what is held: 413, all or nothing.
    assert_eq!(upload(&s.at("/api/documents"), &list[..2]).status, 200);
    let r = upload(&s.at("/api/documents"), &list[2..4]);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "held_limit");
    assert_eq!(std::fs::read_dir(s.dir.join(".incoming")).unwrap().count(), 0);
    still_answers(&s, 2);
}

#[test]
fn malformed_multipart_is_400_and_the_server_goes_on() {
    let s = start(Limits::default());
    let t = &s.token;
    let host = s.host();
    let post = |content_type: &str, body: &[u8]| {
        raw(
            s.port,
            &format!(
                "POST /api/documents?token={t} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
                body.len()
            ),
            body,
        )
    };
    let ct = content_type();
    let good = multipart(&[("a.toml", &example("aozora-cloud.toml"))]);
    let truncated = &good[..good.len() / 2];
    let no_filename =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n");
    let other_field = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"; filename=\"a.toml\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
    );
    // Part headers that never end: bounded, not buffered to the end.
    let mut endless =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.toml\"\r\nX: ")
            .into_bytes();
    endless.extend(std::iter::repeat_n(b'a', 1 << 20));
    let empty = format!("--{BOUNDARY}--\r\n");
    let cases: Vec<(&str, Reply, u16)> = vec![
        ("garbage", post(&ct, b"this is not multipart at all"), 400),
        ("truncated", post(&ct, truncated), 400),
        ("no file name", post(&ct, no_filename.as_bytes()), 400),
        ("another field", post(&ct, other_field.as_bytes()), 400),
        ("endless part headers", post(&ct, &endless), 400),
        ("no parts", post(&ct, empty.as_bytes()), 400),
        ("not multipart", post("application/json", b"{}"), 415),
        ("no boundary", post("multipart/form-data", &good), 415),
    ];
    for (what, r, want) in &cases {
        assert_eq!(r.status, *want, "{what}: {}", r.text());
        let code = r.json()["error"]["code"].as_str().unwrap().to_string();
        assert!(!code.is_empty(), "{what}");
    }
    assert_eq!(std::fs::read_dir(s.dir.join(".incoming")).unwrap().count(), 0, "no partial file left");
    still_answers(&s, 0);
    assert_eq!(post(&ct, &good).status, 200);
    still_answers(&s, 1);
}

/// A client that sends a byte a second holds its connection only until a
/// timeout: the headers' (closed), or the whole upload's (408).
#[test]
fn slow_clients_are_cut_off_and_the_server_goes_on() {
    let limits =
        Limits { header_timeout: Duration::from_secs(1), request_timeout: Duration::from_secs(2), ..Limits::default() };
    let s = start(limits);
    let host = s.host();
    let t = s.token.clone();

    // Headers, a byte at a time, never finished.
    let started = Instant::now();
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let head = format!("GET /api/report.json?token={t} HTTP/1.1\r\nHost: {host}\r\nX-Slow: ");
    let mut closed = false;
    for b in head.bytes().chain(std::iter::repeat(b'a')) {
        if slow.write_all(&[b]).is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        match slow.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {} // a 408 before the close
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(150));
        assert!(started.elapsed() < Duration::from_secs(10), "the slow client is still connected");
    }
    assert!(closed);
    assert!(started.elapsed() < Duration::from_secs(5), "closed after {:?}", started.elapsed());

    // A connection that sends nothing is closed too.
    let started = Instant::now();
    let mut idle = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 64];
    let n = idle.read(&mut buf).unwrap_or(0);
    let _ = n;
    assert!(started.elapsed() < Duration::from_secs(5), "an idle connection held {:?}", started.elapsed());

    // An upload body at a byte every 100 ms: 408 when the request's time is up.
    let started = Instant::now();
    let mut upload = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    upload.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    write!(
        upload,
        "POST /api/documents?token={t} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nContent-Length: 100000\r\n\r\n",
        content_type()
    )
    .unwrap();
    let mut got = Vec::new();
    let body = multipart(&[("slow.toml", &[b'#'; 99_000])]);
    for b in body.iter() {
        if upload.write_all(&[*b]).is_err() {
            break;
        }
        let mut buf = [0u8; 4096];
        match upload.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
        if !got.is_empty() && got.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the slow upload is still held");
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5), "408 after {:?}", started.elapsed());
    still_answers(&s, 0);
}

/// Twenty clients upload at once (four received at a time, the rest wait
/// their turn); each gets its report, and all twenty are held.
#[test]
fn twenty_clients_uploading_at_once() {
    let s = start(Limits::default());
    let started = Instant::now();
    let url = s.at("/api/documents");
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let sheet = sheet_of(&format!("負荷試験株式会社{i:02}"));
                let r = upload(&url, &[(&format!("vendor-{i:02}.toml"), &sheet)]);
                (r.status, r.text())
            })
        })
        .collect();
    for h in handles {
        let (status, text) = h.join().unwrap();
        assert_eq!(status, 200, "{text}");
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(120), "20 uploads took {elapsed:?}");
    let report = get(&s.at("/api/report.json")).json();
    let held = paths(&report);
    assert_eq!(held.len(), 20);
    assert_eq!(held[0], "vendor-00.toml");
    assert_eq!(report["sheets"][19]["vendor"], "負荷試験株式会社19");
}

#[test]
fn waivers_are_applied_and_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let waivers = tmp.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\npolicy = \"H-AUTH-002\"\nvendor = \"有限会社さくらサポート\"\nreason = \"次期更改で対応予定\"\n\
         approver = \"医療情報部\"\nexpires = \"2999-12-31\"\n\n[[waiver]]\npolicy = \"H-AUTH-001\"\n\
         vendor = \"どこにもない会社\"\nreason = \"試験\"\nexpires = \"2999-12-31\"\n",
    )
    .unwrap();
    let s = start_with(setup(Some(&waivers)), Limits::default());
    let r = upload(&s.at("/api/documents"), &[("sakura-support.toml", &example("sakura-support.toml"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    let w = report["waivers"].as_array().expect("the waivers array");
    assert_eq!(w.len(), 2);
    assert_eq!(w[0]["status"], "active", "{w:?}");
    assert_eq!(w[1]["status"], "stale", "{w:?}");
    let policies = report["sheets"][0]["policies"].as_array().unwrap();
    let auth2 = policies.iter().find(|p| p["id"] == "H-AUTH-002").unwrap();
    assert_eq!(auth2["status"], "waived", "{auth2}");
    let html = get(&s.at("/api/report.html")).text();
    assert!(html.contains("次期更改で対応予定"), "the waiver's reason in the drill-down");
    // A second evaluation judges afresh: the stale one is still stale, the
    // active one still active (the tallies are per run).
    let again = upload(&s.at("/api/documents"), &[("sakura-support.toml", &example("sakura-support.toml"))]).json();
    assert_eq!(again["waivers"], report["waivers"]);
}

#[test]
fn fill_in_workbook_downloads_for_a_held_sheet() {
    let s = start(Limits::default());
    upload(&s.at("/api/documents"), &[("さくら.toml", &example("sakura-support.toml"))]);
    let r = get(&s.at("/api/documents/%E3%81%95%E3%81%8F%E3%82%89.toml/fill-in.xlsx"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.starts_with(b"PK"));
    let cd = r.header("content-disposition").unwrap();
    assert!(cd.contains("filename*=UTF-8''%E3%81%95%E3%81%8F%E3%82%89.xlsx"), "{cd}");
    assert_eq!(get(&s.at("/api/documents/none.toml/fill-in.xlsx")).status, 404);
}

#[cfg(unix)]
#[test]
fn the_binary_prints_its_address_first_and_ctrl_c_removes_the_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets");
    let mut b = Binary::start(&[examples.to_str().unwrap()], tmp.path());
    assert_eq!(b.token.len(), 64);
    assert!(b.token.bytes().all(|c| c.is_ascii_hexdigit()));
    // The preloaded folder, then one more upload.
    let report = get(&b.at("/api/report.json")).json();
    assert_eq!(paths(&report), SHEETS);
    let r = upload(&b.at("/api/documents"), &[("extra.toml", &sheet_of("追加株式会社"))]);
    assert_eq!(r.status, 200);
    let held: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(held.len(), 1, "one private directory in TMPDIR");
    let status = b.signal("INT");
    assert!(status.success(), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // A second run has another token.
    let other = Binary::start(&[], tmp.path());
    assert_ne!(other.token, b.token);
}

/// Peak resident memory of a process, in bytes (Linux: VmHWM).
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// A gigabyte sent to the binary: declared, it is refused before its
/// body; streamed (chunked, as one 1 GiB PDF, and as many PDFs under
/// their limit), it is counted to disk and refused at the limit, the rest
/// thrown away — the process never grows past 100 MB.
#[cfg(target_os = "linux")]
#[test]
fn a_gigabyte_upload_is_413_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let b = Binary::start(&[], tmp.path());
    let before = peak_rss(b.child.id());
    let host = format!("127.0.0.1:{}", b.port);
    let t = b.token.clone();
    const GIB: u64 = 1 << 30;

    // Declared.
    let r = raw(
        b.port,
        &format!(
            "POST /api/documents?token={t} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nContent-Length: {GIB}\r\n",
            content_type()
        ),
        b"",
    );
    assert_eq!(r.status, 413);

    let send = |parts: u64, part_size: u64| -> (Reply, Duration) {
        let started = Instant::now();
        let mut s = TcpStream::connect(("127.0.0.1", b.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        write!(
            s,
            "POST /api/documents?token={t} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
            content_type()
        )
        .unwrap();
        let block = vec![b'%'; 1 << 20];
        let mut chunk = |bytes: &[u8]| -> bool {
            write!(s, "{:x}\r\n", bytes.len()).is_ok() && s.write_all(bytes).is_ok() && s.write_all(b"\r\n").is_ok()
        };
        'send: for i in 0..parts {
            let head = format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big-{i}.pdf\"\r\n\r\n"
            );
            if !chunk(head.as_bytes()) {
                break;
            }
            for _ in 0..part_size / block.len() as u64 {
                if !chunk(&block) {
                    break 'send;
                }
            }
            if !chunk(b"\r\n") {
                break;
            }
        }
        let _ = chunk(format!("--{BOUNDARY}--\r\n").as_bytes());
        let _ = s.write_all(b"0\r\n\r\n");
        (read_reply(&mut s), started.elapsed())
    };
    // One 1 GiB PDF: over the importer's limit for a PDF (64 MiB).
    let (r, one) = send(1, GIB);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "file_too_large");
    // Sixteen 64 MiB PDFs (1 GiB): each under its limit, over the request's (256 MiB).
    let (r, many) = send(16, 64 << 20);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "request_too_large");
    let peak = peak_rss(b.child.id());
    eprintln!(
        "kaiji serve peak RSS: {:.1} MB before, {:.1} MB after two 1 GiB uploads ({one:?}, {many:?})",
        before as f64 / 1e6,
        peak as f64 / 1e6
    );
    assert!(peak < 100_000_000, "peak RSS {peak} bytes");
    // Nothing held, nothing staged, and the server answers.
    let report = get(&b.at("/api/report.json")).json();
    assert_eq!(report["summary"]["sheets"], 0);
    let dir = std::fs::read_dir(tmp.path()).unwrap().next().unwrap().unwrap().path();
    assert_eq!(std::fs::read_dir(dir.join(".incoming")).unwrap().count(), 0);
}

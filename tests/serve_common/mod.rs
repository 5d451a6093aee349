//! What the `kaiji serve` tests share: a server started in this process
//! (the library's, on 127.0.0.1 port 0) or as the binary, multipart bodies
//! built by hand, raw requests for what a client library will not send,
//! and the example sheets.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use kaiji::serve::{Limits, Options, Server, Setup, Stopper};

pub const BOUNDARY: &str = "kaiji-test-boundary-7d1f";

/// A server running on a thread of this process; stopped when dropped.
pub struct Running {
    pub url: String,
    pub port: u16,
    pub token: String,
    pub dir: PathBuf,
    stopper: Stopper,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn at(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("http://127.0.0.1:{}{path}{sep}token={}", self.port, self.token)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stopper.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn setup(waivers: Option<&Path>) -> Setup {
    let forms = kaiji::form::FormRegistry::builtin();
    let policies = kaiji::policy::PolicySet::builtin(kaiji::policy::Limits::default()).check_forms(&forms);
    let waivers = waivers.map(|p| {
        let set = kaiji::waiver::WaiverSet::load(p).unwrap();
        set.validate(&forms).unwrap();
        set
    });
    Setup { forms, policies, waivers, fail_on: Default::default(), date: None, jobs: 2 }
}

pub fn start(limits: Limits) -> Running {
    start_with(setup(None), limits)
}

pub fn start_with(setup: Setup, limits: Limits) -> Running {
    let server = Server::bind(Arc::new(setup), Options { port: 0, limits, signals: false }).unwrap();
    let url = server.url();
    let port = server.port();
    let token = url.rsplit_once("token=").unwrap().1.to_string();
    let dir = server.documents_dir().to_path_buf();
    let stopper = server.stopper();
    let thread = std::thread::spawn(move || server.run(None, |_| {}).unwrap());
    Running { url, port, token, dir, stopper, thread: Some(thread) }
}

pub fn example(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sheets").join(name)).unwrap()
}

/// The clean example sheet under another vendor's name.
pub fn sheet_of(vendor: &str) -> Vec<u8> {
    let text = String::from_utf8(example("aozora-cloud.toml")).unwrap();
    text.replace("vendor = \"株式会社あおぞらメディカル\"", &format!("vendor = {}", toml_string(vendor))).into_bytes()
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A multipart/form-data body of `file` parts.
pub fn multipart(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(b"Content-Disposition: form-data; name=\"file\"; filename=\"");
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn reply(mut r: ureq::http::Response<ureq::Body>) -> Reply {
    let status = r.status().as_u16();
    let headers =
        r.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = r.body_mut().with_config().limit(256 << 20).read_to_vec().unwrap();
    Reply { status, headers, body }
}

pub fn get(url: &str) -> Reply {
    reply(agent().get(url).call().unwrap())
}

pub fn delete(url: &str) -> Reply {
    reply(agent().delete(url).call().unwrap())
}

pub fn upload(url: &str, files: &[(&str, &[u8])]) -> Reply {
    reply(agent().post(url).header("content-type", content_type()).send(&multipart(files)[..]).unwrap())
}

/// The paths of the report's sheets.
pub fn paths(report: &serde_json::Value) -> Vec<String> {
    report["sheets"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap().to_string()).collect()
}

/// Send `head` (request line and headers, without the blank line's end)
/// and `body` raw; read the whole reply (the request asks to close).
pub fn raw(port: u16, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(b"Connection: close\r\n\r\n").unwrap();
    let _ = s.write_all(body);
    read_reply(&mut s)
}

/// Read one reply from `s` until the server closes or the body's length
/// is read.
pub fn read_reply(s: &mut TcpStream) -> Reply {
    let mut r = BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line).unwrap();
    let status = status_line.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length =
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.parse().unwrap());
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            r.read_exact(&mut body).unwrap();
        }
        None => {
            let _ = r.read_to_end(&mut body);
        }
    }
    Reply { status, headers, body }
}

/// The binary, started with `args` and `TMPDIR` set to `tmp`; its first
/// line read.
pub struct Binary {
    pub child: Child,
    pub url: String,
    pub port: u16,
    pub token: String,
}

impl Binary {
    pub fn start(args: &[&str], tmp: &Path) -> Binary {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kaiji"))
            .arg("serve")
            .args(args)
            .env("TMPDIR", tmp)
            .env_remove("SOURCE_DATE_EPOCH")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim_end().strip_prefix("kaiji serve: ").unwrap_or_else(|| panic!("first line: {first:?}"));
        let rest = url.strip_prefix("http://127.0.0.1:").unwrap();
        let (port, token) = rest.split_once("/?token=").unwrap();
        Binary { url: url.to_string(), port: port.parse().unwrap(), token: token.to_string(), child }
    }

    pub fn at(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}?token={}", self.port, self.token)
    }

    /// Send `signal` (`INT`, `TERM`) and wait for the exit, at most 20 s.
    pub fn signal(&mut self, signal: &str) -> std::process::ExitStatus {
        let ok = Command::new("kill").arg(format!("-{signal}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(ok.success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("kaiji serve did not end within 20 s of SIG{signal}");
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The server: HTTP/1 on 127.0.0.1, one tokio thread for the connections,
//! evaluation on blocking threads (the runner's own rayon pool).
//!
//! Every request passes [`guard`] first: its `Host` must be
//! `127.0.0.1:PORT` or `localhost:PORT` (a DNS-rebinding page reaches us
//! under its own name), it must carry the run's token (`?token=` or the
//! cookie the page sets: `HttpOnly`, `SameSite=Strict`), and a POST or
//! DELETE whose `Origin` is another site is refused (a cross-site
//! multipart POST needs no CORS preflight). No CORS headers are ever sent.
//!
//! Bounds, each a [`Limits`] field: how long a client may take over its
//! headers (`header_timeout`) and over a whole upload (`request_timeout`,
//! so one byte a second holds nothing for long); how many connections and
//! uploads at once; how many bytes a file (its kind's import limit) and a
//! request may have. An upload is streamed to disk with a running count
//! and never held in memory; past a limit the rest of the body is read and
//! thrown away (within the request's time) so the client sees the 413.

use std::future::Future;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, Notify, Semaphore};

use super::names::DocName;
use super::store::{Setup, Store, StoreError, StoreLimits};
use super::{Preloaded, ServeError};

/// The bounds of [`Server`]; [`Limits::default`] is what `kaiji serve` uses.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes in one upload request, all files together (each file is also
    /// held to its kind's import limit, [`crate::walk::InputKind::limit`]).
    pub request_bytes: u64,
    /// What the store holds at once.
    pub store: StoreLimits,
    /// Uploads received at once; more wait (up to `queue_timeout`, then 503).
    pub uploads: usize,
    /// How long an upload waits for its turn.
    pub queue_timeout: Duration,
    /// Open connections; more wait in the listen queue.
    pub connections: usize,
    /// Time for a client to send a request's headers (from the connection,
    /// or the end of the previous response) before it is closed.
    pub header_timeout: Duration,
    /// Time for a whole upload, its body included: a client sending a byte
    /// a second is answered 408 and closed when it runs out.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Four PDFs at the importer's limit.
            request_bytes: 256 << 20,
            store: StoreLimits::default(),
            uploads: 4,
            queue_timeout: Duration::from_secs(60),
            connections: 64,
            header_timeout: Duration::from_secs(10),
            // 256 MiB over loopback take about a second.
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// How to start a [`Server`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// 0: a free port.
    pub port: u16,
    pub limits: Limits,
    /// End on Ctrl-C (SIGINT), SIGTERM and SIGHUP; off for a server
    /// embedded in tests, which stop it with a [`Stopper`].
    pub signals: bool,
}

/// Bytes of multipart part headers (and preamble) read before a part's
/// data starts: a real part's headers are a few hundred bytes. The
/// multipart parser buffers them whole, so they are bounded here.
const PART_HEADERS_BUDGET: u64 = 64 << 10;

/// Bytes of an over-limit body read and thrown away so the client sees the
/// 413 (a client that stops reading before it stops sending would
/// otherwise get a reset); beyond this, or the request's time, the
/// connection is closed.
const DRAIN_MAX: u64 = 2 << 30;

/// The state every handler shares.
struct App {
    port: u16,
    token: String,
    cookie: String,
    store: Arc<Mutex<Store>>,
    incoming: PathBuf,
    uploads: Arc<Semaphore>,
    limits: Limits,
    page: String,
}

/// Stops a running [`Server`] from another thread.
#[derive(Clone)]
pub struct Stopper(Arc<Notify>);

impl Stopper {
    pub fn stop(&self) {
        // Stored if the server is not waiting yet: it stops when it does.
        self.0.notify_one();
    }
}

/// A bound server, not yet answering (see [`Server::run`]).
pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    app: Arc<App>,
    dir: PathBuf,
    stop: Arc<Notify>,
    signals: Option<Signals>,
}

impl Server {
    /// Listen on 127.0.0.1 (`options.port`, 0 for a free one) with a new
    /// store and a new token. Signals are caught from here on, so a Ctrl-C
    /// while documents are preloaded still removes them.
    pub fn bind(setup: Arc<Setup>, options: Options) -> Result<Server, ServeError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("kaiji-serve")
            .build()
            .map_err(ServeError::Io)?;
        let signals = if options.signals {
            let _inside = runtime.enter();
            Some(Signals::new().map_err(ServeError::Io)?)
        } else {
            None
        };
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))
            .map_err(|source| ServeError::Bind { port: options.port, source })?;
        listener.set_nonblocking(true).map_err(ServeError::Io)?;
        let port = listener.local_addr().map_err(ServeError::Io)?.port();
        let token = new_token().map_err(ServeError::Io)?;
        let store = Store::new(setup, options.limits.store).map_err(ServeError::TempDir)?;
        let dir = store.dir().to_path_buf();
        let incoming = store.incoming().to_path_buf();
        let app = App {
            port,
            cookie: format!("kaiji_{port}"),
            page: super::page::index(&options.limits),
            token,
            store: Arc::new(Mutex::new(store)),
            incoming,
            uploads: Arc::new(Semaphore::new(options.limits.uploads.max(1))),
            limits: options.limits,
        };
        Ok(Server { runtime, listener, app: Arc::new(app), dir, stop: Arc::new(Notify::new()), signals })
    }

    /// The address to open, with the token: the first line `kaiji serve`
    /// prints.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.app.port, self.app.token)
    }

    pub fn port(&self) -> u16 {
        self.app.port
    }

    /// The private directory the documents are held in (removed when the
    /// server ends).
    pub fn documents_dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn stopper(&self) -> Stopper {
        Stopper(self.stop.clone())
    }

    /// Answer requests until stopped (a [`Stopper`], or a signal when
    /// [`Options::signals`]). With `preload`, first hold the documents of
    /// that folder ([`super::preload`]) — while already answering: the
    /// page's first report waits for them — and hand what was held to
    /// `preloaded`. On return the documents' directory is gone.
    pub fn run(
        self,
        preload: Option<PathBuf>,
        preloaded: impl FnOnce(Result<Preloaded, ServeError>) + Send + 'static,
    ) -> Result<(), ServeError> {
        let Server { runtime, listener, app, dir, stop, signals } = self;
        let result = runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener).map_err(ServeError::Io)?;
            if let Some(folder) = preload {
                let store = app.store.clone().lock_owned().await;
                tokio::task::spawn_blocking(move || {
                    let mut store = store;
                    preloaded(super::preload(&mut store, &folder));
                });
            }
            let stopped = async move {
                match signals {
                    Some(mut s) => tokio::select! {
                        _ = stop.notified() => {}
                        _ = s.any() => {}
                    },
                    None => stop.notified().await,
                }
            };
            accept(listener, app.clone(), stopped).await;
            Ok(())
        });
        // An evaluation still running on a blocking thread is not waited
        // for past a moment: the process is ending.
        runtime.shutdown_timeout(Duration::from_millis(500));
        drop(app);
        // The store removes its directory when dropped; if an evaluation
        // still holds it, remove it here.
        if dir.exists() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }
}

/// The signals that end the server.
struct Signals {
    #[cfg(unix)]
    unix: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()];
            Ok(Signals { unix: kinds.into_iter().map(signal).collect::<Result<_, _>>()? })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn any(&mut self) {
        #[cfg(unix)]
        {
            let waits = self.unix.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The first of several futures to finish.
#[cfg(unix)]
async fn futures_select_all<F: Future + Unpin>(futures: impl Iterator<Item = F>) {
    let mut futures: Vec<F> = futures.collect();
    std::future::poll_fn(|cx| {
        for f in futures.iter_mut() {
            if Pin::new(f).poll(cx).is_ready() {
                return Poll::Ready(());
            }
        }
        Poll::Pending
    })
    .await
}

/// A token of 32 bytes from the operating system's CSPRNG, in hex.
fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compare in time independent of where the first difference is.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn accept(listener: tokio::net::TcpListener, app: Arc<App>, stopped: impl Future<Output = ()>) {
    let router = router(app.clone());
    let connections = Arc::new(Semaphore::new(app.limits.connections.max(1)));
    let mut stopped = std::pin::pin!(stopped);
    loop {
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut stopped => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, a connection reset before
                // accept: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => return,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let header_timeout = app.limits.header_timeout;
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(header_timeout).max_buf_size(64 << 10);
            let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
            drop(permit);
        });
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", super::page::SCRIPT) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", super::page::STYLE) }))
        .route("/api/documents", post(upload))
        .route("/api/documents/{name}", delete(forget))
        .route("/api/documents/{name}/fill-in.xlsx", get(fill_in))
        .route("/api/report.json", get(report_json))
        .route("/api/report.html", get(report_html))
        .route("/api/report.xlsx", get(report_xlsx))
        .fallback(|| async { refusal(StatusCode::NOT_FOUND, "not found: the page is at /") })
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Plain-text refusal (not for the page's script: it never sees these).
fn refusal(status: StatusCode, message: &str) -> Response {
    let mut r = (status, format!("{message}\n")).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

/// An API error, for the page: `{"error": {"code", "message"}}`. The page
/// words the message by `code`; `message` is English, printable.
fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": crate::text::printable(message) } });
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The response closes the connection: the request's body was not (all) read.
fn closing(mut r: Response) -> Response {
    r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Host, token and Origin, then the headers every response carries.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let refused = check(&app, &req);
    let mut response = match refused {
        Some(r) => r,
        None => next.run(req).await,
    };
    let h = response.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(NOTHING_CSP));
    }
    response
}

/// For responses that are data, not pages.
const NOTHING_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Why `req` is refused, if it is.
fn check(app: &App, req: &Request) -> Option<Response> {
    let forbidden = |m: &str| Some(refusal(StatusCode::FORBIDDEN, m));
    let port = app.port;
    let host_ok = |h: &str| {
        let h = h.to_ascii_lowercase();
        h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}")
    };
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    // An absolute-form target (`GET http://other/ HTTP/1.1`) names the host too.
    let target = req.uri().authority().map(|a| a.as_str());
    if !host.is_some_and(host_ok) || !target.is_none_or(host_ok) {
        return forbidden(&format!(
            "refused: the Host header must be 127.0.0.1:{port} or localhost:{port} (kaiji serve answers only \
             the address it printed)"
        ));
    }
    let token = query_token(req.uri().query()).or_else(|| cookie_token(req.headers(), &app.cookie));
    match token {
        None => {
            return forbidden(
                "refused: no token; open the address kaiji serve printed (http://127.0.0.1:PORT/?token=...)",
            );
        }
        Some(t) if !same_secret(t.as_bytes(), app.token.as_bytes()) => {
            return forbidden(
                "refused: wrong token; open the address this kaiji serve printed (each run has its own token)",
            );
        }
        Some(_) => {}
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let ok = origin.to_str().ok().is_some_and(|o| {
                let o = o.to_ascii_lowercase();
                o == format!("http://127.0.0.1:{port}") || o == format!("http://localhost:{port}")
            });
            if !ok {
                return forbidden("refused: a request from another site (Origin) may not change documents");
            }
        }
        let site = req.headers().get("sec-fetch-site").and_then(|s| s.to_str().ok());
        if site.is_some_and(|s| s != "same-origin" && s != "none") {
            return forbidden("refused: a request from another site (Sec-Fetch-Site) may not change documents");
        }
    }
    None
}

fn query_token(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|pair| pair.strip_prefix("token=")).map(str::to_string)
}

fn cookie_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// The page, setting the token cookie its requests then carry.
async fn page(State(app): State<Arc<App>>) -> Response {
    let mut r = app.page.clone().into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(super::page::CSP));
    let cookie = format!("{}={}; Path=/; HttpOnly; SameSite=Strict", app.cookie, app.token);
    h.insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII"));
    r
}

async fn report_json(State(app): State<Arc<App>>) -> Response {
    let reports = app.store.lock().await.reports();
    bytes_response(reports.json.clone(), "application/json", None)
}

async fn report_html(State(app): State<Arc<App>>) -> Response {
    let reports = app.store.lock().await.reports();
    let mut r = bytes_response(reports.html.clone(), "text/html; charset=utf-8", None);
    // The report's own policy, as a header: its style and script by hash
    // (no 'unsafe-inline'), shown in the page's frame only.
    let (style, script) = crate::report::html::inline_sources();
    let csp = format!(
        "default-src 'none'; style-src {style}; script-src {script}; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'self'"
    );
    r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).expect("ASCII"));
    r
}

async fn report_xlsx(State(app): State<Arc<App>>) -> Response {
    let reports = app.store.lock().await.reports();
    bytes_response(
        reports.xlsx.clone(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("kaiji-report.xlsx"),
    )
}

fn bytes_response(body: Vec<u8>, content_type: &'static str, attachment: Option<&str>) -> Response {
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(name) = attachment {
        h.insert(header::CONTENT_DISPOSITION, content_disposition(name));
    }
    r
}

/// `attachment` with the name as RFC 6266 says: an ASCII fallback and the
/// UTF-8 name percent-encoded (Japanese names survive, quotes cannot break
/// out).
fn content_disposition(name: &str) -> HeaderValue {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")).expect("ASCII")
}

/// Run `work` on the store on a blocking thread (it evaluates: CPU-heavy,
/// never on the runtime's one thread).
async fn with_store<T: Send + 'static>(
    app: &App,
    work: impl FnOnce(&mut Store) -> T + Send + 'static,
) -> Result<T, Response> {
    let mut store = app.store.clone().lock_owned().await;
    tokio::task::spawn_blocking(move || work(&mut store))
        .await
        .map_err(|_| api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the evaluation failed unexpectedly"))
}

fn store_error(e: &StoreError) -> Response {
    let (status, code) = match e {
        StoreError::TooMany { .. } | StoreError::TooMuch { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "held_limit"),
        StoreError::NotHeld(_) => (StatusCode::NOT_FOUND, "not_held"),
        StoreError::FillIn { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "fill_in"),
        StoreError::Io(_) => (StatusCode::INTERNAL_SERVER_ERROR, "io"),
    };
    api_error(status, code, &e.to_string())
}

async fn forget(State(app): State<Arc<App>>, UrlPath(name): UrlPath<String>) -> Response {
    change_and_report(&app, move |store| store.forget(&name).map(drop)).await
}

/// Change the held documents, evaluate them all again, and answer with the
/// kaiji.check/v1 report of what is held now (what every change of the
/// document set answers).
async fn change_and_report(
    app: &App,
    change: impl FnOnce(&mut Store) -> Result<(), StoreError> + Send + 'static,
) -> Response {
    let done = with_store(app, move |store| {
        change(store)?;
        store.evaluate()?;
        Ok::<_, StoreError>(store.reports())
    })
    .await;
    match done {
        Ok(Ok(reports)) => bytes_response(reports.json.clone(), "application/json", None),
        Ok(Err(e)) => store_error(&e),
        Err(r) => r,
    }
}

async fn fill_in(State(app): State<Arc<App>>, UrlPath(name): UrlPath<String>) -> Response {
    match with_store(&app, move |store| store.fill_in(&name)).await {
        Ok(Ok((file, bytes))) => {
            bytes_response(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Some(&file))
        }
        Ok(Err(e)) => store_error(&e),
        Err(r) => r,
    }
}

/// `POST /api/documents`: receive the `file` parts, hold them, evaluate,
/// answer the JSON report of every held document.
async fn upload(State(app): State<Arc<App>>, req: Request) -> Response {
    let limit = app.limits.request_bytes;
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        // Refused before a byte of the body is read.
        return closing(too_large_request(limit));
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let boundary = match multer::parse_boundary(content_type) {
        Ok(b) => b,
        Err(_) => {
            return closing(api_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_multipart",
                "send the files as multipart/form-data, one `file` part each",
            ));
        }
    };
    let Ok(Ok(_permit)) = tokio::time::timeout(app.limits.queue_timeout, app.uploads.clone().acquire_owned()).await
    else {
        let mut r = closing(api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "other uploads are being received; try again in a moment",
        ));
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    };
    let deadline = tokio::time::Instant::now() + app.limits.request_timeout;
    let budget = Arc::new(Budget::new(limit));
    let body = Arc::new(StdMutex::new(req.into_body().into_data_stream()));
    let stream = Guarded { body: body.clone(), budget: budget.clone() };
    let received = tokio::time::timeout_at(deadline, receive(&app, stream, boundary, &budget)).await;
    let staged = match received {
        Err(_) => {
            return closing(api_error(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                &format!(
                    "the upload took longer than {} s; the connection is closed",
                    app.limits.request_timeout.as_secs()
                ),
            ));
        }
        Ok(Ok(staged)) => staged,
        Ok(Err(refused)) => {
            // Read the rest of the body (bounded) so the client, still
            // sending, reads the refusal instead of a reset.
            if refused.status() == StatusCode::PAYLOAD_TOO_LARGE {
                let _ = tokio::time::timeout_at(deadline, drain(&body)).await;
            }
            return closing(refused);
        }
    };
    change_and_report(&app, move |store| {
        store.add_all(staged.into_iter().map(|s| (s.name, s.file.into_temp_path(), s.size)).collect()).map(drop)
    })
    .await
}

fn too_large_request(limit: u64) -> Response {
    api_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request_too_large",
        &format!("the upload is over {} in all; send fewer files at once", crate::walk::show_size(limit)),
    )
}

/// One received file, not yet held.
struct Staged {
    name: DocName,
    file: tempfile::NamedTempFile,
    size: u64,
}

/// Read every part into its own file under the store's incoming directory.
async fn receive(app: &App, stream: Guarded, boundary: String, budget: &Budget) -> Result<Vec<Staged>, Response> {
    let mut parts = multer::Multipart::new(stream, boundary);
    let mut staged = Vec::new();
    loop {
        budget.headers.store(true, Ordering::Relaxed);
        budget.header_bytes.store(0, Ordering::Relaxed);
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e, budget)),
        };
        budget.headers.store(false, Ordering::Relaxed);
        // Each part is a file on disk until the store takes them: no more
        // parts than the store could hold.
        if staged.len() >= app.limits.store.documents {
            return Err(api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_files",
                &format!("more than {} files in one upload; send fewer at once", app.limits.store.documents),
            ));
        }
        if field.name() != Some("file") {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "bad_part",
                "every part of the upload must be a file in a field named `file`",
            ));
        }
        let Some(raw) = field.file_name().map(str::to_string) else {
            return Err(api_error(StatusCode::BAD_REQUEST, "bad_part", "a `file` part has no file name"));
        };
        let name = match DocName::new(&raw) {
            Ok(n) => n,
            Err(e) => return Err(api_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported", &e.to_string())),
        };
        let file_limit = name.kind().limit();
        let temp = tempfile::NamedTempFile::with_prefix_in(".up-", &app.incoming).map_err(io_error)?;
        let mut out = tokio::fs::File::from_std(temp.reopen().map_err(io_error)?);
        let mut size = 0u64;
        let mut field = field;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e, budget)),
            };
            size += chunk.len() as u64;
            if size > file_limit {
                return Err(api_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "file_too_large",
                    &format!(
                        "{}: over the limit for {} ({})",
                        name.as_str(),
                        name.kind().noun(),
                        crate::walk::show_size(file_limit)
                    ),
                ));
            }
            out.write_all(&chunk).await.map_err(io_error)?;
        }
        out.flush().await.map_err(io_error)?;
        drop(out);
        staged.push(Staged { name, file: temp, size });
    }
    if staged.is_empty() {
        return Err(api_error(StatusCode::BAD_REQUEST, "no_files", "the upload holds no `file` part"));
    }
    Ok(staged)
}

fn io_error(e: std::io::Error) -> Response {
    api_error(StatusCode::INTERNAL_SERVER_ERROR, "io", &format!("cannot store the upload: {e}"))
}

/// A multipart error, as the refusal it is: over a limit (the request's,
/// or the part headers' budget), or a malformed body.
fn multipart_error(e: multer::Error, budget: &Budget) -> Response {
    if budget.over_request.load(Ordering::Relaxed) {
        return too_large_request(budget.limit);
    }
    if budget.over_headers.load(Ordering::Relaxed) {
        return api_error(
            StatusCode::BAD_REQUEST,
            "malformed",
            "malformed multipart body: a part's headers (or the text before the first part) are too long",
        );
    }
    api_error(StatusCode::BAD_REQUEST, "malformed", &format!("malformed multipart body: {e}"))
}

/// Read and discard what is left of a refused body, up to [`DRAIN_MAX`].
async fn drain(body: &StdMutex<axum::body::BodyDataStream>) {
    let mut thrown = 0u64;
    while thrown < DRAIN_MAX {
        let next = std::future::poll_fn(|cx| {
            let mut body = body.lock().unwrap_or_else(|p| p.into_inner());
            Pin::new(&mut *body).poll_next_frame(cx)
        })
        .await;
        match next {
            Some(Ok(bytes)) => thrown += bytes.len() as u64,
            _ => return,
        }
    }
}

/// What the body stream has let through.
struct Budget {
    limit: u64,
    total: AtomicU64,
    /// The parser is between parts (reading a part's headers).
    headers: AtomicBool,
    header_bytes: AtomicU64,
    over_request: AtomicBool,
    over_headers: AtomicBool,
}

impl Budget {
    fn new(limit: u64) -> Budget {
        Budget {
            limit,
            total: AtomicU64::new(0),
            headers: AtomicBool::new(true),
            header_bytes: AtomicU64::new(0),
            over_request: AtomicBool::new(false),
            over_headers: AtomicBool::new(false),
        }
    }
}

/// The request body as the multipart parser reads it, counted: past the
/// request's limit, or past [`PART_HEADERS_BUDGET`] while the parser looks
/// for a part's headers (which it buffers whole), it ends in an error.
struct Guarded {
    body: Arc<StdMutex<axum::body::BodyDataStream>>,
    budget: Arc<Budget>,
}

#[derive(Debug, thiserror::Error)]
#[error("the upload is over a limit")]
struct OverLimit;

impl futures_core::Stream for Guarded {
    type Item = Result<Bytes, OverLimit>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let b = &self.budget;
        if b.over_request.load(Ordering::Relaxed) || b.over_headers.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err(OverLimit)));
        }
        let next = {
            let mut body = self.body.lock().unwrap_or_else(|p| p.into_inner());
            Pin::new(&mut *body).poll_next_frame(cx)
        };
        match next {
            Poll::Ready(Some(Ok(bytes))) => {
                let n = bytes.len() as u64;
                if b.total.fetch_add(n, Ordering::Relaxed) + n > b.limit {
                    b.over_request.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(OverLimit)));
                }
                // The chunk that crosses the budget goes through (it may
                // hold the headers and the start of the data); the next
                // one while still between parts does not.
                if b.headers.load(Ordering::Relaxed)
                    && b.header_bytes.fetch_add(n, Ordering::Relaxed) >= PART_HEADERS_BUDGET
                {
                    b.over_headers.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(OverLimit)));
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            // A body that failed to arrive (the client went away) ends the
            // upload as a malformed one.
            Poll::Ready(Some(Err(_))) => Poll::Ready(Some(Err(OverLimit))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Polling a body's data stream without a stream-extension crate.
trait PollFrame {
    fn poll_next_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, axum::Error>>>;
}

impl PollFrame for axum::body::BodyDataStream {
    fn poll_next_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, axum::Error>>> {
        futures_core::Stream::poll_next(self, cx)
    }
}

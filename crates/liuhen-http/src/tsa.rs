//! RFC 3161 over HTTP (RFC 3161 §3.4): the client transport of [`liuhen::timestamp`], and a
//! local development TSA whose tokens are made by the real `openssl ts -reply`.
//!
//! - [`HttpTsa`]: `POST` a DER `TimeStampReq` as `application/timestamp-query`, expect `200` and
//!   `application/timestamp-reply`, bound the body. It implements
//!   [`liuhen::timestamp::TsaTransport`]; all checking is the core's.
//! - [`DevTsa`]: a directory with a root CA and a TSA certificate (critical extended key usage
//!   timeStamping) made once with `openssl req`/`openssl x509`, and an `openssl ts` config;
//!   [`DevTsa::reply`] runs `openssl ts -reply` on one query. [`serve_dev_tsa`] answers POSTed
//!   queries with it. For tests and the demo, not for production: a real agency uses a TSA it
//!   trusts (docs/witness/timestamp.md).
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use liuhen::timestamp::{TransportError, TsaTransport, MAX_TOKEN_BYTES};

use crate::client::BlockingClient;

/// The media type of a timestamp request (RFC 3161 §3.4).
pub const QUERY_TYPE: &str = "application/timestamp-query";
/// The media type of a timestamp response (RFC 3161 §3.4).
pub const REPLY_TYPE: &str = "application/timestamp-reply";

/// A TSA reached over HTTP(S is not supported by this client: use a plain-HTTP URL or a local
/// proxy; the token is signed, so the channel needs no integrity of its own).
#[derive(Debug)]
pub struct HttpTsa {
    url: String,
    client: BlockingClient,
}

impl HttpTsa {
    /// A transport posting to `url`, each request failing after `timeout`.
    ///
    /// # Errors
    /// The client's runtime could not be started.
    pub fn new(url: impl Into<String>, timeout: Duration) -> std::io::Result<Self> {
        Ok(HttpTsa {
            url: url.into(),
            client: BlockingClient::new(timeout)?,
        })
    }
}

impl TsaTransport for HttpTsa {
    fn stamp(&self, request_der: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self
            .client
            .post_at_most(
                &self.url,
                QUERY_TYPE,
                request_der.to_vec(),
                liuhen::timestamp::MAX_TOKEN_BYTES,
            )
            .map_err(|e| TransportError(e.to_string()))?;
        if response.status != 200 {
            return Err(TransportError(format!(
                "{} answered HTTP {}: {}",
                self.url,
                response.status,
                response.text().chars().take(200).collect::<String>()
            )));
        }
        let media = response
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(str::trim);
        if media != Some(REPLY_TYPE) {
            return Err(TransportError(format!(
                "{} answered with content type {:?}, not {REPLY_TYPE}",
                self.url, response.content_type
            )));
        }
        if response.body.len() > MAX_TOKEN_BYTES {
            return Err(TransportError(format!(
                "{} answered {} bytes, more than {MAX_TOKEN_BYTES}",
                self.url,
                response.body.len()
            )));
        }
        Ok(response.body.to_vec())
    }
}

/// The development TSA's key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256 (signatures with SHA-256).
    EcP256,
    /// RSA 2048 (PKCS#1 v1.5 signatures with SHA-256).
    Rsa2048,
}

/// Why the development TSA failed.
#[derive(Debug, thiserror::Error)]
pub enum DevTsaError {
    /// `openssl` is not on PATH.
    #[error(
        "the development TSA needs the `openssl` command, which is not installed or not on PATH \
         ({0}); install OpenSSL (e.g. `apt-get install openssl`)"
    )]
    OpensslMissing(String),
    /// An `openssl` step failed.
    #[error("openssl {step} failed: {stderr}")]
    Openssl {
        /// Which step.
        step: String,
        /// What openssl said.
        stderr: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The server could not run.
    #[error("development TSA server: {0}")]
    Serve(String),
}

/// The `openssl version` line.
///
/// # Errors
/// [`DevTsaError::OpensslMissing`].
pub fn openssl_version() -> Result<String, DevTsaError> {
    let out = Command::new("openssl")
        .arg("version")
        .output()
        .map_err(|e| DevTsaError::OpensslMissing(e.to_string()))?;
    if !out.status.success() {
        return Err(DevTsaError::OpensslMissing(format!(
            "`openssl version` exited with {}",
            out.status
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `openssl ARGS` in `dir`.
fn openssl(dir: &Path, step: &str, args: &[&str]) -> Result<Vec<u8>, DevTsaError> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| DevTsaError::OpensslMissing(e.to_string()))?;
    if !out.status.success() {
        return Err(DevTsaError::Openssl {
            step: step.to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(out.stdout)
}

fn write(path: &Path, text: &str) -> Result<(), DevTsaError> {
    std::fs::write(path, text).map_err(|source| DevTsaError::Io {
        path: path.to_owned(),
        source,
    })
}

/// A development TSA directory: `root.pem` (the root CA to configure verifiers with),
/// `root.key`, `tsa.pem`, `tsa.key`, `tsa.cnf` (the `openssl ts` configuration), `serial`, and
/// `work/` (one query and reply file per request, removed after).
#[derive(Debug)]
pub struct DevTsa {
    dir: PathBuf,
    counter: AtomicU64,
    /// `openssl ts -reply` reads and bumps the serial file: one request at a time.
    lock: std::sync::Mutex<()>,
}

/// The TSA policy OID of the development TSA (an example arc: it asserts nothing).
pub const DEV_POLICY: &str = "1.2.3.4.1";

impl DevTsa {
    /// Opens the development TSA in `dir`, creating its root CA, TSA certificate and
    /// configuration with `openssl` if `dir/tsa.cnf` is missing.
    ///
    /// # Errors
    /// [`DevTsaError::OpensslMissing`] first of all if `openssl` is not installed; any failing
    /// `openssl` step or file.
    pub fn setup(dir: &Path, key: KeyKind) -> Result<Self, DevTsaError> {
        openssl_version()?;
        let io = |source| DevTsaError::Io {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir.join("work")).map_err(io)?;
        let dir = dir.canonicalize().map_err(io)?;
        if !dir.join("tsa.cnf").is_file() {
            Self::create(&dir, key)?;
        }
        Ok(DevTsa {
            dir,
            counter: AtomicU64::new(0),
            lock: std::sync::Mutex::new(()),
        })
    }

    fn create(dir: &Path, key: KeyKind) -> Result<(), DevTsaError> {
        let newkey: &[&str] = match key {
            KeyKind::EcP256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyKind::Rsa2048 => &["-newkey", "rsa:2048"],
        };
        let mut root = vec!["req", "-x509", "-nodes", "-days", "3650", "-sha256"];
        root.extend_from_slice(newkey);
        root.extend_from_slice(&[
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            "/CN=liuhen development TSA root",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(dir, "req (root CA)", &root)?;
        let mut csr = vec!["req", "-new", "-nodes", "-sha256"];
        csr.extend_from_slice(newkey);
        csr.extend_from_slice(&[
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=liuhen development TSA",
        ]);
        openssl(dir, "req (TSA key)", &csr)?;
        write(
            &dir.join("tsa.ext"),
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\n\
             extendedKeyUsage=critical,timeStamping\n\
             subjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\n",
        )?;
        openssl(
            dir,
            "x509 (TSA certificate)",
            &[
                "x509",
                "-req",
                "-in",
                "tsa.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key",
                "-set_serial",
                "2",
                "-days",
                "3650",
                "-sha256",
                "-extfile",
                "tsa.ext",
                "-out",
                "tsa.pem",
            ],
        )?;
        write(&dir.join("serial"), "01\n")?;
        write(
            &dir.join("tsa.cnf"),
            &format!(
                "[ tsa ]\n\
                 default_tsa = liuhen_dev_tsa\n\
                 [ liuhen_dev_tsa ]\n\
                 dir = {dir}\n\
                 serial = $dir/serial\n\
                 signer_cert = $dir/tsa.pem\n\
                 signer_key = $dir/tsa.key\n\
                 signer_digest = sha256\n\
                 default_policy = {DEV_POLICY}\n\
                 digests = sha256, sha384, sha512\n\
                 accuracy = secs:1\n\
                 clock_precision_digits = 0\n\
                 ordering = no\n\
                 tsa_name = yes\n\
                 ess_cert_id_chain = no\n\
                 ess_cert_id_alg = sha256\n",
                dir = dir.display()
            ),
        )?;
        Ok(())
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root CA certificate (PEM) verifiers are configured with.
    pub fn root_pem(&self) -> PathBuf {
        self.dir.join("root.pem")
    }

    /// Answers one DER `TimeStampReq` with the DER `TimeStampResp` that
    /// `openssl ts -reply -queryfile … -config … -inkey … -signer …` makes.
    ///
    /// # Errors
    /// [`DevTsaError`]: openssl refused the query or could not run.
    pub fn reply(&self, query: &[u8]) -> Result<Vec<u8>, DevTsaError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let work = self.dir.join("work");
        let q = work.join(format!("{}-{n}.tsq", std::process::id()));
        let r = work.join(format!("{}-{n}.tsr", std::process::id()));
        std::fs::write(&q, query).map_err(|source| DevTsaError::Io {
            path: q.clone(),
            source,
        })?;
        let result = {
            let _serial = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            let (qs, rs) = (q.to_string_lossy(), r.to_string_lossy());
            openssl(
                &self.dir,
                "ts -reply",
                &[
                    "ts",
                    "-reply",
                    "-config",
                    "tsa.cnf",
                    "-queryfile",
                    &qs,
                    "-inkey",
                    "tsa.key",
                    "-signer",
                    "tsa.pem",
                    "-out",
                    &rs,
                ],
            )
            .and_then(|_| {
                std::fs::read(&r).map_err(|source| DevTsaError::Io {
                    path: r.clone(),
                    source,
                })
            })
        };
        let _ = std::fs::remove_file(&q);
        let _ = std::fs::remove_file(&r);
        result
    }

    /// The router: `POST /` with an `application/timestamp-query` body answers
    /// `application/timestamp-reply`.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/", post(answer))
            .layer(DefaultBodyLimit::max(MAX_QUERY_BYTES))
            .with_state(self)
    }
}

/// The largest query the development TSA reads.
const MAX_QUERY_BYTES: usize = 16 * 1024;

async fn answer(State(tsa): State<Arc<DevTsa>>, headers: HeaderMap, body: Bytes) -> Response {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if media != Some(QUERY_TYPE) {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected {QUERY_TYPE}\n"),
        )
            .into_response();
    }
    match tokio::task::spawn_blocking(move || tsa.reply(&body)).await {
        Ok(Ok(reply)) => ([(header::CONTENT_TYPE, REPLY_TYPE)], reply).into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

/// Serves `tsa` on `listen` until `shutdown` completes; `ready` is told the bound address.
///
/// # Errors
/// [`DevTsaError::Serve`].
pub fn serve_dev_tsa(
    tsa: DevTsa,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), DevTsaError> {
    let serve = |e: std::io::Error| DevTsaError::Serve(e.to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(serve)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(serve)?;
        ready(listener.local_addr().map_err(serve)?);
        axum::serve(listener, Arc::new(tsa).router())
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(serve)
    })
}

/// A development TSA served on a thread of its own (for the demo): [`DevTsaServer::spawn`]
/// returns once it listens; dropping it stops it.
pub struct DevTsaServer {
    addr: SocketAddr,
    root: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), DevTsaError>>>,
}

impl DevTsaServer {
    /// Serves `tsa` on `listen` in the background.
    ///
    /// # Errors
    /// [`DevTsaError::Serve`] if it could not start.
    pub fn spawn(tsa: DevTsa, listen: SocketAddr) -> Result<Self, DevTsaError> {
        let root = tsa.root_pem();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("liuhen-dev-tsa".into())
            .spawn(move || {
                serve_dev_tsa(
                    tsa,
                    listen,
                    |addr| {
                        let _ = ready_tx.send(addr);
                    },
                    async move {
                        let _ = stop_rx.await;
                    },
                )
            })
            .map_err(|e| DevTsaError::Serve(e.to_string()))?;
        match ready_rx.recv() {
            Ok(addr) => Ok(DevTsaServer {
                addr,
                root,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Err(_) => Err(match thread.join() {
                Ok(Err(e)) => e,
                _ => DevTsaError::Serve("the server stopped before it listened".into()),
            }),
        }
    }

    /// `http://ADDR/`, the URL to POST queries to.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The root certificate verifiers are configured with.
    pub fn root_pem(&self) -> &Path {
        &self.root
    }
}

impl Drop for DevTsaServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

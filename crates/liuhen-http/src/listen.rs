//! The listener: accepts connections (plain TCP, or TLS with optional client certificates),
//! tells each request who its peer is ([`Peer`]), logs one line per request, and shuts down
//! gracefully (in-flight requests, and so in-flight commits, finish first).
//!
//! TLS (rustls, the ring provider): with [`crate::TlsFiles`] the server speaks HTTPS only. With
//! a client CA, a client may present a certificate; one that does not chain to the CA fails
//! the handshake, none at all is accepted (such a peer is an ordinary client), and
//! [`Peer::client_certificate`] is true only for a verified one. A handshake that fails (plain
//! HTTP sent to the TLS port, an untrusted client certificate) or takes longer than
//! [`HANDSHAKE_TIMEOUT`] closes that connection only.
use std::io::BufReader;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::{Extension, Router};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::admin::SealKeyExt;
use crate::{router, AppState, Config, TlsFiles};

/// Longest a TLS handshake may take before the connection is closed.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a client may take to send a request's header (slow-header clients are cut off).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest the shutdown waits for requests in flight before it stops anyway (a commit already
/// running on a blocking thread still finishes: the runtime waits for it).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Who sent a request: inserted into every request's extensions by the listener.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The peer's address.
    pub addr: SocketAddr,
    /// The peer presented a client certificate that chains to the configured client CA.
    pub client_certificate: bool,
}

impl Peer {
    /// May this peer make administrative calls (seal)? From loopback, or with a client
    /// certificate.
    pub fn is_admin(&self) -> bool {
        self.addr.ip().is_loopback() || self.client_certificate
    }
}

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The ledger directory could not be opened for writing.
    #[error("cannot serve {dir}: {source}")]
    Open {
        /// The directory.
        dir: std::path::PathBuf,
        /// Why.
        #[source]
        source: Box<liuhen::Error>,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The service could not start its runtime or tasks.
    #[error("cannot start the service: {0}")]
    Runtime(String),
    /// A TLS file could not be read or used.
    #[error("TLS: {path}: {reason}")]
    TlsFile {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The TLS configuration was refused (certificate and key do not match, a CA unusable).
    #[error("TLS: {0}")]
    Tls(String),
    /// The seal key (`--key-file`) could not be read, or is not this ledger's key.
    #[error("cannot use the seal key: {0}")]
    SealKey(#[source] liuhen::sealing::SealError),
}

/// A bound, not yet running, service.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    tls: Option<TlsAcceptor>,
    seal_key: SealKeyExt,
}

impl Server {
    /// Opens the ledger and binds the address.
    ///
    /// # Errors
    /// [`ServeError`].
    pub async fn bind(config: Config) -> Result<Self, ServeError> {
        let addr = config.listen;
        // TLS files and the seal key are checked before the ledger is opened: a bad file is a
        // clear error at start, never a failure of the first request.
        let tls = config.tls.as_ref().map(tls_acceptor).transpose()?;
        let (state, seal_key) = tokio::task::spawn_blocking(move || open(config))
            .await
            .map_err(|e| ServeError::Runtime(format!("opening task failed: {e}")))??;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server {
            listener,
            state,
            tls,
            seal_key,
        })
    }

    /// The address actually bound (port 0 resolved).
    ///
    /// # Errors
    /// The socket's address cannot be read.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The service's state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    ///
    /// # Errors
    /// [`ServeError`].
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), ServeError> {
        let app = router(self.state.clone())
            .layer(axum::middleware::from_fn(log_request))
            .layer(Extension(self.seal_key.clone()));
        let graceful = GracefulShutdown::new();
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        let builder = Arc::new(builder);
        tokio::pin!(shutdown);
        loop {
            let (stream, addr) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        // Out of descriptors and the like: do not spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let connection = Connection {
                app: app.clone(),
                builder: Arc::clone(&builder),
                watcher: graceful.watcher(),
                addr,
            };
            match &self.tls {
                None => {
                    tokio::spawn(connection.serve(stream, false));
                }
                Some(acceptor) => {
                    tokio::spawn(connection.handshake(acceptor.clone(), stream));
                }
            }
        }
        tracing::info!("shutting down: finishing in-flight requests");
        match tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await {
            Ok(()) => tracing::info!("stopped: every request in flight was answered"),
            Err(_) => tracing::warn!(
                grace_secs = SHUTDOWN_GRACE.as_secs(),
                "stopped: connections still open after the grace period were closed"
            ),
        }
        Ok(())
    }
}

/// One accepted connection, before it is served.
struct Connection {
    app: Router,
    builder: Arc<Builder<TokioExecutor>>,
    watcher: Watcher,
    addr: SocketAddr,
}

impl Connection {
    /// The TLS handshake, bounded by [`HANDSHAKE_TIMEOUT`]; a failure closes this connection
    /// only.
    async fn handshake(self, acceptor: TlsAcceptor, stream: TcpStream) {
        let addr = self.addr;
        let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::info!(peer = %addr, error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::info!(peer = %addr, "TLS handshake timed out");
                return;
            }
        };
        // The verifier fails the handshake for a certificate that does not chain to the
        // client CA, so a certificate present here is a verified one.
        let client_certificate = stream
            .get_ref()
            .1
            .peer_certificates()
            .is_some_and(|chain| !chain.is_empty());
        self.serve(stream, client_certificate).await;
    }

    async fn serve<IO>(self, io: IO, client_certificate: bool)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let addr = self.addr;
        let peer = Peer {
            addr,
            client_certificate,
        };
        let service = self
            .app
            .map_request(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(peer.clone());
                request
            });
        let connection = self
            .builder
            .serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service))
            .into_owned();
        if let Err(e) = self.watcher.watch(connection).await {
            tracing::debug!(error = %e, peer = %addr, "connection ended with an error");
        }
    }
}

/// One log line per request: method, path, status, latency, peer.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let peer = request.extensions().get::<Peer>().cloned();
    let response = next.run(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    let (peer_addr, client_certificate) = match &peer {
        Some(p) => (p.addr.to_string(), p.client_certificate),
        None => (String::from("-"), false),
    };
    tracing::info!(
        target: "liuhen_http::request",
        %method,
        path = %path,
        status,
        latency_ms = format_args!("{latency_ms:.3}"),
        peer = %peer_addr,
        client_certificate,
        "request"
    );
    response
}

/// Opens the ledger and, with `--key-file`, reads the seal key and checks it is this ledger's.
fn open(config: Config) -> Result<(AppState, SealKeyExt), ServeError> {
    let dir = config.dir.clone();
    let key_file = config.key_file.clone();
    let state = AppState::open(config).map_err(|e| ServeError::Open {
        dir,
        source: Box::new(e),
    })?;
    let seal_key = match key_file {
        None => SealKeyExt(None),
        Some(path) => {
            let key = liuhen::sealing::SealKey::read(&path).map_err(ServeError::SealKey)?;
            state
                .ledger()
                .with(|ledger| key.check_is_key_of(ledger))
                .map_err(|e| ServeError::Open {
                    dir: state.config().dir.clone(),
                    source: Box::new(e.into()),
                })?
                .map_err(ServeError::SealKey)?;
            SealKeyExt(Some(Arc::new(key)))
        }
    };
    Ok((state, seal_key))
}

/// The rustls server configuration from `tls`: HTTP/2 and HTTP/1.1 by ALPN; client
/// certificates verified against the client CA, if one is given, and optional.
///
/// # Errors
/// [`ServeError::TlsFile`] naming a file that cannot be read or holds no certificate or key;
/// [`ServeError::Tls`] if rustls refuses the combination.
pub fn tls_acceptor(tls: &TlsFiles) -> Result<TlsAcceptor, ServeError> {
    // The ring provider (no C toolchain or cmake needed, as aws-lc would). rustls 0.23.48
    // deprecates its constructor for lacking post-quantum key exchange; the same suites are
    // what every TLS 1.2/1.3 client of this service speaks today.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let certs = read_certificates(&tls.cert)?;
    let key = read_private_key(&tls.key)?;
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    let builder = match &tls.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in read_certificates(ca)? {
                roots.add(cert).map_err(|e| ServeError::TlsFile {
                    path: ca.clone(),
                    reason: format!("not a usable CA certificate: {e}"),
                })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| ServeError::TlsFile {
                    path: ca.clone(),
                    reason: format!("not a usable client CA: {e}"),
                })?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::TlsFile {
            path: tls.key.clone(),
            reason: format!(
                "cannot be used with the certificate {}: {e}",
                tls.cert.display()
            ),
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Largest PEM file read (certificate chains and keys are a few KiB).
const MAX_PEM_BYTES: u64 = 1024 * 1024;

fn read_pem(path: &Path) -> Result<Vec<u8>, ServeError> {
    use std::io::Read as _;
    let err = |reason: String| ServeError::TlsFile {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(e.to_string()))?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(err(format!(
            "larger than {MAX_PEM_BYTES} bytes, not a PEM file"
        )));
    }
    Ok(bytes)
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let bytes = read_pem(path)?;
    let certs = rustls_pemfile::certs(&mut BufReader::new(bytes.as_slice()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServeError::TlsFile {
            path: path.to_path_buf(),
            reason: format!("not PEM: {e}"),
        })?;
    if certs.is_empty() {
        return Err(ServeError::TlsFile {
            path: path.to_path_buf(),
            reason: "holds no PEM certificate".into(),
        });
    }
    Ok(certs)
}

fn read_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, ServeError> {
    let bytes = read_pem(path)?;
    rustls_pemfile::private_key(&mut BufReader::new(bytes.as_slice()))
        .map_err(|e| ServeError::TlsFile {
            path: path.to_path_buf(),
            reason: format!("not PEM: {e}"),
        })?
        .ok_or_else(|| ServeError::TlsFile {
            path: path.to_path_buf(),
            reason: "holds no PEM private key (PKCS#8, PKCS#1 or SEC1)".into(),
        })
}

/// Serves `config` until SIGINT or SIGTERM, on a runtime of its own; `ready` is told the bound
/// address once the service accepts connections.
///
/// # Errors
/// [`ServeError`].
pub fn serve_blocking(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    serve_until(config, ready, shutdown_signal())
}

/// Serves `config` on a runtime of its own until `shutdown` completes.
fn serve_until(
    config: Config,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    runtime.block_on(async move {
        let server = Server::bind(config).await?;
        let addr = server.local_addr().map_err(|source| ServeError::Bind {
            addr: server.state().config().listen,
            source,
        })?;
        tracing::info!(
            %addr,
            tls = server.tls.is_some(),
            seal = server.seal_key.0.is_some(),
            dir = %server.state().config().dir.display(),
            "listening"
        );
        ready(addr);
        server.run(shutdown).await
    })
}

/// A service running on a thread of its own, for a program that embeds it (the demo does):
/// [`spawn`] returns once it listens; [`Background::stop`] (or dropping it) shuts it down
/// gracefully and waits.
pub struct Background {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

/// Starts serving `config` on a thread of its own and returns once it listens.
///
/// # Errors
/// [`ServeError`]: the service could not start (the thread's own error is returned).
pub fn spawn(config: Config) -> Result<Background, ServeError> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("liuhen-serve".into())
        .spawn(move || {
            serve_until(
                config,
                |addr| {
                    let _ = ready_tx.send(addr);
                },
                async move {
                    let _ = stop_rx.await;
                },
            )
        })
        .map_err(|e| ServeError::Runtime(format!("cannot start the service thread: {e}")))?;
    match ready_rx.recv() {
        Ok(addr) => Ok(Background {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        // The thread ended before it listened: its error says why.
        Err(_) => match thread.join() {
            Ok(Err(e)) => Err(e),
            Ok(Ok(())) => Err(ServeError::Runtime(
                "the service stopped before it listened".into(),
            )),
            Err(_) => Err(ServeError::Runtime("the service thread panicked".into())),
        },
    }
}

impl Background {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` (plain HTTP; a TLS service is `https://`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts down gracefully (in-flight requests are answered) and waits.
    ///
    /// # Errors
    /// What the service stopped with.
    pub fn stop(mut self) -> Result<(), ServeError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(ServeError::Runtime("the service thread panicked".into())),
            None => Ok(()),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

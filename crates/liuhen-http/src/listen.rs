//! The listener: accepts connections, tells each request who its peer is ([`Peer`]), and shuts
//! down gracefully (in-flight requests, and so in-flight commits, finish first).
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::{router, AppState, Config};

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
    /// The TLS files could not be used.
    #[error("TLS: {0}")]
    Tls(String),
}

/// A bound, not yet running, service.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Opens the ledger and binds the address.
    ///
    /// # Errors
    /// [`ServeError`].
    pub async fn bind(config: Config) -> Result<Self, ServeError> {
        let addr = config.listen;
        let dir = config.dir.clone();
        let state = tokio::task::spawn_blocking(move || AppState::open(config))
            .await
            .map_err(|e| ServeError::Tls(format!("opening task failed: {e}")))?
            .map_err(|e| ServeError::Open {
                dir,
                source: Box::new(e),
            })?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server { listener, state })
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
        let app = router(self.state.clone());
        let graceful = GracefulShutdown::new();
        let builder = Arc::new(Builder::new(TokioExecutor::new()));
        tokio::pin!(shutdown);
        loop {
            let (stream, addr) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let peer = Peer {
                addr,
                client_certificate: false,
            };
            let service =
                app.clone()
                    .map_request(move |mut request: Request<hyper::body::Incoming>| {
                        request.extensions_mut().insert(peer.clone());
                        request
                    });
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            let watched = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = watched.await {
                    tracing::debug!(error = %e, %addr, "connection ended with an error");
                }
            });
        }
        tracing::info!("shutting down: finishing in-flight requests");
        graceful.shutdown().await;
        Ok(())
    }
}

/// Serves `config` until SIGINT or SIGTERM, on a runtime of its own; `ready` is told the bound
/// address once the service accepts connections.
///
/// # Errors
/// [`ServeError`].
pub fn serve_blocking(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
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
        ready(addr);
        server.run(shutdown_signal()).await
    })
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

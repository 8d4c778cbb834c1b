//! A small HTTP/1.1 client for programs that talk to `liuhen serve` (the demo, and later the
//! witness client): hyper's client over plain TCP, with a response size bound checked while
//! the body is read.
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;

/// Largest response body read by default.
pub const DEFAULT_MAX_RESPONSE: usize = 32 * 1024 * 1024;

/// Why a request failed (a non-2xx status is not a failure: see [`Response::status`]).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL or request could not be built.
    #[error("bad request to {url}: {reason}")]
    Request {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Connecting, sending or receiving failed.
    #[error("{method} {url}: {reason}")]
    Transport {
        /// The method.
        method: Method,
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// No answer within the timeout.
    #[error("{method} {url}: no answer within {timeout:?}")]
    Timeout {
        /// The method.
        method: Method,
        /// The URL.
        url: String,
        /// The timeout.
        timeout: Duration,
    },
}

/// A response: status, content type and the whole body.
#[derive(Clone, Debug)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client with keep-alive connections (cheap to clone).
#[derive(Clone, Debug)]
pub struct Client {
    inner: HyperClient<HttpConnector, Full<Bytes>>,
    timeout: Duration,
    max_response: usize,
}

impl Default for Client {
    fn default() -> Self {
        Self::new(Duration::from_secs(30))
    }
}

impl Client {
    /// A client whose requests fail after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Client {
            inner: HyperClient::builder(TokioExecutor::new()).build_http(),
            timeout,
            max_response: DEFAULT_MAX_RESPONSE,
        }
    }

    /// The same client (sharing its connections), reading response bodies of at most `max`
    /// bytes: a longer body fails while it is read, before more is allocated.
    pub fn with_max_response(mut self, max: usize) -> Self {
        self.max_response = max;
        self
    }

    /// `GET url`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn get(&self, url: &str) -> Result<Response, ClientError> {
        self.send(Method::GET, url, None, Bytes::new()).await
    }

    /// `POST url` with `body` of `content_type`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn post(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<Response, ClientError> {
        self.send(Method::POST, url, Some(content_type), body.into())
            .await
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<Response, ClientError> {
        let mut builder = Request::builder().method(method.clone()).uri(url);
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        let request = builder
            .body(Full::new(body))
            .map_err(|e| ClientError::Request {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        let transport = |reason: String| ClientError::Transport {
            method: method.clone(),
            url: url.to_owned(),
            reason,
        };
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(|e| transport(e.to_string()))?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = Limited::new(response.into_body(), self.max_response)
                .collect()
                .await
                .map_err(|e| transport(format!("reading the body: {e}")))?
                .to_bytes();
            Ok(Response {
                status,
                content_type,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout {
                method: method.clone(),
                url: url.to_owned(),
                timeout: self.timeout,
            })?
    }
}

/// [`Client`] for a program without an async runtime: each call runs on a small runtime of its
/// own.
#[derive(Debug)]
pub struct BlockingClient {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl BlockingClient {
    /// A client whose requests fail after `timeout`.
    ///
    /// # Errors
    /// The runtime could not be started.
    pub fn new(timeout: Duration) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // hyper's pool spawns its connection tasks on the runtime it is built in.
        let client = {
            let _guard = runtime.enter();
            Client::new(timeout)
        };
        Ok(BlockingClient { runtime, client })
    }

    /// `GET url`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn get(&self, url: &str) -> Result<Response, ClientError> {
        self.runtime.block_on(self.client.get(url))
    }

    /// `GET url`, reading a body of at most `max` bytes (a longer one is a
    /// [`ClientError::Transport`] error).
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn get_at_most(&self, url: &str, max: usize) -> Result<Response, ClientError> {
        let client = self.client.clone().with_max_response(max);
        self.runtime.block_on(client.get(url))
    }

    /// `POST url` with `body` of `content_type`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<Response, ClientError> {
        self.runtime
            .block_on(self.client.post(url, content_type, body))
    }

    /// As [`BlockingClient::post`], refusing an answer longer than `max` bytes while it is read.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn post_at_most(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<Bytes>,
        max: usize,
    ) -> Result<Response, ClientError> {
        let client = self.client.clone().with_max_response(max);
        self.runtime.block_on(client.post(url, content_type, body))
    }
}

//! `liuhen serve`: the ledger over HTTP ([`liuhen_http`]; endpoints in docs/HTTP.md).
use std::error::Error;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{Global, EXIT_OK};

/// Arguments of `liuhen serve`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen serve /srv/liuhen/jinpu --listen 127.0.0.1:8700\n  liuhen serve /srv/liuhen/jinpu --listen 0.0.0.0:8443 --tls-cert server.pem --tls-key server.key --client-ca admins.pem --key-file /secure/ledger.key\n\nServes the ledger directory: POST /v1/statements (signed statements; the signature is the\nauthentication), the C2SP tlog-tiles read API (/checkpoint, /tile/...), proofs, and a\nread-only web explorer at /. The ledger is held open for writing while the server runs.\nAdministrative calls (POST /v1/seal, which needs --key-file) are taken from loopback, or from a\nclient certificate issued by --client-ca. SIGINT or SIGTERM stops it after the requests in\nflight are answered. The first line on stdout is `listening on http(s)://ADDR`.\n\nEndpoints, statuses and curl examples: docs/HTTP.md."
)]
pub struct Args {
    /// The ledger directory (made by `liuhen init`).
    pub dir: PathBuf,
    /// Address to listen on (port 0: a free port, reported on stdout).
    #[arg(long, default_value = "127.0.0.1:8700", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM); with --tls-key, the server speaks HTTPS only.
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// CA (PEM) whose client certificates may make administrative calls from other hosts.
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub client_ca: Option<PathBuf>,
    /// The ledger key file: enables POST /v1/seal.
    #[arg(long, value_name = "LEDGER.key")]
    pub key_file: Option<PathBuf>,
    /// Largest request body in bytes (checked before parsing; larger: 413).
    #[arg(long, default_value_t = liuhen_http::DEFAULT_MAX_BODY, value_name = "BYTES")]
    pub max_body: usize,
    /// Write requests taken at once; more are answered 503 with Retry-After.
    #[arg(long, default_value_t = liuhen_http::DEFAULT_MAX_PENDING, value_name = "N")]
    pub max_pending: usize,
    /// Log lines on stderr: `text` (key=value) or `json` (one JSON object a line). Which
    /// lines: RUST_LOG (default `info`: start, stop, one line per request).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub log_format: LogFormat,
}

/// The form of the log lines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-12-05T07:00:00Z  INFO liuhen_http::request: request method=POST path=/v1/seal …`
    Text,
    /// `{"timestamp":…,"level":"INFO","fields":{"message":"request","method":"POST",…},…}`
    Json,
}

/// Sends the service's structured log to stderr, filtered by RUST_LOG (default `info`). Set
/// up here, not in the library: an embedding program chooses its own subscriber.
fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    // A subscriber set already (never, in the binary) is left in place.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Runs `liuhen serve` until SIGINT or SIGTERM; returns the exit code.
pub fn run(args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    init_logging(args.log_format);
    let tls = args
        .tls_cert
        .zip(args.tls_key)
        .map(|(cert, key)| liuhen_http::TlsFiles {
            cert,
            key,
            client_ca: args.client_ca,
        });
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut config = liuhen_http::Config::new(args.dir, args.listen);
    config.tls = tls;
    config.key_file = args.key_file;
    config.max_body = args.max_body;
    config.max_pending = args.max_pending;
    liuhen_http::listen::serve_blocking(config, |addr: SocketAddr| {
        // The line tests and scripts wait for; said even with --quiet.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {scheme}://{addr}");
        let _ = out.flush();
    })?;
    tracing::info!("exiting");
    Ok(EXIT_OK)
}

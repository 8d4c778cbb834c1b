//! `liuhen timestamp` (stamp the latest checkpoint at an RFC 3161 TSA), `liuhen timestamp verify`
//! (check the stored tokens) and `liuhen dev-tsa` (a local `openssl ts` TSA for tests and demos).
//! The protocol is the core's ([`liuhen::timestamp`]); the transport is
//! [`liuhen_http::tsa::HttpTsa`].

use std::error::Error;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use liuhen::describe::iso8601;
use liuhen::store::StoreRead as _;
use liuhen::timestamp::{check_stored_tokens, stamp_and_store, TsaRoots};
use liuhen_http::tsa::{DevTsa, HttpTsa, KeyKind};

use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK, EXIT_TAMPERED, EXIT_UNVERIFIED};

/// Arguments of `liuhen timestamp`.
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:
  liuhen timestamp /srv/liuhen/jinpu --tsa http://tsa.example.gov.cn/ --tsa-root tsa-root.pem
  liuhen timestamp verify /srv/liuhen/jinpu --tsa-root tsa-root.pem

Stamping sends the SHA-256 of \"liuhen-timestamp/v1\\n\" + the latest checkpoint body to the TSA,
verifies the token it returns (signature, certificate chain to --tsa-root at the token's time,
imprint) and only then stores it as DIR/timestamps/<size>-<root hex>.tsr. Verify exits 0 when
every token checks out, 1 when a token does not match its checkpoint or its signature, 4 when a
token cannot be checked (not under --tsa-root, unsupported) or there is none.
Format and the openssl commands a court can use: docs/WITNESS.md."
)]
pub struct Args {
    /// What to do (without one: stamp the latest checkpoint).
    #[command(subcommand)]
    pub what: Option<What>,
    /// The ledger directory.
    #[arg(required = true)]
    pub dir: Option<PathBuf>,
    /// The TSA's URL (RFC 3161 over HTTP: POST application/timestamp-query).
    #[arg(long, required = true, value_name = "URL")]
    pub tsa: Option<String>,
    /// The TSA root certificate(s), PEM: the token's signer must chain to one.
    #[arg(long, required = true, value_name = "ROOT.pem")]
    pub tsa_root: Option<PathBuf>,
    /// Seconds to wait for the TSA.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
}

/// The `timestamp` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Check every stored token against the stored checkpoint it stamps.
    Verify(VerifyArgs),
}

/// Arguments of `liuhen timestamp verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The TSA root certificate(s), PEM.
    #[arg(long, value_name = "ROOT.pem")]
    pub tsa_root: PathBuf,
}

/// Arguments of `liuhen dev-tsa`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:
  liuhen dev-tsa /tmp/dev-tsa --listen 127.0.0.1:8318

Makes (once) a root CA and a TSA certificate with openssl in TSADIR, then answers RFC 3161
queries POSTed to / with `openssl ts -reply`. The first line on stdout is
`listening on http://ADDR/`; configure verifiers with TSADIR/root.pem. For tests and demos
only. Needs the `openssl` command.")]
pub struct DevTsaArgs {
    /// The TSA directory (created if missing).
    pub tsadir: PathBuf,
    /// Address to listen on (port 0: a free port, reported on stdout).
    #[arg(long, default_value = "127.0.0.1:8318", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Key type of a new TSA: `ec` (ECDSA P-256) or `rsa` (RSA 2048).
    #[arg(long, default_value = "ec", value_parser = ["ec", "rsa"])]
    pub key: String,
}

/// Runs `liuhen timestamp [verify]`.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    match args.what {
        Some(What::Verify(v)) => run_verify(v, global),
        None => {
            let (Some(dir), Some(tsa), Some(root)) = (args.dir, args.tsa, args.tsa_root) else {
                return Err("DIR, --tsa and --tsa-root are required".into());
            };
            run_stamp(dir, &tsa, &root, args.timeout, global)
        }
    }
}

fn run_stamp(
    dir: PathBuf,
    tsa: &str,
    root: &std::path::Path,
    timeout: u64,
    global: &Global,
) -> Result<u8, Box<dyn Error>> {
    let roots = TsaRoots::read(root)?;
    let ledger = LedgerDir::new(&dir);
    let store = ledger.open_read_only()?;
    let text = store
        .latest_checkpoint()?
        .ok_or("the ledger has no checkpoint yet; run `liuhen seal` first")?;
    let checkpoint = liuhen::checkpoint::SignedCheckpoint::parse(text.as_bytes())?
        .checkpoint()
        .clone();
    let transport = HttpTsa::new(tsa, Duration::from_secs(timeout))?;
    let (path, stamped) = stamp_and_store(&transport, ledger.root(), &checkpoint, &roots)?;
    let v = &stamped.verified;
    let mut out = std::io::stdout();
    if !global.quiet {
        writeln!(
            out,
            "checkpoint of size {} stamped by {} (serial {}, policy {})",
            checkpoint.size, v.tsa_subject, v.serial, v.policy
        )?;
        writeln!(out, "token stored in {}", path.display())?;
    }
    writeln!(out, "genTime {}", iso8601(v.gen_time))?;
    Ok(EXIT_OK)
}

fn run_verify(args: VerifyArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let roots = TsaRoots::read(&args.tsa_root)?;
    let ledger = LedgerDir::new(&args.dir);
    let store = ledger.open_read_only()?;
    let checks = check_stored_tokens(ledger.root(), &store, &roots)?;
    let mut out = std::io::stdout();
    if checks.is_empty() {
        writeln!(out, "no timestamp tokens in {}", args.dir.display())?;
        return Ok(EXIT_UNVERIFIED);
    }
    let (mut tampered, mut unverified) = (0usize, 0usize);
    for check in &checks {
        let name = check
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match &check.outcome {
            Ok(v) => {
                let size = check.checkpoint.as_ref().map(|c| c.size).unwrap_or(0);
                writeln!(
                    out,
                    "ok        {name}: checkpoint size {size} existed before {} ({})",
                    iso8601(v.gen_time),
                    v.tsa_subject
                )?;
            }
            Err(e) if e.is_tampering() => {
                tampered += 1;
                writeln!(out, "TAMPERED  {name}: {e}")?;
            }
            Err(e) => {
                unverified += 1;
                writeln!(out, "UNCHECKED {name}: {e}")?;
            }
        }
    }
    writeln!(
        out,
        "{} token(s): {} ok, {tampered} tampered, {unverified} could not be checked",
        checks.len(),
        checks.len() - tampered - unverified
    )?;
    Ok(if tampered > 0 {
        EXIT_TAMPERED
    } else if unverified > 0 {
        EXIT_UNVERIFIED
    } else {
        EXIT_OK
    })
}

/// Runs `liuhen dev-tsa` until SIGINT or SIGTERM.
pub fn run_dev_tsa(args: DevTsaArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = if args.key == "rsa" {
        KeyKind::Rsa2048
    } else {
        KeyKind::EcP256
    };
    let tsa = DevTsa::setup(&args.tsadir, key)?;
    let root = tsa.root_pem();
    liuhen_http::tsa::serve_dev_tsa(
        tsa,
        args.listen,
        |addr| {
            let mut out = std::io::stdout();
            let _ = writeln!(out, "listening on http://{addr}/");
            let _ = writeln!(out, "root certificate {}", root.display());
            let _ = out.flush();
        },
        liuhen_http::listen::shutdown_signal(),
    )?;
    Ok(EXIT_OK)
}

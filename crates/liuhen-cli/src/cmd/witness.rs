//! `liuhen witness`: run a C2SP `tlog-witness` v1.0.0 witness for many ledgers
//! ([`liuhen::witness`] holds the protocol, [`liuhen_http::witness`] the HTTP face).
//!
//! * `init WDIR --name NAME`: a new witness directory and key (mode 0600); prints the vkey.
//! * `add-log WDIR --vkey LOG.vkey`: trust a ledger's key (its name is the ledger's origin).
//! * `serve WDIR --listen ADDR`: `POST <prefix>/add-checkpoint` until SIGINT or SIGTERM.
//! * `evidence WDIR [--origin O]`: the split views kept (exit 1 if there is any).
use std::error::Error;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use liuhen::keyfile;
use liuhen::witness::{SplitView, WitnessDir};
use serde_json::json;

use crate::{Global, EXIT_OK, EXIT_TAMPERED};

/// Arguments of `liuhen witness`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen witness init /srv/witness --name witness.justice.example/w1
  liuhen witness add-log /srv/witness --vkey /srv/liuhen/jinpu/ledger.vkey
  liuhen witness serve /srv/witness --listen 0.0.0.0:8710
  liuhen witness evidence /srv/witness

A witness cosigns a ledger's checkpoints only if they are signed by a ledger key it trusts and
consistent with the last one it cosigned (C2SP tlog-witness v1.0.0); it never cosigns two
inconsistent checkpoints of one ledger and keeps the refused one with the one it contradicts as
proof of a split view. docs/WITNESS.md explains how to run one.")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub what: What,
}

/// The witness subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Create a witness directory and key; print the witness's verifier key.
    Init(InitArgs),
    /// Trust a ledger's verifier key (one witness serves many ledgers).
    AddLog(AddLogArgs),
    /// Serve add-checkpoint over HTTP.
    Serve(ServeArgs),
    /// Print the split views kept (refused checkpoints and the ones they contradict).
    Evidence(EvidenceArgs),
    /// Follow a log's C2SP tlog-tiles: fetch its checkpoint, prove consistency from the tiles
    /// and cosign it like a submitted one (a witness that pulls); exit 1 on a split view.
    Follow(super::witness_follow::Args),
}

/// `liuhen witness init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The witness directory (created).
    pub dir: PathBuf,
    /// The witness's name (a key name, e.g. `witness.justice.example/w1`).
    #[arg(long)]
    pub name: String,
}

/// `liuhen witness add-log`.
#[derive(clap::Args, Debug)]
pub struct AddLogArgs {
    /// The witness directory.
    pub dir: PathBuf,
    /// The ledger's verifier key file (`DIR/ledger.vkey`).
    #[arg(long, value_name = "LOG.vkey")]
    pub vkey: PathBuf,
}

/// `liuhen witness serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The witness directory.
    pub dir: PathBuf,
    /// Address to listen on (port 0: a free port, reported on stdout).
    #[arg(long, default_value = "127.0.0.1:8710", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The submission prefix: add-checkpoint is served at PREFIX/add-checkpoint.
    #[arg(long, default_value = "/", value_name = "PATH")]
    pub prefix: String,
    /// Largest request body in bytes (checked before reading; larger: 413).
    #[arg(long, default_value_t = liuhen_http::witness::DEFAULT_MAX_WITNESS_BODY, value_name = "BYTES")]
    pub max_body: usize,
}

/// `liuhen witness evidence`.
#[derive(clap::Args, Debug)]
pub struct EvidenceArgs {
    /// The witness directory.
    pub dir: PathBuf,
    /// Only this ledger's origin.
    #[arg(long)]
    pub origin: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen witness …`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    match args.what {
        What::Init(a) => init(a, global),
        What::AddLog(a) => add_log(a, global),
        What::Serve(a) => serve(a),
        What::Evidence(a) => evidence(a),
        What::Follow(a) => super::witness_follow::run(a, global),
    }
}

fn init(args: InitArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let vkey = WitnessDir::init(&args.dir, &args.name)?;
    if !global.quiet {
        eprintln!(
            "liuhen: witness {} created in {} (key {}, mode 0600; verifier key {})",
            args.name,
            args.dir.display(),
            WitnessDir::new(&args.dir).key_path().display(),
            WitnessDir::new(&args.dir).vkey_path().display()
        );
    }
    println!("{vkey}");
    Ok(EXIT_OK)
}

fn add_log(args: AddLogArgs, global: &Global) -> Result<u8, Box<dyn Error>> {
    let vkey = keyfile::read_verifier_key(&args.vkey)?;
    let added = WitnessDir::new(&args.dir).add_log(&vkey)?;
    if !global.quiet {
        let what = if added {
            "now trusts"
        } else {
            "already trusted"
        };
        eprintln!(
            "liuhen: witness {} {what} {} (origin {}); a running `liuhen witness serve` reads it when restarted",
            args.dir.display(),
            vkey,
            vkey.name()
        );
    }
    Ok(EXIT_OK)
}

fn serve(args: ServeArgs) -> Result<u8, Box<dyn Error>> {
    init_logging();
    let mut config = liuhen_http::witness::WitnessConfig::new(args.dir, args.listen);
    config.prefix = args.prefix;
    config.max_body = args.max_body;
    liuhen_http::witness::serve_blocking(config, |addr| {
        // The line tests and scripts wait for; said even with --quiet.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    })?;
    tracing::info!("exiting");
    Ok(EXIT_OK)
}

/// Log lines on stderr (RUST_LOG, default `info`).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn evidence(args: EvidenceArgs) -> Result<u8, Box<dyn Error>> {
    let kept = WitnessDir::new(&args.dir).evidence(args.origin.as_deref())?;
    let text = if args.json {
        let items: Vec<_> = kept.iter().map(split_view_json).collect();
        format!("{}\n", json!({ "split_views": items }))
    } else if kept.is_empty() {
        "no split view kept\n".to_owned()
    } else {
        kept.iter().map(split_view_text).collect()
    };
    print!("{text}");
    Ok(if kept.is_empty() {
        EXIT_OK
    } else {
        EXIT_TAMPERED
    })
}

fn split_view_json(v: &SplitView) -> serde_json::Value {
    json!({
        "origin": v.origin,
        "path": v.path.display().to_string(),
        "status": v.status,
        "reason": v.reason,
        "received_at": v.received_at,
        "cosigned": v.cosigned.to_string(),
        "refused": v.refused.to_string(),
    })
}

fn split_view_text(v: &SplitView) -> String {
    let (c, r) = (v.cosigned.checkpoint(), v.refused.checkpoint());
    format!(
        "SPLIT VIEW of {origin}: cosigned size {cs} root {cr}, then refused size {rs} root {rr} ({status}: {reason}) at {at}\nkept in {path}\n--- cosigned checkpoint ---\n{cosigned}--- refused checkpoint (signed by the log) ---\n{refused}\n",
        origin = v.origin,
        cs = c.size,
        cr = c.root.to_hex(),
        rs = r.size,
        rr = r.root.to_hex(),
        status = v.status,
        reason = v.reason,
        at = v.received_at,
        path = v.path.display(),
        cosigned = v.cosigned,
        refused = v.refused,
    )
}

//! `liuhen seal`: sign a checkpoint over the ledger as it is now, store it, and print it.
//!
//! The checkpoint is a C2SP `tlog-checkpoint` signed note (docs/FORMAT.md): standard note
//! verifiers given the ledger's vkey accept it. Entries appended after the last checkpoint are
//! signed by nobody yet, and the verifier reports them as unsealed; sealing closes that gap.
//!
//! It checks before it signs ([`liuhen::Ledger::seal_checked`]): the root is recomputed from
//! the entries added since the last checkpoint this key signed, whose state is kept beside the
//! key (`<key file>.seal-state`, docs/STORE.md "Seal state"), and the store must still hold
//! that checkpoint's history. A refusal is tampering (exit 1): nothing is signed. Without a
//! state file (a ledger made before it existed) the first seal checks the whole ledger once.
use std::error::Error;
use std::path::PathBuf;

use std::time::Duration;

use liuhen::checkpoint::SignedCheckpoint;
use liuhen::policy::{read_policy, WitnessPolicy};
use liuhen::sealing::{self, SealKey, WitnessedSeal};
use liuhen::timestamp::{self, TsaRoots};
use liuhen::witness::WitnessEndpoint;
use liuhen_http::tsa::HttpTsa;
use liuhen_http::witness::HttpTransport;
use serde_json::json;

use crate::cmd::append::{damaged, open_ledger, print_exact};
use crate::{Global, EXIT_OK, EXIT_TAMPERED};

/// Arguments of `liuhen seal`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen seal /srv/liuhen/jinpu --key-file /secure/ledger.key > checkpoint.txt\n\nSigns a checkpoint (origin, size, root hash) with the ledger key, stores it in the ledger and\nprints the signed note byte for byte: publish it, or give it to witnesses and auditors. It\nverifies with any C2SP signed-note verifier given the ledger's vkey (DIR/ledger.vkey).\n\nBefore signing it recomputes the root from the entries added since the last checkpoint this key\nsigned, kept beside the key in LEDGER.key.seal-state (mode 0600; move it with the key), and\nrefuses (exit 1, nothing signed) if the store no longer holds that history: entries or\ncheckpoints removed, an entry or the index edited. Without that file the whole ledger is checked\nonce.\n\nWith --witness URL=VKEYFILE (repeatable), each witness (C2SP tlog-witness) is asked to cosign\nthe new checkpoint with a consistency proof from the last one it cosigned; verified\ncosignatures are added and the cosigned note is stored and printed. A witness that fails is a\nwarning: the checkpoint is stored regardless.\n  liuhen seal /srv/liuhen/jinpu --key-file /secure/ledger.key --witness http://witness.example:8710/=justice.vkey\n\nOutput: the signed note; --json: {origin, size, root, note} (root in hex), and with --witness\nwitnesses: [{name, url, cosigned, timestamp | error}].\n\nWith --policy FILE (a C2SP tlog-policy file, e.g. DIR/witness.policy), every witness it lists with a\nURL is asked as well, and the seal says whether the cosigned checkpoint meets the policy's\nquorum (a warning if not; --json: quorum {met, why_not}).\n\nWith --tsa URL --tsa-root ROOT.pem, an RFC 3161 time-stamping authority stamps the (cosigned)\ncheckpoint; the token is verified against the root and kept in DIR/timestamps/ (docs/WITNESS.md).\nA TSA that fails is a warning; --json: timestamp {gen_time, tsa, file | error}."
)]
pub struct Args {
    /// The ledger directory.
    pub dir: PathBuf,
    /// The ledger key file (the key `liuhen init` made or was given; mode 0600).
    #[arg(long, value_name = "LEDGER.key")]
    pub key_file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Ask this witness to cosign (repeatable): its submission prefix and its verifier key
    /// file. A witness that fails is a warning; the checkpoint is stored regardless.
    #[arg(long = "witness", value_name = "URL=VKEYFILE")]
    pub witnesses: Vec<String>,
    /// Seconds to wait for each witness (and for the TSA).
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub witness_timeout: u64,
    /// A witness policy (C2SP tlog-policy): ask its witnesses that have a URL, and say whether
    /// the cosigned checkpoint meets its quorum.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// An RFC 3161 time-stamping authority to stamp the checkpoint (needs --tsa-root).
    #[arg(long, value_name = "URL", requires = "tsa_root")]
    pub tsa: Option<String>,
    /// The TSA's root certificate(s), PEM: the token is verified against them before it is kept.
    #[arg(long, value_name = "ROOT.pem", requires = "tsa")]
    pub tsa_root: Option<PathBuf>,
}

/// `URL=VKEYFILE` (split at the last `=`) as a witness endpoint.
fn witness_endpoint(arg: &str) -> Result<WitnessEndpoint, Box<dyn Error>> {
    let (url, file) = arg
        .rsplit_once('=')
        .ok_or_else(|| format!("--witness {arg:?}: expected URL=VKEYFILE"))?;
    let vkey = liuhen::keyfile::read_verifier_key(std::path::Path::new(file))?;
    Ok(WitnessEndpoint {
        vkey,
        url: url.to_owned(),
    })
}

/// Runs `liuhen seal`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = SealKey::read(&args.key_file)?;
    // Read before anything is signed: a bad witness argument is a usage error.
    let mut witnesses = args
        .witnesses
        .iter()
        .map(|a| witness_endpoint(a))
        .collect::<Result<Vec<_>, _>>()?;
    let policy: Option<WitnessPolicy> = args.policy.as_deref().map(read_policy).transpose()?;
    if let Some(p) = &policy {
        for e in p.endpoints() {
            if !witnesses.iter().any(|w| w.vkey == e.vkey) {
                witnesses.push(e);
            }
        }
    }
    let tsa = match (&args.tsa, &args.tsa_root) {
        (Some(url), Some(root)) => Some((
            HttpTsa::new(url.clone(), Duration::from_secs(args.witness_timeout))?,
            TsaRoots::read(root)?,
        )),
        _ => None,
    };
    let transport = if witnesses.is_empty() {
        None
    } else {
        Some(HttpTransport::new(Duration::from_secs(
            args.witness_timeout,
        ))?)
    };
    // A store whose records were found damaged on open is never sealed over.
    let mut ledger = match open_ledger(&args.dir) {
        Ok(ledger) => ledger,
        Err(e) if damaged(&*e) => {
            refuse(&args.dir, &e);
            return Ok(EXIT_TAMPERED);
        }
        Err(e) => return Err(e),
    };
    let sealed = match &transport {
        None => sealing::seal(&mut ledger, &key).map(|outcome| {
            let cosigned = outcome.sealed.checkpoint.clone();
            (outcome, cosigned, Vec::new())
        }),
        Some(t) => sealing::seal_witnessed(&mut ledger, &key, &witnesses, t).map(|w| {
            let report = witness_report(&w, global);
            (w.outcome, w.cosigned, report)
        }),
    };
    let (outcome, cosigned, witness_json) = match sealed {
        Ok(sealed) => sealed,
        Err(e) if e.is_tampering() => {
            refuse(&args.dir, &e);
            return Ok(EXIT_TAMPERED);
        }
        Err(e) => return Err(e.into()),
    };
    // Said even with --quiet: what a first seal could not check, or a state not kept, is worth
    // knowing.
    for warning in &outcome.warnings {
        eprintln!("liuhen: {warning}");
    }
    let signed = cosigned;
    let quorum = policy.as_ref().map(|p| quorum_report(p, &signed));
    let stamp = tsa
        .as_ref()
        .map(|(transport, roots)| stamp_report(transport, roots, &args.dir, &signed, global));
    let checkpoint = signed.checkpoint();
    let note = signed.to_string();
    if !global.quiet {
        eprintln!(
            "liuhen: sealed {} at size {}",
            checkpoint.origin, checkpoint.size
        );
    }
    let text = if args.json {
        let mut out = json!({
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": checkpoint.root.to_hex(),
            "note": note,
        });
        // Only with --witness: the schema of a plain seal is unchanged.
        if !witnesses.is_empty() {
            out["witnesses"] = serde_json::Value::Array(witness_json);
        }
        if let Some(q) = quorum {
            out["quorum"] = q;
        }
        if let Some(t) = stamp {
            out["timestamp"] = t;
        }
        format!("{out}\n")
    } else {
        note
    };
    // The checkpoint is stored by now; a failure to print must not suggest otherwise.
    print_exact(&text).map_err(|e| {
        format!(
            "the checkpoint at size {} was stored in the ledger, but could not be printed: {e}",
            checkpoint.size
        )
    })?;
    Ok(EXIT_OK)
}

/// Whether the cosigned checkpoint meets the policy's quorum (a warning when not), as JSON.
fn quorum_report(policy: &WitnessPolicy, signed: &SignedCheckpoint) -> serde_json::Value {
    match policy.check(signed) {
        Ok(check) if check.met => json!({"met": true}),
        Ok(check) => {
            let why = check.why_not.unwrap_or_default();
            eprintln!("liuhen: warning: the checkpoint does not meet the witness policy: {why}");
            json!({"met": false, "why_not": why})
        }
        Err(bad) => {
            eprintln!("liuhen: warning: {bad}");
            json!({"met": false, "why_not": bad.to_string()})
        }
    }
}

/// Stamps the checkpoint with the TSA and keeps the verified token (a warning when that
/// fails: the checkpoint is stored regardless), as JSON.
fn stamp_report(
    transport: &HttpTsa,
    roots: &TsaRoots,
    dir: &std::path::Path,
    signed: &SignedCheckpoint,
    global: &Global,
) -> serde_json::Value {
    match timestamp::stamp_and_store(transport, dir, signed.checkpoint(), roots) {
        Ok((file, stamped)) => {
            let when = liuhen::describe::iso8601(stamped.verified.gen_time);
            if !global.quiet {
                eprintln!(
                    "liuhen: time-stamped by {} at {when} ({})",
                    stamped.verified.tsa_subject,
                    file.display()
                );
            }
            json!({
                "gen_time": when,
                "tsa": stamped.verified.tsa_subject,
                "file": file.display().to_string(),
            })
        }
        Err(e) => {
            eprintln!("liuhen: warning: the TSA did not stamp the checkpoint: {e}; it is stored without a token");
            json!({"error": e.to_string()})
        }
    }
}

/// The refusal's sentence: nothing was signed.
fn refuse(dir: &std::path::Path, e: &dyn std::fmt::Display) {
    eprintln!(
        "liuhen: refusing to seal {}: {e}; nothing was signed; run `liuhen verify {}`",
        dir.display(),
        dir.display()
    );
}

/// Says which witnesses cosigned (unless quiet) and which did not (always: a warning), and
/// returns the same as JSON.
fn witness_report(w: &WitnessedSeal, global: &Global) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for (endpoint, c) in &w.witnessed {
        if !global.quiet {
            eprintln!(
                "liuhen: witness {} ({}) cosigned at {}",
                endpoint.vkey.name(),
                endpoint.url,
                c.timestamp
            );
        }
        out.push(json!({
            "name": endpoint.vkey.name(),
            "url": endpoint.url,
            "cosigned": true,
            "timestamp": c.timestamp,
        }));
    }
    for (endpoint, e) in &w.failed {
        eprintln!(
            "liuhen: warning: witness {} ({}) did not cosign: {e}; the checkpoint is stored without its cosignature",
            endpoint.vkey.name(),
            endpoint.url
        );
        out.push(json!({
            "name": endpoint.vkey.name(),
            "url": endpoint.url,
            "cosigned": false,
            "error": e.to_string(),
        }));
    }
    out
}

//! `liuhen verify`: the auditor's command. Checks a ledger directory end to end and says, first,
//! whether it verified.
//!
//! What it checks is the core's one check pass ([`liuhen::check::check_dir`]): the store's files
//! (full check; destruction is tampering, Art. 21(5)), every entry once (signatures, chain,
//! registry, checkpoints against `--vkey` and `--checkpoint`, recording sessions and holds, media
//! custody, the audit unless `--no-audit`), then every media file against its digest. It fails
//! closed: whatever could not be checked makes the result `unverified` (exit 4), never
//! `verified`. This command parses the arguments, makes that one call and renders the result.

use std::error::Error;
use std::io;
use std::path::PathBuf;

use liuhen::audit::{AuditOptions, Profile};
use liuhen::check::{
    check_dir, read_checkpoint, read_vkey, render, AuditRequest, CheckOptions, MediaSource,
};
use liuhen::{Clock, SystemClock};

use crate::layout::LedgerDir;
use crate::Global;

/// Arguments of `liuhen verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen verify /srv/liuhen/jinpu --vkey jinpu.vkey
  liuhen verify /mnt/copy/jinpu --vkey jinpu.vkey --checkpoint saved-2026-03.txt --json > report.json
  liuhen verify /srv/liuhen/jinpu --vkey jinpu.vkey --media /mnt/nas/media --threads 4

Pass the verifier key you obtained independently (e.g. handed over when the ledger was
created); DIR/ledger.vkey is only a copy inside the directory under audit and proves nothing
about it. A wrong key is a verification failure (exit 1), not a usage error.

Unless --no-audit is given, a ledger whose integrity holds is also audited against the
regulation (default profile, or --profile FILE; as of now): violations are summarised by
article and `liuhen audit DIR` gives the details.

Exit codes: 0 verified (and no audit violation), 1 tampering found, 2 verified but the audit
found violations, 3 usage or I/O error (DIR, key, checkpoint or profile unreadable), 4 nothing
found wrong but not fully verified (no --vkey, media not checked, unsealed entries, with
--policy: entries no witnessed checkpoint covers); 1 wins over 4, 4 over 2. With --policy, a
forged cosignature of a listed witness, or two ledger-signed checkpoints that cannot both be true
(a split view, both notes printed as proof), is exit 1. With --tsa-root, a stored timestamp
token that is forged, altered or stamps no stored checkpoint is exit 1; one whose certificate
does not chain to the root is exit 4. JSON schema: docs/CLI.md.")]
pub struct Args {
    /// The ledger directory (holding ledger/, media/).
    pub dir: PathBuf,
    /// The ledger's verifier key (C2SP vkey file), as the auditor knows it independently.
    /// Without it the result is at best `unverified`.
    #[arg(long, value_name = "FILE")]
    pub vkey: Option<PathBuf>,
    /// The media directory to check media files in (default: DIR/media if it exists).
    #[arg(long, value_name = "DIR", conflicts_with = "no_media")]
    pub media: Option<PathBuf>,
    /// Do not check media files (recording segment chains are still checked); the result is
    /// then at best `unverified`.
    #[arg(long)]
    pub no_media: bool,
    /// A checkpoint (signed note) saved from an earlier verification: the ledger must still
    /// extend it (no rollback, no fork).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Print the report as JSON (schema in docs/CLI.md).
    #[arg(long)]
    pub json: bool,
    /// List at most N findings per checker (ledger, media); the rest are counted.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,
    /// Use at most N threads for signatures and hashing (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Check integrity only: skip the audit against the regulation's rules.
    #[arg(long, conflicts_with = "profile")]
    pub no_audit: bool,
    /// The audit profile (TOML, docs/AUDIT.md); default: this regulation's.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Witnesses and trusted time: --policy, --witness-vkey, --tsa-root.
    #[command(flatten)]
    pub trust: TrustArgs,
}

/// What an auditor trusts beyond the ledger's vkey (docs/WITNESS.md): shared by `verify` and
/// `audit`.
#[derive(clap::Args, Debug, Default)]
pub struct TrustArgs {
    /// The witness policy (C2SP tlog-policy file: witness keys and quorum), as the auditor
    /// knows it independently. With it, the result is verified only if the checkpoint relied
    /// on is cosigned by a quorum of the witnesses, or the ledger extends --checkpoint.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// A witness's verifier key (cosignature/v1 vkey file), repeatable: its cosignatures on
    /// stored checkpoints prove when entries existed (proven-before). Default: DIR/witness*.vkey.
    #[arg(long, value_name = "FILE")]
    pub witness_vkey: Vec<PathBuf>,
    /// The TSA root certificate(s) (PEM), as the auditor knows them independently. With it,
    /// every token in DIR/timestamps/ is verified and counts as proven-before evidence; a forged
    /// or altered token is tampering (exit 1), one that cannot be checked exit 4. Without it,
    /// stored tokens prove nothing (the report says so).
    #[arg(long, value_name = "PEM")]
    pub tsa_root: Option<PathBuf>,
}

impl TrustArgs {
    /// Reads the files named into `options` (policy, witness keys, TSA roots).
    ///
    /// # Errors
    /// A file that cannot be read or is not what it should be (a usage error, exit 3).
    pub fn apply(
        &self,
        dir: &LedgerDir,
        options: &mut CheckOptions<'_>,
    ) -> Result<(), Box<dyn Error>> {
        options.policy = self
            .policy
            .as_deref()
            .map(liuhen::policy::read_policy)
            .transpose()?;
        options.witnesses = (!self.witness_vkey.is_empty())
            .then(|| liuhen::proven::witness_keys(dir, &self.witness_vkey))
            .transpose()?;
        options.tsa_roots = self
            .tsa_root
            .as_deref()
            .map(liuhen::timestamp::TsaRoots::read)
            .transpose()?;
        Ok(())
    }
}

/// Runs `liuhen verify`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    if let Some(n) = args.threads {
        limit_threads(n)?;
    }
    let audit = if args.no_audit {
        None
    } else {
        Some(AuditRequest {
            profile: match &args.profile {
                Some(path) => crate::cmd::audit::load_profile(path)?,
                None => Profile::default(),
            },
            options: AuditOptions::as_of(SystemClock.now()),
        })
    };
    let dir = LedgerDir::new(&args.dir);
    let bar = crate::progress::bar(global, 0, "entries");
    bar.set_message("verifying");
    let progress = |n: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(n);
    };
    let mut options = CheckOptions {
        vkey: args.vkey.as_deref().map(read_vkey).transpose()?,
        checkpoint: args
            .checkpoint
            .as_deref()
            .map(read_checkpoint)
            .transpose()?,
        media: match (&args.media, args.no_media) {
            (_, true) => MediaSource::Skip,
            (Some(dir), false) => MediaSource::Dir(dir.clone()),
            (None, false) => MediaSource::Default,
        },
        max_findings: args.max_findings,
        now: None,
        audit,
        progress: Some(&progress),
        ..CheckOptions::default()
    };
    args.trust.apply(&dir, &mut options)?;
    let v = check_dir(&dir, &options);
    bar.finish_and_clear();
    let v = v?;
    let code = v.outcome().exit_code();
    let copy = dir.vkey_path();
    let copy = copy.is_file().then_some(copy.as_path());
    if let Some(warning) = render::no_trust_anchor_warning(&v, copy) {
        eprintln!("liuhen: {warning}");
    }
    let policy_copy = dir.policy_path();
    if args.trust.policy.is_none() && policy_copy.is_file() {
        eprintln!(
            "liuhen: witnesses were not checked: pass the witness policy you obtained independently with --policy ({} is only a copy inside the directory under audit)",
            policy_copy.display()
        );
    }
    let text = if args.json {
        // Through a JSON value: its members come out in the order they always have (sorted).
        serde_json::to_string_pretty(&serde_json::to_value(&v)?)?
    } else {
        render::text(&v)
    };
    match crate::cmd::append::print_exact(&format!("{text}\n")) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("writing to standard output: {e}").into())
        }
        _ => Ok(code),
    }
}

/// Bounds the threads of the whole process (signature checks and hashing run on rayon's
/// global pool, which the core sizes by default to all cores).
///
/// # Errors
/// If `n` is 0.
pub fn limit_threads(n: usize) -> Result<(), Box<dyn Error>> {
    if n == 0 {
        return Err("--threads must be at least 1".into());
    }
    // The global pool is built once, before anything has used it; a second call in the same
    // process (only tests could make one) is reported rather than silently ignored.
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| format!("cannot limit the verifier to {n} threads: {e}").into())
}

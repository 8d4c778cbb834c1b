//! `liuhen authorize` and `liuhen revoke`: change the key registry, which lives in the ledger
//! itself (Art. 4).
//!
//! Both sign a `KeyAuthorized` / `KeyRevoked` statement with the given key file and append it.
//! Who may do so is the registry's decision (`liuhen::registry`: only a `System` key, such as
//! the ledger key; keys are never re-authorized; the ledger key cannot be revoked), so the
//! refusal the user sees is the same one the verifier would report.

use std::error::Error;
use std::path::{Path, PathBuf};

use liuhen::checkpoint::SignatureType;
use liuhen::model::Role;
use liuhen::{Event, PublicKey, Receipt, SecretKey, Signer};
use serde_json::{json, Value};

use crate::cmd::append::{open_ledger, print_exact, refusal_reason};
use crate::{Global, EXIT_OK};
use liuhen::ingest::render::statement_receipt;

/// The key a registry statement is about: from its vkey file or as text.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Subject {
    /// The key's verifier-key file (as `liuhen keygen` writes it: KEY.vkey).
    #[arg(long, value_name = "KEY.vkey")]
    pub vkey_of: Option<PathBuf>,
    /// The key as text: `ed25519:` and 64 hex digits.
    #[arg(long, value_name = "ed25519:HEX")]
    pub public: Option<String>,
}

/// A key's role, as the command line spells it.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    /// 执法人员 an enforcement officer.
    Officer,
    /// 执法记录设备 a recording device (body-worn recorder, terminal).
    Device,
    /// 采集工作站 an upload / ingest station.
    Station,
    /// 执法信息系统 the case system; may change the registry.
    System,
    /// 监督 the supervising office or another auditor.
    Auditor,
    /// 保管人 a records custodian.
    Custodian,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Officer => Role::Officer,
            RoleArg::Device => Role::Device,
            RoleArg::Station => Role::Station,
            RoleArg::System => Role::System,
            RoleArg::Auditor => Role::Auditor,
            RoleArg::Custodian => Role::Custodian,
        }
    }
}

/// Arguments of `liuhen authorize`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen keygen --name officer-21020001 officer.key\n  liuhen authorize /srv/liuhen/jinpu --key-file /secure/ledger.key --vkey-of officer.key.vkey --role officer --holder 21020001\n\nThe statement is signed with --key-file, which must be a System key of the ledger (the ledger\nkey, or a System key it authorized). From the next entry on, the new key may author statements\nof its role. Keys are never re-authorized: issue a new key instead.\n\nOutput: the receipt (entry number, leaf hash); --json: {seq, leaf_hash, logged_at, event,\ncase_no, author, key, role, holder}."
)]
pub struct AuthorizeArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// Key file that signs the statement: a System key of this ledger (mode 0600).
    #[arg(long, value_name = "LEDGER.key")]
    pub key_file: PathBuf,
    /// The key to authorize.
    #[command(flatten)]
    pub subject: Subject,
    /// What the key is for.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Who holds it: an officer's certificate number (执法证号), a device serial, a system name.
    /// Not personal data of a party.
    #[arg(long)]
    pub holder: String,
    /// Print the receipt as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `liuhen revoke`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen revoke /srv/liuhen/jinpu --key-file /secure/ledger.key --vkey-of bodycam-BWC-7731.key.vkey --reason \"device lost 2026-03-02\"\n\nFrom the next entry on, statements signed by the key are refused, also those it signed offline\nbefore the revocation and uploads later. The ledger key cannot be revoked.\n\nOutput: the receipt (entry number, leaf hash); --json: {seq, leaf_hash, logged_at, event,\ncase_no, author, key, reason}."
)]
pub struct RevokeArgs {
    /// The ledger directory.
    pub dir: PathBuf,
    /// Key file that signs the statement: a System key of this ledger (mode 0600).
    #[arg(long, value_name = "LEDGER.key")]
    pub key_file: PathBuf,
    /// The key to revoke.
    #[command(flatten)]
    pub subject: Subject,
    /// Why (lost device, officer left, rotation).
    #[arg(long)]
    pub reason: String,
    /// Print the receipt as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `liuhen authorize`; returns the exit code.
pub fn run_authorize(args: AuthorizeArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = subject_key(&args.subject)?;
    let role = Role::from(args.role);
    let event = Event::KeyAuthorized {
        key,
        role,
        holder: args.holder.clone(),
    };
    let (receipt, author) = sign_and_append(&args.dir, &args.key_file, event.clone())?;
    let line = if args.json {
        let mut object = statement_receipt(&receipt, &event, &author);
        object.insert("key".into(), json!(key.to_string()));
        object.insert("role".into(), json!(format!("{role:?}")));
        object.insert("holder".into(), json!(args.holder));
        Value::Object(object).to_string()
    } else {
        format!(
            "entry {}  KeyAuthorized  {key} as {role:?} (holder {})  leaf {}",
            receipt.seq,
            args.holder,
            receipt.leaf_hash.to_hex()
        )
    };
    print_receipt(&line, &receipt)
}

/// Runs `liuhen revoke`; returns the exit code.
pub fn run_revoke(args: RevokeArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let key = subject_key(&args.subject)?;
    let event = Event::KeyRevoked {
        key,
        reason: args.reason.clone(),
    };
    let (receipt, author) = sign_and_append(&args.dir, &args.key_file, event.clone())?;
    let line = if args.json {
        let mut object = statement_receipt(&receipt, &event, &author);
        object.insert("key".into(), json!(key.to_string()));
        object.insert("reason".into(), json!(args.reason));
        Value::Object(object).to_string()
    } else {
        format!(
            "entry {}  KeyRevoked  {key}  leaf {}",
            receipt.seq,
            receipt.leaf_hash.to_hex()
        )
    };
    print_receipt(&line, &receipt)
}

/// Prints the receipt line; the entry is durable by now, and a failure to print says so.
fn print_receipt(line: &str, receipt: &Receipt) -> Result<u8, Box<dyn Error>> {
    print_exact(&format!("{line}\n")).map_err(|e| {
        format!(
            "entry {} was appended, but its receipt could not be printed: {e}",
            receipt.seq
        )
    })?;
    Ok(EXIT_OK)
}

/// The key named by `--vkey-of` or `--public`, checked to be a valid, strong Ed25519 key.
fn subject_key(subject: &Subject) -> Result<PublicKey, Box<dyn Error>> {
    if let Some(path) = &subject.vkey_of {
        let vkey = liuhen::keyfile::read_verifier_key(path)?;
        if vkey.signature_type() != SignatureType::Ed25519 {
            return Err(format!(
                "{}: a witness (cosignature/v1) verifier key, not the key of a statement author",
                path.display()
            )
            .into());
        }
        return Ok(*vkey.key());
    }
    let text = subject.public.as_deref().unwrap_or_default().trim();
    let key = PublicKey::from_text(text).ok_or_else(|| {
        format!("--public {text:?} is not a public key: expected \"ed25519:\" and 64 hex digits")
    })?;
    PublicKey::ed25519(*key.as_bytes()).map_err(|e| format!("--public {text}: {e}").into())
}

/// Signs `event` now with the key in `key_file` and appends it to the ledger in `dir`.
fn sign_and_append(
    dir: &Path,
    key_file: &Path,
    event: Event,
) -> Result<(Receipt, PublicKey), Box<dyn Error>> {
    let (_, signer): (String, SecretKey) = liuhen::keyfile::read_secret_key(key_file)?;
    let author = signer.public_key();
    let mut ledger = open_ledger(dir)?;
    let receipt = ledger.sign_and_append(&signer, event).map_err(|e| {
        let (_, reason) = refusal_reason(&e);
        format!(
            "{} (key {author}): {reason}; nothing was appended",
            key_file.display()
        )
    })?;
    Ok((receipt, author))
}

//! `liuhen vault certificate` and `liuhen vault check-certificate`: signed destruction
//! certificates (docs/PRIVACY.md).

use std::error::Error;

use liuhen::checkpoint::{Note, NoteVerifier};
use liuhen::model::Sealed;
use liuhen::text::replace_controls as clean;
use liuhen::vault::{DestructionCertificate, RecordState, VaultError, MAX_CERTIFICATE_BYTES};
use liuhen::{SecretKey, Signer};
use serde_json::{json, Value};

use super::{open_ledger_read_only, parse_commitment, CertificateArgs, CheckCertificateArgs};
use crate::cmd::append::print_exact;
use crate::cmd::prove::read_vkey;
use crate::files::{read_limited_as, write_new};
use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK, EXIT_TAMPERED};

pub(super) fn run_certificate(
    args: CertificateArgs,
    global: &Global,
) -> Result<u8, Box<dyn Error>> {
    let mut commitments: Vec<Sealed> = Vec::with_capacity(args.commitment.len());
    for hex in &args.commitment {
        let c = parse_commitment(hex)?;
        if commitments.contains(&c) {
            return Err(format!("commitment {} is given twice", c.0).into());
        }
        commitments.push(c);
    }
    let (name, key): (String, SecretKey) = liuhen::keyfile::read_secret_key(&args.key_file)?;
    let approver = match &args.approver {
        Some(a) if *a != name => {
            return Err(format!(
                "{} is the key named {name:?}, but --approver is {a:?}: the approver's vkey (named {name:?}) would not verify the certificate; give --approver {name:?} or use the approver's own key",
                args.key_file.display()
            )
            .into())
        }
        Some(a) => a.clone(),
        None => name,
    };
    let vkey = NoteVerifier::for_key(&approver, key.public_key())
        .map_err(|e| format!("approver name {approver:?}: {e}"))?;
    if let Some(out) = &args.output {
        crate::files::refuse_existing(out)?;
    }
    let ledger = open_ledger_read_only(&args.dir)?;
    let cert = DestructionCertificate::build(&ledger, &commitments, &approver, ledger.now())?;
    // A certificate says the data is destroyed: the vault must agree, not only the ledger.
    let dir = LedgerDir::new(&args.dir);
    let vault = dir.existing_vault()?.ok_or_else(|| {
        format!(
            "{} has no vault ({}): the destruction of the records cannot be confirmed",
            args.dir.display(),
            dir.vault_dir().display()
        )
    })?;
    for item in &cert.items {
        match vault.state(&item.commitment)? {
            RecordState::Erased { .. } => {}
            RecordState::Held | RecordState::Missing => {
                return Err(format!(
                    "entry {} records the erasure of {}, but the vault has not finished destroying its record: run `liuhen vault complete {}` first",
                    item.seq,
                    item.commitment.0,
                    args.dir.display()
                )
                .into())
            }
        }
    }
    let note = cert.sign(&key)?;
    if let Some(path) = &args.output {
        write_new(path, note.as_bytes())?;
    }
    let text = if args.json {
        let mut m = cert.json_members();
        m.insert("vkey".into(), json!(vkey.to_string()));
        m.insert("note".into(), json!(note));
        m.insert(
            "file".into(),
            json!(args.output.as_ref().map(|p| p.display().to_string())),
        );
        format!("{}\n", Value::Object(m))
    } else if let Some(path) = &args.output {
        format!(
            "destruction certificate of {} erasure(s) written to {} (approver {}, ledger {} at tree size {})\n",
            cert.items.len(),
            path.display(),
            clean(&approver),
            cert.origin,
            cert.tree_size
        )
    } else {
        note.clone()
    };
    print_exact(&text)?;
    if !global.quiet {
        eprintln!("liuhen: the approver's verifier key, to check the certificate with: {vkey}");
    }
    Ok(EXIT_OK)
}

pub(super) fn run_check_certificate(
    args: CheckCertificateArgs,
    _global: &Global,
) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let bytes = read_limited_as(
        &args.file,
        MAX_CERTIFICATE_BYTES,
        "a destruction certificate",
    )?;
    // Not a signed note at all: an unreadable input (3), not a certificate that fails (1).
    Note::parse(&bytes).map_err(|e| format!("{name} is not a signed note: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let ledger = match &args.ledger {
        Some(dir) => Some(open_ledger_read_only(dir)?),
        None => None,
    };
    let outcome = DestructionCertificate::verify(&text, &key, ledger.as_ref());
    let (result, code) = match &outcome {
        Ok(cert) => (Ok(cert), EXIT_OK),
        Err(VaultError::Certificate { reason }) => (Err(reason.as_str()), EXIT_TAMPERED),
        Err(e) => return Err(format!("{name}: {e}").into()),
    };
    print_exact(&if args.json {
        DestructionCertificate::check_json(result, ledger.is_some())
    } else {
        DestructionCertificate::check_text(result, &name, args.ledger.as_deref())
    })?;
    Ok(code)
}

//! `liuhen vault certificate` and `liuhen vault check-certificate`: signed destruction
//! certificates (docs/PRIVACY.md).

use std::error::Error;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use liuhen::checkpoint::{Note, NoteVerifier};
use liuhen::model::Sealed;
use liuhen::vault::{DestructionCertificate, RecordState, VaultError};
use liuhen::{SecretKey, Signer};
use serde_json::{json, Map, Value};

use super::{open_ledger_read_only, parse_commitment, CertificateArgs, CheckCertificateArgs};
use crate::cmd::append::print_exact;
use crate::cmd::prove::{clean, create_new, local_time, read_vkey, short};
use crate::layout::LedgerDir;
use crate::{Global, EXIT_OK, EXIT_TAMPERED};

/// Largest destruction certificate `check-certificate` reads.
const MAX_CERTIFICATE_BYTES: usize = 1024 * 1024;

fn print_json_line(value: &Value) -> io::Result<()> {
    print_exact(&format!("{value}\n"))
}

// ---- certificates -----------------------------------------------------------------------------

fn items_json(cert: &DestructionCertificate) -> Vec<Value> {
    cert.items
        .iter()
        .map(|i| {
            json!({
                "commitment": i.commitment.0.to_hex(),
                "seq": i.seq,
                "authority": i.authority,
            })
        })
        .collect()
}

fn certificate_members(cert: &DestructionCertificate) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("approver".into(), json!(cert.approver));
    m.insert("origin".into(), json!(cert.origin));
    m.insert("issued".into(), json!(cert.issued.0));
    m.insert("tree_size".into(), json!(cert.tree_size));
    m.insert("root".into(), json!(cert.root.to_hex()));
    m.insert("items".into(), json!(items_json(cert)));
    m
}

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
        if out.exists() {
            return Err(format!(
                "{} already exists: remove it or choose another file name",
                out.display()
            )
            .into());
        }
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
        let mut file = create_new(path)?;
        if let Err(e) = file
            .write_all(note.as_bytes())
            .and_then(|()| file.sync_all())
        {
            drop(file);
            let _ = fs::remove_file(path);
            return Err(format!("cannot write {}: {e}", path.display()).into());
        }
    }
    let text = if args.json {
        let mut m = certificate_members(&cert);
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

fn read_certificate(path: &Path) -> Result<Vec<u8>, Box<dyn Error>> {
    let name = path.display();
    let mut bytes = Vec::new();
    let limit = MAX_CERTIFICATE_BYTES as u64 + 1;
    let read = if path == Path::new("-") {
        io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() > MAX_CERTIFICATE_BYTES {
        return Err(format!(
            "{name} is larger than {MAX_CERTIFICATE_BYTES} bytes: not a destruction certificate"
        )
        .into());
    }
    Ok(bytes)
}

pub(super) fn run_check_certificate(
    args: CheckCertificateArgs,
    _global: &Global,
) -> Result<u8, Box<dyn Error>> {
    let key = read_vkey(&args.vkey)?;
    let name = args.file.display().to_string();
    let bytes = read_certificate(&args.file)?;
    // Not a signed note at all: an unreadable input (3), not a certificate that fails (1).
    Note::parse(&bytes).map_err(|e| format!("{name} is not a signed note: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let ledger = match &args.ledger {
        Some(dir) => Some(open_ledger_read_only(dir)?),
        None => None,
    };
    let outcome = DestructionCertificate::open(&text, &key).and_then(|cert| {
        if let Some(l) = &ledger {
            cert.check_against_with_approver(l, &key)?;
        }
        Ok(cert)
    });
    match outcome {
        Ok(cert) => {
            if args.json {
                let mut m = Map::new();
                m.insert("verified".into(), json!(true));
                m.insert("error".into(), Value::Null);
                m.insert("ledger_checked".into(), json!(ledger.is_some()));
                m.extend(certificate_members(&cert));
                print_json_line(&Value::Object(m))?;
            } else {
                let mut out = format!(
                    "VERIFIED: {name}: destruction certificate of {} erasure(s), approved by {}, issued {}, ledger {} at tree size {} (root {})\n",
                    cert.items.len(),
                    clean(&cert.approver),
                    local_time(cert.issued),
                    clean(&cert.origin),
                    cert.tree_size,
                    short(&cert.root.to_hex())
                );
                for i in &cert.items {
                    out.push_str(&format!(
                        "  erased {} at entry {} on the authority of {}\n",
                        i.commitment.0,
                        i.seq,
                        clean(&i.authority)
                    ));
                }
                match &args.ledger {
                    Some(dir) => out.push_str(&format!(
                        "  agrees with the ledger in {}: same root at size {}, each entry is that erasure\n",
                        dir.display(),
                        cert.tree_size
                    )),
                    None => out.push_str(
                        "  not checked against the ledger (give --ledger DIR to tie it to the entries)\n",
                    ),
                }
                print_exact(&out)?;
            }
            Ok(EXIT_OK)
        }
        Err(VaultError::Certificate { reason }) => {
            if args.json {
                print_json_line(&json!({
                    "verified": false,
                    "error": reason,
                    "ledger_checked": ledger.is_some(),
                }))?;
            } else {
                print_exact(&format!("NOT VERIFIED: {name}: {}\n", clean(&reason)))?;
            }
            Ok(EXIT_TAMPERED)
        }
        Err(e) => Err(format!("{name}: {e}").into()),
    }
}

//! Destruction certificates: a signed statement, verifiable without the erased data, that named
//! personal data was destroyed lawfully — which commitments, by which ledger entries, on whose
//! authority, approved by whom and when, anchored to the ledger's tree at a given size.
//!
//! A certificate is a C2SP signed note (the same format as checkpoints) signed by the approver's
//! key, with the note key name = the approver's name. Its text, line by line:
//!
//! ```text
//! liuhen destruction certificate v1
//! origin <ledger origin>
//! approver <approver name>
//! issued <ms since the Unix epoch>
//! tree <size> <root, 64 hex>
//! erased <commitment, 64 hex> <entry seq> <authority, rest of the line>
//! …one `erased` line per commitment, in the order given
//! ```
//!
//! Checking one needs the approver's vkey ([`DestructionCertificate::open`]) and, to tie it to the
//! ledger, the ledger itself ([`DestructionCertificate::check_against`]): each named entry must be
//! the `Erased` statement of that commitment and authority, and the tree root at the stated size
//! must match. Together with a consistency proof from that size to a checkpoint the holder
//! trusts, this proves the erasure to a third party without reviving anything.

use std::fmt::Write as _;

use crate::checkpoint::{sign_note, Note, NoteVerifier};
use crate::entry::Entry;
use crate::hash::Digest;
use crate::keys::Signer;
use crate::ledger::Ledger;
use crate::model::{Event, Sealed, Timestamp};
use crate::store::Store;

use super::VaultError;

const HEADER: &str = "liuhen destruction certificate v1";

/// One erased commitment in a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasedItem {
    /// The commitment whose opening was destroyed.
    pub commitment: Sealed,
    /// The ledger entry of the `Erased` statement.
    pub seq: u64,
    /// The authority named in that statement.
    pub authority: String,
}

/// The content of a destruction certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestructionCertificate {
    /// The ledger's origin.
    pub origin: String,
    /// Who approves the certificate (the note key name of the signature).
    pub approver: String,
    /// When it was issued.
    pub issued: Timestamp,
    /// The tree size the certificate is anchored to (covers every listed entry).
    pub tree_size: u64,
    /// The ledger's Merkle root at that size.
    pub root: Digest,
    /// The erasures certified.
    pub items: Vec<ErasedItem>,
}

fn bad(reason: impl Into<String>) -> VaultError {
    VaultError::Certificate {
        reason: reason.into(),
    }
}

impl DestructionCertificate {
    /// Builds a certificate for `commitments` from the ledger as it is now: each must have been
    /// erased (an `Erased` entry names it).
    ///
    /// # Errors
    /// [`VaultError::Certificate`] naming a commitment the ledger does not record as erased, or
    /// [`VaultError::Ledger`] if the ledger cannot be read.
    pub fn build<S: Store>(
        ledger: &Ledger<S>,
        commitments: &[Sealed],
        approver: &str,
        issued: Timestamp,
    ) -> Result<Self, VaultError> {
        let mut items: Vec<Option<ErasedItem>> = vec![None; commitments.len()];
        let size = ledger.size();
        for seq in 0..size {
            let entry = read_entry(ledger.store(), seq)?;
            if let Event::Erased {
                commitment,
                authority,
            } = &entry.statement.statement.event
            {
                for (slot, wanted) in items.iter_mut().zip(commitments) {
                    if slot.is_none() && wanted == commitment {
                        *slot = Some(ErasedItem {
                            commitment: *commitment,
                            seq,
                            authority: authority.clone(),
                        });
                    }
                }
            }
        }
        let items = items
            .into_iter()
            .zip(commitments)
            .map(|(item, c)| {
                item.ok_or_else(|| bad(format!("the ledger records no erasure of {}", c.0)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let root = ledger.root_at(size).map_err(|e| VaultError::Ledger {
            seq: size,
            reason: e.to_string(),
        })?;
        Ok(DestructionCertificate {
            origin: ledger.origin().to_owned(),
            approver: approver.to_owned(),
            issued,
            tree_size: size,
            root,
            items,
        })
    }

    /// The note text (see the module documentation).
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(t, "{HEADER}");
        let _ = writeln!(t, "origin {}", self.origin);
        let _ = writeln!(t, "approver {}", self.approver);
        let _ = writeln!(t, "issued {}", self.issued.0);
        let _ = writeln!(t, "tree {} {}", self.tree_size, self.root.to_hex());
        for item in &self.items {
            let _ = writeln!(
                t,
                "erased {} {} {}",
                item.commitment.0.to_hex(),
                item.seq,
                item.authority
            );
        }
        t
    }

    /// Signs the certificate with the approver's key; returns the signed note text.
    ///
    /// # Errors
    /// [`VaultError::Certificate`] if the text cannot be a note (a control character in a
    /// name) or the signer fails.
    pub fn sign(&self, signer: &dyn Signer) -> Result<String, VaultError> {
        let text = self.to_text();
        let sig = sign_note(&text, &self.approver, signer).map_err(|e| bad(e.to_string()))?;
        let note = Note::new(text, vec![sig]).map_err(|e| bad(e.to_string()))?;
        Ok(note.to_string())
    }

    /// Verifies a signed certificate with the approver's vkey and parses it.
    ///
    /// # Errors
    /// [`VaultError::Certificate`] if the note does not verify under `approver` (whose name
    /// must be the certificate's approver) or the text is not a certificate.
    pub fn open(signed: &str, approver: &NoteVerifier) -> Result<Self, VaultError> {
        let note = Note::parse(signed.as_bytes()).map_err(|e| bad(e.to_string()))?;
        note.verify(approver).map_err(|e| bad(e.to_string()))?;
        let cert = Self::parse_text(note.text())?;
        if cert.approver != approver.name() {
            return Err(bad(format!(
                "signed by {} but names {} as approver",
                approver.name(),
                cert.approver
            )));
        }
        Ok(cert)
    }

    fn parse_text(text: &str) -> Result<Self, VaultError> {
        let mut lines = text.strip_suffix('\n').unwrap_or(text).split('\n');
        if lines.next() != Some(HEADER) {
            return Err(bad(format!("the first line is not \"{HEADER}\"")));
        }
        let mut field = |name: &str| -> Result<String, VaultError> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' '))
                .map(str::to_owned)
                .ok_or_else(|| bad(format!("missing \"{name}\" line")))
        };
        let origin = field("origin")?;
        let approver = field("approver")?;
        let issued = field("issued")?
            .parse::<i64>()
            .map_err(|_| bad("issued is not a number"))?;
        let tree = field("tree")?;
        let (size, root) = tree.split_once(' ').ok_or_else(|| bad("bad tree line"))?;
        let tree_size = size.parse::<u64>().map_err(|_| bad("bad tree size"))?;
        let root = Digest::from_hex(root).ok_or_else(|| bad("bad tree root"))?;
        let mut items = Vec::new();
        for line in lines {
            let rest = line
                .strip_prefix("erased ")
                .ok_or_else(|| bad(format!("unexpected line {line:?}")))?;
            let mut parts = rest.splitn(3, ' ');
            let commitment = parts
                .next()
                .and_then(Digest::from_hex)
                .ok_or_else(|| bad("bad commitment"))?;
            let seq = parts
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| bad("bad entry number"))?;
            let authority = parts.next().unwrap_or_default().to_owned();
            items.push(ErasedItem {
                commitment: Sealed(commitment),
                seq,
                authority,
            });
        }
        if items.is_empty() {
            return Err(bad("the certificate names no erasure"));
        }
        Ok(DestructionCertificate {
            origin,
            approver,
            issued: Timestamp(issued),
            tree_size,
            root,
            items,
        })
    }

    /// As [`DestructionCertificate::check_against`], and also that the approver's key (the key
    /// of the vkey the certificate was opened with) is registered in the ledger and was active
    /// at the certificate's tree size: an approver the bureau never authorized cannot certify
    /// its erasures.
    ///
    /// # Errors
    /// [`VaultError::Certificate`] naming the first disagreement.
    pub fn check_against_with_approver<S: Store>(
        &self,
        ledger: &Ledger<S>,
        approver: &NoteVerifier,
    ) -> Result<(), VaultError> {
        self.check_against(ledger)?;
        let key = approver.key();
        let record = ledger.registry().get(key).ok_or_else(|| {
            bad(format!(
                "the approver's key {key} is not registered in the ledger"
            ))
        })?;
        if record.authorized_at >= self.tree_size {
            return Err(bad(format!(
                "the approver's key was authorized at entry {}, after the certified tree size {}",
                record.authorized_at, self.tree_size
            )));
        }
        if let Some(revoked) = record.revoked_at {
            if revoked < self.tree_size {
                return Err(bad(format!(
                    "the approver's key was revoked at entry {revoked}, before the certified tree size {}",
                    self.tree_size
                )));
            }
        }
        Ok(())
    }

    /// Checks the certificate against the ledger: same origin, the same root at its tree size,
    /// and each named entry is the `Erased` statement of that commitment and authority. Whether
    /// the approver's key is one the ledger knows is
    /// [`DestructionCertificate::check_against_with_approver`]'s question.
    ///
    /// # Errors
    /// [`VaultError::Certificate`] naming the first disagreement.
    pub fn check_against<S: Store>(&self, ledger: &Ledger<S>) -> Result<(), VaultError> {
        if ledger.origin() != self.origin {
            return Err(bad(format!(
                "certificate is for ledger {}, not {}",
                self.origin,
                ledger.origin()
            )));
        }
        let root = ledger
            .root_at(self.tree_size)
            .map_err(|e| bad(format!("tree size {}: {e}", self.tree_size)))?;
        if root != self.root {
            return Err(bad(format!(
                "the ledger's root at size {} differs from the certificate's",
                self.tree_size
            )));
        }
        for item in &self.items {
            if item.seq >= self.tree_size {
                return Err(bad(format!(
                    "entry {} lies beyond the certified tree size {}",
                    item.seq, self.tree_size
                )));
            }
            let entry = read_entry(ledger.store(), item.seq)?;
            match &entry.statement.statement.event {
                Event::Erased {
                    commitment,
                    authority,
                } if *commitment == item.commitment && *authority == item.authority => {}
                other => {
                    return Err(bad(format!(
                        "entry {} is {}, not the erasure of {} by {}",
                        item.seq,
                        other.name(),
                        item.commitment.0,
                        item.authority
                    )))
                }
            }
        }
        Ok(())
    }
}

fn read_entry<S: Store + ?Sized>(store: &S, seq: u64) -> Result<Entry, VaultError> {
    let bytes = store.entry_bytes(seq).map_err(|e| VaultError::Ledger {
        seq,
        reason: e.to_string(),
    })?;
    Entry::from_bytes(&bytes).map_err(|e| VaultError::Ledger {
        seq,
        reason: e.to_string(),
    })
}

/// Largest destruction certificate a reader should accept (a signed note of many erasures
/// is far smaller); adapters refuse larger input before reading it whole.
pub const MAX_CERTIFICATE_BYTES: usize = 1024 * 1024;

impl DestructionCertificate {
    /// Opens a signed certificate with the approver's verifier key and, given the ledger,
    /// checks it against it ([`DestructionCertificate::check_against_with_approver`]): what
    /// `liuhen vault check-certificate` asks.
    ///
    /// # Errors
    /// [`VaultError::Certificate`] if it does not verify or disagrees with the ledger.
    pub fn verify<S: Store>(
        signed: &str,
        approver: &NoteVerifier,
        ledger: Option<&Ledger<S>>,
    ) -> Result<Self, VaultError> {
        let cert = DestructionCertificate::open(signed, approver)?;
        if let Some(l) = ledger {
            cert.check_against_with_approver(l, approver)?;
        }
        Ok(cert)
    }

    /// The certificate's JSON members: `approver`, `origin`, `issued` (ms), `tree_size`,
    /// `root` (hex), `items` (`[{commitment, seq, authority}]`).
    pub fn json_members(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let items: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|i| json!({ "commitment": i.commitment.0.to_hex(), "seq": i.seq, "authority": i.authority }))
            .collect();
        let mut m = serde_json::Map::new();
        m.insert("approver".into(), json!(self.approver));
        m.insert("origin".into(), json!(self.origin));
        m.insert("issued".into(), json!(self.issued.0));
        m.insert("tree_size".into(), json!(self.tree_size));
        m.insert("root".into(), json!(self.root.to_hex()));
        m.insert("items".into(), json!(items));
        m
    }

    /// The result of checking a certificate as one JSON line (with its line break):
    /// `{verified, error, ledger_checked, ...}` with the certificate's members when it verified.
    pub fn check_json(result: Result<&Self, &str>, ledger_checked: bool) -> String {
        use serde_json::{json, Value};
        let mut m = serde_json::Map::new();
        m.insert("verified".into(), json!(result.is_ok()));
        m.insert("error".into(), json!(result.err()));
        m.insert("ledger_checked".into(), json!(ledger_checked));
        if let Ok(cert) = result {
            m.extend(cert.json_members());
        }
        format!("{}\n", Value::Object(m))
    }

    /// The result of checking the certificate `name` as text: `VERIFIED: …` with each erasure
    /// and whether it was checked against the ledger in `ledger_dir`, or `NOT VERIFIED: why`.
    pub fn check_text(
        result: Result<&Self, &str>,
        name: &str,
        ledger_dir: Option<&std::path::Path>,
    ) -> String {
        use crate::text::{local_time, replace_controls as clean, short};
        let cert = match result {
            Ok(cert) => cert,
            Err(reason) => return format!("NOT VERIFIED: {name}: {}\n", clean(reason)),
        };
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
            let _ = writeln!(
                out,
                "  erased {} at entry {} on the authority of {}",
                i.commitment.0,
                i.seq,
                clean(&i.authority)
            );
        }
        match ledger_dir {
            Some(dir) => {
                let _ = writeln!(
                    out,
                    "  agrees with the ledger in {}: same root at size {}, each entry is that erasure",
                    dir.display(),
                    cert.tree_size
                );
            }
            None => out.push_str(
                "  not checked against the ledger (give --ledger DIR to tie it to the entries)\n",
            ),
        }
        out
    }
}

//! The vault's readers on arbitrary bytes: a record file (`Vault::get_untraced`), a tombstone
//! (`Vault::erased_seq`) and a destruction certificate (`DestructionCertificate::open`). Nothing
//! may panic; a record the vault returns must open the commitment it is filed under, and an
//! accepted certificate must print back to a text that parses to the same certificate.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use liuhen::checkpoint::NoteVerifier;
use liuhen::hash::Digest;
use liuhen::model::Sealed;
use liuhen::vault::{DestructionCertificate, Vault};
use liuhen::{SecretKey, Signer};

/// A fixed approver key (test key: never use it anywhere else).
fn approver() -> &'static (SecretKey, NoteVerifier) {
    static KEY: OnceLock<(SecretKey, NoteVerifier)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = SecretKey::from_seed(&[9; 32]);
        let vkey = NoteVerifier::for_key("fuzz.example/approver", key.public_key())
            .expect("approver vkey");
        (key, vkey)
    })
}

fn vault() -> &'static (PathBuf, Vault) {
    static VAULT: OnceLock<(PathBuf, Vault)> = OnceLock::new();
    VAULT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("liuhen-fuzz-vault-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let vault = Vault::create(&dir).expect("create a scratch vault");
        (dir, vault)
    })
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks which commitment the bytes are filed under, so the fuzzer can also
    // find inputs whose opening really opens it.
    let (pick, bytes) = match data {
        [p, rest @ ..] => (*p, rest),
        [] => (0, data),
    };
    let commitment = Sealed(Digest::from_bytes([pick; 32]));
    let (dir, vault) = vault();
    let record = dir.join(commitment.0.to_hex());
    let tomb = dir.join(format!("{}.erased", commitment.0.to_hex()));
    std::fs::write(&record, bytes).expect("write record");
    if let Ok(opening) = vault.get_untraced(&commitment) {
        assert!(opening.opens(&commitment), "the vault returned an opening that does not open");
    }
    std::fs::remove_file(&record).expect("remove record");
    std::fs::write(&tomb, bytes).expect("write tombstone");
    let _ = vault.erased_seq(&commitment);
    let _ = vault.get_untraced(&commitment);
    std::fs::remove_file(&tomb).expect("remove tombstone");

    if let Ok(text) = std::str::from_utf8(data) {
        let (_, vkey) = approver();
        if let Ok(cert) = DestructionCertificate::open(text, vkey) {
            let again = cert.sign(&approver().0).expect("re-sign an accepted certificate");
            let back = DestructionCertificate::open(&again, vkey).expect("reopen");
            assert_eq!(back, cert);
        }
    }
});

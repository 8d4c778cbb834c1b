//! Golden vectors: formats v1 and v2 pinned byte for byte.
//!
//! A deterministic ledger (fixed keys, fixed clock, fixed salts; Ed25519 is deterministic) that
//! uses every event kind is built in each format version and compared with `tests/vectors/v1/`
//! and `tests/vectors/v2/`. If this test fails, the bytes of a format changed: that is only
//! acceptable with a new format version that keeps older ledgers verifiable. To regenerate
//! deliberately (v1 must then come out unchanged: it is frozen):
//!
//! ```text
//! LIUHEN_REGENERATE_VECTORS=1 cargo test --test golden_vectors
//! ```
//!
//! Independently of the generator, the checked-in files must verify and round-trip forever.
//!
//! Event kinds appended to the vocabulary after the vectors were pinned are pinned in
//! `extension/` beside them (`entries.txt`, `roots.txt`, `checkpoints.txt` of the entries the
//! golden ledger goes on with: [`common::extension_scenario`], then a seal), so that the pinned
//! files keep every byte; the golden entries and the extension verify as one ledger. A missing
//! extension file is written on the first run (then check it in); v1's is never rewritten.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use liuhen::checkpoint::NoteVerifier;
use liuhen::hash::{Digest, Sha256TreeHasher, TreeHasher};
use liuhen::verify::{verify_parts, Verdict, VerifyOptions};
use liuhen::{Entry, FormatVersion};

const VERSIONS: [FormatVersion; 2] = [FormatVersion::V1, FormatVersion::V2];

fn dir_of(version: FormatVersion) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/vectors/{version}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const CHECKPOINT_SEPARATOR: &str = "-----\n";

const WITNESS_NAME: &str = "witness.example/jinpu-1";
/// 2026-01-01T00:10:00Z, in seconds (cosignature timestamps are seconds).
const WITNESS_TIME: u64 = 1_767_226_200;

fn witness() -> liuhen::SecretKey {
    liuhen::SecretKey::from_seed(&[0x55; 32])
}

/// The final checkpoint with a `cosignature/v1` line from a fixed witness key and time.
fn cosigned(latest: &str) -> (String, String) {
    use liuhen::checkpoint::{cosign, SignedCheckpoint};
    use liuhen::Signer;
    let mut signed = SignedCheckpoint::parse(latest.as_bytes()).unwrap();
    let line = cosign(signed.checkpoint(), WITNESS_NAME, &witness(), WITNESS_TIME).unwrap();
    signed.add_signature(line).unwrap();
    let vkey = NoteVerifier::for_witness(WITNESS_NAME, witness().public_key()).unwrap();
    (signed.to_string(), format!("{vkey}\n"))
}

/// Renders the golden ledger of `version` as the vector files.
fn render(version: FormatVersion) -> (String, String, String, String, String, String) {
    let (ledger, _) = common::golden_ledger_of(version);
    let store = ledger.store();
    let mut entries = format!("# seq leaf_hash entry_bytes (hex); format {version}\n");
    for (seq, bytes) in store.all_entries().iter().enumerate() {
        let leaf = Sha256TreeHasher.hash_leaf(bytes);
        entries.push_str(&format!("{seq} {} {}\n", leaf.to_hex(), hex(bytes)));
    }
    let mut roots = String::from("# tree_size root (hex), for every size\n");
    for size in 1..=ledger.size() {
        roots.push_str(&format!(
            "{size} {}\n",
            ledger.root_at(size).unwrap().to_hex()
        ));
    }
    let checkpoints = store.all_checkpoints().join(CHECKPOINT_SEPARATOR);
    let vkey = format!("{}\n", ledger.verifier_key().unwrap());
    let all_checkpoints = store.all_checkpoints();
    let latest = all_checkpoints.last().unwrap();
    let (cosigned, witness_vkey) = cosigned(latest);
    (entries, roots, checkpoints, vkey, cosigned, witness_vkey)
}

fn files(version: FormatVersion) -> [(&'static str, String); 6] {
    let (entries, roots, checkpoints, vkey, cosigned, witness_vkey) = render(version);
    [
        ("entries.txt", entries),
        ("roots.txt", roots),
        ("checkpoints.txt", checkpoints),
        ("ledger.vkey", vkey),
        ("cosigned-checkpoint.txt", cosigned),
        ("witness.vkey", witness_vkey),
    ]
}

/// The extension of the golden ledger of `version`: its entries, roots and checkpoints after the
/// pinned ones, as the vector files hold them.
fn render_extension(version: FormatVersion) -> [(&'static str, String); 3] {
    let mut b = common::golden_built(version);
    let pinned = b.ledger.size();
    let checkpoints_pinned = b.ledger.store().all_checkpoints().len();
    let k = b.k.clone();
    for (event, author) in common::extension_scenario(&k) {
        b.append_after(1_000, author, event);
    }
    b.seal();
    let ledger = &b.ledger;
    let store = ledger.store();
    let mut entries =
        format!("# seq leaf_hash entry_bytes (hex); format {version}; after the pinned entries\n");
    for (seq, bytes) in store.all_entries().iter().enumerate().skip(pinned as usize) {
        let leaf = Sha256TreeHasher.hash_leaf(bytes);
        entries.push_str(&format!("{seq} {} {}\n", leaf.to_hex(), hex(bytes)));
    }
    let mut roots = String::from("# tree_size root (hex), for every size after the pinned ones\n");
    for size in pinned + 1..=ledger.size() {
        roots.push_str(&format!(
            "{size} {}\n",
            ledger.root_at(size).unwrap().to_hex()
        ));
    }
    let checkpoints = store.all_checkpoints()[checkpoints_pinned..].join(CHECKPOINT_SEPARATOR);
    [
        ("entries.txt", entries),
        ("roots.txt", roots),
        ("checkpoints.txt", checkpoints),
    ]
}

#[test]
fn extension_bytes_are_unchanged() {
    let regenerate = std::env::var_os("LIUHEN_REGENERATE_VECTORS").is_some();
    for version in VERSIONS {
        let dir = dir_of(version).join("extension");
        for (name, content) in render_extension(version) {
            let path = dir.join(name);
            let missing = !path.exists();
            if missing || (regenerate && version != FormatVersion::V1) {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &content).unwrap();
                continue;
            }
            let stored = std::fs::read_to_string(&path).unwrap();
            assert!(
                stored == content,
                "{} differs from what this code produces: the bytes of an event kind changed",
                path.display()
            );
        }
    }
}

#[test]
fn checked_in_extension_verifies_with_the_pinned_ledger() {
    for version in VERSIONS {
        let mut entries = stored_entries(version);
        let pinned = entries.len();
        for (seq, leaf, bytes) in entries_in(&dir_of(version).join("extension/entries.txt")) {
            assert_eq!(
                Sha256TreeHasher.hash_leaf(&bytes),
                leaf,
                "leaf hash of {seq}"
            );
            let entry = Entry::from_bytes(&bytes).unwrap();
            assert_eq!(entry.seq, seq);
            assert_eq!(entry.to_bytes().unwrap(), bytes, "entry {seq} re-encodes");
            assert_eq!(entry.statement.statement.event.name(), "DocumentDescribed");
            entries.push((seq, leaf, bytes));
        }
        assert!(entries.len() > pinned, "the extension adds entries");
        let mut checkpoints = checkpoints_in(&dir_of(version).join("checkpoints.txt"));
        checkpoints.extend(checkpoints_in(
            &dir_of(version).join("extension/checkpoints.txt"),
        ));
        let options = trusting(version);
        let size = entries.len() as u64;
        let report = verify_parts(
            entries.into_iter().map(|(_, _, b)| Ok(b)),
            &checkpoints,
            &options,
        );
        assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
        assert_eq!(report.latest_verified.unwrap().size, size);
    }
}

#[test]
fn checked_in_cosignature_verifies() {
    for version in VERSIONS {
        cosignature_verifies(version);
    }
}

fn cosignature_verifies(version: FormatVersion) {
    use liuhen::checkpoint::{verify_cosignature, SignedCheckpoint};
    let read = |name: &str| std::fs::read_to_string(dir_of(version).join(name)).unwrap();
    let ledger_key = NoteVerifier::parse(read("ledger.vkey").trim_end()).unwrap();
    let witness_key = NoteVerifier::parse(read("witness.vkey").trim_end()).unwrap();
    let signed = SignedCheckpoint::parse(read("cosigned-checkpoint.txt").as_bytes()).unwrap();
    let verified = signed.verify(&ledger_key).unwrap();
    assert_eq!(verified.size(), 29);
    assert_eq!(
        verify_cosignature(&signed, &witness_key).unwrap(),
        WITNESS_TIME
    );
    // The cosigned checkpoint is the last stored checkpoint plus one line.
    let last = read("checkpoints.txt")
        .split(CHECKPOINT_SEPARATOR)
        .last()
        .unwrap()
        .to_owned();
    assert!(read("cosigned-checkpoint.txt").starts_with(&last));
}

#[test]
fn format_v1_bytes_are_unchanged() {
    // v1 is frozen: never regenerated, whatever the environment says.
    check_or_regenerate(FormatVersion::V1, false);
}

#[test]
fn format_v2_bytes_are_unchanged() {
    let regenerate = std::env::var_os("LIUHEN_REGENERATE_VECTORS").is_some();
    check_or_regenerate(FormatVersion::V2, regenerate);
}

fn check_or_regenerate(version: FormatVersion, regenerate: bool) {
    for (name, content) in files(version) {
        let path = dir_of(version).join(name);
        if regenerate {
            std::fs::create_dir_all(dir_of(version)).unwrap();
            std::fs::write(&path, &content).unwrap();
            continue;
        }
        let stored = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; regenerate with LIUHEN_REGENERATE_VECTORS=1 cargo test --test golden_vectors", path.display()));
        assert!(
            stored == content,
            "{} differs from what this code produces: format {version} changed. If deliberate, bump \
             the format version and regenerate with LIUHEN_REGENERATE_VECTORS=1 cargo test --test golden_vectors",
            path.display()
        );
    }
}

fn stored_entries(version: FormatVersion) -> Vec<(u64, Digest, Vec<u8>)> {
    entries_in(&dir_of(version).join("entries.txt"))
}

/// The lines of an `entries.txt`: sequence number, leaf hash, entry bytes.
fn entries_in(path: &std::path::Path) -> Vec<(u64, Digest, Vec<u8>)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split(' ');
            let seq = parts.next().unwrap().parse().unwrap();
            let leaf = Digest::from_hex(parts.next().unwrap()).unwrap();
            let bytes = unhex(parts.next().unwrap());
            (seq, leaf, bytes)
        })
        .collect()
}

#[test]
fn checked_in_ledger_still_verifies() {
    for version in VERSIONS {
        ledger_still_verifies(version);
    }
}

fn ledger_still_verifies(version: FormatVersion) {
    let entries = stored_entries(version);
    assert_eq!(
        entries.len(),
        29,
        "genesis plus one entry per scenario statement"
    );
    for (seq, leaf, bytes) in &entries {
        assert_eq!(
            Sha256TreeHasher.hash_leaf(bytes),
            *leaf,
            "leaf hash of entry {seq}"
        );
        let entry = Entry::from_bytes(bytes).unwrap();
        assert_eq!(entry.seq, *seq);
        assert_eq!(
            entry.version(),
            version,
            "entry {seq} is of format {version}"
        );
        assert_eq!(
            &entry.to_bytes().unwrap(),
            bytes,
            "entry {seq} re-encodes identically"
        );
        entry.statement.verify_signature().unwrap();
    }
    let checkpoints = checkpoints_in(&dir_of(version).join("checkpoints.txt"));
    assert_eq!(checkpoints.len(), 3);
    let options = trusting(version);
    let report = verify_parts(
        entries.into_iter().map(|(_, _, b)| Ok(b)),
        &checkpoints,
        &options,
    );
    assert_eq!(report.verdict, Verdict::Verified, "{:#?}", report.findings);
    assert_eq!(report.checkpoints_verified, 3);
    assert_eq!(report.latest_verified.unwrap().size, 29);
}

/// The signed notes of a `checkpoints.txt`.
fn checkpoints_in(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .split(CHECKPOINT_SEPARATOR)
        .map(str::to_owned)
        .collect()
}

/// Verification options trusting the checked-in `ledger.vkey` of `version`.
fn trusting(version: FormatVersion) -> VerifyOptions {
    let vkey = NoteVerifier::parse(
        std::fs::read_to_string(dir_of(version).join("ledger.vkey"))
            .unwrap()
            .trim_end(),
    )
    .unwrap();
    VerifyOptions {
        trusted_key: Some(vkey),
        ..VerifyOptions::default()
    }
}

#[test]
fn checked_in_roots_match_checked_in_entries() {
    for version in VERSIONS {
        roots_match_entries(version);
    }
}

fn roots_match_entries(version: FormatVersion) {
    let entries = stored_entries(version);
    let roots = std::fs::read_to_string(dir_of(version).join("roots.txt")).unwrap();
    let mut tree = liuhen::merkle::CompactRange::new();
    let mut lines = roots.lines().filter(|l| !l.starts_with('#'));
    for (_, leaf, _) in &entries {
        tree.push(&Sha256TreeHasher, *leaf).unwrap();
        let line = lines.next().unwrap();
        let (size, root) = line.split_once(' ').unwrap();
        assert_eq!(size.parse::<u64>().unwrap(), tree.size());
        assert_eq!(tree.root(&Sha256TreeHasher).to_hex(), root);
    }
}

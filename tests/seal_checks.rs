//! `liuhen seal` checks before it signs (issue 11, item 1), through the real binary: an
//! outsider who deletes an entry and the checkpoints covering it, or patches a node hash of the
//! index, must not get the next routine seal to bless the result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::cli::{describe, expect_code, expect_stderr, fork_guard, scratch};
use common::dir::AuditedDir;
use common::ORIGIN;
use liuhen::entry::{EncodedEntry, Entry};
use liuhen::hash::{Digest, Sha256TreeHasher};
use liuhen::model::{Event, Role};
use liuhen::store::file::FileStore;
use liuhen::store::{StoreRead, StoreWrite};
use liuhen::{SecretKey, Signer};

/// A ledger made by `liuhen init` (generated key in DIR/keys), the auditor's vkey beside it.
struct Fixture(AuditedDir);

impl std::ops::Deref for Fixture {
    type Target = AuditedDir;
    fn deref(&self) -> &AuditedDir {
        &self.0
    }
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        Fixture(AuditedDir::init(scratch(name)))
    }

    /// A new fixture with `n` officers authorized (entries 1..=n), sealed by the binary.
    fn sealed(name: &str, n: u8) -> Fixture {
        let f = Fixture::new(name);
        f.append(1, n);
        expect_code(&f.seal(), 0);
        f
    }

    /// Appends `n` KeyAuthorized entries signed by the ledger key, as the bureau's writer does.
    fn append(&self, from: u8, n: u8) {
        let key = self.ledger_key();
        let authorizations = (from..from + n).map(|i| {
            let event = Event::KeyAuthorized {
                key: SecretKey::from_seed(&[i; 32]).public_key(),
                role: Role::Officer,
                holder: format!("officer {i}"),
            };
            (&key as &dyn Signer, event)
        });
        self.0.append(authorizations.collect());
    }

    fn verify(&self) -> std::process::Output {
        self.0.verify(&[])
    }

    /// Runs the seal, which must refuse (exit 1) with a standard error `refused` accepts, and
    /// sign nothing; `context` names the run in a failure.
    fn assert_seal_refused(&self, refused: impl Fn(&str) -> bool, context: &str) {
        let before = self.store().checkpoint_count();
        let out = self.seal();
        expect_code(&out, 1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(refused(&err), "{context}: {}", describe(&out));
        assert_eq!(
            self.store().checkpoint_count(),
            before,
            "{context}: nothing was signed"
        );
    }
}

/// What an outsider with write access to the directory and the library, but no key, can do:
/// rebuild the store without entry `victim`, re-chaining `prev`, and keep only the checkpoints
/// that do not cover it.
fn delete_entry(store_dir: &Path, victim: u64) {
    rebuild(
        store_dir,
        |n| (0..n).filter(|i| *i != victim).collect(),
        |size| size <= victim,
    );
}

/// Rebuilds the store with the entries in the order `order(size)` gives (re-numbered and
/// re-chained) and the checkpoints whose size `keep` accepts, as a consistent set of files.
fn rebuild(store_dir: &Path, order: impl Fn(u64) -> Vec<u64>, keep: impl Fn(u64) -> bool) {
    let (entries, checkpoints) = {
        let store = FileStore::open_read_only(store_dir).unwrap();
        let entries: Vec<Vec<u8>> = (0..store.size())
            .map(|s| store.entry_bytes(s).unwrap())
            .collect();
        let checkpoints: Vec<String> = (0..store.checkpoint_count())
            .map(|i| store.checkpoint(i).unwrap())
            .collect();
        (entries, checkpoints)
    };
    let _guard = fork_guard();
    let rebuilt = store_dir.with_extension("rebuilt");
    let _ = std::fs::remove_dir_all(&rebuilt);
    let mut store = FileStore::create(&rebuilt, ORIGIN).unwrap();
    let mut prev = Digest::ZERO;
    let mut encoded = Vec::new();
    for i in order(entries.len() as u64) {
        let mut entry = Entry::from_bytes(&entries[usize::try_from(i).unwrap()]).unwrap();
        entry.seq = encoded.len() as u64;
        entry.prev = prev;
        let e = EncodedEntry::new(&entry, &Sha256TreeHasher).unwrap();
        prev = e.leaf_hash;
        encoded.push(e);
    }
    store.append(&encoded).unwrap();
    for note in checkpoints {
        let size: u64 = note.lines().nth(1).unwrap().parse().unwrap();
        if keep(size) {
            store.append_checkpoint(&note).unwrap();
        }
    }
    drop(store);
    std::fs::remove_dir_all(store_dir).unwrap();
    std::fs::rename(&rebuilt, store_dir).unwrap();
}

/// Byte position of the Merkle node (`level`, `index`) in `entries.idx` (docs/STORE.md).
fn node_position(level: u32, index: u64) -> u64 {
    let m = ((index + 1) << level) - 1;
    let g = 12 * m + 32 * (2 * m - u64::from(m.count_ones()));
    g + 12 + 32 * u64::from(level)
}

#[test]
fn outsider_deletion_is_not_blessed_by_the_next_seal() {
    let f = Fixture::sealed("seal-outsider-deletion", 9); // checkpoint at size 10, state beside the key
    f.append(10, 5);
    expect_code(&f.verify(), 4); // unsealed tail: not fully verified, nothing wrong
    delete_entry(&f.dir.join("ledger"), 5);
    assert_eq!(f.store().size(), 14);
    // The outsider's work looks like an unsealed ledger…
    expect_code(&f.verify(), 4);
    // …and the bureau's routine seal refuses to bless it.
    let out = f.seal();
    expect_code(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing to seal"), "{}", describe(&out));
    assert!(
        err.contains("checkpoints were deleted"),
        "{}",
        describe(&out)
    );
    assert_eq!(f.store().checkpoint_count(), 1, "nothing was signed");
    assert_ne!(f.verify().status.code(), Some(0));
}

#[test]
fn outsider_deletion_with_the_checkpoint_count_restored_is_refused_too() {
    // The outsider also keeps as many checkpoints as before (copies of the old ones): the
    // checkpoint at the state's position is not the one the key signed.
    let f = Fixture::sealed("seal-outsider-deletion-count", 9);
    expect_code(&f.seal(), 0); // three checkpoints: sizes 1, 10, 10
    f.append(10, 5);
    let store_dir = f.dir.join("ledger");
    delete_entry(&store_dir, 5);
    {
        let first = f.store().checkpoint(0).unwrap();
        let _guard = fork_guard();
        let mut store = FileStore::open(&store_dir).unwrap();
        store.append_checkpoint(&first).unwrap();
        store.append_checkpoint(&first).unwrap();
    }
    let out = f.seal();
    expect_stderr(&out, 1, &["is not the checkpoint this key signed last"]);
}

#[test]
fn seal_refuses_a_patched_index_node() {
    // Size 65: the root is node (6, 0) over entries 0..63, and leaf 64.
    let f = Fixture::sealed("seal-patched-node", 64);
    let before = f.store().checkpoint_count();
    let at = usize::try_from(node_position(6, 0)).unwrap();
    common::tamper::flip_byte(&f.dir.join("ledger/entries.idx"), at, 0x01);
    // With the state beside the key, and without one (a ledger from before states existed):
    // refused either by the store itself — the index groups written since the last durable
    // index mark are checked against their frames on open (docs/STORE.md R2a) — or, where the
    // patched node lies before the mark, by the seal's recomputation from the frames.
    let refused = |err: &str| {
        err.contains("the store's index gives root")
            || err.contains("the store's files are damaged")
    };
    f.assert_seal_refused(refused, "with state");
    std::fs::remove_file(f.state()).unwrap();
    f.assert_seal_refused(refused, "without state");
    assert_eq!(f.store().checkpoint_count(), before, "nothing was signed");
}

/// The same patch to an index node that lies before the store's durable index mark: the store
/// does not re-check it on open (docs/STORE.md R2a checks only what was written since the
/// mark), so only the seal's own recomputation from the frames stands between the patch and a
/// signature.
#[test]
fn seal_refuses_a_patched_index_node_before_the_index_mark() {
    let f = Fixture::sealed("seal-patched-node-marked", 64);
    {
        let _guard = fork_guard();
        let mut store = FileStore::open(f.dir.join("ledger")).unwrap();
        store.sync_index().unwrap();
    }
    let before = f.store().checkpoint_count();
    let at = usize::try_from(node_position(6, 0)).unwrap();
    common::tamper::flip_byte(&f.dir.join("ledger/entries.idx"), at, 0x01);
    for with_state in [true, false] {
        if !with_state {
            std::fs::remove_file(f.state()).unwrap();
        }
        f.assert_seal_refused(
            |err| err.contains("the store's index gives root"),
            &format!("with state: {with_state}"),
        );
    }
    assert_eq!(f.store().checkpoint_count(), before, "nothing was signed");
}

#[test]
fn seal_without_state_refuses_a_root_conflicting_with_a_stored_checkpoint() {
    // Two entries swapped, the chain rebuilt, every checkpoint kept: with no state (a ledger
    // from before states existed), the first seal recomputes the whole ledger and compares
    // every stored checkpoint the key signed.
    let f = Fixture::sealed("seal-no-state-conflict", 9);
    std::fs::remove_file(f.state()).unwrap();
    rebuild(
        &f.dir.join("ledger"),
        |n| {
            let mut order: Vec<u64> = (0..n).collect();
            order.swap(3, 4);
            order
        },
        |_| true,
    );
    // Either the writer, which reads every entry on open, refuses the swapped entries (time
    // going backwards, a counter replayed), or the seal's check of the stored checkpoints does.
    f.assert_seal_refused(
        |err| err.contains("signed by the ledger key signs root") || err.contains("is not valid"),
        "swapped entries",
    );
}

#[test]
fn routine_seals_keep_the_state_and_verify() {
    let f = Fixture::new("seal-routine");
    let state0 = std::fs::read_to_string(f.state()).unwrap();
    assert!(state0.starts_with("liuhen/v1/seal-state\ncheckpoints 1\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.state()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    f.append(1, 3);
    expect_code(&f.seal(), 0);
    f.append(4, 3);
    expect_code(&f.seal(), 0);
    let state = std::fs::read_to_string(f.state()).unwrap();
    assert!(
        state.starts_with("liuhen/v1/seal-state\ncheckpoints 3\n"),
        "{state}"
    );
    expect_code(&f.verify(), 0);
    // A state of another ledger (or a damaged one) is refused, never ignored.
    std::fs::write(f.state(), state.replace("checkpoints 3", "checkpoints 03")).unwrap();
    let out = f.seal();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a liuhen seal state"));
}

#[test]
fn seal_refuses_a_store_rolled_back_to_an_older_copy() {
    let f = Fixture::new("seal-rollback");
    let store_dir = f.dir.join("ledger");
    let copy = f.dir.join("ledger-copy");
    f.append(1, 3);
    copy_dir(&store_dir, &copy);
    f.append(4, 3);
    expect_code(&f.seal(), 0);
    std::fs::remove_dir_all(&store_dir).unwrap();
    std::fs::rename(&copy, &store_dir).unwrap();
    let out = f.seal();
    expect_stderr(&out, 1, &["replaced by an older copy"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        std::fs::copy(item.path(), to.join(item.file_name())).unwrap();
    }
}

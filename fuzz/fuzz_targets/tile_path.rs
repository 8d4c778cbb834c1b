//! `tiles::TilePath::parse` on arbitrary bytes: never panics; an accepted path prints back as
//! exactly the input (one spelling per tile); and the tile's contents in a fixed tree of 300
//! entries exist exactly when `exists_in` says so, with the length the spec gives.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use liuhen::entry::EncodedEntry;
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::store::{MemoryStore, StoreWrite};
use liuhen::tiles::{contents, TileKind, TilePath, MAX_PATH_LEN};

const SIZE: u64 = 300;

fn store() -> &'static MemoryStore {
    static STORE: OnceLock<MemoryStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = MemoryStore::new();
        for seq in 0..SIZE {
            let bytes = seq.to_be_bytes().to_vec();
            let leaf_hash = Sha256TreeHasher.hash_leaf(&bytes);
            let entry = EncodedEntry { seq, bytes, leaf_hash, registry_change: false };
            store.append(&[entry]).expect("the store takes the next entry");
        }
        store
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(path) = TilePath::parse(text) else {
        return;
    };
    assert!(text.len() <= MAX_PATH_LEN);
    assert_eq!(path.to_string(), text, "an accepted path is canonical");
    match contents(store(), SIZE, &path) {
        Ok(bytes) => {
            assert!(path.exists_in(SIZE));
            if let TileKind::Hashes { .. } = path.kind() {
                assert_eq!(bytes.len() as u64, path.width() * 32);
            } else {
                // 8-byte entries, each with its 2-byte length.
                assert_eq!(bytes.len() as u64, path.width() * 10);
            }
        }
        Err(_) => assert!(!path.exists_in(SIZE)),
    }
});

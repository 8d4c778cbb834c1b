//! The file store's frame and index decoders and its recovery, on arbitrary files: the input is
//! split into the data files of a store directory (after a valid header), which is then opened
//! as the writer with a full check, read entry by entry, and verified. Nothing may panic, and a
//! store that opens must serve every entry it claims or return an error.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use liuhen::store::file::{
    Access, Check, FileStore, OpenOptions, CHECKPOINT_INDEX_FILE, CHECKPOINT_LOG_FILE,
    ENTRY_INDEX_FILE, ENTRY_LOG_FILE, HEADER_FILE, REGISTRY_INDEX_FILE,
};
use liuhen::store::StoreRead;

/// A valid header, made once by creating a real store.
fn header() -> &'static [u8] {
    static HEADER: OnceLock<Vec<u8>> = OnceLock::new();
    HEADER.get_or_init(|| {
        let dir = scratch("header");
        let _ = std::fs::remove_dir_all(&dir);
        drop(FileStore::create(&dir, "fuzz.example/log").expect("create a store"));
        let h = std::fs::read(dir.join(HEADER_FILE)).expect("read the header");
        let _ = std::fs::remove_dir_all(&dir);
        h
    })
}

fn scratch(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("liuhen-fuzz-store-{tag}-{}", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let files = [
        ENTRY_LOG_FILE,
        ENTRY_INDEX_FILE,
        CHECKPOINT_LOG_FILE,
        CHECKPOINT_INDEX_FILE,
        REGISTRY_INDEX_FILE,
    ];
    // Layout: for each file a u16 LE length, then its bytes; missing bytes make empty files.
    let mut rest = data;
    let mut contents = Vec::new();
    for _ in files {
        let (len, tail) = match rest {
            [a, b, tail @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), tail),
            _ => (0, &[][..]),
        };
        let len = len.min(tail.len());
        contents.push(&tail[..len]);
        rest = &tail[len..];
    }
    let dir = scratch("run");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join(HEADER_FILE), header()).expect("header");
    for (name, bytes) in files.iter().zip(contents) {
        std::fs::write(dir.join(name), bytes).expect("data file");
    }
    for access in [Access::ReadOnly, Access::Write] {
        let options = OpenOptions {
            access,
            check: Check::Full,
            ..OpenOptions::default()
        };
        if let Ok(store) = FileStore::open_with(&dir, &options) {
            for seq in 0..store.size().min(64) {
                let _ = store.entry_bytes(seq);
            }
            for i in 0..store.checkpoint_count().min(16) {
                let _ = store.checkpoint(i);
            }
            let _ = store.registry_changes();
            let _ = liuhen::verify_store(&store, &liuhen::VerifyOptions::default());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});

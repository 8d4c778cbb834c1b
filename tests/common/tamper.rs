//! What an insider does to files on disk: copy a ledger directory to tamper with the copy, flip
//! a byte, cut a file.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

/// Copies the tree `src` to `dst` (files and directories; `dst` must not exist).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// XORs the byte at `offset` of `path` with `mask` (non-zero, so the file changes).
pub fn flip_byte(path: &Path, offset: usize, mask: u8) {
    assert_ne!(mask, 0, "a zero mask changes nothing");
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset] ^= mask;
    std::fs::write(path, bytes).unwrap();
}

/// Cuts `path` to `len` bytes.
pub fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Asserts that `store` was opened refusing to write, for a reason containing `needle`.
pub fn assert_store_refuses(store: &liuhen::store::file::FileStore, needle: &str, context: &str) {
    use liuhen::store::StoreRead as _;
    assert!(
        store.refusal().is_some_and(|r| r.contains(needle)),
        "{context}: {:?}",
        store.refusal()
    );
}

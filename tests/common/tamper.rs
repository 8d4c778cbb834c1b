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

/// Flips the lowest bit of the first byte of the first occurrence of `needle` in `path` (an
/// entry's text, to edit that entry in place): its offset, to flip it back with [`flip_byte`].
pub fn flip_first(path: &Path, needle: &[u8]) -> usize {
    let bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the needle is in the file");
    flip_byte(path, at, 0x01);
    at
}

/// Where the frames of a log's bytes end: at the first zero length field (the free space of a
/// preallocated entry log, docs/STORE.md rule R13) or at the end of the bytes. A tamperer who
/// cuts or extends "the log" works from here, not from the file's length.
pub fn frames_end(log: &[u8]) -> usize {
    let mut at = 0;
    while let Some(len) = log.get(at..at + 4) {
        let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
        if len == 0 {
            break;
        }
        at += 4 + len + 32;
    }
    at.min(log.len())
}

/// [`frames_end`] of the file at `path`.
pub fn frames_end_of(path: &Path) -> u64 {
    frames_end(&std::fs::read(path).unwrap()) as u64
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

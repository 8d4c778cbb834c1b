//! BLAKE3 digests of media, identical to `b3sum`.
//!
//! Regular files are memory-mapped and hashed with BLAKE3's own tree parallelism (what `b3sum`
//! does by default), so liuhen adds no copy and no overhead of its own; everything else (pipes,
//! sockets, devices, uploads) is streamed through one fixed buffer. Memory use is therefore the
//! buffer plus the page cache the kernel manages, whatever the size of the media.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): digests a media file given by path.
#![allow(clippy::disallowed_methods)]

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

use crate::hash::from_blake3;
use crate::model::MediaRef;

use super::MediaError;

/// Size of the buffer used to stream media that cannot be memory-mapped: large enough for
/// BLAKE3's SIMD paths to run at full speed, small enough to be irrelevant to memory use.
pub const STREAM_BUFFER: usize = 256 * 1024;

/// Digests the file at `path` and returns its [`MediaRef`].
///
/// `threads` is the number of hashing threads: `1` hashes on the calling thread, `0` uses all
/// cores (rayon's global pool, like `b3sum`'s default), any other number a pool of exactly that
/// size. Regular files are memory-mapped (BLAKE3 falls back to reads below 16 KiB, where a map
/// costs more than it saves); other files (FIFOs, character devices) are streamed with
/// [`digest_reader`]'s bounded buffer.
///
/// `length` is the number of bytes actually hashed, not what the file system reported before,
/// so a file that grows or shrinks while it is read still yields a consistent pair. As with
/// `b3sum`, a file truncated by another process *while* it is mapped can make the process
/// fault; digest media that is still being written through [`digest_reader`] instead.
///
/// # Errors
/// [`MediaError::Io`] if the file cannot be opened or read, [`MediaError::ThreadPool`] if the
/// requested pool cannot be started.
pub fn digest_file(
    path: &Path,
    mime: &str,
    name: &str,
    threads: usize,
) -> Result<MediaRef, MediaError> {
    let meta = std::fs::metadata(path).map_err(|e| MediaError::io(path, e))?;
    if !meta.is_file() {
        // Not mappable (or not safely: a device's size can lie); stream it.
        let file = File::open(path).map_err(|e| MediaError::io(path, e))?;
        return digest_reader(file, mime, name).map_err(|e| match e {
            MediaError::Read { source, .. } => MediaError::io(path, source),
            other => other,
        });
    }
    let mut hasher = blake3::Hasher::new();
    let result = match threads {
        1 => hasher.update_mmap(path).map(|_| ()),
        0 => hasher.update_mmap_rayon(path).map(|_| ()),
        n => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| MediaError::ThreadPool {
                    threads: n,
                    reason: e.to_string(),
                })?;
            // update_rayon joins inside the pool it is installed in, so the pool size is the
            // number of threads that hash.
            pool.install(|| hasher.update_mmap_rayon(path).map(|_| ()))
        }
    };
    result.map_err(|e| MediaError::io(path, e))?;
    Ok(MediaRef {
        digest: from_blake3(hasher.finalize()),
        length: hasher.count(),
        mime: mime.into(),
        name: name.into(),
    })
}

/// Digests a stream (a pipe, an upload body) with bounded memory: one [`STREAM_BUFFER`].
///
/// # Errors
/// [`MediaError::Read`] if the reader fails (interrupted reads are retried).
pub fn digest_reader<R: Read>(reader: R, mime: &str, name: &str) -> Result<MediaRef, MediaError> {
    let mut hasher = blake3::Hasher::new();
    copy_hashing(reader, &mut hasher, |_| Ok(()))?;
    Ok(MediaRef {
        digest: from_blake3(hasher.finalize()),
        length: hasher.count(),
        mime: mime.into(),
        name: name.into(),
    })
}

/// Reads `reader` to its end through one fixed buffer, hashing every byte and handing each
/// chunk to `sink` (the media store writes it to its temporary file). Returns the bytes read.
pub(super) fn copy_hashing<R: Read>(
    mut reader: R,
    hasher: &mut blake3::Hasher,
    mut sink: impl FnMut(&[u8]) -> Result<(), MediaError>,
) -> Result<u64, MediaError> {
    let mut buf = vec![0u8; STREAM_BUFFER];
    let mut read = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(read),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(source) => return Err(MediaError::Read { read, source }),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        sink(chunk)?;
        read = read.saturating_add(n as u64);
    }
}

//! The durable file store: one directory holding a ledger's entries, Merkle node hashes and
//! checkpoints in append-only files. `docs/STORE.md` specifies the bytes, the commit protocol,
//! the crash cases and the recovery rules; this comment is the short version.
//!
//! ```text
//! <dir>/header           magic "LIUHENv1", format version, suite, origin, checksum
//!       entries.log      frames: u32 LE length | entry bytes | SHA-256 leaf hash
//!       entries.idx      one group per entry: u64 LE frame offset | u32 LE length | leaf hash
//!                        | the Merkle node hashes the entry completes
//!       checkpoints.log  frames: u32 LE length | signed note | SHA-256(0x00 || note)
//!       checkpoints.idx  per checkpoint: u64 LE frame offset | u32 LE length
//!       registry.idx     u64 LE sequence numbers of the entries that change the key registry
//!       index.mark       two slots: how much of entries.idx and registry.idx is durable
//!       lock             held with an exclusive advisory lock by the one writer
//! ```
//!
//! # Life of an append
//!
//! 1. The batch's frames are written at the end of `entries.log`'s data in one write, then
//!    `fdatasync`ed. This is the commit: the frames are the truth. The log of a format-2 store
//!    is preallocated: the frames overwrite zeros in place, so the sync carries no file-size
//!    change; a batch that does not fit the free space grows the log by whole 1 MiB chunks of
//!    zeros in the same write.
//! 2. Only then are the batch's index groups (offset, length, leaf hash, and the Merkle node
//!    hashes each entry completes, at positions computed from the entry number) written to
//!    `entries.idx`, and its registry changes to `registry.idx`, without a sync: they are
//!    derived from the frames. An index group therefore never points at a frame that was not
//!    durable first.
//! 3. Only then does [`StoreWrite::append`] return `Ok`: one `fdatasync` per batch.
//!
//! After a commit, on the store's upkeep thread while the caller goes on (module `upkeep`):
//! every 512 entries, both indexes are synced and that is recorded in the index mark; and the
//! preallocated log is grown ahead of the next commits. The next write waits for it first.
//! Opening checks the groups written since the last mark one by one against their frames and
//! derives the registry records since the mark from the frames.
//!
//! After the first failed write or sync the store refuses every further write
//! ([`StoreError::ReadOnly`]); reopening recovers.
//!
//! # Opening
//!
//! Opening reads a constant number of records, plus the index groups written since the last
//! mark and whatever an interrupted append left after the index — it does not rescan the log. A frame cut short at the end of the log is a *torn
//! tail*: it is cut off and reported in [`FileStore::recovery`]. Complete frames after the
//! index (an append that was written but not acknowledged) are indexed. Anything else that does
//! not add up — a bad frame with valid data after it, an index that disagrees with the log — is
//! *tampering*: nothing is changed, the store opens read-only and the report says what and
//! where. [`Check::Full`] additionally checks every frame and node hash (O(n)); without it,
//! damage to older frames is found when they are read ([`StoreRead::entry_bytes`] checks each
//! frame's checksum against the index).
//!
//! This is the only module of the core that touches the file system. It checks nothing
//! cryptographic beyond its own checksums: whether the entries form a valid ledger is for the
//! [verifier](crate::verify) to decide.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the durable file store (docs/STORE.md).
#![allow(clippy::disallowed_methods)]

mod cache;
mod layout;
mod ops;
mod recover;
mod state;
mod upkeep;

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read as _, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

pub use ops::{Faults, HeldSync};

use self::layout::{FrameRead, Frontier, FRAME_OVERHEAD, MAX_CHECKPOINT_BYTES};
use self::ops::{DataFile, FaultyFile, OsFile};
use self::recover::{CheckpointIndex, EntryIndex, LogInfo, LogState};
pub use self::state::WRITER_STATE_FILE;
use super::{StoreError, StoreRead, StoreWrite};
use crate::encoding::MAX_ENTRY_BYTES;
use crate::entry::EncodedEntry;
use crate::hash::{Digest, Sha256TreeHasher, DIGEST_LEN};

/// Name of the header file.
pub const HEADER_FILE: &str = "header";
/// Name of the entry log.
pub const ENTRY_LOG_FILE: &str = "entries.log";
/// Name of the entry index.
pub const ENTRY_INDEX_FILE: &str = "entries.idx";
/// Name of the checkpoint log.
pub const CHECKPOINT_LOG_FILE: &str = "checkpoints.log";
/// Name of the checkpoint index.
pub const CHECKPOINT_INDEX_FILE: &str = "checkpoints.idx";
/// Name of the lock file.
pub const LOCK_FILE: &str = "lock";
/// Name of the registry index: the sequence numbers (u64 LE) of the entries that change the key
/// registry, so that a ledger can be opened without reading every entry.
pub const REGISTRY_INDEX_FILE: &str = "registry.idx";
/// Name of the index mark: two slots, each naming how many entry-index groups and
/// registry-index records were durable (synced) when it was written. Derived data: without it,
/// opening checks the whole entry index once.
pub const INDEX_MARK_FILE: &str = "index.mark";
/// Name of the header while it is written.
const HEADER_TEMP_FILE: &str = "header.tmp";
/// Name of the registry index while it is rebuilt.
const REGISTRY_TEMP_FILE: &str = "registry.idx.tmp";

/// The store format version this code writes: 2, whose entry log is preallocated
/// (`docs/STORE.md`, "Format versions"). It reads versions 1 and 2, and keeps a version-1 store
/// at version 1.
pub const FORMAT_VERSION: u32 = layout::FORMAT_VERSION;

/// The files an interrupted [`FileStore::create`] may leave, which a new `create` may reuse.
const OWN_FILES: [&str; 12] = [
    state::WRITER_STATE_FILE,
    state::WRITER_STATE_TEMP_FILE,
    HEADER_TEMP_FILE,
    INDEX_MARK_FILE,
    REGISTRY_TEMP_FILE,
    REGISTRY_INDEX_FILE,
    ENTRY_LOG_FILE,
    ENTRY_INDEX_FILE,
    CHECKPOINT_LOG_FILE,
    CHECKPOINT_INDEX_FILE,
    LOCK_FILE,
    HEADER_FILE,
];

/// Errors of the file store, with the file and position concerned.
///
/// At the [`StoreRead`]/[`StoreWrite`] boundary these become [`StoreError::ReadOnly`],
/// [`StoreError::Corrupt`], or [`StoreError::Backend`] holding this value (downcast it: the
/// file and the operation survive).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileStoreError {
    /// The operating system refused an operation.
    #[error("{op} {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done ("writing frames to", "syncing", …).
        op: &'static str,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A file of a writer could not be opened for writing (read-only directory or file system,
    /// or missing permissions).
    #[error(
        "cannot open {path} for writing: {source}; a ledger in a read-only place can be \
         opened with FileStore::open_read_only"
    )]
    NotWritable {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The directory holds no store header.
    #[error("{dir} is not a liuhen file store: it has no `{HEADER_FILE}` file")]
    NotAStore {
        /// The directory.
        dir: PathBuf,
    },
    /// `create` found a store already there.
    #[error("{dir} already holds a liuhen file store")]
    AlreadyExists {
        /// The directory.
        dir: PathBuf,
    },
    /// `create` found a file that the store does not own.
    #[error(
        "cannot create a file store in {dir}: it holds {name:?}, which is not a file of the store"
    )]
    ForeignFile {
        /// The directory.
        dir: PathBuf,
        /// The file's name.
        name: String,
    },
    /// A file of the store is missing.
    #[error("{path} is missing: the store is incomplete")]
    MissingFile {
        /// The missing file.
        path: PathBuf,
    },
    /// The header does not start with the magic bytes: not a liuhen store file.
    #[error("{path} is not a liuhen store header: it starts with {found:02x?}, not \"LIUHENv1\"")]
    BadMagic {
        /// The header file.
        path: PathBuf,
        /// Its first (up to) eight bytes.
        found: Vec<u8>,
    },
    /// The header declares a format version this code does not read (`supported` is the newest
    /// it reads; it reads every version from 1 up).
    #[error(
        "{path} declares store format version {found}; this liuhen reads versions 1 to {supported}"
    )]
    UnsupportedVersion {
        /// The header file.
        path: PathBuf,
        /// The declared version.
        found: u32,
        /// The version this code reads.
        supported: u32,
    },
    /// The header declares an unknown suite.
    #[error("{path} declares suite {found}, which this liuhen does not know")]
    UnknownSuite {
        /// The header file.
        path: PathBuf,
        /// The declared suite id.
        found: u32,
    },
    /// The header is damaged.
    #[error("{path} is damaged: {reason}")]
    BadHeader {
        /// The header file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// The origin cannot be stored.
    #[error("invalid origin {origin:?}: {reason}")]
    BadOrigin {
        /// The origin.
        origin: String,
        /// Why.
        reason: &'static str,
    },
    /// Another writer holds the lock.
    #[error(
        "the store is locked by another writer ({holder}, per {lock}); only one writer may \
         open it, readers use FileStore::open_read_only"
    )]
    Locked {
        /// The lock file.
        lock: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// A stored record does not match what its checksum or index says.
    #[error("{path}: record {record} at offset {offset} is corrupt: {fault}")]
    Corrupt {
        /// The file holding the bad bytes.
        path: PathBuf,
        /// Entry sequence number or checkpoint index.
        record: u64,
        /// Byte offset of the frame.
        offset: u64,
        /// What is wrong.
        fault: FrameFault,
    },
    /// An entry or checkpoint cannot be framed: empty, or over the size limit.
    #[error("{path}: record {record} has {len} bytes; a frame holds 1 to {max}")]
    BadRecordLength {
        /// The log it was for.
        path: PathBuf,
        /// Entry sequence number or checkpoint index.
        record: u64,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An entry's leaf hash is not the hash of its bytes.
    #[error("{path}: the leaf hash given for entry {seq} is not the hash of its bytes")]
    LeafHashMismatch {
        /// The entry log.
        path: PathBuf,
        /// The entry.
        seq: u64,
    },
    /// The store refuses writes.
    #[error("the store is read-only: {reason}")]
    ReadOnly {
        /// Why.
        reason: String,
    },
}

/// What is wrong with a stored frame or record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameFault {
    /// The file ends inside the frame.
    Cut,
    /// The length field is 0 or above the limit.
    BadLength {
        /// The length field.
        len: u32,
    },
    /// The checksum does not match the payload.
    BadChecksum,
    /// The frame is intact but not the one the index records.
    IndexMismatch,
    /// A checkpoint is not UTF-8.
    NotUtf8,
    /// An entry frame's payload does not decode as an entry.
    NotAnEntry,
}

impl fmt::Display for FrameFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameFault::Cut => f.write_str("the file ends inside the frame"),
            FrameFault::BadLength { len } => write!(f, "impossible frame length {len}"),
            FrameFault::BadChecksum => f.write_str("the checksum does not match"),
            FrameFault::IndexMismatch => f.write_str("the frame is not the one the index records"),
            FrameFault::NotUtf8 => f.write_str("the checkpoint is not UTF-8"),
            FrameFault::NotAnEntry => f.write_str("the frame does not decode as an entry"),
        }
    }
}

impl FileStoreError {
    /// Whether this error is evidence that the store's files were changed: a damaged header
    /// (wrong magic, unknown suite, wrong length or checksum; rule R1) or a record that fails
    /// its checksum. Destroying evidence is tampering (exit 1 in the CLI), never an I/O or
    /// usage error. An [`UnsupportedVersion`](FileStoreError::UnsupportedVersion) is not: it is
    /// what a later liuhen's store looks like (a flipped version byte cannot be told from it).
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            FileStoreError::BadMagic { .. }
                | FileStoreError::UnknownSuite { .. }
                | FileStoreError::BadHeader { .. }
                | FileStoreError::Corrupt { .. }
        )
    }
}

impl From<FileStoreError> for StoreError {
    fn from(e: FileStoreError) -> Self {
        if let FileStoreError::ReadOnly { reason } = e {
            return StoreError::ReadOnly { reason };
        }
        if let FileStoreError::Corrupt {
            path,
            record,
            offset,
            fault,
        } = e
        {
            return StoreError::Corrupt {
                path,
                record,
                offset,
                reason: fault.to_string(),
            };
        }
        StoreError::Backend {
            backend: "file",
            source: Box::new(e),
        }
    }
}

/// What a store found that proves its files were changed other than by appending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tampering {
    /// The file where it shows.
    pub file: PathBuf,
    /// Byte offset in that file, where known.
    pub offset: Option<u64>,
    /// Entry sequence number or checkpoint index (record of the index), where known.
    pub record: Option<u64>,
    /// What.
    pub kind: TamperingKind,
}

/// Kinds of [`Tampering`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TamperingKind {
    /// An indexed frame is complete but wrong (checksum or length), or, in a full check, any
    /// frame before the end is bad.
    BadFrame(FrameFault),
    /// A bad frame with a valid frame after it: not a torn tail.
    ValidFrameAfterBadFrame {
        /// What is wrong with the bad frame.
        fault: FrameFault,
        /// Offset of a valid frame after it.
        valid_at: u64,
    },
    /// More unreadable bytes after the last valid frame than a torn tail can hold.
    Junk {
        /// How many.
        bytes: u64,
    },
    /// An index record points past the end of the log: more than one frame is missing.
    IndexPastLog {
        /// Length of the log.
        log_len: u64,
    },
    /// A committed record is cut off at the end of its log (rule R4) where a crash cannot
    /// explain it: a checkpoint record (stored only after its frame was synced), or an entry
    /// record that a stored checkpoint covers. The writer refuses and cuts nothing.
    CommittedRecordCut {
        /// Whether a stored checkpoint covers the cut entry (false: the record is a checkpoint).
        sealed_entry: bool,
    },
    /// The index claims more records than its log can hold (every frame is at least
    /// `FRAME_OVERHEAD + 1` bytes): found from the two lengths, before any record is read.
    IndexTooLong {
        /// Records the index claims.
        records: u64,
        /// Length of the log.
        log_len: u64,
    },
    /// An index record disagrees with the log: its offset does not follow the frame before, or
    /// its leaf hash is not the frame's.
    IndexMismatch,
    /// A stored Merkle node hash is not the hash of its children.
    NodeMismatch {
        /// Level of the node.
        level: u8,
        /// Index of the node within its level.
        index: u64,
    },
    /// A complete, valid frame after the index that no interrupted append of this ledger can
    /// have left (rule R5a): the writer does not adopt it.
    UnaccountedFrame {
        /// Why it is not an interrupted append.
        reason: &'static str,
    },
    /// The registry index is not what appends write: not strictly increasing, or not starting
    /// at genesis.
    RegistryIndex {
        /// What is wrong.
        reason: &'static str,
    },
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(r) = self.record {
            write!(f, ", record {r}")?;
        }
        if let Some(o) = self.offset {
            write!(f, ", offset {o}")?;
        }
        f.write_str(": ")?;
        match self.kind {
            TamperingKind::BadFrame(fault) => write!(f, "bad frame ({fault})"),
            TamperingKind::ValidFrameAfterBadFrame { fault, valid_at } => write!(
                f,
                "bad frame ({fault}) followed by a valid frame at offset {valid_at}: not a torn tail"
            ),
            TamperingKind::Junk { bytes } => write!(
                f,
                "{bytes} unreadable bytes after the last valid frame: too many for a torn tail"
            ),
            TamperingKind::IndexPastLog { log_len } => write!(
                f,
                "the index points past the end of the log ({log_len} bytes): indexed frames are missing"
            ),
            TamperingKind::CommittedRecordCut { sealed_entry: true } => f.write_str(
                "the entry is cut off at the end of the log although a stored checkpoint covers it, which a crash does not explain: a sealed record destroyed",
            ),
            TamperingKind::CommittedRecordCut { sealed_entry: false } => f.write_str(
                "the checkpoint record is cut off at the end of the log, which a crash does not explain: a committed checkpoint destroyed",
            ),
            TamperingKind::IndexTooLong { records, log_len } => write!(
                f,
                "the index claims {records} records, more than the log ({log_len} bytes) can hold"
            ),
            TamperingKind::IndexMismatch => f.write_str("the index disagrees with the log"),
            TamperingKind::NodeMismatch { level, index } => write!(
                f,
                "the Merkle node at level {level}, index {index} is not the hash of its children"
            ),
            TamperingKind::UnaccountedFrame { reason } => write!(
                f,
                "a complete frame after the last committed record is not an interrupted append of this ledger: {reason}"
            ),
            TamperingKind::RegistryIndex { reason } => {
                write!(f, "the registry index is not what appends write: {reason}")
            }
        }
    }
}

/// What opening did to the end of one log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TailRecovery {
    /// Bytes of a torn frame cut off the end of the log (for a read-only store: ignored).
    pub torn_bytes: u64,
    /// Index records dropped with the torn frame (0 or 1). Non-zero means the index had
    /// committed the torn frame: an acknowledged record is lost, which a crash does not
    /// explain (media failure or tampering; a checkpoint covering it makes the verifier report
    /// truncation).
    pub dropped: u64,
    /// Complete frames after the index that were indexed on open: an append that was written
    /// but not acknowledged when its writer stopped (for a read-only store: not shown).
    pub adopted: u64,
    /// Bytes of an incomplete record at the end of the index, cut off (ignored when read-only).
    pub index_bytes_cut: u64,
    /// Complete frames after the index that a writer would adopt (rule R5a) but a reader does
    /// not show: an append in progress, or a crashed writer's tail not yet recovered.
    pub pending: u64,
}

impl TailRecovery {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        *self == TailRecovery::default()
    }
}

/// What opening a file store found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The entry log.
    pub entries: TailRecovery,
    /// The checkpoint log.
    pub checkpoints: TailRecovery,
    /// Evidence of tampering. When not empty, nothing was changed and the store is read-only.
    pub tampering: Vec<Tampering>,
    /// Tampering findings beyond the listed ones.
    pub tampering_omitted: u64,
    /// Whether the repairs described were applied (a writer without tampering) or only
    /// computed (a reader, or a tampered store).
    pub applied: bool,
    /// Whether the registry index held records beyond the committed entries (an interrupted
    /// append's, or a tamperer's) and was therefore rebuilt from the entry frames.
    pub registry_rebuilt: bool,
}

impl Recovery {
    /// Whether opening found nothing to repair and no tampering.
    pub fn is_clean(&self) -> bool {
        self.entries.is_clean() && self.checkpoints.is_clean() && self.tampering.is_empty()
    }

    /// Whether tampering was found.
    pub fn is_tampered(&self) -> bool {
        !self.tampering.is_empty()
    }
}

/// Whether a store is opened for writing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Access {
    /// The one writer: takes the lock, applies recovery.
    #[default]
    Write,
    /// A reader or verifier: takes no lock, changes nothing, sees the committed entries.
    ReadOnly,
}

/// How much opening checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Check {
    /// The last index records and whatever follows them in the logs: O(1) in the ledger size.
    #[default]
    Tail,
    /// Also every frame, index record and node hash: O(n), for audits and after media errors.
    Full,
}

/// Settings of [`FileStore::open_with`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Writer or reader.
    pub access: Access,
    /// How much to check.
    pub check: Check,
    /// Faults to inject into the data files' operations (tests only).
    pub faults: Option<Faults>,
}

/// One log and its index.
#[derive(Debug)]
struct LogFiles {
    log: Box<dyn DataFile>,
    index: Box<dyn DataFile>,
    log_path: PathBuf,
    index_path: PathBuf,
    /// High-level node hashes once read (module `cache`).
    nodes: cache::NodeCache,
}

impl LogFiles {
    fn open(
        dir: &Path,
        log_name: &str,
        index_name: &str,
        writable: bool,
        faults: Option<&Faults>,
    ) -> Result<Self, FileStoreError> {
        let log_path = dir.join(log_name);
        let index_path = dir.join(index_name);
        let log = open_data_file(&log_path, writable, faults)?;
        let index = open_data_file(&index_path, writable, faults)?;
        Ok(LogFiles {
            log,
            index,
            log_path,
            index_path,
            nodes: cache::NodeCache::default(),
        })
    }

    fn info(&self, max: usize) -> LogInfo<'_> {
        LogInfo {
            log: &*self.log,
            log_path: &self.log_path,
            index_path: &self.index_path,
            max,
            preallocated: false,
        }
    }
}

fn open_data_file(
    path: &Path,
    writable: bool,
    faults: Option<&Faults>,
) -> Result<Box<dyn DataFile>, FileStoreError> {
    let file = fs::OpenOptions::new()
        .read(true)
        .write(writable)
        .open(path)
        .map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => FileStoreError::MissingFile {
                path: path.to_path_buf(),
            },
            _ if writable => write_error(path, "opening")(source),
            _ => io_error(path, "opening")(source),
        })?;
    let os: Box<dyn DataFile> = Box::new(OsFile(file));
    Ok(match faults {
        Some(faults) => Box::new(FaultyFile {
            inner: os,
            faults: faults.clone(),
        }),
        None => os,
    })
}

/// Registry records after the last entry: more than this is not what appends write.
const MAX_REGISTRY_TAIL: u64 = 1 << 20;

/// Entries appended since the last index mark after which the commit's upkeep makes the index
/// durable and writes a new mark (rule R2a): what opening checks record by record.
const MARK_EVERY_ENTRIES: u64 = 512;

/// Batches of at least this many entries have their index groups laid out on the thread pool
/// while their frames are synced.
const OVERLAPPED_GROUPS: usize = 64;

/// What the registry index holds, judged against the index mark.
enum RegistryLoad {
    /// No file: a store made before the index existed.
    Missing,
    /// Strictly increasing from genesis, the records the mark calls durable all below the
    /// entries it calls durable. The records after those are derived data, compared on open
    /// with the entry frames written since the mark.
    Loaded {
        file: Box<dyn DataFile>,
        /// The first `mark.registry` records.
        durable: Vec<u64>,
        /// The records after them, as read.
        tail: Vec<u64>,
        /// Whether the file ends with a partial record.
        partial: bool,
    },
    /// Fewer records than the mark calls durable, or a durable record at or beyond the durable
    /// entries: not what appends and crashes leave. Not trusted: a writer rebuilds the index
    /// from the frames (O(n)), a reader reads every entry.
    Suspect(Box<dyn DataFile>),
    /// Not what appends write.
    Tampered(&'static str),
}

/// Reads the registry index and judges it (see [`RegistryLoad`]). Bounded: a file claiming more
/// than `size + MAX_REGISTRY_TAIL` records is not read, it is tampering.
fn load_registry_index(
    dir: &Path,
    writable: bool,
    size: u64,
    mark: layout::Mark,
    faults: Option<&Faults>,
) -> Result<RegistryLoad, FileStoreError> {
    let path = dir.join(REGISTRY_INDEX_FILE);
    let file = match open_data_file(&path, writable, faults) {
        Ok(f) => f,
        Err(FileStoreError::MissingFile { .. }) => return Ok(RegistryLoad::Missing),
        Err(e) => return Err(e),
    };
    let len = file
        .len()
        .map_err(io_error(&path, "reading the length of"))?;
    let records = len / 8;
    if records > size.saturating_add(MAX_REGISTRY_TAIL) {
        return Ok(RegistryLoad::Tampered(
            "it holds more records than the ledger has entries",
        ));
    }
    let mut bytes = vec![0u8; usize::try_from(records * 8).unwrap_or(0)];
    file.read_exact_at(&mut bytes, 0)
        .map_err(io_error(&path, "reading"))?;
    let mut seqs: Vec<u64> = Vec::with_capacity(bytes.len() / 8);
    for chunk in bytes.chunks_exact(8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let seq = u64::from_le_bytes(b);
        match seqs.last() {
            None if seq != 0 && size > 0 => {
                return Ok(RegistryLoad::Tampered(
                    "its first record is not the genesis entry",
                ))
            }
            Some(last) if seq <= *last => {
                return Ok(RegistryLoad::Tampered(
                    "its records are not strictly increasing",
                ))
            }
            _ => {}
        }
        seqs.push(seq);
    }
    let durable = usize::try_from(mark.registry).unwrap_or(usize::MAX);
    let durable_end = mark.entries.min(size);
    // The mark is derived data and is never trusted over the frames (rule R11): it must agree
    // with the file — as many records as it calls durable, all of them below the entries it
    // calls durable, and none after them below that count (a writer's mark counts every
    // record below its entry count). A mark that disagrees (a forged one claiming no records,
    // say) is ignored: the writer rebuilds the index from the frames, never cuts it to the
    // mark's count.
    if seqs.len() < durable
        || seqs.iter().take(durable).any(|&s| s >= durable_end)
        || seqs.get(durable).is_some_and(|&s| s < durable_end)
    {
        return Ok(RegistryLoad::Suspect(file));
    }
    let tail = seqs.split_off(durable);
    Ok(RegistryLoad::Loaded {
        file,
        durable: seqs,
        tail,
        partial: len % 8 != 0,
    })
}

/// Opens the index mark file (a writer creates it if it is missing) and reads its newest valid
/// mark. A missing, empty or unreadable mark is the empty mark: nothing is known durable, and
/// opening checks the whole entry index once.
fn open_mark(
    dir: &Path,
    writable: bool,
    faults: Option<&Faults>,
) -> Result<(Option<Box<dyn DataFile>>, layout::Mark), FileStoreError> {
    let path = dir.join(INDEX_MARK_FILE);
    let file: Box<dyn DataFile> = if writable {
        let file = open_or_create(&path)?;
        let os: Box<dyn DataFile> = Box::new(OsFile(file));
        match faults {
            Some(faults) => Box::new(FaultyFile {
                inner: os,
                faults: faults.clone(),
            }),
            None => os,
        }
    } else {
        match open_data_file(&path, false, None) {
            Ok(f) => f,
            Err(FileStoreError::MissingFile { .. }) => return Ok((None, layout::Mark::default())),
            Err(e) => return Err(e),
        }
    };
    let len = file
        .len()
        .map_err(io_error(&path, "reading the length of"))?
        .min(2 * layout::MARK_SLOT_LEN);
    let mut bytes = vec![0u8; usize::try_from(len).unwrap_or(0)];
    file.read_exact_at(&mut bytes, 0)
        .map_err(io_error(&path, "reading"))?;
    let mark = layout::Mark::newest(&bytes);
    Ok((writable.then_some(file), mark))
}

fn io_error<'a>(path: &'a Path, op: &'static str) -> impl FnOnce(io::Error) -> FileStoreError + 'a {
    move |source| FileStoreError::Io {
        path: path.to_path_buf(),
        op,
        source,
    }
}

/// [`io_error`] for an operation that writes: a permission or read-only-filesystem error is
/// [`FileStoreError::NotWritable`].
fn write_error<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl FnOnce(io::Error) -> FileStoreError + 'a {
    move |source| match source.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            FileStoreError::NotWritable {
                path: path.to_path_buf(),
                source,
            }
        }
        _ => io_error(path, op)(source),
    }
}

/// The durable file store. See the [module documentation](self).
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    origin: String,
    /// The locked lock file of a writer; `None` for a reader.
    lock: Option<File>,
    hasher: Sha256TreeHasher,
    entries: Arc<LogFiles>,
    checkpoints: Arc<LogFiles>,
    /// What readers ([`FileStore::reader`]) see: the sizes below, published after each commit.
    published: Arc<Published>,
    /// INVARIANT: entries `0..size` are indexed, their groups and frames durable, and their
    /// frames lie inside `entries_end` — unless tampering was found on open, in which case
    /// `size` is what the index claims and every read checks its frame (reads always do).
    size: u64,
    /// Where the next frame goes (writer), or the readable end of the entry log.
    entries_end: u64,
    /// Whether the entry log is preallocated (store format 2): appends overwrite zeros in place
    /// and grow the file by [`layout::PREALLOC_CHUNK`] when a batch does not fit.
    preallocated: bool,
    /// Length of the entry log file (writer): `entries_end ..` it is free space (zeros).
    entries_capacity: u64,
    /// The Merkle frontier of the `size` entries (writer only; empty for readers).
    frontier: Frontier,
    /// As `size`, for checkpoints.
    checkpoint_count: u64,
    /// As `entries_end`, for checkpoints.
    checkpoints_end: u64,
    recovery: Recovery,
    /// Set once the store refuses writes: read-only open, tampering, or a failed write (shared
    /// with the readers, whose reads of a corrupt record latch it too).
    refusal: Arc<OnceLock<String>>,
    /// The registry index file and the registry-changing sequence numbers below `size`;
    /// `None` for a store made before the file existed (the ledger then reads every entry).
    registry: Option<RegistryIndex>,
    /// The index mark file (writer only).
    mark_file: Option<Arc<dyn DataFile>>,
    /// The last durable index point: the entry-index groups and registry-index records synced
    /// before it was written. The groups and records after it are written without a sync.
    mark: layout::Mark,
    /// The round of upkeep (index mark, log growth) the last commit started, if any: every
    /// write waits for it first (module `upkeep`).
    upkeep: upkeep::Upkeep,
}

/// The open registry index file and the sequence numbers it holds below `size`.
#[derive(Debug)]
struct RegistryIndex {
    file: Arc<dyn DataFile>,
    seqs: Vec<u64>,
}

impl FileStore {
    /// Creates a store for the ledger `origin` in `dir`, which must not exist or be empty (or
    /// hold only what an interrupted `create` left), and opens it as the writer.
    ///
    /// The data files are created and synced first; the header is written last, through a
    /// temporary file, a rename and a directory sync, so a directory with a header is complete.
    ///
    /// # Errors
    /// [`FileStoreError::AlreadyExists`], [`FileStoreError::ForeignFile`],
    /// [`FileStoreError::BadOrigin`], [`FileStoreError::Locked`],
    /// [`FileStoreError::NotWritable`] or an I/O error.
    pub fn create(dir: impl AsRef<Path>, origin: &str) -> Result<Self, FileStoreError> {
        let dir = dir.as_ref().to_path_buf();
        check_origin(origin)?;
        fs::create_dir_all(&dir).map_err(|source| {
            if source.kind() == io::ErrorKind::PermissionDenied {
                FileStoreError::NotWritable {
                    path: dir.clone(),
                    source,
                }
            } else {
                FileStoreError::Io {
                    path: dir.clone(),
                    op: "creating directory",
                    source,
                }
            }
        })?;
        let listing = fs::read_dir(&dir).map_err(io_error(&dir, "listing"))?;
        for item in listing {
            let item = item.map_err(io_error(&dir, "listing"))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if name == HEADER_FILE {
                return Err(FileStoreError::AlreadyExists { dir });
            }
            if !OWN_FILES.contains(&name.as_str()) {
                return Err(FileStoreError::ForeignFile { dir, name });
            }
        }
        let lock = acquire_lock(&dir)?;
        // Data files: (re)created empty and synced. Leftovers of an interrupted create hold no
        // acknowledged data (no header was ever written), so they are emptied.
        for name in [
            ENTRY_LOG_FILE,
            ENTRY_INDEX_FILE,
            CHECKPOINT_LOG_FILE,
            CHECKPOINT_INDEX_FILE,
            REGISTRY_INDEX_FILE,
            INDEX_MARK_FILE,
        ] {
            write_synced(&dir.join(name), &[])?;
        }
        let temp = dir.join(HEADER_TEMP_FILE);
        write_synced(&temp, &layout::encode_header(origin))?;
        sync_dir(&dir)?;
        let header = dir.join(HEADER_FILE);
        fs::rename(&temp, &header).map_err(io_error(&header, "renaming the header to"))?;
        sync_dir(&dir)?;
        Self::open_locked(
            dir,
            (origin.to_owned(), layout::FORMAT_VERSION),
            Some(lock),
            &OpenOptions::default(),
        )
    }

    /// Opens the store in `dir` as its one writer, recovering a torn tail (see the module
    /// documentation). Check [`recovery`](FileStore::recovery) for what was found: if it reports
    /// tampering, the store is read-only.
    ///
    /// # Errors
    /// [`FileStoreError::NotAStore`], [`FileStoreError::BadMagic`],
    /// [`FileStoreError::UnsupportedVersion`], [`FileStoreError::MissingFile`],
    /// [`FileStoreError::Locked`], [`FileStoreError::NotWritable`] or an I/O error.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, FileStoreError> {
        Self::open_with(dir, &OpenOptions::default())
    }

    /// Opens the store in `dir` for reading, without taking the lock: readers and verifiers may
    /// run while a writer appends. The reader sees the entries committed when it opened; it
    /// changes nothing, so a torn tail is only reported, not cut.
    ///
    /// # Errors
    /// As [`FileStore::open`], except the lock and write errors.
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Self, FileStoreError> {
        Self::open_with(
            dir,
            &OpenOptions {
                access: Access::ReadOnly,
                ..OpenOptions::default()
            },
        )
    }

    /// Reads and checks the header of the store in `dir` (rule R1) without opening anything
    /// else, and returns the ledger origin it records: for a verifier that must tell a damaged
    /// header (tampering, [`FileStoreError::is_damage`]) from a wrong path.
    ///
    /// # Errors
    /// [`FileStoreError::NotAStore`], [`FileStoreError::BadMagic`],
    /// [`FileStoreError::UnsupportedVersion`], [`FileStoreError::UnknownSuite`],
    /// [`FileStoreError::BadHeader`] or an I/O error.
    pub fn read_header(dir: impl AsRef<Path>) -> Result<String, FileStoreError> {
        read_header(dir.as_ref()).map(|(origin, _)| origin)
    }

    /// Opens the store in `dir` with `options`.
    ///
    /// # Errors
    /// As [`FileStore::open`].
    pub fn open_with(dir: impl AsRef<Path>, options: &OpenOptions) -> Result<Self, FileStoreError> {
        let dir = dir.as_ref().to_path_buf();
        let header = read_header(&dir)?;
        let lock = match options.access {
            Access::Write => Some(acquire_lock(&dir)?),
            Access::ReadOnly => None,
        };
        Self::open_locked(dir, header, lock, options)
    }

    /// Opens the store whose header (origin, format version) was read, as the writer if `lock`
    /// is held.
    fn open_locked(
        dir: PathBuf,
        (origin, version): (String, u32),
        lock: Option<File>,
        options: &OpenOptions,
    ) -> Result<Self, FileStoreError> {
        let writable = lock.is_some();
        let faults = options.faults.as_ref();
        let entries = LogFiles::open(&dir, ENTRY_LOG_FILE, ENTRY_INDEX_FILE, writable, faults)?;
        let checkpoints = LogFiles::open(
            &dir,
            CHECKPOINT_LOG_FILE,
            CHECKPOINT_INDEX_FILE,
            writable,
            faults,
        )?;

        let (mark_file, mark) = open_mark(&dir, writable, faults)?;

        // Analysis: reads only.
        let e_index_len = entries
            .index
            .len()
            .map_err(io_error(&entries.index_path, "reading the length of"))?;
        let e_count = layout::group_count(e_index_len);
        let e_index = EntryIndex {
            file: &*entries.index,
            count: e_count,
        };
        let mut e_info = entries.info(MAX_ENTRY_BYTES);
        // Rule R13: the entry log of a format-2 store is preallocated.
        let preallocated = version >= layout::PREALLOCATED_SINCE;
        e_info.preallocated = preallocated;
        // Rule R2a: the groups written since the last durable index point are checked one by
        // one; the mark may claim more than the index holds (an index cut behind the store's
        // back): the frames after the index are then adopted or refused by rule R5a.
        let durable = mark.entries.min(e_count);
        let mut e_state = recover::analyze(&e_info, &e_index, Some((&*entries.index, durable)))
            .map_err(io_error(&entries.log_path, "reading"))?;

        let c_index_len = checkpoints
            .index
            .len()
            .map_err(io_error(&checkpoints.index_path, "reading the length of"))?;
        let c_count = c_index_len / layout::CHECKPOINT_RECORD_LEN;
        let c_index = CheckpointIndex {
            file: &*checkpoints.index,
            count: c_count,
        };
        let c_info = checkpoints.info(MAX_CHECKPOINT_BYTES);
        let mut c_state = recover::analyze(&c_info, &c_index, None)
            .map_err(io_error(&checkpoints.log_path, "reading"))?;

        // Rule R5a: frames after the index are adopted only if they are accounted for.
        recover::account_entries(&e_info, &e_index, &mut e_state)
            .map_err(io_error(&entries.log_path, "reading"))?;
        if !c_state.adopt.is_empty() {
            let genesis = recover::genesis_verifier(&e_info, e_state.log_len)
                .map_err(io_error(&entries.log_path, "reading"))?;
            recover::account_checkpoints(&c_info, &mut c_state, genesis.as_ref())
                .map_err(io_error(&checkpoints.log_path, "reading"))?;
        }

        let mut omitted = 0;
        // The registry changes the kept entry frames hold, when a full check decoded them all.
        let mut frame_registry: Option<Vec<u64>> = None;
        if options.check == Check::Full {
            let mut visit = recover::NodeVisitor::new(&*entries.index);
            let (found, more) =
                recover::full_check(&e_info, &e_index, e_state.kept, e_state.log_len, &mut visit)
                    .map_err(io_error(&entries.log_path, "checking"))?;
            e_state.tampering.extend(found);
            omitted += more;
            frame_registry = visit.decoded.then_some(visit.registry);
            let (found, more) = recover::full_check(
                &c_info,
                &c_index,
                c_state.kept,
                c_state.log_len,
                &mut recover::NoteVisitor,
            )
            .map_err(io_error(&checkpoints.log_path, "checking"))?;
            c_state.tampering.extend(found);
            omitted += more;
        }

        let tampered = !(e_state.tampering.is_empty() && c_state.tampering.is_empty());
        // A committed checkpoint record cut off at the end of its log (R4 applied to the
        // checkpoint log) is no crash: a checkpoint is stored only after its frame is synced.
        // The writer must not "recover" by dropping it and writing over the place — that would
        // erase the evidence of a deleted checkpoint (and of the entries it covered). Readers
        // still read what is there; the writer refuses.
        let checkpoint_lost = c_state.dropped > 0;
        // Likewise a committed entry record cut off at the end of the entry log (R4) when a
        // stored checkpoint covers it: the entry was sealed, so its frame was durable long
        // before; dropping it and appending over its place would launder its destruction into
        // a mere checkpoint mismatch. (An unsealed last entry cut off is still recovered as a
        // torn tail, as before: nothing signed vouches for it.)
        let sealed_entry_lost = e_state.dropped > 0
            && e_state.tampering.is_empty()
            && recover::covered_by_checkpoint(&c_info, &c_index, &c_state, e_state.kept)
                .map_err(io_error(&checkpoints.log_path, "reading"))?;
        let apply = writable && !tampered && !checkpoint_lost && !sealed_entry_lost;
        let mut recovery = Recovery {
            entries: tail_report(&e_state, e_index_len, layout::group_start(e_count)),
            checkpoints: tail_report(
                &c_state,
                c_index_len,
                c_count * layout::CHECKPOINT_RECORD_LEN,
            ),
            tampering: Vec::new(),
            tampering_omitted: omitted,
            applied: apply,
            registry_rebuilt: false,
        };
        recovery.tampering.extend(e_state.tampering.iter().cloned());
        recovery.tampering.extend(c_state.tampering.iter().cloned());
        // The two cuts no crash explains are evidence of tampering too (what the writer refuses
        // a verifier must report): listed for writers and readers alike.
        for (lost, st, info, sealed_entry) in [
            (sealed_entry_lost, &e_state, &e_info, true),
            (
                checkpoint_lost && c_state.tampering.is_empty(),
                &c_state,
                &c_info,
                false,
            ),
        ] {
            if lost {
                recovery.tampering.push(Tampering {
                    file: info.log_path.to_path_buf(),
                    offset: Some(st.kept_end),
                    record: Some(st.kept),
                    kind: TamperingKind::CommittedRecordCut { sealed_entry },
                });
            }
        }
        if !apply {
            recovery.entries.pending = recovery.entries.adopted;
            recovery.checkpoints.pending = recovery.checkpoints.adopted;
            recovery.entries.adopted = 0;
            recovery.checkpoints.adopted = 0;
        }

        let hasher = Sha256TreeHasher;
        let mut store = FileStore {
            dir,
            origin,
            lock,
            hasher,
            size: 0,
            entries_end: 0,
            preallocated,
            entries_capacity: 0,
            frontier: Frontier::default(),
            checkpoint_count: 0,
            checkpoints_end: 0,
            recovery,
            refusal: Arc::default(),
            published: Arc::default(),
            entries: Arc::new(entries),
            checkpoints: Arc::new(checkpoints),
            registry: None,
            mark_file: mark_file.map(Arc::from),
            mark,
            upkeep: upkeep::Upkeep::default(),
        };
        if tampered {
            let first = store
                .recovery
                .tampering
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let _ = store
                .refusal
                .set(format!("tampering found on open: {first}"));
        } else if !writable {
            let _ = store.refusal.set("opened read-only".to_owned());
        } else if checkpoint_lost {
            let _ = store.refusal.set(
                "a committed checkpoint record is cut off at the end of the checkpoint log, which a crash does not explain: records destroyed; the writer will not write over them"
                    .to_owned(),
            );
        } else if sealed_entry_lost {
            let _ = store.refusal.set(format!(
                "entry {} is cut off at the end of the entry log although it is covered by a stored checkpoint, which a crash does not explain: a sealed record destroyed; the writer will not write over it",
                e_state.kept
            ));
        }

        // The view each log presents.
        let view = |st: &LogState| {
            if !st.tampering.is_empty() {
                (st.indexed, st.log_len)
            } else if apply {
                (st.kept + st.adopt.len() as u64, st.end)
            } else {
                (st.kept, st.kept_end)
            }
        };
        (store.size, store.entries_end) = view(&e_state);
        // The writer's log length after recovery: a torn tail is cut off (the file then ends
        // with its last frame, and the next append grows it again).
        store.entries_capacity = e_state.cut.unwrap_or(e_state.log_len);
        (store.checkpoint_count, store.checkpoints_end) = view(&c_state);
        if apply {
            store.frontier = Frontier::load(&*store.entries.index, e_state.kept)
                .map_err(io_error(&store.entries.index_path, "reading"))?;
            let mut frontier = store.frontier.clone();
            let hasher = store.hasher;
            repair(
                &store.entries,
                &e_state,
                e_index_len,
                layout::group_start(e_state.kept),
                |offset, len, sum, out| frontier.push_group(&hasher, offset, len, sum, out),
            )?;
            store.frontier = frontier;
            repair(
                &store.checkpoints,
                &c_state,
                c_index_len,
                c_state.kept * layout::CHECKPOINT_RECORD_LEN,
                |offset, len, _sum, out| layout::encode_record_head(offset, len, out),
            )?;
        }
        let mut remark = apply && mark.entries > e_state.kept;
        store.registry = match load_registry_index(&store.dir, writable, store.size, mark, faults)?
        {
            RegistryLoad::Missing => None,
            _ if tampered => None,
            RegistryLoad::Loaded {
                file,
                durable,
                tail,
                partial,
            } => store.registry_tail(file, durable, tail, partial, apply)?,
            RegistryLoad::Suspect(file) if apply => {
                drop(file);
                store.recovery.registry_rebuilt = true;
                remark = true;
                Some(store.rebuild_registry_index(faults)?)
            }
            RegistryLoad::Suspect(_) => None,
            RegistryLoad::Tampered(reason) => {
                let t = Tampering {
                    file: store.dir.join(REGISTRY_INDEX_FILE),
                    offset: None,
                    record: None,
                    kind: TamperingKind::RegistryIndex { reason },
                };
                let _ = store.refusal.set(format!("tampering found on open: {t}"));
                store.recovery.tampering.push(t);
                store.recovery.applied = false;
                None
            }
        };
        // Rule R11 in a full check: the registry index a writer would use must list exactly the
        // registry changes the frames hold. `Ledger::open` refuses a store whose index does
        // not (the records below the mark are trusted by the store, and an outsider who also
        // forges the mark can edit them): what the writer refuses, the verifier reports.
        if let (Some(derived), Some(index)) = (frame_registry, store.registry.as_ref()) {
            let kept = e_state.kept;
            let listed: Vec<u64> = index.seqs.iter().copied().filter(|&s| s < kept).collect();
            if listed != derived && store.recovery.tampering.is_empty() {
                let t = Tampering {
                    file: store.dir.join(REGISTRY_INDEX_FILE),
                    offset: None,
                    record: None,
                    kind: TamperingKind::RegistryIndex {
                        reason: "it does not list the registry changes the entry frames hold, so the writer refuses the ledger",
                    },
                };
                let _ = store.refusal.set(format!("tampering found on open: {t}"));
                store.recovery.tampering.push(t);
                store.recovery.applied = false;
            }
        }
        if remark && store.refusal.get().is_none() {
            // The index was cut below the mark (or the registry index rebuilt): the groups
            // rewritten since are not covered by the old mark, so write a new one now.
            store.write_mark()?;
        }
        store.publish();
        Ok(store)
    }

    /// Rule R11 for the registry records written since the last mark: they are derived from
    /// the entry frames written since (O(entries since the mark)) and, if the file disagrees —
    /// records lost to a crash (they are written without a sync), a partial record, records
    /// for entries that are not there — a writer rewrites them from the frames and syncs; a
    /// reader uses the derived ones. `None` if a frame since the mark does not decode (the
    /// ledger then reads every entry and reports it).
    fn registry_tail(
        &mut self,
        file: Box<dyn DataFile>,
        mut durable: Vec<u64>,
        tail: Vec<u64>,
        partial: bool,
        apply: bool,
    ) -> Result<Option<RegistryIndex>, FileStoreError> {
        let from = self.mark.entries.min(self.size);
        let mut derived = Vec::new();
        for seq in from..self.size {
            let Ok(bytes) = self.read_entry(seq) else {
                return Ok(None);
            };
            let Ok(entry) = crate::entry::Entry::from_bytes(&bytes) else {
                return Ok(None);
            };
            if entry.statement.statement.event.is_registry_change() {
                derived.push(seq);
            }
        }
        if (tail != derived || partial) && apply {
            let path = self.dir.join(REGISTRY_INDEX_FILE);
            let at = durable.len() as u64 * 8;
            let bytes: Vec<u8> = derived.iter().flat_map(|s| s.to_le_bytes()).collect();
            file.write_all_at(&bytes, at)
                .map_err(io_error(&path, "rewriting registry records in"))?;
            file.set_len(at + bytes.len() as u64)
                .map_err(io_error(&path, "truncating"))?;
            file.sync_data().map_err(io_error(&path, "syncing"))?;
            self.recovery.registry_rebuilt = true;
        }
        durable.extend(derived);
        Ok(Some(RegistryIndex {
            file: Arc::from(file),
            seqs: durable,
        }))
    }

    /// Rebuilds the registry index from the entry frames (O(n), once): the sequence numbers of
    /// the entries whose event changes the key registry. Written to a temporary file, synced,
    /// renamed over the old index, the directory synced: a crash leaves the old or the new.
    fn rebuild_registry_index(
        &self,
        faults: Option<&Faults>,
    ) -> Result<RegistryIndex, FileStoreError> {
        let mut seqs = Vec::new();
        for seq in 0..self.size {
            let bytes = self.read_entry(seq)?;
            let entry =
                crate::entry::Entry::from_bytes(&bytes).map_err(|_| FileStoreError::Corrupt {
                    path: self.entries.log_path.clone(),
                    record: seq,
                    offset: 0,
                    fault: FrameFault::NotAnEntry,
                })?;
            if entry.statement.statement.event.is_registry_change() {
                seqs.push(seq);
            }
        }
        let path = self.dir.join(REGISTRY_INDEX_FILE);
        let temp = self.dir.join(REGISTRY_TEMP_FILE);
        let bytes: Vec<u8> = seqs.iter().flat_map(|s| s.to_le_bytes()).collect();
        write_synced(&temp, &bytes)?;
        fs::rename(&temp, &path).map_err(io_error(&path, "renaming the rebuilt index to"))?;
        sync_dir(&self.dir)?;
        let file = open_data_file(&path, true, faults)?;
        Ok(RegistryIndex {
            file: Arc::from(file),
            seqs,
        })
    }

    /// Makes the entry index and the registry index durable now and records it in the index
    /// mark, so that the next open checks nothing of them record by record (rule R2a). Appends
    /// do this on their own every 512 entries, after the commit, on a thread of their own; a
    /// long-running writer may also call it before it shuts down. Needless for durability: the
    /// frames are.
    ///
    /// # Errors
    /// [`FileStoreError::ReadOnly`] for a reader or a store that refuses writes; an I/O error
    /// (the store then latches, like after any failed write), also one of the upkeep the last
    /// commit started.
    pub fn sync_index(&mut self) -> Result<(), FileStoreError> {
        self.settle()?;
        self.writable()?;
        self.write_mark()
    }

    /// Number of entries this handle acknowledged (never fails, unlike
    /// [`StoreRead::size`] in general).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Number of checkpoints this handle holds (never fails).
    pub fn checkpoint_count(&self) -> u64 {
        self.checkpoint_count
    }

    /// A reader that shares this store's read-only file descriptors and sees what this handle
    /// acknowledged, now and after later commits: it never waits for the writer (a commit in
    /// progress, its `fdatasync`, is invisible to it until it returned). `Clone` and `Sync`.
    pub fn reader(&self) -> FileStoreReader {
        FileStoreReader {
            origin: Arc::from(self.origin.as_str()),
            entries: Arc::clone(&self.entries),
            checkpoints: Arc::clone(&self.checkpoints),
            published: Arc::clone(&self.published),
            refusal: Arc::clone(&self.refusal),
            recovery: Arc::new(self.recovery.clone()),
        }
    }

    /// Makes what this handle acknowledged visible to its readers: the entry log's end before
    /// the size (a reader that sees a size finds the frames inside the end it reads next).
    fn publish(&self) {
        let p = &self.published;
        p.entries_end.store(self.entries_end, Ordering::Release);
        p.size.store(self.size, Ordering::Release);
        p.checkpoints_end
            .store(self.checkpoints_end, Ordering::Release);
        p.checkpoint_count
            .store(self.checkpoint_count, Ordering::Release);
    }

    /// The read view of this handle.
    fn reads(&self) -> Reads<'_> {
        Reads {
            entries: &self.entries,
            checkpoints: &self.checkpoints,
            refusal: &self.refusal,
            size: self.size,
            entries_end: self.entries_end,
            checkpoint_count: self.checkpoint_count,
            checkpoints_end: self.checkpoints_end,
        }
    }

    /// The ledger origin recorded in the header.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether this store holds the writer lock.
    pub fn is_writer(&self) -> bool {
        self.lock.is_some()
    }

    fn writable(&self) -> Result<(), FileStoreError> {
        match self.refusal.get() {
            Some(reason) => Err(FileStoreError::ReadOnly {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Runs a write-path operation; on failure latches the store read-only.
    fn step(
        &self,
        result: io::Result<()>,
        path: &Path,
        op: &'static str,
    ) -> Result<(), FileStoreError> {
        upkeep::latch(&self.refusal, result, path, op)
    }

    /// Writes `frames` to the log of `files` at `offset`, then `fdatasync`s the log: the first two
    /// steps of both commits.
    fn write_durably(
        &self,
        files: &LogFiles,
        frames: &[u8],
        offset: u64,
        op: &'static str,
    ) -> Result<(), FileStoreError> {
        self.step(files.log.write_all_at(frames, offset), &files.log_path, op)?;
        self.step(files.log.sync_data(), &files.log_path, "syncing")
    }

    /// Appends entries: frames, `fdatasync`, index groups and registry records (no sync). See
    /// [`StoreWrite::append`] and `docs/STORE.md`, "Commit protocol".
    fn append_entries(&mut self, entries: &[EncodedEntry]) -> Result<(), FileStoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.settle()?;
        self.writable()?;
        let payload: usize = entries.iter().map(|e| e.bytes.len()).sum();
        let mut frames = Vec::with_capacity(payload + entries.len() * FRAME_OVERHEAD as usize);
        let mut end = self.entries_end;
        for e in entries {
            let len = e.bytes.len();
            if len == 0 || len > MAX_ENTRY_BYTES {
                return Err(FileStoreError::BadRecordLength {
                    path: self.entries.log_path.clone(),
                    record: e.seq,
                    len,
                    max: MAX_ENTRY_BYTES,
                });
            }
            // One pass that checks and lays out. (On all cores, the checksums of a batch took
            // longer: the pool's threads sleep once the signatures of the batch are checked.)
            let sum = layout::checksum(&e.bytes);
            if sum != e.leaf_hash {
                return Err(FileStoreError::LeafHashMismatch {
                    path: self.entries.log_path.clone(),
                    seq: e.seq,
                });
            }
            layout::encode_frame(&e.bytes, &sum, &mut frames);
            end += FRAME_OVERHEAD + len as u64;
        }
        // The index groups: positions and node hashes (the frontier's new perfect subtrees),
        // laid out while the frames are synced — a large batch's on the pool — since they are
        // written only after the sync.
        let mut frontier = self.frontier.clone();
        // A group: a 12-byte head, the leaf hash and on average one node hash (at most 64).
        let mut groups =
            Vec::with_capacity(entries.len() * (12 + 2 * DIGEST_LEN) + 64 * DIGEST_LEN);
        let first = self.entries_end;
        let hasher = &self.hasher;
        let lay_out_groups = |frontier: &mut Frontier, groups: &mut Vec<u8>| {
            let mut at = first;
            for e in entries {
                let len = e.bytes.len() as u64;
                frontier.push_group(hasher, at, len, e.leaf_hash, groups);
                at += FRAME_OVERHEAD + len;
            }
        };
        // A preallocated log is overwritten in place, so the commit's `fdatasync` carries data
        // blocks only. A batch that does not fit the free space the upkeep keeps ahead grows
        // the log to the next multiple of the chunk in the same write, as zeros after the
        // frames: that one commit also syncs the new file length.
        let mut capacity = self.entries_capacity;
        if self.preallocated && end > capacity {
            capacity = end.div_ceil(layout::PREALLOC_CHUNK) * layout::PREALLOC_CHUNK;
            frames.resize(frames.len() + (capacity - end) as usize, 0);
        }
        let changes: Vec<u64> = entries
            .iter()
            .filter(|e| e.registry_change)
            .map(|e| e.seq)
            .collect();
        let group = end - first;
        let files = &self.entries;
        if entries.len() >= OVERLAPPED_GROUPS {
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| lay_out_groups(&mut frontier, &mut groups));
                self.write_durably(files, &frames, first, "writing frames to")
            })?;
        } else {
            lay_out_groups(&mut frontier, &mut groups);
            self.write_durably(files, &frames, first, "writing frames to")?;
        }
        self.step(
            files
                .index
                .write_all_at(&groups, layout::group_start(self.size)),
            &files.index_path,
            "writing index groups to",
        )?;
        // No sync: the groups and registry records are derived from the frames, which are
        // durable; rule R2a checks them on open, and the next mark makes them durable.
        self.write_registry_records(&changes)?;
        self.size += entries.len() as u64;
        self.entries_end = end;
        self.entries_capacity = capacity.max(end);
        self.frontier = frontier;
        if let Some(index) = self.registry.as_mut() {
            index.seqs.extend(changes);
        }
        // Durable and acknowledged: the mark and the log's growth, if due, are done while the
        // caller goes on.
        self.start_upkeep(group);
        Ok(())
    }

    /// Writes the registry index records of a batch after its frames are durable, without a
    /// sync: records lost to a crash are derived again from the frames on open (rule R11).
    fn write_registry_records(&self, changes: &[u64]) -> Result<(), FileStoreError> {
        let Some(RegistryIndex { file, seqs }) = self.registry.as_ref() else {
            return Ok(());
        };
        if changes.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(REGISTRY_INDEX_FILE);
        let bytes: Vec<u8> = changes.iter().flat_map(|s| s.to_le_bytes()).collect();
        self.step(
            file.write_all_at(&bytes, seqs.len() as u64 * 8),
            &path,
            "writing registry records to",
        )
    }

    /// Appends a checkpoint: frame, `fdatasync`, index record, `fdatasync`.
    fn append_note(&mut self, note: &str) -> Result<(), FileStoreError> {
        self.settle()?;
        self.writable()?;
        let len = note.len();
        if len == 0 || len > MAX_CHECKPOINT_BYTES {
            return Err(FileStoreError::BadRecordLength {
                path: self.checkpoints.log_path.clone(),
                record: self.checkpoint_count,
                len,
                max: MAX_CHECKPOINT_BYTES,
            });
        }
        let mut frame = Vec::with_capacity(len + FRAME_OVERHEAD as usize);
        layout::encode_frame(
            note.as_bytes(),
            &layout::checksum(note.as_bytes()),
            &mut frame,
        );
        let files = &self.checkpoints;
        self.write_durably(
            files,
            &frame,
            self.checkpoints_end,
            "writing a checkpoint to",
        )?;
        let mut record = Vec::with_capacity(layout::CHECKPOINT_RECORD_LEN as usize);
        layout::encode_record_head(self.checkpoints_end, len as u64, &mut record);
        self.step(
            files.index.write_all_at(
                &record,
                self.checkpoint_count * layout::CHECKPOINT_RECORD_LEN,
            ),
            &files.index_path,
            "writing a checkpoint record to",
        )?;
        self.step(files.index.sync_data(), &files.index_path, "syncing")?;
        self.checkpoint_count += 1;
        self.checkpoints_end += frame.len() as u64;
        Ok(())
    }

    fn read_entry(&self, seq: u64) -> Result<Vec<u8>, FileStoreError> {
        self.reads().entry(seq)
    }
}

/// The sizes a writer publishes for its readers after each commit (and on open).
#[derive(Debug, Default)]
struct Published {
    size: AtomicU64,
    entries_end: AtomicU64,
    checkpoint_count: AtomicU64,
    checkpoints_end: AtomicU64,
}

/// A reader of a [`FileStore`] (from [`FileStore::reader`]): shares the writer's read-only
/// file descriptors, reads by position only, and sees the sizes the writer published after
/// its last acknowledged commit. It takes no lock the writer holds: a commit in progress,
/// blocked in its `fdatasync`, does not delay it. `Clone`, `Send` and `Sync`.
#[derive(Clone, Debug)]
pub struct FileStoreReader {
    origin: Arc<str>,
    entries: Arc<LogFiles>,
    checkpoints: Arc<LogFiles>,
    published: Arc<Published>,
    refusal: Arc<OnceLock<String>>,
    recovery: Arc<Recovery>,
}

impl FileStoreReader {
    /// The read view as published now: the size first, then the end it lies inside.
    fn reads(&self) -> Reads<'_> {
        let p = &self.published;
        let size = p.size.load(Ordering::Acquire);
        let checkpoint_count = p.checkpoint_count.load(Ordering::Acquire);
        Reads {
            entries: &self.entries,
            checkpoints: &self.checkpoints,
            refusal: &self.refusal,
            size,
            entries_end: p.entries_end.load(Ordering::Acquire),
            checkpoint_count,
            checkpoints_end: p.checkpoints_end.load(Ordering::Acquire),
        }
    }
}

/// Reads of one consistent view of the files: `size` entries whose frames lie inside
/// `entries_end`, `checkpoint_count` checkpoints inside `checkpoints_end`. Every read checks
/// what it reads (rule R10); a corrupt record latches the store.
struct Reads<'a> {
    entries: &'a LogFiles,
    checkpoints: &'a LogFiles,
    refusal: &'a OnceLock<String>,
    size: u64,
    entries_end: u64,
    checkpoint_count: u64,
    checkpoints_end: u64,
}

/// At most this many frame bytes are read in one positional read by [`Reads::entries`]; a
/// longer range is read in several.
const MAX_RANGE_READ: u64 = 4 << 20;

/// Node positions at most this many bytes apart are read together by [`Reads::nodes_at`]:
/// reading the bytes between two nodes costs less than a second positional read.
const NODE_READ_GAP: u64 = 4096;

impl Reads<'_> {
    /// Records a corrupt record found while reading: the store refuses writes from then on.
    fn corrupt(&self, path: &Path, record: u64, offset: u64, fault: FrameFault) -> FileStoreError {
        let e = FileStoreError::Corrupt {
            path: path.to_path_buf(),
            record,
            offset,
            fault,
        };
        let _ = self.refusal.set(format!("corrupt data found: {e}"));
        e
    }

    fn entry(&self, seq: u64) -> Result<Vec<u8>, FileStoreError> {
        let files = self.entries;
        let mut head = [0u8; layout::GROUP_HEAD_LEN];
        files
            .index
            .read_exact_at(&mut head, layout::group_start(seq))
            .map_err(io_error(&files.index_path, "reading"))?;
        let (offset, expected_len, leaf) = layout::parse_group_head(&head);
        let read = layout::read_frame(&*files.log, offset, self.entries_end, MAX_ENTRY_BYTES)
            .map_err(io_error(&files.log_path, "reading"))?;
        let fault = match read {
            FrameRead::Valid { len, sum, payload } if sum == leaf && len == expected_len => {
                return Ok(payload)
            }
            FrameRead::Valid { .. } => FrameFault::IndexMismatch,
            FrameRead::Cut => FrameFault::Cut,
            FrameRead::BadLength { len } => FrameFault::BadLength { len },
            FrameRead::BadChecksum { .. } => FrameFault::BadChecksum,
        };
        Err(self.corrupt(&files.log_path, seq, offset, fault))
    }

    /// Entries `range` (inside `size`): the group heads in one positional read, then the
    /// frames — contiguous in the log — in one positional read per [`MAX_RANGE_READ`] bytes,
    /// each frame checked against its group (length, checksum = leaf hash) as
    /// [`Reads::entry`] checks it. Where the heads do not chain (a damaged index), or a frame
    /// does not check, the entries are read one by one from there, so that the error is the
    /// one a single read gives.
    fn entries(&self, range: Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        super::check_entry_range(&range, self.size)?;
        let files = self.entries;
        let mut out =
            Vec::with_capacity(usize::try_from(range.end.saturating_sub(range.start)).unwrap_or(0));
        let mut seq = range.start;
        while seq < range.end {
            let heads = self.heads(seq, range.end)?;
            let Some(&(first, _, _)) = heads.first() else {
                out.push(self.entry(seq)?);
                seq += 1;
                continue;
            };
            // How many of the heads chain inside one read of at most MAX_RANGE_READ bytes.
            let mut end = first;
            let mut take = 0usize;
            for &(offset, len, _) in &heads {
                let frame = FRAME_OVERHEAD.saturating_add(len);
                let chained = offset == end
                    && len >= 1
                    && len <= MAX_ENTRY_BYTES as u64
                    && end.saturating_add(frame) <= self.entries_end;
                if !chained || (take > 0 && end - first + frame > MAX_RANGE_READ) {
                    break;
                }
                end += frame;
                take += 1;
            }
            let mut buf = vec![0u8; usize::try_from(end - first).unwrap_or(0)];
            let read = take > 0 && files.log.read_exact_at(&mut buf, first).is_ok();
            let mut at = 0usize;
            let mut taken = 0usize;
            if read {
                for &(_, len, leaf) in heads.iter().take(take) {
                    let Some(payload) = frame_payload(&buf, at, len, &leaf) else {
                        break;
                    };
                    out.push(payload.to_vec());
                    at += FRAME_OVERHEAD as usize + payload.len();
                    taken += 1;
                }
            }
            seq += taken as u64;
            if taken < take.max(1) {
                // Not chained, not readable or not intact: this entry alone, as a single read
                // judges it (its error, or its bytes if only the chaining was off). A read
                // that stopped only at MAX_RANGE_READ goes on with the next positional read.
                out.push(self.entry(seq)?);
                seq += 1;
            }
        }
        Ok(out)
    }

    /// The group heads (frame offset, payload length, leaf hash) of entries `from..to`, at
    /// most as many as fit [`MAX_RANGE_READ`] bytes of index: one positional read.
    fn heads(&self, from: u64, to: u64) -> Result<Vec<(u64, u64, Digest)>, FileStoreError> {
        let files = self.entries;
        let start = layout::group_start(from);
        let mut to = to;
        while to > from + 1 && layout::group_start(to) - start > MAX_RANGE_READ {
            to = from + (to - from) / 2;
        }
        let end = layout::group_start(to);
        let mut buf = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
        files
            .index
            .read_exact_at(&mut buf, start)
            .map_err(io_error(&files.index_path, "reading"))?;
        let mut heads = Vec::with_capacity(usize::try_from(to - from).unwrap_or(0));
        for n in from..to {
            let at = usize::try_from(layout::group_start(n) - start).unwrap_or(usize::MAX);
            let Some(head) = buf
                .get(at..at.saturating_add(layout::GROUP_HEAD_LEN))
                .and_then(|b| <&[u8; layout::GROUP_HEAD_LEN]>::try_from(b).ok())
            else {
                break;
            };
            heads.push(layout::parse_group_head(head));
        }
        Ok(heads)
    }

    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, FileStoreError> {
        let covered = u32::from(level) < u64::BITS
            && index
                .checked_add(1)
                .and_then(|i| i.checked_mul(1u64 << level))
                .is_some_and(|end| end <= self.size);
        // Only a subtree the store holds has a position: asking for one far past the end must
        // be "no such node", never an overflow (found by the conformance suite).
        let Some(pos) = covered
            .then(|| layout::node_position(level, index))
            .flatten()
        else {
            return Ok(None);
        };
        let mut buf = [0u8; DIGEST_LEN];
        self.entries
            .index
            .read_exact_at(&mut buf, pos)
            .map_err(io_error(&self.entries.index_path, "reading"))?;
        Ok(Some(layout::digest(&buf)))
    }

    /// Node hashes `range` of `level`: where their positions lie within [`MAX_RANGE_READ`]
    /// bytes of the index (leaf hashes, low levels), one positional read; else one read each
    /// (the nodes of a high level lie far apart).
    fn nodes(&self, level: u8, range: Range<u64>) -> Result<Vec<Digest>, StoreError> {
        super::check_node_range(level, &range, self.size)?;
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let positions: Option<Vec<u64>> = range
            .clone()
            .map(|i| layout::node_position(level, i))
            .collect();
        let (Some(positions), Some(&first)) = (
            positions.as_ref(),
            positions.as_ref().and_then(|p| p.first()),
        ) else {
            return Err(StoreError::NoSuchNode {
                level,
                index: range.start,
            });
        };
        let last = positions.last().copied().unwrap_or(first);
        let span = last - first + DIGEST_LEN as u64;
        if span <= MAX_RANGE_READ {
            let files = self.entries;
            let mut buf = vec![0u8; usize::try_from(span).unwrap_or(0)];
            files
                .index
                .read_exact_at(&mut buf, first)
                .map_err(io_error(&files.index_path, "reading"))
                .map_err(StoreError::from)?;
            return Ok(positions
                .iter()
                .map(|&p| {
                    let at = usize::try_from(p - first).unwrap_or(usize::MAX);
                    layout::digest(
                        buf.get(at..at.saturating_add(DIGEST_LEN))
                            .unwrap_or_default(),
                    )
                })
                .collect());
        }
        range
            .map(|index| {
                self.node(level, index)?
                    .ok_or(StoreError::NoSuchNode { level, index })
            })
            .collect()
    }

    /// Node hashes `nodes` (`(level, index)`, any levels, any order), in the order given:
    /// sorted by position in the index, and every run of positions less than
    /// [`NODE_READ_GAP`] bytes apart read with one positional read (the nodes of a proof near
    /// its leaf lie within a few groups of each other; the high ones lie far apart).
    fn nodes_at(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, StoreError> {
        let files = self.entries;
        let mut out = vec![None; nodes.len()];
        files.nodes.fill(nodes, &mut out);
        let mut at = Vec::with_capacity(nodes.len());
        for (k, &(level, index)) in nodes.iter().enumerate() {
            super::check_node(level, index, self.size)?;
            if out.get(k).is_some_and(Option::is_some) {
                continue;
            }
            let pos = layout::node_position(level, index)
                .ok_or(StoreError::NoSuchNode { level, index })?;
            at.push((pos, k));
        }
        at.sort_unstable();
        let mut buf = Vec::new();
        let mut run = 0usize;
        while let Some(&(first, _)) = at.get(run) {
            // The run: every next position within the gap of the previous one.
            let mut end = run + 1;
            while let (Some(&(prev, _)), Some(&(next, _))) = (at.get(end - 1), at.get(end)) {
                if next - prev > NODE_READ_GAP {
                    break;
                }
                end += 1;
            }
            let last = at.get(end - 1).map_or(first, |&(p, _)| p);
            buf.resize(usize::try_from(last - first).unwrap_or(0) + DIGEST_LEN, 0);
            files
                .index
                .read_exact_at(&mut buf, first)
                .map_err(io_error(&files.index_path, "reading"))?;
            for &(pos, k) in at.get(run..end).unwrap_or_default() {
                let from = usize::try_from(pos - first).unwrap_or(usize::MAX);
                if let (Some(slot), Some(bytes)) = (
                    out.get_mut(k),
                    buf.get(from..from.saturating_add(DIGEST_LEN)),
                ) {
                    *slot = Some(layout::digest(bytes));
                }
            }
            run = end;
        }
        files.nodes.keep(
            at.iter()
                .filter_map(|&(_, k)| Some((*nodes.get(k)?, (*out.get(k)?)?))),
        );
        out.into_iter()
            .zip(nodes)
            .map(|(hash, &(level, index))| hash.ok_or(StoreError::NoSuchNode { level, index }))
            .collect()
    }

    fn note(&self, index: u64) -> Result<String, FileStoreError> {
        let files = self.checkpoints;
        let mut b = [0u8; layout::CHECKPOINT_RECORD_LEN as usize];
        files
            .index
            .read_exact_at(&mut b, index * layout::CHECKPOINT_RECORD_LEN)
            .map_err(io_error(&files.index_path, "reading"))?;
        let (offset, expected_len) = layout::parse_record_head(&b);
        let read = layout::read_frame(
            &*files.log,
            offset,
            self.checkpoints_end,
            MAX_CHECKPOINT_BYTES,
        )
        .map_err(io_error(&files.log_path, "reading"))?;
        let fault = match read {
            FrameRead::Valid { len, .. } if len != expected_len => FrameFault::IndexMismatch,
            FrameRead::Valid { payload, .. } => match String::from_utf8(payload) {
                Ok(note) => return Ok(note),
                Err(_) => FrameFault::NotUtf8,
            },
            FrameRead::Cut => FrameFault::Cut,
            FrameRead::BadLength { len } => FrameFault::BadLength { len },
            FrameRead::BadChecksum { .. } => FrameFault::BadChecksum,
        };
        Err(self.corrupt(&files.log_path, index, offset, fault))
    }

    /// Checkpoints `range`: one read of record and frame each (checkpoints are few and rare;
    /// a seal reads them all).
    fn notes(&self, range: Range<u64>) -> Result<Vec<String>, StoreError> {
        super::check_checkpoint_range(&range, self.checkpoint_count)?;
        range.map(|i| Ok(self.note(i)?)).collect()
    }
}

/// The payload of the frame at `at` in `buf` if it is complete, of length `len`, and its
/// checksum is `leaf` and matches the payload.
fn frame_payload<'b>(buf: &'b [u8], at: usize, len: u64, leaf: &Digest) -> Option<&'b [u8]> {
    let len = usize::try_from(len).ok()?;
    let head = buf.get(at..at.checked_add(4)?)?;
    if u32::from_le_bytes(head.try_into().ok()?) as usize != len {
        return None;
    }
    let payload = buf.get(at + 4..at + 4 + len)?;
    let sum = buf.get(at + 4 + len..at + 4 + len + DIGEST_LEN)?;
    (sum == leaf.as_bytes().as_slice() && layout::checksum(payload) == *leaf).then_some(payload)
}

/// The report of one log's tail; `indexed_len` is where the complete index records end.
fn tail_report(st: &LogState, index_len: u64, indexed_len: u64) -> TailRecovery {
    if !st.tampering.is_empty() {
        return TailRecovery::default();
    }
    TailRecovery {
        torn_bytes: st.torn_bytes,
        dropped: st.dropped,
        adopted: st.adopt.len() as u64,
        index_bytes_cut: index_len.saturating_sub(indexed_len),
        pending: 0,
    }
}

/// Applies one log's recovery: cut the index to the kept records, cut the torn tail, sync the
/// adopted frames, then index them. Each step is idempotent, so a crash during recovery is
/// recovered by the next open. Returns the number of records written.
fn repair(
    files: &LogFiles,
    st: &LogState,
    index_len: u64,
    kept_index_len: u64,
    mut record: impl FnMut(u64, u64, Digest, &mut Vec<u8>),
) -> Result<u64, FileStoreError> {
    if index_len != kept_index_len {
        files
            .index
            .set_len(kept_index_len)
            .map_err(io_error(&files.index_path, "truncating"))?;
        files
            .index
            .sync_data()
            .map_err(io_error(&files.index_path, "syncing"))?;
    }
    if let Some(cut) = st.cut {
        files
            .log
            .set_len(cut)
            .map_err(io_error(&files.log_path, "cutting the torn tail of"))?;
        files
            .log
            .sync_data()
            .map_err(io_error(&files.log_path, "syncing"))?;
    }
    if st.adopt.is_empty() {
        return Ok(0);
    }
    // The adopted frames may still be only in the page cache of the writer that died.
    files
        .log
        .sync_data()
        .map_err(io_error(&files.log_path, "syncing"))?;
    let mut out = Vec::new();
    for (offset, len, sum) in &st.adopt {
        record(*offset, *len, *sum, &mut out);
    }
    files
        .index
        .write_all_at(&out, kept_index_len)
        .map_err(io_error(&files.index_path, "indexing adopted frames in"))?;
    files
        .index
        .sync_data()
        .map_err(io_error(&files.index_path, "syncing"))?;
    Ok(st.adopt.len() as u64)
}

/// Creates the file at `path` (emptying one that exists), writes `bytes` to it and syncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), FileStoreError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(io_error(path, "creating"))?;
    file.write_all(bytes).map_err(io_error(path, "writing"))?;
    file.sync_all().map_err(io_error(path, "syncing"))
}

/// Checks that an origin fits the header and can serve as a C2SP note key name.
fn check_origin(origin: &str) -> Result<(), FileStoreError> {
    let bad = |reason| {
        Err(FileStoreError::BadOrigin {
            origin: origin.to_owned(),
            reason,
        })
    };
    if origin.is_empty() {
        return bad("it is empty");
    }
    if origin.len() > layout::MAX_ORIGIN_BYTES {
        return bad("it is longer than 255 bytes");
    }
    if origin.chars().any(char::is_control) {
        return bad("it contains control characters");
    }
    if !crate::checkpoint::is_valid_key_name(origin) {
        return bad("it is not a valid C2SP note key name (no '+', no white space)");
    }
    Ok(())
}

/// Reads and checks the header of the store in `dir`; returns the origin.
fn read_header(dir: &Path) -> Result<(String, u32), FileStoreError> {
    let meta = fs::metadata(dir).map_err(io_error(dir, "opening directory"))?;
    if !meta.is_dir() {
        return Err(FileStoreError::Io {
            path: dir.to_path_buf(),
            op: "opening directory",
            source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let path = dir.join(HEADER_FILE);
    let file = File::open(&path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => FileStoreError::NotAStore {
            dir: dir.to_path_buf(),
        },
        _ => FileStoreError::Io {
            path: path.clone(),
            op: "opening",
            source,
        },
    })?;
    let mut bytes = Vec::new();
    file.take(layout::MAX_HEADER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(&path, "reading"))?;
    layout::parse_header(&bytes).map_err(|fault| match fault {
        layout::HeaderFault::Magic(found) => FileStoreError::BadMagic { path, found },
        layout::HeaderFault::Version(found) => FileStoreError::UnsupportedVersion {
            path,
            found,
            supported: FORMAT_VERSION,
        },
        layout::HeaderFault::Suite(found) => FileStoreError::UnknownSuite { path, found },
        layout::HeaderFault::Damaged(reason) => FileStoreError::BadHeader { path, reason },
    })
}

/// Opens `path` for reading and writing, creating it if missing (never truncating); a
/// permission or read-only-filesystem error is [`FileStoreError::NotWritable`].
fn open_or_create(path: &Path) -> Result<File, FileStoreError> {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(write_error(path, "opening"))
}

/// Takes the writer lock of the store in `dir` and records the holder in the lock file.
fn acquire_lock(dir: &Path) -> Result<File, FileStoreError> {
    let path = dir.join(LOCK_FILE);
    let file = open_or_create(&path)?;
    // `File::try_lock` is `flock(LOCK_EX | LOCK_NB)` on Unix, `LockFileEx` on Windows. It is
    // stable since Rust 1.89: the workspace `rust-version` must be at least that (the crate
    // forbids `unsafe`, so `flock` cannot be called directly).
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = (&file).take(200).read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(FileStoreError::Locked {
                lock: path,
                holder: if holder.is_empty() {
                    "holder unknown".to_owned()
                } else {
                    holder.to_owned()
                },
            });
        }
        Err(fs::TryLockError::Error(source)) => {
            return Err(FileStoreError::Io {
                path,
                op: "locking",
                source,
            })
        }
    }
    // Informational only: the lock, not this text, excludes other writers.
    let _ = file.set_len(0);
    let _ = (&file).write_all(format!("pid {}\n", std::process::id()).as_bytes());
    Ok(file)
}

/// Makes a directory's entries (new files, renames) durable.
fn sync_dir(dir: &Path) -> Result<(), FileStoreError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error(dir, "syncing directory"))?;
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
    }
    Ok(())
}

/// [`StoreRead`] for the writer's handle and its readers: both read through a [`Reads`] view.
macro_rules! file_reads {
    () => {
        fn size(&self) -> Result<u64, StoreError> {
            Ok(self.reads().size)
        }

        fn origin(&self) -> Option<&str> {
            Some(&self.origin)
        }

        fn entries(&self, range: Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
            self.reads().entries(range)
        }

        fn entry_bytes(&self, seq: u64) -> Result<Vec<u8>, StoreError> {
            let reads = self.reads();
            if seq >= reads.size {
                return Err(StoreError::OutOfRange {
                    seq,
                    size: reads.size,
                });
            }
            Ok(reads.entry(seq)?)
        }

        fn node_hashes(&self, level: u8, range: Range<u64>) -> Result<Vec<Digest>, StoreError> {
            self.reads().nodes(level, range)
        }

        fn perfect_subtree(&self, level: u8, index: u64) -> Result<Digest, StoreError> {
            self.reads()
                .node(level, index)?
                .ok_or(StoreError::NoSuchNode { level, index })
        }

        fn node_hashes_at(&self, nodes: &[(u8, u64)]) -> Result<Vec<Digest>, StoreError> {
            self.reads().nodes_at(nodes)
        }

        fn checkpoint_count(&self) -> Result<u64, StoreError> {
            Ok(self.reads().checkpoint_count)
        }

        fn checkpoints(&self, range: Range<u64>) -> Result<Vec<String>, StoreError> {
            self.reads().notes(range)
        }

        fn checkpoint(&self, index: u64) -> Result<String, StoreError> {
            let reads = self.reads();
            if index >= reads.checkpoint_count {
                return Err(StoreError::NoSuchCheckpoint {
                    index,
                    count: reads.checkpoint_count,
                });
            }
            Ok(reads.note(index)?)
        }

        fn refusal(&self) -> Option<String> {
            self.refusal.get().cloned()
        }
    };
}

impl StoreRead for FileStore {
    file_reads!();

    fn registry_changes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        Ok(self.registry.as_ref().map(|index| index.seqs.clone()))
    }

    fn recovery(&self) -> Recovery {
        self.recovery.clone()
    }

    fn writer_state(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read_writer_state()?)
    }
}

impl StoreRead for FileStoreReader {
    file_reads!();

    fn recovery(&self) -> Recovery {
        Recovery::clone(&self.recovery)
    }
}

impl StoreWrite for FileStore {
    fn append(&mut self, entries: &[EncodedEntry]) -> Result<(), StoreError> {
        for (i, e) in entries.iter().enumerate() {
            let expected = self.size + i as u64;
            if e.seq != expected {
                return Err(StoreError::NotContiguous {
                    expected,
                    got: e.seq,
                });
            }
        }
        let result = self.append_entries(entries);
        // Acknowledged (or not: then nothing changed): readers see exactly what returned Ok.
        self.publish();
        Ok(result?)
    }

    fn append_checkpoint(&mut self, note: &str) -> Result<(), StoreError> {
        let result = self.append_note(note);
        self.publish();
        Ok(result?)
    }

    fn reader(&self) -> Arc<dyn StoreRead> {
        Arc::new(FileStore::reader(self))
    }

    fn put_writer_state(&mut self, bytes: &[u8]) -> Result<bool, StoreError> {
        self.settle()?;
        self.write_writer_state(bytes)?;
        Ok(true)
    }
}

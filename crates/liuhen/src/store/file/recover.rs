//! What opening finds at the end of a log and its index, and the full check of both.
//!
//! Both logs (entries and checkpoints) are checked the same way; the index kinds differ only
//! behind [`RecordIndex`]. Analysis reads and decides; it never writes. The store applies the
//! decision afterwards (writer) or only uses it (reader), so a reader and a writer see the same
//! committed prefix. The rules are the numbered recovery rules of `docs/STORE.md`.

use std::io;
use std::path::{Path, PathBuf};

use super::layout::{
    self, read_frame, search_valid_frame, FrameRead, Frontier, Search, FRAME_OVERHEAD, SEARCH_LIMIT,
};
use super::ops::DataFile;
use super::{FrameFault, Tampering, TamperingKind};
use crate::checkpoint::{NoteVerifier, SignedCheckpoint};
use crate::entry::{Entry, SignedStatement, Statement};
use crate::hash::{Digest, Sha256TreeHasher, TreeHasher, DIGEST_LEN};
use crate::model::Event;

/// At most this many tampering findings are listed by a full check.
pub(super) const MAX_FINDINGS: usize = 100;

/// One index record: where its frame is, how long its payload, and (entry index) its checksum.
#[derive(Clone, Copy, Debug)]
pub(super) struct Record {
    /// Offset of the frame in the log.
    pub(super) offset: u64,
    /// Payload length of the frame.
    pub(super) len: u64,
    /// The frame's checksum, if the index records it.
    pub(super) sum: Option<Digest>,
}

impl Record {
    /// Where the frame ends, if that fits a u64.
    fn end(&self) -> Option<u64> {
        self.offset
            .checked_add(FRAME_OVERHEAD)?
            .checked_add(self.len)
    }
}

/// The index of a log, record by record.
pub(super) trait RecordIndex {
    /// Number of complete records.
    fn count(&self) -> u64;
    /// Record `i`.
    fn record(&self, i: u64) -> io::Result<Record>;
    /// Checks record `i` beyond its head (the entry index: its node hashes), given that all
    /// records before it are right. `Some(kind)` if it is wrong.
    fn check_record(&self, _i: u64) -> io::Result<Option<TamperingKind>> {
        Ok(None)
    }
}

/// The entry index: one group per entry (record head, leaf hash, completed nodes).
pub(super) struct EntryIndex<'a> {
    pub(super) file: &'a dyn DataFile,
    pub(super) count: u64,
}

impl RecordIndex for EntryIndex<'_> {
    fn count(&self) -> u64 {
        self.count
    }

    fn record(&self, i: u64) -> io::Result<Record> {
        let mut head = [0u8; layout::GROUP_HEAD_LEN];
        self.file.read_exact_at(&mut head, layout::group_start(i))?;
        let (offset, len, leaf) = layout::parse_group_head(&head);
        Ok(Record {
            offset,
            len,
            sum: Some(leaf),
        })
    }

    fn check_record(&self, i: u64) -> io::Result<Option<TamperingKind>> {
        // Recompute the nodes entry `i` completes from its leaf hash and the left siblings,
        // which earlier (trusted) groups hold.
        let hasher = Sha256TreeHasher;
        let len = layout::group_len(i) as usize;
        let mut group = vec![0u8; len];
        self.file
            .read_exact_at(&mut group, layout::group_start(i))?;
        let hashes = group_hashes(&group);
        let mut hash = hashes.first().copied().unwrap_or(Digest::ZERO);
        for (level, stored) in hashes.iter().enumerate().skip(1) {
            let child_level = u8::try_from(level - 1).unwrap_or(u8::MAX);
            let left_index = (i >> child_level) - 1;
            let pos = layout::node_position(child_level, left_index)
                .ok_or_else(|| io::Error::other("Merkle node position overflows"))?;
            let mut left = [0u8; DIGEST_LEN];
            self.file.read_exact_at(&mut left, pos)?;
            hash = hasher.hash_children(&layout::digest(&left), &hash);
            if hash != *stored {
                return Ok(Some(node_mismatch(level, i)));
            }
        }
        Ok(None)
    }
}

/// The hashes an entry-index group holds after its record head: the leaf hash, then the node
/// hashes its leaf completes, from level 1 up.
fn group_hashes(group: &[u8]) -> Vec<Digest> {
    group
        .get(layout::RECORD_HEAD_LEN as usize..)
        .unwrap_or_default()
        .chunks_exact(DIGEST_LEN)
        .map(layout::digest)
        .collect()
}

/// The node hash at `level` above entry `i` is not the hash of its children.
fn node_mismatch(level: usize, i: u64) -> TamperingKind {
    TamperingKind::NodeMismatch {
        level: u8::try_from(level).unwrap_or(u8::MAX),
        index: i >> level,
    }
}

/// The first node hash (level 1 up) of entry `i`'s group that `stored` holds differently from
/// `computed`, the nodes the entry's leaf completes.
fn first_node_mismatch(i: u64, computed: &[Digest], stored: &[Digest]) -> Option<TamperingKind> {
    computed
        .iter()
        .zip(stored)
        .enumerate()
        .skip(1)
        .find(|(_, (c, s))| c != s)
        .map(|(level, _)| node_mismatch(level, i))
}

/// The checkpoint index: one record head (frame offset, payload length) per checkpoint.
pub(super) struct CheckpointIndex<'a> {
    pub(super) file: &'a dyn DataFile,
    pub(super) count: u64,
}

impl RecordIndex for CheckpointIndex<'_> {
    fn count(&self) -> u64 {
        self.count
    }

    fn record(&self, i: u64) -> io::Result<Record> {
        let mut b = [0u8; layout::CHECKPOINT_RECORD_LEN as usize];
        self.file
            .read_exact_at(&mut b, i * layout::CHECKPOINT_RECORD_LEN)?;
        let (offset, len) = layout::parse_record_head(&b);
        Ok(Record {
            offset,
            len,
            sum: None,
        })
    }
}

/// What analysis found for one log.
#[derive(Debug, Default)]
pub(super) struct LogState {
    /// Length of the log file.
    pub(super) log_len: u64,
    /// Complete records in the index.
    pub(super) indexed: u64,
    /// Indexed records kept: `indexed`, or one less when the last indexed frame is torn.
    pub(super) kept: u64,
    /// Where the kept frames end in the log.
    pub(super) kept_end: u64,
    /// Complete, valid frames after the kept ones that the index does not cover yet:
    /// (offset, payload length, checksum).
    pub(super) adopt: Vec<(u64, u64, Digest)>,
    /// Where the adopted frames end: the log length after recovery.
    pub(super) end: u64,
    /// A torn tail starts here: the log is cut to this length.
    pub(super) cut: Option<u64>,
    /// Bytes of the torn tail.
    pub(super) torn_bytes: u64,
    /// Index records dropped with the torn tail (0 or 1).
    pub(super) dropped: u64,
    /// Evidence of tampering: when not empty nothing is repaired.
    pub(super) tampering: Vec<Tampering>,
}

/// Paths and limits of one log, for findings.
pub(super) struct LogInfo<'a> {
    pub(super) log: &'a dyn DataFile,
    pub(super) log_path: &'a Path,
    pub(super) index_path: &'a Path,
    pub(super) max: usize,
    /// Whether the log is preallocated (store format 2, entry log): zero bytes after the last
    /// frame are free space, and its data ends where a length field reads 0 (rule R13).
    pub(super) preallocated: bool,
}

impl LogInfo<'_> {
    fn finding(
        &self,
        in_index: bool,
        offset: Option<u64>,
        record: Option<u64>,
        kind: TamperingKind,
    ) -> Tampering {
        let file: PathBuf = if in_index {
            self.index_path.to_path_buf()
        } else {
            self.log_path.to_path_buf()
        };
        Tampering {
            file,
            offset,
            record,
            kind,
        }
    }
}

fn fault_of(read: &FrameRead) -> FrameFault {
    match read {
        FrameRead::Cut => FrameFault::Cut,
        FrameRead::BadLength { len } => FrameFault::BadLength { len: *len },
        FrameRead::BadChecksum { .. } | FrameRead::Valid { .. } => FrameFault::BadChecksum,
    }
}

/// What is wrong with a frame read where an index record points that is not the frame it
/// records: a valid frame of another length or checksum, or a bad frame.
fn mismatch_kind(read: &FrameRead) -> TamperingKind {
    match read {
        FrameRead::Valid { .. } => TamperingKind::IndexMismatch,
        bad => TamperingKind::BadFrame(fault_of(bad)),
    }
}

/// Whether the frame read at `rec.offset` is the one `rec` records.
fn matches(rec: &Record, read: &FrameRead) -> bool {
    match read {
        FrameRead::Valid { len, sum, .. } => *len == rec.len && rec.sum.is_none_or(|c| c == *sum),
        _ => false,
    }
}

/// A window of a file read in large pieces, so that checking many consecutive records costs a
/// few reads rather than several per record.
struct Window<'a> {
    file: &'a dyn DataFile,
    /// Readable length of the file.
    limit: u64,
    start: u64,
    buf: Vec<u8>,
}

impl<'a> Window<'a> {
    /// Bytes read at once (more if one record is longer).
    const PIECE: u64 = 1 << 20;

    fn new(file: &'a dyn DataFile, limit: u64) -> Self {
        Window {
            file,
            limit,
            start: 0,
            buf: Vec::new(),
        }
    }

    /// The `len` bytes at `at`, or `None` if they do not all lie inside the file.
    fn get(&mut self, at: u64, len: u64) -> io::Result<Option<&[u8]>> {
        let Some(end) = at.checked_add(len).filter(|&end| end <= self.limit) else {
            return Ok(None);
        };
        if at < self.start || end > self.start + self.buf.len() as u64 {
            // `len` is a record's length (at most 64 KiB and a frame's overhead): bounded.
            let n = len.max(Self::PIECE).min(self.limit - at);
            self.buf.resize(usize::try_from(n).unwrap_or(0), 0);
            self.file.read_exact_at(&mut self.buf, at)?;
            self.start = at;
        }
        let from = usize::try_from(at - self.start).unwrap_or(usize::MAX);
        let to = usize::try_from(end - self.start).unwrap_or(usize::MAX);
        Ok(self.buf.get(from..to))
    }
}

/// Rule R2a: the entry-index groups `durable .. last` were written after the last durable
/// index point (the index mark) and never synced on their own; each must chain to the one
/// before, point at its frame (length, checksum = leaf hash) and hold the node hashes its leaf
/// completes — what rules R2 and R3 check of the last group. O(groups since the mark), read in
/// large pieces. `None` if they all do.
pub(super) fn check_unsynced(
    info: &LogInfo<'_>,
    index: &dyn DataFile,
    durable: u64,
    last: u64,
    log_len: u64,
) -> io::Result<Option<Tampering>> {
    if durable >= last {
        return Ok(None);
    }
    let hasher = Sha256TreeHasher;
    let mut frontier = Frontier::load(index, durable)?;
    let mut expected = 0u64;
    if durable > 0 {
        let mut head = [0u8; layout::GROUP_HEAD_LEN];
        index.read_exact_at(&mut head, layout::group_start(durable - 1))?;
        let (offset, len, _) = layout::parse_group_head(&head);
        expected = offset.saturating_add(FRAME_OVERHEAD).saturating_add(len);
    }
    let mut groups = Window::new(index, layout::group_start(last));
    let mut frames = Window::new(info.log, log_len);
    for i in durable..last {
        let mismatch = |kind| Ok(Some(info.finding(true, None, Some(i), kind)));
        let Some(group) = groups.get(layout::group_start(i), layout::group_len(i))? else {
            return mismatch(TamperingKind::IndexMismatch);
        };
        let head: [u8; layout::GROUP_HEAD_LEN] = group
            .get(..layout::GROUP_HEAD_LEN)
            .and_then(|h| h.try_into().ok())
            .unwrap_or([0; layout::GROUP_HEAD_LEN]);
        let (offset, len, leaf) = layout::parse_group_head(&head);
        // The leaf hash, then the node hashes from level 1 up.
        let stored = group_hashes(group);
        if offset != expected || len == 0 || len > info.max as u64 {
            return Ok(Some(info.finding(
                true,
                Some(offset),
                Some(i),
                TamperingKind::IndexMismatch,
            )));
        }
        let in_log = |kind| Ok(Some(info.finding(false, Some(offset), Some(i), kind)));
        let Some(frame) = frames.get(offset, FRAME_OVERHEAD + len)? else {
            return in_log(TamperingKind::IndexPastLog { log_len });
        };
        let field = frame
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)));
        let payload_end = 4 + len as usize;
        let payload = frame.get(4..payload_end).unwrap_or_default();
        let sum = frame.get(payload_end..).unwrap_or_default();
        if field != len {
            return in_log(TamperingKind::IndexMismatch);
        }
        let computed = layout::checksum(payload);
        if computed.as_bytes().as_slice() != sum {
            return in_log(TamperingKind::BadFrame(FrameFault::BadChecksum));
        }
        if computed != leaf {
            return in_log(TamperingKind::IndexMismatch);
        }
        let nodes = frontier.push(&hasher, leaf);
        if let Some(kind) = first_node_mismatch(i, &nodes, &stored) {
            return mismatch(kind);
        }
        expected = offset + FRAME_OVERHEAD + len;
    }
    Ok(None)
}

/// Decides, in O(1) reads of the index (plus the records written since the last durable index
/// point `durable`, rule R2a) and O(tail) reads of the log, which prefix of the log is
/// committed, whether its end is torn, which frames after the index to adopt, and whether the
/// files disagree (tampering). The rules are numbered as in `docs/STORE.md`.
pub(super) fn analyze(
    info: &LogInfo<'_>,
    index: &dyn RecordIndex,
    unsynced: Option<(&dyn DataFile, u64)>,
) -> io::Result<LogState> {
    let log = info.log;
    let log_len = log.len()?;
    let n = index.count();
    let mut st = LogState {
        log_len,
        indexed: n,
        kept: n,
        kept_end: log_len,
        end: log_len,
        ..LogState::default()
    };
    let tamper = |mut st: LogState, t: Tampering| {
        st.tampering.push(t);
        st
    };

    // Rule R12: limits before work. Every frame holds at least one payload byte, so a log of
    // `log_len` bytes holds at most `log_len / (FRAME_OVERHEAD + 1)` complete frames and one
    // torn one. An index claiming more records (a sparse file of gigabytes, say) is tampering,
    // found from the two lengths alone; the store then shows only as many records as the log
    // can hold, so no reader or full check walks the claimed ones.
    let most = (log_len / (FRAME_OVERHEAD + 1)).saturating_add(1);
    if n > most {
        st.indexed = most;
        st.kept = most;
        return Ok(tamper(
            st,
            info.finding(
                true,
                None,
                None,
                TamperingKind::IndexTooLong {
                    records: n,
                    log_len,
                },
            ),
        ));
    }

    if let Some((file, durable)) = unsynced {
        if let Some(t) = check_unsynced(info, file, durable, n.saturating_sub(1), log_len)? {
            return Ok(tamper(st, t));
        }
    }

    let mut start = 0u64;
    if n > 0 {
        let last = n - 1;
        let rec = index.record(last)?;
        // What is wrong with the last record, found in the index or in the log.
        let last_wrong =
            |in_index: bool, kind| info.finding(in_index, Some(rec.offset), Some(last), kind);
        // Rule R2: the last two records chain, the first starts at 0.
        let expected_offset = if n >= 2 {
            index.record(last - 1)?.end()
        } else {
            Some(0)
        };
        if expected_offset != Some(rec.offset) || rec.len == 0 || rec.len > info.max as u64 {
            return Ok(tamper(st, last_wrong(true, TamperingKind::IndexMismatch)));
        }
        let Some(rec_end) = rec.end() else {
            return Ok(tamper(st, last_wrong(true, TamperingKind::IndexMismatch)));
        };
        if rec.offset > log_len {
            return Ok(tamper(
                st,
                last_wrong(true, TamperingKind::IndexPastLog { log_len }),
            ));
        }
        if rec_end <= log_len {
            // Rule R3: the last indexed frame is all there; it must be the one recorded.
            let read = read_frame(log, rec.offset, log_len, info.max)?;
            if !matches(&rec, &read) {
                return Ok(tamper(st, last_wrong(false, mismatch_kind(&read))));
            }
            if let Some(kind) = index.check_record(last)? {
                return Ok(tamper(st, info.finding(true, None, Some(last), kind)));
            }
            start = rec_end;
        } else {
            // Rule R4: the log ends inside the last indexed frame. A torn tail if its length
            // field (when there) is the recorded one, and no valid frame follows.
            let head = layout::frame_len(log, rec.offset, log_len)?;
            if head.is_some_and(|len| len != rec.len) {
                return Ok(tamper(st, last_wrong(false, TamperingKind::IndexMismatch)));
            }
            match search_valid_frame(log, rec.offset + 1, log_len, info.max)? {
                Search::Nothing => {}
                Search::Found(at) => {
                    return Ok(tamper(
                        st,
                        last_wrong(
                            false,
                            TamperingKind::ValidFrameAfterBadFrame {
                                fault: FrameFault::Cut,
                                valid_at: at,
                            },
                        ),
                    ));
                }
                Search::TooLong(bytes) => {
                    return Ok(tamper(st, last_wrong(false, TamperingKind::Junk { bytes })));
                }
            }
            // Only one frame can be torn: the one before must be intact.
            if last >= 1 {
                let prev = index.record(last - 1)?;
                let read = read_frame(log, prev.offset, log_len, info.max)?;
                if !matches(&prev, &read) {
                    return Ok(tamper(
                        st,
                        info.finding(
                            false,
                            Some(prev.offset),
                            Some(last - 1),
                            mismatch_kind(&read),
                        ),
                    ));
                }
                if let Some(kind) = index.check_record(last - 1)? {
                    return Ok(tamper(st, info.finding(true, None, Some(last - 1), kind)));
                }
            }
            st.kept = last;
            st.kept_end = rec.offset;
            st.end = rec.offset;
            st.cut = Some(rec.offset);
            st.torn_bytes = log_len - rec.offset;
            st.dropped = 1;
            return Ok(st);
        }
    }
    st.kept_end = start;

    // Rules R5 and R6: frames after the index, written by an append that was not acknowledged.
    let mut pos = start;
    while pos < log_len {
        let read = read_frame(log, pos, log_len, info.max)?;
        // Rule R13: in a preallocated log, a length field of 0 (or fewer than four bytes left)
        // where the next frame would start is the end of the data if only zeros follow, up to
        // the end of the file: free space, nothing to report. Non-zero bytes after it are a bad
        // frame at `pos` (a hole that a power loss can leave in an unsynced write), judged by
        // rule R6 like any other.
        let at_zero = match read {
            FrameRead::BadLength { len: 0 } => true,
            FrameRead::Cut => log_len - pos < 4,
            _ => false,
        };
        // More zeros than a torn tail can hold are not what the writer leaves (it leaves at
        // most one chunk): found from the lengths, before they are read.
        let too_long = info.preallocated && at_zero && log_len - pos > SEARCH_LIMIT;
        if info.preallocated && at_zero && !too_long && layout::data_end(log, pos, log_len)? == pos
        {
            break;
        }
        let from = match read {
            FrameRead::Valid { len, sum, .. } => {
                st.adopt.push((pos, len, sum));
                pos += FRAME_OVERHEAD + len;
                continue;
            }
            // Skip the payload of a complete frame: an entry may embed frame-like bytes.
            FrameRead::BadChecksum { len } => pos + FRAME_OVERHEAD + len,
            FrameRead::Cut | FrameRead::BadLength { .. } => pos + 1,
        };
        let found = if too_long {
            Search::TooLong(log_len - pos)
        } else {
            search_valid_frame(log, from, log_len, info.max)?
        };
        match found {
            Search::Nothing => {
                st.cut = Some(pos);
                // In a preallocated log the zeros after the torn bytes are free space, not
                // part of the tail (the search above bounded the range).
                st.torn_bytes = if info.preallocated {
                    layout::data_end(log, pos, log_len)? - pos
                } else {
                    log_len - pos
                };
            }
            Search::Found(at) => {
                st.adopt.clear();
                st.tampering.push(info.finding(
                    false,
                    Some(pos),
                    None,
                    TamperingKind::ValidFrameAfterBadFrame {
                        fault: fault_of(&read),
                        valid_at: at,
                    },
                ));
            }
            Search::TooLong(bytes) => {
                st.adopt.clear();
                st.tampering.push(info.finding(
                    false,
                    Some(pos),
                    None,
                    TamperingKind::Junk { bytes },
                ));
            }
        }
        break;
    }
    st.end = pos;
    Ok(st)
}

/// Checks every kept record: offsets chain from 0, every frame is intact and matches its index
/// record, and (through `visit`) whatever else the index holds. Returns the findings, at most
/// [`MAX_FINDINGS`], and how many more there were.
pub(super) fn full_check(
    info: &LogInfo<'_>,
    index: &dyn RecordIndex,
    kept: u64,
    bound: u64,
    visitor: &mut dyn Visitor,
) -> io::Result<(Vec<Tampering>, u64)> {
    let mut found = Vec::new();
    let mut omitted = 0u64;
    let mut add = |t: Tampering| {
        if found.len() < MAX_FINDINGS {
            found.push(t);
        } else {
            omitted += 1;
        }
    };
    let mut expected = 0u64;
    for i in 0..kept {
        let rec = index.record(i)?;
        if rec.offset != expected {
            add(info.finding(
                true,
                Some(rec.offset),
                Some(i),
                TamperingKind::IndexMismatch,
            ));
        }
        let read = read_frame(info.log, rec.offset, bound, info.max)?;
        match &read {
            FrameRead::Valid { sum, payload, .. } => {
                if !matches(&rec, &read) {
                    add(info.finding(
                        true,
                        Some(rec.offset),
                        Some(i),
                        TamperingKind::IndexMismatch,
                    ));
                }
                if let Some(kind) = visitor.visit(i, sum, payload)? {
                    add(info.finding(true, None, Some(i), kind));
                }
            }
            bad => {
                add(info.finding(
                    false,
                    Some(rec.offset),
                    Some(i),
                    TamperingKind::BadFrame(fault_of(bad)),
                ));
                // Keep the tree in step with the index so later nodes are judged fairly.
                let leaf = rec.sum.unwrap_or(Digest::ZERO);
                if let Some(kind) = visitor.visit(i, &leaf, &[])? {
                    add(info.finding(true, None, Some(i), kind));
                }
            }
        }
        expected = rec.end().unwrap_or(u64::MAX);
    }
    Ok((found, omitted))
}

/// What [`full_check`] checks of each record beyond its frame and checksum.
pub(super) trait Visitor {
    /// Checks record `i`, whose frame has checksum `sum` and payload `payload` (empty for a bad
    /// frame). `Some(kind)` if the record is wrong.
    fn visit(&mut self, i: u64, sum: &Digest, payload: &[u8]) -> io::Result<Option<TamperingKind>>;
}

/// The visitor for the entry index: recomputes every group's node hashes.
/// Also collects the sequence numbers of the entries whose event changes the key registry, so
/// that the registry index can be compared with the frames (rule R11) in the same pass.
pub(super) struct NodeVisitor<'a> {
    index: &'a dyn DataFile,
    frontier: Frontier,
    /// Registry-changing entries among the frames visited.
    pub(super) registry: Vec<u64>,
    /// Whether every frame visited decoded as an entry.
    pub(super) decoded: bool,
}

impl<'a> NodeVisitor<'a> {
    pub(super) fn new(index: &'a dyn DataFile) -> Self {
        NodeVisitor {
            index,
            frontier: Frontier::default(),
            registry: Vec::new(),
            decoded: true,
        }
    }
}

impl Visitor for NodeVisitor<'_> {
    fn visit(&mut self, i: u64, sum: &Digest, payload: &[u8]) -> io::Result<Option<TamperingKind>> {
        match Entry::from_bytes(payload) {
            Ok(e) if e.statement.statement.event.is_registry_change() => self.registry.push(i),
            Ok(_) => {}
            Err(_) => self.decoded = false,
        }
        let computed = self.frontier.push(&Sha256TreeHasher, *sum);
        let mut group = vec![0u8; layout::group_len(i) as usize];
        self.index
            .read_exact_at(&mut group, layout::group_start(i))?;
        Ok(first_node_mismatch(i, &computed, &group_hashes(&group)))
    }
}

/// The visitor for the checkpoint log: notes are UTF-8.
pub(super) struct NoteVisitor;

impl Visitor for NoteVisitor {
    fn visit(
        &mut self,
        _i: u64,
        _sum: &Digest,
        payload: &[u8],
    ) -> io::Result<Option<TamperingKind>> {
        Ok(std::str::from_utf8(payload)
            .is_err()
            .then_some(TamperingKind::BadFrame(FrameFault::NotUtf8)))
    }
}

/// Rule R5a: the complete frames after a log's index are adopted only if they are what an
/// interrupted append leaves. `reject` judges each in turn, given its sequence number, payload
/// and checksum: the reason it is not a crash's leftover, or `None`. On the first reason (or a
/// frame that cannot be read back) that is tampering, nothing is adopted.
fn account(
    info: &LogInfo<'_>,
    st: &mut LogState,
    mut reject: impl FnMut(u64, &[u8], &Digest) -> Option<&'static str>,
) -> io::Result<()> {
    if st.adopt.is_empty() || !st.tampering.is_empty() {
        return Ok(());
    }
    for (i, (offset, _, sum)) in st.adopt.iter().enumerate() {
        let seq = st.kept + i as u64;
        let reason = match read_frame(info.log, *offset, st.log_len, info.max)? {
            FrameRead::Valid { payload, .. } => reject(seq, &payload, sum),
            _ => Some("it cannot be read back"),
        };
        if let Some(reason) = reason {
            let t = info.finding(
                false,
                Some(*offset),
                Some(seq),
                TamperingKind::UnaccountedFrame { reason },
            );
            st.adopt.clear();
            st.cut = None;
            st.tampering.push(t);
            return Ok(());
        }
    }
    Ok(())
}

/// Rule R5a for the entry log: each adopted frame decodes as an entry whose sequence number is
/// its position, whose `prev` is the leaf hash of the entry before it, and whose signature
/// verifies (`verify_strict`). The index's last leaf hash is trusted here: rule R3 checked it
/// against its frame.
pub(super) fn account_entries(
    info: &LogInfo<'_>,
    index: &dyn RecordIndex,
    st: &mut LogState,
) -> io::Result<()> {
    if st.adopt.is_empty() || !st.tampering.is_empty() {
        return Ok(());
    }
    let mut prev = match st.kept {
        0 => Digest::ZERO,
        n => index.record(n - 1)?.sum.unwrap_or(Digest::ZERO),
    };
    account(info, st, |seq, payload, sum| {
        let reason = match Entry::from_bytes(payload) {
            Err(_) => Some("it does not decode as an entry"),
            Ok(e) if e.seq != seq => Some("its sequence number is not its position"),
            Ok(e) if e.prev != prev => Some("it does not chain to the entry before it"),
            Ok(e) if e.statement.verify_signature().is_err() => {
                Some("its signature does not verify")
            }
            Ok(_) => None,
        };
        prev = *sum;
        reason
    })
}

/// Rule R5a for the checkpoint log: a complete frame after the checkpoint index is adopted only
/// if it is a checkpoint signed by the ledger key that the genesis entry (`genesis`, the first
/// frame of the entry log) declares.
pub(super) fn account_checkpoints(
    info: &LogInfo<'_>,
    st: &mut LogState,
    genesis: Option<&NoteVerifier>,
) -> io::Result<()> {
    account(info, st, |_, payload, _| {
        match (SignedCheckpoint::parse(payload), genesis) {
            (Err(_), _) => Some("it is not a signed checkpoint"),
            (Ok(_), None) => Some("there is no genesis entry whose key could have signed it"),
            (Ok(c), Some(key)) if c.verify(key).is_err() => {
                Some("it is not signed by the ledger key")
            }
            (Ok(_), Some(_)) => None,
        }
    })
}

/// The ledger key's note verifier, from the genesis entry in the first frame of the entry log.
pub(super) fn genesis_verifier(
    entries: &LogInfo<'_>,
    log_len: u64,
) -> io::Result<Option<NoteVerifier>> {
    let FrameRead::Valid { payload, .. } = read_frame(entries.log, 0, log_len, entries.max)? else {
        return Ok(None);
    };
    Ok(match Entry::from_bytes(&payload) {
        Ok(Entry {
            statement:
                SignedStatement {
                    statement:
                        Statement {
                            event:
                                Event::Genesis {
                                    origin, ledger_key, ..
                                },
                            ..
                        },
                    ..
                },
            ..
        }) => NoteVerifier::for_key(&origin, ledger_key).ok(),
        _ => None,
    })
}

/// Whether a checkpoint stored in the checkpoint log — the last kept one, or one after the
/// index that a writer would adopt — covers entry `seq` (its size is larger). Its signature is
/// not checked: a forged checkpoint can only make the writer refuse (rule R4 for a sealed
/// entry), never make it cut.
pub(super) fn covered_by_checkpoint(
    info: &LogInfo<'_>,
    index: &dyn RecordIndex,
    st: &LogState,
    seq: u64,
) -> io::Result<bool> {
    let mut frames: Vec<u64> = st.adopt.iter().map(|(offset, _, _)| *offset).collect();
    if st.kept > 0 {
        frames.push(index.record(st.kept - 1)?.offset);
    }
    for offset in frames {
        if let FrameRead::Valid { payload, .. } =
            read_frame(info.log, offset, st.log_len, info.max)?
        {
            if SignedCheckpoint::parse(&payload).is_ok_and(|c| c.checkpoint().size > seq) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

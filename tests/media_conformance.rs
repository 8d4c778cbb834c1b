//! One conformance suite for every media backend (`liuhen::media::MediaBackend`): the file
//! backend (`MediaStore`, the ledger directory's `media/`) and `MemoryMediaBackend` run the same
//! checks, and a deployment's own backend (a NAS, an object store) would add one
//! `backend_suite!` line below.
//!
//! What every backend must do (`docs/STORE.md`, "Media and vault backends"): round-trip bytes
//! under their digest; refuse bytes that are not the claimed media and keep nothing; stream a
//! large blob in and out in chunks; tell an absent blob from a backend that cannot answer — and
//! the verifier must report the first as missing media (Art. 21(5)) and the second as a read
//! error, never as missing; destroy media only through the core's custody-checked purge.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::temp::TempDir;
use common::{events, Built, LedgerBuilder, T0};
use liuhen::hash::Digest;
use liuhen::media::MediaStore;
use liuhen::media::{
    digest_reader, purge, put_file, verify_media, BlobStat, MediaBackend, MediaError,
    MediaVerifyOptions, MemoryMediaBackend, PurgeBlock, PurgePermit, STREAM_BUFFER,
};
use liuhen::model::*;
use liuhen::verify::FindingKind;
use liuhen::{Ledger, MemoryStore, Signer};

const DAY: i64 = 86_400_000;
const CASE: &str = "金普民检〔2026〕1号";

/// A backend under test, and what it lives in.
struct Subject {
    backend: Arc<dyn MediaBackend>,
    /// For a backend that persists: the same backend opened again from its location.
    reopen: Option<Box<dyn Fn() -> Arc<dyn MediaBackend>>>,
    /// For the file backend: the directory, to look inside it.
    dir: Option<TempDir>,
}

fn file_backend(name: &str) -> Subject {
    let dir = TempDir::new(&format!("media-conf-{name}"));
    let root = dir.file("media");
    let backend: Arc<dyn MediaBackend> = Arc::new(MediaStore::create(&root).unwrap());
    let reopen_root = root.clone();
    Subject {
        backend,
        reopen: Some(Box::new(move || {
            Arc::new(MediaStore::open(&reopen_root).unwrap()) as Arc<dyn MediaBackend>
        })),
        dir: Some(dir),
    }
}

fn memory_backend(_name: &str) -> Subject {
    Subject {
        backend: Arc::new(MemoryMediaBackend::new()),
        reopen: None,
        dir: None,
    }
}

fn media_of(bytes: &[u8], name: &str) -> MediaRef {
    digest_reader(Cursor::new(bytes), "application/pdf", name).unwrap()
}

/// Reads a blob back in small chunks.
fn read_back(b: &dyn MediaBackend, d: &Digest) -> Vec<u8> {
    let mut r = b.open_blob(d).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Every file under `dir` (temporary files included).
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ----- the checks ---------------------------------------------------------------------------

fn round_trip(s: Subject) {
    let b = &*s.backend;
    let bytes = b"inspection record, case 1, signed by both officers".to_vec();
    let m = media_of(&bytes, "record.pdf");
    assert_eq!(b.stat(&m.digest).unwrap(), BlobStat::Absent);
    assert!(matches!(
        b.open_blob(&m.digest),
        Err(MediaError::NotFound { digest }) if digest == m.digest
    ));
    b.put(&m, &mut Cursor::new(&bytes)).unwrap();
    assert_eq!(
        b.stat(&m.digest).unwrap(),
        BlobStat::Present {
            length: bytes.len() as u64
        }
    );
    assert_eq!(read_back(b, &m.digest), bytes);
    // Content addressing: the same media again is acknowledged without reading a byte.
    b.put(&m, &mut Cursor::new(b"never read")).unwrap();
    assert_eq!(read_back(b, &m.digest), bytes);
    // A local path, where a backend gives one, holds the same bytes.
    if let Some(p) = b.local_path(&m.digest) {
        assert_eq!(std::fs::read(p).unwrap(), bytes);
    }
    // The custody layer's put_file reads a local file into any backend.
    let dir = TempDir::new("media-conf-src");
    std::fs::create_dir_all(dir.path()).unwrap();
    let src = dir.file("minutes.pdf");
    std::fs::write(&src, b"minutes of the hearing").unwrap();
    let minutes = media_of(b"minutes of the hearing", "minutes.pdf");
    put_file(b, &src, &minutes).unwrap();
    assert_eq!(read_back(b, &minutes.digest), b"minutes of the hearing");
    if let Some(reopen) = &s.reopen {
        drop(s.backend);
        let again = reopen();
        assert_eq!(read_back(&*again, &m.digest), bytes);
        assert_eq!(
            read_back(&*again, &minutes.digest),
            b"minutes of the hearing"
        );
    }
}

fn mismatch_refused_nothing_stored(s: Subject) {
    let b = &*s.backend;
    let real = b"the footage as recorded".to_vec();
    let claimed = media_of(&real, "seg-0000.mp4");
    // Same length, other bytes; and the right bytes with one more.
    let altered = b"the footage as RECORDED".to_vec();
    let longer = [real.as_slice(), b"!"].concat();
    for (what, offered) in [
        ("altered", &altered),
        ("longer", &longer),
        ("empty", &vec![]),
    ] {
        let e = b.put(&claimed, &mut Cursor::new(offered)).unwrap_err();
        assert!(
            matches!(&e, MediaError::Mismatch { claimed: c, actual_length, .. }
                if *c == claimed.digest && *actual_length == offered.len() as u64),
            "{what}: {e}"
        );
        assert_eq!(b.stat(&claimed.digest).unwrap(), BlobStat::Absent, "{what}");
        assert!(matches!(
            b.open_blob(&claimed.digest),
            Err(MediaError::NotFound { .. })
        ));
    }
    if let Some(dir) = &s.dir {
        // No temporary file left behind either.
        assert!(files_under(dir.path()).is_empty());
    }
    // The real bytes are then accepted.
    b.put(&claimed, &mut Cursor::new(&real)).unwrap();
    assert_eq!(read_back(b, &claimed.digest), real);
}

/// A generated stream of `len` bytes that records the largest read asked of it and, halfway,
/// runs `halfway` (the file backend checks there that what was read is already on disk).
struct Generated<'a> {
    pos: u64,
    len: u64,
    largest: &'a AtomicUsize,
    halfway: Option<Box<dyn FnMut() + 'a>>,
}

impl Read for Generated<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.largest.fetch_max(buf.len(), Ordering::Relaxed);
        if self.pos >= self.len / 2 {
            if let Some(mut f) = self.halfway.take() {
                f();
            }
        }
        let n = (self.len - self.pos).min(buf.len() as u64) as usize;
        for (i, byte) in buf[..n].iter_mut().enumerate() {
            let at = self.pos + i as u64;
            *byte = (at ^ (at >> 11) ^ (at >> 23)) as u8;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

fn large_blob_streams(s: Subject) {
    const LEN: u64 = 32 * 1024 * 1024;
    let b = &*s.backend;
    let largest = AtomicUsize::new(0);
    fn gen<'a>(largest: &'a AtomicUsize, halfway: Option<Box<dyn FnMut() + 'a>>) -> Generated<'a> {
        Generated {
            pos: 0,
            len: LEN,
            largest,
            halfway,
        }
    }
    let claimed = digest_reader(gen(&largest, None), "video/mp4", "seg-long.mp4").unwrap();
    assert_eq!(claimed.length, LEN);
    largest.store(0, Ordering::Relaxed);
    let shard_dir = s.dir.as_ref().map(|d| d.file("media"));
    let on_disk_halfway = AtomicBool::new(false);
    let check: Option<Box<dyn FnMut() + '_>> = shard_dir.as_ref().map(|root| {
        Box::new(|| {
            // Half the stream was read: it must already be in the backend's temporary file,
            // not in a buffer waiting for the end.
            let written: u64 = files_under(root)
                .iter()
                .map(|p| std::fs::metadata(p).unwrap().len())
                .sum();
            assert!(written >= LEN / 2 - STREAM_BUFFER as u64, "{written}");
            on_disk_halfway.store(true, Ordering::Relaxed);
        }) as Box<dyn FnMut() + '_>
    });
    b.put(&claimed, &mut gen(&largest, check)).unwrap();
    // Read in chunks of a fixed buffer, never the whole blob at once.
    let asked = largest.load(Ordering::Relaxed);
    assert!(
        asked > 0 && asked <= STREAM_BUFFER,
        "asked for {asked} bytes"
    );
    if shard_dir.is_some() {
        assert!(on_disk_halfway.load(Ordering::Relaxed));
    }
    // Out again in 64 KiB chunks, hashed on the way.
    let mut r = b.open_blob(&claimed.digest).unwrap();
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    assert_eq!(total, LEN);
    assert_eq!(hasher.finalize().as_bytes(), claimed.digest.as_bytes());
}

/// A backend whose every answer can be switched to a failure: a NAS gone offline, an object
/// store refusing. It is written outside the crate, as a deployment's backend would be.
#[derive(Debug)]
struct Outage {
    inner: Arc<dyn MediaBackend>,
    down: AtomicBool,
}

impl Outage {
    fn fail(&self, action: &str) -> Result<(), MediaError> {
        if self.down.load(Ordering::Relaxed) {
            return Err(MediaError::backend(
                self,
                action,
                "connection refused by the storage service",
            ));
        }
        Ok(())
    }
}

impl MediaBackend for Outage {
    fn location(&self) -> String {
        format!("outage-test:{}", self.inner.location())
    }
    fn put(&self, claimed: &MediaRef, reader: &mut dyn Read) -> Result<(), MediaError> {
        self.fail("store media")?;
        self.inner.put(claimed, reader)
    }
    fn stat(&self, digest: &Digest) -> Result<BlobStat, MediaError> {
        self.fail(&format!("look up media {digest}"))?;
        self.inner.stat(digest)
    }
    fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send + '_>, MediaError> {
        self.fail(&format!("read media {digest}"))?;
        self.inner.open_blob(digest)
    }
    fn remove(&self, permit: &PurgePermit) -> Result<(), MediaError> {
        self.fail(&format!("remove media {}", permit.digest()))?;
        self.inner.remove(permit)
    }
}

fn absent_is_not_an_outage(s: Subject) {
    let Built { mut ledger, k, .. } = LedgerBuilder::new().officer().build();
    let bytes = b"decision document".to_vec();
    let doc = media_of(&bytes, "decision.pdf");
    let gone = media_of(b"a record nobody kept", "lost.pdf");
    for m in [&doc, &gone] {
        ledger
            .sign_and_append(&k.officer, events::document_filed(CASE, m.clone()))
            .unwrap();
    }
    let b = Outage {
        inner: s.backend,
        down: AtomicBool::new(false),
    };
    b.put(&doc, &mut Cursor::new(&bytes)).unwrap();
    let options = MediaVerifyOptions::default();
    let kinds = |b: &Outage| -> Vec<(FindingKind, String)> {
        verify_media(ledger.store(), Some(b), &options)
            .into_iter()
            .map(|f| (f.kind, f.message))
            .collect()
    };
    // Up: the one media never stored is missing — destroyed records (Art. 21(5)).
    let up = kinds(&b);
    assert_eq!(up.len(), 1, "{up:?}");
    assert_eq!(up[0].0, FindingKind::MediaMissing);
    assert!(up[0].1.contains(&gone.digest.to_hex()));
    assert_eq!(b.stat(&gone.digest).unwrap(), BlobStat::Absent);
    // Down: the backend cannot answer. Nothing is reported missing; both are unreadable.
    b.down.store(true, Ordering::Relaxed);
    let down = kinds(&b);
    assert_eq!(down.len(), 2, "{down:?}");
    for (kind, message) in &down {
        assert_eq!(*kind, FindingKind::ReadError, "{message}");
        assert!(message.contains("connection refused"), "{message}");
    }
    assert!(matches!(
        b.stat(&doc.digest),
        Err(MediaError::Backend { .. })
    ));
    let e = b.open_blob(&doc.digest).err().unwrap();
    assert!(matches!(e, MediaError::Backend { .. }), "{e}");
    // To a caller: try again later, not tampering, not a bug.
    assert_eq!(
        liuhen::Error::from(e).class(),
        liuhen::ErrorClass::Unavailable
    );
    // Back up: nothing was lost.
    b.down.store(false, Ordering::Relaxed);
    assert_eq!(read_back(&b, &doc.digest), bytes);
}

fn purge_only_through_custody(s: Subject) {
    let b = &*s.backend;
    let Built {
        mut ledger,
        k,
        clock,
    } = LedgerBuilder::new().officer().build();
    let bytes = b"site photographs".to_vec();
    let photos = media_of(&bytes, "photos.zip");
    let kept = media_of(b"the decision", "decision.pdf");
    b.put(&photos, &mut Cursor::new(&bytes)).unwrap();
    b.put(&kept, &mut Cursor::new(b"the decision")).unwrap();
    let officer = &k.officer;
    sign(
        &mut ledger,
        officer,
        events::document_filed(CASE, photos.clone()),
    );
    sign(
        &mut ledger,
        officer,
        events::document_filed(CASE, kept.clone()),
    );
    sign(
        &mut ledger,
        officer,
        Event::RetentionSet {
            case_no: CASE.into(),
            until: Retention::Until(Timestamp(T0 + 10 * DAY)),
        },
    );
    // No MediaPurged statement names it: refused, whatever the time.
    let now = Timestamp(T0 + 11 * DAY);
    let e = purge(b, &kept.digest, ledger.store(), now).unwrap_err();
    assert!(
        matches!(
            e,
            MediaError::PurgeRefused {
                block: PurgeBlock::NoPurgeStatement,
                ..
            }
        ),
        "{e}"
    );
    clock.set(now);
    sign(
        &mut ledger,
        officer,
        Event::MediaPurged {
            media: photos.digest,
            authority: "档案鉴定小组".into(),
        },
    );
    // A preservation order after the purge statement holds the media again (Art. 18).
    sign(
        &mut ledger,
        officer,
        Event::PreservationOrdered {
            case_no: CASE.into(),
            trigger: PreservationTrigger::AdministrativeReview,
        },
    );
    let e = purge(b, &photos.digest, ledger.store(), now).unwrap_err();
    assert!(
        matches!(
            e,
            MediaError::PurgeRefused {
                block: PurgeBlock::Preservation { .. },
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(read_back(b, &photos.digest), bytes);
    sign(
        &mut ledger,
        officer,
        Event::PreservationReleased {
            case_no: CASE.into(),
            approved_by: "金普新区民政局".into(),
        },
    );
    purge(b, &photos.digest, ledger.store(), now).unwrap();
    assert_eq!(b.stat(&photos.digest).unwrap(), BlobStat::Absent);
    // Lawfully purged: not a finding. The media kept is still there.
    assert!(verify_media(ledger.store(), Some(b), &MediaVerifyOptions::default()).is_empty());
    assert_eq!(read_back(b, &kept.digest), b"the decision");
    // Purging again is harmless.
    purge(b, &photos.digest, ledger.store(), now).unwrap();
}

fn sign(ledger: &mut Ledger<MemoryStore>, officer: &dyn Signer, event: Event) {
    ledger.sign_and_append(officer, event).unwrap();
}

crate::backend_suite!(file_backend:
    round_trip,
    mismatch_refused_nothing_stored,
    large_blob_streams,
    absent_is_not_an_outage,
    purge_only_through_custody,
);
crate::backend_suite!(memory_backend:
    round_trip,
    mismatch_refused_nothing_stored,
    large_blob_streams,
    absent_is_not_an_outage,
    purge_only_through_custody,
);

/// Readers never create: a mistyped media path is an error, not an empty store in which every
/// media file would be "missing".
#[test]
fn opening_a_missing_media_directory_creates_nothing() {
    let dir = TempDir::new("media-conf-typo");
    let typo = dir.file("meida");
    let e = MediaStore::open(&typo).unwrap_err();
    assert!(matches!(e, MediaError::Io { .. }), "{e}");
    assert!(!typo.exists());
}

/// A link planted in the file backend in place of a media file is not the media: it is never
/// followed, and reported as something foreign (tampering), not as the media.
#[test]
fn a_link_planted_in_the_file_backend_is_foreign() {
    let s = file_backend("foreign");
    let b = &*s.backend;
    let bytes = b"footage".to_vec();
    let m = media_of(&bytes, "seg.mp4");
    b.put(&m, &mut Cursor::new(&bytes)).unwrap();
    let path = b.local_path(&m.digest).unwrap();
    std::fs::remove_file(&path).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", &path).unwrap();
        assert!(matches!(
            b.stat(&m.digest).unwrap(),
            BlobStat::Foreign { .. }
        ));
        assert!(matches!(
            b.open_blob(&m.digest),
            Err(MediaError::Foreign { .. })
        ));
    }
}

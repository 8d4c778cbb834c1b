//! Media evidence: digests against BLAKE3's published vectors, recording segment chains
//! (Art. 14(4)), the content-addressed media store, purge rules (Art. 17, 18) and media
//! verification (Art. 21(2), 21(5)).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{keys, Built, Keys, LedgerBuilder, T0};
use liuhen::entry::SignedStatement;
use liuhen::media::{
    digest_file, digest_reader, verify_media, MediaError, MediaStore, MediaVerifyOptions,
    PurgeBlock, Recording, RecordingStart,
};
use liuhen::model::*;
use liuhen::verify::{verify_store, FindingKind, Severity, Verdict, VerifyOptions};
use liuhen::{Clock, Ledger, ManualClock, MemoryStore, SecretKey, Signer};

use common::blake3_vectors::{pattern, BLAKE3_VECTORS as VECTORS};

const SESSION: &str = "BWC-7731-20260101-0900";
const CASE_A: &str = "金民执〔2026〕1号";
const CASE_B: &str = "金民执〔2026〕2号";

/// A fresh scratch directory under the system temp dir (std only, no tempfile crate).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liuhen-media-{}-{name}", std::process::id()));
    let _ = make_writable(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Media files are stored read-only; tests that tamper with them or clean up need them writable.
fn make_writable(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    let mut perms = meta.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms)?;
    if meta.is_dir() {
        for e in std::fs::read_dir(path)? {
            make_writable(&e?.path())?;
        }
    }
    Ok(())
}

#[test]
fn digests_match_published_blake3_vectors() {
    let dir = scratch("vectors");
    for &(len, hex) in VECTORS {
        let bytes = pattern(len);
        let path = dir.join(format!("v{len}"));
        std::fs::write(&path, &bytes).unwrap();
        for threads in [1, 0, 3] {
            let m = digest_file(&path, "application/octet-stream", "v", threads).unwrap();
            assert_eq!(m.digest.to_hex(), hex, "file, len {len}, threads {threads}");
            assert_eq!(m.length, len as u64);
        }
        let m = digest_reader(Cursor::new(&bytes), "application/octet-stream", "v").unwrap();
        assert_eq!(m.digest.to_hex(), hex, "reader, len {len}");
        assert_eq!(m.length, len as u64);
        assert_eq!(m.mime, "application/octet-stream");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn large_file_all_paths_agree() {
    // Several MiB: memory-mapped, multi-threaded, and more than one stream buffer.
    let dir = scratch("large");
    let bytes = pattern(5 * 1024 * 1024 + 7);
    let path = dir.join("big");
    std::fs::write(&path, &bytes).unwrap();
    let want = blake3::hash(&bytes).to_hex().to_string();
    for threads in [1, 0, 2, 4] {
        assert_eq!(
            digest_file(&path, "", "", threads).unwrap().digest.to_hex(),
            want
        );
    }
    let m = digest_reader(std::fs::File::open(&path).unwrap(), "", "").unwrap();
    assert_eq!(m.digest.to_hex(), want);
    assert_eq!(m.length, bytes.len() as u64);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn non_regular_file_is_streamed() {
    let m = digest_file(Path::new("/dev/null"), "", "", 0).unwrap();
    assert_eq!(m.digest.to_hex(), VECTORS[0].1);
    assert_eq!(m.length, 0);
}

#[test]
fn missing_file_is_an_io_error_with_its_path() {
    let e = digest_file(Path::new("/nonexistent/liuhen/x.mp4"), "", "", 1).unwrap_err();
    assert!(
        matches!(e, MediaError::Io { ref path, .. } if path.ends_with("x.mp4")),
        "{e}"
    );
}

// ----- ledgers --------------------------------------------------------------------------

struct Fixture {
    k: Keys,
    clock: Arc<ManualClock>,
    ledger: Ledger<MemoryStore>,
    /// Once the ledger refused a statement: a copy of its store with the refused statement
    /// and everything after it forced in (common::forge), as an attacker would.
    forged: Option<MemoryStore>,
    /// How many statements the ledger refused.
    refused: usize,
}

/// A ledger with the officer, the device and a second device (`outsider`) authorized. The
/// ledger clock runs a day ahead of the statements so that none is refused as future-dated.
fn fixture() -> Fixture {
    // The ledger exists before the statements it will hold (earlier ones are refused); its
    // clock then runs a day ahead of them.
    let outsider = keys().outsider.public_key();
    let Built { ledger, k, clock } = LedgerBuilder::new()
        .v1_field_team()
        .authorize(outsider, Role::Device, "BWC-9999")
        .build();
    Fixture {
        k,
        clock,
        ledger,
        forged: None,
        refused: 0,
    }
}

impl Fixture {
    /// Appends through the ledger; a statement the ledger refuses (the admission rule) is
    /// forced into a copy of the store instead, and so is everything after it.
    fn append(&mut self, statements: impl IntoIterator<Item = SignedStatement>) {
        for s in statements {
            if self.forged.is_none() {
                match self.ledger.append(s.clone()) {
                    Ok(_) => continue,
                    Err(liuhen::LedgerError::Inadmissible { .. }) => {
                        self.forged = Some(common::forge::copy_store(self.ledger.store()));
                    }
                    Err(e) => panic!("{e}"),
                }
                self.refused += 1;
            }
            let now = self.clock.now();
            let store = self.forged.as_mut().unwrap();
            common::forge::inject(store, s, now);
        }
    }

    fn officer(&mut self, event: Event) {
        let s = SignedStatement::sign(self.clock.now(), event, &self.k.officer).unwrap();
        self.append([s]);
    }

    fn store(&self) -> &MemoryStore {
        self.forged.as_ref().unwrap_or(self.ledger.store())
    }

    fn media_findings(&self, media: Option<&MediaStore>) -> Vec<liuhen::verify::Finding> {
        let media = media.map(|m| m as &dyn liuhen::media::MediaBackend);
        verify_media(self.store(), media, &MediaVerifyOptions::default())
    }
}

fn start_info(case_no: &str) -> RecordingStart {
    common::events::recording_start(SESSION, case_no, None)
}

fn seg_media(i: usize) -> (Vec<u8>, MediaRef) {
    let bytes = format!("segment {i} footage {}", "x".repeat(i * 37)).into_bytes();
    let m = digest_reader(Cursor::new(&bytes), "video/mp4", &format!("seg-{i:04}.mp4")).unwrap();
    (bytes, m)
}

/// Segment `i` runs from T0 + 60 s·i for 60 s: contiguous footage.
fn seg_time(i: usize) -> (Timestamp, Timestamp) {
    let s = T0 + 60_000 * i as i64;
    (Timestamp(s), Timestamp(s + 60_000))
}

/// An honest session of `n` contiguous segments, made with the `Recording` API: returns
/// [PartyNotified, RecordingStarted, seg 0..n, RecordingStopped] and the segments' bytes.
fn honest_session(
    device: &SecretKey,
    n: usize,
) -> (Vec<SignedStatement>, Vec<(Vec<u8>, MediaRef)>) {
    let mut out =
        vec![Recording::notify_party(SESSION, CASE_A, device, Timestamp(T0 - 1_000)).unwrap()];
    let (mut rec, started) = Recording::start(start_info(CASE_A), device, Timestamp(T0)).unwrap();
    out.push(started);
    let mut media = Vec::new();
    for i in 0..n {
        let (bytes, m) = seg_media(i);
        let (s, e) = seg_time(i);
        out.push(rec.segment(m.clone(), s, e).unwrap());
        media.push((bytes, m));
    }
    assert_eq!(rec.segments(), n as u32);
    out.push(rec.stop(seg_time(n).0).unwrap());
    (out, media)
}

fn kinds(findings: &[liuhen::verify::Finding]) -> Vec<FindingKind> {
    findings.iter().map(|f| f.kind).collect()
}

/// The session's statements with a segment (index into the segment list) changed.
fn segment_statements(f: &Fixture, n: usize) -> (Vec<SignedStatement>, Vec<(Vec<u8>, MediaRef)>) {
    honest_session(&f.k.device, n)
}

#[test]
fn honest_session_has_no_findings_and_chains() {
    let mut f = fixture();
    let (st, media) = segment_statements(&f, 4);
    // The chain as the device made it.
    for (i, s) in st[2..6].iter().enumerate() {
        let Event::SegmentSealed {
            index,
            prev_segment,
            ..
        } = &s.statement.event
        else {
            panic!("not a segment")
        };
        assert_eq!(*index, i as u32);
        assert_eq!(*prev_segment, i.checked_sub(1).map(|p| media[p].1.digest));
        assert_eq!(s.statement.author, f.k.device.public_key());
    }
    let Event::RecordingStopped {
        segments,
        last_segment,
        ..
    } = &st[6].statement.event
    else {
        panic!("not a stop")
    };
    assert_eq!((*segments, *last_segment), (4, Some(media[3].1.digest)));
    f.append(st);
    let findings = f.media_findings(None);
    // Without media only the fail-closed notice.
    assert_eq!(kinds(&findings), vec![FindingKind::MediaNotChecked]);
    assert_eq!(findings[0].severity, Severity::Unverified);

    let dir = scratch("honest");
    let ms = MediaStore::create(dir.join("media")).unwrap();
    for (bytes, m) in &media {
        ms.put_reader(Cursor::new(bytes), m).unwrap();
    }
    assert!(f.media_findings(Some(&ms)).is_empty());
    // Combined with the main verifier, the verdict is not tampered.
    let cp = f.ledger.seal(&f.k.ledger).unwrap();
    let _ = cp;
    let mut report = verify_store(
        f.ledger.store(),
        &VerifyOptions {
            trusted_key: Some(f.ledger.verifier_key().unwrap()),
            ..VerifyOptions::default()
        },
    );
    assert_eq!(report.verdict, Verdict::Verified, "{:?}", report.findings);
    report.add_findings(f.media_findings(Some(&ms)));
    assert_eq!(report.verdict, Verdict::Verified);
    report.add_findings(f.media_findings(None));
    assert_eq!(report.verdict, Verdict::Unverified);
    let _ = make_writable(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `st` with its event changed by `edit`, signed again by `by` and dated as a device dates it
/// (a segment at its end, anything else at the statement's own time).
fn resigned(
    st: &SignedStatement,
    by: &dyn Signer,
    edit: impl FnOnce(&mut Event),
) -> SignedStatement {
    let mut event = st.statement.event.clone();
    edit(&mut event);
    let time = match &event {
        Event::SegmentSealed { end, .. } => *end,
        _ => st.statement.time,
    };
    SignedStatement::sign(time, event, by).unwrap()
}

/// Appends the honest statements after `edit`, then returns the chain findings.
fn chain_findings(edit: impl FnOnce(&Keys, &mut Vec<SignedStatement>)) -> Vec<FindingKind> {
    let mut f = fixture();
    let (mut st, _) = segment_statements(&f, 4);
    edit(&f.k, &mut st);
    f.append(st);
    let findings = f.media_findings(None);
    // The writer refuses exactly what the verifier reports (one admission rule).
    assert_eq!(
        f.refused > 0,
        findings.iter().any(|x| x.severity == Severity::Tampering),
        "{findings:?}"
    );
    for x in &findings {
        if x.kind != FindingKind::MediaNotChecked {
            assert!(x.message.contains("Art. 14(4)"), "{}", x.message);
            assert_eq!(x.severity, Severity::Tampering);
        }
    }
    kinds(&findings)
        .into_iter()
        .filter(|k| *k != FindingKind::MediaNotChecked)
        .collect()
}

// Statement positions: 0 PartyNotified, 1 RecordingStarted, 2..=5 segments 0..=3, 6 stop.

#[test]
fn missing_segment_is_found() {
    let k = chain_findings(|_, st| {
        st.remove(3); // segment 1
    });
    assert!(k.contains(&FindingKind::SegmentMissing), "{k:?}");
    assert!(k.contains(&FindingKind::SegmentCountMismatch), "{k:?}");
}

#[test]
fn last_segment_removed_is_found_by_the_stop() {
    let k = chain_findings(|_, st| {
        st.remove(5); // segment 3, the last
    });
    assert_eq!(k, vec![FindingKind::SegmentCountMismatch]);
}

#[test]
fn duplicate_segment_is_found() {
    let k = chain_findings(|_, st| {
        let dup = st[3].clone();
        st.insert(4, dup);
    });
    assert_eq!(k, vec![FindingKind::SegmentDuplicate]);
}

#[test]
fn reordered_segments_are_found() {
    // Segment 2 before segment 1: refused as out of order. A refused entry has no effect (the
    // writer would never have stored it), so the later segments and the stop are reported too.
    let k = chain_findings(|_, st| st.swap(3, 4));
    assert_eq!(
        k,
        vec![
            FindingKind::SegmentMissing,
            FindingKind::SegmentMissing,
            FindingKind::SegmentCountMismatch
        ]
    );
}

#[test]
fn swapped_segment_breaks_the_chain() {
    // Segment 1 replaced by other footage, re-signed by the device with the right index and
    // link to segment 0: segment 2 still names the original segment 1.
    let k = chain_findings(|keys, st| {
        let (_, other) = seg_media(99);
        st[3] = resigned(&st[3], &keys.device, |e| {
            let Event::SegmentSealed { media, .. } = e else {
                panic!("statement 3 is segment 1")
            };
            *media = other;
        });
    });
    // Segment 2 still names the original segment 1; refused, it has no effect, so segment 3
    // and the stop are reported too.
    assert_eq!(
        k,
        vec![
            FindingKind::SegmentChainBroken,
            FindingKind::SegmentMissing,
            FindingKind::SegmentCountMismatch
        ]
    );
}

#[test]
fn inserted_segment_breaks_the_chain() {
    // A forged segment claiming index 1 and linking to nothing.
    let k = chain_findings(|keys, st| {
        let (_, other) = seg_media(98);
        let (s, e) = seg_time(1);
        st[3] = SignedStatement::sign(
            e,
            Event::SegmentSealed {
                session: SESSION.into(),
                index: 1,
                prev_segment: None,
                media: other,
                start: s,
                end: e,
            },
            &keys.device,
        )
        .unwrap();
    });
    assert!(k.contains(&FindingKind::SegmentChainBroken), "{k:?}");
}

#[test]
fn segment_after_stop_is_found() {
    let k = chain_findings(|keys, st| {
        let (_, m) = seg_media(4);
        let (s, e) = seg_time(4);
        let Event::RecordingStopped { last_segment, .. } = st[6].statement.event.clone() else {
            panic!()
        };
        st.push(
            SignedStatement::sign(
                e,
                Event::SegmentSealed {
                    session: SESSION.into(),
                    index: 4,
                    prev_segment: last_segment,
                    media: m,
                    start: s,
                    end: e,
                },
                &keys.device,
            )
            .unwrap(),
        );
    });
    assert_eq!(k, vec![FindingKind::SegmentAfterStop]);
}

#[test]
fn stop_with_wrong_count_is_found() {
    let k = chain_findings(|keys, st| {
        st[6] = resigned(&st[6], &keys.device, |e| {
            let Event::RecordingStopped { segments, .. } = e else {
                panic!("statement 6 is the stop")
            };
            *segments = 5;
        });
    });
    assert_eq!(k, vec![FindingKind::SegmentCountMismatch]);
}

/// Re-signs segment 2 (statement 4) with its times shifted by `shift` ms.
fn shift_segment_2(keys: &Keys, st: &mut [SignedStatement], shift: i64) {
    st[4] = resigned(&st[4], &keys.device, |e| {
        let Event::SegmentSealed { start, end, .. } = e else {
            panic!("statement 4 is segment 2")
        };
        (*start, *end) = (start.plus_millis(shift), end.plus_millis(shift));
    });
}

/// A time gap is not an integrity failure: every segment is authentic and the chain is whole;
/// the officer stopped filming. It breaches Art. 14(4), and the audit says so (a violation when
/// unexplained, a warning when a `RecordingInterrupted` explains it; more in tests/audit.rs).
#[test]
fn time_gap_is_an_audit_finding_not_an_integrity_one() {
    let k = chain_findings(|keys, st| shift_segment_2(keys, st, 30_000));
    assert!(k.is_empty(), "{k:?}");

    let mut f = fixture();
    let (mut st, _) = segment_statements(&f, 4);
    shift_segment_2(&f.k, &mut st, 30_000);
    f.append(st);
    let report = liuhen::audit::audit(
        f.ledger.store(),
        &liuhen::audit::Profile::default(),
        &liuhen::audit::AuditOptions::as_of(f.ledger.now()),
    )
    .unwrap();
    let gaps: Vec<_> = report.findings_of("art14-4.gap").collect();
    assert_eq!(gaps.len(), 1, "{:?}", report.findings);
    assert_eq!(gaps[0].severity, liuhen::audit::Severity::Violation);
    assert_eq!(gaps[0].article, "Art. 14(4)");
    assert!(gaps[0].message.contains("30 s gap"), "{}", gaps[0].message);
}

/// Neither is a gap within the tolerance, nor an explained one, an integrity finding.
#[test]
fn gap_within_tolerance_or_explained_is_not_a_finding() {
    let k = chain_findings(|keys, st| shift_segment_2(keys, st, 1_500));
    assert!(k.is_empty(), "{k:?}");
    let k = chain_findings(|keys, st| {
        shift_segment_2(keys, st, 30_000);
        let rec = Recording::resume(SESSION, &keys.device, 2, None);
        let at = seg_time(1).1;
        st.insert(4, rec.interrupted(InterruptionReason::Battery, at).unwrap());
    });
    assert!(k.is_empty(), "{k:?}");
}

#[test]
fn segment_signed_by_another_device_is_found() {
    let k = chain_findings(|keys, st| {
        st[4] = resigned(&st[4], &keys.outsider, |_| {});
    });
    // The refused segment has no effect: the next one and the stop are reported too.
    assert_eq!(
        k,
        vec![
            FindingKind::SegmentWrongDevice,
            FindingKind::SegmentMissing,
            FindingKind::SegmentCountMismatch
        ]
    );
}

#[test]
fn segment_of_a_session_never_started_is_found() {
    let k = chain_findings(|_, st| {
        st.remove(1); // RecordingStarted
    });
    assert!(k.contains(&FindingKind::SegmentOrphan), "{k:?}");
}

#[test]
fn recording_api_refuses_bad_times_and_keeps_the_chain() {
    let k = keys();
    let (mut rec, _) = Recording::start(start_info(CASE_A), &k.device, Timestamp(T0)).unwrap();
    let (_, m) = seg_media(0);
    let e = rec
        .segment(m.clone(), Timestamp(T0 + 10), Timestamp(T0))
        .unwrap_err();
    assert!(matches!(e, MediaError::SegmentTimes { index: 0, .. }));
    assert_eq!(rec.segments(), 0);
    rec.segment(m.clone(), Timestamp(T0), Timestamp(T0 + 10))
        .unwrap();
    assert_eq!(rec.last_segment(), Some(m.digest));
    // Offline resume after a device restart continues the chain.
    let mut resumed = Recording::resume(SESSION, &k.device, rec.segments(), rec.last_segment());
    let (_, m1) = seg_media(1);
    let s = resumed
        .segment(m1, Timestamp(T0 + 10), Timestamp(T0 + 20))
        .unwrap();
    let Event::SegmentSealed {
        index,
        prev_segment,
        ..
    } = s.statement.event
    else {
        panic!()
    };
    assert_eq!((index, prev_segment), (1, Some(m.digest)));
    // segment_file digests the file on disk.
    let dir = scratch("segfile");
    let p = dir.join("seg.mp4");
    std::fs::write(&p, pattern(1024)).unwrap();
    let s = resumed
        .segment_file(
            &p,
            "video/mp4",
            "seg.mp4",
            1,
            Timestamp(T0 + 20),
            Timestamp(T0 + 30),
        )
        .unwrap();
    let Event::SegmentSealed { media, .. } = s.statement.event else {
        panic!()
    };
    assert_eq!(media.digest.to_hex(), VECTORS[3].1);
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- media store and media faults ---------------------------------------------------------

struct MediaCase {
    f: Fixture,
    dir: PathBuf,
    ms: MediaStore,
    doc_a: MediaRef,
    doc_b: MediaRef,
    segments: Vec<(Vec<u8>, MediaRef)>,
}

/// Case A with a recording of 3 segments and a document; case B with a document of the same
/// length as A's (so that swapping them changes no length). Everything is in the media store.
fn media_case(name: &str) -> MediaCase {
    let mut f = fixture();
    let dir = scratch(name);
    let ms = MediaStore::create(dir.join("media")).unwrap();
    let (st, segments) = honest_session(&f.k.device, 3);
    f.append(st);
    let bytes_a = b"inspection record of case A, v1".to_vec();
    let bytes_b = b"inspection record of case B, v1".to_vec();
    let doc_a = digest_reader(Cursor::new(&bytes_a), "application/pdf", "a.pdf").unwrap();
    let doc_b = digest_reader(Cursor::new(&bytes_b), "application/pdf", "b.pdf").unwrap();
    for (case_no, doc) in [(CASE_A, &doc_a), (CASE_B, &doc_b)] {
        f.officer(common::events::document_filed(case_no, doc.clone()));
    }
    // put from a file and from a reader.
    let src = dir.join("a.pdf");
    std::fs::write(&src, &bytes_a).unwrap();
    let stored = ms.put_file(&src, &doc_a).unwrap();
    assert_eq!(stored, ms.path_of(&doc_a.digest));
    ms.put_reader(Cursor::new(&bytes_b), &doc_b).unwrap();
    for (bytes, m) in &segments {
        ms.put_reader(Cursor::new(bytes), m).unwrap();
    }
    assert!(f.media_findings(Some(&ms)).is_empty());
    MediaCase {
        f,
        dir,
        ms,
        doc_a,
        doc_b,
        segments,
    }
}

impl Drop for MediaCase {
    fn drop(&mut self) {
        let _ = make_writable(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn media_kinds(c: &MediaCase) -> Vec<FindingKind> {
    let findings = c.f.media_findings(Some(&c.ms));
    for x in &findings {
        assert!(x.message.contains("Art. 21("), "{}", x.message);
    }
    kinds(&findings)
}

#[test]
fn store_layout_put_get_and_refusal() {
    let c = media_case("layout");
    let hex = c.doc_a.digest.to_hex();
    let path = c.ms.get(&c.doc_a.digest).unwrap();
    assert_eq!(path, c.ms.root().join(&hex[..2]).join(&hex[2..]));
    assert!(c.ms.contains(&c.doc_a.digest));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"inspection record of case A, v1"
    );
    // Idempotent.
    assert_eq!(
        c.ms.put_reader(Cursor::new(b"ignored"), &c.doc_a).unwrap(),
        path
    );
    // Bytes that are not what they claim are refused and leave nothing behind.
    let (_, other) = seg_media(42);
    let e =
        c.ms.put_reader(Cursor::new(b"not the footage"), &other)
            .unwrap_err();
    assert!(
        matches!(e, MediaError::Mismatch { claimed, .. } if claimed == other.digest),
        "{e}"
    );
    assert!(!c.ms.contains(&other.digest));
    let shard = c.ms.path_of(&other.digest).parent().unwrap().to_path_buf();
    let leftovers = std::fs::read_dir(&shard).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0);
    assert!(matches!(
        c.ms.get(&other.digest),
        Err(MediaError::NotFound { .. })
    ));
}

#[test]
fn missing_media_is_destruction() {
    let c = media_case("missing");
    let p = c.ms.path_of(&c.segments[1].1.digest);
    std::fs::remove_file(&p).unwrap();
    let findings = c.f.media_findings(Some(&c.ms));
    assert_eq!(kinds(&findings), vec![FindingKind::MediaMissing]);
    assert!(findings[0].message.contains("Art. 21(5)"));
}

#[test]
fn edited_media_is_alteration() {
    let c = media_case("edited");
    let p = c.ms.path_of(&c.segments[2].1.digest);
    make_writable(&p).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[3] ^= 1;
    std::fs::write(&p, &bytes).unwrap();
    assert_eq!(media_kinds(&c), vec![FindingKind::MediaAltered]);
}

#[test]
fn truncated_media_is_found() {
    let c = media_case("truncated");
    let p = c.ms.path_of(&c.segments[0].1.digest);
    make_writable(&p).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() - 5]).unwrap();
    assert_eq!(media_kinds(&c), vec![FindingKind::MediaTruncated]);
}

#[test]
fn media_swapped_between_two_cases_is_found() {
    let c = media_case("swapped");
    let pa = c.ms.path_of(&c.doc_a.digest);
    let pb = c.ms.path_of(&c.doc_b.digest);
    make_writable(&pa).unwrap();
    make_writable(&pb).unwrap();
    let a = std::fs::read(&pa).unwrap();
    let b = std::fs::read(&pb).unwrap();
    std::fs::write(&pa, &b).unwrap();
    std::fs::write(&pb, &a).unwrap();
    let findings = c.f.media_findings(Some(&c.ms));
    assert_eq!(
        kinds(&findings),
        vec![FindingKind::MediaSwapped, FindingKind::MediaSwapped]
    );
    assert!(
        findings[0].message.contains(CASE_A)
            && findings[0].message.contains(&c.doc_b.digest.to_hex())
    );
}

#[test]
fn lawfully_purged_media_is_not_a_finding() {
    let mut c = media_case("purged");
    let d = c.segments[0].1.digest;
    // Case A keeps its records until T0 + 10 days.
    c.f.officer(Event::RetentionSet {
        case_no: CASE_A.into(),
        until: Retention::Until(Timestamp(T0 + 10 * 86_400_000)),
    });
    c.f.clock.set(Timestamp(T0 + 11 * 86_400_000));
    c.f.officer(Event::MediaPurged {
        media: d,
        authority: "档案鉴定小组".into(),
    });
    let now = Timestamp(T0 + 11 * 86_400_000);
    c.ms.purge(&d, c.f.store(), now).unwrap();
    assert!(!c.ms.contains(&d));
    assert!(media_kinds(&c).is_empty());
    // Purging again is harmless.
    c.ms.purge(&d, c.f.store(), now).unwrap();
}

#[test]
fn purge_refused_without_a_purge_statement() {
    let c = media_case("nopurge");
    let d = c.doc_b.digest;
    let e = c.ms.purge(&d, c.f.store(), Timestamp(T0)).unwrap_err();
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
    assert!(c.ms.contains(&d));
}

#[test]
fn purge_refused_under_retention_allowed_after_expiry() {
    let mut c = media_case("retention");
    let d = c.doc_a.digest;
    let until = Timestamp(T0 + 30 * 86_400_000);
    c.f.officer(Event::RetentionSet {
        case_no: CASE_A.into(),
        until: Retention::Until(until),
    });
    c.f.officer(Event::MediaPurged {
        media: d,
        authority: "档案鉴定小组".into(),
    });
    let e =
        c.ms.purge(&d, c.f.store(), Timestamp(until.0 - 1))
            .unwrap_err();
    assert!(
        matches!(&e, MediaError::PurgeRefused { block: PurgeBlock::Retention { case_no, .. }, .. } if case_no == CASE_A),
        "{e}"
    );
    assert!(e.to_string().contains("Art. 17"));
    assert!(c.ms.contains(&d));
    // The purge statement was logged while retention ran: unlawful, reported where logged.
    assert!(c
        .f
        .media_findings(Some(&c.ms))
        .iter()
        .any(|f| f.kind == FindingKind::MediaPurgeUnlawful));
    c.ms.purge(&d, c.f.store(), Timestamp(until.0 + 1)).unwrap();
    assert!(!c.ms.contains(&d));
}

#[test]
fn purge_refused_under_permanent_retention() {
    let mut c = media_case("permanent");
    let d = c.doc_b.digest;
    c.f.officer(Event::CaseClosed {
        case_no: CASE_B.into(),
        outcome: "处罚".into(),
        file_retention: Retention::Permanent,
    });
    c.f.officer(Event::MediaPurged {
        media: d,
        authority: "x".into(),
    });
    let e =
        c.ms.purge(&d, c.f.store(), Timestamp(i64::MAX))
            .unwrap_err();
    assert!(
        matches!(
            e,
            MediaError::PurgeRefused {
                block: PurgeBlock::Retention {
                    until: Retention::Permanent,
                    ..
                },
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn purge_refused_under_preservation_allowed_after_release() {
    let mut c = media_case("preservation");
    // A segment of the recording: its case is found through the session.
    let d = c.segments[2].1.digest;
    c.f.officer(Event::PreservationOrdered {
        case_no: CASE_A.into(),
        trigger: PreservationTrigger::PartyObjection,
    });
    c.f.officer(Event::MediaPurged {
        media: d,
        authority: "档案鉴定小组".into(),
    });
    let now = Timestamp(T0 + 86_400_000);
    let e = c.ms.purge(&d, c.f.store(), now).unwrap_err();
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
    assert!(e.to_string().contains("Art. 18"));
    assert!(c.ms.contains(&d));
    c.f.officer(Event::PreservationReleased {
        case_no: CASE_A.into(),
        approved_by: "局长办公会".into(),
    });
    c.ms.purge(&d, c.f.store(), now).unwrap();
    assert!(!c.ms.contains(&d));
    // The purge statement itself was logged under the order.
    let k = kinds(&c.f.media_findings(Some(&c.ms)));
    assert_eq!(k, vec![FindingKind::MediaPurgeUnlawful]);
}

#[test]
fn findings_are_bounded() {
    let c = media_case("bounded");
    for (_, m) in &c.segments {
        std::fs::remove_file(c.ms.path_of(&m.digest)).unwrap();
    }
    let findings = verify_media(
        c.f.store(),
        Some(&c.ms),
        &MediaVerifyOptions {
            max_findings: 2,
            ..MediaVerifyOptions::default()
        },
    );
    assert_eq!(findings.len(), 2);
    assert!(
        findings[1]
            .message
            .contains("2 more media findings omitted"),
        "{}",
        findings[1].message
    );
}

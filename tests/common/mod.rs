//! The shared test kit of the workspace integration tests (each `tests/*.rs` includes it with
//! `mod common;`): deterministic keys, clock and ledgers.
//!
//! - [`builder::LedgerBuilder`]: the one way a test creates a ledger (origin, keys, clock,
//!   options, format, authorizations, seal), in memory or on a file store. `Ledger::create`
//!   by hand only where it is the subject of the test.
//! - [`dir::TestDir`]: a ledger directory laid out as `liuhen init` lays one out (key file 0600),
//!   made with the library or by the binary; [`dir::AuditedDir`]: one made by `liuhen init` with
//!   the auditor's vkey beside it.
//! - [`cli`]: running the binary (stdin, watchdog, fork guard) and asserting exit code, stderr
//!   and stdout; [`events`]: statements of the common events; [`tamper`] and [`forge`]: what an
//!   insider does to files and stores; [`golden_ledger`], [`small_ledger`]: fixed histories; [`temp::TempDir`]: a directory removed on
//!   drop.
//!
//! Each test crate uses a part of the kit, so the module allows dead code as a whole.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod blake3_vectors;
pub mod builder;
pub mod cli;
pub mod cosign;
pub mod dir;
pub mod events;
pub mod faults;
pub mod forge;
pub mod http;
pub mod rng;
pub mod suite;
pub mod tamper;
pub mod temp;
pub mod tsa;
pub mod witness;

#[allow(unused_imports)]
pub use builder::{Built, LedgerBuilder, DEVICE_ID, OFFICER_ID};

use liuhen::commitment::commit_with_salt;
use liuhen::hash::{blake3, Digest};
use liuhen::model::*;
use liuhen::{Ledger, LedgerOptions, MemoryStore, SecretKey, Signer};

/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600_000;
pub const ORIGIN: &str = "jinpu.dalian.gov.cn/minzheng/enforcement";

#[derive(Clone)]
pub struct Keys {
    pub ledger: SecretKey,
    pub officer: SecretKey,
    pub device: SecretKey,
    pub outsider: SecretKey,
}

pub fn keys() -> Keys {
    Keys {
        ledger: SecretKey::from_seed(&[0x11; 32]),
        officer: SecretKey::from_seed(&[0x22; 32]),
        device: SecretKey::from_seed(&[0x33; 32]),
        outsider: SecretKey::from_seed(&[0x44; 32]),
    }
}

pub fn media(name: &str, mime: &str) -> MediaRef {
    media_named("generated media", name, mime)
}

/// A media reference to the bytes `"{prefix}: {name}"` (never stored: only its digest counts).
pub fn media_named(prefix: &str, name: &str, mime: &str) -> MediaRef {
    let bytes = format!("{prefix}: {name}");
    MediaRef {
        digest: blake3(bytes.as_bytes()),
        length: bytes.len() as u64,
        mime: mime.into(),
        name: name.into(),
    }
}

/// The media the golden scenario's case references (every `MediaRef` its entries carry).
pub const GOLDEN_CASE_MEDIA: &[&str] = &[
    "seg-0000.mp4",
    "seg-0001.mp4",
    "transcript.txt",
    "现场检查笔录.pdf",
    "检查结论.pdf",
    "seg-0001-redacted.mp4",
];

/// The bytes [`media`] digests for `name`.
pub fn media_bytes(name: &str) -> Vec<u8> {
    format!("generated media: {name}").into_bytes()
}

/// Stores the bytes of each media named in `names` (as [`media`] references them) in `ms`.
pub fn put_media(ms: &liuhen::media::MediaStore, names: &[&str]) {
    for n in names {
        let m = media(n, "application/octet-stream");
        ms.put_reader(std::io::Cursor::new(media_bytes(n)), &m)
            .unwrap();
    }
}

fn salt(n: u8) -> [u8; 32] {
    [n; 32]
}

/// The golden scenario's party: its commitment and the opening that proves it.
pub fn scenario_party() -> (Sealed, liuhen::commitment::Opening) {
    commit_with_salt("party.name", "大连某某社会组织", salt(1))
}

/// The golden scenario's requester (REQ-2026-001): its commitment and opening.
pub fn scenario_requester() -> (Sealed, liuhen::commitment::Opening) {
    commit_with_salt("requester.name", "张三", salt(2))
}

/// One statement of every event kind, in a plausible order, each with its author.
/// Every `Event` variant appears, so the golden vectors pin the whole v1 vocabulary.
pub fn scenario(k: &Keys) -> Vec<(Event, &SecretKey)> {
    let case = "金民执〔2026〕12号".to_string();
    let (party, _) = scenario_party();
    let (requester, _) = scenario_requester();
    let seg0 = media("seg-0000.mp4", "video/mp4");
    let seg1 = media("seg-0001.mp4", "video/mp4");
    let session = "BWC-7731-20260101-0900".to_string();
    vec![
        (
            Event::KeyAuthorized {
                key: k.officer.public_key(),
                role: Role::Officer,
                holder: "21020001".into(),
            },
            &k.ledger,
        ),
        (
            Event::KeyAuthorized {
                key: k.device.public_key(),
                role: Role::Device,
                holder: "BWC-7731".into(),
            },
            &k.ledger,
        ),
        (
            Event::CaseOpened {
                case_no: case.clone(),
                act: ActKind::Inspection,
                matter: "年度检查 annual inspection".into(),
                unit: "社会组织管理科".into(),
                subject: party,
            },
            &k.officer,
        ),
        (
            Event::PartyNotified {
                session: session.clone(),
                case_no: case.clone(),
                at: Timestamp(T0 + 1_000),
            },
            &k.device,
        ),
        (
            Event::RecordingStarted {
                session: session.clone(),
                case_no: case.clone(),
                device: k.device.public_key(),
                method: CaptureMethod::BodyWornRecorder,
                location: Location {
                    place: "金普新区某街道1号".into(),
                    landmark: Some("门牌 No. 1".into()),
                },
                matter: "现场检查 on-site inspection".into(),
                officers: vec!["21020001".into(), "21020002".into()],
                party: Some(party),
            },
            &k.device,
        ),
        (
            events::segment_sealed(
                &session,
                0,
                None,
                seg0.clone(),
                (Timestamp(T0 + 2_000), Timestamp(T0 + 302_000)),
            ),
            &k.device,
        ),
        (
            Event::RecordingInterrupted {
                session: session.clone(),
                reason: InterruptionReason::Battery,
                at: Timestamp(T0 + 302_000),
            },
            &k.device,
        ),
        (
            events::segment_sealed(
                &session,
                1,
                Some(seg0.digest),
                seg1.clone(),
                (Timestamp(T0 + 310_000), Timestamp(T0 + 600_000)),
            ),
            &k.device,
        ),
        (
            Event::RecordingStopped {
                session: session.clone(),
                segments: 2,
                last_segment: Some(seg1.digest),
            },
            &k.device,
        ),
        (
            Event::Archived {
                subject: RecordRef::Session(session.clone()),
                custodian: "21020009".into(),
                storage: "执法信息系统 / media store".into(),
                labels: ArchiveLabels {
                    case_no: case.clone(),
                    method: CaptureMethod::BodyWornRecorder,
                    made_at: Timestamp(T0 + 2_000),
                    made_by: "21020001".into(),
                    proves: "现场状况 conditions on site".into(),
                    transcript: Some(media("transcript.txt", "text/plain")),
                },
            },
            &k.officer,
        ),
        (
            Event::DocumentFiled {
                case_no: case.clone(),
                stage: Stage::Investigation,
                kind: DocumentKind::InvestigationRecord,
                media: media("现场检查笔录.pdf", "application/pdf"),
                officers: vec!["21020001".into(), "21020002".into()],
            },
            &k.officer,
        ),
        (
            Event::RecordingExempted {
                case_no: case.clone(),
                reason: ExemptionReason::TradeSecret,
                approved_by: "法制审核科".into(),
            },
            &k.officer,
        ),
        (
            Event::DecisionMade {
                case_no: case.clone(),
                kind: DecisionKind::NoPenalty,
                document: media("检查结论.pdf", "application/pdf"),
                relies_on: vec![seg0.digest, seg1.digest],
            },
            &k.officer,
        ),
        (
            Event::Handover {
                media: seg0.digest,
                from: "21020001".into(),
                to: "21020009".into(),
            },
            &k.officer,
        ),
        (
            Event::RetentionSet {
                case_no: case.clone(),
                until: Retention::Until(Timestamp(T0 + 30 * 365 * 86_400_000)),
            },
            &k.officer,
        ),
        (
            Event::PreservationOrdered {
                case_no: case.clone(),
                trigger: PreservationTrigger::PartyObjection,
            },
            &k.officer,
        ),
        (
            Event::PreservationReleased {
                case_no: case.clone(),
                approved_by: "局长办公会".into(),
            },
            &k.officer,
        ),
        (
            Event::DerivativeMade {
                original: seg1.digest,
                derivative: media("seg-0001-redacted.mp4", "video/mp4"),
                kind: DerivativeKind::Redaction,
                reason: "公开前脱敏 redaction before disclosure".into(),
            },
            &k.officer,
        ),
        (
            Event::AccessRequested {
                request: "REQ-2026-001".into(),
                case_no: case.clone(),
                requester,
                basis: "政府信息公开条例".into(),
            },
            &k.officer,
        ),
        (
            Event::AccessDecided {
                request: "REQ-2026-001".into(),
                granted: true,
                reason: "当事人申请".into(),
            },
            &k.officer,
        ),
        (
            Event::RecordViewed {
                subject: RecordRef::Case(case.clone()),
                by: "21020009".into(),
                purpose: "复核 review".into(),
            },
            &k.officer,
        ),
        (
            Event::RecordDisclosed {
                case_no: case.clone(),
                to: requester,
                what: vec![seg1.digest],
            },
            &k.officer,
        ),
        (
            Event::CaseClosed {
                case_no: case.clone(),
                outcome: "检查合格 passed".into(),
                file_retention: Retention::Permanent,
            },
            &k.officer,
        ),
        (
            Event::MediaPurged {
                media: media("unrelated.mp4", "video/mp4").digest,
                authority: "档案鉴定小组".into(),
            },
            &k.officer,
        ),
        (
            Event::Erased {
                commitment: requester,
                authority: "个人信息保护负责人".into(),
            },
            &k.officer,
        ),
        (
            Event::KeyRevoked {
                key: k.device.public_key(),
                reason: "设备报废 device retired".into(),
            },
            &k.ledger,
        ),
        // Appended to the vocabulary after the first vectors were pinned: it goes last so that
        // every earlier entry keeps its bytes.
        (
            Event::CircumstanceReported {
                case_no: case.clone(),
                trigger: PreservationTrigger::PartyObjection,
                summary: "当事人对处罚决定提出异议 the party objects to the decision".into(),
            },
            &k.officer,
        ),
        (
            Event::ConfidentialityMarked {
                subject: RecordRef::Case(case.clone()),
                level: Confidentiality::PersonalPrivacy,
                reason: "当事人个人信息 the party's personal information".into(),
            },
            &k.officer,
        ),
    ]
}

/// The golden ledger: genesis, then the scenario one statement a second, sealed after entry 12
/// and at the end.
pub fn golden_ledger() -> (Ledger<MemoryStore>, Keys) {
    // Format v1, frozen: these bytes are the v1 golden vectors (tests/vectors/v1).
    golden_ledger_of(liuhen::FormatVersion::V1)
}

/// The golden ledger in format `format`: the same keys, clock and scenario. Its v2 form is the
/// v2 golden vectors (tests/vectors/v2): statements bound to the ledger with per-author counters
/// assigned by `Ledger::sign_and_append`, entries with case back-links.
pub fn golden_ledger_of(format: liuhen::FormatVersion) -> (Ledger<MemoryStore>, Keys) {
    let b = golden_built(format);
    (b.ledger, b.k)
}

/// [`golden_ledger_of`] with its clock, so that more can be appended (the vector extension,
/// `tests/golden_vectors.rs`).
pub fn golden_built(format: liuhen::FormatVersion) -> Built {
    let mut b = LedgerBuilder::new()
        .options(LedgerOptions {
            format,
            // Fixed, so that the v2 vectors are reproducible ("liuhen" in ASCII).
            genesis_nonce: Some(0x6c69_7568_656e),
            ..LedgerOptions::default()
        })
        .build();
    play_scenario(&mut b);
    b
}

/// The statements appended to the golden ledger after its vectors were pinned, each with its
/// author: event kinds added to the vocabulary since (the golden vectors' `extension/`; the
/// pinned files keep their bytes). `DocumentDescribed` (variant 27, decision 0009) describes
/// the scenario's 现场检查笔录.
pub fn extension_scenario(k: &Keys) -> Vec<(Event, &SecretKey)> {
    vec![(
        Event::DocumentDescribed {
            case_no: "金民执〔2026〕12号".into(),
            document: media("现场检查笔录.pdf", "application/pdf").digest,
            proves: "现场检查时该组织未按规定公示年度工作报告".into(),
            pages: Some(3),
        },
        &k.officer,
    )]
}

/// Appends the golden [`scenario`] to `b`, one statement a second, sealing after its 12th
/// statement and at its end (checkpoints of sizes 13 and 29 on a fresh ledger).
pub fn play_scenario<S: liuhen::store::Store>(b: &mut Built<S>) {
    let k = b.k.clone();
    for (i, (event, author)) in scenario(&k).into_iter().enumerate() {
        b.append_after(1_000, author, event);
        if i == 11 {
            b.seal();
        }
    }
    b.seal();
}

/// A ledger of `n` statements by the officer (after authorizing the officer and the device),
/// sealed at each position in `seal_after` and at the end.
pub fn small_ledger(n: usize, seal_after: &[usize]) -> (Ledger<MemoryStore>, Keys) {
    small_ledger_variant(n, seal_after, "doc")
}

/// As [`small_ledger`], with `variant` in every document name: the same shape, another history.
pub fn small_ledger_variant(
    n: usize,
    seal_after: &[usize],
    variant: &str,
) -> (Ledger<MemoryStore>, Keys) {
    // The officer and the device, as the scenario's first two statements authorize them.
    let Built {
        mut ledger,
        k,
        clock,
    } = LedgerBuilder::new().officer().device().build();
    for i in 0..n {
        clock.advance(1_000);
        // Documents are filed by officers (a device key speaks only for recordings: the
        // admission rule's role table, docs/EVENTS.md).
        let author = &k.officer;
        let event = events::document_filed(
            &format!("金民执〔2026〕{}号", i % 4),
            media(&format!("{variant}-{i}.pdf"), "application/pdf"),
        );
        ledger.sign_and_append(author, event).unwrap();
        if seal_after.contains(&i) {
            ledger.seal(&k.ledger).unwrap();
        }
    }
    ledger.seal(&k.ledger).unwrap();
    (ledger, k)
}

pub fn digest_hex(d: &Digest) -> String {
    d.to_hex()
}

//! Checking a case evidence bundle offline, with the ledger's verifier key alone
//! (`docs/FORMAT.md` §20.5).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{ErrorKind, Read};

use serde::Serialize;

use super::case::{media_refs, CaseFilter};
use super::container::{read_manifest, BundleError};
use super::Progress;
use crate::admission::Admission;
use crate::checkpoint::{NoteVerifier, SignedCheckpoint, VerifiedCheckpoint};
use crate::commitment::Opening;
use crate::entry::Entry;
use crate::hash::{from_blake3, Digest, Sha256TreeHasher};
use crate::media::STREAM_BUFFER;
use crate::merkle;
use crate::model::{Event, Sealed};
use crate::policy::{PolicyCheck, WitnessPolicy};
use crate::registry::Registry;
use crate::verify::{
    check_bytes, Checked, CheckpointSummary, FindingKind, Severity, Verdict, VerifyOptions,
};
use rayon::prelude::*;

/// What no bundle can prove, however well it verifies. Every [`BundleReport`] repeats these.
pub const LIMITATIONS: &[&str] = &[
    "Completeness: a bundle proves that each entry it holds is in the ledger as of its checkpoint. Of a format-v2 ledger, the case's back-links also prove that no entry of the case between its first and its last bundled entry was left out; entries after the last one (the tail of an open case), and entries that touch the case only through a media digest, are not covered. Of a v1 ledger it cannot prove that the ledger holds no other entry of the case. Only a verification of the whole ledger can show what is absent.",
    "Revocations: the key registry is rebuilt from the registry entries the bundle holds; a revocation left out of the bundle would go unnoticed.",
    "One view: the checkpoint shows what the ledger key signed; that others were shown the same ledger needs a consistency proof to a checkpoint they hold (`liuhen prove consistency`) or witness cosignatures.",
    "Truth: signatures show who recorded each statement and when the ledger logged it, not that the events happened as stated.",
];

/// Checks specific to bundles (the ledger checks reuse [`FindingKind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BundleCheck {
    /// An entry's inclusion proof does not lead to the checkpoint's root, or the entry lies
    /// beyond the checkpoint.
    InclusionFailed,
    /// The bundle does not start with the ledger's genesis entry.
    MissingGenesis,
    /// An entry that neither changes the registry nor concerns the case: swapped in from
    /// another case.
    ForeignEntry,
    /// The bundle holds no entry of its case.
    EmptyCase,
    /// An opening opens no sealed field of the case's entries (forged or altered), or is given
    /// twice.
    BadOpening,
    /// An opening of a commitment the ledger records as erased: erased personal data must
    /// never be disclosed again, and liuhen's export never includes it.
    ErasedOpening,
    /// A media blob that no entry of the case references (or one carried twice).
    MediaUnreferenced,
    /// Format v2: an entry of the case links back (`case_prev`) to an entry the bundle does not
    /// hold, or the first bundled entry of the case is not the case's first: entries of the case
    /// were left out of the bundle.
    CaseEntriesOmitted,
}

/// The kind of a bundle finding: a ledger check ([`FindingKind`]) or a bundle check. Both
/// serialize as one `snake_case` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum BundleFindingKind {
    /// A check the ledger verifier also makes (signature, chain, registry, checkpoint, segment
    /// chains, media).
    Ledger(FindingKind),
    /// A check of the bundle itself.
    Bundle(BundleCheck),
}

impl BundleFindingKind {
    /// How serious it is: every bundle check is an integrity failure.
    pub fn severity(self) -> Severity {
        match self {
            BundleFindingKind::Ledger(k) => k.severity(),
            BundleFindingKind::Bundle(_) => Severity::Tampering,
        }
    }
}

/// One deviation found in a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundleFinding {
    /// What kind.
    pub kind: BundleFindingKind,
    /// How serious.
    pub severity: Severity,
    /// The ledger entry concerned, if known.
    pub seq: Option<u64>,
    /// One sentence for a person.
    pub message: String,
}

/// Why an entry is in the bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryRole {
    /// Entry 0: declares the ledger key.
    Genesis,
    /// A registry change (`KeyAuthorized`, `KeyRevoked`): lets the authors' keys be checked.
    Registry,
    /// An entry of the case.
    Case,
}

/// One entry of the bundle, as verified.
#[derive(Clone, Debug, Serialize)]
pub struct BundledEntrySummary {
    /// Its sequence number.
    pub seq: u64,
    /// Why it is in the bundle.
    pub role: EntryRole,
    /// The event's name.
    pub event: &'static str,
    /// The author's key.
    pub author: String,
    /// Who holds the author's key, per the registry rebuilt from the bundle.
    pub holder: Option<String>,
    /// When the ledger logged it (UTC milliseconds).
    pub logged_at: i64,
    /// Its leaf hash.
    pub leaf_hash: String,
    /// Whether its inclusion proof verified against the checkpoint.
    pub included: bool,
    /// The statement's content.
    pub content: Event,
}

/// A disclosed sealed field whose opening matched a commitment of the case.
#[derive(Clone, Serialize)]
pub struct OpenedField {
    /// The field name (e.g. `party.name`).
    pub field: String,
    /// The commitment it opens, hex.
    pub commitment: String,
    /// The disclosed value.
    pub value: String,
}

impl core::fmt::Debug for OpenedField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "OpenedField({}, value redacted)", self.field)
    }
}

/// What became of one media object of the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    /// In the bundle, and its bytes match the digest and length the ledger records.
    Verified,
    /// In the bundle, but its bytes do not match.
    Altered,
    /// In the bundle, but no entry of the case references it.
    Unreferenced,
    /// Referenced, not in the bundle: its bytes are unchecked.
    NotIncluded,
    /// Referenced, not in the bundle, and a `MediaPurged` of the case names it.
    Purged,
}

/// One media object: referenced by the case, carried by the bundle, or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundledMediaSummary {
    /// Its digest (BLAKE3, hex).
    pub digest: String,
    /// Its length in bytes (as recorded, or as carried if unreferenced).
    pub length: u64,
    /// Its recorded file name, if referenced.
    pub name: Option<String>,
    /// The first entry of the case referencing it.
    pub seq: Option<u64>,
    /// What became of it.
    pub status: MediaStatus,
}

/// The result of verifying a bundle; serializes to the JSON of `docs/FORMAT.md` §20.6.
#[derive(Clone, Debug, Serialize)]
pub struct BundleReport {
    /// `verified`: every check passed; `tampered`: some integrity finding.
    pub verdict: Verdict,
    /// The case the bundle is for.
    pub case_no: String,
    /// The ledger's origin, per the verified checkpoint.
    pub origin: Option<String>,
    /// The verifier key used (the trusted one).
    pub vkey: String,
    /// The checkpoint, if its signature verified.
    pub checkpoint: Option<CheckpointSummary>,
    /// Entries of the case.
    pub case_entries: u64,
    /// Genesis and registry entries.
    pub registry_entries: u64,
    /// Every entry of the bundle, in order.
    pub entries: Vec<BundledEntrySummary>,
    /// The openings that opened a commitment of the case.
    pub openings: Vec<OpenedField>,
    /// Media referenced by the case or carried by the bundle.
    pub media: Vec<BundledMediaSummary>,
    /// Media bytes read and hashed.
    pub media_bytes_checked: u64,
    /// Findings, in the order found, at most 1 000.
    pub findings: Vec<BundleFinding>,
    /// Findings beyond the listed ones.
    pub findings_omitted: u64,
    /// What this verification cannot prove.
    pub limitations: Vec<String>,
    /// With a witness policy, its verdict on the bundle's checkpoint (absent without one, or
    /// when a listed witness's cosignature is forged: a `bad_cosignature` finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witnesses: Option<PolicyCheck>,
    /// The RFC 3161 tokens the manifest carries (`timestamps`, bundle version 2), each with what
    /// its check found; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<BundledTimestamp>,
    /// The checkpoint's proven-before time: the earliest of its verified cosignature times (of
    /// the policy's witnesses) and verified TSA `genTime`s, with who vouches. Every entry
    /// included in the checkpoint existed before it, unchanged since. Absent without evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven_before: Option<crate::proven::TimeEvidence>,
}

/// One timestamp token of a bundle and what its check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BundledTimestamp {
    /// The token (DER `ContentInfo`), base64: `openssl ts -verify -token_in` reads it decoded.
    pub token: String,
    /// Whether it was checked (a TSA root was given and the checkpoint verified).
    pub checked: bool,
    /// The token's `genTime` (UTC ms), when it verified.
    pub gen_time: Option<crate::model::Timestamp>,
    /// The TSA certificate's subject, when it verified.
    pub tsa: Option<String>,
    /// Why it did not verify, or was not checked.
    pub error: Option<String>,
}

impl BundleReport {
    /// Whether any finding of `kind` was listed.
    pub fn has(&self, kind: BundleFindingKind) -> bool {
        self.findings.iter().any(|f| f.kind == kind)
    }

    /// The evidence list (证据清单) of the bundle's case, computed from its verified case
    /// entries that the checkpoint includes, as [`crate::audit::EvidenceList`] computes it from a
    /// ledger; `None` unless the bundle verified (a list from entries that are not verified
    /// would prove nothing).
    pub fn evidence(&self) -> Option<Vec<crate::audit::EvidenceItem>> {
        if self.verdict != Verdict::Verified {
            return None;
        }
        let entries = self
            .entries
            .iter()
            .filter(|e| e.role == EntryRole::Case && e.included)
            .map(|e| (e.seq, &e.content));
        Some(crate::audit::EvidenceList::of_case(&self.case_no, entries))
    }

    /// Whether integrity is broken.
    pub fn is_tampered(&self) -> bool {
        self.verdict == Verdict::Tampered
    }
}

const MAX_FINDINGS: usize = 1000;

#[derive(Default)]
struct Findings {
    list: Vec<BundleFinding>,
    omitted: u64,
    worst: Option<Severity>,
}

impl Findings {
    fn add(&mut self, kind: BundleFindingKind, seq: Option<u64>, message: String) {
        let severity = kind.severity();
        self.worst = self.worst.max(Some(severity));
        if self.list.len() < MAX_FINDINGS {
            self.list.push(BundleFinding {
                kind,
                severity,
                seq,
                message,
            });
        } else {
            self.omitted += 1;
        }
    }

    fn ledger(&mut self, kind: FindingKind, seq: Option<u64>, message: String) {
        self.add(BundleFindingKind::Ledger(kind), seq, message);
    }

    fn bundle(&mut self, kind: BundleCheck, seq: Option<u64>, message: String) {
        self.add(BundleFindingKind::Bundle(kind), seq, message);
    }
}

/// A decoded entry of the bundle with what the per-entry checks found.
struct Decoded {
    entry: Entry,
    leaf: Digest,
    included: bool,
    signature_ok: bool,
}

/// Verifies a case evidence bundle read from `reader` with the ledger's verifier key `vkey`
/// (obtained independently of the bundle); see [`verify_with_progress`].
///
/// # Errors
/// As [`verify_with_progress`].
pub fn verify<R: Read>(reader: R, vkey: &NoteVerifier) -> Result<BundleReport, BundleError> {
    verify_with_progress(reader, vkey, &mut ())
}

/// Verifies a case evidence bundle (`docs/FORMAT.md` §20.5), reading it once, front to back,
/// and media through a fixed buffer.
///
/// Checks: the bundle's vkey is the trusted one; the checkpoint's C2SP signature and origin;
/// every entry's inclusion proof against the checkpoint root; that the bundle starts with the
/// genesis of the trusted key; the hash chain between entries with adjacent sequence numbers;
/// every author's signature (`verify_strict`) and authorization at its position, with the
/// registry rebuilt from the bundle's genesis and registry entries; that every other entry
/// concerns the case; every opening against the case's commitments; the case's recording
/// segment chains; and each media blob's BLAKE3 digest and length against the entries.
///
/// # Errors
/// A [`BundleError`] for which [`BundleError::is_malformed`] holds when the input is not a
/// well-formed bundle (unreadable, truncated, oversized, malformed manifest, trailing bytes).
/// Everything wrong *inside* a well-formed bundle is a finding of the report.
pub fn verify_with_progress<R: Read>(
    reader: R,
    vkey: &NoteVerifier,
    progress: &mut dyn Progress,
) -> Result<BundleReport, BundleError> {
    verify_with_policy(reader, vkey, None, progress)
}

/// [`verify_with_progress`], and with a witness policy, whether the bundle's checkpoint meets
/// it: if not, an `unwitnessed` finding (the verdict is then at best unverified) saying why;
/// a forged cosignature of a listed witness is a `bad_cosignature` finding (tampered).
///
/// # Errors
/// As [`verify_with_progress`].
pub fn verify_with_policy<R: Read>(
    reader: R,
    vkey: &NoteVerifier,
    policy: Option<&WitnessPolicy>,
    progress: &mut dyn Progress,
) -> Result<BundleReport, BundleError> {
    verify_with_evidence(reader, vkey, policy, None, progress)
}

/// [`verify_with_policy`], and with TSA roots, each timestamp token of the manifest verified
/// against the bundle's checkpoint (`docs/FORMAT.md` §20.5): a token that does not verify
/// (altered, another checkpoint's, bad signature) is a `bad_timestamp` finding (tampered), one
/// that cannot be checked (untrusted chain, unsupported algorithm) `timestamp_unverified`.
/// Without roots, tokens are listed unchecked and a limitation says their time is not proven.
/// The report's [`BundleReport::proven_before`] is the earliest verified cosignature or TSA
/// time of the checkpoint.
///
/// # Errors
/// As [`verify_with_progress`].
pub fn verify_with_evidence<R: Read>(
    mut reader: R,
    vkey: &NoteVerifier,
    policy: Option<&WitnessPolicy>,
    tsa_roots: Option<&crate::timestamp::TsaRoots>,
    progress: &mut dyn Progress,
) -> Result<BundleReport, BundleError> {
    let manifest = read_manifest(&mut reader)?;
    let mut f = Findings::default();
    let trusted = vkey.to_string();
    if manifest.vkey != trusted {
        f.ledger(
            FindingKind::WrongLedgerKey,
            None,
            format!(
                "the bundle names the ledger key {:?}, not the trusted key {trusted}",
                manifest.vkey
            ),
        );
    }
    let checkpoint: Option<VerifiedCheckpoint> = match SignedCheckpoint::parse(
        manifest.checkpoint.as_bytes(),
    )
    .and_then(|c| c.verify(vkey))
    {
        Ok(c) => Some(c),
        Err(e) => {
            f.ledger(
                    FindingKind::BadCheckpoint,
                    None,
                    format!("the bundle's checkpoint does not verify with the trusted key: {e}; no inclusion proof can be checked"),
                );
            None
        }
    };
    let witnesses = match (policy, &checkpoint) {
        (Some(policy), Some(c)) => match policy.check(c.signed()) {
            Ok(p) => {
                if let Some(why) = &p.why_not {
                    f.ledger(
                        FindingKind::Unwitnessed,
                        None,
                        format!("the bundle's checkpoint does not meet the witness policy: {why}"),
                    );
                }
                Some(p)
            }
            Err(e) => {
                f.ledger(
                    FindingKind::BadCosignature,
                    None,
                    format!("the bundle's checkpoint: {e}: forged or altered"),
                );
                None
            }
        },
        _ => None,
    };

    let timestamps = check_timestamps(&manifest.timestamps, checkpoint.as_ref(), tsa_roots, &mut f);
    let proven_before = checkpoint
        .as_ref()
        .and_then(|c| proven_before(c.size(), witnesses.as_ref(), &timestamps));

    let decoded = decode_entries(&manifest.entries, checkpoint.as_ref(), &mut f);
    let mut summaries = Vec::with_capacity(decoded.len());
    let walk = walk_entries(
        &manifest.case_no,
        &decoded,
        &trusted,
        &mut f,
        &mut summaries,
    );

    let openings = check_openings(&manifest.openings, &walk, &mut f);

    if checkpoint.is_some() {
        check_segments(&decoded, &mut f);
    }

    let (media, media_bytes_checked) =
        check_media(&mut reader, &manifest.media, &walk, &mut f, progress)?;
    // The bundle must end with its last blob.
    let mut one = [0u8; 1];
    loop {
        match reader.read(&mut one) {
            Ok(0) => break,
            Ok(_) => return Err(BundleError::TrailingBytes),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(BundleError::Io {
                    what: "cannot read the bundle".into(),
                    source,
                })
            }
        }
    }

    let mut limitations: Vec<String> = LIMITATIONS.iter().map(|s| (*s).to_owned()).collect();
    let unchecked_tokens = timestamps.iter().filter(|t| !t.checked).count();
    if unchecked_tokens > 0 {
        limitations.push(format!(
            "Time: the bundle carries {unchecked_tokens} timestamp tokens that were not checked (no TSA root given, --tsa-root), so the time they state is not proven."
        ));
    }
    let unchecked = media
        .iter()
        .filter(|m| m.status == MediaStatus::NotIncluded)
        .count();
    if unchecked > 0 {
        limitations.push(format!(
            "Media: {unchecked} media objects referenced by the case are not in this bundle, so their bytes were not checked (Art. 21(2))."
        ));
    }
    let verdict = match f.worst {
        None => Verdict::Verified,
        Some(Severity::Unverified) => Verdict::Unverified,
        Some(Severity::Tampering) => Verdict::Tampered,
    };
    Ok(BundleReport {
        verdict,
        case_no: manifest.case_no.clone(),
        origin: checkpoint.as_ref().map(|c| c.origin().to_owned()),
        vkey: trusted,
        checkpoint: checkpoint.as_ref().map(|c| CheckpointSummary {
            size: c.size(),
            root: c.root().to_hex(),
            note: manifest.checkpoint.clone(),
        }),
        case_entries: walk.case_entries,
        registry_entries: walk.registry_entries,
        entries: summaries,
        openings,
        media,
        media_bytes_checked,
        findings: f.list,
        findings_omitted: f.omitted,
        limitations,
        witnesses,
        timestamps,
        proven_before,
    })
}

/// Checks each token of the manifest against the verified checkpoint with `roots`.
fn check_timestamps(
    tokens: &[Vec<u8>],
    checkpoint: Option<&VerifiedCheckpoint>,
    roots: Option<&crate::timestamp::TsaRoots>,
    f: &mut Findings,
) -> Vec<BundledTimestamp> {
    use base64::Engine as _;
    tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let mut out = BundledTimestamp {
                token: base64::engine::general_purpose::STANDARD.encode(token),
                checked: false,
                gen_time: None,
                tsa: None,
                error: None,
            };
            let (Some(roots), Some(c)) = (roots, checkpoint) else {
                out.error = Some(if roots.is_none() {
                    "no TSA root given".into()
                } else {
                    "the checkpoint does not verify".into()
                });
                return out;
            };
            out.checked = true;
            match crate::timestamp::verify_token(token, c.checkpoint(), roots) {
                Ok(v) => {
                    out.gen_time = Some(v.gen_time);
                    out.tsa = Some(v.tsa_subject);
                }
                Err(e) => {
                    let kind = if e.is_tampering() {
                        FindingKind::BadTimestamp
                    } else {
                        FindingKind::TimestampUnverified
                    };
                    f.ledger(
                        kind,
                        None,
                        format!("timestamp token {i} of the bundle (over its checkpoint of size {}): {e}", c.size()),
                    );
                    out.error = Some(e.to_string());
                }
            }
            out
        })
        .collect()
}

/// The earliest verified time of the checkpoint of `size`: a policy witness's cosignature or a
/// verified token's `genTime`.
fn proven_before(
    size: u64,
    witnesses: Option<&PolicyCheck>,
    timestamps: &[BundledTimestamp],
) -> Option<crate::proven::TimeEvidence> {
    let cosigned = witnesses
        .into_iter()
        .flat_map(|p| &p.cosigners)
        .filter_map(|c| {
            let ms = i64::try_from(c.timestamp).ok()?.checked_mul(1000)?;
            Some(crate::proven::TimeEvidence {
                size,
                time: crate::model::Timestamp(ms),
                source: crate::proven::TimeSource::Cosignature {
                    witness: c.witness.clone(),
                },
            })
        });
    let stamped = timestamps.iter().filter_map(|t| {
        Some(crate::proven::TimeEvidence {
            size,
            time: t.gen_time?,
            source: crate::proven::TimeSource::Timestamp {
                tsa: t.tsa.clone()?,
            },
        })
    });
    cosigned
        .chain(stamped)
        .min_by(|a, b| (a.time, &a.source).cmp(&(b.time, &b.source)))
}

/// Decodes every entry, checks the order of sequence numbers and each inclusion proof.
fn decode_entries(
    entries: &[super::container::BundledEntry],
    checkpoint: Option<&VerifiedCheckpoint>,
    f: &mut Findings,
) -> Vec<Decoded> {
    let mut out: Vec<Decoded> = Vec::with_capacity(entries.len());
    // The ledger verifier's own per-entry check (leaf hash, decoding, signature), in parallel.
    let checked: Vec<Checked> = entries
        .par_iter()
        .map(|me| check_bytes(&me.bytes))
        .collect();
    for (i, (me, c)) in entries.iter().zip(checked).enumerate() {
        let leaf = c.leaf_hash;
        let signature_ok = c.signature_ok;
        let entry = match c.entry {
            Ok(e) => e,
            Err(e) => {
                f.ledger(
                    FindingKind::Malformed,
                    None,
                    format!("entry {i} of the bundle does not decode: {e}"),
                );
                continue;
            }
        };
        let seq = entry.seq;
        if let Some(last) = out.last() {
            if seq <= last.entry.seq {
                f.ledger(
                    FindingKind::Sequence,
                    Some(seq),
                    format!(
                        "entry {seq} follows entry {} in the bundle: entries must be in strictly increasing order",
                        last.entry.seq
                    ),
                );
            }
        }
        let included = match checkpoint {
            None => false,
            Some(c) if seq >= c.size() => {
                f.bundle(
                    BundleCheck::InclusionFailed,
                    Some(seq),
                    format!(
                        "entry {seq} lies beyond the bundle's checkpoint (size {})",
                        c.size()
                    ),
                );
                false
            }
            Some(c) => match merkle::verify_inclusion(
                &Sha256TreeHasher,
                seq,
                c.size(),
                &leaf,
                &me.path,
                c.root(),
            ) {
                Ok(()) => true,
                Err(e) => {
                    f.bundle(
                        BundleCheck::InclusionFailed,
                        Some(seq),
                        format!(
                            "entry {seq}: its inclusion proof does not lead to the signed root of size {}: {e}",
                            c.size()
                        ),
                    );
                    false
                }
            },
        };
        out.push(Decoded {
            entry,
            leaf,
            included,
            signature_ok,
        });
    }
    out
}

/// What the walk over the entries learned.
struct Walk {
    filter: CaseFilter,
    case_entries: u64,
    registry_entries: u64,
    erased: HashMap<Sealed, u64>,
    purged: HashMap<Digest, u64>,
    /// Distinct media of the case in order of first reference: digest, length, name, seq.
    refs: Vec<(Digest, u64, String, u64)>,
}

/// Genesis, chain, signatures, registry, clocks and case membership, in bundle order.
fn walk_entries(
    case_no: &str,
    decoded: &[Decoded],
    trusted: &str,
    f: &mut Findings,
    summaries: &mut Vec<BundledEntrySummary>,
) -> Walk {
    let skew = VerifyOptions::default().max_future_skew_ms;
    let mut walk = Walk {
        filter: CaseFilter::new(case_no),
        case_entries: 0,
        registry_entries: 0,
        erased: HashMap::new(),
        purged: HashMap::new(),
        refs: Vec::new(),
    };
    let mut seen_media: HashSet<Digest> = HashSet::new();
    match decoded.first().map(|d| (&d.entry.seq, &d.entry.statement.statement.event)) {
        Some((0, Event::Genesis { origin, ledger_key, .. })) => {
            let declared = NoteVerifier::for_key(origin, *ledger_key)
                .map(|k| k.to_string())
                .unwrap_or_default();
            if declared != trusted {
                f.ledger(
                    FindingKind::WrongLedgerKey,
                    Some(0),
                    format!("genesis declares the ledger key {declared:?}, but the trusted key is {trusted}"),
                );
            }
        }
        _ => f.bundle(
            BundleCheck::MissingGenesis,
            None,
            "the bundle does not start with the ledger's genesis entry (entry 0), so the authors' keys cannot be traced to the ledger key".into(),
        ),
    }
    let mut links = super::links::Links::new(case_no);
    let mut registry = Registry::new();
    let mut prev: Option<(u64, Digest)> = None;
    let mut last_logged: Option<i64> = None;
    for d in decoded {
        let e = &d.entry;
        let seq = e.seq;
        let st = &e.statement.statement;
        let event = &st.event;
        match prev {
            Some((p, leaf)) if p.checked_add(1) == Some(seq) && e.prev != leaf => f.ledger(
                FindingKind::BrokenChain,
                Some(seq),
                format!(
                    "entry {seq} does not chain to entry {p} (prev {} expected {leaf})",
                    e.prev
                ),
            ),
            None if seq == 0 && e.prev != Digest::ZERO => f.ledger(
                FindingKind::BrokenChain,
                Some(0),
                "the genesis entry's prev is not all zeros".into(),
            ),
            _ => {}
        }
        prev = Some((seq, d.leaf));
        for finding in links.observe(e, d.leaf) {
            match finding {
                super::links::LinkFinding::Ledger(kind, seq, message) => {
                    f.ledger(kind, Some(seq), message);
                }
                super::links::LinkFinding::Bundle(kind, seq, message) => {
                    f.bundle(kind, Some(seq), message);
                }
            }
        }
        let signature_ok = d.signature_ok;
        if !signature_ok {
            f.ledger(
                FindingKind::BadSignature,
                Some(seq),
                format!(
                    "entry {seq}: the signature of {} does not verify",
                    st.author
                ),
            );
        }
        let role = if seq == 0 && matches!(event, Event::Genesis { .. }) {
            EntryRole::Genesis
        } else if event.is_registry_change() {
            EntryRole::Registry
        } else {
            EntryRole::Case
        };
        let admitted = match role {
            // A forged registry statement must have no effect on the registry.
            EntryRole::Genesis | EntryRole::Registry if signature_ok => registry.admit(seq, st),
            _ => registry.check(seq, st),
        };
        if let Err(err) = admitted {
            f.ledger(FindingKind::Unauthorized, Some(seq), err.to_string());
        }
        if role == EntryRole::Case {
            if walk.filter.concerns(event) {
                walk.case_entries += 1;
                match event {
                    Event::Erased { commitment, .. } => {
                        walk.erased.entry(*commitment).or_insert(seq);
                    }
                    Event::MediaPurged { media, .. } => {
                        walk.purged.entry(*media).or_insert(seq);
                    }
                    _ => {}
                }
                for m in media_refs(event) {
                    if seen_media.insert(m.digest) {
                        walk.refs.push((m.digest, m.length, m.name.clone(), seq));
                    }
                }
            } else {
                f.bundle(
                    BundleCheck::ForeignEntry,
                    Some(seq),
                    format!(
                        "entry {seq} ({}) does not concern case {case_no}: an entry of another case was put in the bundle",
                        event.name()
                    ),
                );
            }
        } else {
            walk.registry_entries += 1;
        }
        let logged = e.logged_at.millis();
        if let Some(last) = last_logged {
            if logged < last {
                f.ledger(
                    FindingKind::TimeReversal,
                    Some(seq),
                    format!("entry {seq} was logged at {logged} ms, before an earlier entry of the bundle ({last} ms)"),
                );
            }
        }
        last_logged = Some(last_logged.map_or(logged, |l| l.max(logged)));
        if st.time > e.logged_at.plus_millis(skew) {
            f.ledger(
                FindingKind::FutureStatement,
                Some(seq),
                format!(
                    "entry {seq}: the statement is dated {} ms, after it was logged ({logged} ms)",
                    st.time.millis()
                ),
            );
        }
        summaries.push(BundledEntrySummary {
            seq,
            role,
            event: event.name(),
            author: st.author.to_string(),
            holder: registry.get(&st.author).map(|r| r.holder.clone()),
            logged_at: logged,
            leaf_hash: d.leaf.to_hex(),
            included: d.included,
            content: event.clone(),
        });
    }
    if walk.case_entries == 0 {
        f.bundle(
            BundleCheck::EmptyCase,
            None,
            format!("the bundle holds no entry of case {case_no}"),
        );
    }
    walk
}

/// Each opening must open a commitment of the case that was not erased, once.
fn check_openings(
    openings: &[super::container::BundledOpening],
    walk: &Walk,
    f: &mut Findings,
) -> Vec<OpenedField> {
    let mut out = Vec::new();
    let mut done: HashSet<Sealed> = HashSet::new();
    for (i, o) in openings.iter().enumerate() {
        let opening = Opening {
            field: o.field.clone(),
            salt: o.salt,
            value: o.value.clone(),
        };
        let c = opening.commitment();
        if !walk.filter.commitments().contains(&c) {
            f.bundle(
                BundleCheck::BadOpening,
                None,
                format!(
                    "opening {i} (field {:?}) opens no sealed field of the case's entries: it is forged or altered",
                    o.field
                ),
            );
            continue;
        }
        if let Some(seq) = walk.erased.get(&c) {
            f.bundle(
                BundleCheck::ErasedOpening,
                Some(*seq),
                format!(
                    "opening {i} (field {:?}) discloses personal data whose erasure the ledger records at entry {seq}",
                    o.field
                ),
            );
            continue;
        }
        if !done.insert(c) {
            f.bundle(
                BundleCheck::BadOpening,
                None,
                format!("opening {i} (field {:?}) is given twice", o.field),
            );
            continue;
        }
        out.push(OpenedField {
            field: o.field.clone(),
            commitment: c.0.to_hex(),
            value: o.value.clone(),
        });
    }
    out
}

/// The recording sessions and holds of the case (Art. 14(4), 17, 18) and its document
/// descriptions (FORMAT §10.9), judged by the one
/// admission rule ([`Admission`]) over the entries whose inclusion was proven, in `seq` order,
/// each at its own `seq` — as the media verifier judges a whole ledger. Work and memory follow
/// the entries the bundle holds, never the size its checkpoint claims (up to 2^64 − 1).
fn check_segments(decoded: &[Decoded], f: &mut Findings) {
    let by_seq: BTreeMap<u64, &Decoded> = decoded
        .iter()
        .filter(|d| d.included)
        .map(|d| (d.entry.seq, d))
        .collect();
    let mut admission = Admission::new(VerifyOptions::default().max_future_skew_ms);
    for (seq, d) in by_seq {
        let statement = &d.entry.statement.statement;
        if let Err(refusal) = admission.admit(seq, d.entry.logged_at, statement) {
            // Also a description of a document its case never filed: the filing is a case
            // entry, so the bundle holds it if the ledger does.
            if refusal.is_recording_or_hold()
                || matches!(refusal, crate::admission::Refusal::DocumentNotFiled { .. })
            {
                f.ledger(refusal.finding_kind(), Some(seq), refusal.to_string());
            }
        }
        if seq == 0 {
            admission.set_genesis_leaf(d.leaf);
        }
    }
}

/// Reads every blob once through a fixed buffer and checks it against the case's references.
fn check_media<R: Read>(
    reader: &mut R,
    blobs: &[super::container::BundledMedia],
    walk: &Walk,
    f: &mut Findings,
    progress: &mut dyn Progress,
) -> Result<(Vec<BundledMediaSummary>, u64), BundleError> {
    let refs: HashMap<Digest, (u64, &str, u64)> = walk
        .refs
        .iter()
        .map(|(d, l, n, s)| (*d, (*l, n.as_str(), *s)))
        .collect();
    let total = blobs.iter().fold(0u64, |a, m| a.saturating_add(m.length));
    progress.start(total);
    let mut buf = vec![0u8; STREAM_BUFFER];
    let mut checked = 0u64;
    let mut carried: HashSet<Digest> = HashSet::new();
    let mut out = Vec::new();
    for (i, m) in blobs.iter().enumerate() {
        let actual = hash_blob(reader, m.length, i, &mut buf, progress)?;
        checked = checked.saturating_add(m.length);
        let first = carried.insert(m.digest);
        let reference = refs.get(&m.digest);
        let status = match reference {
            _ if !first => {
                f.bundle(
                    BundleCheck::MediaUnreferenced,
                    None,
                    format!("media {} is carried twice (blob {i})", m.digest),
                );
                MediaStatus::Unreferenced
            }
            None => {
                f.bundle(
                    BundleCheck::MediaUnreferenced,
                    None,
                    format!(
                        "blob {i} claims to be media {}, which no entry of the case references",
                        m.digest
                    ),
                );
                MediaStatus::Unreferenced
            }
            Some((length, name, seq)) => {
                if actual != m.digest || *length != m.length {
                    let swapped = actual != m.digest && refs.contains_key(&actual);
                    let kind = if swapped {
                        FindingKind::MediaSwapped
                    } else {
                        FindingKind::MediaAltered
                    };
                    f.ledger(
                        kind,
                        Some(*seq),
                        format!(
                            "media {} ({name}, entry {seq}): the bundle carries {} bytes with digest {actual}, the ledger records {length} bytes (Art. 21(2): original footage must not be altered)",
                            m.digest, m.length
                        ),
                    );
                    MediaStatus::Altered
                } else {
                    MediaStatus::Verified
                }
            }
        };
        let (name, seq, length) = match reference {
            Some((l, n, s)) => (Some((*n).to_owned()), Some(*s), *l),
            None => (None, None, m.length),
        };
        out.push(BundledMediaSummary {
            digest: m.digest.to_hex(),
            length,
            name,
            seq,
            status,
        });
    }
    for (digest, length, name, seq) in &walk.refs {
        if carried.contains(digest) {
            continue;
        }
        out.push(BundledMediaSummary {
            digest: digest.to_hex(),
            length: *length,
            name: Some(name.clone()),
            seq: Some(*seq),
            status: if walk.purged.contains_key(digest) {
                MediaStatus::Purged
            } else {
                MediaStatus::NotIncluded
            },
        });
    }
    Ok((out, checked))
}

/// BLAKE3 of the next `length` bytes of the bundle.
fn hash_blob<R: Read>(
    reader: &mut R,
    length: u64,
    index: usize,
    buf: &mut [u8],
    progress: &mut dyn Progress,
) -> Result<Digest, BundleError> {
    let mut hasher = blake3::Hasher::new();
    let mut left = length;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = match reader.read(chunk) {
            Ok(0) => {
                return Err(BundleError::Truncated {
                    what: format!(
                        "media blob {index} ({} of {length} bytes present)",
                        length - left
                    ),
                })
            }
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(BundleError::Io {
                    what: "cannot read the bundle".into(),
                    source,
                })
            }
        };
        hasher.update(chunk.get(..n).unwrap_or_default());
        left -= n as u64;
        progress.advance(n as u64);
    }
    Ok(from_blake3(hasher.finalize()))
}

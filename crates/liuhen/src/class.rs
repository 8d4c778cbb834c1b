//! What kind of failure an error is, for adapters that must answer with a code: an HTTP status,
//! a C ABI's return value, an exit code.
//!
//! Every adapter asks the same questions of an error — is it the caller's input, the caller's
//! authority, a statement already in the ledger, too large, a refusal by the admission rule,
//! a store that cannot write now, damaged records, or a fault of ours? — and must answer them
//! the same way. [`ErrorClass`] is the answer; [`crate::Error::class`] (and `class()` on the
//! module errors a writer meets: [`LedgerError`], [`SharedError`], [`IngestError`],
//! [`BodyError`], [`Refusal`], [`RegistryError`], …) gives it. An adapter maps the class to its
//! own code and nothing else (the HTTP service: docs/HTTP.md).
//!
//! [`ErrorClass::Tampering`] is exactly [`crate::Error::is_tampering`]: damaged records are
//! tampering whatever else the error says, and nothing else is.
//!
//! The classes of a refused statement (docs/FORMAT.md §10):
//!
//! | refusal | class |
//! |---|---|
//! | unknown, revoked or wrong-role key; no genesis; a signature that does not verify | [`ErrorClass::NotAuthorized`] |
//! | a v2 counter not above the author's last (a replay, FORMAT.md §10.3) | [`ErrorClass::Duplicate`] |
//! | an entry over 64 KiB | [`ErrorClass::TooLarge`] |
//! | dated in the future or before genesis, another ledger, sessions, segments, cases, holds, registry changes | [`ErrorClass::Refused`] |
//! | an invalid or weak key, a non-canonical encoding | [`ErrorClass::Malformed`] |

use crate::admission::Refusal;
use crate::dir::DirError;
use crate::encoding::EncodingError;
use crate::entry::StatementError;
use crate::error::Error;
use crate::ingest::body::BodyError;
use crate::ingest::{IngestError, InputError};
use crate::keys::KeyError;
use crate::ledger::LedgerError;
use crate::registry::RegistryError;
use crate::shared::SharedError;
use crate::store::file::FileStoreError;
use crate::store::StoreError;

/// The kind of a failure, as every adapter reports it (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The input cannot be read: bad syntax, an unknown, repeated or missing member, a bad
    /// encoding, an invalid key. Sending it again will fail again.
    Malformed,
    /// The statement's author may not make it: an unknown or revoked key, a role that may not
    /// make this statement, or a signature that does not verify (the signature is the
    /// authentication).
    NotAuthorized,
    /// The statement is already in the ledger: its author's counter was already used (a
    /// replayed statement, FORMAT.md §10.3).
    Duplicate,
    /// The input is larger than a statement or entry may be.
    TooLarge,
    /// The admission rule refuses the statement for another reason (dated in the future, out
    /// of order, a case or recording rule, a hold).
    Refused,
    /// The store cannot write now (a failed or latched store, a failed group commit, an I/O
    /// error, a lock held by another writer); nothing was appended, and a later try may
    /// succeed.
    Unavailable,
    /// Records were found damaged: tampering, never "try again".
    Tampering,
    /// A fault of the program or its configuration.
    Internal,
}

impl ErrorClass {
    /// Every class.
    pub const ALL: [ErrorClass; 8] = [
        ErrorClass::Malformed,
        ErrorClass::NotAuthorized,
        ErrorClass::Duplicate,
        ErrorClass::TooLarge,
        ErrorClass::Refused,
        ErrorClass::Unavailable,
        ErrorClass::Tampering,
        ErrorClass::Internal,
    ];

    /// A short machine-readable name: `malformed`, `not-authorized`, `duplicate`, `too-large`,
    /// `refused`, `unavailable`, `tampered`, `internal`.
    pub fn kind(self) -> &'static str {
        match self {
            ErrorClass::Malformed => "malformed",
            ErrorClass::NotAuthorized => "not-authorized",
            ErrorClass::Duplicate => "duplicate",
            ErrorClass::TooLarge => "too-large",
            ErrorClass::Refused => "refused",
            ErrorClass::Unavailable => "unavailable",
            ErrorClass::Tampering => "tampered",
            ErrorClass::Internal => "internal",
        }
    }

    /// Whether the same call may succeed later unchanged.
    pub fn may_retry(self) -> bool {
        self == ErrorClass::Unavailable
    }
}

impl Error {
    /// The class of the error (see the [module docs](self)).
    pub fn class(&self) -> ErrorClass {
        if self.is_tampering() {
            return ErrorClass::Tampering;
        }
        match self {
            Error::Ledger(e) => e.class(),
            Error::Shared(e) => e.class(),
            Error::Store(e) => e.class(),
            Error::FileStore(e) => e.class(),
            Error::Dir(e) => dir_class(e),
            Error::Admission(r) => r.class(),
            Error::Registry(e) => e.class(),
            Error::Encoding(e) => e.class(),
            Error::Statement(e) => e.class(),
            Error::Key(e) => e.class(),
            Error::Ingest(e) => e.class(),
            Error::Proof(crate::bundle::ProofError::Store(e)) => e.class(),
            // Inputs that do not parse or verify.
            Error::SealState(_)
            | Error::Checkpoint(_)
            | Error::Note(_)
            | Error::Commit(_)
            | Error::Profile(_)
            | Error::Proof(_) => ErrorClass::Malformed,
            // A proof for a size or leaf the tree does not have, or that does not lead to the
            // root: the request is refused as asked.
            Error::Merkle(_) => ErrorClass::Refused,
            // A media or vault backend that cannot answer now (not an absence).
            Error::Media(crate::media::MediaError::Backend { .. })
            | Error::Vault(crate::vault::VaultError::Backend { .. }) => ErrorClass::Unavailable,
            Error::Setup(_)
            | Error::Init(_)
            | Error::KeyFile(_)
            | Error::Vault(_)
            | Error::Media(_)
            | Error::Bundle(_)
            | Error::Audit(_)
            | Error::Check(_)
            | Error::Disclosure(_) => ErrorClass::Internal,
        }
    }
}

impl LedgerError {
    /// The class of the error (see the [module docs](self)).
    pub fn class(&self) -> ErrorClass {
        if crate::error::ledger_is_tampering(self) {
            return ErrorClass::Tampering;
        }
        match self {
            LedgerError::Store(e) => e.class(),
            LedgerError::Encoding { source, .. } => source.class(),
            LedgerError::BadSignature { source, .. } => source.class(),
            LedgerError::Refused { source, .. } => source.class(),
            LedgerError::Inadmissible { source, .. } => source.class(),
            LedgerError::FutureStatement { .. } => ErrorClass::Refused,
            LedgerError::GroupCommitFailed { .. } | LedgerError::ClockBehindStore { .. } => {
                ErrorClass::Unavailable
            }
            LedgerError::NotLedgerKey { .. } => ErrorClass::NotAuthorized,
            LedgerError::BadOrigin { .. } => ErrorClass::Malformed,
            LedgerError::Merkle(_) => ErrorClass::Refused,
            LedgerError::Statement(e) => e.class(),
            LedgerError::Checkpoint(_)
            | LedgerError::NotEmpty { .. }
            | LedgerError::NoGenesis
            | LedgerError::Randomness { .. }
            | LedgerError::OriginMismatch { .. }
            | LedgerError::Corrupt { .. }
            | LedgerError::SealRefused(_) => ErrorClass::Internal,
        }
    }
}

impl SharedError {
    /// The class of the error: the ledger's, or [`ErrorClass::Unavailable`] for a failed group
    /// commit or a poisoned ledger (nothing of the call was appended).
    pub fn class(&self) -> ErrorClass {
        match self {
            SharedError::Ledger(e) => e.class(),
            SharedError::GroupCommit { source, .. } if source.class() == ErrorClass::Tampering => {
                ErrorClass::Tampering
            }
            SharedError::GroupCommit { .. } | SharedError::Poisoned => ErrorClass::Unavailable,
        }
    }
}

impl StoreError {
    /// The class of the error.
    pub fn class(&self) -> ErrorClass {
        match self {
            StoreError::Corrupt { .. } => ErrorClass::Tampering,
            StoreError::ReadOnly { .. } | StoreError::Io { .. } => ErrorClass::Unavailable,
            // A backend's own error says what it is (the file store's: a damaged header or a
            // missing file is tampering).
            StoreError::Backend { source, .. } => source
                .downcast_ref::<FileStoreError>()
                .map_or(ErrorClass::Unavailable, FileStoreError::class),
            StoreError::OutOfRange { .. }
            | StoreError::NoSuchNode { .. }
            | StoreError::NoSuchCheckpoint { .. }
            | StoreError::NotContiguous { .. } => ErrorClass::Internal,
        }
    }
}

impl FileStoreError {
    /// The class of the error.
    pub fn class(&self) -> ErrorClass {
        match self {
            FileStoreError::Corrupt { .. }
            | FileStoreError::BadHeader { .. }
            | FileStoreError::MissingFile { .. } => ErrorClass::Tampering,
            FileStoreError::Io { .. }
            | FileStoreError::NotWritable { .. }
            | FileStoreError::Locked { .. }
            | FileStoreError::ReadOnly { .. } => ErrorClass::Unavailable,
            _ => ErrorClass::Internal,
        }
    }
}

/// The class of a ledger directory's error (the media store's and vault's damage is judged by
/// [`Error::class`] before this).
fn dir_class(e: &DirError) -> ErrorClass {
    match e {
        DirError::Damaged { .. } => ErrorClass::Tampering,
        DirError::Store(e) => e.class(),
        DirError::Ledger(e) => e.class(),
        DirError::Media(crate::media::MediaError::Backend { .. })
        | DirError::Vault(crate::vault::VaultError::Backend { .. }) => ErrorClass::Unavailable,
        DirError::StoreGiven { .. }
        | DirError::NotALedgerDir { .. }
        | DirError::Media(_)
        | DirError::Vault(_) => ErrorClass::Internal,
    }
}

impl Refusal {
    /// The class of a statement the admission rule refuses.
    pub fn class(&self) -> ErrorClass {
        match self {
            Refusal::Registry(e) => e.class(),
            Refusal::Replay { .. } => ErrorClass::Duplicate,
            Refusal::WrongLedger { .. }
            | Refusal::BeforeGenesis { .. }
            | Refusal::Future { .. }
            | Refusal::SessionInUse { .. }
            | Refusal::WrongDevice { .. }
            | Refusal::SegmentOrphan { .. }
            | Refusal::SegmentAfterStop { .. }
            | Refusal::SegmentDuplicate { .. }
            | Refusal::SegmentMissing { .. }
            | Refusal::SegmentChainBroken { .. }
            | Refusal::SegmentCountMismatch { .. }
            | Refusal::CaseAlreadyOpen { .. }
            | Refusal::DocumentNotFiled { .. }
            | Refusal::PurgeUnlawful { .. } => ErrorClass::Refused,
        }
    }
}

impl RegistryError {
    /// The class of a statement the key registry refuses.
    pub fn class(&self) -> ErrorClass {
        match self {
            RegistryError::NoGenesis { .. }
            | RegistryError::UnknownKey { .. }
            | RegistryError::RevokedKey { .. }
            | RegistryError::NotPermitted { .. } => ErrorClass::NotAuthorized,
            RegistryError::InvalidKey { .. } => ErrorClass::Malformed,
            RegistryError::BadGenesis
            | RegistryError::GenesisMisplaced { .. }
            | RegistryError::StateSecret { .. }
            | RegistryError::AlreadyRegistered { .. }
            | RegistryError::NotActive { .. }
            | RegistryError::LedgerKeyRevoked { .. } => ErrorClass::Refused,
        }
    }
}

impl EncodingError {
    /// The class of the error.
    pub fn class(&self) -> ErrorClass {
        match self {
            EncodingError::TooLong { .. } => ErrorClass::TooLarge,
            EncodingError::Encode { .. } => ErrorClass::Internal,
            EncodingError::WrongLabel { .. }
            | EncodingError::Malformed { .. }
            | EncodingError::TrailingBytes { .. }
            | EncodingError::NonCanonical
            | EncodingError::CaseLinkInV1 => ErrorClass::Malformed,
        }
    }
}

impl StatementError {
    /// The class of the error.
    pub fn class(&self) -> ErrorClass {
        match self {
            StatementError::Encoding(e) => e.class(),
            StatementError::Key(e) => e.class(),
        }
    }
}

impl KeyError {
    /// The class of the error: a signature that does not verify is not authorized.
    pub fn class(&self) -> ErrorClass {
        match self {
            KeyError::BadSignature { .. } => ErrorClass::NotAuthorized,
            KeyError::InvalidPublicKey | KeyError::WeakPublicKey { .. } => ErrorClass::Malformed,
            KeyError::SignerFailed { .. } | KeyError::Rng => ErrorClass::Internal,
        }
    }
}

impl InputError {
    /// The class of the error.
    pub fn class(&self) -> ErrorClass {
        match self {
            InputError::LineTooLong { .. } | InputError::TooLarge { .. } => ErrorClass::TooLarge,
            InputError::NotUtf8 { .. }
            | InputError::Syntax { .. }
            | InputError::Shape { .. }
            | InputError::Member { .. } => ErrorClass::Malformed,
            InputError::Io(_) => ErrorClass::Unavailable,
            // The adapter's own signer failed.
            InputError::Sign { .. } => ErrorClass::Internal,
        }
    }
}

impl IngestError {
    /// The class of the error: that of the first unreadable statement, of the refusal, or of
    /// the store's failure.
    pub fn class(&self) -> ErrorClass {
        match self {
            IngestError::Unreadable { errors, .. } => errors
                .first()
                .map_or(ErrorClass::Malformed, InputError::class),
            IngestError::Refused(r) => r.error.class(),
            IngestError::Ledger(e) => e.class(),
            // The spool is the ingest's own scratch file: its damage is no evidence.
            IngestError::Spool(e) => match e.class() {
                ErrorClass::Tampering => ErrorClass::Internal,
                other => other,
            },
            IngestError::Audit(_) => ErrorClass::Internal,
            IngestError::Interrupted { source, .. } => match source.class() {
                ErrorClass::Tampering => ErrorClass::Tampering,
                _ => ErrorClass::Unavailable,
            },
        }
    }
}

impl BodyError {
    /// The class of the error.
    pub fn class(&self) -> ErrorClass {
        match self {
            BodyError::Input(e) => e.class(),
            BodyError::Binary(e) => e.class(),
            BodyError::Empty | BodyError::NotOne { .. } => ErrorClass::Malformed,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::hash::Digest;
    use crate::ingest::Refused;
    use crate::keys::PublicKey;
    use crate::media::custody::PurgeBlock;
    use crate::model::Role;

    fn key() -> PublicKey {
        crate::keys::Signer::public_key(&crate::keys::SecretKey::from_seed(&[1; 32]))
    }

    fn io_store() -> StoreError {
        StoreError::Io {
            path: PathBuf::from("ledger/entries.log"),
            source: std::io::Error::other("disk full"),
        }
    }

    fn corrupt_store() -> StoreError {
        StoreError::Corrupt {
            path: PathBuf::from("ledger/entries.log"),
            record: 3,
            offset: 96,
            reason: "checksum mismatch".into(),
        }
    }

    fn postcard_error() -> postcard::Error {
        postcard::Error::DeserializeUnexpectedEnd
    }

    /// Every refusal of the admission rule, and its class.
    fn refusals() -> Vec<(Refusal, ErrorClass)> {
        let s = || "s-1".to_owned();
        let w = || "SegmentSealed".to_owned();
        use ErrorClass::{Duplicate, NotAuthorized, Refused};
        vec![
            (
                Refusal::Registry(RegistryError::UnknownKey { seq: 1, key: key() }),
                NotAuthorized,
            ),
            (
                Refusal::WrongLedger {
                    seq: 1,
                    reason: "x".into(),
                },
                Refused,
            ),
            (
                Refusal::Replay {
                    seq: 9,
                    author: key(),
                    counter: 3,
                    last: 3,
                    last_seq: 5,
                },
                Duplicate,
            ),
            (
                Refusal::BeforeGenesis {
                    seq: 1,
                    time: 0,
                    genesis: 10,
                },
                Refused,
            ),
            (
                Refusal::Future {
                    seq: 1,
                    time: 10,
                    logged_at: 0,
                    skew_ms: 1,
                },
                Refused,
            ),
            (
                Refusal::SessionInUse {
                    seq: 1,
                    session: s(),
                    since: 0,
                },
                Refused,
            ),
            (
                Refusal::WrongDevice {
                    seq: 1,
                    session: s(),
                    what: w(),
                    author: key(),
                    device: key(),
                },
                Refused,
            ),
            (
                Refusal::SegmentOrphan {
                    seq: 1,
                    session: s(),
                    what: w(),
                },
                Refused,
            ),
            (
                Refusal::SegmentAfterStop {
                    seq: 1,
                    session: s(),
                    what: w(),
                    stopped_at: 0,
                },
                Refused,
            ),
            (
                Refusal::SegmentDuplicate {
                    seq: 1,
                    session: s(),
                    index: 0,
                },
                Refused,
            ),
            (
                Refusal::SegmentMissing {
                    seq: 1,
                    session: s(),
                    index: 2,
                    expected: 1,
                },
                Refused,
            ),
            (
                Refusal::SegmentChainBroken {
                    seq: 1,
                    session: s(),
                    index: 1,
                    named: None,
                    last: Some(Digest::ZERO),
                },
                Refused,
            ),
            (
                Refusal::SegmentCountMismatch {
                    seq: 1,
                    session: s(),
                    declared: 1,
                    declared_last: None,
                    held: 2,
                    held_last: None,
                },
                Refused,
            ),
            (
                Refusal::CaseAlreadyOpen {
                    seq: 1,
                    case_no: "c".into(),
                    opened_at: 0,
                },
                Refused,
            ),
            (
                Refusal::PurgeUnlawful {
                    seq: 1,
                    media: Digest::ZERO,
                    block: PurgeBlock::NoPurgeStatement,
                },
                Refused,
            ),
            (
                Refusal::DocumentNotFiled {
                    seq: 1,
                    case_no: "c".into(),
                    document: Digest::ZERO,
                    filed_in: None,
                },
                Refused,
            ),
        ]
    }

    fn registry_errors() -> Vec<(RegistryError, ErrorClass)> {
        use ErrorClass::{Malformed, NotAuthorized, Refused};
        vec![
            (RegistryError::BadGenesis, Refused),
            (RegistryError::GenesisMisplaced { seq: 1 }, Refused),
            (RegistryError::NoGenesis { seq: 1 }, NotAuthorized),
            (
                RegistryError::UnknownKey { seq: 1, key: key() },
                NotAuthorized,
            ),
            (
                RegistryError::RevokedKey {
                    seq: 1,
                    key: key(),
                    revoked_at: 0,
                },
                NotAuthorized,
            ),
            (
                RegistryError::NotPermitted {
                    seq: 1,
                    role: Role::Device,
                    event: "CaseOpened",
                },
                NotAuthorized,
            ),
            (RegistryError::StateSecret { seq: 1 }, Refused),
            (
                RegistryError::AlreadyRegistered {
                    seq: 1,
                    key: key(),
                    since: 0,
                },
                Refused,
            ),
            (RegistryError::NotActive { seq: 1, key: key() }, Refused),
            (RegistryError::LedgerKeyRevoked { seq: 1 }, Refused),
            (RegistryError::InvalidKey { seq: 1, key: key() }, Malformed),
        ]
    }

    fn encoding_errors() -> Vec<(EncodingError, ErrorClass)> {
        use ErrorClass::{Internal, Malformed, TooLarge};
        vec![
            (
                EncodingError::WrongLabel {
                    expected: "x".into(),
                },
                Malformed,
            ),
            (EncodingError::TooLong { len: 2, max: 1 }, TooLarge),
            (
                EncodingError::Malformed {
                    source: postcard_error(),
                },
                Malformed,
            ),
            (EncodingError::TrailingBytes { count: 1 }, Malformed),
            (EncodingError::NonCanonical, Malformed),
            (EncodingError::CaseLinkInV1, Malformed),
            (
                EncodingError::Encode {
                    source: postcard_error(),
                },
                Internal,
            ),
        ]
    }

    fn key_errors() -> Vec<(KeyError, ErrorClass)> {
        use ErrorClass::{Internal, Malformed, NotAuthorized};
        vec![
            (KeyError::InvalidPublicKey, Malformed),
            (KeyError::WeakPublicKey { key: "k".into() }, Malformed),
            (KeyError::BadSignature { key: "k".into() }, NotAuthorized),
            (
                KeyError::SignerFailed {
                    reason: "hsm".into(),
                },
                Internal,
            ),
            (KeyError::Rng, Internal),
        ]
    }

    fn input_errors() -> Vec<(InputError, ErrorClass)> {
        use ErrorClass::{Internal, Malformed, TooLarge, Unavailable};
        vec![
            (InputError::Io(std::io::Error::other("reset")), Unavailable),
            (InputError::LineTooLong { line: 1 }, TooLarge),
            (InputError::TooLarge { line: 1 }, TooLarge),
            (InputError::NotUtf8 { line: 1 }, Malformed),
            (
                InputError::Syntax {
                    line: 1,
                    column: 2,
                    message: "x".into(),
                },
                Malformed,
            ),
            (
                InputError::Shape {
                    line: 1,
                    hint: "x".into(),
                },
                Malformed,
            ),
            (
                InputError::Member {
                    line: 1,
                    column: 1,
                    message: "unknown field".into(),
                    path: "event".into(),
                    unknown: true,
                },
                Malformed,
            ),
            (
                InputError::Sign {
                    line: 1,
                    source: StatementError::Key(KeyError::Rng),
                },
                Internal,
            ),
        ]
    }

    /// Ledger errors an append meets, and their classes.
    fn ledger_errors() -> Vec<(LedgerError, ErrorClass)> {
        use ErrorClass::*;
        let mut out: Vec<(LedgerError, ErrorClass)> = vec![
            (LedgerError::Store(io_store()), Unavailable),
            (
                LedgerError::Store(StoreError::ReadOnly {
                    reason: "latched after a failed write".into(),
                }),
                Unavailable,
            ),
            (LedgerError::Store(corrupt_store()), Tampering),
            (
                LedgerError::Store(StoreError::NotContiguous {
                    expected: 1,
                    got: 2,
                }),
                Internal,
            ),
            (
                LedgerError::Corrupt {
                    seq: 3,
                    reason: "x".into(),
                },
                Tampering,
            ),
            (
                LedgerError::GroupCommitFailed { reason: "x".into() },
                Unavailable,
            ),
            (
                LedgerError::FutureStatement {
                    index: 0,
                    time: 10,
                    now: 0,
                    max_skew_ms: 1,
                },
                Refused,
            ),
            (
                LedgerError::NotLedgerKey {
                    expected: key(),
                    got: key(),
                },
                NotAuthorized,
            ),
            (LedgerError::NoGenesis, Internal),
        ];
        for (e, class) in encoding_errors() {
            out.push((
                LedgerError::Encoding {
                    index: 0,
                    source: e,
                },
                class,
            ));
        }
        for (e, class) in key_errors() {
            out.push((
                LedgerError::BadSignature {
                    index: 0,
                    source: StatementError::Key(e),
                },
                class,
            ));
        }
        for (e, class) in registry_errors() {
            out.push((
                LedgerError::Refused {
                    index: 0,
                    source: e,
                },
                class,
            ));
        }
        for (r, class) in refusals() {
            out.push((
                LedgerError::Inadmissible {
                    index: 0,
                    source: Box::new(r),
                },
                class,
            ));
        }
        out
    }

    #[test]
    fn kinds_are_distinct_and_only_unavailable_may_be_retried() {
        let kinds: std::collections::HashSet<_> =
            ErrorClass::ALL.iter().map(|c| c.kind()).collect();
        assert_eq!(kinds.len(), ErrorClass::ALL.len());
        for c in ErrorClass::ALL {
            assert_eq!(c.may_retry(), c == ErrorClass::Unavailable, "{c:?}");
        }
    }

    #[test]
    fn every_refusal_has_its_class() {
        for (r, class) in refusals() {
            assert_eq!(r.class(), class, "{r}");
            let e: Error = r.into();
            assert_eq!(e.class(), class, "{e}");
        }
        for (e, class) in registry_errors() {
            assert_eq!(e.class(), class, "{e}");
            assert_eq!(Refusal::Registry(e).class(), class);
        }
        for (e, class) in encoding_errors() {
            assert_eq!(e.class(), class, "{e}");
            assert_eq!(StatementError::Encoding(e).class(), class);
        }
        for (e, class) in key_errors() {
            assert_eq!(e.class(), class, "{e}");
        }
    }

    #[test]
    fn an_append_failure_has_the_same_class_through_every_wrapper() {
        for (e, class) in ledger_errors() {
            let shown = e.to_string();
            assert_eq!(e.class(), class, "{shown}");
            let shared = SharedError::Ledger(e);
            assert_eq!(shared.class(), class, "{shown}");
            let any: Error = shared.into();
            assert_eq!(any.class(), class, "{shown}");
            // Tampering is exactly what the one tampering rule says.
            assert_eq!(
                any.class() == ErrorClass::Tampering,
                any.is_tampering(),
                "{shown}"
            );
        }
        for (e, class) in ledger_errors() {
            let refused = IngestError::Refused(Box::new(Refused {
                line: 4,
                column: 1,
                error: e,
            }));
            assert_eq!(refused.class(), class, "{refused}");
        }
    }

    #[test]
    fn a_failed_group_commit_or_poisoned_ledger_is_unavailable_unless_records_are_damaged() {
        let group = |e: LedgerError| SharedError::GroupCommit {
            group: 3,
            source: Arc::new(e),
        };
        let cases: Vec<(SharedError, ErrorClass)> = vec![
            (
                group(LedgerError::Store(io_store())),
                ErrorClass::Unavailable,
            ),
            (
                group(LedgerError::Store(corrupt_store())),
                ErrorClass::Tampering,
            ),
            (SharedError::Poisoned, ErrorClass::Unavailable),
        ];
        for (e, class) in cases {
            assert_eq!(e.class(), class, "{e}");
            let any: Error = e.into();
            assert_eq!(any.class(), class);
            assert_eq!(any.class() == ErrorClass::Tampering, any.is_tampering());
        }
    }

    #[test]
    fn unreadable_input_and_bodies_have_their_class() {
        for (e, class) in input_errors() {
            assert_eq!(e.class(), class, "{e}");
            let unreadable = IngestError::Unreadable {
                errors: vec![e],
                count: 1,
            };
            assert_eq!(unreadable.class(), class, "{unreadable}");
        }
        for (e, class) in input_errors() {
            assert_eq!(BodyError::Input(e).class(), class);
        }
        for (e, class) in encoding_errors() {
            assert_eq!(BodyError::Binary(e).class(), class);
        }
        assert_eq!(BodyError::Empty.class(), ErrorClass::Malformed);
        assert_eq!(BodyError::NotOne { line: 2 }.class(), ErrorClass::Malformed);
        let interrupted = |source| IngestError::Interrupted {
            committed: 4096,
            line: 4097,
            source,
        };
        assert_eq!(
            interrupted(LedgerError::Store(io_store())).class(),
            ErrorClass::Unavailable
        );
        assert_eq!(
            interrupted(LedgerError::Store(corrupt_store())).class(),
            ErrorClass::Tampering
        );
        // The spool is scratch: its damage is no evidence.
        assert_eq!(
            IngestError::Spool(corrupt_store()).class(),
            ErrorClass::Internal
        );
        assert_eq!(
            IngestError::Spool(io_store()).class(),
            ErrorClass::Unavailable
        );
    }

    #[test]
    fn store_and_directory_errors_have_their_class() {
        let damaged = DirError::Damaged {
            dir: PathBuf::from("jinpu"),
            reason: "x".into(),
        };
        let cases: Vec<(Error, ErrorClass)> = vec![
            (io_store().into(), ErrorClass::Unavailable),
            (corrupt_store().into(), ErrorClass::Tampering),
            (damaged.into(), ErrorClass::Tampering),
            (
                DirError::NotALedgerDir {
                    path: PathBuf::from("x"),
                }
                .into(),
                ErrorClass::Internal,
            ),
            (
                DirError::Ledger(LedgerError::Store(io_store())).into(),
                ErrorClass::Unavailable,
            ),
        ];
        for (e, class) in cases {
            assert_eq!(e.class(), class, "{e}");
            assert_eq!(e.class() == ErrorClass::Tampering, e.is_tampering(), "{e}");
        }
    }
}

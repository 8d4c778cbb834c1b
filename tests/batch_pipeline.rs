//! The batch path checks signatures in a pipeline (issue 13): while the thread pool checks the
//! signatures of a batch of 64 or more, the caller's thread admits and encodes, in order, the
//! statements already checked; a lone statement is checked on the caller's thread, and the
//! writer keeps its authors' keys decompressed. None of that may change a verdict or a byte.
//!
//! The property: a random mix of valid and invalid statements (bad signatures, an author's key
//! that is not a key, unauthorized authors, a key authorized in the middle of the batch,
//! statements dated in the future) appended as one batch to a file-store ledger gives exactly
//! what appending them one at a time to a second ledger gives — the same receipts and the same
//! stored bytes; for `append_batch` the same first refusal (index and reason) and nothing
//! stored, for `append_each` the same outcome for every statement.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::events::{numbered_document, officer_authorized, signed};
use common::temp::TempDir;
use common::{Built, LedgerBuilder, T0};
use liuhen::keys::Signature;
use liuhen::store::{Store, StoreRead};
use liuhen::{LedgerError, PublicKey, Receipt, SecretKey, SignedStatement, Signer};
use proptest::prelude::*;

/// What a generated statement is.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// The officer files a document: admissible.
    Valid,
    /// As `Valid`, one signature byte flipped.
    BadSignature,
    /// The outsider files a document: refused unless authorized earlier.
    Outsider,
    /// The ledger key authorizes the outsider (refused if it already is).
    AuthorizeOutsider,
    /// The officer files a document dated ten days ahead of the ledger clock.
    Future,
    /// A statement whose author is not a valid public key.
    NotAKey,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        60 => Just(Kind::Valid),
        3 => Just(Kind::BadSignature),
        3 => Just(Kind::Outsider),
        2 => Just(Kind::AuthorizeOutsider),
        2 => Just(Kind::Future),
        2 => Just(Kind::NotAKey),
    ]
}

/// Two ledgers alike: format v1 (statements signed outside are admitted by both), officer and
/// device authorized, clocks stopped at the same time.
fn twin(store_dir: &TempDir) -> (Built<liuhen::store::file::FileStore>, Built) {
    let piped = LedgerBuilder::new()
        .v1_field_team()
        .file_store(store_dir.path())
        .build();
    let reference = LedgerBuilder::new().v1_field_team().build();
    (piped, reference)
}

fn statements(kinds: &[Kind], b: &Built<impl Store>) -> Vec<SignedStatement> {
    let t = common::T0 + 60_000;
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let officer: &dyn Signer = &b.k.officer;
            match kind {
                Kind::Valid => signed(liuhen::model::Timestamp(t), numbered_document(i), officer),
                Kind::BadSignature => {
                    let mut s = signed(liuhen::model::Timestamp(t), numbered_document(i), officer);
                    let mut sig = *s.signature.as_bytes();
                    sig[i % 64] ^= 1 << (i % 8);
                    s.signature = Signature::Ed25519(sig);
                    s
                }
                Kind::Outsider => signed(
                    liuhen::model::Timestamp(t),
                    numbered_document(i),
                    &b.k.outsider,
                ),
                Kind::AuthorizeOutsider => signed(
                    liuhen::model::Timestamp(t),
                    officer_authorized(b.k.outsider.public_key()),
                    &b.k.ledger,
                ),
                Kind::Future => signed(
                    liuhen::model::Timestamp(T0 + 20 * 86_400_000),
                    numbered_document(i),
                    officer,
                ),
                Kind::NotAKey => {
                    let mut s = signed(liuhen::model::Timestamp(t), numbered_document(i), officer);
                    // y = p: not a canonical point encoding.
                    let mut bytes = [0xff; 32];
                    bytes[0] = 0xed;
                    bytes[31] = 0x7f;
                    s.statement.author = PublicKey::Ed25519(bytes);
                    s
                }
            }
        })
        .collect()
}

/// A refusal without the batch position it names: `(position, reason)`.
fn refusal(e: &LedgerError) -> (usize, String) {
    let index = match e {
        LedgerError::BadSignature { index, .. }
        | LedgerError::Refused { index, .. }
        | LedgerError::Inadmissible { index, .. }
        | LedgerError::FutureStatement { index, .. }
        | LedgerError::Encoding { index, .. } => *index,
        other => panic!("not a refusal of a statement: {other}"),
    };
    let text = e
        .to_string()
        .replacen(&format!("statement {index} of"), "statement # of", 1);
    (index, text)
}

/// Appends `statements` one at a time: each one's receipt or refusal.
fn one_at_a_time(
    b: &mut Built,
    statements: &[SignedStatement],
) -> Vec<Result<Receipt, (usize, String)>> {
    statements
        .iter()
        .map(|s| b.ledger.append(s.clone()).map_err(|e| refusal(&e)))
        .collect()
}

/// Twin ledgers in a new directory named `name`, the statements of `kinds`, and what
/// appending them one at a time to the reference gave (the reference has them).
#[allow(clippy::type_complexity)]
fn played(
    name: &str,
    kinds: &[Kind],
) -> (
    TempDir,
    Built<liuhen::store::file::FileStore>,
    Built,
    Vec<SignedStatement>,
    Vec<Result<Receipt, (usize, String)>>,
) {
    let dir = TempDir::new(name);
    let (piped, mut reference) = twin(&dir);
    let batch = statements(kinds, &piped);
    let expected = one_at_a_time(&mut reference, &batch);
    (dir, piped, reference, batch, expected)
}

/// The stored bytes of every entry of both ledgers are equal.
fn same_entries(piped: &Built<liuhen::store::file::FileStore>, reference: &Built) {
    let size = reference.ledger.size();
    assert_eq!(piped.ledger.size(), size);
    assert_eq!(
        piped.ledger.store().entries(0..size).unwrap(),
        reference.ledger.store().entries(0..size).unwrap()
    );
    assert_eq!(piped.ledger.root(), reference.ledger.root());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// All or nothing: the batch is appended iff every statement is admitted one at a time,
    /// with the same receipts; otherwise it refuses the first statement one at a time refuses,
    /// for the same reason, stores nothing, and the statements before it then go in as before.
    #[test]
    fn a_pipelined_batch_is_judged_and_stored_as_one_at_a_time(
        kinds in prop::collection::vec(kind(), 1..260)
    ) {
        let (_dir, mut piped, mut reference, batch, expected) = played("batch-pipeline", &kinds);
        let before = piped.ledger.size();
        match expected.iter().position(Result::is_err) {
            None => {
                let receipts = piped.ledger.append_batch(batch).unwrap();
                let expected: Vec<Receipt> = expected.into_iter().map(Result::unwrap).collect();
                prop_assert_eq!(receipts, expected);
            }
            Some(first) => {
                let e = piped.ledger.append_batch(batch.clone()).unwrap_err();
                let (index, reason) = refusal(&e);
                prop_assert_eq!(index, first);
                prop_assert_eq!(Err(reason), expected[first].clone().map_err(|(_, r)| r));
                prop_assert_eq!(piped.ledger.size(), before);
                // The reference kept what it admitted before `first` and after it; the
                // statements before `first` still go in, as one batch, to the same places.
                let head = piped.ledger.append_batch(batch[..first].to_vec()).unwrap();
                let expected_head: Vec<Receipt> =
                    expected[..first].iter().cloned().map(Result::unwrap).collect();
                prop_assert_eq!(head, expected_head);
                // Bring the reference back to the same entries: a fresh one with the head only.
                let mut fresh = LedgerBuilder::new().v1_field_team().build();
                for s in &batch[..first] {
                    fresh.ledger.append(s.clone()).unwrap();
                }
                reference = fresh;
            }
        }
        same_entries(&piped, &reference);
    }

    /// Each on its own: every statement gets the outcome it gets one at a time, and the
    /// admitted ones are stored, in order, with the same bytes.
    #[test]
    fn append_each_in_a_pipeline_judges_every_statement_as_one_at_a_time(
        kinds in prop::collection::vec(kind(), 1..260)
    ) {
        let (_dir, mut piped, reference, batch, expected) = played("each-pipeline", &kinds);
        let outcomes: Vec<Result<Receipt, (usize, String)>> = piped
            .ledger
            .append_each(batch, true)
            .unwrap()
            .into_iter()
            .map(|o| o.map_err(|e| refusal(&e)).map_err(|(_, text)| (0, text)))
            .collect();
        prop_assert_eq!(outcomes, expected);
        same_entries(&piped, &reference);
    }
}

/// A key the writer has decompressed before (and keeps) gives the same verdicts as a fresh
/// one: a batch by an author already seen, with one forged signature, is refused at the same
/// statement by a ledger that has never seen the author.
#[test]
fn a_kept_key_changes_no_verdict() {
    let dir = TempDir::new("kept-key");
    let (mut warm, _) = twin(&dir);
    let first = statements(&[Kind::Valid; 70], &warm);
    warm.ledger.append_batch(first).unwrap();
    let mut kinds = [Kind::Valid; 100];
    kinds[77] = Kind::BadSignature;
    let batch = statements(&kinds, &warm);
    let mut cold = LedgerBuilder::new().v1_field_team().build();
    let e_warm = warm.ledger.append_batch(batch.clone()).unwrap_err();
    let e_cold = cold.ledger.append_batch(batch).unwrap_err();
    assert_eq!(refusal(&e_warm), refusal(&e_cold));
    assert_eq!(refusal(&e_warm).0, 77);
    let outsider = SecretKey::from_seed(&[0x55; 32]);
    let lone = signed(
        liuhen::model::Timestamp(T0 + 60_000),
        numbered_document(1),
        &outsider,
    );
    assert!(matches!(
        warm.ledger.append(lone),
        Err(LedgerError::Refused { index: 0, .. })
    ));
}

//! The core's disclosure layer (`liuhen::disclosure`), as an embedding application meets it:
//! personal data comes out only with its trace in the ledger, and a disclosure whose trace
//! cannot be appended discloses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::builder::last_event;
use common::events::case_opened;
use common::{Built, Keys, LedgerBuilder};
use liuhen::commitment::{commit_with_salt, ValueError, MAX_VALUE_BYTES};
use liuhen::disclosure::{
    erase, export_case, export_case_in_dir, partial_path, view_case, DisclosureError, EraseRequest,
    Erasure, Export, ExportRequest, OpeningsSource, Recipient, ViewRequest, RECIPIENT_FIELD,
};
use liuhen::model::{Event, RecordRef, Sealed};
use liuhen::store::file::FileStore;
use liuhen::vault::{RecordState, Vault, VaultError};
use liuhen::{Ledger, LedgerDir, SecretKey};

const CASE: &str = "金民执〔2026〕41号";
const PARTY: &str = "大连某某物流有限公司 赵某某";

struct Fixture {
    dir: LedgerDir,
    ledger: Ledger<FileStore>,
    vault: Vault,
    k: Keys,
    party: Sealed,
}

/// A ledger directory (`DIR/ledger`, `DIR/vault`) with an authorized officer and one case
/// whose party is committed through the vault.
fn fixture(name: &str) -> Fixture {
    let root = common::dir::tmp_dir(&format!("disclosure-{name}"));
    let dir = LedgerDir::new(&root);
    let Built { mut ledger, k, .. } = LedgerBuilder::new()
        .officer()
        .file_store(dir.store_dir())
        .build();
    let vault = dir.vault().unwrap();
    let party = vault.commit("party.name", PARTY).unwrap();
    ledger
        .sign_and_append(&k.officer, case_opened(CASE, party))
        .unwrap();
    Fixture {
        dir,
        ledger,
        vault,
        k,
        party,
    }
}

fn view_request() -> ViewRequest {
    ViewRequest {
        case_no: CASE.into(),
        purpose: "复核 review".into(),
    }
}

#[test]
fn an_embedding_program_cannot_read_a_personal_value_without_a_trace_entry() {
    let mut f = fixture("view-traced");
    let before = f.ledger.size();
    let view = view_case(&mut f.ledger, &f.vault, &f.k.officer, &view_request()).unwrap();
    // The value came out …
    assert_eq!(view.openings.openings.len(), 1);
    assert_eq!(view.openings.openings[0].value, PARTY);
    assert!(view.openings.openings[0].opens(&f.party));
    // … and its trace is in the ledger, durable, before it did.
    assert_eq!(f.ledger.size(), before + 1);
    assert_eq!(view.receipt.seq, before);
    match last_event(&f.ledger) {
        Event::RecordViewed {
            subject: RecordRef::Case(case),
            by,
            purpose,
        } => {
            assert_eq!(case, CASE);
            assert_eq!(by, "21020001", "by is the registry's holder of the key");
            assert_eq!(purpose, "复核 review");
        }
        other => panic!("expected RecordViewed, got {}", other.name()),
    }
}

#[test]
fn a_view_by_an_unauthorized_key_reveals_nothing_and_appends_nothing() {
    let mut f = fixture("view-stranger");
    let before = f.ledger.size();
    let err = view_case(&mut f.ledger, &f.vault, &f.k.outsider, &view_request()).unwrap_err();
    assert!(
        matches!(err, DisclosureError::NotAuthorized { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was shown"), "{err}");
    assert_eq!(f.ledger.size(), before);
}

#[test]
fn a_view_of_a_case_without_sealed_fields_or_purpose_appends_nothing() {
    let mut f = fixture("view-nothing");
    let before = f.ledger.size();
    let req = ViewRequest {
        case_no: "no such case".into(),
        purpose: "复核".into(),
    };
    let err = view_case(&mut f.ledger, &f.vault, &f.k.officer, &req).unwrap_err();
    assert!(
        matches!(err, DisclosureError::NoSealedField { .. }),
        "{err}"
    );
    let req = ViewRequest {
        case_no: CASE.into(),
        purpose: "  ".into(),
    };
    let err = view_case(&mut f.ledger, &f.vault, &f.k.officer, &req).unwrap_err();
    assert!(
        matches!(err, DisclosureError::InvalidRequest { .. }),
        "{err}"
    );
    assert_eq!(f.ledger.size(), before);
}

fn export_request(output: PathBuf) -> ExportRequest {
    ExportRequest {
        case_no: CASE.into(),
        output,
        recipient: Recipient::Named("大连市中级人民法院".into()),
        openings: OpeningsSource::Vault,
        with_media: false,
    }
}

/// [`fixture`] sealed, where the case's bundle goes, and the ledger's size before the export.
fn sealed_fixture(name: &str) -> (Fixture, PathBuf, u64) {
    let mut f = fixture(name);
    f.ledger.seal(&f.k.ledger).unwrap();
    let output = f.dir.root().join("case-41.bundle");
    let before = f.ledger.size();
    (f, output, before)
}

/// `export_case` of CASE to `output` through the fixture's writer, signed by the key `by`
/// picks.
fn export_by(
    f: &mut Fixture,
    by: fn(&Keys) -> &SecretKey,
    output: &Path,
) -> Result<Export, DisclosureError> {
    let request = export_request(output.to_path_buf());
    export_case(&mut f.ledger, &f.dir, by(&f.k), &request, &mut ())
}

#[test]
fn an_export_records_its_disclosure_naming_the_bundle_it_put_in_place() {
    let (mut f, output, before) = sealed_fixture("export-traced");
    let export = export_by(&mut f, |k| &k.officer, &output).unwrap();
    assert!(output.exists());
    assert!(!partial_path(&output).exists());
    assert_eq!(export.summary.openings, 1);
    assert_eq!(f.ledger.size(), before + 1);
    let bytes = std::fs::read(&output).unwrap();
    match last_event(&f.ledger) {
        Event::RecordDisclosed { case_no, to, what } => {
            assert_eq!(case_no, CASE);
            assert_eq!(to, export.to);
            assert_eq!(what, vec![liuhen::hash::blake3(&bytes)]);
        }
        other => panic!("expected RecordDisclosed, got {}", other.name()),
    }
    // The new recipient is in the vault under its commitment, as recipient.name.
    let opening = f.vault.get_untraced(&export.to).unwrap();
    assert_eq!(opening.field, RECIPIENT_FIELD);
    assert!(export.new_recipient);
}

#[test]
fn an_export_whose_trace_cannot_be_appended_leaves_no_bundle() {
    let (f, output, before) = sealed_fixture("export-untraceable");
    // `f.ledger` is this ledger's writer and holds its lock: the disclosure cannot be recorded.
    let err = export_case_in_dir(
        &f.dir,
        &f.k.officer,
        &export_request(output.clone()),
        &mut (),
    )
    .unwrap_err();
    assert!(
        matches!(err, DisclosureError::WriterUnavailable { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("the bundle was removed"), "{err}");
    assert!(!output.exists(), "a bundle is in place without its trace");
    assert!(!partial_path(&output).exists());
    assert_eq!(f.ledger.store().size(), before);
}

#[test]
fn an_export_by_a_key_that_may_not_disclose_writes_nothing() {
    let (mut f, output, before) = sealed_fixture("export-stranger");
    let err = export_by(&mut f, |k| &k.outsider, &output).unwrap_err();
    assert!(matches!(err, DisclosureError::NotPermitted { .. }), "{err}");
    assert!(!output.exists() && !partial_path(&output).exists());
    assert_eq!(f.ledger.size(), before);
}

#[test]
fn an_export_answering_an_undecided_request_writes_nothing() {
    let mut f = fixture("export-undecided");
    f.ledger
        .sign_and_append(
            &f.k.officer,
            Event::AccessRequested {
                request: "REQ-1".into(),
                case_no: CASE.into(),
                requester: f.party,
                basis: "当事人查阅".into(),
            },
        )
        .unwrap();
    f.ledger.seal(&f.k.ledger).unwrap();
    let output = f.dir.root().join("case-41.bundle");
    let mut req = export_request(output.clone());
    req.recipient = Recipient::Requester {
        request: "REQ-1".into(),
        name: None,
    };
    let err = export_case(&mut f.ledger, &f.dir, &f.k.officer, &req, &mut ()).unwrap_err();
    assert!(
        matches!(err, DisclosureError::RequestUndecided { .. }),
        "{err}"
    );
    assert!(!output.exists());
}

#[test]
fn personal_values_outside_the_rules_are_refused_before_anything_is_stored() {
    let f = fixture("value-rules");
    let records = || std::fs::read_dir(f.vault.root()).unwrap().count();
    let before = records();
    for (field, value) in [
        ("party.name", String::new()),
        ("party.name", "x".repeat(MAX_VALUE_BYTES + 1)),
        ("", "王某".to_owned()),
        ("party\nname", "王某".to_owned()),
    ] {
        let err = f.vault.commit(field, &value).unwrap_err();
        assert!(matches!(err, VaultError::Value(_)), "{field:?}: {err}");
        // The same rule where an opening made elsewhere is stored.
        let (_, opening) = commit_with_salt(field, &value, [7; 32]);
        assert!(
            matches!(f.vault.put(&opening), Err(VaultError::Value(_))),
            "{field:?}"
        );
    }
    assert!(matches!(
        f.vault.commit("party.name", ""),
        Err(VaultError::Value(ValueError::Empty { .. }))
    ));
    assert_eq!(records(), before, "nothing was stored");
    // The longest value allowed is stored.
    let longest = "x".repeat(MAX_VALUE_BYTES);
    let c = f.vault.commit("party.address", &longest).unwrap();
    assert_eq!(f.vault.state(&c).unwrap(), RecordState::Held);
}

/// The officer asks to erase the case's party on `authority`.
fn erase_party(f: &mut Fixture, authority: &str) -> Result<Erasure, DisclosureError> {
    let request = EraseRequest {
        commitment: f.party,
        authority: authority.into(),
    };
    erase(&mut f.ledger, &f.vault, &f.k.officer, &request)
}

#[test]
fn an_erasure_the_ledger_cannot_justify_appends_and_destroys_nothing() {
    let mut f = fixture("erase-refused");
    let before = f.ledger.size();
    // The case is open: its retention has not even begun (Art. 17).
    let err = erase_party(&mut f, "个人信息保护负责人").unwrap_err();
    assert!(
        matches!(
            err,
            DisclosureError::Vault(VaultError::ErasureRefused { .. })
        ),
        "{err}"
    );
    let err = erase_party(&mut f, " ").unwrap_err();
    assert!(
        matches!(err, DisclosureError::InvalidRequest { .. }),
        "{err}"
    );
    assert_eq!(f.ledger.size(), before);
    assert_eq!(f.vault.state(&f.party).unwrap(), RecordState::Held);
}

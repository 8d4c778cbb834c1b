//! Statements of the events the tests use most, with the values the fixtures share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use liuhen::model::*;
use liuhen::{SignedStatement, Signer};

use super::OFFICER_ID;

/// An investigation record of `case_no` filed by [`OFFICER_ID`].
pub fn document_filed(case_no: &str, media: MediaRef) -> Event {
    Event::DocumentFiled {
        case_no: case_no.into(),
        stage: Stage::Investigation,
        kind: DocumentKind::InvestigationRecord,
        media,
        officers: vec![OFFICER_ID.into()],
    }
}

/// The `i`-th document of the numbered fixtures: case `i % 4`, media `doc-{i}.pdf`.
pub fn numbered_document(i: usize) -> Event {
    document_filed(
        &format!("金民执〔2026〕{}号", i % 4),
        super::media(&format!("doc-{i}.pdf"), "application/pdf"),
    )
}

/// `by` viewed the record of case `case_no` for `purpose`.
pub fn case_viewed(case_no: &str, by: &str, purpose: &str) -> Event {
    Event::RecordViewed {
        subject: RecordRef::Case(case_no.into()),
        by: by.into(),
        purpose: purpose.into(),
    }
}

/// `event` signed by `author` at `time`, bound to no ledger (format v1).
pub fn signed(time: Timestamp, event: Event, author: &dyn Signer) -> SignedStatement {
    SignedStatement::sign(time, event, author).unwrap()
}

//! The role table of the admission rule (docs/EVENTS.md "Who may sign what", docs/FORMAT.md
//! §10.1).

use crate::model::{Event, Role};

/// The role table: whether a key of `role` may author `event` (registry changes are judged by
/// the registry itself: `System` only).
///
/// Recording devices and ingest stations speak only for recordings; the decisions of the
/// office (cases, decisions, holds, purges, access decisions) come from officers, the case
/// system and, for custody, the custodian. A view or a disclosure that happened is always
/// admissible, whoever made it: hiding it would be worse, and the audit judges who may view or
/// disclose (Art. 19, 21(3)).
pub fn may_author(role: Role, event: &Event) -> bool {
    use Role::{Auditor, Custodian, Device, Officer, Station, System};
    let allowed: &[Role] = match event {
        Event::Genesis { .. } | Event::KeyAuthorized { .. } | Event::KeyRevoked { .. } => &[System],
        Event::CaseOpened { .. }
        | Event::CaseClosed { .. }
        | Event::DecisionMade { .. }
        | Event::DocumentFiled { .. }
        | Event::DocumentDescribed { .. }
        | Event::RecordingExempted { .. } => &[Officer, System],
        // The unit decides holds and access: its officers, the case system or the office
        // (办公室, Art. 8; role Auditor).
        Event::PreservationOrdered { .. }
        | Event::PreservationReleased { .. }
        | Event::AccessRequested { .. }
        | Event::AccessDecided { .. } => &[Officer, System, Auditor],
        Event::PartyNotified { .. } => &[Device, Station, Officer],
        Event::RecordingStarted { .. }
        | Event::SegmentSealed { .. }
        | Event::RecordingStopped { .. } => &[Device, Station],
        Event::RecordingInterrupted { .. } => &[Device, Station, Officer],
        // A device archiving its own footage is recorded; the audit flags it (Art. 16: 专人).
        Event::Archived { .. } => &[Officer, Custodian, Station, Device, System],
        Event::Handover { .. }
        | Event::RetentionSet { .. }
        | Event::DerivativeMade { .. }
        | Event::MediaPurged { .. }
        | Event::Erased { .. }
        | Event::ConfidentialityMarked { .. } => &[Officer, Custodian, System],
        Event::CircumstanceReported { .. } => &[Officer, Custodian, Auditor, System],
        Event::RecordViewed { .. } | Event::RecordDisclosed { .. } => {
            &[Officer, Device, Station, System, Auditor, Custodian]
        }
    };
    allowed.contains(&role)
}

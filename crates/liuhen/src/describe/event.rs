//! The phrases that describe an event (`liuhen log`'s second line of each entry).

use serde::Serialize;

use crate::hash::Digest;
use crate::model::{Event, MediaRef, RecordRef, Retention, Sealed};
use crate::registry::Registry;
use crate::PublicKey;

use super::iso8601;

/// A key as people compare them: algorithm and the first 8 hex digits.
pub fn key_prefix(key: &PublicKey) -> String {
    let text = key.to_string();
    let hex = key.to_hex();
    let algorithm = text.split(':').next().unwrap_or("key");
    format!("{algorithm}:{}", hex.get(..8).unwrap_or(&hex))
}

/// A key with its holder, if the registry knows it.
fn key_text(key: &PublicKey, registry: &Registry) -> String {
    match registry.get(key) {
        Some(r) => format!("{} ({})", key_prefix(key), r.holder),
        None => key_prefix(key),
    }
}

/// A sealed field: never more than a prefix of the commitment.
pub fn sealed_prefix(s: &Sealed) -> String {
    let hex = s.0.to_hex();
    format!("sealed:{}", hex.get(..8).unwrap_or(&hex))
}

fn short(d: &Digest) -> String {
    let hex = d.to_hex();
    hex.get(..16).unwrap_or(&hex).to_owned()
}

fn media(m: &MediaRef) -> String {
    format!(
        "{} [{}, {} B, blake3 {}]",
        m.name,
        m.mime,
        m.length,
        short(&m.digest)
    )
}

fn record_ref(r: &RecordRef) -> String {
    match r {
        RecordRef::Session(s) => format!("session {s}"),
        RecordRef::Media(d) => format!("media {}", short(d)),
        RecordRef::Case(c) => format!("case {c}"),
    }
}

fn retention(r: &Retention) -> String {
    match r {
        Retention::Permanent => "kept permanently".into(),
        Retention::Until(t) => format!("kept until {}", iso8601(*t)),
    }
}

/// The name of an enum value as the JSON shows it: `Inspection`, or `Other: 说明` for a named
/// variant.
fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .next()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .unwrap_or_default(),
        Ok(other) => other.to_string(),
        Err(_) => "?".into(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// The main fields of an event, one phrase each, for people (the CLI joins them with ` · `).
/// Keys are named by prefix and, where the registry knows them, holder; sealed fields by a prefix
/// of their commitment. Text from the ledger is returned as stated: an adapter that prints it to
/// a terminal escapes control characters.
pub fn event_details(event: &Event, registry: &Registry) -> Vec<String> {
    match event {
        Event::Genesis {
            origin,
            suite,
            ledger_key,
        } => vec![
            format!("origin {origin}"),
            format!("suite {suite:?}"),
            format!("ledger key {}", key_prefix(ledger_key)),
        ],
        Event::KeyAuthorized { key, role, holder } => vec![
            format!("key {}", key_prefix(key)),
            format!("role {role:?}"),
            format!("holder {holder}"),
        ],
        Event::KeyRevoked { key, reason } => vec![
            format!("key {}", key_text(key, registry)),
            format!("reason {reason}"),
        ],
        Event::CaseOpened {
            case_no,
            act,
            matter,
            unit,
            subject,
        } => vec![
            format!("case {case_no}"),
            format!("act {}", label(act)),
            format!("matter {matter}"),
            format!("unit {unit}"),
            format!("party {}", sealed_prefix(subject)),
        ],
        Event::DocumentFiled {
            case_no,
            stage,
            kind,
            media: m,
            officers,
        } => vec![
            format!("case {case_no}"),
            format!("stage {stage:?}"),
            label(kind),
            media(m),
            format!("officers {}", list(officers)),
        ],
        Event::DecisionMade {
            case_no,
            kind,
            document,
            relies_on,
        } => vec![
            format!("case {case_no}"),
            format!("decision {}", label(kind)),
            media(document),
            format!("relies on {} records", relies_on.len()),
        ],
        Event::CaseClosed {
            case_no,
            outcome,
            file_retention,
        } => vec![
            format!("case {case_no}"),
            format!("outcome {outcome}"),
            format!("file {}", retention(file_retention)),
        ],
        Event::PartyNotified {
            session,
            case_no,
            at,
        } => vec![
            format!("case {case_no}"),
            format!("session {session}"),
            format!("party told at {}", iso8601(*at)),
        ],
        Event::RecordingStarted {
            session,
            case_no,
            device,
            method,
            location,
            matter,
            officers,
            party,
        } => {
            let mut v = vec![
                format!("case {case_no}"),
                format!("session {session}"),
                label(method),
                format!("device {}", key_text(device, registry)),
                match &location.landmark {
                    Some(l) => format!("at {} ({l})", location.place),
                    None => format!("at {} (no landmark)", location.place),
                },
                format!("matter {matter}"),
                format!("officers {}", list(officers)),
            ];
            if let Some(p) = party {
                v.push(format!("party {}", sealed_prefix(p)));
            }
            v
        }
        Event::SegmentSealed {
            session,
            index,
            prev_segment,
            media: m,
            start,
            end,
        } => vec![
            format!("session {session}"),
            format!("segment {index}"),
            media(m),
            format!("{} – {}", iso8601(*start), iso8601(*end)),
            match prev_segment {
                Some(p) => format!("after {}", short(p)),
                None => "first segment".into(),
            },
        ],
        Event::RecordingInterrupted {
            session,
            reason,
            at,
        } => vec![
            format!("session {session}"),
            format!("reason {}", label(reason)),
            format!("at {}", iso8601(*at)),
        ],
        Event::RecordingStopped {
            session,
            segments,
            last_segment,
        } => vec![
            format!("session {session}"),
            format!("segments {segments}"),
            match last_segment {
                Some(d) => format!("last {}", short(d)),
                None => "no segment".into(),
            },
        ],
        Event::RecordingExempted {
            case_no,
            reason,
            approved_by,
        } => vec![
            format!("case {case_no}"),
            format!("reason {}", label(reason)),
            format!("approved by {approved_by}"),
        ],
        Event::Archived {
            subject,
            custodian,
            storage,
            labels,
        } => {
            let mut v = vec![
                format!("case {}", labels.case_no),
                record_ref(subject),
                format!("custodian {custodian}"),
                format!("storage {storage}"),
                label(&labels.method),
                format!("made {} by {}", iso8601(labels.made_at), labels.made_by),
                format!("proves {}", labels.proves),
            ];
            if let Some(t) = &labels.transcript {
                v.push(format!("transcript {}", media(t)));
            }
            v
        }
        Event::Handover { media: d, from, to } => {
            vec![format!("media {}", short(d)), format!("{from} → {to}")]
        }
        Event::RetentionSet { case_no, until } => {
            vec![format!("case {case_no}"), retention(until)]
        }
        Event::PreservationOrdered { case_no, trigger } => vec![
            format!("case {case_no}"),
            format!("trigger {}", label(trigger)),
        ],
        Event::PreservationReleased {
            case_no,
            approved_by,
        } => vec![
            format!("case {case_no}"),
            format!("approved by {approved_by}"),
        ],
        Event::DerivativeMade {
            original,
            derivative,
            kind,
            reason,
        } => vec![
            format!("{kind:?} of {}", short(original)),
            media(derivative),
            format!("reason {reason}"),
        ],
        Event::MediaPurged {
            media: d,
            authority,
        } => vec![
            format!("media {}", short(d)),
            format!("approved by {authority}"),
        ],
        Event::AccessRequested {
            request,
            case_no,
            requester,
            basis,
        } => vec![
            format!("case {case_no}"),
            format!("request {request}"),
            format!("requester {}", sealed_prefix(requester)),
            format!("basis {basis}"),
        ],
        Event::AccessDecided {
            request,
            granted,
            reason,
        } => vec![
            format!("request {request}"),
            (if *granted { "granted" } else { "refused" }).into(),
            format!("reason {reason}"),
        ],
        Event::RecordViewed {
            subject,
            by,
            purpose,
        } => vec![
            record_ref(subject),
            format!("by {by}"),
            format!("purpose {purpose}"),
        ],
        Event::RecordDisclosed { case_no, to, what } => vec![
            format!("case {case_no}"),
            format!("to {}", sealed_prefix(to)),
            format!("{} records", what.len()),
        ],
        Event::Erased {
            commitment,
            authority,
        } => vec![
            format!("opening of {} destroyed", sealed_prefix(commitment)),
            format!("approved by {authority}"),
        ],
        Event::CircumstanceReported {
            case_no,
            trigger,
            summary,
        } => vec![
            format!("case {case_no}"),
            format!("circumstance {}", label(trigger)),
            summary.clone(),
        ],
        Event::ConfidentialityMarked {
            subject,
            level,
            reason,
        } => vec![
            record_ref(subject),
            format!("confidentiality {}", label(level)),
            format!("reason {reason}"),
        ],
        Event::DocumentDescribed {
            case_no,
            document,
            proves,
            pages,
        } => vec![
            format!("case {case_no}"),
            format!("document {}", short(document)),
            format!("proves {proves}"),
            pages.map_or_else(|| "pages not stated".to_owned(), |n| format!("{n} pages")),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_shows_only_a_prefix() {
        let d = crate::hash::blake3(b"x");
        let s = sealed_prefix(&Sealed(d));
        assert_eq!(s.len(), "sealed:".len() + 8);
        assert!(d.to_hex().starts_with(&s["sealed:".len()..]));
    }
}

//! Witness cosignatures, `cosignature/v1` of C2SP `tlog-cosignature` v1.0.1
//! (<https://c2sp.org/tlog-cosignature@v1.0.1>), signature type `0x04`.
//!
//! A witness signs
//!
//! ```text
//! cosignature/v1
//! time <POSIX seconds, decimal, no leading zeros>
//! <the whole checkpoint body, extension lines and final newline included>
//! ```
//!
//! and publishes the note signature line `— <witness name> base64(key id || timestamp (u64,
//! big-endian) || Ed25519 signature)`: 4 + 8 + 64 = 76 bytes. The statement is "as of this time,
//! this is the largest consistent tree head I have seen for this origin". The message does not
//! include the witness's name, so one witness key must not serve two witness names.

use super::note::NoteSignature;
use super::vkey::{is_valid_key_name, key_id, NoteError, NoteVerifier, SignatureType};
use super::{Checkpoint, CheckpointError, SignedCheckpoint};
use crate::keys::{Signature, Signer};

/// Largest timestamp the spec allows: 2^63 - 1.
const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// The bytes a witness signs for `body` at `timestamp` (seconds since the Unix epoch).
///
/// Exposed so that a signer outside this process (an HSM, a witness service) can be handed the
/// exact message.
pub fn cosignature_message(body: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{body}").into_bytes()
}

/// Cosigns `checkpoint` as the witness `witness_name` at `timestamp` (seconds since the Unix
/// epoch; the caller reads the clock).
///
/// The returned line can be added with [`SignedCheckpoint::add_signature`]. A witness must only
/// cosign a checkpoint whose log signature it verified and which is consistent with the largest
/// tree it has seen for that origin; this function checks neither.
///
/// # Errors
/// [`CheckpointError::TimestampOutOfRange`] above 2^63 - 1, [`CheckpointError::NotCanonical`]
/// for fields that do not form a valid body, [`NoteError::InvalidKeyName`], or the signer's
/// error.
pub fn cosign(
    checkpoint: &Checkpoint,
    witness_name: &str,
    signer: &dyn Signer,
    timestamp: u64,
) -> Result<NoteSignature, CheckpointError> {
    if timestamp > MAX_TIMESTAMP {
        return Err(CheckpointError::TimestampOutOfRange { timestamp });
    }
    let body = checkpoint.checked_body()?;
    if !is_valid_key_name(witness_name) {
        return Err(NoteError::InvalidKeyName { line: None }.into());
    }
    let id = key_id(
        witness_name,
        SignatureType::CosignatureV1,
        &signer.public_key(),
    );
    let sig = signer.sign(&cosignature_message(&body, timestamp))?;
    let mut bytes = Vec::with_capacity(8 + 64);
    bytes.extend_from_slice(&timestamp.to_be_bytes());
    bytes.extend_from_slice(sig.as_bytes());
    Ok(NoteSignature::new(witness_name, id, bytes)?)
}

/// Verifies the cosignature of `witness` on `signed` and returns its timestamp (seconds since
/// the Unix epoch).
///
/// Success proves that the witness signed this exact body and timestamp. It does not prove the
/// log signed the checkpoint (call [`SignedCheckpoint::verify`] too), and it does not check the
/// timestamp against any clock: the caller decides what is too old or in the future.
///
/// # Errors
/// [`NoteError::WrongSignatureType`] unless `witness` is a `cosignature/v1` key,
/// [`NoteError::NoMatchingSignature`] when the witness did not cosign,
/// [`CheckpointError::MalformedCosignature`], [`CheckpointError::TimestampOutOfRange`], or
/// [`CheckpointError::BadCosignature`].
pub fn verify_cosignature(
    signed: &SignedCheckpoint,
    witness: &NoteVerifier,
) -> Result<u64, CheckpointError> {
    if witness.signature_type() != SignatureType::CosignatureV1 {
        return Err(NoteError::WrongSignatureType {
            expected: SignatureType::CosignatureV1,
            found: witness.signature_type(),
        }
        .into());
    }
    let note = signed.note();
    let line = note
        .signature(witness.name(), witness.key_id())
        .ok_or_else(|| NoteError::NoMatchingSignature {
            name: witness.name().to_owned(),
            key_id: witness.key_id(),
        })?;
    let malformed = || CheckpointError::MalformedCosignature {
        name: witness.name().to_owned(),
        key_id: witness.key_id(),
        len: line.signature_bytes().len(),
    };
    let (ts, sig) = line
        .signature_bytes()
        .split_first_chunk::<8>()
        .ok_or_else(malformed)?;
    let sig: [u8; 64] = sig.try_into().map_err(|_| malformed())?;
    let timestamp = u64::from_be_bytes(*ts);
    if timestamp > MAX_TIMESTAMP {
        return Err(CheckpointError::TimestampOutOfRange { timestamp });
    }
    witness
        .key()
        .verify_strict(
            &cosignature_message(note.text(), timestamp),
            &Signature::Ed25519(sig),
        )
        .map_err(|_| CheckpointError::BadCosignature {
            name: witness.name().to_owned(),
            key_id: witness.key_id(),
        })?;
    Ok(timestamp)
}

/// Which of `witnesses` cosigned `signed`, each with its timestamp, in the order of
/// `witnesses`. Witnesses without a signature line are left out.
///
/// A line of a listed witness that does not verify fails the whole call, as `signed-note`
/// says a client SHOULD reject a note with a bad signature from a known key.
///
/// # Errors
/// The errors of [`verify_cosignature`] other than [`NoteError::NoMatchingSignature`].
pub fn cosigners<'w>(
    signed: &SignedCheckpoint,
    witnesses: &'w [NoteVerifier],
) -> Result<Vec<(&'w NoteVerifier, u64)>, CheckpointError> {
    let mut out = Vec::new();
    for w in witnesses {
        match verify_cosignature(signed, w) {
            Ok(t) => out.push((w, t)),
            Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::hash::Digest;
    use crate::keys::SecretKey;

    fn witness(seed: u8) -> (SecretKey, NoteVerifier) {
        let k = SecretKey::from_seed(&[seed; 32]);
        let v = NoteVerifier::for_witness(&format!("w{seed}.example"), k.public_key()).unwrap();
        (k, v)
    }

    fn signed() -> SignedCheckpoint {
        let k = SecretKey::from_seed(&[1; 32]);
        SignedCheckpoint::sign(
            Checkpoint::new("log.example", 3, Digest::from_bytes([7; 32])),
            &k,
        )
        .unwrap()
    }

    #[test]
    fn message_matches_the_spec_example() {
        // tlog-cosignature v1.0.1, "Ed25519 signed message".
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosignature_message(body, 1679315147),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        assert_eq!(
            cosignature_message("b\n", 0),
            b"cosignature/v1\ntime 0\nb\n"
        );
    }

    #[test]
    fn cosign_and_verify() {
        let mut s = signed();
        let (k, v) = witness(2);
        let line = cosign(s.checkpoint(), v.name(), &k, 1_700_000_000).unwrap();
        assert_eq!(line.key_id(), v.key_id());
        assert_eq!(line.signature_bytes().len(), 72);
        assert_eq!(&line.signature_bytes()[..8], 1_700_000_000u64.to_be_bytes());
        s.add_signature(line).unwrap();
        assert_eq!(verify_cosignature(&s, &v).unwrap(), 1_700_000_000);
        let again = SignedCheckpoint::parse(s.to_string().as_bytes()).unwrap();
        assert_eq!(verify_cosignature(&again, &v).unwrap(), 1_700_000_000);
    }

    #[test]
    fn timestamps_up_to_2_pow_63_minus_1() {
        let mut s = signed();
        let (k, v) = witness(3);
        assert_eq!(
            cosign(s.checkpoint(), v.name(), &k, MAX_TIMESTAMP + 1).unwrap_err(),
            CheckpointError::TimestampOutOfRange {
                timestamp: MAX_TIMESTAMP + 1
            }
        );
        s.add_signature(cosign(s.checkpoint(), v.name(), &k, MAX_TIMESTAMP).unwrap())
            .unwrap();
        assert_eq!(verify_cosignature(&s, &v).unwrap(), MAX_TIMESTAMP);

        // A line claiming 2^63 is refused before the signature is checked.
        let mut s = signed();
        let mut bytes = (MAX_TIMESTAMP + 1).to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0; 64]);
        s.add_signature(NoteSignature::new(v.name(), v.key_id(), bytes).unwrap())
            .unwrap();
        assert!(matches!(
            verify_cosignature(&s, &v),
            Err(CheckpointError::TimestampOutOfRange { .. })
        ));
    }

    #[test]
    fn the_timestamp_is_signed() {
        let mut s = signed();
        let (k, v) = witness(4);
        let line = cosign(s.checkpoint(), v.name(), &k, 100).unwrap();
        let mut bytes = line.signature_bytes().to_vec();
        bytes[7] ^= 1;
        s.add_signature(NoteSignature::new(v.name(), v.key_id(), bytes).unwrap())
            .unwrap();
        assert!(matches!(
            verify_cosignature(&s, &v),
            Err(CheckpointError::BadCosignature { .. })
        ));
    }

    #[test]
    fn malformed_and_wrong_type() {
        let mut s = signed();
        let (_, v) = witness(5);
        s.add_signature(NoteSignature::new(v.name(), v.key_id(), vec![0; 64]).unwrap())
            .unwrap();
        assert!(matches!(
            verify_cosignature(&s, &v),
            Err(CheckpointError::MalformedCosignature { len: 64, .. })
        ));
        let log = NoteVerifier::for_key("log.example", *v.key()).unwrap();
        assert!(matches!(
            verify_cosignature(&s, &log),
            Err(CheckpointError::Note(NoteError::WrongSignatureType { .. }))
        ));
        let (_, absent) = witness(6);
        assert!(matches!(
            verify_cosignature(&s, &absent),
            Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. }))
        ));
    }

    #[test]
    fn a_log_signature_is_not_a_cosignature() {
        // The same key as log key and witness key has two key ids, so neither line passes for
        // the other.
        let k = SecretKey::from_seed(&[9; 32]);
        let c = Checkpoint::new("same.example", 1, Digest::from_bytes([1; 32]));
        let mut s = SignedCheckpoint::sign(c.clone(), &k).unwrap();
        let w = NoteVerifier::for_witness("same.example", k.public_key()).unwrap();
        assert!(matches!(
            verify_cosignature(&s, &w),
            Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. }))
        ));
        s.add_signature(cosign(&c, "same.example", &k, 5).unwrap())
            .unwrap();
        assert_eq!(verify_cosignature(&s, &w).unwrap(), 5);
        let l = NoteVerifier::for_key("same.example", k.public_key()).unwrap();
        s.verify(&l).unwrap();
    }

    #[test]
    fn cosigners_lists_who_signed() {
        let mut s = signed();
        let ws: Vec<(SecretKey, NoteVerifier)> = (10..14).map(witness).collect();
        for (i, (k, v)) in ws.iter().enumerate() {
            if i % 2 == 0 {
                let line = cosign(s.checkpoint(), v.name(), k, 1000 + i as u64).unwrap();
                s.add_signature(line).unwrap();
            }
        }
        let vs: Vec<NoteVerifier> = ws.iter().map(|(_, v)| v.clone()).collect();
        let got = cosigners(&s, &vs).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (&vs[0], 1000));
        assert_eq!(got[1], (&vs[2], 1002));
        assert!(cosigners(&s, &[]).unwrap().is_empty());

        // A bad line from a listed witness fails the call.
        let (_, v) = &ws[1];
        let mut bytes = 7u64.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0; 64]);
        s.add_signature(NoteSignature::new(v.name(), v.key_id(), bytes).unwrap())
            .unwrap();
        assert!(matches!(
            cosigners(&s, &vs),
            Err(CheckpointError::BadCosignature { .. })
        ));
    }

    #[test]
    fn cosign_checks_its_inputs() {
        let (k, _) = witness(20);
        let mut c = Checkpoint::new("o", 1, Digest::from_bytes([0; 32]));
        assert!(matches!(
            cosign(&c, "bad name", &k, 1),
            Err(CheckpointError::Note(NoteError::InvalidKeyName { .. }))
        ));
        c.extensions.push(String::new());
        assert_eq!(
            cosign(&c, "w", &k, 1).unwrap_err(),
            CheckpointError::NotCanonical
        );
    }
}

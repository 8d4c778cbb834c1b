//! Known-answer tests for `liuhen::checkpoint` against values published by other
//! implementations and by the C2SP specs. A round trip only shows that our signer and our
//! verifier agree, which they would even if both were wrong; these published bytes break the tie.
//!
//! Sources (the values are embedded; nothing is read at test time):
//!
//! * Go `golang.org/x/mod/sumdb/note`: github.com/golang/mod, `sumdb/note/note_test.go` at commit
//!   02c991387e35f9e4c0a9b7ce137717055f8d716d, and the example in the package doc of
//!   `sumdb/note/note.go` at commit 605edab4323bfdf06a0d8ac68b4b18e9e0df249b.
//! * C2SP specs, github.com/C2SP/C2SP: `signed-note.md` (v1.0.0; stored copy at commit
//!   055287621bf3cd13ff4394418a3e8efc2d5e8ed7), `tlog-checkpoint.md` (v1.0.0; commit
//!   2793893976c835db049c194d8f2c4f946dcb70ba), `tlog-cosignature.md` (v1.0.1; commit
//!   01194db11950a0ae2b2b2401afa0a4063a822458). Their examples' keys are not published, so
//!   they are checked for parsing and layout only.
//! * Tessera: github.com/transparency-dev/trillian-tessera, `testdata/log/checkpoint.15` and
//!   `testdata/log/checkpoint.0` at commit 842b908e3a0dbff055d61f2980f56359ae1f45e9 (also
//!   `testdata/log/checkpoint` of transparency-dev/tessera), with the key pair of
//!   `testdata/build_log.sh` at commit 1ef94ac2585d2717b5ab8021ec3be368d3b2fe63. The log's
//!   entries are `one` … `fivten`.
//! * The `cosignature/v1` vector at the end was computed independently of this crate, with
//!   Python's `cryptography` 48.0 (see the comment there); no published cosignature comes with
//!   its key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use liuhen::checkpoint::{
    cosign, cosignature_message, cosigners, verify_cosignature, CheckpointError, Note, NoteError,
    NoteVerifier, SignatureType, SignedCheckpoint,
};
use liuhen::hash::{Sha256TreeHasher, TreeHasher};
use liuhen::keyfile::{format_skey, parse_skey};
use liuhen::keys::{SecretKey, Signer};

// ---------------------------------------------------------------------------------------------
// Go sumdb/note

const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

#[test]
fn go_skey_derives_the_published_vkey() {
    let (name, key) = parse_skey(PETER_SKEY).unwrap();
    assert_eq!(name, "PeterNeumann");
    let vkey = NoteVerifier::for_key(&name, key.public_key()).unwrap();
    assert_eq!(vkey.to_string(), PETER_VKEY);
    assert_eq!(vkey.key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
    assert_eq!(NoteVerifier::parse(PETER_VKEY).unwrap(), vkey);
    assert_eq!(format_skey(&name, &key).unwrap().as_str(), PETER_SKEY);
}

#[test]
fn go_signed_note_verifies() {
    let msg = format!("{GO_TEXT}\n{PETER_SIG}");
    let note = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(note.text(), GO_TEXT);
    note.verify(&NoteVerifier::parse(PETER_VKEY).unwrap())
        .unwrap();
    assert_eq!(note.to_string(), msg);
}

#[test]
fn signing_go_text_reproduces_go_output_byte_for_byte() {
    // TestSign: Ed25519 is deterministic, so the same key and text give the same note.
    let (name, key) = parse_skey(PETER_SKEY).unwrap();
    let sig = liuhen::checkpoint::sign_note(GO_TEXT, &name, &key).unwrap();
    let note = Note::new(GO_TEXT.to_owned(), vec![sig]).unwrap();
    assert_eq!(note.to_string(), format!("{GO_TEXT}\n{PETER_SIG}"));
}

#[test]
fn go_doubly_signed_note_verifies_with_both_keys() {
    // TestOpen and the package doc example: Peter's and Enoch's signatures on one text.
    let msg = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let note = Note::parse(msg.as_bytes()).unwrap();
    let peter = NoteVerifier::parse(PETER_VKEY).unwrap();
    let enoch = NoteVerifier::parse(ENOCH_VKEY).unwrap();
    note.verify(&peter).unwrap();
    note.verify(&enoch).unwrap();
    assert_eq!(note.signatures()[1].key_id(), [0xaf, 0x0c, 0xfe, 0x78]);
    assert_eq!(note.to_string(), msg);
}

#[test]
fn go_invalid_signature_is_an_error() {
    // TestOpen, "Invalid signature": four base64 characters inserted into Peter's signature.
    let bad = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    let note = Note::parse(format!("{GO_TEXT}\n{bad}").as_bytes()).unwrap();
    assert_eq!(
        note.verify(&NoteVerifier::parse(PETER_VKEY).unwrap()),
        Err(NoteError::BadSignature {
            name: "PeterNeumann".into(),
            key_id: [0xc7, 0x4f, 0x20, 0xa3]
        })
    );
    // Go drops repeated lines; liuhen refuses them.
    assert!(matches!(
        Note::parse(format!("{GO_TEXT}\n{PETER_SIG}{PETER_SIG}").as_bytes()),
        Err(NoteError::DuplicateSignature { line: Some(5), .. })
    ));
}

#[test]
fn go_bad_messages_are_refused() {
    // TestOpen, badMsgs.
    let mut bad: Vec<Vec<u8>> = vec![
        GO_TEXT.into(),
        format!("{GO_TEXT}\n").into(),
        format!("{GO_TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]).into(),
        format!("\x01{GO_TEXT}\n{PETER_SIG}").into(),
        format!("{GO_TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=").into(),
        format!("{GO_TEXT}\n{PETER_SIG}Unexpected line.\n").into(),
    ];
    let mut ff = b"\xff".to_vec();
    ff.extend_from_slice(format!("{GO_TEXT}\n{PETER_SIG}").as_bytes());
    bad.push(ff);
    for msg in bad {
        assert!(
            Note::parse(&msg).is_err(),
            "{:?}",
            String::from_utf8_lossy(&msg)
        );
    }
}

#[test]
fn go_vkey_manglings_are_refused() {
    // TestNewVerifier: every proper substring and every single-byte increment fails.
    for s in manglings(PETER_VKEY) {
        assert!(NoteVerifier::parse(&s).is_err(), "{s}");
    }
    // Wrong key length and unknown algorithm, each with the key hash adjusted to match.
    assert_eq!(
        NoteVerifier::parse(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        ),
        Err(NoteError::MalformedVerifierKey)
    );
    assert_eq!(
        NoteVerifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnknownAlgorithm { alg: 0x65 })
    );
}

#[test]
fn go_skey_manglings_are_refused() {
    // TestNewSigner: every proper substring and every single-byte increment fails.
    for s in manglings(PETER_SKEY) {
        assert!(parse_skey(&s).is_err(), "{s}");
    }
}

/// Go's key manglings: every proper substring of `key`, and `key` with one byte incremented
/// (where that is still UTF-8).
fn manglings(key: &str) -> Vec<String> {
    let b = key.as_bytes();
    let mut out = Vec::new();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                out.push(core::str::from_utf8(&b[i..j]).unwrap().to_string());
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] = m[i].wrapping_add(1);
        if let Ok(s) = String::from_utf8(m) {
            out.push(s);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// C2SP spec examples (keys not published: parse and layout only)

#[test]
fn signed_note_spec_example_parses() {
    let msg = "Ognuno sta solo sul cuor della terra\n\
               trafitto da un raggio di sole:\n\
               \n\
               ed è subito sera.\n\
               \n\
               \u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    let note = Note::parse(msg.as_bytes()).unwrap();
    // The text keeps its empty line; the last empty line is the separator.
    assert_eq!(
        note.text(),
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    let sig = &note.signatures()[0];
    assert_eq!(sig.name(), "quasimodo.example/salvatore");
    assert_eq!(sig.key_id(), [0x36, 0x7b, 0xa0, 0x4b]);
    assert_eq!(sig.signature_bytes().len(), 64);
    assert_eq!(note.to_string(), msg);
}

const SOFA_BODY: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const SOFA_LOG_SIG: &str = "\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
const SOFA_WITNESS_SIG: &str = "\u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

#[test]
fn tlog_checkpoint_spec_example_parses() {
    let msg = format!("{SOFA_BODY}\n{SOFA_LOG_SIG}");
    let signed = SignedCheckpoint::parse(msg.as_bytes()).unwrap();
    let c = signed.checkpoint();
    assert_eq!(c.origin, "example.com/behind-the-sofa");
    assert_eq!(c.size, 20852163);
    assert_eq!(
        c.root.to_hex(),
        "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62"
    );
    assert!(c.extensions.is_empty());
    assert_eq!(c.to_body(), SOFA_BODY);
    let sig = &signed.note().signatures()[0];
    assert_eq!(sig.name(), c.origin);
    assert_eq!(sig.key_id(), [0x03, 0x3d, 0xe0, 0xae]);
    assert_eq!(sig.signature_bytes().len(), 64);
    assert_eq!(signed.to_string(), msg);
}

#[test]
fn tlog_cosignature_spec_example_layout() {
    let msg = format!("{SOFA_BODY}\n{SOFA_LOG_SIG}{SOFA_WITNESS_SIG}");
    let signed = SignedCheckpoint::parse(msg.as_bytes()).unwrap();
    let w = &signed.note().signatures()[1];
    assert_eq!(w.name(), "witness.example.com/w1");
    assert_eq!(w.key_id(), [0x8d, 0x66, 0xcf, 0x3f]);
    // timestamped_signature: u64 big-endian timestamp, then 64 bytes of Ed25519.
    let bytes = w.signature_bytes();
    assert_eq!(bytes.len(), 8 + 64);
    let ts = u64::from_be_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(ts, 1679315147);
    // The spec's "Ed25519 signed message" for this checkpoint and timestamp.
    assert_eq!(
        cosignature_message(signed.note().text(), ts),
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
    assert_eq!(signed.to_string(), msg);
}

// ---------------------------------------------------------------------------------------------
// Tessera testdata log

const TESSERA_VKEY: &str =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
const TESSERA_SKEY: &str =
    "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg";
const TESSERA_CHECKPOINT_15: &str = "example.com/log/testdata\n\
15\n\
rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n\
\n\
\u{2014} example.com/log/testdata M9e0luh4jTG+UMBqOUo9/q+yAEvx1ilBEniMvjf1zfcBOhg+CKubMt53MvIt/uEWP6zdkdIQzd/fmwlM/dlPWF74ewI=\n";
const TESSERA_CHECKPOINT_0: &str = "example.com/log/testdata\n\
0\n\
47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
\n\
\u{2014} example.com/log/testdata M9e0lhxJACzE1KoUdqKuPa+9p6R7dSW8BlEvrg/noo8FkGg6PbJoRNOcdjqjOq89wVvTA60eubCc4oufo5BvIVEgtQc=\n";

#[test]
fn tessera_checkpoint_verifies() {
    let vkey = NoteVerifier::parse(TESSERA_VKEY).unwrap();
    assert_eq!(vkey.to_string(), TESSERA_VKEY);
    let signed = SignedCheckpoint::parse(TESSERA_CHECKPOINT_15.as_bytes()).unwrap();
    let v = signed.verify(&vkey).unwrap();
    assert_eq!(v.origin(), "example.com/log/testdata");
    assert_eq!(v.size(), 15);
    assert_eq!(
        v.root().to_hex(),
        "aca6c38a90af86e5f5199ee0e4105ef2c03a05b27b8daff59e4e36eefdfcddcb"
    );
    assert_eq!(signed.to_string(), TESSERA_CHECKPOINT_15);
}

#[test]
fn tessera_empty_checkpoint_has_the_empty_root() {
    let vkey = NoteVerifier::parse(TESSERA_VKEY).unwrap();
    let v = SignedCheckpoint::parse(TESSERA_CHECKPOINT_0.as_bytes())
        .unwrap()
        .verify(&vkey)
        .unwrap();
    assert_eq!(v.size(), 0);
    assert_eq!(*v.root(), Sha256TreeHasher.empty_root());
}

#[test]
fn resigning_tessera_checkpoint_reproduces_it() {
    let (name, key) = parse_skey(TESSERA_SKEY).unwrap();
    assert_eq!(name, "example.com/log/testdata");
    assert_eq!(
        NoteVerifier::for_key(&name, key.public_key())
            .unwrap()
            .to_string(),
        TESSERA_VKEY
    );
    for published in [TESSERA_CHECKPOINT_15, TESSERA_CHECKPOINT_0] {
        let c = SignedCheckpoint::parse(published.as_bytes())
            .unwrap()
            .checkpoint()
            .clone();
        let ours = SignedCheckpoint::sign(c, &key).unwrap();
        assert_eq!(ours.to_string(), published);
    }
}

#[test]
fn tessera_checkpoint_refuses_wrong_keys() {
    let signed = SignedCheckpoint::parse(TESSERA_CHECKPOINT_15.as_bytes()).unwrap();
    // Go's test key, under its own name: not the origin.
    assert!(matches!(
        signed.verify(&NoteVerifier::parse(PETER_VKEY).unwrap()),
        Err(CheckpointError::OriginMismatch { .. })
    ));
    // Go's test key under the origin's name: no line with that key id.
    let (_, peter) = parse_skey(PETER_SKEY).unwrap();
    let impostor = NoteVerifier::for_key("example.com/log/testdata", peter.public_key()).unwrap();
    assert!(matches!(
        signed.verify(&impostor),
        Err(CheckpointError::Note(NoteError::NoMatchingSignature { .. }))
    ));
    // One changed digit in the size.
    let tampered = TESSERA_CHECKPOINT_15.replacen("\n15\n", "\n16\n", 1);
    let vkey = NoteVerifier::parse(TESSERA_VKEY).unwrap();
    assert!(matches!(
        SignedCheckpoint::parse(tampered.as_bytes())
            .unwrap()
            .verify(&vkey),
        Err(CheckpointError::Note(NoteError::BadSignature { .. }))
    ));
}

// ---------------------------------------------------------------------------------------------
// cosignature/v1 with a fixed key and timestamp
//
// Expected bytes computed outside this crate with Python 3 and `cryptography` 48.0:
//
//     sk  = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
//     pub = raw public key of sk
//     kid = sha256(b"witness.example/liuhen-test\n" + b"\x04" + pub)[:4]
//     msg = b"cosignature/v1\ntime 1700000000\n" + <tessera checkpoint 15 body>
//     line = "— witness.example/liuhen-test " + b64(kid + (1700000000).to_bytes(8, "big") + sk.sign(msg))

const WITNESS_NAME: &str = "witness.example/liuhen-test";
const WITNESS_VKEY: &str =
    "witness.example/liuhen-test+7af7f531+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
const WITNESS_LINE: &str = "\u{2014} witness.example/liuhen-test evf1MQAAAABlU/EA8Ksalh7kTmlIFPRO/50jC8JyWktgWjbjpb8ZCaY7/1Pyo/Js5iv0m/SL/Pgn8ExkAr34GAbhHPwm6x2I0VpoBA==\n";

fn witness_key() -> SecretKey {
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        *b = i as u8;
    }
    SecretKey::from_seed(&seed)
}

#[test]
fn cosignature_v1_fixed_vector() {
    let key = witness_key();
    let vkey = NoteVerifier::for_witness(WITNESS_NAME, key.public_key()).unwrap();
    assert_eq!(vkey.to_string(), WITNESS_VKEY);
    assert_eq!(vkey.signature_type(), SignatureType::CosignatureV1);
    assert_eq!(NoteVerifier::parse(WITNESS_VKEY).unwrap(), vkey);

    let mut signed = SignedCheckpoint::parse(TESSERA_CHECKPOINT_15.as_bytes()).unwrap();
    let line = cosign(signed.checkpoint(), WITNESS_NAME, &key, 1_700_000_000).unwrap();
    assert_eq!(format!("{line}\n"), WITNESS_LINE);
    signed.add_signature(line).unwrap();
    let cosigned = format!("{TESSERA_CHECKPOINT_15}{WITNESS_LINE}");
    assert_eq!(signed.to_string(), cosigned);

    // A reader: parse, verify the log, then the witness.
    let parsed = SignedCheckpoint::parse(cosigned.as_bytes()).unwrap();
    let verified = parsed
        .verify(&NoteVerifier::parse(TESSERA_VKEY).unwrap())
        .unwrap();
    assert_eq!(
        verify_cosignature(verified.signed(), &vkey).unwrap(),
        1_700_000_000
    );
    let absent = NoteVerifier::for_witness("witness.example/absent", key.public_key()).unwrap();
    let witnesses = [absent, vkey.clone()];
    let found = cosigners(verified.signed(), &witnesses).unwrap();
    assert_eq!(found, vec![(&vkey, 1_700_000_000)]);
}

use super::*;
use crate::checkpoint::{cosign, Checkpoint, NoteSignature};
use crate::hash::Digest;
use crate::keys::{SecretKey, Signer};

const ORIGIN: &str = "example.gov.cn/ledger";

fn log_key() -> SecretKey {
    SecretKey::from_seed(&[1; 32])
}

fn log_vkey() -> NoteVerifier {
    NoteVerifier::for_key(ORIGIN, log_key().public_key()).unwrap()
}

fn witness_key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn witness_vkey(seed: u8) -> NoteVerifier {
    NoteVerifier::for_witness(&format!("w{seed}.example"), witness_key(seed).public_key()).unwrap()
}

fn signed() -> SignedCheckpoint {
    SignedCheckpoint::sign(
        Checkpoint::new(ORIGIN, 7, Digest::from_bytes([3; 32])),
        &log_key(),
    )
    .unwrap()
}

fn cosigned_by(seeds: &[u8]) -> SignedCheckpoint {
    let mut s = signed();
    for seed in seeds {
        let v = witness_vkey(*seed);
        let line = cosign(
            s.checkpoint(),
            v.name(),
            &witness_key(*seed),
            1000 + u64::from(*seed),
        )
        .unwrap();
        s.add_signature(line).unwrap();
    }
    s
}

/// The spec's example policy, its `<vkey>`s filled in with witness keys 11..13 (X) and
/// 21..23 (Y), and the log key.
fn spec_example() -> String {
    format!(
        "log {}

witness X1 {}
witness X2 {}
witness X3 {}
group X-witnesses 2 X1 X2 X3

witness Y1 {}
witness Y2 {}
witness Y3 {}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
",
        log_vkey(),
        witness_vkey(11),
        witness_vkey(12),
        witness_vkey(13),
        witness_vkey(21),
        witness_vkey(22),
        witness_vkey(23),
    )
}

fn parse(s: &str) -> Result<WitnessPolicy, PolicyError> {
    WitnessPolicy::parse(s.as_bytes())
}

#[test]
fn the_spec_example_parses_and_evaluates() {
    let p = parse(&spec_example()).unwrap();
    assert_eq!(p.logs().len(), 1);
    assert_eq!(p.logs()[0].origin(), ORIGIN);
    assert_eq!(p.witnesses().len(), 6);
    assert_eq!(p.witnesses()[0].name(), "X1");
    assert_eq!(
        p.describe_quorum(),
        "X-and-Y (all of X-witnesses (2 of X1, X2, X3), Y-witnesses (any of Y1, Y2, Y3))"
    );
    // Two X and one Y: met.
    let c = p.check(&cosigned_by(&[11, 13, 22])).unwrap();
    assert!(c.met, "{c:?}");
    assert_eq!(c.why_not, None);
    assert_eq!(c.log, LogCheck::SignedBy(log_vkey().to_string()));
    assert_eq!(
        c.cosigners
            .iter()
            .map(|c| c.witness.as_str())
            .collect::<Vec<_>>(),
        ["X1", "X3", "Y2"]
    );
    assert_eq!(c.cosigners[0].timestamp, 1011);
    assert_eq!(c.earliest_cosignature(), Some(1011));
    // Three X, no Y: not met, and the sentence says how far.
    let c = p.check(&cosigned_by(&[11, 12, 13])).unwrap();
    assert!(!c.met);
    let why = c.why_not.unwrap();
    assert!(
        why.starts_with(
            "the checkpoint of size 7 is cosigned by 2 of the 3 witnesses the quorum needs"
        ),
        "{why}"
    );
    // One X, one Y: not met.
    assert!(!p.check(&cosigned_by(&[11, 21])).unwrap().met);
    // Nothing.
    let c = p.check(&signed()).unwrap();
    assert!(!c.met);
    assert!(c
        .why_not
        .unwrap()
        .contains("is cosigned by 0 of the 3 witnesses the quorum needs"));
}

#[test]
fn a_single_witness_quorum_and_quorum_none() {
    let one = format!("witness w {}\nquorum w\n", witness_vkey(2));
    let p = parse(&one).unwrap();
    assert!(p.logs().is_empty());
    let c = p.check(&signed()).unwrap();
    assert_eq!(c.log, LogCheck::NoLogsListed);
    assert_eq!(
        c.why_not.as_deref(),
        Some("the checkpoint of size 7 is cosigned by 0 of the 1 witnesses the quorum needs (quorum: witness w)")
    );
    assert!(p.check(&cosigned_by(&[2])).unwrap().met);

    let none = parse("quorum none\n").unwrap();
    assert!(none.requires_none());
    assert!(none.check(&signed()).unwrap().met);
    assert_eq!(none.describe_quorum(), "none");
}

#[test]
fn a_checkpoint_of_an_unlisted_log_does_not_meet_the_policy() {
    let other = NoteVerifier::for_key(ORIGIN, SecretKey::from_seed(&[9; 32]).public_key()).unwrap();
    let p = parse(&format!("log {other}\nquorum none\n")).unwrap();
    let c = p.check(&signed()).unwrap();
    assert_eq!(c.log, LogCheck::NotSigned);
    assert!(!c.met);
    assert!(c.why_not.unwrap().contains("not signed by any log"));
}

#[test]
fn a_bad_cosignature_of_a_listed_witness_is_an_error_and_an_unknown_one_is_ignored() {
    let p = parse(&format!("witness w {}\nquorum w\n", witness_vkey(2))).unwrap();
    // An unknown witness's line: ignored.
    let stranger = cosigned_by(&[5]);
    assert!(!p.check(&stranger).unwrap().met);
    // A line under the listed key's name and id whose signature is wrong: forged.
    let mut forged = signed();
    let v = witness_vkey(2);
    let mut bytes = 1000u64.to_be_bytes().to_vec();
    bytes.extend_from_slice(&[7; 64]);
    forged
        .add_signature(NoteSignature::new(v.name(), v.key_id(), bytes).unwrap())
        .unwrap();
    let e = p.check(&forged).unwrap_err();
    assert_eq!(e.witness, "w");
    assert_eq!(e.vkey, v.to_string());
    // A cosignature of another checkpoint moved onto this one: forged too.
    let other = SignedCheckpoint::sign(
        Checkpoint::new(ORIGIN, 8, Digest::from_bytes([3; 32])),
        &log_key(),
    )
    .unwrap();
    let moved = cosign(other.checkpoint(), v.name(), &witness_key(2), 5).unwrap();
    let mut s = signed();
    s.add_signature(moved).unwrap();
    assert!(p.check(&s).is_err());
}

#[test]
fn two_of_three() {
    let p = parse(&format!(
        "witness a {}\nwitness b {}\nwitness c {}\ngroup g 2 a b c\nquorum g\n",
        witness_vkey(2),
        witness_vkey(3),
        witness_vkey(4)
    ))
    .unwrap();
    assert!(!p.check(&cosigned_by(&[3])).unwrap().met);
    assert!(p
        .check(&cosigned_by(&[3]))
        .unwrap()
        .why_not
        .unwrap()
        .contains("cosigned by 1 of the 2 witnesses"));
    assert!(p.check(&cosigned_by(&[2, 4])).unwrap().met);
    assert!(p.check(&cosigned_by(&[2, 3, 4])).unwrap().met);
    assert!(p.quorum_met_by(&[true, true, false]));
    assert!(!p.quorum_met_by(&[false, false, true]));
}

#[test]
fn syntax_whitespace_comments_and_octets() {
    let w = witness_vkey(2);
    // Tabs and spaces, leading and trailing, comments, empty lines, non-ASCII comment.
    let ok = format!("# 见证策略\n\n \t# indented comment\n\twitness  w\t{w}  \nquorum\tw \n   \n");
    let p = parse(&ok).unwrap();
    assert_eq!(p.witnesses()[0].url(), None);
    // URLs.
    let p = parse(&format!(
        "witness w {w} https://witness.example/\nquorum w\n"
    ))
    .unwrap();
    assert_eq!(p.witnesses()[0].url(), Some("https://witness.example/"));
    // CRLF, other control characters, a missing final newline.
    assert_eq!(
        parse(&format!("witness w {w}\r\nquorum w\r\n")),
        Err(PolicyError::ForbiddenOctet {
            line: 1,
            byte: b'\r'
        })
    );
    assert!(parse(&format!("witness w {w}\r\nquorum w\r\n"))
        .unwrap_err()
        .to_string()
        .contains("CRLF"));
    assert_eq!(
        parse("quorum none\n\x0b\n"),
        Err(PolicyError::ForbiddenOctet {
            line: 2,
            byte: 0x0b
        })
    );
    assert_eq!(
        parse("quorum none\n\x7f\n"),
        Err(PolicyError::ForbiddenOctet {
            line: 2,
            byte: 0x7f
        })
    );
    assert_eq!(
        parse("# c\nquorum none"),
        Err(PolicyError::NotTerminated { line: 2 })
    );
    assert_eq!(parse(""), Err(PolicyError::NoQuorum));
    assert_eq!(parse("# only a comment\n"), Err(PolicyError::NoQuorum));
    // Unknown keywords, wrong arity; a trailing comment is not a comment.
    assert!(matches!(
        parse("Quorum none\n"),
        Err(PolicyError::UnknownKeyword { line: 1, .. })
    ));
    assert!(matches!(
        parse("quorum none # no\n"),
        Err(PolicyError::Arity {
            line: 1,
            keyword: "quorum",
            ..
        })
    ));
    assert!(matches!(
        parse(&format!("witness w {w} url extra\nquorum w\n")),
        Err(PolicyError::Arity {
            line: 1,
            keyword: "witness",
            ..
        })
    ));
    assert!(matches!(
        parse("witness w\nquorum none\n"),
        Err(PolicyError::Arity { line: 1, .. })
    ));
    assert!(matches!(
        parse("log\nquorum none\n"),
        Err(PolicyError::Arity {
            line: 1,
            keyword: "log",
            ..
        })
    ));
    assert!(matches!(
        parse(&format!("witness w {w}\ngroup g any\nquorum none\n")),
        Err(PolicyError::Arity {
            line: 2,
            keyword: "group",
            ..
        })
    ));
    // A URL that is not UTF-8.
    let mut bytes = format!("witness w {w} http://").into_bytes();
    bytes.extend_from_slice(&[0xff, b'\n']);
    bytes.extend_from_slice(b"quorum w\n");
    assert_eq!(
        WitnessPolicy::parse(&bytes),
        Err(PolicyError::UrlNotUtf8 { line: 1 })
    );
}

#[test]
fn names_are_opaque_octets() {
    // "K" and the Kelvin sign are two names; a non-UTF-8 name is a name.
    let mut bytes = format!(
        "witness K {}\nwitness \u{212a} {}\nwitness ",
        witness_vkey(2),
        witness_vkey(3)
    )
    .into_bytes();
    bytes.extend_from_slice(&[0xe9]);
    bytes.extend_from_slice(format!(" {}\ngroup g all K \u{212a} ", witness_vkey(4)).as_bytes());
    bytes.extend_from_slice(&[0xe9]);
    bytes.extend_from_slice(b"\nquorum g\n");
    let p = WitnessPolicy::parse(&bytes).unwrap();
    assert_eq!(p.witnesses().len(), 3);
    assert_eq!(p.witnesses()[2].name_bytes(), [0xe9]);
    assert!(p.check(&cosigned_by(&[2, 3, 4])).unwrap().met);
    assert!(!p.check(&cosigned_by(&[2, 3])).unwrap().met);
}

#[test]
fn definitions_before_use_and_each_member_once() {
    let (a, b) = (witness_vkey(2), witness_vkey(3));
    assert!(matches!(
        parse(&format!("group g any a\nwitness a {a}\nquorum g\n")),
        Err(PolicyError::UndefinedName { line: 1, .. })
    ));
    assert!(matches!(
        parse(&format!("quorum a\nwitness a {a}\n")),
        Err(PolicyError::UndefinedName { line: 1, .. })
    ));
    assert_eq!(
        parse(&format!("witness a {a}\nwitness a {b}\nquorum a\n")),
        Err(PolicyError::DuplicateName {
            line: 2,
            name: "a".into(),
            first: 1
        })
    );
    assert!(matches!(
        parse(&format!("witness a {a}\ngroup a any a\nquorum a\n")),
        Err(PolicyError::DuplicateName { line: 2, .. })
    ));
    // Twice in one group, or in two groups.
    assert!(matches!(
        parse(&format!(
            "witness a {a}\nwitness b {b}\ngroup g 2 a a\nquorum g\n"
        )),
        Err(PolicyError::MemberTwice { line: 3, .. })
    ));
    assert_eq!(
        parse(&format!(
            "witness a {a}\nwitness b {b}\ngroup g any a b\ngroup h any a\nquorum g\n"
        )),
        Err(PolicyError::MemberTwice {
            line: 4,
            name: "a".into(),
            first: 3
        })
    );
    // none is reserved.
    assert_eq!(
        parse(&format!("witness none {a}\nquorum none\n")),
        Err(PolicyError::ReservedName { line: 1 })
    );
    assert_eq!(
        parse(&format!("witness a {a}\ngroup g any a none\nquorum g\n")),
        Err(PolicyError::ReservedName { line: 2 })
    );
    // Exactly one quorum.
    assert_eq!(
        parse("quorum none\n# x\nquorum none\n"),
        Err(PolicyError::SecondQuorum { line: 3, first: 1 })
    );
    assert_eq!(
        parse(&format!("witness a {a}\n")),
        Err(PolicyError::NoQuorum)
    );
}

#[test]
fn thresholds() {
    let (a, b) = (witness_vkey(2), witness_vkey(3));
    let with = |t: &str| {
        parse(&format!(
            "witness a {a}\nwitness b {b}\ngroup g {t} a b\nquorum g\n"
        ))
    };
    for ok in ["all", "any", "1", "2", "02"] {
        assert!(with(ok).is_ok(), "{ok}");
    }
    for bad in [
        "0",
        "3",
        "-1",
        "+1",
        "one",
        "ALL",
        "1.0",
        "99999999999999999999999",
    ] {
        assert!(
            matches!(
                with(bad),
                Err(PolicyError::Threshold {
                    line: 3,
                    members: 2,
                    ..
                })
            ),
            "{bad}"
        );
    }
    let all = with("all").unwrap();
    assert!(!all.check(&cosigned_by(&[2])).unwrap().met);
    assert!(all.check(&cosigned_by(&[2, 3])).unwrap().met);
    assert!(with("any").unwrap().check(&cosigned_by(&[3])).unwrap().met);
}

#[test]
fn keys_must_be_of_their_kind_and_never_twice() {
    let log = log_vkey();
    let w = witness_vkey(2);
    assert!(matches!(
        parse(&format!("log {w}\nquorum none\n")),
        Err(PolicyError::WrongKeyType {
            line: 1,
            keyword: "log",
            ..
        })
    ));
    assert!(matches!(
        parse(&format!("witness a {log}\nquorum a\n")),
        Err(PolicyError::WrongKeyType {
            line: 1,
            keyword: "witness",
            ..
        })
    ));
    assert!(matches!(
        parse("log not-a-key\nquorum none\n"),
        Err(PolicyError::Vkey { line: 1, .. })
    ));
    // The same public key under another name (another key id): a duplicate.
    let renamed = NoteVerifier::for_witness("other.example", witness_key(2).public_key()).unwrap();
    assert_eq!(
        parse(&format!("witness a {w}\nwitness b {renamed}\nquorum a\n")),
        Err(PolicyError::DuplicateKey { line: 2, first: 1 })
    );
    assert_eq!(
        parse(&format!("log {log}\nlog {log}\nquorum none\n")),
        Err(PolicyError::DuplicateKey { line: 2, first: 1 })
    );
    // A log's key as a witness key: a log does not witness itself.
    let log_as_witness = NoteVerifier::for_witness(ORIGIN, log_key().public_key()).unwrap();
    assert_eq!(
        parse(&format!(
            "log {log}\nwitness a {log_as_witness}\nquorum a\n"
        )),
        Err(PolicyError::DuplicateKey { line: 2, first: 1 })
    );
}

#[test]
fn limits() {
    let mut s = String::new();
    for i in 0..=MAX_WITNESSES {
        let k = SecretKey::from_seed(&[
            u8::try_from(i % 250).unwrap() + 2,
            7,
            7,
            7,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
        ]);
        let v = NoteVerifier::for_witness("w", k.public_key()).unwrap();
        s.push_str(&format!("witness w{i} {v}\n"));
    }
    s.push_str("quorum none\n");
    assert_eq!(
        parse(&s),
        Err(PolicyError::TooMany {
            line: MAX_WITNESSES + 1,
            what: "witness",
            max: MAX_WITNESSES
        })
    );
    let big = format!("quorum none\n#{}\n", "x".repeat(MAX_POLICY_BYTES));
    assert!(matches!(parse(&big), Err(PolicyError::TooLarge { .. })));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// A random policy over 5 witnesses (keys 2..=6): groups built bottom-up over unused
    /// names, the quorum the last group (or a witness).
    fn policy_text(shape: &[(usize, usize)]) -> String {
        let mut s = String::new();
        let mut free: Vec<String> = Vec::new();
        for i in 0..5u8 {
            s.push_str(&format!("witness w{i} {}\n", witness_vkey(i + 2)));
            free.push(format!("w{i}"));
        }
        for (g, (take, k)) in shape.iter().enumerate() {
            if free.is_empty() {
                break;
            }
            let n = 1 + take % free.len();
            let members: Vec<String> = free.drain(..n).collect();
            let k = 1 + k % n;
            s.push_str(&format!("group g{g} {k} {}\n", members.join(" ")));
            free.push(format!("g{g}"));
        }
        s.push_str(&format!(
            "quorum {}\n",
            free.last().cloned().unwrap_or_default()
        ));
        s
    }

    proptest! {
        #[test]
        fn adding_a_valid_cosignature_never_unmeets_the_quorum(
            shape in proptest::collection::vec((0usize..5, 0usize..5), 0..4),
            signed in proptest::collection::vec(any::<bool>(), 5),
            extra in 0usize..5,
        ) {
            let p = WitnessPolicy::parse(policy_text(&shape).as_bytes()).unwrap();
            let seeds: Vec<u8> = (0..5u8).filter(|i| signed[*i as usize]).map(|i| i + 2).collect();
            let before = p.check(&cosigned_by(&seeds)).unwrap();
            let mut more = seeds.clone();
            if !more.contains(&(extra as u8 + 2)) {
                more.push(extra as u8 + 2);
            }
            let after = p.check(&cosigned_by(&more)).unwrap();
            prop_assert!(!before.met || after.met);
            prop_assert_eq!(before.met, p.quorum_met_by(&signed));
            prop_assert_eq!(before.met, before.why_not.is_none());
        }

        #[test]
        fn parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = WitnessPolicy::parse(&bytes);
        }
    }
}

//! Proven-before times through the real binary: a ledger made by `liuhen init`, an act appended
//! with a claimed time, sealed, the stored checkpoint cosigned by a witness at a chosen time
//! (stored again with its cosignature, as the witness service will), then `liuhen log`,
//! `liuhen verify --json` and `liuhen audit` read the time evidence.
//!
//! The story of the regulation (Art. 14(4), 16): an act claimed at 10:00 whose entry a witness
//! first saw the next afternoon was recorded after the fact; one seen within the hour was not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{expect_code, fork_guard, json, path_str, scratch};
use common::dir::TestDir;
use common::LedgerBuilder;
use liuhen::checkpoint::{cosign, NoteSignature, NoteVerifier, SignedCheckpoint};
use liuhen::store::file::FileStore;
use liuhen::store::{StoreRead, StoreWrite};
use liuhen::{SecretKey, Signer};
use serde_json::{json, Value};

const HOUR: i64 = 3_600_000;
const CASE: &str = "金民检〔2026〕7号";
const WITNESS: &str = "witness.jinpu.example/w1";

/// 10:00 (UTC+8) three days before today: far enough back that the next afternoon is past.
fn ten_am_three_days_ago() -> i64 {
    let now = liuhen::Clock::now(&liuhen::SystemClock).0;
    let day = 24 * HOUR;
    let local_day = (now + 8 * HOUR).div_euclid(day) - 3;
    local_day * day - 8 * HOUR + 10 * HOUR
}

/// `2026-03-03T07:20:00Z`, as `log` prints times.
fn iso(ms: i64) -> String {
    liuhen::describe::iso8601(liuhen::Timestamp(ms))
}

/// A ledger directory and the auditor's copy of its verifier key.
struct Ledger {
    root: PathBuf,
    dir: PathBuf,
    vkey: PathBuf,
}

impl Ledger {
    fn store(&self) -> FileStore {
        FileStore::open_read_only(self.dir.join("ledger")).unwrap()
    }
}

struct Fixture {
    dir: Ledger,
    witness: SecretKey,
    /// The witness's vkey, outside the ledger directory (as a court holds it).
    witness_vkey: PathBuf,
    /// The entry of the act.
    seq: u64,
    /// Its claimed time.
    claimed: i64,
}

impl Fixture {
    /// A ledger begun at 09:00 three days ago, with one inspection case opened (claimed and
    /// logged) at 10:00 and sealed then (the library on a manual clock: the binary's clock is
    /// now).
    fn new(name: &str) -> Fixture {
        Fixture::build(name, None)
    }

    /// As [`Fixture::new`], but the checkpoint of the entries before the case (the ledger as it
    /// was before the act was logged) is cosigned by the witness at `absent_at` (ms) — the
    /// routine witnessing that proves the act's entry was not in the ledger then.
    fn witnessed_without_the_entry(name: &str, absent_at: i64) -> Fixture {
        Fixture::build(name, Some(absent_at))
    }

    fn build(name: &str, absent_at: Option<i64>) -> Fixture {
        let root = scratch(name);
        let claimed = ten_am_three_days_ago();
        let witness = SecretKey::from_seed(&[0x57; 32]);
        // No binary may be forked while this writer holds the store's lock.
        let guard = fork_guard();
        let (made, mut built) =
            TestDir::create(&root.join("jinpu"), LedgerBuilder::new().at(claimed - HOUR));
        if let Some(at) = absent_at {
            built.seal();
            let text = built.ledger.latest_checkpoint().unwrap().unwrap();
            let mut note = SignedCheckpoint::parse(text.as_bytes()).unwrap();
            let secs = u64::try_from(at / 1000).unwrap();
            let line = cosign(note.checkpoint(), WITNESS, &witness, secs).unwrap();
            note.add_signature(line).unwrap();
            built.ledger.store_cosigned(&note).unwrap();
        }
        let (subject, _) = liuhen::commitment::commit("party.name", "某社会组织").unwrap();
        let ledger_key = built.k.ledger.clone();
        let seq = built.append_after(
            HOUR,
            &ledger_key,
            common::events::case_opened(CASE, subject),
        );
        built.seal();
        drop(built);
        drop(guard);
        let vkey = root.join("auditor.vkey");
        std::fs::copy(made.dir.vkey_path(), &vkey).unwrap();
        let dir = Ledger {
            root,
            dir: made.dir.root().to_path_buf(),
            vkey,
        };
        let witness_vkey = dir.root.join("w1.vkey");
        std::fs::write(&witness_vkey, format!("{}\n", verifier(&witness))).unwrap();
        Fixture {
            dir,
            witness,
            witness_vkey,
            seq,
            claimed,
        }
    }

    /// The latest stored checkpoint.
    fn latest(&self) -> SignedCheckpoint {
        let store = self.dir.store();
        let text = store.checkpoint(store.checkpoint_count() - 1).unwrap();
        SignedCheckpoint::parse(text.as_bytes()).unwrap()
    }

    /// Stores `note` again as the newest checkpoint, as a witness client keeps cosignatures.
    fn store_again(&self, note: &SignedCheckpoint) {
        let _guard = fork_guard();
        let mut store = FileStore::open(self.dir.dir.join("ledger")).unwrap();
        store.append_checkpoint(&note.to_string()).unwrap();
    }

    /// The witness cosigns the latest checkpoint at `at` (ms, whole seconds) and it is stored.
    fn cosign_at(&self, at: i64) {
        let mut note = self.latest();
        let secs = u64::try_from(at / 1000).unwrap();
        let line = cosign(note.checkpoint(), WITNESS, &self.witness, secs).unwrap();
        note.add_signature(line).unwrap();
        self.store_again(&note);
    }

    fn run(&self, cmd: &str, extra: &[&str]) -> Output {
        let mut args = vec![cmd, path_str(&self.dir.dir)];
        args.extend_from_slice(extra);
        common::cli::liuhen_guarded(args)
    }

    fn witness_args(&self) -> Vec<&str> {
        vec!["--witness-vkey", path_str(&self.witness_vkey)]
    }

    fn verify_json(&self, code: i32) -> Value {
        let mut extra = vec!["--vkey", path_str(&self.dir.vkey), "--json"];
        extra.extend(self.witness_args());
        json(&expect_code(&self.run("verify", &extra), code))
    }

    fn audit_json(&self, code: i32) -> Value {
        json(&expect_code(
            &self.run("audit", &["--vkey", path_str(&self.dir.vkey), "--json"]),
            code,
        ))
    }
}

fn verifier(k: &SecretKey) -> NoteVerifier {
    NoteVerifier::for_witness(WITNESS, k.public_key()).unwrap()
}

fn after_the_fact(audit: &Value) -> Vec<Value> {
    audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "art14-4.after_the_fact")
        .cloned()
        .collect()
}

fn copy_witness_key_into(f: &Fixture, dir: &Path) {
    std::fs::copy(&f.witness_vkey, dir.join("witness.vkey")).unwrap();
}

#[test]
fn an_act_claimed_at_ten_but_first_witnessed_the_next_afternoon_is_flagged() {
    // The ledger as it was without the act was witnessed at 12:00 the next day, past the 24 h
    // deadline; the checkpoint holding the act was first witnessed at 15:20.
    let absent = f_claimed_plus(26 * HOUR);
    let f = Fixture::witnessed_without_the_entry("proven-backdated", absent);
    let proven = f.claimed + 29 * HOUR + 20 * 60_000; // 15:20 the next day.
    f.cosign_at(proven);

    // `log` shows when the entry was first proven to exist, and by whom.
    let mut extra = f.witness_args();
    extra.push("--case");
    extra.push(CASE);
    let out = expect_code(&f.run("log", &extra), 0);
    let line = format!(
        "proven before {} (witness {WITNESS} cosignature, checkpoint of",
        iso(proven)
    );
    assert!(out.contains(&line), "{out}");
    let out = expect_code(&f.run("log", &[&extra[..], &["--json"]].concat()), 0);
    let entry = out.lines().map(json).find(|v| v["seq"] == f.seq).unwrap();
    assert_eq!(entry["proven_before"]["time"], iso(proven));
    assert_eq!(entry["proven_before"]["source"]["kind"], "cosignature");
    assert_eq!(entry["proven_before"]["source"]["witness"], WITNESS);

    // `verify --json` carries the summary, and the audit's violation (exit 2).
    let v = f.verify_json(2);
    let size = f.latest().checkpoint().size;
    assert_eq!(v["proven_before"]["entries"], size, "{v:#}");
    assert_eq!(v["proven_before"]["latest"]["size"], size);
    assert_eq!(v["proven_before"]["latest"]["time"], proven);
    assert_eq!(
        v["audit"]["violations_by_article"]["Art. 14(4)"], 1,
        "{v:#}"
    );

    // `liuhen audit --witness-vkey`, the auditor's own copy of the witness key: the finding.
    let a = json(&expect_code(
        &f.run(
            "audit",
            &[
                "--vkey",
                path_str(&f.dir.vkey),
                "--witness-vkey",
                path_str(&f.witness_vkey),
                "--json",
            ],
        ),
        2,
    ));
    assert_eq!(after_the_fact(&a).len(), 1, "{a:#}");

    // `liuhen audit` with the witness key beside the ledger: one finding citing Art. 14(4).
    copy_witness_key_into(&f, &f.dir.dir);
    let a = f.audit_json(2);
    let found = after_the_fact(&a);
    assert_eq!(found.len(), 1, "{a:#}");
    assert_eq!(found[0]["article"], "Art. 14(4)");
    assert_eq!(found[0]["case_no"], CASE);
    assert_eq!(found[0]["seqs"], json!([f.seq]));
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("recorded after the fact?"), "{message}");
    assert!(message.contains("15:20:00+08:00"), "{message}");
    assert!(
        message.contains(&format!("witness {WITNESS} cosignature")),
        "{message}"
    );
    assert!(message.contains("did not hold it yet"), "{message}");

    // The HTML report's case timeline shows the proven-before time of the entry.
    let page = f.dir.root.join("audit.html");
    let html = ["--vkey", path_str(&f.dir.vkey), "--html", path_str(&page)];
    expect_code(&f.run("audit", &html), 2);
    let page = std::fs::read_to_string(&page).unwrap();
    assert!(
        page.contains("proven before 2") && page.contains("15:20:00+08:00 (witness"),
        "no proven-before time in the HTML timeline"
    );
}

/// The claimed time of every fixture plus `ms`.
fn f_claimed_plus(ms: i64) -> i64 {
    ten_am_three_days_ago() + ms
}

/// A ledger first witnessed long after it began: its acts are first proven late, but no
/// checkpoint witnessed after their deadline lacks them, so nothing proves they were added
/// after the fact (no false violation for a bureau that adopts witnesses later).
#[test]
fn a_ledger_first_witnessed_late_is_not_flagged() {
    let f = Fixture::new("proven-adopted-late");
    f.cosign_at(f.claimed + 29 * HOUR);
    let v = f.verify_json(0);
    assert!(
        v["proven_before"]["entries"].as_u64().unwrap() > f.seq,
        "{v:#}"
    );
    copy_witness_key_into(&f, &f.dir.dir);
    assert!(after_the_fact(&f.audit_json(0)).is_empty());
}

#[test]
fn an_act_witnessed_within_the_hour_is_not_flagged() {
    let f = Fixture::new("proven-lawful");
    f.cosign_at(f.claimed + 40 * 60_000);
    let v = f.verify_json(0);
    assert!(
        v["proven_before"]["entries"].as_u64().unwrap() > f.seq,
        "{v:#}"
    );
    copy_witness_key_into(&f, &f.dir.dir);
    let a = f.audit_json(0);
    assert!(after_the_fact(&a).is_empty(), "{a:#}");
}

#[test]
fn without_witness_keys_nothing_is_proven_and_the_output_is_unchanged() {
    let f = Fixture::new("proven-none");
    let before = expect_code(&f.run("log", &[]), 0);
    f.cosign_at(f.claimed + 29 * HOUR);
    // No key given and none in the directory: the cosignature is not evidence of anything.
    let after = expect_code(&f.run("log", &[]), 0);
    assert_eq!(before, after);
    assert!(!after.contains("proven before"));
    let v = json(&expect_code(
        &f.run("verify", &["--vkey", path_str(&f.dir.vkey), "--json"]),
        0,
    ));
    assert!(v.get("proven_before").is_none(), "{v:#}");
    assert!(after_the_fact(&f.audit_json(0)).is_empty());
}

#[test]
fn a_forged_cosignature_is_not_evidence_and_is_reported() {
    let f = Fixture::new("proven-forged");
    // The bureau adds a line under the witness's name and key id claiming an early time,
    // with signature bytes the witness never made.
    let mut note = f.latest();
    let w = verifier(&f.witness);
    let mut bytes = u64::try_from((f.claimed + 60_000) / 1000)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    bytes.extend_from_slice(&[0x5a; 64]);
    note.add_signature(NoteSignature::new(w.name(), w.key_id(), bytes).unwrap())
        .unwrap();
    f.store_again(&note);

    let out = expect_code(&f.run("log", &f.witness_args()), 0);
    assert!(!out.contains("proven before"), "{out}");

    // A verifier holding the witness key reports the forged line (tampering, exit 1).
    let v = f.verify_json(1);
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|x| x["kind"] == "bad_checkpoint"
            && x["message"].as_str().unwrap().contains("cosignature")
            && x["message"].as_str().unwrap().contains("does not verify")),
        "{v:#}"
    );
    assert!(v.get("proven_before").is_none(), "{v:#}");
}

#[test]
fn a_log_key_file_is_not_a_witness_key() {
    let f = Fixture::new("proven-wrong-key");
    let out = f.run("log", &["--witness-vkey", path_str(&f.dir.vkey)]);
    expect_code(&out, 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a witness"), "{err}");
}

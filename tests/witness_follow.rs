//! `liuhen witness follow` (docs/witness/follow.md) through the real binaries: a witness
//! directory follows a ledger served by `liuhen serve` on loopback, proves each new checkpoint
//! consistent with the last one it cosigned from the served hash tiles, and cosigns it; the
//! bureau-with-key rewrite and tiles altered on the way are refused, the rewrite kept as
//! split-view evidence.
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test witness_follow`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use common::cli::{expect_code, fork_guard, stdout};
use common::dir::TestDir;
use common::http::{client, Served};
use common::{events, media, Keys, LedgerBuilder};
use liuhen::checkpoint::{verify_cosignature, NoteVerifier, SignedCheckpoint};
use liuhen::witness::WitnessDir;
use liuhen::ManualClock;
use liuhen::Signer as _;

/// The witness's key name.
const WITNESS: &str = "witness.dalian.example/follow";

/// A bureau's ledger directory, grown with documents by the ledger's writer (closed between
/// growths, so that `liuhen serve` can hold it). The writer is open, and the binaries are
/// started, under [`fork_guard`]: a child forked meanwhile would inherit the writer's lock.
struct Bureau {
    dir: TestDir,
    k: Keys,
    clock: Arc<ManualClock>,
    /// Documents filed so far (the next one's number).
    filed: u64,
}

impl Bureau {
    /// A ledger (genesis, the officer's authorization, a seal) in `CARGO_TARGET_TMPDIR/name`.
    fn new(name: &str) -> Bureau {
        let root = common::dir::tmp_dir(name);
        let _guard = fork_guard();
        let (dir, built) = TestDir::create(&root, LedgerBuilder::new().officer().sealed());
        let (k, clock) = (built.k.clone(), built.clock.clone());
        drop(built);
        Bureau {
            dir,
            k,
            clock,
            filed: 0,
        }
    }

    /// Files documents `filed..filed+n` except `skip` (what a rewrite leaves out), then seals.
    /// Returns the sealed size.
    fn file(&mut self, n: u64, skip: Option<u64>) -> u64 {
        let _guard = fork_guard();
        let mut ledger = self.dir.writer_on(self.clock.clone());
        for i in self.filed..self.filed + n {
            if Some(i) == skip {
                continue;
            }
            self.clock.advance(1_000);
            let doc = media(&format!("doc-{i}.pdf"), "application/pdf");
            let event = events::document_filed(&format!("金民执〔2026〕{}号", i % 5), doc);
            ledger.sign_and_append(&self.k.officer, event).unwrap();
        }
        ledger.seal(&self.k.ledger).unwrap();
        self.filed += n;
        ledger.size()
    }

    fn vkey(&self) -> NoteVerifier {
        liuhen::keyfile::read_verifier_key(&self.dir.dir.vkey_path()).unwrap()
    }

    fn serve(&self) -> Served {
        let _guard = fork_guard();
        Served::start(self.dir.root(), &[])
    }
}

/// A witness directory trusting `log`, made with the core (`WitnessDir::init`, `add_log`).
fn witness(name: &str, log: &NoteVerifier) -> (PathBuf, NoteVerifier) {
    let wdir = common::dir::tmp_dir(name).join("witness");
    let vkey = WitnessDir::init(&wdir, WITNESS).unwrap();
    assert!(WitnessDir::new(&wdir).add_log(log).unwrap());
    (wdir, vkey)
}

/// `liuhen witness follow WDIR --log URL --interval 0 EXTRA…`.
fn follow(wdir: &Path, url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["witness", "follow", wdir.to_str().unwrap(), "--log", url];
    args.extend(["--interval", "0", "--timeout", "20"]);
    args.extend(extra);
    common::cli::liuhen_guarded(args)
}

/// Follows once; asserts the exit code and that stdout contains `needle`.
fn follow_says(wdir: &Path, url: &str, code: i32, needle: &str) {
    let out = follow(wdir, url, &[]);
    let text = expect_code(&out, code);
    assert!(text.contains(needle), "{needle:?} missing: {text}");
}

/// The checkpoint the witness holds as cosigned for the ledger, and its cosignature's time.
fn cosigned(wdir: &Path, witness: &NoteVerifier) -> (SignedCheckpoint, u64) {
    let latest = WitnessDir::new(wdir)
        .latest(common::ORIGIN)
        .unwrap()
        .expect("a cosigned checkpoint");
    let time = verify_cosignature(&latest, witness).expect("the witness's cosignature verifies");
    (latest, time)
}

/// The checkpoint `served` publishes.
fn published(served: &Served) -> SignedCheckpoint {
    let body = client()
        .get(served.at("/checkpoint"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    SignedCheckpoint::parse(&body).unwrap()
}

/// A ledger of 42 entries served, and a witness that followed it once (and cosigned it).
fn witnessed_at_42(name: &str) -> (Bureau, PathBuf, NoteVerifier, Served) {
    let mut bureau = Bureau::new(name);
    assert_eq!(bureau.file(40, None), 42);
    let (wdir, wkey) = witness(&format!("{name}-w"), &bureau.vkey());
    let served = bureau.serve();
    expect_code(&follow(&wdir, &served.url, &[]), 0);
    (bureau, wdir, wkey, served)
}

/// [`witnessed_at_42`], then the ledger grown to 302 entries, sealed and served again.
fn grown_to_302(name: &str) -> (PathBuf, NoteVerifier, Served) {
    let (mut bureau, wdir, wkey, served) = witnessed_at_42(name);
    served.stop();
    assert_eq!(bureau.file(260, None), 302);
    (wdir, wkey, bureau.serve())
}

#[test]
fn following_a_served_ledger_cosigns_it_then_proves_each_growth_from_the_tiles() {
    let mut bureau = Bureau::new("follow-grows");
    let first = bureau.file(40, None);
    assert_eq!(first, 42);
    let (wdir, wkey) = witness("follow-grows-w", &bureau.vkey());

    let served = bureau.serve();
    let out = follow(&wdir, &served.url, &[]);
    let line = expect_code(&out, 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("{} 42 cosigned (first checkpoint seen)", common::ORIGIN),
        "{line}"
    );
    let (latest, _) = cosigned(&wdir, &wkey);
    assert_eq!(latest.checkpoint(), published(&served).checkpoint());
    // The log's signature is kept beside the cosignature.
    latest.verify(&bureau.vkey()).unwrap();

    // Nothing new: unchanged, twice (two rounds), and nothing rewritten.
    let before = std::fs::read(WitnessDir::new(&wdir).checkpoint_path(common::ORIGIN)).unwrap();
    let out = follow(&wdir, &served.url, &["--count", "2"]);
    expect_code(&out, 0);
    let unchanged = format!("{} 42 unchanged", common::ORIGIN);
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        [&unchanged, &unchanged]
    );
    let after = std::fs::read(WitnessDir::new(&wdir).checkpoint_path(common::ORIGIN)).unwrap();
    assert_eq!(before, after);
    served.stop();

    // The ledger grows past the first tile (level-1 tiles, full and partial level-0 tiles),
    // is sealed, and served again: the proof from 42 comes from the tiles.
    let second = bureau.file(260, None);
    assert_eq!(second, 302);
    let served = bureau.serve();
    let out = follow(&wdir, &served.url, &[]);
    expect_code(&out, 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("{} 302 cosigned (consistent with 42)", common::ORIGIN)
    );
    let (latest, _) = cosigned(&wdir, &wkey);
    assert_eq!(latest.checkpoint(), published(&served).checkpoint());
    // And again inside the same tiles.
    served.stop();
    assert_eq!(bureau.file(3, None), 305);
    let served = bureau.serve();
    follow_says(&wdir, &served.url, 0, "305 cosigned (consistent with 302)");
    assert!(WitnessDir::new(&wdir).evidence(None).unwrap().is_empty());
    served.stop();
}

#[test]
fn the_bureau_with_key_rewrite_is_refused_and_kept_as_split_view_evidence() {
    let (honest, wdir, wkey, served) = witnessed_at_42("follow-rewrite");
    let (was, _) = cosigned(&wdir, &wkey);

    // The bureau, holding the ledger key, removes document 10 and rebuilds the ledger from
    // scratch (same keys, same clock: everything before entry 12 is byte-identical), files
    // three more and re-signs: a longer history that does not extend the one witnessed.
    let mut longer = Bureau::new("follow-rewrite-longer");
    assert_eq!(longer.vkey(), honest.vkey());
    assert_eq!(longer.file(43, Some(10)), 44);
    let forged = longer.serve();
    let out = follow(&wdir, &forged.url, &["--count", "3"]);
    expect_code(&out, 1);
    let text = stdout(&out);
    assert_eq!(
        text.lines().count(),
        1,
        "following stops at the split view: {text}"
    );
    assert!(
        text.starts_with(&format!(
            "{} 44 SPLIT VIEW: consistency proof from 42 to 44",
            common::ORIGIN
        )),
        "{text}"
    );
    let kept = WitnessDir::new(&wdir)
        .evidence(Some(common::ORIGIN))
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].status, 422);
    assert_eq!(kept[0].cosigned.checkpoint(), was.checkpoint());
    assert_eq!(
        kept[0].refused.checkpoint(),
        published(&forged).checkpoint()
    );
    // Both are signed by the ledger key: the proof that it signed two histories.
    kept[0].refused.verify(&honest.vkey()).unwrap();
    kept[0].cosigned.verify(&honest.vkey()).unwrap();
    assert!(text.contains(&kept[0].path.display().to_string()), "{text}");

    // Seen again: still a split view, exit 1, not kept twice.
    follow_says(&wdir, &forged.url, 1, "split view seen before");
    assert_eq!(WitnessDir::new(&wdir).evidence(None).unwrap().len(), 1);
    forged.stop();

    // The same size with another root (document 10 replaced by document 40).
    let mut same = Bureau::new("follow-rewrite-same");
    assert_eq!(same.file(41, Some(10)), 42);
    let forged = same.serve();
    follow_says(
        &wdir,
        &forged.url,
        1,
        "42 SPLIT VIEW: size 42 was cosigned with another root",
    );
    let kept = WitnessDir::new(&wdir).evidence(None).unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1].status, 409);
    forged.stop();

    // Nothing was cosigned for the forgeries: the witness still holds what it cosigned, and
    // the honest log is still followed.
    assert_eq!(cosigned(&wdir, &wkey).0, was);
    follow_says(&wdir, &served.url, 0, "42 unchanged");
    served.stop();
}

/// What a proxy makes of an answer: (path, status, body) to (status, body).
type Alter = Box<dyn Fn(&str, u16, Vec<u8>) -> (u16, Vec<u8>) + Send>;

/// A proxy in front of `upstream` (a cache, a CDN, whoever sits on the path) that passes every
/// answer through `alter`. Returns its URL.
fn proxy(upstream: String, alter: Alter) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            // The rest of the request head.
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let path = first.split(' ').nth(1).unwrap_or("/").to_owned();
            let r = client().get(format!("{upstream}{path}")).send().unwrap();
            let status = r.status().as_u16();
            let (status, body) = alter(&path, status, r.bytes().unwrap().to_vec());
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
            let mut rest = Vec::new();
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = reader.read_to_end(&mut rest);
        }
    });
    url
}

/// Flips the first byte of every tile.
fn flip_tiles(path: &str, status: u16, mut body: Vec<u8>) -> (u16, Vec<u8>) {
    if path.starts_with("/tile/") && status == 200 {
        body[0] ^= 1;
    }
    (status, body)
}

#[test]
fn tiles_altered_on_the_way_are_refused_not_trusted() {
    let (wdir, wkey, served) = grown_to_302("follow-altered");

    let proxy = proxy(served.url.clone(), Box::new(flip_tiles));
    let out = follow(&wdir, &proxy, &[]);
    expect_code(&out, 0);
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "{} 302 refused: no consistency proof from the tiles: a tile does not authenticate \
             against the checkpoint's root (altered)",
            common::ORIGIN
        )
    );
    // Nothing cosigned, nothing kept as a split view: the log did nothing wrong.
    assert_eq!(cosigned(&wdir, &wkey).0.checkpoint().size, 42);
    assert!(WitnessDir::new(&wdir).evidence(None).unwrap().is_empty());

    // From the log itself, the same checkpoint is proven and cosigned.
    follow_says(&wdir, &served.url, 0, "302 cosigned (consistent with 42)");
    served.stop();
}

#[test]
fn a_log_the_witness_does_not_trust_is_refused_and_errors_are_exit_3() {
    let mut bureau = Bureau::new("follow-untrusted");
    assert_eq!(bureau.file(2, None), 4);
    // The witness trusts another key under the same origin.
    let stranger = liuhen::SecretKey::from_seed(&[0x77; 32]);
    let other = NoteVerifier::for_key(common::ORIGIN, stranger.public_key()).unwrap();
    let (wdir, _) = witness("follow-untrusted-w", &other);
    let served = bureau.serve();
    follow_says(
        &wdir,
        &served.url,
        0,
        "4 refused: no signature of a trusted key",
    );
    assert!(WitnessDir::new(&wdir)
        .latest(common::ORIGIN)
        .unwrap()
        .is_none());

    // Usage and I/O: a URL it cannot use, a log that is not there, a witness dir that is not.
    let out = follow(&wdir, "https://127.0.0.1:1", &[]);
    expect_code(&out, 3);
    let out = follow(&wdir, &served.at("/nowhere"), &[]);
    common::cli::expect_stderr(&out, 3, &["HTTP 404"]);
    served.stop();
    let out = follow(&wdir, &served_url_closed(), &[]);
    expect_code(&out, 3);
    let out = follow(&wdir.join("missing"), "http://127.0.0.1:1", &[]);
    expect_code(&out, 3);
    let out = follow(&wdir, "http://127.0.0.1:1", &["--count", "0"]);
    expect_code(&out, 3);
}

/// A loopback URL nothing listens on.
fn served_url_closed() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[test]
fn answers_beyond_the_limits_are_cut_off_and_refused() {
    let (wdir, wkey, served) = grown_to_302("follow-limits");

    // A checkpoint over the note limit (1 MiB): the read stops there, an error of the round.
    let huge: Alter = Box::new(|path, status, body| match path {
        "/checkpoint" => (status, [body, vec![b'x'; 2 << 20]].concat()),
        _ => (status, body),
    });
    let out = follow(&wdir, &proxy(served.url.clone(), huge), &[]);
    common::cli::expect_stderr(&out, 3, &["length limit exceeded"]);
    // A tile longer than its width, and one longer than a full tile: refused, not truncated.
    let padded: Alter = Box::new(|path, status, body| match path.starts_with("/tile/") {
        true => (status, [body, vec![0; 32]].concat()),
        false => (status, body),
    });
    follow_says(
        &wdir,
        &proxy(served.url.clone(), padded),
        0,
        "302 refused: no consistency proof from the tiles: GET ",
    );
    let oversized: Alter = Box::new(|path, status, body| match path.starts_with("/tile/") {
        true => (status, vec![0; 8192 + 1]),
        false => (status, body),
    });
    let out = follow(&wdir, &proxy(served.url.clone(), oversized), &[]);
    common::cli::expect_stderr(&out, 3, &["length limit exceeded"]);
    assert_eq!(cosigned(&wdir, &wkey).0.checkpoint().size, 42);
    served.stop();
}

#[test]
fn a_stale_cache_is_followed_through_full_tiles_and_its_rollback_refused() {
    // The witness cosigned 4; the log published 100, then grew to 260 (tile 0/000 is full).
    let mut bureau = Bureau::new("follow-fallback");
    assert_eq!(bureau.file(2, None), 4);
    let (wdir, wkey) = witness("follow-fallback-w", &bureau.vkey());
    let served = bureau.serve();
    follow_says(&wdir, &served.url, 0, "4 cosigned");
    served.stop();
    assert_eq!(bureau.file(96, None), 100);
    let served = bureau.serve();
    let at_100 = published(&served).to_string();
    served.stop();
    assert_eq!(bureau.file(160, None), 260);
    let served = bureau.serve();
    // A cache still answering the checkpoint of 100, and deleting partial tiles (tlog-tiles
    // allows it once the full tile exists).
    let stale_checkpoint = at_100.clone().into_bytes();
    let stale: Alter = Box::new(move |path, status, body| {
        if path == "/checkpoint" {
            (200, stale_checkpoint.clone())
        } else if path.contains(".p/") {
            (404, b"{}".to_vec())
        } else {
            (status, body)
        }
    });
    let stale = proxy(served.url.clone(), stale);
    follow_says(&wdir, &stale, 0, "100 cosigned (consistent with 4)");
    let at_100 = SignedCheckpoint::parse(at_100.as_bytes()).unwrap();
    assert_eq!(cosigned(&wdir, &wkey).0.checkpoint(), at_100.checkpoint());

    // The log itself, then the stale cache again: an older checkpoint is refused by the
    // witness (a rollback or a stale cache, not a proven split view), nothing kept.
    follow_says(&wdir, &served.url, 0, "260 cosigned (consistent with 100)");
    follow_says(
        &wdir,
        &stale,
        0,
        "100 refused: old size 260 is larger than the checkpoint size 100",
    );
    assert_eq!(cosigned(&wdir, &wkey).0.checkpoint().size, 260);
    assert!(WitnessDir::new(&wdir).evidence(None).unwrap().is_empty());
    served.stop();
}

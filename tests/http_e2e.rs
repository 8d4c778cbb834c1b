//! Issue 15, end to end: the real `liuhen serve` on 127.0.0.1 over a ledger directory staffed
//! by the real binary (officers and body-worn cameras registered with `liuhen authorize`).
//! Eight concurrent clients, each an officer or a device signing its own statements, append as
//! JSON, JSON Lines batches and the binary encoding; every receipt is checked. The ledger is
//! sealed over `POST /v1/seal`, and the independent `tlog_tiles` and `signed_note` crates fetch
//! the log: the root rebuilt from the hash tiles is the signed checkpoint's, every entry of the
//! entry bundles is the statement a client sent, and its inclusion proof (served, and
//! recomputed from the tiles) checks; after a second concurrent round and seal, the
//! consistency proof between the two checkpoints checks. Then headless Chromium finds a case
//! the clients made by its number, lists its timeline, and checks an entry's inclusion proof
//! against the checkpoint just sealed (skipped, as in tests/http_explorer.rs, when Chromium is
//! not installed).
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test http_e2e`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::cli::fork_guard;
use common::dir::{tmp_dir, StaffedDir};
use common::http::{
    attribute, chromium_present, client, dump_dom, enc, entries_of, proof_verified_in_browser,
    verified_checkpoint, HttpTiles, Served,
};
use liuhen::model::{ActKind, CaptureMethod, Event, Location};
use liuhen::{Binding, SecretKey, SignedStatement, Signer, Timestamp};
use serde_json::{json, Value};
use tlog_tiles::{Hash, Tile, TileHashReader};

const OFFICERS: usize = 4;
const DEVICES: usize = 4;

/// One client: an officer or a body-worn camera, its key and its next binding.
struct Client {
    key: SecretKey,
    binding: Binding,
    /// Officers open a case of their own; device `i` records in officer `i`'s case.
    case_no: String,
    device: bool,
    index: usize,
    /// The ledger directory, whose media store holds what the client's statements reference.
    dir: PathBuf,
}

/// What a client sent and the receipt it got.
struct Sent {
    seq: u64,
    statement: SignedStatement,
    leaf_hash: String,
    /// The case the entry belongs to.
    case_no: String,
}

fn case_no(i: usize) -> String {
    format!("金民执〔2026〕E2E-{i}号")
}

fn now() -> Timestamp {
    liuhen::Clock::now(&liuhen::SystemClock)
}

impl Client {
    /// A media reference whose bytes are put in the directory's media store first, as an
    /// upload station would.
    fn stored_media(&self, name: &str, mime: &str) -> liuhen::model::MediaRef {
        let media = common::media(name, mime);
        let store = liuhen::LedgerDir::new(&self.dir).media().unwrap().unwrap();
        let bytes = common::media_bytes(name);
        store
            .put_reader(std::io::Cursor::new(bytes), &media)
            .unwrap();
        media
    }

    fn sign(&mut self, event: Event) -> SignedStatement {
        let st = SignedStatement::sign_bound(self.binding, now(), event, &self.key).unwrap();
        self.binding.counter += 1;
        st
    }

    /// The events of this client in `round` (0 or 1), in order.
    fn events(&self, round: usize) -> Vec<Event> {
        let case_no = self.case_no.clone();
        let i = self.index;
        if !self.device {
            let mut events = Vec::new();
            if round == 0 {
                events.push(Event::CaseOpened {
                    case_no: case_no.clone(),
                    act: ActKind::Penalty,
                    matter: "未按规定报送年度工作报告".into(),
                    unit: "执法监督科".into(),
                    subject: liuhen::commitment::commit_with_salt(
                        "party.name",
                        &format!("大连某某公司{i}"),
                        [u8::try_from(i).unwrap(); 32],
                    )
                    .0,
                });
            }
            for d in 0..[6, 4][round] {
                let doc = self.stored_media(&format!("e2e-{i}-{round}-{d}.pdf"), "application/pdf");
                events.push(common::events::document_filed(&case_no, doc));
            }
            return events;
        }
        let session = format!("BWC-E2E-{i}-{round}");
        let mut events = vec![common::events::recording_started(
            self.key.public_key(),
            liuhen::media::RecordingStart {
                session: session.clone(),
                case_no,
                method: CaptureMethod::BodyWornRecorder,
                location: Location {
                    place: "金普新区某街道1号".into(),
                    landmark: Some("门牌".into()),
                },
                matter: "现场检查".into(),
                officers: vec![format!("2102100{i}")],
                party: None,
            },
        )];
        let mut prev = None;
        let segments = [6u32, 3][round];
        let t = now();
        for s in 0..segments {
            let media = self.stored_media(&format!("{session}-{s:04}.mp4"), "video/mp4");
            let digest = media.digest;
            let start = Timestamp(t.0 - 60_000 + i64::from(s) * 1_000);
            events.push(common::events::segment_sealed(
                &session,
                s,
                prev,
                media,
                (start, Timestamp(start.0 + 1_000)),
            ));
            prev = Some(digest);
        }
        events.push(Event::RecordingStopped {
            session,
            segments,
            last_segment: prev,
        });
        events
    }
}

/// The ledger directory, staffed through the real binary: `liuhen init`, then `liuhen keygen`
/// and `liuhen authorize` of [`OFFICERS`] officers (the kit's first one included) and
/// [`DEVICES`] body-worn cameras.
fn staffed(name: &str) -> (StaffedDir, Vec<Client>) {
    let dir = StaffedDir::init(tmp_dir(name), false);
    let mut keys: Vec<(PathBuf, bool)> = vec![(dir.officer.clone(), false)];
    for i in 1..OFFICERS {
        let key = dir.keygen(&format!("officer-2102100{i}"), &format!("officer-{i}.key"));
        dir.authorize(&key, "officer", &format!("2102100{i}"));
        keys.push((key, false));
    }
    for i in 0..DEVICES {
        let key = dir.keygen(&format!("BWC-E2E-{i}"), &format!("device-{i}.key"));
        dir.authorize(&key, "device", &format!("BWC-E2E-{i}"));
        keys.push((key, true));
    }
    let _guard = fork_guard();
    let ledger = dir.writer();
    let clients = keys
        .into_iter()
        .map(|(path, device)| {
            let key = liuhen::keyfile::read_secret_key(&path).unwrap().1;
            let index = path_index(&path);
            Client {
                binding: ledger.next_binding(&key.public_key()).unwrap(),
                key,
                case_no: case_no(index),
                device,
                index,
                dir: dir.dir.clone(),
            }
        })
        .collect();
    drop(ledger);
    (dir, clients)
}

/// `officer-3.key` → 3, `device-2.key` → 2, the kit's `officer.key` → 0.
fn path_index(path: &Path) -> usize {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    stem.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `POST /v1/statements` of `body` as `content_type`: the receipts of a 200.
fn post(served: &Served, content_type: &str, body: Vec<u8>) -> Vec<Value> {
    let r = client()
        .post(served.at("/v1/statements"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .expect("POST /v1/statements");
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    body["receipts"].as_array().unwrap().clone()
}

/// One concurrent round: every client sends its events of `round` on its own thread, in
/// requests whose encoding cycles through JSON (one statement), the binary encoding (one) and
/// JSON Lines (a batch of up to three). Checks each receipt against the statement sent.
fn round(served: &Served, clients: &mut [Client], round: usize) -> Vec<Sent> {
    std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter_mut()
            .enumerate()
            .map(|(c, client)| {
                s.spawn(move || {
                    let mut events = client.events(round).into_iter().peekable();
                    let mut sent = Vec::new();
                    let mut request = c;
                    while events.peek().is_some() {
                        let take = if request % 3 == 2 { 3 } else { 1 };
                        let batch: Vec<SignedStatement> =
                            events.by_ref().take(take).map(|e| client.sign(e)).collect();
                        let receipts = match request % 3 {
                            0 => post(
                                served,
                                "application/json",
                                serde_json::to_vec(&batch[0]).unwrap(),
                            ),
                            1 => post(
                                served,
                                "application/octet-stream",
                                batch[0].to_bytes().unwrap(),
                            ),
                            _ => {
                                let lines: String = batch
                                    .iter()
                                    .map(|st| format!("{}\n", serde_json::to_string(st).unwrap()))
                                    .collect();
                                post(served, "application/jsonl", lines.into_bytes())
                            }
                        };
                        request += 1;
                        assert_eq!(receipts.len(), batch.len(), "one receipt per statement");
                        for (r, statement) in receipts.iter().zip(batch) {
                            assert_eq!(r["event"], statement.statement.event.name());
                            assert_eq!(r["author"], statement.statement.author.to_string());
                            assert_eq!(
                                r["case_no"],
                                json!(statement.statement.event.case_no()),
                                "{r}"
                            );
                            sent.push(Sent {
                                seq: r["seq"].as_u64().unwrap(),
                                statement,
                                leaf_hash: r["leaf_hash"].as_str().unwrap().to_owned(),
                                case_no: client.case_no.clone(),
                            });
                        }
                    }
                    sent
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// Checks that the receipts of a round name distinct entries, exactly `from..from + n`.
fn contiguous(sent: &[Sent], from: u64) -> u64 {
    let seqs: BTreeSet<u64> = sent.iter().map(|s| s.seq).collect();
    assert_eq!(seqs.len(), sent.len(), "every receipt names its own entry");
    let n = sent.len() as u64;
    assert_eq!(seqs, (from..from + n).collect(), "no gap, nothing else");
    from + n
}

fn get_json(served: &Served, path: &str) -> Value {
    let r = client().get(served.at(path)).send().unwrap();
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// `POST /v1/seal` from loopback: the signed note, which must verify and cover `size` entries.
fn seal(served: &Served, vkey: &str, size: u64) -> String {
    let r = client().post(served.at("/v1/seal")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let sealed: Value = r.json().unwrap();
    assert_eq!(sealed["size"], size, "{sealed}");
    assert_eq!(sealed["warnings"], json!([]), "{sealed}");
    let note = sealed["note"].as_str().unwrap().to_owned();
    let checkpoint = verified_checkpoint(note.as_bytes(), vkey);
    assert_eq!(checkpoint.size(), size);
    assert_eq!(hex(checkpoint.hash()), sealed["root"].as_str().unwrap());
    note
}

fn hex(h: &Hash) -> String {
    h.0.iter().map(|b| format!("{b:02x}")).collect()
}

fn hashes_of(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect()
}

/// The published log as an independent client sees it: `GET /checkpoint` is `note`; the root
/// rebuilt from the hash tiles is its root; every entry of the entry bundles is proven from
/// the tiles and by its served `liuhen-proof/1` document, and each entry a client sent is the
/// statement it sent, its leaf hash the one its receipt named. Returns the checkpoint.
fn check_published(
    served: &Served,
    vkey: &str,
    note: &str,
    sent: &BTreeMap<u64, &Sent>,
) -> tlog_tiles::Checkpoint {
    let r = client().get(served.at("/checkpoint")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().unwrap(),
        note,
        "the checkpoint just sealed is served"
    );
    let checkpoint = verified_checkpoint(note.as_bytes(), vkey);
    let (size, root) = (checkpoint.size(), *checkpoint.hash());

    let tiles = HttpTiles::new(served);
    let hashes = TileHashReader::new(size, root, &tiles);
    assert_eq!(tlog_tiles::tree_hash(size, &hashes).unwrap(), root);

    let mut entries = Vec::new();
    for n in 0..size.div_ceil(256) {
        let width = u32::try_from((size - n * 256).min(256)).unwrap();
        let path = common::http::c2sp_path(&Tile::new(8, 0, n, width, true));
        let bundle = tiles.get(&path).unwrap();
        entries.extend(entries_of(&bundle).into_iter().map(<[u8]>::to_vec));
    }
    assert_eq!(
        entries.len() as u64,
        size,
        "the bundles hold the whole tree"
    );
    for (n, bytes) in (0..).zip(&entries) {
        let leaf = tlog_tiles::record_hash(bytes);
        let proof = tlog_tiles::prove_record(size, n, &hashes).unwrap();
        tlog_tiles::check_record(&proof, size, root, n, leaf)
            .unwrap_or_else(|e| panic!("entry {n} from the tiles: {e}"));
        let doc = get_json(served, &format!("/v1/proof/inclusion?seq={n}"));
        assert_eq!(doc["type"], "inclusion", "{doc}");
        assert_eq!(
            (doc["leaf_index"].as_u64(), doc["tree_size"].as_u64()),
            (Some(n), Some(size))
        );
        assert_eq!(doc["checkpoint"], note, "entry {n}");
        assert_eq!(doc["leaf_hash"], hex(&leaf), "entry {n}");
        let path = hashes_of(&doc["path"]);
        assert_eq!(path, proof.iter().map(hex).collect::<Vec<_>>(), "entry {n}");
        let served_proof: Vec<Hash> = path.iter().map(|h| from_hex(h)).collect();
        tlog_tiles::check_record(&served_proof, size, root, n, leaf)
            .unwrap_or_else(|e| panic!("entry {n}, served proof: {e}"));
        let entry = liuhen::Entry::from_bytes(bytes).unwrap();
        assert_eq!(entry.seq, n);
        if let Some(s) = sent.get(&n) {
            assert_eq!(
                hex(&leaf),
                s.leaf_hash,
                "entry {n}: the receipt's leaf hash"
            );
            assert_eq!(
                entry.statement, s.statement,
                "entry {n}: the statement sent"
            );
        }
    }
    checkpoint
}

fn from_hex(h: &str) -> Hash {
    let mut out = [0u8; 32];
    assert_eq!(h.len(), 64, "{h}");
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap();
    }
    Hash(out)
}

#[test]
fn concurrent_clients_append_the_log_proves_it_and_the_browser_checks_it() {
    let (dir, mut clients) = staffed("http-e2e");
    assert_eq!(clients.len(), OFFICERS + DEVICES);
    let vkey = std::fs::read_to_string(&dir.vkey).unwrap();
    let served = {
        let _guard = fork_guard();
        Served::start(&dir.dir, &["--key-file", dir.key.to_str().unwrap()])
    };
    let start = get_json(&served, "/v1/health")["size"].as_u64().unwrap();

    // Round one, eight clients at once; sealed over loopback; the log checked.
    let first = round(&served, &mut clients, 0);
    let size1 = contiguous(&first, start);
    let note1 = seal(&served, &vkey, size1);
    let by_seq: BTreeMap<u64, &Sent> = first.iter().map(|s| (s.seq, s)).collect();
    let old = check_published(&served, &vkey, &note1, &by_seq);

    // Round two, sealed again: every entry of both rounds proven in the new tree, which is
    // consistent with the first.
    let second = round(&served, &mut clients, 1);
    let size2 = contiguous(&second, size1);
    let note2 = seal(&served, &vkey, size2);
    let all: BTreeMap<u64, &Sent> = first.iter().chain(&second).map(|s| (s.seq, s)).collect();
    let new = check_published(&served, &vkey, &note2, &all);
    let tiles = HttpTiles::new(&served);
    let hashes = TileHashReader::new(size2, *new.hash(), &tiles);
    let proof = tlog_tiles::prove_tree(size2, size1, &hashes).unwrap();
    tlog_tiles::check_tree(&proof, size2, *new.hash(), size1, *old.hash()).unwrap();
    let doc = get_json(&served, &format!("/v1/proof/consistency?from={size1}"));
    assert_eq!(doc["type"], "consistency", "{doc}");
    assert_eq!(
        (doc["old_size"].as_u64(), doc["new_size"].as_u64()),
        (Some(size1), Some(size2))
    );
    assert_eq!(
        (
            doc["old_checkpoint"].as_str(),
            doc["new_checkpoint"].as_str()
        ),
        (Some(note1.as_str()), Some(note2.as_str()))
    );
    let path = hashes_of(&doc["path"]);
    assert_eq!(path, proof.iter().map(hex).collect::<Vec<_>>());
    let served_proof: Vec<Hash> = path.iter().map(|h| from_hex(h)).collect();
    tlog_tiles::check_tree(&served_proof, size2, *new.hash(), size1, *old.hash()).unwrap();
    let mut forged = *old.hash();
    forged.0[0] ^= 1;
    assert!(tlog_tiles::check_tree(&served_proof, size2, *new.hash(), size1, forged).is_err());

    // The explorer: officer 2's case, with device 2's recordings, found by its number.
    let case = case_no(2);
    let expected: BTreeSet<u64> = all
        .values()
        .filter(|s| s.case_no == case)
        .map(|s| s.seq)
        .collect();
    // The officer's opening and documents, the camera's two recordings (start, segments, stop).
    let records = (1 + 6) + 4 + (1 + 6 + 1) + (1 + 3 + 1);
    assert_eq!(expected.len(), records, "the case's records");
    let timeline = get_json(&served, &format!("/v1/cases/{}", enc(&case)));
    let listed: BTreeSet<u64> = timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, expected, "the timeline lists the case's records");
    if chromium_present() {
        browse(&served, &case, &expected, &note2, size2);
    }
    let (status, log) = served.stop();
    assert!(status.success(), "{status:?}: {log}");
    common::cli::expect_code(&dir.verify(&[]), 0);
}

/// The explorer in headless Chromium: the search by case number lists `case` alone, its
/// timeline lists the records `expected`, and the in-browser proof of its last record checks
/// against `note`, the checkpoint just sealed.
fn browse(served: &Served, case: &str, expected: &BTreeSet<u64>, note: &str, size: u64) {
    let url = served.at(&format!("/#/search?case_no={}", enc(case)));
    let dom = dump_dom("e2e-search", &url).unwrap();
    assert!(dom.contains("data-view=\"search\""), "{dom}");
    assert_eq!(
        attribute(&dom, "total", "data-total").as_deref(),
        Some("1"),
        "{dom}"
    );
    assert!(dom.contains(&format!("data-case=\"{case}\"")), "{dom}");

    let url = served.at(&format!("/#/case/{}", enc(case)));
    let dom = dump_dom("e2e-case", &url).unwrap();
    assert!(dom.contains("data-view=\"case\""), "{dom}");
    let rows: BTreeSet<u64> = dom
        .split("data-seq=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(&rows, expected, "the browser's timeline");
    assert!(
        dom.contains("录像开始") || dom.contains("RecordingStarted"),
        "{dom}"
    );

    let last = *expected.last().unwrap();
    let url = served.at(&format!("/#/entry/{last}"));
    let (dom, result) = proof_verified_in_browser("e2e-entry", &url).unwrap();
    assert!(result.contains(&format!("大小 {size}")), "{result}");
    let shown = note
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(
        dom.contains(&format!("id=\"checkpoint\">{shown}")),
        "the page checked the checkpoint just sealed: {dom}"
    );
}

// ---- A peer that is not loopback -------------------------------------------------------------

/// Two network namespaces joined by a veth pair, `10.213.0.1/30` (the server's side) and
/// `10.213.0.2/30` (the client's): a private range that exists only inside them. Removed on
/// drop (which removes the veth pair with them).
struct Namespaces {
    server: String,
    client: String,
}

const SERVER_ADDR: &str = "10.213.0.1";
const CLIENT_ADDR: &str = "10.213.0.2";

fn ip(args: &[&str]) -> std::process::Output {
    std::process::Command::new("ip")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ip")
}

fn ip_ok(args: &[&str]) {
    let out = ip(args);
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Namespaces {
    /// `None` (and why, printed) if this process may not create network namespaces.
    fn create() -> Option<Namespaces> {
        let id = std::process::id();
        let ns = Namespaces {
            server: format!("liuhen-e2e-srv-{id}"),
            client: format!("liuhen-e2e-cli-{id}"),
        };
        let refused = match std::process::Command::new("ip")
            .args(["netns", "add", &ns.server])
            .output()
        {
            Ok(out) if out.status.success() => None,
            Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
            Err(e) => Some(format!("no `ip` command: {e}")),
        };
        if let Some(why) = refused {
            eprintln!("skipped: `ip netns add` is not permitted here ({why})");
            return None;
        }
        ip_ok(&["netns", "add", &ns.client]);
        let (a, b) = (format!("lhs{id}"), format!("lhc{id}"));
        ip_ok(&["link", "add", &a, "type", "veth", "peer", "name", &b]);
        ip_ok(&["link", "set", &a, "netns", &ns.server]);
        ip_ok(&["link", "set", &b, "netns", &ns.client]);
        for (name, dev, addr) in [(&ns.server, &a, SERVER_ADDR), (&ns.client, &b, CLIENT_ADDR)] {
            ip_ok(&["-n", name, "addr", "add", &format!("{addr}/30"), "dev", dev]);
            ip_ok(&["-n", name, "link", "set", dev, "up"]);
            ip_ok(&["-n", name, "link", "set", "lo", "up"]);
        }
        Some(ns)
    }

    /// `request` sent raw to `addr:port` from the client's namespace (bash's `/dev/tcp`, no
    /// HTTP client needed there): what the server answered.
    fn send_from_client(&self, addr: &str, port: &str, request: &str) -> String {
        let script = format!("exec 3<>/dev/tcp/{addr}/{port} && printf '%s' \"$1\" >&3 && cat <&3");
        let child = std::process::Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.client,
                "bash",
                "-c",
                &script,
                "bash",
                request,
            ])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run ip netns exec");
        let out = common::cli::wait_or_kill(
            child,
            std::time::Duration::from_secs(60),
            "a client in the other namespace",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in [&self.server, &self.client] {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

#[test]
fn seal_from_a_peer_that_is_not_loopback_is_refused_403() {
    let Some(ns) = Namespaces::create() else {
        return;
    };
    let (dir, _) = staffed("http-e2e-netns");
    let before = dir.store().checkpoint_count();
    let listen = format!("{SERVER_ADDR}:0");
    let served = {
        let _guard = fork_guard();
        Served::start_in(
            &["ip", "netns", "exec", &ns.server],
            &listen,
            &dir.dir,
            &["--key-file", dir.key.to_str().unwrap()],
        )
    };
    let port = served
        .url
        .strip_prefix(&format!("http://{SERVER_ADDR}:"))
        .unwrap_or_else(|| panic!("listening on {}", served.url))
        .to_owned();
    let request = |method: &str, path: &str| {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: {SERVER_ADDR}:{port}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        )
    };
    // The other namespace reaches the server: reads are anyone's.
    let health = ns.send_from_client(SERVER_ADDR, &port, &request("GET", "/v1/health"));
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    // Sealing is not.
    let answer = ns.send_from_client(SERVER_ADDR, &port, &request("POST", "/v1/seal"));
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("\"kind\":\"forbidden\""), "{answer}");
    assert!(answer.contains("from loopback"), "{answer}");
    let (status, log) = served.stop();
    assert!(status.success(), "{status:?}: {log}");
    assert!(
        log.lines().any(|l| l.contains("path=/v1/seal")
            && l.contains("status=403")
            && l.contains(&format!("peer={CLIENT_ADDR}:"))),
        "{log}"
    );
    assert_eq!(dir.store().checkpoint_count(), before, "nothing was signed");
    drop(ns);
}

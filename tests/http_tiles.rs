//! The read API of `liuhen serve` (docs/HTTP.md, "Read API") fetched by an independent client:
//! Cloudflare's `tlog_tiles` (a port of Go's `sumdb/tlog`) rebuilds the root from the served
//! hash tiles, checks it against the checkpoint that `signed_note` verified with the ledger's
//! vkey, and proves every entry of the entry bundles against it; the `liuhen-proof/1` documents
//! check offline. Malicious paths and queries get 400 or 404, never a tile.
//!
//! Run alone with `cargo build -p liuhen-cli && cargo test --test http_tiles`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::path::PathBuf;

use common::dir::TestDir;
use common::http::{client, entries_of, verified_checkpoint, HttpTiles, Served};
use common::{events, media, LedgerBuilder};
use liuhen::checkpoint::NoteVerifier;
use tlog_tiles::{Hash, TileHashReader};

/// Checkpoints of these sizes are stored; entries after the last are not sealed.
const SEALED: [u64; 3] = [2, 102, 300];
const STORED: u64 = 307;

/// A ledger directory of [`STORED`] entries: genesis, the officer's authorization, documents;
/// sealed at each of [`SEALED`]. Returns it and its vkey.
fn ledger(name: &str) -> (PathBuf, String) {
    let root = common::dir::tmp_dir(name);
    let (_dir, mut built) = TestDir::create(&root, LedgerBuilder::new().officer().sealed());
    let k = built.k.clone();
    for i in 0..STORED - 2 {
        let doc = media(&format!("doc-{i}.pdf"), "application/pdf");
        let event = events::document_filed(&format!("金民执〔2026〕{}号", i % 5), doc);
        let seq = built.append_after(1_000, &k.officer, event);
        if SEALED.contains(&(seq + 1)) {
            built.seal();
        }
    }
    assert_eq!(built.ledger.size(), STORED);
    let vkey = built.ledger.verifier_key().unwrap().to_string();
    (root, vkey)
}

fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn tlog_tiles_rebuilds_the_signed_root_and_proves_every_served_entry() {
    let (root, vkey) = ledger("http-tiles-client");
    let served = Served::start(&root, &[]);

    let r = client().get(served.at("/checkpoint")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header(&r, "cache-control"), "public, max-age=5");
    let note = r.bytes().unwrap();
    let checkpoint = verified_checkpoint(&note, &vkey);
    assert_eq!(checkpoint.origin(), common::ORIGIN);
    let size = checkpoint.size();
    assert_eq!(
        size, 300,
        "the latest checkpoint, not the unsealed store size"
    );
    let root_hash = *checkpoint.hash();

    // The root, from the hash tiles alone, authenticated against the signed root.
    let tiles = HttpTiles::new(&served);
    let hashes = TileHashReader::new(size, root_hash, &tiles);
    assert_eq!(tlog_tiles::tree_hash(size, &hashes).unwrap(), root_hash);

    // Every entry of the entry bundles is proven in the signed tree, and it is the entry
    // liuhen stored (its own sequence number inside).
    let mut entries = Vec::new();
    for path in ["tile/entries/000", "tile/entries/001.p/44"] {
        let bundle = tiles.get(path).unwrap();
        entries.extend(entries_of(&bundle).into_iter().map(<[u8]>::to_vec));
    }
    assert_eq!(entries.len() as u64, size);
    for (n, entry) in entries.iter().enumerate() {
        let n = n as u64;
        let proof = tlog_tiles::prove_record(size, n, &hashes).unwrap();
        let leaf = tlog_tiles::record_hash(entry);
        tlog_tiles::check_record(&proof, size, root_hash, n, leaf)
            .unwrap_or_else(|e| panic!("entry {n}: {e}"));
        assert_eq!(liuhen::Entry::from_bytes(entry).unwrap().seq, n);
    }
    for path in ["tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"] {
        assert!(tiles.fetched.borrow().contains_key(path), "{path} was used");
    }
    // A changed entry is not proven.
    let mut changed = entries[7].clone();
    changed[3] ^= 1;
    let proof = tlog_tiles::prove_record(size, 7, &hashes).unwrap();
    let bad = tlog_tiles::record_hash(&changed);
    assert!(tlog_tiles::check_record(&proof, size, root_hash, 7, bad).is_err());

    // The consistency document's old checkpoint verifies, and tlog_tiles proves, from the
    // tiles, that the tree of 300 extends it.
    let r = client()
        .get(served.at("/v1/proof/consistency?from=102"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().unwrap();
    let old = verified_checkpoint(doc["old_checkpoint"].as_str().unwrap().as_bytes(), &vkey);
    assert_eq!(old.size(), 102);
    let proof = tlog_tiles::prove_tree(size, 102, &hashes).unwrap();
    tlog_tiles::check_tree(&proof, size, root_hash, 102, *old.hash()).unwrap();
    let mut other = *old.hash();
    other.0[0] ^= 1;
    assert!(tlog_tiles::check_tree(&proof, size, root_hash, 102, Hash(other.0)).is_err());
    served.stop();
}

/// Checks a proof document with the vkey alone, in process and with `liuhen check-proof`.
fn check_document(body: &[u8], vkey: &str, scratch: &std::path::Path) -> serde_json::Value {
    let key = NoteVerifier::parse(vkey).unwrap();
    let checked = liuhen::proofs::check(body, &key).unwrap();
    assert!(checked.verified(), "{}", checked.to_json());
    let file = scratch.join("proof.json");
    std::fs::write(&file, body).unwrap();
    let vkey_file = scratch.join("ledger.vkey");
    std::fs::write(&vkey_file, format!("{vkey}\n")).unwrap();
    let out = common::cli::liuhen([
        "check-proof",
        file.to_str().unwrap(),
        "--vkey",
        vkey_file.to_str().unwrap(),
    ]);
    common::cli::expect_code(&out, 0);
    checked.to_json()
}

#[test]
fn proofs_are_liuhen_proof_documents_that_check_with_the_vkey() {
    let (root, vkey) = ledger("http-tiles-proofs");
    let scratch = common::dir::tmp_dir("http-tiles-proofs-check");
    std::fs::create_dir_all(&scratch).unwrap();
    let served = Served::start(&root, &[]);
    let get = |q: &str| client().get(served.at(q)).send().unwrap();

    for (query, seq, tree_size) in [
        ("/v1/proof/inclusion?seq=0", 0, 300),
        ("/v1/proof/inclusion?seq=299", 299, 300),
        ("/v1/proof/inclusion?seq=57&size=102", 57, 102),
    ] {
        let r = get(query);
        assert_eq!(r.status(), 200, "{query}");
        assert_eq!(header(&r, "content-type"), "application/json");
        let checked = check_document(&r.bytes().unwrap(), &vkey, &scratch);
        assert_eq!(checked["seq"], seq, "{query}");
        assert_eq!(checked["tree_size"], tree_size, "{query}");
    }
    for (query, old, new) in [
        ("/v1/proof/consistency?from=2", 2, 300),
        ("/v1/proof/consistency?from=2&to=102", 2, 102),
        ("/v1/proof/consistency?from=102&to=300", 102, 300),
    ] {
        let r = get(query);
        assert_eq!(r.status(), 200, "{query}");
        let checked = check_document(&r.bytes().unwrap(), &vkey, &scratch);
        assert_eq!(
            (checked["old_size"].clone(), checked["new_size"].clone()),
            (old.into(), new.into())
        );
    }

    // What cannot be proven is absent; what cannot be read is malformed; both say why in JSON.
    let absent = [
        "/v1/proof/inclusion?seq=300", // stored, not sealed
        "/v1/proof/inclusion?seq=306",
        "/v1/proof/inclusion?seq=307",
        "/v1/proof/inclusion?seq=18446744073709551615",
        "/v1/proof/inclusion?seq=200&size=102",
        "/v1/proof/inclusion?seq=5&size=50",
        "/v1/proof/consistency?from=50",
    ];
    let malformed = [
        "/v1/proof/consistency?from=300&to=102",
        "/v1/proof/inclusion",
        "/v1/proof/inclusion?seq=",
        "/v1/proof/inclusion?seq=abc",
        "/v1/proof/inclusion?seq=+5",
        "/v1/proof/inclusion?seq=-1",
        "/v1/proof/inclusion?seq=05",
        "/v1/proof/inclusion?seq=18446744073709551616",
        "/v1/proof/inclusion?seq=1&seq=2",
        "/v1/proof/inclusion?seq=1&extra=2",
        "/v1/proof/consistency?to=5",
    ];
    let refused = absent.iter().map(|q| (q, 404, "not-found"));
    for (query, status, kind) in refused.chain(malformed.iter().map(|q| (q, 400, "malformed"))) {
        let r = get(query);
        assert_eq!(r.status().as_u16(), status, "{query}");
        assert_eq!(header(&r, "cache-control"), "no-store", "{query}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["kind"], kind, "{query}: {body}");
        assert!(!body["error"].as_str().unwrap().is_empty());
    }
    let body: serde_json::Value = get("/v1/proof/inclusion?seq=300").json().unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("seal first"),
        "{body}"
    );
    served.stop();
}

/// Sends `GET target` as raw bytes (an HTTP client would normalise `..` away) and returns the
/// status code.
fn raw_status(served: &Served, target: &str) -> u16 {
    let addr = served.url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap_or_default();
    status
        .parse()
        .unwrap_or_else(|_| panic!("{target}: {response}"))
}

#[test]
fn tiles_have_the_spec_headers_and_hostile_paths_get_no_tile() {
    let (root, _) = ledger("http-tiles-attacks");
    let served = Served::start(&root, &[]);
    let get = |p: &str| client().get(served.at(p)).send().unwrap();

    // Served: full tiles are immutable, partial ones short-lived; an older checkpoint's partial
    // tiles stay served.
    for (path, len, cache) in [
        ("/tile/0/000", 8192, "public, max-age=31536000, immutable"),
        (
            "/tile/entries/000",
            0,
            "public, max-age=31536000, immutable",
        ),
        ("/tile/0/001.p/44", 44 * 32, "public, max-age=60"),
        ("/tile/0/000.p/102", 102 * 32, "public, max-age=60"),
        ("/tile/0/000.p/1", 32, "public, max-age=60"),
        ("/tile/1/000.p/1", 32, "public, max-age=60"),
        ("/tile/entries/001.p/44", 0, "public, max-age=60"),
    ] {
        let r = get(path);
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            header(&r, "content-type"),
            "application/octet-stream",
            "{path}"
        );
        assert_eq!(header(&r, "cache-control"), cache, "{path}");
        let body = r.bytes().unwrap();
        if len > 0 {
            assert_eq!(body.len(), len, "{path}");
        } else {
            let expected = if path.ends_with(".p/44") { 44 } else { 256 };
            assert_eq!(entries_of(&body).len(), expected, "{path}");
        }
    }
    // A partial tile is the prefix of the full tile.
    let full = get("/tile/0/000").bytes().unwrap();
    assert_eq!(get("/tile/0/000.p/102").bytes().unwrap(), full[..102 * 32]);

    // Absent: beyond the latest checkpoint (though the store holds entries 300 to 306), levels
    // that no tree reaches.
    for path in [
        "/tile/0/001",
        "/tile/0/001.p/45",
        "/tile/0/001.p/51",
        "/tile/entries/001.p/45",
        "/tile/entries/001",
        "/tile/0/002.p/1",
        "/tile/1/000",
        "/tile/1/000.p/2",
        "/tile/2/000.p/1",
        "/tile/8/000.p/1",
        "/tile/63/x018/x446/x744/x073/x709/x551/615",
        "/tile/0/x018/x446/x744/x073/x709/x551/615.p/255",
    ] {
        let r = get(path);
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["kind"], "not-found", "{path}");
    }

    // Malformed: non-canonical, overflowing, out of range, traversal, over-long.
    let long = format!("/tile/0/{}000", "x000/".repeat(40));
    for path in [
        "/tile/0/0",
        "/tile/0/1",
        "/tile/0/0000",
        "/tile/00/000",
        "/tile/01/000",
        "/tile/64/000",
        "/tile/0/x000/001",
        "/tile/0/x1/000",
        "/tile/0/000.p/0",
        "/tile/0/000.p/256",
        "/tile/0/000.p/044",
        "/tile/0/000.p/",
        "/tile/0/000/",
        "/tile/0/x018/x446/x744/x073/x709/x551/616",
        "/tile/0/x999/x999/x999/x999/x999/x999/x999/999",
        "/tile/data/000",
        "/tile/entries/0",
        &long,
    ] {
        let r = get(path);
        assert_eq!(r.status(), 400, "{path}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["kind"], "malformed", "{path}");
    }
    for target in [
        "/tile/0/../000",
        "/tile/../checkpoint",
        "/tile/0/%2e%2e/000",
        "/tile/0/00%30",
        "/tile/0/000%2ep/5",
        "/tile/0/000.p/5%00",
        "/tile/entries/../../etc/passwd",
    ] {
        assert_eq!(raw_status(&served, target), 400, "{target}");
    }
    // The checkpoint is still there, unharmed.
    assert_eq!(get("/checkpoint").status(), 200);
    served.stop();
}

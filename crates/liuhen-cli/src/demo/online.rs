//! Act 12: the ledger online. `liuhen serve` (here in-process, [`liuhen_http::spawn`]) serves the
//! directory on 127.0.0.1: a monitor fetches the signed checkpoint and the C2SP tlog-tiles and
//! rebuilds the signed root from them; an integrator fetches an inclusion proof and checks it
//! with the verifier key alone; the explorer's API finds the penalty case; a malicious client
//! replays a signed statement and is refused (409, format v2 binding). Then the service stops
//! gracefully.

use std::time::Duration;

use liuhen::checkpoint::{NoteVerifier, SignedCheckpoint};
use liuhen::hash::{Digest, Sha256TreeHasher};
use liuhen::merkle::CompactRange;
use liuhen::store::StoreRead;
use liuhen::tiles::{TileKind, TilePath, HASH_LEN, TILE_WIDTH};
use liuhen_http::client::{BlockingClient, Response};

use super::cases::{Marks, PENALTY};
use super::story;
use super::Res;
use crate::layout::LedgerDir;

/// Runs act 12 on the directory (no writer of the demo may be open).
pub(super) fn act(dir: &std::path::Path, vkey: &NoteVerifier, marks: &Marks) -> Res<()> {
    story::act(
        12,
        "Online: liuhen serve — tlog-tiles for monitors, proofs, the explorer, a replay refused",
    );
    let listen = "127.0.0.1:0".parse()?;
    let mut config = liuhen_http::Config::new(dir, listen);
    // The story's clock, an hour after the erasure: the writer refuses a clock behind the
    // ledger's last entry (a real server runs on the system clock).
    let later = liuhen::audit::parse_time(super::erasure::LATER)
        .ok_or("the demo's erasure time is not a time")?;
    config.clock = std::sync::Arc::new(liuhen::ManualClock::new(liuhen::Timestamp(
        later.0 + super::story::HOUR,
    )));
    let service = liuhen_http::spawn(config)?;
    let url = service.url();
    let http = BlockingClient::new(Duration::from_secs(30))?;
    let get = |path: &str| -> Res<Response> {
        let r = http.get(&format!("{url}{path}"))?;
        if r.status != 200 {
            return Err(format!(
                "self-test failed: GET {path} answered {}: {}",
                r.status,
                r.text()
            )
            .into());
        }
        Ok(r)
    };

    // A monitor: the checkpoint, verified with the vkey, and the root rebuilt from the tiles.
    let note = get("/checkpoint")?;
    let signed = SignedCheckpoint::parse(&note.body)?;
    let verified = signed
        .verify(vkey)
        .map_err(|e| format!("self-test failed: the served checkpoint does not verify: {e}"))?;
    let (size, root) = (verified.checkpoint().size, verified.checkpoint().root);
    let mut range = CompactRange::new();
    let mut tiles = 0u64;
    for index in 0..size.div_ceil(TILE_WIDTH) {
        let width = (size - index * TILE_WIDTH).min(TILE_WIDTH);
        let partial = u8::try_from(width).ok().filter(|_| width < TILE_WIDTH);
        let path = TilePath::new(TileKind::Hashes { level: 0 }, index, partial)
            .ok_or("self-test failed: no tile path for the published tree")?;
        let tile = get(&format!("/{path}"))?;
        if tile.body.len() as u64 != width * HASH_LEN as u64 {
            return Err(format!("self-test failed: /{path} has {} bytes", tile.body.len()).into());
        }
        for hash in tile.body.chunks_exact(HASH_LEN) {
            let leaf = Digest::from_slice(hash).ok_or("a tile hash is not 32 bytes")?;
            range.push(&Sha256TreeHasher, leaf)?;
        }
        tiles += 1;
    }
    if range.root(&Sha256TreeHasher) != root {
        return Err(
            "self-test failed: the root rebuilt from the served tiles is not the signed root"
                .into(),
        );
    }
    story::done(&format!(
        "liuhen serve on {url} (explorer at /): GET /checkpoint verifies with ledger.vkey (size {size}), the root rebuilt from {tiles} hash tile(s) is the signed one (C2SP tlog-tiles)"
    ));

    // An integrator: a proof of the penalty decision, checked with the vkey alone.
    let seq = marks.decision.seq;
    let proof = get(&format!("/v1/proof/inclusion?seq={seq}"))?;
    let check = liuhen::proofs::check(&proof.body, vkey)?;
    if !check.verified() {
        return Err(format!(
            "self-test failed: the served inclusion proof of entry {seq} does not verify"
        )
        .into());
    }
    // The explorer's API: the penalty case by its number.
    let case = get(&format!("/v1/cases/{}", percent_encoded(PENALTY)))?;
    let timeline: serde_json::Value = serde_json::from_slice(&case.body)?;
    let entries = timeline["entries"].as_array().map_or(0, Vec::len);
    if entries == 0 {
        return Err(format!("self-test failed: the explorer shows no entry of {PENALTY}").into());
    }
    story::done(&format!(
        "GET /v1/proof/inclusion?seq={seq} checked offline with ledger.vkey; GET /v1/cases/{PENALTY}: {entries} entries with media digests, findings, proof status"
    ));

    // A malicious client replays the signed decision, byte for byte.
    let bytes = LedgerDir::new(dir).open_read_only()?.entry_bytes(seq)?;
    let statement = liuhen::Entry::from_bytes(&bytes)?.statement;
    let replay = http.post(
        &format!("{url}/v1/statements"),
        "application/octet-stream",
        statement.to_bytes()?,
    )?;
    if replay.status != 409 {
        return Err(format!(
            "self-test failed: a replayed statement was answered {}: {}",
            replay.status,
            replay.text()
        )
        .into());
    }
    let sentence: serde_json::Value = serde_json::from_slice(&replay.body)?;
    service.stop()?;
    story::done(&format!(
        "POST /v1/statements replaying the decision's signed statement: 409 {}; then stopped gracefully",
        sentence["kind"].as_str().unwrap_or("?")
    ));
    trusted_time(dir, &signed)
}

/// Where `openssl` is installed: a local RFC 3161 TSA (`liuhen dev-tsa`'s server, whose tokens
/// `openssl ts -reply` makes) stamps the latest checkpoint over HTTP; the token is verified
/// against the TSA's root and kept in `DIR/timestamps/`, the root in `DIR/tsa/root.pem`.
fn trusted_time(dir: &std::path::Path, note: &SignedCheckpoint) -> Res<()> {
    use liuhen::timestamp::{stamp_and_store, TsaRoots};
    use liuhen_http::tsa::{DevTsa, DevTsaServer, HttpTsa, KeyKind};
    let tsa = match DevTsa::setup(&dir.join("tsa"), KeyKind::EcP256) {
        Ok(tsa) => tsa,
        Err(e) => {
            story::note(&format!(
                "no local TSA ({e}): install openssl to see the checkpoint time-stamped (RFC 3161)"
            ));
            return Ok(());
        }
    };
    let server = DevTsaServer::spawn(tsa, "127.0.0.1:0".parse()?)?;
    let roots = TsaRoots::read(server.root_pem())?;
    let transport = HttpTsa::new(server.url(), Duration::from_secs(30))?;
    let (file, stamped) = stamp_and_store(&transport, dir, note.checkpoint(), &roots)?;
    drop(server);
    story::done(&format!(
        "checkpoint {} time-stamped by a local RFC 3161 TSA (openssl ts, over HTTP) at {} — this machine's clock, not the story's; token verified against tsa/root.pem → {}",
        note.checkpoint().size,
        liuhen::describe::iso8601(stamped.verified.gen_time),
        file.strip_prefix(dir).unwrap_or(&file).display()
    ));
    Ok(())
}

/// `text` as one URL path segment: every byte but the unreserved ones (RFC 3986 §2.3) as `%XX`.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! Issue 15, ingest over HTTP: `POST /v1/statements` on the real `liuhen serve` over loopback,
//! with a real client. Concurrent clients each get their own entry (group commit) and the
//! ledger verifies afterwards; every malicious client gets its status, `liuhen append`'s
//! sentence, and appends nothing: bad JSON, unknown and repeated members, a forged signature,
//! an unauthorized key, a replay, a body too large (declared, chunked, a statement over the
//! entry limit), a wrong content type, a full queue; a refused batch appends nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::cli::{expect_code, fork_guard};
use common::dir::{tmp_dir, AuditedDir};
use common::http::{client, Served};
use liuhen::model::Role;
use liuhen::{Binding, Event, SecretKey, SignedStatement, Signer, Timestamp};
use reqwest::blocking::{Body, Response};
use serde_json::{json, Value};

/// A key that signs bound statements, counting its counter on.
struct Author {
    key: SecretKey,
    binding: Binding,
}

impl Author {
    fn sign(&mut self, event: Event) -> SignedStatement {
        let st = SignedStatement::sign_bound(self.binding, now(), event, &self.key).unwrap();
        self.binding.counter += 1;
        st
    }

    fn case(&mut self, case_no: &str) -> SignedStatement {
        self.sign(case_opened(case_no))
    }
}

fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    Timestamp(i64::try_from(ms).unwrap())
}

fn case_opened(case_no: &str) -> Event {
    serde_json::from_value(json!({"CaseOpened": {"case_no": case_no, "act": "Penalty",
        "matter": "未按规定报送年度工作报告", "unit": "执法监督科", "subject": "ab".repeat(32)}}))
    .unwrap()
}

/// A ledger made by `liuhen init` with `officers` officer keys authorized (and a stranger's key
/// that is not), and each key's next binding.
struct Fixture {
    dir: AuditedDir,
    officers: Vec<Author>,
    stranger: Author,
}

fn fixture(name: &str, officers: usize) -> Fixture {
    let dir = AuditedDir::init(tmp_dir(name));
    let ledger_key = dir.ledger_key();
    let keys: Vec<SecretKey> = (0..officers)
        .map(|i| SecretKey::from_seed(&[u8::try_from(i).unwrap() + 1; 32]))
        .collect();
    let stranger_key = SecretKey::from_seed(&[0xee; 32]);
    let events: Vec<Event> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Event::KeyAuthorized {
            key: k.public_key(),
            role: Role::Officer,
            holder: format!("2102{i:04}"),
        })
        .collect();
    dir.append(
        events
            .into_iter()
            .map(|e| (&ledger_key as &dyn Signer, e))
            .collect(),
    );
    let _guard = fork_guard();
    let ledger = dir.writer();
    let author = |key: SecretKey| Author {
        binding: ledger.next_binding(&key.public_key()).unwrap(),
        key,
    };
    let officers = keys.into_iter().map(author).collect();
    let stranger = author(stranger_key);
    drop(ledger);
    Fixture {
        dir,
        officers,
        stranger,
    }
}

fn serve(f: &Fixture, extra: &[&str]) -> Served {
    let _guard = fork_guard();
    Served::start(&f.dir.dir, extra)
}

fn post(served: &Served, content_type: &str, body: impl Into<Body>) -> Response {
    client()
        .post(served.at("/v1/statements"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .expect("POST /v1/statements")
}

fn json_body(st: &SignedStatement) -> String {
    serde_json::to_string(st).unwrap()
}

/// Status and JSON body of a response.
fn answer(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, body)
}

/// Asserts an error answer: status, kind, a sentence containing `says`, and the line if given.
fn refused(r: Response, status: u16, kind: &str, says: &str, line: Option<u64>) {
    let (got, body) = answer(r);
    assert_eq!(got, status, "{body}");
    assert_eq!(body["kind"], kind, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains(says), "{error:?} should say {says:?}");
    assert!(
        error.contains("nothing was"),
        "{error} says what was not appended"
    );
    match line {
        Some(l) => assert_eq!(body["line"], l, "{body}"),
        None => assert!(body.get("line").is_none(), "{body}"),
    }
}

/// The receipts of a 200 answer.
fn receipts(r: Response) -> Vec<Value> {
    let (status, body) = answer(r);
    assert_eq!(status, 200, "{body}");
    body["receipts"].as_array().unwrap().clone()
}

/// `liuhen seal`, then `liuhen verify`: clean (exit 0).
fn verify_clean(dir: &AuditedDir) {
    dir.seal_ok();
    expect_code(&dir.verify(&[]), 0);
}

#[test]
fn concurrent_clients_each_get_their_entry_and_the_ledger_verifies() {
    let mut f = fixture("http-ingest-concurrent", 6);
    let served = serve(&f, &[]);
    let before = {
        // Genesis, the first checkpoint's ledger and the authorizations: entries so far.
        let r = post(&served, "application/jsonl", "");
        assert!(receipts(r).is_empty(), "an empty batch appends nothing");
        f.dir.size()
    };
    let per_client = 12;
    let officers = std::mem::take(&mut f.officers);
    let seqs: Vec<Vec<(u64, Value)>> = std::thread::scope(|s| {
        let handles: Vec<_> = officers
            .into_iter()
            .enumerate()
            .map(|(i, mut author)| {
                let served = &served;
                s.spawn(move || {
                    let mut got = Vec::new();
                    let mut n = 0;
                    while n < per_client {
                        let case_no = format!("金执罚〔2026〕{i}-{n}号");
                        let rs = match i % 3 {
                            // One statement as JSON.
                            0 => receipts(post(
                                served,
                                "application/json",
                                json_body(&author.case(&case_no)),
                            )),
                            // One statement in the binary encoding.
                            1 => receipts(post(
                                served,
                                "application/octet-stream",
                                author.case(&case_no).to_bytes().unwrap(),
                            )),
                            // A batch of two as JSON Lines.
                            _ => {
                                let a = json_body(&author.case(&case_no));
                                let b = json_body(&author.case(&format!("{case_no}b")));
                                n += 1;
                                receipts(post(
                                    served,
                                    "application/x-ndjson",
                                    format!("{a}\n{b}\n"),
                                ))
                            }
                        };
                        n += 1;
                        for r in rs {
                            got.push((r["seq"].as_u64().unwrap(), r));
                        }
                    }
                    got
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<u64> = seqs.iter().flatten().map(|(s, _)| *s).collect();
    let count = all.len();
    assert_eq!(count, 6 * per_client);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), count, "every receipt names its own entry");
    assert_eq!(all.first(), Some(&before));
    assert_eq!(all.last(), Some(&(before + count as u64 - 1)));
    // Each receipt is what `liuhen append --json` prints for it (less the input line).
    for (seq, r) in seqs.iter().flatten() {
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys.iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            [
                "author",
                "case_no",
                "event",
                "leaf_hash",
                "logged_at",
                "seq"
            ]
            .into_iter()
            .collect()
        );
        assert_eq!(r["event"], "CaseOpened");
        assert!(r["case_no"].as_str().unwrap().starts_with("金执罚"));
        assert_eq!(r["leaf_hash"].as_str().unwrap().len(), 64);
        assert!(r["author"].as_str().unwrap().starts_with("ed25519:"));
        let stored = f.dir.event_at(*seq);
        assert_eq!(stored.case_no(), r["case_no"].as_str(), "entry {seq}");
    }
    let (status, _) = served.stop();
    assert!(status.success());
    assert_eq!(f.dir.size(), before + count as u64);
    verify_clean(&f.dir);
}

#[test]
fn malicious_clients_get_their_status_and_append_nothing() {
    let mut f = fixture("http-ingest-malicious", 1);
    let served = serve(&f, &[]);
    let mut officer = f.officers.pop().unwrap();
    let size = f.dir.size();

    // Not JSON.
    refused(
        post(&served, "application/json", "{\"statement\": "),
        400,
        "malformed",
        "request body line 1",
        Some(1),
    );
    // A member the statement does not have, at any depth: named.
    let good = json_body(&officer.case("x-1"));
    let unknown = good.replacen("\"matter\"", "\"mater\":\"x\",\"matter\"", 1);
    refused(
        post(&served, "application/json", unknown),
        400,
        "malformed",
        "unknown field `statement.event.CaseOpened.mater`",
        Some(1),
    );
    // A member given twice.
    let signature = serde_json::from_str::<Value>(&good).unwrap()["signature"].clone();
    let twice = format!(
        "{},\"signature\":{signature}}}",
        good.strip_suffix('}').unwrap()
    );
    refused(
        post(&served, "application/json", twice),
        400,
        "malformed",
        "duplicate field `signature`",
        Some(1),
    );
    // Two statements where one is taken.
    let two = format!("{good}\n{}\n", json_body(&officer.case("x-2")));
    refused(
        post(&served, "application/json", two),
        400,
        "malformed",
        "application/jsonl",
        Some(2),
    );
    // Bytes that are no binary statement.
    refused(
        post(
            &served,
            "application/octet-stream",
            b"liuhen/v2/statement\0\xff".to_vec(),
        ),
        400,
        "malformed",
        "binary encoding",
        Some(1),
    );
    // A forged signature (the statement changed after signing).
    let mut forged = officer.case("x-3");
    forged.statement.event = case_opened("x-3-forged");
    refused(
        post(&served, "application/json", json_body(&forged)),
        403,
        "not-authorized",
        "signature does not verify",
        Some(1),
    );
    // A key the ledger never authorized.
    refused(
        post(
            &served,
            "application/json",
            json_body(&f.stranger.case("x-4")),
        ),
        403,
        "not-authorized",
        "is not an authorized key",
        Some(1),
    );
    // Dated an hour in the future.
    let future = SignedStatement::sign_bound(
        officer.binding,
        Timestamp(now().0 + 3_600_000),
        case_opened("x-5"),
        &officer.key,
    )
    .unwrap();
    officer.binding.counter += 1;
    refused(
        post(&served, "application/json", json_body(&future)),
        422,
        "refused",
        "after the ledger clock",
        Some(1),
    );
    // A statement larger than an entry may be (64 KiB), well within the body limit.
    let mut huge = officer.case("x-6");
    if let Event::CaseOpened { matter, .. } = &mut huge.statement.event {
        *matter = "违".repeat(30_000);
    }
    let huge = SignedStatement::sign_statement(huge.statement, &officer.key).unwrap();
    refused(
        post(&served, "application/json", json_body(&huge)),
        413,
        "too-large",
        "cannot be stored",
        Some(1),
    );
    // A wrong or missing content type.
    refused(
        post(&served, "text/plain", good.clone()),
        415,
        "unsupported-media-type",
        "application/json",
        None,
    );
    let r = client()
        .post(served.at("/v1/statements"))
        .body(good.clone())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    assert_eq!(f.dir.size(), size, "nothing refused was appended");

    // The good statement appends; sent again, it is a replay.
    let first = receipts(post(&served, "application/json", good.clone()));
    assert_eq!(first[0]["seq"], size);
    refused(
        post(&served, "application/json", good.clone()),
        409,
        "duplicate",
        "replays",
        Some(1),
    );
    // The same replay in its binary encoding.
    let replay: SignedStatement = serde_json::from_str(&good).unwrap();
    refused(
        post(
            &served,
            "application/octet-stream",
            replay.to_bytes().unwrap(),
        ),
        409,
        "duplicate",
        "replays",
        Some(1),
    );

    // A batch whose third statement is the stranger's appends nothing, and says line 4 (a
    // blank line before it).
    let a = json_body(&officer.case("b-1"));
    let b = json_body(&officer.case("b-2"));
    let c = json_body(&f.stranger.case("b-3"));
    refused(
        post(&served, "application/jsonl", format!("{a}\n{b}\n\n{c}\n")),
        403,
        "not-authorized",
        "request body line 4: refused by the key registry",
        Some(4),
    );
    // A batch with an unreadable line appends nothing either.
    refused(
        post(&served, "application/jsonl", format!("{a}\n{b}\n{{]\n")),
        400,
        "malformed",
        "request body line 3",
        Some(3),
    );
    assert_eq!(f.dir.size(), size + 1, "refused batches append nothing");
    // The same batch without the stranger appends both, in order.
    let rs = receipts(post(&served, "application/jsonl", format!("{a}\n{b}\n")));
    assert_eq!(
        rs.iter()
            .map(|r| r["seq"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![size + 1, size + 2]
    );
    served.stop();
    assert_eq!(f.dir.size(), size + 3);
    verify_clean(&f.dir);
}

#[test]
fn bodies_over_the_limit_are_refused_declared_or_chunked() {
    let mut f = fixture("http-ingest-too-large", 1);
    let served = serve(&f, &["--max-body", "4096"]);
    let mut officer = f.officers.pop().unwrap();
    let size = f.dir.size();
    // Declared by Content-Length: refused before the body is read (none is sent).
    let answer = raw_request(
        &served,
        "Content-Type: application/json\r\nContent-Length: 100000",
        b"",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"kind\":\"too-large\""), "{answer}");
    assert!(
        answer.contains("larger than the limit of 4096 bytes"),
        "{answer}"
    );
    // Chunked (no Content-Length): refused as soon as what was read passes the limit, the
    // body never finished.
    let chunk = format!("3e8\r\n{}\r\n", "x".repeat(1000));
    let answer = raw_request(
        &served,
        "Content-Type: application/jsonl\r\nTransfer-Encoding: chunked",
        chunk.repeat(5).as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"kind\":\"too-large\""), "{answer}");
    // A statement within the limit still appends, chunked too.
    let st = json_body(&officer.case("ok-1"));
    let rs = receipts(post(
        &served,
        "application/json",
        Body::new(std::io::Cursor::new(st.into_bytes())),
    ));
    assert_eq!(rs[0]["seq"], size);
    served.stop();
    assert_eq!(f.dir.size(), size + 1);
    verify_clean(&f.dir);
}

/// Sends `POST /v1/statements` with the header lines `headers` and then `body` (which need not
/// be the whole body) on a raw connection, and returns what the server answers.
fn raw_request(served: &Served, headers: &str, body: &[u8]) -> String {
    let addr = served.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "POST /v1/statements HTTP/1.1\r\nHost: {addr}\r\n{headers}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    stream.flush().unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Sends the head of a POST and part of its body on a raw connection, holding the request (and
/// its permit) open until the rest is sent.
fn held_request(served: &Served, body: &[u8]) -> TcpStream {
    let addr = served.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "POST /v1/statements HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    stream.flush().unwrap();
    stream
}

#[test]
fn a_full_queue_is_503_with_retry_after_and_frees_up() {
    let mut f = fixture("http-ingest-queue", 2);
    let served = serve(&f, &["--max-pending", "1"]);
    let mut probe = f.officers.pop().unwrap();
    let mut held_author = f.officers.pop().unwrap();
    let size = f.dir.size();
    let held_body = json_body(&held_author.case("held-1")).into_bytes();
    let mut stream = held_request(&served, &held_body);
    // The held request takes the one permit once its head is parsed; until then a probe may
    // still get through, so probe until the queue is seen full (no timing is asserted).
    let mut appended = 0;
    let mut busy = None;
    for i in 0..200 {
        let r = post(
            &served,
            "application/json",
            json_body(&probe.case(&format!("probe-{i}"))),
        );
        if r.status().as_u16() == 503 {
            busy = Some(r);
            break;
        }
        assert_eq!(receipts(r).len(), 1);
        appended += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    let busy = busy.expect("a second request while one is held gets 503");
    // The probe's statement was not appended: its counter is free again.
    probe.binding.counter -= 1;
    assert_eq!(busy.headers()["retry-after"], "1");
    let (_, body) = answer(busy);
    assert_eq!(body["kind"], "busy", "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("nothing was read or appended"),
        "{body}"
    );
    // The held request completes and appends.
    stream.write_all(&held_body[held_body.len() / 2..]).unwrap();
    let mut answer_text = String::new();
    stream.read_to_string(&mut answer_text).unwrap();
    assert!(answer_text.starts_with("HTTP/1.1 200"), "{answer_text}");
    assert!(answer_text.contains("\"receipts\""), "{answer_text}");
    // Its permit is back.
    assert_eq!(
        receipts(post(
            &served,
            "application/json",
            json_body(&probe.case("after"))
        ))
        .len(),
        1
    );
    served.stop();
    assert_eq!(f.dir.size(), size + appended + 2);
    verify_clean(&f.dir);
}

//! The web explorer of `liuhen serve`, through the real binary on loopback: its JSON API
//! (search by each criterion, a case timeline, an entry with its proof, unknown cases and
//! hostile queries), and its page in headless Chromium — the inclusion proof checked in the
//! browser passes, fails when the proof is tampered with on the way or checked against another
//! ledger's key, ledger text never becomes markup, and a screenshot of a case timeline.
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use common::builder::LedgerBuilder;
use common::dir::{tmp_dir, TestDir};
use common::http::{
    attribute, chromium, chromium_present, client, dump_dom, enc, proof_verified_in_browser,
    text_of, Served,
};
use liuhen::model::*;
use liuhen::store::StoreRead;
use liuhen::{SecretKey, Signer};
use serde_json::Value;

const CASE_A: &str = "金民执〔2026〕12号";
const CASE_B: &str = "金民罚〔2026〕7号";
/// A case number that is markup: the page must show it as text.
const CASE_HOSTILE: &str = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">";
const OFFICER_B: &str = "21020005";

/// What the fixture ledger holds, for the assertions.
struct Fixture {
    dir: TestDir,
    party_a: Sealed,
    party_b: Sealed,
    officer_b: SecretKey,
    /// An entry of case A covered by the last checkpoint.
    sealed_seq: u64,
    /// The last entry, logged after the last checkpoint.
    unsealed_seq: u64,
}

/// The golden scenario (case A: every kind of event, sealed at 13 and 29), then a second
/// officer authorized, case B opened and documented, a case whose number is markup, a seal,
/// and one more document of case B that no checkpoint covers.
fn fixture(name: &str) -> Fixture {
    let root = tmp_dir(name);
    let (dir, mut b) = TestDir::create(&root, LedgerBuilder::new());
    common::play_scenario(&mut b);
    let officer_b = SecretKey::from_seed(&[0x55; 32]);
    let ledger_key = b.k.ledger.clone();
    b.append_after(
        1_000,
        &ledger_key,
        Event::KeyAuthorized {
            key: officer_b.public_key(),
            role: Role::Officer,
            holder: OFFICER_B.into(),
        },
    );
    let (party_a, _) = common::scenario_party();
    let (party_b, _) =
        liuhen::commitment::commit_with_salt("party.name", "大连某某科技有限公司", [7; 32]);
    let opened = |case_no: &str, subject| Event::CaseOpened {
        case_no: case_no.into(),
        act: ActKind::Penalty,
        matter: "未按规定报送年度工作报告".into(),
        unit: "执法监督科".into(),
        subject,
    };
    b.append_after(60_000, &officer_b, opened(CASE_B, party_b));
    let doc = |i: u32| {
        common::events::document_filed(
            CASE_B,
            common::media(&format!("询问笔录-{i}.pdf"), "application/pdf"),
        )
    };
    b.append_after(60_000, &officer_b, doc(1));
    b.append_after(1_000, &officer_b, opened(CASE_HOSTILE, party_b));
    b.seal();
    let unsealed_seq = b.append_after(60_000, &officer_b, doc(2));
    drop(b);
    Fixture {
        dir,
        party_a,
        party_b,
        officer_b,
        sealed_seq: 5,
        unsealed_seq,
    }
}

fn get(served: &Served, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = client().get(served.at(path)).send().expect("GET");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().expect("body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"));
    (status, body, headers)
}

fn found(served: &Served, query: &str) -> Vec<String> {
    let (status, body, _) = get(served, &format!("/v1/cases?{query}"));
    assert_eq!(status, 200, "{query}: {body}");
    let cases = body["cases"].as_array().expect("cases");
    assert_eq!(body["total"].as_u64(), Some(cases.len() as u64), "{query}");
    cases
        .iter()
        .map(|c| c["case_no"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_json_api_searches_by_each_criterion_and_shows_timelines_and_proofs() {
    let f = fixture("http-explorer-api");
    let served = Served::start(f.dir.root(), &[]);
    let all = found(&served, "");
    assert_eq!(all, vec![CASE_A, CASE_B, CASE_HOSTILE]);

    // Case number, in part.
    assert_eq!(
        found(&served, &format!("case_no={}", enc("金民罚"))),
        vec![CASE_B]
    );
    // Officer: a certificate number named by the recording only, a key holder, a key prefix.
    assert_eq!(found(&served, "officer=21020002"), vec![CASE_A]);
    let b_cases = found(&served, &format!("officer={OFFICER_B}"));
    assert_eq!(b_cases, vec![CASE_B, CASE_HOSTILE]);
    let officer_a = common::keys().officer.public_key().to_string();
    assert_eq!(
        found(&served, &format!("officer={}", enc(&officer_a[..20]))),
        vec![CASE_A]
    );
    let officer_b_hex = f.officer_b.public_key().to_hex();
    assert_eq!(
        found(&served, &format!("officer={}", &officer_b_hex[..12])),
        b_cases
    );
    // Device: by serial and by key.
    assert_eq!(found(&served, "device=BWC-7731"), vec![CASE_A]);
    let device_hex = common::keys().device.public_key().to_hex();
    assert_eq!(
        found(&served, &format!("device={}", &device_hex[..16])),
        vec![CASE_A]
    );
    // Party: by commitment, whole or a prefix, `sealed:` allowed.
    assert_eq!(
        found(&served, &format!("party={}", f.party_a.0.to_hex())),
        vec![CASE_A]
    );
    let b_party = format!("sealed:{}", &f.party_b.0.to_hex()[..10]);
    assert_eq!(found(&served, &format!("party={}", enc(&b_party))), b_cases);
    // Date range, by the day in Beijing time: the fixture is logged on 2026-01-01.
    assert_eq!(found(&served, "from=2026-01-01&to=2026-01-01").len(), 3);
    assert!(found(&served, "from=2026-01-02").is_empty());
    assert!(found(&served, "to=2025-12-31").is_empty());
    // Criteria combine.
    assert!(found(
        &served,
        &format!("case_no={}&officer=21020002", enc("金民罚"))
    )
    .is_empty());

    // The timeline of case A: every entry of the scenario's case, in order, with what it is.
    let (status, t, headers) = get(&served, &format!("/v1/cases/{}", enc(CASE_A)));
    assert_eq!(status, 200, "{t}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers.contains_key("content-security-policy"));
    let entries = t["entries"].as_array().unwrap();
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(seqs.first(), Some(&3), "CaseOpened is entry 3");
    assert!(seqs.len() >= 20, "{seqs:?}");
    assert_eq!(entries[0]["kind"], "CaseOpened");
    assert_eq!(entries[0]["kind_zh"], "立案");
    assert_eq!(entries[0]["holder"], "21020001");
    let seg0 = common::media("seg-0000.mp4", "video/mp4").digest.to_hex();
    let segment = entries
        .iter()
        .find(|e| e["kind"] == "SegmentSealed")
        .unwrap();
    assert_eq!(segment["kind_zh"], "音像片段");
    assert_eq!(segment["media"][0]["digest"], seg0.as_str());
    assert_eq!(segment["media"][0]["name"], "seg-0000.mp4");
    assert!(
        entries
            .iter()
            .all(|e| e["proof"]["status"] == "included"
                && e["proof"]["tree_size"].as_u64() > Some(29))
    );
    assert_eq!(t["case"]["status_zh"], "已结案");
    assert_eq!(t["case"]["parties"][0]["commitment"], f.party_a.0.to_hex());
    let findings = t["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "the golden case has audit findings");
    assert!(findings.iter().all(|x| x["article"]
        .as_str()
        .is_some_and(|a| a.starts_with("Art. "))
        && x["article_zh"]
            .as_str()
            .is_some_and(|a| a.starts_with('第'))));

    // Case B's last document was logged after the checkpoint.
    let (_, tb, _) = get(&served, &format!("/v1/cases/{}", enc(CASE_B)));
    let last = tb["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["seq"].as_u64(), Some(f.unsealed_seq));
    assert_eq!(last["proof"]["status"], "not_yet_sealed");

    // Sealed fields only as commitments: the vault's values appear nowhere.
    for path in [
        "/v1/cases".to_string(),
        format!("/v1/cases/{}", enc(CASE_A)),
    ] {
        let text = client()
            .get(served.at(&path))
            .send()
            .unwrap()
            .text()
            .unwrap();
        for value in ["大连某某社会组织", "张三", "大连某某科技有限公司"] {
            assert!(!text.contains(value), "{path} reveals {value}");
        }
    }

    // An entry with its proof, which the library's own checker accepts with the vkey the
    // auditor was handed (not the one the server names).
    let (status, d, _) = get(&served, &format!("/v1/entries/{}", f.sealed_seq));
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["proof_status"]["status"], "included");
    let vkey = liuhen::keyfile::read_verifier_key(&f.dir.dir.vkey_path()).unwrap();
    assert_eq!(d["vkey"], vkey.to_string());
    let document = serde_json::to_vec(&d["proof"]).unwrap();
    let checked = liuhen::proofs::check(&document, &vkey).unwrap();
    assert!(checked.verified(), "{}", checked.to_json());
    assert_eq!(d["proof"]["checkpoint"], d["checkpoint"]);
    let store = f.dir.dir.open_read_only().unwrap();
    let bytes = store.entry_bytes(f.sealed_seq).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(d["entry_hex"], hex);
    let (_, late, _) = get(&served, &format!("/v1/entries/{}", f.unsealed_seq));
    assert_eq!(late["proof_status"]["status"], "not_yet_sealed");
    assert!(late["proof"].is_null());
    assert!(late["proof_error"].as_str().is_some_and(|e| !e.is_empty()));

    // Unknown things are 404 with a JSON error, malformed ones 400.
    let (status, e, _) = get(&served, &format!("/v1/cases/{}", enc("金民执〔2099〕1号")));
    assert_eq!(
        (status, e["kind"].as_str()),
        (404, Some("not-found")),
        "{e}"
    );
    let (status, _, _) = get(&served, &format!("/v1/entries/{}", store.size()));
    assert_eq!(status, 404);
    for bad in ["abc", "-1", "1e3", "18446744073709551616"] {
        let (status, e, _) = get(&served, &format!("/v1/entries/{bad}"));
        assert_eq!(
            (status, e["kind"].as_str()),
            (400, Some("malformed")),
            "{bad}: {e}"
        );
    }
    served.stop();
}

#[test]
fn hostile_queries_find_nothing_or_are_refused_and_never_echo_markup() {
    let f = fixture("http-explorer-hostile");
    let served = Served::start(f.dir.root(), &[]);
    // Injection attempts as case numbers: they are text to match, nothing more.
    for attempt in [
        "' OR '1'='1",
        "\" OR 1=1 --",
        "*",
        "%",
        ".*",
        "../../etc/passwd",
        "${jndi:ldap://x}",
        "<script>alert(1)</script>",
    ] {
        assert!(
            found(&served, &format!("case_no={}", enc(attempt))).is_empty(),
            "{attempt}"
        );
    }
    // Bytes that are not UTF-8 are read as U+FFFD (lossy), a NUL as a character: no match.
    assert!(found(&served, "case_no=%FF%FE").is_empty());
    assert!(found(&served, "case_no=%00").is_empty());
    // A case number that is markup is found as text and returned as a JSON string.
    assert_eq!(
        found(&served, &format!("case_no={}", enc("onerror"))),
        vec![CASE_HOSTILE]
    );
    let (status, t, _) = get(&served, &format!("/v1/cases/{}", enc(CASE_HOSTILE)));
    assert_eq!(status, 200);
    assert_eq!(t["case"]["case_no"], CASE_HOSTILE);
    // Sealed fields cannot be searched by value, and bad fields are refused with a reason.
    for (query, needle) in [
        (format!("party={}", enc("大连某某社会组织")), "hex"),
        ("party=abc".to_string(), "at least"),
        (format!("party={}", enc("' OR 1=1 --")), "hex"),
        ("from=2026-13-45".to_string(), "not a date"),
        ("from=2026-02-01&to=2026-01-01".to_string(), "ends before"),
        (format!("officer={}", "x".repeat(300)), "longer than"),
        ("limit=lots".to_string(), "limit"),
    ] {
        let (status, e, headers) = get(&served, &format!("/v1/cases?{query}"));
        assert_eq!(
            (status, e["kind"].as_str()),
            (400, Some("malformed")),
            "{query}: {e}"
        );
        assert_eq!(headers["content-type"], "application/json", "{query}");
        let message = e["error"].as_str().unwrap();
        assert!(message.contains(needle), "{query}: {message}");
    }
    // Path tricks on the case route stay case numbers; an over-long one is refused.
    for path in ["..%2F..%2Fetc%2Fpasswd", "%3Cscript%3E", "%00"] {
        let (status, e, _) = get(&served, &format!("/v1/cases/{path}"));
        assert_eq!(status, 404, "{path}: {e}");
    }
    let (status, _, _) = get(&served, &format!("/v1/cases/{}", "x".repeat(300)));
    assert_eq!(status, 400);
    // The page and its assets: served from the binary, with a policy that runs only them.
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/explorer/app.js", "text/javascript; charset=utf-8"),
        ("/explorer/style.css", "text/css; charset=utf-8"),
    ] {
        let r = client().get(served.at(path)).send().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], kind, "{path}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let text = r.text().unwrap();
        // Offline: nothing is loaded from anywhere else.
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{path} loads from elsewhere"
        );
    }
    served.stop();
}

#[test]
fn the_browser_checks_the_inclusion_proof_and_sees_a_tampered_one_fail() {
    if !chromium_present() {
        return;
    }
    let f = fixture("http-explorer-proof");
    let served = Served::start(f.dir.root(), &[]);

    // The honest server: path and signature both check in the browser.
    let url = served.at(&format!("/#/entry/{}", f.sealed_seq));
    let (_, result) = proof_verified_in_browser("explorer-proof-ok", &url).unwrap();
    assert!(!result.contains('✗'), "{result}");

    // An entry no checkpoint covers yet has no proof, and the page says so.
    let url = served.at(&format!("/#/entry/{}", f.unsealed_seq));
    let dom = dump_dom("explorer-proof-unsealed", &url).unwrap();
    assert_eq!(
        attribute(&dom, "proof-result", "data-proof").as_deref(),
        Some("unavailable")
    );

    // Checked against another ledger's key (given in the URL, as an auditor would paste the
    // key they hold): the signature does not verify, and the page says failed.
    let stranger = liuhen::checkpoint::NoteVerifier::for_key(
        common::ORIGIN,
        SecretKey::from_seed(&[0x99; 32]).public_key(),
    )
    .unwrap();
    let url = served.at(&format!(
        "/#/entry/{}?vkey={}",
        f.sealed_seq,
        enc(&stranger.to_string())
    ));
    let dom = dump_dom("explorer-proof-stranger", &url).unwrap();
    assert_eq!(
        attribute(&dom, "proof-result", "data-proof").as_deref(),
        Some("failed")
    );
    assert_eq!(
        attribute(&dom, "proof-result", "data-signature").as_deref(),
        Some("failed")
    );
    // With the auditor's own copy of the right key, it verifies.
    let vkey = std::fs::read_to_string(f.dir.dir.vkey_path()).unwrap();
    let url = served.at(&format!(
        "/#/entry/{}?vkey={}",
        f.sealed_seq,
        enc(vkey.trim())
    ));
    let dom = dump_dom("explorer-proof-own-key", &url).unwrap();
    assert_eq!(
        attribute(&dom, "proof-result", "data-proof").as_deref(),
        Some("verified")
    );

    // A server (or anything on the way) that alters one node of the audit path: the signed
    // checkpoint still verifies, but the path no longer leads to its root.
    let proxy = TamperProxy::start(&served.url);
    let url = format!("{}/#/entry/{}", proxy.url, f.sealed_seq);
    let dom = dump_dom("explorer-proof-tampered", &url).unwrap();
    let result = text_of(&dom, "proof-result");
    assert_eq!(
        attribute(&dom, "proof-result", "data-proof").as_deref(),
        Some("failed"),
        "{result}"
    );
    assert_eq!(
        attribute(&dom, "proof-result", "data-signature").as_deref(),
        Some("verified")
    );
    assert!(result.contains('✗'), "{result}");
    assert!(proxy.tampered() >= 1, "the proxy altered no proof");
    served.stop();
}

#[test]
fn a_screenshot_of_a_case_timeline_and_ledger_text_stays_text() {
    if !chromium_present() {
        return;
    }
    let f = fixture("http-explorer-screenshot");
    let served = Served::start(f.dir.root(), &[]);

    // The timeline as the browser builds it.
    let url = served.at(&format!("/#/case/{}", enc(CASE_A)));
    let dom = dump_dom("explorer-case-dom", &url).unwrap();
    assert!(dom.contains("data-view=\"case\""), "{dom}");
    assert!(dom.contains("记录时间线") && dom.contains("审计发现") && dom.contains("立案"));
    let rows = dom.matches("data-seq=\"").count();
    let (_, t, _) = get(&served, &format!("/v1/cases/{}", enc(CASE_A)));
    assert_eq!(rows, t["entries"].as_array().unwrap().len());
    assert!(dom.contains("已纳入检查点"));

    // A case number that is markup is shown as text: no element is made of it, nothing runs.
    let url = served.at(&format!("/#/case/{}", enc(CASE_HOSTILE)));
    let dom = dump_dom("explorer-hostile-dom", &url).unwrap();
    assert!(dom.contains("data-view=\"case\""), "{dom}");
    assert!(dom.contains("&lt;img src=x onerror="), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    // The handler, had it run, would have set this attribute on the body.
    assert!(
        dom.contains("<body>") && !dom.contains("data-pwned=\"1\""),
        "{dom}"
    );
    // The search list too.
    let dom = dump_dom("explorer-search-dom", &served.at("/")).unwrap();
    assert!(dom.contains("data-view=\"search\""), "{dom}");
    assert!(
        dom.contains("&lt;img src=x") && !dom.contains("<img"),
        "{dom}"
    );

    // The screenshot, kept under target/ for a person to look at.
    let png = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("explorer-case-timeline.png");
    let _ = std::fs::remove_file(&png);
    let url = served.at(&format!("/#/case/{}", enc(CASE_A)));
    chromium(
        "explorer-screenshot",
        &[
            "--virtual-time-budget=15000".into(),
            "--window-size=1400,1800".into(),
            format!("--screenshot={}", png.display()),
        ],
        &url,
    )
    .unwrap();
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 1800));
    // A blank page compresses to a few kilobytes; a rendered timeline does not.
    assert!(
        bytes.len() > 60_000,
        "{} bytes: is the page blank?",
        bytes.len()
    );
    eprintln!("screenshot: {} ({} bytes)", png.display(), bytes.len());
    served.stop();
}

/// A man in the middle on loopback: forwards every request to the explorer, and changes one
/// hex digit of the first audit-path node in every entry answer. Serves a bounded number of
/// connections.
struct TamperProxy {
    url: String,
    tampered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl TamperProxy {
    fn start(upstream: &str) -> TamperProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let tampered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = tampered.clone();
        let upstream = upstream.to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                let Ok(stream) = stream else { continue };
                let upstream = upstream.clone();
                let count = count.clone();
                std::thread::spawn(move || {
                    let _ = relay(stream, &upstream, &count);
                });
            }
        });
        TamperProxy { url, tampered }
    }

    fn tampered(&self) -> usize {
        self.tampered.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn relay(
    mut stream: TcpStream,
    upstream: &str,
    count: &std::sync::atomic::AtomicUsize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let r = client()
        .get(format!("{upstream}{path}"))
        .send()
        .map_err(std::io::Error::other)?;
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut body = r.bytes().map_err(std::io::Error::other)?.to_vec();
    if path.starts_with("/v1/entries/") {
        if let Ok(mut v) = serde_json::from_slice::<Value>(&body) {
            if let Some(node) = v["proof"]["path"][0].as_str() {
                let mut hex = node.to_owned();
                let last = if hex.ends_with('0') { "1" } else { "0" };
                hex.replace_range(hex.len() - 1.., last);
                v["proof"]["path"][0] = Value::String(hex);
                body = serde_json::to_vec(&v).unwrap();
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }
    let _ = reader.read(&mut []);
    write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

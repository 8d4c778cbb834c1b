//! For the HTTP tests (`tests/http_*.rs`): `liuhen serve` started for real on 127.0.0.1, and a
//! real HTTP client (reqwest, blocking) talking to it over loopback.
//!
//! [`Served::start`] runs the binary on port 0, waits for its `listening on URL` line and kills
//! it when dropped; [`Served::stop`] sends SIGTERM (graceful shutdown) and waits;
//! [`Served::kill`] SIGKILLs it (crash tests).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::cli::liuhen_bin;

/// A running `liuhen serve`.
pub struct Served {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT` (or `https://…`), without a trailing slash.
    pub url: String,
    /// The ledger directory served.
    pub dir: PathBuf,
    /// What the server wrote on stderr so far is collected here once it stops.
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Served {
    /// Starts `liuhen serve DIR --listen 127.0.0.1:0 EXTRA…` and waits (≤ 30 s) until it listens.
    pub fn start(dir: &Path, extra: &[&str]) -> Served {
        Served::start_in(&[], "127.0.0.1:0", dir, extra)
    }

    /// As [`Served::start`], listening on `listen`, the binary run by the command `wrapper`
    /// (e.g. `ip netns exec NS`, which runs it in place) if not empty.
    pub fn start_in(wrapper: &[&str], listen: &str, dir: &Path, extra: &[&str]) -> Served {
        let bin = liuhen_bin();
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        let mut child = command
            .arg("serve")
            .arg(dir)
            .args(["--listen", listen])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn liuhen serve");
        let (line, stderr) = await_listening(&mut child, "liuhen serve", Duration::from_secs(30));
        let url = line.trim_end_matches('/').to_owned();
        Served {
            child: Some(child),
            url,
            dir: dir.to_path_buf(),
            stderr: Some(stderr),
        }
    }

    /// `URL/path` (`path` starts with `/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// SIGTERM, then wait (≤ 30 s): the graceful shutdown. Returns the exit status and stderr.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = wait_timeout(&mut child, Duration::from_secs(30));
        let err = self.stderr.take().map(|h| h.join().unwrap_or_default());
        (status, err.unwrap_or_default())
    }

    /// SIGKILL, then wait: a crash.
    pub fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_timeout(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for liuhen serve") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("liuhen serve did not stop within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A blocking HTTP client with a timeout, for plain-HTTP servers on loopback.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// `s` percent-encoded for a URL path segment or query value (unreserved bytes kept).
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---- An independent tlog-tiles client (`tlog_tiles`, `signed_note`) ------------------------

/// Verifies `note` with `signed_note` and `vkey`; returns the checkpoint body.
pub fn verified_checkpoint(note: &[u8], vkey: &str) -> tlog_tiles::Checkpoint {
    use signed_note::{Note, StandardVerifier, VerifierList};
    let known = VerifierList::new(vec![Box::new(StandardVerifier::new(vkey.trim()).unwrap())]);
    let note = Note::from_bytes(note).unwrap();
    note.verify(&known)
        .expect("the checkpoint verifies with the vkey");
    tlog_tiles::Checkpoint::from_bytes(note.text()).unwrap()
}

/// `tlog_tiles` names tiles the Go way (`tile/8/0/…`, `tile/8/data/…`); tlog-tiles drops the
/// height and calls data tiles `entries`.
pub fn c2sp_path(tile: &tlog_tiles::Tile) -> String {
    let go = tile.path();
    let rest = go.strip_prefix("tile/8/").expect("height 8");
    match rest.strip_prefix("data/") {
        Some(rest) => format!("tile/entries/{rest}"),
        None => format!("tile/{rest}"),
    }
}

/// Tiles fetched over HTTP (each path once), as `tlog_tiles` asks for them.
pub struct HttpTiles<'a> {
    pub served: &'a Served,
    pub fetched: std::cell::RefCell<std::collections::HashMap<String, Vec<u8>>>,
}

impl<'a> HttpTiles<'a> {
    pub fn new(served: &'a Served) -> HttpTiles<'a> {
        HttpTiles {
            served,
            fetched: std::cell::RefCell::default(),
        }
    }

    pub fn get(&self, path: &str) -> Result<Vec<u8>, tlog_tiles::Error> {
        if let Some(bytes) = self.fetched.borrow().get(path) {
            return Ok(bytes.clone());
        }
        let r = client()
            .get(self.served.at(&format!("/{path}")))
            .send()
            .unwrap();
        if r.status() != 200 {
            return Err(tlog_tiles::Error::InvalidInput(format!(
                "{path}: {}",
                r.status()
            )));
        }
        let bytes = r.bytes().unwrap().to_vec();
        self.fetched
            .borrow_mut()
            .insert(path.to_owned(), bytes.clone());
        Ok(bytes)
    }
}

impl tlog_tiles::TileReader for HttpTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles.iter().map(|t| self.get(&c2sp_path(t))).collect()
    }

    fn save_tiles(&self, _tiles: &[tlog_tiles::Tile], _data: &[Vec<u8>]) {}
}

/// Splits an entry bundle into its entries.
pub fn entries_of(bundle: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bundle;
    while !rest.is_empty() {
        assert!(rest.len() >= 2, "a truncated length prefix");
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        assert!(rest.len() >= 2 + len, "a truncated entry");
        out.push(&rest[2..2 + len]);
        rest = &rest[2 + len..];
    }
    out
}

// ---- Headless Chromium ----------------------------------------------------------------------

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether Chromium is installed; if not, says the test is skipped (CI installs it
/// best-effort).
pub fn chromium_present() -> bool {
    let present = Path::new(CHROMIUM).exists();
    if !present {
        eprintln!("skipped: {CHROMIUM} is not installed (apt-get install chromium)");
    }
    present
}

/// Runs headless Chromium with the flags every test uses and `extra`, on `url`, with a new
/// empty profile; `None` (and "skipped" printed) if Chromium is not installed.
pub fn chromium(name: &str, extra: &[String], url: &str) -> Option<std::process::Output> {
    if !chromium_present() {
        return None;
    }
    let profile = super::dir::tmp_dir(&format!("{name}-chromium-profile"));
    let child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn chromium");
    Some(super::cli::wait_or_kill(
        child,
        Duration::from_secs(120),
        "headless chromium",
    ))
}

/// The page at `url` after its scripts ran (fetches and WebCrypto included).
pub fn dump_dom(name: &str, url: &str) -> Option<String> {
    let out = chromium(
        name,
        &["--virtual-time-budget=15000".into(), "--dump-dom".into()],
        url,
    )?;
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "chromium dumped no page of {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(dom)
}

/// The entry page at `url` after Chromium checked its inclusion proof, which must have passed:
/// the Merkle path and the checkpoint's signature (`data-proof`, `data-signature`). Returns
/// the page and the text of the result; `None` if Chromium is not installed.
pub fn proof_verified_in_browser(name: &str, url: &str) -> Option<(String, String)> {
    let dom = dump_dom(name, url)?;
    let result = text_of(&dom, "proof-result");
    assert_eq!(
        attribute(&dom, "proof-result", "data-proof").as_deref(),
        Some("verified"),
        "{result}"
    );
    assert_eq!(
        attribute(&dom, "proof-result", "data-signature").as_deref(),
        Some("verified"),
        "Chromium has WebCrypto Ed25519: {result}"
    );
    Some((dom, result))
}

/// The value of attribute `name` of the element with `id` in a dumped DOM.
pub fn attribute(dom: &str, id: &str, name: &str) -> Option<String> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    let tag = &dom[start..end];
    let key = format!("{name}=\"");
    let v = tag.find(&key)? + key.len();
    Some(tag[v..].split('"').next()?.to_owned())
}

/// The markup inside the element with `id` (up to the first `</ol>` or `</div>`).
pub fn text_of(dom: &str, id: &str) -> String {
    let Some(at) = dom.find(&format!("id=\"{id}\"")) else {
        return String::new();
    };
    let rest = &dom[at..];
    let start = rest.find('>').map_or(0, |i| i + 1);
    let end = rest
        .find("</ol>")
        .or_else(|| rest.find("</div>"))
        .unwrap_or(rest.len());
    rest[start..end.max(start)].to_owned()
}

/// Waits (at most `limit`) for a spawned server's first stdout line, `listening on URL`, and
/// returns the URL as printed, with a thread collecting its stderr. Stdout is drained after the
/// line so that the server never blocks on a full pipe. A server that prints nothing in time is
/// killed and the test fails with its stderr.
pub fn await_listening(
    child: &mut std::process::Child,
    what: &str,
    limit: Duration,
) -> (String, std::thread::JoinHandle<String>) {
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
        for _ in lines {}
    });
    let Ok(line) = rx.recv_timeout(limit) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "{what} did not start listening: {}",
            stderr.join().unwrap_or_default()
        );
    };
    let url = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line of {what}: {line}"))
        .to_owned();
    (url, stderr)
}

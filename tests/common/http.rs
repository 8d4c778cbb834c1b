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
        let mut child = Command::new(liuhen_bin())
            .arg("serve")
            .arg(dir)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn liuhen serve");
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
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let err = stderr.join().unwrap_or_default();
                panic!("liuhen serve did not start listening: {err}");
            }
        };
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line of liuhen serve: {line}"))
            .trim_end_matches('/')
            .to_owned();
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

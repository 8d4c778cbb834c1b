//! For the trusted-time tests (`tests/tsa.rs`): a real RFC 3161 TSA on 127.0.0.1 — `liuhen
//! dev-tsa`, whose every token is made by `openssl ts -reply` — and what an attacker does with
//! openssl to forge one.
//!
//! OpenSSL is required: without it [`require_openssl`] fails the test with a message saying so
//! (CI installs it), never a silent pass.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::cli::liuhen_bin;

/// Fails the test if `openssl` is not installed.
pub fn require_openssl() {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "these tests need the `openssl` command (a real, independent TSA and verifier); it is \
         not installed: install OpenSSL (apt-get install openssl) — CI does"
    );
}

/// Runs `openssl ARGS` in `dir`, panicking with its stderr on failure; returns stdout.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A running `liuhen dev-tsa`.
pub struct DevTsa {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    /// The TSA directory.
    pub dir: PathBuf,
}

impl DevTsa {
    /// Starts `liuhen dev-tsa DIR --listen 127.0.0.1:0 --key KEY` (`ec` or `rsa`) and waits
    /// (≤ 60 s: the first start makes the CA with openssl) until it listens.
    pub fn start(dir: &Path, key: &str) -> DevTsa {
        require_openssl();
        let mut child = Command::new(liuhen_bin())
            .arg("dev-tsa")
            .arg(dir)
            .args(["--listen", "127.0.0.1:0", "--key", key])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn liuhen dev-tsa");
        // The first start makes the CA with openssl: up to a minute.
        let (url, _stderr) =
            super::http::await_listening(&mut child, "liuhen dev-tsa", Duration::from_secs(60));
        DevTsa {
            child: Some(child),
            url,
            dir: dir.to_path_buf(),
        }
    }

    /// The root CA certificate to configure verifiers with.
    pub fn root(&self) -> PathBuf {
        self.dir.join("root.pem")
    }

    /// The TSA certificate.
    pub fn cert(&self) -> PathBuf {
        self.dir.join("tsa.pem")
    }
}

impl Drop for DevTsa {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

/// What an attacker holding a CA-issued certificate WITHOUT the timeStamping extended key usage
/// does: re-signs the TSTInfo of `token` with `openssl cms -sign` (openssl ts refuses such a
/// certificate), under the same root as `tsa`. Returns the forged token (DER).
pub fn resign_without_eku(tsa: &DevTsa, token: &[u8], work: &Path) -> Vec<u8> {
    std::fs::create_dir_all(work).unwrap();
    let root = tsa.dir.join("root.pem");
    let root_key = tsa.dir.join("root.key");
    std::fs::write(work.join("token.der"), token).unwrap();
    // The TSTInfo (the encapsulated content) out of the genuine token.
    openssl(
        work,
        &[
            "cms",
            "-verify",
            "-noverify",
            "-inform",
            "DER",
            "-in",
            "token.der",
            "-out",
            "tstinfo.der",
        ],
    );
    std::fs::write(
        work.join("plain.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n",
    )
    .unwrap();
    openssl(
        work,
        &[
            "req",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "plain.key",
            "-out",
            "plain.csr",
            "-subj",
            "/CN=not a TSA",
        ],
    );
    openssl(
        work,
        &[
            "x509",
            "-req",
            "-in",
            "plain.csr",
            "-CA",
            root.to_str().unwrap(),
            "-CAkey",
            root_key.to_str().unwrap(),
            "-set_serial",
            "77",
            "-days",
            "30",
            "-extfile",
            "plain.ext",
            "-out",
            "plain.pem",
        ],
    );
    openssl(
        work,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-nosmimecap",
            "-md",
            "sha256",
            "-econtent_type",
            "1.2.840.113549.1.9.16.1.4",
            "-in",
            "tstinfo.der",
            "-signer",
            "plain.pem",
            "-inkey",
            "plain.key",
            "-outform",
            "DER",
            "-out",
            "forged.der",
        ],
    );
    std::fs::read(work.join("forged.der")).unwrap()
}

/// The offset of the token's genTime digits: the GeneralizedTime `YYYYMMDDHHMMSSZ` (tag 0x18,
/// length 15) inside the TSTInfo.
pub fn gen_time_offset(token: &[u8]) -> usize {
    token
        .windows(17)
        .position(|w| w[0] == 0x18 && w[1] == 15 && w[16] == b'Z')
        .map(|i| i + 2)
        .expect("a GeneralizedTime in the token")
}

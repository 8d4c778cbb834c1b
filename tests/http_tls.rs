//! `liuhen serve` over TLS (issue 15, security and operation), through the real binary and a
//! real HTTPS client: certificates made here with `rcgen` (a CA, a server certificate for
//! 127.0.0.1, client certificates from that CA and from a stranger's CA).
//!
//! What a non-loopback peer without a client certificate gets (403 on `POST /v1/seal`) cannot
//! be tested end to end on one machine without sending traffic to a non-loopback address; that
//! decision is unit-tested in `liuhen-http` (`admin::tests`). Here, the server reports what it
//! made of each caller (`GET /v1/health`, `caller`): a verified client certificate is seen as
//! one, an untrusted one fails the handshake.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::dir::AuditedDir;
use common::http::{client, Served};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use reqwest::blocking::Client;
use serde_json::Value;

/// A certificate authority made for the test.
struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    /// A leaf certificate for `names` with `usage`: its PEM and its key's PEM.
    fn issue(&self, names: &[&str], usage: ExtendedKeyUsagePurpose) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "liuhen test");
        params.extended_key_usages = vec![usage];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }
}

/// The TLS material of one test, written to files in `root/tls`.
struct Pki {
    ca_pem: String,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_ca: PathBuf,
    /// A client certificate and key issued by the client CA (one PEM, as reqwest takes it).
    admin_identity: String,
    /// A client certificate and key issued by a CA the server does not trust.
    stranger_identity: String,
}

impl Pki {
    fn new(root: &Path) -> Pki {
        let dir = root.join("tls");
        std::fs::create_dir_all(&dir).unwrap();
        let server_ca = Ca::new("liuhen test server CA");
        let admin_ca = Ca::new("liuhen test admin CA");
        let stranger_ca = Ca::new("someone else's CA");
        let (server_pem, server_key_pem) = server_ca.issue(
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (admin_pem, admin_key) =
            admin_ca.issue(&["admin"], ExtendedKeyUsagePurpose::ClientAuth);
        let (stranger_pem, stranger_key) =
            stranger_ca.issue(&["admin"], ExtendedKeyUsagePurpose::ClientAuth);
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        Pki {
            ca_pem: server_ca.pem(),
            server_cert: write("server.pem", &server_pem),
            server_key: write("server.key", &server_key_pem),
            client_ca: write("admins.pem", &admin_ca.pem()),
            admin_identity: format!("{admin_pem}{admin_key}"),
            stranger_identity: format!("{stranger_pem}{stranger_key}"),
        }
    }

    /// `--tls-cert … --tls-key … [--client-ca …]`.
    fn args(&self, client_ca: bool) -> Vec<String> {
        let mut args = vec![
            "--tls-cert".to_owned(),
            path(&self.server_cert),
            "--tls-key".to_owned(),
            path(&self.server_key),
        ];
        if client_ca {
            args.extend(["--client-ca".to_owned(), path(&self.client_ca)]);
        }
        args
    }

    /// An HTTPS client trusting the server CA only, with `identity` as its client certificate.
    fn client(&self, identity: Option<&str>) -> Client {
        let mut builder = Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap())
            .timeout(Duration::from_secs(60));
        if let Some(identity) = identity {
            builder = builder.identity(reqwest::Identity::from_pem(identity.as_bytes()).unwrap());
        }
        builder.build().unwrap()
    }
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

fn start(dir: &AuditedDir, args: &[String]) -> Served {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Served::start(&dir.dir, &args)
}

fn health(client: &Client, served: &Served) -> Value {
    let r = client.get(served.at("/v1/health")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.json().unwrap()
}

#[test]
fn tls_serves_https_only_and_survives_plain_http() {
    let root = common::dir::tmp_dir("http-tls-only");
    let dir = AuditedDir::init(root.clone());
    let pki = Pki::new(&root);
    let served = start(&dir, &pki.args(false));
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "{}",
        served.url
    );
    let https = pki.client(None);
    let h = health(&https, &served);
    assert_eq!(h["size"], 1, "{h}");
    assert_eq!(h["caller"]["client_certificate"], false, "{h}");
    // Plain HTTP to the TLS port fails cleanly (the handshake fails, the connection closes)…
    let plain = served.url.replacen("https://", "http://", 1);
    let err = client().get(format!("{plain}/v1/health")).send();
    assert!(err.is_err(), "plain HTTP must not be answered: {err:?}");
    // …and a client that does not trust the server's CA is refused by its own check.
    let untrusting = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    assert!(untrusting.get(served.at("/v1/health")).send().is_err());
    // The server keeps serving.
    assert_eq!(health(&https, &served)["size"], 1);
    let (status, log) = served.stop();
    assert!(status.success(), "{status:?}: {log}");
    assert!(log.contains("TLS handshake failed"), "{log}");
}

#[test]
fn a_client_certificate_is_recognised_only_when_it_chains_to_the_client_ca() {
    let root = common::dir::tmp_dir("http-tls-client-cert");
    let dir = AuditedDir::init(root.clone());
    let pki = Pki::new(&root);
    let mut args = pki.args(true);
    args.extend(["--key-file".to_owned(), path(&dir.key)]);
    let served = start(&dir, &args);
    // Without a certificate: an ordinary client (still admin here, being on loopback).
    let anonymous = pki.client(None);
    let h = health(&anonymous, &served);
    assert_eq!(h["caller"]["client_certificate"], false, "{h}");
    // With a certificate from the client CA: verified.
    let admin = pki.client(Some(&pki.admin_identity));
    let h = health(&admin, &served);
    assert_eq!(h["caller"]["client_certificate"], true, "{h}");
    assert_eq!(h["caller"]["admin"], true, "{h}");
    // And it may seal.
    let r = admin.post(served.at("/v1/seal")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let sealed: Value = r.json().unwrap();
    assert_eq!(sealed["size"], 1);
    // A certificate from another CA fails the handshake: no request is served for it…
    let stranger = pki.client(Some(&pki.stranger_identity));
    assert!(stranger.get(served.at("/v1/health")).send().is_err());
    // …and the server keeps serving.
    assert_eq!(
        health(&admin, &served)["caller"]["client_certificate"],
        true
    );
    let (status, log) = served.stop();
    assert!(status.success(), "{status:?}: {log}");
}

#[test]
fn unusable_tls_files_stop_the_start_with_exit_3() {
    let root = common::dir::tmp_dir("http-tls-bad-files");
    let dir = AuditedDir::init(root.clone());
    let pki = Pki::new(&root);
    let other = Ca::new("another server CA");
    let (_, mismatched_key) = other.issue(&["127.0.0.1"], ExtendedKeyUsagePurpose::ServerAuth);
    let mismatched = root.join("tls/mismatched.key");
    std::fs::write(&mismatched, mismatched_key).unwrap();
    let not_pem = root.join("tls/not.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let missing = root.join("tls/missing.pem");
    let cases: Vec<(Vec<String>, PathBuf)> = vec![
        (
            vec![
                "--tls-cert".into(),
                path(&missing),
                "--tls-key".into(),
                path(&pki.server_key),
            ],
            missing.clone(),
        ),
        (
            vec![
                "--tls-cert".into(),
                path(&not_pem),
                "--tls-key".into(),
                path(&pki.server_key),
            ],
            not_pem.clone(),
        ),
        (
            vec![
                "--tls-cert".into(),
                path(&pki.server_cert),
                "--tls-key".into(),
                path(&not_pem),
            ],
            not_pem.clone(),
        ),
        (
            vec![
                "--tls-cert".into(),
                path(&pki.server_cert),
                "--tls-key".into(),
                path(&mismatched),
            ],
            mismatched.clone(),
        ),
        (
            {
                let mut a = pki.args(false);
                a.extend(["--client-ca".into(), path(&not_pem)]);
                a
            },
            not_pem.clone(),
        ),
    ];
    for (args, named) in cases {
        let mut all = vec![
            "serve".to_owned(),
            path(&dir.dir),
            "--listen".into(),
            "127.0.0.1:0".into(),
        ];
        all.extend(args.iter().cloned());
        let out = common::cli::liuhen(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains("TLS"), "{args:?}: {err}");
        assert!(
            err.contains(&path(&named)),
            "{args:?} names the file: {err}"
        );
    }
}

//! For the end-to-end tests (`tests/cli_*.rs`): they run the real `liuhen` binary.
//!
//! The binary is `target/<profile>/liuhen`, next to the `deps/` directory holding this test's
//! executable. `cargo test --workspace` builds it fresh (the `liuhen-cli` package has an
//! integration test, which makes cargo build its binary); when running one test file alone,
//! build it first with `cargo build -p liuhen-cli`, or point `LIUHEN_BIN` at a binary.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Path of the `liuhen` binary under test.
pub fn liuhen_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("LIUHEN_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("liuhen{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: run `cargo test --workspace`, or `cargo build -p liuhen-cli` first",
        bin.display()
    );
    bin
}

/// Runs `liuhen ARGS` with no stdin and returns what it did.
pub fn liuhen<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(liuhen_bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run liuhen")
}

/// Starts `liuhen ARGS` with `stdin`, its output piped.
pub fn spawn<I, S>(args: I, stdin: Stdio) -> Child
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(liuhen_bin())
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn liuhen")
}

/// Runs `liuhen ARGS` with `input` on stdin.
pub fn liuhen_stdin<I, S>(args: I, input: &[u8]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    use std::io::Write;
    let mut child = spawn(args, Stdio::piped());
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("wait for liuhen")
}

/// Runs `liuhen ARGS` with `input` on stdin; a command that stops reading early (it refused
/// the input) closes the pipe, which is not an error of the test.
pub fn liuhen_stdin_may_close(args: &[&str], input: Vec<u8>) -> Output {
    use std::io::Write;
    let mut child = spawn(args, Stdio::piped());
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || match stdin.write_all(&input) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.expect("write stdin"),
    });
    let out = child.wait_with_output().expect("wait for liuhen");
    writer.join().expect("stdin writer");
    out
}

/// Waits for `child`, killing it and failing the test if it has not finished within `limit`
/// (a process that blocks forever must not hang the suite); `what` names it in the failure.
pub fn wait_or_kill(mut child: Child, limit: Duration, what: &str) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("poll child").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} blocked: killed by the watchdog after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("wait for child")
}

/// Runs `liuhen COMMAND DIR EXTRA...`.
pub fn liuhen_on(command: &str, dir: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![command.as_ref(), dir.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    liuhen(args)
}

/// The kinds of the findings of a `verify --json` or `audit --json` report, in order.
pub fn finding_kinds(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["kind"].as_str().expect("kind").to_owned())
        .collect()
}

/// The members of a `liuhen-verify/1` report (`verify --json`, docs/CLI.md) besides `audit`,
/// which only a run with the audit has.
pub const VERIFY_1_MEMBERS: &[&str] = &[
    "schema",
    "verdict",
    "exit_code",
    "ledger",
    "origin",
    "entries",
    "checkpoints",
    "checkpoints_verified",
    "latest_verified",
    "findings",
    "findings_omitted",
    "trust_anchor",
    "trusted_checkpoint",
    "media",
    "store",
];

/// The exit code, stdout and stderr of a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts the exit code, showing the run on failure; returns stdout as text.
pub fn expect_code(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", describe(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh, empty scratch directory under `target/cli-tests/<name>` (removed first if it
/// exists), on the same file system as the build so that syncs are real.
pub fn scratch(name: &str) -> PathBuf {
    let base = liuhen_bin()
        .parent()
        .and_then(Path::parent)
        .map(|t| t.join("cli-tests"))
        .expect("target directory");
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Held while a test process has a store open as its writer, and while it runs the binary: a
/// child forked by another test thread inherits the open lock file until it execs, and would
/// hold the writer lock the binary then needs (flock locks belong to the open file).
static FORK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Taken around every place a test opens a store as its writer (see [`liuhen_guarded`]).
pub fn fork_guard() -> std::sync::MutexGuard<'static, ()> {
    FORK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs the binary, never while this process holds a writer lock ([`fork_guard`]): for tests
/// that open stores as writers in-process and also run the binary.
pub fn liuhen_guarded<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let _guard = fork_guard();
    liuhen(args)
}

/// Standard output of a run, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `text` parsed as JSON, failing the test with the text if it is not.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Standard error of a run, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code and that standard error contains every one of `needles`, showing the
/// run on failure; returns standard error.
pub fn expect_stderr(out: &Output, code: i32, needles: &[&str]) -> String {
    expect_code(out, code);
    let err = stderr(out);
    for needle in needles {
        assert!(
            err.contains(needle),
            "{needle:?} missing: {}",
            describe(out)
        );
    }
    err
}

/// A path as a `&str` argument (test paths are UTF-8).
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 test path")
}

/// Whose key `liuhen authorize` registers.
pub enum Whom<'a> {
    /// `--vkey-of FILE`.
    VkeyOf(&'a str),
    /// `--public KEY`.
    Public(&'a str),
}

/// `liuhen authorize DIR --key-file KEY (--vkey-of FILE | --public PK) --role ROLE --holder
/// HOLDER EXTRA...`.
pub fn authorize(
    dir: &str,
    key_file: &str,
    whom: Whom<'_>,
    role: &str,
    holder: &str,
    extra: &[&str],
) -> Output {
    let (flag, value) = match whom {
        Whom::VkeyOf(v) => ("--vkey-of", v),
        Whom::Public(p) => ("--public", p),
    };
    let mut args = vec![
        "authorize",
        dir,
        "--key-file",
        key_file,
        flag,
        value,
        "--role",
        role,
        "--holder",
        holder,
    ];
    args.extend_from_slice(extra);
    liuhen(args)
}

/// `liuhen revoke DIR --key-file KEY --public PK --reason REASON`.
pub fn revoke(dir: &str, key_file: &str, public: &str, reason: &str) -> Output {
    liuhen([
        "revoke",
        dir,
        "--key-file",
        key_file,
        "--public",
        public,
        "--reason",
        reason,
    ])
}

/// `liuhen init DIR --origin ORIGIN --json`, which must exit 0: its JSON and the run.
pub fn init_json(dir: &Path) -> (serde_json::Value, Output) {
    let out = liuhen([
        "init".as_ref(),
        dir.as_os_str(),
        "--origin".as_ref(),
        super::ORIGIN.as_ref(),
        "--json".as_ref(),
    ]);
    let json = serde_json::from_str(&expect_code(&out, 0)).expect("init --json prints JSON");
    (json, out)
}

/// Asserts the exit code and that standard error is one sentence (one line) naming `needle`;
/// returns standard error.
pub fn expect_one_sentence(out: &Output, code: i32, needle: &str) -> String {
    let err = expect_stderr(out, code, &[needle]);
    assert_eq!(err.lines().count(), 1, "one sentence: {}", describe(out));
    err
}

/// `liuhen COMMAND DIR` for a `DIR` that does not exist (in a fresh scratch directory `name`):
/// exit 3 and one sentence that names it.
pub fn expect_missing_dir_refused(command: &str, name: &str) {
    let missing = scratch(name).join("no-such-ledger").display().to_string();
    let out = liuhen([command.to_string(), missing.clone()]);
    expect_one_sentence(&out, 3, &missing);
}

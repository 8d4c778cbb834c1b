//! A ledger directory on disk (`liuhen::dir::LedgerDir`), made the way `liuhen init` makes one:
//! `DIR/ledger` (the file store with genesis and a first checkpoint), `DIR/media`,
//! `DIR/ledger.vkey`, and the ledger key in `DIR/keys/ledger.key` (mode 0600, its directory
//! 0700) with its seal state beside it. Made with the library and the fixed test keys (so tests
//! can sign), or by the real binary ([`TestDir::init_with_binary`]).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use liuhen::media::MediaStore;
use liuhen::store::file::FileStore;
use liuhen::{Ledger, LedgerDir, LedgerOptions, SystemClock};

use super::builder::{Built, LedgerBuilder};

/// Where `liuhen init` puts a generated ledger key, inside the directory.
pub const KEY_FILE: &str = "keys/ledger.key";

/// A ledger directory made for a test.
pub struct TestDir {
    pub dir: LedgerDir,
    /// The ledger key file (mode 0600).
    pub key_file: PathBuf,
}

impl TestDir {
    /// Makes `root` a ledger directory from `builder` (which must not have a store yet): its
    /// file store, media store, verifier key and key file, as `liuhen init` lays them out.
    /// Returns the directory and the ledger, still open as the writer.
    pub fn create(root: &Path, builder: LedgerBuilder) -> (TestDir, Built<FileStore>) {
        let dir = LedgerDir::new(root);
        std::fs::create_dir_all(root).unwrap();
        let built = builder.file_store(dir.store_dir()).build();
        let key_file = root.join(KEY_FILE);
        write_key_file(&key_file, built.ledger.origin(), &built.k.ledger);
        liuhen::keyfile::write_seal_state(
            &liuhen::keyfile::seal_state_path(&key_file),
            &built.ledger.seal_state().unwrap(),
        )
        .unwrap();
        MediaStore::create(dir.media_dir()).unwrap();
        built.write_vkey(&dir.vkey_path());
        (TestDir { dir, key_file }, built)
    }

    /// `liuhen init ROOT --origin ORIGIN` by the real binary (a generated key); fails the test
    /// unless it exits 0. Run under [`super::cli::fork_guard`]: a child forked while another
    /// test thread has a writer open would keep that writer's lock.
    pub fn init_with_binary(root: &Path, origin: &str) -> TestDir {
        let out = super::cli::liuhen_guarded([
            "init".as_ref(),
            root.as_os_str(),
            "--origin".as_ref(),
            origin.as_ref(),
        ]);
        super::cli::expect_code(&out, 0);
        TestDir {
            dir: LedgerDir::new(root),
            key_file: root.join(KEY_FILE),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.root()
    }

    /// `DIR/ledger/NAME`: a file of the store.
    pub fn store_file(&self, name: &str) -> PathBuf {
        self.dir.store_dir().join(name)
    }

    /// The ledger key read back from its file.
    pub fn ledger_key(&self) -> liuhen::SecretKey {
        liuhen::keyfile::read_secret_key(&self.key_file).unwrap().1
    }

    /// Opens the ledger as its writer on the system clock (hold [`super::cli::fork_guard`]
    /// while it is open if the test also runs the binary).
    pub fn writer(&self) -> Ledger<FileStore> {
        self.writer_on(Arc::new(SystemClock))
    }

    pub fn writer_on(&self, clock: Arc<dyn liuhen::Clock>) -> Ledger<FileStore> {
        self.dir
            .open_writer_with(clock, LedgerOptions::default())
            .unwrap()
    }

    pub fn media(&self) -> MediaStore {
        self.dir.media().unwrap().expect("DIR/media")
    }
}

/// Writes `key` named `name` to `path` as `liuhen init` does: its directory created 0700, the
/// file 0600.
pub fn write_key_file(path: &Path, name: &str, key: &liuhen::SecretKey) {
    if let Some(parent) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(parent).unwrap();
    }
    liuhen::keyfile::write_secret_key(path, name, key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} must be mode 0600", path.display());
    }
}

/// A ledger directory made by the real `liuhen init` in `ROOT/jinpu` (its generated key in
/// `DIR/keys`), with the auditor's copy of its verifier key beside it at `ROOT/auditor.vkey`
/// (never inside: what the auditor trusts must not come from the directory under audit).
/// Runs of the binary take [`super::cli::fork_guard`]: hold it while a writer is open.
pub struct AuditedDir {
    pub root: PathBuf,
    pub dir: PathBuf,
    pub key: PathBuf,
    pub vkey: PathBuf,
}

impl AuditedDir {
    pub fn init(root: PathBuf) -> AuditedDir {
        let dir = root.join("jinpu");
        let made = TestDir::init_with_binary(&dir, super::ORIGIN);
        let vkey = root.join("auditor.vkey");
        std::fs::copy(made.dir.vkey_path(), &vkey).unwrap();
        AuditedDir {
            root,
            dir,
            key: made.key_file,
            vkey,
        }
    }

    /// The ledger key's seal state, beside the key.
    pub fn state(&self) -> PathBuf {
        liuhen::keyfile::seal_state_path(&self.key)
    }

    /// The ledger key read from its file.
    pub fn ledger_key(&self) -> liuhen::SecretKey {
        liuhen::keyfile::read_secret_key(&self.key).unwrap().1
    }

    /// Opens the ledger as its writer on the system clock.
    pub fn writer(&self) -> Ledger<FileStore> {
        LedgerDir::new(&self.dir)
            .open_writer_with(Arc::new(SystemClock), LedgerOptions::default())
            .unwrap()
    }

    /// Signs and appends each `(author, event)` as the bureau's writer does, through a writer
    /// opened for the purpose while holding the fork guard.
    pub fn append(&self, statements: Vec<(&dyn liuhen::Signer, liuhen::Event)>) {
        let _guard = super::cli::fork_guard();
        let mut ledger = self.writer();
        for (author, event) in statements {
            ledger.sign_and_append(author, event).unwrap();
        }
    }

    /// The store, read-only.
    pub fn store(&self) -> FileStore {
        FileStore::open_read_only(self.dir.join("ledger")).unwrap()
    }

    /// `liuhen seal DIR --key-file KEY`.
    pub fn seal(&self) -> std::process::Output {
        super::cli::liuhen_guarded([
            "seal".as_ref(),
            self.dir.as_os_str(),
            "--key-file".as_ref(),
            self.key.as_os_str(),
        ])
    }

    /// The number of entries in the store.
    pub fn size(&self) -> u64 {
        self.store().size()
    }

    /// The event of entry `seq`, read from the store.
    pub fn event_at(&self, seq: u64) -> liuhen::Event {
        let bytes = liuhen::store::StoreRead::entry_bytes(&self.store(), seq).unwrap();
        liuhen::Entry::from_bytes(&bytes)
            .unwrap()
            .statement
            .statement
            .event
    }

    /// `liuhen keygen --name NAME ROOT/FILE` (its vkey beside it, `ROOT/FILE.vkey`): the path.
    pub fn keygen(&self, name: &str, file: &str) -> PathBuf {
        let path = self.root.join(file);
        let out = super::cli::liuhen_guarded([
            "keygen".as_ref(),
            "--name".as_ref(),
            std::ffi::OsStr::new(name),
            path.as_os_str(),
        ]);
        super::cli::expect_code(&out, 0);
        path
    }

    /// `liuhen authorize DIR --vkey-of KEY.vkey --role ROLE --holder HOLDER` signed with the
    /// ledger key; fails the test unless it exits 0.
    pub fn authorize(&self, key: &Path, role: &str, holder: &str) {
        let _guard = super::cli::fork_guard();
        let vkey_of = format!("{}.vkey", super::cli::path_str(key));
        let out = super::cli::authorize(
            super::cli::path_str(&self.dir),
            super::cli::path_str(&self.key),
            super::cli::Whom::VkeyOf(&vkey_of),
            role,
            holder,
            &[],
        );
        super::cli::expect_code(&out, 0);
    }

    /// `liuhen seal`, which must exit 0.
    pub fn seal_ok(&self) {
        super::cli::expect_code(&self.seal(), 0);
    }

    /// `liuhen append DIR --sign-with KEY --json -` of one `{"event": …}` line per event, which
    /// must exit 0: the entry numbers.
    pub fn append_json(&self, key: &Path, events: &[serde_json::Value]) -> Vec<u64> {
        let input: String = events
            .iter()
            .map(|e| format!("{}\n", serde_json::json!({ "event": e })))
            .collect();
        let args = [
            "append".as_ref(),
            self.dir.as_os_str(),
            "--sign-with".as_ref(),
            key.as_os_str(),
            "--json".as_ref(),
            "-".as_ref(),
        ];
        let out = {
            let _guard = super::cli::fork_guard();
            super::cli::liuhen_stdin(args, input.as_bytes())
        };
        super::cli::expect_code(&out, 0)
            .lines()
            .map(|l| super::cli::json(l)["seq"].as_u64().unwrap())
            .collect()
    }

    /// `liuhen vault VERB DIR --field FIELD --value-file -` with `value` on stdin (`VERB` is
    /// `commit`, or its old name `seal`), which must exit 0: the commitment it prints.
    pub fn commit_value(&self, verb: &str, field: &str, value: &str) -> String {
        let out = self.vault_stdin(verb, field, value.as_bytes(), &[]);
        super::cli::expect_code(&out, 0).trim().to_owned()
    }

    /// `liuhen vault VERB DIR --field FIELD --value-file - EXTRA...` with `input` on stdin.
    pub fn vault_stdin(
        &self,
        verb: &str,
        field: &str,
        input: &[u8],
        extra: &[&str],
    ) -> std::process::Output {
        let mut args = vec![
            "vault",
            verb,
            super::cli::path_str(&self.dir),
            "--field",
            field,
            "--value-file",
            "-",
        ];
        args.extend_from_slice(extra);
        let _guard = super::cli::fork_guard();
        super::cli::liuhen_stdin(args, input)
    }

    /// `liuhen vault show DIR --case CASE --key-file KEY --purpose PURPOSE EXTRA...`.
    pub fn vault_show(
        &self,
        case_no: &str,
        key: &Path,
        purpose: &str,
        extra: &[&str],
    ) -> std::process::Output {
        let mut args = self.case_args("vault", "show", case_no, key);
        args.extend_from_slice(&["--purpose", purpose]);
        args.extend_from_slice(extra);
        super::cli::liuhen_guarded(args)
    }

    /// `liuhen bundle export DIR --case CASE --key-file KEY EXTRA...`.
    pub fn bundle_export(&self, case_no: &str, key: &Path, extra: &[&str]) -> std::process::Output {
        let mut args = self.case_args("bundle", "export", case_no, key);
        args.extend_from_slice(extra);
        super::cli::liuhen_guarded(args)
    }

    /// As [`Self::bundle_export`], with `input` on stdin (`--to-file -`).
    pub fn bundle_export_stdin(
        &self,
        case_no: &str,
        key: &Path,
        extra: &[&str],
        input: &[u8],
    ) -> std::process::Output {
        let mut args = self.case_args("bundle", "export", case_no, key);
        args.extend_from_slice(extra);
        let _guard = super::cli::fork_guard();
        super::cli::liuhen_stdin(args, input)
    }

    /// `liuhen COMMAND SUB DIR --case CASE --key-file KEY`.
    fn case_args<'a>(
        &'a self,
        command: &'a str,
        sub: &'a str,
        case_no: &'a str,
        key: &'a Path,
    ) -> Vec<&'a str> {
        let dir = super::cli::path_str(&self.dir);
        let key = super::cli::path_str(key);
        vec![command, sub, dir, "--case", case_no, "--key-file", key]
    }

    /// `liuhen verify DIR --vkey VKEY --no-audit EXTRA...`.
    pub fn verify(&self, extra: &[&str]) -> std::process::Output {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "verify".as_ref(),
            self.dir.as_os_str(),
            "--vkey".as_ref(),
            self.vkey.as_os_str(),
            "--no-audit".as_ref(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        super::cli::liuhen_guarded(args)
    }
}

/// An [`AuditedDir`] staffed by `liuhen keygen`: an officer key authorized as `21020001`, a
/// stranger's key the ledger never authorized, and (if asked) a data-protection approver's key
/// authorized as auditor `dpo-jinpu`, their files (and `.vkey`s) in the root beside the
/// directory.
pub struct StaffedDir {
    pub audited: AuditedDir,
    pub officer: PathBuf,
    pub stranger: PathBuf,
    approver: Option<PathBuf>,
}

impl std::ops::Deref for StaffedDir {
    type Target = AuditedDir;
    fn deref(&self) -> &AuditedDir {
        &self.audited
    }
}

impl StaffedDir {
    pub fn init(root: PathBuf, with_approver: bool) -> StaffedDir {
        let audited = AuditedDir::init(root);
        let officer = audited.keygen("officer-21020001", "officer.key");
        let stranger = audited.keygen("stranger", "stranger.key");
        let approver = with_approver.then(|| audited.keygen("dpo-jinpu", "dpo.key"));
        audited.authorize(&officer, "officer", "21020001");
        if let Some(approver) = &approver {
            audited.authorize(approver, "auditor", "dpo-jinpu");
        }
        StaffedDir {
            audited,
            officer,
            stranger,
            approver,
        }
    }

    /// The approver's key file (made with `with_approver`).
    pub fn approver(&self) -> &Path {
        self.approver.as_deref().expect("made without an approver")
    }
}

/// A fresh, empty directory `CARGO_TARGET_TMPDIR/NAME` (removed first if it exists), for the
/// library's tests (which do not need the binary's target directory).
pub fn tmp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                hits.push(p);
            }
        }
    }
    hits
}

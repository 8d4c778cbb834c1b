//! The witness side of `add-checkpoint`: a witness directory, its trusted logs, its durable
//! record of the latest checkpoint it cosigned per origin, and the evidence of split views it
//! refused.
//!
//! Layout of a witness directory (docs/witness/service.md):
//!
//! ```text
//! WDIR/witness.key                 the witness's signer key (mode 0600, keyfile format)
//! WDIR/witness.vkey                its cosignature/v1 verifier key (type 0x04)
//! WDIR/lock                        held (flock) by the one process serving WDIR
//! WDIR/logs/<id>.vkey              one trusted log verifier key each (id: 16 hex digits of
//!                                  SHA-256 of the vkey line)
//! WDIR/checkpoints/<origin-hash>   the latest checkpoint cosigned for that origin, as a signed
//!                                  note carrying the log's signatures and this cosignature
//! WDIR/conflicts/<origin-hash>/<n>/{cosigned,refused,request,reason}
//!                                  one refused, log-signed checkpoint that contradicts the
//!                                  one cosigned before (n: 20 digits, from 1)
//! ```
//!
//! `<origin-hash>` is the lower-case hex SHA-256 of the origin line.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the witness directory.
#![allow(clippy::disallowed_methods)]
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::Digest as _;

use crate::checkpoint::{
    cosign, is_valid_key_name, CheckpointError, Note, NoteSignature, NoteVerifier, SignatureType,
    SignedCheckpoint, MAX_NOTE_BYTES,
};
use crate::hash::{Digest, Sha256TreeHasher};
use crate::keyfile::{self, KeyFileError};
use crate::keys::{SecretKey, Signer as _};
use crate::merkle;

use super::request::{AddCheckpointRequest, RequestError, MAX_REQUEST_BYTES};

/// Errors of the witness's own files (never the client's fault: HTTP 500, CLI exit 3).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The key or a vkey file could not be read or written.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A file of the witness directory does not hold what it should.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Another process serves this witness directory.
    #[error("{path}: another process holds the witness directory's lock")]
    Busy {
        /// The lock file.
        path: PathBuf,
    },
    /// A name or key that cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// Cosigning failed.
    #[error("cosigning: {0}")]
    Cosign(#[from] CheckpointError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WitnessError + '_ {
    move |source| WitnessError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Why the witness did not cosign, with the status `tlog-witness` prescribes for it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The body does not parse: 400.
    #[error("malformed request: {0}")]
    Malformed(#[from] RequestError),
    /// No trusted log has this origin: 404.
    #[error("unknown origin {origin:?}")]
    UnknownOrigin {
        /// The checkpoint's origin.
        origin: String,
    },
    /// No signature of a trusted key for the origin verifies: 403.
    #[error("no signature of a trusted key of {origin:?} verifies")]
    NotSigned {
        /// The checkpoint's origin.
        origin: String,
    },
    /// The old size is larger than the checkpoint's: 400.
    #[error("old size {old_size} is larger than the checkpoint size {size}")]
    OldSizeTooLarge {
        /// The request's old size.
        old_size: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The old size is not the size of the latest cosigned checkpoint: 409, body
    /// `<latest>\n` as `text/x.tlog.size`.
    #[error("old size {old_size} is not the latest cosigned size {latest}")]
    OldSizeMismatch {
        /// The request's old size.
        old_size: u64,
        /// The size of the latest checkpoint cosigned for the origin (0 if none).
        latest: u64,
    },
    /// Same size as the latest cosigned checkpoint, another root: 409. A split view, kept as
    /// evidence.
    #[error("size {size} was cosigned with another root: split view (evidence {evidence})")]
    RootMismatch {
        /// The size.
        size: u64,
        /// Where the pair was kept, or why it could not be.
        evidence: Kept,
    },
    /// The consistency proof does not verify: 422. Kept as evidence.
    #[error("consistency proof from {old_size} to {size} does not verify: {reason} (evidence {evidence})")]
    Inconsistent {
        /// The old size.
        old_size: u64,
        /// The checkpoint's size.
        size: u64,
        /// What the verifier said.
        reason: String,
        /// Where the pair was kept, or why it could not be.
        evidence: Kept,
    },
    /// The witness could not read or persist its state: 500; nothing was cosigned.
    #[error("witness failure, nothing cosigned: {0}")]
    Internal(#[from] WitnessError),
}

/// Where evidence was kept.
#[derive(Debug)]
pub enum Kept {
    /// The evidence directory.
    At(PathBuf),
    /// It could not be written (the refusal stands).
    NotKept(String),
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kept::At(p) => write!(f, "kept in {}", p.display()),
            Kept::NotKept(why) => write!(f, "NOT kept: {why}"),
        }
    }
}

impl Refusal {
    /// The HTTP status `tlog-witness` v1.0.0 prescribes.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) | Refusal::OldSizeTooLarge { .. } => 400,
            Refusal::NotSigned { .. } => 403,
            Refusal::UnknownOrigin { .. } => 404,
            Refusal::OldSizeMismatch { .. } | Refusal::RootMismatch { .. } => 409,
            Refusal::Inconsistent { .. } => 422,
            Refusal::Internal(_) => 500,
        }
    }

    /// For a 409 on the old size: the latest cosigned size, for the `text/x.tlog.size` body.
    pub fn latest_size(&self) -> Option<u64> {
        match self {
            Refusal::OldSizeMismatch { latest, .. } => Some(*latest),
            _ => None,
        }
    }
}

/// One refused checkpoint kept as evidence, with the cosigned checkpoint it contradicts.
#[derive(Clone, Debug)]
pub struct SplitView {
    /// The log's origin.
    pub origin: String,
    /// The evidence directory.
    pub path: PathBuf,
    /// The status answered (409 or 422).
    pub status: u16,
    /// Why it was refused.
    pub reason: String,
    /// When (the witness's clock, seconds since the Unix epoch).
    pub received_at: u64,
    /// The checkpoint the witness had cosigned (log signatures and this witness's cosignature).
    pub cosigned: SignedCheckpoint,
    /// The log-signed checkpoint refused.
    pub refused: SignedCheckpoint,
    /// The whole request body (with its consistency proof).
    pub request: Vec<u8>,
}

/// A witness directory's paths, and what can be done without the witness key.
#[derive(Clone, Debug)]
pub struct WitnessDir {
    root: PathBuf,
}

/// The lower-case hex SHA-256 of an origin: its file name in `checkpoints/` and `conflicts/`.
pub fn origin_file_name(origin: &str) -> String {
    Digest::from_bytes(sha2::Sha256::digest(origin.as_bytes()).into()).to_hex()
}

impl WitnessDir {
    /// The directory at `root` (nothing is read).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WitnessDir { root: root.into() }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `WDIR/witness.key`.
    pub fn key_path(&self) -> PathBuf {
        self.root.join("witness.key")
    }

    /// `WDIR/witness.vkey`.
    pub fn vkey_path(&self) -> PathBuf {
        self.root.join("witness.vkey")
    }

    /// `WDIR/logs`.
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// `WDIR/checkpoints`.
    pub fn checkpoints_dir(&self) -> PathBuf {
        self.root.join("checkpoints")
    }

    /// `WDIR/conflicts`.
    pub fn conflicts_dir(&self) -> PathBuf {
        self.root.join("conflicts")
    }

    /// `WDIR/checkpoints/<origin-hash>`.
    pub fn checkpoint_path(&self, origin: &str) -> PathBuf {
        self.checkpoints_dir().join(origin_file_name(origin))
    }

    /// Creates a witness named `name`: the directories, a new key (`witness.key`, mode 0600)
    /// and `witness.vkey`. Returns the witness's verifier key.
    ///
    /// # Errors
    /// [`WitnessError::Invalid`] for a name that is not a key name; [`KeyFileError::Exists`]
    /// if a key is there already; I/O errors.
    pub fn init(root: impl Into<PathBuf>, name: &str) -> Result<NoteVerifier, WitnessError> {
        if !is_valid_key_name(name) {
            return Err(WitnessError::Invalid(format!(
                "{name:?} is not a valid key name (non-empty, no spaces or '+')"
            )));
        }
        let dir = WitnessDir::new(root);
        for d in [
            dir.root.clone(),
            dir.logs_dir(),
            dir.checkpoints_dir(),
            dir.conflicts_dir(),
        ] {
            fs::create_dir_all(&d).map_err(io(&d))?;
        }
        let key = SecretKey::generate()
            .map_err(|e| WitnessError::Invalid(format!("cannot generate a key: {e}")))?;
        let vkey = NoteVerifier::for_witness(name, key.public_key())
            .map_err(|e| WitnessError::Invalid(e.to_string()))?;
        keyfile::write_secret_key(&dir.key_path(), name, &key)?;
        keyfile::write_verifier_key(&dir.vkey_path(), &vkey)?;
        Ok(vkey)
    }

    /// Trusts `log` (an Ed25519 note key; its name is the log's origin). Returns false when it
    /// was trusted already. A running witness reads the list when it starts.
    ///
    /// # Errors
    /// [`WitnessError::Invalid`] for a key that is not a log key; I/O errors.
    pub fn add_log(&self, log: &NoteVerifier) -> Result<bool, WitnessError> {
        if log.signature_type() != SignatureType::Ed25519 {
            return Err(WitnessError::Invalid(format!(
                "{} is not a log key (signature type 0x01)",
                log.name()
            )));
        }
        let line = log.to_string();
        let id = Digest::from_bytes(sha2::Sha256::digest(line.as_bytes()).into()).to_hex();
        let dir = self.logs_dir();
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("{}.vkey", id.get(..16).unwrap_or(&id)));
        match keyfile::write_verifier_key(&path, log) {
            Ok(()) => Ok(true),
            Err(KeyFileError::Exists { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The trusted log keys, by origin.
    ///
    /// # Errors
    /// I/O errors, or a file of `logs/` that is not a vkey.
    pub fn trusted_logs(&self) -> Result<HashMap<String, Vec<NoteVerifier>>, WitnessError> {
        let mut out: HashMap<String, Vec<NoteVerifier>> = HashMap::new();
        for path in list(&self.logs_dir())? {
            if path.extension().is_some_and(|e| e == "vkey") {
                let vkey = keyfile::read_verifier_key(&path)?;
                out.entry(vkey.name().to_owned()).or_default().push(vkey);
            }
        }
        Ok(out)
    }

    /// The latest checkpoint cosigned for `origin`, as persisted.
    ///
    /// # Errors
    /// I/O errors or a damaged file.
    pub fn latest(&self, origin: &str) -> Result<Option<SignedCheckpoint>, WitnessError> {
        let path = self.checkpoint_path(origin);
        match read_bounded(&path, MAX_NOTE_BYTES) {
            Ok(bytes) => parse_note(&path, &bytes).map(Some),
            Err(WitnessError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Every persisted latest checkpoint, by origin.
    ///
    /// # Errors
    /// I/O errors, or a file whose checkpoint's origin does not hash to its name.
    pub fn all_latest(&self) -> Result<HashMap<String, SignedCheckpoint>, WitnessError> {
        let mut out = HashMap::new();
        for path in list(&self.checkpoints_dir())? {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let signed = parse_note(&path, &read_bounded(&path, MAX_NOTE_BYTES)?)?;
            let origin = signed.checkpoint().origin.clone();
            if origin_file_name(&origin) != name {
                return Err(WitnessError::Corrupt {
                    path,
                    reason: format!("holds a checkpoint of {origin:?}, whose file name differs"),
                });
            }
            out.insert(origin, signed);
        }
        Ok(out)
    }

    /// The split views kept (refused checkpoints with the cosigned ones they contradict), of
    /// `origin` or of every origin, oldest first per origin.
    ///
    /// # Errors
    /// I/O errors or a damaged evidence file.
    pub fn evidence(&self, origin: Option<&str>) -> Result<Vec<SplitView>, WitnessError> {
        let dirs = match origin {
            Some(o) => vec![self.conflicts_dir().join(origin_file_name(o))],
            None => list(&self.conflicts_dir())?,
        };
        let mut out = Vec::new();
        for dir in dirs {
            for entry in list(&dir)? {
                let hidden = entry
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_none_or(|n| n.starts_with('.'));
                if !hidden {
                    out.push(read_split_view(&entry)?);
                }
            }
        }
        Ok(out)
    }
}

/// The entries of `dir`, sorted; none if it does not exist.
fn list(dir: &Path) -> Result<Vec<PathBuf>, WitnessError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        out.push(entry.map_err(io(dir))?.path());
    }
    out.sort();
    Ok(out)
}

fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>, WitnessError> {
    let file = File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() > max {
        return Err(WitnessError::Corrupt {
            path: path.to_owned(),
            reason: format!("larger than {max} bytes"),
        });
    }
    Ok(bytes)
}

fn parse_note(path: &Path, bytes: &[u8]) -> Result<SignedCheckpoint, WitnessError> {
    SignedCheckpoint::parse(bytes).map_err(|e| WitnessError::Corrupt {
        path: path.to_owned(),
        reason: format!("not a signed checkpoint: {e}"),
    })
}

fn read_split_view(dir: &Path) -> Result<SplitView, WitnessError> {
    let cosigned = parse_note(
        &dir.join("cosigned"),
        &read_bounded(&dir.join("cosigned"), MAX_NOTE_BYTES)?,
    )?;
    let refused = parse_note(
        &dir.join("refused"),
        &read_bounded(&dir.join("refused"), MAX_NOTE_BYTES)?,
    )?;
    let request = read_bounded(&dir.join("request"), MAX_REQUEST_BYTES)?;
    let reason_path = dir.join("reason");
    let text = String::from_utf8(read_bounded(&reason_path, 64 * 1024)?).map_err(|_| {
        WitnessError::Corrupt {
            path: reason_path.clone(),
            reason: "not UTF-8".into(),
        }
    })?;
    let corrupt = |what: &str| WitnessError::Corrupt {
        path: reason_path.clone(),
        reason: format!("no valid `{what}` line"),
    };
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
    };
    let status = field("status")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| corrupt("status"))?;
    let received_at = field("received")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| corrupt("received"))?;
    let reason = field("reason").ok_or_else(|| corrupt("reason"))?.to_owned();
    Ok(SplitView {
        origin: refused.checkpoint().origin.clone(),
        path: dir.to_owned(),
        status,
        reason,
        received_at,
        cosigned,
        refused,
        request,
    })
}

/// Writes `bytes` to `path` durably and atomically: a temporary file beside it, synced,
/// renamed over `path`, and the directory synced.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), WitnessError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
    let temp = dir.join(format!(".{name}.tmp"));
    let mut file = File::create(&temp).map_err(io(&temp))?;
    file.write_all(bytes).map_err(io(&temp))?;
    file.sync_all().map_err(io(&temp))?;
    drop(file);
    fs::rename(&temp, path).map_err(io(path))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), WitnessError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// A witness ready to cosign: its key, its trusted logs and its state, held by this process.
pub struct Witness {
    dir: WitnessDir,
    name: String,
    key: SecretKey,
    vkey: NoteVerifier,
    logs: HashMap<String, Vec<NoteVerifier>>,
    /// The latest cosigned checkpoint per origin. One lock for the witness: the old-size check
    /// and the durable update happen under it, so concurrent requests never roll back.
    state: Mutex<HashMap<String, SignedCheckpoint>>,
    _lock: File,
}

impl std::fmt::Debug for Witness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witness")
            .field("dir", &self.dir)
            .field("vkey", &self.vkey)
            .field("logs", &self.logs.len())
            .finish_non_exhaustive()
    }
}

impl Witness {
    /// Opens the witness directory at `root`: reads the key (mode 0600), the trusted logs and
    /// the state, and takes the directory's lock.
    ///
    /// # Errors
    /// [`WitnessError`]; [`WitnessError::Busy`] if another process serves it.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, WitnessError> {
        let dir = WitnessDir::new(root);
        let lock_path = dir.root.join("lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(WitnessError::Busy { path: lock_path })
            }
            Err(fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let (name, key) = keyfile::read_secret_key(&dir.key_path())?;
        let vkey = NoteVerifier::for_witness(&name, key.public_key())
            .map_err(|e| WitnessError::Invalid(e.to_string()))?;
        let logs = dir.trusted_logs()?;
        for d in [dir.checkpoints_dir(), dir.conflicts_dir()] {
            fs::create_dir_all(&d).map_err(io(&d))?;
        }
        let state = dir.all_latest()?;
        Ok(Witness {
            dir,
            name,
            key,
            vkey,
            logs,
            state: Mutex::new(state),
            _lock: lock,
        })
    }

    /// The witness's verifier key (cosignature/v1).
    pub fn vkey(&self) -> &NoteVerifier {
        &self.vkey
    }

    /// Its directory.
    pub fn dir(&self) -> &WitnessDir {
        &self.dir
    }

    /// The origins it witnesses.
    pub fn origins(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.logs.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// The size of the latest checkpoint cosigned for `origin` (0 if none).
    pub fn latest_size(&self, origin: &str) -> u64 {
        self.state
            .lock()
            .map(|s| s.get(origin).map_or(0, |c| c.checkpoint().size))
            .unwrap_or(0)
    }

    /// [`Witness::add_checkpoint`] as the tlog-witness answer: 200 with the cosignature lines,
    /// a refusal's status with `text/x.tlog.size` and the latest size when it carries one, else
    /// its sentence as plain text. Every transport (HTTP, in process) answers with this, and the
    /// refusal, if any, for its log.
    pub fn answer(
        &self,
        body: &[u8],
        now: u64,
    ) -> (super::client::TransportResponse, Option<Refusal>) {
        use super::client::{TransportResponse, SIZE_CONTENT_TYPE};
        const PLAIN: &str = "text/plain; charset=utf-8";
        match self.add_checkpoint(body, now) {
            Ok(lines) => (
                TransportResponse {
                    status: 200,
                    content_type: Some(PLAIN.into()),
                    body: lines
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect::<String>()
                        .into_bytes(),
                },
                None,
            ),
            Err(refusal) => {
                let response = match refusal.latest_size() {
                    Some(size) => TransportResponse {
                        status: refusal.status(),
                        content_type: Some(SIZE_CONTENT_TYPE.into()),
                        body: format!("{size}\n").into_bytes(),
                    },
                    None => TransportResponse {
                        status: refusal.status(),
                        content_type: Some(PLAIN.into()),
                        body: format!("{refusal}\n").into_bytes(),
                    },
                };
                (response, Some(refusal))
            }
        }
    }

    /// Handles one `add-checkpoint` request body at time `now` (seconds since the Unix epoch):
    /// the checks of `tlog-witness` v1.0.0 in its order, then the new latest checkpoint is
    /// persisted durably, and only then the cosignature returned (one signature line).
    ///
    /// # Errors
    /// [`Refusal`], whose [`Refusal::status`] is the HTTP status to answer.
    pub fn add_checkpoint(&self, body: &[u8], now: u64) -> Result<Vec<NoteSignature>, Refusal> {
        let request = AddCheckpointRequest::parse(body)?;
        let signed = &request.checkpoint;
        let checkpoint = signed.checkpoint();
        let origin = checkpoint.origin.as_str();
        let keys = self
            .logs
            .get(origin)
            .ok_or_else(|| Refusal::UnknownOrigin {
                origin: origin.to_owned(),
            })?;
        // Signatures of unknown keys are ignored: one trusted key that verifies is enough.
        if !keys.iter().any(|k| signed.verify(k).is_ok()) {
            return Err(Refusal::NotSigned {
                origin: origin.to_owned(),
            });
        }
        if request.old_size > checkpoint.size {
            return Err(Refusal::OldSizeTooLarge {
                old_size: request.old_size,
                size: checkpoint.size,
            });
        }
        let mut state = self.state.lock().map_err(|_| {
            Refusal::Internal(WitnessError::Invalid(
                "the witness state lock was poisoned".into(),
            ))
        })?;
        let latest = state.get(origin);
        let latest_size = latest.map_or(0, |c| c.checkpoint().size);
        if request.old_size != latest_size {
            return Err(Refusal::OldSizeMismatch {
                old_size: request.old_size,
                latest: latest_size,
            });
        }
        if let Some(latest) = latest {
            let old_root = latest.checkpoint().root;
            if latest_size == checkpoint.size && old_root != checkpoint.root {
                let evidence = self.keep(latest, body, now, 409, "same size, another root");
                return Err(Refusal::RootMismatch {
                    size: checkpoint.size,
                    evidence,
                });
            }
            if latest_size == checkpoint.size && !request.proof.is_empty() {
                // The same tree with a stray proof: malformed, not a split view.
                return Err(Refusal::Inconsistent {
                    old_size: latest_size,
                    size: checkpoint.size,
                    reason: "the proof between equal sizes must be empty".into(),
                    evidence: Kept::NotKept("the same tree as cosigned: nothing to keep".into()),
                });
            }
            if let Err(e) = merkle::verify_consistency(
                &Sha256TreeHasher,
                latest_size,
                checkpoint.size,
                &request.proof,
                &old_root,
                &checkpoint.root,
            ) {
                let reason = e.to_string();
                let evidence = self.keep(latest, body, now, 422, &reason);
                return Err(Refusal::Inconsistent {
                    old_size: latest_size,
                    size: checkpoint.size,
                    reason,
                    evidence,
                });
            }
        }
        let line = cosign(checkpoint, &self.name, &self.key, now)
            .map_err(|e| Refusal::Internal(e.into()))?;
        // What is kept: the log's signature lines as received, and this cosignature (an older
        // line of this witness in the request is dropped).
        let mut lines: Vec<NoteSignature> = signed
            .note()
            .signatures()
            .iter()
            .filter(|s| !s.is_from(&self.vkey))
            .cloned()
            .collect();
        lines.push(line.clone());
        let kept = Note::new(signed.note().text().to_owned(), lines)
            .map_err(CheckpointError::from)
            .and_then(SignedCheckpoint::from_note)
            .map_err(|e| Refusal::Internal(e.into()))?;
        write_durably(
            &self.dir.checkpoint_path(origin),
            kept.to_string().as_bytes(),
        )?;
        state.insert(origin.to_owned(), kept);
        Ok(vec![line])
    }

    /// Keeps a refused, log-signed checkpoint with the cosigned one it contradicts. Called
    /// under the state lock, so the numbering is sequential. A failure to keep it is said in
    /// the refusal, which stands.
    fn keep(
        &self,
        cosigned: &SignedCheckpoint,
        body: &[u8],
        now: u64,
        status: u16,
        reason: &str,
    ) -> Kept {
        let kept = (|| {
            let origin = &cosigned.checkpoint().origin;
            let dir = self.dir.conflicts_dir().join(origin_file_name(origin));
            fs::create_dir_all(&dir).map_err(io(&dir))?;
            let count = list(&dir)?
                .iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.'))
                })
                .count();
            let final_path = dir.join(format!("{:020}", count + 1));
            let temp = dir.join(format!(".{:020}.tmp", count + 1));
            // A leftover of an interrupted write holds nothing that was answered.
            match fs::remove_dir_all(&temp) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&temp)(e)),
            }
            fs::create_dir(&temp).map_err(io(&temp))?;
            // The request parsed, so its checkpoint part is the note after the first blank line.
            let refused = AddCheckpointRequest::parse(body)
                .map(|r| r.checkpoint.to_string())
                .map_err(|e| WitnessError::Invalid(e.to_string()))?;
            let one_line = reason.replace('\n', " ");
            let cosigned_text = cosigned.to_string();
            let reason_text = format!("status {status}\nreceived {now}\nreason {one_line}\n");
            let files: [(&str, &[u8]); 4] = [
                ("cosigned", cosigned_text.as_bytes()),
                ("refused", refused.as_bytes()),
                ("request", body),
                ("reason", reason_text.as_bytes()),
            ];
            for (name, bytes) in files {
                let path = temp.join(name);
                let mut f = File::create(&path).map_err(io(&path))?;
                f.write_all(bytes).map_err(io(&path))?;
                f.sync_all().map_err(io(&path))?;
            }
            sync_dir(&temp)?;
            fs::rename(&temp, &final_path).map_err(io(&final_path))?;
            sync_dir(&dir)?;
            Ok::<_, WitnessError>(final_path)
        })();
        match kept {
            Ok(path) => Kept::At(path),
            Err(e) => Kept::NotKept(e.to_string()),
        }
    }
}

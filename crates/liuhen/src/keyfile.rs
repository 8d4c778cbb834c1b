//! Key files: secret keys written with mode 0600, verifier keys in C2SP `vkey` text.
//!
//! A secret key file holds one line in the Go `note` signer-key form
//! (`PRIVATE+KEY+<name>+<keyhash>+<base64(0x01 || seed)>`, [`parse_skey`], [`format_skey`]),
//! so the same file works with `golang.org/x/mod/sumdb/note` tools. It is created exclusively (never overwriting a key) with
//! mode 0600, synced, and its directory synced; reading refuses a file that group or others can
//! read, as ssh does, because such a key must be presumed disclosed. Secret bytes read or written
//! live only in zeroizing buffers.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): key files, verifier-key files and seal-state files.
#![allow(clippy::disallowed_methods)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::checkpoint::{
    is_valid_key_name, key_id, split_key, KeyIdHex, NoteError, NoteVerifier, SignatureType,
};
use crate::keys::{SecretKey, Signer as _};
use crate::ledger::{SealState, SealStateError, MAX_SEAL_STATE_BYTES};

/// Largest key file read, in bytes. Real ones are under 200.
const MAX_KEY_FILE: u64 = 4096;

/// Errors of key-file handling; each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The OS refused an operation.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A key file already exists there; keys are never overwritten.
    #[error("{path}: a file already exists; refusing to overwrite a key")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The secret key file is readable by group or others.
    #[error("{path}: secret key file has mode {mode:o}; it must not be readable by group or others (chmod 600)")]
    Insecure {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is larger than any key file.
    #[error("{path}: larger than {MAX_KEY_FILE} bytes, not a key file")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// A seal-state file does not parse.
    #[error("{path}: {source}")]
    SealState {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: SealStateError,
    },
    /// The content is not a key in the expected form.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: NoteError,
    },
}

/// The suffix of the seal-state file kept beside a ledger key: `<key file>.seal-state`.
pub const SEAL_STATE_SUFFIX: &str = ".seal-state";

/// Where the seal state of the ledger key at `key_file` is kept: `<key file>.seal-state`.
pub fn seal_state_path(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(SEAL_STATE_SUFFIX);
    PathBuf::from(name)
}

/// Reads a seal state (`docs/STORE.md`, "Seal state"); `Ok(None)` if there is no file.
///
/// # Errors
/// [`KeyFileError::Insecure`] if group or others may write it (it decides what the next seal
/// accepts), [`KeyFileError::TooLarge`], [`KeyFileError::SealState`] if it does not parse, or
/// an I/O error.
pub fn read_seal_state(path: &Path) -> Result<Option<SealState>, KeyFileError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(KeyFileError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    refuse_mode(&file, path, 0o022)?;
    let mut bytes = Vec::new();
    file.take(MAX_SEAL_STATE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() > MAX_SEAL_STATE_BYTES {
        return Err(KeyFileError::TooLarge {
            path: path.to_owned(),
        });
    }
    SealState::parse(&bytes)
        .map(Some)
        .map_err(|source| KeyFileError::SealState {
            path: path.to_owned(),
            source,
        })
}

/// Writes a seal state to `path`, replacing the one there atomically: a temporary file (mode
/// 0600) written and synced, renamed over `path`, and the directory synced.
///
/// # Errors
/// An I/O error; `path` then still holds the previous state.
pub fn write_seal_state(path: &Path, state: &SealState) -> Result<(), KeyFileError> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    // A leftover of an interrupted write holds nothing the state does not.
    match std::fs::remove_file(&temp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(KeyFileError::Io { path: temp, source }),
    }
    let mut file = create_new(&temp, 0o600)?;
    file.write_all(state.to_text().as_bytes())
        .map_err(io(&temp))?;
    file.sync_all().map_err(io(&temp))?;
    drop(file);
    std::fs::rename(&temp, path).map_err(io(path))?;
    sync_parent(path)
}

/// Refuses a file whose permission bits share any of `forbidden` ([`KeyFileError::Insecure`]);
/// no check where there are no Unix permissions.
#[cfg_attr(not(unix), allow(unused_variables))]
fn refuse_mode(file: &File, path: &Path, forbidden: u32) -> Result<(), KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(io(path))?.permissions().mode() & 0o777;
        if mode & forbidden != 0 {
            return Err(KeyFileError::Insecure {
                path: path.to_owned(),
                mode,
            });
        }
    }
    Ok(())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `key` under `name` to a new file at `path` with mode 0600.
///
/// # Errors
/// [`KeyFileError::Exists`] if `path` exists; [`KeyFileError::Io`] otherwise on failure.
pub fn write_secret_key(path: &Path, name: &str, key: &SecretKey) -> Result<(), KeyFileError> {
    let text = format_skey(name, key).map_err(|source| KeyFileError::Parse {
        path: path.to_owned(),
        source,
    })?;
    let mut file = create_new(path, 0o600)?;
    let mut line = Zeroizing::new(String::with_capacity(text.len() + 1));
    line.push_str(&text);
    line.push('\n');
    file.write_all(line.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    sync_parent(path)
}

/// Reads a secret key file: returns the key's name and the key.
///
/// # Errors
/// [`KeyFileError::Insecure`] if group or others may read it, [`KeyFileError::Parse`] if it is
/// not a signer key, or an I/O error.
pub fn read_secret_key(path: &Path) -> Result<(String, SecretKey), KeyFileError> {
    let file = File::open(path).map_err(io(path))?;
    refuse_mode(&file, path, 0o077)?;
    let text = read_limited(file, path)?;
    parse_skey(text.trim_end()).map_err(|source| KeyFileError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// Writes a verifier key (C2SP `vkey` text and a newline) to a new file.
///
/// # Errors
/// [`KeyFileError::Exists`] or an I/O error.
pub fn write_verifier_key(path: &Path, key: &NoteVerifier) -> Result<(), KeyFileError> {
    let mut file = create_new(path, 0o644)?;
    file.write_all(format!("{key}\n").as_bytes())
        .map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    sync_parent(path)
}

/// Reads a verifier key file (C2SP `vkey` text).
///
/// # Errors
/// [`KeyFileError::Parse`] or an I/O error.
pub fn read_verifier_key(path: &Path) -> Result<NoteVerifier, KeyFileError> {
    let file = File::open(path).map_err(io(path))?;
    let text = read_limited(file, path)?;
    NoteVerifier::parse(text.trim_end()).map_err(|source| KeyFileError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// The prefix that keeps a signer key from being mistaken for a verifier key.
const SKEY_PREFIX: &str = "PRIVATE+KEY+";

/// Parses a signer key, `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`, as Go's
/// `note.GenerateKey` writes it, into the key name and the secret key.
///
/// The hash must be the key id of the derived public key as a log key (`0x01`). The same skey
/// can drive a witness: [`cosign`](crate::checkpoint::cosign) computes the `0x04` key id itself, as
/// transparency-dev's `NewSignerForCosignatureV1` does.
///
/// The decoded secret lives only in buffers that are zeroized on drop, and no error shows any
/// part of it.
///
/// # Errors
/// [`NoteError::MalformedSignerKey`], [`NoteError::InvalidKeyName`],
/// [`NoteError::UnknownAlgorithm`] or [`NoteError::KeyIdMismatch`].
pub fn parse_skey(skey: &str) -> Result<(String, SecretKey), NoteError> {
    let rest = skey
        .strip_prefix(SKEY_PREFIX)
        .ok_or(NoteError::MalformedSignerKey)?;
    let (name, declared, b64) = split_key(rest, || NoteError::MalformedSignerKey)?;

    // 33 bytes encode to exactly 44 characters, no padding.
    let engine = &base64::engine::general_purpose::STANDARD;
    if b64.len() != 44 {
        return Err(NoteError::MalformedSignerKey);
    }
    let mut data = Zeroizing::new([0u8; 33]);
    let n = engine
        .decode_slice(b64, data.as_mut())
        .map_err(|_| NoteError::MalformedSignerKey)?;
    let mut again = Zeroizing::new([0u8; 44]);
    let m = engine
        .encode_slice(data.as_ref(), again.as_mut())
        .map_err(|_| NoteError::MalformedSignerKey)?;
    if n != 33 || m != 44 || !bool::from(again.as_ref().ct_eq(b64.as_bytes())) {
        return Err(NoteError::MalformedSignerKey);
    }
    if data[0] != SignatureType::Ed25519.id() {
        return Err(NoteError::UnknownAlgorithm { alg: data[0] });
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&data[1..]);
    let key = SecretKey::from_seed(&seed);
    let computed = key_id(name, SignatureType::Ed25519, &key.public_key());
    if computed != declared {
        return Err(NoteError::KeyIdMismatch {
            name: name.to_owned(),
            declared,
            computed,
        });
    }
    Ok((name.to_owned(), key))
}

/// Writes `key` as a signer key under `name`, in the form [`parse_skey`] reads and Go's
/// `note.NewSigner` accepts.
///
/// The result is a secret: it is zeroized on drop, and no intermediate copy outlives this call.
///
/// # Errors
/// [`NoteError::InvalidKeyName`].
pub fn format_skey(name: &str, key: &SecretKey) -> Result<Zeroizing<String>, NoteError> {
    if !is_valid_key_name(name) {
        return Err(NoteError::InvalidKeyName { line: None });
    }
    let id = key_id(name, SignatureType::Ed25519, &key.public_key());
    let mut data = Zeroizing::new([0u8; 33]);
    data[0] = SignatureType::Ed25519.id();
    data[1..].copy_from_slice(key.seed().as_ref());
    let mut b64 = Zeroizing::new([0u8; 44]);
    base64::engine::general_purpose::STANDARD
        .encode_slice(data.as_ref(), b64.as_mut())
        .map_err(|_| NoteError::MalformedSignerKey)?;

    // Reserve the exact length up front so the string never reallocates, which would leave an
    // unzeroized copy behind.
    let mut out = Zeroizing::new(String::with_capacity(
        SKEY_PREFIX.len() + name.len() + 1 + 8 + 1 + 44,
    ));
    out.push_str(SKEY_PREFIX);
    out.push_str(name);
    out.push('+');
    out.push_str(&KeyIdHex(id).to_string());
    out.push('+');
    for &b in b64.iter() {
        out.push(char::from(b));
    }
    Ok(out)
}

/// Creates `path`, which must not exist, with permission bits `mode` (on Unix): for evidence
/// files (keys, proofs, bundles) that must never replace an earlier one.
///
/// # Errors
/// [`KeyFileError::Exists`] if `path` exists, [`KeyFileError::Io`] otherwise.
pub fn create_new(path: &Path, mode: u32) -> Result<File, KeyFileError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_owned(),
            }
        } else {
            KeyFileError::Io {
                path: path.to_owned(),
                source,
            }
        }
    })
}

fn read_limited(file: File, path: &Path) -> Result<Zeroizing<String>, KeyFileError> {
    let mut text = Zeroizing::new(String::new());
    file.take(MAX_KEY_FILE + 1)
        .read_to_string(&mut text)
        .map_err(io(path))?;
    if text.len() as u64 > MAX_KEY_FILE {
        return Err(KeyFileError::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(text)
}

fn sync_parent(path: &Path) -> Result<(), KeyFileError> {
    // A new file's directory entry is durable only once the directory itself is synced.
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::keys::Signer;

    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    #[test]
    fn skey_round_trips() {
        let (name, key) = parse_skey(PETER_SKEY).unwrap();
        assert_eq!(name, "PeterNeumann");
        assert_eq!(format_skey(&name, &key).unwrap().as_str(), PETER_SKEY);
        let v = NoteVerifier::for_key(&name, key.public_key()).unwrap();
        assert_eq!(v.to_string(), PETER_VKEY);
    }

    #[test]
    fn bad_or_non_canonical_skeys_are_refused() {
        let bad = PETER_SKEY.replace("c74f20a3", "00000000");
        assert!(matches!(
            parse_skey(&bad),
            Err(NoteError::KeyIdMismatch { .. })
        ));
        for bad in [
            format!("{PETER_SKEY}="),
            PETER_SKEY.replace("hfZx", "hfZ-"),
            format!("{PETER_SKEY} "),
            PETER_SKEY.replace("+AYEK", "+AYE="),
        ] {
            assert_eq!(
                parse_skey(&bad).unwrap_err(),
                NoteError::MalformedSignerKey,
                "{bad}"
            );
        }
        let k = SecretKey::from_seed(&[1; 32]);
        assert!(format_skey("a b", &k).is_err());
    }

    #[test]
    fn skey_errors_never_show_the_secret() {
        let b64 = PETER_SKEY.splitn(5, '+').nth(4).unwrap();
        assert_eq!(b64.len(), 44);
        let manglings = [
            PETER_SKEY.replacen("PRIVATE", "PUBLIC", 1),
            PETER_SKEY.replace("KDFz", "KDF0"),
            PETER_SKEY.replace("KDFz", "KDF="),
            PETER_SKEY.replace("c74f20a3", "c74f20a4"),
            PETER_SKEY.replace("+AYEK", "+AoEK"),
            PETER_SKEY[..PETER_SKEY.len() - 1].to_owned(),
        ];
        for m in manglings {
            let e = parse_skey(&m).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains(&b64[4..20]), "{shown}");
        }
        let (_, key) = parse_skey(PETER_SKEY).unwrap();
        assert!(!format!("{key:?}").contains(&b64[4..20]));
    }

    #[test]
    fn generated_keys_round_trip() {
        let k = SecretKey::generate().unwrap();
        let skey = format_skey("example.com/liuhen", &k).unwrap();
        let (name, back) = parse_skey(&skey).unwrap();
        assert_eq!(name, "example.com/liuhen");
        assert_eq!(back.public_key(), k.public_key());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn skey_parser_never_panics(s in "\\PC{0,90}") {
                let _ = parse_skey(&s);
                let _ = parse_skey(&format!("PRIVATE+KEY+a+c74f20a3+{s}"));
            }
        }
    }

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("liuhen-keyfile-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn secret_key_round_trip_mode_and_no_overwrite() {
        let dir = tempdir("rt");
        let path = dir.join("officer.key");
        let key = SecretKey::from_seed(&[5u8; 32]);
        write_secret_key(&path, "officer-21020001", &key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let (name, back) = read_secret_key(&path).unwrap();
        assert_eq!(name, "officer-21020001");
        assert_eq!(back.public_key(), key.public_key());
        assert!(matches!(
            write_secret_key(&path, "x", &key),
            Err(KeyFileError::Exists { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempdir("mode");
        let path = dir.join("k");
        write_secret_key(&path, "k", &SecretKey::from_seed(&[6u8; 32])).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            read_secret_key(&path),
            Err(KeyFileError::Insecure { mode: 0o644, .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn verifier_key_round_trip() {
        let dir = tempdir("vkey");
        let path = dir.join("ledger.vkey");
        let key = SecretKey::from_seed(&[7u8; 32]);
        let v = NoteVerifier::for_key("example.com/ledger", key.public_key()).unwrap();
        write_verifier_key(&path, &v).unwrap();
        assert_eq!(read_verifier_key(&path).unwrap().to_string(), v.to_string());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Timestamp tokens stored in the ledger directory: `DIR/timestamps/<size>-<root hex>.tsr`, more
//! tokens for one checkpoint as `<size>-<root hex>-<n>.tsr` (n = 1, 2, …).
//!
//! The names are derived data, a convenience for people listing the directory: a verifier
//! matches a token to a stored checkpoint by the token's verified imprint, never by its name.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): the ledger directory's
// `timestamps/` token files, and the TSA root PEM file a verifier is given.
#![allow(clippy::disallowed_methods)]

use super::{check_len, TimestampError, MAX_TOKEN_BYTES};
use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::store::StoreRead;
use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

/// The directory, inside the ledger directory, that holds the tokens.
pub const TIMESTAMPS_DIR: &str = "timestamps";

/// How many tokens one checkpoint may have (a bound on the name search).
const MAX_TOKENS_PER_CHECKPOINT: u32 = 1000;

/// A token file read back. `size` and `root_hex` come from the file NAME and are not evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// The file.
    pub path: PathBuf,
    /// The tree size its name claims, if the name has the expected form.
    pub size: Option<u64>,
    /// The root (hex) its name claims, if the name has the expected form.
    pub root_hex: Option<String>,
    /// The token bytes (DER).
    pub token: Vec<u8>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TimestampError + '_ {
    move |source| TimestampError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Stores `token` for `checkpoint` in `ledger_dir/timestamps/`, durably (temporary file, fsync,
/// link into place without replacing anything, directory fsync). The same token stored twice is
/// kept once; a different token for the same checkpoint gets the next free `-<n>` name. An
/// existing file is never overwritten. Store only tokens [`super::verify_token`] accepted.
///
/// # Errors
/// [`TimestampError::Io`]; [`TimestampError::TooLarge`] for an oversized token.
pub fn store_token(
    ledger_dir: &Path,
    checkpoint: &Checkpoint,
    token: &[u8],
) -> Result<PathBuf, TimestampError> {
    check_len("timestamp token", token.len())?;
    let dir = ledger_dir.join(TIMESTAMPS_DIR);
    if !dir.is_dir() {
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        sync_dir(ledger_dir)?;
    }
    let stem = format!("{}-{}", checkpoint.size, checkpoint.root.to_hex());
    let temp = dir.join(format!(".{stem}.{}.tmp", std::process::id()));
    {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
            .map_err(io(&temp))?;
        file.write_all(token).map_err(io(&temp))?;
        file.sync_all().map_err(io(&temp))?;
    }
    let result = link_free_name(&dir, &stem, &temp, token);
    let _ = fs::remove_file(&temp);
    let path = result?;
    sync_dir(&dir)?;
    Ok(path)
}

/// Links `temp` to the first free name; returns an existing name holding the same bytes.
fn link_free_name(
    dir: &Path,
    stem: &str,
    temp: &Path,
    token: &[u8],
) -> Result<PathBuf, TimestampError> {
    for n in 0..MAX_TOKENS_PER_CHECKPOINT {
        let name = if n == 0 {
            format!("{stem}.tsr")
        } else {
            format!("{stem}-{n}.tsr")
        };
        let path = dir.join(name);
        match fs::hard_link(temp, &path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if read_bounded(&path)? == token {
                    return Ok(path);
                }
            }
            Err(e) => return Err(io(&path)(e)),
        }
    }
    Err(TimestampError::Io {
        path: dir.join(stem),
        source: std::io::Error::other("too many tokens for one checkpoint"),
    })
}

fn sync_dir(dir: &Path) -> Result<(), TimestampError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, TimestampError> {
    let bytes = read_at_most(path, MAX_TOKEN_BYTES)?;
    check_len("timestamp token", bytes.len())?;
    Ok(bytes)
}

/// Reads at most `max + 1` bytes of `path` (so the caller can tell "too large").
pub(super) fn read_at_most(path: &Path, max: usize) -> Result<Vec<u8>, TimestampError> {
    let file = File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    Ok(bytes)
}

/// Parses `<size>-<64 hex>[-<n>].tsr`.
fn parse_name(name: &str) -> Option<(u64, String)> {
    let stem = name.strip_suffix(".tsr")?;
    let (size, rest) = stem.split_once('-')?;
    let root = rest.get(..64)?;
    let tail = rest.get(64..)?;
    let valid_tail = tail.is_empty()
        || tail
            .strip_prefix('-')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let valid_root = root
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (valid_tail && valid_root).then_some(())?;
    Some((size.parse().ok()?, root.to_owned()))
}

/// The token files in `ledger_dir/timestamps/` (every `*.tsr`, in name order), read but not
/// verified. No directory means no tokens. A token file over the size limit is an error.
///
/// # Errors
/// [`TimestampError::Io`], [`TimestampError::TooLarge`].
pub fn stored_tokens(ledger_dir: &Path) -> Result<Vec<StoredToken>, TimestampError> {
    let dir = ledger_dir.join(TIMESTAMPS_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir)(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(&dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tsr") && !name.starts_with('.') {
            paths.push((name, entry.path()));
        }
    }
    // By stem, so that `S-R.tsr` comes before `S-R-1.tsr`.
    paths.sort_by(|a, b| {
        a.0.trim_end_matches(".tsr")
            .cmp(b.0.trim_end_matches(".tsr"))
    });
    paths
        .into_iter()
        .map(|(name, path)| {
            let parsed = parse_name(&name);
            Ok(StoredToken {
                token: read_bounded(&path)?,
                size: parsed.as_ref().map(|p| p.0),
                root_hex: parsed.map(|p| p.1),
                path,
            })
        })
        .collect()
}

/// Every checkpoint body stored in `store`, oldest first (signatures not verified here: the
/// ledger's own verification does that).
///
/// # Errors
/// [`TimestampError::Checkpoint`] if one cannot be read or parsed.
pub fn stored_checkpoints(store: &dyn StoreRead) -> Result<Vec<Checkpoint>, TimestampError> {
    let count = store
        .checkpoint_count()
        .map_err(|e| TimestampError::Checkpoint(format!("checkpoint count: {e}")))?;
    (0..count)
        .map(|i| {
            let text = store
                .checkpoint(i)
                .map_err(|e| TimestampError::Checkpoint(format!("checkpoint {i}: {e}")))?;
            SignedCheckpoint::parse(text.as_bytes())
                .map(|s| s.checkpoint().clone())
                .map_err(|e| TimestampError::Checkpoint(format!("checkpoint {i}: {e}")))
        })
        .collect()
}

/// One stored token checked: which checkpoint it stamps (matched by imprint) and the outcome.
#[derive(Debug)]
pub struct TokenCheck {
    /// The token file.
    pub path: PathBuf,
    /// The stored checkpoint whose imprint the token carries, if any.
    pub checkpoint: Option<Checkpoint>,
    /// What [`super::verify_token`] said (or why no checkpoint could be matched).
    pub outcome: Result<super::VerifiedTimestamp, TimestampError>,
}

/// Checks every token in `ledger_dir/timestamps/` against the checkpoints of `store`: each token
/// is matched to the stored checkpoint whose [`super::message_imprint`] it carries (never by its
/// file name), then verified with [`super::verify_token`]. A token whose imprint is no stored
/// checkpoint's is reported as [`TimestampError::NoMatchingCheckpoint`] (tampering: the ledger
/// no longer holds a checkpoint a TSA once stamped, or the token is foreign).
///
/// # Errors
/// Reading the tokens or the checkpoints failed (per-token failures are in the results).
pub fn check_stored_tokens(
    ledger_dir: &Path,
    store: &dyn StoreRead,
    roots: &super::TsaRoots,
) -> Result<Vec<TokenCheck>, TimestampError> {
    let checkpoints = stored_checkpoints(store)?;
    let imprints: Vec<[u8; 32]> = checkpoints.iter().map(super::message_imprint).collect();
    Ok(stored_tokens(ledger_dir)?
        .into_iter()
        .map(|stored| {
            let matched = super::token_imprint(&stored.token).and_then(|imprint| {
                imprints
                    .iter()
                    .position(|i| i.as_slice() == imprint.as_slice())
                    .and_then(|i| checkpoints.get(i))
                    .ok_or(TimestampError::NoMatchingCheckpoint {
                        found: super::hex(&imprint),
                    })
            });
            match matched {
                Ok(checkpoint) => TokenCheck {
                    outcome: super::verify_token(&stored.token, checkpoint, roots),
                    checkpoint: Some(checkpoint.clone()),
                    path: stored.path,
                },
                Err(e) => TokenCheck {
                    path: stored.path,
                    checkpoint: None,
                    outcome: Err(e),
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::hash::Digest;

    #[test]
    fn names_round_trip_and_nothing_is_overwritten() {
        let dir = std::env::temp_dir().join(format!("liuhen-ts-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let cp = Checkpoint::new("o", 3, Digest::from_bytes([0xab; 32]));
        let a = store_token(&dir, &cp, b"token-a").unwrap();
        let again = store_token(&dir, &cp, b"token-a").unwrap();
        let b = store_token(&dir, &cp, b"token-b").unwrap();
        assert_eq!(a, again);
        assert_ne!(a, b);
        assert!(b.to_string_lossy().ends_with("-1.tsr"));
        let all = stored_tokens(&dir).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].token, b"token-a");
        assert_eq!(all[0].size, Some(3));
        assert_eq!(all[1].root_hex.as_deref(), Some(&"ab".repeat(32)[..]));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn odd_names_parse_to_none() {
        assert_eq!(parse_name("x.tsr"), None);
        assert_eq!(parse_name(&format!("3-{}-.tsr", "a".repeat(64))), None);
        assert_eq!(
            parse_name(&format!("3-{}-2.tsr", "a".repeat(64)))
                .unwrap()
                .0,
            3
        );
    }
}

//! A witness that pulls: `liuhen witness follow` fetches a log's C2SP `tlog-tiles`
//! checkpoint, proves from the log's hash tiles that it extends the checkpoint the witness
//! cosigned last, and hands the witness core the same `add-checkpoint` request a log would
//! have pushed ([`Witness::add_checkpoint`]). The core decides (log signature against the
//! witness's trusted keys, consistency, durable state before anything is reported, split-view
//! evidence kept); this module only fetches, bounds and maps (docs/witness/follow.md).
//!
//! The proof is built by Cloudflare's `tlog_tiles` (a port of Go's `sumdb/tlog`): a
//! [`TileHashReader`] over the tiles fetched here authenticates every tile against the new
//! checkpoint's root before any hash of it is used, so altered tiles give no proof, never a
//! wrong one; and a proof of tiles that do authenticate against a root the log signed is
//! exactly what the log would have sent.
//!
//! Limits, checked before allocation: the checkpoint is read up to
//! [`liuhen::checkpoint::MAX_NOTE_BYTES`], a tile up to [`MAX_TILE_BYTES`]
//! (256 hashes) and must then be exactly 32 bytes per hash of its width; tree sizes above
//! [`MAX_PROVABLE_SIZE`] are not proven; every request has the client's timeout.
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use liuhen::checkpoint::{CheckpointError, NoteVerifier, SignedCheckpoint, MAX_NOTE_BYTES};
use liuhen::hash::Digest;
use liuhen::tiles::{TileKind, TilePath, HASH_LEN, TILE_WIDTH};
use liuhen::witness::{AddCheckpointRequest, Refusal, Witness, WitnessError};
use tlog_tiles::{Tile, TileHashReader, TileReader};

use crate::client::{BlockingClient, ClientError};

/// Largest tile read: a full tile of 256 hashes (8 192 bytes).
pub const MAX_TILE_BYTES: usize = TILE_WIDTH as usize * HASH_LEN;

/// Largest tree size a consistency proof is built for (`tlog_tiles` index arithmetic stays
/// far from overflow below it; no ledger comes near).
pub const MAX_PROVABLE_SIZE: u64 = 1 << 62;

/// Default timeout of each request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The tile height of C2SP `tlog-tiles` (256 hashes a tile).
const TILE_HEIGHT: u8 = 8;

/// What stops a round without a verdict on the log: the witness side or the network
/// (CLI exit 3). A log that answers wrongly gets a [`Verdict::Refused`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// The log URL cannot be used.
    #[error("log URL {url:?}: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not start.
    #[error("cannot start the HTTP client: {0}")]
    Runtime(#[source] std::io::Error),
    /// A request failed (connection, timeout, a body over its limit).
    #[error(transparent)]
    Fetch(#[from] ClientError),
    /// The log answered with a server error, or the checkpoint request did not succeed.
    #[error("GET {url}: HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The witness could not read or persist its state (nothing was cosigned).
    #[error(transparent)]
    Witness(#[from] WitnessError),
}

/// Why a checkpoint was not cosigned.
#[derive(Debug)]
#[non_exhaustive]
pub enum Why {
    /// The log's `/checkpoint` is not a signed checkpoint note.
    Malformed(CheckpointError),
    /// The tree is larger than [`MAX_PROVABLE_SIZE`].
    TooLarge(u64),
    /// The tiles do not give a consistency proof: absent, of the wrong length, or not
    /// authenticated by the checkpoint's root (altered). Nothing of them was used.
    Tiles(String),
    /// The witness core refused (the log signature, the sizes, the consistency proof).
    Witness(Refusal),
    /// The same checkpoint was refused before as a split view; its evidence is kept here (it
    /// is not kept twice).
    KnownSplitView(PathBuf),
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Malformed(e) => write!(f, "the checkpoint does not parse: {e}"),
            Why::TooLarge(size) => {
                write!(
                    f,
                    "tree size {size} is above {MAX_PROVABLE_SIZE}, not proven"
                )
            }
            Why::Tiles(why) => write!(f, "no consistency proof from the tiles: {why}"),
            Why::Witness(r) => write!(f, "{r}"),
            Why::KnownSplitView(path) => write!(
                f,
                "split view seen before, evidence kept in {}",
                path.display()
            ),
        }
    }
}

/// What the witness made of the checkpoint of one round.
#[derive(Debug)]
#[non_exhaustive]
pub enum Verdict {
    /// Cosigned, and persisted as the latest checkpoint of its origin.
    Cosigned {
        /// The size it was proven consistent with (0: the first checkpoint of the log).
        from: u64,
    },
    /// The same size and root as the latest cosigned checkpoint: nothing new.
    Unchanged,
    /// Not cosigned.
    Refused(Why),
}

/// One round: the log's checkpoint and the verdict.
#[derive(Debug)]
pub struct Round {
    /// The log's base URL.
    pub log: String,
    /// The checkpoint's origin and size, when it parsed.
    pub checkpoint: Option<(String, u64)>,
    /// The verdict.
    pub verdict: Verdict,
}

impl Round {
    /// Whether the checkpoint contradicts one the witness cosigned (a split view: the log, or
    /// whoever holds its key, shows two histories). The CLI exits 1.
    pub fn is_split_view(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::Refused(
                Why::Witness(Refusal::RootMismatch { .. } | Refusal::Inconsistent { .. })
                    | Why::KnownSplitView(_)
            )
        )
    }
}

impl fmt::Display for Round {
    /// One line: `ORIGIN SIZE cosigned (consistent with OLD)`, `ORIGIN SIZE unchanged`,
    /// `ORIGIN SIZE refused: WHY`, `ORIGIN SIZE SPLIT VIEW: WHY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.checkpoint {
            Some((origin, size)) => write!(f, "{origin} {size} ")?,
            None => write!(f, "{} ", self.log)?,
        }
        match &self.verdict {
            Verdict::Cosigned { from: 0 } => f.write_str("cosigned (first checkpoint seen)"),
            Verdict::Cosigned { from } => write!(f, "cosigned (consistent with {from})"),
            Verdict::Unchanged => f.write_str("unchanged"),
            Verdict::Refused(why) if self.is_split_view() => write!(f, "SPLIT VIEW: {why}"),
            Verdict::Refused(why) => write!(f, "refused: {why}"),
        }
    }
}

/// A witness following one log over HTTP.
#[derive(Debug)]
pub struct Follower<'w> {
    witness: &'w Witness,
    logs: HashMap<String, Vec<NoteVerifier>>,
    base: String,
    client: BlockingClient,
}

impl<'w> Follower<'w> {
    /// Follows the log whose `tlog-tiles` prefix is `log` (`http://host:port[/prefix]`; the
    /// client speaks plain HTTP), with `timeout` per request.
    ///
    /// # Errors
    /// [`FollowError::Url`], [`FollowError::Runtime`], or the witness's trusted logs unreadable.
    pub fn new(witness: &'w Witness, log: &str, timeout: Duration) -> Result<Self, FollowError> {
        let bad = |reason: &str| FollowError::Url {
            url: log.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = log
            .strip_prefix("http://")
            .ok_or_else(|| bad("must start with http:// (this client speaks plain HTTP)"))?;
        if rest.is_empty() || rest.contains(['?', '#']) || rest.chars().any(char::is_whitespace) {
            return Err(bad("must be http://HOST[:PORT][/PREFIX], without query"));
        }
        let client = BlockingClient::new(timeout).map_err(FollowError::Runtime)?;
        Ok(Follower {
            witness,
            logs: witness.dir().trusted_logs()?,
            base: log.trim_end_matches('/').to_owned(),
            client,
        })
    }

    /// The log's base URL, without a trailing slash.
    pub fn log(&self) -> &str {
        &self.base
    }

    /// One round at time `now` (seconds since the Unix epoch, the cosignature's timestamp):
    /// fetch the checkpoint, prove it from the tiles, ask the witness.
    ///
    /// # Errors
    /// [`FollowError`]: nothing was decided about the log.
    pub fn round(&self, now: u64) -> Result<Round, FollowError> {
        let url = format!("{}/checkpoint", self.base);
        let response = self.client.get_at_most(&url, MAX_NOTE_BYTES)?;
        if response.status != 200 {
            return Err(FollowError::Status {
                url,
                status: response.status,
            });
        }
        let round = |checkpoint, verdict| Round {
            log: self.base.clone(),
            checkpoint,
            verdict,
        };
        let signed = match SignedCheckpoint::parse(&response.body) {
            Ok(signed) => signed,
            Err(e) => return Ok(round(None, Verdict::Refused(Why::Malformed(e)))),
        };
        let checkpoint = signed.checkpoint();
        let seen = Some((checkpoint.origin.clone(), checkpoint.size));
        Ok(round(seen, self.judge(&signed, now)?))
    }

    /// The verdict on a fetched checkpoint.
    fn judge(&self, signed: &SignedCheckpoint, now: u64) -> Result<Verdict, FollowError> {
        let checkpoint = signed.checkpoint();
        let origin = checkpoint.origin.clone();
        // A gate before any tile is fetched for it: the core checks the signature again.
        let Some(keys) = self.logs.get(&origin) else {
            return Ok(refused(Refusal::UnknownOrigin { origin }));
        };
        if !keys.iter().any(|k| signed.verify(k).is_ok()) {
            return Ok(refused(Refusal::NotSigned { origin }));
        }
        let latest = self.witness.dir().latest(&origin)?;
        let (old_size, old_root) = latest.as_ref().map_or((0, Digest::ZERO), |l| {
            (l.checkpoint().size, l.checkpoint().root)
        });
        if latest.is_some() && old_size == checkpoint.size && old_root == checkpoint.root {
            return Ok(Verdict::Unchanged);
        }
        if let Some(kept) = self
            .witness
            .dir()
            .evidence(Some(&origin))?
            .into_iter()
            .find(|v| v.refused.checkpoint() == checkpoint)
        {
            return Ok(Verdict::Refused(Why::KnownSplitView(kept.path)));
        }
        // A proof only when the new tree is larger: the core refuses a smaller one, and
        // compares roots at the same size.
        let proof = if old_size == 0 || checkpoint.size <= old_size {
            Vec::new()
        } else {
            match self.prove(old_size, checkpoint.size, &checkpoint.root)? {
                Ok(proof) => proof,
                Err(why) => return Ok(Verdict::Refused(why)),
            }
        };
        let body = AddCheckpointRequest {
            old_size,
            proof,
            checkpoint: signed.clone(),
        }
        .encode();
        match self.witness.add_checkpoint(&body, now) {
            Ok(_) => Ok(Verdict::Cosigned { from: old_size }),
            Err(Refusal::Internal(e)) => Err(e.into()),
            Err(r) => Ok(refused(r)),
        }
    }

    /// The consistency proof from `old` to `new` (RFC 9162 order) read from the tiles of the
    /// tree of `new` leaves and root `root`; `Ok(Err(_))` when the tiles give none.
    fn prove(
        &self,
        old: u64,
        new: u64,
        root: &Digest,
    ) -> Result<Result<Vec<Digest>, Why>, FollowError> {
        if new > MAX_PROVABLE_SIZE {
            return Ok(Err(Why::TooLarge(new)));
        }
        let tiles = HttpTiles {
            follower: self,
            failure: RefCell::new(None),
        };
        let hashes = TileHashReader::new(new, tlog_tiles::Hash(*root.as_bytes()), &tiles);
        let result = tlog_tiles::prove_tree(new, old, &hashes);
        match (result, tiles.failure.into_inner()) {
            (Ok(proof), _) => Ok(Ok(proof.iter().map(|h| Digest::from_bytes(h.0)).collect())),
            (Err(_), Some(TileFailure::Fetch(e))) => Err(e),
            (Err(_), Some(TileFailure::Refused(why))) => Ok(Err(Why::Tiles(why))),
            (Err(e), None) => Ok(Err(Why::Tiles(match e {
                tlog_tiles::Error::InconsistentTile => {
                    "a tile does not authenticate against the checkpoint's root (altered)".into()
                }
                e => e.to_string(),
            }))),
        }
    }
}

fn refused(r: Refusal) -> Verdict {
    Verdict::Refused(Why::Witness(r))
}

/// Why a tile read failed.
enum TileFailure {
    /// The network or the server (exit 3).
    Fetch(FollowError),
    /// The log answered wrongly.
    Refused(String),
}

/// The hash tiles of the followed log, fetched over HTTP as `tlog_tiles` asks for them. Its
/// answers are suspect until [`TileHashReader`] has authenticated them.
struct HttpTiles<'a, 'w> {
    follower: &'a Follower<'w>,
    /// The first failure, with its class (the `tlog_tiles` error cannot carry it).
    failure: RefCell<Option<TileFailure>>,
}

impl HttpTiles<'_, '_> {
    fn fail(&self, failure: TileFailure) -> tlog_tiles::Error {
        let text = match &failure {
            TileFailure::Fetch(e) => e.to_string(),
            TileFailure::Refused(why) => why.clone(),
        };
        self.failure.borrow_mut().get_or_insert(failure);
        tlog_tiles::Error::InvalidInput(text)
    }

    /// The bytes of `path`, exactly `len` of them; a partial tile the log does not serve is
    /// read from its full tile (`tlog-tiles`: a client falls back on the full tile).
    fn fetch(&self, path: &TilePath, len: usize) -> Result<Vec<u8>, TileFailure> {
        let url = format!("{}/{path}", self.follower.base);
        let response = self
            .follower
            .client
            .get_at_most(&url, MAX_TILE_BYTES)
            .map_err(|e| TileFailure::Fetch(e.into()))?;
        match response.status {
            200 => {
                let got = response.body.len();
                if got != len {
                    return Err(TileFailure::Refused(format!(
                        "GET {url}: {got} bytes, not the {len} of the tile"
                    )));
                }
                Ok(response.body.to_vec())
            }
            404 if !path.is_full() => {
                let full = TilePath::full(path.kind(), path.index())
                    .ok_or_else(|| TileFailure::Refused(format!("{path}: no full tile")))?;
                let mut bytes = self.fetch(&full, MAX_TILE_BYTES)?;
                bytes.truncate(len);
                Ok(bytes)
            }
            status @ 400..=499 => Err(TileFailure::Refused(format!("GET {url}: HTTP {status}"))),
            status => Err(TileFailure::Fetch(FollowError::Status { url, status })),
        }
    }

    fn read(&self, tile: &Tile) -> Result<Vec<u8>, TileFailure> {
        let width = tile.width();
        let partial = if u64::from(width) == TILE_WIDTH {
            None
        } else {
            u8::try_from(width).ok()
        };
        let path = (tile.height() == TILE_HEIGHT && !tile.is_data())
            .then(|| {
                TilePath::new(
                    TileKind::Hashes {
                        level: tile.level(),
                    },
                    tile.level_index(),
                    partial,
                )
            })
            .flatten()
            .ok_or_else(|| TileFailure::Refused(format!("no tlog-tiles path for {tile:?}")))?;
        let len = usize::try_from(width)
            .ok()
            .and_then(|w| w.checked_mul(HASH_LEN))
            .filter(|l| *l <= MAX_TILE_BYTES)
            .ok_or_else(|| TileFailure::Refused(format!("{path}: width {width}")))?;
        self.fetch(&path, len)
    }
}

impl TileReader for HttpTiles<'_, '_> {
    fn height(&self) -> u8 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| self.read(t).map_err(|f| self.fail(f)))
            .collect()
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

//! The witness policy: which logs and witnesses a verifier knows, and which witnesses must
//! have cosigned a checkpoint before it is relied on — the C2SP transparency-log policy file
//! (`tlog-policy`, `../shared/reference/c2sp/tlog-policy.md`), parsed exactly:
//!
//! ```text
//! log <vkey> [<url>]
//! witness <name> <vkey> [<url>]
//! group <name> all|any|<k> <name>...
//! quorum <name>|none
//! ```
//!
//! * Lines end in a newline (the last one too); items are separated by spaces and tabs only;
//!   empty lines and lines whose first item starts with `#` are ignored.
//! * Allowed octets: tab, newline, `0x20..=0x7e`, `0x80..=0xff`. Names are opaque octet strings
//!   (compared byte for byte, never normalised); a URL must be UTF-8 (liuhen uses it as an HTTP
//!   URL: the meaning of URLs is application-specific).
//! * Log vkeys must be Ed25519 note keys (type `0x01`), witness vkeys `cosignature/v1` keys
//!   (type `0x04`); no public key may appear twice (two logs, two witnesses, or a log that is
//!   also a witness: a log cannot witness itself).
//! * Witnesses and groups share one namespace; `none` is predefined and can only be the
//!   quorum. A group or the quorum names only what earlier lines defined, each name is a group
//!   member at most once in the whole file (so the quorum is a tree and each witness counts in
//!   one way only), `1 <= k <= n`, and there is exactly one `quorum` line.
//!
//! Limits, checked before anything is allocated for the item: [`MAX_POLICY_BYTES`],
//! [`MAX_LOGS`], [`MAX_WITNESSES`], [`MAX_GROUPS`] (the spec recommends supporting at least 32
//! of each). Every error names the line.
//!
//! [`WitnessPolicy::check`] evaluates a signed checkpoint: the listed log that signed it (when
//! logs are listed), the listed witnesses whose cosignatures verify (`verify_strict`, through
//! [`crate::checkpoint::cosigners`]) with their timestamps, and whether the quorum is met —
//! with one sentence saying why not. A cosignature line of a listed witness's key that does not
//! verify is an error ([`BadCosignature`]), never "absent": it was forged or altered. Lines of
//! keys the policy does not list are ignored.
// Filesystem boundary (crates/liuhen/clippy.toml, docs/DESIGN.md): reads the auditor's witness policy file.
#![allow(clippy::disallowed_methods)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::checkpoint::{cosigners, NoteError, NoteVerifier, SignatureType, SignedCheckpoint};

/// Largest policy file read: 64 KiB (64 witness lines with URLs take about 20 KiB).
pub const MAX_POLICY_BYTES: usize = 64 * 1024;
/// Most `log` lines: 64.
pub const MAX_LOGS: usize = 64;
/// Most `witness` lines: 64.
pub const MAX_WITNESSES: usize = 64;
/// Most `group` lines: 64.
pub const MAX_GROUPS: usize = 64;

/// Why a policy file does not parse. Line numbers count from 1.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file is longer than [`MAX_POLICY_BYTES`].
    #[error("the policy is {len} bytes long, more than the limit of {max}")]
    TooLarge {
        /// Length of the input (or a lower bound of it).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An octet the spec does not allow (a control character other than tab and newline).
    #[error("line {line}: the octet 0x{byte:02x} is not allowed in a policy file (only tab, newline, 0x20-0x7e and 0x80-0xff){}", if *.byte == b'\r' { "; the file has CRLF line endings?" } else { "" })]
    ForbiddenOctet {
        /// The line.
        line: usize,
        /// The octet.
        byte: u8,
    },
    /// The last line does not end in a newline.
    #[error("line {line} does not end in a newline")]
    NotTerminated {
        /// The line.
        line: usize,
    },
    /// The first item is not `log`, `witness`, `group` or `quorum`.
    #[error("line {line}: unknown keyword {keyword:?} (expected log, witness, group or quorum)")]
    UnknownKeyword {
        /// The line.
        line: usize,
        /// The keyword, lossily decoded.
        keyword: String,
    },
    /// A line has too few or too many items for its keyword.
    #[error("line {line}: {keyword} takes {expected}")]
    Arity {
        /// The line.
        line: usize,
        /// The keyword.
        keyword: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// A vkey does not parse.
    #[error("line {line}: not a verifier key: {source}")]
    Vkey {
        /// The line.
        line: usize,
        /// Why.
        source: NoteError,
    },
    /// A vkey of the wrong signature type for its line.
    #[error("line {line}: a {keyword} key must be {}, not {}", type_name(*.expected), type_name(*.found))]
    WrongKeyType {
        /// The line.
        line: usize,
        /// `log` or `witness`.
        keyword: &'static str,
        /// The type the line needs.
        expected: SignatureType,
        /// The key's type.
        found: SignatureType,
    },
    /// The same public key twice (whatever the key names).
    #[error("line {line}: the public key was already listed on line {first}")]
    DuplicateKey {
        /// The line.
        line: usize,
        /// The line listing it first.
        first: usize,
    },
    /// A name defined twice.
    #[error("line {line}: the name {name:?} was already defined on line {first}")]
    DuplicateName {
        /// The line.
        line: usize,
        /// The name, lossily decoded.
        name: String,
        /// The line defining it first.
        first: usize,
    },
    /// `none` defined as a witness or group, or used as a group member.
    #[error("line {line}: the name \"none\" is reserved for `quorum none`")]
    ReservedName {
        /// The line.
        line: usize,
    },
    /// A group or the quorum names something no earlier line defined.
    #[error("line {line}: {name:?} is not defined on an earlier line")]
    UndefinedName {
        /// The line.
        line: usize,
        /// The name, lossily decoded.
        name: String,
    },
    /// A name listed as a group member a second time.
    #[error("line {line}: {name:?} is already a member of a group (line {first}); a name can be a group member only once")]
    MemberTwice {
        /// The line.
        line: usize,
        /// The name, lossily decoded.
        name: String,
        /// The line where it became a member.
        first: usize,
    },
    /// A threshold that is not `all`, `any` or a decimal `k` with `1 <= k <= n`.
    #[error(
        "line {line}: the threshold {threshold:?} is not all, any, or a number from 1 to {members}"
    )]
    Threshold {
        /// The line.
        line: usize,
        /// The threshold as written, lossily decoded.
        threshold: String,
        /// The number of members.
        members: usize,
    },
    /// A second `quorum` line.
    #[error("line {line}: a second quorum line (the first is on line {first})")]
    SecondQuorum {
        /// The line.
        line: usize,
        /// The first quorum line.
        first: usize,
    },
    /// No `quorum` line.
    #[error("the policy has no quorum line (write `quorum none` to require no cosignature)")]
    NoQuorum,
    /// More logs, witnesses or groups than the limit.
    #[error("line {line}: more than {max} {what} lines")]
    TooMany {
        /// The line.
        line: usize,
        /// `log`, `witness` or `group`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A URL that is not UTF-8.
    #[error("line {line}: the URL is not UTF-8")]
    UrlNotUtf8 {
        /// The line.
        line: usize,
    },
}

fn type_name(t: SignatureType) -> &'static str {
    match t {
        SignatureType::Ed25519 => "an Ed25519 note key (type 0x01)",
        SignatureType::CosignatureV1 => "a cosignature/v1 witness key (type 0x04)",
    }
}

/// Why a policy file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyFileError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid policy.
    #[error("{path}: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: PolicyError,
    },
}

/// A known log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyLog {
    vkey: NoteVerifier,
    url: Option<String>,
}

impl PolicyLog {
    /// Its verifier key (an Ed25519 note key whose name is the log's origin).
    pub fn vkey(&self) -> &NoteVerifier {
        &self.vkey
    }
    /// Its URL, if the policy gives one.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
    /// The log's origin: its key's name.
    pub fn origin(&self) -> &str {
        self.vkey.name()
    }
}

/// A known witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyWitness {
    name: Vec<u8>,
    vkey: NoteVerifier,
    url: Option<String>,
}

impl PolicyWitness {
    /// Its name in the policy, as written (opaque octets).
    pub fn name_bytes(&self) -> &[u8] {
        &self.name
    }
    /// Its name in the policy, for display (invalid UTF-8 replaced).
    pub fn name(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.name)
    }
    /// Its verifier key (a `cosignature/v1` key; its key name is what its cosignature lines
    /// carry).
    pub fn vkey(&self) -> &NoteVerifier {
        &self.vkey
    }
    /// Its URL (the tlog-witness submission prefix), if the policy gives one.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

impl WitnessPolicy {
    /// The witnesses the policy gives a URL for, as endpoints a seal asks to cosign
    /// ([`crate::sealing::seal_witnessed`]); witnesses without a URL are for verification only.
    pub fn endpoints(&self) -> Vec<crate::witness::WitnessEndpoint> {
        self.witnesses()
            .iter()
            .filter_map(|w| {
                w.url().map(|url| crate::witness::WitnessEndpoint {
                    vkey: w.vkey().clone(),
                    url: url.to_owned(),
                })
            })
            .collect()
    }
}

/// A group member or the quorum: a witness or a group, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Group {
    name: Vec<u8>,
    k: usize,
    /// As written: `all`, `any`, or `k`.
    all: bool,
    members: Vec<Member>,
}

/// A parsed witness policy (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessPolicy {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    /// `None`: `quorum none`.
    quorum: Option<Member>,
}

/// Reads and parses the policy file at `path` (at most [`MAX_POLICY_BYTES`]).
///
/// # Errors
/// [`PolicyFileError::Io`] or [`PolicyFileError::Invalid`], naming the file.
pub fn read_policy(path: &Path) -> Result<WitnessPolicy, PolicyFileError> {
    let io = |source| PolicyFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_POLICY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    WitnessPolicy::parse(&bytes).map_err(|source| PolicyFileError::Invalid {
        path: path.to_path_buf(),
        source,
    })
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn is_space(b: &u8) -> bool {
    *b == b' ' || *b == b'\t'
}

/// What the parser knows about a defined name.
struct Defined {
    member: Member,
    line: usize,
}

impl WitnessPolicy {
    /// Parses a policy file's bytes.
    ///
    /// # Errors
    /// A [`PolicyError`] naming the line.
    pub fn parse(bytes: &[u8]) -> Result<Self, PolicyError> {
        if bytes.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge {
                len: bytes.len(),
                max: MAX_POLICY_BYTES,
            });
        }
        let mut p = WitnessPolicy {
            logs: Vec::new(),
            witnesses: Vec::new(),
            groups: Vec::new(),
            quorum: None,
        };
        let mut quorum_line: Option<usize> = None;
        let mut keys: HashMap<[u8; 32], usize> = HashMap::new();
        let mut names: HashMap<Vec<u8>, Defined> = HashMap::new();
        let mut members_used: HashMap<Member, usize> = HashMap::new();
        let body = match bytes.strip_suffix(b"\n") {
            Some(b) => b,
            None if bytes.is_empty() => return Err(PolicyError::NoQuorum),
            None => {
                return Err(PolicyError::NotTerminated {
                    line: bytes.iter().filter(|b| **b == b'\n').count() + 1,
                })
            }
        };
        for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
            let line = i + 1;
            if let Some(&byte) = raw
                .iter()
                .find(|b| !(**b == b'\t' || (0x20..=0x7e).contains(*b) || **b >= 0x80))
            {
                return Err(PolicyError::ForbiddenOctet { line, byte });
            }
            let mut items = raw.split(is_space).filter(|t| !t.is_empty());
            let Some(keyword) = items.next() else {
                continue;
            };
            if keyword.starts_with(b"#") {
                continue;
            }
            match keyword {
                b"log" => {
                    let (vkey, url) = key_and_url(&mut items, line, "log")?;
                    if p.logs.len() == MAX_LOGS {
                        return Err(PolicyError::TooMany {
                            line,
                            what: "log",
                            max: MAX_LOGS,
                        });
                    }
                    let vkey = parse_vkey(vkey, line, "log", SignatureType::Ed25519)?;
                    new_key(&mut keys, &vkey, line)?;
                    p.logs.push(PolicyLog { vkey, url });
                }
                b"witness" => {
                    let name = items.next().ok_or(PolicyError::Arity {
                        line,
                        keyword: "witness",
                        expected: "a name, a vkey and an optional URL",
                    })?;
                    let (vkey, url) = key_and_url(&mut items, line, "witness")?;
                    if p.witnesses.len() == MAX_WITNESSES {
                        return Err(PolicyError::TooMany {
                            line,
                            what: "witness",
                            max: MAX_WITNESSES,
                        });
                    }
                    let vkey = parse_vkey(vkey, line, "witness", SignatureType::CosignatureV1)?;
                    define(&mut names, name, Member::Witness(p.witnesses.len()), line)?;
                    new_key(&mut keys, &vkey, line)?;
                    p.witnesses.push(PolicyWitness {
                        name: name.to_vec(),
                        vkey,
                        url,
                    });
                }
                b"group" => {
                    let arity = PolicyError::Arity {
                        line,
                        keyword: "group",
                        expected: "a name, a threshold (all, any or k) and at least one member",
                    };
                    let (Some(name), Some(threshold)) = (items.next(), items.next()) else {
                        return Err(arity);
                    };
                    if p.groups.len() == MAX_GROUPS {
                        return Err(PolicyError::TooMany {
                            line,
                            what: "group",
                            max: MAX_GROUPS,
                        });
                    }
                    let mut members = Vec::new();
                    for m in items.by_ref() {
                        if m == b"none" {
                            return Err(PolicyError::ReservedName { line });
                        }
                        let Some(d) = names.get(m) else {
                            return Err(PolicyError::UndefinedName {
                                line,
                                name: lossy(m),
                            });
                        };
                        if let Some(first) = members_used.get(&d.member) {
                            return Err(PolicyError::MemberTwice {
                                line,
                                name: lossy(m),
                                first: *first,
                            });
                        }
                        members_used.insert(d.member, line);
                        // Bounded: each defined name (at most MAX_WITNESSES + MAX_GROUPS) once.
                        members.push(d.member);
                    }
                    if members.is_empty() {
                        return Err(arity);
                    }
                    let n = members.len();
                    let bad = || PolicyError::Threshold {
                        line,
                        threshold: lossy(threshold),
                        members: n,
                    };
                    let (k, all) = match threshold {
                        b"all" => (n, true),
                        b"any" => (1, false),
                        digits => {
                            if digits.is_empty()
                                || digits.len() > 20
                                || !digits.iter().all(u8::is_ascii_digit)
                            {
                                return Err(bad());
                            }
                            let k = std::str::from_utf8(digits)
                                .ok()
                                .and_then(|s| s.parse::<usize>().ok())
                                .ok_or_else(bad)?;
                            if k == 0 || k > n {
                                return Err(bad());
                            }
                            (k, false)
                        }
                    };
                    define(&mut names, name, Member::Group(p.groups.len()), line)?;
                    p.groups.push(Group {
                        name: name.to_vec(),
                        k,
                        all,
                        members,
                    });
                }
                b"quorum" => {
                    let (Some(name), None) = (items.next(), items.next()) else {
                        return Err(PolicyError::Arity {
                            line,
                            keyword: "quorum",
                            expected: "exactly one name (a witness, a group, or none)",
                        });
                    };
                    if let Some(first) = quorum_line {
                        return Err(PolicyError::SecondQuorum { line, first });
                    }
                    quorum_line = Some(line);
                    p.quorum = if name == b"none" {
                        None
                    } else {
                        Some(
                            names
                                .get(name)
                                .ok_or_else(|| PolicyError::UndefinedName {
                                    line,
                                    name: lossy(name),
                                })?
                                .member,
                        )
                    };
                }
                other => {
                    return Err(PolicyError::UnknownKeyword {
                        line,
                        keyword: lossy(other),
                    })
                }
            }
        }
        if quorum_line.is_none() {
            return Err(PolicyError::NoQuorum);
        }
        Ok(p)
    }

    /// The known logs (possibly none: the log is then known from elsewhere, e.g. `--vkey`).
    pub fn logs(&self) -> &[PolicyLog] {
        &self.logs
    }

    /// The known witnesses, in the order of the file.
    pub fn witnesses(&self) -> &[PolicyWitness] {
        &self.witnesses
    }

    /// Whether the policy requires no cosignature (`quorum none`).
    pub fn requires_none(&self) -> bool {
        self.quorum.is_none()
    }

    /// The quorum in words, e.g. `all of X-and-Y (2 of X1, X2, X3; any of Y1, Y2)`, or
    /// `none`.
    pub fn describe_quorum(&self) -> String {
        match self.quorum {
            None => "none".into(),
            Some(m) => self.describe(m),
        }
    }

    fn describe(&self, m: Member) -> String {
        match m {
            Member::Witness(w) => format!("witness {}", self.witnesses[w].name()),
            Member::Group(g) => {
                let g = &self.groups[g];
                let members: Vec<String> = g
                    .members
                    .iter()
                    .map(|m| match m {
                        Member::Witness(w) => self.witnesses[*w].name().into_owned(),
                        Member::Group(_) => self.describe(*m),
                    })
                    .collect();
                let threshold = if g.all && g.k > 1 {
                    "all".to_owned()
                } else if g.k == 1 {
                    "any".to_owned()
                } else {
                    g.k.to_string()
                };
                format!(
                    "{} ({threshold} of {})",
                    String::from_utf8_lossy(&g.name),
                    members.join(", ")
                )
            }
        }
    }

    /// Evaluates `signed` against the policy: which listed log signed it (if logs are listed),
    /// which listed witnesses validly cosigned it and when, and whether the quorum is met.
    ///
    /// Cosignature lines of keys the policy does not list are ignored.
    ///
    /// # Errors
    /// [`BadCosignature`] when a line of a listed witness's key (its key name and key id) does
    /// not verify: a forged or altered cosignature, never counted as absent.
    pub fn check(&self, signed: &SignedCheckpoint) -> Result<PolicyCheck, BadCosignature> {
        let c = signed.checkpoint();
        let log = if self.logs.is_empty() {
            LogCheck::NoLogsListed
        } else {
            match self.logs.iter().find(|l| signed.verify(&l.vkey).is_ok()) {
                Some(l) => LogCheck::SignedBy(l.vkey.to_string()),
                None => LogCheck::NotSigned,
            }
        };
        let mut signed_by = vec![false; self.witnesses.len()];
        let mut cosigned = Vec::new();
        for (i, w) in self.witnesses.iter().enumerate() {
            // One witness at a time, so that a bad line names its witness.
            let found =
                cosigners(signed, std::slice::from_ref(&w.vkey)).map_err(|e| BadCosignature {
                    witness: w.name().into_owned(),
                    vkey: w.vkey.to_string(),
                    reason: e.to_string(),
                })?;
            if let Some((_, timestamp)) = found.first() {
                signed_by[i] = true;
                cosigned.push(Cosigner {
                    witness: w.name().into_owned(),
                    vkey: w.vkey.to_string(),
                    timestamp: *timestamp,
                });
            }
        }
        let eval = self.evaluate(&signed_by);
        let log_ok = !matches!(log, LogCheck::NotSigned);
        let met = log_ok && eval.met;
        let subject = format!("the checkpoint of size {}", c.size);
        let why_not = if !log_ok {
            Some(format!(
                "{subject} is not signed by any log of the witness policy (its origin is {})",
                c.origin
            ))
        } else if eval.met {
            None
        } else {
            Some(format!(
                "{subject} is cosigned by {} of the {} witnesses the quorum needs (quorum: {})",
                eval.counted,
                eval.needed,
                self.describe_quorum()
            ))
        };
        Ok(PolicyCheck {
            size: c.size,
            log,
            cosigners: cosigned,
            met,
            why_not,
        })
    }

    /// Whether the quorum is met when exactly the witnesses marked in `signed_by` (indexed as
    /// [`WitnessPolicy::witnesses`]) cosigned, regardless of logs.
    pub fn quorum_met_by(&self, signed_by: &[bool]) -> bool {
        self.evaluate(signed_by).met
    }

    /// Evaluates the quorum tree. Groups only name earlier groups, so one pass in order.
    fn evaluate(&self, signed_by: &[bool]) -> Evaluation {
        let witness = |w: usize| signed_by.get(w).copied().unwrap_or(false);
        // Per group: met, the fewest witnesses that could meet it, how many of those count.
        let mut met = Vec::with_capacity(self.groups.len());
        let mut needed = Vec::with_capacity(self.groups.len());
        let mut counted = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            let mut ok = 0usize;
            // (witnesses needed for the member, of which cosigned), cheapest first.
            let mut costs: Vec<(usize, usize)> = Vec::with_capacity(g.members.len());
            for m in &g.members {
                let (m_met, n, c) = match *m {
                    Member::Witness(w) => (witness(w), 1, usize::from(witness(w))),
                    Member::Group(i) => (
                        met.get(i).copied().unwrap_or(false),
                        needed.get(i).copied().unwrap_or(0),
                        counted.get(i).copied().unwrap_or(0),
                    ),
                };
                ok += usize::from(m_met);
                costs.push((n, c));
            }
            // The k members closest to met, and the witnesses they need.
            costs.sort_by_key(|(n, c)| (n.saturating_sub(*c), *n));
            let chosen = &costs[..g.k.min(costs.len())];
            met.push(ok >= g.k);
            needed.push(chosen.iter().map(|(n, _)| n).sum());
            counted.push(chosen.iter().map(|(_, c)| c).sum());
        }
        match self.quorum {
            None => Evaluation {
                met: true,
                needed: 0,
                counted: 0,
            },
            Some(Member::Witness(w)) => Evaluation {
                met: witness(w),
                needed: 1,
                counted: usize::from(witness(w)),
            },
            Some(Member::Group(g)) => Evaluation {
                met: met.get(g).copied().unwrap_or(false),
                needed: needed.get(g).copied().unwrap_or(0),
                counted: counted.get(g).copied().unwrap_or(0),
            },
        }
    }
}

struct Evaluation {
    met: bool,
    /// The fewest witnesses that meet the quorum along the branches closest to met.
    needed: usize,
    /// Of those, how many cosigned.
    counted: usize,
}

/// Parses `<vkey> [<url>]` and nothing more.
fn key_and_url<'a>(
    items: &mut impl Iterator<Item = &'a [u8]>,
    line: usize,
    keyword: &'static str,
) -> Result<(&'a [u8], Option<String>), PolicyError> {
    let arity = PolicyError::Arity {
        line,
        keyword,
        expected: if keyword == "log" {
            "a vkey and an optional URL"
        } else {
            "a name, a vkey and an optional URL"
        },
    };
    let (Some(vkey), url, None) = (items.next(), items.next(), items.next()) else {
        return Err(arity);
    };
    let url = url
        .map(|u| {
            std::str::from_utf8(u)
                .map(str::to_owned)
                .map_err(|_| PolicyError::UrlNotUtf8 { line })
        })
        .transpose()?;
    Ok((vkey, url))
}

fn parse_vkey(
    text: &[u8],
    line: usize,
    keyword: &'static str,
    expected: SignatureType,
) -> Result<NoteVerifier, PolicyError> {
    let text = std::str::from_utf8(text).map_err(|_| PolicyError::Vkey {
        line,
        source: NoteError::MalformedVerifierKey,
    })?;
    let vkey = NoteVerifier::parse(text).map_err(|source| PolicyError::Vkey { line, source })?;
    if vkey.signature_type() != expected {
        return Err(PolicyError::WrongKeyType {
            line,
            keyword,
            expected,
            found: vkey.signature_type(),
        });
    }
    Ok(vkey)
}

fn new_key(
    keys: &mut HashMap<[u8; 32], usize>,
    vkey: &NoteVerifier,
    line: usize,
) -> Result<(), PolicyError> {
    if let Some(first) = keys.get(vkey.key().as_bytes()) {
        return Err(PolicyError::DuplicateKey {
            line,
            first: *first,
        });
    }
    keys.insert(*vkey.key().as_bytes(), line);
    Ok(())
}

fn define(
    names: &mut HashMap<Vec<u8>, Defined>,
    name: &[u8],
    member: Member,
    line: usize,
) -> Result<(), PolicyError> {
    if name == b"none" {
        return Err(PolicyError::ReservedName { line });
    }
    if let Some(d) = names.get(name) {
        return Err(PolicyError::DuplicateName {
            line,
            name: lossy(name),
            first: d.line,
        });
    }
    names.insert(name.to_vec(), Defined { member, line });
    Ok(())
}

/// Which listed log signed a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogCheck {
    /// The policy lists no log: the log is known from elsewhere (the ledger's `--vkey`).
    NoLogsListed,
    /// Signed by this listed log (its vkey).
    SignedBy(String),
    /// Signed by none of the listed logs.
    NotSigned,
}

/// A listed witness that validly cosigned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cosigner {
    /// Its name in the policy (lossily decoded).
    pub witness: String,
    /// Its vkey.
    pub vkey: String,
    /// The cosignature's timestamp (seconds since the Unix epoch): the witness attests that it
    /// had seen this checkpoint, consistent with all before, at this time.
    pub timestamp: u64,
}

impl Cosigner {
    /// The timestamp as ISO 8601 UTC (the seconds as written if out of range).
    pub fn at(&self) -> String {
        i64::try_from(self.timestamp)
            .ok()
            .and_then(|t| t.checked_mul(1000))
            .map_or_else(
                || self.timestamp.to_string(),
                |ms| crate::describe::iso8601(crate::model::Timestamp(ms)),
            )
    }
}

/// What [`WitnessPolicy::check`] found about one checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyCheck {
    /// The checkpoint's tree size.
    pub size: u64,
    /// Which listed log signed it.
    pub log: LogCheck,
    /// The listed witnesses whose cosignatures verify, in the policy's order.
    pub cosigners: Vec<Cosigner>,
    /// Whether the checkpoint meets the policy: signed by a listed log (if any are listed) and
    /// cosigned by a quorum.
    pub met: bool,
    /// One sentence saying why not, when not met.
    pub why_not: Option<String>,
}

impl PolicyCheck {
    /// The earliest cosignature timestamp of a listed witness, if any.
    pub fn earliest_cosignature(&self) -> Option<u64> {
        self.cosigners.iter().map(|c| c.timestamp).min()
    }
}

/// A cosignature line of a listed witness's key that does not verify (forged or altered).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("the cosignature of witness {witness} ({vkey}) does not verify: {reason}")]
pub struct BadCosignature {
    /// The witness's name in the policy.
    pub witness: String,
    /// Its vkey.
    pub vkey: String,
    /// Why, as the cosignature check says.
    pub reason: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;

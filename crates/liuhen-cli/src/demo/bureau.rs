//! The bureau of the story: its keys, its ledger directory, its media store and its vault, and
//! the few things its people and devices do with them.
//!
//! Everything goes through the library as an agency's own software would: statements are
//! signed by the key of whoever makes them and appended to the file-store ledger; media bytes
//! are digested, then stored in the content-addressed media store, which refuses bytes that do
//! not match; recordings are made with [`Recording`], so that every segment is signed by the
//! device and chained to the one before (Art. 14(4)); personal data is sealed through the
//! [`Vault`], which keeps the opening of each commitment in a file of its own (docs/PRIVACY.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use liuhen::checkpoint::SignedCheckpoint;
use liuhen::disclosure::{export_case, Export, ExportRequest};
use liuhen::media::{digest_reader, MediaStore, Recording, RecordingStart};
use liuhen::model::{
    CaptureMethod, DocumentKind, Event, Location, MediaRef, Role, Sealed, Stage, Timestamp,
};
use liuhen::store::file::FileStore;
use liuhen::vault::{Vault, VaultError};
use liuhen::{Clock, Ledger, LedgerError, LedgerOptions, ManualClock, Receipt, SecretKey, Signer};

use super::story::MINUTE;
use super::Res;
use crate::layout::LedgerDir;

/// The ledger's origin: its unique name, the checkpoint origin and the ledger key's name.
pub(super) const ORIGIN: &str = "jinpu.dalian.gov.cn/minzheng/enforcement";

/// Who signs a statement. Each has a key registered in the ledger (Art. 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Who {
    /// The ledger key: signs genesis, the registry and checkpoints.
    Ledger,
    /// Officer 王, enforcement certificate 21020001.
    Wang,
    /// Officer 李, enforcement certificate 21020002.
    Li,
    /// The records custodian 21020009, the named person of Art. 16.
    Custodian,
    /// Body-worn recorder 执法记录仪 BWC-7731.
    BodyCam,
    /// Handheld enforcement terminal 移动执法终端 PDA-0412.
    Terminal,
    /// The case-management system 执法信息系统.
    CaseSystem,
    /// The supervising office 办公室, which oversees recording (Art. 8).
    Office,
}

/// Every key of the story but the ledger's, with its role, holder and key-file name.
pub(super) const STAFF: [(Who, Role, &str, &str); 7] = [
    (
        Who::Wang,
        Role::Officer,
        "执法人员 21020001 王",
        "officer-21020001",
    ),
    (
        Who::Li,
        Role::Officer,
        "执法人员 21020002 李",
        "officer-21020002",
    ),
    (
        Who::Custodian,
        Role::Custodian,
        "档案员 21020009",
        "custodian-21020009",
    ),
    (
        Who::BodyCam,
        Role::Device,
        "执法记录仪 BWC-7731",
        "device-BWC-7731",
    ),
    (
        Who::Terminal,
        Role::Device,
        "移动执法终端 PDA-0412",
        "device-PDA-0412",
    ),
    (
        Who::CaseSystem,
        Role::System,
        "执法信息系统",
        "system-case-management",
    ),
    (
        Who::Office,
        Role::Auditor,
        "办公室 supervising office",
        "auditor-office",
    ),
];

/// [`STAFF`] in one line of the story.
pub(super) const STAFF_SUMMARY: &str =
    "officers 21020001, 21020002; custodian 21020009; devices BWC-7731, PDA-0412; case system; office";

struct Keys {
    ledger: SecretKey,
    wang: SecretKey,
    li: SecretKey,
    custodian: SecretKey,
    bodycam: SecretKey,
    terminal: SecretKey,
    case_system: SecretKey,
    office: SecretKey,
}

impl Keys {
    fn generate() -> Res<Keys> {
        Ok(Keys {
            ledger: SecretKey::generate()?,
            wang: SecretKey::generate()?,
            li: SecretKey::generate()?,
            custodian: SecretKey::generate()?,
            bodycam: SecretKey::generate()?,
            terminal: SecretKey::generate()?,
            case_system: SecretKey::generate()?,
            office: SecretKey::generate()?,
        })
    }

    fn of(&self, who: Who) -> &SecretKey {
        match who {
            Who::Ledger => &self.ledger,
            Who::Wang => &self.wang,
            Who::Li => &self.li,
            Who::Custodian => &self.custodian,
            Who::BodyCam => &self.bodycam,
            Who::Terminal => &self.terminal,
            Who::CaseSystem => &self.case_system,
            Who::Office => &self.office,
        }
    }
}

/// A recording to make: the `RecordingStarted` fields, when the party is told, and the
/// segments' lengths.
pub(super) struct Shoot<'a> {
    /// The recording device.
    pub device: Who,
    /// Session id, unique per device.
    pub session: &'a str,
    /// Case number.
    pub case_no: &'a str,
    /// Capture method.
    pub method: CaptureMethod,
    /// Place, as announced on the recording.
    pub place: &'a str,
    /// Visible sign or landmark (Art. 14(3)).
    pub landmark: &'a str,
    /// What is recorded (Art. 14(2)).
    pub matter: &'a str,
    /// Officers present.
    pub officers: &'a [&'a str],
    /// The party present, sealed.
    pub party: Sealed,
    /// When the recording starts.
    pub start: Timestamp,
    /// Minutes after the start at which the party is told; negative = before the start, as
    /// Art. 14(1) asks.
    pub notice_minutes: i64,
    /// Length of each segment in minutes; the device rotates files without a pause.
    pub segments: &'a [i64],
    /// A pause `(index, minutes)`: the camera was off for that long before segment `index`,
    /// and no interruption was recorded (an Art. 14(4) lapse for the audit, not tampering).
    pub pause_before: Option<(usize, i64)>,
    /// Bytes of generated footage per segment.
    pub segment_bytes: usize,
    /// When the device is docked and its statements uploaded to the ledger.
    pub upload: Timestamp,
}

/// A recording once uploaded.
pub(super) struct Footage {
    /// The segments, in order.
    pub segments: Vec<MediaRef>,
    /// When the recording stopped.
    pub ended: Timestamp,
}

/// The bureau: keys, ledger, media store and vault, and a clock that the story moves.
pub(super) struct Bureau {
    root: PathBuf,
    clock: Arc<ManualClock>,
    ledger: Ledger<FileStore>,
    media: MediaStore,
    vault: Vault,
    keys: Keys,
    media_files: u64,
    media_bytes: u64,
    checkpoints: Vec<u64>,
    /// The justice bureau's witness, cosigning every checkpoint the bureau seals.
    witness: super::witnessing::LocalWitness,
}

impl Bureau {
    /// Creates the ledger directory's parts under `root` (an empty directory): secret keys in
    /// `keys/` (0600), the ledger in `ledger/` with its genesis and first checkpoint, the
    /// verifier key in `ledger.vkey`, an empty `media/` and the vault in `vault/` (0700); then
    /// registers every key of [`STAFF`] in the ledger.
    pub(super) fn create(root: &Path, time: Timestamp) -> Res<Bureau> {
        let dir = LedgerDir::new(root);
        let keys = Keys::generate()?;
        let key_dir = root.join("keys");
        create_private_dir(&key_dir)?;
        liuhen::keyfile::write_secret_key(&key_dir.join("ledger.key"), ORIGIN, &keys.ledger)?;
        for (who, _, _, name) in STAFF {
            let path = key_dir.join(format!("{name}.key"));
            liuhen::keyfile::write_secret_key(&path, name, keys.of(who))?;
        }
        let clock = Arc::new(ManualClock::new(time));
        let ledger = Ledger::create(
            FileStore::create(dir.store_dir(), ORIGIN)?,
            ORIGIN,
            &keys.ledger,
            clock.clone(),
            LedgerOptions::default(),
        )?;
        liuhen::keyfile::write_verifier_key(&dir.vkey_path(), &ledger.verifier_key()?)?;
        // `create` sealed a first checkpoint over the genesis entry.
        let checkpoints = vec![ledger.size()];
        let media = MediaStore::create(dir.media_dir())?;
        // Created here, before anything is sealed, so that it is the vault (0700) and not some
        // earlier `mkdir` that decides the directory's mode.
        let vault = Vault::create(root.join("vault"))?;
        let witness =
            super::witnessing::LocalWitness::start(root, &ledger.verifier_key()?, clock.clone())?;
        let mut bureau = Bureau {
            root: root.to_path_buf(),
            clock,
            ledger,
            media,
            vault,
            keys,
            media_files: 0,
            media_bytes: 0,
            checkpoints,
            witness,
        };
        bureau.later(MINUTE);
        for (who, role, holder, _) in STAFF {
            let key = bureau.keys.of(who).public_key();
            let event = Event::KeyAuthorized {
                key,
                role,
                holder: holder.into(),
            };
            bureau.append(Who::Ledger, event)?;
        }
        Ok(bureau)
    }

    /// The directory everything is written to.
    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// The ledger's clock.
    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves the clock to `t`. The acts of the story follow each other in time; a step dated
    /// before the one before it would be a mistake in the story, not something to smooth over.
    pub(super) fn at(&self, t: Timestamp) -> Res<()> {
        let now = self.clock.now();
        if t < now {
            return Err(format!(
                "the demo's story goes back in time, from {} ms to {} ms",
                now.0, t.0
            )
            .into());
        }
        self.clock.set(t);
        Ok(())
    }

    /// Moves the clock forward by `ms`.
    pub(super) fn later(&self, ms: i64) {
        self.clock.advance(ms);
    }

    /// Signs `event` now as `who` and appends it.
    pub(super) fn append(&mut self, who: Who, event: Event) -> Res<Receipt> {
        Ok(self.ledger.sign_and_append(self.keys.of(who), event)?)
    }

    /// What the audit would report if `who` appended `event` now, as `liuhen append --dry-run`
    /// tells an integrator before anything is written ([`liuhen::ingest`] with a dry run):
    /// the statement goes through the same strict JSON reading and the same admission rule,
    /// and nothing is appended.
    pub(super) fn dry_run(&mut self, who: Who, event: &Event) -> Res<liuhen::ingest::DryRun> {
        let line = serde_json::json!({ "time": self.now().0, "event": event }).to_string();
        let profile = liuhen::audit::Profile::default();
        let options = liuhen::ingest::IngestOptions {
            signer: Some(self.keys.of(who)),
            each: false,
            dry_run: Some(&profile),
            spool_dir: self.root.clone(),
            chunk: 16,
        };
        let size = self.ledger.size();
        let summary = liuhen::ingest::ingest(&mut self.ledger, line.as_bytes(), &options, &mut ())?;
        if self.ledger.size() != size {
            return Err("the dry run appended to the ledger".into());
        }
        summary
            .dry_run
            .ok_or_else(|| "the dry run gave no audit".into())
    }

    /// Signs `event` now with a key the ledger never registered and tries to append it.
    pub(super) fn append_as_stranger(&mut self, event: Event) -> Res<Result<Receipt, LedgerError>> {
        let stranger = SecretKey::generate()?;
        Ok(self.ledger.sign_and_append(&stranger, event))
    }

    /// Seals personal data of kind `field`: the ledger gets the commitment, the vault the
    /// opening, durably, before the commitment is used (Art. 20).
    pub(super) fn seal(&mut self, field: &str, value: &str) -> Res<Sealed> {
        Ok(self.vault.commit(field, value)?)
    }

    /// The vault of openings.
    pub(super) fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Erases the opening of `commitment` through the vault, the `Erased` statement signed now
    /// by `who`; the vault refuses while a case it belongs to must still be kept.
    pub(super) fn erase(
        &mut self,
        commitment: &Sealed,
        authority: &str,
        who: Who,
    ) -> Result<u64, VaultError> {
        self.vault
            .erase(&mut self.ledger, commitment, authority, self.keys.of(who))
    }

    /// The secret key of `who`, for what is signed outside the ledger (a destruction
    /// certificate).
    pub(super) fn key(&self, who: Who) -> &SecretKey {
        self.keys.of(who)
    }

    /// The media store, for exports.
    pub(super) fn media_store(&self) -> &MediaStore {
        &self.media
    }

    /// Makes a file of generated bytes standing in for a scan or a video, digests it (BLAKE3,
    /// as `b3sum`), and stores it in the media store under that digest.
    pub(super) fn media(&mut self, name: &str, mime: &str, size: usize) -> Res<MediaRef> {
        let bytes = generated(name, size);
        let media = digest_reader(bytes.as_slice(), mime, name)?;
        self.media.put_reader(bytes.as_slice(), &media)?;
        self.media_files += 1;
        self.media_bytes += media.length;
        Ok(media)
    }

    /// Files a text record (Art. 6, 10): the scanned document goes to the media store, its
    /// digest into a `DocumentFiled` statement signed by the officer who made it.
    pub(super) fn file(
        &mut self,
        who: Who,
        case_no: &str,
        stage: Stage,
        kind: DocumentKind,
        name: &str,
        officers: &[&str],
    ) -> Res<(Receipt, MediaRef)> {
        let size = 6 * 1024 + name.len() * 997;
        let media = self.media(name, "application/pdf", size)?;
        let receipt = self.append(
            who,
            Event::DocumentFiled {
                case_no: case_no.into(),
                stage,
                kind,
                media: media.clone(),
                officers: officers.iter().map(|o| o.to_string()).collect(),
            },
        )?;
        Ok((receipt, media))
    }

    /// Makes a recording as a device does: it tells the party, starts, seals each segment
    /// (signed, chained to the one before), stops, and signs all of it offline; the footage is
    /// digested and stored; at docking the statements are uploaded to the ledger in the order
    /// they were made, as one batch.
    pub(super) fn record(&mut self, shoot: &Shoot<'_>) -> Res<Footage> {
        let device: &dyn Signer = self.keys.of(shoot.device);
        // Format v2: the device binds its statements to the ledger with increasing counters,
        // in the order they will be uploaded.
        let base = self.ledger.next_binding(&device.public_key());
        let plus = |n: u64| {
            base.map(|b| liuhen::entry::Binding {
                counter: b.counter + n,
                ..b
            })
        };
        let late = shoot.notice_minutes >= 0;
        let notice = Recording::notify_party_bound(
            shoot.session,
            shoot.case_no,
            device,
            shoot.start.plus_millis(shoot.notice_minutes * MINUTE),
            if late { plus(1) } else { plus(0) },
        )?;
        let (mut recording, started) = Recording::start_bound(
            RecordingStart {
                session: shoot.session.into(),
                case_no: shoot.case_no.into(),
                method: shoot.method.clone(),
                location: Location {
                    place: shoot.place.into(),
                    landmark: Some(shoot.landmark.into()),
                },
                matter: shoot.matter.into(),
                officers: shoot.officers.iter().map(|o| o.to_string()).collect(),
                party: Some(shoot.party),
            },
            device,
            shoot.start,
            if late { plus(0) } else { plus(1) },
        )?;
        recording.set_binding(plus(2));
        // A device signs in the order things happen: a party told late is told after the
        // start, and the ledger shows it so.
        let mut statements = if shoot.notice_minutes < 0 {
            vec![notice, started]
        } else {
            vec![started, notice]
        };
        let mut segments = Vec::new();
        let mut time = shoot.start;
        for (index, minutes) in shoot.segments.iter().enumerate() {
            let name = format!("{}-{index:04}.mp4", shoot.session);
            let bytes = generated(&name, shoot.segment_bytes);
            let media = digest_reader(bytes.as_slice(), "video/mp4", &name)?;
            self.media.put_reader(bytes.as_slice(), &media)?;
            self.media_files += 1;
            self.media_bytes += media.length;
            if let Some((at, pause)) = shoot.pause_before {
                if at == index {
                    time = time.plus_millis(pause * MINUTE);
                }
            }
            let end = time.plus_millis(minutes * MINUTE);
            statements.push(recording.segment(media.clone(), time, end)?);
            segments.push(media);
            time = end;
        }
        statements.push(recording.stop(time)?);
        self.at(shoot.upload)?;
        self.ledger.append_batch(statements)?;
        Ok(Footage {
            segments,
            ended: time,
        })
    }

    /// Signs a checkpoint over the ledger as it is now (the ledger key), has the witness
    /// cosign it (stored again with the cosignature), and returns the cosigned checkpoint.
    pub(super) fn checkpoint(&mut self) -> Res<SignedCheckpoint> {
        let signed = self.ledger.seal(&self.keys.ledger)?;
        let cosigned = self.witness.cosign(&mut self.ledger, &signed)?;
        self.checkpoints.push(cosigned.checkpoint().size);
        Ok(cosigned)
    }

    /// Exports a case evidence bundle as `who` and records its disclosure, in the one core
    /// call every adapter uses (`liuhen::disclosure::export_case`: `RecordDisclosed` appended
    /// before the bundle is in place).
    pub(super) fn disclose(&mut self, who: Who, request: &ExportRequest) -> Res<Export> {
        let dir = LedgerDir::new(&self.root);
        Ok(export_case(
            &mut self.ledger,
            &dir,
            self.keys.of(who),
            request,
            &mut (),
        )?)
    }

    /// The ledger, for proofs.
    pub(super) fn ledger(&self) -> &Ledger<FileStore> {
        &self.ledger
    }

    /// Sizes of the checkpoints sealed so far, oldest first.
    pub(super) fn checkpoints(&self) -> &[u64] {
        &self.checkpoints
    }

    /// Media files stored, and their total bytes.
    pub(super) fn media_stored(&self) -> (u64, u64) {
        (self.media_files, self.media_bytes)
    }
}

/// Creates a directory only its owner can enter.
fn create_private_dir(dir: &Path) -> Res<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(())
}

/// Creates a new file only its owner can read (never overwriting one): for files that hold
/// personal data outside the vault, such as a bundle with its openings.
pub(super) fn create_private_file(path: &Path) -> Res<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    Ok(options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?)
}

/// `len` deterministic pseudo-random bytes derived from `name` (SplitMix64 seeded by FNV-1a):
/// incompressible like real footage, different for every file, the same on every run.
pub(super) fn generated(name: &str, len: usize) -> Vec<u8> {
    let mut state = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::generated;

    #[test]
    fn the_story_names_every_key() {
        for (_, _, _, file) in super::STAFF {
            let id = file.split_once('-').map_or(file, |(_, id)| id);
            let id = match id {
                "case-management" => "case system",
                other => other,
            };
            assert!(super::STAFF_SUMMARY.contains(id), "{id}");
        }
    }

    #[test]
    fn generated_media_is_deterministic_and_distinct() {
        assert_eq!(generated("a.mp4", 1000), generated("a.mp4", 1000));
        assert_ne!(generated("a.mp4", 1000), generated("b.mp4", 1000));
        assert_eq!(generated("a.mp4", 13).len(), 13);
    }
}

//! Derivatives (clips, redacted copies, transcripts, disc images) are new media linked to an
//! intact original; the original is never changed (Art. 21(2)).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use liuhen::hash::blake3;
use liuhen::media::{MediaError, MediaStore};
use liuhen::model::{DerivativeKind, Event, MediaRef};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("derivative-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> (PathBuf, MediaRef) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let r = MediaRef {
        digest: blake3(bytes),
        length: bytes.len() as u64,
        mime: "video/mp4".into(),
        name: name.into(),
    };
    (path, r)
}

#[test]
fn derivative_of_an_intact_original_is_stored_and_described() {
    let dir = scratch("ok");
    let store = MediaStore::create(dir.join("media")).unwrap();
    let footage: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (opath, original) = file(&dir, "seg-0001.mp4", &footage);
    store.put_file(&opath, &original).unwrap();
    let (cpath, clip) = file(&dir, "clip.mp4", &footage[10_000..20_000]);
    let event = store
        .derive(
            &original,
            &cpath,
            &clip,
            DerivativeKind::Clip,
            "听证会播放 for the hearing",
            1,
        )
        .unwrap();
    assert_eq!(
        event,
        Event::DerivativeMade {
            original: original.digest,
            derivative: clip.clone(),
            kind: DerivativeKind::Clip,
            reason: "听证会播放 for the hearing".into(),
        }
    );
    assert!(store.contains(&clip.digest));
    // The original is untouched.
    assert_eq!(
        std::fs::read(store.get(&original.digest).unwrap()).unwrap(),
        footage
    );
}

#[test]
fn derivative_of_altered_or_missing_original_or_identical_bytes_is_refused() {
    let dir = scratch("refused");
    let store = MediaStore::create(dir.join("media")).unwrap();
    let (opath, original) = file(&dir, "seg.mp4", b"original footage bytes");
    let (cpath, clip) = file(&dir, "clip.mp4", b"footage");
    // Not stored.
    assert!(matches!(
        store.derive(&original, &cpath, &clip, DerivativeKind::Clip, "r", 1),
        Err(MediaError::NotFound { .. })
    ));
    store.put_file(&opath, &original).unwrap();
    // Identical bytes are no derivative.
    assert!(matches!(
        store.derive(
            &original,
            &opath,
            &original,
            DerivativeKind::Redaction,
            "r",
            1
        ),
        Err(MediaError::NotADerivative { .. })
    ));
    // A derivative that is not what it claims is refused by the digest check.
    let mut lying = clip.clone();
    lying.length += 1;
    assert!(matches!(
        store.derive(&original, &cpath, &lying, DerivativeKind::Clip, "r", 1),
        Err(MediaError::Mismatch { .. })
    ));
    // Altered original: refused, nothing stored.
    let stored = store.get(&original.digest).unwrap();
    let mut perms = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&stored, perms).unwrap();
    std::fs::write(&stored, b"original footage byteZ").unwrap();
    assert!(matches!(
        store.derive(&original, &cpath, &clip, DerivativeKind::Clip, "r", 1),
        Err(MediaError::OriginalAltered { .. })
    ));
    assert!(!store.contains(&clip.digest));
}

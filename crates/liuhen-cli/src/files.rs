//! Files the CLI writes and reads on the user's behalf: new evidence files that never replace
//! an earlier one, and inputs read with a size limit before anything is parsed.

use std::error::Error;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;

/// Refuses a `path` that exists, before anything else is done (reading keys, appending): a
/// proof, bundle or certificate never replaces an earlier one.
pub(crate) fn refuse_existing(path: &Path) -> Result<(), Box<dyn Error>> {
    if path.exists() {
        return Err(exists(path));
    }
    Ok(())
}

fn exists(path: &Path) -> Box<dyn Error> {
    format!(
        "{} already exists: remove it or choose another file name",
        path.display()
    )
    .into()
}

/// Creates `path`, which must not exist, with `bytes`: a proof or bundle is evidence, and
/// silently replacing an earlier one is a mistake that could not be undone.
pub(crate) fn create_new(path: &Path) -> Result<File, Box<dyn Error>> {
    // The core's one "create, never replace" (keyfile), with the CLI's wording.
    liuhen::keyfile::create_new(path, 0o644).map_err(|e| match e {
        liuhen::keyfile::KeyFileError::Exists { .. } => exists(path),
        liuhen::keyfile::KeyFileError::Io { source, .. } => {
            format!("cannot create {}: {source}", path.display()).into()
        }
        other => other.into(),
    })
}

pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Box<dyn Error>> {
    let mut file = create_new(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(format!("cannot write {}: {e}", path.display()).into());
    }
    Ok(())
}

/// Reads at most `max` bytes of a proof at `path` (`-` is standard input); more is an error,
/// before anything is parsed.
pub(crate) fn read_limited(path: &Path, max: usize) -> Result<Vec<u8>, Box<dyn Error>> {
    read_limited_as(path, max, "a liuhen proof")
}

/// As [`read_limited`], for input that is `what` ("a destruction certificate").
pub(crate) fn read_limited_as(
    path: &Path,
    max: usize,
    what: &str,
) -> Result<Vec<u8>, Box<dyn Error>> {
    let name = path.display();
    let mut bytes = Vec::new();
    let limit = max as u64 + 1;
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {name}: {e}"))?;
    }
    if bytes.len() > max {
        return Err(format!("{name} is larger than {max} bytes: not {what}").into());
    }
    Ok(bytes)
}

//! The `MediaRef` of a file as an uploader makes it: digest, length, the file's own name and a
//! MIME type guessed from its extension.

use std::path::Path;

use crate::model::MediaRef;

use super::{digest_file, MediaError};

/// The MIME type of anything not recognised.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The MIME type of the common evidence formats, from the extension (case-insensitive). Only
/// informative: the ledger trusts the digest, never the name or type.
pub fn guess_mime(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "txt" => "text/plain",
        "json" => "application/json",
        _ => OCTET_STREAM,
    }
}

/// The `MediaRef` of the file at `path`: its digest and length ([`digest_file`], on `threads`
/// threads), `mime` or the type guessed from the extension, and as name the file's own name,
/// not where this machine keeps it.
///
/// # Errors
/// As [`digest_file`].
pub fn media_ref_of_file(
    path: &Path,
    mime: Option<&str>,
    threads: usize,
) -> Result<MediaRef, MediaError> {
    let mime = mime.unwrap_or_else(|| guess_mime(path));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    digest_file(path, mime, &name, threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_from_extension() {
        assert_eq!(guess_mime(Path::new("seg-0001.MP4")), "video/mp4");
        assert_eq!(guess_mime(Path::new("笔录.pdf")), "application/pdf");
        assert_eq!(guess_mime(Path::new("photo.JPeG")), "image/jpeg");
        assert_eq!(guess_mime(Path::new("x.mov")), "video/quicktime");
        assert_eq!(guess_mime(Path::new("README")), OCTET_STREAM);
        assert_eq!(guess_mime(Path::new("a.tar.gz")), OCTET_STREAM);
    }
}

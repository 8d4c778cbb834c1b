//! `liuhen digest`: BLAKE3 digests of media files, printed exactly as `b3sum` prints them, or as
//! the `MediaRef` JSON a statement carries.
//!
//! The digest is the one the ledger stores for media (`docs/FORMAT.md`), so an integrator can
//! digest footage here, put the `MediaRef` in a statement, and an auditor can later check the
//! same files with `b3sum --check` against this output, without liuhen.

use std::error::Error;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use liuhen::media::{digest_reader, media_ref_of_file, OCTET_STREAM};
use liuhen::model::MediaRef;

use crate::{Global, EXIT_ERROR, EXIT_OK};

/// Arguments of `liuhen digest`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  liuhen digest BWC-7731-0000.mp4 BWC-7731-0001.mp4 > SUMS.b3
  b3sum --check SUMS.b3                      # the same lines, checked without liuhen
  liuhen digest --json 现场检查笔录.pdf        # {\"digest\":…,\"length\":…,\"mime\":\"application/pdf\",\"name\":…}
  cat segment.mp4 | liuhen digest -           # standard input

A file that cannot be read is named on stderr; the others are still digested, and the exit
code is then 3.")]
pub struct Args {
    /// Files to digest; `-` (or nothing) reads standard input.
    pub files: Vec<PathBuf>,
    /// Print one `MediaRef` JSON object per line (digest, length, mime, name) instead of
    /// b3sum lines.
    #[arg(long)]
    pub json: bool,
    /// MIME type to put in the JSON instead of the one guessed from the file extension.
    #[arg(long, value_name = "TYPE")]
    pub mime: Option<String>,
    /// Hashing threads per file: 0 (default) uses every core, 1 hashes on one thread.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

/// Runs `liuhen digest`; returns the exit code.
pub fn run(args: Args, global: &Global) -> Result<u8, Box<dyn Error>> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files
    };
    let bar = crate::progress::bar(global, files.len() as u64, "files");
    bar.set_message("digesting");
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = 0u64;
    for path in &files {
        let result = digest_one(path, args.mime.as_deref(), args.threads);
        bar.inc(1);
        let media = match result {
            Ok(m) => m,
            Err(e) => {
                failed += 1;
                bar.suspend(|| eprintln!("liuhen: {}: {e}", path.display()));
                continue;
            }
        };
        let written = if args.json {
            serde_json::to_string(&media)
                .map_err(io::Error::other)
                .and_then(|line| writeln!(out, "{line}"))
        } else {
            writeln!(out, "{}", b3sum_line(&media.digest.to_hex(), path))
        };
        // Each line is flushed so that a long run shows progress in a pipe and nothing is
        // lost if a later file fails.
        match written.and_then(|()| out.flush()) {
            Ok(()) => {}
            // The reader went away (`| head`): nothing more to say to it.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(format!("writing to standard output: {e}").into()),
        }
    }
    bar.finish_and_clear();
    if failed > 0 {
        if files.len() > 1 {
            eprintln!(
                "liuhen: {failed} of {} files could not be digested",
                files.len()
            );
        }
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}

/// Digests one argument: `-` is standard input (streamed), anything else a file (mapped and
/// hashed on `threads` threads, or streamed if it is not a regular file).
fn digest_one(path: &Path, mime: Option<&str>, threads: usize) -> Result<MediaRef, Box<dyn Error>> {
    if path == Path::new("-") {
        let mime = mime.unwrap_or(OCTET_STREAM);
        return Ok(digest_reader(io::stdin().lock(), mime, "-")?);
    }
    match media_ref_of_file(path, mime, threads) {
        Ok(m) => Ok(m),
        // The library names the path; the caller names it too, so only the OS reason is kept.
        Err(liuhen::media::MediaError::Io { source, .. }) => Err(source.into()),
        Err(e) => Err(e.into()),
    }
}

/// One output line exactly as `b3sum` writes it: `<hex>  <path>`. As in b3sum (and md5sum), a
/// path holding a backslash or a newline is escaped (`\\`, `\n`) and the line then starts with
/// a backslash, so that every line of the output is one file and `b3sum --check` reads it back.
fn b3sum_line(hex: &str, path: &Path) -> String {
    let mut name = path.to_string_lossy().into_owned();
    // b3sum writes Windows paths with forward slashes, so check files move between systems.
    if cfg!(windows) {
        name = name.replace('\\', "/");
    }
    if name.contains('\\') || name.contains('\n') {
        let escaped = name.replace('\\', "\\\\").replace('\n', "\\n");
        format!("\\{hex}  {escaped}")
    } else {
        format!("{hex}  {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_b3sum_lines() {
        let hex = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
        assert_eq!(
            b3sum_line(hex, Path::new("a b/c.mp4")),
            format!("{hex}  a b/c.mp4")
        );
        assert_eq!(b3sum_line(hex, Path::new("-")), format!("{hex}  -"));
        if cfg!(unix) {
            assert_eq!(
                b3sum_line(hex, Path::new("x\\y\nz")),
                format!("\\{hex}  x\\\\y\\nz")
            );
        }
    }
}

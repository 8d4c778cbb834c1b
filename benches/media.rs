//! Media digest throughput against `b3sum` and SHA-256, measured in the same run on the same
//! file with the page cache warm.
//!
//! * liuhen `digest_file`, 1 thread and all threads (memory-mapped, BLAKE3's own parallelism);
//! * liuhen `digest_reader` (the streaming path used for pipes and uploads), 1 thread;
//! * the `b3sum` binary, `--num-threads 1` and default, if it is on `PATH` (skipped with a
//!   message otherwise; `cargo install b3sum` provides it) — its digest is also checked against
//!   liuhen's;
//! * SHA-256 (`sha2`, streaming, 1 thread): what a developer would pick instead.
//!
//! The file is 256 MiB by default; `LIUHEN_BENCH_MEDIA_MIB=1024` gives the 1 GiB of the issue.
//! Each figure is the best of `LIUHEN_BENCH_MEDIA_RUNS` (default 5) runs, since the best run is
//! the one least disturbed by other load on a shared machine.
//!
//! Memory mode: with `LIUHEN_BENCH_MEDIA_DIGEST=<path>` the bench only digests that file
//! (`LIUHEN_BENCH_MEDIA_MODE=mmap|mmap1|stream`) and prints the digest, so that
//! `/usr/bin/time -v` can report the peak RSS of digesting, e.g., a 4 GiB sparse file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use liuhen::media::{digest_file, digest_reader};
use sha2::Digest as _;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn best(runs: usize, mut f: impl FnMut() -> String) -> (Duration, String) {
    let mut best = Duration::MAX;
    let mut out = String::new();
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed());
    }
    (best, out)
}

fn make_file(path: &Path, mib: usize) {
    if std::fs::metadata(path).map(|m| m.len()).ok() == Some((mib as u64) << 20) {
        return;
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    // Pseudo-random bytes (xorshift), so that nothing compresses or dedups.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for chunk in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&buf).unwrap();
    }
    f.flush().unwrap();
}

fn b3sum(path: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("b3sum").args(args).arg(path).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().next().map(str::to_string)
}

fn sha256_file(path: &Path) -> String {
    let mut f = std::fs::File::open(path).unwrap();
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn memory_mode(path: &str) {
    let mode = std::env::var("LIUHEN_BENCH_MEDIA_MODE").unwrap_or_else(|_| "mmap".into());
    let p = Path::new(path);
    let m = match mode.as_str() {
        "stream" => digest_reader(std::fs::File::open(p).unwrap(), "", "").unwrap(),
        "mmap1" => digest_file(p, "", "", 1).unwrap(),
        _ => digest_file(p, "", "", 0).unwrap(),
    };
    println!("{}  {} ({} bytes, {mode})", m.digest, path, m.length);
}

fn main() {
    if let Ok(path) = std::env::var("LIUHEN_BENCH_MEDIA_DIGEST") {
        memory_mode(&path);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this with no such flag: do a
    // tiny smoke run then.
    let benching = std::env::args().any(|a| a == "--bench");
    let mib = if benching {
        env_usize("LIUHEN_BENCH_MEDIA_MIB", 256)
    } else {
        4
    };
    let runs = if benching {
        env_usize("LIUHEN_BENCH_MEDIA_RUNS", 5)
    } else {
        1
    };
    let dir: PathBuf = std::env::temp_dir().join("liuhen-bench-media");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("media-{mib}MiB.bin"));
    make_file(&path, mib);
    // Warm the page cache.
    let _ = digest_file(&path, "", "", 0).unwrap();
    let _ = sha256_file(&path);

    let threads = rayon::current_num_threads();
    let bytes = (mib as f64) * 1024.0 * 1024.0;
    let gibs = |d: Duration| bytes / d.as_secs_f64() / (1u64 << 30) as f64;
    println!("media digest bench: {mib} MiB file, best of {runs}, {threads} threads available");

    let (l1, d1) = best(runs, || {
        digest_file(&path, "", "", 1).unwrap().digest.to_hex()
    });
    let (ln, dn) = best(runs, || {
        digest_file(&path, "", "", 0).unwrap().digest.to_hex()
    });
    let (ls, ds) = best(runs, || {
        let f = std::fs::File::open(&path).unwrap();
        digest_reader(f, "", "").unwrap().digest.to_hex()
    });
    assert_eq!(d1, dn);
    assert_eq!(d1, ds);
    let (sha, _) = best(runs, || sha256_file(&path));
    println!("liuhen digest_file, 1 thread:      {:7.3} GiB/s", gibs(l1));
    println!("liuhen digest_file, all threads:   {:7.3} GiB/s", gibs(ln));
    println!("liuhen digest_reader, 1 thread:    {:7.3} GiB/s", gibs(ls));
    println!("SHA-256 (sha2), 1 thread:          {:7.3} GiB/s", gibs(sha));

    let have_b3sum = b3sum(&path, &["--num-threads", "1"]).is_some();
    if have_b3sum {
        let (b1, h1) = best(runs, || b3sum(&path, &["--num-threads", "1"]).unwrap());
        let (bn, hn) = best(runs, || b3sum(&path, &[]).unwrap());
        assert_eq!(h1, d1, "b3sum --num-threads 1 disagrees with liuhen");
        assert_eq!(hn, d1, "b3sum disagrees with liuhen");
        println!("b3sum --num-threads 1:             {:7.3} GiB/s", gibs(b1));
        println!("b3sum (default threads):           {:7.3} GiB/s", gibs(bn));
        println!(
            "ratio liuhen/b3sum, 1 thread:      {:.3}",
            b1.as_secs_f64() / l1.as_secs_f64()
        );
        println!(
            "ratio liuhen/b3sum, all threads:   {:.3}",
            bn.as_secs_f64() / ln.as_secs_f64()
        );
        println!(
            "ratio digest_reader/b3sum, 1 thr.: {:.3}",
            b1.as_secs_f64() / ls.as_secs_f64()
        );
    } else {
        println!("b3sum not on PATH: b3sum comparison skipped (cargo install b3sum)");
    }
    println!(
        "ratio liuhen 1 thread / SHA-256:   {:.2}",
        sha.as_secs_f64() / l1.as_secs_f64()
    );
    println!(
        "ratio liuhen all / SHA-256:        {:.2}",
        sha.as_secs_f64() / ln.as_secs_f64()
    );
    if !benching {
        let _ = std::fs::remove_file(&path);
    }
}

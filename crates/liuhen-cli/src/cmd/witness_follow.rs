//! `liuhen witness follow`: a witness that pulls a log's checkpoints instead of being sent
//! them ([`liuhen_http::follow`]; docs/witness/follow.md).
use std::error::Error;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use liuhen::Clock as _;

use liuhen::witness::Witness;
use liuhen_http::follow::Follower;

use crate::{Global, EXIT_ERROR, EXIT_OK, EXIT_TAMPERED};

/// Arguments of `liuhen witness follow`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  liuhen witness follow /srv/witness --log http://ledger.jinpu.example:8700 --count 60 --interval 60\n\nEach round fetches LOG/checkpoint, builds the consistency proof from the witness's latest\ncosigned checkpoint of that origin to the new one out of the log's hash tiles (each tile\nauthenticated against the new root), and hands it to the witness as an add-checkpoint\nrequest: the same checks as `liuhen witness serve` (the log's signature by a trusted key,\nconsistency), the new state persisted before the line is printed. One line a round:\n  ORIGIN SIZE cosigned (consistent with OLD) | unchanged | refused: WHY | SPLIT VIEW: WHY\nA split view is kept as evidence in WDIR/conflicts and stops following.\n\nExit codes: 0 every round answered (cosigned, unchanged or refused), 1 a split view (two\ninconsistent checkpoints of one log), 3 usage, network or witness I/O error."
)]
pub struct Args {
    /// The witness directory (its key, trusted logs and state); held locked while following.
    pub wdir: PathBuf,
    /// The log's tlog-tiles prefix: `http://HOST[:PORT][/PREFIX]` (`liuhen serve`'s address).
    #[arg(long, value_name = "URL")]
    pub log: String,
    /// Seconds to wait between rounds.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub interval: u64,
    /// Rounds to run (at least 1).
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
    /// Seconds each request may take.
    #[arg(long, default_value_t = 30, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

/// Runs the rounds; returns the exit code.
pub fn run(args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    let witness = Witness::open(&args.wdir)?;
    let follower = Follower::new(&witness, &args.log, Duration::from_secs(args.timeout))?;
    let mut code = EXIT_OK;
    let mut out = std::io::stdout();
    for n in 0..args.count {
        if n > 0 {
            std::thread::sleep(Duration::from_secs(args.interval));
        }
        let now = u64::try_from(liuhen::SystemClock.now().0 / 1000)
            .map_err(|_| "the system clock is before 1970")?;
        match follower.round(now) {
            Ok(round) => {
                writeln!(out, "{round}")?;
                out.flush()?;
                if round.is_split_view() {
                    // The evidence is kept; following on would only refuse it again.
                    return Ok(EXIT_TAMPERED);
                }
            }
            Err(e) => {
                eprintln!("liuhen: {}: {e}", follower.log());
                code = EXIT_ERROR;
            }
        }
    }
    Ok(code)
}

//! `liuhen audit` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen audit`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen audit`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen audit` is not built yet".into())
}

//! `liuhen verify` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen verify`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen verify`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen verify` is not built yet".into())
}

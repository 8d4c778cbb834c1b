//! `liuhen vault` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen vault`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen vault`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen vault` is not built yet".into())
}

//! `liuhen init` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen init`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen init`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen init` is not built yet".into())
}

//! `liuhen append` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen append`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen append`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen append` is not built yet".into())
}

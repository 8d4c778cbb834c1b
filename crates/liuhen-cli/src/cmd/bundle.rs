//! `liuhen bundle` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen bundle`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen bundle`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen bundle` is not built yet".into())
}

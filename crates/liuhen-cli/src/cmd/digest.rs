//! `liuhen digest` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen digest`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen digest`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen digest` is not built yet".into())
}

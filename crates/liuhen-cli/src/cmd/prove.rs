//! `liuhen prove` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen prove`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `liuhen prove`; returns the exit code.
pub fn run(_args: Args, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen prove` is not built yet".into())
}

/// Arguments of `liuhen check-proof`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {}

/// Runs `liuhen check-proof`; returns the exit code.
pub fn run_check(_args: CheckArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen check-proof` is not built yet".into())
}

//! `liuhen authorize` (being built; see the issue tracker).

use std::error::Error;

use crate::Global;

/// Arguments of `liuhen authorize`.
#[derive(clap::Args, Debug)]
pub struct AuthorizeArgs {}

/// Runs `liuhen authorize`; returns the exit code.
pub fn run_authorize(_args: AuthorizeArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen authorize` is not built yet".into())
}

/// Arguments of `liuhen revoke`.
#[derive(clap::Args, Debug)]
pub struct RevokeArgs {}

/// Runs `liuhen revoke`; returns the exit code.
pub fn run_revoke(_args: RevokeArgs, _global: &Global) -> Result<u8, Box<dyn Error>> {
    Err("`liuhen revoke` is not built yet".into())
}

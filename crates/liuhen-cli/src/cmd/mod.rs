//! One module per subcommand (or family of subcommands); each owns its arguments and output.

pub mod append;
pub mod audit;
pub mod bundle;
pub mod digest;
pub mod init;
pub mod keygen;
pub mod log;
pub mod prove;
pub mod registry;
pub mod seal;
pub mod serve;
pub mod timestamp;
pub mod vault;
pub mod verify;
pub mod witness;
pub mod witness_follow;

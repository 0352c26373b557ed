//! The `rarewatch` command line: one module per subcommand.

pub mod demo;
pub mod eval;
pub mod inspect;
pub mod simulate;
pub mod train;

use std::path::Path;

use anyhow::Context;

/// Reads a whole file, naming it in the error.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

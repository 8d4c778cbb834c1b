//! Progress bars: shown on long operations when stderr is a terminal, never otherwise, never
//! with `--quiet`, so that scripts and CI logs stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Global;

/// A bar counting `total` units (`what`: "entries", "bytes"), hidden unless stderr is a terminal
/// and `--quiet` is off. A hidden bar accepts every call and draws nothing.
pub fn bar(global: &Global, total: u64, what: &str) -> ProgressBar {
    if global.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let template = if what == "bytes" {
        "{spinner} {msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
    } else {
        "{spinner} {msg} [{bar:40}] {pos}/{len} {prefix} ({per_sec}, {eta})"
    };
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::new(total).with_style(style);
    bar.set_prefix(what.to_owned());
    bar
}

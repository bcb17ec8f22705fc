//! Progress bars on stderr for long imports and builds; hidden when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Work smaller than this (in bytes) finishes too fast to need a bar.
const MIN_BYTES_FOR_BAR: u64 = 4 << 20;

/// What a bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes read; the bar shows only for large inputs.
    Bytes,
    /// Files read; the bar always shows (on a terminal).
    Files,
}

/// A progress bar that shows itself only on a terminal and, for bytes, only for large work.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar for work of `total` units (0 when not yet known), titled `what`.
    pub fn new(what: &str, total: u64, unit: Unit) -> Bar {
        let large = unit == Unit::Files || total >= MIN_BYTES_FOR_BAR;
        let visible = std::io::stderr().is_terminal() && large;
        let bar = ProgressBar::with_draw_target(
            Some(total),
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        let template = match unit {
            Unit::Bytes => "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})",
            Unit::Files => "{msg} [{bar:40}] {pos}/{len} files ({eta})",
        };
        let style = ProgressStyle::with_template(template)
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        Bar { bar }
    }

    /// Records progress.
    pub fn update(&self, done: u64, total: u64) {
        if self.bar.length() != Some(total) {
            self.bar.set_length(total);
        }
        self.bar.set_position(done);
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl crate::import::Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        Bar::update(self, done, total);
    }
}

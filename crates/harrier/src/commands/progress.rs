//! Progress bars for downloads, drawn on stderr only on a terminal and never under `-q`.

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One bar per feed being downloaded.
pub struct Bars {
    multi: Option<MultiProgress>,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    pub fn new(enabled: bool) -> Bars {
        Bars {
            multi: enabled.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            bars: Mutex::new(HashMap::new()),
        }
    }

    /// Removes every bar from the screen.
    pub fn clear(&self) {
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }
}

impl harrier_vulndb::update::Progress for Bars {
    fn begin(&self, feed: &str, size: Option<u64>) {
        let Some(multi) = &self.multi else { return };
        let bar = match size {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{prefix:<24} {bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix:<24} {spinner} {bytes:>10} {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        let bar = multi.add(bar.with_prefix(feed.to_owned()));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(feed.to_owned(), bar);
        }
    }

    fn advance(&self, feed: &str, bytes: u64) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(bar) = bars.get(feed) {
                bar.inc(bytes);
            }
        }
    }

    fn end(&self, feed: &str, outcome: &str) {
        if let Ok(mut bars) = self.bars.lock() {
            if let Some(bar) = bars.remove(feed) {
                bar.finish_with_message(outcome.to_owned());
                bar.finish_and_clear();
            }
        }
    }
}

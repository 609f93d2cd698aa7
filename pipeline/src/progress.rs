//! Progress of long stages: a bar on a terminal (`indicatif`), plain log lines otherwise (CI,
//! redirected output), so a country-size run never sits silent and a log never fills with bar
//! redraws.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of one stage over a known number of items; shareable across threads.
pub struct Progress {
    stage: &'static str,
    total: u64,
    done: AtomicU64,
    bar: Option<ProgressBar>,
    /// Last tenth logged (plain mode), so each tenth is logged once.
    logged: Mutex<u64>,
    start: Instant,
}

impl Progress {
    /// A bar when stderr is a terminal, log lines at each tenth otherwise. Stages of fewer than
    /// `min_items` items show nothing (a demo stays quiet).
    pub fn new(stage: &'static str, total: u64, min_items: u64) -> Progress {
        Progress::styled(stage, total, min_items, "{prefix:>10} [{bar:30}] {pos}/{len} {elapsed} (eta {eta})")
    }

    /// [`Progress::new`] for items of very unequal cost (the last arcs of a contraction take far
    /// longer than the first): the bar shows no estimate of the time left, which would mislead.
    pub fn uneven(stage: &'static str, total: u64, min_items: u64) -> Progress {
        Progress::styled(stage, total, min_items, "{prefix:>10} [{bar:30}] {pos}/{len} {elapsed}")
    }

    fn styled(stage: &'static str, total: u64, min_items: u64, template: &str) -> Progress {
        let quiet = total < min_items;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::with_template(template).expect("the template is valid").progress_chars("=> "));
            bar.set_prefix(stage);
            bar
        });
        let logged = Mutex::new(if quiet { u64::MAX } else { 0 });
        Progress { stage, total, done: AtomicU64::new(0), bar, logged, start: Instant::now() }
    }

    /// `n` more items done.
    pub fn inc(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &self.bar {
            bar.inc(n);
            return;
        }
        let tenth = tenth(done, self.total);
        let mut logged = self.logged.lock().expect("progress lock");
        if *logged != u64::MAX && tenth > *logged {
            *logged = tenth;
            tracing::info!(
                stage = self.stage,
                done,
                total = self.total,
                elapsed_s = self.start.elapsed().as_secs_f64(),
                "progress"
            );
        }
    }

    /// The stage is over: the bar disappears (the stage's timing line says how long it took).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Which tenth of `total` `done` has reached (10 when all are done).
fn tenth(done: u64, total: u64) -> u64 {
    (done.min(total) * 10).checked_div(total).unwrap_or(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_are_reached_once_each_and_never_past_ten() {
        assert_eq!(tenth(0, 200), 0);
        assert_eq!(tenth(19, 200), 0);
        assert_eq!(tenth(20, 200), 1);
        assert_eq!(tenth(200, 200), 10);
        assert_eq!(tenth(500, 200), 10);
        assert_eq!(tenth(0, 0), 10);
    }

    #[test]
    fn plain_mode_counts_from_many_threads() {
        // Tests run without a terminal on stderr: plain mode.
        let p = Progress::new("test", 1000, 1);
        assert!(p.bar.is_none());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..250 {
                        p.inc(1);
                    }
                });
            }
        });
        assert_eq!(p.done.load(Ordering::Relaxed), 1000);
        assert_eq!(*p.logged.lock().unwrap(), 10);
        p.finish();
    }

    #[test]
    fn small_stages_stay_quiet() {
        let p = Progress::new("test", 5, 100);
        p.inc(5);
        assert_eq!(*p.logged.lock().unwrap(), u64::MAX);
    }
}

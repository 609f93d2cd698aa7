//! Scale benchmark of the tabular stages (ingest → visit pairing → center days → legs → impacts).
//!
//! `cargo bench -p navette --bench tabular` generates (once, cached) a large synthetic study and
//! reports events/s per stage and the process's peak memory. Knobs (environment):
//! - `NAVETTE_BENCH_EMPLOYEES` (default 100000), `NAVETTE_BENCH_USAGE` (default 3.0: center-use
//!   multiplier), `NAVETTE_BENCH_TO` (default 2026-12-31: a whole year);
//! - `NAVETTE_BENCH_DIR` (default `$TMPDIR/navette-bench-<employees>-<usage>-<to>`): where the
//!   study is kept between runs;
//! - `NAVETTE_BENCH_RUN=1`: then the whole run as `navette run` does it (scenarios, output tables,
//!   Parquet, DuckDB, reports) into a temporary folder, with its stage times (goal, issue 13: the
//!   100k study end to end in 20 s and 2 GiB on 2 cores).

use std::path::PathBuf;
use std::time::Instant;

use navette::config::Study;
use navette::run;
use navette::run::demo::{self, DemoOptions};

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let benching = std::env::args().any(|a| a == "--bench");
    let employees: usize = env_or("NAVETTE_BENCH_EMPLOYEES", if benching { 100_000 } else { 300 });
    let usage: f64 = env_or("NAVETTE_BENCH_USAGE", 3.0);
    let to: chrono::NaiveDate = env_or("NAVETTE_BENCH_TO", chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    let dir: PathBuf = std::env::var("NAVETTE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("navette-bench-{employees}-{usage}-{to}")));
    if !dir.join("study.toml").exists() {
        let t = Instant::now();
        let opt = DemoOptions { employees, usage_scale: usage, to, faults: false, ..DemoOptions::default() };
        demo::write_study(&dir, &demo::generate(&opt)).expect("write the bench study");
        eprintln!("generated {} in {:.1} s", dir.display(), t.elapsed().as_secs_f64());
    }
    let study = Study::load(&dir.join("study.toml")).expect("bench study config");
    let t = Instant::now();
    let sources = run::load_sources(&study).expect("bench inputs");
    let read_s = t.elapsed().as_secs_f64();
    let bytes: u64 = std::fs::read_dir(dir.join("logs"))
        .map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0);
    let mut timings = run::Timings::default();
    let t = Instant::now();
    let computed = run::compute(&study, &sources, &mut timings).expect("compute");
    let total_s = t.elapsed().as_secs_f64();
    let events = computed.pairing.events as f64;
    println!(
        "tabular stages on {employees} employees, {} events ({:.0} MB of logs), {} threads",
        events,
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!("  read files       {read_s:>8.2} s");
    println!("  {:<16} {:>8} {:>14}   {:>8}", "stage", "wall", "events/s", "cpu");
    for ((stage, ms), cpu) in timings.stages.iter().zip(&timings.cpu_ms) {
        let s = *ms as f64 / 1000.0;
        let cpu = cpu.map_or("?".to_owned(), |c| format!("{:.2} s", c as f64 / 1000.0));
        println!("  {stage:<16} {s:>6.2} s  {:>12.0}   {cpu:>8}", events / s.max(1e-9));
    }
    let cpu_s = timings.cpu_ms.iter().flatten().sum::<u128>() as f64 / 1000.0;
    println!("  all stages       {total_s:>6.2} s  {:>12.0}   {cpu_s:>6.2} s", events / total_s);
    println!(
        "  CPU-bound rate on {} threads (events / (cpu time / threads)): {:.0} events/s",
        rayon::current_num_threads(),
        events / (cpu_s / rayon::current_num_threads() as f64).max(1e-9)
    );
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    let outputs = computed.visits.estimated_size()
        + computed.days.estimated_size()
        + computed.legs.estimated_size()
        + computed.impacts.estimated_size()
        + computed.potential.estimated_size();
    println!(
        "  visits {}, center days {}; output tables {:.0} MiB, events while pairing {:.0} MiB ({} B each); peak RSS {:.0} MiB",
        computed.visits.height(),
        computed.days.height(),
        mib(outputs),
        mib(events as usize * std::mem::size_of::<navette::input::ingest::Event>()),
        std::mem::size_of::<navette::input::ingest::Event>(),
        peak_rss_mib()
    );
    if env_or("NAVETTE_BENCH_RUN", 0u8) == 1 {
        drop(computed);
        let out = std::env::temp_dir().join(format!("navette-bench-run-{}", std::process::id()));
        let t = Instant::now();
        let summary = run::run(&study, &sources, &out).expect("bench run");
        let wall = t.elapsed().as_secs_f64();
        println!(
            "whole run ({} scenarios, {} reports) into {}",
            summary.scenarios.len(),
            summary.reports.len(),
            out.display()
        );
        for (stage, ms) in &summary.timings.stages {
            println!("  {stage:<24} {:>6.2} s", *ms as f64 / 1000.0);
        }
        println!(
            "  end to end               {wall:>6.2} s; peak RSS {:.0} MiB (the tabular stages above included)",
            peak_rss_mib()
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}

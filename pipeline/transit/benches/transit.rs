//! Transit benchmark: a synthetic country-size day and the Cairns feed.
//!
//! ```text
//! cargo bench --profile dev -p navette-transit --bench transit
//! NAVETTE_TRANSIT_GRID=120 cargo bench ...   # smaller synthetic grid (default 175 × 175 stops)
//! NAVETTE_TRANSIT_PAIRS=pairs.csv NAVETTE_TRANSIT_OUT=ours.csv cargo bench ...   # see compare/
//! ```
//!
//! Synthetic day: a grid of stops 1 km apart (175 × 175 = 30,625 stops over 175 km × 175 km);
//! each row and each column carries lines of 35 stops both ways, 2 min between stops, every
//! 15 min (one line in five) or 30 min, 05:00–23:00; one row and one column in ten also carry a
//! fast "train" line over their whole length (one stop in five, 3 min between calls, every
//! 30 min); walking transfers between neighbouring stops (1 km). Reports building time, memory and the time of reverse (arrive by 09:00, 3 h window)
//! and forward scans from random destinations.

use std::time::Instant;

use navette_transit::{Access, Date, LoadOptions, Network, Scanner, ServiceDay, load_feeds};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[path = "common/synthetic.rs"]
mod synthetic;
use synthetic::synthetic;

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    format!("mean {:.2} ms, median {:.2} ms, max {:.2} ms", mean, v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    if let Ok(pairs) = std::env::var("NAVETTE_TRANSIT_PAIRS") {
        return compare(&pairs);
    }
    let n: usize = env("NAVETTE_TRANSIT_GRID", 175);
    let queries: usize = env("NAVETTE_TRANSIT_QUERIES", 20);
    let t0 = Instant::now();
    let input = synthetic(n);
    let gen_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    // Neighbouring stops (1 km) are linked by walks: 4 per stop.
    let net = Network::build(input, LoadOptions { transfer_radius_m: 1001.0, ..LoadOptions::default() });
    let build_s = t0.elapsed().as_secs_f64();
    println!(
        "synthetic day: {} stops, {} trips, {} connections, {} walking links; generated in {gen_s:.1} s, built in {build_s:.1} s",
        net.stop_count(),
        net.trip_count(),
        net.connection_count(),
        net.walk_count()
    );
    println!("network heap ≈ {:.0} MiB, peak RSS {:.0} MiB", net.heap_bytes() as f64 / 1048576.0, peak_rss_mib());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut sc = Scanner::new(&net);
    let (mut rev, mut fwd, mut scanned) = (Vec::new(), Vec::new(), 0usize);
    let mut served = 0usize;
    for _ in 0..queries {
        let s = rng.random_range(0..net.stop_count() as u32);
        let dest = net.access(net.stop_pos(s), 600.0, 1.25, 1.3);
        let t = Instant::now();
        sc.reverse(&dest, 9 * 3600, 3 * 3600);
        rev.push(t.elapsed().as_secs_f64() * 1e3);
        scanned += sc.scanned;
        served += (0..net.stop_count() as u32).filter(|&x| sc.stop_label(x).is_some()).count();
        let t = Instant::now();
        sc.forward(&dest, 17 * 3600 + 1800, 3 * 3600);
        fwd.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "reverse scan (arrive by 09:00, 3 h window, {} connections looked at on average, {:.0} stops reached): {}",
        scanned / queries,
        served as f64 / queries as f64,
        stats(rev)
    );
    println!("forward scan (depart 17:30, 3 h window): {}", stats(fwd));
    println!("peak RSS {:.0} MiB", peak_rss_mib());

    // The real feed.
    let cairns = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/gtfs/cairns_gtfs.zip");
    let t0 = Instant::now();
    let day = ServiceDay::Representative {
        from: Date::parse_iso("2014-06-01").unwrap(),
        to: Date::parse_iso("2014-06-30").unwrap(),
    };
    let l = load_feeds(&[("cairns".into(), cairns)], day, LoadOptions::default()).expect("Cairns feed");
    let load_s = t0.elapsed().as_secs_f64();
    let net = &l.network;
    let mut sc = Scanner::new(net);
    let mut rev = Vec::new();
    for _ in 0..200 {
        let s = rng.random_range(0..net.stop_count() as u32);
        let dest = net.access(net.stop_pos(s), 600.0, 1.25, 1.3);
        let t = Instant::now();
        sc.reverse(&dest, 9 * 3600, 3 * 3600);
        rev.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "Cairns ({}, {} stops, {} connections): loaded in {:.2} s; reverse scan {}",
        l.report.service_date,
        net.stop_count(),
        net.connection_count(),
        load_s,
        stats(rev)
    );
}

/// Side-by-side mode (`compare/run.sh`): reads `origin_lat,origin_lon,dest_lat,dest_lon,depart_s`
/// rows, answers each with a forward scan on Cairns (walk 1.25 m/s × 1.3, 600 m max), writes
/// `arrive_s` per row (empty: no journey) and the total scan time.
fn compare(pairs: &str) {
    let out = std::env::var("NAVETTE_TRANSIT_OUT").expect("NAVETTE_TRANSIT_OUT");
    let feed = std::env::var("NAVETTE_TRANSIT_FEED").unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../datasets/gtfs/cairns_gtfs.zip")
            .display()
            .to_string()
    });
    let date = Date::parse_iso(&std::env::var("NAVETTE_TRANSIT_DATE").unwrap_or("2014-06-10".into())).unwrap();
    let max_m: f64 = env("NAVETTE_TRANSIT_MAX_WALK_M", 600.0);
    let opts = LoadOptions {
        walk_speed_mps: env("NAVETTE_TRANSIT_WALK_MPS", 1.25),
        walk_detour: env("NAVETTE_TRANSIT_DETOUR", 1.3),
        transfer_radius_m: env("NAVETTE_TRANSIT_TRANSFER_M", 400.0),
        min_change_s: env("NAVETTE_TRANSIT_CHANGE_S", 60),
    };
    let l = load_feeds(&[("feed".into(), feed.into())], ServiceDay::Fixed(date), opts.clone()).expect("feed");
    let net = &l.network;
    let text = std::fs::read_to_string(pairs).expect("pairs file");
    let rows: Vec<Vec<f64>> =
        text.lines().skip(1).map(|l| l.split(',').map(|x| x.trim().parse().unwrap()).collect()).collect();
    let mut sc = Scanner::new(net);
    let mut res = String::from("arrive_s,transfers\n");
    let t0 = Instant::now();
    let mut last_origin: Option<(u64, u64, i32)> = None;
    for r in &rows {
        let key = (r[0].to_bits(), r[1].to_bits(), r[4] as i32);
        if last_origin != Some(key) {
            let from: Vec<Access> = net.access((r[0], r[1]), max_m, opts.walk_speed_mps, opts.walk_detour);
            sc.forward(&from, r[4] as i32, 6 * 3600);
            last_origin = Some(key);
        }
        let to = net.access((r[2], r[3]), max_m, opts.walk_speed_mps, opts.walk_detour);
        match sc.journey(&to) {
            Some(j) => res.push_str(&format!("{},{}\n", j.arrive_s, j.transfers())),
            None => res.push_str(",\n"),
        }
    }
    let el = t0.elapsed().as_secs_f64();
    std::fs::write(&out, res).expect("write");
    println!("ours: {} pairs in {:.3} s", rows.len(), el);
}

//! Writes the transit bench's synthetic country-size day (`benches/common/synthetic.rs`) as a
//! GTFS feed folder, for issue 13's country study (`./dev bench-country study`):
//!
//! ```text
//! cargo run --profile dev -p navette-transit --example country_gtfs -- OUT_DIR [N] [FROM] [TO]
//! ```
//!
//! `N` stops a side (default 175: 30,625 stops, 184,556 trips, 5.36 M connections), every trip
//! running every day from `FROM` to `TO` (ISO dates, default 2026-01-01 and 2026-12-31).

#[path = "../benches/common/synthetic.rs"]
mod synthetic;

use navette_transit::Date;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: country_gtfs OUT_DIR [N] [FROM] [TO]");
        std::process::exit(2);
    };
    let n: usize = args.get(1).map_or(175, |s| s.parse().expect("N: a number of stops a side"));
    let date = |i: usize, d: &str| Date::parse_iso(args.get(i).map_or(d, String::as_str)).expect("a YYYY-MM-DD date");
    let (from, to) = (date(2, "2026-01-01"), date(3, "2026-12-31"));
    let t = std::time::Instant::now();
    let input = synthetic::synthetic(n);
    let rows = synthetic::write_gtfs(&input, std::path::Path::new(out), from, to).expect("cannot write the feed");
    println!(
        "{out}: {} stops, {} trips, {rows} stop_times rows in {:.1} s",
        input.stops.len(),
        input.trip_class.len(),
        t.elapsed().as_secs_f64()
    );
}

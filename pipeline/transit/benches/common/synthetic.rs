//! The synthetic country-size day of the transit bench, shared by the bench
//! (`benches/transit.rs`), the GTFS writer (`examples/country_gtfs.rs`, issue 13's country study)
//! and the test that the written feed loads into the same network (`tests/synthetic_feed.rs`).
//!
//! A grid of `n × n` stops 1 km apart from 49.5° N, 2.5° E; each row and each column carries
//! lines of 35 stops both ways, 2 min between stops, every 15 min (one line in five) or 30 min,
//! 05:00–23:00; one row and one column in ten also carry a fast "train" line over their whole
//! length (one stop in five, 3 min between calls, every 30 min).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use navette_transit::{Call, Date, StopInput, TimetableInput, VehicleClass};

/// The synthetic day (stop ids `s0`, `s1`, …; no transfers: the loader adds walks).
pub fn synthetic(n: usize) -> TimetableInput {
    let (lat0, lon0) = (49.5, 2.5);
    // 1 km in degrees: latitude 1/111.195, longitude at ~50.3° N.
    let (dlat, dlon) = (1.0 / 111.195, 1.0 / (111.195 * 50.3f64.to_radians().cos()));
    let stops = (0..n * n)
        .map(|i| StopInput {
            id: format!("s{i}"),
            name: String::new(),
            pos: (lat0 + (i / n) as f64 * dlat, lon0 + (i % n) as f64 * dlon),
            group: None,
        })
        .collect();
    let mut t = TimetableInput { stops, trip_start: vec![0], ..TimetableInput::default() };
    let add_line =
        |t: &mut TimetableInput, line: &[u32], hop_s: i32, headway_s: i32, class: VehicleClass, offset: i32| {
            for dir in 0..2 {
                let seq: Vec<u32> = if dir == 0 { line.to_vec() } else { line.iter().rev().copied().collect() };
                let mut start = 5 * 3600 + offset;
                while start <= 23 * 3600 {
                    for (k, &s) in seq.iter().enumerate() {
                        let at = start + k as i32 * hop_s;
                        let dwell = if k == 0 || k + 1 == seq.len() { 0 } else { 20 };
                        t.calls.push(Call {
                            stop: s,
                            arr_s: at,
                            dep_s: at + dwell,
                            board: true,
                            alight: true,
                            along_m: f64::NAN,
                        });
                    }
                    t.trip_start.push(t.calls.len() as u32);
                    t.trip_class.push(class);
                    start += headway_s;
                }
            }
        };
    let seg = 35;
    let mut line_no = 0;
    for r in 0..n {
        for vertical in [false, true] {
            let at = |k: usize| if vertical { (k * n + r) as u32 } else { (r * n + k) as u32 };
            let mut k0 = 0;
            while k0 + 1 < n {
                let line: Vec<u32> = (k0..(k0 + seg).min(n)).map(at).collect();
                let headway = if line_no % 5 == 0 { 900 } else { 1800 };
                add_line(&mut t, &line, 120, headway, VehicleClass::Bus, (line_no % 7) * 120);
                line_no += 1;
                k0 += seg - 1;
            }
            if r % 10 == 5 {
                let line: Vec<u32> = (0..n).step_by(5).map(at).collect();
                add_line(&mut t, &line, 180, 1800, VehicleClass::Rail, 0);
            }
        }
    }
    t
}

fn gtfs_date(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y:04}{m:02}{day:02}")
}

fn hms(t: i32) -> String {
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// Writes `t` as a GTFS feed folder (agency, stops, routes, trips, stop_times, calendar): one
/// route per vehicle class, every trip running every day from `from` to `to` (inclusive).
/// Coordinates are written in full (shortest round-trip form), so the feed loads into the same
/// stops. Returns the number of `stop_times.txt` rows.
pub fn write_gtfs(t: &TimetableInput, dir: &Path, from: Date, to: Date) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let file = |name: &str| -> std::io::Result<std::io::BufWriter<std::fs::File>> {
        Ok(std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join(name))?))
    };
    let mut f = file("agency.txt")?;
    f.write_all(b"agency_id,agency_name,agency_url,agency_timezone\nsyn,Synthetic country,https://example.org,Europe/Brussels\n")?;
    f.flush()?;
    let mut f = file("calendar.txt")?;
    writeln!(f, "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date")?;
    writeln!(f, "all,1,1,1,1,1,1,1,{},{}", gtfs_date(from), gtfs_date(to))?;
    f.flush()?;
    let mut f = file("stops.txt")?;
    writeln!(f, "stop_id,stop_name,stop_lat,stop_lon")?;
    for s in &t.stops {
        writeln!(f, "{},{},{},{}", s.id, s.id, s.pos.0, s.pos.1)?;
    }
    f.flush()?;
    let route = |c: VehicleClass| if c == VehicleClass::Rail { "rail" } else { "bus" };
    let mut f = file("routes.txt")?;
    writeln!(f, "route_id,agency_id,route_short_name,route_type")?;
    writeln!(f, "bus,syn,Bus,3\nrail,syn,Train,2")?;
    f.flush()?;
    let mut f = file("trips.txt")?;
    writeln!(f, "route_id,service_id,trip_id")?;
    for (i, &c) in t.trip_class.iter().enumerate() {
        writeln!(f, "{},all,t{i}", route(c))?;
    }
    f.flush()?;
    let mut f = file("stop_times.txt")?;
    writeln!(f, "trip_id,arrival_time,departure_time,stop_id,stop_sequence")?;
    let mut line = String::new();
    for (i, w) in t.trip_start.windows(2).enumerate() {
        for (k, c) in t.calls[w[0] as usize..w[1] as usize].iter().enumerate() {
            line.clear();
            let _ = writeln!(line, "t{i},{},{},{},{k}", hms(c.arr_s), hms(c.dep_s), t.stops[c.stop as usize].id);
            f.write_all(line.as_bytes())?;
        }
    }
    f.flush()?;
    Ok(t.calls.len())
}

//! Public-transport legs on GTFS timetables (crate `navette-transit`): opening the study's feeds
//! (`inputs.gtfs`), their rejects and counts for the data-quality ledger, and routing a batch of
//! train, bus, tram and metro legs grouped by destination: one reverse scan (arrive by) and one
//! forward scan (depart at) per destination answer all its homes. Legs that cannot be served keep
//! the estimate with a reason.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use navette_transit::{Access, Date, Journey, LoadOptions, LoadReport, Network, Scanner, ServiceDay, VehicleClass};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Study, TransitConfig};
use crate::input::quality::{FileCount, Ledger, Reject, RejectReason};
use crate::method::mode::{self, Mode};
use crate::routing::LegRequest;

/// The study's timetables with its transit options.
pub struct TransitRouting {
    /// The network of the service day.
    pub network: Network,
    /// `[method.transit]`: arrival and departure times, service day, access and transfer rules.
    pub config: TransitConfig,
    /// What the loader read, rejected and chose.
    pub report: LoadReport,
    /// The feeds as named in the config, with the sha256 of their files.
    pub feeds: Vec<(String, String)>,
}

/// What `run.json` records of the timetables.
#[derive(Debug, Clone, Serialize)]
pub struct TransitSummary {
    /// Feeds: name as configured, sha256 of the archive (of the concatenated files, for a folder).
    pub feeds: Vec<FeedInfo>,
    /// The service day used.
    pub service_date: String,
    /// `representative` (chosen from the study period) or `fixed` (`method.transit.service_date`).
    pub service_day_rule: &'static str,
    /// Stops, trips and connections of the day.
    pub stops: usize,
    /// Trips running on the day.
    pub trips: usize,
    /// Elementary connections.
    pub connections: usize,
}

/// One feed in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FeedInfo {
    /// As in `inputs.gtfs`.
    pub name: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Trips running on the service day.
    pub trips_active: usize,
    /// Of which with distances from `shape_dist_traveled`.
    pub trips_with_shape_distances: usize,
    /// `frequencies.txt` rows, not applied.
    pub frequencies_rows: u64,
}

impl TransitRouting {
    /// The summary for `run.json`.
    pub fn summary(&self) -> TransitSummary {
        TransitSummary {
            feeds: self
                .feeds
                .iter()
                .zip(&self.report.feeds)
                .map(|((name, sha256), f)| FeedInfo {
                    name: name.clone(),
                    sha256: sha256.clone(),
                    trips_active: f.trips_active,
                    trips_with_shape_distances: f.trips_with_shape_distances,
                    frequencies_rows: f.frequencies_rows,
                })
                .collect(),
            service_date: self.report.service_date.to_string(),
            service_day_rule: self.report.service_day_rule,
            stops: self.network.stop_count(),
            trips: self.network.trip_count(),
            connections: self.network.connection_count(),
        }
    }

    /// Adds the feeds' per-file counts and bad rows to the ledger (files named
    /// `<feed as configured>/<file>.txt`, kind `gtfs`, sha256 of the feed).
    pub fn add_to_ledger(&self, ledger: &mut Ledger) {
        let sha = |feed: &str| self.feeds.iter().find(|f| f.0 == feed).map(|f| f.1.clone()).unwrap_or_default();
        for c in &self.report.counts {
            ledger.files.push(FileCount {
                file: format!("{}/{}", c.feed, c.file),
                kind: "gtfs".into(),
                sha256: sha(&c.feed),
                read: c.rows,
                accepted: c.accepted,
                rejected: c.rejected,
                delimiter: ",".into(),
                ignored_columns: Vec::new(),
            });
        }
        ledger.extend(self.report.rejects.iter().map(|r| Reject {
            file: format!("{}/{}", r.feed, r.file),
            line: r.line,
            reason: reject_reason(r.reason),
            detail: format!("{}: {}", r.reason, r.detail),
            raw: r.raw.clone(),
            rows: 1,
        }));
    }
}

/// The ledger's reason for a GTFS reject code (the GTFS code stays at the start of the detail).
fn reject_reason(code: &str) -> RejectReason {
    match code {
        "duplicate_id" => RejectReason::DuplicateId,
        "bad_coordinate" => RejectReason::BadCoordinates,
        "bad_date" => RejectReason::BadDate,
        "bad_time" => RejectReason::BadTimestamp,
        "missing_field" => RejectReason::MissingValue,
        "invalid_utf8" => RejectReason::MalformedRow,
        "bad_sequence" | "bad_transfer_time" | "bad_distance" => RejectReason::BadNumber,
        "unknown_route" | "unknown_service" | "unknown_trip" | "unknown_stop" | "stop_is_station" => {
            RejectReason::UnknownReference
        }
        "duplicate_sequence" | "time_goes_back" | "untimed_end" => RejectReason::InconsistentTimetable,
        _ => RejectReason::UnknownCode,
    }
}

/// Opens the study's feeds when `inputs.gtfs` is set, for the service day of
/// `method.transit.service_date` or else the representative weekday of the study period.
pub fn open(study: &Study) -> Result<Option<TransitRouting>> {
    let names = &study.config.inputs.gtfs;
    if names.is_empty() {
        return Ok(None);
    }
    let config = study.config.method.transit.clone();
    let mut feeds = Vec::new();
    let mut paths = Vec::new();
    for name in names {
        let path = study.resolve(name);
        if !path.exists() {
            anyhow::bail!(
                "inputs.gtfs in {}: {} does not exist (paths are relative to the folder of study.toml)",
                study.origin,
                path.display()
            );
        }
        feeds.push((
            name.clone(),
            sha256_of(&path).with_context(|| format!("inputs.gtfs: cannot read {}", path.display()))?,
        ));
        paths.push((name.clone(), path));
    }
    let day = match &config.service_date {
        Some(d) => ServiceDay::Fixed(Date::parse_iso(d).context("method.transit.service_date is checked at load")?),
        None => {
            let conv = |d: chrono::NaiveDate| {
                use chrono::Datelike;
                Date::from_ymd(d.year(), d.month(), d.day()).expect("a valid date")
            };
            ServiceDay::Representative { from: conv(study.config.study.from), to: conv(study.config.study.to) }
        }
    };
    let options = LoadOptions {
        walk_speed_mps: config.walk_speed_kmh / 3.6,
        walk_detour: config.detour,
        transfer_radius_m: config.transfer_radius_m,
        min_change_s: config.min_change_s as i32,
    };
    // A bar over the steps of loading (each feed's tables and stop times, then the network).
    let mut shown: Option<crate::progress::Progress> = None;
    let mut last = 0;
    let loaded = navette_transit::load_feeds_with(&paths, day, options, &mut |done, total| {
        let p = shown.get_or_insert_with(|| crate::progress::Progress::new("timetables", total as u64, 1));
        if done > last {
            p.inc((done - last) as u64);
            last = done;
        }
    });
    if let Some(p) = shown {
        p.finish();
    }
    let loaded = loaded.with_context(|| format!("inputs.gtfs in {}: the timetables cannot be used", study.origin))?;
    Ok(Some(TransitRouting { network: loaded.network, config, report: loaded.report, feeds }))
}

fn sha256_of(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if path.is_dir() {
        // A folder: its .txt files in name order, each as "name\n" + bytes.
        let mut files: Vec<_> = std::fs::read_dir(path)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "txt")) {
            h.update(f.file_name().unwrap_or_default().as_encoded_bytes());
            h.update(b"\n");
            h.update(std::fs::read(f)?);
        }
    } else {
        h.update(std::fs::read(path)?);
    }
    Ok(crate::input::csvin::hex(&h.finalize()))
}

/// Why a public-transport leg keeps the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitUnrouted {
    /// No stop within `max_access_m` of the home.
    NoStopNearHome,
    /// No stop within `max_egress_m` of the office or site.
    NoStopNearDestination,
    /// Stops at both ends, but no journey there by `arrive_by` or back from `depart_at` within
    /// the window.
    NoConnection,
}

impl TransitUnrouted {
    /// Code stored in `legs.unrouted_reason`.
    pub fn code(self) -> &'static str {
        match self {
            TransitUnrouted::NoStopNearHome => "no_stop_near_home",
            TransitUnrouted::NoStopNearDestination => "no_stop_near_destination",
            TransitUnrouted::NoConnection => "no_connection",
        }
    }
}

/// A leg on the timetable, one way: the mean of the morning journey (arrive by) and the evening
/// one (depart at).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransitLeg {
    /// Door-to-door distance (m): access + in-vehicle + transfer walks + egress.
    pub distance_m: f64,
    /// Door-to-door time (s): leaving just in time for the first vehicle, waits between
    /// vehicles included, waiting at the arrival end excluded.
    pub duration_s: f64,
    /// Vehicle changes.
    pub transfers: f64,
    /// In-vehicle distance (m) by [`VehicleClass`] (`class as usize`).
    pub in_vehicle_m: [f64; 6],
    /// Home ↔ stop distance (m), by the access mode.
    pub access_m: f64,
    /// Stop ↔ office or site distance (m), walked (walks between stops count in `distance_m` only).
    pub egress_m: f64,
}

/// Whether a mode rides the timetables.
pub fn is_transit(mode: Mode) -> bool {
    mode.network() == mode::Network::Timetable
}

/// Destinations below which the scans show no progress.
const MIN_SCANNED: u64 = 20;

/// Routes every public-transport request; `None` for the other modes. Requests are grouped by
/// destination; groups run in parallel, each with its own label arrays.
pub fn route(t: &TransitRouting, requests: &[LegRequest]) -> Vec<Option<Result<TransitLeg, TransitUnrouted>>> {
    route_with(t, requests, false)
}

/// [`route`]; with `show_progress`, a bar over the destinations scanned (or log lines at tenths).
pub fn route_with(
    t: &TransitRouting,
    requests: &[LegRequest],
    show_progress: bool,
) -> Vec<Option<Result<TransitLeg, TransitUnrouted>>> {
    let mut out: Vec<Option<Result<TransitLeg, TransitUnrouted>>> = vec![None; requests.len()];
    let mut groups: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for (i, q) in requests.iter().enumerate() {
        if is_transit(q.mode) {
            groups.entry((q.dest.0.to_bits(), q.dest.1.to_bits())).or_default().push(i);
        }
    }
    let c = &t.config;
    let net = &t.network;
    let arrive_by = TransitConfig::seconds(&c.arrive_by).expect("checked at load");
    let depart_at = TransitConfig::seconds(&c.depart_at).expect("checked at load");
    let window_s = (c.window_h * 3600.0).round() as i32;
    let groups: Vec<((u64, u64), Vec<usize>)> = groups.into_iter().collect();
    let progress = show_progress.then(|| crate::progress::Progress::new("transit", groups.len() as u64, MIN_SCANNED));
    let answers: Vec<Vec<(usize, Result<TransitLeg, TransitUnrouted>)>> = groups
        .par_iter()
        .map(|(dest, idx)| -> Vec<(usize, Result<TransitLeg, TransitUnrouted>)> {
            let _count = Counted(progress.as_ref());
            let dest = (f64::from_bits(dest.0), f64::from_bits(dest.1));
            let ends = net.access(dest, c.max_egress_m, c.walk_speed_kmh / 3.6, c.detour);
            if ends.is_empty() {
                return idx.iter().map(|&i| (i, Err(TransitUnrouted::NoStopNearDestination))).collect();
            }
            let homes: Vec<Vec<Access>> = idx
                .iter()
                .map(|&i| net.access(requests[i].home, c.max_access_m, c.access_kmh() / 3.6, c.detour))
                .collect();
            let mut sc = Scanner::new(net);
            sc.reverse(&ends, arrive_by, window_s);
            let there: Vec<Option<Journey>> = homes.iter().map(|h| sc.journey(h)).collect();
            sc.forward(&ends, depart_at, window_s);
            idx.iter()
                .zip(homes.iter().zip(there))
                .map(|(&i, (h, there))| {
                    if h.is_empty() {
                        return (i, Err(TransitUnrouted::NoStopNearHome));
                    }
                    match (there, sc.journey(h)) {
                        (Some(a), Some(b)) => (i, Ok(mean(&a, &b))),
                        _ => (i, Err(TransitUnrouted::NoConnection)),
                    }
                })
                .collect()
        })
        .collect();
    if let Some(p) = progress {
        p.finish();
    }
    for group in answers {
        for (i, r) in group {
            out[i] = Some(r);
        }
    }
    out
}

/// Counts one destination as done when dropped (whichever way its closure returns).
struct Counted<'a>(Option<&'a crate::progress::Progress>);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.0 {
            p.inc(1);
        }
    }
}

/// One-way figures: the mean of the way there (home → destination) and back.
fn mean(there: &Journey, back: &Journey) -> TransitLeg {
    let a = one_way(there, true);
    let b = one_way(back, false);
    let avg = |x: f64, y: f64| (x + y) / 2.0;
    TransitLeg {
        distance_m: avg(a.distance_m, b.distance_m),
        duration_s: avg(a.duration_s, b.duration_s),
        transfers: avg(a.transfers, b.transfers),
        in_vehicle_m: std::array::from_fn(|k| avg(a.in_vehicle_m[k], b.in_vehicle_m[k])),
        access_m: avg(a.access_m, b.access_m),
        egress_m: avg(a.egress_m, b.egress_m),
    }
}

/// One journey as a leg from the home's side: `home_is_start` for the way there (the journey's
/// access end is the home), false for the way back (its egress end is).
fn one_way(j: &Journey, home_is_start: bool) -> TransitLeg {
    let (home_m, dest_m) = if home_is_start { (j.access_m, j.egress_m) } else { (j.egress_m, j.access_m) };
    let in_vehicle_m = j.in_vehicle_m_by_class();
    TransitLeg {
        distance_m: home_m + dest_m + j.transfer_walk_m + in_vehicle_m.iter().sum::<f64>(),
        duration_s: j.duration_s() as f64,
        transfers: j.transfers() as f64,
        in_vehicle_m,
        access_m: home_m,
        egress_m: dest_m,
    }
}

/// The factor mode of a vehicle class: coaches take the bus factor (the factor set has no coach
/// row); ferries, aerial lifts and other rare classes take the leg's own mode.
pub fn factor_mode(class: VehicleClass, leg_mode: Mode) -> Mode {
    match class {
        VehicleClass::Rail => Mode::Train,
        VehicleClass::Metro => Mode::Metro,
        VehicleClass::Tram => Mode::Tram,
        VehicleClass::Bus | VehicleClass::Coach => Mode::Bus,
        VehicleClass::Other => leg_mode,
    }
}

//! Train legs through real stations when there is no GTFS feed (issue 16).
//!
//! A train commuter's leg is built as people make it: home → a station (walk, bike or car by
//! distance) → rail → a station near the office or site → on foot or by bus. Stations come from
//! the iRail station list (`datasets/rail/stations.csv`, CC0), read by [`read_stations`] with
//! rejects instead of panics. Each station gets a [`StationClass`] from its number of train calls
//! per day. The rail part is a documented model ([`ride`]): rail distance = great circle ×
//! [`RAIL_DETOUR`], in-train time = a start/stop allowance + rail distance at the line speed of
//! the service (intercity or local), a waiting allowance at the boarding station (half the
//! headway of its class) and a transfer allowance when the pair is not on one line. The model is
//! calibrated against published SNCB journey times (see the crate README and the `calibration`
//! test). [`rail_leg`] chooses the stations and returns a [`RailLeg`], or a [`RailFallback`]
//! saying why the flat estimate must be kept.
//!
//! # Units
//! Distances in metres (`_m`), times in seconds (`_s`), speeds in km/h (`_kmh`), positions as
//! (lat, lon) in degrees (WGS 84).
//!
//! # Example
//! ```
//! use navette_transit::rail::{RailModel, parse_stations, rail_leg};
//!
//! let csv = "URI,name,alternative-fr,alternative-nl,alternative-de,alternative-en,taf-tap-code,\
//! telegraph-code,country-code,longitude,latitude,avg_stop_times,official_transfer_time\n\
//! http://irail.be/stations/NMBS/008881000,Mons,,Bergen,,,,,be,3.942542,50.453854,248.894737,300\n\
//! http://irail.be/stations/NMBS/008814001,Brussel-Zuid/Bruxelles-Midi,Bruxelles-Midi,Brussel-Zuid,,,,,be,4.336531,50.835707,969.66482,300\n";
//! let (stations, report) = parse_stations(csv.as_bytes(), "stations.csv").unwrap();
//! assert_eq!(report.accepted, 2);
//! // A home 600 m from Mons station, an office 500 m from Bruxelles-Midi.
//! let leg = rail_leg(&stations, (50.4488, 3.9455), (50.8392, 4.3330), &RailModel::default()).unwrap();
//! assert_eq!(leg.board.name, "Mons");
//! assert_eq!(leg.alight.name, "Bruxelles-Midi");
//! assert!(leg.duration_s > 45.0 * 60.0 && leg.duration_s < 80.0 * 60.0);
//! ```

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::geo::{StopIndex, haversine_m};

// ---------------------------------------------------------------------------------------------
// Constants. Every threshold of the model is here, with where it comes from.
// ---------------------------------------------------------------------------------------------

/// Calls per day from which a station is a [`StationClass::Hub`]. `avg_stop_times` counts the
/// rows of the SNCB GTFS `stop_times.txt` per calendar day (weekends included). Of the 579
/// Belgian rows, the median is 84, the 90th percentile 193 and the 95th 283; 37 stations reach
/// 240: Brussels' six main stations, Antwerp, Gent-Sint-Pieters, Leuven, Liège-Guillemins,
/// Namur, Charleroi-Central, Ottignies, Halle, Mons… (Mons, at 249, is the lowest true hub).
pub const HUB_MIN_CALLS: f64 = 240.0;
/// Calls per day from which a station is a [`StationClass::Intercity`] stop: with the hubs, 214
/// of the 556 served Belgian stations (177 intercity stops, 342 local halts), a train every
/// ~10 min over a 16-hour day, i.e. a station on a main line (Gembloux 140, Tubize 163, Enghien
/// 132, Wavre 118, Ath 109). Below: branch-line halts (Louvain-la-Neuve 92, Silly 66).
pub const INTERCITY_MIN_CALLS: f64 = 100.0;
/// Transfer time when `official_transfer_time` is empty (536 of 579 Belgian rows give 300 s).
pub const DEFAULT_TRANSFER_S: f64 = 300.0;
/// Official transfer times are clamped to [`MIN_TRANSFER_S`, `MAX_TRANSFER_S`]: the file has a
/// 60 s (Diksmuide) and a 3,540 s (Brussels Airport, a one-hall station) value that no
/// commuter meets.
pub const MIN_TRANSFER_S: f64 = 120.0;
/// See [`MIN_TRANSFER_S`].
pub const MAX_TRANSFER_S: f64 = 600.0;
/// Bounding box of Belgium (lat, lon), with a margin: a Belgian row outside it is rejected.
pub const BELGIUM_BOX: ((f64, f64), (f64, f64)) = ((49.45, 2.50), (51.55, 6.45));

/// Rail distance ÷ great-circle distance. Checked against official kilometre points: line 96
/// Bruxelles-Midi → Mons 60.3 km for 50.7 km great circle (1.19), → Tubize 18.7 km (1.01), →
/// Braine-le-Comte 29.6 km (1.01); Bruxelles-Midi → Halle 13.6 km + line 94 Halle → Enghien
/// 17.1 km (1.20); line 161 Brussels → Namur 62 km from Bruxelles-Nord (1.11); Tournai →
/// Bruxelles "85 km" (1.20). Median 1.11, longer lines 1.19–1.20: 1.15 is taken (ISO 14083
/// asks for a distance adjustment factor when great circles replace routed distances).
pub const RAIL_DETOUR: f64 = 1.15;
/// Average speed on the rail distance of an intercity ride, stops included, after the
/// [`START_STOP_S`] allowance. Fitted on the calibration pairs (in-sample): see the README.
pub const IC_SPEED_KMH: f64 = 85.0;
/// Average speed of a local (L/S) ride: the L/S trains of Wallonia stop every 2–4 km and run at
/// 45–60 km/h commercial speed (general knowledge of the timetable); checked on
/// Louvain-la-Neuve → Ottignies.
pub const LOCAL_SPEED_KMH: f64 = 55.0;
/// Time lost per ride accelerating from the first stop and braking into the last (fitted with
/// [`IC_SPEED_KMH`]).
pub const START_STOP_S: f64 = 270.0;
/// Rail distance up to which two stations are taken to be on one line (neighbouring stations
/// nearly always are) and the ride is direct.
pub const DIRECT_MAX_RAIL_M: f64 = 20_000.0;
/// Rail distance of the local ride from a branch-line halt to the hub where the commuter
/// changes to an intercity, when a transfer is assumed (a halt is typically 5–20 km from its
/// hub: Wallonia's hubs are 20–60 km apart). Capped at half the rail distance.
pub const FEEDER_RAIL_M: f64 = 12_000.0;
/// Peak headway by the boarding station's class (hub, intercity stop, local halt): several
/// trains per hour on each relation at a hub, two an hour (IC + L or two S) at a main-line
/// stop, one or two an hour at a halt. The waiting allowance is half of it (random arrival).
pub const HEADWAY_S: [f64; 3] = [600.0, 1200.0, 1800.0];

/// Walking speed (OSRM foot profile, the pipeline's walk band).
pub const WALK_KMH: f64 = 5.0;
/// Walked distance ÷ great circle, short trips (OSRM on Antwerp, 1.5–5 km: 1.19).
pub const WALK_DETOUR: f64 = 1.2;
/// Longest walk to a station (walked distance, ~15 min): the usual pedestrian catchment of a
/// railway station is 800 m–1.2 km; beyond it most commuters bike or drive.
pub const WALK_MAX_M: f64 = 1_200.0;
/// Cycling speed (OSRM bicycle profile, the pipeline's bike band).
pub const BIKE_KMH: f64 = 15.0;
/// Cycled distance ÷ great circle (the pipeline's assumed bike band).
pub const BIKE_DETOUR: f64 = 1.25;
/// Longest bike ride to a station (~16 min): station bike sheds draw from about 3–5 km.
pub const BIKE_MAX_M: f64 = 4_000.0;
/// Locking the bike and reaching the platform.
pub const BIKE_PARK_S: f64 = 120.0;
/// Driving speed to a station: between the pipeline's 0–5 km (35 km/h) and 5–15 km (45 km/h)
/// car bands.
pub const CAR_KMH: f64 = 40.0;
/// Driven distance ÷ great circle (the pipeline's car bands: 1.55 below 5 km, 1.50 to 15 km).
pub const CAR_DETOUR: f64 = 1.5;
/// Longest drive to a station (park and ride): beyond ~15 km drivers drive to the office.
pub const CAR_MAX_M: f64 = 15_000.0;
/// Parking at the station and walking to the platform.
pub const CAR_PARK_S: f64 = 300.0;
/// Longest walk from the station to the office or site (walked distance, ~18 min).
pub const EGRESS_WALK_MAX_M: f64 = 1_500.0;
/// Bus speed, stops included (the pipeline's assumed bus band).
pub const BUS_KMH: f64 = 18.0;
/// Bus distance ÷ great circle (the pipeline's assumed bus band).
pub const BUS_DETOUR: f64 = 1.4;
/// Waiting for the bus: half of a 20-minute headway (TEC and STIB lines to stations run every
/// 10–30 min at the peak).
pub const BUS_WAIT_S: f64 = 600.0;
/// Longest bus ride from the station: beyond it there is no "station near the destination".
pub const BUS_MAX_M: f64 = 10_000.0;
/// The nearest stations (to the home and to the destination) are kept unless another pair saves
/// at least this much generalised time: habit, and the model's own uncertainty.
pub const SWITCH_MARGIN_S: f64 = 300.0;

// ---------------------------------------------------------------------------------------------
// Stations
// ---------------------------------------------------------------------------------------------

/// Service level of a station, from its train calls per day ([`HUB_MIN_CALLS`],
/// [`INTERCITY_MIN_CALLS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StationClass {
    /// A hub where intercity lines meet.
    Hub = 0,
    /// A stop on a main (intercity) line.
    Intercity = 1,
    /// A halt on a branch line or served only by local trains.
    Local = 2,
}

impl StationClass {
    /// The class of a station with `calls` train calls per day.
    pub fn from_calls(calls: f64) -> StationClass {
        if calls >= HUB_MIN_CALLS {
            StationClass::Hub
        } else if calls >= INTERCITY_MIN_CALLS {
            StationClass::Intercity
        } else {
            StationClass::Local
        }
    }

    /// Code for tables: `hub`, `intercity`, `local`.
    pub fn code(self) -> &'static str {
        ["hub", "intercity", "local"][self as usize]
    }
}

/// One Belgian station with passenger trains.
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// NMBS/SNCB id, the last part of the iRail URI (e.g. `008881000` for Mons).
    pub id: String,
    /// French name when the file gives one (`alternative-fr`), else the `name` column (which is
    /// bilingual in Brussels: `Brussel-Zuid/Bruxelles-Midi`).
    pub name: String,
    /// Latitude (degrees).
    pub lat: f64,
    /// Longitude (degrees).
    pub lon: f64,
    /// Train calls per day (`avg_stop_times`).
    pub calls_per_day: f64,
    /// Time to change trains here (s), `official_transfer_time` clamped.
    pub transfer_s: f64,
    /// Service level.
    pub class: StationClass,
}

/// Stations with a spatial index.
#[derive(Debug, Default)]
pub struct Stations {
    list: Vec<Station>,
    index: StopIndex,
}

impl Stations {
    /// Indexes `list` (order kept: a station's index is its position).
    pub fn new(list: Vec<Station>) -> Stations {
        let pos: Vec<(f64, f64)> = list.iter().map(|s| (s.lat, s.lon)).collect();
        let index = StopIndex::new(&pos, |_| true);
        Stations { list, index }
    }

    /// All stations.
    pub fn list(&self) -> &[Station] {
        &self.list
    }

    /// Number of stations.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is no station.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The station at `i`.
    pub fn get(&self, i: usize) -> &Station {
        &self.list[i]
    }

    /// The station with NMBS id `id`.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.list.iter().position(|s| s.id == id)
    }

    /// The station named `name` (its French or file name, case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        self.list.iter().position(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Stations within `max_m` (great circle) of `p`, as (index, metres), by index.
    pub fn within(&self, p: (f64, f64), max_m: f64) -> Vec<(usize, f64)> {
        self.index.within(p, max_m).into_iter().map(|(i, d)| (i as usize, d)).collect()
    }
}

/// A station row that was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationReject {
    /// File name as given to the reader.
    pub file: String,
    /// 1-based line (the header is line 1).
    pub line: u64,
    /// Reason code: `invalid_utf8`, `missing_field`, `bad_uri`, `duplicate_id`,
    /// `bad_coordinate`, `outside_belgium`, `bad_calls`, `bad_transfer_time`.
    pub reason: &'static str,
    /// What was wrong, for people.
    pub detail: String,
    /// The row's raw fields joined with commas.
    pub raw: String,
}

/// What reading the station file did: `rows = accepted + foreign + border_points + unserved +
/// rejects.len()`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StationsReport {
    /// File name as given to the reader.
    pub file: String,
    /// Data rows (header excluded).
    pub rows: u64,
    /// Belgian stations kept.
    pub accepted: u64,
    /// Rows of stations outside Belgium (`country-code` other than `be`), skipped.
    pub foreign: u64,
    /// Belgian border timing points (`…-Frontière`, `…-Grens`), not passenger stations, skipped.
    pub border_points: u64,
    /// Belgian stations with no train call (`avg_stop_times` = 0: closed or unserved), skipped.
    pub unserved: u64,
    /// Bad rows, in file order.
    pub rejects: Vec<StationReject>,
}

/// The station file cannot be used at all (bad rows are [`StationReject`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum RailError {
    /// The file cannot be opened.
    #[error("station file {file}: cannot be opened: {detail}")]
    Open {
        /// File.
        file: String,
        /// What failed.
        detail: String,
    },
    /// A required column is missing.
    #[error("station file {file}: no column {column} (expected the iRail stations.csv header)")]
    MissingColumn {
        /// File.
        file: String,
        /// Column.
        column: &'static str,
    },
    /// The CSV cannot be read on.
    #[error("station file {file}, line {line}: {detail}")]
    Csv {
        /// File.
        file: String,
        /// Line where reading stopped.
        line: u64,
        /// What failed.
        detail: String,
    },
    /// No usable Belgian station.
    #[error("station file {file}: no usable Belgian station (see the rejected rows)")]
    Empty {
        /// File.
        file: String,
    },
}

/// Reads the iRail station list at `path` (see [`parse_stations`]).
pub fn read_stations(path: &Path) -> Result<(Stations, StationsReport), RailError> {
    let file = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| RailError::Open { file: file.clone(), detail: e.to_string() })?;
    parse_stations(std::io::BufReader::new(f), &file)
}

const URI_PREFIX: &str = "http://irail.be/stations/NMBS/";

/// Reads an iRail station list (`URI,name,alternative-fr,…,country-code,longitude,latitude,
/// avg_stop_times,official_transfer_time`). Keeps Belgian (`country-code` = `be`) stations with
/// at least one train call; skips foreign rows, border timing points and unserved stations
/// (counted); every bad row becomes a [`StationReject`]. `file` names the input in messages.
pub fn parse_stations<R: Read>(reader: R, file: &str) -> Result<(Stations, StationsReport), RailError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        RailError::Csv { file: file.to_owned(), line, detail: e.to_string() }
    };
    let headers = rdr.byte_headers().map_err(csv_err)?.clone();
    let col = |name: &'static str| -> Result<usize, RailError> {
        headers
            .iter()
            .position(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}') == name)
            .ok_or(RailError::MissingColumn { file: file.to_owned(), column: name })
    };
    let c_uri = col("URI")?;
    let c_name = col("name")?;
    let c_country = col("country-code")?;
    let c_lat = col("latitude")?;
    let c_lon = col("longitude")?;
    let c_calls = col("avg_stop_times")?;
    let c_fr = col("alternative-fr").ok();
    let c_transfer = col("official_transfer_time").ok();

    let mut report = StationsReport { file: file.to_owned(), ..StationsReport::default() };
    let mut list: Vec<Station> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
        report.rows += 1;
        let line = rec.position().map_or(0, |p| p.line());
        let raw = rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>().join(",");
        let mut reject = |reason: &'static str, detail: String| {
            report.rejects.push(StationReject { file: file.to_owned(), line, reason, detail, raw: raw.clone() });
        };
        let Ok(fields) = rec.iter().map(std::str::from_utf8).collect::<Result<Vec<&str>, _>>() else {
            reject("invalid_utf8", "the row is not valid UTF-8".to_owned());
            continue;
        };
        let get = |c: usize| fields.get(c).map(|s| s.trim()).unwrap_or("");
        let mut missing = None;
        for (c, name) in [(c_uri, "URI"), (c_name, "name"), (c_country, "country-code")] {
            if get(c).is_empty() {
                missing = Some(name);
                break;
            }
        }
        if let Some(name) = missing {
            reject("missing_field", format!("{name} is empty"));
            continue;
        }
        let uri = get(c_uri);
        let id = match uri.strip_prefix(URI_PREFIX) {
            Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => id.to_owned(),
            _ => {
                reject("bad_uri", format!("URI {uri:?} is not {URI_PREFIX}<digits>"));
                continue;
            }
        };
        if !seen.insert(id.clone()) {
            reject("duplicate_id", format!("station {id} appears twice"));
            continue;
        }
        if !get(c_country).eq_ignore_ascii_case("be") {
            report.foreign += 1;
            continue;
        }
        let name = match c_fr.map(get) {
            Some(fr) if !fr.is_empty() => fr.to_owned(),
            _ => get(c_name).to_owned(),
        };
        let lower = name.to_lowercase();
        if lower.contains("frontiere") || lower.contains("frontière") || lower.contains("grens") {
            report.border_points += 1;
            continue;
        }
        let (lat, lon) = match (get(c_lat).parse::<f64>(), get(c_lon).parse::<f64>()) {
            (Ok(lat), Ok(lon)) if lat.is_finite() && lon.is_finite() => (lat, lon),
            _ => {
                reject("bad_coordinate", format!("latitude {:?}, longitude {:?}", get(c_lat), get(c_lon)));
                continue;
            }
        };
        let ((la0, lo0), (la1, lo1)) = BELGIUM_BOX;
        if !(la0..=la1).contains(&lat) || !(lo0..=lo1).contains(&lon) {
            reject("outside_belgium", format!("({lat}, {lon}) is outside Belgium"));
            continue;
        }
        let calls = match get(c_calls).parse::<f64>() {
            Ok(c) if c.is_finite() && c >= 0.0 => c,
            _ => {
                reject("bad_calls", format!("avg_stop_times {:?} is not a number ≥ 0", get(c_calls)));
                continue;
            }
        };
        if calls == 0.0 {
            report.unserved += 1;
            continue;
        }
        let transfer_s = match c_transfer.map(get) {
            None | Some("") => DEFAULT_TRANSFER_S,
            Some(t) => match t.parse::<f64>() {
                Ok(t) if t.is_finite() && t >= 0.0 => t.clamp(MIN_TRANSFER_S, MAX_TRANSFER_S),
                _ => {
                    reject("bad_transfer_time", format!("official_transfer_time {t:?} is not seconds ≥ 0"));
                    continue;
                }
            },
        };
        report.accepted += 1;
        list.push(Station {
            id,
            name,
            lat,
            lon,
            calls_per_day: calls,
            transfer_s,
            class: StationClass::from_calls(calls),
        });
    }
    if list.is_empty() {
        return Err(RailError::Empty { file: file.to_owned() });
    }
    Ok((Stations::new(list), report))
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// Every parameter of the model; [`RailModel::default`] gives the documented constants.
#[derive(Debug, Clone, PartialEq)]
pub struct RailModel {
    /// [`RAIL_DETOUR`].
    pub rail_detour: f64,
    /// [`IC_SPEED_KMH`].
    pub ic_speed_kmh: f64,
    /// [`LOCAL_SPEED_KMH`].
    pub local_speed_kmh: f64,
    /// [`START_STOP_S`].
    pub start_stop_s: f64,
    /// [`DIRECT_MAX_RAIL_M`].
    pub direct_max_rail_m: f64,
    /// [`FEEDER_RAIL_M`].
    pub feeder_rail_m: f64,
    /// [`HEADWAY_S`], by [`StationClass`].
    pub headway_s: [f64; 3],
    /// [`WALK_KMH`].
    pub walk_kmh: f64,
    /// [`WALK_DETOUR`].
    pub walk_detour: f64,
    /// [`WALK_MAX_M`].
    pub walk_max_m: f64,
    /// [`BIKE_KMH`].
    pub bike_kmh: f64,
    /// [`BIKE_DETOUR`].
    pub bike_detour: f64,
    /// [`BIKE_MAX_M`].
    pub bike_max_m: f64,
    /// [`BIKE_PARK_S`].
    pub bike_park_s: f64,
    /// [`CAR_KMH`].
    pub car_kmh: f64,
    /// [`CAR_DETOUR`].
    pub car_detour: f64,
    /// [`CAR_MAX_M`].
    pub car_max_m: f64,
    /// [`CAR_PARK_S`].
    pub car_park_s: f64,
    /// [`EGRESS_WALK_MAX_M`].
    pub egress_walk_max_m: f64,
    /// [`BUS_KMH`].
    pub bus_kmh: f64,
    /// [`BUS_DETOUR`].
    pub bus_detour: f64,
    /// [`BUS_WAIT_S`].
    pub bus_wait_s: f64,
    /// [`BUS_MAX_M`].
    pub bus_max_m: f64,
    /// [`SWITCH_MARGIN_S`].
    pub switch_margin_s: f64,
}

impl Default for RailModel {
    fn default() -> RailModel {
        RailModel {
            rail_detour: RAIL_DETOUR,
            ic_speed_kmh: IC_SPEED_KMH,
            local_speed_kmh: LOCAL_SPEED_KMH,
            start_stop_s: START_STOP_S,
            direct_max_rail_m: DIRECT_MAX_RAIL_M,
            feeder_rail_m: FEEDER_RAIL_M,
            headway_s: HEADWAY_S,
            walk_kmh: WALK_KMH,
            walk_detour: WALK_DETOUR,
            walk_max_m: WALK_MAX_M,
            bike_kmh: BIKE_KMH,
            bike_detour: BIKE_DETOUR,
            bike_max_m: BIKE_MAX_M,
            bike_park_s: BIKE_PARK_S,
            car_kmh: CAR_KMH,
            car_detour: CAR_DETOUR,
            car_max_m: CAR_MAX_M,
            car_park_s: CAR_PARK_S,
            egress_walk_max_m: EGRESS_WALK_MAX_M,
            bus_kmh: BUS_KMH,
            bus_detour: BUS_DETOUR,
            bus_wait_s: BUS_WAIT_S,
            bus_max_m: BUS_MAX_M,
            switch_margin_s: SWITCH_MARGIN_S,
        }
    }
}

/// Kind of train of the main ride.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Intercity (both ends at least intercity stops).
    Intercity,
    /// Local (L/S): at least one end is a local halt.
    Local,
}

impl Service {
    /// Code for tables: `intercity`, `local`.
    pub fn code(self) -> &'static str {
        match self {
            Service::Intercity => "intercity",
            Service::Local => "local",
        }
    }
}

/// The rail part of a leg, station to station.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ride {
    /// Rail distance (m): great circle × `rail_detour`. All of it counts as train km.
    pub rail_m: f64,
    /// Of which on local trains (m) (feeders to a hub, or the whole ride on a local service).
    pub local_rail_m: f64,
    /// Time on board (s), every train of the ride.
    pub in_train_s: f64,
    /// Waiting allowance at the boarding station (s): half the headway of its class.
    pub wait_s: f64,
    /// Changes of train assumed (0, 1 or 2).
    pub transfers: u8,
    /// Time of the changes (s): per change, the default transfer time plus half a hub headway.
    pub transfer_s: f64,
    /// Service of the main (longest) ride.
    pub service: Service,
}

impl Ride {
    /// Station to station: wait + in train + transfers (s).
    pub fn total_s(&self) -> f64 {
        self.wait_s + self.in_train_s + self.transfer_s
    }
}

/// The rail part between stations `a` and `b` (boarding at `a`).
///
/// - Direct ride when the rail distance is at most `direct_max_rail_m` (neighbours are on one
///   line), or when both ends are at least intercity stops and one is a hub (main lines run
///   through hubs): one train at the intercity speed if both ends are at least intercity stops,
///   else at the local speed.
/// - Both ends intercity stops, neither a hub: one change at a hub, intercity speed throughout.
/// - A local halt at either end (beyond `direct_max_rail_m`): a local feeder ride of
///   `feeder_rail_m` (at most half the distance) from each such end to its hub, one change
///   per feeder, intercity speed for the rest; two halts whose intercity middle would be shorter
///   than a feeder ride two local trains with one change.
///
/// Every ride costs `start_stop_s` on top of distance ÷ speed. A change costs the default
/// transfer time plus half the hub headway.
pub fn ride(a: &Station, b: &Station, m: &RailModel) -> Ride {
    let rail_m = haversine_m((a.lat, a.lon), (b.lat, b.lon)) * m.rail_detour;
    let ic = |d: f64| d / (m.ic_speed_kmh / 3.6);
    let local = |d: f64| d / (m.local_speed_kmh / 3.6);
    let wait_s = m.headway_s[a.class as usize] / 2.0;
    let change_s = DEFAULT_TRANSFER_S + m.headway_s[StationClass::Hub as usize] / 2.0;
    let main_line = |s: &Station| s.class != StationClass::Local;
    let hub = |s: &Station| s.class == StationClass::Hub;

    let (in_train_s, local_rail_m, transfers, service) =
        if rail_m <= m.direct_max_rail_m || (main_line(a) && main_line(b) && (hub(a) || hub(b))) {
            if main_line(a) && main_line(b) {
                (m.start_stop_s + ic(rail_m), 0.0, 0, Service::Intercity)
            } else {
                (m.start_stop_s + local(rail_m), rail_m, 0, Service::Local)
            }
        } else if main_line(a) && main_line(b) {
            (2.0 * m.start_stop_s + ic(rail_m), 0.0, 1, Service::Intercity)
        } else {
            let feeders = u8::from(!main_line(a)) + u8::from(!main_line(b));
            let feeder_m = m.feeder_rail_m.min(rail_m / 2.0);
            let main_m = rail_m - feeder_m * f64::from(feeders);
            if feeders == 2 && main_m < feeder_m {
                // Two halts too close for an intercity leg between their hubs: two local
                // trains and one change.
                (2.0 * m.start_stop_s + local(rail_m), rail_m, 1, Service::Local)
            } else {
                let local_m = rail_m - main_m;
                let rides = f64::from(feeders) + 1.0;
                (rides * m.start_stop_s + local(local_m) + ic(main_m), local_m, feeders, Service::Intercity)
            }
        };
    Ride { rail_m, local_rail_m, in_train_s, wait_s, transfers, transfer_s: f64::from(transfers) * change_s, service }
}

/// How the commuter reaches the boarding station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessMode {
    /// On foot (within `walk_max_m` walked).
    Walk,
    /// By bike (within `bike_max_m` cycled).
    Bike,
    /// By car, parked at the station (within `car_max_m` driven).
    Car,
}

impl AccessMode {
    /// Code for tables (the pipeline's mode codes): `walk`, `bike`, `car`.
    pub fn code(self) -> &'static str {
        match self {
            AccessMode::Walk => "walk",
            AccessMode::Bike => "bike",
            AccessMode::Car => "car",
        }
    }
}

/// How the commuter goes from the alighting station to the office or site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EgressMode {
    /// On foot (within `egress_walk_max_m` walked).
    Walk,
    /// By bus (within `bus_max_m` by road).
    Bus,
}

impl EgressMode {
    /// Code for tables (the pipeline's mode codes): `walk`, `bus`.
    pub fn code(self) -> &'static str {
        match self {
            EgressMode::Walk => "walk",
            EgressMode::Bus => "bus",
        }
    }
}

/// A station used by a leg.
#[derive(Debug, Clone, PartialEq)]
pub struct StationUsed {
    /// Index in [`Stations`].
    pub index: usize,
    /// NMBS id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Class.
    pub class: StationClass,
}

/// A train leg, one way, door to door.
#[derive(Debug, Clone, PartialEq)]
pub struct RailLeg {
    /// Door-to-door time (s): access (parking included) + wait + in train + transfers + egress
    /// (bus wait included).
    pub duration_s: f64,
    /// Door-to-door distance (m): access + rail + egress.
    pub distance_m: f64,
    /// Station where the commuter boards.
    pub board: StationUsed,
    /// Station where the commuter alights.
    pub alight: StationUsed,
    /// Access mode.
    pub access_mode: AccessMode,
    /// Access distance (m), by `access_mode`.
    pub access_m: f64,
    /// Access time (s), parking and locking included.
    pub access_s: f64,
    /// The rail part.
    pub ride: Ride,
    /// Egress mode.
    pub egress_mode: EgressMode,
    /// Egress distance (m), by `egress_mode`.
    pub egress_m: f64,
    /// Egress time (s), bus wait included.
    pub egress_s: f64,
}

impl RailLeg {
    /// Train distance (m), for the train emission factor.
    pub fn train_m(&self) -> f64 {
        self.ride.rail_m
    }

    /// Distance (m) by mode, with the pipeline's mode codes: `("train", rail)`, then the access
    /// mode (`walk`, `bike`, `car`) and the egress mode (`walk`, `bus`). CO2e is the sum of each
    /// distance × its mode's factor (a car access is one occupant's vehicle-km).
    pub fn mode_m(&self) -> [(&'static str, f64); 3] {
        [
            ("train", self.ride.rail_m),
            (self.access_mode.code(), self.access_m),
            (self.egress_mode.code(), self.egress_m),
        ]
    }
}

/// Why a train leg keeps the flat estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RailFallback {
    /// No station with trains within `car_max_m` (driven) of the home.
    NoStationNearHome,
    /// No station with trains within `bus_max_m` (by bus) of the office or site.
    NoStationNearDestination,
    /// Stations at both ends, but only one and the same: the train is of no use.
    SameStation,
}

impl RailFallback {
    /// Code for the legs' `unrouted_reason` column.
    pub fn code(self) -> &'static str {
        match self {
            RailFallback::NoStationNearHome => "no_station_near_home",
            RailFallback::NoStationNearDestination => "no_station_near_destination",
            RailFallback::SameStation => "same_station",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct End {
    station: usize,
    crow_m: f64,
    mode: u8,
    dist_m: f64,
    time_s: f64,
}

fn access_ends(st: &Stations, home: (f64, f64), m: &RailModel) -> Vec<End> {
    let reach = m.car_max_m / m.car_detour;
    st.within(home, reach.max(m.walk_max_m / m.walk_detour).max(m.bike_max_m / m.bike_detour))
        .into_iter()
        .filter_map(|(i, d)| {
            let (walk, bike, car) = (d * m.walk_detour, d * m.bike_detour, d * m.car_detour);
            let (mode, dist_m, time_s) = if walk <= m.walk_max_m {
                (0, walk, walk / (m.walk_kmh / 3.6))
            } else if bike <= m.bike_max_m {
                (1, bike, bike / (m.bike_kmh / 3.6) + m.bike_park_s)
            } else if car <= m.car_max_m {
                (2, car, car / (m.car_kmh / 3.6) + m.car_park_s)
            } else {
                return None;
            };
            Some(End { station: i, crow_m: d, mode, dist_m, time_s })
        })
        .collect()
}

fn egress_ends(st: &Stations, dest: (f64, f64), m: &RailModel) -> Vec<End> {
    let reach = (m.bus_max_m / m.bus_detour).max(m.egress_walk_max_m / m.walk_detour);
    st.within(dest, reach)
        .into_iter()
        .filter_map(|(i, d)| {
            let (walk, bus) = (d * m.walk_detour, d * m.bus_detour);
            let (mode, dist_m, time_s) = if walk <= m.egress_walk_max_m {
                (0, walk, walk / (m.walk_kmh / 3.6))
            } else if bus <= m.bus_max_m {
                (1, bus, bus / (m.bus_kmh / 3.6) + m.bus_wait_s)
            } else {
                return None;
            };
            Some(End { station: i, crow_m: d, mode, dist_m, time_s })
        })
        .collect()
}

/// Stations within walking distance win: people who live (or work) near a station use it.
fn walkable_first(mut ends: Vec<End>) -> Vec<End> {
    if ends.iter().any(|e| e.mode == 0) {
        ends.retain(|e| e.mode == 0);
    }
    ends
}

fn nearest(ends: &[End]) -> Option<&End> {
    ends.iter().min_by(|a, b| a.crow_m.total_cmp(&b.crow_m).then(a.station.cmp(&b.station)))
}

/// The train leg from `home` to `dest` (both (lat, lon)), or why there is none.
///
/// Candidate boarding stations are those the home reaches on foot (≤ `walk_max_m` walked),
/// else by bike (≤ `bike_max_m`), else by car (≤ `car_max_m`): the access mode of a station is
/// set by its distance, as people choose. When a station is within walking distance, only the
/// stations within walking distance are candidates (people who live near a station use it);
/// otherwise bike and car stations compete. Alighting stations likewise: within
/// `egress_walk_max_m` walked of the destination, else within `bus_max_m` by bus. Every pair of
/// distinct candidate stations gets its generalised time (access + wait + in train +
/// transfers + egress, see [`ride`]). The pair of the nearest stations is kept unless another
/// pair saves at least `switch_margin_s`, in which case the fastest pair is taken (people drive
/// to a bigger station when it saves time overall). Ties break on station indices, so the
/// answer is deterministic.
pub fn rail_leg(st: &Stations, home: (f64, f64), dest: (f64, f64), m: &RailModel) -> Result<RailLeg, RailFallback> {
    let from = walkable_first(access_ends(st, home, m));
    if from.is_empty() {
        return Err(RailFallback::NoStationNearHome);
    }
    let to = walkable_first(egress_ends(st, dest, m));
    if to.is_empty() {
        return Err(RailFallback::NoStationNearDestination);
    }
    let eval = |a: &End, b: &End| -> Option<(f64, Ride)> {
        if a.station == b.station {
            return None;
        }
        let r = ride(st.get(a.station), st.get(b.station), m);
        Some((a.time_s + r.total_s() + b.time_s, r))
    };
    let mut best: Option<(f64, &End, &End, Ride)> = None;
    for a in &from {
        for b in &to {
            if let Some((g, r)) = eval(a, b) {
                let better = match &best {
                    None => true,
                    Some((bg, ba, bb, _)) => g < *bg || (g == *bg && (a.station, b.station) < (ba.station, bb.station)),
                };
                if better {
                    best = Some((g, a, b, r));
                }
            }
        }
    }
    let Some(mut chosen) = best else {
        return Err(RailFallback::SameStation);
    };
    if let (Some(a), Some(b)) = (nearest(&from), nearest(&to))
        && let Some((g, r)) = eval(a, b)
        && g <= chosen.0 + m.switch_margin_s
    {
        chosen = (g, a, b, r);
    }
    let (g, a, b, r) = chosen;
    let used = |i: usize| {
        let s = st.get(i);
        StationUsed { index: i, id: s.id.clone(), name: s.name.clone(), class: s.class }
    };
    Ok(RailLeg {
        duration_s: g,
        distance_m: a.dist_m + r.rail_m + b.dist_m,
        board: used(a.station),
        alight: used(b.station),
        access_mode: [AccessMode::Walk, AccessMode::Bike, AccessMode::Car][a.mode as usize],
        access_m: a.dist_m,
        access_s: a.time_s,
        ride: r,
        egress_mode: [EgressMode::Walk, EgressMode::Bus][b.mode as usize],
        egress_m: b.dist_m,
        egress_s: b.time_s,
    })
}

/// A position: (latitude, longitude) in degrees.
pub type LatLon = (f64, f64);

/// [`rail_leg`] for many (home, destination) pairs, in parallel; answers in input order.
pub fn rail_legs(st: &Stations, requests: &[(LatLon, LatLon)], m: &RailModel) -> Vec<Result<RailLeg, RailFallback>> {
    requests.par_iter().map(|&(home, dest)| rail_leg(st, home, dest, m)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "URI,name,alternative-fr,alternative-nl,alternative-de,alternative-en,taf-tap-code,telegraph-code,country-code,longitude,latitude,avg_stop_times,official_transfer_time\n";

    fn parse(rows: &str) -> Result<(Stations, StationsReport), RailError> {
        parse_stations(format!("{HEADER}{rows}").as_bytes(), "test.csv")
    }

    fn check_rejects(rows: &str, expect: &[(u64, &str)]) {
        let (_, r) = parse(&format!(
            "{rows}http://irail.be/stations/NMBS/008881000,Mons,,,,,,,be,3.942542,50.453854,248.9,300\n"
        ))
        .unwrap();
        let got: Vec<(u64, &str)> = r.rejects.iter().map(|x| (x.line, x.reason)).collect();
        assert_eq!(got, expect);
        assert_eq!(r.rows, r.accepted + r.foreign + r.border_points + r.unserved + r.rejects.len() as u64);
    }

    #[test]
    fn bad_rows_are_rejected_with_their_line() {
        check_rejects("http://irail.be/stations/NMBS/008800001,A,,,,,,,be,x,50.5,10,300\n", &[(2, "bad_coordinate")]);
        check_rejects(
            "http://irail.be/stations/NMBS/008800001,A,,,,,,,be,4.3,52.9,10,300\n",
            &[(2, "outside_belgium")],
        );
        check_rejects("http://irail.be/stations/NMBS/008800001,A,,,,,,,be,4.3,50.9,-1,300\n", &[(2, "bad_calls")]);
        check_rejects(
            "http://irail.be/stations/NMBS/008800001,A,,,,,,,be,4.3,50.9,10,soon\n",
            &[(2, "bad_transfer_time")],
        );
        check_rejects("http://example.org/x,A,,,,,,,be,4.3,50.9,10,300\n", &[(2, "bad_uri")]);
        check_rejects(",A,,,,,,,be,4.3,50.9,10,300\n", &[(2, "missing_field")]);
        check_rejects("http://irail.be/stations/NMBS/008800001,A\n", &[(2, "missing_field")]);
        check_rejects(
            "http://irail.be/stations/NMBS/008881000,Mons bis,,,,,,,be,3.9,50.4,10,300\n",
            &[(3, "duplicate_id")],
        );
    }

    #[test]
    fn a_row_that_is_not_utf8_is_rejected_and_reading_goes_on() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"http://irail.be/stations/NMBS/008800001,Bad\xff,,,,,,,be,4.3,50.9,10,300\n");
        bytes
            .extend_from_slice(b"http://irail.be/stations/NMBS/008881000,Mons,,,,,,,be,3.942542,50.453854,248.9,300\n");
        let (st, r) = parse_stations(bytes.as_slice(), "bytes.csv").unwrap();
        assert_eq!(st.len(), 1);
        assert_eq!(r.rejects.len(), 1);
        assert_eq!(
            (r.rejects[0].line, r.rejects[0].reason, r.rejects[0].file.as_str()),
            (2, "invalid_utf8", "bytes.csv")
        );
    }

    #[test]
    fn foreign_border_and_unserved_rows_are_counted_not_rejected() {
        let (st, r) = parse(
            "http://irail.be/stations/NMBS/008015345,Aachen Hbf,Aix-la-Chapelle Hbf,,,,,,de,6.105275,50.770832,71.5,300\n\
             http://irail.be/stations/NMBS/008889011,Mouscron-Frontiere,,,,,,,be,3.2,50.75,70.5,120\n\
             http://irail.be/stations/NMBS/008865128,Bastogne-Nord,,,,,,,be,5.7,50.0,0,\n\
             http://irail.be/stations/NMBS/008814001,Brussel-Zuid/Bruxelles-Midi,Bruxelles-Midi,,,,,,be,4.336531,50.835707,969.66,\n\
             http://irail.be/stations/NMBS/008819406,Brussels Airport - Zaventem,,,,,,,be,4.482076,50.896456,281.5,3540\n",
        )
        .unwrap();
        assert_eq!((r.rows, r.accepted, r.foreign, r.border_points, r.unserved), (5, 2, 1, 1, 1));
        assert!(r.rejects.is_empty());
        let midi = st.get(st.by_name("bruxelles-midi").unwrap());
        assert_eq!(
            (midi.id.as_str(), midi.transfer_s, midi.class),
            ("008814001", DEFAULT_TRANSFER_S, StationClass::Hub)
        );
        assert_eq!(st.get(st.by_id("008819406").unwrap()).transfer_s, MAX_TRANSFER_S);
    }

    #[test]
    fn a_missing_column_or_no_station_is_an_error_naming_the_file() {
        let e = parse_stations("URI,name\n".as_bytes(), "s.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "station file s.csv: no column country-code (expected the iRail stations.csv header)"
        );
        let e = parse("http://irail.be/stations/NMBS/008800001,A,,,,,,,be,x,50.5,10,300\n").unwrap_err();
        assert_eq!(e.to_string(), "station file test.csv: no usable Belgian station (see the rejected rows)");
        let e = read_stations(Path::new("/nonexistent/stations.csv")).unwrap_err();
        assert!(e.to_string().starts_with("station file /nonexistent/stations.csv: cannot be opened"), "{e}");
    }

    #[test]
    fn classes_follow_the_thresholds() {
        assert_eq!(StationClass::from_calls(969.7), StationClass::Hub);
        assert_eq!(StationClass::from_calls(HUB_MIN_CALLS), StationClass::Hub);
        assert_eq!(StationClass::from_calls(139.7), StationClass::Intercity);
        assert_eq!(StationClass::from_calls(91.7), StationClass::Local);
    }

    fn station(name: &str, lat: f64, lon: f64, calls: f64) -> Station {
        Station {
            id: name.to_owned(),
            name: name.to_owned(),
            lat,
            lon,
            calls_per_day: calls,
            transfer_s: DEFAULT_TRANSFER_S,
            class: StationClass::from_calls(calls),
        }
    }

    #[test]
    fn ride_by_hand() {
        let m = RailModel::default();
        // Two hubs 0.5° of latitude apart: 55.597 km great circle (R = 6371.0088 km), rail
        // 63.937 km, in train 270 s + 63937 m / (85/3.6 m/s) = 270 + 2707.8 = 2977.8 s.
        let a = station("A", 50.0, 4.0, 500.0);
        let b = station("B", 50.5, 4.0, 300.0);
        let r = ride(&a, &b, &m);
        assert!((r.rail_m - 63_937.4).abs() < 1.0, "{r:?}");
        assert!((r.in_train_s - 2977.8).abs() < 0.5, "{r:?}");
        assert_eq!((r.transfers, r.wait_s, r.service), (0, 300.0, Service::Intercity));
        // Two intercity stops, no hub: one change (300 s + 300 s), two start/stop allowances.
        let c = station("C", 50.0, 4.0, 150.0);
        let d = station("D", 50.5, 4.0, 150.0);
        let r = ride(&c, &d, &m);
        assert_eq!((r.transfers, r.transfer_s, r.wait_s), (1, 600.0, 600.0));
        assert!((r.in_train_s - (540.0 + 2707.8)).abs() < 0.5);
        // A halt to a hub: a 12 km local feeder, then intercity.
        let e = station("E", 50.0, 4.0, 50.0);
        let r = ride(&e, &b, &m);
        let expect = 540.0 + 12_000.0 / (55.0 / 3.6) + (63_937.4 - 12_000.0) / (85.0 / 3.6);
        assert!((r.in_train_s - expect).abs() < 0.5, "{r:?} {expect}");
        assert_eq!((r.transfers, r.local_rail_m, r.wait_s, r.service), (1, 12_000.0, 900.0, Service::Intercity));
        // Two halts 0.5° apart: two feeders, an intercity middle, two changes.
        let r = ride(&e, &station("G", 50.5, 4.0, 50.0), &m);
        assert_eq!((r.transfers, r.local_rail_m, r.service), (2, 24_000.0, Service::Intercity));
        // Two halts 0.2° apart (25.6 km of rail): two local trains, one change.
        let r = ride(&e, &station("H", 50.2, 4.0, 50.0), &m);
        assert_eq!((r.transfers, r.service), (1, Service::Local));
        assert_eq!(r.local_rail_m, r.rail_m);
        assert!((r.in_train_s - (540.0 + r.rail_m / (55.0 / 3.6))).abs() < 1e-6);
        // Neighbours (≤ 20 km of rail) are on one line; a halt makes it a local train.
        let f = station("F", 50.1, 4.0, 50.0);
        let r = ride(&a, &f, &m);
        assert_eq!((r.transfers, r.service), (0, Service::Local));
        assert_eq!(r.local_rail_m, r.rail_m);
    }

    fn three() -> Stations {
        Stations::new(vec![
            station("Halt", 50.0, 4.0, 50.0),
            station("Hub", 50.0, 4.12, 400.0),
            station("City", 50.5, 4.0, 900.0),
        ])
    }

    #[test]
    fn access_mode_by_distance_and_a_bigger_station_when_it_saves_time() {
        let st = three();
        let m = RailModel::default();
        let office = (50.503, 4.0);
        // 500 m from the halt (600 m walked): the halt is within walking distance, so it is
        // used although driving 12.9 km to the hub would save ~11 min.
        let home = (50.0045, 4.0);
        let leg = rail_leg(&st, home, office, &m).unwrap();
        assert_eq!(leg.board.name, "Halt");
        assert_eq!(leg.access_mode, AccessMode::Walk);
        assert_eq!(leg.egress_mode, EgressMode::Walk);
        assert_eq!(leg.alight.name, "City");
        assert_eq!((leg.ride.transfers, leg.ride.local_rail_m), (1, FEEDER_RAIL_M));
        // Half-way between (4.3 km from each): 5.4 km cycled is out of bike range, so both are
        // car stations (6.4 km driven) and the hub wins: direct intercity, shorter wait.
        let home = (50.0, 4.06);
        let leg = rail_leg(&st, home, office, &m).unwrap();
        assert_eq!(leg.access_mode, AccessMode::Car);
        assert_eq!(leg.board.name, "Hub");
        assert_eq!(leg.ride.transfers, 0);
        // 2.5 km from the halt (3.1 km cycled), 6.1 km from the hub (9.1 km driven): the bike
        // to the halt costs 12.5 + 2 min, then a feeder, a change and a 15 min wait; the car
        // to the hub 13.7 + 5 min, then a direct intercity with a 5 min wait, and wins.
        let home = (50.0, 4.035);
        let leg = rail_leg(&st, home, office, &m).unwrap();
        assert_eq!((leg.board.name.as_str(), leg.access_mode), ("Hub", AccessMode::Car));
        // With a switching margin of an hour, the nearest station (the halt, by bike) stays.
        let sticky = RailModel { switch_margin_s: 3600.0, ..RailModel::default() };
        let leg = rail_leg(&st, home, office, &sticky).unwrap();
        assert_eq!((leg.board.name.as_str(), leg.access_mode), ("Halt", AccessMode::Bike));
        assert_eq!(leg.mode_m().map(|(c, _)| c), ["train", "bike", "walk"]);
        // Door-to-door is the sum of its parts.
        let parts = leg.access_s + leg.ride.total_s() + leg.egress_s;
        assert!((leg.duration_s - parts).abs() < 1e-6);
        assert!((leg.distance_m - (leg.access_m + leg.ride.rail_m + leg.egress_m)).abs() < 1e-6);
    }

    #[test]
    fn fallbacks_have_reasons() {
        let st = three();
        let m = RailModel::default();
        assert_eq!(rail_leg(&st, (51.0, 5.5), (50.5, 4.0), &m), Err(RailFallback::NoStationNearHome));
        assert_eq!(rail_leg(&st, (50.0, 4.0), (51.0, 5.5), &m), Err(RailFallback::NoStationNearDestination));
        let lone = Stations::new(vec![station("Lone", 50.0, 4.0, 100.0)]);
        assert_eq!(rail_leg(&lone, (50.001, 4.0), (50.002, 4.0), &m), Err(RailFallback::SameStation));
        assert_eq!(RailFallback::SameStation.code(), "same_station");
    }

    #[test]
    fn many_legs_match_one_by_one() {
        let st = three();
        let m = RailModel::default();
        let q = vec![((50.0045, 4.0), (50.503, 4.0)), ((51.0, 5.5), (50.5, 4.0)), ((50.0, 4.06), (50.5, 4.0))];
        let many = rail_legs(&st, &q, &m);
        for (i, &(h, d)) in q.iter().enumerate() {
            assert_eq!(many[i], rail_leg(&st, h, d, &m));
        }
    }
}

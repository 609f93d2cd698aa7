//! The timetable of one service day as flat arrays: stops, connections (one per pair of
//! consecutive calls of a trip) sorted by departure and by arrival, walking transfers in
//! compressed rows, and the stop index.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::date::{Date, parse_time};
use crate::geo::{StopIndex, haversine_m};
use crate::gtfs::{FeedTables, FileCount, Reject, Source, Table, read_tables, too_many_rejects};
use crate::{FeedError, VehicleClass};

/// A walk between a place (home, office) and a stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Access {
    /// The stop.
    pub stop: u32,
    /// Walking (or cycling) time (s).
    pub walk_s: i32,
    /// Distance counted for the walk (m).
    pub walk_m: f64,
}

/// Walking and transfer options of the network.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// Walking speed (m/s) of transfers.
    pub walk_speed_mps: f64,
    /// Walked distance ÷ straight line.
    pub walk_detour: f64,
    /// Stops closer than this (straight line, m) are linked by a walking transfer.
    pub transfer_radius_m: f64,
    /// Time to change vehicles at the same stop (s) when `transfers.txt` does not say.
    pub min_change_s: i32,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { walk_speed_mps: 1.25, walk_detour: 1.3, transfer_radius_m: 400.0, min_change_s: 60 }
    }
}

impl LoadOptions {
    /// Walking time (s, at least 1) over a straight-line distance.
    pub fn walk_s(&self, straight_m: f64) -> i32 {
        ((straight_m * self.walk_detour / self.walk_speed_mps).ceil() as i32).max(1)
    }
}

/// Which day's trips to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceDay {
    /// This date.
    Fixed(Date),
    /// The weekday (Monday–Friday) between the two dates (inclusive) on which the most trips
    /// run, all feeds together; ties go to the earliest date.
    Representative {
        /// First candidate.
        from: Date,
        /// Last candidate.
        to: Date,
    },
}

/// A stop where vehicles call (GTFS location_type 0).
#[derive(Debug, Clone, PartialEq)]
pub struct StopInput {
    /// Identifier (`feed:stop_id` for GTFS).
    pub id: String,
    /// Name.
    pub name: String,
    /// (lat, lon) in degrees.
    pub pos: (f64, f64),
    /// Stops with the same group (the platforms of one station) are always linked by a walk.
    pub group: Option<u32>,
}

/// One call of a trip at a stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    /// Stop index.
    pub stop: u32,
    /// Arrival (s after the service day's midnight).
    pub arr_s: i32,
    /// Departure (s).
    pub dep_s: i32,
    /// Passengers may board here.
    pub board: bool,
    /// Passengers may alight here.
    pub alight: bool,
    /// Distance along the trip (m) from its first call; NaN when unknown.
    pub along_m: f64,
}

/// A transfer rule between two stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TransferRule {
    /// A walk (or same-stop change) taking this many seconds.
    MinTime(i32),
    /// A walk timed by distance, even beyond the transfer radius.
    Walk,
    /// No transfer (removes a generated walk).
    Forbidden,
}

/// A timetable to build a network from (one service day).
#[derive(Debug, Clone, Default)]
pub struct TimetableInput {
    /// Stops.
    pub stops: Vec<StopInput>,
    /// Vehicle class of each trip.
    pub trip_class: Vec<VehicleClass>,
    /// Calls of trip `t`: `calls[trip_start[t]..trip_start[t + 1]]`, in order, times not decreasing.
    pub trip_start: Vec<u32>,
    /// Calls of all trips.
    pub calls: Vec<Call>,
    /// Transfer rules (from, to, rule); from == to sets the stop's change time.
    pub transfers: Vec<(u32, u32, TransferRule)>,
}

/// An elementary connection: a vehicle from one stop to the next. 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conn {
    pub dep_stop: u32,
    pub arr_stop: u32,
    pub dep: i32,
    pub arr: i32,
    /// Trip index, with [`BOARD`] and [`ALIGHT`] flags in the top bits.
    pub trip_flags: u32,
    /// Index in [`Network::conns`] (trip order).
    pub id: u32,
}

pub(crate) const BOARD: u32 = 1 << 31;
pub(crate) const ALIGHT: u32 = 1 << 30;
pub(crate) const TRIP_MASK: u32 = ALIGHT - 1;

impl Conn {
    pub(crate) fn trip(&self) -> u32 {
        self.trip_flags & TRIP_MASK
    }
    pub(crate) fn can_board(&self) -> bool {
        self.trip_flags & BOARD != 0
    }
    pub(crate) fn can_alight(&self) -> bool {
        self.trip_flags & ALIGHT != 0
    }
}

/// A day's timetable, ready to scan.
#[derive(Debug)]
pub struct Network {
    pub(crate) stops: Vec<StopInput>,
    /// Same-stop change time (s) of each stop.
    pub(crate) change_s: Vec<i32>,
    /// Walks into each stop: `fp_in[fp_in_start[s]..fp_in_start[s + 1]]` = (from, s, walk_s).
    pub(crate) fp_in_start: Vec<u32>,
    pub(crate) fp_in: Vec<(u32, i32)>,
    /// Walks out of each stop: (to, walk_s).
    pub(crate) fp_out_start: Vec<u32>,
    pub(crate) fp_out: Vec<(u32, i32)>,
    pub(crate) trip_class: Vec<VehicleClass>,
    /// Connections in trip order, and their in-vehicle distance (m).
    pub(crate) conns: Vec<Conn>,
    pub(crate) conn_m: Vec<f32>,
    /// Connections by (departure, arrival, id) ascending.
    pub(crate) by_dep: Vec<Conn>,
    /// Connections by (arrival, departure, id) descending.
    pub(crate) by_arr: Vec<Conn>,
    pub(crate) index: StopIndex,
    /// Options the walks were built with.
    pub options: LoadOptions,
}

impl Network {
    /// Builds the network. Calls must be in trip order with times not decreasing (the GTFS
    /// loader guarantees it; other callers must).
    pub fn build(input: TimetableInput, options: LoadOptions) -> Network {
        let TimetableInput { stops, trip_class, trip_start, calls, transfers } = input;
        let n = stops.len();
        let mut conns = Vec::with_capacity(calls.len());
        let mut conn_m = Vec::with_capacity(calls.len());
        for t in 0..trip_class.len() {
            let c = &calls[trip_start[t] as usize..trip_start[t + 1] as usize];
            let shaped = c.iter().all(|x| x.along_m.is_finite());
            for w in c.windows(2) {
                let (a, b) = (w[0], w[1]);
                debug_assert!(a.dep_s <= b.arr_s && a.arr_s <= a.dep_s);
                let mut flags = t as u32;
                if a.board {
                    flags |= BOARD;
                }
                if b.alight {
                    flags |= ALIGHT;
                }
                let id = conns.len() as u32;
                conns.push(Conn {
                    dep_stop: a.stop,
                    arr_stop: b.stop,
                    dep: a.dep_s,
                    arr: b.arr_s,
                    trip_flags: flags,
                    id,
                });
                let m = if shaped {
                    b.along_m - a.along_m
                } else {
                    haversine_m(stops[a.stop as usize].pos, stops[b.stop as usize].pos)
                };
                conn_m.push(m as f32);
            }
        }
        let mut by_dep = conns.clone();
        by_dep.sort_unstable_by_key(|c| (c.dep, c.arr, c.id));
        let mut by_arr = conns.clone();
        by_arr.sort_unstable_by_key(|c| std::cmp::Reverse((c.arr, c.dep, c.id)));

        // Walking transfers: every pair within the radius, every pair of platforms of one station,
        // then transfers.txt on top. One walk links two vehicles; walks are not chained (see
        // the README), so no transitive closure is needed: the reference search uses the same rule.
        let index = StopIndex::new(&stops.iter().map(|s| s.pos).collect::<Vec<_>>(), |_| true);
        let mut walks: BTreeMap<(u32, u32), i32> = BTreeMap::new();
        for (s, st) in stops.iter().enumerate() {
            for (w, d) in index.within(st.pos, options.transfer_radius_m) {
                if w as usize != s {
                    walks.insert((s as u32, w), options.walk_s(d));
                }
            }
        }
        let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
        for (s, st) in stops.iter().enumerate() {
            if let Some(g) = st.group {
                groups.entry(g).or_default().push(s as u32);
            }
        }
        for members in groups.values() {
            for &a in members {
                for &b in members {
                    if a != b {
                        let d = haversine_m(stops[a as usize].pos, stops[b as usize].pos);
                        walks.entry((a, b)).or_insert(options.walk_s(d));
                    }
                }
            }
        }
        let mut change_s = vec![options.min_change_s.max(1); n];
        for &(a, b, rule) in &transfers {
            if a == b {
                if let TransferRule::MinTime(s) = rule {
                    change_s[a as usize] = s.max(1);
                }
                continue;
            }
            match rule {
                TransferRule::MinTime(s) => {
                    walks.insert((a, b), s.max(1));
                }
                TransferRule::Walk => {
                    let d = haversine_m(stops[a as usize].pos, stops[b as usize].pos);
                    walks.entry((a, b)).or_insert(options.walk_s(d));
                }
                TransferRule::Forbidden => {
                    walks.remove(&(a, b));
                }
            }
        }
        let csr = |flip: bool| {
            let mut v: Vec<(u32, u32, i32)> =
                walks.iter().map(|(&(a, b), &d)| if flip { (b, a, d) } else { (a, b, d) }).collect();
            v.sort_unstable();
            let mut start = vec![0u32; n + 1];
            for &(s, _, _) in &v {
                start[s as usize + 1] += 1;
            }
            for i in 0..n {
                start[i + 1] += start[i];
            }
            (start, v.into_iter().map(|(_, o, d)| (o, d)).collect::<Vec<_>>())
        };
        let (fp_out_start, fp_out) = csr(false);
        let (fp_in_start, fp_in) = csr(true);
        Network {
            stops,
            change_s,
            fp_in_start,
            fp_in,
            fp_out_start,
            fp_out,
            trip_class,
            conns,
            conn_m,
            by_dep,
            by_arr,
            index,
            options,
        }
    }

    /// Number of stops.
    pub fn stop_count(&self) -> usize {
        self.stops.len()
    }

    /// Number of connections.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Number of trips.
    pub fn trip_count(&self) -> usize {
        self.trip_class.len()
    }

    /// Number of walking transfers (directed pairs).
    pub fn walk_count(&self) -> usize {
        self.fp_out.len()
    }

    /// A stop's identifier.
    pub fn stop_id(&self, s: u32) -> &str {
        &self.stops[s as usize].id
    }

    /// A stop's position.
    pub fn stop_pos(&self, s: u32) -> (f64, f64) {
        self.stops[s as usize].pos
    }

    /// The stop with this identifier.
    pub fn find_stop(&self, id: &str) -> Option<u32> {
        self.stops.iter().position(|s| s.id == id).map(|i| i as u32)
    }

    /// Stops within `max_m` (straight line) of a point, as (stop, straight-line m), by stop index.
    pub fn stops_near(&self, p: (f64, f64), max_m: f64) -> Vec<(u32, f64)> {
        self.index.within(p, max_m)
    }

    /// Walks (or rides, at another speed) from a point to the stops within `max_m` straight
    /// line: time = straight line × `detour` ÷ `speed_mps` (rounded up, at least 1 s), distance
    /// = straight line × `detour`.
    pub fn access(&self, p: (f64, f64), max_m: f64, speed_mps: f64, detour: f64) -> Vec<Access> {
        self.stops_near(p, max_m)
            .into_iter()
            .map(|(stop, d)| Access {
                stop,
                walk_s: ((d * detour / speed_mps).ceil() as i32).max(1),
                walk_m: d * detour,
            })
            .collect()
    }

    /// Walking time of the direct walk `from → to`, if there is one.
    pub fn walk_s(&self, from: u32, to: u32) -> Option<i32> {
        let r = self.fp_out_start[from as usize] as usize..self.fp_out_start[from as usize + 1] as usize;
        self.fp_out[r].iter().find(|x| x.0 == to).map(|x| x.1)
    }

    /// Approximate heap memory of the scan structures (bytes).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        3 * self.conns.len() * size_of::<Conn>()
            + self.conn_m.len() * 4
            + (self.fp_in.len() + self.fp_out.len()) * 8
            + (self.fp_in_start.len() + self.fp_out_start.len()) * 4
            + self.stops.len() * (size_of::<StopInput>() + 48 + 8)
            + self.trip_class.len()
    }
}

/// A loaded set of feeds.
#[derive(Debug)]
pub struct Loaded {
    /// The network of the chosen day.
    pub network: Network,
    /// What was read, rejected and chosen.
    pub report: LoadReport,
}

/// What the loader read, rejected and chose.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    /// The service day used.
    pub service_date: Date,
    /// How it was chosen (`fixed` or `representative`).
    pub service_day_rule: &'static str,
    /// Per feed figures.
    pub feeds: Vec<FeedSummary>,
    /// Rows per file.
    pub counts: Vec<FileCount>,
    /// Bad rows, in feed, file, line order.
    pub rejects: Vec<Reject>,
}

/// Per-feed figures.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedSummary {
    /// Feed name.
    pub name: String,
    /// Trips running on the service day.
    pub trips_active: usize,
    /// Of which with distances from `shape_dist_traveled`.
    pub trips_with_shape_distances: usize,
    /// `frequencies.txt` rows (not applied).
    pub frequencies_rows: u64,
}

/// Chooses the service day: the date of `Fixed`, or the weekday between `from` and `to` with the
/// most running trips over all feeds (ties: earliest). Returns the date and the trip count.
fn choose_service_day(tables: &[FeedTables], day: ServiceDay) -> Result<(Date, &'static str), FeedError> {
    match day {
        ServiceDay::Fixed(d) => Ok((d, "fixed")),
        ServiceDay::Representative { from, to } => {
            // Trips per service, then services active per day: cheap even over a year.
            let mut best: Option<(usize, Date)> = None;
            let per_service: Vec<Vec<usize>> = tables
                .iter()
                .map(|f| {
                    let mut v = vec![0usize; f.services.len()];
                    for &s in &f.trip_service {
                        v[s as usize] += 1;
                    }
                    v
                })
                .collect();
            for d in (from.0..=to.0).map(Date) {
                if d.weekday() >= 5 {
                    continue;
                }
                let n: usize = tables
                    .iter()
                    .zip(&per_service)
                    .map(|(f, ps)| {
                        f.services.iter().zip(ps).filter(|(s, _)| s.active(d)).map(|(_, &k)| k).sum::<usize>()
                    })
                    .sum();
                if n > 0 && best.is_none_or(|(b, _)| n > b) {
                    best = Some((n, d));
                }
            }
            match best {
                Some((_, d)) => Ok((d, "representative")),
                None => {
                    let dates = tables.iter().flat_map(|f| {
                        f.services
                            .iter()
                            .flat_map(|s| s.range.into_iter().flat_map(|(a, b)| [a, b]).chain(s.added.iter().copied()))
                    });
                    let (lo, hi) = dates.fold((None::<Date>, None::<Date>), |(lo, hi), d| {
                        (Some(lo.map_or(d, |x: Date| x.min(d))), Some(hi.map_or(d, |x: Date| x.max(d))))
                    });
                    let span = match (lo, hi) {
                        (Some(a), Some(b)) => format!("{a} to {b}"),
                        _ => "no date".into(),
                    };
                    let feeds = tables.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
                    Err(FeedError::NoService { feeds, from, to, span })
                }
            }
        }
    }
}

/// One kept `stop_times.txt` row, before the trip checks.
struct RawCall {
    trip: u32,
    seq: u32,
    stop: u32,
    arr: i32,
    dep: i32,
    along: f32,
    board: bool,
    alight: bool,
    line: u32,
}

const UNTIMED: i32 = i32::MIN;

/// Loads feeds `(name, path to a zip or folder)` for one service day.
pub fn load_feeds(feeds: &[(String, PathBuf)], day: ServiceDay, options: LoadOptions) -> Result<Loaded, FeedError> {
    load_feeds_with(feeds, day, options, &mut |_, _| {})
}

/// [`load_feeds`], calling `progress(done, total)` as it goes, for a progress bar or log lines
/// (the crate neither prints nor logs): `total` steps are each feed's tables, each feed's
/// `stop_times.txt`, then the network (connections and walking transfers); first called with
/// `done = 0`, then once after each step.
pub fn load_feeds_with(
    feeds: &[(String, PathBuf)],
    day: ServiceDay,
    options: LoadOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Loaded, FeedError> {
    let steps = 2 * feeds.len() + 1;
    let mut done = 0;
    let mut step = |progress: &mut dyn FnMut(usize, usize)| {
        done += 1;
        progress(done, steps);
    };
    progress(0, steps);
    let mut sources = Vec::new();
    let mut tables = Vec::new();
    for (name, path) in feeds {
        let mut src = Source::open(name, path)?;
        tables.push(read_tables(&mut src, name)?);
        sources.push(src);
        step(progress);
    }
    let (date, rule) = choose_service_day(&tables, day)?;

    let mut input = TimetableInput::default();
    let mut counts = Vec::new();
    let mut rejects = Vec::new();
    let mut summaries = Vec::new();
    let mut group_base = 0u32;
    for (f, src) in tables.iter_mut().zip(sources.iter_mut()) {
        let global = add_stops_and_transfers(f, &mut input, group_base);
        group_base += f.stops.len() as u32;
        let day = TripsOfDay::new(f, date);
        let (raw, mut st) = read_stop_times(src, f, &global, &day)?;
        step(progress);
        let trips = clean_trips(raw, &mut st);
        too_many_rejects(&f.name, "stop_times.txt", st.count.rejected)?;
        let unit = shape_distance_unit(&trips, &input.stops);
        let mut trip_classes = Vec::with_capacity(trips.len());
        let mut trips_with_shape = 0usize;
        for (trip, mut calls) in trips {
            trips_with_shape += apply_shape_distances(&mut calls, unit, &input.stops) as usize;
            let original = day.original[trip as usize];
            trip_classes.push(f.route_class[f.trip_route[original as usize] as usize]);
            if input.trip_start.is_empty() {
                input.trip_start.push(0);
            }
            input.calls.extend(calls);
            input.trip_start.push(input.calls.len() as u32);
        }
        if input.trip_start.is_empty() {
            input.trip_start.push(0);
        }
        let n_trips = trip_classes.len();
        input.trip_class.extend(trip_classes);
        st.rejects.sort_by_key(|r| r.line);
        counts.append(&mut f.counts);
        counts.push(st.count);
        rejects.append(&mut f.rejects);
        rejects.extend(st.rejects);
        summaries.push(FeedSummary {
            name: f.name.clone(),
            trips_active: n_trips,
            trips_with_shape_distances: trips_with_shape,
            frequencies_rows: f.frequencies_rows,
        });
        if f.stops.iter().all(|s| s.location_type != 0) {
            return Err(FeedError::Empty { feed: f.name.clone(), what: "stops" });
        }
        if f.trip_by_id.is_empty() {
            return Err(FeedError::Empty { feed: f.name.clone(), what: "trips" });
        }
    }
    if input.calls.is_empty() {
        return Err(FeedError::Empty {
            feed: feeds.iter().map(|f| f.0.as_str()).collect::<Vec<_>>().join(", "),
            what: "stop times on the service day",
        });
    }
    let network = Network::build(input, options);
    step(progress);
    Ok(Loaded {
        network,
        report: LoadReport { service_date: date, service_day_rule: rule, feeds: summaries, counts, rejects },
    })
}

/// Adds a feed's stops where vehicles call (location_type 0) to the network input, stations
/// becoming groups of their platforms (`group_base` + the station's row), and its transfers,
/// those between stations applying to all their platforms. Returns the network stop of each row
/// of `stops.txt` (`u32::MAX` for stations and entrances).
fn add_stops_and_transfers(f: &FeedTables, input: &mut TimetableInput, group_base: u32) -> Vec<u32> {
    // Stops where vehicles call (location_type 0); stations become groups of their platforms.
    let mut global = vec![u32::MAX; f.stops.len()];
    for (i, s) in f.stops.iter().enumerate() {
        if s.location_type == 0 {
            global[i] = input.stops.len() as u32;
            let group = f.stop_by_id.get(&s.parent).map(|&p| group_base + p);
            input.stops.push(StopInput { id: format!("{}:{}", f.name, s.id), name: s.name.clone(), pos: s.pos, group });
        }
    }
    // Transfers between stations apply to all their platforms.
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, s) in f.stops.iter().enumerate() {
        if let (Some(&p), true) = (f.stop_by_id.get(&s.parent), global[i] != u32::MAX) {
            children.entry(p).or_default().push(global[i]);
        }
    }
    let expand = |i: u32| -> Vec<u32> {
        if global[i as usize] != u32::MAX {
            vec![global[i as usize]]
        } else {
            children.get(&i).cloned().unwrap_or_default()
        }
    };
    for t in &f.transfers {
        let rule = match (t.kind, t.min_s) {
            (3, _) => TransferRule::Forbidden,
            (2, Some(s)) => TransferRule::MinTime(s),
            _ => TransferRule::Walk,
        };
        let same_station = t.from == t.to;
        for a in expand(t.from) {
            for b in expand(t.to) {
                if a == b || !same_station {
                    input.transfers.push((a, b, rule));
                }
            }
        }
    }

    global
}

/// The trips running on the service day, numbered in `trips.txt` order.
struct TripsOfDay {
    /// Per row of `trips.txt`: whether it runs that day.
    active: Vec<bool>,
    /// Per row of `trips.txt`: its number among the day's trips (`u32::MAX` if it does not run).
    day_trip: Vec<u32>,
    /// Per trip of the day: its row in `trips.txt`.
    original: Vec<u32>,
}

impl TripsOfDay {
    fn new(f: &FeedTables, date: Date) -> TripsOfDay {
        let active: Vec<bool> = f.trip_service.iter().map(|&s| f.services[s as usize].active(date)).collect();
        let mut day_trip = vec![u32::MAX; active.len()];
        let mut n_active = 0u32;
        for (t, &a) in active.iter().enumerate() {
            if a {
                day_trip[t] = n_active;
                n_active += 1;
            }
        }
        let mut original: Vec<u32> = vec![u32::MAX; n_active as usize];
        for (t, &d) in day_trip.iter().enumerate() {
            if d != u32::MAX {
                original[d as usize] = t as u32;
            }
        }
        TripsOfDay { active, day_trip, original }
    }
}

/// `stop_times.txt`'s counts and rejects, which the per-trip checks after reading amend.
struct StopTimesLedger {
    feed: String,
    count: FileCount,
    rejects: Vec<Reject>,
}

impl StopTimesLedger {
    /// Rejects a row that was accepted when read.
    fn reject(&mut self, r: &RawCall, reason: &'static str, detail: String) {
        self.count.accepted -= 1;
        self.count.rejected += 1;
        self.rejects.push(Reject {
            feed: self.feed.clone(),
            file: "stop_times.txt",
            line: r.line as u64,
            reason,
            detail,
            raw: String::new(),
        });
    }
}

/// Reads `stop_times.txt` streaming, row by row: every row is checked (each bad one rejected
/// with its reason), and the calls of the day's trips are kept.
fn read_stop_times(
    src: &mut Source,
    f: &FeedTables,
    global: &[u32],
    day: &TripsOfDay,
) -> Result<(Vec<RawCall>, StopTimesLedger), FeedError> {
    let (active, day_trip) = (&day.active, &day.day_trip);
    let mut raw: Vec<RawCall> = Vec::new();
    let mut t = Table::open(src, &f.name, "stop_times.txt")?
        .ok_or(FeedError::MissingFile { feed: f.name.clone(), file: "stop_times.txt" })?;
    let c_trip = t.need("trip_id")?;
    let (c_arr, c_dep, c_stop, c_seq) =
        (t.need("arrival_time")?, t.need("departure_time")?, t.need("stop_id")?, t.need("stop_sequence")?);
    let (c_pick, c_drop, c_dist) = (t.col("pickup_type"), t.col("drop_off_type"), t.col("shape_dist_traveled"));
    // The trip id of consecutive rows is usually the same: one map lookup per trip.
    let mut last_trip = (String::new(), None::<u32>);
    while t.next()? {
        let tid = t.get(Some(c_trip));
        if tid != last_trip.0 {
            last_trip = (tid.to_owned(), f.trip_by_id.get(tid).copied());
        }
        let Some(trip) = last_trip.1 else {
            t.reject("unknown_trip", format!("trip_id {tid:?} is not in trips.txt"));
            continue;
        };
        let sid = t.get(Some(c_stop));
        let stop = match f.stop_by_id.get(sid) {
            Some(&s) if global[s as usize] != u32::MAX => global[s as usize],
            Some(_) => {
                t.reject("stop_is_station", format!("stop_id {sid:?} is a station or entrance, not a stop"));
                continue;
            }
            None => {
                t.reject("unknown_stop", format!("stop_id {sid:?} is not in stops.txt"));
                continue;
            }
        };
        let Ok(seq) = t.get(Some(c_seq)).parse::<u32>() else {
            t.reject("bad_sequence", format!("stop_sequence {:?} is not a whole number", t.get(Some(c_seq))));
            continue;
        };
        let time = |s: &str| if s.is_empty() { Some(UNTIMED) } else { parse_time(s) };
        let (arr, dep) = match (time(t.get(Some(c_arr))), time(t.get(Some(c_dep)))) {
            (Some(a), Some(d)) => (if a == UNTIMED { d } else { a }, if d == UNTIMED { a } else { d }),
            _ => {
                let detail =
                    format!("arrival {:?} / departure {:?} is not H:MM:SS", t.get(Some(c_arr)), t.get(Some(c_dep)));
                t.reject("bad_time", detail);
                continue;
            }
        };
        if arr != UNTIMED && dep < arr {
            t.reject("bad_time", format!("departure {} is before arrival {}", t.get(Some(c_dep)), t.get(Some(c_arr))));
            continue;
        }
        let flag = |s: &str| match s {
            "" | "0" | "2" | "3" => Some(true),
            "1" => Some(false),
            _ => None,
        };
        let (Some(board), Some(alight)) = (flag(t.get(c_pick)), flag(t.get(c_drop))) else {
            t.reject("bad_flag", "pickup_type / drop_off_type is not 0-3".into());
            continue;
        };
        let along = match t.get(c_dist) {
            "" => f32::NAN,
            s => match s.parse::<f32>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                _ => {
                    t.reject("bad_distance", format!("shape_dist_traveled {s:?} is not a distance"));
                    continue;
                }
            },
        };
        t.accept();
        if !active[trip as usize] {
            continue;
        }
        raw.push(RawCall {
            trip: day_trip[trip as usize],
            seq,
            stop,
            arr,
            dep,
            along,
            board,
            alight,
            line: t.line as u32,
        });
    }
    let st = StopTimesLedger { feed: f.name.clone(), count: t.count.clone(), rejects: std::mem::take(&mut t.rejects) };
    Ok((raw, st))
}

/// Per trip: orders the calls by sequence, rejects duplicates, untimed ends and times going back,
/// and interpolates untimed intermediate calls (linear in call count between the timed
/// neighbours). Trips left with fewer than two calls are dropped.
fn clean_trips(mut raw: Vec<RawCall>, st: &mut StopTimesLedger) -> Vec<(u32, Vec<Call>)> {
    raw.sort_unstable_by_key(|r| (((r.trip as u64) << 32) | r.seq as u64, r.line));
    let mut trips: Vec<(u32, Vec<Call>)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let trip = raw[i].trip;
        let mut j = i;
        while j < raw.len() && raw[j].trip == trip {
            j += 1;
        }
        let mut kept: Vec<&RawCall> = Vec::with_capacity(j - i);
        for r in &raw[i..j] {
            if kept.last().is_some_and(|k| k.seq == r.seq) {
                st.reject(r, "duplicate_sequence", format!("stop_sequence {} appears twice in the trip", r.seq));
            } else {
                kept.push(r);
            }
        }
        while kept.first().is_some_and(|r| r.arr == UNTIMED) {
            let r = kept.remove(0);
            st.reject(r, "untimed_end", "the first and last calls of a trip need times".into());
        }
        while kept.last().is_some_and(|r| r.arr == UNTIMED) {
            let r = kept.pop().unwrap();
            st.reject(r, "untimed_end", "the first and last calls of a trip need times".into());
        }
        let mut ok: Vec<&RawCall> = Vec::with_capacity(kept.len());
        let mut last_dep = i32::MIN;
        for r in kept {
            if r.arr != UNTIMED {
                if r.arr < last_dep {
                    st.reject(
                        r,
                        "time_goes_back",
                        format!("arrival at sequence {} is before the previous departure", r.seq),
                    );
                    continue;
                }
                last_dep = r.dep;
            }
            ok.push(r);
        }
        while ok.last().is_some_and(|r| r.arr == UNTIMED) {
            let r = ok.pop().unwrap();
            st.reject(r, "untimed_end", "the first and last calls of a trip need times".into());
        }
        if ok.len() >= 2 {
            let mut calls: Vec<Call> = ok
                .iter()
                .map(|r| Call {
                    stop: r.stop,
                    arr_s: r.arr,
                    dep_s: r.dep,
                    board: r.board,
                    alight: r.alight,
                    along_m: r.along as f64,
                })
                .collect();
            // Untimed calls: linear in call count between the timed neighbours.
            let mut k = 0;
            while k < calls.len() {
                if calls[k].arr_s == UNTIMED {
                    let a = k - 1;
                    let mut b = k;
                    while calls[b].arr_s == UNTIMED {
                        b += 1;
                    }
                    let (t0, t1) = (calls[a].dep_s as i64, calls[b].arr_s as i64);
                    for (m, c) in calls.iter_mut().enumerate().take(b).skip(k) {
                        let v = (t0 + (t1 - t0) * (m - a) as i64 / (b - a) as i64) as i32;
                        c.arr_s = v;
                        c.dep_s = v;
                    }
                    k = b;
                }
                k += 1;
            }
            trips.push((trip, calls));
        }
        i = j;
    }
    trips
}

/// The unit of the feed's `shape_dist_traveled` (metres per unit): units are the feed's own. The
/// median ratio to the great circle over fully measured trips picks it among m, km, mi and ft.
fn shape_distance_unit(trips: &[(u32, Vec<Call>)], stops: &[StopInput]) -> Option<f64> {
    let mut shaped_ratios = Vec::new();
    for (_, c) in trips {
        if c.iter().all(|x| x.along_m.is_finite()) {
            let g = great_circle_m(c, stops);
            if g > 0.0 {
                shaped_ratios.push((c.last().unwrap().along_m - c[0].along_m) / g);
            }
        }
    }
    shaped_ratios.sort_by(f64::total_cmp);
    shaped_ratios
        .get(shaped_ratios.len() / 2)
        .and_then(|&median| [1.0, 1000.0, 1609.344, 0.3048].into_iter().find(|k| (0.95..=3.0).contains(&(median * k))))
}

/// Great-circle length of a trip (m), call to call.
fn great_circle_m(c: &[Call], stops: &[StopInput]) -> f64 {
    c.windows(2).map(|w| haversine_m(stops[w[0].stop as usize].pos, stops[w[1].stop as usize].pos)).sum()
}

/// Converts a trip's shape distances to metres from its first call when they are usable: in the
/// feed's unit, monotone and 0.95–3 × its great-circle length; else they become NaN. Returns
/// whether they were usable.
fn apply_shape_distances(calls: &mut [Call], unit: Option<f64>, stops: &[StopInput]) -> bool {
    let g = great_circle_m(calls, stops);
    let usable = unit.is_some_and(|k| {
        calls.iter().all(|x| x.along_m.is_finite())
            && calls.windows(2).all(|w| w[1].along_m >= w[0].along_m)
            && (0.95..=3.0).contains(&((calls.last().unwrap().along_m - calls[0].along_m) * k / g.max(1e-9)))
    });
    let k = unit.unwrap_or(1.0);
    let first = calls[0].along_m;
    for c in calls.iter_mut() {
        c.along_m = if usable { (c.along_m - first) * k } else { f64::NAN };
    }
    usable
}

//! Road routing of legs (crate `navette-road`): which modes are routed on which profile, opening
//! the study's network, and routing a batch of legs grouped by destination.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Context, Result};
use navette_road::{Job, Phase, Profile, RoadNetwork, RoundTrip, Silent, Unrouted};

use crate::config::{RoutingConfig, Study};
use crate::method::mode::{Mode, Network};
use crate::routing::LegRequest;

/// The bicycle profile's riding speed (km/h), the base for e-bike times.
const BIKE_PROFILE_KMH: f64 = 15.0;

/// A road network with the study's routing options.
pub struct RoadRouting {
    /// The prepared network.
    pub network: RoadNetwork,
    /// `[method.routing]`: snap distance, e-bike speed.
    pub config: RoutingConfig,
    /// Whether a prepared artifact was reused (false: built from the PBF in this run).
    pub reused: bool,
    /// The PBF, as named in the config.
    pub pbf_name: String,
}

/// The road profile of a mode; `None` for public transport (not a road leg).
pub fn profile_of(mode: Mode) -> Option<Profile> {
    match mode.network() {
        Network::RoadCar => Some(Profile::Car),
        Network::RoadBike => Some(Profile::Bike),
        Network::RoadFoot => Some(Profile::Foot),
        Network::Timetable => None,
    }
}

/// Opens the study's road network when `inputs.osm` is set: from `inputs.road_network` when it
/// was prepared from the same PBF, else from the PBF (then saved to `inputs.road_network`).
pub fn open(study: &Study) -> Result<Option<RoadRouting>> {
    let i = &study.config.inputs;
    let Some(osm) = i.osm.as_deref() else { return Ok(None) };
    let pbf = study.resolve(osm);
    if !pbf.is_file() {
        anyhow::bail!(
            "inputs.osm in {}: {} does not exist (paths are relative to the folder of study.toml)",
            study.origin,
            pbf.display()
        );
    }
    let config = study.config.method.routing.clone();
    let context = || format!("inputs.osm in {}: cannot prepare the road network of {}", study.origin, pbf.display());
    let (network, reused) = match i.road_network.as_deref() {
        Some(art) => {
            let art: PathBuf = study.resolve(art);
            RoadNetwork::open_with(&pbf, &art, &RoadProgress::default()).with_context(context)?
        }
        None => (RoadNetwork::from_pbf_with(&pbf, &RoadProgress::default()).with_context(context)?.0, false),
    };
    Ok(Some(RoadRouting { network, config, reused, pbf_name: osm.to_owned() }))
}

/// Shows the phases of a network build and of road trees through [`crate::progress`]: a bar per
/// phase on a terminal, a log line at each tenth otherwise.
#[derive(Default)]
pub struct RoadProgress {
    current: Mutex<Option<crate::progress::Progress>>,
}

/// Trees of a profile below which a batch shows nothing (a small study routes in a blink).
const MIN_TREES: u64 = 20;

impl navette_road::Progress for RoadProgress {
    fn start(&self, phase: Phase, total: u64) {
        let (stage, min_items) = match phase {
            Phase::Read => ("read pbf", 1),
            Phase::Graphs => ("graphs", 1),
            Phase::Contract => ("contract", 1),
            Phase::Trees(Profile::Car) => ("car trees", MIN_TREES),
            Phase::Trees(Profile::Bike) => ("bike trees", MIN_TREES),
            Phase::Trees(Profile::Foot) => ("foot trees", MIN_TREES),
        };
        // Contracting the last arcs (the top of the hierarchy, the densest) takes most of the
        // time: no estimate of the time left there.
        let shown = match phase {
            Phase::Contract => crate::progress::Progress::uneven(stage, total, min_items),
            _ => crate::progress::Progress::new(stage, total, min_items),
        };
        if let Some(before) = self.current.lock().expect("progress lock").replace(shown) {
            before.finish();
        }
    }

    fn advance(&self, _phase: Phase, n: u64) {
        if let Some(p) = &*self.current.lock().expect("progress lock") {
            p.inc(n);
        }
    }

    fn finish(&self, _phase: Phase) {
        if let Some(p) = self.current.lock().expect("progress lock").take() {
            p.finish();
        }
    }
}

/// A routed leg, one way: the mean of the way there and the way back (the method counts round
/// trips; one-way streets make the two differ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutedLeg {
    /// One-way door-to-door distance (m), walks to and from the road included.
    pub distance_m: f64,
    /// One-way door-to-door time (s).
    pub duration_s: f64,
}

/// Routes every request whose mode has a road profile; `None` for the others. Requests are
/// grouped by (profile, destination): two one-to-all searches per group answer all its homes.
pub fn route(r: &RoadRouting, requests: &[LegRequest]) -> Vec<Option<Result<RoutedLeg, Unrouted>>> {
    route_with(r, requests, false)
}

/// [`route`]; with `show_progress`, a bar over each profile's trees (or log lines at tenths).
pub fn route_with(
    r: &RoadRouting,
    requests: &[LegRequest],
    show_progress: bool,
) -> Vec<Option<Result<RoutedLeg, Unrouted>>> {
    let shown = RoadProgress::default();
    let progress: &dyn navette_road::Progress = if show_progress { &shown } else { &Silent };
    let mut out: Vec<Option<Result<RoutedLeg, Unrouted>>> = vec![None; requests.len()];
    // (profile, destination bits) → request indices, in a stable order.
    let mut groups: BTreeMap<(Profile, u64, u64), Vec<usize>> = BTreeMap::new();
    for (i, q) in requests.iter().enumerate() {
        if let Some(p) = profile_of(q.mode) {
            groups.entry((p, q.dest.0.to_bits(), q.dest.1.to_bits())).or_default().push(i);
        }
    }
    for p in Profile::ALL {
        let keys: Vec<_> = groups.keys().filter(|k| k.0 == p).copied().collect();
        let jobs: Vec<Job> = keys
            .iter()
            .map(|k| Job {
                dest: (f64::from_bits(k.1), f64::from_bits(k.2)),
                homes: groups[k].iter().map(|&i| requests[i].home).collect(),
            })
            .collect();
        let results = r.network.round_trips_with(p, &jobs, r.config.max_snap_m, progress);
        for (k, res) in keys.iter().zip(results) {
            for (&i, trip) in groups[k].iter().zip(res) {
                out[i] = Some(trip.map(|t| one_way(t, requests[i].mode, &r.config)));
            }
        }
    }
    out
}

fn one_way(t: RoundTrip, mode: Mode, c: &RoutingConfig) -> RoutedLeg {
    let distance_m = (t.there.distance_m() + t.back.distance_m()) / 2.0;
    let mut duration_s = (t.there.duration_s() + t.back.duration_s()) / 2.0;
    if mode == Mode::Ebike {
        duration_s *= BIKE_PROFILE_KMH / c.ebike_speed_kmh;
    }
    RoutedLeg { distance_m, duration_s }
}

/// Total length (km) of the roads a map draws: the fastest roads of the car graph first, so a
/// country shows its motorways and main roads and a town its streets.
const MAP_ROADS_KM: f64 = 8_000.0;

/// The main roads of the car graph as polylines of (lat, lon), for the reports' maps: edges
/// ranked by free-flow speed (motorways first), kept until [`MAP_ROADS_KM`], then chained end to
/// end (through junctions too), so the map draws long lines instead of thousands of pieces.
pub fn map_lines(net: &RoadNetwork) -> Vec<Vec<(f64, f64)>> {
    let g = net.graph(Profile::Car);
    let edges = g.edge_first.len().saturating_sub(1);
    // (speed in m/ds, edge, length in dm); a direction closed to cars has no duration.
    let mut ranked: Vec<(u64, u32, u64)> = (0..edges as u32)
        .filter_map(|e| {
            let r = g.edge_range(e);
            let dm: u64 = g.seg_dm[r.clone()].iter().map(|&d| u64::from(d)).sum();
            let ds: u64 = r
                .clone()
                .map(|i| {
                    let (f, b) = (g.seg_fwd[i].duration_ds, g.seg_bwd[i].duration_ds);
                    let open = [f, b].into_iter().find(|&d| d != navette_road::graph::NONE);
                    u64::from(open.unwrap_or(0))
                })
                .sum();
            (ds > 0 && dm > 0).then(|| (dm * 1000 / ds, e, dm))
        })
        .collect();
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut kept = vec![false; edges];
    let mut total_dm = 0u64;
    for &(_, e, dm) in &ranked {
        if total_dm as f64 / 10_000.0 >= MAP_ROADS_KM {
            break;
        }
        kept[e as usize] = true;
        total_dm += dm;
    }
    // Join kept edges through vertices shared by exactly two of them.
    let ends = |e: usize| {
        let r = g.edge_range(e as u32);
        (g.edge_vertex[r.start], g.edge_vertex[r.end - 1])
    };
    let mut at: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for e in (0..edges).filter(|&e| kept[e]) {
        let (a, b) = ends(e);
        at.entry(a).or_default().push(e);
        at.entry(b).or_default().push(e);
    }
    let vertices = |e: usize| g.edge_range(e as u32).map(|i| g.edge_vertex[i]).collect::<Vec<u32>>();
    let mut used = vec![false; edges];
    let mut lines = Vec::new();
    for start in (0..edges).filter(|&e| kept[e]) {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut line = vertices(start);
        // Extend at the tail, then at the head (reversed), while an edge not drawn yet meets the
        // end vertex: through junctions too (a stroked line looks the same however its pieces
        // are chained, and a country's map then has a few thousand lines, not tens of thousands).
        for _ in 0..2 {
            loop {
                let end = *line.last().expect("an edge has two vertices");
                let next = at.get(&end).and_then(|edges| edges.iter().copied().find(|&n| !used[n]));
                let Some(n) = next else { break };
                used[n] = true;
                let mut v = vertices(n);
                if v[0] != end {
                    v.reverse();
                }
                line.extend_from_slice(&v[1..]);
            }
            line.reverse();
        }
        lines.push(line.into_iter().map(|v| (g.lat[v as usize], g.lon[v as usize])).collect());
    }
    lines
}

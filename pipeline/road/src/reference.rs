//! Slow, obviously correct reference for tests: point-to-point Dijkstra over raw OSM segments.
//!
//! No chain compression, no CSR, no edge-based precomputation, no one-to-all trick: states are
//! directed OSM segments in hash maps, and every turn is costed on the spot from raw coordinates,
//! the extract's node and way rules, and the restriction list. It takes the fast graph's set of
//! kept segments (so both agree on which component is routable) and its snapped points.

use std::collections::{BTreeSet, HashMap};

use crate::graph::{
    Graph, NONE, RESTRICTED_ENTRY_DS, allowed_turn, bearing_deg, haversine_m, relative_angle, seg_cost,
};
use crate::osm::OsmExtract;
use crate::profile::{Profile, Tags, Turn, turn_duration_ds, way_rule};
use crate::search::{Cost, partial};
use crate::snap::Snap;

/// A directed raw segment.
#[derive(Debug, Clone, Copy)]
struct Seg {
    from: i64,
    to: i64,
    /// Undirected segment id (edge position), to recognise u-turns.
    undirected: u32,
    way: i64,
    weight_ds: u32,
    duration_ds: u32,
    dm: u32,
}

/// The raw segment graph of one profile.
pub struct RawGraph<'a> {
    x: &'a OsmExtract,
    profile: Profile,
    segs: Vec<Seg>,
    leaving: HashMap<i64, Vec<usize>>,
    degree: HashMap<i64, usize>,
    /// Directed segment ids by (edge position, backward).
    by_pos: HashMap<(u32, bool), usize>,
    /// Restrictions binding the profile, by via node.
    restrictions: HashMap<i64, Vec<crate::osm::Restriction>>,
}

impl<'a> RawGraph<'a> {
    /// Expands the kept edges of `g` back into OSM segments, costed from the extract.
    pub fn new(x: &'a OsmExtract, g: &Graph) -> RawGraph<'a> {
        let profile = g.profile.expect("built graph");
        let p = profile.index();
        let mut r = RawGraph {
            x,
            profile,
            segs: Vec::new(),
            leaving: HashMap::new(),
            degree: HashMap::new(),
            by_pos: HashMap::new(),
            restrictions: HashMap::new(),
        };
        for rs in x.restrictions.iter().filter(|r| r.profiles & (1 << p) != 0) {
            r.restrictions.entry(rs.via_node).or_default().push(*rs);
        }
        for e in 0..g.edge_count() as u32 {
            let way = g.edge_way[e as usize];
            let w = &x.ways[x.ways.binary_search_by_key(&way, |w| w.id).expect("way")];
            let rule = w.rules[p].expect("profile way");
            let range = g.edge_range(e);
            for k in range.start..range.end - 1 {
                let (a, b) = (g.vertex_osm[g.edge_vertex[k] as usize], g.vertex_osm[g.edge_vertex[k + 1] as usize]);
                let (na, nb) = (&x.nodes[x.node_index(a).expect("node")], &x.nodes[x.node_index(b).expect("node")]);
                let m = haversine_m(na.lat, na.lon, nb.lat, nb.lon);
                let dm = (m * 10.0).round() as u32;
                *r.degree.entry(a).or_default() += 1;
                *r.degree.entry(b).or_default() += 1;
                for (backward, dir, from, to) in [(false, rule.forward, a, b), (true, rule.backward, b, a)] {
                    if dir.is_none() {
                        continue;
                    }
                    let c = seg_cost(m, dir);
                    let id = r.segs.len();
                    r.segs.push(Seg {
                        from,
                        to,
                        undirected: k as u32,
                        way,
                        weight_ds: c.weight_ds,
                        duration_ds: c.duration_ds,
                        dm,
                    });
                    r.leaving.entry(from).or_default().push(id);
                    r.by_pos.insert((k as u32, backward), id);
                }
            }
        }
        r
    }

    fn coord(&self, id: i64) -> (f64, f64) {
        let n = &self.x.nodes[self.x.node_index(id).expect("node")];
        (n.lat, n.lon)
    }

    fn way_flags(&self, way: i64) -> (bool, bool) {
        let w = &self.x.ways[self.x.ways.binary_search_by_key(&way, |w| w.id).expect("way")];
        let r = w.rules[self.profile.index()].expect("profile way");
        (r.restricted, r.roundabout)
    }

    /// Cost of turning from segment `s1` into `s2` at their shared node; `None` if forbidden.
    fn turn(&self, s1: usize, s2: usize) -> Option<Cost> {
        let (a, b) = (&self.segs[s1], &self.segs[s2]);
        let v = a.to;
        let node = self.x.nodes[self.x.node_index(v).expect("node")].rules[self.profile.index()];
        let roads = self.degree[&v];
        let u_turn = a.undirected == b.undirected && a.from == b.to;
        if !allowed_turn(node, roads, u_turn) {
            return None;
        }
        let rs = self.restrictions.get(&v).map(Vec::as_slice).unwrap_or(&[]);
        if rs.iter().any(|r| r.only && r.from_way == a.way && r.to_way != b.way)
            || rs.iter().any(|r| !r.only && r.from_way == a.way && r.to_way == b.way)
        {
            return None;
        }
        let (p0, p1, p2) = (self.coord(a.from), self.coord(v), self.coord(b.to));
        let angle = relative_angle(bearing_deg(p0.0, p0.1, p1.0, p1.1), bearing_deg(p1.0, p1.1, p2.0, p2.1));
        let (ra, rounda) = self.way_flags(a.way);
        let (rb, roundb) = self.way_flags(b.way);
        let t = Turn { angle_deg: angle, roads, u_turn, node, roundabout: rounda || roundb };
        let d = turn_duration_ds(self.profile, &t) as u64;
        let w = d + if !ra && rb { RESTRICTED_ENTRY_DS as u64 } else { 0 };
        Some(Cost { weight_ds: w, dm: 0, duration_ds: d })
    }

    fn full(&self, s: usize) -> Cost {
        let x = &self.segs[s];
        Cost { weight_ds: x.weight_ds as u64, dm: x.dm as u64, duration_ds: x.duration_ds as u64 }
    }

    /// Share of segment `s` between its start and a point at `frac` along the edge's order.
    fn head_part(&self, s: usize, backward: bool, frac: f64) -> Cost {
        let x = &self.segs[s];
        let share = if backward { 1.0 - frac } else { frac };
        Cost {
            weight_ds: partial(x.weight_ds, share),
            dm: partial(x.dm, share),
            duration_ds: partial(x.duration_ds, share),
        }
    }

    /// Cheapest route from `from` to `to` (both snapped on the fast graph), by (weight, length).
    pub fn route(&self, from: &Snap, to: &Snap) -> Option<Cost> {
        let mut best: Option<Cost> = None;
        let consider = |best: &mut Option<Cost>, c: Cost| *best = Some(best.map_or(c, |b: Cost| b.min(c)));
        let mut dist: HashMap<usize, Cost> = HashMap::new();
        let mut queue: BTreeSet<(Cost, usize)> = BTreeSet::new();
        let push = |dist: &mut HashMap<usize, Cost>, queue: &mut BTreeSet<(Cost, usize)>, s: usize, c: Cost| {
            if dist.get(&s).is_none_or(|&old| c < old) {
                dist.insert(s, c);
                queue.insert((c, s));
            }
        };
        for backward in [false, true] {
            let Some(&s) = self.by_pos.get(&(from.pos, backward)) else { continue };
            // The rest of the first segment, from the point to the segment's end.
            let whole = self.full(s);
            let head = self.head_part(s, backward, from.frac);
            let rest = Cost {
                weight_ds: whole.weight_ds - head.weight_ds,
                dm: whole.dm - head.dm,
                duration_ds: whole.duration_ds - head.duration_ds,
            };
            // Same segment, destination ahead.
            if to.pos == from.pos && (if backward { to.frac <= from.frac } else { to.frac >= from.frac }) {
                let h2 = self.head_part(s, backward, to.frac);
                consider(
                    &mut best,
                    Cost {
                        weight_ds: h2.weight_ds.saturating_sub(head.weight_ds),
                        dm: h2.dm.saturating_sub(head.dm),
                        duration_ds: h2.duration_ds.saturating_sub(head.duration_ds),
                    },
                );
            }
            push(&mut dist, &mut queue, s, rest);
        }
        let targets: Vec<(usize, bool)> =
            [false, true].iter().filter_map(|&b| self.by_pos.get(&(to.pos, b)).map(|&s| (s, b))).collect();
        while let Some((c, s)) = queue.pop_first() {
            if dist.get(&s) != Some(&c) {
                continue;
            }
            // Arriving adds non-negative costs to a settled label: nothing later can beat `best`.
            if best.is_some_and(|b| c > b) {
                break;
            }
            for &n in self.leaving.get(&self.segs[s].to).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(t) = self.turn(s, n) else { continue };
                let at_turn = add(c, t);
                for &(ts, backward) in &targets {
                    if ts == n {
                        consider(&mut best, add(at_turn, self.head_part(n, backward, to.frac)));
                    }
                }
                push(&mut dist, &mut queue, n, add(at_turn, self.full(n)));
            }
        }
        best
    }
}

fn add(a: Cost, b: Cost) -> Cost {
    Cost { weight_ds: a.weight_ds + b.weight_ds, dm: a.dm + b.dm, duration_ds: a.duration_ds + b.duration_ds }
}

/// Unused-arc check helper for tests: every edge has at least one arc.
pub fn every_edge_has_an_arc(g: &Graph) -> bool {
    g.edge_arc.iter().all(|a| a[0] != NONE || a[1] != NONE)
}

// ---------------------------------------------------------------------------------------------
// Independent profile expectations.
//
// `RawGraph` costs segments with `profile.rs`'s rules (through the extract), so a wrong speed or
// access rule would show on both sides of the comparison. The table below is written separately,
// from OSRM 26.10's profile files as shipped in PyPI `osrm-bindings` 26.10.0
// (`osrm/share/profiles/{car,bicycle,foot}.lua`) and `pipeline/road/README.md`, and is checked
// against the rules of real ways. It covers the rules that decide access, direction and speed on
// ways whose tags hold nothing else that changes them (no access, surface, lane or directional
// speed tags): those are skipped, and the count of compared ways is asserted by the caller.

/// Keys that change access, direction or speed beyond the table below: ways tagged with any of
/// them are left to the unit tests of `profile.rs`.
const SKIPPED_KEYS: &[&str] = &[
    "access",
    "motorcar",
    "motor_vehicle",
    "vehicle",
    "bicycle",
    "foot",
    "area",
    "impassable",
    "status",
    "motorroad",
    "surface",
    "tracktype",
    "smoothness",
    "maxspeed:advisory",
    "maxspeed:forward",
    "maxspeed:backward",
    "source:maxspeed",
    "maxspeed:type",
    "oneway:bicycle",
    "oneway:foot",
    "oneway:motorcar",
    "oneway:motor_vehicle",
    "oneway:vehicle",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "cycleway:both",
    "service",
];

/// car.lua `speeds.highway` (km/h).
fn osrm_car_kmh(highway: &str) -> Option<f64> {
    let table: &[(&str, f64)] = &[
        ("motorway", 90.0),
        ("motorway_link", 45.0),
        ("trunk", 85.0),
        ("trunk_link", 40.0),
        ("primary", 65.0),
        ("primary_link", 30.0),
        ("secondary", 55.0),
        ("secondary_link", 25.0),
        ("tertiary", 40.0),
        ("tertiary_link", 20.0),
        ("unclassified", 25.0),
        ("residential", 25.0),
        ("living_street", 10.0),
        ("service", 15.0),
    ];
    table.iter().find(|(h, _)| *h == highway).map(|(_, s)| *s)
}

/// bicycle.lua `bicycle_speeds` (ridden) and `pedestrian_speeds` (pushed), km/h. Motorways and
/// trunks are in neither table: no access.
fn osrm_bike_kmh(highway: &str) -> Option<f64> {
    match highway {
        "cycleway" | "primary" | "primary_link" | "secondary" | "secondary_link" | "tertiary" | "tertiary_link"
        | "residential" | "unclassified" | "living_street" | "service" => Some(15.0),
        "track" => Some(12.0),
        "path" => Some(13.0),
        "footway" | "pedestrian" => Some(4.0),
        "steps" => Some(2.0),
        _ => None,
    }
}

/// foot.lua `speeds.highway` (all 5 km/h), `platform` included. Cycleways and bridleways need
/// `foot=yes`. (Its `railway`, `amenity` and `man_made` speeds apply to ways without a highway
/// tag, which this table does not decide.)
fn osrm_foot_walkable(highway: &str) -> bool {
    matches!(
        highway,
        "primary"
            | "primary_link"
            | "secondary"
            | "secondary_link"
            | "tertiary"
            | "tertiary_link"
            | "unclassified"
            | "residential"
            | "living_street"
            | "service"
            | "track"
            | "path"
            | "steps"
            | "pedestrian"
            | "footway"
            | "pier"
            | "platform"
    )
}

/// What a profile may do on a way according to the independent table: `None` when the way's
/// tags are outside what the table decides; `Some(None)` for no access; otherwise the speed
/// (km/h) along and against the way, `None` for a closed direction.
#[allow(clippy::type_complexity)]
pub fn independent_rule(profile: Profile, tags: &[(&str, &str)]) -> Option<Option<(Option<f64>, Option<f64>)>> {
    let get = |k: &str| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v).filter(|v| !v.is_empty());
    let highway = get("highway")?;
    if tags.iter().any(|(k, _)| SKIPPED_KEYS.contains(k)) {
        return None;
    }
    // `platform`: walked only (absent from the car and bicycle tables below).
    if matches!(highway, "construction" | "proposed" | "abandoned" | "bus_guideway" | "raceway") {
        return Some(None);
    }
    let roundabout = matches!(get("junction"), Some("roundabout" | "circular"));
    let implied_oneway = highway == "motorway" || roundabout;
    let (fwd, bwd) = match get("oneway") {
        Some("yes" | "1" | "true") => (true, false),
        Some("-1") => (false, true),
        Some("no" | "0" | "false") => (true, true),
        // `reversible`, `alternating` and odd values: left to the unit tests.
        Some(_) => return None,
        None => (true, !implied_oneway),
    };
    let dirs = |speed: f64, against: Option<f64>| {
        Some(Some((if fwd { Some(speed) } else { against }, if bwd { Some(speed) } else { against })))
    };
    match profile {
        Profile::Car => {
            let Some(base) = osrm_car_kmh(highway) else { return Some(None) };
            // car.lua: a tagged limit replaces the class speed, times `speed_reduction = 0.8`.
            let speed = match get("maxspeed") {
                None => base,
                Some(m) => match m.trim().parse::<f64>() {
                    Ok(v) if v > 0.0 => v * 0.8,
                    _ => return None,
                },
            };
            dirs(speed, None)
        }
        Profile::Bike => {
            let Some(speed) = osrm_bike_kmh(highway) else { return Some(None) };
            // Against a one-way street the bicycle is pushed at walking speed (4 km/h), except
            // on roundabouts.
            dirs(speed, (!implied_oneway).then_some(4.0))
        }
        Profile::Foot => {
            if !osrm_foot_walkable(highway) {
                return Some(None);
            }
            // foot.lua: `oneway_handling = 'specific'`: only `oneway:foot` counts.
            Some(Some((Some(5.0), Some(5.0))))
        }
    }
}

/// Checks every way of `tags` that the independent table decides against `profile.rs`, and the
/// rules the extract holds for it against `profile.rs` (what `osm.rs` kept); returns how many
/// (way, profile) pairs were compared with the table.
pub fn check_rules_independently(x: &OsmExtract, tags: &[(i64, Vec<(String, String)>)]) -> usize {
    let round = |s: f64| (s * 1e6).round() / 1e6;
    let mut compared = 0;
    for (id, t) in tags {
        let pairs: Vec<(&str, &str)> = t.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let rules = Profile::ALL.map(|p| way_rule(p, &Tags::new(pairs.iter().copied())));
        if let Ok(i) = x.ways.binary_search_by_key(id, |w| w.id) {
            assert_eq!(x.ways[i].rules, rules, "way {id}: the extract's rules are profile.rs's");
        }
        for p in Profile::ALL {
            let Some(want) = independent_rule(p, &pairs) else { continue };
            let got = rules[p.index()]
                .map(|r| (r.forward.map(|d| round(d.speed_kmh)), r.backward.map(|d| round(d.speed_kmh))));
            let want = want.map(|(f, b)| (f.map(round), b.map(round)));
            assert_eq!(got, want, "way {id} {p:?} {pairs:?}: profile.rs (left) vs the independent table (right)");
            compared += 1;
        }
    }
    compared
}

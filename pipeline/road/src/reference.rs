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
use crate::profile::{Profile, Turn, turn_duration_ds};
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

//! The routing graph of one profile, built from an [`OsmExtract`].
//!
//! - **Edges** are chains of OSM segments between junctions (degree-2 nodes compressed away),
//!   with their geometry for snapping and per-segment costs for partial traversal.
//! - **Arcs** are edges in one direction of travel; they are the nodes of the *edge-based* graph.
//! - **Turns** connect an arc arriving at a junction to an arc leaving it, with the profile's turn
//!   cost (angle, signals, u-turn at dead ends) and turn restrictions applied. Stored twice as
//!   CSR arrays: by source arc (forward searches) and by target arc (reverse searches).
//!
//! Costs are integers: weight and duration in deciseconds, distance in decimetres. Only the
//! largest strongly connected component of the junction graph is kept, so that every kept arc can
//! reach every other (up to turn restrictions).

use crate::osm::OsmExtract;
use crate::profile::{NodeRule, Profile, Turn, turn_duration_ds};

/// "No arc" marker.
pub const NONE: u32 = u32::MAX;

/// Weight added when entering a destination-only road from a public one (OSRM's restricted
/// turn): such roads are used to start or end a trip, not as shortcuts.
pub const RESTRICTED_ENTRY_DS: u32 = 36_000;

/// Cost of one segment in one direction. `weight_ds == NONE` when the direction is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegCost {
    /// What the search minimises (duration divided by the road's preference).
    pub weight_ds: u32,
    /// Travel time.
    pub duration_ds: u32,
}

/// A profile's routing graph. See the module documentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    /// The profile.
    pub profile: Option<Profile>,
    /// Vertex latitudes (degrees): every OSM node the kept edges pass through.
    pub lat: Vec<f64>,
    /// Vertex longitudes.
    pub lon: Vec<f64>,
    /// OSM node id of each vertex.
    pub vertex_osm: Vec<i64>,
    /// Edge `e` has vertices `edge_vertex[edge_first[e]..edge_first[e + 1]]`.
    pub edge_first: Vec<u32>,
    /// Vertex indices of all edges, concatenated.
    pub edge_vertex: Vec<u32>,
    /// Per vertex position: length (dm) of the segment starting there (0 at an edge's last vertex).
    pub seg_dm: Vec<u32>,
    /// Per vertex position: cost of the segment starting there, along the edge.
    pub seg_fwd: Vec<SegCost>,
    /// Per vertex position: cost of the segment starting there, against the edge.
    pub seg_bwd: Vec<SegCost>,
    /// Per vertex position: delay (ds) for passing the vertex inside the edge (signals…).
    pub vertex_delay_ds: Vec<u32>,
    /// Forward and backward arc of each edge ([`NONE`] when closed).
    pub edge_arc: Vec<[u32; 2]>,
    /// OSM way of each edge (turn restrictions name ways).
    pub edge_way: Vec<i64>,
    /// Edge of each arc.
    pub arc_edge: Vec<u32>,
    /// Whether the arc runs against its edge's vertex order.
    pub arc_backward: Vec<bool>,
    /// Whole-arc cost.
    pub arc_weight_ds: Vec<u32>,
    /// Whole-arc duration.
    pub arc_duration_ds: Vec<u32>,
    /// Whole-arc length.
    pub arc_dm: Vec<u32>,
    /// Turns leaving arc `a`: `out_first[a]..out_first[a + 1]`.
    pub out_first: Vec<u32>,
    /// Target arc of each outgoing turn.
    pub out_to: Vec<u32>,
    /// Turn weight.
    pub out_weight_ds: Vec<u32>,
    /// Turn duration.
    pub out_duration_ds: Vec<u32>,
    /// Turns entering arc `a`: `in_first[a]..in_first[a + 1]`.
    pub in_first: Vec<u32>,
    /// Source arc of each incoming turn.
    pub in_from: Vec<u32>,
    /// Turn weight (same turns as `out_*`, grouped by target).
    pub in_weight_ds: Vec<u32>,
    /// Turn duration.
    pub in_duration_ds: Vec<u32>,
}

/// Counts from a build, for logs and the artifact's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// OSM ways the profile may use.
    pub ways: usize,
    /// Junctions before component filtering.
    pub junctions: usize,
    /// Junctions dropped outside the largest strongly connected component.
    pub junctions_dropped: usize,
    /// Kept edges, arcs and turns.
    pub edges: usize,
    /// Arcs (edge-based nodes).
    pub arcs: usize,
    /// Turns (edge-based edges).
    pub turns: usize,
    /// Turns removed by restrictions.
    pub turns_restricted: usize,
    /// Shortcuts added by the contraction hierarchy (0 until it is built).
    pub shortcuts: usize,
}

impl Graph {
    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edge_arc.len()
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.arc_edge.len()
    }

    /// Vertex positions of edge `e`.
    pub fn edge_range(&self, e: u32) -> std::ops::Range<usize> {
        self.edge_first[e as usize] as usize..self.edge_first[e as usize + 1] as usize
    }
}

struct Chain {
    way: usize,
    /// Extract node indices.
    nodes: Vec<u32>,
}

/// Builds the graph of `profile` from an extract.
pub fn build(x: &OsmExtract, profile: Profile) -> (Graph, BuildStats) {
    let p = profile.index();
    let mut stats = BuildStats::default();
    let ways: Vec<usize> = (0..x.ways.len()).filter(|&i| x.ways[i].rules[p].is_some()).collect();
    stats.ways = ways.len();

    // Junctions: nodes shared by ways or used twice, way ends, barriers and restriction vias.
    let mut uses = vec![0u8; x.nodes.len()];
    let mut junction = vec![false; x.nodes.len()];
    let index = |id: i64| x.node_index(id).expect("ways reference known nodes") as u32;
    for &w in &ways {
        let refs = &x.ways[w].refs;
        for &r in refs {
            let i = index(r) as usize;
            uses[i] = uses[i].saturating_add(1);
        }
        junction[index(refs[0]) as usize] = true;
        junction[index(*refs.last().expect("ways have nodes")) as usize] = true;
    }
    for (i, n) in x.nodes.iter().enumerate() {
        if uses[i] >= 2 || n.rules[p].blocked {
            junction[i] = true;
        }
    }
    for r in x.restrictions.iter().filter(|r| r.profiles & (1 << p) != 0) {
        if let Some(i) = x.node_index(r.via_node) {
            junction[i] = true;
        }
    }

    // Chains between junctions.
    let mut chains: Vec<Chain> = Vec::new();
    for &w in &ways {
        let refs = &x.ways[w].refs;
        let mut cur = vec![index(refs[0])];
        for &r in &refs[1..] {
            let i = index(r);
            cur.push(i);
            if junction[i as usize] {
                chains.push(Chain { way: w, nodes: std::mem::replace(&mut cur, vec![i]) });
            }
        }
    }

    // Junction ids and the largest strongly connected component.
    let mut jid = vec![NONE; x.nodes.len()];
    let mut jnodes: Vec<u32> = Vec::new();
    for c in &chains {
        for &n in [c.nodes[0], *c.nodes.last().expect("chains have two nodes")].iter() {
            if jid[n as usize] == NONE {
                jid[n as usize] = jnodes.len() as u32;
                jnodes.push(n);
            }
        }
    }
    stats.junctions = jnodes.len();
    let rule = |c: &Chain| x.ways[c.way].rules[p].expect("profile ways only");
    let mut links: Vec<(u32, u32)> = Vec::new();
    for c in &chains {
        let (a, b) = (jid[c.nodes[0] as usize], jid[*c.nodes.last().expect("two nodes") as usize]);
        let r = rule(c);
        if r.forward.is_some() {
            links.push((a, b));
        }
        if r.backward.is_some() {
            links.push((b, a));
        }
    }
    let keep = largest_scc(&Adjacency::new(jnodes.len(), &links));
    drop(links);
    stats.junctions_dropped = keep.iter().filter(|k| !**k).count();
    let chains: Vec<Chain> = chains
        .into_iter()
        .filter(|c| {
            keep[jid[c.nodes[0] as usize] as usize] && keep[jid[*c.nodes.last().expect("two nodes") as usize] as usize]
        })
        .collect();

    // Vertices and edges.
    let mut g = Graph { profile: Some(profile), ..Graph::default() };
    let mut vid = vec![NONE; x.nodes.len()];
    let through = |n: u32| -> u32 {
        let rule = x.nodes[n as usize].rules[p];
        pass_through_ds(profile, rule)
    };
    g.edge_first.push(0);
    for c in &chains {
        let r = rule(c);
        let e = g.edge_arc.len() as u32;
        let last = c.nodes.len() - 1;
        for (k, &n) in c.nodes.iter().enumerate() {
            if vid[n as usize] == NONE {
                vid[n as usize] = g.lat.len() as u32;
                g.lat.push(x.nodes[n as usize].lat);
                g.lon.push(x.nodes[n as usize].lon);
                g.vertex_osm.push(x.node_ids[n as usize]);
            }
            g.edge_vertex.push(vid[n as usize]);
            g.vertex_delay_ds.push(if k == 0 || k == last { 0 } else { through(n) });
            if k == last {
                g.seg_dm.push(0);
                g.seg_fwd.push(SegCost::default());
                g.seg_bwd.push(SegCost::default());
            } else {
                let next = &x.nodes[c.nodes[k + 1] as usize];
                let here = &x.nodes[n as usize];
                let m = haversine_m(here.lat, here.lon, next.lat, next.lon);
                g.seg_dm.push((m * 10.0).round() as u32);
                g.seg_fwd.push(seg_cost(m, r.forward));
                g.seg_bwd.push(seg_cost(m, r.backward));
            }
        }
        g.edge_first.push(g.edge_vertex.len() as u32);
        g.edge_way.push(x.ways[c.way].id);
        let mut arcs = [NONE; 2];
        for (d, dir) in [r.forward, r.backward].into_iter().enumerate() {
            if dir.is_some() {
                arcs[d] = g.arc_edge.len() as u32;
                g.arc_edge.push(e);
                g.arc_backward.push(d == 1);
            }
        }
        g.edge_arc.push(arcs);
    }
    for a in 0..g.arc_count() {
        let (w, dur, dm) = arc_totals(&g, a as u32);
        g.arc_weight_ds.push(w);
        g.arc_duration_ds.push(dur);
        g.arc_dm.push(dm);
    }
    stats.edges = g.edge_count();
    stats.arcs = g.arc_count();

    // Turns, junction by junction.
    let arc_tail = |a: usize| -> u32 {
        let r = g.edge_range(g.arc_edge[a]);
        let v = if g.arc_backward[a] { r.end - 1 } else { r.start };
        g.edge_vertex[v]
    };
    let arc_head = |a: usize| -> u32 {
        let r = g.edge_range(g.arc_edge[a]);
        let v = if g.arc_backward[a] { r.start } else { r.end - 1 };
        g.edge_vertex[v]
    };
    let nv = g.lat.len();
    let arriving = Adjacency::new(nv, &(0..g.arc_count()).map(|a| (arc_head(a), a as u32)).collect::<Vec<_>>());
    let leaving = Adjacency::new(nv, &(0..g.arc_count()).map(|a| (arc_tail(a), a as u32)).collect::<Vec<_>>());
    let mut roads = vec![0usize; nv];
    for e in 0..g.edge_count() as u32 {
        let r = g.edge_range(e);
        roads[g.edge_vertex[r.start] as usize] += 1;
        roads[g.edge_vertex[r.end - 1] as usize] += 1;
    }
    let mut node_rule_of = vec![NodeRule::default(); nv];
    for (n, &v) in vid.iter().enumerate() {
        if v != NONE {
            node_rule_of[v as usize] = x.nodes[n].rules[p];
        }
    }
    let mut restrictions: Vec<_> = x.restrictions.iter().filter(|r| r.profiles & (1 << p) != 0).copied().collect();
    restrictions.sort_unstable_by_key(|r| r.via_node);
    // Destination-only and roundabout flags of each edge's way, for turn costs.
    let flags: Vec<(bool, bool)> = chains
        .iter()
        .map(|c| {
            let r = rule(c);
            (r.restricted, r.roundabout)
        })
        .collect();
    let edge_flags = |a: u32| flags[g.arc_edge[a as usize] as usize];
    let mut turns: Vec<(u32, u32, u32, u32)> = Vec::new();
    for v in 0..nv {
        if arriving.of(v).is_empty() || leaving.of(v).is_empty() {
            continue;
        }
        let node = node_rule_of[v];
        let via = g.vertex_osm[v];
        let lo = restrictions.partition_point(|r| r.via_node < via);
        let hi = restrictions.partition_point(|r| r.via_node <= via);
        let here = &restrictions[lo..hi];
        for &a in arriving.of(v) {
            let from_way = g.edge_way[g.arc_edge[a as usize] as usize];
            let only = here.iter().find(|r| r.only && r.from_way == from_way).map(|r| r.to_way);
            for &b in leaving.of(v) {
                let u_turn = g.arc_edge[a as usize] == g.arc_edge[b as usize] && a != b;
                if !allowed_turn(node, roads[v], u_turn) {
                    continue;
                }
                let to_way = g.edge_way[g.arc_edge[b as usize] as usize];
                let banned = only.is_some_and(|t| t != to_way)
                    || here.iter().any(|r| !r.only && r.from_way == from_way && r.to_way == to_way);
                if banned {
                    stats.turns_restricted += 1;
                    continue;
                }
                let angle = turn_angle(&g, a, b);
                let ((ra, rounda), (rb, roundb)) = (edge_flags(a), edge_flags(b));
                let roundabout = rounda || roundb;
                let t = Turn { angle_deg: angle, roads: roads[v], u_turn, node, roundabout };
                let dur = turn_duration_ds(profile, &t);
                let entering_restricted = !ra && rb;
                let w = dur + if entering_restricted { RESTRICTED_ENTRY_DS } else { 0 };
                turns.push((a, b, w, dur));
            }
        }
    }
    stats.turns = turns.len();
    // The per-vertex tables are done with: release them before the turn arrays are sorted.
    drop((arriving, leaving, node_rule_of, roads, flags, restrictions, chains, vid));
    turns.sort_unstable();
    let (first, to, w, d) = csr(g.arc_count(), turns.iter().map(|&(a, b, w, d)| (a, b, w, d)));
    (g.out_first, g.out_to, g.out_weight_ds, g.out_duration_ds) = (first, to, w, d);
    turns.sort_unstable_by_key(|&(a, b, _, _)| (b, a));
    let (first, from, w, d) = csr(g.arc_count(), turns.iter().map(|&(a, b, w, d)| (b, a, w, d)));
    (g.in_first, g.in_from, g.in_weight_ds, g.in_duration_ds) = (first, from, w, d);
    (g, stats)
}

/// Which turns exist at a junction: none through an impassable barrier but turning back; a
/// u-turn only at dead ends and barriers (as OSRM).
pub fn allowed_turn(node: NodeRule, roads: usize, u_turn: bool) -> bool {
    if node.blocked { u_turn } else { !u_turn || roads <= 1 }
}

/// Delay (ds) for passing a node in the middle of a road: the turn cost of going straight
/// through a two-road junction.
pub fn pass_through_ds(profile: Profile, node: NodeRule) -> u32 {
    turn_duration_ds(profile, &Turn { angle_deg: 0.0, roads: 2, u_turn: false, node, roundabout: false })
}

/// Cost of a segment of `m` metres under a direction rule.
pub fn seg_cost(m: f64, dir: Option<crate::profile::DirectionRule>) -> SegCost {
    match dir {
        None => SegCost { weight_ds: NONE, duration_ds: NONE },
        Some(d) => {
            let s = m / (d.speed_kmh / 3.6);
            SegCost { weight_ds: (s / d.preference * 10.0).round() as u32, duration_ds: (s * 10.0).round() as u32 }
        }
    }
}

fn csr(n: usize, items: impl Iterator<Item = (u32, u32, u32, u32)>) -> (Vec<u32>, Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut first = vec![0u32; n + 1];
    let (mut to, mut w, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for (a, b, wt, du) in items {
        first[a as usize + 1] += 1;
        to.push(b);
        w.push(wt);
        d.push(du);
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    (first, to, w, d)
}

/// Whole-arc weight, duration and length: its segments plus the delays of the vertices inside.
fn arc_totals(g: &Graph, a: u32) -> (u32, u32, u32) {
    let r = g.edge_range(g.arc_edge[a as usize]);
    let backward = g.arc_backward[a as usize];
    let (mut w, mut d, mut dm) = (0u32, 0u32, 0u32);
    for k in r.start..r.end - 1 {
        let c = if backward { g.seg_bwd[k] } else { g.seg_fwd[k] };
        w += c.weight_ds;
        d += c.duration_ds;
        dm += g.seg_dm[k];
    }
    for k in r.start + 1..r.end - 1 {
        w += g.vertex_delay_ds[k];
        d += g.vertex_delay_ds[k];
    }
    (w, d, dm)
}

/// Angle (degrees, positive = right) between the last segment of `a` and the first of `b`.
fn turn_angle(g: &Graph, a: u32, b: u32) -> f64 {
    let ends = |arc: u32, at_head: bool| -> (u32, u32) {
        let r = g.edge_range(g.arc_edge[arc as usize]);
        let backward = g.arc_backward[arc as usize];
        // Vertex pair (from, to) of the arc's last (at_head) or first segment, in travel order.
        match (backward, at_head) {
            (false, true) => (g.edge_vertex[r.end - 2], g.edge_vertex[r.end - 1]),
            (false, false) => (g.edge_vertex[r.start], g.edge_vertex[r.start + 1]),
            (true, true) => (g.edge_vertex[r.start + 1], g.edge_vertex[r.start]),
            (true, false) => (g.edge_vertex[r.end - 1], g.edge_vertex[r.end - 2]),
        }
    };
    let (a0, a1) = ends(a, true);
    let (b0, b1) = ends(b, false);
    let bin = bearing_deg(g.lat[a0 as usize], g.lon[a0 as usize], g.lat[a1 as usize], g.lon[a1 as usize]);
    let bout = bearing_deg(g.lat[b0 as usize], g.lon[b0 as usize], g.lat[b1 as usize], g.lon[b1 as usize]);
    relative_angle(bin, bout)
}

/// Turn angle from an incoming to an outgoing bearing, in (−180, 180], positive = right.
pub fn relative_angle(bearing_in: f64, bearing_out: f64) -> f64 {
    let mut d = bearing_out - bearing_in;
    while d > 180.0 {
        d -= 360.0;
    }
    while d <= -180.0 {
        d += 360.0;
    }
    d
}

/// Initial bearing from one point to another, degrees clockwise from north.
pub fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    y.atan2(x).to_degrees()
}

/// Great-circle distance in metres: geo's haversine on the mean Earth radius (6,371,008.8 m), the
/// one formula every navette crate uses.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2))
}

/// Lists of values by key in one flat array (CSR), each list in the order given: no vector per
/// key, so memory follows the number of items, not of keys.
struct Adjacency {
    first: Vec<u32>,
    items: Vec<u32>,
}

impl Adjacency {
    /// Groups `(key, value)` pairs by key (`key < n`), stably.
    fn new(n: usize, pairs: &[(u32, u32)]) -> Adjacency {
        let mut first = vec![0u32; n + 1];
        for &(k, _) in pairs {
            first[k as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut next = first.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(k, v) in pairs {
            items[next[k as usize] as usize] = v;
            next[k as usize] += 1;
        }
        Adjacency { first, items }
    }

    fn len(&self) -> usize {
        self.first.len() - 1
    }

    fn of(&self, k: usize) -> &[u32] {
        &self.items[self.first[k] as usize..self.first[k + 1] as usize]
    }
}

/// Marks the junctions of the largest strongly connected component (iterative Kosaraju).
fn largest_scc(succ: &Adjacency) -> Vec<bool> {
    let n = succ.len();
    let pred = {
        let mut pairs = Vec::with_capacity(succ.items.len());
        for a in 0..n {
            for &b in succ.of(a) {
                pairs.push((b, a as u32));
            }
        }
        Adjacency::new(n, &pairs)
    };
    largest_scc_of(n, |v| succ.of(v), |v| pred.of(v))
}

/// The edges that have an arc in the largest strongly connected component of the turn graph
/// (arcs as nodes, allowed turns as links). From a point on such an edge every other one can be
/// reached and back, turn restrictions and barriers included. The junction-level component that
/// [`build`] keeps ignores turns: a driveway behind a bollard, or a street whose only exits are
/// banned turns, stays in the graph but leads nowhere. Snapping skips such edges, as OSRM
/// prefers its big components to the tiny ones.
pub fn routable_edges(g: &Graph) -> Vec<bool> {
    let n = g.arc_count();
    if g.out_first.len() != n + 1 || g.in_first.len() != n + 1 {
        return vec![true; g.edge_count()];
    }
    let keep = largest_scc_of(
        n,
        |a| &g.out_to[g.out_first[a] as usize..g.out_first[a + 1] as usize],
        |a| &g.in_from[g.in_first[a] as usize..g.in_first[a + 1] as usize],
    );
    g.edge_arc.iter().map(|arcs| arcs.iter().any(|&a| a != NONE && keep[a as usize])).collect()
}

/// [`routable_edges`] read from the graph's contraction hierarchy, which answers reachability
/// with two linear sweeps (PHAST without costs) instead of two depth-first searches jumping
/// through the turn lists (a country's load spent seconds there): the arcs that the top arc of
/// the hierarchy reaches and that reach it form its component; when that holds more than half of
/// the arcs it is the largest (the only one that large), the same edges as [`routable_edges`].
/// Otherwise, or on a hierarchy of another size, [`routable_edges`] itself.
pub fn routable_edges_in(g: &Graph, h: &crate::hierarchy::Hierarchy) -> Vec<bool> {
    let n = g.arc_count();
    if n == 0 || h.len() != n {
        return routable_edges(g);
    }
    // Position 0 is the top: no edge leads higher, so the sweeps alone give its reach (every
    // path of the graph has an up-down path in the hierarchy, and from the top it is all down).
    fn sweep<'a>(n: usize, edges_of: impl Fn(usize) -> &'a [crate::hierarchy::ChEdge]) -> Vec<bool> {
        let mut reached = vec![false; n];
        reached[0] = true;
        for p in 1..n {
            reached[p] = edges_of(p).iter().any(|e| reached[e.node as usize]);
        }
        reached
    }
    // Reached from the top: along downward edges into each position; reaching the top: along
    // upward edges out of it.
    let from_top = sweep(n, |p| h.down_of(p));
    let to_top = sweep(n, |p| h.up_of(p));
    let size = from_top.iter().zip(&to_top).filter(|(a, b)| **a && **b).count();
    if 2 * size <= n {
        return routable_edges(g);
    }
    let keep = |a: u32| {
        let p = h.pos[a as usize] as usize;
        from_top[p] && to_top[p]
    };
    g.edge_arc.iter().map(|arcs| arcs.iter().any(|&a| a != NONE && keep(a))).collect()
}

/// Largest strongly connected component of a graph given by successor and predecessor lists.
fn largest_scc_of<'a>(n: usize, succ: impl Fn(usize) -> &'a [u32], pred: impl Fn(usize) -> &'a [u32]) -> Vec<bool> {
    // Pass 1: finishing order on the forward graph.
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut stack = vec![(root as u32, 0usize)];
        while let Some((v, i)) = stack.last_mut() {
            if let Some(&w) = succ(*v as usize).get(*i) {
                *i += 1;
                if !seen[w as usize] {
                    seen[w as usize] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(*v);
                stack.pop();
            }
        }
    }
    // Pass 2: components on the reverse graph, in reverse finishing order.
    let mut comp = vec![NONE; n];
    let mut sizes: Vec<usize> = Vec::new();
    for &root in order.iter().rev() {
        if comp[root as usize] != NONE {
            continue;
        }
        let c = sizes.len() as u32;
        let mut size = 0;
        let mut stack = vec![root];
        comp[root as usize] = c;
        while let Some(v) = stack.pop() {
            size += 1;
            for &w in pred(v as usize) {
                if comp[w as usize] == NONE {
                    comp[w as usize] = c;
                    stack.push(w);
                }
            }
        }
        sizes.push(size);
    }
    let best = sizes.iter().enumerate().max_by_key(|&(i, s)| (*s, std::cmp::Reverse(i))).map(|(i, _)| i as u32);
    comp.iter().map(|&c| Some(c) == best).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles_and_bearings() {
        assert!((bearing_deg(50.0, 4.0, 50.1, 4.0) - 0.0).abs() < 1e-9);
        assert!((bearing_deg(50.0, 4.0, 50.0, 4.1) - 90.0).abs() < 0.1);
        assert_eq!(relative_angle(0.0, 90.0), 90.0, "north then east is a right turn");
        assert_eq!(relative_angle(0.0, -90.0), -90.0);
        assert_eq!(relative_angle(170.0, -170.0), 20.0);
        assert_eq!(relative_angle(0.0, 180.0), 180.0);
        // 0.1° of latitude = 11,119.5 m on the mean sphere.
        assert!((haversine_m(50.0, 4.0, 50.1, 4.0) - 11_119.5).abs() < 0.5);
    }

    #[test]
    fn scc_keeps_the_largest_component() {
        // 0 ⇄ 1 ⇄ 2 is strongly connected; 3 only reachable from 2; 4 ⇄ 5 separate.
        let succ = Adjacency::new(6, &[(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (4, 5), (5, 4)]);
        assert_eq!(succ.of(1), &[0, 2]);
        assert_eq!(largest_scc(&succ), vec![true, true, true, false, false, false]);
    }
}

//! Snapping points to the nearest routable road segment (not the nearest node, as OSRM), among
//! the edges from which the rest of the network is reachable and back
//! ([`crate::graph::routable_edges`]).

use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use crate::graph::{Graph, haversine_m, routable_edges};

/// Metres per degree of latitude on the mean sphere.
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// Where a point meets the road network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// Edge snapped to.
    pub edge: u32,
    /// Vertex position (index into [`Graph::edge_vertex`]) where the snapped segment starts.
    pub pos: u32,
    /// Fraction of the segment from its start, in [0, 1].
    pub frac: f64,
    /// Distance from the point to the road (m): walked, not driven.
    pub offset_m: f64,
}

type Segment = GeomWithData<Line<[f64; 2]>, u32>;

/// An R-tree over a graph's segments in a local equirectangular projection.
#[derive(Debug)]
pub struct Snapper {
    tree: RTree<Segment>,
    cos_lat: f64,
}

impl Snapper {
    /// Indexes every segment of `g` on an edge that routes to and from the rest of the network
    /// (an edge with an arc in the largest strongly connected component of the turn graph).
    pub fn new(g: &Graph) -> Snapper {
        let routable = routable_edges(g);
        let cos_lat =
            if g.lat.is_empty() { 1.0 } else { (g.lat.iter().sum::<f64>() / g.lat.len() as f64).to_radians().cos() };
        let mut segs = Vec::with_capacity(g.edge_vertex.len());
        for e in (0..g.edge_count() as u32).filter(|&e| routable[e as usize]) {
            let r = g.edge_range(e);
            for k in r.start..r.end - 1 {
                let (a, b) = (g.edge_vertex[k] as usize, g.edge_vertex[k + 1] as usize);
                let pa = [g.lon[a] * cos_lat * M_PER_DEG, g.lat[a] * M_PER_DEG];
                let pb = [g.lon[b] * cos_lat * M_PER_DEG, g.lat[b] * M_PER_DEG];
                segs.push(Segment::new(Line::new(pa, pb), k as u32));
            }
        }
        Snapper { tree: RTree::bulk_load(segs), cos_lat }
    }

    /// The nearest segment to (lat, lon) within `max_m` metres; `None` when none is that close.
    pub fn snap(&self, g: &Graph, lat: f64, lon: f64, max_m: f64) -> Option<Snap> {
        let q = [lon * self.cos_lat * M_PER_DEG, lat * M_PER_DEG];
        // The projection is accurate to well under 1% over a region; the exact distance is
        // measured on the sphere below.
        let seg = self.tree.nearest_neighbor(&q)?;
        if seg.distance_2(&q).sqrt() > max_m * 1.02 + 1.0 {
            return None;
        }
        let (a, b) = (seg.geom().from, seg.geom().to);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let frac = if len2 > 0.0 { (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
        let pos = seg.data;
        let (va, vb) = (g.edge_vertex[pos as usize] as usize, g.edge_vertex[pos as usize + 1] as usize);
        let plat = g.lat[va] + frac * (g.lat[vb] - g.lat[va]);
        let plon = g.lon[va] + frac * (g.lon[vb] - g.lon[va]);
        let offset_m = haversine_m(lat, lon, plat, plon);
        if offset_m > max_m {
            return None;
        }
        let edge = (g.edge_first.partition_point(|&f| f <= pos) - 1) as u32;
        Some(Snap { edge, pos, frac, offset_m })
    }
}

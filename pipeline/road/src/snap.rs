//! Snapping points to the nearest routable road segment (not the nearest node, as OSRM), among
//! the edges from which the rest of the network is reachable and back
//! ([`crate::graph::routable_edges`]).
//!
//! The index is a packed R-tree (as `flatbush`): the segments sorted once along a Hilbert curve
//! through their centres, grouped [`NODE`] at a time into boxes, and the boxes grouped again up
//! to one root. It is built with one sort and holds 4 bytes a segment plus a box for every
//! [`NODE`] of them (its segments' coordinates are read from the graph), where a pointer R-tree
//! (`rstar`, used before) took about 50 bytes a segment and most of a country network's load
//! time to bulk-load. A query is a best-first search over boxes and segments; among segments at
//! exactly the same distance the one with the smallest position wins, so the answer does not
//! depend on the index's layout (`snaps_match_a_scan_of_every_segment` checks it against a scan).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Graph, haversine_m, routable_edges, routable_edges_in};
use crate::hierarchy::Hierarchy;

/// Metres per degree of latitude on the mean sphere.
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// Entries (segments or boxes) per box of the index.
const NODE: usize = 16;

/// Metres added around every box, far above the rounding of the segment distance (coordinates
/// of a few thousand kilometres are exact to nanometres), so a box's bound never exceeds the
/// computed distance of a segment in it.
const BOX_MARGIN_M: f64 = 1e-3;

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

/// A box: `[min_x, min_y, max_x, max_y]` in the projection (m).
type Bounds = [f64; 4];

/// A packed R-tree over a graph's routable segments in a local equirectangular projection.
#[derive(Debug)]
pub struct Snapper {
    cos_lat: f64,
    /// Segments (the position in [`Graph::edge_vertex`] where each starts), in Hilbert order.
    segs: Vec<u32>,
    /// Boxes of every level, the leaves' first (box `i` of level 0 bounds
    /// `segs[NODE * i..NODE * (i + 1)]`, box `i` of level `l` the level below's boxes
    /// `NODE * i..NODE * (i + 1)`); the last level holds the root alone.
    boxes: Vec<Bounds>,
    /// Where each level starts in `boxes`, and the end.
    levels: Vec<usize>,
}

/// An entry of the search queue: squared distance (as ordered bits: distances are never
/// negative), then boxes before segments at the same distance (a box may hold a segment at that
/// distance with a smaller position), then level and index, or the segment's position.
type Queued = Reverse<(u64, u8, u32, u32)>;
const BOX: u8 = 0;
const SEGMENT: u8 = 1;

impl Snapper {
    /// Indexes every segment of `g` on an edge that routes to and from the rest of the network
    /// (an edge with an arc in the largest strongly connected component of the turn graph).
    pub fn new(g: &Graph) -> Snapper {
        Snapper::of_edges(g, routable_edges(g))
    }

    /// [`Snapper::new`] for a graph with its contraction hierarchy `h`, which finds the same
    /// routable edges faster ([`routable_edges_in`]).
    pub fn with_hierarchy(g: &Graph, h: &Hierarchy) -> Snapper {
        Snapper::of_edges(g, routable_edges_in(g, h))
    }

    /// Indexes every segment of `g` on an edge `routable` marks.
    fn of_edges(g: &Graph, routable: Vec<bool>) -> Snapper {
        let cos_lat =
            if g.lat.is_empty() { 1.0 } else { (g.lat.iter().sum::<f64>() / g.lat.len() as f64).to_radians().cos() };
        let mut s = Snapper { cos_lat, segs: Vec::new(), boxes: Vec::new(), levels: vec![0] };
        let mut starts = Vec::with_capacity(g.edge_vertex.len());
        for e in (0..g.edge_count() as u32).filter(|&e| routable[e as usize]) {
            let r = g.edge_range(e);
            starts.extend(r.start as u32..r.end as u32 - 1);
        }
        drop(routable);
        if starts.is_empty() {
            return s;
        }
        // Hilbert order of the segments' centres on a 2^16 × 2^16 grid over their extent.
        let mut extent = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for &k in &starts {
            let [a, b] = s.ends(g, k);
            grow(&mut extent, &bounds(a, b));
        }
        let cell = |v: f64, lo: f64, hi: f64| -> u32 {
            if hi > lo { (((v - lo) / (hi - lo)) * 65_535.0).round() as u32 } else { 0 }
        };
        let keyed: Vec<u64> = starts
            .iter()
            .map(|&k| {
                let [a, b] = s.ends(g, k);
                let (cx, cy) = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0);
                let h = hilbert(cell(cx, extent[0], extent[2]), cell(cy, extent[1], extent[3]));
                (u64::from(h) << 32) | u64::from(k)
            })
            .collect();
        drop(starts);
        let keyed = sort_by_high_half(keyed);
        s.segs = keyed.into_iter().map(|x| x as u32).collect();
        // Leaves, then every level above, until one box is left.
        for chunk in s.segs.chunks(NODE) {
            let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
            for &k in chunk {
                let [p, q] = s.ends(g, k);
                grow(&mut b, &bounds(p, q));
            }
            s.boxes.push([b[0] - BOX_MARGIN_M, b[1] - BOX_MARGIN_M, b[2] + BOX_MARGIN_M, b[3] + BOX_MARGIN_M]);
        }
        s.levels.push(s.boxes.len());
        while s.levels[s.levels.len() - 1] - s.levels[s.levels.len() - 2] > 1 {
            let (lo, hi) = (s.levels[s.levels.len() - 2], s.levels[s.levels.len() - 1]);
            for i in (lo..hi).step_by(NODE) {
                let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for c in &s.boxes[i..(i + NODE).min(hi)] {
                    grow(&mut b, c);
                }
                s.boxes.push(b);
            }
            s.levels.push(s.boxes.len());
        }
        s.boxes.shrink_to_fit();
        s
    }

    /// Projected coordinates (m) of vertex `v`.
    #[inline]
    fn at(&self, g: &Graph, v: usize) -> [f64; 2] {
        [g.lon[v] * self.cos_lat * M_PER_DEG, g.lat[v] * M_PER_DEG]
    }

    /// Projected ends of the segment starting at position `k`.
    #[inline]
    fn ends(&self, g: &Graph, k: u32) -> [[f64; 2]; 2] {
        [self.at(g, g.edge_vertex[k as usize] as usize), self.at(g, g.edge_vertex[k as usize + 1] as usize)]
    }

    /// The nearest segment to `q` no farther than `max_d2` (squared metres): its position and
    /// squared distance, the smallest position among equally near ones.
    fn nearest(&self, g: &Graph, q: [f64; 2], max_d2: f64) -> Option<(u32, f64)> {
        let top = self.levels.len().checked_sub(2)?;
        let mut queue: BinaryHeap<Queued> = BinaryHeap::with_capacity(4 * NODE);
        let root = self.levels[top];
        let d = box_d2(&self.boxes[root], q);
        if d <= max_d2 {
            queue.push(Reverse((d.to_bits(), BOX, top as u32, 0)));
        }
        while let Some(Reverse((d, kind, level, i))) = queue.pop() {
            if kind == SEGMENT {
                return Some((i, f64::from_bits(d)));
            }
            let (level, i) = (level as usize, i as usize);
            if level == 0 {
                let end = (NODE * (i + 1)).min(self.segs.len());
                for &k in &self.segs[NODE * i..end] {
                    let [a, b] = self.ends(g, k);
                    let d = segment_d2(a, b, q);
                    if d <= max_d2 {
                        queue.push(Reverse((d.to_bits(), SEGMENT, 0, k)));
                    }
                }
            } else {
                let (below, end) = (self.levels[level - 1], self.levels[level]);
                let first = below + NODE * i;
                for c in first..(first + NODE).min(end) {
                    let d = box_d2(&self.boxes[c], q);
                    if d <= max_d2 {
                        queue.push(Reverse((d.to_bits(), BOX, level as u32 - 1, (c - below) as u32)));
                    }
                }
            }
        }
        None
    }

    /// The nearest segment to (lat, lon) within `max_m` metres; `None` when none is that close.
    pub fn snap(&self, g: &Graph, lat: f64, lon: f64, max_m: f64) -> Option<Snap> {
        let q = [lon * self.cos_lat * M_PER_DEG, lat * M_PER_DEG];
        // The projection is accurate to well under 1% over a region; the exact distance is
        // measured on the sphere below. The search bound is widened by a hair so that a segment
        // exactly at the limit is still found and judged by the test below.
        let limit_m = max_m * 1.02 + 1.0;
        let (pos, d2) = self.nearest(g, q, limit_m * limit_m * (1.0 + 1e-9))?;
        if d2.sqrt() > limit_m {
            return None;
        }
        let [a, b] = self.ends(g, pos);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let frac = if len2 > 0.0 { (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
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

    /// Every indexed segment's start position (tests scan them as the reference).
    #[cfg(test)]
    pub(crate) fn segments(&self) -> &[u32] {
        &self.segs
    }

    /// [`Snapper::nearest`] by a scan of every segment: the reference the index must agree with.
    #[cfg(test)]
    pub(crate) fn nearest_by_scan(&self, g: &Graph, lat: f64, lon: f64) -> Option<(u32, f64)> {
        let q = [lon * self.cos_lat * M_PER_DEG, lat * M_PER_DEG];
        self.segs
            .iter()
            .map(|&k| {
                let [a, b] = self.ends(g, k);
                (k, segment_d2(a, b, q))
            })
            .min_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)))
    }

    /// [`Snapper::nearest`] without a bound, from (lat, lon).
    #[cfg(test)]
    pub(crate) fn nearest_of(&self, g: &Graph, lat: f64, lon: f64) -> Option<(u32, f64)> {
        self.nearest(g, [lon * self.cos_lat * M_PER_DEG, lat * M_PER_DEG], f64::INFINITY)
    }
}

/// Squared distance from `q` to segment `a`–`b`, computed as `rstar`'s `Line::distance_2`
/// (which this index replaced), so the snaps of every point but exact ties are unchanged.
#[inline]
fn segment_d2(a: [f64; 2], b: [f64; 2], q: [f64; 2]) -> f64 {
    let dir = [b[0] - a[0], b[1] - a[1]];
    let s = ((q[0] - a[0]) * dir[0] + (q[1] - a[1]) * dir[1]) / (dir[0] * dir[0] + dir[1] * dir[1]);
    let p = if 0.0 < s && s < 1.0 {
        [a[0] + dir[0] * s, a[1] + dir[1] * s]
    } else if s <= 0.0 {
        a
    } else {
        // Also a zero-length segment (s is NaN).
        b
    };
    let (x, y) = (p[0] - q[0], p[1] - q[1]);
    x * x + y * y
}

/// Squared distance from `q` to a box (0 inside).
#[inline]
fn box_d2(b: &Bounds, q: [f64; 2]) -> f64 {
    let x = (b[0] - q[0]).max(q[0] - b[2]).max(0.0);
    let y = (b[1] - q[1]).max(q[1] - b[3]).max(0.0);
    x * x + y * y
}

fn bounds(a: [f64; 2], b: [f64; 2]) -> Bounds {
    [a[0].min(b[0]), a[1].min(b[1]), a[0].max(b[0]), a[1].max(b[1])]
}

fn grow(b: &mut Bounds, by: &Bounds) {
    b[0] = b[0].min(by[0]);
    b[1] = b[1].min(by[1]);
    b[2] = b[2].max(by[2]);
    b[3] = b[3].max(by[3]);
}

/// Position of cell (x, y) along the Hilbert curve through a 2^16 × 2^16 grid, without a branch
/// (the prefix-scan form flatbush uses, after rawrunprotected's `hilbertXYToIndex`): a country's
/// tens of millions of segments are keyed in a fraction of the time the level-by-level loop
/// ([`hilbert_by_levels`], which the tests hold it to) took with its unpredictable swaps.
fn hilbert(x: u32, y: u32) -> u32 {
    let (x, y) = (x & 0xFFFF, y & 0xFFFF);
    let (mut a, mut b, mut c, mut d) = (x ^ y, 0xFFFF ^ (x ^ y), 0xFFFF ^ (x | y), x & (y ^ 0xFFFF));
    let (mut aa, mut bb, mut cc, mut dd) =
        (a | (b >> 1), (a >> 1) ^ a, ((c >> 1) ^ (b & (d >> 1))) ^ c, ((a & (c >> 1)) ^ (d >> 1)) ^ d);
    for shift in [2, 4] {
        (a, b, c, d) = (aa, bb, cc, dd);
        aa = (a & (a >> shift)) ^ (b & (b >> shift));
        bb = (a & (b >> shift)) ^ (b & ((a ^ b) >> shift));
        cc ^= (a & (c >> shift)) ^ (b & (d >> shift));
        dd ^= (b & (c >> shift)) ^ ((a ^ b) & (d >> shift));
    }
    (a, b, c, d) = (aa, bb, cc, dd);
    cc ^= (a & (c >> 8)) ^ (b & (d >> 8));
    dd ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));
    let (a, b) = (cc ^ (cc >> 1), dd ^ (dd >> 1));
    let i0 = x ^ y;
    let i1 = b | (0xFFFF ^ (i0 | a));
    (spread(i1) << 1) | spread(i0)
}

/// The 16 low bits of `v` moved to the even bits.
fn spread(v: u32) -> u32 {
    let v = (v | (v << 8)) & 0x00FF_00FF;
    let v = (v | (v << 4)) & 0x0F0F_0F0F;
    let v = (v | (v << 2)) & 0x3333_3333;
    (v | (v << 1)) & 0x5555_5555
}

/// Sorts keys whose low halves already increase (the segments' positions, in order) by their
/// high halves (the Hilbert positions): a stable radix sort of four 8-bit digits, the same order
/// as sorting the whole keys, in a few passes over memory instead of a comparison sort's dozens.
fn sort_by_high_half(keys: Vec<u64>) -> Vec<u64> {
    let mut counts = vec![[0usize; 256]; 4];
    for &k in &keys {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[(k >> (32 + 8 * digit)) as usize & 0xFF] += 1;
        }
    }
    let (mut from, mut to) = (keys, Vec::new());
    for (digit, count) in counts.iter().enumerate() {
        if count.contains(&from.len()) {
            // Every key has the same digit here: the order stays.
            continue;
        }
        let mut next = [0usize; 256];
        let mut sum = 0;
        for (n, &c) in next.iter_mut().zip(count) {
            *n = sum;
            sum += c;
        }
        to.clear();
        to.resize(from.len(), 0);
        for &k in &from {
            let slot = &mut next[(k >> (32 + 8 * digit)) as usize & 0xFF];
            to[*slot] = k;
            *slot += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    from
}

/// Position of cell (x, y) along the Hilbert curve, level by level (the reference of [`hilbert`]).
#[cfg(test)]
fn hilbert_by_levels(mut x: u32, mut y: u32) -> u32 {
    const N: u32 = 1 << 16;
    let mut d: u64 = 0;
    let mut s = N / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = N - 1 - x;
                y = N - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hilbert_curve_visits_neighbouring_cells_in_turn() {
        // On the 2^16 grid, cells one step apart along the curve are adjacent, and every
        // position of a 4 × 4 corner is distinct.
        let mut seen: Vec<u32> = (0..4).flat_map(|x| (0..4).map(move |y| hilbert(x, y))).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 16);
        assert_eq!(hilbert(0, 0), 0);
        assert!(seen.iter().all(|&d| d < 16), "the 4 × 4 corner is the curve's first 16 cells");
    }

    #[test]
    fn the_branchless_hilbert_curve_is_the_level_by_level_one() {
        // Every cell of a 256 × 256 corner, the grid's edges and corners, and a spread of cells.
        let mut cells: Vec<(u32, u32)> = (0..256).flat_map(|x| (0..256).map(move |y| (x, y))).collect();
        for i in 0..65_536u32 {
            cells.push((i, 0));
            cells.push((0, i));
            cells.push((i, 65_535));
            cells.push((65_535, i));
            let r = i.wrapping_mul(0x9E37_79B9).rotate_left(7);
            cells.push((r & 0xFFFF, r >> 16));
        }
        for (x, y) in cells {
            assert_eq!(hilbert(x, y), hilbert_by_levels(x, y), "cell ({x}, {y})");
        }
    }

    #[test]
    fn the_radix_sort_orders_keys_as_a_sort_would() {
        let mut state = 7u64;
        let mut keys: Vec<u64> = (0..50_000u64)
            .map(|k| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                // Few distinct high halves in some digits, as a country's Hilbert positions.
                ((state >> 40) << 40 | (state >> 20 & 0xF) << 32) | k
            })
            .collect();
        let sorted = sort_by_high_half(keys.clone());
        keys.sort_unstable();
        assert_eq!(sorted, keys);
        assert_eq!(sort_by_high_half(Vec::new()), Vec::<u64>::new());
    }

    #[test]
    fn segment_distances_clamp_to_the_ends() {
        let (a, b) = ([0.0, 0.0], [10.0, 0.0]);
        assert_eq!(segment_d2(a, b, [5.0, 3.0]), 9.0);
        assert_eq!(segment_d2(a, b, [-3.0, 4.0]), 25.0);
        assert_eq!(segment_d2(a, b, [13.0, 4.0]), 25.0);
        assert_eq!(segment_d2(a, a, [3.0, 4.0]), 25.0, "a zero-length segment is its point");
        assert_eq!(box_d2(&[0.0, 0.0, 1.0, 1.0], [0.5, 0.5]), 0.0);
        assert_eq!(box_d2(&[0.0, 0.0, 1.0, 1.0], [4.0, 5.0]), 25.0);
    }
}

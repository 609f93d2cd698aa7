//! Distances on the sphere and the stop index (R-tree over points on the unit sphere scaled to
//! metres, so that a chord query works at any latitude).

use rstar::{AABB, PointDistance, RTree, RTreeObject};

/// Mean Earth radius (m), as in the pipeline's great-circle estimate.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance (m) between two (lat, lon) points in degrees: geo's haversine, the one
/// formula every navette crate uses.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    use ::geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
}

fn xyz(p: (f64, f64)) -> [f64; 3] {
    let (la, lo) = (p.0.to_radians(), p.1.to_radians());
    [EARTH_RADIUS_M * la.cos() * lo.cos(), EARTH_RADIUS_M * la.cos() * lo.sin(), EARTH_RADIUS_M * la.sin()]
}

#[derive(Debug, Clone, Copy)]
struct Pt {
    xyz: [f64; 3],
    stop: u32,
}

impl RTreeObject for Pt {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_point(self.xyz)
    }
}

impl PointDistance for Pt {
    fn distance_2(&self, p: &[f64; 3]) -> f64 {
        (0..3).map(|i| (self.xyz[i] - p[i]).powi(2)).sum()
    }
}

/// Stops by position.
#[derive(Debug, Default)]
pub struct StopIndex {
    tree: RTree<Pt>,
    pos: Vec<(f64, f64)>,
}

impl StopIndex {
    /// Indexes the stops whose flag is set (the others are never returned).
    pub fn new(pos: &[(f64, f64)], include: impl Fn(usize) -> bool) -> StopIndex {
        let pts = pos
            .iter()
            .enumerate()
            .filter(|(i, _)| include(*i))
            .map(|(i, &p)| Pt { xyz: xyz(p), stop: i as u32 })
            .collect();
        StopIndex { tree: RTree::bulk_load(pts), pos: pos.to_vec() }
    }

    /// Stops within `max_m` (great circle) of `p`, as (stop, distance m), by stop index.
    pub fn within(&self, p: (f64, f64), max_m: f64) -> Vec<(u32, f64)> {
        // The chord is shorter than the arc: query by chord, filter by arc.
        let mut out: Vec<(u32, f64)> = self
            .tree
            .locate_within_distance(xyz(p), max_m * max_m)
            .filter_map(|q| {
                let d = haversine_m(p, self.pos[q.stop as usize]);
                (d <= max_m).then_some((q.stop, d))
            })
            .collect();
        out.sort_by_key(|x| x.0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_by_hand() {
        // One degree of latitude = R × π / 180 = 111 195.08 m.
        let d = haversine_m((50.0, 4.0), (51.0, 4.0));
        assert!((d - 111_195.08).abs() < 0.01, "{d}");
        assert_eq!(haversine_m((50.0, 4.0), (50.0, 4.0)), 0.0);
    }

    #[test]
    fn index_matches_a_linear_scan() {
        let pos: Vec<(f64, f64)> =
            (0..400).map(|i| (50.0 + (i % 20) as f64 * 0.001, 4.0 + (i / 20) as f64 * 0.0015)).collect();
        let idx = StopIndex::new(&pos, |i| i % 7 != 0);
        for (q, r) in [((50.005, 4.01), 300.0), ((50.0, 4.0), 50.0), ((49.0, 4.0), 1000.0)] {
            let want: Vec<u32> =
                (0..pos.len()).filter(|&i| i % 7 != 0 && haversine_m(q, pos[i]) <= r).map(|i| i as u32).collect();
            let got: Vec<u32> = idx.within(q, r).iter().map(|x| x.0).collect();
            assert_eq!(got, want);
        }
    }
}

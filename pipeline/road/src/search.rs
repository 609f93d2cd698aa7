//! One-to-all searches on the edge-based graph, shaped to the workload: few destinations, many
//! homes. A **reverse** search from a destination gives every arc's cost *to* it (the way to
//! work); a **forward** search gives every arc's cost *from* it (the way home). Each home is then
//! answered in a few operations from the labels around its snapped position.
//!
//! Labels order routes by (weight, distance, duration), lexicographically, so that ties break the
//! same way in every search (plain Dijkstra here, PHAST in [`crate::phast`]) and in the reference:
//! a label is the unique minimum of that order, not whichever equal-weight route came first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Graph, NONE};
use crate::snap::Snap;

/// A route's cost on the network (the walk to and from the road is not included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cost {
    /// What the search minimises, deciseconds.
    pub weight_ds: u64,
    /// Length, decimetres.
    pub dm: u64,
    /// Travel time, deciseconds.
    pub duration_ds: u64,
}

/// A [`Cost`] packed into one integer, weight, length and duration in 32-bit fields (bits 64, 32
/// and 0): adding two packed costs adds the fields, and comparing them compares (weight, length,
/// duration) lexicographically, as long as every field stays below 2³² (13 years, 429,000 km).
pub type Packed = u128;

/// Label of an arc no search reached. Adding any packed cost to it cannot overflow, and the sum
/// stays above every real label.
pub const UNREACHED: Packed = 1 << 127;

impl Cost {
    /// The packed form (fields must fit in 32 bits).
    pub fn pack(self) -> Packed {
        debug_assert!(self.weight_ds < 1 << 32 && self.dm < 1 << 32 && self.duration_ds < 1 << 32, "{self:?}");
        ((self.weight_ds as u128) << 64) | ((self.dm as u128) << 32) | self.duration_ds as u128
    }

    /// Back from the packed form.
    pub fn unpack(p: Packed) -> Cost {
        Cost {
            weight_ds: (p >> 64) as u64 & 0xFFFF_FFFF,
            dm: (p >> 32) as u64 & 0xFFFF_FFFF,
            duration_ds: p as u64 & 0xFFFF_FFFF,
        }
    }

    pub(crate) fn add(self, o: Cost) -> Cost {
        Cost {
            weight_ds: self.weight_ds + o.weight_ds,
            dm: self.dm + o.dm,
            duration_ds: self.duration_ds + o.duration_ds,
        }
    }

    pub(crate) fn sub(self, o: Cost) -> Cost {
        Cost {
            weight_ds: self.weight_ds - o.weight_ds,
            dm: self.dm - o.dm,
            duration_ds: self.duration_ds - o.duration_ds,
        }
    }

    pub(crate) fn arc(g: &Graph, a: usize) -> Cost {
        Cost { weight_ds: g.arc_weight_ds[a] as u64, dm: g.arc_dm[a] as u64, duration_ds: g.arc_duration_ds[a] as u64 }
    }

    pub(crate) fn turn(w: u32, d: u32) -> Cost {
        Cost { weight_ds: w as u64, dm: 0, duration_ds: d as u64 }
    }
}

/// Rounded share of a segment cost: the part of the segment travelled.
pub fn partial(value: u32, share: f64) -> u64 {
    (share * value as f64).round() as u64
}

/// Cost from the start of arc `a` to the snapped point (which must lie on `a`'s edge).
pub fn prefix(g: &Graph, a: u32, s: &Snap) -> Cost {
    let r = g.edge_range(g.arc_edge[a as usize]);
    let k = s.pos as usize;
    let mut c = Cost::default();
    if !g.arc_backward[a as usize] {
        for j in r.start..k {
            c.weight_ds += g.seg_fwd[j].weight_ds as u64;
            c.duration_ds += g.seg_fwd[j].duration_ds as u64;
            c.dm += g.seg_dm[j] as u64;
        }
        for j in r.start + 1..=k {
            c.weight_ds += g.vertex_delay_ds[j] as u64;
            c.duration_ds += g.vertex_delay_ds[j] as u64;
        }
        c.weight_ds += partial(g.seg_fwd[k].weight_ds, s.frac);
        c.duration_ds += partial(g.seg_fwd[k].duration_ds, s.frac);
        c.dm += partial(g.seg_dm[k], s.frac);
    } else {
        for j in k + 1..r.end - 1 {
            c.weight_ds += g.seg_bwd[j].weight_ds as u64;
            c.duration_ds += g.seg_bwd[j].duration_ds as u64;
            c.dm += g.seg_dm[j] as u64;
        }
        for j in k + 1..r.end - 1 {
            c.weight_ds += g.vertex_delay_ds[j] as u64;
            c.duration_ds += g.vertex_delay_ds[j] as u64;
        }
        c.weight_ds += partial(g.seg_bwd[k].weight_ds, 1.0 - s.frac);
        c.duration_ds += partial(g.seg_bwd[k].duration_ds, 1.0 - s.frac);
        c.dm += partial(g.seg_dm[k], 1.0 - s.frac);
    }
    c
}

/// Whether point `p` comes no later than point `q` along arc `a` (both on its edge).
fn not_after(g: &Graph, a: u32, p: &Snap, q: &Snap) -> bool {
    let fwd = (p.pos, p.frac) <= (q.pos, q.frac);
    let bwd = (p.pos, p.frac) >= (q.pos, q.frac);
    if g.arc_backward[a as usize] { bwd } else { fwd }
}

/// Direct cost from `p` to `q` along one arc of their shared edge, if that arc runs that way.
pub(crate) fn along(g: &Graph, p: &Snap, q: &Snap) -> Option<Cost> {
    if p.edge != q.edge {
        return None;
    }
    g.edge_arc[p.edge as usize]
        .iter()
        .filter(|&&a| a != NONE && not_after(g, a, p, q))
        .map(|&a| {
            let (cp, cq) = (prefix(g, a, p), prefix(g, a, q));
            // Rounding can make a later point's prefix smaller by a decisecond: clamp.
            Cost {
                weight_ds: cq.weight_ds.saturating_sub(cp.weight_ds),
                dm: cq.dm.saturating_sub(cp.dm),
                duration_ds: cq.duration_ds.saturating_sub(cp.duration_ds),
            }
        })
        .min()
}

/// Which way a search ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Costs to the anchor.
    ToAnchor,
    /// Costs from the anchor.
    FromAnchor,
}

/// Reusable label arrays for one-to-all searches on one graph (one per thread).
#[derive(Debug)]
pub struct Searcher {
    key: Vec<Packed>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Packed, u32)>>,
    anchor: Option<(Snap, Direction)>,
    /// Arcs settled by the last search (for benchmarks).
    pub settled: usize,
}

impl Searcher {
    /// Empty labels for graph `g`.
    pub fn new(g: &Graph) -> Searcher {
        Searcher {
            key: vec![UNREACHED; g.arc_count()],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            anchor: None,
            settled: 0,
        }
    }

    fn reset(&mut self) {
        for &a in &self.touched {
            self.key[a as usize] = UNREACHED;
        }
        self.touched.clear();
        self.heap.clear();
        self.settled = 0;
    }

    fn relax(&mut self, a: u32, c: Cost) {
        let k = c.pack();
        let slot = &mut self.key[a as usize];
        if k < *slot {
            if *slot == UNREACHED {
                self.touched.push(a);
            }
            *slot = k;
            self.heap.push(Reverse((k, a)));
        }
    }

    /// Label of arc `a` after a search (see [`Searcher::to_destination`] and
    /// [`Searcher::from_origin`] for its meaning); `None` if the search did not reach it.
    pub fn label(&self, a: u32) -> Option<Cost> {
        let k = self.key[a as usize];
        (k != UNREACHED).then(|| Cost::unpack(k))
    }

    /// Reverse one-to-all search: afterwards [`Searcher::cost_from`] gives any point's cost to
    /// `dest`. Label of arc `a` = cost from the start of `a` to `dest`, `a` included.
    pub fn to_destination(&mut self, g: &Graph, dest: &Snap) {
        self.reset();
        for &a in &g.edge_arc[dest.edge as usize] {
            if a != NONE {
                self.relax(a, prefix(g, a, dest));
            }
        }
        while let Some(Reverse((k, a))) = self.heap.pop() {
            if k != self.key[a as usize] {
                continue;
            }
            self.settled += 1;
            let here = self.label(a).expect("settled");
            for t in g.in_first[a as usize] as usize..g.in_first[a as usize + 1] as usize {
                let p = g.in_from[t];
                let c = Cost::arc(g, p as usize).add(Cost::turn(g.in_weight_ds[t], g.in_duration_ds[t])).add(here);
                self.relax(p, c);
            }
        }
        self.anchor = Some((*dest, Direction::ToAnchor));
    }

    /// Forward one-to-all search: afterwards [`Searcher::cost_to`] gives the cost from `origin`
    /// to any point. Label of arc `a` = cost from `origin` to the end of `a`.
    pub fn from_origin(&mut self, g: &Graph, origin: &Snap) {
        self.reset();
        for &a in &g.edge_arc[origin.edge as usize] {
            if a != NONE {
                self.relax(a, Cost::arc(g, a as usize).sub(prefix(g, a, origin)));
            }
        }
        while let Some(Reverse((k, a))) = self.heap.pop() {
            if k != self.key[a as usize] {
                continue;
            }
            self.settled += 1;
            let here = self.label(a).expect("settled");
            for t in g.out_first[a as usize] as usize..g.out_first[a as usize + 1] as usize {
                let b = g.out_to[t];
                let c = here.add(Cost::turn(g.out_weight_ds[t], g.out_duration_ds[t])).add(Cost::arc(g, b as usize));
                self.relax(b, c);
            }
        }
        self.anchor = Some((*origin, Direction::FromAnchor));
    }

    /// After [`Searcher::to_destination`]: cost from `home` to the destination.
    pub fn cost_from(&self, g: &Graph, home: &Snap) -> Option<Cost> {
        let (dest, dir) = self.anchor.expect("a search ran");
        assert_eq!(dir, Direction::ToAnchor, "cost_from needs a reverse search");
        cost_from(g, &dest, home, |a| self.label(a))
    }

    /// After [`Searcher::from_origin`]: cost from the origin to `home`.
    pub fn cost_to(&self, g: &Graph, home: &Snap) -> Option<Cost> {
        let (origin, dir) = self.anchor.expect("a search ran");
        assert_eq!(dir, Direction::FromAnchor, "cost_to needs a forward search");
        cost_to(g, &origin, home, |a| self.label(a))
    }
}

/// One label a home's cost reads, with what is added to it: the lane- and destination-free part
/// of [`cost_from`] or [`cost_to`] for that home ([`ends_from`], [`ends_to`]). A batch computes
/// them once per home and reads every destination's labels through them, instead of walking the
/// home's edge, arcs and turns again (a dozen cache misses on a country's graph) for each tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct End {
    /// The arc whose label is read.
    pub arc: u32,
    /// Added to that label (the rest of the home's arc and the turn, or the turn and the head of
    /// the home's arc).
    pub pre: Cost,
}

/// The [`End`]s of [`cost_from`] for `home`, appended to `out` in the order it reads them.
pub(crate) fn ends_from(g: &Graph, home: &Snap, out: &mut Vec<End>) {
    for &b in &g.edge_arc[home.edge as usize] {
        if b == NONE {
            continue;
        }
        let rest = Cost::arc(g, b as usize).sub(prefix(g, b, home));
        for t in g.out_first[b as usize] as usize..g.out_first[b as usize + 1] as usize {
            out.push(End { arc: g.out_to[t], pre: rest.add(Cost::turn(g.out_weight_ds[t], g.out_duration_ds[t])) });
        }
    }
}

/// The [`End`]s of [`cost_to`] for `home`, appended to `out` in the order it reads them.
pub(crate) fn ends_to(g: &Graph, home: &Snap, out: &mut Vec<End>) {
    for &b in &g.edge_arc[home.edge as usize] {
        if b == NONE {
            continue;
        }
        let head = prefix(g, b, home);
        for t in g.in_first[b as usize] as usize..g.in_first[b as usize + 1] as usize {
            // `cost_to` adds the label, the turn, then the head: the same sums field by field.
            out.push(End { arc: g.in_from[t], pre: Cost::turn(g.in_weight_ds[t], g.in_duration_ds[t]).add(head) });
        }
    }
}

/// Cost from `home` to `dest`, given `label(a)` = cost from the start of arc `a` to `dest`.
pub(crate) fn cost_from(g: &Graph, dest: &Snap, home: &Snap, label: impl Fn(u32) -> Option<Cost>) -> Option<Cost> {
    let mut best = along(g, home, dest);
    for &b in &g.edge_arc[home.edge as usize] {
        if b == NONE {
            continue;
        }
        let rest = Cost::arc(g, b as usize).sub(prefix(g, b, home));
        for t in g.out_first[b as usize] as usize..g.out_first[b as usize + 1] as usize {
            if let Some(l) = label(g.out_to[t]) {
                let c = rest.add(Cost::turn(g.out_weight_ds[t], g.out_duration_ds[t])).add(l);
                best = Some(best.map_or(c, |x| x.min(c)));
            }
        }
    }
    best
}

/// Cost from `origin` to `home`, given `label(a)` = cost from `origin` to the end of arc `a`.
pub(crate) fn cost_to(g: &Graph, origin: &Snap, home: &Snap, label: impl Fn(u32) -> Option<Cost>) -> Option<Cost> {
    let mut best = along(g, origin, home);
    for &b in &g.edge_arc[home.edge as usize] {
        if b == NONE {
            continue;
        }
        let head = prefix(g, b, home);
        for t in g.in_first[b as usize] as usize..g.in_first[b as usize + 1] as usize {
            if let Some(l) = label(g.in_from[t]) {
                let c = l.add(Cost::turn(g.in_weight_ds[t], g.in_duration_ds[t])).add(head);
                best = Some(best.map_or(c, |x| x.min(c)));
            }
        }
    }
    best
}

//! PHAST one-to-all trees on a [`Hierarchy`]: the same labels as [`crate::search::Searcher`]'s
//! Dijkstra trees, from a small upward search and one linear downward sweep.
//!
//! - **Forward** ("from the destination", the way back): label(a) = cost from the anchor to the
//!   end of arc `a`. Upward search from the anchor's arcs over `up` edges, then for every position
//!   in increasing order the minimum over `down` edges of label(tail) + cost.
//! - **Reverse** ("to the destination", the way there): label(a) = cost from the start of `a` to
//!   the anchor, `a` included. Hierarchy costs count the head arc of a path, the reverse search
//!   counts the tail arc; on a path from `x` to `y` they differ by `arc(x) − arc(y)`. So the sweep
//!   computes `R(x) = label(x) − arc(x) + K` with the hierarchy's costs (upward search backwards
//!   over `down` edges, sweep over `up` edges), seeded with `prefix(d) − arc(d) + K` at the
//!   anchor's arcs `d`, where `K` (the larger of their arc costs, field by field) keeps every
//!   field non-negative; a label is read back as `R(x) + arc(x) − K`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Graph, NONE};
use crate::hierarchy::Hierarchy;
use crate::search::{Cost, Direction, Packed, UNREACHED, cost_from, cost_to, prefix};
use crate::snap::Snap;

/// Reusable label arrays for PHAST trees on one graph (one per thread and direction).
#[derive(Debug)]
pub struct Phast {
    /// Labels by position (shifted by `offset` after a reverse tree).
    label: Vec<Packed>,
    /// Positions reached by the upward search (bit set).
    reached: Vec<u64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Packed, u32)>>,
    anchor: Option<(Snap, Direction)>,
    offset: Packed,
    /// Arcs settled by the last upward search (for benchmarks).
    pub settled: usize,
}

impl Phast {
    /// Empty labels for hierarchy `h`.
    pub fn new(h: &Hierarchy) -> Phast {
        Phast {
            label: vec![UNREACHED; h.len()],
            reached: vec![0; h.len().div_ceil(64)],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            anchor: None,
            offset: 0,
            settled: 0,
        }
    }

    fn reset(&mut self) {
        for &p in &self.touched {
            self.reached[p as usize / 64] = 0;
        }
        self.touched.clear();
        self.heap.clear();
        self.settled = 0;
    }

    #[inline]
    fn is_reached(&self, p: usize) -> bool {
        self.reached[p / 64] & (1 << (p % 64)) != 0
    }

    fn relax(&mut self, p: u32, c: Packed) {
        let pi = p as usize;
        if !self.is_reached(pi) {
            self.reached[pi / 64] |= 1 << (pi % 64);
            self.touched.push(p);
            self.label[pi] = c;
            self.heap.push(Reverse((c, p)));
        } else if c < self.label[pi] {
            self.label[pi] = c;
            self.heap.push(Reverse((c, p)));
        }
    }

    /// Upward search from the seeds, over `up` edges (forward) or `down` edges backwards.
    fn upward(&mut self, h: &Hierarchy, forward: bool) {
        while let Some(Reverse((c, p))) = self.heap.pop() {
            if c != self.label[p as usize] {
                continue;
            }
            self.settled += 1;
            let edges = if forward { h.up_of(p as usize) } else { h.down_of(p as usize) };
            for e in edges {
                self.relax(e.node, c + e.cost());
            }
        }
    }

    /// The downward sweep: every position in increasing order takes the best of its upward-search
    /// label and its higher neighbours' labels plus the edge cost.
    fn sweep(&mut self, h: &Hierarchy, forward: bool) {
        let (first, edges) = if forward { (&h.down_first, &h.down) } else { (&h.up_first, &h.up) };
        let label = &mut self.label;
        for p in 0..label.len() {
            let mut best = if self.reached[p / 64] & (1 << (p % 64)) != 0 { label[p] } else { UNREACHED };
            for e in &edges[first[p] as usize..first[p + 1] as usize] {
                let c = label[e.node as usize] + e.cost();
                if c < best {
                    best = c;
                }
            }
            label[p] = best;
        }
    }

    /// Reverse tree: afterwards [`Phast::cost_from`] gives any point's cost to `dest`, and
    /// [`Phast::label`] equals [`crate::Searcher::to_destination`]'s labels.
    pub fn to_destination(&mut self, g: &Graph, h: &Hierarchy, dest: &Snap) {
        self.reset();
        let seeds: Vec<u32> = g.edge_arc[dest.edge as usize].iter().copied().filter(|&a| a != NONE).collect();
        let k = seeds.iter().map(|&a| Cost::arc(g, a as usize)).fold(Cost::default(), |k, c| Cost {
            weight_ds: k.weight_ds.max(c.weight_ds),
            dm: k.dm.max(c.dm),
            duration_ds: k.duration_ds.max(c.duration_ds),
        });
        for &a in &seeds {
            let c = prefix(g, a, dest).add(k).sub(Cost::arc(g, a as usize));
            self.relax(h.pos[a as usize], c.pack());
        }
        self.upward(h, false);
        self.sweep(h, false);
        self.offset = k.pack();
        self.anchor = Some((*dest, Direction::ToAnchor));
    }

    /// Forward tree: afterwards [`Phast::cost_to`] gives the cost from `origin` to any point, and
    /// [`Phast::label`] equals [`crate::Searcher::from_origin`]'s labels.
    pub fn from_origin(&mut self, g: &Graph, h: &Hierarchy, origin: &Snap) {
        self.reset();
        for &a in &g.edge_arc[origin.edge as usize] {
            if a != NONE {
                let c = Cost::arc(g, a as usize).sub(prefix(g, a, origin));
                self.relax(h.pos[a as usize], c.pack());
            }
        }
        self.upward(h, true);
        self.sweep(h, true);
        self.offset = 0;
        self.anchor = Some((*origin, Direction::FromAnchor));
    }

    /// Label of arc `a` after a tree (`None` if unreachable): as [`crate::Searcher::label`].
    pub fn label(&self, g: &Graph, h: &Hierarchy, a: u32) -> Option<Cost> {
        let l = self.label[h.pos[a as usize] as usize];
        if l >= UNREACHED {
            return None;
        }
        match self.anchor.expect("a tree was grown").1 {
            Direction::FromAnchor => Some(Cost::unpack(l)),
            Direction::ToAnchor => Some(Cost::unpack(l + Cost::arc(g, a as usize).pack() - self.offset)),
        }
    }

    /// After [`Phast::to_destination`]: cost from `home` to the destination.
    pub fn cost_from(&self, g: &Graph, h: &Hierarchy, home: &Snap) -> Option<Cost> {
        let (dest, dir) = self.anchor.expect("a tree was grown");
        assert_eq!(dir, Direction::ToAnchor, "cost_from needs a reverse tree");
        cost_from(g, &dest, home, |a| self.label(g, h, a))
    }

    /// After [`Phast::from_origin`]: cost from the origin to `home`.
    pub fn cost_to(&self, g: &Graph, h: &Hierarchy, home: &Snap) -> Option<Cost> {
        let (origin, dir) = self.anchor.expect("a tree was grown");
        assert_eq!(dir, Direction::FromAnchor, "cost_to needs a forward tree");
        cost_to(g, &origin, home, |a| self.label(g, h, a))
    }
}

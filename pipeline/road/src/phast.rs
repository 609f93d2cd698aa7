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
//! - **Restricted sweeps** (RPHAST): when only a few arcs' labels are wanted (a job's homes), a
//!   [`Selection`] of the positions they depend on is swept instead of the whole hierarchy, with
//!   the same labels on those arcs.
//! - **Lanes**: [`Trees<L>`] grows `L` trees of the same direction (several destinations) in one
//!   sweep, so each edge is read once for all of them and a position's `L` labels share a cache
//!   line. [`Phast`] is the one-lane case.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Graph, NONE};
use crate::hierarchy::Hierarchy;
use crate::search::{Cost, Direction, End, Packed, UNREACHED, along, cost_from, cost_to, prefix};
use crate::snap::Snap;

/// Reusable label arrays for `L` PHAST trees at a time on one graph (one per thread and
/// direction). Lane `i` holds the tree of the `i`-th anchor of the last call.
#[derive(Debug)]
pub struct Trees<const L: usize> {
    /// Labels by position (shifted by `offset` after reverse trees).
    label: Vec<[Packed; L]>,
    /// Positions reached by an upward search of any lane (bit set); their other lanes hold
    /// [`UNREACHED`].
    reached: Vec<u64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Packed, u32)>>,
    anchors: [Option<Snap>; L],
    direction: Option<Direction>,
    offset: [Packed; L],
    /// Arcs settled by the last upward searches, all lanes (for benchmarks).
    pub settled: usize,
}

/// One PHAST tree at a time.
pub type Phast = Trees<1>;

impl<const L: usize> Trees<L> {
    /// Empty labels for hierarchy `h`.
    pub fn new(h: &Hierarchy) -> Trees<L> {
        Trees {
            // Zeros, not UNREACHED: no label is read before it is written (an upward search sets a
            // position's labels when it first reaches it, a sweep writes each position before
            // the lower ones that read it, and a restricted sweep reads only its selection), so
            // the array is left to the system's zeroed pages, touched only where a sweep goes. A
            // full sweep touches it all; a restricted one (an office's staff on a country's
            // network) only its selection's pages, instead of writing gigabytes first.
            label: vec![[0; L]; h.len()],
            reached: vec![0; h.len().div_ceil(64)],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            anchors: [None; L],
            direction: None,
            offset: [0; L],
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
        self.anchors = [None; L];
        self.offset = [0; L];
    }

    fn relax(&mut self, lane: usize, p: u32, c: Packed) {
        let pi = p as usize;
        if self.reached[pi / 64] & (1 << (pi % 64)) == 0 {
            self.reached[pi / 64] |= 1 << (pi % 64);
            self.touched.push(p);
            self.label[pi] = [UNREACHED; L];
        }
        if c < self.label[pi][lane] {
            self.label[pi][lane] = c;
            self.heap.push(Reverse((c, p)));
        }
    }

    /// Upward search of one lane from its seeds, over `up` edges (forward) or `down` edges
    /// backwards.
    fn upward(&mut self, h: &Hierarchy, lane: usize, forward: bool) {
        while let Some(Reverse((c, p))) = self.heap.pop() {
            if c != self.label[p as usize][lane] {
                continue;
            }
            self.settled += 1;
            let edges = if forward { h.up_of(p as usize) } else { h.down_of(p as usize) };
            for e in edges {
                self.relax(lane, e.node, c + e.cost());
            }
        }
    }

    /// The downward sweep: every position in increasing order takes, lane by lane, the best of
    /// its upward-search label and its higher neighbours' labels plus the edge cost.
    fn sweep(&mut self, h: &Hierarchy, forward: bool) {
        let (first, edges) = if forward { (&h.down_first, &h.down) } else { (&h.up_first, &h.up) };
        let label = &mut self.label;
        let mut start = 0usize;
        for (p, &end) in first[1..].iter().enumerate() {
            let end = end as usize;
            let mut best = if self.reached[p / 64] & (1 << (p % 64)) != 0 { label[p] } else { [UNREACHED; L] };
            for e in &edges[start..end] {
                let (from, c) = (&label[e.node as usize], e.cost());
                for l in 0..L {
                    best[l] = best[l].min(from[l] + c);
                }
            }
            label[p] = best;
            start = end;
        }
    }

    /// The downward sweep restricted to the positions of `sel` (RPHAST): the same labels as
    /// [`Trees::sweep`] on them, since a selection holds every position their labels read.
    fn sweep_selected(&mut self, h: &Hierarchy, forward: bool, sel: &Selection) {
        let (first, edges) = if forward { (&h.down_first, &h.down) } else { (&h.up_first, &h.up) };
        let label = &mut self.label;
        for &p in &sel.positions {
            let p = p as usize;
            let mut best = if self.reached[p / 64] & (1 << (p % 64)) != 0 { label[p] } else { [UNREACHED; L] };
            for e in &edges[first[p] as usize..first[p + 1] as usize] {
                let (from, c) = (&label[e.node as usize], e.cost());
                for l in 0..L {
                    best[l] = best[l].min(from[l] + c);
                }
            }
            label[p] = best;
        }
    }

    /// Reverse trees, one per lane (at most `L` destinations; `None` leaves a lane unreached):
    /// afterwards [`Trees::lane_cost_from`] gives any point's cost to each destination.
    pub fn to_destinations(&mut self, g: &Graph, h: &Hierarchy, dests: &[Option<Snap>]) {
        self.to_destinations_in(g, h, dests, None);
    }

    /// [`Trees::to_destinations`], labelling only the positions of `sel` when given (selected
    /// for reverse trees, [`Selection::select`] with `forward = false`): exact there, stale
    /// elsewhere.
    pub fn to_destinations_in(&mut self, g: &Graph, h: &Hierarchy, dests: &[Option<Snap>], sel: Option<&Selection>) {
        assert!(dests.len() <= L, "at most {L} trees at a time");
        self.reset();
        for (lane, dest) in dests.iter().enumerate() {
            let Some(dest) = dest else { continue };
            let seeds: Vec<u32> = g.edge_arc[dest.edge as usize].iter().copied().filter(|&a| a != NONE).collect();
            let k = seeds.iter().map(|&a| Cost::arc(g, a as usize)).fold(Cost::default(), |k, c| Cost {
                weight_ds: k.weight_ds.max(c.weight_ds),
                dm: k.dm.max(c.dm),
                duration_ds: k.duration_ds.max(c.duration_ds),
            });
            for &a in &seeds {
                let c = prefix(g, a, dest).add(k).sub(Cost::arc(g, a as usize));
                self.relax(lane, h.pos[a as usize], c.pack());
            }
            self.upward(h, lane, false);
            self.offset[lane] = k.pack();
            self.anchors[lane] = Some(*dest);
        }
        match sel {
            Some(sel) => self.sweep_selected(h, false, sel),
            None => self.sweep(h, false),
        }
        self.direction = Some(Direction::ToAnchor);
    }

    /// Forward trees, one per lane (at most `L` origins; `None` leaves a lane unreached):
    /// afterwards [`Trees::lane_cost_to`] gives the cost from each origin to any point.
    pub fn from_origins(&mut self, g: &Graph, h: &Hierarchy, origins: &[Option<Snap>]) {
        self.from_origins_in(g, h, origins, None);
    }

    /// [`Trees::from_origins`], labelling only the positions of `sel` when given (selected for
    /// forward trees, [`Selection::select`] with `forward = true`): exact there, stale elsewhere.
    pub fn from_origins_in(&mut self, g: &Graph, h: &Hierarchy, origins: &[Option<Snap>], sel: Option<&Selection>) {
        assert!(origins.len() <= L, "at most {L} trees at a time");
        self.reset();
        for (lane, origin) in origins.iter().enumerate() {
            let Some(origin) = origin else { continue };
            for &a in &g.edge_arc[origin.edge as usize] {
                if a != NONE {
                    let c = Cost::arc(g, a as usize).sub(prefix(g, a, origin));
                    self.relax(lane, h.pos[a as usize], c.pack());
                }
            }
            self.upward(h, lane, true);
            self.anchors[lane] = Some(*origin);
        }
        match sel {
            Some(sel) => self.sweep_selected(h, true, sel),
            None => self.sweep(h, true),
        }
        self.direction = Some(Direction::FromAnchor);
    }

    /// Label of arc `a` in lane `lane` (`None` if unreachable): as [`crate::Searcher::label`].
    pub fn lane_label(&self, g: &Graph, h: &Hierarchy, lane: usize, a: u32) -> Option<Cost> {
        let l = self.label[h.pos[a as usize] as usize][lane];
        if l >= UNREACHED {
            return None;
        }
        match self.direction.expect("trees were grown") {
            Direction::FromAnchor => Some(Cost::unpack(l)),
            // Never below the offset on a consistent hierarchy; `None` rather than a wrapped label
            // on a forged one that passed the checks of `store::load`.
            Direction::ToAnchor => {
                (l + Cost::arc(g, a as usize).pack()).checked_sub(self.offset[lane]).map(Cost::unpack)
            }
        }
    }

    /// After [`Trees::to_destinations`]: cost from `home` to lane `lane`'s destination.
    pub fn lane_cost_from(&self, g: &Graph, h: &Hierarchy, lane: usize, home: &Snap) -> Option<Cost> {
        assert_eq!(self.direction, Some(Direction::ToAnchor), "cost_from needs reverse trees");
        let dest = self.anchors[lane].expect("the lane has a destination");
        cost_from(g, &dest, home, |a| self.lane_label(g, h, lane, a))
    }

    /// After [`Trees::from_origins`]: cost from lane `lane`'s origin to `home`.
    pub fn lane_cost_to(&self, g: &Graph, h: &Hierarchy, lane: usize, home: &Snap) -> Option<Cost> {
        assert_eq!(self.direction, Some(Direction::FromAnchor), "cost_to needs forward trees");
        let origin = self.anchors[lane].expect("the lane has an origin");
        cost_to(g, &origin, home, |a| self.lane_label(g, h, lane, a))
    }
}

/// A home's [`End`] on a hierarchy: the position of the label read and the packed cost of its
/// arc (a reverse tree's label is read back with it, as [`Trees::lane_label`] does), so that
/// reading a home's costs from a batch of trees touches nothing but the labels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Read {
    pos: u32,
    arc: Packed,
    pre: Cost,
}

impl Read {
    /// `end` of a home on graph `g` and its hierarchy `h`.
    pub(crate) fn new(g: &Graph, h: &Hierarchy, end: End) -> Read {
        Read { pos: h.pos[end.arc as usize], arc: Cost::arc(g, end.arc as usize).pack(), pre: end.pre }
    }
}

impl<const L: usize> Trees<L> {
    /// A home's cost in every lane, from its [`Read`]s (of [`crate::search::ends_from`] after
    /// reverse trees, of [`crate::search::ends_to`] after forward trees): lane by lane what
    /// [`Trees::lane_cost_from`] or [`Trees::lane_cost_to`] gives (the same sums and minimum),
    /// with each position's labels read once for all lanes. Lanes without a tree give `None`.
    pub(crate) fn lanes_cost(&self, g: &Graph, home: &Snap, reads: &[Read]) -> [Option<Cost>; L] {
        let direction = self.direction.expect("trees were grown");
        let mut best: [Option<Cost>; L] = std::array::from_fn(|lane| {
            let anchor = self.anchors[lane]?;
            match direction {
                Direction::ToAnchor => along(g, home, &anchor),
                Direction::FromAnchor => along(g, &anchor, home),
            }
        });
        for r in reads {
            let labels = &self.label[r.pos as usize];
            for lane in 0..L {
                let l = labels[lane];
                if l >= UNREACHED || self.anchors[lane].is_none() {
                    continue;
                }
                let l = match direction {
                    Direction::FromAnchor => Cost::unpack(l),
                    Direction::ToAnchor => match (l + r.arc).checked_sub(self.offset[lane]) {
                        Some(l) => Cost::unpack(l),
                        None => continue,
                    },
                };
                let c = r.pre.add(l);
                best[lane] = Some(best[lane].map_or(c, |x| x.min(c)));
            }
        }
        best
    }
}

/// The positions a restricted sweep must label (RPHAST, Delling, Goldberg and Werneck 2011) so
/// that the labels of some target arcs are exact: the targets and, transitively, every position
/// a sweep reads to label them. A sweep labels a position from its higher neighbours, so the
/// selection follows the sweep's edges upwards; it is small when the targets are few (a job's
/// homes), and then a tree costs its homes' search spaces instead of the whole graph.
#[derive(Debug)]
pub struct Selection {
    mark: Vec<u64>,
    stack: Vec<u32>,
    /// Selected positions, in increasing order (the sweep's).
    positions: Vec<u32>,
}

impl Selection {
    /// An empty selection for hierarchy `h`.
    pub fn new(h: &Hierarchy) -> Selection {
        Selection { mark: vec![0; h.len().div_ceil(64)], stack: Vec::new(), positions: Vec::new() }
    }

    /// Number of positions selected.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Selects the positions of the target arcs `arcs` and all they depend on in a reverse
    /// (`forward = false`, [`Trees::to_destinations_in`]) or forward sweep. Gives up, leaving the
    /// selection empty and returning false, as soon as it would hold more than `limit`
    /// positions: a full sweep is then cheaper.
    pub fn select(&mut self, h: &Hierarchy, forward: bool, arcs: impl IntoIterator<Item = u32>, limit: usize) -> bool {
        self.clear();
        for a in arcs {
            self.push(h.pos[a as usize]);
        }
        while let Some(p) = self.stack.pop() {
            let edges = if forward { h.down_of(p as usize) } else { h.up_of(p as usize) };
            for e in edges {
                self.push(e.node);
            }
            if self.positions.len() > limit {
                self.clear();
                return false;
            }
        }
        self.positions.sort_unstable();
        true
    }

    fn push(&mut self, p: u32) {
        let (w, b) = (p as usize / 64, 1u64 << (p % 64));
        if self.mark[w] & b == 0 {
            self.mark[w] |= b;
            self.positions.push(p);
            self.stack.push(p);
        }
    }

    fn clear(&mut self) {
        for &p in &self.positions {
            self.mark[p as usize / 64] = 0;
        }
        self.positions.clear();
        self.stack.clear();
    }
}

impl Phast {
    /// Reverse tree: afterwards [`Phast::cost_from`] gives any point's cost to `dest`, and
    /// [`Phast::label`] equals [`crate::Searcher::to_destination`]'s labels.
    pub fn to_destination(&mut self, g: &Graph, h: &Hierarchy, dest: &Snap) {
        self.to_destinations(g, h, &[Some(*dest)]);
    }

    /// Forward tree: afterwards [`Phast::cost_to`] gives the cost from `origin` to any point, and
    /// [`Phast::label`] equals [`crate::Searcher::from_origin`]'s labels.
    pub fn from_origin(&mut self, g: &Graph, h: &Hierarchy, origin: &Snap) {
        self.from_origins(g, h, &[Some(*origin)]);
    }

    /// Label of arc `a` after a tree (`None` if unreachable): as [`crate::Searcher::label`].
    pub fn label(&self, g: &Graph, h: &Hierarchy, a: u32) -> Option<Cost> {
        self.lane_label(g, h, 0, a)
    }

    /// After [`Phast::to_destination`]: cost from `home` to the destination.
    pub fn cost_from(&self, g: &Graph, h: &Hierarchy, home: &Snap) -> Option<Cost> {
        self.lane_cost_from(g, h, 0, home)
    }

    /// After [`Phast::from_origin`]: cost from the origin to `home`.
    pub fn cost_to(&self, g: &Graph, h: &Hierarchy, home: &Snap) -> Option<Cost> {
        self.lane_cost_to(g, h, 0, home)
    }
}

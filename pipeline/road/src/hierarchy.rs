//! A contraction hierarchy on the edge-based graph of one profile, for [`crate::phast`] trees.
//!
//! - **Nodes** are the graph's arcs; **edges** are its turns, costed `turn + arc(to)`: the cost of
//!   a path from arc `x` to arc `y` leaves out `x` and counts `y`, which is what a forward search
//!   adds. A reverse search adds `arc(x) + turn` instead, which differs by `arc(x) − arc(y)` on
//!   every path from `x` to `y`: the same shortest paths, so one hierarchy serves both directions
//!   (see [`crate::phast`] for how the reverse labels are shifted back).
//! - Costs are [`Packed`] (weight, length, duration), compared lexicographically: a shortcut is
//!   skipped only when a witness path costs no more *in that order*, so every label of a
//!   hierarchy search equals the plain Dijkstra label, ties included. Turn restrictions and turn
//!   costs are exact because they are edges of this graph.
//! - **Order**: arcs are contracted by priority, edge difference plus deleted neighbours, updated
//!   lazily (recomputed when popped) and for the neighbours of each contracted arc. Witness searches stop after [`WITNESS_SETTLED`] arcs or
//!   [`WITNESS_HOPS`] turns: a witness they miss only adds a shortcut.
//! - **Layout**: arcs are renumbered by level, highest first (then by arc id, so neighbouring roads
//!   stay close in memory), so that the downward sweep of PHAST is one pass over increasing
//!   positions, reading labels of smaller positions. Edges are stored twice, as CSR arrays:
//!   `up` by lower endpoint (leading to smaller positions) and `down` by lower endpoint too
//!   (coming from smaller positions).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::Graph;
use crate::search::{Cost, Packed, UNREACHED};

/// Settled arcs after which a witness search gives up (during contraction).
pub const WITNESS_SETTLED: usize = 400;
/// Settled arcs after which a witness search gives up (when estimating a priority).
pub const WITNESS_SETTLED_ESTIMATE: usize = 30;
/// Turns after which a witness path is not extended.
pub const WITNESS_HOPS: u32 = 12;

/// One edge of the hierarchy as stored: the other endpoint (a position) and the cost of the
/// original path it stands for, `turn + arc(head)` summed along it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChEdge {
    /// Position of the other endpoint.
    pub node: u32,
    /// Weight (ds).
    pub weight_ds: u32,
    /// Length (dm).
    pub dm: u32,
    /// Duration (ds).
    pub duration_ds: u32,
}

impl ChEdge {
    /// The edge's cost, packed.
    #[inline]
    pub fn cost(&self) -> Packed {
        ((self.weight_ds as u128) << 64) | ((self.dm as u128) << 32) | self.duration_ds as u128
    }

    fn new(node: u32, c: Packed) -> ChEdge {
        let c = Cost::unpack(c);
        ChEdge { node, weight_ds: c.weight_ds as u32, dm: c.dm as u32, duration_ds: c.duration_ds as u32 }
    }
}

/// The hierarchy of one graph. See the module documentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hierarchy {
    /// Position of each arc (sweep order: highest level first).
    pub pos: Vec<u32>,
    /// Edges from position `p` to higher arcs (smaller positions): `up[up_first[p]..up_first[p + 1]]`.
    pub up_first: Vec<u32>,
    /// Upward edges, `node` = head.
    pub up: Vec<ChEdge>,
    /// Edges into position `p` from higher arcs: `down[down_first[p]..down_first[p + 1]]`.
    pub down_first: Vec<u32>,
    /// Downward edges, `node` = tail.
    pub down: Vec<ChEdge>,
    /// Shortcuts among the edges (the rest are turns).
    pub shortcuts: usize,
}

impl Hierarchy {
    /// Number of arcs.
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// Whether the graph has no arc.
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// Upward edges of position `p`.
    #[inline]
    pub fn up_of(&self, p: usize) -> &[ChEdge] {
        &self.up[self.up_first[p] as usize..self.up_first[p + 1] as usize]
    }

    /// Downward edges into position `p`.
    #[inline]
    pub fn down_of(&self, p: usize) -> &[ChEdge] {
        &self.down[self.down_first[p] as usize..self.down_first[p + 1] as usize]
    }
}

/// Bounded Dijkstra on the remaining graph, reused across witness searches.
struct Witness {
    dist: Vec<Packed>,
    hops: Vec<u32>,
    /// Whether an arc is a target of the current search (cleared after it).
    target: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Packed, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Witness {
        Witness {
            dist: vec![UNREACHED; n],
            hops: vec![0; n],
            target: vec![false; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Costs from `src` avoiding `avoid`, exact up to `bound` unless a limit stopped the search,
    /// or until every arc marked in `target` (`targets` of them) is settled.
    fn run(&mut self, out: &Lists, src: u32, avoid: u32, bound: Packed, targets: usize, max_settled: usize) {
        for &t in &self.touched {
            self.dist[t as usize] = UNREACHED;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[src as usize] = 0;
        self.hops[src as usize] = 0;
        self.touched.push(src);
        self.heap.push(Reverse((0, src)));
        let mut settled = 0;
        let mut targets_left = targets;
        while let Some(Reverse((d, x))) = self.heap.pop() {
            if d != self.dist[x as usize] {
                continue;
            }
            if d > bound || settled >= max_settled {
                break;
            }
            settled += 1;
            if self.target[x as usize] {
                targets_left -= 1;
                if targets_left == 0 {
                    break;
                }
            }
            let h = self.hops[x as usize] + 1;
            if h > WITNESS_HOPS {
                continue;
            }
            for e in out.get(x) {
                let y = e.node;
                if y == avoid {
                    continue;
                }
                let nd = d + e.cost();
                let slot = &mut self.dist[y as usize];
                if nd < *slot {
                    if *slot == UNREACHED {
                        self.touched.push(y);
                    }
                    *slot = nd;
                    self.hops[y as usize] = h;
                    self.heap.push(Reverse((nd, y)));
                }
            }
        }
    }
}

/// Adjacency lists of every arc in one arena, instead of one heap allocation per arc (a `Vec`
/// per arc and direction costs 24 bytes plus an allocation of at least 64 bytes and its header:
/// over a gigabyte on a country's foot graph). A list lives in `edges[start..start + len]` with
/// room for `cap`; a list that outgrows its room moves to the end of the arena, and the arena is
/// compacted when the space left behind exceeds the live edges. Order within a list is that of
/// a `Vec` (push appends, retain keeps order), so the hierarchy is the same.
struct Lists {
    edges: Vec<ChEdge>,
    start: Vec<u32>,
    len: Vec<u32>,
    cap: Vec<u32>,
    /// Slots no list owns any more.
    garbage: usize,
}

impl Lists {
    /// Lists with room for `room[v]` edges each, laid out in order.
    fn with_room(room: &[u32]) -> Lists {
        let mut start = Vec::with_capacity(room.len());
        let mut at = 0u64;
        for &r in room {
            start.push(u32::try_from(at).expect("fewer than 2^32 edges"));
            at += u64::from(r);
        }
        Lists {
            edges: vec![ChEdge::default(); at as usize],
            start,
            len: vec![0; room.len()],
            cap: room.to_vec(),
            garbage: 0,
        }
    }

    #[inline]
    fn get(&self, v: u32) -> &[ChEdge] {
        let s = self.start[v as usize] as usize;
        &self.edges[s..s + self.len[v as usize] as usize]
    }

    #[inline]
    fn get_mut(&mut self, v: u32) -> &mut [ChEdge] {
        let s = self.start[v as usize] as usize;
        &mut self.edges[s..s + self.len[v as usize] as usize]
    }

    fn push(&mut self, v: u32, e: ChEdge) {
        let vi = v as usize;
        if self.len[vi] == self.cap[vi] {
            if self.garbage > self.edges.len() / 2 {
                self.compact();
            }
            // Move to the end of the arena with twice the room.
            let (s, l) = (self.start[vi] as usize, self.len[vi] as usize);
            let new_cap = (2 * l).max(4);
            let at = self.edges.len();
            self.edges.extend_from_within(s..s + l);
            self.edges.resize(at + new_cap, ChEdge::default());
            self.garbage += self.cap[vi] as usize;
            self.start[vi] = u32::try_from(at).expect("fewer than 2^32 edges");
            self.cap[vi] = new_cap as u32;
        }
        let at = (self.start[vi] + self.len[vi]) as usize;
        self.edges[at] = e;
        self.len[vi] += 1;
    }

    /// Takes the list of `v` out (it is left empty, its room given up).
    fn take(&mut self, v: u32) -> Vec<ChEdge> {
        let list = self.get(v).to_vec();
        let vi = v as usize;
        self.garbage += self.cap[vi] as usize;
        (self.len[vi], self.cap[vi]) = (0, 0);
        list
    }

    /// Keeps the edges of `v`'s list for which `keep` holds, in order.
    fn retain(&mut self, v: u32, keep: impl Fn(&ChEdge) -> bool) {
        let list = self.get_mut(v);
        let mut kept = 0;
        for i in 0..list.len() {
            if keep(&list[i]) {
                list[kept] = list[i];
                kept += 1;
            }
        }
        self.len[v as usize] = kept as u32;
    }

    /// Lays the lists out again end to end, each with room for what it holds.
    fn compact(&mut self) {
        let live: usize = self.len.iter().map(|&l| l as usize).sum();
        let mut edges = Vec::with_capacity(live + live / 4);
        for v in 0..self.start.len() {
            let (s, l) = (self.start[v] as usize, self.len[v] as usize);
            self.start[v] = u32::try_from(edges.len()).expect("fewer than 2^32 edges");
            edges.extend_from_slice(&self.edges[s..s + l]);
            self.cap[v] = l as u32;
        }
        self.edges = edges;
        self.garbage = 0;
    }
}

/// The graph while it is being contracted: remaining edges only, both ways (16 bytes an edge:
/// the other end and the cost's three fields).
struct Remaining {
    out: Lists,
    inn: Lists,
}

impl Remaining {
    /// Shortcuts needed to contract `v`: (from, to, cost), in a deterministic order.
    fn shortcuts(&self, v: u32, w: &mut Witness, max_settled: usize, found: &mut Vec<(u32, u32, Packed)>) {
        found.clear();
        let outs = self.out.get(v);
        for ein in self.inn.get(v) {
            let (u, cu) = (ein.node, ein.cost());
            let bound = outs.iter().filter(|e| e.node != u).map(|e| cu + e.cost()).max();
            let Some(bound) = bound else { continue };
            let mut targets = 0;
            for e in outs {
                if e.node != u {
                    w.target[e.node as usize] = true;
                    targets += 1;
                }
            }
            w.run(&self.out, u, v, bound, targets, max_settled);
            for e in outs {
                let (t, ct) = (e.node, e.cost());
                w.target[t as usize] = false;
                if t != u && w.dist[t as usize] > cu + ct {
                    found.push((u, t, cu + ct));
                }
            }
        }
    }

    fn add(&mut self, u: u32, t: u32, c: Packed) -> bool {
        if let Some(e) = self.out.get_mut(u).iter_mut().find(|e| e.node == t) {
            if c < e.cost() {
                *e = ChEdge::new(t, c);
                let back = self.inn.get_mut(t).iter_mut().find(|e| e.node == u).expect("edges are kept both ways");
                *back = ChEdge::new(u, c);
            }
            false
        } else {
            self.out.push(u, ChEdge::new(t, c));
            self.inn.push(t, ChEdge::new(u, c));
            true
        }
    }
}

/// Priority of contracting `v` now (lower first): twice the edge difference (shortcuts added −
/// edges removed, the former estimated with short witness searches) plus deleted neighbours,
/// which spreads contraction evenly. On the tiled Monaco car graph this gave fewer shortcuts and
/// faster trees than adding the level or weighting the terms otherwise.
fn priority(r: &Remaining, v: u32, w: &mut Witness, deleted: u32, buf: &mut Vec<(u32, u32, Packed)>) -> i64 {
    r.shortcuts(v, w, WITNESS_SETTLED_ESTIMATE, buf);
    let removed = r.out.get(v).len() + r.inn.get(v).len();
    2 * (buf.len() as i64 - removed as i64) + deleted as i64
}

/// Builds the hierarchy of `g` (deterministic: the same graph gives the same hierarchy).
pub fn build(g: &Graph) -> Hierarchy {
    build_counted(g, &|_| {})
}

/// [`build`], calling `done(k)` each time `k` more units of work are done: two units an arc (its
/// initial priority, then its contraction), in batches of about a hundredth of the arcs.
pub(crate) fn build_counted(g: &Graph, done: &dyn Fn(u64)) -> Hierarchy {
    Contraction::new(g).run(done)
}

/// A contraction about to run: the graph's turns copied into the remaining graph, the only thing
/// it reads. The graph itself is no longer needed once this is made, so that a build may write it
/// out and free it while its hierarchy is contracted (a country's foot graph is 1.6 GB).
pub(crate) struct Contraction {
    r: Remaining,
    n: usize,
}

impl Contraction {
    /// The remaining graph of `g` before any arc is contracted.
    pub(crate) fn new(g: &Graph) -> Contraction {
        let n = g.arc_count();
        let arc_cost = |b: usize| Cost::arc(g, b);
        // Room for each arc's turns (loops left out), both ways, before any shortcut.
        let (mut out_room, mut in_room) = (vec![0u32; n], vec![0u32; n]);
        for (a, room) in out_room.iter_mut().enumerate() {
            for t in g.out_first[a] as usize..g.out_first[a + 1] as usize {
                let b = g.out_to[t] as usize;
                if b != a {
                    *room += 1;
                    in_room[b] += 1;
                }
            }
        }
        let mut r = Remaining { out: Lists::with_room(&out_room), inn: Lists::with_room(&in_room) };
        drop((out_room, in_room));
        for a in 0..n {
            for t in g.out_first[a] as usize..g.out_first[a + 1] as usize {
                let b = g.out_to[t];
                if b as usize == a {
                    // A loop never shortens a route.
                    continue;
                }
                let c = Cost::turn(g.out_weight_ds[t], g.out_duration_ds[t]).add(arc_cost(b as usize)).pack();
                r.add(a as u32, b, c);
            }
        }
        Contraction { r, n }
    }

    /// Contracts every arc and lays the hierarchy out, calling `done` as [`build_counted`] says.
    pub(crate) fn run(self, done: &dyn Fn(u64)) -> Hierarchy {
        let Contraction { mut r, n } = self;
        // Units of work between two calls of `done`.
        let batch = (n as u64 / 100).max(1);
        let mut w = Witness::new(n);
        let mut buf = Vec::new();
        let mut deleted = vec![0u32; n];
        let mut level = vec![0u32; n];
        let mut prio: Vec<i64> = Vec::with_capacity(n);
        for v in 0..n as u32 {
            prio.push(priority(&r, v, &mut w, 0, &mut buf));
            if (v as u64 + 1).is_multiple_of(batch) {
                done(batch);
            }
        }
        done(n as u64 % batch);
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = (0..n as u32).map(|v| Reverse((prio[v as usize], v))).collect();
        let mut contracted = vec![false; n];
        // Final edges (tail, head and cost), each recorded when its lower endpoint is contracted.
        let mut fin: Vec<(u32, ChEdge)> = Vec::new();
        let mut shortcuts = 0usize;
        let mut nbrs: Vec<u32> = Vec::new();
        let mut contractions = 0u64;

        while let Some(Reverse((p, v))) = heap.pop() {
            let vi = v as usize;
            if contracted[vi] || p != prio[vi] {
                continue;
            }
            // Lazy update: contract only if v is still (one of) the cheapest.
            let now = priority(&r, v, &mut w, deleted[vi], &mut buf);
            if now != p {
                prio[vi] = now;
                if heap.peek().is_some_and(|&Reverse((top, _))| now > top) {
                    heap.push(Reverse((now, v)));
                    continue;
                }
            }
            r.shortcuts(v, &mut w, WITNESS_SETTLED, &mut buf);
            contracted[vi] = true;
            contractions += 1;
            if contractions.is_multiple_of(batch) {
                done(batch);
            }
            let outs = r.out.take(v);
            let inns = r.inn.take(v);
            nbrs.clear();
            for e in &outs {
                fin.push((v, *e));
                r.inn.retain(e.node, |x| x.node != v);
                nbrs.push(e.node);
            }
            for e in &inns {
                fin.push((e.node, ChEdge { node: v, ..*e }));
                r.out.retain(e.node, |x| x.node != v);
                nbrs.push(e.node);
            }
            for &(u, t, c) in &buf {
                if r.add(u, t, c) {
                    shortcuts += 1;
                }
            }
            nbrs.sort_unstable();
            nbrs.dedup();
            for &x in &nbrs {
                let xi = x as usize;
                deleted[xi] += 1;
                level[xi] = level[xi].max(level[vi] + 1);
                prio[xi] = priority(&r, x, &mut w, deleted[xi], &mut buf);
                heap.push(Reverse((prio[xi], x)));
            }
        }
        done(contractions % batch);
        // The contraction's working memory goes before the layout needs its own.
        drop((r, w, heap, prio, deleted, contracted, buf, nbrs));

        // Positions: level, highest first, then arc id. Every edge joins a lower level to a higher one.
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&a| (Reverse(level[a as usize]), a));
        let mut pos = vec![0u32; n];
        for (i, &a) in order.iter().enumerate() {
            pos[a as usize] = i as u32;
        }
        drop(order);
        // Each final edge belongs to the row of its lower end: upward from the tail's position
        // when the head is higher, else downward into the head's position.
        let row = |&(x, e): &(u32, ChEdge)| -> (bool, u32, ChEdge) {
            let y = e.node;
            let (px, py) = (pos[x as usize], pos[y as usize]);
            debug_assert_ne!(level[x as usize], level[y as usize]);
            if py < px { (true, px, ChEdge { node: py, ..e }) } else { (false, py, ChEdge { node: px, ..e }) }
        };
        // CSR by counting: rows sized first, then the edges dealt into them from the end of
        // `fin`, which gives its memory back as it empties (it and the two CSR arrays are the
        // hierarchy three times over; sorting copies of them, as before, took five).
        let (mut up_first, mut down_first) = (vec![0u32; n + 1], vec![0u32; n + 1]);
        for f in &fin {
            let (is_up, p, _) = row(f);
            let first = if is_up { &mut up_first } else { &mut down_first };
            first[p as usize + 1] += 1;
        }
        for i in 0..n {
            up_first[i + 1] += up_first[i];
            down_first[i + 1] += down_first[i];
        }
        let mut up = vec![ChEdge::default(); up_first[n] as usize];
        let mut down = vec![ChEdge::default(); down_first[n] as usize];
        let (mut up_at, mut down_at) = (up_first.clone(), down_first.clone());
        /// Final edges dealt between two shrinks of `fin`.
        const DEAL: usize = 1 << 20;
        while !fin.is_empty() {
            let from = fin.len().saturating_sub(DEAL);
            for f in fin.drain(from..) {
                let (is_up, p, e) = row(&f);
                let (at, edges) = if is_up { (&mut up_at, &mut up) } else { (&mut down_at, &mut down) };
                edges[at[p as usize] as usize] = e;
                at[p as usize] += 1;
            }
            fin.shrink_to_fit();
        }
        drop((fin, up_at, down_at));
        // Within a row by other end then cost: the order the PHAST sweeps were tuned with (and
        // the same bytes as the former sort of every edge by row, other end and cost).
        for (first, edges) in [(&up_first, &mut up), (&down_first, &mut down)] {
            for p in 0..n {
                edges[first[p] as usize..first[p + 1] as usize].sort_unstable_by_key(|e| (e.node, e.cost()));
            }
        }
        Hierarchy { pos, up_first, up, down_first, down, shortcuts }
    }
}

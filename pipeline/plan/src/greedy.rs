//! Lazy greedy (Minoux 1978; "CELF", Leskovec et al. 2007): opens, one at a time, the candidate
//! with the largest marginal gain.
//!
//! Marginal gains only fall as sites open (submodularity), so a gain computed in an earlier round
//! is an upper bound on today's: candidates sit in a max-heap under their last computed gain, and
//! only the top is re-evaluated until the top is fresh. The result is the plain greedy's, with a
//! handful of evaluations per round instead of one per candidate.
//!
//! Ties: the larger gain first, then the lower candidate index (that is, the lower site id).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::problem::Problem;

/// The greedy's opening order and what each opening added.
#[derive(Clone, Debug, PartialEq)]
pub struct GreedyRun {
    /// Candidate indices in opening order.
    pub order: Vec<u32>,
    /// Marginal gain of each opening, in the objective's units per year.
    pub gains: Vec<f64>,
    /// Gains of every candidate of the pool before any opening (same order as the pool).
    pub initial_gains: Vec<f64>,
    /// Gain evaluations made after the initial pass (the laziness at work).
    pub re_evaluations: usize,
}

#[derive(Clone, Copy, PartialEq)]
struct Entry {
    gain: f64,
    cand: u32,
    round: usize,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        self.gain.total_cmp(&o.gain).then(o.cand.cmp(&self.cand))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Opens `n` candidates greedily among `pool` (all candidates when `None`); stops early when the
/// pool is exhausted. Initial gains are computed in parallel; the output does not depend on the
/// number of threads.
pub fn lazy_greedy(p: &Problem, n: usize, pool: Option<&[u32]>) -> GreedyRun {
    let all: Vec<u32>;
    let pool = match pool {
        Some(pool) => pool,
        None => {
            all = (0..p.n_candidates() as u32).collect();
            &all
        }
    };
    let mut cur = p.base_value.clone();
    let initial_gains: Vec<f64> = pool.par_iter().map(|&c| p.gain(c, &cur)).collect();
    let mut heap: BinaryHeap<Entry> =
        pool.iter().zip(&initial_gains).map(|(&cand, &gain)| Entry { gain, cand, round: 0 }).collect();
    let (mut order, mut gains, mut re_evaluations) = (Vec::new(), Vec::new(), 0);
    while order.len() < n {
        let Some(top) = heap.pop() else { break };
        if top.round == order.len() {
            let (ps, vs) = p.column(top.cand);
            for (&i, &v) in ps.iter().zip(vs) {
                if v > cur[i as usize] {
                    cur[i as usize] = v;
                }
            }
            order.push(top.cand);
            gains.push(top.gain);
        } else {
            re_evaluations += 1;
            heap.push(Entry { gain: p.gain(top.cand, &cur), cand: top.cand, round: order.len() });
        }
    }
    GreedyRun { order, gains, initial_gains, re_evaluations }
}

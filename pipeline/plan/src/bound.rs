//! Online upper bound on the optimum (Nemhauser–Wolsey–Fisher 1978; Leskovec et al. 2007).
//!
//! For any set `S` and the best set `S*` of size `N`, submodularity and monotonicity give
//! `F(S*) ≤ F(S ∪ S*) ≤ F(S) + Σ_{j∈S*∖S} Δ_j(S) ≤ F(S) + (sum of the N largest Δ_j(S))`, where
//! `Δ_j(S) = F(S ∪ {j}) − F(S)`. Every set gives a valid bound; the plan takes the smallest of
//! those of the empty set, the greedy set and the final set.

use crate::problem::Problem;

/// `F(S)` and the bound `F(S) + sum of the n largest marginal gains w.r.t. S`, with every
/// candidate's marginal gain w.r.t. `S` (0 for members of `S`).
pub fn bound_at(p: &Problem, set: &[u32], n: usize) -> (f64, f64, Vec<f64>) {
    let cur = p.current(set);
    let f: f64 = cur.iter().map(|&v| v as f64).sum();
    let gains = p.all_gains(&cur);
    (f, f + top_sum(&gains, n), gains)
}

/// Sum of the `n` largest values.
pub(crate) fn top_sum(values: &[f64], n: usize) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    v.iter().take(n).sum()
}

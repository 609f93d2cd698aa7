//! Online upper bound on the optimum (Nemhauser–Wolsey–Fisher 1978; Leskovec et al. 2007).
//!
//! For any set `S` and the best set `S*` of size `N`, submodularity and monotonicity give
//! `F(S*) ≤ F(S ∪ S*) ≤ F(S) + Σ_{j∈S*∖S} Δ_j(S) ≤ F(S) + (sum of the N largest Δ_j(S))`, where
//! `Δ_j(S) = F(S ∪ {j}) − F(S)`. Every set gives a valid bound; the plan takes the smallest of
//! those of the empty set, the greedy set and the final set.

use rayon::prelude::*;

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

/// Lagrangian (LP) bound by projected subgradient, started from `set`; never above
/// [`bound_at`]`(set)`.
///
/// Write `w_ij = v_ij − b_i > 0` for the candidate entries that beat the baseline. The best set
/// solves `max Σ w_ij x_ij` subject to `Σ_j x_ij ≤ 1`, `x_ij ≤ y_j`, `Σ y_j ≤ N`. Relaxing each
/// person's `Σ_j x_ij ≤ 1` with a multiplier `u_i ≥ 0` gives, for every `u ≥ 0`,
/// `F* ≤ L(u) = F(∅) + Σ_i u_i + (sum of the N largest ρ_j(u))`, `ρ_j(u) = Σ_i max(0, w_ij − u_i)`.
/// With `u_i` = person `i`'s gain under `set`, `L(u)` is exactly the marginal-gain bound of
/// [`bound_at`]; the subgradient steps (`g_i = 1 −` number of top-N sites where `w_ij > u_i`, Polyak
/// step towards `F(set)`, halved after 5 steps without progress; stops when the step factor falls
/// under 1e-6 or the bound meets `F(set)`) lower it towards the LP bound.
/// Every `L(u)` is a valid bound, so the smallest seen is returned. Each step is one parallel pass
/// over the candidate entries; the result does not depend on the number of threads.
pub fn lagrangian_bound(p: &Problem, set: &[u32], n: usize, iterations: usize) -> f64 {
    let cur = p.current(set);
    let f_set: f64 = cur.iter().map(|&v| v as f64).sum();
    let f0 = p.baseline();
    let mut u: Vec<f64> = cur.iter().zip(&p.base_value).map(|(&c, &b)| c as f64 - b as f64).collect();
    let mut best = f64::INFINITY;
    let (mut theta, mut stalled) = (1.0f64, 0);
    let mut g = vec![0.0f64; u.len()];
    for _ in 0..iterations.max(1) {
        // A person's value must beat baseline + multiplier to count: one array read per entry.
        let floor: Vec<f64> = p.base_value.par_iter().zip(&u).map(|(&b, &ui)| b as f64 + ui).collect();
        let rho: Vec<f64> = (0..p.n_candidates() as u32)
            .into_par_iter()
            .map(|c| {
                let (ps, vs) = p.column(c);
                ps.iter().zip(vs).map(|(&i, &v)| (v as f64 - floor[i as usize]).max(0.0)).sum()
            })
            .collect();
        let mut top: Vec<u32> = (0..rho.len() as u32).collect();
        top.sort_by(|&a, &b| rho[b as usize].total_cmp(&rho[a as usize]).then(a.cmp(&b)));
        top.truncate(n);
        let l = f0 + u.iter().sum::<f64>() + top.iter().map(|&c| rho[c as usize]).sum::<f64>();
        if best.is_infinite() || l < best - 1e-12 * best.abs().max(1.0) {
            best = l;
            stalled = 0;
        } else {
            stalled += 1;
            if stalled >= 5 {
                theta /= 2.0;
                stalled = 0;
            }
        }
        if best - f_set <= 1e-9 * best.abs().max(1.0) || theta < 1e-6 {
            break;
        }
        g.iter_mut().for_each(|x| *x = 1.0);
        for &c in &top {
            let (ps, vs) = p.column(c);
            for (&i, &v) in ps.iter().zip(vs) {
                if v as f64 > floor[i as usize] {
                    g[i as usize] -= 1.0;
                }
            }
        }
        // Projected subgradient: a multiplier at 0 that would go below stays out of the norm.
        for (gi, ui) in g.iter_mut().zip(&u) {
            if *ui <= 0.0 && *gi > 0.0 {
                *gi = 0.0;
            }
        }
        let norm2: f64 = g.iter().map(|x| x * x).sum();
        if norm2 == 0.0 {
            break;
        }
        let step = theta * (l - f_set).max(0.0) / norm2;
        for (ui, gi) in u.iter_mut().zip(&g) {
            *ui = (*ui - step * gi).max(0.0);
        }
    }
    best.max(f_set)
}

//! Swap pass (vertex substitution, Teitz–Bart 1968) with Whitaker's fast interchange (1983, as
//! described by Resende–Werneck 2007): exchanges one chosen site for one unchosen while that
//! raises `F`, best exchange first, until none does.
//!
//! For each person keep `d1` (best value over the chosen set and the baseline), `s1` (the chosen
//! site giving it, or none) and `d2` (the second best, baseline included). Removing chosen site
//! `o` alone loses `L(o) = Σ_{s1=o} (d1 − d2)`; adding `c` alone gains `G(c) = Σ max(0, v_ic − d1)`.
//! Doing both changes `F` by `G(c) − L(o) + X(c, o)`, where the correction
//! `X(c, o) = Σ_{i: s1=o, v_ic>d2} (min(v_ic, d1) − d2)` gives back what `c` covers of the loss.
//! One pass over `c`'s column yields `G(c)` and `X(c, ·)` for every `o`, so a whole round costs one
//! pass over the candidate entries plus `|C| × N`. Rounds run candidates in parallel and pick the
//! best exchange with a total order (largest gain, then lowest candidate, then lowest position),
//! so the result does not depend on the number of threads.

use rayon::prelude::*;

use crate::problem::Problem;

const NO_SLOT: u32 = u32::MAX;

/// Improves `set` (candidate indices) in place by single exchanges until no exchange raises `F`
/// by more than a relative 1e-9, or `max_swaps` exchanges were made. Returns the exchanges made.
/// A swapped-in site takes the position of the one it replaces.
pub fn fast_interchange(p: &Problem, set: &mut [u32], max_swaps: usize) -> usize {
    let n = set.len();
    let mut swaps = 0;
    while swaps < max_swaps && n > 0 {
        let mut d1 = p.base_value.clone();
        let mut d2 = p.base_value.clone();
        let mut s1 = vec![NO_SLOT; d1.len()];
        let mut in_set = vec![false; p.n_candidates()];
        for (k, &c) in set.iter().enumerate() {
            in_set[c as usize] = true;
            let (ps, vs) = p.column(c);
            for (&i, &v) in ps.iter().zip(vs) {
                let i = i as usize;
                if v > d1[i] {
                    d2[i] = d1[i];
                    d1[i] = v;
                    s1[i] = k as u32;
                } else if v > d2[i] {
                    d2[i] = v;
                }
            }
        }
        let mut loss = vec![0.0f64; n];
        for i in 0..d1.len() {
            if s1[i] != NO_SLOT {
                loss[s1[i] as usize] += d1[i] as f64 - d2[i] as f64;
            }
        }
        let total: f64 = d1.iter().map(|&v| v as f64).sum();
        let best = (0..p.n_candidates() as u32)
            .into_par_iter()
            .filter(|&c| !in_set[c as usize])
            .map_init(
                || vec![0.0f64; n],
                |extra, c| {
                    extra.iter_mut().for_each(|x| *x = 0.0);
                    let (ps, vs) = p.column(c);
                    let mut add = 0.0f64;
                    for (&i, &v) in ps.iter().zip(vs) {
                        let i = i as usize;
                        add += (v as f64 - d1[i] as f64).max(0.0);
                        if s1[i] != NO_SLOT && v > d2[i] {
                            extra[s1[i] as usize] += v.min(d1[i]) as f64 - d2[i] as f64;
                        }
                    }
                    let (k, x) = (0..n)
                        .map(|k| (k, extra[k] - loss[k]))
                        .fold((0, f64::NEG_INFINITY), |b, x| if x.1 > b.1 { x } else { b });
                    (add + x, c, k)
                },
            )
            .reduce(
                || (f64::NEG_INFINITY, u32::MAX, usize::MAX),
                |a, b| match a.0.total_cmp(&b.0) {
                    std::cmp::Ordering::Greater => a,
                    std::cmp::Ordering::Less => b,
                    std::cmp::Ordering::Equal => {
                        if (a.1, a.2) <= (b.1, b.2) {
                            a
                        } else {
                            b
                        }
                    }
                },
            );
        if best.1 == u32::MAX || best.0 <= 1e-9 * total.abs().max(1e-12) {
            break;
        }
        set[best.2] = best.1;
        swaps += 1;
    }
    swaps
}

//! Site-planning benchmark: a synthetic country-size study, then each solver phase and the whole
//! `plan` timed, with peak memory.
//!
//! ```text
//! cargo bench --profile dev -p navette-plan --bench plan       # 100,000 persons × 2,000 candidates
//! NAVETTE_PLAN_PERSONS=20000 NAVETTE_PLAN_CANDIDATES=500 NAVETTE_PLAN_ADD=10 cargo bench ...
//! ```
//! Knobs: `NAVETTE_PLAN_PERSONS`, `_CANDIDATES`, `_EXISTING` (8), `_ADD` (25), `_CUTOFF_KM` (30),
//! `_SEED` (1), `_THREADS` (rayon's default), `_BOUND_STEPS` (200, the Lagrangian bound's steps).
//!
//! Synthetic study on a 250 km × 150 km rectangle (about Belgium's area): 12 towns of decreasing
//! size; 70 % of homes scattered around a town (normal, σ 12 km), 30 % anywhere; offices 3 km
//! around a town; 60 % work in the town nearest home, the others in a town drawn by size. Sites:
//! half around towns (σ 15 km), half anywhere. A person lists a site within the cutoff of home
//! whose round trip is at least 2 km shorter than the office's (detour 1.3); 70 % commute by car
//! (0.17 kg CO2e/km), 30 % by train (0.03 kg/km); 50 km/h door to door. Uptake: 90 days a year
//! at most, rate 1.5 per hour saved.

use std::time::Instant;

use navette_plan::greedy::lazy_greedy;
use navette_plan::swap::fast_interchange;
use navette_plan::{Demand, Measure, PlanConfig, Problem, Saving, Site, SiteKind, Uptake, bound, plan};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

type Pt = (f64, f64);

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt() * (std::f64::consts::TAU * rng.random::<f64>()).cos()
}

fn dist(a: Pt, b: Pt) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn study(persons: usize, existing: usize, candidates: usize, cutoff_km: f64, seed: u64) -> (Demand, Vec<Site>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (w, h) = (250.0, 150.0);
    let towns: Vec<Pt> = (0..12).map(|_| (rng.random::<f64>() * w, rng.random::<f64>() * h)).collect();
    let size: Vec<f64> = (0..towns.len()).map(|k| 1.0 / (k as f64 + 1.0)).collect();
    let total: f64 = size.iter().sum();
    let pick_town = |rng: &mut ChaCha8Rng| {
        let mut x = rng.random::<f64>() * total;
        for (k, s) in size.iter().enumerate() {
            if x < *s {
                return k;
            }
            x -= s;
        }
        size.len() - 1
    };
    let around = |rng: &mut ChaCha8Rng, c: Pt, sd: f64| {
        ((c.0 + sd * normal(rng)).clamp(0.0, w), (c.1 + sd * normal(rng)).clamp(0.0, h))
    };
    let mut where_ = Vec::new();
    let mut sites = Vec::new();
    for s in 0..existing + candidates {
        let p = if s % 2 == 0 {
            let t = towns[pick_town(&mut rng)];
            around(&mut rng, t, 15.0)
        } else {
            (rng.random::<f64>() * w, rng.random::<f64>() * h)
        };
        where_.push(p);
        let kind = if s < existing { SiteKind::Existing } else { SiteKind::Candidate };
        sites.push(Site { kind, desks: Some(rng.random_range(10..60)) });
    }
    // Sites by 10 km cell, so each home looks only at the cells within the cutoff.
    let cell = 10.0;
    let (cw, ch) = ((w / cell) as usize + 1, (h / cell) as usize + 1);
    let mut grid = vec![Vec::new(); cw * ch];
    for (s, p) in where_.iter().enumerate() {
        grid[(p.1 / cell) as usize * cw + (p.0 / cell) as usize].push(s as u32);
    }
    let reach = (cutoff_km / cell).ceil() as isize;
    let mut demand = Demand::new(sites.len() as u32);
    let mut row = Vec::new();
    for _ in 0..persons {
        let home = if rng.random::<f64>() < 0.7 {
            let t = towns[pick_town(&mut rng)];
            around(&mut rng, t, 12.0)
        } else {
            (rng.random::<f64>() * w, rng.random::<f64>() * h)
        };
        let town = if rng.random::<f64>() < 0.6 {
            (0..towns.len()).min_by(|&a, &b| dist(home, towns[a]).total_cmp(&dist(home, towns[b]))).unwrap_or(0)
        } else {
            pick_town(&mut rng)
        };
        let office = around(&mut rng, towns[town], 3.0);
        let d_office = dist(home, office);
        let kg_per_km = if rng.random::<f64>() < 0.7 { 0.17 } else { 0.03 };
        row.clear();
        let (hx, hy) = ((home.0 / cell) as isize, (home.1 / cell) as isize);
        for gy in (hy - reach).max(0)..=(hy + reach).min(ch as isize - 1) {
            for gx in (hx - reach).max(0)..=(hx + reach).min(cw as isize - 1) {
                for &s in &grid[gy as usize * cw + gx as usize] {
                    let d = dist(home, where_[s as usize]);
                    let km = 2.0 * 1.3 * (d_office - d);
                    if d <= cutoff_km && km >= 2.0 {
                        let km = km as f32;
                        row.push((s, Saving { co2e_kg: kg_per_km * km, km, hours: km / 50.0 }));
                    }
                }
            }
        }
        demand.push_person(1.0, &row).expect("valid row");
    }
    (demand, sites)
}

fn main() {
    let persons = env("NAVETTE_PLAN_PERSONS", 100_000usize);
    let candidates = env("NAVETTE_PLAN_CANDIDATES", 2_000usize);
    let existing = env("NAVETTE_PLAN_EXISTING", 8usize);
    let add = env("NAVETTE_PLAN_ADD", 25usize);
    let cutoff = env("NAVETTE_PLAN_CUTOFF_KM", 30.0f64);
    let seed = env("NAVETTE_PLAN_SEED", 1u64);
    let steps = env("NAVETTE_PLAN_BOUND_STEPS", 200usize);
    if let Some(t) = std::env::var("NAVETTE_PLAN_THREADS").ok().and_then(|v| v.parse().ok()) {
        rayon::ThreadPoolBuilder::new().num_threads(t).build_global().expect("thread pool");
    }
    let t = Instant::now();
    let (demand, sites) = study(persons, existing, candidates, cutoff, seed);
    println!(
        "study: {persons} persons × {candidates} candidates + {existing} existing, cutoff {cutoff} km: \
         {} entries ({:.1} per person), {:.0} MiB, generated in {:.2} s",
        demand.nnz(),
        demand.nnz() as f64 / persons as f64,
        demand.heap_bytes() as f64 / (1 << 20) as f64,
        t.elapsed().as_secs_f64()
    );
    println!("threads: {}", rayon::current_num_threads());
    let uptake = Uptake::Saturating { max_days_per_year: 90.0, rate: 1.5 };
    println!("peak RSS after generation: {:.0} MiB", peak_rss_mib());

    // Phases one by one.
    {
        let t = Instant::now();
        let p = Problem::new(&demand, &sites, &uptake, Measure::Hours, Measure::Co2e).expect("problem");
        let prepare = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let g = lazy_greedy(&p, add, None);
        let greedy = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut set = g.order.clone();
        let swaps = fast_interchange(&p, &mut set, usize::MAX);
        let swap = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (f, ub, _) = bound::bound_at(&p, &set, add);
        let bound_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let lagrange = bound::lagrangian_bound(&p, &set, add, steps);
        let lagrange_s = t.elapsed().as_secs_f64();
        println!(
            "prepare {prepare:.2} s ({} useful entries, {:.0} MiB) | lazy greedy {greedy:.3} s ({} re-evaluations) | \
             swap {swap:.2} s ({swaps} exchanges) | marginal bound {bound_s:.3} s | Lagrangian bound ({steps} steps) {lagrange_s:.2} s",
            p.useful_entries(),
            p.heap_bytes() as f64 / (1 << 20) as f64,
            g.re_evaluations,
        );
        println!(
            "F(∅) {:.0} kg/yr, greedy {:.0}, after swap {f:.0}, marginal bound {ub:.0}, Lagrangian bound {lagrange:.0}",
            p.baseline(),
            p.objective_of(&g.order)
        );
    }

    // The whole plan, outputs included.
    let t = Instant::now();
    let cfg = PlanConfig { bound_iterations: steps, ..PlanConfig::new(add, uptake, 220.0) };
    let out = plan(&demand, &sites, &cfg).expect("plan");
    let s = &out.summary;
    println!(
        "plan (add {add}): {:.2} s; chosen {:.0} kg/yr over existing {:.0}; max gap {:.3} %; {} swaps; \
         {} sites over capacity; {} persons with a site",
        t.elapsed().as_secs_f64(),
        s.chosen_objective,
        s.baseline_objective,
        s.max_gap_pct,
        s.swaps,
        s.sites_over_capacity,
        out.persons.len()
    );
    println!("peak RSS: {:.0} MiB", peak_rss_mib());
}

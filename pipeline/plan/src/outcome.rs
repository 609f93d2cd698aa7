//! The plan: the solver's steps chained (greedy → swap → order → bound) and what the chosen set
//! means per candidate, per existing site and per person, with the capacity ceiling applied.

use rayon::prelude::*;

use crate::bound::{bound_at, lagrangian_bound, top_sum};
use crate::demand::{Demand, Measure, Site, SiteKind};
use crate::greedy::lazy_greedy;
use crate::problem::{NONE, Problem, Use};
use crate::swap::fast_interchange;
use crate::{PlanConfig, PlanError};

/// One candidate site in the plan.
///
/// For a chosen site, `marginal_*` is what it adds when it opens in `open_order` (after the sites
/// before it); the other fields describe the final state with every chosen site open. For a site
/// not chosen, every field describes what would happen if it were added to the chosen set.
#[derive(Clone, Debug, PartialEq)]
pub struct CandidateOutcome {
    /// Site id.
    pub site: u32,
    /// In the chosen set.
    pub chosen: bool,
    /// 1…N for chosen sites, `None` otherwise.
    pub open_order: Option<u32>,
    /// kg CO2e avoided per year that the site adds (see the type's docs for "adds").
    pub marginal_co2e_kg_per_year: f64,
    /// Person-km avoided per year that the site adds.
    pub marginal_km_per_year: f64,
    /// Hours saved per year that the site adds.
    pub marginal_hours_per_year: f64,
    /// The objective's gain (equal to `marginal_co2e_kg_per_year` with the CO2e objective).
    pub marginal_objective_per_year: f64,
    /// Persons using the site (sum of row weights).
    pub expected_users: f64,
    /// Center days per year its users would spend there (demand, before the capacity ceiling).
    pub expected_center_days_per_year: f64,
    /// Center days per year after the ceiling: `min(demand, capacity)`.
    pub served_center_days_per_year: f64,
    /// Desks × working days per year; `None` when desks are unknown.
    pub capacity_days_per_year: Option<f64>,
    /// Demand / capacity × 100 (above 100 when over capacity); `None` when desks are unknown.
    pub desk_use_pct: Option<f64>,
    /// Demand above the ceiling (its users' days were scaled down to fit).
    pub over_capacity: bool,
    /// kg CO2e per year its users avoided at an existing site before any new site (cannibalisation).
    pub taken_from_existing_co2e_kg_per_year: f64,
    /// Persons among its users who would otherwise use an existing site.
    pub taken_from_existing_users: f64,
}

/// One existing site, before (existing sites only) and after the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct ExistingOutcome {
    /// Site id.
    pub site: u32,
    /// Persons using it with no new site.
    pub users_before: f64,
    /// Persons using it with the chosen sites open.
    pub users_after: f64,
    /// Center days per year (demand) with no new site.
    pub center_days_before: f64,
    /// Center days per year (demand) with the chosen sites open.
    pub center_days_after: f64,
    /// kg CO2e avoided per year by its users with no new site (before the ceiling).
    pub co2e_kg_per_year_before: f64,
    /// kg CO2e avoided per year by its users with the chosen sites open (before the ceiling).
    pub co2e_kg_per_year_after: f64,
    /// Desks × working days per year; `None` when desks are unknown.
    pub capacity_days_per_year: Option<f64>,
    /// Demand / capacity × 100 with the chosen sites open.
    pub desk_use_pct_after: Option<f64>,
    /// Demand above the ceiling with the chosen sites open.
    pub over_capacity_after: bool,
}

/// Expected use of one person (row) with the chosen sites open. Persons who use no site are left
/// out.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonUse {
    /// Row id in the demand.
    pub person: u32,
    /// The site used (the best open one for the objective).
    pub site: u32,
    /// The existing site used with no new site, if any.
    pub baseline_site: Option<u32>,
    /// Center days per year (the row weight included), before the ceiling.
    pub center_days_per_year: f64,
    /// Center days per year after the site's ceiling (scaled by capacity / demand when over).
    pub served_center_days_per_year: f64,
    /// kg CO2e avoided per year, before the ceiling.
    pub co2e_kg_per_year: f64,
    /// Person-km avoided per year, before the ceiling.
    pub km_per_year: f64,
    /// Hours saved per year, before the ceiling.
    pub hours_per_year: f64,
}

/// Figures about the whole plan and the solver.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanSummary {
    /// The measure the solver maximised.
    pub objective: Measure,
    /// `F(∅)`: objective per year of the existing sites alone.
    pub baseline_objective: f64,
    /// `F` of the plain greedy set.
    pub greedy_objective: f64,
    /// `F` of the chosen set (after the swap pass).
    pub chosen_objective: f64,
    /// Upper bound on `F` of the best set of the same size: the smaller of the Lagrangian bound
    /// and `marginal_upper_bound`.
    pub upper_bound: f64,
    /// The marginal-gain bound alone: the smallest `F(S) + N largest Δ_j(S)` over the empty,
    /// greedy and chosen sets.
    pub marginal_upper_bound: f64,
    /// At most this share (%) of the best possible added value is missed:
    /// `100 · (upper_bound − chosen) / (upper_bound − baseline)`, 0 when nothing can be added.
    pub max_gap_pct: f64,
    /// Exchanges made by the swap pass.
    pub swaps: usize,
    /// The plain greedy's opening order (site ids), before the swap pass.
    pub greedy_order: Vec<u32>,
    /// Lazy re-evaluations of the greedy (all candidates are evaluated once besides).
    pub greedy_re_evaluations: usize,
    /// Candidate entries that can beat a person's baseline (the solver's working set).
    pub useful_entries: usize,
    /// kg CO2e avoided per year with existing sites only, before the ceiling.
    pub co2e_kg_per_year_existing: f64,
    /// kg CO2e avoided per year with the chosen sites open, before the ceiling.
    pub co2e_kg_per_year_plan: f64,
    /// The same after each site's ceiling (demand at over-full sites scaled down).
    pub co2e_kg_per_year_plan_capped: f64,
    /// Sites (existing or chosen) over capacity with the chosen sites open.
    pub sites_over_capacity: usize,
}

/// The answer of [`plan`]: candidates (ascending site id), existing sites, persons, summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Every candidate site, chosen or not, by site id.
    pub candidates: Vec<CandidateOutcome>,
    /// Every existing site, by site id.
    pub existing: Vec<ExistingOutcome>,
    /// Expected use per person and site (persons using a site, by row id).
    pub persons: Vec<PersonUse>,
    /// Solver and totals.
    pub summary: PlanSummary,
}

/// Chooses `cfg.add` candidate sites and describes the result: lazy greedy from the existing
/// sites, swap pass on the greedy set, the final set ordered by a greedy restricted to it (so
/// marginal gains add up to the set's value), the upper bound, then the capacity ceiling.
///
/// The first `k` sites of the order are not necessarily the set chosen with `add = k`; with
/// `max_swaps = 0` the order is the plain greedy one, nested by construction.
pub fn plan(demand: &Demand, sites: &[Site], cfg: &PlanConfig) -> Result<Plan, PlanError> {
    let p = prepare(demand, sites, cfg)?;
    if cfg.add > p.n_candidates() {
        return Err(PlanError::TooManyToAdd { add: cfg.add, candidates: p.n_candidates() });
    }
    let n = cfg.add;
    let greedy = lazy_greedy(&p, n, None);
    let bound_empty = p.baseline() + top_sum(&greedy.initial_gains, n);
    let (greedy_f, bound_greedy, _) = bound_at(&p, &greedy.order, n);
    let mut set = greedy.order.clone();
    let swaps = fast_interchange(&p, &mut set, cfg.max_swaps);
    set.sort_unstable();
    let order = lazy_greedy(&p, n, Some(&set)).order;
    let solver = Solver {
        greedy_objective: greedy_f,
        greedy_order: greedy.order.iter().map(|&c| p.candidate_site(c)).collect(),
        greedy_re_evaluations: greedy.re_evaluations,
        swaps,
        other_bound: bound_empty.min(bound_greedy),
    };
    Ok(describe(&p, sites, cfg, &order, solver))
}

/// Describes a given opening order (candidate site ids, first opened first) without choosing:
/// the same outputs as [`plan`] for that set, with its bound (how far it is from the best set of
/// its size). For announced plans, and for the spread of a chosen plan under other uptakes or
/// factors. `cfg.add`, `cfg.max_swaps` are not used; the summary's greedy fields describe the
/// given order (no swaps).
pub fn evaluate(demand: &Demand, sites: &[Site], cfg: &PlanConfig, open: &[u32]) -> Result<Plan, PlanError> {
    let p = prepare(demand, sites, cfg)?;
    let mut order = Vec::with_capacity(open.len());
    for &site in open {
        match p.candidate_index(site) {
            Some(c) if !order.contains(&c) => order.push(c),
            _ => return Err(PlanError::NotACandidate { site }),
        }
    }
    let solver = Solver {
        greedy_objective: p.objective_of(&order),
        greedy_order: open.to_vec(),
        greedy_re_evaluations: 0,
        swaps: 0,
        other_bound: f64::INFINITY,
    };
    Ok(describe(&p, sites, cfg, &order, solver))
}

fn prepare<'a>(demand: &'a Demand, sites: &[Site], cfg: &'a PlanConfig) -> Result<Problem<'a>, PlanError> {
    if !(cfg.working_days_per_year.is_finite() && cfg.working_days_per_year >= 0.0) {
        return Err(PlanError::Config("working_days_per_year must be a finite number ≥ 0"));
    }
    cfg.uptake.check()?;
    Problem::new(demand, sites, &cfg.uptake, cfg.uptake_driver, cfg.objective)
}

/// What the solver did before [`describe`].
struct Solver {
    greedy_objective: f64,
    greedy_order: Vec<u32>,
    greedy_re_evaluations: usize,
    swaps: usize,
    /// Bounds found on the way (the empty and greedy sets'), or infinity.
    other_bound: f64,
}

/// Every output for the candidates `order` (indices, opening order): marginal figures along the
/// order, the final state, "if added" figures for the others, capacity, bound.
fn describe(p: &Problem, sites: &[Site], cfg: &PlanConfig, order: &[u32], solver: Solver) -> Plan {
    let demand = p.demand;
    let n = order.len();
    let f0 = p.baseline();
    let (chosen_f, bound_final, _) = bound_at(p, order, n);
    let marginal_upper_bound = solver.other_bound.min(bound_final).max(chosen_f);
    let upper_bound = if cfg.bound_iterations > 0 {
        lagrangian_bound(p, order, n, cfg.bound_iterations).min(marginal_upper_bound)
    } else {
        marginal_upper_bound
    };
    let max_gap_pct =
        if upper_bound > f0 { 100.0 * (upper_bound - chosen_f).max(0.0) / (upper_bound - f0) } else { 0.0 };

    // Replay the opening order: marginal figures, each person's final site.
    let npers = demand.n_persons();
    let mut cur_v = p.base_value.clone();
    let mut cur_e = p.base_entry.clone();
    let mut marginal = vec![Use::default(); p.n_candidates()];
    let mut marginal_obj = vec![0.0f64; p.n_candidates()];
    for &c in order {
        let (ps, vs) = p.column(c);
        for ((&i, &v), &e) in ps.iter().zip(vs).zip(p.column_entries(c)) {
            if v > cur_v[i as usize] {
                let e = e as usize;
                marginal[c as usize].add(&p.use_of(i, e), 1.0);
                marginal[c as usize].add(&p.use_of(i, cur_e[i as usize]), -1.0);
                marginal_obj[c as usize] += v as f64 - cur_v[i as usize] as f64;
                cur_v[i as usize] = v;
                cur_e[i as usize] = e;
            }
        }
    }

    // Final state per site, and what chosen sites took from existing ones.
    let mut after = vec![Use::default(); sites.len()];
    let mut before = vec![Use::default(); sites.len()];
    let mut taken = vec![(0.0f64, 0.0f64); sites.len()];
    for i in 0..npers as u32 {
        let (b, e) = (p.base_entry[i as usize], cur_e[i as usize]);
        if b != NONE {
            before[demand.site_at(b) as usize].add(&p.use_of(i, b), 1.0);
        }
        if e != NONE {
            let s = demand.site_at(e) as usize;
            after[s].add(&p.use_of(i, e), 1.0);
            if b != NONE && sites[s].kind == SiteKind::Candidate {
                let u = p.use_of(i, b);
                taken[s].0 += u.co2e_kg;
                taken[s].1 += u.users;
            }
        }
    }

    // Sites not chosen: what each would do if added to the chosen set.
    let mut chosen = vec![false; p.n_candidates()];
    let mut open_order = vec![None; p.n_candidates()];
    for (k, &c) in order.iter().enumerate() {
        chosen[c as usize] = true;
        open_order[c as usize] = Some(k as u32 + 1);
    }
    // Each person's current use and baseline CO2e, in small arrays: the loop below then reads the
    // big demand arrays only in column order.
    let cur_use: Vec<Use> = (0..npers as u32).into_par_iter().map(|i| p.use_of(i, cur_e[i as usize])).collect();
    let base_use: Vec<Use> = (0..npers as u32).into_par_iter().map(|i| p.use_of(i, p.base_entry[i as usize])).collect();
    let if_added: Vec<(Use, Use, f64, (f64, f64))> = (0..p.n_candidates() as u32)
        .into_par_iter()
        .map(|c| {
            let (mut delta, mut users, mut obj, mut took) = (Use::default(), Use::default(), 0.0, (0.0, 0.0));
            if !chosen[c as usize] {
                let (ps, vs) = p.column(c);
                for ((&i, &v), &e) in ps.iter().zip(vs).zip(p.column_entries(c)) {
                    let i = i as usize;
                    if v > cur_v[i] {
                        let u = p.use_of(i as u32, e as usize);
                        delta.add(&u, 1.0);
                        delta.add(&cur_use[i], -1.0);
                        users.add(&u, 1.0);
                        obj += v as f64 - cur_v[i] as f64;
                        if p.base_entry[i] != NONE {
                            took.0 += base_use[i].co2e_kg;
                            took.1 += base_use[i].users;
                        }
                    }
                }
            }
            (delta, users, obj, took)
        })
        .collect();

    let capacity = |s: usize| sites[s].desks.map(|d| d as f64 * cfg.working_days_per_year);
    let pct = |days: f64, cap: Option<f64>| {
        cap.map(|k| {
            if k > 0.0 {
                100.0 * days / k
            } else if days > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        })
    };
    let scale = |days: f64, cap: Option<f64>| match cap {
        Some(k) if days > k => k / days,
        _ => 1.0,
    };

    let mut candidates = Vec::with_capacity(p.n_candidates());
    for c in 0..p.n_candidates() {
        let s = p.candidate_site(c as u32) as usize;
        let cap = capacity(s);
        let (m, users, obj, took) = if chosen[c] {
            (marginal[c], after[s], marginal_obj[c], taken[s])
        } else {
            let (d, u, o, t) = if_added[c];
            (d, u, o, t)
        };
        candidates.push(CandidateOutcome {
            site: s as u32,
            chosen: chosen[c],
            open_order: open_order[c],
            marginal_co2e_kg_per_year: m.co2e_kg,
            marginal_km_per_year: m.km,
            marginal_hours_per_year: m.hours,
            marginal_objective_per_year: obj,
            expected_users: users.users,
            expected_center_days_per_year: users.days,
            served_center_days_per_year: users.days * scale(users.days, cap),
            capacity_days_per_year: cap,
            desk_use_pct: pct(users.days, cap),
            over_capacity: scale(users.days, cap) < 1.0,
            taken_from_existing_co2e_kg_per_year: took.0,
            taken_from_existing_users: took.1,
        });
    }
    let existing: Vec<ExistingOutcome> = (0..sites.len())
        .filter(|&s| sites[s].kind == SiteKind::Existing)
        .map(|s| ExistingOutcome {
            site: s as u32,
            users_before: before[s].users,
            users_after: after[s].users,
            center_days_before: before[s].days,
            center_days_after: after[s].days,
            co2e_kg_per_year_before: before[s].co2e_kg,
            co2e_kg_per_year_after: after[s].co2e_kg,
            capacity_days_per_year: capacity(s),
            desk_use_pct_after: pct(after[s].days, capacity(s)),
            over_capacity_after: scale(after[s].days, capacity(s)) < 1.0,
        })
        .collect();
    let site_scale: Vec<f64> = (0..sites.len()).map(|s| scale(after[s].days, capacity(s))).collect();
    let persons: Vec<PersonUse> = (0..npers as u32)
        .filter(|&i| cur_e[i as usize] != NONE)
        .map(|i| {
            let e = cur_e[i as usize];
            let site = demand.site_at(e);
            let u = p.use_of(i, e);
            let b = p.base_entry[i as usize];
            PersonUse {
                person: i,
                site,
                baseline_site: (b != NONE).then(|| demand.site_at(b)),
                center_days_per_year: u.days,
                served_center_days_per_year: u.days * site_scale[site as usize],
                co2e_kg_per_year: u.co2e_kg,
                km_per_year: u.km,
                hours_per_year: u.hours,
            }
        })
        .collect();
    let summary = PlanSummary {
        objective: cfg.objective,
        baseline_objective: f0,
        greedy_objective: solver.greedy_objective,
        chosen_objective: chosen_f,
        upper_bound,
        marginal_upper_bound,
        max_gap_pct,
        swaps: solver.swaps,
        greedy_order: solver.greedy_order,
        greedy_re_evaluations: solver.greedy_re_evaluations,
        useful_entries: p.useful_entries(),
        co2e_kg_per_year_existing: before.iter().map(|u| u.co2e_kg).sum(),
        co2e_kg_per_year_plan: after.iter().map(|u| u.co2e_kg).sum(),
        co2e_kg_per_year_plan_capped: after.iter().zip(&site_scale).map(|(u, r)| u.co2e_kg * r).sum(),
        sites_over_capacity: site_scale.iter().filter(|&&r| r < 1.0).count(),
    };
    Plan { candidates, existing, persons, summary }
}

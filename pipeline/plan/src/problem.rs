//! The prepared problem: each (person, site) saving turned into a value per year, each person's
//! baseline (best existing site), and the candidate entries that beat it, by candidate (CSC).
//!
//! Value of person `i` at site `j`: `v_ij = w_i · days(driver_ij) · objective_ij` when
//! `objective_ij > 0`, else 0 (a site that saves nothing on the objective is never used). The
//! objective of a set `S` of candidates is `F(S) = Σ_i max(b_i, max_{j∈S} v_ij)` with the baseline
//! `b_i = max(0, max_{e∈E} v_ie)` over existing sites: monotone and submodular. Because existing
//! sites are always open, only candidate entries with `v_ij > b_i` can ever change `F`; the others
//! are dropped when preparing (exactly, not as an approximation).

use rayon::prelude::*;

use crate::PlanError;
use crate::demand::{Demand, Measure, Site, SiteKind};
use crate::uptake::Uptake;

/// No entry / no site.
pub(crate) const NONE: usize = usize::MAX;

/// What a person's use of a site amounts to per year (already multiplied by the row weight).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Use {
    /// Persons (the row weight).
    pub users: f64,
    /// Center days per year.
    pub days: f64,
    /// kg CO2e avoided per year.
    pub co2e_kg: f64,
    /// Person-km avoided per year.
    pub km: f64,
    /// Hours saved per year.
    pub hours: f64,
}

impl Use {
    pub(crate) fn add(&mut self, o: &Use, sign: f64) {
        self.users += sign * o.users;
        self.days += sign * o.days;
        self.co2e_kg += sign * o.co2e_kg;
        self.km += sign * o.km;
        self.hours += sign * o.hours;
    }
}

/// A planning instance ready for the solver (borrows the demand and the sites).
#[derive(Debug)]
pub struct Problem<'a> {
    pub(crate) demand: &'a Demand,
    pub(crate) uptake: &'a Uptake,
    pub(crate) driver: Measure,
    pub(crate) objective: Measure,
    /// Site id of each candidate (ascending); candidate index `c` ↔ site `candidates[c]`.
    pub(crate) candidates: Vec<u32>,
    pub(crate) base_value: Vec<f32>,
    pub(crate) base_entry: Vec<usize>,
    pub(crate) col_ptr: Vec<usize>,
    pub(crate) col_person: Vec<u32>,
    pub(crate) col_value: Vec<f32>,
    /// Entry of the demand each column entry comes from (so outputs need no row search).
    pub(crate) col_entry: Vec<u32>,
}

impl<'a> Problem<'a> {
    /// Values every entry, finds each person's baseline and builds the candidate columns.
    ///
    /// `objective`: what the solver maximises (which site a person uses, and which sites open);
    /// `driver`: the saving the uptake curve reads. Fails when the demand does not have one site
    /// per entry of `sites`.
    pub fn new(
        demand: &'a Demand,
        sites: &[Site],
        uptake: &'a Uptake,
        driver: Measure,
        objective: Measure,
    ) -> Result<Self, PlanError> {
        if demand.n_sites() as usize != sites.len() {
            return Err(PlanError::SiteCount { demand: demand.n_sites(), sites: sites.len() });
        }
        let candidates: Vec<u32> =
            (0..sites.len() as u32).filter(|&s| sites[s as usize].kind == SiteKind::Candidate).collect();
        let mut cand_of_site = vec![u32::MAX; sites.len()];
        for (c, &s) in candidates.iter().enumerate() {
            cand_of_site[s as usize] = c as u32;
        }
        let mut p = Problem {
            demand,
            uptake,
            driver,
            objective,
            candidates,
            base_value: Vec::new(),
            base_entry: Vec::new(),
            col_ptr: Vec::new(),
            col_person: Vec::new(),
            col_value: Vec::new(),
            col_entry: Vec::new(),
        };
        if demand.nnz() > u32::MAX as usize {
            return Err(PlanError::TooLarge { entries: demand.nnz() });
        }
        let n = demand.n_persons();
        // Baselines and per-person counts of useful candidate entries, in parallel by person.
        let base: Vec<(f32, usize)> = (0..n as u32)
            .into_par_iter()
            .map(|i| {
                let (mut bv, mut be) = (0.0f32, NONE);
                for e in demand.range(i) {
                    if sites[demand.site_at(e) as usize].kind == SiteKind::Existing {
                        let v = p.value(i, e);
                        if v > bv {
                            (bv, be) = (v, e);
                        }
                    }
                }
                (bv, be)
            })
            .collect();
        (p.base_value, p.base_entry) = base.into_iter().unzip();
        // Counting sort of the useful candidate entries by candidate, persons ascending.
        let mut count = vec![0usize; p.candidates.len() + 1];
        for i in 0..n as u32 {
            for e in demand.range(i) {
                let c = cand_of_site[demand.site_at(e) as usize];
                if c != u32::MAX && p.value(i, e) > p.base_value[i as usize] {
                    count[c as usize + 1] += 1;
                }
            }
        }
        for c in 0..p.candidates.len() {
            count[c + 1] += count[c];
        }
        let nnz = count[p.candidates.len()];
        let mut next = count.clone();
        let (mut person, mut value, mut entry) = (vec![0u32; nnz], vec![0f32; nnz], vec![0u32; nnz]);
        for i in 0..n as u32 {
            for e in demand.range(i) {
                let c = cand_of_site[demand.site_at(e) as usize];
                if c != u32::MAX {
                    let v = p.value(i, e);
                    if v > p.base_value[i as usize] {
                        let k = &mut next[c as usize];
                        person[*k] = i;
                        value[*k] = v;
                        entry[*k] = e as u32;
                        *k += 1;
                    }
                }
            }
        }
        (p.col_ptr, p.col_person, p.col_value, p.col_entry) = (count, person, value, entry);
        Ok(p)
    }

    /// The solver's value of entry `e` of person `i` (objective units per year, weighted).
    pub(crate) fn value(&self, i: u32, e: usize) -> f32 {
        let s = self.demand.saving_at(e);
        let o = self.objective.of(s);
        if o > 0.0 {
            let w = self.demand.weight(i) as f64;
            (w * self.uptake.days_per_year(self.driver.of(s) as f64) * o as f64) as f32
        } else {
            0.0
        }
    }

    /// What entry `e` of person `i` amounts to per year (zero for [`NONE`]).
    pub(crate) fn use_of(&self, i: u32, e: usize) -> Use {
        if e == NONE {
            return Use::default();
        }
        let s = self.demand.saving_at(e);
        let users = self.demand.weight(i) as f64;
        let days = users * self.uptake.days_per_year(self.driver.of(s) as f64);
        Use { users, days, co2e_kg: days * s.co2e_kg as f64, km: days * s.km as f64, hours: days * s.hours as f64 }
    }

    /// Number of candidate sites.
    pub fn n_candidates(&self) -> usize {
        self.candidates.len()
    }

    /// Site id of candidate index `c`.
    pub fn candidate_site(&self, c: u32) -> u32 {
        self.candidates[c as usize]
    }

    /// Candidate index of a site id, if it is a candidate.
    pub fn candidate_index(&self, site: u32) -> Option<u32> {
        self.candidates.binary_search(&site).ok().map(|c| c as u32)
    }

    /// Candidate entries kept after dropping those that never beat the baseline.
    pub fn useful_entries(&self) -> usize {
        self.col_person.len()
    }

    /// Heap bytes of the prepared columns and per-person arrays (the demand not included).
    pub fn heap_bytes(&self) -> usize {
        self.col_person.capacity() * 12 + self.col_ptr.capacity() * 8 + self.base_value.capacity() * 12
    }

    /// `F(∅)`: the existing sites' value alone.
    pub fn baseline(&self) -> f64 {
        self.base_value.iter().map(|&v| v as f64).sum()
    }

    /// `F(S)` for a set of candidate indices (objective units per year).
    pub fn objective_of(&self, set: &[u32]) -> f64 {
        self.current(set).iter().map(|&v| v as f64).sum()
    }

    /// Each person's value with `set` open: `max(b_i, max_{j∈S} v_ij)`.
    pub(crate) fn current(&self, set: &[u32]) -> Vec<f32> {
        let mut cur = self.base_value.clone();
        for &c in set {
            let (ps, vs) = self.column(c);
            for (&i, &v) in ps.iter().zip(vs) {
                if v > cur[i as usize] {
                    cur[i as usize] = v;
                }
            }
        }
        cur
    }

    /// Demand entries of the useful entries of candidate `c` (same order as [`Self::column`]).
    pub(crate) fn column_entries(&self, c: u32) -> &[u32] {
        &self.col_entry[self.col_ptr[c as usize]..self.col_ptr[c as usize + 1]]
    }

    /// Persons and values of the useful entries of candidate `c`.
    pub(crate) fn column(&self, c: u32) -> (&[u32], &[f32]) {
        let r = self.col_ptr[c as usize]..self.col_ptr[c as usize + 1];
        (&self.col_person[r.clone()], &self.col_value[r])
    }

    /// `F(S ∪ {c}) − F(S)` given each person's current value under `S`.
    pub(crate) fn gain(&self, c: u32, cur: &[f32]) -> f64 {
        let (ps, vs) = self.column(c);
        ps.iter().zip(vs).map(|(&i, &v)| (v as f64 - cur[i as usize] as f64).max(0.0)).sum()
    }

    /// Marginal gain of every candidate with respect to `cur`, in parallel (each a sequential sum,
    /// so the result does not depend on the number of threads).
    pub(crate) fn all_gains(&self, cur: &[f32]) -> Vec<f64> {
        (0..self.candidates.len() as u32).into_par_iter().map(|c| self.gain(c, cur)).collect()
    }
}

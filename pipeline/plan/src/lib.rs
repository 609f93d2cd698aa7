//! Site planning for navette: which smart work centers to open next, in what order, and what
//! each one adds in avoided kg CO2e, km and hours per year.
//!
//! Inputs, all computed by the pipeline: a sparse [`Demand`] (per person, what a day at each site
//! worth using saves against a day at the office), the [`Site`]s (existing or candidate, desks)
//! and an [`Uptake`] (center days per person and year as a function of the saving, fixed or
//! fitted on the badge logs with [`fit_uptake`]). [`plan`] returns the chosen set with its opening
//! order, marginal gains, cannibalisation, expected users and days against desks, expected use per
//! person, and a bound on how far from optimal the set can be.
//!
//! ```
//! use navette_plan::{Demand, Measure, PlanConfig, Saving, Site, SiteKind, Uptake, plan};
//!
//! // Site 0 exists; sites 1 and 2 are candidates with 10 desks each.
//! let sites = [
//!     Site { kind: SiteKind::Existing, desks: Some(10) },
//!     Site { kind: SiteKind::Candidate, desks: Some(10) },
//!     Site { kind: SiteKind::Candidate, desks: Some(10) },
//! ];
//! let day = |co2e_kg: f32| Saving { co2e_kg, km: co2e_kg * 5.0, hours: co2e_kg / 10.0 };
//! let mut demand = Demand::new(3);
//! demand.push_person(1.0, &[(0, day(2.0)), (1, day(5.0))]).unwrap(); // 5 kg/day at site 1
//! demand.push_person(1.0, &[(2, day(3.0))]).unwrap(); // 3 kg/day at site 2
//! let cfg = PlanConfig::new(1, Uptake::Fixed { days_per_year: 40.0 }, 220.0);
//! let p = plan(&demand, &sites, &cfg).unwrap();
//! // Site 2 adds 3 × 40 = 120 kg; site 1 only (5 − 2) × 40 = 120 kg as well: tie, lower id wins.
//! assert_eq!(p.candidates[0].open_order, Some(1));
//! assert_eq!(p.candidates[0].marginal_co2e_kg_per_year, 120.0);
//! assert_eq!(p.candidates[0].taken_from_existing_co2e_kg_per_year, 80.0);
//! assert_eq!(p.summary.max_gap_pct, 0.0);
//! ```
//!
//! Pure computation, no I/O. Method, formulas, references and measured figures: `README.md`.

pub mod bound;
pub mod demand;
pub mod greedy;
pub mod outcome;
pub mod problem;
pub mod swap;
pub mod uptake;

#[cfg(test)]
mod tests;

pub use demand::{Demand, Measure, Saving, Site, SiteKind};
pub use outcome::{CandidateOutcome, ExistingOutcome, PersonUse, Plan, PlanSummary, evaluate, plan};
pub use problem::Problem;
pub use uptake::{Uptake, UptakeBin, UptakeFit, UptakeObservation, fit_uptake};

/// How [`plan`] runs: how many sites to add, what to maximise, the uptake.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanConfig {
    /// Candidate sites to open (`--add N`).
    pub add: usize,
    /// What the solver maximises (and a person's site is chosen by): CO2e by default.
    pub objective: Measure,
    /// Center days per person and year as a function of the saving.
    pub uptake: Uptake,
    /// The saving the uptake reads: hours by default (time saved is what makes people come).
    pub uptake_driver: Measure,
    /// Working days per year: a site's ceiling is desks × this.
    pub working_days_per_year: f64,
    /// Most exchanges the swap pass may make (0: greedy set only).
    pub max_swaps: usize,
    /// Subgradient steps of the Lagrangian bound (0: the marginal-gain bound only).
    pub bound_iterations: usize,
}

impl PlanConfig {
    /// `add` sites, CO2e objective, uptake driven by hours saved, swap pass until no exchange helps,
    /// 200 steps of the Lagrangian bound.
    pub fn new(add: usize, uptake: Uptake, working_days_per_year: f64) -> Self {
        PlanConfig {
            add,
            objective: Measure::Co2e,
            uptake,
            uptake_driver: Measure::Hours,
            working_days_per_year,
            max_swaps: usize::MAX,
            bound_iterations: 200,
        }
    }
}

/// Inputs that make a plan meaningless.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A row names a site id beyond the site list.
    #[error("person {person}: site {site} out of range (the demand has {n_sites} sites)")]
    SiteOutOfRange {
        /// Row id.
        person: u32,
        /// The site id given.
        site: u32,
        /// Sites the demand was created with.
        n_sites: u32,
    },
    /// A row lists a site twice.
    #[error("person {person}: site {site} listed twice")]
    DuplicateSite {
        /// Row id.
        person: u32,
        /// The repeated site id.
        site: u32,
    },
    /// A saving is NaN or infinite.
    #[error("person {person}: saving at site {site} is not finite")]
    NotFinite {
        /// Row id.
        person: u32,
        /// Site id.
        site: u32,
    },
    /// A row weight is negative or not finite.
    #[error("person {person}: weight {weight} is not a finite number ≥ 0")]
    BadWeight {
        /// Row id.
        person: u32,
        /// The weight given.
        weight: f32,
    },
    /// The demand and the site list disagree on the number of sites.
    #[error("the demand has {demand} sites but {sites} were given")]
    SiteCount {
        /// Sites the demand was created with.
        demand: u32,
        /// Sites passed.
        sites: usize,
    },
    /// More sites to add than candidates.
    #[error("cannot add {add} sites: there are {candidates} candidates")]
    TooManyToAdd {
        /// Sites asked for.
        add: usize,
        /// Candidates available.
        candidates: usize,
    },
    /// A site given to [`evaluate`] is not a candidate, or is given twice.
    #[error("site {site} is not a candidate or is listed twice")]
    NotACandidate {
        /// The site id.
        site: u32,
    },
    /// More entries than the solver's `u32` entry ids can address.
    #[error("the demand has {entries} entries, more than 4,294,967,295")]
    TooLarge {
        /// Entries in the demand.
        entries: usize,
    },
    /// The uptake cannot be fitted on the observations given.
    #[error("uptake fit: {0}")]
    UptakeData(&'static str),
    /// A configuration value is out of range.
    #[error("plan configuration: {0}")]
    Config(&'static str),
}

//! The demand × site matrix: for each person, what a day at each site worth using would save
//! against a day at the office, stored row by row (CSR).

use crate::PlanError;

/// What one center day at a site saves against one office day, for one person (round trip).
///
/// # Units
/// `co2e_kg` in kg CO2e, `km` in person-km, `hours` in hours, all per day replaced. A negative
/// value is a loss (the center trip costs more than the office trip).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Saving {
    /// kg CO2e saved per day (the boundary is the caller's choice: TTW or WTW).
    pub co2e_kg: f32,
    /// Person-km saved per day.
    pub km: f32,
    /// Hours of travel saved per day.
    pub hours: f32,
}

/// Which of the three savings a computation uses (objective or uptake driver).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Measure {
    /// kg CO2e per day.
    #[default]
    Co2e,
    /// Person-km per day.
    Km,
    /// Hours per day.
    Hours,
}

impl Measure {
    /// The chosen component of a saving.
    pub fn of(self, s: &Saving) -> f32 {
        match self {
            Measure::Co2e => s.co2e_kg,
            Measure::Km => s.km,
            Measure::Hours => s.hours,
        }
    }
}

/// Whether a site is open whatever the plan (an existing center, or one already announced) or a
/// candidate the solver may choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// Always open: its users are the baseline every plan starts from.
    Existing,
    /// May be opened by the plan.
    Candidate,
}

/// A site: existing or candidate, with its desks (the occupancy ceiling is desks × working days).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Site {
    /// Existing or candidate.
    pub kind: SiteKind,
    /// Desks; `None` when unknown (no ceiling, never capped).
    pub desks: Option<u32>,
}

/// Sparse demand × site savings, one row per person (CSR; within a row, sites ascending).
///
/// A row lists only the sites worth considering for that person (e.g. within a travel-time
/// cutoff); a site left out is one the person never uses. Each row has a weight: the number of
/// persons it stands for (1 for a single employee; more when the caller groups identical homes).
///
/// # Memory
/// 16 bytes per non-zero (site `u32` + three `f32`) plus 12 bytes per person.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Demand {
    n_sites: u32,
    row_ptr: Vec<usize>,
    site: Vec<u32>,
    saving: Vec<Saving>,
    weight: Vec<f32>,
}

impl Demand {
    /// An empty matrix over `n_sites` sites (site ids `0..n_sites`, the indices of the site list
    /// given to [`crate::plan`]).
    pub fn new(n_sites: u32) -> Self {
        Demand { n_sites, row_ptr: vec![0], ..Default::default() }
    }

    /// Appends a person (row id = number of rows before it) standing for `weight` persons, with
    /// their savings per site in any order. Fails on a site id out of range, a site listed twice,
    /// a non-finite saving or a negative or non-finite weight; the matrix is unchanged then.
    pub fn push_person(&mut self, weight: f32, entries: &[(u32, Saving)]) -> Result<u32, PlanError> {
        let person = self.weight.len() as u32;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(PlanError::BadWeight { person, weight });
        }
        let mut sorted = entries.to_vec();
        sorted.sort_by_key(|e| e.0);
        for (k, (site, s)) in sorted.iter().enumerate() {
            if *site >= self.n_sites {
                return Err(PlanError::SiteOutOfRange { person, site: *site, n_sites: self.n_sites });
            }
            if k > 0 && sorted[k - 1].0 == *site {
                return Err(PlanError::DuplicateSite { person, site: *site });
            }
            if !(s.co2e_kg.is_finite() && s.km.is_finite() && s.hours.is_finite()) {
                return Err(PlanError::NotFinite { person, site: *site });
            }
        }
        self.site.extend(sorted.iter().map(|e| e.0));
        self.saving.extend(sorted.iter().map(|e| e.1));
        self.row_ptr.push(self.site.len());
        self.weight.push(weight);
        Ok(person)
    }

    /// Number of sites the ids refer to.
    pub fn n_sites(&self) -> u32 {
        self.n_sites
    }

    /// Number of rows (persons or groups of persons).
    pub fn n_persons(&self) -> usize {
        self.weight.len()
    }

    /// Number of stored (person, site) savings.
    pub fn nnz(&self) -> usize {
        self.site.len()
    }

    /// Persons a row stands for.
    pub fn weight(&self, person: u32) -> f32 {
        self.weight[person as usize]
    }

    /// A row: its sites (ascending) and their savings.
    pub fn row(&self, person: u32) -> (&[u32], &[Saving]) {
        let r = self.range(person);
        (&self.site[r.clone()], &self.saving[r])
    }

    /// Heap bytes held by the matrix.
    pub fn heap_bytes(&self) -> usize {
        self.row_ptr.capacity() * 8
            + self.site.capacity() * 4
            + self.saving.capacity() * 12
            + self.weight.capacity() * 4
    }

    pub(crate) fn range(&self, person: u32) -> std::ops::Range<usize> {
        self.row_ptr[person as usize]..self.row_ptr[person as usize + 1]
    }

    pub(crate) fn site_at(&self, entry: usize) -> u32 {
        self.site[entry]
    }

    pub(crate) fn saving_at(&self, entry: usize) -> &Saving {
        &self.saving[entry]
    }
}

//! `[plan]`: where the next smart work centers should go (`navette plan`).

use serde::{Deserialize, Serialize};

/// Where generated candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Generate {
    /// Only the candidates of the CSV file.
    #[default]
    None,
    /// One candidate per municipality point of `datasets/geo/be_municipalities.csv` (filtered by
    /// `regions`, `min_population` and the study area).
    Municipalities,
}

/// How many center days a person is expected to work at the site they use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UptakeKind {
    /// Fitted on the study's own badge logs (every employee, users or not).
    #[default]
    Fitted,
    /// `fixed_days_per_year` for everyone a site saves time.
    Fixed,
}

/// What the plan maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// kg CO2e avoided per year (the study's boundary).
    #[default]
    Co2e,
    /// Person-km avoided per year.
    Km,
    /// Hours of travel avoided per year.
    Hours,
}

impl Objective {
    /// Code as written in `study.toml`.
    pub fn code(self) -> &'static str {
        match self {
            Objective::Co2e => "co2e",
            Objective::Km => "km",
            Objective::Hours => "hours",
        }
    }
}

/// `[plan]`; every key has a default, so a study without the table can be planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSection {
    /// Candidates to open (`--add N`).
    pub add: usize,
    /// CSV of candidates (`candidate_id, name, lat, lon`, optional `workspaces`), relative to
    /// study.toml (`--candidates FILE`).
    pub candidates: Option<String>,
    /// Generated candidates: `none` or `municipalities`.
    pub generate: Generate,
    /// Regions of the generated candidates (`WAL`, `VLG`, `BRU`); empty: all.
    pub regions: Vec<String>,
    /// Smallest population of a municipality made a candidate.
    pub min_population: u64,
    /// Most generated candidates (the most populous are kept).
    pub max_generated: usize,
    /// A generated candidate closer than this to an existing site or a CSV candidate is left out
    /// (km).
    pub min_spacing_km: f64,
    /// A person considers only sites within this great-circle distance of home (km).
    pub cutoff_km: f64,
    /// `fitted` (on the badge logs) or `fixed`.
    pub uptake: UptakeKind,
    /// Center days per person and year of the fixed uptake (44 ≈ one day a week).
    pub fixed_days_per_year: f64,
    /// Working days per year: a site's ceiling is desks × this; observed use is annualised to it.
    pub working_days_per_year: f64,
    /// What the plan maximises: `co2e`, `km` or `hours`.
    pub objective: Objective,
    /// Desks of a candidate whose `workspaces` is not given.
    pub desks_default: u32,
    /// Bins of the uptake fit's error table.
    pub uptake_bins: usize,
}

impl Default for PlanSection {
    fn default() -> Self {
        PlanSection {
            add: 3,
            candidates: None,
            generate: Generate::None,
            regions: Vec::new(),
            min_population: 10_000,
            max_generated: 500,
            min_spacing_km: 2.0,
            cutoff_km: 40.0,
            uptake: UptakeKind::Fitted,
            fixed_days_per_year: 44.0,
            working_days_per_year: 220.0,
            objective: Objective::Co2e,
            desks_default: 15,
            uptake_bins: 10,
        }
    }
}

impl PlanSection {
    /// Range checks; the message names the key and what to write.
    pub fn check(&self) -> Result<(), String> {
        if self.add == 0 {
            return Err("plan.add = 0: give the number of sites to open (1 or more)".into());
        }
        for r in &self.regions {
            if !["WAL", "VLG", "BRU"].contains(&r.as_str()) {
                return Err(format!("plan.regions: {r:?} is not a region: use \"WAL\", \"VLG\" or \"BRU\""));
            }
        }
        if !(self.min_spacing_km.is_finite() && (0.0..=50.0).contains(&self.min_spacing_km)) {
            return Err(format!("plan.min_spacing_km = {}: use km between 0 and 50", self.min_spacing_km));
        }
        if !(self.cutoff_km.is_finite() && self.cutoff_km > 0.0 && self.cutoff_km <= 300.0) {
            return Err(format!("plan.cutoff_km = {}: use km above 0 and at most 300", self.cutoff_km));
        }
        if !(self.working_days_per_year.is_finite() && (1.0..=366.0).contains(&self.working_days_per_year)) {
            return Err(format!(
                "plan.working_days_per_year = {}: use days between 1 and 366 (220 is usual)",
                self.working_days_per_year
            ));
        }
        if !(self.fixed_days_per_year.is_finite()
            && (0.0..=self.working_days_per_year).contains(&self.fixed_days_per_year))
        {
            return Err(format!(
                "plan.fixed_days_per_year = {}: use days between 0 and plan.working_days_per_year (44 ≈ one day a week)",
                self.fixed_days_per_year
            ));
        }
        if !(2..=100).contains(&self.uptake_bins) {
            return Err(format!("plan.uptake_bins = {}: use 2 to 100 bins", self.uptake_bins));
        }
        if self.desks_default == 0 {
            return Err("plan.desks_default = 0: give the desks of a candidate without workspaces (e.g. 15)".into());
        }
        if self.max_generated == 0 && self.generate == Generate::Municipalities {
            return Err("plan.max_generated = 0 with plan.generate = \"municipalities\": allow at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_say_what_to_fix() {
        assert!(PlanSection::default().check().is_ok());
        let with = |f: fn(&mut PlanSection)| {
            let mut p = PlanSection::default();
            f(&mut p);
            p.check().unwrap_err()
        };
        assert!(with(|p| p.add = 0).contains("plan.add = 0"));
        assert!(with(|p| p.regions = vec!["FR".into()]).contains("\"WAL\""));
        assert!(with(|p| p.cutoff_km = -1.0).contains("plan.cutoff_km"));
        assert!(with(|p| p.fixed_days_per_year = 300.0).contains("plan.fixed_days_per_year"));
        assert!(with(|p| p.working_days_per_year = 0.0).contains("plan.working_days_per_year"));
        assert!(with(|p| p.desks_default = 0).contains("plan.desks_default"));
        assert!(with(|p| p.uptake_bins = 1).contains("plan.uptake_bins"));
    }
}

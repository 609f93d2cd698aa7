//! The energy of the places of work (optional, `[energy]`, off by default): what a desk-hour at
//! a center costs in electricity and heat, what the office saves when a day moves away from it
//! (only if the office shrinks: a stated assumption, off by default), and what the same hours
//! would emit at home (DESNZ's homeworking factor) as a comparison line. Reported beside the
//! commute figures, never netted into them.
//!
//! The parameters, each with its value, unit and source, are written to the warehouse as the
//! table `energy_parameters`; the views `company_quarter_energy` and `network_quarter_energy`
//! apply them to the hours of `center_days` (nothing of the energy lines is computed here, so
//! every figure of a report traces to a view and this table).
//!
//! # Defaults and their derivation
//! A desk-hour's share of a building's yearly energy: intensity per m² and year (CBS 2012,
//! Dutch offices, temperature-corrected gas: the nearest published per-building figures to
//! Belgian ones) × m² per desk (BCO 2018) ÷ desk-hours open per year (250 weekdays × 8 h, an
//! assumption: fewer open hours put more energy on each). Gas in kWh at 31.65 MJ/m³ (Dutch
//! standard natural gas, lower heating value).

use serde::{Deserialize, Serialize};

/// One named parameter of the energy lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyParameter {
    /// Name, as the views look it up.
    pub name: &'static str,
    /// Value, in `unit`.
    pub value: f64,
    /// Unit.
    pub unit: &'static str,
    /// Where the value comes from (`study.toml [energy]` when the study set it).
    pub source: String,
}

/// m² of office per desk (BCO Occupier Density Study, UK average 2018).
pub const M2_PER_DESK: f64 = 9.6;
/// Desk-hours a desk is open per year: 250 weekdays × 8 h (assumption).
pub const OPEN_HOURS_PER_YEAR: f64 = 2_000.0;
/// kWh per m³ of natural gas: 31.65 MJ/m³ (Dutch standard gas, lower heating value) ÷ 3.6.
pub const GAS_KWH_PER_M3: f64 = 31.65 / 3.6;

/// CBS 2012, "Kantoor: overig", 250–500 m² (a center's size): kWh of electricity per m² and year.
const CENTER_ELEC_KWH_PER_M2: f64 = 50.8;
/// The same: m³ of natural gas per m² and year (temperature-corrected).
const CENTER_GAS_M3_PER_M2: f64 = 15.0;
/// CBS 2012, "Kantoor: overig", 2,500–5,000 m² (a company office): electricity.
const OFFICE_ELEC_KWH_PER_M2: f64 = 76.1;
/// The same: natural gas.
const OFFICE_GAS_M3_PER_M2: f64 = 10.7;

const CBS: &str = "CBS StatLine 83374NED Energiekentallen utiliteitsbouw dienstensector (2012)";
const DERIVATION: &str =
    "x 9.6 m2/desk (BCO Occupier Density Study 2018) / 2,000 open desk-hours a year (250 weekdays x 8 h, assumption)";

/// `[energy]` in `study.toml`: every key has a default; `enabled = false` leaves the energy lines
/// out of the warehouse views' results and the reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnergyConfig {
    /// Compute and report the energy lines.
    pub enabled: bool,
    /// Electricity per desk-hour at a center (kWh).
    pub center_electricity_kwh_per_desk_hour: f64,
    /// Heat (natural gas) per desk-hour at a center (kWh).
    pub center_heat_kwh_per_desk_hour: f64,
    /// Whether a day away from the office saves the office's energy: only if the company shrinks
    /// its office (fewer desks, closed floors). Off by default: an office kept whole is heated
    /// and lit anyway.
    pub office_shrinks: bool,
    /// Electricity per desk-hour at the office (kWh).
    pub office_electricity_kwh_per_desk_hour: f64,
    /// Heat per desk-hour at the office (kWh).
    pub office_heat_kwh_per_desk_hour: f64,
    /// kg CO2e per kWh of electricity.
    pub electricity_kg_per_kwh: f64,
    /// kg CO2e per kWh of heat (natural gas burnt).
    pub heat_kg_per_kwh: f64,
    /// kg CO2e per hour worked at home (equipment and heating), the comparison line.
    pub home_kg_per_hour: f64,
}

impl Default for EnergyConfig {
    fn default() -> Self {
        let per_desk_hour = |per_m2: f64| per_m2 * M2_PER_DESK / OPEN_HOURS_PER_YEAR;
        EnergyConfig {
            enabled: false,
            center_electricity_kwh_per_desk_hour: round6(per_desk_hour(CENTER_ELEC_KWH_PER_M2)),
            center_heat_kwh_per_desk_hour: round6(per_desk_hour(CENTER_GAS_M3_PER_M2 * GAS_KWH_PER_M3)),
            office_shrinks: false,
            office_electricity_kwh_per_desk_hour: round6(per_desk_hour(OFFICE_ELEC_KWH_PER_M2)),
            office_heat_kwh_per_desk_hour: round6(per_desk_hour(OFFICE_GAS_M3_PER_M2 * GAS_KWH_PER_M3)),
            electricity_kg_per_kwh: 0.138,
            heat_kg_per_kwh: round6(56.1 * 3.6 / 1000.0),
            home_kg_per_hour: 0.33378,
        }
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

impl EnergyConfig {
    /// What is wrong with the values, said as what to fix.
    pub fn check(&self) -> Result<(), String> {
        let checks: [(&str, f64, f64); 7] = [
            ("center_electricity_kwh_per_desk_hour", self.center_electricity_kwh_per_desk_hour, 10.0),
            ("center_heat_kwh_per_desk_hour", self.center_heat_kwh_per_desk_hour, 10.0),
            ("office_electricity_kwh_per_desk_hour", self.office_electricity_kwh_per_desk_hour, 10.0),
            ("office_heat_kwh_per_desk_hour", self.office_heat_kwh_per_desk_hour, 10.0),
            ("electricity_kg_per_kwh", self.electricity_kg_per_kwh, 2.0),
            ("heat_kg_per_kwh", self.heat_kg_per_kwh, 2.0),
            ("home_kg_per_hour", self.home_kg_per_hour, 5.0),
        ];
        for (key, v, max) in checks {
            if !(v.is_finite() && (0.0..=max).contains(&v)) {
                return Err(format!("energy.{key} = {v}: use a value between 0 and {max}"));
            }
        }
        Ok(())
    }

    /// The parameters as the table `energy_parameters` holds them: a default keeps its source,
    /// a value the study set says so.
    pub fn parameters(&self) -> Vec<EnergyParameter> {
        let d = EnergyConfig::default();
        let src = |set: f64, default: f64, source: String| {
            if set == default { source } else { "study.toml [energy]".to_owned() }
        };
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        vec![
            EnergyParameter {
                name: "enabled",
                value: flag(self.enabled),
                unit: "flag",
                source: "study.toml [energy] enabled (default off)".into(),
            },
            EnergyParameter {
                name: "center_electricity_kwh_per_desk_hour",
                value: self.center_electricity_kwh_per_desk_hour,
                unit: "kWh/desk-hour",
                source: src(
                    self.center_electricity_kwh_per_desk_hour,
                    d.center_electricity_kwh_per_desk_hour,
                    format!("{CBS}: offices 250-500 m2, 50.8 kWh/m2/yr electricity {DERIVATION}"),
                ),
            },
            EnergyParameter {
                name: "center_heat_kwh_per_desk_hour",
                value: self.center_heat_kwh_per_desk_hour,
                unit: "kWh/desk-hour",
                source: src(
                    self.center_heat_kwh_per_desk_hour,
                    d.center_heat_kwh_per_desk_hour,
                    format!("{CBS}: offices 250-500 m2, 15.0 m3/m2/yr natural gas at 8.79 kWh/m3 {DERIVATION}"),
                ),
            },
            EnergyParameter {
                name: "office_shrinks",
                value: flag(self.office_shrinks),
                unit: "flag",
                source: "assumption (study.toml [energy] office_shrinks, default off): an office kept whole saves nothing when a desk is empty".into(),
            },
            EnergyParameter {
                name: "office_electricity_kwh_per_desk_hour",
                value: self.office_electricity_kwh_per_desk_hour,
                unit: "kWh/desk-hour",
                source: src(
                    self.office_electricity_kwh_per_desk_hour,
                    d.office_electricity_kwh_per_desk_hour,
                    format!("{CBS}: offices 2,500-5,000 m2, 76.1 kWh/m2/yr electricity {DERIVATION}"),
                ),
            },
            EnergyParameter {
                name: "office_heat_kwh_per_desk_hour",
                value: self.office_heat_kwh_per_desk_hour,
                unit: "kWh/desk-hour",
                source: src(
                    self.office_heat_kwh_per_desk_hour,
                    d.office_heat_kwh_per_desk_hour,
                    format!("{CBS}: offices 2,500-5,000 m2, 10.7 m3/m2/yr natural gas at 8.79 kWh/m3 {DERIVATION}"),
                ),
            },
            EnergyParameter {
                name: "electricity_kg_per_kwh",
                value: self.electricity_kg_per_kwh,
                unit: "kg CO2e/kWh",
                source: src(
                    self.electricity_kg_per_kwh,
                    d.electricity_kg_per_kwh,
                    "Belgian grid 2023, lifecycle carbon intensity of generation (Ember & Energy Institute via Our World in Data): well-to-wheel-like, includes the supply chain".into(),
                ),
            },
            EnergyParameter {
                name: "heat_kg_per_kwh",
                value: self.heat_kg_per_kwh,
                unit: "kg CO2e/kWh",
                source: src(
                    self.heat_kg_per_kwh,
                    d.heat_kg_per_kwh,
                    "natural gas burnt: IPCC 2006 default 56.1 t CO2/TJ (lower heating value); combustion only (tank-to-wheel-like)".into(),
                ),
            },
            EnergyParameter {
                name: "home_kg_per_hour",
                value: self.home_kg_per_hour,
                unit: "kg CO2e/hour",
                source: src(
                    self.home_kg_per_hour,
                    d.home_kg_per_hour,
                    "UK DESNZ GHG conversion factors 2025, homeworking (office equipment + heating), per FTE working hour (UK homes: a proxy)".into(),
                ),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults recomputed by hand from the published intensities.
    #[test]
    fn defaults_follow_their_derivation() {
        let d = EnergyConfig::default();
        assert!(!d.enabled && !d.office_shrinks, "off by default");
        // 50.8 kWh/m² × 9.6 m² ÷ 2,000 h = 0.24384 kWh per desk-hour.
        assert!((d.center_electricity_kwh_per_desk_hour - 0.24384).abs() < 1e-6);
        // 15.0 m³/m² × 8.7917 kWh/m³ × 9.6 m² ÷ 2,000 h = 0.633 kWh.
        assert!((d.center_heat_kwh_per_desk_hour - 15.0 * 8.791_667 * 9.6 / 2000.0).abs() < 1e-5);
        assert!((d.office_electricity_kwh_per_desk_hour - 0.36528).abs() < 1e-6);
        // 56.1 t/TJ = 0.20196 kg/kWh.
        assert!((d.heat_kg_per_kwh - 0.20196).abs() < 1e-6);
        // One center hour, hand-priced: 0.24384 × 0.138 + 0.6330 × 0.20196 ≈ 0.1615 kg CO2e,
        // about half the DESNZ homeworking hour (0.334 kg).
        let hour_kg = d.center_electricity_kwh_per_desk_hour * d.electricity_kg_per_kwh
            + d.center_heat_kwh_per_desk_hour * d.heat_kg_per_kwh;
        assert!((hour_kg - 0.1615).abs() < 5e-4, "{hour_kg}");
        d.check().unwrap();
    }

    #[test]
    fn parameters_say_where_a_study_value_comes_from() {
        let mut c = EnergyConfig { enabled: true, ..EnergyConfig::default() };
        c.electricity_kg_per_kwh = 0.2;
        let p = c.parameters();
        let get = |n: &str| p.iter().find(|x| x.name == n).unwrap();
        assert_eq!(get("enabled").value, 1.0);
        assert_eq!(get("electricity_kg_per_kwh").source, "study.toml [energy]");
        assert!(get("center_heat_kwh_per_desk_hour").source.contains("CBS"));
        assert!(get("home_kg_per_hour").source.contains("DESNZ"));
    }

    #[test]
    fn out_of_range_values_say_what_to_fix() {
        let c = EnergyConfig { heat_kg_per_kwh: -1.0, ..EnergyConfig::default() };
        let e = c.check().unwrap_err();
        assert!(e.contains("energy.heat_kg_per_kwh") && e.contains("between 0 and 2"), "{e}");
    }
}

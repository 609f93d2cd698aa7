//! The plain data a report shows. The pipeline fills these from warehouse views only and applies
//! k-anonymity before handing them over: a `None` row is a suppressed cell.

use std::sync::Arc;

use serde::Serialize;

use crate::i18n::Lang;

/// Headline figures of one company and quarter (view `company_quarter_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Headline {
    /// Distinct employees with at least one center day.
    pub employees_active: u64,
    /// Center days.
    pub center_days: u64,
    /// Center days that replaced an office day.
    pub office_days_replaced: u64,
    /// Hours spent in centers (sum of the center days' presence).
    pub center_hours: f64,
    /// Prepaid hours for the quarter, if known.
    pub package_hours: Option<f64>,
    /// Share of the package consumed, if known.
    pub package_used_pct: Option<f64>,
    /// Commuting km avoided (baseline − actual).
    pub km_avoided: f64,
    /// Travel hours avoided.
    pub hours_avoided: f64,
    /// kg CO2e of the replaced office trips.
    pub co2e_kg_baseline: f64,
    /// kg CO2e of the trips to the centers.
    pub co2e_kg_actual: f64,
    /// kg CO2e avoided (baseline − actual).
    pub co2e_kg_avoided: f64,
}

/// Year-to-date figures of a company (view `company_ytd_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ytd {
    /// Quarters of the year with activity so far.
    pub quarters: u64,
    /// Distinct employees since 1 January.
    pub employees_active: u64,
    /// Center days.
    pub center_days: u64,
    /// Office days replaced.
    pub office_days_replaced: u64,
    /// Hours in centers.
    pub center_hours: f64,
    /// km avoided.
    pub km_avoided: f64,
    /// Travel hours avoided.
    pub hours_avoided: f64,
    /// kg CO2e of the replaced office trips.
    pub co2e_kg_baseline: f64,
    /// kg CO2e of the center trips.
    pub co2e_kg_actual: f64,
    /// kg CO2e avoided.
    pub co2e_kg_avoided: f64,
}

/// The prepaid package and its projection (view `company_package_quarter`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Package {
    /// Prepaid hours of the quarter.
    pub package_hours: f64,
    /// Hours used by `as_of`.
    pub used_hours: f64,
    /// Hours projected to the quarter's end (linear on working days).
    pub projected_hours: f64,
    /// Last day with data (`YYYY-MM-DD`).
    pub as_of: String,
    /// Working days observed.
    pub working_days_observed: u64,
    /// Working days still to come in the quarter.
    pub working_days_remaining: u64,
}

/// One site row of a company report (view `company_site_quarter_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteRow {
    /// Site display name.
    pub site_name: String,
    /// Distinct employees.
    pub employees_active: u64,
    /// Center days (days whose main site it is).
    pub center_days: u64,
    /// Office days replaced.
    pub office_days_replaced: u64,
    /// Hours in the center.
    pub center_hours: f64,
    /// km avoided.
    pub km_avoided: f64,
    /// kg CO2e avoided.
    pub co2e_kg_avoided: f64,
}

/// One commute-mode row (view `company_mode_quarter_impact`): the main mode to the office, as in
/// the federal home–work travel diagnostic.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModeRow {
    /// Mode code (`car`, `train`, …).
    pub mode: String,
    /// Distinct employees.
    pub employees_active: u64,
    /// Center days.
    pub center_days: u64,
    /// km avoided.
    pub km_avoided: f64,
    /// kg CO2e avoided.
    pub co2e_kg_avoided: f64,
}

/// One month of a company report (views `company_month_impact`, `company_month_use`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Distinct employees that month.
    pub employees_active: u64,
    /// kg CO2e of the replaced office trips.
    pub co2e_kg_baseline: f64,
    /// kg CO2e of the center trips.
    pub co2e_kg_actual: f64,
    /// Hours in centers that month.
    pub center_hours: f64,
    /// Hours in centers since the quarter's start, to the end of the month.
    pub center_hours_cumulated: f64,
    /// km avoided.
    pub km_avoided: f64,
}

/// One band of a distribution across employees (view `company_quarter_employee_bands`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BandRow {
    /// Lower bound (inclusive); `None`: open.
    pub from: Option<f64>,
    /// Upper bound (exclusive); `None`: open.
    pub to: Option<f64>,
    /// Employees in the band.
    pub employees: u64,
}

/// The uncertainty range of the CO2e avoided and the rebound sensitivity (views
/// `*_quarter_uncertainty`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Uncertainty {
    /// Low end (every factor and estimated distance at its least favourable end).
    pub low_kg: f64,
    /// Central figure (the one reported).
    pub central_kg: f64,
    /// High end.
    pub high_kg: f64,
    /// Saving before any rebound.
    pub gross_kg: f64,
    /// Gross saving less ADEME's 31 % rebound.
    pub after_ademe_rebound_kg: f64,
    /// Rebound share already applied in the central figure (`method.rebound_share`).
    pub rebound_share_in_run: f64,
}

/// The energy of the places of work (optional, views `*_quarter_energy`): beside the commute
/// figures, never netted into them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Energy {
    /// Hours at the centers.
    pub center_hours: f64,
    /// Electricity and heat of those desk-hours at the centers (kWh).
    pub center_kwh: f64,
    /// Their CO2e (kg).
    pub center_co2e_kg: f64,
    /// Whether the study assumes the office shrinks (else nothing is saved there).
    pub office_shrinks: bool,
    /// Office energy saved on replaced office days (kWh; 0 unless `office_shrinks`).
    pub office_kwh_saved: f64,
    /// Its CO2e (kg).
    pub office_co2e_kg_saved: f64,
    /// The same hours worked at home (kg CO2e): the comparison line.
    pub home_co2e_kg_alternative: f64,
    /// Commute CO2e avoided on the same days (kg), to read the lines beside.
    pub commute_co2e_kg_avoided: f64,
    /// The parameters with their units and sources (`energy_parameters`).
    pub parameters: Vec<EnergyParameterRow>,
}

/// One parameter of the energy lines.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EnergyParameterRow {
    /// Name.
    pub name: String,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Source.
    pub source: String,
}

/// A named point on a map, EPSG:3035 metres.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapPoint {
    /// Label (site name).
    pub label: String,
    /// Easting (m).
    pub east_m: f64,
    /// Northing (m).
    pub north_m: f64,
}

/// A published 1 km cell: south-west corner in EPSG:3035 metres and its count (≥ k).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapCell {
    /// Easting of the south-west corner (m).
    pub east_m: f64,
    /// Northing of the south-west corner (m).
    pub north_m: f64,
    /// Side of the square cell (m): 1 km, or larger where fewer than k people live.
    pub size_m: f64,
    /// Center users living in the cell.
    pub employees: u64,
}

/// What a map draws under its data, in EPSG:3035 metres: the same for every map of a study.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct MapBackground {
    /// Municipality points.
    pub places: Vec<(f64, f64)>,
    /// Administrative outlines: closed rings.
    pub outlines: Vec<Vec<(f64, f64)>>,
    /// Main roads (from the study's OpenStreetMap extract): polylines; empty without an extract.
    pub roads: Vec<Vec<(f64, f64)>>,
}

/// A map: the network's sites, municipality points for orientation, and the published home cells.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapData {
    /// Sites of the network.
    pub sites: Vec<MapPoint>,
    /// What is drawn under the data, shared by every map of a study (not copied per report).
    pub background: Arc<MapBackground>,
    /// Published cells (each ≥ k employees).
    pub cells: Vec<MapCell>,
    /// Cells not drawn (fewer than k, or hidden to protect another).
    pub cells_hidden: u64,
    /// Center users living in the hidden cells (0 or at least k).
    pub employees_hidden: u64,
}

/// One emission factor used (view `factors_used`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FactorRow {
    /// Mode.
    pub mode: String,
    /// Fuel (empty when not applicable).
    pub fuel: String,
    /// Car size (empty when not applicable).
    pub size: String,
    /// `ttw` or `wtt`.
    pub component: String,
    /// kg CO2e per unit.
    pub value_kg: f64,
    /// `vkm` or `pkm`.
    pub unit: String,
    /// Publication.
    pub source: String,
    /// Year of the value.
    pub year: i64,
    /// Legs that used it.
    pub legs: u64,
}

/// One estimate band (table `estimate_bands`): how a leg without a route is estimated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DetourRow {
    /// Mode.
    pub mode: String,
    /// Great-circle km the band starts at.
    pub from_km: f64,
    /// Routed ÷ great-circle.
    pub detour: f64,
    /// Door-to-door speed (km/h).
    pub speed_kmh: f64,
}

/// One row of the uncertainty spread (view `factor_spread`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SpreadRow {
    /// `factor` or `distance`.
    pub kind: String,
    /// Mode or distance method.
    pub key: String,
    /// Low ratio to the central value.
    pub low_ratio: f64,
    /// High ratio.
    pub high_ratio: f64,
    /// Where the ratio comes from.
    pub source: String,
}

/// The method and data-quality appendix (study-wide).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Appendix {
    /// `ttw` or `wtw`.
    pub boundary: String,
    /// Factor set version.
    pub factor_set: String,
    /// Every factor used.
    pub factors: Vec<FactorRow>,
    /// Estimate bands (detour factors and speeds).
    pub detours: Vec<DetourRow>,
    /// Legs routed on the road network.
    pub legs_routed: u64,
    /// Legs estimated (great circle × detour factor).
    pub legs_estimated: u64,
    /// Train legs through real stations (`method = stations`).
    pub legs_stations: u64,
    /// Office-day threshold (h).
    pub min_hours_office_day: f64,
    /// Rebound share in the central figures.
    pub rebound_share: f64,
    /// k-anonymity threshold.
    pub k_anonymity: u32,
    /// Input rows read.
    pub rows_read: u64,
    /// Input rows rejected.
    pub rows_rejected: u64,
    /// Rejected rows by reason code.
    pub reasons: Vec<(String, u64)>,
    /// Badge rows whose card is not in `cards.csv`.
    pub unknown_cards: u64,
    /// Employees whose home was placed from a postcode.
    pub homes_from_postcode: u64,
    /// Employees on record.
    pub employees: u64,
    /// The spread behind the uncertainty range.
    pub spread: Vec<SpreadRow>,
}

/// Everything a company's quarterly report shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompanyReport {
    /// Report language.
    pub lang: Lang,
    /// Study name.
    pub study_name: String,
    /// Company display name.
    pub company_name: String,
    /// Quarter label, `2026-Q1`.
    pub quarter: String,
    /// `None` when fewer than k employees were active (the whole report is withheld).
    pub headline: Option<Headline>,
    /// Year to date; `None` when a quarter of the year was withheld (or the report is).
    pub ytd: Option<Ytd>,
    /// Package and projection; `None` without a package.
    pub package: Option<Package>,
    /// Per-site rows; `None` = suppressed.
    pub sites: Vec<Option<SiteRow>>,
    /// Per-mode rows; `None` = suppressed.
    pub modes: Vec<Option<ModeRow>>,
    /// Per-month rows; `None` entries are suppressed.
    pub months: Vec<(String, Option<MonthRow>)>,
    /// Employees by band of CO2e avoided; `None` = suppressed.
    pub co2e_bands: Vec<Option<BandRow>>,
    /// Employees by band of center days; `None` = suppressed.
    pub day_bands: Vec<Option<BandRow>>,
    /// Uncertainty range of the quarter's CO2e avoided.
    pub uncertainty: Option<Uncertainty>,
    /// The energy lines, when the study computes them (`[energy] enabled`).
    pub energy: Option<Energy>,
    /// Where the company's center users live (whole study period).
    pub map: Option<MapData>,
    /// Visits of the company this quarter without a badge-out.
    pub visits_missing_out: u64,
    /// Visits of the company this quarter.
    pub visits: u64,
    /// Share of the company's employees whose home came from a postcode (%).
    pub homes_from_postcode_pct: f64,
    /// Method and data quality.
    pub appendix: Appendix,
}

/// Network totals of one quarter (view `network_quarter_impact`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NetworkTotals {
    /// Quarter label.
    pub quarter: String,
    /// Distinct employees.
    pub employees_active: u64,
    /// Companies with activity.
    pub companies_active: u64,
    /// Sites with visits.
    pub sites_active: u64,
    /// Center days.
    pub center_days: u64,
    /// Office days replaced.
    pub office_days_replaced: u64,
    /// Hours in centers.
    pub center_hours: f64,
    /// km avoided.
    pub km_avoided: f64,
    /// Travel hours avoided.
    pub hours_avoided: f64,
    /// kg CO2e of the replaced office trips.
    pub co2e_kg_baseline: f64,
    /// kg CO2e of the center trips.
    pub co2e_kg_actual: f64,
    /// kg CO2e avoided.
    pub co2e_kg_avoided: f64,
}

/// One site of the network report (views `site_quarter_impact`, `site_quarter_occupancy`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NetworkSiteRow {
    /// Site name.
    pub site_name: String,
    /// Municipality.
    pub municipality: String,
    /// Workspaces (desks), when known.
    pub workspaces: Option<u64>,
    /// Distinct employees.
    pub employees_active: u64,
    /// Companies.
    pub companies_active: u64,
    /// Center days (days whose main site it is).
    pub center_days: u64,
    /// Hours in the center.
    pub center_hours: f64,
    /// Desk-days used ÷ (workspaces × working days open), %.
    pub desk_occupancy_pct: Option<f64>,
    /// Mean daily peak ÷ workspaces, %.
    pub mean_peak_occupancy_pct: Option<f64>,
    /// kg CO2e avoided.
    pub co2e_kg_avoided: f64,
}

/// Share of the quarter's figures resting on primary data (view `network_quarter_data_sources`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataSources {
    /// Center days (all from badge logs).
    pub center_days: u64,
    /// Visits.
    pub visits: u64,
    /// Visits closed by a badge-out, %.
    pub visits_closed_pct: f64,
    /// Office km routed (not estimated), %.
    pub km_baseline_routed_pct: f64,
    /// Center km routed, %.
    pub km_center_routed_pct: f64,
    /// Active employees whose home came from coordinates, %.
    pub homes_from_coordinates_pct: f64,
}

/// Everything the funders' network report of one quarter shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NetworkReport {
    /// Report language.
    pub lang: Lang,
    /// Study name.
    pub study_name: String,
    /// Quarter label.
    pub quarter: String,
    /// This quarter; `None` when fewer than k employees were active.
    pub current: Option<NetworkTotals>,
    /// The quarter before, when it is in the study and published.
    pub previous: Option<NetworkTotals>,
    /// Per-site rows; `None` = suppressed.
    pub sites: Vec<Option<NetworkSiteRow>>,
    /// Primary vs estimated data.
    pub data_sources: Option<DataSources>,
    /// Uncertainty range.
    pub uncertainty: Option<Uncertainty>,
    /// The energy lines, when the study computes them (`[energy] enabled`).
    pub energy: Option<Energy>,
    /// Sites and where all center users live (whole study period).
    pub map: Option<MapData>,
    /// Method and data quality.
    pub appendix: Appendix,
}

/// One bin of the uptake fit's error table (table `plan_uptake_bins`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanUptakeBin {
    /// Smallest hours saved per center day in the bin.
    pub hours_saved_min: f64,
    /// Largest hours saved per center day in the bin.
    pub hours_saved_max: f64,
    /// Mean hours saved in the bin.
    pub hours_saved_mean: f64,
    /// Employees in the bin (users and non-users; the bins hold equal counts, at least k each).
    pub employees: u64,
    /// Observed center days per employee and year (annualised badge logs).
    pub observed_days_per_year: f64,
    /// Predicted by the fitted curve.
    pub predicted_days_per_year: f64,
    /// Predicted by the isotonic (model-free) fit.
    pub isotonic_days_per_year: f64,
}

/// The uptake in force: fitted on the badge logs (with its errors) or fixed (table `plan_summary`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanUptake {
    /// Fitted on the study's badge logs (`false`: a fixed number of days).
    pub fitted: bool,
    /// Fixed uptake: center days per person and year.
    pub fixed_days_per_year: Option<f64>,
    /// Fitted `a` of `a · (1 − exp(−b · hours saved))`: days per person and year at saturation.
    pub max_days_per_year: Option<f64>,
    /// Standard error of `a`.
    pub max_days_se: Option<f64>,
    /// Fitted `b`, per hour saved per day.
    pub rate_per_hour: Option<f64>,
    /// Standard error of `b`.
    pub rate_se: Option<f64>,
    /// R² of the fit on individual employees.
    pub r2: Option<f64>,
    /// RMSE of individual predictions, days per person and year.
    pub rmse_days_per_year: Option<f64>,
    /// Employees in the fit.
    pub observations: u64,
    /// Observed center days per employee and year, mean over the observations.
    pub observed_mean_days_per_year: f64,
    /// The fit's error table (empty with a fixed uptake).
    pub bins: Vec<PlanUptakeBin>,
}

/// What a chosen site takes from one existing site: the savings its users made at that site
/// before the plan (cannibalisation).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanTaken {
    /// Existing site's name.
    pub existing_name: String,
    /// kg CO2e per year those users avoided at the existing site before.
    pub co2e_kg_per_year: f64,
    /// Users who move (at least k, or the row is suppressed).
    pub users: f64,
}

/// What the chosen sites add up to after one of them opens (view `plan_opening_curve`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanCumulative {
    /// kg CO2e avoided per year added by the sites opened so far.
    pub co2e_kg_per_year: f64,
    /// Same, low uptake.
    pub co2e_kg_per_year_low: f64,
    /// Same, high uptake.
    pub co2e_kg_per_year_high: f64,
    /// Person-km avoided per year added so far.
    pub km_per_year: f64,
    /// Travel hours avoided per year added so far.
    pub hours_per_year: f64,
}

/// A candidate site of the plan (table `plan_sites`): chosen (with its opening order) or not.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanSite {
    /// 1 = opens first; `None`: not chosen.
    pub open_order: Option<u32>,
    /// Candidate id.
    pub candidate_id: String,
    /// Name.
    pub name: String,
    /// `csv` (candidates file) or `municipality` (generated).
    pub source: String,
    /// Desks (the file's `workspaces` or `plan.desks_default`).
    pub desks: Option<u64>,
    /// kg CO2e avoided per year it adds (chosen: when it opens after the sites before it; not
    /// chosen: added to the chosen set).
    pub marginal_co2e_kg_per_year: f64,
    /// Same, low uptake (fitted uptake − 1 s.e.; equal to the central figure with a fixed uptake).
    pub marginal_co2e_kg_per_year_low: f64,
    /// Same, high uptake (fitted uptake + 1 s.e.).
    pub marginal_co2e_kg_per_year_high: f64,
    /// Person-km avoided per year it adds.
    pub marginal_km_per_year: f64,
    /// Travel hours avoided per year it adds.
    pub marginal_hours_per_year: f64,
    /// Chosen sites: running totals in opening order, this site included (view
    /// `plan_opening_curve`); `None` for a site not chosen.
    pub cumulative: Option<PlanCumulative>,
    /// Expected users; `None` when fewer than k.
    pub expected_users: Option<f64>,
    /// Center days per year its users would spend there (demand, before the desk ceiling).
    pub expected_center_days_per_year: f64,
    /// Desks × working days per year.
    pub capacity_days_per_year: Option<f64>,
    /// Demand ÷ capacity × 100 (above 100: over capacity).
    pub desk_use_pct: Option<f64>,
    /// Demand above the ceiling (capped in the totals).
    pub over_capacity: bool,
    /// kg CO2e per year its users avoided at existing sites before (cannibalisation).
    pub taken_from_existing_co2e_kg_per_year: f64,
    /// Users who would otherwise use an existing site.
    pub taken_from_existing_users: f64,
    /// Per existing site (chosen sites only): `None` rows are suppressed (fewer than k users, or
    /// hidden so that another cannot be recomputed from the total).
    pub taken_from: Vec<Option<PlanTaken>>,
}

/// An existing site before and after the plan (table `plan_existing_sites`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanExistingSite {
    /// Name.
    pub name: String,
    /// Desks, when known.
    pub desks: Option<u64>,
    /// Observed center days per year (badge logs, annualised); `None` when fewer than k
    /// employees were observed there.
    pub observed_center_days_per_year: Option<f64>,
    /// Center days per year the uptake predicts with the existing sites only.
    pub center_days_before: f64,
    /// The same with the plan.
    pub center_days_after: f64,
    /// kg CO2e avoided per year by its users before the plan.
    pub co2e_kg_per_year_before: f64,
    /// The same with the plan.
    pub co2e_kg_per_year_after: f64,
    /// Demand ÷ capacity × 100 with the plan.
    pub desk_use_pct_after: Option<f64>,
    /// Over capacity with the plan.
    pub over_capacity_after: bool,
}

/// A published catchment cell: people who would use a site with the plan, by home cell (≥ k).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CatchmentCell {
    /// Easting of the south-west corner (m, EPSG:3035).
    pub east_m: f64,
    /// Northing of the south-west corner (m).
    pub north_m: f64,
    /// Side (m): 1 km, or larger where fewer than k people live.
    pub size_m: f64,
    /// People in the cell who would use a site.
    pub employees: u64,
    /// Their expected center days per year.
    pub center_days_per_year: f64,
    /// Open order of the new site most of those days go to; `None`: an existing site.
    pub main_new_site: Option<u32>,
}

/// The planner's map: existing sites, chosen sites (in opening order), the other candidates and
/// the catchment cells.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanMap {
    /// Existing sites.
    pub existing: Vec<MapPoint>,
    /// Chosen sites in opening order.
    pub chosen: Vec<MapPoint>,
    /// Candidates not chosen (unlabelled points, east and north metres).
    pub others: Vec<(f64, f64)>,
    /// What is drawn under the data (the study's shared background).
    pub background: Arc<MapBackground>,
    /// Published cells (each ≥ k people).
    pub cells: Vec<CatchmentCell>,
    /// Cells not drawn (hidden with secondary suppression at 40 km).
    pub cells_hidden: u64,
    /// People in the hidden cells (0 or at least k).
    pub employees_hidden: u64,
}

/// Everything the planner's report shows (`navette plan`, tables `plan_*`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanReport {
    /// Report language.
    pub lang: Lang,
    /// Study name.
    pub study_name: String,
    /// First day of the study period (`YYYY-MM-DD`).
    pub period_from: String,
    /// Last day of the study period (`YYYY-MM-DD`): the PDF's date.
    pub period_to: String,
    /// What the solver maximised: `co2e`, `km` or `hours`.
    pub objective: String,
    /// `ttw` or `wtw`.
    pub boundary: String,
    /// Emission factor set version.
    pub factor_set: String,
    /// Share of the office round trip travelled anyway (in the savings).
    pub rebound_share: f64,
    /// k-anonymity threshold.
    pub k_anonymity: u32,
    /// Employees of the member companies (the demand).
    pub employees: u64,
    /// Existing sites (always open).
    pub existing_sites: u64,
    /// Candidates from the candidates file.
    pub candidates_csv: u64,
    /// Candidates generated from municipality points.
    pub candidates_generated: u64,
    /// Rejected rows of the candidates file.
    pub candidate_rejects: u64,
    /// Stored (employee, site) savings within the cutoff.
    pub demand_entries: u64,
    /// A person considers sites within this great-circle distance of home (km).
    pub cutoff_km: f64,
    /// Desk ceiling = desks × this.
    pub working_days_per_year: f64,
    /// Desks of a candidate without `workspaces`.
    pub desks_default: u64,
    /// The uptake.
    pub uptake: PlanUptake,
    /// Chosen sites in opening order.
    pub chosen: Vec<PlanSite>,
    /// The best candidates not chosen, by what they would add.
    pub runners_up: Vec<PlanSite>,
    /// Existing sites.
    pub existing: Vec<PlanExistingSite>,
    /// Objective per year with the existing sites only.
    pub baseline_objective: f64,
    /// Objective per year with the chosen sites.
    pub chosen_objective: f64,
    /// Upper bound on the objective of the best set of the same size.
    pub upper_bound: f64,
    /// The chosen set adds at least 100 − this % of what the best set could add.
    pub max_gap_pct: f64,
    /// Exchanges made by the swap pass.
    pub swaps: u64,
    /// kg CO2e avoided per year by the existing network.
    pub co2e_kg_per_year_existing: f64,
    /// With the plan (before the desk ceiling).
    pub co2e_kg_per_year_plan: f64,
    /// With the plan, after the desk ceiling.
    pub co2e_kg_per_year_plan_capped: f64,
    /// With the plan, low uptake.
    pub co2e_kg_per_year_plan_low: f64,
    /// With the plan, high uptake.
    pub co2e_kg_per_year_plan_high: f64,
    /// With the plan, isotonic uptake (fitted only).
    pub co2e_kg_per_year_plan_isotonic: Option<f64>,
    /// Sites (existing or new) over capacity with the plan.
    pub sites_over_capacity: u64,
    /// The map; `None` when there is nothing to draw.
    pub map: Option<PlanMap>,
}

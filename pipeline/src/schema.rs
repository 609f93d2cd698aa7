//! The warehouse's vocabulary in one place: every table with its columns in order, and the codes
//! that fill its categorical columns. The writers build frames whose columns must equal these
//! lists ([`check`], run on every table before it is written), `views.sql` is created over the
//! written tables (DuckDB refuses a view naming a column that does not exist), and a test holds
//! `docs/warehouse.md` to the same lists.
//!
//! Column names read *quantity, unit, qualifier*: `km_baseline`, `hours_actual`,
//! `co2e_kg_avoided` (schema 4).

use crate::method::mode::code_enum;

code_enum! {
    /// Which trip of an employee a leg is (`legs.leg`).
    LegKind {
        /// Home ↔ office: the baseline of a replaced office day.
        Office = "office",
        /// Home ↔ a center (the main site of a center day).
        Center = "center",
    }
}

code_enum! {
    /// How a leg's distance and time were obtained (`legs.method`, `*_method` of day impacts).
    LegMethod {
        /// Great circle × the mode's detour factor, at the mode's door-to-door speed.
        Estimated = "estimated",
        /// Routed on the road network or on the timetables.
        Routed = "routed",
        /// A train leg through real stations (no timetable): access to a station, rail by the
        /// calibrated model of `navette_transit::rail`, egress (`[method.rail]`).
        Stations = "stations",
    }
}

/// A warehouse table: its name and its columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Table name (also the Parquet file or folder name).
    pub name: &'static str,
    /// Column names, in order.
    pub columns: &'static [&'static str],
}

/// Every table of the warehouse, in the order a run writes them. `docs/warehouse.md` documents
/// each (a test holds it to this list).
#[rustfmt::skip]
pub const TABLES: &[Table] = &[
    Table { name: "run_info", columns: &["schema_version", "navette_version", "study_name", "period_from", "period_to", "language", "boundary", "factor_set", "factor_set_version", "min_hours_office_day", "max_visit_hours", "duplicate_window_s", "open_visit_hours", "carpool_occupancy", "rebound_share", "k_anonymity", "inputs_sha256", "parquet_layout", "scenarios"] },
    Table { name: "sites", columns: &["site_id", "name", "lat", "lon", "municipality", "workspaces", "opened_on"] },
    Table { name: "companies", columns: &["company_id", "name", "office_name", "office_lat", "office_lon", "package_hours_per_quarter"] },
    Table { name: "employees", columns: &["employee_pid", "company_id", "home_source", "commute_mode", "center_mode", "car_fuel", "car_size", "commute_occupancy", "own_office"] },
    Table { name: "visits", columns: &["employee_pid", "company_id", "site_id", "date", "quarter", "month", "start_local_sod", "duration_s", "rule", "capped", "source_line", "source_file", "start_utc", "duration_h"] },
    Table { name: "site_day_peak", columns: &["site_id", "date", "peak_occupancy"] },
    Table { name: "center_days", columns: &["employee_pid", "company_id", "site_id", "date", "quarter", "month", "presence_s", "visits", "sites", "first_in_local_sod", "replaces_office_day"] },
    Table { name: "legs", columns: &["employee_pid", "company_id", "site_id", "leg", "mode", "occupancy", "distance_m", "duration_s", "method", "unrouted_reason", "ttw_kg_per_km", "wtt_kg_per_km", "co2e_ttw_kg", "co2e_wtw_kg", "factor_ttw_id", "factor_wtt_id", "transfers", "in_vehicle_km_rail", "in_vehicle_km_metro", "in_vehicle_km_tram", "in_vehicle_km_bus", "in_vehicle_km_coach", "in_vehicle_km_other", "access_km", "egress_km", "board_station", "alight_station", "station_access_mode", "station_egress_mode"] },
    Table { name: "day_impacts", columns: &["employee_pid", "company_id", "site_id", "date", "quarter", "month", "presence_s", "replaces_office_day", "commute_mode", "center_mode", "km_baseline", "hours_baseline", "co2e_kg_baseline", "co2e_ttw_kg_baseline", "co2e_wtw_kg_baseline", "km_actual", "hours_actual", "co2e_kg_actual", "co2e_ttw_kg_actual", "co2e_wtw_kg_actual", "km_rebound", "hours_rebound", "co2e_kg_rebound", "co2e_ttw_kg_rebound", "co2e_wtw_kg_rebound", "km_avoided", "hours_avoided", "co2e_kg_avoided", "co2e_ttw_kg_avoided", "co2e_wtw_kg_avoided", "baseline_method", "actual_method", "presence_h"] },
    Table { name: "employee_potential", columns: &["employee_pid", "company_id", "nearest_site_id", "office_km", "nearest_site_km", "office_h", "nearest_site_h", "potential_km", "potential_h", "potential_co2e_ttw_kg", "potential_co2e_wtw_kg", "method", "office_method", "nearest_site_method"] },
    Table { name: "scenarios", columns: &["scenario", "overrides", "boundary", "factor_set", "factor_set_version", "min_hours_office_day", "max_visit_hours", "duplicate_window_s", "open_visit_hours", "carpool_occupancy", "rebound_share", "estimate_bands"] },
    Table { name: "scenario_day_impacts", columns: &["scenario", "employee_pid", "company_id", "site_id", "date", "quarter", "month", "presence_s", "replaces_office_day", "commute_mode", "center_mode", "km_baseline", "hours_baseline", "co2e_kg_baseline", "co2e_ttw_kg_baseline", "co2e_wtw_kg_baseline", "km_actual", "hours_actual", "co2e_kg_actual", "co2e_ttw_kg_actual", "co2e_wtw_kg_actual", "km_rebound", "hours_rebound", "co2e_kg_rebound", "co2e_ttw_kg_rebound", "co2e_wtw_kg_rebound", "km_avoided", "hours_avoided", "co2e_kg_avoided", "co2e_ttw_kg_avoided", "co2e_wtw_kg_avoided", "baseline_method", "actual_method", "presence_h"] },
    Table { name: "scenario_totals", columns: &["scenario", "grain", "quarter", "company_id", "site_id", "commute_mode", "center_mode", "employees_active", "companies_active", "center_days", "office_days_replaced", "center_hours", "km_baseline", "km_actual", "km_rebound", "km_avoided", "hours_avoided", "co2e_kg_baseline", "co2e_kg_actual", "co2e_kg_rebound", "co2e_kg_avoided", "co2e_ttw_kg_baseline", "co2e_wtw_kg_baseline", "co2e_ttw_kg_actual", "co2e_wtw_kg_actual", "co2e_ttw_kg_avoided", "co2e_wtw_kg_avoided"] },
    Table { name: "rejects", columns: &["file", "line", "reason", "detail", "raw", "rows"] },
    Table { name: "file_counts", columns: &["file", "kind", "sha256", "rows_read", "rows_accepted", "rows_rejected", "delimiter"] },
    Table { name: "pairing_counts", columns: &["rule", "events"] },
    Table { name: "factors", columns: &["factor_id", "factor_set", "mode", "fuel", "size", "component", "value_kg", "unit", "source", "year", "note", "origin"] },
    Table { name: "estimate_bands", columns: &["mode", "from_km", "detour", "speed_kmh", "source"] },
    Table { name: "method_constants", columns: &["name", "value", "unit", "source"] },
    Table { name: "energy_parameters", columns: &["name", "value", "unit", "source"] },
    Table { name: "home_cells", columns: &["company_id", "cell_id", "cell_north_m", "cell_east_m", "employees"] },
];

/// The tables `navette plan` writes into its own warehouse, in order (`run::plan`).
#[rustfmt::skip]
pub const PLAN_TABLES: &[Table] = &[
    Table { name: "plan_sites", columns: &["candidate_id", "name", "source", "lat", "lon", "desks", "chosen", "open_order", "marginal_co2e_kg_per_year", "marginal_co2e_kg_per_year_low", "marginal_co2e_kg_per_year_high", "marginal_km_per_year", "marginal_hours_per_year", "expected_users", "expected_center_days_per_year", "served_center_days_per_year", "capacity_days_per_year", "desk_use_pct", "over_capacity", "taken_from_existing_co2e_kg_per_year", "taken_from_existing_users", "legs_routed", "legs_estimated"] },
    Table { name: "plan_existing_sites", columns: &["site_id", "name", "lat", "lon", "desks", "observed_center_days_per_year", "users_before", "users_after", "center_days_before", "center_days_after", "co2e_kg_per_year_before", "co2e_kg_per_year_after", "capacity_days_per_year", "desk_use_pct_after", "over_capacity_after", "legs_routed", "legs_estimated"] },
    Table { name: "plan_person_use", columns: &["employee_pid", "company_id", "site_id", "site_is_new", "baseline_site_id", "center_days_per_year", "served_center_days_per_year", "co2e_kg_per_year", "km_per_year", "hours_per_year"] },
    Table { name: "plan_uptake_bins", columns: &["bin", "hours_saved_min", "hours_saved_max", "employees", "hours_saved_mean", "observed_days_per_year", "predicted_days_per_year", "isotonic_days_per_year"] },
    Table { name: "plan_summary", columns: &["study", "objective", "boundary", "add", "employees", "existing_sites", "candidates", "demand_entries", "uptake", "uptake_max_days_per_year", "uptake_rate_per_hour", "uptake_r2", "uptake_rmse_days_per_year", "fixed_days_per_year", "baseline_objective", "chosen_objective", "upper_bound", "max_gap_pct", "swaps", "co2e_kg_per_year_existing", "co2e_kg_per_year_plan", "co2e_kg_per_year_plan_capped", "co2e_kg_per_year_plan_low", "co2e_kg_per_year_plan_high", "sites_over_capacity", "office_legs_routed", "office_legs_estimated", "site_legs_routed", "site_legs_estimated"] },
];

/// The schema of table `name` (a run's or a plan's).
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().chain(PLAN_TABLES).find(|t| t.name == name)
}

/// A frame about to be written does not match the schema: a bug in navette, not in the inputs.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The table is not listed.
    #[error(
        "table {0} is not in the warehouse schema (pipeline/src/schema.rs): list it there and in docs/warehouse.md"
    )]
    Unknown(String),
    /// Its columns differ from the listed ones.
    #[error("table {table}: columns {got:?} differ from the schema's {want:?} (pipeline/src/schema.rs)")]
    Columns {
        /// Table.
        table: String,
        /// Columns of the frame.
        got: Vec<String>,
        /// Columns of the schema.
        want: Vec<String>,
    },
}

/// Checks that table `name` is listed with exactly `columns`, in that order.
pub fn check<S: AsRef<str>>(name: &str, columns: &[S]) -> Result<(), SchemaError> {
    let t = table(name).ok_or_else(|| SchemaError::Unknown(name.to_owned()))?;
    if t.columns.iter().copied().eq(columns.iter().map(AsRef::as_ref)) {
        Ok(())
    } else {
        Err(SchemaError::Columns {
            table: name.to_owned(),
            got: columns.iter().map(|c| c.as_ref().to_owned()).collect(),
            want: t.columns.iter().map(|c| (*c).to_owned()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/warehouse.md` has a section per table that names every column.
    #[test]
    fn the_warehouse_docs_name_every_table_and_column() {
        let docs = include_str!("../../docs/warehouse.md");
        for t in PLAN_TABLES.iter().chain(TABLES) {
            let head = format!("### `{}`", t.name);
            let start = docs.find(&head).unwrap_or_else(|| panic!("docs/warehouse.md has no section {head}"));
            let rest = &docs[start + head.len()..];
            let section = &rest[..rest.find("\n### ").or_else(|| rest.find("\n## ")).unwrap_or(rest.len())];
            // Column names appear in backticks, alone or in comma-separated lists.
            let named: Vec<&str> =
                section.split('`').skip(1).step_by(2).flat_map(|code| code.split(',').map(str::trim)).collect();
            for c in t.columns {
                let covered = named.iter().any(|n| n == c)
                    || (t.name == "scenario_day_impacts"
                        && table("day_impacts").is_some_and(|d| d.columns.contains(c)));
                assert!(covered, "docs/warehouse.md, section {head}: column {c} is not named");
            }
        }
    }

    #[test]
    fn a_frame_with_other_columns_is_refused() {
        assert!(check("pairing_counts", &["rule", "events"]).is_ok());
        assert!(matches!(check("pairing_counts", &["events", "rule"]), Err(SchemaError::Columns { .. })));
        assert!(matches!(check("nope", &["a"]), Err(SchemaError::Unknown(_))));
    }
}

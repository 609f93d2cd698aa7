//! Report figures, read from the warehouse views only, with small cells suppressed.
//!
//! Invariant: every number handed to `navette_reports` comes from a SQL view (or a count over a
//! warehouse table); nothing here recomputes the method. Privacy is applied here, before any
//! figure reaches the renderer: groups of fewer than k employees are suppressed, with secondary
//! suppression (`navette_reports::privacy::suppress`) so the hidden cells cannot be recomputed
//! from the totals, and the year to date is withheld whenever one of its quarters is.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Context, Result};
use duckdb::Connection;
use navette_reports::privacy::suppress;
use navette_reports::{
    Appendix, BandRow, CompanyReport, DataSources, DetourRow, Energy, EnergyParameterRow, FactorRow, Headline, Lang,
    MapBackground, MapData, MapPoint, ModeRow, MonthRow, NetworkReport, NetworkSiteRow, NetworkTotals, Package,
    SiteRow, SpreadRow, Uncertainty, Ytd,
};

use crate::privacy::grid::laea;
use crate::privacy::suppression::{coarsen, hide, suppress_disjoint};

/// A (company, quarter) that has activity.
#[derive(Debug, Clone)]
pub struct ReportKey {
    /// Company id.
    pub company_id: String,
    /// Company display name.
    pub company_name: String,
    /// Quarter label.
    pub quarter: String,
}

/// The company views that others are built on (the energy lines, the year to date and the
/// package read `company_quarter_impact`): computed once into temporary tables
/// ([`materialise_report_views`]) before [`CompanyFigures::read`]. The others are read once, so
/// a temporary table of them would only be written and read back.
pub const COMPANY_REPORT_SHARED_VIEWS: &[&str] = &["company_quarter_impact"];

/// The views the network reports read per quarter, in dependency order (none of them is read by
/// a company report, so they can be computed while the company reports are typeset).
pub const NETWORK_REPORT_VIEWS: &[&str] = &[
    "network_quarter_impact",
    "site_quarter_impact",
    "site_quarter_occupancy",
    "network_quarter_data_sources",
    "network_quarter_uncertainty",
    "network_quarter_energy",
];

/// Computes each of `views` ([`COMPANY_REPORT_SHARED_VIEWS`], [`NETWORK_REPORT_VIEWS`]) once, into a
/// temporary table of the same name on this connection (temporary tables come first in DuckDB's
/// search path, so the report queries, and the views built on these, read them instead of
/// rescanning the big tables for each report). The warehouse file is not changed: temporary
/// tables live and die with the connection. On a single-threaded connection a view's figures are
/// the same whether it is filtered to one company-quarter or computed whole (the rows of a group
/// are summed in table order either way).
pub fn materialise_report_views(conn: &Connection, views: &[&str]) -> Result<()> {
    for view in views {
        conn.execute_batch(&format!("CREATE TEMP TABLE {view} AS SELECT * FROM {view};"))
            .with_context(|| format!("cannot compute the view {view} for the reports"))?;
    }
    Ok(())
}

/// Every (company, quarter) with at least one center day, in id then quarter order.
pub fn report_keys(conn: &Connection) -> Result<Vec<ReportKey>> {
    let mut stmt = conn.prepare(
        "SELECT q.company_id, c.name, q.quarter FROM company_quarter_impact q JOIN companies c USING (company_id) ORDER BY q.company_id, q.quarter",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ReportKey { company_id: r.get("company_id")?, company_name: r.get("name")?, quarter: r.get("quarter")? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every quarter with at least one center day, in order (one network report each).
pub fn network_quarters(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT quarter FROM network_quarter_impact ORDER BY quarter")?;
    Ok(stmt.query_map([], |r| r.get("quarter"))?.collect::<Result<_, _>>()?)
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

/// The study-wide method and data-quality appendix.
pub fn appendix(conn: &Connection, k: u32) -> Result<Appendix> {
    let (boundary, factor_set, min_hours, rebound_share): (String, String, f64, f64) = conn.query_row(
        "SELECT boundary, factor_set_version, min_hours_office_day, rebound_share FROM run_info",
        [],
        |r| {
            Ok((
                r.get("boundary")?,
                r.get("factor_set_version")?,
                r.get("min_hours_office_day")?,
                r.get("rebound_share")?,
            ))
        },
    )?;
    let mut stmt = conn.prepare(
        "SELECT mode, coalesce(fuel, '') AS fuel, coalesce(size, '') AS size, component, value_kg, unit, source,
                CAST(year AS BIGINT) AS year, legs
         FROM factors_used",
    )?;
    let factors = stmt
        .query_map([], |r| {
            Ok(FactorRow {
                mode: r.get("mode")?,
                fuel: r.get("fuel")?,
                size: r.get("size")?,
                component: r.get("component")?,
                value_kg: r.get("value_kg")?,
                unit: r.get("unit")?,
                source: r.get("source")?,
                year: r.get("year")?,
                legs: u(r.get("legs")?),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare("SELECT mode, from_km, detour, speed_kmh FROM estimate_bands ORDER BY mode, from_km")?;
    let detours = stmt
        .query_map([], |r| {
            Ok(DetourRow {
                mode: r.get("mode")?,
                from_km: r.get("from_km")?,
                detour: r.get("detour")?,
                speed_kmh: r.get("speed_kmh")?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let (legs_routed, legs_stations, legs_estimated): (i64, i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE method = 'routed') AS routed, count(*) FILTER (WHERE method = 'stations') AS stations,
                count(*) FILTER (WHERE method NOT IN ('routed', 'stations')) AS estimated
         FROM legs",
        [],
        |r| Ok((r.get("routed")?, r.get("stations")?, r.get("estimated")?)),
    )?;
    let (rows_read, rows_rejected): (i64, i64) = conn.query_row(
        "SELECT CAST(coalesce(sum(rows_read), 0) AS BIGINT) AS rows_read,
                CAST(coalesce(sum(rows_rejected), 0) AS BIGINT) AS rows_rejected
         FROM data_quality_by_file",
        [],
        |r| Ok((r.get("rows_read")?, r.get("rows_rejected")?)),
    )?;
    let mut stmt = conn.prepare("SELECT reason, rows_rejected FROM rejects_by_reason")?;
    let reasons: Vec<(String, u64)> = stmt
        .query_map([], |r| Ok((r.get::<_, String>("reason")?, u(r.get("rows_rejected")?))))?
        .collect::<Result<_, _>>()?;
    let unknown_cards = reasons.iter().find(|(r, _)| r == "unknown_card").map_or(0, |(_, n)| *n);
    let (homes_from_postcode, employees): (i64, i64) =
        conn.query_row(
            "SELECT count(*) FILTER (WHERE home_source = 'postcode') AS from_postcode, count(*) AS employees FROM employees",
            [],
            |r| Ok((r.get("from_postcode")?, r.get("employees")?)),
        )?;
    let mut stmt = conn.prepare("SELECT kind, key, low_ratio, high_ratio, source FROM factor_spread")?;
    let spread = stmt
        .query_map([], |r| {
            Ok(SpreadRow {
                kind: r.get("kind")?,
                key: r.get("key")?,
                low_ratio: r.get("low_ratio")?,
                high_ratio: r.get("high_ratio")?,
                source: r.get("source")?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Appendix {
        boundary,
        factor_set,
        factors,
        detours,
        legs_routed: u(legs_routed),
        legs_estimated: u(legs_estimated),
        legs_stations: u(legs_stations),
        min_hours_office_day: min_hours,
        rebound_share,
        k_anonymity: k,
        rows_read: u(rows_read),
        rows_rejected: u(rows_rejected),
        reasons,
        unknown_cards,
        homes_from_postcode: u(homes_from_postcode),
        employees: u(employees),
        spread,
    })
}

/// What the maps draw under the data, projected to EPSG:3035 metres: municipality points and
/// judicial-canton outlines (shipped in `datasets/geo/`, see its SOURCES.md), and the main roads of
/// the study's extract. Built once and shared by every map (`Arc`): a country's roads are
/// hundreds of thousands of points. The default is empty.
#[derive(Debug, Clone, Default)]
pub struct Background(pub Arc<MapBackground>);

impl Background {
    /// The shipped Belgian background.
    pub fn belgium() -> Background {
        const PLACES: &str = include_str!("../../../datasets/geo/be_municipalities.csv");
        const OUTLINES: &str = include_str!("../../../datasets/geo/be_outlines.csv");
        let places = PLACES
            .lines()
            .skip(1)
            .filter_map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                let (lat, lon) = (f.get(7)?.parse::<f64>().ok()?, f.get(8)?.parse::<f64>().ok()?);
                Some(laea(lat, lon))
            })
            .collect();
        let mut outlines: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut current: Option<(&str, &str)> = None;
        for line in OUTLINES.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (Some(canton), Some(ring), Some(lat), Some(lon)) = (f.first(), f.get(1), f.get(2), f.get(3)) else {
                continue;
            };
            let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else { continue };
            if current != Some((canton, ring)) {
                outlines.push(Vec::new());
                current = Some((canton, ring));
            }
            outlines.last_mut().expect("pushed above").push(laea(lat, lon));
        }
        Background(Arc::new(MapBackground { places, outlines, roads: Vec::new() }))
    }

    /// Adds main roads given as polylines of (lat, lon).
    pub fn with_roads(self, lines: &[Vec<(f64, f64)>]) -> Background {
        let mut bg = Arc::unwrap_or_clone(self.0);
        bg.roads = lines.iter().map(|l| l.iter().map(|&(lat, lon)| laea(lat, lon)).collect()).collect();
        Background(Arc::new(bg))
    }
}

/// The map of the sites and of the home cells of the center users: one company's, or the whole
/// network's (`company = None`), over the whole study period (so every quarter's report shows the
/// same cells and no quarter can be recomputed from another). Cells below k are hidden with
/// secondary suppression.
pub fn map(conn: &Connection, company: Option<&str>, k: u32, background: &Background) -> Result<MapData> {
    let mut stmt = conn.prepare_cached(
        "SELECT cell_east_m, cell_north_m, CAST(sum(employees) AS BIGINT) AS employees FROM home_cells
         WHERE ? = '' OR company_id = ? GROUP BY cell_id, cell_east_m, cell_north_m ORDER BY cell_id",
    )?;
    let company = company.unwrap_or("");
    let cells: Vec<(i64, i64, u64)> = stmt
        .query_map(duckdb::params![company, company], |r| {
            Ok((r.get("cell_east_m")?, r.get("cell_north_m")?, u(r.get("employees")?)))
        })?
        .collect::<Result<_, _>>()?;
    Ok(map_data(map_sites(conn)?, &cells, k, background))
}

/// The sites as map points, in id order.
fn map_sites(conn: &Connection) -> Result<Vec<MapPoint>> {
    let mut stmt = conn.prepare_cached("SELECT name, lat, lon FROM sites ORDER BY site_id")?;
    let sites = stmt
        .query_map([], |r| Ok((r.get::<_, String>("name")?, r.get::<_, f64>("lat")?, r.get::<_, f64>("lon")?)))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(label, lat, lon)| {
            let (east_m, north_m) = laea(lat, lon);
            MapPoint { label, east_m, north_m }
        })
        .collect();
    Ok(sites)
}

/// A map of `sites` and of the 1 km home cells `cells_1km` (east, north, employees), coarsened
/// until no cell shows fewer than k people.
fn map_data(sites: Vec<MapPoint>, cells_1km: &[(i64, i64, u64)], k: u32, background: &Background) -> MapData {
    let (cells, cells_hidden, employees_hidden) = coarsen(cells_1km, k);
    MapData { sites, background: background.0.clone(), cells, cells_hidden, employees_hidden }
}

/// Reads an `Uncertainty` row (`*_quarter_uncertainty`, [`UNCERTAINTY_COLUMNS`]).
fn uncertainty_row(r: &duckdb::Row, rebound_share: f64) -> duckdb::Result<Uncertainty> {
    Ok(Uncertainty {
        low_kg: r.get("co2e_kg_avoided_low")?,
        central_kg: r.get("co2e_kg_avoided")?,
        high_kg: r.get("co2e_kg_avoided_high")?,
        gross_kg: r.get("co2e_kg_avoided_gross")?,
        after_ademe_rebound_kg: r.get("co2e_kg_avoided_after_ademe_rebound")?,
        rebound_share_in_run: rebound_share,
    })
}

fn uncertainty(
    conn: &Connection,
    sql: &str,
    params: &[&dyn duckdb::ToSql],
    rebound_share: f64,
) -> Result<Option<Uncertainty>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some(uncertainty_row(r, rebound_share)?))
}

/// Reads the energy lines of a `*_quarter_energy` row ([`ENERGY_COLUMNS`]), without their
/// parameters ([`energy_parameters`]).
fn energy_row(r: &duckdb::Row) -> duckdb::Result<Energy> {
    Ok(Energy {
        center_hours: r.get("center_hours")?,
        center_kwh: r.get("center_kwh")?,
        center_co2e_kg: r.get("center_co2e_kg")?,
        office_shrinks: false,
        office_kwh_saved: r.get("office_kwh_saved")?,
        office_co2e_kg_saved: r.get("office_co2e_kg_saved")?,
        home_co2e_kg_alternative: r.get("home_co2e_kg_alternative")?,
        commute_co2e_kg_avoided: r.get("commute_co2e_kg_avoided")?,
        parameters: Vec::new(),
    })
}

/// The parameters of the energy lines (`energy_parameters`), in table order.
fn energy_parameters(conn: &Connection) -> Result<Vec<EnergyParameterRow>> {
    let mut stmt = conn.prepare_cached("SELECT name, value, unit, source FROM energy_parameters")?;
    let rows = stmt.query_map([], |r| {
        Ok(EnergyParameterRow {
            name: r.get("name")?,
            value: r.get("value")?,
            unit: r.get("unit")?,
            source: r.get("source")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `e` with its parameters, and whether the office shrinks (a parameter).
fn with_parameters(mut e: Energy, parameters: &[EnergyParameterRow]) -> Energy {
    e.parameters = parameters.to_vec();
    e.office_shrinks = e.parameters.iter().any(|p| p.name == "office_shrinks" && p.value == 1.0);
    e
}

/// The energy lines of one company quarter or the network's (`*_quarter_energy`), with the
/// parameters they used; `None` when the study does not compute them.
fn energy(conn: &Connection, sql: &str, params: &[&dyn duckdb::ToSql]) -> Result<Option<Energy>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let Some(r) = rows.next()? else { return Ok(None) };
    let e = energy_row(r)?;
    Ok(Some(with_parameters(e, &energy_parameters(conn)?)))
}

const ENERGY_COLUMNS: &str = "center_hours, center_kwh, center_co2e_kg, office_kwh_saved, office_co2e_kg_saved, home_co2e_kg_alternative, commute_co2e_kg_avoided";

const UNCERTAINTY_COLUMNS: &str = "co2e_kg_avoided_low, co2e_kg_avoided, co2e_kg_avoided_high, co2e_kg_avoided_gross, co2e_kg_avoided_after_ademe_rebound";

/// Builds one company's report for one quarter, applying k-anonymity.
///
/// This reads every view whole for one report: a run that writes many reports reads them once
/// with [`CompanyFigures::read`] and takes each report out with [`CompanyFigures::report`].
pub fn company_report(
    conn: &Connection,
    key: &ReportKey,
    lang: Lang,
    study_name: &str,
    appendix: &Appendix,
    map: Option<MapData>,
) -> Result<CompanyReport> {
    CompanyFigures::read(conn)?.report(conn, key, lang, study_name, appendix, map)
}

/// A company-quarter: (company id, quarter).
type Key = (String, String);

/// The rows of the company report views (`company_*` in `views.sql`) for every company-quarter,
/// read with one query per view and grouped in memory; [`CompanyFigures::report`] takes out one
/// company-quarter's and applies k-anonymity.
///
/// A query filtered to one company-quarter costs 1–2 ms however small the view it reads (even
/// one computed into a temporary table): a dozen of them per report were 24 s of the 2,000 company-quarters of the country
/// study (issue 13), against a scan of each view once. The figures are the same: each
/// company-quarter gets the rows its filtered query returned, in the same order.
pub struct CompanyFigures {
    headlines: HashMap<Key, Vec<Headline>>,
    visit_rules: HashMap<Key, Vec<(i64, i64)>>,
    homes_from_postcode_pct: HashMap<String, f64>,
    /// The year to date with the fewest employees of its quarters.
    ytd: HashMap<Key, Vec<(u64, Ytd)>>,
    packages: HashMap<Key, Vec<Package>>,
    /// Site id and row.
    sites: HashMap<Key, Vec<(String, SiteRow)>>,
    modes: HashMap<Key, Vec<ModeRow>>,
    months: HashMap<Key, Vec<MonthRow>>,
    co2e_bands: HashMap<Key, Vec<BandRow>>,
    day_bands: HashMap<Key, Vec<BandRow>>,
    uncertainty: HashMap<Key, Vec<Uncertainty>>,
    energy: HashMap<Key, Vec<Energy>>,
    energy_parameters: Vec<EnergyParameterRow>,
    map_sites: Vec<MapPoint>,
    /// Per company: (cell east, cell north, employees) in cell order.
    home_cells: HashMap<String, Vec<(i64, i64, u64)>>,
    /// The people of each site (`visits`), read when a report first needs them.
    site_people: People,
    /// The people of each month (`impact_base`), likewise.
    month_people: People,
}

/// Runs `sql`, whose rows have the columns `company_id` and `quarter`, and groups them by
/// company-quarter, each read by `row`, in the query's order within a company-quarter.
fn grouped<T>(
    conn: &Connection,
    sql: &str,
    mut row: impl FnMut(&duckdb::Row) -> duckdb::Result<T>,
) -> Result<HashMap<Key, Vec<T>>> {
    let mut stmt = conn.prepare(sql).with_context(|| format!("cannot read the report figures: {sql}"))?;
    let mut rows = stmt.query([])?;
    let mut out: HashMap<Key, Vec<T>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let key = (r.get("company_id")?, r.get("quarter")?);
        let value = row(r)?;
        out.entry(key).or_default().push(value);
    }
    Ok(out)
}

/// The first row of `key` in `rows`, taken out.
fn take_one<T>(rows: &mut HashMap<Key, Vec<T>>, key: &Key) -> Option<T> {
    rows.remove(key).and_then(|v| v.into_iter().next())
}

impl CompanyFigures {
    /// Reads every company-quarter's rows of the company report views, one query per view.
    pub fn read(conn: &Connection) -> Result<CompanyFigures> {
        let headlines = grouped(
            conn,
            "SELECT company_id, quarter, employees_active, center_days, office_days_replaced, center_hours, package_hours,
                    package_used_pct, km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
             FROM company_quarter_impact ORDER BY company_id, quarter",
            |r| {
                Ok(Headline {
                    employees_active: u(r.get("employees_active")?),
                    center_days: u(r.get("center_days")?),
                    office_days_replaced: u(r.get("office_days_replaced")?),
                    center_hours: r.get("center_hours")?,
                    package_hours: r.get("package_hours")?,
                    package_used_pct: r.get("package_used_pct")?,
                    km_avoided: r.get("km_avoided")?,
                    hours_avoided: r.get("hours_avoided")?,
                    co2e_kg_baseline: r.get("co2e_kg_baseline")?,
                    co2e_kg_actual: r.get("co2e_kg_actual")?,
                    co2e_kg_avoided: r.get("co2e_kg_avoided")?,
                })
            },
        )?;
        let visit_rules = grouped(
            conn,
            "SELECT company_id, quarter,
                    CAST(coalesce(sum(visits) FILTER (WHERE rule = 'missing_out'), 0) AS BIGINT) AS missing_out,
                    CAST(coalesce(sum(visits), 0) AS BIGINT) AS visits
             FROM company_quarter_visit_rules GROUP BY company_id, quarter ORDER BY company_id, quarter",
            |r| Ok((r.get("missing_out")?, r.get("visits")?)),
        )?;
        let mut stmt = conn.prepare(
            "SELECT company_id,
                    coalesce(100.0 * count(*) FILTER (WHERE home_source = 'postcode') / nullif(count(*), 0), 0) AS pct
             FROM employees GROUP BY company_id",
        )?;
        let homes_from_postcode_pct =
            stmt.query_map([], |r| Ok((r.get("company_id")?, r.get("pct")?)))?.collect::<Result<_, _>>()?;
        let ytd = grouped(
            conn,
            "SELECT company_id, quarter, min_quarter_employees, quarters, employees_active, center_days,
                    office_days_replaced, center_hours, km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual,
                    co2e_kg_avoided
             FROM company_ytd_impact ORDER BY company_id, quarter",
            |r| {
                Ok((
                    u(r.get("min_quarter_employees")?),
                    Ytd {
                        quarters: u(r.get("quarters")?),
                        employees_active: u(r.get("employees_active")?),
                        center_days: u(r.get("center_days")?),
                        office_days_replaced: u(r.get("office_days_replaced")?),
                        center_hours: r.get("center_hours")?,
                        km_avoided: r.get("km_avoided")?,
                        hours_avoided: r.get("hours_avoided")?,
                        co2e_kg_baseline: r.get("co2e_kg_baseline")?,
                        co2e_kg_actual: r.get("co2e_kg_actual")?,
                        co2e_kg_avoided: r.get("co2e_kg_avoided")?,
                    },
                ))
            },
        )?;
        let packages = grouped(
            conn,
            "SELECT company_id, quarter, package_hours, center_hours_used, center_hours_projected,
                    CAST(as_of AS VARCHAR) AS as_of, working_days_observed, working_days_remaining
             FROM company_package_quarter WHERE package_hours > 0 ORDER BY company_id, quarter",
            |r| {
                Ok(Package {
                    package_hours: r.get("package_hours")?,
                    used_hours: r.get("center_hours_used")?,
                    projected_hours: r.get("center_hours_projected")?,
                    as_of: r.get("as_of")?,
                    working_days_observed: u(r.get("working_days_observed")?),
                    working_days_remaining: u(r.get("working_days_remaining")?),
                })
            },
        )?;
        let sites = grouped(
            conn,
            "SELECT v.company_id, v.quarter, v.site_id, s.name, v.employees_active, v.center_days,
                    v.office_days_replaced, v.center_hours, v.km_avoided, v.co2e_kg_avoided
             FROM company_site_quarter_impact v JOIN sites s USING (site_id)
             ORDER BY v.company_id, v.quarter, v.center_days DESC, v.site_id",
            |r| {
                Ok((
                    r.get("site_id")?,
                    SiteRow {
                        site_name: r.get("name")?,
                        employees_active: u(r.get("employees_active")?),
                        center_days: u(r.get("center_days")?),
                        office_days_replaced: u(r.get("office_days_replaced")?),
                        center_hours: r.get("center_hours")?,
                        km_avoided: r.get("km_avoided")?,
                        co2e_kg_avoided: r.get("co2e_kg_avoided")?,
                    },
                ))
            },
        )?;
        let modes = grouped(
            conn,
            "SELECT company_id, quarter, commute_mode, employees_active, center_days, km_avoided, co2e_kg_avoided
             FROM company_mode_quarter_impact ORDER BY company_id, quarter, center_days DESC, commute_mode",
            |r| {
                Ok(ModeRow {
                    mode: r.get("commute_mode")?,
                    employees_active: u(r.get("employees_active")?),
                    center_days: u(r.get("center_days")?),
                    km_avoided: r.get("km_avoided")?,
                    co2e_kg_avoided: r.get("co2e_kg_avoided")?,
                })
            },
        )?;
        let months = grouped(
            conn,
            "SELECT m.company_id, m.quarter, m.month, m.employees_active, m.co2e_kg_baseline, m.co2e_kg_actual,
                    u.center_hours, u.center_hours_cumulated, m.km_avoided
             FROM company_month_impact m JOIN company_month_use u USING (company_id, quarter, month)
             ORDER BY m.company_id, m.quarter, m.month",
            |r| {
                Ok(MonthRow {
                    month: r.get("month")?,
                    employees_active: u(r.get("employees_active")?),
                    co2e_kg_baseline: r.get("co2e_kg_baseline")?,
                    co2e_kg_actual: r.get("co2e_kg_actual")?,
                    center_hours: r.get("center_hours")?,
                    center_hours_cumulated: r.get("center_hours_cumulated")?,
                    km_avoided: r.get("km_avoided")?,
                })
            },
        )?;
        let bands = |measure: &str| {
            grouped(
                conn,
                &format!(
                    "SELECT company_id, quarter, band_from, band_to, employees FROM company_quarter_employee_bands
                     WHERE measure = '{measure}' ORDER BY company_id, quarter, band"
                ),
                |r| Ok(BandRow { from: r.get("band_from")?, to: r.get("band_to")?, employees: u(r.get("employees")?) }),
            )
        };
        let (co2e_bands, day_bands) = (bands("co2e_kg_avoided")?, bands("center_days")?);
        // The share of the run is set from the appendix when a report takes its row out.
        let uncertainty = grouped(
            conn,
            &format!(
                "SELECT company_id, quarter, {UNCERTAINTY_COLUMNS} FROM company_quarter_uncertainty
                 ORDER BY company_id, quarter"
            ),
            |r| uncertainty_row(r, 0.0),
        )?;
        let energy = grouped(
            conn,
            &format!(
                "SELECT company_id, quarter, {ENERGY_COLUMNS} FROM company_quarter_energy ORDER BY company_id, quarter"
            ),
            energy_row,
        )?;
        let mut home_cells: HashMap<String, Vec<(i64, i64, u64)>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT company_id, cell_east_m, cell_north_m, CAST(sum(employees) AS BIGINT) AS employees FROM home_cells
             GROUP BY company_id, cell_id, cell_east_m, cell_north_m ORDER BY company_id, cell_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let cell = (r.get("cell_east_m")?, r.get("cell_north_m")?, u(r.get("employees")?));
            home_cells.entry(r.get("company_id")?).or_default().push(cell);
        }
        Ok(CompanyFigures {
            headlines,
            visit_rules,
            homes_from_postcode_pct,
            ytd,
            packages,
            sites,
            modes,
            months,
            co2e_bands,
            day_bands,
            uncertainty,
            energy,
            energy_parameters: energy_parameters(conn)?,
            map_sites: map_sites(conn)?,
            home_cells,
            site_people: People::new("visits", "site_id"),
            month_people: People::new("impact_base", "month"),
        })
    }

    /// The map of `company` (as [`map`] draws it): the same for each of its quarters.
    pub fn company_map(&self, company: &str, k: u32, background: &Background) -> MapData {
        let cells = self.home_cells.get(company).map_or(&[][..], Vec::as_slice);
        map_data(self.map_sites.clone(), cells, k, background)
    }

    /// Builds one company's report for one quarter, applying k-anonymity; the company-quarter's
    /// rows are taken out (each report is built once). `conn` is only read for the people behind
    /// the hidden cells of secondary suppression.
    pub fn report(
        &mut self,
        conn: &Connection,
        key: &ReportKey,
        lang: Lang,
        study_name: &str,
        appendix: &Appendix,
        map: Option<MapData>,
    ) -> Result<CompanyReport> {
        let id: Key = (key.company_id.clone(), key.quarter.clone());
        let k64 = u64::from(appendix.k_anonymity);
        let headline = take_one(&mut self.headlines, &id)
            .with_context(|| format!("company_quarter_impact has no row for {} {}", key.company_id, key.quarter))?;
        let (visits_missing_out, visits) = take_one(&mut self.visit_rules, &id).unwrap_or((0, 0));
        let mut report = CompanyReport {
            lang,
            study_name: study_name.to_owned(),
            company_name: key.company_name.clone(),
            quarter: key.quarter.clone(),
            headline: None,
            ytd: None,
            package: None,
            sites: Vec::new(),
            modes: Vec::new(),
            months: Vec::new(),
            co2e_bands: Vec::new(),
            day_bands: Vec::new(),
            uncertainty: None,
            energy: None,
            map: None,
            visits_missing_out: u(visits_missing_out),
            visits: u(visits),
            homes_from_postcode_pct: self.homes_from_postcode_pct.get(&key.company_id).copied().unwrap_or(0.0),
            appendix: appendix.clone(),
        };
        if headline.employees_active < k64 {
            // Withheld: nothing but the appendix (study-wide) is published.
            return Ok(report);
        }
        // Only when every quarter of the year so far is published.
        let (min_quarter_employees, ytd) = take_one(&mut self.ytd, &id)
            .with_context(|| format!("company_ytd_impact has no row for {} {}", key.company_id, key.quarter))?;
        report.ytd = (min_quarter_employees >= k64).then_some(ytd);
        report.package = take_one(&mut self.packages, &id);
        let (site_people, month_people) = (&mut self.site_people, &mut self.month_people);
        report.sites = company_sites(self.sites.remove(&id).unwrap_or_default(), k64, || site_people.take(conn, &id));
        report.modes = company_modes(self.modes.remove(&id).unwrap_or_default(), k64);
        report.months =
            company_months(self.months.remove(&id).unwrap_or_default(), k64, || month_people.take(conn, &id));
        report.co2e_bands = company_bands(self.co2e_bands.remove(&id).unwrap_or_default(), k64);
        report.day_bands = company_bands(self.day_bands.remove(&id).unwrap_or_default(), k64);
        report.uncertainty = take_one(&mut self.uncertainty, &id)
            .map(|u| Uncertainty { rebound_share_in_run: appendix.rebound_share, ..u });
        report.energy = take_one(&mut self.energy, &id).map(|e| with_parameters(e, &self.energy_parameters));
        report.map = map;
        report.headline = Some(headline);
        Ok(report)
    }
}

/// The people behind a company-quarter's cells, read by `read` only if a group of hidden cells
/// needs them, then counted by [`distinct_people`].
fn hidden_people<'a>(
    read: impl FnOnce() -> Option<HashMap<String, Vec<u32>>> + 'a,
    labels: &'a [String],
) -> impl Fn(&[usize]) -> u64 + 'a {
    let read = std::cell::Cell::new(Some(read));
    let people = std::cell::OnceCell::new();
    move |cells: &[usize]| {
        let people = people.get_or_init(|| read.take().and_then(|f| f()));
        distinct_people(people, cells.iter().map(|&i| labels[i].as_str()))
    }
}

/// Sites (`company_site_quarter_impact`): the same person can visit several sites, so hidden
/// cells count distinct people.
fn company_sites(
    rows: Vec<(String, SiteRow)>,
    k: u64,
    people: impl FnOnce() -> Option<HashMap<String, Vec<u32>>>,
) -> Vec<Option<SiteRow>> {
    let (site_ids, sites): (Vec<String>, Vec<SiteRow>) = rows.into_iter().unzip();
    let hidden =
        suppress(&sites.iter().map(|s| s.employees_active).collect::<Vec<_>>(), k, hidden_people(people, &site_ids));
    hide(sites, hidden)
}

/// Commute modes (`company_mode_quarter_impact`): one per person, cells are disjoint.
fn company_modes(modes: Vec<ModeRow>, k: u64) -> Vec<Option<ModeRow>> {
    let hidden = suppress_disjoint(&modes.iter().map(|m| m.employees_active).collect::<Vec<_>>(), k as u32);
    hide(modes, hidden)
}

/// Months (`company_month_impact`, `company_month_use`); a person can be active in several.
fn company_months(
    months: Vec<MonthRow>,
    k: u64,
    people: impl FnOnce() -> Option<HashMap<String, Vec<u32>>>,
) -> Vec<(String, Option<MonthRow>)> {
    let labels: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
    let hidden =
        suppress(&months.iter().map(|m| m.employees_active).collect::<Vec<_>>(), k, hidden_people(people, &labels));
    labels.into_iter().zip(hide(months, hidden)).collect()
}

/// Distribution of people over the bands of a measure (`company_quarter_employee_bands`): each
/// person sits in exactly one band.
fn company_bands(rows: Vec<BandRow>, k: u64) -> Vec<Option<BandRow>> {
    let hidden = suppress_disjoint(&rows.iter().map(|b| b.employees).collect::<Vec<_>>(), k as u32);
    hide(rows, hidden)
}

/// Per company-quarter, the (pseudonymous) people of each value of a cell column, as indices.
type PeopleByKey = HashMap<Key, HashMap<String, Vec<u32>>>;

/// The people behind the cells of one kind (`column` of `table`: sites of `visits`, months of
/// `impact_base`), for the distinct counts of secondary suppression ([`distinct_people`]).
///
/// They are read for every company-quarter at once, the first time a report hides a group of
/// such cells (most reports of a big study do): one scan of the table, not a scan of every visit
/// of the study per group (about 18 ms a group on 3 M visits), nor a query per report (2,000 on
/// the country study, issue 13). People are numbered, not kept as strings: the country study has
/// about a million (company-quarter, value, person) rows.
struct People {
    table: &'static str,
    column: &'static str,
    /// `None` until read; `Some(None)` when they cannot be read.
    by_key: Option<Option<PeopleByKey>>,
}

impl People {
    fn new(table: &'static str, column: &'static str) -> People {
        People { table, column, by_key: None }
    }

    /// The people of the company-quarter `key` by value, taken out (`None` when they cannot be
    /// read: then nobody is counted, which hides more, never less).
    fn take(&mut self, conn: &Connection, key: &Key) -> Option<HashMap<String, Vec<u32>>> {
        let (table, column) = (self.table, self.column);
        let by_key = self.by_key.get_or_insert_with(|| read_people(conn, table, column).ok());
        by_key.as_mut()?.remove(key)
    }
}

fn read_people(conn: &Connection, table: &str, column: &str) -> Result<PeopleByKey> {
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT company_id, quarter, CAST({column} AS VARCHAR) AS value, CAST(employee_pid AS VARCHAR) AS pid
         FROM {table}"
    ))?;
    let mut rows = stmt.query([])?;
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut by_key: PeopleByKey = HashMap::new();
    while let Some(r) = rows.next()? {
        let pid: String = r.get("pid")?;
        let next = ids.len() as u32;
        let id = *ids.entry(pid).or_insert(next);
        by_key
            .entry((r.get("company_id")?, r.get("quarter")?))
            .or_default()
            .entry(r.get("value")?)
            .or_default()
            .push(id);
    }
    Ok(by_key)
}

/// Distinct people over the cells `values` of `people` ([`People::take`]): the size of a group
/// of hidden cells. Without `people` it counts nobody, which hides more, never less.
fn distinct_people<'a>(people: &Option<HashMap<String, Vec<u32>>>, values: impl Iterator<Item = &'a str>) -> u64 {
    let Some(people) = people else { return 0 };
    let mut seen: HashSet<u32> = HashSet::new();
    for value in values {
        seen.extend(people.get(value).into_iter().flatten());
    }
    seen.len() as u64
}

fn network_totals(conn: &Connection, quarter: &str) -> Result<Option<NetworkTotals>> {
    let mut stmt = conn.prepare_cached(
        "SELECT quarter, employees_active, companies_active, sites_active, center_days, office_days_replaced, center_hours,
                km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
         FROM network_quarter_impact WHERE quarter = ?",
    )?;
    let mut rows = stmt.query([quarter])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some(NetworkTotals {
        quarter: r.get("quarter")?,
        employees_active: u(r.get("employees_active")?),
        companies_active: u(r.get("companies_active")?),
        sites_active: u(r.get("sites_active")?),
        center_days: u(r.get("center_days")?),
        office_days_replaced: u(r.get("office_days_replaced")?),
        center_hours: r.get("center_hours")?,
        km_avoided: r.get("km_avoided")?,
        hours_avoided: r.get("hours_avoided")?,
        co2e_kg_baseline: r.get("co2e_kg_baseline")?,
        co2e_kg_actual: r.get("co2e_kg_actual")?,
        co2e_kg_avoided: r.get("co2e_kg_avoided")?,
    }))
}

/// Builds the funders' network report of one quarter (with the quarter before beside it).
pub fn network_report(
    conn: &Connection,
    quarters: &[String],
    quarter: &str,
    lang: Lang,
    study_name: &str,
    appendix: &Appendix,
    map: Option<MapData>,
) -> Result<NetworkReport> {
    let k = appendix.k_anonymity as u64;
    let published = |t: Option<NetworkTotals>| t.filter(|t| t.employees_active >= k);
    let current = published(network_totals(conn, quarter)?);
    let mut report = NetworkReport {
        lang,
        study_name: study_name.to_owned(),
        quarter: quarter.to_owned(),
        current: None,
        previous: None,
        sites: Vec::new(),
        data_sources: None,
        uncertainty: None,
        energy: None,
        map: None,
        appendix: appendix.clone(),
    };
    if current.is_none() {
        return Ok(report);
    }
    let at = quarters.iter().position(|q| q == quarter);
    if let Some(prev) = at.filter(|&i| i > 0).map(|i| &quarters[i - 1]) {
        report.previous = published(network_totals(conn, prev)?);
    }

    let mut stmt = conn.prepare_cached(
        "SELECT i.site_id, i.site_name, coalesce(s.municipality, '') AS municipality,
                CAST(i.workspaces AS BIGINT) AS workspaces, i.employees_active,
                i.companies_active, i.center_days, i.center_hours, o.desk_occupancy_pct, o.mean_peak_occupancy_pct,
                i.co2e_kg_avoided
         FROM site_quarter_impact i JOIN sites s USING (site_id)
         LEFT JOIN site_quarter_occupancy o USING (site_id, quarter)
         WHERE i.quarter = ? ORDER BY i.site_id",
    )?;
    let (site_ids, sites): (Vec<String>, Vec<NetworkSiteRow>) = stmt
        .query_map([quarter], |r| {
            Ok((
                r.get("site_id")?,
                NetworkSiteRow {
                    site_name: r.get("site_name")?,
                    municipality: r.get("municipality")?,
                    workspaces: r.get::<_, Option<i64>>("workspaces")?.map(u),
                    employees_active: u(r.get("employees_active")?),
                    companies_active: u(r.get("companies_active")?),
                    center_days: u(r.get("center_days")?),
                    center_hours: r.get("center_hours")?,
                    desk_occupancy_pct: r.get("desk_occupancy_pct")?,
                    mean_peak_occupancy_pct: r.get("mean_peak_occupancy_pct")?,
                    co2e_kg_avoided: r.get("co2e_kg_avoided")?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    let hidden = suppress(&sites.iter().map(|s| s.employees_active).collect::<Vec<_>>(), k, |cells| {
        let list =
            cells.iter().map(|&i| format!("'{}'", site_ids[i].replace('\'', "''"))).collect::<Vec<_>>().join(", ");
        conn.query_row(
            &format!("SELECT count(DISTINCT employee_pid) FROM visits WHERE quarter = ? AND site_id IN ({list})"),
            [quarter],
            |r| r.get::<_, i64>(0),
        )
        .map_or(0, u)
    });
    report.sites = hide(sites, hidden);

    report.data_sources = conn
        .query_row(
            "SELECT center_days, visits, coalesce(visits_closed_pct, 0) AS visits_closed_pct,
                    coalesce(km_baseline_routed_pct, 0) AS km_baseline_routed_pct,
                    coalesce(km_center_routed_pct, 0) AS km_center_routed_pct,
                    coalesce(homes_from_coordinates_pct, 0) AS homes_from_coordinates_pct
             FROM network_quarter_data_sources WHERE quarter = ?",
            [quarter],
            |r| {
                Ok(DataSources {
                    center_days: u(r.get("center_days")?),
                    visits: u(r.get("visits")?),
                    visits_closed_pct: r.get("visits_closed_pct")?,
                    km_baseline_routed_pct: r.get("km_baseline_routed_pct")?,
                    km_center_routed_pct: r.get("km_center_routed_pct")?,
                    homes_from_coordinates_pct: r.get("homes_from_coordinates_pct")?,
                })
            },
        )
        .map(Some)
        .or_else(|e| if matches!(e, duckdb::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
    report.uncertainty = uncertainty(
        conn,
        &format!("SELECT {UNCERTAINTY_COLUMNS} FROM network_quarter_uncertainty WHERE quarter = ?"),
        &[&quarter],
        appendix.rebound_share,
    )?;
    report.energy =
        energy(conn, &format!("SELECT {ENERGY_COLUMNS} FROM network_quarter_energy WHERE quarter = ?"), &[&quarter])?;
    report.map = map;
    report.current = current;
    Ok(report)
}

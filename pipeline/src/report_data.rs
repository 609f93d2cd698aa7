//! Report figures, read from the warehouse views only, with small cells suppressed.
//!
//! Invariant: every number handed to `navette_reports` comes from a SQL view (or a count over a
//! warehouse table); nothing here recomputes the method. Privacy is applied here, before any
//! figure reaches the renderer: groups of fewer than k employees are suppressed, with secondary
//! suppression (`navette_reports::privacy::suppress`) so the hidden cells cannot be recomputed
//! from the totals, and the year to date is withheld whenever one of its quarters is.

use anyhow::{Context, Result};
use duckdb::Connection;
use navette_reports::privacy::suppress;
use navette_reports::{
    Appendix, BandRow, CompanyReport, DataSources, DetourRow, FactorRow, Headline, Lang, MapCell, MapData, MapPoint,
    ModeRow, MonthRow, NetworkReport, NetworkSiteRow, NetworkTotals, Package, SiteRow, SpreadRow, Uncertainty, Ytd,
};

use crate::grid::laea;

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

/// Every (company, quarter) with at least one center day, in id then quarter order.
pub fn report_keys(conn: &Connection) -> Result<Vec<ReportKey>> {
    let mut stmt = conn.prepare(
        "SELECT q.company_id, c.name, q.quarter FROM company_quarter_impact q JOIN companies c USING (company_id) ORDER BY q.company_id, q.quarter",
    )?;
    let rows =
        stmt.query_map([], |r| Ok(ReportKey { company_id: r.get(0)?, company_name: r.get(1)?, quarter: r.get(2)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every quarter with at least one center day, in order (one network report each).
pub fn network_quarters(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT quarter FROM network_quarter_impact ORDER BY quarter")?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

/// The study-wide method and data-quality appendix.
pub fn appendix(conn: &Connection, k: u32) -> Result<Appendix> {
    let (boundary, factor_set, min_hours, rebound_share): (String, String, f64, f64) = conn.query_row(
        "SELECT boundary, factor_set_version, min_hours_office_day, rebound_share FROM run_info",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut stmt = conn.prepare(
        "SELECT mode, coalesce(fuel, ''), coalesce(size, ''), component, value_kg, unit, source, CAST(year AS BIGINT), legs
         FROM factors_used",
    )?;
    let factors = stmt
        .query_map([], |r| {
            Ok(FactorRow {
                mode: r.get(0)?,
                fuel: r.get(1)?,
                size: r.get(2)?,
                component: r.get(3)?,
                value_kg: r.get(4)?,
                unit: r.get(5)?,
                source: r.get(6)?,
                year: r.get(7)?,
                legs: u(r.get(8)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare("SELECT mode, from_km, detour, speed_kmh FROM estimate_bands ORDER BY mode, from_km")?;
    let detours = stmt
        .query_map([], |r| {
            Ok(DetourRow { mode: r.get(0)?, from_km: r.get(1)?, detour: r.get(2)?, speed_kmh: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?;
    let (legs_routed, legs_estimated): (i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE method = 'routed'), count(*) FILTER (WHERE method <> 'routed') FROM legs",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (rows_read, rows_rejected): (i64, i64) = conn.query_row(
        "SELECT CAST(coalesce(sum(rows_read), 0) AS BIGINT), CAST(coalesce(sum(rows_rejected), 0) AS BIGINT) FROM data_quality_by_file",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare("SELECT reason, rows_rejected FROM rejects_by_reason")?;
    let reasons: Vec<(String, u64)> =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, u(r.get(1)?))))?.collect::<Result<_, _>>()?;
    let unknown_cards = reasons.iter().find(|(r, _)| r == "unknown_card").map_or(0, |(_, n)| *n);
    let (homes_from_postcode, employees): (i64, i64) =
        conn.query_row("SELECT count(*) FILTER (WHERE home_source = 'postcode'), count(*) FROM employees", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut stmt = conn.prepare("SELECT kind, key, low_ratio, high_ratio, source FROM factor_spread")?;
    let spread = stmt
        .query_map([], |r| {
            Ok(SpreadRow {
                kind: r.get(0)?,
                key: r.get(1)?,
                low_ratio: r.get(2)?,
                high_ratio: r.get(3)?,
                source: r.get(4)?,
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
/// judicial-canton outlines (shipped in `datasets/geo/`, see its SOURCES.md). The default is empty.
#[derive(Debug, Clone, Default)]
pub struct Background {
    /// Population-weighted municipality points.
    pub places: Vec<(f64, f64)>,
    /// Closed rings of the cantons' outer edges.
    pub outlines: Vec<Vec<(f64, f64)>>,
    /// Main roads of the study's OpenStreetMap extract, when it has one (polylines).
    pub roads: Vec<Vec<(f64, f64)>>,
}

impl Background {
    /// The shipped Belgian background.
    pub fn belgium() -> Background {
        const PLACES: &str = include_str!("../../datasets/geo/be_municipalities.csv");
        const OUTLINES: &str = include_str!("../../datasets/geo/be_outlines.csv");
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
        Background { places, outlines, roads: Vec::new() }
    }

    /// Adds roads given as polylines of (lat, lon).
    pub fn with_roads(mut self, lines: &[Vec<(f64, f64)>]) -> Background {
        self.roads = lines.iter().map(|l| l.iter().map(|&(lat, lon)| laea(lat, lon)).collect()).collect();
        self
    }
}

/// Keeps the rows `suppress` lets through; the others become `None`.
fn hide<T>(rows: Vec<T>, hidden: Vec<bool>) -> Vec<Option<T>> {
    rows.into_iter().zip(hidden).map(|(r, h)| (!h).then_some(r)).collect()
}

/// Cells of disjoint groups (each person in one cell): distinct people of a set = sum of counts.
fn suppress_disjoint(counts: &[u64], k: u32) -> Vec<bool> {
    suppress(counts, k as u64, |cells| cells.iter().map(|&i| counts[i]).sum())
}

/// The map of the sites and of the home cells of the center users: one company's, or the whole
/// network's (`company = None`), over the whole study period (so every quarter's report shows the
/// same cells and no quarter can be recomputed from another). Cells below k are hidden with
/// secondary suppression.
pub fn map(conn: &Connection, company: Option<&str>, k: u32, background: &Background) -> Result<MapData> {
    let mut stmt = conn.prepare("SELECT name, lat, lon FROM sites ORDER BY site_id")?;
    let sites = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?, r.get::<_, f64>(2)?)))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(label, lat, lon)| {
            let (east_m, north_m) = laea(lat, lon);
            MapPoint { label, east_m, north_m }
        })
        .collect();
    let mut stmt = conn.prepare(
        "SELECT cell_east_m, cell_north_m, CAST(sum(employees) AS BIGINT) FROM home_cells
         WHERE ? = '' OR company_id = ? GROUP BY cell_id, cell_east_m, cell_north_m ORDER BY cell_id",
    )?;
    let company = company.unwrap_or("");
    let cells: Vec<(i64, i64, u64)> = stmt
        .query_map(duckdb::params![company, company], |r| Ok((r.get(0)?, r.get(1)?, u(r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    let (cells, cells_hidden, employees_hidden) = coarsen(&cells, k);
    Ok(MapData {
        sites,
        places: background.places.clone(),
        outlines: background.outlines.clone(),
        roads: background.roads.clone(),
        cells,
        cells_hidden,
        employees_hidden,
    })
}

/// Cell sizes of the map, finest first; each divides the next, so cells nest.
pub const MAP_CELL_SIZES_M: [i64; 5] = [1_000, 2_000, 10_000, 20_000, 40_000];

/// Publishes 1 km home counts `(east_m, north_m, employees)` (south-west corners, EPSG:3035)
/// without any cell under `k`: a cell of at least k is shown at the finest size; the people of
/// smaller cells move up to the enclosing cell of the next size (people already shown are not
/// counted again), and so on up to 40 km, where the remaining cells go through primary and
/// secondary suppression (the hidden people, the map's total minus what it shows, are 0 or at
/// least k). Returns the published cells (largest last), and the number of hidden cells and of
/// people in them.
pub fn coarsen(cells_1km: &[(i64, i64, u64)], k: u32) -> (Vec<MapCell>, u64, u64) {
    use std::collections::BTreeMap;
    let mut pending: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    for &(e, n, c) in cells_1km {
        *pending.entry((e, n)).or_default() += c;
    }
    let mut shown = Vec::new();
    for (level, &size) in MAP_CELL_SIZES_M.iter().enumerate() {
        let mut grouped: BTreeMap<(i64, i64), u64> = BTreeMap::new();
        for ((e, n), c) in pending {
            *grouped.entry((e.div_euclid(size) * size, n.div_euclid(size) * size)).or_default() += c;
        }
        let cell = |(e, n): (i64, i64), c: u64| MapCell {
            east_m: e as f64,
            north_m: n as f64,
            size_m: size as f64,
            employees: c,
        };
        if level + 1 < MAP_CELL_SIZES_M.len() {
            let (big, small): (Vec<_>, Vec<_>) = grouped.into_iter().partition(|(_, c)| *c >= u64::from(k));
            shown.extend(big.into_iter().map(|(at, c)| cell(at, c)));
            pending = small.into_iter().collect();
        } else {
            // The rest, and every cell shown so far, through primary and secondary suppression
            // together: if the rest is under k, shown cells (smallest first) are hidden with it.
            shown.extend(grouped.into_iter().map(|(at, c)| cell(at, c)));
            let counts: Vec<u64> = shown.iter().map(|c| c.employees).collect();
            let hidden = suppress_disjoint(&counts, k);
            let cells_hidden = hidden.iter().filter(|h| **h).count() as u64;
            let employees_hidden = counts.iter().zip(&hidden).filter(|(_, h)| **h).map(|(c, _)| c).sum();
            let shown = hide(shown, hidden).into_iter().flatten().collect();
            return (shown, cells_hidden, employees_hidden);
        }
    }
    unreachable!("the last size returns")
}

fn uncertainty(
    conn: &Connection,
    sql: &str,
    params: &[&dyn duckdb::ToSql],
    rebound_share: f64,
) -> Result<Option<Uncertainty>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some(Uncertainty {
        low_kg: r.get(0)?,
        central_kg: r.get(1)?,
        high_kg: r.get(2)?,
        gross_kg: r.get(3)?,
        after_ademe_rebound_kg: r.get(4)?,
        rebound_share_in_run: rebound_share,
    }))
}

const UNCERTAINTY_COLUMNS: &str = "co2e_kg_avoided_low, co2e_kg_avoided, co2e_kg_avoided_high, co2e_kg_avoided_gross, co2e_kg_avoided_after_ademe_rebound";

/// Builds one company's report for one quarter, applying k-anonymity.
pub fn company_report(
    conn: &Connection,
    key: &ReportKey,
    lang: Lang,
    study_name: &str,
    appendix: &Appendix,
    map: Option<MapData>,
) -> Result<CompanyReport> {
    let k = appendix.k_anonymity;
    let ctx = || format!("reading figures for {} {}", key.company_id, key.quarter);
    let params = duckdb::params![key.company_id, key.quarter];
    let headline = conn
        .query_row(
            "SELECT employees_active, center_days, office_days_replaced, center_hours, package_hours, package_used_pct,
                    km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
             FROM company_quarter_impact WHERE company_id = ? AND quarter = ?",
            params,
            |r| {
                Ok(Headline {
                    employees_active: u(r.get(0)?),
                    center_days: u(r.get(1)?),
                    office_days_replaced: u(r.get(2)?),
                    center_hours: r.get(3)?,
                    package_hours: r.get(4)?,
                    package_used_pct: r.get(5)?,
                    km_avoided: r.get(6)?,
                    hours_avoided: r.get(7)?,
                    co2e_kg_baseline: r.get(8)?,
                    co2e_kg_actual: r.get(9)?,
                    co2e_kg_avoided: r.get(10)?,
                })
            },
        )
        .with_context(ctx)?;
    let (visits_missing_out, visits): (i64, i64) = conn.query_row(
        "SELECT CAST(coalesce(sum(visits) FILTER (WHERE rule = 'missing_out'), 0) AS BIGINT), CAST(coalesce(sum(visits), 0) AS BIGINT)
         FROM company_quarter_visit_rules WHERE company_id = ? AND quarter = ?",
        params,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let homes_from_postcode_pct: f64 = conn.query_row(
        "SELECT coalesce(100.0 * count(*) FILTER (WHERE home_source = 'postcode') / nullif(count(*), 0), 0)
         FROM employees WHERE company_id = ?",
        [&key.company_id],
        |r| r.get(0),
    )?;
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
        map: None,
        visits_missing_out: u(visits_missing_out),
        visits: u(visits),
        homes_from_postcode_pct,
        appendix: appendix.clone(),
    };
    if headline.employees_active < k as u64 {
        // Withheld: nothing but the appendix (study-wide) is published.
        return Ok(report);
    }

    // Year to date, only when every quarter of the year so far is published.
    let ytd = conn.query_row(
        "SELECT min_quarter_employees, quarters, employees_active, center_days, office_days_replaced, center_hours,
                km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
         FROM company_ytd_impact WHERE company_id = ? AND quarter = ?",
        params,
        |r| {
            Ok((
                u(r.get(0)?),
                Ytd {
                    quarters: u(r.get(1)?),
                    employees_active: u(r.get(2)?),
                    center_days: u(r.get(3)?),
                    office_days_replaced: u(r.get(4)?),
                    center_hours: r.get(5)?,
                    km_avoided: r.get(6)?,
                    hours_avoided: r.get(7)?,
                    co2e_kg_baseline: r.get(8)?,
                    co2e_kg_actual: r.get(9)?,
                    co2e_kg_avoided: r.get(10)?,
                },
            ))
        },
    )?;
    report.ytd = (ytd.0 >= k as u64).then_some(ytd.1);

    report.package = conn
        .query_row(
            "SELECT package_hours, center_hours_used, center_hours_projected, CAST(as_of AS VARCHAR),
                    working_days_observed, working_days_remaining
             FROM company_package_quarter WHERE company_id = ? AND quarter = ? AND package_hours > 0",
            params,
            |r| {
                Ok(Package {
                    package_hours: r.get(0)?,
                    used_hours: r.get(1)?,
                    projected_hours: r.get(2)?,
                    as_of: r.get(3)?,
                    working_days_observed: u(r.get(4)?),
                    working_days_remaining: u(r.get(5)?),
                })
            },
        )
        .map(Some)
        .or_else(|e| if matches!(e, duckdb::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;

    // Sites: the same person can visit several sites, so hidden cells count distinct people.
    let mut stmt = conn.prepare(
        "SELECT v.site_id, s.name, v.employees_active, v.center_days, v.office_days_replaced, v.center_hours,
                v.km_avoided, v.co2e_kg_avoided
         FROM company_site_quarter_impact v JOIN sites s USING (site_id)
         WHERE v.company_id = ? AND v.quarter = ? ORDER BY v.center_days DESC, v.site_id",
    )?;
    let (site_ids, sites): (Vec<String>, Vec<SiteRow>) = stmt
        .query_map(params, |r| {
            Ok((
                r.get(0)?,
                SiteRow {
                    site_name: r.get(1)?,
                    employees_active: u(r.get(2)?),
                    center_days: u(r.get(3)?),
                    office_days_replaced: u(r.get(4)?),
                    center_hours: r.get(5)?,
                    km_avoided: r.get(6)?,
                    co2e_kg_avoided: r.get(7)?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()
        .with_context(ctx)?
        .into_iter()
        .unzip();
    let distinct_over = |column: &str, table: &str, values: Vec<&String>| -> u64 {
        let list = values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT count(DISTINCT employee_pid) FROM {table} WHERE company_id = ? AND quarter = ? AND {column} IN ({list})"
        );
        // On error count nobody: that hides more, never less.
        conn.query_row(&sql, params, |r| r.get::<_, i64>(0)).map_or(0, u)
    };
    let hidden = suppress(&sites.iter().map(|s| s.employees_active).collect::<Vec<_>>(), k as u64, |cells| {
        distinct_over("site_id", "visits", cells.iter().map(|&i| &site_ids[i]).collect())
    });
    report.sites = hide(sites, hidden);

    // Modes: one commute mode per person, cells are disjoint.
    let mut stmt = conn.prepare(
        "SELECT commute_mode, employees_active, center_days, km_avoided, co2e_kg_avoided
         FROM company_mode_quarter_impact WHERE company_id = ? AND quarter = ? ORDER BY center_days DESC, commute_mode",
    )?;
    let modes: Vec<ModeRow> = stmt
        .query_map(params, |r| {
            Ok(ModeRow {
                mode: r.get(0)?,
                employees_active: u(r.get(1)?),
                center_days: u(r.get(2)?),
                km_avoided: r.get(3)?,
                co2e_kg_avoided: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let hidden = suppress_disjoint(&modes.iter().map(|m| m.employees_active).collect::<Vec<_>>(), k);
    report.modes = hide(modes, hidden);

    let mut stmt = conn.prepare(
        "SELECT m.month, m.employees_active, m.co2e_kg_baseline, m.co2e_kg_actual, u.center_hours, u.center_hours_cumulated,
                m.km_avoided
         FROM company_month_impact m JOIN company_month_use u USING (company_id, quarter, month)
         WHERE m.company_id = ? AND m.quarter = ? ORDER BY m.month",
    )?;
    let months: Vec<MonthRow> = stmt
        .query_map(params, |r| {
            Ok(MonthRow {
                month: r.get(0)?,
                employees_active: u(r.get(1)?),
                co2e_kg_baseline: r.get(2)?,
                co2e_kg_actual: r.get(3)?,
                center_hours: r.get(4)?,
                center_hours_cumulated: r.get(5)?,
                km_avoided: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()
        .with_context(ctx)?;
    let labels: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
    let hidden = suppress(&months.iter().map(|m| m.employees_active).collect::<Vec<_>>(), k as u64, |cells| {
        distinct_over("month", "impact_base", cells.iter().map(|&i| &labels[i]).collect())
    });
    report.months = labels.into_iter().zip(hide(months, hidden)).collect();

    // Distributions: each person sits in exactly one band of each measure.
    let bands = |measure: &str| -> Result<Vec<Option<BandRow>>> {
        let mut stmt = conn.prepare(
            "SELECT band_from, band_to, employees FROM company_quarter_employee_bands
             WHERE company_id = ? AND quarter = ? AND measure = ? ORDER BY band",
        )?;
        let rows: Vec<BandRow> = stmt
            .query_map(duckdb::params![key.company_id, key.quarter, measure], |r| {
                Ok(BandRow { from: r.get(0)?, to: r.get(1)?, employees: u(r.get(2)?) })
            })?
            .collect::<Result<_, _>>()?;
        let hidden = suppress_disjoint(&rows.iter().map(|b| b.employees).collect::<Vec<_>>(), k);
        Ok(hide(rows, hidden))
    };
    report.co2e_bands = bands("co2e_kg_avoided")?;
    report.day_bands = bands("center_days")?;

    report.uncertainty = uncertainty(
        conn,
        &format!("SELECT {UNCERTAINTY_COLUMNS} FROM company_quarter_uncertainty WHERE company_id = ? AND quarter = ?"),
        &[&key.company_id, &key.quarter],
        appendix.rebound_share,
    )?;
    report.map = map;
    report.headline = Some(headline);
    Ok(report)
}

fn network_totals(conn: &Connection, quarter: &str) -> Result<Option<NetworkTotals>> {
    let mut stmt = conn.prepare(
        "SELECT quarter, employees_active, companies_active, sites_active, center_days, office_days_replaced, center_hours,
                km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
         FROM network_quarter_impact WHERE quarter = ?",
    )?;
    let mut rows = stmt.query([quarter])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some(NetworkTotals {
        quarter: r.get(0)?,
        employees_active: u(r.get(1)?),
        companies_active: u(r.get(2)?),
        sites_active: u(r.get(3)?),
        center_days: u(r.get(4)?),
        office_days_replaced: u(r.get(5)?),
        center_hours: r.get(6)?,
        km_avoided: r.get(7)?,
        hours_avoided: r.get(8)?,
        co2e_kg_baseline: r.get(9)?,
        co2e_kg_actual: r.get(10)?,
        co2e_kg_avoided: r.get(11)?,
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

    let mut stmt = conn.prepare(
        "SELECT i.site_id, i.site_name, coalesce(s.municipality, ''), CAST(i.workspaces AS BIGINT), i.employees_active,
                i.companies_active, i.center_days, i.center_hours, o.desk_occupancy_pct, o.mean_peak_occupancy_pct,
                i.co2e_kg_avoided
         FROM site_quarter_impact i JOIN sites s USING (site_id)
         LEFT JOIN site_quarter_occupancy o USING (site_id, quarter)
         WHERE i.quarter = ? ORDER BY i.site_id",
    )?;
    let (site_ids, sites): (Vec<String>, Vec<NetworkSiteRow>) = stmt
        .query_map([quarter], |r| {
            Ok((
                r.get(0)?,
                NetworkSiteRow {
                    site_name: r.get(1)?,
                    municipality: r.get(2)?,
                    workspaces: r.get::<_, Option<i64>>(3)?.map(u),
                    employees_active: u(r.get(4)?),
                    companies_active: u(r.get(5)?),
                    center_days: u(r.get(6)?),
                    center_hours: r.get(7)?,
                    desk_occupancy_pct: r.get(8)?,
                    mean_peak_occupancy_pct: r.get(9)?,
                    co2e_kg_avoided: r.get(10)?,
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
            "SELECT center_days, visits, coalesce(visits_closed_pct, 0), coalesce(km_baseline_routed_pct, 0),
                    coalesce(km_center_routed_pct, 0), coalesce(homes_from_coordinates_pct, 0)
             FROM network_quarter_data_sources WHERE quarter = ?",
            [quarter],
            |r| {
                Ok(DataSources {
                    center_days: u(r.get(0)?),
                    visits: u(r.get(1)?),
                    visits_closed_pct: r.get(2)?,
                    km_baseline_routed_pct: r.get(3)?,
                    km_center_routed_pct: r.get(4)?,
                    homes_from_coordinates_pct: r.get(5)?,
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
    report.map = map;
    report.current = current;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (east, north, size, people) of the shown cells.
    fn shown(cells: &[MapCell]) -> Vec<(f64, f64, f64, u64)> {
        cells.iter().map(|c| (c.east_m, c.north_m, c.size_m, c.employees)).collect()
    }

    #[test]
    fn small_cells_merge_into_the_enclosing_larger_cell() {
        // k = 5. A (6) shows at 1 km. B (3) and C (2) share a 2 km cell: one cell of 5. D (4) and
        // E (1) are in different 2 km cells of the same 10 km cell: one 10 km cell of 5.
        let cells = [
            (3_900_000, 3_000_000, 6), // A
            (3_902_000, 3_002_000, 3), // B
            (3_903_000, 3_003_000, 2), // C
            (3_910_000, 3_010_000, 4), // D
            (3_914_000, 3_016_000, 1), // E
        ];
        let (cells, hidden_cells, hidden_people) = coarsen(&cells, 5);
        assert_eq!(
            shown(&cells),
            vec![
                (3_900_000.0, 3_000_000.0, 1_000.0, 6),
                (3_902_000.0, 3_002_000.0, 2_000.0, 5),
                (3_910_000.0, 3_010_000.0, 10_000.0, 5),
            ]
        );
        assert_eq!((hidden_cells, hidden_people), (0, 0));
    }

    #[test]
    fn a_hidden_rest_under_k_takes_the_smallest_shown_cell_with_it() {
        // As above, plus F (1) and G (2), each alone in its 40 km cell: the rest is 3 < 5, so the
        // map's total minus what it shows would give 3 people. The smallest shown cell (B + C,
        // 5) is hidden too: 3 cells, 8 people.
        let cells = [
            (3_900_000, 3_000_000, 6),
            (3_902_000, 3_002_000, 3),
            (3_903_000, 3_003_000, 2),
            (3_910_000, 3_010_000, 4),
            (3_914_000, 3_016_000, 3),
            (3_960_000, 3_000_000, 1), // F
            (4_000_000, 3_100_000, 2), // G
        ];
        let (cells, hidden_cells, hidden_people) = coarsen(&cells, 5);
        assert_eq!(
            shown(&cells),
            vec![(3_900_000.0, 3_000_000.0, 1_000.0, 6), (3_910_000.0, 3_010_000.0, 10_000.0, 7)]
        );
        assert_eq!((hidden_cells, hidden_people), (3, 8));
        assert_eq!(cells.iter().map(|c| c.employees).sum::<u64>() + hidden_people, 21);
    }
}

//! Report figures, read from the warehouse views only, with small cells suppressed.
//!
//! Invariant: every number handed to `navette_reports` comes from a SQL view (or a count over a
//! warehouse table); nothing here recomputes the method.

use anyhow::{Context, Result};
use duckdb::Connection;
use navette_reports::privacy::suppress;
use navette_reports::{CompanyReport, Headline, Lang, MethodFacts, MonthRow, QualityFacts, SiteRow};

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

/// The study-wide facts of every report: method and data quality.
pub fn method_and_quality(conn: &Connection, k: u32) -> Result<(MethodFacts, QualityFacts)> {
    let (boundary, factor_set, min_hours): (String, String, f64) =
        conn.query_row("SELECT boundary, factor_set_version, min_hours_office_day FROM run_info", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let legs_estimated_pct: f64 = conn.query_row(
        "SELECT coalesce(100.0 * sum(legs) FILTER (WHERE method = 'estimated') / nullif(sum(legs), 0), 0) FROM leg_method_share",
        [],
        |r| r.get(0),
    )?;
    let (rows_read, rows_rejected): (i64, i64) = conn.query_row(
        "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_rejected), 0) FROM data_quality_by_file",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare("SELECT reason, rows_rejected FROM rejects_by_reason LIMIT 4")?;
    let top_reasons =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?.collect::<Result<_, _>>()?;
    Ok((
        MethodFacts { boundary, factor_set, min_hours_office_day: min_hours, legs_estimated_pct, k_anonymity: k },
        QualityFacts {
            rows_read: rows_read as u64,
            rows_rejected: rows_rejected as u64,
            top_reasons,
            visits_missing_out: 0,
            visits: 0,
            homes_from_postcode_pct: 0.0,
        },
    ))
}

/// Builds one company's report for one quarter, applying k-anonymity.
pub fn company_report(
    conn: &Connection,
    key: &ReportKey,
    lang: Lang,
    study_name: &str,
    k: u32,
    study_facts: &(MethodFacts, QualityFacts),
) -> Result<CompanyReport> {
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
                    employees_active: r.get::<_, i64>(0)? as u64,
                    center_days: r.get::<_, i64>(1)? as u64,
                    office_days_replaced: r.get::<_, i64>(2)? as u64,
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
    let withheld = headline.employees_active < k as u64;

    let mut stmt = conn.prepare(
        "SELECT v.site_id, s.name, v.employees_active, v.center_days, v.center_hours, v.km_avoided, v.co2e_kg_avoided
         FROM company_site_quarter_impact v JOIN sites s USING (site_id)
         WHERE v.company_id = ? AND v.quarter = ? ORDER BY v.center_days DESC, v.site_id",
    )?;
    let (site_ids, sites): (Vec<String>, Vec<SiteRow>) = stmt
        .query_map(params, |r| {
            Ok((
                r.get(0)?,
                SiteRow {
                    site_name: r.get(1)?,
                    employees_active: r.get::<_, i64>(2)? as u64,
                    center_days: r.get::<_, i64>(3)? as u64,
                    center_hours: r.get(4)?,
                    km_avoided: r.get(5)?,
                    co2e_kg_avoided: r.get(6)?,
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
        conn.query_row(&sql, params, |r| r.get::<_, i64>(0)).map_or(0, |n| n as u64)
    };
    let hidden = suppress(&sites.iter().map(|s| s.employees_active).collect::<Vec<_>>(), k as u64, |cells| {
        distinct_over("site_id", "visits", cells.iter().map(|&i| &site_ids[i]).collect())
    });
    let sites = sites.into_iter().zip(hidden).map(|(s, h)| (!h).then_some(s)).collect();

    let mut stmt = conn.prepare(
        "SELECT month, employees_active, co2e_kg_baseline, co2e_kg_actual
         FROM company_month_impact WHERE company_id = ? AND quarter = ? ORDER BY month",
    )?;
    let months: Vec<MonthRow> = stmt
        .query_map(params, |r| {
            Ok(MonthRow {
                month: r.get(0)?,
                employees_active: r.get::<_, i64>(1)? as u64,
                co2e_kg_baseline: r.get(2)?,
                co2e_kg_actual: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()
        .with_context(ctx)?;
    let hidden = suppress(&months.iter().map(|m| m.employees_active).collect::<Vec<_>>(), k as u64, |cells| {
        distinct_over("month", "impact_base", cells.iter().map(|&i| &months[i].month).collect())
    });
    let months = months.into_iter().zip(hidden).map(|(m, h)| (m.month.clone(), (!h).then_some(m))).collect();

    let (visits_missing_out, visits): (i64, i64) = conn.query_row(
        "SELECT coalesce(sum(visits) FILTER (WHERE rule = 'missing_out'), 0), coalesce(sum(visits), 0)
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
    let (method, quality) = study_facts.clone();
    let report = CompanyReport {
        lang,
        study_name: study_name.to_owned(),
        company_name: key.company_name.clone(),
        quarter: key.quarter.clone(),
        headline: (!withheld).then_some(headline),
        sites: if withheld { Vec::new() } else { sites },
        months: if withheld { Vec::new() } else { months },
        method,
        quality: QualityFacts {
            visits_missing_out: visits_missing_out as u64,
            visits: visits as u64,
            homes_from_postcode_pct,
            ..quality
        },
    };
    Ok(report)
}

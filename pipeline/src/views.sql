-- Warehouse views: every figure of every report is read from one of these.
-- Units are in the column names; CO2e is in the boundary recorded in run_info.boundary.
-- Grain and privacy status of each view are documented in docs/warehouse.md.

-- One macro-like base: per-day figures with their aggregation keys.
CREATE VIEW impact_base AS
SELECT
    employee_pid, company_id, site_id, date, quarter, month, commute_mode, center_mode,
    replaces_office_day, presence_h, baseline_km, actual_km, km_avoided, baseline_h, actual_h,
    hours_avoided, baseline_co2e_kg, actual_co2e_kg, co2e_kg_avoided
FROM day_impacts;

-- Company × quarter: the headline figures of the HR report.
CREATE VIEW company_quarter_impact AS
WITH q AS (
    SELECT
        company_id,
        quarter,
        count(DISTINCT employee_pid)                     AS employees_active,
        count(*)                                         AS center_days,
        count(*) FILTER (WHERE replaces_office_day)      AS office_days_replaced,
        sum(presence_h)                                  AS center_hours,
        sum(baseline_km)                                 AS km_baseline,
        sum(actual_km)                                   AS km_actual,
        sum(km_avoided)                                  AS km_avoided,
        sum(hours_avoided)                               AS hours_avoided,
        sum(baseline_co2e_kg)                            AS co2e_kg_baseline,
        sum(actual_co2e_kg)                              AS co2e_kg_actual,
        sum(co2e_kg_avoided)                             AS co2e_kg_avoided
    FROM impact_base
    GROUP BY company_id, quarter
)
SELECT
    q.*,
    c.package_hours_per_quarter AS package_hours,
    CASE WHEN c.package_hours_per_quarter > 0
         THEN 100.0 * q.center_hours / c.package_hours_per_quarter END AS package_used_pct
FROM q JOIN companies c USING (company_id)
ORDER BY company_id, quarter;

-- Company × site × quarter: the per-site table of the HR report. Hours and people come from the
-- visits at each site; days and trips are counted to the day's main site (longest stay), where
-- the day's trip goes.
CREATE VIEW company_site_quarter_impact AS
WITH v AS (
    SELECT company_id, site_id, quarter,
           count(DISTINCT employee_pid) AS employees_active,
           sum(duration_h)              AS center_hours
    FROM visits
    GROUP BY company_id, site_id, quarter
), d AS (
    SELECT company_id, site_id, quarter,
           count(*)                                    AS center_days,
           count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
           sum(km_avoided)                             AS km_avoided,
           sum(hours_avoided)                          AS hours_avoided,
           sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM impact_base
    GROUP BY company_id, site_id, quarter
)
SELECT company_id, site_id, quarter, v.employees_active, v.center_hours,
       coalesce(d.center_days, 0) AS center_days, coalesce(d.office_days_replaced, 0) AS office_days_replaced,
       coalesce(d.km_avoided, 0) AS km_avoided, coalesce(d.hours_avoided, 0) AS hours_avoided,
       coalesce(d.co2e_kg_avoided, 0) AS co2e_kg_avoided
FROM v LEFT JOIN d USING (company_id, site_id, quarter)
ORDER BY company_id, quarter, site_id;

-- Company × month: the monthly chart of the HR report.
CREATE VIEW company_month_impact AS
SELECT
    company_id, quarter, month,
    count(DISTINCT employee_pid)                AS employees_active,
    count(*)                                    AS center_days,
    sum(baseline_co2e_kg)                       AS co2e_kg_baseline,
    sum(actual_co2e_kg)                         AS co2e_kg_actual,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided,
    sum(km_avoided)                             AS km_avoided
FROM impact_base
GROUP BY company_id, quarter, month
ORDER BY company_id, month;

-- Site × quarter: use of each center across all companies. Hours and people from the visits at
-- the site; days and trip figures for the days whose main site it is.
CREATE VIEW site_quarter_impact AS
WITH v AS (
    SELECT site_id, quarter,
           count(DISTINCT employee_pid) AS employees_active,
           count(DISTINCT company_id)   AS companies_active,
           sum(duration_h)              AS center_hours
    FROM visits
    GROUP BY site_id, quarter
), d AS (
    SELECT site_id, quarter,
           count(*)                                    AS center_days,
           count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
           sum(km_avoided)                             AS km_avoided,
           sum(hours_avoided)                          AS hours_avoided,
           sum(baseline_co2e_kg)                       AS co2e_kg_baseline,
           sum(actual_co2e_kg)                         AS co2e_kg_actual,
           sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM impact_base
    GROUP BY site_id, quarter
)
SELECT s.site_id, s.name AS site_name, s.workspaces, v.quarter, v.employees_active, v.companies_active,
       v.center_hours,
       coalesce(d.center_days, 0) AS center_days, coalesce(d.office_days_replaced, 0) AS office_days_replaced,
       coalesce(d.km_avoided, 0) AS km_avoided, coalesce(d.hours_avoided, 0) AS hours_avoided,
       coalesce(d.co2e_kg_baseline, 0) AS co2e_kg_baseline, coalesce(d.co2e_kg_actual, 0) AS co2e_kg_actual,
       coalesce(d.co2e_kg_avoided, 0) AS co2e_kg_avoided
FROM v JOIN sites s USING (site_id) LEFT JOIN d USING (site_id, quarter)
ORDER BY s.site_id, v.quarter;

-- Whole network × quarter: the funders' totals.
CREATE VIEW network_quarter_impact AS
SELECT
    quarter,
    count(DISTINCT employee_pid)                AS employees_active,
    count(DISTINCT company_id)                  AS companies_active,
    (SELECT count(DISTINCT v.site_id) FROM visits v WHERE v.quarter = impact_base.quarter) AS sites_active,
    count(*)                                    AS center_days,
    count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
    sum(presence_h)                             AS center_hours,
    sum(km_avoided)                             AS km_avoided,
    sum(hours_avoided)                          AS hours_avoided,
    sum(baseline_co2e_kg)                       AS co2e_kg_baseline,
    sum(actual_co2e_kg)                         AS co2e_kg_actual,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided
FROM impact_base
GROUP BY quarter
ORDER BY quarter;

-- Company × quarter × commute mode: the mode split (vocabulary of the federal diagnostic).
CREATE VIEW company_mode_quarter_impact AS
SELECT
    company_id, quarter, commute_mode,
    count(DISTINCT employee_pid)                AS employees_active,
    count(*)                                    AS center_days,
    sum(km_avoided)                             AS km_avoided,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided
FROM impact_base
GROUP BY company_id, quarter, commute_mode
ORDER BY company_id, quarter, commute_mode;

-- Legs by how they were obtained (estimated now; routed with the routing engines).
CREATE VIEW leg_method_share AS
SELECT leg, method, count(*) AS legs, 100.0 * count(*) / sum(count(*)) OVER (PARTITION BY leg) AS share_pct
FROM legs
GROUP BY leg, method
ORDER BY leg, method;

-- Road routing by mode: routed legs, and why the others fell back to the estimate
-- (home_off_network, destination_off_network, no_route; empty for public transport and for
-- studies without an OSM extract).
CREATE VIEW leg_routing_by_mode AS
SELECT leg, mode, method, coalesce(unrouted_reason, '') AS unrouted_reason, count(*) AS legs,
       100.0 * count(*) / sum(count(*)) OVER (PARTITION BY leg, mode) AS share_pct
FROM legs
GROUP BY leg, mode, method, unrouted_reason
ORDER BY leg, mode, method, unrouted_reason;

-- Per-file reconciliation: rows read = accepted + rejected.
CREATE VIEW data_quality_by_file AS
SELECT file, kind, rows_read, rows_accepted, rows_rejected,
       rows_read = rows_accepted + rows_rejected AS reconciles
FROM file_counts
ORDER BY kind, file;

-- Rejected rows by reason, most frequent first.
CREATE VIEW rejects_by_reason AS
SELECT reason, count(*) AS rows_rejected, count(DISTINCT file) AS files
FROM rejects
GROUP BY reason
ORDER BY rows_rejected DESC, reason;

-- Visits by pairing rule for each company and quarter (data quality of the badge logs).
CREATE VIEW company_quarter_visit_rules AS
SELECT company_id, quarter, rule, count(*) AS visits, sum(duration_h) AS hours
FROM visits
GROUP BY company_id, quarter, rule
ORDER BY company_id, quarter, rule;

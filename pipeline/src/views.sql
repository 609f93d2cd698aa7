-- Warehouse views: every figure of every report is read from one of these.
-- Units are in the column names; CO2e is in the boundary recorded in run_info.boundary.
-- Grain and privacy status of each view are documented in docs/warehouse.md.

-- One macro-like base: per-day figures with their aggregation keys.
CREATE VIEW impact_base AS
SELECT
    employee_pid, company_id, site_id, date, quarter, month, commute_mode, center_mode,
    replaces_office_day, presence_h, baseline_km, actual_km, km_avoided, baseline_h, actual_h,
    hours_avoided, baseline_co2e_kg, actual_co2e_kg, co2e_kg_avoided, rebound_km, rebound_h, rebound_co2e_kg
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

-- ---------------------------------------------------------------------------------------------
-- Analysts' views (notebooks/): use of the sites, impact detail, scenarios.
-- ---------------------------------------------------------------------------------------------

-- Site × ISO weekday (1 = Monday): the days of the study period the site was open (from its
-- opened_on), the denominator of every per-day mean below.
CREATE VIEW site_open_weekdays AS
WITH cal AS (
    SELECT CAST(d AS DATE) AS date
    FROM run_info, generate_series(CAST(period_from AS DATE), CAST(period_to AS DATE), INTERVAL 1 DAY) g(d)
)
SELECT s.site_id, isodow(c.date) AS weekday, count(*) AS days_open
FROM sites s CROSS JOIN cal c
WHERE s.opened_on IS NULL OR c.date >= s.opened_on
GROUP BY s.site_id, isodow(c.date)
ORDER BY s.site_id, weekday;

-- Site × date: who came and how full the site got. Peak occupancy is the largest number of
-- visits in progress at the same moment (a visit ending when another starts does not overlap;
-- visits credited no time — badge-in without badge-out at open_visit_hours = 0 — are not present).
CREATE VIEW site_day_occupancy AS
WITH v AS (
    SELECT site_id, date, quarter, employee_pid, company_id, duration_h,
           start_local_sod AS t0, start_local_sod + duration_s AS t1, duration_s
    FROM visits
), ev AS (
    SELECT site_id, date, t0 AS t, 1 AS delta FROM v WHERE duration_s > 0
    UNION ALL
    SELECT site_id, date, t1 AS t, -1 AS delta FROM v WHERE duration_s > 0
), running AS (
    SELECT site_id, date,
           sum(delta) OVER (PARTITION BY site_id, date ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS present
    FROM ev
), peak AS (
    SELECT site_id, date, CAST(max(present) AS BIGINT) AS peak_occupancy FROM running GROUP BY site_id, date
), day AS (
    SELECT site_id, date, any_value(quarter) AS quarter, count(*) AS visits,
           count(DISTINCT employee_pid) AS employees, count(DISTINCT company_id) AS companies,
           sum(duration_h) AS center_hours
    FROM v GROUP BY site_id, date
)
SELECT d.site_id, s.name AS site_name, d.date, d.quarter, isodow(d.date) AS weekday,
       d.visits, d.employees, d.companies, d.center_hours,
       coalesce(p.peak_occupancy, 0) AS peak_occupancy, s.workspaces,
       CASE WHEN s.workspaces > 0 THEN 100.0 * coalesce(p.peak_occupancy, 0) / s.workspaces END AS peak_occupancy_pct,
       CASE WHEN s.workspaces > 0 THEN coalesce(p.peak_occupancy, 0) >= s.workspaces END AS at_capacity
FROM day d JOIN sites s USING (site_id) LEFT JOIN peak p USING (site_id, date)
ORDER BY d.site_id, d.date;

-- Site × ISO weekday: typical use of each site on each day of the week, averaged over the days
-- the site was open in the study period (days without any visit count as 0).
CREATE VIEW site_weekday_use AS
WITH d AS (
    SELECT site_id, weekday, count(*) AS days_used, CAST(sum(visits) AS BIGINT) AS visits,
           CAST(sum(employees) AS BIGINT) AS employee_days, sum(center_hours) AS center_hours,
           CAST(sum(peak_occupancy) AS DOUBLE) AS peak_sum, max(peak_occupancy) AS peak_max,
           count(*) FILTER (WHERE at_capacity) AS days_at_capacity
    FROM site_day_occupancy GROUP BY site_id, weekday
)
SELECT o.site_id, s.name AS site_name, o.weekday,
       CASE o.weekday WHEN 1 THEN 'Mon' WHEN 2 THEN 'Tue' WHEN 3 THEN 'Wed' WHEN 4 THEN 'Thu'
                      WHEN 5 THEN 'Fri' WHEN 6 THEN 'Sat' ELSE 'Sun' END AS weekday_name,
       o.days_open, coalesce(d.days_used, 0) AS days_used, coalesce(d.visits, 0) AS visits,
       coalesce(d.employee_days, 0) AS employee_days, coalesce(d.center_hours, 0) AS center_hours,
       coalesce(d.employee_days, 0) / o.days_open AS employees_per_day,
       coalesce(d.center_hours, 0) / o.days_open AS center_hours_per_day,
       coalesce(d.peak_sum, 0) / o.days_open AS mean_peak_occupancy,
       coalesce(d.peak_max, 0) AS max_peak_occupancy, s.workspaces,
       CASE WHEN s.workspaces > 0 THEN 100.0 * coalesce(d.peak_sum, 0) / o.days_open / s.workspaces END AS mean_peak_occupancy_pct,
       coalesce(d.days_at_capacity, 0) AS days_at_capacity
FROM site_open_weekdays o JOIN sites s USING (site_id) LEFT JOIN d USING (site_id, weekday)
ORDER BY o.site_id, o.weekday;

-- Site × ISO weekday × local hour (0–23): mean number of people present during that hour
-- (person-hours in the hour ÷ days the site was open on that weekday) and that mean as a share of
-- the workspaces. Every cell of the grid is present (0 when nobody came).
CREATE VIEW site_hour_occupancy AS
WITH v AS (
    SELECT site_id, isodow(date) AS weekday, start_local_sod AS t0, start_local_sod + duration_s AS t1
    FROM visits WHERE duration_s > 0
), slices AS (
    SELECT site_id, weekday, t0, t1, unnest(range(t0 // 3600, (t1 - 1) // 3600 + 1)) AS hour FROM v
), h AS (
    SELECT site_id, weekday, hour,
           sum(least(t1, (hour + 1) * 3600) - greatest(t0, hour * 3600)) / 3600.0 AS person_hours
    FROM slices GROUP BY site_id, weekday, hour
)
SELECT o.site_id, s.name AS site_name, o.weekday, g.hour, o.days_open,
       coalesce(h.person_hours, 0) / o.days_open AS mean_present,
       s.workspaces,
       CASE WHEN s.workspaces > 0 THEN 100.0 * coalesce(h.person_hours, 0) / o.days_open / s.workspaces END AS occupancy_pct
FROM site_open_weekdays o JOIN sites s USING (site_id)
CROSS JOIN (SELECT CAST(range AS BIGINT) AS hour FROM range(24)) g
LEFT JOIN h ON h.site_id = o.site_id AND h.weekday = o.weekday AND h.hour = g.hour
ORDER BY o.site_id, o.weekday, g.hour;

-- ISO week (Monday of the week): activity of the whole network over time.
CREATE VIEW network_week_activity AS
WITH d AS (
    SELECT date_trunc('week', date)::DATE AS week_start,
           count(DISTINCT employee_pid)                AS employees_active,
           count(DISTINCT company_id)                  AS companies_active,
           count(*)                                    AS center_days,
           count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
           sum(presence_h)                             AS center_hours,
           sum(km_avoided)                             AS km_avoided,
           sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM impact_base GROUP BY 1
), v AS (
    SELECT date_trunc('week', date)::DATE AS week_start, count(DISTINCT site_id) AS sites_active, count(*) AS visits
    FROM visits GROUP BY 1
)
SELECT week_start, v.sites_active, d.companies_active, d.employees_active, v.visits, d.center_days,
       d.office_days_replaced, d.center_hours, d.km_avoided, d.co2e_kg_avoided
FROM d JOIN v USING (week_start)
ORDER BY week_start;

-- Center day with its commute context (pseudonymous): the one-way distances of the employee's
-- office leg (`commute_km`) and of the day's center leg (`center_km`), whole km, and the commute
-- distance band the impact views group by.
CREATE VIEW day_impact_detail AS
SELECT i.*, isodow(i.date) AS weekday,
       o.distance_m / 1000.0 AS commute_km, c.distance_m / 1000.0 AS center_km,
       CASE WHEN o.distance_m < 2000 THEN 0 WHEN o.distance_m < 4000 THEN 2 WHEN o.distance_m < 6000 THEN 4
            WHEN o.distance_m < 8000 THEN 6 WHEN o.distance_m < 10000 THEN 8 WHEN o.distance_m < 15000 THEN 10
            WHEN o.distance_m < 20000 THEN 15 WHEN o.distance_m < 30000 THEN 20 WHEN o.distance_m < 50000 THEN 30
            ELSE 50 END AS commute_band_from_km
FROM impact_base i
JOIN legs o ON o.employee_pid = i.employee_pid AND o.leg = 'office'
JOIN legs c ON c.employee_pid = i.employee_pid AND c.leg = 'center' AND c.site_id = i.site_id;

-- Commute distance band (one way, from the band's lower bound up to the next) × commute mode ×
-- center mode: where the savings come from and where they turn negative.
CREATE VIEW impact_by_commute_distance AS
SELECT
    commute_band_from_km,
    CASE commute_band_from_km WHEN 0 THEN 2 WHEN 2 THEN 4 WHEN 4 THEN 6 WHEN 6 THEN 8 WHEN 8 THEN 10
         WHEN 10 THEN 15 WHEN 15 THEN 20 WHEN 20 THEN 30 WHEN 30 THEN 50 END AS commute_band_to_km,
    commute_mode, center_mode,
    count(DISTINCT employee_pid)                          AS employees_active,
    count(*)                                              AS center_days,
    count(*) FILTER (WHERE replaces_office_day)           AS office_days_replaced,
    sum(baseline_km)                                      AS km_baseline,
    sum(actual_km)                                        AS km_actual,
    sum(km_avoided)                                       AS km_avoided,
    sum(baseline_co2e_kg)                                 AS co2e_kg_baseline,
    sum(actual_co2e_kg)                                   AS co2e_kg_actual,
    sum(co2e_kg_avoided)                                  AS co2e_kg_avoided,
    sum(co2e_kg_avoided) / nullif(count(*) FILTER (WHERE replaces_office_day), 0) AS co2e_kg_avoided_per_office_day,
    count(*) FILTER (WHERE co2e_kg_avoided < 0)           AS days_with_more_co2e
FROM day_impact_detail
GROUP BY ALL
ORDER BY commute_band_from_km, commute_mode, center_mode;

-- Employee × quarter (pseudonymous): what each person's center days saved, for distributions
-- ("who saves most"). The main site is the one of most center days (ties: first site id).
CREATE VIEW employee_quarter_impact AS
WITH per_site AS (
    SELECT employee_pid, quarter, site_id, count(*) AS days FROM impact_base GROUP BY ALL
), main AS (
    SELECT employee_pid, quarter, first(site_id ORDER BY days DESC, site_id) AS main_site_id
    FROM per_site GROUP BY employee_pid, quarter
)
SELECT
    d.employee_pid, d.company_id, d.quarter,
    any_value(d.commute_mode)                               AS commute_mode,
    any_value(d.center_mode)                                AS center_mode,
    any_value(d.commute_km)                                 AS commute_km,
    any_value(m.main_site_id)                               AS main_site_id,
    count(*)                                                AS center_days,
    count(*) FILTER (WHERE d.replaces_office_day)           AS office_days_replaced,
    sum(d.presence_h)                                       AS center_hours,
    sum(d.km_avoided)                                       AS km_avoided,
    sum(d.hours_avoided)                                    AS hours_avoided,
    sum(d.co2e_kg_avoided)                                  AS co2e_kg_avoided
FROM day_impact_detail d JOIN main m USING (employee_pid, quarter)
GROUP BY d.employee_pid, d.company_id, d.quarter
ORDER BY d.employee_pid, d.quarter;

-- Company: what the nearest site would bring its staff (users of the centers or not), per
-- office day replaced, from employee_potential; CO2e in run_info.boundary. "Untapped" counts the
-- employees who would save CO2e at their nearest site but never badged in during the period.
CREATE VIEW company_potential AS
WITH p AS (
    SELECT p.*,
           CASE WHEN r.boundary = 'ttw' THEN p.potential_co2e_ttw_kg ELSE p.potential_co2e_wtw_kg END AS potential_co2e_kg,
           u.employee_pid IS NOT NULL AS uses_centers
    FROM employee_potential p CROSS JOIN run_info r
    LEFT JOIN (SELECT DISTINCT employee_pid FROM visits) u USING (employee_pid)
)
SELECT
    p.company_id, c.name AS company_name,
    count(*)                                                              AS employees,
    count(*) FILTER (WHERE uses_centers)                                  AS employees_using_centers,
    median(office_km)                                                     AS median_commute_km,
    median(nearest_site_km)                                               AS median_nearest_site_km,
    count(*) FILTER (WHERE potential_co2e_kg > 0)                         AS employees_who_would_save,
    avg(potential_km)                                                     AS mean_potential_km_per_office_day,
    avg(potential_h)                                                      AS mean_potential_h_per_office_day,
    avg(potential_co2e_kg)                                                AS mean_potential_co2e_kg_per_office_day,
    count(*) FILTER (WHERE potential_co2e_kg > 0 AND NOT uses_centers)    AS untapped_employees,
    coalesce(sum(potential_co2e_kg) FILTER (WHERE potential_co2e_kg > 0 AND NOT uses_centers), 0)
                                                                          AS untapped_co2e_kg_per_office_day
FROM p JOIN companies c USING (company_id)
GROUP BY p.company_id, c.name
ORDER BY p.company_id;

-- Scenarios: the base run (scenario 'base', table day_impacts) and every [[scenarios]] variant
-- (table scenario_day_impacts), one center day per row (pseudonymous). CO2e columns without
-- ttw/wtw in their name are in the scenario's boundary (table scenarios).
CREATE VIEW scenario_impact_base AS
SELECT 'base' AS scenario, employee_pid, company_id, site_id, date, quarter, month, commute_mode, center_mode,
       replaces_office_day, presence_h, baseline_km, actual_km, rebound_km, km_avoided, baseline_h, actual_h,
       rebound_h, hours_avoided, baseline_co2e_kg, actual_co2e_kg, rebound_co2e_kg, co2e_kg_avoided,
       baseline_co2e_ttw_kg, baseline_co2e_wtw_kg, actual_co2e_ttw_kg, actual_co2e_wtw_kg,
       co2e_ttw_kg_avoided, co2e_wtw_kg_avoided
FROM day_impacts
UNION ALL
SELECT scenario, employee_pid, company_id, site_id, date, quarter, month, commute_mode, center_mode,
       replaces_office_day, presence_h, baseline_km, actual_km, rebound_km, km_avoided, baseline_h, actual_h,
       rebound_h, hours_avoided, baseline_co2e_kg, actual_co2e_kg, rebound_co2e_kg, co2e_kg_avoided,
       baseline_co2e_ttw_kg, baseline_co2e_wtw_kg, actual_co2e_ttw_kg, actual_co2e_wtw_kg,
       co2e_ttw_kg_avoided, co2e_wtw_kg_avoided
FROM scenario_day_impacts;

-- Scenario × quarter: the network totals under each variant.
CREATE VIEW scenario_network_quarter_impact AS
SELECT
    scenario, quarter,
    count(DISTINCT employee_pid)                AS employees_active,
    count(DISTINCT company_id)                  AS companies_active,
    count(*)                                    AS center_days,
    count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
    sum(presence_h)                             AS center_hours,
    sum(baseline_km)                            AS km_baseline,
    sum(actual_km)                              AS km_actual,
    sum(rebound_km)                             AS km_rebound,
    sum(km_avoided)                             AS km_avoided,
    sum(hours_avoided)                          AS hours_avoided,
    sum(baseline_co2e_kg)                       AS co2e_kg_baseline,
    sum(actual_co2e_kg)                         AS co2e_kg_actual,
    sum(rebound_co2e_kg)                        AS co2e_kg_rebound,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided,
    sum(co2e_ttw_kg_avoided)                    AS co2e_ttw_kg_avoided,
    sum(co2e_wtw_kg_avoided)                    AS co2e_wtw_kg_avoided
FROM scenario_impact_base
GROUP BY scenario, quarter
ORDER BY scenario, quarter;

-- Scenario × company × quarter.
CREATE VIEW scenario_company_quarter_impact AS
SELECT
    scenario, company_id, quarter,
    count(DISTINCT employee_pid)                AS employees_active,
    count(*)                                    AS center_days,
    count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
    sum(presence_h)                             AS center_hours,
    sum(km_avoided)                             AS km_avoided,
    sum(hours_avoided)                          AS hours_avoided,
    sum(baseline_co2e_kg)                       AS co2e_kg_baseline,
    sum(actual_co2e_kg)                         AS co2e_kg_actual,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided
FROM scenario_impact_base
GROUP BY scenario, company_id, quarter
ORDER BY scenario, company_id, quarter;

-- Scenario × site × quarter (days and trips counted to the day's main site; hours are the
-- day's presence at all sites, counted to the main site).
CREATE VIEW scenario_site_quarter_impact AS
SELECT
    scenario, site_id, quarter,
    count(DISTINCT employee_pid)                AS employees_active,
    count(DISTINCT company_id)                  AS companies_active,
    count(*)                                    AS center_days,
    count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
    sum(presence_h)                             AS center_hours,
    sum(km_avoided)                             AS km_avoided,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided
FROM scenario_impact_base
GROUP BY scenario, site_id, quarter
ORDER BY scenario, site_id, quarter;

-- Scenario × commute mode × center mode, both boundaries side by side.
CREATE VIEW scenario_mode_impact AS
SELECT
    scenario, commute_mode, center_mode,
    count(DISTINCT employee_pid)                AS employees_active,
    count(*)                                    AS center_days,
    count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
    sum(presence_h)                             AS center_hours,
    sum(baseline_km)                            AS km_baseline,
    sum(actual_km)                              AS km_actual,
    sum(km_avoided)                             AS km_avoided,
    sum(baseline_co2e_kg)                       AS co2e_kg_baseline,
    sum(actual_co2e_kg)                         AS co2e_kg_actual,
    sum(co2e_kg_avoided)                        AS co2e_kg_avoided,
    sum(baseline_co2e_ttw_kg)                   AS co2e_ttw_kg_baseline,
    sum(baseline_co2e_wtw_kg)                   AS co2e_wtw_kg_baseline,
    sum(actual_co2e_ttw_kg)                     AS co2e_ttw_kg_actual,
    sum(actual_co2e_wtw_kg)                     AS co2e_wtw_kg_actual
FROM scenario_impact_base
GROUP BY scenario, commute_mode, center_mode
ORDER BY scenario, commute_mode, center_mode;

-- Scenario: whole-period totals, the options in force and the change from the base run.
CREATE VIEW scenario_vs_base AS
WITH t AS (
    SELECT
        scenario,
        count(*)                                    AS center_days,
        count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
        sum(presence_h)                             AS center_hours,
        sum(km_avoided)                             AS km_avoided,
        sum(hours_avoided)                          AS hours_avoided,
        sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM scenario_impact_base
    GROUP BY scenario
), b AS (SELECT * FROM t WHERE scenario = 'base')
SELECT s.scenario, s.overrides, s.boundary, s.factor_set_version, s.min_hours_office_day, s.carpool_occupancy,
       s.rebound_share, s.open_visit_hours,
       t.center_days, t.office_days_replaced, t.center_hours, t.km_avoided, t.hours_avoided, t.co2e_kg_avoided,
       t.office_days_replaced - b.office_days_replaced AS office_days_replaced_change,
       t.km_avoided - b.km_avoided                     AS km_avoided_change,
       t.co2e_kg_avoided - b.co2e_kg_avoided           AS co2e_kg_avoided_change,
       100.0 * (t.co2e_kg_avoided - b.co2e_kg_avoided) / nullif(abs(b.co2e_kg_avoided), 0) AS co2e_kg_avoided_change_pct
FROM scenarios s JOIN t USING (scenario) CROSS JOIN b
ORDER BY s.scenario = 'base' DESC, s.scenario;

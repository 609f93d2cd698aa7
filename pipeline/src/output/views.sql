-- Warehouse views: every figure of every report is read from one of these.
-- Units are in the column names; CO2e is in the boundary recorded in run_info.boundary.
-- Grain and privacy status of each view are documented in docs/warehouse.md.

-- One macro-like base: per-day figures with their aggregation keys.
CREATE VIEW impact_base AS
SELECT
    employee_pid, company_id, site_id, date, quarter, month, commute_mode, center_mode,
    replaces_office_day, presence_h, km_baseline, km_actual, km_avoided, hours_baseline, hours_actual,
    hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided, km_rebound, hours_rebound, co2e_kg_rebound
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
        sum(km_baseline)                                 AS km_baseline,
        sum(km_actual)                                   AS km_actual,
        sum(km_avoided)                                  AS km_avoided,
        sum(hours_avoided)                               AS hours_avoided,
        sum(co2e_kg_baseline)                            AS co2e_kg_baseline,
        sum(co2e_kg_actual)                              AS co2e_kg_actual,
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
    sum(co2e_kg_baseline)                       AS co2e_kg_baseline,
    sum(co2e_kg_actual)                         AS co2e_kg_actual,
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
           sum(co2e_kg_baseline)                       AS co2e_kg_baseline,
           sum(co2e_kg_actual)                         AS co2e_kg_actual,
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
    sum(co2e_kg_baseline)                       AS co2e_kg_baseline,
    sum(co2e_kg_actual)                         AS co2e_kg_actual,
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

-- Rejected rows by reason, most frequent first (`rows`: a summary row stands for the rows of
-- its file and reason past the listed ones).
CREATE VIEW rejects_by_reason AS
SELECT reason, sum(rows)::BIGINT AS rows_rejected, count(DISTINCT file) AS files
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

-- `site_day_peak` (site × date: the most visits in progress at once) is a table the run computes
-- (`warehouse::site_day_peak_table`; a view until session 11, whose SQL
-- `e2e::site_day_peak_is_the_former_view` keeps as the reference).

-- Site × date: who came and how full the site got (peak from `site_day_peak`).
CREATE VIEW site_day_occupancy AS
WITH v AS (
    SELECT site_id, date, quarter, employee_pid, company_id, duration_h FROM visits
), peak AS (
    SELECT site_id, date, peak_occupancy FROM site_day_peak
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
    sum(km_baseline)                                      AS km_baseline,
    sum(km_actual)                                        AS km_actual,
    sum(km_avoided)                                       AS km_avoided,
    sum(co2e_kg_baseline)                                 AS co2e_kg_baseline,
    sum(co2e_kg_actual)                                   AS co2e_kg_actual,
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

-- Scenarios: the base run (scenario 'base', added up here from day_impacts) and every
-- [[scenarios]] variant (table scenario_totals: the variant's rows of scenario_day_impacts, which
-- stay in Parquet, added up by the run as they were written, in the same grains and the same
-- order as these views would add them up). CO2e columns without ttw/wtw in their name are in the
-- scenario's boundary (table scenarios). The day rows of every scenario, base included: the table
-- macro scenario_impact_base(parquet_dir) (created by the run, for its Parquet layout).

-- Scenario × quarter: the network totals under each variant.
CREATE VIEW scenario_network_quarter_impact AS
SELECT * FROM (
    SELECT
        'base' AS scenario, quarter,
        count(DISTINCT employee_pid)                AS employees_active,
        count(DISTINCT company_id)                  AS companies_active,
        count(*)                                    AS center_days,
        count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
        sum(presence_h)                             AS center_hours,
        sum(km_baseline)                            AS km_baseline,
        sum(km_actual)                              AS km_actual,
        sum(km_rebound)                             AS km_rebound,
        sum(km_avoided)                             AS km_avoided,
        sum(hours_avoided)                          AS hours_avoided,
        sum(co2e_kg_baseline)                       AS co2e_kg_baseline,
        sum(co2e_kg_actual)                         AS co2e_kg_actual,
        sum(co2e_kg_rebound)                        AS co2e_kg_rebound,
        sum(co2e_kg_avoided)                        AS co2e_kg_avoided,
        sum(co2e_ttw_kg_avoided)                    AS co2e_ttw_kg_avoided,
        sum(co2e_wtw_kg_avoided)                    AS co2e_wtw_kg_avoided
    FROM day_impacts
    GROUP BY quarter
    UNION ALL
    SELECT scenario, quarter, employees_active, companies_active, center_days, office_days_replaced, center_hours,
           km_baseline, km_actual, km_rebound, km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual,
           co2e_kg_rebound, co2e_kg_avoided, co2e_ttw_kg_avoided, co2e_wtw_kg_avoided
    FROM scenario_totals WHERE grain = 'quarter'
)
ORDER BY scenario, quarter;

-- Scenario × company × quarter.
CREATE VIEW scenario_company_quarter_impact AS
SELECT * FROM (
    SELECT
        'base' AS scenario, company_id, quarter,
        count(DISTINCT employee_pid)                AS employees_active,
        count(*)                                    AS center_days,
        count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
        sum(presence_h)                             AS center_hours,
        sum(km_avoided)                             AS km_avoided,
        sum(hours_avoided)                          AS hours_avoided,
        sum(co2e_kg_baseline)                       AS co2e_kg_baseline,
        sum(co2e_kg_actual)                         AS co2e_kg_actual,
        sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM day_impacts
    GROUP BY company_id, quarter
    UNION ALL
    SELECT scenario, company_id, quarter, employees_active, center_days, office_days_replaced, center_hours,
           km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
    FROM scenario_totals WHERE grain = 'company_quarter'
)
ORDER BY scenario, company_id, quarter;

-- Scenario × site × quarter (days and trips counted to the day's main site; hours are the
-- day's presence at all sites, counted to the main site).
CREATE VIEW scenario_site_quarter_impact AS
SELECT * FROM (
    SELECT
        'base' AS scenario, site_id, quarter,
        count(DISTINCT employee_pid)                AS employees_active,
        count(DISTINCT company_id)                  AS companies_active,
        count(*)                                    AS center_days,
        count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
        sum(presence_h)                             AS center_hours,
        sum(km_avoided)                             AS km_avoided,
        sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM day_impacts
    GROUP BY site_id, quarter
    UNION ALL
    SELECT scenario, site_id, quarter, employees_active, companies_active, center_days, office_days_replaced,
           center_hours, km_avoided, co2e_kg_avoided
    FROM scenario_totals WHERE grain = 'site_quarter'
)
ORDER BY scenario, site_id, quarter;

-- Scenario × commute mode × center mode, both boundaries side by side.
CREATE VIEW scenario_mode_impact AS
SELECT * FROM (
    SELECT
        'base' AS scenario, commute_mode, center_mode,
        count(DISTINCT employee_pid)                AS employees_active,
        count(*)                                    AS center_days,
        count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
        sum(presence_h)                             AS center_hours,
        sum(km_baseline)                            AS km_baseline,
        sum(km_actual)                              AS km_actual,
        sum(km_avoided)                             AS km_avoided,
        sum(co2e_kg_baseline)                       AS co2e_kg_baseline,
        sum(co2e_kg_actual)                         AS co2e_kg_actual,
        sum(co2e_kg_avoided)                        AS co2e_kg_avoided,
        sum(co2e_ttw_kg_baseline)                   AS co2e_ttw_kg_baseline,
        sum(co2e_wtw_kg_baseline)                   AS co2e_wtw_kg_baseline,
        sum(co2e_ttw_kg_actual)                     AS co2e_ttw_kg_actual,
        sum(co2e_wtw_kg_actual)                     AS co2e_wtw_kg_actual
    FROM day_impacts
    GROUP BY commute_mode, center_mode
    UNION ALL
    SELECT scenario, commute_mode, center_mode, employees_active, center_days, office_days_replaced, center_hours,
           km_baseline, km_actual, km_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided,
           co2e_ttw_kg_baseline, co2e_wtw_kg_baseline, co2e_ttw_kg_actual, co2e_wtw_kg_actual
    FROM scenario_totals WHERE grain = 'mode'
)
ORDER BY scenario, commute_mode, center_mode;

-- Scenario: whole-period totals, the options in force and the change from the base run.
CREATE VIEW scenario_vs_base AS
WITH t AS (
    SELECT
        'base' AS scenario,
        count(*)                                    AS center_days,
        count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
        sum(presence_h)                             AS center_hours,
        sum(km_avoided)                             AS km_avoided,
        sum(hours_avoided)                          AS hours_avoided,
        sum(co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM day_impacts
    HAVING count(*) > 0
    UNION ALL
    SELECT scenario, center_days, office_days_replaced, center_hours, km_avoided, hours_avoided, co2e_kg_avoided
    FROM scenario_totals WHERE grain = 'period'
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

-- ---------------------------------------------------------------------------------------------
-- Impact reports (issue 5): year to date, package, distribution, network, appendix, uncertainty.
-- ---------------------------------------------------------------------------------------------

-- Company × quarter, year to date: every center day from 1 January of the quarter's year to the
-- end of the quarter. `quarters` counts the quarters of that year with activity so far and
-- `min_quarter_employees` the fewest active employees in any of them: the reports publish the
-- year to date only when every such quarter is published itself (otherwise year to date minus
-- the published quarters would give a withheld quarter's figures).
CREATE VIEW company_ytd_impact AS
WITH k AS (SELECT company_id, quarter, employees_active FROM company_quarter_impact),
s AS (
    -- The sums: each center day joined to every quarter of its year from its own on.
    SELECT
        k.company_id, k.quarter,
        count(*)                                      AS center_days,
        count(*) FILTER (WHERE i.replaces_office_day) AS office_days_replaced,
        sum(i.presence_h)                             AS center_hours,
        sum(i.km_avoided)                             AS km_avoided,
        sum(i.hours_avoided)                          AS hours_avoided,
        sum(i.co2e_kg_baseline)                       AS co2e_kg_baseline,
        sum(i.co2e_kg_actual)                         AS co2e_kg_actual,
        sum(i.co2e_kg_avoided)                        AS co2e_kg_avoided
    FROM k JOIN impact_base i
      ON i.company_id = k.company_id AND left(i.quarter, 4) = left(k.quarter, 4) AND i.quarter <= k.quarter
    GROUP BY k.company_id, k.quarter
), y AS (
    -- The year's quarters with activity so far, and the fewest employees of any of them.
    SELECT k.company_id, k.quarter, count(*) AS quarters, min(k2.employees_active) AS min_quarter_employees
    FROM k JOIN k k2 ON k2.company_id = k.company_id AND left(k2.quarter, 4) = left(k.quarter, 4) AND k2.quarter <= k.quarter
    GROUP BY k.company_id, k.quarter
), first_quarter AS (
    -- Distinct employees so far = employees whose first quarter of the year is at most this one
    -- (counted from one row per employee and year instead of a distinct count over the join).
    SELECT company_id, left(quarter, 4) AS year, employee_pid, min(quarter) AS first_quarter
    FROM impact_base GROUP BY company_id, left(quarter, 4), employee_pid
), n AS (
    SELECT k.company_id, k.quarter, count(*) AS employees_active
    FROM k JOIN first_quarter f ON f.company_id = k.company_id AND f.year = left(k.quarter, 4) AND f.first_quarter <= k.quarter
    GROUP BY k.company_id, k.quarter
)
SELECT s.company_id, s.quarter, y.quarters, y.min_quarter_employees, n.employees_active,
       s.center_days, s.office_days_replaced, s.center_hours, s.km_avoided, s.hours_avoided,
       s.co2e_kg_baseline, s.co2e_kg_actual, s.co2e_kg_avoided
FROM s JOIN y USING (company_id, quarter) JOIN n USING (company_id, quarter)
ORDER BY s.company_id, s.quarter;

-- Company × quarter: the prepaid package and its projection to the quarter's end. Rule: linear
-- on working days (Monday–Friday; public holidays are not known to navette). The days observed
-- are the quarter's working days inside the study period up to `as_of` (the study's last day or
-- the quarter's end); the hours of the working days still to come are projected at the observed
-- rate: projected = used + used ÷ observed × remaining. A complete quarter projects to its use.
CREATE VIEW company_package_quarter AS
WITH q AS (
    SELECT i.company_id, i.quarter, i.center_hours, i.package_hours,
           make_date(CAST(left(i.quarter, 4) AS INTEGER), 3 * CAST(right(i.quarter, 1) AS INTEGER) - 2, 1) AS quarter_start
    FROM company_quarter_impact i
), b AS (
    SELECT q.*, CAST(q.quarter_start + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS quarter_end,
           greatest(q.quarter_start, CAST(r.period_from AS DATE)) AS observed_from,
           least(CAST(q.quarter_start + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE), CAST(r.period_to AS DATE)) AS as_of
    FROM q CROSS JOIN run_info r
), cal AS (
    SELECT CAST(d AS DATE) AS date
    FROM (SELECT min(quarter_start) AS f, max(quarter_end) AS t FROM b) m,
         generate_series(m.f, m.t, INTERVAL 1 DAY) g(d)
), w AS (
    SELECT b.company_id, b.quarter,
           count(*) FILTER (WHERE c.date BETWEEN b.observed_from AND b.as_of AND isodow(c.date) <= 5) AS working_days_observed,
           count(*) FILTER (WHERE c.date > b.as_of AND isodow(c.date) <= 5)                          AS working_days_remaining
    FROM b JOIN cal c ON c.date BETWEEN b.quarter_start AND b.quarter_end
    GROUP BY b.company_id, b.quarter
)
SELECT b.company_id, b.quarter, b.quarter_start, b.quarter_end, b.as_of,
       w.working_days_observed, w.working_days_remaining,
       b.package_hours, b.center_hours AS center_hours_used,
       b.center_hours + CASE WHEN w.working_days_observed > 0
                             THEN b.center_hours / w.working_days_observed * w.working_days_remaining ELSE 0 END
           AS center_hours_projected,
       CASE WHEN b.package_hours > 0 THEN 100.0 * b.center_hours / b.package_hours END AS package_used_pct,
       CASE WHEN b.package_hours > 0 THEN 100.0 * (b.center_hours + CASE WHEN w.working_days_observed > 0
            THEN b.center_hours / w.working_days_observed * w.working_days_remaining ELSE 0 END) / b.package_hours END
           AS package_projected_pct
FROM b JOIN w USING (company_id, quarter)
ORDER BY b.company_id, b.quarter;

-- Company × month: use of the package month by month (hours of presence of the center days,
-- cumulated within the quarter) and the month's avoided figures.
CREATE VIEW company_month_use AS
SELECT company_id, quarter, month,
       count(DISTINCT employee_pid)                 AS employees_active,
       count(*) FILTER (WHERE replaces_office_day)  AS office_days_replaced,
       sum(presence_h)                              AS center_hours,
       sum(sum(presence_h)) OVER (PARTITION BY company_id, quarter ORDER BY month) AS center_hours_cumulated,
       sum(km_avoided)                              AS km_avoided,
       sum(hours_avoided)                           AS hours_avoided
FROM impact_base
GROUP BY company_id, quarter, month
ORDER BY company_id, month;

-- Company × quarter × band: how the employees are spread (never one row per person). Two
-- measures: `co2e_kg_avoided` (each employee's quarter total, bands in kg: < 0, 0–10, 10–25,
-- 25–50, 50–100, 100–250, ≥ 250) and `center_days` (1–2, 3–5, 6–12, ≥ 13 days).
CREATE VIEW company_quarter_employee_bands AS
WITH e AS (
    SELECT company_id, quarter, employee_pid, count(*) AS center_days, sum(co2e_kg_avoided) AS co2e_kg_avoided
    FROM impact_base GROUP BY company_id, quarter, employee_pid
), bands AS (
    SELECT * FROM (VALUES
        ('co2e_kg_avoided', 0, CAST(NULL AS DOUBLE), 0.0), ('co2e_kg_avoided', 1, 0.0, 10.0),
        ('co2e_kg_avoided', 2, 10.0, 25.0), ('co2e_kg_avoided', 3, 25.0, 50.0),
        ('co2e_kg_avoided', 4, 50.0, 100.0), ('co2e_kg_avoided', 5, 100.0, 250.0),
        ('co2e_kg_avoided', 6, 250.0, NULL),
        ('center_days', 0, 1.0, 3.0), ('center_days', 1, 3.0, 6.0), ('center_days', 2, 6.0, 13.0),
        ('center_days', 3, 13.0, NULL)
    ) t(measure, band, band_from, band_to)
), m AS (
    SELECT e.company_id, e.quarter, b.measure, b.band, b.band_from, b.band_to, e.employee_pid, e.center_days, e.co2e_kg_avoided
    FROM e JOIN bands b
      ON (CASE b.measure WHEN 'co2e_kg_avoided' THEN e.co2e_kg_avoided ELSE e.center_days END)
         >= coalesce(b.band_from, '-infinity'::DOUBLE)
     AND (CASE b.measure WHEN 'co2e_kg_avoided' THEN e.co2e_kg_avoided ELSE e.center_days END)
         < coalesce(b.band_to, 'infinity'::DOUBLE)
)
SELECT company_id, quarter, measure, band, CAST(band_from AS DOUBLE) AS band_from, CAST(band_to AS DOUBLE) AS band_to,
       count(*) AS employees, sum(center_days) AS center_days, sum(co2e_kg_avoided) AS co2e_kg_avoided
FROM m
GROUP BY ALL
ORDER BY company_id, quarter, measure, band;

-- Site × quarter: how full the workspaces were. Working days open = Monday–Friday of the quarter
-- inside the study period, on or after the site's opening; desk-days used = distinct
-- (employee, date) with a visit at the site; desk occupancy = desk-days used ÷ (workspaces ×
-- working days open); mean daily peak over the same working days (days without visits count 0).
CREATE VIEW site_quarter_occupancy AS
WITH cal AS (
    SELECT CAST(d AS DATE) AS date
    FROM run_info, generate_series(CAST(period_from AS DATE), CAST(period_to AS DATE), INTERVAL 1 DAY) g(d)
), open_days AS (
    SELECT s.site_id, concat(year(c.date), '-Q', quarter(c.date)) AS quarter, count(*) AS working_days_open
    FROM sites s JOIN cal c ON (s.opened_on IS NULL OR c.date >= s.opened_on) AND isodow(c.date) <= 5
    GROUP BY ALL
), used AS (
    -- Distinct (employee, date) pairs, grouped as such rather than as concatenated strings.
    SELECT site_id, quarter, count(*) AS desk_days_used
    FROM (SELECT DISTINCT site_id, quarter, employee_pid, date FROM visits) GROUP BY site_id, quarter
), peak AS (
    -- The quarter of the date, as `open_days` labels it (visits are labelled the same way); the
    -- days without a peak (no visit credited time) add nothing.
    SELECT site_id, concat(year(date), '-Q', quarter(date)) AS quarter,
           sum(peak_occupancy) FILTER (WHERE isodow(date) <= 5) AS peak_sum
    FROM site_day_peak GROUP BY ALL
)
SELECT o.site_id, s.name AS site_name, s.municipality, o.quarter, s.workspaces, o.working_days_open,
       coalesce(u.desk_days_used, 0) AS desk_days_used,
       CASE WHEN s.workspaces > 0 THEN 100.0 * coalesce(u.desk_days_used, 0) / (s.workspaces * o.working_days_open) END
           AS desk_occupancy_pct,
       CASE WHEN s.workspaces > 0 THEN 100.0 * coalesce(p.peak_sum, 0) / o.working_days_open / s.workspaces END
           AS mean_peak_occupancy_pct
FROM open_days o JOIN sites s USING (site_id)
LEFT JOIN used u USING (site_id, quarter) LEFT JOIN peak p USING (site_id, quarter)
ORDER BY o.site_id, o.quarter;

-- Quarter: how much of the figures rest on primary data. Center days all come from badge logs
-- (primary); `visits_closed` are visits with a badge-out (rule ok); km shares say how much of the
-- office and center distances were routed on the road network rather than estimated; homes from
-- coordinates vs postcode centroids among the quarter's active employees.
CREATE VIEW network_quarter_data_sources AS
WITH d AS (
    SELECT i.quarter, count(*) AS center_days,
           sum(i.km_baseline)                                             AS km_baseline,
           coalesce(sum(i.km_baseline) FILTER (WHERE i.baseline_method = 'routed'), 0) AS km_baseline_routed,
           sum(i.km_actual - i.km_rebound)                                AS km_center,
           coalesce(sum(i.km_actual - i.km_rebound) FILTER (WHERE i.actual_method = 'routed'), 0) AS km_center_routed
    FROM day_impacts i GROUP BY i.quarter
), v AS (
    SELECT quarter, count(*) AS visits, count(*) FILTER (WHERE rule = 'ok') AS visits_closed FROM visits GROUP BY quarter
), e AS (
    SELECT a.quarter, count(*) AS employees_active,
           count(*) FILTER (WHERE em.home_source = 'postcode') AS homes_from_postcode
    FROM (SELECT DISTINCT quarter, employee_pid FROM day_impacts) a JOIN employees em USING (employee_pid)
    GROUP BY a.quarter
)
SELECT d.quarter, d.center_days, v.visits, v.visits_closed,
       100.0 * v.visits_closed / nullif(v.visits, 0) AS visits_closed_pct,
       d.km_baseline, d.km_baseline_routed, 100.0 * d.km_baseline_routed / nullif(d.km_baseline, 0) AS km_baseline_routed_pct,
       d.km_center, d.km_center_routed, 100.0 * d.km_center_routed / nullif(d.km_center, 0) AS km_center_routed_pct,
       e.employees_active, e.homes_from_postcode,
       100.0 * (e.employees_active - e.homes_from_postcode) / nullif(e.employees_active, 0) AS homes_from_coordinates_pct
FROM d JOIN v USING (quarter) JOIN e USING (quarter)
ORDER BY d.quarter;

-- Every emission factor the run used (by at least one leg), in the run's boundary (TTW rows; WTT
-- rows too when the boundary is WTW), with its source and year: the appendix's factor table.
CREATE VIEW factors_used AS
WITH u AS (
    SELECT factor_ttw_id AS factor_id, count(*) AS legs FROM legs WHERE factor_ttw_id IS NOT NULL GROUP BY 1
    UNION ALL
    SELECT factor_wtt_id, count(*) FROM legs WHERE factor_wtt_id IS NOT NULL GROUP BY 1
)
SELECT f.factor_id, f.mode, f.fuel, f.size, f.component, f.value_kg, f.unit, f.source, f.year, f.origin,
       CAST(sum(u.legs) AS BIGINT) AS legs
FROM u JOIN factors f USING (factor_id) CROSS JOIN run_info r
WHERE f.component = 'ttw' OR r.boundary = 'wtw'
GROUP BY ALL
ORDER BY f.mode, f.fuel NULLS FIRST, f.size NULLS FIRST, f.component DESC;

-- The spread behind the uncertainty range (public). `factor` rows: per mode, the lowest and
-- highest published value for that mode in emission-factors references, as a ratio to the
-- be-2025 central value (computed in place so the sources' numbers stay visible). `distance`
-- rows: estimated legs' distances can be shorter or longer than the road: p10 and p90 of
-- routed ÷ great-circle over the median (table `method_constants`: OSRM on Belgian extracts, 15 km+
-- band); routed legs 1.
CREATE VIEW factor_spread AS
SELECT * FROM (VALUES
    ('factor', 'car', 0.14322 / 0.16725, 0.22678 / 0.16725,
     'UK DESNZ 2025 car, unknown fuel: small 0.14322 and large 0.22678 vs average 0.16725 kg/vkm'),
    ('factor', 'carpool', 0.14322 / 0.16725, 0.22678 / 0.16725,
     'as car (per vehicle-km, divided by the occupants)'),
    ('factor', 'motorbike', 1.0, 1.0, 'one published value (UK DESNZ 2025)'),
    ('factor', 'train', 1.0, 0.03546 / 0.023,
     'SNCB/NMBS 2011 23 g/pkm (central) vs UK DESNZ 2025 national rail 35.46 g/pkm'),
    ('factor', 'bus', 0.063 / 0.10385, 0.12525 / 0.10385,
     'De Lijn articulated bus 63 g/pkm and UK DESNZ 2025 local bus (not London) 125.25 g/pkm vs average local bus 103.85 g/pkm'),
    ('factor', 'tram', 0.023 / 0.0286, 1.0, 'De Lijn tram 23 g/pkm vs UK DESNZ 2025 light rail and tram 28.6 g/pkm'),
    ('factor', 'metro', 1.0, 0.0305 / 0.0278, 'STIB metro 30.5 g/pkm vs UK DESNZ 2025 underground 27.8 g/pkm'),
    ('factor', 'bike', 1.0, 1.0, 'no emissions counted'),
    ('factor', 'ebike', 1.0, 1.0, 'one value in the factor set'),
    ('factor', 'walk', 1.0, 1.0, 'no emissions counted')
) t(kind, key, low_ratio, high_ratio, source)
UNION ALL
SELECT 'distance', 'estimated', p10.value / p50.value, p90.value / p50.value,
       printf('routed ÷ great-circle on a Belgian extract (OSRM, car, 15 km+): p10 %.2f and p90 %.2f vs median %.2f',
              p10.value, p90.value, p50.value)
FROM method_constants p10, method_constants p50, method_constants p90
WHERE p10.name = 'estimated_detour_p10' AND p50.name = 'estimated_detour_p50' AND p90.name = 'estimated_detour_p90'
UNION ALL
SELECT 'distance', 'stations', lo.value / mid.value, hi.value / mid.value,
       printf('train legs through stations: rail detour %.2f, official line lengths %.2f to %.2f', mid.value, lo.value,
              hi.value)
FROM method_constants lo, method_constants mid, method_constants hi
WHERE lo.name = 'rail_detour_low' AND mid.name = 'rail_detour' AND hi.name = 'rail_detour_high'
UNION ALL
SELECT 'distance', 'routed', 1.0, 1.0, 'routed on the road network';

-- Company × quarter × mode × distance end: the net CO2e avoided carried by each mode (baseline
-- office trips and rebound by the commute mode count +, center trips by the center mode count −),
-- with every estimated distance scaled by the low or the high distance ratio of `factor_spread`
-- (`dist_end`); routed legs keep ratio 1. The uncertainty views below build on it.
CREATE VIEW impact_mode_terms AS
WITH d AS (SELECT key, low_ratio, high_ratio FROM factor_spread WHERE kind = 'distance'),
terms AS (
    SELECT company_id, quarter, commute_mode AS mode, baseline_method AS method,
           co2e_kg_baseline - co2e_kg_rebound AS co2e_kg
    FROM day_impacts
    UNION ALL
    SELECT company_id, quarter, center_mode, actual_method, -(co2e_kg_actual - co2e_kg_rebound) FROM day_impacts
), s AS (
    -- Both ends in one pass over the terms (each sum adds the same products in the same order as
    -- one pass per end would: issue 13, 0.41 → 0.16 s on the 100,000-employee study).
    SELECT t.company_id, t.quarter, t.mode,
           sum(t.co2e_kg * coalesce(d.low_ratio, 1)) AS low_kg, sum(t.co2e_kg * coalesce(d.high_ratio, 1)) AS high_kg
    FROM terms t LEFT JOIN d ON d.key = t.method
    GROUP BY ALL
), ends AS (SELECT 'low' AS dist_end UNION ALL SELECT 'high')
SELECT s.company_id, s.quarter, s.mode, e.dist_end,
       CASE e.dist_end WHEN 'low' THEN s.low_kg ELSE s.high_kg END AS net_co2e_kg
FROM s CROSS JOIN ends e
ORDER BY s.company_id, s.quarter, s.mode, e.dist_end;

-- Company × quarter and network × quarter: the uncertainty range (low, central, high) of the CO2e
-- avoided. The errors are systematic: the true factor of a mode and the true detour of estimated
-- distances are unknown but the same for every trip. So, for each distance end d (low, high) and
-- each mode m with net saving N_m(d) (`impact_mode_terms`), low(d) = Σ_m min(N_m(d)·f_m,lo,
-- N_m(d)·f_m,hi) and high(d) = Σ_m max(…); low = min over d, high = max over d. An envelope of the
-- published values, not a confidence interval. Beside it, the rebound sensitivity: the gross
-- saving (before any rebound in the run) less the share ADEME (2020) found taken back by rebound
-- effects of telework (31 %; only a saving can be taken back: a negative gross stays as it is).
CREATE VIEW company_quarter_uncertainty AS
WITH f AS (SELECT key, low_ratio, high_ratio FROM factor_spread WHERE kind = 'factor'),
per_end AS (
    SELECT m.company_id, m.quarter, m.dist_end,
           sum(least(m.net_co2e_kg * coalesce(f.low_ratio, 1), m.net_co2e_kg * coalesce(f.high_ratio, 1))) AS low_kg,
           sum(greatest(m.net_co2e_kg * coalesce(f.low_ratio, 1), m.net_co2e_kg * coalesce(f.high_ratio, 1))) AS high_kg
    FROM impact_mode_terms m LEFT JOIN f ON f.key = m.mode
    GROUP BY ALL
), c AS (
    SELECT company_id, quarter, sum(co2e_kg_avoided) AS central_kg, sum(co2e_kg_avoided + co2e_kg_rebound) AS gross_kg
    FROM day_impacts GROUP BY ALL
)
SELECT c.company_id, c.quarter,
       min(p.low_kg) AS co2e_kg_avoided_low, any_value(c.central_kg) AS co2e_kg_avoided,
       max(p.high_kg) AS co2e_kg_avoided_high, any_value(c.gross_kg) AS co2e_kg_avoided_gross,
       any_value(k.value) AS ademe_rebound_share,
       any_value(c.gross_kg) - any_value(k.value) * greatest(any_value(c.gross_kg), 0) AS co2e_kg_avoided_after_ademe_rebound
FROM c JOIN per_end p USING (company_id, quarter)
     JOIN method_constants k ON k.name = 'ademe_rebound_share'
GROUP BY c.company_id, c.quarter
ORDER BY c.company_id, c.quarter;

CREATE VIEW network_quarter_uncertainty AS
WITH f AS (SELECT key, low_ratio, high_ratio FROM factor_spread WHERE kind = 'factor'),
m AS (SELECT quarter, mode, dist_end, sum(net_co2e_kg) AS net_co2e_kg FROM impact_mode_terms GROUP BY ALL),
per_end AS (
    SELECT m.quarter, m.dist_end,
           sum(least(m.net_co2e_kg * coalesce(f.low_ratio, 1), m.net_co2e_kg * coalesce(f.high_ratio, 1))) AS low_kg,
           sum(greatest(m.net_co2e_kg * coalesce(f.low_ratio, 1), m.net_co2e_kg * coalesce(f.high_ratio, 1))) AS high_kg
    FROM m LEFT JOIN f ON f.key = m.mode
    GROUP BY ALL
), c AS (
    SELECT quarter, sum(co2e_kg_avoided) AS central_kg, sum(co2e_kg_avoided + co2e_kg_rebound) AS gross_kg
    FROM day_impacts GROUP BY ALL
)
SELECT c.quarter,
       min(p.low_kg) AS co2e_kg_avoided_low, any_value(c.central_kg) AS co2e_kg_avoided,
       max(p.high_kg) AS co2e_kg_avoided_high, any_value(c.gross_kg) AS co2e_kg_avoided_gross,
       any_value(k.value) AS ademe_rebound_share,
       any_value(c.gross_kg) - any_value(k.value) * greatest(any_value(c.gross_kg), 0) AS co2e_kg_avoided_after_ademe_rebound
FROM c JOIN per_end p USING (quarter)
     JOIN method_constants k ON k.name = 'ademe_rebound_share'
GROUP BY c.quarter
ORDER BY c.quarter;

-- The energy of the places of work (optional, `[energy]`; rows only when energy_parameters has
-- enabled = 1): each center day's hours priced with the parameters of `energy_parameters`
-- (method::energy, sources in the table). The office's energy counts as saved only when the
-- study assumes the office shrinks (office_shrinks = 1) and the day replaced an office day. The
-- home line is a comparison: the same hours worked at home. Reported beside the commute
-- figures, never netted into them.
CREATE VIEW energy_day AS
WITH p AS (
    SELECT
        max(value) FILTER (WHERE name = 'enabled')                              AS enabled,
        max(value) FILTER (WHERE name = 'center_electricity_kwh_per_desk_hour') AS center_elec,
        max(value) FILTER (WHERE name = 'center_heat_kwh_per_desk_hour')        AS center_heat,
        max(value) FILTER (WHERE name = 'office_shrinks')                       AS office_shrinks,
        max(value) FILTER (WHERE name = 'office_electricity_kwh_per_desk_hour') AS office_elec,
        max(value) FILTER (WHERE name = 'office_heat_kwh_per_desk_hour')        AS office_heat,
        max(value) FILTER (WHERE name = 'electricity_kg_per_kwh')               AS elec_kg,
        max(value) FILTER (WHERE name = 'heat_kg_per_kwh')                      AS heat_kg,
        max(value) FILTER (WHERE name = 'home_kg_per_hour')                     AS home_kg
    FROM energy_parameters
)
SELECT
    b.company_id, b.site_id, b.date, b.quarter, b.month, b.replaces_office_day, b.presence_h,
    b.presence_h * (p.center_elec + p.center_heat)                              AS center_kwh,
    b.presence_h * (p.center_elec * p.elec_kg + p.center_heat * p.heat_kg)      AS center_co2e_kg,
    CASE WHEN p.office_shrinks = 1 AND b.replaces_office_day
         THEN b.presence_h * (p.office_elec + p.office_heat) ELSE 0 END         AS office_kwh_saved,
    CASE WHEN p.office_shrinks = 1 AND b.replaces_office_day
         THEN b.presence_h * (p.office_elec * p.elec_kg + p.office_heat * p.heat_kg)
         ELSE 0 END                                                             AS office_co2e_kg_saved,
    b.presence_h * p.home_kg                                                    AS home_co2e_kg_alternative
FROM impact_base b, p
WHERE p.enabled = 1;

-- Company × quarter energy lines, beside the commute CO2e avoided of the same days.
CREATE VIEW company_quarter_energy AS
SELECT
    e.company_id,
    e.quarter,
    sum(e.presence_h)                  AS center_hours,
    sum(e.center_kwh)                  AS center_kwh,
    sum(e.center_co2e_kg)              AS center_co2e_kg,
    sum(e.office_kwh_saved)            AS office_kwh_saved,
    sum(e.office_co2e_kg_saved)        AS office_co2e_kg_saved,
    sum(e.home_co2e_kg_alternative)    AS home_co2e_kg_alternative,
    any_value(i.co2e_kg_avoided)       AS commute_co2e_kg_avoided
FROM energy_day e
JOIN company_quarter_impact i USING (company_id, quarter)
GROUP BY e.company_id, e.quarter
ORDER BY e.company_id, e.quarter;

-- Network × quarter energy lines.
CREATE VIEW network_quarter_energy AS
SELECT
    e.quarter,
    sum(e.presence_h)                  AS center_hours,
    sum(e.center_kwh)                  AS center_kwh,
    sum(e.center_co2e_kg)              AS center_co2e_kg,
    sum(e.office_kwh_saved)            AS office_kwh_saved,
    sum(e.office_co2e_kg_saved)        AS office_co2e_kg_saved,
    sum(e.home_co2e_kg_alternative)    AS home_co2e_kg_alternative,
    any_value(i.co2e_kg_avoided)       AS commute_co2e_kg_avoided
FROM energy_day e
JOIN network_quarter_impact i USING (quarter)
GROUP BY e.quarter
ORDER BY e.quarter;

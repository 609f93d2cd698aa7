-- Views of `navette plan` over its plan_* tables (docs/warehouse.md, "Site planning").

-- The chosen sites in opening order with the running totals: what the network avoids after each
-- opening, starting from the existing sites (the baseline).
CREATE VIEW plan_opening_curve AS
SELECT
    s.open_order,
    s.candidate_id,
    s.name,
    s.marginal_co2e_kg_per_year,
    s.marginal_km_per_year,
    s.marginal_hours_per_year,
    m.co2e_kg_per_year_existing
        + SUM(s.marginal_co2e_kg_per_year) OVER (ORDER BY s.open_order) AS co2e_kg_per_year_after,
    SUM(s.marginal_co2e_kg_per_year) OVER (ORDER BY s.open_order) AS cumulative_co2e_kg_per_year,
    SUM(s.marginal_km_per_year) OVER (ORDER BY s.open_order) AS cumulative_km_per_year,
    SUM(s.marginal_hours_per_year) OVER (ORDER BY s.open_order) AS cumulative_hours_per_year,
    SUM(s.marginal_co2e_kg_per_year_low) OVER (ORDER BY s.open_order) AS cumulative_co2e_kg_per_year_low,
    SUM(s.marginal_co2e_kg_per_year_high) OVER (ORDER BY s.open_order) AS cumulative_co2e_kg_per_year_high
FROM plan_sites s, plan_summary m
WHERE s.chosen
ORDER BY s.open_order;

-- Every candidate ranked by what it would add (chosen ones: when they open; others: added to
-- the chosen set), with its cannibalisation share.
CREATE VIEW plan_candidate_ranking AS
SELECT
    candidate_id,
    name,
    source,
    chosen,
    open_order,
    marginal_co2e_kg_per_year,
    expected_users,
    desk_use_pct,
    taken_from_existing_co2e_kg_per_year,
    CASE WHEN marginal_co2e_kg_per_year + taken_from_existing_co2e_kg_per_year > 0
        THEN 100.0 * taken_from_existing_co2e_kg_per_year
            / (marginal_co2e_kg_per_year + taken_from_existing_co2e_kg_per_year)
    END AS taken_share_pct,
    RANK() OVER (ORDER BY marginal_co2e_kg_per_year DESC, candidate_id) AS rank
FROM plan_sites
ORDER BY rank;

-- Uptake: predicted against observed, per existing center (the fit's check on sites).
CREATE VIEW plan_uptake_check AS
SELECT
    site_id,
    name,
    observed_center_days_per_year,
    center_days_before AS predicted_center_days_per_year,
    center_days_before - observed_center_days_per_year AS error_days_per_year
FROM plan_existing_sites
ORDER BY site_id;

-- Expected use by site with the plan, from the person table (counts, no person shown).
CREATE VIEW plan_site_use AS
SELECT
    site_id,
    bool_or(site_is_new) AS is_new,
    COUNT(*) AS users,
    SUM(center_days_per_year) AS center_days_per_year,
    SUM(served_center_days_per_year) AS served_center_days_per_year,
    SUM(co2e_kg_per_year) AS co2e_kg_per_year
FROM plan_person_use
GROUP BY site_id
ORDER BY site_id;

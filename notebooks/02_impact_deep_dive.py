# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Impact deep-dive
#
# Where the avoided kilometres and CO2e come from — by commute distance, mode and site —, who
# saves most, and where a day at a center costs more than the office day it replaces. Figures
# come from warehouse views ([`docs/warehouse.md`](../docs/warehouse.md)): `day_impact_detail`,
# `impact_by_commute_distance`, `employee_quarter_impact`, `site_quarter_impact`,
# `employee_potential` and `company_potential`.
#
# **Privacy.** Per-person views are only aggregated here; groups (modes, bands, companies) are
# shown only with at least `k_anonymity` employees.
#
# **Counterfactual.** Avoided = office round trip (commute mode) − center round trip (center
# mode), on days that replace an office day; a day too short to replace one counts its trip to
# the center as a cost. Travel only: the energy of the center and of the office is not counted.

# %%
import os
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import polars as pl

WAREHOUSE = Path(os.environ.get("NAVETTE_WAREHOUSE", "../out/warehouse.duckdb"))
FIGURES = os.environ.get("NAVETTE_FIGURES")
con = duckdb.connect(str(WAREHOUSE), read_only=True)
info = con.sql("SELECT * FROM run_info").pl().row(0, named=True)
assert info["schema_version"] >= 2, f"warehouse schema {info['schema_version']}: rerun navette (these notebooks need 2+)"
K = info["k_anonymity"]
plt.rcParams.update(
    {"figure.figsize": (10, 4.5), "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}
)
pl.Config.set_tbl_rows(30)
pl.Config.set_tbl_cols(20)


def q(sql: str) -> pl.DataFrame:
    """Runs a query on the warehouse and returns a polars frame."""
    return con.sql(sql).pl()


def save(fig, name: str) -> None:
    """Keeps a copy of the figure as PNG when NAVETTE_FIGURES names a folder."""
    if FIGURES:
        fig.savefig(Path(FIGURES) / f"02-{name}.png", dpi=110, bbox_inches="tight")


print(f"{info['study_name']} — CO2e in {info['boundary'].upper()}, factor set {info['factor_set_version']}, k = {K}")

# %% [markdown]
# ## Headline

# %%
head = q(
    """
    SELECT sum(center_days)::BIGINT AS center_days, sum(office_days_replaced)::BIGINT AS office_days_replaced,
           sum(km_avoided) AS km_avoided, sum(hours_avoided) AS hours_avoided,
           sum(co2e_kg_avoided) AS co2e_kg_avoided, sum(co2e_kg_baseline) AS co2e_kg_baseline
    FROM network_quarter_impact
    """
).row(0, named=True)
print(
    f"{head['office_days_replaced']:,} office days replaced out of {head['center_days']:,} center days: "
    f"{head['km_avoided']:,.0f} km, {head['hours_avoided']:,.0f} h and {head['co2e_kg_avoided'] / 1000:,.1f} t CO2e avoided "
    f"({100 * head['co2e_kg_avoided'] / head['co2e_kg_baseline']:.0f}% of the replaced office trips' CO2e); "
    f"{head['co2e_kg_avoided'] / head['office_days_replaced']:.2f} kg per office day replaced."
)

# %% [markdown]
# ## By commute distance band
#
# `impact_by_commute_distance` groups center days by the one-way distance of the employee's
# office commute. Bars: CO2e avoided per office day replaced; bands with fewer than k employees
# are left out.

# %%
bands = q(
    """
    SELECT commute_band_from_km AS band, any_value(commute_band_to_km) AS band_to,
           sum(employees_active)::BIGINT AS employees, sum(center_days)::BIGINT AS center_days,
           sum(office_days_replaced)::BIGINT AS office_days_replaced, sum(km_avoided) AS km_avoided,
           sum(co2e_kg_avoided) AS co2e_kg_avoided, sum(days_with_more_co2e)::BIGINT AS days_with_more_co2e
    FROM impact_by_commute_distance GROUP BY band ORDER BY band
    """
).with_columns(
    pl.when(pl.col("band_to").is_null())
    .then(pl.format("≥ {} km", pl.col("band")))
    .otherwise(pl.format("{}–{} km", pl.col("band"), pl.col("band_to")))
    .alias("label"),
    (pl.col("co2e_kg_avoided") / pl.col("office_days_replaced")).alias("kg_per_office_day"),
    (100 * pl.col("days_with_more_co2e") / pl.col("center_days")).alias("pct_days_costing_more"),
)
shown = bands.filter(pl.col("employees") >= K)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5))
ax1.bar(shown["label"], shown["co2e_kg_avoided"] / 1000, color=["tab:red" if v < 0 else "tab:green" for v in shown["co2e_kg_avoided"]])
ax1.axhline(0, color="black", lw=0.8)
ax1.set_ylabel("t CO2e avoided (period)")
ax1.set_title("Total by commute distance (one way)")
ax2.bar(shown["label"], shown["kg_per_office_day"], color=["tab:red" if v < 0 else "tab:blue" for v in shown["kg_per_office_day"]])
ax2.axhline(0, color="black", lw=0.8)
ax2.set_ylabel("kg CO2e per office day replaced")
for i, v in enumerate(shown["kg_per_office_day"]):
    ax2.text(i, v, f"{v:.1f}", ha="center", va="bottom" if v >= 0 else "top", fontsize=9)
ax2.set_title("Per office day replaced")
for ax in (ax1, ax2):
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
fig.tight_layout()
save(fig, "distance-bands")
shown.select("label", "employees", "center_days", "office_days_replaced", pl.col("kg_per_office_day").round(2), pl.col("pct_days_costing_more").round(1))

# %% [markdown]
# ## By mode
#
# Commute mode (to the office) × center mode (to the center). A train commuter who drives to the
# center swaps a low-carbon trip for a car trip: shorter, yet it can emit more.

# %%
modes = q(
    """
    SELECT commute_mode, center_mode, sum(employees_active)::BIGINT AS employees, sum(center_days)::BIGINT AS center_days,
           sum(office_days_replaced)::BIGINT AS office_days_replaced, sum(km_avoided) AS km_avoided,
           sum(co2e_kg_avoided) AS co2e_kg_avoided, sum(days_with_more_co2e)::BIGINT AS days_with_more_co2e
    FROM impact_by_commute_distance GROUP BY ALL ORDER BY co2e_kg_avoided
    """
).with_columns(pl.format("{} → {}", pl.col("commute_mode"), pl.col("center_mode")).alias("modes"))
shown_modes = modes.filter(pl.col("employees") >= K)
fig, ax = plt.subplots(figsize=(10, 0.45 * shown_modes.height + 1.5))
colors = ["tab:red" if v < 0 else "tab:green" for v in shown_modes["co2e_kg_avoided"]]
ax.barh(shown_modes["modes"], shown_modes["co2e_kg_avoided"] / 1000, color=colors)
ax.axvline(0, color="black", lw=0.8)
ax.set_xlabel("t CO2e avoided over the period (negative: the center days emitted more)")
ax.set_title("Office commute mode → center mode")
save(fig, "modes")
print(f"{modes.height - shown_modes.height} mode pairs with fewer than {K} employees not shown.")
shown_modes.select("modes", "employees", "center_days", pl.col("km_avoided").round(0), pl.col("co2e_kg_avoided").round(0))

# %% [markdown]
# ## By site
#
# `site_quarter_impact`: days and trips are counted to the day's main site (longest stay).

# %%
site = q(
    """
    SELECT site_name, sum(employees_active)::BIGINT AS employee_quarters, sum(center_days)::BIGINT AS center_days,
           sum(km_avoided) AS km_avoided, sum(co2e_kg_avoided) AS co2e_kg_avoided
    FROM site_quarter_impact GROUP BY site_name ORDER BY co2e_kg_avoided
    """
).with_columns((pl.col("co2e_kg_avoided") / pl.col("center_days")).alias("kg_per_center_day"))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.2), sharey=True)
ax1.barh(site["site_name"], site["co2e_kg_avoided"] / 1000, color="tab:green")
ax1.set_xlabel("t CO2e avoided (period)")
ax1.set_title("Per site")
ax2.barh(site["site_name"], site["kg_per_center_day"], color="tab:blue")
ax2.set_xlabel("kg CO2e avoided per center day")
ax2.set_title("Per center day at the site")
fig.tight_layout()
save(fig, "sites")

# %% [markdown]
# ## Who saves most
#
# `employee_quarter_impact` has one row per person and quarter. People are ranked by what they
# saved over the period and cut into tenths (groups of at least k): how concentrated the savings
# are, and what the largest savers have in common.

# %%
people = q("SELECT * FROM employee_quarter_impact")
per_person = people.group_by("employee_pid").agg(
    pl.col("co2e_kg_avoided").sum(),
    pl.col("commute_mode").first(),
    pl.col("center_mode").first(),
    pl.col("commute_km").first(),
    pl.col("center_days").sum(),
)
ranked = per_person.sort("co2e_kg_avoided", descending=True)
deciles = ranked.with_columns((pl.int_range(pl.len()) * 10 // pl.len() + 1).alias("decile")).group_by("decile").agg(
    pl.len().alias("people"),
    pl.col("co2e_kg_avoided").mean().round(1).alias("mean_kg"),
    pl.col("co2e_kg_avoided").sum().alias("total_kg"),
    pl.col("commute_km").median().alias("median_commute_km"),
    (pl.col("commute_mode") == "car").mean().mul(100).round(0).alias("pct_car_commuters"),
    (pl.col("center_mode") == "car").mean().mul(100).round(0).alias("pct_driving_to_center"),
    pl.col("center_days").mean().round(1).alias("mean_center_days"),
).sort("decile")
# Groups of people only: each decile holds at least k people.
assert deciles["people"].min() >= K, "too few people for deciles at this k"
cum = (deciles["total_kg"].cum_sum() / deciles["total_kg"].sum() * 100).to_list()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.2))
ax1.bar(deciles["decile"], deciles["mean_kg"], color=["tab:red" if v < 0 else "tab:green" for v in deciles["mean_kg"]])
ax1.axhline(0, color="black", lw=0.8)
ax1.set_xticks(range(1, 11), [f"D{d}" for d in range(1, 11)])
ax1.set_xlabel("tenth of the people, largest savers first")
ax1.set_ylabel("kg CO2e avoided per person (mean)")
ax1.set_title(f"Savings per person over the period ({per_person.height} people)")
ax2.plot([0] + [10 * d for d in deciles["decile"]], [0] + cum, marker="o", color="tab:green")
ax2.axhline(100, color="grey", lw=0.8, ls=":")
ax2.set_xlabel("% of people, largest savers first")
ax2.set_ylabel("cumulative % of the net CO2e avoided")
ax2.set_title("Concentration of the savings")
if max(cum) > 100:
    ax2.annotate(
        "above 100%: the people after this point\nemitted more than they saved",
        xy=(10 * (cum.index(max(cum)) + 1), max(cum)), xytext=(35, 40), fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "grey"},
    )
fig.tight_layout()
save(fig, "who-saves")
negative = per_person.filter(pl.col("co2e_kg_avoided") < 0).height
print(f"The top tenth of the people accounts for {cum[0]:.0f}% of the net savings; "
      f"{negative} people ({100 * negative / per_person.height:.0f}%) emitted more on their center days than they saved.")
deciles.drop("total_kg")

# %% [markdown]
# ## Where savings turn negative
#
# A center day costs more than the office day it replaces when the trip to the center emits
# more than the trip to the office: the center is farther than the office, or the trip to it is
# by a more carbon-intensive mode (train to the office, car to the center). The IEA's 2020
# commentary *Working from home can save energy and reduce emissions. But how much?* puts the
# break-even of a home-working day at a car commute of about 6 km one way, once the extra
# energy used at home is counted. A center day has a trip of its own instead, so its break-even
# depends on how far the nearest center is. `employee_potential` gives, for **every** employee
# (users or not), the saving of a day at their nearest site instead of the office, which shows
# where the break-even lies for this network.

# %%
potential = q(
    f"""
    SELECT p.*, e.commute_mode,
           CASE WHEN '{info['boundary']}' = 'ttw' THEN potential_co2e_ttw_kg ELSE potential_co2e_wtw_kg END AS potential_co2e_kg
    FROM employee_potential p JOIN employees e USING (employee_pid)
    """
)
car = potential.filter(pl.col("commute_mode") == "car").with_columns(
    (pl.col("office_km").clip(0, 59) // 4 * 4).alias("band")
)
by_band = car.group_by("band").agg(
    pl.len().alias("employees"),
    pl.col("potential_co2e_kg").mean().alias("mean_kg"),
    (pl.col("potential_co2e_kg") > 0).mean().mul(100).alias("pct_saving"),
    pl.col("nearest_site_km").median().alias("median_nearest_site_km"),
).filter(pl.col("employees") >= K).sort("band")
fig, ax = plt.subplots()
ax.bar(by_band["band"] + 2, by_band["mean_kg"], width=3.6, color=["tab:red" if v < 0 else "tab:green" for v in by_band["mean_kg"]])
ax.axhline(0, color="black", lw=0.8)
ax.axvline(6, color="tab:purple", ls="--", lw=1.2)
ax.text(6.5, ax.get_ylim()[1] * 0.85, "IEA ~6 km\n(home-working, with home energy)", color="tab:purple", fontsize=8)
ax.set_xlabel("one-way commute by car (km, 4-km bands; last band: 56 km and more)")
ax.set_ylabel("kg CO2e per office day at the nearest site")
ax.set_title("Car commuters: saving of a day at their nearest center, by commute distance")
save(fig, "break-even")
positive = by_band.filter(pl.col("mean_kg") > 0)
if positive.height:
    first = positive["band"].min()
    print(f"For car commuters the mean saving turns positive from the {first:.0f}–{first + 4:.0f} km band; "
          f"median distance to the nearest site there: {positive['median_nearest_site_km'][0]:.0f} km.")
by_band.with_columns(pl.col("mean_kg").round(2), pl.col("pct_saving").round(0))

# %%
actual_negative = q(
    f"""
    SELECT CASE WHEN center_km > commute_km THEN 'center farther than office' ELSE 'center nearer' END AS distance,
           CASE WHEN commute_mode = center_mode THEN 'same mode' ELSE commute_mode || ' → ' || center_mode END AS modes,
           count(DISTINCT employee_pid) AS employees,
           count(*) FILTER (WHERE replaces_office_day) AS office_days_replaced,
           count(*) FILTER (WHERE replaces_office_day AND co2e_kg_avoided < 0) AS replaced_days_costing_more,
           round(sum(co2e_kg_avoided) FILTER (WHERE replaces_office_day)) AS co2e_kg_avoided
    FROM day_impact_detail GROUP BY ALL HAVING count(DISTINCT employee_pid) >= {K} ORDER BY co2e_kg_avoided
    """
)
actual_negative

# %% [markdown]
# ## Which companies' staff would gain most from a center near them
#
# `company_potential`: for every employee of each company, the time and CO2e a day at the
# nearest site would save against a day at the office; "untapped" counts the employees who would
# save but did not use the centers in the period. Companies with fewer than k employees are left
# out.

# %%
companies = q("SELECT * FROM company_potential WHERE employees >= " + str(K)).sort("mean_potential_co2e_kg_per_office_day")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.6), sharey=True)
ax1.barh(companies["company_name"], companies["mean_potential_co2e_kg_per_office_day"],
         color=["tab:red" if v < 0 else "tab:green" for v in companies["mean_potential_co2e_kg_per_office_day"]])
ax1.axvline(0, color="black", lw=0.8)
ax1.set_xlabel("kg CO2e per employee and office day (mean)")
ax1.set_title("CO2e a day at the nearest center would save")
ax2.barh(companies["company_name"], companies["mean_potential_h_per_office_day"] * 60,
         color=["tab:red" if v < 0 else "tab:blue" for v in companies["mean_potential_h_per_office_day"]])
ax2.axvline(0, color="black", lw=0.8)
ax2.set_xlabel("minutes of travel saved per employee and office day (mean)")
ax2.set_title("Time it would give back")
fig.tight_layout()
save(fig, "company-potential")
companies.select(
    "company_name", "employees", "employees_using_centers", "median_commute_km", "median_nearest_site_km",
    "employees_who_would_save", "untapped_employees", pl.col("untapped_co2e_kg_per_office_day").round(0),
).sort("untapped_co2e_kg_per_office_day", descending=True)

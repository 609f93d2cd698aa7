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
# # Site planning
#
# Which smart work centers to open next, in what order, what each adds in avoided kg CO2e, km
# and hours a year, how much it takes from the existing centers, how full it would be, and how
# far the uptake curve behind it is from the use observed in the badge logs. Every figure is read
# from the warehouse of `navette plan` (schema: [`docs/warehouse.md`](../docs/warehouse.md),
# "Site planning"): the views `plan_opening_curve`, `plan_candidate_ranking`,
# `plan_uptake_check`, `plan_site_use` and the one-row and per-bin aggregates `plan_summary` and
# `plan_uptake_bins`. Nothing is recomputed here.
#
# **Privacy.** Only site-level aggregates are shown; `plan_person_use` (pseudonymous) is read only
# through `plan_site_use`.
#
# The warehouse is `$NAVETTE_PLAN_WAREHOUSE`, or `../out-plan/warehouse.duckdb` (what the README's
# planning demo writes) when the variable is not set.

# %%
import os
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import polars as pl

WAREHOUSE = Path(os.environ.get("NAVETTE_PLAN_WAREHOUSE", "../out-plan/warehouse.duckdb"))
FIGURES = os.environ.get("NAVETTE_FIGURES")
con = duckdb.connect(str(WAREHOUSE), read_only=True)
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
        fig.savefig(Path(FIGURES) / f"04-{name}.png", dpi=110, bbox_inches="tight")


s = q("SELECT * FROM plan_summary").row(0, named=True)
print(
    f"{s['study']}: {s['add']} sites among {s['candidates']} candidates, {s['existing_sites']} existing, "
    f"{s['employees']} employees; objective {s['objective']} ({s['boundary']}), uptake {s['uptake']}"
)
print(
    f"kg CO2e/yr: existing {s['co2e_kg_per_year_existing']:,.0f} → plan {s['co2e_kg_per_year_plan']:,.0f} "
    f"(capped {s['co2e_kg_per_year_plan_capped']:,.0f}, low–high {s['co2e_kg_per_year_plan_low']:,.0f}–"
    f"{s['co2e_kg_per_year_plan_high']:,.0f}); max gap to the best set {s['max_gap_pct']:.2f} %"
)

# %% [markdown]
# ## Opening order
#
# Each chosen site's marginal gain is what it adds after the sites before it; the curve starts
# from the existing network (the baseline) and the band is the low/high uptake (± one standard
# error of the fit) for the same order.

# %%
curve = q("SELECT * FROM plan_opening_curve")
print(curve.select("open_order", "name", "marginal_co2e_kg_per_year", "marginal_km_per_year", "marginal_hours_per_year"))
fig, ax = plt.subplots()
x = [0, *curve["open_order"].to_list()]
base = s["co2e_kg_per_year_existing"]
ax.plot(x, [base, *(base + curve["cumulative_co2e_kg_per_year"]).to_list()], marker="o", label="central uptake")
ax.fill_between(
    x,
    [base, *(base + curve["cumulative_co2e_kg_per_year_low"]).to_list()],
    [base, *(base + curve["cumulative_co2e_kg_per_year_high"]).to_list()],
    alpha=0.2,
    label="low–high uptake",
)
ax.set_xticks(x, ["existing", *curve["name"].to_list()], rotation=20)
ax.set_ylabel("kg CO2e avoided per year")
ax.set_title("Avoided emissions as sites open")
ax.legend()
save(fig, "opening-curve")

# %% [markdown]
# ## Every candidate
#
# What each candidate adds (chosen: when it opens; others: added to the chosen set), and how much
# of its users' saving existing centers already provide (`taken_share_pct`): a site that mostly
# moves people shows a large share and a small gain.

# %%
ranking = q("SELECT * FROM plan_candidate_ranking")
print(ranking.head(20))
fig, ax = plt.subplots()
for chosen, colour in [(False, "tab:gray"), (True, "tab:red")]:
    part = ranking.filter(pl.col("chosen") == chosen)
    ax.scatter(part["taken_share_pct"], part["marginal_co2e_kg_per_year"], c=colour, s=18, label="chosen" if chosen else "not chosen")
ax.set_xlabel("share of its users' saving already provided by existing centers (%)")
ax.set_ylabel("kg CO2e per year added")
ax.set_title("Gain against cannibalisation")
ax.legend()
save(fig, "cannibalisation")

# %% [markdown]
# ## Uptake: fitted against observed
#
# The curve is fitted on every employee (users and non-users); the bins compare the observed mean
# center days per person and year with the curve and with the isotonic (model-free, monotone)
# means. Below, per existing center, the use the plan predicts against the use observed in the
# badge logs (annualised).

# %%
bins = q("SELECT * FROM plan_uptake_bins")
print(bins)
if bins.height:
    fig, ax = plt.subplots()
    ax.plot(bins["hours_saved_mean"], bins["observed_days_per_year"], "o", label="observed (bin mean)")
    ax.plot(bins["hours_saved_mean"], bins["predicted_days_per_year"], "-", label="fitted curve")
    ax.plot(bins["hours_saved_mean"], bins["isotonic_days_per_year"], "--", label="isotonic (linear between bins)")
    ax.set_xlabel("hours saved per day by the best existing center")
    ax.set_ylabel("center days per person and year")
    ax.set_title(f"Uptake fit: R² {s['uptake_r2']:.2f}, RMSE {s['uptake_rmse_days_per_year']:.1f} days per person and year")
    ax.legend()
    save(fig, "uptake-fit")
check = q("SELECT * FROM plan_uptake_check")
print(check)
print(
    f"all existing centers: predicted {check['predicted_center_days_per_year'].sum():,.0f} "
    f"vs observed {check['observed_center_days_per_year'].sum():,.0f} center days per year"
)

# %% [markdown]
# ## Use by site with the plan
#
# Expected users, center days and avoided kg per site (existing and new), aggregated from the
# pseudonymous per-person table.

# %%
print(q("SELECT * FROM plan_site_use ORDER BY co2e_kg_per_year DESC"))

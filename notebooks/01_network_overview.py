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
# # Network overview
#
# How the smart work centers are used: per site and weekday, how full the workspaces get, and
# how many companies and employees come over time. Every figure is read from a warehouse view
# (schema: [`docs/warehouse.md`](../docs/warehouse.md)); nothing of the method is recomputed
# here.
#
# **Privacy.** The warehouse is pseudonymous. This notebook shows only aggregates, and any
# per-company figure only for groups of at least `k_anonymity` employees (from `run_info`).
#
# The warehouse is `$NAVETTE_WAREHOUSE`, or `../out/warehouse.duckdb` (what `./dev demo` writes)
# when the variable is not set.

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
        fig.savefig(Path(FIGURES) / f"01-{name}.png", dpi=110, bbox_inches="tight")


print(f"{info['study_name']} — {info['period_from']} to {info['period_to']}, boundary {info['boundary']}, k = {K}")

# %% [markdown]
# ## The network at a glance
#
# `network_quarter_impact`: one row per quarter. CO2e is in the run's boundary.

# %%
network = q("SELECT * FROM network_quarter_impact")
network.select(
    "quarter", "sites_active", "companies_active", "employees_active", "center_days", "office_days_replaced",
    pl.col("center_hours").round(0), pl.col("km_avoided").round(0), (pl.col("co2e_kg_avoided") / 1000).round(1).alias("t_co2e_avoided"),
)

# %% [markdown]
# ## Use per site and weekday
#
# `site_weekday_use` averages each weekday over the days the site was open in the study period
# (a day without visits counts as 0). The heat map shows people per day; the bars, the share of
# workspaces taken at the busiest moment of an average day.

# %%
weekday = q("SELECT * FROM site_weekday_use WHERE weekday <= 5")
sites = q("SELECT site_id, name, workspaces FROM sites ORDER BY site_id")
grid = weekday.pivot(on="weekday_name", index="site_name", values="employees_per_day").sort("site_name")
days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1.2, 1]})
values = grid.select(days).to_numpy()
im = ax1.imshow(values, cmap="Blues", aspect="auto")
ax1.set_xticks(range(len(days)), days)
ax1.set_yticks(range(grid.height), grid["site_name"].to_list())
ax1.grid(False)
for i in range(values.shape[0]):
    for j in range(values.shape[1]):
        ax1.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", color="white" if values[i, j] > values.max() * 0.6 else "black", fontsize=9)
ax1.set_title("People per day (mean over the period)")
fig.colorbar(im, ax=ax1, shrink=0.8)
peak = weekday.group_by("site_name").agg(pl.col("mean_peak_occupancy_pct").mean()).sort("mean_peak_occupancy_pct")
colors = ["tab:red" if v >= 100 else "tab:orange" if v >= 80 else "tab:blue" for v in peak["mean_peak_occupancy_pct"]]
ax2.barh(peak["site_name"], peak["mean_peak_occupancy_pct"], color=colors)
ax2.axvline(100, color="black", lw=1, ls="--")
ax2.text(101, -0.6, "all workspaces taken", fontsize=8, va="bottom")
ax2.set_xlabel("% of workspaces taken at the daily peak (Mon–Fri mean)")
ax2.set_title("Which sites fill up")
fig.tight_layout()
save(fig, "site-weekday")

# %% [markdown]
# ## Occupancy of the workspaces
#
# `site_hour_occupancy`: mean number of people present in each local hour, as a share of the
# site's workspaces (Monday to Friday). `site_day_occupancy` gives each day's peak: the days a
# site was at or over capacity show where more workspaces (or another site nearby) would be used.

# %%
hourly = (
    q("SELECT site_name, hour, avg(occupancy_pct) AS occupancy_pct FROM site_hour_occupancy WHERE weekday <= 5 GROUP BY ALL")
    .filter(pl.col("hour").is_between(6, 21))
    .sort("site_name", "hour")
)
fig, ax = plt.subplots()
for name, part in hourly.group_by("site_name", maintain_order=True):
    ax.plot(part["hour"], part["occupancy_pct"], marker="o", ms=3, label=name[0])
ax.axhline(100, color="black", lw=1, ls="--")
ax.set_xticks(range(6, 22))
ax.set_xlabel("local hour")
ax.set_ylabel("% of workspaces in use (mean)")
ax.set_title("An average weekday, hour by hour")
ax.legend(ncol=2, fontsize=8, frameon=False)
save(fig, "hourly-occupancy")

# %%
capacity = q(
    """
    SELECT site_name, any_value(workspaces) AS workspaces, count(*) AS days_with_visits,
           count(*) FILTER (WHERE at_capacity) AS days_at_capacity,
           round(100.0 * count(*) FILTER (WHERE at_capacity) / count(*), 1) AS pct_days_at_capacity,
           max(peak_occupancy) AS highest_peak, round(median(peak_occupancy_pct), 0) AS median_peak_pct
    FROM site_day_occupancy GROUP BY site_name ORDER BY pct_days_at_capacity DESC
    """
)
capacity

# %%
busiest = capacity.row(0, named=True)
print(
    f"{busiest['site_name']} was at or over its {busiest['workspaces']} workspaces on "
    f"{busiest['pct_days_at_capacity']}% of the days it had visits (highest peak: {busiest['highest_peak']} people). "
    "A peak above the workspaces means more people at once than desks: check the site's `workspaces` "
    "in sites.csv, or plan more room there."
)

# %%
peaks = q("SELECT site_name, peak_occupancy_pct FROM site_day_occupancy WHERE weekday <= 5")
order = capacity["site_name"].to_list()
fig, ax = plt.subplots()
ax.boxplot([peaks.filter(pl.col("site_name") == s)["peak_occupancy_pct"].to_list() for s in order], tick_labels=order, vert=True)
ax.axhline(100, color="tab:red", lw=1, ls="--", label="capacity")
ax.set_ylabel("daily peak, % of workspaces")
ax.set_title("Daily peak occupancy per site (weekdays)")
plt.setp(ax.get_xticklabels(), rotation=25, ha="right")
ax.legend(frameon=False)
save(fig, "daily-peaks")

# %% [markdown]
# ## Companies and employees over time
#
# `network_week_activity` (ISO weeks, whole weeks of the period only) and `company_month_impact` (company × month, shown only for companies with at least k active
# employees that month).

# %%
# Only whole weeks inside the study period: a partial first or last week would look like a drop.
weeks = q(
    """
    SELECT w.* FROM network_week_activity w, run_info r
    WHERE w.week_start >= CAST(r.period_from AS DATE) AND w.week_start + 6 <= CAST(r.period_to AS DATE)
    """
)
fig, ax1 = plt.subplots()
ax1.plot(weeks["week_start"], weeks["employees_active"], color="tab:blue", label="employees active")
ax1.plot(weeks["week_start"], weeks["center_days"], color="tab:green", label="center days")
ax1.set_ylabel("per week")
ax2 = ax1.twinx()
ax2.plot(weeks["week_start"], weeks["companies_active"], color="tab:orange", ls="--", label="companies active (right)")
ax2.set_ylim(0, max(weeks["companies_active"]) * 1.3)
ax2.set_ylabel("companies")
ax2.grid(False)
lines = ax1.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
ax1.set_ylim(0, max(weeks["center_days"]) * 1.15)
ax1.legend(lines, [ln.get_label() for ln in lines], loc="lower center", ncol=3, frameon=False)
ax1.set_title("Weekly activity of the network")
fig.autofmt_xdate()
save(fig, "weekly-activity")

# %%
monthly = q(
    """
    SELECT m.month, c.name AS company, m.employees_active, m.center_days
    FROM company_month_impact m JOIN companies c USING (company_id)
    ORDER BY m.month, c.name
    """
)
shown = monthly.filter(pl.col("employees_active") >= K)
hidden = monthly.filter(pl.col("employees_active") < K)
wide = shown.pivot(on="company", index="month", values="employees_active").sort("month").fill_null(0)
fig, ax = plt.subplots()
months = wide["month"].to_list()
bottom = [0] * len(months)
for company in wide.columns[1:]:
    ax.bar(months, wide[company], bottom=bottom, label=company)
    bottom = [b + v for b, v in zip(bottom, wide[company])]
ax.set_ylabel("employees active in the month")
ax.set_title(f"Employees per company and month (companies with ≥ {K} active employees)")
ax.legend(fontsize=8, ncol=2, frameon=False, bbox_to_anchor=(1.0, 1.0), loc="upper left")
save(fig, "company-months")
print(f"{hidden.height} company-months under k = {K} not shown (their {hidden['employees_active'].sum()} employee-months are left out).")

# %% [markdown]
# ## Data quality behind these figures
#
# Every input row is either accepted or rejected with a reason; the badge events end in exactly
# one pairing rule. Legs are estimated until routing lands (`leg_method_share`).

# %%
q("SELECT file, kind, rows_read, rows_accepted, rows_rejected, reconciles FROM data_quality_by_file")

# %%
q("SELECT * FROM pairing_counts")

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
# # Sensitivity
#
# How the result moves with the method's options: the emission boundary (TTW vs WTW), the
# factor set, the office-day threshold, car occupancy, the rebound assumption and the credit for
# badge-ins without badge-out. Each variant is a **scenario** computed by navette beside the base
# run — `[[scenarios]]` in `study.toml` or `navette scenario --set …` — and stored side by side
# in the warehouse, so every comparison below is a query on the `scenario_*` views
# ([`docs/warehouse.md`](../docs/warehouse.md)); nothing of the method is recomputed here.
#
# To study another variant, add it to the config and rerun, e.g.:
#
# ```sh
# navette scenario --config study.toml --out out --set method.min_hours_office_day=3
# navette scenario --config study.toml --out out --scenario wide:method.rebound_share=0.5,method.boundary=ttw
# ```

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
pl.Config.set_fmt_str_lengths(60)


def q(sql: str) -> pl.DataFrame:
    """Runs a query on the warehouse and returns a polars frame."""
    return con.sql(sql).pl()


def save(fig, name: str) -> None:
    """Keeps a copy of the figure as PNG when NAVETTE_FIGURES names a folder."""
    if FIGURES:
        fig.savefig(Path(FIGURES) / f"03-{name}.png", dpi=110, bbox_inches="tight")


scenarios = q("SELECT * FROM scenarios")
if scenarios.height < 2:
    print("This warehouse holds only the base run: add [[scenarios]] to study.toml (see the demo's) and rerun.")
scenarios.select("scenario", "overrides", "boundary", "factor_set_version", "min_hours_office_day", "carpool_occupancy", "rebound_share", "open_visit_hours")

# %% [markdown]
# ## Every scenario against the base run
#
# `scenario_vs_base`: whole-period totals and the change from the base run. CO2e is in each
# scenario's own boundary.

# %%
vs = q("SELECT * FROM scenario_vs_base")
vs.select(
    "scenario", "overrides", "office_days_replaced", pl.col("center_hours").round(0), pl.col("km_avoided").round(0),
    (pl.col("co2e_kg_avoided") / 1000).round(2).alias("t_co2e_avoided"), pl.col("co2e_kg_avoided_change_pct").round(1),
)

# %%
others = vs.filter(pl.col("scenario") != "base").sort("co2e_kg_avoided_change_pct")
base_t = vs.filter(pl.col("scenario") == "base")["co2e_kg_avoided"][0] / 1000
fig, ax = plt.subplots(figsize=(10, 0.5 * max(others.height, 1) + 1.6))
change = others["co2e_kg_avoided_change_pct"].fill_null(0)
ax.barh(others["scenario"], change, color=["tab:red" if v < 0 else "tab:green" for v in change])
for y, (v, o) in enumerate(zip(change, others["overrides"])):
    ax.text(v + (1 if v >= 0 else -1), y, o, va="center", ha="left" if v >= 0 else "right", fontsize=8, color="dimgrey")
ax.axvline(0, color="black", lw=0.8)
lim = max(abs(change.min()), abs(change.max())) * 1.9 + 5
ax.set_xlim(-lim, lim)
ax.set_xlabel(f"change of the CO2e avoided vs base ({base_t:.1f} t), %")
ax.set_title("How much each option moves the result")
save(fig, "tornado")

# %% [markdown]
# ## Boundary: TTW vs WTW
#
# Well-to-wheel adds the fuel or electricity supply chain (well-to-tank) to the tailpipe or
# generation emissions (tank-to-wheel). Kilometres do not move with the boundary; CO2e is lower
# in TTW for every mode that burns fuel or uses electricity, and the same (zero) for walking and
# cycling. `scenario_mode_impact` has both boundaries side by side in every scenario, so the base
# run alone shows the split; the `ttw` scenario shows what the headline becomes.

# %%
bnd = q(
    """
    SELECT commute_mode, sum(employees_active)::BIGINT AS employees, sum(km_baseline) AS km_baseline,
           sum(co2e_ttw_kg_baseline) AS ttw_kg, sum(co2e_wtw_kg_baseline) AS wtw_kg
    FROM scenario_mode_impact WHERE scenario = 'base' GROUP BY commute_mode
    UNION ALL
    SELECT 'center: ' || center_mode, sum(employees_active)::BIGINT, sum(km_actual), sum(co2e_ttw_kg_actual), sum(co2e_wtw_kg_actual)
    FROM scenario_mode_impact WHERE scenario = 'base' GROUP BY center_mode
    """
).filter(pl.col("employees") >= K).sort("wtw_kg", descending=True)
fig, ax = plt.subplots()
x = list(range(bnd.height))
ax.bar([i - 0.2 for i in x], bnd["wtw_kg"] / 1000, width=0.4, label="WTW", color="tab:grey")
ax.bar([i + 0.2 for i in x], bnd["ttw_kg"] / 1000, width=0.4, label="TTW", color="tab:blue")
ax.set_xticks(x, [m if m.startswith("center") else f"office: {m}" for m in bnd["commute_mode"]])
plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
ax.set_ylabel("t CO2e of the trips (period)")
ax.set_title("Replaced office trips and trips to the centers, by mode and boundary")
ax.legend(frameon=False)
save(fig, "boundary")
bnd.with_columns((100 * (1 - pl.col("ttw_kg") / pl.col("wtw_kg"))).round(1).alias("wtt_share_pct"))

# %% [markdown]
# ## Office-day threshold
#
# A center day replaces an office day when the presence reaches `min_hours_office_day`. The
# scenarios with another threshold show how much of the result rests on that rule: center days
# and hours stay the same, the replaced office days (and their avoided trips) move.

# %%
thr = q(
    """
    SELECT s.min_hours_office_day AS threshold_h, v.scenario, v.center_days, v.office_days_replaced,
           v.center_hours, v.co2e_kg_avoided
    FROM scenario_vs_base v JOIN scenarios s USING (scenario)
    WHERE s.boundary = (SELECT boundary FROM scenarios WHERE scenario = 'base')
      AND s.carpool_occupancy = (SELECT carpool_occupancy FROM scenarios WHERE scenario = 'base')
      AND s.rebound_share = (SELECT rebound_share FROM scenarios WHERE scenario = 'base')
      AND s.open_visit_hours = (SELECT open_visit_hours FROM scenarios WHERE scenario = 'base')
      AND s.factor_set_version = (SELECT factor_set_version FROM scenarios WHERE scenario = 'base')
    ORDER BY threshold_h
    """
)
fig, ax1 = plt.subplots()
ax1.plot(thr["threshold_h"], thr["office_days_replaced"], marker="o", color="tab:blue", label="office days replaced")
ax1.plot(thr["threshold_h"], thr["center_days"], marker="s", ls=":", color="tab:grey", label="center days (unchanged)")
ax1.set_xlabel("min_hours_office_day (h)")
ax1.set_ylabel("days")
ax2 = ax1.twinx()
ax2.plot(thr["threshold_h"], thr["co2e_kg_avoided"] / 1000, marker="^", color="tab:green", label="t CO2e avoided (right)")
ax2.set_ylabel("t CO2e avoided")
ax2.grid(False)
lines = ax1.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
ax1.legend(lines, [ln.get_label() for ln in lines], frameon=False, loc="lower left")
ax1.set_title("What counts as an office day")
save(fig, "threshold")
thr

# %% [markdown]
# ## Car occupancy
#
# `carpool_occupancy` is the number of occupants assumed for carpool commuters who declared
# none. It acts on carpool trips only (to the office and to the center).

# %%
occ = q(
    """
    SELECT m.scenario, s.carpool_occupancy, m.commute_mode, m.center_mode, m.employees_active,
           m.co2e_kg_baseline, m.co2e_kg_actual, m.co2e_kg_avoided
    FROM scenario_mode_impact m JOIN scenarios s USING (scenario)
    WHERE s.scenario = 'base' OR s.carpool_occupancy <> (SELECT carpool_occupancy FROM scenarios WHERE scenario = 'base')
    """
).filter(pl.col("employees_active") >= K)
occ.pivot(on="scenario", index=["commute_mode", "center_mode"], values="co2e_kg_avoided").sort("commute_mode", "center_mode")

# %% [markdown]
# ## Rebound
#
# `rebound_share` is a user assumption (navette ships none): the share of the avoided office
# round trip that is travelled anyway on a replaced office day, by the commute mode. It scales
# linearly, so the base run and one rebound scenario give the whole line — the rebound at which
# the savings would vanish is where it crosses zero.

# %%
reb = q(
    """
    SELECT s.scenario, s.rebound_share, v.co2e_kg_avoided, n.co2e_kg_baseline, n.co2e_kg_rebound
    FROM scenario_vs_base v JOIN scenarios s USING (scenario)
    JOIN (SELECT scenario, sum(co2e_kg_baseline) AS co2e_kg_baseline, sum(co2e_kg_rebound) AS co2e_kg_rebound
          FROM scenario_network_quarter_impact GROUP BY scenario) n USING (scenario)
    WHERE s.boundary = (SELECT boundary FROM scenarios WHERE scenario = 'base')
      AND s.min_hours_office_day = (SELECT min_hours_office_day FROM scenarios WHERE scenario = 'base')
      AND s.carpool_occupancy = (SELECT carpool_occupancy FROM scenarios WHERE scenario = 'base')
      AND s.open_visit_hours = (SELECT open_visit_hours FROM scenarios WHERE scenario = 'base')
      AND s.factor_set_version = (SELECT factor_set_version FROM scenarios WHERE scenario = 'base')
    ORDER BY s.rebound_share
    """
).unique("rebound_share", keep="first").sort("rebound_share")
reb

# %%
if reb.height >= 2:
    (s0, a0), (s1, a1) = reb.select("rebound_share", "co2e_kg_avoided").rows()[:2]
    slope = (a1 - a0) / (s1 - s0)
    zero = s0 - a0 / slope if slope else float("nan")
    shares = [i / 100 for i in range(0, 101, 5)]
    fig, ax = plt.subplots()
    ax.plot([100 * s for s in shares], [(a0 + slope * (s - s0)) / 1000 for s in shares], color="tab:green")
    ax.scatter([100 * s for s in reb["rebound_share"]], reb["co2e_kg_avoided"] / 1000, color="black", zorder=3, label="computed scenarios")
    ax.axhline(0, color="black", lw=0.8)
    if 0 < zero <= 1:
        ax.axvline(100 * zero, color="tab:red", ls="--", lw=1)
        ax.text(100 * zero + 1, ax.get_ylim()[1] * 0.8, f"savings vanish at {100 * zero:.0f}%", color="tab:red")
    ax.set_xlabel("rebound: % of the avoided office round trip travelled anyway")
    ax.set_ylabel("t CO2e avoided (net)")
    ax.set_title("Rebound assumption")
    ax.legend(frameon=False)
    save(fig, "rebound")
    print(f"Each 10 points of rebound take {-slope / 10 / 1000:.2f} t CO2e off the result; "
          f"at a rebound of {100 * zero:.0f}% nothing would be saved.")
else:
    print("No rebound scenario in this warehouse: add one, e.g. --set method.rebound_share=0.2")

# %% [markdown]
# ## Factor set
#
# A scenario can swap the factor set (`method.factor_set`) or overlay a factor file
# (`inputs.factors`). The demo's `train_factor_x2` doubles the train TTW factor — the oldest
# value of `be-2025` (SNCB, 2011) — as a stress test: it raises the CO2e of the office trips of
# train commuters, and so what their center days avoid.

# %%
fac = q(
    """
    SELECT m.scenario, s.factor_set_version, m.commute_mode, m.center_mode, m.employees_active, m.co2e_kg_baseline, m.co2e_kg_avoided
    FROM scenario_mode_impact m JOIN scenarios s USING (scenario)
    WHERE s.scenario = 'base' OR s.factor_set_version <> (SELECT factor_set_version FROM scenarios WHERE scenario = 'base')
    """
).filter(pl.col("employees_active") >= K)
fac.pivot(on="scenario", index=["commute_mode", "center_mode"], values="co2e_kg_avoided").sort("commute_mode", "center_mode")

# %% [markdown]
# ## Does the ranking of companies hold?
#
# `scenario_company_quarter_impact`, summed over the period: the range of CO2e avoided per
# company across all scenarios (companies with at least k active employees in every quarter).

# %%
comp = q(
    f"""
    WITH c AS (
        SELECT scenario, company_id, sum(co2e_kg_avoided) AS co2e_kg_avoided, min(employees_active) AS min_employees
        FROM scenario_company_quarter_impact GROUP BY scenario, company_id
    )
    SELECT c.*, co.name AS company FROM c JOIN companies co USING (company_id)
    WHERE company_id IN (SELECT company_id FROM c GROUP BY company_id HAVING min(min_employees) >= {K})
    """
)
summary = comp.group_by("company").agg(
    pl.col("co2e_kg_avoided").filter(pl.col("scenario") == "base").first().alias("base"),
    pl.col("co2e_kg_avoided").min().alias("low"),
    pl.col("co2e_kg_avoided").max().alias("high"),
).sort("base")
fig, ax = plt.subplots(figsize=(10, 0.45 * summary.height + 1.5))
y = list(range(summary.height))
ax.hlines(y, summary["low"] / 1000, summary["high"] / 1000, color="tab:grey", lw=4, alpha=0.6, label="range over scenarios")
ax.scatter(summary["base"] / 1000, y, color="black", zorder=3, label="base")
ax.set_yticks(y, summary["company"])
ax.axvline(0, color="black", lw=0.8)
ax.set_xlabel("t CO2e avoided over the period")
ax.set_title("Companies: base result and its range across scenarios")
ax.legend(frameon=False, loc="lower right")
save(fig, "companies")
summary.with_columns(pl.col("base", "low", "high").round(0))

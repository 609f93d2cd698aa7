#!/usr/bin/env python3
"""navette's road routing side by side with OSRM 26.10 on the same extract and the same points.

    pipeline/road/compare/run.sh datasets/osm/Helsinki.osm.pbf     # does everything below

1. `cargo bench -p navette-road --bench road` with NAVETTE_ROAD_OUT=results.json samples
   destinations and homes on each profile's graph, routes every home to every destination and
   writes the points, the results and its phase timings (PBF read, graph build, queries).
2. This script runs osrm-extract and osrm-contract (CH) with OSRM's own car/bicycle/foot profiles
   and the same thread count, then one OSRM Table request per profile (sources = homes,
   destinations = the destinations), and compares durations and distances pair by pair.

Agreement is reported as the median and 95th percentile of |navette − OSRM| / OSRM over pairs
that both engines route and whose OSRM distance is at least 500 m (shorter trips make ratios
meaningless), plus the median signed difference. Two ways:
- network: the on-road part only (OSRM's durations and distances as it reports them; navette's
  `Leg::network`), the walk from each point to its snapped position left out on both sides;
- door to door: what a study uses. navette's `Leg::duration_s` adds the walk between each point
  and its snapped position (both ends) at 5 km/h (`ACCESS_WALK_MPS`); OSRM's figures get the same:
  its waypoints' snap distances (`sources[i].distance` + `destinations[j].distance`) at 5 km/h.
  Like is then compared with like: a home snapped onto a different road shows up here with both
  its walk and its route. Speed is compared phase by phase and for the
whole job (PBF → graph → all legs), with peak memory.
"""

import argparse
import math
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import osrm

OSRM_DIR = os.path.dirname(osrm.__file__)
PROFILES = {"car": "car.lua", "bike": "bicycle.lua", "foot": "foot.lua"}
# navette's ACCESS_WALK_MPS: the walk between a point and the road it snaps to.
WALK_MPS = 5.0 / 3.6


def timed(cmd):
    """Runs cmd under GNU time; returns (seconds, peak RSS MiB)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return elapsed, (int(m.group(1)) / 1024 if m else float("nan"))


def haversine_m(a, b):
    """Great-circle distance between (lat, lon) points, metres."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pbf", required=True)
    ap.add_argument("--results", required=True, help="navette bench JSON (NAVETTE_ROAD_OUT)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--worst", type=int, default=8, help="worst pairs per profile listed on stderr")
    ap.add_argument("--dump", help="write every compared pair as JSON lines here (for tracing)")
    ap.add_argument("--profiles", default="car,bike,foot", help="comma-separated subset of car,bike,foot")
    ap.add_argument("--osrm-dir", default=os.environ.get("NAVETTE_OSRM_DIR"),
                    help="keep OSRM's files here (PROFILE/map.osrm*) and reuse them when present: "
                         "extract and contract are then skipped and not timed (default: a temporary directory)")
    args = ap.parse_args()
    nav = json.load(open(args.results))
    work = args.osrm_dir or tempfile.mkdtemp(prefix="osrm-compare-")
    rows = []
    dump = open(args.dump, "w") if args.dump else None
    osrm_prep_s = osrm_extract_s = osrm_query_s = 0.0
    osrm_extract_rss = osrm_contract_rss = osrm_contract_s = 0.0
    try:
        for name, lua in PROFILES.items():
            if name not in args.profiles.split(","):
                continue
            d = os.path.join(work, name)
            if os.path.exists(os.path.join(d, "map.osrm.hsgr")):
                print(f"{name}: reusing OSRM's files in {d} (extract and contract not timed)", file=sys.stderr)
                ex_s = ex_rss = co_s = co_rss = 0.0
            else:
                os.makedirs(d, exist_ok=True)
                pbf = os.path.join(d, "map.osm.pbf")
                shutil.copy(args.pbf, pbf)
                profile = os.path.join(OSRM_DIR, "share", "profiles", lua)
                ex_s, ex_rss = timed([os.path.join(OSRM_DIR, "bin", "osrm-extract"), "-p", profile, "-t", str(args.threads), pbf])
                co_s, co_rss = timed([os.path.join(OSRM_DIR, "bin", "osrm-contract"), "-t", str(args.threads), os.path.join(d, "map.osrm")])
                print(f"{name}: osrm-extract {ex_s:.1f} s, {ex_rss:.0f} MiB peak; osrm-contract {co_s:.1f} s, {co_rss:.0f} MiB peak",
                      file=sys.stderr)
            osrm_extract_s += ex_s
            osrm_prep_s += ex_s + co_s
            osrm_extract_rss = max(osrm_extract_rss, ex_rss)
            osrm_contract_s += co_s
            osrm_contract_rss = max(osrm_contract_rss, co_rss)
            engine = osrm.OSRM(storage_config=os.path.join(d, "map.osrm"), use_shared_memory=False)
            p = nav["profiles"][name]
            dests, homes = p["dests"], p["homes"]
            coords = [(lon, lat) for lat, lon in dests + homes]
            t = time.perf_counter()
            res = engine.Table(osrm.TableParameters(
                coordinates=coords,
                sources=list(range(len(dests), len(coords))),
                destinations=list(range(len(dests))),
                annotations=["duration", "distance"],
            ))
            q = time.perf_counter() - t
            osrm_query_s += q
            dur_rel, dist_rel, dur_signed = [], [], []
            d2d_rel, d2d_signed, d2d_dist_rel = [], [], []
            same_dur, same_dist, worst = [], [], []
            both = only_nav = only_osrm = 0
            # Where OSRM snapped each home, against navette's snap (bench JSON `home_snaps`).
            nav_snaps = p.get("home_snaps") or [None] * len(homes)
            snap_gap = []
            for hi in range(len(homes)):
                loc = res["sources"][hi]["location"]
                ns = nav_snaps[hi]
                snap_gap.append(haversine_m((ns[0], ns[1]), (loc[1], loc[0])) if ns else None)
            elsewhere = sum(1 for g in snap_gap if g is not None and g > 5.0)
            for hi in range(len(homes)):
                for di in range(len(dests)):
                    o_dur = res["durations"][hi][di]
                    o_dist = res["distances"][hi][di]
                    n = p["there"][di][hi]
                    walk_m = res["sources"][hi]["distance"] + res["destinations"][di]["distance"]
                    if n is None and o_dur is None:
                        continue
                    if n is None:
                        only_osrm += 1
                        continue
                    if o_dur is None:
                        only_nav += 1
                        continue
                    both += 1
                    if o_dist < 500:
                        continue
                    dur_rel.append(abs(n[0] - o_dur) / o_dur)
                    dur_signed.append((n[0] - o_dur) / o_dur)
                    dist_rel.append(abs(n[1] - o_dist) / o_dist)
                    n_access = n[2] if len(n) > 2 else 0.0
                    n_d2d = n[0] + n_access / WALK_MPS
                    o_d2d = o_dur + walk_m / WALK_MPS
                    d2d_rel.append(abs(n_d2d - o_d2d) / o_d2d)
                    d2d_signed.append((n_d2d - o_d2d) / o_d2d)
                    d2d_dist_rel.append(abs(n[1] + n_access - o_dist - walk_m) / (o_dist + walk_m))
                    if dump:
                        dump.write(json.dumps({"profile": name, "home": homes[hi], "dest": dests[di], "nav": n,
                                               "osrm": [o_dur, o_dist, walk_m], "osrm_snap": [float(c) for c in res["sources"][hi]["location"]],
                                               "nav_snap": nav_snaps[hi], "d2d_rel": d2d_signed[-1]}) + "\n")
                    if snap_gap[hi] is not None and snap_gap[hi] <= 5.0:
                        same_dur.append(dur_rel[-1])
                        same_dist.append(dist_rel[-1])
                    worst.append((d2d_rel[-1], dur_rel[-1], homes[hi], dests[di], n, (o_dur, o_dist, round(walk_m, 1)),
                                  snap_gap[hi]))
            worst.sort(reverse=True)
            print(f"{name}: {elsewhere} of {len(homes)} homes snapped more than 5 m from OSRM's snap; worst pairs "
                  "(door-to-door and network rel. duration diff, home, dest, navette (s, m, walk m), "
                  "OSRM (s, m, walk m), snap gap m):", file=sys.stderr)
            for w in worst[:args.worst]:
                print(f"  {100 * w[0]:.1f}% ({100 * w[1]:.1f}%) home {w[2]} dest {w[3]} navette {w[4]} OSRM {w[5]} gap {w[6]}",
                      file=sys.stderr)
            rows.append((name, both, only_nav, only_osrm, len(dur_rel), dur_rel, dur_signed, dist_rel, ex_s, co_s, ex_rss, co_rss, q,
                         elsewhere, len(homes), same_dur, same_dist, d2d_rel, d2d_signed, d2d_dist_rel))
    finally:
        if not args.osrm_dir:
            shutil.rmtree(work, ignore_errors=True)

    t = nav["timings"]
    points = "random points in the bounding box" if t.get("random_homes") else "graph nodes"
    if t.get("points") == "near":
        points = f"random points within {t['near_m']:.0f} m of a car road"
    print(f"extract: {os.path.basename(args.pbf)}, {args.threads} threads, OSRM 26.10 (CH) vs navette, homes: {points}")
    print()
    print("| profile | pairs compared | duration: median abs diff | p95 | median signed | distance: median abs diff | p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, both, only_nav, only_osrm, n, dr, ds, dd, *_ in rows:
        extra = f" (+{only_nav} navette only, {only_osrm} OSRM only)" if only_nav or only_osrm else ""
        print(f"| {name} network | {n}{extra} | {100 * statistics.median(dr):.1f}% | {100 * pct(dr, 0.95):.1f}% "
              f"| {100 * statistics.median(ds):+.1f}% | {100 * statistics.median(dd):.1f}% | {100 * pct(dd, 0.95):.1f}% |")
    for name, both, only_nav, only_osrm, n, *_, zr, zs, zd in rows:
        print(f"| {name} door to door | {n} | {100 * statistics.median(zr):.1f}% | {100 * pct(zr, 0.95):.1f}% "
              f"| {100 * statistics.median(zs):+.1f}% | {100 * statistics.median(zd):.1f}% | {100 * pct(zd, 0.95):.1f}% |")
    print()
    print("| profile | homes snapped > 5 m from OSRM's snap | same-snap pairs | duration: median | p95 | distance: median | p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, *_, elsewhere, nh, sd, sdd, _zr, _zs, _zd in rows:
        if sd:
            print(f"| {name} | {elsewhere} of {nh} | {len(sd)} | {100 * statistics.median(sd):.1f}% | {100 * pct(sd, 0.95):.1f}% "
                  f"| {100 * statistics.median(sdd):.1f}% | {100 * pct(sdd, 0.95):.1f}% |")
    print()
    nav_prep = t["read_s"] + t["build_s"]
    # The hierarchies are part of getting ready for queries, as OSRM's contraction is.
    nav_ready = nav_prep + t.get("hierarchy_s", 0.0)
    osrm_total = osrm_prep_s + osrm_query_s

    def ratio(a, b):
        """OSRM / navette, or a dash when a side was not timed (reused files)."""
        return f"{a / b:.1f}×" if a > 0 and b > 0 else "–"

    print(f"| phase ({args.profiles}) | navette | OSRM | ratio |")
    print("|---|---|---|---|")
    print(f"| PBF → graph (navette read + build; OSRM extract) | {nav_prep:.2f} s | {osrm_extract_s:.2f} s | {ratio(osrm_extract_s, nav_prep)} |")
    print(f"| contraction (navette hierarchies; OSRM contract) | {t.get('hierarchy_s', 0.0):.2f} s | {osrm_contract_s:.2f} s | {ratio(osrm_contract_s, t.get('hierarchy_s', 0.0))} |")
    print(f"| graph ready for queries (navette + hierarchies; OSRM + contract) | {nav_ready:.2f} s | {osrm_prep_s:.2f} s | {ratio(osrm_prep_s, nav_ready)} |")
    print(f"| all legs (navette one-to-all; OSRM Table) | {t['query_s']:.3f} s | {osrm_query_s:.3f} s | {ratio(osrm_query_s, t['query_s'])} |")
    print(f"| whole job | {t['total_s']:.2f} s | {osrm_total:.2f} s | {ratio(osrm_total, t['total_s'])} |")
    print(f"| peak memory (navette whole job; OSRM extract) | {t['peak_rss_mib']:.0f} MiB | {osrm_extract_rss:.0f} MiB | |")
    print(f"| peak memory (OSRM contract) | | {osrm_contract_rss:.0f} MiB | |")


if __name__ == "__main__":
    main()

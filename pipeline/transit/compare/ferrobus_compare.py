"""Side by side with ferrobus (PyPI, RAPTOR in Rust) on the Cairns feed.

`prepare`: unzips the feed, writes a walking grid as OSM (ferrobus needs a street network and no
OpenStreetMap extract of Cairns is shipped: a grid of streets every 100 m over the stops' area,
so walks are Manhattan-like, about 1.27 x the straight line on average against navette's 1.3) and
draws the (origin, destination, departure) triples: 20 origins x 15 destinations, each near a
random stop (jitter up to 150 m), straight line at least 3 km, departures 07:00-09:00.
`compare`: runs ferrobus on the triples and compares its arrival times with navette's
(`ours.csv`, written by the transit bench in its NAVETTE_TRANSIT_PAIRS mode).
"""

import csv
import datetime
import io
import json
import math
import random
import sys
import time
import zipfile
from pathlib import Path

R = 6_371_008.8


def hv(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


def parse_t(s):
    h, m, x = s.strip().split(":")
    return int(h) * 3600 + int(m) * 60 + int(x)


def interpolate_times(path: Path):
    """ferrobus rejects empty times (the Cairns feed leaves some intermediate calls untimed):
    fill them as navette does, linearly in call count between the timed neighbours."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rd = csv.DictReader(f)
        fields, rows = rd.fieldnames, list(rd)
    by_trip = {}
    for r in rows:
        by_trip.setdefault(r["trip_id"], []).append(r)
    filled = 0
    for calls in by_trip.values():
        calls.sort(key=lambda r: int(r["stop_sequence"]))
        k = 0
        while k < len(calls):
            if not calls[k]["arrival_time"].strip():
                a, b = k - 1, k
                while not calls[b]["arrival_time"].strip():
                    b += 1
                t0, t1 = parse_t(calls[a]["departure_time"]), parse_t(calls[b]["arrival_time"])
                for m in range(k, b):
                    v = t0 + (t1 - t0) * (m - a) // (b - a)
                    calls[m]["arrival_time"] = calls[m]["departure_time"] = f"{v // 3600:02}:{v // 60 % 60:02}:{v % 60:02}"
                    filled += 1
                k = b
            k += 1
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for calls in by_trip.values():
            w.writerows(calls)
    print(f"{filled} untimed calls interpolated for ferrobus")


def prepare(feed: Path, work: Path):
    work.mkdir(parents=True, exist_ok=True)
    gtfs = work / "gtfs"
    with zipfile.ZipFile(feed) as z:
        z.extractall(gtfs)
    interpolate_times(gtfs / "stop_times.txt")
    stops = []
    with open(gtfs / "stops.txt", newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            stops.append((float(r["stop_lat"]), float(r["stop_lon"])))
    lat0, lat1 = min(s[0] for s in stops) - 0.01, max(s[0] for s in stops) + 0.01
    lon0, lon1 = min(s[1] for s in stops) - 0.01, max(s[1] for s in stops) + 0.01
    dlat = 100 / 111_195
    dlon = 100 / (111_195 * math.cos(math.radians((lat0 + lat1) / 2)))
    ni, nj = int((lat1 - lat0) / dlat) + 1, int((lon1 - lon0) / dlon) + 1
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="navette-compare">\n')
    nid = lambda i, j: 1 + i * nj + j
    for i in range(ni):
        for j in range(nj):
            out.write(f'<node id="{nid(i, j)}" version="1" lat="{lat0 + i * dlat:.7f}" lon="{lon0 + j * dlon:.7f}"/>\n')
    wid = 1
    for i in range(ni):
        out.write(f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{nid(i, j)}"/>' for j in range(nj)))
        out.write('<tag k="highway" v="residential"/></way>\n')
        wid += 1
    for j in range(nj):
        out.write(f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{nid(i, j)}"/>' for i in range(ni)))
        out.write('<tag k="highway" v="residential"/></way>\n')
        wid += 1
    out.write("</osm>\n")
    (work / "grid.osm").write_text(out.getvalue())
    rng = random.Random(42)

    def near_stop():
        s = stops[rng.randrange(len(stops))]
        ang, d = rng.uniform(0, 2 * math.pi), rng.uniform(0, 150)
        return (s[0] + d * math.cos(ang) / 111_195, s[1] + d * math.sin(ang) / (111_195 * math.cos(math.radians(s[0]))))

    rows = []
    for _ in range(20):
        o = near_stop()
        dep = rng.randrange(7 * 3600, 9 * 3600, 60)
        n = 0
        while n < 15:
            d = near_stop()
            if hv(o, d) >= 3000:
                rows.append((o[0], o[1], d[0], d[1], dep))
                n += 1
    with open(work / "pairs.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["origin_lat", "origin_lon", "dest_lat", "dest_lon", "depart_s"])
        for r in rows:
            w.writerow([f"{r[0]:.7f}", f"{r[1]:.7f}", f"{r[2]:.7f}", f"{r[3]:.7f}", r[4]])
    print(f"grid {ni} x {nj} nodes, {len(rows)} pairs")


def compare(work: Path, ours_seconds: float):
    import ferrobus

    t0 = time.perf_counter()
    model = ferrobus.create_transit_model(str(work / "grid.osm.pbf"), [str(work / "gtfs")], datetime.date(2014, 6, 10), 624)
    build_s = time.perf_counter() - t0
    rows = list(csv.DictReader(open(work / "pairs.csv")))
    ours = list(csv.DictReader(open(work / "ours.csv")))
    # 600 m straight line x 1.3 at 1.25 m/s = 624 s: the same reach as navette's access walks.
    t0 = time.perf_counter()
    results = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["origin_lat"] == rows[i]["origin_lat"] and rows[j]["depart_s"] == rows[i]["depart_s"]:
            j += 1
        o = rows[i]
        try:
            start = ferrobus.create_transit_point(float(o["origin_lat"]), float(o["origin_lon"]), model, 624, 10)
            ends = []
            for r in rows[i:j]:
                try:
                    ends.append(ferrobus.create_transit_point(float(r["dest_lat"]), float(r["dest_lon"]), model, 624, 10))
                except Exception:
                    ends.append(None)
            ok = [e for e in ends if e is not None]
            res = ferrobus.find_routes_one_to_many(model, start, ok, int(o["depart_s"]), 5) if ok else []
            it = iter(res)
            results.extend(next(it) if e is not None else None for e in ends)
        except Exception:
            results.extend([None] * (j - i))
        i = j
    ferrobus_s = time.perf_counter() - t0
    both, diffs, only_ours, only_theirs, walk_only = 0, [], 0, 0, 0
    for r, o, f in zip(rows, ours, results):
        a = int(o["arrive_s"]) if o["arrive_s"] else None
        if isinstance(f, str):
            f = json.loads(f)
        fa = None
        if f and f.get("used_transit", True):
            fa = int(r["depart_s"]) + int(f["travel_time_seconds"])
        elif f:
            walk_only += 1
        if a is not None and fa is not None:
            both += 1
            diffs.append(a - fa)
        elif a is not None:
            only_ours += 1
        elif fa is not None:
            only_theirs += 1
    diffs.sort()
    absd = sorted(abs(d) for d in diffs)
    q = lambda v, p: v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")
    print(f"pairs {len(rows)}: both found {both}, only navette {only_ours}, only ferrobus {only_theirs}, ferrobus walk only {walk_only}")
    if diffs:
        print(f"arrival navette - ferrobus (s): median {q(diffs, 0.5)}, p10 {q(diffs, 0.1)}, p90 {q(diffs, 0.9)}")
        print(f"|difference| (s): median {q(absd, 0.5)}, p95 {q(absd, 0.95)}; equal {sum(1 for d in diffs if d == 0)}, within 120 s {sum(1 for d in absd if d <= 120)}, within 300 s {sum(1 for d in absd if d <= 300)}")
    print(f"ferrobus: model {build_s:.2f} s, queries {ferrobus_s:.3f} s; navette queries {ours_seconds:.3f} s; ratio {ferrobus_s / max(ours_seconds, 1e-9):.1f}x")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        compare(Path(sys.argv[2]), float(sys.argv[3]))

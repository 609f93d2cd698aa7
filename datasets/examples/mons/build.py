#!/usr/bin/env python3
"""Builds the Mons example study (a routed study on a real Walloon map): two member companies
whose staff live in Mons, Cuesmes, Nimy and Hyon (random points of the OSM extract's area, as
homes are) and use a center near Mons station. Synthetic people, a real map. Deterministic:

    python3 datasets/examples/mons/build.py   # rewrites the CSV files beside this script
"""
import pathlib
import random
from datetime import date, timedelta

HERE = pathlib.Path(__file__).parent
rng = random.Random(20260115)

# Area of the extract (2nd–98th percentile of its nodes), datasets/osm/mons.osm.pbf.
LAT, LON = (50.4344, 50.4754), (3.9160, 3.9924)

SITES = "site_id,name,municipality,lat,lon,workspaces,opened_on\nMONS,Mons Gare (hypothetical center),Mons,50.45380,3.94150,14,2025-09-01\n"
# Euro Green IT's office in Mons (routed legs); a Brussels company (its office is off the map: the
# office legs keep the estimate, with the reason, while the center legs are routed).
COMPANIES = (
    "company_id,name,office_name,office_lat,office_lon,package_hours_per_quarter\n"
    "EGI,Euro Green IT,Mons (Grands Prés),50.46330,3.96060,400\n"
    "BXL,Assurances Bruxelloises,Bruxelles-Nord,50.86010,4.36130,600\n"
)
MODES = [("car", 0.62), ("bike", 0.12), ("walk", 0.08), ("bus", 0.08), ("train", 0.10)]


def pick(table):
    r, acc = rng.random(), 0.0
    for v, w in table:
        acc += w
        if r < acc:
            return v
    return table[-1][0]


employees = ["employee_id,company_id,home_lat,home_lon,commute_mode,car_fuel,car_size,center_mode"]
cards = ["card_id,employee_id"]
users = []
for i in range(1, 41):
    company = "EGI" if i <= 22 else "BXL"
    lat, lon = rng.uniform(*LAT), rng.uniform(*LON)
    mode = pick(MODES) if company == "EGI" else pick([("car", 0.55), ("train", 0.45)])
    fuel = pick([("petrol", 0.45), ("diesel", 0.35), ("electric", 0.1), ("hybrid", 0.1)]) if mode == "car" else ""
    size = "medium" if mode == "car" else ""
    # The way to the center near the station: on foot or by bike when close, else the car.
    center = "" if mode in ("car", "walk", "bike") else pick([("walk", 0.4), ("bike", 0.3), ("car", 0.3)])
    employees.append(f"E{i:03},{company},{lat:.5f},{lon:.5f},{mode},{fuel},{size},{center}")
    cards.append(f"M{i:04},E{i:03}")
    if rng.random() < (0.35 if company == "EGI" else 0.8):
        users.append((f"M{i:04}", rng.choice([0.5, 1.0, 1.5, 2.0])))

log = ["timestamp,site_id,card_id,direction"]
day = date(2026, 1, 5)
while day <= date(2026, 3, 31):
    if day.weekday() < 5:
        for card, per_week in users:
            if rng.random() < per_week / 5:
                t_in = 8 * 60 + rng.randint(0, 90)
                t_out = t_in + rng.randint(300, 540)
                log.append(f"{day}T{t_in // 60:02}:{t_in % 60:02}:00,MONS,{card},in")
                log.append(f"{day}T{t_out // 60:02}:{t_out % 60:02}:00,MONS,{card},out")
    day += timedelta(days=1)

(HERE / "sites.csv").write_text(SITES)
(HERE / "companies.csv").write_text(COMPANIES)
(HERE / "employees.csv").write_text("\n".join(employees) + "\n")
(HERE / "cards.csv").write_text("\n".join(cards) + "\n")
(HERE / "logs").mkdir(exist_ok=True)
(HERE / "logs" / "MONS.csv").write_text("\n".join(log) + "\n")
print(f"{len(employees) - 1} employees, {len(users)} center users, {len(log) - 1} badge events")

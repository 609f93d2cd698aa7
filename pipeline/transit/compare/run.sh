#!/usr/bin/env bash
# Side by side with ferrobus 0.2.1 (PyPI, RAPTOR) on the Cairns feed: 300 door-to-door journeys,
# agreement of arrival times and speed. Usage: pipeline/transit/compare/run.sh
# Installs ferrobus into a venv under ~/.cache/navette/ and osmium-tool (Debian) if missing.
set -euo pipefail
cd "$(dirname "$0")/../../.."
VENV="$HOME/.cache/navette/ferrobus-venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import ferrobus' 2>/dev/null || "$VENV/bin/pip" install -q ferrobus==0.2.1
command -v osmium >/dev/null || { apt-get update -qq && apt-get install -y -qq osmium-tool >/dev/null; }
WORK="${WORK:-$(mktemp -d)}"
"$VENV/bin/python" pipeline/transit/compare/ferrobus_compare.py prepare datasets/gtfs/cairns_gtfs.zip "$WORK"
osmium cat --overwrite "$WORK/grid.osm" -o "$WORK/grid.osm.pbf"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/navette/target}"
OUT=$(NAVETTE_TRANSIT_PAIRS="$WORK/pairs.csv" NAVETTE_TRANSIT_OUT="$WORK/ours.csv" NAVETTE_TRANSIT_DATE=2014-06-10 \
  cargo bench --profile dev -q -p navette-transit --bench transit)
echo "$OUT"
OURS_S=$(echo "$OUT" | sed -n 's/^ours: .* in \([0-9.]*\) s$/\1/p')
"$VENV/bin/python" pipeline/transit/compare/ferrobus_compare.py compare "$WORK" "$OURS_S"

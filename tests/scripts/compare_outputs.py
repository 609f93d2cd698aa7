#!/usr/bin/env python3
"""Compares two navette output folders (`--out` of two runs, e.g. before and after a refactor that
must change no figure): reports and rejects.csv byte for byte, every Parquet table value for value
after renaming the columns schema 4 renamed, and lists what differs.

    python3 tests/scripts/compare_outputs.py OLD_OUT NEW_OUT

Needs the `duckdb` Python package (pip install duckdb). Exits 1 if anything differs beyond the
renames and `run_info.schema_version`.
"""
import filecmp
import pathlib
import re
import sys

import duckdb

# Schema 3 → 4 (docs/warehouse.md, "Schema version").
RENAMED = {
    f"{q}_{u}": f"{u2}_{q}"
    for q in ("baseline", "actual", "rebound")
    for u, u2 in (("km", "km"), ("h", "hours"), ("co2e_kg", "co2e_kg"), ("co2e_ttw_kg", "co2e_ttw_kg"), ("co2e_wtw_kg", "co2e_wtw_kg"))
}


def files(root: pathlib.Path, pattern: str):
    return sorted(p.relative_to(root) for p in root.glob(pattern) if p.is_file())


def main(old: pathlib.Path, new: pathlib.Path) -> int:
    problems = []
    for rel in files(old, "reports/**/*") + [pathlib.Path("rejects.csv")]:
        if not filecmp.cmp(old / rel, new / rel, shallow=False):
            problems.append(f"{rel}: bytes differ")
    con = duckdb.connect()
    for rel in files(old, "parquet/**/*.parquet"):
        a = con.execute(f"SELECT * FROM read_parquet('{old / rel}')")
        renamed = [d[0] for d in a.description if d[0] in RENAMED]
        cols_a = [RENAMED.get(d[0], d[0]) for d in a.description]
        rows_a = a.fetchall()
        b = con.execute(f"SELECT * FROM read_parquet('{new / rel}')")
        cols_b = [d[0] for d in b.description]
        rows_b = b.fetchall()
        if rel.name == "run_info.parquet":
            i = cols_a.index("schema_version")
            rows_a = [r[:i] + r[i + 1 :] for r in rows_a]
            rows_b = [r[:i] + r[i + 1 :] for r in rows_b]
            cols_a.pop(i)
            cols_b.pop(cols_b.index("schema_version"))
        if cols_a != cols_b:
            problems.append(f"{rel}: columns {cols_a} → {cols_b}")
        elif rows_a != rows_b:
            problems.append(f"{rel}: values differ")
        else:
            note = f" (renamed: {', '.join(renamed)})" if renamed else ""
            print(f"same {rel}{note}")
    new_tables = sorted(set(files(new, "parquet/**/*.parquet")) - set(files(old, "parquet/**/*.parquet")))
    for rel in new_tables:
        print(f"new  {rel}")
    for p in problems:
        print(f"DIFF {p}")
    print(f"reports and rejects.csv: {'identical' if not any('bytes' in p for p in problems) else 'DIFFER'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))

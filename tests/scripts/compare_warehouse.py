#!/usr/bin/env python3
"""Compares two navette output folders that must be the same (a change that keeps every figure,
e.g. a speed-up): `parquet/`, `reports/` and `rejects.csv` byte for byte, and every table and view
of `warehouse.duckdb` (columns and types; rows as a count and a sum of row hashes, a table's rows
with their row number, so its order counts too; views computed on one thread). Holds no rows in
Python, so it runs on the 18 M scenario rows of the 100,000-employee study (about a minute).

    python3 tests/scripts/compare_warehouse.py OLD_OUT NEW_OUT

Needs the `duckdb` Python package. Exits 1 if anything differs. `compare_outputs.py` compares
Parquet values across the schema-4 renames instead.
"""
import filecmp
import pathlib
import sys

import duckdb


def files(root: pathlib.Path, pattern: str):
    return sorted(p.relative_to(root) for p in root.glob(pattern) if p.is_file())


def main(old: pathlib.Path, new: pathlib.Path) -> int:
    problems = []
    listed = lambda root: files(root, "parquet/**/*") + files(root, "reports/**/*") + [pathlib.Path("rejects.csv")]
    old_files, new_files = listed(old), listed(new)
    if old_files != new_files:
        problems.append(f"files only on one side: {sorted(set(old_files) ^ set(new_files))[:10]}")
    for rel in old_files:
        if (new / rel).exists() and not filecmp.cmp(old / rel, new / rel, shallow=False):
            problems.append(f"{rel}: bytes differ")
    print(f"{len(old_files)} files compared byte for byte")
    con = duckdb.connect()
    # Views aggregate floating-point figures: one thread sums them in the same order each time.
    con.execute("SET threads = 1")
    con.execute(f"ATTACH '{old / 'warehouse.duckdb'}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{new / 'warehouse.duckdb'}' AS b (READ_ONLY)")

    def objects(db):
        return sorted(
            con.execute(
                f"SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = '{db}'"
            ).fetchall()
        )

    def columns(db, name):
        return con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_catalog = '{db}' AND table_name = '{name}' ORDER BY ordinal_position"
        ).fetchall()

    old_objects = objects("a")
    if old_objects != objects("b"):
        problems.append(f"tables or views on one side only: {set(old_objects) ^ set(objects('b'))}")
    for name, kind in old_objects:
        if columns("a", name) != columns("b", name):
            problems.append(f"{name}: columns differ")
            continue
        row = "hash(t.rowid, t)" if kind == "BASE TABLE" else "hash(t)"
        digest = lambda db: con.execute(f"SELECT count(*), sum({row}::HUGEINT) FROM {db}.{name} t").fetchall()
        if digest("a") != digest("b"):
            problems.append(f"{name} ({kind.lower()}): rows differ")
    print(f"{len(old_objects)} warehouse tables and views compared")
    for p in problems:
        print(f"DIFF {p}")
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))

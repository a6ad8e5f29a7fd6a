#!/usr/bin/env python
"""Benchmark: loading the reference organisation units, and the hierarchy queries.

    .venv/bin/python benchmarks/orgunits.py                     # SQLite in a temporary folder
    .venv/bin/python benchmarks/orgunits.py --postgres URL      # a scratch PostgreSQL database

Prints the figures recorded in docs/benchmarks.md. Each run starts from an empty database.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def prepare(postgres_url: str | None) -> str:
    if postgres_url is None:
        folder = tempfile.mkdtemp(prefix="dieuhanh-bench-")
        os.environ["DIEUHANH_VAR_DIR"] = folder
        os.environ.pop("DATABASE_URL", None)
        return f"SQLite (WAL) in {folder}"
    import psycopg

    base, _, _name = postgres_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS dieuhanh_bench")
        connection.execute("CREATE DATABASE dieuhanh_bench")
    os.environ["DATABASE_URL"] = f"{base}/dieuhanh_bench"
    return f"PostgreSQL {base}/dieuhanh_bench"


def timed(function, repeat: int = 1):
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return result, durations


def start_django(parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    """Parse ``--postgres`` (and the caller's own options), set up Django on an empty
    database, migrate it, say which; the parsed arguments are returned."""
    parser = parser or argparse.ArgumentParser()
    parser.add_argument("--postgres", metavar="URL", help="postgres://user@host:port/any")
    args = parser.parse_args()
    where = prepare(args.postgres)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database: {where}")
    return args


def main() -> None:
    start_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dieuhanh.orgunits import services
    from dieuhanh.orgunits.loader import load_reference_orgunits
    from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure, Succession

    report, (first,) = timed(load_reference_orgunits)
    print(
        f"first load: {report.created} units, {report.edges_created} parent links, "
        f"{report.successions_created} successions, {report.closure_rows} closure rows "
        f"in {first:.1f} s"
    )
    report, (second,) = timed(load_reference_orgunits)
    print(f"second load (nothing to change: {not report.changed}): {second:.1f} s")

    before, after = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    commune = OrgUnit.objects.filter(kind="commune", valid_from=after).last()
    province = services.units_on(after, "province").get(code="79")
    old_province = services.units_on(before, "province").get(code="79")

    def measure(label, function, repeat=50):
        with CaptureQueriesContext(connection) as queries:
            function()
        _, durations = timed(function, repeat)
        print(
            f"{label}: median {statistics.median(durations) * 1000:.2f} ms, "
            f"p95 {sorted(durations)[int(repeat * 0.95) - 1] * 1000:.2f} ms, "
            f"{len(queries)} quer{'y' if len(queries) == 1 else 'ies'}"
        )

    measure("ancestors of a commune on 01/07/2025", lambda: services.ancestors(commune, after))
    measure(
        "descendants of Hồ Chí Minh city on 01/07/2025 (168 wards)",
        lambda: list(services.descendants(province, after)),
    )
    measure(
        "descendants of old Hồ Chí Minh city on 30/06/2025 (districts and wards)",
        lambda: list(services.descendants(old_province, before)),
    )
    measure("every commune on 01/07/2025 (level 3)", lambda: list(services.level_on(after, 3)), 10)
    measure(
        "search 'ninh binh' among provinces on 01/07/2025",
        lambda: list(services.search("ninh binh", after, "province")),
        20,
    )
    old_communes = list(OrgUnit.objects.filter(kind="commune", valid_to=before))
    mapping, durations = timed(lambda: services.map_to_structure(old_communes, after), 3)
    approximate = sum(1 for targets in mapping.values() if any(t.approximate for t in targets))
    print(
        f"map_to_structure of {len(old_communes)} old communes onto 01/07/2025: "
        f"median {statistics.median(durations):.2f} s ({approximate} rely on an approximate split)"
    )
    print(
        f"rows: {OrgUnit.objects.count()} units, {OrgUnitClosure.objects.count()} closure rows, "
        f"{Succession.objects.count()} successions"
    )


if __name__ == "__main__":
    main()

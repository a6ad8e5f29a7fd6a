#!/usr/bin/env python
"""Benchmark: bulk ingest of data values through the DHIS2-compatible path.

    .venv/bin/python benchmarks/ingest.py --values 1000000                  # SQLite
    .venv/bin/python benchmarks/ingest.py --values 1000000 --postgres URL   # PostgreSQL

One DHIS2 JSON payload of N values (63 pre-2025 provinces x months x synthetic monthly
indicators, identified by uid as DHIS2 clients send them) goes through the whole path a
request takes (parse, every rule, set-based write, per-value audit trail, job counters):
- as new values, then re-posted unchanged, then with every value changed (updates);
- the same rows as DHIS2 CSV into an emptied store;
- on PostgreSQL, a raw COPY of the same resolved rows into a copy of the values table with
  the same indexes, measured in the same run, as the floor to compare with.
Prints values per second, the ratio to COPY, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.orgunits import start_django


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument(
        "--phases", action="store_true", help="also print the time spent in each write phase"
    )
    args = start_django(parser)
    import datetime

    from django.db import connection

    from dieuhanh.accounts.models import User
    from dieuhanh.catalog import services as catalog
    from dieuhanh.catalog.models import DEFAULT_COMBINATION_UID
    from dieuhanh.core import periods
    from dieuhanh.core.audit import audit_channel
    from dieuhanh.datavalues import services
    from dieuhanh.datavalues.ingest import ImportOptions
    from dieuhanh.datavalues.models import DataValue, DataValueAudit, ImportFormat
    from dieuhanh.orgunits.loader import load_reference_orgunits
    from dieuhanh.orgunits.models import OrgUnit

    load_reference_orgunits()
    provinces = list(
        OrgUnit.objects.filter(kind="province", valid_to=datetime.date(2025, 6, 30))
        .order_by("code")
        .values_list("uid", flat=True)
    )
    months = [
        p.code
        for p in periods.periods_between(
            "monthly", datetime.date(2000, 1, 1), datetime.date(2025, 6, 30)
        )
    ]
    per_indicator = len(provinces) * len(months)
    count = -(-args.values // per_indicator)
    unit = catalog.save_unit_of_measure(None, "BENCH_UNIT", name="đơn vị", name_en="unit")
    indicators = [
        catalog.create_indicator(
            None,
            code=f"BENCH_{n:03d}",
            name=f"Chỉ tiêu đo hiệu năng {n}",
            unit=unit,
            period_type="monthly",
            aggregation="sum",
            time_aggregation="sum",
            levels=["province"],
        ).uid
        for n in range(count)
    ]
    user = User.objects.create_superuser("bench", password="Bench-mat-khau-2026")
    print(
        f"{args.values:,} values: {len(indicators)} monthly indicators x {len(provinces)} "
        f"provinces x {len(months)} months (2000-01..2025-06)"
    )

    def cells():
        produced = 0
        for indicator in indicators:
            for orgunit in provinces:
                for month in months:
                    if produced == args.values:
                        return
                    produced += 1
                    yield indicator, month, orgunit, produced

    folder = Path(tempfile.mkdtemp(prefix="dieuhanh-ingest-"))

    def dhis2_json(shift: int = 0) -> bytes:
        """The payload, written item by item to a file and read back whole, as a request
        body arrives: generating it never holds more than the bytes themselves."""
        path = folder / "payload.json"
        with path.open("w", encoding="utf-8") as out:
            out.write('{"dataSet":"","dataValues":[')
            for indicator, month, orgunit, n in cells():
                if n > 1:
                    out.write(",")
                out.write(
                    json.dumps(
                        {
                            "dataElement": indicator,
                            "period": month,
                            "orgUnit": orgunit,
                            "categoryOptionCombo": DEFAULT_COMBINATION_UID,
                            "attributeOptionCombo": DEFAULT_COMBINATION_UID,
                            "value": str(n % 9973 + shift) + ".5",
                        },
                        separators=(",", ":"),
                    )
                )
            out.write("]}")
        return path.read_bytes()

    def dhis2_csv() -> bytes:
        path = folder / "payload.csv"
        with path.open("w", encoding="utf-8") as out:
            out.write("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n")
            for indicator, month, orgunit, n in cells():
                out.write(
                    f"{indicator},{month},{orgunit},{DEFAULT_COMBINATION_UID},"
                    f"{DEFAULT_COMBINATION_UID},{n % 9973}.5\n"
                )
        return path.read_bytes()

    phases = timed_phases() if args.phases else {}

    def run(label: str, data: bytes, fmt=ImportFormat.DHIS2_JSON) -> float:
        options = ImportOptions()  # DHIS2's defaults: uid, CREATE_AND_UPDATE
        phases.clear()
        started = time.perf_counter()
        with audit_channel("dhis2"):
            _job, result = services.import_data(user, data, fmt, options)
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {elapsed:.1f} s, {args.values / elapsed:,.0f} values/s "
            f"(created {result.created:,}, updated {result.updated:,}, "
            f"ignored {result.ignored:,}, refused {len(result.conflicts):,}); "
            f"peak memory {peak_mb():,.0f} MB"
        )
        if phases:
            print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items()))
        assert not result.conflicts, result.conflicts[:3]
        return elapsed

    payload = dhis2_json()
    print(f"payload: {len(payload) / 1e6:,.0f} MB of DHIS2 JSON; peak memory {peak_mb():,.0f} MB")
    python_stages(user, payload, args.values)
    created = run("new values (DHIS2 JSON)", payload)
    print(
        f"  stored: {DataValue.objects.count():,} values, "
        f"{DataValueAudit.objects.count():,} audit rows"
    )
    run("same payload again (all unchanged)", payload)
    del payload
    changed = dhis2_json(shift=1)
    run("every value changed (updates)", changed)
    del changed

    copy_seconds = None
    if connection.vendor == "postgresql":
        copy_seconds = raw_copy(connection, args.values)
        print(
            f"raw COPY of the same {args.values:,} rows into a table with the same indexes: "
            f"{copy_seconds:.1f} s; ingest of new values / COPY = {created / copy_seconds:.2f}"
        )

    truncate(connection)
    csv_payload = dhis2_csv()
    run("new values (DHIS2 CSV) into an emptied store", csv_payload, ImportFormat.DHIS2_CSV)


def timed_phases() -> dict[str, float]:
    """Wrap the writer's phases to add up the time each takes (main thread only)."""
    from dieuhanh.datavalues import ingest

    totals: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[name] = totals.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    for name in ("stage", "lock", "write", "drop"):
        setattr(ingest.Writer, name, timed(name, getattr(ingest.Writer, name)))
    ingest._save_chunk = timed("job counters", ingest._save_chunk)
    return totals


def python_stages(user, payload: bytes, count: int) -> None:
    """Where the time of the Python side goes, before any write: reading the JSON, and
    reading it with every rule applied (the resolver's checks, as the ingest runs them)."""
    from dieuhanh.datavalues import sources
    from dieuhanh.datavalues.ingest import ImportOptions, Resolver

    started = time.perf_counter()
    for _row in sources.dhis2_json(payload).rows:
        pass
    parsed = time.perf_counter() - started
    resolver = Resolver(user, ImportOptions())
    check = resolver.check
    started = time.perf_counter()
    for row in sources.dhis2_json(payload).rows:
        check(row)
    checked = time.perf_counter() - started
    print(
        f"python side alone: reading {parsed:.1f} s ({count / parsed:,.0f} values/s); "
        f"reading and every rule {checked:.1f} s ({count / checked:,.0f} values/s)"
    )


def truncate(connection) -> None:
    from dieuhanh.datavalues.models import DataValue, DataValueAudit

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {DataValueAudit._meta.db_table}, {DataValue._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {DataValueAudit._meta.db_table}")
            cursor.execute(f"DELETE FROM {DataValue._meta.db_table}")


def raw_copy(connection, count: int) -> float:
    """COPY the stored rows (already resolved to ids) into a copy of the table with the same
    indexes, from a text buffer prepared beforehand: the database's floor for this write."""
    from dieuhanh.datavalues.models import DataValue

    table = DataValue._meta.db_table
    columns = (
        "indicator_id, combination_id, attribute_id, orgunit_id, period, period_start, "
        "period_end, number, text, comment, followup, status, deleted, channel, job_id, "
        "created_at, updated_at, created_by_id, updated_by_id"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy (LIKE {table} INCLUDING ALL)")
        buffer = io.StringIO()
        raw = cursor.cursor
        with raw.copy(f"COPY (SELECT {columns} FROM {table} LIMIT {count}) TO STDOUT") as copy:
            for block in copy:
                buffer.write(bytes(block).decode())
        text = buffer.getvalue()
        started = time.perf_counter()
        with raw.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
            copy.write(text)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


if __name__ == "__main__":
    main()

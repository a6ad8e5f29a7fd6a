#!/usr/bin/env python
"""Benchmark: the analytics engine over a store of 20 million values.

    .venv/bin/python benchmarks/analytics.py --postgres URL [--size 50] [--keep]
    .venv/bin/python benchmarks/analytics.py --size 2 --commune-indicators 2    # SQLite

The store: the reference structure and catalog, with the levels of ``--commune-indicators``
monthly additive indicators set to communes only (so that their national and provincial
figures are made from the communes' values), and the demo generator's values at ``--size``
from ``--start``. At size 50 every commune reports, 1.16 million values per indicator over
ten years; with 14 such indicators the store holds about 21 million values. The values are
written with COPY straight from the generator (two processes), not through the ingest:
``benchmarks/ingest.py`` measures the ingest; here the store is the subject. The rollups
are then built from scratch (timed), and one value is changed to time an incremental
refresh.

Then each query runs ``--runs`` times warm through the service and through
``GET /api/v1/analytics`` (median and p95), beside the same answer from a plain GROUP BY
over the raw values (checked equal):
1. one indicator, national total per month for ten years (120 months), from communes;
2. one indicator, the 34 provinces, one month (the map): last month, and a month of 2024
   (before the 2025 merger: 63 former provinces mapped onto 34);
3. ten indicators x 34 provinces x 12 months: the last 12 months, and 2024;
4. the first query with ``structure=as_reported``.
``--keep`` reuses the database of an earlier run (PostgreSQL: ``dieuhanh_bench_analytics``).
"""

from __future__ import annotations

import argparse
import datetime
import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.orgunits import timed
from benchmarks.quality import p95

DATABASE = "dieuhanh_bench_analytics"
COMMUNE_INDICATORS = (
    "RETAIL_SALES",
    "EXPORTS",
    "IMPORTS",
    "BUDGET_REVENUE",
    "BUDGET_EXPENDITURE",
    "NEW_ENTERPRISES",
    "NEW_ENTERPRISE_CAPITAL",
    "ENTERPRISES_RESUMED",
    "TRAFFIC_ACCIDENTS",
    "TRAFFIC_DEATHS",
    "FIRE_INCIDENTS",
    "COMPLAINTS_RECEIVED",
    "COMPLAINTS_RESOLVED",
    "FISHERY_OUTPUT",
)
COLUMNS = (
    "indicator_id, combination_id, attribute_id, orgunit_id, period, period_start, period_end, "
    "number, comment, followup, status, deleted, channel, created_at, updated_at"
)


def ms(durations: list[float]) -> str:
    return (
        f"median {statistics.median(durations) * 1000:.1f} ms, p95 {p95(durations) * 1000:.1f} ms"
    )


def prepare(args, database: str = DATABASE) -> tuple[str, bool]:
    """The database (created unless ``--keep`` finds it); whether it already has values."""
    if args.postgres is None:
        folder = args.folder or tempfile.mkdtemp(prefix="dieuhanh-bench-")
        os.makedirs(folder, exist_ok=True)
        os.environ["DIEUHANH_VAR_DIR"] = folder
        os.environ.pop("DATABASE_URL", None)
        return f"SQLite (WAL) in {folder}", args.keep
    import psycopg

    base, _, _name = args.postgres.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not (args.keep and exists):
            connection.execute(f"DROP DATABASE IF EXISTS {database}")
            connection.execute(f"CREATE DATABASE {database}")
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    return f"PostgreSQL {base}/{database}", bool(args.keep and exists)


def generate(job: tuple) -> int:
    """One process: the demo values of some indicators, COPYied into the store."""
    codes, size, start = job
    from django.db import connection, transaction

    from dieuhanh.catalog.models import OptionCombination
    from dieuhanh.core import periods
    from dieuhanh.datavalues.demo import DemoData
    from dieuhanh.orgunits.models import OrgUnit

    connection.close()
    units = dict(OrgUnit.objects.values_list("uid", "id"))
    combos = dict(OptionCombination.objects.values_list("uid", "id"))
    from dieuhanh.catalog.models import DEFAULT_COMBINATION_UID, Indicator

    indicators = dict(Indicator.objects.values_list("code", "id"))
    default = combos[DEFAULT_COMBINATION_UID]
    spans: dict[str, tuple[str, str]] = {}
    now = datetime.datetime.now(datetime.UTC).isoformat()
    data = DemoData(size=size, start=start, indicators=codes)
    written = 0
    buffer = io.StringIO()

    def flush():
        nonlocal written
        text = buffer.getvalue()
        if not text:
            return
        if connection.vendor == "postgresql":
            copying = f"COPY datavalues_datavalue ({COLUMNS}) FROM STDIN"
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy(copying) as copy,
            ):
                copy.write(text)
        else:
            rows = [line.split("\t") for line in text.splitlines()]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO datavalues_datavalue ({COLUMNS}) VALUES "
                    f"({', '.join(['%s'] * 15)})",
                    rows,
                )
        buffer.seek(0)
        buffer.truncate()

    for count, raw in enumerate(data.rows(), start=1):
        span = spans.get(raw.period)
        if span is None:
            period = periods.parse(raw.period)
            span = spans[raw.period] = (period.start.isoformat(), period.end.isoformat())
        buffer.write(
            f"{indicators[raw.indicator]}\t{combos.get(raw.combination, default)}\t{default}\t"
            f"{units[raw.orgunit]}\t{raw.period}\t{span[0]}\t{span[1]}\t{raw.value}\t\t"
            f"f\tsubmitted\tf\tdemo\t{now}\t{now}\n"
        )
        written = count
        if count % 200_000 == 0:
            flush()
    flush()
    return written


def load(args) -> None:
    from django.db import connection

    from dieuhanh.catalog.loader import load_reference_catalog
    from dieuhanh.catalog.models import Indicator
    from dieuhanh.datavalues.models import DataValue
    from dieuhanh.orgunits.loader import load_reference_orgunits

    load_reference_orgunits()
    load_reference_catalog()
    chosen = COMMUNE_INDICATORS[: args.commune_indicators]
    Indicator.objects.filter(code__in=chosen).update(levels=["commune"])
    codes = list(
        Indicator.objects.filter(formula="")
        .exclude(value_type="text")
        .values_list("code", flat=True)
    )
    # Biggest first, spread over the workers.
    ordered = list(chosen) + [c for c in codes if c not in chosen]
    jobs = [
        (ordered[i :: args.workers], args.size, datetime.date.fromisoformat(args.start))
        for i in range(args.workers)
    ]
    began = time.perf_counter()
    connection.close()
    if connection.vendor == "postgresql" and args.workers > 1:
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            total = sum(pool.map(generate, jobs))
    else:
        total = sum(generate(job) for job in jobs)
    print(f"generated and copied {total:,} values in {time.perf_counter() - began:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE datavalues_datavalue")
    print(f"store: {DataValue.objects.count():,} values")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", metavar="URL", help="postgres://user@host:port/any")
    parser.add_argument("--size", type=float, default=50)
    parser.add_argument("--start", default="2016-01-01")
    parser.add_argument("--commune-indicators", type=int, default=len(COMMUNE_INDICATORS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the store of an earlier run")
    parser.add_argument("--folder", help="SQLite: the folder of the database (with --keep)")
    args = parser.parse_args()
    where, kept = prepare(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    os.environ.setdefault("DIEUHANH_TWO_FACTOR", "off")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database: {where}")
    from dieuhanh.datavalues.models import DataValue

    if not kept or not DataValue.objects.exists():
        load(args)
    else:
        print(f"store kept: {DataValue.objects.count():,} values")
    measure(args)


def build_rollups() -> None:
    """The rollups: kept if an earlier run left them complete, else built from scratch."""
    from django.db import connection

    from dieuhanh.analytics import maintenance
    from dieuhanh.analytics.models import Rollup
    from dieuhanh.datavalues.models import ChangedCell

    if Rollup.objects.exists() and not ChangedCell.objects.exists() and not maintenance.pending():
        print(f"rollups kept: {Rollup.objects.count():,} rows")
    else:
        result = maintenance.refresh(force_rebuild=True)
        print(
            f"rollups built from scratch: {Rollup.objects.count():,} "
            f"rows over {result.cells:,} cells, {result.targets:,} unit-periods, "
            f"in {result.seconds:.1f} s"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE analytics_rollup")


def measure(args) -> None:
    from django.db import connection

    from dieuhanh.core.startup import settle

    settle()  # as the WSGI and ASGI applications do once loaded
    from django.test import Client

    from dieuhanh.accounts.models import User
    from dieuhanh.accounts.services import create_token
    from dieuhanh.analytics import services
    from dieuhanh.catalog.models import Indicator
    from dieuhanh.core import periods
    from dieuhanh.orgunits.models import OrgUnit
    from dieuhanh.orgunits.services import root_unit

    build_rollups()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", password="Bench-mat-khau-2026"
    )
    token = create_token(None, user, "bench", ["analytics:read"])[1]
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    chosen = list(COMMUNE_INDICATORS[: args.commune_indicators])
    first = chosen[0]
    ten = chosen[:10]
    today = datetime.date.today()
    root = root_unit(today)
    last_month = periods.for_date("monthly", today).previous()
    months_2024 = [p.code for p in periods.periods_in_year("monthly", 2024)]
    print(
        f"queries: {first} and {len(ten)} indicators (communes only); root {root}; "
        f"{args.runs} warm runs each"
    )

    def service(**ask):
        return services.query(user, services.AnalyticsRequest.from_text(**ask))

    def api(**ask):
        response = client.get("/api/v1/analytics", ask)
        assert response.status_code == 200, response.content[:300]
        return response

    def run(label, ask, plain_sql=None, params=None):
        answer = service(**ask)  # warms the caches
        api(**ask)
        _, service_times = timed(lambda: service(**ask), args.runs)
        _, api_times = timed(lambda: api(**ask), args.runs)
        line = (
            f"{label}: {len(answer.rows):,} numbers; service {ms(service_times)}; "
            f"API {ms(api_times)}"
        )
        if plain_sql:
            rows, plain_times = timed(lambda: fetch(plain_sql, params), max(5, args.runs // 6))
            check(answer, rows)
            line += f"; plain GROUP BY {ms(plain_times)} (same answer)"
        print(line)

    def fetch(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def check(answer, rows):
        """The engine's numbers equal the plain GROUP BY's (keyed by indicator, unit, period)."""
        ids = dict(Indicator.objects.values_list("id", "code"))
        uids = dict(OrgUnit.objects.values_list("id", "uid"))
        plain = {(ids[i], uids[u], p): float(v) for i, u, p, v in rows}
        engine_values = {(r[0], r[1], r[2]): r[3] for r in answer.rows if r[3] is not None}
        assert set(plain) == set(engine_values), (len(plain), len(engine_values))
        for key, value in plain.items():
            decimals = Indicator.objects.get(code=key[0]).decimals
            assert abs(round(value, decimals) - engine_values[key]) <= 10**-decimals, key

    indicator_ids = dict(Indicator.objects.filter(code__in=chosen).values_list("code", "id"))
    months = [last_month.shift(-n).code for n in range(119, -1, -1)]
    national = (
        "SELECT d.indicator_id, %s, d.period, SUM(d.number) FROM datavalues_datavalue d "
        f"WHERE d.indicator_id = %s AND d.period IN ({', '.join(['%s'] * len(months))}) "
        "AND NOT d.deleted GROUP BY d.indicator_id, d.period"
    )
    run(
        "1. national per month, 10 years",
        {"indicators": first, "periods": "LAST_120_MONTHS"},
        national,
        [root.pk, indicator_ids[first], *months],
    )
    run(
        "4. the same, structure=as_reported",
        {"indicators": first, "periods": "LAST_120_MONTHS", "structure": "as_reported"},
    )

    def provinces_sql(codes, period_codes):
        return (
            "SELECT d.indicator_id, k.ancestor_id, d.period, SUM(d.number) "
            "FROM datavalues_datavalue d JOIN orgunits_orgunitclosure k "
            "ON k.descendant_id = d.orgunit_id "
            "AND d.period_end BETWEEN k.valid_from AND k.valid_to "
            "JOIN orgunits_orgunit a ON a.id = k.ancestor_id AND a.kind = 'province' "
            f"WHERE d.indicator_id IN ({', '.join(['%s'] * len(codes))}) "
            f"AND d.period IN ({', '.join(['%s'] * len(period_codes))}) AND NOT d.deleted "
            "GROUP BY d.indicator_id, k.ancestor_id, d.period"
        ), [indicator_ids[c] for c in codes] + list(period_codes)

    sql, params = provinces_sql([first], [last_month.code])
    run(
        f"2. 34 provinces, one month ({last_month.code})",
        {"indicators": first, "orgunits": "KIND-province", "periods": last_month.code},
        sql,
        params,
    )
    run(
        "2b. 34 provinces, May 2024 (63 former provinces mapped)",
        {"indicators": first, "orgunits": "KIND-province", "periods": "202405"},
    )
    twelve = [last_month.shift(-n).code for n in range(11, -1, -1)]
    sql, params = provinces_sql(ten, twelve)
    run(
        f"3. {len(ten)} indicators x 34 provinces x 12 months",
        {"indicators": ";".join(ten), "orgunits": "KIND-province", "periods": "LAST_12_MONTHS"},
        sql,
        params,
    )
    run(
        f"3b. {len(ten)} indicators x 34 provinces x the 12 months of 2024 (mapped)",
        {
            "indicators": ";".join(ten),
            "orgunits": "KIND-province",
            "periods": ";".join(months_2024),
        },
    )
    # The plain GROUP BY of the third query in the structure of 2024 (as reported).
    sql, params = provinces_sql(ten, months_2024)
    _, plain_times = timed(lambda: fetch(sql, params), max(5, args.runs // 6))
    print(f"   plain GROUP BY of 3b over the 63 former provinces: {ms(plain_times)}")

    # Freshness: one value changed, then the next query (which refreshes first).
    from dieuhanh.datavalues.ingest import ImportOptions, RawValue, Scheme, ingest

    commune = OrgUnit.objects.filter(kind="commune", valid_to__isnull=True).order_by("code").first()

    def national() -> float:
        return service(
            indicators=first, orgunits=root.uid, periods=last_month.code, skip_rounding=True
        ).rows[0][3]

    def commune_value() -> float:
        return service(
            indicators=first,
            orgunits=commune.uid,
            periods=last_month.code,
            skip_rounding=True,
            structure="as_reported",
        ).rows[0][3]

    freshness = []
    for _step in range(5):
        before, old = national(), commune_value() or 0.0
        ingest(
            [RawValue(0, None, first, last_month.code, commune.uid, None, None, str(old + 7))],
            user,
            ImportOptions(indicator_scheme=Scheme.CODE),
        )
        began = time.perf_counter()
        after = national()
        freshness.append(time.perf_counter() - began)
        assert abs(after - before - 7) < 1e-6, (before, after)
    print(
        "freshness: a commune's value changed through the ingest, then the national figure "
        f"asked for (the query's refresh included): {ms(freshness)}; each time 7 more"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark: the operations center's pages and items over a store of 5 million values.

    .venv/bin/python benchmarks/dashboards.py --postgres URL [--size 12] [--keep]
    .venv/bin/python benchmarks/dashboards.py --size 1                        # SQLite

The store is the analytics benchmark's (``benchmarks/analytics.py``, whose functions build
it): the reference structure and catalog, the 14 monthly additive indicators of
``COMMUNE_INDICATORS`` set to communes only (so that every national and provincial figure
of theirs is made from the communes' values), the demo generator's values at ``--size``
from ``--start`` written with COPY, then the rollups built from scratch. At size 12 a
quarter of the communes report: about 5.5 million values.

Then, as a superuser signed in through the test client (the whole Django stack, server
side), each page's HTML and every item the page loads on its own (each ``hx-get`` with
``hx-trigger="load"`` in the HTML), ``--runs`` times warm (``--warm`` unmeasured runs
first), median and p95:
- the home page (``GET /``: the home dashboard, made on first use) and its items;
- a dashboard built here through the builder's services, on the generated indicators:
  key figures (the country's and a province's), the map and the ranking of the provinces,
  the ranking of a province's wards, a 24-month line chart of three indicators, a bar chart
  of the provinces, tables of the provinces and of a province's wards;
- the page of a generated indicator and of a provincial one (trend, map, ranking, table);
- the profile of Hồ Chí Minh city and its parts (figures, history, reporting record) and
  the ranking of its wards.
Targets (the issue): a page's HTML under 200 ms at p95, every item under 300 ms.
``--keep`` keeps the database (PostgreSQL: ``dieuhanh_bench_dashboards``) for the next run,
which reuses it; otherwise it is dropped at the end.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.analytics import COMMUNE_INDICATORS, build_rollups, load, prepare
from benchmarks.orgunits import timed
from benchmarks.quality import p95

DATABASE = "dieuhanh_bench_dashboards"
PAGE_TARGET = 0.200
ITEM_TARGET = 0.300
TITLE = "Benchmark: figures from the communes"
PROVINCE_CODE = "79"  # Hồ Chí Minh city: 168 wards
PROVINCIAL_INDICATOR = "PUBLIC_INVEST_DISBURSED"  # reported by provinces (map, ranking, table)
LOADED = re.compile(r'hx-get="([^"]+)"\s+hx-trigger="load')


@dataclass
class Row:
    name: str
    target: float
    durations: list[float]
    queries: int
    kilobytes: float
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.durations)

    @property
    def p95(self) -> float:
        return p95(self.durations)


def arguments(runs: int = 60) -> argparse.Namespace:
    """The options of a benchmark on the operations center's store."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", metavar="URL", help="postgres://user@host:port/any")
    parser.add_argument("--size", type=float, default=12, help="the demo generator's size")
    parser.add_argument("--start", default="2016-01-01")
    parser.add_argument("--commune-indicators", type=int, default=len(COMMUNE_INDICATORS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--warm", type=int, default=3, help="unmeasured runs before each")
    parser.add_argument("--keep", action="store_true", help="keep the store for the next run")
    parser.add_argument("--folder", help="SQLite: the folder of the database (with --keep)")
    return parser.parse_args()


def on_store(args, measure) -> None:
    """Make the store (or find the kept one), build its rollups, run ``measure(args)``, and
    drop the store unless ``--keep``."""
    began = time.perf_counter()
    where, kept = prepare(args, DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    os.environ.setdefault("DIEUHANH_TWO_FACTOR", "off")
    # Static addresses without a collected manifest (as the tests have them).
    os.environ.setdefault("DIEUHANH_STATIC_FROM_FINDERS", "on")
    import django

    django.setup()
    from django.core.management import call_command

    from dieuhanh.core.startup import settle
    from dieuhanh.datavalues.models import DataValue

    call_command("migrate", verbosity=0)
    print(f"database: {where}; code: {revision()}")
    try:
        if not kept or not DataValue.objects.exists():
            load(args)
        else:
            print(f"store kept: {DataValue.objects.count():,} values")
        settle()  # as the WSGI and ASGI applications do once loaded
        build_rollups()
        print(f"store ready in {time.perf_counter() - began:.0f} s")
        measure(args)
    finally:
        if not args.keep:
            drop(args)


def main() -> None:
    on_store(arguments(), measure)


def revision() -> str:
    """The commit measured ("-dirty": with changes not committed)."""
    found = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "unknown"


def drop(args, database: str = DATABASE) -> None:
    """Remove the store made for this run."""
    from django.db import connections

    connections.close_all()
    if args.postgres is None:
        if args.folder is None:  # a temporary folder of this run's
            shutil.rmtree(os.environ["DIEUHANH_VAR_DIR"], ignore_errors=True)
        return
    import psycopg

    base, _, _name = args.postgres.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database}")
    print(f"database {database} dropped (--keep keeps it)")


def setup(user, codes: list[str], province) -> tuple:
    """The alert thresholds the hot issues read, and the dashboard of generated figures
    (made again on each run, through the builder's services)."""
    from dieuhanh.catalog.models import Indicator
    from dieuhanh.dashboards import services
    from dieuhanh.dashboards.models import AlertThreshold, Dashboard, ItemKind, Measure

    # Two thresholds, so that the hot issues' threshold source has work: a province's
    # sales falling on last year, and national inflation above 4 %.
    AlertThreshold.objects.all().delete()
    AlertThreshold.objects.create(
        indicator=Indicator.objects.get(code=codes[0]),
        for_provinces=True,
        measure=Measure.YOY,
        comparison="below",
        level=0,
    )
    AlertThreshold.objects.create(
        indicator=Indicator.objects.get(code="CPI_YOY"), comparison="above", level=104
    )
    home = services.home_dashboard()
    for old in Dashboard.objects.filter(title=TITLE):
        services.delete_dashboard(user, old)
    board = services.save_dashboard(user, None, title=TITLE, shared_with_all=True)
    wards = f"CHILDREN-{province.uid}"
    items = [
        {"kind": ItemKind.KPI, "indicators": codes[:1], "width": 3, "height": "small"},
        {"kind": ItemKind.KPI, "indicators": codes[1:2], "width": 3, "height": "small"},
        {"kind": ItemKind.KPI, "indicators": codes[3:4], "width": 3, "height": "small"},
        {
            "kind": ItemKind.KPI,
            "indicators": codes[:1],
            "orgunits": province.uid,
            "width": 3,
            "height": "small",
        },
        {"kind": ItemKind.MAP, "indicators": codes[:10], "width": 5, "height": "large"},
        {"kind": ItemKind.RANKING, "indicators": codes[:10], "width": 7, "height": "large"},
        {
            "kind": ItemKind.RANKING,
            "indicators": codes[:3],
            "orgunits": wards,
            "width": 6,
            "height": "large",
        },
        {"kind": ItemKind.CHART, "indicators": codes[:3], "width": 6},
        {
            "kind": ItemKind.CHART,
            "indicators": codes[:1],
            "orgunits": "KIND-province",
            "chart_type": "bar",
            "width": 12,
        },
        {
            "kind": ItemKind.TABLE,
            "indicators": codes[:5],
            "orgunits": "KIND-province",
            "width": 12,
            "height": "large",
        },
        {
            "kind": ItemKind.TABLE,
            "indicators": codes[:1],
            "orgunits": wards,
            "width": 12,
            "height": "large",
        },
    ]
    for fields in items:
        services.save_item(user, board, None, {"title": "", **fields})
    return home, board


def describe(url: str) -> str:
    """A short name for an item's address."""
    from dieuhanh.dashboards.models import DashboardItem

    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if found := re.fullmatch(r"/dashboards/items/(\d+)/", parts.path):
        item = DashboardItem.objects.get(pk=int(found.group(1)))
        kind, codes, units = item.kind, item.indicators, item.orgunits
    elif parts.path.endswith("/items/render/"):
        kind = params.get("kind", "?")
        codes = [c for c in params.get("indicators", "").split(",") if c]
        units = params.get("orgunits", "")
    else:
        return parts.path.rstrip("/").rsplit("/", 1)[-1]
    shown = ",".join(codes[:2]) + (f" +{len(codes) - 2}" if len(codes) > 2 else "")
    if units.startswith("CHILDREN-"):
        units = "CHILDREN-<province>"
    elif units and not units.startswith("KIND-"):
        units = "<province>"
    return " ".join(part for part in (kind, shown, units) if part)


def measure(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from django.utils.translation import gettext, override

    from dieuhanh.accounts.models import User
    from dieuhanh.datavalues.models import DataValue
    from dieuhanh.orgunits import services as orgunits

    values = DataValue.objects.count()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", password="Bench-mat-khau-2026"
    )
    codes = list(COMMUNE_INDICATORS[: args.commune_indicators])
    province = orgunits.units_on(timezone.localdate(), "province").get(code=PROVINCE_CODE)
    _home, board = setup(user, codes, province)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    empty = set()
    for language in ("vi", "en"):
        with override(language):
            empty.add(gettext("No data"))

    def run(name: str, url: str, target: float) -> tuple[Row, str]:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        for _ in range(args.warm):
            client.get(url)
        _, durations = timed(lambda: client.get(url), args.runs)
        text = response.content.decode()
        note = ""
        if 'data-testid="item-error"' in text:
            message = re.search(r'role="alert">(.*?)</div>', text, re.S)
            note = "error: " + re.sub(r"<[^>]+>", "", message.group(1) if message else "").strip()
        elif any(
            phrase in re.sub(r"<script.*?</script>", "", text, flags=re.S) for phrase in empty
        ):
            note = "no data"
        row = Row(name, target, durations, len(queries), len(response.content) / 1024, note)
        return row, text

    rows: list[Row] = []
    pages = [
        ("home page", "/"),
        ("dashboard of generated figures", f"/dashboards/{board.uid}/"),
        (f"indicator {codes[0]}", f"/dashboards/indicators/{codes[0]}/"),
        (f"indicator {PROVINCIAL_INDICATOR}", f"/dashboards/indicators/{PROVINCIAL_INDICATOR}/"),
        (f"profile of {province.short_name}", f"/dashboards/units/{province.uid}/"),
    ]
    print(
        f"store: {values:,} values; pages and items measured warm, {args.runs} runs each "
        f"({args.warm} unmeasured first), as a superuser through the test client; "
        f"load average {load_average()}"
    )
    for name, url in pages:
        print(f"{name}: {url}")
        page, text = run(f"{name}, HTML", url, PAGE_TARGET)
        rows.append(page)
        report(page)
        for found in LOADED.findall(text):
            loaded = html.unescape(found)
            item, _text = run(f"  {describe(loaded)}", loaded, ITEM_TARGET)
            rows.append(item)
            report(item)
    print(f"load average after: {load_average()}")
    print()
    summary(rows, f"{values:,} values in the store; pages' HTML <= 200 ms, items <= 300 ms")


def summary(rows: list[Row], heading: str) -> None:
    """The table of every row measured, and how many are over their target at p95."""
    print(f"Summary ({heading}):")
    width = max(len(row.name) for row in rows)
    print(f"{'':{width}}  {'median':>9}  {'p95':>9}  {'queries':>7}  {'KB':>6}  target")
    for row in rows:
        print(line(row, width))
    over = [row for row in rows if row.p95 > row.target]
    if over:
        print(f"over target at p95: {len(over)} of {len(rows)}")
    else:
        print(f"all {len(rows)} under target at p95")


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): other work skews the figures."""
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def report(row: Row) -> None:
    print(line(row, 0), flush=True)


def line(row: Row, width: int) -> str:
    verdict = "yes" if row.p95 <= row.target else "NO"
    return (
        f"{row.name:{width}}  {row.median * 1000:7.1f}ms  {row.p95 * 1000:7.1f}ms  "
        f"{row.queries:7d}  {row.kilobytes:6.1f}  <= {row.target * 1000:.0f} ms: {verdict}"
        + (f"  ({row.note})" if row.note else "")
    )


if __name__ == "__main__":
    main()

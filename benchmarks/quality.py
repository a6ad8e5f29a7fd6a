#!/usr/bin/env python
"""Benchmark: completeness and timeliness of one regime over all its reporters.

    .venv/bin/python benchmarks/quality.py [--size 1]                     # SQLite
    .venv/bin/python benchmarks/quality.py [--size 1] --postgres URL      # PostgreSQL

Loads the reference structure and catalog and the demo data set (``load_demo --size``),
then asks for the completeness of the provinces' monthly report (KTXH_TINH_THANG) over the
last 12 months: through the service and through ``GET /api/v1/quality/completeness``, warm,
median and p95 of 50 runs each.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.orgunits import start_django, timed

REGIME = "KTXH_TINH_THANG"
RUNS = 50


def p95(durations: list[float]) -> float:
    return sorted(durations)[int(len(durations) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1", help="the demo data set's size (load_demo)")
    args = start_django(parser)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from dieuhanh.accounts.models import User
    from dieuhanh.accounts.services import create_token
    from dieuhanh.catalog.loader import load_reference_catalog
    from dieuhanh.core import periods
    from dieuhanh.datavalues.models import DataValue
    from dieuhanh.orgunits.loader import load_reference_orgunits
    from dieuhanh.quality import services

    load_reference_orgunits()
    load_reference_catalog()
    _, (seconds,) = timed(
        lambda: call_command("load_demo", "--size", args.size, stdout=io.StringIO())
    )
    print(
        f"demo data set (size {args.size}): {DataValue.objects.count():,} values in {seconds:.0f} s"
    )
    user = User.objects.create_superuser("bench", password="Bench-mat-khau-2026")
    current = periods.for_date("monthly", timezone.localdate(), hour=0)
    codes = [current.shift(-n).code for n in range(12, 0, -1)]

    result, durations = timed(lambda: services.completeness(user, REGIME, codes), RUNS)
    totals = result.totals
    print(
        f"completeness of {REGIME}, {len(codes)} months ({codes[0]}..{codes[-1]}): "
        f"{totals.expected} expected reports, {totals.received} received, "
        f"{totals.on_time} on time, {totals.late} late, {totals.missing} missing"
    )
    print(
        f"  service: median {statistics.median(durations) * 1000:.0f} ms, "
        f"p95 {p95(durations) * 1000:.0f} ms"
    )
    _token, key = create_token(None, user, "benchmark", ["quality:read"])
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"ApiToken {key}")
    query = {"regime": REGIME, "period": ",".join(codes)}
    response, durations = timed(lambda: client.get("/api/v1/quality/completeness", query), RUNS)
    assert response.status_code == 200, response.content[:500]
    print(
        f"  GET /api/v1/quality/completeness: median {statistics.median(durations) * 1000:.0f} "
        f"ms, p95 {p95(durations) * 1000:.0f} ms ({len(response.content) / 1024:.0f} KB)"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark: loading the reference catalog, metadata round trips, formulas, schedules.

    .venv/bin/python benchmarks/catalog.py                     # SQLite in a temporary folder
    .venv/bin/python benchmarks/catalog.py --postgres URL      # a scratch PostgreSQL database

Prints the figures recorded in docs/benchmarks.md. Each run starts from an empty database.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.orgunits import start_django, timed


def main() -> None:
    start_django()
    from dieuhanh.catalog import formulas, metadata, services
    from dieuhanh.catalog.filters import IndicatorFilter
    from dieuhanh.catalog.loader import load_reference_catalog
    from dieuhanh.catalog.models import Indicator, ReportingRegime
    from dieuhanh.core import periods
    from dieuhanh.orgunits.loader import load_reference_orgunits

    load_reference_orgunits()
    report, (first,) = timed(load_reference_catalog)
    print(f"first catalog load: {report.changes} objects created in {first:.2f} s")
    report, (second,) = timed(load_reference_catalog)
    print(f"second load: {report.changes} changes in {second:.2f} s")

    document, durations = timed(lambda: metadata.export_catalog(None), 5)
    print(
        f"export of the whole catalog ({len(document['indicators'])} indicators, "
        f"{len(document['regimes'])} regimes): median {statistics.median(durations) * 1000:.0f} ms"
    )
    report, durations = timed(lambda: metadata.import_catalog(None, document, dry_run=True), 3)
    print(
        f"dry-run import of that export ({report.changes} changes): "
        f"median {statistics.median(durations):.2f} s"
    )

    def search():
        return list(IndicatorFilter(q="xuat khau").apply(Indicator.objects.all()))

    _, durations = timed(search, 50)
    print(f"search 'xuat khau' in the catalog: median {statistics.median(durations) * 1000:.1f} ms")

    formula = formulas.parse("ytd(#{BUDGET_REVENUE}) / #{BUDGET_REVENUE_ESTIMATE} * 100")
    values = {"BUDGET_REVENUE": 1_234_567.8, "BUDGET_REVENUE_ESTIMATE": 1_966_000.0}
    n = 100_000
    _, (seconds,) = timed(
        lambda: [formulas.evaluate(formula, lambda r: values[r.code]) for _ in range(n)]
    )
    print(f"formula evaluation (budget execution): {n / seconds:,.0f} evaluations per second")
    texts = [i.formula for i in Indicator.objects.exclude(formula="")] * 2500
    _, (seconds,) = timed(lambda: [formulas.parse(text) for text in texts])
    print(f"formula parsing: {len(texts) / seconds:,.0f} formulas per second")

    daily = ReportingRegime.objects.get(code="THIEN_TAI_NGAY")
    rows, durations = timed(lambda: services.schedule(daily, 2025), 20)
    print(
        f"schedule of the daily disaster report for 2025 ({len(rows)} periods): "
        f"median {statistics.median(durations) * 1000:.1f} ms"
    )
    monthly = ReportingRegime.objects.get(code="KTXH_TINH_THANG")
    _, durations = timed(lambda: list(services.reporters(monthly, periods.parse("202507"))), 50)
    median = statistics.median(durations) * 1000
    print(f"reporters of a monthly regime (34 provinces): median {median:.1f} ms")


if __name__ == "__main__":
    main()

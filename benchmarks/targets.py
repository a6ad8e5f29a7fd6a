#!/usr/bin/env python
"""Benchmark: the plan's targets judged on a store of 5 million values.

    .venv/bin/python benchmarks/targets.py --postgres URL [--size 12] [--keep]
    .venv/bin/python benchmarks/targets.py --size 1                        # SQLite

The store is the operations center's (``benchmarks/dashboards.py``, from the analytics
benchmark's functions): the reference structure and catalog, the 14 monthly additive
indicators of ``COMMUNE_INDICATORS`` reported by communes only (every national and
provincial figure of theirs made from the communes' values), the demo generator's values
at ``--size``; at size 12 about 5.5 million values. The database is the dashboards
benchmark's, so ``--keep`` shares one store between the two.

The plan: for this year and the last, a target for each of the 14 generated indicators
(flows: judged on the year to date against the pace of the year) and for the
demo plan's indicators that have figures (rates and indices: on the latest value), for the
country and for each of the 34 provinces: about 1,100 targets, a year's half on one page.

Then, as the center's analyst signed in through the test client (the whole Django stack,
server side), ``--runs`` times warm after ``--warm`` unmeasured runs, median and p95:
- the targets page of this year (every target judged, the worst first), of last year, of
  one province, narrowed to the targets at risk;
- one target's page (its figures of the year);
- the API's list (100 targets a page, each judged) and one target;
- the home page's key figure of GDP growth, which reads the plan's target of its year, and
  its hot issues, which judge the country's targets of the year.
Target (the same as the operations center's): a page under 300 ms at p95.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.analytics import COMMUNE_INDICATORS
from benchmarks.dashboards import Row, arguments, load_average, on_store, report, summary
from benchmarks.orgunits import timed

TARGET = 0.300
PROVINCE_CODE = "79"  # Hồ Chí Minh city
# Rates and indices with figures in the generated store: the country's, the provinces'.
NATIONAL_RATES = ("GDP_GROWTH", "CPI_AVG_YTD", "CPI_YOY", "UNEMPLOYMENT_RATE")
RATES = ("GRDP_GROWTH", "CPI_YOY", "UNEMPLOYMENT_RATE")


def main() -> None:
    on_store(arguments(runs=40), measure)


def plan(user, codes: list[str]) -> int:
    """The targets of this year and the last (made again on each run, through the
    services): a flow's target a little above its figure of the year before, a rate's
    around its usual level, so that every status has members."""
    from django.utils import timezone

    from dieuhanh.analytics import services as analytics
    from dieuhanh.orgunits.services import root_unit, units_on
    from dieuhanh.targets import services
    from dieuhanh.targets.models import PlanTarget

    PlanTarget.objects.all().delete()
    today = timezone.localdate()
    units = [root_unit(today), *units_on(today, "province").order_by("code")]
    made = 0
    for year in (today.year - 1, today.year):
        base = analytics.query(
            user,
            analytics.AnalyticsRequest(
                indicators=codes,
                orgunits=[unit.uid for unit in units],
                periods=[str(year - 1)],
                skip_rounding=True,
            ),
        )
        last_year = {(c.indicator.code, c.unit_id): c.value for c in base.cells}
        for number, unit in enumerate(units):
            for code in codes:
                before = last_year.get((code, unit.pk))
                if not before:
                    continue
                services.create_plan_target(
                    None,
                    services.PlanTargetInput(
                        year=year,
                        indicator=code,
                        orgunit=unit,
                        comparison="at_least",
                        value=round(before * (0.95 + (number % 4) * 0.05), 1),
                    ),
                )
                made += 1
            for code in RATES if number else NATIONAL_RATES:
                services.create_plan_target(
                    None,
                    services.PlanTargetInput(
                        year=year,
                        indicator=code,
                        orgunit=unit,
                        comparison="about" if code.startswith("CPI") else "at_least",
                        value="104.5" if code.startswith("CPI") else ("6.5" if number % 2 else "8"),
                    ),
                )
                made += 1
    return made


def measure(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.accounts.roles import ensure_roles
    from dieuhanh.dashboards.services import home_dashboard
    from dieuhanh.datavalues.models import DataValue
    from dieuhanh.orgunits import services as orgunits
    from dieuhanh.targets import progress
    from dieuhanh.targets.models import PlanTarget

    ensure_roles()
    values = DataValue.objects.count()
    user = User.objects.filter(username="bench_analyst").first()
    if user is None:
        user = User.objects.create_user("bench_analyst", password="Bench-mat-khau-2026")
        user.roles.add(Role.objects.get(code="center_analyst"))
    codes = list(COMMUNE_INDICATORS[: args.commune_indicators])
    started = time.perf_counter()
    made = plan(user, codes)
    print(f"plan: {made:,} targets in {time.perf_counter() - started:.1f} s")
    today = timezone.localdate()
    this_year = PlanTarget.objects.filter(year=today.year)
    tally = progress.counts(progress.progress(user, this_year))
    print(f"this year's {this_year.count()} targets: {tally}")
    province = orgunits.units_on(today, "province").get(code=PROVINCE_CODE)
    flows = this_year.filter(indicator__code__in=codes).order_by("indicator__code")
    flow = flows.filter(orgunit=province).first() or flows.first()
    home_items = list(home_dashboard().items.all())
    gdp_tile = next(i for i in home_items if "GDP_GROWTH" in i.indicators)
    feed = next(i for i in home_items if i.kind == "hot_issues")
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)

    def run(name: str, url: str) -> Row:
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
        return Row(name, TARGET, durations, len(queries), len(response.content) / 1024)

    pages = [
        (f"targets page, {today.year} (every target)", f"/targets/?year={today.year}"),
        (f"targets page, {today.year - 1}", f"/targets/?year={today.year - 1}"),
        (f"targets page, {province.short_name}", f"/targets/?orgunit={province.uid}"),
        ("targets page, at risk", "/targets/?status=at_risk"),
        (f"a target's page ({flow.indicator.code}, {flow.orgunit.name})", f"/targets/{flow.pk}/"),
        ("API list, 100 a page", f"/api/v1/targets/plan?year={today.year}&limit=100"),
        ("API, one target", f"/api/v1/targets/plan/{flow.pk}"),
        ("home key figure GDP_GROWTH (with its target)", f"/dashboards/items/{gdp_tile.pk}/"),
        ("home hot issues (with the targets off course)", f"/dashboards/items/{feed.pk}/"),
    ]
    print(
        f"store: {values:,} values; measured warm, {args.runs} runs each ({args.warm} "
        f"unmeasured first), as the center's analyst; load average {load_average()}"
    )
    rows = []
    for name, url in pages:
        row = run(name, url)
        rows.append(row)
        report(row)
    print(f"load average after: {load_average()}")
    print()
    summary(rows, f"{values:,} values, {made:,} targets; <= 300 ms at p95")


if __name__ == "__main__":
    main()

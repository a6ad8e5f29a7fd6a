"""The demo data set: deterministic, faithful to the 2025 restructuring, seasonal, with the
flaws its plan describes, and loadable through the ingest engine without a refused row."""

import datetime
import io
import statistics
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from dieuhanh.catalog.models import Indicator, OptionCombination
from dieuhanh.datavalues.demo import (
    LATE_RATE,
    MISSING_RATE,
    OUTLIER_RATE,
    REFORM_DAY,
    DemoData,
    generate,
)
from dieuhanh.datavalues.ingest import ImportOptions, Scheme, ingest
from dieuhanh.datavalues.models import Channel, DataValue, DataValueAudit
from dieuhanh.orgunits.models import OrgUnit

pytestmark = pytest.mark.usefixtures("catalog", "db")

END_2016 = datetime.date(2016, 12, 31)
END_2017 = datetime.date(2017, 12, 31)


def period_bounds(code: str) -> tuple[datetime.date, datetime.date]:
    from dieuhanh.core import periods

    period = periods.parse(code)
    return period.start, period.end


def by_cell(rows) -> dict:
    return {(r.indicator, r.period, r.orgunit, r.combination): r.value for r in rows}


def government_uid() -> str:
    return OrgUnit.objects.get(kind="government").uid


def test_same_seed_gives_the_same_rows_and_another_seed_other_values():
    first = list(generate(seed=7, size=0.05, until=END_2016))
    again = list(generate(seed=7, size=0.05, until=END_2016))
    other = list(generate(seed=8, size=0.05, until=END_2016))
    assert len(first) > 1000
    assert first == again
    national = government_uid()
    exports = [
        (r.period, r.value)
        for rows in (first, other)
        for r in rows
        if r.indicator == "EXPORTS" and r.orgunit == national
    ]
    assert len(exports) == 24
    assert exports[:12] != exports[12:]  # same periods, other noise


def test_a_value_does_not_depend_on_the_window():
    short = DemoData(seed=3, size=0.05, until=END_2016)
    long = DemoData(seed=3, size=0.05, until=datetime.date(2017, 6, 30))
    short_rows = by_cell(r for t in ("yearly", "quarterly", "monthly") for r in short.rows(t))
    long_rows = by_cell(r for t in ("yearly", "quarterly", "monthly") for r in long.rows(t))
    broken = {short.plan.broken.uid, long.plan.broken.uid}
    shared = [key for key in short_rows if key[2] not in broken]
    assert len(shared) > 1000
    assert all(long_rows.get(key) == short_rows[key] for key in shared)


def test_old_provinces_report_until_june_2025_and_new_ones_after():
    demo = DemoData(
        size=1,
        start=datetime.date(2025, 1, 1),
        until=datetime.date(2025, 12, 31),
        indicators=["EXPORTS", "PUBLIC_INVEST_DISBURSED", "POPULATION_AVG"],
    )
    rows = list(demo.rows())
    units = {u.uid: u for u in OrgUnit.objects.all()}
    seen = defaultdict(set)
    for row in rows:
        unit = units[row.orgunit]
        start, end = period_bounds(row.period)
        assert unit.valid_to is None or unit.valid_to >= end, (unit.name, row.period)
        assert unit.valid_from is None or unit.valid_from <= start or row.period == "2025", (
            unit.name,
            row.period,
        )
        seen[unit.kind, unit.valid_from is None, unit.valid_to is None].add(row.period)
    old_provinces = seen["province", True, False]
    new_provinces = seen["province", False, True]
    assert max(old_provinces) == "202506" and "2025" not in old_provinces
    assert min(p for p in new_provinces if len(p) == 6) == "202507" and "2025" in new_provinces
    ministries = defaultdict(set)
    for row in rows:
        if row.indicator == "PUBLIC_INVEST_DISBURSED" and units[row.orgunit].kind == "ministry":
            ministries[units[row.orgunit].code].add(row.period)
    assert max(ministries["BKHDT"]) == "202502"  # merged into Finance on 1 March 2025
    assert min(ministries["BNNMT"]) == "202503"  # Agriculture and Environment, from March
    # A new province carries on from its predecessors: Bắc Ninh (new) ≈ Bắc Ninh + Bắc Giang.
    exports = {
        (units[r.orgunit].code, units[r.orgunit].valid_from is None, r.period): float(r.value)
        for r in rows
        if r.indicator == "EXPORTS" and units[r.orgunit].kind == "province"
    }
    old_total = statistics.median(
        exports[("27", True, m)] + exports[("24", True, m)]
        for m in ("202503", "202504", "202505", "202506")
        if ("27", True, m) in exports and ("24", True, m) in exports
    )
    new_total = statistics.median(
        exports[("24", False, m)]
        for m in ("202507", "202508", "202509", "202510")
        if ("24", False, m) in exports
    )
    assert 0.8 < new_total / old_total < 1.25


def test_national_value_is_the_sum_of_the_provinces():
    demo = DemoData(size=1, until=END_2017, indicators=["EXPORTS"])
    rows = list(demo.rows())
    national = government_uid()
    flawed = {(o.unit_uid, o.period) for o in demo.plan.outliers}
    flawed |= {(demo.plan.broken.uid, p) for p in demo.plan.broken.periods}
    totals, provinces, complete = defaultdict(float), defaultdict(int), 0
    for row in rows:
        if row.orgunit != national and (row.orgunit, row.period) not in flawed:
            totals[row.period] += float(row.value)
            provinces[row.period] += 1
    for row in rows:
        if row.orgunit == national:
            assert float(row.value) >= totals[row.period] - 1  # missing reports still count
            if provinces[row.period] == 63:
                complete += 1
                assert float(row.value) == pytest.approx(totals[row.period], abs=0.5)
    assert complete >= 2


def test_series_have_seasons_a_trend_and_realistic_ranges():
    rows = list(
        generate(size=0.05, indicators=["EXPORTS", "FISHERY_OUTPUT", "CPI_YOY", "RETAIL_SALES"])
    )
    national = government_uid()
    series = defaultdict(dict)
    for row in rows:
        if row.orgunit == national:
            series[row.indicator, row.combination][row.period] = float(row.value)
    exports = series["EXPORTS", rows[0].combination]
    years = range(2016, 2026)
    january_february = [statistics.mean(exports[f"{y}{m:02d}"] for m in (1, 2)) for y in years]
    rest_of_year = [statistics.mean(exports[f"{y}{m:02d}"] for m in range(3, 13)) for y in years]
    assert sum(a < b for a, b in zip(january_february, rest_of_year, strict=True)) >= 9
    assert sum(exports[f"2024{m:02d}"] for m in range(1, 13)) > 1.8 * sum(
        exports[f"2016{m:02d}"] for m in range(1, 13)
    )
    aquaculture = series["FISHERY_OUTPUT", OptionCombination.objects.get(code="AQUACULTURE").uid]
    for year in years:  # the harvest peaks in the second half of the year
        first_half = sum(aquaculture[f"{year}{m:02d}"] for m in range(1, 7))
        assert sum(aquaculture[f"{year}{m:02d}"] for m in range(7, 13)) > 1.3 * first_half
    cpi = [v for (code, _c), s in series.items() if code == "CPI_YOY" for v in s.values()]
    assert len(cpi) >= 120 and all(98 < v < 107 for v in cpi)


def test_flaws_match_the_plan():
    demo = DemoData(size=1, until=END_2017)
    rows = list(demo.rows())
    plan = demo.plan
    assert plan.complete and plan.total == len(rows)
    cells = by_cell(rows)
    present = {(r.orgunit, r.period) for r in rows}
    units = {u.uid: u for u in OrgUnit.objects.all()}

    # Missing reports: about 3% of the regular reports, and none of their values.
    regular = [
        s
        for s in plan.submissions
        if s.period_type != "daily" and units[s.unit_uid].kind != "government"
    ]
    share = len(plan.missing) / (len(plan.missing) + len(regular))
    assert MISSING_RATE * 0.5 < share < MISSING_RATE * 1.5
    assert all(m.indicators for m in plan.missing)
    assert not any((m.unit_uid, m.period) in present for m in plan.missing)
    assert plan.is_missing(plan.missing[0].unit_uid, plan.missing[0].period)

    # Outliers: about 0.3% of the values, loaded as the plan says.
    assert OUTLIER_RATE * 0.4 < len(plan.outliers) / len(rows) < OUTLIER_RATE * 2
    kinds = {o.kind for o in plan.outliers}
    assert kinds == {"x10", "div10", "sign"}
    for outlier in plan.outliers:
        combination = next(
            uid
            for (uid, code) in demo.by_code[outlier.indicator].combos
            if code == outlier.combination
        )
        loaded = cells[outlier.indicator, outlier.period, outlier.unit_uid, combination]
        assert loaded == outlier.value
        expected, value = float(outlier.expected), float(outlier.value)
        factor = {"x10": 10, "div10": 0.1, "sign": -1}[outlier.kind]
        assert value == pytest.approx(expected * factor, rel=0.02, abs=0.6)

    # The broken province: six months stuck at its last good report, or zeros.
    broken = plan.broken
    assert broken is not None and len(broken.periods) == 6
    assert units[broken.uid].kind == "province"
    stretch = [
        (key, value)
        for key, value in cells.items()
        if key[2] == broken.uid and key[1] in broken.periods
    ]
    assert len(stretch) > 6 * 20
    reported = defaultdict(set)
    for (indicator, _period, _unit, combination), value in stretch:
        reported[indicator, combination].add(value)
    assert all(len(values) == 1 for values in reported.values())  # stuck at one value
    if broken.mode == "zeros":
        assert {value for values in reported.values() for value in values} == {"0"}
    else:
        sources = [
            cells.get((indicator, broken.source_period, broken.uid, combination))
            for indicator, combination in reported
        ]
        repeated = sum(
            source in values for source, values in zip(sources, reported.values(), strict=True)
        )
        assert repeated >= len(reported) * 0.9  # the last good month (bar its own outliers)

    # Late reports: about 5%, dated after their latest deadline; the others on time.
    late = plan.late
    assert LATE_RATE * 0.5 < len(late) / len(plan.submissions) < LATE_RATE * 1.5
    zone = datetime.timezone(datetime.timedelta(hours=7))
    assert all(s.submitted_at.astimezone(zone).date() > s.last_deadline for s in late)
    on_time = [s for s in plan.submissions if not s.late]
    assert all(s.submitted_at.astimezone(zone).date() <= s.deadline for s in on_time)
    assert not any(units[s.unit_uid].kind == "government" for s in late)


def test_commune_values_for_indicators_reported_by_communes():
    Indicator.objects.filter(code="ADMIN_FILES_ON_TIME").update(
        levels=["national", "province", "ministry", "commune"]
    )
    demo = DemoData(
        size=1,
        start=datetime.date(2025, 4, 1),
        until=datetime.date(2025, 9, 30),
        indicators=["ADMIN_FILES_ON_TIME"],
    )
    rows = list(demo.rows())
    communes = {
        u.uid: u for u in OrgUnit.objects.filter(kind="commune", uid__in={r.orgunit for r in rows})
    }
    new = {uid for uid, u in communes.items() if u.valid_from == REFORM_DAY}
    old = set(communes) - new
    assert 30 <= len(new) <= 120  # about 2% of the 3,321 communes
    assert len(old) > len(new)  # with the communes they were made of
    for row in rows:
        if row.orgunit in old:
            assert row.period <= "202506"
        elif row.orgunit in new:
            assert row.period >= "202507"
    options = ImportOptions(
        indicator_scheme=Scheme.CODE,
        orgunit_scheme=Scheme.UID,
        combination_scheme=Scheme.UID,
        trusted=True,
    )
    result = ingest(rows, None, options)
    assert (result.created, result.refused) == (len(rows), 0)


def test_load_demo_command_loads_dates_and_replaces():
    arguments = ["load_demo", "--size", "0.05", "--until", "2017-12-31", "--seed", "11"]
    out = io.StringIO()
    with translation.override("en"):
        call_command(*arguments, stdout=out)
    demo = DemoData(seed=11, size=0.05, until=END_2017)
    plan = demo.complete_plan()
    values = DataValue.objects.filter(channel=Channel.DEMO)
    assert values.count() == plan.total > 3000
    assert f"total: {plan.total} created, 0 updated, 0 refused" in out.getvalue()
    assert DataValueAudit.objects.filter(value__channel=Channel.DEMO).count() == plan.total

    # Each report's values carry its submission time, late ones after the deadline.
    units = dict(OrgUnit.objects.values_list("uid", "id"))
    late = next(s for s in plan.late if s.period_type == "monthly")
    late_values = values.filter(orgunit_id=units[late.unit_uid], period=late.period)
    assert late_values.exists()
    assert {v.created_at for v in late_values} == {late.submitted_at}
    assert all(
        v.created_at.astimezone(late.submitted_at.tzinfo).date() > late.last_deadline
        for v in late_values
    )
    audit = DataValueAudit.objects.filter(value__in=late_values).first()
    assert audit.time == late.submitted_at and audit.channel == Channel.DEMO
    assert not values.filter(created_at__gt=timezone.now()).exists()

    # A second run loads nothing; --replace loads the same values again.
    again = io.StringIO()
    call_command(*arguments, stdout=again)
    assert values.count() == plan.total and str(plan.total) in again.getvalue()
    call_command(*arguments, "--replace", stdout=io.StringIO())
    assert values.count() == plan.total
    assert DataValueAudit.objects.filter(value__channel=Channel.DEMO).count() == plan.total
    assert DataValueAudit.objects.count() == plan.total  # the old audit rows went too

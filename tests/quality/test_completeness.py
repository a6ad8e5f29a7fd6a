"""Completeness and timeliness: expected reporters as of each period, reports received by
submission or by values, on time by the regime's deadline, late, missing, complete."""

import datetime
import io

import pytest
from django.test import Client

from dieuhanh.catalog import services as catalog_services
from dieuhanh.catalog.models import ReportingRegime
from dieuhanh.core import periods
from dieuhanh.datavalues.entry import (
    CellInput,
    entry_form,
    find_report,
    save_cells,
    submit_report,
)
from dieuhanh.datavalues.models import DataValue, Submission
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.quality import services
from tests.catalog.conftest import user_with_role

REGIME = "KTXH_TINH_THANG"
URL = "/api/v1/quality/completeness"


def months_ago(n: int) -> periods.Period:
    return periods.for_date("monthly", datetime.date.today(), hour=0).shift(-n)


def province(code):
    return OrgUnit.objects.filter(code=code, kind="province", valid_to__isnull=True).get()


@pytest.fixture
def analyst(catalog, db):
    return user_with_role("center_analyst", "chuyen_vien")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill_required(user, unit, period):
    """Every cell of the report's compulsory rows, through the web form's write."""
    report = find_report(user, REGIME, unit.uid, period.code)
    form = entry_form(user, *report)
    cells = [
        CellInput(row.code, cell.combination_uid, "1")
        for section in form.sections
        for block in section.blocks
        for row in block.rows
        if row.required
        for cell in row.cells
    ]
    assert cells and save_cells(user, *report, cells).conflicts == []
    return report


def test_on_time_late_missing_and_complete_for_one_period(analyst):
    period = months_ago(3)  # its deadline has passed
    regime = ReportingRegime.objects.get(code=REGIME)
    deadline = catalog_services.scheduled(regime, period).deadline
    hanoi, saigon, danang = province("01"), province("79"), province("48")
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi)
    report = fill_required(officer, hanoi, period)
    submit_report(officer, *report)
    on_time = datetime.datetime.combine(deadline, datetime.time(9), tzinfo=datetime.UTC)
    Submission.objects.filter(orgunit=hanoi).update(submitted_at=on_time)
    DataValue.objects.filter(orgunit=hanoi).update(created_at=on_time)
    # Hồ Chí Minh City's system pushed one value, a week after the deadline, without a submit.
    saigon_officer = user_with_role("agency_data_officer", "can_bo_hcm", orgunit=saigon)
    save_cells(
        saigon_officer,
        *find_report(saigon_officer, REGIME, saigon.uid, period.code),
        [CellInput("EXPORTS", None, "7")],
    )
    late = on_time + datetime.timedelta(days=7)
    DataValue.objects.filter(orgunit=saigon).update(created_at=late)

    body = client_for(analyst).get(URL, {"regime": REGIME, "period": period.code}).json()
    rows = {row["orgunit_code"]: row for row in body["reporters"]}
    assert len(rows) == 34  # the provinces after the 2025 reform
    assert rows["01"]["status"] == "on_time" and rows["01"]["submitted"] is True
    assert rows["01"]["complete"] is True
    assert rows["79"]["status"] == "late" and rows["79"]["submitted"] is False
    assert rows["79"]["complete"] is False and rows["79"]["required_filled"] == 1
    assert rows["48"]["status"] == "missing" and rows["48"]["received"] is False
    assert rows[danang.code]["deadline"] == deadline.isoformat()
    totals = body["totals"]
    assert (totals["expected"], totals["received"], totals["on_time"]) == (34, 2, 1)
    assert (totals["late"], totals["missing"], totals["pending"]) == (1, 32, 0)
    assert totals["complete"] == 1 and totals["on_time_rate"] == round(100 / 34, 1)


def test_reporters_follow_the_structure_of_each_period(analyst):
    before, after = "202506", "202507"  # 63 provinces, then 34
    body = client_for(analyst).get(URL, {"regime": REGIME, "period": f"{before},{after}"}).json()
    assert body["periods"] == [before, after]
    assert body["by_period"][before]["expected"] == 63
    assert body["by_period"][after]["expected"] == 34
    assert body["totals"]["expected"] == 97


def test_a_period_still_open_is_pending_not_missing(analyst):
    period = periods.for_date("monthly", datetime.date.today(), hour=0).shift(1)
    result = services.completeness(analyst, REGIME, [period.code])
    assert result.totals.pending == result.totals.expected > 0
    assert result.totals.missing == 0


def test_a_provincial_officer_sees_only_their_province(catalog, db):
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=province("01"))
    body = client_for(officer).get(URL, {"regime": REGIME, "period": months_ago(2).code}).json()
    assert [row["orgunit_code"] for row in body["reporters"]] == ["01"]
    assert body["totals"]["expected"] == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"regime": "KHONG_CO", "period": "202501"}, "unknown_regime"),
        ({"regime": REGIME, "period": "2025Q1"}, "invalid_period"),
        ({"regime": REGIME, "period": "2025-13"}, "invalid_period"),
        ({"regime": REGIME, "period": ","}, "missing_period"),
    ],
)
def test_bad_queries_are_refused_with_a_code(analyst, query, code):
    response = client_for(analyst).get(URL, query)
    assert response.status_code == 422 and response.json()["code"] == code


def test_without_the_permission_the_report_is_refused(catalog, db):
    consumer = user_with_role("data_consumer", "khai_thac")  # reads shared data only
    response = client_for(consumer).get(URL, {"regime": REGIME, "period": "202501"})
    assert response.status_code == 403
    assert Client().get(URL, {"regime": REGIME, "period": "202501"}).status_code == 401


def test_csv_download_lists_every_expected_report(analyst):
    response = client_for(analyst).get(
        URL, {"regime": REGIME, "period": months_ago(3).code, "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("orgunit,orgunit_code,orgunit_name,period")
    assert len(lines) == 35 and all(",missing" in line for line in lines[1:])


def test_the_demo_data_shows_its_late_and_missing_reports(analyst):
    """The demo's planned flaws, found from outside: a report it dated after the deadline is
    late, a report it left out is missing."""
    from django.core.management import call_command

    from dieuhanh.datavalues.demo import DemoData

    until = datetime.date(2017, 12, 31)
    call_command(
        "load_demo", "--size", "0.05", "--until", until.isoformat(), "--seed", "11",
        stdout=io.StringIO(),
    )  # fmt: skip
    plan = DemoData(seed=11, size=0.05, until=until).complete_plan()
    late = next(s for s in plan.late if s.period_type == "monthly")
    missing = next(m for m in plan.missing if periods.parse(m.period).type == "monthly")
    client = client_for(analyst)
    body = client.get(URL, {"regime": REGIME, "period": f"{late.period},{missing.period}"}).json()
    assert "reporters" in body, body
    rows = {(row["orgunit"], row["period"]): row for row in body["reporters"]}
    assert rows[(late.unit_uid, late.period)]["status"] == "late"
    assert rows[(missing.unit_uid, missing.period)]["status"] == "missing"
    assert body["totals"]["late"] >= 1 and body["totals"]["on_time"] >= 1

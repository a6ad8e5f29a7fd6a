"""The plan's targets: kept by the center (audited, once per year, indicator and unit, inside
the writer's scope), read by everyone signed in, and judged on the figures each reader may
read: met or missed when the year is in, on track or at risk before, a flow on the pace of
the year; shown on the targets pages, the API and the key figures of the home page."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dieuhanh.core.models import AuditRecord
from dieuhanh.dashboards import figures
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.targets import progress, services
from dieuhanh.targets.models import PlanTarget
from tests.analytics.conftest import client_for, country, province, store
from tests.catalog.conftest import user_with_role

pytestmark = pytest.mark.django_db

API = "/api/v1/targets/plan"
GDP = {
    "year": 2025,
    "indicator": "GDP_GROWTH",
    "orgunit": "CP",
    "comparison": "at_least",
    "value": "10",
    "wording": "Tốc độ tăng GDP đạt 10% trở lên",
    "legal_basis": "Nghị quyết số 01/NQ-CP năm 2025",
    "owner": "BTC",
}


@pytest.fixture
def analyst(catalog):
    return user_with_role("center_analyst", "chuyen_vien")


@pytest.fixture
def leader(catalog):
    return user_with_role("leader", "lanh_dao")


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def target(analyst, **fields) -> PlanTarget:
    made, _created = services.create_plan_target(
        analyst, services.PlanTargetInput(**{**GDP, "orgunit": country(), **fields})
    )
    return made


def quarters(year, values, unit=None, code="GDP_GROWTH"):
    store([(code, unit or country(), f"{year}Q{n}", value) for n, value in enumerate(values, 1)])


def test_a_year_in_is_met_or_missed_as_published(analyst, leader):
    """9.996 is published as 10.00: it meets "at least 10"; 9.99 does not."""
    quarters(2025, ["7.1", "8.2", "8.9", "9.996"])
    quarters(2024, ["5.7", "6.9", "7.4", "7.55"])
    met = target(analyst)
    missed = target(analyst, year=2024, value="8")
    answer = client_for(leader).get(API, {"year": 2025}).json()
    assert answer["count"] == 1
    first = answer["results"][0]
    assert first["progress"]["status"] == "met" and first["progress"]["final"] is True
    assert first["progress"]["period"] == "2025Q4" and first["progress"]["share"] == 100
    items = progress.progress(leader, [met, missed])
    assert [item.status for item in items] == ["met", "missed"]
    assert items[1].figure == pytest.approx(7.55) and items[1].share == pytest.approx(94.375)


def test_before_the_year_is_in_a_target_is_on_track_or_at_risk(analyst, leader):
    quarters(2025, ["7.1", "8.2"])
    at_risk = target(analyst)
    on_track = target(
        analyst,
        comparison="at_most",
        value="9",
        indicator="GRDP_GROWTH",
        year=2025,
        orgunit=province("01"),
    )
    store(
        [
            ("GRDP_GROWTH", province("01"), "2025Q1", "6"),
            ("GRDP_GROWTH", province("01"), "2025Q2", "8.5"),
        ]
    )
    items = progress.progress(leader, [at_risk, on_track], today=datetime.date(2025, 8, 1))
    assert [item.status for item in items] == ["at_risk", "on_track"]
    assert items[0].period.code == "2025Q2" and items[0].final is False
    assert [figure for _period, figure in items[0].history] == [7.1, 8.2, None]
    nothing = progress.progress(leader, [target(analyst, year=2026)])[0]
    assert nothing.status == "no_data" and nothing.figure is None


def test_a_flow_is_judged_on_the_year_to_date_against_the_pace(analyst, leader):
    """Exports of January to May (June not in yet) against a year's target: five months
    of 40,000 are on the pace of 450,000 and behind the pace of 600,000."""
    store([("EXPORTS", country(), f"2025{m:02d}", "40000") for m in range(1, 6)])
    modest = target(analyst, indicator="EXPORTS", value="450000", wording="")
    ambitious = target(analyst, indicator="EXPORTS", value="600000", orgunit=province("01"))
    store([("EXPORTS", province("01"), f"2025{m:02d}", "40000") for m in range(1, 6)])
    items = progress.progress(leader, [modest, ambitious], today=datetime.date(2025, 6, 30))
    assert [item.status for item in items] == ["on_track", "at_risk"]
    first = items[0]
    assert first.figure == pytest.approx(200000) and first.period.code == "202505"
    assert first.elapsed == pytest.approx(151 / 365)
    assert first.expected == pytest.approx(450000 * 151 / 365)
    assert first.share == pytest.approx(200000 / 450000 * 100)
    store([("EXPORTS", country(), f"2025{m:02d}", "40000") for m in range(6, 13)])
    year = progress.progress(leader, [modest], today=datetime.date(2026, 1, 20))[0]
    assert year.status == "met" and year.figure == pytest.approx(480000) and year.final


@pytest.mark.parametrize(
    ("comparison", "value", "upper", "figure", "met"),
    [
        ("between", "40", "42.5", "42.5", True),
        ("between", "40", "42.5", "42.51", False),
        ("about", "42", None, "42.1", True),  # up: at least
        ("about", "42", None, "41.9", False),
        ("at_most", "4", None, "4.004", True),  # published as 4.00
    ],
)
def test_each_comparison(analyst, leader, comparison, value, upper, figure, met):
    code, unit = "FOREST_COVER", country() if comparison != "between" else province("01")
    store([(code, unit, "2025", figure)])
    made = target(
        analyst, indicator=code, orgunit=unit, comparison=comparison, value=value, upper=upper
    )
    assert progress.progress(leader, [made])[0].status == ("met" if met else "missed")


def test_the_center_records_a_target_once_and_corrects_it_audited(analyst):
    center = client_for(analyst)
    created = post(center, API, GDP)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["orgunit"] == country().uid and body["owner_name"] == "Bộ Tài chính"
    assert body["progress"]["status"] == "no_data" and body["measurement_unit"] == "%"
    again = post(center, API, {**GDP, "value": "12"})
    assert again.status_code == 200 and again.json()["value"] == "10.0000"
    assert PlanTarget.objects.count() == 1
    changed = center.put(
        f"{API}/{body['id']}",
        json.dumps({**GDP, "value": "9.5"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["value"] == "9.5000"
    record = AuditRecord.objects.filter(action="update", object_repr__contains="GDP_GROWTH").get()
    assert record.changes["value"] == ("10.0000", "9.5000")
    assert center.delete(f"{API}/{body['id']}").status_code == 204
    assert not PlanTarget.objects.exists()
    assert AuditRecord.objects.filter(action="delete", object_repr__contains="GDP").exists()
    assert center.get(f"{API}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"indicator": "KHONG_CO"}, "unknown_indicator"),
        ({"orgunit": "KHONG-CO"}, "unknown_unit"),
        ({"comparison": "roughly"}, "invalid_choice"),
        ({"comparison": "between"}, "required"),
        ({"comparison": "between", "upper": "9"}, "invalid_range"),
        ({"year": 1800}, "invalid_year"),
        ({"owner": "a commune"}, "not_an_agency"),
    ],
)
def test_bad_targets_are_refused_with_their_reason(analyst, change, code):
    if change.get("owner") == "a commune":
        change = {"owner": OrgUnit.objects.filter(kind="commune").first().uid}
    answer = post(client_for(analyst), API, {**GDP, **change})
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.content
    assert not PlanTarget.objects.exists()


def test_two_targets_cannot_share_a_year_indicator_and_unit(analyst):
    first = target(analyst)
    second = target(analyst, year=2026)
    with pytest.raises(ValidationError) as refused:
        services.update_plan_target(analyst, second, services.PlanTargetInput(**GDP))
    assert refused.value.code == "duplicate_target"
    answer = client_for(analyst).put(
        f"{API}/{second.pk}", json.dumps(GDP), content_type="application/json"
    )
    assert answer.status_code == 409 and first.pk != second.pk


def test_who_reads_and_who_writes(analyst, leader):
    made = target(analyst)
    quarters(2025, ["7", "8", "9", "10"])
    officer = user_with_role("agency_data_officer", "ninh_binh", orgunit=province("37"))
    seen = client_for(officer).get(f"{API}/{made.pk}")
    assert seen.status_code == 200 and seen.json()["progress"]["status"] == "not_shown"
    assert seen.json()["progress"]["figure"] is None  # the country's figures are not theirs
    assert post(client_for(officer), API, {**GDP, "year": 2026}).status_code == 403
    assert post(client_for(leader), API, {**GDP, "year": 2026}).status_code == 403
    assert client_for(leader).delete(f"{API}/{made.pk}").status_code == 403
    from django.test import Client

    assert Client().get(API).status_code == 401


def test_an_agency_keeps_targets_only_inside_its_scope(analyst):
    officer = user_with_role("agency_data_officer", "ha_noi", orgunit=province("01"))
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(Permission.objects.get(codename="add_plantarget"))
    officer = type(officer).objects.get(pk=officer.pk)
    own, created = services.create_plan_target(
        officer,
        services.PlanTargetInput(
            **{
                **GDP,
                "indicator": "RETAIL_SALES",
                "orgunit": "01",
                "value": "150000",
                "owner": None,
            }
        ),
    )
    assert created and own.orgunit == province("01")
    with pytest.raises(PermissionDenied):
        services.create_plan_target(
            officer,
            services.PlanTargetInput(
                **{
                    **GDP,
                    "indicator": "RETAIL_SALES",
                    "orgunit": "37",
                    "value": "150000",
                    "owner": None,
                }
            ),
        )
    store([("RETAIL_SALES", province("01"), f"2025{m:02d}", "13000") for m in range(1, 13)])
    assert progress.progress(officer, [own])[0].status == "met"


def test_the_pages_show_the_year_worst_first_and_the_center_edits(analyst, leader, monkeypatch):
    quarters(2025, ["7", "8", "9", "9.5"])
    missed = target(analyst)
    met = target(
        analyst, comparison="at_most", value="12", indicator="GRDP_GROWTH", orgunit=province("01")
    )
    store([("GRDP_GROWTH", province("01"), f"2025Q{n}", "8") for n in range(1, 5)])
    page = client_for(leader).get(reverse("targets:plan"), {"year": 2025}).content.decode()
    assert page.index(f'data-target="{missed.pk}"') < page.index(f'data-target="{met.pk}"')
    assert "Không đạt: 1" in page and "Đạt: 1" in page and "≥ 10" in page
    from dieuhanh.targets import views

    monkeypatch.setattr(views, "TARGETS_PER_PAGE", 1)
    second = client_for(leader).get(reverse("targets:plan"), {"year": 2025, "page": 2})
    second = second.content.decode()  # the worst on the first page; the counts cover both
    assert f'data-target="{met.pk}"' in second and f'data-target="{missed.pk}"' not in second
    assert "Không đạt: 1" in second and "2 / 2" in second
    monkeypatch.undo()
    only = client_for(leader).get(reverse("targets:plan"), {"year": 2025, "status": "met"})
    assert f'data-target="{missed.pk}"' not in only.content.decode()
    download = client_for(leader).get(reverse("targets:plan"), {"year": 2025, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("Chỉ tiêu", "Đơn vị", "Cách so sánh", "Mục tiêu")
    assert [row[10] for row in rows[1:]] == ["Không đạt", "Đạt"]
    assert rows[1][3] == 10 and rows[1][6] == 9.5 and rows[1][7] == "Quý IV/2025"
    assert AuditRecord.objects.get(action="export").detail["what"] == "targets.plan"
    detail = client_for(leader).get(reverse("targets:plan_target", args=[missed.pk]))
    text = detail.content.decode()
    assert 'data-testid="target-history"' in text and "9,5" in text and "Không đạt" in text
    assert client_for(leader).get(reverse("targets:plan_new")).status_code == 403
    center = client_for(analyst)
    form = {
        "year": 2026,
        "indicator": "GDP_GROWTH",
        "orgunit": country().uid,
        "comparison": "at_least",
        "value": "10",
        "wording": "Tăng trưởng 10%",
    }
    made = center.post(reverse("targets:plan_new"), form)
    new = PlanTarget.objects.get(year=2026)
    assert made["Location"] == reverse("targets:plan_target", args=[new.pk])
    refused = center.post(reverse("targets:plan_new"), {**form, "comparison": "between"})
    assert refused.status_code == 200 and "Đến mức" in refused.content.decode()
    edit = center.post(reverse("targets:plan_edit", args=[new.pk]), {**form, "value": "10,5"})
    assert edit.status_code == 302
    new.refresh_from_db()
    assert str(new.value) == "10.5000"
    assert center.get(reverse("targets:plan_delete", args=[new.pk])).status_code == 405
    center.post(reverse("targets:plan_delete", args=[new.pk]))
    assert not PlanTarget.objects.filter(year=2026).exists()


def test_the_home_key_figure_shows_the_plan_target_of_its_year(analyst, leader):
    today = datetime.date.today()
    quarters(today.year, ["7", "8", "9", "9.5"][: (today.month - 1) // 3 + 1])
    bare = figures.key_figure(leader, "GDP_GROWTH", figures.View(), orgunits=[], today=today)
    assert bare.target is None
    target(analyst, year=today.year, comparison="at_least", value="8")
    tile = figures.key_figure(leader, "GDP_GROWTH", figures.View(), orgunits=[], today=today)
    assert tile.target == 8 and tile.target_label == GDP["wording"]
    assert tile.target_met is (tile.value >= 8)


def test_the_demo_loads_the_year_s_targets_once(catalog, settings):
    settings.DIEUHANH_DEMO = True
    call_command("load_demo_targets")
    assert PlanTarget.objects.filter(year=2026, orgunit=country()).count() == 6
    call_command("load_demo_targets")
    assert PlanTarget.objects.count() == 6


def test_targets_off_course_are_hot_issues_for_whom_they_concern(analyst, leader):
    from dieuhanh.dashboards.issues import hot_issues

    quarters(2025, ["7.1", "8.2", "8.9", "9.2"])
    missed = target(analyst)  # 2025, at least 10
    risky = target(analyst, year=2026, wording="")
    quarters(2026, ["7.5"])
    in_march = [i for i in hot_issues(leader, datetime.date(2026, 3, 20)) if i.kind == "target"]
    assert [i.url for i in in_march] == [  # the most severe first
        reverse("targets:plan_target", args=[missed.pk]),
        reverse("targets:plan_target", args=[risky.pk]),
    ]
    assert in_march[0].severity == "high" and "không đạt" in in_march[0].title
    assert "7,50 %" in in_march[1].detail and "≥ 10 %" in in_march[1].detail
    in_may = [i for i in hot_issues(leader, datetime.date(2026, 5, 2)) if i.kind == "target"]
    assert [i.url for i in in_may] == [reverse("targets:plan_target", args=[risky.pk])]
    officer = user_with_role("agency_data_officer", "ha_noi", orgunit=province("01"))
    assert not [i for i in hot_issues(officer, datetime.date(2026, 5, 2)) if i.kind == "target"]


def targets_sheet(rows) -> io.BytesIO:
    from openpyxl import Workbook

    from dieuhanh.targets.imports import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Phụ lục: Các chỉ tiêu chủ yếu"])  # a title above the header, as annexes have
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(name, "") for name in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "chi-tieu.xlsx"
    return data


ANNEX = [
    {"Năm": 2026, "Mã chỉ tiêu": "GDP_GROWTH", "Đơn vị": "Cả nước", "Cách so sánh": "Tối thiểu",
     "Mức chỉ tiêu": 10, "Văn bản giao": "Nghị quyết số 01/NQ-CP", "Cơ quan theo dõi": "BTC"},
    {"Năm": 2026, "Mã chỉ tiêu": "Tỷ lệ che phủ rừng", "Đơn vị": "Cả nước",
     "Cách so sánh": "khoảng", "Mức chỉ tiêu": "42"},
    {"Năm": 2026, "Mã chỉ tiêu": "GRDP_GROWTH", "Đơn vị": "Thành phố Hà Nội",
     "Cách so sánh": "trong khoảng", "Mức chỉ tiêu": "8,5", "Đến mức": "9"},
]  # fmt: skip


def test_an_annex_of_targets_is_checked_then_imported_and_corrected(analyst, leader):
    center = client_for(analyst)
    url = reverse("targets:plan_import")
    bad = [
        *ANNEX,
        {**ANNEX[0], "Mã chỉ tiêu": "KHONG_CO"},
        {**ANNEX[0], "Cách so sánh": "gần bằng"},
        {**ANNEX[0], "Đơn vị": "Tỉnh Không Có"},
        {**ANNEX[0], "Mức chỉ tiêu": "mười"},
    ]
    checked = center.post(url, {"file": targets_sheet(bad), "commit": "on"}).content.decode()
    assert 'data-testid="import-errors"' in checked and "4 lỗi" in checked
    for text in ("KHONG_CO", "gần bằng", "Tỉnh Không Có", "mười", "Cách so sánh"):
        assert text in checked
    # Each error names the column as the sheet heads it (the service says "Mục tiêu").
    assert "<td>9</td><td>Mức chỉ tiêu</td>" in checked
    assert "<td>6</td><td>Mã chỉ tiêu</td>" in checked
    assert not PlanTarget.objects.exists()
    dry = center.post(url, {"file": targets_sheet(ANNEX)}).content.decode()
    assert "3 dòng" in dry and not PlanTarget.objects.exists()
    center.post(url, {"file": targets_sheet(ANNEX), "commit": "on"})
    forest = PlanTarget.objects.get(indicator__code="FOREST_COVER")
    assert forest.comparison == "about" and forest.orgunit == country()
    hanoi = PlanTarget.objects.get(orgunit=province("01"))
    assert (hanoi.comparison, str(hanoi.value), str(hanoi.upper)) == ("between", "8.5000", "9.0000")
    assert PlanTarget.objects.get(indicator__code="GDP_GROWTH").owner.code == "BTC"
    again = center.post(url, {"file": targets_sheet(ANNEX), "commit": "on"}, follow=True)
    assert "0 chỉ tiêu được thêm, 0 được sửa, 3 không đổi" in again.content.decode()
    adjusted = [{**ANNEX[0], "Mức chỉ tiêu": "9,5"}, *ANNEX[1:]]
    changed = center.post(url, {"file": targets_sheet(adjusted), "commit": "on"}, follow=True)
    assert "0 chỉ tiêu được thêm, 1 được sửa, 2 không đổi" in changed.content.decode()
    assert str(PlanTarget.objects.get(indicator__code="GDP_GROWTH").value) == "9.5000"
    assert PlanTarget.objects.count() == 3
    assert AuditRecord.objects.filter(action="update", object_repr__contains="GDP_GROWTH").exists()
    template = center.get(reverse("targets:plan_import_template"))
    header = [
        c.value for c in load_workbook(io.BytesIO(b"".join(template.streaming_content))).active[1]
    ]
    assert header[:5] == ["Năm", "Mã chỉ tiêu", "Đơn vị", "Cách so sánh", "Mức chỉ tiêu"]
    assert client_for(leader).get(url).status_code == 403

"""The register of national target programmes and key projects, and the tasks that concern
them: kept by the center, read by everyone signed in, linked from tasks through the forms,
the API and the Excel import; each programme shows its tasks as its reader may see them."""

import json

import pytest
from django.urls import reverse

from dieuhanh.core.models import AuditRecord
from dieuhanh.directives.models import Task
from dieuhanh.targets import services
from dieuhanh.targets.models import Project
from tests.directives.conftest import client_for, days, gov, make_task  # noqa: F401 - fixture
from tests.directives.test_pages import ROW, sheet_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1/targets/projects"

PROGRAMME = {
    "code": "CTMTQG-NTM",
    "name": "Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021 - 2025",
    "short_name": "Nông thôn mới",
    "kind": "target_programme",
    "owner": "BTC",
    "start_year": 2021,
    "end_year": 2025,
    "legal_basis": "Quyết định số 263/QĐ-TTg ngày 22/02/2022",
    "investment": "196332.5",
    "locations": ["P1", "P2"],
}


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def programme(gov):  # noqa: F811 - the fixture
    project, _created = services.create_project(gov["analyst"], services.ProjectInput(**PROGRAMME))
    return project


def test_the_center_records_a_programme_once_and_corrects_it_audited(gov):  # noqa: F811
    center = client_for(gov["analyst"])
    created = post(center, API, PROGRAMME)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind_label"] == "Chương trình mục tiêu quốc gia"
    assert body["owner"] == gov["btc"].uid and body["investment"] == "196332.5"
    assert sorted(body["locations"]) == sorted([gov["p1"].uid, gov["p2"].uid])
    again = post(center, API, {**PROGRAMME, "name": "Tên khác"})
    assert again.status_code == 200 and again.json()["name"] == PROGRAMME["name"]
    assert Project.objects.count() == 1

    changed = center.put(
        f"{API}/CTMTQG-NTM",
        json.dumps({**PROGRAMME, "end_year": 2026, "locations": ["P1"]}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["end_year"] == 2026
    record = AuditRecord.objects.filter(action="update", object_repr__contains="CTMTQG").get()
    assert record.changes["end_year"] == (2025, 2026)
    assert record.changes["locations"] == (
        sorted([gov["p1"].uid, gov["p2"].uid]),
        [gov["p1"].uid],
    )
    assert AuditRecord.objects.filter(action="create", object_repr__contains="CTMTQG").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"end_year": 2019}, "invalid_years"),
        ({"start_year": 1800}, "invalid_year"),
        ({"kind": "dream"}, "invalid_choice"),
        ({"owner": "KHONG-CO"}, "unknown_unit"),
        ({"owner": "P1", "locations": ["CP"]}, "not_a_place"),
        ({"code": "CO DAU CACH"}, "invalid_code"),
        ({"investment": "-5"}, "invalid_amount"),
        ({"name": "  "}, "required"),
    ],
)
def test_bad_entries_are_refused_with_a_code_naming_what(gov, change, code):  # noqa: F811
    answer = post(client_for(gov["analyst"]), API, {**PROGRAMME, **change})
    assert answer.status_code == 422 and answer.json()["code"] == code
    assert not Project.objects.exists()


def test_everyone_signed_in_reads_the_register_and_only_the_center_writes(gov, programme):  # noqa: F811
    officer = client_for(gov["p2_officer"])
    listed = officer.get(API, {"kind": "target_programme", "q": "nông thôn"})
    assert listed.status_code == 200 and [p["code"] for p in listed.json()["results"]] == [
        "CTMTQG-NTM"
    ]
    assert officer.get(f"{API}/CTMTQG-NTM").json()["short_name"] == "Nông thôn mới"
    assert officer.get(f"{API}/KHONG-CO").status_code == 404
    refused = post(officer, API, {**PROGRAMME, "code": "DA-MOI"})
    assert refused.status_code == 403 and not Project.objects.filter(code="DA-MOI").exists()
    assert (
        officer.put(f"{API}/CTMTQG-NTM", "{}", content_type="application/json").status_code == 403
    )
    assert client_for(gov["leader"]).get(reverse("targets:project_new")).status_code == 403
    from django.test import Client

    assert Client().get(API).status_code == 401


def test_a_task_names_its_programmes_and_the_tasks_are_found_by_them(gov, programme):  # noqa: F811
    center = client_for(gov["analyst"])
    answer = post(
        center,
        "/api/v1/directives/documents",
        {
            "number": "12/NQ-CP",
            "doc_type": "resolution",
            "issued_on": str(days(-30)),
            "excerpt": "Về đẩy nhanh tiến độ chương trình mục tiêu quốc gia",
            "tasks": [
                {"content": "Phân bổ vốn chương trình", "lead": "P1", "projects": ["CTMTQG-NTM"]},
                {"content": "Việc khác", "lead": "P2", "deadline": str(days(-1))},
            ],
        },
    )
    assert answer.status_code == 201, answer.content
    linked = Task.objects.get(content="Phân bổ vốn chương trình")
    assert [p.code for p in linked.projects.all()] == ["CTMTQG-NTM"]
    found = center.get("/api/v1/directives/tasks", {"project": "CTMTQG-NTM"}).json()
    assert [task["id"] for task in found["results"]] == [linked.pk]
    assert found["results"][0]["projects"] == ["CTMTQG-NTM"]
    counted = center.get(
        "/api/v1/directives/statistics", {"project": "CTMTQG-NTM", "by": "lead"}
    ).json()
    assert counted["total"]["total"] == 1

    unknown = post(
        center,
        "/api/v1/directives/tasks",
        {"document_id": linked.document_id, "content": "X", "lead": "P1", "projects": ["KHONG"]},
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_project"
    assert Task.objects.count() == 2


def test_the_programme_page_counts_the_tasks_its_reader_may_see(gov, programme):  # noqa: F811
    late = make_task(gov, lead="p1", deadline=days(-3), projects=["CTMTQG-NTM"])
    make_task(gov, lead="p1", deadline=days(9), content="Việc khác")
    make_task(gov, lead="p2", deadline=days(20), projects=["CTMTQG-NTM"], content="Việc tỉnh Hai")
    center = client_for(gov["analyst"])
    listed = center.get(reverse("targets:projects")).content.decode()
    assert 'data-project="CTMTQG-NTM"' in listed and '?project=CTMTQG-NTM">2</a>' in listed
    page = center.get(reverse("targets:project", args=["CTMTQG-NTM"])).content.decode()
    assert "Bộ Tài chính" in page and "Quyết định số 263/QĐ-TTg" in page
    assert "2 nhiệm vụ" in page and "1 quá hạn" in page
    assert f'data-task="{late.pk}"' in page

    province = client_for(gov["p1_officer"])
    theirs = province.get(reverse("targets:project", args=["CTMTQG-NTM"])).content.decode()
    assert f'data-task="{late.pk}"' in theirs and "Việc tỉnh Hai" not in theirs
    assert "1 nhiệm vụ" in theirs
    assert (
        '?project=CTMTQG-NTM">1</a>' in province.get(reverse("targets:projects")).content.decode()
    )
    assert province.get(reverse("targets:project", args=["KHONG-CO"])).status_code == 404

    task_page = center.get(reverse("directives:task", args=[late.pk])).content.decode()
    assert 'data-testid="task-projects"' in task_page and "Nông thôn mới" in task_page
    listed_tasks = center.get(reverse("directives:tasks"), {"project": "CTMTQG-NTM"})
    narrowed = listed_tasks.content.decode()
    assert "Việc tỉnh Hai" in narrowed and "Việc khác" not in narrowed
    assert 'data-testid="narrowed"' in narrowed and "CTMTQG-NTM - Nông thôn mới" in narrowed


def test_the_center_keeps_the_register_through_the_form(gov):  # noqa: F811
    center = client_for(gov["analyst"])
    form = {
        "code": "dAQG-LONG-THANH",
        "name": "Dự án Cảng hàng không quốc tế Long Thành",
        "kind": "national_project",
        "owner": gov["btc"].uid,
        "start_year": "2015",
        "investment": "1234,5",
        "locations": [gov["p1"].uid],
    }
    refused = center.post(reverse("targets:project_new"), {**form, "end_year": "2000"})
    assert refused.status_code == 200 and not Project.objects.exists()
    assert "Đến năm: không được trước năm bắt đầu." in refused.content.decode()
    created = center.post(reverse("targets:project_new"), form)
    project = Project.objects.get()
    assert created["Location"] == reverse("targets:project", args=["DAQG-LONG-THANH"])
    assert str(project.investment) == "1234.5" and project.end_year is None
    edit = center.post(
        reverse("targets:project_edit", args=[project.code]), {**form, "end_year": "2026"}
    )
    assert edit.status_code == 302
    project.refresh_from_db()
    assert project.end_year == 2026 and project.period == "2015 - 2026"


def test_a_task_list_in_excel_names_its_programmes(gov, programme):  # noqa: F811
    center = client_for(gov["analyst"])
    url = reverse("directives:import")
    wrong = center.post(
        url, {"file": sheet_bytes([{**ROW, "Chương trình, dự án": "KHONG-CO"}]), "commit": "on"}
    ).content.decode()
    assert "Chương trình, dự án" in wrong and "KHONG-CO" in wrong and not Task.objects.exists()
    center.post(
        url,
        {"file": sheet_bytes([{**ROW, "Chương trình, dự án": "CTMTQG-NTM"}]), "commit": "on"},
    )
    assert [p.code for p in Task.objects.get().projects.all()] == ["CTMTQG-NTM"]


def test_the_demo_register_loads_once(gov):  # noqa: F811
    from dieuhanh.targets.demo import load_demo

    assert load_demo() == 6 and load_demo() == 0
    assert Project.objects.get(code="CTMTQG-NTM").kind == "target_programme"


def test_an_entry_named_by_no_task_can_be_removed_audited(gov, programme):  # noqa: F811
    task = make_task(gov, lead="p1", deadline=days(5), projects=["CTMTQG-NTM"])
    center = client_for(gov["analyst"])
    in_use = center.delete(f"{API}/CTMTQG-NTM")
    assert in_use.status_code == 409 and in_use.json()["code"] == "project_in_use"
    page = center.post(reverse("targets:project_delete", args=["CTMTQG-NTM"]), follow=True)
    assert "được 1 nhiệm vụ" in page.content.decode() and Project.objects.exists()
    assert client_for(gov["p1_officer"]).delete(f"{API}/CTMTQG-NTM").status_code == 403
    assert center.get(reverse("targets:project_delete", args=["CTMTQG-NTM"])).status_code == 405

    task.projects.clear()
    assert center.delete(f"{API}/CTMTQG-NTM").status_code == 204
    assert not Project.objects.exists()
    assert center.delete(f"{API}/CTMTQG-NTM").status_code == 404
    removed = AuditRecord.objects.get(action="delete", object_repr__contains="CTMTQG-NTM")
    assert removed.changes["name"][0] == PROGRAMME["name"]


def test_the_agency_in_charge_is_an_agency_and_the_places_are_places(gov):  # noqa: F811
    from dieuhanh.orgunits import services as orgunits

    commune = orgunits.create_unit(
        None, code="P1-01", name="Xã Một", kind="commune", parent=gov["p1"]
    )
    center = client_for(gov["analyst"])
    refused = post(center, API, {**PROGRAMME, "owner": commune.uid})
    assert refused.status_code == 422 and refused.json()["code"] == "not_an_agency"
    assert "Xã Một" in refused.json()["detail"]
    placed = post(center, API, {**PROGRAMME, "locations": [commune.uid, "P2"]})
    assert placed.status_code == 201
    assert sorted(placed.json()["locations"]) == sorted([commune.uid, gov["p2"].uid])

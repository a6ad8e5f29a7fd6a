"""Tasks through the API: a document-management system sends a directive with its tasks,
the lead agency reports, the center reviews, decides and completes; statuses follow from
the facts and the statistics count them."""

import datetime
import json

import pytest

from dieuhanh.core.models import AuditRecord, Notification
from dieuhanh.directives.models import ProgressReport, Task, TaskDeadline, TaskEvent
from tests.directives.conftest import client_for, days, make_task, today

pytestmark = pytest.mark.django_db

API = "/api/v1/directives"


def post(client, path, body, **headers):
    return client.post(
        f"{API}{path}", json.dumps(body, default=str), content_type="application/json", **headers
    )


def directive(lead="BTC", deadline=None, **task):
    return {
        "number": "123/TB-VPCP",
        "doc_type": "conclusion",
        "issued_on": str(days(-60)),
        "excerpt": "Kết luận của Thủ tướng Chính phủ tại phiên họp Chính phủ thường kỳ",
        "signer": "Thủ tướng Chính phủ",
        "source_system": "eoffice",
        "source_id": "VB-2026-123",
        "tasks": [
            {
                "content": task.pop("content", "Trình Chính phủ Nghị định về quản lý nợ công"),
                "lead": lead,
                "deadline": None if deadline is None else str(deadline),
                **task,
            }
        ],
    }


def test_overdue_then_done_late_and_done_on_time_counted_for_the_lead_agency(gov):
    center = client_for(gov["analyst"])
    created = post(center, "/documents", directive(deadline=days(-10), is_key=True))
    assert created.status_code == 201, created.content
    [task_id] = created.json()["task_ids"]
    task = center.get(f"{API}/tasks/{task_id}").json()
    assert task["status"] == "overdue" and task["bucket"] == "overdue"
    assert task["lead_name"] == "Bộ Tài chính" and task["deadlines"][0]["reason"] == "set"

    done = post(center, f"/tasks/{task_id}/complete", {"product": "Nghị định số 10/2026/NĐ-CP"})
    assert done.status_code == 200 and done.json()["status"] == "done_late"

    early = post(
        center,
        "/documents",
        {
            **directive(deadline=days(20)),
            "number": "5/CT-TTg",
            "source_id": "VB-5",
            "doc_type": "directive",
        },
    ).json()["task_ids"][0]
    assert post(center, f"/tasks/{early}/complete", {}).json()["status"] == "done_on_time"
    make_task(gov, lead="btc", deadline=days(30))  # in progress
    make_task(gov, lead="p1", deadline=days(-3))  # another agency's overdue task

    answer = center.get(f"{API}/statistics", {"by": "lead"}).json()
    btc = next(row for row in answer["rows"] if row["label"] == "Bộ Tài chính")
    assert (btc["done_on_time"], btc["done_late"], btc["in_progress"], btc["overdue"]) == (
        1,
        1,
        1,
        0,
    )
    assert btc["total"] == 3 and btc["on_time_rate"] == 0.5 and btc["rag"] == "amber"
    p1 = next(row for row in answer["rows"] if row["label"] == "Tỉnh Một")
    assert p1["overdue"] == 1 and p1["rag"] == "red"
    assert answer["total"]["total"] == 4
    listed = center.get(f"{API}/tasks", {**btc["tasks"], "bucket": "done_late"}).json()
    assert [item["id"] for item in listed["results"]] == [task_id]  # the number opens its tasks


def test_a_directive_sent_twice_is_recorded_once(gov):
    center = client_for(gov["analyst"])
    first = post(center, "/documents", directive(deadline=days(30)))
    again = post(center, "/documents", directive(deadline=days(30)))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["task_ids"] == again.json()["task_ids"]
    assert Task.objects.count() == 1
    key = {"HTTP_IDEMPOTENCY_KEY": "eoffice-777"}
    body = {**directive(deadline=days(30)), "number": "7/NQ-CP", "source_id": "VB-7"}
    replay = [post(center, "/documents", body, **key) for _ in range(2)]
    assert [r.status_code for r in replay] == [201, 201]
    assert replay[1]["Idempotent-Replayed"] == "true" and Task.objects.count() == 2


def test_bad_input_is_refused_with_the_field_and_a_code(gov):
    center = client_for(gov["analyst"])
    unknown = post(center, "/documents", directive(lead="BXX"))
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_unit"
    assert "BXX" in unknown.json()["detail"]
    early = post(center, "/documents", directive(deadline=days(-400)))
    assert early.json()["code"] == "deadline_before_assignment"
    recurring = post(center, "/documents", directive(recurrence="monthly"))
    assert recurring.json()["code"] == "recurring_without_deadline"
    assert post(center, "/documents", {**directive(), "doc_type": "memo"}).json()["code"] == (
        "invalid_choice"
    )
    assert Task.objects.count() == 0  # nothing of a refused directive is kept
    future = post(center, "/documents", directive(deadline=days(10)))
    task_id = future.json()["task_ids"][0]
    tomorrow = datetime.datetime.combine(days(2), datetime.time(9)).isoformat() + "+07:00"
    assert post(center, f"/tasks/{task_id}/complete", {"completed_at": tomorrow}).json()[
        "code"
    ] == ("completed_in_future")


def test_agencies_see_what_they_lead_or_coordinate_or_what_is_open_to_all(gov):
    own = make_task(gov, lead="p1", deadline=days(10))
    other = make_task(gov, lead="p2", deadline=days(10), content="Nhiệm vụ của tỉnh Hai")
    coordinated = make_task(gov, lead="btc", deadline=days(10), coordinators=[gov["p1"]])
    open_task = make_task(gov, lead="btp", deadline=days(10), open_to_agencies=True)
    secret = make_task(gov, lead="p1", deadline=days(10), sensitivity="confidential")
    officer = client_for(gov["p1_officer"])
    listed = {item["id"] for item in officer.get(f"{API}/tasks").json()["results"]}
    assert listed == {own.pk, coordinated.pk, open_task.pk}
    assert officer.get(f"{API}/tasks/{other.pk}").status_code == 404
    assert officer.get(f"{API}/tasks/{secret.pk}").status_code == 404  # above the clearance
    stats = officer.get(f"{API}/statistics").json()
    assert stats["total"]["total"] == 3
    # A co-ordinating agency reads the task but does not report on it.
    refused = post(officer, f"/tasks/{coordinated.pk}/reports", {"percent": 50, "text": "Đã góp ý"})
    assert refused.status_code == 422 and refused.json()["code"] == "not_lead_agency"
    # Agencies do not create tasks; a data consumer reads none.
    assert post(officer, "/documents", directive()).status_code == 403
    assert client_for(gov["consumer"]).get(f"{API}/tasks").status_code == 403


def test_progress_is_reported_reviewed_and_a_completion_counts_from_its_report(gov):
    task = make_task(gov, lead="btc", deadline=days(1))
    officer, center = client_for(gov["btc_officer"]), client_for(gov["analyst"])
    report = post(
        officer, f"/tasks/{task.pk}/reports", {"percent": 40, "text": "Đã lấy ý kiến các bộ"}
    )
    assert report.status_code == 201 and report.json()["status"] == "waiting"
    assert Notification.objects.filter(user=gov["analyst"], kind="task_reported").exists()
    returned = post(center, f"/reports/{report.json()['id']}/review", {"accept": False})
    assert returned.json()["code"] == "required"  # a report is returned with a reason
    ok = post(center, f"/reports/{report.json()['id']}/review", {"accept": True, "note": "Đạt"})
    assert ok.json()["status"] == "accepted"
    again = post(center, f"/reports/{report.json()['id']}/review", {"accept": True})
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"
    assert center.get(f"{API}/tasks/{task.pk}").json()["progress"] == 40

    done = post(
        officer,
        f"/tasks/{task.pk}/reports",
        {"text": "Đã trình Chính phủ", "completes": True, "product": "Tờ trình số 15/TTr-BTC"},
    ).json()
    # Accepted two days later, after the deadline: the task was done when it was reported.
    ProgressReport.objects.filter(pk=done["id"]).update(
        reported_at=datetime.datetime.now(datetime.UTC)
    )
    post(center, f"/reports/{done['id']}/review", {"accept": True})
    detail = center.get(f"{API}/tasks/{task.pk}").json()
    assert detail["status"] == "done_on_time" and detail["product"] == "Tờ trình số 15/TTr-BTC"
    assert [event["kind"] for event in detail["timeline"]] == [
        "created",
        "reported",
        "returned" if False else "accepted",
        "reported",
        "accepted",
        "completed",
    ]
    # A done task takes no more reports.
    late = post(officer, f"/tasks/{task.pk}/reports", {"percent": 100, "text": "..."})
    assert late.status_code == 409 and late.json()["code"] == "task_done"
    assert (
        Notification.objects.filter(user=gov["btc_officer"], kind="task_report_accepted").count()
        == 2
    )
    writes = AuditRecord.objects.filter(content_type__app_label="directives")
    assert writes.filter(content_type__model="progressreport", action="update").count() == 2


def test_a_completion_without_its_product_is_refused(gov):
    task = make_task(gov, lead="btc", deadline=days(5))
    answer = post(
        client_for(gov["btc_officer"]),
        f"/tasks/{task.pk}/reports",
        {"text": "Xong", "completes": True},
    )
    assert answer.status_code == 422 and answer.json()["code"] == "product_required"


def test_an_extension_moves_the_deadline_and_keeps_the_history(gov):
    task = make_task(gov, lead="btc", deadline=days(-2))
    officer, center = client_for(gov["btc_officer"]), client_for(gov["analyst"])
    not_later = post(
        officer, f"/tasks/{task.pk}/extensions", {"proposed_deadline": str(days(-5)), "reason": "x"}
    )
    assert not_later.json()["code"] == "not_later"
    asked = post(
        officer,
        f"/tasks/{task.pk}/extensions",
        {"proposed_deadline": str(days(30)), "reason": "Chờ ý kiến Bộ Tư pháp"},
    )
    assert asked.status_code == 201
    second = post(
        officer,
        f"/tasks/{task.pk}/extensions",
        {"proposed_deadline": str(days(40)), "reason": "Thêm"},
    )
    assert second.status_code == 409 and second.json()["code"] == "extension_waiting"
    assert (
        post(officer, f"/extensions/{asked.json()['id']}/decide", {"grant": True}).status_code
        == 403
    )
    granted = post(
        center,
        f"/extensions/{asked.json()['id']}/decide",
        {"grant": True, "deadline": str(days(20))},
    )
    assert granted.json()["granted_deadline"] == str(days(20))
    detail = center.get(f"{API}/tasks/{task.pk}").json()
    assert detail["status"] == "in_progress" and detail["deadline"] == str(days(20))
    assert [entry["deadline"] for entry in detail["deadlines"]] == [str(days(-2)), str(days(20))]
    assert detail["first_deadline"] == str(days(-2))
    third = post(
        officer,
        f"/tasks/{task.pk}/extensions",
        {"proposed_deadline": str(days(60)), "reason": "Lần nữa"},
    )
    refused = post(center, f"/extensions/{third.json()['id']}/decide", {"grant": False})
    assert refused.json()["code"] == "required"  # a refusal gives its reason
    refused = post(
        center,
        f"/extensions/{third.json()['id']}/decide",
        {"grant": False, "note": "Không có cơ sở"},
    )
    assert refused.json()["status"] == "returned"
    assert TaskDeadline.objects.filter(task=task).count() == 2


def test_a_recurring_task_moves_to_its_next_occurrence(gov):
    first = days(5)
    task = make_task(gov, lead="btc", deadline=first, recurrence="monthly")
    officer, center = client_for(gov["btc_officer"]), client_for(gov["analyst"])
    report = post(
        officer, f"/tasks/{task.pk}/reports", {"percent": 100, "text": "Báo cáo tháng"}
    ).json()
    assert report["occurrence"] == str(first)
    post(center, f"/reports/{report['id']}/review", {"accept": True})
    task.refresh_from_db()
    assert task.deadline.day == first.day or task.deadline.month != first.month
    assert task.deadline > first and task.completed_at is None
    assert TaskEvent.objects.filter(task=task, kind="next").exists()


def test_withdrawn_tasks_leave_the_counts_and_can_be_reopened(gov):
    task = make_task(gov, lead="btc", deadline=days(-5))
    center = client_for(gov["analyst"])
    assert (
        post(center, f"/tasks/{task.pk}/withdraw", {"withdrawal": "adjusted", "reason": ""}).json()[
            "code"
        ]
        == "required"
    )
    withdrawn = post(
        center,
        f"/tasks/{task.pk}/withdraw",
        {"withdrawal": "adjusted", "reason": "Thay bằng Công điện 35"},
    )
    assert withdrawn.json()["status"] == "adjusted"
    assert center.get(f"{API}/statistics").json()["total"]["total"] == 0
    reopened = post(center, f"/tasks/{task.pk}/reopen", {"reason": "Ghi nhầm"})
    assert reopened.json()["status"] == "overdue"
    assert post(center, f"/tasks/{task.pk}/reopen", {"reason": "x"}).status_code == 409


def test_the_center_corrects_a_task_and_a_new_deadline_joins_the_history(gov):
    task = make_task(gov, lead="btc", deadline=days(10))
    center = client_for(gov["analyst"])
    body = {
        "content": task.content,
        "lead": gov["btp"].uid,
        "deadline": str(days(15)),
        "is_key": True,
    }
    answer = center.put(
        f"{API}/tasks/{task.pk}?note=Theo+chỉ+đạo",
        json.dumps(body),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    detail = answer.json()
    assert detail["lead"] == gov["btp"].uid and detail["is_key"] is True
    assert (
        detail["deadlines"][-1]["reason"] == "changed"
        and detail["deadlines"][-1]["note"] == "Theo chỉ đạo"
    )
    officer = client_for(gov["btc_officer"])
    assert officer.get(f"{API}/tasks/{task.pk}").status_code == 404  # no longer theirs
    assert (
        officer.put(
            f"{API}/tasks/{task.pk}", json.dumps(body), content_type="application/json"
        ).status_code
        == 403
    )
    assert today() <= datetime.date.fromisoformat(detail["deadline"])


def test_statistics_by_period_add_months_into_quarters_and_years(gov):
    january = days(-365).replace(month=1, day=10)
    for day in (january, january.replace(month=2), january.replace(month=5)):
        make_task(gov, lead="btc", deadline=days(30), assigned_on=day)
    center = client_for(gov["analyst"])
    for period_type, expected in (("month", [1, 1, 1]), ("quarter", [2, 1]), ("year", [3])):
        answer = center.get(f"{API}/statistics", {"by": "period", "period_type": period_type})
        rows = answer.json()["rows"]
        assert [row["total"] for row in rows] == expected, period_type
    first = rows[0]["tasks"]
    assert first == {
        "assigned_from": f"{january.year}-01-01",
        "assigned_to": f"{january.year}-12-31",
    }
    assert center.get(f"{API}/statistics", {"by": "colour"}).status_code == 422


def test_an_agencys_system_sends_a_report_then_its_files(gov, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dieuhanh.directives.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    task = make_task(gov, lead="btc", deadline=days(10), coordinators=[gov["p1"]])
    officer = client_for(gov["btc_officer"])
    report = post(officer, f"/tasks/{task.pk}/reports", {"percent": 70, "text": "Kèm dự thảo"})
    url = f"{API}/reports/{report.json()['id']}/files"

    def upload(client, *names):
        return client.post(url, {"files": [SimpleUploadedFile(n, b"%PDF-1.4") for n in names]})

    sent = upload(officer, "du-thao.pdf", "phu-luc.xlsx")
    assert sent.status_code == 201 and [f["name"] for f in sent.json()] == [
        "du-thao.pdf",
        "phu-luc.xlsx",
    ]
    assert Attachment.objects.filter(report_id=report.json()["id"]).count() == 2
    assert upload(officer, "virus.exe").json()["code"] == "file_type"
    assert upload(client_for(gov["p1_officer"]), "x.pdf").json()["code"] == "not_lead_agency"
    hidden = upload(client_for(gov["p2_officer"]), "x.pdf")
    assert hidden.status_code == 404 and "Không có báo cáo tiến độ" in hidden.json()["detail"]
    post(client_for(gov["analyst"]), f"/reports/{report.json()['id']}/review", {"accept": True})
    assert upload(officer, "muon.pdf").status_code == 409  # the report was reviewed
    downloaded = client_for(gov["analyst"]).get(sent.json()[0]["url"])
    assert b"".join(downloaded.streaming_content) == b"%PDF-1.4"

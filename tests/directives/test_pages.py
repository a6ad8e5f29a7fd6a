"""The task pages: statistics that open their tasks, the list and its Excel, a task's page
and its steps, recording a document with its tasks, the Excel import with its dry run, the
monthly summary as Word and Excel, and the operations center's tile and hot issues."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from dieuhanh.dashboards.issues import hot_issues
from dieuhanh.dashboards.services import home_dashboard
from dieuhanh.directives.models import Document, ProgressReport, Task
from tests.directives.conftest import client_for, days, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(gov):
    return {
        "overdue_key": make_task(gov, lead="btc", deadline=days(-20), is_key=True),
        "overdue": make_task(gov, lead="p1", deadline=days(-2), content="Rà soát dự án tồn đọng"),
        "soon": make_task(gov, lead="btc", deadline=days(3), content="Báo cáo giải ngân"),
        "later": make_task(gov, lead="p2", deadline=days(90), content="Đề án chuyển đổi số"),
    }


def test_the_statistics_page_counts_and_each_number_opens_its_tasks(gov, tasks):
    center = client_for(gov["analyst"])
    page = center.get(reverse("directives:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="overdue">2<' in html and 'data-count="in_progress">2<' in html
    assert "Bộ Tài chính" in html and 'data-rag="red"' in html
    listed = center.get(reverse("directives:tasks"), {"bucket": "overdue", "lead": gov["btc"].uid})
    assert f'data-task="{tasks["overdue_key"].pk}"' in listed.content.decode()
    assert f'data-task="{tasks["overdue"].pk}"' not in listed.content.decode()
    by_month = center.get(reverse("directives:home"), {"by": "period", "period_type": "month"})
    assert by_month.status_code == 200 and "Tháng" in by_month.content.decode()
    excel = center.get(reverse("directives:home"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(excel.streaming_content))).active
    assert sheet.cell(1, 1).value == "Cơ quan chủ trì" and sheet.max_row == 5  # 3 agencies + all


def test_the_list_exports_what_it_shows(gov, tasks):
    center = client_for(gov["analyst"])
    response = center.get(reverse("directives:tasks"), {"status": "overdue", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3 and {sheet.cell(row, 12).value for row in (2, 3)} == {"Quá hạn"}


def test_the_lead_agency_reports_on_the_page_and_the_center_accepts(gov, tasks):
    task = tasks["soon"]
    officer = client_for(gov["btc_officer"])
    page = officer.get(reverse("directives:task", args=[task.pk])).content.decode()
    assert 'data-testid="report-form"' in page and 'data-testid="complete-form"' not in page
    step = reverse("directives:task_step", args=[task.pk])
    officer.post(step, {"action": "report", "percent": "60", "text": "Đã hoàn thiện dự thảo"})
    report = ProgressReport.objects.get(task=task)
    center = client_for(gov["analyst"])
    queue = center.get(reverse("directives:review")).content.decode()
    assert "Báo cáo giải ngân" in queue
    center.post(step, {"action": "review", "report": report.pk, "decision": "accept"})
    task.refresh_from_db()
    assert task.progress == 60
    # A province officer reads neither the page nor a step of another agency's task.
    other = client_for(gov["p2_officer"])
    assert other.get(reverse("directives:task", args=[task.pk])).status_code == 404
    assert other.post(step, {"action": "report", "text": "x"}).status_code == 404
    # Bad input is told, nothing is kept.
    response = officer.post(step, {"action": "report", "percent": "150", "text": "x"}, follow=True)
    assert "0 đến 100" in response.content.decode() and ProgressReport.objects.count() == 1


def test_a_document_and_its_tasks_are_recorded_through_the_forms(gov):
    center = client_for(gov["analyst"])
    response = center.post(
        reverse("directives:document_new"),
        {
            "number": "88/TB-VPCP",
            "doc_type": "conclusion",
            "issued_on": days(-3).strftime("%d/%m/%Y"),
            "excerpt": "Kết luận về tình hình kinh tế - xã hội",
            "sensitivity": "internal",
        },
    )
    document = Document.objects.get(number="88/TB-VPCP")
    assert response["Location"] == reverse("directives:task_new", args=[document.pk])
    form = {
        "content": "Tổng hợp, báo cáo tình hình giải ngân",
        "kind": "specific",
        "lead": gov["btc"].uid,
        "coordinators": [gov["btp"].uid],
        "deadline": days(30).strftime("%d/%m/%Y"),
        "monitor": "analyst",
        "supervisor": "leader",
    }
    refused = center.post(reverse("directives:task_new", args=[document.pk]), {**form, "lead": ""})
    assert refused.status_code == 200 and not Task.objects.exists()
    created = center.post(reverse("directives:task_new", args=[document.pk]), form)
    task = Task.objects.get()
    assert created["Location"] == reverse("directives:task", args=[task.pk])
    assert task.supervisor == gov["leader"] and list(task.coordinators.all()) == [gov["btp"]]
    page = center.get(reverse("directives:document", args=[document.pk])).content.decode()
    assert "Tổng hợp, báo cáo" in page
    edit = center.post(
        reverse("directives:task_edit", args=[task.pk]),
        {**form, "deadline": days(45).strftime("%d/%m/%Y"), "note": "Theo đề nghị của Bộ"},
    )
    assert edit.status_code == 302
    task.refresh_from_db()
    assert task.deadline == days(45) and task.deadlines.count() == 2
    officer = client_for(gov["btc_officer"])
    assert officer.get(reverse("directives:task_edit", args=[task.pk])).status_code == 403


def sheet_bytes(rows) -> io.BytesIO:
    from dieuhanh.directives.imports import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(name, "") for name in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "nhiem-vu.xlsx"
    return data


ROW = {
    "Số, ký hiệu văn bản": "01/NQ-CP",
    "Ngày ban hành": "08/01/2026",
    "Trích yếu": "Về nhiệm vụ, giải pháp chủ yếu năm 2026",
    "Nội dung nhiệm vụ": "Xây dựng Nghị định về quản lý nợ công",
    "Cơ quan chủ trì": "BTC",
    "Cơ quan phối hợp": "BTP; Tỉnh Một",
    "Thời hạn": "30/06/2026",
    "Nhiệm vụ trọng tâm": "x",
}


def test_an_excel_list_is_checked_then_imported_once(gov):
    center = client_for(gov["analyst"])
    url = reverse("directives:import")
    bad = [ROW, {**ROW, "Cơ quan chủ trì": "Bộ Không Có"}, {**ROW, "Thời hạn": "31/02/2026"}]
    checked = center.post(url, {"file": sheet_bytes(bad), "commit": "on"}).content.decode()
    assert "Bộ Không Có" in checked and "31/02/2026" in checked
    assert 'data-testid="import-errors"' in checked and not Task.objects.exists()
    good = [
        ROW,
        {**ROW, "Nội dung nhiệm vụ": "Báo cáo tình hình nợ công", "Ngày hoàn thành": "20/06/2026"},
    ]
    dry = center.post(url, {"file": sheet_bytes(good)}).content.decode()
    assert "2 dòng" in dry and not Task.objects.exists()
    center.post(url, {"file": sheet_bytes(good), "commit": "on"})
    assert Task.objects.count() == 2 and Document.objects.get().doc_type == "resolution"
    done = Task.objects.get(content__startswith="Báo cáo")
    assert done.completed_at is not None and done.is_key
    assert {unit.code for unit in done.coordinators.all()} == {"BTP", "P1"}
    again = center.post(url, {"file": sheet_bytes(good), "commit": "on"}, follow=True)
    assert Task.objects.count() == 2 and "0 nhiệm vụ" in again.content.decode()
    template = center.get(reverse("directives:import_template"))
    header = [
        cell.value
        for cell in load_workbook(io.BytesIO(b"".join(template.streaming_content))).active[1]
    ]
    assert header[0] == "Số, ký hiệu văn bản" and "Cơ quan chủ trì" in header
    assert client_for(gov["btc_officer"]).get(url).status_code == 403


def test_a_task_completed_today_imports_in_the_morning(gov, monkeypatch):
    """Only the day is known; the import recorded it at noon, so a list imported before
    noon was refused as completed in the future."""
    morning = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(8, 15))
    )
    monkeypatch.setattr(timezone, "now", lambda: morning)
    today = {**ROW, "Thời hạn": "", "Ngày hoàn thành": morning.strftime("%d/%m/%Y")}
    center = client_for(gov["analyst"])
    answer = center.post(
        reverse("directives:import"), {"file": sheet_bytes([today]), "commit": "on"}
    ).content.decode()
    assert 'data-testid="import-errors"' not in answer
    task = Task.objects.get()
    assert task.completed_at == morning and task.completed_on == morning.date()


def test_the_monthly_summary_as_word_and_excel(gov, tasks):
    from docx import Document as WordDocument

    center = client_for(gov["analyst"])
    month = days(0).strftime("%Y-%m")
    page = center.get(reverse("directives:summary"), {"month": month}).content.decode()
    assert "Rà soát dự án tồn đọng" not in page  # not a key task
    offered = re.findall(r'<option value="(\d{4}-\d{2})"', page)
    first = days(0).replace(day=1)
    expected = [
        datetime.date(first.year - (n > first.month - 1), (first.month - 1 - n) % 12 + 1, 1)
        for n in range(13)
    ]
    assert offered == [day.strftime("%Y-%m") for day in expected]  # each month once
    word = center.get(reverse("directives:summary"), {"month": month, "format": "docx"})
    text = "\n".join(
        p.text for p in WordDocument(io.BytesIO(b"".join(word.streaming_content))).paragraphs
    )
    assert "THÁNG" in text and "Quá hạn" in text
    excel = center.get(reverse("directives:summary"), {"month": month, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(excel.streaming_content)))
    assert len(workbook.sheetnames) == 3


def test_the_operations_center_shows_the_on_time_rate_and_overdue_key_tasks(gov, tasks):
    issues = [issue for issue in hot_issues(gov["leader"]) if issue.kind == "task"]
    assert len(issues) == 1 and "Bộ Tài chính" in issues[0].title
    assert issues[0].url == reverse("directives:task", args=[tasks["overdue_key"].pk])
    assert not [i for i in hot_issues(gov["p2_officer"]) if i.kind == "task"]  # not theirs
    tile = home_dashboard().items.get(kind="tasks")
    html = (
        client_for(gov["leader"]).get(reverse("dashboards:item", args=[tile.pk])).content.decode()
    )
    assert 'data-testid="tasks-tile"' in html and 'data-testid="tasks-overdue">2<' in html


def test_files_go_with_their_report_and_only_to_its_readers(gov, tasks, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dieuhanh.directives.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    task = tasks["soon"]
    officer = client_for(gov["btc_officer"])
    step = reverse("directives:task_step", args=[task.pk])
    refused = officer.post(
        step,
        {
            "action": "report",
            "percent": "50",
            "text": "Kèm tệp",
            "files": SimpleUploadedFile("x.exe", b"MZ"),
        },
        follow=True,
    )
    assert "không nhận tệp loại này" in refused.content.decode() and not Attachment.objects.exists()
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 bao cao", content_type="application/pdf")
    officer.post(step, {"action": "report", "percent": "50", "text": "Kèm tệp", "files": pdf})
    [attachment] = Attachment.objects.all()
    assert attachment.report.task == task and attachment.size == len(b"%PDF-1.4 bao cao")
    url = reverse("directives:attachment", args=[attachment.pk])
    assert url in officer.get(reverse("directives:task", args=[task.pk])).content.decode()
    assert b"".join(client_for(gov["analyst"]).get(url).streaming_content) == b"%PDF-1.4 bao cao"
    assert client_for(gov["p2_officer"]).get(url).status_code == 404


def test_a_document_keeps_its_files_and_a_bad_one_keeps_nothing(gov, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dieuhanh.directives.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    center = client_for(gov["analyst"])
    form = {
        "number": "9/CT-TTg",
        "doc_type": "directive",
        "issued_on": days(-1).strftime("%d/%m/%Y"),
        "excerpt": "Về phòng, chống thiên tai",
        "sensitivity": "internal",
    }
    bad = [SimpleUploadedFile("chi-thi.pdf", b"%PDF"), SimpleUploadedFile("x.bat", b"@echo")]
    refused = center.post(reverse("directives:document_new"), {**form, "files": bad})
    assert refused.status_code == 200 and not Document.objects.exists()  # all or nothing
    good = [SimpleUploadedFile("chi-thi.pdf", b"%PDF"), SimpleUploadedFile("phu-luc.docx", b"PK")]
    center.post(reverse("directives:document_new"), {**form, "files": good})
    document = Document.objects.get()
    assert sorted(Attachment.objects.filter(document=document).values_list("name", flat=True)) == [
        "chi-thi.pdf",
        "phu-luc.docx",
    ]

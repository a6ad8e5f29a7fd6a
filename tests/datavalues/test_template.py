"""The Excel form of a report: download pre-filled, fill in, upload back."""

import datetime
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from dieuhanh.datavalues import services
from dieuhanh.datavalues.entry import CellInput, entry_form, find_report, save_cells, submit_report
from dieuhanh.datavalues.models import DataValue, ImportJob, Submission
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")
REGIME = "KTXH_TINH_THANG"


def hanoi():
    """Today's Hà Nội (the unit valid from 1 July 2025; the old one has no start date)."""
    return OrgUnit.objects.filter(code="01", kind="province", valid_to__isnull=True).get()


@pytest.fixture
def officer(catalog, db):
    return user_with_role("agency_data_officer", "can_bo_mau", orgunit=hanoi())


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


def download(client, period=LAST_MONTH):
    response = client.get(
        "/api/v1/datavalues/template",
        {"regime": REGIME, "orgunit": hanoi().uid, "period": period},
    )
    assert response.status_code == 200, response.content
    return response.content


def test_template_is_prefilled_with_values_and_last_period(client, officer):
    report = find_report(officer, REGIME, hanoi().uid, LAST_MONTH)
    previous = report[2].previous().code
    prev_report = find_report(officer, REGIME, hanoi().uid, previous)
    save_cells(officer, *prev_report, [CellInput("EXPORTS", None, "1500")])
    save_cells(officer, *report, [CellInput("EXPORTS", None, "1600", "tăng")])
    workbook = load_workbook(io.BytesIO(download(client)))
    sheet = workbook.worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=8, values_only=True) if r[0]}
    assert rows["EXPORTS"][6] == 1600 and rows["EXPORTS"][7] == "tăng"
    assert rows["EXPORTS"][8] == 1500
    assert sheet.column_dimensions["A"].hidden
    assert workbook["_dieuhanh"].sheet_state == "veryHidden"


def test_filled_template_uploads_back(client, officer, settings, tmp_path):
    settings.DIEUHANH_IMPORT_DIR = tmp_path
    workbook = load_workbook(io.BytesIO(download(client)))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=8):
        if row[0].value == "EXPORTS":
            row[6].value = 2100.5
        if row[0].value == "IMPORTS":
            row[6].value = "nhiều"
            row[7].value = "chưa có số"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "bieu_mau.xlsx"
    uid = client.post("/api/v1/imports/", {"file": upload}).json()["id"]
    job = services.run_job(ImportJob.objects.get(uid=uid).pk)
    assert (job.status, job.created, job.refused) == ("done", 1, 1)
    value = DataValue.objects.get(indicator__code="EXPORTS", period=LAST_MONTH)
    assert value.value == "2100.5" and value.channel == "api"
    issue = job.issues.get()
    assert issue.code == "E7619" and issue.line > 7


def test_template_of_a_unit_outside_the_scope_is_refused(catalog, db):
    stranger = user_with_role("agency_data_officer", "ngoai_pham_vi", orgunit=hanoi())
    client = Client()
    client.force_login(stranger)
    other = OrgUnit.objects.filter(code="79", kind="province", valid_to__isnull=True).get()
    response = client.get(
        "/api/v1/datavalues/template",
        {"regime": REGIME, "orgunit": other.uid, "period": LAST_MONTH},
    )
    assert response.status_code == 422


def test_submit_needs_required_values_and_promotes_drafts(officer):
    report = find_report(officer, REGIME, hanoi().uid, LAST_MONTH)
    with pytest.raises(Exception, match=r"\w"):
        submit_report(officer, *report)
    form = entry_form(officer, *report)
    cells = [
        CellInput(row.code, cell.combination_uid, "1")
        for section in form.sections
        for block in section.blocks
        for row in block.rows
        for cell in row.cells
        if row.value_type != "text"
    ]
    result = save_cells(officer, *report, cells)
    assert result.conflicts == [] and result.created == len(cells)
    assert set(DataValue.objects.values_list("status", flat=True)) == {"draft"}
    submission = submit_report(officer, *report)
    assert Submission.objects.get(pk=submission.pk).submitted_by == officer
    assert set(DataValue.objects.values_list("status", flat=True)) == {"submitted"}
    # A correction after submission stays submitted; emptying a cell deletes it.
    save_cells(officer, *report, [CellInput("EXPORTS", None, "2")])
    assert DataValue.objects.get(indicator__code="EXPORTS").status == "submitted"
    save_cells(officer, *report, [CellInput("EXPORTS", None, "")])
    assert DataValue.objects.get(indicator__code="EXPORTS").deleted


def test_save_cells_refuses_an_indicator_of_another_report(officer):
    report = find_report(officer, REGIME, hanoi().uid, LAST_MONTH)
    result = save_cells(officer, *report, [CellInput("GDP_CURRENT", None, "1")])
    assert [c.code for c in result.conflicts] == ["E7610"]
    assert not DataValue.objects.exists()

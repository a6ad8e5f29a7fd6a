"""The imports page: upload a file (dry run first), follow the job, read what would change
and what was refused, import for real once, download the refused rows."""

import datetime
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dieuhanh.core.models import AuditRecord
from dieuhanh.datavalues import services
from dieuhanh.datavalues.models import DataValue, ImportJob, JobStatus
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")
CSV = (
    "chi_tieu,don_vi,ky,phan_to,gia_tri,ghi_chu\n"
    f"EXPORTS,01,{LAST_MONTH},,15,Số liệu ước tính\n"
    f"IMPORTS,01,{LAST_MONTH},,abc,\n"
    f"TRADE_BALANCE_X,01,{LAST_MONTH},,3,\n"
).encode("utf-8-sig")


def province(code):
    return OrgUnit.objects.filter(code=code, kind="province", valid_to__isnull=True).get()


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.DIEUHANH_IMPORT_DIR = tmp_path
    return tmp_path


@pytest.fixture
def officer(catalog, db):
    return user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=province("01"))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client(officer):
    return client_for(officer)


def upload(client, content=CSV, name="so_lieu.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content), "strategy": "CREATE_AND_UPDATE"}
    data.update({"dry_run": "on", **fields})
    return client.post(reverse("datavalues:imports"), data)


def sent_job(response) -> ImportJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    uid = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return ImportJob.objects.get(uid=uid)


def test_the_page_offers_the_upload_form_and_lists_no_job_yet(client):
    page = client.get(reverse("datavalues:imports"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="upload-form"' in html and 'enctype="multipart/form-data"' in html
    assert re.search(r'name="dry_run"[^>]*checked', html)  # a dry run unless unticked
    # The header marks Imports (/data/imports/) as the page, not Data entry (/data/).
    [active] = re.findall(r'href="([^"]+)" aria-current="page"', html)
    assert active == reverse("datavalues:imports") and "Nhập tệp" in html


def test_a_dry_run_shows_what_would_change_and_writes_nothing(client, officer):
    job = sent_job(upload(client))
    assert (job.status, job.dry_run, job.user) == (JobStatus.QUEUED, True, officer)
    assert job.channel == "file"
    queued = client.get(reverse("datavalues:import_job", args=[job.uid])).content.decode()
    assert 'hx-trigger="every 2s"' in queued  # the page follows the job while it waits
    services.run_job(job.pk)  # what the worker does
    html = client.get(reverse("datavalues:import_job", args=[job.uid])).content.decode()
    assert 'hx-trigger="every 2s"' not in html
    assert 'data-testid="dry-run"' in html
    assert re.search(r'data-count="created">1<', html)
    assert re.search(r'data-count="refused">2<', html)
    issues = html[html.index('data-testid="job-issues"') :]
    assert '<td class="small">3</td>' in issues and "E7619" in issues  # line 3: "abc"
    assert "TRADE_BALANCE_X" in issues
    assert 'data-testid="confirm-import"' in html
    assert f"/api/v1/imports/{job.uid}/errors?format=xlsx" in html
    assert not DataValue.objects.exists()
    listed = client.get(reverse("datavalues:imports")).content.decode()
    assert f'data-job="{job.uid}"' in listed and "so_lieu.csv" in listed


def test_the_panel_alone_answers_htmx_while_the_job_runs(client):
    job = sent_job(upload(client))
    panel = client.get(reverse("datavalues:import_job", args=[job.uid]), HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert html.lstrip().startswith('<div id="dh-job"') and "<html" not in html
    assert 'data-status="queued"' in html


def test_confirming_a_dry_run_imports_the_file_once(client, officer):
    dry = sent_job(upload(client))
    services.run_job(dry.pk)
    confirmed = sent_job(client.post(reverse("datavalues:import_confirm", args=[dry.uid])))
    assert confirmed.pk != dry.pk and not confirmed.dry_run
    assert confirmed.options["confirms"] == dry.uid and confirmed.channel == "file"
    services.run_job(confirmed.pk)
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.created, confirmed.refused) == (JobStatus.DONE, 1, 2)
    assert DataValue.objects.get().number == 15
    html = client.get(reverse("datavalues:import_job", args=[dry.uid])).content.decode()
    assert 'data-testid="confirm-import"' not in html
    assert f'href="/data/imports/{confirmed.uid}/"' in html  # "this file has been imported"
    # A second click (another tab, a double submit) imports nothing more.
    again = client.post(reverse("datavalues:import_confirm", args=[dry.uid]), follow=True)
    assert "đã được nhập" in again.content.decode()
    assert ImportJob.objects.count() == 2 and DataValue.objects.count() == 1
    assert AuditRecord.objects.filter(object_id=str(dry.pk), action="update").exists()
    assert not list(services.import_dir().iterdir())  # both files are gone


def test_only_the_sender_may_confirm_a_dry_run(client, officer):
    dry = sent_job(upload(client))
    services.run_job(dry.pk)
    colleague = user_with_role("agency_data_officer", "dong_nghiep", orgunit=province("01"))
    refused = client_for(colleague).post(reverse("datavalues:import_confirm", args=[dry.uid]))
    assert refused.status_code == 403
    page = client_for(colleague).get(reverse("datavalues:import_job", args=[dry.uid]))
    assert page.status_code == 200 and 'data-testid="confirm-import"' not in page.content.decode()
    assert ImportJob.objects.count() == 1


def test_an_import_without_dry_run_is_queued_as_is(client):
    job = sent_job(upload(client, dry_run=""))
    assert job.dry_run is False
    services.run_job(job.pk)
    assert DataValue.objects.count() == 1
    job.refresh_from_db()
    assert job.stored_file == ""  # the file goes once imported


def test_a_dry_runs_file_is_removed_after_two_days(client, import_dir):
    dry = sent_job(upload(client))
    services.run_job(dry.pk)
    dry.refresh_from_db()
    assert os.path.exists(dry.stored_file)
    assert services.remove_old_files() == 0
    later = dry.finished_at + services.FILES_KEPT_FOR + datetime.timedelta(minutes=1)
    assert services.remove_old_files(now=later) == 1
    assert not list(import_dir.iterdir())
    removal = AuditRecord.objects.get(
        object_id=str(dry.pk), content_type__model="importjob", action="update"
    )
    assert removal.after == {"stored_file": ""} and removal.user is None
    page = client.post(reverse("datavalues:import_confirm", args=[dry.uid]), follow=True)
    assert "không còn được lưu" in page.content.decode()
    assert ImportJob.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "fields", "message"),
    [
        (b"", "rong.csv", {}, "rỗng"),
        (b"not a zip at all", "bang.xlsx", {}, "Excel"),
        (CSV, "so_lieu.csv", {"strategy": "REPLACE"}, "REPLACE"),
    ],
)
def test_a_bad_upload_is_refused_on_the_form(client, content, name, fields, message):
    response = upload(client, content, name, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'data-testid="upload-form"' in html
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused(client, monkeypatch):
    monkeypatch.setattr("dieuhanh.datavalues.forms.MAX_UPLOAD_BYTES", 100)
    response = upload(client, CSV * 3)
    assert response.status_code == 400 and "quá lớn" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_reader_sees_jobs_but_no_upload_and_may_not_post(officer, client):
    job = sent_job(upload(client))
    services.run_job(job.pk)
    analyst = user_with_role("center_analyst", "chuyen_vien")
    reader = client_for(analyst)
    html = reader.get(reverse("datavalues:imports")).content.decode()
    assert 'data-testid="upload-form"' not in html and f'data-job="{job.uid}"' in html
    assert upload(reader).status_code == 403
    assert reader.post(reverse("datavalues:import_confirm", args=[job.uid])).status_code == 403
    assert ImportJob.objects.count() == 1


def test_jobs_of_another_province_are_neither_listed_nor_opened(client):
    job = sent_job(upload(client))
    other = user_with_role("agency_data_officer", "can_bo_hcm", orgunit=province("79"))
    html = client_for(other).get(reverse("datavalues:imports")).content.decode()
    assert f'data-job="{job.uid}"' not in html
    page = client_for(other).get(reverse("datavalues:import_job", args=[job.uid]))
    assert page.status_code == 404


def test_filters_by_status_and_own_jobs(client, officer):
    done = sent_job(upload(client))
    services.run_job(done.pk)
    queued = sent_job(upload(client))
    html = client.get(reverse("datavalues:imports"), {"status": "done"}).content.decode()
    assert f'data-job="{done.uid}"' in html and f'data-job="{queued.uid}"' not in html
    colleague = user_with_role("agency_data_officer", "dong_nghiep", orgunit=province("01"))
    mine = client_for(colleague).get(reverse("datavalues:imports"), {"mine": "on"})
    assert "data-job=" not in mine.content.decode()


def test_the_entry_page_links_the_excel_form_and_the_upload(client):
    args = ["KTXH_TINH_THANG", province("01").uid, LAST_MONTH]
    page = client.get(reverse("datavalues:entry", args=args))
    html = page.content.decode()
    link = re.search(r'href="([^"]+)" data-testid="template-download"', html).group(1)
    download = client.get(link.replace("&amp;", "&"))
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert 'data-testid="template-upload"' in html


def test_the_job_list_pages_and_keeps_its_filters(client, officer):
    ImportJob.objects.bulk_create(
        ImportJob(user=officer, channel="file", format="csv", status="done", filename=f"{n}.csv")
        for n in range(30)
    )
    first = client.get(reverse("datavalues:imports"), {"status": "done"}).content.decode()
    assert first.count("data-job=") == 25
    assert 'href="?status=done&amp;page=2"' in first
    second = client.get(reverse("datavalues:imports"), {"status": "done", "page": 2})
    html = second.content.decode()
    assert html.count("data-job=") == 5 and 'href="?status=done&amp;page=1"' in html

"""The native data-value API: JSON values, idempotent retries, file imports as jobs,
per-value and per-job audit, period locks."""

import datetime
import io
import json
import threading

import pytest
from django.db import connection
from django.test import Client

from dieuhanh.core.models import IdempotentRequest
from dieuhanh.datavalues import services
from dieuhanh.datavalues.ingest import ImportOptions, RawValue, Scheme, ingest
from dieuhanh.datavalues.models import (
    DataValue,
    DataValueAudit,
    ImportIssue,
    ImportJob,
    JobStatus,
    PeriodLock,
)
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")


def hanoi():
    """Today's Hà Nội (the unit valid from 1 July 2025; the old one has no start date)."""
    return OrgUnit.objects.filter(code="01", kind="province", valid_to__isnull=True).get()


@pytest.fixture
def officer(catalog, db):
    return user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi())


@pytest.fixture
def client(officer) -> Client:
    client = Client()
    client.force_login(officer)
    return client


VALUES = [
    {"indicator": "EXPORTS", "orgunit": "01", "period": LAST_MONTH, "value": "10"},
    {"indicator": "IMPORTS", "orgunit": "01", "period": LAST_MONTH, "value": "20"},
]


def post_values(client, values, query="", **headers):
    return client.post(
        f"/api/v1/datavalues/{query}",
        data=json.dumps(values),
        content_type="application/json",
        **headers,
    )


def test_post_list_and_read_back(client):
    response = post_values(client, VALUES)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"], body["status"]) == (2, 0, "SUCCESS")
    listed = client.get("/api/v1/datavalues/", {"indicator": "EXPORTS", "period": LAST_MONTH})
    [row] = listed.json()["results"]
    assert (row["value"], row["orgunit_code"], row["status"]) == ("10", "01", "submitted")
    exported = client.get("/api/v1/datavalues/", {"indicator": "EXPORTS", "format": "csv"})
    assert b"EXPORTS" in b"".join(exported.streaming_content)


def test_refused_rows_name_index_and_reason(client):
    values = [*VALUES, {"indicator": "EXPORTS", "orgunit": "01", "period": "2025", "value": "1"}]
    body = post_values(client, values).json()
    assert body["created"] == 2
    [error] = body["errors"]
    assert (error["index"], error["code"], error["field"]) == (2, "E7652", "period")
    assert "tháng" in error["message"] or "monthly" in error["message"]


def test_idempotency_key_makes_a_retry_a_no_op(client):
    first = post_values(client, VALUES, HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    retry = post_values(client, VALUES, HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert ImportJob.objects.count() == 1  # the retry ran nothing
    assert IdempotentRequest.objects.filter(key="lan-gui-1").count() == 1
    other_body = post_values(client, VALUES[:1], HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"


def test_file_import_is_a_job_with_progress_and_errors(client, officer, settings, tmp_path):
    settings.DIEUHANH_IMPORT_DIR = tmp_path
    content = (
        "chi_tieu,don_vi,ky,phan_to,gia_tri,ghi_chu\n"
        f"EXPORTS,01,{LAST_MONTH},,15,Số liệu ước tính\n"
        f"IMPORTS,01,{LAST_MONTH},,abc,\n"
    ).encode("utf-8-sig")
    upload = io.BytesIO(content)
    upload.name = "so_lieu.csv"
    response = client.post("/api/v1/imports/", {"file": upload})
    assert response.status_code == 202, response.content
    uid = response.json()["id"]
    job = ImportJob.objects.get(uid=uid)
    assert job.status == JobStatus.QUEUED
    services.run_job(job.pk)  # what the worker does
    status = client.get(f"/api/v1/imports/{uid}").json()
    assert (status["status"], status["created"], status["refused"]) == ("done", 1, 1)
    assert status["encoding"] == "utf-8-sig"
    issue = ImportIssue.objects.get(job=job)
    assert (issue.line, issue.code) == (3, "E7619")
    errors = client.get(f"/api/v1/imports/{uid}/errors", {"format": "csv"})
    assert b"E7619" in b"".join(errors.streaming_content)
    xlsx = client.get(f"/api/v1/imports/{uid}/errors", {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    audit = client.get("/api/v1/datavalues/audit", {"job": uid}).json()
    assert [a["new_value"] for a in audit["results"]] == ["15"]
    value_id = audit["results"][0]["value"]
    per_value = client.get("/api/v1/datavalues/audit", {"value": value_id}).json()
    assert per_value["count"] == 1 and per_value["results"][0]["kind"] == "create"


def test_hostile_files_get_clear_errors(client, settings, tmp_path):
    settings.DIEUHANH_IMPORT_DIR = tmp_path
    not_xlsx = io.BytesIO(b"not a zip at all")
    not_xlsx.name = "bang.xlsx"
    response = client.post("/api/v1/imports/", {"file": not_xlsx})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_spreadsheet"
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"0" * (50 * 1024 * 1024))
    bomb.seek(0)
    bomb.name = "bom.xlsx"
    response = client.post("/api/v1/imports/", {"file": bomb})
    assert response.status_code == 422
    assert response.json()["code"] == "suspicious_spreadsheet"
    no_header = io.BytesIO(b"1,2,3\n4,5,6\n")
    no_header.name = "x.csv"
    job_id = client.post("/api/v1/imports/", {"file": no_header}).json()["id"]
    job = services.run_job(ImportJob.objects.get(uid=job_id).pk)
    assert job.status == JobStatus.FAILED
    assert "chi_tieu" in job.message


def test_locked_period_refuses_values(client, officer):
    analyst = user_with_role("center_analyst", "chuyen_vien_tt")
    services.lock_period(analyst, period=LAST_MONTH, reason="Đã chốt số liệu")
    assert PeriodLock.objects.filter(period=LAST_MONTH).exists()
    body = post_values(client, VALUES).json()
    assert body["created"] == 0
    assert {e["code"] for e in body["errors"]} == {"E7634"}
    with pytest.raises(Exception, match=r"khóa|lock"):
        services.lock_period(officer, period=LAST_MONTH)


def test_approved_values_are_read_only(client):
    post_values(client, VALUES)
    DataValue.objects.filter(indicator__code="EXPORTS").update(status="approved")
    changed = [{**VALUES[0], "value": "99"}]
    body = post_values(client, changed).json()
    assert body["refused"] == 1 and body["errors"][0]["code"] == "E7633"
    assert DataValue.objects.get(indicator__code="EXPORTS").number == 10


def test_killed_worker_leaves_whole_chunks_and_a_failed_job(client, officer, settings, tmp_path):
    settings.DIEUHANH_IMPORT_DIR = tmp_path
    rows = "".join(
        f"EXPORTS,01,{period},,{n}\n"
        for n, period in enumerate(["202401", "202402", "202403", "202404", "202405"])
    )
    upload = io.BytesIO(("indicator,orgunit,period,disaggregation,value\n" + rows).encode())
    upload.name = "nam_2024.csv"
    uid = client.post("/api/v1/imports/", {"file": upload}).json()["id"]
    job = ImportJob.objects.get(uid=uid)
    job.options = {**job.options, "chunk_size": 2}
    job.save()

    class WorkerKilled(BaseException):
        pass

    def die_after_two_chunks(result):
        if result.chunks == 2:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        services.run_job(job.pk, on_chunk=die_after_two_chunks)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.chunks == 2 and job.created == 4
    assert DataValue.objects.filter(indicator__code="EXPORTS").count() == 4  # whole chunks
    later = datetime.datetime.now(datetime.UTC) + services.STALE_AFTER * 2
    assert services.fail_stale_jobs(now=later) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "2" in job.message and job.created == 4


def test_concurrent_writers_of_one_cell_keep_the_last_and_both_audits(catalog, django_db_blocker):
    """Two clients write the same cell at once (committed, in two threads): the last
    commit wins and each leaves its audit row with the value it replaced."""
    from dieuhanh.accounts.models import User
    from tests.datavalues.conftest import remove_datavalues

    def options():
        return ImportOptions(indicator_scheme=Scheme.CODE, orgunit_scheme=Scheme.CODE)

    def cell(value):
        return [RawValue(0, None, "EXPORTS", LAST_MONTH, "01", None, None, value)]

    with django_db_blocker.unblock():
        officer = user_with_role("agency_data_officer", "song_song", orgunit=hanoi())
        try:
            ingest(cell("1"), officer, options())
            barrier = threading.Barrier(2)
            errors = []

            def write(value):
                try:
                    barrier.wait()
                    ingest(cell(value), officer, options())
                except Exception as error:  # reported by the assertion below
                    errors.append(error)
                finally:
                    connection.close()

            threads = [threading.Thread(target=write, args=(v,)) for v in ("2", "3")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            value = DataValue.objects.get(indicator__code="EXPORTS", period=LAST_MONTH)
            audits = list(DataValueAudit.objects.filter(value=value).order_by("id"))
            assert [a.kind for a in audits] == ["create", "update", "update"]
            assert audits[1].old_value == "1"
            assert audits[2].old_value == audits[1].new_value  # the chain is unbroken
            assert value.value == audits[2].new_value
        finally:
            remove_datavalues()
            User.objects.filter(username="song_song").delete()


def test_oversized_payloads_and_files_are_refused_with_413(client, monkeypatch):
    monkeypatch.setattr("dieuhanh.datavalues.sources.MAX_UPLOAD_BYTES", 100)
    values = post_values(client, VALUES * 5)
    assert values.status_code == 413 and values.json()["code"] == "file_too_large"
    upload = io.BytesIO(b"indicator,orgunit,period,value\n" + b"EXPORTS,01,202401,1\n" * 20)
    upload.name = "lon.csv"
    files = client.post("/api/v1/imports/", {"file": upload})
    assert files.status_code == 413 and files.json()["code"] == "file_too_large"
    assert not DataValue.objects.exists() and not ImportJob.objects.exists()


@pytest.mark.worker
def test_a_worker_process_killed_mid_import_leaves_whole_chunks(
    catalog, django_db_blocker, tmp_path, monkeypatch, settings
):
    """A real process runs the job and dies without any clean-up (os._exit) right after its
    second chunk commits: the third chunk's transaction is lost whole, the job still says
    what was committed, and the stale-job sweep marks it failed."""
    import os
    import subprocess
    import sys

    from dieuhanh.accounts.models import User
    from dieuhanh.datavalues import tasks
    from dieuhanh.datavalues.models import ImportFormat
    from tests.core.test_worker import database_url_for_test_db
    from tests.datavalues.conftest import remove_datavalues

    settings.DIEUHANH_IMPORT_DIR = tmp_path
    monkeypatch.setattr(tasks.run_import, "delay", lambda job_id: None)  # the child runs it
    rows = "".join(f"EXPORTS,01,2024{month:02d},,{month}\n" for month in range(1, 6))
    data = ("indicator,orgunit,period,disaggregation,value\n" + rows).encode()
    with django_db_blocker.unblock():
        officer = user_with_role("agency_data_officer", "bi_ngat", orgunit=hanoi())
        try:
            job = services.queue_import(
                officer,
                data,
                ImportFormat.CSV,
                ImportOptions(indicator_scheme=Scheme.CODE, orgunit_scheme=Scheme.CODE),
            )
            ImportJob.objects.filter(pk=job.pk).update(options={**job.options, "chunk_size": 2})
            child = (
                "import os, django; django.setup()\n"
                "from dieuhanh.datavalues import services\n"
                "def die(result):\n"
                "    if result.chunks == 2:\n"
                "        os._exit(9)\n"
                f"services.run_job({job.pk}, on_chunk=die)\n"
            )
            env = {
                **os.environ,
                "DATABASE_URL": database_url_for_test_db(),
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DIEUHANH_IMPORT_DIR": str(tmp_path),
            }
            done = subprocess.run(
                [sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 9, done.stdout + done.stderr
            job.refresh_from_db()
            assert (job.status, job.chunks, job.created) == (JobStatus.RUNNING, 2, 4)
            assert DataValue.objects.filter(indicator__code="EXPORTS").count() == 4
            later = datetime.datetime.now(datetime.UTC) + services.STALE_AFTER * 2
            assert services.fail_stale_jobs(now=later) == 1
            job.refresh_from_db()
            assert job.status == JobStatus.FAILED and job.created == 4
        finally:
            remove_datavalues()
            User.objects.filter(username="bi_ngat").delete()


def test_comments_and_text_with_tabs_newlines_and_backslashes_are_kept_exactly(client):
    comment = "dòng 1\tcột 2\\không phải xuống dòng\\n\r\nhết \\N"
    values = [{**VALUES[0], "comment": comment}, {**VALUES[1], "comment": "\\"}]
    assert post_values(client, values).json()["created"] == 2
    stored = dict(DataValue.objects.values_list("indicator__code", "comment"))
    assert stored == {"EXPORTS": comment, "IMPORTS": "\\"}
    audit = DataValueAudit.objects.get(value__indicator__code="EXPORTS")
    assert audit.new_comment == comment
